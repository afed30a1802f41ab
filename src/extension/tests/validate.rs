//! `ValidateDNSConfig`: the V-cases of the examples (docs/extension.md §6.1) and the
//! rules of §2.2 they leave out.

use serde_json::{Value, json};

use super::fake::{FakeObjects, path};
use crate::extension::DnsConfig;
use crate::extension::field::{FieldError, FieldErrorType};
use crate::extension::shoot::NamedResourceReference;
use crate::extension::validate::{ObjectGetter, ValidationOptions, validate_dns_config};

pub(super) const UNSUPPORTED: &str = "unsupported provider type. Valid types are: alicloud-dns, aws-route53, \
    azure-dns, azure-private-dns, cloudflare-dns, gdch-dns, google-clouddns, infoblox-dns, \
    netlify-dns, openstack-designate, powerdns, remote, rfc2136";

pub(super) fn config(providers: Value) -> DnsConfig {
    serde_json::from_value(json!({ "providers": providers })).expect("a DNSConfig")
}

pub(super) fn valid() -> DnsConfig {
    config(json!([
        {"type": "aws-route53", "secretName": "my-secret1", "domains": {"include": ["my.domain.test"]}},
        {"type": "aws-route53", "credentials": "my-secret2"},
    ]))
}

pub(super) fn valid_wl() -> DnsConfig {
    config(json!([
        {"type": "aws-route53", "credentials": "my-aws-workload-identity"},
        {"type": "google-clouddns", "credentials": "my-gcp-workload-identity"},
        {"type": "azure-dns", "credentials": "my-azure-workload-identity"},
    ]))
}

pub(super) fn resources() -> Vec<NamedResourceReference> {
    let wi = "security.gardener.cloud/v1alpha1";
    serde_json::from_value(json!([
        {"name": "my-secret1", "resourceRef": {"apiVersion": "v1", "kind": "Secret", "name": "orgmy-secret1"}},
        {"name": "my-secret2", "resourceRef": {"apiVersion": "v1", "kind": "Secret", "name": "orgmy-secret2"}},
        {"name": "my-aws-workload-identity", "resourceRef": {"apiVersion": wi, "kind": "WorkloadIdentity", "name": "orgmy-aws-workload-identity"}},
        {"name": "my-gcp-workload-identity", "resourceRef": {"apiVersion": wi, "kind": "WorkloadIdentity", "name": "orgmy-gcp-workload-identity"}},
        {"name": "my-azure-workload-identity", "resourceRef": {"apiVersion": wi, "kind": "WorkloadIdentity", "name": "orgmy-azure-workload-identity"}},
        {"name": "my-configmap", "resourceRef": {"apiVersion": "v1", "kind": "ConfigMap", "name": "orgmy-configmap"}},
    ]))
    .expect("named resources")
}

pub(super) const AWS_GOOD: [(&str, &str); 2] = [
    ("accessKeyID", "myAccessKeyId"),
    ("secretAccessKey", "mySecretAccessKey"),
];

pub(super) fn aws_wi() -> Value {
    json!({"targetSystem": {"type": "aws", "providerConfig": {
        "apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig",
        "roleARN": "arn:aws:iam::123456789012:role/my-role"}}})
}

fn gcp_wi() -> Value {
    json!({"targetSystem": {"type": "gcp", "providerConfig": {
        "apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig",
        "projectID": "my-project-id",
        "credentialsConfig": {
            "audience": "//iam.googleapis.com/projects/some/audience",
            "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/my-gardener-operator:generateAccessToken",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "token_url": "https://sts.googleapis.com/v1/token",
            "type": "external_account",
            "universe_domain": "googleapis.com"}}}})
}

fn azure_wi() -> Value {
    json!({"targetSystem": {"type": "azure", "providerConfig": {
        "apiVersion": "azure.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig",
        "clientID": "11110000-2222-3333-4444-555555555555",
        "subscriptionID": "11110001-2222-3333-4444-555555555555",
        "tenantID": "11110002-2222-3333-4444-555555555555"}}})
}

pub(super) fn run(
    config: &DnsConfig,
    resources: Option<&[NamedResourceReference]>,
    objects: Option<&dyn ObjectGetter>,
) -> Vec<FieldError> {
    validate_dns_config(
        config,
        resources,
        objects,
        &crate::extension::checks::GardenerChecks::default(),
        &ValidationOptions::default(),
    )
}

pub(super) fn run_without_secret_checks(
    config: &DnsConfig,
    resources: Option<&[NamedResourceReference]>,
    objects: Option<&dyn ObjectGetter>,
) -> Vec<FieldError> {
    let options = ValidationOptions {
        disable_secret_validation: true,
    };
    validate_dns_config(
        config,
        resources,
        objects,
        &crate::extension::checks::GardenerChecks::default(),
        &options,
    )
}

pub(super) fn invalid(field: String, value: &str, detail: &str) -> FieldError {
    FieldError::invalid(field, value, detail)
}

#[test]
fn v01_empty_config() {
    assert_eq!(run(&DnsConfig::default(), None, None), vec![]);
}

#[test]
fn v02_valid_secret_name_and_credentials() {
    assert_eq!(run(&valid(), Some(&resources()), None), vec![]);
}

#[test]
fn v03_valid_workload_identities_without_getter() {
    assert_eq!(run(&valid_wl(), Some(&resources()), None), vec![]);
}

#[test]
fn v04_missing_provider_type() {
    let errors = run(
        &config(json!([{"credentials": "my-secret2"}])),
        Some(&resources()),
        None,
    );
    assert_eq!(
        errors,
        vec![FieldError::new(
            FieldErrorType::Required,
            path(0, ".type"),
            None,
            "provider type is required"
        )]
    );
}

#[test]
fn v05_unsupported_provider_type() {
    let errors = run(
        &config(json!([{"type": "dummy", "credentials": "my-secret2"}])),
        Some(&resources()),
        None,
    );
    assert_eq!(
        errors,
        vec![invalid(path(0, ".type"), "dummy", UNSUPPORTED)]
    );
}

#[test]
fn v06_neither_secret_name_nor_credentials() {
    let detail = "either secretName or credentials must be provided";
    let errors = run(
        &config(json!([{"type": "aws-route53", "domains": {"include": ["my.domain.test"]}}])),
        Some(&resources()),
        None,
    );
    assert_eq!(
        errors,
        vec![
            invalid(path(0, ".secretName"), "", detail),
            invalid(path(0, ".credentials"), "", detail),
        ]
    );
    // Empty strings count as absent.
    let errors = run(
        &config(json!([{"type": "aws-route53", "secretName": "", "credentials": ""}])),
        Some(&resources()),
        None,
    );
    assert_eq!(errors.len(), 2);
    assert!(errors.iter().all(|e| e.detail == detail));
}

#[test]
fn v07_references_not_in_spec_resources() {
    let errors = run(&valid(), Some(&[]), None);
    assert_eq!(
        errors,
        vec![
            invalid(
                path(0, ".secretName"),
                "my-secret1",
                "secretName is not defined as named resource references at 'spec.resources'"
            ),
            invalid(
                path(1, ".credentials"),
                "my-secret2",
                "credentials is not defined as named resource references at 'spec.resources'"
            ),
        ]
    );
}

#[test]
fn v08_resources_not_considered() {
    assert_eq!(run(&valid(), None, None), vec![]);
}

#[test]
fn v09_secret_name_pointing_to_a_workload_identity() {
    let errors = run(
        &config(json!([{"type": "aws-route53", "secretName": "my-aws-workload-identity"}])),
        Some(&resources()),
        None,
    );
    assert_eq!(
        errors,
        vec![invalid(
            path(0, ".secretName.kind"),
            "WorkloadIdentity",
            "only kind 'Secret' resource references are allowed. To use WorkloadIdentity, please \
             use 'credentials' field instead of 'secretName'"
        )]
    );
}

#[test]
fn v10_credentials_pointing_to_a_config_map() {
    let errors = run(
        &config(json!([{"type": "aws-route53", "credentials": "my-configmap"}])),
        Some(&resources()),
        None,
    );
    assert_eq!(
        errors,
        vec![invalid(
            path(0, ".credentials.kind"),
            "ConfigMap",
            "only Secret or WorkloadIdentity resource references are allowed"
        )]
    );
}

#[test]
fn v11_valid_with_secret_getter() {
    let objects = FakeObjects::default()
        .with_secret("orgmy-secret1", &AWS_GOOD)
        .with_secret("orgmy-secret2", &AWS_GOOD);
    assert_eq!(run(&valid(), Some(&resources()), Some(&objects)), vec![]);
    assert_eq!(
        objects.reads(),
        vec!["secret/orgmy-secret1", "secret/orgmy-secret2"]
    );
}

#[test]
fn v12_valid_workload_identities_with_getter() {
    let objects = FakeObjects::default()
        .with_identity("orgmy-aws-workload-identity", aws_wi())
        .with_identity("orgmy-gcp-workload-identity", gcp_wi())
        .with_identity("orgmy-azure-workload-identity", azure_wi());
    assert_eq!(run(&valid_wl(), Some(&resources()), Some(&objects)), vec![]);
}

#[test]
fn v13_invalid_workload_identity_configs() {
    let objects = FakeObjects::default()
        .with_identity(
            "orgmy-aws-workload-identity",
            json!({"targetSystem": {"type": "aws", "providerConfig": {
                "apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig"}}}),
        )
        .with_identity(
            "orgmy-gcp-workload-identity",
            json!({"targetSystem": {"type": "gcp", "providerConfig": {
                "apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig",
                "credentialsConfig": {}}}}),
        )
        .with_identity(
            "orgmy-azure-workload-identity",
            json!({"targetSystem": {"type": "azure", "providerConfig": {
                "apiVersion": "azure.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig"}}}),
        );
    let errors = run(&valid_wl(), Some(&resources()), Some(&objects));
    let expected = [
        FieldError::required(path(0, ".credentials.ref.roleARN"), "roleARN is required"),
        FieldError::forbidden(
            path(1, ".credentials.ref.credentialsConfig"),
            "missing required field: \"audience\"",
        ),
        FieldError::required(path(2, ".credentials.ref.clientID"), "clientID is required"),
    ];
    for error in &expected {
        assert!(errors.contains(error), "{error} missing in {errors:?}");
    }
    assert!(
        errors
            .iter()
            .any(|e| e.error_type == FieldErrorType::Invalid
                && e.field == path(1, ".credentials.ref.projectID")
                && e.bad_value == Some(Value::from(""))
                && e.detail.contains("does not match the expected format"))
    );
}

fn v14_objects() -> FakeObjects {
    FakeObjects::default()
        .with_secret(
            "orgmy-secret1",
            &[
                ("accessKeyID", " myAccessKeyId"),
                ("secretAccessKey", "mySecretAccessKey"),
            ],
        )
        .with_secret(
            "orgmy-secret2",
            &[
                ("accessKeyID", "myAccessKeyId"),
                ("secretAccessKey", "mySecretAccessKey"),
                ("wrongKey", "foo"),
            ],
        )
}

#[test]
fn v14_secret_content_rejected_and_switch_off() {
    let objects = v14_objects();
    let errors = run(&valid(), Some(&resources()), Some(&objects));
    assert_eq!(
        errors,
        vec![
            invalid(
                path(0, ".secretName.ref"),
                "orgmy-secret1",
                "validation of secret data or provider config failed: validation failed for \
                 property accessKeyID (alias for AWS_ACCESS_KEY_ID) with value \" myAccessKeyId\": \
                 value must not contain trailing whitespace"
            ),
            invalid(
                path(1, ".credentials.ref"),
                "orgmy-secret2",
                "validation of secret data or provider config failed: validation failed for \
                 provider type aws-route53: property \"wrongKey\" is not allowed"
            ),
        ]
    );
    let objects = v14_objects();
    let errors = run_without_secret_checks(&valid(), Some(&resources()), Some(&objects));
    assert_eq!(errors, vec![]);
    assert_eq!(objects.reads(), Vec::<String>::new());
}

#[test]
fn v15_secret_not_found_and_switch_off() {
    let mut objects = FakeObjects::default().with_secret("orgmy-secret1", &AWS_GOOD);
    objects.secret_errors.insert(
        "orgmy-secret2".to_owned(),
        "secret orgmy-secret2 not found".to_owned(),
    );
    let errors = run(&valid(), Some(&resources()), Some(&objects));
    assert_eq!(
        errors,
        vec![invalid(
            path(1, ".credentials.ref"),
            "orgmy-secret2",
            "failed to get secret: secret orgmy-secret2 not found"
        )]
    );
    assert_eq!(
        run_without_secret_checks(&valid(), Some(&resources()), Some(&objects)),
        vec![]
    );
}

#[test]
fn v16_named_resources_without_resource_ref() {
    let incomplete: Vec<NamedResourceReference> =
        serde_json::from_value(json!([{"name": "my-secret1"}, {"name": "my-secret2"}])).unwrap();
    let objects = FakeObjects::default()
        .with_secret("orgmy-secret1", &AWS_GOOD)
        .with_secret("orgmy-secret2", &AWS_GOOD);
    let detail = "incomplete resource reference at 'spec.resources'";
    assert_eq!(
        run(&valid(), Some(&incomplete), Some(&objects)),
        vec![
            invalid(path(0, ".secretName"), "my-secret1", detail),
            invalid(path(1, ".credentials"), "my-secret2", detail),
        ]
    );
}

#[test]
fn v17_workload_identities_without_provider_config() {
    let objects = FakeObjects::default()
        .with_identity("orgmy-aws-workload-identity", json!({}))
        .with_identity("orgmy-gcp-workload-identity", json!({}))
        .with_identity(
            "orgmy-azure-workload-identity",
            json!({"targetSystem": {"type": "azure", "providerConfig": null}}),
        );
    let detail = "the WorkloadIdentity resource does not contain a providerConfig";
    assert_eq!(
        run(&valid_wl(), Some(&resources()), Some(&objects)),
        vec![
            invalid(
                path(0, ".credentials.ref"),
                "orgmy-aws-workload-identity",
                detail
            ),
            invalid(
                path(1, ".credentials.ref"),
                "orgmy-gcp-workload-identity",
                detail
            ),
            invalid(
                path(2, ".credentials.ref"),
                "orgmy-azure-workload-identity",
                detail
            ),
        ]
    );
}

#[test]
fn v18_both_secret_name_and_credentials() {
    let detail = "only one of secretName or credentials must be provided";
    let errors = run(
        &config(json!([{"type": "aws-route53", "secretName": "a", "credentials": "b"}])),
        Some(&[]),
        None,
    );
    assert_eq!(
        errors,
        vec![
            invalid(path(0, ".secretName"), "a", detail),
            invalid(path(0, ".credentials"), "b", detail),
        ]
    );
}
