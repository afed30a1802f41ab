//! What a cluster's DNSEntries record for a controller that starts: which record sets each one
//! owns (D14: in a cluster the entry's status is the record of ownership), and whether it
//! carries the entry finalizer (docs/entries-and-providers.md §4.2).

use crate::DnsName;
use crate::api::{DnsEntry, DnsEntryStatus};
use crate::id::ZoneId;
use crate::provider::ProviderType;
use crate::records::{RecordName, RecordType, targets_from_status};
use crate::zones::{Ownership, ZoneRecords};

/// The record sets of `records` (the contents of the zone the entry's status names) that an
/// entry wrote, as its status records them: the sets at the status's name and set identifier
/// whose types the status's targets give. Addresses give `A` and `AAAA`, texts `TXT`; host
/// names give `CNAME`, or the `A` and `AAAA` sets they were resolved to, or on `aws-route53`
/// the alias sets and their `TXT` companion. `None` when the status names no provider, zone or
/// targets (nothing was written), or names another zone than `zone`.
///
/// A controller calls this once per entry, when it starts (or first meets the entry) and has
/// read the zone: from then on, what the entry owns follows the changes it executes.
///
/// ```
/// use shoot_dns::api::DnsEntry;
/// use shoot_dns::id::ZoneId;
/// use shoot_dns::plan::ownership_from_status;
/// use shoot_dns::records::{RecordName, RecordSet, RecordType};
/// use shoot_dns::zones::{RecordKey, ZoneRecords};
///
/// let entry: DnsEntry = serde_json::from_value(serde_json::json!({
///     "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSEntry",
///     "metadata": {"name": "www", "namespace": "default"},
///     "spec": {"dnsName": "www.example.com", "targets": ["192.0.2.1"]},
///     "status": {"state": "Ready", "provider": "default/local", "zone": "example.com",
///                "targets": ["192.0.2.1"], "ttl": 300},
/// }))?;
/// let key = |t| RecordKey {
///     owner: RecordName::new("www.example.com".parse().unwrap(), ""),
///     record_type: t,
/// };
/// let set = |t| RecordSet { record_type: t, ttl: 300, values: vec!["x".into()], routing_policy: None };
/// let mut zone = ZoneRecords::new();
/// zone.insert(key(RecordType::A), set(RecordType::A));
/// zone.insert(key(RecordType::TXT), set(RecordType::TXT));
/// let owned = ownership_from_status(&entry, &ZoneId::from("example.com"), &zone).unwrap();
/// assert_eq!(owned.provider, "default/local");
/// // The TXT set is someone else's: the status says the entry wrote addresses.
/// assert_eq!(owned.keys.into_iter().collect::<Vec<_>>(), [key(RecordType::A)]);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn ownership_from_status(
    entry: &DnsEntry,
    zone: &ZoneId,
    records: &ZoneRecords,
) -> Option<Ownership> {
    let status = entry.status.as_ref()?;
    let provider = status.provider.as_deref().filter(|p| !p.is_empty())?;
    if status.zone.as_deref() != Some(zone.as_str()) {
        return None;
    }
    let targets = status.targets.as_deref().filter(|t| !t.is_empty())?;
    let dns_name = (status.dns_name.as_deref())
        .unwrap_or(&entry.spec.dns_name)
        .parse::<DnsName>()
        .ok()?;
    let set_identifier = (status.routing_policy.as_ref())
        .or(entry.spec.routing_policy.as_ref())
        .map(|p| p.set_identifier.clone())
        .unwrap_or_default();
    let owner = RecordName::new(dns_name, set_identifier);
    let aws = status.provider_type.as_deref() == Some(ProviderType::AwsRoute53.as_str());
    let mut types = Vec::new();
    for target in targets_from_status(targets, 0, None).ok()? {
        let more: &[RecordType] = match target.record_type {
            RecordType::CNAME if aws => &[
                RecordType::CNAME,
                RecordType::A,
                RecordType::AAAA,
                RecordType::ALIAS,
                RecordType::ALIAS_AAAA,
                RecordType::TXT,
            ],
            RecordType::CNAME => &[RecordType::CNAME, RecordType::A, RecordType::AAAA],
            RecordType::A => &[RecordType::A],
            RecordType::AAAA => &[RecordType::AAAA],
            _ => &[RecordType::TXT],
        };
        types.extend_from_slice(more);
    }
    let keys = (records.keys())
        .filter(|key| key.owner == owner && types.contains(&key.record_type))
        .cloned()
        .collect();
    Some(Ownership {
        provider: provider.to_owned(),
        zone: zone.clone(),
        keys,
        keep_on_delete: crate::plan::entries::full_ignore(entry).is_some(),
    })
}

/// Whether an entry with `status` carries its class's finalizer after that status is written
/// (docs/entries-and-providers.md §4.2): while it has targets in its status and is not fully
/// ignored. An entry being deleted keeps the one it has until its records are gone
/// ([`crate::plan::FinalizerRelease::Entry`]) and never gets it again: `None`.
pub fn wants_entry_finalizer(entry: &DnsEntry, status: &DnsEntryStatus) -> Option<bool> {
    if entry.metadata.is_deleting() {
        return None;
    }
    let targets = status.targets.as_ref().is_some_and(|t| !t.is_empty());
    Some(targets && crate::plan::entries::full_ignore(entry).is_none())
}
