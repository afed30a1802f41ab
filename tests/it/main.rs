//! The integration tests of `shoot-dns`: one test binary (`cargo test --test it`).
//!
//! - [`props`]: property tests of the library (`DnsName` parsing and matching, plan order
//!   independence).
//! - [`cli`]: the `shoot-dns` binary against CONTRACT.md, with fixtures under `tests/data/`.

// The binary exists only with the `cli` feature (on by default).
#[cfg(feature = "cli")]
mod cli;
mod props;
