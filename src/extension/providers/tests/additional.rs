//! Providers from `DNSConfig.providers`: L12, names (COMPATIBILITY.md#d20) and per-provider errors.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;

#[test]
fn l12_additional_provider_derivation() {
    let mut shoot = shoot();
    shoot.spec.resources = serde_json::from_value(json!([
        {"name": "wl", "resourceRef": {"kind": "WorkloadIdentity", "apiVersion": "security.gardener.cloud/v1alpha1", "name": "my-wi"}},
        {"name": "sec", "resourceRef": {"kind": "Secret", "apiVersion": "v1", "name": "my-secret"}},
        {"name": "gone", "resourceRef": {"kind": "Secret", "apiVersion": "v1", "name": "not-copied"}},
    ]))
    .unwrap();
    let config = config_with(json!([
        {"type": "aws-route53", "secretName": "missing"},
        {"type": "google-clouddns", "credentials": "wl"},
        {"type": "aws-route53", "secretName": "sec"},
        {"type": "aws-route53", "secretName": "gone"},
    ]));
    let existing = [managed("aws-route53-gone"), managed("aws-route53-missing")];
    let out = run(
        &shoot,
        &config,
        &settings(),
        Some(&record()),
        &secrets(&["ref-my-secret", "workload-identity-ref-my-wi"]),
        &existing,
    );
    assert_eq!(
        messages(&out),
        vec![
            "dns provider[0] secretName/credentials missing not found in referenced resources",
            r#"could not get dns provider[3] secret "gone" -> "ref-not-copied": secrets "ref-not-copied" not found"#,
        ]
    );
    assert_eq!(
        names(&out.desired),
        vec!["aws-route53-sec", "external", "google-clouddns-wl"]
    );
    let spec = |name: &str| {
        serde_json::to_value(
            &out.desired
                .iter()
                .find(|p| p.metadata.name_or_empty() == name)
                .unwrap()
                .spec,
        )
        .unwrap()
    };
    assert_eq!(
        spec("google-clouddns-wl"),
        json!({"type": "google-clouddns", "secretRef": {"name": "workload-identity-ref-my-wi", "namespace": NS}, "domains": {}, "zones": {}})
    );
    assert_eq!(
        spec("aws-route53-sec"),
        json!({"type": "aws-route53", "secretRef": {"name": "ref-my-secret", "namespace": NS}, "domains": {}, "zones": {}})
    );
    assert_eq!(out.keep, vec!["aws-route53-gone"]);
    // A failed named-resource lookup registers no name, so the managed provider is stale.
    assert_eq!(out.delete, vec!["aws-route53-missing"]);
    assert!(!out.aborted);
    assert_eq!(
        out.error_text().unwrap(),
        "2 errors occurred:\n\t* dns provider[0] secretName/credentials missing not found in referenced resources\n\t* could not get dns provider[3] secret \"gone\" -> \"ref-not-copied\": secrets \"ref-not-copied\" not found\n\n"
    );
}

#[test]
fn broken_provider_entries_report_errors_and_unmanaged_is_skipped() {
    let config = config_with(json!([
        {"secretName": "provider-secret"},
        {"type": "aws-route53"},
        {"type": "unmanaged", "secretName": "provider-secret"},
        {"type": "", "credentials": "provider-secret"},
    ]));
    let existing = [managed("unmanaged-provider-secret")];
    let out = run(
        &shoot(),
        &config,
        &settings(),
        Some(&record()),
        &secrets(&["ref-original-provider-secret"]),
        &existing,
    );
    assert_eq!(
        messages(&out),
        vec![
            "dns provider[0] doesn't specify a type",
            "dns provider[1] doesn't specify a secretName or credentials field",
            "dns provider[3] doesn't specify a type",
        ]
    );
    assert_eq!(names(&out.desired), vec!["external"]);
    assert_eq!(out.delete, vec!["unmanaged-provider-secret"]);
}

#[test]
fn providers_with_the_same_secret_but_other_domains_do_not_collapse() {
    // Gardener names both `aws-route53-provider-secret` and keeps only the last (docs/extension.md
    // §7.6); COMPATIBILITY.md#d20: each gets its own provider, named with a hash of its selection.
    let config = config_with(json!([
        {"type": "aws-route53", "secretName": "provider-secret", "domains": {"include": ["a.example.com"]}},
        {"type": "aws-route53", "secretName": "provider-secret", "domains": {"include": ["b.example.com"]}},
        {"type": "aws-route53", "secretName": "provider-secret", "zones": {"include": ["Z1"]}},
        {"type": "aws-route53", "secretName": "provider-secret", "domains": {"include": ["b.example.com"]}},
    ]));
    let secrets = secrets(&["ref-original-provider-secret"]);
    let out = run(
        &shoot(),
        &config,
        &settings(),
        Some(&record()),
        &secrets,
        &[],
    );
    assert!(out.errors.is_empty());
    let additional: Vec<&DnsProvider> = out
        .desired
        .iter()
        .filter(|p| p.metadata.name_or_empty() != "external")
        .collect();
    assert_eq!(
        additional.len(),
        3,
        "the identical 2nd and 4th are one provider"
    );
    let mut selections = BTreeMap::new();
    for p in &additional {
        let name = p.metadata.name_or_empty();
        assert!(name.starts_with("aws-route53-provider-secret-"), "{name}");
        assert_eq!(name.len(), "aws-route53-provider-secret-".len() + 8);
        selections.insert(
            serde_json::to_string(&(&p.spec.domains, &p.spec.zones)).unwrap(),
            name.to_owned(),
        );
    }
    assert_eq!(selections.len(), 3);

    // The names do not depend on the order of the entries, nor on the order within a list.
    let reordered = config_with(json!([
        {"type": "aws-route53", "secretName": "provider-secret", "zones": {"include": ["Z1"]}},
        {"type": "aws-route53", "secretName": "provider-secret", "domains": {"include": ["b.example.com"]}},
        {"type": "aws-route53", "secretName": "provider-secret", "domains": {"include": ["a.example.com"]}},
    ]));
    let again = run(
        &shoot(),
        &reordered,
        &settings(),
        Some(&record()),
        &secrets,
        &[],
    );
    assert_eq!(names(&again.desired), names(&out.desired));

    // Alone, a provider keeps its plain name.
    let single = config_with(json!([
        {"type": "aws-route53", "secretName": "provider-secret", "domains": {"include": ["a.example.com"]}},
    ]));
    let out = run(
        &shoot(),
        &single,
        &settings(),
        Some(&record()),
        &secrets,
        &[],
    );
    assert_eq!(
        names(&out.desired),
        vec!["aws-route53-provider-secret", "external"]
    );
}

#[test]
fn a_missing_seed_secret_keeps_the_existing_provider() {
    let existing = [managed("aws-route53-provider-secret")];
    let out = run(
        &shoot(),
        &config(false),
        &settings(),
        Some(&record()),
        &BTreeSet::new(),
        &existing,
    );
    assert_eq!(names(&out.desired), vec!["external"]);
    assert_eq!(out.keep, vec!["aws-route53-provider-secret"]);
    assert!(out.delete.is_empty());
    assert_eq!(
        messages(&out),
        vec![
            r#"could not get dns provider[0] secret "provider-secret" -> "ref-original-provider-secret": secrets "ref-original-provider-secret" not found"#
        ]
    );
}
