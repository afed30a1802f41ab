//! DNSEntry validation (docs/entries-and-providers.md §2; COMPATIBILITY.md#d1 to #d3): from the
//! spec as written to a [`ValidEntry`] whose name, targets and TTL are checked and canonical.

use crate::api::{DnsEntrySpec, RoutingPolicy};
use crate::name::{DnsName, DnsNameError};
use crate::target::{Target, TargetError};
use crate::ttl::{Ttl, TtlError};

/// The routing policy types the DNSEntry CRD allows.
pub const ROUTING_POLICY_TYPES: [&str; 6] = [
    "weighted",
    "latency",
    "geolocation",
    "ip-based",
    "failover",
    "proxied",
];
/// The most host name targets one entry may have.
pub const MAX_CNAME_TARGETS: usize = 25;
/// The range of `spec.cnameLookupInterval` the CRD allows.
pub const CNAME_LOOKUP_INTERVAL_RANGE: std::ops::RangeInclusive<i64> = 30..=8_640_000;

/// A DNSEntry spec that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidEntry {
    /// The normalised name.
    pub dns_name: DnsName,
    /// The targets, classified and canonical, in spec order.
    pub targets: Vec<Target>,
    /// The TXT values, in spec order.
    pub text: Vec<String>,
    /// `spec.ttl`; `None` means the provider's default.
    pub ttl: Option<Ttl>,
    /// `spec.cnameLookupInterval`.
    pub cname_lookup_interval: Option<i64>,
    /// Whether host name targets are resolved to addresses: `resolveTargetsToAddresses`, or
    /// implicitly for two or more host names.
    pub resolve_targets_to_addresses: bool,
    /// `spec.routingPolicy`.
    pub routing_policy: Option<RoutingPolicy>,
}

/// The state a failed validation leaves the entry in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureState {
    /// The spec can never work as written.
    Invalid,
    /// The spec cannot be processed (Gardener's `Error` for an unknown routing policy type).
    Error,
}

/// Why an entry's spec is not valid. The messages are Gardener's (`validation failed: ...` for the
/// checks before provider selection), with our own wording for the stricter checks of D1–D3.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EntryError {
    /// `spec.dnsName` is no DNS name.
    #[error("validation failed: invalid DNSName: {0}")]
    InvalidDnsName(#[source] DnsNameError),
    /// Both `targets` and `text`.
    #[error("validation failed: cannot specify both targets and text fields")]
    TargetsAndText,
    /// An empty (or blank) target.
    #[error("validation failed: target {index} is empty")]
    EmptyTarget {
        /// 1-based position.
        index: usize,
    },
    /// A target that repeats an earlier one (compared canonically).
    #[error("validation failed: target {index} is a duplicate: {value}")]
    DuplicateTarget {
        /// 1-based position.
        index: usize,
        /// The target as written.
        value: String,
    },
    /// A target that is neither an IP address nor a host name (COMPATIBILITY.md#d3).
    #[error("validation failed: target {index}: {source}")]
    InvalidTarget {
        /// 1-based position.
        index: usize,
        /// Why.
        source: TargetError,
    },
    /// An empty (or blank) TXT value.
    #[error("validation failed: text {index} is empty")]
    EmptyText {
        /// 1-based position.
        index: usize,
    },
    /// A TXT value that repeats an earlier one.
    #[error("validation failed: text {index} is a duplicate: {value}")]
    DuplicateText {
        /// 1-based position.
        index: usize,
        /// The value.
        value: String,
    },
    /// The deprecated `spec.reference`.
    #[error("`reference` field is not supported anymore")]
    Reference,
    /// `spec.ttl` of zero or less.
    #[error("TTL must be greater than zero")]
    TtlNotPositive,
    /// `spec.ttl` above the CRD's maximum.
    #[error(transparent)]
    TtlTooLarge(TtlError),
    /// `spec.cnameLookupInterval` outside the CRD's range.
    #[error(
        "cnameLookupInterval {value} is out of range: it must be between 30 and 8640000 seconds"
    )]
    CnameLookupIntervalOutOfRange {
        /// The value given.
        value: i64,
    },
    /// Host names mixed with IP addresses.
    #[error("cannot mix CNAME and other record types in targets")]
    MixedTargets,
    /// More than 25 host names.
    #[error("too many CNAME targets ({count}), maximum is 25")]
    TooManyCnameTargets {
        /// How many there are.
        count: usize,
    },
    /// Neither targets nor text (and no records to remove).
    #[error("no target or text specified")]
    NoTargets,
    /// A routing policy type the CRD does not know.
    #[error("failed to convert routing policy: unknown routing policy type {policy_type:?}")]
    UnknownRoutingPolicy {
        /// The type given.
        policy_type: String,
    },
}

impl EntryError {
    /// The state the entry gets.
    pub fn state(&self) -> FailureState {
        match self {
            Self::UnknownRoutingPolicy { .. } => FailureState::Error,
            _ => FailureState::Invalid,
        }
    }
}

/// Validates a DNSEntry spec, in Gardener's order (§2.2 then §2.3).
///
/// `has_records` says whether the entry still owns records (a non-empty `status.targets`): an
/// entry without targets or text is then valid, and means "remove the records".
///
/// ```
/// use shoot_dns::api::DnsEntrySpec;
/// use shoot_dns::entry::validate;
///
/// let spec = DnsEntrySpec {
///     dns_name: "Special.Example.com".into(),
///     targets: Some(vec!["2001:0db8::1".into()]),
///     ttl: Some(600),
///     ..Default::default()
/// };
/// let entry = validate(&spec, false)?;
/// assert_eq!(entry.dns_name.as_str(), "special.example.com");
/// assert_eq!(entry.targets[0].to_string(), "2001:db8::1");
///
/// let bad = DnsEntrySpec { dns_name: "a.*.example.com".into(), ..Default::default() };
/// assert!(validate(&bad, false).unwrap_err().to_string().starts_with("validation failed: invalid DNSName:"));
/// # Ok::<(), shoot_dns::entry::EntryError>(())
/// ```
pub fn validate(spec: &DnsEntrySpec, has_records: bool) -> Result<ValidEntry, EntryError> {
    let dns_name: DnsName = spec.dns_name.parse().map_err(EntryError::InvalidDnsName)?;
    let raw_targets = spec.targets.as_deref().unwrap_or_default();
    let raw_text = spec.text.as_deref().unwrap_or_default();
    if !raw_targets.is_empty() && !raw_text.is_empty() {
        return Err(EntryError::TargetsAndText);
    }
    // The first failure in target order wins: a bad target, or one that repeats an earlier one.
    let mut targets: Vec<Target> = Vec::with_capacity(raw_targets.len());
    let mut bad_target = None;
    for (i, raw) in raw_targets.iter().enumerate() {
        let index = i + 1;
        if raw.trim().is_empty() {
            bad_target = Some(EntryError::EmptyTarget { index });
            break;
        }
        match raw.parse() {
            Ok(target) => targets.push(target),
            Err(source) => {
                bad_target = Some(EntryError::InvalidTarget { index, source });
                break;
            }
        }
    }
    if let Some(i) = first_repeat(&targets) {
        return Err(EntryError::DuplicateTarget {
            index: i + 1,
            value: raw_targets[i].clone(),
        });
    }
    if let Some(error) = bad_target {
        return Err(error);
    }
    let blank = raw_text.iter().position(|v| v.trim().is_empty());
    let text_before_blank = &raw_text[..blank.unwrap_or(raw_text.len())];
    if let Some(i) = first_repeat(text_before_blank) {
        return Err(EntryError::DuplicateText {
            index: i + 1,
            value: raw_text[i].clone(),
        });
    }
    if let Some(i) = blank {
        return Err(EntryError::EmptyText { index: i + 1 });
    }
    if spec.reference.is_some() {
        return Err(EntryError::Reference);
    }
    let ttl = match spec.ttl {
        None => None,
        Some(t) if t <= 0 => return Err(EntryError::TtlNotPositive),
        Some(t) => Some(Ttl::new(t).map_err(EntryError::TtlTooLarge)?),
    };
    if let Some(value) = spec.cname_lookup_interval
        && !CNAME_LOOKUP_INTERVAL_RANGE.contains(&value)
    {
        return Err(EntryError::CnameLookupIntervalOutOfRange { value });
    }
    let hostnames = targets.iter().filter(|t| t.is_hostname()).count();
    if hostnames > 0 && hostnames < targets.len() {
        return Err(EntryError::MixedTargets);
    }
    if hostnames > MAX_CNAME_TARGETS {
        return Err(EntryError::TooManyCnameTargets { count: hostnames });
    }
    if targets.is_empty() && raw_text.is_empty() && !has_records {
        return Err(EntryError::NoTargets);
    }
    if let Some(policy) = &spec.routing_policy
        && !ROUTING_POLICY_TYPES.contains(&policy.policy_type.as_str())
    {
        return Err(EntryError::UnknownRoutingPolicy {
            policy_type: policy.policy_type.clone(),
        });
    }
    Ok(ValidEntry {
        dns_name,
        resolve_targets_to_addresses: hostnames >= 2
            || (hostnames == 1 && spec.resolve_targets_to_addresses == Some(true)),
        targets,
        text: raw_text.to_vec(),
        ttl,
        cname_lookup_interval: spec.cname_lookup_interval,
        routing_policy: spec.routing_policy.clone(),
    })
}

/// The position of the first item that equals an earlier one. A few items are compared pair by
/// pair; many are sorted (n log n), so that an entry with a million targets costs no more than a
/// sort of them.
fn first_repeat<T: Ord>(items: &[T]) -> Option<usize> {
    if items.len() <= 16 {
        return (1..items.len()).find(|&i| items[..i].contains(&items[i]));
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[a].cmp(&items[b]).then(a.cmp(&b)));
    // In each run of equal items the second position is the first repeat of that run.
    (order.windows(2))
        .filter(|pair| items[pair[0]] == items[pair[1]])
        .map(|pair| pair[1])
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::EntryReference;

    fn spec(targets: &[&str], text: &[&str]) -> DnsEntrySpec {
        DnsEntrySpec {
            dns_name: "foo.example.com".into(),
            targets: (!targets.is_empty()).then(|| targets.iter().map(|s| s.to_string()).collect()),
            text: (!text.is_empty()).then(|| text.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        }
    }

    fn error(spec: &DnsEntrySpec) -> String {
        validate(spec, false).unwrap_err().to_string()
    }

    #[test]
    fn valid_targets() {
        // TGT-01, TGT-03, TGT-05
        let e = validate(&spec(&["1.2.3.4"], &[]), false).unwrap();
        assert_eq!(e.targets[0].record_type(), "A");
        let e = validate(
            &spec(
                &["1.2.3.4", "5.6.7.8", "2001:0db8:85a3::8a2e:0370:7334"],
                &[],
            ),
            false,
        )
        .unwrap();
        let types: Vec<_> = e.targets.iter().map(Target::record_type).collect();
        assert_eq!(types, ["A", "A", "AAAA"]);
        assert_eq!(e.targets[2].to_string(), "2001:db8:85a3::8a2e:370:7334");
        let e = validate(&spec(&[], &["example.com", "1.2.3.4"]), false).unwrap();
        assert_eq!(e.text, ["example.com", "1.2.3.4"]);
        assert!(!e.resolve_targets_to_addresses);
        let two = validate(&spec(&["a.example.com", "b.example.com"], &[]), false).unwrap();
        assert!(two.resolve_targets_to_addresses);
    }

    #[test]
    fn step_a_messages() {
        // TGT-15, TGT-17
        assert_eq!(
            error(&spec(&["1.1.1.1"], &["foo"])),
            "validation failed: cannot specify both targets and text fields"
        );
        assert_eq!(
            error(&spec(&[""], &[])),
            "validation failed: target 1 is empty"
        );
        assert_eq!(
            error(&spec(&["1.1.1.1", " "], &[])),
            "validation failed: target 2 is empty"
        );
        assert_eq!(
            error(&spec(&["1.1.1.1", "1.1.1.1"], &[])),
            "validation failed: target 2 is a duplicate: 1.1.1.1"
        );
        assert_eq!(
            error(&spec(&["2001:db8::1", "2001:0db8::1"], &[])),
            "validation failed: target 2 is a duplicate: 2001:0db8::1"
        );
        assert_eq!(
            error(&spec(&[], &[""])),
            "validation failed: text 1 is empty"
        );
        assert_eq!(
            error(&spec(&[], &["foo", "foo"])),
            "validation failed: text 2 is a duplicate: foo"
        );
    }

    #[test]
    fn the_first_failure_in_order_wins() {
        assert_eq!(
            error(&spec(&["1.1.1.1", "1.1.1.1", "bad host!"], &[])),
            "validation failed: target 2 is a duplicate: 1.1.1.1"
        );
        assert!(error(&spec(&["1.1.1.1", "bad host!", "1.1.1.1"], &[])).contains("target 2:"));
        assert_eq!(
            error(&spec(&[], &["a", "", "a"])),
            "validation failed: text 2 is empty"
        );
        assert_eq!(
            error(&spec(&[], &["a", "b", "a", ""])),
            "validation failed: text 3 is a duplicate: a"
        );
        // Many items take the sorted path, with the same answers.
        let mut many: Vec<String> = (0..40).map(|i| format!("10.0.0.{i}")).collect();
        many.push("10.0.0.7".to_owned());
        many.push("10.0.0.3".to_owned());
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            error(&spec(&many, &[])),
            "validation failed: target 41 is a duplicate: 10.0.0.7"
        );
    }

    /// A million targets (the last repeating the first) are checked in n log n: the check
    /// used to compare every pair, and never ended.
    #[test]
    fn a_million_targets_are_checked_without_comparing_every_pair() {
        let mut targets: Vec<String> = (0..1_000_000u32)
            .map(|i| std::net::Ipv4Addr::from(i + (10 << 24)).to_string())
            .collect();
        targets.push(targets[0].clone());
        let spec = DnsEntrySpec {
            dns_name: "www.example.com".into(),
            targets: Some(targets),
            ..Default::default()
        };
        assert_eq!(
            validate(&spec, false).unwrap_err().to_string(),
            "validation failed: target 1000001 is a duplicate: 10.0.0.0"
        );
        let text: Vec<String> = (0..1_000_000).map(|i| format!("v{i}")).collect();
        let spec = DnsEntrySpec {
            dns_name: "www.example.com".into(),
            text: Some(text),
            ..Default::default()
        };
        assert!(validate(&spec, false).is_ok());
    }

    #[test]
    fn dns_name_messages() {
        let mut s = spec(&["1.2.3.4"], &[]);
        s.dns_name = "a.a123456789012345678901234567890123456789012345678901234567890abc.b".into();
        assert_eq!(
            error(&s),
            "validation failed: invalid DNSName: 2. label \"a123456789012345678901234567890123456789012345678901234567890abc\" of \"a.a123456789012345678901234567890123456789012345678901234567890abc.b\" is not valid ([must be no more than 63 characters])"
        );
        s.dns_name = "a.*.example.com".into();
        assert!(error(&s).contains("'*' is allowed only as the whole leftmost label"));
        s.dns_name = "has space.example.com".into();
        assert!(error(&s).contains("contains a space"));
    }

    #[test]
    fn hostname_targets_are_checked() {
        // COMPATIBILITY.md#d3 (Gardener writes such a value into a CNAME unchecked)
        assert_eq!(
            error(&spec(&["not a host!"], &[])),
            "validation failed: target 1: \"not a host!\" is neither an IP address nor a valid host name: \"not a host!\" is no valid dns name (label \"not a host!\" contains a space: a label may hold only letters, digits, '-' and '_')"
        );
        assert!(
            error(&spec(&["https://example.org"], &[]))
                .starts_with("validation failed: target 1: ")
        );
    }

    #[test]
    fn step_b_messages() {
        // TGT-13 and §2.3
        assert_eq!(
            error(&spec(&["foo.example.com", "1.2.3.4"], &[])),
            "cannot mix CNAME and other record types in targets"
        );
        let many: Vec<String> = (0..26).map(|i| format!("h{i}.example.com")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(
            error(&spec(&many, &[])),
            "too many CNAME targets (26), maximum is 25"
        );
        assert_eq!(error(&spec(&[], &[])), "no target or text specified");
        let mut s = spec(&["1.2.3.4"], &[]);
        s.ttl = Some(0);
        assert_eq!(error(&s), "TTL must be greater than zero");
        s.ttl = Some(-5);
        assert_eq!(error(&s), "TTL must be greater than zero");
        s.ttl = Some(8_640_001);
        assert_eq!(
            error(&s),
            "TTL 8640001 is out of range: it must be between 1 and 8640000 seconds"
        );
        s.ttl = Some(600);
        s.cname_lookup_interval = Some(10);
        assert_eq!(
            error(&s),
            "cnameLookupInterval 10 is out of range: it must be between 30 and 8640000 seconds"
        );
        s.cname_lookup_interval = None;
        s.reference = Some(EntryReference {
            name: "x".into(),
            namespace: None,
        });
        assert_eq!(error(&s), "`reference` field is not supported anymore");
    }

    #[test]
    fn empty_spec_with_records_is_removal() {
        // TGT-11
        let e = validate(&spec(&[], &[]), true).unwrap();
        assert!(e.targets.is_empty() && e.text.is_empty());
    }

    #[test]
    fn unknown_routing_policy_is_an_error_state() {
        let mut s = spec(&["1.2.3.4"], &[]);
        s.routing_policy = Some(RoutingPolicy {
            policy_type: "random".into(),
            set_identifier: "a".into(),
            parameters: Default::default(),
        });
        let err = validate(&s, false).unwrap_err();
        assert_eq!(err.state(), FailureState::Error);
        assert_eq!(
            err.to_string(),
            "failed to convert routing policy: unknown routing policy type \"random\""
        );
    }
}
