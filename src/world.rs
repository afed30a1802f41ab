//! [`World`]: every object a plan starts from.

use crate::api::{
    DnsAnnotation, DnsEntry, DnsProvider, GatewayApiGateway, HttpRoute, Ingress, IstioGateway,
    ObjectMeta, ObjectRef, Secret, Service, VirtualService,
};
use crate::zones::Observed;

/// A document that is not a valid object of its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectProblem {
    /// The object, as far as it could be identified.
    pub object: ObjectRef,
    /// What is wrong, naming the field.
    pub message: String,
}

/// One object the core reads.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Object {
    /// A Service.
    Service(Service),
    /// An Ingress.
    Ingress(Ingress),
    /// A DNSEntry.
    DnsEntry(DnsEntry),
    /// A DNSProvider.
    DnsProvider(DnsProvider),
    /// A DNSAnnotation.
    DnsAnnotation(DnsAnnotation),
    /// A Secret.
    Secret(Secret),
    /// A Gateway API Gateway (`gateway.networking.k8s.io`).
    GatewayApiGateway(GatewayApiGateway),
    /// A Gateway API HTTPRoute.
    HttpRoute(HttpRoute),
    /// An Istio Gateway (`networking.istio.io`).
    IstioGateway(IstioGateway),
    /// An Istio VirtualService.
    VirtualService(VirtualService),
}

impl Object {
    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Self::Service(o) => &o.metadata,
            Self::Ingress(o) => &o.metadata,
            Self::DnsEntry(o) => &o.metadata,
            Self::DnsProvider(o) => &o.metadata,
            Self::DnsAnnotation(o) => &o.metadata,
            Self::Secret(o) => &o.metadata,
            Self::GatewayApiGateway(o) => &o.metadata,
            Self::HttpRoute(o) => &o.metadata,
            Self::IstioGateway(o) => &o.metadata,
            Self::VirtualService(o) => &o.metadata,
        }
    }
}

/// The kind of an [`Object`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ObjectKind {
    /// Service.
    Service,
    /// Ingress.
    Ingress,
    /// DNSEntry.
    DnsEntry,
    /// DNSProvider.
    DnsProvider,
    /// DNSAnnotation.
    DnsAnnotation,
    /// Secret.
    Secret,
    /// Gateway API Gateway.
    GatewayApiGateway,
    /// Gateway API HTTPRoute.
    HttpRoute,
    /// Istio Gateway.
    IstioGateway,
    /// Istio VirtualService.
    VirtualService,
}

impl Object {
    /// The object's kind.
    pub fn kind(&self) -> ObjectKind {
        match self {
            Self::Service(_) => ObjectKind::Service,
            Self::Ingress(_) => ObjectKind::Ingress,
            Self::DnsEntry(_) => ObjectKind::DnsEntry,
            Self::DnsProvider(_) => ObjectKind::DnsProvider,
            Self::DnsAnnotation(_) => ObjectKind::DnsAnnotation,
            Self::Secret(_) => ObjectKind::Secret,
            Self::GatewayApiGateway(_) => ObjectKind::GatewayApiGateway,
            Self::HttpRoute(_) => ObjectKind::HttpRoute,
            Self::IstioGateway(_) => ObjectKind::IstioGateway,
            Self::VirtualService(_) => ObjectKind::VirtualService,
        }
    }
}

/// Every object a plan starts from: the whole cluster as far as DNS is concerned.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct World {
    /// Services.
    pub services: Vec<Service>,
    /// Ingresses.
    pub ingresses: Vec<Ingress>,
    /// DNSEntries.
    pub entries: Vec<DnsEntry>,
    /// DNSProviders.
    pub providers: Vec<DnsProvider>,
    /// DNSAnnotations.
    pub annotations: Vec<DnsAnnotation>,
    /// Secrets.
    pub secrets: Vec<Secret>,
    /// Gateway API Gateways.
    pub gateways: Vec<GatewayApiGateway>,
    /// Gateway API HTTPRoutes.
    pub http_routes: Vec<HttpRoute>,
    /// Istio Gateways.
    pub istio_gateways: Vec<IstioGateway>,
    /// Istio VirtualServices.
    pub virtual_services: Vec<VirtualService>,
    /// Documents that are not valid objects of their kind.
    pub problems: Vec<ObjectProblem>,
    /// Objects of kinds the core does not use.
    pub ignored: Vec<ObjectRef>,
    /// What the zones hold, which records entries own, lookup answers and given hosted zones.
    pub observed: Observed,
}

/// The objects of a world, kind by kind in the order [`World::objects`] documents, each list
/// walked with `$iter` (and adapted with `$adapt`, e.g. `cloned`).
macro_rules! each_object {
    ($world:expr, $iter:ident $(, $adapt:ident)?) => {{
        let world = $world;
        (world.services.$iter()$(.$adapt())?.map(Object::Service))
            .chain(world.ingresses.$iter()$(.$adapt())?.map(Object::Ingress))
            .chain(world.entries.$iter()$(.$adapt())?.map(Object::DnsEntry))
            .chain(world.providers.$iter()$(.$adapt())?.map(Object::DnsProvider))
            .chain(world.annotations.$iter()$(.$adapt())?.map(Object::DnsAnnotation))
            .chain(world.secrets.$iter()$(.$adapt())?.map(Object::Secret))
            .chain(world.gateways.$iter()$(.$adapt())?.map(Object::GatewayApiGateway))
            .chain(world.http_routes.$iter()$(.$adapt())?.map(Object::HttpRoute))
            .chain(world.istio_gateways.$iter()$(.$adapt())?.map(Object::IstioGateway))
            .chain(world.virtual_services.$iter()$(.$adapt())?.map(Object::VirtualService))
    }};
}

impl World {
    /// Every object, cloned: Services, Ingresses, DNSEntries, DNSProviders, DNSAnnotations,
    /// Secrets, Gateway API Gateways and HTTPRoutes, Istio Gateways and VirtualServices, each
    /// kind in the order given.
    pub fn objects(&self) -> impl Iterator<Item = Object> + '_ {
        each_object!(self, iter, cloned)
    }

    /// Every object, moved out (in the order of [`World::objects`]); problems, ignored objects
    /// and observations are dropped.
    pub fn into_objects(self) -> impl Iterator<Item = Object> {
        each_object!(self, into_iter)
    }

    /// Adds the objects, problems and ignored objects of `other` after those of `self` (not its
    /// observations).
    pub fn append(&mut self, other: World) {
        fn join<T>(mine: &mut Vec<T>, mut theirs: Vec<T>) {
            if mine.is_empty() {
                *mine = theirs;
            } else {
                mine.append(&mut theirs);
            }
        }
        join(&mut self.services, other.services);
        join(&mut self.ingresses, other.ingresses);
        join(&mut self.entries, other.entries);
        join(&mut self.providers, other.providers);
        join(&mut self.annotations, other.annotations);
        join(&mut self.secrets, other.secrets);
        join(&mut self.gateways, other.gateways);
        join(&mut self.http_routes, other.http_routes);
        join(&mut self.istio_gateways, other.istio_gateways);
        join(&mut self.virtual_services, other.virtual_services);
        join(&mut self.problems, other.problems);
        join(&mut self.ignored, other.ignored);
    }

    /// Adds an object. Objects with the same kind, namespace and name may be added twice: the
    /// plan uses the one added last (as a later `kubectl apply` would) and reports the others.
    pub fn insert(&mut self, object: Object) {
        match object {
            Object::Service(o) => self.services.push(o),
            Object::Ingress(o) => self.ingresses.push(o),
            Object::DnsEntry(o) => self.entries.push(o),
            Object::DnsProvider(o) => self.providers.push(o),
            Object::DnsAnnotation(o) => self.annotations.push(o),
            Object::Secret(o) => self.secrets.push(o),
            Object::GatewayApiGateway(o) => self.gateways.push(o),
            Object::HttpRoute(o) => self.http_routes.push(o),
            Object::IstioGateway(o) => self.istio_gateways.push(o),
            Object::VirtualService(o) => self.virtual_services.push(o),
        }
    }
}
