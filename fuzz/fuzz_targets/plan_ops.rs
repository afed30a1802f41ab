//! Random sequences of operations (entries added, changed and deleted; providers added, changed
//! and removed; deletes made to fail) driven through `Plan::compute` and
//! `adapters::backends::memory::apply`, with the plan's invariants checked after each step:
//! - a record set that no entry owns is never changed or deleted (COMPATIBILITY.md#d14);
//! - an apply whose changes all succeeded leaves nothing to change;
//! - two entries never own the same record set.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shoot_dns::{Config, Plan, World};

#[path = "ops/mod.rs"]
mod ops;

use ops::{DOMAINS, LABELS, check_ownership, entry, foreign, provider, upsert};

fuzz_target!(|data: &[u8]| {
    let config = Config::default();
    let mut world = World::default();
    let foreign = foreign(&mut world);
    for op in data.chunks(4).take(40) {
        let [kind, a, b, c] = [
            op[0],
            *op.get(1).unwrap_or(&0),
            *op.get(2).unwrap_or(&0),
            *op.get(3).unwrap_or(&0),
        ];
        match kind % 5 {
            0 | 1 => {
                let e = entry(
                    a % 6,
                    LABELS[usize::from(b) % LABELS.len()],
                    DOMAINS[usize::from(b >> 4) % DOMAINS.len()],
                    c % 8,
                    (c & 0x80 != 0).then_some(i64::from(c % 5) * 60 + 60),
                    c & 0x40 != 0,
                );
                upsert(&mut world.entries, e, |e| e.metadata.name.as_ref());
            }
            2 => world
                .entries
                .retain(|e| e.metadata.name.as_deref() != Some(&format!("e{}", a % 6))),
            3 => {
                let p = provider(a % 3, DOMAINS[usize::from(b) % DOMAINS.len()], c % 4 == 0);
                upsert(&mut world.providers, p, |p| p.metadata.name.as_ref());
            }
            _ => world
                .providers
                .retain(|p| p.metadata.name.as_deref() != Some(&format!("p{}", a % 3))),
        }
        let plan = Plan::compute(&world, &config);
        let after = shoot_dns::adapters::backends::memory::apply(&mut world, &config, plan);
        check_ownership(&world, &foreign);
        if after
            .changes
            .iter()
            .all(|c| c.outcome == Some(shoot_dns::zones::ChangeOutcome::Applied))
        {
            let again = Plan::compute(&world, &config);
            assert!(
                again.changes.is_empty(),
                "changes after a clean apply: {:?}",
                again.changes
            );
        }
    }
});
