//! DNSProviders: which hosted zones and domains a provider serves (spec entries-providers §3.1).

mod selection;

pub use selection::{HostedZone, SelectionError, ZoneSelection, select};
