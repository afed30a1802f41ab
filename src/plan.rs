//! [`Plan`]: everything the core decides for one [`World`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::annotations::{CLASS, MergedAnnotations};
use crate::api::{
    DNS_API_VERSION, DnsAnnotation, DnsEntry, DnsEntryStatus, DnsProvider, ObjectMeta, ObjectRef,
};
use crate::config::Config;
use crate::entry::{FailureState, validate};
use crate::events::Event;
use crate::sources::{self, SourceError, SourceInput, SourceKind, SourceOutcome};
use crate::world::World;

/// One change to a zone (filled once providers and zones are planned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// `namespace/name` of the provider.
    pub provider: String,
    /// Zone id.
    pub zone: String,
    /// `create`, `update` or `delete`.
    pub action: String,
    /// Record name.
    pub name: String,
    /// Record type.
    #[serde(rename = "type")]
    pub record_type: String,
    /// Set identifier of a routing policy.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub set_identifier: String,
}

/// One record set a zone holds (filled once providers and zones are planned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// `namespace/name` of the provider.
    pub provider: String,
    /// Zone id.
    pub zone: String,
    /// Record name.
    pub name: String,
    /// Record type.
    #[serde(rename = "type")]
    pub record_type: String,
    /// TTL.
    pub ttl: i64,
    /// Values.
    pub values: Vec<String>,
    /// Set identifier of a routing policy.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub set_identifier: String,
}

/// What the core decides for a world: the entries (given and generated) with their status, the
/// providers, the events, and the changes and records of the zones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Every DNSEntry, given or generated, with its computed status.
    pub entries: Vec<DnsEntry>,
    /// Every DNSProvider.
    pub providers: Vec<DnsProvider>,
    /// Events on sources and entries, in order.
    pub events: Vec<Event>,
    /// Zone changes, in execution order.
    pub changes: Vec<Change>,
    /// Record sets of the zones after the changes.
    pub records: Vec<Record>,
}

/// The DNSAnnotation overlays, by `apiVersion/kind/namespace/name` of the annotated object.
type Overlays<'a> = BTreeMap<(String, String, String, String), &'a DnsAnnotation>;

impl Plan {
    /// Computes the plan of `world` under `config`.
    ///
    /// One bad object never stops the others: its problem becomes a status or an event.
    ///
    /// ```
    /// use shoot_dns::{Config, Plan, World};
    ///
    /// let mut world = World::default();
    /// shoot_dns::manifest::load_str(&mut world, "svc.yaml", "
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: web
    ///   namespace: default
    ///   annotations: {dns.gardener.cloud/dnsnames: web.example.com, dns.gardener.cloud/ttl: '600'}
    /// spec: {type: LoadBalancer}
    /// status: {loadBalancer: {ingress: [{ip: 1.2.3.4}]}}
    /// ")?;
    /// let plan = Plan::compute(&world, &Config::default());
    /// let entry = &plan.entries[0];
    /// assert_eq!(entry.spec.dns_name, "web.example.com");
    /// assert_eq!(entry.spec.ttl, Some(600));
    /// assert_eq!(entry.metadata.generate_name.as_deref(), Some("web-service-"));
    /// assert_eq!(plan.events[0].reason, "DNSEntryCreated");
    /// # Ok::<(), shoot_dns::manifest::ManifestError>(())
    /// ```
    pub fn compute(world: &World, config: &Config) -> Plan {
        let mut plan = Plan::default();
        let mut problems: Vec<_> = world.problems.iter().collect();
        problems.sort_by(|a, b| (&a.object, &a.message).cmp(&(&b.object, &b.message)));
        for problem in problems {
            plan.events.push(Event::warning(
                problem.object.clone(),
                "Invalid",
                problem.message.clone(),
            ));
        }
        let overlays = overlays(world, config);
        let given = latest(
            &world.entries,
            |e| &e.metadata,
            (DNS_API_VERSION, "DNSEntry"),
            &mut plan.events,
        );
        let owner_index = owner_index(&given);
        let mut claimed = vec![false; given.len()];
        // (entry, the source it belongs to)
        let mut entries: Vec<(DnsEntry, Option<ObjectRef>)> = Vec::new();

        let services = latest(
            &world.services,
            |s| &s.metadata,
            ("v1", "Service"),
            &mut plan.events,
        );
        let ingresses = latest(
            &world.ingresses,
            |i| &i.metadata,
            ("networking.k8s.io/v1", "Ingress"),
            &mut plan.events,
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
                    plan.events.extend(events);
                    entries.extend(
                        desired
                            .into_iter()
                            .map(|(e, _)| (e, Some(source_ref.clone()))),
                    );
                }
                Err(error) => {
                    // Nothing changes for the object: its entries stay as they are.
                    plan.events.push(Event::warning(
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
        entries.sort_by(|(a, _), (b, _)| entry_order(a).cmp(&entry_order(b)));

        for (entry, source) in &mut entries {
            if !config.class.matches(entry.metadata.annotation(CLASS)) {
                continue;
            }
            let status = status_of(entry);
            let state = status.state.clone().unwrap_or_default();
            if let (Some(message), false) = (&status.message, state.is_empty()) {
                let event = match source {
                    Some(source) => Event::normal(
                        source.clone(),
                        &format!("DNSEntry{state}"),
                        format!(
                            "{}: {message}",
                            status.dns_name.as_deref().unwrap_or(&entry.spec.dns_name)
                        ),
                    ),
                    None => Event::warning(entry_ref(entry), &state, message.clone()),
                };
                plan.events.push(event);
            }
            entry.status = Some(status);
        }
        plan.entries = entries.into_iter().map(|(e, _)| e).collect();
        let providers = latest(
            &world.providers,
            |p| &p.metadata,
            (DNS_API_VERSION, "DNSProvider"),
            &mut plan.events,
        );
        plan.providers = providers.into_iter().cloned().collect();
        plan
    }
}

enum Input<'a> {
    Service(&'a crate::api::Service),
    Ingress(&'a crate::api::Ingress),
}

/// The objects of one kind in namespace/name order, of each name only the one given last (as a
/// later `kubectl apply` would leave it); each one passed over is reported.
fn latest<'a, T>(
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

fn key(meta: &ObjectMeta) -> (&str, &str) {
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

fn entry_order(entry: &DnsEntry) -> (&str, &str, &str) {
    (
        entry.metadata.namespace_or_default(),
        sources::entry_name(entry),
        entry.spec.dns_name.as_str(),
    )
}

fn entry_ref(entry: &DnsEntry) -> ObjectRef {
    ObjectRef::new(
        DNS_API_VERSION,
        "DNSEntry",
        entry.metadata.namespace_or_default(),
        sources::entry_name(entry),
    )
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

/// The status of an entry as far as the entry alone decides it: `Invalid`/`Error` with the
/// validation message, or the checked name, targets and TTL.
fn status_of(entry: &DnsEntry) -> DnsEntryStatus {
    let has_records = entry
        .status
        .as_ref()
        .and_then(|s| s.targets.as_ref())
        .is_some_and(|t| !t.is_empty());
    let observed_generation = entry.metadata.generation;
    match validate(&entry.spec, has_records) {
        Err(error) => DnsEntryStatus {
            state: Some(
                match error.state() {
                    FailureState::Invalid => "Invalid",
                    FailureState::Error => "Error",
                }
                .to_owned(),
            ),
            message: Some(error.to_string()),
            observed_generation,
            ..DnsEntryStatus::default()
        },
        Ok(valid) => DnsEntryStatus {
            dns_name: Some(valid.dns_name.to_string()),
            targets: Some(
                valid
                    .targets
                    .iter()
                    .map(ToString::to_string)
                    .chain(valid.text.iter().cloned())
                    .collect(),
            )
            .filter(|t: &Vec<String>| !t.is_empty()),
            ttl: valid.ttl.map(|t| i64::from(t.seconds())),
            routing_policy: valid
                .routing_policy
                .filter(|p| !p.set_identifier.is_empty()),
            observed_generation,
            ..DnsEntryStatus::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> Plan {
        let mut world = World::default();
        crate::manifest::load_str(&mut world, "t.yaml", text).unwrap();
        Plan::compute(&world, &Config::default())
    }

    #[test]
    fn the_last_definition_wins() {
        let p = plan(
            "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\nmetadata: {name: e}\nspec: {dnsName: a.example.com, targets: [1.1.1.1]}\n---\napiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\nmetadata: {name: e}\nspec: {dnsName: b.example.com, targets: [1.1.1.1]}\n",
        );
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.entries[0].spec.dns_name, "b.example.com");
        assert_eq!(p.events.len(), 1);
        assert_eq!(
            p.events[0].involved_object.to_string(),
            "DNSEntry default/e"
        );
        assert_eq!(
            p.events[0].message,
            "given more than once: the last definition is used"
        );
    }

    #[test]
    fn invalid_entries_get_state_and_event() {
        let p = plan(
            "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\nmetadata: {name: e}\nspec: {dnsName: a.example.com, targets: [1.1.1.1], text: [x]}\n",
        );
        let status = p.entries[0].status.as_ref().unwrap();
        assert_eq!(status.state.as_deref(), Some("Invalid"));
        let message = "validation failed: cannot specify both targets and text fields";
        assert_eq!(status.message.as_deref(), Some(message));
        assert_eq!(p.events[0].reason, "Invalid");
        assert_eq!(p.events[0].message, message);
    }

    #[test]
    fn feedback_events_reach_the_source() {
        // SVC-19: an entry without targets is Invalid, and the source hears of it.
        let p = plan(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: n, annotations: {dns.gardener.cloud/dnsnames: s.example.com}}\nspec: {type: LoadBalancer}\n",
        );
        let lines: Vec<String> = p
            .events
            .iter()
            .map(|e| format!("{} {} {}", e.involved_object, e.reason, e.message))
            .collect();
        assert_eq!(
            lines,
            [
                "Service n/s DNSEntryCreated s.example.com: created entry s-service- in control plane",
                "Service n/s DNSEntryInvalid s.example.com: no target or text specified",
            ]
        );
    }

    #[test]
    fn other_classes_are_listed_without_status() {
        let p = plan(
            "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\nmetadata: {name: e, annotations: {dns.gardener.cloud/class: other}}\nspec: {dnsName: 'a..b'}\n",
        );
        assert_eq!(p.entries.len(), 1);
        assert!(p.entries[0].status.is_none());
        assert!(p.events.is_empty());
    }
}
