//! The `WorkloadIdentityConfig`s of AWS, Azure and GCP: how Gardener decodes them (YAML into a
//! Go struct: keys matched ignoring case, scalars read as text) and what it requires of them.

use std::sync::LazyLock;

use base64::Engine as _;
use regex::Regex;
use serde_json::{Map, Value};

use super::WorkloadIdentityOptions;
use crate::extension::field::FieldError;
use crate::go_json::{field_type_error, kind, member, value_type_error};
use crate::quote::go_quote;

/// The cloud a WorkloadIdentity's target system is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cloud {
    Aws,
    Azure,
    Gcp,
}

impl Cloud {
    /// `spec.targetSystem.type`.
    pub(super) fn target_type(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::Azure => "azure",
            Self::Gcp => "gcp",
        }
    }

    /// The name in admission messages.
    pub(super) fn infrastructure_name(self) -> &'static str {
        match self {
            Self::Aws => "AWS",
            Self::Azure => "Azure",
            Self::Gcp => "Google",
        }
    }

    fn api_version(self) -> &'static str {
        match self {
            Self::Aws => "aws.provider.extensions.gardener.cloud/v1alpha1",
            Self::Azure => "azure.provider.extensions.gardener.cloud/v1alpha1",
            Self::Gcp => "gcp.provider.extensions.gardener.cloud/v1alpha1",
        }
    }

    /// The Go type the configuration decodes into.
    fn go_type(self) -> &'static str {
        match self {
            Self::Aws => "aws.WorkloadIdentityConfig",
            Self::Azure => "azure.WorkloadIdentityConfig",
            Self::Gcp => "gcp.WorkloadIdentityConfig",
        }
    }

    /// The string fields after `apiVersion` and `kind`.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Self::Aws => &["roleARN"],
            Self::Azure => &["clientID", "tenantID", "subscriptionID"],
            Self::Gcp => &["projectID"],
        }
    }
}

/// A decoded `WorkloadIdentityConfig`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Config {
    cloud: Cloud,
    api_version: String,
    kind: String,
    /// The values of [`Cloud::fields`], in order.
    fields: Vec<String>,
    /// GCP's `credentialsConfig`, unless absent or `null`.
    credentials: Option<Value>,
}

/// A YAML scalar read into a Go string field: text as is, numbers and booleans as written,
/// `null` as empty; objects and arrays do not fit.
fn text_field(value: &Value, name: &str) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        other => Err(field_type_error(
            kind(other),
            "WorkloadIdentityConfig",
            name,
            "string",
        )),
    }
}

impl Config {
    /// Decodes a provider config as Gardener's YAML decoder does; the error is its message.
    pub(super) fn decode(cloud: Cloud, raw: &Value) -> Result<Self, String> {
        let wrap = |e: String| format!("error unmarshaling JSON: while decoding JSON: {e}");
        let Value::Object(object) = raw else {
            return Err(wrap(value_type_error(kind(raw), cloud.go_type())));
        };
        let text = |name: &str| match member(object, name) {
            Some(value) => text_field(value, name).map_err(wrap),
            None => Ok(String::new()),
        };
        let api_version = text("apiVersion")?;
        let kind = text("kind")?;
        let fields = cloud
            .fields()
            .iter()
            .map(|name| text(name))
            .collect::<Result<_, _>>()?;
        let credentials = match cloud {
            Cloud::Gcp => member(object, "credentialsConfig")
                .filter(|v| !v.is_null())
                .cloned(),
            _ => None,
        };
        Ok(Self {
            cloud,
            api_version,
            kind,
            fields,
            credentials,
        })
    }

    /// The value of a field of [`Cloud::fields`].
    fn field(&self, name: &str) -> &str {
        let index = self.cloud.fields().iter().position(|f| *f == name);
        index.map_or("", |i| self.fields[i].as_str())
    }

    /// What Gardener requires of the configuration; `path` is where it sits.
    pub(super) fn validate(
        &self,
        path: &str,
        options: &WorkloadIdentityOptions,
    ) -> Vec<FieldError> {
        let at = |name: &str| format!("{path}.{name}");
        let mut errors = Vec::new();
        let api_version = self.cloud.api_version();
        if self.api_version != api_version {
            errors.push(FieldError::invalid(
                at("apiVersion"),
                &self.api_version,
                format!("apiVersion must be '{api_version}'"),
            ));
        }
        if self.cloud != Cloud::Gcp && self.kind != "WorkloadIdentityConfig" {
            errors.push(FieldError::invalid(
                at("kind"),
                &self.kind,
                "kind must be 'WorkloadIdentityConfig'",
            ));
        }
        match self.cloud {
            Cloud::Aws => {
                if self.field("roleARN").is_empty() {
                    errors.push(FieldError::required(at("roleARN"), "roleARN is required"));
                }
            }
            Cloud::Azure => {
                let ids = ["clientID", "tenantID", "subscriptionID"];
                for name in ids {
                    if self.field(name).is_empty() {
                        errors.push(FieldError::required(
                            at(name),
                            format!("{name} is required"),
                        ));
                    }
                }
                for name in ids {
                    let value = self.field(name);
                    if !is_guid(value) {
                        errors.push(FieldError::invalid(
                            at(name),
                            value,
                            format!("{name} should be a valid GUID"),
                        ));
                    }
                }
            }
            Cloud::Gcp => self.validate_gcp(path, options, &mut errors),
        }
        errors
    }

    /// The fields that may not change on update, compared with the `old` configuration.
    pub(super) fn immutable_changes(&self, old: &Self, path: &str) -> Vec<FieldError> {
        let immutable: &[&str] = match self.cloud {
            Cloud::Aws => &[],
            Cloud::Azure => &["subscriptionID", "tenantID"],
            Cloud::Gcp => &["projectID"],
        };
        immutable
            .iter()
            .filter(|name| self.field(name) != old.field(name))
            .map(|name| {
                FieldError::invalid(
                    format!("{path}.{name}"),
                    self.field(name),
                    "field is immutable",
                )
            })
            .collect()
    }

    fn validate_gcp(
        &self,
        path: &str,
        options: &WorkloadIdentityOptions,
        errors: &mut Vec<FieldError>,
    ) {
        let project_id = self.field("projectID");
        if !PROJECT_ID.is_match(project_id) {
            errors.push(FieldError::invalid(
                format!("{path}.projectID"),
                project_id,
                format!(
                    "does not match the expected format: {}",
                    go_quote(PROJECT_ID.as_str())
                ),
            ));
        }
        let config_path = format!("{path}.credentialsConfig");
        let Some(credentials) = &self.credentials else {
            errors.push(FieldError::required(&config_path, "is required"));
            return;
        };
        match credentials {
            Value::Object(config) => credentials_config(config, &config_path, options, errors),
            other => {
                let raw = base64::engine::general_purpose::STANDARD.encode(other.to_string());
                errors.push(FieldError::invalid(
                    &config_path,
                    &raw,
                    format!(
                        "has invalid format: {}",
                        value_type_error(kind(other), "map[string]interface {}")
                    ),
                ));
            }
        }
    }
}

/// `^[0-9A-Fa-f]{8}-([0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}$`.
fn is_guid(value: &str) -> bool {
    let groups: Vec<&str> = value.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

static PROJECT_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9])$").expect("a valid pattern")
});

const REQUIRED_KEYS: [&str; 5] = [
    "audience",
    "subject_token_type",
    "token_url",
    "type",
    "universe_domain",
];
const IMPERSONATION_URL: &str = "service_account_impersonation_url";

/// The checks of a GCP external-account configuration (`credentialsConfig`).
fn credentials_config(
    config: &Map<String, Value>,
    path: &str,
    options: &WorkloadIdentityOptions,
    errors: &mut Vec<FieldError>,
) {
    let at = |key: &str| format!("{path}.{key}");
    let bad = |key: &str| Some(config.get(key).cloned().unwrap_or(Value::Null));
    let allowed = || REQUIRED_KEYS.iter().chain([&IMPERSONATION_URL]);
    if config.keys().any(|k| !allowed().any(|a| a == k)) {
        let list: Vec<&str> = allowed().copied().collect();
        errors.push(FieldError::forbidden(
            path,
            format!(
                "contains extra fields, allowed fields are: {}",
                list.join(", ")
            ),
        ));
    }
    for key in REQUIRED_KEYS {
        if !config.contains_key(key) {
            errors.push(FieldError::forbidden(
                path,
                format!("missing required field: {}", go_quote(key)),
            ));
        }
    }
    for (key, expected) in [
        ("type", "external_account"),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
    ] {
        if config.get(key).and_then(Value::as_str) != Some(expected) {
            errors.push(invalid_value(
                at(key),
                bad(key),
                format!("should equal {}", go_quote(expected)),
            ));
        }
    }
    let token_url = config.get("token_url").and_then(Value::as_str);
    if token_url.is_none() {
        errors.push(invalid_value(
            at("token_url"),
            bad("token_url"),
            "should be string",
        ));
    }
    let token_url = token_url.unwrap_or_default();
    check_https(token_url, at("token_url"), bad("token_url"), errors);
    if !options
        .gcp_allowed_token_urls
        .iter()
        .any(|u| u == token_url)
    {
        let quoted: Vec<String> = options
            .gcp_allowed_token_urls
            .iter()
            .map(|u| go_quote(u))
            .collect();
        errors.push(FieldError::forbidden(
            at("token_url"),
            format!("allowed values are [{}]", quoted.join(" ")),
        ));
    }
    let Some(value) = config.get(IMPERSONATION_URL) else {
        return;
    };
    let url_path = at(IMPERSONATION_URL);
    let url = value.as_str().unwrap_or_else(|| {
        errors.push(invalid_value(
            url_path.clone(),
            Some(value.clone()),
            "should be string",
        ));
        ""
    });
    let patterns = &options.gcp_allowed_impersonation_url_regexps;
    let matches = patterns
        .iter()
        .any(|p| Regex::new(p).is_ok_and(|r| r.is_match(url)));
    if !matches {
        errors.push(FieldError::invalid(
            &url_path,
            url,
            format!(
                "should match one of the allowed regular expressions: {}",
                patterns.join(", ")
            ),
        ));
    }
    check_https(url, url_path, Some(Value::String(url.to_owned())), errors);
}

fn invalid_value(field: String, value: Option<Value>, detail: impl Into<String>) -> FieldError {
    FieldError::new(
        crate::extension::field::FieldErrorType::Invalid,
        field,
        value,
        detail,
    )
}

/// The URL must parse, and its scheme be `https`. (Gardener stops with a crash when the URL
/// does not parse; here the scheme is then not checked.)
fn check_https(url: &str, field: String, value: Option<Value>, errors: &mut Vec<FieldError>) {
    match crate::go_url::parse_scheme(url) {
        Err(_) => errors.push(invalid_value(field, value, "should be a valid URL")),
        Ok(scheme) if scheme != "https" => {
            errors.push(invalid_value(field, value, "should start with https://"));
        }
        Ok(_) => {}
    }
}
