//! The `shoot-dns` binary against docs/command-line.md: exit statuses, the JSON/YAML plan, options
//! and configuration, and per-object problems. Fixtures are under `tests/data/`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::binary::{CRATE_ROOT, Run, run_in};

/// Runs `shoot-dns` with `args` in the crate root, feeding `stdin` when given.
pub(crate) fn run_with_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_in(CRATE_ROOT, args, stdin)
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

/// Runs `args`, expects exit status 0, and returns stdout.
fn ok(args: &[&str]) -> String {
    let run = run(args);
    assert_eq!(
        run.code,
        Some(0),
        "shoot-dns {args:?} failed\nstdout:\n{}\nstderr:\n{}",
        run.stdout,
        run.stderr
    );
    run.stdout
}

/// `shoot-dns plan -o json <args>`, expecting success, parsed.
fn plan_json(args: &[&str]) -> Value {
    let mut all = vec!["plan", "-o", "json"];
    all.extend_from_slice(args);
    let stdout = ok(&all);
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("shoot-dns {all:?}: not JSON: {e}\n{stdout}"))
}

/// The path of a fixture under `tests/data/`.
fn data(name: &str) -> String {
    Path::new(CRATE_ROOT)
        .join("tests/data")
        .join(name)
        .display()
        .to_string()
}

fn entries(plan: &Value) -> &Vec<Value> {
    plan["entries"].as_array().expect("entries is a list")
}

fn events(plan: &Value) -> &Vec<Value> {
    plan["events"].as_array().expect("events is a list")
}

/// The entries with `spec.dnsName == dns_name`.
fn entries_for<'a>(plan: &'a Value, dns_name: &str) -> Vec<&'a Value> {
    entries(plan)
        .iter()
        .filter(|e| e["spec"]["dnsName"] == dns_name)
        .collect()
}

/// The one entry for `dns_name`.
fn entry_for<'a>(plan: &'a Value, dns_name: &str) -> &'a Value {
    match entries_for(plan, dns_name).as_slice() {
        [entry] => entry,
        other => panic!(
            "expected one entry for {dns_name}, found {}: {:#}",
            other.len(),
            plan["entries"]
        ),
    }
}

fn dns_names(plan: &Value) -> Vec<&str> {
    entries(plan)
        .iter()
        .map(|e| e["spec"]["dnsName"].as_str().expect("a dnsName"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The README's first command and the seed Ingress
// ---------------------------------------------------------------------------------------------

#[test]
fn readme_first_command_lists_every_annotated_name() {
    let table = ok(&["plan", "examples/manifests/"]);
    for name in [
        "special.example.com",
        "amazing.example.com",
        "www.example.com",
        "_verify.example.com",
    ] {
        assert!(
            table.lines().any(|line| line.contains(name)),
            "{name} missing from the table:\n{table}"
        );
    }
    let header = table.lines().next().unwrap_or_default();
    for column in ["NAME", "DNS"] {
        assert!(header.contains(column), "header {header:?}");
    }
}

#[test]
fn seed_ingress_json() {
    let plan = plan_json(&[&data("seed-ingress.yaml")]);
    let object = plan.as_object().expect("the plan is a JSON object");
    for key in ["entries", "providers", "events", "changes", "records"] {
        assert!(object.contains_key(key), "key {key} missing: {plan:#}");
    }
    let entry = entry_for(&plan, "special.example.com");
    assert_eq!(entries(&plan).len(), 1, "{plan:#}");
    assert_eq!(entry["apiVersion"], "dns.gardener.cloud/v1alpha1");
    assert_eq!(entry["kind"], "DNSEntry");
    assert_eq!(entry["spec"]["ttl"], 600);
    assert_eq!(
        entry["spec"]["targets"],
        serde_json::json!(["203.0.113.10", "203.0.113.11"])
    );
    let metadata = &entry["metadata"];
    assert_eq!(metadata["generateName"], "amazing-ingress-ingress-");
    assert_eq!(metadata["namespace"], "default");
    assert!(metadata.get("name").is_none(), "{metadata:#}");
    assert_eq!(
        metadata["annotations"]["dns.gardener.cloud/class"], "garden",
        "{metadata:#}"
    );
    assert!(
        metadata["annotations"]
            .get("resources.gardener.cloud/owners")
            .is_none(),
        "same namespace: an owner reference, no owners annotation: {metadata:#}"
    );
    let owners = metadata["ownerReferences"]
        .as_array()
        .expect("ownerReferences");
    assert_eq!(owners.len(), 1, "{metadata:#}");
    let owner = &owners[0];
    assert_eq!(owner["apiVersion"], "networking.k8s.io/v1");
    assert_eq!(owner["kind"], "Ingress");
    assert_eq!(owner["name"], "amazing-ingress");
    assert_eq!(owner["controller"], true);
    // The event on the Ingress.
    assert!(
        events(&plan)
            .iter()
            .any(|e| e["involvedObject"]["kind"] == "Ingress"
                && e["involvedObject"]["name"] == "amazing-ingress"
                && e["reason"] == "DNSEntryCreated"),
        "{:#}",
        plan["events"]
    );
}

#[test]
fn yaml_output_is_the_json_output() {
    let seed = data("seed-ingress.yaml");
    for input in [seed.as_str(), "examples/manifests/"] {
        let json = plan_json(&[input]);
        let yaml = ok(&["plan", "-o", "yaml", input]);
        let from_yaml: Value = serde_yaml_ng::from_str(&yaml)
            .unwrap_or_else(|e| panic!("{input}: -o yaml is not YAML: {e}\n{yaml}"));
        assert_eq!(from_yaml, json, "{input}: YAML and JSON differ");
    }
}

#[test]
fn same_input_gives_byte_identical_output() {
    for format in ["json", "yaml", "table"] {
        let args = ["plan", "-o", format, "examples/manifests/"];
        assert_eq!(ok(&args), ok(&args), "-o {format}");
    }
}

#[test]
fn stdin_gives_the_same_as_the_file() {
    let seed = data("seed-ingress.yaml");
    let text = std::fs::read(&seed).expect("the fixture");
    for format in ["json", "yaml"] {
        let from_file = ok(&["plan", "-o", format, &seed]);
        let from_stdin = run_with_stdin(&["plan", "-o", format, "-"], Some(&text));
        assert_eq!(from_stdin.code, Some(0), "{}", from_stdin.stderr);
        assert_eq!(from_stdin.stdout, from_file, "-o {format}");
    }
}

#[test]
fn directory_gives_the_same_as_its_files() {
    let dir = Path::new(CRATE_ROOT).join("examples/manifests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/manifests")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    let files: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let mut one_by_one = vec!["plan", "-o", "json"];
    one_by_one.extend(files.iter().map(String::as_str));
    let dir = dir.display().to_string();
    assert_eq!(ok(&one_by_one), ok(&["plan", "-o", "json", &dir]));
}

// ---------------------------------------------------------------------------------------------
// --class, --target-namespace and --config
// ---------------------------------------------------------------------------------------------

#[test]
fn class_flag_selects_the_objects() {
    let seed = data("seed-ingress.yaml");
    let plain = data("default-class-service.yaml");
    // The default class of the command line is `garden`.
    let plan = plan_json(&[&seed, &plain]);
    assert_eq!(dns_names(&plan), ["special.example.com"]);
    let plan = plan_json(&["--class", "garden", &seed, &plain]);
    assert_eq!(dns_names(&plan), ["special.example.com"]);
    // `--class gardendns`: objects without a class annotation; the `garden` Ingress is not ours.
    let plan = plan_json(&["--class", "gardendns", &seed, &plain]);
    assert_eq!(dns_names(&plan), ["plain.example.com"]);
    let entry = entry_for(&plan, "plain.example.com");
    assert!(
        entry["metadata"]["annotations"]
            .get("dns.gardener.cloud/class")
            .is_none(),
        "entries of the default class carry no class annotation: {entry:#}"
    );
}

#[test]
fn config_class_without_class_flag_makes_garden_objects_irrelevant() {
    let plan = plan_json(&[
        "-c",
        &data("config-gardendns.yaml"),
        &data("seed-ingress.yaml"),
        &data("default-class-service.yaml"),
    ]);
    assert_eq!(dns_names(&plan), ["plain.example.com"], "{plan:#}");
    assert!(
        !events(&plan)
            .iter()
            .any(|e| e["involvedObject"]["name"] == "amazing-ingress"),
        "{:#}",
        plan["events"]
    );
    // controllers.source.targetNamespace of the file.
    let entry = entry_for(&plan, "plain.example.com");
    assert_eq!(entry["metadata"]["namespace"], "shoot--project--cluster");
    assert_eq!(
        entry["metadata"]["annotations"]["resources.gardener.cloud/owners"],
        "/Service/default/plain-svc"
    );
    assert!(entry["metadata"].get("ownerReferences").is_none());
}

#[test]
fn class_flag_overrides_the_config() {
    let plan = plan_json(&[
        "--config",
        &data("config-gardendns.yaml"),
        "--class",
        "garden",
        &data("seed-ingress.yaml"),
        &data("default-class-service.yaml"),
    ]);
    assert_eq!(dns_names(&plan), ["special.example.com"], "{plan:#}");
    let entry = entry_for(&plan, "special.example.com");
    assert_eq!(
        entry["metadata"]["annotations"]["dns.gardener.cloud/class"],
        "garden"
    );
    // The file's target namespace still applies: no flag overrides it.
    assert_eq!(entry["metadata"]["namespace"], "shoot--project--cluster");
}

#[test]
fn target_namespace_flag_overrides_the_config() {
    let plan = plan_json(&[
        "-c",
        &data("config-gardendns.yaml"),
        "--target-namespace",
        "other",
        &data("default-class-service.yaml"),
    ]);
    let entry = entry_for(&plan, "plain.example.com");
    assert_eq!(entry["metadata"]["namespace"], "other");
    assert_eq!(
        entry["metadata"]["annotations"]["resources.gardener.cloud/owners"],
        "/Service/default/plain-svc"
    );
}

#[test]
fn target_namespace_puts_entries_there_with_an_owners_annotation() {
    let plan = plan_json(&["--target-namespace", "other", &data("seed-ingress.yaml")]);
    let entry = entry_for(&plan, "special.example.com");
    let metadata = &entry["metadata"];
    assert_eq!(metadata["namespace"], "other");
    assert_eq!(metadata["generateName"], "amazing-ingress-ingress-");
    assert_eq!(
        metadata["annotations"]["resources.gardener.cloud/owners"],
        "networking.k8s.io/Ingress/default/amazing-ingress"
    );
    assert!(
        metadata.get("ownerReferences").is_none(),
        "no owner reference across namespaces: {metadata:#}"
    );
    // The source's own namespace as the target: an owner reference again.
    let plan = plan_json(&["--target-namespace", "default", &data("seed-ingress.yaml")]);
    let metadata = &entry_for(&plan, "special.example.com")["metadata"];
    assert_eq!(metadata["ownerReferences"][0]["name"], "amazing-ingress");
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

/// How an expected message is compared.
enum Message<'a> {
    Exact(&'a str),
    StartsWith(&'a str),
}

impl Message<'_> {
    fn matches(&self, text: &str) -> bool {
        match self {
            Self::Exact(m) => text == *m,
            Self::StartsWith(m) => text.starts_with(m),
        }
    }
}

/// The objects every `tests/data/bad/` file holds besides its bad one.
const OTHER_NAMES: [&str; 2] = ["good-svc.example.com", "good-entry.example.com"];

/// Plans `tests/data/bad/<file>`: exit 0, a Warning event on `kind default/name` whose message
/// matches, and the other objects of the file with their entries. Returns the plan.
fn assert_object_problem(file: &str, kind: &str, name: &str, message: Message<'_>) -> Value {
    let plan = plan_json(&[&data(&format!("bad/{file}"))]);
    let warnings: Vec<&Value> = events(&plan)
        .iter()
        .filter(|e| {
            e["type"] == "Warning"
                && e["involvedObject"]["kind"] == kind
                && e["involvedObject"]["namespace"] == "default"
                && e["involvedObject"]["name"] == name
        })
        .collect();
    assert!(
        warnings
            .iter()
            .any(|e| message.matches(e["message"].as_str().unwrap_or_default())),
        "{file}: no matching Warning on {kind} default/{name}: {:#}",
        plan["events"]
    );
    for other in OTHER_NAMES {
        let entry = entry_for(&plan, other);
        assert!(
            entry["status"].get("state").is_none_or(|s| s != "Invalid"),
            "{file}: {other} is invalid: {entry:#}"
        );
    }
    plan
}

/// A source object whose annotations are wrong: its Warning, and no entry of its own.
fn assert_source_problem(file: &str, kind: &str, name: &str, message: Message<'_>) {
    let plan = assert_object_problem(file, kind, name, message);
    let prefix = format!("{name}-{}-", kind.to_lowercase());
    assert!(
        !entries(&plan)
            .iter()
            .any(|e| e["metadata"]["generateName"] == prefix.as_str()),
        "{file}: {kind} {name} got an entry anyway: {:#}",
        plan["entries"]
    );
    assert_eq!(dns_names(&plan).len(), OTHER_NAMES.len(), "{file}");
}

/// An explicit DNSEntry that is not valid: state `Invalid` with the message, and the Warning.
fn assert_invalid_entry(file: &str, name: &str, message: Message<'_>) -> String {
    let plan = assert_object_problem(file, "DNSEntry", name, message);
    let entry = entries(&plan)
        .iter()
        .find(|e| e["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{file}: no entry {name}: {:#}", plan["entries"]));
    assert_eq!(entry["status"]["state"], "Invalid", "{file}: {entry:#}");
    entry["status"]["message"]
        .as_str()
        .expect("a status message")
        .to_owned()
}

#[test]
fn invalid_yaml_refuses_the_whole_input() {
    let file = data("bad/invalid-yaml.yaml");
    let run = run(&["plan", "-o", "json", &file]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.is_empty(), "nothing is written: {run:?}");
    let stderr = run.stderr.trim_end();
    assert!(stderr.contains(&file), "the file: {stderr}");
    assert!(stderr.contains("document 2"), "the document: {stderr}");
    // The broken document spans lines 16 to 25; the flow mapping opened on line 23 is never
    // closed.
    let line: usize = stderr
        .split_once(", line ")
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no line in {stderr:?}"));
    assert!((23..=26).contains(&line), "line {line}: {stderr}");
}

#[test]
fn unknown_kind_in_the_dns_group() {
    assert_object_problem(
        "unknown-kind.yaml",
        "DNSEntri",
        "typo",
        Message::Exact(
            "unknown kind \"DNSEntri\" in dns.gardener.cloud/v1alpha1: known kinds are \
             DNSEntry, DNSProvider and DNSAnnotation",
        ),
    );
}

#[test]
fn missing_metadata_name() {
    let plan = assert_object_problem(
        "missing-name.yaml",
        "Service",
        "",
        Message::StartsWith("metadata.name is missing"),
    );
    assert!(entries_for(&plan, "nameless.example.com").is_empty());
    assert_eq!(dns_names(&plan).len(), OTHER_NAMES.len());
}

#[test]
fn empty_dnsnames() {
    assert_source_problem(
        "empty-dnsnames.yaml",
        "Service",
        "empty-names",
        Message::Exact("empty value for annotation \"dns.gardener.cloud/dnsnames\""),
    );
}

#[test]
fn ttl_not_a_number() {
    assert_source_problem(
        "ttl-syntax.yaml",
        "Service",
        "ttl-abc",
        Message::Exact("invalid TTL: strconv.ParseInt: parsing \"abc\": invalid syntax"),
    );
}

#[test]
fn ttl_negative() {
    assert_source_problem(
        "ttl-negative.yaml",
        "Service",
        "ttl-negative",
        Message::StartsWith("invalid TTL: \"-5\" is out of range"),
    );
}

#[test]
fn ttl_out_of_64_bit_range() {
    assert_source_problem(
        "ttl-overflow.yaml",
        "Service",
        "ttl-overflow",
        Message::Exact(
            "invalid TTL: strconv.ParseInt: parsing \"99999999999999999999\": value out of range",
        ),
    );
}

#[test]
fn routing_policy_not_json() {
    assert_source_problem(
        "routing-policy-syntax.yaml",
        "Service",
        "policy-syntax",
        Message::Exact("invalid character 'n' looking for beginning of object key string"),
    );
}

#[test]
fn routing_policy_number_where_a_string_belongs() {
    assert_source_problem(
        "routing-policy-type.yaml",
        "Service",
        "policy-type",
        Message::StartsWith("json: cannot unmarshal number"),
    );
}

#[test]
fn entry_label_of_64_octets() {
    let message = assert_invalid_entry(
        "entry-label-too-long.yaml",
        "long-label",
        Message::StartsWith("validation failed: invalid DNSName:"),
    );
    assert!(
        message.contains("must be no more than 63 characters"),
        "{message}"
    );
}

#[test]
fn entry_wildcard_in_the_middle() {
    let message = assert_invalid_entry(
        "entry-wildcard-middle.yaml",
        "wildcard-middle",
        Message::StartsWith("validation failed: invalid DNSName:"),
    );
    assert!(message.contains("\"a.*.example.com\""), "{message}");
}

#[test]
fn entry_name_with_spaces() {
    let message = assert_invalid_entry(
        "entry-spaces.yaml",
        "spaces",
        Message::StartsWith("validation failed: invalid DNSName:"),
    );
    assert!(message.contains("\"my host.example.com\""), "{message}");
}

#[test]
fn entry_name_of_300_characters() {
    let message = assert_invalid_entry(
        "entry-name-too-long.yaml",
        "too-long",
        Message::StartsWith("validation failed: invalid DNSName:"),
    );
    assert!(
        message.contains("must be no more than 253 characters"),
        "{message}"
    );
}

#[test]
fn entry_target_not_a_host() {
    let message = assert_invalid_entry(
        "entry-bad-target.yaml",
        "bad-target",
        Message::StartsWith("validation failed: target 1"),
    );
    assert!(message.contains("\"not a host!\""), "{message}");
}

/// A target whose last label is all digits is neither an address nor a host name (RFC 1123
/// §2.1): the DNSEntry is `Invalid`, with the value in its message.
#[test]
fn an_entry_target_whose_last_label_is_all_digits() {
    let message = assert_invalid_entry(
        "entry-numeric-target.yaml",
        "numeric-target",
        Message::Exact(
            "validation failed: target 1: \"1.2.3.4.5.6\" is neither an IP address nor a valid \
             host name: its last label \"6\" is all digits, which a top-level domain never is \
             (RFC 1123 section 2.1)",
        ),
    );
    assert!(message.contains("1.2.3.4.5.6"), "{message}");
}

/// A load balancer that reports `999.1.1.1` as its ip: a Warning on the Service naming the
/// field and the value, no entry for it; the other objects plan.
#[test]
fn a_service_whose_load_balancer_ip_is_no_address() {
    assert_source_problem(
        "service-numeric-ip.yaml",
        "Service",
        "numeric-svc",
        Message::Exact(
            "status.loadBalancer.ingress[1].ip: \"999.1.1.1\" is neither an IP address nor a \
             valid host name: its last label \"1\" is all digits, which a top-level domain never \
             is (RFC 1123 section 2.1)",
        ),
    );
}

/// An Istio Gateway whose `dns.gardener.cloud/targets` holds `1.2.3.4.5.6`: a Warning naming
/// the annotation and the value, no entry for it; the other objects plan.
#[test]
fn an_istio_targets_annotation_with_a_name_of_digits() {
    assert_source_problem(
        "istio-numeric-targets.yaml",
        "Gateway",
        "numeric-gw",
        Message::StartsWith(
            "metadata.annotations[dns.gardener.cloud/targets]: \"1.2.3.4.5.6\" is neither an IP \
             address nor a valid host name",
        ),
    );
}

#[test]
fn wildcard_dnsnames_on_a_service() {
    assert_source_problem(
        "service-wildcard.yaml",
        "Service",
        "wildcard-svc",
        Message::Exact(
            "domain name annotation value \"*\" or \"all\" is not allowed for service objects",
        ),
    );
}

#[test]
fn dnsnames_not_declared_by_the_ingress() {
    assert_source_problem(
        "ingress-undeclared.yaml",
        "Ingress",
        "undeclared",
        Message::Exact("annotated dns names x.example.com not declared by ingress"),
    );
}

#[test]
fn null_annotations_are_no_annotations() {
    // Kubernetes reads a null map as an empty one; Gardener's examples rely on it
    // (external-dns-management/examples/40-entry-dns.yaml and others).
    let plan = plan_json(&["--class", "gardendns", &data("null-annotations.yaml")]);
    let warnings: Vec<&Value> = events(&plan)
        .iter()
        .filter(|e| e["type"] == "Warning" && e["reason"] == "Invalid")
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    let entry = entry_for(&plan, "dns.example.com");
    assert_eq!(entry["metadata"]["name"], "dns");
    assert_eq!(entry["spec"]["targets"], serde_json::json!(["8.8.8.8"]));
    // no provider in the file: the entry is read, and has nowhere to go (COMPATIBILITY.md#d11)
    assert_eq!(entry["status"]["message"], "No responsible provider found");
}

// ---------------------------------------------------------------------------------------------
// Usage errors and unreadable files
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_flag_is_a_usage_error() {
    let run = run(&["plan", "--no-such-flag", "examples/manifests/"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("--no-such-flag"), "{run:?}");
}

#[test]
fn missing_path_is_a_usage_error() {
    let run = run(&["plan"]);
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
}

#[test]
fn bad_option_values_are_usage_errors() {
    for args in [
        ["plan", "-o", "xml", "examples/manifests/"],
        ["plan", "--class", "Not A Class", "examples/manifests/"],
        ["plan", "--default-ttl", "abc", "examples/manifests/"],
    ] {
        let run = run(&args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
    }
}

#[test]
fn missing_file_exits_1_and_names_it() {
    let missing = data("does-not-exist.yaml");
    let run = run(&["plan", "-o", "json", &data("seed-ingress.yaml"), &missing]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stdout.is_empty(), "nothing is written: {run:?}");
    assert!(run.stderr.contains(&missing), "{run:?}");
}

#[test]
fn missing_config_file_exits_1_and_names_it() {
    let missing = data("no-such-config.yaml");
    let run = run(&["plan", "-c", &missing, &data("seed-ingress.yaml")]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains(&missing), "{run:?}");
}

// ---------------------------------------------------------------------------------------------
// Gardener's own examples
// ---------------------------------------------------------------------------------------------

const GARDENER_EXAMPLES: &str = "/work/shared/gardener-examples";

/// Every manifest file below `dir` (what a directory argument reads), sorted.
fn manifests_below(dir: &Path, files: &mut Vec<PathBuf>) {
    let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    children.sort();
    for child in children {
        if child.is_dir() {
            manifests_below(&child, files);
        } else if child
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        {
            files.push(child);
        }
    }
}

#[test]
fn gardener_examples_plan_without_failure() {
    let dir = Path::new(GARDENER_EXAMPLES);
    if !dir.is_dir() {
        println!("SKIPPED: {GARDENER_EXAMPLES} does not exist; Gardener's examples not planned");
        eprintln!("SKIPPED: {GARDENER_EXAMPLES} does not exist; Gardener's examples not planned");
        return;
    }
    let mut files = Vec::new();
    manifests_below(dir, &mut files);
    assert!(!files.is_empty(), "no manifests below {GARDENER_EXAMPLES}");
    for file in &files {
        let file = file.display().to_string();
        for class in ["gardendns", "garden"] {
            let plan = plan_json(&["--class", class, &file]);
            for key in ["entries", "providers", "events", "changes", "records"] {
                assert!(plan.get(key).is_some(), "{file}: no {key}");
            }
        }
    }
    let whole = plan_json(&["--class", "gardendns", GARDENER_EXAMPLES]);
    assert!(!entries(&whole).is_empty(), "{whole:#}");
    ok(&[
        "plan",
        "-o",
        "yaml",
        "--class",
        "gardendns",
        GARDENER_EXAMPLES,
    ]);
    ok(&["plan", GARDENER_EXAMPLES]);
}

#[test]
fn a_gateway_that_does_not_declare_a_name() {
    assert_source_problem(
        "gateway-undeclared.yaml",
        "Gateway",
        "no-hosts",
        Message::Exact(
            "annotated dns names x.example.com not declared by gateway.spec.listeners[].hostname",
        ),
    );
}

#[test]
fn an_istio_ingress_reference_with_two_slashes() {
    assert_source_problem(
        "istio-ingress-slashes.yaml",
        "Gateway",
        "slashes",
        Message::Exact("invalid annotation dns.gardener.cloud/ingress: a/b/c"),
    );
}

#[test]
fn an_istio_ingress_reference_to_a_missing_ingress() {
    assert_source_problem(
        "istio-ingress-missing.yaml",
        "Gateway",
        "no-ingress",
        Message::Exact("ingresses.networking.k8s.io \"missing\" not found"),
    );
}

#[test]
fn a_dnsannotation_for_a_kind_that_is_no_source() {
    let plan = assert_object_problem(
        "dnsannotation-configmap.yaml",
        "DNSAnnotation",
        "configmap",
        Message::StartsWith("resourceRef v1 ConfigMap is no source of DNS names"),
    );
    let annotation = &plan["annotations"][0];
    assert_eq!(annotation["status"]["active"], false, "{annotation:#}");
    assert_eq!(dns_names(&plan).len(), OTHER_NAMES.len());
}

/// The documented outcomes of odd but valid source objects (`tests/data/sources-edge-cases.yaml`).
#[test]
fn source_edge_cases() {
    let plan = plan_json(&[&data("sources-edge-cases.yaml")]);
    let warnings: Vec<&Value> = events(&plan)
        .iter()
        .filter(|e| e["type"] == "Warning")
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    // The HTTPRoute without a Gateway and the malformed VirtualService name nothing.
    let mut names = dns_names(&plan);
    names.sort();
    assert_eq!(
        names,
        [
            "annotated.example.com",
            "gw.example.com",
            "lonely.example.com"
        ]
    );
    // An address of another type gives no target; one without a type is an IP address.
    let gw = entry_for(&plan, "gw.example.com");
    assert_eq!(gw["spec"]["targets"], serde_json::json!(["192.0.2.50"]));
    assert_eq!(
        gw["metadata"]["ownerReferences"][0]["apiVersion"],
        "gateway.networking.k8s.io/v1beta1"
    );
    // The Istio Gateway's `*` host is skipped and `default/lonely.example.com` is
    // `lonely.example.com` (COMPATIBILITY.md#d4); no Service matches its selector, so no targets.
    let lonely = entry_for(&plan, "lonely.example.com");
    assert!(lonely["spec"].get("targets").is_none(), "{lonely:#}");
    assert_eq!(lonely["status"]["state"], "Invalid");
    assert_eq!(lonely["status"]["message"], "no target or text specified");
    // The older DNSAnnotation is used; the other conflicts; one for a missing object is idle.
    let annotations: Vec<String> = (plan["annotations"].as_array().expect("annotations"))
        .iter()
        .map(|a| {
            format!(
                "{} {} {}",
                a["metadata"]["name"].as_str().unwrap_or_default(),
                a["status"]["active"],
                a["status"]
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        annotations,
        [
            "first true ",
            "missing false ",
            "second false conflicting DNSAnnotation for the same resource reference: default/first",
        ]
    );
}
