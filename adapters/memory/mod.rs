//! The in-memory zones of `local` providers (spec entries-providers §6.1): they hold record sets
//! and execute changes, failing where the provider's configuration asks them to.

use std::collections::BTreeMap;

use crate::provider::LocalConfig;
use crate::zones::{Action, Change, ZoneRecords};

/// The zones of every `local` provider account, by zone id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryZones {
    /// Zone contents by zone id.
    pub zones: BTreeMap<String, ZoneRecords>,
}

impl MemoryZones {
    /// Zones holding `zones`.
    pub fn new(zones: BTreeMap<String, ZoneRecords>) -> Self {
        Self { zones }
    }

    /// Executes one change for a `local` provider configured by `config`. A zone the account
    /// does not host, or a delete while `failDeleteEntry` is set, fails with Gardener's text.
    ///
    /// ```
    /// use shoot_dns::memory::MemoryZones;
    /// use shoot_dns::provider::{LocalConfig, LocalZone};
    /// use shoot_dns::records::{RecordSet, RecordType};
    /// use shoot_dns::zones::{Action, Change};
    ///
    /// let config = LocalConfig {
    ///     account: "local".into(),
    ///     zones: vec![LocalZone { zone_suffix: String::new(), dns_name: "example.com".into() }],
    ///     ..Default::default()
    /// };
    /// let set = RecordSet { record_type: RecordType::A, ttl: 300, values: vec!["1.2.3.4".into()], routing_policy: None };
    /// let change = Change {
    ///     provider: "default/p".into(), zone: "local:example.com".into(), action: Action::Create,
    ///     name: "www.example.com".parse()?, record_type: RecordType::A, set_identifier: String::new(),
    ///     old: None, new: None, result: None, new_set: Some(set), entry: "default/e".into(),
    /// };
    /// let mut zones = MemoryZones::default();
    /// zones.execute(&change, &config)?;
    /// assert_eq!(zones.zones["local:example.com"].len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute(&mut self, change: &Change, config: &LocalConfig) -> Result<(), String> {
        let hosted = config.zones.iter().any(|z| {
            !z.dns_name.is_empty()
                && format!("{}:{}{}", config.account, z.zone_suffix, z.dns_name) == change.zone
        });
        if !hosted {
            return Err(format!("DNSZone local/{} not hosted", change.zone));
        }
        if change.action == Action::Delete && config.fail_delete_entry {
            return Err("forced error by mockConfig.FailDeleteEntry".to_owned());
        }
        change.apply_to(self.zones.entry(change.zone.clone()).or_default());
        Ok(())
    }
}
