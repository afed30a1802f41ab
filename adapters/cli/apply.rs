//! `shoot-dns apply`: the first driver of the core's [`Planner`]. It plans the world once,
//! executes the changes zone by zone through each provider's backend ([`Backend`]: the
//! in-memory zones of `local` providers; with the feature `rfc2136`, DNS servers), feeds every
//! outcome back, and keeps the state.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use shoot_dns::adapters::backends::memory::SharedZones;
use shoot_dns::adapters::backends::{Backend, BackendError, DnsBackend};
use shoot_dns::api::ObjectRef;
use shoot_dns::events::Event;
use shoot_dns::id::ZoneId;
use shoot_dns::plan::{EntryWrite, Planner};
use shoot_dns::provider::ProviderType;
use shoot_dns::zones::{Change, Observed};
use shoot_dns::{Config, Plan, World};

use crate::state::{EntryState, PendingRecord, State};

/// A current-thread runtime for the backends' futures.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("cannot start the I/O runtime: {e}"))
}

/// What one `apply` did: the plan after it (statuses and records after the changes; `changes`
/// are those executed, each with its outcome; `events` everything the run reported, in order)
/// and the state to keep.
pub struct Applied {
    /// The plan after the changes.
    pub plan: Plan,
    /// The new state.
    pub state: State,
}

/// Plans `world` once and executes its changes. The zones of `rfc2136` providers are read from
/// their servers first; a write a killed `apply` left `pending` becomes ownership when the
/// zone holds exactly what was to be written. Before anything is sent to a DNS server, the
/// state is written with the record sets about to be created, so that an `apply` killed at any
/// moment leaves a state the next one converges from.
pub fn run(
    mut world: World,
    config: &Config,
    pending: &[PendingRecord],
    state_path: Option<&Path>,
) -> Result<Applied, String> {
    let runtime = runtime();
    // The provider accounts stay; every other object moves into the planner.
    let accounts = World {
        providers: world.providers.clone(),
        secrets: world.secrets.clone(),
        ..World::default()
    };
    let local_zones = SharedZones::new(world.observed.zones.clone());
    let backends = backends(&accounts, config, &local_zones);
    // Problems of the manifests come first, as in a plan (`Plan::compute`).
    let mut problems = std::mem::take(&mut world.problems);
    problems.sort_by(|a, b| (&a.object, &a.message).cmp(&(&b.object, &b.message)));
    let mut events: Vec<Event> = (problems.into_iter())
        .map(|p| Event::warning(p.object, "Invalid", p.message))
        .collect();
    let mut planner = Planner::from_owned_world(world, config.clone());

    #[cfg(feature = "rfc2136")]
    let server_zones = {
        let names = &mut || planner.names().cloned().collect();
        let (zones, problems) = crate::rfc2136::read_zones(&runtime, &accounts, &backends, names);
        for problem in problems {
            eprintln!("shoot-dns: {problem}");
        }
        for (zone, records) in &zones {
            planner.handle_zone(zone.as_str(), records.clone());
        }
        let confirmed = crate::state::confirmed(pending, &zones, &planner.observed().owned);
        for (id, owned) in confirmed {
            planner.handle_owned(&id, Some(owned));
        }
        crate::rfc2136::zone_ids(&accounts)
    };
    #[cfg(not(feature = "rfc2136"))]
    let server_zones: Vec<ZoneId> = {
        let _ = pending;
        Vec::new()
    };
    #[cfg(feature = "aws-route53")]
    let server_zones = {
        let mut server_zones = server_zones;
        let (listed, zones) = runtime.block_on(read_accounts(&mut planner, &backends));
        let confirmed = crate::state::confirmed(pending, &zones, &planner.observed().owned);
        for (id, owned) in confirmed {
            planner.handle_owned(&id, Some(owned));
        }
        server_zones.extend(listed);
        server_zones
    };

    // Everything the world asks for: events, generated entries (which the state keeps, as a
    // cluster would), the host names to look up, then the changes.
    let now = unix_seconds();
    loop {
        drain(&mut planner, &mut events);
        let mut hosts = BTreeSet::new();
        while let Some(host) = planner.poll_lookup(now) {
            hosts.insert(host);
        }
        if hosts.is_empty() {
            break;
        }
        for (host, addresses) in crate::input::resolve(&hosts) {
            planner.handle_lookup(host, Some(addresses), now);
        }
    }
    let mut taken = Vec::new();
    while let Some(set) = planner.poll_change_set() {
        taken.extend(set.changes);
    }
    shoot_dns::zones::sort_changes(&mut taken);

    let external: BTreeSet<&str> = (backends.iter())
        .filter(|(_, b)| {
            b.as_ref()
                .is_ok_and(|b| b.provider_type() != ProviderType::Local)
        })
        .map(|(key, _)| key.as_str())
        .collect();
    let ahead = crate::state::pending(&taken, &external);
    if let (false, Some(path)) = (ahead.is_empty(), state_path) {
        let mut state = snapshot(&planner.plan(), planner.observed(), &server_zones);
        state.pending = ahead;
        state.write(path)?;
    }

    let outcomes = runtime.block_on(shoot_dns::adapters::backends::execute(
        &mut planner,
        &backends,
        &taken,
    ));
    let executed: Vec<Change> = (taken.into_iter().zip(outcomes))
        .map(|(mut change, outcome)| {
            change.outcome = Some(outcome);
            change
        })
        .collect();
    planner.handle_settled();
    let mut after = Vec::new();
    drain(&mut planner, &mut after);
    supersede(&mut events, after);

    let mut plan = planner.plan();
    let state = snapshot(&plan, planner.observed(), &server_zones);
    plan.changes = executed;
    plan.events = events;
    // The planner is dropped with the process (see `main`): freeing it piece by piece would
    // only delay the exit.
    std::mem::forget(planner);
    Ok(Applied { plan, state })
}

/// The `aws-route53` providers among `backends` whose zones their accounts give: those the
/// `--zones` file (`given`) does not list.
#[cfg(feature = "aws-route53")]
fn accounts<'b>(
    backends: &'b BTreeMap<String, Result<Backend, BackendError>>,
    given: &BTreeMap<String, Vec<shoot_dns::provider::HostedZone>>,
) -> Vec<(&'b String, &'b Backend)> {
    (backends.iter())
        .filter_map(|(key, b)| Some((key, b.as_ref().ok()?)))
        .filter(|(key, b)| {
            b.provider_type() == ProviderType::AwsRoute53 && !given.contains_key(key.as_str())
        })
        .collect()
}

/// The zones each account hosts, by provider. An account that cannot list them serves none
/// (nothing is planned into zones it may not have); the problem is said in `problems`.
#[cfg(feature = "aws-route53")]
async fn list_accounts(
    accounts: &[(&String, &Backend)],
    problems: &mut Vec<String>,
) -> BTreeMap<String, Vec<shoot_dns::provider::HostedZone>> {
    let mut listed = BTreeMap::new();
    for (key, backend) in accounts {
        let zones = backend.list_zones().await.unwrap_or_else(|e| {
            problems.push(format!("DNSProvider {key}: {e}"));
            Vec::new()
        });
        listed.insert((*key).clone(), zones);
    }
    listed
}

/// What the zones each account's provider selects (`selected`: zone ids by provider) hold.
#[cfg(feature = "aws-route53")]
async fn read_selected(
    accounts: &[(&String, &Backend)],
    selected: &BTreeMap<String, Vec<String>>,
    problems: &mut Vec<String>,
) -> BTreeMap<ZoneId, shoot_dns::zones::ZoneRecords> {
    let mut read = BTreeMap::new();
    for (key, backend) in accounts {
        for zone in selected.get(*key).into_iter().flatten() {
            let id = ZoneId::from(zone.as_str());
            match backend.read_zone(&id, None).await {
                Ok(records) => {
                    read.insert(id, records);
                }
                Err(e) => problems.push(format!("DNSProvider {key}: zone {zone}: {e}")),
            }
        }
    }
    read
}

/// Asks each `aws-route53` account for the zones it hosts and reads those its provider selects
/// (as the planner's provider statuses say), feeding both to the planner. Returns the ids of
/// every zone listed (the state does not keep them: the accounts do) and what the zones read
/// hold.
#[cfg(feature = "aws-route53")]
async fn read_accounts(
    planner: &mut Planner,
    backends: &BTreeMap<String, Result<Backend, BackendError>>,
) -> (Vec<ZoneId>, BTreeMap<ZoneId, shoot_dns::zones::ZoneRecords>) {
    let mut problems = Vec::new();
    let accounts = accounts(backends, &planner.observed().hosted_zones);
    let listed = list_accounts(&accounts, &mut problems).await;
    let ids = (listed.values().flatten()).map(|z| z.id.clone()).collect();
    for (key, zones) in listed {
        planner.handle_hosted_zones(&key, Some(zones));
    }
    let mut selected = BTreeMap::new();
    while let Some(update) = planner.poll_provider_status() {
        let key = format!("{}/{}", update.provider.namespace, update.provider.name);
        let zones = (update.status.and_then(|s| s.zones)).map(|z| z.included);
        selected.insert(key, zones.unwrap_or_default());
    }
    let read = read_selected(&accounts, &selected, &mut problems).await;
    for (zone, records) in &read {
        planner.handle_zone(zone.as_str(), records.clone());
    }
    for problem in problems {
        eprintln!("shoot-dns: {problem}");
    }
    (ids, read)
}

/// What `plan --live` reads: the zones of every `rfc2136` provider from its server, and, for
/// every `aws-route53` provider the `--zones` file does not list, the account's zones (into
/// `world.observed.hosted_zones`) and the records of those its provider selects. Returns the
/// zones read and the problems met; nothing is changed.
#[cfg(any(feature = "rfc2136", feature = "aws-route53"))]
pub fn read_servers(
    runtime: &tokio::runtime::Runtime,
    world: &mut World,
    config: &Config,
) -> (BTreeMap<ZoneId, shoot_dns::zones::ZoneRecords>, Vec<String>) {
    #[cfg_attr(not(feature = "aws-route53"), allow(unused_mut))]
    let (mut zones, mut problems): (BTreeMap<ZoneId, _>, Vec<String>) =
        (BTreeMap::new(), Vec::new());
    let backends = backends(world, config, &SharedZones::default());
    #[cfg(feature = "rfc2136")]
    {
        let snapshot: &World = world;
        let (read, found) = crate::rfc2136::read_zones(runtime, snapshot, &backends, &mut || {
            // The names a plan of the world wants or owns.
            let plan = Plan::compute(snapshot, config);
            let wanted = (plan.entries.iter()).filter_map(|e| e.spec.dns_name.parse().ok());
            let owned = (snapshot.observed.owned.values().flat_map(|o| o.keys.iter()))
                .map(|k| k.owner.dns_name.clone());
            wanted.chain(owned).collect()
        });
        zones.extend(read);
        problems.extend(found);
    }
    #[cfg(feature = "aws-route53")]
    {
        let accounts = accounts(&backends, &world.observed.hosted_zones);
        let listed = runtime.block_on(list_accounts(&accounts, &mut problems));
        world.observed.hosted_zones.extend(listed);
        // The zones each provider selects from them.
        let selected: BTreeMap<String, Vec<String>> = (Plan::compute(world, config).providers)
            .iter()
            .map(|p| {
                let zones =
                    (p.status.as_ref().and_then(|s| s.zones.as_ref())).map(|z| z.included.clone());
                (p.metadata.key(), zones.unwrap_or_default())
            })
            .collect();
        zones.extend(runtime.block_on(read_selected(&accounts, &selected, &mut problems)));
    }
    (zones, problems)
}

/// Takes every event, and feeds each generated entry the planner writes back as written (the
/// state file is the cluster of the command line).
fn drain(planner: &mut Planner, events: &mut Vec<Event>) {
    loop {
        while let Some(event) = planner.poll_event() {
            events.push(event);
        }
        // All writes are taken before any is fed back: the cluster holds them all at once.
        let mut writes = Vec::new();
        while let Some(write) = planner.poll_entry_write() {
            writes.push(write);
        }
        if writes.is_empty() {
            return;
        }
        for write in writes {
            match write {
                EntryWrite::Apply(entry) => planner.handle_generated(entry),
                EntryWrite::Delete(entry) => planner.handle_generated_deleted(&entry),
                _ => {}
            }
        }
    }
}

/// Adds the events of the round `after` the changes to those of the run so far (`events`):
/// an entry's status reported again replaces the report of its status earlier in the run, in
/// place, so the run reports each status it ends with once (an entry `Pending` before its
/// records were written and `Ready` after reports `Ready`, where `Pending` stood).
fn supersede(events: &mut Vec<Event>, after: Vec<Event>) {
    let mut last: BTreeMap<(ObjectRef, String), usize> = BTreeMap::new();
    for (position, event) in events.iter().enumerate() {
        if let Some((object, name)) = status_of(event) {
            last.insert((object.clone(), name.to_owned()), position);
        }
    }
    for event in after {
        let key = status_of(&event).map(|(object, name)| (object.clone(), name.to_owned()));
        match key.as_ref().and_then(|key| last.get(key)) {
            Some(&position) => events[position] = event,
            None => {
                if let Some(key) = key {
                    last.insert(key, events.len());
                }
                events.push(event);
            }
        }
    }
}

/// The entry whose status `event` reports, if it reports a status: a DNSEntry's own state
/// (`Ready`, `Error`, ...) on the entry, or `DNSEntry<State>` on the source of a generated
/// entry, whose message starts with the entry's DNS name.
fn status_of(event: &Event) -> Option<(&ObjectRef, &str)> {
    const STATES: [&str; 7] = [
        "Ready", "Pending", "Error", "Invalid", "Stale", "Ignored", "Deleting",
    ];
    let object = &event.involved_object;
    let (state, name) = if object.kind == "DNSEntry" {
        (event.reason.as_str(), "")
    } else {
        let state = event.reason.strip_prefix("DNSEntry")?;
        (state, event.message.split_once(": ")?.0)
    };
    STATES.contains(&state).then_some((object, name))
}

/// The backend of every DNSProvider of `world` by `namespace/name` (of a provider given twice,
/// the last one, as in the plan), or why it cannot be used.
fn backends(
    world: &World,
    config: &Config,
    local_zones: &SharedZones,
) -> BTreeMap<String, Result<Backend, BackendError>> {
    (world.providers.iter())
        .map(|provider| {
            let secret = crate::input::secret_of(world, provider);
            let options = config.provider_options.get(&provider.spec.provider_type);
            let backend = Backend::for_provider(provider, secret, local_zones, options);
            (provider.metadata.key(), backend)
        })
        .collect()
}

/// Seconds since the Unix epoch, the planner's clock.
fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The state of `plan` and what the planner `observed`: zones (not those of DNS servers, `server_zones`, which the
/// servers hold), what each entry owns with its status, the generated entries.
fn snapshot(plan: &Plan, observed: &Observed, server_zones: &[ZoneId]) -> State {
    let mut state = State {
        version: crate::state::VERSION,
        ..State::default()
    };
    let zones: BTreeMap<_, _> = (observed.zones.iter())
        .filter(|(id, _)| !server_zones.contains(id))
        .map(|(id, records)| (id.clone(), records.clone()))
        .collect();
    state.set_zones(&zones);
    let statuses: BTreeMap<shoot_dns::id::EntryId, _> = (plan.entries.iter())
        .map(|e| (shoot_dns::plan::entry_id(e), e.status.clone()))
        .collect();
    for (id, ownership) in &observed.owned {
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
    state.generated = (plan.entries.iter())
        .filter(|e| e.metadata.name.is_none())
        .map(|entry| {
            let mut entry = entry.clone();
            let id = shoot_dns::plan::entry_id(&entry);
            if (state.entries.get(&id)).is_some_and(|e| e.status == entry.status) {
                entry.status = None;
            }
            entry
        })
        .collect();
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, name: &str, reason: &str, message: &str) -> Event {
        let object = ObjectRef::new("v1", kind, "default", name);
        Event::normal(object, reason, message.to_owned())
    }

    #[test]
    fn a_later_status_replaces_the_earlier_one_of_the_same_entry_in_place() {
        let mut events = vec![
            event(
                "Service",
                "web",
                "DNSEntryCreated",
                "a.example.com: created",
            ),
            event(
                "Service",
                "web",
                "DNSEntryPending",
                "a.example.com: pending",
            ),
            event(
                "Service",
                "web",
                "DNSEntryPending",
                "c.example.com: pending",
            ),
            event("DNSEntry", "e", "Pending", "pending"),
            event("DNSEntry", "f", "Error", "busy"),
        ];
        supersede(
            &mut events,
            vec![
                event("Service", "web", "DNSEntryReady", "c.example.com: active"),
                event("DNSEntry", "e", "Ready", "active"),
                event("DNSEntry", "g", "Ready", "active"),
            ],
        );
        let lines: Vec<String> = (events.iter())
            .map(|e| format!("{} {} {}", e.involved_object.name, e.reason, e.message))
            .collect();
        assert_eq!(
            lines,
            [
                "web DNSEntryCreated a.example.com: created",
                "web DNSEntryPending a.example.com: pending",
                "web DNSEntryReady c.example.com: active",
                "e Ready active",
                "f Error busy",
                "g Ready active",
            ]
        );
    }
}
