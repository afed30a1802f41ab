//! The shoot validator: the A-cases of the examples (docs/extension.md §6.2) and the
//! rules of §3.2.

use serde_json::{Value, json};

use super::fake::{FakeObjects, path};
use crate::extension::Shoot;
use crate::extension::field::FieldError;
use crate::extension::validate::{ShootValidationError, ValidationOptions, validate_shoot};

fn shoot(raw: Value) -> Shoot {
    let wi = "security.gardener.cloud/v1alpha1";
    serde_json::from_value(json!({
        "apiVersion": "core.gardener.cloud/v1beta1",
        "kind": "Shoot",
        "metadata": {"name": "shoot", "namespace": "test"},
        "spec": {
            "extensions": [{"type": "shoot-dns-service", "providerConfig": raw}],
            "resources": [
                {"name": "shoot-dns-service-my-secret-good", "resourceRef": {"kind": "Secret", "name": "my-secret-good", "apiVersion": "v1"}},
                {"name": "shoot-dns-service-my-secret-bad", "resourceRef": {"kind": "Secret", "name": "my-secret-bad", "apiVersion": "v1"}},
                {"name": "shoot-dns-service-my-gcp-wl-good", "resourceRef": {"kind": "WorkloadIdentity", "name": "my-gcp-wl-good", "apiVersion": wi}},
                {"name": "shoot-dns-service-my-gcp-wl-bad", "resourceRef": {"kind": "WorkloadIdentity", "name": "my-gcp-wl-bad", "apiVersion": wi}},
            ],
        },
    }))
    .expect("a Shoot")
}

fn gcp_identity(token_url: &str, impersonation_url: &str) -> Value {
    json!({"targetSystem": {"type": "gcp", "providerConfig": {
        "apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig",
        "projectID": "foo-valid",
        "credentialsConfig": {
            "audience": "//iam.googleapis.com/projects/11111111/locations/global/workloadIdentityPools/foopool/providers/fooprovider",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
            "type": "external_account",
            "universe_domain": "googleapis.com",
            "token_url": token_url,
            "service_account_impersonation_url": impersonation_url}}}})
}

fn objects() -> FakeObjects {
    FakeObjects::default()
        .with_secret(
            "my-secret-good",
            &[
                ("accessKeyID", "myaccessKeyID"),
                ("secretAccessKey", "mysecretAccessKey"),
            ],
        )
        .with_secret(
            "my-secret-bad",
            &[
                ("accessKeyID", "myaccessKeyID"),
                ("secretAccessKey", "mysecretAccessKey"),
                ("badKey", "mybadKey"),
            ],
        )
        .with_identity(
            "my-gcp-wl-good",
            gcp_identity(
                "https://sts.googleapis.com/v1/token",
                "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/foo@bar.example:generateAccessToken",
            ),
        )
        .with_identity(
            "my-gcp-wl-bad",
            gcp_identity(
                "https://sts.foreign.com/v1/token",
                "https://iamcredentials.foreign.com/v1/projects/-/serviceAccounts/foo@bar.example:generateAccessToken",
            ),
        )
}

fn good() -> Value {
    json!({"providers": [{"secretName": "shoot-dns-service-my-secret-good", "type": "aws-route53"}], "syncProvidersFromShootSpecDNS": false})
}

fn bad() -> Value {
    json!({"providers": [{"secretName": "shoot-dns-service-my-secret-bad", "type": "aws-route53"}], "syncProvidersFromShootSpecDNS": false})
}

fn good_wi() -> Value {
    json!({"providers": [{"credentials": "shoot-dns-service-my-gcp-wl-good", "type": "google-clouddns"}], "syncProvidersFromShootSpecDNS": false})
}

fn bad_wi() -> Value {
    json!({"providers": [{"credentials": "shoot-dns-service-my-gcp-wl-bad", "type": "google-clouddns"}], "syncProvidersFromShootSpecDNS": false})
}

const A3_ERROR: &str = "spec.extensions.[@.type='shoot-dns-service'].providerConfig[0].secretName.ref: \
    Invalid value: \"my-secret-bad\": validation of secret data or provider config failed: \
    validation failed for provider type aws-route53: property \"badKey\" is not allowed";

/// Validates with Gardener's own credential checks, configured as the spec's admission cases
/// are (two allowed GCP token URLs).
fn validate(new: &Shoot, old: Option<&Shoot>, objects: &FakeObjects) -> Result<(), String> {
    let mut checks = crate::extension::checks::GardenerChecks::default();
    checks.workload_identity.gcp_allowed_token_urls = vec![
        "https://sts.googleapis.com/v1/token".to_owned(),
        "https://sts.googleapis.com/v1/token/new".to_owned(),
    ];
    validate_shoot(new, old, objects, &checks, &ValidationOptions::default())
        .map_err(|e| e.to_string())
}

#[test]
fn a1_create_good() {
    assert_eq!(validate(&shoot(good()), None, &objects()), Ok(()));
}

#[test]
fn a2_update_unchanged_good() {
    let objects = objects();
    assert_eq!(
        validate(&shoot(good()), Some(&shoot(good())), &objects),
        Ok(())
    );
    assert_eq!(objects.reads(), Vec::<String>::new());
}

#[test]
fn a3_create_bad() {
    assert_eq!(
        validate(&shoot(bad()), None, &objects()),
        Err(A3_ERROR.to_owned())
    );
}

#[test]
fn a4_update_unchanged_bad_skips_the_getter() {
    let objects = objects();
    assert_eq!(
        validate(&shoot(bad()), Some(&shoot(bad())), &objects),
        Ok(())
    );
    assert_eq!(objects.reads(), Vec::<String>::new());
}

#[test]
fn a5_update_good_to_bad() {
    assert_eq!(
        validate(&shoot(bad()), Some(&shoot(good())), &objects()),
        Err(A3_ERROR.to_owned())
    );
}

#[test]
fn a6_update_bad_to_good() {
    assert_eq!(
        validate(&shoot(good()), Some(&shoot(bad())), &objects()),
        Ok(())
    );
}

#[test]
fn a7_create_good_workload_identity() {
    assert_eq!(validate(&shoot(good_wi()), None, &objects()), Ok(()));
}

#[test]
fn a8_create_bad_workload_identity() {
    let error = validate(&shoot(bad_wi()), None, &objects()).unwrap_err();
    let token = "spec.extensions.[@.type='shoot-dns-service'].providerConfig[0].credentials.ref.\
        credentialsConfig.token_url: Forbidden: allowed values are \
        [\"https://sts.googleapis.com/v1/token\" \"https://sts.googleapis.com/v1/token/new\"";
    let impersonation = "spec.extensions.[@.type='shoot-dns-service'].providerConfig[0].credentials.\
        ref.credentialsConfig.service_account_impersonation_url: Invalid value: \
        \"https://iamcredentials.foreign.com/v1/projects/-/serviceAccounts/foo@bar.example:generateAccessToken\": \
        should match one of the allowed regular expressions: \
        ^https://iamcredentials\\.googleapis\\.com/v1/projects/-/serviceAccounts/.+:generateAccessToken$]";
    assert!(error.contains(token), "{error}");
    assert!(error.contains(impersonation), "{error}");
}

#[test]
fn a9_disabled_extension_is_allowed() {
    let new: Shoot = serde_json::from_value(json!({"spec": {"extensions": [
        {"type": "shoot-dns-service", "disabled": true, "providerConfig": "not even decodable"},
    ]}}))
    .unwrap();
    assert_eq!(validate(&new, None, &objects()), Ok(()));
}

#[test]
fn a_shoot_without_config_is_allowed() {
    let mut new = shoot(Value::Null);
    assert_eq!(validate(&new, None, &objects()), Ok(()));
    new.spec.extensions.clear();
    assert_eq!(validate(&new, None, &objects()), Ok(()));
}

#[test]
fn a_provider_config_that_is_not_an_object_is_denied() {
    let result = validate_shoot(
        &shoot(json!("not even decodable")),
        None,
        &objects(),
        &crate::extension::checks::GardenerChecks::default(),
        &ValidationOptions::default(),
    );
    let error = result.unwrap_err();
    assert!(matches!(error, ShootValidationError::Decode(_)));
    assert_eq!(error.field_errors(), &[] as &[FieldError]);
    assert_eq!(
        error.to_string(),
        "failed to decode shoot-dns-service provider config: expected a DNSConfig object, found a string"
    );
    let error = validate(
        &shoot(json!({"providers": [{"type": 1}]})),
        None,
        &objects(),
    )
    .unwrap_err();
    assert!(
        error.starts_with(
            "failed to decode shoot-dns-service provider config: field providers[0].type: "
        ),
        "{error}"
    );
}

#[test]
fn an_undecodable_old_config_counts_as_a_create() {
    let objects = objects();
    assert_eq!(
        validate(&shoot(bad()), Some(&shoot(json!([1, 2]))), &objects),
        Err(A3_ERROR.to_owned())
    );
    assert_eq!(objects.reads(), vec!["secret/my-secret-bad"]);
}

#[test]
fn api_version_and_kind_do_not_make_a_change() {
    let mut typed = bad();
    typed["apiVersion"] = json!("service.dns.extensions.gardener.cloud/v1alpha1");
    typed["kind"] = json!("DNSConfig");
    typed["unknownField"] = json!(true);
    let objects = objects();
    assert_eq!(
        validate(&shoot(typed), Some(&shoot(bad())), &objects),
        Ok(())
    );
    assert_eq!(objects.reads(), Vec::<String>::new());
}

#[test]
fn an_unchanged_config_is_still_checked_without_objects() {
    let broken = json!({"providers": [{"type": "aws-route53", "secretName": "not-a-resource"}]});
    let error = validate_shoot(
        &shoot(broken.clone()),
        Some(&shoot(broken)),
        &objects(),
        &crate::extension::checks::GardenerChecks::default(),
        &ValidationOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        error.field_errors(),
        &[FieldError::invalid(
            path(0, ".secretName"),
            "not-a-resource",
            "secretName is not defined as named resource references at 'spec.resources'"
        )]
    );
    assert_eq!(
        serde_json::to_value(error.field_errors()).unwrap(),
        json!([{
            "type": "FieldValueInvalid",
            "field": path(0, ".secretName"),
            "badValue": "not-a-resource",
            "detail": "secretName is not defined as named resource references at 'spec.resources'",
        }])
    );
}

#[test]
fn secret_switch_applies_to_the_shoot_validator() {
    let options = ValidationOptions {
        disable_secret_validation: true,
    };
    let objects = objects();
    assert_eq!(
        validate_shoot(
            &shoot(bad()),
            None,
            &objects,
            &crate::extension::checks::GardenerChecks::default(),
            &options
        ),
        Ok(())
    );
    assert!(
        validate_shoot(
            &shoot(bad_wi()),
            None,
            &objects,
            &crate::extension::checks::GardenerChecks::default(),
            &options
        )
        .is_err(),
        "WorkloadIdentities are still checked"
    );
}
