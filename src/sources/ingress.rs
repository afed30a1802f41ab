use super::{
    SourceConfig, SourceError, SourceInput, check_targets, load_balancer_field, push_unique,
    select_names,
};
use crate::annotations::{CLASS, CommonAnnotations, DNSNAMES, DnsNames, MergedAnnotations};
use crate::api::{Ingress, LoadBalancerStatus};

/// The input of an Ingress (docs/sources.md §3.2): `Ok(None)` when it is not relevant (another
/// class or no `dnsnames`).
///
/// The names are the declared rule hosts (in rule order) that `dnsnames` lists or selects with
/// `*`/`all`; a listed name that no rule declares is an error.
///
/// ```
/// use shoot_dns::annotations::MergedAnnotations;
/// use shoot_dns::api::Ingress;
/// use shoot_dns::sources::{SourceConfig, ingress_input};
///
/// let ingress: Ingress = serde_json::from_value(serde_json::json!({
///     "metadata": {"name": "web", "annotations": {"dns.gardener.cloud/dnsnames": "*"}},
///     "spec": {"rules": [{"host": "a.example.com"}, {"host": "b.example.com"}]},
///     "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}, {"ip": "1.1.1.1"}]}}
/// }))?;
/// let annotations = MergedAnnotations::new(&ingress.metadata.annotations, None);
/// let input = ingress_input(&ingress, &annotations, &SourceConfig::default())?.unwrap();
/// assert_eq!(input.names, ["a.example.com", "b.example.com"]);
/// assert_eq!(input.targets, ["1.1.1.1"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn ingress_input(
    ingress: &Ingress,
    annotations: &MergedAnnotations<'_>,
    config: &SourceConfig,
) -> Result<Option<SourceInput>, SourceError> {
    if !config.source_class.matches(annotations.raw(CLASS)) || annotations.raw(DNSNAMES).is_none() {
        return Ok(None);
    }
    let wanted = DnsNames::of(annotations)?.unwrap_or_default();
    let mut declared: Vec<String> = Vec::with_capacity(ingress.spec.rules.len());
    for host in ingress.spec.rules.iter().filter_map(|r| r.host.as_deref()) {
        if !host.is_empty() {
            push_unique(&mut declared, host);
        }
    }
    let names = select_names(&declared, &wanted, "ingress")?;
    let common = CommonAnnotations::parse(annotations)?;
    let targets = checked_ip_first_targets(&ingress.status.load_balancer)?;
    let ip_stack = common.ip_stack.map(str::to_owned);
    Ok(Some(SourceInput::new(names, targets, ip_stack, common)))
}

/// [`ip_first_targets`], refusing one that is no target, with the field that holds it.
pub(crate) fn checked_ip_first_targets(
    status: &LoadBalancerStatus,
) -> Result<Vec<String>, SourceError> {
    let targets = ip_first_targets(status);
    check_targets(targets.iter().map(String::as_str), |value| {
        load_balancer_field(status, value)
    })?;
    Ok(targets)
}

/// Targets of an Ingress's load balancer: all IPs if there is any, else all host names; each
/// list in status order without duplicates.
pub(crate) fn ip_first_targets(status: &LoadBalancerStatus) -> Vec<String> {
    let mut ips = Vec::new();
    let mut hostnames = Vec::new();
    for item in &status.ingress {
        if let Some(ip) = item.ip.as_deref().filter(|s| !s.is_empty()) {
            push_unique(&mut ips, ip);
        }
        if let Some(host) = item.hostname.as_deref().filter(|s| !s.is_empty()) {
            push_unique(&mut hostnames, host);
        }
    }
    if ips.is_empty() { hostnames } else { ips }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotations::{CNAME_LOOKUP_INTERVAL, RESOLVE_TARGETS_TO_ADDRESSES};
    use serde_json::{Value, json};

    const HOSTS: [&str; 3] = ["example.com", "gardener.cloud", "wikipedia.org"];

    fn ingress(annotations: Value, hosts: &[&str], lb: Value) -> Ingress {
        let rules: Vec<Value> = hosts.iter().map(|h| json!({"host": h})).collect();
        serde_json::from_value(json!({
            "metadata": {"name": "test-ingress", "namespace": "test", "annotations": annotations},
            "spec": {"rules": rules},
            "status": {"loadBalancer": {"ingress": lb}}
        }))
        .unwrap()
    }

    fn input(ing: &Ingress) -> Result<Option<SourceInput>, SourceError> {
        ingress_input(
            ing,
            &MergedAnnotations::new(&ing.metadata.annotations, None),
            &SourceConfig::default(),
        )
    }

    #[test]
    fn names() {
        // ING-01, ING-03, ING-05, ING-16
        assert_eq!(input(&ingress(json!({}), &HOSTS, json!([]))), Ok(None));
        for all in ["*", "all"] {
            let i = input(&ingress(json!({DNSNAMES: all}), &HOSTS, json!([])))
                .unwrap()
                .unwrap();
            assert_eq!(i.names, HOSTS);
        }
        let subset = ingress(
            json!({DNSNAMES: "example.com,gardener.cloud"}),
            &HOSTS,
            json!([]),
        );
        assert_eq!(
            input(&subset).unwrap().unwrap().names,
            ["example.com", "gardener.cloud"]
        );
        // rule order wins over annotation order; empty and repeated hosts skipped
        let ordered = ingress(
            json!({DNSNAMES: "b.x, a.x"}),
            &["a.x", "", "b.x", "a.x"],
            json!([]),
        );
        assert_eq!(input(&ordered).unwrap().unwrap().names, ["a.x", "b.x"]);
        // a wildcard host is an ordinary string
        let wild = ingress(
            json!({DNSNAMES: "*.example.com"}),
            &["*.example.com"],
            json!([]),
        );
        assert_eq!(input(&wild).unwrap().unwrap().names, ["*.example.com"]);
    }

    #[test]
    fn undeclared_names() {
        // EDGE-07
        let ing = ingress(
            json!({DNSNAMES: "c.example.com,*,d.example.com"}),
            &["a.example.com", "b.example.com"],
            json!([]),
        );
        assert_eq!(
            input(&ing).unwrap_err().to_string(),
            "annotated dns names c.example.com, d.example.com not declared by ingress"
        );
    }

    #[test]
    fn other_class_is_ignored() {
        // ING-18
        let ing = ingress(
            json!({DNSNAMES: "example.com", CLASS: "other-class"}),
            &HOSTS,
            json!([]),
        );
        assert_eq!(input(&ing), Ok(None));
    }

    #[test]
    fn copied_annotations() {
        // ING-07, ING-20
        let ing = ingress(
            json!({DNSNAMES: "example.com", RESOLVE_TARGETS_TO_ADDRESSES: "true", CNAME_LOOKUP_INTERVAL: "456"}),
            &HOSTS,
            json!([{"hostname": "example.com"}, {"ip": "1.1.1.1"}]),
        );
        let i = input(&ing).unwrap().unwrap();
        assert_eq!(i.names, ["example.com"]);
        assert_eq!(i.targets, ["1.1.1.1"]);
        assert_eq!(i.resolve_targets_to_addresses, Some(true));
        assert_eq!(i.cname_lookup_interval, Some(456));
    }

    #[test]
    fn targets() {
        // ING-09, ING-11, ING-13
        let lb = |v: Value| {
            let status: LoadBalancerStatus = serde_json::from_value(json!({"ingress": v})).unwrap();
            ip_first_targets(&status)
        };
        assert_eq!(
            lb(json!([{"hostname": "https://example.org"}])),
            ["https://example.org"]
        );
        assert_eq!(
            lb(json!([{"ip": "1.1.1.1"}, {"ip": "1.0.0.1"}, {"ip": "1.1.1.1"}])),
            ["1.1.1.1", "1.0.0.1"]
        );
        assert!(lb(json!([])).is_empty());
        assert_eq!(
            lb(json!([{"ip": "1.2.3.4"}, {"ip": "5.6.7.8"}])),
            ["1.2.3.4", "5.6.7.8"]
        );
        assert_eq!(
            lb(json!([{"hostname": "lb.example.com"}])),
            ["lb.example.com"]
        );
        assert_eq!(
            lb(json!([{"ip": "1.2.3.4", "hostname": "lb.example.com"}])),
            ["1.2.3.4"]
        );
        assert_eq!(
            lb(json!([{"hostname": "lb.example.com"}, {"hostname": "lb.example.com"}])),
            ["lb.example.com"]
        );
        assert_eq!(
            lb(json!([{"hostname": "example.com"}, {"ip": "1.1.1.1"}])),
            ["1.1.1.1"]
        );
    }
}
