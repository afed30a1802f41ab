//! The statuses of DNSAnnotations (docs/sources.md §4): whether their annotations are in use.

use crate::annotations::CLASS;
use crate::api::{DNS_API_VERSION, DnsAnnotation, DnsAnnotationStatus, ObjectRef};
use crate::config::Config;
use crate::events::Event;
use crate::sources::SourceKind;

use super::sources::{Target, annotated};

/// What the source step says of an annotated object: `None` when there is no such source,
/// `Some(None)` when its annotations are bad (the status stays as it is), `Some(Some(active))`
/// when it was reconciled (active when it asks for at least one name).
pub(super) type Reconciled = Option<Option<bool>>;

/// Each DNSAnnotation with its status: in use by its object, conflicting with an older one for
/// the same object, or pointing to something that is no source. `first` gives the namespace
/// and name of the DNSAnnotation that is in use for an object. Annotations of other classes are
/// listed as given. Those that point to a kind that is no source get a Warning event.
pub(super) fn statuses<'a>(
    annotations: impl Iterator<Item = &'a DnsAnnotation>,
    first: impl Fn(&Target) -> Option<(String, String)>,
    reconciled: impl Fn(&Target) -> Reconciled,
    config: &Config,
    events: &mut Vec<Event>,
) -> Vec<DnsAnnotation> {
    let mut out = Vec::new();
    for annotation in annotations {
        let mut annotation = annotation.clone();
        let meta = &annotation.metadata;
        if !config.source.source_class.matches(meta.annotation(CLASS)) {
            out.push(annotation);
            continue;
        }
        let target = annotated(&annotation);
        let key = super::sources::key_owned(meta);
        let status = match no_source(&annotation) {
            Some(event) => {
                let message = event.message.clone();
                events.push(event);
                Some(DnsAnnotationStatus {
                    active: false,
                    message,
                })
            }
            None => match first(&target) {
                Some(first) if first != key => Some(DnsAnnotationStatus {
                    active: false,
                    message: format!(
                        "conflicting DNSAnnotation for the same resource reference: {}/{}",
                        first.0, first.1
                    ),
                }),
                _ => match reconciled(&target) {
                    None => Some(DnsAnnotationStatus::default()),
                    Some(None) => annotation.status.clone(),
                    Some(Some(active)) => Some(DnsAnnotationStatus {
                        active,
                        message: String::new(),
                    }),
                },
            },
        };
        annotation.status = Some(status.unwrap_or_default());
        out.push(annotation);
    }
    out
}

/// The Warning event of a DNSAnnotation of our class whose `resourceRef` is no source kind.
pub(super) fn no_source(annotation: &DnsAnnotation) -> Option<Event> {
    let target = annotated(annotation);
    if SourceKind::of(&target.0, &target.1).is_some_and(|k| k != SourceKind::DnsEntry) {
        return None;
    }
    let message = format!(
        "resourceRef {} {} is no source of DNS names: a DNSAnnotation applies to a Service (v1), an Ingress (networking.k8s.io/v1) or a Gateway (gateway.networking.k8s.io, networking.istio.io)",
        target.0, target.1
    );
    let meta = &annotation.metadata;
    let reference = ObjectRef::new(
        DNS_API_VERSION,
        "DNSAnnotation",
        meta.namespace_or_default(),
        meta.name_or_empty(),
    );
    Some(Event::warning(reference, "Invalid", message))
}
