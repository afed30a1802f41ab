//! DNSConfig decoding, validation and the shoot mutator on arbitrary input: the input is read as
//! JSON (a provider config, or a list of providers) and put into a Shoot with some named
//! resources, Secrets and WorkloadIdentities. Nothing may panic; mutating a mutated shoot
//! changes nothing; a config that decodes strictly also decodes leniently to the same value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use shoot_dns::extension::checks::GardenerChecks;
use shoot_dns::extension::decode::{decode_config, decode_config_strict};
use shoot_dns::extension::mutate::mutate_shoot;
use shoot_dns::extension::validate::{ProjectObjects, ValidationOptions, validate_shoot};
use shoot_dns::extension::{Shoot, validate_dns_config};

fn shoot(provider_config: Value, dns_providers: Value) -> Value {
    json!({
        "apiVersion": "core.gardener.cloud/v1beta1", "kind": "Shoot",
        "metadata": {"name": "s", "namespace": "garden-p"},
        "spec": {
            "dns": {"domain": "s.example.com", "providers": dns_providers},
            "extensions": [{"type": "shoot-dns-service", "providerConfig": provider_config}],
            "resources": [
                {"name": "secret", "resourceRef": {"apiVersion": "v1", "kind": "Secret", "name": "creds"}},
                {"name": "wi", "resourceRef": {"apiVersion": "security.gardener.cloud/v1alpha1", "kind": "WorkloadIdentity", "name": "id"}},
                {"name": "other", "resourceRef": {"apiVersion": "v1", "kind": "ConfigMap", "name": "cm"}},
            ],
        },
    })
}

fn objects() -> ProjectObjects {
    let mut objects = ProjectObjects::default();
    let secret = serde_json::from_value(json!({
        "metadata": {"name": "creds", "namespace": "garden-p"},
        "stringData": {"AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}
    }))
    .unwrap();
    objects.secrets.insert("creds".into(), secret);
    let identity = serde_json::from_value(json!({
        "metadata": {"name": "id", "namespace": "garden-p"},
        "spec": {"targetSystem": {"type": "aws", "providerConfig": {"apiVersion": "aws.provider.extensions.gardener.cloud/v1alpha1", "kind": "WorkloadIdentityConfig"}}}
    }))
    .unwrap();
    objects.workload_identities.insert("id".into(), identity);
    objects
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let lenient = decode_config(&value);
    if let Ok(strict) = decode_config_strict(Some(&value)) {
        let lenient = lenient.as_ref().expect("strict implies lenient");
        assert_eq!(
            serde_json::to_value(lenient).unwrap(),
            serde_json::to_value(&strict).unwrap()
        );
    }
    let checks = GardenerChecks::default();
    let options = ValidationOptions::default();
    if let Ok(config) = &lenient {
        let _ = validate_dns_config(config, None, None, &checks, &options);
    }
    // The value as a provider config, and as the shoot's own DNS providers.
    let dns_providers = if value.is_array() {
        value.clone()
    } else {
        json!([])
    };
    for raw in [
        shoot(value.clone(), json!([])),
        shoot(json!({}), dns_providers),
    ] {
        if let Ok(typed) = serde_json::from_value::<Shoot>(raw.clone()) {
            let _ = validate_shoot(&typed, None, &objects(), &checks, &options);
        }
        if let Ok(Some(mutated)) = mutate_shoot(&raw) {
            match mutate_shoot(&mutated) {
                Ok(None) => {}
                Ok(Some(again)) => assert_eq!(again, mutated, "mutation is not idempotent"),
                Err(e) => panic!("a mutated shoot does not mutate again: {e}"),
            }
            if let Ok(typed) = serde_json::from_value::<Shoot>(mutated) {
                let _ = validate_shoot(&typed, None, &objects(), &checks, &options);
            }
        }
    }
});
