use super::ingress::checked_ip_first_targets;
use super::service::checked_service_targets;
use super::{
    SourceConfig, SourceError, SourceInput, add_route_host, check_targets, push_unique,
    select_names,
};
use crate::annotations::{
    CLASS, CommonAnnotations, DNSNAMES, DnsNames, INGRESS, MergedAnnotations,
    OPENSTACK_LOAD_BALANCER_ADDRESS, TARGETS, parse_ingress_ref, parse_targets,
};
use crate::api::{Ingress, IstioGateway, Service, VirtualService};

/// Where a Gateway declares its hosts, as the "not declared" error names it.
const DECLARED_BY: &str = "gateway.spec.servers[].hosts[]";

/// The objects besides the Gateway that its targets may come from (docs/sources.md §3.4): the
/// Ingress that `dns.gardener.cloud/ingress` names, or the Services that `spec.selector`
/// picks. Plain slices, so that [`istio_input`] stays a pure function of what it is given.
#[derive(Debug, Clone, Copy, Default)]
pub struct IstioObjects<'a> {
    /// The Ingresses of the cluster, in any order.
    pub ingresses: &'a [&'a Ingress],
    /// The Services of the cluster (all namespaces), sorted by namespace, then name: the
    /// targets of several selected Services follow this order (COMPATIBILITY.md#d8).
    pub services: &'a [&'a Service],
}

impl<'a> IstioObjects<'a> {
    /// The Ingress `namespace/name`, if there is one.
    pub fn ingress(&self, namespace: &str, name: &str) -> Option<&'a Ingress> {
        self.ingresses.iter().copied().find(|i| {
            i.metadata.namespace_or_default() == namespace && i.metadata.name_or_empty() == name
        })
    }
}

/// The Gateways a VirtualService's `spec.gateways` names, as `(namespace, name)`: `name` is in
/// the VirtualService's namespace, `namespace/name` is taken as is, and an entry with more than
/// one `/` names nothing. `mesh` is a name like any other. In order, without duplicates.
///
/// ```
/// use shoot_dns::api::VirtualService;
/// use shoot_dns::sources::virtual_service_gateways;
///
/// let vs: VirtualService = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "vs", "namespace": "test"},
///     "spec": {"gateways": ["istio-system/g1", "g2", "a/b/c", "g2"]}
/// }))?;
/// assert_eq!(
///     virtual_service_gateways(&vs),
///     [("istio-system".to_owned(), "g1".to_owned()), ("test".to_owned(), "g2".to_owned())]
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn virtual_service_gateways(vs: &VirtualService) -> Vec<(String, String)> {
    let own = vs.metadata.namespace_or_default();
    let mut keys: Vec<(String, String)> = Vec::with_capacity(vs.spec.gateways.len());
    for entry in &vs.spec.gateways {
        let mut parts = entry.split('/');
        let (namespace, name) = match (parts.next(), parts.next(), parts.next()) {
            (Some(name), None, None) => (own, name),
            (Some(namespace), Some(name), None) => (namespace, name),
            _ => continue,
        };
        if !keys.iter().any(|(ns, n)| ns == namespace && n == name) {
            keys.push((namespace.to_owned(), name.to_owned()));
        }
    }
    keys
}

/// The input of an Istio Gateway (docs/sources.md §3.4): `Ok(None)` when it is not relevant
/// (another class or no `dnsnames`), or when no rule supplies targets (no targets or ingress
/// annotation and an empty `spec.selector`), which removes the Gateway's entries.
///
/// `virtual_services` are the VirtualServices of the Gateway's API version that reference it
/// (see [`virtual_service_gateways`]), sorted by namespace, then name.
///
/// Declared hosts (COMPATIBILITY.md#d4, #d8): the `spec.servers[].hosts[]` in order, then the hosts
/// of the VirtualServices unless equal to or covered at one label by an earlier `*.X` host. A host
/// `namespace/host`, `./host` or `*/host` declares `host`; `*` (with or without a namespace)
/// declares nothing. The names are the declared hosts `dnsnames` lists or selects with
/// `*`/`all`; a listed name no host declares is an error. Without names the input has none,
/// and reconciling it removes the entries.
///
/// Targets, by the first rule that applies:
/// 1. `dns.gardener.cloud/targets`, split on commas, trimmed, empty items and duplicates
///    dropped (COMPATIBILITY.md#d5);
/// 2. `dns.gardener.cloud/ingress` (`name` in the Gateway's namespace, or `namespace/name`):
///    that Ingress's load balancer, IPs first (§3.2);
/// 3. the Services of type `LoadBalancer`, in any namespace, whose labels include all of
///    `spec.selector`: each one's load balancer by the Service rule (§3.1) with its own
///    OpenStack address annotation, concatenated without duplicates.
///
/// `dns.gardener.cloud/ip-stack` is not honoured.
///
/// ```
/// use shoot_dns::annotations::MergedAnnotations;
/// use shoot_dns::api::{IstioGateway, Service, VirtualService};
/// use shoot_dns::sources::{IstioObjects, SourceConfig, istio_input};
///
/// let gateway: IstioGateway = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "g1", "namespace": "istio-system",
///                  "annotations": {"dns.gardener.cloud/dnsnames": "*"}},
///     "spec": {"selector": {"istio": "ingressgateway"},
///              "servers": [{"hosts": ["bookinfo/*.example.com", "*"]}]}
/// }))?;
/// let vs: VirtualService = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "reviews", "namespace": "bookinfo"},
///     "spec": {"gateways": ["istio-system/g1"],
///              "hosts": ["reviews.example.com", "shop.example.org"]}
/// }))?;
/// let service: Service = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "istio-ingressgateway", "namespace": "istio-system",
///                  "labels": {"istio": "ingressgateway"}},
///     "spec": {"type": "LoadBalancer"},
///     "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}
/// }))?;
/// let objects = IstioObjects { ingresses: &[], services: &[&service] };
/// let annotations = MergedAnnotations::new(&gateway.metadata.annotations, None);
/// let input = istio_input(&gateway, &[&vs], objects, &annotations, &SourceConfig::default())?
///     .unwrap();
/// assert_eq!(input.names, ["*.example.com", "shop.example.org"]);
/// assert_eq!(input.targets, ["203.0.113.10"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn istio_input(
    gateway: &IstioGateway,
    virtual_services: &[&VirtualService],
    objects: IstioObjects<'_>,
    annotations: &MergedAnnotations<'_>,
    config: &SourceConfig,
) -> Result<Option<SourceInput>, SourceError> {
    if !config.source_class.matches(annotations.raw(CLASS)) || annotations.raw(DNSNAMES).is_none() {
        return Ok(None);
    }
    let wanted = DnsNames::of(annotations)?.unwrap_or_default();
    let mut declared: Vec<String> = Vec::new();
    for server in &gateway.spec.servers {
        for host in server.hosts.iter().filter_map(|h| declared_host(h)) {
            push_unique(&mut declared, host);
        }
    }
    for vs in virtual_services {
        for host in vs.spec.hosts.iter().filter_map(|h| declared_host(h)) {
            add_route_host(&mut declared, host);
        }
    }
    let names = select_names(&declared, &wanted, DECLARED_BY)?;
    let common = CommonAnnotations::parse(annotations)?;
    if names.is_empty() {
        return Ok(Some(SourceInput::new(names, Vec::new(), None, common)));
    }
    let Some(targets) = gateway_targets(gateway, objects, annotations)? else {
        return Ok(None);
    };
    Ok(Some(SourceInput::new(names, targets, None, common)))
}

/// The name a Gateway server host or a VirtualService host declares (COMPATIBILITY.md#d4): the part
/// after a `namespace/`, `./` or `*/` prefix; nothing for `*`, an empty host, or a value with
/// more than one `/`.
fn declared_host(value: &str) -> Option<&str> {
    let host = match value.split_once('/') {
        None => value,
        Some((_, host)) if !host.contains('/') => host,
        Some(_) => return None,
    };
    (!host.is_empty() && host != "*").then_some(host)
}

/// The targets of a Gateway by the first rule that applies; `None` when the Gateway has neither
/// annotation and an empty selector.
fn gateway_targets(
    gateway: &IstioGateway,
    objects: IstioObjects<'_>,
    annotations: &MergedAnnotations<'_>,
) -> Result<Option<Vec<String>>, SourceError> {
    if let Some(value) = annotations.get(TARGETS) {
        let targets = parse_targets(value);
        check_targets(targets.iter().copied(), |_| {
            format!("metadata.annotations[{TARGETS}]")
        })?;
        return Ok(Some(targets.into_iter().map(str::to_owned).collect()));
    }
    if let Some(value) = annotations.get(INGRESS) {
        let (namespace, name) = parse_ingress_ref(value, gateway.metadata.namespace_or_default())
            .map_err(|_| SourceError::IngressAnnotation(value.to_owned()))?;
        let ingress =
            objects
                .ingress(namespace, name)
                .ok_or_else(|| SourceError::IngressNotFound {
                    name: name.to_owned(),
                })?;
        let targets = checked_ip_first_targets(&ingress.status.load_balancer).map_err(|e| {
            e.within(&format!(
                "Ingress {}/{name}",
                ingress.metadata.namespace_or_default()
            ))
        })?;
        return Ok(Some(targets));
    }
    let selector = &gateway.spec.selector;
    if selector.is_empty() {
        return Ok(None);
    }
    let mut targets = Vec::new();
    let selected = objects.services.iter().filter(|s| {
        s.spec.service_type.as_deref() == Some("LoadBalancer")
            && selector
                .iter()
                .all(|(k, v)| s.metadata.labels.get(k) == Some(v))
    });
    for service in selected {
        let address = service
            .metadata
            .annotation(OPENSTACK_LOAD_BALANCER_ADDRESS)
            .filter(|a| !a.is_empty());
        let found =
            checked_service_targets(&service.status.load_balancer, address).map_err(|e| {
                let meta = &service.metadata;
                e.within(&format!(
                    "Service {}/{}",
                    meta.namespace_or_default(),
                    meta.name_or_empty()
                ))
            })?;
        for target in found {
            push_unique(&mut targets, &target);
        }
    }
    Ok(Some(targets))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Class;
    use crate::annotations::{IP_STACK, TTL};
    use serde_json::{Value, json};

    const A: &[&str] = &["a.example.com"];

    fn gateway(annotations: Value, selector: Value, hosts: &[&str]) -> IstioGateway {
        serde_json::from_value(json!({
            "apiVersion": "networking.istio.io/v1",
            "kind": "Gateway",
            "metadata": {"name": "g1", "namespace": "test", "annotations": annotations},
            "spec": {"selector": selector, "servers": [{"hosts": hosts}]}
        }))
        .unwrap()
    }

    /// A Gateway with fixed targets and no selector: only its names matter.
    fn named(dnsnames: &str, hosts: &[&str]) -> IstioGateway {
        gateway(
            json!({DNSNAMES: dnsnames, TARGETS: "1.2.3.4"}),
            json!({}),
            hosts,
        )
    }

    fn virtual_service(namespace: &str, gateways: &[&str], hosts: &[&str]) -> VirtualService {
        serde_json::from_value(json!({
            "metadata": {"name": "vs", "namespace": namespace},
            "spec": {"gateways": gateways, "hosts": hosts}
        }))
        .unwrap()
    }

    /// A Service of type LoadBalancer named `gw`.
    fn service(namespace: &str, labels: Value, lb: Value) -> Service {
        serde_json::from_value(json!({
            "metadata": {"name": "gw", "namespace": namespace, "labels": labels},
            "spec": {"type": "LoadBalancer"},
            "status": {"loadBalancer": {"ingress": lb}}
        }))
        .unwrap()
    }

    fn ingress(namespace: &str, lb: Value) -> Ingress {
        serde_json::from_value(json!({
            "metadata": {"name": "bar", "namespace": namespace},
            "status": {"loadBalancer": {"ingress": lb}}
        }))
        .unwrap()
    }

    fn services<'a>(services: &'a [&'a Service]) -> IstioObjects<'a> {
        IstioObjects {
            ingresses: &[],
            services,
        }
    }

    fn with(
        gw: &IstioGateway,
        vss: &[&VirtualService],
        objects: IstioObjects<'_>,
    ) -> Result<Option<SourceInput>, SourceError> {
        let merged = MergedAnnotations::new(&gw.metadata.annotations, None);
        istio_input(gw, vss, objects, &merged, &SourceConfig::default())
    }

    fn input(gw: &IstioGateway) -> Result<Option<SourceInput>, SourceError> {
        with(gw, &[], IstioObjects::default())
    }

    fn names(gw: &IstioGateway, vss: &[&VirtualService]) -> Vec<String> {
        with(gw, vss, IstioObjects::default())
            .unwrap()
            .unwrap()
            .names
    }

    fn targets(value: &str) -> Vec<String> {
        let gw = gateway(json!({DNSNAMES: "*", TARGETS: value}), json!({}), A);
        input(&gw).unwrap().unwrap().targets
    }

    /// The VirtualServices among `all` that reference `gw`, as the caller passes them.
    fn referencing<'a>(gw: &IstioGateway, all: &'a [VirtualService]) -> Vec<&'a VirtualService> {
        let key = ("test".to_owned(), gw.metadata.name_or_empty().to_owned());
        let refers = |vs: &&VirtualService| virtual_service_gateways(vs).contains(&key);
        all.iter().filter(refers).collect()
    }

    #[test]
    fn relevance() {
        // IST-01
        assert_eq!(input(&gateway(json!({}), json!({}), A)), Ok(None));
        assert_eq!(names(&named("a.example.com", A), &[]), A);
        let relevant = |class: &str, source_class: &str| {
            let a = json!({DNSNAMES: "a.example.com", TARGETS: "1.2.3.4", CLASS: class});
            let gw = gateway(a, json!({}), A);
            let config = SourceConfig {
                source_class: source_class.parse::<Class>().unwrap(),
                ..Default::default()
            };
            let merged = MergedAnnotations::new(&gw.metadata.annotations, None);
            let input = istio_input(&gw, &[], IstioObjects::default(), &merged, &config);
            input.unwrap().is_some()
        };
        assert!(!relevant("default-class", "other-class"));
        assert!(relevant("my-class", "my-class"));
    }

    #[test]
    fn gateway_references() {
        // IST-03
        let keys = |gateways: &[&str]| -> Vec<String> {
            let vs = virtual_service("default", gateways, &[]);
            let keys = virtual_service_gateways(&vs).into_iter();
            keys.map(|(ns, name)| format!("{ns}/{name}")).collect()
        };
        assert!(keys(&[]).is_empty());
        assert_eq!(
            keys(&["my-namespace/my-gateway"]),
            ["my-namespace/my-gateway"]
        );
        assert_eq!(keys(&["my-gateway"]), ["default/my-gateway"]);
        assert!(keys(&["too/many/parts"]).is_empty());
        assert_eq!(
            keys(&["my-namespace/my-gateway", "my-gateway", "too/many/parts"]),
            ["my-namespace/my-gateway", "default/my-gateway"]
        );
        assert_eq!(
            keys(&["mesh", "default/my-gateway", "my-gateway"]),
            ["default/mesh", "default/my-gateway"]
        );
    }

    #[test]
    fn targets_annotation() {
        // IST-05: the annotation wins over the selector
        let selector = json!({"app": "istio-ingressgateway", "name": "service1"});
        let a = json!({DNSNAMES: "*", TARGETS: "10.0.0.10,10.0.0.11"});
        let gw = gateway(a, selector.clone(), A);
        let svc = service("test", selector, json!([{"ip": "9.9.9.9"}]));
        let i = with(&gw, &[], services(&[&svc])).unwrap().unwrap();
        assert_eq!(i.names, A);
        assert_eq!(i.targets, ["10.0.0.10", "10.0.0.11"]);
        // IST-15: COMPATIBILITY.md#d5 trims each item (Gardener keeps " 5.6.7.8", an invalid
        // target)
        assert_eq!(targets("1.2.3.4, 5.6.7.8"), ["1.2.3.4", "5.6.7.8"]);
        // D5: empty items dropped, duplicates too
        assert_eq!(targets("a,,b"), ["a", "b"]);
        assert_eq!(targets("a, b ,a"), ["a", "b"]);
    }

    #[test]
    fn ingress_annotation() {
        // IST-07
        let gw = |value: &str| gateway(json!({DNSNAMES: "*", INGRESS: value}), json!({}), A);
        let own = ingress(
            "test",
            json!([{"hostname": "lb.example.com"}, {"ip": "1.1.1.1"}]),
        );
        let other = ingress("other", json!([{"hostname": "lb.example.com"}]));
        let objects = IstioObjects {
            ingresses: &[&other, &own],
            services: &[],
        };
        let result = |value: &str| with(&gw(value), &[], objects);
        assert_eq!(
            result("a/b/c").unwrap_err().to_string(),
            "invalid annotation dns.gardener.cloud/ingress: a/b/c"
        );
        assert_eq!(
            result("missing").unwrap_err().to_string(),
            "ingresses.networking.k8s.io \"missing\" not found"
        );
        // `name` is in the Gateway's namespace; the Ingress rule prefers IPs
        assert_eq!(result("bar").unwrap().unwrap().targets, ["1.1.1.1"]);
        assert_eq!(
            result("other/bar").unwrap().unwrap().targets,
            ["lb.example.com"]
        );
    }

    #[test]
    fn selector_matching_nothing() {
        // IST-09: an entry without targets
        let selector = json!({"istio": "ingressgateway"});
        let gw = gateway(json!({DNSNAMES: "*"}), selector.clone(), A);
        let i = input(&gw).unwrap().unwrap();
        assert_eq!(i.names, A);
        assert!(i.targets.is_empty());
        // a matching Service that is no load balancer contributes nothing either
        let mut svc = service("test", selector, json!([{"ip": "1.2.3.4"}]));
        svc.spec.service_type = Some("ClusterIP".to_owned());
        let i = with(&gw, &[], services(&[&svc])).unwrap().unwrap();
        assert!(i.targets.is_empty());
    }

    /// A target taken from another object that is no target names the field and the object
    /// that holds it.
    #[test]
    fn a_borrowed_target_that_is_none_names_its_object() {
        let selector = json!({"istio": "ingressgateway"});
        let gw = gateway(json!({DNSNAMES: "*"}), selector.clone(), A);
        let svc = service(
            "test",
            selector,
            json!([{"ip": "1.2.3.4"}, {"ip": "999.1.1.1"}]),
        );
        let error = with(&gw, &[], services(&[&svc])).unwrap_err().to_string();
        assert!(
            error.starts_with(
                "status.loadBalancer.ingress[1].ip of Service test/gw: \"999.1.1.1\" is neither"
            ),
            "{error}"
        );
        let gw = gateway(json!({DNSNAMES: "*", INGRESS: "bar"}), json!({}), A);
        let ing = ingress("test", json!([{"hostname": "lb.1.2"}]));
        let objects = IstioObjects {
            ingresses: &[&ing],
            services: &[],
        };
        let error = with(&gw, &[], objects).unwrap_err().to_string();
        assert!(
            error.starts_with(
                "status.loadBalancer.ingress[0].hostname of Ingress test/bar: \"lb.1.2\""
            ),
            "{error}"
        );
    }

    #[test]
    fn empty_selector_is_nothing() {
        let gw = gateway(json!({DNSNAMES: "*"}), json!({}), A);
        assert_eq!(input(&gw), Ok(None));
        let null: IstioGateway = serde_json::from_value(json!({
            "metadata": {"annotations": {DNSNAMES: "*"}},
            "spec": {"servers": [{"hosts": A}]}
        }))
        .unwrap();
        assert_eq!(input(&null), Ok(None));
    }

    #[test]
    fn virtual_service_hosts() {
        // IST-11: route hosts covered by the server's wildcard add nothing; g2's route is not ours
        let selector = json!({"app": "istio-ingressgateway", "name": "service2"});
        let gw = gateway(json!({DNSNAMES: "*"}), selector.clone(), &["*.example.com"]);
        let all = [
            virtual_service(
                "test",
                &["test/g1"],
                &["foo.example.com", "bar.example.com"],
            ),
            virtual_service("test", &["test/g2"], &["bla.example.com"]),
        ];
        let svc = service("test", selector, json!([{"hostname": "lb-example.com"}]));
        let i = with(&gw, &referencing(&gw, &all), services(&[&svc]));
        let i = i.unwrap().unwrap();
        assert_eq!(i.names, ["*.example.com"]);
        assert_eq!(i.targets, ["lb-example.com"]);
    }

    #[test]
    fn wildcard_server_host_is_skipped() {
        // IST-13: COMPATIBILITY.md#d4 decides against the spec's new behaviour (the raw `*` as a
        // name) and for the documented one: a bare `*` host declares nothing.
        let gw = named("*", &["*"]);
        let all = [virtual_service(
            "test",
            &["test/g1"],
            &["foo.example.com", "bar.example.com"],
        )];
        let names = names(&gw, &referencing(&gw, &all));
        assert_eq!(names, ["foo.example.com", "bar.example.com"]);
    }

    #[test]
    fn namespaced_hosts() {
        // COMPATIBILITY.md#d4: the namespace part is dropped; `*`, empty and malformed hosts
        // declare nothing
        let hosts = [
            "bookinfo/a.example.com",
            "./b.example.com",
            "*/c.example.com",
            "ns/*",
            "./*",
            "",
            "x/y/z",
            "a.example.com",
        ];
        let vs = virtual_service("test", &["g1"], &["other/d.example.com", "*"]);
        let names = names(&named("all", &hosts), &[&vs]);
        let expected = ["a", "b", "c", "d"].map(|l| format!("{l}.example.com"));
        assert_eq!(names, expected);
    }

    #[test]
    fn deterministic_order() {
        // COMPATIBILITY.md#d8: server hosts in order, then route hosts in the order given
        let gw = named("*", &["z.example.com", "a.example.com", "z.example.com"]);
        let first = virtual_service("a", &["test/g1"], &["m.example.com", "a.example.com"]);
        let second = virtual_service("b", &["test/g1"], &["b.example.com"]);
        let expected = ["z", "a", "m", "b"].map(|l| format!("{l}.example.com"));
        assert_eq!(names(&gw, &[&first, &second]), expected);
        // a listed subset keeps the declared order, not the annotation's
        let subset = named(
            "a.example.com, z.example.com",
            &["z.example.com", "a.example.com"],
        );
        assert_eq!(names(&subset, &[]), ["z.example.com", "a.example.com"]);
    }

    #[test]
    fn services_in_given_order() {
        // COMPATIBILITY.md#d8; each Service's own OpenStack annotation replaces its host names
        let gw = gateway(
            json!({DNSNAMES: "*"}),
            json!({"istio": "ingressgateway"}),
            A,
        );
        let labels = json!({"istio": "ingressgateway", "extra": "x"});
        let lb = json!([{"hostname": "lb.example.com"}, {"ip": "1.1.1.1"}]);
        let mut first = service("a", labels.clone(), lb.clone());
        let address = (
            OPENSTACK_LOAD_BALANCER_ADDRESS.to_owned(),
            "10.0.0.1".to_owned(),
        );
        first.metadata.annotations.extend([address]);
        let second = service("b", labels, lb);
        let partial = service("c", json!({"istio": "other"}), json!([{"ip": "7.7.7.7"}]));
        let i = with(&gw, &[], services(&[&first, &second, &partial]));
        let targets = i.unwrap().unwrap().targets;
        assert_eq!(targets, ["10.0.0.1", "1.1.1.1", "lb.example.com"]);
    }

    #[test]
    fn names_and_annotations() {
        assert_eq!(
            input(&named("c.example.com,*", A)).unwrap_err().to_string(),
            "annotated dns names c.example.com not declared by gateway.spec.servers[].hosts[]"
        );
        // no names: an input without names, whose reconcile removes the entries
        let none = gateway(json!({DNSNAMES: ",", INGRESS: "missing"}), json!({}), A);
        assert_eq!(input(&none).unwrap().unwrap(), SourceInput::default());
        // ip-stack is not honoured; the common annotations are
        let a = json!({DNSNAMES: "*", TARGETS: "1.2.3.4", IP_STACK: "dual-stack", TTL: "600"});
        let i = input(&gateway(a, json!({}), A)).unwrap().unwrap();
        assert_eq!((i.ip_stack, i.ttl), (None, Some(600)));
        let bad = gateway(json!({DNSNAMES: "*", TTL: "abc"}), json!({}), A);
        assert_eq!(
            input(&bad).unwrap_err().to_string(),
            "invalid TTL: strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
    }
}
