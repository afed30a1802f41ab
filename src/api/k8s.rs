use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ObjectMeta;

/// The fields of a `v1/Service` the core reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// `spec.type`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: ServiceSpec,
    /// `status.loadBalancer`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub status: SourceStatus,
}

/// `Service.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceSpec {
    /// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub service_type: Option<String>,
    /// Label selector of the pods (used to match Istio gateways).
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub selector: BTreeMap<String, String>,
}

/// The `status` of a Service or an Ingress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceStatus {
    /// `status.loadBalancer`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub load_balancer: LoadBalancerStatus,
}

/// `status.loadBalancer`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancerStatus {
    /// The load balancer's addresses.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub ingress: Vec<LoadBalancerIngress>,
}

/// One item of `status.loadBalancer.ingress`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadBalancerIngress {
    /// An IP address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// A host name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
}

/// The fields of a `networking.k8s.io/v1/Ingress` the core reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ingress {
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// `spec.rules`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: IngressSpec,
    /// `status.loadBalancer`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub status: SourceStatus,
}

/// `Ingress.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressSpec {
    /// The rules; only their hosts matter here.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub rules: Vec<IngressRule>,
}

/// One `Ingress.spec.rules[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngressRule {
    /// The host this rule serves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

/// A `v1/Secret`: provider credentials. Never printed.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Secret {
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// Base64 encoded values.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub data: BTreeMap<String, String>,
    /// Plain values (merged into `data` by the API server).
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub string_data: BTreeMap<String, String>,
}

/// Shows the Secret's keys, never its values.
impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secret")
            .field("metadata", &self.metadata)
            .field("data", &self.data.keys().collect::<Vec<_>>())
            .field("string_data", &self.string_data.keys().collect::<Vec<_>>())
            .finish()
    }
}
