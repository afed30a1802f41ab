//! Status targets (docs/entries-and-providers.md §5.9): the effective targets as `status.targets`
//! writes them, and back.

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::unquote::go_unquote;
use super::{RecordError, RecordType};
use crate::name::DnsName;
use crate::quote::go_quote;

/// Gardener's `TargetsToStrings`: the type of the *first* target decides the encoding. If it is
/// `TXT`, every value is Go-quoted (`strconv.Quote`) and kept, duplicates included; otherwise
/// every value is taken raw and duplicates are removed, the first occurrence winning. So the
/// AWS alias targets `[ALIAS(v), ALIAS_AAAA(v), TXT(v)]` give `[v]`.
///
/// ```
/// use shoot_dns::records::{RecordType, status_targets};
///
/// let txt = [(RecordType::TXT, "a\"b".to_string())];
/// assert_eq!(status_targets(&txt), [r#""a\"b""#]);
/// let alias = [
///     (RecordType::ALIAS, "lb.example.com".to_string()),
///     (RecordType::TXT, "lb.example.com".to_string()),
/// ];
/// assert_eq!(status_targets(&alias), ["lb.example.com"]);
/// ```
pub fn status_targets(targets: &[(RecordType, String)]) -> Vec<String> {
    match targets.first() {
        None => Vec::new(),
        Some((RecordType::TXT, _)) => targets.iter().map(|(_, v)| go_quote(v)).collect(),
        Some(_) => {
            let mut seen = BTreeSet::new();
            targets
                .iter()
                .filter(|(_, v)| seen.insert(v.as_str()))
                .map(|(_, v)| v.clone())
                .collect()
        }
    }
}

/// A target read back from `status.targets` (Gardener's `dns.Target`): what the entry wrote at
/// its last reconcile.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct StatusTarget {
    /// `TXT`, `A`, `AAAA` or `CNAME` (alias targets read back as `CNAME`, as in Gardener).
    pub record_type: RecordType,
    /// The value: TXT unquoted, addresses and host names canonical.
    pub value: String,
    /// `status.ttl`.
    pub ttl: u32,
    /// The entry's ip-stack annotation, carried by `CNAME` targets only.
    pub ip_stack: Option<String>,
}

/// Gardener's `StatusToTargets` (§5.9): a value starting with `"` is a Go-quoted `TXT` value; an
/// IP address is `A` (IPv4, also IPv4-mapped IPv6) or `AAAA`; anything else is a `CNAME`
/// carrying `ip_stack`. All get `ttl` (`status.ttl`, 0 when unset). Duplicates are skipped.
///
/// Gardener reads `status.targets` only when `status.zone` is set (no zone: no records were
/// written yet): the caller checks that and passes no targets otherwise.
///
/// Addresses and host names come back canonical (D3, D15): a status written by Gardener with
/// non-canonical IPv6 text compares equal to what this crate writes. A host name that is no
/// valid DNS name (Gardener writes those unchecked, §8.19) is kept as written.
///
/// ```
/// use shoot_dns::records::{RecordType, targets_from_status};
///
/// let status = ["\"This is a text!\"".to_string(), "\"blabla\"".to_string()];
/// let targets = targets_from_status(&status, 360, None)?;
/// assert_eq!(targets[0].record_type, RecordType::TXT);
/// assert_eq!(targets[0].value, "This is a text!");
///
/// let bad = ["\"unterminated".to_string()];
/// assert_eq!(
///     targets_from_status(&bad, 360, None).unwrap_err().to_string(),
///     "failed to unquote TXT target \"unterminated: invalid syntax"
/// );
/// # Ok::<(), shoot_dns::records::RecordError>(())
/// ```
pub fn targets_from_status(
    status_targets: &[String],
    ttl: u32,
    ip_stack: Option<&str>,
) -> Result<Vec<StatusTarget>, RecordError> {
    let mut targets: Vec<StatusTarget> = Vec::with_capacity(status_targets.len());
    for raw in status_targets {
        let (record_type, value) = if raw.starts_with('"') {
            let value =
                go_unquote(raw).map_err(|_| RecordError::UnquoteTxt { value: raw.clone() })?;
            (RecordType::TXT, value)
        } else if let Ok(ip) = raw.parse::<IpAddr>() {
            match ip.to_canonical() {
                IpAddr::V4(v4) => (RecordType::A, v4.to_string()),
                IpAddr::V6(v6) => (RecordType::AAAA, v6.to_string()),
            }
        } else {
            let value = raw
                .parse::<DnsName>()
                .map_or_else(|_| raw.clone(), |name| name.to_string());
            (RecordType::CNAME, value)
        };
        let target = StatusTarget {
            record_type,
            ttl,
            ip_stack: (record_type == RecordType::CNAME)
                .then(|| ip_stack.map(str::to_owned))
                .flatten(),
            value,
        };
        if !targets.contains(&target) {
            targets.push(target);
        }
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::entry::ValidEntry;
    use crate::records::{RecordInput, desired};
    use crate::target::Target;
    use crate::ttl::Ttl;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn pairs(targets: &[StatusTarget]) -> Vec<(RecordType, &str)> {
        targets
            .iter()
            .map(|t| (t.record_type, t.value.as_str()))
            .collect()
    }

    #[test]
    fn sts_01_no_zone_means_no_targets() {
        // The caller passes no targets while `status.zone` is unset.
        assert_eq!(targets_from_status(&[], 0, None), Ok(Vec::new()));
    }

    #[test]
    fn sts_03_quoted_txt() {
        let t = targets_from_status(&strings(&["\"foo\"", "\"bar\""]), 0, None).unwrap();
        assert_eq!(
            pairs(&t),
            [(RecordType::TXT, "foo"), (RecordType::TXT, "bar")]
        );
        assert!(t.iter().all(|t| t.ttl == 0 && t.ip_stack.is_none()));
    }

    #[test]
    fn sts_05_duplicates_are_skipped() {
        let t = targets_from_status(&strings(&["1.2.3.4", "1.2.3.4"]), 360, None).unwrap();
        assert_eq!(t.len(), 1);
        // also when they differ only in their text form
        let t = targets_from_status(&strings(&["2001:0db8::1", "2001:db8::1"]), 360, None).unwrap();
        assert_eq!(pairs(&t), [(RecordType::AAAA, "2001:db8::1")]);
    }

    #[test]
    fn sts_08_quote_escaping() {
        let targets = [
            (RecordType::TXT, "a\"b".to_string()),
            (
                RecordType::TXT,
                "line1\nline2 with a real newline".to_string(),
            ),
        ];
        assert_eq!(
            status_targets(&targets),
            [r#""a\"b""#, r#""line1\nline2 with a real newline""#]
        );
    }

    #[test]
    fn ent_05_txt_round_trip() {
        let status = strings(&["\"This is a text!\"", "\"blabla\""]);
        let t = targets_from_status(&status, 360, None).unwrap();
        assert_eq!(
            pairs(&t),
            [
                (RecordType::TXT, "This is a text!"),
                (RecordType::TXT, "blabla")
            ]
        );
    }

    #[test]
    fn ent_07_addresses_round_trip() {
        let status = strings(&["127.0.1.1", "127.0.2.1", "127.0.2.2", "2001:db8::1:1"]);
        let t = targets_from_status(&status, 120, None).unwrap();
        assert_eq!(
            pairs(&t),
            [
                (RecordType::A, "127.0.1.1"),
                (RecordType::A, "127.0.2.1"),
                (RecordType::A, "127.0.2.2"),
                (RecordType::AAAA, "2001:db8::1:1"),
            ]
        );
        assert!(t.iter().all(|t| t.ttl == 120));
    }

    #[test]
    fn hostnames_carry_the_ip_stack() {
        let status = strings(&["LB.Example.com", "::ffff:1.2.3.4", "not a host!"]);
        let t = targets_from_status(&status, 60, Some("dual-stack")).unwrap();
        assert_eq!(
            pairs(&t),
            [
                (RecordType::CNAME, "lb.example.com"),
                (RecordType::A, "1.2.3.4"),
                (RecordType::CNAME, "not a host!"),
            ]
        );
        assert_eq!(t[0].ip_stack.as_deref(), Some("dual-stack"));
        assert_eq!(t[1].ip_stack, None);
    }

    #[test]
    fn unquote_failure_text() {
        let err = targets_from_status(&strings(&["1.2.3.4", r#""bad\q""#]), 0, None).unwrap_err();
        assert_eq!(
            err,
            RecordError::UnquoteTxt {
                value: r#""bad\q""#.into()
            }
        );
        assert_eq!(
            err.to_string(),
            r#"failed to unquote TXT target "bad\q": invalid syntax"#
        );
    }

    #[test]
    fn mixed_encoding_follows_the_first_type() {
        // a non-TXT first target: everything raw, duplicates removed
        let targets = [
            (RecordType::ALIAS, "lb".to_string()),
            (RecordType::ALIAS_AAAA, "lb".to_string()),
            (RecordType::TXT, "lb".to_string()),
        ];
        assert_eq!(status_targets(&targets), ["lb"]);
        assert!(status_targets(&[]).is_empty());
    }

    /// A valid entry of one kind: IPv4, IPv6, mixed addresses, one host name, or texts.
    fn entry_strategy() -> impl Strategy<Value = ValidEntry> {
        let ipv4 = proptest::collection::btree_set(any::<[u8; 4]>(), 1..5)
            .prop_map(|s| s.into_iter().map(|o| Target::Ipv4(o.into())).collect());
        let ipv6 = proptest::collection::btree_set(any::<[u16; 8]>(), 1..5)
            .prop_map(|s| s.into_iter().map(|o| Target::Ipv6(o.into())).collect());
        let mixed = (ipv4.clone(), ipv6.clone()).prop_map(|(a, b): (Vec<_>, Vec<_>)| {
            // interleave, so that types and order are both exercised
            let mut out = Vec::new();
            for (x, y) in a.iter().zip(b.iter()) {
                out.push(y.clone());
                out.push(x.clone());
            }
            out
        });
        let host = "[a-z0-9]{1,10}(\\.[a-z0-9]{1,10}){1,3}"
            .prop_map(|h| vec![Target::Hostname(h.parse().unwrap())]);
        let targets = prop_oneof![ipv4, ipv6, mixed, host].prop_map(|t| (t, Vec::new()));
        let text = proptest::collection::btree_set(
            "([a-z\"\\\\ \n\t\u{0}\u{7f}\u{85}\u{ad}\u{feff}é日😀]|\\PC){1,12}",
            1..4,
        )
        .prop_map(|s| (Vec::new(), s.into_iter().collect()));
        (prop_oneof![targets, text], 1..=86_400_i64).prop_map(|((targets, text), ttl)| ValidEntry {
            dns_name: "prop.example.com".parse().unwrap(),
            targets,
            text,
            ttl: Some(Ttl::new(ttl).unwrap()),
            cname_lookup_interval: None,
            resolve_targets_to_addresses: false,
            routing_policy: None,
        })
    }

    proptest! {
        #[test]
        fn status_targets_read_back_to_the_desired_values(entry in entry_strategy()) {
            let resolved = BTreeMap::new();
            let input = RecordInput {
                provider_type: crate::provider::ProviderType::Local,
                default_ttl: Ttl::new(360).unwrap(),
                ip_stack: None,
                resolved: &resolved,
                default_cname_lookup_interval: 600,
            };
            let d = desired(&entry, &input).unwrap();
            let back = targets_from_status(&d.status_targets, d.ttl, None).unwrap();
            let mut by_type: BTreeMap<RecordType, Vec<String>> = BTreeMap::new();
            for t in &back {
                prop_assert_eq!(t.ttl, d.ttl);
                by_type.entry(t.record_type).or_default().push(t.value.clone());
            }
            let wanted: BTreeMap<RecordType, Vec<String>> =
                d.sets.iter().map(|(t, s)| (*t, s.values.clone())).collect();
            prop_assert_eq!(by_type, wanted);
        }
    }
}
