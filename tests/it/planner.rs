//! The incremental [`Planner`] against the whole-world [`Plan::compute`]: fed the same objects
//! and observations one at a time, in any order, with deletions and zone changes in between, it
//! plans what the whole-world plan plans at every point.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use serde_json::{Value, json};
use shoot_dns::id::{EntryId, ZoneId};
use shoot_dns::plan::{ChangeSet, Planner};
use shoot_dns::records::RecordSet;
use shoot_dns::world::Object;
use shoot_dns::zones::{
    Change, ChangeOutcome, Observed, Ownership, RecordKey, ZoneRecords, sort_changes,
};
use shoot_dns::{Plan, World};

use crate::f1_config as config;
use crate::plan_props::{documents, entry_name, foreign_set, permuted, scenario};

const CASES: u32 = 48;

/// `(kind, namespace, name)` of an object.
fn object_key(object: &Object) -> (String, String, String) {
    let meta = object.metadata();
    (
        format!("{:?}", object.kind()),
        meta.namespace_or_default().to_owned(),
        meta.name_or_empty().to_owned(),
    )
}

/// A LoadBalancer Service in namespace `test` that asks for `names`.
fn service(i: usize, names: &[String]) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": format!("s{i}"),
            "namespace": "test",
            "annotations": {"dns.gardener.cloud/dnsnames": names.join(",")},
        },
        "spec": {"type": "LoadBalancer"},
        "status": {"loadBalancer": {"ingress": [{"ip": format!("10.1.0.{i}")}]}},
    })
}

/// DNSAnnotation `a<i>-<copy>` for Service `s<i>`, asking for `names` with a TTL.
fn annotation(i: usize, copy: u64, names: &[String]) -> Value {
    json!({
        "apiVersion": "dns.gardener.cloud/v1alpha1",
        "kind": "DNSAnnotation",
        "metadata": {
            "name": format!("a{i}-{copy}"),
            "namespace": "test",
            "creationTimestamp": format!("2024-01-0{}T00:00:00Z", 1 + copy),
        },
        "spec": {
            "resourceRef": {"apiVersion": "v1", "kind": "Service", "name": format!("s{i}"), "namespace": "test"},
            "annotations": {"dns.gardener.cloud/dnsnames": names.join(","), "dns.gardener.cloud/ttl": "120"},
        },
    })
}

/// Seeded variations the plain generators do not make: ignore annotations, entries being
/// deleted, provider quotas, providers whose deletes fail, providers being deleted.
fn vary(documents: &mut [Value], seed: u64) {
    let mut state = seed | 1;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % 100
    };
    for document in documents.iter_mut() {
        let roll = next();
        match document["kind"].as_str() {
            Some("DNSEntry") => {
                let metadata = &mut document["metadata"];
                match roll {
                    0..8 => {
                        metadata["annotations"] = json!({"dns.gardener.cloud/ignore": "reconcile"})
                    }
                    8..13 => metadata["annotations"] = json!({"dns.gardener.cloud/ignore": "full"}),
                    13..23 => metadata["deletionTimestamp"] = json!("2024-01-01T00:00:00Z"),
                    23..28 => metadata["creationTimestamp"] = json!("2023-01-01T00:00:00Z"),
                    _ => {}
                }
            }
            Some("DNSProvider") if roll < 25 => {
                document["spec"]["quotas"] = json!({"entries": 1 + roll % 2});
            }
            Some("DNSProvider") if roll < 45 => {
                document["spec"]["providerConfig"]["failDeleteEntry"] = json!(true);
            }
            Some("DNSProvider") if roll < 55 => {
                document["metadata"]["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
            }
            _ => {}
        }
    }
}

/// Feeds the planner what changed between two observations: record by record, or all at once.
fn feed_observed(planner: &mut Planner, old: &Observed, new: &Observed, by_record: bool) {
    if by_record {
        let empty = BTreeMap::new();
        let zones: BTreeSet<&shoot_dns::id::ZoneId> =
            old.zones.keys().chain(new.zones.keys()).collect();
        for zone in zones {
            let before = old.zones.get(zone).unwrap_or(&empty);
            let after = new.zones.get(zone).unwrap_or(&empty);
            let keys: BTreeSet<&RecordKey> = before.keys().chain(after.keys()).collect();
            for key in keys {
                if before.get(key) != after.get(key) {
                    planner.handle_record(zone.as_str(), key.clone(), after.get(key).cloned());
                }
            }
        }
    }
    // What is left (all of it, or all but the zones) at once.
    planner.handle_observed(new);
}

/// The zones that hold something.
fn held(zones: &BTreeMap<ZoneId, ZoneRecords>) -> BTreeMap<&ZoneId, &ZoneRecords> {
    zones.iter().filter(|(_, z)| !z.is_empty()).collect()
}

/// The ownerships that hold something.
fn owning(owned: &BTreeMap<EntryId, Ownership>) -> BTreeMap<&EntryId, &Ownership> {
    owned.iter().filter(|(_, o)| !o.keys.is_empty()).collect()
}

/// Feeds the planner the generated entries that changed between two observations (what a
/// driver writes back into the cluster, and its watch reports).
fn feed_generated(planner: &mut Planner, old: &Observed, new: &Observed) {
    let id = shoot_dns::plan::entry_id;
    let before: BTreeMap<_, _> = old.generated.iter().map(|e| (id(e), e)).collect();
    let after: BTreeMap<_, _> = new.generated.iter().map(|e| (id(e), e)).collect();
    for (key, entry) in &before {
        if !after.contains_key(key) {
            planner.handle_generated_deleted(entry);
        }
    }
    for (key, entry) in &after {
        if before.get(key) != Some(entry) {
            planner.handle_generated((*entry).clone());
        }
    }
}

/// The planner's plan is the whole-world plan (but for the events, which it reports as they
/// happen).
fn same_plan(planner: &Plan, whole: &Plan, context: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(&planner.entries, &whole.entries, "entries: {}", context);
    prop_assert_eq!(
        &planner.providers,
        &whole.providers,
        "providers: {}",
        context
    );
    prop_assert_eq!(&planner.changes, &whole.changes, "changes: {}", context);
    let differing: Vec<_> = (planner.owned.iter())
        .filter(|(id, o)| whole.owned.get(*id) != Some(*o))
        .map(|(id, o)| (id, Some(o), whole.owned.get(id)))
        .chain(
            (whole.owned.iter())
                .filter(|(id, _)| !planner.owned.contains_key(*id))
                .map(|(id, o)| (id, None, Some(o))),
        )
        .collect();
    prop_assert!(
        differing.is_empty(),
        "owned: {}: (id, planner, whole): {:?}",
        context,
        differing
    );
    prop_assert_eq!(&planner.records, &whole.records, "records: {}", context);
    prop_assert_eq!(&planner.lookups, &whole.lookups, "lookups: {}", context);
    Ok(())
}

fn whole_world(objects: &BTreeMap<(String, String, String), Object>, observed: &Observed) -> World {
    let mut world = World::default();
    for object in objects.values() {
        world.insert(object.clone());
    }
    world.observed = observed.clone();
    world
}

/// What a planner reported: change sets by entry, provider and annotation statuses by
/// namespace and name.
#[derive(Default)]
struct Sets {
    changes: BTreeMap<EntryId, Vec<Change>>,
    provider_statuses: BTreeMap<(String, String), Option<shoot_dns::api::DnsProviderStatus>>,
    annotation_statuses: BTreeMap<(String, String), Option<shoot_dns::api::DnsAnnotationStatus>>,
}

/// Drains the planner's outputs; the change sets it reported, kept by entry, add up to the
/// plan's changes.
fn drain(planner: &mut Planner, sets: &mut Sets) {
    while planner.poll_event().is_some() {}
    while planner.poll_entry_write().is_some() {}
    while planner.poll_status().is_some() {}
    // The provider statuses reported one by one add up to the plan's.
    let mut reported = BTreeMap::new();
    while let Some(update) = planner.poll_provider_status() {
        reported.insert(
            (update.provider.namespace, update.provider.name),
            update.status,
        );
    }
    {
        let statuses = &mut sets.provider_statuses;
        for (key, status) in reported {
            statuses.insert(key, status);
        }
        let plan = planner.plan();
        let listed: BTreeMap<_, _> = (plan.providers.iter())
            .map(|p| {
                let key = (
                    p.metadata.namespace_or_default().to_owned(),
                    p.metadata.name_or_empty().to_owned(),
                );
                (key, p.status.clone())
            })
            .collect();
        statuses.retain(|key, _| listed.contains_key(key));
        assert_eq!(*statuses, listed, "provider statuses reported one by one");
        let statuses = &mut sets.annotation_statuses;
        while let Some(update) = planner.poll_annotation_status() {
            let key = (update.annotation.namespace, update.annotation.name);
            statuses.insert(key, update.status);
        }
        let listed: BTreeMap<_, _> = (plan.annotations.iter())
            .map(|a| {
                let meta = &a.metadata;
                let key = (
                    meta.namespace_or_default().to_owned(),
                    meta.name_or_empty().to_owned(),
                );
                (key, a.status.clone())
            })
            .collect();
        statuses.retain(|key, _| listed.contains_key(key));
        assert_eq!(*statuses, listed, "annotation statuses reported one by one");
    }
    while let Some(ChangeSet { entry, changes, .. }) = planner.poll_change_set() {
        if changes.is_empty() {
            sets.changes.remove(&entry);
        } else {
            sets.changes.insert(entry, changes);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// Step by step (providers with new domains, new entries and Services, zones changed by
    /// the previous step's apply), objects are deleted and applied one at a time in a random
    /// order; after each, the planner's plan is the whole-world plan of the objects so far.
    #[test]
    fn the_planner_ends_where_the_whole_plan_does(
        steps in scenario(),
        services in prop::collection::vec(prop::collection::vec(entry_name(), 1..=2), 0..=2),
        foreign in prop::collection::vec(foreign_set(), 0..=3),
        seeds in prop::collection::vec(any::<u64>(), 3),
    ) {
        let config = config();
        let mut planner = Planner::new(config.clone());
        let mut observed = Observed::default();
        for (zone, key, set) in foreign {
            observed.zones.entry(zone.into()).or_default().insert(key, set);
        }
        feed_observed(&mut planner, &Observed::default(), &observed, false);
        let mut objects: BTreeMap<(String, String, String), Object> = BTreeMap::new();
        let mut sets = Sets::default();
        for (step, (providers, entries)) in steps.iter().enumerate() {
            let mut documents = documents(providers, entries);
            // Services come and go with the steps, and so do DNSAnnotations for them (two for
            // one Service sometimes, one for a Service that is gone sometimes).
            for (i, names) in services.iter().enumerate().filter(|(i, _)| (step + i) % 3 != 2) {
                documents.push(service(i, names));
            }
            for (i, names) in services.iter().enumerate() {
                let roll = (seeds[2] >> ((step * 4 + i) % 60)) % 4;
                for copy in 0..roll.min(2) {
                    documents.push(annotation(i, copy, names));
                }
            }
            vary(&mut documents, seeds[0] ^ step as u64);
            let target = crate::plan_props::world(&documents, &Observed::default());
            let wanted: BTreeMap<_, _> = target.objects().map(|o| (object_key(&o), o)).collect();
            let gone: Vec<Object> = (objects.iter())
                .filter(|(k, _)| !wanted.contains_key(*k))
                .map(|(_, o)| o.clone())
                .collect();
            let order = permuted(&wanted.into_values().collect::<Vec<_>>(), seeds[1] ^ step as u64);
            let operations = gone.into_iter().map(|o| (false, o)).chain(order.into_iter().map(|o| (true, o)));
            for (n, (apply, object)) in operations.enumerate() {
                if apply {
                    objects.insert(object_key(&object), object.clone());
                    planner.handle_applied(object);
                } else {
                    objects.remove(&object_key(&object));
                    planner.handle_deleted(&object);
                }
                if (n as u64).wrapping_add(seeds[2]).is_multiple_of(3) {
                    let whole = Plan::compute(&whole_world(&objects, &observed), &config);
                    same_plan(&planner.plan(), &whole, &format!("step {step}, operation {n}"))?;
                }
            }
            drain(&mut planner, &mut sets);
            let mut world = whole_world(&objects, &observed);
            let whole = Plan::compute(&world, &config);
            same_plan(&planner.plan(), &whole, &format!("step {step}, all objects"))?;
            let mut reported: Vec<Change> = sets.changes.values().flatten().cloned().collect();
            sort_changes(&mut reported);
            prop_assert_eq!(&reported, &whole.changes, "step {}: change sets", step);

            // Execute the plan on the in-memory zones; tell the planner what the zones and
            // ownerships are now: change by change with each outcome, as a driver does, or as
            // an observation of the zones and ownerships afterwards.
            let after = shoot_dns::adapters::backends::memory::apply(&mut world, &config, whole);
            match (step + seeds[0] as usize) % 3 {
                0 => {
                    for change in &after.changes {
                        let outcome = change.outcome.as_ref().expect("an outcome per change");
                        planner.handle_executed(change, outcome);
                    }
                    // As a driver does: everything it took is executed; take what the
                    // outcomes changed before looking.
                    planner.handle_settled();
                    feed_generated(&mut planner, &observed, &world.observed);
                    drain(&mut planner, &mut sets);
                    // An empty zone and a zone not listed are the same.
                    prop_assert_eq!(
                        held(&planner.observed().zones),
                        held(&world.observed.zones),
                        "step {}: zones",
                        step
                    );
                    // Owning nothing and not being listed are the same.
                    prop_assert_eq!(
                        owning(&planner.observed().owned),
                        owning(&world.observed.owned),
                        "step {}: owned",
                        step
                    );
                }
                n => feed_observed(&mut planner, &observed, &world.observed, n == 1),
            }
            observed = world.observed;
            let whole = Plan::compute(&whole_world(&objects, &observed), &config);
            same_plan(&planner.plan(), &whole, &format!("step {step}, after apply"))?;
        }
    }
}

/// A world of the `local` provider `test/p` with the zone `example.com` (`config`: more fields
/// of its `providerConfig`, e.g. `failDeleteEntry: true`) and DNSEntries of `test`, each
/// `(name, metadata fields, spec fields)`.
fn local_world(config: &str, entries: &[(&str, &str, &str)]) -> World {
    let mut text = format!(
        "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\nmetadata: {{name: p, namespace: test}}\nspec: {{type: local, providerConfig: {{zones: [{{dnsName: example.com}}]{config}}}}}\n"
    );
    for (name, metadata, spec) in entries {
        text.push_str(&format!(
            "---\napiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\nmetadata: {{name: {name}, namespace: test{metadata}}}\nspec: {{{spec}}}\n"
        ));
    }
    let mut world = World::default();
    shoot_dns::manifest::load_str(&mut world, "m.yaml", &text).expect("valid manifests");
    world
}

/// A record set put into the zone by hand at the name an entry wants blocks the entry (D14);
/// once it is gone, the entry plans its records again.
#[test]
fn a_foreign_record_at_an_entrys_name_blocks_it_and_its_removal_frees_it() {
    let world = local_world(
        "",
        &[("e", "", "dnsName: www.example.com, targets: [192.0.2.1]")],
    );
    let config = config();
    let mut planner = Planner::from_world(&world, config.clone());
    let set = planner.poll_change_set().expect("a change set");
    assert_eq!(set.entry, "test/e");
    let zone = set.changes[0].zone.clone();
    let key: RecordKey = set.changes[0].key();
    let foreign = RecordSet {
        record_type: key.record_type,
        ttl: 60,
        values: vec!["198.51.100.1".to_owned()],
        routing_policy: None,
    };
    while planner.poll_status().is_some() {}
    planner.handle_record(zone.as_str(), key.clone(), Some(foreign));
    let blocked = planner
        .poll_change_set()
        .expect("the entry's changes are withdrawn");
    assert!(blocked.changes.is_empty());
    let status = planner.poll_status().expect("a new status");
    assert_eq!(status.status.state.as_deref(), Some("Error"));
    assert_eq!(
        status.status.message.as_deref(),
        Some(format!("the A record set of \"www.example.com\" in zone {zone} exists and is not owned by this entry").as_str())
    );
    planner.handle_record(zone.as_str(), key, None);
    let again = planner.poll_change_set().expect("the entry plans again");
    assert_eq!(again.changes.len(), 1);
}

/// A driver's round: the change sets taken, executed on the in-memory zones, each outcome fed
/// back and the round settled. The entry whose create was made is `Ready` and owns its record
/// set; when it moves and its provider fails the delete of its old record set, that record set
/// stays owned under its leftover id, and the entry that wants the name does not take it.
#[test]
fn a_driver_feeds_outcomes_and_settles_the_round() {
    let fail = ", failDeleteEntry: true";
    let www = "dnsName: www.example.com, targets: [192.0.2.1]";
    let world = local_world(fail, &[("a", "", www)]);
    let config = config();
    let mut planner = Planner::from_world(&world, config.clone());
    let zones = shoot_dns::adapters::backends::memory::SharedZones::default();
    let round = |planner: &mut Planner| {
        let taken = execute_round(planner, &world, &zones);
        while planner.poll_event().is_some() {}
        taken
    };
    assert_eq!(round(&mut planner), 1);
    let plan = planner.plan();
    let status = plan.entries[0].status.as_ref().expect("a status");
    assert_eq!(status.state.as_deref(), Some("Ready"));
    let a = shoot_dns::id::EntryId::given("test", "a");
    assert_eq!(planner.observed().owned[&a].keys.len(), 1);

    // `a` moves to another name; its old record set cannot be deleted, and `b` wants it.
    let api = "dnsName: api.example.com, targets: [192.0.2.1]";
    let moved = local_world(fail, &[("a", "", api), ("b", "", www)]);
    for object in moved.objects() {
        planner.handle_applied(object);
    }
    round(&mut planner);
    let owned = planner.observed().owned.clone();
    let leftover = a.leftover("local:example.com");
    assert!(
        owned[&leftover]
            .keys
            .iter()
            .any(|k| k.owner.dns_name.as_str() == "www.example.com"),
        "{owned:?}"
    );
    let plan = planner.plan();
    let b = plan
        .entries
        .iter()
        .find(|e| e.metadata.name.as_deref() == Some("b"))
        .and_then(|e| e.status.as_ref())
        .expect("b has a status");
    assert_ne!(b.state.as_deref(), Some("Ready"), "{b:?}");
    let b = shoot_dns::id::EntryId::given("test", "b");
    assert!(
        owned.get(&b).is_none_or(|o| o.keys.is_empty()),
        "b took nothing: {owned:?}"
    );
}

/// The finalizer signal: a DNSEntry being deleted may lose its finalizer once the records it
/// owned are deleted (not while the delete fails); a Service being deleted once its entries are
/// gone from the cluster.
#[test]
fn finalizers_are_released_when_what_they_protect_is_done() {
    let load = |fail: bool, entry_deleting: bool| {
        let deleting = if entry_deleting {
            ", deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: [dns.gardener.cloud/compound]"
        } else {
            ""
        };
        let spec = "dnsName: www.example.com, targets: [192.0.2.1]";
        local_world(
            &format!(", failDeleteEntry: {fail}"),
            &[("e", deleting, spec)],
        )
    };
    let config = config();
    let world = load(true, false);
    let mut planner = Planner::from_world(&world, config.clone());
    let zones = shoot_dns::adapters::backends::memory::SharedZones::default();
    let run = |planner: &mut Planner, world: &World| {
        execute_round(planner, world, &zones);
        let mut released = Vec::new();
        while let Some(release) = planner.poll_finalizer() {
            released.push(release);
        }
        released
    };
    assert!(
        run(&mut planner, &world).is_empty(),
        "nothing is being deleted"
    );

    let mut step = |fail: bool| {
        let world = load(fail, true);
        for object in world.objects() {
            planner.handle_applied(object);
        }
        run(&mut planner, &world)
    };
    // The entry is deleted while its provider fails deletes: the finalizer stays.
    assert!(step(true).is_empty(), "the record set is still there");
    // Deletes work again: the record set goes, and then the finalizer may.
    let released = step(false);
    assert_eq!(released.len(), 1, "{released:?}");
    assert!(
        matches!(&released[0], shoot_dns::plan::FinalizerRelease::Entry(e) if e.name == "e"),
        "{released:?}"
    );
    assert!(step(false).is_empty(), "reported once");
}

/// A driver's round on the in-memory zones of the one `local` provider of `world`: the change
/// sets taken, executed in order (a change the planner says is blocked is not), each outcome
/// fed back, the round settled. Gives the number of changes taken.
fn execute_round(
    planner: &mut Planner,
    world: &World,
    zones: &shoot_dns::adapters::backends::memory::SharedZones,
) -> usize {
    use shoot_dns::adapters::backends::{Backend, DnsBackend};
    let backend =
        Backend::for_provider(&world.providers[0], None, zones, None).expect("a local backend");
    let mut taken = Vec::new();
    while let Some(set) = planner.poll_change_set() {
        taken.extend(set.changes);
    }
    sort_changes(&mut taken);
    for change in &taken {
        let outcome = match planner.blocked(change) {
            Some(failure) => ChangeOutcome::Failed(failure),
            None => {
                let outcomes =
                    tokio_free::ready(backend.execute(&change.zone, std::slice::from_ref(change)));
                outcomes.into_iter().next().expect("one outcome")
            }
        };
        planner.handle_executed(change, &outcome);
    }
    planner.handle_settled();
    taken.len()
}

/// Futures of the in-memory backend, which are ready at once.
mod tokio_free {
    pub fn ready<F: std::future::Future>(future: F) -> F::Output {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match std::pin::pin!(future).poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("an in-memory backend never waits"),
        }
    }
}

/// A Service being deleted may lose its finalizer once the entry it generated is gone from the
/// cluster, not before.
#[test]
fn a_source_is_released_once_its_entries_are_gone() {
    let config = config();
    let mut planner = Planner::new(config.clone());
    let service = |deleting: bool| {
        let mut s = service(0, &["www.example.com".to_owned()]);
        if deleting {
            s["metadata"]["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
        }
        let mut world = World::default();
        shoot_dns::manifest::load_str(&mut world, "s.yaml", &s.to_string()).expect("a Service");
        world.objects().next().expect("one object")
    };
    planner.handle_applied(service(false));
    // The cluster now holds the entry the Service asked for.
    let mut generated = None;
    while let Some(write) = planner.poll_entry_write() {
        if let shoot_dns::plan::EntryWrite::Apply(entry) = write {
            generated = Some(entry);
        }
    }
    let generated = generated.expect("an entry for the Service");
    planner.handle_generated(generated.clone());
    while planner.poll_event().is_some() {}
    assert_eq!(planner.poll_finalizer(), None);

    planner.handle_applied(service(true));
    while planner.poll_entry_write().is_some() {}
    assert_eq!(planner.poll_finalizer(), None, "its entry is still there");
    planner.handle_generated_deleted(&generated);
    match planner.poll_finalizer() {
        Some(shoot_dns::plan::FinalizerRelease::Source(s)) => assert_eq!(s.name, "s0"),
        other => panic!("the Service is released: {other:?}"),
    }
    assert_eq!(planner.poll_finalizer(), None, "once");
}

/// Host names an entry resolves are handed out to look up once, answered with the time, and
/// handed out again when the entry's `cnameLookupInterval` has passed (the driver's timer comes
/// from `poll_timeout`).
#[test]
fn lookups_are_handed_out_and_repeated_after_the_interval() {
    let spec = "dnsName: www.example.com, targets: [a.example.net, b.example.net], cnameLookupInterval: 120";
    let world = local_world("", &[("e", "", spec)]);
    let mut planner = Planner::from_world(&world, config());
    let host = |name: &str| name.parse::<shoot_dns::DnsName>().expect("a host name");
    assert_eq!(planner.poll_lookup(1_000), Some(host("a.example.net")));
    assert_eq!(planner.poll_lookup(1_000), Some(host("b.example.net")));
    assert_eq!(planner.poll_lookup(1_000), None, "each is handed out once");
    assert_eq!(planner.poll_timeout(), None, "nothing answered yet");

    let address = |ip: &str| Some(vec![ip.parse().expect("an address")]);
    planner.handle_lookup(host("a.example.net"), address("192.0.2.1"), 1_000);
    planner.handle_lookup(host("b.example.net"), address("192.0.2.2"), 1_010);
    let set = planner.poll_change_set().expect("the entry's records");
    let values: Vec<&String> = set
        .changes
        .iter()
        .flat_map(|c| &c.new.as_ref().expect("new").values)
        .collect();
    assert_eq!(values, ["192.0.2.1", "192.0.2.2"]);
    assert_eq!(planner.poll_timeout(), Some(1_120));
    assert_eq!(planner.poll_lookup(1_119), None);
    assert_eq!(planner.poll_lookup(1_120), Some(host("a.example.net")));
    assert_eq!(planner.poll_lookup(1_120), None, "b is due at 1130");
    assert_eq!(planner.poll_timeout(), Some(1_130));
}

/// Entries a source made twice for one name, as a cluster can hold them (a create tried again
/// after its answer was lost, or made by another replica), are one entry: the oldest stands for
/// the id and the other is deleted, its finalizer released at once, no record touched. While
/// the entry of an id is being deleted, the source's new entry for the name waits until the
/// old one is gone (COMPATIBILITY.md#deleting-entry).
#[test]
fn entries_sharing_an_id_in_a_cluster_are_one_entry() {
    use shoot_dns::api::DnsEntry;
    use shoot_dns::plan::{EntryWrite, FinalizerRelease};
    let world = local_world("", &[]);
    let zones = shoot_dns::adapters::backends::memory::SharedZones::default();
    let mut planner = Planner::new(config());
    for object in world.objects() {
        planner.handle_applied(object);
    }
    let mut world_with_service = World::default();
    let text = service(0, &["www.example.com".to_owned()]).to_string();
    shoot_dns::manifest::load_str(&mut world_with_service, "s.yaml", &text).expect("a Service");
    for object in world_with_service.objects() {
        planner.handle_applied(object);
    }
    let writes = |planner: &mut Planner| {
        let mut writes = Vec::new();
        while let Some(write) = planner.poll_entry_write() {
            writes.push(write);
        }
        while planner.poll_event().is_some() {}
        writes
    };
    let created = match writes(&mut planner).as_slice() {
        [EntryWrite::Apply(entry)] if entry.metadata.name.is_none() => entry.clone(),
        other => panic!("one entry to create: {other:?}"),
    };
    let named = |name: &str, second: u32, deleting: bool| {
        let mut entry: DnsEntry = created.clone();
        entry.metadata.name = Some(name.to_owned());
        entry.metadata.creation_timestamp = Some(format!("2024-01-01T00:00:0{second}Z"));
        entry.metadata.finalizers = vec!["dns.gardener.cloud/compound".to_owned()];
        if deleting {
            entry.metadata.deletion_timestamp = Some("2024-01-02T00:00:00Z".to_owned());
        }
        Object::DnsEntry(entry)
    };
    planner.handle_applied(named("s0-service-aaaaa", 1, false));
    assert_eq!(
        execute_round(&mut planner, &world, &zones),
        1,
        "the record is made"
    );
    let www = |zones: &shoot_dns::adapters::backends::memory::SharedZones| {
        (zones.snapshot().values().flat_map(|zone| zone.keys()))
            .any(|k| k.owner.dns_name.as_str() == "www.example.com")
    };
    assert!(www(&zones));
    let id = EntryId::generated("test", "s0-service-", "www.example.com", false);
    let stands = |planner: &Planner| planner.entry_of(&id).and_then(|e| e.metadata.name.clone());
    assert_eq!(stands(&planner).as_deref(), Some("s0-service-aaaaa"));

    // A second object for the same name: it is deleted, and nothing else happens.
    planner.handle_applied(named("s0-service-bbbbb", 5, false));
    assert_eq!(stands(&planner).as_deref(), Some("s0-service-aaaaa"));
    match writes(&mut planner).as_slice() {
        [EntryWrite::Delete(entry)] => {
            assert_eq!(entry.metadata.name.as_deref(), Some("s0-service-bbbbb"));
        }
        other => panic!("the second entry is deleted: {other:?}"),
    }
    planner.handle_applied(named("s0-service-bbbbb", 5, true));
    let mut released = Vec::new();
    while let Some(release) = planner.poll_finalizer() {
        released.push(release);
    }
    assert!(
        matches!(released.as_slice(), [FinalizerRelease::Entry(e)] if e.name == "s0-service-bbbbb"),
        "{released:?}"
    );
    assert_eq!(
        execute_round(&mut planner, &world, &zones),
        0,
        "no record change"
    );
    assert!(www(&zones));
    planner.handle_deleted(&named("s0-service-bbbbb", 5, true));
    assert!(writes(&mut planner).is_empty());

    // The entry is deleted while its Service still asks for the name: the new entry waits.
    planner.handle_applied(named("s0-service-aaaaa", 1, true));
    assert!(
        writes(&mut planner).is_empty(),
        "no entry before the old one is gone"
    );
    assert_eq!(
        execute_round(&mut planner, &world, &zones),
        1,
        "its record is deleted"
    );
    assert!(!www(&zones));
    let released = std::iter::from_fn(|| planner.poll_finalizer()).count();
    assert_eq!(released, 1);
    planner.handle_deleted(&named("s0-service-aaaaa", 1, true));
    match writes(&mut planner).as_slice() {
        [EntryWrite::Apply(entry)] if entry.metadata.name.is_none() => {}
        other => panic!("the entry is made again: {other:?}"),
    }
}

/// A change set a driver holds back (its zone not read yet, or the entry's status not written
/// first) is not made: settling the round leaves what its entry owns as it was, and
/// `handle_retry` hands the changes out again.
#[test]
fn changes_held_back_are_not_settled_as_made() {
    let world = local_world(
        "",
        &[
            ("a", "", "dnsName: a.example.com, targets: [192.0.2.1]"),
            ("b", "", "dnsName: b.example.com, targets: [192.0.2.2]"),
        ],
    );
    let mut planner = Planner::from_world(&world, config());
    let sets: Vec<ChangeSet> = std::iter::from_fn(|| planner.poll_change_set()).collect();
    assert_eq!(sets.len(), 2, "{sets:?}");
    let (a, b) = (EntryId::given("test", "a"), EntryId::given("test", "b"));
    let made = sets.iter().find(|s| s.entry == a).expect("a's changes");
    for change in &made.changes {
        planner.handle_executed(change, &ChangeOutcome::Applied);
    }
    planner.handle_settled();
    let owned = &planner.observed().owned;
    assert!(
        owned.get(&a).is_some_and(|o| o.keys.len() == 1),
        "{owned:?}"
    );
    assert!(owned.get(&b).is_none_or(|o| o.keys.is_empty()), "{owned:?}");
    let after: Vec<ChangeSet> = std::iter::from_fn(|| planner.poll_change_set()).collect();
    assert!(
        after.iter().all(|s| s.entry != b),
        "b's changes are handed out once: {after:?}"
    );
    planner.handle_retry(&b);
    let again = planner.poll_change_set().expect("b's changes again");
    assert_eq!(again.entry, b);
    assert_eq!(again.changes.len(), 1);
}

/// A release handed out only if it still holds: a controller that starts finds an entry being
/// deleted before it has read the zone, so the planner first sees it owning nothing; once the
/// controller takes what the entry owns from its status, the queued release no longer holds,
/// and the finalizer goes only after the record is deleted.
#[test]
fn a_release_queued_before_the_ownership_was_known_is_not_handed_out() {
    let spec = "dnsName: www.example.com, targets: [192.0.2.1]";
    let live = local_world("", &[("e", "", spec)]);
    let zones = shoot_dns::adapters::backends::memory::SharedZones::default();
    let mut first = Planner::from_world(&live, config());
    assert_eq!(
        execute_round(&mut first, &live, &zones),
        1,
        "the record is made"
    );
    let e = EntryId::given("test", "e");
    let owned = first.observed().owned[&e].clone();

    let deleting =
        ", deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: [dns.gardener.cloud/compound]";
    let world = local_world("", &[("e", deleting, spec)]);
    let mut restarted = Planner::from_world(&world, config());
    let _ = restarted.plan();
    // What the entry owns is learnt after the first plan, with the zone.
    for (zone, records) in zones.snapshot() {
        restarted.handle_zone(zone.as_str(), records);
    }
    restarted.handle_owned(&e, Some(owned));
    assert_eq!(
        restarted.poll_finalizer(),
        None,
        "the record is still there"
    );
    assert_eq!(
        execute_round(&mut restarted, &world, &zones),
        1,
        "the record is deleted"
    );
    match restarted.poll_finalizer() {
        Some(shoot_dns::plan::FinalizerRelease::Entry(object)) => assert_eq!(object.name, "e"),
        other => panic!("the entry is released once its record is gone: {other:?}"),
    }
}
