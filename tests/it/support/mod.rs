//! What the integration tests share: running the binary, reading its JSON plan, temporary
//! directories, and the real servers the adapters are tested against.
//!
//! - [`binary`]: runs `shoot-dns` (feature `cli`) with a working directory, optional standard
//!   input and a time limit, and gives its exit status and output.
//! - [`plan_json`]: views of a plan's JSON (`-o json`): lists, entry states, change lines.
//! - [`tempdir`]: a directory of a test's own, removed when dropped.
//! - [`bind`]: a BIND 9 of a test's own for the rfc2136 tests.
//! - [`process`]: free ports, loud lines and the clean-up guard the server harnesses share.
//! - [`cluster`] (feature `kube`): etcd and kube-apiserver, built from source on first use.
//! - [`helm`] (feature `kube`): helm, built from source on first use, for the chart's tests.
//! - [`controller`] (feature `kube`): `shoot-dns controller` as a process, its log in a file,
//!   killed when dropped.
//! - [`route53`]: moto's Route 53 API of a test's own, from a virtual environment built on first
//!   use, and a client to seed and inspect its zones.

#[cfg(feature = "cli")]
pub(crate) mod binary;
#[cfg(feature = "cli")]
// Without `rfc2136`, only the harness's own tests use it.
#[cfg_attr(not(feature = "rfc2136"), allow(dead_code))]
pub(crate) mod bind;
// The apiserver tests run the binary too (`shoot-dns crds`).
#[cfg(all(feature = "kube", feature = "cli"))]
pub(crate) mod cluster;
// The controller as a process: fault tests, the chart's tests, the scale measurement.
#[cfg(all(feature = "kube", feature = "cli"))]
pub(crate) mod controller;
// The chart's tests (tests/it/deploy.rs) run against the apiserver.
#[cfg(all(feature = "kube", feature = "cli"))]
pub(crate) mod helm;
#[cfg(feature = "cli")]
pub(crate) mod plan_json;
#[cfg(feature = "cli")]
pub(crate) mod process;
#[cfg(feature = "cli")]
pub(crate) mod route53;
#[cfg(feature = "cli")]
pub(crate) mod tempdir;
