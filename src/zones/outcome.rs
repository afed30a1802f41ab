//! What became of a change once a backend was asked to make it.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::id::ZoneId;

/// The outcome of one executed change. In a plan's JSON it is the change's `result`: `"ok"`, or
/// `"error: <message>"`.
///
/// ```
/// use shoot_dns::zones::{ChangeFailure, ChangeOutcome};
///
/// let failed = ChangeOutcome::Failed(ChangeFailure::DeleteFailedFirst);
/// assert_eq!(serde_json::to_value(&failed)?, "error: the record set is still there: deleting it failed");
/// assert_eq!(serde_json::from_value::<ChangeOutcome>("ok".into())?, ChangeOutcome::Applied);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeOutcome {
    /// The zone holds the change.
    Applied,
    /// The change was not made.
    Failed(ChangeFailure),
}

impl ChangeOutcome {
    /// Whether the change was made.
    pub fn is_applied(&self) -> bool {
        matches!(self, Self::Applied)
    }

    /// Why the change was not made, if it was not.
    pub fn failure(&self) -> Option<&ChangeFailure> {
        match self {
            Self::Applied => None,
            Self::Failed(failure) => Some(failure),
        }
    }
}

impl From<Result<(), ChangeFailure>> for ChangeOutcome {
    fn from(result: Result<(), ChangeFailure>) -> Self {
        match result {
            Ok(()) => Self::Applied,
            Err(failure) => Self::Failed(failure),
        }
    }
}

impl std::fmt::Display for ChangeOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Applied => f.write_str("ok"),
            Self::Failed(failure) => write!(f, "error: {failure}"),
        }
    }
}

impl Serialize for ChangeOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ChangeOutcome {
    /// `"ok"`, or `"error: <message>"`; the message of a failure read back is all that is
    /// known of it ([`FailureKind::Other`]).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text == "ok" {
            return Ok(Self::Applied);
        }
        match text.strip_prefix("error: ") {
            Some(message) => Ok(Self::Failed(ChangeFailure::Backend {
                kind: FailureKind::Other,
                message: message.to_owned(),
            })),
            None => Err(serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&text),
                &"\"ok\" or \"error: <message>\"",
            )),
        }
    }
}

/// Why a change was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChangeFailure {
    /// The provider's account does not host the change's zone.
    #[error("DNSZone {provider_type}/{zone} not hosted")]
    NotHosted {
        /// The provider's type (`local`, ...).
        provider_type: String,
        /// The zone id.
        zone: ZoneId,
    },
    /// A `local` provider's `providerConfig` asks deletes to fail (`failDeleteEntry`).
    #[error("forced error by mockConfig.FailDeleteEntry")]
    ForcedByMockConfig,
    /// The record set was to be deleted first, and that delete failed: the change that would
    /// have taken its place is not made (the record set is not the entry's to overwrite).
    #[error("the record set is still there: deleting it failed")]
    DeleteFailedFirst,
    /// This build has no backend for the provider's type.
    #[error("provider type {provider_type} cannot be changed without its adapter")]
    NoBackend {
        /// The provider's type.
        provider_type: String,
    },
    /// The provider that was to make the change is no longer there.
    #[error("provider {provider} is gone: zone {zone} cannot be changed")]
    ProviderGone {
        /// `namespace/name` of the provider.
        provider: String,
        /// The zone id.
        zone: ZoneId,
    },
    /// The provider's configuration or credentials cannot be used to reach its zones.
    #[error("{reason}")]
    ProviderUnusable {
        /// What is wrong, as the provider's status says it.
        reason: String,
    },
    /// The backend tried and failed.
    #[error("{message}")]
    Backend {
        /// What kind of failure it was.
        kind: FailureKind,
        /// The backend's words, naming the server and the zone.
        message: String,
    },
}

/// The kinds of failure a backend reports, by what a driver does about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FailureKind {
    /// The server could not be reached, or the connection broke: try again later.
    Unreachable,
    /// The server answered with a refusal (a DNS response code, an HTTP 4xx).
    Refused,
    /// The zone changed since it was read (a failed prerequisite, a conflict): read it again,
    /// then plan again.
    Conflict,
    /// The server asks for fewer requests: try again after the hint, if it gave one.
    Throttled {
        /// How long the server asked to wait.
        retry_after: Option<Duration>,
    },
    /// The change itself cannot be made as it is (a request the server rejects).
    Rejected,
    /// Anything else, and failures read back from a plan's text.
    Other,
}
