//! A Route 53 API of a test's own: moto's server mode (`python -m moto.server`) on a free
//! loopback port, and a small client of Route 53's REST-XML API (2013-04-01) to seed and inspect
//! its hosted zones.
//!
//! moto comes from PyPI at the version of `tests/route53/requirements.txt`: on first use a
//! virtual environment is built from that file (`python3 -m venv`, `pip install -r`) into
//! `${XDG_CACHE_HOME:-$HOME/.cache}/shoot-dns/moto/<version>-<hash of the file>/`, or
//! `SHOOT_DNS_MOTO_DIR`; later runs find it there. It is built in a folder of its own and renamed
//! into place when complete, so test binaries that race build it twice but never use half of one.
//! When python3, its `venv` module or pip cannot provide moto, [`Moto::start`] prints one loud
//! `=== SKIPPED` line (once per test binary) and gives `None`; with `SHOOT_DNS_REQUIRE_MOTO=1`
//! (as `.ci/run` sets it) it panics instead.
//!
//! Every [`Moto`] is a process of its own (moto keeps its state in the process), killed when
//! dropped. Nothing outlives the test binary: a guard process watches it and, once it is gone
//! (ended, panicked or killed), kills the server whose pid the server's folder holds.
//!
//! moto checks no signatures, but it picks the service from the credential scope of the
//! `Authorization` header, so every request carries a dummy SigV4 header for `route53`.
//! tests/route53/MOTO.md lists where moto's Route 53 differs from the real one.

use std::fmt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Once, OnceLock};
use std::time::{Duration, Instant};

use crate::support::process::{free_port, guard, next_serial, say};
use crate::support::tempdir::TempDir;

/// The requirements the virtual environment is built from.
const REQUIREMENTS: &str = include_str!("../../route53/requirements.txt");
/// Where pip reads them.
const REQUIREMENTS_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/route53/requirements.txt"
);
/// The API version of every path.
const API: &str = "/2013-04-01";
/// The namespace of Route 53's request and response documents.
const XMLNS: &str = "https://route53.amazonaws.com/doc/2013-04-01/";
/// A SigV4 header whose credential scope names route53 (moto routes by it and checks nothing).
const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=testing/20130401/us-east-1/route53/aws4_request, SignedHeaders=host;x-amz-date, Signature=0";
/// How long the server may take to answer for the first time.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How many ports `start` tries before it gives up.
const START_ATTEMPTS: usize = 5;
/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The moto version `tests/route53/requirements.txt` pins.
pub fn moto_version() -> &'static str {
    (REQUIREMENTS.lines())
        .find_map(|line| line.trim().strip_prefix("moto[server]=="))
        .expect("tests/route53/requirements.txt pins moto[server]==<version>")
        .trim()
}

/// The folder of the virtual environment.
fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SHOOT_DNS_MOTO_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    (cache.join("shoot-dns/moto")).join(format!(
        "{}-{:016x}",
        moto_version(),
        fnv1a(REQUIREMENTS.as_bytes())
    ))
}

/// FNV-1a, 64 bits: a hash that stays the same across Rust releases (the cache key).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The marker a complete virtual environment holds (written last, before the rename).
const COMPLETE: &str = "shoot-dns-complete";

fn complete(dir: &Path) -> bool {
    dir.join(COMPLETE).is_file() && dir.join("bin/python").exists()
}

/// The virtual environment's folder, built on first use; the reason when it cannot be.
fn venv() -> Result<PathBuf, String> {
    static VENV: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    VENV.get_or_init(build_venv).clone()
}

fn build_venv() -> Result<PathBuf, String> {
    let dir = venv_dir();
    if complete(&dir) {
        return Ok(dir);
    }
    if !Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        return Err("no python3 on PATH to build moto's virtual environment".to_owned());
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    let name = dir
        .file_name()
        .map_or_else(|| "moto".to_owned(), |n| n.to_string_lossy().into_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let tmp = parent.join(format!(".{name}.tmp-{}-{nanos}", std::process::id()));
    say(&format!(
        "=== building moto's virtual environment (moto[server]=={}, tests/route53/requirements.txt) \
         into {}: first use, this takes a minute",
        moto_version(),
        dir.display()
    ));
    let started = Instant::now();
    let built = populate(&tmp);
    if let Err(why) = built {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(why);
    }
    match std::fs::rename(&tmp, &dir) {
        Ok(()) => {}
        // Another test binary was quicker: use its.
        Err(_) if complete(&dir) => {
            let _ = std::fs::remove_dir_all(&tmp);
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(format!(
                "cannot move the virtual environment to {} ({e}); remove what is there",
                dir.display()
            ));
        }
    }
    say(&format!(
        "=== built moto's virtual environment in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(dir)
}

/// `python3 -m venv` and `pip install -r` into `dir`, then the marker.
fn populate(dir: &Path) -> Result<(), String> {
    let run = |what: &str, command: &mut Command| -> Result<(), String> {
        let output = command
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {what}: {e}"))?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        Err(format!(
            "{what} failed ({}): {}",
            output.status,
            lines[lines.len().saturating_sub(5)..].join(" | ")
        ))
    };
    run(
        "python3 -m venv (on Debian: apt-get install python3-venv)",
        Command::new("python3").args(["-m", "venv"]).arg(dir),
    )?;
    run(
        "pip install -r tests/route53/requirements.txt",
        Command::new(dir.join("bin/python"))
            .args(["-m", "pip", "install", "--disable-pip-version-check"])
            .args(["--no-input", "--quiet", "-r", REQUIREMENTS_PATH]),
    )?;
    std::fs::write(dir.join(COMPLETE), REQUIREMENTS).map_err(|e| e.to_string())
}

/// A running moto server; killed when dropped.
pub struct Moto {
    dir: TempDir,
    port: u16,
    child: Option<Child>,
    /// How long the start took (process spawned until Route 53 answered).
    pub started_in: Duration,
}

impl Moto {
    /// Starts a moto server of its own (building the virtual environment first if needed), or
    /// gives `None` (after one loud line per test binary) when python3, venv or pip cannot provide
    /// moto and `SHOOT_DNS_REQUIRE_MOTO` is not `1`. Panics, with the server's log, when moto is
    /// there but does not start.
    pub fn start() -> Option<Moto> {
        let venv = match venv() {
            Ok(venv) => venv,
            Err(why) => {
                if std::env::var("SHOOT_DNS_REQUIRE_MOTO").as_deref() == Ok("1") {
                    panic!("moto is required (SHOOT_DNS_REQUIRE_MOTO=1): {why}");
                }
                static SAID: Once = Once::new();
                SAID.call_once(|| {
                    say(&format!(
                        "=== SKIPPED: the tests against moto's Route 53 (aws-route53): {why} ==="
                    ));
                });
                return None;
            }
        };
        let dir = TempDir::new("moto");
        guard(dir.root()).expect("the clean-up guard starts");
        let mut moto = Moto {
            dir,
            port: 0,
            child: None,
            started_in: Duration::ZERO,
        };
        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            moto.port = free_port();
            match moto.launch(&venv) {
                Ok(()) => return Some(moto),
                Err(log) => {
                    last = log;
                    moto.stop();
                }
            }
        }
        panic!("moto did not start on any of {START_ATTEMPTS} ports; its log:\n{last}");
    }

    /// Spawns the server on `self.port` and waits for Route 53 to answer; the log when the port
    /// was taken. Panics when the server fails otherwise.
    fn launch(&mut self, venv: &Path) -> Result<(), String> {
        let log = std::fs::File::create(self.dir.path("moto.log")).expect("a log file");
        let started = Instant::now();
        let child = Command::new(venv.join("bin/python"))
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file"))
            .stderr(log)
            .spawn()
            .expect("python starts");
        std::fs::write(self.dir.path("moto.pid"), child.id().to_string()).expect("a pid file");
        self.child = Some(child);
        // Werkzeug says so once its socket is bound: before that, an answer on the port could
        // come from another server that took the port first.
        let running = format!("Running on http://127.0.0.1:{}", self.port);
        let zones = format!("{API}/hostedzone");
        loop {
            if self.log().contains(&running) && self.request("GET", &zones, None).status == 200 {
                break;
            }
            let exited = (self.child.as_mut()).and_then(|c| c.try_wait().ok().flatten());
            if let Some(status) = exited {
                let log = self.log();
                if log.contains("Address already in use") {
                    return Err(log);
                }
                panic!("moto ended ({status}) before it answered; its log:\n{log}");
            }
            if started.elapsed() > START_TIMEOUT {
                panic!(
                    "moto does not answer after {START_TIMEOUT:?}; its log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        self.started_in = started.elapsed();
        eprintln!(
            "moto {} ready in {:.2} s at {}",
            moto_version(),
            self.started_in.as_secs_f64(),
            self.endpoint()
        );
        Ok(())
    }

    /// The server's address, `http://127.0.0.1:<port>` (the endpoint a Route 53 client is given).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's pid, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The server's output (one line per request, and Python's tracebacks).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path("moto.log")).unwrap_or_default()
    }

    /// Kills the server (dropping does it too).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_file(self.dir.path("moto.pid"));
    }

    /// Forgets every zone, record and health check (moto's `/moto-api/reset`).
    pub fn reset(&self) {
        let answer = self.request("POST", "/moto-api/reset", None);
        assert_eq!(answer.status, 200, "reset: {}", answer.body);
    }

    /// One request to the server, with the headers moto needs to route it to Route 53. Panics
    /// when the server does not answer (status 0 only while it starts).
    pub fn request(&self, method: &str, path: &str, body: Option<&str>) -> Response {
        match http(self.port, method, path, body) {
            Ok(response) => response,
            Err(_) if self.started_in.is_zero() => Response {
                status: 0,
                body: String::new(),
            },
            Err(e) => panic!("{method} {path} to moto: {e}"),
        }
    }

    /// A request whose answer must have status 200 or 201, parsed.
    fn call(&self, method: &str, path: &str, body: Option<&str>) -> Result<Element, ApiError> {
        let answer = self.request(method, path, body);
        if !(200..300).contains(&answer.status) {
            return Err(ApiError::from_response(&answer));
        }
        let document = parse_xml(&answer.body)
            .unwrap_or_else(|why| panic!("{method} {path}: {why} in the answer:\n{}", answer.body));
        Ok(document)
    }

    /// Creates a hosted zone (`name` with or without the final dot); private zones get no VPC.
    pub fn create_zone(&self, name: &str, private: bool) -> ZoneId {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CreateHostedZoneRequest xmlns=\"{XMLNS}\">\
             <Name>{}</Name><CallerReference>shoot-dns-{}-{}</CallerReference>\
             <HostedZoneConfig><PrivateZone>{private}</PrivateZone></HostedZoneConfig>\
             </CreateHostedZoneRequest>",
            escape(name),
            std::process::id(),
            next_serial(),
        );
        let answer = self
            .call("POST", &format!("{API}/hostedzone"), Some(&body))
            .unwrap_or_else(|e| panic!("creating the zone {name}: {e}"));
        let id = answer
            .text_at("HostedZone/Id")
            .expect("CreateHostedZoneResponse has HostedZone/Id");
        ZoneId::new(id)
    }

    /// Every hosted zone, following `NextMarker`.
    pub fn list_zones(&self) -> Vec<HostedZone> {
        let mut zones = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let query = marker
                .as_ref()
                .map_or(String::new(), |m| format!("?marker={}", query_encode(m)));
            let answer = self
                .call("GET", &format!("{API}/hostedzone{query}"), None)
                .unwrap_or_else(|e| panic!("listing the hosted zones: {e}"));
            let list = answer.child("HostedZones").expect("HostedZones");
            zones.extend(list.children_named("HostedZone").map(HostedZone::from_xml));
            if answer.text_at("IsTruncated") != Some("true") {
                return zones;
            }
            let next = answer
                .text_at("NextMarker")
                .expect("NextMarker when truncated");
            assert_ne!(
                marker.as_deref(),
                Some(next),
                "ListHostedZones makes no progress"
            );
            marker = Some(next.to_owned());
        }
    }

    /// One change of a record set without routing policy; panics when Route 53 refuses it.
    pub fn change(
        &self,
        zone: &str,
        action: &str,
        name: &str,
        record_type: &str,
        ttl: u32,
        values: &[&str],
    ) {
        let set = RecordSet::new(name, record_type, ttl, values);
        self.change_batch(zone, &[(action, &set)]);
    }

    /// Changes in one `ChangeResourceRecordSets` batch; panics when Route 53 refuses it.
    pub fn change_batch(&self, zone: &str, changes: &[(&str, &RecordSet)]) {
        if let Err(e) = self.try_change_batch(zone, changes) {
            panic!("changing the zone {zone}: {e}");
        }
    }

    /// Changes in one `ChangeResourceRecordSets` batch, or Route 53's error.
    pub fn try_change_batch(
        &self,
        zone: &str,
        changes: &[(&str, &RecordSet)],
    ) -> Result<(), ApiError> {
        let mut body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ChangeResourceRecordSetsRequest \
             xmlns=\"{XMLNS}\"><ChangeBatch><Changes>"
        );
        for (action, set) in changes {
            body.push_str(&format!("<Change><Action>{}</Action>", escape(action)));
            set.write_xml(&mut body);
            body.push_str("</Change>");
        }
        body.push_str("</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>");
        let path = format!("{API}/hostedzone/{}/rrset/", bare_id(zone));
        self.call("POST", &path, Some(&body)).map(drop)
    }

    /// Every record set of a zone, in Route 53's order, following the pages of 300.
    pub fn record_sets(&self, zone: &str) -> Vec<RecordSet> {
        self.record_sets_paged(zone, None).sets
    }

    /// Every record set of a zone, following the pages (`maxitems` when given): `NextRecordName`,
    /// `NextRecordType` and `NextRecordIdentifier`. moto ignores the last, so a page can begin with
    /// sets of the page before: those are left out, and a page that brings nothing new panics.
    pub fn record_sets_paged(&self, zone: &str, max_items: Option<usize>) -> Pages {
        let mut pages = Pages {
            sets: Vec::new(),
            pages: 0,
        };
        let mut seen = std::collections::HashSet::new();
        let mut start: Option<(String, String, Option<String>)> = None;
        loop {
            let mut query = Vec::new();
            if let Some((name, kind, identifier)) = &start {
                query.push(format!("name={}", query_encode(name)));
                query.push(format!("type={}", query_encode(kind)));
                if let Some(identifier) = identifier {
                    query.push(format!("identifier={}", query_encode(identifier)));
                }
            }
            if let Some(max) = max_items {
                query.push(format!("maxitems={max}"));
            }
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{}", query.join("&"))
            };
            let path = format!("{API}/hostedzone/{}/rrset{query}", bare_id(zone));
            let answer = (self.call("GET", &path, None))
                .unwrap_or_else(|e| panic!("listing the record sets of {zone}: {e}"));
            pages.pages += 1;
            let list = answer
                .child("ResourceRecordSets")
                .expect("ResourceRecordSets");
            let mut new = 0;
            for set in list.children_named("ResourceRecordSet") {
                let set = RecordSet::from_xml(set);
                if seen.insert(set.key()) {
                    pages.sets.push(set);
                    new += 1;
                }
            }
            if answer.text_at("IsTruncated") != Some("true") {
                return pages;
            }
            assert!(
                new > 0,
                "ListResourceRecordSets of {zone} makes no progress at {start:?} (more sets of one \
                 name and type than a page holds: moto ignores StartRecordIdentifier)"
            );
            start = Some((
                answer
                    .text_at("NextRecordName")
                    .expect("NextRecordName")
                    .to_owned(),
                answer
                    .text_at("NextRecordType")
                    .expect("NextRecordType")
                    .to_owned(),
                answer.text_at("NextRecordIdentifier").map(str::to_owned),
            ));
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A hosted zone's id in both spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneId {
    /// `/hostedzone/<ID>`, as Route 53 answers it.
    pub full: String,
    /// `<ID>`, as paths and Gardener's providers name it.
    pub bare: String,
}

impl ZoneId {
    fn new(id: &str) -> ZoneId {
        ZoneId {
            full: format!("/hostedzone/{}", bare_id(id)),
            bare: bare_id(id).to_owned(),
        }
    }
}

impl fmt::Display for ZoneId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.bare)
    }
}

/// The bare id of `/hostedzone/<ID>` or `<ID>`.
pub fn bare_id(id: &str) -> &str {
    id.strip_prefix("/hostedzone/").unwrap_or(id)
}

/// A hosted zone as `ListHostedZones` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedZone {
    pub id: ZoneId,
    /// With the final dot.
    pub name: String,
    pub private: bool,
    pub record_set_count: u64,
}

impl HostedZone {
    fn from_xml(zone: &Element) -> HostedZone {
        HostedZone {
            id: ZoneId::new(zone.text_at("Id").expect("HostedZone/Id")),
            name: zone.text_at("Name").expect("HostedZone/Name").to_owned(),
            private: zone.text_at("Config/PrivateZone") == Some("true"),
            record_set_count: (zone.text_at("ResourceRecordSetCount"))
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
        }
    }
}

/// A resource record set. The fields a plan reads are named; the routing policy's (`Weight`,
/// `Region`, `Failover`, `MultiValueAnswer`, `GeoLocation/CountryCode`, `CidrRoutingConfig/…`)
/// are in `routing` as (path, text) in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordSet {
    /// As Route 53 spells it (moto: as it was sent, with the final dot).
    pub name: String,
    pub record_type: String,
    pub ttl: Option<u32>,
    pub values: Vec<String>,
    pub set_identifier: Option<String>,
    pub health_check_id: Option<String>,
    pub alias: Option<AliasTarget>,
    pub routing: Vec<(String, String)>,
}

/// The target of an alias record set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasTarget {
    pub hosted_zone_id: String,
    pub dns_name: String,
    pub evaluate_target_health: bool,
}

impl RecordSet {
    /// A set of plain records.
    pub fn new(name: &str, record_type: &str, ttl: u32, values: &[&str]) -> RecordSet {
        RecordSet {
            name: name.to_owned(),
            record_type: record_type.to_owned(),
            ttl: Some(ttl),
            values: values.iter().map(|v| (*v).to_owned()).collect(),
            ..RecordSet::default()
        }
    }

    /// An alias set (no TTL, no values).
    pub fn alias(name: &str, record_type: &str, target: AliasTarget) -> RecordSet {
        RecordSet {
            name: name.to_owned(),
            record_type: record_type.to_owned(),
            alias: Some(target),
            ..RecordSet::default()
        }
    }

    /// With a set identifier and routing fields, e.g. `[("Weight", "10")]` or
    /// `[("GeoLocation/CountryCode", "DE")]`.
    pub fn routed(mut self, set_identifier: &str, routing: &[(&str, &str)]) -> RecordSet {
        self.set_identifier = Some(set_identifier.to_owned());
        self.routing = (routing.iter())
            .map(|(path, text)| ((*path).to_owned(), (*text).to_owned()))
            .collect();
        self
    }

    /// What identifies a set in a zone: name, type and set identifier.
    pub fn key(&self) -> (String, String, Option<String>) {
        (
            self.name.clone(),
            self.record_type.clone(),
            self.set_identifier.clone(),
        )
    }

    fn from_xml(set: &Element) -> RecordSet {
        const NAMED: [&str; 7] = [
            "Name",
            "Type",
            "TTL",
            "ResourceRecords",
            "SetIdentifier",
            "HealthCheckId",
            "AliasTarget",
        ];
        let mut routing = Vec::new();
        for child in set.children.iter().filter(|c| !NAMED.contains(&&*c.name)) {
            child.leaves(&child.name, &mut routing);
        }
        RecordSet {
            name: set
                .text_at("Name")
                .expect("ResourceRecordSet/Name")
                .to_owned(),
            record_type: set
                .text_at("Type")
                .expect("ResourceRecordSet/Type")
                .to_owned(),
            ttl: set
                .text_at("TTL")
                .map(|t| t.parse().expect("a numeric TTL")),
            values: (set.child("ResourceRecords").into_iter())
                .flat_map(|records| records.children_named("ResourceRecord"))
                .map(|record| record.text_at("Value").unwrap_or_default().to_owned())
                .collect(),
            set_identifier: set.text_at("SetIdentifier").map(str::to_owned),
            health_check_id: set.text_at("HealthCheckId").map(str::to_owned),
            alias: set.child("AliasTarget").map(|target| AliasTarget {
                hosted_zone_id: target
                    .text_at("HostedZoneId")
                    .unwrap_or_default()
                    .to_owned(),
                dns_name: target.text_at("DNSName").unwrap_or_default().to_owned(),
                evaluate_target_health: target.text_at("EvaluateTargetHealth") == Some("true"),
            }),
            routing,
        }
    }

    /// The `<ResourceRecordSet>` element, in the order of Route 53's schema.
    fn write_xml(&self, out: &mut String) {
        let element = |out: &mut String, name: &str, text: &str| {
            out.push_str(&format!("<{name}>{}</{name}>", escape(text)));
        };
        out.push_str("<ResourceRecordSet>");
        element(out, "Name", &self.name);
        element(out, "Type", &self.record_type);
        if let Some(identifier) = &self.set_identifier {
            element(out, "SetIdentifier", identifier);
        }
        // Routing fields; consecutive `Parent/Child` paths share one `<Parent>`.
        let mut open: Option<&str> = None;
        for (path, text) in &self.routing {
            let (parent, leaf) = match path.split_once('/') {
                Some((parent, leaf)) => (Some(parent), leaf),
                None => (None, path.as_str()),
            };
            if open != parent {
                if let Some(open) = open {
                    out.push_str(&format!("</{open}>"));
                }
                if let Some(parent) = parent {
                    out.push_str(&format!("<{parent}>"));
                }
                open = parent;
            }
            element(out, leaf, text);
        }
        if let Some(open) = open {
            out.push_str(&format!("</{open}>"));
        }
        if let Some(ttl) = self.ttl {
            element(out, "TTL", &ttl.to_string());
        }
        if !self.values.is_empty() {
            out.push_str("<ResourceRecords>");
            for value in &self.values {
                out.push_str("<ResourceRecord>");
                element(out, "Value", value);
                out.push_str("</ResourceRecord>");
            }
            out.push_str("</ResourceRecords>");
        }
        if let Some(alias) = &self.alias {
            out.push_str("<AliasTarget>");
            element(out, "HostedZoneId", &alias.hosted_zone_id);
            element(out, "DNSName", &alias.dns_name);
            let evaluate = if alias.evaluate_target_health {
                "true"
            } else {
                "false"
            };
            element(out, "EvaluateTargetHealth", evaluate);
            out.push_str("</AliasTarget>");
        }
        if let Some(health_check) = &self.health_check_id {
            element(out, "HealthCheckId", health_check);
        }
        out.push_str("</ResourceRecordSet>");
    }
}

/// The record sets of a zone and how many pages they took.
#[derive(Debug)]
pub struct Pages {
    pub sets: Vec<RecordSet>,
    pub pages: usize,
}

/// An error answer: `<ErrorResponse><Error><Type/><Code/><Message/></Error>…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    /// Empty when the body is no error document (moto answers malformed requests with 500 and
    /// an HTML page).
    pub code: String,
    pub message: String,
    pub body: String,
}

impl ApiError {
    fn from_response(response: &Response) -> ApiError {
        let error = parse_xml(&response.body).ok();
        let text = |path: &str| {
            (error.as_ref())
                .and_then(|e| e.text_at(path))
                .unwrap_or_default()
                .to_owned()
        };
        ApiError {
            status: response.status,
            code: text("Error/Code"),
            message: text("Error/Message"),
            body: response.body.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code.is_empty() {
            write!(f, "HTTP {}: {}", self.status, self.body)
        } else {
            write!(f, "HTTP {} {}: {}", self.status, self.code, self.message)
        }
    }
}

/// A server's answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

/// One HTTP/1.1 exchange on its own connection (`Connection: close`).
fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> std::io::Result<Response> {
    let invalid = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    stream.set_write_timeout(Some(REQUEST_TIMEOUT))?;
    let body = body.unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {AUTHORIZATION}\r\n\
         X-Amz-Date: 20130401T000000Z\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let end =
        (raw.windows(4).position(|w| w == b"\r\n\r\n")).ok_or_else(|| invalid("no header end"))?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut rest = &raw[end + 4..];
    let mut lines = head.split("\r\n");
    let status = (lines.next().and_then(|line| line.split(' ').nth(1)))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| invalid("no status line"))?;
    let mut length = None;
    let mut chunked = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse::<usize>().ok();
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = value.eq_ignore_ascii_case("chunked");
        }
    }
    let body = if chunked {
        let mut body = Vec::new();
        loop {
            let line_end = (rest.windows(2).position(|w| w == b"\r\n"))
                .ok_or_else(|| invalid("a chunk without size"))?;
            let size = String::from_utf8_lossy(&rest[..line_end]);
            let size = size.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size, 16).map_err(|_| invalid("a bad chunk size"))?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            let chunk = rest.get(..size).ok_or_else(|| invalid("a short chunk"))?;
            body.extend_from_slice(chunk);
            rest = rest.get(size + 2..).unwrap_or_default();
        }
        body
    } else {
        let length = length.unwrap_or(rest.len());
        rest.get(..length)
            .ok_or_else(|| invalid("a short body"))?
            .to_vec()
    };
    let body = String::from_utf8(body).map_err(|_| invalid("a body that is no UTF-8"))?;
    Ok(Response { status, body })
}

/// An XML element: its local name (without prefix), its child elements, and the text directly
/// inside it (entities and CDATA resolved).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The children named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the element at `path` (`A/B/C`, first match at each step).
    pub fn text_at(&self, path: &str) -> Option<&str> {
        let mut element = self;
        for step in path.split('/') {
            element = element.child(step)?;
        }
        Some(&element.text)
    }

    /// The leaves below this element as (path, text), the path starting with `prefix`.
    fn leaves(&self, prefix: &str, out: &mut Vec<(String, String)>) {
        if self.children.is_empty() {
            out.push((prefix.to_owned(), self.text.clone()));
        }
        for child in &self.children {
            child.leaves(&format!("{prefix}/{}", child.name), out);
        }
    }
}

/// Parses a document of elements and text (attributes are skipped, comments, processing
/// instructions and DOCTYPE ignored) into its root element.
pub fn parse_xml(text: &str) -> Result<Element, String> {
    let mut stack: Vec<Element> = Vec::new();
    let mut root = None;
    let mut rest = text;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            text_into(&mut stack, rest)?;
            break;
        };
        text_into(&mut stack, &rest[..open])?;
        rest = &rest[open..];
        let skip = |rest: &mut &str, end: &str| -> Result<(), String> {
            let at = rest.find(end).ok_or_else(|| format!("no `{end}`"))?;
            *rest = &rest[at + end.len()..];
            Ok(())
        };
        if rest.starts_with("<?") {
            skip(&mut rest, "?>")?;
        } else if rest.starts_with("<!--") {
            skip(&mut rest, "-->")?;
        } else if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            let end = cdata.find("]]>").ok_or("an unclosed CDATA section")?;
            let top = stack.last_mut().ok_or("CDATA outside the root element")?;
            top.text.push_str(&cdata[..end]);
            rest = &cdata[end + 3..];
        } else if rest.starts_with("<!") {
            skip(&mut rest, ">")?;
        } else if let Some(close) = rest.strip_prefix("</") {
            let end = close.find('>').ok_or("an unclosed end tag")?;
            let name = local(close[..end].trim());
            let element = stack
                .pop()
                .ok_or_else(|| format!("`</{name}>` without start"))?;
            if element.name != name {
                return Err(format!("`<{}>` closed by `</{name}>`", element.name));
            }
            rest = &close[end + 1..];
            match stack.last_mut() {
                Some(parent) => parent.children.push(element),
                None if root.is_none() => root = Some(element),
                None => return Err("a second root element".to_owned()),
            }
        } else {
            // A start tag: the name, then attributes whose quoted values may hold `>`.
            let tag = &rest[1..];
            let name_end = (tag.find(|c: char| c.is_whitespace() || c == '/' || c == '>'))
                .ok_or("an unclosed start tag")?;
            let name = local(&tag[..name_end]);
            if name.is_empty() {
                return Err("a start tag without name".to_owned());
            }
            let mut quote = None;
            let mut end = None;
            for (i, c) in tag.char_indices().skip(name_end) {
                match (quote, c) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"' | '\'') => quote = Some(c),
                    (None, '>') => {
                        end = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let end = end.ok_or("an unclosed start tag")?;
            let element = Element {
                name: name.to_owned(),
                ..Element::default()
            };
            if tag[..end].ends_with('/') {
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None if root.is_none() => root = Some(element),
                    None => return Err("a second root element".to_owned()),
                }
            } else {
                if stack.is_empty() && root.is_some() {
                    return Err("a second root element".to_owned());
                }
                stack.push(element);
            }
            rest = &tag[end + 1..];
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("`<{}>` is not closed", open.name));
    }
    root.ok_or_else(|| "no element".to_owned())
}

/// The name without its namespace prefix.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Text between tags: into the open element, or whitespace outside the root.
fn text_into(stack: &mut [Element], text: &str) -> Result<(), String> {
    match stack.last_mut() {
        Some(top) => {
            top.text.push_str(&unescape(text)?);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(format!("text outside the root element: {text:?}")),
    }
}

/// Resolves the five named entities and character references.
fn unescape(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let end = rest[amp..].find(';').ok_or("an unterminated entity")? + amp;
        let entity = &rest[amp + 1..end];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("an unknown entity `&{entity};`"))?
            }
        };
        out.push(c);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Text for element content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes all but the unreserved characters of RFC 3986.
fn query_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_route53_documents() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- a comment -->\n\
            <ErrorResponse xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\">\
            <Error><Type>Sender</Type><Code>InvalidChangeBatch</Code>\
            <Message>[name='a&amp;b.', value=&quot;x&quot; &lt;&#65;&#x42;&gt;]</Message></Error>\
            <Empty/><Attr a=\"x>y\" b='1'>t<![CDATA[<raw>]]></Attr>\
            <p:Prefixed>v</p:Prefixed></ErrorResponse>\n";
        let root = parse_xml(doc).expect("a document");
        assert_eq!(root.name, "ErrorResponse");
        assert_eq!(root.text_at("Error/Code"), Some("InvalidChangeBatch"));
        assert_eq!(
            root.text_at("Error/Message"),
            Some("[name='a&b.', value=\"x\" <AB>]")
        );
        assert_eq!(root.text_at("Empty"), Some(""));
        assert_eq!(root.text_at("Attr"), Some("t<raw>"));
        assert_eq!(root.text_at("Prefixed"), Some("v"));
        assert_eq!(root.text_at("Error/Nothing"), None);
    }

    #[test]
    fn refuses_what_is_no_document() {
        for bad in [
            "",
            "text",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "<a>&nope;</a>",
            "<a>&amp</a>",
            "</a>",
            "<a x=\"1></a>",
        ] {
            assert!(parse_xml(bad).is_err(), "{bad:?} was taken");
        }
    }

    #[test]
    fn record_sets_round_trip_through_their_xml() {
        let sets = [
            RecordSet::new("txt.example.org.", "TXT", 60, &["\"a \\\"b\\\"\"", "<&>"]),
            RecordSet::new("\\052.example.org.", "A", 300, &["192.0.2.1"])
                .routed("eu", &[("GeoLocation/ContinentCode", "EU")]),
            RecordSet::new("w.example.org.", "A", 300, &["192.0.2.1"])
                .routed("one", &[("Weight", "10")]),
            RecordSet::alias(
                "a.example.org.",
                "AAAA",
                AliasTarget {
                    hosted_zone_id: "Z2FDTNDATAQYW2".to_owned(),
                    dns_name: "d1.cloudfront.net.".to_owned(),
                    evaluate_target_health: true,
                },
            ),
        ];
        for set in sets {
            let mut xml = String::new();
            set.write_xml(&mut xml);
            let parsed = RecordSet::from_xml(&parse_xml(&xml).expect("a document"));
            assert_eq!(parsed, set, "{xml}");
        }
    }

    #[test]
    fn names_its_cache_by_version_and_content() {
        assert!(moto_version().starts_with(|c: char| c.is_ascii_digit()));
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(query_encode("\\052.a b/"), "%5C052.a%20b%2F");
        assert_eq!(bare_id("/hostedzone/Z1"), "Z1");
        assert_eq!(bare_id("Z1"), "Z1");
    }
}
