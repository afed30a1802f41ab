//! Properties: the mutator is idempotent, and decoding, validation and mutation never panic on
//! arbitrary provider configs and shoots.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::fake::FakeObjects;
use crate::extension::Shoot;
use crate::extension::decode::{decode_config, decode_config_strict};
use crate::extension::mutate::mutate_shoot;
use crate::extension::shoot::NamedResourceReference;
use crate::extension::validate::{ValidationOptions, validate_dns_config, validate_shoot};

const WORDS: &[&str] = &[
    "",
    "x",
    "aws-route53",
    "google-clouddns",
    "dummy",
    "Secret",
    "WorkloadIdentity",
    "ConfigMap",
    "v1",
    "security.gardener.cloud/v1alpha1",
    "a",
    "shoot-dns-service-a",
    "foo.example.com",
];

const KEYS: &[&str] = &[
    "providers",
    "type",
    "secretName",
    "credentials",
    "domains",
    "zones",
    "include",
    "exclude",
    "syncProvidersFromShootSpecDNS",
    "dnsProviderReplication",
    "enabled",
    "useNextGenerationController",
    "apiVersion",
    "kind",
    "name",
    "junk",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(WORDS).prop_map(str::to_owned),
        1 => "[a-z\\-\"\\\\ ]{0,6}",
    ]
}

/// Small JSON values whose keys are mostly the DNSConfig's.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..300).prop_map(Value::from),
        word().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    proptest::sample::select(KEYS).prop_map(str::to_owned),
                    inner
                ),
                0..5
            )
            .prop_map(|members| Value::Object(members.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn optional<T: std::fmt::Debug + Clone + 'static>(
    strategy: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Option<T>> {
    prop_oneof![Just(None), strategy.prop_map(Some)].boxed()
}

fn reference() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(&["Secret", "WorkloadIdentity", "ConfigMap"][..]),
        proptest::sample::select(&["v1", "security.gardener.cloud/v1alpha1", "v2"][..]),
        proptest::sample::select(&["a", "b", ""][..]),
    )
        .prop_map(|(kind, api_version, name)| json!({"kind": kind, "apiVersion": api_version, "name": name}))
}

fn selection() -> impl Strategy<Value = Value> {
    (
        optional(prop::collection::vec(word(), 0..2)),
        optional(prop::collection::vec(word(), 0..2)),
    )
        .prop_map(|(include, exclude)| {
            let mut lists = Map::new();
            if let Some(include) = include {
                lists.insert("include".into(), json!(include));
            }
            if let Some(exclude) = exclude {
                lists.insert("exclude".into(), json!(exclude));
            }
            Value::Object(lists)
        })
}

fn shoot_provider() -> impl Strategy<Value = Value> {
    (
        optional(word()),
        optional(any::<bool>()),
        optional(proptest::sample::select(&["a", "b", ""][..])),
        optional(reference()),
        optional(selection()),
        optional(selection()),
    )
        .prop_map(
            |(provider_type, primary, secret_name, credentials_ref, domains, zones)| {
                let mut provider = Map::new();
                let mut put = |key: &str, value: Option<Value>| {
                    if let Some(value) = value {
                        provider.insert(key.to_owned(), value);
                    }
                };
                put("type", provider_type.map(Value::from));
                put("primary", primary.map(Value::from));
                put("secretName", secret_name.map(Value::from));
                put("credentialsRef", credentials_ref);
                put("domains", domains);
                put("zones", zones);
                Value::Object(provider)
            },
        )
}

fn dns_config() -> impl Strategy<Value = Value> {
    prop_oneof![
        json_value(),
        (
            optional(any::<bool>()),
            optional(prop::collection::vec(shoot_provider(), 0..2))
        )
            .prop_map(|(sync, providers)| json!({
                "syncProvidersFromShootSpecDNS": sync,
                "providers": providers,
                "useNextGenerationController": true,
            })),
    ]
}

fn extension() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(&["shoot-dns-service", "shoot-cert-service"][..]),
        optional(any::<bool>()),
        optional(dns_config()),
    )
        .prop_map(|(extension_type, disabled, config)| {
            let mut extension = json!({"type": extension_type});
            if let Some(disabled) = disabled {
                extension["disabled"] = json!(disabled);
            }
            if let Some(config) = config {
                extension["providerConfig"] = config;
            }
            extension
        })
}

fn named_resource() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(
            &[
                "shoot-dns-service-a",
                "shoot-dns-service-b",
                "shoot-dns-service-",
                "other",
            ][..],
        ),
        reference(),
    )
        .prop_map(|(name, reference)| json!({"name": name, "resourceRef": reference}))
}

fn last_operation() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(&["Create", "Reconcile", "Migrate"][..]),
        proptest::sample::select(&["Processing", "Succeeded", "Error"][..]),
    )
        .prop_map(|(operation, state)| json!({"type": operation, "state": state}))
}

fn shoot() -> impl Strategy<Value = Value> {
    (
        optional(optional(Just("foo.example.com"))),
        prop::collection::vec(shoot_provider(), 0..4),
        prop::collection::vec(extension(), 0..3),
        optional(prop::collection::vec(named_resource(), 0..4)),
        optional(last_operation()),
    )
        .prop_map(|(dns, providers, extensions, resources, operation)| {
            let mut shoot = json!({
                "apiVersion": "core.gardener.cloud/v1beta1",
                "kind": "Shoot",
                "metadata": {"name": "bar", "namespace": "garden-foo"},
                "spec": {"extensions": extensions, "kubernetes": {"version": "1.32.0"}},
            });
            if let Some(domain) = dns {
                shoot["spec"]["dns"] = json!({"domain": domain, "providers": providers});
            }
            if let Some(resources) = resources {
                shoot["spec"]["resources"] = json!(resources);
            }
            if let Some(operation) = operation {
                shoot["status"] = json!({"lastOperation": operation});
            }
            shoot
        })
}

fn objects() -> FakeObjects {
    FakeObjects::default()
        .with_secret("a", &[("accessKeyID", "k"), ("secretAccessKey", "s")])
        .with_identity(
            "b",
            json!({"targetSystem": {"type": "aws", "providerConfig": {}}}),
        )
}

proptest! {
    #[test]
    fn mutation_is_idempotent(shoot in shoot()) {
        if let Ok(Some(mutated)) = mutate_shoot(&shoot) {
            prop_assert_ne!(&mutated, &shoot);
            prop_assert_eq!(mutate_shoot(&mutated), Ok(None));
            // Everything outside spec.extensions and spec.resources is as it was.
            for key in ["apiVersion", "kind", "metadata", "status"] {
                prop_assert_eq!(&mutated[key], &shoot[key]);
            }
            prop_assert_eq!(&mutated["spec"]["dns"], &shoot["spec"]["dns"]);
        }
    }

    #[test]
    fn decoding_and_validation_never_panic(raw in json_value(), resources in prop::collection::vec(named_resource(), 0..4)) {
        let _ = decode_config_strict(Some(&raw));
        let resources: Vec<NamedResourceReference> =
            serde_json::from_value(Value::Array(resources)).expect("named resources");
        if let Ok(config) = decode_config(&raw) {
            let objects = objects();
            let _ = validate_dns_config(
                &config,
                Some(&resources),
                Some(&objects),
                &crate::extension::checks::GardenerChecks::default(),
                &ValidationOptions::default(),
            );
        }
        let new: Shoot = serde_json::from_value(json!({"spec": {
            "extensions": [{"type": "shoot-dns-service", "providerConfig": raw}],
            "resources": resources,
        }}))
        .expect("a Shoot");
        let result = validate_shoot(&new, Some(&new), &objects(), &crate::extension::checks::GardenerChecks::default(), &ValidationOptions::default());
        if let Err(error) = result {
            prop_assert!(!error.to_string().is_empty());
        }
        let _ = validate_shoot(&new, None, &objects(), &crate::extension::checks::GardenerChecks::default(), &ValidationOptions::default());
    }

    #[test]
    fn mutation_never_panics(config in json_value(), spec in json_value(), shoot in shoot()) {
        let mut with_config = shoot;
        with_config["spec"]["extensions"] = json!([{"type": "shoot-dns-service", "providerConfig": config}]);
        let _ = mutate_shoot(&with_config);
        let _ = mutate_shoot(&json!({"spec": spec}));
        let _ = mutate_shoot(&json!({"spec": {"dns": spec, "resources": [1, {"name": 2}]}}));
    }
}
