//! Property tests of plans over DNSEntries and `local` DNSProviders, each against a naive
//! reference where one applies:
//!
//! - a plan executed on the in-memory zones and planned again has nothing left to do, over
//!   several steps of changing entries and provider domains;
//! - a plan does not depend on the order of the input documents (COMPATIBILITY.md#d17);
//! - a plan never changes or deletes a record set it does not own (D14);
//! - the provider of each entry is the one a linear scan of docs/entries-and-providers.md §3.2
//!   (with D10's tie rule) over the providers' computed `status.domains` picks.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use serde_json::{Value, json};
use shoot_dns::records::{RecordName, RecordSet, RecordType};
use shoot_dns::zones::{Action, ChangeOutcome, Observed, RecordKey};
use shoot_dns::{Plan, World};

const CASES: u32 = 64;

use crate::f1_config as config;

// ---------------------------------------------------------------------------------------------
// Generated objects
// ---------------------------------------------------------------------------------------------

/// A `local` DNSProvider in namespace `test`.
#[derive(Debug, Clone)]
pub(crate) struct Provider {
    name: String,
    account: String,
    zones: Vec<String>,
    include: Vec<String>,
    exclude: Vec<String>,
    deleting: bool,
    fail_get_zones: bool,
    policies: bool,
    default_ttl: Option<i64>,
}

impl Provider {
    fn document(&self) -> Value {
        let zones: Vec<Value> = self.zones.iter().map(|z| json!({"dnsName": z})).collect();
        let mut metadata = json!({"name": self.name, "namespace": "test"});
        if self.deleting {
            metadata["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
        }
        let mut spec = json!({
            "type": "local",
            "providerConfig": {
                "account": self.account,
                "zones": zones,
                "failGetZones": self.fail_get_zones,
                "supportRoutingPolicy": self.policies,
            },
            "domains": {"include": self.include, "exclude": self.exclude},
        });
        if let Some(ttl) = self.default_ttl {
            spec["defaultTTL"] = json!(ttl);
        }
        json!({
            "apiVersion": "dns.gardener.cloud/v1alpha1",
            "kind": "DNSProvider",
            "metadata": metadata,
            "spec": spec,
        })
    }
}

/// What an entry points to.
#[derive(Debug, Clone)]
enum Targets {
    A(Vec<String>),
    Aaaa(Vec<String>),
    Cname(String),
    Txt(Vec<String>),
}

/// A DNSEntry in namespace `test`.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    name: String,
    dns_name: String,
    targets: Targets,
    ttl: Option<i64>,
    set_identifier: Option<String>,
    deleting: bool,
}

impl Entry {
    fn document(&self) -> Value {
        let mut spec = json!({"dnsName": self.dns_name});
        match &self.targets {
            Targets::A(v) | Targets::Aaaa(v) => spec["targets"] = json!(v),
            Targets::Cname(v) => spec["targets"] = json!([v]),
            Targets::Txt(v) => spec["text"] = json!(v),
        }
        if let Some(ttl) = self.ttl {
            spec["ttl"] = json!(ttl);
        }
        if let Some(set) = &self.set_identifier {
            spec["routingPolicy"] =
                json!({"type": "weighted", "setIdentifier": set, "parameters": {"weight": "1"}});
        }
        let mut metadata = json!({"name": self.name, "namespace": "test", "generation": 1});
        if self.deleting {
            metadata["deletionTimestamp"] = json!("2024-01-01T00:00:00Z");
        }
        json!({
            "apiVersion": "dns.gardener.cloud/v1alpha1",
            "kind": "DNSEntry",
            "metadata": metadata,
            "spec": spec,
        })
    }
}

/// Up to `max` distinct items of `items`, in their order.
fn subset(items: &'static [&'static str], max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(items, 0..=max.min(items.len()))
        .prop_map(|v| v.into_iter().map(str::to_owned).collect())
}

pub(crate) fn pick(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(items).prop_map(str::to_owned)
}

fn dedup(mut values: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    values.retain(|v| seen.insert(v.clone()));
    values
}

fn targets() -> impl Strategy<Value = Targets> {
    prop_oneof![
        prop::collection::vec(any::<[u8; 4]>(), 1..=2).prop_map(|v| Targets::A(dedup(
            v.into_iter()
                .map(|b| Ipv4Addr::from(b).to_string())
                .collect()
        ))),
        prop::collection::vec(any::<[u16; 8]>(), 1..=2).prop_map(|v| Targets::Aaaa(dedup(
            v.into_iter()
                .map(|b| Ipv6Addr::from(b).to_string())
                .collect()
        ))),
        pick(&[
            "target.example.net",
            "lb.example.org",
            "Mixed.Case.example.net."
        ])
        .prop_map(Targets::Cname),
        prop::collection::vec("[a-z0-9][a-zA-Z0-9 =\"]{0,10}", 1..=2)
            .prop_map(|v| Targets::Txt(dedup(v))),
    ]
}

fn ttl() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![2 => Just(None), 1 => (1i64..=86_400).prop_map(Some)]
}

/// The names entries use: a few labels over the providers' domains, and one no provider serves.
const BASES: &[&str] = &[
    "example.com",
    "sub.example.com",
    "a.sub.example.com",
    "example.org",
    "b.example.org",
    "nowhere.net",
];
const LABELS: &[&str] = &["www", "api", "*", "a"];

pub(crate) fn entry_name() -> impl Strategy<Value = String> {
    (pick(LABELS), pick(BASES)).prop_map(|(label, base)| format!("{label}.{base}"))
}

fn entry_strategy(name: String) -> impl Strategy<Value = Entry> {
    (
        entry_name(),
        targets(),
        ttl(),
        prop_oneof![4 => Just(None), 1 => pick(&["s1", "s2"]).prop_map(Some)],
    )
        .prop_map(move |(dns_name, targets, ttl, set_identifier)| Entry {
            name: name.clone(),
            dns_name,
            targets,
            ttl,
            set_identifier,
            deleting: false,
        })
}

/// 0 to `max` entries named `e0`, `e1`, ...
fn entries(max: usize) -> impl Strategy<Value = Vec<Entry>> {
    (0..=max).prop_flat_map(|n| {
        (0..n)
            .map(|i| entry_strategy(format!("e{i}")))
            .collect::<Vec<_>>()
    })
}

/// The fixed part of a provider (account, zones, routing-policy support) and its domains.
fn provider_strategy(name: String) -> impl Strategy<Value = Provider> {
    (
        pick(&["a", "b"]),
        prop::sample::subsequence(
            &["example.com", "sub.example.com", "example.org"][..],
            1..=3,
        ),
        any::<bool>(),
    )
        .prop_flat_map(move |(account, zones, policies)| {
            let name = name.clone();
            domains().prop_map(move |(include, exclude)| Provider {
                name: name.clone(),
                account: account.clone(),
                zones: zones.iter().map(|z| z.to_string()).collect(),
                include,
                exclude,
                deleting: false,
                fail_get_zones: false,
                policies,
                default_ttl: None,
            })
        })
}

/// Domain include and exclude lists over overlapping domains.
fn domains() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    (
        subset(
            &[
                "example.com",
                "sub.example.com",
                "a.sub.example.com",
                "example.org",
            ],
            2,
        ),
        subset(
            &["sub.example.com", "a.sub.example.com", "b.example.org"],
            1,
        ),
    )
}

/// 1 to 3 providers `p0`, `p1`, ...
fn providers() -> impl Strategy<Value = Vec<Provider>> {
    (1..=3usize).prop_flat_map(|n| {
        (0..n)
            .map(|i| provider_strategy(format!("p{i}")))
            .collect::<Vec<_>>()
    })
}

/// The same providers with new domains (accounts, zones and policy support stay, so every
/// record set a provider wrote can still be deleted through it).
fn redomain(providers: Vec<Provider>) -> impl Strategy<Value = Vec<Provider>> {
    let n = providers.len();
    prop::collection::vec(domains(), n).prop_map(move |domains| {
        providers
            .iter()
            .zip(domains)
            .map(|(p, (include, exclude))| Provider {
                include,
                exclude,
                ..p.clone()
            })
            .collect()
    })
}

/// Providers and up to three steps of (their domains, the entries).
pub(crate) fn scenario() -> impl Strategy<Value = Vec<(Vec<Provider>, Vec<Entry>)>> {
    providers().prop_flat_map(|providers| {
        prop::collection::vec((redomain(providers.clone()), entries(6)), 1..=3).prop_map(
            move |mut steps| {
                // The first step keeps the generated domains.
                steps[0].0 = providers.clone();
                steps
            },
        )
    })
}

pub(crate) fn documents(providers: &[Provider], entries: &[Entry]) -> Vec<Value> {
    providers
        .iter()
        .map(Provider::document)
        .chain(entries.iter().map(Entry::document))
        .collect()
}

pub(crate) fn world(documents: &[Value], observed: &Observed) -> World {
    let text: Vec<String> = documents.iter().map(Value::to_string).collect();
    let mut world = World::default();
    shoot_dns::manifest::load_str(&mut world, "props.yaml", &text.join("\n---\n"))
        .expect("generated manifests parse");
    assert!(world.problems.is_empty(), "{:?}", world.problems);
    world.observed = observed.clone();
    world
}

pub(crate) fn change_lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|c| {
            format!(
                "{:?} {} {} {}#{} {} {:?}",
                c.action, c.provider, c.zone, c.name, c.set_identifier, c.record_type, c.outcome
            )
        })
        .collect()
}

/// Plans `documents` over `observed`, executes the plan and returns the plan after it.
pub(crate) fn apply(documents: &[Value], observed: &mut Observed) -> (Plan, Plan) {
    let config = config();
    let mut world = world(documents, observed);
    let before = Plan::compute(&world, &config);
    let after = shoot_dns::adapters::backends::memory::apply(&mut world, &config, before.clone());
    *observed = world.observed;
    (before, after)
}

// ---------------------------------------------------------------------------------------------
// Idempotence
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// Executing a plan leaves nothing to do: every change succeeds, the next plan has no
    /// changes, and no entry is left `Pending` (D12: the zones hold exactly their records).
    #[test]
    fn an_executed_plan_leaves_nothing_to_do(steps in scenario()) {
        let mut observed = Observed::default();
        for (i, (providers, entries)) in steps.iter().enumerate() {
            let documents = documents(providers, entries);
            let (_, after) = apply(&documents, &mut observed);
            for change in &after.changes {
                prop_assert_eq!(
                    change.outcome.as_ref(), Some(&ChangeOutcome::Applied),
                    "step {}: {:?}", i, change_lines(&after)
                );
            }
            let again = Plan::compute(&world(&documents, &observed), &config());
            prop_assert!(
                again.changes.is_empty(),
                "step {}: planned again: {:?}", i, change_lines(&again)
            );
            for entry in &again.entries {
                let status = entry.status.as_ref().expect("every entry has a status");
                prop_assert_ne!(
                    status.state.as_deref(), Some("Pending"),
                    "step {}: {:?}: {:?}", i, entry.metadata.name, status
                );
            }
            // What the zones hold is what the entries own, and every owned set exists.
            for ownership in observed.owned.values() {
                for key in &ownership.keys {
                    let held = observed.zones.get(&ownership.zone).and_then(|z| z.get(key));
                    prop_assert!(held.is_some(), "step {}: owned {:?} is missing", i, key);
                }
            }
            let owned_count: usize = observed.owned.values().map(|o| o.keys.len()).sum();
            let held_count: usize = observed.zones.values().map(|z| z.len()).sum();
            prop_assert_eq!(owned_count, held_count, "step {}", i);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Order independence
// ---------------------------------------------------------------------------------------------

/// `items` in an order `seed` determines (Fisher–Yates with a small LCG).
pub(crate) fn permuted<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut items = items.to_vec();
    let mut state = seed | 1;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = (state >> 33) as usize % (i + 1);
        items.swap(i, j);
    }
    items
}

fn plan_text(documents: &[Value], observed: &Observed) -> String {
    let plan = Plan::compute(&world(documents, observed), &config());
    format!(
        "{}\n{:?}\n{:?}",
        serde_json::to_string(&plan).expect("a plan serialises"),
        plan.owned,
        plan.lookups
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// D17: the same documents in any order give a byte-identical plan, also over zones an
    /// earlier apply filled.
    #[test]
    fn a_plan_does_not_depend_on_the_order_of_the_documents(
        steps in scenario(),
        seeds in prop::collection::vec(any::<u64>(), 2),
    ) {
        let mut observed = Observed::default();
        for (providers, entries) in &steps {
            let documents = documents(providers, entries);
            let expected = plan_text(&documents, &observed);
            for &seed in &seeds {
                let shuffled = permuted(&documents, seed);
                prop_assert_eq!(&plan_text(&shuffled, &observed), &expected);
            }
            apply(&documents, &mut observed);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Foreign record sets
// ---------------------------------------------------------------------------------------------

/// A record set no entry owns, somewhere the entries might want to write.
pub(crate) fn foreign_set() -> impl Strategy<Value = (String, RecordKey, RecordSet)> {
    (
        pick(&["a", "b"]),
        pick(&["example.com", "sub.example.com", "example.org"]),
        entry_name(),
        prop::sample::select(
            &[
                RecordType::A,
                RecordType::AAAA,
                RecordType::CNAME,
                RecordType::TXT,
            ][..],
        ),
        prop_oneof![3 => Just(String::new()), 1 => pick(&["s1", "s2"])],
    )
        .prop_map(|(account, zone, name, record_type, set_identifier)| {
            let value = match record_type {
                RecordType::A => "9.9.9.9",
                RecordType::AAAA => "::9",
                RecordType::CNAME => "foreign.example.net",
                _ => "foreign",
            };
            let key = RecordKey {
                owner: RecordName::new(name.parse().expect("a valid name"), set_identifier),
                record_type,
            };
            let set = RecordSet {
                record_type,
                ttl: 999,
                values: vec![value.to_owned()],
                routing_policy: None,
            };
            (format!("{account}:{zone}"), key, set)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// D14: record sets that are not owned are never updated or deleted, and stay as they are
    /// through every step.
    #[test]
    fn foreign_record_sets_are_never_touched(
        steps in scenario(),
        foreign in prop::collection::vec(foreign_set(), 1..=6),
    ) {
        let mut observed = Observed::default();
        let mut seeded: BTreeMap<(shoot_dns::id::ZoneId, RecordKey), RecordSet> = BTreeMap::new();
        for (zone, key, set) in foreign {
            observed.zones.entry(zone.clone().into()).or_default().insert(key.clone(), set.clone());
            seeded.insert((zone.into(), key), set);
        }
        for (i, (providers, entries)) in steps.iter().enumerate() {
            let (before, after) = apply(&documents(providers, entries), &mut observed);
            for change in &before.changes {
                let touched = seeded.contains_key(&(change.zone.clone(), change.key()));
                prop_assert!(
                    !touched,
                    "step {}: a change of a foreign record set: {:?}", i, change_lines(&before)
                );
                // a create over a foreign set would overwrite it
                prop_assert!(change.action != Action::Create || !touched);
            }
            for ((zone, key), set) in &seeded {
                let held = observed.zones.get(zone).and_then(|z| z.get(key));
                prop_assert_eq!(held, Some(set), "step {}: {:?}: {:?}", i, key, change_lines(&after));
            }
            for ownership in observed.owned.values() {
                for key in &ownership.keys {
                    prop_assert!(
                        !seeded.contains_key(&(ownership.zone.clone(), key.clone())),
                        "step {}: a foreign record set became owned: {:?}", i, key
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Changes stay inside their provider's domains and zones
// ---------------------------------------------------------------------------------------------

/// Whether the provider status of `plan` named `provider` covers `name` in `zone`: the name lies
/// in an included domain longer than every matching excluded one, the zone is included, the
/// name lies in the zone's domain, and in no included or excluded zone of the provider below
/// it.
fn provider_covers(plan: &Plan, provider: &str, zone: &str, name: &str) -> Result<(), String> {
    let found = plan.providers.iter().find(|p| {
        let meta = &p.metadata;
        format!("{}/{}", meta.namespace_or_default(), meta.name_or_empty()) == provider
    });
    let status = found
        .and_then(|p| p.status.as_ref())
        .ok_or(format!("no provider {provider}"))?;
    let longest = |domains: &[String]| {
        (domains.iter())
            .filter(|d| is_sub_or_eq(name, d))
            .map(String::len)
            .max()
    };
    let (included, excluded) = status
        .domains
        .as_ref()
        .map_or((&[][..], &[][..]), |d| (&d.included[..], &d.excluded[..]));
    let (inc, exc) = (longest(included), longest(excluded));
    let serves = inc.is_some_and(|i| exc.is_none_or(|e| i > e));
    if !serves {
        return Err(format!(
            "{name} is outside the domains of {provider}: {included:?} - {excluded:?}"
        ));
    }
    let zones = status.zones.as_ref().ok_or("no zones")?;
    if !zones.included.iter().any(|z| z == zone) {
        return Err(format!("zone {zone} is not among {provider}'s {zones:?}"));
    }
    // `local` zone ids are `<account>:<domain>`.
    let domain = |id: &str| id.split_once(':').map_or(id, |(_, d)| d).to_owned();
    let own = domain(zone);
    if !is_sub_or_eq(name, &own) {
        return Err(format!("{name} is outside zone {zone}"));
    }
    let deeper = (zones.included.iter().chain(&zones.excluded))
        .map(|z| domain(z))
        .find(|d| d.len() > own.len() && is_sub_or_eq(name, d));
    match deeper {
        Some(d) => Err(format!("{name} lies in the deeper zone {d} of {provider}")),
        None => Ok(()),
    }
}

/// The same entries as in `previous`, some of them being deleted (which `mask` says, bit by
/// bit), followed by `entries`' others.
fn with_deletions(previous: &[Entry], entries: &[Entry], mask: u64) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for (i, entry) in previous.iter().enumerate() {
        if mask >> (i % 64) & 1 == 1 {
            out.push(Entry {
                deleting: true,
                ..entry.clone()
            });
        }
    }
    for entry in entries {
        if !out.iter().any(|e| e.name == entry.name) {
            out.push(entry.clone());
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES * 2))]

    /// docs/entries-and-providers.md §4.4, COMPATIBILITY.md#d11-2 and #d14: whatever the providers'
    /// domain rules become and whichever entries come, change or are deleted, every planned change
    /// names a record inside the included domains and zones of the provider it is made through, and
    /// outside the excluded ones. A deleted entry whose records no provider may delete keeps
    /// them, and its ownership.
    #[test]
    fn every_change_lies_inside_its_providers_domains_and_zones(
        steps in scenario(),
        masks in prop::collection::vec(any::<u64>(), 3),
    ) {
        let mut observed = Observed::default();
        let mut previous: Vec<Entry> = Vec::new();
        for (i, (providers, entries)) in steps.iter().enumerate() {
            let entries = with_deletions(&previous, entries, masks[i % 3]);
            let (before, _) = apply(&documents(providers, &entries), &mut observed);
            for change in &before.changes {
                let covered =
                    provider_covers(&before, &change.provider, change.zone.as_str(), change.name.as_str());
                prop_assert!(covered.is_ok(), "step {}: {:?}: {:?}", i, covered, change_lines(&before));
            }
            for entry in before.entries.iter().filter(|e| e.metadata.deletion_timestamp.is_some()) {
                let id = shoot_dns::plan::entry_id(entry);
                let status = entry.status.as_ref().expect("a status");
                if status.state.as_deref() == Some("Stale") {
                    prop_assert!(before.owned.contains_key(&id), "step {}: {} Stale, owns nothing", i, id);
                }
            }
            previous = entries.into_iter().filter(|e| !e.deleting).collect();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Provider choice against a linear scan
// ---------------------------------------------------------------------------------------------

/// Domains over a small label alphabet below `x`.
const CHOICE_DOMAINS: &[&str] = &["x", "a.x", "b.x", "a.a.x", "b.a.x", "c.b.x"];

fn choice_provider(name: String) -> impl Strategy<Value = Provider> {
    (
        prop::sample::subsequence(&["x", "a.x", "b.x"][..], 1..=3),
        subset(CHOICE_DOMAINS, 3),
        subset(CHOICE_DOMAINS, 2),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            move |(zones, include, exclude, deleting, fail_get_zones)| Provider {
                // one account per provider: no two share a zone
                account: name.clone(),
                name: name.clone(),
                zones: zones.iter().map(|z| z.to_string()).collect(),
                include,
                exclude,
                deleting,
                fail_get_zones,
                policies: false,
                default_ttl: None,
            },
        )
}

fn choice_providers() -> impl Strategy<Value = Vec<Provider>> {
    (1..=4usize).prop_flat_map(|n| {
        (0..n)
            .map(|i| choice_provider(format!("q{i}")))
            .collect::<Vec<_>>()
    })
}

/// Entries with distinct names below `x` (and some outside), each with one A target.
fn choice_entries() -> impl Strategy<Value = Vec<Entry>> {
    prop::collection::btree_set(
        (
            prop_oneof![4 => Just(""), 1 => Just("*.")],
            prop::collection::vec(pick(&["a", "b", "c"]), 0..=3),
            prop_oneof![5 => Just("x"), 1 => Just("y")],
        )
            .prop_map(|(wildcard, labels, root)| {
                let mut name = wildcard.to_owned();
                for label in labels {
                    name.push_str(&label);
                    name.push('.');
                }
                name.push_str(root);
                name
            }),
        1..=8,
    )
    .prop_map(|names| {
        names
            .into_iter()
            .enumerate()
            .map(|(i, dns_name)| Entry {
                name: format!("e{i}"),
                dns_name,
                targets: Targets::A(vec![format!("10.0.0.{i}")]),
                ttl: None,
                set_identifier: None,
                deleting: false,
            })
            .collect()
    })
}

/// `isSubOrEq(name, domain)` of the spec, on normalised text.
fn is_sub_or_eq(name: &str, domain: &str) -> bool {
    name == domain || name.ends_with(&format!(".{domain}"))
}

/// §3.2 steps 2–4 with D10, as a linear scan over the providers' computed statuses.
fn naive_choice(plan: &Plan, dns_name: &str, current: Option<&str>) -> Option<(String, bool)> {
    let mut best: Option<((bool, usize), String)> = None;
    for provider in &plan.providers {
        let status = provider.status.as_ref().expect("a provider status");
        let key = format!(
            "{}/{}",
            provider.metadata.namespace.as_deref().unwrap_or("default"),
            provider.metadata.name.as_deref().unwrap_or("")
        );
        let (included, excluded) = status
            .domains
            .as_ref()
            .map_or((&[][..], &[][..]), |d| (&d.included[..], &d.excluded[..]));
        let longest = |domains: &[String]| {
            domains
                .iter()
                .filter(|d| is_sub_or_eq(dns_name, d))
                .map(String::len)
                .max()
                .unwrap_or(0)
        };
        let (inc, exc) = (longest(included), longest(excluded));
        let n = if inc > exc { inc } else { 0 };
        if n == 0 {
            continue;
        }
        let score = if provider.metadata.deletion_timestamp.is_some() {
            n
        } else {
            n + 1000
        };
        let rank = (status.state.as_deref() == Some("Ready"), score);
        let better = match &best {
            None => true,
            Some((best_rank, best_key)) => {
                rank > *best_rank
                    || (rank == *best_rank
                        && current != Some(best_key.as_str())
                        && (current == Some(key.as_str()) || key < *best_key))
            }
        };
        if better {
            best = Some((rank, key));
        }
    }
    best.map(|((ready, _), key)| (key, ready))
}

/// The provider an entry's status shows it was given: `None` for "no provider".
fn chosen(status: &shoot_dns::api::DnsEntryStatus) -> Option<String> {
    let message = status.message.as_deref().unwrap_or("");
    if message == "No responsible provider found" {
        return None;
    }
    if let Some(rest) = message.strip_prefix("provider ")
        && let Some((key, _)) = rest.split_once(" has status ")
    {
        return Some(key.to_owned());
    }
    status.provider.clone()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// The provider in each entry's status is the one the linear scan picks; a second step with
    /// new domains checks D10 (the current provider keeps a tie).
    #[test]
    fn provider_choice_is_a_linear_scan(
        first in choice_providers(),
        second_domains in prop::collection::vec(
            (subset(CHOICE_DOMAINS, 3), subset(CHOICE_DOMAINS, 2), prop::bool::weighted(0.2)),
            4,
        ),
        entries in choice_entries(),
    ) {
        let second: Vec<Provider> = first
            .iter()
            .zip(second_domains)
            .map(|(p, (include, exclude, deleting))| Provider {
                include,
                exclude,
                deleting,
                ..p.clone()
            })
            .collect();
        let mut observed = Observed::default();
        for (step, providers) in [first, second].iter().enumerate() {
            let documents = documents(providers, &entries);
            let current: BTreeMap<shoot_dns::id::EntryId, String> = observed
                .owned
                .iter()
                .map(|(id, o)| (id.clone(), o.provider.clone()))
                .collect();
            let (before, _) = apply(&documents, &mut observed);
            for entry in &before.entries {
                let id = shoot_dns::plan::entry_id(entry);
                let status = entry.status.as_ref().expect("a status");
                let expected = naive_choice(
                    &before,
                    &entry.spec.dns_name,
                    current.get(&id).map(String::as_str),
                );
                prop_assert_eq!(
                    chosen(status),
                    expected.as_ref().map(|(key, _)| key.clone()),
                    "step {}: {} ({}): {:?}; current {:?}; providers {:?}",
                    step, id, entry.spec.dns_name, status, current.get(&id),
                    before.providers.iter().map(|p| (&p.metadata.name, &p.status)).collect::<Vec<_>>()
                );
                let state = status.state.as_deref();
                match expected {
                    None => prop_assert!(matches!(state, Some("Error" | "Stale")), "{:?}", status),
                    Some((_, true)) => prop_assert!(
                        matches!(state, Some("Pending" | "Ready")), "{:?}", status
                    ),
                    Some((_, false)) => prop_assert_eq!(state, Some("Stale"), "{:?}", status),
                }
            }
        }
    }
}
