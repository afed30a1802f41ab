//! The credential tables of DNS services and servers: Cloudflare, Netlify, PowerDNS, RFC 2136
//! (DNS UPDATE with TSIG) and a remote dns-controller-manager.

use super::checks::{Checks, optional, required};
use super::rules::Rule::{self, *};
use crate::provider::ProviderType;

/// The table of `provider_type`, if it is one of these.
pub(super) fn checks(provider_type: ProviderType) -> Option<&'static Checks> {
    match provider_type {
        ProviderType::CloudflareDns => Some(&CLOUDFLARE),
        ProviderType::NetlifyDns => Some(&NETLIFY),
        ProviderType::PowerDns => Some(&POWERDNS),
        ProviderType::Rfc2136 => Some(&RFC2136),
        _ => None,
    }
}

/// The table of `remote` (a handler of Gardener's that is no [`ProviderType`]), if
/// `provider_type` is that.
pub(super) fn other_checks(provider_type: &str) -> Option<&'static Checks> {
    (provider_type == "remote").then_some(&REMOTE)
}

const TRIMMED: Rule = NoTrailingWhitespace;

const CLOUDFLARE: Checks = Checks {
    properties: &[required(
        "CLOUDFLARE_API_TOKEN",
        &["apiToken"],
        &[TRIMMED, AlphaNumericPunctuation, MaxLength(100)],
    )
    .hidden()],
    alternatives: &[],
};

const NETLIFY: Checks = Checks {
    properties: &[required(
        "NETLIFY_AUTH_TOKEN",
        &["NETLIFY_API_TOKEN"],
        &[TRIMMED, Base64Underscore, MaxLength(64)],
    )
    .hidden()],
    alternatives: &[],
};

const POWERDNS: Checks = Checks {
    properties: &[
        required(
            "Server",
            &["server"],
            &[TRIMMED, Printable, Url(&["https", "http"]), MaxLength(256)],
        ),
        required(
            "ApiKey",
            &["apiKey"],
            &[TRIMMED, Printable, MaxLength(8192)],
        )
        .hidden(),
        optional(
            "VirtualHost",
            &["virtualHost"],
            &[TRIMMED, Printable, MaxLength(128)],
        ),
        optional("InsecureSkipVerify", &["insecureSkipVerify"], &[Bool]),
        optional("TrustedCaCert", &["trustedCaCert"], &[CaCert]).hidden(),
    ],
    alternatives: &[],
};

const RFC2136: Checks = Checks {
    properties: &[
        required(
            "Server",
            &[],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(256)],
        ),
        required(
            "Zone",
            &[],
            &[
                TRIMMED,
                AlphaNumericPunctuation,
                MaxLength(256),
                Custom(canonical_zone),
            ],
        ),
        required(
            "TSIGKeyName",
            &[],
            &[
                TRIMMED,
                AlphaNumericPunctuation,
                MaxLength(256),
                Custom(absolute_key_name),
            ],
        ),
        required("TSIGSecret", &[], &[TRIMMED, MaxLength(128)]).hidden(),
        optional("TSIGSecretAlgorithm", &[], &[Custom(tsig_algorithm)]),
    ],
    alternatives: &[],
};

const REMOTE: Checks = Checks {
    properties: &[
        required(
            "REMOTE_ENDPOINT",
            &["remoteEndpoint"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(256)],
        ),
        required("CLIENT_CERT", &["tls.crt"], &[Pem]).hidden(),
        required("CLIENT_KEY", &["tls.key"], &[Pem]).hidden(),
        required(
            "NAMESPACE",
            &["namespace"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(64)],
        ),
        optional("SERVER_CA_CERT", &["ca.crt"], &[CaCert]).hidden(),
        optional(
            "OVERRIDE_SERVER_NAME",
            &["overrideServerName"],
            &[TRIMMED, AlphaNumericPunctuation, MaxLength(64)],
        ),
    ],
    alternatives: &[],
};

/// The name with a trailing dot (the values here cannot hold escaped dots).
fn absolute(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

/// The zone must be lower case and absolute.
fn canonical_zone(value: &str) -> Result<(), String> {
    let canonical = absolute(value).to_ascii_lowercase();
    if canonical == value {
        Ok(())
    } else {
        Err(format!(
            "zone must be given in canonical form: '{canonical}' instead of '{value}'"
        ))
    }
}

fn absolute_key_name(value: &str) -> Result<(), String> {
    if value.ends_with('.') {
        Ok(())
    } else {
        Err("TSIGKeyName must end with '.'".to_owned())
    }
}

/// The TSIG algorithms a server may use, as absolute names.
const TSIG_ALGORITHMS: [&str; 5] = [
    "hmac-sha1.",
    "hmac-sha224.",
    "hmac-sha256.",
    "hmac-sha384.",
    "hmac-sha512.",
];

fn tsig_algorithm(value: &str) -> Result<(), String> {
    if value.is_empty() || TSIG_ALGORITHMS.contains(&absolute(value).as_str()) {
        Ok(())
    } else {
        Err(format!(
            "invalid TSIG secret algorithm: {value} (supported: {})",
            TSIG_ALGORITHMS.join(",").replace('.', "")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::super::pem::tests::CA_CERT;
    use super::super::tests::{outcome, props};
    use super::super::validate_credentials;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn cloudflare() {
        assert_eq!(
            outcome(
                "cloudflare-dns",
                &[("CLOUDFLARE_API_TOKEN", "abc-123_x.y:z")]
            ),
            "ok"
        );
        assert_eq!(outcome("cloudflare-dns", &[("apiToken", "abc")]), "ok");
        assert_eq!(
            outcome("cloudflare-dns", &[]),
            "validation failed for provider type cloudflare-dns: property \"CLOUDFLARE_API_TOKEN\" is required but not provided"
        );
        assert_eq!(
            outcome("cloudflare-dns", &[("apiToken", "a/b")]),
            "validation failed for property apiToken (alias for CLOUDFLARE_API_TOKEN): value must contain only alphanumeric characters, dots, hyphens, underscores, and colons"
        );
    }

    #[test]
    fn netlify() {
        assert_eq!(
            outcome("netlify-dns", &[("NETLIFY_AUTH_TOKEN", "abc_DEF+/=")]),
            "ok"
        );
        assert_eq!(
            outcome("netlify-dns", &[("NETLIFY_API_TOKEN", "abc")]),
            "ok"
        );
        assert_eq!(
            outcome(
                "netlify-dns",
                &[("NETLIFY_AUTH_TOKEN", "abc"), ("NETLIFY_API_TOKEN", "def")]
            ),
            "validation failed for provider type netlify-dns: property \"NETLIFY_API_TOKEN\" is defined multiple times by an alias of NETLIFY_AUTH_TOKEN (aliases [NETLIFY_API_TOKEN])"
        );
        assert_eq!(
            outcome("netlify-dns", &[("NETLIFY_AUTH_TOKEN", &"a".repeat(65))]),
            "validation failed for property NETLIFY_AUTH_TOKEN: value exceeds maximum length of 64 characters"
        );
    }

    #[test]
    fn powerdns() {
        assert_eq!(
            outcome(
                "powerdns",
                &[
                    ("Server", "https://pdns.example.com:8081"),
                    ("ApiKey", "key")
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome(
                "powerdns",
                &[
                    ("server", "http://pdns"),
                    ("apiKey", "key"),
                    ("virtualHost", "vh"),
                    ("insecureSkipVerify", "true"),
                    ("trustedCaCert", CA_CERT)
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome("powerdns", &[]),
            "validation failed for provider type powerdns: property \"Server\" is required but not provided\nproperty \"ApiKey\" is required but not provided"
        );
        assert_eq!(
            outcome(
                "powerdns",
                &[("Server", "pdns.example.com"), ("ApiKey", "key")]
            ),
            "validation failed for property Server with value \"pdns.example.com\": value must start with one of the following schemes: https, http"
        );
        assert_eq!(
            outcome(
                "powerdns",
                &[("Server", "https://p"), ("ApiKey", "k\u{1}ey")]
            ),
            "validation failed for property ApiKey: value must contain only printable characters, found: rune 1"
        );
        assert_eq!(
            outcome(
                "powerdns",
                &[
                    ("Server", "https://p"),
                    ("ApiKey", "key"),
                    ("TrustedCaCert", "x")
                ]
            ),
            "validation failed for property TrustedCaCert: cannot parse certificates from PEM format"
        );
    }

    const RFC: [(&str, &str); 4] = [
        ("Server", "10.0.0.1:53"),
        ("Zone", "example.com."),
        ("TSIGKeyName", "tsig-key."),
        ("TSIGSecret", "c2VjcmV0LXNlY3JldA=="),
    ];

    fn rfc(changes: &[(&str, &str)], removed: &[&str]) -> String {
        let mut pairs: Vec<(&str, &str)> = RFC
            .iter()
            .filter(|(k, _)| !removed.contains(k))
            .copied()
            .collect();
        pairs.extend_from_slice(changes);
        let map: BTreeMap<String, String> = props(&pairs);
        match validate_credentials("rfc2136", &map, None) {
            Ok(()) => "ok".to_owned(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn rfc2136() {
        assert_eq!(rfc(&[], &[]), "ok");
        assert_eq!(rfc(&[("Server", "ns1.example.com")], &["Server"]), "ok");
        assert_eq!(rfc(&[("Server", "2001:db8::1")], &["Server"]), "ok");
        for alg in [
            "hmac-sha1",
            "hmac-sha224",
            "hmac-sha256.",
            "hmac-sha384",
            "hmac-sha512",
        ] {
            assert_eq!(rfc(&[("TSIGSecretAlgorithm", alg)], &[]), "ok", "{alg}");
        }
        assert_eq!(
            rfc(&[("TSIGSecretAlgorithm", "hmac-md5")], &[]),
            "validation failed for property TSIGSecretAlgorithm with value \"hmac-md5\": invalid TSIG secret algorithm: hmac-md5 (supported: hmac-sha1,hmac-sha224,hmac-sha256,hmac-sha384,hmac-sha512)"
        );
        assert_eq!(
            rfc(&[("TSIGSecretAlgorithm", "HMAC-SHA256")], &[]),
            "validation failed for property TSIGSecretAlgorithm with value \"HMAC-SHA256\": invalid TSIG secret algorithm: HMAC-SHA256 (supported: hmac-sha1,hmac-sha224,hmac-sha256,hmac-sha384,hmac-sha512)"
        );
        assert_eq!(
            rfc(&[("TSIGSecretAlgorithm", "")], &[]),
            "validation failed for provider type rfc2136: property \"TSIGSecretAlgorithm\" is empty (please set non-empty value or drop the property)"
        );
        assert_eq!(
            rfc(&[("Zone", "Example.com")], &["Zone"]),
            "validation failed for property Zone with value \"Example.com\": zone must be given in canonical form: 'example.com.' instead of 'Example.com'"
        );
        assert_eq!(
            rfc(&[("Zone", "example.com")], &["Zone"]),
            "validation failed for property Zone with value \"example.com\": zone must be given in canonical form: 'example.com.' instead of 'example.com'"
        );
        assert_eq!(
            rfc(&[("TSIGKeyName", "tsig-key")], &["TSIGKeyName"]),
            "validation failed for property TSIGKeyName with value \"tsig-key\": TSIGKeyName must end with '.'"
        );
        assert_eq!(
            rfc(&[("Server", "ns1.example.com/53")], &["Server"]),
            "validation failed for property Server with value \"ns1.example.com/53\": value must contain only alphanumeric characters, dots, hyphens, underscores, and colons"
        );
        assert_eq!(
            rfc(&[], &["Zone", "TSIGSecret"]),
            "validation failed for provider type rfc2136: property \"Zone\" is required but not provided\nproperty \"TSIGSecret\" is required but not provided"
        );
        assert_eq!(
            rfc(&[("Port", "53"), ("zone", "x.")], &[]),
            "validation failed for provider type rfc2136: property \"Port\" is not allowed\nproperty \"zone\" is not allowed"
        );
        let config = json!({"any": 1});
        assert_eq!(
            validate_credentials("rfc2136", &props(&RFC), Some(&config))
                .unwrap_err()
                .to_string(),
            "provider config not supported for rfc2136 provider"
        );
    }

    #[test]
    fn tsig_secret_is_never_shown() {
        let long = format!("{}==", "QUJD".repeat(40));
        let message = rfc(&[("TSIGSecret", &long)], &["TSIGSecret"]);
        assert_eq!(
            message,
            "validation failed for property TSIGSecret: value exceeds maximum length of 128 characters"
        );
        let message = rfc(&[("TSIGSecret", "c2VjcmV0 ")], &["TSIGSecret"]);
        assert_eq!(
            message,
            "validation failed for property TSIGSecret: value must not contain trailing whitespace"
        );
        assert!(!message.contains("c2VjcmV0"));
    }

    #[test]
    fn remote() {
        let block = "-----BEGIN CERTIFICATE-----\ndGVzdA==\n-----END CERTIFICATE-----\n";
        let key = "-----BEGIN PRIVATE KEY-----\ndGVzdA==\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            outcome(
                "remote",
                &[
                    ("REMOTE_ENDPOINT", "remote.example.com:7777"),
                    ("tls.crt", block),
                    ("tls.key", key),
                    ("NAMESPACE", "ns"),
                    ("ca.crt", CA_CERT)
                ]
            ),
            "ok"
        );
        assert_eq!(
            outcome(
                "remote",
                &[
                    ("REMOTE_ENDPOINT", "r:1"),
                    ("CLIENT_CERT", "x"),
                    ("CLIENT_KEY", key),
                    ("NAMESPACE", "ns")
                ]
            ),
            "validation failed for property CLIENT_CERT: value must be a valid PEM encoded string"
        );
        assert_eq!(
            outcome(
                "remote",
                &[
                    ("REMOTE_ENDPOINT", "r:1"),
                    ("tls.crt", block),
                    ("tls.key", key),
                    ("NAMESPACE", "ns"),
                    ("SERVER_CA_CERT", block)
                ]
            ),
            "validation failed for property SERVER_CA_CERT: cannot parse certificates from PEM format"
        );
    }
}
