//! Against a real kube-apiserver (feature `kube`; [`crate::support::cluster`]): the control
//! plane itself (restart, etcd stopped and started).

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Api;
use kube::api::{ObjectMeta, PostParams};

use crate::support::cluster::{self, ControlPlane, Versions, block_on};

/// The Kubernetes minor k8s-openapi is built for is that of the control plane.
#[test]
fn the_client_speaks_the_version_of_the_control_plane() {
    let versions = Versions::read();
    let minor = env!("K8S_OPENAPI_ENABLED_VERSION");
    assert!(
        versions.kubernetes.starts_with(&format!("v{minor}.")),
        "tests/cluster/versions.env builds {}, .cargo/config.toml compiles k8s-openapi for {minor}",
        versions.kubernetes
    );
    let Some(plane) = cluster::shared() else {
        return;
    };
    let version = block_on(async { plane.client().await.apiserver_version().await });
    let version = version.expect("the apiserver answers /version");
    assert_eq!(version.git_version, versions.kubernetes);
}

/// Creates a namespace of a test's own.
pub(crate) async fn namespace(client: &kube::Client, name: &str) {
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    namespaces
        .create(&PostParams::default(), &namespace)
        .await
        .expect("the namespace is created");
}

fn config_map(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            ..ObjectMeta::default()
        },
        data: Some([("value".to_owned(), value.to_owned())].into()),
        ..ConfigMap::default()
    }
}

/// What was written survives an apiserver restart; while etcd is stopped the apiserver is not
/// ready and refuses writes, and once it is back everything works again.
#[test]
fn the_control_plane_survives_an_apiserver_restart_and_an_etcd_outage() {
    if cluster::shared().is_none() {
        return;
    }
    let plane = ControlPlane::start().expect("a private control plane");
    let ns = plane.namespace("faults");
    block_on(async {
        let client = plane.client().await;
        namespace(&client, &ns).await;
        let maps: Api<ConfigMap> = Api::namespaced(client, &ns);
        maps.create(&PostParams::default(), &config_map("before", "1"))
            .await
            .expect("created");
    });

    plane.restart_apiserver();
    block_on(async {
        let maps: Api<ConfigMap> = Api::namespaced(plane.client().await, &ns);
        let read = maps
            .get("before")
            .await
            .expect("still there after the restart");
        assert_eq!(read.data.unwrap_or_default()["value"], "1");
    });

    plane.stop_etcd();
    let started = Instant::now();
    while plane.ready() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the apiserver stays ready without etcd"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    block_on(async {
        let maps: Api<ConfigMap> = Api::namespaced(plane.client().await, &ns);
        let write = tokio::time::timeout(
            Duration::from_secs(20),
            maps.create(&PostParams::default(), &config_map("during", "2")),
        )
        .await;
        assert!(
            !matches!(write, Ok(Ok(_))),
            "a write without etcd succeeded"
        );
    });

    plane.start_etcd();
    plane.until_ready();
    block_on(async {
        let maps: Api<ConfigMap> = Api::namespaced(plane.client().await, &ns);
        maps.create(&PostParams::default(), &config_map("after", "3"))
            .await
            .expect("writes work again");
        assert!(maps.get("before").await.is_ok());
    });
}

// ---------------------------------------------------------------------------------------------
// shoot-dns's CRDs and Gardener's examples in a real apiserver
// ---------------------------------------------------------------------------------------------

use std::sync::OnceLock;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube::discovery::{ApiCapabilities, Scope};
use serde_json::Value;

use crate::support::binary::{CRATE_ROOT, run_in};

/// The YAML documents of `text` that are objects.
pub(crate) fn documents(text: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(text)
        .filter_map(|document| {
            let value = serde_yaml_ng::Value::deserialize(document).expect("YAML");
            let value: Value = serde_json::to_value(value).expect("JSON-like YAML");
            value.is_object().then_some(value)
        })
        .collect()
}

use serde::Deserialize as _;

/// Installs, once per test binary, exactly what `shoot-dns crds` prints, and the test CRDs of
/// the Gateway API and Istio source kinds (tests/data/crds/sources.yaml); waits until each is
/// established.
pub(crate) fn crds_installed(plane: &ControlPlane) {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| install_crds(plane));
}

/// Installs the CRDs of [`crds_installed`] on `plane` (a control plane of a test's own).
pub(crate) fn install_crds(plane: &ControlPlane) {
    let printed = run_in(CRATE_ROOT, &["crds"], None).expect_code(0, &["crds"]);
    let ours = documents(&printed.stdout);
    assert_eq!(ours.len(), 4, "shoot-dns crds prints four CRDs");
    let sources = include_str!("../data/crds/sources.yaml");
    block_on(async {
        let crds: Api<CustomResourceDefinition> = Api::all(plane.client().await);
        let mut names = Vec::new();
        for document in ours.into_iter().chain(documents(sources)) {
            let crd: CustomResourceDefinition =
                serde_json::from_value(document).expect("a CustomResourceDefinition");
            let created = crds.create(&PostParams::default(), &crd).await;
            let created = created.unwrap_or_else(|e| {
                panic!("the apiserver refuses the CRD {:?}: {e}", crd.metadata.name)
            });
            names.push(created.metadata.name.unwrap_or_default());
        }
        for name in names {
            let started = Instant::now();
            loop {
                let crd = crds.get(&name).await.expect("the CRD exists");
                let conditions = crd.status.and_then(|s| s.conditions).unwrap_or_default();
                if conditions
                    .iter()
                    .any(|c| c.type_ == "Established" && c.status == "True")
                {
                    break;
                }
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "{name} is not established: {conditions:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    });
}

/// One of Gardener's example objects.
struct Example {
    file: String,
    object: Value,
}

impl Example {
    fn api_version(&self) -> &str {
        self.object["apiVersion"].as_str().unwrap_or("")
    }

    fn kind(&self) -> &str {
        self.object["kind"].as_str().unwrap_or("")
    }

    fn name(&self) -> &str {
        self.object["metadata"]["name"].as_str().unwrap_or("")
    }

    fn label(&self) -> String {
        format!("{} {} {}", self.file, self.kind(), self.name())
    }
}

/// Gardener's example objects of the kinds a shoot's cluster serves (not the Extension and
/// Cluster resources of Gardener's own extension API, which only a seed serves).
fn examples() -> Vec<Example> {
    let root = std::path::Path::new(CRATE_ROOT).join("tests/data/gardener-examples");
    let mut examples = Vec::new();
    for folder in ["external-dns-management", "shoot-dns-service"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(folder))
            .expect("the examples")
            .map(|e| e.expect("an entry").path())
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path).expect("an example file");
            for object in documents(&text) {
                let file = format!(
                    "{folder}/{}",
                    path.file_name().unwrap_or_default().display()
                );
                let example = Example { file, object };
                if !example
                    .api_version()
                    .starts_with("extensions.gardener.cloud/")
                {
                    examples.push(example);
                }
            }
        }
    }
    examples
}

/// The API resource of an object's apiVersion and kind, as the apiserver serves it.
async fn resource(
    client: &kube::Client,
    api_version: &str,
    kind: &str,
) -> (ApiResource, ApiCapabilities) {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, kind);
    kube::discovery::pinned_kind(client, &gvk)
        .await
        .unwrap_or_else(|e| panic!("the apiserver serves no {api_version} {kind}: {e}"))
}

/// The object as a user wrote it: without what the apiserver adds to metadata.
fn as_written(mut object: Value) -> Value {
    if let Some(metadata) = object["metadata"].as_object_mut() {
        for field in [
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "managedFields",
            "generation",
        ] {
            metadata.remove(field);
        }
    }
    object
}

/// The objects of `objects` in a World, read through shoot-dns's own types.
fn world_of(objects: &[Value]) -> shoot_dns::World {
    let mut world = shoot_dns::World::default();
    for (n, object) in objects.iter().enumerate() {
        let text = serde_json::to_string(object).expect("JSON");
        shoot_dns::manifest::load_str(&mut world, &format!("object {n}"), &text)
            .expect("a manifest");
    }
    world
}

/// Every example object is created in a namespace of the test's own (status through the status
/// subresource, as the controllers that own it would write it) and read back: through
/// shoot-dns's types, each is what the file says. The Secrets whose data are placeholders
/// (`...`, no base64) are refused by the apiserver, and shoot-dns refuses the same objects.
/// Listed from the apiserver, the objects plan exactly as the files do.
#[test]
fn gardener_examples_round_trip_through_the_apiserver_and_plan_the_same() {
    let Some(plane) = cluster::shared() else {
        return;
    };
    crds_installed(plane);
    let ns = plane.namespace("examples");
    let examples = examples();
    assert!(examples.len() > 40, "{} examples", examples.len());
    let mut written = Vec::new();
    let mut read = Vec::new();
    let mut refused = Vec::new();
    block_on(async {
        let client = plane.client().await;
        namespace(&client, &ns).await;
        for example in &examples {
            let (resource, capabilities) =
                resource(&client, example.api_version(), example.kind()).await;
            let api: Api<DynamicObject> = match capabilities.scope {
                Scope::Namespaced => Api::namespaced_with(client.clone(), &ns, &resource),
                Scope::Cluster => Api::all_with(client.clone(), &resource),
            };
            let mut object = example.object.clone();
            if capabilities.scope == Scope::Namespaced {
                object["metadata"]["namespace"] = Value::from(ns.as_str());
            }
            let dynamic: DynamicObject = serde_json::from_value(object.clone()).expect("an object");
            match api.create(&PostParams::default(), &dynamic).await {
                Ok(_) => {}
                // An object given twice (two files, one name): the later one replaces it, as
                // `kubectl apply` of both files would.
                Err(kube::Error::Api(status)) if status.code == 409 => {
                    let current = api.get(example.name()).await.expect("the first one");
                    let mut replacing = dynamic.clone();
                    replacing.metadata.resource_version = current.metadata.resource_version;
                    api.replace(example.name(), &PostParams::default(), &replacing)
                        .await
                        .unwrap_or_else(|e| panic!("{}: replace: {e}", example.label()));
                    let key = |o: &Value| (o["kind"].clone(), o["metadata"]["name"].clone());
                    let position = written.iter().position(|o| key(o) == key(&object));
                    if let Some(position) = position {
                        written.remove(position);
                        read.remove(position);
                    }
                }
                Err(kube::Error::Api(status)) => {
                    refused.push((example.label(), status.message));
                    continue;
                }
                Err(e) => panic!("{}: {e}", example.label()),
            }
            if let Some(status) = object.get("status").filter(|s| !s.is_null()) {
                let patch = Patch::Merge(serde_json::json!({ "status": status }));
                api.patch_status(example.name(), &PatchParams::default(), &patch)
                    .await
                    .unwrap_or_else(|e| panic!("{}: status: {e}", example.label()));
            }
            let back = api.get(example.name()).await.expect("read back");
            let back = serde_json::to_value(back).expect("JSON");
            if capabilities.scope == Scope::Cluster {
                // Cluster-scoped objects are shared by the tests: this one goes again.
                api.delete(example.name(), &Default::default())
                    .await
                    .expect("deleted");
            }
            written.push(object);
            read.push(as_written(back));
        }
    });

    // Refused: the Secrets with placeholders, with the apiserver's own words; shoot-dns reads
    // them, and refuses their data as credentials of a provider.
    let refused_labels: Vec<&str> = refused.iter().map(|(label, _)| label.as_str()).collect();
    assert!(
        refused_labels.iter().all(|l| l.contains(" Secret ")),
        "{refused:#?}"
    );
    for (label, message) in &refused {
        assert!(message.contains("illegal base64"), "{label}: {message}");
    }
    let placeholders: Vec<Value> = (examples.iter())
        .filter(|e| refused_labels.contains(&e.label().as_str()))
        .map(|e| e.object.clone())
        .collect();
    let ours = world_of(&placeholders);
    assert_eq!(ours.secrets.len(), placeholders.len());
    for secret in &ours.secrets {
        let properties = shoot_dns::provider::secret_properties(secret);
        let error = properties.expect_err("placeholder data are no credentials");
        assert!(error.to_string().contains("base64"), "{error}");
    }

    // Read back: the same objects through shoot-dns's types, the same plan.
    let from_files = world_of(&written);
    let from_server = world_of(&read);
    assert!(from_files.problems.is_empty(), "{:#?}", from_files.problems);
    assert_eq!(from_server.problems, from_files.problems);
    assert_eq!(from_server.entries, from_files.entries);
    assert_eq!(from_server.providers, from_files.providers);
    assert_eq!(from_server.annotations, from_files.annotations);
    assert_eq!(from_server.secrets, from_files.secrets);
    assert_eq!(from_server.ingresses, from_files.ingresses);
    assert_eq!(from_server.services, from_files.services);
    assert_eq!(from_server.gateways, from_files.gateways);
    assert_eq!(from_server.istio_gateways, from_files.istio_gateways);
    let config = shoot_dns::Config::default();
    let plan = |world: &shoot_dns::World| {
        serde_json::to_value(shoot_dns::Plan::compute(world, &config)).expect("JSON")
    };
    assert_eq!(plan(&from_server), plan(&from_files));
}

/// Objects that break Gardener's schema are refused by the apiserver, with its own error, on
/// the field that breaks it.
#[test]
fn the_apiserver_refuses_what_the_schema_forbids() {
    let Some(plane) = cluster::shared() else {
        return;
    };
    crds_installed(plane);
    let ns = plane.namespace("schema");
    let cases = [
        (
            "DNSEntry",
            serde_json::json!({"spec": {"targets": ["1.2.3.4"]}}),
            "spec.dnsName: Required value",
        ),
        (
            "DNSEntry",
            serde_json::json!({"spec": {"dnsName": "a.example.com", "ttl": "abc", "targets": ["1.2.3.4"]}}),
            "spec.ttl: Invalid value: \"string\"",
        ),
        (
            "DNSProvider",
            serde_json::json!({"spec": {"type": "bogus-dns", "secretRef": {"name": "s"}}}),
            "spec.type: Unsupported value: \"bogus-dns\"",
        ),
    ];
    block_on(async {
        let client = plane.client().await;
        namespace(&client, &ns).await;
        for (n, (kind, body, expected)) in cases.into_iter().enumerate() {
            let (resource, _) = resource(&client, "dns.gardener.cloud/v1alpha1", kind).await;
            let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &ns, &resource);
            let mut object = body;
            object["apiVersion"] = Value::from("dns.gardener.cloud/v1alpha1");
            object["kind"] = Value::from(kind);
            object["metadata"] = serde_json::json!({"name": format!("bad-{n}"), "namespace": ns});
            let dynamic: DynamicObject = serde_json::from_value(object).expect("an object");
            match api.create(&PostParams::default(), &dynamic).await {
                Err(kube::Error::Api(status)) => {
                    assert_eq!(status.code, 422, "{status:?}");
                    assert!(
                        status.message.contains(expected),
                        "{kind} {n}: {}",
                        status.message
                    );
                }
                other => panic!("{kind} {n} is not refused: {other:?}"),
            }
        }
    });
}
