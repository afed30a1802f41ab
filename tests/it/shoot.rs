//! `shoot-dns shoot validate|mutate|providers` on `examples/shoot/` (docs/command-line.md).

use serde_json::Value;

use crate::support::binary::{CRATE_ROOT, run_in};

/// Exit code, stdout, stderr of `shoot-dns shoot <args>` run in the crate root.
fn shoot(args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["shoot"];
    all.extend_from_slice(args);
    let run = run_in(CRATE_ROOT, &all, None);
    (run.code, run.stdout, run.stderr)
}

/// The examples' shoot after the mutator, in a file of its own.
fn mutated() -> tempfile_path::Path {
    let (code, stdout, stderr) = shoot(&["mutate", "examples/shoot/shoot.yaml"]);
    assert_eq!(code, Some(0), "{stderr}");
    tempfile_path::Path::with(&stdout)
}

mod tempfile_path {
    use crate::support::tempdir::TempDir;

    /// A file in a temporary directory of its own, both removed when dropped.
    pub struct Path {
        path: String,
        /// Held for its removal on drop.
        _dir: TempDir,
    }

    impl Path {
        pub fn with(text: &str) -> Self {
            let dir = TempDir::new("shoot");
            let path = dir.write("shoot.yaml", text);
            Self { path, _dir: dir }
        }

        pub fn as_str(&self) -> &str {
            &self.path
        }
    }
}

#[test]
fn mutate_syncs_the_providers_of_spec_dns() {
    let file = mutated();
    let text = std::fs::read_to_string(file.as_str()).expect("read");
    let object: Value = serde_yaml_ng::from_str(&text).expect("YAML");
    let config = &object["spec"]["extensions"][0]["providerConfig"];
    assert_eq!(config["kind"], "DNSConfig");
    assert_eq!(config["syncProvidersFromShootSpecDNS"], true);
    assert_eq!(config["dnsProviderReplication"]["enabled"], true);
    assert_eq!(
        config["providers"],
        serde_json::json!([{"type": "google-clouddns", "credentials": "shoot-dns-service-clouddns-credentials",
            "domains": {"include": ["my-own-domain.example.org"]}}])
    );
    assert_eq!(
        object["spec"]["resources"],
        serde_json::json!([{"name": "shoot-dns-service-clouddns-credentials",
            "resourceRef": {"apiVersion": "v1", "kind": "Secret", "name": "clouddns-credentials"}}])
    );
    // Everything else is kept.
    assert_eq!(object["status"]["technicalID"], "shoot--dev--crazy-botany");
    // Mutating again changes nothing.
    let (code, again, _) = shoot(&["mutate", file.as_str()]);
    assert_eq!(code, Some(0));
    assert_eq!(again, text);
}

#[test]
fn the_mutated_shoot_is_valid() {
    let file = mutated();
    let (code, stdout, stderr) = shoot(&[
        "validate",
        file.as_str(),
        "-f",
        "examples/shoot/secrets.yaml",
    ]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
}

#[test]
fn the_invalid_shoot_is_refused_with_field_errors() {
    let (code, stdout, _) = shoot(&[
        "validate",
        "-o",
        "json",
        "examples/shoot/invalid.yaml",
        "-f",
        "examples/shoot/secrets.yaml",
    ]);
    assert_eq!(code, Some(1));
    let errors: Vec<Value> = serde_json::from_str(&stdout).expect("a JSON list");
    let path = |i: usize, field: &str| {
        format!("spec.extensions.[@.type='shoot-dns-service'].providerConfig[{i}].{field}")
    };
    let lines: Vec<(String, String, String)> = errors
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap_or_default().to_owned(),
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["badValue"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let invalid =
        |field: String, value: &str| ("FieldValueInvalid".to_owned(), field, value.to_owned());
    assert_eq!(
        lines,
        [
            invalid(path(0, "type"), "aws-route54"),
            invalid(path(0, "type"), "aws-route54"),
            invalid(path(1, "secretName"), "my-secret"),
            invalid(path(1, "credentials"), "my-credentials"),
            invalid(path(2, "credentials"), "not-a-resource"),
            invalid(path(3, "secretName.ref"), "route53-incomplete"),
        ]
    );
    assert_eq!(
        errors[4]["detail"],
        "credentials is not defined as named resource references at 'spec.resources'"
    );
    let detail = errors[5]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with(
            "validation of secret data or provider config failed: validation failed for provider type aws-route53: at least one of the disjunct property sets must be fully provided"
        ),
        "{detail}"
    );
    // Without -o json: one `<field>: <message>` line per error.
    let (code, text, _) = shoot(&[
        "validate",
        "examples/shoot/invalid.yaml",
        "-f",
        "examples/shoot/secrets.yaml",
    ]);
    assert_eq!(code, Some(1));
    assert_eq!(text.lines().count(), 6);
    assert!(text.starts_with(&format!(
        "{}: Invalid value: \"aws-route54\": unsupported provider type.",
        path(0, "type")
    )));
    // With the Secret check switched off, the incomplete Secret passes.
    let (_, text, _) = shoot(&[
        "validate",
        "--disable-secret-validation",
        "examples/shoot/invalid.yaml",
        "-f",
        "examples/shoot/secrets.yaml",
    ]);
    assert!(!text.contains("route53-incomplete"), "{text}");
}

#[test]
fn providers_are_the_external_one_and_the_additional_one() {
    let file = mutated();
    let (code, stdout, stderr) = shoot(&[
        "providers",
        file.as_str(),
        "-f",
        "examples/shoot/seed.yaml",
        "--default-external-provider-entries-quota",
        "100",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let providers: Vec<Value> = shoot_dns::manifest::documents_str("out", &stdout)
        .expect("YAML")
        .into_iter()
        .filter(|d| !d.is_null())
        .collect();
    let names: Vec<&str> = providers
        .iter()
        .map(|p| p["metadata"]["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "external",
            "google-clouddns-shoot-dns-service-clouddns-credentials"
        ]
    );
    let external = &providers[0];
    assert_eq!(
        external["metadata"]["namespace"],
        "shoot--dev--crazy-botany"
    );
    assert_eq!(
        external["metadata"]["annotations"]["dns.gardener.cloud/realms"],
        "shoot--dev--crazy-botany,"
    );
    assert_eq!(external["spec"]["type"], "aws-route53");
    assert_eq!(
        external["spec"]["domains"],
        serde_json::json!({"include": ["crazy-botany.dev.example.com"], "exclude": ["api.crazy-botany.dev.example.com"]})
    );
    assert_eq!(external["spec"]["quotas"]["entries"], 100);
    assert_eq!(
        providers[1]["spec"]["secretRef"]["name"],
        "ref-clouddns-credentials"
    );
}

#[test]
fn without_the_dns_record_there_is_no_external_provider() {
    // COMPATIBILITY.md#d19: a clear error instead of a provider with an empty type and secret.
    let file = mutated();
    let (code, stdout, stderr) = shoot(&["providers", file.as_str()]);
    assert_eq!(code, Some(1));
    assert!(!stdout.contains("name: external"), "{stdout}");
    assert!(
        stderr.contains("DNSRecord shoot--dev--crazy-botany/crazy-botany-external not found"),
        "{stderr}"
    );
}

#[test]
fn a_file_without_a_shoot_is_a_clear_error() {
    let (code, _, stderr) = shoot(&["validate", "examples/shoot/secrets.yaml"]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("no Shoot"), "{stderr}");
}

#[test]
fn providers_of_the_shoot_as_written_are_those_of_the_admitted_shoot() {
    // The extension reads the Shoot after the mutator: the additional provider comes from
    // spec.dns.providers even though the DNSConfig lists none.
    let (code, stdout, stderr) = shoot(&[
        "providers",
        "examples/shoot/shoot.yaml",
        "-f",
        "examples/shoot/seed.yaml",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("name: external"), "{stdout}");
    assert!(
        stdout.contains("name: google-clouddns-shoot-dns-service-clouddns-credentials"),
        "{stdout}"
    );
    assert!(stdout.contains("- my-own-domain.example.org"), "{stdout}");
}

#[test]
fn the_shoot_as_written_is_valid() {
    let (code, stdout, stderr) = shoot(&["validate", "examples/shoot/shoot.yaml"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""), "{stderr}");
}
