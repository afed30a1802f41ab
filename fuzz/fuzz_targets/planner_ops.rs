//! Random sequences of operations (entries added, changed and deleted; providers added, changed
//! and removed; deletes made to fail; relists) driven through the incremental `Planner`, whose
//! change sets are executed on the in-memory zones and whose outcomes (`handle_executed`, then
//! `handle_settled`) or observations are fed back. After each step:
//! - the planner's plan is the one `Plan::compute` gives for the same world;
//! - a record set that no entry owns is never changed or deleted (COMPATIBILITY.md#d14);
//! - an apply whose changes all succeeded leaves the planner nothing to change;
//! - two entries never own the same record set;
//! - fed the outcomes, the planner holds the zones and ownerships the in-memory apply left;
//! - the provider statuses it reports one by one add up to the plan's;
//! - an entry whose finalizer it releases is being deleted and owns nothing.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use shoot_dns::api::DnsEntry;
use shoot_dns::plan::Planner;
use shoot_dns::world::{Object, ObjectKind};
use shoot_dns::{Config, Plan, World};

#[path = "ops/mod.rs"]
mod ops;

use ops::{DOMAINS, LABELS, check_ownership, entry, foreign, provider, upsert};

fn same(planner: &Plan, whole: &Plan) {
    assert_eq!(planner.entries, whole.entries, "entries");
    assert_eq!(planner.providers, whole.providers, "providers");
    assert_eq!(planner.changes, whole.changes, "changes");
    assert_eq!(planner.owned, whole.owned, "owned");
    assert_eq!(planner.records, whole.records, "records");
}

fuzz_target!(|data: &[u8]| {
    let config = Config::default();
    let mut world = World::default();
    let foreign = foreign(&mut world);
    let mut planner = Planner::from_world(&world, config.clone());
    let mut reported = BTreeMap::new();
    for op in data.chunks(4).take(40) {
        let [kind, a, b, c] = [
            op[0],
            *op.get(1).unwrap_or(&0),
            *op.get(2).unwrap_or(&0),
            *op.get(3).unwrap_or(&0),
        ];
        match kind % 6 {
            0 | 1 => {
                let e = entry(
                    a % 6,
                    LABELS[usize::from(b) % LABELS.len()],
                    DOMAINS[usize::from(b >> 4) % DOMAINS.len()],
                    c % 8,
                    (c & 0x80 != 0).then_some(i64::from(c % 5) * 60 + 60),
                    c & 0x40 != 0,
                );
                upsert(&mut world.entries, e.clone(), |e| e.metadata.name.as_ref());
                planner.handle_applied(Object::DnsEntry(e));
            }
            2 => {
                let name = format!("e{}", a % 6);
                let gone: Vec<DnsEntry> = world
                    .entries
                    .iter()
                    .filter(|e| e.metadata.name.as_deref() == Some(&name))
                    .cloned()
                    .collect();
                world
                    .entries
                    .retain(|e| e.metadata.name.as_deref() != Some(&name));
                for e in gone {
                    planner.handle_deleted(&Object::DnsEntry(e));
                }
            }
            3 => {
                let p = provider(a % 3, DOMAINS[usize::from(b) % DOMAINS.len()], c % 4 == 0);
                upsert(&mut world.providers, p.clone(), |p| {
                    p.metadata.name.as_ref()
                });
                planner.handle_applied(Object::DnsProvider(p));
            }
            4 => {
                let name = format!("p{}", a % 3);
                world
                    .providers
                    .retain(|p| p.metadata.name.as_deref() != Some(&name));
                // A relist of the providers: the one left out is deleted.
                let listed = world
                    .providers
                    .iter()
                    .cloned()
                    .map(Object::DnsProvider)
                    .collect();
                planner.handle_relisted(ObjectKind::DnsProvider, listed);
            }
            _ => {
                // Nothing changes; the planner is asked again.
            }
        }
        while let Some(update) = planner.poll_provider_status() {
            let key = (update.provider.namespace, update.provider.name);
            reported.insert(key, update.status);
        }
        let plan = planner.plan();
        same(&plan, &Plan::compute(&world, &config));
        // The provider statuses reported one by one add up to the plan's.
        let listed: BTreeMap<_, _> = (plan.providers.iter())
            .map(|p| {
                let meta = &p.metadata;
                let key = (
                    meta.namespace_or_default().to_owned(),
                    meta.name_or_empty().to_owned(),
                );
                (key, p.status.clone())
            })
            .collect();
        reported.retain(|key, _| listed.contains_key(key));
        assert_eq!(reported, listed, "provider statuses");
        let after = shoot_dns::adapters::backends::memory::apply(&mut world, &config, plan);
        if c & 1 == 1 {
            // As a driver does: each outcome fed, then the round settled; the planner then
            // holds what the zones hold and what each id owns.
            for change in &after.changes {
                let outcome = change.outcome.as_ref().expect("an outcome per change");
                planner.handle_executed(change, outcome);
            }
            planner.handle_settled();
            let held = |o: &shoot_dns::zones::Observed| {
                let zones: Vec<_> = o.zones.iter().filter(|(_, z)| !z.is_empty()).collect();
                let owned: Vec<_> = o.owned.iter().filter(|(_, w)| !w.keys.is_empty()).collect();
                format!("{zones:?} {owned:?}")
            };
            assert_eq!(held(planner.observed()), held(&world.observed), "executed");
        }
        planner.handle_observed(&world.observed);
        // A released entry is being deleted and owns nothing any more.
        while let Some(release) = planner.poll_finalizer() {
            if let shoot_dns::plan::FinalizerRelease::Entry(entry) = release {
                let id = shoot_dns::id::EntryId::given(&entry.namespace, &entry.name);
                let owned = planner.observed().owned.get(&id);
                assert!(
                    owned.is_none_or(|o| o.keys.is_empty()),
                    "{id} released: {owned:?}"
                );
                let deleting = (world.entries.iter()).any(|e| {
                    e.metadata.name.as_deref() == Some(&entry.name) && e.metadata.is_deleting()
                });
                assert!(deleting, "{id} released while not being deleted");
            }
        }
        while planner.poll_lookup(0).is_some() {}
        let _ = planner.poll_timeout();
        check_ownership(&world, &foreign);
        let again = planner.plan();
        same(&again, &Plan::compute(&world, &config));
        if after
            .changes
            .iter()
            .all(|c| c.outcome == Some(shoot_dns::zones::ChangeOutcome::Applied))
        {
            assert!(
                again.changes.is_empty(),
                "changes after a clean apply: {:?}",
                again.changes
            );
        }
    }
});
