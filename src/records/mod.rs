//! From a validated entry to the record sets it wants (docs/entries-and-providers.md §0.2–0.5,
//! §5.1–5.4, §5.9, §5.10): pure functions, no resolver and no provider API.
//!
//! ```text
//!  ValidEntry + RecordInput ──► desired ──► Desired { owner, sets, lookups, status_targets, … }
//!                                              │
//!                      provider type ──► check_policy (per set, before a change is applied)
//!  status.targets ──► targets_from_status ──► the targets the entry wrote last time
//! ```
//!
//! Values are canonical (COMPATIBILITY.md#d3, #d15): IPv6 in RFC 5952 form, host names normalised
//! like [`DnsName`]. Gardener compares the raw text and so plans an update on every pass for an
//! entry whose IPv6 or CNAME text is not canonical (§8.3); comparing canonical text does not.

mod aws;
mod desired;
mod policy;
mod resolve;
mod status;
mod unquote;
#[cfg_attr(not(feature = "aws-route53"), allow(unused_imports))]
pub(crate) use policy::{AwsLocation, go_parse_int_base0};
#[cfg_attr(not(feature = "aws-route53"), allow(unused_imports))]
pub(crate) use unquote::go_unquote_or_raw;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::name::DnsName;
use crate::quote::go_quote;

pub use aws::{AWS_CANONICAL_HOSTED_ZONES, aws_canonical_hosted_zone};
pub use desired::{Desired, RecordInput, desired};
pub use policy::{PolicyError, check_policy};
pub use status::{StatusTarget, status_targets, targets_from_status};

/// A record type (§0.2): the DNS types Gardener manages plus the two AWS alias pseudo types.
///
/// The variants are spelled as Gardener spells the types, which is also their text form and
/// their serde form. The order is that of the text (`A` < `AAAA` < `ALIAS` < `ALIAS_AAAA` <
/// `CNAME` < `NS` < `TXT`), so maps keyed by type iterate alike everywhere.
///
/// ```
/// use shoot_dns::records::RecordType;
///
/// assert_eq!("ALIAS_AAAA".parse::<RecordType>()?, RecordType::ALIAS_AAAA);
/// assert_eq!(RecordType::CNAME.to_string(), "CNAME");
/// assert!("cname".parse::<RecordType>().is_err());
/// # Ok::<(), shoot_dns::records::RecordTypeError>(())
/// ```
#[allow(clippy::upper_case_acronyms, non_camel_case_types)]
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub enum RecordType {
    /// An IPv4 address.
    A,
    /// An IPv6 address.
    AAAA,
    /// AWS alias target rendered as `A` (Route 53 only).
    ALIAS,
    /// AWS alias target rendered as `AAAA` (Route 53 only).
    ALIAS_AAAA,
    /// A canonical name.
    CNAME,
    /// A name server.
    NS,
    /// Text.
    TXT,
}

impl RecordType {
    /// Every type, in order.
    pub const ALL: [RecordType; 7] = [
        Self::A,
        Self::AAAA,
        Self::ALIAS,
        Self::ALIAS_AAAA,
        Self::CNAME,
        Self::NS,
        Self::TXT,
    ];

    /// The text form: `A`, `AAAA`, `ALIAS`, `ALIAS_AAAA`, `CNAME`, `NS` or `TXT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::AAAA => "AAAA",
            Self::ALIAS => "ALIAS",
            Self::ALIAS_AAAA => "ALIAS_AAAA",
            Self::CNAME => "CNAME",
            Self::NS => "NS",
            Self::TXT => "TXT",
        }
    }

    /// Whether this is one of the AWS alias pseudo types.
    pub fn is_alias(self) -> bool {
        matches!(self, Self::ALIAS | Self::ALIAS_AAAA)
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no record type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown record type {}", go_quote(input))]
#[non_exhaustive]
pub struct RecordTypeError {
    /// The text given.
    pub input: String,
}

impl FromStr for RecordType {
    type Err = RecordTypeError;

    /// Exactly the text form (case-sensitive, as Gardener's string type).
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == input)
            .ok_or_else(|| RecordTypeError {
                input: input.to_owned(),
            })
    }
}

/// The owner of record sets (Gardener's `DNSSetName`, §0.3): a name and a set identifier, empty
/// for records without a routing policy. Plain and routing-policy records of one name are
/// different owners.
///
/// ```
/// use shoot_dns::records::RecordName;
///
/// let plain = RecordName::new("test.sub.example.com".parse()?, "");
/// let set1 = RecordName::new("test.sub.example.com".parse()?, "set1");
/// assert_eq!(plain.to_string(), "test.sub.example.com");
/// assert_eq!(set1.to_string(), "test.sub.example.com#set1");
/// assert_ne!(plain, set1);
/// # Ok::<(), shoot_dns::DnsNameError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordName {
    /// The (normalised) name.
    pub dns_name: DnsName,
    /// The routing policy's set identifier, or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub set_identifier: String,
}

impl RecordName {
    /// The owner `dns_name` (`#set_identifier`).
    pub fn new(dns_name: DnsName, set_identifier: impl Into<String>) -> Self {
        Self {
            dns_name,
            set_identifier: set_identifier.into(),
        }
    }
}

impl fmt::Display for RecordName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.set_identifier.is_empty() {
            self.dns_name.fmt(f)
        } else {
            write!(f, "{}#{}", self.dns_name, self.set_identifier)
        }
    }
}

/// The routing policy a record set carries (Gardener's `dns.RoutingPolicy`, §0.5): the type and
/// the parameters, without the set identifier (that is part of the [`RecordName`]).
///
/// Gardener tells a nil parameter map from an empty one, so that a policy read back without
/// parameters never matches one written with `{}` (§8.17). A `BTreeMap` has no nil: both are
/// the empty map here, and match.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default, Serialize, Deserialize)]
pub struct Policy {
    /// `weighted`, `latency`, `geolocation`, `ip-based`, `failover` or `proxied`.
    #[serde(rename = "type")]
    pub policy_type: String,
    /// The parameters, e.g. `weight`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
}

impl Policy {
    /// The routing policy type of Cloudflare's proxied records, which ignore the TTL.
    pub const PROXIED: &str = "proxied";
}

/// The records of one type at one owner (§0.4).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordSet {
    /// The type.
    #[serde(rename = "type")]
    pub record_type: RecordType,
    /// Time to live in seconds.
    pub ttl: u32,
    /// The values, canonical (IPv6 in RFC 5952 form, host names normalised, TXT raw and
    /// unquoted), in the order the entry gives them.
    pub values: Vec<String>,
    /// The routing policy, if the entry has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_policy: Option<Policy>,
}

impl RecordSet {
    /// Whether the provider ignores this set's TTL: the AWS alias types, and Cloudflare's
    /// `proxied` records (Gardener's `IsTTLIgnored`).
    pub fn ignores_ttl(&self) -> bool {
        self.record_type.is_alias()
            || self
                .routing_policy
                .as_ref()
                .is_some_and(|p| p.policy_type == Policy::PROXIED)
    }

    /// Gardener's `RecordSet.Match` (§0.4): the same number of values, equal TTLs unless
    /// `self` ignores the TTL, every value of `self` among those of `other` (in any order), and
    /// equal routing policies. The type is not compared: callers compare sets of one type.
    ///
    /// Values compare as text. That is right because both sides hold canonical text (D15): an
    /// adapter canonicalises what it reads from a zone before it compares.
    ///
    /// ```
    /// use shoot_dns::records::{RecordSet, RecordType};
    ///
    /// let set = |t, ttl, v: &[&str]| RecordSet {
    ///     record_type: t,
    ///     ttl,
    ///     values: v.iter().map(|s| s.to_string()).collect(),
    ///     routing_policy: None,
    /// };
    /// let desired = set(RecordType::A, 300, &["1.2.3.4", "5.6.7.8"]);
    /// assert!(desired.matches(&set(RecordType::A, 300, &["5.6.7.8", "1.2.3.4"])));
    /// assert!(!desired.matches(&set(RecordType::A, 600, &["1.2.3.4", "5.6.7.8"])));
    /// // the alias types ignore the TTL
    /// assert!(set(RecordType::ALIAS, 60, &["lb"]).matches(&set(RecordType::ALIAS, 0, &["lb"])));
    /// ```
    pub fn matches(&self, other: &RecordSet) -> bool {
        self.values.len() == other.values.len()
            && (self.ignores_ttl() || self.ttl == other.ttl)
            && self.values.iter().all(|v| other.values.contains(v))
            && self.routing_policy == other.routing_policy
    }
}

/// The record sets one owner wants, one per type.
pub type DesiredRecords = BTreeMap<RecordType, RecordSet>;

/// Why an entry's records cannot be computed, or its status not read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The entry wants records but none are left: every host name it resolves was answered,
    /// and none with an address (Gardener's `no target or text specified`, §2.3 step 10).
    #[error("no target or text specified")]
    NoTargets,
    /// A status target that starts with `"` but is no Go string literal (§5.9).
    #[error("failed to unquote TXT target {value}: invalid syntax")]
    UnquoteTxt {
        /// The status target as written.
        value: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(record_type: RecordType, ttl: u32, values: &[&str]) -> RecordSet {
        RecordSet {
            record_type,
            ttl,
            values: values.iter().map(|s| s.to_string()).collect(),
            routing_policy: None,
        }
    }

    fn weighted(weight: &str) -> Option<Policy> {
        Some(Policy {
            policy_type: "weighted".into(),
            parameters: [("weight".to_string(), weight.to_string())].into(),
        })
    }

    /// REC cases are symmetric: `a.matches(b) == b.matches(a) == expected`.
    fn check(a: &RecordSet, b: &RecordSet, expected: bool) {
        assert_eq!(a.matches(b), expected, "{a:?} vs {b:?}");
        assert_eq!(b.matches(a), expected, "{b:?} vs {a:?}");
    }

    #[test]
    fn record_type_text_and_order() {
        for t in RecordType::ALL {
            assert_eq!(t.as_str().parse::<RecordType>(), Ok(t));
            assert_eq!(
                serde_json::to_string(&t).unwrap(),
                format!("\"{}\"", t.as_str())
            );
            assert_eq!(
                serde_json::from_str::<RecordType>(&format!("\"{t}\"")).unwrap(),
                t
            );
        }
        let mut names: Vec<&str> = RecordType::ALL.iter().map(|t| t.as_str()).collect();
        names.sort_unstable();
        let sorted: Vec<&str> = RecordType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(names, sorted, "Ord follows the text");
        assert_eq!(
            "SRV".parse::<RecordType>().unwrap_err().to_string(),
            "unknown record type \"SRV\""
        );
    }

    #[test]
    fn rec_01_same() {
        check(
            &set(RecordType::TXT, 600, &["\"foo\""]),
            &set(RecordType::TXT, 600, &["\"foo\""]),
            true,
        );
    }

    #[test]
    fn rec_03_ttl_differs() {
        check(
            &set(RecordType::TXT, 600, &["\"foo\""]),
            &set(RecordType::TXT, 800, &["\"foo\""]),
            false,
        );
    }

    #[test]
    fn rec_05_values_differ() {
        check(
            &set(RecordType::TXT, 600, &["\"foo\""]),
            &set(RecordType::A, 600, &["1.2.3.4"]),
            false,
        );
    }

    #[test]
    fn rec_07_alias_ignores_ttl() {
        check(
            &set(RecordType::ALIAS_AAAA, 60, &["foo.example.com"]),
            &set(RecordType::ALIAS_AAAA, 0, &["foo.example.com"]),
            true,
        );
    }

    #[test]
    fn rec_09_policy_differs() {
        let mut a = set(RecordType::TXT, 600, &["\"foo\""]);
        a.routing_policy = weighted("100");
        check(&a, &set(RecordType::TXT, 600, &["\"foo\""]), false);
        // the weight is compared as text (§8.17)
        let mut b = a.clone();
        b.routing_policy = weighted("0100");
        check(&a, &b, false);
        b.routing_policy = weighted("100");
        check(&a, &b, true);
    }

    #[test]
    fn rec_11_add_record_set_replaces_the_type() {
        let mut sets = DesiredRecords::new();
        sets.insert(RecordType::A, set(RecordType::A, 300, &["1.2.3.4"]));
        let mut second = set(RecordType::A, 301, &["1.2.3.4", "5.6.7.8"]);
        second.routing_policy = Some(Policy {
            policy_type: "weighted".into(),
            parameters: BTreeMap::new(),
        });
        sets.insert(RecordType::A, second.clone());
        assert_eq!(sets.len(), 1);
        assert_eq!(sets[&RecordType::A], second);
    }

    #[test]
    fn proxied_ignores_ttl_only_on_the_receiver() {
        let mut proxied = set(RecordType::A, 1, &["1.2.3.4"]);
        proxied.routing_policy = Some(Policy {
            policy_type: "proxied".into(),
            parameters: BTreeMap::new(),
        });
        let mut other = proxied.clone();
        other.ttl = 300;
        assert!(proxied.matches(&other) && other.matches(&proxied));
        let plain = set(RecordType::A, 1, &["1.2.3.4"]);
        assert!(!plain.matches(&set(RecordType::A, 300, &["1.2.3.4"])));
    }

    #[test]
    fn matching_is_order_insensitive_and_counts_values() {
        let a = set(RecordType::A, 60, &["1.2.3.4", "5.6.7.8"]);
        check(&a, &set(RecordType::A, 60, &["5.6.7.8", "1.2.3.4"]), true);
        check(&a, &set(RecordType::A, 60, &["1.2.3.4"]), false);
    }

    #[test]
    fn record_name_display_and_serde() {
        let name = RecordName::new("a.example.com".parse().unwrap(), "set1");
        assert_eq!(name.to_string(), "a.example.com#set1");
        assert_eq!(
            serde_json::to_string(&name).unwrap(),
            r#"{"dnsName":"a.example.com","setIdentifier":"set1"}"#
        );
        let plain = RecordName::new("a.example.com".parse().unwrap(), "");
        assert_eq!(
            serde_json::to_string(&plain).unwrap(),
            r#"{"dnsName":"a.example.com"}"#
        );
        assert!(plain < name);
    }

    #[test]
    fn record_set_serde() {
        let mut s = set(RecordType::ALIAS_AAAA, 60, &["lb.example.com"]);
        s.routing_policy = weighted("5");
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"type":"ALIAS_AAAA","ttl":60,"values":["lb.example.com"],"routingPolicy":{"type":"weighted","parameters":{"weight":"5"}}}"#
        );
        assert_eq!(serde_json::from_str::<RecordSet>(&json).unwrap(), s);
    }
}
