//! `plan` and `apply` with `rfc2136` providers: their zones are read from the server before
//! planning, and their changes are sent as signed UPDATEs (feature `rfc2136`), through the
//! backend interface ([`DnsBackend`]).

use std::collections::{BTreeMap, BTreeSet};

use shoot_dns::adapters::backends::memory::SharedZones;
use shoot_dns::adapters::backends::{Backend, BackendError, DnsBackend};
use shoot_dns::api::DnsProvider;
use shoot_dns::id::ZoneId;
use shoot_dns::provider::ProviderType;
use shoot_dns::zones::{Action, Change, ChangeFailure, ChangeOutcome};
use shoot_dns::{Plan, World};

use crate::state::PendingRecord;

/// Whether `provider` is of type `rfc2136`.
fn is_rfc2136(provider: &DnsProvider) -> bool {
    provider.spec.provider_type.parse() == Ok(ProviderType::Rfc2136)
}

/// The backend of each `rfc2136` provider of `providers` (by `namespace/name`), or why it
/// cannot be used.
fn servers(
    world: &World,
    providers: &[DnsProvider],
) -> BTreeMap<String, Result<Backend, BackendError>> {
    let mut out = BTreeMap::new();
    for provider in providers.iter().filter(|p| is_rfc2136(p)) {
        let key = provider.metadata.key();
        let backend =
            (secret(world, provider).map_err(BackendError::Unusable)).and_then(|secret| {
                Backend::for_provider(provider, Some(secret), &SharedZones::default())
            });
        out.insert(key, backend);
    }
    out
}

/// A current-thread runtime for the backends' futures.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("cannot start the I/O runtime: {e}"))
}

/// Reads the zone of every `rfc2136` provider into `world.observed.zones`, and turns each write
/// a killed `apply` left pending into ownership when the zone holds exactly what was to be
/// written. Returns the problems (a zone that cannot be read plans as it was last seen).
pub fn read_zones(
    world: &mut World,
    pending: &[PendingRecord],
    names: &dyn Fn(&World) -> Vec<String>,
) -> Vec<String> {
    let runtime = runtime();
    let mut problems = Vec::new();
    let providers: Vec<DnsProvider> = world.providers.clone();
    for (key, server) in servers(world, &providers) {
        let zone_id = providers
            .iter()
            .find(|p| p.metadata.key() == key)
            .and_then(|p| zone_id(world, p));
        let (Ok(server), Some(zone_id)) = (server, zone_id) else {
            continue;
        };
        let read = match runtime.block_on(server.read_zone(&zone_id, None)) {
            // A server that refuses transfers is asked for the names the plan needs.
            Err(BackendError::TransferRefused { .. }) => {
                let names: BTreeSet<shoot_dns::DnsName> =
                    names(world).iter().filter_map(|n| n.parse().ok()).collect();
                runtime.block_on(server.read_zone(&zone_id, Some(&names)))
            }
            read => read,
        };
        match read {
            Ok(records) => {
                world.observed.zones.insert(zone_id, records);
            }
            Err(e) => problems.push(format!("DNSProvider {key}: {e}")),
        }
    }
    for record in pending {
        let held = world
            .observed
            .zones
            .get(&record.zone)
            .and_then(|z| z.get(&record.record.key));
        let written = held.is_some_and(|set| {
            let mut values = set.values.clone();
            values.sort();
            let mut intended = record.record.values.clone();
            intended.sort();
            values == intended
        });
        if written {
            let ownership = world
                .observed
                .owned
                .entry(record.entry.clone())
                .or_insert_with(|| shoot_dns::zones::Ownership {
                    provider: record.provider.clone(),
                    zone: record.zone.clone(),
                    ..Default::default()
                });
            if ownership.zone == record.zone {
                ownership.keys.insert(record.record.key.clone());
            }
        }
    }
    problems
}

/// The Secret a provider's `secretRef` names (of a Secret given twice, the last one, as in the
/// plan).
fn secret<'w>(
    world: &'w World,
    provider: &DnsProvider,
) -> Result<&'w shoot_dns::api::Secret, String> {
    let namespace = provider.metadata.namespace_or_default();
    let reference = (provider.spec.secret_ref.as_ref())
        .ok_or_else(|| "no secret reference specified".to_owned())?;
    (world.secrets.iter().rev())
        .find(|s| {
            s.metadata.namespace_or_default() == namespace
                && s.metadata.name_or_empty() == reference.name
        })
        .ok_or_else(|| format!("secret {namespace}/{} not found", reference.name))
}

/// The properties of the Secret a provider's `secretRef` names.
fn properties(world: &World, provider: &DnsProvider) -> Result<BTreeMap<String, String>, String> {
    shoot_dns::provider::secret_properties(secret(world, provider)?).map_err(|e| e.to_string())
}

/// The zone id of an `rfc2136` provider: its Secret's `Zone`.
fn zone_id(world: &World, provider: &DnsProvider) -> Option<ZoneId> {
    properties(world, provider)
        .ok()?
        .get("Zone")
        .map(|z| ZoneId::from(z.trim()))
}

/// The zone ids of the `rfc2136` providers among `providers`.
pub fn zone_ids(world: &World, providers: &[DnsProvider]) -> Vec<ZoneId> {
    (providers.iter())
        .filter(|p| is_rfc2136(p))
        .filter_map(|p| zone_id(world, p))
        .collect()
}

/// The creates of `rfc2136` zones in `plan`: what a killed `apply` may have written.
pub fn pending(plan: &Plan) -> Vec<PendingRecord> {
    let rfc: Vec<String> = (plan.providers.iter())
        .filter(|p| is_rfc2136(p))
        .map(|p| p.metadata.key())
        .collect();
    plan.changes
        .iter()
        .filter(|c| c.action == Action::Create && rfc.contains(&c.provider))
        .filter_map(|c| {
            let set = c.new_set.as_ref()?;
            Some(PendingRecord {
                entry: c.entry.clone(),
                provider: c.provider.clone(),
                zone: c.zone.clone(),
                record: crate::state::StoredRecord {
                    key: c.key(),
                    ttl: set.ttl,
                    values: set.values.clone(),
                    routing_policy: set.routing_policy.clone(),
                },
            })
        })
        .collect()
}

/// Sends the changes of `rfc2136` providers; the outcome of each by its position in
/// `plan.changes`.
pub fn execute(world: &World, plan: &Plan) -> BTreeMap<usize, ChangeOutcome> {
    let servers = servers(world, &plan.providers);
    let runtime = runtime();
    let mut outcomes = BTreeMap::new();
    for ((provider, zone), changes) in shoot_dns::adapters::backends::by_zone(&plan.changes) {
        let Some(server) = servers.get(&provider) else {
            continue;
        };
        match server {
            Err(e) => {
                for (position, _) in changes {
                    let failure = ChangeFailure::from(e.clone());
                    outcomes.insert(position, ChangeOutcome::Failed(failure));
                }
            }
            Ok(server) => {
                let list: Vec<Change> = changes.iter().map(|(_, c)| (*c).clone()).collect();
                let results = runtime.block_on(server.execute(&zone, &list));
                for ((position, _), outcome) in changes.iter().zip(results) {
                    outcomes.insert(*position, outcome);
                }
            }
        }
    }
    outcomes
}
