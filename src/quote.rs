//! Go-compatible quoting and integer parsing, for messages that must read exactly as
//! Gardener's (which prints values with Go's `%q` and reports `strconv.ParseInt` errors).

use std::fmt::Write;

/// Go's `strconv.ParseBool`.
pub(crate) fn go_parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Quotes `s` like Go's `strconv.Quote` (`%q`): double quotes, `\"` and `\\` escaped,
/// printable characters kept, control characters as `\n`, `\t`, `\xNN` or `\uNNNN`.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if !is_go_printable(c) => {
                if (c as u32) <= 0xffff {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                } else {
                    let _ = write!(out, "\\U{:08x}", c as u32);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.IsPrint`, closely enough for messages: no control characters, no spaces other
/// than U+0020, no invisible format characters.
pub(crate) fn is_go_printable(c: char) -> bool {
    !(c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
}

/// Why a decimal integer did not parse, worded as Go's `strconv.ParseInt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GoIntError {
    /// Not a decimal integer.
    Syntax,
    /// Outside the signed 64-bit range.
    Range,
}

impl GoIntError {
    /// The text Go prints: `strconv.ParseInt: parsing "<v>": invalid syntax`.
    pub(crate) fn message(self, value: &str) -> String {
        let reason = match self {
            Self::Syntax => "invalid syntax",
            Self::Range => "value out of range",
        };
        format!("strconv.ParseInt: parsing {}: {reason}", go_quote(value))
    }
}

/// Parses like Go's `strconv.ParseInt(value, 10, 64)`: an optional sign, then ASCII digits
/// only; no spaces, no underscores, no `0x`.
pub(crate) fn go_parse_int(value: &str) -> Result<i64, GoIntError> {
    let (negative, digits) = match value.as_bytes().first() {
        Some(b'-') => (true, &value[1..]),
        Some(b'+') => (false, &value[1..]),
        _ => (false, value),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(GoIntError::Syntax);
    }
    let mut magnitude: u64 = 0;
    for b in digits.bytes() {
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(u64::from(b - b'0')))
            .ok_or(GoIntError::Range)?;
    }
    if negative {
        if magnitude > i64::MAX as u64 + 1 {
            return Err(GoIntError::Range);
        }
        Ok((magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(magnitude).map_err(|_| GoIntError::Range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        assert_eq!(go_quote("abc"), r#""abc""#);
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("a\nb\tc\x01\x7f"), r#""a\nb\tc\x01\x7f""#);
        assert_eq!(go_quote("bücher"), "\"bücher\"");
        assert_eq!(go_quote("\u{85}"), r#""\u0085""#);
        assert_eq!(go_quote("a\u{a0}b\u{ad}"), r#""a\u00a0b\u00ad""#);
    }

    #[test]
    fn parses_like_strconv_parse_int() {
        assert_eq!(go_parse_int("600"), Ok(600));
        assert_eq!(go_parse_int("+5"), Ok(5));
        assert_eq!(go_parse_int("-5"), Ok(-5));
        assert_eq!(go_parse_int("007"), Ok(7));
        assert_eq!(go_parse_int("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(go_parse_int("9223372036854775807"), Ok(i64::MAX));
        for bad in [
            "", "+", "-", " 1", "1 ", "0x10", "1_000", "1e3", "abc", "１",
        ] {
            assert_eq!(go_parse_int(bad), Err(GoIntError::Syntax), "{bad:?}");
        }
        for big in [
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
        ] {
            assert_eq!(go_parse_int(big), Err(GoIntError::Range), "{big:?}");
        }
    }

    #[test]
    fn messages_match_go() {
        assert_eq!(
            GoIntError::Syntax.message("abc"),
            r#"strconv.ParseInt: parsing "abc": invalid syntax"#
        );
        assert_eq!(
            GoIntError::Range.message("99999999999999999999"),
            r#"strconv.ParseInt: parsing "99999999999999999999": value out of range"#
        );
    }
}
