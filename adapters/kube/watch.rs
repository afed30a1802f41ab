//! Watching a cluster: one kube-runtime `watcher` per kind the core reads, merged into one
//! stream of [`Input`]s in the core's terms. A (re)list is buffered and handed over whole, as
//! kube-runtime's reflector store does with `Init`/`InitApply`/`InitDone`, so that the planner
//! swaps its view at once ([`crate::plan::Planner::handle_relisted`]) and never sees a half list as
//! deletions.

use futures::stream::{self, BoxStream, StreamExt};
use kube::Client;
use kube::api::{Api, DynamicObject};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event, watcher};

use crate::api::ObjectRef;
use crate::world::{Object, ObjectKind};

/// What a watch reports, in the core's terms.
#[derive(Debug)]
pub enum Input {
    /// An object was created or changed.
    Applied(Object),
    /// An object is gone.
    Deleted(Object),
    /// Every object of a kind, listed afresh (on start, and after the watch restarted).
    Relisted(ObjectKind, Vec<Object>),
    /// An object of a kind the core reads that is not a valid one: why, for a Warning event.
    Invalid(ObjectRef, String),
    /// The watch of a kind failed; it is tried again with a backoff.
    Failed(ObjectKind, String),
}

/// A kind the core reads, as the API serves it.
#[derive(Debug, Clone)]
pub struct Watched {
    /// The core's kind.
    pub kind: ObjectKind,
    /// The API resource watched.
    pub resource: ApiResource,
}

/// The API versions of each kind the core reads, in order of preference.
const KINDS: [(ObjectKind, &str, &[&str], &str); 10] = [
    (ObjectKind::Service, "", &["v1"], "Service"),
    (ObjectKind::Secret, "", &["v1"], "Secret"),
    (ObjectKind::Ingress, "networking.k8s.io", &["v1"], "Ingress"),
    (
        ObjectKind::DnsEntry,
        "dns.gardener.cloud",
        &["v1alpha1"],
        "DNSEntry",
    ),
    (
        ObjectKind::DnsProvider,
        "dns.gardener.cloud",
        &["v1alpha1"],
        "DNSProvider",
    ),
    (
        ObjectKind::DnsAnnotation,
        "dns.gardener.cloud",
        &["v1alpha1"],
        "DNSAnnotation",
    ),
    (
        ObjectKind::GatewayApiGateway,
        "gateway.networking.k8s.io",
        &["v1", "v1beta1"],
        "Gateway",
    ),
    (
        ObjectKind::HttpRoute,
        "gateway.networking.k8s.io",
        &["v1", "v1beta1"],
        "HTTPRoute",
    ),
    (
        ObjectKind::IstioGateway,
        "networking.istio.io",
        &["v1", "v1beta1", "v1alpha3"],
        "Gateway",
    ),
    (
        ObjectKind::VirtualService,
        "networking.istio.io",
        &["v1", "v1beta1", "v1alpha3"],
        "VirtualService",
    ),
];

/// The kinds the cluster serves, each at the first of its versions it serves, and each kind it
/// does not serve with a line that says so (a CRD that is not installed: its sources are simply
/// absent).
pub async fn discover(client: &Client) -> (Vec<Watched>, Vec<(ObjectKind, String)>) {
    let mut watched = Vec::new();
    let mut missing = Vec::new();
    for (kind, group, versions, name) in KINDS {
        let mut found = None;
        for version in versions {
            let gvk = GroupVersionKind::gvk(group, version, name);
            if let Ok((resource, _)) = kube::discovery::pinned_kind(client, &gvk).await {
                found = Some(resource);
                break;
            }
        }
        match found {
            Some(resource) => watched.push(Watched { kind, resource }),
            None => {
                let api = if group.is_empty() {
                    String::new()
                } else {
                    format!("{group}/")
                };
                missing.push((
                    kind,
                    format!(
                        "{name} ({api}{}) is not served by the cluster: not watched",
                        versions.join(", ")
                    ),
                ));
            }
        }
    }
    (watched, missing)
}

/// One stream of the watches of `kinds`, in `namespace` (`None`: all namespaces) for the
/// namespaced kinds.
pub fn watch(
    client: &Client,
    kinds: &[Watched],
    namespace: Option<&str>,
) -> BoxStream<'static, Input> {
    let streams = kinds.iter().map(|watched| {
        let api: Api<DynamicObject> = match namespace {
            Some(namespace) => Api::namespaced_with(client.clone(), namespace, &watched.resource),
            None => Api::all_with(client.clone(), &watched.resource),
        };
        let kind = watched.kind;
        let resource = watched.resource.clone();
        let mut listing: Option<Vec<Object>> = None;
        watcher(api, watcher::Config::default())
            .default_backoff()
            .flat_map(move |event| {
                let inputs = match event {
                    Ok(event) => translate(kind, &resource, event, &mut listing),
                    Err(error) => vec![Input::Failed(kind, super::describe_watch(&error))],
                };
                stream::iter(inputs)
            })
            .boxed()
    });
    stream::select_all(streams).boxed()
}

/// The inputs of one watch event of `kind`; `listing` buffers a (re)list until it is done.
fn translate(
    kind: ObjectKind,
    resource: &ApiResource,
    event: Event<DynamicObject>,
    listing: &mut Option<Vec<Object>>,
) -> Vec<Input> {
    match event {
        Event::Init => {
            *listing = Some(Vec::new());
            Vec::new()
        }
        Event::InitApply(object) => match decode(resource, object) {
            Ok(object) => {
                listing.get_or_insert_with(Vec::new).push(object);
                Vec::new()
            }
            Err((object, message)) => vec![Input::Invalid(object, message)],
        },
        Event::InitDone => vec![Input::Relisted(kind, listing.take().unwrap_or_default())],
        Event::Apply(object) => vec![match decode(resource, object) {
            Ok(object) => Input::Applied(object),
            Err((object, message)) => Input::Invalid(object, message),
        }],
        Event::Delete(object) => match decode(resource, object) {
            Ok(object) => vec![Input::Deleted(object)],
            // An object that was never valid was never planned: its going changes nothing.
            Err(_) => Vec::new(),
        },
    }
}

/// A watched object as the core's object, or why it is not a valid one.
pub(super) fn decode(
    resource: &ApiResource,
    object: DynamicObject,
) -> Result<Object, (ObjectRef, String)> {
    let object_ref = ObjectRef {
        api_version: resource.api_version.clone(),
        kind: resource.kind.clone(),
        namespace: object.metadata.namespace.clone().unwrap_or_default(),
        name: object.metadata.name.clone().unwrap_or_default(),
    };
    let mut value =
        serde_json::to_value(&object).map_err(|e| (object_ref.clone(), e.to_string()))?;
    // A watch event carries no apiVersion and kind of its own in every case: the resource
    // watched says them.
    if let Some(fields) = value.as_object_mut() {
        fields.insert("apiVersion".to_owned(), resource.api_version.clone().into());
        fields.insert("kind".to_owned(), resource.kind.clone().into());
    }
    match crate::manifest::decode(&resource.api_version, &resource.kind, value) {
        Some(Ok(object)) => Ok(object),
        Some(Err(message)) => Err((object_ref, message)),
        None => Err((
            object_ref,
            format!("kind {} is not one shoot-dns reads", resource.kind),
        )),
    }
}

/// Feeds one input to `planner`; an invalid object or a failed watch is the caller's to
/// report.
pub fn feed(planner: &mut crate::plan::Planner, input: Input) {
    match input {
        Input::Applied(object) => planner.handle_applied(object),
        Input::Deleted(object) => planner.handle_deleted(&object),
        Input::Relisted(kind, objects) => planner.handle_relisted(kind, objects),
        Input::Invalid(..) | Input::Failed(..) => {}
    }
}
