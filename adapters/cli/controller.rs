//! `shoot-dns controller` (feature `kube`): the controllers against a cluster, until SIGTERM or
//! SIGINT.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use shoot_dns::Config;
use shoot_dns::adapters::kube::driver::{Controllers, Driver, Settings, log_line};
use shoot_dns::adapters::kube::lease::{Elector, LeaseSettings};
use shoot_dns::adapters::kube::metrics::{Health, Metrics};
use shoot_dns::adapters::kube::serve::{self, Endpoints};

/// What `controller` is run with.
/// How long the round in flight at SIGTERM may take before it is abandoned (below the 30 s a
/// Pod gets by default between SIGTERM and SIGKILL).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

pub struct Options<'a> {
    pub kubeconfig: Option<&'a Path>,
    pub target_kubeconfig: Option<&'a Path>,
    pub namespace: Option<String>,
    pub controllers: Controllers,
    pub resync: Duration,
    /// The Lease to hold while leading (`None`: no leader election).
    pub lease: Option<LeaseSettings>,
    pub log_json: bool,
    pub metrics_address: Option<SocketAddr>,
    pub health_address: Option<SocketAddr>,
}

/// A `--metrics-bind-address` or `--health-probe-bind-address` (`None`: not served).
#[derive(Debug, Clone, Copy)]
pub struct BindAddress(pub Option<SocketAddr>);

pub fn bind_address(value: &str) -> Result<BindAddress, String> {
    serve::bind_address(value).map(BindAddress)
}

/// This replica's identity in the Lease: the host name (a Pod's name) and a random suffix, as
/// client-go makes it.
pub fn identity() -> String {
    let host = std::env::var("POD_NAME")
        .or_else(|_| std::env::var("HOSTNAME"))
        .or_else(|_| std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()))
        .unwrap_or_else(|_| "shoot-dns".to_owned());
    let mut bytes = [0u8; 8];
    let random = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
    if random.is_err() {
        bytes = std::process::id()
            .to_be_bytes()
            .repeat(2)
            .try_into()
            .unwrap_or_default();
    }
    let suffix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{host}_{suffix}")
}

/// A client of the cluster `kubeconfig` names, else of `KUBECONFIG`'s, else of the cluster
/// the process runs in.
async fn client(kubeconfig: Option<&Path>) -> Result<kube::Client, String> {
    let config = match kubeconfig {
        Some(path) => {
            let file = kube::config::Kubeconfig::read_from(path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            let options = kube::config::KubeConfigOptions::default();
            kube::Config::from_custom_kubeconfig(file, &options)
                .await
                .map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => kube::Config::infer()
            .await
            .map_err(|e| format!("no cluster to talk to (KUBECONFIG, in-cluster): {e}"))?,
    };
    kube::Client::try_from(config).map_err(|e| format!("cannot build a client: {e}"))
}

/// Runs the controllers until SIGTERM or SIGINT.
pub fn run(config: Config, options: Options<'_>) -> Result<ExitCode, String> {
    let runtime = crate::apply::runtime();
    runtime.block_on(async {
        let source = client(options.kubeconfig).await?;
        let target = match options.target_kubeconfig {
            Some(path) => Some(client(Some(path)).await?),
            None => None,
        };
        let json = options.log_json;
        let say = |message: &str| eprintln!("{}", log_line(message, json));
        // SIGTERM or SIGINT, seen by every phase.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            shutdown().await;
            let _ = stop.send(true);
        });
        let until_stopped = || {
            let mut stopped = stopped.clone();
            async move {
                let _ = stopped.wait_for(|s| *s).await;
            }
        };
        let metrics = Arc::new(Metrics::new());
        let health = Arc::new(Health::default());
        let served = [
            (
                options.metrics_address,
                Endpoints::Metrics(Arc::clone(&metrics)),
                "metrics: /metrics",
            ),
            (
                options.health_address,
                Endpoints::Health(Arc::clone(&health)),
                "health: /healthz, /readyz",
            ),
        ];
        for (address, endpoints, what) in served {
            let Some(address) = address else { continue };
            let bound = serve::serve(address, endpoints)
                .await
                .map_err(|e| format!("cannot serve {what} on {address}: {e}"))?;
            say(&format!("{what} on http://{bound}"));
        }
        let mut elector = match options.lease {
            Some(lease) => {
                let what = format!(
                    "Lease {}/{} as {}",
                    lease.namespace, lease.name, lease.identity
                );
                let mut elector =
                    Elector::new(target.clone().unwrap_or_else(|| source.clone()), lease);
                say(&format!("leader election: waiting for the {what}"));
                health.set_standby();
                tokio::select! {
                    () = elector.acquire(|why| say(&format!("leader election: {why}"))) => {}
                    () = until_stopped() => {
                        say("stopped before leading");
                        return Ok(ExitCode::SUCCESS);
                    }
                }
                say(&format!("leader election: leading, holding the {what}"));
                Some(elector)
            }
            None => None,
        };
        health.set_leading();
        metrics.set_leader(true);
        let settings = Settings::new(config)
            .telemetry(Arc::clone(&metrics), Arc::clone(&health))
            .namespace(options.namespace)
            .resync(options.resync)
            .controllers(options.controllers)
            .log_json(json);
        let driver = Driver::start(source, target, settings).await;
        let counters = driver.counters();
        say("controller started");
        let run = driver.run(until_stopped());
        // After SIGTERM the round in flight finishes, within a bound: a provider that hangs
        // must not keep the rollout waiting. What is abandoned is safe to abandon: statuses
        // record record sets before they are written, and the next leader reads the zones.
        let run = async {
            tokio::select! {
                () = run => {}
                () = async {
                    until_stopped().await;
                    tokio::time::sleep(SHUTDOWN_GRACE).await;
                } => say(&format!(
                    "stopping: the round in flight did not end within {SHUTDOWN_GRACE:?}; abandoned"
                )),
            }
        };
        match &mut elector {
            Some(elector) => {
                tokio::select! {
                    () = run => {}
                    why = elector.hold() => {
                        // Every write stops with the driver, at once.
                        metrics.set_leader(false);
                        say(&format!("leader election: lost ({why}): stopping after {counters}"));
                        return Ok(ExitCode::from(1));
                    }
                }
                elector.release().await;
            }
            None => run.await,
        }
        say(&format!("stopped after {counters}"));
        Ok(ExitCode::SUCCESS)
    })
}

/// Completes on SIGTERM or SIGINT.
async fn shutdown() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// A Go-style duration: `90s`, `15m`, `1h30m`, `500ms`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let bad = || format!("{value:?} is not a duration such as 90s, 15m or 1h30m");
    let mut rest = value.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .ok_or_else(bad)?;
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += Duration::try_from_secs_f64(number * seconds).map_err(|_| bad())?;
        rest = &rest[unit_end..];
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_go_writes_them() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("10").is_err());
        assert!(parse_duration("1d").is_err());
        assert!(parse_duration("").is_err());
    }
}
