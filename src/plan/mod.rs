//! [`Plan`]: everything the core decides for one [`World`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

mod annotations;
mod changes;
mod entries;
mod planner;
mod providers;
mod recorded;
mod sources;

use crate::DnsName;
use crate::api::{
    DNS_API_VERSION, DnsAnnotation, DnsEntry, DnsEntryStatus, DnsProvider, ObjectRef,
};
use crate::config::Config;
use crate::events::Event;
use crate::id::{EntryId, ZoneId};
use crate::world::World;
pub use crate::zones::Change;
use crate::zones::{Observed, Ownership};
use changes::{Item, ZoneOutcome};
use entries::Decision;
pub use planner::{
    AnnotationStatusUpdate, ChangeSet, EntryWrite, FinalizerRelease, Planner, ProviderStatusUpdate,
    StatusUpdate,
};
use providers::Providers;
pub use recorded::{ownership_from_status, wants_entry_finalizer};

/// One record set a zone holds (filled once providers and zones are planned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// `namespace/name` of the provider.
    pub provider: String,
    /// Zone id.
    pub zone: ZoneId,
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
    /// Every DNSAnnotation, with its computed status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<DnsAnnotation>,
    /// Events on sources and entries, in order.
    pub events: Vec<Event>,
    /// Zone changes, in execution order.
    pub changes: Vec<Change>,
    /// Record sets of the zones after the changes.
    pub records: Vec<Record>,
    /// What each entry owns once the changes are made (for the state an adapter keeps).
    #[serde(skip)]
    pub owned: BTreeMap<EntryId, Ownership>,
    /// Host names to resolve before the entries that target them can be planned: an adapter
    /// resolves them into [`Observed::resolved`] and plans again.
    #[serde(skip)]
    pub lookups: BTreeSet<DnsName>,
}

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
        let mut reconciled = BTreeMap::new();
        let mut entries = sources::entries(world, config, &mut plan.events, &mut reconciled);
        let overlays = sources::overlays(world, config);
        let given = sources::latest(
            &world.annotations,
            |a| &a.metadata,
            (DNS_API_VERSION, "DNSAnnotation"),
            &mut plan.events,
        );
        plan.annotations = annotations::statuses(
            given.into_iter(),
            |target| {
                overlays
                    .get(target)
                    .map(|a| sources::key_owned(&a.metadata))
            },
            |target| reconciled.get(target).copied(),
            config,
            &mut plan.events,
        );
        entries.sort_by(|(a, _, _), (b, _, _)| entry_order(a).cmp(&entry_order(b)));
        let (providers, listed) = providers::providers(world, config, &mut plan.events);
        plan.providers = listed;

        let mut positions = Vec::with_capacity(entries.len());
        let mut items = Vec::with_capacity(entries.len());
        for (position, (entry, _, previous)) in entries.iter().enumerate() {
            if !config.plans(entry) {
                continue;
            }
            let id = entry_id(entry);
            let keep = entries::full_ignore(entry).is_some();
            let owned = owned_as_planned(world.observed.owned.get(&id), keep);
            let decision = entries::decide(
                entry,
                previous.as_deref(),
                owned.as_deref(),
                &providers,
                &world.observed,
                &mut plan.lookups,
            );
            let status = match &decision {
                Decision::Hold(status) | Decision::Release(status) => Some((**status).clone()),
                _ => None,
            };
            let created = entry.metadata.creation_timestamp.clone();
            positions.push(position);
            items.push(Item {
                id,
                created,
                decision,
                owned,
                status,
            });
        }
        let orphans = orphans(&world.observed.owned, &items);
        let outcome = changes::plan_zones(&mut items, &orphans, &world.observed, &providers);
        for (position, item) in positions.into_iter().zip(items) {
            let (entry, source, previous) = &mut entries[position];
            if let Some(status) = item.status {
                // As the controller does (docs/sources.md §3.0.7, dedup recorder): a state and
                // message already reported are not reported again.
                let previous = previous.as_deref();
                let unchanged = previous
                    .is_some_and(|p| p.state == status.state && p.message == status.message);
                if !unchanged {
                    plan.events
                        .extend(status_event(entry, source.as_ref(), &status));
                }
                entry.status = Some(status);
            }
        }
        // Entries the plan gave no status (other classes, DNSEntry sources) show theirs.
        plan.entries = entries
            .into_iter()
            .map(|(mut e, _, previous)| {
                if e.status.is_none() {
                    e.status = previous.map(std::borrow::Cow::into_owned);
                }
                e
            })
            .collect();
        sources::mirror_replicated(&mut plan.entries);
        report_deleting_providers(&mut plan, &world.observed);
        plan.records = records_after(&world.observed, &outcome, &providers);
        plan.changes = outcome.changes;
        plan.owned = outcome.owned;
        plan
    }
}

/// An ownership as the plan weighs it: a fully ignored entry keeps its records when it goes.
fn owned_as_planned(
    owned: Option<&Ownership>,
    keep: bool,
) -> Option<std::borrow::Cow<'_, Ownership>> {
    owned.map(|o| {
        if o.keep_on_delete == keep {
            std::borrow::Cow::Borrowed(o)
        } else {
            std::borrow::Cow::Owned(Ownership {
                keep_on_delete: keep,
                ..o.clone()
            })
        }
    })
}

/// The ownerships of entries that are gone, except those of fully ignored ones, which leave
/// their records to nobody (docs/entries-and-providers.md §4.3).
fn orphans<'a>(
    owned: &'a BTreeMap<EntryId, Ownership>,
    items: &[Item<'_>],
) -> Vec<(&'a EntryId, &'a Ownership)> {
    let ids: BTreeSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
    owned
        .iter()
        .filter(|(id, owned)| !ids.contains(id.as_str()) && !owned.keep_on_delete)
        .collect()
}

/// The order of entries in a plan: namespace, name (or `generateName`), DNS name.
pub(super) fn entry_order(entry: &DnsEntry) -> (&str, &str, &str) {
    (
        entry.metadata.namespace_or_default(),
        crate::sources::entry_name(entry),
        entry.spec.dns_name.as_str(),
    )
}

pub(super) fn entry_ref(entry: &DnsEntry) -> ObjectRef {
    ObjectRef::new(
        DNS_API_VERSION,
        "DNSEntry",
        entry.metadata.namespace_or_default(),
        crate::sources::entry_name(entry),
    )
}

/// The id under which an entry's ownership is kept ([`EntryId`]): `namespace/name` for a given
/// entry; for an entry a source generates, `namespace/generateName[dnsName]`, also once an API
/// server has named it (an entry with a `generateName` and a source as owner, by reference or
/// by the owners annotation), so that what it owns never depends on the name the server chose
/// (COMPATIBILITY.md#generated-entry-identity). The entries of an Istio Gateway end in
/// `@networking.istio.io`, as their `generateName` (`<name>-gateway-`) is the one a Gateway API
/// Gateway of the same name gives its entries.
pub fn entry_id(entry: &DnsEntry) -> EntryId {
    let meta = &entry.metadata;
    let namespace = meta.namespace_or_default();
    let generated = meta.generate_name.as_ref().is_some_and(|_| {
        !meta.owner_references.is_empty()
            || crate::sources::annotated_owners(entry).next().is_some()
    });
    match (&meta.name, &meta.generate_name) {
        (Some(name), _) if !generated => EntryId::given(namespace, name),
        (_, prefix) => {
            let istio = "networking.istio.io";
            let by_reference = (meta.owner_references.first()).map(|o| {
                o.api_version
                    .split_once('/')
                    .is_some_and(|(g, _)| g == istio)
            });
            let of_istio = by_reference.unwrap_or_else(|| {
                crate::sources::annotated_owners(entry)
                    .next()
                    .is_some_and(|o| o.group == istio)
            });
            let prefix = prefix.as_deref().unwrap_or("");
            EntryId::generated(namespace, prefix, &entry.spec.dns_name, of_istio)
        }
    }
}

/// The event a status gives: on the source object for generated entries (`DNSEntry<State>`,
/// `<dnsName>: <message>`), on the entry itself otherwise.
fn status_event(
    entry: &DnsEntry,
    source: Option<&ObjectRef>,
    status: &DnsEntryStatus,
) -> Option<Event> {
    let state = status.state.as_deref().filter(|s| !s.is_empty())?;
    let message = status.message.as_deref()?;
    Some(match source {
        Some(source) => Event::normal(
            source.clone(),
            &format!("DNSEntry{state}"),
            format!(
                "{}: {message}",
                status.dns_name.as_deref().unwrap_or(&entry.spec.dns_name)
            ),
        ),
        None if matches!(state, "Ready" | "Pending" | "Ignored") => {
            Event::normal(entry_ref(entry), state, message.to_owned())
        }
        None => Event::warning(entry_ref(entry), state, message.to_owned()),
    })
}

/// docs/entries-and-providers.md §4.6: a provider being deleted while entries still own records
/// through it says so.
fn report_deleting_providers(plan: &mut Plan, observed: &Observed) {
    let mut assigned: BTreeMap<&str, usize> = BTreeMap::new();
    for owned in observed.owned.values().filter(|o| !o.keys.is_empty()) {
        *assigned.entry(owned.provider.as_str()).or_default() += 1;
    }
    for provider in &mut plan.providers {
        let key = provider.metadata.key();
        let count = assigned.get(key.as_str()).copied().unwrap_or(0);
        report_deleting(provider, count);
    }
}

/// A provider being deleted while `count` entries still own records through it says so in its
/// status message.
pub(super) fn report_deleting(provider: &mut DnsProvider, count: usize) {
    if let (true, Some(status)) = (
        provider.metadata.is_deleting() && count > 0,
        &mut provider.status,
    ) {
        status.message = Some(format!(
            "cannot delete provider, {count} DNSEntries still assigned to it"
        ));
    }
}

/// The record sets the zones hold once the changes are made, each with the provider that serves
/// its zone.
fn records_after(observed: &Observed, outcome: &ZoneOutcome, providers: &Providers) -> Vec<Record> {
    // Only the zones the changes touch are copied.
    let mut touched: BTreeMap<&str, crate::zones::ZoneRecords> = BTreeMap::new();
    for change in &outcome.changes {
        let zone = touched.entry(change.zone.as_str()).or_insert_with(|| {
            observed
                .zones
                .get(&change.zone)
                .cloned()
                .unwrap_or_default()
        });
        change.apply_to(zone);
    }
    let mut served_by: BTreeMap<&str, &str> = BTreeMap::new();
    for state in providers.states.values() {
        for zone in &state.selection.zones {
            served_by
                .entry(zone.id.as_str())
                .or_insert(state.key.as_str());
        }
    }
    for owned in observed.owned.values().chain(outcome.owned.values()).rev() {
        if !served_by.contains_key(owned.zone.as_str()) {
            served_by.insert(owned.zone.as_str(), owned.provider.as_str());
        }
    }
    let zones = observed
        .zones
        .iter()
        .filter(|(id, _)| !touched.contains_key(id.as_str()))
        .map(|(id, sets)| (id.as_str(), sets))
        .chain(touched.iter().map(|(id, sets)| (*id, sets)));
    let mut records = Vec::new();
    for (zone, sets) in zones {
        let provider = served_by.get(zone).copied().unwrap_or("");
        for (key, set) in sets {
            records.push(Record {
                provider: provider.to_owned(),
                zone: ZoneId::from(zone),
                name: key.owner.dns_name.to_string(),
                record_type: key.record_type.to_string(),
                ttl: i64::from(set.ttl),
                values: set.values.clone(),
                set_identifier: key.owner.set_identifier.clone(),
            });
        }
    }
    records.sort_by(|a, b| {
        (
            &a.provider,
            &a.zone,
            &a.name,
            &a.record_type,
            &a.set_identifier,
        )
            .cmp(&(
                &b.provider,
                &b.zone,
                &b.name,
                &b.record_type,
                &b.set_identifier,
            ))
    });
    records
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
        assert_eq!(p.events.len(), 2);
        assert_eq!(p.events[1].message, "No responsible provider found");
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
