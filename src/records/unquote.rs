//! Go's `strconv.Unquote` for double-quoted string literals: the inverse of
//! [`go_quote`](crate::quote::go_quote), for TXT values read back from `status.targets`.

/// Go's `strconv.ErrSyntax`: the text is no double-quoted Go string literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct InvalidSyntax;

/// Unquotes a double-quoted Go string literal like `strconv.Unquote`: the quotes must enclose
/// the whole text, no unescaped `"` or newline may occur inside, and the escapes are Go's
/// (`\a \b \f \n \r \t \v \\ \"`, `\xNN` and three-digit octal `\NNN` for one byte, `\uNNNN` and
/// `\UNNNNNNNN` for a code point other than a surrogate).
///
/// Go strings may hold any bytes, so `"\xff"` unquotes there; a Rust `String` cannot, so a
/// result that is not UTF-8 is [`InvalidSyntax`] here. [`go_quote`](crate::quote::go_quote)
/// never writes such a value.
pub(super) fn go_unquote(quoted: &str) -> Result<String, InvalidSyntax> {
    let inner = quoted
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .ok_or(InvalidSyntax)?;
    let bytes = inner.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\n' => return Err(InvalidSyntax),
            b'\\' => i = unescape(bytes, i + 1, &mut out)?,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| InvalidSyntax)
}

/// Decodes the escape whose letter is at `bytes[i]` into `out`; returns the index after it.
fn unescape(bytes: &[u8], i: usize, out: &mut Vec<u8>) -> Result<usize, InvalidSyntax> {
    let &letter = bytes.get(i).ok_or(InvalidSyntax)?;
    let simple = match letter {
        b'a' => Some(0x07),
        b'b' => Some(0x08),
        b'f' => Some(0x0c),
        b'n' => Some(b'\n'),
        b'r' => Some(b'\r'),
        b't' => Some(b'\t'),
        b'v' => Some(0x0b),
        b'\\' => Some(b'\\'),
        b'"' => Some(b'"'),
        _ => None,
    };
    if let Some(b) = simple {
        out.push(b);
        return Ok(i + 1);
    }
    match letter {
        b'x' | b'u' | b'U' => {
            let len = match letter {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let digits = bytes.get(i + 1..i + 1 + len).ok_or(InvalidSyntax)?;
            let mut value: u32 = 0;
            for &d in digits {
                let digit = char::from(d).to_digit(16).ok_or(InvalidSyntax)?;
                value = value << 4 | digit;
            }
            if letter == b'x' {
                // one byte, which need not be UTF-8 on its own
                out.push(value as u8);
            } else {
                let c = char::from_u32(value).ok_or(InvalidSyntax)?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
            }
            Ok(i + 1 + len)
        }
        b'0'..=b'7' => {
            let digits = bytes.get(i..i + 3).ok_or(InvalidSyntax)?;
            let mut value: u32 = 0;
            for &d in digits {
                if !(b'0'..=b'7').contains(&d) {
                    return Err(InvalidSyntax);
                }
                value = value << 3 | u32::from(d - b'0');
            }
            out.push(u8::try_from(value).map_err(|_| InvalidSyntax)?);
            Ok(i + 3)
        }
        _ => Err(InvalidSyntax),
    }
}

/// A TXT value as a DNS service holds it, unquoted where it is one Go-quoted string, else as it
/// is.
#[cfg_attr(not(feature = "aws-route53"), allow(dead_code))]
pub(crate) fn go_unquote_or_raw(value: &str) -> String {
    go_unquote(value).unwrap_or_else(|InvalidSyntax| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quote::go_quote;

    #[test]
    fn unquotes_like_go() {
        for (quoted, plain) in [
            (r#""""#, ""),
            (r#""foo""#, "foo"),
            (r#""a\"b""#, "a\"b"),
            (r#""line1\nline2""#, "line1\nline2"),
            (r#""\a\b\f\n\r\t\v\\""#, "\x07\x08\x0c\n\r\t\x0b\\"),
            (r#""\x41\101\u00e9\U0001F600""#, "AAé😀"),
            (r#""\xc3\xa9""#, "é"),
            ("\"bücher\"", "bücher"),
            ("\"tab\there\"", "tab\there"),
            ("\"cr\rhere\"", "cr\rhere"),
        ] {
            assert_eq!(go_unquote(quoted), Ok(plain.to_string()), "{quoted}");
        }
    }

    #[test]
    fn rejects_what_go_rejects() {
        for bad in [
            "\"",
            "foo",
            "\"foo",
            "foo\"",
            "\"a\"b\"",
            "\"a\nb\"",
            r#""\""#,
            r#""\q""#,
            r#""\'""#,
            r#""\x4""#,
            r#""\xzz""#,
            r#""\u12""#,
            r#""\ud800""#,
            r#""\U00110000""#,
            r#""\400""#,
            r#""\18""#,
            r#""\1""#,
            r#""\xff""#,
            "'a'",
            "`a`",
        ] {
            assert_eq!(go_unquote(bad), Err(InvalidSyntax), "{bad}");
        }
    }

    #[test]
    fn inverts_go_quote() {
        for s in [
            "This is a text!",
            "a\"b\\c",
            "line1\nline2",
            "\u{0}\u{7f}\u{85}\u{a0}\u{ad}\u{feff}",
            "日本語 😀",
        ] {
            assert_eq!(go_unquote(&go_quote(s)).as_deref(), Ok(s));
        }
    }
}
