//! The ids under which a plan keeps what it knows: [`EntryId`] (whose record sets these are) and
//! [`ZoneId`] (which zone holds them). Both are texts with a grammar; these types own it, so that
//! no module builds or takes apart an id with `format!` and `split`.

use std::borrow::Borrow;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The id of a DNSEntry as a plan keeps its ownership (and as the command line's state file
/// writes it).
///
/// - A given entry (one with a `metadata.name`): `namespace/name`.
/// - An entry a source generates before an API server names it: `namespace/prefix[dnsName]`,
///   where `prefix` is its `generateName`, with `@networking.istio.io` appended when an Istio
///   object owns it (a Gateway API and an Istio gateway may share one prefix and one name).
/// - Record sets an entry left behind in a zone where no provider may delete them yet, and the
///   record sets of a delete that failed: the entry's id, `#`, and the zone id
///   ([`EntryId::leftover`]).
///
/// ```
/// use shoot_dns::id::EntryId;
///
/// let given = EntryId::given("default", "www");
/// assert_eq!(given.as_str(), "default/www");
/// let generated = EntryId::generated("shoot", "gateway-", "a.example.com", true);
/// assert_eq!(generated.as_str(), "shoot/gateway-[a.example.com]@networking.istio.io");
/// let leftover = given.leftover("local:example.com");
/// assert_eq!(leftover.as_str(), "default/www#local:example.com");
/// assert_eq!(leftover.leftover("local:example.com"), leftover, "never suffixed twice");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EntryId(String);

/// What an Istio-owned generated entry's id ends with.
const ISTIO: &str = "@networking.istio.io";

impl EntryId {
    /// The id of the given entry `namespace/name`.
    pub fn given(namespace: &str, name: &str) -> Self {
        Self(format!("{namespace}/{name}"))
    }

    /// The id of an entry generated in `namespace` with the `generateName` `prefix` for
    /// `dns_name`, owned by an Istio object or not.
    pub fn generated(namespace: &str, prefix: &str, dns_name: &str, of_istio: bool) -> Self {
        let istio = if of_istio { ISTIO } else { "" };
        Self(format!("{namespace}/{prefix}[{dns_name}]{istio}"))
    }

    /// The id under which this entry keeps record sets in `zone` that it cannot delete yet:
    /// `<id>#<zone>`, never suffixed twice.
    pub fn leftover(&self, zone: &str) -> Self {
        let suffixed = (self.0.strip_suffix(zone)).is_some_and(|rest| rest.ends_with('#'));
        if suffixed {
            self.clone()
        } else {
            Self(format!("{}{zone}", self.leftover_prefix()))
        }
    }

    /// The text every leftover id of this entry starts with (`<id>#`): leftover ids sort
    /// right after it, so a range from it finds them.
    pub(crate) fn leftover_prefix(&self) -> String {
        format!("{}#", self.0)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Borrow<str> for EntryId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for EntryId {
    /// An id as an adapter stored it (the command line's state file).
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for EntryId {
    /// An id as an adapter stored it.
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl PartialEq<str> for EntryId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for EntryId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The id of a hosted zone, as its provider names it: `local:example.com` (a `local` account,
/// [`crate::provider::LocalConfig::hosted`]), `example.com.` (an `rfc2136` Secret's `Zone`),
/// `Z1ABCDEF` (Route 53), or given from outside (the command line's `--zones`).
///
/// ```
/// use shoot_dns::id::ZoneId;
///
/// let zone = ZoneId::from("local:example.com");
/// assert_eq!(zone.as_str(), "local:example.com");
/// assert_eq!(zone, "local:example.com");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ZoneId(String);

impl ZoneId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ZoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Borrow<str> for ZoneId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<String> for ZoneId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

impl From<&str> for ZoneId {
    fn from(id: &str) -> Self {
        Self(id.to_owned())
    }
}

impl PartialEq<str> for ZoneId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ZoneId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}
