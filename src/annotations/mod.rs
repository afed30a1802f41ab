//! The annotation catalogue (docs/sources.md §1): every key the sources read or write, how each
//! value is parsed, and the exact error texts.
//!
//! | key | read by | value |
//! |---|---|---|
//! | `dns.gardener.cloud/dnsnames` | all but DNSEntry | comma list; `*`/`all` = every declared host; `""` is an error |
//! | `dns.gardener.cloud/class` | all | class, `""` = `gardendns` |
//! | `dns.gardener.cloud/ttl` | all but DNSEntry | decimal seconds, `0` = provider default |
//! | `dns.gardener.cloud/cname-lookup-interval` | all but DNSEntry | decimal seconds, `0` = default |
//! | `dns.gardener.cloud/resolve-targets-to-addresses` | all but DNSEntry | `true`, anything else = `false` |
//! | `dns.gardener.cloud/routing-policy` | all but DNSEntry | JSON `{type, setIdentifier, parameters}` |
//! | `dns.gardener.cloud/ignore` | all | `true`/`reconcile` → `reconcile`, `full` → `full` |
//! | `dns.gardener.cloud/ip-stack` | Service, Ingress, DNSEntry | `ipv4`, `dual-stack`, `ipv6` (copied) |
//! | `service.beta.kubernetes.io/aws-load-balancer-ip-address-type` | Service | `dualstack` → ip-stack `dual-stack` |
//! | `loadbalancer.openstack.org/load-balancer-address` | Service | replaces host name targets |
//! | `dns.gardener.cloud/targets` | Istio Gateway | comma list of targets |
//! | `dns.gardener.cloud/ingress` | Istio Gateway | `name` or `namespace/name` of an Ingress |
//!
//! Values are read from the *merged* annotations: a DNSAnnotation's overlay under the object's
//! own annotations, the object's own value winning ([`MergedAnnotations`]). An empty value counts
//! as absent for every key but `dnsnames`.

pub(crate) mod routing_policy;

use std::collections::BTreeMap;

pub use routing_policy::{RoutingPolicyJsonError, decode as decode_routing_policy};

use crate::api::RoutingPolicy;
use crate::quote::{GoIntError, go_parse_int, go_quote};

/// `dns.gardener.cloud/dnsnames`
pub const DNSNAMES: &str = "dns.gardener.cloud/dnsnames";
/// `dns.gardener.cloud/class`
pub const CLASS: &str = "dns.gardener.cloud/class";
/// `dns.gardener.cloud/ttl`
pub const TTL: &str = "dns.gardener.cloud/ttl";
/// `dns.gardener.cloud/cname-lookup-interval`
pub const CNAME_LOOKUP_INTERVAL: &str = "dns.gardener.cloud/cname-lookup-interval";
/// `dns.gardener.cloud/resolve-targets-to-addresses`
pub const RESOLVE_TARGETS_TO_ADDRESSES: &str = "dns.gardener.cloud/resolve-targets-to-addresses";
/// `dns.gardener.cloud/routing-policy`
pub const ROUTING_POLICY: &str = "dns.gardener.cloud/routing-policy";
/// `dns.gardener.cloud/ignore`
pub const IGNORE: &str = "dns.gardener.cloud/ignore";
/// `dns.gardener.cloud/target-hard-ignore` (on target entries only; never propagated)
pub const TARGET_HARD_IGNORE: &str = "dns.gardener.cloud/target-hard-ignore";
/// `dns.gardener.cloud/ip-stack`
pub const IP_STACK: &str = "dns.gardener.cloud/ip-stack";
/// `service.beta.kubernetes.io/aws-load-balancer-ip-address-type`
pub const AWS_IP_ADDRESS_TYPE: &str =
    "service.beta.kubernetes.io/aws-load-balancer-ip-address-type";
/// `loadbalancer.openstack.org/load-balancer-address`
pub const OPENSTACK_LOAD_BALANCER_ADDRESS: &str =
    "loadbalancer.openstack.org/load-balancer-address";
/// `dns.gardener.cloud/targets` (Istio Gateways)
pub const TARGETS: &str = "dns.gardener.cloud/targets";
/// `dns.gardener.cloud/ingress` (Istio Gateways)
pub const INGRESS: &str = "dns.gardener.cloud/ingress";
/// `resources.gardener.cloud/owners`: owners of a generated entry in another namespace or cluster
pub const OWNERS: &str = "resources.gardener.cloud/owners";
/// `dns.gardener.cloud/target-entry`: on a replicated source DNSEntry, its target
pub const TARGET_ENTRY: &str = "dns.gardener.cloud/target-entry";
/// `dns.gardener.cloud/not-rate-limited` (defined, read by no source)
pub const NOT_RATE_LIMITED: &str = "dns.gardener.cloud/not-rate-limited";
/// `dns.gardener.cloud/validation-error` (DNSProvider replication only)
pub const VALIDATION_ERROR: &str = "dns.gardener.cloud/validation-error";
/// `dns.gardener.cloud/realms` (legacy)
pub const REALMS: &str = "dns.gardener.cloud/realms";

/// The annotations of one object with a DNSAnnotation's overlay below them.
#[derive(Debug, Clone, Copy)]
pub struct MergedAnnotations<'a> {
    own: &'a BTreeMap<String, String>,
    overlay: Option<&'a BTreeMap<String, String>>,
}

impl<'a> MergedAnnotations<'a> {
    /// An object's own annotations, and the overlay of the DNSAnnotation that references it.
    pub fn new(
        own: &'a BTreeMap<String, String>,
        overlay: Option<&'a BTreeMap<String, String>>,
    ) -> Self {
        Self { own, overlay }
    }

    /// The value of `key`, present even if empty. The object's own value wins.
    pub fn raw(&self, key: &str) -> Option<&'a str> {
        self.own
            .get(key)
            .or_else(|| self.overlay.and_then(|o| o.get(key)))
            .map(String::as_str)
    }

    /// The value of `key` when present and not empty.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.raw(key).filter(|v| !v.is_empty())
    }
}

/// The parsed `dns.gardener.cloud/dnsnames` value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DnsNames<'a> {
    /// The names other than `*`/`all`: trimmed, non-empty, first occurrence kept, in order.
    pub listed: Vec<&'a str>,
    /// Whether `*` or `all` was given: every host the object declares.
    pub all: bool,
}

impl<'a> DnsNames<'a> {
    /// The `dnsnames` of an object: `Ok(None)` when the annotation is absent (the object is then
    /// not relevant).
    pub fn of(annotations: &MergedAnnotations<'a>) -> Result<Option<Self>, AnnotationError> {
        annotations.raw(DNSNAMES).map(Self::parse).transpose()
    }

    /// Parses the value (docs/sources.md §1.1). Only the exact value `""` is an error.
    ///
    /// `None` stands for an absent annotation: [`DnsNames::of`] reads it from the annotations.
    ///
    /// ```
    /// use shoot_dns::annotations::DnsNames;
    ///
    /// let names = DnsNames::parse(" a.example.com , ,b.example.com,a.example.com,all").unwrap();
    /// assert_eq!(names.listed, ["a.example.com", "b.example.com"]);
    /// assert!(names.all);
    /// assert!(DnsNames::parse("").is_err());
    /// ```
    pub fn parse(value: &'a str) -> Result<Self, AnnotationError> {
        if value.is_empty() {
            return Err(AnnotationError::EmptyDnsNames);
        }
        let mut names = DnsNames::default();
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if item == "*" || item == "all" {
                names.all = true;
            } else if !names.listed.contains(&item) {
                names.listed.push(item);
            }
        }
        Ok(names)
    }
}

/// What `dns.gardener.cloud/ignore` asks of the generated entry (docs/sources.md §1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IgnoreMode {
    /// Records are not updated, but are cleaned up on deletion.
    Reconcile,
    /// Records are neither updated nor deleted.
    Full,
}

impl IgnoreMode {
    /// The mode a source's `ignore` value asks for: `true`/`reconcile` → reconcile, `full` →
    /// full, anything else → none.
    pub fn of_source_value(value: Option<&str>) -> Option<Self> {
        match value? {
            "true" | "reconcile" => Some(Self::Reconcile),
            "full" => Some(Self::Full),
            _ => None,
        }
    }

    /// The value written on the target entry.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reconcile => "reconcile",
            Self::Full => "full",
        }
    }
}

/// The annotations every source kind but DNSEntry honours besides `dnsnames`, parsed
/// (docs/sources.md §1.3–1.8). `dnsnames` comes first, through [`DnsNames::parse`] and the kind's
/// own rules; these follow.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CommonAnnotations<'a> {
    /// `ttl`; `None` for absent, empty or `0`.
    pub ttl: Option<i64>,
    /// `cname-lookup-interval`; `None` for absent, empty or `0`.
    pub cname_lookup_interval: Option<i64>,
    /// `resolve-targets-to-addresses`: `Some(true)` for `true`, `Some(false)` for any other
    /// non-empty value.
    pub resolve_targets_to_addresses: Option<bool>,
    /// `routing-policy`, decoded.
    pub routing_policy: Option<RoutingPolicy>,
    /// `ignore`, translated.
    pub ignore: Option<IgnoreMode>,
    /// `ip-stack`, copied as is (there is no validation).
    pub ip_stack: Option<&'a str>,
}

impl<'a> CommonAnnotations<'a> {
    /// Parses the common annotations in Gardener's order (routing policy, TTL, lookup
    /// interval), stopping at the first error.
    pub fn parse(annotations: &MergedAnnotations<'a>) -> Result<Self, AnnotationError> {
        let routing_policy = annotations
            .get(ROUTING_POLICY)
            .map(|v| {
                decode_routing_policy(v).map_err(|e| AnnotationError::InvalidRoutingPolicy {
                    value: v.to_owned(),
                    message: e.message,
                })
            })
            .transpose()?;
        let ttl = parse_seconds(annotations, TTL, 1)?;
        let resolve_targets_to_addresses = annotations
            .get(RESOLVE_TARGETS_TO_ADDRESSES)
            .map(|v| v == "true");
        let cname_lookup_interval = parse_seconds(annotations, CNAME_LOOKUP_INTERVAL, 30)?;
        Ok(Self {
            ttl,
            cname_lookup_interval,
            resolve_targets_to_addresses,
            routing_policy,
            ignore: IgnoreMode::of_source_value(annotations.get(IGNORE)),
            ip_stack: annotations.get(IP_STACK),
        })
    }
}

/// The largest TTL or lookup interval the DNSEntry CRD allows.
const MAX_SECONDS: i64 = 8_640_000;

fn parse_seconds(
    annotations: &MergedAnnotations<'_>,
    key: &'static str,
    min: i64,
) -> Result<Option<i64>, AnnotationError> {
    let Some(value) = annotations.get(key) else {
        return Ok(None);
    };
    let invalid = |rule| AnnotationError::InvalidSeconds {
        key,
        value: value.to_owned(),
        rule,
    };
    match go_parse_int(value) {
        Ok(0) => Ok(None),
        Ok(n) if (min..=MAX_SECONDS).contains(&n) => Ok(Some(n)),
        Ok(_) => Err(invalid(NumberRule::OutOfRange {
            min,
            max: MAX_SECONDS,
        })),
        Err(GoIntError::Syntax) => Err(invalid(NumberRule::Syntax)),
        Err(GoIntError::Range) => Err(invalid(NumberRule::Overflow)),
    }
}

/// Which rule a number in an annotation breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NumberRule {
    /// Not a decimal integer.
    Syntax,
    /// Outside the signed 64-bit range.
    Overflow,
    /// Outside what the DNSEntry CRD allows.
    OutOfRange {
        /// Smallest allowed value (besides `0`).
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
}

/// An annotation whose value breaks its rule. The texts are Gardener's where Gardener has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnnotationError {
    /// `dnsnames` present with the value `""`.
    #[error("empty value for annotation \"dns.gardener.cloud/dnsnames\"")]
    EmptyDnsNames,
    /// A TTL or interval that is not a number in range.
    #[error("{}", seconds_message(key, value, *rule))]
    InvalidSeconds {
        /// The annotation key.
        key: &'static str,
        /// The value as written.
        value: String,
        /// The rule it breaks.
        rule: NumberRule,
    },
    /// `routing-policy` that is no JSON routing policy. The message is the Go decoder's, as
    /// Gardener shows it (unprefixed).
    #[error("{message}")]
    InvalidRoutingPolicy {
        /// The value as written.
        value: String,
        /// Why it does not decode.
        message: String,
    },
    /// `ingress` with more than one `/`.
    #[error("invalid annotation dns.gardener.cloud/ingress: {value}")]
    InvalidIngressRef {
        /// The value as written.
        value: String,
    },
}

impl AnnotationError {
    /// The key of the annotation at fault.
    pub fn key(&self) -> &'static str {
        match self {
            Self::EmptyDnsNames => DNSNAMES,
            Self::InvalidSeconds { key, .. } => key,
            Self::InvalidRoutingPolicy { .. } => ROUTING_POLICY,
            Self::InvalidIngressRef { .. } => INGRESS,
        }
    }
}

fn seconds_message(key: &str, value: &str, rule: NumberRule) -> String {
    let what = if key == TTL {
        "TTL"
    } else {
        "CNameLookupInterval"
    };
    match rule {
        NumberRule::Syntax => format!("invalid {what}: {}", GoIntError::Syntax.message(value)),
        NumberRule::Overflow => format!("invalid {what}: {}", GoIntError::Range.message(value)),
        NumberRule::OutOfRange { min, max } => format!(
            "invalid {what}: {} is out of range: annotation \"{key}\" must be between {min} and \
             {max} seconds, or 0 for the default",
            go_quote(value)
        ),
    }
}

/// Parses `dns.gardener.cloud/targets` (COMPATIBILITY.md#d5): split on commas, trimmed, empty items
/// dropped, first occurrence kept.
pub fn parse_targets(value: &str) -> Vec<&str> {
    let mut targets: Vec<&str> = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if !targets.contains(&item) {
            targets.push(item);
        }
    }
    targets
}

/// Parses `dns.gardener.cloud/ingress`: `name` (in `default_namespace`) or `namespace/name`.
/// Returns `(namespace, name)`.
pub fn parse_ingress_ref<'a>(
    value: &'a str,
    default_namespace: &'a str,
) -> Result<(&'a str, &'a str), AnnotationError> {
    let mut parts = value.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), None, None) => Ok((default_namespace, name)),
        (Some(namespace), Some(name), None) => Ok((namespace, name)),
        _ => Err(AnnotationError::InvalidIngressRef {
            value: value.to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn parse(pairs: &[(&str, &str)]) -> Result<CommonAnnotations<'static>, AnnotationError> {
        let own = Box::leak(Box::new(map(pairs)));
        CommonAnnotations::parse(&MergedAnnotations::new(own, None))
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        parse(pairs).unwrap_err().to_string()
    }

    #[test]
    fn dnsnames() {
        let n = DnsNames::parse(" a.example.com , ,b.example.com,a.example.com").unwrap();
        assert_eq!(n.listed, ["a.example.com", "b.example.com"]);
        assert!(!n.all);
        for empty in [",", " "] {
            assert_eq!(DnsNames::parse(empty).unwrap(), DnsNames::default());
        }
        assert!(DnsNames::parse("*").unwrap().all);
        assert!(DnsNames::parse("all").unwrap().all);
        let upper = DnsNames::parse("ALL,All").unwrap();
        assert!(!upper.all);
        assert_eq!(upper.listed, ["ALL", "All"]);
        let own = map(&[(DNSNAMES, "")]);
        assert_eq!(
            DnsNames::of(&MergedAnnotations::new(&own, None))
                .unwrap_err()
                .to_string(),
            "empty value for annotation \"dns.gardener.cloud/dnsnames\""
        );
        assert_eq!(
            DnsNames::of(&MergedAnnotations::new(&map(&[]), None)),
            Ok(None)
        );
    }

    #[test]
    fn gardener_order() {
        // routing policy before TTL before lookup interval
        let bad_all = [
            (ROUTING_POLICY, "{"),
            (TTL, "x"),
            (CNAME_LOOKUP_INTERVAL, "y"),
        ];
        assert_eq!(parse(&bad_all).unwrap_err().key(), ROUTING_POLICY);
        assert_eq!(parse(&bad_all[1..]).unwrap_err().key(), TTL);
    }

    #[test]
    fn ttl() {
        assert_eq!(parse(&[(TTL, "600")]).unwrap().ttl, Some(600));
        assert_eq!(parse(&[(TTL, "+600")]).unwrap().ttl, Some(600));
        assert_eq!(parse(&[(TTL, "0")]).unwrap().ttl, None);
        assert_eq!(parse(&[(TTL, "")]).unwrap().ttl, None);
        assert_eq!(
            error(&[(TTL, "abc")]),
            "invalid TTL: strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            error(&[(TTL, "99999999999999999999")]),
            "invalid TTL: strconv.ParseInt: parsing \"99999999999999999999\": value out of range"
        );
        assert_eq!(
            error(&[(TTL, "-5")]),
            "invalid TTL: \"-5\" is out of range: annotation \"dns.gardener.cloud/ttl\" must be \
             between 1 and 8640000 seconds, or 0 for the default"
        );
        assert!(error(&[(TTL, "8640001")]).contains("out of range"));
        assert_eq!(
            parse(&[(TTL, " 5")]).unwrap_err(),
            AnnotationError::InvalidSeconds {
                key: TTL,
                value: " 5".into(),
                rule: NumberRule::Syntax
            }
        );
    }

    #[test]
    fn cname_lookup_interval() {
        assert_eq!(
            parse(&[(CNAME_LOOKUP_INTERVAL, "456")])
                .unwrap()
                .cname_lookup_interval,
            Some(456)
        );
        assert_eq!(
            error(&[(CNAME_LOOKUP_INTERVAL, "x")]),
            "invalid CNameLookupInterval: strconv.ParseInt: parsing \"x\": invalid syntax"
        );
        assert!(error(&[(CNAME_LOOKUP_INTERVAL, "10")]).contains("between 30 and 8640000"));
    }

    #[test]
    fn resolve_targets() {
        // EDGE-05
        for (value, expected) in [
            ("true", Some(true)),
            ("false", Some(false)),
            ("True", Some(false)),
            ("yes", Some(false)),
            ("", None),
        ] {
            let parsed = parse(&[(RESOLVE_TARGETS_TO_ADDRESSES, value)]).unwrap();
            assert_eq!(parsed.resolve_targets_to_addresses, expected, "{value}");
        }
    }

    #[test]
    fn ignore_translation() {
        for (value, expected) in [
            ("true", Some(IgnoreMode::Reconcile)),
            ("reconcile", Some(IgnoreMode::Reconcile)),
            ("full", Some(IgnoreMode::Full)),
            ("false", None),
            ("TRUE", None),
            ("", None),
        ] {
            assert_eq!(
                parse(&[(IGNORE, value)]).unwrap().ignore,
                expected,
                "{value}"
            );
        }
    }

    #[test]
    fn ip_stack_is_copied() {
        assert_eq!(
            parse(&[(IP_STACK, "banana")]).unwrap().ip_stack,
            Some("banana")
        );
        assert_eq!(parse(&[(IP_STACK, "")]).unwrap().ip_stack, None);
    }

    #[test]
    fn routing_policy() {
        let p = parse(&[(
            ROUTING_POLICY,
            r#"{"type": "weighted", "setIdentifier": "my-id", "parameters": {"weight": "10"}}"#,
        )])
        .unwrap()
        .routing_policy
        .unwrap();
        assert_eq!(p.policy_type, "weighted");
        assert_eq!(p.set_identifier, "my-id");
        assert_eq!(p.parameters["weight"], "10");
        assert_eq!(
            error(&[(ROUTING_POLICY, "{not json}")]),
            "invalid character 'n' looking for beginning of object key string"
        );
        let number = parse(&[(
            ROUTING_POLICY,
            r#"{"type":"weighted","parameters":{"weight":10}}"#,
        )])
        .unwrap_err();
        assert_eq!(number.key(), ROUTING_POLICY);
        assert!(
            number
                .to_string()
                .starts_with("json: cannot unmarshal number"),
            "{number}"
        );
    }

    #[test]
    fn merged_annotations_own_wins() {
        let own = map(&[(TTL, "60"), (DNSNAMES, "own.example.com")]);
        let overlay = map(&[
            (TTL, "600"),
            (DNSNAMES, "injected.example.com"),
            (CNAME_LOOKUP_INTERVAL, "120"),
        ]);
        let merged = MergedAnnotations::new(&own, Some(&overlay));
        let parsed = CommonAnnotations::parse(&merged).unwrap();
        assert_eq!(parsed.ttl, Some(60));
        assert_eq!(parsed.cname_lookup_interval, Some(120));
        assert_eq!(
            DnsNames::of(&merged).unwrap().unwrap().listed,
            ["own.example.com"]
        );
    }

    #[test]
    fn targets_and_ingress_ref() {
        assert_eq!(
            parse_targets("10.0.0.10,10.0.0.11"),
            ["10.0.0.10", "10.0.0.11"]
        );
        assert_eq!(
            parse_targets("1.2.3.4, 5.6.7.8,,1.2.3.4"),
            ["1.2.3.4", "5.6.7.8"]
        );
        assert_eq!(parse_ingress_ref("bar", "ns"), Ok(("ns", "bar")));
        assert_eq!(parse_ingress_ref("other/bar", "ns"), Ok(("other", "bar")));
        assert_eq!(
            parse_ingress_ref("a/b/c", "ns").unwrap_err().to_string(),
            "invalid annotation dns.gardener.cloud/ingress: a/b/c"
        );
    }
}
