//! A Kubernetes control plane of the tests' own: `etcd` and `kube-apiserver`, built from their Go
//! modules by `tests/cluster/build.sh` at the versions of `tests/cluster/versions.env`, started on
//! free loopback ports in a temporary folder, the way controller-runtime's envtest starts them:
//! a self-signed serving certificate in `--cert-dir`, a fresh service-account key and issuer,
//! RBAC authorization, and an admin identity (a static token in `system:masters`).
//!
//! - [`shared`] gives the one control plane of this test binary, started on first use; tests
//!   isolate themselves by namespace ([`ControlPlane::namespace`]). On first use on a machine
//!   without the binaries, it builds them when `go` is on `PATH` (cached outside the checkout,
//!   in `${XDG_CACHE_HOME:-$HOME/.cache}/shoot-dns/test-cluster/<kubernetes>-<etcd>/`, or
//!   `SHOOT_DNS_TEST_CLUSTER_DIR`). Without them it prints one loud `=== SKIPPED` line and gives
//!   `None`; with `SHOOT_DNS_REQUIRE_CLUSTER=1` (as `.ci/run` sets it) it panics instead.
//! - [`ControlPlane::start`] starts a private one, for tests that restart the apiserver or stop
//!   etcd ([`ControlPlane::restart_apiserver`], [`ControlPlane::stop_etcd`],
//!   [`ControlPlane::start_etcd`]); it stops when dropped.
//!
//! Nothing outlives the test binary: a guard process watches it and, once it is gone (ended,
//! panicked or killed), kills the processes whose pids the control plane's folder holds and
//! removes the folder.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::support::process::{free_port, guard, next_serial, say};

/// How long a process may take to be ready.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The versions of `tests/cluster/versions.env`.
pub struct Versions {
    /// `vX.Y.Z` of Kubernetes.
    pub kubernetes: String,
    /// `vX.Y.Z` of etcd.
    pub etcd: String,
}

impl Versions {
    /// The versions the tests' control plane is built at.
    pub fn read() -> Versions {
        let text = include_str!("../../cluster/versions.env");
        let value = |key: &str| {
            (text.lines())
                .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
                .unwrap_or_else(|| panic!("tests/cluster/versions.env has no {key}"))
                .trim()
                .to_owned()
        };
        Versions {
            kubernetes: value("KUBERNETES_VERSION"),
            etcd: value("ETCD_VERSION"),
        }
    }
}

/// The folder the binaries are cached in.
fn cache_dir(versions: &Versions) -> PathBuf {
    if let Some(dir) = std::env::var_os("SHOOT_DNS_TEST_CLUSTER_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    (cache.join("shoot-dns/test-cluster"))
        .join(format!("{}-{}", versions.kubernetes, versions.etcd))
}

/// The binaries, built on first use when Go is there.
fn binaries() -> Result<PathBuf, String> {
    let versions = Versions::read();
    let bin = cache_dir(&versions).join("bin");
    let present = |bin: &Path| bin.join("kube-apiserver").is_file() && bin.join("etcd").is_file();
    if present(&bin) {
        return Ok(bin);
    }
    if Command::new("go").arg("version").output().is_err() {
        return Err(format!(
            "no kube-apiserver and etcd in {} and no Go to build them (tests/cluster/build.sh)",
            bin.display()
        ));
    }
    say(&format!(
        "=== building the test control plane (kube-apiserver {}, etcd {}) into {}: first use, \
         this takes minutes",
        versions.kubernetes,
        versions.etcd,
        bin.display()
    ));
    let started = Instant::now();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cluster/build.sh");
    let status = Command::new("bash")
        .arg(&script)
        .env("KUBERNETES_VERSION", &versions.kubernetes)
        .env("ETCD_VERSION", &versions.etcd)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !status.success() || !present(&bin) {
        return Err(format!("{} failed ({status})", script.display()));
    }
    say(&format!(
        "=== built the test control plane in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(bin)
}

/// The control plane of this test binary, started on first use; `None` (after one loud line)
/// when it cannot be built or started and `SHOOT_DNS_REQUIRE_CLUSTER` is not `1`.
pub fn shared() -> Option<&'static ControlPlane> {
    static SHARED: OnceLock<Option<ControlPlane>> = OnceLock::new();
    SHARED
        .get_or_init(|| match ControlPlane::start() {
            Ok(plane) => Some(plane),
            Err(why) => {
                if std::env::var("SHOOT_DNS_REQUIRE_CLUSTER").as_deref() == Ok("1") {
                    panic!(
                        "the test control plane is required (SHOOT_DNS_REQUIRE_CLUSTER=1): {why}"
                    );
                }
                say(&format!(
                    "=== SKIPPED: the tests against a real kube-apiserver: {why} ==="
                ));
                None
            }
        })
        .as_ref()
}

/// A running etcd and kube-apiserver.
pub struct ControlPlane {
    dir: PathBuf,
    bin: PathBuf,
    token: String,
    etcd_port: u16,
    peer_port: u16,
    api_port: u16,
    etcd: Mutex<Option<Child>>,
    apiserver: Mutex<Option<Child>>,
    /// How long the start took (etcd healthy, then the apiserver ready).
    pub started_in: Duration,
}

impl ControlPlane {
    /// Starts a control plane of its own (building the binaries first if needed).
    pub fn start() -> Result<ControlPlane, String> {
        let bin = binaries()?;
        let dir = std::env::temp_dir().join(format!(
            "shoot-dns-cluster-{}-{}",
            std::process::id(),
            next_serial()
        ));
        std::fs::create_dir_all(dir.join("etcd"))
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        guard(&dir)?;
        let token = random_token();
        std::fs::write(
            dir.join("token.csv"),
            format!("{token},admin,admin,system:masters\n"),
        )
        .map_err(|e| e.to_string())?;
        let key = Command::new("openssl")
            .args(["genrsa", "-out"])
            .arg(dir.join("sa.key"))
            .arg("2048")
            .stderr(Stdio::null())
            .status();
        if !key.is_ok_and(|s| s.success()) {
            let _ = std::fs::remove_dir_all(&dir);
            return Err("openssl cannot make the service-account key".to_owned());
        }
        let plane = ControlPlane {
            dir,
            bin,
            token,
            etcd_port: free_port(),
            peer_port: free_port(),
            api_port: free_port(),
            etcd: Mutex::new(None),
            apiserver: Mutex::new(None),
            started_in: Duration::ZERO,
        };
        let started = Instant::now();
        plane.start_etcd();
        plane.start_apiserver();
        let mut plane = plane;
        plane.started_in = started.elapsed();
        std::fs::write(plane.dir.join("kubeconfig"), plane.kubeconfig())
            .map_err(|e| e.to_string())?;
        say(&format!(
            "=== test control plane ready in {:.1} s: https://127.0.0.1:{} (kubeconfig {})",
            plane.started_in.as_secs_f64(),
            plane.api_port,
            plane.dir.join("kubeconfig").display()
        ));
        Ok(plane)
    }

    /// The apiserver's address.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.api_port)
    }

    /// A kubeconfig for the admin identity (the serving certificate is self-signed).
    pub fn kubeconfig(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: {}\n    \
             insecure-skip-tls-verify: true\nusers:\n- name: admin\n  user:\n    token: {}\n\
             contexts:\n- name: test\n  context: {{cluster: test, user: admin}}\ncurrent-context: test\n",
            self.url(),
            self.token
        )
    }

    /// A client of the admin identity; call it inside the tokio runtime that uses it.
    pub async fn client(&self) -> kube::Client {
        let kubeconfig =
            kube::config::Kubeconfig::from_yaml(&self.kubeconfig()).expect("a valid kubeconfig");
        let options = kube::config::KubeConfigOptions::default();
        let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .expect("a client configuration");
        kube::Client::try_from(config).expect("a client")
    }

    /// A namespace name of a test's own (the test creates it): `<label>-<n>`.
    pub fn namespace(&self, label: &str) -> String {
        format!("{label}-{}", next_serial())
    }

    /// Stops the apiserver and starts it again on the same port, with the same etcd.
    pub fn restart_apiserver(&self) {
        stop(&self.apiserver, &self.dir.join("apiserver.pid"));
        self.start_apiserver();
    }

    /// Stops the apiserver (etcd keeps running).
    pub fn stop_apiserver(&self) {
        stop(&self.apiserver, &self.dir.join("apiserver.pid"));
    }

    /// Compacts etcd's history up to its current revision, as the apiserver does every five
    /// minutes: a watch that resumes from an older resourceVersion then gets 410 Gone.
    pub fn compact_etcd(&self) {
        // The revision is in the header of any range answer (etcd's JSON gateway).
        let range = http_post(self.etcd_port, "/v3/kv/range", r#"{"key":"AA=="}"#)
            .expect("etcd answers a range request");
        let answer: serde_json::Value = serde_json::from_str(&range).expect("JSON from etcd");
        let revision = answer["header"]["revision"]
            .as_str()
            .expect("etcd gives its revision")
            .to_owned();
        let body = format!(r#"{{"revision":"{revision}","physical":true}}"#);
        http_post(self.etcd_port, "/v3/kv/compaction", &body).expect("etcd compacts");
    }

    /// Stops etcd (the apiserver keeps running and fails its requests).
    pub fn stop_etcd(&self) {
        stop(&self.etcd, &self.dir.join("etcd.pid"));
    }

    /// Starts etcd (again) on its ports, with its data.
    pub fn start_etcd(&self) {
        let log = self.log_file("etcd.log");
        let peer = format!("http://127.0.0.1:{}", self.peer_port);
        let client = format!("http://127.0.0.1:{}", self.etcd_port);
        let child = Command::new(self.bin.join("etcd"))
            .arg("--name=default")
            .arg(format!("--data-dir={}", self.dir.join("etcd").display()))
            .arg(format!("--listen-client-urls={client}"))
            .arg(format!("--advertise-client-urls={client}"))
            .arg(format!("--listen-peer-urls={peer}"))
            .arg(format!("--initial-advertise-peer-urls={peer}"))
            .arg(format!("--initial-cluster=default={peer}"))
            .arg("--unsafe-no-fsync=true")
            .arg("--log-level=warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file"))
            .stderr(log)
            .spawn()
            .expect("etcd starts");
        self.keep(&self.etcd, child, "etcd.pid");
        self.wait("etcd", "etcd.log", || {
            http_get(self.etcd_port, "/health").is_some_and(|body| body.contains("\"true\""))
        });
    }

    /// Starts the apiserver (again) on its port, and waits until it is ready.
    pub fn start_apiserver(&self) {
        let log = self.log_file("apiserver.log");
        let dir = &self.dir;
        let child = Command::new(self.bin.join("kube-apiserver"))
            .arg(format!(
                "--etcd-servers=http://127.0.0.1:{}",
                self.etcd_port
            ))
            .arg(format!("--cert-dir={}", dir.join("certs").display()))
            .arg("--bind-address=127.0.0.1")
            .arg(format!("--secure-port={}", self.api_port))
            .arg(format!(
                "--service-account-key-file={}",
                dir.join("sa.key").display()
            ))
            .arg(format!(
                "--service-account-signing-key-file={}",
                dir.join("sa.key").display()
            ))
            .arg("--service-account-issuer=https://kubernetes.default.svc")
            .arg("--authorization-mode=RBAC")
            .arg(format!(
                "--token-auth-file={}",
                dir.join("token.csv").display()
            ))
            .arg("--service-cluster-ip-range=10.0.0.0/16")
            .arg("--allow-privileged=true")
            .arg("--disable-admission-plugins=ServiceAccount")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("a log file"))
            .stderr(log)
            .spawn()
            .expect("kube-apiserver starts");
        self.keep(&self.apiserver, child, "apiserver.pid");
        self.wait("kube-apiserver", "apiserver.log", || self.ready());
    }

    /// Waits (at most 60 s) until the apiserver is ready again after etcd came back, and gives
    /// how long it took; panics with the end of the apiserver's log otherwise.
    pub fn until_ready(&self) -> Duration {
        let started = Instant::now();
        while !self.ready() {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the apiserver is not ready 60 s after etcd came back:\n{}",
                self.log_tail("apiserver.log")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        started.elapsed()
    }

    /// Whether the apiserver answers `/readyz` with `ok`.
    pub fn ready(&self) -> bool {
        block_on(async {
            let client = self.client().await;
            let request = http::Request::get("/readyz")
                .body(Vec::new())
                .expect("a request");
            let answer = tokio::time::timeout(Duration::from_secs(2), client.request_text(request));
            answer
                .await
                .is_ok_and(|text| text.is_ok_and(|t| t.starts_with("ok")))
        })
    }

    fn log_file(&self, name: &str) -> std::fs::File {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(name))
            .expect("a log file")
    }

    fn keep(&self, slot: &Mutex<Option<Child>>, child: Child, pid_file: &str) {
        std::fs::write(self.dir.join(pid_file), child.id().to_string()).expect("a pid file");
        *slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(child);
    }

    /// Waits until `ready`, panicking with the end of the log when the process ends or takes too
    /// long.
    fn wait(&self, what: &str, log: &str, ready: impl Fn() -> bool) {
        let started = Instant::now();
        while !ready() {
            if started.elapsed() > READY_TIMEOUT {
                panic!(
                    "{what} is not ready after {READY_TIMEOUT:?}:\n{}",
                    self.log_tail(log)
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The last lines of a log of the control plane.
    pub fn log_tail(&self, log: &str) -> String {
        let text = std::fs::read_to_string(self.dir.join(log)).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }
}

impl Drop for ControlPlane {
    fn drop(&mut self) {
        stop(&self.apiserver, &self.dir.join("apiserver.pid"));
        stop(&self.etcd, &self.dir.join("etcd.pid"));
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Stops a process: SIGTERM, then SIGKILL after 10 s.
fn stop(slot: &Mutex<Option<Child>>, pid_file: &Path) {
    let child = slot
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    let Some(mut child) = child else { return };
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if child.try_wait().ok().flatten().is_some() {
            let _ = std::fs::remove_file(pid_file);
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(pid_file);
}

/// Runs `future` to its end on a runtime of its own (a test's way into async code).
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

/// A token nobody can guess: 32 hex digits from the system's random source.
fn random_token() -> String {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .expect("random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The body of a plain HTTP GET on a loopback port, if it answers.
fn http_post(port: u16, path: &str, body: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "POST {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
}
