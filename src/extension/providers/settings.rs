//! The extension controller's settings and the per-shoot switches derived from them
//! (docs/extension.md §4.1, §5).

use std::collections::BTreeMap;

use super::{NEXT_GENERATION_SEED_LABEL, ProviderError};
use crate::extension::config::DnsConfig;
use crate::extension::shoot::Shoot;

/// The extension controller's settings that decide the providers (docs/extension.md §5), with
/// Gardener's flag semantics. The seed's labels, which come with the `Cluster`, are here as well.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControllerSettings {
    /// `--manage-dns-providers`. Gardener's flag defaults to `false`, but its Helm chart turns
    /// it on (`dnsProviderManagement.enabled: true`); the default here is `true`, since what
    /// the extension deploys is what this module computes.
    pub manage_dns_providers: bool,
    /// `--replicate-dns-providers` (default `false`): replication when the `DNSConfig` has no
    /// `dnsProviderReplication`.
    pub replicate_dns_providers: bool,
    /// `--default-external-provider-entries-quota` (default 0: no quota).
    pub default_external_provider_entries_quota: i64,
    /// `--default-external-provider-entries-quota-max` (default 0: the default quota is the
    /// maximum an annotation may ask for).
    pub default_external_provider_entries_quota_max: i64,
    /// `--remote-default-domain-secret`, `<namespace>/<name>` (default none).
    pub remote_default_domain_secret: Option<String>,
    /// `--use-next-generation-controller` (default `false`).
    pub use_next_generation_controller: bool,
    /// The labels of the shoot's seed ([`NEXT_GENERATION_SEED_LABEL`],
    /// [`REMOTE_DEFAULT_DOMAIN_SEED_LABEL`](super::REMOTE_DEFAULT_DOMAIN_SEED_LABEL)).
    pub seed_labels: BTreeMap<String, String>,
}

impl Default for ControllerSettings {
    fn default() -> Self {
        Self {
            manage_dns_providers: true,
            replicate_dns_providers: false,
            default_external_provider_entries_quota: 0,
            default_external_provider_entries_quota_max: 0,
            remote_default_domain_secret: None,
            use_next_generation_controller: false,
            seed_labels: BTreeMap::new(),
        }
    }
}

impl ControllerSettings {
    /// The remote default-domain Secret as `(namespace, name)`: `None` when the flag is unset
    /// or empty; an error unless splitting on `/` gives exactly two parts.
    pub fn remote_secret(&self) -> Result<Option<(String, String)>, ProviderError> {
        let Some(value) = self.remote_default_domain_secret.as_deref() else {
            return Ok(None);
        };
        if value.is_empty() {
            return Ok(None);
        }
        match value.split('/').collect::<Vec<_>>()[..] {
            [namespace, name] => Ok(Some((namespace.to_owned(), name.to_owned()))),
            _ => Err(ProviderError::RemoteSecretFormat {
                value: value.to_owned(),
            }),
        }
    }
}

/// `useNextGenerationController` (docs/extension.md §4.1): the global flag wins (the `DNSConfig`
/// may still turn it off); otherwise the seed label: `force-true`/`force-false` decide, `true`
/// makes the `DNSConfig` default to on, anything else to off.
pub fn use_next_generation_controller(settings: &ControllerSettings, config: &DnsConfig) -> bool {
    let configured = config.use_next_generation_controller;
    if settings.use_next_generation_controller {
        return configured.unwrap_or(true);
    }
    match settings
        .seed_labels
        .get(NEXT_GENERATION_SEED_LABEL)
        .map(String::as_str)
    {
        Some("force-true") => true,
        Some("force-false") => false,
        Some("true") => configured.unwrap_or(true),
        _ => configured.unwrap_or(false),
    }
}

/// `replicateDNSProviders`: `dnsProviderReplication.enabled` when the object is present
/// (`{}` means off), else `--replicate-dns-providers`.
pub fn replicate_dns_providers(settings: &ControllerSettings, config: &DnsConfig) -> bool {
    config
        .dns_provider_replication
        .as_ref()
        .map_or(settings.replicate_dns_providers, |r| r.enabled)
}

/// `isManagingDNSProviders`: the flag, and the shoot has `spec.dns.domain`.
pub fn is_managing_dns_providers(settings: &ControllerSettings, shoot: &Shoot) -> bool {
    settings.manage_dns_providers && shoot_domain(shoot).is_some()
}

/// `isHibernated`: `spec.hibernation.enabled == true`.
pub fn is_hibernated(shoot: &Shoot) -> bool {
    shoot.spec.hibernation.as_ref().and_then(|h| h.enabled) == Some(true)
}

/// `spec.dns.domain`.
pub(super) fn shoot_domain(shoot: &Shoot) -> Option<&str> {
    shoot.spec.dns.as_ref()?.domain.as_deref()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::NEXT_GENERATION_SEED_LABEL;
    use super::*;

    #[test]
    fn l1_next_generation_truth_table() {
        let rows: &[(&str, Option<bool>, bool)] = &[
            ("", None, false),
            ("", Some(true), true),
            ("", Some(false), false),
            ("false", None, false),
            ("false", Some(true), true),
            ("false", Some(false), false),
            ("true", None, true),
            ("true", Some(true), true),
            ("true", Some(false), false),
            ("force-false", None, false),
            ("force-false", Some(true), false),
            ("force-false", Some(false), false),
            ("force-true", None, true),
            ("force-true", Some(true), true),
            ("force-true", Some(false), true),
            ("invalid", None, false),
            ("invalid", Some(true), true),
            ("invalid", Some(false), false),
        ];
        for &(label, configured, want) in rows {
            let mut settings = ControllerSettings::default();
            if !label.is_empty() {
                settings
                    .seed_labels
                    .insert(NEXT_GENERATION_SEED_LABEL.into(), label.into());
            }
            let config = DnsConfig {
                use_next_generation_controller: configured,
                ..DnsConfig::default()
            };
            assert_eq!(
                use_next_generation_controller(&settings, &config),
                want,
                "{label:?} {configured:?}"
            );
            settings.use_next_generation_controller = true;
            assert_eq!(
                use_next_generation_controller(&settings, &config),
                configured.unwrap_or(true),
                "global flag, {label:?} {configured:?}"
            );
        }
    }

    #[test]
    fn replication_follows_the_config_then_the_flag() {
        let flag_on = ControllerSettings {
            replicate_dns_providers: true,
            ..ControllerSettings::default()
        };
        let flag_off = ControllerSettings::default();
        let absent = DnsConfig::default();
        let empty: DnsConfig =
            serde_json::from_value(json!({"dnsProviderReplication": {}})).unwrap();
        let on: DnsConfig =
            serde_json::from_value(json!({"dnsProviderReplication": {"enabled": true}})).unwrap();
        assert!(replicate_dns_providers(&flag_on, &absent));
        assert!(!replicate_dns_providers(&flag_off, &absent));
        assert!(!replicate_dns_providers(&flag_on, &empty));
        assert!(replicate_dns_providers(&flag_off, &on));
    }

    #[test]
    fn settings_default_to_managing_providers() {
        let settings = ControllerSettings::default();
        assert!(settings.manage_dns_providers);
        assert!(!settings.replicate_dns_providers && !settings.use_next_generation_controller);
        assert_eq!(settings.remote_secret(), Ok(None));
        let with = |v: &str| ControllerSettings {
            remote_default_domain_secret: Some(v.into()),
            ..ControllerSettings::default()
        };
        assert_eq!(with("").remote_secret(), Ok(None));
        assert_eq!(
            with("garden/remote").remote_secret(),
            Ok(Some(("garden".into(), "remote".into())))
        );
        assert_eq!(
            with("remote").remote_secret().unwrap_err().to_string(),
            "invalid format for remote-default-domain-secret: remote (expected '<namespace>/<name>')"
        );
    }
}
