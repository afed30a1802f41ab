//! The entry step of a plan: what each DNSEntry wants (docs/entries-and-providers.md §4.1), before
//! entries are weighed against each other and against the zones.

use std::collections::BTreeSet;

use crate::DnsName;
use crate::annotations::{IGNORE, IP_STACK, TARGET_HARD_IGNORE};
use crate::api::{DnsEntry, DnsEntryStatus};
use crate::entry::{FailureState, validate};
use crate::id::ZoneId;
use crate::provider::ProviderState;
use crate::records::{Desired, RecordInput, check_policy, desired};
use crate::zones::{Observed, Ownership};

use super::providers::Providers;

/// The default interval between lookups of host name targets (Gardener's
/// `defaultCNAMELookupInterval`).
pub(super) const DEFAULT_CNAME_LOOKUP_INTERVAL: i64 = 600;

/// What one entry asks for.
#[derive(Debug, Clone)]
pub(super) enum Decision {
    /// Its records stay as they are; the status says why.
    Hold(Box<DnsEntryStatus>),
    /// It is being deleted: the records it owns go.
    Delete,
    /// It is being deleted while fully ignored: its records stay, owned by nobody.
    Release(Box<DnsEntryStatus>),
    /// It wants these records in this zone.
    Want(Box<Want>),
}

/// The records an entry wants, and where.
#[derive(Debug, Clone)]
pub(super) struct Want {
    /// The responsible provider (`namespace/name`).
    pub provider: String,
    /// The zone.
    pub zone: ZoneId,
    /// The records.
    pub desired: Desired,
    /// The status once the zone holds exactly these records.
    pub ready: DnsEntryStatus,
}

/// A status with a state and message, keeping what the entry's previous status said of its
/// provider, zone and records (Gardener leaves those as they are on such outcomes).
pub(super) fn held(
    entry: &DnsEntry,
    previous: Option<&DnsEntryStatus>,
    owned: Option<&Ownership>,
    state: &str,
    message: String,
) -> DnsEntryStatus {
    let previous = previous.cloned().unwrap_or_default();
    DnsEntryStatus {
        state: Some(state.to_owned()),
        message: Some(message),
        provider: owned.map(|o| o.provider.clone()).or(previous.provider),
        zone: owned.map(|o| o.zone.to_string()).or(previous.zone),
        observed_generation: entry.metadata.generation,
        ..previous
    }
}

/// The annotation that fully ignores an entry, as its status reports it (§4.3).
pub(super) fn full_ignore(entry: &DnsEntry) -> Option<String> {
    let meta = &entry.metadata;
    if meta.annotation(TARGET_HARD_IGNORE) == Some("true") {
        Some(format!("{TARGET_HARD_IGNORE}=true"))
    } else {
        (meta.annotation(IGNORE) == Some("full")).then(|| format!("{IGNORE}=full"))
    }
}

/// Decides what one entry (of our class) asks for, given the status it shows (`previous`).
/// Host names it waits to have resolved are added to `lookups`.
pub(super) fn decide(
    entry: &DnsEntry,
    previous: Option<&DnsEntryStatus>,
    owned: Option<&Ownership>,
    providers: &Providers,
    observed: &Observed,
    lookups: &mut BTreeSet<DnsName>,
) -> Decision {
    // An entry that has been planned before may lose its targets: that removes its records.
    let has_records = owned.is_some();
    let meta = &entry.metadata;
    // §4.3: a full ignore holds even while the entry is deleted (its records are then left
    // behind, owned by nobody); a reconcile ignore does not.
    if let Some(reported) = full_ignore(entry) {
        let status = held(
            entry,
            previous,
            owned,
            "Ignored",
            format!("entry is ignored due to annotation: {reported}"),
        );
        return if meta.is_deleting() {
            Decision::Release(Box::new(status))
        } else {
            Decision::Hold(Box::new(status))
        };
    }
    if meta.is_deleting() {
        if let Some(owned) = owned
            && let Some(status) = blocked_deletion(entry, previous, owned, providers, observed)
        {
            return Decision::Hold(Box::new(status));
        }
        return Decision::Delete;
    }
    if let Some(v @ ("true" | "reconcile")) = meta.annotation(IGNORE) {
        let message = format!("entry is ignored due to annotation: {IGNORE}={v}");
        return Decision::Hold(Box::new(held(entry, previous, owned, "Ignored", message)));
    }
    let valid = match validate(&entry.spec, has_records) {
        Ok(valid) => valid,
        Err(error) => {
            let state = match error.state() {
                FailureState::Invalid => "Invalid",
                FailureState::Error => "Error",
            };
            return Decision::Hold(Box::new(held(
                entry,
                previous,
                owned,
                state,
                error.to_string(),
            )));
        }
    };
    let current = owned
        .map(|o| o.provider.as_str())
        .or(previous.and_then(|s| s.provider.as_deref()));
    let Some(candidate) = providers.index.choose(&valid.dns_name, current) else {
        // COMPATIBILITY.md#d11
        let state = if has_records { "Stale" } else { "Error" };
        let mut status = held(
            entry,
            previous,
            owned,
            state,
            "No responsible provider found".to_owned(),
        );
        status.provider = None;
        if !has_records {
            status.provider_type = None;
        }
        return Decision::Hold(Box::new(status));
    };
    let Some(provider) = providers.states.get(&candidate.key) else {
        let message = format!(
            "failed to get provider state for provider {}",
            candidate.key
        );
        return Decision::Hold(Box::new(held(entry, previous, owned, "Error", message)));
    };
    // A Ready provider has a supported type (`None` only for an Invalid one).
    let Some(provider_type) = provider.provider_type.filter(|_| provider.is_ready()) else {
        let message = not_ready(provider);
        return Decision::Hold(Box::new(held(entry, previous, owned, "Stale", message)));
    };
    let Some(zone) = provider.zone_for(&valid.dns_name).map(|z| z.id.clone()) else {
        let name = provider.key.rsplit('/').next().unwrap_or(&provider.key);
        let message = format!(
            "no matching zone found for DNS name {:?} in provider {name:?}",
            valid.dns_name.as_str()
        );
        return Decision::Hold(Box::new(held(entry, previous, owned, "Error", message)));
    };
    let input = RecordInput {
        provider_type,
        default_ttl: provider.default_ttl,
        ip_stack: meta.annotation(IP_STACK),
        resolved: &observed.resolved,
        default_cname_lookup_interval: DEFAULT_CNAME_LOOKUP_INTERVAL,
    };
    let desired = match desired(&valid, &input) {
        Ok(desired) => desired,
        Err(error) => {
            return Decision::Hold(Box::new(held(
                entry,
                previous,
                owned,
                "Invalid",
                error.to_string(),
            )));
        }
    };
    if !desired.lookups.is_empty() {
        let hosts: Vec<&str> = desired.lookups.iter().map(|h| h.as_str()).collect();
        let message = format!(
            "dns entry pending: waiting for lookup of {}",
            hosts.join(", ")
        );
        lookups.extend(desired.lookups.iter().cloned());
        return Decision::Hold(Box::new(held(entry, previous, owned, "Pending", message)));
    }
    let supports_policy = provider
        .local
        .as_ref()
        .is_some_and(|l| l.support_routing_policy);
    for set in desired.sets.values() {
        if let Err(error) = check_policy(provider_type, &desired.owner, set, supports_policy) {
            let message = format!("failed to execute DNS change requests: {error}");
            return Decision::Hold(Box::new(held(entry, previous, owned, "Error", message)));
        }
    }
    let has_targets = !desired.status_targets.is_empty();
    let ready = DnsEntryStatus {
        state: Some("Ready".to_owned()),
        message: Some("dns entry active".to_owned()),
        provider: Some(provider.key.clone()),
        provider_type: Some(provider_type.as_str().to_owned()),
        zone: Some(zone.to_string()),
        dns_name: Some(valid.dns_name.to_string()),
        targets: has_targets.then(|| desired.status_targets.clone()),
        ttl: has_targets.then_some(i64::from(desired.ttl)),
        cname_lookup_interval: desired.cname_lookup_interval,
        routing_policy: desired.status_routing_policy.clone(),
        observed_generation: meta.generation,
    };
    Decision::Want(Box::new(Want {
        provider: provider.key.clone(),
        zone,
        desired,
        ready,
    }))
}

/// Why a deleted entry keeps its records: one that the zone holds may be deleted by no
/// provider that covers its name and zone (docs/entries-and-providers.md §4.4). It stays `Stale`
/// and keeps them, and its finalizer, until a provider covers them again.
fn blocked_deletion(
    entry: &DnsEntry,
    previous: Option<&DnsEntryStatus>,
    owned: &Ownership,
    providers: &Providers,
    observed: &Observed,
) -> Option<DnsEntryStatus> {
    let zone = observed.zones.get(&owned.zone);
    let stuck = (owned.keys.iter())
        .filter(|key| zone.is_some_and(|z| z.contains_key(*key)))
        .map(|key| &key.owner.dns_name)
        .find(|name| providers.deleter(owned, name).is_none())?;
    let responsible = providers.index.choose(stuck, Some(&owned.provider));
    let message = match responsible.and_then(|c| providers.states.get(&c.key)) {
        None => "No responsible provider found".to_owned(),
        Some(provider) if !provider.is_ready() => not_ready(provider),
        Some(provider) => format!(
            "No responsible provider found for {:?} in zone {}: provider {} serves it in zone {}",
            stuck.as_str(),
            owned.zone,
            provider.key,
            provider.zone_for(stuck).map_or("(none)", |z| z.id.as_str()),
        ),
    };
    let mut status = held(entry, previous, Some(owned), "Stale", message);
    if responsible.is_none() {
        status.provider = None;
    }
    Some(status)
}

/// The message of an entry whose provider is not Ready (docs/entries-and-providers.md §3.5).
fn not_ready(provider: &ProviderState) -> String {
    format!(
        "provider {} has status {}: {}",
        provider.key,
        provider.phase.as_str(),
        if provider.message.is_empty() {
            "unknown error"
        } else {
            &provider.message
        }
    )
}
