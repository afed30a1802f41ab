//! Route 53's record sets and changes (API version 2013-04-01), and how shoot-dns's record sets
//! map to them and back (docs/entries-and-providers.md §5.3, §5.10, §5.11, §6.3):
//!
//! - names are absolute (a trailing dot); Route 53 answers a wildcard as `\052`, and any other
//!   unusual byte as `\ooo` (octal);
//! - `ALIAS` and `ALIAS_AAAA` are Route 53's `A` and `AAAA` with an `AliasTarget` in the
//!   canonical hosted zone of the target (AWS load balancers, CloudFront, ...), no TTL, and the
//!   target's health evaluated; they read back with TTL 0;
//! - TXT values are sent quoted as Go quotes them and read back unquoted;
//! - a set identifier comes with exactly one routing policy: `weighted` (`Weight`), `latency`
//!   (`Region`), `geolocation` (`GeoLocation`), `ip-based` (`CidrRoutingConfig`), `failover`
//!   (`Failover`), each with an optional `HealthCheckId`.
//!
//! Pure: the transport turns these values into XML and back.

use std::collections::BTreeMap;

use crate::DnsName;
use crate::records::{Policy, RecordName, RecordSet, RecordType, aws_canonical_hosted_zone};
use crate::zones::{Action, Change, RecordKey};

/// One Route 53 resource record set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResourceRecordSet {
    /// The absolute name, as Route 53 spells it (a trailing dot).
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, `TXT`, `NS`, ... (also the types shoot-dns does not manage).
    pub record_type: String,
    /// The set identifier of a routing policy.
    pub set_identifier: Option<String>,
    /// The TTL (none for an alias).
    pub ttl: Option<u32>,
    /// The values, as Route 53 holds them (TXT quoted).
    pub records: Vec<String>,
    /// The alias target, for an alias record set.
    pub alias_target: Option<AliasTarget>,
    /// The routing policy.
    pub routing: Routing,
    /// The health check, with a routing policy.
    pub health_check_id: Option<String>,
}

/// Where an alias record set points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasTarget {
    /// The canonical hosted zone of the target.
    pub hosted_zone_id: String,
    /// The target's name.
    pub dns_name: String,
    /// Whether Route 53 evaluates the target's health.
    pub evaluate_target_health: bool,
}

/// The routing policy of a record set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Routing {
    /// None: a plain record set.
    #[default]
    Simple,
    /// `Weight`.
    Weighted(i64),
    /// `Region`.
    Latency(String),
    /// `GeoLocation`.
    Geolocation(GeoLocation),
    /// `CidrRoutingConfig`: the collection's id and the location's name (`*`: the default).
    IpBased {
        /// The CIDR collection's id.
        collection_id: String,
        /// The location in it.
        location_name: String,
    },
    /// `Failover`: `PRIMARY` (true) or `SECONDARY`.
    Failover {
        /// Whether this is the primary record set.
        primary: bool,
    },
}

/// A Route 53 geolocation: a continent, a country (`*`: every other place), or a country's
/// subdivision.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GeoLocation {
    /// `ContinentCode`.
    pub continent_code: Option<String>,
    /// `CountryCode`.
    pub country_code: Option<String>,
    /// `SubdivisionCode`.
    pub subdivision_code: Option<String>,
}

impl GeoLocation {
    /// The location as shoot-dns writes it in a routing policy: `continent=XX`, `country=XX`
    /// or `country=XX,subdivision=YY`.
    pub fn parameter(&self) -> String {
        match (
            &self.continent_code,
            &self.country_code,
            &self.subdivision_code,
        ) {
            (Some(continent), _, _) => format!("continent={continent}"),
            (None, Some(country), Some(subdivision)) => {
                format!("country={country},subdivision={subdivision}")
            }
            (None, Some(country), None) => format!("country={country}"),
            (None, None, _) => "country=*".to_owned(),
        }
    }
}

/// What a change does to a record set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeAction {
    /// `CREATE`: fails if it exists.
    Create,
    /// `DELETE`: fails unless it exists exactly so.
    Delete,
    /// `UPSERT`: creates or replaces.
    Upsert,
}

impl ChangeAction {
    /// Route 53's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeAction::Create => "CREATE",
            ChangeAction::Delete => "DELETE",
            ChangeAction::Upsert => "UPSERT",
        }
    }
}

/// One Route 53 change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route53Change {
    /// What it does.
    pub action: ChangeAction,
    /// The record set it does it to.
    pub set: ResourceRecordSet,
}

/// Names Route 53 knows and the core cannot: geolocation names (`Germany`, `California`) and
/// CIDR collection names, as the account's `ListGeoLocations` and `ListCidrCollections` give
/// them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    /// Geolocations by name.
    pub geolocations: BTreeMap<String, GeoLocation>,
    /// CIDR collection ids by name.
    pub cidr_collections: BTreeMap<String, String>,
    /// The location names of each CIDR collection, by collection id.
    pub cidr_locations: BTreeMap<String, std::collections::BTreeSet<String>>,
}

impl Names {
    /// Whether `error` is one that names read from the account afresh might cure: a
    /// geolocation or a CIDR collection or location it does not know (yet).
    pub fn may_cure(error: &MappingError) -> bool {
        matches!(
            error,
            MappingError::Location(_)
                | MappingError::CidrCollection(_)
                | MappingError::CidrLocation { .. }
        )
    }
}

/// Why a shoot-dns record set cannot be written to Route 53, in Gardener's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// An alias target outside every canonical hosted zone.
    #[error("corrupted alias record set")]
    AliasTarget,
    /// A geolocation Route 53 does not know.
    #[error("location {0} not found")]
    Location(String),
    /// A CIDR collection the account does not have.
    #[error("CIDR collection named {0} not found")]
    CidrCollection(String),
    /// A location the CIDR collection does not have.
    #[error("location name {location} not found in CIDR collection named {collection}")]
    CidrLocation {
        /// The location's name.
        location: String,
        /// The collection's name.
        collection: String,
    },
    /// A weight that is no non-negative integer.
    #[error("invalid value for spec.routingPolicy.parameters.weight: {0}")]
    Weight(String),
    /// A failover record type other than PRIMARY or SECONDARY.
    #[error("invalid failoverRecordType value: {0}")]
    FailoverType(String),
    /// `disableEvaluateTargetHealth` that is no boolean.
    #[error("invalid disableEvaluateTargetHealth value: {0}")]
    EvaluateTargetHealth(String),
    /// A parameter the policy needs is missing.
    #[error("missing parameter key {0}")]
    MissingParameter(&'static str),
    /// A policy type Route 53 has not.
    #[error("unsupported routing policy type {0}")]
    PolicyType(String),
    /// A set identifier without a policy, or a policy without one.
    #[error("{0}")]
    SetIdentifier(&'static str),
    /// Neither an old nor a new record set.
    #[error("both old and new record sets are nil for {0}")]
    Empty(String),
}

/// The Route 53 changes of one shoot-dns change: a create is `CREATE`, a delete `DELETE` of
/// exactly what the zone holds, an update `UPSERT` (a Route 53 type that changes, `DELETE` and
/// `CREATE`).
pub fn changes_of(change: &Change, names: &Names) -> Result<Vec<Route53Change>, MappingError> {
    let set = |set: &RecordSet| route53_set(&change.name, &change.set_identifier, set, names);
    let missing = || MappingError::Empty(change.name.to_string());
    Ok(match change.action {
        Action::Create => {
            let new = change.new_set.as_ref().ok_or_else(missing)?;
            vec![Route53Change {
                action: ChangeAction::Create,
                set: set(new)?,
            }]
        }
        Action::Delete => {
            let old = change.old_set.as_ref().ok_or_else(missing)?;
            vec![Route53Change {
                action: ChangeAction::Delete,
                set: set(old)?,
            }]
        }
        Action::Update => {
            let new = set(change.new_set.as_ref().ok_or_else(missing)?)?;
            match change.old_set.as_ref().map(set).transpose()? {
                Some(old) if old.record_type != new.record_type => vec![
                    Route53Change {
                        action: ChangeAction::Delete,
                        set: old,
                    },
                    Route53Change {
                        action: ChangeAction::Create,
                        set: new,
                    },
                ],
                _ => vec![Route53Change {
                    action: ChangeAction::Upsert,
                    set: new,
                }],
            }
        }
    })
}

/// The Route 53 record set of a shoot-dns one at `name`.
pub fn route53_set(
    name: &DnsName,
    set_identifier: &str,
    set: &RecordSet,
    names: &Names,
) -> Result<ResourceRecordSet, MappingError> {
    let mut out = ResourceRecordSet {
        name: format!("{name}."),
        set_identifier: (!set_identifier.is_empty()).then(|| set_identifier.to_owned()),
        ..ResourceRecordSet::default()
    };
    let mut evaluate_target_health = true;
    if let Some(policy) = &set.routing_policy {
        if set_identifier.is_empty() {
            return Err(MappingError::SetIdentifier(
                "routing policy set, but missing set identifier",
            ));
        }
        let parameter = |key: &'static str| {
            (policy.parameters.get(key)).ok_or(MappingError::MissingParameter(key))
        };
        out.health_check_id = policy.parameters.get("healthCheckID").cloned();
        out.routing = match policy.policy_type.as_str() {
            "weighted" => {
                let weight = parameter("weight")?;
                let parsed = crate::records::go_parse_int_base0(weight)
                    .filter(|w| *w >= 0)
                    .ok_or_else(|| MappingError::Weight(weight.clone()))?;
                Routing::Weighted(parsed)
            }
            "latency" => Routing::Latency(parameter("region")?.clone()),
            "geolocation" => Routing::Geolocation(geolocation(parameter("location")?, names)?),
            "ip-based" => {
                let collection = parameter("collection")?;
                let collection_id = (names.cidr_collections.get(collection))
                    .ok_or_else(|| MappingError::CidrCollection(collection.clone()))?;
                let location = parameter("location")?;
                let known = (names.cidr_locations.get(collection_id))
                    .is_some_and(|locations| locations.contains(location));
                if location != "*" && !known {
                    return Err(MappingError::CidrLocation {
                        location: location.clone(),
                        collection: collection.clone(),
                    });
                }
                Routing::IpBased {
                    collection_id: collection_id.clone(),
                    location_name: location.clone(),
                }
            }
            "failover" => {
                let kind = parameter("failoverRecordType")?;
                let primary = match kind.to_ascii_uppercase().as_str() {
                    "PRIMARY" => true,
                    "SECONDARY" => false,
                    _ => return Err(MappingError::FailoverType(kind.clone())),
                };
                if let Some(disable) = policy.parameters.get("disableEvaluateTargetHealth") {
                    let disabled = crate::quote::go_parse_bool(disable)
                        .ok_or_else(|| MappingError::EvaluateTargetHealth(disable.clone()))?;
                    evaluate_target_health = !disabled;
                }
                Routing::Failover { primary }
            }
            other => return Err(MappingError::PolicyType(other.to_owned())),
        };
    } else if !set_identifier.is_empty() {
        return Err(MappingError::SetIdentifier(
            "set identifier set, but routing policy missing",
        ));
    }
    match set.record_type {
        RecordType::ALIAS | RecordType::ALIAS_AAAA => {
            let target = set.values.first().map(String::as_str).unwrap_or_default();
            let target = target.trim_end_matches('.');
            let zone = aws_canonical_hosted_zone(target).ok_or(MappingError::AliasTarget)?;
            out.record_type = if set.record_type == RecordType::ALIAS {
                "A"
            } else {
                "AAAA"
            }
            .to_owned();
            out.alias_target = Some(AliasTarget {
                hosted_zone_id: zone.to_owned(),
                dns_name: target.to_owned(),
                evaluate_target_health,
            });
        }
        other => {
            out.record_type = other.as_str().to_owned();
            out.ttl = Some(set.ttl);
            out.records = if other == RecordType::TXT {
                set.values
                    .iter()
                    .map(|v| crate::quote::go_quote(v))
                    .collect()
            } else {
                set.values.clone()
            };
        }
    }
    Ok(out)
}

/// A geolocation parameter as Route 53's `GeoLocation`: `continent=XX`, `country=XX` (`*`: the
/// default), `country=XX,subdivision=YY`, a continent's name, `Default`, or a name the account's
/// `ListGeoLocations` gives.
fn geolocation(location: &str, names: &Names) -> Result<GeoLocation, MappingError> {
    let some = |s: &str| Some(s.to_owned());
    match crate::records::AwsLocation::parse(location) {
        crate::records::AwsLocation::Continent(code) => Ok(GeoLocation {
            continent_code: some(code),
            ..GeoLocation::default()
        }),
        crate::records::AwsLocation::Country {
            country,
            subdivision,
        } => Ok(GeoLocation {
            country_code: some(country),
            subdivision_code: subdivision.map(str::to_owned),
            ..GeoLocation::default()
        }),
        crate::records::AwsLocation::Name(name) => (names.geolocations.get(name).cloned())
            .ok_or_else(|| MappingError::Location(location.to_owned())),
    }
}

/// The shoot-dns record set of a Route 53 one, with its key; `None` for a type shoot-dns does
/// not manage (SOA, MX, ...) or a name it cannot read. Alias record sets become `ALIAS` and
/// `ALIAS_AAAA` with TTL 0 and the target without its trailing dot; TXT values are unquoted;
/// a routing policy reads back as the parameters shoot-dns writes (a geolocation in its code
/// form, an ip-based collection by the name `names` gives its id).
pub fn record_set_of(set: &ResourceRecordSet, names: &Names) -> Option<(RecordKey, RecordSet)> {
    let name: DnsName = unescape(set.name.trim_end_matches('.')).parse().ok()?;
    let alias = set.alias_target.as_ref();
    let record_type = match (set.record_type.as_str(), alias) {
        ("A", Some(_)) => RecordType::ALIAS,
        ("AAAA", Some(_)) => RecordType::ALIAS_AAAA,
        ("A", None) => RecordType::A,
        ("AAAA", None) => RecordType::AAAA,
        ("CNAME", None) => RecordType::CNAME,
        ("TXT", None) => RecordType::TXT,
        ("NS", None) => RecordType::NS,
        _ => return None,
    };
    let (ttl, values) = match alias {
        Some(target) => (0, vec![target.dns_name.trim_end_matches('.').to_owned()]),
        None => {
            let values = if record_type == RecordType::TXT {
                (set.records.iter())
                    .map(|v| crate::records::go_unquote_or_raw(v))
                    .collect()
            } else if record_type == RecordType::CNAME {
                (set.records.iter())
                    .map(|v| v.trim_end_matches('.').to_owned())
                    .collect()
            } else {
                set.records.clone()
            };
            (set.ttl.unwrap_or(0), values)
        }
    };
    let mut parameters = BTreeMap::new();
    let policy_type = match &set.routing {
        Routing::Simple => None,
        Routing::Weighted(weight) => {
            parameters.insert("weight".to_owned(), weight.to_string());
            Some("weighted")
        }
        Routing::Latency(region) => {
            parameters.insert("region".to_owned(), region.clone());
            Some("latency")
        }
        Routing::Geolocation(location) => {
            parameters.insert("location".to_owned(), location.parameter());
            Some("geolocation")
        }
        Routing::IpBased {
            collection_id,
            location_name,
        } => {
            let collection = (names.cidr_collections.iter())
                .find(|(_, id)| *id == collection_id)
                .map_or(collection_id, |(name, _)| name);
            parameters.insert("collection".to_owned(), collection.clone());
            parameters.insert("location".to_owned(), location_name.clone());
            Some("ip-based")
        }
        Routing::Failover { primary } => {
            let kind = if *primary { "PRIMARY" } else { "SECONDARY" };
            parameters.insert("failoverRecordType".to_owned(), kind.to_owned());
            if alias.is_some_and(|a| !a.evaluate_target_health) {
                parameters.insert("disableEvaluateTargetHealth".to_owned(), "true".to_owned());
            }
            Some("failover")
        }
    };
    if let (Some(_), Some(check)) = (policy_type, &set.health_check_id) {
        parameters.insert("healthCheckID".to_owned(), check.clone());
    }
    let routing_policy = policy_type.map(|t| Policy {
        policy_type: t.to_owned(),
        parameters,
    });
    let key = RecordKey {
        owner: RecordName::new(name, set.set_identifier.clone().unwrap_or_default()),
        record_type,
    };
    let set = RecordSet {
        record_type,
        ttl,
        values,
        routing_policy,
    };
    Some((key, set))
}

/// A name as Route 53 answers it, with its `\ooo` escapes (`\052` for a wildcard) undone.
pub fn unescape(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (bytes[i], octal) {
            (b'\\', Some(digits)) => {
                let value = digits.iter().fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    fn set(record_type: RecordType, ttl: u32, values: &[&str]) -> RecordSet {
        RecordSet {
            record_type,
            ttl,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            routing_policy: None,
        }
    }

    fn policy(policy_type: &str, parameters: &[(&str, &str)]) -> Option<Policy> {
        Some(Policy {
            policy_type: policy_type.to_owned(),
            parameters: (parameters.iter())
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        })
    }

    fn name(text: &str) -> DnsName {
        text.parse().expect("a name")
    }

    /// An account's names: two geolocations (one Route 53's list as known here lacks), and
    /// one CIDR collection with one location.
    pub(in crate::adapters::backends::route53) fn names() -> Names {
        let country = |code: &str| GeoLocation {
            country_code: Some(code.to_owned()),
            ..GeoLocation::default()
        };
        Names {
            geolocations: [
                ("Newland".to_owned(), country("XN")),
                ("Germany".to_owned(), country("DE")),
            ]
            .into(),
            cidr_collections: [("office".to_owned(), "c-123".to_owned())].into(),
            cidr_locations: [("c-123".to_owned(), ["berlin".to_owned()].into())].into(),
        }
    }

    /// Written, then read back as Route 53 would answer: the same record set.
    fn round_trip(name_text: &str, set_identifier: &str, planned: &RecordSet) -> ResourceRecordSet {
        let written = route53_set(&name(name_text), set_identifier, planned, &names())
            .expect("a Route 53 record set");
        let (key, read) = record_set_of(&written, &names()).expect("read back");
        assert_eq!(key.owner.dns_name, name(name_text));
        assert_eq!(key.owner.set_identifier, set_identifier);
        assert_eq!(key.record_type, planned.record_type);
        assert_eq!(&read, planned);
        written
    }

    #[test]
    fn plain_record_sets_round_trip() {
        let a = round_trip(
            "www.example.com",
            "",
            &set(RecordType::A, 300, &["192.0.2.1", "192.0.2.2"]),
        );
        assert_eq!(a.name, "www.example.com.");
        assert_eq!((a.record_type.as_str(), a.ttl), ("A", Some(300)));
        round_trip(
            "www.example.com",
            "",
            &set(RecordType::AAAA, 60, &["2001:db8::1"]),
        );
        round_trip(
            "www.example.com",
            "",
            &set(RecordType::CNAME, 60, &["lb.example.org"]),
        );
        let txt = round_trip(
            "_v.example.com",
            "",
            &set(RecordType::TXT, 60, &["a \"b\"", "c"]),
        );
        assert_eq!(txt.records, [r#""a \"b\"""#, r#""c""#]);
        round_trip("*.example.com", "", &set(RecordType::A, 60, &["192.0.2.1"]));
    }

    #[test]
    fn route53_escapes_read_back() {
        assert_eq!(unescape(r"\052.example.com"), "*.example.com");
        assert_eq!(unescape(r"a\100b"), "a@b");
        assert_eq!(unescape(r"a\9b"), r"a\9b");
        let answer = ResourceRecordSet {
            name: r"\052.example.com.".to_owned(),
            record_type: "CNAME".to_owned(),
            ttl: Some(60),
            records: vec!["target.example.org.".to_owned()],
            ..ResourceRecordSet::default()
        };
        let (key, read) = record_set_of(&answer, &Names::default()).expect("a record set");
        assert_eq!(key.owner.dns_name, name("*.example.com"));
        assert_eq!(read.values, ["target.example.org"]);
    }

    #[test]
    fn alias_records_point_into_the_canonical_zone_and_read_back_with_ttl_0() {
        let lb = "abc.eu-central-1.elb.amazonaws.com";
        let written = round_trip("www.example.com", "", &set(RecordType::ALIAS, 0, &[lb]));
        assert_eq!(written.record_type, "A");
        assert_eq!(written.ttl, None);
        assert_eq!(
            written.alias_target,
            Some(AliasTarget {
                hosted_zone_id: "Z215JYRZR1TBD5".to_owned(),
                dns_name: lb.to_owned(),
                evaluate_target_health: true,
            })
        );
        let written = round_trip(
            "www.example.com",
            "",
            &set(RecordType::ALIAS_AAAA, 0, &[lb]),
        );
        assert_eq!(written.record_type, "AAAA");
        let elsewhere = set(RecordType::ALIAS, 0, &["lb.example.org"]);
        assert_eq!(
            route53_set(&name("www.example.com"), "", &elsewhere, &Names::default()),
            Err(MappingError::AliasTarget)
        );
    }

    #[test]
    fn each_routing_policy_round_trips() {
        let cases = [
            (
                "weighted",
                vec![("weight", "10"), ("healthCheckID", "hc-1")],
            ),
            ("latency", vec![("region", "eu-central-1")]),
            ("geolocation", vec![("location", "continent=EU")]),
            (
                "geolocation",
                vec![("location", "country=US,subdivision=CA")],
            ),
            ("geolocation", vec![("location", "country=*")]),
            (
                "ip-based",
                vec![("collection", "office"), ("location", "berlin")],
            ),
            ("failover", vec![("failoverRecordType", "SECONDARY")]),
        ];
        for (policy_type, parameters) in cases {
            let mut planned = set(RecordType::A, 60, &["192.0.2.1"]);
            planned.routing_policy = policy(policy_type, &parameters);
            round_trip("www.example.com", "one", &planned);
        }
        let mut failover = set(RecordType::ALIAS, 0, &["abc.cloudfront.net"]);
        failover.routing_policy = policy(
            "failover",
            &[
                ("failoverRecordType", "PRIMARY"),
                ("disableEvaluateTargetHealth", "true"),
            ],
        );
        let written = round_trip("www.example.com", "one", &failover);
        assert_eq!(written.routing, Routing::Failover { primary: true });
        assert!(
            !written
                .alias_target
                .expect("an alias")
                .evaluate_target_health
        );
    }

    #[test]
    fn geolocation_names_take_their_codes() {
        let mut planned = set(RecordType::A, 60, &["192.0.2.1"]);
        for (location, expected) in [
            ("Europe", "continent=EU"),
            ("Default", "country=*"),
            ("Germany", "country=DE"),
            ("Newland", "country=XN"),
        ] {
            planned.routing_policy = policy("geolocation", &[("location", location)]);
            let written =
                route53_set(&name("a.example.com"), "x", &planned, &names()).expect("mapped");
            let Routing::Geolocation(geo) = &written.routing else {
                panic!("{written:?}")
            };
            assert_eq!(geo.parameter(), expected);
        }
        planned.routing_policy = policy("geolocation", &[("location", "Atlantis")]);
        let error = route53_set(&name("a.example.com"), "x", &planned, &names()).unwrap_err();
        assert_eq!(error.to_string(), "location Atlantis not found");
        assert!(Names::may_cure(&error));

        planned.routing_policy = policy(
            "ip-based",
            &[("collection", "office"), ("location", "paris")],
        );
        let error = route53_set(&name("a.example.com"), "x", &planned, &names()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "location name paris not found in CIDR collection named office"
        );
        planned.routing_policy = policy("ip-based", &[("collection", "office"), ("location", "*")]);
        assert!(route53_set(&name("a.example.com"), "x", &planned, &names()).is_ok());
    }

    #[test]
    fn broken_policies_say_why_in_gardeners_words() {
        let mut planned = set(RecordType::A, 60, &["192.0.2.1"]);
        let check = |planned: &RecordSet, id: &str| {
            route53_set(&name("a.example.com"), id, planned, &names())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            check(&planned, "x"),
            "set identifier set, but routing policy missing"
        );
        planned.routing_policy = policy("weighted", &[("weight", "-1")]);
        assert_eq!(
            check(&planned, ""),
            "routing policy set, but missing set identifier"
        );
        assert_eq!(
            check(&planned, "x"),
            "invalid value for spec.routingPolicy.parameters.weight: -1"
        );
        planned.routing_policy = policy("ip-based", &[("collection", "home"), ("location", "x")]);
        assert_eq!(check(&planned, "x"), "CIDR collection named home not found");
        planned.routing_policy = policy("failover", &[("failoverRecordType", "THIRD")]);
        assert_eq!(
            check(&planned, "x"),
            "invalid failoverRecordType value: THIRD"
        );
        planned.routing_policy = policy("proxied", &[]);
        assert_eq!(
            check(&planned, "x"),
            "unsupported routing policy type proxied"
        );
    }

    #[test]
    fn types_shoot_dns_does_not_manage_are_not_read() {
        for record_type in ["SOA", "MX", "SRV", "CAA"] {
            let answer = ResourceRecordSet {
                name: "example.com.".to_owned(),
                record_type: record_type.to_owned(),
                ttl: Some(60),
                records: vec!["x".to_owned()],
                ..ResourceRecordSet::default()
            };
            assert_eq!(record_set_of(&answer, &Names::default()), None);
        }
    }

    #[test]
    fn updates_upsert_unless_the_route53_type_changes() {
        let change = |action, old: Option<RecordSet>, new: Option<RecordSet>| Change {
            provider: "default/aws".into(),
            zone: "Z1".into(),
            action,
            name: name("www.example.com"),
            record_type: new
                .as_ref()
                .or(old.as_ref())
                .map_or(RecordType::A, |s| s.record_type),
            set_identifier: String::new(),
            old: None,
            new: None,
            outcome: None,
            new_set: new,
            old_set: old,
            entry: "default/e".into(),
        };
        let a = || set(RecordType::A, 60, &["192.0.2.1"]);
        let a2 = || set(RecordType::A, 120, &["192.0.2.2"]);
        let actions = |c: &Change| {
            (changes_of(c, &Names::default()).expect("changes").iter())
                .map(|c| (c.action, c.set.record_type.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            actions(&change(Action::Create, None, Some(a()))),
            [(ChangeAction::Create, "A".to_owned())]
        );
        assert_eq!(
            actions(&change(Action::Delete, Some(a()), None)),
            [(ChangeAction::Delete, "A".to_owned())]
        );
        assert_eq!(
            actions(&change(Action::Update, Some(a()), Some(a2()))),
            [(ChangeAction::Upsert, "A".to_owned())]
        );
        let txt = set(RecordType::TXT, 60, &["x"]);
        assert_eq!(
            actions(&change(Action::Update, Some(txt), Some(a()))),
            [
                (ChangeAction::Delete, "TXT".to_owned()),
                (ChangeAction::Create, "A".to_owned())
            ]
        );
        let error = changes_of(&change(Action::Delete, None, None), &Names::default()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "both old and new record sets are nil for www.example.com"
        );
        // A delete names exactly what the zone holds.
        let deleted = changes_of(&change(Action::Delete, Some(a2()), None), &Names::default());
        assert_eq!(deleted.expect("a delete")[0].set.ttl, Some(120));
    }
}
