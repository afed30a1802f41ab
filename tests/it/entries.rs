//! Conformance of DNSEntries and DNSProviders through the public API (spec entries-providers
//! §2–§5, §7 and the conformance groups ENT, IGN, RP, ORD, CS, PRV, DRF of its examples), with
//! DECISIONS D10–D14 where they decide otherwise.
//!
//! Every case runs like a controller would over time: the manifests of one step are read into a
//! [`World`], [`Plan::compute`] plans it, [`shoot_dns::adapters::backends::memory::apply`] executes the plan on the
//! in-memory zones of `local` providers, and the next step reads changed manifests into a new
//! world that carries over what the zones hold and what each entry owns (`world.observed`) and,
//! as the API server would, each entry's last status.
//!
//! The fixture is the spec's F1: namespace `test`, `local` providers of the accounts `test`
//! (zones `example.com`, `example2.com`) and `test2` (zone `sub.example.com`), default TTL 360.

use std::collections::BTreeMap;
use std::net::IpAddr;

use shoot_dns::api::{DnsEntryStatus, DnsProviderStatus};
use shoot_dns::records::{RecordName, RecordSet, RecordType};
use shoot_dns::zones::{Action, ChangeFailure, ChangeOutcome, Observed, Ownership, RecordKey};
use shoot_dns::{Config, DnsName, Plan, World};

// ---------------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------------

const PENDING: &str = "dns entry pending: waiting for dns reconciliation";
const ACTIVE: &str = "dns entry active";
const NO_PROVIDER: &str = "No responsible provider found";

use crate::f1_config as config;

/// A cluster over time: the zones and ownership (`observed`) and the entries' last statuses.
struct Cluster {
    config: Config,
    observed: Observed,
    statuses: BTreeMap<String, DnsEntryStatus>,
}

/// One step: the plan before executing (what `plan` shows) and after (what `apply` shows).
struct Step {
    before: Plan,
    after: Plan,
}

impl Cluster {
    fn new() -> Self {
        Self {
            config: config(),
            observed: Observed::default(),
            statuses: BTreeMap::new(),
        }
    }

    /// The world of `manifests`, with what the cluster has observed so far.
    fn world(&self, manifests: &[String]) -> World {
        let mut world = World::default();
        shoot_dns::manifest::load_str(&mut world, "step.yaml", &manifests.join("\n---\n"))
            .expect("the manifests are valid YAML");
        assert!(
            world.problems.is_empty(),
            "problems in the manifests: {:?}",
            world.problems
        );
        for entry in &mut world.entries {
            if entry.status.is_none() {
                entry.status = self
                    .statuses
                    .get(&shoot_dns::plan::entry_id(entry))
                    .cloned();
            }
        }
        world.observed = self.observed.clone();
        world
    }

    /// The plan of `manifests`; nothing is executed.
    fn plan(&self, manifests: &[String]) -> Plan {
        Plan::compute(&self.world(manifests), &self.config)
    }

    /// Plans `manifests`, executes the plan and keeps what the zones then hold.
    fn apply(&mut self, manifests: &[String]) -> Step {
        let mut world = self.world(manifests);
        let before = Plan::compute(&world, &self.config);
        let after =
            shoot_dns::adapters::backends::memory::apply(&mut world, &self.config, before.clone());
        self.observed = world.observed;
        self.statuses = after
            .entries
            .iter()
            .filter_map(|e| Some((shoot_dns::plan::entry_id(e), e.status.clone()?)))
            .collect();
        Step { before, after }
    }

    /// The record sets of one zone, one line each: `owner type ttl values [policy]`.
    fn zone(&self, zone: &str) -> Vec<String> {
        self.observed
            .zones
            .get(zone)
            .map(|sets| sets.iter().map(|(k, s)| record_line(k, s)).collect())
            .unwrap_or_default()
    }

    /// The number of owners (name and set identifier) and record sets in a zone.
    fn zone_counts(&self, zone: &str) -> (usize, usize) {
        let sets = self.observed.zones.get(zone);
        let owners: std::collections::BTreeSet<&RecordName> = sets
            .map(|s| s.keys().map(|k| &k.owner).collect())
            .unwrap_or_default();
        (owners.len(), sets.map_or(0, |s| s.len()))
    }
}

fn record_line(key: &RecordKey, set: &RecordSet) -> String {
    let mut line = format!(
        "{} {} {} {}",
        key.owner,
        key.record_type,
        set.ttl,
        set.values.join(",")
    );
    if let Some(policy) = &set.routing_policy {
        let parameters: Vec<String> = policy
            .parameters
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        line.push_str(&format!(
            " {}({})",
            policy.policy_type,
            parameters.join(",")
        ));
    }
    line
}

/// One line per change, in execution order: `action provider zone owner type old -> new`.
fn changes(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| {
            let content = |c: &Option<shoot_dns::zones::Content>| {
                c.as_ref().map_or("-".to_owned(), |c| {
                    format!("{}:{}", c.ttl, c.values.join(","))
                })
            };
            let mut owner = c.name.to_string();
            if !c.set_identifier.is_empty() {
                owner = format!("{owner}#{}", c.set_identifier);
            }
            let action = match c.action {
                Action::Create => "create",
                Action::Update => "update",
                Action::Delete => "delete",
            };
            format!(
                "{action} {} {} {owner} {} {} -> {}",
                c.provider,
                c.zone,
                c.record_type,
                content(&c.old),
                content(&c.new)
            )
        })
        .collect()
}

/// Every change of `plan` executed without error.
fn assert_all_ok(plan: &Plan) {
    for change in &plan.changes {
        assert_eq!(
            change.outcome,
            Some(ChangeOutcome::Applied),
            "change {:?} failed",
            changes(plan)
        );
    }
}

/// The status of the entry `test/<name>`.
fn status<'a>(plan: &'a Plan, name: &str) -> &'a DnsEntryStatus {
    plan.entries
        .iter()
        .find(|e| e.metadata.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no entry {name}"))
        .status
        .as_ref()
        .unwrap_or_else(|| panic!("entry {name} has no status"))
}

/// The status of the provider `test/<name>`.
fn provider_status<'a>(plan: &'a Plan, name: &str) -> &'a DnsProviderStatus {
    plan.providers
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no provider {name}"))
        .status
        .as_ref()
        .unwrap_or_else(|| panic!("provider {name} has no status"))
}

fn state_and_message(status: &DnsEntryStatus) -> (Option<&str>, Option<&str>) {
    (status.state.as_deref(), status.message.as_deref())
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The spec's `Ready(p, zone, ttl, targets)`: state Ready, `dns entry active`, provider
/// `test/<p>`, type `local`, the zone, TTL and targets, observed generation 1.
fn assert_ready(status: &DnsEntryStatus, provider: &str, zone: &str, ttl: i64, targets: &[&str]) {
    assert_eq!(
        state_and_message(status),
        (Some("Ready"), Some(ACTIVE)),
        "{status:?}"
    );
    assert_eq!(
        status.provider.as_deref(),
        Some(format!("test/{provider}").as_str()),
        "{status:?}"
    );
    assert_eq!(status.provider_type.as_deref(), Some("local"), "{status:?}");
    assert_eq!(status.zone.as_deref(), Some(zone), "{status:?}");
    assert_eq!(status.ttl, Some(ttl), "{status:?}");
    assert_eq!(status.targets, Some(strings(targets)), "{status:?}");
    assert_eq!(status.observed_generation, Some(1), "{status:?}");
}

// ---------------------------------------------------------------------------------------------
// Manifests of fixture F1
// ---------------------------------------------------------------------------------------------

fn list(items: &[&str]) -> String {
    format!("[{}]", items.join(", "))
}

/// A `local` provider in namespace `test` of `account` with `zones`, selecting `include` and
/// `exclude`; `extra` goes into `spec` and `config` into `providerConfig` verbatim.
fn local_provider(
    name: &str,
    account: &str,
    zones: &[&str],
    include: &[&str],
    exclude: &[&str],
    extra: &str,
) -> String {
    let zones: Vec<String> = zones.iter().map(|z| format!("{{dnsName: {z}}}")).collect();
    let zones: Vec<&str> = zones.iter().map(String::as_str).collect();
    format!(
        "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\n\
         metadata: {{name: {name}, namespace: test, generation: 1}}\n\
         spec: {{type: local, providerConfig: {{account: {account}, zones: {}}}, \
         domains: {{include: {}, exclude: {}}}{extra}}}\n",
        list(&zones),
        list(include),
        list(exclude),
    )
}

/// F1's p1: account `test`, example.com included, example2.com excluded.
fn p1() -> String {
    local_provider(
        "p1",
        "test",
        &["example.com", "example2.com"],
        &["example.com"],
        &["example2.com"],
        "",
    )
}

/// F1's p2: account `test`, example2.com included, example.com excluded.
fn p2() -> String {
    local_provider(
        "p2",
        "test",
        &["example.com", "example2.com"],
        &["example2.com"],
        &["example.com"],
        "",
    )
}

/// F1's p3: account `test2` with zone sub.example.com.
fn p3() -> String {
    local_provider(
        "p3",
        "test2",
        &["sub.example.com"],
        &["sub.example.com"],
        &[],
        "",
    )
}

/// A provider `name` of account `test` that serves example.com (like p1).
fn example_com(name: &str) -> String {
    local_provider(
        name,
        "test",
        &["example.com", "example2.com"],
        &["example.com"],
        &[],
        "",
    )
}

/// A DNSEntry `test/<name>` (generation 1) with `spec` (a YAML flow mapping's content) and
/// extra `metadata` fields.
fn entry_with(name: &str, metadata: &str, spec: &str) -> String {
    format!(
        "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\n\
         metadata: {{name: {name}, namespace: test, generation: 1{metadata}}}\n\
         spec: {{{spec}}}\n"
    )
}

fn entry(name: &str, spec: &str) -> String {
    entry_with(name, "", spec)
}

/// F1's A: test.sub.example.com → 1.2.3.4.
fn entry_a() -> String {
    entry(
        "entry-a",
        "dnsName: test.sub.example.com, targets: [1.2.3.4]",
    )
}

/// F1's B: a TXT entry.
fn entry_b() -> String {
    entry(
        "entry-b",
        "dnsName: txt.sub.example.com, text: ['This is a text!', blabla]",
    )
}

/// F1's C: a CNAME with TTL 120.
fn entry_c() -> String {
    entry(
        "entry-c",
        "dnsName: cname.sub.example.com, targets: [www.somewhere.com], ttl: 120",
    )
}

const EXAMPLE: &str = "test:example.com";
const SUB: &str = "test2:sub.example.com";

// ---------------------------------------------------------------------------------------------
// ENT: entry → provider, lifecycle
// ---------------------------------------------------------------------------------------------

/// ENT-01, with D12: Pending before the record exists, Ready after.
#[test]
fn ent_01_assigns_the_correct_provider() {
    let mut cluster = Cluster::new();
    let manifests = [p1(), p2(), entry_a()];
    let step = cluster.apply(&manifests);

    let pending = status(&step.before, "entry-a");
    assert_eq!(state_and_message(pending), (Some("Pending"), Some(PENDING)));
    assert_eq!(pending.provider.as_deref(), Some("test/p1"));
    assert_eq!(pending.zone.as_deref(), Some(EXAMPLE));
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4"]
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    assert_eq!(
        step.after.records.len(),
        1,
        "records after: {:?}",
        step.after.records
    );
    let record = &step.after.records[0];
    assert_eq!(
        (
            record.provider.as_str(),
            record.zone.as_str(),
            record.name.as_str()
        ),
        ("test/p1", EXAMPLE, "test.sub.example.com")
    );

    // The provider statuses the fixture computes (§3.1).
    let p1 = provider_status(&step.after, "p1");
    assert_eq!(p1.state.as_deref(), Some("Ready"));
    assert_eq!(p1.message.as_deref(), Some("provider operational"));
    let domains = p1.domains.as_ref().expect("p1 has domains");
    assert_eq!(domains.included, ["example.com"]);
    assert_eq!(domains.excluded, ["example2.com"]);
    let zones = p1.zones.as_ref().expect("p1 has zones");
    assert_eq!(zones.included, ["test:example.com"]);
    assert_eq!(zones.excluded, ["test:example2.com"]);
    assert_eq!(p1.default_ttl, Some(360));
    let p2 = provider_status(&step.after, "p2").domains.as_ref().unwrap();
    assert_eq!(p2.included, ["example2.com"]);
    assert_eq!(p2.excluded, ["example.com"]);

    // Nothing more to do.
    let again = cluster.apply(&manifests);
    assert!(
        again.before.changes.is_empty(),
        "{:?}",
        changes(&again.before)
    );
    assert_ready(
        status(&again.before, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
}

/// ENT-03: removing the targets removes the records; the entry stays Ready with its provider
/// and zone, without targets and TTL.
#[test]
fn ent_03_removing_the_targets_removes_the_records() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    assert_eq!(cluster.zone(EXAMPLE).len(), 1);

    let manifests = [p1(), entry("entry-a", "dnsName: test.sub.example.com")];
    let step = cluster.apply(&manifests);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -"]
    );
    assert_all_ok(&step.after);
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert!(
        cluster.observed.owned.values().all(|o| o.keys.is_empty()),
        "{:?}",
        cluster.observed.owned
    );
    let pending = status(&step.before, "entry-a");
    assert_eq!(state_and_message(pending), (Some("Pending"), Some(PENDING)));

    // And nothing happens afterwards.
    let again = cluster.plan(&manifests);
    assert!(again.changes.is_empty(), "{:?}", changes(&again));
}

/// ENT-03, the status once the records are gone: Ready with provider and zone, no targets and
/// no TTL (CONTRACT: `apply` shows an entry whose zone holds exactly its records as Ready).
#[test]
fn ent_03_status_after_removing_the_targets() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let step = cluster.apply(&[p1(), entry("entry-a", "dnsName: test.sub.example.com")]);
    assert_all_ok(&step.after);
    let after = status(&step.after, "entry-a");
    assert_eq!(state_and_message(after), (Some("Ready"), Some(ACTIVE)));
    assert_eq!(after.provider.as_deref(), Some("test/p1"));
    assert_eq!(after.zone.as_deref(), Some(EXAMPLE));
    assert_eq!(after.ttl, None);
    assert_eq!(after.targets, None);
}

/// ENT-05: create, update and delete a TXT record; the status quotes TXT values.
#[test]
fn ent_05_txt_record_lifecycle() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[p1(), entry_b()]);
    assert_all_ok(&step.after);
    let b = status(&step.after, "entry-b");
    assert_ready(
        b,
        "p1",
        EXAMPLE,
        360,
        &["\"This is a text!\"", "\"blabla\""],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["txt.sub.example.com TXT 360 This is a text!,blabla"]
    );

    let updated = entry(
        "entry-b",
        "dnsName: txt.sub.example.com, text: ['This is the *UPDATED* text!!!!']",
    );
    let step = cluster.apply(&[p1(), updated.clone()]);
    assert_eq!(
        changes(&step.before),
        ["update test/p1 test:example.com txt.sub.example.com TXT \
             360:This is a text!,blabla -> 360:This is the *UPDATED* text!!!!"]
    );
    assert_ready(
        status(&step.after, "entry-b"),
        "p1",
        EXAMPLE,
        360,
        &["\"This is the *UPDATED* text!!!!\""],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["txt.sub.example.com TXT 360 This is the *UPDATED* text!!!!"]
    );

    // delete: the entry gets a deletionTimestamp; its records go.
    let deleting = entry_with(
        "entry-b",
        ", deletionTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: txt.sub.example.com, text: ['This is the *UPDATED* text!!!!']",
    );
    let step = cluster.apply(&[p1(), deleting]);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com txt.sub.example.com TXT \
             360:This is the *UPDATED* text!!!! -> -"]
    );
    assert_all_ok(&step.after);
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert!(
        cluster.observed.owned.is_empty(),
        "{:?}",
        cluster.observed.owned
    );
    // ... and then it is gone: nothing left to do.
    let gone = cluster.plan(&[p1()]);
    assert!(gone.changes.is_empty() && gone.entries.is_empty());
}

/// ENT-05 as the command line sees a deletion: the entry is no longer given.
#[test]
fn ent_05_an_entry_no_longer_given_loses_its_records() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_b(), entry_a()]);
    assert_eq!(cluster.zone(EXAMPLE).len(), 2);
    let step = cluster.apply(&[p1(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com txt.sub.example.com TXT 360:This is a text!,blabla -> -"]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    assert_eq!(
        cluster.observed.owned.keys().collect::<Vec<_>>(),
        ["test/entry-a"]
    );
}

/// ENT-07: several host name targets are resolved into A and AAAA records. The answers are
/// given in `observed.resolved`; until they are, the entry waits (Pending) and the plan asks for
/// the lookups.
#[test]
fn ent_07_multiple_cname_targets_are_resolved() {
    let mut cluster = Cluster::new();
    let c = entry(
        "entry-c",
        "dnsName: cname.sub.example.com, targets: [service-1.example.com, service-2.example.com], \
         ttl: 120",
    );
    let manifests = [p1(), c];
    let waiting = cluster.plan(&manifests);
    let hosts: Vec<&str> = waiting.lookups.iter().map(DnsName::as_str).collect();
    assert_eq!(hosts, ["service-1.example.com", "service-2.example.com"]);
    assert!(waiting.changes.is_empty());
    let pending = status(&waiting, "entry-c");
    assert_eq!(pending.state.as_deref(), Some("Pending"));

    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    cluster.observed.resolved.insert(
        "service-1.example.com".parse().unwrap(),
        vec![ip("127.0.1.1"), ip("2001:db8::1:1")],
    );
    cluster.observed.resolved.insert(
        "service-2.example.com".parse().unwrap(),
        vec![ip("127.0.2.2"), ip("127.0.2.1")],
    );
    let step = cluster.apply(&manifests);
    assert!(step.before.lookups.is_empty());
    assert_all_ok(&step.after);
    let c = status(&step.after, "entry-c");
    assert_ready(
        c,
        "p1",
        EXAMPLE,
        120,
        &["127.0.1.1", "127.0.2.1", "127.0.2.2", "2001:db8::1:1"],
    );
    assert_eq!(c.cname_lookup_interval, Some(600));
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "cname.sub.example.com A 120 127.0.1.1,127.0.2.1,127.0.2.2",
            "cname.sub.example.com AAAA 120 2001:db8::1:1",
        ]
    );
}

/// ENT-07 details (§5.2): addresses sort as text, a host name that is not found is dropped,
/// one host name with `resolveTargetsToAddresses` is resolved too.
#[test]
fn ent_07_resolution_details() {
    let mut cluster = Cluster::new();
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    cluster.observed.resolved.insert(
        "a.example.org".parse().unwrap(),
        vec![ip("9.0.0.1"), ip("10.0.0.1")],
    );
    cluster
        .observed
        .resolved
        .insert("missing.example.org".parse().unwrap(), vec![]);
    let manifests = [
        p1(),
        entry(
            "multi",
            "dnsName: multi.example.com, targets: [a.example.org, missing.example.org]",
        ),
        entry(
            "single",
            "dnsName: single.example.com, targets: [a.example.org], resolveTargetsToAddresses: true",
        ),
        entry(
            "plain",
            "dnsName: plain.example.com, targets: [A.Example.org.]",
        ),
    ];
    let step = cluster.apply(&manifests);
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "multi.example.com A 360 10.0.0.1,9.0.0.1",
            "plain.example.com CNAME 360 a.example.org",
            "single.example.com A 360 10.0.0.1,9.0.0.1",
        ]
    );
    assert_eq!(
        status(&step.after, "plain").targets,
        Some(strings(&["a.example.org"]))
    );
    assert_eq!(status(&step.after, "plain").cname_lookup_interval, None);
    assert!(cluster.plan(&manifests).changes.is_empty());
}

/// ENT-09: a TTL change is an update.
#[test]
fn ent_09_updates_the_ttl() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let step = cluster.apply(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: test.sub.example.com, targets: [1.2.3.4], ttl: 120",
        ),
    ]);
    assert_eq!(
        changes(&step.before),
        ["update test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> 120:1.2.3.4"]
    );
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        120,
        &["1.2.3.4"],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 120 1.2.3.4"]
    );
}

/// p3 being deleted: a deletionTimestamp (its finalizer holds it while entries use it).
fn p3_deleting() -> String {
    p3().replace(
        "generation: 1}",
        "generation: 1, deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: [dns.gardener.cloud/compound]}",
    )
}

/// p3 with test.sub.example.com excluded.
fn p3_excluding_test() -> String {
    local_provider(
        "p3",
        "test2",
        &["sub.example.com"],
        &["sub.example.com"],
        &["test.sub.example.com"],
        "",
    )
}

/// ENT-11 and CS-05: the best matching provider; when it is deleted, recreated or excludes the
/// name, the records move between zones: the delete at the old place runs first.
#[test]
fn ent_11_best_matching_provider_and_moves_between_zones() {
    let mut cluster = Cluster::new();
    // score 15+1000 beats 11+1000
    let step = cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "entry-a"), "p3", SUB, 360, &["1.2.3.4"]);
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);
    assert!(cluster.zone(EXAMPLE).is_empty());

    // deleteProvider p3: a deleting provider scores without the 1000, p1 takes over.
    let step = cluster.apply(&[p1(), p2(), p3_deleting(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p3 test2:sub.example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert!(cluster.zone(SUB).is_empty());
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );

    // recreateProvider p3
    let step = cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p3 test2:sub.example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "entry-a"), "p3", SUB, 360, &["1.2.3.4"]);
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);

    // updateProvider p3: inc 15 <= exc 20 → 0, p1 again. Gardener deletes the old record
    // through p3, which now excludes its name; shoot-dns changes nothing outside a provider's
    // domains (COMPATIBILITY.md): the old record stays in p3's zone, owned under a leftover id,
    // and the entry moves.
    let step = cluster.apply(&[p1(), p2(), p3_excluding_test(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4"]
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    let leftover = &cluster.observed.owned["test/entry-a#test2:sub.example.com"];
    assert_eq!(
        (leftover.provider.as_str(), leftover.keys.len()),
        ("test/p3", 1)
    );
    assert!(
        cluster
            .plan(&[p1(), p2(), p3_excluding_test(), entry_a()])
            .changes
            .is_empty()
    );
    // p3 serves the name again: the entry moves back; the leftover record is deleted (it is
    // no longer the entry's) before the entry writes its own.
    let step = cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "delete test/p3 test2:sub.example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p3 test2:sub.example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "entry-a"), "p3", SUB, 360, &["1.2.3.4"]);
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert_eq!(
        cluster.observed.owned.len(),
        1,
        "{:?}",
        cluster.observed.owned
    );
}

/// Spec §4.4 and D11: a deleted entry whose provider was narrowed so that no provider covers
/// its name any more keeps its records: it is `Stale` with `No responsible provider found`, no
/// change is planned, its ownership (and so, in a cluster, its finalizer) stays. Once a
/// provider covers the name again, the records are deleted.
#[test]
fn a_deleted_entry_outside_every_provider_keeps_its_records_until_one_covers_them() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    let deleting = entry_with(
        "entry-a",
        ", deletionTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: test.sub.example.com, targets: [1.2.3.4]",
    );
    let narrowed = local_provider(
        "p1",
        "test",
        &["example.com", "example2.com"],
        &["example.com"],
        &["sub.example.com", "example2.com"],
        "",
    );
    for _ in 0..2 {
        let step = cluster.apply(&[narrowed.clone(), deleting.clone()]);
        assert_eq!(changes(&step.before), Vec::<String>::new());
        let status = status(&step.after, "entry-a");
        assert_eq!(
            state_and_message(status),
            (Some("Stale"), Some("No responsible provider found"))
        );
        assert_eq!(status.targets.as_deref(), Some(&strings(&["1.2.3.4"])[..]));
        assert_eq!(
            cluster.zone(EXAMPLE),
            ["test.sub.example.com A 360 1.2.3.4"]
        );
        assert_eq!(cluster.observed.owned["test/entry-a"].keys.len(), 1);
    }
    let step = cluster.apply(&[p1(), deleting]);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -"]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        state_and_message(status(&step.after, "entry-a")),
        (Some("Ready"), Some("dns entry active"))
    );
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert!(cluster.observed.owned.is_empty());
}

/// A wildcard name as a CNAME target is a literal name like any other: Gardener writes the
/// CNAME, and so does shoot-dns.
#[test]
fn a_wildcard_cname_target_is_written() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[
        p1(),
        entry("wild", "dnsName: w.example.com, targets: ['*.Example.com']"),
    ]);
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com w.example.com CNAME - -> 360:*.example.com"]
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "wild"),
        "p1",
        EXAMPLE,
        360,
        &["*.example.com"],
    );
}

/// §4.6: a provider being deleted while entries are still assigned to it says so in its
/// status; once they have moved away, nothing holds it.
#[test]
fn ent_11_deleting_provider_reports_its_entries() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    let step = cluster.apply(&[p1(), p2(), p3_deleting(), entry_a()]);
    assert_eq!(
        provider_status(&step.before, "p3").message.as_deref(),
        Some("cannot delete provider, 1 DNSEntries still assigned to it")
    );
}

/// ENT-11 as the command line models a deleted provider: p3 is no longer given at all. Its
/// zone's records still belong to the entry, but no provider may delete them: they stay owned
/// under a leftover id, the entry moves to p1; nothing is lost and, once p3 is back, the move
/// back works.
#[test]
fn ent_11_provider_no_longer_given() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_eq!(cluster.zone(SUB).len(), 1);

    let step = cluster.apply(&[p1(), p2(), entry_a()]);
    // Without p3 no provider covers its zone: the record there is not touched, the create
    // is made.
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4"]
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    // The record in p3's zone is still owned (so it is deleted later and nothing takes it).
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);
    assert!(
        cluster
            .observed
            .owned
            .values()
            .any(|o| o.zone == SUB && !o.keys.is_empty()),
        "{:?}",
        cluster.observed.owned
    );

    // p3 is back: the entry moves back and the left-over record is its own again.
    let step = cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "entry-a"), "p3", SUB, 360, &["1.2.3.4"]);
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);
    assert!(
        cluster.zone(EXAMPLE).is_empty(),
        "{:?}",
        cluster.zone(EXAMPLE)
    );
    assert!(
        cluster
            .plan(&[p1(), p2(), p3(), entry_a()])
            .changes
            .is_empty()
    );
}

/// ENT-13: the only matching provider fails. A failed provider has no domains (§7, the note of
/// §3.5), so per DECISIONS D11 the entry, which still owns its records, is `Stale` with `No
/// responsible provider found` (the spec's `provider test/p1 has status Error: unknown error`
/// only arises where a failed provider keeps its domains). Its records stay. A new provider for
/// the domain takes over without any change.
#[test]
fn ent_13_keeps_the_records_while_the_provider_fails() {
    let mut cluster = Cluster::new();
    let p2 = local_provider(
        "p2",
        "test",
        &["example.com", "example2.com"],
        &["example2.com"],
        &[],
        "",
    );
    cluster.apply(&[p1(), p2.clone(), entry_a()]);

    let failing = p1().replace("account: test,", "account: test, failGetZones: true,");
    let step = cluster.apply(&[failing.clone(), p2.clone(), entry_a()]);
    let p1_status = provider_status(&step.before, "p1");
    assert_eq!(p1_status.state.as_deref(), Some("Error"));
    assert_eq!(
        p1_status.message.as_deref(),
        Some("forced error by mockConfig.FailGetZones")
    );
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    let a = status(&step.after, "entry-a");
    assert_eq!(state_and_message(a), (Some("Stale"), Some(NO_PROVIDER)));
    assert_eq!(a.zone.as_deref(), Some(EXAMPLE));
    assert_eq!(a.targets, Some(strings(&["1.2.3.4"])));
    assert_eq!(a.ttl, Some(360));
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );

    // addProvider p3(example.com, Ready)
    let step = cluster.apply(&[failing, p2, example_com("p3"), entry_a()]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_ready(
        status(&step.after, "entry-a"),
        "p3",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
}

/// ENT-15 and D10: a new provider with the same domain does not take the entry, even one whose
/// name sorts first; without a current provider the smallest `namespace/name` wins.
#[test]
fn ent_15_keeps_the_provider_on_a_tie() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), p2(), entry_a()]);
    let manifests = [example_com("p0"), p1(), p2(), example_com("p4"), entry_a()];
    let step = cluster.apply(&manifests);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );

    // A fresh cluster: no current provider, the smallest key.
    let fresh = Cluster::new().plan(&manifests);
    assert_eq!(
        status(&fresh, "entry-a").provider.as_deref(),
        Some("test/p0")
    );
}

/// ENT-17: a new name no provider serves: `Stale` with D11's message, the provider dropped,
/// type, zone, targets and TTL kept, the old record kept.
#[test]
fn ent_17_unknown_domain_makes_the_entry_stale() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let step = cluster.apply(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: '*.unknown-example.com', targets: [1.2.3.4]",
        ),
    ]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    let a = status(&step.after, "entry-a");
    assert_eq!(state_and_message(a), (Some("Stale"), Some(NO_PROVIDER)));
    assert_eq!(a.provider, None);
    assert_eq!(a.provider_type.as_deref(), Some("local"));
    assert_eq!(a.zone.as_deref(), Some(EXAMPLE));
    assert_eq!(a.targets, Some(strings(&["1.2.3.4"])));
    assert_eq!(a.ttl, Some(360));
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
}

/// ENT-17 without the previous status (as the command line plans: only zones and ownership are
/// known): still `Stale`, with the zone of the records it owns.
#[test]
fn ent_17_stale_from_ownership_alone() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    cluster.statuses.clear();
    let plan = cluster.plan(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: '*.unknown-example.com', targets: [1.2.3.4]",
        ),
    ]);
    assert!(plan.changes.is_empty());
    let a = status(&plan, "entry-a");
    assert_eq!(state_and_message(a), (Some("Stale"), Some(NO_PROVIDER)));
    assert_eq!(a.provider, None);
    assert_eq!(a.zone.as_deref(), Some(EXAMPLE));
}

/// ENT-21: a changed name no provider covers makes the entry Stale and keeps the old record;
/// changed back, it is Ready again without any change.
#[test]
fn ent_21_stale_and_back() {
    let mut cluster = Cluster::new();
    let named = |name: &str| entry("e1", &format!("dnsName: {name}, targets: [1.1.1.1]"));
    let step = cluster.apply(&[p1(), named("e1.first.example.com")]);
    assert_all_ok(&step.after);
    assert_eq!(status(&step.after, "e1").state.as_deref(), Some("Ready"));

    let step = cluster.apply(&[p1(), named("e1.first.example.com.other")]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(status(&step.after, "e1").state.as_deref(), Some("Stale"));
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["e1.first.example.com A 360 1.1.1.1"]
    );

    let step = cluster.apply(&[p1(), named("e1.first.example.com")]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(
        state_and_message(status(&step.before, "e1")),
        (Some("Ready"), Some(ACTIVE))
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["e1.first.example.com A 360 1.1.1.1"]
    );
}

/// ENT-23: a provider whose Secret is missing is `Error` without domains; an entry for its domain
/// has no responsible provider (D11: `Error`, as it owns nothing). Once the Secret exists both
/// are Ready.
#[test]
fn ent_23_secret_created_after_the_provider() {
    let mut cluster = Cluster::new();
    let mock2 = local_provider(
        "mock2",
        "mock2",
        &["other-domain.com"],
        &[],
        &[],
        ", secretRef: {name: mock2-secret}",
    );
    let e2 = entry("e2", "dnsName: e2.other-domain.com, targets: [2.2.2.2]");
    let step = cluster.apply(&[mock2.clone(), e2.clone()]);
    let provider = provider_status(&step.after, "mock2");
    assert_eq!(provider.state.as_deref(), Some("Error"));
    assert_eq!(
        provider.message.as_deref(),
        Some("secret test/mock2-secret not found")
    );
    assert_eq!(provider.domains, None);
    assert_eq!(provider.zones, None);
    let e = status(&step.after, "e2");
    assert_eq!(state_and_message(e), (Some("Error"), Some(NO_PROVIDER)));
    assert_eq!(e.provider, None);
    assert_eq!(e.provider_type, None);
    assert!(step.after.changes.is_empty());

    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: mock2-secret, namespace: test}\n\
                  data: {foo: YmFy}\n"
        .to_owned();
    let step = cluster.apply(&[mock2, e2, secret]);
    assert_all_ok(&step.after);
    assert_eq!(
        provider_status(&step.after, "mock2").state.as_deref(),
        Some("Ready")
    );
    let e = status(&step.after, "e2");
    assert_eq!(state_and_message(e), (Some("Ready"), Some(ACTIVE)));
    assert_eq!(e.zone.as_deref(), Some("mock2:other-domain.com"));
    assert_eq!(
        cluster.zone("mock2:other-domain.com"),
        ["e2.other-domain.com A 360 2.2.2.2"]
    );
}

/// A wildcard name lies below the provider's domain like any other name (§3.2).
#[test]
fn a_wildcard_entry() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[
        p1(),
        p3(),
        entry("wild", "dnsName: '*.sub.example.com', targets: [1.2.3.4]"),
        entry(
            "escaped",
            "dnsName: '\\052.example.com', targets: [1.2.3.4]",
        ),
    ]);
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "wild"), "p3", SUB, 360, &["1.2.3.4"]);
    assert_ready(
        status(&step.after, "escaped"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert_eq!(cluster.zone(SUB), ["*.sub.example.com A 360 1.2.3.4"]);
    assert_eq!(cluster.zone(EXAMPLE), ["*.example.com A 360 1.2.3.4"]);
}

/// An entry outside every provider's domains: `Error`, `No responsible provider found`, and a
/// Warning event on the entry.
#[test]
fn an_entry_outside_every_provider_has_no_responsible_provider() {
    let cluster = Cluster::new();
    let plan = cluster.plan(&[
        p1(),
        p3(),
        entry("nowhere", "dnsName: www.example.org, targets: [1.2.3.4]"),
        // example2.com is excluded by p1 and served by no one
        entry("excluded", "dnsName: www.example2.com, targets: [1.2.3.4]"),
    ]);
    for name in ["nowhere", "excluded"] {
        let s = status(&plan, name);
        assert_eq!(state_and_message(s), (Some("Error"), Some(NO_PROVIDER)));
        assert_eq!(s.provider, None);
        assert_eq!(s.zone, None);
    }
    assert!(plan.changes.is_empty());
    assert!(
        plan.events
            .iter()
            .any(|e| e.involved_object.name == "nowhere"
                && e.reason == "Error"
                && e.message == NO_PROVIDER),
        "{:?}",
        plan.events
    );
}

// ---------------------------------------------------------------------------------------------
// IGN: ignore annotations
// ---------------------------------------------------------------------------------------------

/// IGN-01: after Ready, the annotation and new targets: `Ignored` with the annotation in the
/// message, the records untouched, the status otherwise as it was.
#[test]
fn ign_01_ignore_annotations() {
    let cases = [
        (
            "dns.gardener.cloud/ignore",
            "'true'",
            "dns.gardener.cloud/ignore=true",
        ),
        (
            "dns.gardener.cloud/ignore",
            "reconcile",
            "dns.gardener.cloud/ignore=reconcile",
        ),
        (
            "dns.gardener.cloud/ignore",
            "full",
            "dns.gardener.cloud/ignore=full",
        ),
        (
            "dns.gardener.cloud/target-hard-ignore",
            "'true'",
            "dns.gardener.cloud/target-hard-ignore=true",
        ),
    ];
    for (key, value, reported) in cases {
        let mut cluster = Cluster::new();
        cluster.apply(&[p1(), entry_a()]);
        let annotated = entry_with(
            "entry-a",
            &format!(", annotations: {{{key}: {value}}}"),
            "dnsName: test.sub.example.com, targets: [5.6.7.8]",
        );
        let step = cluster.apply(&[p1(), annotated]);
        assert!(
            step.before.changes.is_empty(),
            "{key}={value}: {:?}",
            changes(&step.before)
        );
        let a = status(&step.after, "entry-a");
        assert_eq!(
            state_and_message(a),
            (
                Some("Ignored"),
                Some(format!("entry is ignored due to annotation: {reported}").as_str())
            )
        );
        assert_eq!(a.targets, Some(strings(&["1.2.3.4"])), "{key}={value}");
        assert_eq!(a.ttl, Some(360), "{key}={value}");
        assert_eq!(a.provider.as_deref(), Some("test/p1"), "{key}={value}");
        assert_eq!(a.zone.as_deref(), Some(EXAMPLE), "{key}={value}");
        assert_eq!(
            cluster.zone(EXAMPLE),
            ["test.sub.example.com A 360 1.2.3.4"],
            "{key}={value}"
        );
    }
}

/// IGN-01 onDelete for `ignore: true` and `reconcile`: the reconcile ignore does not apply while
/// the entry is being deleted, so its records are removed.
#[test]
fn ign_01_reconcile_ignore_still_deletes() {
    for value in ["'true'", "reconcile"] {
        let mut cluster = Cluster::new();
        cluster.apply(&[p1(), entry_a()]);
        let deleting = entry_with(
            "entry-a",
            &format!(
                ", annotations: {{dns.gardener.cloud/ignore: {value}}}, \
                 deletionTimestamp: '2024-01-01T00:00:00Z'"
            ),
            "dnsName: test.sub.example.com, targets: [1.2.3.4]",
        );
        let step = cluster.apply(&[p1(), deleting]);
        assert_eq!(
            changes(&step.before),
            ["delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -"],
            "ignore={value}"
        );
        assert_all_ok(&step.after);
        assert!(cluster.zone(EXAMPLE).is_empty(), "ignore={value}");
    }
}

/// IGN-01 onDelete for `ignore: full` and `target-hard-ignore`: a full ignore lets go of the
/// records (Gardener drops the finalizer at once), so deleting the entry leaves them in place.
#[test]
fn ign_01_full_ignore_leaves_the_records_on_delete() {
    for (key, value) in [
        ("dns.gardener.cloud/ignore", "full"),
        ("dns.gardener.cloud/target-hard-ignore", "'true'"),
    ] {
        let mut cluster = Cluster::new();
        cluster.apply(&[p1(), entry_a()]);
        let deleting = entry_with(
            "entry-a",
            &format!(
                ", annotations: {{{key}: {value}}}, deletionTimestamp: '2024-01-01T00:00:00Z'"
            ),
            "dnsName: test.sub.example.com, targets: [1.2.3.4]",
        );
        let step = cluster.apply(&[p1(), deleting]);
        assert!(
            step.before.changes.is_empty(),
            "{key}={value}: {:?}",
            changes(&step.before)
        );
        assert_eq!(
            cluster.zone(EXAMPLE),
            ["test.sub.example.com A 360 1.2.3.4"],
            "{key}={value}"
        );
    }
}

/// IGN-01 onDelete as the command line deletes: a fully ignored entry that is no longer given
/// leaves its records in place too.
#[test]
fn ign_01_full_ignore_entry_no_longer_given_leaves_the_records() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let ignored = entry_with(
        "entry-a",
        ", annotations: {dns.gardener.cloud/ignore: full}",
        "dnsName: test.sub.example.com, targets: [1.2.3.4]",
    );
    cluster.apply(&[p1(), ignored]);
    let step = cluster.apply(&[p1()]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
}

/// IGN-03: the values match exactly: `True` is no ignore, the entry is reconciled.
#[test]
fn ign_03_values_match_case_sensitively() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let annotated = entry_with(
        "entry-a",
        ", annotations: {dns.gardener.cloud/ignore: 'True', dns.gardener.cloud/target-hard-ignore: 'TRUE'}",
        "dnsName: test.sub.example.com, targets: [5.6.7.8]",
    );
    let step = cluster.apply(&[p1(), annotated]);
    assert_eq!(
        changes(&step.before),
        ["update test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> 360:5.6.7.8"]
    );
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["5.6.7.8"],
    );
}

/// IGN-04: an entry ignored from the start is never written.
#[test]
fn ign_04_an_ignored_new_entry_writes_nothing() {
    let mut cluster = Cluster::new();
    let ignored = entry_with(
        "entry-a",
        ", annotations: {dns.gardener.cloud/ignore: full}",
        "dnsName: test.sub.example.com, targets: [1.2.3.4]",
    );
    let step = cluster.apply(&[p1(), ignored]);
    assert!(step.before.changes.is_empty());
    assert_eq!(
        status(&step.after, "entry-a").state.as_deref(),
        Some("Ignored")
    );
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert!(cluster.observed.owned.is_empty());
}

/// IGN-05 as far as it applies offline: a failing backend operation (`failDeleteEntry`) is
/// reported per change and retried once the failure is gone.
#[test]
fn ign_05_temporary_backend_failures_are_retried() {
    let mut cluster = Cluster::new();
    let failing = p1().replace("account: test,", "account: test, failDeleteEntry: true,");
    cluster.apply(&[failing.clone(), entry_a(), entry_b()]);
    assert_eq!(cluster.zone(EXAMPLE).len(), 2);

    let step = cluster.apply(&[failing.clone(), entry_a()]);
    assert_eq!(step.after.changes.len(), 1);
    assert_eq!(
        step.after.changes[0].outcome,
        Some(ChangeOutcome::Failed(ChangeFailure::ForcedByMockConfig))
    );
    assert_eq!(cluster.zone(EXAMPLE).len(), 2);
    // still owned: the next plan deletes it again
    let again = cluster.plan(&[failing, entry_a()]);
    assert_eq!(
        changes(&again),
        ["delete test/p1 test:example.com txt.sub.example.com TXT 360:This is a text!,blabla -> -"]
    );

    let step = cluster.apply(&[p1(), entry_a()]);
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    assert!(cluster.plan(&[p1(), entry_a()]).changes.is_empty());
}

// ---------------------------------------------------------------------------------------------
// RP: routing policies with the local mock
// ---------------------------------------------------------------------------------------------

fn p1_with_policies() -> String {
    p1().replace(
        "account: test,",
        "account: test, supportRoutingPolicy: true,",
    )
}

fn weighted(name: &str, set: &str, weight: &str, targets: &str) -> String {
    entry(
        name,
        &format!(
            "dnsName: test.sub.example.com, targets: {targets}, routingPolicy: \
             {{type: weighted, setIdentifier: {set}, parameters: {{weight: '{weight}'}}}}"
        ),
    )
}

/// RP-01: two weighted entries for one name coexist; update and delete one at a time.
#[test]
fn rp_01_weighted_records() {
    let mut cluster = Cluster::new();
    let a = weighted("entry-a", "set1", "50", "[1.2.3.4]");
    let a2 = weighted("entry-a-2", "set2", "50", "[10.20.30.40]");
    let step = cluster.apply(&[p1_with_policies(), a, a2.clone()]);
    assert_all_ok(&step.after);
    for (name, set, target) in [
        ("entry-a", "set1", "1.2.3.4"),
        ("entry-a-2", "set2", "10.20.30.40"),
    ] {
        let s = status(&step.after, name);
        assert_ready(s, "p1", EXAMPLE, 360, &[target]);
        let policy = s.routing_policy.as_ref().expect("a routing policy");
        assert_eq!(
            (policy.policy_type.as_str(), policy.set_identifier.as_str()),
            ("weighted", set)
        );
        assert_eq!(policy.parameters["weight"], "50");
    }
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "test.sub.example.com#set1 A 360 1.2.3.4 weighted(weight=50)",
            "test.sub.example.com#set2 A 360 10.20.30.40 weighted(weight=50)",
        ]
    );
    assert_eq!(cluster.zone_counts(EXAMPLE), (2, 2));

    let a = weighted("entry-a", "set1", "10", "[5.6.7.8, '1234::5678']");
    let step = cluster.apply(&[p1_with_policies(), a, a2.clone()]);
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["5.6.7.8", "1234::5678"],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "test.sub.example.com#set1 A 360 5.6.7.8 weighted(weight=10)",
            "test.sub.example.com#set1 AAAA 360 1234::5678 weighted(weight=10)",
            "test.sub.example.com#set2 A 360 10.20.30.40 weighted(weight=50)",
        ]
    );
    assert_eq!(cluster.zone_counts(EXAMPLE), (2, 3));

    let step = cluster.apply(&[p1_with_policies(), a2]);
    assert_all_ok(&step.after);
    assert_eq!(cluster.zone_counts(EXAMPLE), (1, 1));
    assert_ready(
        status(&step.after, "entry-a-2"),
        "p1",
        EXAMPLE,
        360,
        &["10.20.30.40"],
    );

    let step = cluster.apply(&[p1_with_policies()]);
    assert_all_ok(&step.after);
    assert_eq!(cluster.zone_counts(EXAMPLE), (0, 0));
}

/// RP-03 and ORD-05: removing the routing policy deletes the set1 records before the plain
/// record is created.
#[test]
fn rp_03_removing_the_routing_policy() {
    let mut cluster = Cluster::new();
    cluster.apply(&[
        p1_with_policies(),
        weighted("entry-a", "set1", "50", "[1.2.3.4]"),
    ]);
    let step = cluster.apply(&[p1_with_policies(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com#set1 A 360:1.2.3.4 -> -",
            "create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_all_ok(&step.after);
    let a = status(&step.after, "entry-a");
    assert_ready(a, "p1", EXAMPLE, 360, &["1.2.3.4"]);
    assert_eq!(a.routing_policy, None);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );

    // ORD-05 the other way round: plain → policy, the plain record goes first.
    let step = cluster.apply(&[
        p1_with_policies(),
        weighted("entry-a", "p1", "1", "[1.2.3.4]"),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p1 test:example.com test.sub.example.com#p1 A - -> 360:1.2.3.4",
        ]
    );
}

/// §5.10: without `supportRoutingPolicy` the local mock refuses routing policies; the entry is
/// `Error` and nothing is written.
#[test]
fn rp_local_provider_without_support_refuses_policies() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[p1(), weighted("entry-a", "set1", "50", "[1.2.3.4]")]);
    assert!(step.before.changes.is_empty());
    let a = status(&step.after, "entry-a");
    assert_eq!(
        state_and_message(a),
        (
            Some("Error"),
            Some(
                "failed to execute DNS change requests: in-memory provider does not support routing policies"
            )
        )
    );
    assert!(cluster.zone(EXAMPLE).is_empty());
}

// ---------------------------------------------------------------------------------------------
// CS / ORD: change sets and their order
// ---------------------------------------------------------------------------------------------

/// CS-07 and ORD: a type change deletes the old type before creating the new one (A → CNAME,
/// CNAME → AAAA), and across entries every delete runs before every update and create.
#[test]
fn cs_type_changes_delete_first() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a(), entry_c()]);
    let step = cluster.apply(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: test.sub.example.com, targets: [www.somewhere.com]",
        ),
        entry(
            "entry-c",
            "dnsName: cname.sub.example.com, targets: ['2001:db8::1'], ttl: 120",
        ),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com cname.sub.example.com CNAME 120:www.somewhere.com -> -",
            "delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p1 test:example.com cname.sub.example.com AAAA - -> 120:2001:db8::1",
            "create test/p1 test:example.com test.sub.example.com CNAME - -> 360:www.somewhere.com",
        ]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "cname.sub.example.com AAAA 120 2001:db8::1",
            "test.sub.example.com CNAME 360 www.somewhere.com",
        ]
    );
}

/// CS-07: an entry whose A and AAAA records are no longer wanted deletes both; CS-03: TTL and
/// values in one update; changes of several entries: deletes, then updates, then creates.
#[test]
fn cs_mixed_change_set_order() {
    let mut cluster = Cluster::new();
    cluster.apply(&[
        p1(),
        entry(
            "both",
            "dnsName: both.example.com, targets: [1.1.1.1, '::1']",
        ),
        entry("upd", "dnsName: upd.example.com, targets: [2.2.2.2]"),
    ]);
    let step = cluster.apply(&[
        p1(),
        entry("both", "dnsName: both.example.com"),
        entry(
            "upd",
            "dnsName: upd.example.com, targets: [3.3.3.3], ttl: 60",
        ),
        entry("new", "dnsName: a-new.example.com, targets: [4.4.4.4]"),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com both.example.com A 360:1.1.1.1 -> -",
            "delete test/p1 test:example.com both.example.com AAAA 360:::1 -> -",
            "update test/p1 test:example.com upd.example.com A 360:2.2.2.2 -> 60:3.3.3.3",
            "create test/p1 test:example.com a-new.example.com A - -> 360:4.4.4.4",
        ]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "a-new.example.com A 360 4.4.4.4",
            "upd.example.com A 60 3.3.3.3",
        ]
    );
}

/// A new name is a move: the record at the old name is deleted before the new one is created
/// (§5.6), and an unchanged entry with non-canonical IPv6 and CNAME text plans nothing (D15).
#[test]
fn cs_rename_and_canonical_values() {
    let mut cluster = Cluster::new();
    let manifests = [
        p1(),
        entry(
            "entry-a",
            "dnsName: Test.Sub.Example.com., targets: ['2001:0DB8:0:0::1']",
        ),
        entry(
            "entry-c",
            "dnsName: cname.sub.example.com, targets: [WWW.Somewhere.com.]",
        ),
    ];
    let step = cluster.apply(&manifests);
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "cname.sub.example.com CNAME 360 www.somewhere.com",
            "test.sub.example.com AAAA 360 2001:db8::1",
        ]
    );
    assert_eq!(
        status(&step.after, "entry-a").dns_name.as_deref(),
        Some("test.sub.example.com")
    );
    assert!(cluster.plan(&manifests).changes.is_empty());

    let step = cluster.apply(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: other.sub.example.com, targets: ['2001:db8::1']",
        ),
        manifests[2].clone(),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com AAAA 360:2001:db8::1 -> -",
            "create test/p1 test:example.com other.sub.example.com AAAA - -> 360:2001:db8::1",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// PRV: provider statuses
// ---------------------------------------------------------------------------------------------

/// PRV-01, PRV-07, PRV-09, §7 steps 3–11: the provider status for each outcome, and a Warning
/// event on each provider that is not Ready.
#[test]
fn prv_provider_statuses() {
    let secret_less_aws = "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\n\
        metadata: {name: aws-no-ref, namespace: test}\n\
        spec: {type: aws-route53, domains: {include: [example.org]}}\n"
        .to_owned();
    let aws_missing_secret = "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\n\
        metadata: {name: aws-missing, namespace: test}\n\
        spec: {type: aws-route53, secretRef: {name: creds, namespace: elsewhere}, \
        domains: {include: [example.org]}}\n"
        .to_owned();
    let manifests = [
        p1(),
        "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\n\
         metadata: {name: mock, namespace: test}\nspec: {type: mock-inmemory}\n"
            .to_owned(),
        local_provider("empty", "empty", &[], &[], &[], ""),
        p1().replace("name: p1", "name: failing")
            .replace("account: test,", "account: failing, failGetZones: true,"),
        local_provider("nomatch", "nomatch", &["a.b"], &["x.y"], &[], ""),
        secret_less_aws,
        aws_missing_secret,
        local_provider(
            "bad-key",
            "bad",
            &["bad.org"],
            &[],
            &[],
            ", secretRef: {name: bad-secret}",
        ),
        "apiVersion: v1\nkind: Secret\nmetadata: {name: bad-secret, namespace: test}\n\
         data: {bad_key: eA==}\n"
            .to_owned(),
        local_provider("ttl", "ttl", &["ttl.org"], &[], &[], ", defaultTTL: 120"),
    ];
    let plan = Cluster::new().plan(&manifests);
    let expect = [
        ("p1", "Ready", "provider operational"),
        (
            "mock",
            "Invalid",
            "provider type \"mock-inmemory\" is not supported",
        ),
        ("empty", "Error", "no hosted zones available in account"),
        (
            "failing",
            "Error",
            "forced error by mockConfig.FailGetZones",
        ),
        (
            "nomatch",
            "Error",
            "no domain matching hosting zones. Need to be a (sub)domain of [a.b]",
        ),
        ("aws-no-ref", "Invalid", "no secret reference specified"),
        // the namespace of secretRef is ignored: the provider's namespace is used
        ("aws-missing", "Error", "secret test/creds not found"),
        (
            "bad-key",
            "Error",
            "secret test/bad-secret validation failed: 'bad_key' is not allowed in local provider properties: x",
        ),
        ("ttl", "Ready", "provider operational"),
    ];
    for (name, state, message) in expect {
        let s = provider_status(&plan, name);
        assert_eq!(
            (s.state.as_deref(), s.message.as_deref()),
            (Some(state), Some(message)),
            "provider {name}"
        );
        if state == "Ready" {
            assert!(s.domains.is_some(), "{name}: {s:?}");
        } else {
            assert!(
                s.domains.as_ref().is_none_or(|d| d.included.is_empty()),
                "{name}: a failed provider includes no domain: {s:?}"
            );
            assert!(
                plan.events
                    .iter()
                    .any(|e| e.involved_object.kind == "DNSProvider"
                        && e.involved_object.name == name
                        && e.event_type == shoot_dns::events::EventType::Warning
                        && e.message == message),
                "{name}: no Warning event in {:?}",
                plan.events
            );
        }
    }
    // Failure statuses from steps 2–10 clear domains, zones and the default TTL.
    for name in [
        "mock",
        "empty",
        "failing",
        "aws-no-ref",
        "aws-missing",
        "bad-key",
    ] {
        let s = provider_status(&plan, name);
        assert_eq!(
            (&s.domains, &s.zones, s.default_ttl),
            (&None, &None, None),
            "{name}"
        );
    }
    assert_eq!(provider_status(&plan, "p1").default_ttl, Some(360));
    assert_eq!(provider_status(&plan, "ttl").default_ttl, Some(120));
}

/// A provider's `spec.defaultTTL` is the TTL of its entries that set none; the config's 360
/// otherwise.
#[test]
fn prv_default_ttl_of_the_provider() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[
        local_provider(
            "short",
            "short",
            &["short.org"],
            &[],
            &[],
            ", defaultTTL: 120",
        ),
        p1(),
        entry("s", "dnsName: www.short.org, targets: [1.1.1.1]"),
        entry("l", "dnsName: www.example.com, targets: [1.1.1.1]"),
        entry("own", "dnsName: own.short.org, targets: [1.1.1.1], ttl: 77"),
    ]);
    assert_all_ok(&step.after);
    assert_eq!(status(&step.after, "s").ttl, Some(120));
    assert_eq!(status(&step.after, "l").ttl, Some(360));
    assert_eq!(status(&step.after, "own").ttl, Some(77));
    assert_eq!(
        cluster.zone("short:short.org"),
        ["own.short.org A 77 1.1.1.1", "www.short.org A 120 1.1.1.1"]
    );
}

// ---------------------------------------------------------------------------------------------
// Quotas (§3.4)
// ---------------------------------------------------------------------------------------------

/// A provider with `quotas.entries` takes at most that many entries; those it already has keep
/// their place, the others are `Error`.
#[test]
fn quota_limits_the_entries_of_a_provider() {
    let quota = p1().replace(
        "exclude: [example2.com]}",
        "exclude: [example2.com]}, quotas: {entries: 1}",
    );
    assert_ne!(quota, p1());
    let message = "provider test/p1 has reached its entries quota (max=1)";

    let mut cluster = Cluster::new();
    let b = entry("b", "dnsName: b.example.com, targets: [2.2.2.2]");
    let step = cluster.apply(&[quota.clone(), b.clone()]);
    assert_all_ok(&step.after);
    assert_eq!(status(&step.after, "b").state.as_deref(), Some("Ready"));

    // `a` sorts first, but `b` is already assigned to p1.
    let a = entry("a", "dnsName: a.example.com, targets: [1.1.1.1]");
    let step = cluster.apply(&[quota.clone(), a.clone(), b.clone()]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(
        state_and_message(status(&step.after, "a")),
        (Some("Error"), Some(message))
    );
    assert_eq!(status(&step.after, "b").state.as_deref(), Some("Ready"));
    assert_eq!(cluster.zone(EXAMPLE), ["b.example.com A 360 2.2.2.2"]);

    // `b` goes: `a` gets the place.
    let step = cluster.apply(&[quota, a]);
    assert_all_ok(&step.after);
    assert_eq!(status(&step.after, "a").state.as_deref(), Some("Ready"));
    assert_eq!(cluster.zone(EXAMPLE), ["a.example.com A 360 1.1.1.1"]);

    // Without ownership both are new: two entries for a quota of one.
    let fresh = Cluster::new().plan(&[
        p1().replace(
            "exclude: [example2.com]}",
            "exclude: [example2.com]}, quotas: {entries: 1}",
        ),
        entry("x", "dnsName: x.example.com, targets: [1.1.1.1]"),
        entry("y", "dnsName: y.example.com, targets: [1.1.1.1]"),
    ]);
    let states: Vec<Option<&str>> = ["x", "y"]
        .iter()
        .map(|n| status(&fresh, n).state.as_deref())
        .collect();
    assert_eq!(states, [Some("Pending"), Some("Error")]);
    assert_eq!(fresh.changes.len(), 1);
}

// ---------------------------------------------------------------------------------------------
// D13: two entries, one name
// ---------------------------------------------------------------------------------------------

/// D13: the older entry (creation timestamp, then namespace/name) keeps the name; the other is
/// `Error` with a message naming the owner. (Gardener has no conflict detection, §4.5: the last
/// writer wins.)
#[test]
fn d13_the_older_entry_keeps_the_name() {
    let mut cluster = Cluster::new();
    let young = entry_with(
        "a-young",
        ", creationTimestamp: '2024-05-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [1.1.1.1]",
    );
    let old = entry_with(
        "z-old",
        ", creationTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [2.2.2.2]",
    );
    let step = cluster.apply(&[p1(), young.clone(), old.clone()]);
    assert_all_ok(&step.after);
    assert_eq!(
        state_and_message(status(&step.after, "a-young")),
        (
            Some("Error"),
            Some("dns name \"same.example.com\" already busy for entry \"test/z-old\"")
        )
    );
    assert_eq!(status(&step.after, "z-old").state.as_deref(), Some("Ready"));
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 2.2.2.2"]);

    // Same timestamps: the smaller namespace/name.
    let plan = Cluster::new().plan(&[
        p1(),
        entry("n2", "dnsName: same.example.com, targets: [1.1.1.1]"),
        entry("n1", "dnsName: Same.Example.com., targets: [2.2.2.2]"),
    ]);
    assert_eq!(
        state_and_message(status(&plan, "n2")),
        (
            Some("Error"),
            Some("dns name \"same.example.com\" already busy for entry \"test/n1\"")
        )
    );
    assert_eq!(
        changes(&plan),
        ["create test/p1 test:example.com same.example.com A - -> 360:2.2.2.2"]
    );

    // The owner goes: the other takes the name over (delete, then create).
    let step = cluster.apply(&[p1(), young]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com same.example.com A 360:2.2.2.2 -> -",
            "create test/p1 test:example.com same.example.com A - -> 360:1.1.1.1",
        ]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        status(&step.after, "a-young").state.as_deref(),
        Some("Ready")
    );
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);
}

/// D13 with an owner: an older entry that turns up later does not take the records of the entry
/// that already holds the name (it would overwrite them, which D13 forbids); it waits with
/// `Error`. Different set identifiers are different names and coexist.
#[test]
fn d13_the_holder_keeps_the_name_and_set_identifiers_coexist() {
    let mut cluster = Cluster::new();
    let holder = entry_with(
        "holder",
        ", creationTimestamp: '2024-05-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [1.1.1.1]",
    );
    cluster.apply(&[p1(), holder.clone()]);
    let older = entry_with(
        "older",
        ", creationTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [2.2.2.2]",
    );
    let step = cluster.apply(&[p1(), holder, older]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(
        state_and_message(status(&step.after, "older")),
        (
            Some("Error"),
            Some("dns name \"same.example.com\" already busy for entry \"test/holder\"")
        )
    );
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);

    let plan = Cluster::new().plan(&[
        p1_with_policies(),
        weighted("w1", "one", "1", "[1.1.1.1]"),
        weighted("w2", "two", "1", "[1.1.1.1]"),
    ]);
    assert_eq!(plan.changes.len(), 2);
    for name in ["w1", "w2"] {
        assert_eq!(status(&plan, name).state.as_deref(), Some("Pending"));
    }
}

// ---------------------------------------------------------------------------------------------
// D14: records that are not owned
// ---------------------------------------------------------------------------------------------

fn foreign(name: &str, record_type: RecordType, values: &[&str]) -> (RecordKey, RecordSet) {
    (
        RecordKey {
            owner: RecordName::new(name.parse().unwrap(), ""),
            record_type,
        },
        RecordSet {
            record_type,
            ttl: 999,
            values: strings(values),
            routing_policy: None,
        },
    )
}

/// D14 (and DRF-01/03, which D14 overrides): a record set that exists and is not owned blocks the
/// entry with `Error`; it is never changed or deleted, also not once the entry goes away.
#[test]
fn d14_foreign_records_block_the_entry_and_stay() {
    let mut cluster = Cluster::new();
    let zone = cluster
        .observed
        .zones
        .entry(EXAMPLE.to_owned())
        .or_default();
    for (key, set) in [
        foreign("test.sub.example.com", RecordType::A, &["9.9.9.9"]),
        // DRF-01: a rogue CNAME where entry-c... wants a CNAME too
        foreign(
            "cname.sub.example.com",
            RecordType::CNAME,
            &["rogue.example.org"],
        ),
        // a CNAME blocks any other type at its name
        foreign(
            "aaaa.example.com",
            RecordType::CNAME,
            &["rogue.example.org"],
        ),
        // a TXT next to an A is no conflict
        foreign("txt-next.example.com", RecordType::TXT, &["hello"]),
    ] {
        zone.insert(key, set);
    }
    let before = cluster.observed.zones.clone();
    let manifests = [
        p1(),
        entry_a(),
        entry_c(),
        entry("aaaa", "dnsName: aaaa.example.com, targets: ['::1']"),
        entry("next", "dnsName: txt-next.example.com, targets: [1.1.1.1]"),
    ];
    let step = cluster.apply(&manifests);
    assert_all_ok(&step.after);
    let expect = [
        (
            "entry-a",
            "the A record set of \"test.sub.example.com\" in zone test:example.com exists and is not owned by this entry",
        ),
        (
            "entry-c",
            "the CNAME record set of \"cname.sub.example.com\" in zone test:example.com exists and is not owned by this entry",
        ),
        (
            "aaaa",
            "the CNAME record set of \"aaaa.example.com\" in zone test:example.com exists and is not owned by this entry",
        ),
    ];
    for (name, message) in expect {
        assert_eq!(
            state_and_message(status(&step.after, name)),
            (Some("Error"), Some(message)),
            "{name}"
        );
    }
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com txt-next.example.com A - -> 360:1.1.1.1"]
    );
    assert_eq!(status(&step.after, "next").state.as_deref(), Some("Ready"));
    for (key, set) in &before[EXAMPLE] {
        assert_eq!(
            cluster.observed.zones[EXAMPLE].get(key),
            Some(set),
            "{key:?}"
        );
    }

    // The entries go away: the foreign records stay, and nothing is planned for them.
    let step = cluster.apply(&[p1()]);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com txt-next.example.com A 360:1.1.1.1 -> -"]
    );
    assert_eq!(cluster.observed.zones[EXAMPLE], before[EXAMPLE]);
}

/// D14 across zones: a foreign record in the zone an entry moves to blocks the move; the entry
/// keeps its records where they are.
#[test]
fn d14_a_foreign_record_blocks_a_move() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let (key, set) = foreign("test.sub.example.com", RecordType::A, &["9.9.9.9"]);
    cluster
        .observed
        .zones
        .entry(SUB.to_owned())
        .or_default()
        .insert(key, set);
    let step = cluster.apply(&[p1(), p3(), entry_a()]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    let a = status(&step.after, "entry-a");
    assert_eq!(a.state.as_deref(), Some("Error"));
    assert_eq!(
        a.message.as_deref(),
        Some(
            "the A record set of \"test.sub.example.com\" in zone test2:sub.example.com exists and is not owned by this entry"
        )
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 999 9.9.9.9"]);
}

// ---------------------------------------------------------------------------------------------
// Drift
// ---------------------------------------------------------------------------------------------

/// A record set the entry owns but the zone lost is created again; one that was changed behind
/// its back is updated.
#[test]
fn drift_owned_records_are_restored() {
    let mut cluster = Cluster::new();
    let manifests = [p1(), entry_a(), entry_b()];
    cluster.apply(&manifests);
    let zone = cluster.observed.zones.get_mut(EXAMPLE).unwrap();
    let a_key = RecordKey {
        owner: RecordName::new("test.sub.example.com".parse().unwrap(), ""),
        record_type: RecordType::A,
    };
    zone.remove(&a_key);
    let b_key = RecordKey {
        owner: RecordName::new("txt.sub.example.com".parse().unwrap(), ""),
        record_type: RecordType::TXT,
    };
    zone.get_mut(&b_key).unwrap().values = strings(&["tampered"]);
    assert!(cluster.observed.owned["test/entry-a"].keys.contains(&a_key));

    let step = cluster.apply(&manifests);
    assert_eq!(
        changes(&step.before),
        [
            "update test/p1 test:example.com txt.sub.example.com TXT 360:tampered -> 360:This is a text!,blabla",
            "create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_eq!(
        state_and_message(status(&step.before, "entry-a")),
        (Some("Pending"), Some(PENDING))
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "test.sub.example.com A 360 1.2.3.4",
            "txt.sub.example.com TXT 360 This is a text!,blabla",
        ]
    );
}

/// Ownership is what counts, not the provider that is configured today: an ownership record
/// naming a zone lets the plan clean up there.
#[test]
fn drift_ownership_given_by_hand() {
    let mut cluster = Cluster::new();
    let (key, set) = foreign("test.sub.example.com", RecordType::A, &["9.9.9.9"]);
    cluster
        .observed
        .zones
        .entry(EXAMPLE.to_owned())
        .or_default()
        .insert(key.clone(), set);
    cluster.observed.owned.insert(
        "test/entry-a".to_owned(),
        Ownership {
            provider: "test/p1".to_owned(),
            zone: EXAMPLE.to_owned(),
            keys: [key].into_iter().collect(),
            keep_on_delete: false,
        },
    );
    let step = cluster.apply(&[p1(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        ["update test/p1 test:example.com test.sub.example.com A 999:9.9.9.9 -> 360:1.2.3.4"]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
}

// ---------------------------------------------------------------------------------------------
// Failed changes and ownership
// ---------------------------------------------------------------------------------------------

/// An `aws-route53` provider whose hosted zone is given (as `--zones` does): no adapter can
/// change it, so every change fails.
fn aws_cluster() -> (Cluster, Vec<String>) {
    let mut cluster = Cluster::new();
    cluster.observed.hosted_zones.insert(
        "test/aws".to_owned(),
        vec![shoot_dns::provider::HostedZone {
            id: "Z1".to_owned(),
            domain: "example.org".parse().unwrap(),
            provider_type: shoot_dns::provider::ProviderType::AwsRoute53,
            private: false,
        }],
    );
    let manifests = vec![
        "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\n\
         metadata: {name: aws, namespace: test}\n\
         spec: {type: aws-route53, secretRef: {name: aws}}\n"
            .to_owned(),
        "apiVersion: v1\nkind: Secret\nmetadata: {name: aws, namespace: test}\n\
         data: {AWS_ACCESS_KEY_ID: QUtJQQ==, AWS_SECRET_ACCESS_KEY: eA==}\n"
            .to_owned(),
        entry("www", "dnsName: www.example.org, targets: [1.1.1.1]"),
    ];
    (cluster, manifests)
}

/// A create that fails is retried by the next plan, and the entry stays Pending.
#[test]
fn a_failed_create_is_retried() {
    let (mut cluster, manifests) = aws_cluster();
    let step = cluster.apply(&manifests);
    assert_eq!(step.after.changes.len(), 1);
    assert!(
        step.after.changes[0]
            .outcome
            .as_ref()
            .is_some_and(|o| !o.is_applied()),
        "{:?}",
        step.after.changes
    );
    assert!(cluster.zone("Z1").is_empty());
    assert_eq!(status(&step.after, "www").state.as_deref(), Some("Pending"));
    let again = cluster.plan(&manifests);
    assert_eq!(
        changes(&again),
        ["create test/aws Z1 www.example.org A - -> 360:1.1.1.1"]
    );
}

/// D14: a create that failed must not make the entry the owner of that record set: when a
/// record set appears there later (written by someone else), the entry is blocked, it does not
/// overwrite it.
#[test]
fn d14_a_failed_create_does_not_own_the_record_set() {
    let (mut cluster, manifests) = aws_cluster();
    cluster.apply(&manifests);
    let owns = cluster
        .observed
        .owned
        .values()
        .any(|o| o.zone == "Z1" && !o.keys.is_empty());
    let (key, set) = foreign("www.example.org", RecordType::A, &["9.9.9.9"]);
    cluster
        .observed
        .zones
        .entry("Z1".to_owned())
        .or_default()
        .insert(key, set);
    let plan = cluster.plan(&manifests);
    assert!(plan.changes.is_empty(), "{:?}", changes(&plan));
    assert_eq!(status(&plan, "www").state.as_deref(), Some("Error"));
    assert!(!owns, "{:?}", cluster.observed.owned);
}

/// A delete that fails blocks whoever was to take the record set over next (D13 + D14): the
/// record set stays as it was, owned by the entry that is gone, and the takeover happens once
/// the delete succeeds.
#[test]
fn a_failed_delete_blocks_the_takeover() {
    let mut cluster = Cluster::new();
    let failing = p1().replace("account: test,", "account: test, failDeleteEntry: true,");
    let old = entry_with(
        "old",
        ", creationTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [1.1.1.1]",
    );
    let young = entry_with(
        "young",
        ", creationTimestamp: '2024-05-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [2.2.2.2]",
    );
    cluster.apply(&[failing.clone(), old, young.clone()]);
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);

    let step = cluster.apply(&[failing, young.clone()]);
    let results: Vec<String> = step
        .after
        .changes
        .iter()
        .map(|c| {
            format!(
                "{:?} {}",
                c.action,
                c.outcome
                    .as_ref()
                    .map_or("-".to_owned(), ToString::to_string)
            )
        })
        .collect();
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(
        results[0],
        "Delete error: forced error by mockConfig.FailDeleteEntry"
    );
    assert!(results[1].starts_with("Create error: "), "{results:?}");
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);
    assert_ne!(status(&step.after, "young").state.as_deref(), Some("Ready"));

    let step = cluster.apply(&[p1(), young]);
    assert_all_ok(&step.after);
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 2.2.2.2"]);
    assert_eq!(status(&step.after, "young").state.as_deref(), Some("Ready"));
}

/// D13 names the owner also when the owner holds its records without planning them (here: it
/// is ignored): the newcomer is `Error` with `dns name ... already busy for entry ...`, and the
/// records stay.
#[test]
fn d13_names_the_owner_that_holds_its_records() {
    let mut cluster = Cluster::new();
    cluster.apply(&[
        p1(),
        entry("owner", "dnsName: same.example.com, targets: [1.1.1.1]"),
    ]);
    let ignored = entry_with(
        "owner",
        ", annotations: {dns.gardener.cloud/ignore: reconcile}",
        "dnsName: same.example.com, targets: [1.1.1.1]",
    );
    let step = cluster.apply(&[
        p1(),
        ignored,
        entry("newcomer", "dnsName: same.example.com, targets: [2.2.2.2]"),
    ]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);
    assert_eq!(
        state_and_message(status(&step.after, "newcomer")),
        (
            Some("Error"),
            Some("dns name \"same.example.com\" already busy for entry \"test/owner\"")
        )
    );
}

/// Two entries swap their names in one step: both old records are deleted before either new
/// one is created, and nobody is blocked.
#[test]
fn cs_two_entries_swap_names() {
    let mut cluster = Cluster::new();
    cluster.apply(&[
        p1(),
        entry("x", "dnsName: one.example.com, targets: [1.1.1.1]"),
        entry("y", "dnsName: two.example.com, targets: [2.2.2.2]"),
    ]);
    let step = cluster.apply(&[
        p1(),
        entry("x", "dnsName: two.example.com, targets: [1.1.1.1]"),
        entry("y", "dnsName: one.example.com, targets: [2.2.2.2]"),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com one.example.com A 360:1.1.1.1 -> -",
            "delete test/p1 test:example.com two.example.com A 360:2.2.2.2 -> -",
            "create test/p1 test:example.com one.example.com A - -> 360:2.2.2.2",
            "create test/p1 test:example.com two.example.com A - -> 360:1.1.1.1",
        ]
    );
    assert_all_ok(&step.after);
    for name in ["x", "y"] {
        assert_eq!(status(&step.after, name).state.as_deref(), Some("Ready"));
    }
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "one.example.com A 360 2.2.2.2",
            "two.example.com A 360 1.1.1.1"
        ]
    );
}

/// D1: provider domains are matched in normalised form (upper case and a trailing dot in the
/// spec do not matter).
#[test]
fn d1_provider_domains_are_normalised() {
    let mut cluster = Cluster::new();
    let provider = local_provider(
        "upper",
        "upper",
        &["Example.NET."],
        &["Example.NET."],
        &["Internal.Example.Net"],
        "",
    );
    let step = cluster.apply(&[
        provider,
        entry("www", "dnsName: WWW.example.net, targets: [1.1.1.1]"),
        entry(
            "internal",
            "dnsName: db.internal.example.net, targets: [1.1.1.1]",
        ),
    ]);
    assert_all_ok(&step.after);
    let www = status(&step.after, "www");
    assert_eq!(www.state.as_deref(), Some("Ready"), "{www:?}");
    assert_eq!(www.provider.as_deref(), Some("test/upper"));
    assert_eq!(
        state_and_message(status(&step.after, "internal")),
        (Some("Error"), Some(NO_PROVIDER))
    );
    let domains = provider_status(&step.after, "upper")
        .domains
        .clone()
        .unwrap();
    assert_eq!(domains.included, ["example.net"]);
    assert_eq!(domains.excluded, ["internal.example.net"]);
}

/// §0.7: a provider of another class is invisible: listed without a status, it serves no one.
#[test]
fn a_provider_of_another_class_serves_no_one() {
    let other = p1().replace(
        "namespace: test, generation: 1}",
        "namespace: test, generation: 1, annotations: {dns.gardener.cloud/class: other}}",
    );
    assert_ne!(other, p1());
    let plan = Cluster::new().plan(&[other, entry_a()]);
    assert!(
        plan.providers[0].status.is_none(),
        "{:?}",
        plan.providers[0]
    );
    assert_eq!(
        state_and_message(status(&plan, "entry-a")),
        (Some("Error"), Some(NO_PROVIDER))
    );
}
