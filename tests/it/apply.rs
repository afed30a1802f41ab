//! `shoot-dns apply` against docs/command-line.md: executing a plan on the in-memory zones, the
//! state file (`--state`), exit statuses 0/1/3, failures per change, and `--zones`.
//!
//! Every test works in a directory of its own under the system's temporary directory.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::binary::{CRATE_ROOT, Run, run_in};
use crate::support::plan_json::{assert_all_ready, change_lines, entry_states, list};
use crate::support::tempdir::TempDir;

fn text_of(path: &Path) -> String {
    path.display().to_string()
}

/// Runs `shoot-dns args` in `dir`.
fn run(dir: &TempDir, args: &[&str]) -> Run {
    run_in(dir.root(), args, None)
}

/// `shoot-dns <command> -o json --state <state> <paths>`, expecting exit status `code`.
fn json_run(dir: &TempDir, command: &str, state: &str, paths: &[&str], code: i32) -> Value {
    let mut args = vec![command, "-o", "json", "--state", state];
    args.extend_from_slice(paths);
    run(dir, &args).expect_code(code, &args).json()
}

fn examples() -> String {
    text_of(&Path::new(CRATE_ROOT).join("examples/manifests"))
}

fn read_state(path: &str) -> Value {
    let text = std::fs::read_to_string(path).expect("the state file exists");
    serde_json::from_str(&text).expect("the state file is JSON")
}

// ---------------------------------------------------------------------------------------------
// The examples, twice
// ---------------------------------------------------------------------------------------------

#[test]
fn apply_examples_twice_then_plan() {
    let dir = TempDir::new("apply-twice");
    let state = text_of(&dir.path("s.json"));
    let first = json_run(&dir, "apply", &state, &[&examples()], 0);
    let lines = change_lines(&first);
    assert!(!lines.is_empty());
    for change in list(&first["changes"]) {
        assert_eq!(change["result"], "ok", "{lines:?}");
        assert_eq!(change["action"], "create", "{lines:?}");
    }
    assert_eq!(list(&first["entries"]).len(), 7);
    assert_all_ready(&first);
    for entry in entry_states(&first) {
        assert_eq!(
            (entry.provider.as_str(), entry.zone.as_str()),
            ("default/example-com", "local:example.com"),
            "{}",
            entry.dns_name
        );
    }
    let records = first["records"].clone();
    assert_eq!(list(&records).len(), list(&first["changes"]).len());

    let saved = read_state(&state);
    assert_eq!(saved["version"], 1);
    assert!(saved["entries"].as_object().is_some_and(|e| e.len() == 7));

    let second = json_run(&dir, "apply", &state, &[&examples()], 0);
    assert_eq!(second["changes"], Value::Array(vec![]), "{second:#}");
    assert_eq!(second["records"], records);
    assert_all_ready(&second);
    assert_eq!(read_state(&state)["entries"], saved["entries"]);
    assert_eq!(read_state(&state)["zones"], saved["zones"]);

    let plan = json_run(&dir, "plan", &state, &[&examples()], 0);
    assert!(
        list(&plan["changes"]).is_empty(),
        "{:?}",
        change_lines(&plan)
    );
    assert_eq!(plan["records"], records);
    assert_all_ready(&plan);
    // The AWS provider has no entries; both providers are Ready.
    for provider in list(&plan["providers"]) {
        assert_eq!(provider["status"]["state"], "Ready", "{provider:#}");
    }
}

/// The events of one `apply`, as `type reason object: message` lines.
fn event_lines(output: &Value) -> Vec<String> {
    list(&output["events"])
        .iter()
        .map(|e| {
            let object = &e["involvedObject"];
            format!(
                "{} {} {}/{}: {}",
                e["type"].as_str().unwrap_or(""),
                e["reason"].as_str().unwrap_or(""),
                object["kind"].as_str().unwrap_or(""),
                object["name"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// An apply reports each status an entry ends the run with, once, where the controller would
/// have reported its first status: an entry `Pending` before its records were written and
/// `Ready` after reports `Ready` alone.
#[test]
fn apply_reports_the_status_each_entry_ends_with_once() {
    let dir = TempDir::new("apply-events");
    let state = text_of(&dir.path("s.json"));
    let applied = json_run(&dir, "apply", &state, &[&examples()], 0);
    let lines = event_lines(&applied);
    assert!(lines.iter().all(|l| !l.contains("Pending")), "{lines:#?}");
    let ready: Vec<&String> = lines.iter().filter(|l| l.contains("Ready")).collect();
    assert_eq!(ready.len(), 7, "one per entry: {lines:#?}");
    assert!(
        ready.contains(
            &&"Normal DNSEntryReady Service/amazing-svc: amazing.example.com: dns entry active"
                .to_owned()
        ),
        "{lines:#?}"
    );
    // The entry events come first, then the statuses.
    let created = lines
        .iter()
        .filter(|l| l.contains("DNSEntryCreated"))
        .count();
    assert_eq!(created, 5, "{lines:#?}");
    assert!(
        lines[..created]
            .iter()
            .all(|l| l.contains("DNSEntryCreated")),
        "{lines:#?}"
    );
}

/// Where executing changes nothing (no provider is responsible), an apply reports what a plan
/// of the same manifests reports: the manifest's problems, each generated entry once, and the
/// statuses.
#[test]
fn apply_without_changes_reports_the_events_of_the_plan() {
    let dir = TempDir::new("apply-plan-events");
    let world = dir.write(
        "w.yaml",
        r#"apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata: {name: broken, namespace: default}
spec: {dnsName: b.example.com, ttl: "abc", targets: [1.2.3.4]}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  annotations: {dns.gardener.cloud/dnsnames: "a.example.com,c.example.com", dns.gardener.cloud/class: garden}
spec: {type: LoadBalancer}
status: {loadBalancer: {ingress: [{ip: 1.2.3.4}]}}
"#,
    );
    let plan = run(&dir, &["plan", "-o", "json", &world])
        .expect_code(0, &["plan"])
        .json();
    let state = text_of(&dir.path("s.json"));
    let applied = json_run(&dir, "apply", &state, &[&world], 0);
    assert_eq!(event_lines(&applied), event_lines(&plan));
    assert_eq!(
        event_lines(&applied),
        [
            r#"Warning Invalid DNSEntry/broken: field spec.ttl: invalid type: string "abc", expected i64"#,
            "Normal DNSEntryCreated Service/web: a.example.com: created entry web-service- in control plane",
            "Normal DNSEntryCreated Service/web: c.example.com: created entry web-service- in control plane",
            "Normal DNSEntryError Service/web: a.example.com: No responsible provider found",
            "Normal DNSEntryError Service/web: c.example.com: No responsible provider found",
        ]
    );
}

/// Every status the state keeps after an apply is the status after executing (docs/command-line.md:
/// "the last status"), so an apply that changes nothing leaves the state file as it was.
#[test]
fn the_state_keeps_the_statuses_after_executing() {
    let dir = TempDir::new("apply-statuses");
    let state = text_of(&dir.path("s.json"));
    json_run(&dir, "apply", &state, &[&examples()], 0);
    let saved = read_state(&state);
    let mut states = Vec::new();
    for entry in saved["entries"].as_object().unwrap().values() {
        states.push(entry["status"]["state"].clone());
    }
    // A generated entry's status is kept once: with what it owns when it owns something.
    let owners = saved["entries"].as_object().unwrap();
    for entry in list(&saved["generated"]) {
        match entry.get("status") {
            Some(status) => states.push(status["state"].clone()),
            None => {
                let name = format!("[{}]", entry["spec"]["dnsName"].as_str().unwrap());
                assert!(owners.keys().any(|id| id.contains(&name)), "{entry:#}");
            }
        }
    }
    assert!(states.iter().all(|s| s == "Ready"), "{saved:#}");
    json_run(&dir, "apply", &state, &[&examples()], 0);
    assert_eq!(read_state(&state), saved);
}

/// A copy of the examples with the DNSEntry `special-dnsentry` pointing to 5.6.7.8 and the
/// `verification` entry removed.
fn changed_examples(dir: &TempDir) -> String {
    let source = Path::new(CRATE_ROOT).join("examples/manifests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&source)
        .expect("the examples")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    files.sort();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let mut text = std::fs::read_to_string(&file).expect("an example");
        if name == "30-dnsentry.yaml" {
            let first = text.split("\n---\n").next().expect("a document").to_owned();
            assert!(first.contains("name: special-dnsentry"), "{first}");
            assert!(text.contains("name: verification"));
            text = first.replace("- 1.2.3.4", "- 5.6.7.8");
            assert!(text.contains("5.6.7.8"));
        }
        dir.write(&format!("manifests/{name}"), &text);
    }
    text_of(&dir.path("manifests"))
}

#[test]
fn apply_a_changed_input_updates_and_deletes_exactly() {
    let dir = TempDir::new("apply-changed");
    let state = text_of(&dir.path("s.json"));
    json_run(&dir, "apply", &state, &[&examples()], 0);
    let changed = changed_examples(&dir);

    let plan = json_run(&dir, "plan", &state, &[&changed], 0);
    assert_eq!(
        change_lines(&plan),
        [
            "delete local:example.com _verify.example.com TXT 300:site-verification=4f2a9c -> - [-]",
            "update local:example.com www.example.com A 600:1.2.3.4 -> 600:5.6.7.8 [-]",
        ]
    );
    let after = json_run(&dir, "apply", &state, &[&changed], 0);
    assert_eq!(
        change_lines(&after),
        [
            "delete local:example.com _verify.example.com TXT 300:site-verification=4f2a9c -> - [ok]",
            "update local:example.com www.example.com A 600:1.2.3.4 -> 600:5.6.7.8 [ok]",
        ]
    );
    assert_eq!(list(&after["entries"]).len(), 6);
    assert_all_ready(&after);
    let names: Vec<String> = list(&after["records"])
        .iter()
        .map(|r| format!("{} {} {}", r["name"], r["type"], r["values"]))
        .collect();
    assert_eq!(
        names,
        [
            r#""amazing.example.com" "CNAME" ["a1b2c3.elb.eu-central-1.amazonaws.com"]"#,
            r#""httpbin.example.com" "A" ["203.0.113.20"]"#,
            r#""istio.example.com" "A" ["203.0.113.30"]"#,
            r#""legacy.example.com" "A" ["203.0.113.40"]"#,
            r#""special.example.com" "A" ["203.0.113.10"]"#,
            r#""special.example.com" "AAAA" ["2001:db8::10"]"#,
            r#""www.example.com" "A" ["5.6.7.8"]"#,
        ]
    );
    let saved = read_state(&state);
    assert!(
        !saved["entries"]
            .as_object()
            .unwrap()
            .keys()
            .any(|k| k.contains("verification")),
        "{saved:#}"
    );

    let third = json_run(&dir, "apply", &state, &[&changed], 0);
    assert!(
        list(&third["changes"]).is_empty(),
        "{:?}",
        change_lines(&third)
    );
    assert_eq!(third["records"], after["records"]);
}

// ---------------------------------------------------------------------------------------------
// The state file
// ---------------------------------------------------------------------------------------------

#[test]
fn a_truncated_state_file_is_refused_and_left_alone() {
    let dir = TempDir::new("apply-truncated");
    let state = text_of(&dir.path("s.json"));
    json_run(&dir, "apply", &state, &[&examples()], 0);
    let full = std::fs::read(&state).unwrap();
    let cut = full[..full.len() / 2].to_vec();
    std::fs::write(&state, &cut).unwrap();

    for command in ["apply", "plan"] {
        let run = run(
            &dir,
            &[command, "-o", "json", "--state", &state, &examples()],
        );
        assert_eq!(run.code, Some(1), "{command}: {run:?}");
        assert!(run.stderr.contains(&state), "{command}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{command}: {}", run.stdout);
        assert_eq!(std::fs::read(&state).unwrap(), cut, "{command}");
    }
    // No temporary file is left beside it.
    let left: Vec<_> = std::fs::read_dir(dir.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["s.json"]);
}

#[test]
fn a_state_file_of_another_version_is_refused() {
    let dir = TempDir::new("apply-version");
    let state = text_of(&dir.path("s.json"));
    json_run(&dir, "apply", &state, &[&examples()], 0);
    let mut saved = read_state(&state);
    saved["version"] = Value::from(99);
    let text = serde_json::to_string_pretty(&saved).unwrap();
    std::fs::write(&state, &text).unwrap();

    let run = run(&dir, &["apply", "--state", &state, &examples()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("not supported"), "{}", run.stderr);
    assert!(run.stderr.contains(&state), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&state).unwrap(), text);
}

#[test]
fn a_state_file_in_a_missing_directory_fails() {
    let dir = TempDir::new("apply-missing");
    let state = text_of(&dir.path("no/such/dir/s.json"));
    let run = run(
        &dir,
        &["apply", "-o", "json", "--state", &state, &examples()],
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(run.stderr.contains("s.json"), "{}", run.stderr);
    assert!(!dir.path("no").exists());
}

#[test]
fn apply_without_state_writes_the_default_state_file() {
    let dir = TempDir::new("apply-default");
    let run = run(&dir, &["apply", "-o", "json", &examples()]);
    assert_eq!(run.code, Some(0), "{run:?}");
    let saved = read_state(&text_of(&dir.path("shoot-dns.state.json")));
    assert_eq!(saved["version"], 1);
}

// ---------------------------------------------------------------------------------------------
// Failures per change
// ---------------------------------------------------------------------------------------------

fn failing_world(fail: bool, with_b: bool) -> String {
    let mut text = format!(
        "apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSProvider
metadata:
  name: local
  namespace: ns
  annotations: {{dns.gardener.cloud/class: garden}}
spec:
  type: local
  providerConfig:
    failDeleteEntry: {fail}
    zones: [{{dnsName: example.com}}]
---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata:
  name: a
  namespace: ns
  annotations: {{dns.gardener.cloud/class: garden}}
spec: {{dnsName: a.example.com, targets: [1.1.1.1]}}
"
    );
    if with_b {
        text.push_str(
            "---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata:
  name: b
  namespace: ns
  annotations: {dns.gardener.cloud/class: garden}
spec: {dnsName: b.example.com, targets: [2.2.2.2]}
",
        );
    }
    text
}

/// Whether the state owns a record set named `name` and its zone holds it.
fn state_holds(state: &Value, name: &str) -> (bool, bool) {
    let owned = state["entries"]
        .as_object()
        .unwrap()
        .values()
        .any(|e| list(&e["keys"]).iter().any(|k| k["dnsName"] == name));
    let held = state["zones"].as_object().is_some_and(|z| {
        z.values()
            .any(|r| list(r).iter().any(|r| r["dnsName"] == name))
    });
    (owned, held)
}

#[test]
fn a_failed_delete_exits_3_and_stays_owned() {
    let dir = TempDir::new("apply-faildelete");
    let state = text_of(&dir.path("s.json"));
    let world = dir.write("m.yaml", &failing_world(true, true));
    json_run(&dir, "apply", &state, &[&world], 0);
    assert_eq!(
        state_holds(&read_state(&state), "b.example.com"),
        (true, true)
    );

    let world = dir.write("m.yaml", &failing_world(true, false));
    let after = json_run(&dir, "apply", &state, &[&world], 3);
    assert_eq!(
        change_lines(&after),
        ["delete local:example.com b.example.com A 300:2.2.2.2 -> - \
             [error: forced error by mockConfig.FailDeleteEntry]"]
    );
    let saved = read_state(&state);
    assert_eq!(state_holds(&saved, "b.example.com"), (true, true));
    assert_eq!(state_holds(&saved, "a.example.com"), (true, true));

    // The next plan still wants to delete it.
    let plan = json_run(&dir, "plan", &state, &[&world], 0);
    assert_eq!(
        change_lines(&plan),
        ["delete local:example.com b.example.com A 300:2.2.2.2 -> - [-]"]
    );

    let world = dir.write("m.yaml", &failing_world(false, false));
    let after = json_run(&dir, "apply", &state, &[&world], 0);
    assert_eq!(
        change_lines(&after),
        ["delete local:example.com b.example.com A 300:2.2.2.2 -> - [ok]"]
    );
    let saved = read_state(&state);
    assert_eq!(state_holds(&saved, "b.example.com"), (false, false));
    assert_eq!(state_holds(&saved, "a.example.com"), (true, true));
    let again = json_run(&dir, "apply", &state, &[&world], 0);
    assert!(
        list(&again["changes"]).is_empty(),
        "{:?}",
        change_lines(&again)
    );
}

/// A delete that keeps failing run after run keeps the record set under one leftover id
/// (`<entry>#<zone>`), which does not grow by a suffix per run; a provider that is gone plans
/// no delete at all, and the state keeps the record set owned.
#[test]
fn repeated_failed_deletes_keep_one_leftover_id() {
    let dir = TempDir::new("apply-leftover");
    let state = text_of(&dir.path("s.json"));
    let world = dir.write("m.yaml", &failing_world(true, true));
    json_run(&dir, "apply", &state, &[&world], 0);
    let world = dir.write("m.yaml", &failing_world(true, false));
    for _ in 0..3 {
        json_run(&dir, "apply", &state, &[&world], 3);
        let ids: Vec<String> = (read_state(&state)["entries"].as_object().unwrap().keys())
            .cloned()
            .collect();
        assert_eq!(ids, ["ns/a", "ns/b#local:example.com"]);
    }
    // Without its provider, nothing can delete the leftover: nothing is planned, it stays.
    let entry_only = failing_world(true, false);
    let entry_only = entry_only.split("---\n").nth(1).unwrap();
    let world = dir.write("m.yaml", entry_only);
    for _ in 0..2 {
        let after = json_run(&dir, "apply", &state, &[&world], 0);
        assert!(
            list(&after["changes"]).is_empty(),
            "{:?}",
            change_lines(&after)
        );
        assert_eq!(
            state_holds(&read_state(&state), "b.example.com"),
            (true, true)
        );
    }
}

/// A write of the state killed before its rename leaves `.<state>.<pid>.tmp`; the next `apply`
/// removes it (and the temporary files of running processes stay).
#[test]
fn leftover_temporary_state_files_are_removed() {
    let dir = TempDir::new("apply-leftover-tmp");
    let state = text_of(&dir.path("s.json"));
    let gone = dir.write(".s.json.4000000000.tmp", "{\"version\": 1, \"entr");
    let alive = dir.write(&format!(".s.json.{}.tmp", std::process::id()), "{}");
    let unrelated = dir.write(".other.json.4000000000.tmp", "{}");
    json_run(&dir, "apply", &state, &[&examples()], 0);
    assert!(
        !Path::new(&gone).exists(),
        "the leftover of a dead process stays"
    );
    assert!(Path::new(&alive).exists());
    assert!(Path::new(&unrelated).exists());
}

// ---------------------------------------------------------------------------------------------
// --zones
// ---------------------------------------------------------------------------------------------

const AWS_WORLD: &str = "apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSProvider
metadata:
  name: aws
  namespace: ns
  annotations: {dns.gardener.cloud/class: garden}
spec:
  type: aws-route53
  secretRef: {name: aws-credentials}
---
apiVersion: v1
kind: Secret
metadata: {name: aws-credentials, namespace: ns}
data:
  AWS_ACCESS_KEY_ID: QUtJQUVYQU1QTEU=
  AWS_SECRET_ACCESS_KEY: ZXhhbXBsZS1zZWNyZXQ=
---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSProvider
metadata:
  name: local
  namespace: ns
  annotations: {dns.gardener.cloud/class: garden}
spec:
  type: local
  providerConfig:
    zones: [{dnsName: example.com}]
";

const AWS_ENTRIES: &str = "---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata:
  name: aws-entry
  namespace: ns
  annotations: {dns.gardener.cloud/class: garden}
spec: {dnsName: www.example.org, targets: [1.1.1.1]}
---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata:
  name: local-entry
  namespace: ns
  annotations: {dns.gardener.cloud/class: garden}
spec: {dnsName: www.example.com, targets: [2.2.2.2]}
";

const ZONES: &str = "providers:
  - provider: ns/aws
    zones: [{id: Z1EXAMPLE, domain: example.org, private: false}]
";

#[test]
fn zones_file_gives_hosted_zones_and_apply_fails_per_change_without_an_adapter() {
    let dir = TempDir::new("apply-zones");
    let state = text_of(&dir.path("s.json"));
    let zones = dir.write("zones.yaml", ZONES);
    let providers_only = dir.write("providers.yaml", AWS_WORLD);

    let run_plan = run(
        &dir,
        &["plan", "-o", "json", "--zones", &zones, &providers_only],
    );
    assert_eq!(run_plan.code, Some(0), "{run_plan:?}");
    let plan = run_plan.json();
    let aws = list(&plan["providers"])
        .iter()
        .find(|p| p["metadata"]["name"] == "aws")
        .expect("the aws provider")
        .clone();
    assert_eq!(aws["status"]["state"], "Ready", "{aws:#}");
    assert_eq!(aws["status"]["message"], "provider operational");
    assert_eq!(
        aws["status"]["zones"]["included"],
        serde_json::json!(["Z1EXAMPLE"])
    );
    assert_eq!(
        aws["status"]["domains"]["included"],
        serde_json::json!(["example.org"])
    );

    let world = dir.write("world.yaml", &format!("{AWS_WORLD}{AWS_ENTRIES}"));
    let args = [
        "apply", "-o", "json", "--zones", &zones, "--state", &state, &world,
    ];
    let first = run(&dir, &args);
    assert_eq!(first.code, Some(3), "{first:?}");
    let after = first.json();
    let lines = change_lines(&after);
    assert_eq!(lines.len(), 2, "{lines:?}");
    let aws_change = list(&after["changes"])
        .iter()
        .find(|c| c["zone"] == "Z1EXAMPLE")
        .expect("a change in Z1EXAMPLE");
    assert_eq!(aws_change["provider"], "ns/aws");
    assert!(
        aws_change["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("error: ")),
        "{lines:?}"
    );
    let local_change = list(&after["changes"])
        .iter()
        .find(|c| c["zone"] == "local:example.com")
        .expect("a change in the local zone");
    assert_eq!(local_change["result"], "ok", "{lines:?}");

    // The state records what succeeded; the zone of the failed change holds nothing.
    let saved = read_state(&state);
    assert_eq!(state_holds(&saved, "www.example.com"), (true, true));
    assert!(!state_holds(&saved, "www.example.org").1);
    assert!(saved["zones"].get("Z1EXAMPLE").is_none(), "{saved:#}");

    // Planned again, only the failed change is left, and it fails the same way.
    let plan = json_run(&dir, "plan", &state, &["--zones", &zones, &world], 0);
    assert_eq!(
        change_lines(&plan),
        ["create Z1EXAMPLE www.example.org A - -> 300:1.1.1.1 [-]"]
    );
    let states: Vec<(String, String)> = entry_states(&plan)
        .into_iter()
        .map(|e| (e.dns_name, e.state))
        .collect();
    assert_eq!(
        states,
        [
            ("www.example.org".to_owned(), "Pending".to_owned()),
            ("www.example.com".to_owned(), "Ready".to_owned()),
        ]
    );
    let again = run(&dir, &args);
    assert_eq!(again.code, Some(3), "{again:?}");
    assert_eq!(read_state(&state), saved);
}

/// docs/command-line.md: what failed is not recorded as done; D14: a record that is not in the
/// state is not owned. A create that failed must not leave the record set owned (a record set
/// someone else creates there later would then be overwritten).
#[test]
fn a_failed_create_is_not_owned() {
    let dir = TempDir::new("apply-failedcreate");
    let state = text_of(&dir.path("s.json"));
    let zones = dir.write("zones.yaml", ZONES);
    let world = dir.write("world.yaml", &format!("{AWS_WORLD}{AWS_ENTRIES}"));
    let run = run(
        &dir,
        &[
            "apply", "-o", "json", "--zones", &zones, "--state", &state, &world,
        ],
    );
    assert_eq!(run.code, Some(3), "{run:?}");
    assert_eq!(
        state_holds(&read_state(&state), "www.example.org"),
        (false, false)
    );
}
