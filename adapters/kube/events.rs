//! Kubernetes Events (`events.k8s.io/v1`) for the core's [`Event`]s: an event recorded again
//! within six minutes, on the same object with the same type, reason and message, counts on the
//! Event recorded first (its `series`) instead of making another, as client-go's recorder does.
//! An event with another message is an Event of its own.
//!
//! What is remembered of each recent event is its key's hash, the Event's name, its count and
//! when it was last seen: a few dozen bytes, however long the message.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex};

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::{Event as KubeEvent, EventSeries};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use kube::Client;
use kube::api::{Api, Patch, PatchParams, PostParams};

use crate::events::{Event, EventType};

/// How long an event is remembered to count its repetitions (client-go's and kube-rs's six
/// minutes).
const REMEMBERED: SignedDuration = SignedDuration::from_mins(6);

/// A recent event: the Event it was recorded as, how often, and when last.
#[derive(Debug)]
struct Recent {
    name: String,
    count: i32,
    last: Timestamp,
}

/// Records the events of one reporting controller instance in one cluster.
#[derive(Clone)]
pub struct Publisher {
    client: Client,
    controller: String,
    instance: String,
    recent: Arc<Mutex<HashMap<u64, Recent>>>,
}

impl Publisher {
    /// A publisher reporting as `controller` (`reportingController`) and `instance`.
    pub fn new(client: Client, controller: &str, instance: &str) -> Self {
        Publisher {
            client,
            controller: controller.to_owned(),
            instance: instance.to_owned(),
            recent: Arc::default(),
        }
    }

    /// Records `event`: a new Event, or one more of a recent identical one.
    pub async fn publish(&self, event: &Event) -> Result<(), kube::Error> {
        let object = &event.involved_object;
        // Events of cluster-scoped objects go to `default`, as Kubernetes's recorders do.
        let namespace = Some(object.namespace.as_str())
            .filter(|n| !n.is_empty())
            .unwrap_or("default")
            .to_owned();
        let key = key_of(event);
        let now = Timestamp::now();
        let repeated = {
            let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
            recent.retain(|_, r| r.last + REMEMBERED > now);
            recent.get_mut(&key).map(|r| {
                r.count = r.count.saturating_add(1);
                r.last = now;
                (r.name.clone(), r.count)
            })
        };
        let api: Api<KubeEvent> = Api::namespaced(self.client.clone(), &namespace);
        if let Some((name, count)) = repeated {
            let series = EventSeries {
                count,
                last_observed_time: MicroTime(now),
            };
            let patch = serde_json::json!({ "series": series });
            match api
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                Ok(_) => return Ok(()),
                // Gone (its time to live passed): recorded afresh below.
                Err(kube::Error::Api(status)) if status.code == 404 => {}
                Err(e) => return Err(e),
            }
        }
        let name = format!(
            "{}.{:x}",
            if object.name.is_empty() {
                &self.controller
            } else {
                &object.name
            },
            now.as_nanosecond()
        );
        let kube_event = KubeEvent {
            action: Some("Reconcile".to_owned()),
            event_time: Some(MicroTime(now)),
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: Some(namespace.clone()),
                ..ObjectMeta::default()
            },
            note: Some(event.message.clone()),
            reason: Some(event.reason.clone()),
            regarding: Some(ObjectReference {
                api_version: Some(object.api_version.clone()),
                kind: Some(object.kind.clone()),
                namespace: Some(object.namespace.clone()).filter(|n| !n.is_empty()),
                name: Some(object.name.clone()),
                ..ObjectReference::default()
            }),
            reporting_controller: Some(self.controller.clone()),
            reporting_instance: Some(self.instance.clone()),
            type_: Some(
                match event.event_type {
                    EventType::Normal => "Normal",
                    EventType::Warning => "Warning",
                }
                .to_owned(),
            ),
            ..KubeEvent::default()
        };
        api.create(&PostParams::default(), &kube_event).await?;
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent.insert(
            key,
            Recent {
                name,
                count: 1,
                last: now,
            },
        );
        Ok(())
    }
}

/// What makes two events the same: the object, the type, the reason and the message.
fn key_of(event: &Event) -> u64 {
    let mut hasher = DefaultHasher::new();
    let object = &event.involved_object;
    (
        &object.api_version,
        &object.kind,
        &object.namespace,
        &object.name,
    )
        .hash(&mut hasher);
    let warning = matches!(event.event_type, EventType::Warning);
    (warning, &event.reason, &event.message).hash(&mut hasher);
    hasher.finish()
}
