//! The entries quota of the default `external` DNSProvider (docs/extension.md §4.4
//! `getDefaultDomainQuota`).

use super::{ControllerSettings, ProviderError};
use crate::extension::Shoot;
use crate::quote::GoIntError;

/// The Shoot annotation that overrides the default entries quota of the `external` provider.
pub const QUOTA_ANNOTATION: &str =
    "service.dns.extensions.gardener.cloud/default-external-provider-entries-quota";

/// The entries quota of the `external` DNSProvider, `None` for no quota (unlimited).
///
/// * `--default-external-provider-entries-quota` 0: no quota, and the Shoot annotation
///   [`QUOTA_ANNOTATION`] is ignored even when it is malformed;
/// * no annotation, or an empty one: the default quota;
/// * otherwise the annotation, a base-10 32-bit integer (`+`/`-` allowed), which must be at
///   least 1 and at most `--default-external-provider-entries-quota-max` (or the default quota
///   when the maximum is 0).
///
/// A default quota below zero yields no quota (Gardener writes a quota only when it is
/// positive).
///
/// ```
/// use shoot_dns::extension::Shoot;
/// use shoot_dns::extension::providers::{default_domain_quota, ControllerSettings, QUOTA_ANNOTATION};
///
/// let settings = ControllerSettings {
///     default_external_provider_entries_quota: 100,
///     ..ControllerSettings::default()
/// };
/// let mut shoot = Shoot::default();
/// assert_eq!(default_domain_quota(&settings, &shoot), Ok(Some(100)));
/// shoot.metadata.annotations.insert(QUOTA_ANNOTATION.into(), "150".into());
/// assert_eq!(
///     default_domain_quota(&settings, &shoot).unwrap_err().to_string(),
///     "annotated default external provider entries quota 150 (shoot annotation \
///      service.dns.extensions.gardener.cloud/default-external-provider-entries-quota) \
///      exceeds maximum allowed quota 100",
/// );
/// ```
pub fn default_domain_quota(
    settings: &ControllerSettings,
    shoot: &Shoot,
) -> Result<Option<i64>, ProviderError> {
    let quota = settings.default_external_provider_entries_quota;
    if quota == 0 {
        return Ok(None);
    }
    let value = match shoot.metadata.annotation(QUOTA_ANNOTATION) {
        Some(value) if !value.is_empty() => value,
        _ => return Ok(Some(quota).filter(|q| *q > 0)),
    };
    let parsed = parse_int32(value).map_err(|reason| ProviderError::QuotaUnparsable {
        value: value.to_owned(),
        reason: reason.message(value),
    })?;
    if parsed < 1 {
        return Err(ProviderError::QuotaInvalid {
            value: value.to_owned(),
        });
    }
    let max = match settings.default_external_provider_entries_quota_max {
        0 => quota,
        max => max,
    };
    if parsed > max {
        return Err(ProviderError::QuotaExceeded { quota: parsed, max });
    }
    Ok(Some(parsed))
}

/// `strconv.ParseInt(value, 10, 32)`, including Go's order of checks: digits are read left to
/// right, and a value that outgrows 32 bits is out of range even when a bad character follows.
fn parse_int32(value: &str) -> Result<i64, GoIntError> {
    let (negative, digits) = match value.as_bytes().first() {
        Some(b'+') => (false, &value[1..]),
        Some(b'-') => (true, &value[1..]),
        _ => (false, value),
    };
    if digits.is_empty() {
        return Err(GoIntError::Syntax);
    }
    let mut magnitude: u64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return Err(GoIntError::Syntax);
        }
        magnitude = magnitude * 10 + u64::from(b - b'0');
        if magnitude > u64::from(u32::MAX) {
            return Err(GoIntError::Range);
        }
    }
    let cutoff = 1u64 << 31;
    if (!negative && magnitude >= cutoff) || (negative && magnitude > cutoff) {
        return Err(GoIntError::Range);
    }
    let magnitude = magnitude as i64;
    Ok(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go_parse_int_32() {
        assert_eq!(parse_int32("5"), Ok(5));
        assert_eq!(parse_int32("+5"), Ok(5));
        assert_eq!(parse_int32("-10"), Ok(-10));
        assert_eq!(parse_int32("2147483647"), Ok(2_147_483_647));
        assert_eq!(parse_int32("-2147483648"), Ok(-2_147_483_648));
        for bad in ["", "+", "-", "1_0", " 1", "0x1", "invalid", "1e3"] {
            assert_eq!(parse_int32(bad), Err(GoIntError::Syntax), "{bad:?}");
        }
        for big in ["2147483648", "-2147483649", "5000000000", "5000000000x"] {
            assert_eq!(parse_int32(big), Err(GoIntError::Range), "{big:?}");
        }
    }

    #[test]
    fn l3_default_domain_quota_table() {
        const KEY: &str = "(shoot annotation service.dns.extensions.gardener.cloud/default-external-provider-entries-quota)";
        // (default quota, maximum, annotation, outcome)
        type Row<'a> = (i64, i64, Option<&'a str>, Result<Option<i64>, String>);
        let rows: &[Row<'_>] = &[
            (0, 0, None, Ok(None)),
            (0, 0, Some("50"), Ok(None)),
            (0, 0, Some("invalid"), Ok(None)),
            (100, 0, None, Ok(Some(100))),
            (100, 0, Some("80"), Ok(Some(80))),
            (
                100,
                0,
                Some("150"),
                Err(format!(
                    "annotated default external provider entries quota 150 {KEY} exceeds maximum allowed quota 100"
                )),
            ),
            (100, 200, Some("150"), Ok(Some(150))),
            (100, 200, Some("200"), Ok(Some(200))),
            (
                100,
                200,
                Some("250"),
                Err(format!(
                    "annotated default external provider entries quota 250 {KEY} exceeds maximum allowed quota 200"
                )),
            ),
            (
                100,
                0,
                Some("invalid"),
                Err(format!(
                    "failed to parse default external provider entries quota invalid {KEY}: strconv.ParseInt: parsing \"invalid\": invalid syntax"
                )),
            ),
            (
                100,
                0,
                Some("3000000000"),
                Err(format!(
                    "failed to parse default external provider entries quota 3000000000 {KEY}: strconv.ParseInt: parsing \"3000000000\": value out of range"
                )),
            ),
            (
                100,
                0,
                Some("-10"),
                Err(format!(
                    "invalid default external provider entries quota -10 {KEY}"
                )),
            ),
            (
                100,
                0,
                Some("0"),
                Err(format!(
                    "invalid default external provider entries quota 0 {KEY}"
                )),
            ),
            (100, 0, Some(""), Ok(Some(100))),
            (100, 0, Some("+5"), Ok(Some(5))),
            (10, 0, Some("5"), Ok(Some(5))),
            (
                10,
                0,
                Some("15"),
                Err(format!(
                    "annotated default external provider entries quota 15 {KEY} exceeds maximum allowed quota 10"
                )),
            ),
            (-5, 0, None, Ok(None)),
        ];
        for (quota, max, annotation, want) in rows {
            let settings = ControllerSettings {
                default_external_provider_entries_quota: *quota,
                default_external_provider_entries_quota_max: *max,
                ..ControllerSettings::default()
            };
            let mut shoot = Shoot::default();
            if let Some(value) = annotation {
                shoot
                    .metadata
                    .annotations
                    .insert(QUOTA_ANNOTATION.into(), value.to_string());
            }
            let got = default_domain_quota(&settings, &shoot).map_err(|e| e.to_string());
            assert_eq!(&got, want, "{quota} {max} {annotation:?}");
        }
    }
}
