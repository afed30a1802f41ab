//! [`DnsName`]: a checked, normalised DNS name.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::quote::go_quote;

/// Longest DNS name in presentation form without the trailing dot (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 253;
/// Longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// A DNS name in its one normalised form (COMPATIBILITY.md#d1): IDNA (UTS #46) labels as punycode,
/// lower case, no trailing dot, a leading `\052.` read as `*.`.
///
/// Every label holds letters, digits, `-` (not first or last) and `_`; `*` is allowed only as
/// the whole leftmost label of a name with at least two labels. Labels have at most 63 octets,
/// the name at most 253. Equality and ordering are those of the normalised text.
///
/// ```
/// use shoot_dns::DnsName;
///
/// let name: DnsName = "Bücher.Example.COM.".parse()?;
/// assert_eq!(name.as_str(), "xn--bcher-kva.example.com");
/// assert!(name.is_subdomain_of(&"example.com".parse()?));
/// assert!("a.*.example.com".parse::<DnsName>().is_err());
/// # Ok::<(), shoot_dns::DnsNameError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DnsName(String);

impl DnsName {
    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the leftmost label is `*`.
    pub fn is_wildcard(&self) -> bool {
        self.0.starts_with("*.")
    }

    /// The labels, leftmost first.
    pub fn labels(&self) -> impl DoubleEndedIterator<Item = &str> {
        self.0.split('.')
    }

    /// Whether `self` equals `domain` or lies below it (`a.b.example.com` is a subdomain of
    /// `example.com`; `*.example.com` is one too). Compares whole labels.
    pub fn is_subdomain_of(&self, domain: &DnsName) -> bool {
        let (name, domain) = (self.0.as_bytes(), domain.0.as_bytes());
        name == domain
            || (name.len() > domain.len()
                && name.ends_with(domain)
                && name[name.len() - domain.len() - 1] == b'.')
    }

    /// Whether `self` lies strictly below `domain`.
    pub fn is_strict_subdomain_of(&self, domain: &DnsName) -> bool {
        self.0.len() > domain.0.len() && self.is_subdomain_of(domain)
    }
}

impl fmt::Display for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for DnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DnsName({:?})", self.0)
    }
}

impl AsRef<str> for DnsName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Why a text is not a DNS name. The message quotes the input and names the rule; the length
/// messages are worded as Gardener's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnsNameError {
    /// Nothing but (at most) a dot.
    #[error(
        "{} is no valid dns name (a DNS name must not be empty)",
        go_quote(input)
    )]
    Empty {
        /// The text as given.
        input: String,
    },
    /// Longer than 253 characters once normalised.
    #[error(
        "{} is no valid dns name ([must be no more than 253 characters])",
        go_quote(input)
    )]
    TooLong {
        /// The text as given.
        input: String,
    },
    /// A label longer than 63 octets.
    #[error(
        "{index}. label {} of {} is not valid ([must be no more than 63 characters])",
        go_quote(label),
        go_quote(input)
    )]
    LabelTooLong {
        /// The text as given.
        input: String,
        /// 1-based position of the label.
        index: usize,
        /// The label (normalised).
        label: String,
    },
    /// Two dots in a row, or a leading dot.
    #[error("{} is no valid dns name (label {index} is empty)", go_quote(input))]
    EmptyLabel {
        /// The text as given.
        input: String,
        /// 1-based position of the label.
        index: usize,
    },
    /// A character that no label may hold.
    #[error(
        "{} is no valid dns name (label {} contains {}: a label may hold only letters, digits, '-' and '_')",
        go_quote(input),
        go_quote(label),
        quote_char(*character)
    )]
    InvalidCharacter {
        /// The text as given.
        input: String,
        /// The offending label.
        label: String,
        /// The offending character.
        character: char,
    },
    /// A label that starts or ends with `-`.
    #[error(
        "{} is no valid dns name (label {} must not start or end with '-')",
        go_quote(input),
        go_quote(label)
    )]
    HyphenAtEdge {
        /// The text as given.
        input: String,
        /// The offending label.
        label: String,
    },
    /// `*` elsewhere than as the whole leftmost label of a name with two or more labels.
    #[error(
        "{} is no valid dns name ('*' is allowed only as the whole leftmost label, as in \"*.example.com\")",
        go_quote(input)
    )]
    MisplacedWildcard {
        /// The text as given.
        input: String,
    },
    /// Non-ASCII text that IDNA (UTS #46) cannot map to punycode.
    #[error(
        "{} is no valid dns name (not a valid internationalised domain name)",
        go_quote(input)
    )]
    Idna {
        /// The text as given.
        input: String,
    },
}

fn quote_char(c: char) -> String {
    match c {
        ' ' => "a space".to_owned(),
        c if c.is_control() => format!("{:?}", c),
        c => format!("'{c}'"),
    }
}

impl FromStr for DnsName {
    type Err = DnsNameError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        normalise(input).map(DnsName)
    }
}

impl TryFrom<&str> for DnsName {
    type Error = DnsNameError;

    fn try_from(input: &str) -> Result<Self, Self::Error> {
        input.parse()
    }
}

impl TryFrom<String> for DnsName {
    type Error = DnsNameError;

    fn try_from(input: String) -> Result<Self, Self::Error> {
        input.parse()
    }
}

fn normalise(input: &str) -> Result<String, DnsNameError> {
    let err_input = || input.to_owned();
    let (unescaped, mapped);
    let mut text = input;
    if let Some(rest) = text.strip_prefix("\\052.") {
        unescaped = format!("*.{rest}");
        text = &unescaped;
    }
    if !text.is_ascii() {
        // UTS #46 maps first (case folding, full-width and ideographic dots, ...) and encodes
        // to punycode; `*` passes through. The result is then held to the ASCII rules below.
        mapped =
            idna::domain_to_ascii(text).map_err(|_| DnsNameError::Idna { input: err_input() })?;
        text = &mapped;
    }
    let ascii = text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase();
    if ascii.is_empty() {
        return Err(DnsNameError::Empty { input: err_input() });
    }
    check(input, &ascii)?;
    Ok(ascii)
}

/// Checks a lower-case ASCII name (with an optional leading `*.`) against the rules.
fn check(input: &str, ascii: &str) -> Result<(), DnsNameError> {
    let err_input = || input.to_owned();
    if ascii.len() > MAX_NAME_LEN {
        return Err(DnsNameError::TooLong { input: err_input() });
    }
    let mut count = 0;
    for (i, label) in ascii.split('.').enumerate() {
        count += 1;
        let index = i + 1;
        if label.is_empty() {
            return Err(DnsNameError::EmptyLabel {
                input: err_input(),
                index,
            });
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(DnsNameError::LabelTooLong {
                input: err_input(),
                index,
                label: label.to_owned(),
            });
        }
        if label == "*" && i == 0 {
            continue;
        }
        if let Some(character) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            if character == '*' {
                return Err(DnsNameError::MisplacedWildcard { input: err_input() });
            }
            return Err(DnsNameError::InvalidCharacter {
                input: err_input(),
                label: label.to_owned(),
                character,
            });
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(DnsNameError::HyphenAtEdge {
                input: err_input(),
                label: label.to_owned(),
            });
        }
    }
    if ascii == "*" || (count == 1 && ascii.starts_with('*')) {
        return Err(DnsNameError::MisplacedWildcard { input: err_input() });
    }
    Ok(())
}

impl Serialize for DnsName {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for DnsName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> DnsName {
        s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    fn error(s: &str) -> String {
        match s.parse::<DnsName>() {
            Ok(n) => panic!("{s:?} parsed as {n:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn normalises() {
        assert_eq!(name("a.b").as_str(), "a.b");
        assert_eq!(name("a.b.").as_str(), "a.b");
        assert_eq!(name("A.B.").as_str(), "a.b");
        assert_eq!(name("*.a").as_str(), "*.a");
        assert_eq!(name("\\052.a.b").as_str(), "*.a.b");
        assert_eq!(
            name("_acme-challenge.example.com").as_str(),
            "_acme-challenge.example.com"
        );
        assert_eq!(
            name("sel._domainkey.example.com").as_str(),
            "sel._domainkey.example.com"
        );
        assert_eq!(name("bücher.example").as_str(), "xn--bcher-kva.example");
        assert_eq!(name("BÜCHER.example").as_str(), "xn--bcher-kva.example");
        assert_eq!(name("*.münchen.de").as_str(), "*.xn--mnchen-3ya.de");
        assert_eq!(
            name("xn--bcher-kva.example").as_str(),
            "xn--bcher-kva.example"
        );
        assert_eq!(name("localhost").as_str(), "localhost");
        assert_eq!(name("a.b。").as_str(), "a.b");
        assert_eq!(name("ａ.Ｂ").as_str(), "a.b");
    }

    #[test]
    fn gardener_valid_cases() {
        // docs/entries-and-providers.md VAL-01..VAL-07, VAL-13
        for ok in [
            "a.b",
            "*.a",
            "a-a.a9.a8.a7.a6.a5.a4.a3.a2.a1.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z",
            "1.2-3.b",
        ] {
            name(ok);
        }
    }

    #[test]
    fn gardener_invalid_cases() {
        // VAL-15. `a._b.com` is valid here: COMPATIBILITY.md#d1 keeps underscores in ASCII labels.
        for bad in ["*", "a.*.b", "*.*.a", "a..b", "-a.b", ""] {
            assert!(bad.parse::<DnsName>().is_err(), "{bad:?}");
        }
        name("a._b.com");
    }

    #[test]
    fn label_too_long_message_matches_gardener() {
        // VAL-09
        assert_eq!(
            error("a.a123456789012345678901234567890123456789012345678901234567890abc.b"),
            "2. label \"a123456789012345678901234567890123456789012345678901234567890abc\" of \
             \"a.a123456789012345678901234567890123456789012345678901234567890abc.b\" is not \
             valid ([must be no more than 63 characters])"
        );
    }

    #[test]
    fn name_too_long_message_matches_gardener() {
        // VAL-11
        let long = format!("abc.a123456789{}", ".ab1234567890-1234567890".repeat(10));
        assert_eq!(long.len(), 254);
        assert_eq!(
            error(&long),
            format!("\"{long}\" is no valid dns name ([must be no more than 253 characters])")
        );
        let three_hundred = format!("{}.com", "a.".repeat(148));
        assert!(error(&three_hundred).contains("must be no more than 253 characters"));
    }

    #[test]
    fn rule_messages() {
        assert_eq!(
            error("a.*.example.com"),
            "\"a.*.example.com\" is no valid dns name ('*' is allowed only as the whole \
             leftmost label, as in \"*.example.com\")"
        );
        assert_eq!(
            error("my host.example.com"),
            "\"my host.example.com\" is no valid dns name (label \"my host\" contains a space: \
             a label may hold only letters, digits, '-' and '_')"
        );
        assert_eq!(
            error("not a host!"),
            "\"not a host!\" is no valid dns name (label \"not a host!\" contains a space: a \
             label may hold only letters, digits, '-' and '_')"
        );
        assert_eq!(
            error("a..b"),
            "\"a..b\" is no valid dns name (label 2 is empty)"
        );
        assert_eq!(
            error("-a.b"),
            "\"-a.b\" is no valid dns name (label \"-a\" must not start or end with '-')"
        );
        assert_eq!(
            error("."),
            "\".\" is no valid dns name (a DNS name must not be empty)"
        );
        assert_eq!(
            error("*"),
            "\"*\" is no valid dns name ('*' is allowed only as the whole leftmost label, as in \"*.example.com\")"
        );
        assert_eq!(
            error("https://example.org"),
            "\"https://example.org\" is no valid dns name (label \"https://example\" contains \
             ':': a label may hold only letters, digits, '-' and '_')"
        );
    }

    #[test]
    fn subdomains() {
        let d = name("example.com");
        assert!(name("example.com").is_subdomain_of(&d));
        assert!(name("a.example.com").is_subdomain_of(&d));
        assert!(name("*.example.com").is_subdomain_of(&d));
        assert!(!name("aexample.com").is_subdomain_of(&d));
        assert!(!name("com").is_subdomain_of(&d));
        assert!(!name("example.com").is_strict_subdomain_of(&d));
        assert!(name("x.example.com").is_strict_subdomain_of(&d));
    }
}
