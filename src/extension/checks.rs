//! The credential checks admission runs for real: Gardener's per-type Secret rules
//! ([`crate::provider::validate_credentials`]) and WorkloadIdentity rules
//! ([`super::workload_identity`]).

use std::collections::BTreeMap;

use super::field::FieldError;
use super::shoot::WorkloadIdentity;
use super::validate::{CredentialChecks, SecretCheckError};
use super::workload_identity::{
    IdentityReference, WorkloadIdentityOptions, validate_workload_identity,
};
use crate::provider::{CredentialsError, ProviderType, validate_credentials};

/// The checks of Gardener's extension, with the WorkloadIdentity options of its admission
/// component (`--wi-gcp-allowed-token-url`,
/// `--wi-gcp-allowed-service-account-impersonation-url-regexp`).
///
/// ```
/// use std::collections::BTreeMap;
/// use shoot_dns::extension::checks::GardenerChecks;
/// use shoot_dns::extension::validate::{CredentialChecks, SecretCheckError};
///
/// let checks = GardenerChecks::default();
/// let data = BTreeMap::from([("Server".to_owned(), "ns1.example.com".to_owned())]);
/// let Err(SecretCheckError::Rejected(text)) = checks.secret("rfc2136", &data) else { panic!() };
/// assert!(text.starts_with("validation failed for provider type rfc2136:"));
/// assert_eq!(checks.secret("local", &BTreeMap::new()), Err(SecretCheckError::NoAdapter));
/// ```
#[derive(Debug, Clone, Default)]
pub struct GardenerChecks {
    /// What the GCP WorkloadIdentity checks allow.
    pub workload_identity: WorkloadIdentityOptions,
}

impl CredentialChecks for GardenerChecks {
    fn secret(
        &self,
        provider_type: &str,
        properties: &BTreeMap<String, String>,
    ) -> Result<(), SecretCheckError> {
        // The extension's checks know no `local` type (only the DNS controller does).
        if provider_type.parse() == Ok(ProviderType::Local) {
            return Err(SecretCheckError::NoAdapter);
        }
        match validate_credentials(provider_type, properties, None) {
            Ok(()) => Ok(()),
            Err(CredentialsError::NoAdapter { .. }) => Err(SecretCheckError::NoAdapter),
            Err(error) => Err(SecretCheckError::Rejected(error.to_string())),
        }
    }

    fn workload_identity(
        &self,
        provider_type: &str,
        identity: &WorkloadIdentity,
        ref_path: &str,
        type_path: &str,
    ) -> Vec<FieldError> {
        let reference = IdentityReference {
            name: identity.metadata.name_or_empty(),
            path: ref_path,
            type_path,
        };
        validate_workload_identity(provider_type, identity, &self.workload_identity, &reference)
    }
}
