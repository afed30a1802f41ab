//! The controller's watch side (feature `kube`; adapters/kube/watch.rs) against the real
//! apiserver: what is created, changed and deleted in a cluster reaches a `Planner` as the core's
//! objects.

use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::BoxStream;
use kube::Api;
use kube::api::{DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::json;
use shoot_dns::adapters::kube::watch::{self, Input};
use shoot_dns::plan::{Plan, Planner};
use shoot_dns::{Class, Config};

use crate::apiserver::{crds_installed, namespace};
use crate::support::cluster::{self, block_on};

/// Creates `object` (status through the status subresource) in the cluster.
async fn create(client: &kube::Client, kinds: &[watch::Watched], object: serde_json::Value) {
    let kind = object["kind"].as_str().unwrap_or_default();
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    let watched = (kinds.iter())
        .find(|w| w.resource.kind == kind && w.resource.api_version == api_version)
        .unwrap_or_else(|| panic!("{api_version} {kind} is watched"));
    let namespace = object["metadata"]["namespace"].as_str().unwrap_or_default();
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), namespace, &watched.resource);
    let dynamic: DynamicObject = serde_json::from_value(object.clone()).expect("an object");
    let created = api.create(&PostParams::default(), &dynamic).await;
    let created = created.unwrap_or_else(|e| panic!("{kind} is created: {e}"));
    if object.get("status").is_some() {
        let name = created.metadata.name.clone().unwrap_or_default();
        let status = json!({"status": object["status"]});
        api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&status))
            .await
            .unwrap_or_else(|e| panic!("{kind} status is written: {e}"));
    }
}

/// Feeds `inputs` to `planner` until `done` holds for its plan (at most 30 s); the inputs
/// that were invalid or failed.
async fn until(
    inputs: &mut BoxStream<'static, Input>,
    planner: &mut Planner,
    done: impl Fn(&Plan) -> bool,
) -> Vec<String> {
    let started = Instant::now();
    let mut problems = Vec::new();
    while !done(&planner.plan()) {
        let left = Duration::from_secs(30).saturating_sub(started.elapsed());
        let input = tokio::time::timeout(left, inputs.next()).await;
        let input =
            input.unwrap_or_else(|_| panic!("no plan as expected within 30 s: {problems:?}"));
        let input = input.expect("the watches never end");
        match &input {
            Input::Invalid(object, message) => problems.push(format!("{object:?}: {message}")),
            Input::Failed(kind, message) => problems.push(format!("{kind:?}: {message}")),
            _ => {}
        }
        watch::feed(planner, input);
    }
    problems
}

fn entry_for<'p>(plan: &'p Plan, dns_name: &str) -> Option<&'p shoot_dns::api::DnsEntry> {
    (plan.entries.iter()).find(|e| e.spec.dns_name == dns_name)
}

/// Every kind the core reads is served (the CRDs are installed) and watched; a DNSProvider and
/// an annotated Service created in the cluster reach the planner, which plans the Service's
/// entry; a changed annotation changes the entry; the Service deleted, the entry goes.
#[test]
fn objects_of_the_cluster_reach_the_planner() {
    let Some(plane) = cluster::shared() else {
        return;
    };
    crds_installed(plane);
    let ns = plane.namespace("watch");
    block_on(async {
        let client = plane.client().await;
        namespace(&client, &ns).await;
        let (kinds, missing) = watch::discover(&client).await;
        assert!(missing.is_empty(), "{missing:?}");
        assert_eq!(kinds.len(), 10);
        let garden = json!({"dns.gardener.cloud/class": "garden"});
        create(
            &client,
            &kinds,
            json!({
                "apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSProvider",
                "metadata": {"name": "local", "namespace": ns, "annotations": garden},
                "spec": {"type": "local", "domains": {"include": ["example.org"]},
                         "providerConfig": {"zones": [{"dnsName": "example.org"}]}},
            }),
        )
        .await;
        let mut inputs = watch::watch(&client, &kinds, Some(&ns));
        let mut planner = Planner::new(Config::for_class(Class::GARDEN.parse().expect("a class")));
        let service = |names: &str| {
            json!({
                "apiVersion": "v1", "kind": "Service",
                "metadata": {"name": "shop", "namespace": ns, "annotations": {
                    "dns.gardener.cloud/class": "garden", "dns.gardener.cloud/dnsnames": names}},
                "spec": {"type": "LoadBalancer", "ports": [{"port": 443}]},
                "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}},
            })
        };
        create(&client, &kinds, service("shop.example.org")).await;
        // The watches of the kinds run side by side: the provider may come after the Service.
        let problems = until(&mut inputs, &mut planner, |plan| {
            entry_for(plan, "shop.example.org")
                .and_then(|e| e.status.as_ref())
                .is_some_and(|s| s.provider.is_some())
        })
        .await;
        assert!(problems.is_empty(), "{problems:?}");
        let plan = planner.plan();
        let entry = entry_for(&plan, "shop.example.org").expect("the Service's entry");
        assert_eq!(
            entry.spec.targets.as_deref(),
            Some(&["192.0.2.1".to_owned()][..])
        );
        let status = entry.status.as_ref().expect("a status");
        assert_eq!(
            status.provider.as_deref(),
            Some(format!("{ns}/local").as_str())
        );

        let services: Api<DynamicObject> =
            Api::namespaced_with(client.clone(), &ns, &kinds[0].resource);
        let renamed = json!({"metadata": {"annotations": {"dns.gardener.cloud/dnsnames": "store.example.org"}}});
        services
            .patch("shop", &PatchParams::default(), &Patch::Merge(&renamed))
            .await
            .expect("the Service is changed");
        until(&mut inputs, &mut planner, |plan| {
            entry_for(plan, "store.example.org").is_some()
                && entry_for(plan, "shop.example.org").is_none()
        })
        .await;

        services
            .delete("shop", &DeleteParams::default())
            .await
            .expect("the Service is deleted");
        until(&mut inputs, &mut planner, |plan| {
            entry_for(plan, "store.example.org").is_none()
        })
        .await;
    });
}
