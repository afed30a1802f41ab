//! Names in the seed namespace: the shortened shoot id (`ShortenID`, docs/extension.md
//! §4.1) and the names of additional DNSProviders (COMPATIBILITY.md#d20).

use std::collections::BTreeMap;

use crate::extension::config::{DnsConfigProvider, SelectionLists};

/// The longest name this module produces (a Kubernetes label value or DNS label).
pub const MAX_NAME_LEN: usize = 63;

/// The smallest `max_len` [`shorten_id`] accepts; smaller values are read as this one.
pub const MIN_SHORTEN_LEN: usize = 16;

/// Shortens an identifier the way Gardener's `ShortenID` does: an `id` of at most `max_len`
/// bytes is returned unchanged; a longer one is cut and suffixed with `-` and the FNV-1 (not
/// FNV-1a) 64-bit hash of the whole id in lower-case base 36, so that the result is
/// `id[..62 - len(hash)] + "-" + hash`: 63 characters whatever `max_len` is.
///
/// Where Gardener panics this function does not: a `max_len` below 16 is read as 16, an id
/// shorter than the cut keeps all its characters, and a cut inside a multi-byte character
/// moves to the character's start.
///
/// ```
/// use shoot_dns::extension::providers::shorten_id;
///
/// let id = "shoot--foo--bar-78897def-5208-4feb-b0f0-015950eadbb9-test-landscape";
/// assert_eq!(shorten_id(id, 63), "shoot--foo--bar-78897def-5208-4feb-b0f0-015950ead-32l64aynh256m");
/// assert_eq!(shorten_id("shoot--foo--bar", 63), "shoot--foo--bar");
/// ```
pub fn shorten_id(id: &str, max_len: usize) -> String {
    if id.len() <= max_len.max(MIN_SHORTEN_LEN) {
        return id.to_owned();
    }
    let hash = base36(fnv1_64(id.as_bytes()));
    let mut cut = (MAX_NAME_LEN - 1 - hash.len()).min(id.len());
    while !id.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}-{hash}", &id[..cut])
}

/// The name of an additional DNSProvider for a provider `type` and the named resource `R` its
/// `secretName` or `credentials` refers to (COMPATIBILITY.md#d20).
///
/// Gardener names it `<type>-<R>` verbatim. Here `<type>-<R>` is made a valid Kubernetes name:
/// lower case, every character outside `[a-z0-9-]` replaced by `-`, runs of `-` collapsed, no
/// `-` at either end. When that changes the text or it is longer than 63 characters, it is cut
/// to fit and `-` plus the 8-hex-digit FNV-1a hash of the unchanged `<type>-<R>` is appended,
/// so different inputs keep different names.
///
/// ```
/// use shoot_dns::extension::providers::additional_provider_name;
///
/// assert_eq!(additional_provider_name("aws-route53", "provider-secret"), "aws-route53-provider-secret");
/// let name = additional_provider_name("aws-route53", "My_Secret.v2");
/// assert!(name.starts_with("aws-route53-my-secret-v2-"));
/// assert_eq!(name.len(), "aws-route53-my-secret-v2-".len() + 8);
/// ```
pub fn additional_provider_name(provider_type: &str, resource: &str) -> String {
    let raw = format!("{provider_type}-{resource}");
    let clean = sanitise(&raw);
    if clean == raw && clean.len() <= MAX_NAME_LEN {
        clean
    } else {
        with_suffix(&clean, &hash8(&raw))
    }
}

/// One additional provider that has a type and a named resource, as the naming sees it.
pub(super) struct NameInput<'a> {
    /// The provider type.
    pub provider_type: &'a str,
    /// The named resource (`secretName` or `credentials`).
    pub resource: &'a str,
    /// The provider config entry, for its domain and zone selection.
    pub provider: &'a DnsConfigProvider,
}

/// The names of several additional providers, in input order. Providers that would share a
/// name but select different domains or zones each get `-` plus the 8-hex-digit FNV-1a hash of
/// their type, resource and (sorted) selection appended, instead of overwriting each other
/// (COMPATIBILITY.md#d20). Providers that agree in all of that share their name: they are one
/// provider.
pub(super) fn distinct_names(inputs: &[NameInput<'_>]) -> Vec<String> {
    let bases: Vec<String> = inputs
        .iter()
        .map(|input| additional_provider_name(input.provider_type, input.resource))
        .collect();
    let identities: Vec<String> = inputs.iter().map(identity).collect();
    let mut groups: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (base, id) in bases.iter().zip(&identities) {
        let members = groups.entry(base.as_str()).or_default();
        if !members.contains(&id.as_str()) {
            members.push(id.as_str());
        }
    }
    bases
        .iter()
        .zip(&identities)
        .map(|(base, id)| {
            if groups[base.as_str()].len() > 1 {
                with_suffix(base, &hash8(id))
            } else {
                base.clone()
            }
        })
        .collect()
}

/// What makes an additional provider distinct: type, resource and its selection, with each
/// list sorted and deduplicated (list order does not change what a provider serves).
fn identity(input: &NameInput<'_>) -> String {
    fn lists(selection: Option<&SelectionLists>) -> [String; 2] {
        let sorted = |list: Option<&Vec<String>>| {
            let mut items: Vec<&str> = list.into_iter().flatten().map(String::as_str).collect();
            items.sort_unstable();
            items.dedup();
            items.join("\u{1}")
        };
        let selection = selection.cloned().unwrap_or_default();
        [
            sorted(selection.include.as_ref()),
            sorted(selection.exclude.as_ref()),
        ]
    }
    let [domains_in, domains_out] = lists(input.provider.domains.as_ref());
    let [zones_in, zones_out] = lists(input.provider.zones.as_ref());
    [
        input.provider_type,
        input.resource,
        &domains_in,
        &domains_out,
        &zones_in,
        &zones_out,
    ]
    .join("\u{0}")
}

/// Lower case, `[a-z0-9-]` only, no runs of `-`, no `-` at either end.
fn sanitise(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// `base` (ASCII) cut so that `base-suffix` fits in 63 characters, then `-suffix`.
fn with_suffix(base: &str, suffix: &str) -> String {
    let room = MAX_NAME_LEN - 1 - suffix.len();
    let cut = base[..base.len().min(room)].trim_end_matches('-');
    if cut.is_empty() {
        suffix.to_owned()
    } else {
        format!("{cut}-{suffix}")
    }
}

/// FNV-1 64-bit (multiply, then xor), as Go's `hash/fnv.New64`.
fn fnv1_64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash: u64, &b| {
        hash.wrapping_mul(0x0000_0100_0000_01b3) ^ u64::from(b)
    })
}

/// FNV-1a 32-bit (xor, then multiply) as 8 lower-case hex digits.
fn hash8(text: &str) -> String {
    let hash = text.bytes().fold(0x811c_9dc5, |hash: u32, b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{hash:08x}")
}

/// `strconv.FormatUint(n, 36)`.
fn base36(mut n: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn fnv_and_base36_match_go() {
        // Go: fnv.New64() of "" is the offset basis; FormatUint(0, 36) is "0".
        assert_eq!(fnv1_64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1_64(b"a"), 0xaf63_bd4c_8601_b7be);
        assert_eq!(hash8(""), "811c9dc5");
        assert_eq!(hash8("a"), "e40c292c");
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36), "10");
        assert_eq!(base36(u64::MAX), "3w5e11264sgsf");
    }

    #[test]
    fn sanitise_rules() {
        assert_eq!(sanitise("Aws--Route53__x..y-"), "aws-route53-x-y");
        assert_eq!(sanitise("--a"), "a");
        assert_eq!(sanitise("日本"), "");
    }

    #[test]
    fn suffix_fits_and_never_leaves_a_dash_before_it() {
        let base = format!("{}-{}", "a".repeat(53), "b".repeat(20));
        let name = with_suffix(&base, "01234567");
        assert_eq!(name, format!("{}-01234567", "a".repeat(53)));
        assert_eq!(with_suffix("", "01234567"), "01234567");
    }

    #[test]
    fn c1_shorten_id() {
        let cases = [
            (
                "shoot--garden--something12-cf7607c1-1b8a-11e8-8c77-fa163e4902b1",
                "shoot--garden--something12-cf7607c1-1b8a-11e8-8c77-fa163e4902b1",
            ),
            (
                "shoot--garden--something123-cf7607c1-1b8a-11e8-8c77-fa163e4902b2",
                "shoot--garden--something123-cf7607c1-1b8a-11e8-8c7-qksvc0j2gs9a",
            ),
            (
                "shoot--foo--bar-78897def-5208-4feb-b0f0-015950eadbb9-test-landscape",
                "shoot--foo--bar-78897def-5208-4feb-b0f0-015950ead-32l64aynh256m",
            ),
        ];
        for (id, want) in cases {
            assert_eq!(shorten_id(id, 63), want);
        }
        // The result is 63 characters whatever the maximum; a maximum below 16 is read as 16,
        // and an id shorter than the cut keeps all its characters (Go panics in both cases).
        let long = "x".repeat(100);
        assert_eq!(shorten_id(&long, 80).len(), 63);
        assert_eq!(shorten_id("abcdefghijklmnop", 3), "abcdefghijklmnop");
        let short = shorten_id("abcdefghijklmnopq", 16);
        assert!(short.starts_with("abcdefghijklmnopq-"), "{short}");
        // A cut inside a multi-byte character moves to its start.
        let wide = "é".repeat(40);
        assert!(shorten_id(&wide, 63).chars().count() < 63);
    }

    #[test]
    fn provider_names_are_sanitised() {
        let clean = additional_provider_name("aws-route53", "shoot-dns-service-my-secret");
        assert_eq!(clean, "aws-route53-shoot-dns-service-my-secret");

        let cases = [
            ("aws-route53", "MySecret", "aws-route53-mysecret-"),
            ("aws-route53", "my.secret", "aws-route53-my-secret-"),
            ("aws-route53", "my_secret", "aws-route53-my-secret-"),
            ("aws-route53", "__a..B__", "aws-route53-a-b-"),
        ];
        let mut seen = BTreeSet::new();
        for (ty, resource, prefix) in cases {
            let name = additional_provider_name(ty, resource);
            assert!(name.starts_with(prefix), "{name}");
            assert_eq!(name.len(), prefix.len() + 8, "{name}");
            assert!(name[prefix.len()..].bytes().all(|b| b.is_ascii_hexdigit()));
            assert!(seen.insert(name), "names stay distinct");
        }
        assert_eq!(
            additional_provider_name("aws-route53", "my_secret"),
            additional_provider_name("aws-route53", "my_secret"),
            "stable"
        );

        let long = "s".repeat(100);
        let name = additional_provider_name("aws-route53", &long);
        assert_eq!(name.len(), 63);
        assert!(name.starts_with(&format!("aws-route53-{}", "s".repeat(42))));
        let other = additional_provider_name("aws-route53", &format!("{long}t"));
        assert_ne!(name, other);
        assert_eq!(other.len(), 63);

        // No `-` right before the suffix, even when the cut ends on one.
        let dashed = format!("{}-{}", "a".repeat(41), "b".repeat(60));
        let name = additional_provider_name("aws-route53", &dashed);
        assert!(!name.contains("--"), "{name}");
        assert!(name.starts_with(&format!("aws-route53-{}-", "a".repeat(41))));

        let name = additional_provider_name("日本", "秘密");
        assert_eq!(name.len(), 8);
    }
}
