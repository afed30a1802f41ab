//! The shoot mutator (docs/extension.md §3.1): while "sync from shoot spec" is in effect,
//! the extension's DNSConfig `providers` are rewritten from `spec.dns.providers`, and
//! `spec.resources` gets one named resource `shoot-dns-service-<name>` per credential.
//!
//! The mutator works on the Shoot as JSON, so every field it does not own is kept as written.
//!
//! ```
//! use serde_json::json;
//! use shoot_dns::extension::mutate::mutate_shoot;
//!
//! let shoot = json!({
//!     "apiVersion": "core.gardener.cloud/v1beta1",
//!     "kind": "Shoot",
//!     "metadata": {"name": "bar", "namespace": "garden-foo"},
//!     "spec": {"dns": {
//!         "domain": "bar.foo.example.com",
//!         "providers": [{"type": "aws-route53", "primary": true, "secretName": "route53"}],
//!     }},
//! });
//! let mutated = mutate_shoot(&shoot)?.expect("the providers are synced");
//! assert_eq!(mutated["spec"]["extensions"][0]["providerConfig"], json!({
//!     "apiVersion": "service.dns.extensions.gardener.cloud/v1alpha1",
//!     "kind": "DNSConfig",
//!     "syncProvidersFromShootSpecDNS": true,
//!     "providers": [{
//!         "type": "aws-route53",
//!         "secretName": "shoot-dns-service-route53",
//!         "domains": {"include": ["bar.foo.example.com"]},
//!     }],
//! }));
//! assert_eq!(mutated["spec"]["resources"], json!([{
//!     "name": "shoot-dns-service-route53",
//!     "resourceRef": {"apiVersion": "v1", "kind": "Secret", "name": "route53"},
//! }]));
//! // A mutated shoot is left alone.
//! assert_eq!(mutate_shoot(&mutated)?, None);
//! # Ok::<(), shoot_dns::extension::mutate::MutateError>(())
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::config::{DnsConfig, DnsConfigProvider, SelectionLists};
use super::decode::{DecodeError, decode_config, error_field, json_kind, without_nulls};
use super::shoot::{ShootDns, ShootDnsProvider};
use super::{CONFIG_API_VERSION, EXTENSION_TYPE};
use crate::quote::go_quote;

/// The prefix of the named resources the mutator maintains in `spec.resources`.
pub const NAMED_RESOURCE_PREFIX: &str = "shoot-dns-service-";

/// The kind of [`DnsConfig`].
const CONFIG_KIND: &str = "DNSConfig";

/// The API version of a WorkloadIdentity reference.
const WORKLOAD_IDENTITY_API_VERSION: &str = "security.gardener.cloud/v1alpha1";

/// Why the mutator refuses a Shoot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MutateError {
    /// The extension's provider config cannot be decoded.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A `spec.dns.providers[].credentialsRef` is neither a `v1` Secret nor a
    /// `security.gardener.cloud/v1alpha1` WorkloadIdentity.
    #[error(
        "unsupported credentialsRef kind {} and apiVersion {}",
        go_quote(.kind),
        go_quote(.api_version)
    )]
    UnsupportedCredentialsRef {
        /// The reference's kind.
        kind: String,
        /// The reference's API version.
        api_version: String,
    },
    /// A field the mutator reads does not have the shape of a Shoot's.
    #[error("invalid shoot: field {field}: {reason}")]
    InvalidShoot {
        /// The field, e.g. `spec.dns`.
        field: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Mutates a Shoot (`core.gardener.cloud/v1beta1`, as JSON): `Ok(None)` when nothing changes,
/// otherwise the whole Shoot with the DNSConfig and `spec.resources` synced from
/// `spec.dns.providers`.
///
/// Nothing changes when the shoot has no `spec.dns`, is being deleted, has a last operation
/// that is neither of type `Reconcile` nor in state `Processing`, has its `shoot-dns-service`
/// entry disabled, or when syncing is off: `syncProvidersFromShootSpecDNS: false`, or not set
/// while the DNSConfig lists `providers`.
pub fn mutate_shoot(shoot: &Value) -> Result<Option<Value>, MutateError> {
    let Some(dns) = shoot.pointer("/spec/dns").filter(|dns| !dns.is_null()) else {
        return Ok(None);
    };
    if shoot
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|timestamp| !timestamp.is_null())
    {
        return Ok(None);
    }
    if let Some(operation) = shoot
        .pointer("/status/lastOperation")
        .filter(|operation| !operation.is_null())
    {
        let text = |key: &str| operation.get(key).and_then(Value::as_str).unwrap_or("");
        if text("type") != "Reconcile" && text("state") != "Processing" {
            return Ok(None);
        }
    }

    let mut extensions = spec_list(shoot, "extensions")?;
    let entry = extensions.iter().position(|extension| {
        extension.get("type").and_then(Value::as_str) == Some(EXTENSION_TYPE)
    });
    let entry_field = |key: &str| entry.and_then(|i| extensions[i].get(key));
    if entry_field("disabled").and_then(Value::as_bool) == Some(true) {
        return Ok(None);
    }
    let config = match entry_field("providerConfig").filter(|raw| !raw.is_null()) {
        Some(raw) => Some(decode_config(raw)?),
        None => None,
    };
    let sync = match &config {
        Some(DnsConfig {
            sync_providers_from_shoot_spec_dns: Some(sync),
            ..
        }) => *sync,
        Some(config) => config.providers.is_none(),
        None => true,
    };
    if !sync {
        return Ok(None);
    }

    let dns: ShootDns = serde_path_to_error::deserialize(without_nulls(dns)).map_err(|e| {
        let reason = e.inner().to_string();
        let field = error_field(e.path(), &reason);
        MutateError::InvalidShoot {
            field: if field.is_empty() {
                "spec.dns".to_owned()
            } else {
                format!("spec.dns.{field}")
            },
            reason,
        }
    })?;
    let mut config = config.unwrap_or_default();
    config.api_version = Some(CONFIG_API_VERSION.to_owned());
    config.kind = Some(CONFIG_KIND.to_owned());
    config.sync_providers_from_shoot_spec_dns = Some(true);

    let old_resources = spec_list(shoot, "resources")?;
    // A name listed twice is found at its last position.
    let old_positions: BTreeMap<&str, usize> = old_resources
        .iter()
        .enumerate()
        .map(|(i, resource)| (resource_name(resource), i))
        .collect();
    let mut resources = old_resources.clone();
    let mut produced = BTreeSet::new();
    let mut providers = Vec::new();
    for shoot_provider in &dns.providers {
        let (provider, resource) = synced_provider(shoot_provider, dns.domain.as_deref())?;
        if let Some((name, reference)) = resource {
            match old_positions.get(name.as_str()) {
                Some(&i) => {
                    if let Some(existing) = resources[i].as_object_mut() {
                        existing.insert("resourceRef".to_owned(), reference);
                    }
                }
                None => resources.push(json!({"name": name, "resourceRef": reference})),
            }
            produced.insert(name);
        }
        providers.push(provider);
    }
    config.providers = (!providers.is_empty()).then_some(providers);
    let outdated: BTreeSet<&str> = old_positions
        .keys()
        .copied()
        .filter(|name| name.starts_with(NAMED_RESOURCE_PREFIX) && !produced.contains(*name))
        .collect();
    resources.retain(|resource| !outdated.contains(resource_name(resource)));

    let encoded = serde_json::to_value(&config).expect("a DNSConfig always serialises to JSON");
    match entry.and_then(|i| extensions[i].as_object_mut()) {
        Some(extension) => {
            extension.insert("providerConfig".to_owned(), encoded);
        }
        None => extensions.push(json!({"type": EXTENSION_TYPE, "providerConfig": encoded})),
    }

    let mut mutated = shoot.clone();
    let Some(spec) = mutated.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(None);
    };
    spec.insert("extensions".to_owned(), Value::Array(extensions));
    if resources != old_resources {
        if resources.is_empty() {
            spec.remove("resources");
        } else {
            spec.insert("resources".to_owned(), Value::Array(resources));
        }
    }
    Ok((mutated != *shoot).then_some(mutated))
}

/// The DNSConfig provider for one of `spec.dns.providers`, and the named resource
/// (name, `resourceRef`) its credentials need.
fn synced_provider(
    shoot_provider: &ShootDnsProvider,
    shoot_domain: Option<&str>,
) -> Result<(DnsConfigProvider, Option<(String, Value)>), MutateError> {
    let mut provider = DnsConfigProvider {
        provider_type: shoot_provider.provider_type.clone(),
        domains: shoot_provider.domains.clone(),
        zones: shoot_provider.zones.clone(),
        ..DnsConfigProvider::default()
    };
    if shoot_provider.primary == Some(true)
        && shoot_provider.domains.is_none()
        && shoot_provider.zones.is_none()
        && let Some(domain) = shoot_domain
    {
        provider.domains = Some(SelectionLists {
            include: Some(vec![domain.to_owned()]),
            exclude: None,
        });
    }
    let resource = if let Some(reference) = &shoot_provider.credentials_ref {
        match (reference.kind.as_str(), reference.api_version.as_str()) {
            ("Secret", "v1") | ("WorkloadIdentity", WORKLOAD_IDENTITY_API_VERSION) => {}
            _ => {
                return Err(MutateError::UnsupportedCredentialsRef {
                    kind: reference.kind.clone(),
                    api_version: reference.api_version.clone(),
                });
            }
        }
        let name = format!("{NAMED_RESOURCE_PREFIX}{}", reference.name);
        provider.credentials = Some(name.clone());
        let reference = json!({
            "apiVersion": reference.api_version,
            "kind": reference.kind,
            "name": reference.name,
        });
        Some((name, reference))
    } else if let Some(secret_name) = &shoot_provider.secret_name {
        let name = format!("{NAMED_RESOURCE_PREFIX}{secret_name}");
        provider.secret_name = Some(name.clone());
        let reference = json!({"apiVersion": "v1", "kind": "Secret", "name": secret_name});
        Some((name, reference))
    } else {
        None
    };
    Ok((provider, resource))
}

/// The items of `spec.<key>` (none when absent or `null`).
fn spec_list(shoot: &Value, key: &str) -> Result<Vec<Value>, MutateError> {
    match shoot.get("spec").and_then(|spec| spec.get(key)) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items.clone()),
        Some(other) => Err(MutateError::InvalidShoot {
            field: format!("spec.{key}"),
            reason: format!("expected a list, found {}", json_kind(other)),
        }),
    }
}

/// The `name` of a `spec.resources` item (`""` when it has none).
fn resource_name(resource: &Value) -> &str {
    resource.get("name").and_then(Value::as_str).unwrap_or("")
}
