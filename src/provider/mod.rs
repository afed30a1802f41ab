//! DNSProviders: which hosted zones and domains a provider serves (docs/entries-and-providers.md
//! §3.1, §7).

mod credentials;
mod index;
mod provider_type;
mod selection;
mod state;

pub use credentials::{CredentialsError, PropertyProblem, validate_credentials};
pub use index::{ProviderCandidate, ProviderIndex};
pub use provider_type::{ProviderType, ProviderTypeError};
pub use selection::{HostedZone, SelectionError, ZoneSelection, select};
pub use state::{
    GivenZones, LocalConfig, LocalConfigError, LocalZone, ProviderPhase, ProviderState,
    SecretDataError, evaluate, secret_properties,
};
