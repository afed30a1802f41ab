//! The provider step of a plan: each DNSProvider's state and status, and the index that finds
//! the responsible provider of a name.

use std::collections::BTreeMap;

use crate::DnsName;
use crate::annotations::CLASS;
use crate::api::{DNS_API_VERSION, DnsProvider, ObjectRef, Secret};
use crate::config::Config;
use crate::events::Event;
use crate::provider::{ProviderCandidate, ProviderIndex, ProviderState, evaluate};
use crate::world::World;
use crate::zones::Ownership;

use super::sources::{key, latest};

/// The providers of our class, evaluated.
#[derive(Debug, Default)]
pub(super) struct Providers {
    /// By `namespace/name`.
    pub states: BTreeMap<String, ProviderState>,
    /// Entries quota by `namespace/name`.
    pub quotas: BTreeMap<String, i64>,
    /// Finds the responsible provider of a name.
    pub index: ProviderIndex,
}

/// Evaluates every provider; returns them with their status (ours) or as given (other classes).
pub(super) fn providers(
    world: &World,
    config: &Config,
    events: &mut Vec<Event>,
) -> (Providers, Vec<DnsProvider>) {
    let mut secrets: BTreeMap<(&str, &str), &Secret> = BTreeMap::new();
    for secret in latest(&world.secrets, |s| &s.metadata, ("v1", "Secret"), events) {
        secrets.insert(key(&secret.metadata), secret);
    }
    let given = latest(
        &world.providers,
        |p| &p.metadata,
        (DNS_API_VERSION, "DNSProvider"),
        events,
    );
    let mut out = Providers::default();
    let mut listed = Vec::with_capacity(given.len());
    for provider in given {
        let secret = provider.spec.secret_ref.as_ref().and_then(|r| {
            secrets
                .get(&(provider.metadata.namespace_or_default(), r.name.as_str()))
                .copied()
        });
        let hosted = world
            .observed
            .hosted_zones
            .get(&provider.metadata.key())
            .map(Vec::as_slice);
        let (provider, evaluated) = evaluate_provider(provider, secret, hosted, config, events);
        if let Some(evaluated) = evaluated {
            out.add(evaluated);
        }
        listed.push(provider);
    }
    (out, listed)
}

/// One provider of our class, evaluated.
#[derive(Debug)]
pub(super) struct Evaluated {
    pub state: ProviderState,
    pub quota: Option<i64>,
    pub candidate: ProviderCandidate,
}

impl Providers {
    /// Adds (or replaces) an evaluated provider.
    pub(super) fn add(&mut self, evaluated: Evaluated) {
        let key = evaluated.state.key.clone();
        match evaluated.quota {
            Some(quota) => self.quotas.insert(key.clone(), quota),
            None => self.quotas.remove(&key),
        };
        self.index.remove(&key);
        self.index.insert(evaluated.candidate);
        self.states.insert(key, evaluated.state);
    }

    /// Removes a provider.
    pub(super) fn remove(&mut self, key: &str) {
        self.quotas.remove(key);
        self.index.remove(key);
        self.states.remove(key);
    }

    /// The provider through which an owned record set of `name` may be deleted: the one that
    /// wrote it if that one still covers the name and zone, else the provider now responsible
    /// for the name if it covers the zone; `None` if no provider may touch it
    /// (docs/entries-and-providers.md §4.4, COMPATIBILITY.md#d11-2 and #d14).
    pub(super) fn deleter<'p>(&'p self, owned: &Ownership, name: &DnsName) -> Option<&'p str> {
        let covering = |key: &str| {
            (self.states.get(key))
                .filter(|state| state.covers(name, owned.zone.as_str()))
                .map(|state| state.key.as_str())
        };
        covering(&owned.provider)
            .or_else(|| covering(&self.index.choose(name, Some(&owned.provider))?.key))
    }
}

/// Evaluates one provider: as listed (with its status if it is of our class), and its state if
/// it is of our class. Its events are added to `events`.
pub(super) fn evaluate_provider(
    provider: &DnsProvider,
    secret: Option<&Secret>,
    hosted: Option<&[crate::provider::HostedZone]>,
    config: &Config,
    events: &mut Vec<Event>,
) -> (DnsProvider, Option<Evaluated>) {
    let mut provider = provider.clone();
    if !config.class.matches(provider.metadata.annotation(CLASS)) {
        return (provider, None);
    }
    let (namespace, name) = key(&provider.metadata);
    let provider_key = provider.metadata.key();
    let state = evaluate(&provider, secret, hosted, config.default_ttl);
    let reference = ObjectRef::new(DNS_API_VERSION, "DNSProvider", namespace, name);
    for warning in &state.selection.warnings {
        events.push(Event::warning(
            reference.clone(),
            "DomainNotHosted",
            warning.clone(),
        ));
    }
    if !state.is_ready() {
        events.push(Event::warning(
            reference,
            state.phase.as_str(),
            state.message.clone(),
        ));
    }
    provider.status = Some(state.status(provider.metadata.generation));
    let quota = provider.spec.quotas.as_ref().and_then(|q| q.entries);
    let candidate = ProviderCandidate {
        key: provider_key,
        ready: state.is_ready(),
        deleting: state.deleting,
        included: state.selection.domains_included.iter().cloned().collect(),
        excluded: state.selection.domains_excluded.iter().cloned().collect(),
    };
    (
        provider,
        Some(Evaluated {
            state,
            quota,
            candidate,
        }),
    )
}
