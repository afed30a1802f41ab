//! What `shoot-dns plan` reads, tried as an attacker would: special files in a directory, input
//! without end, a byte-order mark, bytes that are no UTF-8, custom YAML tags, duplicate keys and
//! brackets inside strings. One bad object never stops the others; nothing hangs.

use std::process::Command;

use serde_json::Value;

use crate::cli::run_with_stdin;
use crate::support::binary::Run;
use crate::support::tempdir::TempDir;

/// A Service that plans an entry of `name`.example.com, as YAML.
fn service(name: &str) -> String {
    format!(
        "apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: default
  annotations:
    dns.gardener.cloud/dnsnames: {name}.example.com
    dns.gardener.cloud/class: garden
spec:
  type: LoadBalancer
status:
  loadBalancer:
    ingress:
    - ip: 192.0.2.1
"
    )
}

/// Runs `shoot-dns` with `args` (a hang fails the test, it does not block the suite).
fn run(args: &[&str]) -> Run {
    run_with_stdin(args, None)
}

/// `plan -o json` of `args`: exit 0, parsed.
fn plan(args: &[&str]) -> (Value, String) {
    let mut all = vec!["plan", "-o", "json"];
    all.extend_from_slice(args);
    let run = run(&all);
    assert_eq!(run.code, Some(0), "{run:?}");
    let plan = serde_json::from_str(&run.stdout).expect("JSON");
    (plan, run.stderr)
}

/// The DNS names of the plan's entries.
fn names(plan: &Value) -> Vec<&str> {
    let entries = plan["entries"].as_array().expect("entries");
    entries
        .iter()
        .filter_map(|e| e["spec"]["dnsName"].as_str())
        .collect()
}

/// The Warning messages on `kind default/name`.
fn warnings<'p>(plan: &'p Value, kind: &str, name: &str) -> Vec<&'p str> {
    let events = plan["events"].as_array().expect("events");
    events
        .iter()
        .filter(|e| {
            e["type"] == "Warning"
                && e["involvedObject"]["kind"] == kind
                && e["involvedObject"]["name"] == name
        })
        .filter_map(|e| e["message"].as_str())
        .collect()
}

fn mkfifo(path: &std::path::Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

#[test]
fn a_directory_walk_skips_what_is_no_regular_file() {
    let dir = TempDir::new("inputs-special");
    dir.write("m/a.yaml", &service("a"));
    mkfifo(&dir.path("m/fifo.yaml"));
    std::os::unix::fs::symlink("/dev/zero", dir.path("m/zero.yaml")).expect("a symlink");
    // A link back up must not make the walk endless.
    std::os::unix::fs::symlink("..", dir.path("m/up")).expect("a symlink");
    let (plan, stderr) = plan(&[&dir.path("m").display().to_string()]);
    assert_eq!(names(&plan), ["a.example.com"]);
    assert!(
        stderr.contains("fifo.yaml: skipped: a FIFO, not a regular file"),
        "{stderr}"
    );
    assert!(
        stderr.contains("zero.yaml: skipped: a device, not a regular file"),
        "{stderr}"
    );
}

#[test]
fn a_pipe_given_explicitly_is_read() {
    let dir = TempDir::new("inputs-pipe");
    let fifo = dir.path("in.yaml");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, service("piped")).expect("written"))
    };
    let (plan, _) = plan(&[&fifo.display().to_string()]);
    writer.join().expect("the writer ends");
    assert_eq!(names(&plan), ["piped.example.com"]);
    // Standard input, as `plan -` gets it from kubectl.
    let run = run_with_stdin(
        &["plan", "-o", "json", "-"],
        Some(service("stdin").as_bytes()),
    );
    assert_eq!(run.code, Some(0), "{run:?}");
}

#[test]
fn input_without_end_is_refused_at_the_size_limit() {
    let run = run(&["plan", "/dev/zero"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains(
            "/dev/zero: larger than 512 MiB: not read (manifests that large are refused)"
        ),
        "{run:?}"
    );
}

#[test]
fn a_byte_order_mark_is_no_content() {
    let dir = TempDir::new("inputs-bom");
    let text = format!("\u{feff}{}---\n{}", service("a"), service("b"));
    let file = dir.write("bom.yaml", &text);
    let (plan, _) = plan(&[&file]);
    assert_eq!(names(&plan), ["a.example.com", "b.example.com"]);
    assert!(warnings(&plan, "Service", "a").is_empty());
}

#[test]
fn bytes_that_are_no_utf8_make_only_their_object_a_problem() {
    let dir = TempDir::new("inputs-utf8");
    let mut bytes = service("a").into_bytes();
    bytes.extend_from_slice(b"---\n");
    let bad = service("b").replace("dnsnames: b.example.com", "dnsnames: b\u{1}.example.com");
    bytes.extend(bad.bytes().map(|b| if b == 1 { 0xff } else { b }));
    bytes.extend_from_slice(b"---\n");
    bytes.extend(service("c").bytes());
    let path = dir.path("utf8.yaml");
    std::fs::write(&path, bytes).expect("written");
    let path = path.display().to_string();
    let (plan, _) = plan(&[&path]);
    assert_eq!(names(&plan), ["a.example.com", "c.example.com"]);
    assert_eq!(
        warnings(&plan, "Service", "b"),
        [format!(
            "{path}: line 22, column 35: byte 0xff is not UTF-8 (manifests are UTF-8 text)"
        )]
    );
}

#[test]
fn a_custom_tag_makes_only_its_object_a_problem() {
    let dir = TempDir::new("inputs-tag");
    let tagged = service("b").replace("class: garden", "class: !custom garden");
    let ignored = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {x: !foo bar}\n";
    let text = format!("{}---\n{tagged}---\n{ignored}", service("a"));
    let file = dir.write("tags.yaml", &text);
    let (plan, _) = plan(&[&file]);
    assert_eq!(names(&plan), ["a.example.com"]);
    assert_eq!(
        warnings(&plan, "Service", "b"),
        [
            "metadata.annotations[dns.gardener.cloud/class]: custom YAML tag !custom is not \
             supported: Kubernetes objects hold plain values"
        ]
    );
    assert!(warnings(&plan, "ConfigMap", "c").is_empty());
}

#[test]
fn duplicate_keys_make_their_object_a_problem() {
    let dir = TempDir::new("inputs-dup");
    let twice = service("b").replace(
        "    dns.gardener.cloud/class: garden\n",
        "    dns.gardener.cloud/class: garden\n    dns.gardener.cloud/dnsnames: x.example.com\n",
    );
    let text = format!("{}---\n{twice}", service("a"));
    let file = dir.write("dup.yaml", &text);
    let (plan, _) = plan(&[&file]);
    assert_eq!(names(&plan), ["a.example.com"]);
    assert_eq!(
        warnings(&plan, "Service", "b"),
        [
            "metadata.annotations[dns.gardener.cloud/dnsnames]: duplicate key: a mapping holds \
             each key once (YAML 1.2 §3.2.1.1), and the API server refuses the object"
        ]
    );
}

#[test]
fn brackets_inside_a_string_fail_only_their_object() {
    let dir = TempDir::new("inputs-brackets");
    let many = "[".repeat(5_000);
    let bad = service("b").replace(
        "dns.gardener.cloud/dnsnames: b.example.com",
        &format!("dns.gardener.cloud/dnsnames: \"{many}\""),
    );
    let text = format!("{}---\n{bad}---\n{}", service("a"), service("c"));
    let file = dir.write("brackets.yaml", &text);
    let (plan, _) = plan(&[&file]);
    let states: Vec<(&str, &str)> = (plan["entries"].as_array().expect("entries").iter())
        .map(|e| {
            let name = e["spec"]["dnsName"].as_str().unwrap_or_default();
            let name = if name.starts_with('[') {
                "[[[..."
            } else {
                name
            };
            (name, e["status"]["state"].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(
        states,
        // No provider is given: the good entries are `Error` (no responsible provider).
        [
            ("a.example.com", "Error"),
            ("[[[...", "Invalid"),
            ("c.example.com", "Error")
        ]
    );
}
