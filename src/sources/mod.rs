//! Sources: Kubernetes objects that ask for DNS names through annotations, and the DNSEntry
//! objects generated from them (docs/sources.md §3).
//!
//! Each kind turns an object and its merged annotations into a [`SourceInput`] (the names and
//! everything the entries share), or into nothing when the object is not relevant. [`reconcile`]
//! then turns that input and the entries the object already owns into the desired entries and
//! the events of §3.0.8.

mod dnsentry;
mod entries;
mod gateway;
mod ingress;
mod istio;
mod service;

use std::collections::BTreeMap;

pub use dnsentry::dnsentry_input;
pub use entries::{EntryChange, SourceOutcome, owner_string, owns, reconcile, reconcile_waiting};
pub(crate) use entries::{annotated_owners, entry_name};
pub use gateway::{gateway_input, route_parents};
pub use ingress::ingress_input;
pub use istio::{IstioObjects, istio_input, virtual_service_gateways};
pub use service::service_input;

use crate::Class;
use crate::annotations::{AnnotationError, CommonAnnotations, IgnoreMode};
use crate::api::RoutingPolicy;

/// The kinds of source objects, with the API version they are read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SourceKind {
    /// `v1/Service` of type LoadBalancer.
    Service,
    /// `networking.k8s.io/v1/Ingress`.
    Ingress,
    /// `gateway.networking.k8s.io/v1/Gateway` (with its HTTPRoutes).
    GatewayApiV1,
    /// `gateway.networking.k8s.io/v1beta1/Gateway` (with its HTTPRoutes).
    GatewayApiV1beta1,
    /// `networking.istio.io/v1/Gateway` (with its VirtualServices).
    IstioV1,
    /// `networking.istio.io/v1beta1/Gateway`.
    IstioV1beta1,
    /// `networking.istio.io/v1alpha3/Gateway`.
    IstioV1alpha3,
    /// `dns.gardener.cloud/v1alpha1/DNSEntry` replicated into the target namespace or cluster.
    DnsEntry,
}

impl SourceKind {
    /// Every kind, in the order a plan reconciles them.
    pub const ALL: [SourceKind; 8] = [
        Self::Service,
        Self::Ingress,
        Self::GatewayApiV1,
        Self::GatewayApiV1beta1,
        Self::IstioV1,
        Self::IstioV1beta1,
        Self::IstioV1alpha3,
        Self::DnsEntry,
    ];

    /// The kind of an object of `api_version` and `kind`, if it is a source.
    pub fn of(api_version: &str, kind: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.api_version() == api_version && k.kind() == kind)
    }

    /// The API group (`""` for the core group).
    pub fn group(self) -> &'static str {
        match self {
            Self::Service => "",
            Self::Ingress => "networking.k8s.io",
            Self::GatewayApiV1 | Self::GatewayApiV1beta1 => "gateway.networking.k8s.io",
            Self::IstioV1 | Self::IstioV1beta1 | Self::IstioV1alpha3 => "networking.istio.io",
            Self::DnsEntry => "dns.gardener.cloud",
        }
    }

    /// The API version, e.g. `networking.k8s.io/v1`.
    pub fn api_version(self) -> &'static str {
        match self {
            Self::Service => "v1",
            Self::Ingress => "networking.k8s.io/v1",
            Self::GatewayApiV1 => "gateway.networking.k8s.io/v1",
            Self::GatewayApiV1beta1 => "gateway.networking.k8s.io/v1beta1",
            Self::IstioV1 => "networking.istio.io/v1",
            Self::IstioV1beta1 => "networking.istio.io/v1beta1",
            Self::IstioV1alpha3 => "networking.istio.io/v1alpha3",
            Self::DnsEntry => crate::api::DNS_API_VERSION,
        }
    }

    /// The kind, e.g. `Ingress`.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Service => "Service",
            Self::Ingress => "Ingress",
            Self::GatewayApiV1
            | Self::GatewayApiV1beta1
            | Self::IstioV1
            | Self::IstioV1beta1
            | Self::IstioV1alpha3 => "Gateway",
            Self::DnsEntry => "DNSEntry",
        }
    }

    /// The last part of the generated entries' `generateName` (`<name>-<suffix>-`): the kind in
    /// lower case.
    pub fn name_suffix(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::Ingress => "ingress",
            Self::DnsEntry => "dnsentry",
            _ => "gateway",
        }
    }

    /// The local part of the source finalizer (docs/sources.md §2.5).
    pub fn finalizer_local_name(self) -> &'static str {
        match self {
            Self::Service => "service-dns",
            Self::Ingress => "ingress-dns",
            Self::GatewayApiV1 | Self::GatewayApiV1beta1 => "gatewayapi-dns",
            Self::IstioV1 | Self::IstioV1beta1 | Self::IstioV1alpha3 => "istio-dns",
            Self::DnsEntry => "dnsentry-source",
        }
    }
}

/// The configuration of the source side (docs/sources.md §0), with classes already resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceConfig {
    /// The class source objects must carry.
    pub source_class: Class,
    /// The class of generated entries (COMPATIBILITY.md#d7: falls back to the primary class).
    pub target_class: Class,
    /// Namespace of generated entries; `None` means the source object's namespace.
    pub target_namespace: Option<String>,
    /// Prefix of generated entry names.
    pub target_name_prefix: String,
    /// Labels put on every generated entry.
    pub target_labels: BTreeMap<String, String>,
    /// Identifier of the source cluster (`""` when unset).
    pub source_cluster_id: String,
    /// Identifier of the target cluster (`""` when unset).
    pub target_cluster_id: String,
}

impl SourceConfig {
    /// Whether sources and entries live in the same cluster.
    pub fn same_cluster(&self) -> bool {
        self.source_cluster_id == self.target_cluster_id
    }

    /// The namespace of the entries generated for an object in `source_namespace`.
    pub fn entry_namespace<'a>(&'a self, source_namespace: &'a str) -> &'a str {
        self.target_namespace
            .as_deref()
            .filter(|ns| !ns.is_empty())
            .unwrap_or(source_namespace)
    }
}

/// What one relevant source object asks for (Gardener's DNSSpecInput): the names, and what all
/// their entries share.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SourceInput {
    /// The DNS names, in order, verbatim (checked later, by the entry).
    pub names: Vec<String>,
    /// The targets, in order, verbatim.
    pub targets: Vec<String>,
    /// TXT values (DNSEntry sources only).
    pub text: Vec<String>,
    /// `spec.ttl`.
    pub ttl: Option<i64>,
    /// `spec.cnameLookupInterval`.
    pub cname_lookup_interval: Option<i64>,
    /// `spec.resolveTargetsToAddresses`.
    pub resolve_targets_to_addresses: Option<bool>,
    /// `spec.routingPolicy`.
    pub routing_policy: Option<RoutingPolicy>,
    /// The `dns.gardener.cloud/ip-stack` annotation for the entries.
    pub ip_stack: Option<String>,
    /// The `dns.gardener.cloud/ignore` annotation for the entries.
    pub ignore: Option<IgnoreMode>,
}

impl SourceInput {
    /// The input of a Service, Ingress or Gateway: its names and targets, the ip-stack it asks
    /// for, and what its common annotations say.
    pub fn new(
        names: Vec<String>,
        targets: Vec<String>,
        ip_stack: Option<String>,
        common: CommonAnnotations<'_>,
    ) -> Self {
        Self {
            names,
            targets,
            text: Vec::new(),
            ttl: common.ttl,
            cname_lookup_interval: common.cname_lookup_interval,
            resolve_targets_to_addresses: common.resolve_targets_to_addresses,
            routing_policy: common.routing_policy,
            ip_stack,
            ignore: common.ignore,
        }
    }
}

/// Why a relevant source object yields no input. Nothing is changed for the object; the message
/// becomes a `Warning Invalid` event on it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// An annotation breaks its rule.
    #[error(transparent)]
    Annotation(#[from] AnnotationError),
    /// `*` or `all` on a Service.
    #[error("domain name annotation value \"*\" or \"all\" is not allowed for service objects")]
    WildcardOnService,
    /// Names in `dnsnames` that the object does not declare.
    #[error("annotated dns names {} not declared by {by}", names.join(", "))]
    NotDeclared {
        /// The undeclared names, in annotation order.
        names: Vec<String>,
        /// What declares names, e.g. `ingress`.
        by: &'static str,
    },
    /// An Istio Gateway's `dns.gardener.cloud/ingress` with more than one `/`.
    #[error("invalid annotation dns.gardener.cloud/ingress: {0}")]
    IngressAnnotation(String),
    /// The Ingress an Istio Gateway's `dns.gardener.cloud/ingress` names does not exist.
    #[error("ingresses.networking.k8s.io {name:?} not found")]
    IngressNotFound {
        /// The Ingress's name.
        name: String,
    },
    /// A target that looks like a host name but is none: its last label is all digits
    /// (`999.1.1.1`, `1.2.3.4.5.6`). Gardener would write a CNAME to it.
    #[error("{field}: {source}")]
    Target {
        /// Where the target comes from, e.g. `status.loadBalancer.ingress[0].ip`.
        field: String,
        /// Why it is no target.
        source: crate::TargetError,
    },
}

impl SourceError {
    /// The error with the object that holds its target named after the field (`... of Service
    /// ns/name`), for targets an object takes from another one.
    pub(crate) fn within(self, object: &str) -> Self {
        match self {
            Self::Target { field, source } => Self::Target {
                field: format!("{field} of {object}"),
                source,
            },
            other => other,
        }
    }
}

/// Refuses a target whose last label is all digits (COMPATIBILITY.md#d3: neither an address nor a
/// host name); `field` says where a target came from. Other bad targets are left to the entry's
/// validation, which makes it `Invalid` as Gardener does.
pub(crate) fn check_targets<'t>(
    targets: impl IntoIterator<Item = &'t str>,
    field: impl Fn(&str) -> String,
) -> Result<(), SourceError> {
    for target in targets {
        if let Err(source @ crate::TargetError::NumericLastLabel { .. }) =
            target.parse::<crate::Target>()
        {
            return Err(SourceError::Target {
                field: field(target),
                source,
            });
        }
    }
    Ok(())
}

/// The field of a load balancer status that holds `value`:
/// `status.loadBalancer.ingress[<i>].ip` or `.hostname`.
pub(crate) fn load_balancer_field(status: &crate::api::LoadBalancerStatus, value: &str) -> String {
    for (i, item) in status.ingress.iter().enumerate() {
        if item.ip.as_deref() == Some(value) {
            return format!("status.loadBalancer.ingress[{i}].ip");
        }
        if item.hostname.as_deref() == Some(value) {
            return format!("status.loadBalancer.ingress[{i}].hostname");
        }
    }
    "status.loadBalancer.ingress".to_owned()
}

/// The names of an object that declares `declared` (in order, without duplicates) and whose
/// `dnsnames` asks for `wanted`: the declared ones it lists or selects with `*`/`all`. A listed
/// name that is not declared is an error naming what declares names (`by`).
pub(crate) fn select_names(
    declared: &[String],
    wanted: &crate::annotations::DnsNames<'_>,
    by: &'static str,
) -> Result<Vec<String>, SourceError> {
    let undeclared: Vec<String> = wanted
        .listed
        .iter()
        .filter(|n| !declared.iter().any(|d| d == *n))
        .map(|n| (*n).to_owned())
        .collect();
    if !undeclared.is_empty() {
        return Err(SourceError::NotDeclared {
            names: undeclared,
            by,
        });
    }
    Ok(declared
        .iter()
        .filter(|host| wanted.all || wanted.listed.contains(&host.as_str()))
        .cloned()
        .collect())
}

/// Adds a host that a route (HTTPRoute, VirtualService) declares, unless it is already there
/// or an earlier `*.X` host covers it at exactly one label (docs/sources.md §3.3, §6 item 7).
pub(crate) fn add_route_host(hosts: &mut Vec<String>, host: &str) {
    let covered = hosts.iter().any(|h| {
        h == host
            || h.strip_prefix('*').is_some_and(|suffix| {
                suffix.starts_with('.')
                    && host
                        .strip_suffix(suffix)
                        .is_some_and(|label| !label.contains('.'))
            })
    });
    if !covered {
        hosts.push(host.to_owned());
    }
}

/// Keeps the first occurrence of each item, in order (Gardener's `UniqueStrings`).
fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|t| t == item) {
        list.push(item.to_owned());
    }
}
