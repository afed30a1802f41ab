//! Conformance of DNSEntries and DNSProviders through the public API (docs/entries-and-providers.md
//! §2–§5, §7 and the conformance groups ENT, IGN, RP, ORD, CS, PRV, DRF of its examples), with
//! COMPATIBILITY.md#d10 to #d14 where they decide otherwise.
//!
//! Every case runs like a controller would over time: the manifests of one step are read into a
//! [`World`], [`Plan::compute`] plans it, [`shoot_dns::adapters::backends::memory::apply`]
//! executes the plan on the in-memory zones of `local` providers, and the next step reads
//! changed manifests into a new world that carries over what the zones hold and what each entry
//! owns (`world.observed`) and, as the API server would, each entry's last status.
//!
//! The fixture is the spec's F1: namespace `test`, `local` providers of the accounts `test`
//! (zones `example.com`, `example2.com`) and `test2` (zone `sub.example.com`), default TTL 360.
//!
//! By topic: [`ent`] (entries and their providers over time), [`ignore`], [`routing_policies`],
//! [`change_sets`], [`providers`] (statuses and quotas), [`ownership`] (D13, D14, drift, failed
//! changes). This module holds the harness ([`Cluster`]) and the F1 manifests they share.

use std::collections::BTreeMap;
use std::net::IpAddr;

use shoot_dns::api::{DnsEntryStatus, DnsProviderStatus};
use shoot_dns::id::EntryId;
use shoot_dns::records::{RecordName, RecordSet, RecordType};
use shoot_dns::zones::{Action, ChangeFailure, ChangeOutcome, Observed, Ownership, RecordKey};
use shoot_dns::{Config, DnsName, Plan, World};

mod change_sets;
mod ent;
mod ignore;
mod ownership;
mod providers;
mod routing_policies;

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
    statuses: BTreeMap<EntryId, DnsEntryStatus>,
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
