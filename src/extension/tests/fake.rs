//! A stand-in for the per-type credential checks and an object getter that records its reads.

use std::cell::RefCell;
use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::Secret;
use crate::extension::field::FieldError;
use crate::extension::shoot::WorkloadIdentity;
use crate::extension::validate::{
    CredentialChecks, ObjectGetter, SUPPORTED_PROVIDER_TYPES, SecretCheckError,
};
use crate::quote::go_quote;

pub(super) const ALLOWED_TOKEN_URLS: [&str; 2] = [
    "https://sts.googleapis.com/v1/token",
    "https://sts.googleapis.com/v1/token/new",
];
pub(super) const IMPERSONATION_URL_REGEXP: &str = r"^https://iamcredentials\.googleapis\.com/v1/projects/-/serviceAccounts/.+:generateAccessToken$";
const PROJECT_ID_REGEXP: &str = "^(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9])$";

/// Every supported type has a check; aws-route53 knows its properties, the others accept any.
pub(super) struct FakeChecks;

impl CredentialChecks for FakeChecks {
    fn secret(
        &self,
        provider_type: &str,
        properties: &BTreeMap<String, String>,
    ) -> Result<(), SecretCheckError> {
        if !SUPPORTED_PROVIDER_TYPES.contains(&provider_type) {
            return Err(SecretCheckError::NoAdapter);
        }
        if provider_type != "aws-route53" {
            return Ok(());
        }
        let aliases = [
            ("accessKeyID", "AWS_ACCESS_KEY_ID"),
            ("secretAccessKey", "AWS_SECRET_ACCESS_KEY"),
        ];
        for key in properties.keys() {
            if !aliases.iter().any(|(k, _)| k == key) {
                return Err(SecretCheckError::Rejected(format!(
                    "validation failed for provider type aws-route53: property {} is not allowed",
                    go_quote(key)
                )));
            }
        }
        for (key, alias) in aliases {
            if let Some(value) = properties.get(key)
                && value.trim() != value
            {
                return Err(SecretCheckError::Rejected(format!(
                    "validation failed for property {key} (alias for {alias}) with value {}: \
                     value must not contain trailing whitespace",
                    go_quote(value)
                )));
            }
        }
        Ok(())
    }

    fn workload_identity(
        &self,
        provider_type: &str,
        identity: &WorkloadIdentity,
        ref_path: &str,
        type_path: &str,
    ) -> Vec<FieldError> {
        let target = &identity.spec.target_system;
        let config = target.provider_config.clone().unwrap_or(Value::Null);
        let text = |key: &str| config.get(key).and_then(Value::as_str).unwrap_or("");
        let name = identity.metadata.name.as_deref().unwrap_or("");
        let expect_target = |expected: &str, detail: &str| {
            (target.system_type != expected).then(|| FieldError::invalid(ref_path, name, detail))
        };
        let mut errors = Vec::new();
        match provider_type {
            "aws-route53" => {
                if let Some(e) = expect_target(
                    "aws",
                    "the WorkloadIdentity provider must be 'aws' for AWS Route53 provider",
                ) {
                    return vec![e];
                }
                if text("roleARN").is_empty() {
                    errors.push(FieldError::required(
                        format!("{ref_path}.roleARN"),
                        "roleARN is required",
                    ));
                }
            }
            "google-clouddns" => {
                if let Some(e) = expect_target(
                    "gcp",
                    "the WorkloadIdentity provider must be 'gcp' for Google CloudDNS provider",
                ) {
                    return vec![e];
                }
                gcp_errors(&config, ref_path, &mut errors);
            }
            "azure-dns" | "azure-private-dns" => {
                if let Some(e) = expect_target(
                    "azure",
                    "the WorkloadIdentity provider must be 'azure' for Azure DNS providers",
                ) {
                    return vec![e];
                }
                for key in ["clientID", "tenantID", "subscriptionID"] {
                    if text(key).is_empty() {
                        errors.push(FieldError::required(
                            format!("{ref_path}.{key}"),
                            format!("{key} is required"),
                        ));
                    }
                }
            }
            other => errors.push(FieldError::invalid(
                type_path,
                other,
                format!(
                    "WorkloadIdentity is not supported for provider type {}",
                    go_quote(other)
                ),
            )),
        }
        errors
    }
}

/// A simplified GCP WorkloadIdentityConfig check with the allow-lists of the examples.
fn gcp_errors(config: &Value, ref_path: &str, errors: &mut Vec<FieldError>) {
    let project = config
        .get("projectID")
        .and_then(Value::as_str)
        .unwrap_or("");
    let project_ok = (6..=30).contains(&project.len())
        && project.starts_with(|c: char| c.is_ascii_lowercase())
        && project
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !project.ends_with('-');
    if !project_ok {
        errors.push(FieldError::invalid(
            format!("{ref_path}.projectID"),
            project,
            format!(
                "does not match the expected format: {}",
                go_quote(PROJECT_ID_REGEXP)
            ),
        ));
    }
    let credentials_path = format!("{ref_path}.credentialsConfig");
    let Some(credentials) = config.get("credentialsConfig") else {
        errors.push(FieldError::required(
            credentials_path,
            "credentialsConfig is required",
        ));
        return;
    };
    let field = |key: &str| credentials.get(key).and_then(Value::as_str);
    for key in [
        "audience",
        "subject_token_type",
        "token_url",
        "type",
        "universe_domain",
    ] {
        if field(key).is_none() {
            errors.push(FieldError::forbidden(
                &credentials_path,
                format!("missing required field: {}", go_quote(key)),
            ));
        }
    }
    if let Some(url) = field("token_url")
        && !ALLOWED_TOKEN_URLS.contains(&url)
    {
        let quoted: Vec<String> = ALLOWED_TOKEN_URLS.iter().map(|u| go_quote(u)).collect();
        errors.push(FieldError::forbidden(
            format!("{credentials_path}.token_url"),
            format!("allowed values are [{}]", quoted.join(" ")),
        ));
    }
    if let Some(url) = field("service_account_impersonation_url")
        && !(url
            .starts_with("https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/")
            && url.ends_with(":generateAccessToken"))
    {
        errors.push(FieldError::invalid(
            format!("{credentials_path}.service_account_impersonation_url"),
            url,
            format!(
                "should match one of the allowed regular expressions: {IMPERSONATION_URL_REGEXP}"
            ),
        ));
    }
}

/// Secrets (as plain properties), getter failures and WorkloadIdentities by name; every read
/// is recorded.
#[derive(Default)]
pub(super) struct FakeObjects {
    pub secrets: BTreeMap<String, BTreeMap<String, String>>,
    pub raw_secrets: BTreeMap<String, Secret>,
    pub secret_errors: BTreeMap<String, String>,
    pub identities: BTreeMap<String, WorkloadIdentity>,
    pub reads: RefCell<Vec<String>>,
}

impl FakeObjects {
    pub fn with_secret(mut self, name: &str, properties: &[(&str, &str)]) -> Self {
        let properties = properties
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        self.secrets.insert(name.to_owned(), properties);
        self
    }

    pub fn with_identity(mut self, name: &str, spec: Value) -> Self {
        let identity = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "test"},
            "spec": spec,
        }))
        .expect("a WorkloadIdentity");
        self.identities.insert(name.to_owned(), identity);
        self
    }

    pub fn reads(&self) -> Vec<String> {
        self.reads.borrow().clone()
    }
}

impl ObjectGetter for FakeObjects {
    fn secret(&self, name: &str) -> Result<Option<Secret>, String> {
        self.reads.borrow_mut().push(format!("secret/{name}"));
        if let Some(error) = self.secret_errors.get(name) {
            return Err(error.clone());
        }
        if let Some(secret) = self.raw_secrets.get(name) {
            return Ok(Some(secret.clone()));
        }
        Ok(self.secrets.get(name).map(|properties| Secret {
            string_data: properties.clone(),
            ..Secret::default()
        }))
    }

    fn workload_identity(&self, name: &str) -> Result<Option<WorkloadIdentity>, String> {
        self.reads
            .borrow_mut()
            .push(format!("workloadidentity/{name}"));
        Ok(self.identities.get(name).cloned())
    }
}

/// `spec.extensions.[@.type='shoot-dns-service'].providerConfig[<index>]<suffix>`.
pub(super) fn path(index: usize, suffix: &str) -> String {
    format!("spec.extensions.[@.type='shoot-dns-service'].providerConfig[{index}]{suffix}")
}
