//! The controller's HTTP endpoints (hyper, HTTP/1.1): `/metrics` on the metrics address and
//! `/healthz`, `/readyz` on the health-probe address, as a kubelet and Prometheus expect them.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;

use super::metrics::{Health, Metrics};

/// What an address serves.
#[derive(Debug, Clone)]
pub enum Endpoints {
    /// `/metrics`: every metric, Prometheus text format.
    Metrics(Arc<Metrics>),
    /// `/healthz` (the process answers) and `/readyz` ([`Health::ready`]).
    Health(Arc<Health>),
}

/// Reads an address as controller-runtime's flags take it: `:8080` (every interface),
/// `host:port`, or `0` (`None`: not served).
///
/// ```
/// use shoot_dns::adapters::kube::serve::bind_address;
/// assert_eq!(bind_address(":8080").unwrap().unwrap().to_string(), "0.0.0.0:8080");
/// assert_eq!(bind_address("127.0.0.1:9").unwrap().unwrap().to_string(), "127.0.0.1:9");
/// assert_eq!(bind_address("0").unwrap(), None);
/// assert!(bind_address("eighty").is_err());
/// ```
pub fn bind_address(value: &str) -> Result<Option<SocketAddr>, String> {
    if value == "0" {
        return Ok(None);
    }
    let full = match value.strip_prefix(':') {
        Some(port) => format!("0.0.0.0:{port}"),
        None => value.to_owned(),
    };
    full.parse::<SocketAddr>()
        .map(Some)
        .map_err(|_| format!("{value:?} is not an address such as :8080, 127.0.0.1:8080 or 0"))
}

/// Binds `address` and serves `endpoints` there on a task of its own, until the runtime
/// stops. Gives the address bound (its port when `address` asked for port 0).
pub async fn serve(address: SocketAddr, endpoints: Endpoints) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let endpoints = endpoints.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let answer = answer(&endpoints, &request);
                    async move { Ok::<_, Infallible>(answer) }
                });
                // A connection that breaks concerns only its client.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Ok(bound)
}

fn answer(endpoints: &Endpoints, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    let text = |status: StatusCode, content_type: &str, body: String| {
        let mut response = Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        if let Ok(value) = content_type.parse() {
            response
                .headers_mut()
                .insert(hyper::header::CONTENT_TYPE, value);
        }
        response
    };
    let plain = "text/plain; charset=utf-8";
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return text(
            StatusCode::METHOD_NOT_ALLOWED,
            plain,
            "GET only\n".to_owned(),
        );
    }
    match (endpoints, request.uri().path()) {
        (Endpoints::Metrics(metrics), "/metrics") => text(
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            metrics.encode(),
        ),
        (Endpoints::Health(_), "/healthz") => text(StatusCode::OK, plain, "ok\n".to_owned()),
        (Endpoints::Health(health), "/readyz") => match health.ready() {
            Ok(why) => text(StatusCode::OK, plain, format!("{why}\n")),
            Err(why) => text(
                StatusCode::SERVICE_UNAVAILABLE,
                plain,
                format!("not ready: {why}\n"),
            ),
        },
        _ => text(StatusCode::NOT_FOUND, plain, "not found\n".to_owned()),
    }
}
