use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ObjectMeta;

/// A DNS label as Kubernetes names objects and namespaces (the `pattern` of the CRD schemas).
#[cfg(feature = "schema")]
const DNS_LABEL: &str = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/// A `DNSEntry` (`dns.gardener.cloud/v1alpha1`): one DNS name and what it points to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["spec"])))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["dnsName"])))]
#[serde(rename_all = "camelCase")]
pub struct DnsEntrySpec {
    /// Fully qualified name of the record owner; `*.x` for a wildcard.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub dns_name: String,
    /// IPv4, IPv6 or host name targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = 100), inner(length(min = 1)))
    )]
    pub targets: Option<Vec<String>>,
    /// TXT values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = 100), inner(length(min = 1)))
    )]
    pub text: Option<Vec<String>>,
    /// Record TTL in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 8640000)))]
    pub ttl: Option<i64>,
    /// Seconds between re-resolutions of host name targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 30, max = 8640000)))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["name"])))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(extend("required" = ["parameters", "setIdentifier", "type"]))
)]
#[serde(rename_all = "camelCase")]
pub struct RoutingPolicy {
    /// `weighted`, `latency`, `geolocation`, `ip-based`, `failover` or `proxied`.
    #[serde(rename = "type", default, deserialize_with = "super::null_as_default")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["weighted", "latency", "geolocation", "ip-based", "failover", "proxied"]))
    )]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["spec"])))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DnsProviderSpec {
    /// Provider type, e.g. `aws-route53`.
    #[serde(rename = "type", default, deserialize_with = "super::null_as_default")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = [
            "aws-route53",
            "alicloud-dns",
            "azure-dns",
            "azure-private-dns",
            "cloudflare-dns",
            "gdch-dns",
            "google-clouddns",
            "infoblox-dns",
            "local",
            "mock-inmemory",
            "netlify-dns",
            "openstack-designate",
            "powerdns",
            "remote",
            "rfc2136",
        ]))
    )]
    pub provider_type: String,
    /// The Secret with the credentials (always read from the provider's namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("x-kubernetes-map-type" = "atomic")))]
    pub secret_ref: Option<SecretReference>,
    /// Type specific configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("type" = "object", "x-kubernetes-preserve-unknown-fields" = true))
    )]
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
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 8640000)))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Selection {
    /// Items to include.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = 100), inner(length(min = 1)))
    )]
    pub include: Vec<String>,
    /// Items to exclude.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = 100), inner(length(min = 1)))
    )]
    pub exclude: Vec<String>,
}

/// `spec.rateLimit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    /// Requests per day.
    #[cfg_attr(feature = "schema", schemars(range(min = 1)))]
    pub requests_per_day: i64,
    /// Burst size.
    #[cfg_attr(feature = "schema", schemars(range(min = 0)))]
    pub burst: i64,
}

/// `spec.quotas`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct Quotas {
    /// Maximum number of entries assigned to the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 0), extend("format" = "int32")))]
    pub entries: Option<i64>,
}

/// `DNSProvider.status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["spec"])))]
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
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(extend("required" = ["annotations", "resourceRef"]))
)]
#[serde(rename_all = "camelCase")]
pub struct DnsAnnotationSpec {
    /// The annotated object.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub resource_ref: ResourceReference,
    /// The annotations to overlay.
    #[serde(default, deserialize_with = "super::null_as_default")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("minProperties" = 1, "maxProperties" = 20))
    )]
    pub annotations: BTreeMap<String, String>,
}

/// `DNSAnnotation.spec.resourceRef`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["apiVersion", "kind"])))]
#[serde(rename_all = "camelCase")]
pub struct ResourceReference {
    /// API version of the object, e.g. `v1`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = [
            "v1",
            "networking.k8s.io/v1",
            "gateway.networking.k8s.io/v1",
            "gateway.networking.k8s.io/v1beta1",
            "networking.istio.io/v1",
            "networking.istio.io/v1beta1",
            "networking.istio.io/v1alpha3",
        ]))
    )]
    pub api_version: String,
    /// Kind of the object, e.g. `Service`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    #[cfg_attr(
        feature = "schema",
        schemars(extend("enum" = ["Service", "Ingress", "Gateway"]))
    )]
    pub kind: String,
    /// Name of the object.
    #[serde(default, deserialize_with = "super::null_as_default")]
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = 63), pattern(DNS_LABEL))
    )]
    pub name: String,
    /// Namespace of the object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(length(max = 63), pattern(DNS_LABEL)))]
    pub namespace: Option<String>,
}

/// `DNSAnnotation.status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DnsAnnotationStatus {
    /// Whether the annotations are applied to the object.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub active: bool,
    /// Why not, when they are not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
}

/// A `DNSHostedZonePolicy` (`dns.gardener.cloud/v1alpha1`, cluster-scoped): settings for the
/// hosted zones it selects. Read by nothing in the core; modelled for its CustomResourceDefinition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(extend("required" = ["spec"])))]
#[serde(rename_all = "camelCase")]
pub struct DnsHostedZonePolicy {
    /// Always `dns.gardener.cloud/v1alpha1`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub api_version: String,
    /// Always `DNSHostedZonePolicy`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// Which zones, and what applies to them.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: DnsHostedZonePolicySpec,
    /// The zones the policy applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DnsHostedZonePolicyStatus>,
}

/// `DNSHostedZonePolicy.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DnsHostedZonePolicySpec {
    /// The hosted zones the policy applies to.
    pub selector: ZoneSelector,
    /// The settings for those zones.
    pub policy: ZonePolicy,
}

/// `DNSHostedZonePolicy.spec.selector`: zones matching every list that is given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ZoneSelector {
    /// Base domain names of the zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain_names: Option<Vec<String>>,
    /// Provider types of the zones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_types: Option<Vec<String>>,
    /// Provider specific zone ids.
    #[serde(rename = "zoneIDs", default, skip_serializing_if = "Option::is_none")]
    pub zone_ids: Option<Vec<String>>,
}

/// `DNSHostedZonePolicy.spec.policy`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ZonePolicy {
    /// How long the state of a zone is cached (a Go duration, e.g. `5m`).
    #[serde(
        rename = "zoneStateCacheTTL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub zone_state_cache_ttl: Option<String>,
}

/// `DNSHostedZonePolicy.status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct DnsHostedZonePolicyStatus {
    /// Number of zones the policy applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    /// When the status was last updated (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(extend("format" = "date-time")))]
    pub last_status_update_time: Option<String>,
    /// Why the policy is in its state, when it has a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The zones the policy applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<ZoneInfo>>,
}

/// One zone of a `DNSHostedZonePolicy.status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct ZoneInfo {
    /// Base domain name of the zone.
    pub domain_name: String,
    /// Provider type of the zone.
    pub provider_type: String,
    /// Provider specific zone id.
    #[serde(rename = "zoneID")]
    pub zone_id: String,
}
