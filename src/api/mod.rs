//! Serde types for the Kubernetes objects the core reads and writes.
//!
//! Field names follow Gardener's CRDs and the Kubernetes API (camelCase). Only the fields the
//! core needs are modelled; everything else in a manifest is ignored on input. These types hold
//! what a user wrote, unchecked: the checked forms are [`crate::DnsName`], [`crate::Target`],
//! [`crate::Ttl`] and the validated entry of [`crate::entry`].

mod dns;
mod k8s;
mod meta;

pub use dns::{
    DnsAnnotation, DnsAnnotationSpec, DnsAnnotationStatus, DnsEntry, DnsEntrySpec, DnsEntryStatus,
    DnsProvider, DnsProviderSpec, DnsProviderStatus, EntryReference, Quotas, RateLimit,
    ResourceReference, RoutingPolicy, SecretReference, Selection, SelectionStatus,
};
pub use k8s::{
    Ingress, IngressRule, IngressSpec, LoadBalancerIngress, LoadBalancerStatus, Secret, Service,
    ServiceSpec, SourceStatus,
};
pub use meta::{ObjectMeta, ObjectRef, OwnerReference};

/// The API version of Gardener's DNS resources.
pub const DNS_API_VERSION: &str = "dns.gardener.cloud/v1alpha1";
