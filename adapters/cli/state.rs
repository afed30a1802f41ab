//! The state file of `shoot-dns apply` (docs/command-line.md#the-state-file): per entry the last
//! status and the record sets it owns, and the contents of the in-memory zones. Written atomically.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use shoot_dns::api::{DnsEntry, DnsEntryStatus};
use shoot_dns::id::{EntryId, ZoneId};
use shoot_dns::records::{Policy, RecordSet};
use shoot_dns::zones::{Action, Change, Ownership, RecordKey, ZoneRecords};

/// The version this build reads and writes.
pub const VERSION: u32 = 1;

/// The whole state file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct State {
    /// Format version.
    pub version: u32,
    /// Entries by entry id.
    #[serde(default)]
    pub entries: BTreeMap<EntryId, EntryState>,
    /// In-memory zone contents by zone id.
    #[serde(default)]
    pub zones: BTreeMap<ZoneId, Vec<StoredRecord>>,
    /// The entries generated from sources (in a cluster, objects of their own).
    #[serde(default)]
    pub generated: Vec<DnsEntry>,
    /// Record sets an `apply` was about to write to a DNS server when this state was written:
    /// if that `apply` was killed, the next one owns those the zone holds exactly as intended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingRecord>,
}

/// A record set about to be written for an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRecord {
    /// The entry id.
    pub entry: EntryId,
    /// `namespace/name` of the provider.
    pub provider: String,
    /// The zone id.
    pub zone: ZoneId,
    /// The record set.
    #[serde(flatten)]
    pub record: StoredRecord,
}

/// What the state keeps of one entry: the fields of its [`Ownership`] and its last status, side
/// by side (`{"provider", "zone", "keys", "keepOnDelete"?, "status"?}`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(from = "EntryFields")]
pub struct EntryState {
    /// The record sets it owns.
    pub owned: Ownership,
    /// Its last status.
    pub status: Option<DnsEntryStatus>,
}

/// The JSON fields of an [`EntryState`] (no `#[serde(flatten)]`, which buffers every field
/// through serde's generic content, several times slower on a state of 100,000 entries).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntryFields {
    provider: String,
    zone: ZoneId,
    keys: std::collections::BTreeSet<RecordKey>,
    #[serde(default)]
    keep_on_delete: bool,
    #[serde(default)]
    status: Option<DnsEntryStatus>,
}

impl From<EntryFields> for EntryState {
    fn from(fields: EntryFields) -> Self {
        Self {
            owned: Ownership {
                provider: fields.provider,
                zone: fields.zone,
                keys: fields.keys,
                keep_on_delete: fields.keep_on_delete,
            },
            status: fields.status,
        }
    }
}

impl Serialize for EntryState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let owned = &self.owned;
        let mut fields = serializer.serialize_struct("EntryState", 5)?;
        fields.serialize_field("provider", &owned.provider)?;
        fields.serialize_field("zone", &owned.zone)?;
        fields.serialize_field("keys", &owned.keys)?;
        if owned.keep_on_delete {
            fields.serialize_field("keepOnDelete", &true)?;
        }
        if let Some(status) = &self.status {
            fields.serialize_field("status", status)?;
        }
        fields.end()
    }
}

/// One record set of an in-memory zone:
/// `{"dnsName", "setIdentifier"?, "type", "ttl", "values", "routingPolicy"?}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "RecordFields")]
pub struct StoredRecord {
    /// Name, set identifier and type.
    pub key: RecordKey,
    /// TTL.
    pub ttl: u32,
    /// Values.
    pub values: Vec<String>,
    /// Routing policy.
    pub routing_policy: Option<Policy>,
}

/// The JSON fields of a [`StoredRecord`], side by side.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordFields {
    dns_name: shoot_dns::DnsName,
    #[serde(default)]
    set_identifier: String,
    #[serde(rename = "type")]
    record_type: shoot_dns::records::RecordType,
    ttl: u32,
    values: Vec<String>,
    #[serde(default)]
    routing_policy: Option<Policy>,
}

impl From<RecordFields> for StoredRecord {
    fn from(fields: RecordFields) -> Self {
        Self {
            key: RecordKey {
                owner: shoot_dns::records::RecordName::new(fields.dns_name, fields.set_identifier),
                record_type: fields.record_type,
            },
            ttl: fields.ttl,
            values: fields.values,
            routing_policy: fields.routing_policy,
        }
    }
}

impl Serialize for StoredRecord {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let owner = &self.key.owner;
        let mut fields = serializer.serialize_struct("StoredRecord", 6)?;
        fields.serialize_field("dnsName", &owner.dns_name)?;
        if !owner.set_identifier.is_empty() {
            fields.serialize_field("setIdentifier", &owner.set_identifier)?;
        }
        fields.serialize_field("type", &self.key.record_type)?;
        fields.serialize_field("ttl", &self.ttl)?;
        fields.serialize_field("values", &self.values)?;
        if let Some(policy) = &self.routing_policy {
            fields.serialize_field("routingPolicy", policy)?;
        }
        fields.end()
    }
}

/// Removes the temporary files an earlier write of the state at `path` left behind when it was
/// killed before its rename (`.<file>.<pid>.tmp` of a process that is no longer running).
fn remove_leftovers(path: &Path, file_name: &str) {
    let dir = match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir,
        None => Path::new("."),
    };
    let Ok(siblings) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{file_name}.");
    for sibling in siblings.flatten() {
        let name = sibling.file_name();
        let Some(pid) = (name.to_str())
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !running(pid) {
            let _ = std::fs::remove_file(sibling.path());
        }
    }
}

/// Whether a process `pid` runs (where `/proc` tells; elsewhere it is taken as gone).
fn running(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

impl State {
    /// Reads the state at `path`; a missing file is an empty state. A file that is not a state of
    /// this version is an error that names the file.
    pub fn read(path: &Path) -> Result<Self, String> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    version: VERSION,
                    ..Self::default()
                });
            }
            Err(e) => return Err(format!("{}: cannot read the state: {e}", path.display())),
        };
        // The version first, without building anything else, so that a state of another
        // version gets this message rather than one about a field it lacks.
        #[derive(Deserialize)]
        struct Version {
            version: Option<u64>,
        }
        let version = serde_json::from_slice::<Version>(&bytes)
            .map_err(|e| {
                format!(
                    "{}: not a shoot-dns state file (is it truncated?): {e}",
                    path.display()
                )
            })?
            .version;
        if version != Some(u64::from(VERSION)) {
            let found = version.map_or("none".to_owned(), |v| v.to_string());
            return Err(format!(
                "{}: state file version {found} is not supported (this shoot-dns reads version {VERSION})",
                path.display()
            ));
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a shoot-dns state file: {e}", path.display()))
    }

    /// Writes the state to `path` atomically: a temporary file beside it, flushed to disk, then
    /// renamed over the old one.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("{}: cannot write the state: {e}", path.display());
        // Compact: a state of 100,000 entries is a third smaller, and read that much faster,
        // than indented.
        let mut text =
            serde_json::to_vec(self).map_err(|e| format!("cannot render the state: {e}"))?;
        text.push(b'\n');
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
        let mut file = std::fs::File::create(&temporary).map_err(fail)?;
        file.write_all(&text).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        drop(file);
        std::fs::rename(&temporary, path).map_err(fail)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(dir) = std::fs::File::open(dir)
        {
            let _ = dir.sync_all();
        }
        remove_leftovers(path, &file_name);
        Ok(())
    }

    /// The generated entries, each with its status (which the state keeps once, with what the
    /// entry owns), taken out of the state.
    pub fn take_generated(&mut self) -> Vec<DnsEntry> {
        let mut generated = std::mem::take(&mut self.generated);
        for entry in &mut generated {
            if entry.status.is_none() {
                let id = shoot_dns::plan::entry_id(entry);
                entry.status = self.entries.get_mut(&id).and_then(|e| e.status.take());
            }
        }
        generated
    }

    /// The zone contents as the core reads them (taken out of the state).
    pub fn take_zone_records(&mut self) -> BTreeMap<ZoneId, ZoneRecords> {
        std::mem::take(&mut self.zones)
            .into_iter()
            .map(|(zone, records)| {
                let sets = records
                    .into_iter()
                    .map(|r| {
                        let set = RecordSet {
                            record_type: r.key.record_type,
                            ttl: r.ttl,
                            values: r.values,
                            routing_policy: r.routing_policy,
                        };
                        (r.key, set)
                    })
                    .collect();
                (zone, sets)
            })
            .collect()
    }

    /// Stores zone contents.
    pub fn set_zones(&mut self, zones: &BTreeMap<ZoneId, ZoneRecords>) {
        self.zones = zones
            .iter()
            .filter(|(_, sets)| !sets.is_empty())
            .map(|(zone, sets)| {
                let records = sets
                    .iter()
                    .map(|(key, set)| StoredRecord {
                        key: key.clone(),
                        ttl: set.ttl,
                        values: set.values.clone(),
                        routing_policy: set.routing_policy.clone(),
                    })
                    .collect();
                (zone.clone(), records)
            })
            .collect();
    }
}

/// The creates among `changes` through the providers (`namespace/name`) in `external`, whose
/// zones live on DNS servers: what an `apply` killed while sending them may have written.
pub fn pending(changes: &[Change], external: &BTreeSet<&str>) -> Vec<PendingRecord> {
    (changes.iter())
        .filter(|c| c.action == Action::Create && external.contains(c.provider.as_str()))
        .filter_map(|c| {
            let set = c.new_set.as_ref()?;
            Some(PendingRecord {
                entry: c.entry.clone(),
                provider: c.provider.clone(),
                zone: c.zone.clone(),
                record: StoredRecord {
                    key: c.key(),
                    ttl: set.ttl,
                    values: set.values.clone(),
                    routing_policy: set.routing_policy.clone(),
                },
            })
        })
        .collect()
}

/// What the entries of `pending` writes own once `zones` show the writes were made (a zone
/// holds the record set exactly as intended), from what they own now (`owned`): the
/// ownerships that change.
#[cfg(any(feature = "rfc2136", feature = "aws-route53"))]
pub fn confirmed(
    pending: &[PendingRecord],
    zones: &BTreeMap<ZoneId, ZoneRecords>,
    owned: &BTreeMap<EntryId, Ownership>,
) -> BTreeMap<EntryId, Ownership> {
    let mut changed: BTreeMap<EntryId, Ownership> = BTreeMap::new();
    for record in pending {
        let held = (zones.get(&record.zone)).and_then(|z| z.get(&record.record.key));
        let written = held.is_some_and(|set| {
            let mut values = set.values.clone();
            values.sort();
            let mut intended = record.record.values.clone();
            intended.sort();
            values == intended
        });
        if !written {
            continue;
        }
        let ownership = changed.entry(record.entry.clone()).or_insert_with(|| {
            owned
                .get(&record.entry)
                .cloned()
                .unwrap_or_else(|| Ownership {
                    provider: record.provider.clone(),
                    zone: record.zone.clone(),
                    ..Ownership::default()
                })
        });
        if ownership.zone == record.zone {
            ownership.keys.insert(record.record.key.clone());
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The state reads back what it wrote, field for field: every field the JSON has on each
    /// side, and none lost (an ownership whose records stay when the entry goes, set
    /// identifiers, routing policies, statuses).
    #[test]
    fn a_state_reads_back_what_it_wrote() {
        let key = |name: &str, set: &str| RecordKey {
            owner: shoot_dns::records::RecordName::new(name.parse().unwrap(), set),
            record_type: shoot_dns::records::RecordType::A,
        };
        let mut state = State {
            version: VERSION,
            ..State::default()
        };
        state.entries.insert(
            "ns/kept".into(),
            EntryState {
                owned: Ownership {
                    provider: "ns/p".to_owned(),
                    zone: "local:example.com".into(),
                    keys: [key("a.example.com", ""), key("b.example.com", "s1")].into(),
                    keep_on_delete: true,
                },
                status: Some(DnsEntryStatus {
                    state: Some("Ignored".to_owned()),
                    ..DnsEntryStatus::default()
                }),
            },
        );
        state.zones.insert(
            "local:example.com".into(),
            vec![StoredRecord {
                key: key("b.example.com", "s1"),
                ttl: 60,
                values: vec!["192.0.2.1".to_owned()],
                routing_policy: Some(Policy {
                    policy_type: "weighted".to_owned(),
                    parameters: [("weight".to_owned(), "1".to_owned())].into(),
                }),
            }],
        );
        let text = serde_json::to_string(&state).unwrap();
        assert!(text.contains("\"keepOnDelete\":true"), "{text}");
        assert!(text.contains("\"setIdentifier\":\"s1\""), "{text}");
        let again: State = serde_json::from_str(&text).unwrap();
        assert_eq!(again, state);
    }
}
