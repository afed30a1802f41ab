//! Routing policies with the `local` mock (RP): weighted sets and their removal.

use super::*;

// ---------------------------------------------------------------------------------------------
// RP: routing policies with the local mock
// ---------------------------------------------------------------------------------------------

pub(super) fn p1_with_policies() -> String {
    p1().replace(
        "account: test,",
        "account: test, supportRoutingPolicy: true,",
    )
}

pub(super) fn weighted(name: &str, set: &str, weight: &str, targets: &str) -> String {
    entry(
        name,
        &format!(
            "dnsName: test.sub.example.com, targets: {targets}, routingPolicy: \
             {{type: weighted, setIdentifier: {set}, parameters: {{weight: '{weight}'}}}}"
        ),
    )
}

/// RP-01: two weighted entries for one name coexist; update and delete one at a time.
#[test]
fn rp_01_weighted_records() {
    let mut cluster = Cluster::new();
    let a = weighted("entry-a", "set1", "50", "[1.2.3.4]");
    let a2 = weighted("entry-a-2", "set2", "50", "[10.20.30.40]");
    let step = cluster.apply(&[p1_with_policies(), a, a2.clone()]);
    assert_all_ok(&step.after);
    for (name, set, target) in [
        ("entry-a", "set1", "1.2.3.4"),
        ("entry-a-2", "set2", "10.20.30.40"),
    ] {
        let s = status(&step.after, name);
        assert_ready(s, "p1", EXAMPLE, 360, &[target]);
        let policy = s.routing_policy.as_ref().expect("a routing policy");
        assert_eq!(
            (policy.policy_type.as_str(), policy.set_identifier.as_str()),
            ("weighted", set)
        );
        assert_eq!(policy.parameters["weight"], "50");
    }
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "test.sub.example.com#set1 A 360 1.2.3.4 weighted(weight=50)",
            "test.sub.example.com#set2 A 360 10.20.30.40 weighted(weight=50)",
        ]
    );
    assert_eq!(cluster.zone_counts(EXAMPLE), (2, 2));

    let a = weighted("entry-a", "set1", "10", "[5.6.7.8, '1234::5678']");
    let step = cluster.apply(&[p1_with_policies(), a, a2.clone()]);
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["5.6.7.8", "1234::5678"],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "test.sub.example.com#set1 A 360 5.6.7.8 weighted(weight=10)",
            "test.sub.example.com#set1 AAAA 360 1234::5678 weighted(weight=10)",
            "test.sub.example.com#set2 A 360 10.20.30.40 weighted(weight=50)",
        ]
    );
    assert_eq!(cluster.zone_counts(EXAMPLE), (2, 3));

    let step = cluster.apply(&[p1_with_policies(), a2]);
    assert_all_ok(&step.after);
    assert_eq!(cluster.zone_counts(EXAMPLE), (1, 1));
    assert_ready(
        status(&step.after, "entry-a-2"),
        "p1",
        EXAMPLE,
        360,
        &["10.20.30.40"],
    );

    let step = cluster.apply(&[p1_with_policies()]);
    assert_all_ok(&step.after);
    assert_eq!(cluster.zone_counts(EXAMPLE), (0, 0));
}

/// RP-03 and ORD-05: removing the routing policy deletes the set1 records before the plain
/// record is created.
#[test]
fn rp_03_removing_the_routing_policy() {
    let mut cluster = Cluster::new();
    cluster.apply(&[
        p1_with_policies(),
        weighted("entry-a", "set1", "50", "[1.2.3.4]"),
    ]);
    let step = cluster.apply(&[p1_with_policies(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com#set1 A 360:1.2.3.4 -> -",
            "create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_all_ok(&step.after);
    let a = status(&step.after, "entry-a");
    assert_ready(a, "p1", EXAMPLE, 360, &["1.2.3.4"]);
    assert_eq!(a.routing_policy, None);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );

    // ORD-05 the other way round: plain → policy, the plain record goes first.
    let step = cluster.apply(&[
        p1_with_policies(),
        weighted("entry-a", "p1", "1", "[1.2.3.4]"),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p1 test:example.com test.sub.example.com#p1 A - -> 360:1.2.3.4",
        ]
    );
}

/// docs/entries-and-providers.md §5.10: without `supportRoutingPolicy` the local mock refuses
/// routing policies; the entry is `Error` and nothing is written.
#[test]
fn rp_local_provider_without_support_refuses_policies() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[p1(), weighted("entry-a", "set1", "50", "[1.2.3.4]")]);
    assert!(step.before.changes.is_empty());
    let a = status(&step.after, "entry-a");
    assert_eq!(
        state_and_message(a),
        (
            Some("Error"),
            Some(
                "failed to execute DNS change requests: in-memory provider does not support routing policies"
            )
        )
    );
    assert!(cluster.zone(EXAMPLE).is_empty());
}
