use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ObjectMeta;

/// A `DNSEntry` (`dns.gardener.cloud/v1alpha1`): one DNS name and what it points to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsEntry {
    /// Always `dns.gardener.cloud/v1alpha1`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub api_version: String,
    /// Always `DNSEntry`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// The desired record.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: DnsEntrySpec,
    /// The computed state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DnsEntryStatus>,
}

/// `DNSEntry.spec`, as written (unchecked).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsEntrySpec {
    /// Fully qualified name of the record owner; `*.x` for a wildcard.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub dns_name: String,
    /// IPv4, IPv6 or host name targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
    /// TXT values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Vec<String>>,
    /// Record TTL in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    /// Seconds between re-resolutions of host name targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cname_lookup_interval: Option<i64>,
    /// Resolve a single host name target into A/AAAA records instead of a CNAME.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve_targets_to_addresses: Option<bool>,
    /// Provider specific routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_policy: Option<RoutingPolicy>,
    /// Deprecated and ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    /// Deprecated: any value makes the entry invalid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<EntryReference>,
}

/// The deprecated `DNSEntry.spec.reference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryReference {
    /// Name of the referenced entry.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub name: String,
    /// Namespace of the referenced entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A routing policy (`spec.routingPolicy`, or the `dns.gardener.cloud/routing-policy` annotation).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingPolicy {
    /// `weighted`, `latency`, `geolocation`, `ip-based`, `failover` or `proxied`.
    #[serde(rename = "type", default, deserialize_with = "super::null_as_default")]
    pub policy_type: String,
    /// Identifies the record set among those with the same name.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub set_identifier: String,
    /// Policy specific parameters, e.g. `weight`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub parameters: BTreeMap<String, String>,
}

/// `DNSEntry.status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsEntryStatus {
    /// `Pending`, `Ready`, `Error`, `Invalid`, `Stale` or `Ignored`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Why the entry is in its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `namespace/name` of the responsible provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Type of the responsible provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<String>,
    /// Zone id of the records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
    /// The normalised DNS name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns_name: Option<String>,
    /// The effective targets (canonical form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<String>>,
    /// The effective TTL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
    /// The effective lookup interval when host names are resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cname_lookup_interval: Option<i64>,
    /// The effective routing policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_policy: Option<RoutingPolicy>,
    /// The `metadata.generation` this status was computed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// A `DNSProvider` (`dns.gardener.cloud/v1alpha1`): credentials for an account and the domains
/// it may serve.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsProvider {
    /// Always `dns.gardener.cloud/v1alpha1`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub api_version: String,
    /// Always `DNSProvider`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// The provider's configuration.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: DnsProviderSpec,
    /// The computed state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DnsProviderStatus>,
}

/// `DNSProvider.spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsProviderSpec {
    /// Provider type, e.g. `aws-route53`.
    #[serde(rename = "type", default, deserialize_with = "super::null_as_default")]
    pub provider_type: String,
    /// The Secret with the credentials (always read from the provider's namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<SecretReference>,
    /// Type specific configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_config: Option<serde_json::Value>,
    /// Domain selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<Selection>,
    /// Hosted zone selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Selection>,
    /// TTL for entries that set none.
    #[serde(
        rename = "defaultTTL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_ttl: Option<i64>,
    /// Request rate limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// Quotas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quotas: Option<Quotas>,
}

/// A reference to a Secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretReference {
    /// Secret name.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub name: String,
    /// Ignored: the Secret is read from the provider's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// Include and exclude lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Selection {
    /// Items to include.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub include: Vec<String>,
    /// Items to exclude.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub exclude: Vec<String>,
}

/// `spec.rateLimit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests per day.
    pub requests_per_day: i64,
    /// Burst size.
    pub burst: i64,
}

/// `spec.quotas`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Quotas {
    /// Maximum number of entries assigned to the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entries: Option<i64>,
}

/// `DNSProvider.status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsProviderStatus {
    /// `Ready`, `Error` or `Invalid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Why the provider is in its state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Selected domains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<SelectionStatus>,
    /// Selected zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<SelectionStatus>,
    /// The effective default TTL.
    #[serde(
        rename = "defaultTTL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_ttl: Option<i64>,
    /// The `metadata.generation` this status was computed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
}

/// Included and excluded items of a provider's status (sorted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelectionStatus {
    /// Included items.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub included: Vec<String>,
    /// Excluded items.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub excluded: Vec<String>,
}

/// A `DNSAnnotation` (`dns.gardener.cloud/v1alpha1`): annotations for an object that its owner
/// cannot annotate directly.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsAnnotation {
    /// Always `dns.gardener.cloud/v1alpha1`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub api_version: String,
    /// Always `DNSAnnotation`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// What to annotate, and with what.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: DnsAnnotationSpec,
    /// Whether the annotations are in use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DnsAnnotationStatus>,
}

/// `DNSAnnotation.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsAnnotationSpec {
    /// The annotated object.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub resource_ref: ResourceReference,
    /// The annotations to overlay.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub annotations: BTreeMap<String, String>,
}

/// `DNSAnnotation.spec.resourceRef`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceReference {
    /// API version of the object, e.g. `v1`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub api_version: String,
    /// Kind of the object, e.g. `Service`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kind: String,
    /// Name of the object.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub name: String,
    /// Namespace of the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `DNSAnnotation.status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsAnnotationStatus {
    /// Whether the annotations are applied to the object.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub active: bool,
    /// Why not, when they are not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}
