//! `shoot-dns apply`: execute a plan's changes on the in-memory zones and keep the state.

use std::collections::BTreeMap;

use shoot_dns::memory::MemoryZones;
use shoot_dns::provider::LocalConfig;
use shoot_dns::zones::{Action, Ownership};
use shoot_dns::{Config, Plan, World};

use crate::state::{EntryState, State};

/// Executes `plan` (computed from `world`) and returns the plan after the changes, with each
/// change's outcome, and the new state. `world.observed` is updated to what the zones hold.
pub fn execute(world: &mut World, config: &Config, mut plan: Plan) -> (Plan, State) {
    let mut zones = MemoryZones::new(world.observed.zones.clone());
    let local: BTreeMap<String, Result<LocalConfig, String>> = plan
        .providers
        .iter()
        .filter(|p| p.spec.provider_type == "local")
        .map(|p| {
            let key = format!(
                "{}/{}",
                p.metadata.namespace_or_default(),
                p.metadata.name_or_empty()
            );
            (key, LocalConfig::of(p))
        })
        .collect();
    let types: BTreeMap<String, &str> = plan
        .providers
        .iter()
        .map(|p| {
            let key = format!(
                "{}/{}",
                p.metadata.namespace_or_default(),
                p.metadata.name_or_empty()
            );
            (key, p.spec.provider_type.as_str())
        })
        .collect();
    let mut owned = plan.owned.clone();
    for change in &mut plan.changes {
        let outcome = match local.get(&change.provider) {
            Some(Ok(config)) => zones.execute(change, config),
            Some(Err(e)) => Err(e.clone()),
            None => Err(match types.get(&change.provider) {
                Some(t) => format!(
                    "provider type {t} cannot be changed by shoot-dns apply without its adapter"
                ),
                None => format!(
                    "provider {} is gone: its zone {} cannot be changed",
                    change.provider, change.zone
                ),
            }),
        };
        change.result = Some(match outcome {
            Ok(()) => "ok".to_owned(),
            Err(message) => {
                if change.action == Action::Delete {
                    // The record set is still there and still ours: keep owning it, so that a
                    // later apply deletes it, and nobody else may take it meanwhile.
                    let id = format!("{}#{}", change.entry, change.zone);
                    let leftover = owned.entry(id).or_insert_with(|| Ownership {
                        provider: change.provider.clone(),
                        zone: change.zone.clone(),
                        keys: Default::default(),
                    });
                    leftover.keys.insert(change.key());
                }
                format!("error: {message}")
            }
        });
    }
    world.observed.zones = zones.zones;
    world.observed.owned = owned;
    let mut after = Plan::compute(world, config);
    let mut state = State {
        version: crate::state::VERSION,
        ..State::default()
    };
    state.set_zones(&world.observed.zones);
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
    after.changes = plan.changes;
    (after, state)
}
