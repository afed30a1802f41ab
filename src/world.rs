//! [`World`]: every object a plan starts from.

use crate::api::{
    DnsAnnotation, DnsEntry, DnsProvider, Ingress, ObjectMeta, ObjectRef, Secret, Service,
};
use crate::manifest::ObjectProblem;

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
    /// Documents that are not valid objects of their kind.
    pub problems: Vec<ObjectProblem>,
    /// Objects of kinds the core does not use.
    pub ignored: Vec<ObjectRef>,
}

impl World {
    /// Adds an object. An object with the kind, namespace and name of one already present
    /// replaces it (as a later `kubectl apply` would), and the replacement is reported.
    pub fn insert(&mut self, object: Object) {
        fn put<T>(list: &mut Vec<T>, item: T, meta: fn(&T) -> &ObjectMeta) -> bool {
            let key = |m: &ObjectMeta| (m.namespace_or_default().to_owned(), m.name.clone());
            let new_key = key(meta(&item));
            match list
                .iter_mut()
                .find(|existing| key(meta(existing)) == new_key)
            {
                Some(existing) => {
                    *existing = item;
                    true
                }
                None => {
                    list.push(item);
                    false
                }
            }
        }
        let meta = object.metadata();
        let (api_version, kind) = type_of(&object);
        let reference = ObjectRef::new(
            api_version,
            kind,
            meta.namespace_or_default(),
            meta.name_or_empty(),
        );
        let replaced = match object {
            Object::Service(o) => put(&mut self.services, o, |o| &o.metadata),
            Object::Ingress(o) => put(&mut self.ingresses, o, |o| &o.metadata),
            Object::DnsEntry(o) => put(&mut self.entries, o, |o| &o.metadata),
            Object::DnsProvider(o) => put(&mut self.providers, o, |o| &o.metadata),
            Object::DnsAnnotation(o) => put(&mut self.annotations, o, |o| &o.metadata),
            Object::Secret(o) => put(&mut self.secrets, o, |o| &o.metadata),
        };
        if replaced {
            self.problems.push(ObjectProblem {
                message: "given more than once: the last definition is used".to_owned(),
                object: reference,
            });
        }
    }
}

fn type_of(object: &Object) -> (&'static str, &'static str) {
    use crate::api::DNS_API_VERSION as DNS;
    match object {
        Object::Service(_) => ("v1", "Service"),
        Object::Ingress(_) => ("networking.k8s.io/v1", "Ingress"),
        Object::DnsEntry(_) => (DNS, "DNSEntry"),
        Object::DnsProvider(_) => (DNS, "DNSProvider"),
        Object::DnsAnnotation(_) => (DNS, "DNSAnnotation"),
        Object::Secret(_) => ("v1", "Secret"),
    }
}
