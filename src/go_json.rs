//! Go's `encoding/json` as Gardener's messages show it: the scanner's syntax errors
//! (`invalid character 'x' looking for beginning of value`), the type errors of decoding into a
//! struct (`json: cannot unmarshal number into Go struct field T.f of type string`), and the
//! field lookup (exact name first, then ignoring case; Kubernetes' strict decoder matches
//! exactly).

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::quote::go_quote;

/// The first syntax error Go's scanner reports for `text`, or `None` if it is valid JSON.
pub(crate) fn syntax_error(text: &str) -> Option<String> {
    let mut scanner = Scanner::default();
    for &byte in text.as_bytes() {
        if let Err(context) = scanner.step(byte) {
            return Some(format!("invalid character {} {context}", quote_byte(byte)));
        }
    }
    // At the end Go feeds one more space: a value that a space completes is fine, a value it
    // cannot continue reports that space, anything else ended too early.
    match scanner.step(b' ') {
        Err(context) => Some(format!("invalid character ' ' {context}")),
        Ok(()) if scanner.done => None,
        Ok(()) => Some("unexpected end of JSON input".to_owned()),
    }
}

/// Go's `quoteChar`: the byte as a rune in single quotes.
fn quote_byte(byte: u8) -> String {
    match byte {
        b'\'' => r"'\''".to_owned(),
        b'"' => "'\"'".to_owned(),
        _ => {
            let quoted = go_quote(&char::from(byte).to_string());
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    ObjectKey,
    ObjectValue,
    Array,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    BeginValue,
    BeginValueOrEmpty,
    BeginKeyOrEmpty,
    BeginKey,
    EndValue,
    InString,
    InStringEscape,
    InStringHex(u8),
    Negative,
    Zero,
    Digits,
    Dot,
    Fraction,
    Exponent,
    ExponentSign,
    ExponentDigits,
    Literal(&'static [u8], usize),
}

/// Go's JSON scanner, one byte at a time.
#[derive(Debug)]
struct Scanner {
    state: State,
    stack: Vec<Frame>,
    done: bool,
}

impl Default for Scanner {
    fn default() -> Self {
        Self {
            state: State::BeginValue,
            stack: Vec::new(),
            done: false,
        }
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

impl Scanner {
    fn step(&mut self, c: u8) -> Result<(), &'static str> {
        if self.done {
            return if is_space(c) {
                Ok(())
            } else {
                Err("after top-level value")
            };
        }
        match self.state {
            State::BeginValueOrEmpty if c == b']' => self.end_value(c),
            State::BeginValueOrEmpty | State::BeginValue => self.begin_value(c),
            State::BeginKeyOrEmpty if c == b'}' => {
                if let Some(frame) = self.stack.last_mut() {
                    *frame = Frame::ObjectValue;
                }
                self.end_value(c)
            }
            State::BeginKeyOrEmpty | State::BeginKey => {
                if is_space(c) {
                    Ok(())
                } else if c == b'"' {
                    self.state = State::InString;
                    Ok(())
                } else {
                    Err("looking for beginning of object key string")
                }
            }
            State::EndValue => self.end_value(c),
            State::InString => {
                match c {
                    b'"' => self.state = State::EndValue,
                    b'\\' => self.state = State::InStringEscape,
                    c if c < 0x20 => return Err("in string literal"),
                    _ => {}
                }
                Ok(())
            }
            State::InStringEscape => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => {
                    self.state = State::InString;
                    Ok(())
                }
                b'u' => {
                    self.state = State::InStringHex(0);
                    Ok(())
                }
                _ => Err("in string escape code"),
            },
            State::InStringHex(n) => {
                if !c.is_ascii_hexdigit() {
                    return Err("in \\u hexadecimal character escape");
                }
                self.state = if n == 3 {
                    State::InString
                } else {
                    State::InStringHex(n + 1)
                };
                Ok(())
            }
            State::Negative => match c {
                b'0' => {
                    self.state = State::Zero;
                    Ok(())
                }
                b'1'..=b'9' => {
                    self.state = State::Digits;
                    Ok(())
                }
                _ => Err("in numeric literal"),
            },
            State::Digits if c.is_ascii_digit() => Ok(()),
            State::Digits | State::Zero => match c {
                b'.' => {
                    self.state = State::Dot;
                    Ok(())
                }
                b'e' | b'E' => {
                    self.state = State::Exponent;
                    Ok(())
                }
                _ => self.end_value(c),
            },
            State::Dot => {
                if c.is_ascii_digit() {
                    self.state = State::Fraction;
                    Ok(())
                } else {
                    Err("after decimal point in numeric literal")
                }
            }
            State::Fraction => match c {
                b'0'..=b'9' => Ok(()),
                b'e' | b'E' => {
                    self.state = State::Exponent;
                    Ok(())
                }
                _ => self.end_value(c),
            },
            State::Exponent if matches!(c, b'+' | b'-') => {
                self.state = State::ExponentSign;
                Ok(())
            }
            State::Exponent | State::ExponentSign => {
                if c.is_ascii_digit() {
                    self.state = State::ExponentDigits;
                    Ok(())
                } else {
                    Err("in exponent of numeric literal")
                }
            }
            State::ExponentDigits if c.is_ascii_digit() => Ok(()),
            State::ExponentDigits => self.end_value(c),
            State::Literal(word, at) => {
                if c != word[at] {
                    return Err(literal_context(word, at));
                }
                self.state = if at + 1 == word.len() {
                    State::EndValue
                } else {
                    State::Literal(word, at + 1)
                };
                Ok(())
            }
        }
    }

    fn begin_value(&mut self, c: u8) -> Result<(), &'static str> {
        self.state = match c {
            c if is_space(c) => return Ok(()),
            b'{' => {
                self.stack.push(Frame::ObjectKey);
                State::BeginKeyOrEmpty
            }
            b'[' => {
                self.stack.push(Frame::Array);
                State::BeginValueOrEmpty
            }
            b'"' => State::InString,
            b'-' => State::Negative,
            b'0' => State::Zero,
            b'1'..=b'9' => State::Digits,
            b't' => State::Literal(b"true", 1),
            b'f' => State::Literal(b"false", 1),
            b'n' => State::Literal(b"null", 1),
            _ => return Err("looking for beginning of value"),
        };
        Ok(())
    }

    fn end_value(&mut self, c: u8) -> Result<(), &'static str> {
        let Some(frame) = self.stack.last_mut() else {
            self.done = true;
            return self.step(c);
        };
        if is_space(c) {
            self.state = State::EndValue;
            return Ok(());
        }
        match (*frame, c) {
            (Frame::ObjectKey, b':') => {
                *frame = Frame::ObjectValue;
                self.state = State::BeginValue;
            }
            (Frame::ObjectKey, _) => return Err("after object key"),
            (Frame::ObjectValue, b',') => {
                *frame = Frame::ObjectKey;
                self.state = State::BeginKey;
            }
            (Frame::ObjectValue, b'}') | (Frame::Array, b']') => {
                self.stack.pop();
                self.state = State::EndValue;
                if self.stack.is_empty() {
                    self.done = true;
                }
            }
            (Frame::ObjectValue, _) => return Err("after object key:value pair"),
            (Frame::Array, b',') => self.state = State::BeginValue,
            (Frame::Array, _) => return Err("after array element"),
        }
        Ok(())
    }
}

fn literal_context(word: &[u8], at: usize) -> &'static str {
    match (word, at) {
        (b"true", 1) => "in literal true (expecting 'r')",
        (b"true", 2) => "in literal true (expecting 'u')",
        (b"true", _) => "in literal true (expecting 'e')",
        (b"false", 1) => "in literal false (expecting 'a')",
        (b"false", 2) => "in literal false (expecting 'l')",
        (b"false", 3) => "in literal false (expecting 's')",
        (b"false", _) => "in literal false (expecting 'e')",
        (_, 1) => "in literal null (expecting 'u')",
        _ => "in literal null (expecting 'l')",
    }
}

/// How Go names a JSON value's kind in a type error.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `json: cannot unmarshal <what> into Go struct field <Struct>.<field> of type <type>`.
pub(crate) fn field_type_error(what: &str, go_struct: &str, field: &str, go_type: &str) -> String {
    format!(
        "json: cannot unmarshal {what} into Go struct field {go_struct}.{field} of type {go_type}"
    )
}

/// `json: cannot unmarshal <what> into Go value of type <type>`.
pub(crate) fn value_type_error(what: &str, go_type: &str) -> String {
    format!("json: cannot unmarshal {what} into Go value of type {go_type}")
}

/// The member Go's (non-strict) decoder stores into the struct field `name`: the exact key,
/// else the first key equal to it ignoring case.
pub(crate) fn member<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object.get(name).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    })
}

/// A JSON document's top level with the members of an object in document order (duplicates
/// kept), as Go's decoder visits them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TopLevel {
    /// An object's members, in order.
    Object(Vec<(String, Value)>),
    /// `null`.
    Null,
    /// Anything else, by its kind (`string`, `number`, `bool`, `array`).
    Other(&'static str),
}

impl<'de> Deserialize<'de> for TopLevel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TopLevelVisitor)
    }
}

struct TopLevelVisitor;

impl<'de> Visitor<'de> for TopLevelVisitor {
    type Value = TopLevel;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TopLevel, A::Error> {
        let mut members = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Value>()? {
            members.push((key, value));
        }
        Ok(TopLevel::Object(members))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TopLevel, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(TopLevel::Other("array"))
    }

    fn visit_unit<E: de::Error>(self) -> Result<TopLevel, E> {
        Ok(TopLevel::Null)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("bool"))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("number"))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("number"))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("number"))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<TopLevel, E> {
        Ok(TopLevel::Other("string"))
    }
}

/// Decodes `text` into a struct of string fields the way Go's strict (case-sensitive) decoder
/// does: syntax errors first, then the first type error in document order; a later duplicate
/// member wins. Fields not named in `fields` are ignored; absent ones are empty.
pub(crate) fn decode_string_fields(
    text: &str,
    go_type: &str,
    fields: &[&str],
) -> Result<Vec<String>, String> {
    if let Some(error) = syntax_error(text) {
        return Err(error);
    }
    let top: TopLevel = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut values = vec![String::new(); fields.len()];
    let members = match top {
        TopLevel::Null => return Ok(values),
        TopLevel::Other(what) => return Err(value_type_error(what, go_type)),
        TopLevel::Object(members) => members,
    };
    let struct_name = go_type.rsplit('.').next().unwrap_or(go_type);
    let mut first_error = None;
    for (key, value) in members {
        let Some(index) = fields.iter().position(|f| *f == key) else {
            continue;
        };
        match value {
            Value::String(s) => values[index] = s,
            Value::Null => {}
            other => {
                first_error.get_or_insert_with(|| {
                    field_type_error(kind(&other), struct_name, &key, "string")
                });
            }
        }
    }
    first_error.map_or(Ok(values), Err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_read_like_go() {
        for valid in [
            "{}",
            " [1, 2.5e-3, -0, true, false, null, \"a\\u00e4\\n\"] ",
            "12",
            "\"x\"",
        ] {
            assert_eq!(syntax_error(valid), None, "{valid}");
        }
        let cases = [
            (
                "invalid json",
                "invalid character 'i' looking for beginning of value",
            ),
            ("", "unexpected end of JSON input"),
            ("{\"a\":1", "unexpected end of JSON input"),
            ("{\"a\" 1}", "invalid character '1' after object key"),
            (
                "{\"a\":1 \"b\"}",
                "invalid character '\"' after object key:value pair",
            ),
            (
                "{1:2}",
                "invalid character '1' looking for beginning of object key string",
            ),
            ("[1 2]", "invalid character '2' after array element"),
            ("{} x", "invalid character 'x' after top-level value"),
            (
                "tru",
                "invalid character ' ' in literal true (expecting 'e')",
            ),
            (
                "1.",
                "invalid character ' ' after decimal point in numeric literal",
            ),
            ("[", "unexpected end of JSON input"),
            ("\"abc", "unexpected end of JSON input"),
            (
                "trux",
                "invalid character 'x' in literal true (expecting 'e')",
            ),
            (
                "nul!",
                "invalid character '!' in literal null (expecting 'l')",
            ),
            (
                "fa1se",
                "invalid character '1' in literal false (expecting 'l')",
            ),
            ("-a", "invalid character 'a' in numeric literal"),
            (
                "1.x",
                "invalid character 'x' after decimal point in numeric literal",
            ),
            (
                "1ex",
                "invalid character 'x' in exponent of numeric literal",
            ),
            ("\"a\u{1}\"", "invalid character '\\x01' in string literal"),
            ("\"\\q\"", "invalid character 'q' in string escape code"),
            (
                "\"\\u12g4\"",
                "invalid character 'g' in \\u hexadecimal character escape",
            ),
            (
                "'a'",
                "invalid character '\\'' looking for beginning of value",
            ),
            (
                "{\"a\":ä}",
                "invalid character 'Ã' looking for beginning of value",
            ),
            ("01", "invalid character '1' after top-level value"),
        ];
        for (text, message) in cases {
            assert_eq!(syntax_error(text).as_deref(), Some(message), "{text:?}");
        }
    }

    #[test]
    fn decodes_string_fields_like_go() {
        let fields = ["type", "project_id"];
        assert_eq!(
            decode_string_fields(r#"{"type":"a","project_id":"b","x":1}"#, "pkg.T", &fields),
            Ok(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(
            decode_string_fields("null", "pkg.T", &fields),
            Ok(vec![String::new(), String::new()])
        );
        assert_eq!(
            decode_string_fields("[1]", "pkg.T", &fields),
            Err("json: cannot unmarshal array into Go value of type pkg.T".to_owned())
        );
        assert_eq!(
            decode_string_fields(r#"{"project_id":{"a":1},"type":5}"#, "pkg.T", &fields),
            Err(
                "json: cannot unmarshal object into Go struct field T.project_id of type string"
                    .to_owned()
            )
        );
        assert_eq!(
            decode_string_fields(
                r#"{"type":"a","type":"b","Project_ID":"x"}"#,
                "pkg.T",
                &fields
            ),
            Ok(vec!["b".to_owned(), String::new()])
        );
    }

    #[test]
    fn members_are_found_like_go() {
        let object = serde_json::json!({"BatchSize": 1, "batchSize": 2, "Other": 3});
        let object = object.as_object().unwrap();
        assert_eq!(member(object, "batchSize"), Some(&Value::from(2)));
        assert_eq!(member(object, "other"), Some(&Value::from(3)));
        assert_eq!(member(object, "none"), None);
    }
}
