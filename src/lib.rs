//! # shoot-dns
//!
//! Gardener's DNS management for shoot clusters (the `shoot-dns-service` extension and the
//! decisions of its `dns-controller-manager`) as a sans-IO library: annotations, resource specs
//! and provider rules in; desired DNSEntries, statuses and events out. Nothing in this crate's
//! core opens a file or a socket, reads a clock, or spawns a task; adapters (the `shoot-dns`
//! command line) move the bytes.
//!
//! ```text
//!  manifests ──► manifest::load_str ──► World ──────────────┐
//!  watch events ──► Planner::handle_* ───────────────────────┤
//!                                                            ▼
//!  Service / Ingress / Gateway API / Istio ──► sources ──► generated DNSEntries
//!  DNSAnnotation ──► overlays                                │
//!  DNSEntry ──────────────────────────────► entry::validate ─┤
//!  DNSProvider + Secret ──► provider (zones, domains, index) ┤
//!                                                            ▼
//!                 records (record sets) ──► zones (changes, ownership: Registry)
//!                                                            ▼
//!   Plan { entries, providers, annotations, events, changes, records, owned }
//!   or the Planner's polls: entry writes, statuses, events, change sets
//!
//!  Shoot + DNSConfig ──► extension (admission errors, mutated shoot, seed DNSProviders)
//! ```
//!
//! Two ways in, one semantics: [`Plan::compute`] plans a whole [`World`] at once (the command
//! line, tests); the [`plan::Planner`] keeps a plan current as objects and observations change,
//! at a cost that follows what changed, and takes back what a driver executed
//! ([`plan::Planner::handle_executed`]); its documentation gives the call order. A property
//! test and a fuzz target hold both to the same plans. [`extension`] is the shoot-dns-service
//! extension: the `DNSConfig`, shoot admission (validation and mutation) and the DNSProviders
//! it deploys in the seed. What the code does is described in the repository's `docs/`; where
//! it differs from Gardener, `COMPATIBILITY.md` says why.
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
//! // Shoot owners annotate with the class `garden` (the library's default is `gardendns`).
//! let config = Config::for_class(shoot_dns::Class::GARDEN.parse()?);
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
//! - `cli` (default): the `shoot-dns` binary (`plan`, `apply`, `shoot validate|mutate|providers`,
//!   `crds`) with its argument parsing (`clap`) and allocator (`mimalloc`). The library is the
//!   same with or without it; turn default features off to embed only the core, which then
//!   depends on no I/O crate.
//! - `rfc2136`: the [`adapters::backends`] `rfc2136` backend (hickory-proto): zones read by
//!   signed AXFR, changed by signed RFC 2136 UPDATEs; `apply` uses it for `rfc2136` providers.
//! - `schema` (part of `cli`): JSON schemas of the [`api`] types (schemars) and [`crd`], the
//!   CustomResourceDefinitions built from them (`shoot-dns crds`).
//!
//! The in-memory backend of `local` providers ([`adapters::backends::memory`]) is always
//! compiled, so an offline plan needs no feature.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod annotations;
pub mod api;
pub mod class;
pub mod config;
#[cfg(feature = "schema")]
pub mod crd;
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
