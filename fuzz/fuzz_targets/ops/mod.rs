//! What the plan fuzz targets share: the objects their operations make, the foreign record sets
//! every zone starts with, and the invariants after each step.

use std::collections::{BTreeMap, BTreeSet};

use shoot_dns::World;
use shoot_dns::api::{DnsEntry, DnsEntrySpec, DnsProvider, DnsProviderSpec, ObjectMeta, Selection};
use shoot_dns::records::{RecordName, RecordSet, RecordType};
use shoot_dns::zones::RecordKey;

pub const LABELS: [&str; 4] = ["a", "b", "c", "www"];
pub const DOMAINS: [&str; 3] = ["example.com", "sub.example.com", "example.org"];

pub fn meta(name: String) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: Some("default".into()),
        ..ObjectMeta::default()
    }
}

pub fn provider(i: u8, domain: &str, fail_delete: bool) -> DnsProvider {
    DnsProvider {
        api_version: "dns.gardener.cloud/v1alpha1".into(),
        kind: "DNSProvider".into(),
        metadata: meta(format!("p{i}")),
        spec: DnsProviderSpec {
            provider_type: "local".into(),
            provider_config: Some(serde_json::json!({
                "zones": [{"dnsName": domain}],
                "failDeleteEntry": fail_delete,
            })),
            domains: Some(Selection {
                include: vec![domain.into()],
                exclude: vec![],
            }),
            ..DnsProviderSpec::default()
        },
        status: None,
    }
}

pub fn entry(
    i: u8,
    label: &str,
    domain: &str,
    target: u8,
    ttl: Option<i64>,
    text: bool,
) -> DnsEntry {
    let dns_name = format!("{label}.{domain}");
    let spec = if text {
        DnsEntrySpec {
            dns_name,
            text: Some(vec![format!("v{target}")]),
            ttl,
            ..DnsEntrySpec::default()
        }
    } else {
        let target = if target % 3 == 0 {
            format!("h{target}.example.net")
        } else {
            format!("10.0.0.{target}")
        };
        DnsEntrySpec {
            dns_name,
            targets: Some(vec![target]),
            ttl,
            ..DnsEntrySpec::default()
        }
    };
    DnsEntry {
        api_version: "dns.gardener.cloud/v1alpha1".into(),
        kind: "DNSEntry".into(),
        metadata: meta(format!("e{i}")),
        spec,
        status: None,
    }
}

pub fn upsert<T>(list: &mut Vec<T>, item: T, name: impl Fn(&T) -> Option<&String>) {
    let key = name(&item).cloned();
    list.retain(|x| name(x) != key.as_ref());
    list.push(item);
}

/// A foreign record set in each zone, put into `world`: no entry owns it, so nothing may touch
/// it.
pub fn foreign(world: &mut World) -> BTreeMap<String, (RecordKey, RecordSet)> {
    let foreign: BTreeMap<String, (RecordKey, RecordSet)> = DOMAINS
        .iter()
        .map(|d| {
            let key = RecordKey {
                owner: RecordName::new(format!("a.{d}").parse().unwrap(), ""),
                record_type: RecordType::TXT,
            };
            let set = RecordSet {
                record_type: RecordType::TXT,
                ttl: 60,
                values: vec!["foreign".into()],
                routing_policy: None,
            };
            (format!("local:{d}"), (key, set))
        })
        .collect();
    for (zone, (key, set)) in &foreign {
        world
            .observed
            .zones
            .entry(zone.as_str().into())
            .or_default()
            .insert(key.clone(), set.clone());
    }
    foreign
}

/// The foreign record sets are as they were, and no record set is owned twice.
pub fn check_ownership(world: &World, foreign: &BTreeMap<String, (RecordKey, RecordSet)>) {
    for (zone, (key, set)) in foreign {
        assert_eq!(
            world
                .observed
                .zones
                .get(zone.as_str())
                .and_then(|z| z.get(key)),
            Some(set),
            "foreign record in {zone} touched"
        );
    }
    let mut seen: BTreeSet<(&str, &RecordKey)> = BTreeSet::new();
    for ownership in world.observed.owned.values() {
        for key in &ownership.keys {
            assert!(
                seen.insert((ownership.zone.as_str(), key)),
                "{key:?} owned twice"
            );
        }
    }
}
