//! The controllers (feature `kube`; adapters/kube/driver.rs) against the real apiserver: each
//! scenario runs a controller of a class of its own (named as its namespace), so that the
//! scenarios of one test binary share the apiserver without seeing each other's objects.

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kube::Api;
use kube::api::{DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::GroupVersionKind;
use serde_json::{Value, json};
use shoot_dns::adapters::backends::memory::SharedZones;
use shoot_dns::adapters::kube::driver::{Driver, Settings};
use shoot_dns::adapters::kube::metrics::Counters;
use shoot_dns::{Class, Config};

use crate::apiserver::{crds_installed, namespace};
use crate::support::cluster::{self, ControlPlane, block_on};

/// A controller running on a thread of its own until dropped.
pub(crate) struct Running {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    /// The zones of its `local` providers.
    pub zones: SharedZones,
    /// Its writes.
    pub counters: Arc<Counters>,
    /// Its log lines.
    pub log: Arc<Mutex<Vec<String>>>,
}

impl Running {
    /// A controller of class `class` on `plane`, watching sources in `namespace`.
    pub fn start(plane: &ControlPlane, class: &str, namespace: Option<&str>) -> Running {
        let class: Class = class.parse().expect("a class");
        let settings = Settings::new(Config::for_class(class))
            .namespace(namespace.map(str::to_owned))
            .log_writes(true);
        Self::with(plane, settings)
    }

    /// A controller with `settings`.
    pub fn with(plane: &ControlPlane, settings: Settings) -> Running {
        Self::across(plane, None, settings)
    }

    /// A controller that watches sources on `plane` and writes entries on `target`.
    pub fn across(
        plane: &ControlPlane,
        target: Option<&ControlPlane>,
        settings: Settings,
    ) -> Running {
        let target_kubeconfig = target.map(ControlPlane::kubeconfig);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, handles) = std::sync::mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = Arc::clone(&log);
        let kubeconfig = plane.kubeconfig();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime");
            runtime.block_on(async move {
                let file = kube::config::Kubeconfig::from_yaml(&kubeconfig).expect("a kubeconfig");
                let options = kube::config::KubeConfigOptions::default();
                let config = kube::Config::from_custom_kubeconfig(file, &options)
                    .await
                    .expect("a client configuration");
                let client = kube::Client::try_from(config).expect("a client");
                let target = match target_kubeconfig {
                    Some(kubeconfig) => {
                        let file =
                            kube::config::Kubeconfig::from_yaml(&kubeconfig).expect("a kubeconfig");
                        let config = kube::Config::from_custom_kubeconfig(file, &options)
                            .await
                            .expect("a client configuration");
                        Some(kube::Client::try_from(config).expect("a client"))
                    }
                    None => None,
                };
                let mut driver = Driver::start(client, target, settings).await;
                let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
                driver.log_to(sender);
                tokio::spawn(async move {
                    while let Some(line) = receiver.recv().await {
                        lines.lock().expect("the log").push(line);
                    }
                });
                let _ = ready.send((driver.local_zones(), driver.counters()));
                driver
                    .run(async move {
                        let _ = stopped.await;
                    })
                    .await;
            });
        });
        let (zones, counters) = handles.recv().expect("the controller starts");
        Running {
            stop: Some(stop),
            thread: Some(thread),
            zones,
            counters,
            log,
        }
    }

    /// The record set values at `name` of type `record_type` in the local zones.
    pub fn record(&self, name: &str, record_type: &str) -> Option<Vec<String>> {
        let zones = self.zones.snapshot();
        (zones.values().flat_map(|records| records.iter()))
            .find(|(key, _)| {
                key.owner.dns_name.as_str().trim_end_matches('.') == name
                    && key.record_type.as_str() == record_type
            })
            .map(|(_, set)| set.values.clone())
    }

    /// The addresses of the `A` record set at `name` (none: empty).
    pub fn addresses(&self, name: &str) -> Vec<String> {
        self.record(name, "A").unwrap_or_default()
    }

    /// Its log so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().expect("the log").clone()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The API of a kind in `namespace`.
pub(crate) async fn api(
    client: &kube::Client,
    api_version: &str,
    kind: &str,
    namespace: &str,
) -> Api<DynamicObject> {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let (resource, _) = kube::discovery::pinned_kind(client, &gvk)
        .await
        .unwrap_or_else(|e| panic!("{api_version} {kind} is served: {e}"));
    Api::namespaced_with(client.clone(), namespace, &resource)
}

/// Creates `object`, and writes its `status` through the status subresource.
pub(crate) async fn create(client: &kube::Client, object: Value) -> DynamicObject {
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    let kind = object["kind"].as_str().unwrap_or_default();
    let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
    let api = api(client, api_version, kind, namespace).await;
    let dynamic: DynamicObject = serde_json::from_value(object.clone()).expect("an object");
    let created = (api.create(&PostParams::default(), &dynamic).await)
        .unwrap_or_else(|e| panic!("{kind} is created: {e}"));
    if object.get("status").is_some() {
        let name = created.metadata.name.clone().unwrap_or_default();
        let status = json!({"status": object["status"]});
        return (api
            .patch_status(&name, &PatchParams::default(), &Patch::Merge(&status))
            .await)
            .unwrap_or_else(|e| panic!("{kind} status is written: {e}"));
    }
    created
}

/// Waits (at most 30 s) until `check` gives something; panics with `what` otherwise.
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not within 30 s: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The DNSEntries of `namespace` whose `spec.dnsName` is `name`.
pub(crate) async fn entries_named(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Vec<Value> {
    let entries = api(client, "dns.gardener.cloud/v1alpha1", "DNSEntry", namespace).await;
    let list = (entries.list(&ListParams::default()).await).expect("the entries are listed");
    (list.items.into_iter())
        .map(|e| serde_json::to_value(e).expect("JSON"))
        .filter(|e| e["spec"]["dnsName"] == name)
        .collect()
}

/// The one entry of `name` in `namespace` once its status is `state` with targets `targets`
/// (at most 30 s).
pub(crate) async fn entry_in_state(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    state: &str,
    targets: &[&str],
) -> Value {
    let started = Instant::now();
    loop {
        let entries = entries_named(client, namespace, name).await;
        if let [entry] = &entries[..] {
            let status = &entry["status"];
            if status["state"] == state && status["targets"] == json!(targets) {
                return entry.clone();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not within 30 s: DNSEntry {name} in {namespace} is {state} with targets {targets:?}; \
             the entries of that name: {:#}",
            json!(entries)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The one entry of `name` in `namespace` once it carries the finalizer of the class
/// `namespace`, which follows the write of a status with targets.
pub(crate) async fn finalized(client: &kube::Client, namespace: &str, name: &str) -> Value {
    let finalizers = json!([format!("{namespace}.dns.gardener.cloud/compound")]);
    eventually("the entry's finalizer", || async {
        let entries = entries_named(client, namespace, name).await;
        match &entries[..] {
            [entry] if entry["metadata"]["finalizers"] == finalizers => Some(entry.clone()),
            _ => None,
        }
    })
    .await
}

/// The Events on `kind` `name` in `namespace`, as `<type> <reason> <message>` lines.
pub(crate) async fn events_on(
    client: &kube::Client,
    namespace: &str,
    kind: &str,
    name: &str,
) -> Vec<String> {
    let events = api(client, "events.k8s.io/v1", "Event", namespace).await;
    let list = (events.list(&ListParams::default()).await).expect("the events are listed");
    (list.items.into_iter())
        .map(|e| serde_json::to_value(e).expect("JSON"))
        .filter(|e| e["regarding"]["kind"] == kind && e["regarding"]["name"] == name)
        .map(|e| {
            format!(
                "{} {} {}",
                e["type"].as_str().unwrap_or_default(),
                e["reason"].as_str().unwrap_or_default(),
                e["note"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// A `local` DNSProvider of `class` in `namespace` for the zone `zone`.
pub(crate) fn local_provider(namespace: &str, class: &str, zone: &str) -> Value {
    json!({
        "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSProvider",
        "metadata": {"name": "local", "namespace": namespace,
                     "annotations": {"dns.gardener.cloud/class": class}},
        "spec": {"type": "local", "domains": {"include": [zone]},
                 "providerConfig": {"zones": [{"dnsName": zone}]}},
    })
}

/// An `rfc2136` DNSProvider `bind` of the class `namespace` on `bind`, and its Secret.
#[cfg(feature = "rfc2136")]
pub(crate) async fn bind_provider(
    client: &kube::Client,
    namespace: &str,
    bind: &crate::support::bind::Bind,
) {
    create(
        client,
        json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "bind", "namespace": namespace},
            "stringData": {"Server": bind.server(), "Zone": bind.zone(),
                "TSIGKeyName": bind.key_name(), "TSIGSecret": bind.secret_base64(),
                "TSIGSecretAlgorithm": bind.algorithm()},
        }),
    )
    .await;
    create(
        client,
        json!({
            "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSProvider",
            "metadata": {"name": "bind", "namespace": namespace,
                         "annotations": {"dns.gardener.cloud/class": namespace}},
            "spec": {"type": "rfc2136", "secretRef": {"name": "bind"}},
        }),
    )
    .await;
}

/// A LoadBalancer Service of `class` asking for `names`, with the load balancer `ip`.
pub(crate) fn service(namespace: &str, class: &str, names: &str, ip: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "shop", "namespace": namespace, "annotations": {
            "dns.gardener.cloud/class": class, "dns.gardener.cloud/dnsnames": names}},
        "spec": {"type": "LoadBalancer", "ports": [{"port": 443}]},
        "status": {"loadBalancer": {"ingress": [{"ip": ip}]}},
    })
}

/// A scenario on the shared control plane: its own namespace (whose name is also its class)
/// and a controller of that class watching it.
struct Scene {
    plane: &'static ControlPlane,
    ns: String,
    controller: Running,
}

impl Scene {
    /// `None` when there is no control plane (after the harness's loud line).
    fn new(label: &str) -> Option<Scene> {
        let plane = cluster::shared()?;
        let ns = scenario(plane, label);
        let controller = Running::start(plane, &ns, Some(&ns));
        Some(Scene {
            plane,
            ns,
            controller,
        })
    }
}

/// A scenario's own namespace (its name is also its class), created.
fn scenario(plane: &ControlPlane, label: &str) -> String {
    crds_installed(plane);
    let ns = plane.namespace(label);
    block_on(async { namespace(&plane.client().await, &ns).await });
    ns
}

/// Annotate a Service → its DNSEntry is created and Ready, the record is in the in-memory
/// zone; the load balancer's address changes → entry and record follow; the annotation is
/// removed → the entry and the record are gone, and so is the Service's finalizer.
#[test]
fn an_annotated_service_gets_its_record_and_loses_it() {
    let Some(Scene {
        plane,
        ns,
        controller,
    }) = Scene::new("ctl-service")
    else {
        return;
    };
    block_on(async {
        let client = plane.client().await;
        create(&client, local_provider(&ns, &ns, "example.org")).await;
        create(&client, service(&ns, &ns, "shop.example.org", "192.0.2.1")).await;
        let entry = entry_in_state(&client, &ns, "shop.example.org", "Ready", &["192.0.2.1"]).await;
        assert_eq!(entry["metadata"]["generateName"], "shop-service-");
        assert_eq!(entry["metadata"]["ownerReferences"][0]["kind"], "Service");
        finalized(&client, &ns, "shop.example.org").await;
        assert_eq!(controller.addresses("shop.example.org"), ["192.0.2.1"]);
        let services = api(&client, "v1", "Service", &ns).await;
        let shop = services.get("shop").await.expect("the Service");
        assert_eq!(
            shop.metadata.finalizers.clone().unwrap_or_default(),
            [format!("{ns}.dns.gardener.cloud/service-dns")]
        );
        let events = eventually("the Service's events", || async {
            let events = events_on(&client, &ns, "Service", "shop").await;
            events
                .iter()
                .any(|e| e.contains("DNSEntryReady"))
                .then_some(events)
        })
        .await;
        assert!(
            events
                .iter()
                .any(|e| e.starts_with("Normal DNSEntryCreated")),
            "{events:?}"
        );

        // The load balancer moves.
        let moved = json!({"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.2"}]}}});
        (services
            .patch_status("shop", &PatchParams::default(), &Patch::Merge(&moved))
            .await)
            .expect("the Service's status is written");
        entry_in_state(&client, &ns, "shop.example.org", "Ready", &["192.0.2.2"]).await;
        eventually("the record follows", || async {
            (controller.record("shop.example.org", "A") == Some(vec!["192.0.2.2".to_owned()]))
                .then_some(())
        })
        .await;

        // The annotation goes.
        let bare = json!({"metadata": {"annotations": {"dns.gardener.cloud/dnsnames": null}}});
        (services
            .patch("shop", &PatchParams::default(), &Patch::Merge(&bare))
            .await)
            .expect("the Service is changed");
        eventually("the entry is gone", || async {
            entries_named(&client, &ns, "shop.example.org")
                .await
                .is_empty()
                .then_some(())
        })
        .await;
        assert_eq!(controller.record("shop.example.org", "A"), None);
        let shop = services.get("shop").await.expect("the Service");
        assert_eq!(
            shop.metadata.finalizers.unwrap_or_default(),
            Vec::<String>::new()
        );
    });
    let log = controller.log();
    assert!(
        log.iter()
            .all(|l| !l.contains("failed") || l.starts_with("write: ")),
        "the controller's log: {log:#?}"
    );
}

/// A source's life in the cluster: `source` (created with `extra` objects) gives an entry for
/// `name` that becomes Ready with `targets`, the record in the local zone; after `change`
/// (a merge patch of the status of the object `changed` names: apiVersion, kind, name) the
/// entry and record follow to `moved`; the source deleted, its entry and record go, and the
/// source itself is gone (its finalizer taken off).
struct Life<'a> {
    label: &'a str,
    extra: Vec<Value>,
    source: fn(&str) -> Value,
    name: &'a str,
    targets: &'a [&'a str],
    changed: (&'a str, &'a str, &'a str),
    change: Value,
    moved: &'a [&'a str],
}

fn source_life(life: Life<'_>) {
    let Some(plane) = cluster::shared() else {
        return;
    };
    let ns = scenario(plane, life.label);
    let controller = Running::start(plane, &ns, Some(&ns));
    block_on(async {
        let client = plane.client().await;
        create(&client, local_provider(&ns, &ns, "example.org")).await;
        for object in &life.extra {
            let mut object = object.clone();
            object["metadata"]["namespace"] = json!(ns);
            create(&client, object).await;
        }
        let source = (life.source)(&ns);
        create(&client, source.clone()).await;
        let entry = entry_in_state(&client, &ns, life.name, "Ready", life.targets).await;
        let kind = source["kind"].as_str().unwrap_or_default();
        assert_eq!(entry["metadata"]["ownerReferences"][0]["kind"], kind);
        let values = |targets: &[&str]| Some(targets.iter().map(|t| t.to_string()).collect());
        assert_eq!(controller.record(life.name, "A"), values(life.targets));

        let (api_version, changed_kind, changed_name) = life.changed;
        let changed = api(&client, api_version, changed_kind, &ns).await;
        let patch = &Patch::Merge(&life.change);
        (changed
            .patch_status(changed_name, &PatchParams::default(), patch)
            .await)
            .expect("the status is written");
        entry_in_state(&client, &ns, life.name, "Ready", life.moved).await;
        eventually("the record follows", || async {
            (controller.record(life.name, "A") == values(life.moved)).then_some(())
        })
        .await;

        let sources = api(
            &client,
            source["apiVersion"].as_str().unwrap_or_default(),
            kind,
            &ns,
        )
        .await;
        let name = source["metadata"]["name"].as_str().unwrap_or_default();
        (sources.delete(name, &Default::default()).await).expect("the source is deleted");
        eventually("the source and its entry are gone", || async {
            let entries = entries_named(&client, &ns, life.name).await;
            let source = sources.get_opt(name).await.expect("the source is read");
            (entries.is_empty() && source.is_none()).then_some(())
        })
        .await;
        assert_eq!(controller.record(life.name, "A"), None);
    });
    let log = controller.log();
    assert!(
        log.iter()
            .all(|l| !l.contains("fail") || l.starts_with("write: ")),
        "the controller's log: {log:#?}"
    );
}

#[test]
fn an_ingress_gets_its_record_and_loses_it_when_deleted() {
    source_life(Life {
        label: "ctl-ingress",
        extra: Vec::new(),
        source: |ns| {
            json!({
                "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                "metadata": {"name": "web", "namespace": ns, "annotations": {
                    "dns.gardener.cloud/class": ns, "dns.gardener.cloud/dnsnames": "*"}},
                "spec": {"rules": [{"host": "web.example.org"}]},
                "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}},
            })
        },
        name: "web.example.org",
        targets: &["192.0.2.10"],
        changed: ("networking.k8s.io/v1", "Ingress", "web"),
        change: json!({"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.11"}]}}}),
        moved: &["192.0.2.11"],
    });
}

#[test]
fn a_gateway_api_gateway_gets_its_record_and_loses_it_when_deleted() {
    source_life(Life {
        label: "ctl-gateway",
        extra: Vec::new(),
        source: |ns| {
            json!({
                "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
                "metadata": {"name": "gw", "namespace": ns, "annotations": {
                    "dns.gardener.cloud/class": ns, "dns.gardener.cloud/dnsnames": "*"}},
                "spec": {"gatewayClassName": "test", "listeners": [
                    {"name": "https", "port": 443, "protocol": "HTTPS", "hostname": "gw.example.org"}]},
                "status": {"addresses": [{"type": "IPAddress", "value": "192.0.2.20"}]},
            })
        },
        name: "gw.example.org",
        targets: &["192.0.2.20"],
        changed: ("gateway.networking.k8s.io/v1", "Gateway", "gw"),
        change: json!({"status": {"addresses": [{"type": "IPAddress", "value": "192.0.2.21"}]}}),
        moved: &["192.0.2.21"],
    });
}

/// The Istio Gateway's targets come from the Service its selector picks; that Service's load
/// balancer moving moves the record.
#[test]
fn an_istio_gateway_gets_its_record_and_loses_it_when_deleted() {
    source_life(Life {
        label: "ctl-istio",
        extra: vec![json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "ingressgateway", "labels": {"istio": "ingressgateway"}},
            "spec": {"type": "LoadBalancer", "selector": {"istio": "ingressgateway"},
                     "ports": [{"port": 443}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.30"}]}},
        })],
        source: |ns| {
            json!({
                "apiVersion": "networking.istio.io/v1", "kind": "Gateway",
                "metadata": {"name": "mesh", "namespace": ns, "annotations": {
                    "dns.gardener.cloud/class": ns, "dns.gardener.cloud/dnsnames": "*"}},
                "spec": {"selector": {"istio": "ingressgateway"}, "servers": [
                    {"hosts": ["mesh.example.org"], "port": {"name": "https", "number": 443, "protocol": "HTTPS"}}]},
            })
        },
        name: "mesh.example.org",
        targets: &["192.0.2.30"],
        changed: ("v1", "Service", "ingressgateway"),
        change: json!({"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.31"}]}}}),
        moved: &["192.0.2.31"],
    });
}

/// A DNSEntry written by its owner, with an `rfc2136` provider on the BIND of the test: the
/// record is in BIND (`dig`); a controller started afresh takes what the entry owns from its
/// status and writes nothing (no DNS change, no object write); the entry deleted, its record
/// goes, then the entry.
#[cfg(feature = "rfc2136")]
#[test]
fn a_dns_entry_gets_its_record_in_bind_and_a_restarted_controller_deletes_it() {
    use crate::support::bind::Bind;
    let Some(plane) = cluster::shared() else {
        return;
    };
    let Some(bind) = Bind::start() else {
        return;
    };
    let ns = scenario(plane, "ctl-bind");
    let first = Running::start(plane, &ns, Some(&ns));
    let entries = || async {
        api(
            &plane.client().await,
            "dns.gardener.cloud/v1alpha1",
            "DNSEntry",
            &ns,
        )
        .await
    };
    block_on(async {
        let client = plane.client().await;
        bind_provider(&client, &ns, &bind).await;
        create(
            &client,
            json!({
                "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSEntry",
                "metadata": {"name": "www", "namespace": ns,
                             "annotations": {"dns.gardener.cloud/class": ns}},
                "spec": {"dnsName": "www.example.com", "targets": ["192.0.2.40"], "ttl": 120},
            }),
        )
        .await;
        entry_in_state(&client, &ns, "www.example.com", "Ready", &["192.0.2.40"]).await;
    });
    assert_eq!(bind.dig("www.example.com", "A"), ["192.0.2.40"]);
    // The provider and its Secret carry the class's finalizer.
    block_on(async {
        let client = plane.client().await;
        let finalizer = format!("{ns}.dns.gardener.cloud/compound");
        for (api_version, kind, name) in [
            ("v1", "Secret", "bind"),
            ("dns.gardener.cloud/v1alpha1", "DNSProvider", "bind"),
        ] {
            let objects = api(&client, api_version, kind, &ns).await;
            eventually(&format!("the finalizer of {kind} {name}"), || async {
                let object = objects.get(name).await.expect("the object");
                let finalizers = object.metadata.finalizers.unwrap_or_default();
                (finalizers == [finalizer.clone()]).then_some(())
            })
            .await;
        }
    });
    drop(first);

    let second = Running::start(plane, &ns, Some(&ns));
    block_on(async {
        // The second controller has listed everything and planned once.
        eventually("the second controller plans", || async {
            (second
                .counters
                .rounds
                .load(std::sync::atomic::Ordering::Relaxed)
                > 0)
            .then_some(())
        })
        .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(
            second.counters.object_writes(),
            0,
            "{}: {:#?}",
            second.counters,
            second.log()
        );
        assert_eq!(bind.dig("www.example.com", "A"), ["192.0.2.40"]);

        let entries = entries().await;
        (entries.delete("www", &Default::default()).await).expect("the entry is deleted");
        eventually("the entry is gone", || async {
            entries
                .get_opt("www")
                .await
                .expect("read")
                .is_none()
                .then_some(())
        })
        .await;
    });
    assert_eq!(bind.dig("www.example.com", "A"), Vec::<String>::new());
    let log = second.log();
    assert!(
        log.iter()
            .all(|l| !l.contains("fail") || l.starts_with("write: ")),
        "{log:#?}"
    );
}

/// An invalid annotation on a Service whose entry is Ready: a Warning `Invalid` event on the
/// Service, and nothing else touched (the entry, its status and the record stay).
#[test]
fn an_invalid_annotation_is_a_warning_and_touches_nothing() {
    let Some(Scene {
        plane,
        ns,
        controller,
    }) = Scene::new("ctl-invalid")
    else {
        return;
    };
    block_on(async {
        let client = plane.client().await;
        create(&client, local_provider(&ns, &ns, "example.org")).await;
        create(&client, service(&ns, &ns, "shop.example.org", "192.0.2.50")).await;
        entry_in_state(&client, &ns, "shop.example.org", "Ready", &["192.0.2.50"]).await;
        let before = finalized(&client, &ns, "shop.example.org").await;
        let writes = controller.counters.object_writes();
        let services = api(&client, "v1", "Service", &ns).await;
        let bad = json!({"metadata": {"annotations": {"dns.gardener.cloud/ttl": "soon"}}});
        (services
            .patch("shop", &PatchParams::default(), &Patch::Merge(&bad))
            .await)
            .expect("the Service is changed");
        let warning = eventually("a Warning on the Service", || async {
            let events = events_on(&client, &ns, "Service", "shop").await;
            events
                .into_iter()
                .find(|e| e.starts_with("Warning Invalid"))
        })
        .await;
        assert!(warning.contains("soon"), "{warning}");
        tokio::time::sleep(Duration::from_secs(1)).await;
        let after = entries_named(&client, &ns, "shop.example.org").await;
        assert_eq!(after.len(), 1);
        assert_eq!(
            after[0]["metadata"]["resourceVersion"],
            before["metadata"]["resourceVersion"]
        );
        assert_eq!(
            controller.counters.object_writes(),
            writes,
            "{}: {:#?}",
            controller.counters,
            controller.log()
        );
        assert_eq!(controller.addresses("shop.example.org"), ["192.0.2.50"]);
    });
}

/// The provider's domains change so that it no longer covers an entry: the entry is Stale and
/// its record is kept.
#[test]
fn an_entry_its_provider_no_longer_covers_is_stale_and_keeps_its_record() {
    let Some(Scene {
        plane,
        ns,
        controller,
    }) = Scene::new("ctl-stale")
    else {
        return;
    };
    block_on(async {
        let client = plane.client().await;
        let mut provider = local_provider(&ns, &ns, "example.org");
        provider["spec"]["providerConfig"]["zones"] =
            json!([{"dnsName": "example.org"}, {"dnsName": "example.net"}]);
        create(&client, provider).await;
        create(&client, service(&ns, &ns, "shop.example.org", "192.0.2.60")).await;
        entry_in_state(&client, &ns, "shop.example.org", "Ready", &["192.0.2.60"]).await;
        let providers = api(&client, "dns.gardener.cloud/v1alpha1", "DNSProvider", &ns).await;
        let moved = json!({"spec": {"domains": {"include": ["example.net"]}}});
        (providers
            .patch("local", &PatchParams::default(), &Patch::Merge(&moved))
            .await)
            .expect("the provider is changed");
        let entry =
            entry_in_state(&client, &ns, "shop.example.org", "Stale", &["192.0.2.60"]).await;
        assert!(
            entry["status"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "{entry:#}"
        );
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(controller.addresses("shop.example.org"), ["192.0.2.60"]);
    });
}

/// Two controllers of different classes in one namespace: each plans only the objects of its
/// class, and leaves the other's alone.
#[test]
fn two_controllers_of_different_classes_share_a_cluster() {
    let Some(plane) = cluster::shared() else {
        return;
    };
    let ns = scenario(plane, "ctl-classes");
    let (red, blue) = (format!("{ns}-red"), format!("{ns}-blue"));
    let red_controller = Running::start(plane, &red, Some(&ns));
    let blue_controller = Running::start(plane, &blue, Some(&ns));
    block_on(async {
        let client = plane.client().await;
        for class in [&red, &blue] {
            let mut provider = local_provider(&ns, class, "example.org");
            provider["metadata"]["name"] = json!(class);
            create(&client, provider).await;
            let mut source = service(&ns, class, &format!("{class}.example.org"), "192.0.2.70");
            source["metadata"]["name"] = json!(class);
            create(&client, source).await;
        }
        for class in [&red, &blue] {
            let name = format!("{class}.example.org");
            let entry = entry_in_state(&client, &ns, &name, "Ready", &["192.0.2.70"]).await;
            assert_eq!(
                entry["metadata"]["annotations"]["dns.gardener.cloud/class"],
                json!(class)
            );
            assert_eq!(entry["status"]["provider"], json!(format!("{ns}/{class}")));
            let services = api(&client, "v1", "Service", &ns).await;
            let source = services.get(class).await.expect("the Service");
            assert_eq!(
                source.metadata.finalizers.unwrap_or_default(),
                [format!("{class}.dns.gardener.cloud/service-dns")]
            );
        }
        let red_name = format!("{red}.example.org");
        let blue_name = format!("{blue}.example.org");
        assert!(red_controller.record(&red_name, "A").is_some());
        assert!(red_controller.record(&blue_name, "A").is_none());
        assert!(blue_controller.record(&blue_name, "A").is_some());
        assert!(blue_controller.record(&red_name, "A").is_none());
        let providers = api(&client, "dns.gardener.cloud/v1alpha1", "DNSProvider", &ns).await;
        for class in [&red, &blue] {
            let provider = providers.get(class).await.expect("the provider");
            let provider = serde_json::to_value(provider).expect("JSON");
            assert_eq!(provider["status"]["state"], "Ready", "{provider:#}");
        }
    });
}

/// `count` LoadBalancer Services of `class` asking for `s<i>.example.org`, address
/// `192.0.2.<i>`.
fn services(namespace: &str, class: &str, count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let mut source = service(
                namespace,
                class,
                &format!("s{i}.example.org"),
                &format!("192.0.2.{}", i % 250 + 1),
            );
            source["metadata"]["name"] = json!(format!("s{i}"));
            source
        })
        .collect()
}

/// The entries of `namespace`, by DNS name: (name, state, targets).
async fn entry_states(client: &kube::Client, namespace: &str) -> Vec<(String, String, Value)> {
    let entries = api(client, "dns.gardener.cloud/v1alpha1", "DNSEntry", namespace).await;
    let list = (entries.list(&ListParams::default()).await).expect("the entries are listed");
    let mut states: Vec<(String, String, Value)> = (list.items.into_iter())
        .map(|e| serde_json::to_value(e).expect("JSON"))
        .map(|e| {
            (
                e["spec"]["dnsName"].as_str().unwrap_or_default().to_owned(),
                e["status"]["state"].as_str().unwrap_or_default().to_owned(),
                e["metadata"]["name"].clone(),
            )
        })
        .collect();
    states.sort_by(|a, b| a.0.cmp(&b.0));
    states
}

/// Waits (at most 60 s) until every one of `count` Services has exactly one entry, Ready.
async fn all_ready(
    client: &kube::Client,
    namespace: &str,
    count: usize,
    controller: &Running,
) -> Vec<(String, String, Value)> {
    let started = Instant::now();
    loop {
        let states = entry_states(client, namespace).await;
        if states.len() == count && states.iter().all(|(_, state, _)| state == "Ready") {
            return states;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not within 60 s: {count} entries Ready, one per Service: {states:?}\n{}: {:#?}",
            controller.counters,
            controller.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The apiserver restarted while the controller creates the entries of 30 Services: it
/// converges, one entry per name, every record there.
#[test]
fn the_controller_converges_across_an_apiserver_restart() {
    if cluster::shared().is_none() {
        return;
    }
    let plane = ControlPlane::start().expect("a control plane of the test's own");
    crate::apiserver::install_crds(&plane);
    let ns = "restart";
    block_on(async { namespace(&plane.client().await, ns).await });
    let controller = Running::start(&plane, ns, Some(ns));
    block_on(async {
        let client = plane.client().await;
        create(&client, local_provider(ns, ns, "example.org")).await;
        for source in services(ns, ns, 30) {
            create(&client, source).await;
        }
    });
    plane.restart_apiserver();
    block_on(async {
        let client = plane.client().await;
        let states = all_ready(&client, ns, 30, &controller).await;
        assert!(states.len() == 30, "{:#?}", controller.log());
    });
    for i in 0..30 {
        let name = format!("s{i}.example.org");
        assert_eq!(
            controller.record(&name, "A"),
            Some(vec![format!("192.0.2.{}", i + 1)]),
            "{name}"
        );
    }
    assert_eq!(
        controller
            .counters
            .deletes
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
}

/// Watches that resume after etcd compacted their resourceVersion get 410 Gone and list
/// afresh: nothing is deleted or created again, and the watch goes on.
#[test]
fn a_watch_that_gets_410_relists_without_spurious_deletes() {
    use std::sync::atomic::Ordering::Relaxed;
    if cluster::shared().is_none() {
        return;
    }
    let plane = ControlPlane::start().expect("a control plane of the test's own");
    crate::apiserver::install_crds(&plane);
    let ns = "gone";
    block_on(async { namespace(&plane.client().await, ns).await });
    let controller = Running::start(&plane, ns, Some(ns));
    let before = block_on(async {
        let client = plane.client().await;
        create(&client, local_provider(ns, ns, "example.org")).await;
        for source in services(ns, ns, 10) {
            create(&client, source).await;
        }
        all_ready(&client, ns, 10, &controller).await
    });
    let relists = controller.counters.relists.load(Relaxed);
    let creates = controller.counters.creates.load(Relaxed);
    plane.stop_apiserver();
    plane.compact_etcd();
    plane.start_apiserver();
    block_on(async {
        let client = plane.client().await;
        eventually("every watch lists afresh", || async {
            (controller.counters.relists.load(Relaxed) >= relists + 10).then_some(())
        })
        .await;
        // The watch goes on: a new Service gets its entry.
        let mut eleventh = services(ns, ns, 11).pop().expect("a Service");
        eleventh["metadata"]["name"] = json!("s10");
        create(&client, eleventh).await;
        let mut after = all_ready(&client, ns, 11, &controller).await;
        after.retain(|(name, _, _)| name != "s10.example.org");
        assert_eq!(after, before, "the entries are the same objects");
    });
    assert_eq!(controller.counters.deletes.load(Relaxed), 0);
    assert_eq!(controller.counters.creates.load(Relaxed), creates + 1);
    for i in 0..11 {
        let name = format!("s{i}.example.org");
        assert!(controller.record(&name, "A").is_some(), "{name}");
    }
}

/// A DNSProvider of the class carries the class's finalizer; deleted while an entry still
/// names it, it stays (and says why); once the entry and its record are gone, so is the
/// provider.
#[test]
fn a_provider_is_deleted_only_once_no_entry_uses_it() {
    let Some(Scene {
        plane,
        ns,
        controller,
    }) = Scene::new("ctl-provider")
    else {
        return;
    };
    block_on(async {
        let client = plane.client().await;
        create(&client, local_provider(&ns, &ns, "example.org")).await;
        create(
            &client,
            json!({
                "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSEntry",
                "metadata": {"name": "www", "namespace": ns,
                             "annotations": {"dns.gardener.cloud/class": ns}},
                "spec": {"dnsName": "www.example.org", "targets": ["192.0.2.90"]},
            }),
        )
        .await;
        entry_in_state(&client, &ns, "www.example.org", "Ready", &["192.0.2.90"]).await;
        let providers = api(&client, "dns.gardener.cloud/v1alpha1", "DNSProvider", &ns).await;
        let finalizer = format!("{ns}.dns.gardener.cloud/compound");
        let provider = eventually("the provider's finalizer", || async {
            let provider = providers.get("local").await.expect("the provider");
            let finalizers = provider.metadata.finalizers.clone().unwrap_or_default();
            finalizers.contains(&finalizer).then_some(provider)
        })
        .await;
        assert_eq!(provider.metadata.finalizers, Some(vec![finalizer.clone()]));

        (providers.delete("local", &Default::default()).await).expect("deleted");
        let message = eventually("the provider says why it stays", || async {
            let provider = providers.get("local").await.expect("the provider stays");
            let message = provider.data["status"]["message"]
                .as_str()
                .map(str::to_owned);
            message.filter(|m| m.contains("still assigned"))
        })
        .await;
        assert_eq!(
            message,
            "cannot delete provider, 1 DNSEntries still assigned to it"
        );
        assert!(controller.record("www.example.org", "A").is_some());

        let entries = api(&client, "dns.gardener.cloud/v1alpha1", "DNSEntry", &ns).await;
        (entries.delete("www", &Default::default()).await).expect("deleted");
        eventually("the entry and the provider are gone", || async {
            let entry = entries.get_opt("www").await.expect("read");
            let provider = providers.get_opt("local").await.expect("read");
            (entry.is_none() && provider.is_none()).then_some(())
        })
        .await;
        assert_eq!(controller.record("www.example.org", "A"), None);
    });
}

/// A DNSAnnotation gives a Service that has no DNS annotations of its own its names: the entry
/// comes, and the DNSAnnotation's status says it is active; deleted, the entry goes.
#[test]
fn a_dns_annotation_gives_a_service_its_names() {
    let Some(Scene {
        plane,
        ns,
        controller,
    }) = Scene::new("ctl-annotation")
    else {
        return;
    };
    block_on(async {
        let client = plane.client().await;
        create(&client, local_provider(&ns, &ns, "example.org")).await;
        let mut plain = service(&ns, &ns, "", "192.0.2.100");
        plain["metadata"]["annotations"] = json!({});
        plain["metadata"]["name"] = json!("legacy");
        create(&client, plain).await;
        create(
            &client,
            json!({
                "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSAnnotation",
                "metadata": {"name": "legacy-dns", "namespace": ns,
                             "annotations": {"dns.gardener.cloud/class": ns}},
                "spec": {"resourceRef": {"apiVersion": "v1", "kind": "Service",
                                         "name": "legacy", "namespace": ns},
                         "annotations": {"dns.gardener.cloud/dnsnames": "legacy.example.org",
                                         "dns.gardener.cloud/class": ns}},
            }),
        )
        .await;
        entry_in_state(
            &client,
            &ns,
            "legacy.example.org",
            "Ready",
            &["192.0.2.100"],
        )
        .await;
        let annotations = api(&client, "dns.gardener.cloud/v1alpha1", "DNSAnnotation", &ns).await;
        eventually("the DNSAnnotation is active", || async {
            let annotation = annotations.get("legacy-dns").await.expect("the annotation");
            (annotation.data["status"]["active"] == true).then_some(())
        })
        .await;
        assert_eq!(controller.addresses("legacy.example.org"), ["192.0.2.100"]);

        (annotations.delete("legacy-dns", &Default::default()).await).expect("deleted");
        eventually("the entry is gone", || async {
            let entries = entries_named(&client, &ns, "legacy.example.org").await;
            entries.is_empty().then_some(())
        })
        .await;
        assert_eq!(controller.record("legacy.example.org", "A"), None);
    });
}

/// Sources in one cluster, entries and providers in another (`--target-kubeconfig`, the
/// extension's seed case): the entry is written into the target cluster with the
/// `resources.gardener.cloud/owners` annotation, gets its record, and goes with its Service,
/// whose finalizer is put on and taken off in the source cluster.
#[test]
fn entries_go_to_the_target_cluster() {
    let Some(shoot) = cluster::shared() else {
        return;
    };
    let seed = ControlPlane::start().expect("a second control plane");
    crate::apiserver::install_crds(&seed);
    let ns = scenario(shoot, "ctl-seed");
    block_on(async { namespace(&seed.client().await, &ns).await });
    let config: shoot_dns::config::ManagerConfiguration = serde_json::from_value(json!({
        "class": ns,
        "controllers": {"source": {"sourceClusterID": "shoot", "targetClusterID": "seed"}},
    }))
    .expect("a configuration");
    let config = config.resolve().expect("a valid configuration");
    let settings = Settings::new(config)
        .namespace(Some(ns.clone()))
        .log_writes(true);
    let controller = Running::across(shoot, Some(&seed), settings);
    block_on(async {
        let shoot_client = shoot.client().await;
        let seed_client = seed.client().await;
        create(&seed_client, local_provider(&ns, &ns, "example.org")).await;
        create(
            &shoot_client,
            service(&ns, &ns, "shop.example.org", "192.0.2.110"),
        )
        .await;
        let entry = entry_in_state(
            &seed_client,
            &ns,
            "shop.example.org",
            "Ready",
            &["192.0.2.110"],
        )
        .await;
        assert_eq!(
            entry["metadata"]["annotations"]["resources.gardener.cloud/owners"],
            json!(format!("shoot:/Service/{ns}/shop"))
        );
        assert!(
            entries_named(&shoot_client, &ns, "shop.example.org")
                .await
                .is_empty()
        );
        assert_eq!(controller.addresses("shop.example.org"), ["192.0.2.110"]);
        let services = api(&shoot_client, "v1", "Service", &ns).await;
        let finalizer = format!("{ns}.dns.gardener.cloud/service-dns");
        let shop = services.get("shop").await.expect("the Service");
        assert_eq!(shop.metadata.finalizers.unwrap_or_default(), [finalizer]);

        (services.delete("shop", &Default::default()).await).expect("deleted");
        eventually("the Service and its entry are gone", || async {
            let entries = entries_named(&seed_client, &ns, "shop.example.org").await;
            let shop = services.get_opt("shop").await.expect("read");
            (entries.is_empty() && shop.is_none()).then_some(())
        })
        .await;
        assert_eq!(controller.record("shop.example.org", "A"), None);
    });
}

/// `GET path` on `address`: the status code and the body.
fn http_get(address: std::net::SocketAddr, path: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).expect("the endpoint answers");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .expect("the request is sent");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .expect("the response is read");
    let status = (response.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// The values of the samples of `name` whose labels include every one of `labels`
/// (`key="value"`), in Prometheus text `metrics`.
pub(crate) fn samples<'a>(
    metrics: &'a str,
    name: &'a str,
    labels: &'a [&str],
) -> impl Iterator<Item = f64> + 'a {
    metrics.lines().filter_map(move |line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
        let matches = metric == name && labels.iter().all(|label| rest.contains(label));
        matches.then(|| value.parse().ok()).flatten()
    })
}

/// The value of the first of [`samples`].
fn sample(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    samples(metrics, name, labels).next()
}

/// A `local` provider of class `ns` for `example.org` and the annotated Service `shop`
/// (`shop.example.org`, `192.0.2.1`) in `ns`; waits until its entry is Ready and finalized.
pub(crate) async fn shop_ready(client: &kube::Client, ns: &str) {
    create(client, local_provider(ns, ns, "example.org")).await;
    create(client, service(ns, ns, "shop.example.org", "192.0.2.1")).await;
    entry_in_state(client, ns, "shop.example.org", "Ready", &["192.0.2.1"]).await;
    finalized(client, ns, "shop.example.org").await;
}

/// `/metrics` counts what the controller did (entries and providers by state, provider calls,
/// API writes, rounds per controller); `/healthz` answers; `/readyz` is 503 until a leader has
/// listed every kind, and 200 for a standby.
#[test]
fn the_metrics_and_health_endpoints_tell_what_the_controller_did() {
    use shoot_dns::adapters::kube::metrics::{Health, Metrics};
    use shoot_dns::adapters::kube::serve::{Endpoints, serve};
    let Some(plane) = cluster::shared() else {
        return;
    };
    let ns = scenario(plane, "ctl-metrics");
    let (metrics, health) = (Arc::new(Metrics::new()), Arc::new(Health::default()));
    // The endpoints are served on a runtime of their own, until `stop` goes.
    let (addresses, served) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let endpoints = [
        Endpoints::Metrics(Arc::clone(&metrics)),
        Endpoints::Health(Arc::clone(&health)),
    ];
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        runtime.block_on(async move {
            let loopback: std::net::SocketAddr = "127.0.0.1:0".parse().expect("an address");
            for endpoints in endpoints {
                let bound = serve(loopback, endpoints).await.expect("served");
                addresses.send(bound).expect("the test waits");
            }
            let _ = stopped.await;
        });
    });
    let metrics_at = served.recv().expect("metrics served");
    let health_at = served.recv().expect("health served");
    assert_eq!(http_get(health_at, "/healthz").0, 200);
    assert_eq!(http_get(health_at, "/readyz").0, 503, "starting");
    health.set_standby();
    let (status, body) = http_get(health_at, "/readyz");
    assert_eq!(
        (status, body.trim()),
        (200, "ok: standby, waiting for the lease")
    );
    health.set_leading();
    metrics.set_leader(true);
    assert_eq!(
        http_get(health_at, "/readyz").0,
        503,
        "leading, not listed yet"
    );
    assert_eq!(http_get(health_at, "/nothing").0, 404);

    let class: Class = ns.parse().expect("a class");
    let settings = Settings::new(Config::for_class(class))
        .namespace(Some(ns.clone()))
        .telemetry(Arc::clone(&metrics), Arc::clone(&health));
    let controller = Running::with(plane, settings);
    block_on(async { shop_ready(&plane.client().await, &ns).await });
    let (status, body) = http_get(health_at, "/readyz");
    assert_eq!((status, body.trim()), (200, "ok: leading, caches synced"));
    let mut last = String::new();
    let counted = eventually_sync_or(30, || {
        let (status, text) = http_get(metrics_at, "/metrics");
        assert_eq!(status, 200);
        let ready = [r#"state="Ready""#, r#"provider_type="local""#];
        let found = sample(&text, "shoot_dns_entries", &ready) == Some(1.0);
        last = text;
        found.then_some(())
    });
    assert!(
        counted.is_some(),
        "the Ready entry not counted within 30 s:\n{last}\n{:#?}",
        controller.log()
    );
    let text = last;
    let at_least_one = |name: &str, labels: &[&str]| {
        let value = sample(&text, name, labels);
        assert!(
            value >= Some(1.0),
            "{name} {labels:?}: {value:?} in\n{text}"
        );
    };
    let local = r#"provider_type="local""#;
    at_least_one("shoot_dns_providers", &[r#"state="Ready""#, local]);
    at_least_one("shoot_dns_leader", &[]);
    for operation in [r#"operation="read_zone""#, r#"operation="change""#] {
        at_least_one("shoot_dns_provider_requests_total", &[local, operation]);
        at_least_one(
            "shoot_dns_provider_request_duration_seconds_count",
            &[local, operation],
        );
    }
    assert_eq!(
        sample(&text, "shoot_dns_provider_errors_total", &[local]),
        None,
        "no provider call failed"
    );
    assert_eq!(
        sample(
            &text,
            "shoot_dns_api_writes_total",
            &[r#"operation="create""#]
        ),
        Some(1.0)
    );
    at_least_one("shoot_dns_api_writes_total", &[r#"operation="status""#]);
    at_least_one("shoot_dns_api_writes_total", &[r#"operation="finalizer""#]);
    for controller in ["sources", "entries", "providers"] {
        let label = format!(r#"controller="{controller}""#);
        at_least_one("shoot_dns_reconciles_total", &[&label]);
        at_least_one("shoot_dns_reconcile_duration_seconds_count", &[&label]);
    }
    at_least_one("shoot_dns_watch_relists_total", &[]);
    assert!(
        sample(&text, "shoot_dns_work_queue_depth", &[r#"queue="retries""#]).is_some(),
        "{text}"
    );

    // The Service goes: its entry is no longer counted as Ready.
    block_on(async {
        let client = plane.client().await;
        let services = api(&client, "v1", "Service", &ns).await;
        (services.delete("shop", &Default::default()).await).expect("the Service is deleted");
    });
    eventually_sync("the entry no longer counted", || {
        let text = http_get(metrics_at, "/metrics").1;
        let ready = [r#"state="Ready""#, local];
        (sample(&text, "shoot_dns_entries", &ready) == Some(0.0)).then_some(())
    });
    drop(controller);
    let _ = stop.send(());
    server.join().expect("the endpoints stop");
}

/// Polls `check` (at most 30 s) until it gives something.
fn eventually_sync<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    eventually_sync_or(30, check).unwrap_or_else(|| panic!("not within 30 s: {what}"))
}

/// Polls `check` for at most `seconds` until it gives something.
fn eventually_sync_or<T>(seconds: u64, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(seconds) {
        if let Some(found) = check() {
            return Some(found);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}
