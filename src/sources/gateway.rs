use super::{
    SourceConfig, SourceError, SourceInput, add_route_host, check_targets, push_unique,
    select_names,
};
use crate::annotations::{CLASS, CommonAnnotations, DNSNAMES, DnsNames, MergedAnnotations};
use crate::api::{GatewayApiGateway, GatewayApiGatewayStatus, HttpRoute};

/// The API group of Gateway API objects, and the default group of a route's parent reference.
const GATEWAY_API_GROUP: &str = "gateway.networking.k8s.io";

/// What declares the names of a Gateway, as the "not declared" error says it.
const DECLARED_BY: &str = "gateway.spec.listeners[].hostname";

/// The Gateways a route attaches to (docs/sources.md §3.3): the `(namespace, name)` of every
/// parent reference of group `gateway.networking.k8s.io` (or unset) and kind `Gateway` (or
/// unset), in parent reference order, without duplicates. An unset or empty namespace is the
/// route's own; a reference without a name is skipped; `sectionName` plays no part.
///
/// ```
/// use shoot_dns::api::HttpRoute;
/// use shoot_dns::sources::route_parents;
///
/// let route: HttpRoute = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "http", "namespace": "default"},
///     "spec": {"parentRefs": [
///         {"name": "gateway", "namespace": "istio-ingress"},
///         {"name": "local", "sectionName": "https"},
///         {"group": "networking.istio.io", "kind": "Gateway", "name": "istio"}
///     ]}
/// }))?;
/// assert_eq!(
///     route_parents(&route),
///     [
///         ("istio-ingress".to_owned(), "gateway".to_owned()),
///         ("default".to_owned(), "local".to_owned()),
///     ]
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn route_parents(route: &HttpRoute) -> Vec<(String, String)> {
    let own_namespace = route.metadata.namespace_or_default();
    let mut parents: Vec<(String, String)> = Vec::new();
    for parent in &route.spec.parent_refs {
        let group_matches = parent
            .group
            .as_deref()
            .is_none_or(|g| g == GATEWAY_API_GROUP);
        let kind_matches = parent.kind.as_deref().is_none_or(|k| k == "Gateway");
        if !group_matches || !kind_matches || parent.name.is_empty() {
            continue;
        }
        let namespace = parent
            .namespace
            .as_deref()
            .filter(|ns| !ns.is_empty())
            .unwrap_or(own_namespace);
        let key = (namespace.to_owned(), parent.name.clone());
        if !parents.contains(&key) {
            parents.push(key);
        }
    }
    parents
}

/// The input of a Gateway API Gateway (docs/sources.md §3.3): `Ok(None)` when it is not relevant
/// (another class or no `dnsnames`).
///
/// `routes` are the HTTPRoutes of the Gateway's API version that attach to it (see
/// [`route_parents`]), sorted by namespace and name. The Gateway declares its listeners' host
/// names, in listener order, then each route's host names, in route order; a route host is
/// skipped when it is already declared or an earlier `*.X` host covers it at exactly one label.
/// The names are the declared hosts that `dnsnames` lists or selects with `*`/`all`; a listed
/// name that is not declared is an error.
///
/// The targets are the IP addresses of `status.addresses` if there is any, else its host
/// names. `dns.gardener.cloud/ip-stack` is not honoured.
///
/// ```
/// use shoot_dns::annotations::MergedAnnotations;
/// use shoot_dns::api::{GatewayApiGateway, HttpRoute};
/// use shoot_dns::sources::{SourceConfig, gateway_input};
///
/// let gateway: GatewayApiGateway = serde_json::from_value(serde_json::json!({
///     "apiVersion": "gateway.networking.k8s.io/v1",
///     "kind": "Gateway",
///     "metadata": {"name": "gateway", "namespace": "istio-ingress",
///                  "annotations": {"dns.gardener.cloud/dnsnames": "*"}},
///     "spec": {"listeners": [{"name": "default", "hostname": "*.example.com", "port": 80}]},
///     "status": {"addresses": [{"type": "Hostname", "value": "lb.example.com"},
///                              {"type": "IPAddress", "value": "1.1.1.1"}]}
/// }))?;
/// let route: HttpRoute = serde_json::from_value(serde_json::json!({
///     "apiVersion": "gateway.networking.k8s.io/v1",
///     "kind": "HTTPRoute",
///     "metadata": {"name": "http", "namespace": "default"},
///     "spec": {"parentRefs": [{"name": "gateway", "namespace": "istio-ingress"}],
///              "hostnames": ["httpbin.example.com", "example.org"]}
/// }))?;
/// let annotations = MergedAnnotations::new(&gateway.metadata.annotations, None);
/// let input = gateway_input(&gateway, &[&route], &annotations, &SourceConfig::default())?.unwrap();
/// assert_eq!(input.names, ["*.example.com", "example.org"]);
/// assert_eq!(input.targets, ["1.1.1.1"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn gateway_input(
    gateway: &GatewayApiGateway,
    routes: &[&HttpRoute],
    annotations: &MergedAnnotations<'_>,
    config: &SourceConfig,
) -> Result<Option<SourceInput>, SourceError> {
    if !config.source_class.matches(annotations.raw(CLASS)) || annotations.raw(DNSNAMES).is_none() {
        return Ok(None);
    }
    let wanted = DnsNames::of(annotations)?.unwrap_or_default();
    let names = select_names(&declared_hosts(gateway, routes), &wanted, DECLARED_BY)?;
    let common = CommonAnnotations::parse(annotations)?;
    let targets = ip_first_addresses(&gateway.status);
    check_targets(targets.iter().map(String::as_str), |value| {
        let addresses = gateway.status.addresses.iter();
        match addresses.enumerate().find(|(_, a)| a.value == value) {
            Some((i, _)) => format!("status.addresses[{i}].value"),
            None => "status.addresses".to_owned(),
        }
    })?;
    Ok(Some(SourceInput::new(names, targets, None, common)))
}

/// The hosts a Gateway declares: its listeners' host names, then its routes' host names with
/// single-label wildcard absorption; in order, without duplicates.
fn declared_hosts(gateway: &GatewayApiGateway, routes: &[&HttpRoute]) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::with_capacity(gateway.spec.listeners.len());
    for host in gateway
        .spec
        .listeners
        .iter()
        .filter_map(|l| l.hostname.as_deref())
    {
        if !host.is_empty() {
            push_unique(&mut hosts, host);
        }
    }
    for route in routes {
        // An empty route host names nothing; the CRD forbids it, and it is skipped like an
        // empty listener host.
        for host in route.spec.hostnames.iter().filter(|h| !h.is_empty()) {
            add_route_host(&mut hosts, host);
        }
    }
    hosts
}

/// Targets of a Gateway: all `IPAddress` values (an unset type counts as `IPAddress`, the
/// API server's default) if there is any, else all `Hostname` values; other types are ignored.
/// Each list in status order without duplicates; empty values are skipped.
fn ip_first_addresses(status: &GatewayApiGatewayStatus) -> Vec<String> {
    let mut ips = Vec::new();
    let mut hostnames = Vec::new();
    for address in status.addresses.iter().filter(|a| !a.value.is_empty()) {
        match address.address_type.as_deref() {
            None | Some("IPAddress") => push_unique(&mut ips, &address.value),
            Some("Hostname") => push_unique(&mut hostnames, &address.value),
            Some(_) => {}
        }
    }
    if ips.is_empty() { hostnames } else { ips }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotations::{IP_STACK, RESOLVE_TARGETS_TO_ADDRESSES, TTL};
    use serde_json::{Value, json};

    const V1: &str = "gateway.networking.k8s.io/v1";
    const V1BETA1: &str = "gateway.networking.k8s.io/v1beta1";

    /// A Gateway in `default` with one listener per host and the given `status.addresses`.
    fn gateway(
        api_version: &str,
        name: &str,
        annotations: Value,
        hosts: &[&str],
        addresses: Value,
    ) -> GatewayApiGateway {
        let listeners: Vec<Value> = hosts.iter().map(|h| json!({"hostname": h})).collect();
        serde_json::from_value(json!({
            "apiVersion": api_version,
            "kind": "Gateway",
            "metadata": {"name": name, "namespace": "default", "annotations": annotations},
            "spec": {"listeners": listeners},
            "status": {"addresses": addresses}
        }))
        .unwrap()
    }

    fn route(api_version: &str, namespace: &str, name: &str, spec: Value) -> HttpRoute {
        serde_json::from_value(json!({
            "apiVersion": api_version,
            "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec
        }))
        .unwrap()
    }

    /// A route in `default` that attaches to the Gateway `default/test-gateway`.
    fn attached(hostnames: &[&str]) -> HttpRoute {
        route(
            V1,
            "default",
            "test-route",
            json!({"parentRefs": [{"name": "test-gateway"}], "hostnames": hostnames}),
        )
    }

    fn input(
        gw: &GatewayApiGateway,
        routes: &[&HttpRoute],
    ) -> Result<Option<SourceInput>, SourceError> {
        gateway_input(
            gw,
            routes,
            &MergedAnnotations::new(&gw.metadata.annotations, None),
            &SourceConfig::default(),
        )
    }

    /// A v1 Gateway `default/test-gateway` without addresses.
    fn v1_gateway(annotations: Value, hosts: &[&str]) -> GatewayApiGateway {
        gateway(V1, "test-gateway", annotations, hosts, json!([]))
    }

    /// The names a Gateway with `dnsnames: "*"`, these listener hosts and routes selects.
    fn all_names(hosts: &[&str], routes: &[&HttpRoute]) -> Vec<String> {
        input(&v1_gateway(json!({DNSNAMES: "*"}), hosts), routes)
            .unwrap()
            .unwrap()
            .names
    }

    /// The targets of these `(type, value)` addresses; an empty type is left unset.
    fn targets(addresses: &[(&str, &str)]) -> Vec<String> {
        let addresses: Vec<Value> = addresses
            .iter()
            .map(|(t, v)| match *t {
                "" => json!({"value": v}),
                t => json!({"type": t, "value": v}),
            })
            .collect();
        let status: GatewayApiGatewayStatus =
            serde_json::from_value(json!({"addresses": addresses})).unwrap();
        ip_first_addresses(&status)
    }

    #[test]
    fn spec_input_of_a_gateway() {
        // GW-01
        let gw = gateway(
            V1BETA1,
            "test-gateway",
            json!({DNSNAMES: "wikipedia.org"}),
            &["wikipedia.org"],
            json!([{"type": "IPAddress", "value": "1.0.0.1"}]),
        );
        let i = input(&gw, &[]).unwrap().unwrap();
        assert_eq!(i.names, ["wikipedia.org"]);
        assert_eq!(i.targets, ["1.0.0.1"]);
    }

    #[test]
    fn parents_of_a_route() {
        // GW-03 (the Gateway API group only)
        let r = route(
            V1,
            "route-namespace",
            "route",
            json!({"parentRefs": [
                {"group": GATEWAY_API_GROUP, "kind": "Gateway", "name": "gateway-with-group-without-namespace"},
                {"group": GATEWAY_API_GROUP, "kind": "Gateway", "name": "gateway-with-group-and-namespace", "namespace": "gateway-namespace"},
                {"group": "networking.istio.io", "kind": "Gateway", "name": "istio-gateway"},
                {"name": "gateway-with-name-only"},
                {"name": "gateway-with-name-and-namespace", "namespace": "gateway-namespace"},
            ]}),
        );
        let keys: Vec<String> = route_parents(&r)
            .into_iter()
            .map(|(ns, name)| format!("{ns}/{name}"))
            .collect();
        assert_eq!(
            keys,
            [
                "route-namespace/gateway-with-group-without-namespace",
                "gateway-namespace/gateway-with-group-and-namespace",
                "route-namespace/gateway-with-name-only",
                "gateway-namespace/gateway-with-name-and-namespace",
            ]
        );
    }

    #[test]
    fn parents_other_kinds_and_repeats() {
        let r = route(
            V1,
            "ns",
            "route",
            json!({"parentRefs": [
                {"kind": "Service", "name": "svc"},
                {"name": "gw", "sectionName": "http"},
                {"name": "gw", "sectionName": "https", "namespace": "ns"},
            ]}),
        );
        assert_eq!(route_parents(&r), [("ns".to_owned(), "gw".to_owned())]);
    }

    #[test]
    fn hosts_of_listeners_and_routes() {
        // GW-05: each Gateway gets the routes of its own API version that attach to it.
        let routes = [
            route(
                V1BETA1,
                "default",
                "test-route-v1beta1",
                json!({"parentRefs": [{"name": "gateway-v1beta1-with-route"}],
                       "hostnames": ["foo.gardener.cloud", "example.com"]}),
            ),
            route(
                V1,
                "default",
                "test-route-v1",
                json!({"parentRefs": [{"name": "gateway-v1-with-route"}],
                       "hostnames": ["foo.wikipedia.org", "baz.bar.example.com", "gardener.cloud"]}),
            ),
        ];
        let plain: &[&str] = &["wikipedia.org", "example.com"];
        let gardener: &[&str] = &["wikipedia.org", "*.gardener.cloud", "example.com"];
        let wikipedia: &[&str] = &["*.wikipedia.org", "*.baz.example.com"];
        let wikipedia_hosts: &[&str] = &[
            wikipedia[0],
            wikipedia[1],
            "baz.bar.example.com",
            "gardener.cloud",
        ];
        let cases = [
            (
                V1BETA1,
                "gateway-v1beta1-not-referenced-by-routes",
                plain,
                plain,
            ),
            (V1, "gateway-v1-not-referenced-by-routes", plain, plain),
            (V1BETA1, "gateway-v1beta1-with-route", gardener, gardener),
            (V1, "gateway-v1-with-route", wikipedia, wikipedia_hosts),
        ];
        for (version, name, listeners, hosts) in cases {
            let gw = gateway(version, name, json!({DNSNAMES: "*"}), listeners, json!([]));
            let key = ("default".to_owned(), name.to_owned());
            let referencing: Vec<&HttpRoute> = routes
                .iter()
                .filter(|r| r.api_version == gw.api_version && route_parents(r).contains(&key))
                .collect();
            assert_eq!(input(&gw, &referencing).unwrap().unwrap().names, hosts);
        }
    }

    #[test]
    fn wildcard_absorption() {
        let r = attached(&["foo.gardener.cloud", "a.b.gardener.cloud", "gardener.cloud"]);
        assert_eq!(
            all_names(&["*.gardener.cloud"], &[&r]),
            ["*.gardener.cloud", "a.b.gardener.cloud", "gardener.cloud"]
        );
        // an earlier concrete host never absorbs a later wildcard
        let r = attached(&["*.example.com"]);
        assert_eq!(
            all_names(&["foo.example.com"], &[&r]),
            ["foo.example.com", "*.example.com"]
        );
        // earlier routes' hosts absorb later ones; repeats and empty hosts are skipped
        let first = attached(&["*.example.com", "example.org"]);
        let second = attached(&["a.example.com", "example.org", "", "b.example.org"]);
        assert_eq!(
            all_names(&["example.org", "example.org", ""], &[&first, &second]),
            ["example.org", "*.example.com", "b.example.org"]
        );
    }

    #[test]
    fn route_hosts_without_listener_host() {
        // GW-11: a listener without host name; the HTTPRoute declares the name.
        let gw: GatewayApiGateway = serde_json::from_value(json!({
            "apiVersion": V1,
            "kind": "Gateway",
            "metadata": {"name": "gateway", "namespace": "istio-ingress",
                         "annotations": {DNSNAMES: "*"}},
            "spec": {"listeners": [{"name": "default", "hostname": null, "port": 80, "protocol": "HTTP",
                                    "allowedRoutes": {"namespaces": {"from": "All"}}}]},
            "status": {"addresses": [{"type": "IPAddress", "value": "2.2.2.2"}]}
        }))
        .unwrap();
        let r = route(
            V1,
            "default",
            "http",
            json!({"parentRefs": [{"name": "gateway", "namespace": "istio-ingress"}],
                   "hostnames": ["httpbin.example.com"]}),
        );
        assert_eq!(
            route_parents(&r),
            [("istio-ingress".to_owned(), "gateway".to_owned())]
        );
        let i = input(&gw, &[&r]).unwrap().unwrap();
        assert_eq!(i.names, ["httpbin.example.com"]);
        assert_eq!(i.targets, ["2.2.2.2"]);
    }

    #[test]
    fn targets_from_addresses() {
        // GW-07
        let (ip, host) = ("IPAddress", "Hostname");
        assert_eq!(targets(&[(ip, "1.1.1.1")]), ["1.1.1.1"]);
        assert_eq!(targets(&[(host, "wikipedia.org")]), ["wikipedia.org"]);
        assert_eq!(
            targets(&[(ip, "1.1.1.1"), (host, "wikipedia.org")]),
            ["1.1.1.1"]
        );
        assert_eq!(
            targets(&[("NamedAddress", "foo"), (ip, "1.2.3.4")]),
            ["1.2.3.4"]
        );
    }

    #[test]
    fn targets_untyped_repeated_and_none() {
        // An unset type is the API server's default, IPAddress.
        assert_eq!(
            targets(&[("Hostname", "lb.example.com"), ("", "1.2.3.4")]),
            ["1.2.3.4"]
        );
        let repeated = [("Hostname", "b.example.com"), ("Hostname", "a.example.com")];
        assert_eq!(
            targets(&[repeated[0], repeated[1], repeated[0]]),
            ["b.example.com", "a.example.com"]
        );
        assert!(targets(&[("NamedAddress", "foo"), ("IPAddress", "")]).is_empty());
        assert!(targets(&[]).is_empty());
    }

    #[test]
    fn ip_stack_is_not_honoured() {
        // GW-13. With COMPATIBILITY.md#d6 the entry mirrors the source, so an `ip-stack` annotation
        // already on a generated entry is removed as well.
        let gw = v1_gateway(
            json!({DNSNAMES: "foo.example.com", IP_STACK: "dual-stack"}),
            &["foo.example.com"],
        );
        let i = input(&gw, &[]).unwrap().unwrap();
        assert_eq!(i.names, ["foo.example.com"]);
        assert_eq!(i.ip_stack, None);
    }

    #[test]
    fn selection() {
        let hosts = ["a.example.com", "b.example.com", "c.example.com"];
        for all in ["*", "all", "b.example.com, *"] {
            let gw = v1_gateway(json!({DNSNAMES: all}), &hosts);
            assert_eq!(input(&gw, &[]).unwrap().unwrap().names, hosts);
        }
        // listener order wins over annotation order
        let gw = v1_gateway(json!({DNSNAMES: "c.example.com,a.example.com"}), &hosts);
        assert_eq!(
            input(&gw, &[]).unwrap().unwrap().names,
            ["a.example.com", "c.example.com"]
        );
        // no listeners: nothing declared, nothing selected, but still relevant
        let bare = v1_gateway(json!({DNSNAMES: "*"}), &[]);
        assert_eq!(input(&bare, &[]), Ok(Some(SourceInput::default())));
    }

    #[test]
    fn undeclared_names() {
        let gw = v1_gateway(
            json!({DNSNAMES: "a.example.com,x.example.com", TTL: "abc"}),
            &["a.example.com"],
        );
        // reported before the other annotations are parsed
        assert_eq!(
            input(&gw, &[]).unwrap_err().to_string(),
            "annotated dns names x.example.com not declared by gateway.spec.listeners[].hostname"
        );
    }

    #[test]
    fn annotation_errors_and_copies() {
        let gw = v1_gateway(
            json!({DNSNAMES: "a.example.com", TTL: "abc"}),
            &["a.example.com"],
        );
        assert_eq!(
            input(&gw, &[]).unwrap_err().to_string(),
            "invalid TTL: strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
        let empty = v1_gateway(json!({DNSNAMES: ""}), &["a.example.com"]);
        assert_eq!(
            input(&empty, &[]).unwrap_err().to_string(),
            "empty value for annotation \"dns.gardener.cloud/dnsnames\""
        );
        let gw = v1_gateway(
            json!({DNSNAMES: "a.example.com", TTL: "120", RESOLVE_TARGETS_TO_ADDRESSES: "yes"}),
            &["a.example.com"],
        );
        let i = input(&gw, &[]).unwrap().unwrap();
        assert_eq!(i.ttl, Some(120));
        assert_eq!(i.resolve_targets_to_addresses, Some(false));
    }

    #[test]
    fn not_relevant() {
        let hosts = ["a.example.com"];
        let other = v1_gateway(
            json!({DNSNAMES: "a.example.com", CLASS: "other-class"}),
            &hosts,
        );
        assert_eq!(input(&other, &[]), Ok(None));
        let unannotated = v1_gateway(json!({}), &hosts);
        assert_eq!(input(&unannotated, &[]), Ok(None));
    }
}
