//! `shoot-dns apply`: execute a plan's changes on the in-memory zones and keep the state.

use std::collections::BTreeMap;

use shoot_dns::{Config, Plan, World};

use crate::state::{EntryState, State};

/// Executes `plan` (computed from `world`) and returns the plan after the changes, with each
/// change's outcome, and the new state. `world.observed` is updated to what the zones hold.
pub fn execute(world: &mut World, config: &Config, plan: Plan) -> (Plan, State) {
    let after = shoot_dns::memory::apply(world, config, plan);
    let mut state = State {
        version: crate::state::VERSION,
        ..State::default()
    };
    state.set_zones(&world.observed.zones);
    state.generated = world.observed.generated.clone();
    let statuses: BTreeMap<String, _> = after
        .entries
        .iter()
        .map(|e| (shoot_dns::plan::entry_id(e), e.status.clone()))
        .collect();
    for (id, ownership) in &world.observed.owned {
        let status = statuses.get(id).cloned().flatten();
        state.entries.insert(
            id.clone(),
            EntryState {
                owned: ownership.clone(),
                status,
            },
        );
    }
    (after, state)
}
