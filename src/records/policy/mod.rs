//! Which routing policies a provider type accepts (docs/entries-and-providers.md §5.10, §0.5).
//! Gardener checks them in each handler when it applies a change, so a bad policy shows up as
//! `failed to execute DNS change requests: <error>`; the texts here are the handlers'.

mod error;
mod route53;

pub use error::PolicyError;
use error::check_keys;

use super::{Policy, RecordName, RecordSet};
use crate::provider::ProviderType;
use crate::quote::go_parse_int;
use route53::check_aws;
#[cfg_attr(not(feature = "aws-route53"), allow(unused_imports))]
pub(crate) use route53::{AwsLocation, aws_policy_as_read_back, go_parse_int_base0};

/// Whether a provider of `provider_type` accepts `set` at `owner` (§5.10). Gardener checks the
/// old and the new set of a change alike: call this for each.
///
/// * `local`: anything when `supports_routing_policy_local` (the mock's `supportRoutingPolicy`),
///   else neither a set identifier nor a policy.
/// * `aws-route53`: both or neither of set identifier and policy; the policy type's keys
///   (§0.5; an unknown key is reported in key order, where Gardener picks one at random) —
///   weighted `weight` (Go `ParseInt(v, 0, 64)`, so `0x10` is 16, and not negative), latency
///   `region`, geolocation `location`, ip-based `collection` and `location`, failover
///   `failoverRecordType` (`PRIMARY`/`SECONDARY`, any case) with `disableEvaluateTargetHealth`
///   (alias sets only, a Go bool), each with an optional `healthCheckID`. The values are checked
///   in key order. Offline we cannot ask Route 53: a geolocation `location` of the
///   `continent=XX` / `country=XX[,subdivision=YY]` form is checked against the continent codes
///   and the code syntax, a name against the continent names, `Default` and a plain-name syntax
///   (any other name is accepted: AWS's list of country and subdivision names is online only);
///   an ip-based CIDR collection and its location are not checked at all; a latency `region` is
///   not checked.
/// * `google-clouddns`: weighted with a set identifier `0`…`4` and a decimal `weight`, or
///   geolocation with the set identifier equal to `location`.
/// * `alicloud-dns`: weighted on A, AAAA and CNAME sets. `cloudflare-dns`: `proxied` with set
///   identifier `proxied`.
/// * `rfc2136`, `powerdns`, `azure-dns`, `azure-private-dns`, `openstack-designate`, and every
///   other type (`netlify-dns`, `infoblox-dns`: Gardener's raw-record default): no routing
///   policies.
///
/// ```
/// use shoot_dns::provider::ProviderType;
/// use shoot_dns::records::{Policy, RecordName, RecordSet, RecordType, check_policy};
///
/// let owner = RecordName::new("a.example.com".parse()?, "set1");
/// let set = RecordSet {
///     record_type: RecordType::A,
///     ttl: 60,
///     values: vec!["1.2.3.4".into()],
///     routing_policy: Some(Policy {
///         policy_type: "weighted".into(),
///         parameters: [("weight".to_string(), "0x10".to_string())].into(),
///     }),
/// };
/// assert!(check_policy(ProviderType::AwsRoute53, &owner, &set, false).is_ok());
/// assert_eq!(
///     check_policy(ProviderType::Local, &owner, &set, false).unwrap_err().to_string(),
///     "in-memory provider does not support routing policies"
/// );
/// # Ok::<(), shoot_dns::DnsNameError>(())
/// ```
pub fn check_policy(
    provider_type: ProviderType,
    owner: &RecordName,
    set: &RecordSet,
    supports_routing_policy_local: bool,
) -> Result<(), PolicyError> {
    let set_identifier = owner.set_identifier.as_str();
    let policy = set.routing_policy.as_ref();
    let plain = set_identifier.is_empty() && policy.is_none();
    let refuse = |error: PolicyError| if plain { Ok(()) } else { Err(error) };
    match provider_type {
        ProviderType::Local if supports_routing_policy_local => Ok(()),
        ProviderType::Local => refuse(PolicyError::LocalUnsupported),
        ProviderType::AwsRoute53 => check_aws(set_identifier, policy, set),
        ProviderType::GoogleCloudDns => check_google(set_identifier, policy),
        ProviderType::AlicloudDns => check_alicloud(set_identifier, policy, set),
        ProviderType::CloudflareDns => check_cloudflare(set_identifier, policy),
        ProviderType::Rfc2136 => refuse(PolicyError::Rfc2136Unsupported),
        ProviderType::PowerDns => refuse(PolicyError::PowerDnsUnsupported),
        ProviderType::AzureDns => refuse(PolicyError::AzureUnsupported),
        ProviderType::AzurePrivateDns => refuse(PolicyError::AzurePrivateUnsupported),
        ProviderType::OpenstackDesignate => refuse(PolicyError::OpenStackUnsupported),
        ProviderType::NetlifyDns | ProviderType::InfobloxDns => refuse(PolicyError::Unsupported),
    }
}

/// Cloud DNS (`handler/google/routingpolicy.go`, `extractRoutingPolicy`).
fn check_google(set_identifier: &str, policy: Option<&Policy>) -> Result<(), PolicyError> {
    let Some(policy) = both(set_identifier, policy)? else {
        return Ok(());
    };
    let required: &[&str] = match policy.policy_type.as_str() {
        "weighted" => {
            // Go `strconv.Atoi`: decimal with an optional sign
            if !go_parse_int(set_identifier).is_ok_and(|i| (0..5).contains(&i)) {
                return Err(PolicyError::GoogleWeightedSetIdentifier {
                    set_identifier: set_identifier.to_owned(),
                });
            }
            &["weight"]
        }
        "geolocation" => {
            let location = policy.parameters.get("location").map_or("", String::as_str);
            if set_identifier != location {
                return Err(PolicyError::GoogleGeolocationSetIdentifier {
                    set_identifier: set_identifier.to_owned(),
                    location: location.to_owned(),
                });
            }
            &["location"]
        }
        other => {
            return Err(PolicyError::GoogleUnsupportedType {
                policy_type: other.to_owned(),
            });
        }
    };
    check_keys(policy, required, &[])?;
    if let Some(weight) = policy.parameters.get("weight")
        && !go_parse_int(weight).is_ok_and(|w| w >= 0)
    {
        return Err(PolicyError::GoogleInvalidWeight {
            value: weight.clone(),
        });
    }
    Ok(())
}

/// Alibaba Cloud DNS (`handler/alicloud/routingpolicy.go`).
fn check_alicloud(
    set_identifier: &str,
    policy: Option<&Policy>,
    set: &RecordSet,
) -> Result<(), PolicyError> {
    let Some(policy) = both(set_identifier, policy)? else {
        return Ok(());
    };
    if policy.policy_type != "weighted" {
        return Err(PolicyError::AlicloudUnsupportedType {
            policy_type: policy.policy_type.clone(),
        });
    }
    use super::RecordType::{A, AAAA, CNAME};
    if !matches!(set.record_type, A | AAAA | CNAME) {
        return Err(PolicyError::AlicloudUnsupportedRecordType {
            record_type: set.record_type,
        });
    }
    Ok(())
}

/// Cloudflare (`handler/cloudflare/handler.go`, `checkRoutingPolicyForDNSSet`).
fn check_cloudflare(set_identifier: &str, policy: Option<&Policy>) -> Result<(), PolicyError> {
    let Some(policy) = both(set_identifier, policy)? else {
        return Ok(());
    };
    if policy.policy_type != Policy::PROXIED {
        return Err(PolicyError::CloudflareUnsupportedType {
            policy_type: policy.policy_type.clone(),
        });
    }
    if set_identifier != Policy::PROXIED {
        return Err(PolicyError::CloudflareUnsupportedSetIdentifier {
            set_identifier: set_identifier.to_owned(),
        });
    }
    Ok(())
}

/// The shared start of the Google, Alibaba Cloud and Cloudflare checks: neither set identifier
/// nor policy is a plain set (`None`); one without the other is an error.
fn both<'p>(
    set_identifier: &str,
    policy: Option<&'p Policy>,
) -> Result<Option<&'p Policy>, PolicyError> {
    match (set_identifier.is_empty(), policy) {
        (true, None) => Ok(None),
        (true, Some(_)) => Err(PolicyError::MissingSetIdentifier),
        (false, None) => Err(PolicyError::MissingPolicy),
        (false, Some(policy)) => Ok(Some(policy)),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::records::RecordType;

    fn owner(set_identifier: &str) -> RecordName {
        RecordName::new("test.sub.example.com".parse().unwrap(), set_identifier)
    }

    fn set(record_type: RecordType, policy: Option<(&str, &[(&str, &str)])>) -> RecordSet {
        RecordSet {
            record_type,
            ttl: 60,
            values: vec!["1.2.3.4".into()],
            routing_policy: policy.map(|(t, params)| Policy {
                policy_type: t.into(),
                parameters: params
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }),
        }
    }

    /// The error text of a check (or "ok").
    pub(crate) fn check(
        provider_type: ProviderType,
        set_identifier: &str,
        record_type: RecordType,
        policy: Option<(&str, &[(&str, &str)])>,
    ) -> String {
        match check_policy(
            provider_type,
            &owner(set_identifier),
            &set(record_type, policy),
            false,
        ) {
            Ok(()) => "ok".into(),
            Err(e) => e.to_string(),
        }
    }

    pub(crate) const WEIGHT_50: Option<(&str, &[(&str, &str)])> =
        Some(("weighted", &[("weight", "50")]));

    #[test]
    fn plain_sets_pass_everywhere() {
        for provider_type in [
            ProviderType::Local,
            ProviderType::AwsRoute53,
            ProviderType::GoogleCloudDns,
            ProviderType::AlicloudDns,
            ProviderType::CloudflareDns,
            ProviderType::Rfc2136,
            ProviderType::PowerDns,
            ProviderType::NetlifyDns,
            ProviderType::AzureDns,
            ProviderType::InfobloxDns,
        ] {
            assert_eq!(check(provider_type, "", RecordType::A, None), "ok");
        }
    }

    #[test]
    fn local() {
        // RP-01 runs with supportRoutingPolicy: true
        let weighted = set(RecordType::A, WEIGHT_50);
        let local = ProviderType::Local;
        assert!(check_policy(local, &owner("set1"), &weighted, true).is_ok());
        let text = "in-memory provider does not support routing policies";
        assert_eq!(check(local, "set1", RecordType::A, WEIGHT_50), text);
        assert_eq!(check(local, "set1", RecordType::A, None), text);
        assert_eq!(check(local, "", RecordType::A, WEIGHT_50), text);
    }

    #[test]
    fn google() {
        let g = |id: &str, policy| check(ProviderType::GoogleCloudDns, id, RecordType::A, policy);
        assert_eq!(g("", WEIGHT_50), "missing set identifier");
        assert_eq!(g("0", None), "missing routing policy");
        assert_eq!(g("0", WEIGHT_50), "ok");
        assert_eq!(g("4", WEIGHT_50), "ok");
        for bad in ["5", "-1", "set1", "0x1"] {
            assert_eq!(
                g(bad, WEIGHT_50),
                format!(
                    "for google-clouddns with weighted routing policy, the setIdentifier must be an number >= 0 and < 5, but got: {bad}"
                )
            );
        }
        assert_eq!(
            g("1", Some(("weighted", &[("weight", "0x10")]))),
            "invalid value for spec.routingPolicy.parameters.weight: 0x10 (only non-negative integers are allowed)"
        );
        assert_eq!(
            g("1", Some(("weighted", &[("weight", "-3")]))),
            "invalid value for spec.routingPolicy.parameters.weight: -3 (only non-negative integers are allowed)"
        );
        assert_eq!(
            g(
                "1",
                Some(("weighted", &[("weight", "3"), ("healthCheckID", "h")]))
            ),
            "unsupported parameter key healthCheckID"
        );
        assert_eq!(
            g("1", Some(("weighted", &[]))),
            "missing parameter key weight"
        );
        assert_eq!(
            g(
                "europe-west1",
                Some(("geolocation", &[("location", "europe-west1")]))
            ),
            "ok"
        );
        assert_eq!(
            g("eu", Some(("geolocation", &[("location", "europe-west1")]))),
            "for google-clouddns with geolocation routing policy, the setIdentifier must be identical to the location, but: eu != europe-west1"
        );
        assert_eq!(
            g("eu", Some(("geolocation", &[]))),
            "for google-clouddns with geolocation routing policy, the setIdentifier must be identical to the location, but: eu != "
        );
        assert_eq!(
            g("1", Some(("latency", &[("region", "x")]))),
            "unsupported routing policy: latency"
        );
    }

    #[test]
    fn alicloud() {
        let a = |id: &str, t, policy| check(ProviderType::AlicloudDns, id, t, policy);
        assert_eq!(a("", RecordType::A, WEIGHT_50), "missing set identifier");
        assert_eq!(a("s", RecordType::A, None), "missing routing policy");
        assert_eq!(
            a("s", RecordType::A, Some(("latency", &[]))),
            "unsupported routing policy"
        );
        for ok in [RecordType::A, RecordType::AAAA, RecordType::CNAME] {
            assert_eq!(a("s", ok, WEIGHT_50), "ok");
        }
        assert_eq!(
            a("s", RecordType::TXT, WEIGHT_50),
            "weighted routing policy only supported for A, AAAA, and CNAME records"
        );
    }

    #[test]
    fn cloudflare() {
        let c = |id: &str, policy| check(ProviderType::CloudflareDns, id, RecordType::A, policy);
        let proxied = Some(("proxied", &[][..]));
        assert_eq!(c("proxied", proxied), "ok");
        assert_eq!(c("", proxied), "missing set identifier");
        assert_eq!(c("proxied", None), "missing routing policy");
        assert_eq!(
            c("proxied", WEIGHT_50),
            "unsupported routing policy: weighted (supported is proxied)"
        );
        assert_eq!(
            c("set1", proxied),
            "unsupported set identifier: set1 (supported is proxied)"
        );
    }

    #[test]
    fn providers_without_routing_policies() {
        for (provider_type, text) in [
            (
                ProviderType::Rfc2136,
                "routing policies not supported for rfc2136",
            ),
            (
                ProviderType::PowerDns,
                "PowerDNS provider does not support routing policies",
            ),
            (ProviderType::NetlifyDns, "routing policy not supported"),
            (ProviderType::InfobloxDns, "routing policy not supported"),
            (
                ProviderType::AzureDns,
                "routing policies are not supported by the Azure DNS provider",
            ),
            (
                ProviderType::AzurePrivateDns,
                "routing policies are not supported by the Azure Private DNS provider",
            ),
            (
                ProviderType::OpenstackDesignate,
                "OpenStack provider does not support routing policies",
            ),
        ] {
            assert_eq!(check(provider_type, "set1", RecordType::A, None), text);
            assert_eq!(check(provider_type, "", RecordType::A, WEIGHT_50), text);
        }
    }
}
