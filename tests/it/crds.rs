//! `shoot-dns crds` against Gardener's CustomResourceDefinitions
//! (tests/data/gardener-examples/crds/): the same names, scope, versions, subresources and
//! printer columns, and schemas in which every field of Gardener's has the same type, format,
//! enum, bounds and required-ness. Each difference is named; the deliberate ones are listed in
//! [`ALLOWED`], each with its row in COMPATIBILITY.md.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::binary::{CRATE_ROOT, run_in};

/// Gardener's definitions, one file each.
const GARDENER: [(&str, &str); 4] = [
    ("DNSEntry", "crd-dns.gardener.cloud_dnsentries.yaml"),
    ("DNSProvider", "crd-dns.gardener.cloud_dnsproviders.yaml"),
    (
        "DNSAnnotation",
        "crd-dns.gardener.cloud_dnsannotations.yaml",
    ),
    (
        "DNSHostedZonePolicy",
        "crd-dns.gardener.cloud_dnshostedzonepolicies.yaml",
    ),
];

/// Differences on purpose: the difference as [`compare`] words it, and the anchor of the row in
/// COMPATIBILITY.md that says why.
const ALLOWED: &[(&str, &str)] = &[];

/// Schema keywords compared wherever Gardener's schema has them (`type` and
/// `x-kubernetes-preserve-unknown-fields` everywhere).
const BOUNDS: [&str; 9] = [
    "format",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "maxItems",
    "minProperties",
    "maxProperties",
];

fn parse_documents(yaml: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(yaml)
        .map(|doc| serde::Deserialize::deserialize(doc).unwrap_or_else(|e| panic!("not YAML: {e}")))
        .collect()
}

fn ours() -> Vec<Value> {
    let args = ["crds"];
    let run = run_in(CRATE_ROOT, &args, None).expect_code(0, &args);
    assert!(run.stderr.is_empty(), "stderr: {}", run.stderr);
    parse_documents(&run.stdout)
}

fn gardener(file: &str) -> Value {
    let path = Path::new(CRATE_ROOT)
        .join("tests/data/gardener-examples/crds")
        .join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut docs = parse_documents(&text);
    assert_eq!(docs.len(), 1, "{path:?}");
    docs.remove(0)
}

#[test]
fn crds_prints_four_custom_resource_definitions() {
    let docs = ours();
    let kinds: Vec<_> = docs
        .iter()
        .map(|doc| {
            assert_eq!(doc["apiVersion"], "apiextensions.k8s.io/v1");
            assert_eq!(doc["kind"], "CustomResourceDefinition");
            doc["spec"]["names"]["kind"].as_str().expect("a kind")
        })
        .collect();
    let expected: Vec<_> = GARDENER.iter().map(|(kind, _)| *kind).collect();
    assert_eq!(kinds, expected);
}

#[test]
fn crds_match_gardeners() {
    let ours = ours();
    let mut differences = Vec::new();
    for (kind, file) in GARDENER {
        let theirs = gardener(file);
        let Some(mine) = ours.iter().find(|d| d["spec"]["names"]["kind"] == kind) else {
            differences.push(format!("{kind}: missing in ours"));
            continue;
        };
        compare(kind, &theirs, mine, &mut differences);
    }

    let allowed: BTreeSet<&str> = ALLOWED.iter().map(|(difference, _)| *difference).collect();
    let unexpected: Vec<&String> = differences
        .iter()
        .filter(|d| !allowed.contains(d.as_str()))
        .collect();
    let stale: Vec<&&str> = allowed
        .iter()
        .filter(|a| !differences.iter().any(|d| d == **a))
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "differences from Gardener's CRDs:\n{}\nallowed but no longer found:\n{}",
        unexpected
            .iter()
            .map(|d| format!("  {d}"))
            .collect::<Vec<_>>()
            .join("\n"),
        stale
            .iter()
            .map(|d| format!("  {d}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
}

#[test]
fn allowed_differences_are_documented() {
    let compatibility = std::fs::read_to_string(Path::new(CRATE_ROOT).join("COMPATIBILITY.md"))
        .expect("COMPATIBILITY.md");
    for (difference, anchor) in ALLOWED {
        assert!(
            compatibility.contains(&format!("<a id=\"{anchor}\"></a>")),
            "{difference}: no anchor {anchor} in COMPATIBILITY.md"
        );
    }
}

/// Appends each difference between Gardener's definition of `kind` and ours.
fn compare(kind: &str, theirs: &Value, ours: &Value, differences: &mut Vec<String>) {
    let differ = |differences: &mut Vec<String>, what: &str, a: &Value, b: &Value| {
        if a != b {
            differences.push(format!("{kind} {what}: {a} in Gardener's, {b} in ours"));
        }
    };
    let (t, o) = (&theirs["spec"], &ours["spec"]);
    differ(
        differences,
        "metadata.name",
        &theirs["metadata"]["name"],
        &ours["metadata"]["name"],
    );
    differ(differences, "group", &t["group"], &o["group"]);
    differ(differences, "scope", &t["scope"], &o["scope"]);
    for name in ["kind", "listKind", "plural", "singular", "shortNames"] {
        differ(
            differences,
            &format!("names.{name}"),
            &t["names"][name],
            &o["names"][name],
        );
    }
    let versions = |spec: &Value| -> Value {
        let list = spec["versions"].as_array().cloned().unwrap_or_default();
        list.iter()
            .map(|v| serde_json::json!([v["name"], v["served"], v["storage"]]))
            .collect()
    };
    differ(
        differences,
        "versions (name, served, storage)",
        &versions(t),
        &versions(o),
    );
    let empty = Vec::new();
    for theirs in t["versions"].as_array().unwrap_or(&empty) {
        let name = theirs["name"].as_str().unwrap_or("?");
        let Some(ours) = o["versions"]
            .as_array()
            .and_then(|vs| vs.iter().find(|v| v["name"] == name))
        else {
            continue;
        };
        differ(
            differences,
            &format!("{name} subresources"),
            &theirs["subresources"],
            &ours["subresources"],
        );
        let columns = |v: &Value| -> Value {
            let list = v["additionalPrinterColumns"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            list.iter()
                .map(|c| serde_json::json!([c["name"], c["type"], c["jsonPath"]]))
                .collect()
        };
        differ(
            differences,
            &format!("{name} printer columns (name, type, jsonPath)"),
            &columns(theirs),
            &columns(ours),
        );
        let schema = |v: &Value| v["schema"]["openAPIV3Schema"].clone();
        walk(
            &format!("{kind} {name}"),
            "",
            &schema(theirs),
            &schema(ours),
            differences,
        );
    }
}

/// Compares the schema of one field (`path`, empty for the object) and, recursively, its
/// properties, items and map values.
fn walk(prefix: &str, path: &str, theirs: &Value, ours: &Value, differences: &mut Vec<String>) {
    let at = if path.is_empty() { "(root)" } else { path };
    let mut differ = |what: &str, a: &Value, b: &Value| {
        if a != b {
            let show = |v: &Value| match v {
                Value::Null => "none".to_owned(),
                Value::String(s) => s.clone(),
                v => v.to_string(),
            };
            differences.push(format!(
                "{prefix} {at}: {what} {} in Gardener's, {} in ours",
                show(a),
                show(b)
            ));
        }
    };
    differ("type", &theirs["type"], &ours["type"]);
    differ("enum", &theirs["enum"], &ours["enum"]);
    let preserve =
        |s: &Value| Value::Bool(s["x-kubernetes-preserve-unknown-fields"] == Value::Bool(true));
    differ(
        "x-kubernetes-preserve-unknown-fields",
        &preserve(theirs),
        &preserve(ours),
    );
    for keyword in BOUNDS {
        if !theirs[keyword].is_null() {
            differ(keyword, &theirs[keyword], &ours[keyword]);
        }
    }

    let names = |s: &Value, key: &str| -> BTreeSet<String> {
        match &s[key] {
            Value::Object(map) => map.keys().cloned().collect(),
            Value::Array(list) => list
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => BTreeSet::new(),
        }
    };
    let (their_required, our_required) = (names(theirs, "required"), names(ours, "required"));
    let (their_fields, our_fields) = (names(theirs, "properties"), names(ours, "properties"));
    for field in their_fields.union(&our_fields) {
        let child = if path.is_empty() {
            field.clone()
        } else {
            format!("{path}.{field}")
        };
        match (their_fields.contains(field), our_fields.contains(field)) {
            (true, false) => {
                differences.push(format!("{prefix} {child}: missing in ours"));
                continue;
            }
            (false, true) => {
                differences.push(format!("{prefix} {child}: not in Gardener's"));
                continue;
            }
            _ => {}
        }
        let required = |set: &BTreeSet<String>| {
            Value::from(if set.contains(field) {
                "required"
            } else {
                "optional"
            })
        };
        if required(&their_required) != required(&our_required) {
            differences.push(format!(
                "{prefix} {child}: {} in Gardener's, {} in ours",
                required(&their_required).as_str().unwrap_or_default(),
                required(&our_required).as_str().unwrap_or_default(),
            ));
        }
        walk(
            prefix,
            &child,
            &theirs["properties"][field],
            &ours["properties"][field],
            differences,
        );
    }
    for (key, suffix) in [("items", "[]"), ("additionalProperties", "{}")] {
        match (theirs[key].is_object(), ours[key].is_object()) {
            (true, true) => walk(
                prefix,
                &format!("{path}{suffix}"),
                &theirs[key],
                &ours[key],
                differences,
            ),
            (false, false) => {}
            (a, _) => differences.push(format!(
                "{prefix} {at}: {key} {} in Gardener's, {} in ours",
                if a { "given" } else { "none" },
                if a { "none" } else { "given" },
            )),
        }
    }
}
