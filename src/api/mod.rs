//! Serde types for the Kubernetes objects the core reads and writes.
//!
//! Field names follow Gardener's CRDs and the Kubernetes API (camelCase). Only the fields the
//! core needs are modelled; everything else in a manifest is ignored on input. These types hold
//! what a user wrote, unchecked: the checked forms are [`crate::DnsName`], [`crate::Target`],
//! [`crate::Ttl`] and the validated entry of [`crate::entry`].

mod dns;
mod gateway;
mod istio;
mod k8s;
mod meta;

pub use dns::{
    DnsAnnotation, DnsAnnotationSpec, DnsAnnotationStatus, DnsEntry, DnsEntrySpec, DnsEntryStatus,
    DnsHostedZonePolicy, DnsHostedZonePolicySpec, DnsHostedZonePolicyStatus, DnsProvider,
    DnsProviderSpec, DnsProviderStatus, EntryReference, Quotas, RateLimit, ResourceReference,
    RoutingPolicy, SecretReference, Selection, SelectionStatus, ZoneInfo, ZonePolicy, ZoneSelector,
};
pub use gateway::{
    GatewayAddress, GatewayApiGateway, GatewayApiGatewaySpec, GatewayApiGatewayStatus, HttpRoute,
    HttpRouteSpec, Listener, ParentReference,
};
pub use istio::{IstioGateway, IstioGatewaySpec, Server, VirtualService, VirtualServiceSpec};
pub use k8s::{
    Ingress, IngressRule, IngressSpec, LoadBalancerIngress, LoadBalancerStatus, Secret, Service,
    ServiceSpec, SourceStatus,
};
pub use meta::{ObjectMeta, ObjectRef, OwnerReference};

/// The API version of Gardener's DNS resources.
pub const DNS_API_VERSION: &str = "dns.gardener.cloud/v1alpha1";

/// Reads `null` as the type's default, as Kubernetes does for maps, lists and strings.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    Ok(<Option<T> as serde::Deserialize>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_maps_and_lists_are_empty() {
        let entry: DnsEntry = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "dns", "annotations": null, "labels": null, "ownerReferences": null},
            "spec": {"dnsName": "a.example.com", "targets": null, "routingPolicy": {"type": "weighted", "setIdentifier": "a", "parameters": null}}
        }))
        .unwrap();
        assert!(entry.metadata.annotations.is_empty());
        assert_eq!(entry.spec.targets, None);
        assert!(entry.spec.routing_policy.unwrap().parameters.is_empty());
        let ingress: Ingress = serde_json::from_value(serde_json::json!({
            "metadata": null, "spec": {"rules": null}, "status": {"loadBalancer": {"ingress": null}}
        }))
        .unwrap();
        assert!(ingress.spec.rules.is_empty());
    }
}
