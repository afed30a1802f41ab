//! The controller's metrics in the Prometheus text format (`prometheus-client`), every name
//! with the `shoot_dns_` prefix, and what its health endpoints answer ([`Health`]).
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `shoot_dns_entries` | `state`, `provider_type` | DNSEntries of the class by status state and the type of their provider (`none` before one is chosen) |
//! | `shoot_dns_providers` | `state`, `provider_type` | DNSProviders of the class by state |
//! | `shoot_dns_provider_requests_total` | `provider_type`, `operation` | calls to a provider's DNS service: `list_zones`, `read_zone`, `change` (one batch of changes to one zone) |
//! | `shoot_dns_provider_errors_total` | `provider_type`, `operation` | those calls that failed (a batch with a failed change counts once) |
//! | `shoot_dns_provider_request_duration_seconds` | `provider_type`, `operation` | how long those calls took |
//! | `shoot_dns_reconciles_total` | `controller` | rounds in which a controller (`sources`, `entries`, `providers`, `annotations`) had work |
//! | `shoot_dns_reconcile_duration_seconds` | `controller` | how long its part of such a round took |
//! | `shoot_dns_work_queue_depth` | `queue` | work waiting: `inputs` (watch events taken in the last round), `retries` (entries whose changes wait for a retry or a zone), `writes` (API writes that failed, to try again) |
//! | `shoot_dns_leader` | | 1 while this replica leads (or runs without leader election), else 0 |
//! | `shoot_dns_api_writes_total` | `operation` | writes to the API servers: `create`, `patch`, `delete` (generated DNSEntries), `status`, `finalizer`, `event` |
//! | `shoot_dns_watch_relists_total` | | kinds listed afresh (at start, and when a watch starts over, as after 410 Gone) |

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::adapters::backends::{BackendError, DnsBackend};
use crate::id::ZoneId;
use crate::provider::HostedZone;
use crate::provider::ProviderType;
use crate::zones::{Change, ChangeOutcome, ZoneRecords};

/// Labels of an object count: its state and its provider's type.
#[derive(Clone, Debug, Hash, PartialEq, Eq, PartialOrd, Ord, EncodeLabelSet)]
pub struct StateLabels {
    /// The status's state (`Ready`, `Error`, ...; `Pending` before there is one).
    pub state: String,
    /// The provider type (`none` when there is none).
    pub provider_type: String,
}

/// Labels of a call to a provider.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The provider type.
    pub provider_type: String,
    /// `list_zones`, `read_zone` or `change`.
    pub operation: &'static str,
}

/// Labels of a controller's work.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ControllerLabels {
    /// `sources`, `entries`, `providers` or `annotations`.
    pub controller: &'static str,
}

/// Labels of a queue.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct QueueLabels {
    /// `inputs`, `retries` or `writes`.
    pub queue: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn seconds() -> Histogram {
    // 1 ms to about 33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// Every metric of a controller process. Shared (`Arc`) between the driver, the leader
/// election and the endpoint that serves them.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    entries: Family<StateLabels, Gauge>,
    providers: Family<StateLabels, Gauge>,
    /// Label sets counted at the last [`Metrics::set_counts`], to zero the ones that are gone.
    counted: Mutex<(BTreeSet<StateLabels>, BTreeSet<StateLabels>)>,
    requests: Family<RequestLabels, Counter>,
    errors: Family<RequestLabels, Counter>,
    request_seconds: Histograms<RequestLabels>,
    reconciles: Family<ControllerLabels, Counter>,
    reconcile_seconds: Histograms<ControllerLabels>,
    queues: Family<QueueLabels, Gauge>,
    leader: Gauge,
    counters: Arc<Counters>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every metric at zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("shoot_dns");
        let entries = Family::<StateLabels, Gauge>::default();
        registry.register(
            "entries",
            "DNSEntries of the class by status state and provider type",
            entries.clone(),
        );
        let providers = Family::<StateLabels, Gauge>::default();
        registry.register(
            "providers",
            "DNSProviders of the class by status state and provider type",
            providers.clone(),
        );
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "provider_requests",
            "Calls to a provider's DNS service by provider type and operation",
            requests.clone(),
        );
        let errors = Family::<RequestLabels, Counter>::default();
        registry.register(
            "provider_errors",
            "Calls to a provider's DNS service that failed, by provider type and operation",
            errors.clone(),
        );
        let request_seconds: Histograms<RequestLabels> = Family::new_with_constructor(seconds);
        registry.register_with_unit(
            "provider_request_duration",
            "How long calls to a provider's DNS service took",
            Unit::Seconds,
            request_seconds.clone(),
        );
        let reconciles = Family::<ControllerLabels, Counter>::default();
        registry.register(
            "reconciles",
            "Rounds in which a controller had work",
            reconciles.clone(),
        );
        let reconcile_seconds: Histograms<ControllerLabels> = Family::new_with_constructor(seconds);
        registry.register_with_unit(
            "reconcile_duration",
            "How long a controller's part of a round took",
            Unit::Seconds,
            reconcile_seconds.clone(),
        );
        let queues = Family::<QueueLabels, Gauge>::default();
        registry.register("work_queue_depth", "Work waiting, by queue", queues.clone());
        let leader = Gauge::default();
        registry.register(
            "leader",
            "1 while this replica leads (or runs without leader election), else 0",
            leader.clone(),
        );
        let counters = Arc::<Counters>::default();
        registry.register_collector(Box::new(WriteCollector(Arc::clone(&counters))));
        Metrics {
            counters,
            registry,
            entries,
            providers,
            counted: Mutex::default(),
            requests,
            errors,
            request_seconds,
            reconciles,
            reconcile_seconds,
            queues,
            leader,
        }
    }

    /// The writes made so far (`shoot_dns_api_writes_total`, `shoot_dns_watch_relists_total`).
    pub fn counters(&self) -> Arc<Counters> {
        Arc::clone(&self.counters)
    }

    /// The metrics in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }

    /// Sets the counts of entries and providers by state and provider type; a label set
    /// counted before and absent now reads 0.
    pub fn set_counts(
        &self,
        entries: &BTreeMap<StateLabels, i64>,
        providers: &BTreeMap<StateLabels, i64>,
    ) {
        let mut counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        let counted = &mut *counted;
        for (family, now, before) in [
            (&self.entries, entries, &mut counted.0),
            (&self.providers, providers, &mut counted.1),
        ] {
            for gone in before.iter().filter(|l| !now.contains_key(*l)) {
                family.get_or_create(gone).set(0);
            }
            for (labels, count) in now {
                family.get_or_create(labels).set(*count);
            }
            *before = now.keys().cloned().collect();
        }
    }

    /// One call to a provider: how long it took and whether it failed.
    pub fn provider_call(
        &self,
        provider_type: ProviderType,
        operation: &'static str,
        took: Duration,
        failed: bool,
    ) {
        let labels = RequestLabels {
            provider_type: provider_type.as_str().to_owned(),
            operation,
        };
        self.requests.get_or_create(&labels).inc();
        if failed {
            self.errors.get_or_create(&labels).inc();
        }
        (self.request_seconds.get_or_create(&labels)).observe(took.as_secs_f64());
    }

    /// A controller had work in a round, for `took`.
    pub fn reconciled(&self, controller: &'static str, took: Duration) {
        let labels = ControllerLabels { controller };
        self.reconciles.get_or_create(&labels).inc();
        (self.reconcile_seconds.get_or_create(&labels)).observe(took.as_secs_f64());
    }

    /// How much work waits in `queue`.
    pub fn queue_depth(&self, queue: &'static str, depth: usize) {
        let depth = i64::try_from(depth).unwrap_or(i64::MAX);
        self.queues.get_or_create(&QueueLabels { queue }).set(depth);
    }

    /// Whether this replica leads.
    pub fn set_leader(&self, leading: bool) {
        self.leader.set(i64::from(leading));
    }
}

/// The writes a driver made to the API servers, by kind of write.
#[derive(Debug, Default)]
pub struct Counters {
    /// Generated DNSEntries created.
    pub creates: AtomicU64,
    /// Generated DNSEntries patched.
    pub patches: AtomicU64,
    /// Generated DNSEntries deleted.
    pub deletes: AtomicU64,
    /// Status subresource writes (entries, providers, annotations).
    pub statuses: AtomicU64,
    /// Finalizers added or removed.
    pub finalizers: AtomicU64,
    /// Events recorded.
    pub events: AtomicU64,
    /// Rounds of the driver (a round drains every poll).
    pub rounds: AtomicU64,
    /// Kinds listed afresh (on start, and when a watch restarted, as after 410 Gone).
    pub relists: AtomicU64,
}

impl std::fmt::Display for Counters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        write!(
            f,
            "{} creates, {} patches, {} deletes, {} statuses, {} finalizers, {} events in {} rounds",
            n(&self.creates),
            n(&self.patches),
            n(&self.deletes),
            n(&self.statuses),
            n(&self.finalizers),
            n(&self.events),
            n(&self.rounds)
        )
    }
}

impl Counters {
    pub(super) fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The writes to objects (creates, patches, deletes, statuses, finalizers), Events left
    /// out.
    pub fn object_writes(&self) -> u64 {
        [
            &self.creates,
            &self.patches,
            &self.deletes,
            &self.statuses,
            &self.finalizers,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }
}

/// The driver's write counters, read at each scrape.
#[derive(Debug)]
struct WriteCollector(Arc<Counters>);

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WriteLabels {
    operation: &'static str,
}

impl Collector for WriteCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let read = |c: &AtomicU64| ConstCounter::new(c.load(Ordering::Relaxed));
        let c = &self.0;
        let writes = [
            ("create", &c.creates),
            ("patch", &c.patches),
            ("delete", &c.deletes),
            ("status", &c.statuses),
            ("finalizer", &c.finalizers),
            ("event", &c.events),
        ];
        let help = "Writes to the API servers by operation";
        let mut family = encoder.encode_descriptor(
            "api_writes",
            help,
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?;
        for (operation, counter) in writes {
            let labels = WriteLabels { operation };
            read(counter).encode(family.encode_family(&labels)?)?;
        }
        let relists = read(&c.relists);
        let metric = encoder.encode_descriptor(
            "watch_relists",
            "Kinds listed afresh (at start, and when a watch starts over)",
            None,
            relists.metric_type(),
        )?;
        relists.encode(metric)
    }
}

/// A backend whose calls are counted and timed in [`Metrics`].
#[derive(Debug)]
pub struct Measured<B> {
    backend: B,
    metrics: Arc<Metrics>,
}

impl<B: DnsBackend> Measured<B> {
    /// `backend`, measured into `metrics`.
    pub fn new(backend: B, metrics: Arc<Metrics>) -> Self {
        Measured { backend, metrics }
    }

    async fn timed<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = T>,
        failed: impl FnOnce(&T) -> bool,
    ) -> T {
        let start = Instant::now();
        let result = call.await;
        let took = start.elapsed();
        let failed = failed(&result);
        (self.metrics).provider_call(self.backend.provider_type(), operation, took, failed);
        result
    }
}

impl<B: DnsBackend> DnsBackend for Measured<B> {
    fn provider_type(&self) -> ProviderType {
        self.backend.provider_type()
    }

    async fn list_zones(&self) -> Result<Vec<HostedZone>, BackendError> {
        self.timed("list_zones", self.backend.list_zones(), Result::is_err)
            .await
    }

    async fn read_zone(
        &self,
        zone: &ZoneId,
        names: Option<&BTreeSet<crate::DnsName>>,
    ) -> Result<ZoneRecords, BackendError> {
        self.timed(
            "read_zone",
            self.backend.read_zone(zone, names),
            Result::is_err,
        )
        .await
    }

    async fn execute(&self, zone: &ZoneId, changes: &[Change]) -> Vec<ChangeOutcome> {
        let failed = |outcomes: &Vec<ChangeOutcome>| {
            (outcomes.iter()).any(|o| matches!(o, ChangeOutcome::Failed(_)))
        };
        self.timed("change", self.backend.execute(zone, changes), failed)
            .await
    }
}

/// What `/readyz` answers: ready once this replica waits as a standby, or leads with every
/// kind listed. `/healthz` answers while the process serves at all.
#[derive(Debug, Default)]
pub struct Health {
    role: AtomicU8,
    synced: AtomicBool,
}

// 0: starting.
const STANDBY: u8 = 1;
const LEADING: u8 = 2;

impl Health {
    /// This replica waits for the lease (a standby is ready: it takes over when it must).
    pub fn set_standby(&self) {
        self.role.store(STANDBY, Ordering::Relaxed);
    }

    /// This replica leads (or runs without leader election).
    pub fn set_leading(&self) {
        self.role.store(LEADING, Ordering::Relaxed);
    }

    /// Every kind the driver watches is listed (its caches are synced).
    pub fn set_synced(&self) {
        self.synced.store(true, Ordering::Relaxed);
    }

    /// `Ok` with what `/readyz` says when ready, else `Err` with why not.
    pub fn ready(&self) -> Result<&'static str, &'static str> {
        match self.role.load(Ordering::Relaxed) {
            STANDBY => Ok("ok: standby, waiting for the lease"),
            LEADING if self.synced.load(Ordering::Relaxed) => Ok("ok: leading, caches synced"),
            LEADING => Err("leading, listing the watched kinds"),
            _ => Err("starting"),
        }
    }
}
