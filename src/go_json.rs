//! Go's `encoding/json` as Gardener's messages show it: the scanner's syntax errors
//! (`invalid character 'x' looking for beginning of value`), the type errors of decoding into a
//! struct (`json: cannot unmarshal number into Go struct field T.f of type string`), and the
//! field lookup (exact name first, then ignoring case; Kubernetes' strict decoder matches
//! exactly).

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The first syntax error Go's scanner reports for `text`, or `None` if it is valid JSON (the
/// scanner of the routing-policy annotation, which has Go's depth limit too).
pub(crate) fn syntax_error(text: &str) -> Option<String> {
    crate::annotations::routing_policy::check_valid(text.as_bytes()).err()
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
