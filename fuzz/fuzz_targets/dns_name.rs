//! `DnsName` and `Target` parsing: no panic on any text; a parsed name obeys the rules it was
//! checked against, survives a round trip through its text, and normalising it again changes
//! nothing.

#![no_main]

use std::str::FromStr;

use libfuzzer_sys::fuzz_target;
use shoot_dns::name::{MAX_LABEL_LEN, MAX_NAME_LEN};
use shoot_dns::{DnsName, Target};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match DnsName::from_str(text) {
        Ok(name) => check_name(text, &name),
        // The messages quote the input: formatting them must not panic either.
        Err(error) => drop(error.to_string()),
    }
    match Target::from_str(text) {
        Ok(target) => {
            let _ = target.record_type();
            let again = target
                .to_string()
                .parse::<Target>()
                .unwrap_or_else(|e| panic!("{text:?} -> {target} does not parse again: {e}"));
            match &target {
                Target::Hostname(name) => {
                    // A wildcard name is a literal target (as in Gardener), but a name whose
                    // last label is all digits is none (RFC 1123 section 2.1).
                    let last = name.labels().last().unwrap_or_default();
                    assert!(
                        !last.bytes().all(|b| b.is_ascii_digit()),
                        "{text:?}: numeric last label in target {name:?}"
                    );
                    check_name(text, name);
                    assert_eq!(again, target, "{text:?}");
                }
                // An address's canonical text is stable.
                Target::Ipv4(_) | Target::Ipv6(_) => assert_eq!(again, target, "{text:?}"),
            }
        }
        Err(error) => drop(error.to_string()),
    }
});

fn check_name(input: &str, name: &DnsName) {
    let text = name.as_str();
    assert_eq!(name.to_string(), text);
    assert!(
        !text.is_empty() && text.len() <= MAX_NAME_LEN,
        "{input:?} -> {text:?}"
    );
    assert!(!text.ends_with('.'), "{input:?} -> {text:?}");
    for (i, label) in name.labels().enumerate() {
        assert!(
            !label.is_empty() && label.len() <= MAX_LABEL_LEN,
            "{input:?} -> {text:?}: label {label:?}"
        );
        if i == 0 && label == "*" {
            continue;
        }
        assert!(
            label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'),
            "{input:?} -> {text:?}: label {label:?}"
        );
        assert!(
            !label.starts_with('-') && !label.ends_with('-'),
            "{input:?} -> {text:?}: label {label:?}"
        );
    }
    if name.is_wildcard() {
        assert!(name.labels().count() >= 2, "{input:?} -> {text:?}");
    }
    assert!(name.is_subdomain_of(name));
    assert!(!name.is_strict_subdomain_of(name));

    // Round trip: the text parses back to the same name ...
    let again: DnsName = name
        .to_string()
        .parse()
        .unwrap_or_else(|e| panic!("{input:?} -> {text:?} does not parse again: {e}"));
    assert_eq!(&again, name, "{input:?}: round trip");
    // ... and normalisation is idempotent: the normalised text is its own normal form.
    assert_eq!(
        again.as_str(),
        text,
        "{input:?}: normalisation not idempotent"
    );
}
