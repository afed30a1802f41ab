//! Who owns which record sets: two entries for one name (D13), records nobody owns (D14), drift,
//! and failed changes.

use super::routing_policies::{p1_with_policies, weighted};
use super::*;

// ---------------------------------------------------------------------------------------------
// D13: two entries, one name
// ---------------------------------------------------------------------------------------------

/// D13: the older entry (creation timestamp, then namespace/name) keeps the name; the other is
/// `Error` with a message naming the owner. (Gardener has no conflict detection,
/// docs/entries-and-providers.md §4.5: the last writer wins.)
#[test]
fn d13_the_older_entry_keeps_the_name() {
    let mut cluster = Cluster::new();
    let young = entry_with(
        "a-young",
        ", creationTimestamp: '2024-05-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [1.1.1.1]",
    );
    let old = entry_with(
        "z-old",
        ", creationTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [2.2.2.2]",
    );
    let step = cluster.apply(&[p1(), young.clone(), old.clone()]);
    assert_all_ok(&step.after);
    assert_eq!(
        state_and_message(status(&step.after, "a-young")),
        (
            Some("Error"),
            Some("dns name \"same.example.com\" already busy for entry \"test/z-old\"")
        )
    );
    assert_eq!(status(&step.after, "z-old").state.as_deref(), Some("Ready"));
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 2.2.2.2"]);

    // Same timestamps: the smaller namespace/name.
    let plan = Cluster::new().plan(&[
        p1(),
        entry("n2", "dnsName: same.example.com, targets: [1.1.1.1]"),
        entry("n1", "dnsName: Same.Example.com., targets: [2.2.2.2]"),
    ]);
    assert_eq!(
        state_and_message(status(&plan, "n2")),
        (
            Some("Error"),
            Some("dns name \"same.example.com\" already busy for entry \"test/n1\"")
        )
    );
    assert_eq!(
        changes(&plan),
        ["create test/p1 test:example.com same.example.com A - -> 360:2.2.2.2"]
    );

    // The owner goes: the other takes the name over (delete, then create).
    let step = cluster.apply(&[p1(), young]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com same.example.com A 360:2.2.2.2 -> -",
            "create test/p1 test:example.com same.example.com A - -> 360:1.1.1.1",
        ]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        status(&step.after, "a-young").state.as_deref(),
        Some("Ready")
    );
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);
}

/// D13 with an owner: an older entry that turns up later does not take the records of the entry
/// that already holds the name (it would overwrite them, which D13 forbids); it waits with
/// `Error`. Different set identifiers are different names and coexist.
#[test]
fn d13_the_holder_keeps_the_name_and_set_identifiers_coexist() {
    let mut cluster = Cluster::new();
    let holder = entry_with(
        "holder",
        ", creationTimestamp: '2024-05-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [1.1.1.1]",
    );
    cluster.apply(&[p1(), holder.clone()]);
    let older = entry_with(
        "older",
        ", creationTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [2.2.2.2]",
    );
    let step = cluster.apply(&[p1(), holder, older]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(
        state_and_message(status(&step.after, "older")),
        (
            Some("Error"),
            Some("dns name \"same.example.com\" already busy for entry \"test/holder\"")
        )
    );
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);

    let plan = Cluster::new().plan(&[
        p1_with_policies(),
        weighted("w1", "one", "1", "[1.1.1.1]"),
        weighted("w2", "two", "1", "[1.1.1.1]"),
    ]);
    assert_eq!(plan.changes.len(), 2);
    for name in ["w1", "w2"] {
        assert_eq!(status(&plan, name).state.as_deref(), Some("Pending"));
    }
}

// ---------------------------------------------------------------------------------------------
// D14: records that are not owned
// ---------------------------------------------------------------------------------------------

fn foreign(name: &str, record_type: RecordType, values: &[&str]) -> (RecordKey, RecordSet) {
    (
        RecordKey {
            owner: RecordName::new(name.parse().unwrap(), ""),
            record_type,
        },
        RecordSet {
            record_type,
            ttl: 999,
            values: strings(values),
            routing_policy: None,
        },
    )
}

/// D14 (and DRF-01/03, which D14 overrides): a record set that exists and is not owned blocks the
/// entry with `Error`; it is never changed or deleted, also not once the entry goes away.
#[test]
fn d14_foreign_records_block_the_entry_and_stay() {
    let mut cluster = Cluster::new();
    let zone = cluster.observed.zones.entry(EXAMPLE.into()).or_default();
    for (key, set) in [
        foreign("test.sub.example.com", RecordType::A, &["9.9.9.9"]),
        // DRF-01: a rogue CNAME where entry-c... wants a CNAME too
        foreign(
            "cname.sub.example.com",
            RecordType::CNAME,
            &["rogue.example.org"],
        ),
        // a CNAME blocks any other type at its name
        foreign(
            "aaaa.example.com",
            RecordType::CNAME,
            &["rogue.example.org"],
        ),
        // a TXT next to an A is no conflict
        foreign("txt-next.example.com", RecordType::TXT, &["hello"]),
    ] {
        zone.insert(key, set);
    }
    let before = cluster.observed.zones.clone();
    let manifests = [
        p1(),
        entry_a(),
        entry_c(),
        entry("aaaa", "dnsName: aaaa.example.com, targets: ['::1']"),
        entry("next", "dnsName: txt-next.example.com, targets: [1.1.1.1]"),
    ];
    let step = cluster.apply(&manifests);
    assert_all_ok(&step.after);
    let expect = [
        (
            "entry-a",
            "the A record set of \"test.sub.example.com\" in zone test:example.com exists and is not owned by this entry",
        ),
        (
            "entry-c",
            "the CNAME record set of \"cname.sub.example.com\" in zone test:example.com exists and is not owned by this entry",
        ),
        (
            "aaaa",
            "the CNAME record set of \"aaaa.example.com\" in zone test:example.com exists and is not owned by this entry",
        ),
    ];
    for (name, message) in expect {
        assert_eq!(
            state_and_message(status(&step.after, name)),
            (Some("Error"), Some(message)),
            "{name}"
        );
    }
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com txt-next.example.com A - -> 360:1.1.1.1"]
    );
    assert_eq!(status(&step.after, "next").state.as_deref(), Some("Ready"));
    for (key, set) in &before[EXAMPLE] {
        assert_eq!(
            cluster.observed.zones[EXAMPLE].get(key),
            Some(set),
            "{key:?}"
        );
    }

    // The entries go away: the foreign records stay, and nothing is planned for them.
    let step = cluster.apply(&[p1()]);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com txt-next.example.com A 360:1.1.1.1 -> -"]
    );
    assert_eq!(cluster.observed.zones[EXAMPLE], before[EXAMPLE]);
}

/// D14 across zones: a foreign record in the zone an entry moves to blocks the move; the entry
/// keeps its records where they are.
#[test]
fn d14_a_foreign_record_blocks_a_move() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let (key, set) = foreign("test.sub.example.com", RecordType::A, &["9.9.9.9"]);
    cluster
        .observed
        .zones
        .entry(SUB.into())
        .or_default()
        .insert(key, set);
    let step = cluster.apply(&[p1(), p3(), entry_a()]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    let a = status(&step.after, "entry-a");
    assert_eq!(a.state.as_deref(), Some("Error"));
    assert_eq!(
        a.message.as_deref(),
        Some(
            "the A record set of \"test.sub.example.com\" in zone test2:sub.example.com exists and is not owned by this entry"
        )
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 999 9.9.9.9"]);
}

// ---------------------------------------------------------------------------------------------
// Drift
// ---------------------------------------------------------------------------------------------

/// A record set the entry owns but the zone lost is created again; one that was changed behind
/// its back is updated.
#[test]
fn drift_owned_records_are_restored() {
    let mut cluster = Cluster::new();
    let manifests = [p1(), entry_a(), entry_b()];
    cluster.apply(&manifests);
    let zone = cluster.observed.zones.get_mut(EXAMPLE).unwrap();
    let a_key = RecordKey {
        owner: RecordName::new("test.sub.example.com".parse().unwrap(), ""),
        record_type: RecordType::A,
    };
    zone.remove(&a_key);
    let b_key = RecordKey {
        owner: RecordName::new("txt.sub.example.com".parse().unwrap(), ""),
        record_type: RecordType::TXT,
    };
    zone.get_mut(&b_key).unwrap().values = strings(&["tampered"]);
    assert!(cluster.observed.owned["test/entry-a"].keys.contains(&a_key));

    let step = cluster.apply(&manifests);
    assert_eq!(
        changes(&step.before),
        [
            "update test/p1 test:example.com txt.sub.example.com TXT 360:tampered -> 360:This is a text!,blabla",
            "create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_eq!(
        state_and_message(status(&step.before, "entry-a")),
        (Some("Pending"), Some(PENDING))
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "test.sub.example.com A 360 1.2.3.4",
            "txt.sub.example.com TXT 360 This is a text!,blabla",
        ]
    );
}

/// Ownership is what counts, not the provider that is configured today: an ownership record
/// naming a zone lets the plan clean up there.
#[test]
fn drift_ownership_given_by_hand() {
    let mut cluster = Cluster::new();
    let (key, set) = foreign("test.sub.example.com", RecordType::A, &["9.9.9.9"]);
    cluster
        .observed
        .zones
        .entry(EXAMPLE.into())
        .or_default()
        .insert(key.clone(), set);
    cluster.observed.owned.insert(
        EntryId::given("test", "entry-a"),
        Ownership {
            provider: "test/p1".to_owned(),
            zone: EXAMPLE.into(),
            keys: [key].into_iter().collect(),
            keep_on_delete: false,
        },
    );
    let step = cluster.apply(&[p1(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        ["update test/p1 test:example.com test.sub.example.com A 999:9.9.9.9 -> 360:1.2.3.4"]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
}

// ---------------------------------------------------------------------------------------------
// Failed changes and ownership
// ---------------------------------------------------------------------------------------------

/// An `aws-route53` provider whose hosted zone is given (as `--zones` does): no adapter can
/// change it, so every change fails.
fn aws_cluster() -> (Cluster, Vec<String>) {
    let mut cluster = Cluster::new();
    cluster.observed.hosted_zones.insert(
        "test/aws".to_owned(),
        vec![shoot_dns::provider::HostedZone {
            id: "Z1".into(),
            domain: "example.org".parse().unwrap(),
            provider_type: shoot_dns::provider::ProviderType::AwsRoute53,
            private: false,
        }],
    );
    let manifests = vec![
        "apiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSProvider\n\
         metadata: {name: aws, namespace: test}\n\
         spec: {type: aws-route53, secretRef: {name: aws}}\n"
            .to_owned(),
        "apiVersion: v1\nkind: Secret\nmetadata: {name: aws, namespace: test}\n\
         data: {AWS_ACCESS_KEY_ID: QUtJQQ==, AWS_SECRET_ACCESS_KEY: eA==}\n"
            .to_owned(),
        entry("www", "dnsName: www.example.org, targets: [1.1.1.1]"),
    ];
    (cluster, manifests)
}

/// A create that fails is retried by the next plan, and the entry is Error with the failure
/// until its records are written.
#[test]
fn a_failed_create_is_retried() {
    let (mut cluster, manifests) = aws_cluster();
    let step = cluster.apply(&manifests);
    assert_eq!(step.after.changes.len(), 1);
    assert!(
        step.after.changes[0]
            .outcome
            .as_ref()
            .is_some_and(|o| !o.is_applied()),
        "{:?}",
        step.after.changes
    );
    assert!(cluster.zone("Z1").is_empty());
    let www = status(&step.after, "www");
    assert_eq!(www.state.as_deref(), Some("Error"));
    assert_eq!(
        www.message.as_deref(),
        Some(
            "failed to execute DNS change requests: \
             provider type aws-route53 cannot be changed without its adapter"
        )
    );
    let again = cluster.plan(&manifests);
    assert_eq!(status(&again, "www").state.as_deref(), Some("Error"));
    assert_eq!(
        changes(&again),
        ["create test/aws Z1 www.example.org A - -> 360:1.1.1.1"]
    );
}

/// D14: a create that failed must not make the entry the owner of that record set: when a
/// record set appears there later (written by someone else), the entry is blocked, it does not
/// overwrite it.
#[test]
fn d14_a_failed_create_does_not_own_the_record_set() {
    let (mut cluster, manifests) = aws_cluster();
    cluster.apply(&manifests);
    let owns = cluster
        .observed
        .owned
        .values()
        .any(|o| o.zone == "Z1" && !o.keys.is_empty());
    let (key, set) = foreign("www.example.org", RecordType::A, &["9.9.9.9"]);
    cluster
        .observed
        .zones
        .entry("Z1".into())
        .or_default()
        .insert(key, set);
    let plan = cluster.plan(&manifests);
    assert!(plan.changes.is_empty(), "{:?}", changes(&plan));
    assert_eq!(status(&plan, "www").state.as_deref(), Some("Error"));
    assert!(!owns, "{:?}", cluster.observed.owned);
}

/// A delete that fails blocks whoever was to take the record set over next (D13 + D14): the
/// record set stays as it was, owned by the entry that is gone, and the takeover happens once
/// the delete succeeds.
#[test]
fn a_failed_delete_blocks_the_takeover() {
    let mut cluster = Cluster::new();
    let failing = p1().replace("account: test,", "account: test, failDeleteEntry: true,");
    let old = entry_with(
        "old",
        ", creationTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [1.1.1.1]",
    );
    let young = entry_with(
        "young",
        ", creationTimestamp: '2024-05-01T00:00:00Z'",
        "dnsName: same.example.com, targets: [2.2.2.2]",
    );
    cluster.apply(&[failing.clone(), old, young.clone()]);
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);

    let step = cluster.apply(&[failing, young.clone()]);
    let results: Vec<String> = step
        .after
        .changes
        .iter()
        .map(|c| {
            format!(
                "{:?} {}",
                c.action,
                c.outcome
                    .as_ref()
                    .map_or("-".to_owned(), ToString::to_string)
            )
        })
        .collect();
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(
        results[0],
        "Delete error: forced error by mockConfig.FailDeleteEntry"
    );
    assert!(results[1].starts_with("Create error: "), "{results:?}");
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);
    assert_ne!(status(&step.after, "young").state.as_deref(), Some("Ready"));

    let step = cluster.apply(&[p1(), young]);
    assert_all_ok(&step.after);
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 2.2.2.2"]);
    assert_eq!(status(&step.after, "young").state.as_deref(), Some("Ready"));
}

/// D13 names the owner also when the owner holds its records without planning them (here: it
/// is ignored): the newcomer is `Error` with `dns name ... already busy for entry ...`, and the
/// records stay.
#[test]
fn d13_names_the_owner_that_holds_its_records() {
    let mut cluster = Cluster::new();
    cluster.apply(&[
        p1(),
        entry("owner", "dnsName: same.example.com, targets: [1.1.1.1]"),
    ]);
    let ignored = entry_with(
        "owner",
        ", annotations: {dns.gardener.cloud/ignore: reconcile}",
        "dnsName: same.example.com, targets: [1.1.1.1]",
    );
    let step = cluster.apply(&[
        p1(),
        ignored,
        entry("newcomer", "dnsName: same.example.com, targets: [2.2.2.2]"),
    ]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(cluster.zone(EXAMPLE), ["same.example.com A 360 1.1.1.1"]);
    assert_eq!(
        state_and_message(status(&step.after, "newcomer")),
        (
            Some("Error"),
            Some("dns name \"same.example.com\" already busy for entry \"test/owner\"")
        )
    );
}

/// Two entries swap their names in one step: both old records are deleted before either new
/// one is created, and nobody is blocked.
#[test]
fn cs_two_entries_swap_names() {
    let mut cluster = Cluster::new();
    cluster.apply(&[
        p1(),
        entry("x", "dnsName: one.example.com, targets: [1.1.1.1]"),
        entry("y", "dnsName: two.example.com, targets: [2.2.2.2]"),
    ]);
    let step = cluster.apply(&[
        p1(),
        entry("x", "dnsName: two.example.com, targets: [1.1.1.1]"),
        entry("y", "dnsName: one.example.com, targets: [2.2.2.2]"),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com one.example.com A 360:1.1.1.1 -> -",
            "delete test/p1 test:example.com two.example.com A 360:2.2.2.2 -> -",
            "create test/p1 test:example.com one.example.com A - -> 360:2.2.2.2",
            "create test/p1 test:example.com two.example.com A - -> 360:1.1.1.1",
        ]
    );
    assert_all_ok(&step.after);
    for name in ["x", "y"] {
        assert_eq!(status(&step.after, name).state.as_deref(), Some("Ready"));
    }
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "one.example.com A 360 2.2.2.2",
            "two.example.com A 360 1.1.1.1"
        ]
    );
}

/// D1: provider domains are matched in normalised form (upper case and a trailing dot in the
/// spec do not matter).
#[test]
fn d1_provider_domains_are_normalised() {
    let mut cluster = Cluster::new();
    let provider = local_provider(
        "upper",
        "upper",
        &["Example.NET."],
        &["Example.NET."],
        &["Internal.Example.Net"],
        "",
    );
    let step = cluster.apply(&[
        provider,
        entry("www", "dnsName: WWW.example.net, targets: [1.1.1.1]"),
        entry(
            "internal",
            "dnsName: db.internal.example.net, targets: [1.1.1.1]",
        ),
    ]);
    assert_all_ok(&step.after);
    let www = status(&step.after, "www");
    assert_eq!(www.state.as_deref(), Some("Ready"), "{www:?}");
    assert_eq!(www.provider.as_deref(), Some("test/upper"));
    assert_eq!(
        state_and_message(status(&step.after, "internal")),
        (Some("Error"), Some(NO_PROVIDER))
    );
    let domains = provider_status(&step.after, "upper")
        .domains
        .clone()
        .unwrap();
    assert_eq!(domains.included, ["example.net"]);
    assert_eq!(domains.excluded, ["internal.example.net"]);
}

/// docs/entries-and-providers.md §0.7: a provider of another class is invisible: listed without a
/// status, it serves no one.
#[test]
fn a_provider_of_another_class_serves_no_one() {
    let other = p1().replace(
        "namespace: test, generation: 1}",
        "namespace: test, generation: 1, annotations: {dns.gardener.cloud/class: other}}",
    );
    assert_ne!(other, p1());
    let plan = Cluster::new().plan(&[other, entry_a()]);
    assert!(
        plan.providers[0].status.is_none(),
        "{:?}",
        plan.providers[0]
    );
    assert_eq!(
        state_and_message(status(&plan, "entry-a")),
        (Some("Error"), Some(NO_PROVIDER))
    );
}
