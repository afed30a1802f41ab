//! Leader election on a `coordination.k8s.io/v1` Lease, as client-go's `leaderelection` does it
//! (and with it controller-runtime and Gardener's controllers): one replica holds the Lease and
//! renews it every retry period; the others try to take it every retry period once it has not
//! been renewed for a lease duration; a holder that has not renewed within the renew deadline
//! stops leading at once.
//!
//! A module of our own rather than `kube-lease-manager`: that crate renews on its own schedule
//! and reports no failed renewal, so a leader cut off from the API server would keep acting
//! past the renew deadline. Every write here carries the Lease's resourceVersion: two replicas
//! never both succeed in taking it.

use std::time::{Duration, Instant};

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::Client;
use kube::api::{Api, ObjectMeta, PostParams};

/// How a replica takes part in the election (`--leader-election-*`).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LeaseSettings {
    /// The Lease's namespace (`kube-system`).
    pub namespace: String,
    /// The Lease's name (`shoot-dns`).
    pub name: String,
    /// This replica's identity in the Lease (`holderIdentity`).
    pub identity: String,
    /// How long a Lease not renewed stays with its holder (Gardener: 15 s).
    pub lease_duration: Duration,
    /// How long a holder keeps leading without a successful renewal (Gardener: 10 s).
    pub renew_deadline: Duration,
    /// How often the Lease is renewed or tried (Gardener: 2 s).
    pub retry_period: Duration,
}

impl LeaseSettings {
    /// Gardener's defaults for the Lease `namespace/name`, held as `identity`.
    pub fn new(namespace: &str, name: &str, identity: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            identity: identity.to_owned(),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
        }
    }

    /// Other durations.
    #[must_use]
    pub fn durations(mut self, lease: Duration, renew: Duration, retry: Duration) -> Self {
        self.lease_duration = lease;
        self.renew_deadline = renew;
        self.retry_period = retry;
        self
    }
}

/// One replica's part in the election.
pub struct Elector {
    api: Api<Lease>,
    settings: LeaseSettings,
    /// When this replica last renewed (or took) the Lease.
    renewed: Option<Instant>,
}

impl Elector {
    /// An elector on `client`'s cluster.
    pub fn new(client: Client, settings: LeaseSettings) -> Self {
        Self {
            api: Api::namespaced(client, &settings.namespace),
            settings,
            renewed: None,
        }
    }

    /// Waits until this replica holds the Lease. `waiting` is told why it waits each time that
    /// changes: `held by <holder>`, or why the Lease cannot be read or taken (a refusal names
    /// the verb the replica lacks).
    pub async fn acquire(&mut self, mut waiting: impl FnMut(&str)) {
        let mut last = String::new();
        loop {
            let why = match self.try_take().await {
                Ok(None) => return,
                Ok(Some(holder)) => format!("held by {holder}"),
                Err(e) => format!(
                    "cannot read or take Lease {}/{}: {}",
                    self.settings.namespace,
                    self.settings.name,
                    super::describe(&e)
                ),
            };
            if why != last {
                waiting(&why);
                last = why;
            }
            tokio::time::sleep(self.settings.retry_period).await;
        }
    }

    /// Renews the Lease every retry period while this replica holds it; returns (with why)
    /// when it no longer does: another replica holds it, or no renewal succeeded within the
    /// renew deadline.
    pub async fn hold(&mut self) -> String {
        loop {
            tokio::time::sleep(self.settings.retry_period).await;
            match self.try_take().await {
                Ok(None) => {}
                Ok(Some(holder)) => return format!("the Lease is held by {holder}"),
                Err(e) => {
                    let since = self.renewed.map_or(Duration::MAX, |at| at.elapsed());
                    if since > self.settings.renew_deadline {
                        return format!(
                            "the Lease was not renewed within {:?}: {}",
                            self.settings.renew_deadline,
                            super::describe(&e)
                        );
                    }
                }
            }
        }
    }

    /// Gives the Lease up (when this replica holds it), so that another takes it at once.
    pub async fn release(&mut self) {
        let Ok(Some(mut lease)) = self.api.get_opt(&self.settings.name).await else {
            return;
        };
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        if spec.holder_identity.as_deref() != Some(self.settings.identity.as_str()) {
            return;
        }
        spec.holder_identity = None;
        spec.acquire_time = None;
        spec.renew_time = None;
        spec.lease_duration_seconds = Some(1);
        let _ = (self
            .api
            .replace(&self.settings.name, &PostParams::default(), &lease))
        .await;
        self.renewed = None;
    }

    /// Takes or renews the Lease if it is free, expired or this replica's: `None` when this
    /// replica holds it now, else the identity of the replica that does.
    async fn try_take(&mut self) -> Result<Option<String>, kube::Error> {
        let now = Timestamp::now();
        let duration = i32::try_from(self.settings.lease_duration.as_secs()).unwrap_or(i32::MAX);
        let mine = Some(self.settings.identity.clone());
        let Some(mut lease) = self.api.get_opt(&self.settings.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.settings.name.clone()),
                    namespace: Some(self.settings.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: mine,
                    lease_duration_seconds: Some(duration),
                    acquire_time: Some(MicroTime(now)),
                    renew_time: Some(MicroTime(now)),
                    lease_transitions: Some(0),
                    ..LeaseSpec::default()
                }),
            };
            self.api.create(&PostParams::default(), &lease).await?;
            self.renewed = Some(Instant::now());
            return Ok(None);
        };
        let spec = lease.spec.get_or_insert_with(LeaseSpec::default);
        let holder = spec.holder_identity.clone().unwrap_or_default();
        if !holder.is_empty() && spec.holder_identity != mine {
            let renewed = spec.renew_time.as_ref().map(|t| t.0);
            let lasts = SignedDuration::from_secs(i64::from(
                spec.lease_duration_seconds.unwrap_or(duration),
            ));
            let expired =
                renewed.is_none_or(|at| at.checked_add(lasts).is_ok_and(|until| until < now));
            if !expired {
                return Ok(Some(holder));
            }
        }
        if spec.holder_identity != mine {
            spec.holder_identity = mine;
            spec.acquire_time = Some(MicroTime(now));
            spec.lease_transitions = Some(spec.lease_transitions.unwrap_or(0) + 1);
        }
        spec.renew_time = Some(MicroTime(now));
        spec.lease_duration_seconds = Some(duration);
        // With the resourceVersion read: a replica that took it meanwhile makes this a 409.
        match (self
            .api
            .replace(&self.settings.name, &PostParams::default(), &lease))
        .await
        {
            Ok(_) => {
                self.renewed = Some(Instant::now());
                Ok(None)
            }
            Err(kube::Error::Api(e)) if e.code == 409 => {
                let lease = self.api.get(&self.settings.name).await?;
                let holder = lease
                    .spec
                    .and_then(|s| s.holder_identity)
                    .unwrap_or_default();
                Ok(Some(holder))
            }
            Err(e) => Err(e),
        }
    }
}
