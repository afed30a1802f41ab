//! `plan` and `apply` with `rfc2136` providers: their zones are read from the servers before
//! planning (feature `rfc2136`), through the backend interface ([`DnsBackend`]).

use std::collections::{BTreeMap, BTreeSet};

use shoot_dns::adapters::backends::{Backend, BackendError, DnsBackend};
use shoot_dns::api::DnsProvider;
use shoot_dns::id::ZoneId;
use shoot_dns::provider::ProviderType;
use shoot_dns::zones::ZoneRecords;
use shoot_dns::{DnsName, World};

/// Whether `provider` is of type `rfc2136`.
fn is_rfc2136(provider: &DnsProvider) -> bool {
    provider.spec.provider_type.parse() == Ok(ProviderType::Rfc2136)
}

/// What the zone of every `rfc2136` provider of `world` holds, by zone id, and the problems
/// met (a zone that cannot be read plans as it was last seen), read through the providers'
/// `backends`. A server that refuses zone transfers is asked for the `names` a plan wants or
/// owns (called at most once).
pub fn read_zones(
    runtime: &tokio::runtime::Runtime,
    world: &World,
    backends: &BTreeMap<String, Result<Backend, BackendError>>,
    names: &mut dyn FnMut() -> BTreeSet<DnsName>,
) -> (BTreeMap<ZoneId, ZoneRecords>, Vec<String>) {
    let mut zones = BTreeMap::new();
    let mut problems = Vec::new();
    let mut wanted: Option<BTreeSet<DnsName>> = None;
    let servers: BTreeMap<String, &DnsProvider> = (world.providers.iter())
        .filter(|p| is_rfc2136(p))
        .map(|p| (p.metadata.key(), p))
        .collect();
    for (key, provider) in servers {
        let (Some(Ok(server)), Some(zone_id)) = (backends.get(&key), zone_id(world, provider))
        else {
            continue;
        };
        let read = match runtime.block_on(server.read_zone(&zone_id, None)) {
            Err(BackendError::TransferRefused { .. }) => {
                let names = wanted.get_or_insert_with(&mut *names);
                runtime.block_on(server.read_zone(&zone_id, Some(names)))
            }
            read => read,
        };
        match read {
            Ok(records) => {
                zones.insert(zone_id, records);
            }
            Err(e) => problems.push(format!("DNSProvider {key}: {e}")),
        }
    }
    (zones, problems)
}

/// The zone id of an `rfc2136` provider: its Secret's `Zone`.
fn zone_id(world: &World, provider: &DnsProvider) -> Option<ZoneId> {
    let secret = crate::input::secret_of(world, provider)?;
    let properties = shoot_dns::provider::secret_properties(secret).ok()?;
    properties.get("Zone").map(|z| ZoneId::from(z.trim()))
}

/// The zone ids of the `rfc2136` providers of `world`: the servers hold these zones, the state
/// does not.
pub fn zone_ids(world: &World) -> Vec<ZoneId> {
    (world.providers.iter())
        .filter(|p| is_rfc2136(p))
        .filter_map(|p| zone_id(world, p))
        .collect()
}
