//! The steps of the planner: each recomputes what a change marked, with the functions of the
//! whole-world plan.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use crate::DnsName;
use crate::api::{DnsAnnotation, DnsEntry};
use crate::api::{Ingress, ObjectMeta, Service};
use crate::id::EntryId;
use crate::sources::{self, EntryChange, IstioObjects, SourceKind};
use crate::zones::{Change, Ownership, sort_changes};

use super::super::changes::{self, Item, ZoneOutcome};
use super::super::entries::{self, Decision};
use super::super::providers::evaluate_provider;
use super::super::sources::{SourceObject, dropped, gateway_kind, istio_kind, source_entries};
use super::super::{Plan, entry_id, entry_order, entry_ref, owned_as_planned, status_event};
use super::{
    EntryRef, EntryWrite, FinalizerRelease, Key, Outcome, Planner, Producer, Slot, SourceKey,
    StatusUpdate, key_of,
};

impl Planner {
    /// Recomputes everything marked, step by step.
    pub(super) fn flush(&mut self) {
        while let Some(entry) = self.dirty_refs.pop_first() {
            self.reclaim(entry);
        }
        while let Some(source) = self.dirty_sources.pop_first() {
            self.run_source(source);
        }
        while let Some(provider) = self.dirty_providers.pop_first() {
            self.run_provider(provider);
        }
        while let Some(id) = self.dirty_entries.pop_first() {
            self.run_entry(&id);
        }
        if !self.dirty_names.is_empty() || !self.dirty_ids.is_empty() {
            self.run_zones();
        }
        while let Some(key) = self.dirty_provider_statuses.pop_first() {
            self.report_provider_status(key);
        }
        if !self.dirty_annotation_targets.is_empty() || !self.dirty_annotation_sources.is_empty() {
            self.report_annotation_statuses();
        }
        self.report_finalizers();
    }

    /// A reference to a source object.
    fn source_ref(&self, source: &SourceKey) -> crate::api::ObjectRef {
        let kind = source.kind();
        let key = source.key();
        crate::api::ObjectRef::new(kind.api_version(), kind.kind(), &key.0, &key.1)
    }

    /// The ids of what `id` left behind (`<id>#<zone>`), owned now or as planned.
    fn leftover_ids(&self, id: &EntryId) -> Vec<EntryId> {
        let prefix = id.leftover_prefix();
        let below = |other: &&EntryId| other.as_str().starts_with(&prefix);
        let from = (Bound::Included(prefix.as_str()), Bound::Unbounded);
        let observed = (self.observed.owned.range::<str, _>(from)).map(|(other, _)| other);
        let planned = (self.outcomes.range::<str, _>(from)).map(|(other, _)| other);
        (observed.take_while(below))
            .chain(planned.take_while(below))
            .cloned()
            .collect()
    }

    /// Whether the entry `id`, being deleted, owns nothing any more and has no change left to
    /// make: its finalizer may go.
    fn entry_done(&self, id: &EntryId) -> bool {
        let owns = |owned: Option<&Ownership>| owned.is_some_and(|o| !o.keys.is_empty());
        // What it owns, under its own id or left behind under `<id>#<zone>` (a delete that
        // failed), keeps the finalizer.
        let ids = std::iter::once(id.clone()).chain(self.leftover_ids(id));
        ids.into_iter().all(|id| {
            let outcome = self.outcomes.get(&id);
            outcome.is_none_or(|o| o.changes.is_empty() && !owns(o.owned.as_ref()))
                && !owns(self.observed.owned.get(&id))
        })
    }

    /// Whether a release queued earlier still holds when it is handed out: what the entry owns
    /// may have been learnt since (a driver takes it from the entry's status once it has read
    /// the zone).
    pub(super) fn still_releasable(&self, release: &FinalizerRelease) -> bool {
        let FinalizerRelease::Entry(object) = release else {
            return true;
        };
        let key = (object.namespace.clone(), object.name.clone());
        if self.shadowed.contains(&key) {
            return true;
        }
        let Some(entry) = self.given.get(&key) else {
            return true;
        };
        let id = entry_id(entry);
        self.deleting_entries.contains(&id) && self.entry_done(&id)
    }

    /// Queues the entries and sources being deleted whose finalizer may go now.
    fn report_finalizers(&mut self) {
        let mut releases = Vec::new();
        for id in &self.deleting_entries {
            let Some(slot) = self.slots.get(id) else {
                continue;
            };
            if self.entry_done(id) {
                releases.push(FinalizerRelease::Entry(entry_ref(&slot.entry)));
            }
        }
        // Another object stands for their id: they own nothing of their own.
        for key in &self.shadowed {
            if let Some(entry) = self.given.get(key) {
                releases.push(FinalizerRelease::Entry(entry_ref(entry)));
            }
        }
        for source in &self.deleting_sources {
            let left = (self.owner_index.get(source).into_iter().flatten())
                .any(|entry| self.entry(entry).is_some());
            if !left {
                releases.push(FinalizerRelease::Source(self.source_ref(source)));
            }
        }
        for release in releases {
            let (FinalizerRelease::Entry(object) | FinalizerRelease::Source(object)) = &release;
            if self.released.insert(object.clone()) {
                self.releases.push_back(release);
            }
        }
    }

    /// `annotations` with the statuses they get now.
    fn annotation_statuses<'a>(
        &self,
        annotations: impl Iterator<Item = &'a DnsAnnotation>,
    ) -> Vec<DnsAnnotation> {
        super::super::annotations::statuses(
            annotations,
            |target| {
                let first = self.overlays.get(target)?.first()?;
                Some(first.1.clone())
            },
            |target| self.active.get(&SourceKey::of_target(target)?).copied(),
            &self.config,
            &mut Vec::new(),
        )
    }

    /// Queues the status of every DNSAnnotation whose object changed or became (in)active, if
    /// it is not the one last reported.
    fn report_annotation_statuses(&mut self) {
        let mut targets = std::mem::take(&mut self.dirty_annotation_targets);
        let sources = std::mem::take(&mut self.dirty_annotation_sources);
        if !sources.is_empty() {
            for annotation in self.annotations.values() {
                let target = super::inputs::overlay_target(annotation);
                if SourceKey::of_target(&target).is_some_and(|s| sources.contains(&s)) {
                    targets.insert(target);
                }
            }
        }
        let affected: Vec<&DnsAnnotation> = (self.annotations.values())
            .filter(|a| targets.contains(&super::inputs::overlay_target(a)))
            .collect();
        let computed = self.annotation_statuses(affected.into_iter());
        for annotation in computed {
            let key = key_of(&annotation.metadata);
            if self.annotation_statuses.get(&key) == Some(&annotation.status) {
                continue;
            }
            self.annotation_statuses
                .insert(key, annotation.status.clone());
            let reference = crate::api::ObjectRef::new(
                crate::api::DNS_API_VERSION,
                "DNSAnnotation",
                annotation.metadata.namespace_or_default(),
                annotation.metadata.name_or_empty(),
            );
            (self.annotation_status_updates).push_back(super::AnnotationStatusUpdate {
                annotation: reference,
                status: annotation.status,
            });
        }
    }

    /// Queues the provider's status if it is not the one last reported.
    fn report_provider_status(&mut self, key: Key) {
        let ours = (self.providers.get(&key)).is_some_and(|p| {
            (self.config.class).matches(p.metadata.annotation(crate::annotations::CLASS))
        });
        let status = (self.listed.get(&key)).filter(|_| ours).and_then(|listed| {
            let mut listed = listed.clone();
            let count = self.owned_count.get(&listed.metadata.key()).copied();
            super::super::report_deleting(&mut listed, count.unwrap_or(0));
            listed.status
        });
        if self.provider_statuses.get(&key) == Some(&status) {
            return;
        }
        let provider =
            crate::api::ObjectRef::new(crate::api::DNS_API_VERSION, "DNSProvider", &key.0, &key.1);
        if status.is_none() && !self.listed.contains_key(&key) {
            self.provider_statuses.remove(&key);
        } else {
            self.provider_statuses.insert(key, status.clone());
        }
        (self.provider_status_updates).push_back(super::ProviderStatusUpdate { provider, status });
    }

    fn entry(&self, entry: &EntryRef) -> Option<&DnsEntry> {
        match entry {
            EntryRef::Given(key) => self.given.get(key),
            // A given entry of the same id wins.
            EntryRef::Generated(id) if self.given_ids.contains_key(id) => None,
            EntryRef::Generated(id) => self.generated.get(id),
        }
    }

    /// The first source (Services, then Ingresses, by namespace and name) that owns an entry.
    fn claimer(&self, entry: &DnsEntry) -> Option<SourceKey> {
        if !super::super::sources::writes_class(&self.config, entry) {
            return None;
        }
        super::inputs::owners(entry).into_iter().find(|source| {
            let meta = self.source_meta(source);
            meta.is_some_and(|meta| sources::owns(source.kind(), meta, entry))
        })
    }

    /// The metadata of a source object, if it exists.
    fn source_meta(&self, source: &SourceKey) -> Option<&ObjectMeta> {
        let key = source.key();
        match source.kind() {
            SourceKind::Service => self.services.get(&key).map(|o| &o.metadata),
            SourceKind::Ingress => self.ingresses.get(&key).map(|o| &o.metadata),
            SourceKind::DnsEntry => (self.given.get(&key))
                .filter(|e| self.config.is_entry_source(e))
                .map(|o| &o.metadata),
            kind if kind.group() == "gateway.networking.k8s.io" => (self.gateways.get(&key))
                .filter(|g| gateway_kind(&g.api_version) == kind)
                .map(|o| &o.metadata),
            kind => (self.istio_gateways.get(&key))
                .filter(|g| istio_kind(&g.api_version) == kind)
                .map(|o| &o.metadata),
        }
    }

    /// Source step, first half: which source claims an entry, and a given entry that none
    /// claims as an entry of its own.
    fn reclaim(&mut self, reference: EntryRef) {
        let entry = self.entry(&reference).cloned();
        let claimer = entry.as_ref().and_then(|e| self.claimer(e));
        let old = match &claimer {
            Some(source) => self.claims.insert(reference.clone(), source.clone()),
            None => self.claims.remove(&reference),
        };
        if let Some(old) = old.filter(|old| Some(old) != claimer.as_ref()) {
            self.dirty_sources.insert(old);
        }
        if let Some(source) = &claimer {
            self.dirty_sources.insert(source.clone());
        }
        match (&reference, entry) {
            (EntryRef::Given(key), Some(entry)) if claimer.is_none() => {
                let id = entry_id(&entry);
                let producer = Producer::Unclaimed(key.clone());
                if self.holder(&id) == Some(key) {
                    self.shadowed.remove(key);
                    self.put_slot(id, entry, None, producer);
                } else {
                    // Another object stands for the id: this one plans nothing, and, being
                    // deleted, keeps nothing from going.
                    self.drop_slot(&id, &producer);
                    if entry.metadata.is_deleting() && self.config.plans(&entry) {
                        self.shadowed.insert(key.clone());
                    }
                }
            }
            (EntryRef::Given(key), entry) => {
                self.shadowed.remove(key);
                let id = (entry.as_ref()).map_or_else(|| EntryId::given(&key.0, &key.1), entry_id);
                self.drop_slot(&id, &Producer::Unclaimed(key.clone()));
            }
            (EntryRef::Generated(_), Some(entry)) if claimer.is_none() => {
                // Its source is gone, or no longer asks for names: the entry goes (and, with
                // it, the ownership of its records, which the zone step then deletes).
                self.events.push_back(super::Queued::Event(dropped(&entry)));
                self.writes.push_back(EntryWrite::Delete(entry));
            }
            (EntryRef::Generated(_), _) => {}
        }
    }

    /// Source step, second half: the entries one source asks for.
    fn run_source(&mut self, source: SourceKey) {
        let before = self.produced.remove(&source).unwrap_or_default();
        let key: Key = source.key();
        let exists = self.source_meta(&source).is_some();
        let deleting = self.source_meta(&source).is_some_and(|m| m.is_deleting());
        if deleting {
            self.deleting_sources.insert(source.clone());
        } else {
            self.deleting_sources.remove(&source);
            self.released.remove(&self.source_ref(&source));
        }
        let mut after = Vec::new();
        if !exists && self.active.remove(&source).is_some() {
            self.dirty_annotation_sources.insert(source.clone());
        }
        // What an Istio Gateway's targets may come from.
        let (ingresses, services): (Vec<&Ingress>, Vec<&Service>) = match source.kind() {
            kind if exists && kind.group() == "networking.istio.io" => (
                self.ingresses.values().collect(),
                self.services.values().collect(),
            ),
            _ => (Vec::new(), Vec::new()),
        };
        let bound = |index: &BTreeMap<SourceKey, BTreeSet<Key>>| -> Vec<Key> {
            index.get(&source).into_iter().flatten().cloned().collect()
        };
        let object = match source.kind() {
            _ if !exists => None,
            SourceKind::Service => self.services.get(&key).map(SourceObject::Service),
            SourceKind::Ingress => self.ingresses.get(&key).map(SourceObject::Ingress),
            SourceKind::DnsEntry => self.given.get(&key).map(SourceObject::DnsEntry),
            kind if kind.group() == "gateway.networking.k8s.io" => {
                let bound = bound(&self.routes_of);
                let routes = bound
                    .iter()
                    .filter_map(|k| self.http_routes.get(k))
                    .collect();
                self.gateways
                    .get(&key)
                    .map(|g| SourceObject::GatewayApi(g, routes))
            }
            _ => {
                let bound = bound(&self.virtual_services_of);
                let vs = bound.iter().filter_map(|k| self.virtual_services.get(k));
                let objects = IstioObjects {
                    ingresses: &ingresses,
                    services: &services,
                };
                (self.istio_gateways.get(&key))
                    .map(|g| SourceObject::Istio(g, vs.collect(), objects))
            }
        };
        if let Some(object) = object {
            let kind = source.kind();
            let overlay = self
                .overlays
                .get(&(
                    kind.api_version().to_owned(),
                    kind.kind().to_owned(),
                    key.0.clone(),
                    key.1.clone(),
                ))
                .and_then(|set| set.first())
                .and_then(|(_, k)| self.annotations.get(k))
                .map(|a| &a.spec.annotations);
            // As the plan reads them: given entries by namespace and name, then generated ones.
            let claimed = (self.owner_index.get(&source).into_iter().flatten())
                .filter(|r| self.claims.get(*r) == Some(&source));
            let mut owned: Vec<&DnsEntry> = Vec::new();
            let mut generated: Vec<&DnsEntry> = Vec::new();
            for reference in claimed {
                match (reference, self.entry(reference)) {
                    (EntryRef::Given(_), Some(e)) => owned.push(e),
                    (EntryRef::Generated(_), Some(e)) => generated.push(e),
                    (_, None) => {}
                }
            }
            generated.sort_by(|a, b| entry_order(a).cmp(&entry_order(b)));
            owned.extend(generated);
            // Of entries sharing an id, the one that stands for it is reused and the others
            // deleted; while the one that stands for it is being deleted, the others wait.
            let stands = |e: &DnsEntry| {
                let holder = self.holder(&entry_id(e));
                holder.is_none_or(|key| key == &key_of(&e.metadata))
            };
            let waiting = |e: &DnsEntry| {
                (self.entry_of(&entry_id(e))).is_some_and(|h| h.metadata.is_deleting())
            };
            owned.retain(|e| stands(e) || !waiting(e));
            owned.sort_by_key(|e| !stands(e));
            let owned = owned.into_iter().cloned().collect();
            let mut events = Vec::new();
            // A new entry waits while an object of its id is still being deleted.
            let waits = |e: &DnsEntry| self.given_ids.contains_key(&entry_id(e));
            let (source_ref, outcome, active) =
                source_entries(object, overlay, owned, &self.config, &waits, &mut events);
            if self.active.insert(source.clone(), active) != Some(active) {
                self.dirty_annotation_sources.insert(source.clone());
            }
            self.events
                .extend(events.into_iter().map(super::Queued::Event));
            for (entry, change) in outcome.entries {
                if change != EntryChange::Keep {
                    self.writes.push_back(EntryWrite::Apply(entry.clone()));
                }
                let id = entry_id(&entry);
                let producer = Producer::Source(source.clone());
                self.put_slot(id.clone(), entry, Some(source_ref.clone()), producer);
                after.push(id);
            }
            for entry in outcome.deleted {
                self.writes.push_back(EntryWrite::Delete(entry));
            }
        }
        for id in before.iter().filter(|id| !after.contains(id)) {
            self.drop_slot(id, &Producer::Source(source.clone()));
        }
        if !after.is_empty() {
            self.produced.insert(source, after);
        }
    }

    fn put_slot(
        &mut self,
        id: EntryId,
        entry: DnsEntry,
        source: Option<crate::api::ObjectRef>,
        producer: Producer,
    ) {
        if let Some(slot) = self.slots.get(&id)
            && slot.entry == entry
            && slot.source == source
            && slot.producer == producer
        {
            return;
        }
        let item = self.config.plans(&entry);
        let domain = match entry.spec.dns_name.parse::<DnsName>() {
            Ok(name) => reversed(name.as_str()),
            Err(_) => reversed(&entry.spec.dns_name),
        };
        let hosts: Vec<DnsName> = (entry.spec.targets.iter().flatten())
            .filter_map(|t| t.parse().ok())
            .collect();
        let old = self.slots.insert(
            id.clone(),
            Slot {
                entry,
                source,
                producer,
                item,
                decision: None,
                lookups: BTreeSet::new(),
                status: None,
                domain,
                hosts,
            },
        );
        if let Some(old) = old {
            self.unindex_slot(&id, &old);
            // The status reported so far stays until the entry is planned again.
            if let Some(slot) = self.slots.get_mut(&id) {
                slot.status = old.status.filter(|_| slot.item);
            }
        }
        let slot = &self.slots[&id];
        if slot.item && slot.entry.metadata.is_deleting() {
            self.deleting_entries.insert(id.clone());
        } else {
            self.deleting_entries.remove(&id);
        }
        (self.by_domain.entry(slot.domain.clone()).or_default()).insert(id.clone());
        for host in &slot.hosts {
            (self.by_host.entry(host.clone()).or_default()).insert(id.clone());
        }
        self.dirty_entries.insert(id);
    }

    pub(super) fn drop_slot(&mut self, id: &EntryId, producer: &Producer) {
        if self.slots.get(id).is_some_and(|s| &s.producer == producer)
            && let Some(old) = self.slots.remove(id)
        {
            self.unindex_slot(id, &old);
            self.dirty_entries.insert(id.to_owned());
            self.deleting_entries.remove(id);
            self.released.remove(&entry_ref(&old.entry));
        }
    }

    fn unindex_slot(&mut self, id: &EntryId, slot: &Slot) {
        self.count_waiting(&slot.lookups, &BTreeSet::new());
        remove_from(&mut self.by_domain, &slot.domain, id);
        for host in &slot.hosts {
            remove_from(&mut self.by_host, host, id);
        }
    }

    /// One entry waits for the host names `new` instead of `old`.
    fn count_waiting(&mut self, old: &BTreeSet<DnsName>, new: &BTreeSet<DnsName>) {
        for host in old.difference(new) {
            if let Some(count) = self.waiting.get_mut(host) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    self.waiting.remove(host);
                }
            }
        }
        for host in new.difference(old) {
            *self.waiting.entry(host.clone()).or_default() += 1;
        }
    }

    /// Provider step: one provider's state; the entries below its domains (before and after)
    /// are planned again.
    fn run_provider(&mut self, key: Key) {
        let text_key = format!("{}/{}", key.0, key.1);
        let before = self.evaluated.index.get(&text_key).cloned();
        let quota_before = self.evaluated.quotas.get(&text_key).copied();
        match self.providers.get(&key) {
            Some(provider) => {
                let secret = (provider.spec.secret_ref.as_ref())
                    .and_then(|r| self.secrets.get(&(key.0.clone(), r.name.clone())));
                let hosted = self.observed.hosted_zones.get(&text_key);
                let mut events = Vec::new();
                let (listed, evaluated) = evaluate_provider(
                    provider,
                    secret,
                    hosted.map(Vec::as_slice),
                    &self.config,
                    &mut events,
                );
                self.events
                    .extend(events.into_iter().map(super::Queued::Event));
                self.listed.insert(key.clone(), listed);
                match evaluated {
                    Some(evaluated) => self.evaluated.add(evaluated),
                    None => self.evaluated.remove(&text_key),
                }
            }
            None => {
                self.listed.remove(&key);
                self.evaluated.remove(&text_key);
            }
        }
        self.dirty_provider_statuses.insert(key.clone());
        let after = self.evaluated.index.get(&text_key);
        let domains = (before.iter().chain(after))
            .flat_map(|c| c.included.iter())
            .map(|d| reversed(d.as_str()))
            .collect::<BTreeSet<_>>();
        // The entries below its domains, and those owning record sets below them (which may
        // now be deleted through it, or no longer).
        for domain in domains {
            for index in [&self.by_domain, &self.by_owned_domain] {
                let below = index.range(domain.clone()..);
                for (_, ids) in below.take_while(|(d, _)| d.starts_with(&domain)) {
                    self.dirty_entries.extend(ids.iter().cloned());
                }
            }
        }
        if quota_before != self.evaluated.quotas.get(&text_key).copied() {
            let users = self.provider_users.get(&text_key).into_iter().flatten();
            self.dirty_ids.extend(users.cloned());
        }
    }

    /// Entry step: what one entry asks for.
    fn run_entry(&mut self, id: &EntryId) {
        if let Some(slot) = self.slots.get(id).filter(|s| s.item) {
            let keep = entries::full_ignore(&slot.entry).is_some();
            let owned = owned_as_planned(self.observed.owned.get(id), keep);
            let mut lookups = BTreeSet::new();
            let decision = entries::decide(
                &slot.entry,
                slot.entry.status.as_ref(),
                owned.as_deref(),
                &self.evaluated,
                &self.observed,
                &mut lookups,
            );
            if let Some(slot) = self.slots.get_mut(id) {
                slot.decision = Some(decision);
                let old = std::mem::replace(&mut slot.lookups, lookups.clone());
                self.count_waiting(&old, &lookups);
            }
        }
        self.register(id);
    }

    /// Records which names and provider an id wants or owns, and marks them for the zone step.
    fn register(&mut self, id: &EntryId) {
        let mut names = BTreeSet::new();
        let mut wants = None;
        let owned = self.observed.owned.get(id);
        match self.slots.get(id) {
            Some(slot) if slot.item => {
                if let Some(Decision::Want(want)) = &slot.decision {
                    names.insert(want.desired.owner.dns_name.clone());
                    wants = Some(want.provider.clone());
                }
                let keys = owned.into_iter().flat_map(|o| o.keys.iter());
                names.extend(keys.map(|k| k.owner.dns_name.clone()));
            }
            _ => {
                let keys =
                    (owned.filter(|o| !o.keep_on_delete).into_iter()).flat_map(|o| o.keys.iter());
                names.extend(keys.map(|k| k.owner.dns_name.clone()));
            }
        }
        let before = self.names_of.remove(id).unwrap_or_default();
        for name in before.difference(&names) {
            remove_from(&mut self.name_users, name, id);
        }
        for name in names.difference(&before) {
            (self.name_users.entry(name.clone()).or_default()).insert(id.to_owned());
        }
        self.dirty_names.extend(before.union(&names).cloned());
        if !names.is_empty() {
            self.names_of.insert(id.to_owned(), names);
        }
        let wanted_before = match &wants {
            Some(provider) => self.wants.insert(id.to_owned(), provider.clone()),
            None => self.wants.remove(id),
        };
        if wanted_before != wants {
            if let Some(provider) = wanted_before {
                remove_from(&mut self.provider_users, &provider, id);
                // A place under the provider's quota may have come free.
                if self.evaluated.quotas.contains_key(&provider) {
                    let users = self.provider_users.get(&provider).into_iter().flatten();
                    self.dirty_ids.extend(users.cloned());
                }
            }
            if let Some(provider) = wants {
                (self.provider_users.entry(provider).or_default()).insert(id.to_owned());
            }
        }
        self.dirty_ids.insert(id.to_owned());
    }

    /// The ids that must be weighed together with the marked ones: those that want or own a
    /// name they want or own, and those that want a provider with a quota they want; and so
    /// on.
    fn component(&mut self) -> BTreeSet<EntryId> {
        let mut ids = BTreeSet::new();
        let mut names = BTreeSet::new();
        let mut providers = BTreeSet::new();
        let mut queue: Vec<EntryId> = std::mem::take(&mut self.dirty_ids).into_iter().collect();
        let mut name_queue: Vec<DnsName> =
            std::mem::take(&mut self.dirty_names).into_iter().collect();
        loop {
            if let Some(name) = name_queue.pop() {
                if let Some(users) = self.name_users.get(&name) {
                    queue.extend(users.iter().filter(|id| !ids.contains(*id)).cloned());
                }
                names.insert(name);
                continue;
            }
            let Some(id) = queue.pop() else { break };
            if !ids.insert(id.clone()) {
                continue;
            }
            // The record sets the id left behind are weighed with it (they may take its
            // leftovers).
            let leftovers = self.leftover_ids(&id);
            queue.extend(leftovers.into_iter().filter(|other| !ids.contains(other)));
            for name in self.names_of.get(&id).into_iter().flatten() {
                if !names.contains(name) {
                    name_queue.push(name.clone());
                }
            }
            if let Some(provider) = self.wants.get(&id)
                && self.evaluated.quotas.contains_key(provider)
                && providers.insert(provider.clone())
            {
                let users = self.provider_users.get(provider).into_iter().flatten();
                queue.extend(users.cloned());
            }
        }
        ids
    }

    /// Zone step: weighs the marked ids and every id they share a name or quota with.
    fn run_zones(&mut self) {
        let ids = self.component();
        let mut positions: Vec<&EntryId> = ids
            .iter()
            .filter(|id| self.slots.get(*id).is_some_and(|s| s.item))
            .collect();
        positions.sort_by(|a, b| {
            entry_order(&self.slots[*a].entry).cmp(&entry_order(&self.slots[*b].entry))
        });
        let mut items: Vec<Item<'_>> = Vec::with_capacity(positions.len());
        for id in &positions {
            let slot = &self.slots[*id];
            let keep = entries::full_ignore(&slot.entry).is_some();
            let decision = slot.decision.clone().unwrap_or(Decision::Delete);
            let status = match &decision {
                Decision::Hold(status) | Decision::Release(status) => Some((**status).clone()),
                _ => None,
            };
            items.push(Item {
                id: (*id).clone(),
                created: slot.entry.metadata.creation_timestamp.clone(),
                decision,
                owned: owned_as_planned(self.observed.owned.get(*id), keep),
                status,
            });
        }
        let orphans: Vec<(&EntryId, &Ownership)> = ids
            .iter()
            .filter(|id| !self.slots.get(*id).is_some_and(|s| s.item))
            .filter_map(|id| self.observed.owned.get_key_value(id))
            .filter(|(_, owned)| !owned.keep_on_delete)
            .collect();
        let ZoneOutcome { changes, mut owned } =
            changes::plan_zones(&mut items, &orphans, &self.observed, &self.evaluated);
        let statuses: Vec<(EntryId, Option<crate::api::DnsEntryStatus>)> =
            items.into_iter().map(|i| (i.id, i.status)).collect();
        let mut by_id: BTreeMap<EntryId, Vec<Change>> = BTreeMap::new();
        for change in changes {
            by_id.entry(change.entry.clone()).or_default().push(change);
        }
        for id in ids {
            let outcome = Outcome {
                changes: by_id.remove(&id).unwrap_or_default(),
                owned: owned.remove(&id),
            };
            let before = self.outcomes.remove(&id).unwrap_or_default();
            if before.changes != outcome.changes {
                self.change_sets.insert(id.clone());
            }
            if outcome != Outcome::default() {
                self.outcomes.insert(id, outcome);
            }
        }
        // Record sets an entry left behind that no provider may delete yet, under an id of
        // their own.
        for (id, owned) in owned {
            let outcome = self.outcomes.entry(id).or_default();
            outcome.owned = Some(owned);
        }
        for (id, status) in statuses {
            self.set_status(&id, status);
        }
    }

    fn set_status(&mut self, id: &EntryId, status: Option<crate::api::DnsEntryStatus>) {
        let Some(slot) = self.slots.get_mut(id) else {
            return;
        };
        if slot.status == status {
            return;
        }
        if let Some(status) = &status {
            // As the whole plan does (docs/sources.md §3.0.7): a state and message the entry
            // already shows are not reported again.
            // The event says the status as it is when it is handed out.
            if self.status_queued.insert(id.clone()) {
                self.events.push_back(super::Queued::Status(id.clone()));
            }
            self.statuses.push_back(StatusUpdate {
                id: id.to_owned(),
                entry: entry_ref(&slot.entry),
                status: status.clone(),
            });
            // A replicated DNSEntry shows its target's status (docs/sources.md §3.5).
            if let Some(source) = slot.source.as_ref().filter(|s| s.kind == "DNSEntry") {
                let key = (source.namespace.clone(), source.name.clone());
                if let Some(entry) = self.given.get(&key) {
                    let mut mirrored = status.clone();
                    mirrored.observed_generation = entry.metadata.generation;
                    self.statuses.push_back(StatusUpdate {
                        id: EntryId::given(&key.0, &key.1),
                        entry: entry_ref(entry),
                        status: mirrored,
                    });
                }
            }
        }
        slot.status = status;
    }

    /// The event of an entry's status: none when the entry already shows its state and
    /// message (as the whole plan does, docs/sources.md §3.0.7).
    pub(super) fn status_event_of(&self, id: &EntryId) -> Option<crate::events::Event> {
        let slot = self.slots.get(id)?;
        let status = slot.status.as_ref()?;
        let previous = slot.entry.status.as_ref();
        let unchanged =
            previous.is_some_and(|p| p.state == status.state && p.message == status.message);
        if unchanged {
            return None;
        }
        status_event(&slot.entry, slot.source.as_ref(), status)
    }

    /// The plan as it stands.
    pub(super) fn snapshot(&self) -> Plan {
        let mut entries: Vec<DnsEntry> = self
            .slots
            .values()
            .map(|slot| {
                let mut entry = slot.entry.clone();
                if let (true, Some(status)) = (slot.item, &slot.status) {
                    entry.status = Some(status.clone());
                }
                entry
            })
            .collect();
        entries.sort_by(|a, b| entry_order(a).cmp(&entry_order(b)));
        super::super::sources::mirror_replicated(&mut entries);
        let mut changes: Vec<Change> = (self.outcomes.values())
            .flat_map(|o| o.changes.iter().cloned())
            .collect();
        sort_changes(&mut changes);
        let owned = self.planned_owned();
        let lookups = (self.slots.values().filter(|s| s.item))
            .flat_map(|s| s.lookups.iter().cloned())
            .collect();
        let outcome = ZoneOutcome { changes, owned };
        let annotations = self.annotation_statuses(self.annotations.values());
        let mut plan = Plan {
            entries,
            annotations,
            providers: self.listed.values().cloned().collect(),
            events: Vec::new(),
            records: super::super::records_after(&self.observed, &outcome, &self.evaluated),
            changes: outcome.changes,
            owned: outcome.owned,
            lookups,
        };
        for provider in &mut plan.providers {
            let count = self.owned_count.get(&provider.metadata.key()).copied();
            super::super::report_deleting(provider, count.unwrap_or(0));
        }
        plan
    }
}

/// A name with its labels reversed and a dot after each (`www.example.com` gives
/// `com.example.www.`), so that the names below a domain share its prefix.
pub(super) fn reversed(name: &str) -> String {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let mut out = String::with_capacity(name.len() + 1);
    for label in name.rsplit('.') {
        out.push_str(label);
        out.push('.');
    }
    out
}

pub(super) fn remove_from<K, Q>(index: &mut BTreeMap<K, BTreeSet<EntryId>>, key: &Q, id: &EntryId)
where
    K: Ord + std::borrow::Borrow<Q>,
    Q: Ord + ?Sized,
{
    if let Some(set) = index.get_mut(key) {
        set.remove(id);
        if set.is_empty() {
            index.remove(key);
        }
    }
}
