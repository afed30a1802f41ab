//! The records an entry wants (docs/entries-and-providers.md §5.1–5.4): targets by type, host name
//! resolution from answers the adapter supplies, the AWS alias mapping, grouping into one
//! record set per type.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::resolve::{lookup_interval, resolve};
use super::status::status_targets;
use super::{DesiredRecords, Policy, RecordError, RecordName, RecordSet, RecordType};
use crate::api::RoutingPolicy;
use crate::entry::ValidEntry;
use crate::name::DnsName;
use crate::provider::ProviderType;
use crate::target::Target;
use crate::ttl::Ttl;

/// What [`desired`] needs beyond the entry: the provider's facts and the resolver's answers.
#[derive(Debug, Clone, Copy)]
pub struct RecordInput<'a> {
    /// The responsible provider's type: `aws-route53` maps targets to alias records (§5.3).
    pub provider_type: ProviderType,
    /// The provider's default TTL, for entries without `spec.ttl`.
    pub default_ttl: Ttl,
    /// The entry's `dns.gardener.cloud/ip-stack` annotation (`ipv4`, `ipv6`, `dual-stack`).
    pub ip_stack: Option<&'a str>,
    /// The addresses of host names, as the adapter resolved them. A host name missing from the
    /// map is a lookup still to do; one with an empty list was not found (NXDOMAIN, or no
    /// address at all).
    pub resolved: &'a BTreeMap<DnsName, Vec<IpAddr>>,
    /// The controller's `defaultCNAMELookupInterval` in seconds (Gardener: 600).
    pub default_cname_lookup_interval: i64,
}

/// The records one entry wants, and what its status shows about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Desired {
    /// The owner: the normalised name and the routing policy's set identifier.
    pub owner: RecordName,
    /// One record set per type.
    pub sets: DesiredRecords,
    /// Host names still to resolve, in spec order. While this is not empty the entry is
    /// `Pending`: the adapter resolves them, adds the answers to [`RecordInput::resolved`] and
    /// calls [`desired`] again. `sets` then hold only what the known answers give.
    pub lookups: Vec<DnsName>,
    /// `status.cnameLookupInterval`: how often host names are resolved again, when they are.
    pub cname_lookup_interval: Option<i64>,
    /// `status.targets` (§5.9): the effective target values, TXT values Go-quoted.
    pub status_targets: Vec<String>,
    /// `status.ttl`: the TTL of the records.
    pub ttl: u32,
    /// `status.routingPolicy`: the entry's policy, only when its set identifier is not empty.
    pub status_routing_policy: Option<RoutingPolicy>,
}

impl Desired {
    /// Whether every host name is resolved, so that `sets` are complete.
    pub fn is_complete(&self) -> bool {
        self.lookups.is_empty()
    }
}

/// The records an entry wants at its provider (§5.1–5.4).
///
/// * IPv4 targets give `A`, IPv6 targets `AAAA`, a host name a `CNAME` with the normalised
///   name (D15: the text a zone holds, so an unchanged entry plans no update), texts `TXT`
///   (raw, unquoted). All with the entry's TTL, else the provider's default.
/// * Host names are resolved (§5.2) when there are two or more, or one with
///   `resolveTargetsToAddresses`: the addresses of all of them from `input.resolved`, without
///   duplicates, IPv4 sorted as strings (`10.0.0.1` before `9.0.0.1`, as Gardener), then IPv6
///   sorted as strings. A host name with an empty list is dropped: the adapter writes that
///   for a name that does not exist, which Gardener drops silently (a lookup that fails
///   otherwise is the adapter's error to report: Gardener's `lookup failed for some targets`,
///   state Invalid). Host names missing from the map are listed in [`Desired::lookups`] and the
///   sets hold what the known answers give (nothing, if none is known). When every host name is
///   answered and none has an address: [`RecordError::NoTargets`]; an entry that still owns
///   records takes that as "remove them", as Gardener does with its old targets.
/// * For `aws-route53`, a CNAME to an AWS alias target (see
///   [`aws_canonical_hosted_zone`](super::aws_canonical_hosted_zone)) becomes `ALIAS`
///   and/or `ALIAS_AAAA` by ip-stack, plus a `TXT` with the same value (§5.3).
/// * The routing policy's set identifier goes into the owner and its type and parameters onto
///   every set; the status shows the policy only with a non-empty set identifier (§2.4).
///
/// An entry without targets and text (valid only while it owns records) wants no records.
///
/// ```
/// use std::collections::BTreeMap;
/// use std::net::IpAddr;
/// use shoot_dns::api::DnsEntrySpec;
/// use shoot_dns::provider::ProviderType;
/// use shoot_dns::records::{RecordInput, RecordType, desired};
/// use shoot_dns::{DnsName, Ttl};
///
/// let spec = DnsEntrySpec {
///     dns_name: "cname.sub.example.com".into(),
///     targets: Some(vec!["service-1.example.com".into(), "service-2.example.com".into()]),
///     ttl: Some(120),
///     ..Default::default()
/// };
/// let entry = shoot_dns::entry::validate(&spec, false)?;
/// let mut resolved: BTreeMap<DnsName, Vec<IpAddr>> = BTreeMap::new();
/// resolved.insert("service-1.example.com".parse()?, vec!["127.0.1.1".parse()?, "2001:db8::1:1".parse()?]);
/// let input = RecordInput {
///     provider_type: ProviderType::Local,
///     default_ttl: Ttl::new(360)?,
///     ip_stack: None,
///     resolved: &resolved,
///     default_cname_lookup_interval: 600,
/// };
///
/// // service-2 is not resolved yet: the adapter must look it up.
/// let first = desired(&entry, &input)?;
/// assert_eq!(first.lookups, ["service-2.example.com".parse::<DnsName>()?]);
///
/// let mut resolved = resolved.clone();
/// resolved.insert("service-2.example.com".parse()?, vec!["127.0.2.2".parse()?, "127.0.2.1".parse()?]);
/// let input = RecordInput { resolved: &resolved, ..input };
/// let records = desired(&entry, &input)?;
/// assert!(records.is_complete());
/// assert_eq!(records.sets[&RecordType::A].values, ["127.0.1.1", "127.0.2.1", "127.0.2.2"]);
/// assert_eq!(records.sets[&RecordType::AAAA].values, ["2001:db8::1:1"]);
/// assert_eq!(records.status_targets, ["127.0.1.1", "127.0.2.1", "127.0.2.2", "2001:db8::1:1"]);
/// assert_eq!((records.ttl, records.cname_lookup_interval), (120, Some(600)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn desired(entry: &ValidEntry, input: &RecordInput<'_>) -> Result<Desired, RecordError> {
    let ttl = entry.ttl.unwrap_or(input.default_ttl).seconds();
    let mut lookups = Vec::new();
    let mut cname_lookup_interval = None;
    let mut targets: Vec<(RecordType, String)> = if entry.resolve_targets_to_addresses {
        cname_lookup_interval = Some(lookup_interval(
            entry.cname_lookup_interval,
            ttl,
            input.default_cname_lookup_interval,
        ));
        let addresses = resolve(&entry.targets, input.resolved, &mut lookups);
        if addresses.is_empty() && lookups.is_empty() {
            return Err(RecordError::NoTargets);
        }
        addresses
    } else {
        entry
            .targets
            .iter()
            .map(|target| (record_type(target), target.to_string()))
            .collect()
    };
    targets.extend(entry.text.iter().map(|t| (RecordType::TXT, t.clone())));
    if input.provider_type == ProviderType::AwsRoute53 {
        targets = super::aws::map_targets(targets, input.ip_stack);
    }
    dedup_in_order(&mut targets);

    let set_identifier = entry
        .routing_policy
        .as_ref()
        .map(|p| p.set_identifier.clone())
        .unwrap_or_default();
    let mut policy = entry.routing_policy.as_ref().map(|p| Policy {
        policy_type: p.policy_type.clone(),
        parameters: p.parameters.clone(),
    });
    if input.provider_type == ProviderType::AwsRoute53
        && let Some(policy) = &mut policy
    {
        super::policy::aws_policy_as_read_back(policy);
    }
    let mut sets = DesiredRecords::new();
    for (record_type, value) in &targets {
        sets.entry(*record_type)
            .or_insert_with(|| RecordSet {
                record_type: *record_type,
                ttl,
                values: Vec::new(),
                routing_policy: policy.clone(),
            })
            .values
            .push(value.clone());
    }
    let status_routing_policy = entry
        .routing_policy
        .clone()
        .filter(|_| !set_identifier.is_empty());
    Ok(Desired {
        owner: RecordName::new(entry.dns_name.clone(), set_identifier),
        sets,
        lookups,
        cname_lookup_interval,
        status_targets: status_targets(&targets),
        ttl,
        status_routing_policy,
    })
}

/// Keeps the first of equal targets, in order (a few targets are compared directly, many through
/// a set).
fn dedup_in_order(targets: &mut Vec<(RecordType, String)>) {
    if targets.len() <= 16 {
        let mut kept: Vec<(RecordType, String)> = Vec::with_capacity(targets.len());
        for target in targets.drain(..) {
            if !kept.contains(&target) {
                kept.push(target);
            }
        }
        *targets = kept;
    } else {
        let mut seen = BTreeSet::new();
        targets.retain(|t| seen.insert(t.clone()));
    }
}

/// The type a target gives without resolution.
fn record_type(target: &Target) -> RecordType {
    match target {
        Target::Ipv4(_) => RecordType::A,
        Target::Ipv6(_) => RecordType::AAAA,
        Target::Hostname(_) => RecordType::CNAME,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::DnsEntrySpec;
    use crate::entry::validate;

    fn spec(name: &str, targets: &[&str], text: &[&str], ttl: Option<i64>) -> DnsEntrySpec {
        let list = |v: &[&str]| (!v.is_empty()).then(|| v.iter().map(|s| s.to_string()).collect());
        DnsEntrySpec {
            dns_name: name.into(),
            targets: list(targets),
            text: list(text),
            ttl,
            ..Default::default()
        }
    }

    fn entry(spec: &DnsEntrySpec) -> ValidEntry {
        validate(spec, false).unwrap()
    }

    /// F1 lookup mock (ENT-07).
    fn f1_resolved() -> BTreeMap<DnsName, Vec<IpAddr>> {
        answers(&[
            ("service-1.example.com", &["127.0.1.1", "2001:db8::1:1"]),
            ("service-2.example.com", &["127.0.2.1", "127.0.2.2"]),
        ])
    }

    fn answers(list: &[(&str, &[&str])]) -> BTreeMap<DnsName, Vec<IpAddr>> {
        list.iter()
            .map(|(name, ips)| {
                (
                    name.parse().unwrap(),
                    ips.iter().map(|ip| ip.parse().unwrap()).collect(),
                )
            })
            .collect()
    }

    fn run(
        entry: &ValidEntry,
        provider_type: ProviderType,
        ip_stack: Option<&str>,
        resolved: &BTreeMap<DnsName, Vec<IpAddr>>,
    ) -> Result<Desired, RecordError> {
        desired(
            entry,
            &RecordInput {
                provider_type,
                default_ttl: Ttl::new(360).unwrap(),
                ip_stack,
                resolved,
                default_cname_lookup_interval: 600,
            },
        )
    }

    fn local(entry: &ValidEntry) -> Desired {
        run(entry, ProviderType::Local, None, &BTreeMap::new()).unwrap()
    }

    fn values(d: &Desired, t: RecordType) -> Vec<&str> {
        d.sets[&t].values.iter().map(String::as_str).collect()
    }

    fn types(d: &Desired) -> Vec<RecordType> {
        d.sets.keys().copied().collect()
    }

    #[test]
    fn tgt_01_a_record_with_default_ttl() {
        let d = local(&entry(&spec("foo.example.com", &["1.2.3.4"], &[], None)));
        assert_eq!(d.owner.to_string(), "foo.example.com");
        assert_eq!(types(&d), [RecordType::A]);
        assert_eq!(d.sets[&RecordType::A].ttl, 360);
        assert_eq!(values(&d, RecordType::A), ["1.2.3.4"]);
        assert_eq!(d.status_targets, ["1.2.3.4"]);
        assert_eq!((d.ttl, d.cname_lookup_interval), (360, None));
        assert!(d.is_complete() && d.status_routing_policy.is_none());
    }

    #[test]
    fn tgt_03_a_and_aaaa() {
        let d = local(&entry(&spec(
            "foo.example.com",
            &["1.2.3.4", "5.6.7.8", "2001:0db8:85a3::8a2e:0370:7334"],
            &[],
            None,
        )));
        assert_eq!(types(&d), [RecordType::A, RecordType::AAAA]);
        assert_eq!(values(&d, RecordType::A), ["1.2.3.4", "5.6.7.8"]);
        // D15: canonical IPv6, the text a zone answers with
        assert_eq!(
            values(&d, RecordType::AAAA),
            ["2001:db8:85a3::8a2e:370:7334"]
        );
        assert_eq!(
            d.status_targets,
            ["1.2.3.4", "5.6.7.8", "2001:db8:85a3::8a2e:370:7334"]
        );
    }

    #[test]
    fn tgt_05_txt_values_raw_status_quoted() {
        let d = local(&entry(&spec(
            "foo.example.com",
            &[],
            &["example.com", "1.2.3.4"],
            None,
        )));
        assert_eq!(types(&d), [RecordType::TXT]);
        assert_eq!(values(&d, RecordType::TXT), ["example.com", "1.2.3.4"]);
        assert_eq!(d.status_targets, ["\"example.com\"", "\"1.2.3.4\""]);
    }

    #[test]
    fn ent_05_txt_status_targets() {
        let d = local(&entry(&spec(
            "txt.sub.example.com",
            &[],
            &["This is a text!", "blabla"],
            None,
        )));
        assert_eq!(d.status_targets, ["\"This is a text!\"", "\"blabla\""]);
        assert_eq!(d.sets[&RecordType::TXT].ttl, 360);
        let d = local(&entry(&spec(
            "txt.sub.example.com",
            &[],
            &["This is the *UPDATED* text!!!!"],
            None,
        )));
        assert_eq!(d.status_targets, ["\"This is the *UPDATED* text!!!!\""]);
        assert_eq!(
            values(&d, RecordType::TXT),
            ["This is the *UPDATED* text!!!!"]
        );
    }

    #[test]
    fn ent_07_multiple_cname_targets_are_resolved() {
        let e = entry(&spec(
            "cname.sub.example.com",
            &["service-1.example.com", "service-2.example.com"],
            &[],
            Some(120),
        ));
        let d = run(&e, ProviderType::Local, None, &f1_resolved()).unwrap();
        assert_eq!(
            values(&d, RecordType::A),
            ["127.0.1.1", "127.0.2.1", "127.0.2.2"]
        );
        assert_eq!(values(&d, RecordType::AAAA), ["2001:db8::1:1"]);
        assert_eq!(d.sets[&RecordType::A].ttl, 120);
        assert_eq!(
            d.status_targets,
            ["127.0.1.1", "127.0.2.1", "127.0.2.2", "2001:db8::1:1"]
        );
        assert_eq!((d.ttl, d.cname_lookup_interval), (120, Some(600)));
        assert!(d.is_complete());
    }

    #[test]
    fn single_hostname_is_a_canonical_cname() {
        // entry C of F1, written with upper case and a trailing dot
        let d = local(&entry(&spec(
            "cname.sub.example.com",
            &["WWW.Somewhere.com."],
            &[],
            Some(120),
        )));
        assert_eq!(types(&d), [RecordType::CNAME]);
        assert_eq!(values(&d, RecordType::CNAME), ["www.somewhere.com"]);
        assert_eq!(d.sets[&RecordType::CNAME].ttl, 120);
        assert_eq!(d.status_targets, ["www.somewhere.com"]);
        assert_eq!(d.cname_lookup_interval, None);
    }

    #[test]
    fn resolve_targets_to_addresses_with_one_hostname() {
        let mut s = spec("a.example.com", &["service-2.example.com"], &[], None);
        s.resolve_targets_to_addresses = Some(true);
        let d = run(&entry(&s), ProviderType::Local, None, &f1_resolved()).unwrap();
        assert_eq!(types(&d), [RecordType::A]);
        assert_eq!(values(&d, RecordType::A), ["127.0.2.1", "127.0.2.2"]);
        assert_eq!(d.cname_lookup_interval, Some(600));
    }

    #[test]
    fn lookup_interval_follows_spec_and_ttl() {
        // through desired: spec 60, TTL 600 → 200
        let mut s = spec("a.example.com", &["service-1.example.com"], &[], Some(600));
        s.resolve_targets_to_addresses = Some(true);
        s.cname_lookup_interval = Some(60);
        let d = run(&entry(&s), ProviderType::Local, None, &f1_resolved()).unwrap();
        assert_eq!(d.cname_lookup_interval, Some(200));
    }

    #[test]
    fn unanswered_hostnames_are_lookups() {
        let e = entry(&spec(
            "a.example.com",
            &["service-1.example.com", "service-3.example.com"],
            &[],
            None,
        ));
        // nothing known: no sets, both to resolve
        let d = run(&e, ProviderType::Local, None, &BTreeMap::new()).unwrap();
        assert!(d.sets.is_empty() && d.status_targets.is_empty());
        assert_eq!(d.lookups.len(), 2);
        assert!(!d.is_complete());
        // one known: its sets, the other to resolve
        let d = run(&e, ProviderType::Local, None, &f1_resolved()).unwrap();
        assert_eq!(
            d.lookups,
            ["service-3.example.com".parse::<DnsName>().unwrap()]
        );
        assert_eq!(values(&d, RecordType::A), ["127.0.1.1"]);
        assert_eq!(d.cname_lookup_interval, Some(600));
    }

    #[test]
    fn hostnames_without_addresses_are_dropped() {
        let e = entry(&spec(
            "a.example.com",
            &["service-1.example.com", "gone.example.com"],
            &[],
            None,
        ));
        let mut resolved = f1_resolved();
        resolved.insert("gone.example.com".parse().unwrap(), Vec::new());
        let d = run(&e, ProviderType::Local, None, &resolved).unwrap();
        assert!(d.is_complete());
        assert_eq!(d.status_targets, ["127.0.1.1", "2001:db8::1:1"]);
        // nothing resolves at all
        let only_gone = answers(&[("gone.example.com", &[]), ("service-1.example.com", &[])]);
        let err = run(&e, ProviderType::Local, None, &only_gone).unwrap_err();
        assert_eq!(err, RecordError::NoTargets);
        assert_eq!(err.to_string(), "no target or text specified");
    }

    #[test]
    fn removal_entry_wants_nothing() {
        // TGT-11: valid only while the entry owns records
        let e = validate(&spec("a.example.com", &[], &[], None), true).unwrap();
        let d = local(&e);
        assert!(d.sets.is_empty() && d.status_targets.is_empty() && d.is_complete());
    }

    const LB: &str = "my-lb-1.eu-central-1.elb.amazonaws.com";

    fn aws(target: &str, ip_stack: Option<&str>) -> Desired {
        let e = entry(&spec("a.example.org", &[target], &[], Some(300)));
        run(&e, ProviderType::AwsRoute53, ip_stack, &BTreeMap::new()).unwrap()
    }

    #[test]
    fn aws_alias_default_is_alias_a() {
        // AWS-18
        let d = aws(LB, None);
        assert_eq!(types(&d), [RecordType::ALIAS, RecordType::TXT]);
        assert_eq!(values(&d, RecordType::ALIAS), [LB]);
        assert_eq!(values(&d, RecordType::TXT), [LB]);
        assert!(d.sets.values().all(|s| s.ttl == 300));
        assert_eq!(d.status_targets, [LB]);
        assert_eq!(types(&aws(LB, Some("ipv4"))), types(&d));
    }

    #[test]
    fn aws_alias_dual_stack_and_ipv6() {
        let d = aws(LB, Some("dual-stack"));
        assert_eq!(
            types(&d),
            [RecordType::ALIAS, RecordType::ALIAS_AAAA, RecordType::TXT]
        );
        assert_eq!(d.status_targets, [LB]);
        let d = aws(LB, Some("ipv6"));
        assert_eq!(types(&d), [RecordType::ALIAS_AAAA, RecordType::TXT]);
        assert_eq!(d.status_targets, [LB]);
    }

    #[test]
    fn aws_leaves_other_hostnames_and_other_providers_alone() {
        for target in ["www.example.com", "evilelb.amazonaws.com.example.org"] {
            let d = aws(target, Some("dual-stack"));
            assert_eq!(types(&d), [RecordType::CNAME], "{target}");
            assert_eq!(values(&d, RecordType::CNAME), [target]);
        }
        let e = entry(&spec("a.example.org", &[LB], &[], None));
        let d = run(
            &e,
            ProviderType::Local,
            Some("dual-stack"),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(types(&d), [RecordType::CNAME]);
    }

    fn policy(set_identifier: &str, weight: &str) -> Option<RoutingPolicy> {
        Some(RoutingPolicy {
            policy_type: "weighted".into(),
            set_identifier: set_identifier.into(),
            parameters: [("weight".to_string(), weight.to_string())].into(),
        })
    }

    #[test]
    fn rp_01_routing_policy_records() {
        let mut s = spec("test.sub.example.com", &["1.2.3.4"], &[], None);
        s.routing_policy = policy("set1", "50");
        let d = local(&entry(&s));
        assert_eq!(d.owner.to_string(), "test.sub.example.com#set1");
        let expected = Some(Policy {
            policy_type: "weighted".into(),
            parameters: [("weight".to_string(), "50".to_string())].into(),
        });
        assert_eq!(d.sets[&RecordType::A].routing_policy, expected);
        assert_eq!(d.status_routing_policy, s.routing_policy);
        assert_eq!(d.status_targets, ["1.2.3.4"]);

        // the update: A and AAAA, both with the new weight
        s.targets = Some(vec!["5.6.7.8".into(), "1234::5678".into()]);
        s.routing_policy = policy("set1", "10");
        let d = local(&entry(&s));
        assert_eq!(types(&d), [RecordType::A, RecordType::AAAA]);
        for set in d.sets.values() {
            assert_eq!(
                set.routing_policy.as_ref().unwrap().parameters["weight"],
                "10"
            );
            assert_eq!(set.ttl, 360);
        }
        assert_eq!(d.status_targets, ["5.6.7.8", "1234::5678"]);
    }

    #[test]
    fn a_route53_geolocation_name_is_planned_as_route53_gives_it_back() {
        let mut s = spec("geo.example.org", &["1.2.3.4"], &[], None);
        s.routing_policy = Some(RoutingPolicy {
            policy_type: "geolocation".into(),
            set_identifier: "de".into(),
            parameters: [("location".to_string(), "Germany".to_string())].into(),
        });
        let e = entry(&s);
        let d = run(&e, ProviderType::AwsRoute53, None, &BTreeMap::new()).unwrap();
        let planned = d.sets[&RecordType::A].routing_policy.as_ref().unwrap();
        assert_eq!(planned.parameters["location"], "country=DE");
        // the status shows the entry's own words
        assert_eq!(d.status_routing_policy, s.routing_policy);
        let d = local(&e);
        let kept = d.sets[&RecordType::A].routing_policy.as_ref().unwrap();
        assert_eq!(kept.parameters["location"], "Germany");
    }

    #[test]
    fn rp_03_without_policy_the_owner_is_plain() {
        let d = local(&entry(&spec(
            "test.sub.example.com",
            &["1.2.3.4"],
            &[],
            None,
        )));
        assert_eq!(d.owner.set_identifier, "");
        assert!(d.status_routing_policy.is_none());
        assert!(d.sets[&RecordType::A].routing_policy.is_none());
    }

    #[test]
    fn policy_without_set_identifier_stays_on_the_records_only() {
        // §2.4: the records carry the policy, the status shows none
        let mut s = spec("test.sub.example.com", &["1.2.3.4"], &[], None);
        s.routing_policy = policy("", "50");
        let d = local(&entry(&s));
        assert_eq!(d.owner.to_string(), "test.sub.example.com");
        assert!(d.sets[&RecordType::A].routing_policy.is_some());
        assert!(d.status_routing_policy.is_none());
    }
}
