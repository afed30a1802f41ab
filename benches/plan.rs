//! The whole `Plan::compute` of a world in steady state: N given DNSEntries (one A target each)
//! whose records the zones already hold and the entries already own, so the plan finds nothing
//! to change; the same world with 1% of the entries given a new target (1% updates); and the
//! cost as the number of providers grows. The goal is a full plan of 100,000 entries and
//! 100,000 observed records under 1 s.
//!
//! Provider `dns/pNN` is a `local` provider with its own zone `pNN.example.com` (zone id
//! `local:pNN.example.com`), includes that domain and excludes `internal.pNN.example.com`.
//! Entry `i` is `ns<i % 10>/e<i>` with the name `host<i>.p<i % P>.example.com` and one IPv4
//! target. The world is built, planned and applied on the in-memory zones
//! (`shoot_dns::adapters::backends::memory::apply`) once, outside the timed loop, so that
//! `world.observed` holds every record set and every ownership; a timed iteration only plans (and
//! drops the plan).
//!
//! * `plan/full/{no_changes,changes_1pct}/N`: N = 1,000, 10,000 and 100,000 entries over 100
//!   providers (100,000 takes 10 samples of about 2 s each).
//! * `plan/providers/entries_10k/providers/P`: 10,000 entries over P = 10, 1,000 and 10,000
//!   providers, one zone each.
//! * `plan/providers_alone/entries_0/providers/P`: the same providers without entries, the
//!   part of the above that is the evaluation of the providers.
//!
//! * `plan/incremental/one_entry/100000`: one changed entry of the 100,000 through the
//!   [`Planner`] (`handle_applied`, then every `poll_*` until empty).
//!
//! ```text
//! cargo bench --bench plan -- --warm-up-time 1 --measurement-time 5
//! ```

use std::hint::black_box;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use shoot_dns::api::{DnsEntry, DnsProvider, Selection};
use shoot_dns::plan::Planner;
use shoot_dns::world::Object;
use shoot_dns::zones::Action;
use shoot_dns::{Config, Plan, World};

/// The number of providers of `plan/full`.
const PROVIDERS: usize = 100;

/// The number of entries of `plan/providers`.
const ENTRIES: usize = 10_000;

fn provider_name(p: usize) -> String {
    format!("p{p:02}")
}

fn domain(p: usize) -> String {
    format!("{}.example.com", provider_name(p))
}

/// `dns/pNN`: a `local` provider with the one zone `pNN.example.com`, which it includes, and
/// one excluded subdomain.
fn provider(p: usize) -> DnsProvider {
    let mut provider = DnsProvider::default();
    provider.metadata.name = Some(provider_name(p));
    provider.metadata.namespace = Some("dns".to_owned());
    provider.spec.provider_type = "local".to_owned();
    provider.spec.provider_config = Some(serde_json::json!({
        "zones": [{"dnsName": domain(p)}],
    }));
    provider.spec.domains = Some(Selection {
        include: vec![domain(p)],
        exclude: vec![format!("internal.{}", domain(p))],
    });
    provider
}

/// The target of entry `i` (`generation` 0) or its changed target (`generation` 1).
fn target(i: usize, generation: usize) -> String {
    format!(
        "10.{}.{}.{}",
        generation * 128 + (i >> 16) % 128,
        (i >> 8) & 0xff,
        i & 0xff
    )
}

/// `ns<i % 10>/e<i>`: `host<i>.p<i % providers>.example.com` with one A target.
fn entry(i: usize, providers: usize) -> DnsEntry {
    let mut entry = DnsEntry::default();
    entry.metadata.name = Some(format!("e{i}"));
    entry.metadata.namespace = Some(format!("ns{}", i % 10));
    entry.metadata.generation = Some(1);
    entry.spec.dns_name = format!("host{i}.{}", domain(i % providers));
    entry.spec.targets = Some(vec![target(i, 0)]);
    entry
}

/// The world of `entries` entries over `providers` providers, planned and applied once: its
/// zones hold every record set and every entry owns its own. Checks that planning it again
/// finds nothing to change.
fn steady_world(entries: usize, providers: usize, config: &Config) -> World {
    let mut world = World {
        providers: (0..providers).map(provider).collect(),
        entries: (0..entries).map(|i| entry(i, providers)).collect(),
        ..World::default()
    };
    let plan = Plan::compute(&world, config);
    assert_eq!(plan.changes.len(), entries, "one create per entry");
    assert!(plan.changes.iter().all(|c| c.action == Action::Create));
    let after = shoot_dns::adapters::backends::memory::apply(&mut world, config, plan);
    assert!(
        after
            .changes
            .iter()
            .all(|c| c.outcome == Some(shoot_dns::zones::ChangeOutcome::Applied))
    );
    let records: usize = world.observed.zones.values().map(|z| z.len()).sum();
    assert_eq!(records, entries);
    assert_eq!(world.observed.owned.len(), entries);
    let plan = Plan::compute(&world, config);
    assert!(plan.changes.is_empty(), "{:?}", plan.changes.first());
    assert_eq!(plan.records.len(), entries);
    assert!(plan.entries.iter().all(|e| {
        e.status
            .as_ref()
            .is_some_and(|s| s.state.as_deref() == Some("Ready"))
    }));
    // In a cluster every entry now carries its status, as the state file gives the command line.
    let statuses: std::collections::BTreeMap<String, _> = plan
        .entries
        .iter()
        .map(|e| (e.metadata.key(), e.status.clone()))
        .collect();
    for entry in &mut world.entries {
        entry.status = statuses[&entry.metadata.key()].clone();
    }
    assert!(
        Plan::compute(&world, config).events.is_empty(),
        "steady state reports nothing"
    );
    world
}

/// `world` with every hundredth entry given a new target: 1% of the entries need an update.
fn changed_world(world: &World, config: &Config) -> World {
    let mut world = world.clone();
    let mut changed = 0;
    for (i, entry) in world.entries.iter_mut().enumerate() {
        if i % 100 == 0 {
            entry.spec.targets = Some(vec![target(i, 1)]);
            changed += 1;
        }
    }
    let plan = Plan::compute(&world, config);
    assert_eq!(plan.changes.len(), changed);
    assert!(plan.changes.iter().all(|c| c.action == Action::Update));
    world
}

fn bench_full(c: &mut Criterion) {
    let config = Config::default();
    let mut group = c.benchmark_group("plan/full");
    group.sampling_mode(SamplingMode::Flat);
    for n in [1_000usize, 10_000, 100_000] {
        let steady = steady_world(n, PROVIDERS, &config);
        let changed = changed_world(&steady, &config);
        group.sample_size(if n >= 100_000 { 10 } else { 20 });
        group.throughput(Throughput::Elements(n as u64));
        for (name, world) in [("no_changes", &steady), ("changes_1pct", &changed)] {
            group.bench_with_input(BenchmarkId::new(name, n), world, |b, world| {
                b.iter(|| Plan::compute(black_box(world), &config))
            });
        }
    }
    group.finish();
}

fn bench_providers(c: &mut Criterion) {
    let config = Config::default();
    let mut group = c.benchmark_group("plan/providers");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.throughput(Throughput::Elements(ENTRIES as u64));
    for providers in [10usize, 1_000, 10_000] {
        let world = steady_world(ENTRIES, providers, &config);
        group.bench_with_input(
            BenchmarkId::new("entries_10k/providers", providers),
            &world,
            |b, world| b.iter(|| Plan::compute(black_box(world), &config)),
        );
    }
    group.finish();

    // The provider step alone (the same providers, no entries): what of the above is the
    // evaluation of the providers, which grows with their number by nature.
    let mut group = c.benchmark_group("plan/providers_alone");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    for providers in [10usize, 1_000, 10_000] {
        let world = steady_world(0, providers, &config);
        group.throughput(Throughput::Elements(providers as u64));
        group.bench_with_input(
            BenchmarkId::new("entries_0/providers", providers),
            &world,
            |b, world| b.iter(|| Plan::compute(black_box(world), &config)),
        );
    }
    group.finish();
}

/// `plan/incremental/one_entry/100000`: the steady world of 100,000 entries held by a
/// [`Planner`]; one iteration changes one entry's target (alternately to a new address and
/// back) and drains what the planner then reports: the entry's change set, its status and the
/// events. The aim is under 50 µs.
fn bench_incremental(c: &mut Criterion) {
    let config = Config::default();
    let n = 100_000;
    let world = steady_world(n, PROVIDERS, &config);
    let mut planner = Planner::from_world(&world, config.clone());
    drain(&mut planner);
    let i = n / 2 + 7;
    let before = world.entries[i].clone();
    let mut after = before.clone();
    after.spec.targets = Some(vec![target(i, 1)]);
    // What one step does: the changed entry alone gets an update planned, and the change
    // back withdraws it.
    planner.handle_applied(Object::DnsEntry(after.clone()));
    let set = planner
        .poll_change_set()
        .expect("the changed entry has a change set");
    assert_eq!(set.changes.len(), 1);
    assert_eq!(set.changes[0].action, Action::Update);
    assert!(
        planner.poll_change_set().is_none(),
        "only one entry is planned again"
    );
    planner.handle_applied(Object::DnsEntry(before.clone()));
    let set = planner.poll_change_set().expect("the change is withdrawn");
    assert!(set.changes.is_empty());
    drain(&mut planner);

    let mut group = c.benchmark_group("plan/incremental");
    group.throughput(Throughput::Elements(1));
    let mut flip = false;
    group.bench_function(BenchmarkId::new("one_entry", n), |b| {
        b.iter(|| {
            flip = !flip;
            let entry = if flip { &after } else { &before };
            planner.handle_applied(Object::DnsEntry(entry.clone()));
            drain(black_box(&mut planner))
        })
    });
    group.finish();
}

/// Takes everything the planner reports; returns how many change sets there were.
fn drain(planner: &mut Planner) -> usize {
    let mut sets = 0;
    while planner.poll_change_set().is_some() {
        sets += 1;
    }
    while planner.poll_status().is_some() {}
    while planner.poll_event().is_some() {}
    while planner.poll_entry_write().is_some() {}
    sets
}

criterion_group!(benches, bench_full, bench_providers, bench_incremental);
criterion_main!(benches);
