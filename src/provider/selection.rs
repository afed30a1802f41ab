//! Domain and zone selection of one provider (docs/entries-and-providers.md §3.1): from the
//! provider's `domains`/`zones` include and exclude lists and its account's hosted zones to the
//! zones it uses and the domains it serves.

use std::collections::{BTreeMap, BTreeSet};

use super::provider_type::ProviderType;
use crate::api::Selection;
use crate::id::ZoneId;
use crate::name::{DnsName, DnsNameError};

/// One hosted zone of a provider account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HostedZone {
    /// Provider specific zone id, e.g. `Z1`, `example.com.` or `local:example.com`.
    pub id: ZoneId,
    /// The zone's domain.
    pub domain: DnsName,
    /// The provider type that hosts it.
    pub provider_type: ProviderType,
    /// Whether it is a private zone.
    pub private: bool,
}

/// Why a provider serves nothing. The texts are Gardener's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SelectionError {
    /// A wildcard in `domains.include` or `domains.exclude`.
    #[error("wildcards are not allowed in domains {list} '{domain}' (hint: remove the wildcard)")]
    Wildcard {
        /// `include` or `exclude`.
        list: &'static str,
        /// The domain as written.
        domain: String,
    },
    /// A domain that is no DNS name.
    #[error("domains {list} '{domain}' is no valid domain: {source}")]
    InvalidDomain {
        /// `include` or `exclude`.
        list: &'static str,
        /// The domain as written.
        domain: String,
        /// Why.
        source: DnsNameError,
    },
    /// An item in both lists.
    #[error("{what} '{item}' is specified in both include and exclude")]
    Overlap {
        /// `domains` or `zones`.
        what: &'static str,
        /// The item.
        item: String,
    },
    /// The zone filter leaves no zone.
    #[error("no zone available in account matches zone filter")]
    NoZoneMatchesFilter,
    /// The account has no zone.
    #[error("no hosted zones found")]
    NoHostedZones,
    /// No included domain lies in a selected zone.
    #[error("no domain matching hosting zones. Need to be a (sub)domain of [{}]", zone_domains.join(", "))]
    NoDomainMatchesZones {
        /// The domains of the selected zones, in zone order.
        zone_domains: Vec<String>,
    },
}

/// The outcome of [`select`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ZoneSelection {
    /// The zones the provider uses, in account order.
    pub zones: Vec<HostedZone>,
    /// Included zone ids.
    pub zones_included: BTreeSet<String>,
    /// Excluded zone ids.
    pub zones_excluded: BTreeSet<String>,
    /// Domains the provider serves.
    pub domains_included: BTreeSet<DnsName>,
    /// Domains the provider must not serve.
    pub domains_excluded: BTreeSet<DnsName>,
    /// Why the provider serves nothing, if so.
    pub error: Option<SelectionError>,
    /// Included or excluded domains that lie in no selected zone (`domain "<d>" not in hosted
    /// domains`), one per domain.
    pub warnings: Vec<String>,
}

/// Selects zones and domains for a provider of type `provider_type` (docs/entries-and-providers.md
/// §3.1).
///
/// ```
/// use shoot_dns::api::Selection;
/// use shoot_dns::provider::{HostedZone, ProviderType, select};
///
/// let zone = |id: &str, domain: &str| HostedZone {
///     id: id.into(), domain: domain.parse().unwrap(), provider_type: ProviderType::AwsRoute53, private: false,
/// };
/// let zones = [zone("Z1", "example.com"), zone("Z2", "sub.example.com")];
/// let domains = Selection { include: vec!["example.com".into()], exclude: vec!["sub.example.com".into()] };
/// let selection = select(ProviderType::AwsRoute53, Some(&domains), None, &zones);
/// assert_eq!(selection.zones, [zones[0].clone()]);
/// assert!(selection.zones_excluded.contains("Z2"));
/// ```
pub fn select(
    provider_type: ProviderType,
    domains: Option<&Selection>,
    zone_filter: Option<&Selection>,
    all_zones: &[HostedZone],
) -> ZoneSelection {
    let mut result = ZoneSelection::default();
    let empty = Selection::default();
    let domains = domains.unwrap_or(&empty);
    let zone_filter = zone_filter.unwrap_or(&empty);
    let (include, exclude) = match parse_domains(domains) {
        Ok(parsed) => parsed,
        Err(error) => {
            result.error = Some(error);
            return result;
        }
    };
    if let Some(item) = zone_filter
        .include
        .iter()
        .find(|z| zone_filter.exclude.contains(z))
    {
        result.error = Some(SelectionError::Overlap {
            what: "zones",
            item: item.clone(),
        });
        return result;
    }

    // Zones strictly below another zone are forwarded sub-zones of it.
    let mut forwarded: BTreeMap<&str, Vec<&HostedZone>> = BTreeMap::new();
    for parent in all_zones {
        for child in all_zones {
            if child.domain.is_strict_subdomain_of(&parent.domain) {
                forwarded.entry(parent.id.as_str()).or_default().push(child);
            }
        }
    }
    let own: Vec<&HostedZone> = all_zones
        .iter()
        .filter(|z| z.provider_type == provider_type)
        .collect();
    for zone in &own {
        let named = |ids: &[String]| ids.iter().any(|id| zone.id == id.as_str());
        let listed = zone_filter.include.is_empty() || named(&zone_filter.include);
        if listed && !named(&zone_filter.exclude) {
            result.zones_included.insert(zone.id.to_string());
        } else if listed || !zone_filter.include.is_empty() {
            result.zones_excluded.insert(zone.id.to_string());
        }
    }
    let selected = |result: &ZoneSelection| -> Vec<&HostedZone> {
        own.iter()
            .copied()
            .filter(|z| result.zones_included.contains(z.id.as_str()))
            .collect()
    };
    let zones = selected(&result);
    if !own.is_empty() && zones.is_empty() {
        result.error = Some(SelectionError::NoZoneMatchesFilter);
        return result;
    }

    for (list, target) in [
        (&include, &mut result.domains_included),
        (&exclude, &mut result.domains_excluded),
    ] {
        for domain in list {
            if zones.iter().any(|z| domain.is_subdomain_of(&z.domain)) {
                target.insert(domain.clone());
            } else {
                result.warnings.push(format!(
                    "domain {:?} not in hosted domains",
                    domain.as_str()
                ));
            }
        }
    }
    if include.is_empty() {
        if zones.is_empty() {
            result.error = Some(SelectionError::NoHostedZones);
            return result;
        }
        result
            .domains_included
            .extend(zones.iter().map(|z| z.domain.clone()));
    } else if result.domains_included.is_empty() {
        let ids = std::mem::take(&mut result.zones_included);
        result.zones_excluded.extend(ids);
        result.error = Some(SelectionError::NoDomainMatchesZones {
            zone_domains: zones.iter().map(|z| z.domain.to_string()).collect(),
        });
        result
            .domains_excluded
            .extend(all_zones.iter().map(|z| z.domain.clone()));
        return result;
    }

    let included = &result.domains_included;
    let forwarded_of = |id: &str| forwarded.get(id).map(Vec::as_slice).unwrap_or_default();
    // (a) A zone stays if an included domain lies in it and not in one of its forwarded zones.
    let mut candidates: BTreeSet<&str> = zones
        .iter()
        .filter(|zone| {
            !included.iter().any(|d| {
                d.is_subdomain_of(&zone.domain)
                    && !forwarded_of(zone.id.as_str())
                        .iter()
                        .any(|f| d.is_subdomain_of(&f.domain))
            })
        })
        .map(|z| z.id.as_str())
        .collect();
    // (b) A forwarded zone below an included domain is needed.
    for id in &result.zones_included {
        for f in forwarded_of(id) {
            if included.iter().any(|d| f.domain.is_subdomain_of(d)) {
                candidates.remove(f.id.as_str());
            }
        }
    }
    // (c) A zone inside an excluded domain goes, unless an included domain lies below that
    // excluded domain.
    for zone in &zones {
        let excluded_here = result.domains_excluded.iter().any(|e| {
            zone.domain.is_subdomain_of(e) && !included.iter().any(|d| d.is_strict_subdomain_of(e))
        });
        if excluded_here {
            candidates.insert(zone.id.as_str());
        }
    }
    for id in candidates {
        if result.zones_included.remove(id) {
            result.zones_excluded.insert(id.to_owned());
        }
    }
    // Domains of unused zones are excluded, unless an included domain lies strictly below.
    for zone in all_zones {
        if !result.zones_included.contains(zone.id.as_str())
            && !result.domains_included.contains(&zone.domain)
            && !result
                .domains_included
                .iter()
                .any(|d| d.is_strict_subdomain_of(&zone.domain))
        {
            result.domains_excluded.insert(zone.domain.clone());
        }
    }
    result.zones = selected(&result).into_iter().cloned().collect();
    result
}

type Domains = (Vec<DnsName>, Vec<DnsName>);

fn parse_domains(selection: &Selection) -> Result<Domains, SelectionError> {
    let parse = |list: &'static str, items: &[String]| -> Result<Vec<DnsName>, SelectionError> {
        let mut parsed: Vec<DnsName> = Vec::with_capacity(items.len());
        for domain in items {
            if domain.starts_with("*.") {
                return Err(SelectionError::Wildcard {
                    list,
                    domain: domain.clone(),
                });
            }
            let name: DnsName = domain
                .parse()
                .map_err(|source| SelectionError::InvalidDomain {
                    list,
                    domain: domain.clone(),
                    source,
                })?;
            if !parsed.contains(&name) {
                parsed.push(name);
            }
        }
        Ok(parsed)
    };
    let include = parse("include", &selection.include)?;
    let exclude = parse("exclude", &selection.exclude)?;
    if let Some(both) = selection
        .include
        .iter()
        .find(|d| selection.exclude.contains(d))
    {
        return Err(SelectionError::Overlap {
            what: "domains",
            item: both.clone(),
        });
    }
    Ok((include, exclude))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The zones of docs/entries-and-providers.md §9.4.
    fn zone(id: &str) -> HostedZone {
        let domain = match id {
            "ZAB" | "ZAB2" => "a.b",
            "ZCAB" => "c.a.b",
            "ZFAB" => "f.a.b",
            "ZOP" => "o.p",
            "ZB" => "b",
            other => panic!("unknown zone {other}"),
        };
        HostedZone {
            id: id.into(),
            domain: domain.parse().unwrap(),
            provider_type: ProviderType::Local,
            private: false,
        }
    }

    fn sel(include: &[&str], exclude: &[&str]) -> Selection {
        Selection {
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
        }
    }

    struct Case<'a> {
        zones: &'a [&'a str],
        domains: Selection,
        zone_filter: Selection,
    }

    fn run(case: Case<'_>) -> ZoneSelection {
        let all: Vec<HostedZone> = case.zones.iter().map(|z| zone(z)).collect();
        select(
            ProviderType::Local,
            Some(&case.domains),
            Some(&case.zone_filter),
            &all,
        )
    }

    fn ids(selection: &ZoneSelection) -> Vec<&str> {
        selection.zones.iter().map(|z| z.id.as_str()).collect()
    }

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn names(items: &[&str]) -> BTreeSet<DnsName> {
        items.iter().map(|s| s.parse().unwrap()).collect()
    }

    fn check(
        r: &ZoneSelection,
        zones: &[&str],
        zinc: &[&str],
        zexc: &[&str],
        dinc: &[&str],
        dexc: &[&str],
    ) {
        assert_eq!(ids(r), zones, "zones");
        assert_eq!(r.zones_included, set(zinc), "zoneSel.inc");
        assert_eq!(r.zones_excluded, set(zexc), "zoneSel.exc");
        assert_eq!(r.domains_included, names(dinc), "domainSel.inc");
        assert_eq!(r.domains_excluded, names(dexc), "domainSel.exc");
        assert_eq!(r.error, None);
    }

    #[test]
    fn sel_01_all_zones_without_spec() {
        let r = run(Case {
            zones: &["ZAB", "ZCAB", "ZOP"],
            domains: sel(&[], &[]),
            zone_filter: sel(&[], &[]),
        });
        check(
            &r,
            &["ZAB", "ZCAB", "ZOP"],
            &["ZAB", "ZCAB", "ZOP"],
            &[],
            &["a.b", "c.a.b", "o.p"],
            &[],
        );
    }

    #[test]
    fn sel_03_no_zones() {
        let r = run(Case {
            zones: &[],
            domains: sel(&[], &[]),
            zone_filter: sel(&[], &[]),
        });
        assert!(r.zones.is_empty());
        assert_eq!(r.error.unwrap().to_string(), "no hosted zones found");
    }

    #[test]
    fn sel_05_07_validation() {
        let r = run(Case {
            zones: &["ZAB"],
            domains: sel(&["a.b"], &["*.sub.a.b"]),
            zone_filter: sel(&[], &[]),
        });
        assert_eq!(
            r.error.unwrap().to_string(),
            "wildcards are not allowed in domains exclude '*.sub.a.b' (hint: remove the wildcard)"
        );
        let r = run(Case {
            zones: &["ZAB"],
            domains: sel(&["*.a.b"], &[]),
            zone_filter: sel(&[], &[]),
        });
        assert!(
            r.error
                .unwrap()
                .to_string()
                .starts_with("wildcards are not allowed in domains include '*.a.b'")
        );
        let r = run(Case {
            zones: &["ZAB"],
            domains: sel(&[], &[]),
            zone_filter: sel(&["ZAB"], &["ZAB"]),
        });
        assert_eq!(
            r.error.unwrap().to_string(),
            "zones 'ZAB' is specified in both include and exclude"
        );
        let r = run(Case {
            zones: &["ZAB"],
            domains: sel(&["a.b"], &["a.b"]),
            zone_filter: sel(&[], &[]),
        });
        assert_eq!(
            r.error.unwrap().to_string(),
            "domains 'a.b' is specified in both include and exclude"
        );
    }

    #[test]
    fn sel_09_zone_inclusion() {
        let r = run(Case {
            zones: &["ZAB", "ZCAB", "ZOP"],
            domains: sel(&[], &[]),
            zone_filter: sel(&["ZAB"], &["ZOP"]),
        });
        check(
            &r,
            &["ZAB"],
            &["ZAB"],
            &["ZCAB", "ZOP"],
            &["a.b"],
            &["c.a.b", "o.p"],
        );
    }

    #[test]
    fn sel_11_excluded_forwarded_zone() {
        let r = run(Case {
            zones: &["ZAB", "ZCAB", "ZOP"],
            domains: sel(&["a.b"], &["c.a.b"]),
            zone_filter: sel(&[], &[]),
        });
        check(
            &r,
            &["ZAB"],
            &["ZAB"],
            &["ZOP", "ZCAB"],
            &["a.b"],
            &["c.a.b", "o.p"],
        );
    }

    #[test]
    fn sel_13_complex_inclusion() {
        let r = run(Case {
            zones: &["ZAB", "ZCAB", "ZOP"],
            domains: sel(&["c.a.b", "x.o.p"], &["e.a.b", "y.x.o.p"]),
            zone_filter: sel(&[], &[]),
        });
        check(
            &r,
            &["ZCAB", "ZOP"],
            &["ZCAB", "ZOP"],
            &["ZAB"],
            &["c.a.b", "x.o.p"],
            &["e.a.b", "y.x.o.p"],
        );
    }

    #[test]
    fn sel_15_same_base_domain() {
        let r = run(Case {
            zones: &["ZAB", "ZAB2", "ZCAB"],
            domains: sel(&["f.a.b"], &[]),
            zone_filter: sel(&[], &[]),
        });
        check(
            &r,
            &["ZAB", "ZAB2"],
            &["ZAB", "ZAB2"],
            &["ZCAB"],
            &["f.a.b"],
            &["c.a.b"],
        );
    }

    #[test]
    fn sel_17_included_below_excluded() {
        let r = run(Case {
            zones: &["ZAB"],
            domains: sel(&["sub.a.b"], &["a.b"]),
            zone_filter: sel(&[], &[]),
        });
        check(&r, &["ZAB"], &["ZAB"], &[], &["sub.a.b"], &["a.b"]);
    }

    #[test]
    fn sel_19_21_forwarded_subsubdomains() {
        let r = run(Case {
            zones: &["ZB", "ZCAB"],
            domains: sel(&["a.b"], &[]),
            zone_filter: sel(&[], &[]),
        });
        check(&r, &["ZB", "ZCAB"], &["ZB", "ZCAB"], &[], &["a.b"], &[]);
        let r = run(Case {
            zones: &["ZB", "ZCAB"],
            domains: sel(&["b", "d.c.a.b"], &[]),
            zone_filter: sel(&[], &[]),
        });
        check(
            &r,
            &["ZB", "ZCAB"],
            &["ZB", "ZCAB"],
            &[],
            &["b", "d.c.a.b"],
            &[],
        );
    }

    #[test]
    fn sel_23_private_zones_same_domain() {
        let r = run(Case {
            zones: &["ZAB", "ZAB2"],
            domains: sel(&[], &[]),
            zone_filter: sel(&["ZAB"], &["ZAB2"]),
        });
        check(&r, &["ZAB"], &["ZAB"], &["ZAB2"], &["a.b"], &[]);
    }

    #[test]
    fn unmatched_domains() {
        let r = run(Case {
            zones: &["ZAB", "ZOP"],
            domains: sel(&["x.y"], &[]),
            zone_filter: sel(&[], &[]),
        });
        assert_eq!(
            r.error.unwrap().to_string(),
            "no domain matching hosting zones. Need to be a (sub)domain of [a.b, o.p]"
        );
        assert_eq!(r.warnings, ["domain \"x.y\" not in hosted domains"]);
        assert!(r.zones.is_empty());
        assert_eq!(r.zones_excluded, set(&["ZAB", "ZOP"]));
        let r = run(Case {
            zones: &["ZAB", "ZOP"],
            domains: sel(&[], &[]),
            zone_filter: sel(&["nope"], &[]),
        });
        assert_eq!(
            r.error.unwrap().to_string(),
            "no zone available in account matches zone filter"
        );
    }
}
