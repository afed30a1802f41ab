//! helm, for the chart's tests (tests/it/deploy.rs): built from its Go module by
//! `tests/cluster/build-helm.sh` at the `HELM_VERSION` of `tests/cluster/versions.env`, cached
//! outside the checkout in `${XDG_CACHE_HOME:-$HOME/.cache}/shoot-dns/helm/<version>/bin/helm`
//! (or `SHOOT_DNS_HELM_DIR`). On first use on a machine without it, it is built when `go` is on
//! `PATH` (a line says so and how long it took). Without it [`helm`] prints one loud
//! `=== SKIPPED` line and gives `None`; with `SHOOT_DNS_REQUIRE_HELM=1` it panics instead.
//!
//! helm runs with its configuration, cache and data folders in a temporary folder of each
//! call: it reads and writes nothing of the user's.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use crate::support::process::say;
use crate::support::tempdir::TempDir;

/// The helm version of `tests/cluster/versions.env`.
pub fn version() -> String {
    include_str!("../../cluster/versions.env")
        .lines()
        .find_map(|line| line.strip_prefix("HELM_VERSION="))
        .expect("tests/cluster/versions.env has HELM_VERSION")
        .trim()
        .to_owned()
}

/// The folder helm is cached in.
fn cache_dir(version: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os("SHOOT_DNS_HELM_DIR") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("shoot-dns/helm").join(version)
}

/// The helm binary, built on first use when Go is there; the reason when it cannot be.
fn build() -> Result<PathBuf, String> {
    let version = version();
    let helm = cache_dir(&version).join("bin/helm");
    if helm.is_file() {
        return Ok(helm);
    }
    if Command::new("go").arg("version").output().is_err() {
        return Err(format!(
            "no helm at {} and no Go to build it (tests/cluster/build-helm.sh)",
            helm.display()
        ));
    }
    say(&format!(
        "=== building helm {version} into {}: first use, this takes minutes",
        helm.display()
    ));
    let started = Instant::now();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cluster/build-helm.sh");
    let status = Command::new("bash")
        .arg(&script)
        .env("HELM_VERSION", &version)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !status.success() || !helm.is_file() {
        return Err(format!("{} failed ({status})", script.display()));
    }
    say(&format!(
        "=== built helm in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(helm)
}

/// helm, built on first use; `None` (after one loud line) when it cannot be built and
/// `SHOOT_DNS_REQUIRE_HELM` is not `1`.
pub fn helm() -> Option<&'static Path> {
    static HELM: OnceLock<Option<PathBuf>> = OnceLock::new();
    HELM.get_or_init(|| match build() {
        Ok(helm) => Some(helm),
        Err(why) => {
            if std::env::var("SHOOT_DNS_REQUIRE_HELM").as_deref() == Ok("1") {
                panic!("helm is required (SHOOT_DNS_REQUIRE_HELM=1): {why}");
            }
            say(&format!(
                "=== SKIPPED: the tests of the Helm chart: {why} ==="
            ));
            None
        }
    })
    .as_deref()
}

/// Runs `helm args...` with folders of its own; its standard output, or a panic with its
/// standard error.
pub fn run(helm: &Path, args: &[&str]) -> String {
    let home = TempDir::new("helm");
    let output = Command::new(helm)
        .args(args)
        .env("HELM_CONFIG_HOME", home.path("config"))
        .env("HELM_CACHE_HOME", home.path("cache"))
        .env("HELM_DATA_HOME", home.path("data"))
        .env("KUBECONFIG", home.path("no-kubeconfig"))
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{} cannot run: {e}", helm.display()));
    assert!(
        output.status.success(),
        "helm {args:?}: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("helm prints UTF-8")
}
