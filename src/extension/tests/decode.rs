//! Lenient and strict decoding of the provider config (docs/extension.md §2.1).

use serde_json::json;

use crate::extension::decode::{
    DecodeError, decode_config, decode_config_strict, decode_config_strict_json, find_extension,
    is_disabled, shoot_dns_config,
};
use crate::extension::{DnsConfig, DnsProviderReplication, Shoot};

#[test]
fn lenient_decoding_ignores_unknown_fields_and_needs_no_type_meta() {
    let config = decode_config(&json!({
        "syncProvidersFromShootSpecDNS": true,
        "providers": [{"type": "aws-route53", "secretName": "s", "primary": true}],
        "somethingElse": {"a": 1},
    }))
    .unwrap();
    assert_eq!(config.sync_providers_from_shoot_spec_dns, Some(true));
    assert_eq!(config.api_version, None);
    let providers = config.providers.unwrap();
    assert_eq!(providers[0].secret_name.as_deref(), Some("s"));
}

#[test]
fn lenient_decoding_reads_null_as_absent() {
    let config = decode_config(&json!({
        "dnsProviderReplication": {"enabled": null},
        "providers": null,
        "useNextGenerationController": null,
    }))
    .unwrap();
    assert_eq!(
        config,
        DnsConfig {
            dns_provider_replication: Some(DnsProviderReplication { enabled: false }),
            ..DnsConfig::default()
        }
    );
}

#[test]
fn lenient_decoding_names_the_bad_field() {
    let error = decode_config(&json!({"providers": [{"domains": {"include": "a"}}]})).unwrap_err();
    assert!(matches!(error, DecodeError::Lenient { .. }));
    assert!(
        error.to_string().starts_with(
            "failed to decode shoot-dns-service provider config: field providers[0].domains.include: invalid type: string"
        ),
        "{error}"
    );
}

#[test]
fn a_provider_config_that_is_not_an_object_is_a_clear_error() {
    for (raw, found) in [
        (json!("text"), "a string"),
        (json!(1), "a number"),
        (json!([]), "a list"),
        (json!(true), "a boolean"),
    ] {
        assert_eq!(
            decode_config(&raw).unwrap_err().to_string(),
            format!(
                "failed to decode shoot-dns-service provider config: expected a DNSConfig object, found {found}"
            )
        );
        assert_eq!(
            decode_config_strict(Some(&raw)).unwrap_err().to_string(),
            format!("failed to decode provider config: expected a DNSConfig object, found {found}")
        );
    }
}

#[test]
fn strict_decoding_rejects_unknown_fields() {
    let error = decode_config_strict(Some(&json!({
        "providers": [{"type": "aws-route53", "secretName": "s"}],
        "unknownField": 1,
    })))
    .unwrap_err();
    assert!(matches!(error, DecodeError::Strict { .. }));
    assert!(
        error
            .to_string()
            .starts_with("failed to decode provider config: unknown field `unknownField`"),
        "{error}"
    );
    let error = decode_config_strict(Some(
        &json!({"providers": [{"type": "x", "primary": true}]}),
    ))
    .unwrap_err();
    assert!(
        error.to_string().starts_with(
            "failed to decode provider config: field providers[0]: unknown field `primary`"
        ),
        "{error}"
    );
    let error = decode_config_strict(Some(
        &json!({"dnsProviderReplication": {"enabled": true, "x": 1}}),
    ))
    .unwrap_err();
    assert!(error.to_string().contains("unknown field `x`"), "{error}");
}

#[test]
fn strict_decoding_accepts_every_known_field() {
    let raw = json!({
        "apiVersion": "service.dns.extensions.gardener.cloud/v1alpha1",
        "kind": "DNSConfig",
        "dnsProviderReplication": {"enabled": true},
        "providers": [{"type": "aws-route53", "secretName": "s", "credentials": "c",
            "domains": {"include": ["a"], "exclude": ["b"]}, "zones": {"include": ["z"]}}],
        "syncProvidersFromShootSpecDNS": false,
        "useNextGenerationController": true,
    });
    let strict = decode_config_strict(Some(&raw)).unwrap();
    assert_eq!(strict, decode_config(&raw).unwrap());
    assert_eq!(serde_json::to_value(&strict).unwrap(), raw);
    assert_eq!(decode_config_strict_json(&raw.to_string()).unwrap(), strict);
}

#[test]
fn strict_decoding_of_nothing_is_an_empty_config() {
    assert_eq!(decode_config_strict(None).unwrap(), DnsConfig::default());
    assert_eq!(
        decode_config_strict(Some(&serde_json::Value::Null)).unwrap(),
        DnsConfig::default()
    );
    assert_eq!(decode_config_strict_json("").unwrap(), DnsConfig::default());
    assert_eq!(
        decode_config_strict_json("null").unwrap(),
        DnsConfig::default()
    );
}

#[test]
fn strict_json_decoding_rejects_repeated_fields() {
    let error =
        decode_config_strict_json(r#"{"providers": [{"type": "a", "type": "b"}]}"#).unwrap_err();
    assert!(
        error.to_string().starts_with(
            "failed to decode provider config: field providers[0]: duplicate field `type`"
        ),
        "{error}"
    );
    assert!(decode_config_strict_json(r#"{"kind": "DNSConfig"} {}"#).is_err());
}

#[test]
fn the_first_extension_entry_counts() {
    let shoot: Shoot = serde_json::from_value(json!({"spec": {"extensions": [
        {"type": "shoot-cert-service", "disabled": true},
        {"type": "shoot-dns-service", "providerConfig": {"providers": []}},
        {"type": "shoot-dns-service", "disabled": true},
    ]}}))
    .unwrap();
    assert!(find_extension(&shoot).unwrap().provider_config.is_some());
    assert!(!is_disabled(&shoot));
    assert_eq!(
        shoot_dns_config(&shoot).unwrap().unwrap().providers,
        Some(vec![])
    );
    assert_eq!(shoot_dns_config(&Shoot::default()), Ok(None));
}
