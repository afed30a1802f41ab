//! # shoot-dns
//!
//! Gardener's DNS management for shoot clusters (the `shoot-dns-service` extension and the
//! decisions of its `dns-controller-manager`) as a sans-IO library: annotations, resource specs
//! and provider rules in; desired DNSEntries, statuses and events out. Nothing in this crate's
//! core opens a file or a socket, reads a clock, or spawns a task; adapters (the `shoot-dns`
//! command line) move the bytes.
//!
//! ```text
//!  manifests ──► manifest::load_str ──► World
//!                                         │
//!                                         ▼
//!  Service / Ingress ──► sources (annotations ──► SourceInput) ──► generated DNSEntries
//!  DNSEntry ─────────────────────────────────────────────────────► entry::validate ──► status
//!                                         │
//!                                         ▼
//!                            Plan { entries, providers, events, changes, records }
//! ```
//!
//! ## Example
//!
//! ```
//! use shoot_dns::{Config, Plan, World};
//!
//! let mut world = World::default();
//! shoot_dns::manifest::load_str(&mut world, "ingress.yaml", r#"
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata:
//!   name: amazing-ingress
//!   namespace: default
//!   annotations:
//!     dns.gardener.cloud/dnsnames: special.example.com
//!     dns.gardener.cloud/ttl: "600"
//!     dns.gardener.cloud/class: garden
//! spec:
//!   rules:
//!   - host: special.example.com
//! status:
//!   loadBalancer:
//!     ingress:
//!     - ip: 203.0.113.10
//! "#)?;
//! let config: Config = "garden".parse::<shoot_dns::Class>().map(|class| {
//!     let mut raw = shoot_dns::config::ManagerConfiguration::default();
//!     raw.class = Some(class.to_string());
//!     raw.resolve().expect("valid configuration")
//! })?;
//! let plan = Plan::compute(&world, &config);
//! let entry = &plan.entries[0];
//! assert_eq!(entry.spec.dns_name, "special.example.com");
//! assert_eq!(entry.spec.ttl, Some(600));
//! assert_eq!(entry.spec.targets.as_deref(), Some(&["203.0.113.10".to_string()][..]));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Annotations
//!
//! The full catalogue, with the rule for each value, is in [`annotations`]. The ones a shoot
//! owner uses most:
//!
//! | annotation | meaning |
//! |---|---|
//! | `dns.gardener.cloud/dnsnames` | the names (`*`/`all`: every host an Ingress or Gateway declares) |
//! | `dns.gardener.cloud/class` | `garden` in a shoot |
//! | `dns.gardener.cloud/ttl` | record TTL in seconds |
//! | `dns.gardener.cloud/routing-policy` | JSON routing policy |
//! | `dns.gardener.cloud/ignore` | `reconcile` or `full` |
//!
//! ## Crate features
//!
//! - `cli` (default): the `shoot-dns` binary and its argument parsing (`clap`). The library
//!   itself is the same with or without it; turn default features off to embed only the core.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod annotations;
pub mod api;
pub mod class;
pub mod config;
pub mod entry;
pub mod events;
pub mod extension;
mod go_json;
mod go_url;
pub mod id;
pub mod manifest;
pub mod name;
pub mod plan;
pub mod provider;
mod quote;
pub mod records;
pub mod sources;
pub mod target;
pub mod ttl;
pub mod world;
pub mod zones;

pub use class::Class;
pub use config::Config;
pub use name::{DnsName, DnsNameError};
pub use plan::Plan;
pub use target::{Target, TargetError};
pub use ttl::{Ttl, TtlError};
pub use world::World;

#[path = "../adapters/mod.rs"]
pub mod adapters;
