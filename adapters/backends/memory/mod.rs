//! The in-memory zones of `local` providers (docs/entries-and-providers.md §6.1): they hold record
//! sets and execute changes, failing where the provider's configuration asks them to.

use std::collections::BTreeMap;

use crate::id::ZoneId;
use crate::provider::{LocalConfig, ProviderType};
use crate::zones::{Action, Change, ChangeFailure, ChangeOutcome, Registry, ZoneRecords};
use crate::{Config, Plan, World};

/// The zones of every `local` provider account, by zone id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryZones {
    /// Zone contents by zone id.
    pub zones: BTreeMap<ZoneId, ZoneRecords>,
}

impl MemoryZones {
    /// Zones holding `zones`.
    pub fn new(zones: BTreeMap<ZoneId, ZoneRecords>) -> Self {
        Self { zones }
    }

    /// Executes one change for a `local` provider configured by `config`. A zone the account
    /// does not host, or a delete while `failDeleteEntry` is set, fails with Gardener's text.
    ///
    /// ```
    /// use shoot_dns::adapters::backends::memory::MemoryZones;
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
    ///     old: None, new: None, outcome: None, new_set: Some(set), old_set: None,
    ///     entry: "default/e".into(),
    /// };
    /// let mut zones = MemoryZones::default();
    /// zones.execute(&change, &config)?;
    /// assert_eq!(zones.zones["local:example.com"].len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn execute(&mut self, change: &Change, config: &LocalConfig) -> Result<(), ChangeFailure> {
        if !config.hosts(&change.zone) {
            return Err(ChangeFailure::NotHosted {
                provider_type: ProviderType::Local.as_str().to_owned(),
                zone: change.zone.clone(),
            });
        }
        if change.action == Action::Delete && config.fail_delete_entry {
            return Err(ChangeFailure::ForcedByMockConfig);
        }
        change.apply_to(self.zones.entry(change.zone.clone()).or_default());
        Ok(())
    }
}

/// The zones of every `local` provider account of one driver, by zone id, shared by their
/// [`MemoryBackend`]s (cloning shares them).
#[derive(Debug, Clone, Default)]
pub struct SharedZones(std::sync::Arc<std::sync::Mutex<MemoryZones>>);

impl SharedZones {
    /// Zones holding `zones`.
    pub fn new(zones: BTreeMap<ZoneId, ZoneRecords>) -> Self {
        Self(std::sync::Arc::new(std::sync::Mutex::new(
            MemoryZones::new(zones),
        )))
    }

    /// What the zones hold now.
    pub fn snapshot(&self) -> BTreeMap<ZoneId, ZoneRecords> {
        self.lock().zones.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryZones> {
        // A panic while holding the lock leaves whole zones (each change is one insert or
        // remove), so the data stays usable.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A `local` provider's [`DnsBackend`](super::DnsBackend): its configured zones, held in
/// [`SharedZones`], failing where its `providerConfig` asks it to.
#[derive(Debug, Clone)]
pub struct MemoryBackend {
    config: LocalConfig,
    zones: SharedZones,
}

impl MemoryBackend {
    /// The backend of a `local` provider configured by `config`, on `zones`.
    pub fn new(config: LocalConfig, zones: SharedZones) -> Self {
        Self { config, zones }
    }
}

impl super::DnsBackend for MemoryBackend {
    fn provider_type(&self) -> ProviderType {
        ProviderType::Local
    }

    async fn list_zones(&self) -> Result<Vec<crate::provider::HostedZone>, super::BackendError> {
        (self.config.hosted_zones()).map_err(|message| super::BackendError::Rejected { message })
    }

    async fn read_zone(
        &self,
        zone: &ZoneId,
        _names: Option<&std::collections::BTreeSet<crate::DnsName>>,
    ) -> Result<ZoneRecords, super::BackendError> {
        if !self.config.hosts(zone) {
            return Err(super::BackendError::NotHosted {
                provider_type: ProviderType::Local,
                zone: zone.clone(),
            });
        }
        Ok(self
            .zones
            .lock()
            .zones
            .get(zone)
            .cloned()
            .unwrap_or_default())
    }

    async fn execute(&self, _zone: &ZoneId, changes: &[Change]) -> Vec<ChangeOutcome> {
        let mut zones = self.zones.lock();
        (changes.iter())
            .map(|change| zones.execute(change, &self.config).into())
            .collect()
    }
}

/// Executes a whole plan of `world` on in-memory zones, planning the world again afterwards:
/// the way of [`Plan::compute`], which the tests use as the reference for drivers of the
/// incremental [`crate::plan::Planner`] (the command line's `apply` is one). The changes of
/// `local` providers are made, every other change fails (that provider type needs its own
/// backend). `world.observed` then
/// holds what the zones hold and what each entry owns ([`Registry`]), and the plan after the
/// changes is returned, with each change's outcome.
///
/// A delete that fails leaves the record set owned (under `<entry id>#<zone>`), so that a later
/// run deletes it and nothing else takes it meanwhile.
///
/// ```
/// use shoot_dns::zones::ChangeOutcome;
/// use shoot_dns::{Config, Plan, World};
///
/// let mut world = World::default();
/// shoot_dns::manifest::load_str(&mut world, "m.yaml", "
/// apiVersion: dns.gardener.cloud/v1alpha1
/// kind: DNSProvider
/// metadata: {name: p, namespace: default}
/// spec: {type: local, providerConfig: {zones: [{dnsName: example.com}]}}
/// ---
/// apiVersion: dns.gardener.cloud/v1alpha1
/// kind: DNSEntry
/// metadata: {name: www, namespace: default}
/// spec: {dnsName: www.example.com, targets: [1.2.3.4]}
/// ")?;
/// let config = Config::default();
/// let plan = Plan::compute(&world, &config);
/// assert_eq!(plan.changes.len(), 1);
/// let after = shoot_dns::adapters::backends::memory::apply(&mut world, &config, plan);
/// assert_eq!(after.changes[0].outcome, Some(ChangeOutcome::Applied));
/// assert_eq!(after.entries[0].status.as_ref().unwrap().state.as_deref(), Some("Ready"));
/// assert!(Plan::compute(&world, &config).changes.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn apply(world: &mut World, config: &Config, mut plan: Plan) -> Plan {
    let mut zones = MemoryZones::new(world.observed.zones.clone());
    let key = |p: &crate::api::DnsProvider| p.metadata.key();
    let local: BTreeMap<String, Result<LocalConfig, crate::provider::LocalConfigError>> = plan
        .providers
        .iter()
        .filter(|p| p.spec.provider_type.parse() == Ok(ProviderType::Local))
        .map(|p| (key(p), LocalConfig::of(p)))
        .collect();
    let types: BTreeMap<String, String> = plan
        .providers
        .iter()
        .map(|p| (key(p), p.spec.provider_type.clone()))
        .collect();
    let mut registry = Registry::new(plan.owned.clone());
    for change in &mut plan.changes {
        let outcome = match registry.blocked(change) {
            Some(blocked) => ChangeOutcome::Failed(blocked),
            None => ChangeOutcome::from(match local.get(&change.provider) {
                Some(Ok(config)) => zones.execute(change, config),
                Some(Err(reason)) => Err(ChangeFailure::ProviderUnusable {
                    reason: reason.to_string(),
                }),
                None => Err(match types.get(&change.provider) {
                    Some(t) => ChangeFailure::NoBackend {
                        provider_type: t.clone(),
                    },
                    None => ChangeFailure::ProviderGone {
                        provider: change.provider.clone(),
                        zone: change.zone.clone(),
                    },
                }),
            }),
        };
        registry.record(change, &outcome);
        change.outcome = Some(outcome);
    }
    registry.note_failures(&mut world.observed.failures);
    let owned = registry.into_owned();
    world.observed.zones = zones.zones;
    world.observed.owned = owned;
    world.observed.generated = plan
        .entries
        .iter()
        .filter(|e| e.metadata.name.is_none())
        .cloned()
        .collect();
    let mut after = Plan::compute(world, config);
    world.observed.generated = after
        .entries
        .iter()
        .filter(|e| e.metadata.name.is_none())
        .cloned()
        .collect();
    // What the sources did to entries happened in this run; the states are those after it.
    let entry_events = |e: &crate::events::Event| {
        matches!(
            e.reason.as_str(),
            "DNSEntryCreated" | "DNSEntryUpdated" | "DNSEntryDeleted"
        )
    };
    let mut events: Vec<_> = plan.events.into_iter().filter(entry_events).collect();
    events.extend(after.events.into_iter().filter(|e| !entry_events(e)));
    after.events = events;
    after.changes = plan.changes;
    after
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::backends::{Backend, BackendError, DnsBackend};

    /// The output of a future that is ready at once (the in-memory backend's are).
    fn ready<F: std::future::Future>(future: F) -> F::Output {
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        match std::pin::pin!(future).poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("an in-memory backend never waits"),
        }
    }

    #[test]
    fn the_backend_interface_on_memory_zones() {
        let world = world("x", true);
        let zones = SharedZones::default();
        let backend = Backend::for_provider(&world.providers[0], None, &zones, None).unwrap();
        assert_eq!(backend.provider_type(), ProviderType::Local);
        let hosted = ready(backend.list_zones()).unwrap();
        assert_eq!(hosted.len(), 1);
        assert_eq!(hosted[0].id, "local:example.com");
        let other = ZoneId::from("local:example.org");
        assert_eq!(
            ready(backend.read_zone(&other, None)),
            Err(BackendError::NotHosted {
                provider_type: ProviderType::Local,
                zone: other.clone()
            })
        );

        let config = Config::default();
        let plan = Plan::compute(&world, &config);
        let zone = plan.changes[0].zone.clone();
        let create = plan.changes.clone();
        let outcomes = ready(backend.execute(&zone, &create));
        assert_eq!(outcomes, [ChangeOutcome::Applied]);
        assert_eq!(ready(backend.read_zone(&zone, None)).unwrap().len(), 1);
        assert_eq!(zones.snapshot()[&zone].len(), 1, "the zones are shared");

        // failDeleteEntry: a delete fails, each change has its own outcome.
        let mut delete = create[0].clone();
        delete.action = Action::Delete;
        let outcomes = ready(backend.execute(&zone, &[delete, create[0].clone()]));
        assert_eq!(
            outcomes,
            [
                ChangeOutcome::Failed(ChangeFailure::ForcedByMockConfig),
                ChangeOutcome::Applied
            ]
        );
    }

    fn world(entry_name: &str, fail_delete: bool) -> World {
        let mut world = World::default();
        let text = format!(
            "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\nmetadata: {{name: p, namespace: default}}\nspec: {{type: local, providerConfig: {{zones: [{{dnsName: example.com}}], failDeleteEntry: {fail_delete}}}}}\n---\napiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\nmetadata: {{name: {entry_name}, namespace: default}}\nspec: {{dnsName: a.example.com, targets: [1.2.3.4]}}\n"
        );
        crate::manifest::load_str(&mut world, "t.yaml", &text).unwrap();
        world
    }

    #[test]
    fn a_failed_delete_keeps_the_record_set_owned_and_blocks_its_takeover() {
        let config = Config::default();
        let mut first = world("x", true);
        let plan = Plan::compute(&first, &config);
        apply(&mut first, &config, plan);
        // x goes, y wants the same name; deleting x's record fails.
        let mut second = world("y", true);
        second.observed = first.observed.clone();
        let plan = Plan::compute(&second, &config);
        let after = apply(&mut second, &config, plan);
        let failures: Vec<_> = (after.changes.iter())
            .map(|c| c.outcome.as_ref().and_then(ChangeOutcome::failure))
            .collect();
        assert_eq!(
            failures,
            [
                Some(&ChangeFailure::ForcedByMockConfig),
                Some(&ChangeFailure::DeleteFailedFirst)
            ]
        );
        let owners: Vec<&crate::id::EntryId> = second
            .observed
            .owned
            .iter()
            .filter(|(_, o)| !o.keys.is_empty())
            .map(|(id, _)| id)
            .collect();
        assert_eq!(owners, ["default/x#local:example.com"]);
        // Once deletes work again, the next apply converges.
        let mut third = world("y", false);
        third.observed = second.observed.clone();
        let plan = Plan::compute(&third, &config);
        let after = apply(&mut third, &config, plan);
        assert!(
            after
                .changes
                .iter()
                .all(|c| c.outcome == Some(ChangeOutcome::Applied)),
            "{:?}",
            after.changes
        );
        assert!(Plan::compute(&third, &config).changes.is_empty());
        assert_eq!(
            third.observed.owned.keys().collect::<Vec<_>>(),
            ["default/y"]
        );
    }
}
