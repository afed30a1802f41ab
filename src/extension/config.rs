//! `DNSConfig` (`service.dns.extensions.gardener.cloud/v1alpha1`), the extension's provider config
//! (docs/extension.md §2).

use serde::{Deserialize, Serialize};

/// The extension's provider config. There is no defaulting: an absent field stays absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsConfig {
    /// `service.dns.extensions.gardener.cloud/v1alpha1` (may be omitted on input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// `DNSConfig` (may be omitted on input).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Whether shoot DNSProviders are replicated into the seed; when absent, the controller's
    /// `--replicate-dns-providers` decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_provider_replication: Option<DnsProviderReplication>,
    /// Additional DNS providers (`None`: the field is absent, which matters to the mutator).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub providers: Option<Vec<DnsConfigProvider>>,
    /// Whether the mutator overwrites `providers` from `spec.dns.providers`.
    #[serde(
        rename = "syncProvidersFromShootSpecDNS",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sync_providers_from_shoot_spec_dns: Option<bool>,
    /// The per-shoot switch for the next-generation controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub use_next_generation_controller: Option<bool>,
}

/// `dnsProviderReplication`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsProviderReplication {
    /// Whether replication is on (written even when false).
    #[serde(default)]
    pub enabled: bool,
}

/// One entry of `providers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsConfigProvider {
    /// The DNS provider type, e.g. `aws-route53`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<String>,
    /// A named resource of `spec.resources` (deprecated; Secrets only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// A named resource of `spec.resources` (a Secret or a WorkloadIdentity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    /// Domain selection, copied to the DNSProvider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<SelectionLists>,
    /// Hosted-zone selection, copied to the DNSProvider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<SelectionLists>,
}

/// `{include, exclude}` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectionLists {
    /// Included items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include: Option<Vec<String>>,
    /// Excluded items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude: Option<Vec<String>>,
}
