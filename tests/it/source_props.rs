//! Property tests over every source kind at once (Services, Ingresses, Gateway API Gateways and
//! HTTPRoutes, Istio Gateways and VirtualServices, DNSAnnotations, DNSEntries, with and without
//! DNSEntry replication):
//!
//! - the plan (entries, events, everything) does not depend on the order of the objects;
//! - the `Planner`, fed the objects one at a time in any order, plans what `Plan::compute`
//!   plans.

use proptest::prelude::*;
use serde_json::{Value, json};
use shoot_dns::config::ManagerConfiguration;
use shoot_dns::plan::Planner;
use shoot_dns::{Config, Plan, World};

use crate::plan_props::permuted;

const CASES: u32 = 64;

const HOSTS: &[&str] = &[
    "a.example.com",
    "b.example.com",
    "*.example.com",
    "c.sub.example.com",
    "d.example.org",
];

fn hosts(max: usize) -> impl Strategy<Value = Vec<String>> {
    prop::sample::subsequence(HOSTS, 0..=max)
        .prop_map(|v| v.into_iter().map(String::from).collect())
}

/// `dnsnames`: every host, or some of the hosts (maybe undeclared ones).
fn dnsnames() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => Just("*".to_owned()),
        1 => hosts(2).prop_map(|h| if h.is_empty() { "all".to_owned() } else { h.join(",") }),
    ]
}

fn ns() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["test", "other"][..])
}

fn annotations(names: Option<String>, extra: Option<(&'static str, String)>) -> Value {
    let mut map = serde_json::Map::new();
    if let Some(names) = names {
        map.insert("dns.gardener.cloud/dnsnames".into(), json!(names));
    }
    if let Some((key, value)) = extra {
        map.insert(key.into(), json!(value));
    }
    Value::Object(map)
}

fn service(i: usize) -> impl Strategy<Value = Value> {
    (ns(), prop::option::of(dnsnames()), any::<bool>(), 0..3u8).prop_map(move |(ns, names, lb, app)| {
        let names = names.map(|n| if n == "*" { "a.example.com".to_owned() } else { n });
        json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": format!("s{i}"), "namespace": ns, "labels": {"app": format!("app{app}")},
                "annotations": annotations(names, None)},
            "spec": {"type": if lb { "LoadBalancer" } else { "ClusterIP" }},
            "status": {"loadBalancer": {"ingress": [{"ip": format!("10.0.1.{i}")}]}},
        })
    })
}

fn ingress(i: usize) -> impl Strategy<Value = Value> {
    (ns(), dnsnames(), hosts(3)).prop_map(move |(ns, names, hosts)| {
        let rules: Vec<Value> = hosts.iter().map(|h| json!({"host": h})).collect();
        json!({
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": format!("i{i}"), "namespace": ns, "annotations": annotations(Some(names), None)},
            "spec": {"rules": rules},
            "status": {"loadBalancer": {"ingress": [{"hostname": format!("lb{i}.example.net")}]}},
        })
    })
}

fn gateway_version() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &[
            "gateway.networking.k8s.io/v1",
            "gateway.networking.k8s.io/v1beta1",
        ][..],
    )
}

fn gateway(i: usize) -> impl Strategy<Value = Value> {
    (gateway_version(), dnsnames(), hosts(2), prop::option::of(0..3u8)).prop_map(
        move |(version, names, hosts, address)| {
            let listeners: Vec<Value> = hosts.iter().map(|h| json!({"name": "l", "hostname": h})).collect();
            let addresses: Vec<Value> = address
                .map(|t| {
                    let kind = ["IPAddress", "Hostname", "NamedAddress"][usize::from(t)];
                    vec![json!({"type": kind, "value": format!("10.0.2.{i}")})]
                })
                .unwrap_or_default();
            json!({
                "apiVersion": version, "kind": "Gateway",
                "metadata": {"name": format!("g{i}"), "namespace": "test", "annotations": annotations(Some(names), None)},
                "spec": {"listeners": listeners},
                "status": {"addresses": addresses},
            })
        },
    )
}

fn route(i: usize) -> impl Strategy<Value = Value> {
    (gateway_version(), 0..3usize, hosts(2), ns()).prop_map(move |(version, parent, hosts, ns)| {
        json!({
            "apiVersion": version, "kind": "HTTPRoute",
            "metadata": {"name": format!("r{i}"), "namespace": ns},
            "spec": {"parentRefs": [{"name": format!("g{parent}"), "namespace": "test"}], "hostnames": hosts},
        })
    })
}

fn istio_version() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["networking.istio.io/v1", "networking.istio.io/v1alpha3"][..])
}

fn istio_gateway(i: usize) -> impl Strategy<Value = Value> {
    (istio_version(), dnsnames(), hosts(2), 0..4u8).prop_map(move |(version, names, hosts, target)| {
        let mut hosts: Vec<String> = hosts;
        if i % 2 == 1 {
            hosts.push("*".to_owned());
            hosts = hosts.into_iter().map(|h| if h == "b.example.com" { "test/b.example.com".into() } else { h }).collect();
        }
        let extra = match target {
            0 => Some(("dns.gardener.cloud/targets", format!("10.0.3.{i}, 10.0.4.{i}"))),
            1 => Some(("dns.gardener.cloud/ingress", "other/i0".to_owned())),
            _ => None,
        };
        let selector = if target == 3 { json!({}) } else { json!({"app": format!("app{}", i % 3)}) };
        json!({
            "apiVersion": version, "kind": "Gateway",
            "metadata": {"name": format!("x{i}"), "namespace": "test", "annotations": annotations(Some(names), extra)},
            "spec": {"selector": selector, "servers": [{"hosts": hosts}]},
        })
    })
}

fn virtual_service(i: usize) -> impl Strategy<Value = Value> {
    (istio_version(), 0..3usize, hosts(2), any::<bool>()).prop_map(
        move |(version, g, hosts, qualified)| {
            let gateway = if qualified {
                format!("test/x{g}")
            } else {
                format!("x{g}")
            };
            json!({
                "apiVersion": version, "kind": "VirtualService",
                "metadata": {"name": format!("v{i}"), "namespace": "test"},
                "spec": {"gateways": [gateway, "a/b/c"], "hosts": hosts},
            })
        },
    )
}

fn dns_annotation(i: usize) -> impl Strategy<Value = Value> {
    (0..3usize, any::<bool>(), 0..3u32).prop_map(move |(target, ingress, day)| {
        let (api, kind, name) = if ingress {
            ("networking.k8s.io/v1", "Ingress", format!("i{target}"))
        } else {
            ("v1", "Service", format!("s{target}"))
        };
        json!({
            "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSAnnotation",
            "metadata": {"name": format!("n{i}"), "namespace": "test", "creationTimestamp": format!("2024-01-0{}T00:00:00Z", day + 1)},
            "spec": {"resourceRef": {"apiVersion": api, "kind": kind, "name": name, "namespace": "test"},
                "annotations": {"dns.gardener.cloud/dnsnames": "c.sub.example.com", "dns.gardener.cloud/ttl": format!("{}", 60 + i)}},
        })
    })
}

fn dns_entry(i: usize) -> impl Strategy<Value = Value> {
    (prop::sample::select(HOSTS), ns()).prop_map(move |(host, ns)| {
        json!({
            "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSEntry",
            "metadata": {"name": format!("e{i}"), "namespace": ns},
            "spec": {"dnsName": host, "targets": [format!("10.0.5.{i}")]},
        })
    })
}

fn some<S: Strategy<Value = Value>>(
    max: usize,
    make: fn(usize) -> S,
) -> impl Strategy<Value = Vec<Value>> {
    (0..=max).prop_flat_map(move |n| (0..n).map(make).collect::<Vec<_>>())
}

/// Objects of every kind, and a `local` provider for example.com.
fn documents() -> impl Strategy<Value = Vec<Value>> {
    (
        some(3, service),
        some(2, ingress),
        some(3, gateway),
        some(3, route),
        some(3, istio_gateway),
        some(3, virtual_service),
        some(3, dns_annotation),
        some(3, dns_entry),
    )
        .prop_map(|(a, b, c, d, e, f, g, h)| {
            let provider = json!({
                "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSProvider",
                "metadata": {"name": "local", "namespace": "test"},
                "spec": {"type": "local", "providerConfig": {"zones": [{"dnsName": "example.com"}]}},
            });
            std::iter::once(provider)
                .chain([a, b, c, d, e, f, g, h].into_iter().flatten())
                .collect()
        })
}

fn world(documents: &[Value]) -> World {
    let text: Vec<String> = documents.iter().map(Value::to_string).collect();
    let mut world = World::default();
    shoot_dns::manifest::load_str(&mut world, "props.yaml", &text.join("\n---\n"))
        .expect("generated manifests parse");
    assert!(world.problems.is_empty(), "{:?}", world.problems);
    world
}

/// The library default, or DNSEntry replication into `target` (source class `gardendns`,
/// primary class `garden`).
fn config(replicate: bool) -> Config {
    let mut configuration = ManagerConfiguration::default();
    if replicate {
        configuration.class = Some("garden".to_owned());
        configuration.controllers.source.source_class = Some("gardendns".to_owned());
        configuration.controllers.source.target_namespace = Some("target".to_owned());
    }
    configuration.resolve().expect("a valid configuration")
}

fn text(plan: &Plan) -> String {
    serde_json::to_string(plan).expect("a plan serialises")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// COMPATIBILITY.md#d17 over every source kind: the same objects in any order give a
    /// byte-identical plan, events included.
    #[test]
    fn the_plan_of_all_sources_does_not_depend_on_their_order(
        documents in documents(),
        replicate in any::<bool>(),
        seeds in prop::collection::vec(any::<u64>(), 2),
    ) {
        let config = config(replicate);
        let expected = text(&Plan::compute(&world(&documents), &config));
        for seed in seeds {
            let shuffled = permuted(&documents, seed);
            prop_assert_eq!(&text(&Plan::compute(&world(&shuffled), &config)), &expected);
        }
    }

    /// The Planner, fed every kind one object at a time in a random order (and with some
    /// objects deleted again), plans what the whole plan plans.
    #[test]
    fn the_planner_plans_all_sources_as_the_whole_plan_does(
        documents in documents(),
        replicate in any::<bool>(),
        seed in any::<u64>(),
        removed in prop::collection::vec(any::<prop::sample::Index>(), 0..3),
    ) {
        let config = config(replicate);
        let all = world(&permuted(&documents, seed));
        let objects: Vec<_> = all.objects().collect();
        let mut planner = Planner::new(config.clone());
        for object in &objects {
            planner.handle_applied(object.clone());
        }
        let mut kept = objects.clone();
        for index in &removed {
            if kept.is_empty() {
                break;
            }
            let object = kept.remove(index.index(kept.len()));
            planner.handle_deleted(&object);
        }
        let mut world = World::default();
        for object in kept {
            world.insert(object);
        }
        let whole = Plan::compute(&world, &config);
        let incremental = planner.plan();
        prop_assert_eq!(&incremental.entries, &whole.entries);
        prop_assert_eq!(&incremental.annotations, &whole.annotations);
        prop_assert_eq!(&incremental.changes, &whole.changes);
        prop_assert_eq!(&incremental.records, &whole.records);
    }
}
