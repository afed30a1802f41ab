//! AWS Route 53 (feature `aws-route53`): the hosted zones of an account, their record sets,
//! and changes in batches (docs/entries-and-providers.md §5.11, §6.3).
//!
//! [`Route53Backend`] is the [`DnsBackend`](super::DnsBackend) of an `aws-route53` provider. It
//! speaks to Route 53 through [`Route53Api`] (the three calls it needs, one page or one batch
//! at a time) and adds what Route 53 asks of a client: pagination, batches of at most the
//! provider's `batchSize` changes with every delete batch first, a failed batch retried change
//! by change so that one refused change does not block the others, throttling answered with
//! bounded exponential backoff with jitter, and the provider's `rateLimit`.

pub mod model;
pub mod sdk;

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use std::collections::{BTreeMap, BTreeSet};

use self::model::{
    ChangeAction, GeoLocation, MappingError, Names, ResourceRecordSet, Route53Change, Routing,
};
use super::BackendError;
use crate::id::ZoneId;
use crate::provider::{HostedZone, ProviderType};
use crate::zones::{Change, ChangeFailure, ChangeOutcome, FailureKind, ZoneRecords};

/// The changes in one batch when the provider's `providerConfig.batchSize` does not say
/// (Gardener's default; Route 53 itself takes up to 1,000).
pub const DEFAULT_BATCH_SIZE: usize = 50;
/// How often a throttled call is tried in all.
const ATTEMPTS: u32 = 6;
/// The first backoff; each next one doubles, up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// The longest backoff.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// One hosted zone as `ListHostedZones` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiZone {
    /// `/hostedzone/<ID>`.
    pub id: String,
    /// The zone's name, absolute.
    pub name: String,
    /// Whether it is a private zone.
    pub private: bool,
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, M> {
    /// The items.
    pub items: Vec<T>,
    /// Where the next page starts, if there is one.
    pub next: Option<M>,
}

/// Where a page of `ListResourceRecordSets` starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordSetsStart {
    /// `StartRecordName`.
    pub name: String,
    /// `StartRecordType`.
    pub record_type: Option<String>,
    /// `StartRecordIdentifier`.
    pub identifier: Option<String>,
}

/// An error Route 53 answered with (or the transport met).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// Route 53's error code (`Throttling`, `InvalidChangeBatch`, `NoSuchHostedZone`, ...),
    /// empty when no answer came.
    pub code: String,
    /// The HTTP status (0 when no answer came).
    pub status: u16,
    /// The message, naming the call.
    pub message: String,
    /// How long the server asked to wait (`Retry-After`).
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// The error with `what` said before its message (`listing geo-locations failed: ...`).
    #[must_use]
    pub fn context(mut self, what: &str) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }

    /// Whether trying again soon may succeed: throttling, a change still in progress, too many
    /// requests, a server error. (A call that got no answer is tried once more: see
    /// [`ApiError::is_unanswered`].)
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code.as_str(),
            "Throttling"
                | "ThrottlingException"
                | "PriorRequestNotComplete"
                | "RequestLimitExceeded"
        ) || self.status == 429
            || self.status >= 500
    }

    /// Whether no answer came (the endpoint could not be reached, or the connection broke).
    pub fn is_unanswered(&self) -> bool {
        self.status == 0
    }
}

impl From<ApiError> for BackendError {
    fn from(error: ApiError) -> Self {
        let message = error.message.clone();
        if error.is_unanswered() {
            BackendError::Unreachable { message }
        } else if error.is_retryable() {
            BackendError::Throttled {
                retry_after: error.retry_after,
                message,
            }
        } else if error.code == "InvalidChangeBatch" || error.status == 400 {
            BackendError::Rejected { message }
        } else {
            BackendError::Refused {
                code: error.code,
                message,
            }
        }
    }
}

/// The calls of Route 53's API the backend makes, one page or one batch each.
pub trait Route53Api: Send + Sync {
    /// `ListHostedZones`, from `marker`.
    fn list_hosted_zones(
        &self,
        marker: Option<&str>,
    ) -> impl Future<Output = Result<Page<ApiZone, String>, ApiError>> + Send;

    /// `ListResourceRecordSets` of the zone `id` (the bare id), from `start`.
    fn list_record_sets(
        &self,
        id: &str,
        start: Option<&RecordSetsStart>,
    ) -> impl Future<Output = Result<Page<ResourceRecordSet, RecordSetsStart>, ApiError>> + Send;

    /// `ChangeResourceRecordSets` of the zone `id`: all of `changes`, or none.
    fn change_record_sets(
        &self,
        id: &str,
        changes: &[Route53Change],
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// `ListGeoLocations`, from `start`: each location with its name (the subdivision's,
    /// else the country's, else the continent's).
    fn list_geo_locations(
        &self,
        start: Option<&GeoLocation>,
    ) -> impl Future<Output = Result<Page<(String, GeoLocation), GeoLocation>, ApiError>> + Send;

    /// `ListCidrCollections`, from `next`: each collection's name and id.
    fn list_cidr_collections(
        &self,
        next: Option<&str>,
    ) -> impl Future<Output = Result<Page<(String, String), String>, ApiError>> + Send;

    /// `ListCidrLocations` of the collection `id`, from `next`: the location names.
    fn list_cidr_locations(
        &self,
        id: &str,
        next: Option<&str>,
    ) -> impl Future<Output = Result<Page<String, String>, ApiError>> + Send;
}

/// The collection ids by name, and the location names by collection id.
type CidrNames = (BTreeMap<String, String>, BTreeMap<String, BTreeSet<String>>);

/// How long names read from the account are trusted: a name they lack is read again after
/// this long at the earliest (Gardener: 30 minutes for geolocations, 15 for CIDR collections).
const NAMES_FRESH: Duration = Duration::from_secs(15 * 60);

/// The account's names ([`Names`]) and when they were last read.
#[derive(Debug, Default)]
struct NameCache {
    names: Names,
    read_at: Option<Instant>,
}

/// A token bucket: `rate` requests a second on average, `burst` at once.
#[derive(Debug)]
pub struct RateLimit {
    rate: f64,
    burst: f64,
    state: Mutex<(f64, Instant)>,
}

impl RateLimit {
    /// A bucket for a provider's `spec.rateLimit` (`requestsPerDay`, `burst`): the rate is
    /// `requestsPerDay / 86400` a second (COMPATIBILITY.md#d15).
    pub fn per_day(requests_per_day: i64, burst: i64) -> Self {
        // A small integer (the CRD bounds it); as a float it is exact.
        #[allow(clippy::cast_precision_loss)]
        Self::per_second(requests_per_day as f64 / 86_400.0, burst)
    }

    /// The controller's default: 10 a second, 20 at once.
    pub fn default_limit() -> Self {
        Self::per_day(10 * 86_400, 20)
    }

    /// `qps` requests a second, `burst` at once (`providerAdvancedOptions.<type>.rateLimits`).
    pub fn per_second(qps: f64, burst: i64) -> Self {
        // The burst is a small integer; as a float it is exact.
        #[allow(clippy::cast_precision_loss)]
        let burst = burst.max(1) as f64;
        Self {
            rate: qps.max(0.0),
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// No limit.
    pub fn unlimited() -> Self {
        Self::per_second(0.0, 1)
    }

    /// How long to wait before the next request may go, taking its token.
    fn take(&self) -> Duration {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (tokens, at) = &mut *state;
        let now = Instant::now();
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        *tokens -= 1.0;
        if *tokens >= 0.0 || self.rate <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-*tokens / self.rate)
        }
    }

    /// Waits for a token.
    pub async fn acquire(&self) {
        let wait = self.take();
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// An `aws-route53` provider's backend.
#[derive(Debug)]
pub struct Route53Backend<A> {
    api: A,
    batch_size: usize,
    limit: RateLimit,
    names: std::sync::RwLock<NameCache>,
    /// Zone ids left out of the zone list (`providerAdvancedOptions.<type>.blockedZones`).
    blocked_zones: BTreeSet<String>,
    /// How often a call is made at most while it is throttled.
    attempts: u32,
}

impl<A: Route53Api> Route53Backend<A> {
    /// A backend on `api` with batches of `batch_size` changes (at least 1), within `limit`.
    /// The account's geolocation and CIDR collection names are read when a routing policy
    /// needs one that is not known.
    pub fn new(api: A, batch_size: usize, limit: RateLimit) -> Self {
        Self {
            api,
            batch_size: batch_size.max(1),
            limit,
            names: std::sync::RwLock::default(),
            blocked_zones: BTreeSet::new(),
            attempts: ATTEMPTS,
        }
    }

    /// A backend that leaves the zones of `ids` (bare ids, as in `/hostedzone/<id>`) out of
    /// its zone list: no provider sees them.
    #[must_use]
    pub fn with_blocked_zones(mut self, ids: impl IntoIterator<Item = String>) -> Self {
        self.blocked_zones = ids.into_iter().collect();
        self
    }

    /// A backend that tries a throttled call again `retries` times at most (5 by default).
    #[must_use]
    pub fn with_max_retries(mut self, retries: u32) -> Self {
        self.attempts = retries.saturating_add(1);
        self
    }

    /// A backend that takes `names` for the account's names, as read just now.
    pub fn with_names(self, names: Names) -> Self {
        *self
            .names
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = NameCache {
            names,
            read_at: Some(Instant::now()),
        };
        self
    }

    /// `with` the account's names as known now.
    fn names<T>(&self, with: impl FnOnce(&Names) -> T) -> T {
        with(
            &self
                .names
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .names,
        )
    }

    /// Reads the account's names again, unless they were read a short while ago
    /// ([`NAMES_FRESH`]). Geolocations and CIDR collections are read apart: what could be
    /// read is kept when the other fails.
    async fn refresh_names(&self) -> Result<(), ApiError> {
        let fresh = |cache: &NameCache| cache.read_at.is_some_and(|at| at.elapsed() < NAMES_FRESH);
        if fresh(
            &self
                .names
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        ) {
            return Ok(());
        }
        let geolocations = self.read_geolocations().await;
        let collections = self.read_cidr_collections().await;
        let mut cache = self
            .names
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.read_at = Some(Instant::now());
        let mut first_error = None;
        match geolocations {
            Ok(geolocations) => cache.names.geolocations = geolocations,
            Err(error) => first_error = Some(error.context("listing geo-locations failed")),
        }
        match collections {
            Ok((ids, locations)) => {
                cache.names.cidr_collections = ids;
                cache.names.cidr_locations = locations;
            }
            Err(error) => {
                let error = error.context("listing CIDR collections failed");
                first_error.get_or_insert(error);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    async fn read_geolocations(&self) -> Result<BTreeMap<String, GeoLocation>, ApiError> {
        let pages = self.every_page(|start: Option<GeoLocation>| async move {
            self.api.list_geo_locations(start.as_ref()).await
        });
        Ok(pages.await?.into_iter().collect())
    }

    /// The collection ids by name, and the location names by collection id.
    async fn read_cidr_collections(&self) -> Result<CidrNames, ApiError> {
        let ids: BTreeMap<String, String> = (self.every_page(|next: Option<String>| async move {
            self.api.list_cidr_collections(next.as_deref()).await
        }))
        .await?
        .into_iter()
        .collect();
        let mut locations = BTreeMap::new();
        for id in ids.values() {
            let names = self.every_page(|next: Option<String>| async move {
                self.api.list_cidr_locations(id, next.as_deref()).await
            });
            locations.insert(id.clone(), names.await?.into_iter().collect());
        }
        Ok((ids, locations))
    }

    /// Every item of a listing, page after page (`page` gives the page from a start, the
    /// first from `None`), each page called as [`Self::call`] does.
    async fn every_page<T, S, F, Fut>(&self, page: F) -> Result<Vec<T>, ApiError>
    where
        S: Clone,
        F: Fn(Option<S>) -> Fut,
        Fut: Future<Output = Result<Page<T, S>, ApiError>>,
    {
        let mut items = Vec::new();
        let mut start: Option<S> = None;
        loop {
            let next = self.call(|| page(start.clone())).await?;
            items.extend(next.items);
            match next.next {
                Some(next) => start = Some(next),
                None => return Ok(items),
            }
        }
    }

    /// Calls `call` within the rate limit, again after a backoff while it is throttled.
    async fn call<T, F, Fut>(&self, call: F) -> Result<T, ApiError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let mut backoff = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            self.limit.acquire().await;
            match call().await {
                // A call that got no answer is tried once more: a broken connection may be
                // gone, an unknown host or a closed port will not be.
                Err(error) if error.is_unanswered() && attempt < 2 => {
                    tokio::time::sleep(jitter(backoff)).await;
                    attempt += 1;
                }
                Err(error) if error.is_retryable() && attempt < self.attempts => {
                    let wait = error.retry_after.unwrap_or(backoff).min(MAX_BACKOFF);
                    tokio::time::sleep(jitter(wait)).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// Sends `changes` (each shoot-dns change with its Route 53 changes) in batches; the
    /// outcome of each. A batch Route 53 refuses is sent again change by change.
    async fn send(
        &self,
        zone: &str,
        changes: &[(usize, Vec<Route53Change>)],
        outcomes: &mut [Option<ChangeOutcome>],
    ) {
        let mut batch: Vec<&(usize, Vec<Route53Change>)> = Vec::new();
        let mut size = 0;
        for item in changes {
            if size + item.1.len() > self.batch_size && !batch.is_empty() {
                self.send_batch(zone, &batch, outcomes).await;
                batch.clear();
                size = 0;
            }
            size += item.1.len();
            batch.push(item);
        }
        if !batch.is_empty() {
            self.send_batch(zone, &batch, outcomes).await;
        }
    }

    async fn send_batch(
        &self,
        zone: &str,
        batch: &[&(usize, Vec<Route53Change>)],
        outcomes: &mut [Option<ChangeOutcome>],
    ) {
        let all: Vec<Route53Change> = batch.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
        match self.call(|| self.api.change_record_sets(zone, &all)).await {
            Ok(()) => {
                for (position, _) in batch {
                    outcomes[*position] = Some(ChangeOutcome::Applied);
                }
            }
            Err(error) if batch.len() > 1 && !error.is_retryable() => {
                // One refused change refuses its batch: each goes alone.
                for (position, changes) in batch {
                    outcomes[*position] = Some(outcome(zone, self.send_alone(zone, changes).await));
                }
            }
            Err(error) if !error.is_retryable() => {
                let (position, changes) = batch[0];
                outcomes[*position] = Some(outcome(zone, self.recover(zone, changes, error).await));
            }
            Err(error) => {
                for (position, _) in batch {
                    outcomes[*position] = Some(outcome(zone, Err(error.clone())));
                }
            }
        }
    }
}

impl<A: Route53Api> Route53Backend<A> {
    /// Sends the Route 53 changes of one shoot-dns change on their own.
    async fn send_alone(&self, zone: &str, changes: &[Route53Change]) -> Result<(), ApiError> {
        match self
            .call(|| self.api.change_record_sets(zone, changes))
            .await
        {
            Err(error) if !error.is_retryable() => self.recover(zone, changes, error).await,
            result => result,
        }
    }

    /// What Gardener does when Route 53 refuses one change because the zone already holds
    /// what it asks for: a create of a record set that exists is sent again as an upsert (an
    /// earlier run made it and was stopped before it knew), a delete of one that is not there
    /// is done.
    async fn recover(
        &self,
        zone: &str,
        changes: &[Route53Change],
        error: ApiError,
    ) -> Result<(), ApiError> {
        let single = |action| changes.len() == 1 && changes[0].action == action;
        let refused = error.code == "InvalidChangeBatch";
        if refused && error.message.contains("already exists") && single(ChangeAction::Create) {
            let upsert = [Route53Change {
                action: ChangeAction::Upsert,
                set: changes[0].set.clone(),
            }];
            return self
                .call(|| self.api.change_record_sets(zone, &upsert))
                .await;
        }
        if refused && error.message.contains("not found") && single(ChangeAction::Delete) {
            return Ok(());
        }
        Err(error)
    }
}

/// The outcome of a call that made a change.
/// What became of a change sent to hosted zone `zone`; a failure names the zone, as the
/// entry's status shows it.
fn outcome(zone: &str, result: Result<(), ApiError>) -> ChangeOutcome {
    match result {
        Ok(()) => ChangeOutcome::Applied,
        Err(mut error) => {
            error.message = format!("Route 53 hosted zone {zone}: {}", error.message);
            ChangeOutcome::Failed(ChangeFailure::from(BackendError::from(error)))
        }
    }
}

/// `wait`, shortened by up to a half at random, so that clients throttled together do not
/// come back together.
fn jitter(wait: Duration) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    // A fraction in [0.5, 1) of the wait.
    #[allow(clippy::cast_precision_loss)]
    let fraction = 0.5 + (random % 1_000) as f64 / 2_000.0;
    wait.mul_f64(fraction)
}

/// The bare id of a zone: the last segment of `/hostedzone/<ID>`.
fn bare_id(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or(id)
}

impl<A: Route53Api> super::DnsBackend for Route53Backend<A> {
    fn provider_type(&self) -> ProviderType {
        ProviderType::AwsRoute53
    }

    async fn list_zones(&self) -> Result<Vec<HostedZone>, BackendError> {
        let listed = self.every_page(|marker: Option<String>| async move {
            self.api.list_hosted_zones(marker.as_deref()).await
        });
        let mut zones = Vec::new();
        for zone in listed.await? {
            if self.blocked_zones.contains(bare_id(&zone.id)) {
                continue;
            }
            let domain = model::unescape(zone.name.trim_end_matches('.'))
                .parse()
                .map_err(|e| BackendError::Rejected {
                    message: format!(
                        "hosted zone {} has a name shoot-dns cannot read: {e}",
                        zone.name
                    ),
                })?;
            zones.push(HostedZone {
                id: ZoneId::from(bare_id(&zone.id)),
                domain,
                provider_type: ProviderType::AwsRoute53,
                private: zone.private,
            });
        }
        Ok(zones)
    }

    async fn read_zone(
        &self,
        zone: &ZoneId,
        _names: Option<&std::collections::BTreeSet<crate::DnsName>>,
    ) -> Result<ZoneRecords, BackendError> {
        let id = bare_id(zone.as_str());
        let sets = (self.every_page(|start: Option<RecordSetsStart>| async move {
            self.api.list_record_sets(id, start.as_ref()).await
        }))
        .await?;
        // An ip-based record set names its CIDR collection by id; the plan by name.
        let unknown_collection = |names: &Names| {
            sets.iter().any(|set| match &set.routing {
                Routing::IpBased { collection_id, .. } => !names
                    .cidr_collections
                    .values()
                    .any(|id| id == collection_id),
                _ => false,
            })
        };
        if self.names(unknown_collection) {
            self.refresh_names().await?;
        }
        Ok(self.names(|names| {
            (sets.iter())
                .filter_map(|set| model::record_set_of(set, names))
                .collect()
        }))
    }

    async fn execute(&self, zone: &ZoneId, changes: &[Change]) -> Vec<ChangeOutcome> {
        let mut outcomes: Vec<Option<ChangeOutcome>> = vec![None; changes.len()];
        let mut deletes = Vec::new();
        let mut others = Vec::new();
        let map_all = |names: &Names| -> Vec<Result<Vec<Route53Change>, MappingError>> {
            (changes.iter())
                .map(|change| model::changes_of(change, names))
                .collect()
        };
        let mut mapped = self.names(map_all);
        let curable = |m: &Result<_, MappingError>| m.as_ref().is_err_and(Names::may_cure);
        if mapped.iter().any(curable) {
            match self.refresh_names().await {
                Ok(()) => mapped = self.names(map_all),
                Err(error) => {
                    for (position, _) in (mapped.iter().enumerate()).filter(|(_, m)| curable(m)) {
                        let failure = ChangeFailure::from(BackendError::from(error.clone()));
                        outcomes[position] = Some(ChangeOutcome::Failed(failure));
                    }
                }
            }
        }
        for (position, mapped) in mapped.into_iter().enumerate() {
            if outcomes[position].is_some() {
                continue;
            }
            match mapped {
                Ok(mapped) => {
                    let deleting = mapped.iter().all(|c| c.action == ChangeAction::Delete);
                    if deleting { &mut deletes } else { &mut others }.push((position, mapped));
                }
                Err(error) => {
                    outcomes[position] = Some(ChangeOutcome::Failed(ChangeFailure::Backend {
                        kind: FailureKind::Rejected,
                        message: error.to_string(),
                    }));
                }
            }
        }
        let id = bare_id(zone.as_str());
        // Every delete batch first (a name may change from a plain record set to an alias,
        // or between zones).
        self.send(id, &deletes, &mut outcomes).await;
        self.send(id, &others, &mut outcomes).await;
        (outcomes.into_iter())
            .map(|o| {
                o.unwrap_or(ChangeOutcome::Failed(ChangeFailure::Backend {
                    kind: FailureKind::Other,
                    message: "no outcome".to_owned(),
                }))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::adapters::backends::DnsBackend;
    use crate::records::{RecordSet, RecordType};
    use crate::zones::Action;

    /// Why the fake refuses a change, if it does.
    type Refusal = Box<dyn Fn(&Route53Change) -> Option<String> + Send + Sync>;

    /// A Route 53 of a test's own: zones, pages of `page` items, batches it refuses when
    /// `refuse` refuses one of their changes (`InvalidChangeBatch` with its message), and
    /// `throttle` calls it throttles first.
    #[derive(Default)]
    struct Fake {
        zones: Vec<ApiZone>,
        sets: Vec<ResourceRecordSet>,
        page: usize,
        refuse: Option<Refusal>,
        throttle: Mutex<usize>,
        batches: Mutex<Vec<Vec<(ChangeAction, String)>>>,
        /// The account's names (`None`: listing them is refused, as moto does).
        names: Option<Names>,
        /// The calls that listed names.
        name_calls: Mutex<Vec<&'static str>>,
    }

    impl Fake {
        fn names(&self, call: &'static str) -> Result<&Names, ApiError> {
            self.name_calls.lock().expect("a lock").push(call);
            self.names.as_ref().ok_or_else(|| ApiError {
                code: String::new(),
                status: 404,
                message: format!("{call}: not found"),
                retry_after: None,
            })
        }
    }

    impl Route53Api for Fake {
        async fn list_hosted_zones(
            &self,
            marker: Option<&str>,
        ) -> Result<Page<ApiZone, String>, ApiError> {
            let from: usize = marker.map_or(0, |m| m.parse().expect("a marker"));
            let to = (from + self.page).min(self.zones.len());
            Ok(Page {
                items: self.zones[from..to].to_vec(),
                next: (to < self.zones.len()).then(|| to.to_string()),
            })
        }

        async fn list_record_sets(
            &self,
            _id: &str,
            start: Option<&RecordSetsStart>,
        ) -> Result<Page<ResourceRecordSet, RecordSetsStart>, ApiError> {
            let from = start.map_or(0, |s| s.name.parse().expect("a start"));
            let to = (from + self.page).min(self.sets.len());
            Ok(Page {
                items: self.sets[from..to].to_vec(),
                next: (to < self.sets.len()).then(|| RecordSetsStart {
                    name: to.to_string(),
                    ..RecordSetsStart::default()
                }),
            })
        }

        async fn change_record_sets(
            &self,
            _id: &str,
            changes: &[Route53Change],
        ) -> Result<(), ApiError> {
            {
                let mut throttle = self.throttle.lock().expect("a lock");
                if *throttle > 0 {
                    *throttle -= 1;
                    return Err(ApiError {
                        code: "Throttling".to_owned(),
                        status: 400,
                        message: "Rate exceeded".to_owned(),
                        retry_after: None,
                    });
                }
            }
            let names: Vec<(ChangeAction, String)> = (changes.iter())
                .map(|c| (c.action, c.set.name.clone()))
                .collect();
            self.batches.lock().expect("a lock").push(names.clone());
            let refusal = (self.refuse.as_ref()).and_then(|refuse| changes.iter().find_map(refuse));
            match refusal {
                Some(message) => Err(ApiError {
                    code: "InvalidChangeBatch".to_owned(),
                    status: 400,
                    message,
                    retry_after: None,
                }),
                None => Ok(()),
            }
        }

        async fn list_geo_locations(
            &self,
            start: Option<&GeoLocation>,
        ) -> Result<Page<(String, GeoLocation), GeoLocation>, ApiError> {
            // Two pages: the first location, then the rest.
            let all: Vec<_> = (self.names("ListGeoLocations")?.geolocations.clone())
                .into_iter()
                .collect();
            let split = 1.min(all.len());
            Ok(match start {
                None => Page {
                    next: all.get(split).map(|(_, location)| location.clone()),
                    items: all[..split].to_vec(),
                },
                Some(_) => Page {
                    items: all[split..].to_vec(),
                    next: None,
                },
            })
        }

        async fn list_cidr_collections(
            &self,
            _next: Option<&str>,
        ) -> Result<Page<(String, String), String>, ApiError> {
            let names = self.names("ListCidrCollections")?;
            Ok(Page {
                items: names.cidr_collections.clone().into_iter().collect(),
                next: None,
            })
        }

        async fn list_cidr_locations(
            &self,
            id: &str,
            _next: Option<&str>,
        ) -> Result<Page<String, String>, ApiError> {
            let names = self.names("ListCidrLocations")?;
            let locations = names.cidr_locations.get(id).cloned().unwrap_or_default();
            Ok(Page {
                items: locations.into_iter().collect(),
                next: None,
            })
        }
    }

    fn run<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    fn backend(fake: Fake, batch_size: usize) -> Route53Backend<Fake> {
        Route53Backend::new(fake, batch_size, RateLimit::per_day(1_000 * 86_400, 1_000))
    }

    fn change(action: Action, name: &str) -> Change {
        let set = RecordSet {
            record_type: RecordType::A,
            ttl: 60,
            values: vec!["192.0.2.1".to_owned()],
            routing_policy: None,
        };
        Change {
            provider: "default/aws".into(),
            zone: "Z1".into(),
            action,
            name: name.parse().expect("a name"),
            record_type: RecordType::A,
            set_identifier: String::new(),
            old: None,
            new: None,
            outcome: None,
            new_set: (action != Action::Delete).then(|| set.clone()),
            old_set: (action != Action::Create).then_some(set),
            entry: "default/e".into(),
        }
    }

    #[test]
    fn zones_and_record_sets_are_read_page_by_page() {
        let zones = (0..5)
            .map(|i| ApiZone {
                id: format!("/hostedzone/Z{i}"),
                name: format!("z{i}.example.com."),
                private: i == 3,
            })
            .collect();
        let sets = (0..7)
            .map(|i| ResourceRecordSet {
                name: format!("r{i}.z0.example.com."),
                record_type: "A".to_owned(),
                ttl: Some(60),
                records: vec![format!("192.0.2.{i}")],
                ..ResourceRecordSet::default()
            })
            .collect();
        let backend = backend(
            Fake {
                zones,
                sets,
                page: 2,
                ..Fake::default()
            },
            50,
        );
        let zones = run(backend.list_zones()).expect("zones");
        let ids: Vec<(&str, String, bool)> = (zones.iter())
            .map(|z| (z.id.as_str(), z.domain.to_string(), z.private))
            .collect();
        assert_eq!(ids.len(), 5);
        assert_eq!(ids[3], ("Z3", "z3.example.com".to_owned(), true));
        let records = run(backend.read_zone(&ZoneId::from("Z0"), None)).expect("records");
        assert_eq!(records.len(), 7);

        let backend = backend.with_blocked_zones(["Z1".to_owned(), "Z4".to_owned()]);
        let zones = run(backend.list_zones()).expect("zones");
        let ids: Vec<&str> = zones.iter().map(|z| z.id.as_str()).collect();
        assert_eq!(ids, ["Z0", "Z2", "Z3"]);
    }

    #[test]
    fn max_retries_bound_the_calls_of_a_throttled_request() {
        let fake = Fake {
            throttle: Mutex::new(usize::MAX),
            ..Fake::default()
        };
        let backend = backend(fake, 50).with_max_retries(1);
        let outcomes = run(backend.execute(
            &ZoneId::from("Z1"),
            &[change(Action::Create, "a.example.com")],
        ));
        assert!(outcomes[0].failure().is_some());
        // The first call and one retry; the throttled fake counts down once per call.
        assert_eq!(
            *backend.api.throttle.lock().expect("a lock"),
            usize::MAX - 2
        );
    }

    #[test]
    fn advanced_rate_limits_set_the_bucket() {
        let limit = RateLimit::per_second(2.0, 1);
        assert_eq!(limit.take(), Duration::ZERO);
        let wait = limit.take();
        assert!(
            wait > Duration::from_millis(400) && wait <= Duration::from_millis(500),
            "{wait:?}"
        );
        let unlimited = RateLimit::unlimited();
        assert!((0..100).all(|_| unlimited.take().is_zero()));
    }

    #[test]
    fn deletes_go_first_in_batches_of_the_batch_size() {
        let backend = backend(Fake::default(), 2);
        let changes = [
            change(Action::Create, "c1.example.com"),
            change(Action::Delete, "d1.example.com"),
            change(Action::Update, "u1.example.com"),
            change(Action::Delete, "d2.example.com"),
            change(Action::Delete, "d3.example.com"),
        ];
        let outcomes = run(backend.execute(&ZoneId::from("Z1"), &changes));
        assert!(
            outcomes.iter().all(ChangeOutcome::is_applied),
            "{outcomes:?}"
        );
        let batches: Vec<Vec<String>> = (backend.api.batches.lock().expect("a lock").iter())
            .map(|b| {
                b.iter()
                    .map(|(a, n)| format!("{} {n}", a.as_str()))
                    .collect()
            })
            .collect();
        assert_eq!(
            batches,
            [
                vec!["DELETE d1.example.com.", "DELETE d2.example.com."],
                vec!["DELETE d3.example.com."],
                vec!["CREATE c1.example.com.", "UPSERT u1.example.com."],
            ]
        );
    }

    #[test]
    fn a_refused_change_fails_alone_and_the_others_are_made() {
        let fake = Fake {
            refuse: Some(Box::new(|c: &Route53Change| {
                (c.set.name == "b.example.com.").then(|| {
                    "[RRSet with DNS name b.example.com. is not permitted in zone z.example.com.]"
                        .to_owned()
                })
            })),
            ..Fake::default()
        };
        let backend = backend(fake, 50);
        let changes = [
            change(Action::Create, "a.example.com"),
            change(Action::Create, "b.example.com"),
            change(Action::Create, "c.example.com"),
        ];
        let outcomes = run(backend.execute(&ZoneId::from("Z1"), &changes));
        assert_eq!(outcomes[0], ChangeOutcome::Applied);
        assert_eq!(outcomes[2], ChangeOutcome::Applied);
        let failure = outcomes[1].failure().expect("b fails");
        assert_eq!(
            failure.to_string(),
            "Route 53 hosted zone Z1: \
             [RRSet with DNS name b.example.com. is not permitted in zone z.example.com.]"
        );
        // The whole batch, then each change alone.
        assert_eq!(backend.api.batches.lock().expect("a lock").len(), 4);
    }

    #[test]
    fn a_create_of_what_exists_upserts_and_a_delete_of_what_is_gone_is_done() {
        let fake = Fake {
            refuse: Some(Box::new(|c: &Route53Change| match c.action {
                ChangeAction::Create => Some(format!(
                    "[Tried to create resource record set [name='{}', type='A'] but it already exists]",
                    c.set.name
                )),
                ChangeAction::Delete => Some(format!(
                    "[Tried to delete resource record set [name='{}', type='A'] but it was not found]",
                    c.set.name
                )),
                ChangeAction::Upsert => None,
            })),
            ..Fake::default()
        };
        let backend = backend(fake, 50);
        let changes = [
            change(Action::Delete, "gone.example.com"),
            change(Action::Create, "there.example.com"),
        ];
        let outcomes = run(backend.execute(&ZoneId::from("Z1"), &changes));
        assert_eq!(outcomes, [ChangeOutcome::Applied, ChangeOutcome::Applied]);
        let batches = backend.api.batches.lock().expect("a lock").clone();
        assert_eq!(
            batches.last().map(|b| (b[0].0, b[0].1.as_str())),
            Some((ChangeAction::Upsert, "there.example.com."))
        );
    }

    #[test]
    fn throttled_calls_are_tried_again() {
        let fake = Fake {
            throttle: Mutex::new(2),
            ..Fake::default()
        };
        let backend = backend(fake, 50);
        let outcomes = run(backend.execute(
            &ZoneId::from("Z1"),
            &[change(Action::Create, "a.example.com")],
        ));
        assert_eq!(outcomes, [ChangeOutcome::Applied]);
        let always = Fake {
            throttle: Mutex::new(usize::MAX),
            ..Fake::default()
        };
        let backend = Route53Backend::new(always, 50, RateLimit::per_day(1_000 * 86_400, 1_000));
        let started = Instant::now();
        let outcomes = run(backend.execute(
            &ZoneId::from("Z1"),
            &[change(Action::Create, "a.example.com")],
        ));
        let failure = outcomes[0].failure().expect("it gives up");
        assert!(
            matches!(
                failure,
                ChangeFailure::Backend {
                    kind: FailureKind::Throttled { .. },
                    ..
                }
            ),
            "{failure:?}"
        );
        // Five backoffs of at most 0.2, 0.4, 0.8, 1.6 and 3.2 s.
        assert!(started.elapsed() < Duration::from_secs(7));
    }

    #[test]
    fn a_change_route53_cannot_take_fails_without_a_call() {
        let backend = backend(Fake::default(), 50);
        let mut alias = change(Action::Create, "a.example.com");
        if let Some(set) = &mut alias.new_set {
            set.record_type = RecordType::ALIAS;
            set.values = vec!["lb.example.org".to_owned()];
        }
        let outcomes = run(backend.execute(&ZoneId::from("Z1"), &[alias]));
        assert_eq!(
            outcomes[0].failure().map(ToString::to_string).as_deref(),
            Some("corrupted alias record set")
        );
        assert!(backend.api.batches.lock().expect("a lock").is_empty());
    }

    /// A change whose policy names a geolocation or CIDR collection the backend does not
    /// know.
    fn routed(name: &str, policy_type: &str, parameters: &[(&str, &str)]) -> Change {
        let mut change = change(Action::Create, name);
        change.set_identifier = "one".to_owned();
        if let Some(set) = &mut change.new_set {
            set.routing_policy = Some(crate::records::Policy {
                policy_type: policy_type.to_owned(),
                parameters: (parameters.iter())
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            });
        }
        change
    }

    #[test]
    fn names_the_backend_lacks_are_read_from_the_account_once() {
        let fake = Fake {
            names: Some(model::tests::names()),
            ..Fake::default()
        };
        let backend = backend(fake, 50);
        let known = routed("a.example.com", "geolocation", &[("location", "Germany")]);
        let outcomes = run(backend.execute(&ZoneId::from("Z1"), &[known]));
        assert_eq!(outcomes, [ChangeOutcome::Applied]);
        assert!(
            backend.api.name_calls.lock().expect("a lock").is_empty(),
            "a name Route 53 lists is known"
        );

        let changes = [
            routed("b.example.com", "geolocation", &[("location", "Newland")]),
            routed(
                "c.example.com",
                "ip-based",
                &[("collection", "office"), ("location", "berlin")],
            ),
            routed(
                "d.example.com",
                "ip-based",
                &[("collection", "office"), ("location", "paris")],
            ),
        ];
        let outcomes = run(backend.execute(&ZoneId::from("Z1"), &changes));
        assert_eq!(
            outcomes[..2],
            [ChangeOutcome::Applied, ChangeOutcome::Applied]
        );
        assert_eq!(
            outcomes[2].failure().map(ToString::to_string).as_deref(),
            Some("location name paris not found in CIDR collection named office")
        );
        let calls = backend.api.name_calls.lock().expect("a lock").clone();
        assert_eq!(
            calls,
            [
                "ListGeoLocations",
                "ListGeoLocations",
                "ListCidrCollections",
                "ListCidrLocations"
            ]
        );
        // Read a short while ago: a name still unknown is not asked for again.
        let outcomes = run(backend.execute(&ZoneId::from("Z1"), &changes[2..]));
        assert!(outcomes[0].failure().is_some());
        assert_eq!(backend.api.name_calls.lock().expect("a lock").len(), 4);

        // Read back, the collection's id becomes its name again.
        let (key, read) = {
            let written = model::changes_of(&changes[1], &model::tests::names()).expect("mapped");
            model::record_set_of(&written[0].set, &model::tests::names()).expect("read")
        };
        assert_eq!(key.owner.set_identifier, "one");
        let policy = read.routing_policy.expect("a policy");
        assert_eq!(policy.parameters["collection"], "office");
    }

    #[test]
    fn names_that_cannot_be_listed_say_why() {
        let backend = backend(Fake::default(), 50);
        let change = routed("a.example.com", "geolocation", &[("location", "Newland")]);
        let outcomes = run(backend.execute(&ZoneId::from("Z1"), &[change]));
        assert_eq!(
            outcomes[0].failure().map(ToString::to_string).as_deref(),
            Some("listing geo-locations failed: ListGeoLocations: not found")
        );
        assert!(backend.api.batches.lock().expect("a lock").is_empty());
    }

    #[test]
    fn an_ip_based_set_read_back_names_its_collection() {
        let written = model::changes_of(
            &routed(
                "a.example.com",
                "ip-based",
                &[("collection", "office"), ("location", "*")],
            ),
            &model::tests::names(),
        )
        .expect("mapped");
        let fake = Fake {
            sets: vec![written[0].set.clone()],
            page: 10,
            names: Some(model::tests::names()),
            ..Fake::default()
        };
        let backend = backend(fake, 50);
        let records = run(backend.read_zone(&ZoneId::from("Z1"), None)).expect("read");
        let set = records.values().next().expect("one set");
        let policy = set.routing_policy.as_ref().expect("a policy");
        assert_eq!(policy.parameters["collection"], "office");
        assert_eq!(backend.api.name_calls.lock().expect("a lock").len(), 4);
    }

    #[test]
    fn the_rate_limit_spaces_requests_beyond_the_burst() {
        let limit = RateLimit::per_day(86_400 * 10, 2);
        assert_eq!(limit.take(), Duration::ZERO);
        assert_eq!(limit.take(), Duration::ZERO);
        let wait = limit.take();
        assert!(
            wait > Duration::from_millis(50) && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
    }
}
