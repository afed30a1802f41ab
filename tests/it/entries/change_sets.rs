//! Change sets and their order (CS, ORD): deletes first, renames, canonical values.

use super::*;

// ---------------------------------------------------------------------------------------------
// CS / ORD: change sets and their order
// ---------------------------------------------------------------------------------------------

/// CS-07 and ORD: a type change deletes the old type before creating the new one (A → CNAME,
/// CNAME → AAAA), and across entries every delete runs before every update and create.
#[test]
fn cs_type_changes_delete_first() {
    let mut cluster = Cluster::new();
    cluster.apply(&[p1(), entry_a(), entry_c()]);
    let step = cluster.apply(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: test.sub.example.com, targets: [www.somewhere.com]",
        ),
        entry(
            "entry-c",
            "dnsName: cname.sub.example.com, targets: ['2001:db8::1'], ttl: 120",
        ),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com cname.sub.example.com CNAME 120:www.somewhere.com -> -",
            "delete test/p1 test:example.com test.sub.example.com A 360:1.2.3.4 -> -",
            "create test/p1 test:example.com cname.sub.example.com AAAA - -> 120:2001:db8::1",
            "create test/p1 test:example.com test.sub.example.com CNAME - -> 360:www.somewhere.com",
        ]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "cname.sub.example.com AAAA 120 2001:db8::1",
            "test.sub.example.com CNAME 360 www.somewhere.com",
        ]
    );
}

/// CS-07: an entry whose A and AAAA records are no longer wanted deletes both; CS-03: TTL and
/// values in one update; changes of several entries: deletes, then updates, then creates.
#[test]
fn cs_mixed_change_set_order() {
    let mut cluster = Cluster::new();
    cluster.apply(&[
        p1(),
        entry(
            "both",
            "dnsName: both.example.com, targets: [1.1.1.1, '::1']",
        ),
        entry("upd", "dnsName: upd.example.com, targets: [2.2.2.2]"),
    ]);
    let step = cluster.apply(&[
        p1(),
        entry("both", "dnsName: both.example.com"),
        entry(
            "upd",
            "dnsName: upd.example.com, targets: [3.3.3.3], ttl: 60",
        ),
        entry("new", "dnsName: a-new.example.com, targets: [4.4.4.4]"),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com both.example.com A 360:1.1.1.1 -> -",
            "delete test/p1 test:example.com both.example.com AAAA 360:::1 -> -",
            "update test/p1 test:example.com upd.example.com A 360:2.2.2.2 -> 60:3.3.3.3",
            "create test/p1 test:example.com a-new.example.com A - -> 360:4.4.4.4",
        ]
    );
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "a-new.example.com A 360 4.4.4.4",
            "upd.example.com A 60 3.3.3.3",
        ]
    );
}

/// A new name is a move: the record at the old name is deleted before the new one is created
/// (docs/entries-and-providers.md §5.6), and an unchanged entry with non-canonical IPv6 and CNAME
/// text plans nothing (D15).
#[test]
fn cs_rename_and_canonical_values() {
    let mut cluster = Cluster::new();
    let manifests = [
        p1(),
        entry(
            "entry-a",
            "dnsName: Test.Sub.Example.com., targets: ['2001:0DB8:0:0::1']",
        ),
        entry(
            "entry-c",
            "dnsName: cname.sub.example.com, targets: [WWW.Somewhere.com.]",
        ),
    ];
    let step = cluster.apply(&manifests);
    assert_all_ok(&step.after);
    assert_eq!(
        cluster.zone(EXAMPLE),
        [
            "cname.sub.example.com CNAME 360 www.somewhere.com",
            "test.sub.example.com AAAA 360 2001:db8::1",
        ]
    );
    assert_eq!(
        status(&step.after, "entry-a").dns_name.as_deref(),
        Some("test.sub.example.com")
    );
    assert!(cluster.plan(&manifests).changes.is_empty());

    let step = cluster.apply(&[
        p1(),
        entry(
            "entry-a",
            "dnsName: other.sub.example.com, targets: ['2001:db8::1']",
        ),
        manifests[2].clone(),
    ]);
    assert_eq!(
        changes(&step.before),
        [
            "delete test/p1 test:example.com test.sub.example.com AAAA 360:2001:db8::1 -> -",
            "create test/p1 test:example.com other.sub.example.com AAAA - -> 360:2001:db8::1",
        ]
    );
}
