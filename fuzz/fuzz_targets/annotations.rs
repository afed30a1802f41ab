//! The annotation catalogue: no panic on any set of annotations, and the parsed values keep the
//! rules of their keys.
//!
//! Input format, one annotation a line: an optional `+` (the annotation goes to the
//! DNSAnnotation overlay instead of the object's own map), then a selector character, then the
//! value. The selector picks the key: `a` is `dnsnames`, `b` `class`, ... in the order of
//! [`KEYS`] (any character works, taken modulo), and the slot after the last key (`s`) takes
//! the rest of the line as `key=value`. The whole input is also fed as one raw value to each
//! value parser.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use shoot_dns::annotations::{
    self as a, AnnotationError, CommonAnnotations, DnsNames, MergedAnnotations,
    decode_routing_policy, parse_ingress_ref, parse_targets,
};
use shoot_dns::api::{Ingress, IngressRule, LoadBalancerIngress, Service};
use shoot_dns::sources::{SourceConfig, ingress_input, service_input};

const KEYS: [&str; 18] = [
    a::DNSNAMES,
    a::CLASS,
    a::TTL,
    a::CNAME_LOOKUP_INTERVAL,
    a::RESOLVE_TARGETS_TO_ADDRESSES,
    a::ROUTING_POLICY,
    a::IGNORE,
    a::TARGET_HARD_IGNORE,
    a::IP_STACK,
    a::AWS_IP_ADDRESS_TYPE,
    a::OPENSTACK_LOAD_BALANCER_ADDRESS,
    a::TARGETS,
    a::INGRESS,
    a::OWNERS,
    a::TARGET_ENTRY,
    a::NOT_RATE_LIMITED,
    a::VALIDATION_ERROR,
    a::REALMS,
];

const MAX_SECONDS: i64 = 8_640_000;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (own, overlay) = split(&text);

    check_common(&own, None);
    check_common(&own, Some(&overlay));
    check_sources(&own, &overlay);

    // Every value parser on the raw text.
    check_dns_names(&text);
    check_targets(&text);
    check_ingress_ref(&text);
    check_routing_policy(&text);
});

/// The own and the overlay annotations the input describes.
fn split(text: &str) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let (mut own, mut overlay) = (BTreeMap::new(), BTreeMap::new());
    for line in text.split('\n') {
        let (map, line) = match line.strip_prefix('+') {
            Some(rest) => (&mut overlay, rest),
            None => (&mut own, line),
        };
        let mut chars = line.chars();
        let Some(selector) = chars.next() else {
            continue;
        };
        let value = chars.as_str();
        let slot = (selector as u32).wrapping_sub('a' as u32) as usize % (KEYS.len() + 1);
        let (key, value) = match KEYS.get(slot) {
            Some(key) => (*key, value),
            None => value.split_once('=').unwrap_or((value, "")),
        };
        map.insert(key.to_owned(), value.to_owned());
    }
    (own, overlay)
}

fn check_common(own: &BTreeMap<String, String>, overlay: Option<&BTreeMap<String, String>>) {
    let merged = MergedAnnotations::new(own, overlay);
    for key in KEYS {
        let expected = own
            .get(key)
            .or_else(|| overlay.and_then(|o| o.get(key)))
            .map(String::as_str);
        assert_eq!(merged.raw(key), expected, "{key}: the own value must win");
        assert_eq!(merged.get(key), expected.filter(|v| !v.is_empty()));
    }
    match DnsNames::of(&merged) {
        Ok(names) => {
            assert_eq!(names.is_some(), merged.raw(a::DNSNAMES).is_some());
            if let Some(names) = &names {
                check_dns_names_value(names);
            }
        }
        Err(error) => {
            assert_eq!(error, AnnotationError::EmptyDnsNames);
            assert_eq!(merged.raw(a::DNSNAMES), Some(""));
        }
    }
    match CommonAnnotations::parse(&merged) {
        Ok(common) => {
            if let Some(ttl) = common.ttl {
                assert!((1..=MAX_SECONDS).contains(&ttl), "ttl {ttl}");
            }
            if let Some(interval) = common.cname_lookup_interval {
                assert!(
                    (30..=MAX_SECONDS).contains(&interval),
                    "interval {interval}"
                );
            }
            assert_eq!(
                common.resolve_targets_to_addresses,
                merged
                    .get(a::RESOLVE_TARGETS_TO_ADDRESSES)
                    .map(|v| v == "true")
            );
            assert_eq!(
                common.routing_policy.is_some(),
                merged.get(a::ROUTING_POLICY).is_some()
            );
            assert_eq!(common.ip_stack, merged.get(a::IP_STACK));
        }
        Err(error) => {
            assert!(KEYS.contains(&error.key()), "{error:?}");
            assert_ne!(error, AnnotationError::EmptyDnsNames);
            drop(error.to_string());
        }
    }
}

/// A Service and an Ingress carrying the annotations; the Ingress declares the hosts listed in
/// `dns.gardener.cloud/targets`, and both load balancers report the same items.
fn check_sources(own: &BTreeMap<String, String>, overlay: &BTreeMap<String, String>) {
    let hosts = own
        .get(a::TARGETS)
        .map_or_else(Vec::new, |v| parse_targets(v));
    let lb: Vec<LoadBalancerIngress> = hosts
        .iter()
        .map(|h| {
            if h.parse::<std::net::IpAddr>().is_ok() {
                LoadBalancerIngress {
                    ip: Some((*h).to_owned()),
                    hostname: None,
                }
            } else {
                LoadBalancerIngress {
                    ip: None,
                    hostname: Some((*h).to_owned()),
                }
            }
        })
        .collect();

    let mut ingress = Ingress::default();
    ingress.metadata.name = Some("fuzz".to_owned());
    ingress.metadata.annotations = own.clone();
    ingress.spec.rules = hosts
        .iter()
        .map(|h| IngressRule {
            host: Some((*h).to_owned()),
        })
        .collect();
    ingress.status.load_balancer.ingress = lb.clone();

    let mut service = Service::default();
    service.metadata.name = Some("fuzz".to_owned());
    service.metadata.annotations = own.clone();
    service.spec.service_type = Some("LoadBalancer".to_owned());
    service.status.load_balancer.ingress = lb;

    let config = SourceConfig::default();
    for overlay in [None, Some(overlay)] {
        let merged = MergedAnnotations::new(own, overlay);
        match ingress_input(&ingress, &merged, &config) {
            Ok(Some(input)) => {
                for name in &input.names {
                    assert!(hosts.contains(&name.as_str()), "undeclared {name:?}");
                }
                assert_unique(&input.names);
                assert_unique(&input.targets);
            }
            Ok(None) => {}
            Err(error) => drop(error.to_string()),
        }
        match service_input(&service, &merged, &config) {
            Ok(Some(input)) => {
                let names = DnsNames::parse(merged.raw(a::DNSNAMES).unwrap_or_default())
                    .expect("a relevant Service has valid dnsnames");
                assert!(!names.all);
                assert_eq!(input.names, names.listed);
                assert_unique(&input.targets);
            }
            Ok(None) => {}
            Err(error) => drop(error.to_string()),
        }
    }
}

fn assert_unique(items: &[String]) {
    for (i, item) in items.iter().enumerate() {
        assert!(!items[..i].contains(item), "{item:?} twice in {items:?}");
    }
}

fn check_dns_names(text: &str) {
    match DnsNames::parse(text) {
        Ok(names) => {
            assert!(!text.is_empty());
            check_dns_names_value(&names);
        }
        Err(error) => {
            assert_eq!(error, AnnotationError::EmptyDnsNames);
            assert!(text.is_empty());
        }
    }
}

fn check_dns_names_value(names: &DnsNames<'_>) {
    for (i, name) in names.listed.iter().enumerate() {
        assert!(!name.is_empty() && *name == name.trim() && !name.contains(','));
        assert!(*name != "*" && *name != "all");
        assert!(!names.listed[..i].contains(name), "{name:?} twice");
    }
}

fn check_targets(text: &str) {
    let targets = parse_targets(text);
    for (i, target) in targets.iter().enumerate() {
        assert!(!target.is_empty() && *target == target.trim() && !target.contains(','));
        assert!(!targets[..i].contains(target), "{target:?} twice");
    }
}

fn check_ingress_ref(text: &str) {
    match parse_ingress_ref(text, "default") {
        Ok((namespace, name)) => {
            assert!(text.matches('/').count() <= 1);
            if text.contains('/') {
                assert_eq!(format!("{namespace}/{name}"), text);
            } else {
                assert_eq!((namespace, name), ("default", text));
            }
        }
        Err(error) => {
            assert!(text.matches('/').count() > 1);
            assert_eq!(error.key(), a::INGRESS);
            drop(error.to_string());
        }
    }
}

fn check_routing_policy(text: &str) {
    match decode_routing_policy(text) {
        Ok(policy) => {
            let json = serde_json::to_string(&policy).expect("a policy serialises");
            let again = decode_routing_policy(&json)
                .unwrap_or_else(|e| panic!("{text:?}: {json} does not decode again: {e}"));
            assert_eq!(again, policy, "{text:?}: round trip through {json}");
        }
        Err(error) => assert!(!error.message.is_empty()),
    }
}
