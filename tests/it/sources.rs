//! Sources through the whole plan (docs/sources.md §3.5, §4, and the Gateway API and Istio kinds):
//! DNSEntry replication and the statuses of DNSAnnotations, each checked with `Plan::compute`
//! and with the `Planner` fed the same objects.

use shoot_dns::api::{DnsAnnotation, DnsEntry};
use shoot_dns::config::ManagerConfiguration;
use shoot_dns::plan::Planner;
use shoot_dns::{Config, Plan, World};

fn world(text: &str) -> World {
    let mut world = World::default();
    shoot_dns::manifest::load_str(&mut world, "t.yaml", text).expect("valid manifests");
    assert!(world.problems.is_empty(), "{:?}", world.problems);
    world
}

fn config(yaml: &str) -> Config {
    let configuration: ManagerConfiguration =
        serde_yaml_ng::from_str(yaml).expect("a configuration");
    configuration.resolve().expect("a valid configuration")
}

/// The plan of `world`, after checking that the planner plans the same.
fn plan(world: &World, config: &Config) -> Plan {
    let whole = Plan::compute(world, config);
    let mut planner = Planner::from_world(world, config.clone());
    let incremental = planner.plan();
    assert_eq!(incremental.entries, whole.entries);
    assert_eq!(incremental.annotations, whole.annotations);
    assert_eq!(incremental.changes, whole.changes);
    whole
}

fn entry<'a>(plan: &'a Plan, dns_name: &str, generated: bool) -> &'a DnsEntry {
    plan.entries
        .iter()
        .find(|e| e.spec.dns_name == dns_name && e.metadata.generate_name.is_some() == generated)
        .unwrap_or_else(|| panic!("no entry for {dns_name}: {:#?}", plan.entries))
}

fn annotation<'a>(plan: &'a Plan, name: &str) -> &'a DnsAnnotation {
    plan.annotations
        .iter()
        .find(|a| a.metadata.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no annotation {name}"))
}

const REPLICATION: &str = "
class: garden
controllers:
  source:
    sourceClass: gardendns
    targetNamespace: target-namespace
";

const PROVIDER: &str = "
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSProvider
metadata: {name: local, namespace: target-namespace, annotations: {dns.gardener.cloud/class: garden}}
spec:
  type: local
  providerConfig: {zones: [{dnsName: first.example.com}]}
";

#[test]
fn a_source_dnsentry_is_replicated_and_not_planned_itself() {
    // DE-01 through the plan: the source entry (class gardendns = the source class) gets one
    // target entry of the primary class in the target namespace.
    let w = world(
        "
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata: {name: foo, namespace: test}
spec: {dnsName: foo.example.com, targets: [1.2.3.4, '2001:db8::1']}
",
    );
    let p = plan(&w, &config(REPLICATION));
    let target = entry(&p, "foo.example.com", true);
    assert_eq!(
        target.metadata.namespace.as_deref(),
        Some("target-namespace")
    );
    assert_eq!(
        target.metadata.generate_name.as_deref(),
        Some("foo-dnsentry-")
    );
    assert_eq!(
        target
            .metadata
            .annotation("resources.gardener.cloud/owners"),
        Some("dns.gardener.cloud/DNSEntry/test/foo")
    );
    assert_eq!(
        target.metadata.annotation("dns.gardener.cloud/class"),
        Some("garden")
    );
    // No provider serves it: the target is an Error, and the source shows the same.
    let state = |e: &DnsEntry| e.status.as_ref().and_then(|s| s.state.clone());
    assert_eq!(state(target).as_deref(), Some("Error"));
    let source = entry(&p, "foo.example.com", false);
    assert_eq!(state(source), state(target));
    let reasons: Vec<String> = p
        .events
        .iter()
        .map(|e| format!("{} {}", e.involved_object, e.reason))
        .collect();
    assert_eq!(
        reasons,
        [
            "DNSEntry test/foo DNSEntryCreated",
            "DNSEntry test/foo DNSEntryError"
        ]
    );
}

#[test]
fn the_source_shows_its_targets_status_once_ready() {
    // DE-09: after the target is written, the source entry's status is the target's, with the
    // source's own generation.
    let mut w = world(&format!(
        "{PROVIDER}---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata: {{name: test-entry, namespace: src, generation: 4}}
spec: {{dnsName: test-entry.first.example.com, targets: [1.2.3.4]}}
"
    ));
    let config = config(REPLICATION);
    let first = plan(&w, &config);
    shoot_dns::adapters::backends::memory::apply(&mut w, &config, first);
    let p = plan(&w, &config);
    let status = entry(&p, "test-entry.first.example.com", false)
        .status
        .clone()
        .expect("a mirrored status");
    assert_eq!(status.state.as_deref(), Some("Ready"));
    assert_eq!(status.message.as_deref(), Some("dns entry active"));
    assert_eq!(
        status.dns_name.as_deref(),
        Some("test-entry.first.example.com")
    );
    assert_eq!(status.targets, Some(vec!["1.2.3.4".to_owned()]));
    assert_eq!(status.provider_type.as_deref(), Some("local"));
    assert_eq!(status.observed_generation, Some(4));
}

#[test]
fn a_named_target_is_written_on_its_source() {
    // A cluster dump holds the target with its name: the source gets
    // `dns.gardener.cloud/target-entry`.
    let w = world(&format!(
        "{PROVIDER}---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata: {{name: foo, namespace: test}}
spec: {{dnsName: foo.first.example.com, targets: [1.2.3.4]}}
---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata:
  name: foo-dnsentry-x7k2p
  namespace: target-namespace
  annotations:
    dns.gardener.cloud/class: garden
    resources.gardener.cloud/owners: dns.gardener.cloud/DNSEntry/test/foo
spec: {{dnsName: foo.first.example.com, targets: [1.2.3.4]}}
"
    ));
    let p = plan(&w, &config(REPLICATION));
    assert_eq!(
        p.entries.len(),
        2,
        "the named target is reused, not duplicated"
    );
    let source = entry(&p, "foo.first.example.com", false);
    let source = if source.metadata.name.as_deref() == Some("foo") {
        source
    } else {
        p.entries
            .iter()
            .find(|e| e.metadata.name.as_deref() == Some("foo"))
            .expect("the source")
    };
    assert_eq!(
        source
            .metadata
            .annotation("dns.gardener.cloud/target-entry"),
        Some("target-namespace/foo-dnsentry-x7k2p")
    );
}

#[test]
fn without_a_source_class_of_its_own_nothing_is_replicated() {
    // The command line's single cluster: source class = class, so a DNSEntry is planned as it
    // is.
    let w = world(
        "
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSEntry
metadata: {name: foo, namespace: test, annotations: {dns.gardener.cloud/class: garden}}
spec: {dnsName: foo.example.com, targets: [1.2.3.4]}
",
    );
    let p = plan(&w, &config("class: garden"));
    assert_eq!(p.entries.len(), 1);
    assert!(p.entries[0].metadata.generate_name.is_none());
}

const SERVICE: &str = "
apiVersion: v1
kind: Service
metadata:
  name: foo
  namespace: test
  annotations: {dns.gardener.cloud/dnsnames: own.example.com, dns.gardener.cloud/ttl: '60'}
spec: {type: LoadBalancer}
status: {loadBalancer: {ingress: [{ip: 1.2.3.4}]}}
";

fn dns_annotation(name: &str, created: &str, target: &str, annotations: &str) -> String {
    format!(
        "---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSAnnotation
metadata: {{name: {name}, namespace: test, creationTimestamp: '{created}'}}
spec:
  resourceRef: {target}
  annotations: {annotations}
"
    )
}

#[test]
fn own_annotations_win_over_the_overlay_and_the_overlay_is_active() {
    // DA-05 (the new behaviour) and DA-01's status once the source is reconciled.
    let w = world(&format!(
        "{SERVICE}{}",
        dns_annotation(
            "a1",
            "2024-01-01T00:00:00Z",
            "{apiVersion: v1, kind: Service, namespace: test, name: foo}",
            "{dns.gardener.cloud/dnsnames: injected.example.com, dns.gardener.cloud/ttl: '600', dns.gardener.cloud/cname-lookup-interval: '120'}"
        )
    ));
    let p = plan(&w, &Config::default());
    let e = entry(&p, "own.example.com", true);
    assert_eq!(e.spec.ttl, Some(60));
    assert_eq!(e.spec.cname_lookup_interval, Some(120));
    assert_eq!(p.entries.len(), 1);
    let status = annotation(&p, "a1").status.clone().expect("a status");
    assert!(status.active);
    assert_eq!(status.message, "");
}

#[test]
fn a_second_annotation_for_one_object_conflicts() {
    // DA-03: the older one is in use; the other says which one it conflicts with.
    let target = "{apiVersion: v1, kind: Service, namespace: test, name: foo}";
    let w = world(&format!(
        "{SERVICE}{}{}",
        dns_annotation(
            "annotation2",
            "2024-02-01T00:00:00Z",
            target,
            "{dns.gardener.cloud/ttl: '30'}"
        ),
        dns_annotation(
            "annotation1",
            "2024-01-01T00:00:00Z",
            target,
            "{dns.gardener.cloud/cname-lookup-interval: '99'}"
        ),
    ));
    let p = plan(&w, &Config::default());
    let second = annotation(&p, "annotation2").status.clone().unwrap();
    assert!(!second.active);
    assert_eq!(
        second.message,
        "conflicting DNSAnnotation for the same resource reference: test/annotation1"
    );
    assert!(
        annotation(&p, "annotation1")
            .status
            .as_ref()
            .unwrap()
            .active
    );
    let e = entry(&p, "own.example.com", true);
    assert_eq!(e.spec.cname_lookup_interval, Some(99));
    assert_eq!(e.spec.ttl, Some(60));
}

#[test]
fn an_annotation_of_a_missing_object_or_a_kind_that_is_no_source() {
    let w = world(&format!(
        "{}{}{}",
        dns_annotation(
            "missing",
            "2024-01-01T00:00:00Z",
            "{apiVersion: v1, kind: Service, namespace: test, name: nothing}",
            "{dns.gardener.cloud/dnsnames: a.example.com}"
        ),
        dns_annotation(
            "configmap",
            "2024-01-01T00:00:00Z",
            "{apiVersion: v1, kind: ConfigMap, namespace: test, name: cm}",
            "{dns.gardener.cloud/dnsnames: a.example.com}"
        ),
        dns_annotation(
            "no-namespace",
            "2024-01-01T00:00:00Z",
            "{apiVersion: v1, kind: Service, name: foo}",
            "{dns.gardener.cloud/dnsnames: a.example.com}"
        ),
    ));
    let p = plan(&w, &Config::default());
    let missing = annotation(&p, "missing").status.clone().unwrap();
    assert!(!missing.active);
    assert_eq!(missing.message, "");
    // The namespace of the reference is not defaulted (docs/sources.md §4).
    assert!(
        !annotation(&p, "no-namespace")
            .status
            .as_ref()
            .unwrap()
            .active
    );
    let configmap = annotation(&p, "configmap").status.clone().unwrap();
    assert!(!configmap.active);
    let message = "resourceRef v1 ConfigMap is no source of DNS names: a DNSAnnotation applies to a Service (v1), an Ingress (networking.k8s.io/v1) or a Gateway (gateway.networking.k8s.io, networking.istio.io)";
    assert_eq!(configmap.message, message);
    let events: Vec<String> = p
        .events
        .iter()
        .map(|e| format!("{} {} {}", e.involved_object, e.reason, e.message))
        .collect();
    assert_eq!(
        events,
        [format!("DNSAnnotation test/configmap Invalid {message}")]
    );
}

#[test]
fn a_gateway_api_and_an_istio_gateway_of_one_name_keep_their_entries_apart() {
    // Both give their entries the generateName `web-gateway-`; asking for the same host, each
    // still has an entry of its own, and one of them is refused the name (D13).
    let mut w = world(
        "
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSProvider
metadata: {name: local, namespace: test}
spec:
  type: local
  providerConfig: {zones: [{dnsName: example.com}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: test, annotations: {dns.gardener.cloud/dnsnames: '*'}}
spec: {listeners: [{name: l, hostname: web.example.com}]}
status: {addresses: [{type: IPAddress, value: 192.0.2.1}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: web
  namespace: test
  annotations: {dns.gardener.cloud/dnsnames: '*', dns.gardener.cloud/targets: 192.0.2.2}
spec: {selector: {istio: ingressgateway}, servers: [{hosts: [web.example.com]}]}
",
    );
    let config = Config::default();
    let p = plan(&w, &config);
    assert_eq!(p.entries.len(), 2);
    let ids: std::collections::BTreeSet<shoot_dns::id::EntryId> =
        p.entries.iter().map(shoot_dns::plan::entry_id).collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    // Once an API server names a generated entry, it keeps its id
    // (COMPATIBILITY.md#generated-entry-identity).
    for entry in &p.entries {
        let mut named = entry.clone();
        let prefix = named
            .metadata
            .generate_name
            .clone()
            .expect("a generateName");
        named.metadata.name = Some(format!("{prefix}x7k2p"));
        assert_eq!(
            shoot_dns::plan::entry_id(&named),
            shoot_dns::plan::entry_id(entry)
        );
    }
    let states: Vec<Option<String>> = p
        .entries
        .iter()
        .map(|e| e.status.as_ref().and_then(|s| s.state.clone()))
        .collect();
    assert!(states.contains(&Some("Pending".to_owned())), "{states:?}");
    assert!(states.contains(&Some("Error".to_owned())), "{states:?}");
    // Applied and planned again, each keeps what it had.
    let first = Plan::compute(&w, &config);
    shoot_dns::adapters::backends::memory::apply(&mut w, &config, first);
    let again = plan(&w, &config);
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    assert_eq!(again.entries.len(), 2);
}
