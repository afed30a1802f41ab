//! The DNS messages of the rfc2136 adapter, as pure functions: record sets to resource records
//! and back, UPDATE messages with prerequisites for a batch of changes, and zone contents from
//! a transfer's records.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use hickory_proto::op::{Message, MessageType, OpCode, Query, UpdateMessage};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, NS, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType as WireType};

use crate::records::{RecordName, RecordSet, RecordType};
use crate::zones::{Action, Change, RecordKey, ZoneRecords};

/// How many changes go into one UPDATE message at most.
pub const MAX_CHANGES_PER_MESSAGE: usize = 100;

/// The wire name of a record name (`www.example.com` → `www.example.com.`).
pub(crate) fn wire_name(name: &str) -> Result<Name, String> {
    Name::from_ascii(format!("{}.", name.trim_end_matches('.')))
        .map_err(|e| format!("invalid name {name:?}: {e}"))
}

fn wire_type(record_type: RecordType) -> Result<WireType, String> {
    match record_type {
        RecordType::A => Ok(WireType::A),
        RecordType::AAAA => Ok(WireType::AAAA),
        RecordType::CNAME => Ok(WireType::CNAME),
        RecordType::TXT => Ok(WireType::TXT),
        RecordType::NS => Ok(WireType::NS),
        other => Err(format!("unexpected record type: {other}")),
    }
}

/// The resource records of a record set: one per value (each TXT value its own RR, D16).
pub(crate) fn resource_records(name: &Name, set: &RecordSet) -> Result<Vec<Record>, String> {
    if set.routing_policy.is_some() {
        return Err("routing policies not supported for rfc2136".to_owned());
    }
    set.values
        .iter()
        .map(|value| {
            let data = match set.record_type {
                RecordType::A => RData::A(A(value
                    .parse::<Ipv4Addr>()
                    .map_err(|_| format!("not an IPv4 address: {value}"))?)),
                RecordType::AAAA => RData::AAAA(AAAA(
                    value
                        .parse::<Ipv6Addr>()
                        .map_err(|_| format!("not an IPv6 address: {value}"))?,
                )),
                RecordType::CNAME => RData::CNAME(CNAME(wire_name(value)?)),
                RecordType::NS => RData::NS(NS(wire_name(value)?)),
                RecordType::TXT => RData::TXT(TXT::new(split_text(&unquote(value)))),
                other => return Err(format!("unexpected record type: {other}")),
            };
            Ok(Record::from_rdata(name.clone(), set.ttl, data))
        })
        .collect()
}

/// A value written in quotes is written without them.
fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) if !inner.contains('"') => inner.to_owned(),
        _ => value.to_owned(),
    }
}

/// A TXT value as character-strings of at most 255 bytes.
fn split_text(value: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for c in value.chars() {
        if current.len() + c.len_utf8() > 255 {
            parts.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

/// An empty record of `name` and `wire_type` in `class` (RFC 2136 §2.4.4 and §2.5.2).
fn empty(name: &Name, record_type: WireType, class: DNSClass) -> Record {
    let mut record = Record::update0(name.clone(), 0, record_type);
    record.dns_class = class;
    record
}

/// The UPDATE message for a batch of changes of one zone, in order: each change is made only if
/// the zone holds what the plan saw (a create needs the record set to be absent; an update or
/// delete needs it to hold exactly the old values), so a concurrent change is detected, not
/// overwritten.
pub(crate) fn update_message(zone: &Name, changes: &[&Change], id: u16) -> Result<Message, String> {
    let mut message = Message::new(id, MessageType::Query, OpCode::Update);
    let mut query = Query::new();
    query
        .set_name(zone.clone())
        .set_query_class(DNSClass::IN)
        .set_query_type(WireType::SOA);
    message.add_zone(query);
    for change in changes {
        let name = wire_name(change.name.as_str())?;
        if !zone.zone_of(&name) {
            return Err(format!("{} is not in zone {zone}", change.name));
        }
        let record_type = wire_type(change.record_type)?;
        if !change.set_identifier.is_empty() {
            return Err("routing policies not supported for rfc2136".to_owned());
        }
        match change.action {
            Action::Create => {
                message.add_pre_requisite(empty(&name, record_type, DNSClass::NONE));
            }
            Action::Update | Action::Delete => {
                let old = change
                    .old
                    .as_ref()
                    .ok_or("a change without its old values")?;
                let old = RecordSet {
                    record_type: change.record_type,
                    ttl: 0,
                    values: old.values.clone(),
                    routing_policy: None,
                };
                for record in resource_records(&name, &old)? {
                    message.add_pre_requisite(record);
                }
                message.add_update(empty(&name, record_type, DNSClass::ANY));
            }
        }
        if let Some(new) = &change.new_set {
            for record in resource_records(&name, new)? {
                message.add_update(record);
            }
        }
    }
    Ok(message)
}

/// Splits a zone's changes (in plan order) into batches for UPDATE messages: at most
/// [`MAX_CHANGES_PER_MESSAGE`] each, and a record set is touched at most once per message
/// (prerequisites are checked before any update of a message is made).
pub fn batches<'a>(changes: &[&'a Change]) -> Vec<Vec<&'a Change>> {
    let mut out: Vec<Vec<&Change>> = Vec::new();
    let mut keys: BTreeSet<RecordKey> = BTreeSet::new();
    for change in changes {
        let key = change.key();
        let full = out
            .last()
            .is_none_or(|b| b.len() >= MAX_CHANGES_PER_MESSAGE || keys.contains(&key));
        if full {
            out.push(Vec::new());
            keys.clear();
        }
        keys.insert(key);
        if let Some(batch) = out.last_mut() {
            batch.push(change);
        }
    }
    out
}

/// The record sets of a zone transfer's records (SOA and anything else the plan does not know
/// are left out; TTL is the smallest of a set's records).
pub fn zone_records<'a>(records: impl IntoIterator<Item = &'a Record>) -> ZoneRecords {
    let mut zone = ZoneRecords::new();
    for record in records {
        let (record_type, value) = match &record.data {
            RData::A(a) => (RecordType::A, a.0.to_string()),
            RData::AAAA(aaaa) => (RecordType::AAAA, aaaa.0.to_string()),
            RData::CNAME(cname) => (RecordType::CNAME, plain(&cname.0)),
            RData::NS(ns) => (RecordType::NS, plain(&ns.0)),
            RData::TXT(txt) => (
                RecordType::TXT,
                txt.txt_data
                    .iter()
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect::<String>(),
            ),
            _ => continue,
        };
        let Ok(name) = plain(&record.name).parse() else {
            continue;
        };
        let key = RecordKey {
            owner: RecordName::new(name, String::new()),
            record_type,
        };
        let set = zone.entry(key).or_insert_with(|| RecordSet {
            record_type,
            ttl: record.ttl,
            values: Vec::new(),
            routing_policy: None,
        });
        set.ttl = set.ttl.min(record.ttl);
        if !set.values.contains(&value) {
            set.values.push(value);
        }
    }
    for set in zone.values_mut() {
        set.values.sort();
    }
    zone
}

/// A wire name as the plan writes names: lower case, no trailing dot.
fn plain(name: &Name) -> String {
    name.to_ascii().trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zones::Content;
    use hickory_proto::op::UpdateMessage;

    fn change(action: Action, name: &str, values: &[&str], old: &[&str]) -> Change {
        let set = |v: &[&str]| RecordSet {
            record_type: RecordType::A,
            ttl: 300,
            values: v.iter().map(|s| (*s).to_owned()).collect(),
            routing_policy: None,
        };
        Change {
            provider: "ns/p".into(),
            zone: "example.com.".into(),
            action,
            name: name.parse().unwrap(),
            record_type: RecordType::A,
            set_identifier: String::new(),
            old: (!old.is_empty()).then(|| Content {
                ttl: 300,
                values: old.iter().map(|s| (*s).to_owned()).collect(),
            }),
            new: None,
            outcome: None,
            new_set: (action != Action::Delete).then(|| set(values)),
            old_set: None,
            entry: "ns/e".into(),
        }
    }

    #[test]
    fn creates_need_absence_and_updates_need_the_old_values() {
        let zone = wire_name("example.com").unwrap();
        let create = change(Action::Create, "a.example.com", &["1.2.3.4"], &[]);
        let update = change(Action::Update, "b.example.com", &["5.6.7.8"], &["1.1.1.1"]);
        let message = update_message(&zone, &[&create, &update], 7).unwrap();
        let prerequisites = message.prerequisites();
        assert_eq!(prerequisites.len(), 2);
        assert_eq!(prerequisites[0].dns_class, DNSClass::NONE);
        assert_eq!(prerequisites[1].dns_class, DNSClass::IN);
        assert_eq!(prerequisites[1].ttl, 0);
        let updates = message.updates();
        // add a; delete b's set; add b
        assert_eq!(updates.len(), 3);
        assert_eq!(updates[1].dns_class, DNSClass::ANY);
    }

    #[test]
    fn batches_touch_a_record_set_once() {
        let delete = change(Action::Delete, "a.example.com", &[], &["1.1.1.1"]);
        let create = change(Action::Create, "a.example.com", &["2.2.2.2"], &[]);
        let other = change(Action::Create, "b.example.com", &["3.3.3.3"], &[]);
        let batches = batches(&[&delete, &create, &other]);
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[1].len(), 2);
    }

    #[test]
    fn names_outside_the_zone_are_refused() {
        let zone = wire_name("example.com").unwrap();
        let create = change(Action::Create, "a.example.org", &["1.2.3.4"], &[]);
        assert!(update_message(&zone, &[&create], 1).is_err());
    }

    #[test]
    fn records_round_trip() {
        let name = wire_name("t.example.com").unwrap();
        let set = RecordSet {
            record_type: RecordType::TXT,
            ttl: 60,
            values: vec!["a b".into(), "x".repeat(300)],
            routing_policy: None,
        };
        let records = resource_records(&name, &set).unwrap();
        assert_eq!(records.len(), 2, "one RR per TXT value");
        let zone = zone_records(&records);
        let read = zone.values().next().unwrap();
        let mut values = set.values.clone();
        values.sort();
        assert_eq!(read.values, values);
        assert_eq!(read.ttl, 60);
    }
}
