//! `shoot-dns apply` with `aws-route53` providers against moto's Route 53 on loopback (feature
//! `aws-route53`; tests/it/support/route53.rs, and tests/route53/MOTO.md for where moto differs
//! from Route 53). The command line reaches it through `AWS_ENDPOINT_URL_ROUTE_53`, as it would
//! reach any other endpoint.

use serde_json::Value;

use crate::support::binary::run_in_env;
use crate::support::plan_json::{assert_all_ready, change_lines, list};
use crate::support::route53::Moto;
use crate::support::tempdir::TempDir;

/// The provider's Secret (moto checks no signature) and a provider of `domains`.
fn provider(domains: &[&str], excluded: &[&str], extra: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Secret
metadata: {{name: aws, namespace: default}}
type: Opaque
stringData: {{AWS_ACCESS_KEY_ID: AKIDEXAMPLE, AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI, AWS_REGION: us-east-1}}
---
apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSProvider
metadata: {{name: aws, namespace: default, annotations: {{dns.gardener.cloud/class: garden}}}}
spec:
  type: aws-route53
  secretRef: {{name: aws}}
  domains: {{include: {domains:?}, exclude: {excluded:?}}}
{extra}"#
    )
}

fn entry(name: &str, dns_name: &str, spec: &str) -> String {
    format!(
        "---\napiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\nmetadata: {{name: {name}, namespace: default, annotations: {{dns.gardener.cloud/class: garden}}}}\nspec: {{dnsName: {dns_name}, ttl: 120, {spec}}}\n"
    )
}

/// `shoot-dns args` in `dir` against `moto`, expecting exit status `code`; its JSON output.
fn run(dir: &TempDir, moto: &Moto, args: &[&str], code: i32) -> Value {
    let endpoint = moto.endpoint();
    let env = [("AWS_ENDPOINT_URL_ROUTE_53", endpoint.as_str())];
    run_in_env(dir.root(), args, None, &env)
        .expect_code(code, args)
        .json()
}

/// `shoot-dns apply -o json` of `manifests` against `moto`, with the state in `dir`.
fn apply(dir: &TempDir, moto: &Moto, manifests: &str, code: i32) -> Value {
    let world = dir.write("world.yaml", manifests);
    let state = dir.path("state.json").display().to_string();
    run(
        dir,
        moto,
        &["apply", "-o", "json", "--state", &state, &world],
        code,
    )
}

/// A plan (or apply) with nothing to change.
fn assert_no_changes(output: &Value) {
    assert!(
        list(&output["changes"]).is_empty(),
        "{:?}",
        change_lines(output)
    );
}

/// The record sets of a zone, as `name type values` lines (no SOA/NS).
fn zone_lines(moto: &Moto, zone: &str) -> Vec<String> {
    let mut lines: Vec<String> = (moto.record_sets(zone).iter())
        .filter(|s| s.record_type != "SOA" && s.record_type != "NS")
        .map(|s| {
            let alias = s
                .alias
                .as_ref()
                .map(|a| format!(" alias {} {}", a.hosted_zone_id, a.dns_name));
            let id = s
                .set_identifier
                .as_deref()
                .map(|i| format!(" #{i}"))
                .unwrap_or_default();
            format!(
                "{}{id} {} {:?} {}{}",
                s.name,
                s.record_type,
                s.ttl,
                s.values.join(","),
                alias.unwrap_or_default()
            )
        })
        .collect();
    lines.sort();
    lines
}

/// The zones the (first) provider's status lists as `included` or `excluded`.
fn provider_zones<'v>(output: &'v Value, which: &str) -> &'v Value {
    &list(&output["providers"])[0]["status"]["zones"][which]
}

fn states(output: &Value) -> Vec<String> {
    (list(&output["entries"]).iter())
        .map(|e| {
            format!(
                "{} {} {}",
                e["metadata"]["name"].as_str().unwrap_or(""),
                e["status"]["state"].as_str().unwrap_or(""),
                e["status"]["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// The zones of the account are discovered and selected by the provider's domains; plain record
/// sets of every type are created in the selected zone, a foreign record there is left alone, a
/// second apply changes nothing, and a changed and a removed entry update and delete exactly
/// their record sets.
#[test]
fn apply_creates_updates_and_deletes_in_the_selected_zone() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("example.org", false);
    let other = moto.create_zone("other.org", false);
    let sub = moto.create_zone("internal.example.org", false);
    moto.change(
        &zone.full,
        "CREATE",
        "foreign.example.org.",
        "A",
        300,
        &["198.51.100.1"],
    );
    let dir = TempDir::new("route53-crud");
    let mut manifests = provider(&["example.org"], &["internal.example.org"], "");
    manifests += &entry("a", "a.example.org", "targets: [192.0.2.1, 192.0.2.2]");
    manifests += &entry("aaaa", "v6.example.org", "targets: ['2001:db8::1']");
    manifests += &entry("cname", "www.example.org", "targets: [lb.example.net]");
    manifests += &entry(
        "txt",
        "_v.example.org",
        r#"text: ["hello \"world\"", second]"#,
    );
    let first = apply(&dir, &moto, &manifests, 0);
    assert_all_ready(&first);
    assert_eq!(
        provider_zones(&first, "included"),
        &serde_json::json!([zone.bare])
    );
    assert_eq!(
        zone_lines(&moto, &zone.full),
        [
            r#"_v.example.org. TXT Some(120) "hello \"world\"","second""#,
            "a.example.org. A Some(120) 192.0.2.1,192.0.2.2",
            "foreign.example.org. A Some(300) 198.51.100.1",
            "v6.example.org. AAAA Some(120) 2001:db8::1",
            "www.example.org. CNAME Some(120) lb.example.net",
        ]
    );
    assert!(zone_lines(&moto, &other.full).is_empty());
    assert!(zone_lines(&moto, &sub.full).is_empty());

    let second = apply(&dir, &moto, &manifests, 0);
    assert_no_changes(&second);

    let mut changed = provider(&["example.org"], &["internal.example.org"], "");
    changed += &entry("a", "a.example.org", "targets: [192.0.2.9]");
    changed += &entry("aaaa", "v6.example.org", "targets: ['2001:db8::1']");
    let third = apply(&dir, &moto, &changed, 0);
    assert_eq!(
        list(&third["changes"]).len(),
        3,
        "{:?}",
        change_lines(&third)
    );
    assert_eq!(
        zone_lines(&moto, &zone.full),
        [
            "a.example.org. A Some(120) 192.0.2.9",
            "foreign.example.org. A Some(300) 198.51.100.1",
            "v6.example.org. AAAA Some(120) 2001:db8::1",
        ]
    );
}

/// A change Route 53 refuses lands on its entry: the batch that holds it is refused, its
/// changes are sent again one by one, the others are made, and the refused entry is `Error`
/// with the server's words (here: more than Route 53's 1000 records in one request). Once the
/// entry asks for something Route 53 takes, the next apply makes it `Ready`.
#[test]
fn a_refused_change_lands_on_its_entry_while_the_others_apply() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("example.org", false);
    let dir = TempDir::new("route53-refused");
    let many: Vec<String> = (0..1001)
        .map(|i| format!("10.0.{}.{}", i / 250, i % 250 + 1))
        .collect();
    let mut manifests = provider(&["example.org"], &[], "");
    manifests += &entry("a", "a.example.org", "targets: [192.0.2.1]");
    manifests += &entry(
        "big",
        "big.example.org",
        &format!("targets: [{}]", many.join(", ")),
    );
    manifests += &entry("c", "c.example.org", "targets: [192.0.2.3]");
    let first = apply(&dir, &moto, &manifests, 3);
    let limit = "Number of records limit of 1000 exceeded.";
    let results: Vec<String> = (list(&first["changes"]).iter())
        .map(|c| {
            format!(
                "{} {}",
                c["name"].as_str().unwrap_or(""),
                c["result"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(results.len(), 3, "{results:?}");
    assert!(results[0].starts_with("a.example.org ok"), "{results:?}");
    assert!(
        results[1].starts_with("big.example.org error: ") && results[1].contains(limit),
        "{results:?}"
    );
    assert!(results[2].starts_with("c.example.org ok"), "{results:?}");
    let after = states(&first);
    assert!(after[0].starts_with("a Ready "), "{after:#?}");
    assert_eq!(
        after[1],
        format!(
            "big Error failed to execute DNS change requests: Route 53 hosted zone {}: {limit}",
            zone.bare
        )
    );
    assert!(after[2].starts_with("c Ready "), "{after:#?}");
    assert_eq!(
        zone_lines(&moto, &zone.full),
        [
            "a.example.org. A Some(120) 192.0.2.1",
            "c.example.org. A Some(120) 192.0.2.3",
        ]
    );

    let fixed = manifests.replace(&many.join(", "), &many[..3].join(", "));
    let second = apply(&dir, &moto, &fixed, 0);
    assert_eq!(
        change_lines(&second).len(),
        1,
        "{:?}",
        change_lines(&second)
    );
    assert_all_ready(&second);
    assert_eq!(
        zone_lines(&moto, &zone.full)[1],
        "big.example.org. A Some(120) 10.0.0.1,10.0.0.2,10.0.0.3"
    );
}

/// A geolocation name that shoot-dns's copy of Route 53's list lacks is looked up with
/// `ListGeoLocations`; moto has no such call (MOTO.md), so here the lookup fails, and the entry
/// says so while the others apply. (Against Route 53, a name it lists is written, and one it
/// does not is `location <name> not found`: the backend's unit tests.)
#[test]
fn a_geolocation_name_route53_must_look_up_fails_alone_when_it_cannot() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("example.org", false);
    let dir = TempDir::new("route53-geo-names");
    let mut manifests = provider(&["example.org"], &[], "");
    manifests += &entry("a", "a.example.org", "targets: [192.0.2.1]");
    manifests += &entry(
        "n",
        "geo.example.org",
        "targets: [192.0.2.2], routingPolicy: {type: geolocation, setIdentifier: n, parameters: {location: Newland}}",
    );
    let first = apply(&dir, &moto, &manifests, 3);
    let after = states(&first);
    assert!(after[0].starts_with("a Ready "), "{after:#?}");
    assert!(
        after[1].starts_with(
            "n Error failed to execute DNS change requests: listing geo-locations failed: ListGeoLocations: "
        ),
        "{after:#?}"
    );
    assert_eq!(
        zone_lines(&moto, &zone.full),
        ["a.example.org. A Some(120) 192.0.2.1"]
    );
}

/// `providerAdvancedOptions.aws-route53.blockedZones` of `--config` hides a zone from every
/// provider of the type: nothing is planned into it.
#[test]
fn blocked_zones_of_the_configuration_are_left_alone() {
    let Some(moto) = Moto::start() else { return };
    let open = moto.create_zone("example.org", false);
    let blocked = moto.create_zone("example.net", false);
    let dir = TempDir::new("route53-blocked");
    let config = dir.write(
        "config.yaml",
        &format!(
            "class: garden\nproviderAdvancedOptions:\n  aws-route53:\n    blockedZones: [{}]\n",
            blocked.bare
        ),
    );
    let mut manifests = provider(&["example.org", "example.net"], &[], "");
    manifests += &entry("a", "a.example.org", "targets: [192.0.2.1]");
    manifests += &entry("b", "b.example.org", "targets: [192.0.2.2]");
    manifests += &entry("n", "n.example.net", "targets: [192.0.2.3]");
    let world = dir.write("world.yaml", &manifests);
    let state = dir.path("state.json").display().to_string();
    let args = [
        "apply", "-o", "json", "--config", &config, "--state", &state, &world,
    ];
    let first = run(&dir, &moto, &args, 0);
    assert_eq!(
        provider_zones(&first, "included"),
        &serde_json::json!([open.bare])
    );
    let after = states(&first);
    assert!(
        after[0].starts_with("a Ready ") && after[1].starts_with("b Ready "),
        "{after:#?}"
    );
    assert!(!after[2].contains(" Ready "), "{after:#?}");
    assert_eq!(zone_lines(&moto, &open.full).len(), 2);
    assert!(zone_lines(&moto, &blocked.full).is_empty());
}

/// A public and a private zone of one name are two zones: the provider's `zones` rules pick
/// one by id, and the records go there only; the provider's status lists the zones it uses.
#[test]
fn a_private_zone_of_the_same_name_is_chosen_by_its_id() {
    let Some(moto) = Moto::start() else { return };
    let public = moto.create_zone("example.org", false);
    let private = moto.create_zone("example.org", true);
    let dir = TempDir::new("route53-private");
    let zones = format!("  zones: {{exclude: [{}]}}\n", public.bare);
    let mut manifests = provider(&["example.org"], &[], &zones);
    manifests += &entry("a", "a.example.org", "targets: [192.0.2.1]");
    let first = apply(&dir, &moto, &manifests, 0);
    assert_eq!(
        provider_zones(&first, "included"),
        &serde_json::json!([private.bare])
    );
    assert_eq!(
        provider_zones(&first, "excluded"),
        &serde_json::json!([public.bare])
    );
    assert!(
        states(&first)[0].starts_with("a Ready "),
        "{:#?}",
        states(&first)
    );
    assert_eq!(
        zone_lines(&moto, &private.full),
        ["a.example.org. A Some(120) 192.0.2.1"]
    );
    assert!(zone_lines(&moto, &public.full).is_empty());
    assert_no_changes(&apply(&dir, &moto, &manifests, 0));
}

/// A target that is an AWS load balancer becomes an alias record in the load balancer's
/// canonical hosted zone, with its TXT companion; it reads back as planned, so a second apply
/// plans nothing.
#[test]
fn a_load_balancer_target_becomes_an_alias_record() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("example.org", false);
    let dir = TempDir::new("route53-alias");
    let lb = "my-lb-1234.eu-central-1.elb.amazonaws.com";
    let mut manifests = provider(&["example.org"], &[], "");
    manifests += &entry("lb", "lb.example.org", &format!("targets: [{lb}]"));
    let first = apply(&dir, &moto, &manifests, 0);
    assert_all_ready(&first);
    assert_eq!(
        zone_lines(&moto, &zone.full),
        [
            format!("lb.example.org. A None  alias Z215JYRZR1TBD5 {lb}"),
            format!(r#"lb.example.org. TXT Some(120) "{lb}""#),
        ]
    );
    let second = apply(&dir, &moto, &manifests, 0);
    assert_no_changes(&second);
    // Statuses as the entries already show them: nothing to report.
    assert!(list(&second["events"]).is_empty(), "{:#}", second["events"]);
}

/// A routed record set as moto holds it: set identifier, routing fields, health check.
type Routed = (String, Vec<(String, String)>, Option<String>);

/// Each routing policy moto keeps (weighted, latency, geolocation, failover; moto drops the
/// CIDR routing of `ip-based`, see MOTO.md) is written with its set identifier and health
/// check, and reads back as planned: a second apply plans nothing. A geolocation given by
/// its name (`Germany`) reads back as Route 53 gives it (`country=DE`) and still matches.
#[test]
fn routing_policies_round_trip() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("example.org", false);
    let dir = TempDir::new("route53-policies");
    let mut manifests = provider(&["example.org"], &[], "");
    let policies = [
        ("w1", "weighted", "{weight: '10', healthCheckID: hc-1}"),
        ("w2", "weighted", "{weight: '0'}"),
        ("l1", "latency", "{region: eu-central-1}"),
        ("g1", "geolocation", "{location: Europe}"),
        ("g2", "geolocation", "{location: Default}"),
        ("g3", "geolocation", "{location: Germany}"),
        (
            "g4",
            "geolocation",
            "{location: 'country=US,subdivision=CA'}",
        ),
        ("f1", "failover", "{failoverRecordType: PRIMARY}"),
    ];
    for (id, policy_type, parameters) in policies {
        manifests += &entry(
            id,
            &format!("{policy_type}.example.org"),
            &format!(
                "targets: [192.0.2.1], routingPolicy: {{type: {policy_type}, setIdentifier: {id}, parameters: {parameters}}}"
            ),
        );
    }
    let first = apply(&dir, &moto, &manifests, 0);
    assert_all_ready(&first);
    let sets = moto.record_sets(&zone.full);
    let routed: Vec<Routed> = (sets.iter())
        .filter(|s| s.set_identifier.is_some())
        .map(|s| {
            (
                s.set_identifier.clone().unwrap_or_default(),
                s.routing.clone(),
                s.health_check_id.clone(),
            )
        })
        .collect();
    assert_eq!(routed.len(), 8, "{routed:#?}");
    assert!(
        routed.iter().any(|(id, routing, _)| id == "g3"
            && routing.contains(&("GeoLocation/CountryCode".to_owned(), "DE".to_owned()))),
        "{routed:#?}"
    );
    assert!(
        routed.iter().any(|(id, routing, check)| id == "w1"
            && routing.contains(&("Weight".to_owned(), "10".to_owned()))
            && check.as_deref() == Some("hc-1")),
        "{routed:#?}"
    );
    let second = apply(&dir, &moto, &manifests, 0);
    assert_no_changes(&second);
}

/// More changes than one batch holds, and a zone of more record sets than one page: 320
/// entries with `batchSize: 50` are made in batches, read back across pages, and a second
/// apply plans nothing.
#[test]
fn many_changes_go_in_batches_and_a_big_zone_reads_page_by_page() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("example.org", false);
    let dir = TempDir::new("route53-batches");
    let mut manifests = provider(&["example.org"], &[], "  providerConfig: {batchSize: 50}\n");
    for i in 0..320 {
        manifests += &entry(
            &format!("e{i}"),
            &format!("e{i}.example.org"),
            &format!("targets: [192.0.2.{}]", i % 250),
        );
    }
    let first = apply(&dir, &moto, &manifests, 0);
    assert_eq!(list(&first["changes"]).len(), 320);
    assert!(list(&first["changes"]).iter().all(|c| c["result"] == "ok"));
    let pages = moto.record_sets_paged(&zone.full, Some(100));
    assert_eq!(
        pages.sets.iter().filter(|s| s.record_type == "A").count(),
        320
    );
    let second = apply(&dir, &moto, &manifests, 0);
    assert_no_changes(&second);
}

/// `plan --live` reads the account's zones and the selected zone's records, and changes
/// nothing: a foreign record at a name an entry wants makes that entry `Error`; without
/// `--live`, `plan` stays offline and sees no such record.
#[test]
fn plan_live_reads_the_account_and_changes_nothing() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("example.org", false);
    moto.change(
        &zone.full,
        "CREATE",
        "taken.example.org.",
        "A",
        300,
        &["198.51.100.1"],
    );
    let dir = TempDir::new("route53-live");
    let mut manifests = provider(&["example.org"], &[], "");
    manifests += &entry("taken", "taken.example.org", "targets: [192.0.2.1]");
    manifests += &entry("free", "free.example.org", "targets: [192.0.2.2]");
    let world = dir.write("world.yaml", &manifests);
    let before = zone_lines(&moto, &zone.full);
    let live = run(&dir, &moto, &["plan", "--live", "-o", "json", &world], 0);
    let states = states(&live);
    assert!(
        states
            .iter()
            .any(|s| s.starts_with("taken Error ") && s.contains("not owned")),
        "{states:#?}"
    );
    assert!(
        states.iter().any(|s| s.starts_with("free Pending ")),
        "{states:#?}"
    );
    assert_eq!(
        provider_zones(&live, "included"),
        &serde_json::json!([zone.bare])
    );
    let offline = run(&dir, &moto, &["plan", "-o", "json", &world], 0);
    let offline_states = (list(&offline["entries"]).iter())
        .map(|e| e["status"]["state"].as_str().unwrap_or("").to_owned())
        .collect::<Vec<_>>();
    assert_eq!(offline_states, ["Pending", "Pending"]);
    assert_eq!(
        zone_lines(&moto, &zone.full),
        before,
        "plan changed the zone"
    );
}
