//! Measured, not asserted (issue figures, README "At scale"): `shoot-dns controller` against a
//! control plane of its own, 1,000 annotated Services created at once. Run with
//! `cargo test --release --all-features --test it -- --ignored --nocapture controller_scale`.
//! It prints the time until every entry is Ready, the controller's writes per entry, its peak
//! memory, and the latency from a Service's write to its entry's status write.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::runtime::watcher::{self, Event};
use serde_json::json;

use crate::apiserver::{install_crds, namespace};
use crate::controller::{api, local_provider, service};
use crate::support::cluster::{ControlPlane, block_on};
use crate::support::tempdir::TempDir;

const SERVICES: usize = 1000;

/// The controller process, killed when dropped (also when the measurement panics).
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Peak resident memory of a process (`VmHWM`), in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    (status.lines())
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU time of a process so far (user + system), in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name (which is in parentheses).
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or("", |(_, f)| f)
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}

#[test]
#[ignore = "a measurement: run it on purpose (see the module)"]
fn controller_scale() {
    let plane = ControlPlane::start().expect("a control plane");
    install_crds(&plane);
    let ns = "scale";
    let dir = TempDir::new("controller-scale");
    let kubeconfig = dir.write("kubeconfig", &plane.kubeconfig());
    let log = std::fs::File::create(dir.path("controller.log")).expect("a log file");
    block_on(async {
        let client = plane.client().await;
        namespace(&client, ns).await;
        crate::controller::create(&client, local_provider(ns, ns, "example.org")).await;
    });
    let controller = Command::new(env!("CARGO_BIN_EXE_shoot-dns"))
        .args([
            "controller",
            "--kubeconfig",
            &kubeconfig,
            "--class",
            ns,
            "--namespace",
            ns,
        ])
        .args(["--leader-election=false", "--metrics-bind-address", "0"])
        .args(["--health-probe-bind-address", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("shoot-dns controller starts");
    let mut controller = Killed(controller);
    std::thread::sleep(Duration::from_secs(2));

    let (ready_in, latencies) = block_on(async {
        let client = plane.client().await;
        let services = api(&client, "v1", "Service", ns).await;
        let entries = api(&client, "dns.gardener.cloud/v1alpha1", "DNSEntry", ns).await;
        let started = Instant::now();
        futures::stream::iter(0..SERVICES)
            .map(|i| {
                let services = services.clone();
                async move {
                    let mut object = service(ns, ns, &format!("s{i}.example.org"), "192.0.2.1");
                    object["metadata"]["name"] = json!(format!("s{i}"));
                    let status = json!({"status": object["status"].clone()});
                    let object = serde_json::from_value(object).expect("a Service");
                    (services.create(&PostParams::default(), &object).await).expect("created");
                    let name = format!("s{i}");
                    (services.patch_status(&name, &PatchParams::default(), &Patch::Merge(&status)))
                        .await
                        .expect("status written");
                }
            })
            .buffer_unordered(32)
            .collect::<Vec<()>>()
            .await;
        let created_in = started.elapsed();
        loop {
            let list = (entries.list(&ListParams::default()).await).expect("listed");
            let ready = (list.items.iter())
                .filter(|e| e.data["status"]["state"] == "Ready")
                .count();
            if ready == SERVICES && list.items.len() == SERVICES {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "{ready} Ready"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let ready_in = started.elapsed();
        println!("created {SERVICES} Services (create + status) in {created_in:.1?}");

        // One Service changed in that world, twenty times.
        let mut stream = watcher::watcher(entries.clone(), watcher::Config::default()).boxed();
        while let Some(event) = stream.next().await {
            if matches!(event, Ok(Event::InitDone)) {
                break;
            }
        }
        let mut latencies = Vec::new();
        for k in 0..20 {
            let ip = format!("198.51.100.{}", k + 1);
            let name = format!("s{}", k * 37);
            let status = json!({"status": {"loadBalancer": {"ingress": [{"ip": ip}]}}});
            let written = Instant::now();
            (services.patch_status(&name, &PatchParams::default(), &Patch::Merge(&status)))
                .await
                .expect("status written");
            let dns_name = format!("{name}.example.org");
            while let Some(event) = stream.next().await {
                if let Ok(Event::Apply(entry)) = event
                    && entry.data["spec"]["dnsName"] == dns_name.as_str()
                    && entry.data["status"]["targets"] == json!([ip])
                {
                    break;
                }
            }
            latencies.push(written.elapsed());
        }
        (ready_in, latencies)
    });
    let peak = peak_kib(controller.0.id());
    let cpu = cpu_seconds(controller.0.id());
    let _ = Command::new("kill")
        .arg(controller.0.id().to_string())
        .status();
    let _ = controller.0.wait();
    let log = std::fs::read_to_string(dir.path("controller.log")).unwrap_or_default();
    let summary = (log.lines())
        .find(|l| l.contains("stopped after"))
        .unwrap_or("no summary")
        .to_owned();
    let mut sorted = latencies.clone();
    sorted.sort();
    println!("{SERVICES} entries Ready {ready_in:.1?} after the first Service was created");
    println!(
        "controller peak memory (VmHWM): {:.1} MiB",
        peak as f64 / 1024.0
    );
    println!("controller CPU time (user + system): {cpu:.1} s");
    println!("controller: {summary}");
    println!(
        "Service status write -> entry status written: p50 {:.0?}, p90 {:.0?}, max {:.0?} (20 changes)",
        sorted[sorted.len() / 2],
        sorted[sorted.len() * 9 / 10],
        sorted[sorted.len() - 1]
    );
}
