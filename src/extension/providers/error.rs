//! Why a provider could not be handled (docs/extension.md §4.4; COMPATIBILITY.md#d19).

use super::QUOTA_ANNOTATION;
use crate::quote::go_quote;

/// Why a provider (or, for the quota and the remote Secret, the whole provider management of
/// a reconcile) could not be handled. The texts are Gardener's, except for D19.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProviderError {
    /// `DNSConfig.providers[index]` has no type.
    #[error("dns provider[{index}] doesn't specify a type")]
    MissingType {
        /// The provider's index.
        index: usize,
    },
    /// `DNSConfig.providers[index]` has neither `secretName` nor `credentials`.
    #[error("dns provider[{index}] doesn't specify a secretName or credentials field")]
    MissingCredentials {
        /// The provider's index.
        index: usize,
    },
    /// The named resource is not in `spec.resources`.
    #[error(
        "dns provider[{index}] secretName/credentials {resource} not found in referenced resources"
    )]
    UnknownResource {
        /// The provider's index.
        index: usize,
        /// The named resource.
        resource: String,
    },
    /// The seed copy of the referenced Secret or WorkloadIdentity does not exist.
    #[error(
        "could not get dns provider[{index}] secret {} -> {}: secrets {} not found",
        go_quote(resource),
        go_quote(secret),
        go_quote(secret)
    )]
    SecretNotFound {
        /// The provider's index.
        index: usize,
        /// The named resource.
        resource: String,
        /// The Secret expected in the seed namespace (`ref-…` or `workload-identity-ref-…`).
        secret: String,
    },
    /// The `<shoot>-external` DNSRecord is missing (COMPATIBILITY.md#d19: no `external` provider).
    #[error(
        "DNSRecord {namespace}/{name} not found: the default domain {domain} gets no \"external\" DNSProvider"
    )]
    DnsRecordNotFound {
        /// The seed namespace.
        namespace: String,
        /// `<shoot>-external`.
        name: String,
        /// The shoot's domain.
        domain: String,
    },
    /// The quota annotation is not a 32-bit integer.
    #[error(
        "failed to parse default external provider entries quota {value} (shoot annotation {QUOTA_ANNOTATION}): {reason}"
    )]
    QuotaUnparsable {
        /// The annotation's value.
        value: String,
        /// Go's `strconv.ParseInt` message.
        reason: String,
    },
    /// The quota annotation is below 1.
    #[error(
        "invalid default external provider entries quota {value} (shoot annotation {QUOTA_ANNOTATION})"
    )]
    QuotaInvalid {
        /// The annotation's value.
        value: String,
    },
    /// The quota annotation is above the maximum.
    #[error(
        "annotated default external provider entries quota {quota} (shoot annotation {QUOTA_ANNOTATION}) exceeds maximum allowed quota {max}"
    )]
    QuotaExceeded {
        /// The annotated quota.
        quota: i64,
        /// The maximum.
        max: i64,
    },
    /// `--remote-default-domain-secret` is not `<namespace>/<name>`.
    #[error(
        "invalid format for remote-default-domain-secret: {value} (expected '<namespace>/<name>')"
    )]
    RemoteSecretFormat {
        /// The flag's value.
        value: String,
    },
}
