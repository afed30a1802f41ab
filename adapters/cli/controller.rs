//! `shoot-dns controller` (feature `kube`): the controllers against a cluster, until SIGTERM or
//! SIGINT.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use shoot_dns::Config;
use shoot_dns::adapters::kube::driver::{Controllers, Driver, Settings, log_line};

/// What `controller` is run with.
pub struct Options<'a> {
    pub kubeconfig: Option<&'a Path>,
    pub target_kubeconfig: Option<&'a Path>,
    pub namespace: Option<String>,
    pub controllers: Controllers,
    pub resync: Duration,
    pub leader_election: bool,
    pub log_json: bool,
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
        if options.leader_election {
            eprintln!(
                "{}",
                log_line(
                    "leader election is not available in this version: this replica acts as the leader (run one replica)",
                    json
                )
            );
        }
        let settings = Settings::new(config)
            .namespace(options.namespace)
            .resync(options.resync)
            .controllers(options.controllers)
            .log_json(json);
        let driver = Driver::start(source, target, settings).await;
        let counters = driver.counters();
        eprintln!("{}", log_line("controller started", json));
        driver.run(shutdown()).await;
        eprintln!("{}", log_line(&format!("stopped after {counters}"), json));
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
