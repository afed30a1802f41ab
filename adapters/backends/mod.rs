//! DNS backends: where the record sets of a provider's zones live, and how changes reach them.
//!
//! Every provider type is reached through one interface, [`DnsBackend`]: list the zones the
//! account hosts, read a zone (whole, or only the names a plan needs), execute one zone's
//! ordered changes with one outcome per change. A driver (the command line's `apply`, the
//! controller) builds a [`Backend`] per DNSProvider with [`Backend::for_provider`] and executes a
//! round of planned changes with [`execute`]; the core decides, a backend only moves bytes.
//!
//! - [`memory`]: the zones of `local` providers, in memory. Always compiled, so an offline
//!   `plan` needs no feature.
//! - `rfc2136` (feature `rfc2136`): an authoritative DNS server, read by zone transfer (AXFR)
//!   and changed by RFC 2136 UPDATE messages signed with TSIG.
//! - `route53` (feature `aws-route53`): an AWS account's Route 53 hosted zones, through AWS's
//!   SDK.
//!
//! The futures are `Send`, for tokio; the `local` ones are ready at once.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::time::Duration;

use crate::DnsName;
use crate::api::{DnsProvider, Secret};
use crate::id::ZoneId;
use crate::plan::Planner;
use crate::provider::{HostedZone, LocalConfig, ProviderType};
use crate::zones::{Action, Change, ChangeFailure, ChangeOutcome, FailureKind, ZoneRecords};

pub mod memory;
#[cfg(feature = "rfc2136")]
pub mod rfc2136;
#[cfg(feature = "aws-route53")]
pub mod route53;

/// One provider account's DNS service.
pub trait DnsBackend: Send + Sync {
    /// The provider type it serves.
    fn provider_type(&self) -> ProviderType;

    /// The zones the account hosts.
    fn list_zones(&self) -> impl Future<Output = Result<Vec<HostedZone>, BackendError>> + Send;

    /// What `zone` holds: all of it (`names: None`), or at least the record sets at `names`
    /// (a backend that cannot list a whole zone asks for these).
    fn read_zone(
        &self,
        zone: &ZoneId,
        names: Option<&BTreeSet<DnsName>>,
    ) -> impl Future<Output = Result<ZoneRecords, BackendError>> + Send;

    /// Makes `changes` (all of `zone`, in plan order: deletes first) and gives one outcome per
    /// change, in the same order. A failure of one change does not stop the others.
    fn execute(
        &self,
        zone: &ZoneId,
        changes: &[Change],
    ) -> impl Future<Output = Vec<ChangeOutcome>> + Send;
}

/// Why a backend could not do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The provider's configuration or credentials cannot be used.
    #[error("{0}")]
    Unusable(String),
    /// The server could not be reached, or the connection broke.
    #[error("{message}")]
    Unreachable {
        /// What happened, naming the server.
        message: String,
    },
    /// The server answered with a refusal.
    #[error("{message}")]
    Refused {
        /// The server's code (a DNS response code such as `REFUSED`, an HTTP status).
        code: String,
        /// What happened, naming the server and the zone.
        message: String,
    },
    /// The server does not allow the zone to be transferred; it may still answer queries
    /// ([`DnsBackend::read_zone`] with names).
    #[error("{message}")]
    TransferRefused {
        /// What happened, naming the server and the zone.
        message: String,
    },
    /// The zone changed since it was read (a failed prerequisite, a conflicting write): read it
    /// again, then plan again.
    #[error("{message}")]
    Conflict {
        /// What happened, naming the server and the zone.
        message: String,
    },
    /// The server asks for fewer requests.
    #[error("{message}")]
    Throttled {
        /// How long the server asked to wait.
        retry_after: Option<Duration>,
        /// What happened.
        message: String,
    },
    /// The request itself cannot be made as it is.
    #[error("{message}")]
    Rejected {
        /// What is wrong with it.
        message: String,
    },
    /// This build has no backend for the provider's type.
    #[error("provider type {provider_type} cannot be changed without its adapter")]
    NoBackend {
        /// The provider's type, as its DNSProvider spells it.
        provider_type: String,
    },
    /// The zone is not one the account hosts.
    #[error("DNSZone {provider_type}/{zone} not hosted")]
    NotHosted {
        /// The provider's type.
        provider_type: ProviderType,
        /// The zone id.
        zone: ZoneId,
    },
}

impl From<BackendError> for ChangeFailure {
    fn from(error: BackendError) -> Self {
        let kind = match &error {
            BackendError::NotHosted {
                provider_type,
                zone,
            } => {
                return ChangeFailure::NotHosted {
                    provider_type: provider_type.as_str().to_owned(),
                    zone: zone.clone(),
                };
            }
            BackendError::NoBackend { provider_type } => {
                return ChangeFailure::NoBackend {
                    provider_type: provider_type.clone(),
                };
            }
            BackendError::Unusable(reason) => {
                return ChangeFailure::ProviderUnusable {
                    reason: reason.clone(),
                };
            }
            BackendError::Unreachable { .. } => FailureKind::Unreachable,
            BackendError::Refused { .. } | BackendError::TransferRefused { .. } => {
                FailureKind::Refused
            }
            BackendError::Throttled { retry_after, .. } => FailureKind::Throttled {
                retry_after: *retry_after,
            },
            BackendError::Conflict { .. } => FailureKind::Conflict,
            BackendError::Rejected { .. } => FailureKind::Rejected,
        };
        ChangeFailure::Backend {
            kind,
            message: error.to_string(),
        }
    }
}

/// The backend of one DNSProvider: a closed set, one variant per provider type this build can
/// reach.
#[derive(Debug)]
#[non_exhaustive]
pub enum Backend {
    /// A `local` provider's zones in memory.
    Memory(memory::MemoryBackend),
    /// An `rfc2136` provider's DNS server.
    #[cfg(feature = "rfc2136")]
    Rfc2136(rfc2136::Rfc2136Backend),
    /// An `aws-route53` provider's account.
    #[cfg(feature = "aws-route53")]
    Route53(route53::Route53Backend<route53::sdk::SdkApi>),
}

impl Backend {
    /// The backend of `provider`, with the properties of the Secret its `secretRef` names
    /// (`secret`; `local` providers need none). The zones of every `local` provider live in
    /// `local_zones`, shared between the providers of one driver.
    ///
    /// ```
    /// use shoot_dns::adapters::backends::{Backend, BackendError, memory::SharedZones};
    ///
    /// let provider: shoot_dns::api::DnsProvider = serde_json::from_value(serde_json::json!({
    ///     "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSProvider",
    ///     "metadata": {"name": "p", "namespace": "default"},
    ///     "spec": {"type": "google-clouddns", "secretRef": {"name": "gcp"}},
    /// }))?;
    /// let error = Backend::for_provider(&provider, None, &SharedZones::default(), None).unwrap_err();
    /// assert_eq!(error.to_string(), "provider type google-clouddns cannot be changed without its adapter");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn for_provider(
        provider: &DnsProvider,
        secret: Option<&Secret>,
        local_zones: &memory::SharedZones,
        options: Option<&crate::config::AdvancedOptions>,
    ) -> Result<Backend, BackendError> {
        let no_backend = || BackendError::NoBackend {
            provider_type: provider.spec.provider_type.clone(),
        };
        let provider_type: ProviderType = provider
            .spec
            .provider_type
            .parse()
            .map_err(|_| no_backend())?;
        match provider_type {
            ProviderType::Local => {
                let config =
                    LocalConfig::of(provider).map_err(|e| BackendError::Unusable(e.to_string()))?;
                Ok(Backend::Memory(memory::MemoryBackend::new(
                    config,
                    local_zones.clone(),
                )))
            }
            #[cfg(feature = "rfc2136")]
            ProviderType::Rfc2136 => {
                let properties = properties(provider, secret)?;
                let server = rfc2136::ZoneServer::from_properties(&properties)?;
                Ok(Backend::Rfc2136(rfc2136::Rfc2136Backend::new(server)))
            }
            #[cfg(feature = "aws-route53")]
            ProviderType::AwsRoute53 => {
                let properties = properties(provider, secret)?;
                let api = route53::sdk::SdkApi::from_properties(&properties)?;
                let batch_size = |size: Option<i64>| {
                    (size.filter(|b| (1..=50).contains(b))).and_then(|b| usize::try_from(b).ok())
                };
                let batch_size = batch_size(
                    (provider.spec.provider_config.as_ref())
                        .and_then(|c| c.get("batchSize"))
                        .and_then(serde_json::Value::as_i64),
                )
                .or_else(|| batch_size(options.and_then(|o| o.batch_size)))
                .unwrap_or(route53::DEFAULT_BATCH_SIZE);
                let limit = match (
                    &provider.spec.rate_limit,
                    options.and_then(|o| o.rate_limits.as_ref()),
                ) {
                    (Some(limit), _) => {
                        route53::RateLimit::per_day(limit.requests_per_day, limit.burst)
                    }
                    (None, Some(limits)) if !limits.enabled => route53::RateLimit::unlimited(),
                    (None, Some(limits)) => {
                        route53::RateLimit::per_second(limits.qps, limits.burst)
                    }
                    (None, None) => route53::RateLimit::default_limit(),
                };
                let mut backend = route53::Route53Backend::new(api, batch_size, limit);
                if let Some(options) = options {
                    backend = backend.with_blocked_zones(options.blocked_zones.iter().cloned());
                    if let Some(retries) = options.max_retries.and_then(|r| u32::try_from(r).ok()) {
                        backend = backend.with_max_retries(retries);
                    }
                }
                Ok(Backend::Route53(backend))
            }
            _ => {
                let _ = (secret, options);
                Err(no_backend())
            }
        }
    }
}

/// The properties of the provider's Secret.
#[cfg(any(feature = "rfc2136", feature = "aws-route53"))]
fn properties(
    provider: &DnsProvider,
    secret: Option<&Secret>,
) -> Result<BTreeMap<String, String>, BackendError> {
    let secret = secret.ok_or_else(|| {
        let name = (provider.spec.secret_ref.as_ref()).map_or("", |r| r.name.as_str());
        BackendError::Unusable(format!(
            "secret {}/{name} not found",
            provider.metadata.namespace_or_default()
        ))
    })?;
    crate::provider::secret_properties(secret).map_err(|e| BackendError::Unusable(e.to_string()))
}

impl DnsBackend for Backend {
    fn provider_type(&self) -> ProviderType {
        match self {
            Backend::Memory(b) => b.provider_type(),
            #[cfg(feature = "rfc2136")]
            Backend::Rfc2136(b) => b.provider_type(),
            #[cfg(feature = "aws-route53")]
            Backend::Route53(b) => b.provider_type(),
        }
    }

    async fn list_zones(&self) -> Result<Vec<HostedZone>, BackendError> {
        match self {
            Backend::Memory(b) => b.list_zones().await,
            #[cfg(feature = "rfc2136")]
            Backend::Rfc2136(b) => b.list_zones().await,
            #[cfg(feature = "aws-route53")]
            Backend::Route53(b) => b.list_zones().await,
        }
    }

    async fn read_zone(
        &self,
        zone: &ZoneId,
        names: Option<&BTreeSet<DnsName>>,
    ) -> Result<ZoneRecords, BackendError> {
        match self {
            Backend::Memory(b) => b.read_zone(zone, names).await,
            #[cfg(feature = "rfc2136")]
            Backend::Rfc2136(b) => b.read_zone(zone, names).await,
            #[cfg(feature = "aws-route53")]
            Backend::Route53(b) => b.read_zone(zone, names).await,
        }
    }

    async fn execute(&self, zone: &ZoneId, changes: &[Change]) -> Vec<ChangeOutcome> {
        match self {
            Backend::Memory(b) => b.execute(zone, changes).await,
            #[cfg(feature = "rfc2136")]
            Backend::Rfc2136(b) => b.execute(zone, changes).await,
            #[cfg(feature = "aws-route53")]
            Backend::Route53(b) => b.execute(zone, changes).await,
        }
    }
}

/// A borrowed backend serves as the backend itself (a driver keeps its backends and lends them
/// to [`execute`]).
impl<T: DnsBackend> DnsBackend for &T {
    fn provider_type(&self) -> ProviderType {
        (**self).provider_type()
    }

    fn list_zones(&self) -> impl Future<Output = Result<Vec<HostedZone>, BackendError>> + Send {
        (**self).list_zones()
    }

    fn read_zone(
        &self,
        zone: &ZoneId,
        names: Option<&BTreeSet<DnsName>>,
    ) -> impl Future<Output = Result<ZoneRecords, BackendError>> + Send {
        (**self).read_zone(zone, names)
    }

    fn execute(
        &self,
        zone: &ZoneId,
        changes: &[Change],
    ) -> impl Future<Output = Vec<ChangeOutcome>> + Send {
        (**self).execute(zone, changes)
    }
}

/// The changes of a plan grouped by provider and zone, each group in plan order: what a driver
/// hands to [`DnsBackend::execute`], one call per group.
pub fn by_zone(changes: &[Change]) -> BTreeMap<(String, ZoneId), Vec<(usize, &Change)>> {
    let mut groups: BTreeMap<(String, ZoneId), Vec<(usize, &Change)>> = BTreeMap::new();
    for (position, change) in changes.iter().enumerate() {
        (groups.entry((change.provider.clone(), change.zone.clone())))
            .or_default()
            .push((position, change));
    }
    groups
}

/// Executes `changes` (sorted: deletes first) zone by zone; the outcome of each, in the same
/// order. Within a zone the deletes go first, then the changes that no failed delete blocks
/// ([`Planner::blocked`]); each outcome is fed to the planner as it comes. The caller then
/// calls [`Planner::handle_settled`].
pub async fn execute<B: DnsBackend>(
    planner: &mut Planner,
    backends: &BTreeMap<String, Result<B, BackendError>>,
    changes: &[Change],
) -> Vec<ChangeOutcome> {
    let mut outcomes: Vec<Option<ChangeOutcome>> = vec![None; changes.len()];
    for ((provider, zone), group) in by_zone(changes) {
        let (deletes, others): (Vec<_>, Vec<_>) =
            (group.into_iter()).partition(|(_, change)| change.action == Action::Delete);
        for batch in [deletes, others] {
            let mut runnable = Vec::with_capacity(batch.len());
            for (position, change) in batch {
                match planner.blocked(change) {
                    Some(failure) => {
                        let outcome = ChangeOutcome::Failed(failure);
                        planner.handle_executed(change, &outcome);
                        outcomes[position] = Some(outcome);
                    }
                    None => runnable.push((position, change)),
                }
            }
            if runnable.is_empty() {
                continue;
            }
            let results = match backends.get(&provider) {
                Some(Ok(backend)) => {
                    let list: Vec<Change> = runnable.iter().map(|(_, c)| (*c).clone()).collect();
                    backend.execute(&zone, &list).await
                }
                Some(Err(error)) => {
                    let failure = ChangeFailure::from(error.clone());
                    vec![ChangeOutcome::Failed(failure); runnable.len()]
                }
                None => {
                    let failure = ChangeFailure::ProviderGone {
                        provider: provider.clone(),
                        zone: zone.clone(),
                    };
                    vec![ChangeOutcome::Failed(failure); runnable.len()]
                }
            };
            for ((position, change), outcome) in runnable.into_iter().zip(results) {
                planner.handle_executed(change, &outcome);
                outcomes[position] = Some(outcome);
            }
        }
    }
    (outcomes.into_iter())
        .map(|o| {
            o.unwrap_or_else(|| {
                ChangeOutcome::Failed(ChangeFailure::Backend {
                    kind: FailureKind::Other,
                    message: "the backend gave no outcome for this change".to_owned(),
                })
            })
        })
        .collect()
}
