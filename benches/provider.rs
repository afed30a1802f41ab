//! Provider choice (`ProviderIndex::choose`, docs/entries-and-providers.md §3.2): 100,000 entry
//! names against 10, 1,000 and 10,000 providers. The goal is under 1 µs per entry, flat in the
//! number of providers.
//!
//! Each provider includes one or two domains of its own (`d<i>.zone<i % 8>.com`, and for every
//! other provider `svc<i>.example.org`); every fourth excludes `internal.` below its first
//! domain, and a few providers are not Ready or being deleted. Three broad providers include
//! `zone0.com`, `zone1.com` and `example.org`, so many names meet more than one provider. The
//! names (3–5 labels, some wildcards, some under an excluded domain, a few under no provider)
//! are spread over the providers' domains. Index and names are built once, outside the timed
//! loop.
//!
//! ```text
//! cargo bench --bench provider -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use shoot_dns::DnsName;
use shoot_dns::provider::{ProviderCandidate, ProviderIndex};

const ENTRIES: usize = 100_000;

/// A fixed xorshift sequence, so every run sees the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn name(text: &str) -> DnsName {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} is no DNS name: {e}"))
}

fn first_domain(i: usize) -> String {
    format!("d{i}.zone{}.com", i % 8)
}

fn second_domain(i: usize) -> Option<String> {
    (i % 2 == 1).then(|| format!("svc{i}.example.org"))
}

fn index(providers: usize) -> ProviderIndex {
    let mut index = ProviderIndex::new();
    for i in 0..providers {
        let included = std::iter::once(first_domain(i))
            .chain(second_domain(i))
            .map(|d| name(&d))
            .collect();
        let excluded = if i % 4 == 0 {
            vec![name(&format!("internal.{}", first_domain(i)))]
        } else {
            Vec::new()
        };
        index.insert(ProviderCandidate {
            key: format!("ns{}/provider-{i}", i % 3),
            ready: i % 50 != 7,
            deleting: i % 100 == 9,
            included,
            excluded,
        });
    }
    for (key, domain) in [
        ("garden/broad-0", "zone0.com"),
        ("garden/broad-1", "zone1.com"),
        ("garden/broad-org", "example.org"),
    ] {
        index.insert(ProviderCandidate {
            key: key.to_owned(),
            ready: true,
            deleting: false,
            included: vec![name(domain)],
            excluded: Vec::new(),
        });
    }
    index
}

/// Entry names with their current provider (`status.provider`).
fn entries(providers: usize) -> Vec<(DnsName, Option<String>)> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..ENTRIES)
        .map(|k| {
            let i = rng.below(providers);
            let domain = match second_domain(i) {
                Some(second) if rng.below(2) == 0 => second,
                _ => first_domain(i),
            };
            let text = match rng.below(20) {
                // a few names that no provider serves
                0 => format!("host{k}.unknown{i}.net"),
                // below an excluded domain (excluded only for every fourth provider)
                1 | 2 => format!("host{k}.internal.{domain}"),
                3 | 4 => format!("*.{domain}"),
                5..=11 => format!("host{k}.{domain}"),
                _ => format!("host{k}.app.{domain}"),
            };
            let current = (rng.below(2) == 0).then(|| format!("ns{}/provider-{i}", i % 3));
            (name(&text), current)
        })
        .collect()
}

fn choose(c: &mut Criterion) {
    let mut group = c.benchmark_group("provider_choose");
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(20);
    group.throughput(Throughput::Elements(ENTRIES as u64));
    for providers in [10, 1_000, 10_000] {
        let index = index(providers);
        let entries = entries(providers);
        let matched = entries
            .iter()
            .filter(|(n, current)| index.choose(n, current.as_deref()).is_some())
            .count();
        assert!(matched > ENTRIES * 8 / 10, "{matched} of {ENTRIES} matched");
        group.bench_with_input(
            BenchmarkId::new("entries_100k/providers", providers),
            &(index, entries),
            |b, (index, entries)| {
                b.iter(|| {
                    for (dns_name, current) in entries {
                        black_box(index.choose(black_box(dns_name), current.as_deref()));
                    }
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, choose);
criterion_main!(benches);
