//! The DNSProviders the extension deploys in the shoot's namespace in the seed (docs/extension.md
//! §4.1, §4.4, §4.5, §4.8; COMPATIBILITY.md#d19, #d20).
//!
//! [`seed_providers`] takes the Shoot, its `DNSConfig`, what the seed namespace holds
//! ([`SeedNamespace`]) and the controller's flags ([`ControllerSettings`]) and says which
//! providers to create or update, which to delete and which to leave alone. It reads no
//! cluster and no clock: the adapter that applies the result adds the
//! [`TIMESTAMP_ANNOTATION`] (`gardener.cloud/timestamp`, Go's `time.Now().UTC().String()`)
//! when it writes a provider, copies the remote default-domain Secret when asked to
//! ([`SeedProviders::copy_remote_secret`]), and waits for the providers to become ready.
//!
//! The `DNSConfig` is expected to have passed the extension's validation already (Gardener's
//! actuator rejects an invalid one before doing anything); the checks for a missing type or
//! missing credentials still report per-provider errors here.

mod build;
mod error;
mod names;
mod quota;
mod settings;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

pub use error::ProviderError;
pub use names::{MAX_NAME_LEN, MIN_SHORTEN_LEN, additional_provider_name, shorten_id};
pub use quota::{QUOTA_ANNOTATION, default_domain_quota};
pub use settings::{
    ControllerSettings, is_hibernated, is_managing_dns_providers, replicate_dns_providers,
    use_next_generation_controller,
};

use crate::api::DnsProvider;
use crate::extension::config::DnsConfig;
use crate::extension::shoot::{DnsRecord, Shoot};
use build::{ProviderKind, build};
use names::NameInput;
use settings::shoot_domain;

/// The name of the provider of the shoot's default domain.
pub const EXTERNAL_PROVIDER_NAME: &str = "external";
/// The label that marks the providers the extension manages (value [`MANAGED_ROLE`]).
pub const ROLE_LABEL: &str = "gardener.cloud/role";
/// The value of [`ROLE_LABEL`] on managed providers.
pub const MANAGED_ROLE: &str = "managed-dns-provider";
/// The label on providers (and entries) replicated from the shoot; any non-empty value.
pub const SHOOT_ID_LABEL: &str = "gardener.cloud/shoot-id";
/// The annotation that marks a provider as maintained by the extension (value `"true"`).
pub const MAINTAINER_ANNOTATION: &str = "service.dns.extensions.gardener.cloud/maintainer";
/// The annotation the adapter sets to the time it writes a provider.
pub const TIMESTAMP_ANNOTATION: &str = "gardener.cloud/timestamp";
/// The class of managed providers in next-generation mode.
pub const NEXT_GENERATION_CLASS: &str = "gardendns-next-gen";
/// The seed label that turns the next-generation controller on or off
/// (`true`, `false`, `force-true`, `force-false`).
pub const NEXT_GENERATION_SEED_LABEL: &str =
    "service.dns.extensions.gardener.cloud/use-next-generation-controller";
/// The seed label (value `"true"`) that selects the remote default domain.
pub const REMOTE_DEFAULT_DOMAIN_SEED_LABEL: &str =
    "service.dns.extensions.gardener.cloud/use-remote-default-domain";
/// The Secret in the seed namespace that holds the copy of the remote default-domain Secret.
pub const REMOTE_DEFAULT_DOMAIN_SECRET: &str = "shoot-dns-service-remote-default-domains";
/// The provider type that the extension never deploys.
pub const UNMANAGED_TYPE: &str = "unmanaged";

/// What the seed namespace holds that the providers depend on.
#[derive(Debug, Clone, Copy)]
pub struct SeedNamespace<'a> {
    /// The namespace (`shoot--<project>--<name>`).
    pub name: &'a str,
    /// The `<shoot>-external` DNSRecord, if it exists. A record with another name or namespace
    /// is not the shoot's and counts as missing.
    pub record: Option<&'a DnsRecord>,
    /// The names of the Secrets in the namespace (the `ref-…` and `workload-identity-ref-…`
    /// copies Gardener makes of the shoot's resources).
    pub secrets: &'a BTreeSet<String>,
    /// The DNSProviders in the namespace. Objects of another namespace are ignored.
    pub providers: &'a [DnsProvider],
}

/// A Secret the adapter copies before deploying: `data` of `namespace/name` into
/// [`REMOTE_DEFAULT_DOMAIN_SECRET`] in the seed namespace (create or merge).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSecretCopy {
    /// Namespace of the remote default-domain Secret.
    pub namespace: String,
    /// Name of the remote default-domain Secret.
    pub name: String,
}

/// The outcome of [`seed_providers`].
#[derive(Debug, Clone, Default, PartialEq)]
#[must_use]
pub struct SeedProviders {
    /// The providers to create or update (then wait for `Ready`), sorted by name.
    pub desired: Vec<DnsProvider>,
    /// Existing providers to delete (then wait until gone), sorted. When not empty, the seed
    /// resources are re-applied in cleaning-up mode before the deletions.
    pub delete: Vec<String>,
    /// Providers the extension knows but does not deploy this time, sorted: an existing object
    /// of that name is neither updated nor deleted.
    pub keep: Vec<String>,
    /// What went wrong, by provider: the default domain first, then `DNSConfig.providers` in
    /// index order.
    pub errors: Vec<ProviderError>,
    /// Whether an error stopped provider management for this reconcile (a quota or remote
    /// Secret error): nothing is desired or deleted then.
    pub aborted: bool,
    /// The remote default-domain Secret to copy before deploying, when the `external` provider
    /// uses it.
    pub copy_remote_secret: Option<RemoteSecretCopy>,
    /// Whether the extension manages providers for this shoot (flag, `spec.dns.domain`).
    pub managing: bool,
    /// Whether shoot DNSProviders are replicated into the seed.
    pub replication: bool,
    /// Whether the next-generation controller serves this shoot.
    pub next_generation: bool,
    /// Whether the shoot is hibernated.
    pub hibernated: bool,
}

impl SeedProviders {
    /// The collected errors as Gardener returns them: an aborting error as it is, several as
    /// a multierror (`1 error occurred:\n\t* <msg>\n\n`); `None` without errors.
    pub fn error_text(&self) -> Option<String> {
        match (&self.errors[..], self.aborted) {
            ([], _) => None,
            ([only], true) => Some(only.to_string()),
            (errors, _) => {
                let points: Vec<String> = errors.iter().map(|e| format!("* {e}")).collect();
                let head = match errors.len() {
                    1 => "1 error occurred".to_owned(),
                    n => format!("{n} errors occurred"),
                };
                Some(format!("{head}:\n\t{}\n\n", points.join("\n\t")))
            }
        }
    }
}

/// sorted: when the extension manages providers, every managed provider and every replicated
/// one; otherwise none. As in Gardener, a shoot without `spec.dns.domain` is not managed, so
/// its providers are left alone.
pub fn providers_deleted_on_teardown(
    settings: &ControllerSettings,
    shoot: &Shoot,
    seed: &SeedNamespace<'_>,
) -> Vec<String> {
    if !is_managing_dns_providers(settings, shoot) {
        return Vec::new();
    }
    let names: BTreeSet<String> = in_namespace(seed)
        .filter(|p| is_managed(p) || is_replicated(p))
        .map(|p| p.metadata.name_or_empty().to_owned())
        .filter(|name| !name.is_empty())
        .collect();
    names.into_iter().collect()
}

/// The providers a Reconcile deploys, deletes and keeps in the seed namespace (docs/extension.md
/// §4.4):
///
/// * not managing (flag off, or no `spec.dns.domain`; this includes a shoot without
///   `spec.dns`, whose Reconcile runs the Delete flow): nothing;
/// * hibernated: every managed and every replicated provider is deleted;
/// * otherwise the `external` provider of the default domain (none when a shoot provider is
///   primary, and then an existing `external` is deleted), one provider per
///   `DNSConfig.providers` entry, and every managed provider that is neither is deleted.
///   Replicated providers stay.
///
/// Differences from Gardener: a missing `<shoot>-external` DNSRecord gives no `external`
/// provider and an error, and an existing `external` is kept (D19); additional provider names
/// are valid Kubernetes names and providers that differ in their selection do not collapse
/// (D20, [`additional_provider_name`]).
///
/// ```
/// use std::collections::BTreeSet;
/// use shoot_dns::extension::{DnsConfig, Shoot};
/// use shoot_dns::extension::providers::{seed_providers, ControllerSettings, SeedNamespace};
///
/// let mut shoot = Shoot::default();
/// shoot.metadata.name = Some("bar".into());
/// shoot.spec.dns = Some(shoot_dns::extension::ShootDns {
///     domain: Some("foo.bar.example.com".into()),
///     providers: vec![],
/// });
/// let seed = SeedNamespace {
///     name: "shoot--foo--bar",
///     record: None,
///     secrets: &BTreeSet::new(),
///     providers: &[],
/// };
/// let out = seed_providers(&shoot, &DnsConfig::default(), &ControllerSettings::default(), &seed);
/// assert!(out.desired.is_empty());
/// assert_eq!(
///     out.errors[0].to_string(),
///     "DNSRecord shoot--foo--bar/bar-external not found: the default domain foo.bar.example.com \
///      gets no \"external\" DNSProvider",
/// );
/// ```
pub fn seed_providers(
    shoot: &Shoot,
    config: &DnsConfig,
    settings: &ControllerSettings,
    seed: &SeedNamespace<'_>,
) -> SeedProviders {
    let mut out = SeedProviders {
        managing: is_managing_dns_providers(settings, shoot),
        replication: replicate_dns_providers(settings, config),
        next_generation: use_next_generation_controller(settings, config),
        hibernated: is_hibernated(shoot),
        ..SeedProviders::default()
    };
    let Some(domain) = shoot_domain(shoot).filter(|_| out.managing) else {
        return out;
    };
    if out.hibernated {
        out.delete = providers_deleted_on_teardown(settings, shoot, seed);
        return out;
    }

    // Every name the reconcile knows: `Some` is deployed, `None` is kept as it is.
    let mut known: BTreeMap<String, Option<DnsProvider>> = BTreeMap::new();
    let mut delete_external = false;
    let next_generation = out.next_generation;
    match default_external(shoot, domain, settings, seed, next_generation) {
        Err(error) => {
            out.errors.push(error);
            out.aborted = true;
            return out;
        }
        Ok(External::Primary) => {
            known.insert(EXTERNAL_PROVIDER_NAME.to_owned(), None);
            delete_external = true;
        }
        Ok(External::Missing(error)) => {
            known.insert(EXTERNAL_PROVIDER_NAME.to_owned(), None);
            out.errors.push(error);
        }
        Ok(External::Provider { kind, copy }) => {
            let provider = build(EXTERNAL_PROVIDER_NAME, kind, seed.name, next_generation);
            known.insert(EXTERNAL_PROVIDER_NAME.to_owned(), Some(provider));
            out.copy_remote_secret = copy;
        }
    }

    let mut additional_errors = Vec::new();
    let mut indices = Vec::new();
    let mut inputs = Vec::new();
    for (index, provider) in config.providers.iter().flatten().enumerate() {
        let Some(provider_type) = provider.provider_type.as_deref().filter(|t| !t.is_empty())
        else {
            additional_errors.push((index, ProviderError::MissingType { index }));
            continue;
        };
        if provider_type == UNMANAGED_TYPE {
            continue;
        }
        let resource = [&provider.secret_name, &provider.credentials]
            .into_iter()
            .flatten()
            .find(|s| !s.is_empty());
        let Some(resource) = resource else {
            additional_errors.push((index, ProviderError::MissingCredentials { index }));
            continue;
        };
        indices.push(index);
        inputs.push(NameInput {
            provider_type,
            resource,
            provider,
        });
    }
    let names = names::distinct_names(&inputs);
    for ((index, input), name) in indices.into_iter().zip(&inputs).zip(names) {
        let resource = input.resource;
        let Some(reference) = shoot.spec.resources.iter().find(|r| r.name == resource) else {
            let error = ProviderError::UnknownResource {
                index,
                resource: resource.to_owned(),
            };
            additional_errors.push((index, error));
            continue;
        };
        let prefix = match reference.resource_ref.kind.as_str() {
            "WorkloadIdentity" => "workload-identity-ref-",
            _ => "ref-",
        };
        let secret = format!("{prefix}{}", reference.resource_ref.name);
        known.insert(name.clone(), None);
        if !seed.secrets.contains(&secret) {
            let error = ProviderError::SecretNotFound {
                index,
                resource: resource.to_owned(),
                secret,
            };
            additional_errors.push((index, error));
            continue;
        }
        let kind = ProviderKind::Additional {
            provider_type: input.provider_type,
            secret: &secret,
            provider: input.provider,
        };
        known.insert(
            name.clone(),
            Some(build(&name, kind, seed.name, next_generation)),
        );
    }
    additional_errors.sort_by_key(|(index, _)| *index);
    out.errors
        .extend(additional_errors.into_iter().map(|(_, e)| e));

    let mut delete = BTreeSet::new();
    for provider in in_namespace(seed) {
        let name = provider.metadata.name_or_empty();
        if name.is_empty() {
            continue;
        }
        let stale = is_managed(provider) && !known.contains_key(name);
        if stale || (delete_external && name == EXTERNAL_PROVIDER_NAME) {
            delete.insert(name.to_owned());
        }
    }
    for (name, provider) in known {
        match provider {
            Some(provider) => out.desired.push(provider),
            None if !delete.contains(&name) => out.keep.push(name),
            None => {}
        }
    }
    out.delete = delete.into_iter().collect();
    out
}

/// The default domain's provider, or why there is none.
enum External<'a> {
    /// A shoot provider is primary: no `external`, and an existing one is deleted.
    Primary,
    /// The DNSRecord is missing (D19).
    Missing(ProviderError),
    /// The provider to build.
    Provider {
        kind: ProviderKind<'a>,
        copy: Option<RemoteSecretCopy>,
    },
}

/// provider management for this reconcile.
fn default_external<'a>(
    shoot: &'a Shoot,
    domain: &'a str,
    settings: &ControllerSettings,
    seed: &SeedNamespace<'a>,
    next_generation: bool,
) -> Result<External<'a>, ProviderError> {
    let dns = shoot.spec.dns.as_ref();
    if dns.is_some_and(|dns| dns.providers.iter().any(|p| p.primary == Some(true))) {
        return Ok(External::Primary);
    }
    let remote = settings
        .seed_labels
        .get(REMOTE_DEFAULT_DOMAIN_SEED_LABEL)
        .is_some_and(|v| v == "true");
    let remote = match settings.remote_secret()? {
        Some((namespace, name)) if remote && !next_generation => {
            Some(RemoteSecretCopy { namespace, name })
        }
        _ => None,
    };
    let (provider_type, secret, zone) = match (&remote, external_record(shoot, seed)) {
        (Some(_), _) => ("remote", REMOTE_DEFAULT_DOMAIN_SECRET, None),
        (None, Some(record)) => (
            record.spec.record_type.as_str(),
            record.spec.secret_ref.name.as_str(),
            record.spec.zone.as_deref().filter(|z| !z.is_empty()),
        ),
        (None, None) => {
            return Ok(External::Missing(ProviderError::DnsRecordNotFound {
                namespace: seed.name.to_owned(),
                name: external_record_name(shoot),
                domain: domain.to_owned(),
            }));
        }
    };
    let quota = default_domain_quota(settings, shoot)?;
    Ok(External::Provider {
        kind: ProviderKind::External {
            provider_type,
            secret,
            domain,
            zone,
            quota,
        },
        copy: remote,
    })
}

/// The name of the DNSRecord that describes the shoot's default domain: `<shoot>-external`.
pub fn external_record_name(shoot: &Shoot) -> String {
    format!("{}-external", shoot.metadata.name_or_empty())
}

/// The shoot's `<shoot>-external` DNSRecord, if the seed namespace has it.
fn external_record<'a>(shoot: &Shoot, seed: &SeedNamespace<'a>) -> Option<&'a DnsRecord> {
    let record = seed.record?;
    let meta = &record.metadata;
    let name_matches = meta
        .name
        .as_deref()
        .is_none_or(|name| name == external_record_name(shoot));
    let namespace_matches = meta
        .namespace
        .as_deref()
        .is_none_or(|ns| ns.is_empty() || ns == seed.name);
    (name_matches && namespace_matches).then_some(record)
}

fn in_namespace<'a>(seed: &SeedNamespace<'a>) -> impl Iterator<Item = &'a DnsProvider> {
    let namespace = seed.name;
    seed.providers.iter().filter(move |p| {
        p.metadata
            .namespace
            .as_deref()
            .is_none_or(|ns| ns.is_empty() || ns == namespace)
    })
}

fn is_managed(provider: &DnsProvider) -> bool {
    provider.metadata.labels.get(ROLE_LABEL).map(String::as_str) == Some(MANAGED_ROLE)
}

fn is_replicated(provider: &DnsProvider) -> bool {
    provider
        .metadata
        .labels
        .get(SHOOT_ID_LABEL)
        .is_some_and(|v| !v.is_empty())
}
