//! The zone step of a plan: entries weighed against each other (COMPATIBILITY.md#d13) and against
//! what the zones hold (D14), and the ordered changes that make the zones match.

use std::collections::{BTreeMap, BTreeSet};

use crate::api::DnsEntryStatus;
use crate::id::{EntryId, ZoneId};
use crate::records::RecordType;
use crate::zones::{
    Action, Change, Content, Observed, Ownership, RecordKey, ZoneRecords, sort_changes,
};

use super::entries::Decision;
use super::providers::Providers;

/// One entry as the zone step sees it.
#[derive(Debug)]
pub(super) struct Item<'a> {
    /// The entry id.
    pub id: EntryId,
    /// `metadata.creationTimestamp` (older entries win a name).
    pub created: Option<String>,
    /// What it asks for.
    pub decision: Decision,
    /// What it owns now.
    pub owned: Option<std::borrow::Cow<'a, Ownership>>,
    /// Its status, once decided.
    pub status: Option<DnsEntryStatus>,
}

/// The outcome of the zone step.
#[derive(Debug, Default)]
pub(super) struct ZoneOutcome {
    /// The changes, in execution order.
    pub changes: Vec<Change>,
    /// What each entry owns once the changes are made.
    pub owned: BTreeMap<EntryId, Ownership>,
}

const PENDING: &str = "dns entry pending: waiting for dns reconciliation";

/// The state and message of an entry whose changes are still to be made: `Pending`, or `Error`
/// when the last execution of its changes failed.
fn pending(id: &EntryId, observed: &Observed) -> (&'static str, String) {
    match observed.failures.get(id) {
        Some(failure) => (
            "Error",
            format!("failed to execute DNS change requests: {failure}"),
        ),
        None => ("Pending", PENDING.to_owned()),
    }
}

/// Weighs the entries, finds the changes, and sets every item's status.
///
/// `orphans` are the ownerships of entries that are gone: their records are deleted. The items
/// and orphans may be a part of the world, if no entry outside them wants or owns a name they
/// want or own, and no provider with a quota is wanted both inside and outside.
pub(super) fn plan_zones(
    items: &mut [Item<'_>],
    orphans: &[(&EntryId, &Ownership)],
    observed: &Observed,
    providers: &Providers,
) -> ZoneOutcome {
    claim_names(items);
    enforce_quotas(items, &providers.quotas);
    // Entries whose records would collide with records they do not own give up their wish,
    // which may keep records others counted on being freed: repeat until nothing changes.
    let freed = loop {
        let freed = freed_keys(items, orphans, providers);
        let mut changed = false;
        for item in items.iter_mut() {
            let Decision::Want(want) = &item.decision else {
                continue;
            };
            let zone = observed.zones.get(&want.zone);
            let mine = |key: &RecordKey| {
                item.owned
                    .as_ref()
                    .is_some_and(|o| o.zone == want.zone && o.keys.contains(key))
            };
            let free = |key: &RecordKey| {
                freed
                    .get(want.zone.as_str())
                    .is_some_and(|f| f.contains(key))
            };
            let conflict = want.desired.sets.keys().find_map(|&record_type| {
                let key = RecordKey {
                    owner: want.desired.owner.clone(),
                    record_type,
                };
                let foreign = zone?
                    .range(owner_start(&key)..)
                    .take_while(|(other, _)| other.owner == key.owner)
                    .find(|(other, _)| {
                        let collides = other.record_type == record_type
                            || other.record_type == RecordType::CNAME
                            || record_type == RecordType::CNAME;
                        collides && !mine(other) && !free(other)
                    });
                foreign.map(|(other, _)| other.clone())
            });
            if let Some(other) = conflict {
                let message = format!(
                    "the {} record set of {:?} in zone {} exists and is not owned by this entry",
                    other.record_type,
                    other.owner.to_string(),
                    want.zone
                );
                item.status = Some(hold_status(item, "Error", message));
                item.decision = Decision::Hold(Box::default());
                changed = true;
            }
        }
        if !changed {
            break freed;
        }
    };

    let empty = ZoneRecords::new();
    // Deletes the owned record sets that `keep` does not keep, each through a provider that
    // covers it; returns those that no provider may delete.
    let delete_owned = |id: &EntryId,
                        owned: &Ownership,
                        keep: &dyn Fn(&RecordKey) -> bool,
                        changes: &mut Vec<Change>| {
        let zone = observed.zones.get(&owned.zone).unwrap_or(&empty);
        let mut stuck = BTreeSet::new();
        for key in owned.keys.iter().filter(|k| !keep(k)) {
            let Some(old) = zone.get(key) else { continue };
            match providers.deleter(owned, &key.owner.dns_name) {
                Some(provider) => changes.push(change(
                    id,
                    provider,
                    &owned.zone,
                    Action::Delete,
                    key,
                    Some(old),
                    None,
                )),
                None => {
                    stuck.insert(key.clone());
                }
            }
        }
        stuck
    };
    let ZoneOutcome {
        mut changes,
        owned: mut kept,
    } = ZoneOutcome::default();
    for (id, owned) in orphans {
        let stuck = delete_owned(id, owned, &|_| false, &mut changes);
        keep_owned(&mut kept, (*id).clone(), owned, stuck);
    }
    for item in items.iter_mut() {
        let before = changes.len();
        match &item.decision {
            Decision::Hold(_) => {
                if let Some(owned) = &item.owned {
                    keep_owned(&mut kept, item.id.clone(), owned, owned.keys.clone());
                }
            }
            Decision::Release(_) => {}
            Decision::Delete => {
                let mut state = ("Ready", "dns entry active".to_owned());
                if let Some(owned) = &item.owned {
                    // The entry step let the deletion go on only if every record set can
                    // be deleted; should one not be, it stays owned and the entry Stale.
                    let stuck = delete_owned(&item.id, owned, &|_| false, &mut changes);
                    if !stuck.is_empty() {
                        state = ("Stale", "No responsible provider found".to_owned());
                    }
                    keep_owned(&mut kept, item.id.clone(), owned, stuck);
                }
                if changes.len() > before && state.0 == "Ready" {
                    state = pending(&item.id, observed);
                }
                item.status = Some(hold_status(item, state.0, state.1));
            }
            Decision::Want(want) => {
                let wanted = |key: &RecordKey| {
                    want.zone == item.owned.as_ref().map_or("", |o| o.zone.as_str())
                        && key.owner == want.desired.owner
                        && want.desired.sets.contains_key(&key.record_type)
                };
                if let Some(owned) = &item.owned {
                    // Record sets the entry leaves behind where no provider may delete them
                    // stay owned, apart from the entry's new ones, until one may.
                    let stuck = delete_owned(&item.id, owned, &wanted, &mut changes);
                    keep_owned(
                        &mut kept,
                        item.id.leftover(owned.zone.as_str()),
                        owned,
                        stuck,
                    );
                }
                let zone = observed.zones.get(&want.zone).unwrap_or(&empty);
                let mut keys = BTreeSet::new();
                for (&record_type, set) in &want.desired.sets {
                    let key = RecordKey {
                        owner: want.desired.owner.clone(),
                        record_type,
                    };
                    let mine = item
                        .owned
                        .as_ref()
                        .is_some_and(|o| o.zone == want.zone && o.keys.contains(&key));
                    let freed_here = freed
                        .get(want.zone.as_str())
                        .is_some_and(|f| f.contains(&key));
                    match zone.get(&key) {
                        Some(old) if mine && !freed_here => {
                            if !set.matches(old) {
                                changes.push(change(
                                    &item.id,
                                    &want.provider,
                                    &want.zone,
                                    Action::Update,
                                    &key,
                                    Some(old),
                                    Some(set),
                                ));
                            }
                        }
                        _ => changes.push(change(
                            &item.id,
                            &want.provider,
                            &want.zone,
                            Action::Create,
                            &key,
                            None,
                            Some(set),
                        )),
                    }
                    keys.insert(key);
                }
                let ownership = Ownership {
                    provider: want.provider.clone(),
                    zone: want.zone.clone(),
                    keys,
                    keep_on_delete: false,
                };
                kept.insert(item.id.clone(), ownership);
                let pending = changes.len() > before;
                let Decision::Want(want) = std::mem::replace(&mut item.decision, Decision::Delete)
                else {
                    unreachable!()
                };
                let mut status = want.ready;
                if pending {
                    let (state, message) = self::pending(&item.id, observed);
                    status.state = Some(state.to_owned());
                    status.message = Some(message);
                }
                item.status = Some(status);
            }
        }
    }
    sort_changes(&mut changes);
    ZoneOutcome {
        changes,
        owned: kept,
    }
}

/// Adds `keys` to what `id` owns in `like`'s provider and zone.
fn keep_owned(
    owned: &mut BTreeMap<EntryId, Ownership>,
    id: EntryId,
    like: &Ownership,
    keys: BTreeSet<RecordKey>,
) {
    if keys.is_empty() {
        return;
    }
    let kept = owned.entry(id).or_insert_with(|| Ownership {
        keys: BTreeSet::new(),
        ..like.clone()
    });
    kept.keys.extend(keys);
}

/// The first key at the same owner (name and set identifier) as `key`, of any type.
fn owner_start(key: &RecordKey) -> RecordKey {
    RecordKey {
        owner: key.owner.clone(),
        record_type: RecordType::ALL[0],
    }
}

/// A name (and set identifier) several entries want, or one that an entry holds: the
/// claimants, and the holder.
type Contest = ((String, String), Vec<usize>, Option<String>);

/// COMPATIBILITY.md#d13: of the entries that want one name and set identifier, the one that owns it
/// keeps it, else the oldest, else the first by id; the others are `Error`.
fn claim_names(items: &mut [Item<'_>]) {
    let mut claims: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        if let Decision::Want(want) = &item.decision {
            let owner = &want.desired.owner;
            claims
                .entry((owner.dns_name.as_str(), owner.set_identifier.as_str()))
                .or_default()
                .push(i);
        }
    }
    // An entry that holds its records without planning them (ignored, stale, invalid) still
    // holds their names.
    let mut holders: BTreeMap<(&str, &str), &str> = BTreeMap::new();
    for item in items.iter() {
        if let (Decision::Hold(_), Some(owned)) = (&item.decision, &item.owned) {
            for key in &owned.keys {
                let name = (
                    key.owner.dns_name.as_str(),
                    key.owner.set_identifier.as_str(),
                );
                holders.entry(name).or_insert(item.id.as_str());
            }
        }
    }
    // Only the contested names and their holders are copied, so that `items` can change.
    let contested: Vec<Contest> = claims
        .into_iter()
        .filter_map(|(key, claimants)| {
            let holder = holders.get(&key).map(|h| (*h).to_owned());
            (holder.is_some() || claimants.len() > 1)
                .then(|| ((key.0.to_owned(), key.1.to_owned()), claimants, holder))
        })
        .collect();
    for (name_key, mut claimants, holder) in contested {
        let name = name_key.0.clone();
        if let Some(holder) = holder {
            for &i in &claimants {
                let message = format!("dns name {name:?} already busy for entry {holder:?}");
                items[i].status = Some(hold_status(&items[i], "Error", message));
                items[i].decision = Decision::Hold(Box::default());
            }
            continue;
        }
        if claimants.len() < 2 {
            continue;
        }
        claimants.sort_by_key(|&i| {
            let item = &items[i];
            let owns = item
                .owned
                .as_ref()
                .is_some_and(|o| o.keys.iter().any(|k| k.owner.dns_name.as_str() == name));
            (
                !owns,
                item.created.is_none(),
                item.created.clone(),
                item.id.clone(),
            )
        });
        let winner = items[claimants[0]].id.as_str().to_owned();
        for &i in &claimants[1..] {
            let message = format!("dns name {name:?} already busy for entry {winner:?}");
            items[i].status = Some(hold_status(&items[i], "Error", message));
            items[i].decision = Decision::Hold(Box::default());
        }
    }
}

/// docs/entries-and-providers.md §3.4: a provider with `spec.quotas.entries` takes that many
/// entries, those already assigned to it first.
fn enforce_quotas(items: &mut [Item<'_>], quotas: &BTreeMap<String, i64>) {
    for (provider, &quota) in quotas {
        let mut assigned: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(
                |(_, item)| matches!(&item.decision, Decision::Want(w) if &w.provider == provider),
            )
            .map(|(i, _)| i)
            .collect();
        assigned.sort_by_key(|&i| {
            let current = items[i]
                .owned
                .as_ref()
                .is_some_and(|o| &o.provider == provider);
            (!current, items[i].id.clone())
        });
        for &i in assigned.iter().skip(usize::try_from(quota).unwrap_or(0)) {
            let message =
                format!("provider {provider} has reached its entries quota (max={quota})");
            items[i].status = Some(hold_status(&items[i], "Error", message));
            items[i].decision = Decision::Hold(Box::default());
        }
    }
}

/// The keys the plan deletes, by zone: whatever orphans and deleted entries own, and what
/// entries that want other records no longer want.
fn freed_keys(
    items: &[Item<'_>],
    orphans: &[(&EntryId, &Ownership)],
    providers: &Providers,
) -> BTreeMap<ZoneId, BTreeSet<RecordKey>> {
    let mut freed: BTreeMap<ZoneId, BTreeSet<RecordKey>> = BTreeMap::new();
    let mut free = |owned: &Ownership, keep: &dyn Fn(&RecordKey) -> bool| {
        let deletable = |k: &&RecordKey| providers.deleter(owned, &k.owner.dns_name).is_some();
        let mut gone = (owned.keys.iter())
            .filter(|k| !keep(k))
            .filter(deletable)
            .peekable();
        if gone.peek().is_some() {
            freed
                .entry(owned.zone.clone())
                .or_default()
                .extend(gone.cloned());
        }
    };
    for (_, owned) in orphans {
        free(owned, &|_| false);
    }
    for item in items {
        let Some(owned) = &item.owned else { continue };
        match &item.decision {
            Decision::Hold(_) | Decision::Release(_) => {}
            Decision::Delete => free(owned, &|_| false),
            Decision::Want(want) => free(owned, &|key| {
                want.zone == owned.zone
                    && key.owner == want.desired.owner
                    && want.desired.sets.contains_key(&key.record_type)
            }),
        }
    }
    freed
}

/// The status of an item that now holds: the decided status if there is one, else built from
/// the previous one.
fn hold_status(item: &Item<'_>, state: &str, message: String) -> DnsEntryStatus {
    let base = match &item.decision {
        Decision::Want(want) => DnsEntryStatus {
            targets: None,
            ttl: None,
            ..want.ready.clone()
        },
        Decision::Hold(status) | Decision::Release(status) => (**status).clone(),
        Decision::Delete => item.status.clone().unwrap_or_default(),
    };
    DnsEntryStatus {
        state: Some(state.to_owned()),
        message: Some(message),
        ..base
    }
}

fn change(
    entry: &EntryId,
    provider: &str,
    zone: &ZoneId,
    action: Action,
    key: &RecordKey,
    old: Option<&crate::records::RecordSet>,
    new: Option<&crate::records::RecordSet>,
) -> Change {
    let content = |set: &crate::records::RecordSet| Content {
        ttl: set.ttl,
        values: set.values.clone(),
    };
    Change {
        provider: provider.to_owned(),
        zone: zone.clone(),
        action,
        name: key.owner.dns_name.clone(),
        record_type: key.record_type,
        set_identifier: key.owner.set_identifier.clone(),
        old: old.map(content),
        new: new.map(content),
        outcome: None,
        new_set: new.cloned(),
        old_set: old.cloned(),
        entry: entry.clone(),
    }
}
