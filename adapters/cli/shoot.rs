//! `shoot-dns shoot validate|mutate|providers`: the extension's admission and the DNSProviders
//! it deploys, from manifests (docs/command-line.md, "Options of the `shoot` commands").

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde_json::Value;
use shoot_dns::api::Secret;
use shoot_dns::extension::validate::{ProjectObjects, ValidationOptions, validate_shoot};
use shoot_dns::extension::{Shoot, WorkloadIdentity};

/// The Shoot of a manifest file: its value as written, and typed.
pub struct ShootInput {
    /// As written (mutation keeps every field).
    pub value: Value,
    /// Typed.
    pub shoot: Shoot,
}

/// Reads the one Shoot of `path`.
pub fn read_shoot(path: &Path) -> Result<ShootInput, String> {
    let objects = read_objects(std::slice::from_ref(&path.to_path_buf()))?;
    let mut shoots = objects.into_iter().filter(|o| kind_of(o) == "Shoot");
    let value = shoots.next().ok_or_else(|| {
        format!(
            "{}: no Shoot (core.gardener.cloud/v1beta1) in it",
            path.display()
        )
    })?;
    if shoots.next().is_some() {
        return Err(format!("{}: more than one Shoot in it", path.display()));
    }
    let shoot: Shoot = serde_json::from_value(value.clone())
        .map_err(|e| format!("{}: not a valid Shoot: {e}", path.display()))?;
    Ok(ShootInput { value, shoot })
}

/// Every object of the manifests at `paths` (files, directories, `-`), `kind: List` items
/// included.
pub fn read_objects(paths: &[PathBuf]) -> Result<Vec<Value>, String> {
    let mut objects = Vec::new();
    for (name, text) in crate::input::read_texts(paths)? {
        for document in
            shoot_dns::manifest::documents_str(&name, &text).map_err(|e| e.to_string())?
        {
            flatten(document, &mut objects);
        }
    }
    Ok(objects)
}

fn flatten(value: Value, out: &mut Vec<Value>) {
    match value {
        Value::Object(ref map)
            if map.get("items").is_some_and(Value::is_array)
                && kind_of(&value).ends_with("List") =>
        {
            if let Some(Value::Array(items)) = value.get("items").cloned() {
                for item in items {
                    flatten(item, out);
                }
            }
        }
        Value::Object(_) => out.push(value),
        Value::Array(items) => items.into_iter().for_each(|i| flatten(i, out)),
        _ => {}
    }
}

fn kind_of(value: &Value) -> &str {
    value.get("kind").and_then(Value::as_str).unwrap_or("")
}

fn namespace_of(value: &Value) -> &str {
    value
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("default")
}

/// The Secrets and WorkloadIdentities of `namespace` among `objects`, by name.
pub fn project_objects(objects: &[Value], namespace: &str) -> Result<ProjectObjects, String> {
    let mut project = ProjectObjects::default();
    for object in objects.iter().filter(|o| namespace_of(o) == namespace) {
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        match kind_of(object) {
            "Secret" => {
                let secret: Secret = serde_json::from_value(object.clone())
                    .map_err(|e| format!("Secret {namespace}/{name}: {e}"))?;
                project.secrets.insert(name, secret);
            }
            "WorkloadIdentity" => {
                let identity: WorkloadIdentity = serde_json::from_value(object.clone())
                    .map_err(|e| format!("WorkloadIdentity {namespace}/{name}: {e}"))?;
                project.workload_identities.insert(name, identity);
            }
            _ => {}
        }
    }
    Ok(project)
}

/// `shoot validate`: exit 0 and nothing when valid; else exit 1 and the errors.
pub fn validate(
    shoot: &Path,
    extra: &[PathBuf],
    old: Option<&Path>,
    json: bool,
    disable_secret_validation: bool,
) -> Result<ExitCode, String> {
    let new = read_shoot(shoot)?;
    let old = old.map(read_shoot).transpose()?;
    let objects = read_objects(extra)?;
    let namespace = new.shoot.metadata.namespace_or_default().to_owned();
    let project = project_objects(&objects, &namespace)?;
    let options = ValidationOptions {
        disable_secret_validation,
    };
    let checks = shoot_dns::extension::checks::GardenerChecks::default();
    match validate_shoot(
        &new.shoot,
        old.as_ref().map(|o| &o.shoot),
        &project,
        &checks,
        &options,
    ) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            if json && !error.field_errors().is_empty() {
                let text = serde_json::to_string_pretty(error.field_errors())
                    .map_err(|e| e.to_string())?;
                println!("{text}");
            } else if json {
                let text = serde_json::to_string_pretty(&serde_json::json!([{
                    "type": "InternalError", "field": "", "detail": error.to_string()
                }]))
                .map_err(|e| e.to_string())?;
                println!("{text}");
            } else if error.field_errors().is_empty() {
                println!("{error}");
            } else {
                for e in error.field_errors() {
                    println!("{}: {}", e.field, e.body());
                }
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// `shoot mutate`: the Shoot after the mutator (as it was when the mutator changes nothing).
pub fn mutate(shoot: &Path) -> Result<ExitCode, String> {
    let input = read_shoot(shoot)?;
    let mutated = shoot_dns::extension::mutate::mutate_shoot(&input.value)
        .map_err(|e| format!("{}: {e}", shoot.display()))?;
    let text = serde_yaml_ng::to_string(mutated.as_ref().unwrap_or(&input.value))
        .map_err(|e| e.to_string())?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// The extension controller's settings that `shoot providers` takes as options.
pub struct ProviderOptions {
    /// `--default-external-provider-entries-quota`.
    pub quota: i64,
    /// `--default-external-provider-entries-quota-max`.
    pub quota_max: i64,
    /// `--replicate-dns-providers`.
    pub replicate: bool,
    /// `--seed-namespace`.
    pub seed_namespace: Option<String>,
}

/// `shoot--<project>--<name>`, the project being the Shoot's namespace without `garden-`.
fn default_seed_namespace(shoot: &Shoot) -> String {
    let namespace = shoot.metadata.namespace_or_default();
    let project = namespace.strip_prefix("garden-").unwrap_or(namespace);
    format!("shoot--{project}--{}", shoot.metadata.name_or_empty())
}

/// `shoot providers`: the DNSProviders the extension deploys in the seed namespace, as YAML
/// documents, for the Shoot as admission leaves it (mutated); the providers it deletes and any
/// error go to standard error (exit 1 on an error).
pub fn providers(
    shoot: &Path,
    extra: &[PathBuf],
    options: &ProviderOptions,
) -> Result<ExitCode, String> {
    use shoot_dns::extension::providers::{ControllerSettings, SeedNamespace, seed_providers};
    let mut input = read_shoot(shoot)?;
    // The extension sees the Shoot as admission left it: the mutator runs first.
    if let Some(mutated) = shoot_dns::extension::mutate::mutate_shoot(&input.value)
        .map_err(|e| format!("{}: {e}", shoot.display()))?
    {
        input.shoot = serde_json::from_value(mutated.clone())
            .map_err(|e| format!("{}: not a valid Shoot after mutation: {e}", shoot.display()))?;
        input.value = mutated;
    }
    let objects = read_objects(extra)?;
    let seed = options
        .seed_namespace
        .clone()
        .unwrap_or_else(|| default_seed_namespace(&input.shoot));
    // As the extension's actuator: strict decoding, then the checks that need no objects.
    let raw = shoot_dns::extension::decode::find_extension(&input.shoot)
        .and_then(|e| e.provider_config.as_ref());
    let config = shoot_dns::extension::decode::decode_config_strict(raw)
        .map_err(|e| format!("{}: {e}", shoot.display()))?;
    let checks = shoot_dns::extension::checks::GardenerChecks::default();
    let errors = shoot_dns::extension::validate_dns_config(
        &config,
        None,
        None,
        &checks,
        &ValidationOptions::default(),
    );
    if !errors.is_empty() {
        return Err(format!(
            "{}: {}",
            shoot.display(),
            shoot_dns::extension::field::aggregate(&errors)
        ));
    }
    let in_seed: Vec<&Value> = objects.iter().filter(|o| namespace_of(o) == seed).collect();
    let record_name = format!("{}-external", input.shoot.metadata.name_or_empty());
    let record = in_seed
        .iter()
        .find(|o| {
            kind_of(o) == "DNSRecord"
                && o.pointer("/metadata/name").and_then(Value::as_str) == Some(&record_name)
        })
        .map(|o| serde_json::from_value::<shoot_dns::extension::DnsRecord>((*o).clone()))
        .transpose()
        .map_err(|e| format!("DNSRecord {seed}/{record_name}: {e}"))?;
    let secrets = in_seed
        .iter()
        .filter(|o| kind_of(o) == "Secret")
        .filter_map(|o| o.pointer("/metadata/name").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    let existing = in_seed
        .iter()
        .filter(|o| kind_of(o) == "DNSProvider")
        .map(|o| serde_json::from_value((*o).clone()))
        .collect::<Result<Vec<shoot_dns::api::DnsProvider>, _>>()
        .map_err(|e| format!("a DNSProvider in {seed}: {e}"))?;
    let settings = ControllerSettings {
        replicate_dns_providers: options.replicate,
        default_external_provider_entries_quota: options.quota,
        default_external_provider_entries_quota_max: options.quota_max,
        ..ControllerSettings::default()
    };
    let namespace = SeedNamespace {
        name: &seed,
        record: record.as_ref(),
        secrets: &secrets,
        providers: &existing,
    };
    let result = seed_providers(&input.shoot, &config, &settings, &namespace);
    let mut out = String::new();
    for provider in &result.desired {
        out.push_str("---\n");
        out.push_str(&serde_yaml_ng::to_string(provider).map_err(|e| e.to_string())?);
    }
    print!("{out}");
    for name in &result.delete {
        eprintln!("shoot-dns: DNSProvider {seed}/{name} is deleted");
    }
    match result.error_text() {
        Some(error) => {
            eprintln!("shoot-dns: {error}");
            Ok(ExitCode::from(1))
        }
        None => Ok(ExitCode::SUCCESS),
    }
}
