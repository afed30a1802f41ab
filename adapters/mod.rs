//! The adapters: the parts of shoot-dns that move bytes (DNS servers, files, later the
//! Kubernetes API), each behind the Cargo feature that pulls in its dependencies. The core
//! (every other module of the crate) never imports from here.
//!
//! The `shoot-dns` binary (`adapters/cli/`) is a crate of its own on top of the library.

pub mod backends;
#[cfg(feature = "kube")]
pub mod kube;
