//! The default domain's `external` provider: L13, I1 (COMPATIBILITY.md#d19), quota and remote
//! default domain.

use serde_json::json;

use super::*;

#[test]
fn l13_primary_shoot_provider_suppresses_and_deletes_external() {
    let mut shoot = shoot();
    shoot.spec.dns = serde_json::from_value(json!({
        "domain": DOMAIN,
        "providers": [{"type": "aws-route53", "primary": true, "secretName": "s"}],
    }))
    .unwrap();
    let secrets = secrets(&["ref-original-provider-secret"]);
    for ng in [false, true] {
        // Also an `external` without the managed label is deleted.
        let existing = [provider("external", &[])];
        let out = run(
            &shoot,
            &config(ng),
            &settings(),
            Some(&record()),
            &secrets,
            &existing,
        );
        assert_eq!(names(&out.desired), vec!["aws-route53-provider-secret"]);
        assert_eq!(out.delete, vec!["external"]);
        assert!(out.keep.is_empty() && out.errors.is_empty());
    }
}

#[test]
fn l13_next_gen_builds_external_from_the_record_even_with_a_remote_default_domain() {
    let mut settings = settings();
    settings.remote_default_domain_secret = Some("garden/remote-default-domain".into());
    settings
        .seed_labels
        .insert(REMOTE_DEFAULT_DOMAIN_SEED_LABEL.into(), "true".into());
    let secrets = secrets(&["ref-original-provider-secret"]);
    let out = run(
        &shoot(),
        &config(true),
        &settings,
        Some(&record()),
        &secrets,
        &[],
    );
    assert_eq!(out.copy_remote_secret, None);
    let external = &out.desired[1];
    assert_eq!(external.spec.provider_type, "google-clouddns");

    // Legacy: the remote default domain.
    let out = run(
        &shoot(),
        &config(false),
        &settings,
        Some(&record()),
        &secrets,
        &[],
    );
    assert_eq!(
        out.copy_remote_secret,
        Some(RemoteSecretCopy {
            namespace: "garden".into(),
            name: "remote-default-domain".into()
        })
    );
    assert_eq!(
        serde_json::to_value(&out.desired[1].spec).unwrap(),
        json!({
            "type": "remote",
            "secretRef": {"name": "shoot-dns-service-remote-default-domains", "namespace": NS},
            "domains": {"include": [DOMAIN], "exclude": ["api.foo.bar.external.example.com"]},
            "zones": {},
        })
    );
}

#[test]
fn l13_quota_on_the_external_provider_only() {
    let settings = ControllerSettings {
        default_external_provider_entries_quota: 10,
        ..settings()
    };
    let out = run(
        &shoot(),
        &config(false),
        &settings,
        Some(&record()),
        &secrets(&["ref-original-provider-secret"]),
        &[],
    );
    let quotas: Vec<Option<i64>> = out
        .desired
        .iter()
        .map(|p| p.spec.quotas.as_ref().and_then(|q| q.entries))
        .collect();
    assert_eq!(quotas, vec![None, Some(10)]);
    assert_eq!(
        serde_json::to_value(&out.desired[1].spec.quotas).unwrap(),
        json!({"entries": 10})
    );
}

#[test]
fn quota_and_remote_secret_errors_abort_provider_management() {
    let settings = ControllerSettings {
        default_external_provider_entries_quota: 10,
        ..settings()
    };
    let mut shoot = shoot();
    shoot
        .metadata
        .annotations
        .insert(QUOTA_ANNOTATION.into(), "0".into());
    let existing = [managed("stale")];
    let secrets = secrets(&["ref-original-provider-secret"]);
    let out = run(
        &shoot,
        &config(false),
        &settings,
        Some(&record()),
        &secrets,
        &existing,
    );
    assert!(out.aborted);
    assert!(out.desired.is_empty() && out.delete.is_empty() && out.keep.is_empty());
    assert_eq!(
        out.error_text().unwrap(),
        "invalid default external provider entries quota 0 (shoot annotation service.dns.extensions.gardener.cloud/default-external-provider-entries-quota)"
    );

    let mut settings = settings;
    settings.remote_default_domain_secret = Some("a/b/c".into());
    let out = run(
        &shoot,
        &config(false),
        &settings,
        Some(&record()),
        &secrets,
        &existing,
    );
    assert!(out.aborted);
    assert_eq!(
        messages(&out),
        vec![
            "invalid format for remote-default-domain-secret: a/b/c (expected '<namespace>/<name>')"
        ]
    );
}

#[test]
fn i1_missing_dns_record_gives_no_external_provider() {
    // Gardener builds `external` with an empty type and secret (docs/extension.md §7.4);
    // COMPATIBILITY.md#d19: no provider, an error, and an existing `external` stays as it is.
    let existing = [managed("external")];
    let secrets = secrets(&["ref-original-provider-secret"]);
    let out = run(
        &shoot(),
        &config(false),
        &settings(),
        None,
        &secrets,
        &existing,
    );
    assert_eq!(names(&out.desired), vec!["aws-route53-provider-secret"]);
    assert_eq!(out.keep, vec!["external"]);
    assert!(out.delete.is_empty());
    assert_eq!(
        messages(&out),
        vec![
            "DNSRecord shoot--foo--bar/bar-external not found: the default domain foo.bar.external.example.com gets no \"external\" DNSProvider"
        ]
    );
    assert_eq!(
        out.error_text().unwrap(),
        "1 error occurred:\n\t* DNSRecord shoot--foo--bar/bar-external not found: the default domain foo.bar.external.example.com gets no \"external\" DNSProvider\n\n"
    );

    // A DNSRecord of another shoot is not this shoot's.
    let mut other = record();
    other.metadata.name = Some("baz-external".into());
    let out = run(
        &shoot(),
        &config(false),
        &settings(),
        Some(&other),
        &secrets,
        &[],
    );
    assert_eq!(out.keep, vec!["external"]);
    assert_eq!(out.errors.len(), 1);
}

#[test]
fn the_default_domain_record_is_named_after_the_shoot() {
    assert_eq!(external_record_name(&shoot()), "bar-external");
}
