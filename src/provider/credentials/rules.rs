//! The rules one credential property's value must follow, each with Gardener's message.

use super::pem;
use crate::quote::{go_parse_int, go_quote, is_go_printable};

/// A rule for a property value; the first rule a value breaks names the problem.
#[derive(Debug, Clone, Copy)]
pub(super) enum Rule {
    /// No leading or trailing white space.
    NoTrailingWhitespace,
    /// No leading or trailing `\n`/`\r`.
    NoTrailingNewline,
    /// `[a-zA-Z0-9]+`.
    AlphaNumeric,
    /// `[a-zA-Z0-9._:-]+`.
    AlphaNumericPunctuation,
    /// Printable characters only.
    Printable,
    /// `[a-zA-Z0-9=+/_]+`.
    Base64Underscore,
    /// A Go boolean (`true`, `false`, `1`, `0`, `t`, `F`, ...).
    Bool,
    /// At most this many bytes.
    MaxLength(usize),
    /// A decimal integer in this range.
    Int(i64, i64),
    /// A URL with one of these schemes.
    Url(&'static [&'static str]),
    /// One of these values.
    OneOf(&'static [&'static str]),
    /// Exactly this value.
    Expected(&'static str),
    /// Matches a regular expression (its Go text, and a matcher).
    Pattern(&'static str, fn(&str) -> bool),
    /// At least one parseable certificate in PEM form.
    CaCert,
    /// At least one PEM block.
    Pem,
    /// A check of its own, returning the reason.
    Custom(fn(&str) -> Result<(), String>),
}

impl Rule {
    /// Why `value` breaks the rule, or `Ok`.
    pub(super) fn check(self, value: &str) -> Result<(), String> {
        let fail = |reason: &str| Err(reason.to_owned());
        match self {
            Self::NoTrailingWhitespace if value.trim() != value => {
                fail("value must not contain trailing whitespace")
            }
            Self::NoTrailingNewline if value.trim_matches(['\n', '\r']) != value => {
                fail("value must not contain newlines")
            }
            Self::AlphaNumeric if !all_of(value, |c| c.is_ascii_alphanumeric()) => {
                fail("value must contain only alphanumeric characters")
            }
            Self::AlphaNumericPunctuation
                if !all_of(value, |c| c.is_ascii_alphanumeric() || "._:-".contains(c)) =>
            {
                fail(
                    "value must contain only alphanumeric characters, dots, hyphens, underscores, and colons",
                )
            }
            Self::Printable => match value.chars().find(|&c| !is_go_printable(c)) {
                Some(c) => Err(format!(
                    "value must contain only printable characters, found: rune {}",
                    u32::from(c)
                )),
                None => Ok(()),
            },
            Self::Base64Underscore
                if !all_of(value, |c| c.is_ascii_alphanumeric() || "=+/_".contains(c)) =>
            {
                fail(
                    "value must contain only characters used for base64 encoding (A-Z, a-z, 0-9, +, /, =, and _)",
                )
            }
            Self::Bool if crate::quote::go_parse_bool(value).is_none() => {
                fail("value must be a boolean (true/false)")
            }
            Self::MaxLength(max) if value.len() > max => {
                Err(format!("value exceeds maximum length of {max} characters"))
            }
            Self::Int(min, max) => match go_parse_int(value) {
                Err(_) => fail("value must be an integer"),
                Ok(n) if n < min || n > max => {
                    Err(format!("value must be between {min} and {max}"))
                }
                Ok(_) => Ok(()),
            },
            Self::Url(schemes) => {
                if !schemes.iter().any(|s| {
                    value
                        .strip_prefix(s)
                        .is_some_and(|rest| rest.starts_with("://"))
                }) {
                    return Err(format!(
                        "value must start with one of the following schemes: {}",
                        schemes.join(", ")
                    ));
                }
                crate::go_url::parse_scheme(value)
                    .map(drop)
                    .map_err(|e| format!("value must be a valid URL, error: {e}"))
            }
            Self::OneOf(values) if !values.contains(&value) => {
                Err(format!("value must be one of: {}", values.join(", ")))
            }
            Self::Expected(expected) if value != expected => {
                Err(format!("value must be {}", go_quote(expected)))
            }
            Self::Pattern(source, matches) if !matches(value) => {
                Err(format!("value must follow regular expresion: {source}"))
            }
            Self::CaCert if !has_certificate(value) => {
                fail("cannot parse certificates from PEM format")
            }
            Self::Pem if pem::decode(value).is_none() => {
                fail("value must be a valid PEM encoded string")
            }
            Self::Custom(check) => check(value),
            _ => Ok(()),
        }
    }
}

/// Non-empty and every character passes.
fn all_of(value: &str, ok: impl Fn(char) -> bool) -> bool {
    !value.is_empty() && value.chars().all(ok)
}

/// Whether a PEM text holds a certificate that Go's `CertPool.AppendCertsFromPEM` would take:
/// a `CERTIFICATE` block without headers whose body has a certificate's shape.
fn has_certificate(value: &str) -> bool {
    let mut rest = value;
    while let Some((block, after)) = pem::decode(rest) {
        if block.label == "CERTIFICATE" && !block.has_headers && pem::is_certificate(&block.bytes) {
            return true;
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::Rule::*;
    use super::*;

    fn reason(rule: Rule, value: &str) -> Option<String> {
        rule.check(value).err()
    }

    #[test]
    fn character_classes() {
        assert_eq!(reason(AlphaNumeric, "abc123"), None);
        assert_eq!(
            reason(AlphaNumeric, "abc-123").as_deref(),
            Some("value must contain only alphanumeric characters")
        );
        assert_eq!(reason(AlphaNumericPunctuation, "abc-123_:."), None);
        assert_eq!(
            reason(AlphaNumericPunctuation, "abc/123").as_deref(),
            Some(
                "value must contain only alphanumeric characters, dots, hyphens, underscores, and colons"
            )
        );
        assert_eq!(reason(Printable, "abc-123_:.äöüß€"), None);
        assert_eq!(
            reason(Printable, "abc\0def").as_deref(),
            Some("value must contain only printable characters, found: rune 0")
        );
        assert_eq!(reason(Base64Underscore, "YWJj_MTIz+/="), None);
        assert_eq!(
            reason(Base64Underscore, "abc*123").as_deref(),
            Some(
                "value must contain only characters used for base64 encoding (A-Z, a-z, 0-9, +, /, =, and _)"
            )
        );
    }

    #[test]
    fn white_space_and_newlines() {
        assert_eq!(reason(NoTrailingWhitespace, "foo"), None);
        for bad in ["foo ", " foo", "foo\n", "foo\u{a0}"] {
            assert_eq!(
                reason(NoTrailingWhitespace, bad).as_deref(),
                Some("value must not contain trailing whitespace")
            );
        }
        assert_eq!(reason(NoTrailingNewline, "foo bar "), None);
        assert_eq!(
            reason(NoTrailingNewline, "foo\n").as_deref(),
            Some("value must not contain newlines")
        );
    }

    #[test]
    fn scalars() {
        for good in ["true", "false", "1", "F", "TRUE"] {
            assert_eq!(reason(Bool, good), None);
        }
        assert_eq!(
            reason(Bool, "yes").as_deref(),
            Some("value must be a boolean (true/false)")
        );
        assert_eq!(reason(MaxLength(5), "12345"), None);
        assert_eq!(
            reason(MaxLength(3), "abcd").as_deref(),
            Some("value exceeds maximum length of 3 characters")
        );
        assert_eq!(reason(Int(1, 10), "5"), None);
        assert_eq!(
            reason(Int(1, 10), "11").as_deref(),
            Some("value must be between 1 and 10")
        );
        assert_eq!(
            reason(Int(1, 10), "abc").as_deref(),
            Some("value must be an integer")
        );
        assert_eq!(reason(OneOf(&["foo", "bar"]), "foo"), None);
        assert_eq!(
            reason(OneOf(&["foo", "bar"]), "baz").as_deref(),
            Some("value must be one of: foo, bar")
        );
        assert_eq!(reason(Expected("foo"), "foo"), None);
        assert_eq!(
            reason(Expected("foo"), "bar").as_deref(),
            Some("value must be \"foo\"")
        );
        let digits = Pattern(r"^foo\d+$", |v| {
            v.strip_prefix("foo")
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        });
        assert_eq!(reason(digits, "foo123"), None);
        assert_eq!(
            reason(digits, "bar123").as_deref(),
            Some(r"value must follow regular expresion: ^foo\d+$")
        );
    }

    #[test]
    fn urls() {
        assert_eq!(reason(Url(&["https", "http"]), "https://example.com"), None);
        assert_eq!(
            reason(Url(&["https"]), "ftp://example.com").as_deref(),
            Some("value must start with one of the following schemes: https")
        );
        assert_eq!(
            reason(Url(&["https"]), "https://%zz").as_deref(),
            Some(
                r#"value must be a valid URL, error: parse "https://%zz": invalid URL escape "%zz""#
            )
        );
    }

    #[test]
    fn pem_and_certificates() {
        let block = "-----BEGIN CERTIFICATE-----\ndGVzdA==\n-----END CERTIFICATE-----\n";
        assert_eq!(reason(Pem, block), None);
        assert_eq!(
            reason(Pem, "not a pem").as_deref(),
            Some("value must be a valid PEM encoded string")
        );
        assert_eq!(reason(CaCert, pem::tests::CA_CERT), None);
        let two = format!("{block}{}", pem::tests::CA_CERT);
        assert_eq!(reason(CaCert, &two), None);
        for bad in ["not a pem", block] {
            assert_eq!(
                reason(CaCert, bad).as_deref(),
                Some("cannot parse certificates from PEM format")
            );
        }
    }
}
