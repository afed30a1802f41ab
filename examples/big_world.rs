//! Writes the world the command line's scale figures are measured on: 100,000 annotated
//! Services of type LoadBalancer (one name and one load balancer IP each, in 10 namespaces) and
//! 10 `local` DNSProviders, one zone each, as one manifest file.
//!
//! ```text
//! cargo run --release --example big_world -- /tmp/big            # writes /tmp/big/world.yaml
//! cargo build --release
//! target/release/shoot-dns apply --state /tmp/big/state.json /tmp/big/world.yaml >/dev/null
//! /usr/bin/time -v target/release/shoot-dns plan --state /tmp/big/state.json /tmp/big/world.yaml >/dev/null
//! /usr/bin/time -v target/release/shoot-dns plan -o json --state /tmp/big/state.json /tmp/big/world.yaml >/dev/null
//! ```
//!
//! The `apply` makes the 100,000 records and keeps them, with what each entry owns, in the
//! state; the `plan`s then find nothing to change. A second argument sets the number of
//! Services.

use std::fmt::Write as _;
use std::io::Write as _;

const PROVIDERS: usize = 10;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: big_world DIR [SERVICES]")?;
    let services: usize = match args.next() {
        Some(n) => n.parse()?,
        None => 100_000,
    };
    std::fs::create_dir_all(&dir)?;
    let mut text = String::with_capacity(services * 400);
    for p in 0..PROVIDERS {
        write!(
            text,
            "apiVersion: dns.gardener.cloud/v1alpha1
kind: DNSProvider
metadata:
  name: p{p}
  namespace: dns
  annotations: {{dns.gardener.cloud/class: garden}}
spec:
  type: local
  providerConfig:
    zones: [{{dnsName: p{p}.example.com}}]
  domains: {{include: [p{p}.example.com]}}
---
"
        )?;
    }
    for i in 0..services {
        write!(
            text,
            "apiVersion: v1
kind: Service
metadata:
  name: svc{i}
  namespace: ns{ns}
  annotations:
    dns.gardener.cloud/dnsnames: svc{i}.p{p}.example.com
    dns.gardener.cloud/class: garden
spec:
  type: LoadBalancer
  ports: [{{port: 80, targetPort: 8080, protocol: TCP}}]
status:
  loadBalancer:
    ingress: [{{ip: 10.{a}.{b}.{c}}}]
---
",
            ns = i % 10,
            p = i % PROVIDERS,
            a = (i >> 16) & 0xff,
            b = (i >> 8) & 0xff,
            c = i & 0xff,
        )?;
    }
    let path = std::path::Path::new(&dir).join("world.yaml");
    std::fs::File::create(&path)?.write_all(text.as_bytes())?;
    println!(
        "{}: {services} Services, {PROVIDERS} providers, {} bytes",
        path.display(),
        text.len()
    );
    Ok(())
}
