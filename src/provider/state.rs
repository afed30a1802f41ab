//! A DNSProvider's state (docs/entries-and-providers.md §7): is its type supported, are its
//! credentials usable, which hosted zones does its account have, and which of them and which
//! domains does it serve.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::Deserialize;

use super::credentials::validate_type_credentials;
use super::provider_type::ProviderType;
use super::selection::{HostedZone, ZoneSelection, select};
use crate::api::{DnsProvider, DnsProviderStatus, Secret, SelectionStatus};
use crate::id::ZoneId;
use crate::name::DnsName;
use crate::ttl::Ttl;

/// `Ready`, `Error` or `Invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProviderPhase {
    /// The provider serves its domains.
    Ready,
    /// Something outside the spec is wrong (a missing Secret, an account without zones).
    Error,
    /// The spec itself cannot work.
    Invalid,
}

impl ProviderPhase {
    /// The `status.state` text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "Ready",
            Self::Error => "Error",
            Self::Invalid => "Invalid",
        }
    }
}

/// The configuration of a `local` (in-memory) provider: Gardener's `MockConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalConfig {
    /// Account name; zone ids are `<account>:<zoneSuffix><dnsName>`.
    #[serde(default)]
    pub account: String,
    /// The account's zones.
    #[serde(default)]
    pub zones: Vec<LocalZone>,
    /// Listing the zones fails.
    #[serde(default)]
    pub fail_get_zones: bool,
    /// Deleting records fails.
    #[serde(default)]
    pub fail_delete_entry: bool,
    /// Ignored here (the core has no clock).
    #[serde(default)]
    pub latency_millis: i64,
    /// Routing policies are accepted.
    #[serde(default)]
    pub support_routing_policy: bool,
}

/// One zone of a `local` provider.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LocalZone {
    /// Suffix of the zone id (`:private` in it makes the zone private).
    #[serde(default)]
    pub zone_suffix: String,
    /// The zone's domain.
    #[serde(default)]
    pub dns_name: String,
}

/// A `local` provider's `providerConfig` that is no `MockConfig`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unmarshal local providerConfig failed with: {reason}")]
pub struct LocalConfigError {
    /// What the decoder found.
    pub reason: String,
}

impl LocalConfig {
    /// The configuration of a `local` provider: its `providerConfig`, or Gardener's default of
    /// one zone `local.gardener.cloud`; the account is `local` unless named.
    pub fn of(provider: &DnsProvider) -> Result<Self, LocalConfigError> {
        let config = match &provider.spec.provider_config {
            Some(raw) => serde_json::from_value::<LocalConfig>(raw.clone()).map_err(|e| {
                LocalConfigError {
                    reason: e.to_string(),
                }
            })?,
            None => LocalConfig {
                zones: vec![LocalZone {
                    zone_suffix: String::new(),
                    dns_name: "local.gardener.cloud".into(),
                }],
                ..LocalConfig::default()
            },
        };
        Ok(LocalConfig {
            account: if config.account.is_empty() {
                "local".to_owned()
            } else {
                config.account
            },
            ..config
        })
    }

    /// The zones the account hosts, each with its id (`<account>:<zoneSuffix><dnsName>`); a
    /// zone without a `dnsName` is not hosted.
    ///
    /// ```
    /// use shoot_dns::provider::{LocalConfig, LocalZone};
    ///
    /// let config = LocalConfig {
    ///     account: "acme".into(),
    ///     zones: vec![LocalZone { zone_suffix: ":private".into(), dns_name: "example.com".into() }],
    ///     ..Default::default()
    /// };
    /// let ids: Vec<String> = config.hosted().map(|(id, _)| id).collect();
    /// assert_eq!(ids, ["acme::privateexample.com"]);
    /// ```
    pub fn hosted(&self) -> impl Iterator<Item = (String, &LocalZone)> {
        (self.zones.iter())
            .filter(|z| !z.dns_name.is_empty())
            .map(|z| {
                (
                    format!("{}:{}{}", self.account, z.zone_suffix, z.dns_name),
                    z,
                )
            })
    }

    /// Whether the account hosts the zone `zone`.
    pub fn hosts(&self, zone: &ZoneId) -> bool {
        self.hosted().any(|(id, _)| *zone == id.as_str())
    }

    /// The zones the account hosts as a provider lists them (a `:private` suffix makes a
    /// zone private), or Gardener's text when `failGetZones` asks listing to fail.
    pub fn hosted_zones(&self) -> Result<Vec<HostedZone>, String> {
        if self.fail_get_zones {
            return Err("forced error by mockConfig.FailGetZones".to_owned());
        }
        (self.hosted())
            .map(|(id, z)| {
                let domain =
                    (z.dns_name.parse()).map_err(|e| format!("hosted zone {id:?}: {e}"))?;
                Ok(HostedZone {
                    id: ZoneId::from(id),
                    domain,
                    provider_type: ProviderType::Local,
                    private: z.zone_suffix.contains(":private"),
                })
            })
            .collect()
    }
}

/// What is known of a provider after its evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderState {
    /// `namespace/name`.
    pub key: String,
    /// The provider type; `None` when the spec names a type the controller does not support
    /// (one that is no [`ProviderType`], or one that is not [`ProviderType::is_supported`]):
    /// the provider is then Invalid and serves nothing.
    pub provider_type: Option<ProviderType>,
    /// Ready, Error or Invalid.
    pub phase: ProviderPhase,
    /// `provider operational`, or what is wrong.
    pub message: String,
    /// The TTL of entries that set none.
    pub default_ttl: Ttl,
    /// The zones and domains it serves (empty unless the account's zones were read).
    pub selection: ZoneSelection,
    /// The configuration of a `local` provider.
    pub local: Option<LocalConfig>,
    /// Whether the provider is being deleted.
    pub deleting: bool,
}

impl ProviderState {
    /// The status the provider gets: state, message, domains and zones (sorted), default TTL.
    pub fn status(&self, observed_generation: Option<i64>) -> DnsProviderStatus {
        let listed = |inc: Vec<String>, exc: Vec<String>| {
            (!inc.is_empty() || !exc.is_empty()).then_some(SelectionStatus {
                included: inc,
                excluded: exc,
            })
        };
        let s = &self.selection;
        let ready_or_selected = self.phase == ProviderPhase::Ready || s.error.is_some();
        DnsProviderStatus {
            state: Some(self.phase.as_str().to_owned()),
            message: Some(self.message.clone()),
            domains: listed(
                s.domains_included.iter().map(ToString::to_string).collect(),
                s.domains_excluded.iter().map(ToString::to_string).collect(),
            ),
            zones: listed(
                s.zones_included.iter().cloned().collect(),
                s.zones_excluded.iter().cloned().collect(),
            ),
            default_ttl: ready_or_selected.then_some(i64::from(self.default_ttl.seconds())),
            observed_generation,
        }
    }

    /// Whether the provider is ready.
    pub fn is_ready(&self) -> bool {
        self.phase == ProviderPhase::Ready
    }

    /// Whether `name` lies in the provider's domains: its longest matching included domain is
    /// longer than every matching excluded one (an exclude of the same length wins, as in
    /// [`crate::provider::ProviderIndex`]).
    pub fn serves(&self, name: &DnsName) -> bool {
        let longest = |domains: &std::collections::BTreeSet<DnsName>| {
            (domains.iter())
                .filter(|d| name.is_subdomain_of(d))
                .map(|d| d.as_str().len())
                .max()
        };
        let s = &self.selection;
        longest(&s.domains_included)
            .is_some_and(|i| longest(&s.domains_excluded).is_none_or(|e| i > e))
    }

    /// The zone of the provider with the longest domain that holds `name`
    /// (docs/entries-and-providers.md §3.3; the first on a tie).
    pub fn zone_for(&self, name: &DnsName) -> Option<&HostedZone> {
        let mut best: Option<&HostedZone> = None;
        for zone in &self.selection.zones {
            if name.is_subdomain_of(&zone.domain)
                && best.is_none_or(|b| zone.domain.as_str().len() > b.domain.as_str().len())
            {
                best = Some(zone);
            }
        }
        best
    }

    /// Whether the provider may change the records of `name` in `zone`: it is Ready, it serves
    /// the name, and `zone` is the zone it picks for the name. No change is ever made through a
    /// provider for a name it does not cover (COMPATIBILITY.md#d14).
    pub fn covers(&self, name: &DnsName, zone: &str) -> bool {
        self.is_ready() && self.serves(name) && self.zone_for(name).is_some_and(|z| z.id == zone)
    }
}

/// Where a provider's hosted zones come from when they are given explicitly (the command line's
/// `--zones`).
pub type GivenZones<'a> = Option<&'a [HostedZone]>;

/// Evaluates one provider (§7 steps 3–11). `secret` is the Secret its `secretRef` names, read
/// from the provider's namespace; `given_zones` overrides the account's zones.
///
/// The returned warnings (domains outside every zone) become Warning events on the provider.
pub fn evaluate(
    provider: &DnsProvider,
    secret: Option<&Secret>,
    given_zones: GivenZones<'_>,
    default_ttl: Ttl,
) -> ProviderState {
    let meta = &provider.metadata;
    let key = meta.key();
    let spec_type = provider.spec.provider_type.as_str();
    let provider_type = (spec_type.parse::<ProviderType>().ok()).filter(|t| t.is_supported());
    let mut state = ProviderState {
        key,
        provider_type,
        phase: ProviderPhase::Invalid,
        message: String::new(),
        default_ttl,
        selection: ZoneSelection::default(),
        local: None,
        deleting: meta.is_deleting(),
    };
    let fail = |mut state: ProviderState, phase, message: String| {
        state.phase = phase;
        state.message = message;
        state
    };
    let Some(provider_type) = provider_type else {
        return fail(
            state,
            ProviderPhase::Invalid,
            format!("provider type {spec_type:?} is not supported"),
        );
    };
    if let Some(ttl) = provider.spec.default_ttl {
        match Ttl::new(ttl) {
            Ok(ttl) => state.default_ttl = ttl,
            Err(e) => {
                return fail(
                    state,
                    ProviderPhase::Invalid,
                    format!("spec.defaultTTL: {e}"),
                );
            }
        }
    }
    let is_local = provider_type == ProviderType::Local;
    let properties = match (&provider.spec.secret_ref, secret) {
        (None, _) if is_local => BTreeMap::new(),
        (None, _) => {
            return fail(
                state,
                ProviderPhase::Invalid,
                "no secret reference specified".to_owned(),
            );
        }
        (Some(reference), None) => {
            let message = format!(
                "secret {}/{} not found",
                meta.namespace_or_default(),
                reference.name
            );
            return fail(state, ProviderPhase::Error, message);
        }
        (Some(reference), Some(secret)) => match (secret_properties(secret))
            .map_err(|e| e.to_string())
            .and_then(|p| {
                validate_type_credentials(provider_type, &p, provider.spec.provider_config.as_ref())
                    .map_err(|e| e.to_string())
                    .map(|()| p)
            }) {
            Ok(properties) => properties,
            Err(e) => {
                let message = format!(
                    "secret {}/{} validation failed: {e}",
                    meta.namespace_or_default(),
                    reference.name
                );
                return fail(state, ProviderPhase::Error, message);
            }
        },
    };
    let zones = match given_zones {
        Some(zones) => zones.to_vec(),
        None => match account_zones(provider, provider_type, &properties) {
            Ok((zones, local)) => {
                state.local = local;
                zones
            }
            Err(message) => return fail(state, ProviderPhase::Error, message),
        },
    };
    if zones.is_empty() {
        return fail(
            state,
            ProviderPhase::Error,
            "no hosted zones available in account".to_owned(),
        );
    }
    state.selection = select(
        provider_type,
        provider.spec.domains.as_ref(),
        provider.spec.zones.as_ref(),
        &zones,
    );
    match &state.selection.error {
        Some(error) => {
            let message = error.to_string();
            fail(state, ProviderPhase::Error, message)
        }
        None => fail(
            state,
            ProviderPhase::Ready,
            "provider operational".to_owned(),
        ),
    }
}

/// Why a Secret's values cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretDataError {
    /// A `data` value is not base64.
    #[error("data.{key} is not valid base64: {reason}")]
    NotBase64 {
        /// The key under `data`.
        key: String,
        /// What the decoder found.
        reason: String,
    },
    /// A `data` value decodes to bytes that are no UTF-8 text.
    #[error("data.{key} is not UTF-8 text")]
    NotText {
        /// The key under `data`.
        key: String,
    },
}

/// The Secret's values, base64-decoded (`stringData` merged over `data`, as the API server does).
pub fn secret_properties(secret: &Secret) -> Result<BTreeMap<String, String>, SecretDataError> {
    let mut properties = BTreeMap::new();
    for (key, value) in &secret.data {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map_err(|e| SecretDataError::NotBase64 {
                key: key.clone(),
                reason: e.to_string(),
            })?;
        let text =
            String::from_utf8(bytes).map_err(|_| SecretDataError::NotText { key: key.clone() })?;
        properties.insert(key.clone(), text);
    }
    for (key, value) in &secret.string_data {
        properties.insert(key.clone(), value.clone());
    }
    Ok(properties)
}

/// The hosted zones of the provider's account (of type `provider_type`), without asking any
/// server (docs/command-line.md#zones): a `local` provider's configured zones, an `rfc2136`
/// provider's `Zone`, else one zone per included domain.
fn account_zones(
    provider: &DnsProvider,
    provider_type: ProviderType,
    properties: &BTreeMap<String, String>,
) -> Result<(Vec<HostedZone>, Option<LocalConfig>), String> {
    let zone = |id: String, domain: &str, private: bool| -> Result<HostedZone, String> {
        let domain = domain
            .parse()
            .map_err(|e| format!("hosted zone {id:?}: {e}"))?;
        Ok(HostedZone {
            id: ZoneId::from(id),
            domain,
            provider_type,
            private,
        })
    };
    match provider_type {
        ProviderType::Local => {
            let config = LocalConfig::of(provider).map_err(|e| e.to_string())?;
            Ok((config.hosted_zones()?, Some(config)))
        }
        ProviderType::Rfc2136 => match properties.get("Zone") {
            Some(name) => Ok((vec![zone(name.clone(), name, false)?], None)),
            None => Err(
                "validation failed for provider type rfc2136: property \"Zone\" is required but not provided"
                    .to_owned(),
            ),
        },
        _ => {
            let include = provider
                .spec
                .domains
                .as_ref()
                .map(|d| d.include.as_slice())
                .unwrap_or_default();
            let zones = include
                .iter()
                .filter(|d| !d.starts_with("*."))
                .map(|d| zone(d.clone(), d, false))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((zones, None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider(spec: serde_json::Value) -> DnsProvider {
        serde_json::from_value(json!({"metadata": {"name": "p", "namespace": "ns"}, "spec": spec}))
            .unwrap()
    }

    fn secret(data: serde_json::Value) -> Secret {
        serde_json::from_value(
            json!({"metadata": {"name": "creds", "namespace": "ns"}, "data": data}),
        )
        .unwrap()
    }

    /// `AWS_ACCESS_KEY_ID: AKIA`, `AWS_SECRET_ACCESS_KEY: secret`.
    fn aws_secret() -> Secret {
        secret(json!({"AWS_ACCESS_KEY_ID": "QUtJQQ==", "AWS_SECRET_ACCESS_KEY": "c2VjcmV0"}))
    }

    fn ttl() -> Ttl {
        Ttl::new(300).unwrap()
    }

    #[test]
    fn local_provider_is_ready() {
        let p = provider(
            json!({"type": "local", "providerConfig": {"zones": [{"dnsName": "example.com"}, {"dnsName": "example2.com", "zoneSuffix": ":private"}]}, "domains": {"include": ["example.com"]}}),
        );
        let state = evaluate(&p, None, None, ttl());
        assert_eq!(
            (state.phase, state.message.as_str()),
            (ProviderPhase::Ready, "provider operational")
        );
        assert_eq!(state.selection.zones.len(), 1);
        assert_eq!(state.selection.zones[0].id, "local:example.com");
        let status = state.status(Some(1));
        let domains = status.domains.unwrap();
        assert_eq!(domains.included, ["example.com"]);
        assert_eq!(domains.excluded, ["example2.com"]);
        assert_eq!(status.default_ttl, Some(300));
        assert!(state.local.is_some_and(|l| l.account == "local"));
        assert_eq!(state.provider_type, Some(ProviderType::Local));
    }

    #[test]
    fn failures() {
        let state = evaluate(
            &provider(json!({"type": "mock-inmemory"})),
            None,
            None,
            ttl(),
        );
        assert_eq!(
            (state.phase, state.message.as_str()),
            (
                ProviderPhase::Invalid,
                "provider type \"mock-inmemory\" is not supported"
            )
        );
        assert_eq!(state.provider_type, None);
        // known for credentials only
        let infoblox = provider(json!({"type": "infoblox-dns", "secretRef": {"name": "creds"}}));
        let state = evaluate(&infoblox, None, None, ttl());
        assert_eq!(
            (state.phase, state.message.as_str(), state.provider_type),
            (
                ProviderPhase::Invalid,
                "provider type \"infoblox-dns\" is not supported",
                None
            )
        );
        let state = evaluate(&provider(json!({"type": "aws-route53"})), None, None, ttl());
        assert_eq!(
            (state.phase, state.message.as_str()),
            (ProviderPhase::Invalid, "no secret reference specified")
        );
        let aws = provider(
            json!({"type": "aws-route53", "secretRef": {"name": "creds"}, "domains": {"include": ["example.com"]}}),
        );
        let state = evaluate(&aws, None, None, ttl());
        assert_eq!(
            (state.phase, state.message.as_str()),
            (ProviderPhase::Error, "secret ns/creds not found")
        );
        assert_eq!(state.status(None).domains, None);
        let bad = secret(json!({"AWS_ACCESS_KEY_ID": "not base64!"}));
        let state = evaluate(&aws, Some(&bad), None, ttl());
        assert!(
            state.message.starts_with(
                "secret ns/creds validation failed: data.AWS_ACCESS_KEY_ID is not valid base64"
            ),
            "{}",
            state.message
        );
        let state = evaluate(
            &aws,
            Some(&secret(json!({"AWS_ACCESS_KEY_ID": "QUtJQQ=="}))),
            None,
            ttl(),
        );
        assert_eq!(
            (state.phase, state.message.as_str()),
            (
                ProviderPhase::Error,
                "secret ns/creds validation failed: validation failed for provider type aws-route53: \
                 at least one of the disjunct property sets must be fully provided: \
                 [AWS_ACCESS_KEY_ID (aliases [accessKeyID]), AWS_SECRET_ACCESS_KEY (aliases [secretAccessKey])] \
                 or [AWS_USE_CREDENTIALS_CHAIN] or [token, config, workloadidentity.security.gardener.cloud/provider]"
            )
        );
        let state = evaluate(&aws, Some(&aws_secret()), None, ttl());
        assert_eq!(state.phase, ProviderPhase::Ready);
        assert_eq!(state.selection.zones[0].id, "example.com");
        let with_config = provider(
            json!({"type": "aws-route53", "secretRef": {"name": "creds"}, "providerConfig": {"batchSize": 0}, "domains": {"include": ["example.com"]}}),
        );
        assert_eq!(
            evaluate(&with_config, Some(&aws_secret()), None, ttl()).message,
            "secret ns/creds validation failed: invalid batch size 0, must be between 1 and 50"
        );
        let rfc2136 = provider(json!({"type": "rfc2136", "secretRef": {"name": "creds"}}));
        let state = evaluate(
            &rfc2136,
            Some(&secret(
                json!({"Server": "MTAuMC4wLjE=", "Zone": "RXhhbXBsZS5jb20=", "TSIGKeyName": "a2V5Lg==", "TSIGSecret": "c2VjcmV0"}),
            )),
            None,
            ttl(),
        );
        assert_eq!(
            (state.phase, state.message.as_str()),
            (
                ProviderPhase::Error,
                "secret ns/creds validation failed: validation failed for property Zone with value \"Example.com\": \
                 zone must be given in canonical form: 'example.com.' instead of 'Example.com'"
            )
        );
        let local = provider(json!({"type": "local", "secretRef": {"name": "creds"}}));
        let state = evaluate(
            &local,
            Some(&secret(json!({"bad_key": "eA=="}))),
            None,
            ttl(),
        );
        assert_eq!(
            state.message,
            "secret ns/creds validation failed: 'bad_key' is not allowed in local provider properties: x"
        );
        let failing = provider(json!({"type": "local", "providerConfig": {"failGetZones": true}}));
        assert_eq!(
            evaluate(&failing, None, None, ttl()).message,
            "forced error by mockConfig.FailGetZones"
        );
        let empty = provider(json!({"type": "local", "providerConfig": {"zones": []}}));
        assert_eq!(
            evaluate(&empty, None, None, ttl()).message,
            "no hosted zones available in account"
        );
        let unmatched = provider(
            json!({"type": "local", "providerConfig": {"zones": [{"dnsName": "a.b"}]}, "domains": {"include": ["x.y"]}}),
        );
        let state = evaluate(&unmatched, None, None, ttl());
        assert_eq!(
            (state.phase, state.message.as_str()),
            (
                ProviderPhase::Error,
                "no domain matching hosting zones. Need to be a (sub)domain of [a.b]"
            )
        );
        assert_eq!(state.status(None).domains.unwrap().excluded, ["a.b"]);
    }

    #[test]
    fn default_zone_and_ttl() {
        let p = provider(json!({"type": "local", "defaultTTL": 120}));
        let state = evaluate(&p, None, None, ttl());
        assert_eq!(
            state.selection.zones[0].domain.as_str(),
            "local.gardener.cloud"
        );
        assert_eq!(state.default_ttl.seconds(), 120);
        let bad = provider(json!({"type": "local", "defaultTTL": 0}));
        assert_eq!(
            evaluate(&bad, None, None, ttl()).phase,
            ProviderPhase::Invalid
        );
    }

    #[test]
    fn given_zones_win() {
        let p = provider(json!({"type": "aws-route53", "secretRef": {"name": "creds"}}));
        let zones = [HostedZone {
            id: "Z1".into(),
            domain: "example.org".parse().unwrap(),
            provider_type: ProviderType::AwsRoute53,
            private: false,
        }];
        let state = evaluate(&p, Some(&aws_secret()), Some(&zones), ttl());
        assert_eq!(state.phase, ProviderPhase::Ready);
        assert_eq!(state.selection.zones[0].id, "Z1");
    }
}
