//! Go's `net/url.Parse` as far as Gardener's checks see it: whether a string parses, the error
//! text when it does not (`parse "https://%zz": invalid URL escape "%zz"`), and the lower-cased
//! scheme when it does.

use crate::quote::go_quote;

/// Parses like `url.Parse`: `Ok(scheme)` (lower case, empty for a relative reference) or the
/// error text Go prints.
pub(crate) fn parse_scheme(raw: &str) -> Result<String, String> {
    let (without_fragment, fragment) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let scheme = parse_reference(without_fragment)
        .map_err(|e| format!("parse {}: {e}", go_quote(without_fragment)))?;
    if let Some(fragment) = fragment {
        unescape(fragment, Mode::Fragment).map_err(|e| format!("parse {}: {e}", go_quote(raw)))?;
    }
    Ok(scheme)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Host,
    Zone,
    UserPassword,
    Path,
    Fragment,
}

fn parse_reference(raw: &str) -> Result<String, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_owned());
    }
    if raw == "*" {
        return Ok(String::new());
    }
    let (scheme, rest) = split_scheme(raw)?;
    let scheme = scheme.to_ascii_lowercase();
    let rest = if rest.ends_with('?') && rest.matches('?').count() == 1 {
        &rest[..rest.len() - 1]
    } else {
        rest.split_once('?').map_or(rest, |(before, _)| before)
    };
    if !rest.starts_with('/') {
        if !scheme.is_empty() {
            return Ok(scheme);
        }
        let segment = rest.split('/').next().unwrap_or_default();
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".to_owned());
        }
    }
    let mut path = rest;
    if (!scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority = &rest[2..];
        let (authority, after) = match authority.find('/') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, ""),
        };
        parse_authority(authority)?;
        path = after;
    }
    unescape(path, Mode::Path)?;
    Ok(scheme)
}

fn split_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, b) in raw.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".to_owned()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn parse_authority(authority: &str) -> Result<(), String> {
    let (userinfo, host) = match authority.rfind('@') {
        Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
        None => (None, authority),
    };
    parse_host(host)?;
    if let Some(userinfo) = userinfo {
        let valid = userinfo
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c));
        if !valid {
            return Err("net/url: invalid userinfo".to_owned());
        }
        match userinfo.split_once(':') {
            Some((user, password)) => {
                unescape(user, Mode::UserPassword)?;
                unescape(password, Mode::UserPassword)?;
            }
            None => unescape(userinfo, Mode::UserPassword)?,
        }
    }
    Ok(())
}

fn valid_optional_port(port: &str) -> bool {
    port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|digits| digits.bytes().all(|b| b.is_ascii_digit()))
}

fn parse_host(host: &str) -> Result<(), String> {
    if host.starts_with('[') {
        let Some(close) = host.rfind(']') else {
            return Err("missing ']' in host".to_owned());
        };
        let port = &host[close + 1..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
        if let Some(zone) = host[..close].find("%25") {
            unescape(&host[..zone], Mode::Host)?;
            unescape(&host[zone..close], Mode::Zone)?;
            unescape(&host[close..], Mode::Host)?;
            return Ok(());
        }
    } else if let Some(colon) = host.rfind(':') {
        let port = &host[colon..];
        if !valid_optional_port(port) {
            return Err(format!("invalid port {} after host", go_quote(port)));
        }
    }
    unescape(host, Mode::Host)
}

/// Whether Go's `shouldEscape` says `c` must be escaped in a host.
fn host_escapes(c: u8) -> bool {
    !(c.is_ascii_alphanumeric() || b"!$&'()*+,;=:[]<>\"-_.~".contains(&c))
}

fn unescape(s: &str, mode: Mode) -> Result<(), String> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                if i + 2 >= bytes.len()
                    || !bytes[i + 1].is_ascii_hexdigit()
                    || !bytes[i + 2].is_ascii_hexdigit()
                {
                    let end = (i + 3).min(bytes.len());
                    return Err(escape_error(&s[i..end]));
                }
                let escaped = &s[i..i + 3];
                let high = hex(bytes[i + 1]);
                let byte = high << 4 | hex(bytes[i + 2]);
                if mode == Mode::Host && high < 8 && escaped != "%25" {
                    return Err(escape_error(escaped));
                }
                if mode == Mode::Zone && escaped != "%25" && byte != b' ' && host_escapes(byte) {
                    return Err(escape_error(escaped));
                }
                i += 3;
            }
            c if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && host_escapes(c) => {
                return Err(format!(
                    "invalid character {} in host name",
                    go_quote(&s[i..i + 1])
                ));
            }
            _ => i += 1,
        }
    }
    Ok(())
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

fn escape_error(text: &str) -> String {
    format!("invalid URL escape {}", go_quote(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_go_accepts() {
        for (raw, scheme) in [
            ("https://example.com", "https"),
            (
                "HTTP://user:p%40ss@example.com:8080/a%20b?q=%zz#frag",
                "http",
            ),
            ("https://[fe80::1%25en0]:443/", "https"),
            ("https://example.com:", "https"),
            ("mailto:someone", "mailto"),
            ("", ""),
            ("relative/path", ""),
            ("https://sts.googleapis.com/v1/token", "https"),
        ] {
            assert_eq!(parse_scheme(raw), Ok(scheme.to_owned()), "{raw}");
        }
    }

    #[test]
    fn rejects_with_go_texts() {
        for (raw, message) in [
            (
                "https://%zz",
                r#"parse "https://%zz": invalid URL escape "%zz""#,
            ),
            (
                "https://a%2",
                r#"parse "https://a%2": invalid URL escape "%2""#,
            ),
            (
                "https://a%41",
                r#"parse "https://a%41": invalid URL escape "%41""#,
            ),
            (
                "https://a b",
                r#"parse "https://a b": invalid character " " in host name"#,
            ),
            (
                "https://host:abc",
                r#"parse "https://host:abc": invalid port ":abc" after host"#,
            ),
            (
                "https://[::1",
                r#"parse "https://[::1": missing ']' in host"#,
            ),
            (
                "https://a\u{1}",
                r#"parse "https://a\x01": net/url: invalid control character in URL"#,
            ),
            (
                "https://us er@host",
                r#"parse "https://us er@host": net/url: invalid userinfo"#,
            ),
            (
                "https://h/%g0",
                r#"parse "https://h/%g0": invalid URL escape "%g0""#,
            ),
            (
                "https://h/#%x",
                r#"parse "https://h/#%x": invalid URL escape "%x""#,
            ),
            ("://x", r#"parse "://x": missing protocol scheme"#),
            ("a:b/c:d", "ok"),
            (
                "1a:b",
                r#"parse "1a:b": first path segment in URL cannot contain colon"#,
            ),
        ] {
            match parse_scheme(raw) {
                Ok(_) => assert_eq!(message, "ok", "{raw}"),
                Err(e) => assert_eq!(e, message, "{raw}"),
            }
        }
    }
}
