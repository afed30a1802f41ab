//! Source extraction: annotation parsing plus name and target extraction for Services and
//! Ingresses (`service_input`, `ingress_input`), and the whole `Plan::compute` for comparison.
//!
//! Every object is built once, outside the timed loop; a timed iteration only reads them.
//!
//! ```text
//! cargo bench --bench sources -- --warm-up-time 1 --measurement-time 3
//! ```

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use shoot_dns::annotations::{
    CLASS, CNAME_LOOKUP_INTERVAL, DNSNAMES, IGNORE, MergedAnnotations,
    RESOLVE_TARGETS_TO_ADDRESSES, ROUTING_POLICY, TTL,
};
use shoot_dns::api::{Ingress, IngressRule, LoadBalancerIngress, Service};
use shoot_dns::config::ManagerConfiguration;
use shoot_dns::sources::{SourceConfig, ingress_input, service_input};
use shoot_dns::{Class, Config, Plan, World};

/// The sixth Ingress annotation.
#[derive(Debug, Clone, Copy)]
enum Sixth {
    /// `dns.gardener.cloud/ignore: reconcile`.
    Ignore,
    /// `dns.gardener.cloud/routing-policy` with a weighted policy (JSON decoding).
    RoutingPolicy,
}

impl Sixth {
    fn name(self) -> &'static str {
        match self {
            Self::Ignore => "ignore",
            Self::RoutingPolicy => "routing_policy",
        }
    }
}

fn annotations(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn lb_ips(ips: &[String]) -> Vec<LoadBalancerIngress> {
    ips.iter()
        .map(|ip| LoadBalancerIngress {
            ip: Some(ip.clone()),
            hostname: None,
        })
        .collect()
}

/// A Service of type LoadBalancer: one name, ttl, class, one IP.
fn service() -> Service {
    let mut service = Service::default();
    service.metadata.name = Some("web".to_owned());
    service.metadata.namespace = Some("default".to_owned());
    service.metadata.annotations = annotations(&[
        (DNSNAMES, "web.example.com"),
        (TTL, "600"),
        (CLASS, "garden"),
    ]);
    service.spec.service_type = Some("LoadBalancer".to_owned());
    service.status.load_balancer.ingress = lb_ips(&["203.0.113.10".to_owned()]);
    service
}

/// Ingress number `i`: 3 rule hosts, 6 annotations (`dnsnames: *`, ttl, class,
/// cname-lookup-interval, resolve-targets-to-addresses and `sixth`), 2 IPs. Names and hosts
/// are distinct per `i`.
fn ingress(i: usize, sixth: Sixth) -> Ingress {
    let mut ingress = Ingress::default();
    ingress.metadata.name = Some(format!("ingress-{i}"));
    ingress.metadata.namespace = Some(format!("ns-{}", i % 10));
    let policy =
        format!(r#"{{"type":"weighted","setIdentifier":"id-{i}","parameters":{{"weight":"10"}}}}"#);
    let (sixth_key, sixth_value) = match sixth {
        Sixth::Ignore => (IGNORE, "reconcile"),
        Sixth::RoutingPolicy => (ROUTING_POLICY, policy.as_str()),
    };
    ingress.metadata.annotations = annotations(&[
        (DNSNAMES, "*"),
        (TTL, "600"),
        (CLASS, "garden"),
        (CNAME_LOOKUP_INTERVAL, "120"),
        (RESOLVE_TARGETS_TO_ADDRESSES, "true"),
        (sixth_key, sixth_value),
    ]);
    ingress.spec.rules = ["www", "api", "static"]
        .iter()
        .map(|host| IngressRule {
            host: Some(format!("{host}-{i}.example.com")),
        })
        .collect();
    let ips = [
        format!("10.{}.{}.1", (i >> 8) & 0xff, i & 0xff),
        format!("2001:db8::{:x}", i + 1),
    ];
    ingress.status.load_balancer.ingress = lb_ips(&ips);
    ingress
}

fn garden_source_config() -> SourceConfig {
    SourceConfig {
        source_class: "garden".parse::<Class>().expect("valid class"),
        ..SourceConfig::default()
    }
}

fn garden_config() -> Config {
    ManagerConfiguration {
        class: Some("garden".to_owned()),
        ..Default::default()
    }
    .resolve()
    .expect("valid configuration")
}

/// Inputs of all `ingresses`: what one timed iteration does. Returns the number of names so
/// that nothing can be optimised away.
fn ingress_inputs(ingresses: &[Ingress], config: &SourceConfig) -> usize {
    let mut names = 0;
    for ingress in ingresses {
        let merged = MergedAnnotations::new(&ingress.metadata.annotations, None);
        let input = ingress_input(black_box(ingress), &merged, config);
        if let Ok(Some(input)) = black_box(input) {
            names += input.names.len();
        }
    }
    names
}

fn bench_service(c: &mut Criterion) {
    let service = service();
    let config = garden_source_config();
    let merged = MergedAnnotations::new(&service.metadata.annotations, None);
    let input = service_input(&service, &merged, &config)
        .expect("valid Service")
        .expect("relevant Service");
    assert_eq!(input.names, ["web.example.com"]);
    assert_eq!(input.targets, ["203.0.113.10"]);

    let mut group = c.benchmark_group("service_input");
    group.throughput(Throughput::Elements(1));
    group.bench_function("1name_3annotations_1ip", |b| {
        b.iter(|| {
            let merged = MergedAnnotations::new(&service.metadata.annotations, None);
            service_input(black_box(&service), &merged, &config)
        })
    });
    group.finish();
}

fn bench_ingress(c: &mut Criterion) {
    let config = garden_source_config();
    let mut group = c.benchmark_group("ingress_input");
    group.throughput(Throughput::Elements(1));
    for sixth in [Sixth::Ignore, Sixth::RoutingPolicy] {
        let ingress = ingress(7, sixth);
        let merged = MergedAnnotations::new(&ingress.metadata.annotations, None);
        let input = ingress_input(&ingress, &merged, &config)
            .expect("valid Ingress")
            .expect("relevant Ingress");
        assert_eq!(input.names.len(), 3);
        assert_eq!(input.targets.len(), 2);
        group.bench_function(format!("3hosts_6annotations_2ips/{}", sixth.name()), |b| {
            b.iter(|| {
                let merged = MergedAnnotations::new(&ingress.metadata.annotations, None);
                ingress_input(black_box(&ingress), &merged, &config)
            })
        });
    }
    group.finish();
}

fn bench_ingress_scale(c: &mut Criterion) {
    let config = garden_source_config();
    for sixth in [Sixth::Ignore, Sixth::RoutingPolicy] {
        let mut group = c.benchmark_group(format!("ingress_inputs/{}", sixth.name()));
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(20);
        for n in [10usize, 1_000, 10_000] {
            let ingresses: Vec<Ingress> = (0..n).map(|i| ingress(i, sixth)).collect();
            assert_eq!(ingress_inputs(&ingresses, &config), 3 * n);
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(
                BenchmarkId::from_parameter(n),
                &ingresses,
                |b, ingresses| b.iter(|| ingress_inputs(ingresses, &config)),
            );
        }
        group.finish();
    }
}

fn bench_plan(c: &mut Criterion) {
    let config = garden_config();
    let n = 1_000usize;
    let world = World {
        ingresses: (0..n).map(|i| ingress(i, Sixth::Ignore)).collect(),
        ..World::default()
    };
    let plan = Plan::compute(&world, &config);
    assert_eq!(plan.entries.len(), 3 * n);

    let mut group = c.benchmark_group("plan_compute");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_with_input(BenchmarkId::new("ingresses", n), &world, |b, world| {
        b.iter(|| Plan::compute(black_box(world), &config))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_service,
    bench_ingress,
    bench_ingress_scale,
    bench_plan
);
criterion_main!(benches);
