//! `shoot-dns apply` with an `rfc2136` DNSProvider against a real BIND 9
//! (`tests/it/support/bind.rs`): records end up in the zone and only there, foreign records
//! survive, a killed apply converges, and bad credentials fail per change without leaking the TSIG
//! secret.
//!
//! Every test starts a BIND of its own and skips (with a loud line on stderr) when BIND is not
//! installed. The provider and its Secret are `tests/data/rfc2136/provider.yaml`, filled in
//! with the BIND's port and key.

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::binary::CRATE_ROOT;
use crate::support::bind::Bind;
use crate::support::plan_json::{self, assert_all_ready, change_summary, list};
use crate::support::tempdir::TempDir;

fn data(name: &str) -> String {
    let path = Path::new(CRATE_ROOT).join("tests/data/rfc2136").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The credentials a provider gets; [`Credentials::of`] gives the right ones for a BIND.
#[derive(Clone)]
struct Credentials {
    server: String,
    zone: String,
    key_name: String,
    secret: String,
    algorithm: String,
}

impl Credentials {
    fn of(bind: &Bind) -> Self {
        Self {
            server: bind.server(),
            zone: bind.zone().to_owned(),
            key_name: bind.key_name().to_owned(),
            secret: bind.secret_base64().to_owned(),
            algorithm: bind.algorithm().to_owned(),
        }
    }

    /// The Secret and DNSProvider with these credentials.
    fn provider_yaml(&self) -> String {
        data("provider.yaml")
            .replace("{{SERVER}}", &self.server)
            .replace("{{ZONE}}", &self.zone)
            .replace("{{KEY_NAME}}", &self.key_name)
            .replace("{{SECRET}}", &self.secret)
            .replace("{{ALGORITHM}}", &self.algorithm)
    }
}

/// A test's working directory: the manifests (`manifests/provider.yaml` and
/// `manifests/entries.yaml`) and the state file.
struct Work {
    dir: TempDir,
    state: String,
    /// Texts that must never appear in the output (the TSIG secrets in play).
    secrets: Vec<String>,
}

impl Work {
    fn new(label: &str, credentials: &Credentials) -> Self {
        let dir = TempDir::new(&format!("rfc2136-{label}"));
        let state = dir.path("state.json").display().to_string();
        let work = Self {
            dir,
            state,
            secrets: vec![credentials.secret.clone()],
        };
        work.set_provider(credentials);
        work
    }

    fn set_provider(&self, credentials: &Credentials) {
        self.dir
            .write("manifests/provider.yaml", &credentials.provider_yaml());
    }

    fn set_entries(&self, text: &str) {
        self.dir.write("manifests/entries.yaml", text);
    }

    fn manifests(&self) -> String {
        self.dir.path("manifests").display().to_string()
    }

    fn args(&self) -> Vec<String> {
        vec![
            "apply".into(),
            "-o".into(),
            "json".into(),
            "--state".into(),
            self.state.clone(),
            self.manifests(),
        ]
    }

    fn command(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_shoot-dns"));
        command
            .args(self.args())
            .current_dir(self.dir.root())
            .stdin(Stdio::null());
        command
    }

    /// Starts `apply` with its output going to files (which fill no pipe while nobody reads);
    /// [`Work::output`] reads them.
    fn spawn(&self) -> Child {
        let file = |name: &str| File::create(self.dir.path(name)).expect("an output file");
        self.command()
            .stdout(file("apply.stdout"))
            .stderr(file("apply.stderr"))
            .spawn()
            .expect("shoot-dns runs")
    }

    /// stdout and stderr of the last [`Work::spawn`].
    fn output(&self) -> (String, String) {
        let read = |name: &str| {
            String::from_utf8_lossy(&std::fs::read(self.dir.path(name)).unwrap_or_default())
                .into_owned()
        };
        (read("apply.stdout"), read("apply.stderr"))
    }

    /// `shoot-dns apply -o json --state <state> <manifests>`, expecting exit status `code`;
    /// checks that no secret is in its output or the state file.
    fn apply(&self, code: i32) -> Value {
        let output = self.command().output().expect("shoot-dns runs");
        let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
        self.assert_no_secret(&stdout, &stderr);
        assert_eq!(
            output.status.code(),
            Some(code),
            "shoot-dns {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
            self.args()
        );
        let mut plan: Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("not JSON: {e}\n{stdout}\nstderr: {stderr}"));
        // Kept for the messages the tests look for.
        plan["stderr"] = Value::from(stderr);
        plan
    }

    fn assert_no_secret(&self, stdout: &str, stderr: &str) {
        let state = std::fs::read_to_string(&self.state).unwrap_or_default();
        for secret in &self.secrets {
            for (what, text) in [("stdout", stdout), ("stderr", stderr), ("state", &state)] {
                assert!(
                    !text.contains(secret.as_str()),
                    "the TSIG secret is in the {what}:\n{text}"
                );
            }
        }
    }

    /// The state file, which must exist and be JSON.
    fn state(&self) -> Value {
        let text = std::fs::read_to_string(&self.state).expect("the state file exists");
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("the state file is not JSON: {e}\n{text}"))
    }
}

/// `(dnsName, state, message)` of every entry, sorted.
fn entry_states(plan: &Value) -> Vec<(String, String, String)> {
    let mut states: Vec<(String, String, String)> = plan_json::entry_states(plan)
        .into_iter()
        .map(|e| (e.dns_name, e.state, e.message))
        .collect();
    states.sort();
    states
}

fn assert_all_ok(plan: &Value) {
    for change in list(&plan["changes"]) {
        assert_eq!(change["result"], "ok", "{:#?}", change_summary(plan));
        assert_eq!(change["zone"], "example.com.", "{change:#}");
        assert_eq!(change["provider"], "default/bind", "{change:#}");
    }
}

fn sorted(lines: &[&str]) -> Vec<String> {
    let mut lines: Vec<String> = lines.iter().map(|&l| l.to_owned()).collect();
    lines.sort();
    lines
}

// ---------------------------------------------------------------------------------------------
// Round trip
// ---------------------------------------------------------------------------------------------

#[test]
fn round_trip() {
    let Some(bind) = Bind::start() else {
        return;
    };
    let work = Work::new("roundtrip", &Credentials::of(&bind));
    work.set_entries(&data("round-trip-1.yaml"));

    let first = work.apply(0);
    assert_all_ok(&first);
    assert_all_ready(&first);
    assert_eq!(
        change_summary(&first),
        [
            "create *.wild.example.com A [ok]",
            "create _txt.example.com TXT [ok]",
            "create a.example.com A [ok]",
            "create alias.example.com CNAME [ok]",
            "create shop.example.com A [ok]",
            "create svc.example.com A [ok]",
            "create v6.example.com AAAA [ok]",
        ]
    );
    assert_eq!(bind.dig("svc.example.com", "A"), ["203.0.113.10"]);
    assert_eq!(bind.dig("shop.example.com", "A"), ["203.0.113.20"]);
    assert_eq!(bind.dig("a.example.com", "A"), ["192.0.2.1", "192.0.2.2"]);
    assert_eq!(bind.dig("v6.example.com", "AAAA"), ["2001:db8::1"]);
    assert_eq!(
        bind.dig("alias.example.com", "CNAME"),
        ["target.example.org."]
    );
    assert_eq!(
        bind.dig("_txt.example.com", "TXT"),
        ["\"first value\"", "\"second=2\""]
    );
    assert_eq!(bind.dig("anything.wild.example.com", "A"), ["192.0.2.99"]);
    assert_eq!(
        bind.added_records(),
        sorted(&[
            "*.wild.example.com. 300 A 192.0.2.99",
            // COMPATIBILITY.md#d16: each TXT value is its own RR.
            "_txt.example.com. 300 TXT \"first value\"",
            "_txt.example.com. 300 TXT \"second=2\"",
            "a.example.com. 600 A 192.0.2.1",
            "a.example.com. 600 A 192.0.2.2",
            "alias.example.com. 300 CNAME target.example.org.",
            "shop.example.com. 300 A 203.0.113.20",
            "svc.example.com. 300 A 203.0.113.10",
            "v6.example.com. 300 AAAA 2001:db8::1",
        ])
    );
    let state = work.state();
    assert_eq!(state["version"], 1);

    work.set_entries(&data("round-trip-2.yaml"));
    let second = work.apply(0);
    assert_all_ok(&second);
    assert_all_ready(&second);
    assert_eq!(
        change_summary(&second),
        [
            "create new.example.com A [ok]",
            "delete v6.example.com AAAA [ok]",
            "update _txt.example.com TXT [ok]",
            "update a.example.com A [ok]",
            "update svc.example.com A [ok]",
        ]
    );
    let expected = sorted(&[
        "*.wild.example.com. 300 A 192.0.2.99",
        "_txt.example.com. 300 TXT \"first value\"",
        "_txt.example.com. 300 TXT \"third value\"",
        "a.example.com. 900 A 192.0.2.2",
        "a.example.com. 900 A 192.0.2.3",
        "alias.example.com. 300 CNAME target.example.org.",
        "new.example.com. 300 A 198.51.100.7",
        "shop.example.com. 300 A 203.0.113.20",
        "svc.example.com. 300 A 203.0.113.11",
    ]);
    assert_eq!(bind.added_records(), expected);
    assert!(bind.dig("v6.example.com", "AAAA").is_empty());

    let third = work.apply(0);
    assert!(
        list(&third["changes"]).is_empty(),
        "{:?}",
        change_summary(&third)
    );
    assert_all_ready(&third);
    assert_eq!(bind.added_records(), expected);
}

// ---------------------------------------------------------------------------------------------
// Foreign records
// ---------------------------------------------------------------------------------------------

#[test]
fn foreign_records_survive() {
    let Some(bind) = Bind::start() else {
        return;
    };
    bind.nsupdate(
        "update add other.example.com. 300 A 198.51.100.1
         update add other.example.com. 300 TXT \"foreign\"
         update add taken-txt.example.com. 300 TXT \"foreign txt\"
         update add taken-a.example.com. 300 A 198.51.100.2
         update add mixed.example.com. 300 TXT \"foreign mixed\"",
    );
    let foreign = bind.added_records();
    assert_eq!(foreign.len(), 5, "{foreign:?}");
    let with = |owned: &[&str]| {
        let mut all = foreign.clone();
        all.extend(owned.iter().map(|&l| l.to_owned()));
        all.sort();
        all
    };

    let work = Work::new("foreign", &Credentials::of(&bind));
    work.set_entries(&data("foreign.yaml"));
    let check_taken = |plan: &Value| {
        let states = entry_states(plan);
        for (name, state, message) in &states {
            if name.starts_with("taken-") {
                assert_eq!(state, "Error", "{name}: {message}");
                assert!(
                    message.contains("exists and is not owned"),
                    "{name}: {message}"
                );
            } else {
                assert_eq!(state, "Ready", "{name}: {message}");
            }
        }
        assert_eq!(states.len(), 4, "{states:?}");
    };

    let first = work.apply(0);
    assert_all_ok(&first);
    assert_eq!(
        change_summary(&first),
        [
            "create free.example.com A [ok]",
            "create mixed.example.com A [ok]"
        ]
    );
    check_taken(&first);
    let owned = [
        "free.example.com. 300 A 192.0.2.1",
        "mixed.example.com. 300 A 192.0.2.2",
    ];
    assert_eq!(bind.added_records(), with(&owned));

    let second = work.apply(0);
    assert!(
        list(&second["changes"]).is_empty(),
        "{:?}",
        change_summary(&second)
    );
    check_taken(&second);
    assert_eq!(bind.added_records(), with(&owned));

    // Someone adds a TXT beside an entry's A; then every entry goes.
    bind.nsupdate("update add free.example.com. 300 TXT \"added later\"");
    let foreign = {
        let mut all = foreign.clone();
        all.push("free.example.com. 300 TXT \"added later\"".to_owned());
        all.sort();
        all
    };
    work.set_entries("");
    let third = work.apply(0);
    assert_all_ok(&third);
    assert_eq!(
        change_summary(&third),
        [
            "delete free.example.com A [ok]",
            "delete mixed.example.com A [ok]"
        ]
    );
    assert_eq!(bind.added_records(), foreign);
    let fourth = work.apply(0);
    assert!(
        list(&fourth["changes"]).is_empty(),
        "{:?}",
        change_summary(&fourth)
    );
    assert_eq!(bind.added_records(), foreign);
}

// ---------------------------------------------------------------------------------------------
// Crash safety
// ---------------------------------------------------------------------------------------------

/// The names of the crash world, of which a generation has about 300.
const ENTRY_SLOTS: u32 = 340;
/// At least this many killed applies, more (up to [`MAX_TRIALS`]) while the test has run for
/// less than [`TRIAL_BUDGET`].
const TRIALS: u64 = 10;
const MAX_TRIALS: u64 = 40;
const TRIAL_BUDGET: Duration = Duration::from_secs(25);

/// Generation `g` of the crash world: about 300 DNSEntries `e<i>.example.com` (every i below
/// [`ENTRY_SLOTS`] but those with `(i + g) % 8 == 0`) with the address `10.<g % 4>.<i / 256>.<i %
/// 256>`. From one generation to the next, every address changes, an eighth of the names goes
/// and another eighth comes.
fn generation(g: u64) -> (String, Vec<String>) {
    let mut yaml = String::new();
    let mut records = Vec::new();
    for i in (0..ENTRY_SLOTS).filter(|i| !(u64::from(*i) + g).is_multiple_of(8)) {
        let address = format!("10.{}.{}.{}", g % 4, i / 256, i % 256);
        yaml.push_str(&format!(
            "---\napiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\nmetadata:\n  \
             name: e{i}\n  namespace: default\n  annotations: {{dns.gardener.cloud/class: garden}}\n\
             spec: {{dnsName: e{i}.example.com, targets: [{address}]}}\n"
        ));
        records.push(format!("e{i}.example.com. 300 A {address}"));
    }
    records.sort();
    (yaml, records)
}

/// A linear congruential generator (Knuth's MMIX constants), seeded with the trial number.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// An apply that converges: exit 0, every change done, every entry Ready, the zone holds exactly
/// `records` (besides its own), and one more apply changes nothing.
fn assert_converges(bind: &Bind, work: &Work, records: &[String], context: &str) {
    let plan = work.apply(0);
    assert_all_ok(&plan);
    let not_ready: Vec<_> = entry_states(&plan)
        .into_iter()
        .filter(|(_, state, _)| state != "Ready")
        .collect();
    assert!(not_ready.is_empty(), "{context}: {not_ready:#?}");
    assert_eq!(list(&plan["entries"]).len(), records.len(), "{context}");
    let held = bind.added_records();
    if held != records {
        let extra: Vec<_> = held.iter().filter(|l| !records.contains(l)).collect();
        let missing: Vec<_> = records.iter().filter(|l| !held.contains(l)).collect();
        panic!("{context}: the zone differs\nextra: {extra:#?}\nmissing: {missing:#?}");
    }
    let again = work.apply(0);
    assert!(
        list(&again["changes"]).is_empty(),
        "{context}: {:?}",
        change_summary(&again)
    );
    assert_all_ready(&again);
}

/// `apply` killed with SIGKILL after a random delay (up to the time a full apply takes) leaves a
/// state file that is JSON, if any, and a plain `apply` then converges to exactly the desired
/// records with every entry Ready (a record set created just before the kill must not be left
/// unowned: it would block its entry for good).
#[test]
fn a_killed_apply_converges() {
    let test_started = Instant::now();
    let Some(bind) = Bind::start() else {
        return;
    };
    let work = Work::new("crash", &Credentials::of(&bind));

    // Generation 0 in full, to measure how long an apply of ~300 changes takes.
    let (yaml, records) = generation(0);
    work.set_entries(&yaml);
    let started = Instant::now();
    let first = work.apply(0);
    let full = started.elapsed();
    assert!(list(&first["changes"]).len() > 250);
    assert_converges(&bind, &work, &records, "generation 0");
    eprintln!("a full apply of {} entries: {full:?}", records.len());

    let mut killed = 0;
    // What the zone held when the apply ended: the old generation, neither, the new one.
    let (mut early, mut halfway, mut late) = (0, 0, 0);
    let mut trials = 0;
    let mut before = records;
    for trial in 1..=MAX_TRIALS {
        if trial > TRIALS && test_started.elapsed() > TRIAL_BUDGET {
            break;
        }
        trials += 1;
        let (yaml, records) = generation(trial);
        work.set_entries(&yaml);
        let mut lcg = Lcg(trial);
        lcg.next();
        // Between 0 and a full apply's time; every other trial in its second half, where the
        // updates are sent (reading and planning come first).
        let millis = u64::try_from(full.as_millis()).unwrap_or(u64::MAX).max(1);
        let from = if trial % 2 == 0 { millis / 2 } else { 0 };
        let delay = Duration::from_millis(from + lcg.next() % (millis - from + 1));

        let mut child = work.spawn();
        let deadline = Instant::now() + delay;
        let finished = loop {
            if child.try_wait().expect("shoot-dns runs").is_some() {
                break true;
            }
            if Instant::now() >= deadline {
                break false;
            }
            std::thread::sleep(Duration::from_millis(2));
        };
        if !finished {
            // Child::kill sends SIGKILL.
            child.kill().expect("SIGKILL");
            killed += 1;
        }
        child.wait().expect("shoot-dns ends");
        let (stdout, stderr) = work.output();
        work.assert_no_secret(&stdout, &stderr);
        let context = format!(
            "trial {trial} ({}, after {delay:?})",
            if finished { "finished" } else { "killed" }
        );
        if Path::new(&work.state).exists() {
            let text = std::fs::read_to_string(&work.state).expect("the state file");
            serde_json::from_str::<Value>(&text)
                .unwrap_or_else(|e| panic!("{context}: the state file is not JSON: {e}\n{text}"));
        }
        let held = bind.added_records();
        if held == before {
            early += 1;
        } else if held == records {
            late += 1;
        } else {
            halfway += 1;
        }
        assert_converges(&bind, &work, &records, &context);
        before = records;
    }
    eprintln!(
        "{trials} trials, {killed} applies killed; the zone unchanged {early} times, half \
         changed {halfway} times, fully changed {late} times"
    );
    assert!(killed > 0, "no apply was killed while running");
}

// ---------------------------------------------------------------------------------------------
// Bad credentials
// ---------------------------------------------------------------------------------------------

const ONE_ENTRY: &str = "apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata:
  name: www
  namespace: default
  annotations: {dns.gardener.cloud/class: garden}
spec: {dnsName: www.ZONE, targets: [192.0.2.1]}
---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata:
  name: txt
  namespace: default
  annotations: {dns.gardener.cloud/class: garden}
spec: {dnsName: txt.ZONE, text: [hello]}
";

/// `apply` with `credentials` exits 3, every change fails, one of `expected` (compared without
/// case) is in a change's result, stderr, or a status message, the state file is JSON and owns
/// nothing, and neither the secret given nor the server's is in any output. Gives the work
/// directory for more.
fn assert_fails(bind: &Bind, label: &str, credentials: &Credentials, expected: &[&str]) -> Work {
    // `Work::new` guards the secret given; the server's is guarded too.
    let mut work = Work::new(label, credentials);
    work.secrets.push(bind.secret_base64().to_owned());
    let zone = credentials.zone.trim_end_matches('.');
    work.set_entries(&ONE_ENTRY.replace("ZONE", zone));
    let plan = work.apply(3);
    let mut messages = vec![plan["stderr"].as_str().unwrap_or("").to_owned()];
    for change in list(&plan["changes"]) {
        let result = change["result"].as_str().unwrap_or("");
        assert!(
            result.starts_with("error:"),
            "{label}: {:#?}",
            change_summary(&plan)
        );
        messages.push(result.to_owned());
    }
    for object in list(&plan["entries"])
        .iter()
        .chain(list(&plan["providers"]))
    {
        messages.push(
            object["status"]["message"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        );
    }
    let all = messages.join("\n").to_lowercase();
    assert!(
        expected.iter().any(|e| all.contains(&e.to_lowercase())),
        "{label}: none of {expected:?} in the messages:\n{}",
        messages.join("\n")
    );
    let state = work.state();
    let owned: Vec<&Value> = state["entries"]
        .as_object()
        .map(|e| e.values().flat_map(|e| list(&e["keys"])).collect())
        .unwrap_or_default();
    assert!(owned.is_empty(), "{label}: owned after failing: {state:#}");
    work
}

#[test]
fn a_wrong_secret_fails_then_the_right_one_works() {
    let Some(bind) = Bind::start() else {
        return;
    };
    let right = Credentials::of(&bind);
    let wrong_secret = {
        // Another valid base64 secret of the same length.
        let mut bytes = base64_decode(bind.secret_base64());
        bytes[0] ^= 0xff;
        base64_encode(&bytes)
    };
    let wrong = Credentials {
        secret: wrong_secret,
        ..right.clone()
    };
    let work = assert_fails(
        &bind,
        "wrongsecret",
        &wrong,
        &["BADSIG", "NOTAUTH", "TSIG", "signature"],
    );
    assert!(bind.added_records().is_empty(), "{:?}", bind.axfr());

    work.set_provider(&right);
    let fixed = work.apply(0);
    assert_all_ok(&fixed);
    assert_all_ready(&fixed);
    assert_eq!(
        bind.added_records(),
        [
            "txt.example.com. 300 TXT \"hello\"",
            "www.example.com. 300 A 192.0.2.1",
        ]
    );
}

#[test]
fn a_wrong_algorithm_fails() {
    let Some(bind) = Bind::start() else {
        return;
    };
    let credentials = Credentials {
        algorithm: "hmac-sha512".into(),
        ..Credentials::of(&bind)
    };
    assert_fails(
        &bind,
        "wrongalgorithm",
        &credentials,
        &["BADKEY", "NOTAUTH", "TSIG", "algorithm"],
    );
    assert!(bind.added_records().is_empty(), "{:?}", bind.axfr());
}

#[test]
fn a_server_that_is_down_fails() {
    let Some(mut bind) = Bind::start() else {
        return;
    };
    let credentials = Credentials::of(&bind);
    bind.stop();
    let started = Instant::now();
    assert_fails(
        &bind,
        "serverdown",
        &credentials,
        &[
            "connection refused",
            "refused",
            "timed out",
            "timeout",
            "unreachable",
            "connect",
        ],
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}

/// A server that accepts updates but refuses transfers: `apply` asks it, with signed queries,
/// for the names the plan needs, so it still sees foreign records (the colliding entries are
/// `Error`, nothing foreign is touched) and writes the rest.
#[test]
fn a_zone_that_cannot_be_transferred_is_read_by_queries() {
    let Some(bind) = Bind::start_refusing_transfers() else {
        return;
    };
    bind.nsupdate(
        "update add www.example.com. 300 A 198.51.100.2
         update add txt.example.com. 300 TXT \"foreign\"",
    );
    let work = Work::new("notransfer", &Credentials::of(&bind));
    let entries = format!(
        "{ONE_ENTRY}---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata:
  name: fresh
  namespace: default
  annotations: {{dns.gardener.cloud/class: garden}}
spec: {{dnsName: fresh.ZONE, targets: [192.0.2.5]}}
"
    );
    work.set_entries(&entries.replace("ZONE", "example.com"));
    let plan = work.apply(0);
    assert_eq!(
        change_summary(&plan).len(),
        1,
        "only the fresh name is written: {:?}",
        change_summary(&plan)
    );
    let states = entry_states(&plan);
    for (name, state, message) in &states {
        if name.starts_with("fresh.") {
            assert_eq!(state, "Ready", "{states:?}");
        } else {
            assert_eq!(state, "Error", "{states:?}");
            assert!(message.contains("exists and is not owned"), "{message}");
        }
    }
    assert_eq!(bind.dig("www.example.com", "A"), ["198.51.100.2"]);
    assert_eq!(bind.dig("txt.example.com", "TXT"), ["\"foreign\""]);
    assert_eq!(bind.dig("fresh.example.com", "A"), ["192.0.2.5"]);
    // Read by queries again, the next apply has nothing to do.
    let again = work.apply(0);
    assert!(
        change_summary(&again).is_empty(),
        "{:?}",
        change_summary(&again)
    );
}

#[test]
fn a_zone_the_server_does_not_serve_fails() {
    let Some(bind) = Bind::start() else {
        return;
    };
    let credentials = Credentials {
        zone: "other.example.".into(),
        ..Credentials::of(&bind)
    };
    assert_fails(
        &bind,
        "otherzone",
        &credentials,
        &["NOTAUTH", "NOTZONE", "REFUSED", "not authoritative"],
    );
    assert!(bind.added_records().is_empty(), "{:?}", bind.axfr());
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
