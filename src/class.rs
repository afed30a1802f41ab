//! [`Class`]: which controller an object belongs to.

use std::fmt;
use std::str::FromStr;

/// A DNS class (docs/sources.md §2.1): the value of `dns.gardener.cloud/class`, with `""` (or no
/// annotation) meaning the default class `gardendns`. Two classes are equivalent iff their
/// normalised texts are byte-equal; nothing is trimmed or case-folded.
///
/// [`FromStr`] checks the syntax a configured class must have
/// (`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`); [`Class::of_annotation`] takes any annotation value,
/// which then simply matches no valid configured class.
///
/// ```
/// use shoot_dns::Class;
///
/// assert_eq!(Class::of_annotation(None), Class::default());
/// assert_eq!(Class::of_annotation(Some("")).as_str(), "gardendns");
/// assert_ne!(Class::of_annotation(Some("GardenDNS")), Class::default());
/// assert!("Garden".parse::<Class>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Class(String);

impl Class {
    /// The default class.
    pub const DEFAULT: &'static str = "gardendns";
    /// The class of shoot DNS (seed documentation), the command line's default.
    pub const GARDEN: &'static str = "garden";

    /// The class an object declares through its `dns.gardener.cloud/class` annotation.
    pub fn of_annotation(value: Option<&str>) -> Self {
        match value {
            None | Some("") => Self::default(),
            Some(v) => Self(v.to_owned()),
        }
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is the default class `gardendns`.
    pub fn is_default(&self) -> bool {
        self.0 == Self::DEFAULT
    }

    /// The finalizer a controller of this class puts on its DNSEntries, DNSProviders and their
    /// Secrets (docs/entries-and-providers.md §0.7): `dns.gardener.cloud/compound` for the
    /// default class (and the migration class `gardendns-next-gen`),
    /// `<class>.dns.gardener.cloud/compound` for any other.
    ///
    /// ```
    /// use shoot_dns::Class;
    ///
    /// assert_eq!(Class::default().compound_finalizer(), "dns.gardener.cloud/compound");
    /// let garden: Class = "garden".parse()?;
    /// assert_eq!(garden.compound_finalizer(), "garden.dns.gardener.cloud/compound");
    /// # Ok::<(), shoot_dns::class::ClassError>(())
    /// ```
    pub fn compound_finalizer(&self) -> String {
        match self.0.as_str() {
            Self::DEFAULT | "gardendns-next-gen" => "dns.gardener.cloud/compound".to_owned(),
            class => format!("{class}.dns.gardener.cloud/compound"),
        }
    }

    /// The finalizer a source controller of this (source) class puts on a source object with
    /// DNS names (docs/sources.md §2.5): `<class>.dns.gardener.cloud/<local>`, the local name
    /// by kind ([`crate::sources::SourceKind::finalizer_local_name`]).
    pub fn source_finalizer(&self, local: &str) -> String {
        format!("{}.dns.gardener.cloud/{local}", self.0)
    }

    /// Whether `value` (an annotation value, or none) names this class.
    pub fn matches(&self, value: Option<&str>) -> bool {
        match value {
            None | Some("") => self.is_default(),
            Some(v) => self.0 == v,
        }
    }
}

impl Default for Class {
    fn default() -> Self {
        Self(Self::DEFAULT.to_owned())
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A configured class that does not have the required syntax.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid class {value:?}: a class consists of lower case letters, digits and '-', and starts and ends with a letter or digit"
)]
#[non_exhaustive]
pub struct ClassError {
    /// The value given.
    pub value: String,
}

impl FromStr for Class {
    type Err = ClassError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let class = Self::of_annotation(Some(value));
        let bytes = class.0.as_bytes();
        let edge_ok = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let valid = bytes.first().is_some_and(edge_ok)
            && bytes.last().is_some_and(edge_ok)
            && bytes.iter().all(|b| edge_ok(b) || *b == b'-');
        if valid {
            Ok(class)
        } else {
            Err(ClassError {
                value: value.to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalence() {
        // docs/sources.md CL-01
        let eq = |a: &str, b: &str| Class::of_annotation(Some(a)) == Class::of_annotation(Some(b));
        assert!(eq("", ""));
        assert!(eq("gardendns", "gardendns"));
        assert!(eq("", "gardendns"));
        assert!(eq("myclass", "myclass"));
        assert!(!eq("myclass", "otherclass"));
        assert!(!eq("gardendns", "custom"));
        assert!(!eq("gardendns", "GardenDNS"));
        assert!(!eq("gardendns", "gardendns2"));
        assert!(Class::of_annotation(Some("")).is_default());
        assert!(!Class::of_annotation(Some("gardendns-next-gen")).is_default());
        assert!(Class::default().matches(None));
        assert!(Class::default().matches(Some("")));
        assert!(!Class::default().matches(Some("garden")));
    }

    #[test]
    fn syntax() {
        assert!("garden".parse::<Class>().is_ok());
        assert!("my-class-1".parse::<Class>().is_ok());
        assert!("".parse::<Class>().is_ok());
        for bad in ["Garden", "-a", "a-", "a b", "a.b"] {
            assert!(bad.parse::<Class>().is_err(), "{bad}");
        }
    }
}
