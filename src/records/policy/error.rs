//! What a provider says of a routing policy it rejects, and the parameter key check every
//! provider type's rules share.

use crate::records::Policy;

/// Why a provider rejects a record set's routing policy. The messages are Gardener's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// `local` without `supportRoutingPolicy`: a set identifier or a policy.
    #[error("in-memory provider does not support routing policies")]
    LocalUnsupported,
    /// AWS: a policy without a set identifier.
    #[error("routing policy set, but missing set identifier")]
    AwsMissingSetIdentifier,
    /// AWS: a set identifier without a policy.
    #[error("set identifier set, but routing policy missing")]
    AwsMissingPolicy,
    /// AWS: `proxied` (the only type the CRD allows that Route 53 has not).
    #[error("unsupported routing policy type {policy_type}")]
    AwsUnsupportedType {
        /// The policy type.
        policy_type: String,
    },
    /// A parameter the policy type requires is missing (docs/entries-and-providers.md §0.5).
    #[error("missing parameter key {key}")]
    MissingParameterKey {
        /// The required key.
        key: String,
    },
    /// A parameter the policy type does not know (§0.5).
    #[error("unsupported parameter key {key}")]
    UnsupportedParameterKey {
        /// The unknown key.
        key: String,
    },
    /// AWS `weight`: no integer (Go `strconv.ParseInt(v, 0, 64)`), or negative.
    #[error("invalid value for spec.routingPolicy.parameters.weight: {value}")]
    AwsInvalidWeight {
        /// The value given.
        value: String,
    },
    /// AWS geolocation `location`: no Route 53 location.
    #[error("location {location} not found")]
    AwsLocationNotFound {
        /// The value given.
        location: String,
    },
    /// AWS failover `failoverRecordType`: neither `PRIMARY` nor `SECONDARY`.
    #[error("invalid failoverRecordType value: {value}")]
    AwsInvalidFailoverRecordType {
        /// The value given.
        value: String,
    },
    /// AWS failover `disableEvaluateTargetHealth` on a set that is no alias.
    #[error("disableEvaluateTargetHealth only allowed for alias targets")]
    AwsDisableEvaluateTargetHealthWithoutAlias,
    /// AWS failover `disableEvaluateTargetHealth`: no Go bool.
    #[error("invalid disableEvaluateTargetHealth value: {value}")]
    AwsInvalidDisableEvaluateTargetHealth {
        /// The value given.
        value: String,
    },
    /// Google, Alibaba Cloud, Cloudflare: a policy without a set identifier.
    #[error("missing set identifier")]
    MissingSetIdentifier,
    /// Google, Alibaba Cloud, Cloudflare: a set identifier without a policy.
    #[error("missing routing policy")]
    MissingPolicy,
    /// Google weighted: the set identifier is the index of the item, `0` to `4`.
    #[error(
        "for google-clouddns with weighted routing policy, the setIdentifier must be an number >= 0 and < 5, but got: {set_identifier}"
    )]
    GoogleWeightedSetIdentifier {
        /// The set identifier given.
        set_identifier: String,
    },
    /// Google geolocation: the set identifier must be the location.
    #[error(
        "for google-clouddns with geolocation routing policy, the setIdentifier must be identical to the location, but: {set_identifier} != {location}"
    )]
    GoogleGeolocationSetIdentifier {
        /// The set identifier given.
        set_identifier: String,
        /// `parameters.location` (empty when missing).
        location: String,
    },
    /// Google `weight`: no non-negative decimal integer.
    #[error(
        "invalid value for spec.routingPolicy.parameters.weight: {value} (only non-negative integers are allowed)"
    )]
    GoogleInvalidWeight {
        /// The value given.
        value: String,
    },
    /// Google: neither weighted nor geolocation.
    #[error("unsupported routing policy: {policy_type}")]
    GoogleUnsupportedType {
        /// The policy type.
        policy_type: String,
    },
    /// Alibaba Cloud: not weighted.
    #[error("unsupported routing policy")]
    AlicloudUnsupportedType {
        /// The policy type (Gardener does not print it).
        policy_type: String,
    },
    /// Alibaba Cloud: weighted on a type other than A, AAAA or CNAME.
    #[error("weighted routing policy only supported for A, AAAA, and CNAME records")]
    AlicloudUnsupportedRecordType {
        /// The set's record type.
        record_type: crate::records::RecordType,
    },
    /// Cloudflare: not `proxied`.
    #[error("unsupported routing policy: {policy_type} (supported is proxied)")]
    CloudflareUnsupportedType {
        /// The policy type.
        policy_type: String,
    },
    /// Cloudflare: a set identifier other than `proxied`.
    #[error("unsupported set identifier: {set_identifier} (supported is proxied)")]
    CloudflareUnsupportedSetIdentifier {
        /// The set identifier given.
        set_identifier: String,
    },
    /// rfc2136 has no routing policies.
    #[error("routing policies not supported for rfc2136")]
    Rfc2136Unsupported,
    /// PowerDNS has no routing policies.
    #[error("PowerDNS provider does not support routing policies")]
    PowerDnsUnsupported,
    /// Azure DNS has no routing policies.
    #[error("routing policies are not supported by the Azure DNS provider")]
    AzureUnsupported,
    /// Azure Private DNS has no routing policies.
    #[error("routing policies are not supported by the Azure Private DNS provider")]
    AzurePrivateUnsupported,
    /// OpenStack Designate has no routing policies.
    #[error("OpenStack provider does not support routing policies")]
    OpenStackUnsupported,
    /// Every other provider type (Netlify and the raw-record default): no routing policies.
    #[error("routing policy not supported")]
    Unsupported,
}

/// Gardener's `CheckParameterKeys` (§0.5): every required key present, then, unless there are
/// exactly as many parameters as required keys, no key outside `required` and `optional`.
/// Keys are checked in order, the parameters in key order.
pub(super) fn check_keys(
    policy: &Policy,
    required: &[&str],
    optional: &[&str],
) -> Result<(), PolicyError> {
    if let Some(key) = required
        .iter()
        .find(|k| !policy.parameters.contains_key(**k))
    {
        return Err(PolicyError::MissingParameterKey {
            key: (*key).to_owned(),
        });
    }
    if required.len() != policy.parameters.len()
        && let Some(key) = policy
            .parameters
            .keys()
            .find(|k| !required.contains(&k.as_str()) && !optional.contains(&k.as_str()))
    {
        return Err(PolicyError::UnsupportedParameterKey { key: key.clone() });
    }
    Ok(())
}
