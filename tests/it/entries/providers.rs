//! Provider statuses (PRV) and quotas (docs/entries-and-providers.md §3.4).

use super::*;

// ---------------------------------------------------------------------------------------------
// PRV: provider statuses
// ---------------------------------------------------------------------------------------------

/// PRV-01, PRV-07, PRV-09, §7 steps 3–11: the provider status for each outcome, and a Warning
/// event on each provider that is not Ready.
#[test]
fn prv_provider_statuses() {
    let secret_less_aws = "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\n\
        metadata: {name: aws-no-ref, namespace: test}\n\
        spec: {type: aws-route53, domains: {include: [example.org]}}\n"
        .to_owned();
    let aws_missing_secret = "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\n\
        metadata: {name: aws-missing, namespace: test}\n\
        spec: {type: aws-route53, secretRef: {name: creds, namespace: elsewhere}, \
        domains: {include: [example.org]}}\n"
        .to_owned();
    let manifests = [
        p1(),
        "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\n\
         metadata: {name: mock, namespace: test}\nspec: {type: mock-inmemory}\n"
            .to_owned(),
        local_provider("empty", "empty", &[], &[], &[], ""),
        p1().replace("name: p1", "name: failing")
            .replace("account: test,", "account: failing, failGetZones: true,"),
        local_provider("nomatch", "nomatch", &["a.b"], &["x.y"], &[], ""),
        secret_less_aws,
        aws_missing_secret,
        local_provider(
            "bad-key",
            "bad",
            &["bad.org"],
            &[],
            &[],
            ", secretRef: {name: bad-secret}",
        ),
        "apiVersion: v1\nkind: Secret\nmetadata: {name: bad-secret, namespace: test}\n\
         data: {bad_key: eA==}\n"
            .to_owned(),
        local_provider("ttl", "ttl", &["ttl.org"], &[], &[], ", defaultTTL: 120"),
    ];
    let plan = Cluster::new().plan(&manifests);
    let expect = [
        ("p1", "Ready", "provider operational"),
        (
            "mock",
            "Invalid",
            "provider type \"mock-inmemory\" is not supported",
        ),
        ("empty", "Error", "no hosted zones available in account"),
        (
            "failing",
            "Error",
            "forced error by mockConfig.FailGetZones",
        ),
        (
            "nomatch",
            "Error",
            "no domain matching hosting zones. Need to be a (sub)domain of [a.b]",
        ),
        ("aws-no-ref", "Invalid", "no secret reference specified"),
        // the namespace of secretRef is ignored: the provider's namespace is used
        ("aws-missing", "Error", "secret test/creds not found"),
        (
            "bad-key",
            "Error",
            "secret test/bad-secret validation failed: 'bad_key' is not allowed in local provider properties: x",
        ),
        ("ttl", "Ready", "provider operational"),
    ];
    for (name, state, message) in expect {
        let s = provider_status(&plan, name);
        assert_eq!(
            (s.state.as_deref(), s.message.as_deref()),
            (Some(state), Some(message)),
            "provider {name}"
        );
        if state == "Ready" {
            assert!(s.domains.is_some(), "{name}: {s:?}");
        } else {
            assert!(
                s.domains.as_ref().is_none_or(|d| d.included.is_empty()),
                "{name}: a failed provider includes no domain: {s:?}"
            );
            assert!(
                plan.events
                    .iter()
                    .any(|e| e.involved_object.kind == "DNSProvider"
                        && e.involved_object.name == name
                        && e.event_type == shoot_dns::events::EventType::Warning
                        && e.message == message),
                "{name}: no Warning event in {:?}",
                plan.events
            );
        }
    }
    // Failure statuses from steps 2–10 clear domains, zones and the default TTL.
    for name in [
        "mock",
        "empty",
        "failing",
        "aws-no-ref",
        "aws-missing",
        "bad-key",
    ] {
        let s = provider_status(&plan, name);
        assert_eq!(
            (&s.domains, &s.zones, s.default_ttl),
            (&None, &None, None),
            "{name}"
        );
    }
    assert_eq!(provider_status(&plan, "p1").default_ttl, Some(360));
    assert_eq!(provider_status(&plan, "ttl").default_ttl, Some(120));
}

/// A provider's `spec.defaultTTL` is the TTL of its entries that set none; the config's 360
/// otherwise.
#[test]
fn prv_default_ttl_of_the_provider() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[
        local_provider(
            "short",
            "short",
            &["short.org"],
            &[],
            &[],
            ", defaultTTL: 120",
        ),
        p1(),
        entry("s", "dnsName: www.short.org, targets: [1.1.1.1]"),
        entry("l", "dnsName: www.example.com, targets: [1.1.1.1]"),
        entry("own", "dnsName: own.short.org, targets: [1.1.1.1], ttl: 77"),
    ]);
    assert_all_ok(&step.after);
    assert_eq!(status(&step.after, "s").ttl, Some(120));
    assert_eq!(status(&step.after, "l").ttl, Some(360));
    assert_eq!(status(&step.after, "own").ttl, Some(77));
    assert_eq!(
        cluster.zone("short:short.org"),
        ["own.short.org A 77 1.1.1.1", "www.short.org A 120 1.1.1.1"]
    );
}

// ---------------------------------------------------------------------------------------------
// Quotas (§3.4)
// ---------------------------------------------------------------------------------------------

/// A provider with `quotas.entries` takes at most that many entries; those it already has keep
/// their place, the others are `Error`.
#[test]
fn quota_limits_the_entries_of_a_provider() {
    let quota = p1().replace(
        "exclude: [example2.com]}",
        "exclude: [example2.com]}, quotas: {entries: 1}",
    );
    assert_ne!(quota, p1());
    let message = "provider test/p1 has reached its entries quota (max=1)";

    let mut cluster = Cluster::new();
    let b = entry("b", "dnsName: b.example.com, targets: [2.2.2.2]");
    let step = cluster.apply(&[quota.clone(), b.clone()]);
    assert_all_ok(&step.after);
    assert_eq!(status(&step.after, "b").state.as_deref(), Some("Ready"));

    // `a` sorts first, but `b` is already assigned to p1.
    let a = entry("a", "dnsName: a.example.com, targets: [1.1.1.1]");
    let step = cluster.apply(&[quota.clone(), a.clone(), b.clone()]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(
        state_and_message(status(&step.after, "a")),
        (Some("Error"), Some(message))
    );
    assert_eq!(status(&step.after, "b").state.as_deref(), Some("Ready"));
    assert_eq!(cluster.zone(EXAMPLE), ["b.example.com A 360 2.2.2.2"]);

    // `b` goes: `a` gets the place.
    let step = cluster.apply(&[quota, a]);
    assert_all_ok(&step.after);
    assert_eq!(status(&step.after, "a").state.as_deref(), Some("Ready"));
    assert_eq!(cluster.zone(EXAMPLE), ["a.example.com A 360 1.1.1.1"]);

    // Without ownership both are new: two entries for a quota of one.
    let fresh = Cluster::new().plan(&[
        p1().replace(
            "exclude: [example2.com]}",
            "exclude: [example2.com]}, quotas: {entries: 1}",
        ),
        entry("x", "dnsName: x.example.com, targets: [1.1.1.1]"),
        entry("y", "dnsName: y.example.com, targets: [1.1.1.1]"),
    ]);
    let states: Vec<Option<&str>> = ["x", "y"]
        .iter()
        .map(|n| status(&fresh, n).state.as_deref())
        .collect();
    assert_eq!(states, [Some("Pending"), Some("Error")]);
    assert_eq!(fresh.changes.len(), 1);
}
