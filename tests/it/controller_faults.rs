//! `shoot-dns controller` as processes under faults (feature `kube`): leader election between
//! two replicas against the tests' apiserver, with the records in the tests' BIND.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::apiserver::{crds_installed, namespace};
use crate::controller::{api, bind_provider, create, entry_in_state, service};
use crate::support::bind::Bind;
use crate::support::cluster::{self, block_on};
use crate::support::tempdir::TempDir;

/// One `shoot-dns controller` process, its log in a file; killed when dropped.
struct Replica {
    child: Child,
    log: std::path::PathBuf,
}

impl Replica {
    fn start(dir: &TempDir, name: &str, kubeconfig: &str, ns: &str) -> Replica {
        let log = dir.path(&format!("{name}.log"));
        let file = std::fs::File::create(&log).expect("a log file");
        let child = Command::new(env!("CARGO_BIN_EXE_shoot-dns"))
            .args([
                "controller",
                "--kubeconfig",
                kubeconfig,
                "--class",
                ns,
                "--namespace",
                ns,
            ])
            .args([
                "--leader-election-namespace",
                ns,
                "--leader-election-id",
                "shoot-dns",
            ])
            .args(["--leader-election-lease-duration", "4s"])
            .args(["--leader-election-renew-deadline", "3s"])
            .args(["--leader-election-retry-period", "500ms"])
            .args([
                "--metrics-bind-address",
                "0",
                "--health-probe-bind-address",
                "0",
            ])
            .env("POD_NAME", name)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("shoot-dns controller starts");
        Replica { child, log }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits (at most 30 s) until the log has `text`.
    fn wait_for(&self, text: &str) {
        let started = Instant::now();
        while !self.log().contains(text) {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "no {text:?} within 30 s in:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two replicas: only the one holding the Lease acts; killed (SIGKILL), the other takes the
/// Lease within its duration and finishes the work, every record in BIND, one entry per name;
/// on SIGTERM it exits 0 and gives the Lease up.
#[test]
fn the_second_replica_takes_over_when_the_leader_is_killed() {
    let Some(plane) = cluster::shared() else {
        return;
    };
    let Some(bind) = Bind::start() else {
        return;
    };
    crds_installed(plane);
    let ns = plane.namespace("fault-leader");
    let dir = TempDir::new("fault-leader");
    let kubeconfig = dir.write("kubeconfig", &plane.kubeconfig());
    block_on(async {
        let client = plane.client().await;
        namespace(&client, &ns).await;
        bind_provider(&client, &ns, &bind).await;
    });
    let first = Replica::start(&dir, "first", &kubeconfig, &ns);
    first.wait_for("leader election: leading");
    let second = Replica::start(&dir, "second", &kubeconfig, &ns);
    second.wait_for("leader election: held by first_");
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
            entry_in_state(&client, &ns, &format!("s{i}.example.com"), "Ready", &[&ip]).await;
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
            entry_in_state(&client, &ns, &format!("s{i}.example.com"), "Ready", &[&ip]).await;
        }
    });
    println!(
        "the second replica finished the work {:.1?} after the leader was killed",
        killed.elapsed()
    );
    second.wait_for("leader election: leading");
    for i in 0..10 {
        let name = format!("s{i}.example.com");
        assert_eq!(
            bind.dig(&name, "A"),
            [format!("192.0.2.{}", i + 1)],
            "{name}"
        );
    }

    second.signal("-TERM");
    let started = Instant::now();
    let mut second = second;
    let status = loop {
        if let Some(status) = second.child.try_wait().expect("the replica") {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}: {}", second.log());
    block_on(async {
        let client = plane.client().await;
        let leases = api(&client, "coordination.k8s.io/v1", "Lease", &ns).await;
        let lease = leases.get("shoot-dns").await.expect("the Lease");
        assert_eq!(
            lease.data["spec"]["holderIdentity"],
            serde_json::Value::Null,
            "given up"
        );
    });
}
