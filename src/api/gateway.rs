use serde::{Deserialize, Serialize};

use super::ObjectMeta;

/// The fields of a Gateway API `Gateway` (`gateway.networking.k8s.io/v1` or `v1beta1`) the core
/// reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayApiGateway {
    /// `gateway.networking.k8s.io/v1` or `gateway.networking.k8s.io/v1beta1`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub api_version: String,
    /// Always `Gateway`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// `spec.listeners`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: GatewayApiGatewaySpec,
    /// `status.addresses`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub status: GatewayApiGatewayStatus,
}

/// `Gateway.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayApiGatewaySpec {
    /// The listeners; their host names are the hosts the Gateway declares.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub listeners: Vec<Listener>,
}

/// One `Gateway.spec.listeners[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    /// The listener's name, unique within the Gateway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The host name the listener serves; unset means any host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    /// The network port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// The protocol, e.g. `HTTP` or `HTTPS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
}

/// `Gateway.status`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayApiGatewayStatus {
    /// The addresses the Gateway is reachable at.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub addresses: Vec<GatewayAddress>,
}

/// One `Gateway.status.addresses[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayAddress {
    /// `IPAddress`, `Hostname` or an implementation-specific type such as `NamedAddress`; the
    /// API server defaults it to `IPAddress`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub address_type: Option<String>,
    /// The address.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub value: String,
}

/// The fields of a Gateway API `HTTPRoute` the core reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRoute {
    /// `gateway.networking.k8s.io/v1` or `gateway.networking.k8s.io/v1beta1`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub api_version: String,
    /// Always `HTTPRoute`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub kind: String,
    /// Object metadata.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub metadata: ObjectMeta,
    /// `spec.parentRefs` and `spec.hostnames`.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub spec: HttpRouteSpec,
}

/// `HTTPRoute.spec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    /// The objects (usually Gateways) the route attaches to.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub parent_refs: Vec<ParentReference>,
    /// The host names the route serves.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub hostnames: Vec<String>,
}

/// One `HTTPRoute.spec.parentRefs[]` item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentReference {
    /// API group of the parent; unset means `gateway.networking.k8s.io`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Kind of the parent; unset means `Gateway`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Namespace of the parent; unset means the route's namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Name of the parent.
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub name: String,
    /// The listener of the parent the route attaches to (not used for DNS names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_manifests_with_unknown_and_null_fields() {
        let gateway: GatewayApiGateway = serde_json::from_value(json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": "gateway", "namespace": "istio-ingress"},
            "spec": {"gatewayClassName": "istio", "listeners": [{"name": "default", "hostname": null,
                     "port": 80, "protocol": "HTTP", "allowedRoutes": {"namespaces": {"from": "All"}}}]},
            "status": {"addresses": [{"type": "Hostname", "value": "lb.example.com"}, {"value": "1.2.3.4"}],
                       "conditions": []}
        }))
        .unwrap();
        let listener = &gateway.spec.listeners[0];
        assert_eq!(listener.hostname, None);
        assert_eq!(listener.port, Some(80));
        let addresses = &gateway.status.addresses;
        assert_eq!(addresses[0].address_type.as_deref(), Some("Hostname"));
        assert_eq!(addresses[1].address_type, None);
        let back = serde_json::to_value(&gateway).unwrap();
        assert_eq!(back["status"]["addresses"][0]["type"], "Hostname");
        assert_eq!(
            serde_json::from_value::<GatewayApiGateway>(back).unwrap(),
            gateway
        );

        let route: HttpRoute = serde_json::from_value(json!({
            "metadata": null,
            "spec": {"parentRefs": [{"name": "gateway", "sectionName": "https", "port": 443}],
                     "hostnames": null, "rules": [{"backendRefs": [{"name": "httpbin"}]}]}
        }))
        .unwrap();
        assert!(route.spec.hostnames.is_empty());
        assert_eq!(
            route.spec.parent_refs[0].section_name.as_deref(),
            Some("https")
        );
        let empty: HttpRoute = serde_json::from_value(json!({"spec": null})).unwrap();
        assert_eq!(empty, HttpRoute::default());
    }
}
