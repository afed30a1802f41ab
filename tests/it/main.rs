//! The integration tests of `shoot-dns`: one test binary (`cargo test --test it`).
//!
//! - [`props`]: property tests of the library (`DnsName` parsing and matching, plan order
//!   independence).
//! - [`cli`]: the `shoot-dns` binary against docs/command-line.md, with fixtures under
//!   `tests/data/`.
//! - [`entries`]: conformance of entries and providers through the public API (plan, execute
//!   on in-memory zones, plan again).
//! - [`apply`]: `shoot-dns apply` and its state file.
//! - [`inputs`]: what the command line reads: special files, size limits, byte-order marks,
//!   bytes that are no UTF-8, YAML tags, duplicate keys, brackets in strings.
//! - [`plan_props`]: property tests of plans against naive references (idempotence, order,
//!   foreign records, provider choice).
//! - [`planner`]: the incremental `Planner` against `Plan::compute`, event by event.
//! - [`sources`], [`source_props`]: Services, Ingresses, Gateways and Istio objects to entries.
//! - [`shoot`]: `shoot-dns shoot validate|mutate|providers`.
//! - [`crds`]: `shoot-dns crds` against Gardener's CustomResourceDefinitions.
//! - `rfc2136` (feature `rfc2136`): `shoot-dns apply` against a BIND 9 of a test's own.
//! - `route53` (feature `aws-route53`): `shoot-dns apply` against moto's Route 53.
//! - `apiserver` (feature `kube`): against a real kube-apiserver and etcd, built from source.
//! - `controller` (feature `kube`): the controllers' scenarios against that apiserver.
//! - [`route53_harness`]: the moto Route 53 harness of the coming aws-route53 tests (start, zones,
//!   records across pages, errors, stop).
//! - [`support`]: what the tests share (running the binary, plan views, temporary
//!   directories, the BIND harness).

#[cfg(all(feature = "kube", feature = "cli"))]
mod apiserver;
// The binary exists only with the `cli` feature (on by default).
#[cfg(feature = "cli")]
mod apply;
#[cfg(feature = "cli")]
mod cli;
#[cfg(all(feature = "kube", feature = "cli"))]
mod controller;
#[cfg(all(feature = "kube", feature = "cli", feature = "rfc2136"))]
mod controller_faults;
#[cfg(all(feature = "kube", feature = "cli"))]
mod controller_scale;
#[cfg(feature = "cli")]
mod crds;
#[cfg(all(feature = "kube", feature = "cli"))]
mod deploy;
mod entries;
#[cfg(feature = "cli")]
mod inputs;
#[cfg(all(feature = "kube", feature = "cli"))]
mod kube_watch;
mod plan_props;
mod planner;
mod props;
#[cfg(all(feature = "cli", feature = "rfc2136"))]
mod rfc2136;
#[cfg(all(feature = "cli", feature = "aws-route53"))]
mod route53;
#[cfg(feature = "cli")]
mod route53_harness;
#[cfg(feature = "cli")]
mod shoot;
mod source_props;
mod sources;
mod support;

/// The configuration of the reconciler fixture F1 (docs/entries-and-providers.md §9): class
/// `gardendns` (the library default, so no class annotations are needed) and a default TTL of 360.
fn f1_config() -> shoot_dns::Config {
    shoot_dns::config::ManagerConfiguration {
        default_ttl: Some(360),
        ..Default::default()
    }
    .resolve()
    .expect("a valid configuration")
}
