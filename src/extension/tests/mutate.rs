//! The shoot mutator: the M-cases of the examples (docs/extension.md §6.4) and the rules
//! of §3.1 they leave out.

use serde_json::{Value, json};

use crate::extension::mutate::{MutateError, mutate_shoot};

const API_VERSION: &str = "service.dns.extensions.gardener.cloud/v1alpha1";
const WI: &str = "security.gardener.cloud/v1alpha1";

fn base() -> Value {
    json!({"spec": {"dns": {"domain": "foo.domain.com"}, "extensions": [{"type": "shoot-cert-service"}]}})
}

fn with_resources() -> Value {
    json!({"spec": {
        "dns": {"domain": "foo.domain.com"},
        "extensions": [
            {"type": "shoot-cert-service"},
            {"type": "shoot-dns-service", "disabled": false, "providerConfig": {"syncProvidersFromShootSpecDNS": true}},
        ],
        "resources": [
            {"name": "shoot-dns-service-my-secret-obsolete1", "resourceRef": {"kind": "Secret", "name": "foo", "apiVersion": "v1"}},
            {"name": "shoot-dns-service-my-secret2", "resourceRef": {"kind": "Secret", "name": "foo", "apiVersion": "v1"}},
            {"name": "shoot-dns-service-my-secret-obsolete2", "resourceRef": {"kind": "Secret", "name": "foo", "apiVersion": "v1"}},
            {"name": "other", "resourceRef": {"kind": "Secret", "name": "other", "apiVersion": "v1"}},
        ],
    }})
}

fn with_providers(mut shoot: Value, providers: Value) -> Value {
    shoot["spec"]["dns"]["providers"] = providers;
    shoot
}

fn secret_ref(name: &str) -> Value {
    json!({"kind": "Secret", "name": name, "apiVersion": "v1"})
}

fn wi_ref(name: &str) -> Value {
    json!({"kind": "WorkloadIdentity", "name": name, "apiVersion": WI})
}

fn primary_default() -> Value {
    json!({"type": "aws-route53", "primary": true, "credentialsRef": secret_ref("my-secret1")})
}

fn primary_default_legacy() -> Value {
    json!({"type": "aws-route53", "primary": true, "secretName": "my-secret1"})
}

fn domains() -> Value {
    json!({"include": ["my.domain.test"], "exclude": ["private.my.domain.test"]})
}

fn primary() -> Value {
    json!({"type": "aws-route53", "primary": true, "credentialsRef": secret_ref("my-secret1"), "domains": domains()})
}

fn primary_legacy() -> Value {
    json!({"type": "aws-route53", "primary": true, "secretName": "my-secret1", "domains": domains()})
}

fn primary_wl() -> Value {
    json!({"type": "aws-route53", "primary": true, "domains": domains(), "credentialsRef": wi_ref("my-workload-identity1")})
}

fn additional() -> Value {
    json!({"type": "aws-route53", "zones": {"include": ["Z1234"]}, "credentialsRef": secret_ref("my-secret2")})
}

fn additional_legacy() -> Value {
    json!({"type": "aws-route53", "zones": {"include": ["Z1234"]}, "secretName": "my-secret2"})
}

fn additional_wl() -> Value {
    json!({"type": "aws-route53", "zones": {"include": ["Z1234"]}, "credentialsRef": wi_ref("my-workload-identity2")})
}

fn resource(name: &str, reference: Value) -> Value {
    json!({"name": name, "resourceRef": reference})
}

fn primary_resource() -> Value {
    resource("shoot-dns-service-my-secret1", secret_ref("my-secret1"))
}

fn additional_resource() -> Value {
    resource("shoot-dns-service-my-secret2", secret_ref("my-secret2"))
}

fn other_resource() -> Value {
    resource("other", secret_ref("other"))
}

fn dns_config(extra: Value) -> Value {
    let mut config = json!({"apiVersion": API_VERSION, "kind": "DNSConfig", "syncProvidersFromShootSpecDNS": true});
    if let (Some(config), Value::Object(extra)) = (config.as_object_mut(), extra) {
        config.extend(extra);
    }
    config
}

/// The mutated shoot's DNSConfig (the first `shoot-dns-service` entry's provider config).
fn config_of(shoot: &Value) -> Value {
    shoot["spec"]["extensions"]
        .as_array()
        .and_then(|extensions| {
            extensions
                .iter()
                .find(|e| e["type"] == "shoot-dns-service")
                .map(|e| e["providerConfig"].clone())
        })
        .unwrap_or(Value::Null)
}

fn mutated(shoot: &Value) -> Value {
    let mutated = mutate_shoot(shoot).expect("no error").expect("a change");
    // Mutating again changes nothing.
    assert_eq!(mutate_shoot(&mutated), Ok(None));
    mutated
}

#[test]
fn m01_no_dns_section() {
    let mut shoot = base();
    shoot["spec"].as_object_mut().unwrap().remove("dns");
    assert_eq!(mutate_shoot(&shoot), Ok(None));
    shoot["spec"]["dns"] = Value::Null;
    assert_eq!(mutate_shoot(&shoot), Ok(None));
}

#[test]
fn m02_extension_disabled() {
    let mut shoot = base();
    shoot["spec"]["extensions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "shoot-dns-service", "disabled": true}));
    assert_eq!(mutate_shoot(&shoot), Ok(None));
}

#[test]
fn m03_enabled_default_domain_only() {
    let shoot = mutated(&base());
    assert_eq!(
        shoot["spec"]["extensions"],
        json!([
            {"type": "shoot-cert-service"},
            {"type": "shoot-dns-service", "providerConfig": dns_config(json!({}))},
        ])
    );
    assert_eq!(shoot["spec"].get("resources"), None);
}

#[test]
fn m04_primary_without_domains() {
    let shoot = mutated(&with_providers(base(), json!([primary_default()])));
    assert_eq!(
        config_of(&shoot),
        dns_config(
            json!({"providers": [{"type": "aws-route53", "credentials": "shoot-dns-service-my-secret1",
            "domains": {"include": ["foo.domain.com"]}}]})
        )
    );
    assert_eq!(shoot["spec"]["resources"], json!([primary_resource()]));
}

#[test]
fn m05_primary_without_domains_legacy() {
    let shoot = mutated(&with_providers(base(), json!([primary_default_legacy()])));
    assert_eq!(
        config_of(&shoot),
        dns_config(
            json!({"providers": [{"type": "aws-route53", "secretName": "shoot-dns-service-my-secret1",
            "domains": {"include": ["foo.domain.com"]}}]})
        )
    );
    assert_eq!(shoot["spec"]["resources"], json!([primary_resource()]));
}

#[test]
fn m06_primary_with_explicit_domains() {
    let shoot = mutated(&with_providers(base(), json!([primary()])));
    assert_eq!(
        config_of(&shoot),
        dns_config(
            json!({"providers": [{"type": "aws-route53", "credentials": "shoot-dns-service-my-secret1",
            "domains": domains()}]})
        )
    );
    assert_eq!(shoot["spec"]["resources"], json!([primary_resource()]));
}

#[test]
fn m07_primary_legacy_with_explicit_domains() {
    let shoot = mutated(&with_providers(base(), json!([primary_legacy()])));
    assert_eq!(
        config_of(&shoot),
        dns_config(
            json!({"providers": [{"type": "aws-route53", "secretName": "shoot-dns-service-my-secret1",
            "domains": domains()}]})
        )
    );
    assert_eq!(shoot["spec"]["resources"], json!([primary_resource()]));
}

#[test]
fn m08_primary_and_additional_with_existing_resources() {
    let shoot = mutated(&with_providers(
        with_resources(),
        json!([primary(), additional()]),
    ));
    assert_eq!(
        config_of(&shoot),
        dns_config(json!({"providers": [
            {"type": "aws-route53", "credentials": "shoot-dns-service-my-secret1", "domains": domains()},
            {"type": "aws-route53", "credentials": "shoot-dns-service-my-secret2", "zones": {"include": ["Z1234"]}},
        ]}))
    );
    // In-place update, obsolete ones removed, new ones appended.
    assert_eq!(
        shoot["spec"]["resources"],
        json!([additional_resource(), other_resource(), primary_resource()])
    );
    // The disabled flag of the entry is kept.
    assert_eq!(shoot["spec"]["extensions"][1]["disabled"], json!(false));
}

#[test]
fn m09_workload_identities_with_existing_resources() {
    let shoot = mutated(&with_providers(
        with_resources(),
        json!([primary_wl(), additional_wl()]),
    ));
    assert_eq!(
        config_of(&shoot),
        dns_config(json!({"providers": [
            {"type": "aws-route53", "credentials": "shoot-dns-service-my-workload-identity1", "domains": domains()},
            {"type": "aws-route53", "credentials": "shoot-dns-service-my-workload-identity2", "zones": {"include": ["Z1234"]}},
        ]}))
    );
    assert_eq!(
        shoot["spec"]["resources"],
        json!([
            other_resource(),
            resource(
                "shoot-dns-service-my-workload-identity1",
                wi_ref("my-workload-identity1")
            ),
            resource(
                "shoot-dns-service-my-workload-identity2",
                wi_ref("my-workload-identity2")
            ),
        ])
    );
}

#[test]
fn m10_legacy_primary_and_additional_with_existing_resources() {
    let shoot = mutated(&with_providers(
        with_resources(),
        json!([primary_legacy(), additional_legacy()]),
    ));
    assert_eq!(
        config_of(&shoot),
        dns_config(json!({"providers": [
            {"type": "aws-route53", "secretName": "shoot-dns-service-my-secret1", "domains": domains()},
            {"type": "aws-route53", "secretName": "shoot-dns-service-my-secret2", "zones": {"include": ["Z1234"]}},
        ]}))
    );
    assert_eq!(
        shoot["spec"]["resources"],
        json!([additional_resource(), other_resource(), primary_resource()])
    );
}

#[test]
fn m11_sync_disabled() {
    let shoot = json!({"spec": {
        "dns": {"domain": "foo.domain.com", "providers": [additional()]},
        "extensions": [{"type": "shoot-dns-service", "disabled": false, "providerConfig": {"syncProvidersFromShootSpecDNS": false}}],
    }});
    assert_eq!(mutate_shoot(&shoot), Ok(None));
}

#[test]
fn m12_shoot_in_deletion() {
    let shoot = json!({
        "metadata": {"deletionTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"dns": {"domain": "foo.domain.com", "providers": [additional()]}},
    });
    assert_eq!(mutate_shoot(&shoot), Ok(None));
}

#[test]
fn m13_unsupported_credentials_ref_kind() {
    let shoot = with_providers(
        base(),
        json!([{"type": "aws-route53", "credentialsRef": {"kind": "ConfigMap", "name": "x", "apiVersion": "v1"}}]),
    );
    let error = mutate_shoot(&shoot).unwrap_err();
    assert_eq!(
        error,
        MutateError::UnsupportedCredentialsRef {
            kind: "ConfigMap".into(),
            api_version: "v1".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "unsupported credentialsRef kind \"ConfigMap\" and apiVersion \"v1\""
    );
}

#[test]
fn m14_last_operation_gate() {
    let cases = [
        (Value::Null, true),
        (json!({"type": "Reconcile", "state": "Succeeded"}), true),
        (json!({"type": "Create", "state": "Processing"}), true),
        (json!({"type": "Create", "state": "Succeeded"}), false),
        (json!({"type": "Migrate", "state": "Error"}), false),
    ];
    for (operation, mutates) in cases {
        let mut shoot = base();
        shoot["status"] = json!({"lastOperation": operation});
        assert_eq!(
            mutate_shoot(&shoot).unwrap().is_some(),
            mutates,
            "{operation}"
        );
    }
}

#[test]
fn everything_else_is_kept() {
    let mut shoot = with_providers(with_resources(), json!([additional()]));
    shoot["apiVersion"] = json!("core.gardener.cloud/v1beta1");
    shoot["kind"] = json!("Shoot");
    shoot["metadata"] = json!({"name": "bar", "namespace": "garden-foo", "labels": {"a": "b"}});
    shoot["status"] = json!({"technicalID": "shoot--foo--bar", "lastOperation": {"type": "Reconcile", "state": "Succeeded"}});
    shoot["spec"]["kubernetes"] = json!({"version": "1.32.0"});
    shoot["spec"]["dns"]["somethingNew"] = json!(1);
    shoot["spec"]["extensions"][1]["providerConfig"] = json!({
        "dnsProviderReplication": {"enabled": true},
        "useNextGenerationController": true,
        "providers": [{"type": "x"}],
        "syncProvidersFromShootSpecDNS": true,
        "unknown": "dropped",
    });
    let mutated = mutated(&shoot);
    for key in ["apiVersion", "kind", "metadata", "status"] {
        assert_eq!(mutated[key], shoot[key], "{key}");
    }
    assert_eq!(mutated["spec"]["kubernetes"], shoot["spec"]["kubernetes"]);
    assert_eq!(mutated["spec"]["dns"], shoot["spec"]["dns"]);
    assert_eq!(
        mutated["spec"]["extensions"][0],
        shoot["spec"]["extensions"][0]
    );
    assert_eq!(
        config_of(&mutated),
        dns_config(json!({
            "dnsProviderReplication": {"enabled": true},
            "useNextGenerationController": true,
            "providers": [{"type": "aws-route53", "credentials": "shoot-dns-service-my-secret2", "zones": {"include": ["Z1234"]}}],
        }))
    );
    assert_eq!(
        mutated["spec"]["resources"],
        json!([additional_resource(), other_resource()])
    );
}

#[test]
fn listed_providers_without_sync_flag_are_left_alone() {
    let mut shoot = with_providers(base(), json!([additional()]));
    shoot["spec"]["extensions"] =
        json!([{"type": "shoot-dns-service", "providerConfig": {"providers": []}}]);
    assert_eq!(mutate_shoot(&shoot), Ok(None));
    // `providers: null` is no list: syncing is on.
    shoot["spec"]["extensions"][0]["providerConfig"] = json!({"providers": null});
    assert!(mutate_shoot(&shoot).unwrap().is_some());
}

#[test]
fn the_same_new_secret_twice_is_appended_twice() {
    let shoot = mutated(&with_providers(
        base(),
        json!([primary_default_legacy(), {"type": "aws-route53", "secretName": "my-secret1"}]),
    ));
    assert_eq!(
        shoot["spec"]["resources"],
        json!([primary_resource(), primary_resource()])
    );
}

#[test]
fn a_provider_without_credentials_gets_no_resource() {
    let shoot = mutated(&with_providers(
        with_resources(),
        json!([{"type": "aws-route53"}]),
    ));
    assert_eq!(
        config_of(&shoot),
        dns_config(json!({"providers": [{"type": "aws-route53"}]}))
    );
    assert_eq!(shoot["spec"]["resources"], json!([other_resource()]));
}

#[test]
fn resources_that_all_go_leave_no_list() {
    let mut shoot = with_resources();
    shoot["spec"]["resources"] = json!([resource("shoot-dns-service-old", secret_ref("old"))]);
    let shoot = mutated(&shoot);
    assert_eq!(shoot["spec"].get("resources"), None);
}

#[test]
fn the_first_entry_of_the_extension_is_used() {
    let mut shoot = with_providers(base(), json!([primary_default_legacy()]));
    shoot["spec"]["extensions"] = json!([
        {"type": "shoot-dns-service"},
        {"type": "shoot-dns-service", "disabled": true, "providerConfig": {"syncProvidersFromShootSpecDNS": false}},
    ]);
    let mutated = mutated(&shoot);
    assert_eq!(
        mutated["spec"]["extensions"][1],
        shoot["spec"]["extensions"][1]
    );
    assert_eq!(
        mutated["spec"]["extensions"][0]["providerConfig"]["providers"][0]["secretName"],
        json!("shoot-dns-service-my-secret1")
    );
}

#[test]
fn a_provider_config_that_is_not_an_object_is_an_error() {
    let mut shoot = base();
    shoot["spec"]["extensions"] = json!([{"type": "shoot-dns-service", "providerConfig": "{\"syncProvidersFromShootSpecDNS\": true}"}]);
    let error = mutate_shoot(&shoot).unwrap_err();
    assert_eq!(
        error.to_string(),
        "failed to decode shoot-dns-service provider config: expected a DNSConfig object, found a string"
    );
}

#[test]
fn a_malformed_dns_section_is_an_error() {
    let shoot = with_providers(base(), json!("aws"));
    let error = mutate_shoot(&shoot).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("invalid shoot: field spec.dns.providers: invalid type: string"),
        "{error}"
    );
    let mut shoot = base();
    shoot["spec"]["resources"] = json!({"name": "x"});
    assert_eq!(
        mutate_shoot(&shoot).unwrap_err().to_string(),
        "invalid shoot: field spec.resources: expected a list, found an object"
    );
    // `null` lists are absent ones.
    let shoot = with_providers(base(), Value::Null);
    assert!(mutate_shoot(&shoot).unwrap().is_some());
}
