//! The shoot-dns-service extension (docs/extension.md): its provider config (`DNSConfig`),
//! shoot admission (mutation and validation), and the DNSProviders it deploys into the shoot's
//! namespace in the seed.
//!
//! Everything here is computed from objects given as values: the Shoot, its Secrets and
//! WorkloadIdentities, the `<shoot>-external` DNSRecord, and the extension controller's
//! settings. Nothing is read from a cluster or the environment.

pub mod checks;
pub mod config;
pub mod decode;
pub mod field;
pub mod mutate;
pub mod providers;
pub mod shoot;
pub mod validate;

pub mod workload_identity;

#[cfg(test)]
mod tests;

pub use config::{DnsConfig, DnsConfigProvider, DnsProviderReplication, SelectionLists};
pub use decode::DecodeError;
pub use mutate::{MutateError, mutate_shoot};
pub use shoot::{
    CredentialsRef, DnsRecord, NamedResourceReference, Shoot, ShootDns, ShootDnsProvider,
    WorkloadIdentity,
};
pub use validate::{
    CredentialChecks, ObjectGetter, ProjectObjects, SecretCheckError, ShootValidationError,
    ValidationOptions, validate_dns_config, validate_shoot,
};

/// The extension's type, as in `spec.extensions[].type`.
pub const EXTENSION_TYPE: &str = "shoot-dns-service";

/// The API version of [`DnsConfig`].
pub const CONFIG_API_VERSION: &str = "service.dns.extensions.gardener.cloud/v1alpha1";
