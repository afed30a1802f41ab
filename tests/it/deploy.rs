//! The Helm chart of `shoot-dns controller` (deploy/chart/shoot-dns), rendered by helm
//! ([`crate::support::helm`]) and created in the tests' kube-apiserver
//! ([`crate::support::cluster`]): its CRDs are what `shoot-dns crds` prints, every object it
//! renders is accepted, and the rights of its ClusterRole and Role are what the controller
//! needs: the real binary, run with the chart's arguments and its ServiceAccount's token, makes
//! a Service's entry Ready; without a right it names the request it may not make.
//!
//! Each test renders a release named after a namespace of its own (its cluster-scoped objects
//! are named after the release) and runs the controller of a class of that name.

use std::path::Path;

use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::ClusterRole;
use kube::Api;
use kube::api::{DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams};
use kube::discovery::Scope;
use serde_json::{Value, json};

use crate::apiserver::{crds_installed, documents, namespace};
use crate::controller::{api, events_on, eventually, shop_ready};
use crate::support::binary::{CRATE_ROOT, run_in};
use crate::support::cluster::{self, ControlPlane, block_on};
use crate::support::controller::ControllerProcess;
use crate::support::helm;
use crate::support::tempdir::TempDir;

/// The chart.
const CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/chart/shoot-dns");
/// The field manager of the tests' server-side applies.
const MANAGER: &str = "shoot-dns-deploy-tests";

/// `helm template <release> <chart> --namespace <release>` with `--set`s, and the CRDs when
/// `crds`: the rendered objects.
fn render(helm: &Path, release: &str, sets: &[&str], crds: bool) -> Vec<Value> {
    let mut args = vec!["template", release, CHART, "--namespace", release];
    if crds {
        args.push("--include-crds");
    }
    for set in sets {
        args.extend(["--set", set]);
    }
    documents(&helm::run(helm, &args))
}

fn kind(object: &Value) -> &str {
    object["kind"].as_str().unwrap_or_default()
}

fn name(object: &Value) -> &str {
    object["metadata"]["name"].as_str().unwrap_or_default()
}

/// The one rendered object of `kind`.
fn the<'a>(objects: &'a [Value], kind_: &str) -> &'a Value {
    let found: Vec<&Value> = objects.iter().filter(|o| kind(o) == kind_).collect();
    assert_eq!(found.len(), 1, "one {kind_}: {found:#?}");
    found[0]
}

/// The API of an object's kind (in its namespace when the kind is namespaced).
async fn api_for(client: &kube::Client, object: &Value) -> Api<DynamicObject> {
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, kind(object));
    let (resource, capabilities) = kube::discovery::pinned_kind(client, &gvk)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "the apiserver serves no {api_version} {}: {e}",
                kind(object)
            )
        });
    match capabilities.scope {
        Scope::Namespaced => {
            let namespace = object["metadata"]["namespace"]
                .as_str()
                .unwrap_or_else(|| panic!("{} {} has a namespace", kind(object), name(object)));
            Api::namespaced_with(client.clone(), namespace, &resource)
        }
        Scope::Cluster => Api::all_with(client.clone(), &resource),
    }
}

/// Server-side applies `object` (forcing: the CRDs may have been created by other tests), and
/// gives it as the server holds it afterwards.
async fn apply(client: &kube::Client, object: &Value) -> DynamicObject {
    let api = api_for(client, object).await;
    let params = PatchParams::apply(MANAGER).force();
    (api.patch(name(object), &params, &Patch::Apply(object))
        .await)
        .unwrap_or_else(|e| {
            panic!(
                "the apiserver refuses {} {}: {e}",
                kind(object),
                name(object)
            )
        })
}

/// Deletes the cluster-scoped objects of a release (its ClusterRole and ClusterRoleBinding;
/// not the CRDs, which the other tests share).
async fn delete_cluster_scoped(client: &kube::Client, objects: &[Value]) {
    for object in objects {
        if matches!(kind(object), "ClusterRole" | "ClusterRoleBinding") {
            let api = api_for(client, object).await;
            let _ = api.delete(name(object), &DeleteParams::default()).await;
        }
    }
}

/// The labels every object of the release `release` carries.
fn release_labels(release: &str) -> Value {
    json!({
        "helm.sh/chart": "shoot-dns-0.1.0",
        "app.kubernetes.io/name": "shoot-dns",
        "app.kubernetes.io/instance": release,
        "app.kubernetes.io/version": env!("CARGO_PKG_VERSION"),
        "app.kubernetes.io/managed-by": "Helm",
    })
}

/// The chart's CRD files are exactly the documents `shoot-dns crds` prints today, one file each,
/// named after the CRD (deploy/update-crds.sh writes them).
#[test]
fn the_charts_crds_are_what_shoot_dns_crds_prints() {
    let printed = run_in(CRATE_ROOT, &["crds"], None).expect_code(0, &["crds"]);
    let mut expected = Vec::new();
    for document in printed.stdout.split("---\n").filter(|d| !d.is_empty()) {
        let text = format!("---\n{document}");
        let crd = &documents(&text)[0];
        expected.push((format!("{}.yaml", name(crd)), text));
    }
    assert_eq!(expected.len(), 4, "{}", printed.stdout);
    let folder = Path::new(CHART).join("crds");
    let mut files: Vec<String> = std::fs::read_dir(&folder)
        .expect("deploy/chart/shoot-dns/crds")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    files.sort();
    let mut names: Vec<String> = expected.iter().map(|(n, _)| n.clone()).collect();
    names.sort();
    assert_eq!(files, names, "run deploy/update-crds.sh");
    for (file, text) in &expected {
        let chart = std::fs::read_to_string(folder.join(file)).expect("a CRD file");
        assert!(
            chart == *text,
            "deploy/chart/shoot-dns/crds/{file} is not what `shoot-dns crds` prints: run \
             deploy/update-crds.sh"
        );
    }
    let chart = std::fs::read_to_string(Path::new(CHART).join("Chart.yaml")).expect("Chart.yaml");
    assert!(
        chart.contains(&format!("appVersion: \"{}\"", env!("CARGO_PKG_VERSION"))),
        "Chart.yaml's appVersion is the crate's version"
    );
}

/// `helm template --include-crds` with every optional part on: each rendered object carries the
/// release's labels, the Deployment is as deploy/README.md says (two replicas, leader election in
/// the release namespace, the ports and probes, POD_NAME, the security context), and the
/// apiserver accepts every object (server-side apply, forced: the CRDs may be there already)
/// and holds it afterwards; applied again, nothing changes.
#[test]
fn the_chart_renders_and_every_object_is_created_in_the_apiserver() {
    let Some(plane) = cluster::shared() else {
        return;
    };
    let Some(helm) = helm::helm() else {
        return;
    };
    // The shared CRDs first: they are created once per test binary, and must not be there
    // before that.
    crds_installed(plane);
    let ns = plane.namespace("deploy-chart");
    let objects = render(
        helm,
        &ns,
        &[
            "metrics.service.enabled=true",
            "config.controllers.source.targetNamespace=entries",
            "targetKubeconfig.secretName=target",
            "defaultTtl=120",
        ],
        true,
    );
    let mut kinds: Vec<&str> = objects.iter().map(kind).collect();
    kinds.sort_unstable();
    assert_eq!(
        kinds,
        [
            "ClusterRole",
            "ClusterRoleBinding",
            "ConfigMap",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "Deployment",
            "Role",
            "RoleBinding",
            "Service",
            "ServiceAccount",
        ]
    );
    for object in objects
        .iter()
        .filter(|o| kind(o) != "CustomResourceDefinition")
    {
        assert_eq!(
            object["metadata"]["labels"],
            release_labels(&ns),
            "{} {}",
            kind(object),
            name(object)
        );
        assert!(name(object).starts_with(&ns), "{}", name(object));
    }

    let deployment = the(&objects, "Deployment");
    assert_eq!(deployment["spec"]["replicas"], 2);
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(
        pod["serviceAccountName"],
        name(the(&objects, "ServiceAccount"))
    );
    let container = &pod["containers"][0];
    let args: Vec<&str> = (container["args"].as_array().expect("args").iter())
        .map(|a| a.as_str().expect("a string"))
        .collect();
    for arg in [
        "--class=garden".to_owned(),
        "--default-ttl=120".to_owned(),
        "--leader-election=true".to_owned(),
        format!("--leader-election-namespace={ns}"),
        format!("--leader-election-id={ns}-shoot-dns"),
        "--metrics-bind-address=:8080".to_owned(),
        "--health-probe-bind-address=:8081".to_owned(),
        "--config=/etc/shoot-dns/config/config.yaml".to_owned(),
        "--target-kubeconfig=/etc/shoot-dns/target/kubeconfig".to_owned(),
    ] {
        assert!(args.contains(&arg.as_str()), "{arg} in {args:?}");
    }
    assert_eq!(
        container["env"],
        json!([{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}])
    );
    assert_eq!(
        container["ports"],
        json!([
            {"name": "metrics", "containerPort": 8080, "protocol": "TCP"},
            {"name": "health", "containerPort": 8081, "protocol": "TCP"},
        ])
    );
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["livenessProbe"]["httpGet"]["port"], "health");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(
        container["securityContext"],
        json!({
            "runAsNonRoot": true, "runAsUser": 65532, "readOnlyRootFilesystem": true,
            "allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        })
    );
    assert!(container["resources"]["requests"].is_object());
    assert!(container["resources"]["limits"].is_object());
    let role = the(&objects, "Role");
    assert_eq!(role["metadata"]["namespace"], ns.as_str());

    block_on(async {
        let client = plane.client().await;
        namespace(&client, &ns).await;
        let mut versions = Vec::new();
        for object in &objects {
            let applied = apply(&client, object).await;
            versions.push(applied.metadata.resource_version);
        }
        for (object, version) in objects.iter().zip(&versions) {
            let api = api_for(&client, object).await;
            let held = (api.get(name(object)).await)
                .unwrap_or_else(|e| panic!("{} {} is held: {e}", kind(object), name(object)));
            assert_eq!(held.metadata.resource_version, *version);
            if kind(object) != "CustomResourceDefinition" {
                let labels = serde_json::to_value(&held.metadata.labels).expect("JSON");
                assert_eq!(labels, release_labels(&ns));
            }
        }
        let deployments = api(&client, "apps/v1", "Deployment", &ns).await;
        let held = deployments
            .get(&format!("{ns}-shoot-dns"))
            .await
            .expect("the Deployment");
        assert_eq!(held.data["spec"]["replicas"], 2);
        assert_eq!(
            held.data["spec"]["template"]["spec"]["containers"][0]["args"],
            container["args"]
        );
        // Applied again: the same objects, nothing written.
        for (object, version) in objects.iter().zip(&versions) {
            let again = apply(&client, object).await;
            assert_eq!(
                again.metadata.resource_version,
                *version,
                "{} {} changed when applied again",
                kind(object),
                name(object)
            );
        }
        delete_cluster_scoped(&client, &objects).await;
    });
}

/// The binary with the arguments of the chart's Deployment, but on `kubeconfig` and without the
/// metrics and health ports (tests run side by side), as the Pod `pod`.
fn controller(dir: &TempDir, pod: &str, deployment: &Value, kubeconfig: &str) -> ControllerProcess {
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    let mut args: Vec<String> = (container["args"].as_array().expect("args").iter())
        .map(|a| a.as_str().expect("a string").to_owned())
        .filter(|a| !a.starts_with("--metrics-bind-address="))
        .filter(|a| !a.starts_with("--health-probe-bind-address="))
        .collect();
    args.extend([
        "--metrics-bind-address=0".to_owned(),
        "--health-probe-bind-address=0".to_owned(),
        format!("--kubeconfig={kubeconfig}"),
    ]);
    ControllerProcess::spawn(dir.path(&format!("{pod}.log")), pod, args)
}

/// A token of the ServiceAccount `name` in `namespace` (TokenRequest), for an hour.
async fn token(client: &kube::Client, namespace: &str, name: &str) -> String {
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: Vec::new(),
            expiration_seconds: Some(3600),
            ..TokenRequestSpec::default()
        },
        ..TokenRequest::default()
    };
    let granted = (accounts
        .create_token_request(name, &PostParams::default(), &request)
        .await)
        .expect("a token of the ServiceAccount");
    granted.status.expect("a token").token
}

/// A kubeconfig of `plane` (as [`ControlPlane::kubeconfig`] writes it) with `token`.
fn kubeconfig_with(plane: &ControlPlane, token: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: test\n  cluster:\n    server: {}\n    \
         insecure-skip-tls-verify: true\nusers:\n- name: controller\n  user:\n    token: {token}\n\
         contexts:\n- name: test\n  context: {{cluster: test, user: controller}}\n\
         current-context: test\n",
        plane.url()
    )
}

/// A client of `kubeconfig`.
async fn client_of(kubeconfig: &str) -> kube::Client {
    let file = kube::config::Kubeconfig::from_yaml(kubeconfig).expect("a kubeconfig");
    let options = kube::config::KubeConfigOptions::default();
    let config = kube::Config::from_custom_kubeconfig(file, &options)
        .await
        .expect("a client configuration");
    kube::Client::try_from(config).expect("a client")
}

/// Whether `client`'s identity may `verb` `resource` (`group`, `subresource`) in `namespace`.
async fn may(
    client: &kube::Client,
    verb: &str,
    group: &str,
    resource: &str,
    subresource: Option<&str>,
    namespace: &str,
) -> bool {
    let reviews: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let review = SelfSubjectAccessReview {
        spec: SelfSubjectAccessReviewSpec {
            resource_attributes: Some(ResourceAttributes {
                verb: Some(verb.to_owned()),
                group: Some(group.to_owned()),
                resource: Some(resource.to_owned()),
                subresource: subresource.map(str::to_owned),
                namespace: Some(namespace.to_owned()),
                ..ResourceAttributes::default()
            }),
            ..SelfSubjectAccessReviewSpec::default()
        },
        ..SelfSubjectAccessReview::default()
    };
    let answer =
        (reviews.create(&PostParams::default(), &review).await).expect("a SelfSubjectAccessReview");
    answer.status.is_some_and(|s| s.allowed)
}

/// Takes `verbs` of `resource` out of the ClusterRole `name` (the rule stays for the rest) and
/// waits until the authorizer of `plane` no longer gives them to `controller`'s identity.
async fn revoke(
    admin: &kube::Client,
    controller: &kube::Client,
    name: &str,
    (group, resource, subresource): (&str, &str, Option<&str>),
    verbs: &[&str],
    namespace: &str,
) {
    let roles: Api<ClusterRole> = Api::all(admin.clone());
    let mut role = roles.get(name).await.expect("the ClusterRole");
    let full = match subresource {
        Some(sub) => format!("{resource}/{sub}"),
        None => resource.to_owned(),
    };
    let rules = role.rules.take().unwrap_or_default();
    let mut kept = Vec::new();
    for rule in rules {
        let names = rule.resources.clone().unwrap_or_default();
        let groups = rule.api_groups.clone().unwrap_or_default();
        if !(names.contains(&full) && groups.iter().any(|g| g == group)) {
            kept.push(rule);
            continue;
        }
        // The rule without the resource, and the resource without the verbs.
        let mut without = rule.clone();
        without.resources = Some(names.into_iter().filter(|n| *n != full).collect());
        if without.resources.as_ref().is_some_and(|r| !r.is_empty()) {
            kept.push(without);
        }
        let mut alone = rule;
        alone.resources = Some(vec![full.clone()]);
        alone.verbs.retain(|v| !verbs.contains(&v.as_str()));
        if !alone.verbs.is_empty() {
            kept.push(alone);
        }
    }
    role.rules = Some(kept);
    (roles.replace(name, &PostParams::default(), &role).await).expect("the ClusterRole replaced");
    for verb in verbs {
        eventually("the authorizer sees the right taken away", || async {
            (!may(controller, verb, group, resource, subresource, namespace).await).then_some(())
        })
        .await;
    }
}

/// The chart's RBAC rights are enough: the real controller, with the arguments of the chart's
/// Deployment and a token of its ServiceAccount, leads (Lease), makes the entry of an annotated
/// Service Ready, puts the finalizers on the Service, the entry and the provider, records the
/// Events, and logs no refused request. With `patch` of `dnsentries/status` taken away, a
/// changed Service makes it log the refused request, naming the verb and the resource; so does
/// a controller started without `list` of `services`.
#[test]
fn the_charts_rights_are_enough_for_the_controller_and_a_missing_one_is_named() {
    let Some(plane) = cluster::shared() else {
        return;
    };
    let Some(helm) = helm::helm() else {
        return;
    };
    crds_installed(plane);
    let ns = plane.namespace("deploy-rbac");
    let class_set = format!("class={ns}");
    let namespace_set = format!("namespace={ns}");
    let objects = render(helm, &ns, &[&class_set, &namespace_set], false);
    let account = name(the(&objects, "ServiceAccount")).to_owned();
    let role = name(the(&objects, "ClusterRole")).to_owned();
    let deployment = the(&objects, "Deployment").clone();
    let dir = TempDir::new("deploy-rbac");

    // Clients belong to the runtime of one block_on: each block makes its own.
    let kubeconfig_text = block_on(async {
        let admin = plane.client().await;
        namespace(&admin, &ns).await;
        for object in &objects {
            apply(&admin, object).await;
        }
        kubeconfig_with(plane, &token(&admin, &ns, &account).await)
    });
    let kubeconfig = dir.write("kubeconfig", &kubeconfig_text);
    let mut first = controller(&dir, &format!("{ns}-first"), &deployment, &kubeconfig);
    first.line_with(&["leader election: leading"]);
    block_on(async {
        let client = plane.client().await;
        shop_ready(&client, &ns).await;
        let services = api(&client, "v1", "Service", &ns).await;
        let shop = services.get("shop").await.expect("the Service");
        assert_eq!(
            shop.metadata.finalizers.unwrap_or_default(),
            [format!("{ns}.dns.gardener.cloud/service-dns")]
        );
        let providers = api(&client, "dns.gardener.cloud/v1alpha1", "DNSProvider", &ns).await;
        let provider = eventually("the provider's finalizer", || async {
            let provider = providers.get("local").await.expect("the DNSProvider");
            (provider.metadata.finalizers.clone().unwrap_or_default())
                .contains(&format!("{ns}.dns.gardener.cloud/compound"))
                .then_some(provider)
        })
        .await;
        assert_eq!(provider.data["status"]["state"], "Ready");
        let events = eventually("the Service's events", || async {
            let events = events_on(&client, &ns, "Service", "shop").await;
            events
                .iter()
                .any(|e| e.starts_with("Normal DNSEntryCreated"))
                .then_some(events)
        })
        .await;
        assert!(!events.is_empty());
    });
    let log = first.log();
    assert!(
        !log.to_lowercase().contains("forbidden"),
        "a request was refused:\n{log}"
    );

    // Without `patch` of dnsentries/status, a changed Service: the entry's spec follows, its
    // status cannot.
    block_on(async {
        let admin = plane.client().await;
        let controller = client_of(&kubeconfig_text).await;
        revoke(
            &admin,
            &controller,
            &role,
            ("dns.gardener.cloud", "dnsentries", Some("status")),
            &["patch"],
            &ns,
        )
        .await;
        let services = api(&admin, "v1", "Service", &ns).await;
        let moved = json!({"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.2"}]}}});
        (services
            .patch_status("shop", &PatchParams::default(), &Patch::Merge(&moved))
            .await)
            .expect("the Service's status is written");
    });
    let line = first.line_with(&["failed to update status of DNSEntry", "forbidden"]);
    println!("refused status patch: {line}");
    assert!(
        line.contains(
            r#"cannot patch resource "dnsentries/status" in API group "dns.gardener.cloud""#
        ),
        "{line}"
    );
    assert!(
        line.contains(&format!(r#"User "system:serviceaccount:{ns}:{account}""#)),
        "{line}"
    );
    let status = first.stop();
    assert!(status.success(), "{status}: {}", first.log());

    // Without `list` and `watch` of Services, a controller that starts: the watch names them.
    block_on(async {
        let admin = plane.client().await;
        let controller = client_of(&kubeconfig_text).await;
        revoke(
            &admin,
            &controller,
            &role,
            ("", "services", None),
            &["list", "watch"],
            &ns,
        )
        .await;
    });
    let second = controller(&dir, &format!("{ns}-second"), &deployment, &kubeconfig);
    let line = second.line_with(&["watch of Service", "forbidden"]);
    println!("refused watch: {line}");
    assert!(
        line.contains(r#"cannot list resource "services" in API group """#),
        "{line}"
    );
    drop(second);
    block_on(async { delete_cluster_scoped(&plane.client().await, &objects).await });
}
