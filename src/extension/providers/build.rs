//! The DNSProvider objects the extension writes (docs/extension.md §4.4 "Build", §4.5).

use std::collections::BTreeMap;

use super::{MAINTAINER_ANNOTATION, MANAGED_ROLE, NEXT_GENERATION_CLASS, ROLE_LABEL};
use crate::api::{DNS_API_VERSION, DnsProvider, DnsProviderSpec, ObjectMeta, Quotas};
use crate::api::{SecretReference, Selection};
use crate::extension::config::{DnsConfigProvider, SelectionLists};

/// What a managed provider is built from.
pub(super) enum ProviderKind<'a> {
    /// The default domain: `include [domain]`, `exclude [api.domain]`, at most one zone.
    External {
        provider_type: &'a str,
        secret: &'a str,
        domain: &'a str,
        zone: Option<&'a str>,
        quota: Option<i64>,
    },
    /// One of `DNSConfig.providers`, with its selection copied.
    Additional {
        provider_type: &'a str,
        secret: &'a str,
        provider: &'a DnsConfigProvider,
    },
}

/// A managed provider as §4.4 "Build" and §4.5 write it (without the timestamp).
pub(super) fn build(
    name: &str,
    kind: ProviderKind<'_>,
    namespace: &str,
    next_generation: bool,
) -> DnsProvider {
    let (provider_type, secret, domains, zones, quota) = match kind {
        ProviderKind::External {
            provider_type,
            secret,
            domain,
            zone,
            quota,
        } => (
            provider_type,
            secret,
            Selection {
                include: vec![domain.to_owned()],
                exclude: vec![format!("api.{domain}")],
            },
            Selection {
                include: zone.map(str::to_owned).into_iter().collect(),
                exclude: Vec::new(),
            },
            quota.filter(|q| *q > 0),
        ),
        ProviderKind::Additional {
            provider_type,
            secret,
            provider,
        } => (
            provider_type,
            secret,
            selection(provider.domains.as_ref()),
            selection(provider.zones.as_ref()),
            None,
        ),
    };
    let mut annotations = BTreeMap::from([
        (
            crate::annotations::REALMS.to_owned(),
            format!("{namespace},"),
        ),
        (MAINTAINER_ANNOTATION.to_owned(), "true".to_owned()),
    ]);
    if next_generation {
        annotations.insert(
            crate::annotations::CLASS.to_owned(),
            NEXT_GENERATION_CLASS.to_owned(),
        );
    }
    DnsProvider {
        api_version: DNS_API_VERSION.to_owned(),
        kind: "DNSProvider".to_owned(),
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            namespace: Some(namespace.to_owned()),
            labels: BTreeMap::from([(ROLE_LABEL.to_owned(), MANAGED_ROLE.to_owned())]),
            annotations,
            ..ObjectMeta::default()
        },
        spec: DnsProviderSpec {
            provider_type: provider_type.to_owned(),
            secret_ref: Some(SecretReference {
                name: secret.to_owned(),
                namespace: Some(namespace.to_owned()),
            }),
            domains: Some(domains),
            zones: Some(zones),
            quotas: quota.map(|entries| Quotas {
                entries: Some(entries),
            }),
            ..DnsProviderSpec::default()
        },
        status: None,
    }
}

/// A `DNSConfig` selection as the provider's (always present, possibly empty).
fn selection(lists: Option<&SelectionLists>) -> Selection {
    let lists = lists.cloned().unwrap_or_default();
    Selection {
        include: lists.include.unwrap_or_default(),
        exclude: lists.exclude.unwrap_or_default(),
    }
}
