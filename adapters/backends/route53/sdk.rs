//! [`Route53Api`] through AWS's SDK: credentials from the provider's Secret (static keys, or
//! the standard AWS credential chain with `AWS_USE_CREDENTIALS_CHAIN`), the region of
//! `AWS_REGION` (Route 53 is global: `us-east-1` signs by default), the endpoint of
//! `AWS_ENDPOINT_URL_ROUTE_53` or `AWS_ENDPOINT_URL` when set (how the tests reach their local
//! server), rustls with ring. The SDK's own retries are off: the backend retries, within the
//! provider's rate limit.

use std::collections::BTreeMap;

use aws_sdk_route53::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use aws_sdk_route53::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_route53::types as sdk;

use super::model::{
    AliasTarget, ChangeAction, GeoLocation, ResourceRecordSet, Route53Change, Routing,
};
use super::{ApiError, ApiZone, Page, RecordSetsStart, Route53Api};
use crate::adapters::backends::BackendError;

/// Route 53 through the SDK's client.
#[derive(Debug, Clone)]
pub struct SdkApi {
    client: aws_sdk_route53::Client,
}

impl SdkApi {
    /// A client with the properties of an `aws-route53` provider's Secret (names as Gardener
    /// reads them, aliases included) and the endpoint variables of the environment.
    pub fn from_properties(properties: &BTreeMap<String, String>) -> Result<SdkApi, BackendError> {
        let property = |names: &[&str]| {
            (names.iter())
                .find_map(|n| properties.get(*n))
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let chain = property(&["AWS_USE_CREDENTIALS_CHAIN"])
            .is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let credentials = if chain {
            SharedCredentialsProvider::new(chain::Lazy::default())
        } else {
            let key = property(&["AWS_ACCESS_KEY_ID", "accessKeyID"]);
            let secret = property(&["AWS_SECRET_ACCESS_KEY", "secretAccessKey"]);
            let (Some(key), Some(secret)) = (key, secret) else {
                return Err(BackendError::Unusable(
                    "the Secret has neither AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY nor AWS_USE_CREDENTIALS_CHAIN"
                        .to_owned(),
                ));
            };
            let token = property(&["AWS_SESSION_TOKEN", "sessionToken"]);
            SharedCredentialsProvider::new(Credentials::new(
                key,
                secret,
                token,
                None,
                "provider Secret",
            ))
        };
        let region = property(&["AWS_REGION", "region"]).unwrap_or_else(|| "us-east-1".to_owned());
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let mut config = aws_sdk_route53::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region))
            .credentials_provider(credentials)
            .http_client(http)
            .retry_config(aws_sdk_route53::config::retry::RetryConfig::disabled());
        let endpoint = ["AWS_ENDPOINT_URL_ROUTE_53", "AWS_ENDPOINT_URL"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint);
        }
        Ok(SdkApi {
            client: aws_sdk_route53::Client::from_conf(config.build()),
        })
    }
}

/// The standard credential chain, built on first use (building it is async).
mod chain {
    use aws_config::default_provider::credentials::DefaultCredentialsChain;
    use aws_credential_types::provider::{ProvideCredentials, future};
    use tokio::sync::OnceCell;

    #[derive(Debug, Default)]
    pub(super) struct Lazy(OnceCell<DefaultCredentialsChain>);

    impl ProvideCredentials for Lazy {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            future::ProvideCredentials::new(async move {
                let chain = self
                    .0
                    .get_or_init(|| DefaultCredentialsChain::builder().build())
                    .await;
                chain.provide_credentials().await
            })
        }
    }
}

/// An SDK error as the backend sees it: Route 53's code and the HTTP status, or status 0 when
/// no answer came.
fn api_error<E, R>(call: &str, error: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + HasStatus,
{
    let status = error.raw_response().map_or(0, HasStatus::status);
    let retry_after = None;
    match error {
        SdkError::ServiceError(service) => {
            let error = service.err();
            // An answer that is no Route 53 error document (an endpoint that lacks the call)
            // says no more than its status.
            let message = match error.message() {
                Some(message) => message.to_owned(),
                None => format!("{call}: HTTP {status} without a Route 53 error"),
            };
            ApiError {
                code: error.code().unwrap_or_default().to_owned(),
                status,
                message,
                retry_after,
            }
        }
        other => {
            use std::error::Error as _;
            let mut message = format!("{call}: {other}");
            let mut source = other.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            ApiError {
                code: String::new(),
                status,
                message,
                retry_after,
            }
        }
    }
}

/// The HTTP status of a raw response.
trait HasStatus {
    fn status(&self) -> u16;
}

impl HasStatus for aws_sdk_route53::config::http::HttpResponse {
    fn status(&self) -> u16 {
        self.status().as_u16()
    }
}

/// A request that cannot be built (a required field missing): the mapping's mistake, not the
/// server's.
fn invalid(error: impl std::fmt::Display) -> ApiError {
    ApiError {
        code: "InvalidInput".to_owned(),
        status: 400,
        message: error.to_string(),
        retry_after: None,
    }
}

impl Route53Api for SdkApi {
    async fn list_geo_locations(
        &self,
        start: Option<&GeoLocation>,
    ) -> Result<Page<(String, GeoLocation), GeoLocation>, ApiError> {
        let output = (self.client.list_geo_locations())
            .set_start_continent_code(start.and_then(|s| s.continent_code.clone()))
            .set_start_country_code(start.and_then(|s| s.country_code.clone()))
            .set_start_subdivision_code(start.and_then(|s| s.subdivision_code.clone()))
            .send()
            .await
            .map_err(|e| api_error("ListGeoLocations", e))?;
        let owned = |s: Option<&str>| s.map(str::to_owned);
        let items = (output.geo_location_details_list().iter())
            .filter_map(|details| {
                let name = (details.subdivision_name())
                    .or(details.country_name())
                    .or(details.continent_name())?;
                let location = GeoLocation {
                    continent_code: owned(details.continent_code()),
                    country_code: owned(details.country_code()),
                    subdivision_code: owned(details.subdivision_code()),
                };
                Some((name.to_owned(), location))
            })
            .collect();
        let next = output.is_truncated().then(|| GeoLocation {
            continent_code: owned(output.next_continent_code()),
            country_code: owned(output.next_country_code()),
            subdivision_code: owned(output.next_subdivision_code()),
        });
        Ok(Page { items, next })
    }

    async fn list_cidr_collections(
        &self,
        next: Option<&str>,
    ) -> Result<Page<(String, String), String>, ApiError> {
        let output = (self.client.list_cidr_collections())
            .set_next_token(next.map(str::to_owned))
            .send()
            .await
            .map_err(|e| api_error("ListCidrCollections", e))?;
        let items = (output.cidr_collections().iter())
            .filter_map(|c| Some((c.name()?.to_owned(), c.id()?.to_owned())))
            .collect();
        let next = output.next_token().map(str::to_owned);
        Ok(Page { items, next })
    }

    async fn list_cidr_locations(
        &self,
        id: &str,
        next: Option<&str>,
    ) -> Result<Page<String, String>, ApiError> {
        let output = (self.client.list_cidr_locations())
            .collection_id(id)
            .set_next_token(next.map(str::to_owned))
            .send()
            .await
            .map_err(|e| api_error("ListCidrLocations", e))?;
        let items = (output.cidr_locations().iter())
            .filter_map(|l| l.location_name().map(str::to_owned))
            .collect();
        let next = output.next_token().map(str::to_owned);
        Ok(Page { items, next })
    }

    async fn list_hosted_zones(
        &self,
        marker: Option<&str>,
    ) -> Result<Page<ApiZone, String>, ApiError> {
        let output = (self.client.list_hosted_zones())
            .set_marker(marker.map(str::to_owned))
            .send()
            .await
            .map_err(|e| api_error("ListHostedZones", e))?;
        let items = (output.hosted_zones().iter())
            .map(|zone| ApiZone {
                id: zone.id().to_owned(),
                name: zone.name().to_owned(),
                private: zone
                    .config()
                    .is_some_and(sdk::HostedZoneConfig::private_zone),
            })
            .collect();
        let next =
            (output.is_truncated()).then(|| output.next_marker().unwrap_or_default().to_owned());
        Ok(Page { items, next })
    }

    async fn list_record_sets(
        &self,
        id: &str,
        start: Option<&RecordSetsStart>,
    ) -> Result<Page<ResourceRecordSet, RecordSetsStart>, ApiError> {
        let output = (self.client.list_resource_record_sets())
            .hosted_zone_id(id)
            .set_start_record_name(start.map(|s| s.name.clone()))
            .set_start_record_type(
                start
                    .and_then(|s| s.record_type.as_deref())
                    .map(sdk::RrType::from),
            )
            .set_start_record_identifier(start.and_then(|s| s.identifier.clone()))
            .send()
            .await
            .map_err(|e| api_error("ListResourceRecordSets", e))?;
        let items = output.resource_record_sets().iter().map(from_sdk).collect();
        let next = (output.is_truncated()).then(|| RecordSetsStart {
            name: output.next_record_name().unwrap_or_default().to_owned(),
            record_type: output.next_record_type().map(|t| t.as_str().to_owned()),
            identifier: output.next_record_identifier().map(str::to_owned),
        });
        Ok(Page { items, next })
    }

    async fn change_record_sets(
        &self,
        id: &str,
        changes: &[Route53Change],
    ) -> Result<(), ApiError> {
        let changes = (changes.iter())
            .map(|change| {
                let action = match change.action {
                    ChangeAction::Create => sdk::ChangeAction::Create,
                    ChangeAction::Delete => sdk::ChangeAction::Delete,
                    ChangeAction::Upsert => sdk::ChangeAction::Upsert,
                };
                sdk::Change::builder()
                    .action(action)
                    .resource_record_set(to_sdk(&change.set)?)
                    .build()
                    .map_err(invalid)
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let batch = sdk::ChangeBatch::builder()
            .set_changes(Some(changes))
            .build()
            .map_err(invalid)?;
        (self.client.change_resource_record_sets())
            .hosted_zone_id(id)
            .change_batch(batch)
            .send()
            .await
            .map_err(|e| api_error("ChangeResourceRecordSets", e))?;
        Ok(())
    }
}

/// A record set of the SDK's as the backend's model has it.
fn from_sdk(set: &sdk::ResourceRecordSet) -> ResourceRecordSet {
    let routing = if let Some(weight) = set.weight() {
        Routing::Weighted(weight)
    } else if let Some(region) = set.region() {
        Routing::Latency(region.as_str().to_owned())
    } else if let Some(location) = set.geo_location() {
        Routing::Geolocation(GeoLocation {
            continent_code: location.continent_code().map(str::to_owned),
            country_code: location.country_code().map(str::to_owned),
            subdivision_code: location.subdivision_code().map(str::to_owned),
        })
    } else if let Some(cidr) = set.cidr_routing_config() {
        Routing::IpBased {
            collection_id: cidr.collection_id().to_owned(),
            location_name: cidr.location_name().to_owned(),
        }
    } else if let Some(failover) = set.failover() {
        Routing::Failover {
            primary: *failover == sdk::ResourceRecordSetFailover::Primary,
        }
    } else {
        Routing::Simple
    };
    ResourceRecordSet {
        name: set.name().to_owned(),
        record_type: set.r#type().as_str().to_owned(),
        set_identifier: set.set_identifier().map(str::to_owned),
        ttl: set.ttl().and_then(|t| u32::try_from(t).ok()),
        records: set
            .resource_records()
            .iter()
            .map(|r| r.value().to_owned())
            .collect(),
        alias_target: set.alias_target().map(|alias| AliasTarget {
            hosted_zone_id: alias.hosted_zone_id().to_owned(),
            dns_name: alias.dns_name().to_owned(),
            evaluate_target_health: alias.evaluate_target_health(),
        }),
        routing,
        health_check_id: set.health_check_id().map(str::to_owned),
    }
}

/// The backend's model of a record set as the SDK's.
fn to_sdk(set: &ResourceRecordSet) -> Result<sdk::ResourceRecordSet, ApiError> {
    let mut out = sdk::ResourceRecordSet::builder()
        .name(&set.name)
        .r#type(sdk::RrType::from(set.record_type.as_str()))
        .set_set_identifier(set.set_identifier.clone())
        .set_ttl(set.ttl.map(i64::from))
        .set_health_check_id(set.health_check_id.clone());
    for value in &set.records {
        out = out.resource_records(
            sdk::ResourceRecord::builder()
                .value(value)
                .build()
                .map_err(invalid)?,
        );
    }
    if let Some(alias) = &set.alias_target {
        out = out.alias_target(
            sdk::AliasTarget::builder()
                .hosted_zone_id(&alias.hosted_zone_id)
                .dns_name(&alias.dns_name)
                .evaluate_target_health(alias.evaluate_target_health)
                .build()
                .map_err(invalid)?,
        );
    }
    out = match &set.routing {
        Routing::Simple => out,
        Routing::Weighted(weight) => out.weight(*weight),
        Routing::Latency(region) => out.region(sdk::ResourceRecordSetRegion::from(region.as_str())),
        Routing::Geolocation(location) => out.geo_location(
            sdk::GeoLocation::builder()
                .set_continent_code(location.continent_code.clone())
                .set_country_code(location.country_code.clone())
                .set_subdivision_code(location.subdivision_code.clone())
                .build(),
        ),
        Routing::IpBased {
            collection_id,
            location_name,
        } => out.cidr_routing_config(
            sdk::CidrRoutingConfig::builder()
                .collection_id(collection_id)
                .location_name(location_name)
                .build()
                .map_err(invalid)?,
        ),
        Routing::Failover { primary } => out.failover(if *primary {
            sdk::ResourceRecordSetFailover::Primary
        } else {
            sdk::ResourceRecordSetFailover::Secondary
        }),
    };
    out.build().map_err(invalid)
}
