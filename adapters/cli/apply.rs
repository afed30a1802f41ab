//! `shoot-dns apply`: execute a plan's changes (in-memory zones; with the feature `rfc2136`, DNS
//! servers too) and keep the state.

use std::collections::BTreeMap;
use std::path::Path;

use shoot_dns::id::ZoneId;
use shoot_dns::{Config, Plan, World};

use crate::state::{EntryState, State};

/// Executes `plan` (computed from `world`) and returns the plan after the changes, with each
/// change's outcome, and the new state. `world.observed` is updated to what the zones hold.
///
/// Before anything is sent to a DNS server, the state is written with the record sets about
/// to be created (`pending`), so that an `apply` killed at any moment leaves a state the next
/// `apply` converges from.
pub fn execute(
    world: &mut World,
    config: &Config,
    plan: Plan,
    state_path: Option<&Path>,
) -> Result<(Plan, State), String> {
    #[cfg(feature = "rfc2136")]
    let (executed, server_zones) = {
        let zones = crate::rfc2136::zone_ids(world, &plan.providers);
        let pending = crate::rfc2136::pending(&plan);
        if let (false, Some(path)) = (pending.is_empty(), state_path) {
            let mut ahead = snapshot(world, &plan, &zones);
            ahead.pending = pending;
            ahead.write(path)?;
        }
        (crate::rfc2136::execute(world, &plan), zones)
    };
    #[cfg(not(feature = "rfc2136"))]
    let (executed, server_zones): (
        BTreeMap<usize, shoot_dns::zones::ChangeOutcome>,
        Vec<ZoneId>,
    ) = {
        let _ = state_path;
        (BTreeMap::new(), Vec::new())
    };
    let after = shoot_dns::adapters::backends::memory::apply_with(world, config, plan, &executed);
    let state = snapshot(world, &after, &server_zones);
    Ok((after, state))
}

/// The state of `world` with the statuses of `plan`; the zones of DNS servers (`server_zones`)
/// are not kept, the servers hold them.
fn snapshot(world: &World, plan: &Plan, server_zones: &[ZoneId]) -> State {
    let mut state = State {
        version: crate::state::VERSION,
        ..State::default()
    };
    let zones: BTreeMap<_, _> = (world.observed.zones.iter())
        .filter(|(id, _)| !server_zones.contains(id))
        .map(|(id, records)| (id.clone(), records.clone()))
        .collect();
    state.set_zones(&zones);
    let statuses: BTreeMap<shoot_dns::id::EntryId, _> = plan
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
    // A generated entry's status is kept once: with what it owns, when it owns something.
    state.generated = (world.observed.generated.iter())
        .map(|entry| {
            let mut entry = entry.clone();
            let id = shoot_dns::plan::entry_id(&entry);
            if state
                .entries
                .get(&id)
                .is_some_and(|e| e.status == entry.status)
            {
                entry.status = None;
            }
            entry
        })
        .collect();
    state
}
