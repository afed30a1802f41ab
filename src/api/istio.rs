use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ObjectMeta;

/// The fields of an Istio `Gateway` (`networking.istio.io` `v1`, `v1beta1` or `v1alpha3`) the
/// core reads.
///
/// ```
/// use shoot_dns::api::IstioGateway;
///
/// let gateway: IstioGateway = serde_json::from_value(serde_json::json!({
///     "apiVersion": "networking.istio.io/v1",
///     "kind": "Gateway",
///     "metadata": {"name": "g1", "namespace": "istio-system"},
///     "spec": {
///         "selector": {"istio": "ingressgateway"},
///         "servers": [{"port": {"number": 80, "name": "http", "protocol": "HTTP"},
///                      "hosts": ["bookinfo/a.example.com"]}]
///     }
/// }))?;
/// assert_eq!(gateway.spec.selector["istio"], "ingressgateway");
/// assert_eq!(gateway.spec.servers[0].hosts, ["bookinfo/a.example.com"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IstioGateway {
    /// `networking.istio.io/v1`, `networking.istio.io/v1beta1` or `networking.istio.io/v1alpha3`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub api_version: String,
    /// Always `Gateway`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// `spec.selector` and `spec.servers`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: IstioGatewaySpec,
}

/// `Gateway.spec` (Istio).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IstioGatewaySpec {
    /// Labels of the ingress gateway workload; Services carrying all of them supply the targets.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub selector: BTreeMap<String, String>,
    /// The servers; only their hosts matter here.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub servers: Vec<Server>,
}

/// One `Gateway.spec.servers[]` item (Istio). Its port, TLS settings and name are not read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Server {
    /// The hosts exposed, each `host`, `namespace/host`, `./host` or `*/host`; `*` stands for
    /// any host.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub hosts: Vec<String>,
}

/// The fields of an Istio `VirtualService` the core reads.
///
/// ```
/// use shoot_dns::api::VirtualService;
///
/// let vs: VirtualService = serde_json::from_value(serde_json::json!({
///     "apiVersion": "networking.istio.io/v1",
///     "kind": "VirtualService",
///     "metadata": {"name": "reviews", "namespace": "bookinfo"},
///     "spec": {"gateways": ["istio-system/g1"], "hosts": ["reviews.example.com"],
///              "http": [{"route": [{"destination": {"host": "reviews"}}]}]}
/// }))?;
/// assert_eq!(vs.spec.gateways, ["istio-system/g1"]);
/// assert_eq!(vs.spec.hosts, ["reviews.example.com"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualService {
    /// `networking.istio.io/v1`, `networking.istio.io/v1beta1` or `networking.istio.io/v1alpha3`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub api_version: String,
    /// Always `VirtualService`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// `spec.gateways` and `spec.hosts`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: VirtualServiceSpec,
}

/// `VirtualService.spec`; the routes are not read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualServiceSpec {
    /// The Gateways the routes apply to: `name` (in the VirtualService's namespace),
    /// `namespace/name`, or `mesh`.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub gateways: Vec<String>,
    /// The hosts the routes serve.
    #[serde(
        default,
        deserialize_with = "super::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub hosts: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nulls_and_unknown_fields() {
        let gateway: IstioGateway = serde_json::from_value(serde_json::json!({
            "metadata": null,
            "spec": {"selector": null, "servers": [{"hosts": null, "port": {"number": 443}, "tls": {}}]},
            "status": {}
        }))
        .unwrap();
        assert!(gateway.spec.selector.is_empty());
        assert_eq!(gateway.spec.servers, [Server::default()]);
        let vs: VirtualService =
            serde_json::from_value(serde_json::json!({"spec": {"gateways": null, "hosts": null}}))
                .unwrap();
        assert_eq!(vs, VirtualService::default());
    }
}
