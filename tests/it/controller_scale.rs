//! Measured, not asserted (issue figures, README "At scale"): `shoot-dns controller` against a
//! control plane of its own and the tests' BIND, 10,000 annotated Services created at once
//! (`SHOOT_DNS_SCALE_SERVICES` sets another number). Run with
//! `cargo test --release --all-features --test it -- --ignored --nocapture controller_scale`.
//! It prints the time until every entry is Ready, the controller's writes per entry, its peak
//! memory, the latency from a Service's write to its entry's status write (100 changes), and
//! how long a restarted controller takes to be Ready again, with the writes and DNS changes it
//! made (none are needed).

use std::time::{Duration, Instant};

use futures::StreamExt;
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::runtime::watcher::{self, Event};
use serde_json::json;

use crate::apiserver::{install_crds, namespace};
use crate::controller::{api, bind_provider, samples, service};
use crate::support::bind::Bind;
use crate::support::cluster::{ControlPlane, block_on};
use crate::support::controller::ControllerProcess;
use crate::support::tempdir::TempDir;

/// How many Services: `SHOOT_DNS_SCALE_SERVICES`, else 10,000.
fn services() -> usize {
    (std::env::var("SHOOT_DNS_SCALE_SERVICES").ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000)
}

/// A `shoot-dns controller` of class `scale` with its metrics on a loopback port: the process
/// (killed when dropped) and the port.
fn controller(kubeconfig: &str, log: &std::path::Path) -> (ControllerProcess, u16) {
    let args = [
        "--kubeconfig",
        kubeconfig,
        "--class",
        "scale",
        "--namespace",
        "scale",
    ]
    .into_iter()
    .chain([
        "--leader-election=false",
        "--metrics-bind-address",
        "127.0.0.1:0",
    ])
    .chain(["--health-probe-bind-address", "0"]);
    let child = ControllerProcess::spawn(log.to_owned(), "scale", args);
    let line = child.line_with(&["metrics: /metrics on http://127.0.0.1:"]);
    let port = (line.split_once("http://127.0.0.1:"))
        .and_then(|(_, port)| port.trim().parse().ok())
        .unwrap_or_else(|| panic!("no metrics port in {line}"));
    (child, port)
}

/// The sum of the samples of `name` whose labels include all of `labels`, scraped from the
/// controller's `/metrics` on `port`.
fn metric(port: u16, name: &str, labels: &[&str]) -> f64 {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return f64::NAN;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    );
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    samples(&text, name, labels).fold(0.0, |sum, value| sum + value)
}

/// Object writes so far (creates, patches, deletes, statuses, finalizers; Events apart).
fn object_writes(port: u16) -> f64 {
    ["create", "patch", "delete", "status", "finalizer"]
        .iter()
        .map(|op| {
            let label = format!(r#"operation="{op}""#);
            metric(port, "shoot_dns_api_writes_total", &[&label])
        })
        .fold(0.0, |sum, value| sum + value)
}

/// The writes so far by operation, for the log.
fn writes_by_operation(port: u16) -> String {
    ["create", "patch", "delete", "status", "finalizer", "event"]
        .iter()
        .map(|op| {
            let label = format!(r#"operation="{op}""#);
            format!(
                "{op} {}",
                metric(port, "shoot_dns_api_writes_total", &[&label])
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
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
    let count = services();
    let plane = ControlPlane::start().expect("a control plane");
    let bind = Bind::start().expect("BIND for the scale run");
    install_crds(&plane);
    let ns = "scale";
    let zone = bind.zone();
    let dir = TempDir::new("controller-scale");
    let kubeconfig = dir.write("kubeconfig", &plane.kubeconfig());
    block_on(async {
        let client = plane.client().await;
        namespace(&client, ns).await;
        bind_provider(&client, ns, &bind).await;
    });
    let (mut first, port) = controller(&kubeconfig, &dir.path("first.log"));
    std::thread::sleep(Duration::from_secs(2));

    let (ready_in, latencies) = block_on(async {
        let client = plane.client().await;
        let services = api(&client, "v1", "Service", ns).await;
        let entries = api(&client, "dns.gardener.cloud/v1alpha1", "DNSEntry", ns).await;
        let started = Instant::now();
        futures::stream::iter(0..count)
            .map(|i| {
                let services = services.clone();
                async move {
                    let ip = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
                    let mut object = service(ns, ns, &format!("s{i}.{zone}"), &ip);
                    object["metadata"]["name"] = json!(format!("s{i}"));
                    // The node port range holds 2,768 ports: these need none.
                    object["spec"]["allocateLoadBalancerNodePorts"] = json!(false);
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
        println!("created {count} Services (create + status) in {created_in:.1?}");
        let ready = r#"state="Ready""#;
        while metric(port, "shoot_dns_entries", &[ready]) < count as f64 {
            assert!(
                started.elapsed() < Duration::from_secs(1800),
                "not Ready in 30 min"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        let ready_in = started.elapsed();
        let writes = object_writes(port);
        println!(
            "writes until every entry was Ready: {writes} objects ({:.2} per entry): {}",
            writes / count as f64,
            writes_by_operation(port)
        );
        let list = (entries.list(&ListParams::default()).await).expect("listed");
        let listed_ready = (list.items.iter())
            .filter(|e| e.data["status"]["state"] == "Ready")
            .count();
        println!(
            "the API server holds {} entries, {listed_ready} Ready",
            list.items.len()
        );

        // Services changed in that world, one at a time.
        let mut stream = watcher::watcher(entries.clone(), watcher::Config::default()).boxed();
        while let Some(event) = stream.next().await {
            if matches!(event, Ok(Event::InitDone)) {
                break;
            }
        }
        let mut latencies = Vec::new();
        for k in 0..100 {
            let ip = format!("198.51.100.{}", k + 1);
            let name = format!("s{}", (k * 97) % count);
            let status = json!({"status": {"loadBalancer": {"ingress": [{"ip": ip}]}}});
            let written = Instant::now();
            (services.patch_status(&name, &PatchParams::default(), &Patch::Merge(&status)))
                .await
                .expect("status written");
            let dns_name = format!("{name}.{zone}");
            while let Some(event) = stream.next().await {
                if let Ok(Event::Apply(entry)) = event
                    && entry.data["spec"]["dnsName"] == dns_name.as_str()
                    && entry.data["status"]["targets"] == json!([ip])
                    && entry.data["status"]["state"] == "Ready"
                {
                    break;
                }
            }
            latencies.push(written.elapsed());
        }
        (ready_in, latencies)
    });
    let writes = object_writes(port);
    let events = metric(
        port,
        "shoot_dns_api_writes_total",
        &[r#"operation="event""#],
    );
    let changes = metric(
        port,
        "shoot_dns_provider_requests_total",
        &[r#"operation="change""#],
    );
    let peak = peak_kib(first.id());
    let cpu = cpu_seconds(first.id());
    first.stop();
    let records = (bind.axfr().iter())
        .filter(|r| r.split_whitespace().nth(2) == Some("A"))
        .count();

    // A controller started afresh in that world.
    let restarted = Instant::now();
    let (second, port) = controller(&kubeconfig, &dir.path("second.log"));
    let ready = r#"state="Ready""#;
    loop {
        let read = metric(
            port,
            "shoot_dns_provider_requests_total",
            &[r#"operation="read_zone""#],
        );
        let entries_ready = metric(port, "shoot_dns_entries", &[ready]);
        if read >= 1.0 && entries_ready >= count as f64 {
            break;
        }
        if restarted.elapsed() > Duration::from_secs(120) {
            let log = std::fs::read_to_string(dir.path("second.log")).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            panic!(
                "not Ready again within 120 s: {read} zone reads, {entries_ready} entries Ready; \
                 the restarted controller's log (first and last lines):\n{}\n...\n{}",
                lines[..lines.len().min(40)].join("\n"),
                lines[lines.len().saturating_sub(20)..].join("\n")
            );
        }
        assert!(
            restarted.elapsed() < Duration::from_secs(600),
            "not Ready again"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let ready_again = restarted.elapsed();
    // It has nothing to do: a while later it has written nothing and changed no record.
    std::thread::sleep(Duration::from_secs(15));
    let second_writes = object_writes(port);
    let second_changes = metric(
        port,
        "shoot_dns_provider_requests_total",
        &[r#"operation="change""#],
    );
    let second_peak = peak_kib(second.id());
    drop(second);

    let mut sorted = latencies.clone();
    sorted.sort();
    let at = |q: f64| sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)];
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!("{count} entries Ready {ready_in:.1?} after the first Service was created");
    println!("BIND holds {records} A records");
    println!(
        "object writes in all, with the 100 changes: {writes} ({:.2} per entry; Events apart: \
         {events}), {changes} DNS change calls",
        writes / count as f64
    );
    println!(
        "controller peak memory (VmHWM): {:.1} MiB, CPU (user + system) {cpu:.1} s",
        mib(peak)
    );
    println!(
        "Service status write -> entry status Ready with the address: p50 {:.0?}, p90 {:.0?}, p99 {:.0?}, max {:.0?} ({} changes)",
        at(0.5),
        at(0.9),
        at(0.99),
        sorted[sorted.len() - 1],
        sorted.len()
    );
    println!(
        "restarted controller: Ready again (zone read, {count} entries Ready) in {ready_again:.1?}; \
         15 s later {second_writes} object writes, {second_changes} DNS change calls; peak {:.1} MiB",
        mib(second_peak)
    );
}
