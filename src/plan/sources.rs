//! The source step of a plan: Services and Ingresses to the DNSEntries they ask for.

use std::collections::BTreeMap;

use crate::annotations::{CLASS, MergedAnnotations};
use crate::api::{DNS_API_VERSION, DnsAnnotation, DnsEntry, ObjectMeta, ObjectRef};
use crate::config::Config;
use crate::events::Event;
use crate::sources::{self, SourceError, SourceInput, SourceKind, SourceOutcome};
use crate::world::World;

/// The DNSAnnotation overlays, by `apiVersion/kind/namespace/name` of the annotated object.
type Overlays<'a> = BTreeMap<(String, String, String, String), &'a DnsAnnotation>;

enum Input<'a> {
    Service(&'a crate::api::Service),
    Ingress(&'a crate::api::Ingress),
}

/// Every DNSEntry of the world, given or generated, with the source object it belongs to; and
/// the events of the sources.
pub(super) fn entries(
    world: &World,
    config: &Config,
    events: &mut Vec<Event>,
) -> Vec<(DnsEntry, Option<ObjectRef>)> {
    let plan_events = events;
    let overlays = overlays(world, config);
    let given = latest(
        &world.entries,
        |e| &e.metadata,
        (DNS_API_VERSION, "DNSEntry"),
        plan_events,
    );
    let owner_index = owner_index(&given);
    let mut claimed = vec![false; given.len()];
    // (entry, the source it belongs to)
    let mut entries: Vec<(DnsEntry, Option<ObjectRef>)> = Vec::new();

    let services = latest(
        &world.services,
        |s| &s.metadata,
        ("v1", "Service"),
        plan_events,
    );
    let ingresses = latest(
        &world.ingresses,
        |i| &i.metadata,
        ("networking.k8s.io/v1", "Ingress"),
        plan_events,
    );
    let sources = services
        .into_iter()
        .map(|s| (SourceKind::Service, &s.metadata, Input::Service(s)))
        .chain(
            ingresses
                .into_iter()
                .map(|i| (SourceKind::Ingress, &i.metadata, Input::Ingress(i))),
        );

    for (kind, meta, object) in sources {
        let source_ref = ObjectRef::new(
            kind.api_version(),
            kind.kind(),
            meta.namespace_or_default(),
            meta.name_or_empty(),
        );
        let overlay = overlays
            .get(&(
                kind.api_version().into(),
                kind.kind().into(),
                source_ref.namespace.clone(),
                source_ref.name.clone(),
            ))
            .map(|a| &a.spec.annotations);
        let merged = MergedAnnotations::new(&meta.annotations, overlay);
        let candidates = owner_index
            .get(&(
                kind.kind(),
                source_ref.namespace.as_str(),
                source_ref.name.as_str(),
            ))
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut owned: Vec<DnsEntry> = Vec::new();
        for &i in candidates {
            if !claimed[i] && sources::owns(kind, meta, given[i]) {
                claimed[i] = true;
                owned.push(given[i].clone());
            }
        }
        let input: Result<Option<SourceInput>, SourceError> = if meta.is_deleting() {
            Ok(None)
        } else {
            match object {
                Input::Service(s) => sources::service_input(s, &merged, &config.source),
                Input::Ingress(i) => sources::ingress_input(i, &merged, &config.source),
            }
        };
        match input {
            Ok(input) => {
                let SourceOutcome {
                    entries: desired,
                    deleted: _,
                    events,
                } = sources::reconcile(kind, meta, input.as_ref(), owned, &config.source);
                plan_events.extend(events);
                entries.extend(
                    desired
                        .into_iter()
                        .map(|(e, _)| (e, Some(source_ref.clone()))),
                );
            }
            Err(error) => {
                // Nothing changes for the object: its entries stay as they are.
                plan_events.push(Event::warning(
                    source_ref.clone(),
                    "Invalid",
                    error.to_string(),
                ));
                entries.extend(owned.into_iter().map(|e| (e, Some(source_ref.clone()))));
            }
        }
    }
    entries.extend(
        given
            .iter()
            .zip(&claimed)
            .filter(|(_, c)| !**c)
            .map(|(e, _)| ((*e).clone(), None)),
    );
    entries
}

/// The objects of one kind in namespace/name order, of each name only the one given last (as a
/// later `kubectl apply` would leave it); each one passed over is reported.
pub(super) fn latest<'a, T>(
    items: &'a [T],
    meta: fn(&T) -> &ObjectMeta,
    (api_version, kind): (&str, &str),
    events: &mut Vec<Event>,
) -> Vec<&'a T> {
    let mut sorted: Vec<(usize, &T)> = items.iter().enumerate().collect();
    sorted.sort_by(|(i, a), (j, b)| key(meta(a)).cmp(&key(meta(b))).then(i.cmp(j)));
    let mut kept: Vec<&T> = Vec::with_capacity(items.len());
    for (_, item) in sorted {
        match kept.last_mut() {
            Some(last) if key(meta(last)) == key(meta(item)) => {
                let (namespace, name) = key(meta(item));
                events.push(Event::warning(
                    ObjectRef::new(api_version, kind, namespace, name),
                    "Invalid",
                    "given more than once: the last definition is used".to_owned(),
                ));
                *last = item;
            }
            _ => kept.push(item),
        }
    }
    kept
}

pub(super) fn key(meta: &ObjectMeta) -> (&str, &str) {
    (meta.namespace_or_default(), meta.name_or_empty())
}

/// The entries (as positions in `given`, which is sorted by namespace/name) that name an object
/// `(kind, namespace, name)` as owner, through owner references or the owners annotation.
/// [`sources::owns`] makes the final decision; this only narrows the search.
fn owner_index<'a>(given: &[&'a DnsEntry]) -> BTreeMap<(&'a str, &'a str, &'a str), Vec<usize>> {
    let mut index: BTreeMap<(&str, &str, &str), Vec<usize>> = BTreeMap::new();
    for (i, entry) in given.iter().enumerate() {
        let namespace = entry.metadata.namespace_or_default();
        for owner in &entry.metadata.owner_references {
            index
                .entry((owner.kind.as_str(), namespace, owner.name.as_str()))
                .or_default()
                .push(i);
        }
        let owners = entry
            .metadata
            .annotation(crate::annotations::OWNERS)
            .unwrap_or("");
        for owner in owners.split(',').map(str::trim) {
            let reference = owner.split_once(':').map_or(owner, |(_, rest)| rest);
            let mut parts = reference.rsplitn(4, '/');
            if let (Some(name), Some(ns), Some(kind)) = (parts.next(), parts.next(), parts.next()) {
                index.entry((kind, ns, name)).or_default().push(i);
            }
        }
    }
    for positions in index.values_mut() {
        positions.dedup();
    }
    index
}

/// The DNSAnnotations of our class, the first per referenced object (oldest, then by
/// namespace/name).
fn overlays<'a>(world: &'a World, config: &Config) -> Overlays<'a> {
    let mut annotations: Vec<&DnsAnnotation> = world
        .annotations
        .iter()
        .filter(|a| {
            config
                .source
                .source_class
                .matches(a.metadata.annotation(CLASS))
        })
        .collect();
    annotations.sort_by(|a, b| {
        (a.metadata.creation_timestamp.as_deref(), key(&a.metadata))
            .cmp(&(b.metadata.creation_timestamp.as_deref(), key(&b.metadata)))
    });
    let mut overlays = Overlays::new();
    for a in annotations {
        let r = &a.spec.resource_ref;
        let k = (
            r.api_version.clone(),
            r.kind.clone(),
            r.namespace.clone().unwrap_or_default(),
            r.name.clone(),
        );
        overlays.entry(k).or_insert(a);
    }
    overlays
}
