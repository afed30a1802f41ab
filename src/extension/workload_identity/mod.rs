//! WorkloadIdentities as credentials of DNS providers (docs/extension.md §2.2 step 4) and
//! the admission check of WorkloadIdentity objects themselves (§3.3).
//!
//! A WorkloadIdentity's `spec.targetSystem.providerConfig` carries the cloud-specific settings:
//! for AWS the role to assume, for Azure the client, tenant and subscription, for GCP the project
//! and the external-account configuration, whose token URL and service-account impersonation
//! URL must be in operator-configured allow-lists ([`WorkloadIdentityOptions`]).
//!
//! ```
//! use shoot_dns::extension::WorkloadIdentity;
//! use shoot_dns::extension::workload_identity::{
//!     IdentityReference, WorkloadIdentityOptions, validate_workload_identity,
//! };
//!
//! let identity: WorkloadIdentity = serde_json::from_value(serde_json::json!({
//!     "spec": {"targetSystem": {"type": "aws", "providerConfig": {
//!         "apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1",
//!         "kind": "WorkloadIdentityConfig"}}}
//! }))?;
//! let reference = IdentityReference { name: "my-identity", path: "p.credentials.ref", type_path: "p.type" };
//! let errors = validate_workload_identity("aws-route53", &identity, &WorkloadIdentityOptions::default(), &reference);
//! assert_eq!(errors[0].to_string(), "p.credentials.ref.roleARN: Required value: roleARN is required");
//! # Ok::<(), serde_json::Error>(())
//! ```

mod configs;

use serde_json::Value;

use super::field::{FieldError, aggregate};
use super::shoot::WorkloadIdentity;
use crate::provider::ProviderType;
use configs::{Cloud, Config};

/// The operator's allow-lists for GCP workload identities (the admission component's
/// `--wi-gcp-allowed-token-url` and `--wi-gcp-allowed-service-account-impersonation-url-regexp`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadIdentityOptions {
    /// The token URLs a GCP external-account configuration may use.
    pub gcp_allowed_token_urls: Vec<String>,
    /// Regular expressions (Go RE2 syntax, unanchored unless the pattern anchors itself), one
    /// of which a service-account impersonation URL must match. A pattern that does not
    /// compile matches nothing; [`WorkloadIdentityOptions::check`] finds such patterns.
    pub gcp_allowed_impersonation_url_regexps: Vec<String>,
}

impl Default for WorkloadIdentityOptions {
    /// Gardener's defaults: Google's STS token URL and IAM credentials' `generateAccessToken`.
    fn default() -> Self {
        Self {
            gcp_allowed_token_urls: vec!["https://sts.googleapis.com/v1/token".to_owned()],
            gcp_allowed_impersonation_url_regexps: vec![
                r"^https://iamcredentials\.googleapis\.com/v1/projects/-/serviceAccounts/.+:generateAccessToken$"
                    .to_owned(),
            ],
        }
    }
}

impl WorkloadIdentityOptions {
    /// Whether every impersonation-URL pattern compiles.
    ///
    /// ```
    /// use shoot_dns::extension::workload_identity::WorkloadIdentityOptions;
    ///
    /// assert_eq!(WorkloadIdentityOptions::default().check(), Ok(()));
    /// let broken = WorkloadIdentityOptions { gcp_allowed_impersonation_url_regexps: vec!["(".into()], ..Default::default() };
    /// assert!(broken.check().unwrap_err().to_string().starts_with("invalid regular expression \"(\""));
    /// ```
    pub fn check(&self) -> Result<(), PatternError> {
        for pattern in &self.gcp_allowed_impersonation_url_regexps {
            regex::Regex::new(pattern).map_err(|e| PatternError {
                pattern: pattern.clone(),
                reason: e.to_string(),
            })?;
        }
        Ok(())
    }
}

/// An allowed impersonation-URL pattern that is no regular expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid regular expression {}: {reason}",
    crate::quote::go_quote(pattern)
)]
pub struct PatternError {
    /// The pattern as configured.
    pub pattern: String,
    /// What the regular expression parser found.
    pub reason: String,
}

/// Where a shoot's DNS provider refers to a WorkloadIdentity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdentityReference<'a> {
    /// The WorkloadIdentity's name (`resourceRef.name`), the bad value of errors about it.
    pub name: &'a str,
    /// The field path of the reference, e.g.
    /// `spec.extensions.[@.type='shoot-dns-service'].providerConfig[0].credentials.ref`.
    pub path: &'a str,
    /// The field path of the provider's type, e.g.
    /// `spec.extensions.[@.type='shoot-dns-service'].providerConfig[0].type`.
    pub type_path: &'a str,
}

/// The provider config of a WorkloadIdentity, unless absent or `null`.
fn provider_config(identity: &WorkloadIdentity) -> Option<&Value> {
    identity
        .spec
        .target_system
        .provider_config
        .as_ref()
        .filter(|c| !c.is_null())
}

/// Checks a WorkloadIdentity used as the credentials of a DNS provider of `provider_type`
/// (§2.2 step 4). An empty `provider_type` is not checked (its absence is reported elsewhere).
///
/// Only `aws-route53`, `google-clouddns`, `azure-dns` and `azure-private-dns` accept a
/// WorkloadIdentity; its target system must be `aws`, `gcp` or `azure` respectively.
pub fn validate_workload_identity(
    provider_type: &str,
    identity: &WorkloadIdentity,
    options: &WorkloadIdentityOptions,
    reference: &IdentityReference<'_>,
) -> Vec<FieldError> {
    if provider_type.is_empty() {
        return Vec::new();
    }
    let invalid = |detail: &str| vec![FieldError::invalid(reference.path, reference.name, detail)];
    let Some(raw) = provider_config(identity) else {
        return invalid("the WorkloadIdentity resource does not contain a providerConfig");
    };
    let (cloud, wrong_target) = match provider_type.parse() {
        Ok(ProviderType::AwsRoute53) => (
            Cloud::Aws,
            "the WorkloadIdentity provider must be 'aws' for AWS Route53 provider",
        ),
        Ok(ProviderType::GoogleCloudDns) => (
            Cloud::Gcp,
            "the WorkloadIdentity provider must be 'gcp' for Google CloudDNS provider",
        ),
        Ok(ProviderType::AzureDns | ProviderType::AzurePrivateDns) => (
            Cloud::Azure,
            "the WorkloadIdentity provider must be 'azure' for Azure DNS providers",
        ),
        _ => {
            return vec![FieldError::invalid(
                reference.type_path,
                provider_type,
                format!(
                    "WorkloadIdentity is not supported for provider type {}",
                    crate::quote::go_quote(provider_type)
                ),
            )];
        }
    };
    if identity.spec.target_system.system_type != cloud.target_type() {
        return invalid(wrong_target);
    }
    match Config::decode(cloud, raw) {
        Ok(config) => config.validate(reference.path, options),
        Err(e) => invalid(&format!(
            "failed to unmarshal the WorkloadIdentity providerConfig: {e}"
        )),
    }
}

/// The admission check of a WorkloadIdentity object on create (`old` absent) or update
/// (§3.3). Target systems other than `aws`, `azure` and `gcp` are not checked. On update the
/// Azure `subscriptionID` and `tenantID` and the GCP `projectID` are immutable.
///
/// ```
/// use shoot_dns::extension::WorkloadIdentity;
/// use shoot_dns::extension::workload_identity::{WorkloadIdentityOptions, validate_workload_identity_object};
///
/// let identity: WorkloadIdentity = serde_json::from_value(serde_json::json!({
///     "spec": {"targetSystem": {"type": "aws"}}
/// }))?;
/// let refused = validate_workload_identity_object(&identity, None, &WorkloadIdentityOptions::default());
/// assert_eq!(
///     refused.unwrap_err().to_string(),
///     "the new target system is missing the AWS providerConfig configuration"
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn validate_workload_identity_object(
    new: &WorkloadIdentity,
    old: Option<&WorkloadIdentity>,
    options: &WorkloadIdentityOptions,
) -> Result<(), IdentityObjectError> {
    check_identity_object(new, old, options).map_err(|message| IdentityObjectError { message })
}

/// Why a WorkloadIdentity is refused, in Gardener's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct IdentityObjectError {
    /// The admission message.
    pub message: String,
}

fn check_identity_object(
    new: &WorkloadIdentity,
    old: Option<&WorkloadIdentity>,
    options: &WorkloadIdentityOptions,
) -> Result<(), String> {
    let cloud = match new.spec.target_system.system_type.as_str() {
        "aws" => Cloud::Aws,
        "azure" => Cloud::Azure,
        "gcp" => Cloud::Gcp,
        _ => return Ok(()),
    };
    let load = |identity: &WorkloadIdentity, which: &str| {
        let name = cloud.infrastructure_name();
        let raw = provider_config(identity).ok_or_else(|| {
            format!("the {which} target system is missing the {name} providerConfig configuration")
        })?;
        Config::decode(cloud, raw).map_err(|e| {
            format!("failed to unmarshal {name} {which} workload identity config: {e}")
        })
    };
    let config = load(new, "new")?;
    const PATH: &str = "spec.targetSystem.providerConfig";
    let mut errors = match old {
        Some(old) => config.immutable_changes(&load(old, "old")?, PATH),
        None => Vec::new(),
    };
    errors.extend(config.validate(PATH, options));
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "validation of target system's configuration failed: {}",
            aggregate(&errors)
        ))
    }
}

#[cfg(test)]
mod tests;
