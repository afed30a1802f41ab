//! DNS backends: where the record sets of a provider's zones live, and how changes reach them.
//!
//! - [`memory`]: the zones of `local` providers, in memory. Always compiled, so an offline
//!   `plan` needs no feature.
//! - `rfc2136` (feature `rfc2136`): an authoritative DNS server, read by zone transfer (AXFR)
//!   and changed by RFC 2136 UPDATE messages signed with TSIG.

pub mod memory;
#[cfg(feature = "rfc2136")]
pub mod rfc2136;
