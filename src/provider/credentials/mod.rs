//! Gardener's check of a DNSProvider's credentials (its Secret's properties) and its
//! `providerConfig`, per provider type, before any account is created
//! (docs/entries-and-providers.md §6 and §7 step 8; docs/extension.md §2.2 step 3).
//!
//! Every type has a table of known properties: required or optional, aliases
//! (`AWS_ACCESS_KEY_ID` or `accessKeyID`), whether an empty value is fine, whether the value is
//! secret, and the rules the value must follow. Missing, empty, unknown and conflicting keys
//! and incomplete credential sets are collected into one error; the first value that breaks a
//! rule is reported alone. Keys are visited in sorted order, so the collected problems come in
//! a stable order (Gardener's order of unknown keys is random).
//!
//! ```
//! use std::collections::BTreeMap;
//! use shoot_dns::provider::validate_credentials;
//!
//! let mut secret = BTreeMap::new();
//! secret.insert("AWS_ACCESS_KEY_ID".to_owned(), "AKIAIOSFODNN7EXAMPLE".to_owned());
//! let error = validate_credentials("aws-route53", &secret, None).unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     "validation failed for provider type aws-route53: at least one of the disjunct property sets \
//!      must be fully provided: [AWS_ACCESS_KEY_ID (aliases [accessKeyID]), AWS_SECRET_ACCESS_KEY \
//!      (aliases [secretAccessKey])] or [AWS_USE_CREDENTIALS_CHAIN] or [token, config, \
//!      workloadidentity.security.gardener.cloud/provider]"
//! );
//! secret.insert("AWS_SECRET_ACCESS_KEY".to_owned(), "wJalrXUtnFEMI".to_owned());
//! assert!(validate_credentials("aws-route53", &secret, None).is_ok());
//! ```

mod checks;
mod clouds;
mod dns_services;
mod google;
mod infoblox;
mod pem;
mod rules;

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::provider_type::ProviderType;
use crate::go_json::{field_type_error, kind, member, value_type_error};
use crate::quote::go_quote;

/// Why a provider's credentials or `providerConfig` are rejected. The text is Gardener's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The provider type has no credential check.
    #[error(
        "no DNSHandlerAdapter found for provider type {}",
        go_quote(provider_type)
    )]
    NoAdapter {
        /// The provider type.
        provider_type: String,
    },
    /// Keys are missing, empty, unknown or conflicting, or no credential set is complete.
    #[error(
        "validation failed for provider type {provider_type}: {}",
        join_lines(problems)
    )]
    Properties {
        /// The provider type.
        provider_type: String,
        /// Each problem, in the order found.
        problems: Vec<PropertyProblem>,
    },
    /// A property's value breaks a rule.
    #[error(
        "validation failed for property {property}{}: {reason}",
        shown_value(value)
    )]
    InvalidProperty {
        /// The property, as `key` or `alias (alias for KEY)`.
        property: String,
        /// The value, unless it is secret.
        value: Option<String>,
        /// The rule's message.
        reason: String,
    },
    /// A secret property's value breaks a rule. The message is masked: wherever the value
    /// occurs in it, it reads `(hidden)`.
    #[error("{masked_message}")]
    InvalidHiddenProperty {
        /// The property, as `key` or `alias (alias for KEY)`.
        property: String,
        /// The whole message, masked.
        masked_message: String,
    },
    /// The type takes no `providerConfig`.
    #[error("provider config not supported for {provider_type} provider")]
    ProviderConfigNotSupported {
        /// The provider type.
        provider_type: String,
    },
    /// The `providerConfig` does not decode into the type's configuration.
    #[error(
        "unmarshal {}providerConfig failed with: {reason}",
        config_prefix(provider_type)
    )]
    UnreadableProviderConfig {
        /// The provider type.
        provider_type: String,
        /// The decoder's message.
        reason: String,
    },
    /// An `aws-route53` `providerConfig` has a `batchSize` outside 1..=50 (0 when omitted).
    #[error("invalid batch size {batch_size}, must be between 1 and 50")]
    InvalidBatchSize {
        /// The batch size given.
        batch_size: i64,
    },
    /// A `local` provider's Secret has the key `bad_key` (used to test failing validation).
    #[error("'bad_key' is not allowed in local provider properties: {value}")]
    LocalBadKey {
        /// Its value, which Gardener prints.
        value: String,
    },
}

fn join_lines(problems: &[PropertyProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn shown_value(value: &Option<String>) -> String {
    value
        .as_deref()
        .map(|v| format!(" with value {}", go_quote(v)))
        .unwrap_or_default()
}

fn config_prefix(provider_type: &str) -> &'static str {
    if provider_type == ProviderType::InfobloxDns.as_str() {
        "infoblox "
    } else {
        ""
    }
}

/// One problem with a Secret's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PropertyProblem {
    /// A required property is absent.
    Missing {
        /// Its name.
        property: String,
    },
    /// A property is present but empty.
    Empty {
        /// Its name, as `key` or `alias (alias for KEY)`.
        property: String,
        /// Whether it is required.
        required: bool,
    },
    /// The key is not a known property.
    NotAllowed {
        /// The key.
        key: String,
    },
    /// The key is an alias of a property that is also given under another key, with another
    /// value.
    Conflicting {
        /// The key.
        key: String,
        /// The property with its aliases, as `KEY (aliases [a,b])`.
        property: String,
    },
    /// Not exactly one of the alternative credential sets is complete, or another is partly
    /// given.
    NoCompleteSet {
        /// The sets, each property with its aliases.
        sets: Vec<Vec<String>>,
    },
}

impl fmt::Display for PropertyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { property } => {
                write!(
                    f,
                    "property {} is required but not provided",
                    go_quote(property)
                )
            }
            Self::Empty {
                property,
                required: true,
            } => write!(f, "property {} is required but empty", go_quote(property)),
            Self::Empty { property, .. } => write!(
                f,
                "property {} is empty (please set non-empty value or drop the property)",
                go_quote(property)
            ),
            Self::NotAllowed { key } => write!(f, "property {} is not allowed", go_quote(key)),
            Self::Conflicting { key, property } => write!(
                f,
                "property {} is defined multiple times by an alias of {property}",
                go_quote(key)
            ),
            Self::NoCompleteSet { sets } => {
                let sets: Vec<String> = sets
                    .iter()
                    .map(|set| format!("[{}]", set.join(", ")))
                    .collect();
                write!(
                    f,
                    "at least one of the disjunct property sets must be fully provided: {}",
                    sets.join(" or ")
                )
            }
        }
    }
}

/// The property keys of a workload-identity Secret.
mod workload_identity_keys {
    /// The token.
    pub const TOKEN: &str = "token";
    /// The configuration.
    pub const CONFIG: &str = "config";
    /// The provider, injected from the Secret's label.
    pub const PROVIDER: &str = "workloadidentity.security.gardener.cloud/provider";
}

/// Checks a provider's credentials (`properties`, the Secret's decoded data) and its
/// `providerConfig` as Gardener does for `provider_type`.
///
/// Types: every [`ProviderType`] (`alicloud-dns`, `aws-route53`, `azure-dns`,
/// `azure-private-dns`, `cloudflare-dns`, `google-clouddns`, `infoblox-dns`, `local`,
/// `netlify-dns`, `openstack-designate`, `powerdns`, `rfc2136`) and the two handlers that are
/// none, `gdch-dns` and `remote`; any other type gives [`CredentialsError::NoAdapter`]. A
/// `providerConfig` of `null` counts as absent. Only `aws-route53` (then only its `batchSize`
/// is checked, not the Secret), `infoblox-dns` (whose settings fill in missing properties) and
/// `local` (which ignores it) take one.
pub fn validate_credentials(
    provider_type: &str,
    properties: &BTreeMap<String, String>,
    provider_config: Option<&Value>,
) -> Result<(), CredentialsError> {
    match provider_type.parse::<ProviderType>() {
        Ok(known) => validate_type_credentials(known, properties, provider_config),
        Err(_) => {
            let checks = google::other_checks(provider_type)
                .or_else(|| dns_services::other_checks(provider_type));
            check_table(provider_type, checks, properties, provider_config)
        }
    }
}

/// [`validate_credentials`] for a type already parsed.
pub(super) fn validate_type_credentials(
    provider_type: ProviderType,
    properties: &BTreeMap<String, String>,
    provider_config: Option<&Value>,
) -> Result<(), CredentialsError> {
    let config = provider_config.filter(|c| !c.is_null());
    match provider_type {
        ProviderType::Local => match properties.get("bad_key") {
            Some(value) => Err(CredentialsError::LocalBadKey {
                value: value.clone(),
            }),
            None => Ok(()),
        },
        ProviderType::AwsRoute53 => match config {
            Some(config) => aws_batch_size(config),
            None => clouds::AWS.validate(provider_type.as_str(), properties),
        },
        ProviderType::InfobloxDns => {
            let mut properties = properties.clone();
            if let Some(config) = config {
                infoblox::merge_config(config, &mut properties)?;
            }
            infoblox::INFOBLOX.validate(provider_type.as_str(), &properties)
        }
        _ => {
            let checks = clouds::checks(provider_type)
                .or_else(|| google::checks(provider_type))
                .or_else(|| dns_services::checks(provider_type));
            check_table(provider_type.as_str(), checks, properties, config)
        }
    }
}

/// A type checked by its table alone (`None`: the type has none) and that takes no
/// `providerConfig` (one of `null` counts as absent).
fn check_table(
    provider_type: &str,
    checks: Option<&checks::Checks>,
    properties: &BTreeMap<String, String>,
    provider_config: Option<&Value>,
) -> Result<(), CredentialsError> {
    let Some(checks) = checks else {
        return Err(CredentialsError::NoAdapter {
            provider_type: provider_type.to_owned(),
        });
    };
    if provider_config.is_some_and(|c| !c.is_null()) {
        return Err(CredentialsError::ProviderConfigNotSupported {
            provider_type: provider_type.to_owned(),
        });
    }
    checks.validate(provider_type, properties)
}

/// An `aws-route53` `providerConfig`: `batchSize` must be 1..=50 (an omitted one is 0).
fn aws_batch_size(config: &Value) -> Result<(), CredentialsError> {
    let unreadable = |reason| CredentialsError::UnreadableProviderConfig {
        provider_type: ProviderType::AwsRoute53.as_str().to_owned(),
        reason,
    };
    let Value::Object(object) = config else {
        return Err(unreadable(value_type_error(kind(config), "aws.AWSConfig")));
    };
    let type_error =
        |what: &str| unreadable(field_type_error(what, "AWSConfig", "batchSize", "int"));
    let batch_size = match member(object, "batchSize") {
        None | Some(Value::Null) => 0,
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| type_error(&format!("number {n}")))?,
        Some(other) => return Err(type_error(kind(other))),
    };
    if (1..=50).contains(&batch_size) {
        Ok(())
    } else {
        Err(CredentialsError::InvalidBatchSize { batch_size })
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::json;

    /// A property map from pairs.
    pub(in crate::provider::credentials) fn props(
        pairs: &[(&str, &str)],
    ) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// The message for `pairs` checked as `provider_type`, or `"ok"`.
    pub(in crate::provider::credentials) fn outcome(
        provider_type: &str,
        pairs: &[(&str, &str)],
    ) -> String {
        match validate_credentials(provider_type, &props(pairs), None) {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn unknown_types_have_no_adapter() {
        for t in ["mock-inmemory", "unmanaged", ""] {
            let error = validate_credentials(t, &props(&[]), None).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("no DNSHandlerAdapter found for provider type \"{t}\"")
            );
            assert!(matches!(error, CredentialsError::NoAdapter { .. }));
        }
    }

    #[test]
    fn local_rejects_only_bad_key() {
        assert_eq!(outcome("local", &[]), "ok");
        assert_eq!(outcome("local", &[("anything", "")]), "ok");
        assert_eq!(
            outcome("local", &[("bad_key", "x")]),
            "'bad_key' is not allowed in local provider properties: x"
        );
        let config = json!({"zones": [{"dnsName": "a.b"}]});
        assert_eq!(
            validate_credentials("local", &props(&[]), Some(&config)),
            Ok(())
        );
    }

    #[test]
    fn provider_config_is_refused_by_most_types() {
        let config = json!({});
        for t in [
            "alicloud-dns",
            "azure-dns",
            "azure-private-dns",
            "cloudflare-dns",
            "gdch-dns",
            "google-clouddns",
            "netlify-dns",
            "openstack-designate",
            "powerdns",
            "remote",
            "rfc2136",
        ] {
            let error = validate_credentials(t, &props(&[]), Some(&config)).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("provider config not supported for {t} provider")
            );
        }
        let null = Value::Null;
        assert!(matches!(
            validate_credentials("rfc2136", &props(&[]), Some(&null)),
            Err(CredentialsError::Properties { .. })
        ));
    }

    #[test]
    fn aws_provider_config_checks_only_the_batch_size() {
        let check = |config: Value| match validate_credentials(
            "aws-route53",
            &props(&[("bad", "")]),
            Some(&config),
        ) {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.to_string(),
        };
        for good in [
            json!({"batchSize": 25}),
            json!({"batchSize": 1}),
            json!({"BatchSize": 50, "other": true}),
        ] {
            assert_eq!(check(good), "ok");
        }
        assert_eq!(
            check(json!({"batchSize": 0})),
            "invalid batch size 0, must be between 1 and 50"
        );
        assert_eq!(
            check(json!({})),
            "invalid batch size 0, must be between 1 and 50"
        );
        assert_eq!(
            check(json!({"batchSize": null})),
            "invalid batch size 0, must be between 1 and 50"
        );
        assert_eq!(
            check(json!({"batchSize": 51})),
            "invalid batch size 51, must be between 1 and 50"
        );
        assert_eq!(
            check(json!({"batchSize": -3})),
            "invalid batch size -3, must be between 1 and 50"
        );
        assert_eq!(
            check(json!({"batchSize": "10"})),
            "unmarshal providerConfig failed with: json: cannot unmarshal string into Go struct field AWSConfig.batchSize of type int"
        );
        assert_eq!(
            check(json!({"batchSize": 1.5})),
            "unmarshal providerConfig failed with: json: cannot unmarshal number 1.5 into Go struct field AWSConfig.batchSize of type int"
        );
        assert_eq!(
            check(json!("invalid json")),
            "unmarshal providerConfig failed with: json: cannot unmarshal string into Go value of type aws.AWSConfig"
        );
    }

    #[test]
    fn problems_are_joined_by_newlines() {
        let error = CredentialsError::Properties {
            provider_type: "t".into(),
            problems: vec![
                PropertyProblem::Missing {
                    property: "a".into(),
                },
                PropertyProblem::NotAllowed { key: "b".into() },
            ],
        };
        assert_eq!(
            error.to_string(),
            "validation failed for provider type t: property \"a\" is required but not provided\nproperty \"b\" is not allowed"
        );
    }
}
