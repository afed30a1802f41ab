//! The moto harness of the aws-route53 tests (tests/it/support/route53.rs) against a running
//! moto: it starts, creates and lists zones, seeds records and reads them back across pages,
//! gives Route 53's errors as such, and stops. Each test skips (one loud line per test binary)
//! where moto cannot be had, unless `SHOOT_DNS_REQUIRE_MOTO=1`.

use crate::support::route53::{AliasTarget, Moto, RecordSet, bare_id};

#[test]
fn starts_creates_zones_and_stops() {
    let Some(mut moto) = Moto::start() else {
        return;
    };
    let endpoint = moto.endpoint();
    assert_eq!(endpoint, format!("http://127.0.0.1:{}", moto.port()));
    assert!(moto.list_zones().is_empty(), "a new server has no zones");

    let public = moto.create_zone("example.org", false);
    let private = moto.create_zone("internal.example.org.", true);
    assert_eq!(public.full, format!("/hostedzone/{}", public.bare));
    assert_eq!(bare_id(&private.full), private.bare);
    assert_ne!(public, private);

    let mut zones = moto.list_zones();
    zones.sort_by(|a, b| a.name.cmp(&b.name));
    let summary: Vec<_> = (zones.iter())
        .map(|z| (z.name.as_str(), z.private, &z.id))
        .collect();
    assert_eq!(
        summary,
        [
            ("example.org.", false, &public),
            ("internal.example.org.", true, &private)
        ]
    );

    // A new zone holds its NS and SOA sets; both id spellings name it.
    let sets = moto.record_sets(&public.full);
    let kinds: Vec<_> = (sets.iter())
        .map(|s| (s.name.as_str(), s.record_type.as_str()))
        .collect();
    assert_eq!(kinds, [("example.org.", "NS"), ("example.org.", "SOA")]);
    assert_eq!(moto.record_sets(&public.bare), sets);

    // Stopped, the port no longer answers and the process is gone.
    let pid = moto.pid().expect("a running server");
    moto.stop();
    assert!(std::net::TcpStream::connect(("127.0.0.1", moto.port())).is_err());
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
}

#[test]
fn records_come_back_across_pages() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("pages.example.org.", false);
    // 650 sets of one record each: below moto's 1000 records per batch.
    let seeded: Vec<RecordSet> = (0..650)
        .map(|i| {
            let ip = format!("192.0.2.{}", i % 250);
            RecordSet::new(&format!("host-{i:04}.pages.example.org."), "A", 300, &[&ip])
        })
        .collect();
    let batch: Vec<_> = seeded.iter().map(|set| ("CREATE", set)).collect();
    moto.change_batch(&zone.bare, &batch);
    moto.change(
        &zone.full,
        "CREATE",
        "txt.pages.example.org.",
        "TXT",
        60,
        &["\"v=spf1 -all\"", "\"a \\\"quoted\\\" & <escaped> string\""],
    );

    // The default page is 300 sets: 653 take three pages.
    let all = moto.record_sets_paged(&zone.full, None);
    assert_eq!(all.pages, 3);
    assert_eq!(all.sets.len(), 2 + 650 + 1);
    // Pages of 100 give the same sets in the same order.
    let small = moto.record_sets_paged(&zone.full, Some(100));
    assert_eq!(small.pages, 7);
    assert_eq!(small.sets, all.sets);
    assert_eq!(moto.record_sets(&zone.full), all.sets);

    let mut keys: Vec<_> = all.sets.iter().map(RecordSet::key).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), all.sets.len(), "every set once");
    for set in &seeded {
        assert!(all.sets.contains(set), "{set:?} is listed as seeded");
    }
    let txt = (all.sets.iter())
        .find(|s| s.record_type == "TXT")
        .expect("the TXT set");
    assert_eq!(
        txt.values,
        ["\"v=spf1 -all\"", "\"a \\\"quoted\\\" & <escaped> string\""]
    );
    assert_eq!(txt.ttl, Some(60));

    // Deleted, a set is gone from the listing; the zone's count follows.
    moto.change(
        &zone.bare,
        "DELETE",
        "host-0000.pages.example.org.",
        "A",
        300,
        &["192.0.2.0"],
    );
    let after = moto.record_sets(&zone.bare);
    assert_eq!(after.len(), all.sets.len() - 1);
    assert!(!after.contains(&seeded[0]));
    let listed = moto.list_zones();
    assert_eq!(listed[0].record_set_count, after.len() as u64);
}

#[test]
fn routing_policies_and_aliases_round_trip() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("routed.example.org.", false);
    let name = "www.routed.example.org.";
    // Three weighted sets of one name and type, split by pages of three: moto ignores
    // StartRecordIdentifier, so the next page repeats the sets the harness has (and leaves out).
    let weighted: Vec<RecordSet> = (1..=3)
        .map(|i| {
            let weight = (i * 10).to_string();
            RecordSet::new(name, "A", 60, &[&format!("192.0.2.{i}")])
                .routed(&format!("set-{i}"), &[("Weight", &weight)])
        })
        .collect();
    let mut geo = RecordSet::new(name, "AAAA", 60, &["2001:db8::1"]).routed(
        "us-ca",
        &[
            ("GeoLocation/CountryCode", "US"),
            ("GeoLocation/SubdivisionCode", "CA"),
        ],
    );
    geo.health_check_id = Some("8d2c4a3e-0000-4000-8000-000000000001".to_owned());
    let alias = RecordSet::alias(
        "cdn.routed.example.org.",
        "A",
        AliasTarget {
            hosted_zone_id: "Z2FDTNDATAQYW2".to_owned(),
            dns_name: "d111111abcdef8.cloudfront.net.".to_owned(),
            evaluate_target_health: false,
        },
    );
    let wildcard = RecordSet::new("\\052.routed.example.org.", "CNAME", 300, &["www.example."]);
    let mut changes: Vec<_> = weighted.iter().map(|set| ("CREATE", set)).collect();
    changes.extend([("CREATE", &geo), ("CREATE", &alias), ("CREATE", &wildcard)]);
    moto.change_batch(&zone.full, &changes);

    let paged = moto.record_sets_paged(&zone.full, Some(3));
    let whole = moto.record_sets(&zone.full);
    assert_eq!(paged.sets, whole);
    assert!(paged.pages >= 4, "{} pages", paged.pages);
    for set in weighted.iter().chain([&geo, &alias, &wildcard]) {
        assert_eq!(
            whole.iter().filter(|s| *s == set).count(),
            1,
            "{set:?} comes back once, as it was sent, in {whole:#?}"
        );
    }
}

#[test]
fn refusals_are_route53_errors() {
    let Some(moto) = Moto::start() else { return };
    let zone = moto.create_zone("errors.example.org.", false);
    let set = RecordSet::new("a.errors.example.org.", "A", 300, &["192.0.2.1"]);

    // Deleting what is not there.
    let missing = moto.try_change_batch(&zone.bare, &[("DELETE", &set)]);
    let missing = missing.expect_err("DELETE of a missing set");
    assert_eq!(
        (missing.status, missing.code.as_str()),
        (400, "InvalidInput")
    );
    assert!(missing.message.contains("Action=DELETE"), "{missing}");

    // Creating what is there.
    moto.change_batch(&zone.bare, &[("CREATE", &set)]);
    let twice = moto.try_change_batch(&zone.bare, &[("CREATE", &set)]);
    let twice = twice.expect_err("CREATE of an existing set");
    assert_eq!(
        (twice.status, twice.code.as_str()),
        (400, "InvalidChangeBatch")
    );
    assert!(twice.message.contains("already exists"), "{twice}");

    // More than 1000 records in one batch.
    let many: Vec<RecordSet> = (0..1001)
        .map(|i| {
            RecordSet::new(
                &format!("n{i}.errors.example.org."),
                "A",
                300,
                &["192.0.2.9"],
            )
        })
        .collect();
    let batch: Vec<_> = many.iter().map(|set| ("CREATE", set)).collect();
    let too_many = moto
        .try_change_batch(&zone.bare, &batch)
        .expect_err("1001 records");
    assert_eq!(too_many.code, "InvalidChangeBatch");
    assert!(too_many.message.contains("1000"), "{too_many}");

    // A zone that does not exist.
    let none = moto.try_change_batch("ZNOSUCHZONE", &[("CREATE", &set)]);
    let none = none.expect_err("an unknown zone");
    assert_eq!((none.status, none.code.as_str()), (404, "NoSuchHostedZone"));

    // Nothing of the refused batches was applied.
    assert_eq!(moto.record_sets(&zone.bare).len(), 3);
    // A reset forgets the zones.
    moto.reset();
    assert!(moto.list_zones().is_empty());
}
