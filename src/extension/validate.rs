//! `ValidateDNSConfig` and the shoot validator (docs/extension.md §2.2, §3.2): the field
//! paths and messages of admission validation, which are a user-visible contract (COMPATIBILITY.md
//! #d18).
//!
//! The per-type credential rules (a Secret's properties, a WorkloadIdentity's provider
//! config) are not here: they are given as a [`CredentialChecks`]. The Secrets and
//! WorkloadIdentities of the project namespace are given as an [`ObjectGetter`].
//!
//! ```
//! use shoot_dns::extension::{DnsConfig, DnsConfigProvider};
//! use shoot_dns::extension::validate::{
//!     AcceptAllCredentials, ValidationOptions, validate_dns_config,
//! };
//!
//! let config = DnsConfig {
//!     providers: Some(vec![DnsConfigProvider {
//!         provider_type: Some("aws-route53".into()),
//!         ..Default::default()
//!     }]),
//!     ..Default::default()
//! };
//! let errors = validate_dns_config(
//!     &config, None, None, &AcceptAllCredentials, &ValidationOptions::default(),
//! );
//! assert_eq!(
//!     errors[0].to_string(),
//!     "spec.extensions.[@.type='shoot-dns-service'].providerConfig[0].secretName: \
//!      Invalid value: \"\": either secretName or credentials must be provided",
//! );
//! ```

use std::collections::BTreeMap;
use std::fmt;

use super::config::{DnsConfig, DnsConfigProvider};
use super::decode::{DecodeError, is_disabled, shoot_dns_config};
use super::field::{FieldError, aggregate};
use super::shoot::{NamedResourceReference, Shoot, WorkloadIdentity};
use crate::api::Secret;
use crate::provider::{ProviderType, secret_properties};
use crate::quote::go_quote;

/// The field path of the provider config; provider `i` is `<this>[i]` (the index sits on
/// `providerConfig` itself, not on `providerConfig.providers`).
pub const PROVIDER_CONFIG_PATH: &str =
    "spec.extensions.[@.type='shoot-dns-service'].providerConfig";

/// The provider types a DNSConfig may use, in the order of the error message: every
/// [`ProviderType`] but `local`, and two handlers that are none (`gdch-dns`, `remote`).
pub const SUPPORTED_PROVIDER_TYPES: [&str; 13] = [
    ProviderType::AlicloudDns.as_str(),
    ProviderType::AwsRoute53.as_str(),
    ProviderType::AzureDns.as_str(),
    ProviderType::AzurePrivateDns.as_str(),
    ProviderType::CloudflareDns.as_str(),
    "gdch-dns",
    ProviderType::GoogleCloudDns.as_str(),
    ProviderType::InfobloxDns.as_str(),
    ProviderType::NetlifyDns.as_str(),
    ProviderType::OpenstackDesignate.as_str(),
    ProviderType::PowerDns.as_str(),
    "remote",
    ProviderType::Rfc2136.as_str(),
];

/// The API version of a WorkloadIdentity reference.
const WORKLOAD_IDENTITY_API_VERSION: &str = "security.gardener.cloud/v1alpha1";

/// Switches of the validation (the extension reads them from its deployment).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValidationOptions {
    /// Skip the check of referenced Secrets (`DISABLE_SECRET_VALIDATION=true`). WorkloadIdentity
    /// checks still run.
    pub disable_secret_validation: bool,
}

/// Why a provider type's credential check refused a Secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretCheckError {
    /// The provider type has no credential check at all (reported on the provider's `type`).
    #[error("no DNSHandlerAdapter found for provider type")]
    NoAdapter,
    /// The check rejected the Secret's properties (reported on the reference).
    #[error("{0}")]
    Rejected(String),
}

/// The per-provider-type credential checks.
pub trait CredentialChecks {
    /// Checks a Secret's properties (its base64-decoded data) for a provider of
    /// `provider_type`: [`SecretCheckError::Rejected`] with the check's message when they are
    /// not valid, [`SecretCheckError::NoAdapter`] when the type has no check.
    fn secret(
        &self,
        provider_type: &str,
        properties: &BTreeMap<String, String>,
    ) -> Result<(), SecretCheckError>;

    /// The field errors of a WorkloadIdentity used by a provider of `provider_type`.
    ///
    /// Called only for an identity whose `spec.targetSystem.providerConfig` is present (its
    /// absence is reported before). Responsible for everything type-specific: the target
    /// system type, decoding and validating the provider config with base path `ref_path`
    /// (`<provider>.credentials.ref`), and, for a provider type that supports no
    /// WorkloadIdentity, the `Invalid` error on `type_path` (`<provider>.type`) with detail
    /// `WorkloadIdentity is not supported for provider type "<type>"`.
    fn workload_identity(
        &self,
        provider_type: &str,
        identity: &WorkloadIdentity,
        ref_path: &str,
        type_path: &str,
    ) -> Vec<FieldError>;
}

/// Credential checks that accept every Secret and WorkloadIdentity.
#[derive(Debug, Clone, Copy, Default)]
pub struct AcceptAllCredentials;

impl CredentialChecks for AcceptAllCredentials {
    fn secret(&self, _: &str, _: &BTreeMap<String, String>) -> Result<(), SecretCheckError> {
        Ok(())
    }

    fn workload_identity(
        &self,
        _: &str,
        _: &WorkloadIdentity,
        _: &str,
        _: &str,
    ) -> Vec<FieldError> {
        Vec::new()
    }
}

/// Reads Secrets and WorkloadIdentities of the shoot's project namespace by name.
///
/// `Ok(None)`: the object does not exist. `Err`: it could not be read (the message is shown
/// after `failed to get ...: `).
pub trait ObjectGetter {
    /// The Secret `name`.
    fn secret(&self, name: &str) -> Result<Option<Secret>, String>;
    /// The WorkloadIdentity `name`.
    fn workload_identity(&self, name: &str) -> Result<Option<WorkloadIdentity>, String>;
}

/// The Secrets and WorkloadIdentities of a project namespace, by name.
#[derive(Debug, Clone, Default)]
pub struct ProjectObjects {
    /// Secrets by name.
    pub secrets: BTreeMap<String, Secret>,
    /// WorkloadIdentities by name.
    pub workload_identities: BTreeMap<String, WorkloadIdentity>,
}

impl ObjectGetter for ProjectObjects {
    fn secret(&self, name: &str) -> Result<Option<Secret>, String> {
        Ok(self.secrets.get(name).cloned())
    }

    fn workload_identity(&self, name: &str) -> Result<Option<WorkloadIdentity>, String> {
        Ok(self.workload_identities.get(name).cloned())
    }
}

/// Validates a DNSConfig (docs/extension.md §2.2).
///
/// `resources`: the shoot's `spec.resources`; when `None`, references are not looked up at
/// all. `objects`: when `None`, no Secret or WorkloadIdentity is read or checked. Errors come
/// provider by provider: the type first, then the credentials.
pub fn validate_dns_config(
    config: &DnsConfig,
    resources: Option<&[NamedResourceReference]>,
    objects: Option<&dyn ObjectGetter>,
    checks: &dyn CredentialChecks,
    options: &ValidationOptions,
) -> Vec<FieldError> {
    let context = Context {
        resources,
        objects,
        checks,
        options,
    };
    let mut errors = Vec::new();
    for (index, provider) in config.providers.iter().flatten().enumerate() {
        context.validate_provider(index, provider, &mut errors);
    }
    errors
}

/// What the validation of one provider needs besides the provider.
struct Context<'a> {
    resources: Option<&'a [NamedResourceReference]>,
    objects: Option<&'a dyn ObjectGetter>,
    checks: &'a dyn CredentialChecks,
    options: &'a ValidationOptions,
}

/// Which credentials field a provider uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CredentialsField {
    SecretName,
    Credentials,
}

impl CredentialsField {
    fn as_str(self) -> &'static str {
        match self {
            Self::SecretName => "secretName",
            Self::Credentials => "credentials",
        }
    }
}

/// The paths and names of one provider.
struct ProviderPaths<'a> {
    path: String,
    type_path: String,
    provider_type: &'a str,
}

impl Context<'_> {
    fn validate_provider(
        &self,
        index: usize,
        provider: &DnsConfigProvider,
        errors: &mut Vec<FieldError>,
    ) {
        let path = format!("{PROVIDER_CONFIG_PATH}[{index}]");
        let provider_type = provider.provider_type.as_deref().unwrap_or("");
        let paths = ProviderPaths {
            type_path: format!("{path}.type"),
            path,
            provider_type,
        };
        if provider_type.is_empty() {
            errors.push(FieldError::required(
                &paths.type_path,
                "provider type is required",
            ));
        } else if !SUPPORTED_PROVIDER_TYPES.contains(&provider_type) {
            errors.push(FieldError::invalid(
                &paths.type_path,
                provider_type,
                format!(
                    "unsupported provider type. Valid types are: {}",
                    SUPPORTED_PROVIDER_TYPES.join(", ")
                ),
            ));
        }

        let non_empty = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
        let secret_path = format!("{}.secretName", paths.path);
        let credentials_path = format!("{}.credentials", paths.path);
        match (
            non_empty(&provider.secret_name),
            non_empty(&provider.credentials),
        ) {
            (None, None) => {
                let detail = "either secretName or credentials must be provided";
                errors.push(FieldError::invalid(secret_path, "", detail));
                errors.push(FieldError::invalid(credentials_path, "", detail));
            }
            (Some(secret_name), Some(credentials)) => {
                let detail = "only one of secretName or credentials must be provided";
                errors.push(FieldError::invalid(secret_path, &secret_name, detail));
                errors.push(FieldError::invalid(credentials_path, &credentials, detail));
            }
            (Some(secret_name), None) => {
                self.validate_reference(&paths, CredentialsField::SecretName, &secret_name, errors);
            }
            (None, Some(credentials)) => {
                self.validate_reference(
                    &paths,
                    CredentialsField::Credentials,
                    &credentials,
                    errors,
                );
            }
        }
    }

    /// The named resource `value` that the provider's `field` refers to.
    fn validate_reference(
        &self,
        paths: &ProviderPaths<'_>,
        field: CredentialsField,
        value: &str,
        errors: &mut Vec<FieldError>,
    ) {
        let Some(resources) = self.resources else {
            return;
        };
        let field_path = format!("{}.{}", paths.path, field.as_str());
        let Some(resource) = resources.iter().find(|resource| resource.name == value) else {
            errors.push(FieldError::invalid(
                field_path,
                value,
                format!(
                    "{} is not defined as named resource references at 'spec.resources'",
                    field.as_str()
                ),
            ));
            return;
        };
        let reference = &resource.resource_ref;
        if reference.name.is_empty() {
            errors.push(FieldError::invalid(
                field_path,
                value,
                "incomplete resource reference at 'spec.resources'",
            ));
            return;
        }
        match (reference.kind.as_str(), reference.api_version.as_str()) {
            ("Secret", "v1") => self.check_secret(paths, &field_path, &reference.name, errors),
            ("WorkloadIdentity", WORKLOAD_IDENTITY_API_VERSION) => {
                if field == CredentialsField::SecretName {
                    errors.push(FieldError::invalid(
                        format!("{field_path}.kind"),
                        "WorkloadIdentity",
                        "only kind 'Secret' resource references are allowed. To use \
                         WorkloadIdentity, please use 'credentials' field instead of 'secretName'",
                    ));
                } else {
                    self.check_workload_identity(paths, &field_path, &reference.name, errors);
                }
            }
            (kind, _) => errors.push(FieldError::invalid(
                format!("{field_path}.kind"),
                kind,
                "only Secret or WorkloadIdentity resource references are allowed",
            )),
        }
    }

    /// The Secret `name` against the provider type's credential check.
    fn check_secret(
        &self,
        paths: &ProviderPaths<'_>,
        field_path: &str,
        name: &str,
        errors: &mut Vec<FieldError>,
    ) {
        if self.options.disable_secret_validation || paths.provider_type.is_empty() {
            return;
        }
        let Some(objects) = self.objects else {
            return;
        };
        let ref_path = format!("{field_path}.ref");
        let properties = objects
            .secret(name)
            .and_then(|secret| {
                secret.ok_or_else(|| format!("secrets {} not found", go_quote(name)))
            })
            .and_then(|secret| secret_properties(&secret).map_err(|e| e.to_string()));
        let properties = match properties {
            Ok(properties) => properties,
            Err(e) => {
                errors.push(FieldError::invalid(
                    ref_path,
                    name,
                    format!("failed to get secret: {e}"),
                ));
                return;
            }
        };
        match self.checks.secret(paths.provider_type, &properties) {
            Ok(()) => {}
            Err(SecretCheckError::NoAdapter) => errors.push(FieldError::invalid(
                &paths.type_path,
                paths.provider_type,
                format!(
                    "failed to get DNSHandlerAdapter: no DNSHandlerAdapter found for provider type {}",
                    go_quote(paths.provider_type)
                ),
            )),
            Err(SecretCheckError::Rejected(reason)) => errors.push(FieldError::invalid(
                ref_path,
                name,
                format!("validation of secret data or provider config failed: {reason}"),
            )),
        }
    }

    /// The WorkloadIdentity `name` against the provider type's rules.
    fn check_workload_identity(
        &self,
        paths: &ProviderPaths<'_>,
        field_path: &str,
        name: &str,
        errors: &mut Vec<FieldError>,
    ) {
        if paths.provider_type.is_empty() {
            return;
        }
        let Some(objects) = self.objects else {
            return;
        };
        let ref_path = format!("{field_path}.ref");
        let identity = objects.workload_identity(name).and_then(|identity| {
            identity.ok_or_else(|| {
                format!(
                    "workloadidentities.security.gardener.cloud {} not found",
                    go_quote(name)
                )
            })
        });
        let identity = match identity {
            Ok(identity) => identity,
            Err(e) => {
                errors.push(FieldError::invalid(
                    ref_path,
                    name,
                    format!("failed to get the WorkloadIdentity resource: {e}"),
                ));
                return;
            }
        };
        if identity
            .spec
            .target_system
            .provider_config
            .as_ref()
            .is_none_or(serde_json::Value::is_null)
        {
            errors.push(FieldError::invalid(
                ref_path,
                name,
                "the WorkloadIdentity resource does not contain a providerConfig",
            ));
            return;
        }
        errors.extend(self.checks.workload_identity(
            paths.provider_type,
            &identity,
            &ref_path,
            &paths.type_path,
        ));
    }
}

/// Why the shoot validator denies a Shoot.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ShootValidationError {
    /// The new DNSConfig cannot be decoded.
    Decode(DecodeError),
    /// The DNSConfig is not valid (never empty).
    Invalid(Vec<FieldError>),
}

impl ShootValidationError {
    /// The field errors (none for a decode error).
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Decode(_) => &[],
            Self::Invalid(errors) => errors,
        }
    }
}

impl fmt::Display for ShootValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Decode(error) => error.fmt(f),
            Self::Invalid(errors) => f.write_str(&aggregate(errors)),
        }
    }
}

impl std::error::Error for ShootValidationError {}

/// The shoot validator (docs/extension.md §3.2), for a create (`old` is `None`) or an
/// update.
///
/// A disabled `shoot-dns-service` entry or a shoot without a DNSConfig is allowed. Secrets and
/// WorkloadIdentities are read and checked only when there is no old DNSConfig (none, or not
/// decodable) or it differs from the new one, so an update that leaves the DNSConfig alone is
/// not blocked by credentials that went bad.
pub fn validate_shoot(
    new: &Shoot,
    old: Option<&Shoot>,
    objects: &dyn ObjectGetter,
    checks: &dyn CredentialChecks,
    options: &ValidationOptions,
) -> Result<(), ShootValidationError> {
    if is_disabled(new) {
        return Ok(());
    }
    let config = shoot_dns_config(new).map_err(ShootValidationError::Decode)?;
    let old_config = old.and_then(|old| shoot_dns_config(old).ok().flatten());
    let Some(config) = config else {
        return Ok(());
    };
    let unchanged = old_config.is_some_and(|old_config| same_config(&old_config, &config));
    let objects = if unchanged { None } else { Some(objects) };
    let errors = validate_dns_config(&config, Some(&new.spec.resources), objects, checks, options);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ShootValidationError::Invalid(errors))
    }
}

/// Whether two decoded DNSConfigs are equal. Admission compares the internal versions, which
/// carry no `apiVersion`/`kind`, so those two do not count.
fn same_config(a: &DnsConfig, b: &DnsConfig) -> bool {
    let strip = |config: &DnsConfig| DnsConfig {
        api_version: None,
        kind: None,
        ..config.clone()
    };
    strip(a) == strip(b)
}
