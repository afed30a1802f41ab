//! Events: what the controller records on objects, as the plan reports them.

use serde::{Deserialize, Serialize};

use crate::api::ObjectRef;

/// `Normal` or `Warning`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// Something went as expected.
    Normal,
    /// Something needs the owner's attention.
    Warning,
}

/// One Kubernetes event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The object the event is about.
    pub involved_object: ObjectRef,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub event_type: EventType,
    /// A short machine-readable reason, e.g. `DNSEntryCreated`.
    pub reason: String,
    /// The message for people.
    pub message: String,
}

impl Event {
    /// A `Normal` event.
    pub fn normal(object: ObjectRef, reason: &str, message: String) -> Self {
        Self {
            involved_object: object,
            event_type: EventType::Normal,
            reason: reason.to_owned(),
            message,
        }
    }

    /// A `Warning` event.
    pub fn warning(object: ObjectRef, reason: &str, message: String) -> Self {
        Self {
            involved_object: object,
            event_type: EventType::Warning,
            reason: reason.to_owned(),
            message,
        }
    }
}
