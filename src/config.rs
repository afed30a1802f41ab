//! Configuration: the parts of Gardener's `DNSManagerConfiguration` the core uses.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::class::{Class, ClassError};
use crate::sources::SourceConfig;
use crate::ttl::{Ttl, TtlError};

/// The configuration of a plan, resolved and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The primary class: which DNSEntries and DNSProviders are ours.
    pub class: Class,
    /// The source side.
    pub source: SourceConfig,
    /// The TTL of entries and providers that set none.
    pub default_ttl: Ttl,
    /// Options per provider type (`aws-route53`, ...), for the adapters that talk to the
    /// providers' servers.
    pub provider_options: BTreeMap<String, AdvancedOptions>,
}

impl Config {
    /// The defaults with `class` as the primary class (and so as the source and target class).
    ///
    /// ```
    /// use shoot_dns::{Class, Config};
    ///
    /// let config = Config::for_class(Class::GARDEN.parse()?);
    /// assert_eq!(config.class.as_str(), "garden");
    /// assert_eq!(config.source.target_class.as_str(), "garden");
    /// # Ok::<(), shoot_dns::class::ClassError>(())
    /// ```
    pub fn for_class(class: Class) -> Self {
        let mut config = Self::default();
        config.source.source_class = class.clone();
        config.source.target_class = class.clone();
        config.class = class;
        config
    }

    /// Whether DNSEntries are sources too (docs/sources.md §3.5): when sources and entries are in
    /// different clusters, or the source class is not the primary class. A DNSEntry of the
    /// source class that no source generated is then replicated into a target entry, and is
    /// not planned itself.
    pub fn replicates_entries(&self) -> bool {
        !self.source.same_cluster() || self.source.source_class != self.class
    }

    /// Whether `entry` is a DNSEntry source under this configuration: replication is on, it
    /// carries the source class, and no source generated it.
    pub fn is_entry_source(&self, entry: &crate::api::DnsEntry) -> bool {
        let meta = &entry.metadata;
        self.replicates_entries()
            && self
                .source
                .source_class
                .matches(meta.annotation(crate::annotations::CLASS))
            && meta.owner_references.is_empty()
            && crate::sources::annotated_owners(entry).next().is_none()
    }

    /// Whether the control plane plans `entry`: it carries the primary class and is no
    /// DNSEntry source.
    pub fn plans(&self, entry: &crate::api::DnsEntry) -> bool {
        self.class
            .matches(entry.metadata.annotation(crate::annotations::CLASS))
            && !self.is_entry_source(entry)
    }
}

impl Default for Config {
    /// The library's defaults: class `gardendns` (COMPATIBILITY.md#d9), TTL 300.
    fn default() -> Self {
        ManagerConfiguration::default()
            .resolve()
            .unwrap_or_else(|_| unreachable!())
    }
}

/// Gardener's `DNSManagerConfiguration` as written (all fields optional).
///
/// ```
/// use shoot_dns::config::ManagerConfiguration;
///
/// let text = "class: garden\ncontrollers:\n  source:\n    targetNamespace: shoot--p--s\n";
/// let raw: ManagerConfiguration = serde_yaml_ng::from_str(text)?;
/// let config = raw.resolve()?;
/// assert_eq!(config.class.as_str(), "garden");
/// assert_eq!(config.source.target_class.as_str(), "garden");
/// assert_eq!(config.source.target_namespace.as_deref(), Some("shoot--p--s"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagerConfiguration {
    /// The primary class; `gardendns` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// TTL for entries and providers that set none (300 when unset).
    #[serde(
        rename = "defaultTTL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_ttl: Option<i64>,
    /// Controller settings.
    #[serde(default)]
    pub controllers: ControllersConfiguration,
    /// Options per provider type (`providerAdvancedOptions`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub provider_advanced_options: BTreeMap<String, AdvancedOptions>,
}

/// `providerAdvancedOptions.<type>` of the configuration: how the adapter of one provider
/// type talks to its servers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdvancedOptions {
    /// Requests a second and burst of every account of the type whose provider sets no
    /// `spec.rateLimit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limits: Option<RateLimiterOptions>,
    /// Changes per request (`aws-route53`: 1 to 50; a provider's `providerConfig.batchSize`
    /// comes first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<i64>,
    /// How often a throttled request is tried again (`aws-route53`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<i64>,
    /// Zone ids no provider of the type may use: they are left out of every zone list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked_zones: Vec<String>,
}

/// `providerAdvancedOptions.<type>.rateLimits`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimiterOptions {
    /// Whether requests are limited at all.
    #[serde(default)]
    pub enabled: bool,
    /// Requests a second.
    #[serde(default)]
    pub qps: f64,
    /// Requests at once.
    #[serde(default)]
    pub burst: i64,
}

/// `controllers` of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ControllersConfiguration {
    /// `controllers.source`.
    #[serde(default)]
    pub source: SourceConfiguration,
}

/// `controllers.source` of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceConfiguration {
    /// Class source objects must carry; falls back to `class`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_class: Option<String>,
    /// Class of generated entries; falls back to `class` (COMPATIBILITY.md#d7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_class: Option<String>,
    /// Namespace of generated entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_namespace: Option<String>,
    /// Prefix of generated entry names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name_prefix: Option<String>,
    /// Labels for generated entries.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub target_labels: BTreeMap<String, String>,
    /// Identifier of the source cluster.
    #[serde(
        rename = "sourceClusterID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub source_cluster_id: Option<String>,
    /// Identifier of the target cluster.
    #[serde(
        rename = "targetClusterID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub target_cluster_id: Option<String>,
}

/// A configuration value that breaks its rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A class with invalid syntax.
    #[error("{field}: {source}")]
    Class {
        /// The field, e.g. `controllers.source.targetClass`.
        field: &'static str,
        /// Why.
        source: ClassError,
    },
    /// A default TTL out of range.
    #[error("defaultTTL: {0}")]
    DefaultTtl(TtlError),
}

impl ManagerConfiguration {
    /// Resolves fallbacks and checks the values.
    pub fn resolve(&self) -> Result<Config, ConfigError> {
        let class_of = |field, value: Option<&String>, fallback: &Class| match value {
            None => Ok(fallback.clone()),
            Some(v) => v
                .parse::<Class>()
                .map_err(|source| ConfigError::Class { field, source }),
        };
        let class = class_of("class", self.class.as_ref(), &Class::default())?;
        let source = &self.controllers.source;
        let default_ttl =
            Ttl::new(self.default_ttl.unwrap_or(300)).map_err(ConfigError::DefaultTtl)?;
        Ok(Config {
            source: SourceConfig {
                source_class: class_of(
                    "controllers.source.sourceClass",
                    source.source_class.as_ref(),
                    &class,
                )?,
                target_class: class_of(
                    "controllers.source.targetClass",
                    source.target_class.as_ref(),
                    &class,
                )?,
                target_namespace: source.target_namespace.clone().filter(|ns| !ns.is_empty()),
                target_name_prefix: source.target_name_prefix.clone().unwrap_or_default(),
                target_labels: source.target_labels.clone(),
                source_cluster_id: source.source_cluster_id.clone().unwrap_or_default(),
                target_cluster_id: source.target_cluster_id.clone().unwrap_or_default(),
            },
            class,
            default_ttl,
            provider_options: self.provider_advanced_options.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let config = Config::default();
        assert!(config.class.is_default());
        assert!(config.source.target_class.is_default());
        assert_eq!(config.default_ttl.seconds(), 300);
        assert_eq!(config.source.target_namespace, None);
    }

    #[test]
    fn bad_class() {
        let raw = ManagerConfiguration {
            controllers: ControllersConfiguration {
                source: SourceConfiguration {
                    target_class: Some("Bad Class".into()),
                    ..Default::default()
                },
            },
            ..Default::default()
        };
        assert!(
            raw.resolve()
                .unwrap_err()
                .to_string()
                .starts_with("controllers.source.targetClass: invalid class")
        );
    }
}
