//! The provider cases of docs/extension.md §6.5–6.7 (L4–L8 here, L12 and L13 and
//! I1 in the submodules; L1, L3 and C1 sit next to their code), with COMPATIBILITY.md#d19 and #d20
//! where they change the outcome.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::*;

mod additional;
mod external;

const NS: &str = "shoot--foo--bar";
const DOMAIN: &str = "foo.bar.external.example.com";

/// The shared fixture of L4–L8: Shoot `garden-foo/bar`.
fn shoot() -> Shoot {
    serde_yaml_ng::from_str(
        r#"
apiVersion: core.gardener.cloud/v1beta1
kind: Shoot
metadata: {name: bar, namespace: garden-foo}
spec:
  dns: {domain: foo.bar.external.example.com}
  resources:
  - {name: provider-secret, resourceRef: {apiVersion: v1, kind: Secret, name: original-provider-secret}}
status: {clusterIdentity: shoot--foo--bar-78897def-5208-4feb-b0f0-015950eadbb9-test-landscape}
"#,
    )
    .unwrap()
}

fn config(next_generation: bool) -> DnsConfig {
    serde_json::from_value(json!({
        "apiVersion": "service.dns.extensions.gardener.cloud/v1alpha1",
        "kind": "DNSConfig",
        "providers": [{"secretName": "provider-secret", "type": "aws-route53"}],
        "dnsProviderReplication": {"enabled": true},
        "syncProvidersFromShootSpecDNS": false,
        "useNextGenerationController": next_generation,
    }))
    .unwrap()
}

fn config_with(providers: Value) -> DnsConfig {
    serde_json::from_value(json!({ "providers": providers })).unwrap()
}

fn record() -> DnsRecord {
    serde_json::from_value(json!({
        "metadata": {"name": "bar-external", "namespace": NS},
        "spec": {"type": "google-clouddns", "secretRef": {"name": "external-dns-secret", "namespace": NS}, "zone": "zone-12345"}
    }))
    .unwrap()
}

fn settings() -> ControllerSettings {
    ControllerSettings {
        replicate_dns_providers: true,
        ..ControllerSettings::default()
    }
}

fn secrets(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn provider(name: &str, labels: &[(&str, &str)]) -> DnsProvider {
    let mut p = DnsProvider::default();
    p.metadata.name = Some(name.to_owned());
    p.metadata.namespace = Some(NS.to_owned());
    p.metadata.labels = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    p
}

fn managed(name: &str) -> DnsProvider {
    provider(name, &[(ROLE_LABEL, MANAGED_ROLE)])
}

/// The "replicated provider" fixture of L5–L8.
fn replicated() -> DnsProvider {
    let id = shorten_id(
        "shoot--foo--bar-78897def-5208-4feb-b0f0-015950eadbb9-test-landscape",
        63,
    );
    provider("source-provider", &[(SHOOT_ID_LABEL, &id)])
}

fn run(
    shoot: &Shoot,
    config: &DnsConfig,
    settings: &ControllerSettings,
    record: Option<&DnsRecord>,
    secrets: &BTreeSet<String>,
    existing: &[DnsProvider],
) -> SeedProviders {
    let seed = SeedNamespace {
        name: NS,
        record,
        secrets,
        providers: existing,
    };
    seed_providers(shoot, config, settings, &seed)
}

fn names(providers: &[DnsProvider]) -> Vec<&str> {
    providers
        .iter()
        .map(|p| p.metadata.name_or_empty())
        .collect()
}

fn messages(out: &SeedProviders) -> Vec<String> {
    out.errors.iter().map(ToString::to_string).collect()
}

fn expected(name: &str, next_generation: bool, spec: Value) -> Value {
    let mut annotations = json!({
        "dns.gardener.cloud/realms": "shoot--foo--bar,",
        "service.dns.extensions.gardener.cloud/maintainer": "true",
    });
    if next_generation {
        annotations["dns.gardener.cloud/class"] = json!("gardendns-next-gen");
    }
    json!({
        "apiVersion": "dns.gardener.cloud/v1alpha1",
        "kind": "DNSProvider",
        "metadata": {
            "name": name,
            "namespace": NS,
            "labels": {"gardener.cloud/role": "managed-dns-provider"},
            "annotations": annotations,
        },
        "spec": spec,
    })
}

#[test]
fn l4_standard_reconcile_legacy_and_next_gen() {
    for ng in [false, true] {
        let out = run(
            &shoot(),
            &config(ng),
            &settings(),
            Some(&record()),
            &secrets(&["ref-original-provider-secret"]),
            &[],
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert!(out.managing && out.replication && !out.hibernated);
        assert_eq!(out.next_generation, ng);
        assert_eq!(out.error_text(), None);
        assert!(out.delete.is_empty() && out.keep.is_empty());
        let got: Vec<Value> = out
            .desired
            .iter()
            .map(|p| serde_json::to_value(p).unwrap())
            .collect();
        assert_eq!(
            got,
            vec![
                expected(
                    "aws-route53-provider-secret",
                    ng,
                    json!({
                        "type": "aws-route53",
                        "secretRef": {"name": "ref-original-provider-secret", "namespace": NS},
                        "domains": {},
                        "zones": {},
                    })
                ),
                expected(
                    "external",
                    ng,
                    json!({
                        "type": "google-clouddns",
                        "secretRef": {"name": "external-dns-secret", "namespace": NS},
                        "domains": {"include": [DOMAIN], "exclude": ["api.foo.bar.external.example.com"]},
                        "zones": {"include": ["zone-12345"]},
                    })
                ),
            ]
        );
    }
}

#[test]
fn l5_hibernation_deletes_managed_and_replicated_providers() {
    let mut shoot = shoot();
    shoot.spec.hibernation = serde_json::from_value(json!({"enabled": true})).unwrap();
    let secrets = secrets(&["ref-original-provider-secret"]);
    let rounds: [(Vec<DnsProvider>, Vec<&str>); 3] = [
        (
            vec![
                managed("external"),
                managed("aws-route53-provider-secret"),
                replicated(),
            ],
            vec!["aws-route53-provider-secret", "external", "source-provider"],
        ),
        (vec![replicated()], vec!["source-provider"]),
        (vec![], vec![]),
    ];
    for (existing, deleted) in rounds {
        for ng in [false, true] {
            let out = run(
                &shoot,
                &config(ng),
                &settings(),
                Some(&record()),
                &secrets,
                &existing,
            );
            assert!(out.hibernated);
            assert!(out.desired.is_empty() && out.keep.is_empty() && out.errors.is_empty());
            assert_eq!(out.delete, deleted);
        }
    }
}

#[test]
fn l6_l7_l8_teardown_deletes_managed_and_replicated_providers() {
    let existing = [
        managed("external"),
        managed("aws-route53-provider-secret"),
        replicated(),
        provider("foreign", &[]),
    ];
    let seed = SeedNamespace {
        name: NS,
        record: Some(&record()),
        secrets: &BTreeSet::new(),
        providers: &existing,
    };
    assert_eq!(
        providers_deleted_on_teardown(&settings(), &shoot(), &seed),
        vec!["aws-route53-provider-secret", "external", "source-provider"]
    );
    let off = ControllerSettings {
        manage_dns_providers: false,
        ..settings()
    };
    assert!(providers_deleted_on_teardown(&off, &shoot(), &seed).is_empty());
}

#[test]
fn replicated_providers_stay_in_a_normal_reconcile() {
    let existing = [replicated(), managed("stale"), provider("foreign", &[])];
    let mut elsewhere = managed("other-namespace");
    elsewhere.metadata.namespace = Some("shoot--foo--baz".into());
    let existing = [existing.as_slice(), &[elsewhere]].concat();
    let secrets = secrets(&["ref-original-provider-secret"]);
    let out = run(
        &shoot(),
        &config(false),
        &settings(),
        Some(&record()),
        &secrets,
        &existing,
    );
    assert_eq!(out.delete, vec!["stale"]);
    assert!(out.keep.is_empty());
}

#[test]
fn nothing_happens_without_management() {
    let existing = [managed("external"), managed("stale"), replicated()];
    let secrets = secrets(&["ref-original-provider-secret"]);
    let off = ControllerSettings {
        manage_dns_providers: false,
        ..settings()
    };
    let out = run(
        &shoot(),
        &config(false),
        &off,
        Some(&record()),
        &secrets,
        &existing,
    );
    assert!(!out.managing);
    assert_eq!(
        out,
        SeedProviders {
            replication: true,
            ..SeedProviders::default()
        }
    );

    let mut no_domain = shoot();
    no_domain.spec.dns = serde_json::from_value(json!({})).unwrap();
    let out = run(
        &no_domain,
        &config(false),
        &settings(),
        Some(&record()),
        &secrets,
        &existing,
    );
    assert!(!out.managing && out.desired.is_empty() && out.delete.is_empty());

    // Without `spec.dns` Reconcile runs the Delete flow; it destroys providers only when
    // managing, which needs `spec.dns.domain` (docs/extension.md §4.8 step 3), so nothing is
    // deleted.
    let mut no_dns = shoot();
    no_dns.spec.dns = None;
    let out = run(
        &no_dns,
        &config(false),
        &settings(),
        Some(&record()),
        &secrets,
        &existing,
    );
    assert!(!out.managing && out.desired.is_empty() && out.delete.is_empty());
}
