//! Manifests end to end: any bytes (UTF-8 or not) are read into a world (or refused as a whole),
//! and a plan is computed for whatever was read, under the default class and under `garden`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use shoot_dns::config::ManagerConfiguration;
use shoot_dns::{Config, Plan, World};

fuzz_target!(|data: &[u8]| {
    let mut world = World::default();
    if let Err(error) = shoot_dns::manifest::load_bytes(&mut world, "fuzz.yaml", data) {
        assert!(error.document >= 1, "{error:?}");
        drop(error.to_string());
    }
    let garden = ManagerConfiguration {
        class: Some("garden".to_owned()),
        ..Default::default()
    }
    .resolve()
    .expect("garden is a valid class");
    for config in [Config::default(), garden] {
        let plan = Plan::compute(&world, &config);
        // What a command line would print must not panic either.
        serde_json::to_string(&plan).expect("a plan serialises");
    }
});
