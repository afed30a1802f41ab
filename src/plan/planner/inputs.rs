//! The planner's inputs: objects and observations, and what each change marks for the steps.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use std::ops::Bound;

use crate::DnsName;
use crate::annotations::CLASS;
use crate::api::{DnsAnnotation, DnsEntry, HttpRoute, VirtualService};
use crate::id::{EntryId, ZoneId};
use crate::provider::HostedZone;
use crate::records::RecordSet;
use crate::sources::{self, SourceKind};
use crate::world::{Object, ObjectKind};
use crate::zones::{
    Action, Change, ChangeOutcome, Observed, Ownership, RecordKey, Registry, ZoneRecords,
};

use super::super::sources::{gateway_kind, istio_kind};
use super::{EntryRef, Key, Planner, Producer, SourceKey, Target, key_of};

impl Planner {
    /// An object was created or changed (it replaces the one of the same kind, namespace and
    /// name).
    pub fn handle_applied(&mut self, object: Object) {
        let key = key_of(object.metadata());
        self.replace(object.kind(), key, Some(object));
    }

    /// An object was deleted (only its kind, namespace and name are read).
    pub fn handle_deleted(&mut self, object: &Object) {
        self.replace(object.kind(), key_of(object.metadata()), None);
    }

    /// Puts `new` in the place of the object of `kind` at `key` (`None`: deletes it), and marks
    /// what depends on it.
    fn replace(&mut self, kind: ObjectKind, key: Key, new: Option<Object>) {
        macro_rules! swap {
            ($map:ident, $variant:ident) => {{
                let new = match new {
                    Some(Object::$variant(o)) => Some(o),
                    _ => None,
                };
                match swap(&mut self.$map, &key, new) {
                    Some(old) => old,
                    None => return,
                }
            }};
        }
        match kind {
            ObjectKind::Service => {
                swap!(services, Service);
                self.source_changed(SourceKey::new(SourceKind::Service, key));
                self.istio_targets_changed();
            }
            ObjectKind::Ingress => {
                swap!(ingresses, Ingress);
                self.source_changed(SourceKey::new(SourceKind::Ingress, key));
                self.istio_targets_changed();
            }
            ObjectKind::DnsEntry => {
                let old = swap!(given, DnsEntry);
                self.given_entry_changed(key, old);
            }
            ObjectKind::DnsProvider => {
                swap!(providers, DnsProvider);
                self.dirty_providers.insert(key);
            }
            ObjectKind::DnsAnnotation => {
                let old = swap!(annotations, DnsAnnotation);
                self.annotation_changed(&key, old);
            }
            ObjectKind::Secret => {
                swap!(secrets, Secret);
                self.secret_changed(&key);
            }
            ObjectKind::GatewayApiGateway => {
                let old = swap!(gateways, GatewayApiGateway);
                let versions = (old.iter().map(|g| gateway_kind(&g.api_version)))
                    .chain((self.gateways.get(&key)).map(|g| gateway_kind(&g.api_version)));
                for kind in versions.collect::<BTreeSet<_>>() {
                    self.source_changed(SourceKey::new(kind, key.clone()));
                }
            }
            ObjectKind::IstioGateway => {
                let old = swap!(istio_gateways, IstioGateway);
                let versions = (old.iter().map(|g| istio_kind(&g.api_version)))
                    .chain((self.istio_gateways.get(&key)).map(|g| istio_kind(&g.api_version)));
                for kind in versions.collect::<BTreeSet<_>>() {
                    self.source_changed(SourceKey::new(kind, key.clone()));
                }
            }
            ObjectKind::HttpRoute => {
                let old = swap!(http_routes, HttpRoute);
                let bound = |r: &HttpRoute| {
                    let kind = gateway_kind(&r.api_version);
                    let parents = sources::route_parents(r).into_iter();
                    parents
                        .map(move |p| SourceKey::new(kind, p))
                        .collect::<Vec<_>>()
                };
                let before = old.as_ref().map(bound).unwrap_or_default();
                let after = self.http_routes.get(&key).map(bound).unwrap_or_default();
                rebind(&mut self.routes_of, &key, &before, &after);
                self.dirty_sources.extend(before.into_iter().chain(after));
            }
            ObjectKind::VirtualService => {
                let old = swap!(virtual_services, VirtualService);
                let bound = |v: &VirtualService| {
                    let kind = istio_kind(&v.api_version);
                    let gateways = sources::virtual_service_gateways(v).into_iter();
                    gateways
                        .map(move |g| SourceKey::new(kind, g))
                        .collect::<Vec<_>>()
                };
                let before = old.as_ref().map(bound).unwrap_or_default();
                let after = (self.virtual_services.get(&key))
                    .map(bound)
                    .unwrap_or_default();
                rebind(&mut self.virtual_services_of, &key, &before, &after);
                self.dirty_sources.extend(before.into_iter().chain(after));
            }
        }
    }

    /// A Service or Ingress changed: the Istio Gateways whose targets they may give are
    /// reconciled again.
    fn istio_targets_changed(&mut self) {
        let gateways = self.istio_gateways.iter();
        let keys: Vec<SourceKey> = gateways
            .map(|(key, g)| SourceKey::new(istio_kind(&g.api_version), key.clone()))
            .collect();
        self.dirty_sources.extend(keys);
    }

    /// A (re)list of one kind: these are now all the objects of that kind; objects of the
    /// kind that are not listed were deleted. Objects of other kinds are ignored.
    pub fn handle_relisted(&mut self, kind: ObjectKind, objects: Vec<Object>) {
        let listed: BTreeSet<Key> = objects
            .iter()
            .filter(|o| o.kind() == kind)
            .map(|o| key_of(o.metadata()))
            .collect();
        let gone: Vec<Object> = self
            .objects_of(kind)
            .into_iter()
            .filter(|o| !listed.contains(&key_of(o.metadata())))
            .collect();
        for object in &gone {
            self.handle_deleted(object);
        }
        for object in objects.into_iter().filter(|o| o.kind() == kind) {
            self.handle_applied(object);
        }
    }

    /// An entry generated by an earlier plan, as the adapter keeps it (in a cluster: a
    /// DNSEntry owned by a source), was written or changed.
    pub fn handle_generated(&mut self, entry: DnsEntry) {
        let id = super::super::entry_id(&entry);
        if self.generated.get(&id) != Some(&entry) {
            let old = self.generated.insert(id.clone(), entry);
            self.index_owners(EntryRef::Generated(id), old.as_ref());
        }
    }

    /// A generated entry is gone.
    pub fn handle_generated_deleted(&mut self, entry: &DnsEntry) {
        let id = super::super::entry_id(entry);
        if let Some(old) = self.generated.remove(&id) {
            self.index_owners(EntryRef::Generated(id), Some(&old));
        }
    }

    /// What a zone holds now (replacing what it was said to hold).
    pub fn handle_zone(&mut self, zone: &str, records: ZoneRecords) {
        let old = self.observed.zones.remove(zone).unwrap_or_default();
        for (key, set) in &old {
            if records.get(key) != Some(set) {
                self.dirty_names.insert(key.owner.dns_name.clone());
            }
        }
        for (key, set) in &records {
            if old.get(key) != Some(set) {
                self.dirty_names.insert(key.owner.dns_name.clone());
            }
        }
        if !records.is_empty() {
            self.observed.zones.insert(ZoneId::from(zone), records);
        }
    }

    /// One record set of a zone now holds `set` (`None`: it is gone).
    pub fn handle_record(&mut self, zone: &str, key: RecordKey, set: Option<RecordSet>) {
        let records = self.observed.zones.entry(ZoneId::from(zone)).or_default();
        let name = key.owner.dns_name.clone();
        let changed = match set {
            Some(set) => records.insert(key, set.clone()).as_ref() != Some(&set),
            None => records.remove(&key).is_some(),
        };
        if records.is_empty() {
            self.observed.zones.remove(zone);
        }
        if changed {
            self.dirty_names.insert(name);
        }
    }

    /// A finalizer release handed out by [`Planner::poll_finalizer`] that the driver did not
    /// act on (it did not know yet what the entry owns, and has told the planner since): it is
    /// judged again and handed out again if it still holds.
    pub fn handle_release_withheld(&mut self, object: &crate::api::ObjectRef) {
        self.released.remove(object);
    }

    /// What an entry id owns now (`None`: nothing).
    pub fn handle_owned(&mut self, id: &EntryId, owned: Option<Ownership>) {
        let old = match owned {
            Some(owned) => self.observed.owned.insert(id.to_owned(), owned),
            None => self.observed.owned.remove(id),
        };
        if old.as_ref() != self.observed.owned.get(id) {
            let new = self.observed.owned.get(id);
            let holder = |o: Option<&Ownership>| {
                o.filter(|o| !o.keys.is_empty()).map(|o| o.provider.clone())
            };
            let (was, is) = (holder(old.as_ref()), holder(new));
            if was != is {
                if let Some(provider) = was {
                    let count = self.owned_count.entry(provider.clone()).or_default();
                    *count = count.saturating_sub(1);
                    if *count == 0 {
                        self.owned_count.remove(&provider);
                    }
                    self.provider_status_changed(&provider);
                }
                if let Some(provider) = is {
                    *self.owned_count.entry(provider.clone()).or_default() += 1;
                    self.provider_status_changed(&provider);
                }
            }
            for key in old.iter().flat_map(|o| o.keys.iter()) {
                let domain = super::steps::reversed(key.owner.dns_name.as_str());
                super::steps::remove_from(&mut self.by_owned_domain, &domain, id);
            }
            for key in self
                .observed
                .owned
                .get(id)
                .iter()
                .flat_map(|o| o.keys.iter())
            {
                let domain = super::steps::reversed(key.owner.dns_name.as_str());
                (self.by_owned_domain.entry(domain).or_default()).insert(id.to_owned());
            }
            self.dirty_entries.insert(id.to_owned());
        }
    }

    /// What became of one change a driver executed (taken from [`Planner::poll_change_set`]):
    /// a change that was made is now in the zone; what entries own afterwards is settled by
    /// [`Planner::handle_settled`], by the rules of [`Registry`] (a failed create is not
    /// owned, a failed delete stays owned under the leftover id of its entry in that zone).
    pub fn handle_executed(&mut self, change: &Change, outcome: &ChangeOutcome) {
        if self.registry.is_none() {
            // What every id owns once all its planned changes are made, as planned before
            // this round of execution.
            self.flush();
            self.registry = Some(Registry::new(self.planned_owned()));
            self.unsettled = (self.outcomes.iter())
                .filter(|(_, o)| !o.changes.is_empty())
                .map(|(id, _)| id.clone())
                .collect();
        }
        if let Some(registry) = &mut self.registry {
            registry.record(change, outcome);
        }
        if outcome.is_applied() {
            let set = (change.action != Action::Delete)
                .then(|| change.new_set.clone())
                .flatten();
            self.handle_record(change.zone.as_str(), change.key(), set);
        }
    }

    /// Hands out the changes planned for `id` again at the next [`Planner::poll_change_set`], if
    /// it has any: a driver retries changes that failed (after a backoff), or that it held back
    /// (their zone was not read yet). Changes are otherwise handed out only when they change.
    pub fn handle_retry(&mut self, id: &EntryId) {
        self.flush();
        if self.outcomes.get(id).is_some_and(|o| !o.changes.is_empty()) {
            self.change_sets.insert(id.clone());
        }
    }

    /// Why a change taken in this round must not be executed, if it must not: an earlier
    /// delete of its record set failed in this round, so the record set is not free to take
    /// ([`Registry::blocked`]). Feed the failure as the change's outcome instead.
    #[must_use]
    pub fn blocked(&self, change: &Change) -> Option<crate::zones::ChangeFailure> {
        self.registry.as_ref().and_then(|r| r.blocked(change))
    }

    /// Every change taken in this round has been executed and its outcome fed with
    /// [`Planner::handle_executed`]: what each id owns is now what the plan said it would own,
    /// less what failed ([`Registry`]). Ownership follows the plan where no change was needed
    /// too (the keep-on-delete flag of a fully ignored entry, the provider that now serves a
    /// zone, record sets left under a leftover id).
    ///
    /// Changes handed out but not executed in the round (a driver held them back: their zone
    /// was not read, or the entry's status could not record them first) are not made: what
    /// their ids own, and what they leave behind, stays as observed, and the changes come
    /// again with [`Planner::handle_retry`].
    pub fn handle_settled(&mut self) {
        self.flush();
        // Changes to make when the round started, or now: those not executed are held.
        let mut unsettled = std::mem::take(&mut self.unsettled);
        unsettled.extend(
            (self.outcomes.iter())
                .filter(|(_, o)| !o.changes.is_empty())
                .map(|(id, _)| id.clone()),
        );
        let (mut owned, executed) = match self.registry.take() {
            Some(registry) => {
                let changed = registry.note_failures(&mut self.observed.failures);
                self.dirty_entries.extend(changed);
                let executed: BTreeSet<EntryId> = (unsettled.iter())
                    .filter(|id| registry.executed(id))
                    .cloned()
                    .collect();
                (registry.into_owned(), executed)
            }
            None => (self.planned_owned(), BTreeSet::new()),
        };
        let held: Vec<EntryId> = (unsettled.into_iter())
            .filter(|id| !executed.contains(id))
            .collect();
        for id in held {
            let prefix = id.leftover_prefix();
            let from = (Bound::Included(prefix.as_str()), Bound::Unbounded);
            let below = |other: &&EntryId| other.as_str().starts_with(&prefix);
            let leftovers: Vec<EntryId> = (owned.range::<str, _>(from).map(|(k, _)| k))
                .take_while(below)
                .chain(
                    (self.observed.owned.range::<str, _>(from).map(|(k, _)| k)).take_while(below),
                )
                .cloned()
                .collect();
            for id in std::iter::once(id).chain(leftovers) {
                match self.observed.owned.get(&id) {
                    Some(observed) => owned.insert(id, observed.clone()),
                    None => owned.remove(&id),
                };
            }
        }
        let ids: BTreeSet<EntryId> = (owned.keys())
            .chain(self.observed.owned.keys())
            .cloned()
            .collect();
        for id in ids {
            if self.observed.owned.get(&id) != owned.get(&id) {
                self.handle_owned(&id, owned.get(&id).cloned());
            }
        }
    }

    /// The status of `provider` (`namespace/name`) may have changed.
    fn provider_status_changed(&mut self, provider: &str) {
        if let Some((namespace, name)) = provider.split_once('/') {
            (self.dirty_provider_statuses).insert((namespace.to_owned(), name.to_owned()));
        }
    }

    /// The answer to a lookup handed out by [`Planner::poll_lookup`] (or one the driver made
    /// itself), at `now` (seconds): the addresses of `host` (`None`: it has none). The host is
    /// looked up again once the `cnameLookupInterval` of the entries that use it has passed.
    pub fn handle_lookup(&mut self, host: DnsName, addresses: Option<Vec<IpAddr>>, now: u64) {
        self.handed_out.remove(&host);
        self.answered_at.insert(host.clone(), now);
        self.handle_resolved(host, addresses);
    }

    /// The addresses of a host name target (`None`: not known).
    pub fn handle_resolved(&mut self, host: DnsName, addresses: Option<Vec<IpAddr>>) {
        let old = match addresses {
            Some(addresses) => self.observed.resolved.insert(host.clone(), addresses),
            None => self.observed.resolved.remove(&host),
        };
        if old.as_ref() != self.observed.resolved.get(&host) {
            let ids = self.by_host.get(&host).into_iter().flatten().cloned();
            self.dirty_entries.extend(ids);
        }
    }

    /// The hosted zones of a provider (`namespace/name`), overriding its configuration
    /// (`None`: as its configuration says).
    pub fn handle_hosted_zones(&mut self, provider: &str, zones: Option<Vec<HostedZone>>) {
        match zones {
            Some(zones) => self
                .observed
                .hosted_zones
                .insert(provider.to_owned(), zones),
            None => self.observed.hosted_zones.remove(provider),
        };
        if let Some((namespace, name)) = provider.split_once('/') {
            self.dirty_providers
                .insert((namespace.to_owned(), name.to_owned()));
        }
    }

    /// Everything observed is now `observed`: each zone, ownership, lookup answer, hosted
    /// zone list, execution failure and generated entry that differs from what the planner held is handled as if
    /// reported on its own.
    pub fn handle_observed(&mut self, observed: &Observed) {
        let zones: BTreeSet<ZoneId> = (self.observed.zones.keys())
            .chain(observed.zones.keys())
            .cloned()
            .collect();
        for zone in zones {
            if self.observed.zones.get(&zone) != observed.zones.get(&zone) {
                let records = observed.zones.get(&zone).cloned().unwrap_or_default();
                self.handle_zone(zone.as_str(), records);
            }
        }
        let ids: BTreeSet<EntryId> = (self.observed.owned.keys())
            .chain(observed.owned.keys())
            .cloned()
            .collect();
        for id in ids {
            self.handle_owned(&id, observed.owned.get(&id).cloned());
        }
        let hosts: BTreeSet<DnsName> = (self.observed.resolved.keys())
            .chain(observed.resolved.keys())
            .cloned()
            .collect();
        for host in hosts {
            let addresses = observed.resolved.get(&host).cloned();
            self.handle_resolved(host, addresses);
        }
        let providers: BTreeSet<String> = (self.observed.hosted_zones.keys())
            .chain(observed.hosted_zones.keys())
            .cloned()
            .collect();
        for provider in providers {
            if self.observed.hosted_zones.get(&provider) != observed.hosted_zones.get(&provider) {
                let zones = observed.hosted_zones.get(&provider).cloned();
                self.handle_hosted_zones(&provider, zones);
            }
        }
        if self.observed.failures != observed.failures {
            let ids: BTreeSet<EntryId> = (self.observed.failures.keys())
                .chain(observed.failures.keys())
                .filter(|id| observed.failures.get(*id) != self.observed.failures.get(*id))
                .cloned()
                .collect();
            self.dirty_entries.extend(ids);
            self.observed.failures.clone_from(&observed.failures);
        }
        let generated: BTreeMap<EntryId, &DnsEntry> = (observed.generated.iter())
            .map(|e| (super::super::entry_id(e), e))
            .collect();
        let gone: Vec<DnsEntry> = (self.generated.iter())
            .filter(|(id, _)| !generated.contains_key(*id))
            .map(|(_, e)| e.clone())
            .collect();
        for entry in &gone {
            self.handle_generated_deleted(entry);
        }
        for entry in generated.into_values() {
            self.handle_generated(entry.clone());
        }
    }

    fn objects_of(&self, kind: ObjectKind) -> Vec<Object> {
        fn all<T: Clone>(map: &BTreeMap<Key, T>, wrap: fn(T) -> Object) -> Vec<Object> {
            map.values().cloned().map(wrap).collect()
        }
        match kind {
            ObjectKind::Service => all(&self.services, Object::Service),
            ObjectKind::Ingress => all(&self.ingresses, Object::Ingress),
            ObjectKind::DnsEntry => all(&self.given, Object::DnsEntry),
            ObjectKind::DnsProvider => all(&self.providers, Object::DnsProvider),
            ObjectKind::DnsAnnotation => all(&self.annotations, Object::DnsAnnotation),
            ObjectKind::Secret => all(&self.secrets, Object::Secret),
            ObjectKind::GatewayApiGateway => all(&self.gateways, Object::GatewayApiGateway),
            ObjectKind::HttpRoute => all(&self.http_routes, Object::HttpRoute),
            ObjectKind::IstioGateway => all(&self.istio_gateways, Object::IstioGateway),
            ObjectKind::VirtualService => all(&self.virtual_services, Object::VirtualService),
        }
    }

    fn source_changed(&mut self, source: SourceKey) {
        // Which source claims an entry depends on which sources exist (and their uid).
        let refs = self.owner_index.get(&source).into_iter().flatten().cloned();
        self.dirty_refs.extend(refs);
        self.dirty_sources.insert(source);
    }

    fn given_entry_changed(&mut self, key: Key, old: Option<DnsEntry>) {
        // A DNSEntry that is (or was) a source is reconciled as one.
        let was_source = old.as_ref().is_some_and(|e| self.config.is_entry_source(e));
        let is_source = (self.given.get(&key)).is_some_and(|e| self.config.is_entry_source(e));
        if was_source || is_source {
            self.source_changed(SourceKey::new(SourceKind::DnsEntry, key.clone()));
        }
        let mut ids = Vec::new();
        if let Some(old) = &old {
            let id = super::super::entry_id(old);
            if let Some(keys) = self.given_ids.get_mut(&id) {
                keys.retain(|k| *k != key);
                if keys.is_empty() {
                    self.given_ids.remove(&id);
                }
            }
            ids.push(id);
        }
        let gone = !self.given.contains_key(&key);
        if let Some(entry) = self.given.get(&key) {
            let id = super::super::entry_id(entry);
            let keys = self.given_ids.entry(id.clone()).or_default();
            if !keys.contains(&key) {
                keys.push(key.clone());
            }
            ids.push(id);
        }
        for id in ids {
            // A generated entry of the same id is shadowed by the given one, or no longer; the
            // given entries sharing the id may stand for it now, or no longer.
            for other in self.given_ids.get(&id).into_iter().flatten() {
                self.dirty_refs.insert(EntryRef::Given(other.clone()));
            }
            if gone {
                self.drop_slot(&id, &Producer::Unclaimed(key.clone()));
            }
            self.dirty_refs.insert(EntryRef::Generated(id));
        }
        if let Some(old) = old.as_ref().filter(|_| gone) {
            self.shadowed.remove(&key);
            self.released.remove(&super::super::entry_ref(old));
            // Its sources may make the entry they waited for (COMPATIBILITY.md#deleting-entry).
            self.dirty_sources.extend(owners(old));
        }
        self.index_owners(EntryRef::Given(key), old.as_ref());
    }

    /// Re-indexes the owners an entry names after it changed from `old`, and marks it.
    fn index_owners(&mut self, entry: EntryRef, old: Option<&DnsEntry>) {
        if let Some(old) = old {
            for owner in owners(old) {
                if let Some(set) = self.owner_index.get_mut(&owner) {
                    set.remove(&entry);
                    if set.is_empty() {
                        self.owner_index.remove(&owner);
                    }
                }
            }
        }
        let new = match &entry {
            EntryRef::Given(key) => self.given.get(key),
            EntryRef::Generated(id) => self.generated.get(id),
        };
        for owner in new.map(owners).unwrap_or_default() {
            self.owner_index
                .entry(owner)
                .or_default()
                .insert(entry.clone());
        }
        self.dirty_refs.insert(entry);
    }

    fn annotation_changed(&mut self, key: &Key, old: Option<DnsAnnotation>) {
        if let Some(old) = &old {
            let target = overlay_target(old);
            self.dirty_annotation_targets.insert(target.clone());
            if let Some(set) = self.overlays.get_mut(&target) {
                set.retain(|(_, k)| k != key);
                if set.is_empty() {
                    self.overlays.remove(&target);
                }
            }
            if let Some(source) = SourceKey::of_target(&target) {
                self.dirty_sources.insert(source);
            }
        }
        if !self.annotations.contains_key(key) {
            // A DNSAnnotation that is gone has no status to write.
            self.annotation_statuses.remove(key);
        }
        if let Some(new) = self.annotations.get(key) {
            let target = overlay_target(new);
            self.dirty_annotation_targets.insert(target.clone());
            let ours = (self.config.source.source_class).matches(new.metadata.annotation(CLASS));
            if ours && let Some(event) = super::super::annotations::no_source(new) {
                self.events.push_back(super::Queued::Event(event));
            }
            if ours {
                let created = new.metadata.creation_timestamp.clone();
                (self.overlays.entry(target.clone()).or_default()).insert((created, key.clone()));
            }
            if let Some(source) = SourceKey::of_target(&target) {
                self.dirty_sources.insert(source);
            }
        }
    }

    fn secret_changed(&mut self, (namespace, name): &Key) {
        let start = (namespace.clone(), String::new());
        let providers = self
            .providers
            .range(start..)
            .take_while(|(k, _)| &k.0 == namespace);
        let using: Vec<Key> = providers
            .filter(|(_, p)| p.spec.secret_ref.as_ref().is_some_and(|r| &r.name == name))
            .map(|(k, _)| k.clone())
            .collect();
        self.dirty_providers.extend(using);
    }
}

/// The object a DNSAnnotation annotates: apiVersion, kind, namespace, name.
pub(super) fn overlay_target(annotation: &DnsAnnotation) -> Target {
    let r = &annotation.spec.resource_ref;
    (
        r.api_version.clone(),
        r.kind.clone(),
        r.namespace.clone().unwrap_or_default(),
        r.name.clone(),
    )
}

/// The sources an entry names as owner (owner references, owners annotation).
pub(super) fn owners(entry: &DnsEntry) -> Vec<SourceKey> {
    let namespace = entry.metadata.namespace_or_default();
    let by_reference = (entry.metadata.owner_references.iter()).filter_map(|o| {
        let kind = SourceKind::of(&o.api_version, &o.kind)?;
        Some(SourceKey::new(kind, (namespace.to_owned(), o.name.clone())))
    });
    let annotated = sources::annotated_owners(entry).flat_map(|o| {
        (SourceKind::ALL.into_iter())
            .filter(move |k| k.group() == o.group && k.kind() == o.kind)
            .map(move |k| SourceKey::new(k, (o.namespace.to_owned(), o.name.to_owned())))
    });
    let mut owners: Vec<SourceKey> = by_reference.chain(annotated).collect();
    owners.sort();
    owners.dedup();
    owners
}

/// Replaces the value at `key` by `new`; `Some(old)` if that changed anything, `None` if not.
fn swap<T: PartialEq>(map: &mut BTreeMap<Key, T>, key: &Key, new: Option<T>) -> Option<Option<T>> {
    if map.get(key) == new.as_ref() {
        return None;
    }
    Some(match new {
        Some(new) => map.insert(key.clone(), new),
        None => map.remove(key),
    })
}

/// Moves a binding object (`key`) from the Gateways `before` to the Gateways `after`.
fn rebind(
    index: &mut BTreeMap<SourceKey, BTreeSet<Key>>,
    key: &Key,
    before: &[SourceKey],
    after: &[SourceKey],
) {
    for gateway in before {
        if let Some(set) = index.get_mut(gateway) {
            set.remove(key);
            if set.is_empty() {
                index.remove(gateway);
            }
        }
    }
    for gateway in after {
        index
            .entry(gateway.clone())
            .or_default()
            .insert(key.clone());
    }
}
