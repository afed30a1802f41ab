//! `ValidateDNSConfig`: rules of docs/extension.md §2.2 beyond the V-cases of the
//! examples: kinds and API versions of references, reading objects, and the order of errors.

use serde_json::json;

use super::fake::{FakeObjects, path};
use super::validate::{
    AWS_GOOD, UNSUPPORTED, aws_wi, config, invalid, resources, run, run_without_secret_checks,
    valid, valid_wl,
};
use crate::api::Secret;
use crate::extension::field::FieldError;
use crate::extension::shoot::NamedResourceReference;
use crate::extension::{DnsConfig, DnsConfigProvider};

#[test]
fn a_secret_of_another_api_version_is_neither_kind() {
    let resources: Vec<NamedResourceReference> = serde_json::from_value(json!([
        {"name": "s", "resourceRef": {"apiVersion": "v2", "kind": "Secret", "name": "orgs"}},
        {"name": "w", "resourceRef": {"apiVersion": "security.gardener.cloud/v1", "kind": "WorkloadIdentity", "name": "orgw"}},
    ]))
    .unwrap();
    let objects = FakeObjects::default();
    let errors = run(
        &config(json!([
            {"type": "aws-route53", "secretName": "s"},
            {"type": "aws-route53", "secretName": "w"},
        ])),
        Some(&resources),
        Some(&objects),
    );
    let detail = "only Secret or WorkloadIdentity resource references are allowed";
    assert_eq!(
        errors,
        vec![
            invalid(path(0, ".secretName.kind"), "Secret", detail),
            invalid(path(1, ".secretName.kind"), "WorkloadIdentity", detail),
        ]
    );
    assert_eq!(objects.reads(), Vec::<String>::new());
}

#[test]
fn a_missing_secret_reads_as_kubernetes_says() {
    let objects = FakeObjects::default().with_secret("orgmy-secret1", &AWS_GOOD);
    let errors = run(&valid(), Some(&resources()), Some(&objects));
    assert_eq!(
        errors,
        vec![invalid(
            path(1, ".credentials.ref"),
            "orgmy-secret2",
            "failed to get secret: secrets \"orgmy-secret2\" not found"
        )]
    );
}

#[test]
fn secret_data_that_is_not_base64_cannot_be_read() {
    let mut objects = FakeObjects::default().with_secret("orgmy-secret2", &AWS_GOOD);
    let mut secret = Secret::default();
    secret
        .data
        .insert("accessKeyID".to_owned(), "not base64!".to_owned());
    objects
        .raw_secrets
        .insert("orgmy-secret1".to_owned(), secret);
    let errors = run(&valid(), Some(&resources()), Some(&objects));
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, path(0, ".secretName.ref"));
    assert!(
        errors[0]
            .detail
            .starts_with("failed to get secret: data.accessKeyID is not valid base64"),
        "{}",
        errors[0].detail
    );
}

#[test]
fn workload_identity_checks_ignore_the_secret_switch() {
    let objects = FakeObjects::default();
    let errors = run_without_secret_checks(&valid_wl(), Some(&resources()), Some(&objects));
    assert_eq!(errors.len(), 3);
    assert_eq!(
        errors[0],
        invalid(
            path(0, ".credentials.ref"),
            "orgmy-aws-workload-identity",
            "failed to get the WorkloadIdentity resource: \
             workloadidentities.security.gardener.cloud \"orgmy-aws-workload-identity\" not found"
        )
    );
}

#[test]
fn a_type_without_credential_check_is_reported_on_the_type() {
    let objects = FakeObjects::default().with_secret("orgmy-secret2", &AWS_GOOD);
    let errors = run(
        &config(json!([{"type": "dummy", "credentials": "my-secret2"}])),
        Some(&resources()),
        Some(&objects),
    );
    assert_eq!(
        errors,
        vec![
            invalid(path(0, ".type"), "dummy", UNSUPPORTED),
            invalid(
                path(0, ".type"),
                "dummy",
                "failed to get DNSHandlerAdapter: no DNSHandlerAdapter found for provider type \"dummy\""
            ),
        ]
    );
}

#[test]
fn a_type_without_workload_identity_support_is_reported_on_the_type() {
    let objects = FakeObjects::default().with_identity("orgmy-aws-workload-identity", aws_wi());
    let errors = run(
        &config(json!([{"type": "cloudflare-dns", "credentials": "my-aws-workload-identity"}])),
        Some(&resources()),
        Some(&objects),
    );
    assert_eq!(
        errors,
        vec![invalid(
            path(0, ".type"),
            "cloudflare-dns",
            "WorkloadIdentity is not supported for provider type \"cloudflare-dns\""
        )]
    );
}

#[test]
fn without_a_type_no_object_is_read() {
    let objects = FakeObjects::default();
    let errors = run(
        &config(json!([
            {"secretName": "my-secret1"},
            {"type": "", "credentials": "my-aws-workload-identity"},
        ])),
        Some(&resources()),
        Some(&objects),
    );
    assert_eq!(
        errors,
        vec![
            FieldError::required(path(0, ".type"), "provider type is required"),
            FieldError::required(path(1, ".type"), "provider type is required"),
        ]
    );
    assert_eq!(objects.reads(), Vec::<String>::new());
}

#[test]
fn the_first_named_resource_of_a_name_counts() {
    let resources: Vec<NamedResourceReference> = serde_json::from_value(json!([
        {"name": "dup", "resourceRef": {"apiVersion": "v1", "kind": "ConfigMap", "name": "a"}},
        {"name": "dup", "resourceRef": {"apiVersion": "v1", "kind": "Secret", "name": "b"}},
    ]))
    .unwrap();
    let errors = run(
        &config(json!([{"type": "aws-route53", "credentials": "dup"}])),
        Some(&resources),
        None,
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].field, path(0, ".credentials.kind"));
}

#[test]
fn errors_come_provider_by_provider() {
    let errors = run(
        &DnsConfig {
            providers: Some(vec![
                DnsConfigProvider::default(),
                DnsConfigProvider {
                    provider_type: Some("x".into()),
                    secret_name: Some("nope".into()),
                    ..Default::default()
                },
            ]),
            ..Default::default()
        },
        Some(&resources()),
        None,
    );
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            path(0, ".type"),
            path(0, ".secretName"),
            path(0, ".credentials"),
            path(1, ".type"),
            path(1, ".secretName"),
        ]
    );
}
