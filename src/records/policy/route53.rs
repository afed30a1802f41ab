//! Route 53 routing policies (docs/entries-and-providers.md §5.10, Gardener's
//! `handler/aws/routingpolicy.go`): the parameter keys and the values that can be checked
//! without asking AWS.

use super::error::{PolicyError, check_keys};
use crate::records::{Policy, RecordSet};

/// Route 53 (`handler/aws/routingpolicy.go`, `addRoutingPolicy`).
pub(super) fn check_aws(
    set_identifier: &str,
    policy: Option<&Policy>,
    set: &RecordSet,
) -> Result<(), PolicyError> {
    let policy = match (set_identifier.is_empty(), policy) {
        (true, None) => return Ok(()),
        (true, Some(_)) => return Err(PolicyError::AwsMissingSetIdentifier),
        (false, None) => return Err(PolicyError::AwsMissingPolicy),
        (false, Some(policy)) => policy,
    };
    const HEALTH_CHECK: &str = "healthCheckID";
    let (required, optional): (&[&str], &[&str]) = match policy.policy_type.as_str() {
        "weighted" => (&["weight"], &[HEALTH_CHECK]),
        "latency" => (&["region"], &[HEALTH_CHECK]),
        "geolocation" => (&["location"], &[HEALTH_CHECK]),
        "ip-based" => (&["collection", "location"], &[HEALTH_CHECK]),
        "failover" => (
            &["failoverRecordType"],
            &["disableEvaluateTargetHealth", HEALTH_CHECK],
        ),
        other => {
            return Err(PolicyError::AwsUnsupportedType {
                policy_type: other.to_owned(),
            });
        }
    };
    check_keys(policy, required, optional)?;
    // Gardener walks the parameters in map order; here in key order.
    policy
        .parameters
        .iter()
        .find_map(|(key, value)| aws_value_error(&policy.policy_type, key, value, set))
        .map_or(Ok(()), Err)
}

/// What Route 53 says about one parameter value, if it is bad.
fn aws_value_error(
    policy_type: &str,
    key: &str,
    value: &str,
    set: &RecordSet,
) -> Option<PolicyError> {
    let value_owned = || value.to_owned();
    match key {
        "weight" if go_parse_int_base0(value).is_none_or(|w| w < 0) => {
            Some(PolicyError::AwsInvalidWeight {
                value: value_owned(),
            })
        }
        "location" if policy_type == "geolocation" && !is_aws_geolocation(value) => {
            Some(PolicyError::AwsLocationNotFound {
                location: value_owned(),
            })
        }
        "failoverRecordType"
            if !matches!(value.to_uppercase().as_str(), "PRIMARY" | "SECONDARY") =>
        {
            Some(PolicyError::AwsInvalidFailoverRecordType {
                value: value_owned(),
            })
        }
        "disableEvaluateTargetHealth" if !set.record_type.is_alias() => {
            Some(PolicyError::AwsDisableEvaluateTargetHealthWithoutAlias)
        }
        "disableEvaluateTargetHealth" if crate::quote::go_parse_bool(value).is_none() => {
            Some(PolicyError::AwsInvalidDisableEvaluateTargetHealth {
                value: value_owned(),
            })
        }
        _ => None,
    }
}

/// Route 53's continent codes and names (`ListGeoLocations`).
const AWS_CONTINENTS: [(&str, &str); 7] = [
    ("AF", "Africa"),
    ("AN", "Antarctica"),
    ("AS", "Asia"),
    ("EU", "Europe"),
    ("NA", "North America"),
    ("OC", "Oceania"),
    ("SA", "South America"),
];

/// Route 53's geolocations by name (`ListGeoLocations`, as Gardener's aws-route53
/// documentation lists them): `name<TAB>continent<TAB>country<TAB>subdivision` lines.
const AWS_GEOLOCATIONS: &str = include_str!("aws_geolocations.tsv");

/// A Route 53 geolocation parameter, read: Gardener builds its table from `ListGeoLocations`,
/// each location under its name (`Europe`, `Germany`, `California`, `Default`) and under
/// `continent=EU`, `country=DE` or `country=US,subdivision=CA`. The names are those of
/// [`AWS_GEOLOCATIONS`]; Route 53 may know more, which only its API can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AwsLocation<'a> {
    /// `continent=XX`, or a continent's name (its code).
    Continent(&'a str),
    /// `country=XX` (`*`: the default location, also `Default`), with `,subdivision=YY`, or
    /// the name of a country or subdivision.
    Country {
        country: &'a str,
        subdivision: Option<&'a str>,
    },
    /// Any other name.
    Name(&'a str),
}

impl<'a> AwsLocation<'a> {
    /// Reads a `location` parameter.
    pub(crate) fn parse(location: &'a str) -> Self {
        if let Some(continent) = location.strip_prefix("continent=") {
            return Self::Continent(continent);
        }
        if let Some(rest) = location.strip_prefix("country=") {
            return match rest.split_once(",subdivision=") {
                Some((country, subdivision)) => Self::Country {
                    country,
                    subdivision: Some(subdivision),
                },
                None => Self::Country {
                    country: rest,
                    subdivision: None,
                },
            };
        }
        Self::named(location).unwrap_or(Self::Name(location))
    }

    /// The location of a name Route 53 lists.
    fn named(name: &str) -> Option<AwsLocation<'static>> {
        let known = AWS_GEOLOCATIONS.lines().filter(|l| !l.starts_with('#'));
        known.map(|line| line.split('\t')).find_map(|mut cells| {
            if cells.next()? != name {
                return None;
            }
            let mut code = || cells.next().filter(|c| !c.is_empty());
            let (continent, country, subdivision) = (code(), code(), code());
            match (continent, country) {
                (Some(continent), _) => Some(AwsLocation::Continent(continent)),
                (None, Some(country)) => Some(AwsLocation::Country {
                    country,
                    subdivision,
                }),
                (None, None) => None,
            }
        })
    }

    /// The parameter in its code form (`continent=EU`, `country=DE`,
    /// `country=US,subdivision=CA`, `country=*`), which is how Route 53 gives a location back;
    /// `None` for a name Route 53's list (as known here) does not hold.
    pub(crate) fn code(&self) -> Option<String> {
        match self {
            Self::Continent(continent) => Some(format!("continent={continent}")),
            Self::Country {
                country,
                subdivision: Some(subdivision),
            } => Some(format!("country={country},subdivision={subdivision}")),
            Self::Country {
                country,
                subdivision: None,
            } => Some(format!("country={country}")),
            Self::Name(_) => None,
        }
    }
}

/// A Route 53 routing policy as Route 53 gives it back: a geolocation `location` in its code
/// form (`Germany` is `country=DE`), so that a record set read back matches the one planned
/// whichever form the entry uses. Other policies are left as they are.
pub(crate) fn aws_policy_as_read_back(policy: &mut Policy) {
    if policy.policy_type != "geolocation" {
        return;
    }
    if let Some(location) = policy.parameters.get_mut("location")
        && let Some(code) = AwsLocation::parse(location).code()
    {
        *location = code;
    }
}

/// Whether `location` may name a Route 53 geolocation, as far as that can be told offline
/// ([`AwsLocation`]):
///
/// * `continent=XX`: one of the seven continent codes.
/// * `country=XX`: two upper-case letters, or `*` (the default location).
/// * `country=XX,subdivision=YY`: as above, with one to three upper-case letters or digits.
/// * A name: a continent name or `Default`; any other name is accepted if it is not empty,
///   holds no `=` or `,` and has no space at either end.
fn is_aws_geolocation(location: &str) -> bool {
    let code = |s: &str, len: std::ops::RangeInclusive<usize>, digits: bool| {
        len.contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || (digits && b.is_ascii_digit()))
    };
    let country = |c: &str| c == "*" || code(c, 2..=2, false);
    match AwsLocation::parse(location) {
        AwsLocation::Continent(continent) => AWS_CONTINENTS.iter().any(|(c, _)| *c == continent),
        AwsLocation::Country {
            country: c,
            subdivision: Some(subdivision),
        } => c != "*" && country(c) && code(subdivision, 1..=3, true),
        AwsLocation::Country {
            country: c,
            subdivision: None,
        } => country(c),
        AwsLocation::Name(name) => {
            !name.is_empty() && !name.contains(['=', ',']) && name.trim() == name
        }
    }
}

/// Go's `strconv.ParseInt(value, 0, 64)`: an optional sign, then a decimal number, or with a
/// base prefix `0x` (hex), `0o` or a bare leading `0` (octal), `0b` (binary); `_` may separate
/// digits. `None` for anything Go rejects, including values out of the 64-bit range.
pub(crate) fn go_parse_int_base0(value: &str) -> Option<i64> {
    let (negative, unsigned) = match value.as_bytes().first()? {
        b'-' => (true, &value[1..]),
        b'+' => (false, &value[1..]),
        _ => (false, value),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (radix, digits) = match lower.as_bytes() {
        [b'0', b'x', _, ..] => (16, &lower[2..]),
        [b'0', b'b', _, ..] => (2, &lower[2..]),
        [b'0', b'o', _, ..] => (8, &lower[2..]),
        [b'0', ..] => (8, &lower[1..]),
        [] => return None,
        _ => (10, &lower[..]),
    };
    if unsigned.contains('_') && !underscores_ok(unsigned) {
        return None;
    }
    let mut magnitude: u64 = 0;
    for c in digits.chars().filter(|&c| c != '_') {
        let digit = c.to_digit(radix)?;
        magnitude = magnitude
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(digit))?;
    }
    if negative {
        0_i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `underscoreOK` (for the unsigned part): every `_` sits between two digits, or between
/// the base prefix and a digit.
fn underscores_ok(unsigned: &str) -> bool {
    let bytes = unsigned.as_bytes();
    let mut i = 0;
    // the last thing seen: b'^' start, b'0' digit or prefix, b'_' underscore, b'!' other
    let mut saw = b'^';
    let hex = bytes.len() >= 2 && bytes[0] == b'0' && bytes[1].eq_ignore_ascii_case(&b'x');
    if bytes.len() >= 2
        && bytes[0] == b'0'
        && matches!(bytes[1].to_ascii_lowercase(), b'b' | b'o' | b'x')
    {
        i = 2;
        saw = b'0';
    }
    for &b in &bytes[i..] {
        if b.is_ascii_digit() || (hex && b.is_ascii_hexdigit()) {
            saw = b'0';
        } else if b == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

#[cfg(test)]
mod tests {
    use super::super::tests::{WEIGHT_50, check};
    use super::*;
    use crate::provider::ProviderType::AwsRoute53;
    use crate::records::RecordType;

    fn aws(policy_type: &str, params: &[(&str, &str)]) -> String {
        check(
            AwsRoute53,
            "set1",
            RecordType::A,
            Some((policy_type, params)),
        )
    }

    #[test]
    fn aws_set_identifier_and_type() {
        assert_eq!(
            check(AwsRoute53, "", RecordType::A, WEIGHT_50),
            "routing policy set, but missing set identifier"
        );
        assert_eq!(
            check(AwsRoute53, "set1", RecordType::A, None),
            "set identifier set, but routing policy missing"
        );
        assert_eq!(
            aws("proxied", &[]),
            "unsupported routing policy type proxied"
        );
        assert_eq!(aws("weighted", &[("weight", "50")]), "ok");
    }

    #[test]
    fn aws_parameter_keys() {
        assert_eq!(aws("weighted", &[]), "missing parameter key weight");
        assert_eq!(
            aws("ip-based", &[("location", "x")]),
            "missing parameter key collection"
        );
        assert_eq!(
            aws("ip-based", &[("collection", "c")]),
            "missing parameter key location"
        );
        assert_eq!(
            aws(
                "weighted",
                &[
                    ("weight", "1"),
                    ("healthCheckID", "h"),
                    ("zeta", "z"),
                    ("alpha", "a")
                ]
            ),
            "unsupported parameter key alpha"
        );
        assert_eq!(
            aws(
                "latency",
                &[("region", "eu-west-1"), ("healthCheckID", "h")]
            ),
            "ok"
        );
        assert_eq!(
            aws("ip-based", &[("collection", "c"), ("location", "*")]),
            "ok"
        );
    }

    #[test]
    fn aws_weight() {
        for ok in [
            "0", "50", "0x10", "0o17", "017", "0b101", "1_000", "+5", "-0",
        ] {
            assert_eq!(aws("weighted", &[("weight", ok)]), "ok", "{ok}");
        }
        for bad in [
            "-1",
            "",
            "abc",
            "1.5",
            "0x",
            "08",
            "_1",
            "1_",
            "1__0",
            "9223372036854775808",
            " 1",
        ] {
            assert_eq!(
                aws("weighted", &[("weight", bad)]),
                format!("invalid value for spec.routingPolicy.parameters.weight: {bad}"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn go_parse_int_base0_values() {
        assert_eq!(go_parse_int_base0("0x1F"), Some(31));
        assert_eq!(go_parse_int_base0("0X_1f"), Some(31));
        assert_eq!(go_parse_int_base0("010"), Some(8));
        assert_eq!(go_parse_int_base0("0"), Some(0));
        assert_eq!(go_parse_int_base0("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(go_parse_int_base0("9223372036854775807"), Some(i64::MAX));
        assert_eq!(go_parse_int_base0("-9223372036854775809"), None);
        assert_eq!(go_parse_int_base0("0b2"), None);
        assert_eq!(go_parse_int_base0("1_0"), Some(10));
        assert_eq!(go_parse_int_base0("0_7"), Some(7));
        assert_eq!(go_parse_int_base0("+"), None);
    }

    #[test]
    fn geolocation_names_read_as_route53_gives_them_back() {
        let code = |location| AwsLocation::parse(location).code();
        for (location, expected) in [
            ("Europe", "continent=EU"),
            ("Default", "country=*"),
            ("Germany", "country=DE"),
            ("California", "country=US,subdivision=CA"),
            ("Kyiv", "country=UA,subdivision=30"),
            ("Curaçao", "country=CW"),
            ("country=DE", "country=DE"),
        ] {
            assert_eq!(code(location).as_deref(), Some(expected), "{location}");
        }
        assert_eq!(code("Atlantis"), None);
        assert_eq!(
            code("germany"),
            None,
            "names are compared exactly, as Route 53 does"
        );
        let mut policy = Policy {
            policy_type: "geolocation".into(),
            parameters: [("location".to_owned(), "Germany".to_owned())].into(),
        };
        aws_policy_as_read_back(&mut policy);
        assert_eq!(policy.parameters["location"], "country=DE");
        let mut latency = Policy {
            policy_type: "latency".into(),
            parameters: [("location".to_owned(), "Germany".to_owned())].into(),
        };
        aws_policy_as_read_back(&mut latency);
        assert_eq!(latency.parameters["location"], "Germany");
    }

    #[test]
    fn aws_geolocation() {
        for ok in [
            "Europe",
            "Default",
            "Germany",
            "continent=EU",
            "country=DE",
            "country=*",
            "country=US,subdivision=CA",
            "country=UA,subdivision=30",
        ] {
            assert_eq!(aws("geolocation", &[("location", ok)]), "ok", "{ok}");
        }
        for bad in [
            "continent=XX",
            "continent=eu",
            "country=de",
            "country=DEU",
            "country=*,subdivision=CA",
            "country=US,subdivision=",
            "country=US,subdivision=ca",
            "region=EU",
            "",
            " Europe",
        ] {
            assert_eq!(
                aws("geolocation", &[("location", bad)]),
                format!("location {bad} not found"),
                "{bad:?}"
            );
        }
        // ip-based locations are CIDR locations, not checked offline
        assert_eq!(
            aws(
                "ip-based",
                &[("collection", "c"), ("location", "continent=XX")]
            ),
            "ok"
        );
    }

    #[test]
    fn aws_failover() {
        assert_eq!(aws("failover", &[("failoverRecordType", "primary")]), "ok");
        assert_eq!(
            aws("failover", &[("failoverRecordType", "SECONDARY")]),
            "ok"
        );
        assert_eq!(
            aws("failover", &[("failoverRecordType", "tertiary")]),
            "invalid failoverRecordType value: tertiary"
        );
        let params: &[(&str, &str)] = &[
            ("failoverRecordType", "PRIMARY"),
            ("disableEvaluateTargetHealth", "true"),
        ];
        assert_eq!(
            aws("failover", params),
            "disableEvaluateTargetHealth only allowed for alias targets"
        );
        for alias in [RecordType::ALIAS, RecordType::ALIAS_AAAA] {
            assert_eq!(
                check(AwsRoute53, "s", alias, Some(("failover", params))),
                "ok"
            );
        }
        let params: &[(&str, &str)] = &[
            ("failoverRecordType", "PRIMARY"),
            ("disableEvaluateTargetHealth", "yes"),
        ];
        assert_eq!(
            check(
                AwsRoute53,
                "s",
                RecordType::ALIAS,
                Some(("failover", params))
            ),
            "invalid disableEvaluateTargetHealth value: yes"
        );
    }
}
