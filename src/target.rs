//! [`Target`]: what a DNS name points to.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::name::{DnsName, DnsNameError};
use crate::quote::go_quote;

/// A classified, canonical target (COMPATIBILITY.md#d3): an IPv4 address (an `A` record), an IPv6
/// address in RFC 5952 form (`AAAA`), or a host name normalised like [`DnsName`] (`CNAME`, or
/// `A`/`AAAA` after resolution). An IPv4-mapped IPv6 address counts as IPv4, as in Gardener.
///
/// ```
/// use shoot_dns::Target;
///
/// assert_eq!("2001:0DB8:0::1".parse::<Target>()?.to_string(), "2001:db8::1");
/// assert_eq!("LB.Example.com.".parse::<Target>()?.to_string(), "lb.example.com");
/// assert!("not a host!".parse::<Target>().is_err());
/// # Ok::<(), shoot_dns::TargetError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Target {
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address.
    Ipv6(Ipv6Addr),
    /// A host name.
    Hostname(DnsName),
}

impl Target {
    /// The record type the target gives without resolution: `A`, `AAAA` or `CNAME`.
    pub fn record_type(&self) -> &'static str {
        match self {
            Self::Ipv4(_) => "A",
            Self::Ipv6(_) => "AAAA",
            Self::Hostname(_) => "CNAME",
        }
    }

    /// Whether the target is a host name.
    pub fn is_hostname(&self) -> bool {
        matches!(self, Self::Hostname(_))
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ipv4(ip) => ip.fmt(f),
            Self::Ipv6(ip) => ip.fmt(f),
            Self::Hostname(name) => name.fmt(f),
        }
    }
}

/// Why a text is not a target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// Neither an IP address nor a valid host name.
    #[error(
        "{} is neither an IP address nor a valid host name: {source}",
        go_quote(input)
    )]
    InvalidHostname {
        /// The text as given.
        input: String,
        /// Why it is no host name.
        source: DnsNameError,
    },
    /// A name whose last label is all digits: no IP address, and no host name either (RFC 1123
    /// §2.1, RFC 3696 §2), e.g. `999.1.1.1` or `1.2.3.4.5.6`.
    #[error(
        "{} is neither an IP address nor a valid host name: its last label {} is all digits, \
         which a top-level domain never is (RFC 1123 section 2.1)",
        go_quote(input),
        go_quote(label)
    )]
    NumericLastLabel {
        /// The text as given.
        input: String,
        /// The last label.
        label: String,
    },
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        if let Ok(ip) = input.parse::<IpAddr>() {
            return Ok(match ip {
                IpAddr::V4(v4) => Self::Ipv4(v4),
                IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                    Some(v4) => Self::Ipv4(v4),
                    None => Self::Ipv6(v6),
                },
            });
        }
        let name: DnsName = input
            .parse()
            .map_err(|source| TargetError::InvalidHostname {
                input: input.to_owned(),
                source,
            })?;
        // `1.2.3.4.` or full-width digits normalise to an address: it is one.
        match name.as_str().parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => Ok(Self::Ipv4(v4)),
            Ok(IpAddr::V6(v6)) => Ok(Self::Ipv6(v6)),
            Err(_) => {
                let last = name.as_str().rsplit('.').next().unwrap_or_default();
                if last.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(TargetError::NumericLastLabel {
                        input: input.to_owned(),
                        label: last.to_owned(),
                    });
                }
                // A wildcard name is a literal target as any other: Gardener writes the CNAME.
                Ok(Self::Hostname(name))
            }
        }
    }
}

impl TryFrom<&str> for Target {
    type Error = TargetError;

    fn try_from(input: &str) -> Result<Self, Self::Error> {
        input.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Target {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn classifies_and_canonicalises() {
        assert_eq!(t("1.2.3.4"), Target::Ipv4(Ipv4Addr::new(1, 2, 3, 4)));
        assert_eq!(t("1.2.3.4").record_type(), "A");
        assert_eq!(
            t("2001:0db8:85a3::8a2e:0370:7334").to_string(),
            "2001:db8:85a3::8a2e:370:7334"
        );
        assert_eq!(t("2001:DB8:0:0:0:0:0:1").record_type(), "AAAA");
        assert_eq!(t("::ffff:1.2.3.4"), Target::Ipv4(Ipv4Addr::new(1, 2, 3, 4)));
        assert_eq!(t("www.Somewhere.com.").to_string(), "www.somewhere.com");
        assert_eq!(t("www.somewhere.com").record_type(), "CNAME");
        assert_eq!(t("1.2.3.4."), Target::Ipv4(Ipv4Addr::new(1, 2, 3, 4)));
        assert_eq!(t("１.２.３.４"), Target::Ipv4(Ipv4Addr::new(1, 2, 3, 4)));
        // Gardener writes a CNAME to a wildcard name; so do we.
        assert_eq!(t("*.Example.com").to_string(), "*.example.com");
        assert_eq!(t("*.example.com").record_type(), "CNAME");
        assert_eq!(t("a1.example.123x").record_type(), "CNAME");
    }

    #[test]
    fn rejects_bad_targets() {
        let err = "not a host!".parse::<Target>().unwrap_err().to_string();
        assert_eq!(
            err,
            "\"not a host!\" is neither an IP address nor a valid host name: \"not a host!\" is \
             no valid dns name (label \"not a host!\" contains a space: a label may hold only \
             letters, digits, '-' and '_')"
        );
        assert!("https://example.org".parse::<Target>().is_err());
        assert_eq!(
            "999.1.1.1".parse::<Target>().unwrap_err().to_string(),
            "\"999.1.1.1\" is neither an IP address nor a valid host name: its last label \"1\" \
             is all digits, which a top-level domain never is (RFC 1123 section 2.1)"
        );
        for numeric in [
            "1.2.3.4.5.6",
            "256.0.0.1",
            "example.123",
            "1.2.3",
            "0x1.2.3.4",
        ] {
            assert!(
                matches!(
                    numeric.parse::<Target>(),
                    Err(TargetError::NumericLastLabel { .. })
                ),
                "{numeric}"
            );
        }
        assert!("".parse::<Target>().is_err());
        assert!(" 1.2.3.4".parse::<Target>().is_err());
    }
}
