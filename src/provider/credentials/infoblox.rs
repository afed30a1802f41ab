//! The credentials of Infoblox: a Secret's properties, which the `providerConfig` completes.

use std::collections::BTreeMap;

use serde_json::Value;

use super::CredentialsError;
use super::checks::{Checks, optional, required};
use super::rules::Rule::{self, *};
use crate::go_json::{field_type_error, kind, member, value_type_error};
use crate::provider::ProviderType;

const TRIMMED: Rule = NoTrailingWhitespace;

pub(super) const INFOBLOX: Checks = Checks {
    properties: &[
        required(
            "USERNAME",
            &["username"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(64)],
        ),
        required("PASSWORD", &["password"], &[TRIMMED, MaxLength(64)]).hidden(),
        required(
            "VERSION",
            &["version"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(64)],
        ),
        optional(
            "VIEW",
            &["view"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(64)],
        ),
        required(
            "HOST",
            &["host"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(256)],
        ),
        required("PORT", &["port"], &[TRIMMED, Int(1, 65535)]),
        optional(
            "HTTP_POOL_CONNECTIONS",
            &["http_pool_connections", "httpPoolConnections"],
            &[TRIMMED, Int(1, 100)],
        ),
        optional(
            "HTTP_REQUEST_TIMEOUT",
            &["http_request_timeout", "httpRequestTimeout"],
            &[TRIMMED, Int(0, 1000)],
        ),
        // Gardener limits the proxy URL to 6 characters (sic).
        optional(
            "PROXY_URL",
            &["proxy_url", "proxyUrl"],
            &[TRIMMED, Url(&["http", "https"]), MaxLength(6)],
        ),
        optional("CA_CERT", &["ca_cert", "caCert"], &[CaCert]).hidden(),
        optional("SSL_VERIFY", &["ssl_verify", "sslVerify"], &[Bool]),
    ],
    alternatives: &[],
};

/// Fills in the properties an `infoblox-dns` `providerConfig` sets and the Secret does not
/// (under neither the name nor an alias).
pub(super) fn merge_config(
    config: &Value,
    properties: &mut BTreeMap<String, String>,
) -> Result<(), CredentialsError> {
    let unreadable = |reason| CredentialsError::UnreadableProviderConfig {
        provider_type: ProviderType::InfobloxDns.as_str().to_owned(),
        reason,
    };
    let Value::Object(object) = config else {
        return Err(unreadable(value_type_error(
            kind(config),
            "config.InfobloxConfig",
        )));
    };
    let type_error = |field: &str, what: &str, go_type: &str| {
        unreadable(field_type_error(what, "InfobloxConfig", field, go_type))
    };
    let text = |field: &str| match member(object, field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(type_error(field, kind(other), "string")),
    };
    let int = |field: &str| match member(object, field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| type_error(field, &format!("number {n}"), "int")),
        Some(other) => Err(type_error(field, kind(other), "int")),
    };
    let host = text("host")?;
    let port = int("port")?;
    let ssl_verify = match member(object, "sslVerify") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(other) => return Err(type_error("sslVerify", kind(other), "bool")),
    };
    let version = text("version")?;
    let view = text("view")?;
    let pool_connections = int("httpPoolConnections")?;
    let request_timeout = int("httpRequestTimeout")?;
    let ca_cert = text("caCert")?;
    int("maxResults")?;
    let proxy_url = text("proxyUrl")?;
    match member(object, "extAttrs") {
        None | Some(Value::Null | Value::Object(_)) => {}
        Some(other) => return Err(type_error("extAttrs", kind(other), "map[string]string")),
    }
    if let Some(Value::Object(attributes)) = member(object, "extAttrs") {
        for (key, value) in attributes {
            if !matches!(value, Value::String(_) | Value::Null) {
                return Err(type_error(
                    &format!("extAttrs.{key}"),
                    kind(value),
                    "string",
                ));
            }
        }
    }
    let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
    let non_zero = |n: Option<i64>| n.filter(|n| *n != 0).map(|n| n.to_string());
    let settings = [
        ("CA_CERT", non_empty(ca_cert)),
        ("HOST", non_empty(host)),
        ("HTTP_POOL_CONNECTIONS", non_zero(pool_connections)),
        ("PORT", non_zero(port)),
        ("PROXY_URL", non_empty(proxy_url)),
        (
            "HTTP_REQUEST_TIMEOUT",
            request_timeout.map(|n| n.to_string()),
        ),
        ("SSL_VERIFY", ssl_verify.map(|b| b.to_string())),
        ("VERSION", non_empty(version)),
        ("VIEW", non_empty(view)),
    ];
    for (key, value) in settings {
        if let Some(value) = value
            && !INFOBLOX.is_set(properties, key)
        {
            properties.insert(key.to_owned(), value);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::pem::tests::CA_CERT;
    use super::super::tests::{outcome, props};
    use super::super::validate_credentials;
    use super::*;
    use serde_json::json;

    #[test]
    fn infoblox() {
        let base = [
            ("USERNAME", "admin"),
            ("PASSWORD", "pw"),
            ("VERSION", "2.10"),
            ("HOST", "10.0.0.2"),
            ("PORT", "443"),
        ];
        assert_eq!(outcome("infoblox-dns", &base), "ok");
        assert_eq!(
            outcome(
                "infoblox-dns",
                &[
                    ("username", "admin"),
                    ("password", "pw"),
                    ("version", "2.10"),
                    ("host", "h"),
                    ("port", "443"),
                    ("httpPoolConnections", "10"),
                    ("http_request_timeout", "60"),
                    ("sslVerify", "false"),
                    ("caCert", CA_CERT),
                    ("view", "default")
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome("infoblox-dns", &[("USERNAME", "admin"), ("PASSWORD", "pw")]),
            "validation failed for provider type infoblox-dns: property \"VERSION\" is required but not provided\nproperty \"HOST\" is required but not provided\nproperty \"PORT\" is required but not provided"
        );
        let mut with_port = base.to_vec();
        with_port[4] = ("PORT", "0");
        assert_eq!(
            outcome("infoblox-dns", &with_port),
            "validation failed for property PORT with value \"0\": value must be between 1 and 65535"
        );
        let mut with_proxy = base.to_vec();
        with_proxy.push(("PROXY_URL", "http://proxy:3128"));
        assert_eq!(
            outcome("infoblox-dns", &with_proxy),
            "validation failed for property PROXY_URL with value \"http://proxy:3128\": value exceeds maximum length of 6 characters"
        );
        let check = |config: Value, pairs: &[(&str, &str)]| match validate_credentials(
            "infoblox-dns",
            &props(pairs),
            Some(&config),
        ) {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.to_string(),
        };
        let credentials = [("USERNAME", "admin"), ("PASSWORD", "pw")];
        assert_eq!(
            check(
                json!({"host": "h", "port": 443, "version": "2.10", "sslVerify": true, "httpRequestTimeout": 0}),
                &credentials
            ),
            "ok"
        );
        assert_eq!(
            check(
                json!({"host": "h", "port": 443, "version": "2.10"}),
                &[("USERNAME", "admin"), ("PASSWORD", "pw"), ("port", "70000")]
            ),
            "validation failed for property port (alias for PORT) with value \"70000\": value must be between 1 and 65535"
        );
        assert_eq!(
            check(
                json!({"host": "h", "port": 0, "version": "2.10"}),
                &credentials
            ),
            "validation failed for provider type infoblox-dns: property \"PORT\" is required but not provided"
        );
        assert_eq!(
            check(json!({"port": "443"}), &credentials),
            "unmarshal infoblox providerConfig failed with: json: cannot unmarshal string into Go struct field InfobloxConfig.port of type int"
        );
        assert_eq!(
            check(json!({"sslVerify": "yes"}), &credentials),
            "unmarshal infoblox providerConfig failed with: json: cannot unmarshal string into Go struct field InfobloxConfig.sslVerify of type bool"
        );
        assert_eq!(
            check(json!([]), &credentials),
            "unmarshal infoblox providerConfig failed with: json: cannot unmarshal array into Go value of type config.InfobloxConfig"
        );
    }
}
