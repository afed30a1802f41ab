//! The provider types Gardener's DNS handlers know, as an enum: the API spells them as strings
//! (`DNSProvider.spec.type`), which are parsed once where they come in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::quote::go_quote;

/// A DNS provider type (Gardener's handler name).
///
/// The text form, which is also the serde form, is Gardener's spelling (`aws-route53`,
/// `google-clouddns`, ...). The variants are ordered as their texts.
///
/// ```
/// use shoot_dns::provider::ProviderType;
///
/// let t: ProviderType = "aws-route53".parse()?;
/// assert_eq!(t, ProviderType::AwsRoute53);
/// assert_eq!(t.to_string(), "aws-route53");
/// assert!(t.is_supported());
/// assert!(!ProviderType::InfobloxDns.is_supported());
/// assert_eq!(
///     "mock-inmemory".parse::<ProviderType>().unwrap_err().to_string(),
///     "unknown provider type \"mock-inmemory\""
/// );
/// # Ok::<(), shoot_dns::provider::ProviderTypeError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ProviderType {
    /// `alicloud-dns`: Alibaba Cloud DNS.
    AlicloudDns,
    /// `aws-route53`: AWS Route 53.
    AwsRoute53,
    /// `azure-dns`: Azure DNS (public zones).
    AzureDns,
    /// `azure-private-dns`: Azure Private DNS.
    AzurePrivateDns,
    /// `cloudflare-dns`: Cloudflare DNS.
    CloudflareDns,
    /// `google-clouddns`: Google Cloud DNS.
    GoogleCloudDns,
    /// `infoblox-dns`: Infoblox. Gardener knows it for credentials only; the controller does
    /// not register it.
    InfobloxDns,
    /// `local`: the in-memory provider (Gardener's mock).
    Local,
    /// `netlify-dns`: Netlify DNS.
    NetlifyDns,
    /// `openstack-designate`: OpenStack Designate.
    OpenstackDesignate,
    /// `powerdns`: PowerDNS.
    PowerDns,
    /// `rfc2136`: a DNS server changed by RFC 2136 UPDATEs signed with TSIG.
    Rfc2136,
}

impl ProviderType {
    /// Every type, in order.
    const ALL: [ProviderType; 12] = [
        Self::AlicloudDns,
        Self::AwsRoute53,
        Self::AzureDns,
        Self::AzurePrivateDns,
        Self::CloudflareDns,
        Self::GoogleCloudDns,
        Self::InfobloxDns,
        Self::Local,
        Self::NetlifyDns,
        Self::OpenstackDesignate,
        Self::PowerDns,
        Self::Rfc2136,
    ];

    /// The types Gardener's controller registers, in order: every type but
    /// [`InfobloxDns`](Self::InfobloxDns).
    pub const SUPPORTED: [ProviderType; 11] = [
        Self::AlicloudDns,
        Self::AwsRoute53,
        Self::AzureDns,
        Self::AzurePrivateDns,
        Self::CloudflareDns,
        Self::GoogleCloudDns,
        Self::Local,
        Self::NetlifyDns,
        Self::OpenstackDesignate,
        Self::PowerDns,
        Self::Rfc2136,
    ];

    /// Gardener's spelling: `alicloud-dns`, `aws-route53`, `azure-dns`, `azure-private-dns`,
    /// `cloudflare-dns`, `google-clouddns`, `infoblox-dns`, `local`, `netlify-dns`,
    /// `openstack-designate`, `powerdns` or `rfc2136`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::AlicloudDns => "alicloud-dns",
            Self::AwsRoute53 => "aws-route53",
            Self::AzureDns => "azure-dns",
            Self::AzurePrivateDns => "azure-private-dns",
            Self::CloudflareDns => "cloudflare-dns",
            Self::GoogleCloudDns => "google-clouddns",
            Self::InfobloxDns => "infoblox-dns",
            Self::Local => "local",
            Self::NetlifyDns => "netlify-dns",
            Self::OpenstackDesignate => "openstack-designate",
            Self::PowerDns => "powerdns",
            Self::Rfc2136 => "rfc2136",
        }
    }

    /// Whether Gardener's controller registers the type (it is in [`Self::SUPPORTED`]).
    pub fn is_supported(self) -> bool {
        Self::SUPPORTED.contains(&self)
    }
}

impl fmt::Display for ProviderType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no provider type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider type {}", go_quote(input))]
#[non_exhaustive]
pub struct ProviderTypeError {
    /// The text given.
    pub input: String,
}

impl FromStr for ProviderType {
    type Err = ProviderTypeError;

    /// Exactly Gardener's spelling (case-sensitive).
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|t| t.as_str() == input)
            .ok_or_else(|| ProviderTypeError {
                input: input.to_owned(),
            })
    }
}

impl Serialize for ProviderType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProviderType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for t in ProviderType::ALL {
            assert_eq!(t.as_str().parse::<ProviderType>(), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(serde_json::from_str::<ProviderType>(&json).unwrap(), t);
        }
        let mut sorted = ProviderType::ALL;
        sorted.sort_by_key(|t| t.as_str());
        assert_eq!(sorted, ProviderType::ALL);
    }

    #[test]
    fn unknown_and_unsupported() {
        for bad in [
            "",
            "Local",
            "aws-route53 ",
            "mock-inmemory",
            "gdch-dns",
            "remote",
        ] {
            assert_eq!(
                bad.parse::<ProviderType>(),
                Err(ProviderTypeError {
                    input: bad.to_owned()
                })
            );
        }
        let error = serde_json::from_str::<ProviderType>("\"x\"").unwrap_err();
        assert_eq!(error.to_string(), "unknown provider type \"x\"");
        let unsupported: Vec<_> = (ProviderType::ALL.into_iter())
            .filter(|t| !t.is_supported())
            .collect();
        assert_eq!(unsupported, [ProviderType::InfobloxDns]);
    }
}
