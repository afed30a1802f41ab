//! A DNSEntry as a source (docs/sources.md §3.5): replicated into the target namespace or cluster,
//! one target entry per source entry.

use super::{SourceConfig, SourceInput, push_unique};
use crate::annotations::{CLASS, IGNORE, IP_STACK, IgnoreMode};
use crate::api::DnsEntry;

/// The input of a DNSEntry source: `None` when it is not of the source class or has no
/// `spec.dnsName` (its target entry then goes).
///
/// The name is `spec.dnsName`; targets and text are copied without duplicates, and so are the
/// TTL, lookup interval, resolution flag and routing policy. `ip-stack` and `ignore` come from
/// the entry's own annotations. Nothing is parsed, so this never fails.
///
/// ```
/// use shoot_dns::api::DnsEntry;
/// use shoot_dns::sources::{SourceConfig, dnsentry_input};
///
/// let entry: DnsEntry = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "foo", "namespace": "test"},
///     "spec": {"dnsName": "foo.example.com", "targets": ["1.2.3.4", "1.2.3.4", "2001:db8::1"]}
/// }))?;
/// let input = dnsentry_input(&entry, &SourceConfig::default()).unwrap();
/// assert_eq!(input.names, ["foo.example.com"]);
/// assert_eq!(input.targets, ["1.2.3.4", "2001:db8::1"]);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn dnsentry_input(entry: &DnsEntry, config: &SourceConfig) -> Option<SourceInput> {
    let meta = &entry.metadata;
    if !config.source_class.matches(meta.annotation(CLASS)) || entry.spec.dns_name.is_empty() {
        return None;
    }
    let unique = |values: &Option<Vec<String>>| {
        let mut out = Vec::new();
        for value in values.iter().flatten() {
            push_unique(&mut out, value);
        }
        out
    };
    Some(SourceInput {
        names: vec![entry.spec.dns_name.clone()],
        targets: unique(&entry.spec.targets),
        text: unique(&entry.spec.text),
        ttl: entry.spec.ttl,
        cname_lookup_interval: entry.spec.cname_lookup_interval,
        resolve_targets_to_addresses: entry.spec.resolve_targets_to_addresses,
        routing_policy: entry.spec.routing_policy.clone(),
        ip_stack: meta
            .annotation(IP_STACK)
            .filter(|v| !v.is_empty())
            .map(str::to_owned),
        ignore: IgnoreMode::of_source_value(meta.annotation(IGNORE)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{EntryChange, SourceKind, reconcile};
    use serde_json::json;

    fn entry(value: serde_json::Value) -> DnsEntry {
        serde_json::from_value(value).unwrap()
    }

    fn config() -> SourceConfig {
        SourceConfig {
            target_namespace: Some("target-namespace".to_owned()),
            ..SourceConfig::default()
        }
    }

    fn base() -> DnsEntry {
        entry(json!({
            "metadata": {"name": "foo", "namespace": "test", "uid": "u1"},
            "spec": {"dnsName": "foo.example.com", "targets": ["1.2.3.4", "2001:db8::1"]}
        }))
    }

    #[test]
    fn replicates_into_the_target_namespace() {
        // DE-01
        let source = base();
        let input = dnsentry_input(&source, &config()).unwrap();
        let out = reconcile(
            SourceKind::DnsEntry,
            &source.metadata,
            Some(&input),
            vec![],
            &config(),
        );
        let (target, change) = &out.entries[0];
        assert_eq!(*change, EntryChange::Create);
        assert_eq!(
            target.metadata.namespace.as_deref(),
            Some("target-namespace")
        );
        assert_eq!(
            target.metadata.generate_name.as_deref(),
            Some("foo-dnsentry-")
        );
        assert_eq!(
            target
                .metadata
                .annotation("resources.gardener.cloud/owners"),
            Some("dns.gardener.cloud/DNSEntry/test/foo")
        );
        assert_eq!(
            serde_json::to_value(&target.spec).unwrap(),
            json!({"dnsName": "foo.example.com", "targets": ["1.2.3.4", "2001:db8::1"]})
        );
        assert!(
            out.events[0]
                .message
                .starts_with("foo.example.com: created entry foo-dnsentry- in control plane")
        );
    }

    #[test]
    fn replicates_into_another_cluster() {
        // DE-03: the owners annotation carries the source cluster id; class and labels are
        // written.
        let source = base();
        let config = SourceConfig {
            source_cluster_id: "source-cluster-id".to_owned(),
            target_cluster_id: "target-cluster-id".to_owned(),
            target_class: crate::Class::of_annotation(Some("target-dns-class")),
            target_labels: [("gardener.cloud/shoot-id", "source-cluster-id")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            ..config()
        };
        let input = dnsentry_input(&source, &config).unwrap();
        let out = reconcile(
            SourceKind::DnsEntry,
            &source.metadata,
            Some(&input),
            vec![],
            &config,
        );
        let target = &out.entries[0].0;
        assert_eq!(
            target
                .metadata
                .labels
                .get("gardener.cloud/shoot-id")
                .map(String::as_str),
            Some("source-cluster-id")
        );
        assert_eq!(target.metadata.annotation(CLASS), Some("target-dns-class"));
        assert_eq!(
            target
                .metadata
                .annotation("resources.gardener.cloud/owners"),
            Some("source-cluster-id:dns.gardener.cloud/DNSEntry/test/foo")
        );
        assert!(target.metadata.owner_references.is_empty());
    }

    #[test]
    fn copies_the_additional_fields() {
        // DE-05
        let source = entry(json!({
            "metadata": {"name": "foo", "namespace": "test", "annotations": {
                "dns.gardener.cloud/ignore": "full", "dns.gardener.cloud/ip-stack": "dual-stack"}},
            "spec": {"dnsName": "foo.example.com", "targets": ["1.2.3.4", "2001:db8::1"], "ttl": 123,
                "routingPolicy": {"type": "weighted", "setIdentifier": "route1", "parameters": {"weight": "10"}},
                "resolveTargetsToAddresses": true, "cnameLookupInterval": 456}
        }));
        let config = SourceConfig {
            target_name_prefix: "prefix-".to_owned(),
            ..config()
        };
        let input = dnsentry_input(&source, &config).unwrap();
        let out = reconcile(
            SourceKind::DnsEntry,
            &source.metadata,
            Some(&input),
            vec![],
            &config,
        );
        let target = &out.entries[0].0;
        assert_eq!(
            target.metadata.generate_name.as_deref(),
            Some("prefix-foo-dnsentry-")
        );
        assert_eq!(target.metadata.annotation(IGNORE), Some("full"));
        assert_eq!(target.metadata.annotation(IP_STACK), Some("dual-stack"));
        assert_eq!(
            serde_json::to_value(&target.spec).unwrap(),
            serde_json::to_value(&source.spec).unwrap()
        );
    }

    #[test]
    fn a_new_name_replaces_the_target() {
        // DE-07: the old target goes, a new one is created.
        let source = base();
        let first = reconcile(
            SourceKind::DnsEntry,
            &source.metadata,
            dnsentry_input(&source, &config()).as_ref(),
            vec![],
            &config(),
        );
        let mut existing = first.entries[0].0.clone();
        existing.metadata.name = Some("foo-dnsentry-abcde".to_owned());
        let mut renamed = source.clone();
        renamed.spec.dns_name = "foo-other.example.com".to_owned();
        let second = reconcile(
            SourceKind::DnsEntry,
            &renamed.metadata,
            dnsentry_input(&renamed, &config()).as_ref(),
            vec![existing],
            &config(),
        );
        assert_eq!(second.deleted.len(), 1);
        assert_eq!(second.entries[0].0.spec.dns_name, "foo-other.example.com");
        assert_eq!(second.entries[0].1, EntryChange::Create);
        let reasons: Vec<&str> = second.events.iter().map(|e| e.reason.as_str()).collect();
        assert_eq!(reasons, ["DNSEntryDeleted", "DNSEntryCreated"]);
    }

    #[test]
    fn other_classes_and_empty_names_ask_for_nothing() {
        let mut other = base();
        other
            .metadata
            .annotations
            .insert(CLASS.to_owned(), "other".to_owned());
        assert_eq!(dnsentry_input(&other, &config()), None);
        let mut empty = base();
        empty.spec.dns_name.clear();
        assert_eq!(dnsentry_input(&empty, &config()), None);
    }
}
