//! The state file of `shoot-dns apply` (CONTRACT.md "The state file"): per entry the last status
//! and the record sets it owns, and the contents of the in-memory zones. Written atomically.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use shoot_dns::api::{DnsEntry, DnsEntryStatus};
use shoot_dns::records::{Policy, RecordSet};
use shoot_dns::zones::{Ownership, RecordKey, ZoneRecords};

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
    pub entries: BTreeMap<String, EntryState>,
    /// In-memory zone contents by zone id.
    #[serde(default)]
    pub zones: BTreeMap<String, Vec<StoredRecord>>,
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
    pub entry: String,
    /// `namespace/name` of the provider.
    pub provider: String,
    /// The zone id.
    pub zone: String,
    /// The record set.
    #[serde(flatten)]
    pub record: StoredRecord,
}

/// What the state keeps of one entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntryState {
    /// The record sets it owns.
    #[serde(flatten)]
    pub owned: Ownership,
    /// Its last status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DnsEntryStatus>,
}

/// One record set of an in-memory zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredRecord {
    /// Name, set identifier and type.
    #[serde(flatten)]
    pub key: RecordKey,
    /// TTL.
    pub ttl: u32,
    /// Values.
    pub values: Vec<String>,
    /// Routing policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_policy: Option<Policy>,
}

impl State {
    /// Reads the state at `path`; a missing file is an empty state. A file that is not a state of
    /// this version is an error that names the file.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self {
                    version: VERSION,
                    ..Self::default()
                });
            }
            Err(e) => return Err(format!("{}: cannot read the state: {e}", path.display())),
        };
        let version = serde_json::from_str::<serde_json::Value>(&text)
            .map_err(|e| {
                format!(
                    "{}: not a shoot-dns state file (is it truncated?): {e}",
                    path.display()
                )
            })?
            .get("version")
            .and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(VERSION)) {
            let found = version.map_or("none".to_owned(), |v| v.to_string());
            return Err(format!(
                "{}: state file version {found} is not supported (this shoot-dns reads version {VERSION})",
                path.display()
            ));
        }
        serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a shoot-dns state file: {e}", path.display()))
    }

    /// Writes the state to `path` atomically: a temporary file beside it, flushed to disk, then
    /// renamed over the old one.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let fail = |e: std::io::Error| format!("{}: cannot write the state: {e}", path.display());
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| format!("cannot render the state: {e}"))?;
        text.push('\n');
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
        let mut file = std::fs::File::create(&temporary).map_err(fail)?;
        file.write_all(text.as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        drop(file);
        std::fs::rename(&temporary, path).map_err(fail)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && let Ok(dir) = std::fs::File::open(dir)
        {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// The zone contents as the core reads them.
    pub fn zone_records(&self) -> BTreeMap<String, ZoneRecords> {
        self.zones
            .iter()
            .map(|(zone, records)| {
                let sets = records
                    .iter()
                    .map(|r| {
                        let set = RecordSet {
                            record_type: r.key.record_type,
                            ttl: r.ttl,
                            values: r.values.clone(),
                            routing_policy: r.routing_policy.clone(),
                        };
                        (r.key.clone(), set)
                    })
                    .collect();
                (zone.clone(), sets)
            })
            .collect()
    }

    /// Stores zone contents.
    pub fn set_zones(&mut self, zones: &BTreeMap<String, ZoneRecords>) {
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
