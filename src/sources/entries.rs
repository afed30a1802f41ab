//! Generated entries: naming, ownership, the fields written, and the reconcile of one source
//! object against the entries it already owns (docs/sources.md §3.0.2–3.0.6).

use super::{SourceConfig, SourceInput, SourceKind};
use crate::annotations::{CLASS, IGNORE, IP_STACK, OWNERS};
use crate::api::{DNS_API_VERSION, DnsEntry, ObjectMeta, ObjectRef, OwnerReference};
use crate::events::Event;

/// What happened to one entry of a source object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryChange {
    /// A new entry is to be created.
    Create,
    /// An owned entry is to be patched.
    Update,
    /// An owned entry stays as it is.
    Keep,
}

/// The result of reconciling one source object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceOutcome {
    /// The entries the object owns afterwards, one per name in name order, with what happens
    /// to each.
    pub entries: Vec<(DnsEntry, EntryChange)>,
    /// Owned entries to delete.
    pub deleted: Vec<DnsEntry>,
    /// The events on the source object, in order.
    pub events: Vec<Event>,
}

/// Reconciles one source object (`kind`, `meta`) whose input is `input` (`None`: not relevant,
/// being deleted, or no names) against the entries it owns.
///
/// Owned entries are reused by exact `spec.dnsName` (the first one per name); the others are
/// deleted first, then entries are created or patched in name order. Events follow §3.0.8.
pub fn reconcile(
    kind: SourceKind,
    meta: &ObjectMeta,
    input: Option<&SourceInput>,
    owned: Vec<DnsEntry>,
    config: &SourceConfig,
) -> SourceOutcome {
    reconcile_waiting(kind, meta, input, owned, config, &|_| false)
}

/// [`reconcile`], where a new entry for which `waits` is true is not created yet (and has no
/// event): an entry of the same identity is still being deleted, and the new one comes once
/// it is gone (COMPATIBILITY.md#deleting-entry).
pub fn reconcile_waiting(
    kind: SourceKind,
    meta: &ObjectMeta,
    input: Option<&SourceInput>,
    owned: Vec<DnsEntry>,
    config: &SourceConfig,
    waits: &dyn Fn(&DnsEntry) -> bool,
) -> SourceOutcome {
    let source = ObjectRef::new(
        kind.api_version(),
        kind.kind(),
        meta.namespace_or_default(),
        meta.name_or_empty(),
    );
    let names: &[String] = input.map(|i| i.names.as_slice()).unwrap_or(&[]);
    let mut pool: Vec<Option<DnsEntry>> = owned.into_iter().map(Some).collect();
    let reused: Vec<Option<DnsEntry>> = names
        .iter()
        .map(|name| {
            pool.iter_mut()
                .find(|e| e.as_ref().is_some_and(|e| &e.spec.dns_name == name))
                .and_then(Option::take)
        })
        .collect();
    let mut outcome = SourceOutcome::default();
    for entry in pool.into_iter().flatten() {
        outcome.events.push(Event::normal(
            source.clone(),
            "DNSEntryDeleted",
            format!(
                "{}: deleted entry {} in control plane",
                entry.spec.dns_name,
                entry_name(&entry)
            ),
        ));
        outcome.deleted.push(entry);
    }
    let Some(input) = input else { return outcome };
    for (name, existing) in names.iter().zip(reused) {
        let (entry, change) = match existing {
            Some(mut entry) => {
                let before = entry.clone();
                apply_input(&mut entry, name, input, config);
                let change = if entry == before {
                    EntryChange::Keep
                } else {
                    EntryChange::Update
                };
                if change == EntryChange::Update {
                    outcome.events.push(Event::normal(
                        source.clone(),
                        "DNSEntryUpdated",
                        format!(
                            "{name}: updated entry {} in control plane",
                            entry_name(&entry)
                        ),
                    ));
                }
                (entry, change)
            }
            None => {
                let entry = new_entry(kind, meta, name, input, config);
                if waits(&entry) {
                    continue;
                }
                outcome.events.push(Event::normal(
                    source.clone(),
                    "DNSEntryCreated",
                    format!(
                        "{name}: created entry {} in control plane",
                        entry_name(&entry)
                    ),
                ));
                (entry, EntryChange::Create)
            }
        };
        outcome.entries.push((entry, change));
    }
    outcome
}

/// The name of an entry, or its `generateName` while it has none.
pub(crate) fn entry_name(entry: &DnsEntry) -> &str {
    entry
        .metadata
        .name
        .as_deref()
        .or(entry.metadata.generate_name.as_deref())
        .unwrap_or("")
}

fn new_entry(
    kind: SourceKind,
    meta: &ObjectMeta,
    name: &str,
    input: &SourceInput,
    config: &SourceConfig,
) -> DnsEntry {
    let source_namespace = meta.namespace_or_default();
    let namespace = config.entry_namespace(source_namespace);
    let mut metadata = ObjectMeta {
        namespace: Some(namespace.to_owned()),
        generate_name: Some(
            format!(
                "{}{}-{}-",
                config.target_name_prefix,
                meta.name_or_empty(),
                kind.name_suffix()
            )
            .to_lowercase(),
        ),
        labels: config.target_labels.clone(),
        ..ObjectMeta::default()
    };
    if config.same_cluster() && namespace == source_namespace {
        metadata.owner_references.push(OwnerReference {
            api_version: kind.api_version().to_owned(),
            kind: kind.kind().to_owned(),
            name: meta.name_or_empty().to_owned(),
            uid: meta.uid.clone().unwrap_or_default(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        });
    } else {
        metadata.annotations.insert(
            OWNERS.to_owned(),
            owner_string(kind, source_namespace, meta.name_or_empty(), config),
        );
    }
    let mut entry = DnsEntry {
        api_version: DNS_API_VERSION.to_owned(),
        kind: "DNSEntry".to_owned(),
        metadata,
        ..DnsEntry::default()
    };
    apply_input(&mut entry, name, input, config);
    entry
}

/// Writes what a source decides on an entry (§3.0.5; COMPATIBILITY.md#d6, #d7).
fn apply_input(entry: &mut DnsEntry, name: &str, input: &SourceInput, config: &SourceConfig) {
    let spec = &mut entry.spec;
    spec.dns_name = name.to_owned();
    spec.targets = (!input.targets.is_empty()).then(|| input.targets.clone());
    spec.text = (!input.text.is_empty()).then(|| input.text.clone());
    spec.ttl = input.ttl;
    spec.cname_lookup_interval = input.cname_lookup_interval;
    spec.resolve_targets_to_addresses = input.resolve_targets_to_addresses;
    spec.routing_policy = input.routing_policy.clone();
    let metadata = &mut entry.metadata;
    for (key, value) in &config.target_labels {
        metadata.labels.insert(key.clone(), value.clone());
    }
    let annotations = &mut metadata.annotations;
    let mut set = |key: &str, value: Option<&str>| match value {
        Some(v) => {
            annotations.insert(key.to_owned(), v.to_owned());
        }
        None => {
            annotations.remove(key);
        }
    };
    let class = (!config.target_class.is_default()).then(|| config.target_class.as_str());
    set(CLASS, class);
    set(IP_STACK, input.ip_stack.as_deref());
    set(IGNORE, input.ignore.map(|i| i.as_str()));
}

/// The `resources.gardener.cloud/owners` reference of a source object:
/// `<group>/<Kind>/<ns>/<name>`, prefixed with `<sourceClusterID>:` when the cluster ids differ.
pub fn owner_string(
    kind: SourceKind,
    namespace: &str,
    name: &str,
    config: &SourceConfig,
) -> String {
    let reference = format!("{}/{}/{namespace}/{name}", kind.group(), kind.kind());
    if config.same_cluster() {
        reference
    } else {
        format!("{}:{reference}", config.source_cluster_id)
    }
}

/// Whether `entry` is owned by the source object `(kind, meta)` (§3.0.3): through its owner
/// references when it has any (same kind and API version, same namespace, and same uid when
/// both have one), else through the `resources.gardener.cloud/owners` annotation (any cluster id).
///
/// An entry being deleted is owned by nobody any more (COMPATIBILITY.md#deleting-entry): the
/// source no longer reuses or patches it, and the entry's own deletion (records removed, then
/// its finalizer) runs as for any entry.
pub fn owns(kind: SourceKind, meta: &ObjectMeta, entry: &DnsEntry) -> bool {
    if entry.metadata.is_deleting() {
        return false;
    }
    let namespace = meta.namespace_or_default();
    let name = meta.name_or_empty();
    if !entry.metadata.owner_references.is_empty() {
        return entry.metadata.namespace_or_default() == namespace
            && entry.metadata.owner_references.iter().any(|r| {
                r.api_version == kind.api_version()
                    && r.kind == kind.kind()
                    && r.name == name
                    && (r.uid.is_empty() || meta.uid.as_deref().is_none_or(|uid| uid == r.uid))
            });
    }
    annotated_owners(entry).any(|o| {
        o.group == kind.group()
            && o.kind == kind.kind()
            && o.namespace == namespace
            && o.name == name
    })
}

/// One reference of an entry's `resources.gardener.cloud/owners` annotation:
/// `[<clusterID>:]<group>/<Kind>/<namespace>/<name>` (any cluster id is accepted, §3.0.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AnnotatedOwner<'a> {
    /// API group (`""` for the core group).
    pub group: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Namespace.
    pub namespace: &'a str,
    /// Name.
    pub name: &'a str,
}

/// The well-formed references of an entry's `resources.gardener.cloud/owners` annotation.
pub(crate) fn annotated_owners(entry: &DnsEntry) -> impl Iterator<Item = AnnotatedOwner<'_>> {
    let owners = entry.metadata.annotation(OWNERS).unwrap_or("");
    owners.split(',').map(str::trim).filter_map(|owner| {
        let reference = owner.split_once(':').map_or(owner, |(_, rest)| rest);
        let mut parts = reference.splitn(4, '/');
        Some(AnnotatedOwner {
            group: parts.next()?,
            kind: parts.next()?,
            namespace: parts.next()?,
            name: parts.next()?,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Class;
    use crate::annotations::IgnoreMode;
    use crate::events::EventType;

    fn meta(ns: &str, name: &str) -> ObjectMeta {
        ObjectMeta {
            namespace: Some(ns.into()),
            name: Some(name.into()),
            uid: Some("uid-1".into()),
            ..Default::default()
        }
    }

    fn target_ns() -> SourceConfig {
        SourceConfig {
            target_namespace: Some("target-namespace".into()),
            ..Default::default()
        }
    }

    fn input(names: &[&str], targets: &[&str]) -> SourceInput {
        SourceInput {
            names: names.iter().map(|s| s.to_string()).collect(),
            targets: targets.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn event_lines(outcome: &SourceOutcome) -> Vec<String> {
        outcome
            .events
            .iter()
            .map(|e| {
                let t = if e.event_type == EventType::Normal {
                    "Normal"
                } else {
                    "Warning"
                };
                format!("{t} {} {}", e.reason, e.message)
            })
            .collect()
    }

    #[test]
    fn creates_entry_in_target_namespace() {
        // SVC-01
        let out = reconcile(
            SourceKind::Service,
            &meta("test", "foo"),
            Some(&input(&["foo.example.com"], &["1.2.3.4"])),
            vec![],
            &target_ns(),
        );
        assert_eq!(out.entries.len(), 1);
        let (entry, change) = &out.entries[0];
        assert_eq!(*change, EntryChange::Create);
        assert_eq!(
            entry.metadata.namespace.as_deref(),
            Some("target-namespace")
        );
        assert_eq!(
            entry.metadata.generate_name.as_deref(),
            Some("foo-service-")
        );
        assert!(entry.metadata.owner_references.is_empty());
        assert_eq!(entry.metadata.annotation(OWNERS), Some("/Service/test/foo"));
        assert_eq!(entry.spec.dns_name, "foo.example.com");
        assert_eq!(
            entry.spec.targets.as_deref(),
            Some(&["1.2.3.4".to_string()][..])
        );
        assert_eq!(entry.spec.ttl, None);
        assert_eq!(
            event_lines(&out),
            ["Normal DNSEntryCreated foo.example.com: created entry foo-service- in control plane"]
        );
    }

    #[test]
    fn same_namespace_gets_owner_reference() {
        // SVC-03 placement
        let config = SourceConfig {
            target_namespace: Some("test".into()),
            ..Default::default()
        };
        let out = reconcile(
            SourceKind::Service,
            &meta("test", "foo"),
            Some(&input(&["foo.example.com"], &[])),
            vec![],
            &config,
        );
        let entry = &out.entries[0].0;
        assert_eq!(entry.metadata.annotation(OWNERS), None);
        assert_eq!(
            entry.metadata.owner_references,
            [OwnerReference {
                api_version: "v1".into(),
                kind: "Service".into(),
                name: "foo".into(),
                uid: "uid-1".into(),
                controller: Some(true),
                block_owner_deletion: Some(true)
            }]
        );
        assert!(owns(SourceKind::Service, &meta("test", "foo"), entry));
        assert!(!owns(SourceKind::Ingress, &meta("test", "foo"), entry));
    }

    #[test]
    fn cross_cluster_owner_prefix_and_labels() {
        // SVC-19, DE-03 style
        let config = SourceConfig {
            target_namespace: Some("run".into()),
            source_cluster_id: "source-cluster-id".into(),
            target_cluster_id: "test-cluster".into(),
            target_class: "target-dns-class".parse::<Class>().unwrap(),
            target_name_prefix: "Prefix-".into(),
            target_labels: [(
                "gardener.cloud/shoot-id".to_string(),
                "source-cluster-id".to_string(),
            )]
            .into(),
            ..Default::default()
        };
        let out = reconcile(
            SourceKind::Ingress,
            &meta("src", "Test-Ingress"),
            Some(&input(&["a.example.com"], &[])),
            vec![],
            &config,
        );
        let entry = &out.entries[0].0;
        assert_eq!(
            entry.metadata.annotation(OWNERS),
            Some("source-cluster-id:networking.k8s.io/Ingress/src/Test-Ingress")
        );
        assert_eq!(
            entry.metadata.generate_name.as_deref(),
            Some("prefix-test-ingress-ingress-")
        );
        assert_eq!(entry.metadata.annotation(CLASS), Some("target-dns-class"));
        assert_eq!(
            entry.metadata.labels["gardener.cloud/shoot-id"],
            "source-cluster-id"
        );
        assert!(owns(
            SourceKind::Ingress,
            &meta("src", "Test-Ingress"),
            entry
        ));
    }

    #[test]
    fn reuses_patches_and_deletes() {
        // ING-22, EDGE-15
        let m = meta("test", "foo");
        let config = target_ns();
        let first = reconcile(
            SourceKind::Service,
            &m,
            Some(&input(&["a.example.com"], &["1.2.3.4"])),
            vec![],
            &config,
        );
        let mut existing = first.entries[0].0.clone();
        existing.metadata.name = Some("foo-service-aaaaa".into());
        let mut twin = existing.clone();
        twin.metadata.name = Some("foo-service-bbbbb".into());

        let same = reconcile(
            SourceKind::Service,
            &m,
            Some(&input(&["a.example.com"], &["1.2.3.4"])),
            vec![existing.clone(), twin.clone()],
            &config,
        );
        assert_eq!(same.entries[0].1, EntryChange::Keep);
        assert_eq!(
            same.entries[0].0.metadata.name.as_deref(),
            Some("foo-service-aaaaa")
        );
        assert_eq!(
            event_lines(&same),
            [
                "Normal DNSEntryDeleted a.example.com: deleted entry foo-service-bbbbb in control plane"
            ]
        );

        let patched = reconcile(
            SourceKind::Service,
            &m,
            Some(&input(&["a.example.com"], &["5.6.7.8"])),
            vec![existing.clone()],
            &config,
        );
        assert_eq!(patched.entries[0].1, EntryChange::Update);
        assert_eq!(
            event_lines(&patched),
            [
                "Normal DNSEntryUpdated a.example.com: updated entry foo-service-aaaaa in control plane"
            ]
        );

        let renamed = reconcile(
            SourceKind::Service,
            &m,
            Some(&input(&["b.example.com"], &["1.2.3.4"])),
            vec![existing.clone()],
            &config,
        );
        assert_eq!(
            event_lines(&renamed),
            [
                "Normal DNSEntryDeleted a.example.com: deleted entry foo-service-aaaaa in control plane",
                "Normal DNSEntryCreated b.example.com: created entry foo-service- in control plane"
            ]
        );
        let gone = reconcile(SourceKind::Service, &m, None, vec![existing], &config);
        assert!(gone.entries.is_empty());
        assert_eq!(gone.deleted.len(), 1);
    }

    #[test]
    fn annotations_mirror_the_source() {
        // §1.7 and COMPATIBILITY.md#d6
        let m = meta("test", "foo");
        let config = target_ns();
        let mut i = input(&["a.example.com"], &[]);
        i.ip_stack = Some("dual-stack".into());
        i.ignore = Some(IgnoreMode::Full);
        let out = reconcile(SourceKind::Service, &m, Some(&i), vec![], &config);
        let mut entry = out.entries[0].0.clone();
        assert_eq!(entry.metadata.annotation(IP_STACK), Some("dual-stack"));
        assert_eq!(entry.metadata.annotation(IGNORE), Some("full"));
        entry.metadata.name = Some("foo-service-x".into());
        let plain = reconcile(
            SourceKind::Service,
            &m,
            Some(&input(&["a.example.com"], &[])),
            vec![entry],
            &config,
        );
        let entry = &plain.entries[0].0;
        assert_eq!(entry.metadata.annotation(IP_STACK), None);
        assert_eq!(entry.metadata.annotation(IGNORE), None);
        assert_eq!(entry.metadata.annotation(OWNERS), Some("/Service/test/foo"));
    }

    #[test]
    fn owner_annotation_matching() {
        // OWN-02 (Service and Ingress)
        let entry = |owners: &str| {
            let mut e = DnsEntry::default();
            e.metadata.annotations.insert(OWNERS.into(), owners.into());
            e
        };
        let ing = meta("my-workload", "my-ingress");
        assert!(owns(
            SourceKind::Ingress,
            &ing,
            &entry("cluster1:networking.k8s.io/Ingress/my-workload/my-ingress")
        ));
        assert!(owns(
            SourceKind::Ingress,
            &meta("other-workload", "other-ingress"),
            &entry(
                "cluster1:networking.k8s.io/Ingress/my-workload/my-ingress,cluster2:networking.k8s.io/Ingress/other-workload/other-ingress"
            )
        ));
        assert!(!owns(
            SourceKind::Ingress,
            &ing,
            &entry("cluster1:/Service/my-workload/my-ingress")
        ));
        assert!(owns(
            SourceKind::Service,
            &meta("ns2", "svc2"),
            &entry("cluster1:/Service/ns1/svc1,cluster2:/Service/ns2/svc2")
        ));
        assert!(!owns(
            SourceKind::Service,
            &meta("test-namespace", "test-pod"),
            &entry("cluster1:/Pod/test-namespace/test-pod")
        ));
        assert!(owns(
            SourceKind::Service,
            &meta("test", "foo"),
            &entry("/Service/test/foo")
        ));
    }
}
