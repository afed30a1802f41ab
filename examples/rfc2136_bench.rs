//! Applies 10,000 record changes to a DNS server through the rfc2136 adapter and reports the
//! rate and the number of UPDATE messages: 10,000 creates, then 10,000 deletes of the same
//! record sets (which leaves the zone as it was).
//!
//! ```text
//! RFC2136_SERVER=127.0.0.1:5353 RFC2136_ZONE=example.com. RFC2136_KEY_NAME=shoot-dns. \
//! RFC2136_SECRET=<base64> cargo run --release --features rfc2136 --example rfc2136_bench
//! ```
//!
//! `RFC2136_ALGORITHM` (default `hmac-sha256`) and `RFC2136_COUNT` (default 10000) are optional.
//! The README's rfc2136 section starts a local BIND that this runs against.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use shoot_dns::adapters::backends::rfc2136::ZoneServer;
use shoot_dns::records::{RecordSet, RecordType};
use shoot_dns::zones::{Action, Change, Content};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        eprintln!("set {name} (see the comment at the top of examples/rfc2136_bench.rs)");
        std::process::exit(2)
    })
}

fn main() {
    let zone = env("RFC2136_ZONE");
    let properties: BTreeMap<String, String> = [
        ("Server", env("RFC2136_SERVER")),
        ("Zone", zone.clone()),
        ("TSIGKeyName", env("RFC2136_KEY_NAME")),
        ("TSIGSecret", env("RFC2136_SECRET")),
        (
            "TSIGSecretAlgorithm",
            std::env::var("RFC2136_ALGORITHM").unwrap_or_else(|_| "hmac-sha256".into()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let count: usize = std::env::var("RFC2136_COUNT")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(10_000);
    let server = ZoneServer::from_properties(&properties).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(2)
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("an I/O runtime");
    let domain = zone.trim_end_matches('.');
    let run = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let set = |i: usize| RecordSet {
        record_type: RecordType::A,
        ttl: 300,
        values: vec![format!(
            "10.{}.{}.{}",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255
        )],
        routing_policy: None,
    };
    let change = |i: usize, action: Action| Change {
        provider: "bench/rfc2136".into(),
        zone: zone.as_str().into(),
        action,
        name: format!("bench{run}-{i}.{domain}")
            .parse()
            .expect("a valid name"),
        record_type: RecordType::A,
        set_identifier: String::new(),
        old: (action == Action::Delete).then(|| Content {
            ttl: 300,
            values: set(i).values,
        }),
        new: None,
        outcome: None,
        new_set: (action == Action::Create).then(|| set(i)),
        old_set: (action == Action::Delete).then(|| set(i)),
        entry: shoot_dns::id::EntryId::given("bench", &format!("e{i}")),
    };
    for action in [Action::Create, Action::Delete] {
        let changes: Vec<Change> = (0..count).map(|i| change(i, action)).collect();
        let list: Vec<&Change> = changes.iter().collect();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let start = Instant::now();
        let written = runtime.block_on(server.write(&list, now));
        let elapsed = start.elapsed();
        let failed = written.outcomes.iter().filter(|o| !o.is_applied()).count();
        println!(
            "{action:?}: {count} record changes in {:.2} s = {:.0} records/s, {} UPDATE messages, {failed} failed",
            elapsed.as_secs_f64(),
            count as f64 / elapsed.as_secs_f64(),
            written.messages
        );
        if let Some(e) = written.outcomes.iter().find(|o| !o.is_applied()) {
            println!("  first failure: {e}");
        }
    }
}
