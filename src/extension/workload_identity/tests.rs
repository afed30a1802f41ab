use serde_json::{Value, json};

use super::*;
use crate::extension::field::FieldErrorType;

const P0: &str = "spec.extensions.[@.type='shoot-dns-service'].providerConfig[0]";

fn identity(target_type: &str, config: Option<Value>) -> WorkloadIdentity {
    let mut target = json!({"type": target_type});
    if let Some(config) = config {
        target["providerConfig"] = config;
    }
    serde_json::from_value(json!({"spec": {"targetSystem": target}})).unwrap()
}

fn aws_config() -> Value {
    json!({"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig",
           "roleARN": "arn:aws:iam::123456789012:role/my-role"})
}

fn azure_config() -> Value {
    json!({"apiVersion": "azure.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig",
           "clientID": "11110000-2222-3333-4444-555555555555", "subscriptionID": "11110001-2222-3333-4444-555555555555",
           "tenantID": "11110002-2222-3333-4444-555555555555"})
}

fn gcp_config() -> Value {
    json!({"apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig", "projectID": "my-project-id",
           "credentialsConfig": {
               "audience": "//iam.googleapis.com/projects/some/audience",
               "service_account_impersonation_url": "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/my-gardener-operator:generateAccessToken",
               "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
               "token_url": "https://sts.googleapis.com/v1/token",
               "type": "external_account", "universe_domain": "googleapis.com"}})
}

/// The allow-lists of the admission tests: two token URLs.
fn admission_options() -> WorkloadIdentityOptions {
    WorkloadIdentityOptions {
        gcp_allowed_token_urls: vec![
            "https://sts.googleapis.com/v1/token".into(),
            "https://sts.googleapis.com/v1/token/new".into(),
        ],
        ..WorkloadIdentityOptions::default()
    }
}

fn check(provider_type: &str, identity: &WorkloadIdentity, index: usize) -> Vec<FieldError> {
    let path = format!("{P0}.credentials.ref").replace("[0]", &format!("[{index}]"));
    let type_path = format!("{P0}.type").replace("[0]", &format!("[{index}]"));
    let reference = IdentityReference {
        name: "orgmy-workload-identity",
        path: &path,
        type_path: &type_path,
    };
    validate_workload_identity(
        provider_type,
        identity,
        &WorkloadIdentityOptions::default(),
        &reference,
    )
}

fn texts(errors: &[FieldError]) -> Vec<String> {
    errors.iter().map(ToString::to_string).collect()
}

#[test]
fn valid_identities_pass() {
    assert_eq!(
        check("aws-route53", &identity("aws", Some(aws_config())), 0),
        []
    );
    assert_eq!(
        check("google-clouddns", &identity("gcp", Some(gcp_config())), 1),
        []
    );
    assert_eq!(
        check("azure-dns", &identity("azure", Some(azure_config())), 2),
        []
    );
    assert_eq!(
        check(
            "azure-private-dns",
            &identity("azure", Some(azure_config())),
            2
        ),
        []
    );
    assert_eq!(check("", &identity("foo", None), 0), []);
}

#[test]
fn invalid_identity_configs() {
    let aws = identity(
        "aws",
        Some(
            json!({"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig"}),
        ),
    );
    let errors = check("aws-route53", &aws, 0);
    assert_eq!(
        errors,
        [FieldError::required(
            format!("{P0}.credentials.ref.roleARN"),
            "roleARN is required"
        )]
    );

    let gcp = identity(
        "gcp",
        Some(
            json!({"apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig", "credentialsConfig": {}}),
        ),
    );
    let errors = check("google-clouddns", &gcp, 1);
    let p1 = P0.replace("[0]", "[1]");
    assert_eq!(errors[0].error_type, FieldErrorType::Invalid);
    assert_eq!(errors[0].field, format!("{p1}.credentials.ref.projectID"));
    assert_eq!(errors[0].bad_value, Some(json!("")));
    assert!(
        errors[0]
            .detail
            .contains("does not match the expected format")
    );
    assert_eq!(
        errors[1],
        FieldError::forbidden(
            format!("{p1}.credentials.ref.credentialsConfig"),
            "missing required field: \"audience\""
        )
    );

    let azure = identity(
        "azure",
        Some(
            json!({"apiVersion": "azure.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig"}),
        ),
    );
    let errors = check("azure-dns", &azure, 2);
    let p2 = P0.replace("[0]", "[2]");
    assert_eq!(
        errors[0],
        FieldError::required(
            format!("{p2}.credentials.ref.clientID"),
            "clientID is required"
        )
    );
}

#[test]
fn missing_provider_config() {
    for (provider_type, target) in [
        ("aws-route53", "aws"),
        ("google-clouddns", "gcp"),
        ("azure-dns", "azure"),
        ("cloudflare-dns", "aws"),
    ] {
        for config in [None, Some(Value::Null)] {
            assert_eq!(
                check(provider_type, &identity(target, config), 0),
                [FieldError::invalid(
                    format!("{P0}.credentials.ref"),
                    "orgmy-workload-identity",
                    "the WorkloadIdentity resource does not contain a providerConfig"
                )]
            );
        }
    }
}

#[test]
fn wrong_target_and_unsupported_types() {
    let cases = [
        (
            "aws-route53",
            "the WorkloadIdentity provider must be 'aws' for AWS Route53 provider",
        ),
        (
            "google-clouddns",
            "the WorkloadIdentity provider must be 'gcp' for Google CloudDNS provider",
        ),
        (
            "azure-dns",
            "the WorkloadIdentity provider must be 'azure' for Azure DNS providers",
        ),
        (
            "azure-private-dns",
            "the WorkloadIdentity provider must be 'azure' for Azure DNS providers",
        ),
    ];
    for (provider_type, detail) in cases {
        let errors = check(provider_type, &identity("other", Some(json!({}))), 0);
        assert_eq!(
            texts(&errors),
            [format!(
                "{P0}.credentials.ref: Invalid value: \"orgmy-workload-identity\": {detail}"
            )]
        );
    }
    let errors = check("cloudflare-dns", &identity("aws", Some(aws_config())), 0);
    assert_eq!(
        texts(&errors),
        [format!(
            "{P0}.type: Invalid value: \"cloudflare-dns\": WorkloadIdentity is not supported for provider type \"cloudflare-dns\""
        )]
    );
}

#[test]
fn decoding_follows_gardener() {
    let mut config = aws_config();
    config["roleARN"] = json!({"a": 1});
    assert_eq!(
        check("aws-route53", &identity("aws", Some(config)), 0)[0].detail,
        "failed to unmarshal the WorkloadIdentity providerConfig: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go struct field WorkloadIdentityConfig.roleARN of type string"
    );
    assert_eq!(
        check("azure-dns", &identity("azure", Some(json!("text"))), 0)[0].detail,
        "failed to unmarshal the WorkloadIdentity providerConfig: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type azure.WorkloadIdentityConfig"
    );
    let relaxed = json!({"APIVERSION": "aws.provider.extensions.gardener.cloud/v1alpha1", "Kind": "WorkloadIdentityConfig", "rolearn": 42});
    assert_eq!(check("aws-route53", &identity("aws", Some(relaxed)), 0), []);
}

#[test]
fn aws_rules() {
    let config = json!({"roleARN": ""});
    let errors = check("aws-route53", &identity("aws", Some(config)), 0);
    let r = format!("{P0}.credentials.ref");
    assert_eq!(
        texts(&errors),
        [
            format!(
                "{r}.apiVersion: Invalid value: \"\": apiVersion must be 'aws.provider.extensions.gardener.cloud/v1alpha1'"
            ),
            format!("{r}.kind: Invalid value: \"\": kind must be 'WorkloadIdentityConfig'"),
            format!("{r}.roleARN: Required value: roleARN is required"),
        ]
    );
}

#[test]
fn azure_rules() {
    let config = json!({"apiVersion": "azure.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig", "clientID": "not-a-guid"});
    let errors = check("azure-dns", &identity("azure", Some(config)), 0);
    let r = format!("{P0}.credentials.ref");
    assert_eq!(
        texts(&errors),
        [
            format!("{r}.tenantID: Required value: tenantID is required"),
            format!("{r}.subscriptionID: Required value: subscriptionID is required"),
            format!("{r}.clientID: Invalid value: \"not-a-guid\": clientID should be a valid GUID"),
            format!("{r}.tenantID: Invalid value: \"\": tenantID should be a valid GUID"),
            format!(
                "{r}.subscriptionID: Invalid value: \"\": subscriptionID should be a valid GUID"
            ),
        ]
    );
}

#[test]
fn gcp_rules() {
    let config = json!({"apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "projectID": "_invalid",
        "credentialsConfig": {"type": "not_external_account",
            "audience": "//iam.googleapis.com/projects/11111111/locations/global/workloadIdentityPools/foopool/providers/fooprovider",
            "subject_token_type": "invalid", "token_url": "http://insecure", "service_account_impersonation_url": "http://insecure",
            "credential_source": {"file": "/abc/cloudprovider/xyz", "abc": {"foo": "text"}}}});
    let options = WorkloadIdentityOptions {
        gcp_allowed_token_urls: vec!["https://foo.bar.real.api/token".into()],
        gcp_allowed_impersonation_url_regexps: vec!["https://does-not-match".into()],
    };
    let reference = IdentityReference {
        name: "wi",
        path: "providerConfig",
        type_path: "type",
    };
    let errors = validate_workload_identity(
        "google-clouddns",
        &identity("gcp", Some(config)),
        &options,
        &reference,
    );
    assert_eq!(
        texts(&errors),
        [
            r#"providerConfig.projectID: Invalid value: "_invalid": does not match the expected format: "^(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9])$""#,
            "providerConfig.credentialsConfig: Forbidden: contains extra fields, allowed fields are: audience, subject_token_type, token_url, type, universe_domain, service_account_impersonation_url",
            r#"providerConfig.credentialsConfig: Forbidden: missing required field: "universe_domain""#,
            r#"providerConfig.credentialsConfig.type: Invalid value: "not_external_account": should equal "external_account""#,
            r#"providerConfig.credentialsConfig.subject_token_type: Invalid value: "invalid": should equal "urn:ietf:params:oauth:token-type:jwt""#,
            r#"providerConfig.credentialsConfig.token_url: Invalid value: "http://insecure": should start with https://"#,
            r#"providerConfig.credentialsConfig.token_url: Forbidden: allowed values are ["https://foo.bar.real.api/token"]"#,
            r#"providerConfig.credentialsConfig.service_account_impersonation_url: Invalid value: "http://insecure": should match one of the allowed regular expressions: https://does-not-match"#,
            r#"providerConfig.credentialsConfig.service_account_impersonation_url: Invalid value: "http://insecure": should start with https://"#,
        ]
    );

    let without = json!({"apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "projectID": "my-project"});
    let errors = validate_workload_identity(
        "google-clouddns",
        &identity("gcp", Some(without)),
        &options,
        &reference,
    );
    assert_eq!(
        texts(&errors),
        ["providerConfig.credentialsConfig: Required value: is required"]
    );

    let odd = json!({"apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "projectID": "my-project", "credentialsConfig": "abc"});
    let errors = validate_workload_identity(
        "google-clouddns",
        &identity("gcp", Some(odd)),
        &options,
        &reference,
    );
    assert_eq!(
        texts(&errors),
        [
            r#"providerConfig.credentialsConfig: Invalid value: "ImFiYyI=": has invalid format: json: cannot unmarshal string into Go value of type map[string]interface {}"#
        ]
    );

    let loose = json!({"apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "projectID": "my-project",
        "credentialsConfig": {"audience": "a", "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "type": "external_account",
            "universe_domain": "googleapis.com", "service_account_impersonation_url": 7}});
    let errors = validate_workload_identity(
        "google-clouddns",
        &identity("gcp", Some(loose)),
        &WorkloadIdentityOptions::default(),
        &reference,
    );
    assert_eq!(
        texts(&errors),
        [
            r#"providerConfig.credentialsConfig: Forbidden: missing required field: "token_url""#,
            "providerConfig.credentialsConfig.token_url: Invalid value: null: should be string",
            "providerConfig.credentialsConfig.token_url: Invalid value: null: should start with https://",
            r#"providerConfig.credentialsConfig.token_url: Forbidden: allowed values are ["https://sts.googleapis.com/v1/token"]"#,
            "providerConfig.credentialsConfig.service_account_impersonation_url: Invalid value: 7: should be string",
            r#"providerConfig.credentialsConfig.service_account_impersonation_url: Invalid value: "": should match one of the allowed regular expressions: ^https://iamcredentials\.googleapis\.com/v1/projects/-/serviceAccounts/.+:generateAccessToken$"#,
            r#"providerConfig.credentialsConfig.service_account_impersonation_url: Invalid value: "": should start with https://"#,
        ]
    );
}

#[test]
fn foreign_gcp_urls_are_rejected_in_admission() {
    let mut config = gcp_config();
    config["projectID"] = json!("foo-valid");
    config["credentialsConfig"]["token_url"] = json!("https://sts.foreign.com/v1/token");
    config["credentialsConfig"]["service_account_impersonation_url"] = json!(
        "https://iamcredentials.foreign.com/v1/projects/-/serviceAccounts/foo@bar.example:generateAccessToken"
    );
    let reference = IdentityReference {
        name: "my-gcp-wl-bad",
        path: &format!("{P0}.credentials.ref"),
        type_path: &format!("{P0}.type"),
    };
    let errors = validate_workload_identity(
        "google-clouddns",
        &identity("gcp", Some(config)),
        &admission_options(),
        &reference,
    );
    let message = aggregate(&errors);
    assert!(message.contains(&format!(
        r#"{P0}.credentials.ref.credentialsConfig.token_url: Forbidden: allowed values are ["https://sts.googleapis.com/v1/token" "https://sts.googleapis.com/v1/token/new"]"#
    )), "{message}");
    assert!(message.ends_with(&format!(
        r#"{P0}.credentials.ref.credentialsConfig.service_account_impersonation_url: Invalid value: "https://iamcredentials.foreign.com/v1/projects/-/serviceAccounts/foo@bar.example:generateAccessToken": should match one of the allowed regular expressions: ^https://iamcredentials\.googleapis\.com/v1/projects/-/serviceAccounts/.+:generateAccessToken$]"#
    )), "{message}");
}

fn admit(new: &WorkloadIdentity, old: Option<&WorkloadIdentity>) -> Result<(), String> {
    validate_workload_identity_object(new, old, &admission_options()).map_err(|e| e.message)
}

#[test]
fn admission_skips_other_targets() {
    assert_eq!(admit(&identity("foo", None), None), Ok(()));
}

#[test]
fn admission_of_aws() {
    let with_role = |role: Option<&str>| {
        let mut config = json!({"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig"});
        if let Some(role) = role {
            config["roleARN"] = json!(role);
        }
        identity("aws", Some(config))
    };
    assert_eq!(admit(&with_role(Some("foo")), None), Ok(()));
    assert_eq!(
        admit(&with_role(Some("foo2")), Some(&with_role(Some("foo")))),
        Ok(())
    );
    assert_eq!(
        admit(&with_role(None), None),
        Err("validation of target system's configuration failed: spec.targetSystem.providerConfig.roleARN: Required value: roleARN is required".into())
    );
    assert_eq!(
        admit(&identity("aws", None), None),
        Err("the new target system is missing the AWS providerConfig configuration".into())
    );
    assert_eq!(
        admit(&with_role(Some("foo")), Some(&identity("aws", None))),
        Err("the old target system is missing the AWS providerConfig configuration".into())
    );
    assert_eq!(
        admit(&identity("aws", Some(json!([1]))), None),
        Err("failed to unmarshal AWS new workload identity config: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type aws.WorkloadIdentityConfig".into())
    );
}

#[test]
fn admission_of_azure() {
    let azure = |tenant: &str, subscription: &str| {
        identity(
            "azure",
            Some(
                json!({"apiVersion": "azure.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig",
            "clientID": "11111c4e-db61-17fa-a141-ed39b34aa561", "tenantID": tenant, "subscriptionID": subscription}),
            ),
        )
    };
    let base = azure(
        "22222c4e-db61-17fa-a141-ed39b34aa561",
        "33333c4e-db61-17fa-a141-ed39b34aa561",
    );
    assert_eq!(admit(&base, None), Ok(()));
    assert_eq!(admit(&base, Some(&base)), Ok(()));
    let changed = azure(
        "44444c4e-db61-17fa-a141-ed39b34aa561",
        "44444c4e-db61-17fa-a141-ed39b34aa561",
    );
    assert_eq!(
        admit(&changed, Some(&base)),
        Err("validation of target system's configuration failed: [spec.targetSystem.providerConfig.subscriptionID: Invalid value: \"44444c4e-db61-17fa-a141-ed39b34aa561\": field is immutable, spec.targetSystem.providerConfig.tenantID: Invalid value: \"44444c4e-db61-17fa-a141-ed39b34aa561\": field is immutable]".into())
    );
    assert_eq!(
        admit(&identity("azure", Some(json!({}))), None)
            .unwrap_err()
            .matches("Required value")
            .count(),
        3
    );
    assert_eq!(
        admit(&identity("azure", Some(json!(""))), Some(&base)),
        Err("failed to unmarshal Azure new workload identity config: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type azure.WorkloadIdentityConfig".into())
    );
}

#[test]
fn admission_of_gcp() {
    let gcp = |project: &str, token_url: &str, impersonation: Option<&str>| {
        let mut credentials = json!({"universe_domain": "googleapis.com", "type": "external_account",
            "audience": "//iam.googleapis.com/projects/11111111/locations/global/workloadIdentityPools/foopool/providers/fooprovider",
            "subject_token_type": "urn:ietf:params:oauth:token-type:jwt", "token_url": token_url});
        if let Some(url) = impersonation {
            credentials["service_account_impersonation_url"] = json!(url);
        }
        identity(
            "gcp",
            Some(
                json!({"apiVersion": "gcp.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig",
            "projectID": project, "credentialsConfig": credentials}),
            ),
        )
    };
    let url = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/foo@bar.example:generateAccessToken";
    let base = gcp(
        "foo-valid",
        "https://sts.googleapis.com/v1/token",
        Some(url),
    );
    assert_eq!(admit(&base, None), Ok(()));
    assert_eq!(
        admit(
            &gcp("foo-valid", "https://sts.googleapis.com/v1/token/new", None),
            Some(&base)
        ),
        Ok(())
    );
    let moved = gcp("foo-valid-new", "https://sts.googleapis.com/v1/token", None);
    assert_eq!(
        admit(&moved, Some(&base)),
        Err("validation of target system's configuration failed: spec.targetSystem.providerConfig.projectID: Invalid value: \"foo-valid-new\": field is immutable".into())
    );
    let suffixed = gcp(
        "foo-valid",
        "https://sts.googleapis.com/v1/token",
        Some(&format!("{url}invalid")),
    );
    assert_eq!(
        admit(&suffixed, Some(&base)),
        Err(format!(
            "validation of target system's configuration failed: spec.targetSystem.providerConfig.credentialsConfig.service_account_impersonation_url: Invalid value: \"{url}invalid\": should match one of the allowed regular expressions: ^https://iamcredentials\\.googleapis\\.com/v1/projects/-/serviceAccounts/.+:generateAccessToken$"
        ))
    );
    assert_eq!(
        admit(&identity("gcp", Some(json!(null))), None),
        Err("the new target system is missing the Google providerConfig configuration".into())
    );
}

#[test]
fn options() {
    let defaults = WorkloadIdentityOptions::default();
    assert_eq!(
        defaults.gcp_allowed_token_urls,
        ["https://sts.googleapis.com/v1/token"]
    );
    assert_eq!(
        defaults.gcp_allowed_impersonation_url_regexps,
        [
            r"^https://iamcredentials\.googleapis\.com/v1/projects/-/serviceAccounts/.+:generateAccessToken$"
        ]
    );
    assert_eq!(defaults.check(), Ok(()));
    let broken = WorkloadIdentityOptions {
        gcp_allowed_impersonation_url_regexps: vec!["[".into()],
        ..defaults
    };
    assert!(broken.check().is_err());
}
