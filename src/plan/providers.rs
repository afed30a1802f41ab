//! The provider step of a plan: each DNSProvider's state and status, and the index that finds
//! the responsible provider of a name.

use std::collections::BTreeMap;

use crate::annotations::CLASS;
use crate::api::{DNS_API_VERSION, DnsProvider, ObjectRef, Secret};
use crate::config::Config;
use crate::events::Event;
use crate::provider::{ProviderCandidate, ProviderIndex, ProviderState, evaluate};
use crate::world::World;

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
        let mut provider = provider.clone();
        if !config.class.matches(provider.metadata.annotation(CLASS)) {
            listed.push(provider);
            continue;
        }
        let (namespace, name) = key(&provider.metadata);
        let provider_key = provider.metadata.key();
        let secret = provider
            .spec
            .secret_ref
            .as_ref()
            .and_then(|r| secrets.get(&(namespace, r.name.as_str())).copied());
        let given_zones = world
            .observed
            .hosted_zones
            .get(&provider_key)
            .map(Vec::as_slice);
        let state = evaluate(&provider, secret, given_zones, config.default_ttl);
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
        if let Some(quota) = provider.spec.quotas.as_ref().and_then(|q| q.entries) {
            out.quotas.insert(provider_key.clone(), quota);
        }
        out.index.insert(ProviderCandidate {
            key: provider_key.clone(),
            ready: state.is_ready(),
            deleting: state.deleting,
            included: state.selection.domains_included.iter().cloned().collect(),
            excluded: state.selection.domains_excluded.iter().cloned().collect(),
        });
        out.states.insert(provider_key, state);
        listed.push(provider);
    }
    (out, listed)
}
