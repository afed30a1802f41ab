//! Entries and their providers over time (ENT): provider choice, records following the targets,
//! TTL, moves between zones and providers, stale entries.

use super::*;

// ---------------------------------------------------------------------------------------------
// ENT: entry → provider, lifecycle
// ---------------------------------------------------------------------------------------------

/// ENT-01, with D12: Pending before the record exists, Ready after.
#[test]
fn ent_01_assigns_the_correct_provider() {
    let mut cluster = Cluster::new();
    let manifests = [p1(), p2(), entry_a()];
    let step = cluster.apply(&manifests);

    let pending = status(&step.before, "entry-a");
    assert_eq!(state_and_message(pending), (Some("Pending"), Some(PENDING)));
    assert_eq!(pending.provider.as_deref(), Some("test/p1"));
    assert_eq!(pending.zone.as_deref(), Some(EXAMPLE));
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4"]
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
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    assert_eq!(
        step.after.records.len(),
        1,
        "records after: {:?}",
        step.after.records
    );
    let record = &step.after.records[0];
    assert_eq!(
        (
            record.provider.as_str(),
            record.zone.as_str(),
            record.name.as_str()
        ),
        ("test/p1", EXAMPLE, "test.sub.example.com")
    );

    // The provider statuses the fixture computes (§3.1).
    let p1 = provider_status(&step.after, "p1");
    assert_eq!(p1.state.as_deref(), Some("Ready"));
    assert_eq!(p1.message.as_deref(), Some("provider operational"));
    let domains = p1.domains.as_ref().expect("p1 has domains");
    assert_eq!(domains.included, ["example.com"]);
    assert_eq!(domains.excluded, ["example2.com"]);
    let zones = p1.zones.as_ref().expect("p1 has zones");
    assert_eq!(zones.included, ["test:example.com"]);
    assert_eq!(zones.excluded, ["test:example2.com"]);
    assert_eq!(p1.default_ttl, Some(360));
    let p2 = provider_status(&step.after, "p2").domains.as_ref().unwrap();
    assert_eq!(p2.included, ["example2.com"]);
    assert_eq!(p2.excluded, ["example.com"]);

    // Nothing more to do.
    let again = cluster.apply(&manifests);
    assert!(
        again.before.changes.is_empty(),
        "{:?}",
        changes(&again.before)
    );
    assert_ready(
        status(&again.before, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
}

/// ENT-03: removing the targets removes the records; the entry stays Ready with its provider
/// and zone, without targets and TTL.
#[test]
fn ent_03_removing_the_targets_removes_the_records() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    assert_eq!(cluster.zone(EXAMPLE).len(), 1);

    let manifests = [p1(), entry("entry-a", "dnsName: test.sub.example.com")];
    let step = cluster.apply(&manifests);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -"]
    );
    assert_all_ok(&step.after);
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert!(
        cluster.observed.owned.values().all(|o| o.keys.is_empty()),
        "{:?}",
        cluster.observed.owned
    );
    let pending = status(&step.before, "entry-a");
    assert_eq!(state_and_message(pending), (Some("Pending"), Some(PENDING)));

    // And nothing happens afterwards.
    let again = cluster.plan(&manifests);
    assert!(again.changes.is_empty(), "{:?}", changes(&again));
}

/// ENT-03, the status once the records are gone: Ready with provider and zone, no targets and
/// no TTL (docs/command-line.md: `apply` shows an entry whose zone holds exactly its records as
/// Ready).
#[test]
fn ent_03_status_after_removing_the_targets() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let step = cluster.apply(&[p1(), entry("entry-a", "dnsName: test.sub.example.com")]);
    assert_all_ok(&step.after);
    let after = status(&step.after, "entry-a");
    assert_eq!(state_and_message(after), (Some("Ready"), Some(ACTIVE)));
    assert_eq!(after.provider.as_deref(), Some("test/p1"));
    assert_eq!(after.zone.as_deref(), Some(EXAMPLE));
    assert_eq!(after.ttl, None);
    assert_eq!(after.targets, None);
}

/// ENT-05: create, update and delete a TXT record; the status quotes TXT values.
#[test]
fn ent_05_txt_record_lifecycle() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[p1(), entry_b()]);
    assert_all_ok(&step.after);
    let b = status(&step.after, "entry-b");
    assert_ready(
        b,
        "p1",
        EXAMPLE,
        360,
        &["\"This is a text!\"", "\"blabla\""],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["txt.sub.example.com TXT 360 This is a text!,blabla"]
    );

    let updated = entry(
        "entry-b",
        "dnsName: txt.sub.example.com, text: ['This is the *UPDATED* text!!!!']",
    );
    let step = cluster.apply(&[p1(), updated.clone()]);
    assert_eq!(
        changes(&step.before),
        ["update test/p1 test:example.com txt.sub.example.com TXT \
             360:This is a text!,blabla -> 360:This is the *UPDATED* text!!!!"]
    );
    assert_ready(
        status(&step.after, "entry-b"),
        "p1",
        EXAMPLE,
        360,
        &["\"This is the *UPDATED* text!!!!\""],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["txt.sub.example.com TXT 360 This is the *UPDATED* text!!!!"]
    );

    // delete: the entry gets a deletionTimestamp; its records go.
    let deleting = entry_with(
        "entry-b",
        ", deletionTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: txt.sub.example.com, text: ['This is the *UPDATED* text!!!!']",
    );
    let step = cluster.apply(&[p1(), deleting]);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com txt.sub.example.com TXT \
             360:This is the *UPDATED* text!!!! -> -"]
    );
    assert_all_ok(&step.after);
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert!(
        cluster.observed.owned.is_empty(),
        "{:?}",
        cluster.observed.owned
    );
    // ... and then it is gone: nothing left to do.
    let gone = cluster.plan(&[p1()]);
    assert!(gone.changes.is_empty() && gone.entries.is_empty());
}

/// ENT-05 as the command line sees a deletion: the entry is no longer given.
#[test]
fn ent_05_an_entry_no_longer_given_loses_its_records() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_b(), entry_a()]);
    assert_eq!(cluster.zone(EXAMPLE).len(), 2);
    let step = cluster.apply(&[p1(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com txt.sub.example.com TXT 360:This is a text!,blabla -> -"]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    assert_eq!(
        cluster.observed.owned.keys().collect::<Vec<_>>(),
        ["test/entry-a"]
    );
}

/// ENT-07: several host name targets are resolved into A and AAAA records. The answers are
/// given in `observed.resolved`; until they are, the entry waits (Pending) and the plan asks for
/// the lookups.
#[test]
fn ent_07_multiple_cname_targets_are_resolved() {
    let mut cluster = Cluster::new();
    let c = entry(
        "entry-c",
        "dnsName: cname.sub.example.com, targets: [service-1.example.com, service-2.example.com], \
         ttl: 120",
    );
    let manifests = [p1(), c];
    let waiting = cluster.plan(&manifests);
    let hosts: Vec<&str> = waiting.lookups.iter().map(DnsName::as_str).collect();
    assert_eq!(hosts, ["service-1.example.com", "service-2.example.com"]);
    assert!(waiting.changes.is_empty());
    let pending = status(&waiting, "entry-c");
    assert_eq!(pending.state.as_deref(), Some("Pending"));

    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    cluster.observed.resolved.insert(
        "service-1.example.com".parse().unwrap(),
        vec![ip("127.0.1.1"), ip("2001:db8::1:1")],
    );
    cluster.observed.resolved.insert(
        "service-2.example.com".parse().unwrap(),
        vec![ip("127.0.2.2"), ip("127.0.2.1")],
    );
    let step = cluster.apply(&manifests);
    assert!(step.before.lookups.is_empty());
    assert_all_ok(&step.after);
    let c = status(&step.after, "entry-c");
    assert_ready(
        c,
        "p1",
        EXAMPLE,
        120,
        &["127.0.1.1", "127.0.2.1", "127.0.2.2", "2001:db8::1:1"],
    );
    assert_eq!(c.cname_lookup_interval, Some(600));
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "cname.sub.example.com A 120 127.0.1.1,127.0.2.1,127.0.2.2",
            "cname.sub.example.com AAAA 120 2001:db8::1:1",
        ]
    );
}

/// ENT-07 details (§5.2): addresses sort as text, a host name that is not found is dropped,
/// one host name with `resolveTargetsToAddresses` is resolved too.
#[test]
fn ent_07_resolution_details() {
    let mut cluster = Cluster::new();
    let ip = |s: &str| s.parse::<IpAddr>().unwrap();
    cluster.observed.resolved.insert(
        "a.example.org".parse().unwrap(),
        vec![ip("9.0.0.1"), ip("10.0.0.1")],
    );
    cluster
        .observed
        .resolved
        .insert("missing.example.org".parse().unwrap(), vec![]);
    let manifests = [
        p1(),
        entry(
            "multi",
            "dnsName: multi.example.com, targets: [a.example.org, missing.example.org]",
        ),
        entry(
            "single",
            "dnsName: single.example.com, targets: [a.example.org], resolveTargetsToAddresses: true",
        ),
        entry(
            "plain",
            "dnsName: plain.example.com, targets: [A.Example.org.]",
        ),
    ];
    let step = cluster.apply(&manifests);
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "multi.example.com A 360 10.0.0.1,9.0.0.1",
            "plain.example.com CNAME 360 a.example.org",
            "single.example.com A 360 10.0.0.1,9.0.0.1",
        ]
    );
    assert_eq!(
        status(&step.after, "plain").targets,
        Some(strings(&["a.example.org"]))
    );
    assert_eq!(status(&step.after, "plain").cname_lookup_interval, None);
    assert!(cluster.plan(&manifests).changes.is_empty());
}

/// ENT-09: a TTL change is an update.
#[test]
fn ent_09_updates_the_ttl() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let step = cluster.apply(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: test.sub.example.com, targets: [1.2.3.4], ttl: 120",
        ),
    ]);
    assert_eq!(
        changes(&step.before),
        ["update test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> 120:1.2.3.4"]
    );
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        120,
        &["1.2.3.4"],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 120 1.2.3.4"]
    );
}

/// p3 being deleted: a deletionTimestamp (its finalizer holds it while entries use it).
fn p3_deleting() -> String {
    p3().replace(
        "generation: 1}",
        "generation: 1, deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: [dns.gardener.cloud/compound]}",
    )
}

/// p3 with test.sub.example.com excluded.
fn p3_excluding_test() -> String {
    local_provider(
        "p3",
        "test2",
        &["sub.example.com"],
        &["sub.example.com"],
        &["test.sub.example.com"],
        "",
    )
}

/// ENT-11 and CS-05: the best matching provider; when it is deleted, recreated or excludes the
/// name, the records move between zones: the delete at the old place runs first.
#[test]
fn ent_11_best_matching_provider_and_moves_between_zones() {
    let mut cluster = Cluster::new();
    // score 15+1000 beats 11+1000
    let step = cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "entry-a"), "p3", SUB, 360, &["1.2.3.4"]);
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);
    assert!(cluster.zone(EXAMPLE).is_empty());

    // deleteProvider p3: a deleting provider scores without the 1000, p1 takes over.
    let step = cluster.apply(&[p1(), p2(), p3_deleting(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p3 test2:sub.example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert!(cluster.zone(SUB).is_empty());
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );

    // recreateProvider p3
    let step = cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p3 test2:sub.example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "entry-a"), "p3", SUB, 360, &["1.2.3.4"]);
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);

    // updateProvider p3: inc 15 <= exc 20 → 0, p1 again. Gardener deletes the old record
    // through p3, which now excludes its name; shoot-dns changes nothing outside a provider's
    // domains (COMPATIBILITY.md): the old record stays in p3's zone, owned under a leftover id,
    // and the entry moves.
    let step = cluster.apply(&[p1(), p2(), p3_excluding_test(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4"]
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    let leftover = &cluster.observed.owned["test/entry-a#test2:sub.example.com"];
    assert_eq!(
        (leftover.provider.as_str(), leftover.keys.len()),
        ("test/p3", 1)
    );
    assert!(
        cluster
            .plan(&[p1(), p2(), p3_excluding_test(), entry_a()])
            .changes
            .is_empty()
    );
    // p3 serves the name again: the entry moves back; the leftover record is deleted (it is
    // no longer the entry's) before the entry writes its own.
    let step = cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "delete test/p3 test2:sub.example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p3 test2:sub.example.com test.sub.example.com A - -> 360:1.2.3.4",
        ]
    );
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "entry-a"), "p3", SUB, 360, &["1.2.3.4"]);
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert_eq!(
        cluster.observed.owned.len(),
        1,
        "{:?}",
        cluster.observed.owned
    );
}

/// Spec §4.4 and D11: a deleted entry whose provider was narrowed so that no provider covers
/// its name any more keeps its records: it is `Stale` with `No responsible provider found`, no
/// change is planned, its ownership (and so, in a cluster, its finalizer) stays. Once a
/// provider covers the name again, the records are deleted.
#[test]
fn a_deleted_entry_outside_every_provider_keeps_its_records_until_one_covers_them() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    let deleting = entry_with(
        "entry-a",
        ", deletionTimestamp: '2024-01-01T00:00:00Z'",
        "dnsName: test.sub.example.com, targets: [1.2.3.4]",
    );
    let narrowed = local_provider(
        "p1",
        "test",
        &["example.com", "example2.com"],
        &["example.com"],
        &["sub.example.com", "example2.com"],
        "",
    );
    for _ in 0..2 {
        let step = cluster.apply(&[narrowed.clone(), deleting.clone()]);
        assert_eq!(changes(&step.before), Vec::<String>::new());
        let status = status(&step.after, "entry-a");
        assert_eq!(
            state_and_message(status),
            (Some("Stale"), Some("No responsible provider found"))
        );
        assert_eq!(status.targets.as_deref(), Some(&strings(&["1.2.3.4"])[..]));
        assert_eq!(
            cluster.zone(EXAMPLE),
            ["test.sub.example.com A 360 1.2.3.4"]
        );
        assert_eq!(cluster.observed.owned["test/entry-a"].keys.len(), 1);
    }
    let step = cluster.apply(&[p1(), deleting]);
    assert_eq!(
        changes(&step.before),
        ["delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -"]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        state_and_message(status(&step.after, "entry-a")),
        (Some("Ready"), Some("dns entry active"))
    );
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert!(cluster.observed.owned.is_empty());
}

/// A wildcard name as a CNAME target is a literal name like any other: Gardener writes the
/// CNAME, and so does shoot-dns.
#[test]
fn a_wildcard_cname_target_is_written() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[
        p1(),
        entry("wild", "dnsName: w.example.com, targets: ['*.Example.com']"),
    ]);
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com w.example.com CNAME - -> 360:*.example.com"]
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "wild"),
        "p1",
        EXAMPLE,
        360,
        &["*.example.com"],
    );
}

/// §4.6: a provider being deleted while entries are still assigned to it says so in its
/// status; once they have moved away, nothing holds it.
#[test]
fn ent_11_deleting_provider_reports_its_entries() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    let step = cluster.apply(&[p1(), p2(), p3_deleting(), entry_a()]);
    assert_eq!(
        provider_status(&step.before, "p3").message.as_deref(),
        Some("cannot delete provider, 1 DNSEntries still assigned to it")
    );
}

/// ENT-11 as the command line models a deleted provider: p3 is no longer given at all. Its
/// zone's records still belong to the entry, but no provider may delete them: they stay owned
/// under a leftover id, the entry moves to p1; nothing is lost and, once p3 is back, the move
/// back works.
#[test]
fn ent_11_provider_no_longer_given() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_eq!(cluster.zone(SUB).len(), 1);

    let step = cluster.apply(&[p1(), p2(), entry_a()]);
    // Without p3 no provider covers its zone: the record there is not touched, the create
    // is made.
    assert_eq!(
        changes(&step.before),
        ["create test/p1 test:example.com test.sub.example.com A - -> 360:1.2.3.4"]
    );
    assert_all_ok(&step.after);
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    // The record in p3's zone is still owned (so it is deleted later and nothing takes it).
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);
    assert!(
        cluster
            .observed
            .owned
            .values()
            .any(|o| o.zone == SUB && !o.keys.is_empty()),
        "{:?}",
        cluster.observed.owned
    );

    // p3 is back: the entry moves back and the left-over record is its own again.
    let step = cluster.apply(&[p1(), p2(), p3(), entry_a()]);
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "entry-a"), "p3", SUB, 360, &["1.2.3.4"]);
    assert_eq!(cluster.zone(SUB), ["test.sub.example.com A 360 1.2.3.4"]);
    assert!(
        cluster.zone(EXAMPLE).is_empty(),
        "{:?}",
        cluster.zone(EXAMPLE)
    );
    assert!(
        cluster
            .plan(&[p1(), p2(), p3(), entry_a()])
            .changes
            .is_empty()
    );
}

/// ENT-13: the only matching provider fails. A failed provider has no domains (§7, the note of
/// §3.5), so per COMPATIBILITY.md#d11 the entry, which still owns its records, is `Stale` with `No
/// responsible provider found` (the spec's `provider test/p1 has status Error: unknown error`
/// only arises where a failed provider keeps its domains). Its records stay. A new provider for
/// the domain takes over without any change.
#[test]
fn ent_13_keeps_the_records_while_the_provider_fails() {
    let mut cluster = Cluster::new();
    let p2 = local_provider(
        "p2",
        "test",
        &["example.com", "example2.com"],
        &["example2.com"],
        &[],
        "",
    );
    cluster.apply(&[p1(), p2.clone(), entry_a()]);

    let failing = p1().replace("account: test,", "account: test, failGetZones: true,");
    let step = cluster.apply(&[failing.clone(), p2.clone(), entry_a()]);
    let p1_status = provider_status(&step.before, "p1");
    assert_eq!(p1_status.state.as_deref(), Some("Error"));
    assert_eq!(
        p1_status.message.as_deref(),
        Some("forced error by mockConfig.FailGetZones")
    );
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    let a = status(&step.after, "entry-a");
    assert_eq!(state_and_message(a), (Some("Stale"), Some(NO_PROVIDER)));
    assert_eq!(a.zone.as_deref(), Some(EXAMPLE));
    assert_eq!(a.targets, Some(strings(&["1.2.3.4"])));
    assert_eq!(a.ttl, Some(360));
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );

    // addProvider p3(example.com, Ready)
    let step = cluster.apply(&[failing, p2, example_com("p3"), entry_a()]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_ready(
        status(&step.after, "entry-a"),
        "p3",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
}

/// ENT-15 and D10: a new provider with the same domain does not take the entry, even one whose
/// name sorts first; without a current provider the smallest `namespace/name` wins.
#[test]
fn ent_15_keeps_the_provider_on_a_tie() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), p2(), entry_a()]);
    let manifests = [example_com("p0"), p1(), p2(), example_com("p4"), entry_a()];
    let step = cluster.apply(&manifests);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );

    // A fresh cluster: no current provider, the smallest key.
    let fresh = Cluster::new().plan(&manifests);
    assert_eq!(
        status(&fresh, "entry-a").provider.as_deref(),
        Some("test/p0")
    );
}

/// ENT-17: a new name no provider serves: `Stale` with D11's message, the provider dropped,
/// type, zone, targets and TTL kept, the old record kept.
#[test]
fn ent_17_unknown_domain_makes_the_entry_stale() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let step = cluster.apply(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: '*.unknown-example.com', targets: [1.2.3.4]",
        ),
    ]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    let a = status(&step.after, "entry-a");
    assert_eq!(state_and_message(a), (Some("Stale"), Some(NO_PROVIDER)));
    assert_eq!(a.provider, None);
    assert_eq!(a.provider_type.as_deref(), Some("local"));
    assert_eq!(a.zone.as_deref(), Some(EXAMPLE));
    assert_eq!(a.targets, Some(strings(&["1.2.3.4"])));
    assert_eq!(a.ttl, Some(360));
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
}

/// ENT-17 without the previous status (as the command line plans: only zones and ownership are
/// known): still `Stale`, with the zone of the records it owns.
#[test]
fn ent_17_stale_from_ownership_alone() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    cluster.statuses.clear();
    let plan = cluster.plan(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: '*.unknown-example.com', targets: [1.2.3.4]",
        ),
    ]);
    assert!(plan.changes.is_empty());
    let a = status(&plan, "entry-a");
    assert_eq!(state_and_message(a), (Some("Stale"), Some(NO_PROVIDER)));
    assert_eq!(a.provider, None);
    assert_eq!(a.zone.as_deref(), Some(EXAMPLE));
}

/// ENT-21: a changed name no provider covers makes the entry Stale and keeps the old record;
/// changed back, it is Ready again without any change.
#[test]
fn ent_21_stale_and_back() {
    let mut cluster = Cluster::new();
    let named = |name: &str| entry("e1", &format!("dnsName: {name}, targets: [1.1.1.1]"));
    let step = cluster.apply(&[p1(), named("e1.first.example.com")]);
    assert_all_ok(&step.after);
    assert_eq!(status(&step.after, "e1").state.as_deref(), Some("Ready"));

    let step = cluster.apply(&[p1(), named("e1.first.example.com.other")]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(status(&step.after, "e1").state.as_deref(), Some("Stale"));
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["e1.first.example.com A 360 1.1.1.1"]
    );

    let step = cluster.apply(&[p1(), named("e1.first.example.com")]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(
        state_and_message(status(&step.before, "e1")),
        (Some("Ready"), Some(ACTIVE))
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["e1.first.example.com A 360 1.1.1.1"]
    );
}

/// ENT-23: a provider whose Secret is missing is `Error` without domains; an entry for its domain
/// has no responsible provider (D11: `Error`, as it owns nothing). Once the Secret exists both
/// are Ready.
#[test]
fn ent_23_secret_created_after_the_provider() {
    let mut cluster = Cluster::new();
    let mock2 = local_provider(
        "mock2",
        "mock2",
        &["other-domain.com"],
        &[],
        &[],
        ", secretRef: {name: mock2-secret}",
    );
    let e2 = entry("e2", "dnsName: e2.other-domain.com, targets: [2.2.2.2]");
    let step = cluster.apply(&[mock2.clone(), e2.clone()]);
    let provider = provider_status(&step.after, "mock2");
    assert_eq!(provider.state.as_deref(), Some("Error"));
    assert_eq!(
        provider.message.as_deref(),
        Some("secret test/mock2-secret not found")
    );
    assert_eq!(provider.domains, None);
    assert_eq!(provider.zones, None);
    let e = status(&step.after, "e2");
    assert_eq!(state_and_message(e), (Some("Error"), Some(NO_PROVIDER)));
    assert_eq!(e.provider, None);
    assert_eq!(e.provider_type, None);
    assert!(step.after.changes.is_empty());

    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: mock2-secret, namespace: test}\n\
                  data: {foo: YmFy}\n"
        .to_owned();
    let step = cluster.apply(&[mock2, e2, secret]);
    assert_all_ok(&step.after);
    assert_eq!(
        provider_status(&step.after, "mock2").state.as_deref(),
        Some("Ready")
    );
    let e = status(&step.after, "e2");
    assert_eq!(state_and_message(e), (Some("Ready"), Some(ACTIVE)));
    assert_eq!(e.zone.as_deref(), Some("mock2:other-domain.com"));
    assert_eq!(
        cluster.zone("mock2:other-domain.com"),
        ["e2.other-domain.com A 360 2.2.2.2"]
    );
}

/// A wildcard name lies below the provider's domain like any other name (§3.2).
#[test]
fn a_wildcard_entry() {
    let mut cluster = Cluster::new();
    let step = cluster.apply(&[
        p1(),
        p3(),
        entry("wild", "dnsName: '*.sub.example.com', targets: [1.2.3.4]"),
        entry(
            "escaped",
            "dnsName: '\\052.example.com', targets: [1.2.3.4]",
        ),
    ]);
    assert_all_ok(&step.after);
    assert_ready(status(&step.after, "wild"), "p3", SUB, 360, &["1.2.3.4"]);
    assert_ready(
        status(&step.after, "escaped"),
        "p1",
        EXAMPLE,
        360,
        &["1.2.3.4"],
    );
    assert_eq!(cluster.zone(SUB), ["*.sub.example.com A 360 1.2.3.4"]);
    assert_eq!(cluster.zone(EXAMPLE), ["*.example.com A 360 1.2.3.4"]);
}

/// An entry outside every provider's domains: `Error`, `No responsible provider found`, and a
/// Warning event on the entry.
#[test]
fn an_entry_outside_every_provider_has_no_responsible_provider() {
    let cluster = Cluster::new();
    let plan = cluster.plan(&[
        p1(),
        p3(),
        entry("nowhere", "dnsName: www.example.org, targets: [1.2.3.4]"),
        // example2.com is excluded by p1 and served by no one
        entry("excluded", "dnsName: www.example2.com, targets: [1.2.3.4]"),
    ]);
    for name in ["nowhere", "excluded"] {
        let s = status(&plan, name);
        assert_eq!(state_and_message(s), (Some("Error"), Some(NO_PROVIDER)));
        assert_eq!(s.provider, None);
        assert_eq!(s.zone, None);
    }
    assert!(plan.changes.is_empty());
    assert!(
        plan.events
            .iter()
            .any(|e| e.involved_object.name == "nowhere"
                && e.reason == "Error"
                && e.message == NO_PROVIDER),
        "{:?}",
        plan.events
    );
}
