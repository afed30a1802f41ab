//! The ignore annotations (IGN): `reconcile` and `full`, and what each leaves on delete.

use super::*;

// ---------------------------------------------------------------------------------------------
// IGN: ignore annotations
// ---------------------------------------------------------------------------------------------

/// IGN-01: after Ready, the annotation and new targets: `Ignored` with the annotation in the
/// message, the records untouched, the status otherwise as it was.
#[test]
fn ign_01_ignore_annotations() {
    let cases = [
        (
            "dns.gardener.cloud/ignore",
            "'true'",
            "dns.gardener.cloud/ignore=true",
        ),
        (
            "dns.gardener.cloud/ignore",
            "reconcile",
            "dns.gardener.cloud/ignore=reconcile",
        ),
        (
            "dns.gardener.cloud/ignore",
            "full",
            "dns.gardener.cloud/ignore=full",
        ),
        (
            "dns.gardener.cloud/target-hard-ignore",
            "'true'",
            "dns.gardener.cloud/target-hard-ignore=true",
        ),
    ];
    for (key, value, reported) in cases {
        let mut cluster = Cluster::new();
        cluster.apply(&[p1(), entry_a()]);
        let annotated = entry_with(
            "entry-a",
            &format!(", annotations: {{{key}: {value}}}"),
            "dnsName: test.sub.example.com, targets: [5.6.7.8]",
        );
        let step = cluster.apply(&[p1(), annotated]);
        assert!(
            step.before.changes.is_empty(),
            "{key}={value}: {:?}",
            changes(&step.before)
        );
        let a = status(&step.after, "entry-a");
        assert_eq!(
            state_and_message(a),
            (
                Some("Ignored"),
                Some(format!("entry is ignored due to annotation: {reported}").as_str())
            )
        );
        assert_eq!(a.targets, Some(strings(&["1.2.3.4"])), "{key}={value}");
        assert_eq!(a.ttl, Some(360), "{key}={value}");
        assert_eq!(a.provider.as_deref(), Some("test/p1"), "{key}={value}");
        assert_eq!(a.zone.as_deref(), Some(EXAMPLE), "{key}={value}");
        assert_eq!(
            cluster.zone(EXAMPLE),
            ["test.sub.example.com A 360 1.2.3.4"],
            "{key}={value}"
        );
    }
}

/// IGN-01 onDelete for `ignore: true` and `reconcile`: the reconcile ignore does not apply while
/// the entry is being deleted, so its records are removed.
#[test]
fn ign_01_reconcile_ignore_still_deletes() {
    for value in ["'true'", "reconcile"] {
        let mut cluster = Cluster::new();
        cluster.apply(&[p1(), entry_a()]);
        let deleting = entry_with(
            "entry-a",
            &format!(
                ", annotations: {{dns.gardener.cloud/ignore: {value}}}, \
                 deletionTimestamp: '2024-01-01T00:00:00Z'"
            ),
            "dnsName: test.sub.example.com, targets: [1.2.3.4]",
        );
        let step = cluster.apply(&[p1(), deleting]);
        assert_eq!(
            changes(&step.before),
            ["delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -"],
            "ignore={value}"
        );
        assert_all_ok(&step.after);
        assert!(cluster.zone(EXAMPLE).is_empty(), "ignore={value}");
    }
}

/// IGN-01 onDelete for `ignore: full` and `target-hard-ignore`: a full ignore lets go of the
/// records (Gardener drops the finalizer at once), so deleting the entry leaves them in place.
#[test]
fn ign_01_full_ignore_leaves_the_records_on_delete() {
    for (key, value) in [
        ("dns.gardener.cloud/ignore", "full"),
        ("dns.gardener.cloud/target-hard-ignore", "'true'"),
    ] {
        let mut cluster = Cluster::new();
        cluster.apply(&[p1(), entry_a()]);
        let deleting = entry_with(
            "entry-a",
            &format!(
                ", annotations: {{{key}: {value}}}, deletionTimestamp: '2024-01-01T00:00:00Z'"
            ),
            "dnsName: test.sub.example.com, targets: [1.2.3.4]",
        );
        let step = cluster.apply(&[p1(), deleting]);
        assert!(
            step.before.changes.is_empty(),
            "{key}={value}: {:?}",
            changes(&step.before)
        );
        assert_eq!(
            cluster.zone(EXAMPLE),
            ["test.sub.example.com A 360 1.2.3.4"],
            "{key}={value}"
        );
    }
}

/// IGN-01 onDelete as the command line deletes: a fully ignored entry that is no longer given
/// leaves its records in place too.
#[test]
fn ign_01_full_ignore_entry_no_longer_given_leaves_the_records() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let ignored = entry_with(
        "entry-a",
        ", annotations: {dns.gardener.cloud/ignore: full}",
        "dnsName: test.sub.example.com, targets: [1.2.3.4]",
    );
    cluster.apply(&[p1(), ignored]);
    let step = cluster.apply(&[p1()]);
    assert!(
        step.before.changes.is_empty(),
        "{:?}",
        changes(&step.before)
    );
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
}

/// IGN-03: the values match exactly: `True` is no ignore, the entry is reconciled.
#[test]
fn ign_03_values_match_case_sensitively() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a()]);
    let annotated = entry_with(
        "entry-a",
        ", annotations: {dns.gardener.cloud/ignore: 'True', dns.gardener.cloud/target-hard-ignore: 'TRUE'}",
        "dnsName: test.sub.example.com, targets: [5.6.7.8]",
    );
    let step = cluster.apply(&[p1(), annotated]);
    assert_eq!(
        changes(&step.before),
        ["update test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> 360:5.6.7.8"]
    );
    assert_ready(
        status(&step.after, "entry-a"),
        "p1",
        EXAMPLE,
        360,
        &["5.6.7.8"],
    );
}

/// IGN-04: an entry ignored from the start is never written.
#[test]
fn ign_04_an_ignored_new_entry_writes_nothing() {
    let mut cluster = Cluster::new();
    let ignored = entry_with(
        "entry-a",
        ", annotations: {dns.gardener.cloud/ignore: full}",
        "dnsName: test.sub.example.com, targets: [1.2.3.4]",
    );
    let step = cluster.apply(&[p1(), ignored]);
    assert!(step.before.changes.is_empty());
    assert_eq!(
        status(&step.after, "entry-a").state.as_deref(),
        Some("Ignored")
    );
    assert!(cluster.zone(EXAMPLE).is_empty());
    assert!(cluster.observed.owned.is_empty());
}

/// IGN-05 as far as it applies offline: a failing backend operation (`failDeleteEntry`) is
/// reported per change and retried once the failure is gone.
#[test]
fn ign_05_temporary_backend_failures_are_retried() {
    let mut cluster = Cluster::new();
    let failing = p1().replace("account: test,", "account: test, failDeleteEntry: true,");
    cluster.apply(&[failing.clone(), entry_a(), entry_b()]);
    assert_eq!(cluster.zone(EXAMPLE).len(), 2);

    let step = cluster.apply(&[failing.clone(), entry_a()]);
    assert_eq!(step.after.changes.len(), 1);
    assert_eq!(
        step.after.changes[0].outcome,
        Some(ChangeOutcome::Failed(ChangeFailure::ForcedByMockConfig))
    );
    assert_eq!(cluster.zone(EXAMPLE).len(), 2);
    // still owned: the next plan deletes it again
    let again = cluster.plan(&[failing, entry_a()]);
    assert_eq!(
        changes(&again),
        ["delete test/p1 test:example.com txt.sub.example.com TXT 360:This is a text!,blabla -> -"]
    );

    let step = cluster.apply(&[p1(), entry_a()]);
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        ["test.sub.example.com A 360 1.2.3.4"]
    );
    assert!(cluster.plan(&[p1(), entry_a()]).changes.is_empty());
}
