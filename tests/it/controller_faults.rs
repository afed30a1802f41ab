//! `shoot-dns controller` as processes under faults (feature `kube`), with the records in a BIND
//! of each test's own:
//!
//! - leader election between two replicas against the tests' apiserver;
//! - the apiserver restarted, then etcd stopped for 10 s (a control plane of the test's own):
//!   the controller recovers by itself;
//! - BIND stopped while entries change: the entries are `Error` naming the server, tried again
//!   after the backoff, and `Ready` once BIND is back, no record lost;
//! - the controller SIGKILLed at random moments while scripts of 50 changes run: what it
//!   converges to is exactly what the Services ask for, in the cluster and in the zone.
//!
//! Each test has a namespace and class of its own, so they run beside the other tests of the
//! shared apiserver; every controller process is killed when its [`ControllerProcess`] is dropped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::StreamExt;
use kube::Api;
use kube::api::{DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::{Value, json};

use crate::apiserver::{crds_installed, install_crds, namespace};
use crate::controller::{api, bind_provider, create, entry_in_state, service};
use crate::support::bind::Bind;
use crate::support::cluster::{self, ControlPlane, block_on};
use crate::support::controller::ControllerProcess;
use crate::support::process::say;
use crate::support::tempdir::TempDir;

/// A namespace and class of a test's own on the tests' shared apiserver, with a BIND of its own
/// behind the namespace's `rfc2136` provider, and a kubeconfig for the controller in `dir`.
struct Scene {
    plane: &'static ControlPlane,
    bind: Bind,
    ns: String,
    dir: TempDir,
    kubeconfig: String,
}

impl Scene {
    /// `None` (after a loud skip line) when the apiserver or BIND cannot be started here.
    fn shared(name: &str) -> Option<Scene> {
        let plane = cluster::shared()?;
        let bind = Bind::start()?;
        crds_installed(plane);
        let ns = plane.namespace(name);
        let dir = TempDir::new(name);
        let kubeconfig = dir.write("kubeconfig", &plane.kubeconfig());
        block_on(async {
            let client = plane.client().await;
            namespace(&client, &ns).await;
            bind_provider(&client, &ns, &bind).await;
        });
        Some(Scene {
            plane,
            bind,
            ns,
            dir,
            kubeconfig,
        })
    }

    /// A controller of the scene without leader election, logging JSON lines.
    fn controller(&self, name: &str) -> ControllerProcess {
        alone(
            &self.dir,
            name,
            &self.kubeconfig,
            &self.ns,
            &["--log-format", "json"],
        )
    }

    /// A replica of the scene with leader election ([`replica`]).
    fn replica(&self, name: &str) -> ControllerProcess {
        replica(&self.dir, name, &self.kubeconfig, &self.ns)
    }
}

/// The JSON log of `controller` as [`timed`] shows it.
fn timed_log(controller: &ControllerProcess) -> impl Fn() -> String + use<> {
    let log = controller.log.clone();
    move || timed(&std::fs::read_to_string(&log).unwrap_or_default(), 0.0, &[])
}

/// A replica with leader election on a Lease of `ns` (short durations).
fn replica(dir: &TempDir, name: &str, kubeconfig: &str, ns: &str) -> ControllerProcess {
    let lease = [
        "--leader-election-namespace",
        ns,
        "--leader-election-id",
        "shoot-dns",
        "--leader-election-lease-duration",
        "4s",
        "--leader-election-renew-deadline",
        "3s",
        "--leader-election-retry-period",
        "500ms",
    ];
    spawn(dir, name, kubeconfig, ns, &lease)
}

/// A controller without leader election (it acts at once), with `extra` arguments.
fn alone(
    dir: &TempDir,
    name: &str,
    kubeconfig: &str,
    ns: &str,
    extra: &[&str],
) -> ControllerProcess {
    let mut args = vec!["--leader-election=false"];
    args.extend_from_slice(extra);
    spawn(dir, name, kubeconfig, ns, &args)
}

/// `shoot-dns controller` of class `ns` watching `ns`, no metrics or health endpoints,
/// standard error into `<name>.log` of `dir`.
fn spawn(
    dir: &TempDir,
    name: &str,
    kubeconfig: &str,
    ns: &str,
    extra: &[&str],
) -> ControllerProcess {
    let args = ["--kubeconfig", kubeconfig, "--class", ns, "--namespace", ns]
        .into_iter()
        .chain([
            "--metrics-bind-address",
            "0",
            "--health-probe-bind-address",
            "0",
        ])
        .chain(extra.iter().copied());
    ControllerProcess::spawn(dir.path(&format!("{name}.log")), name, args)
}

/// What one Service asks for: its DNS names, its load balancer's address, its TTL annotation.
#[derive(Debug, Clone, PartialEq)]
struct Wanted {
    names: Vec<String>,
    ip: String,
    ttl: Option<u32>,
}

impl Wanted {
    fn one(name: &str, ip: &str) -> Wanted {
        Wanted {
            names: vec![name.to_owned()],
            ip: ip.to_owned(),
            ttl: None,
        }
    }
}

/// The Services of a test by name, as they should be.
type World = BTreeMap<String, Wanted>;

/// The TTL of records whose Service sets none (`--default-ttl`'s default).
const DEFAULT_TTL: u32 = 300;

/// `count` Services `s<i>` asking for `s<i>.example.com` at `192.0.2.<i + 1>`.
fn numbered(count: usize) -> World {
    (0..count)
        .map(|i| {
            let name = format!("s{i}");
            let wanted = Wanted::one(
                &format!("{name}.example.com"),
                &format!("192.0.2.{}", i + 1),
            );
            (name, wanted)
        })
        .collect()
}

/// The LoadBalancer Service `name` of the class `ns` asking for `wanted`.
fn service_of(ns: &str, name: &str, wanted: &Wanted) -> Value {
    let mut object = service(ns, ns, &wanted.names.join(","), &wanted.ip);
    object["metadata"]["name"] = json!(name);
    if let Some(ttl) = wanted.ttl {
        object["metadata"]["annotations"]["dns.gardener.cloud/ttl"] = json!(ttl.to_string());
    }
    object
}

/// The records the zone holds for `world`, as [`Bind::axfr`] lists them.
fn records_of(world: &World) -> BTreeSet<String> {
    (world.values())
        .flat_map(|w| {
            let ttl = w.ttl.unwrap_or(DEFAULT_TTL);
            (w.names.iter()).map(move |name| format!("{name}. {ttl} A {}", w.ip))
        })
        .collect()
}

/// The API of a namespaced kind, without a discovery request (which fails while etcd is down).
fn api_of(
    client: &kube::Client,
    ns: &str,
    api_version: &str,
    kind: &str,
    plural: &str,
) -> Api<DynamicObject> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = kube::core::GroupVersionKind::gvk(group, version, kind);
    let resource = kube::core::ApiResource::from_gvk_with_plural(&gvk, plural);
    Api::namespaced_with(client.clone(), ns, &resource)
}

fn entries_api(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    api_of(
        client,
        ns,
        "dns.gardener.cloud/v1alpha1",
        "DNSEntry",
        "dnsentries",
    )
}

fn services_api(client: &kube::Client, ns: &str) -> Api<DynamicObject> {
    api_of(client, ns, "v1", "Service", "services")
}

/// The objects of `api`, as JSON.
async fn list(api: &Api<DynamicObject>) -> Result<Vec<Value>, String> {
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| e.to_string())?;
    Ok((list.items.into_iter())
        .map(|o| serde_json::to_value(o).expect("JSON"))
        .collect())
}

/// Makes the Service `name` what `after` asks for (`None`: deleted) from what `before` asked.
async fn update(
    client: &kube::Client,
    ns: &str,
    name: &str,
    before: Option<&Wanted>,
    after: Option<&Wanted>,
) {
    let services = services_api(client, ns);
    let params = PatchParams::default();
    match (before, after) {
        (None, Some(after)) => {
            create(client, service_of(ns, name, after)).await;
        }
        (Some(_), None) => {
            (services.delete(name, &DeleteParams::default()).await)
                .unwrap_or_else(|e| panic!("Service {name} is deleted: {e}"));
        }
        (Some(before), Some(after)) => {
            if before.ip != after.ip {
                let patch = json!({"status": {"loadBalancer": {"ingress": [{"ip": after.ip}]}}});
                (services
                    .patch_status(name, &params, &Patch::Merge(&patch))
                    .await)
                    .unwrap_or_else(|e| panic!("the address of Service {name}: {e}"));
            }
            if before.names != after.names || before.ttl != after.ttl {
                let patch = json!({"metadata": {"annotations": {
                    "dns.gardener.cloud/dnsnames": after.names.join(","),
                    "dns.gardener.cloud/ttl": after.ttl.map(|t| t.to_string()),
                }}});
                (services.patch(name, &params, &Patch::Merge(&patch)).await)
                    .unwrap_or_else(|e| panic!("the annotations of Service {name}: {e}"));
            }
        }
        (None, None) => {}
    }
}

/// One line of what an entry is: name, spec, deletion, finalizers, status.
fn entry_line(entry: &Value) -> String {
    format!(
        "{} (dnsName {}, targets {}, ttl {}{}, finalizers {}): status {}",
        entry["metadata"]["name"].as_str().unwrap_or_default(),
        entry["spec"]["dnsName"].as_str().unwrap_or_default(),
        entry["spec"]["targets"],
        entry["spec"]["ttl"],
        if entry["metadata"]["deletionTimestamp"].is_string() {
            ", being deleted"
        } else {
            ""
        },
        entry["metadata"]["finalizers"],
        entry["status"]
    )
}

/// The zone a test looks at: its BIND, the records others made in it (which stay), and the
/// records (name, address) that must answer at every look.
struct Zone<'a> {
    bind: &'a Bind,
    foreign: &'a [&'a str],
    keep: &'a [(String, String)],
}

impl<'a> Zone<'a> {
    fn of(bind: &'a Bind) -> Zone<'a> {
        Zone {
            bind,
            foreign: &[],
            keep: &[],
        }
    }
}

/// What differs from `world`: the entries of `ns` (exactly one per name a Service asks for,
/// `Ready` with the Service's address as its target, none for other names), the Services
/// (those deleted are gone) and the zone (a transfer gives exactly the records of `world` and
/// the foreign ones). Empty once the controller has converged.
async fn differences(
    client: &kube::Client,
    ns: &str,
    world: &World,
    zone: &Zone<'_>,
) -> Vec<String> {
    let mut problems = Vec::new();
    let wanted: BTreeMap<&str, &Wanted> = (world.values())
        .flat_map(|w| w.names.iter().map(move |name| (name.as_str(), w)))
        .collect();
    let services = list(&services_api(client, ns)).await;
    // The uids of the Services there are: an entry whose owner is gone is left to a garbage
    // collector, which the tests' control plane does not run.
    let uids: BTreeSet<&str> = (services.iter().flatten())
        .filter_map(|s| s["metadata"]["uid"].as_str())
        .collect();
    match list(&entries_api(client, ns)).await {
        Err(e) => problems.push(format!("the entries are not listed: {e}")),
        Ok(entries) => {
            let mut by_name: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
            for entry in &entries {
                let name = entry["spec"]["dnsName"].as_str().unwrap_or_default();
                by_name.entry(name.to_owned()).or_default().push(entry);
            }
            for (name, w) in &wanted {
                match by_name.get(*name).map(Vec::as_slice).unwrap_or_default() {
                    [] => problems.push(format!("{name}: no entry")),
                    [entry] => {
                        let ready = entry["status"]["state"] == "Ready"
                            && entry["status"]["targets"] == json!([w.ip])
                            && !entry["metadata"]["deletionTimestamp"].is_string();
                        if !ready {
                            problems.push(format!(
                                "{name}: not Ready with [{}]: {}",
                                w.ip,
                                entry_line(entry)
                            ));
                        }
                    }
                    many => problems.push(format!(
                        "{name}: {} entries: {}",
                        many.len(),
                        many.iter()
                            .map(|e| entry_line(e))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )),
                }
            }
            for (name, entries) in &by_name {
                if !wanted.contains_key(name.as_str()) {
                    for entry in entries {
                        let owner = &entry["metadata"]["ownerReferences"][0];
                        let orphan = (owner["uid"].as_str())
                            .filter(|uid| !uids.contains(uid))
                            .map(|_| {
                                format!(
                                    " (its owner Service {} is gone, without the entry: no \
                                     garbage collector runs here)",
                                    owner["name"].as_str().unwrap_or_default()
                                )
                            })
                            .unwrap_or_default();
                        problems.push(format!("{name}: left over{orphan}: {}", entry_line(entry)));
                    }
                }
            }
        }
    }
    match services {
        Err(e) => problems.push(format!("the Services are not listed: {e}")),
        Ok(services) => {
            let names: BTreeSet<&str> = (services.iter())
                .filter_map(|s| s["metadata"]["name"].as_str())
                .collect();
            for service in &services {
                let name = service["metadata"]["name"].as_str().unwrap_or_default();
                if !world.contains_key(name) {
                    problems.push(format!(
                        "Service {name} is still there (finalizers {})",
                        service["metadata"]["finalizers"]
                    ));
                }
            }
            for name in world.keys() {
                if !names.contains(name.as_str()) {
                    problems.push(format!("Service {name} is missing"));
                }
            }
        }
    }
    let held: BTreeSet<String> = zone.bind.added_records().into_iter().collect();
    let mut should = records_of(world);
    should.extend(zone.foreign.iter().map(|r| (*r).to_owned()));
    for missing in should.difference(&held) {
        problems.push(format!("zone: no {missing}"));
    }
    for extra in held.difference(&should) {
        problems.push(format!("zone: left over {extra}"));
    }
    problems
}

/// The entries, the Services and the zone, for a failure's message.
async fn described(client: &kube::Client, ns: &str, bind: &Bind) -> String {
    let entries = match list(&entries_api(client, ns)).await {
        Ok(entries) => entries
            .iter()
            .map(entry_line)
            .collect::<Vec<_>>()
            .join("\n  "),
        Err(e) => format!("(not listed: {e})"),
    };
    let services = match list(&services_api(client, ns)).await {
        Ok(services) => (services.iter())
            .map(|s| {
                format!(
                    "{} annotations {} address {} finalizers {}{}",
                    s["metadata"]["name"].as_str().unwrap_or_default(),
                    s["metadata"]["annotations"],
                    s["status"]["loadBalancer"]["ingress"],
                    s["metadata"]["finalizers"],
                    if s["metadata"]["deletionTimestamp"].is_string() {
                        " (being deleted)"
                    } else {
                        ""
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n  "),
        Err(e) => format!("(not listed: {e})"),
    };
    format!(
        "entries:\n  {entries}\nServices:\n  {services}\nzone:\n  {}",
        bind.axfr().join("\n  ")
    )
}

/// Waits (at most `limit`) until nothing [`differences`] finds is left, and gives how long it
/// took; panics otherwise with the differences, the entries, Services and zone, and `logs`,
/// and at once when a record the zone keeps does not answer.
async fn converge(
    client: &kube::Client,
    ns: &str,
    world: &World,
    zone: &Zone<'_>,
    limit: Duration,
    logs: &dyn Fn() -> String,
) -> Duration {
    let started = Instant::now();
    loop {
        for (name, ip) in zone.keep {
            let answer = zone.bind.dig(name, "A");
            assert!(
                answer == [ip.as_str()],
                "{name} is kept all along, not {answer:?}:\n{}",
                logs()
            );
        }
        let problems = differences(client, ns, world, zone).await;
        if problems.is_empty() {
            return started.elapsed();
        }
        if started.elapsed() > limit {
            panic!(
                "not converged within {limit:?}:\n  {}\n{}\ncontroller logs:\n{}",
                problems.join("\n  "),
                described(client, ns, zone.bind).await,
                logs()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A JSON log (`--log-format json`) as lines `+<seconds since since> <message>`, with the
/// `marks` (time, what happened) among them; other lines as they are.
fn timed(log: &str, since: f64, marks: &[(f64, String)]) -> String {
    let mut lines: Vec<(f64, String)> = marks
        .iter()
        .map(|(time, mark)| (*time, format!("=== {mark}")))
        .collect();
    let mut last = since;
    for line in log.lines() {
        match serde_json::from_str::<Value>(line) {
            Ok(json) => {
                last = json["time"].as_f64().unwrap_or(last);
                lines.push((last, json["msg"].as_str().unwrap_or_default().to_owned()));
            }
            Err(_) => lines.push((last, line.to_owned())),
        }
    }
    lines.sort_by(|a, b| a.0.total_cmp(&b.0));
    (lines.iter())
        .map(|(time, line)| format!("+{:.3} s {line}\n", time - since))
        .collect()
}

/// Seconds since the Unix epoch, the clock of a JSON log line.
fn epoch_seconds() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Two replicas: only the one holding the Lease acts; killed (SIGKILL), the other takes the
/// Lease within its duration and finishes the work, every record in BIND, one entry per name;
/// on SIGTERM it exits 0 and gives the Lease up.
#[test]
fn the_second_replica_takes_over_when_the_leader_is_killed() {
    let Some(scene) = Scene::shared("fault-leader") else {
        return;
    };
    let (plane, bind, ns) = (scene.plane, &scene.bind, &scene.ns);
    let first = scene.replica("first");
    first.line_with(&["leader election: leading"]);
    let second = scene.replica("second");
    second.line_with(&["leader election: held by first_"]);
    let services = |range: std::ops::Range<usize>| {
        let ns = ns.clone();
        async move {
            let client = plane.client().await;
            for i in range {
                let mut object = service(
                    &ns,
                    &ns,
                    &format!("s{i}.example.com"),
                    &format!("192.0.2.{}", i + 1),
                );
                object["metadata"]["name"] = json!(format!("s{i}"));
                create(&client, object).await;
            }
            client
        }
    };
    block_on(async {
        let client = services(0..5).await;
        for i in 0..5 {
            let ip = format!("192.0.2.{}", i + 1);
            entry_in_state(&client, ns, &format!("s{i}.example.com"), "Ready", &[&ip]).await;
        }
    });
    assert!(
        !second.log().contains("controller started"),
        "{}",
        second.log()
    );

    first.signal("-KILL");
    let killed = Instant::now();
    block_on(async {
        let client = services(5..10).await;
        for i in 0..10 {
            let ip = format!("192.0.2.{}", i + 1);
            entry_in_state(&client, ns, &format!("s{i}.example.com"), "Ready", &[&ip]).await;
        }
    });
    println!(
        "the second replica finished the work {:.1?} after the leader was killed",
        killed.elapsed()
    );
    second.line_with(&["leader election: leading"]);
    for i in 0..10 {
        let name = format!("s{i}.example.com");
        assert_eq!(
            bind.dig(&name, "A"),
            [format!("192.0.2.{}", i + 1)],
            "{name}"
        );
    }

    let mut second = second;
    let status = second.stop();
    assert!(status.success(), "{status}: {}", second.log());
    block_on(async {
        let client = plane.client().await;
        let leases = api(&client, "coordination.k8s.io/v1", "Lease", ns).await;
        let lease = leases.get("shoot-dns").await.expect("the Lease");
        assert_eq!(
            lease.data["spec"]["holderIdentity"],
            serde_json::Value::Null,
            "given up"
        );
    });
}

/// A controller (without leader election) with Services Ready in BIND; the apiserver is
/// restarted, Services are created and changed, and it converges; Services are created and
/// changed just before etcd stops for 10 s, then etcd comes back: the same process (never
/// restarted) converges by itself, one entry per name, every record with the current address,
/// none of the records that stay ever missing.
#[test]
fn the_controller_recovers_from_an_apiserver_restart_and_an_etcd_outage() {
    if cluster::shared().is_none() {
        return;
    }
    let Some(bind) = Bind::start() else {
        return;
    };
    let plane = ControlPlane::start().expect("a control plane of the test's own");
    install_crds(&plane);
    let ns = "outage";
    let dir = TempDir::new("fault-etcd");
    let kubeconfig = dir.write("kubeconfig", &plane.kubeconfig());
    block_on(async {
        let client = plane.client().await;
        namespace(&client, ns).await;
        bind_provider(&client, ns, &bind).await;
    });
    let began = epoch_seconds();
    let mut controller = alone(
        &dir,
        "controller",
        &kubeconfig,
        ns,
        &["--log-format", "json"],
    );
    let log = controller.log.clone();
    let marks = Mutex::new(Vec::new());
    let mark = |what: &str| {
        marks
            .lock()
            .expect("marks")
            .push((epoch_seconds(), what.to_owned()))
    };
    let logs = || {
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        timed(&log, began, &marks.lock().expect("marks"))
    };
    let limit = Duration::from_secs(60);
    let mut world = numbered(4);
    block_on(async {
        let client = plane.client().await;
        for (name, wanted) in &world {
            update(&client, ns, name, None, Some(wanted)).await;
        }
        converge(&client, ns, &world, &Zone::of(&bind), limit, &logs).await;
    });

    // The apiserver restarted; then a Service created and an address changed.
    mark("the apiserver restarts");
    let restarting = Instant::now();
    plane.restart_apiserver();
    let restart = restarting.elapsed();
    mark("the apiserver is back");
    let before = world.clone();
    world.insert("s4".into(), Wanted::one("s4.example.com", "192.0.2.5"));
    world.get_mut("s0").expect("s0").ip = "192.0.2.101".into();
    let after_restart = block_on(async {
        let client = plane.client().await;
        for name in ["s4", "s0"] {
            update(&client, ns, name, before.get(name), world.get(name)).await;
        }
        converge(&client, ns, &world, &Zone::of(&bind), limit, &logs).await
    });
    let stay: Vec<(String, String)> = (world.iter())
        .filter(|(name, _)| ["s0", "s2", "s4"].contains(&name.as_str()))
        .map(|(_, w)| (w.names[0].clone(), w.ip.clone()))
        .collect();

    // Created and changed just before etcd stops: the controller is at work on them.
    let before = world.clone();
    world.insert("s5".into(), Wanted::one("s5.example.com", "192.0.2.6"));
    world.get_mut("s1").expect("s1").ip = "192.0.2.102".into();
    let s3 = world.get_mut("s3").expect("s3");
    s3.names = vec!["s3-renamed.example.com".into()];
    s3.ttl = Some(600);
    block_on(async {
        let client = plane.client().await;
        for name in ["s5", "s1", "s3"] {
            update(&client, ns, name, before.get(name), world.get(name)).await;
        }
    });
    mark("s5 created, s1's address and s3's names and TTL changed");
    let log_before = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .count();
    plane.stop_etcd();
    let stopped = Instant::now();
    mark("etcd stopped");
    while stopped.elapsed() < Duration::from_secs(10) {
        for (name, ip) in &stay {
            assert_eq!(
                bind.dig(name, "A"),
                std::slice::from_ref(ip),
                "{name} during the outage"
            );
        }
        assert!(controller.running(), "the controller exited:\n{}", logs());
        std::thread::sleep(Duration::from_millis(500));
    }
    plane.start_etcd();
    let back = Instant::now();
    mark("etcd started");
    let ready = plane.until_ready();
    mark("the apiserver is ready");
    let recovered = block_on(async {
        let client = plane.client().await;
        let zone = Zone {
            keep: &stay,
            ..Zone::of(&bind)
        };
        converge(&client, ns, &world, &zone, limit, &logs).await;
        back.elapsed()
    });
    assert!(controller.running(), "the controller exited:\n{}", logs());
    for wanted in world.values() {
        for name in &wanted.names {
            assert_eq!(
                bind.dig(name, "A"),
                std::slice::from_ref(&wanted.ip),
                "{name}"
            );
        }
    }
    assert!(bind.dig("s3.example.com", "A").is_empty());
    let during: Vec<String> = (std::fs::read_to_string(&log).unwrap_or_default().lines())
        .skip(log_before)
        .map(str::to_owned)
        .collect();
    say(&format!(
        "apiserver restarted in {:.1} s, converged {:.1} s later; etcd stopped 10 s: the \
         apiserver ready {:.1} s and the controller (same process) recovered {:.1} s after etcd \
         came back; {} log lines since the stop",
        restart.as_secs_f64(),
        after_restart.as_secs_f64(),
        ready.as_secs_f64(),
        recovered.as_secs_f64(),
        during.len()
    ));
    let marks = marks.lock().expect("marks").clone();
    for line in timed(&during.join("\n"), began, &marks[2..])
        .lines()
        .take(30)
    {
        say(&format!("  {line}"));
    }
}

/// The lines of a JSON log (`--log-format json`) that contain `text`: (time, message).
fn json_lines(log: &str, text: &str) -> Vec<(f64, String)> {
    (log.lines())
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|line| {
            let message = line["msg"].as_str()?.to_owned();
            Some((line["time"].as_f64()?, message))
        })
        .filter(|(_, message)| message.contains(text))
        .collect()
}

/// Entries Ready in BIND; BIND stops; two Services' addresses change and a Service is created:
/// their entries go `Error` with a message naming the server, the others stay `Ready`; the
/// failed changes are tried again only after the backoff (30 s); BIND starts again (same port
/// and zone): the records of the unchanged entries are there all along, and the changed
/// entries are `Ready` with their new records.
#[test]
fn entries_wait_for_a_stopped_bind_and_recover_when_it_is_back() {
    let Some(mut scene) = Scene::shared("fault-bind") else {
        return;
    };
    let began = epoch_seconds();
    let mut controller = scene.controller("controller");
    let Scene {
        plane,
        ref mut bind,
        ref ns,
        ..
    } = scene;
    let log = controller.log.clone();
    let raw = move || std::fs::read_to_string(&log).unwrap_or_default();
    let logs = || timed(&raw(), began, &[]);
    let limit = Duration::from_secs(60);
    let mut world = numbered(4);
    block_on(async {
        let client = plane.client().await;
        for (name, wanted) in &world {
            update(&client, ns, name, None, Some(wanted)).await;
        }
        converge(&client, ns, &world, &Zone::of(bind), limit, &logs).await;
    });
    let unchanged: Vec<(String, String)> = (world.iter())
        .filter(|(name, _)| ["s2", "s3"].contains(&name.as_str()))
        .map(|(_, w)| (w.names[0].clone(), w.ip.clone()))
        .collect();
    let changed = ["s0", "s1", "s4"];
    let server = bind.server();

    bind.stop();
    let stopped = Instant::now();
    let before = world.clone();
    world.get_mut("s0").expect("s0").ip = "192.0.2.101".into();
    world.get_mut("s1").expect("s1").ip = "192.0.2.102".into();
    world.insert("s4".into(), Wanted::one("s4.example.com", "192.0.2.5"));
    let messages = block_on(async {
        let client = plane.client().await;
        for name in changed {
            update(&client, ns, name, before.get(name), world.get(name)).await;
        }
        let entries = entries_api(&client, ns);
        let started = Instant::now();
        loop {
            let listed = list(&entries).await.expect("the entries are listed");
            let of = |name: &str| {
                (listed.iter())
                    .find(|e| e["spec"]["dnsName"] == format!("{name}.example.com"))
                    .cloned()
                    .unwrap_or_default()
            };
            for (name, ip) in &unchanged {
                let entry = (listed.iter()).find(|e| e["spec"]["dnsName"] == name.as_str());
                let entry = entry.cloned().unwrap_or_default();
                assert!(
                    entry["status"]["state"] == "Ready"
                        && entry["status"]["targets"] == json!([ip]),
                    "the unchanged entry {name} while BIND is down: {}",
                    entry_line(&entry)
                );
            }
            let failed: Vec<(String, String)> = (changed.iter())
                .map(|name| (name.to_string(), of(name)))
                .filter(|(_, e)| e["status"]["state"] == "Error")
                .map(|(name, e)| {
                    let message = e["status"]["message"].as_str().unwrap_or_default();
                    (name, message.to_owned())
                })
                .collect();
            if failed.len() == changed.len() {
                break failed;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "not within 30 s: the changed entries Error; they are:\n  {}\n{}",
                (changed.iter())
                    .map(|name| entry_line(&of(name)))
                    .collect::<Vec<_>>()
                    .join("\n  "),
                logs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let failed_after = stopped.elapsed();
    for (name, message) in &messages {
        say(&format!("  {name}: Error: {message}"));
        assert!(
            message.contains(&server),
            "the message of {name} names the server {server}: {message}"
        );
    }

    // Tried again after the backoff, not before: the first log line naming the server after
    // the first failures comes RETRY_BASE (30 s) after them.
    let stopped_at = epoch_seconds() - stopped.elapsed().as_secs_f64();
    let started = Instant::now();
    let (first, retry) = loop {
        let lines = json_lines(&raw(), &server);
        let first = lines.first().map(|(time, _)| *time);
        if let Some(first) = first
            && let Some((time, _)) = lines.iter().find(|(time, _)| *time > first + 5.0)
        {
            break (first, *time);
        }
        assert!(
            started.elapsed() < Duration::from_secs(50),
            "no retry within 50 s:\n{}",
            logs()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let early: Vec<String> = (json_lines(&raw(), &server).into_iter())
        .filter(|(time, _)| *time <= first + 5.0)
        .map(|(time, message)| format!("+{:.1} s {message}", time - stopped_at))
        .collect();
    for line in &early {
        say(&format!("  {line}"));
    }
    let backoff = retry - first;
    say(&format!(
        "  +{:.1} s (the retry) {}",
        retry - stopped_at,
        (json_lines(&raw(), &server).into_iter())
            .find(|(time, _)| *time == retry)
            .map(|(_, message)| message)
            .unwrap_or_default()
    ));
    assert!(
        (29.5..45.0).contains(&backoff),
        "the failed changes are tried again {backoff:.1} s after the first failure, not after \
         the 30 s backoff:\n{}",
        logs()
    );
    assert!(controller.running(), "the controller exited:\n{}", logs());

    bind.start_again();
    let back = Instant::now();
    let recovered = block_on(async {
        let client = plane.client().await;
        let zone = Zone {
            keep: &unchanged,
            ..Zone::of(bind)
        };
        converge(&client, ns, &world, &zone, limit, &logs).await;
        back.elapsed()
    });
    for wanted in world.values() {
        assert_eq!(
            bind.dig(&wanted.names[0], "A"),
            std::slice::from_ref(&wanted.ip),
            "{}",
            wanted.names[0]
        );
    }
    say(&format!(
        "BIND stopped: 3 changed entries Error {:.1} s later, tried again {backoff:.1} s after \
         the first failure; BIND back after {:.1} s: Ready {:.1} s later, unchanged records \
         there throughout",
        failed_after.as_secs_f64(),
        back.duration_since(stopped).as_secs_f64(),
        recovered.as_secs_f64()
    ));
}

/// The JSON logs of `paths` and the `marks`, as one timeline ([`timed`]).
fn logs_of(paths: &[PathBuf], since: f64, marks: &[(f64, String)]) -> String {
    let text: String = (paths.iter())
        .map(|path| std::fs::read_to_string(path).unwrap_or_default())
        .collect();
    timed(&text, since, marks)
}

/// The DNSEntries of a namespace as the apiserver shows them coming and going, watched on a
/// thread of its own until dropped: marks (time, what) for a failure's timeline.
struct History {
    marks: Arc<Mutex<Vec<(f64, String)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl History {
    fn watch(plane: &'static ControlPlane, ns: &str) -> History {
        let marks = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (kept, stopped, ns) = (Arc::clone(&marks), Arc::clone(&stop), ns.to_owned());
        let thread = std::thread::spawn(move || {
            block_on(async move {
                use kube::runtime::watcher::{self, Event, watcher};
                let client = plane.client().await;
                let api = entries_api(&client, &ns);
                let mut stream = std::pin::pin!(watcher(api, watcher::Config::default()));
                // Each entry by uid: whether it was seen being deleted.
                let mut seen: BTreeMap<String, bool> = BTreeMap::new();
                while !stopped.load(Ordering::Relaxed) {
                    let next = tokio::time::timeout(Duration::from_millis(200), stream.next());
                    let event = match next.await {
                        Err(_) => continue,
                        Ok(None) => break,
                        Ok(Some(event)) => event,
                    };
                    let (object, gone) = match event {
                        Ok(Event::Apply(object) | Event::InitApply(object)) => (object, false),
                        Ok(Event::Delete(object)) => (object, true),
                        _ => continue,
                    };
                    let uid = object.metadata.uid.clone().unwrap_or_default();
                    let deleting = object.metadata.deletion_timestamp.is_some();
                    let what = match (seen.get(&uid), gone, deleting) {
                        (_, true, _) => Some("gone"),
                        (None, _, false) => Some("created"),
                        (None, _, true) => Some("seen being deleted"),
                        (Some(false), _, true) => Some("being deleted"),
                        _ => None,
                    };
                    if gone {
                        seen.remove(&uid);
                    } else {
                        seen.insert(uid, deleting);
                    }
                    if let Some(what) = what {
                        let line = format!(
                            "apiserver: DNSEntry {} ({}) {what}",
                            object.metadata.name.as_deref().unwrap_or_default(),
                            object.data["spec"]["dnsName"].as_str().unwrap_or_default()
                        );
                        kept.lock().expect("marks").push((epoch_seconds(), line));
                    }
                }
            });
        });
        History {
            marks,
            stop,
            thread: Some(thread),
        }
    }

    fn marks(&self) -> Vec<(f64, String)> {
        self.marks.lock().expect("marks").clone()
    }
}

impl Drop for History {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A small xorshift generator: the scripts and kill moments of a seed are the same every run.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9e37_79b9_7f4a_7c15 | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn millis(&mut self, range: std::ops::Range<u64>) -> Duration {
        Duration::from_millis(range.start + self.below(range.end - range.start))
    }
}

/// The names the Services of the random scripts take their DNS names from.
const POOL: usize = 24;

/// One change of a Service: its name, what it asked for, what it asks for now (`None`: there
/// is no such Service, created or deleted).
type Step = (String, Option<Wanted>, Option<Wanted>);

/// The next random change to `world`, made in it: a Service created (one or two free names
/// of the pool, which deleted or renamed Services free again), its address changed, its names
/// or TTL changed, or deleted; between 3 and 10 Services.
fn next_step(rng: &mut Rng, world: &mut World, serial: &mut usize) -> Step {
    let used: BTreeSet<String> = world.values().flat_map(|w| w.names.clone()).collect();
    let free: Vec<String> = (0..POOL)
        .map(|i| format!("h{i}.example.com"))
        .filter(|name| !used.contains(name))
        .collect();
    let ip = |rng: &mut Rng| {
        let [a, b, c] = [rng.below(256), rng.below(256), 1 + rng.below(254)];
        format!("10.{a}.{b}.{c}")
    };
    let ttls = [None, Some(60), Some(120), Some(600)];
    let roll = rng.below(100);
    if world.len() < 3 || (roll < 25 && world.len() < 10) {
        let mut names = Vec::new();
        let mut free = free;
        for _ in 0..1 + rng.below(2) {
            names.push(free.remove(rng.below(free.len() as u64) as usize));
        }
        names.sort();
        let wanted = Wanted {
            names,
            ip: ip(rng),
            ttl: *rng.pick(&ttls),
        };
        let name = format!("svc{serial}");
        *serial += 1;
        world.insert(name.clone(), wanted.clone());
        return (name, None, Some(wanted));
    }
    let keys: Vec<String> = world.keys().cloned().collect();
    let name = rng.pick(&keys).clone();
    let before = world[&name].clone();
    let mut after = before.clone();
    match roll {
        70..85 => {
            let others: Vec<_> = ttls.iter().filter(|t| **t != before.ttl).collect();
            after.ttl = **rng.pick(&others);
        }
        55..70 => {
            let mut choices: Vec<String> = before.names.iter().cloned().chain(free).collect();
            let mut names = Vec::new();
            for _ in 0..1 + rng.below(2) {
                names.push(choices.remove(rng.below(choices.len() as u64) as usize));
            }
            names.sort();
            after.names = names;
        }
        85.. if world.len() > 3 => {
            world.remove(&name);
            return (name, Some(before), None);
        }
        _ => {}
    }
    if after == before {
        after.ip = ip(rng);
    }
    world.insert(name.clone(), after.clone());
    (name, Some(before), Some(after))
}

/// The seed of the random scripts: `SHOOT_DNS_FAULT_SEED`, else the clock.
fn seed() -> u64 {
    std::env::var("SHOOT_DNS_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// Trials of 50 random changes to Services (created, addresses, names and TTLs changed,
/// deleted) through the API, one every 40–100 ms, while the controller (no leader election,
/// an rfc2136 provider on BIND) is SIGKILLed twice at random moments and a new one started at
/// once or after up to 0.5 s. After each trial, with the last controller running: every name a
/// Service asks for has exactly one entry, Ready with the Service's address; no entry is left
/// of deleted Services or names; the deleted Services are gone; the zone holds exactly those
/// records, and the foreign records made at the start (one at a name the Services use) are
/// untouched. Each trial goes on from the world of the one before.
#[test]
fn the_controller_killed_at_random_moments_converges_to_what_the_services_ask() {
    let Some(scene) = Scene::shared("fault-kill") else {
        return;
    };
    let (plane, bind, ns) = (scene.plane, &scene.bind, &scene.ns);
    let seed = seed();
    let trials: usize = std::env::var("SHOOT_DNS_FAULT_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let kills_per_trial: usize = std::env::var("SHOOT_DNS_FAULT_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    say(&format!(
        "controller kills: seed {seed} (SHOOT_DNS_FAULT_SEED={seed} repeats the scripts and kill \
         moments), {trials} trials"
    ));
    let mut rng = Rng::new(seed);
    bind.nsupdate(
        "update add foreign.example.com. 300 A 198.51.100.1
         update add h0.example.com. 300 TXT \"foreign\"",
    );
    let foreign = [
        "foreign.example.com. 300 A 198.51.100.1",
        "h0.example.com. 300 TXT \"foreign\"",
    ];
    let history = History::watch(plane, ns);
    let start = |name: &str| scene.controller(name);
    let current: Mutex<Option<ControllerProcess>> = Mutex::new(Some(start("t0-0")));
    let mut world = World::new();
    let mut serial = 0;
    let began = Instant::now();
    let mut slowest = Duration::ZERO;
    for trial in 0..trials {
        let mut steps = Vec::new();
        for _ in 0..50 {
            let step = next_step(&mut rng, &mut world, &mut serial);
            steps.push((step, rng.millis(40..100)));
        }
        let mut kills: Vec<(Duration, Duration)> = (0..kills_per_trial)
            .map(|_| {
                let at = rng.millis(0..5000);
                let pause = if rng.below(2) == 0 {
                    Duration::ZERO
                } else {
                    rng.millis(0..500)
                };
                (at, pause)
            })
            .collect();
        kills.sort();
        let marks: Mutex<Vec<(f64, String)>> = Mutex::new(Vec::new());
        let mark = |what: String| marks.lock().expect("marks").push((epoch_seconds(), what));
        let trial_began = epoch_seconds();
        let logs: Mutex<Vec<PathBuf>> = Mutex::new(
            (current.lock().expect("the controller").as_ref())
                .map(|r| r.log.clone())
                .into_iter()
                .collect(),
        );
        let script = std::thread::scope(|scope| {
            scope.spawn(|| {
                let t0 = Instant::now();
                for (k, (at, pause)) in kills.iter().enumerate() {
                    std::thread::sleep(at.saturating_sub(t0.elapsed()));
                    // SIGKILL, and waited for.
                    drop(current.lock().expect("the controller").take());
                    mark("controller killed".to_owned());
                    std::thread::sleep(*pause);
                    let next = start(&format!("t{trial}-{}", k + 1));
                    mark(format!("controller t{trial}-{} started", k + 1));
                    logs.lock().expect("the logs").push(next.log.clone());
                    *current.lock().expect("the controller") = Some(next);
                }
            });
            block_on(async {
                let client = plane.client().await;
                let t0 = Instant::now();
                for ((name, before, after), pause) in &steps {
                    update(&client, ns, name, before.as_ref(), after.as_ref()).await;
                    mark(match (before, after) {
                        (_, None) => format!("{name} deleted"),
                        (None, Some(w)) => format!("{name} created: {w:?}"),
                        (Some(b), Some(w)) if b.ip != w.ip => format!("{name} address {}", w.ip),
                        (Some(_), Some(w)) => {
                            format!("{name} names {:?} ttl {:?}", w.names, w.ttl)
                        }
                    });
                    tokio::time::sleep(*pause).await;
                }
                t0.elapsed()
            })
        });
        let logs = logs.into_inner().expect("the logs");
        let took = block_on(async {
            let client = plane.client().await;
            let logs = || {
                let mut marks = marks.lock().expect("marks").clone();
                marks.extend(history.marks().into_iter().filter(|m| m.0 >= trial_began));
                logs_of(&logs, trial_began, &marks)
            };
            let limit = Duration::from_secs(60);
            let zone = Zone {
                foreign: &foreign,
                ..Zone::of(bind)
            };
            converge(&client, ns, &world, &zone, limit, &logs).await
        });
        slowest = slowest.max(took);
        let moments: Vec<String> = (kills.iter())
            .map(|(at, pause)| format!("{:.2} s (+{:.2} s)", at.as_secs_f64(), pause.as_secs_f64()))
            .collect();
        say(&format!(
            "  trial {trial}: 50 changes in {:.1} s, killed at {}, converged {:.1} s after the \
             last change: {} Services, {} records",
            script.as_secs_f64(),
            moments.join(", "),
            took.as_secs_f64(),
            world.len(),
            records_of(&world).len()
        ));
    }
    assert!(
        (current.lock().expect("the controller").as_mut()).is_some_and(ControllerProcess::running),
        "the last controller runs"
    );
    say(&format!(
        "{trials} trials of 50 changes, {} SIGKILLs (seed {seed}): converged every time, at \
         most {:.1} s after the last change; {:.0} s in all",
        trials * kills_per_trial,
        slowest.as_secs_f64(),
        began.elapsed().as_secs_f64()
    ));
}

/// A Service whose names change and which is deleted right after, before its new entries are
/// made or while they are: every entry goes, with its records, and the Service with them.
/// The wait between the two steps varies, to meet the controller at different points.
#[test]
fn a_service_renamed_and_deleted_at_once_leaves_nothing_behind() {
    let Some(scene) = Scene::shared("renamed-deleted") else {
        return;
    };
    let (plane, bind, ns) = (scene.plane, &scene.bind, &scene.ns);
    let controller = scene.controller("controller");
    let logs = timed_log(&controller);
    block_on(async {
        let client = plane.client().await;
        let zone = Zone::of(bind);
        let limit = Duration::from_secs(30);
        for (round, wait) in [0u64, 10, 25, 40, 60, 90].into_iter().enumerate() {
            let name = format!("r{round}");
            let first = Wanted::one(&format!("r{round}-a.example.com"), "192.0.2.7");
            let mut world = World::new();
            world.insert(name.clone(), first.clone());
            update(&client, ns, &name, None, Some(&first)).await;
            converge(&client, ns, &world, &zone, limit, &logs).await;
            let renamed = Wanted {
                names: vec![
                    format!("r{round}-b.example.com"),
                    format!("r{round}-c.example.com"),
                ],
                ..first.clone()
            };
            update(&client, ns, &name, Some(&first), Some(&renamed)).await;
            tokio::time::sleep(Duration::from_millis(wait)).await;
            update(&client, ns, &name, Some(&renamed), None).await;
            converge(&client, ns, &World::new(), &zone, limit, &logs).await;
        }
    });
    drop(controller);
}

/// A Service deleted while no controller runs: the controller that starts next deletes its
/// entries' records before their finalizers go, though it has not read the zone when it first
/// plans (the entries' statuses say what they own).
#[test]
fn a_service_deleted_while_no_controller_runs_loses_its_records_at_the_next_start() {
    let Some(scene) = Scene::shared("deleted-meanwhile") else {
        return;
    };
    let (plane, bind, ns) = (scene.plane, &scene.bind, &scene.ns);
    let first = scene.controller("first");
    let logs = timed_log(&first);
    let wanted = Wanted {
        names: vec!["m1.example.com".into(), "m2.example.com".into()],
        ip: "192.0.2.9".into(),
        ttl: None,
    };
    let mut world = World::new();
    world.insert("m".to_owned(), wanted.clone());
    block_on(async {
        let client = plane.client().await;
        update(&client, ns, "m", None, Some(&wanted)).await;
        converge(
            &client,
            ns,
            &world,
            &Zone::of(bind),
            Duration::from_secs(30),
            &logs,
        )
        .await;
    });
    drop(first);
    block_on(async {
        let client = plane.client().await;
        update(&client, ns, "m", Some(&wanted), None).await;
    });
    assert_eq!(
        bind.dig("m1.example.com", "A"),
        ["192.0.2.9"],
        "no controller runs"
    );
    let second = scene.controller("second");
    let logs = timed_log(&second);
    block_on(async {
        let client = plane.client().await;
        let zone = Zone::of(bind);
        converge(
            &client,
            ns,
            &World::new(),
            &zone,
            Duration::from_secs(30),
            &logs,
        )
        .await;
    });
}
