//! Zones as a plan sees them: what they hold, which record sets each entry owns, and the
//! changes between what they hold and what the entries want.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::api::DnsEntry;
use crate::id::{EntryId, ZoneId};
use crate::name::DnsName;
use crate::provider::HostedZone;
use crate::records::{RecordName, RecordSet, RecordType};

mod outcome;
mod registry;

pub use outcome::{ChangeFailure, ChangeOutcome, FailureKind};
pub use registry::Registry;

/// Where one record set lives within a zone: its owner (name and set identifier) and type.
/// As JSON: `{"dnsName": ..., "setIdentifier": ... (when set), "type": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(from = "RecordKeyFields")]
pub struct RecordKey {
    /// Name and set identifier.
    pub owner: RecordName,
    /// Record type.
    pub record_type: RecordType,
}

/// The fields of a [`RecordKey`] as JSON holds them, side by side (a `#[serde(flatten)]` would
/// buffer every key through serde's generic content: several times slower for a state of
/// 100,000 keys).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecordKeyFields {
    dns_name: DnsName,
    #[serde(default)]
    set_identifier: String,
    #[serde(rename = "type")]
    record_type: RecordType,
}

impl From<RecordKeyFields> for RecordKey {
    fn from(fields: RecordKeyFields) -> Self {
        Self {
            owner: RecordName::new(fields.dns_name, fields.set_identifier),
            record_type: fields.record_type,
        }
    }
}

impl Serialize for RecordKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let with_set = !self.owner.set_identifier.is_empty();
        let mut fields = serializer.serialize_struct("RecordKey", 2 + usize::from(with_set))?;
        fields.serialize_field("dnsName", &self.owner.dns_name)?;
        if with_set {
            fields.serialize_field("setIdentifier", &self.owner.set_identifier)?;
        } else {
            fields.skip_field("setIdentifier")?;
        }
        fields.serialize_field("type", &self.record_type)?;
        fields.end()
    }
}

/// The record sets of one zone.
pub type ZoneRecords = BTreeMap<RecordKey, RecordSet>;

/// The record sets one entry owns (COMPATIBILITY.md#d14): only these may a plan change or delete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ownership {
    /// `namespace/name` of the provider that wrote them.
    pub provider: String,
    /// The zone that holds them.
    pub zone: ZoneId,
    /// The record sets.
    pub keys: BTreeSet<RecordKey>,
    /// The entry is fully ignored (`dns.gardener.cloud/ignore: full`): when it goes, its record
    /// sets stay, owned by nobody, instead of being deleted (docs/entries-and-providers.md §4.3).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_on_delete: bool,
}

/// What a plan starts from besides the objects: zone contents, ownership, answers to host name
/// lookups, and hosted zones given from outside.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Observed {
    /// The contents of the zones, by zone id. A zone that is not listed is taken as empty.
    pub zones: BTreeMap<ZoneId, ZoneRecords>,
    /// The record sets each entry owns, by entry id ([`crate::plan::entry_id`]).
    pub owned: BTreeMap<EntryId, Ownership>,
    /// Addresses of host name targets that are resolved to A/AAAA records.
    pub resolved: BTreeMap<DnsName, Vec<IpAddr>>,
    /// Hosted zones per provider (`namespace/name`), overriding what the provider's
    /// configuration says (the command line's `--zones`).
    pub hosted_zones: BTreeMap<String, Vec<HostedZone>>,
    /// Entries generated from sources by an earlier plan, as an adapter kept them (in a cluster
    /// they are objects of their own): sources reuse them, and those no source claims go.
    pub generated: Vec<DnsEntry>,
    /// Why the last execution of an entry's changes failed, by entry id, as a backend said it
    /// ([`Registry::note_failures`]): an entry whose changes are still to be made is `Error`
    /// with this message instead of `Pending`, until its changes are made.
    pub failures: BTreeMap<EntryId, String>,
}

/// What a change does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Removes a record set (runs first).
    Delete,
    /// Replaces a record set's TTL, values or policy.
    Update,
    /// Adds a record set (runs last).
    Create,
}

/// A record set's content as changes show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Content {
    /// TTL.
    pub ttl: u32,
    /// Values.
    pub values: Vec<String>,
}

/// One change to a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// `namespace/name` of the provider.
    pub provider: String,
    /// Zone id.
    pub zone: ZoneId,
    /// `create`, `update` or `delete`.
    pub action: Action,
    /// Record name.
    pub name: DnsName,
    /// Record type.
    #[serde(rename = "type")]
    pub record_type: RecordType,
    /// Set identifier of a routing policy.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub set_identifier: String,
    /// What the zone holds now (update, delete).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old: Option<Content>,
    /// What it will hold (create, update).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new: Option<Content>,
    /// After `apply`: what became of the change (`result`: `ok` or `error: <message>`).
    #[serde(rename = "result", default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<ChangeOutcome>,
    /// The full record set to write (create, update).
    #[serde(skip)]
    pub new_set: Option<RecordSet>,
    /// The full record set the zone holds now (update, delete): what a backend that deletes
    /// only an exact match (Route 53) names.
    #[serde(skip)]
    pub old_set: Option<RecordSet>,
    /// The entry the change is made for.
    #[serde(skip)]
    pub entry: EntryId,
}

impl Change {
    /// The key of the record set the change touches.
    pub fn key(&self) -> RecordKey {
        RecordKey {
            owner: RecordName::new(self.name.clone(), self.set_identifier.clone()),
            record_type: self.record_type,
        }
    }

    /// Applies the change to a zone's contents (what an in-memory zone does).
    pub fn apply_to(&self, zone: &mut ZoneRecords) {
        match (&self.action, &self.new_set) {
            (Action::Delete, _) => {
                zone.remove(&self.key());
            }
            (_, Some(set)) => {
                zone.insert(self.key(), set.clone());
            }
            (_, None) => {}
        }
    }
}

/// The order changes run in: deletes first (so a name can switch between plain and policy
/// records, or between a CNAME and addresses, and moves between zones free their old place
/// first), then updates, then creates; within each, by provider, zone, name, type and set
/// identifier (and the entry, so the order is total).
pub fn sort_changes(changes: &mut [Change]) {
    changes.sort_by(|a, b| {
        (
            a.action,
            &a.provider,
            &a.zone,
            &a.name,
            a.record_type,
            &a.set_identifier,
            &a.entry,
        )
            .cmp(&(
                b.action,
                &b.provider,
                &b.zone,
                &b.name,
                b.record_type,
                &b.set_identifier,
                &b.entry,
            ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(action: Action, name: &str, record_type: RecordType) -> Change {
        Change {
            provider: "ns/p".into(),
            zone: "z".into(),
            action,
            name: name.parse().unwrap(),
            record_type,
            set_identifier: String::new(),
            old: None,
            new: None,
            outcome: None,
            new_set: (action != Action::Delete).then(|| RecordSet {
                record_type,
                ttl: 300,
                values: vec!["1.2.3.4".into()],
                routing_policy: None,
            }),
            old_set: None,
            entry: "e".into(),
        }
    }

    #[test]
    fn deletes_run_first() {
        let mut changes = vec![
            change(Action::Create, "a.example.com", RecordType::CNAME),
            change(Action::Update, "b.example.com", RecordType::A),
            change(Action::Delete, "a.example.com", RecordType::A),
        ];
        sort_changes(&mut changes);
        let actions: Vec<Action> = changes.iter().map(|c| c.action).collect();
        assert_eq!(actions, [Action::Delete, Action::Update, Action::Create]);
    }

    #[test]
    fn applies_to_a_zone() {
        let mut zone = ZoneRecords::new();
        change(Action::Create, "a.example.com", RecordType::A).apply_to(&mut zone);
        assert_eq!(zone.len(), 1);
        change(Action::Delete, "a.example.com", RecordType::A).apply_to(&mut zone);
        assert!(zone.is_empty());
    }

    #[test]
    fn serialises_as_the_contract_says() {
        let mut c = change(Action::Create, "a.example.com", RecordType::A);
        c.new = Some(Content {
            ttl: 300,
            values: vec!["1.2.3.4".into()],
        });
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"provider": "ns/p", "zone": "z", "action": "create", "name": "a.example.com", "type": "A", "new": {"ttl": 300, "values": ["1.2.3.4"]}})
        );
    }
}
