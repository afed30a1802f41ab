//! Host name resolution from known answers (docs/entries-and-providers.md §5.2): the addresses that
//! replace an entry's host name targets, and how often they are looked up again.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::RecordType;
use crate::name::DnsName;
use crate::target::Target;

/// Gardener's floor for `spec.cnameLookupInterval`, in seconds.
const MIN_CNAME_LOOKUP_INTERVAL: i64 = 30;

/// `status.cnameLookupInterval` (§5.2): `spec.cnameLookupInterval` if positive, at least 30 and
/// at least a third of the TTL; otherwise the controller's default, as it is.
pub(super) fn lookup_interval(spec: Option<i64>, ttl: u32, default: i64) -> i64 {
    match spec {
        Some(spec) if spec > 0 => {
            let interval = spec.max(MIN_CNAME_LOOKUP_INTERVAL);
            let third = i64::from(ttl) / 3;
            if ttl > 0 && interval < third {
                third
            } else {
                interval
            }
        }
        _ => default,
    }
}

/// The `A` then `AAAA` targets of the host names (§5.2), from the known answers; the host names
/// without an answer go to `lookups`.
pub(super) fn resolve(
    hostnames: &[Target],
    resolved: &BTreeMap<DnsName, Vec<IpAddr>>,
    lookups: &mut Vec<DnsName>,
) -> Vec<(RecordType, String)> {
    let mut seen = BTreeSet::new();
    let (mut ipv4, mut ipv6) = (Vec::new(), Vec::new());
    for target in hostnames {
        let Target::Hostname(name) = target else {
            continue;
        };
        let Some(addresses) = resolved.get(name) else {
            lookups.push(name.clone());
            continue;
        };
        for address in addresses {
            // As Go's `ip.To4() != nil`: an IPv4-mapped IPv6 address is IPv4.
            let (list, text) = match address.to_canonical() {
                IpAddr::V4(v4) => (&mut ipv4, v4.to_string()),
                IpAddr::V6(v6) => (&mut ipv6, v6.to_string()),
            };
            if seen.insert(text.clone()) {
                list.push(text);
            }
        }
    }
    // Gardener sorts the text, not the addresses.
    ipv4.sort_unstable();
    ipv6.sort_unstable();
    let a = ipv4.into_iter().map(|v| (RecordType::A, v));
    let aaaa = ipv6.into_iter().map(|v| (RecordType::AAAA, v));
    a.chain(aaaa).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_interval_rule() {
        // no spec value: the default, without TTL adjustment
        assert_eq!(lookup_interval(None, 3600, 600), 600);
        assert_eq!(lookup_interval(Some(0), 3600, 600), 600);
        // at least 30
        assert_eq!(lookup_interval(Some(10), 60, 600), 30);
        // raised to ttl/3 (integer division)
        assert_eq!(lookup_interval(Some(60), 360, 600), 120);
        assert_eq!(lookup_interval(Some(30), 100, 600), 33);
        assert_eq!(lookup_interval(Some(300), 360, 600), 300);
    }

    fn host(name: &str) -> Target {
        Target::Hostname(name.parse().unwrap())
    }

    fn answers(list: &[(&str, &[&str])]) -> BTreeMap<DnsName, Vec<IpAddr>> {
        list.iter()
            .map(|(name, ips)| {
                let ips = ips.iter().map(|ip| ip.parse().unwrap()).collect();
                (name.parse().unwrap(), ips)
            })
            .collect()
    }

    #[test]
    fn addresses_sort_as_strings_without_duplicates() {
        let resolved = answers(&[
            (
                "x.example.com",
                &["9.0.0.1", "10.0.0.1", "2001:db8::9", "::ffff:8.8.8.8"],
            ),
            ("y.example.com", &["10.0.0.1", "2001:db8::10", "9.0.0.1"]),
        ]);
        let mut lookups = Vec::new();
        let targets = resolve(
            &[host("x.example.com"), host("y.example.com")],
            &resolved,
            &mut lookups,
        );
        let got: Vec<(RecordType, &str)> = targets.iter().map(|(t, v)| (*t, v.as_str())).collect();
        assert_eq!(
            got,
            [
                // "10…" < "8…" < "9…" as text; the mapped address is IPv4
                (RecordType::A, "10.0.0.1"),
                (RecordType::A, "8.8.8.8"),
                (RecordType::A, "9.0.0.1"),
                (RecordType::AAAA, "2001:db8::10"),
                (RecordType::AAAA, "2001:db8::9"),
            ]
        );
        assert!(lookups.is_empty());
    }

    #[test]
    fn unanswered_and_empty_answers() {
        let resolved = answers(&[("gone.example.com", &[])]);
        let mut lookups = Vec::new();
        let targets = resolve(
            &[host("gone.example.com"), host("new.example.com")],
            &resolved,
            &mut lookups,
        );
        assert!(targets.is_empty());
        assert_eq!(lookups, ["new.example.com".parse::<DnsName>().unwrap()]);
    }
}
