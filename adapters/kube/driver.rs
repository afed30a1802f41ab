//! The controller's driver: one task that owns the core's [`Planner`], feeds it what the
//! watches report, and drains every poll into the cluster (generated DNSEntries, statuses,
//! finalizers, Events) and into the DNS backends (change sets, whose outcomes go back in), as
//! quinn's connection driver does for a connection (docs/ARCHITECTURE.md, "How a controller
//! runs").
//!
//! The source, entry and provider controllers of Gardener's dns-controller-manager are
//! behaviours of this one loop:
//!
//! - **sources**: Services, Ingresses, Gateways and DNSEntries of the source class give
//!   generated DNSEntries ([`EntryWrite`]), created with their `generateName` and patched with
//!   JSON merge patches of exactly the fields that changed;
//! - **entries**: the changes of each entry are executed through its provider's [`Backend`],
//!   its status is written through the status subresource (only when it differs from what the
//!   entry shows), and its finalizer follows the status (docs/entries-and-providers.md §4.2);
//! - **providers**: each DNSProvider of the class gets a backend, its account's zones (listed
//!   for `aws-route53`) and the contents of the zones it selects, and its status.
//!
//! What an entry owns in its zone is what its status records ([`ownership_from_status`], D14),
//! read once when the entry and its zone are first known; from then on it follows the changes
//! executed.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::stream::{self, StreamExt};
use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::ApiResource;
use serde_json::Value;

use super::events::Publisher;
use super::metrics::{Counters, Health, Measured, Metrics, StateLabels};
use super::watch::{self, Input, Watched};
use crate::adapters::backends::memory::SharedZones;
use crate::adapters::backends::{self, Backend, BackendError, DnsBackend};
use crate::api::{DnsEntry, ObjectRef};
use crate::config::Config;
use crate::events::Event;
use crate::id::{EntryId, ZoneId};
use crate::plan::{
    EntryWrite, FinalizerRelease, Planner, StatusUpdate, entry_id, ownership_from_status,
    wants_entry_finalizer,
};
use crate::provider::ProviderType;
use crate::world::{Object, ObjectKind};
use crate::zones::{Action, Change, ChangeOutcome};

/// How many writes to the API server run side by side.
const PARALLEL_WRITES: usize = 16;
/// The first wait before changes that failed are tried again (Gardener's
/// `entryFailureBackoffBase`); it doubles up to [`RETRY_MAX`].
const RETRY_BASE: Duration = Duration::from_secs(30);
/// The longest wait before failed changes are tried again (`entryFailureBackoffMax`).
const RETRY_MAX: Duration = Duration::from_secs(30 * 60);
/// How long to wait before a zone that could not be read is read again.
const ZONE_RETRY: Duration = Duration::from_secs(10);

/// The controllers a driver runs (`--controllers`): all by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Controllers {
    /// Services, Ingresses, Gateways give generated DNSEntries.
    pub sources: bool,
    /// DNSEntries are planned: records changed, statuses and finalizers written.
    pub entries: bool,
    /// DNSProviders get their status.
    pub providers: bool,
    /// DNSAnnotations add annotations to the objects they name, and get their status.
    pub annotations: bool,
    /// DNSEntries of the source class are replicated.
    pub replication: bool,
}

impl Default for Controllers {
    fn default() -> Self {
        Self {
            sources: true,
            entries: true,
            providers: true,
            annotations: true,
            replication: true,
        }
    }
}

impl std::str::FromStr for Controllers {
    type Err = String;

    /// A comma list of `sources`, `entries`, `providers`, `annotations`, `replication`.
    fn from_str(list: &str) -> Result<Self, String> {
        let mut controllers = Self {
            sources: false,
            entries: false,
            providers: false,
            annotations: false,
            replication: false,
        };
        for name in list.split(',').map(str::trim) {
            let flag = match name {
                "sources" => &mut controllers.sources,
                "entries" => &mut controllers.entries,
                "providers" => &mut controllers.providers,
                "annotations" => &mut controllers.annotations,
                "replication" => &mut controllers.replication,
                other => {
                    return Err(format!(
                        "unknown controller {other:?}: the controllers are sources, entries, providers, annotations, replication"
                    ));
                }
            };
            *flag = true;
        }
        Ok(controllers)
    }
}

impl Controllers {
    /// Whether the kind is watched.
    fn watches(self, kind: ObjectKind) -> bool {
        match kind {
            ObjectKind::DnsEntry => self.entries || self.sources || self.replication,
            ObjectKind::DnsProvider | ObjectKind::Secret => self.entries || self.providers,
            ObjectKind::DnsAnnotation => self.annotations,
            _ => self.sources,
        }
    }
}

/// What a controller is set up with.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Settings {
    /// Classes, source settings, default TTL, provider options.
    pub config: Config,
    /// Watch source objects only in this namespace (`None`: all).
    pub namespace: Option<String>,
    /// How often every provider's zones are read again and failed work is retried at the
    /// latest (Gardener's DNSProvider `syncPeriod`: one hour). Correctness never depends on it.
    pub resync: Duration,
    /// The field manager of every write, and the reporting controller of the Events.
    pub manager: String,
    /// The controllers run.
    pub controllers: Controllers,
    /// Log every write (object and patch), for debugging.
    pub log_writes: bool,
    /// Log lines as JSON objects (`{"time": ..., "msg": ...}`) instead of text.
    pub log_json: bool,
    /// Where the driver counts and times its work.
    pub metrics: Arc<Metrics>,
    /// What the driver tells `/readyz`.
    pub health: Arc<Health>,
}

impl Settings {
    /// The settings of a controller of `config`'s classes: all namespaces, a resync every
    /// hour, field manager `shoot-dns`.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            namespace: None,
            resync: Duration::from_secs(3600),
            manager: "shoot-dns".to_owned(),
            controllers: Controllers::default(),
            log_writes: false,
            log_json: false,
            metrics: Arc::default(),
            health: Arc::default(),
        }
    }

    /// Counts and times the work into `metrics`, and tells `health` when the caches are synced.
    #[must_use]
    pub fn telemetry(mut self, metrics: Arc<Metrics>, health: Arc<Health>) -> Self {
        self.metrics = metrics;
        self.health = health;
        self
    }

    /// Logs lines as JSON objects.
    #[must_use]
    pub fn log_json(mut self, log_json: bool) -> Self {
        self.log_json = log_json;
        self
    }

    /// Logs every write.
    #[must_use]
    pub fn log_writes(mut self, log_writes: bool) -> Self {
        self.log_writes = log_writes;
        self
    }

    /// Runs only these controllers.
    #[must_use]
    pub fn controllers(mut self, controllers: Controllers) -> Self {
        self.controllers = controllers;
        self
    }

    /// Watch source objects only in `namespace`.
    #[must_use]
    pub fn namespace(mut self, namespace: Option<String>) -> Self {
        self.namespace = namespace;
        self
    }

    /// The resync period.
    #[must_use]
    pub fn resync(mut self, resync: Duration) -> Self {
        self.resync = resync;
        self
    }
}

/// The API resources of the kinds the driver writes, as the clusters serve them.
#[derive(Debug, Clone)]
struct Resources {
    /// Every kind watched, by the core's kind.
    watched: Vec<Watched>,
}

impl Resources {
    fn of(&self, kind: ObjectKind) -> Option<&ApiResource> {
        (self.watched.iter())
            .find(|w| w.kind == kind)
            .map(|w| &w.resource)
    }

    fn by_ref(&self, object: &ObjectRef) -> Option<&ApiResource> {
        (self.watched.iter())
            .find(|w| {
                w.resource.kind == object.kind && w.resource.api_version == object.api_version
            })
            .map(|w| &w.resource)
    }
}

/// Writes to the API servers that failed (the server was unreachable, a conflict, ...): the
/// planner hands out each write once, so the driver tries them again, newest first: a write the
/// planner hands out meanwhile for the same object replaces the failed one.
#[derive(Default)]
struct Unwritten {
    /// Generated entries to create, patch or delete, by [`write_key`].
    entries: BTreeMap<(String, String, String), EntryWrite>,
    /// Entry statuses (and the finalizer that follows them), by entry id.
    statuses: BTreeMap<EntryId, StatusUpdate>,
    /// Status merge patches of providers and annotations.
    patches: BTreeMap<ObjectRef, Value>,
    /// Finalizers to put on (`true`) or take off objects.
    finalizers: BTreeMap<(ObjectRef, String), bool>,
    /// How many rounds of retries in a row failed, and when the next is due.
    attempts: u32,
    due: Option<Instant>,
}

impl Unwritten {
    fn len(&self) -> usize {
        self.entries.len() + self.statuses.len() + self.patches.len() + self.finalizers.len()
    }

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A status write's log line, and the write when it failed.
type Patched = (Option<String>, Option<(ObjectRef, Value)>);

/// The first wait before failed writes are tried again; it doubles up to [`WRITE_RETRY_MAX`].
const WRITE_RETRY_BASE: Duration = Duration::from_secs(1);
const WRITE_RETRY_MAX: Duration = Duration::from_secs(30);

/// The object a generated-entry write is for: namespace and name, or namespace, `generateName`
/// and DNS name for one not created yet.
fn write_key(write: &EntryWrite) -> (String, String, String) {
    let (EntryWrite::Apply(entry) | EntryWrite::Delete(entry)) = write;
    let meta = &entry.metadata;
    let namespace = meta.namespace_or_default().to_owned();
    match &meta.name {
        Some(name) => (namespace, name.clone(), String::new()),
        None => (
            namespace,
            meta.generate_name.clone().unwrap_or_default(),
            entry.spec.dns_name.clone(),
        ),
    }
}

/// A provider's backend and what it was built from.
struct Account {
    /// The provider's spec and its Secret's data, as built from.
    fingerprint: String,
    backend: Result<Measured<Backend>, BackendError>,
}

/// The controllers, as the metrics name them.
const SOURCES: &str = "sources";
const ENTRIES: &str = "entries";
const PROVIDERS: &str = "providers";
const ANNOTATIONS: &str = "annotations";

/// What each controller did in a round: how long its steps took, and whether any had work.
#[derive(Default)]
struct Work(BTreeMap<&'static str, (Duration, bool)>);

impl Work {
    async fn time(&mut self, controller: &'static str, step: impl Future<Output = bool>) -> bool {
        let start = Instant::now();
        let progressed = step.await;
        self.add(controller, start.elapsed(), progressed);
        progressed
    }

    fn add(&mut self, controller: &'static str, took: Duration, had_work: bool) {
        let (total, any) = self.0.entry(controller).or_default();
        *total += took;
        *any |= had_work;
    }

    fn report(self, metrics: &Metrics) {
        for (controller, (took, had_work)) in self.0 {
            if had_work {
                metrics.reconciled(controller, took);
            }
        }
    }
}

/// The driver: build it with [`Driver::start`], run it with [`Driver::run`].
pub struct Driver {
    settings: Settings,
    source: Client,
    target: Client,
    resources: Resources,
    planner: Planner,
    /// The DNSEntries of the target cluster as last seen or written, by namespace and name
    /// (the planner knows which one stands for each entry id: [`Planner::entry_of`]).
    entries: BTreeMap<(String, String), DnsEntry>,
    /// The backend of each provider of the class, by `namespace/name`.
    accounts: BTreeMap<String, Account>,
    /// A DNSProvider or Secret changed since the accounts were last synced.
    accounts_changed: bool,
    local_zones: SharedZones,
    /// The zones each provider selects, as its last status says.
    selected: BTreeMap<String, BTreeSet<ZoneId>>,
    /// Zones read, by provider.
    read: BTreeSet<(String, ZoneId)>,
    /// When a zone that could not be read is to be read again.
    zone_retry: Option<Instant>,
    /// Entry ids whose ownership was taken from their status (or that had none to take).
    bootstrapped: BTreeSet<EntryId>,
    /// Finalizer releases of entries being deleted whose ownership was not taken from their
    /// status yet (their zone not read): handed back to the planner once it is.
    withheld: BTreeMap<EntryId, ObjectRef>,
    /// Failed entries: how many times in a row, and when to try again.
    retries: BTreeMap<EntryId, (u32, Instant)>,
    /// Source objects this driver put its finalizer on.
    finalized: BTreeSet<ObjectRef>,
    /// Providers (`namespace/name`) whose finalizer, and their Secret's, this driver saw to,
    /// and those being deleted whose finalizers it took off.
    providers_finalized: BTreeSet<String>,
    providers_released: BTreeSet<String>,
    /// Writes that failed, to try again.
    unwritten: Unwritten,
    /// Failed writes are due to be tried again in this round.
    retry_writes: bool,
    /// The names the API server gave the entries created in this round, by `generateName` and
    /// DNS name: the `DNSEntryCreated` events name them.
    created: BTreeMap<(String, String), String>,
    /// The state each provider's last status written says, by `namespace/name`.
    provider_states: BTreeMap<String, String>,
    /// Entries created since the DNSEntry watch last failed (`None`: it has not failed since
    /// its last relist).
    created_since_failure: Option<BTreeSet<(String, String)>>,
    /// Watch inputs taken since the last round.
    inputs_taken: usize,
    /// Kinds not relisted yet: nothing is planned before every kind is.
    unsynced: BTreeSet<ObjectKind>,
    next_resync: Instant,
    source_recorder: Publisher,
    target_recorder: Publisher,
    counters: Arc<Counters>,
    /// What to log (one line each), for a caller that wants the lines (tests); else stderr.
    log: Option<tokio::sync::mpsc::UnboundedSender<String>>,
}

impl Driver {
    /// Discovers the kinds the clusters serve (a kind that is not served is said in a log line
    /// and left out) and sets the driver up. `target` is where DNSEntries, DNSProviders and
    /// their Secrets live (the same client as `source` for one cluster).
    pub async fn start(source: Client, target: Option<Client>, settings: Settings) -> Driver {
        let (mut watched, mut missing) = watch::discover(&source).await;
        // With a cluster of their own, the target kinds are as that cluster serves them.
        if let Some(target) = &target {
            let (target_watched, target_missing) = watch::discover(target).await;
            watched.retain(|w| !is_target_kind(w.kind));
            watched.extend(
                target_watched
                    .into_iter()
                    .filter(|w| is_target_kind(w.kind)),
            );
            missing.retain(|(kind, _)| !is_target_kind(*kind));
            missing.extend(
                target_missing
                    .into_iter()
                    .filter(|(kind, _)| is_target_kind(*kind)),
            );
        }
        let target = target.unwrap_or_else(|| source.clone());
        let controllers = settings.controllers;
        watched.retain(|w| controllers.watches(w.kind));
        let unsynced = watched.iter().map(|w| w.kind).collect();
        let counters = settings.metrics.counters();
        let mut driver = Driver {
            source_recorder: Publisher::new(source.clone(), &settings.manager, "source"),
            target_recorder: Publisher::new(target.clone(), &settings.manager, "control-plane"),
            planner: Planner::new(settings.config.clone()),
            settings,
            source,
            target,
            resources: Resources { watched },
            entries: BTreeMap::new(),
            accounts: BTreeMap::new(),
            accounts_changed: true,
            local_zones: SharedZones::default(),
            selected: BTreeMap::new(),
            read: BTreeSet::new(),
            zone_retry: None,
            bootstrapped: BTreeSet::new(),
            withheld: BTreeMap::new(),
            retries: BTreeMap::new(),
            finalized: BTreeSet::new(),
            providers_finalized: BTreeSet::new(),
            providers_released: BTreeSet::new(),
            unwritten: Unwritten::default(),
            retry_writes: false,
            created: BTreeMap::new(),
            unsynced,
            provider_states: BTreeMap::new(),
            inputs_taken: 0,
            created_since_failure: None,
            next_resync: Instant::now(),
            counters,
            log: None,
        };
        for (_, line) in missing {
            driver.say(line);
        }
        driver.next_resync = Instant::now() + driver.settings.resync;
        driver
    }

    /// The writes made so far (shared: it keeps counting while the driver runs).
    pub fn counters(&self) -> Arc<Counters> {
        Arc::clone(&self.counters)
    }

    /// The zones of the `local` providers, which live in the driver's memory.
    pub fn local_zones(&self) -> SharedZones {
        self.local_zones.clone()
    }

    /// Sends the log lines to `lines` instead of standard error.
    pub fn log_to(&mut self, lines: tokio::sync::mpsc::UnboundedSender<String>) {
        self.log = Some(lines);
    }

    fn say(&self, line: String) {
        match &self.log {
            Some(log) => {
                let _ = log.send(line);
            }
            None => eprintln!("{}", log_line(&line, self.settings.log_json)),
        }
    }

    /// Runs until `shutdown` completes.
    pub async fn run(mut self, shutdown: impl Future<Output = ()>) {
        let source_kinds: Vec<Watched> = (self.resources.watched.iter())
            .filter(|w| !is_target_kind(w.kind))
            .cloned()
            .collect();
        let target_kinds: Vec<Watched> = (self.resources.watched.iter())
            .filter(|w| is_target_kind(w.kind))
            .cloned()
            .collect();
        let namespace = self.settings.namespace.clone();
        let inputs = stream::select(
            watch::watch(&self.source, &source_kinds, namespace.as_deref()),
            watch::watch(&self.target, &target_kinds, None),
        );
        let mut inputs = std::pin::pin!(inputs);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let wake = self.next_wake();
            tokio::select! {
                () = &mut shutdown => return,
                input = inputs.next() => {
                    let Some(input) = input else { return };
                    self.feed(input);
                    // Everything the watches have ready goes in before the round.
                    while let Some(Some(input)) = futures::FutureExt::now_or_never(inputs.next()) {
                        self.feed(input);
                    }
                }
                () = tokio::time::sleep_until(wake.into()) => self.timers(),
            }
            if self.unsynced.is_empty() {
                self.round().await;
            }
        }
    }

    /// When the next timer is due: a lookup, a retry, a zone to read again, the resync.
    fn next_wake(&mut self) -> Instant {
        let mut wake = self.next_resync;
        // Nothing is planned before every kind is listed: a poll plans what is fed so far, and
        // Services listed before their DNSEntries would get entries made a second time.
        if !self.unsynced.is_empty() {
            return wake;
        }
        if let Some(at) = self.planner.poll_timeout() {
            let now = unix_seconds();
            wake = wake.min(Instant::now() + Duration::from_secs(at.saturating_sub(now)));
        }
        for (_, at) in self.retries.values() {
            wake = wake.min(*at);
        }
        if let Some(at) = self.zone_retry {
            wake = wake.min(at);
        }
        if let Some(at) = self.unwritten.due {
            wake = wake.min(at);
        }
        wake
    }

    /// What a timer that fired asks for.
    fn timers(&mut self) {
        let now = Instant::now();
        if self.unwritten.due.is_some_and(|at| at <= now) {
            self.unwritten.due = None;
            self.retry_writes = true;
        }
        if now >= self.next_resync {
            self.next_resync = now + self.settings.resync;
            // Every zone is read again; failed entries are tried at once.
            self.read.clear();
            for (_, at) in self.retries.values_mut() {
                *at = now;
            }
        }
        if self.zone_retry.is_some_and(|at| at <= now) {
            self.zone_retry = None;
        }
        let due: Vec<EntryId> = (self.retries.iter())
            .filter(|(_, (_, at))| *at <= now)
            .map(|(id, _)| id.clone())
            .collect();
        for id in due {
            if let Some((_, at)) = self.retries.get_mut(&id) {
                // Tried again now; the outcome sets the next time, if it fails again.
                *at = now + RETRY_MAX;
            }
            // The zone may have changed meanwhile: it is read before the retry.
            if let Some(change) = self.planned_zone(&id) {
                self.read.remove(&change);
            }
            self.planner.handle_retry(&id);
        }
    }

    /// The provider and zone an entry's planned changes go to.
    fn planned_zone(&mut self, id: &EntryId) -> Option<(String, ZoneId)> {
        let owned = self.planner.planned_ownership(id)?;
        Some((owned.provider.clone(), owned.zone.clone()))
    }

    /// Feeds one watch input to the planner, keeping the driver's view of the DNSEntries.
    fn feed(&mut self, input: Input) {
        self.inputs_taken += 1;
        let input = self.with_created(input);
        if let Input::Applied(object) | Input::Deleted(object) = &input
            && matches!(object.kind(), ObjectKind::DnsProvider | ObjectKind::Secret)
        {
            self.accounts_changed = true;
        }
        if let Input::Relisted(ObjectKind::DnsProvider | ObjectKind::Secret, _) = &input {
            self.accounts_changed = true;
        }
        if let Input::Relisted(kind, objects) = &input {
            Counters::add(&self.counters.relists);
            self.say(format!("listed {}: {}", kind_name(*kind), objects.len()));
            if self.unsynced.remove(kind) && self.unsynced.is_empty() {
                self.settings.health.set_synced();
                self.say("every kind is listed: planning".to_owned());
            }
        }
        // A watch event older than an entry this driver wrote (and fed in at once) would take
        // the planner back to the entry before the write, and have it written again: an
        // older spec has a lower generation.
        if let Input::Applied(Object::DnsEntry(entry)) = &input
            && let Some(known) = self.entries.get(&entry_key(entry))
            && known.metadata.generation > entry.metadata.generation
            && known.metadata.uid == entry.metadata.uid
        {
            return;
        }
        // The entries whose ownership may be taken from their status once they are fed in.
        let mut seen = Vec::new();
        // A source that is gone no longer carries the finalizer this driver put on it (one
        // made again under its name gets it anew).
        if let Input::Deleted(object) = &input
            && !is_target_kind(object.kind())
        {
            let meta = object.metadata();
            let (namespace, name) = (meta.namespace_or_default(), meta.name_or_empty());
            let kind = kind_name(object.kind());
            (self.finalized)
                .retain(|r| !(r.kind == kind && r.namespace == namespace && r.name == name));
        }
        match &input {
            Input::Applied(Object::DnsEntry(entry)) => seen.push(self.entry_seen(entry.clone())),
            Input::Deleted(Object::DnsEntry(entry)) => {
                self.entries.remove(&entry_key(entry));
            }
            Input::Relisted(ObjectKind::DnsEntry, objects) => {
                self.entries.clear();
                for object in objects {
                    if let Object::DnsEntry(entry) = object {
                        seen.push(self.entry_seen(entry.clone()));
                    }
                }
            }
            Input::Invalid(object, message) => {
                self.say(format!(
                    "{} {}/{} is not valid: {message}",
                    object.kind, object.namespace, object.name
                ));
                // The owner of the object learns why nothing happens.
                let event = Event::warning(object.clone(), "Invalid", message.clone());
                let recorder = if is_target_ref(object) {
                    self.target_recorder.clone()
                } else {
                    self.source_recorder.clone()
                };
                let counters = Arc::clone(&self.counters);
                tokio::spawn(async move {
                    if recorder.publish(&event).await.is_ok() {
                        Counters::add(&counters.events);
                    }
                });
            }
            Input::Failed(kind, message) => {
                let waits = if self.unsynced.contains(kind) {
                    " (nothing is planned before every watched kind is listed)"
                } else {
                    ""
                };
                self.say(format!("watch of {}: {message}{waits}", kind_name(*kind)));
            }
            _ => {}
        }
        watch::feed(&mut self.planner, input);
        for id in seen {
            self.bootstrap(&id);
        }
    }

    /// A relist of the DNSEntries is what the API server held when it started: the entries
    /// this driver created since the watch failed and that the list lacks were created after
    /// it (the watch brings them next), and are kept, not taken as gone (the planner would
    /// make them a second time).
    fn with_created(&mut self, input: Input) -> Input {
        match input {
            Input::Failed(ObjectKind::DnsEntry, message) => {
                self.created_since_failure = Some(BTreeSet::new());
                Input::Failed(ObjectKind::DnsEntry, message)
            }
            Input::Relisted(ObjectKind::DnsEntry, mut objects) => {
                let created = self.created_since_failure.take().unwrap_or_default();
                let listed: BTreeSet<(String, String)> = (objects.iter())
                    .filter_map(|o| match o {
                        Object::DnsEntry(e) => Some(entry_key(e)),
                        _ => None,
                    })
                    .collect();
                let kept = (created.iter())
                    .filter(|key| !listed.contains(*key))
                    .filter_map(|key| self.entries.get(key))
                    .map(|e| Object::DnsEntry(e.clone()));
                objects.extend(kept);
                Input::Relisted(ObjectKind::DnsEntry, objects)
            }
            other => other,
        }
    }

    /// A DNSEntry of the target cluster as it is now; its id, whose ownership is to be taken
    /// from the status ([`Driver::bootstrap`]) once the planner has it.
    fn entry_seen(&mut self, entry: DnsEntry) -> EntryId {
        let id = entry_id(&entry);
        self.entries.insert(entry_key(&entry), entry);
        id
    }

    /// The DNSEntry that stands for entry `id`, as last seen or written.
    fn entry_for(&self, id: &EntryId) -> Option<&DnsEntry> {
        let entry = self.planner.entry_of(id)?;
        self.entries.get(&entry_key(entry))
    }

    /// Takes the ownership an entry's status records, once, when its zone is read.
    fn bootstrap(&mut self, id: &EntryId) {
        if self.bootstrapped.contains(id) {
            return;
        }
        let Some(entry) = self.entry_for(id).cloned() else {
            return;
        };
        let status = entry.status.as_ref();
        let (Some(provider), Some(zone)) = (
            status.and_then(|s| s.provider.clone()),
            status.and_then(|s| s.zone.clone()).map(ZoneId::from),
        ) else {
            self.bootstrapped(id);
            return;
        };
        if !self.read.contains(&(provider, zone.clone())) {
            return;
        }
        if !self.planner.observed().owned.contains_key(id) {
            let records = self.planner.observed().zones.get(&zone).cloned();
            let owned = ownership_from_status(&entry, &zone, &records.unwrap_or_default());
            if let Some(owned) = owned.filter(|o| !o.keys.is_empty()) {
                self.planner.handle_owned(id, Some(owned));
            }
        }
        self.bootstrapped(id);
    }

    /// What entry `id` owns is known: a release withheld meanwhile is judged again.
    fn bootstrapped(&mut self, id: &EntryId) {
        self.bootstrapped.insert(id.clone());
        if let Some(object) = self.withheld.remove(id) {
            self.planner.handle_release_withheld(&object);
        }
    }

    /// Whether an entry's finalizer must wait before it goes: its status names a zone of a
    /// provider of this controller that is not read yet, so what it owns is not known (the
    /// planner would let it go as owning nothing, and its records would be left behind).
    fn ownership_unknown(&self, object: &ObjectRef) -> Option<EntryId> {
        let entry = self
            .entries
            .get(&(object.namespace.clone(), object.name.clone()))?;
        let id = entry_id(entry);
        let provider = entry.status.as_ref().and_then(|s| s.provider.as_deref())?;
        let unknown = !self.bootstrapped.contains(&id) && self.accounts.contains_key(provider);
        unknown.then_some(id)
    }

    /// Drains every poll until nothing more comes out, then writes the statuses.
    async fn round(&mut self) {
        Counters::add(&self.counters.rounds);
        // Failed writes go first, when due; what the planner hands out replaces them.
        let retrying = std::mem::take(&mut self.retry_writes);
        let mut statuses: BTreeMap<EntryId, StatusUpdate> = BTreeMap::new();
        if retrying {
            statuses = std::mem::take(&mut self.unwritten.statuses);
            let patches = std::mem::take(&mut self.unwritten.patches);
            self.patch_statuses(patches.into_iter().collect()).await;
            let finalizers = std::mem::take(&mut self.unwritten.finalizers);
            for ((object, finalizer), present) in finalizers {
                self.finalize(&object, &finalizer, present).await;
            }
        }
        let mut first = retrying;
        let mut work = Work::default();
        loop {
            let mut progressed = work.time(PROVIDERS, self.sync_accounts()).await;
            progressed |=
                (work.time(SOURCES, self.write_entries(std::mem::take(&mut first)))).await;
            progressed |= work.time(PROVIDERS, self.provider_statuses()).await;
            progressed |= work.time(ENTRIES, self.read_zones()).await;
            progressed |= work.time(ANNOTATIONS, self.annotation_statuses()).await;
            progressed |= work.time(ENTRIES, self.lookups()).await;
            progressed |= work.time(SOURCES, self.releases()).await;
            progressed |= work.time(PROVIDERS, self.provider_finalizers()).await;
            progressed |= work.time(ENTRIES, self.execute(&mut statuses)).await;
            while let Some(update) = self.planner.poll_status() {
                statuses.insert(update.id.clone(), update);
            }
            if !progressed {
                break;
            }
        }
        // The events of the round, before the statuses they report are written.
        let mut events = Vec::new();
        while let Some(mut event) = self.planner.poll_event() {
            self.name_created(&mut event);
            events.push(event);
        }
        self.created.clear();
        self.record(events);
        let statuses: Vec<StatusUpdate> = statuses.into_values().collect();
        let has_statuses = !statuses.is_empty();
        let start = Instant::now();
        self.write_statuses(statuses).await;
        work.add(ENTRIES, start.elapsed(), has_statuses);
        work.report(&self.settings.metrics);
        self.report_counts();
        if self.unwritten.is_empty() {
            self.unwritten.attempts = 0;
            self.unwritten.due = None;
        } else if self.unwritten.due.is_none() {
            let wait = WRITE_RETRY_BASE * 2u32.saturating_pow(self.unwritten.attempts.min(16));
            self.unwritten.attempts = self.unwritten.attempts.saturating_add(1);
            self.unwritten.due = Some(Instant::now() + wait.min(WRITE_RETRY_MAX));
        }
    }

    /// The entries and providers by state, and the queues, into the metrics.
    fn report_counts(&mut self) {
        let labels = |state: Option<&str>, provider_type: Option<&str>| StateLabels {
            state: state
                .filter(|s| !s.is_empty())
                .unwrap_or("Pending")
                .to_owned(),
            provider_type: (provider_type.filter(|t| !t.is_empty()))
                .unwrap_or("none")
                .to_owned(),
        };
        let mut entries: BTreeMap<StateLabels, i64> = BTreeMap::new();
        let class = &self.settings.config.class;
        let of_class = (self.entries.values())
            .filter(|e| class.matches(e.metadata.annotation(crate::annotations::CLASS)));
        for entry in of_class {
            let status = entry.status.as_ref();
            let key = labels(
                status.and_then(|s| s.state.as_deref()),
                status.and_then(|s| s.provider_type.as_deref()),
            );
            *entries.entry(key).or_default() += 1;
        }
        let mut providers: BTreeMap<StateLabels, i64> = BTreeMap::new();
        for (provider, _) in self.planner.accounts() {
            let key = labels(
                (self.provider_states.get(&provider.metadata.key()))
                    .map(String::as_str)
                    .or_else(|| provider.status.as_ref().and_then(|s| s.state.as_deref())),
                Some(provider.spec.provider_type.as_str()),
            );
            *providers.entry(key).or_default() += 1;
        }
        let metrics = &self.settings.metrics;
        metrics.set_counts(&entries, &providers);
        metrics.queue_depth("inputs", std::mem::take(&mut self.inputs_taken));
        metrics.queue_depth("retries", self.retries.len());
        metrics.queue_depth("writes", self.unwritten.len());
    }

    /// Puts a finalizer on or takes it off an object: whether the object holds it as asked
    /// (`Some(false)`: it is gone, or being deleted and not given one), `None` when the write
    /// failed (it is tried again later).
    async fn finalize(
        &mut self,
        object: &ObjectRef,
        finalizer: &str,
        present: bool,
    ) -> Option<bool> {
        match self.set_finalizer(object, finalizer, present).await {
            Ok(held) => Some(held),
            Err(line) => {
                self.say(line);
                let key = (object.clone(), finalizer.to_owned());
                self.unwritten.finalizers.insert(key, present);
                None
            }
        }
    }

    /// A `DNSEntryCreated` event names the entry by the name the API server gave it (the plan
    /// knows only its `generateName`).
    fn name_created(&self, event: &mut Event) {
        if event.reason != "DNSEntryCreated" {
            return;
        }
        let Some((dns_name, rest)) = event.message.split_once(": ") else {
            return;
        };
        let Some(prefix) =
            (rest.strip_prefix("created entry ")).and_then(|r| r.strip_suffix(" in control plane"))
        else {
            return;
        };
        if let Some(name) = self.created.get(&(prefix.to_owned(), dns_name.to_owned())) {
            event.message = format!("{dns_name}: created entry {name} in control plane");
        }
    }

    /// Builds the backend of every provider of the class that is new or changed, and lists the
    /// zones of the accounts that give them; drops those of providers that are gone.
    async fn sync_accounts(&mut self) -> bool {
        if !std::mem::take(&mut self.accounts_changed) {
            return false;
        }
        let mut changed = Vec::new();
        let mut present = BTreeSet::new();
        for (provider, secret) in self.planner.accounts() {
            let key = provider.metadata.key();
            let fingerprint =
                serde_json::to_string(&(&provider.spec, secret.map(|s| (&s.data, &s.string_data))))
                    .unwrap_or_default();
            present.insert(key.clone());
            if self.accounts.get(&key).map(|a| &a.fingerprint) != Some(&fingerprint) {
                let options =
                    (self.settings.config.provider_options).get(&provider.spec.provider_type);
                let backend = Backend::for_provider(provider, secret, &self.local_zones, options)
                    .map(|b| Measured::new(b, Arc::clone(&self.settings.metrics)));
                changed.push((key, fingerprint, backend));
            }
        }
        let gone: Vec<String> = (self.accounts.keys())
            .filter(|k| !present.contains(*k))
            .cloned()
            .collect();
        for key in &gone {
            self.accounts.remove(key);
            self.read.retain(|(p, _)| p != key);
        }
        let progressed = !changed.is_empty() || !gone.is_empty();
        for (key, fingerprint, backend) in changed {
            self.read.retain(|(p, _)| *p != key);
            if let Ok(backend) = &backend
                && backend.provider_type() == ProviderType::AwsRoute53
            {
                match backend.list_zones().await {
                    Ok(zones) => self.planner.handle_hosted_zones(&key, Some(zones)),
                    Err(e) => {
                        self.say(format!("DNSProvider {key}: {e}"));
                        self.planner.handle_hosted_zones(&key, Some(Vec::new()));
                    }
                }
            }
            self.accounts.insert(
                key,
                Account {
                    fingerprint,
                    backend,
                },
            );
        }
        progressed
    }

    /// Reads every zone a provider selects that is not read yet, and takes the ownership the
    /// entries in it record.
    async fn read_zones(&mut self) -> bool {
        if self.zone_retry.is_some() {
            return false;
        }
        let mut wanted = Vec::new();
        for (provider, zones) in &self.selected {
            for zone in zones {
                if !self.read.contains(&(provider.clone(), zone.clone())) {
                    wanted.push((provider.clone(), zone.clone()));
                }
            }
        }
        let mut progressed = false;
        let mut names: Option<BTreeSet<crate::DnsName>> = None;
        for (provider, zone) in wanted {
            let Some(Ok(backend)) = self.accounts.get(&provider).map(|a| &a.backend) else {
                continue;
            };
            let read = match backend.read_zone(&zone, None).await {
                Err(BackendError::TransferRefused { .. }) => {
                    let names =
                        names.get_or_insert_with(|| self.planner.names().cloned().collect());
                    backend.read_zone(&zone, Some(names)).await
                }
                read => read,
            };
            match read {
                Ok(records) => {
                    self.planner.handle_zone(zone.as_str(), records);
                    self.read.insert((provider, zone.clone()));
                    progressed = true;
                    let waiting: Vec<EntryId> = (self.entries.values())
                        .filter(|e| {
                            e.status.as_ref().and_then(|s| s.zone.as_deref()) == Some(zone.as_str())
                        })
                        .map(entry_id)
                        .collect();
                    for id in waiting {
                        self.bootstrap(&id);
                    }
                }
                Err(e) => {
                    self.say(format!("DNSProvider {provider}: zone {zone}: {e}"));
                    self.zone_retry = Some(Instant::now() + ZONE_RETRY);
                }
            }
        }
        progressed
    }

    /// Writes the statuses of the DNSProviders, and notes the zones each selects.
    async fn provider_statuses(&mut self) -> bool {
        let updates: Vec<_> = std::iter::from_fn(|| self.planner.poll_provider_status()).collect();
        if updates.is_empty() {
            return false;
        }
        let mut writes = Vec::new();
        let write = self.settings.controllers.providers;
        for update in updates {
            let key = format!("{}/{}", update.provider.namespace, update.provider.name);
            let zones = (update.status.as_ref())
                .and_then(|s| s.zones.as_ref())
                .map(|z| {
                    z.included
                        .iter()
                        .map(|z| ZoneId::from(z.as_str()))
                        .collect()
                });
            match update.status.as_ref().and_then(|s| s.state.clone()) {
                Some(state) => self.provider_states.insert(key.clone(), state),
                None => self.provider_states.remove(&key),
            };
            match zones {
                Some(zones) => {
                    self.selected.insert(key.clone(), zones);
                }
                None => {
                    self.selected.remove(&key);
                }
            }
            let Some(status) = update.status.filter(|_| write) else {
                continue;
            };
            // Only providers of the class get a status from this controller.
            let Some(shown) = (self.planner.accounts())
                .find(|(p, _)| p.metadata.key() == key)
                .map(|(p, _)| p.status.clone())
            else {
                continue;
            };
            let old = serde_json::to_value(&shown).unwrap_or(Value::Null);
            let new = serde_json::to_value(&status).unwrap_or(Value::Null);
            if let Some(patch) = merge_diff(&old, &new) {
                writes.push((update.provider, patch));
            }
        }
        self.patch_statuses(writes).await;
        true
    }

    /// Writes the statuses of the DNSAnnotations.
    async fn annotation_statuses(&mut self) -> bool {
        let mut writes = Vec::new();
        let write = self.settings.controllers.annotations;
        while let Some(update) = self.planner.poll_annotation_status() {
            if let Some(status) = update.status.filter(|_| write) {
                let status = serde_json::to_value(&status).unwrap_or(Value::Null);
                writes.push((update.annotation, status));
            }
        }
        let progressed = !writes.is_empty();
        self.patch_statuses(writes).await;
        progressed
    }

    /// Patches the `status` of each object with its merge patch, side by side.
    async fn patch_statuses(&mut self, writes: Vec<(ObjectRef, Value)>) {
        let results: Vec<Patched> = stream::iter(writes)
            .map(|(object, patch)| {
                let api = self.api_of(&object);
                let counters = Arc::clone(&self.counters);
                let trace = self.settings.log_writes;
                async move {
                    let Some(api) = api else {
                        return (None, None);
                    };
                    let body = serde_json::json!({ "status": patch });
                    let line = format!(
                        "write: status of {} {}/{}: {body}",
                        object.kind, object.namespace, object.name
                    );
                    let params = PatchParams::default();
                    match api
                        .patch_status(&object.name, &params, &Patch::Merge(&body))
                        .await
                    {
                        Ok(_) => {
                            Counters::add(&counters.statuses);
                            (trace.then_some(line), None)
                        }
                        Err(kube::Error::Api(e)) if e.code == 404 => (None, None),
                        Err(e) => (
                            Some(format!(
                                "failed to update status of {} {}/{}: {}",
                                object.kind,
                                object.namespace,
                                object.name,
                                super::describe(&e)
                            )),
                            Some((object, patch)),
                        ),
                    }
                }
            })
            .buffer_unordered(PARALLEL_WRITES)
            .collect()
            .await;
        for (line, failed) in results {
            if let Some(line) = line {
                self.say(line);
            }
            if let Some((object, patch)) = failed {
                self.unwritten.patches.insert(object, patch);
            }
        }
    }

    /// The API of an object's kind in its namespace, in the cluster it lives in.
    fn api_of(&self, object: &ObjectRef) -> Option<Api<DynamicObject>> {
        let resource = self.resources.by_ref(object)?;
        let client = if is_target_ref(object) {
            &self.target
        } else {
            &self.source
        };
        Some(Api::namespaced_with(
            client.clone(),
            &object.namespace,
            resource,
        ))
    }

    /// Creates, patches and deletes the generated entries the planner asks for; the entries
    /// created or patched go back to the planner at once, all together (as the cluster holds
    /// them all at once).
    async fn write_entries(&mut self, retrying: bool) -> bool {
        let mut writes: Vec<_> = std::iter::from_fn(|| self.planner.poll_entry_write()).collect();
        // Failed writes go too, unless one for the same object replaces them.
        let failed = std::mem::take(&mut self.unwritten.entries);
        // Creates tried again: the first try may have reached the server with only its answer
        // lost; the server is asked before creating a second entry.
        let mut retried = BTreeSet::new();
        if retrying {
            let fresh: BTreeSet<_> = writes.iter().map(write_key).collect();
            for (key, write) in failed.into_iter().filter(|(k, _)| !fresh.contains(k)) {
                retried.insert(key);
                writes.push(write);
            }
        } else {
            self.unwritten.entries = failed;
            for write in &writes {
                self.unwritten.entries.remove(&write_key(write));
            }
        }
        if writes.is_empty() {
            return false;
        }
        let Some(resource) = self.resources.of(ObjectKind::DnsEntry).cloned() else {
            return true;
        };
        if !self.settings.controllers.sources {
            return true;
        }
        // For each write: the sources it is for, and whether it deletes.
        let purposes: Vec<(Vec<ObjectRef>, bool)> = (writes.iter())
            .map(|write| match write {
                EntryWrite::Apply(entry) => (self.owners_of(entry), false),
                EntryWrite::Delete(entry) => (self.owners_of(entry), true),
            })
            .collect();
        // A source gets its finalizer before its first entry is created (as Gardener): deleted
        // in between, it would leave the entry behind. One that is gone or being deleted by
        // then gets no new entry, for the same reason.
        let creates = |write: &EntryWrite| matches!(write, EntryWrite::Apply(entry) if entry.metadata.name.is_none());
        let creating: BTreeSet<ObjectRef> = (writes.iter().zip(&purposes))
            .filter(|(write, _)| creates(write))
            .flat_map(|(_, (owners, _))| owners.iter().cloned())
            .collect();
        let gone = self.finalize_sources(creating).await;
        let (writes, purposes): (Vec<EntryWrite>, Vec<(Vec<ObjectRef>, bool)>) =
            (writes.into_iter().zip(purposes))
                .filter(|(write, (owners, _))| {
                    !creates(write) || owners.is_empty() || !owners.iter().all(|o| gone.contains(o))
                })
                .unzip();
        let jobs: Vec<(EntryWrite, Option<DnsEntry>)> = (writes.into_iter())
            .map(|write| {
                let shown = match &write {
                    EntryWrite::Apply(entry) | EntryWrite::Delete(entry) => {
                        (entry.metadata.name.as_ref())
                            .and_then(|_| self.entries.get(&entry_key(entry)))
                            .cloned()
                    }
                };
                (write, shown)
            })
            .collect();
        let copies: Vec<EntryWrite> = jobs.iter().map(|(w, _)| w.clone()).collect();
        let deleted: Vec<Option<(String, String)>> = (jobs.iter())
            .map(|(write, _)| match write {
                EntryWrite::Delete(entry) => Some(entry_key(entry)),
                EntryWrite::Apply(_) => None,
            })
            .collect();
        let client = self.target.clone();
        let manager = self.settings.manager.clone();
        let results: Vec<Result<Option<DnsEntry>, String>> = stream::iter(jobs)
            .map(|(write, shown)| {
                let api: Api<DynamicObject> =
                    Api::namespaced_with(client.clone(), &namespace_of(&write), &resource);
                let counters = Arc::clone(&self.counters);
                let manager = manager.clone();
                let resource = resource.clone();
                let retried = retried.contains(&write_key(&write));
                async move {
                    if retried && let Some(found) = existing(&api, &resource, &write).await {
                        return Ok(Some(found));
                    }
                    write_entry(&api, &resource, write, shown, &manager, &counters).await
                }
            })
            .buffered(PARALLEL_WRITES)
            .collect()
            .await;
        let mut written = Vec::new();
        let mut finalize = BTreeSet::new();
        let mut emptied = BTreeSet::new();
        for (((result, (owners, deletes)), key), copy) in
            (results.into_iter().zip(purposes).zip(deleted)).zip(copies)
        {
            match result {
                Ok(entry) => {
                    // A delete that gives no entry back: gone at once (no finalizer held it).
                    let vanished = entry.is_none();
                    if let Some(entry) = entry {
                        written.push((entry, creates(&copy)));
                    }
                    if deletes {
                        // The planner learns it now, not when the watch tells (it would plan
                        // for the entry meanwhile).
                        if let Some(key) = key
                            && let Some(old) = self.entries.remove(&key)
                            && vanished
                        {
                            self.planner.handle_deleted(&Object::DnsEntry(old));
                        }
                        emptied.extend(owners);
                    } else {
                        finalize.extend(owners);
                    }
                }
                Err(line) => {
                    self.say(line);
                    self.unwritten.entries.insert(write_key(&copy), copy);
                }
            }
        }
        for (entry, create) in written {
            // The `DNSEntryCreated` events name what was created, not what was patched.
            if let (true, Some(prefix), Some(name)) =
                (create, &entry.metadata.generate_name, &entry.metadata.name)
            {
                let key = (prefix.clone(), entry.spec.dns_name.clone());
                self.created.insert(key, name.clone());
                if let Some(created) = &mut self.created_since_failure {
                    created.insert(entry_key(&entry));
                }
            }
            let id = self.entry_seen(entry.clone());
            self.planner.handle_applied(Object::DnsEntry(entry));
            self.bootstrap(&id);
        }
        self.source_finalizers(finalize, emptied).await;
        true
    }

    /// The source objects an entry names as its owners (by reference, else by the owners
    /// annotation), as the watched kinds serve them.
    fn owners_of(&self, entry: &DnsEntry) -> Vec<ObjectRef> {
        let namespace = entry.metadata.namespace_or_default();
        let mut owners: Vec<ObjectRef> = (entry.metadata.owner_references.iter())
            .map(|o| ObjectRef::new(&o.api_version, &o.kind, namespace, &o.name))
            .collect();
        if owners.is_empty() {
            for owner in crate::sources::annotated_owners(entry) {
                let resource = (self.resources.watched.iter())
                    .find(|w| w.resource.group == owner.group && w.resource.kind == owner.kind);
                if let Some(watched) = resource {
                    let api_version = &watched.resource.api_version;
                    owners.push(ObjectRef::new(
                        api_version,
                        owner.kind,
                        owner.namespace,
                        owner.name,
                    ));
                }
            }
        }
        owners.retain(|o| crate::sources::SourceKind::of(&o.api_version, &o.kind).is_some());
        owners
    }

    /// Puts the source finalizer on the sources that got entries (docs/sources.md §2.5), once
    /// each, and takes it off those whose entries were all deleted.
    async fn source_finalizers(
        &mut self,
        finalize: BTreeSet<ObjectRef>,
        emptied: BTreeSet<ObjectRef>,
    ) {
        self.finalize_sources(finalize).await;
        for source in emptied {
            let left = (self.entries.values())
                .filter(|e| !e.metadata.is_deleting())
                .any(|e| self.owners_of(e).contains(&source));
            if left {
                continue;
            }
            if let Some(finalizer) = self.source_finalizer(&source)
                && self.finalize(&source, &finalizer, false).await.is_some()
            {
                self.finalized.remove(&source);
            }
        }
    }

    /// Puts the source finalizer on `sources` (each once); gives those that are gone or being
    /// deleted. A write that fails is tried again later.
    async fn finalize_sources(&mut self, sources: BTreeSet<ObjectRef>) -> BTreeSet<ObjectRef> {
        let mut gone = BTreeSet::new();
        for source in sources {
            if self.finalized.contains(&source) {
                continue;
            }
            let Some(finalizer) = self.source_finalizer(&source) else {
                continue;
            };
            match self.finalize(&source, &finalizer, true).await {
                Some(true) => {
                    self.finalized.insert(source);
                }
                Some(false) => {
                    gone.insert(source);
                }
                None => {}
            }
        }
        gone
    }

    /// The finalizer of a source object's kind and the source class.
    fn source_finalizer(&self, source: &ObjectRef) -> Option<String> {
        let kind = crate::sources::SourceKind::of(&source.api_version, &source.kind)?;
        let class = &self.settings.config.source.source_class;
        Some(class.source_finalizer(kind.finalizer_local_name()))
    }

    /// Looks up the host names entries wait for.
    async fn lookups(&mut self) -> bool {
        let now = unix_seconds();
        let hosts: Vec<_> = std::iter::from_fn(|| self.planner.poll_lookup(now)).collect();
        if hosts.is_empty() {
            return false;
        }
        let answers: Vec<_> = stream::iter(hosts)
            .map(|host| async move {
                let answer = tokio::net::lookup_host((host.as_str().trim_end_matches('.'), 0))
                    .await
                    .ok()
                    .map(|addresses| {
                        let mut ips: Vec<_> = addresses.map(|a| a.ip()).collect();
                        ips.sort();
                        ips.dedup();
                        ips
                    });
                (host, answer)
            })
            .buffer_unordered(PARALLEL_WRITES)
            .collect()
            .await;
        for (host, answer) in answers {
            self.planner.handle_lookup(host, answer, now);
        }
        true
    }

    /// Removes the finalizers of objects whose deletion may go on.
    async fn releases(&mut self) -> bool {
        let releases: Vec<_> = std::iter::from_fn(|| self.planner.poll_finalizer()).collect();
        if releases.is_empty() {
            return false;
        }
        let mut progressed = false;
        for release in releases {
            let (object, finalizer) = match release {
                FinalizerRelease::Entry(object) => {
                    if let Some(id) = self.ownership_unknown(&object) {
                        self.withheld.insert(id, object);
                        continue;
                    }
                    (object, self.settings.config.class.compound_finalizer())
                }
                FinalizerRelease::Source(object) => {
                    let Some(finalizer) = self.source_finalizer(&object) else {
                        continue;
                    };
                    self.finalized.remove(&object);
                    (object, finalizer)
                }
            };
            self.finalize(&object, &finalizer, false).await;
            progressed = true;
        }
        progressed
    }

    /// The DNSProviders of the class and their Secrets carry the class's finalizer
    /// (docs/entries-and-providers.md §6); a provider being deleted loses it, and its Secret too
    /// when no other provider of the class uses it, once no entry (but fully ignored ones) names
    /// the provider in its status (§4.6).
    async fn provider_finalizers(&mut self) -> bool {
        if !self.settings.controllers.providers {
            return false;
        }
        let finalizer = self.settings.config.class.compound_finalizer();
        let api_version = crate::api::DNS_API_VERSION;
        let mut puts = Vec::new();
        let mut takes = Vec::new();
        let mut secrets_in_use = BTreeSet::new();
        for (provider, secret) in self.planner.accounts() {
            let key = provider.metadata.key();
            let namespace = provider.metadata.namespace_or_default();
            let provider_ref = ObjectRef::new(
                api_version,
                "DNSProvider",
                namespace,
                provider.metadata.name_or_empty(),
            );
            let secret_ref = secret
                .map(|s| ObjectRef::new("v1", "Secret", namespace, s.metadata.name_or_empty()));
            if !provider.metadata.is_deleting() {
                if let Some(secret) = &secret_ref {
                    secrets_in_use.insert(secret.clone());
                }
                if self.providers_finalized.insert(key.clone()) {
                    let has = |f: &Vec<String>| f.contains(&finalizer);
                    if !has(&provider.metadata.finalizers) {
                        puts.push(provider_ref);
                    }
                    if let (Some(secret), Some(secret_ref)) = (secret, secret_ref)
                        && !has(&secret.metadata.finalizers)
                    {
                        puts.push(secret_ref);
                    }
                }
                continue;
            }
            if self.providers_released.contains(&key) {
                continue;
            }
            let fully_ignored = |e: &DnsEntry| {
                let meta = &e.metadata;
                meta.annotation(crate::annotations::TARGET_HARD_IGNORE) == Some("true")
                    || meta.annotation(crate::annotations::IGNORE) == Some("full")
            };
            let assigned = (self.entries.values())
                .filter(|e| !fully_ignored(e))
                .any(|e| {
                    e.status.as_ref().and_then(|s| s.provider.as_deref()) == Some(key.as_str())
                });
            if !assigned {
                takes.push((key, provider_ref, secret_ref));
            }
        }
        let progressed = !puts.is_empty() || !takes.is_empty();
        for object in puts {
            self.finalize(&object, &finalizer, true).await;
        }
        for (key, provider, secret) in takes {
            let mut done = self.finalize(&provider, &finalizer, false).await.is_some();
            if let Some(secret) = secret.filter(|s| !secrets_in_use.contains(s)) {
                done &= self.finalize(&secret, &finalizer, false).await.is_some();
            }
            if done {
                self.providers_released.insert(key.clone());
                self.providers_finalized.remove(&key);
            }
        }
        progressed
    }

    /// Adds or removes `finalizer` on `object` (read afresh; a conflict is tried again from a
    /// fresh read).
    async fn set_finalizer(
        &self,
        object: &ObjectRef,
        finalizer: &str,
        present: bool,
    ) -> Result<bool, String> {
        let api = self
            .api_of(object)
            .ok_or_else(|| format!("{} {} is not served", object.api_version, object.kind))?;
        set_finalizer(&api, &object.name, finalizer, present, &self.counters)
            .await
            .map_err(|e| {
                let verb = if present { "add" } else { "remove" };
                format!(
                    "failed to {verb} finalizer from {} {}/{}: {}",
                    object.kind,
                    object.namespace,
                    object.name,
                    super::describe(&e)
                )
            })
    }

    /// Executes the planned changes whose zones are read, feeds the outcomes back and settles
    /// them; failed entries are tried again after a backoff. `statuses` are the round's entry
    /// statuses not written yet: an entry whose status does not yet record the record sets its
    /// changes write gets its planned status (and its finalizer) first, so that a controller
    /// killed between the records and the status finds them recorded as the entry's.
    async fn execute(&mut self, statuses: &mut BTreeMap<EntryId, StatusUpdate>) -> bool {
        let mut ready_sets = Vec::new();
        let sets: Vec<_> = std::iter::from_fn(|| self.planner.poll_change_set()).collect();
        if !self.settings.controllers.entries {
            return false;
        }
        for set in sets {
            let ready = (set.changes.iter())
                .all(|c| self.read.contains(&(c.provider.clone(), c.zone.clone())));
            if ready {
                ready_sets.push(set);
            } else if !set.changes.is_empty() {
                // Changes into a zone not read yet wait for it (or for the next resync).
                self.retry_within(set.entry, ZONE_RETRY);
            }
        }
        if ready_sets.is_empty() {
            return false;
        }
        // The statuses planned with these changes.
        while let Some(update) = self.planner.poll_status() {
            statuses.insert(update.id.clone(), update);
        }
        let unrecorded: Vec<EntryId> = (ready_sets.iter())
            .filter(|set| !self.recorded(&set.entry, &set.changes))
            .map(|set| set.entry.clone())
            .collect();
        let ahead: Vec<StatusUpdate> = (unrecorded.iter())
            .filter_map(|id| {
                statuses
                    .remove(id)
                    .or_else(|| self.unwritten.statuses.remove(id))
            })
            .collect();
        if !ahead.is_empty() {
            self.write_statuses(ahead).await;
        }
        let mut taken: Vec<Change> = Vec::new();
        for set in ready_sets {
            if self.recorded(&set.entry, &set.changes) {
                taken.extend(set.changes);
            } else {
                // Its status could not be written: the records wait for it.
                self.retry_within(set.entry, WRITE_RETRY_BASE);
            }
        }
        if taken.is_empty() {
            return true;
        }
        crate::zones::sort_changes(&mut taken);
        let backends: BTreeMap<String, Result<&Measured<Backend>, BackendError>> =
            (self.accounts.iter())
                .map(|(k, a)| (k.clone(), a.backend.as_ref().map_err(Clone::clone)))
                .collect();
        let outcomes = backends::execute(&mut self.planner, &backends, &taken).await;
        self.planner.handle_settled();
        let now = Instant::now();
        let mut failed = BTreeSet::new();
        for (change, outcome) in taken.iter().zip(&outcomes) {
            if let ChangeOutcome::Failed(failure) = outcome {
                failed.insert(change.entry.clone());
                let action = match change.action {
                    Action::Delete => "delete",
                    _ => "write",
                };
                self.say(format!(
                    "{} {} {} in zone {}: {failure}",
                    change.entry,
                    action,
                    change.key().owner.dns_name,
                    change.zone
                ));
            }
        }
        for change in &taken {
            if !failed.contains(&change.entry) {
                self.retries.remove(&change.entry);
            }
        }
        for id in failed {
            let attempts = self.retries.get(&id).map_or(0, |(n, _)| *n);
            let wait = (RETRY_BASE * 2u32.saturating_pow(attempts)).min(RETRY_MAX);
            self.retries
                .insert(id, (attempts.saturating_add(1), now + wait));
        }
        true
    }

    /// Hands out the changes of `id` again within `wait` at the latest (changes held back, not
    /// failed: the count of failures stays as it is).
    fn retry_within(&mut self, id: EntryId, wait: Duration) {
        let at = Instant::now() + wait;
        let slot = self.retries.entry(id).or_insert((0, at));
        slot.1 = slot.1.min(at);
    }

    /// Whether the status of entry `id`, as written, records every record set that `changes`
    /// write as the entry's ([`ownership_from_status`]): then a controller that starts after
    /// the changes take them as the entry's. Without a DNSEntry (one not created yet, or
    /// record sets an entry left behind) only deletes are.
    fn recorded(&self, id: &EntryId, changes: &[Change]) -> bool {
        let Some(entry) = self.entry_for(id) else {
            return changes.iter().all(|change| change.action == Action::Delete);
        };
        changes
            .iter()
            .filter(|change| change.action != Action::Delete)
            .all(|change| {
                let Some(set) = change.new_set.clone() else {
                    return true;
                };
                let key = change.key();
                let records = std::iter::once((key.clone(), set)).collect();
                ownership_from_status(entry, &change.zone, &records).is_some_and(|owned| {
                    owned.provider == change.provider && owned.keys.contains(&key)
                })
            })
    }

    /// Records the events on their objects, side by side.
    fn record(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        for event in &events {
            let object = &event.involved_object;
            self.say(format!(
                "{} {}/{}: {:?} {} {}",
                object.kind,
                object.namespace,
                object.name,
                event.event_type,
                event.reason,
                event.message
            ));
        }
        // Published on a task of their own: no write waits for an Event.
        let counters = Arc::clone(&self.counters);
        let (source, target) = (self.source_recorder.clone(), self.target_recorder.clone());
        let (log, json) = (self.log.clone(), self.settings.log_json);
        tokio::spawn(async move {
            let results: Vec<Option<String>> = stream::iter(events)
                .map(|event| {
                    let recorder = if is_target_ref(&event.involved_object) {
                        &target
                    } else {
                        &source
                    };
                    let counters = &counters;
                    async move {
                        match recorder.publish(&event).await {
                            Ok(()) => {
                                Counters::add(&counters.events);
                                None
                            }
                            Err(e) => Some(format!(
                                "event {} on {} {}/{}: {}",
                                event.reason,
                                event.involved_object.kind,
                                event.involved_object.namespace,
                                event.involved_object.name,
                                super::describe(&e)
                            )),
                        }
                    }
                })
                .buffered(PARALLEL_WRITES)
                .collect()
                .await;
            for line in results.into_iter().flatten() {
                match &log {
                    Some(log) => {
                        let _ = log.send(line);
                    }
                    None => eprintln!("{}", log_line(&line, json)),
                }
            }
        });
    }

    /// Writes the entries' statuses that differ from what the entries show, and puts on or
    /// takes off their finalizer as the status asks.
    async fn write_statuses(&mut self, updates: Vec<StatusUpdate>) {
        let finalizer = self.settings.config.class.compound_finalizer();
        let mut jobs = Vec::new();
        let updates = updates
            .into_iter()
            .filter(|_| self.settings.controllers.entries);
        for update in updates {
            let key = self.entry_for(&update.id).map(entry_key).or_else(|| {
                let r = &update.entry;
                let key = (r.namespace.clone(), r.name.clone());
                self.entries.contains_key(&key).then_some(key)
            });
            let Some(entry) = key.and_then(|k| self.entries.get(&k)) else {
                // Not created yet: when its creation failed, the status waits for it.
                if !self.unwritten.entries.is_empty() {
                    self.unwritten.statuses.insert(update.id.clone(), update);
                }
                continue;
            };
            let old = serde_json::to_value(&entry.status).unwrap_or(Value::Null);
            let new = serde_json::to_value(&update.status).unwrap_or(Value::Null);
            let patch = merge_diff(&old, &new);
            let has = entry.metadata.finalizers.contains(&finalizer);
            let wants = wants_entry_finalizer(entry, &update.status).filter(|w| *w != has);
            if patch.is_none() && wants.is_none() {
                continue;
            }
            jobs.push((entry.clone(), update, patch, wants));
        }
        let Some(resource) = self.resources.of(ObjectKind::DnsEntry).cloned() else {
            return;
        };
        let client = self.target.clone();
        let results: Vec<(Option<DnsEntry>, Vec<String>, Option<StatusUpdate>)> =
            stream::iter(jobs)
                .map(|(mut entry, update, patch, wants)| {
                    let api: Api<DynamicObject> = Api::namespaced_with(
                        client.clone(),
                        entry.metadata.namespace_or_default(),
                        &resource,
                    );
                    let counters = Arc::clone(&self.counters);
                    let finalizer = finalizer.clone();
                    let trace = self.settings.log_writes;
                    async move {
                        let name = entry.metadata.name_or_empty().to_owned();
                        let mut problems = Vec::new();
                        let mut failed = false;
                        if let Some(patch) = patch {
                            let body = serde_json::json!({ "status": patch });
                            let params = PatchParams::default();
                            match api.patch_status(&name, &params, &Patch::Merge(&body)).await {
                                Ok(_) => {
                                    Counters::add(&counters.statuses);
                                    if trace {
                                        problems.push(format!(
                                            "write: status of DNSEntry {}/{name}: {body}",
                                            entry.metadata.namespace_or_default()
                                        ));
                                    }
                                    entry.status = Some(update.status.clone());
                                }
                                // Gone meanwhile (its deletion finished): nothing to report.
                                Err(kube::Error::Api(e)) if e.code == 404 => {
                                    return (None, problems, None);
                                }
                                Err(e) => {
                                    failed = true;
                                    problems.push(format!(
                                        "failed to update status of DNSEntry {}/{name}: {}",
                                        entry.metadata.namespace_or_default(),
                                        super::describe(&e)
                                    ));
                                }
                            }
                        }
                        if let Some(wants) = wants {
                            match set_finalizer(&api, &name, &finalizer, wants, &counters).await {
                                Ok(_) => {
                                    entry.metadata.finalizers.retain(|f| *f != finalizer);
                                    if wants {
                                        entry.metadata.finalizers.push(finalizer);
                                    }
                                }
                                Err(e) => {
                                    failed = true;
                                    problems.push(format!(
                                        "failed to {} finalizer of DNSEntry {}/{name}: {}",
                                        if wants { "add" } else { "remove" },
                                        entry.metadata.namespace_or_default(),
                                        super::describe(&e)
                                    ));
                                }
                            }
                        }
                        (Some(entry), problems, failed.then_some(update))
                    }
                })
                .buffer_unordered(PARALLEL_WRITES)
                .collect()
                .await;
        for (entry, problems, failed) in results {
            for line in problems {
                self.say(line);
            }
            if let Some(update) = failed {
                self.unwritten.statuses.insert(update.id.clone(), update);
            }
            // The driver's view follows what it wrote; the watch brings the same.
            if let Some(entry) = entry {
                self.entries.insert(entry_key(&entry), entry);
            }
        }
    }
}

/// The entry a create is for, when the server holds it already (an earlier try of the create
/// reached the server and only its answer was lost): found by its entry id.
async fn existing(
    api: &Api<DynamicObject>,
    resource: &ApiResource,
    write: &EntryWrite,
) -> Option<DnsEntry> {
    let EntryWrite::Apply(entry) = write else {
        return None;
    };
    if entry.metadata.name.is_some() {
        return None;
    }
    let id = entry_id(entry);
    let list = api.list(&kube::api::ListParams::default()).await.ok()?;
    (list.items.into_iter())
        .filter_map(|object| decoded(resource, object))
        .find(|found| entry_id(found) == id)
}

/// One write of a generated entry; the entry as the server holds it afterwards when it was
/// created or patched.
async fn write_entry(
    api: &Api<DynamicObject>,
    resource: &ApiResource,
    write: EntryWrite,
    shown: Option<DnsEntry>,
    manager: &str,
    counters: &Counters,
) -> Result<Option<DnsEntry>, String> {
    match write {
        EntryWrite::Apply(entry) => {
            let namespace = entry.metadata.namespace_or_default().to_owned();
            match (&entry.metadata.name, shown) {
                (Some(name), Some(shown)) => {
                    let old = writable(&shown);
                    let new = writable(&entry);
                    let Some(patch) = merge_diff(&old, &new) else {
                        return Ok(None);
                    };
                    let params = PatchParams {
                        field_manager: Some(manager.to_owned()),
                        ..PatchParams::default()
                    };
                    let patched = api.patch(name, &params, &Patch::Merge(&patch)).await;
                    let patched = patched.map_err(|e| {
                        format!(
                            "failed to patch DNSEntry {namespace}/{name}: {}",
                            super::describe(&e)
                        )
                    })?;
                    Counters::add(&counters.patches);
                    Ok(decoded(resource, patched))
                }
                (Some(name), None) => Err(format!(
                    "DNSEntry {namespace}/{name} is not known to the controller: not patched"
                )),
                (None, _) => {
                    let mut value = writable(&entry);
                    value["apiVersion"] = resource.api_version.clone().into();
                    value["kind"] = resource.kind.clone().into();
                    let object: DynamicObject = serde_json::from_value(value)
                        .map_err(|e| format!("failed to create DNSEntry: {e}"))?;
                    let params = PostParams {
                        field_manager: Some(manager.to_owned()),
                        ..PostParams::default()
                    };
                    let created = (api.create(&params, &object).await).map_err(|e| {
                        format!("failed to create DNSEntry: {}", super::describe(&e))
                    })?;
                    Counters::add(&counters.creates);
                    Ok(decoded(resource, created))
                }
            }
        }
        EntryWrite::Delete(entry) => {
            let Some(name) = entry.metadata.name.as_deref() else {
                return Ok(None);
            };
            match api.delete(name, &DeleteParams::default()).await {
                Ok(deleted) => {
                    Counters::add(&counters.deletes);
                    // Held by its finalizer: the entry as it is now, being deleted.
                    Ok(deleted.left().and_then(|object| decoded(resource, object)))
                }
                Err(kube::Error::Api(s)) if s.code == 404 => Ok(None),
                Err(e) => Err(format!(
                    "failed to delete obsolete owned DNSEntry {}/{name}: {}",
                    entry.metadata.namespace_or_default(),
                    super::describe(&e)
                )),
            }
        }
    }
}

/// The fields of an entry a source controller writes: metadata (labels, annotations, owners,
/// name or generateName, namespace) and spec; never the status.
fn writable(entry: &DnsEntry) -> Value {
    let mut value = serde_json::to_value(entry).unwrap_or(Value::Null);
    if let Some(fields) = value.as_object_mut() {
        fields.remove("status");
        if let Some(Value::Object(meta)) = fields.get_mut("metadata") {
            for server in [
                "uid",
                "generation",
                "creationTimestamp",
                "deletionTimestamp",
                "finalizers",
            ] {
                meta.remove(server);
            }
        }
    }
    value
}

/// A DynamicObject of the cluster as the core's DNSEntry.
fn decoded(resource: &ApiResource, object: DynamicObject) -> Option<DnsEntry> {
    match watch::decode(resource, object) {
        Ok(Object::DnsEntry(entry)) => Some(entry),
        _ => None,
    }
}

/// Adds or removes `finalizer` on the object `name` of `api`, read afresh, with the read's
/// resourceVersion (a conflict reads again, up to five times). No write when it is already so.
async fn set_finalizer(
    api: &Api<DynamicObject>,
    name: &str,
    finalizer: &str,
    present: bool,
    counters: &Counters,
) -> Result<bool, kube::Error> {
    let mut attempt = 0;
    loop {
        let object = match api.get(name).await {
            Ok(object) => object,
            // Gone: nothing to hold.
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(false),
            Err(e) => return Err(e),
        };
        let mut finalizers = object.metadata.finalizers.clone().unwrap_or_default();
        let has = finalizers.iter().any(|f| f == finalizer);
        // An object being deleted gets no finalizer.
        if present && object.metadata.deletion_timestamp.is_some() {
            return Ok(false);
        }
        if has == present {
            return Ok(true);
        }
        if present {
            finalizers.push(finalizer.to_owned());
        } else {
            finalizers.retain(|f| f != finalizer);
        }
        let patch = serde_json::json!({"metadata": {
            "finalizers": finalizers,
            "resourceVersion": object.metadata.resource_version,
        }});
        match api
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => {
                Counters::add(&counters.finalizers);
                return Ok(true);
            }
            Err(kube::Error::Api(s)) if s.code == 409 && attempt < 5 => attempt += 1,
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(false),
            Err(e) => return Err(e),
        }
    }
}

/// The JSON merge patch (RFC 7386) that turns `old` into `new`, `None` when they are equal: a
/// field that is gone is `null`, an object is patched field by field, anything else replaced.
pub fn merge_diff(old: &Value, new: &Value) -> Option<Value> {
    if old == new {
        return None;
    }
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            let mut patch = serde_json::Map::new();
            for (key, value) in new {
                let before = old.get(key).unwrap_or(&Value::Null);
                if let Some(change) = merge_diff(before, value) {
                    patch.insert(key.clone(), change);
                }
            }
            for key in old.keys().filter(|k| !new.contains_key(*k)) {
                patch.insert(key.clone(), Value::Null);
            }
            Some(Value::Object(patch))
        }
        _ => Some(new.clone()),
    }
}

fn entry_key(entry: &DnsEntry) -> (String, String) {
    (
        entry.metadata.namespace_or_default().to_owned(),
        entry.metadata.name_or_empty().to_owned(),
    )
}

fn namespace_of(write: &EntryWrite) -> String {
    match write {
        EntryWrite::Apply(entry) | EntryWrite::Delete(entry) => {
            entry.metadata.namespace_or_default().to_owned()
        }
    }
}

/// Whether a kind lives in the target cluster (where entries are processed).
fn is_target_kind(kind: ObjectKind) -> bool {
    matches!(
        kind,
        ObjectKind::DnsEntry | ObjectKind::DnsProvider | ObjectKind::Secret
    )
}

fn is_target_ref(object: &ObjectRef) -> bool {
    matches!(object.kind.as_str(), "DNSEntry" | "DNSProvider" | "Secret")
        && (object.api_version == crate::api::DNS_API_VERSION || object.api_version == "v1")
}

fn kind_name(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Service => "Service",
        ObjectKind::Ingress => "Ingress",
        ObjectKind::DnsEntry => "DNSEntry",
        ObjectKind::DnsProvider => "DNSProvider",
        ObjectKind::DnsAnnotation => "DNSAnnotation",
        ObjectKind::Secret => "Secret",
        ObjectKind::GatewayApiGateway | ObjectKind::IstioGateway => "Gateway",
        ObjectKind::HttpRoute => "HTTPRoute",
        ObjectKind::VirtualService => "VirtualService",
    }
}

/// One line of the log: `shoot-dns: <message>`, or a JSON object with the time (seconds since
/// the Unix epoch) and the message.
pub fn log_line(message: &str, json: bool) -> String {
    if json {
        let time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        serde_json::json!({"time": time, "msg": message}).to_string()
    } else {
        format!("shoot-dns: {message}")
    }
}

/// Seconds since the Unix epoch, the planner's clock.
fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::merge_diff;

    #[test]
    fn a_merge_diff_patches_what_changed_and_nulls_what_is_gone() {
        let old = json!({"spec": {"dnsName": "a.example.com", "ttl": 300, "targets": ["1.2.3.4"]},
                         "metadata": {"annotations": {"x": "1", "y": "2"}}});
        let new = json!({"spec": {"dnsName": "a.example.com", "targets": ["1.2.3.5"]},
                         "metadata": {"annotations": {"x": "1", "z": "3"}}});
        assert_eq!(
            merge_diff(&old, &new),
            Some(json!({"spec": {"targets": ["1.2.3.5"], "ttl": null},
                        "metadata": {"annotations": {"z": "3", "y": null}}}))
        );
        assert_eq!(merge_diff(&old, &old), None);
    }
}
