//! Decoding the extension's provider config into a [`DnsConfig`] (docs/extension.md §2.1).
//!
//! Admission decodes leniently: unknown fields are ignored and `apiVersion`/`kind` may be
//! omitted. The extension controller decodes strictly: an unknown field (or, for text input, a
//! repeated one) is an error.
//!
//! ```
//! use serde_json::json;
//! use shoot_dns::extension::decode::{decode_config, decode_config_strict};
//!
//! let raw = json!({"syncProvidersFromShootSpecDNS": true, "somethingElse": 1});
//! let config = decode_config(&raw)?;
//! assert_eq!(config.sync_providers_from_shoot_spec_dns, Some(true));
//!
//! let err = decode_config_strict(Some(&raw)).unwrap_err();
//! assert!(err.to_string().starts_with("failed to decode provider config: "));
//! assert_eq!(decode_config_strict(None)?, Default::default());
//! # Ok::<(), shoot_dns::extension::decode::DecodeError>(())
//! ```

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::EXTENSION_TYPE;
use super::config::{DnsConfig, DnsConfigProvider, DnsProviderReplication, SelectionLists};
use super::shoot::{Shoot, ShootExtension};

/// A provider config that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Lenient (admission) decoding failed.
    #[error("failed to decode shoot-dns-service provider config: {reason}")]
    Lenient {
        /// Why, e.g. `field providers[0].type: invalid type: integer `1`, expected a string`.
        reason: String,
    },
    /// Strict (extension controller) decoding failed.
    #[error("failed to decode provider config: {reason}")]
    Strict {
        /// Why, e.g. ``unknown field `foo`, expected one of ...``.
        reason: String,
    },
}

/// The first `spec.extensions` entry of type `shoot-dns-service`, if any.
pub fn find_extension(shoot: &Shoot) -> Option<&ShootExtension> {
    shoot
        .spec
        .extensions
        .iter()
        .find(|extension| extension.extension_type == EXTENSION_TYPE)
}

/// Whether the shoot's `shoot-dns-service` entry says `disabled: true`.
pub fn is_disabled(shoot: &Shoot) -> bool {
    find_extension(shoot).is_some_and(|extension| extension.disabled == Some(true))
}

/// The shoot's DNSConfig as admission reads it: `None` when there is no `shoot-dns-service`
/// entry or it has no provider config (absent or `null`); otherwise the lenient decoding.
pub fn shoot_dns_config(shoot: &Shoot) -> Result<Option<DnsConfig>, DecodeError> {
    match find_extension(shoot).and_then(|extension| extension.provider_config.as_ref()) {
        None | Some(Value::Null) => Ok(None),
        Some(raw) => decode_config(raw).map(Some),
    }
}

/// Decodes a provider config leniently (admission): unknown fields are ignored, `apiVersion`
/// and `kind` may be omitted. Anything but a JSON object is an error.
pub fn decode_config(raw: &Value) -> Result<DnsConfig, DecodeError> {
    typed::<DnsConfig>(raw).map_err(|reason| DecodeError::Lenient { reason })
}

/// Decodes a provider config strictly (extension controller): unknown fields are errors; a
/// missing (or `null`) provider config is an empty DNSConfig.
///
/// A [`Value`] cannot hold a repeated field; [`decode_config_strict_json`] rejects those in
/// JSON text.
pub fn decode_config_strict(raw: Option<&Value>) -> Result<DnsConfig, DecodeError> {
    match raw {
        None | Some(Value::Null) => Ok(DnsConfig::default()),
        Some(raw) => typed::<StrictDnsConfig>(raw)
            .map(DnsConfig::from)
            .map_err(|reason| DecodeError::Strict { reason }),
    }
}

/// Decodes a provider config given as JSON text strictly: unknown and repeated fields are
/// errors; empty text or `null` is an empty DNSConfig.
///
/// ```
/// use shoot_dns::extension::decode::decode_config_strict_json;
///
/// let err = decode_config_strict_json(r#"{"providers": [], "providers": []}"#).unwrap_err();
/// assert!(err.to_string().contains("duplicate field `providers`"));
/// ```
pub fn decode_config_strict_json(text: &str) -> Result<DnsConfig, DecodeError> {
    let strict = |reason: String| DecodeError::Strict { reason };
    if text.trim().is_empty() {
        return Ok(DnsConfig::default());
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let config: Option<StrictDnsConfig> = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| strict(describe(e.path(), e.inner())))?;
    deserializer.end().map_err(|e| strict(e.to_string()))?;
    Ok(config.map(DnsConfig::from).unwrap_or_default())
}

/// Deserialises `raw` into `T`, naming the field that failed.
fn typed<T: DeserializeOwned>(raw: &Value) -> Result<T, String> {
    if !raw.is_object() {
        return Err(format!(
            "expected a DNSConfig object, found {}",
            json_kind(raw)
        ));
    }
    serde_path_to_error::deserialize(without_nulls(raw)).map_err(|e| describe(e.path(), e.inner()))
}

/// `value` without object members that are `null`: Kubernetes decoding treats a `null` field
/// like an absent one.
pub(crate) fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, member)| !member.is_null())
                .map(|(key, member)| (key.clone(), without_nulls(member)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

fn describe(path: &serde_path_to_error::Path, inner: &impl std::fmt::Display) -> String {
    let message = inner.to_string();
    let field = error_field(path, &message);
    if field.is_empty() {
        message
    } else {
        format!("field {field}: {message}")
    }
}

/// The field a deserialisation error is about, e.g. `providers[0].type` (empty: the whole
/// value).
pub(crate) fn error_field(path: &serde_path_to_error::Path, message: &str) -> String {
    use serde_path_to_error::Segment;

    let mut segments: Vec<&Segment> = path.iter().collect();
    // An unknown field's path ends in the field itself, which the message names already.
    if message.starts_with("unknown field") {
        segments.pop();
    }
    let mut field = String::new();
    for segment in segments {
        let key = match segment {
            Segment::Seq { index } => {
                field.push_str(&format!("[{index}]"));
                continue;
            }
            Segment::Map { key } | Segment::Enum { variant: key } => key.as_str(),
            Segment::Unknown => "?",
        };
        if !field.is_empty() {
            field.push('.');
        }
        field.push_str(key);
    }
    field
}

/// How a JSON value's kind is named in messages.
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// [`DnsConfig`] with unknown fields rejected.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StrictDnsConfig {
    #[serde(default)]
    api_version: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    dns_provider_replication: Option<StrictReplication>,
    #[serde(default)]
    providers: Option<Vec<StrictProvider>>,
    #[serde(rename = "syncProvidersFromShootSpecDNS", default)]
    sync_providers_from_shoot_spec_dns: Option<bool>,
    #[serde(default)]
    use_next_generation_controller: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictReplication {
    #[serde(default)]
    enabled: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StrictProvider {
    #[serde(rename = "type", default)]
    provider_type: Option<String>,
    #[serde(default)]
    secret_name: Option<String>,
    #[serde(default)]
    credentials: Option<String>,
    #[serde(default)]
    domains: Option<StrictSelection>,
    #[serde(default)]
    zones: Option<StrictSelection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StrictSelection {
    #[serde(default)]
    include: Option<Vec<String>>,
    #[serde(default)]
    exclude: Option<Vec<String>>,
}

impl From<StrictDnsConfig> for DnsConfig {
    fn from(strict: StrictDnsConfig) -> Self {
        Self {
            api_version: strict.api_version,
            kind: strict.kind,
            dns_provider_replication: strict
                .dns_provider_replication
                .map(|r| DnsProviderReplication { enabled: r.enabled }),
            providers: strict
                .providers
                .map(|providers| providers.into_iter().map(DnsConfigProvider::from).collect()),
            sync_providers_from_shoot_spec_dns: strict.sync_providers_from_shoot_spec_dns,
            use_next_generation_controller: strict.use_next_generation_controller,
        }
    }
}

impl From<StrictProvider> for DnsConfigProvider {
    fn from(strict: StrictProvider) -> Self {
        Self {
            provider_type: strict.provider_type,
            secret_name: strict.secret_name,
            credentials: strict.credentials,
            domains: strict.domains.map(SelectionLists::from),
            zones: strict.zones.map(SelectionLists::from),
        }
    }
}

impl From<StrictSelection> for SelectionLists {
    fn from(strict: StrictSelection) -> Self {
        Self {
            include: strict.include,
            exclude: strict.exclude,
        }
    }
}
