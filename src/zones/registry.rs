//! What entries own once their changes have been executed: the layer between a plan and the
//! backends that every driver (the command line, a controller) goes through, so that they all
//! keep ownership by the same rules (COMPATIBILITY.md#d14 in Gardener's terms: only what an entry
//! wrote is its own to change or delete).

use std::collections::{BTreeMap, BTreeSet};

use super::{Action, Change, ChangeFailure, ChangeOutcome, Ownership, RecordKey};
use crate::id::{EntryId, ZoneId};

/// The ownership of record sets while a plan's changes are executed.
///
/// It starts from what the plan says each entry owns once every change is made
/// ([`crate::Plan::owned`]) and takes note of each outcome as the backends report it:
///
/// - a create that failed is not the entry's: should someone else write that record set later,
///   it must not count as the entry's;
/// - a delete that failed stays owned, under `<entry>#<zone>` ([`EntryId::leftover`]), so that a
///   later run deletes it and nothing else takes it meanwhile; a change that would have taken the
///   record set's place in this run is not to be made ([`Registry::blocked`]);
/// - the first failure of each entry's changes is what its status shows until its changes are
///   made ([`Registry::note_failures`] into [`super::Observed::failures`]).
///
/// ```
/// use std::collections::BTreeMap;
/// use shoot_dns::records::RecordType;
/// use shoot_dns::zones::{Action, Change, ChangeFailure, ChangeOutcome, Ownership, Registry};
///
/// let delete = Change {
///     provider: "default/p".into(), zone: "local:example.com".into(), action: Action::Delete,
///     name: "www.example.com".parse()?, record_type: RecordType::A, set_identifier: String::new(),
///     old: None, new: None, outcome: None, new_set: None, old_set: None,
///     entry: "default/old".into(),
/// };
/// let create = Change { action: Action::Create, entry: "default/new".into(), ..delete.clone() };
/// let mut registry = Registry::new(BTreeMap::new());
/// registry.record(&delete, &ChangeOutcome::Failed(ChangeFailure::ForcedByMockConfig));
/// assert_eq!(registry.blocked(&create), Some(ChangeFailure::DeleteFailedFirst));
/// let owned = registry.into_owned();
/// assert!(owned["default/old#local:example.com"].keys.contains(&delete.key()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Registry {
    owned: BTreeMap<EntryId, Ownership>,
    /// Record sets whose delete failed, by zone.
    undeleted: BTreeSet<(ZoneId, RecordKey)>,
    /// Every entry with an executed change: the first of its changes that failed, if one did.
    executed: BTreeMap<EntryId, Option<ChangeFailure>>,
}

impl Registry {
    /// A registry starting from `owned`: what each entry owns once every change is made.
    pub fn new(owned: BTreeMap<EntryId, Ownership>) -> Self {
        Self {
            owned,
            undeleted: BTreeSet::new(),
            executed: BTreeMap::new(),
        }
    }

    /// Why `change` must not be made, if it must not: its record set was to be deleted first
    /// and that delete failed, so it is not free to take.
    #[must_use]
    pub fn blocked(&self, change: &Change) -> Option<ChangeFailure> {
        (change.action != Action::Delete
            && self
                .undeleted
                .contains(&(change.zone.clone(), change.key())))
        .then_some(ChangeFailure::DeleteFailedFirst)
    }

    /// Takes note of what became of `change`.
    pub fn record(&mut self, change: &Change, outcome: &ChangeOutcome) {
        let first = self.executed.entry(change.entry.clone()).or_default();
        let Some(failure) = outcome.failure() else {
            return;
        };
        first.get_or_insert_with(|| failure.clone());
        match change.action {
            Action::Create => {
                if let Some(ownership) = self.owned.get_mut(&change.entry) {
                    ownership.keys.remove(&change.key());
                }
            }
            Action::Delete => {
                self.undeleted.insert((change.zone.clone(), change.key()));
                let id = change.entry.leftover(change.zone.as_str());
                let leftover = self.owned.entry(id).or_insert_with(|| Ownership {
                    provider: change.provider.clone(),
                    zone: change.zone.clone(),
                    keys: BTreeSet::new(),
                    keep_on_delete: false,
                });
                leftover.keys.insert(change.key());
            }
            // A failed update leaves the record set where it was, owned as before.
            Action::Update => {}
        }
    }

    /// Writes into `failures` ([`super::Observed::failures`]) why each entry's changes failed:
    /// the first failure of an entry whose changes were noted, and none for an entry whose
    /// changes were all made. Returns the entries whose failure changed.
    pub fn note_failures(&self, failures: &mut BTreeMap<EntryId, String>) -> Vec<EntryId> {
        let mut changed = Vec::new();
        for (id, failure) in &self.executed {
            let message = failure.as_ref().map(ToString::to_string);
            let old = match message {
                Some(message) => failures.insert(id.clone(), message),
                None => failures.remove(id),
            };
            if old.as_ref() != failures.get(id) {
                changed.push(id.clone());
            }
        }
        changed
    }

    /// Whether a change of entry `id` was executed (made or failed) in this round.
    #[must_use]
    pub fn executed(&self, id: &EntryId) -> bool {
        self.executed.contains_key(id)
    }

    /// What each entry owns after the changes noted.
    pub fn into_owned(self) -> BTreeMap<EntryId, Ownership> {
        self.owned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::RecordType;
    use crate::zones::FailureKind;

    fn change(action: Action, entry: &str) -> Change {
        Change {
            provider: "default/p".into(),
            zone: "z".into(),
            action,
            name: "www.example.com".parse().unwrap(),
            record_type: RecordType::A,
            set_identifier: String::new(),
            old: None,
            new: None,
            outcome: None,
            new_set: None,
            old_set: None,
            entry: entry.into(),
        }
    }

    fn owning(entry: &str, change: &Change) -> BTreeMap<EntryId, Ownership> {
        let ownership = Ownership {
            provider: change.provider.clone(),
            zone: change.zone.clone(),
            keys: [change.key()].into(),
            keep_on_delete: false,
        };
        [(EntryId::from(entry), ownership)].into()
    }

    fn failed() -> ChangeOutcome {
        ChangeOutcome::Failed(ChangeFailure::Backend {
            kind: FailureKind::Unreachable,
            message: "server down".into(),
        })
    }

    #[test]
    fn applied_changes_leave_the_planned_ownership() {
        let create = change(Action::Create, "default/e");
        let planned = owning("default/e", &create);
        let mut registry = Registry::new(planned.clone());
        registry.record(&create, &ChangeOutcome::Applied);
        assert_eq!(registry.blocked(&create), None);
        assert_eq!(registry.into_owned(), planned);
    }

    #[test]
    fn a_failed_create_is_not_owned_and_a_failed_update_stays_owned() {
        let create = change(Action::Create, "default/e");
        let mut registry = Registry::new(owning("default/e", &create));
        registry.record(&create, &failed());
        assert!(registry.into_owned()["default/e"].keys.is_empty());

        let update = change(Action::Update, "default/e");
        let mut registry = Registry::new(owning("default/e", &update));
        registry.record(&update, &failed());
        assert_eq!(registry.into_owned(), owning("default/e", &update));
    }

    #[test]
    fn the_first_failure_of_an_entry_is_noted_until_its_changes_are_made() {
        let create = change(Action::Create, "default/e");
        let update = change(Action::Update, "default/e");
        let mut registry = Registry::new(owning("default/e", &create));
        registry.record(&create, &failed());
        let refused = ChangeOutcome::Failed(ChangeFailure::Backend {
            kind: FailureKind::Refused,
            message: "refused".into(),
        });
        registry.record(&update, &refused);
        registry.record(
            &change(Action::Create, "default/f"),
            &ChangeOutcome::Applied,
        );
        let mut failures = BTreeMap::from([("default/f".into(), "earlier".to_owned())]);
        let changed = registry.note_failures(&mut failures);
        assert_eq!(changed, ["default/e", "default/f"]);
        assert_eq!(failures.len(), 1);
        assert_eq!(
            failures["default/e"],
            failed().failure().unwrap().to_string()
        );

        let mut registry = Registry::new(BTreeMap::new());
        registry.record(&create, &ChangeOutcome::Applied);
        assert_eq!(registry.note_failures(&mut failures), ["default/e"]);
        assert!(failures.is_empty());
        assert!(registry.note_failures(&mut failures).is_empty());
    }

    #[test]
    fn a_leftover_of_a_leftover_keeps_its_id() {
        let delete = change(Action::Delete, "default/e#z");
        let mut registry = Registry::new(BTreeMap::new());
        registry.record(&delete, &failed());
        let owned = registry.into_owned();
        assert_eq!(owned.keys().collect::<Vec<_>>(), ["default/e#z"]);
        assert!(owned["default/e#z"].keys.contains(&delete.key()));
    }

    #[test]
    fn outcomes_read_back_as_written() {
        for outcome in [
            ChangeOutcome::Applied,
            ChangeOutcome::Failed(ChangeFailure::Backend {
                kind: FailureKind::Other,
                message: "DNS server 127.0.0.1:53 refused the update: REFUSED".into(),
            }),
        ] {
            let json = serde_json::to_value(&outcome).unwrap();
            assert_eq!(
                serde_json::from_value::<ChangeOutcome>(json).unwrap(),
                outcome
            );
        }
        assert!(serde_json::from_value::<ChangeOutcome>("fine".into()).is_err());
    }
}
