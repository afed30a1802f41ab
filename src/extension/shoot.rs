//! The parts of Gardener objects the extension reads: the Shoot (`core.gardener.cloud/v1beta1`),
//! the `<shoot>-external` DNSRecord (`extensions.gardener.cloud/v1alpha1`) and WorkloadIdentities
//! (`security.gardener.cloud/v1alpha1`). Fields not modelled are ignored on input.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::config::SelectionLists;
use crate::api::ObjectMeta;

/// A Shoot, as far as the extension reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shoot {
    /// `core.gardener.cloud/v1beta1`.
    #[serde(default)]
    pub api_version: String,
    /// `Shoot`.
    #[serde(default)]
    pub kind: String,
    /// Metadata (the namespace is the project namespace, `garden-<project>`).
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The spec.
    #[serde(default)]
    pub spec: ShootSpec,
    /// The status.
    #[serde(default)]
    pub status: ShootStatus,
}

/// `Shoot.spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShootSpec {
    /// `spec.dns` (`None`: the shoot has no DNS, and the extension does nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<ShootDns>,
    /// `spec.extensions`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<ShootExtension>,
    /// `spec.resources`: named references to objects in the project namespace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<NamedResourceReference>,
    /// `spec.hibernation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hibernation: Option<Hibernation>,
}

/// `spec.dns`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShootDns {
    /// The shoot's external domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The shoot's DNS providers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub providers: Vec<ShootDnsProvider>,
}

/// One of `spec.dns.providers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShootDnsProvider {
    /// The provider type.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub provider_type: Option<String>,
    /// Whether it serves the shoot's own domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary: Option<bool>,
    /// A Secret in the project namespace (deprecated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_name: Option<String>,
    /// A Secret or WorkloadIdentity in the project namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_ref: Option<CredentialsRef>,
    /// Domain selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domains: Option<SelectionLists>,
    /// Zone selection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zones: Option<SelectionLists>,
}

/// A reference to an object by API version, kind and name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsRef {
    /// API version, e.g. `v1`.
    #[serde(default)]
    pub api_version: String,
    /// Kind, e.g. `Secret`.
    #[serde(default)]
    pub kind: String,
    /// Name.
    #[serde(default)]
    pub name: String,
}

/// One of `spec.extensions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShootExtension {
    /// The extension type.
    #[serde(rename = "type", default)]
    pub extension_type: String,
    /// Its provider config, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_config: Option<Value>,
    /// Whether it is disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
}

/// One of `spec.resources`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedResourceReference {
    /// The name the shoot refers to it by.
    #[serde(default)]
    pub name: String,
    /// The object.
    #[serde(default)]
    pub resource_ref: CredentialsRef,
}

/// `spec.hibernation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hibernation {
    /// Whether the shoot is hibernated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
}

/// `Shoot.status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShootStatus {
    /// The last operation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_operation: Option<LastOperation>,
    /// The shoot's cluster identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster_identity: Option<String>,
    /// The shoot's namespace in the seed (`shoot--<project>--<name>`).
    #[serde(
        rename = "technicalID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub technical_id: Option<String>,
}

/// `status.lastOperation`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastOperation {
    /// `Create`, `Reconcile`, `Delete`, ...
    #[serde(rename = "type", default)]
    pub operation_type: String,
    /// `Processing`, `Succeeded`, ...
    #[serde(default)]
    pub state: String,
}

/// The `<shoot>-external` DNSRecord in the seed namespace: the provider of the default domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsRecord {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The spec.
    #[serde(default)]
    pub spec: DnsRecordSpec,
}

/// `DNSRecord.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsRecordSpec {
    /// The DNS provider type.
    #[serde(rename = "type", default)]
    pub record_type: String,
    /// The credentials Secret.
    #[serde(default)]
    pub secret_ref: crate::api::SecretReference,
    /// The hosted zone, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<String>,
}

/// A WorkloadIdentity (`security.gardener.cloud/v1alpha1`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadIdentity {
    /// Metadata.
    #[serde(default)]
    pub metadata: ObjectMeta,
    /// The spec.
    #[serde(default)]
    pub spec: WorkloadIdentitySpec,
}

/// `WorkloadIdentity.spec`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadIdentitySpec {
    /// `spec.targetSystem`.
    #[serde(default)]
    pub target_system: TargetSystem,
}

/// `spec.targetSystem` of a WorkloadIdentity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetSystem {
    /// `aws`, `azure`, `gcp`, ...
    #[serde(rename = "type", default)]
    pub system_type: String,
    /// The provider-specific configuration, as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_config: Option<Value>,
}
