use super::{
    SourceConfig, SourceError, SourceInput, check_targets, load_balancer_field, push_unique,
};
use crate::annotations::{
    AWS_IP_ADDRESS_TYPE, CLASS, CommonAnnotations, DNSNAMES, DnsNames, MergedAnnotations,
    OPENSTACK_LOAD_BALANCER_ADDRESS,
};
use crate::api::{LoadBalancerStatus, Service};

/// The input of a Service (docs/sources.md §3.1): `Ok(None)` when it is not relevant (not of type
/// `LoadBalancer`, another class, or no `dnsnames`).
///
/// ```
/// use shoot_dns::annotations::MergedAnnotations;
/// use shoot_dns::api::Service;
/// use shoot_dns::sources::{SourceConfig, service_input};
///
/// let service: Service = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "foo", "namespace": "test",
///                  "annotations": {"dns.gardener.cloud/dnsnames": "foo.example.com"}},
///     "spec": {"type": "LoadBalancer"},
///     "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}
/// }))?;
/// let annotations = MergedAnnotations::new(&service.metadata.annotations, None);
/// let input = service_input(&service, &annotations, &SourceConfig::default())?.unwrap();
/// assert_eq!(input.names, ["foo.example.com"]);
/// assert_eq!(input.targets, ["1.2.3.4"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn service_input(
    service: &Service,
    annotations: &MergedAnnotations<'_>,
    config: &SourceConfig,
) -> Result<Option<SourceInput>, SourceError> {
    if service.spec.service_type.as_deref() != Some("LoadBalancer")
        || !config.source_class.matches(annotations.raw(CLASS))
        || annotations.raw(DNSNAMES).is_none()
    {
        return Ok(None);
    }
    let names = DnsNames::of(annotations)?.unwrap_or_default();
    if names.all {
        return Err(SourceError::WildcardOnService);
    }
    let common = CommonAnnotations::parse(annotations)?;
    let ip_stack = if annotations.get(AWS_IP_ADDRESS_TYPE) == Some("dualstack") {
        Some("dual-stack".to_owned())
    } else {
        common.ip_stack.map(str::to_owned)
    };
    let names = names.listed.iter().map(|n| (*n).to_owned()).collect();
    let targets = checked_service_targets(
        &service.status.load_balancer,
        annotations.get(OPENSTACK_LOAD_BALANCER_ADDRESS),
    )?;
    Ok(Some(SourceInput::new(names, targets, ip_stack, common)))
}

/// [`service_targets`], refusing one that is no target, with the field that holds it (the
/// OpenStack address annotation, or the load balancer status).
pub(crate) fn checked_service_targets(
    status: &LoadBalancerStatus,
    openstack_address: Option<&str>,
) -> Result<Vec<String>, SourceError> {
    let targets = service_targets(status, openstack_address);
    check_targets(targets.iter().map(String::as_str), |value| {
        if openstack_address == Some(value) {
            format!("metadata.annotations[{OPENSTACK_LOAD_BALANCER_ADDRESS}]")
        } else {
            load_balancer_field(status, value)
        }
    })?;
    Ok(targets)
}

/// Targets of a Service's load balancer, per item in order: a host name without an IP (or the
/// OpenStack address that replaces it), else the IP. Duplicates dropped.
pub(crate) fn service_targets(
    status: &LoadBalancerStatus,
    openstack_address: Option<&str>,
) -> Vec<String> {
    let mut targets = Vec::new();
    for item in &status.ingress {
        let ip = item.ip.as_deref().unwrap_or("");
        let hostname = item.hostname.as_deref().unwrap_or("");
        let target = if !hostname.is_empty() && ip.is_empty() {
            openstack_address.unwrap_or(hostname)
        } else {
            ip
        };
        if !target.is_empty() {
            push_unique(&mut targets, target);
        }
    }
    targets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Class;
    use crate::annotations::{IP_STACK, TTL};
    use serde_json::json;

    fn service(annotations: serde_json::Value, ty: &str, ingress: serde_json::Value) -> Service {
        serde_json::from_value(json!({
            "metadata": {"name": "foo", "namespace": "test", "annotations": annotations},
            "spec": {"type": ty},
            "status": {"loadBalancer": {"ingress": ingress}}
        }))
        .unwrap()
    }

    fn input(svc: &Service) -> Result<Option<SourceInput>, SourceError> {
        service_input(
            svc,
            &MergedAnnotations::new(&svc.metadata.annotations, None),
            &SourceConfig::default(),
        )
    }

    #[test]
    fn relevance() {
        // SVC-17
        let names = json!({DNSNAMES: "foo.example.com"});
        assert!(
            input(&service(names.clone(), "LoadBalancer", json!([])))
                .unwrap()
                .is_some()
        );
        assert!(
            input(&service(json!({}), "LoadBalancer", json!([])))
                .unwrap()
                .is_none()
        );
        assert!(
            input(&service(names.clone(), "ClusterIP", json!([])))
                .unwrap()
                .is_none()
        );
        let bar = json!({DNSNAMES: "foo.example.com", CLASS: "bar"});
        assert!(
            input(&service(bar, "LoadBalancer", json!([])))
                .unwrap()
                .is_none()
        );
        let default = json!({DNSNAMES: "foo.example.com", CLASS: "gardendns"});
        assert!(
            input(&service(default, "LoadBalancer", json!([])))
                .unwrap()
                .is_some()
        );
        // SVC-11: a foreign class is simply not ours
        let other = json!({DNSNAMES: "foo.example.com", CLASS: "other-class"});
        assert_eq!(input(&service(other, "LoadBalancer", json!([]))), Ok(None));
    }

    #[test]
    fn class_garden() {
        let svc = service(
            json!({DNSNAMES: "a.example.com", CLASS: "garden"}),
            "LoadBalancer",
            json!([]),
        );
        let config = SourceConfig {
            source_class: "garden".parse::<Class>().unwrap(),
            ..Default::default()
        };
        let merged = MergedAnnotations::new(&svc.metadata.annotations, None);
        assert!(service_input(&svc, &merged, &config).unwrap().is_some());
        assert!(input(&svc).unwrap().is_none());
    }

    #[test]
    fn targets_per_item() {
        let svc = service(
            json!({DNSNAMES: "foo.example.com"}),
            "LoadBalancer",
            json!([{"hostname": "a"}, {"ip": "1.2.3.4"}, {"ip": "5.6.7.8", "hostname": "b"}, {}, {"ip": "1.2.3.4"}]),
        );
        assert_eq!(
            input(&svc).unwrap().unwrap().targets,
            ["a", "1.2.3.4", "5.6.7.8"]
        );
        // EDGE-09: IPv6 verbatim, status order
        let v6 = service(
            json!({DNSNAMES: "f.example.com"}),
            "LoadBalancer",
            json!([{"ip": "2001:db8::1"}, {"ip": "10.0.0.1"}]),
        );
        assert_eq!(
            input(&v6).unwrap().unwrap().targets,
            ["2001:db8::1", "10.0.0.1"]
        );
    }

    #[test]
    fn openstack_address() {
        // SVC-03
        let svc = service(
            json!({DNSNAMES: "foo.example.com", OPENSTACK_LOAD_BALANCER_ADDRESS: "1.2.3.4"}),
            "LoadBalancer",
            json!([{"hostname": "svc.example.com"}, {"ip": "9.9.9.9"}]),
        );
        assert_eq!(
            input(&svc).unwrap().unwrap().targets,
            ["1.2.3.4", "9.9.9.9"]
        );
    }

    #[test]
    fn wildcard_is_an_error() {
        // SVC-09
        for names in ["all", "*", "foo.example.com,*"] {
            let svc = service(json!({DNSNAMES: names}), "LoadBalancer", json!([]));
            assert_eq!(
                input(&svc).unwrap_err().to_string(),
                "domain name annotation value \"*\" or \"all\" is not allowed for service objects"
            );
        }
    }

    #[test]
    fn empty_dnsnames_is_an_error() {
        // SVC-07
        let svc = service(json!({DNSNAMES: ""}), "LoadBalancer", json!([]));
        assert_eq!(
            input(&svc).unwrap_err().to_string(),
            "empty value for annotation \"dns.gardener.cloud/dnsnames\""
        );
    }

    #[test]
    fn ip_stack() {
        // SVC-13, EDGE-11
        for (stack, aws, expected) in [
            (None, Some("dualstack"), Some("dual-stack")),
            (Some("ipv6"), Some("dualstack"), Some("dual-stack")),
            (Some("ipv6"), Some("ipv4"), Some("ipv6")),
            (None, Some("dual-stack"), None),
            (Some("banana"), None, Some("banana")),
        ] {
            let mut a = json!({DNSNAMES: "foo.example.com"});
            if let Some(s) = stack {
                a[IP_STACK] = json!(s);
            }
            if let Some(s) = aws {
                a[AWS_IP_ADDRESS_TYPE] = json!(s);
            }
            let svc = service(a, "LoadBalancer", json!([]));
            assert_eq!(input(&svc).unwrap().unwrap().ip_stack.as_deref(), expected);
        }
    }

    #[test]
    fn wildcard_is_reported_before_other_annotations() {
        let svc = service(
            json!({DNSNAMES: "*", TTL: "abc"}),
            "LoadBalancer",
            json!([]),
        );
        assert_eq!(input(&svc).unwrap_err(), SourceError::WildcardOnService);
    }

    #[test]
    fn annotation_errors_pass_through() {
        // EDGE-01
        let svc = service(
            json!({DNSNAMES: "foo.example.com", TTL: "abc"}),
            "LoadBalancer",
            json!([]),
        );
        assert_eq!(
            input(&svc).unwrap_err().to_string(),
            "invalid TTL: strconv.ParseInt: parsing \"abc\": invalid syntax"
        );
    }
}
