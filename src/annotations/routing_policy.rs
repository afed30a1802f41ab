//! The `dns.gardener.cloud/routing-policy` annotation, decoded exactly like Gardener does.
//!
//! Gardener decodes the annotation value with `k8s.io/apimachinery/pkg/util/json.Unmarshal`
//! into a `*v1alpha1.RoutingPolicy`, which is `sigs.k8s.io/json`'s fork of Go's
//! `encoding/json` with case-sensitive field names. A failure is shown to users as Go's error
//! text, so this module reproduces that text byte for byte:
//!
//! 1. The whole input is first checked by a port of Go's scanner state machine (`checkValid`),
//!    which reports the first syntax error as `invalid character 'x' <context>` or
//!    `unexpected end of JSON input`. Nesting deeper than 10000 is a syntax error, as in Go, so
//!    the second pass never meets unbounded depth either; neither pass recurses.
//! 2. Only a well-formed document is decoded. A value of the wrong JSON kind is Go's
//!    `UnmarshalTypeError`; the first one in document order is the result.
//!
//! What Go does and this module mirrors: object keys match the struct's JSON names exactly
//! (`setidentifier` is an unknown key) after unescaping (`"\u0074ype"` is `type`); unknown
//! keys are skipped whatever their value; a repeated key overwrites the earlier value, but
//! `null` leaves a string field unchanged; `null` for `parameters` drops the map, while a
//! second `parameters` object adds to the first one's entries; `null` as a parameter value
//! stores the empty string; a `\u` escape of a lone UTF-16 surrogate becomes U+FFFD.

use std::collections::BTreeMap;

use crate::api::RoutingPolicy;

/// Nesting deeper than this is a syntax error in Go's scanner (`maxNestingDepth`).
const MAX_DEPTH: usize = 10_000;

/// The Go type name of the decoding target (`*v1alpha1.RoutingPolicy` dereferenced).
const POLICY_TYPE: &str = "v1alpha1.RoutingPolicy";

/// The Go struct name used in error paths like `RoutingPolicy.type`.
const POLICY_STRUCT: &str = "RoutingPolicy";

/// Go's message when input ends inside a value.
const UNEXPECTED_END: &str = "unexpected end of JSON input";

/// Go panics with this when its decoder disagrees with its scanner; here it is an error that
/// the validated second pass cannot actually produce.
const OUT_OF_SYNC: &str = "JSON decoder out of sync - data changing underfoot?";

/// A routing-policy annotation value Gardener would reject, with exactly Go's error text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct RoutingPolicyJsonError {
    /// Go's error text, unprefixed, e.g. `invalid character 'n' looking for beginning of
    /// object key string` or `json: cannot unmarshal number into Go struct field
    /// RoutingPolicy.type of type string`.
    pub message: String,
}

impl RoutingPolicyJsonError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Decodes the value of the `dns.gardener.cloud/routing-policy` annotation like Gardener does.
///
/// `null` yields the empty policy, as it does in Go. An empty text is
/// `unexpected end of JSON input` (Gardener itself skips an empty annotation before decoding).
///
/// # Errors
///
/// Go's syntax error for malformed JSON, or Go's `UnmarshalTypeError` text for the first value
/// of the wrong kind; see [`RoutingPolicyJsonError`].
pub fn decode(text: &str) -> Result<RoutingPolicy, RoutingPolicyJsonError> {
    // Fast path: whatever serde_json reads into this strict shape (no nulls, no duplicate
    // fields, no trailing text, strings only) Go reads to the same value.
    if let Ok(strict) = serde_json::from_str::<StrictPolicy>(text) {
        return Ok(RoutingPolicy {
            policy_type: strict.policy_type,
            set_identifier: strict.set_identifier,
            parameters: strict.parameters,
        });
    }
    check_valid(text.as_bytes()).map_err(RoutingPolicyJsonError::new)?;
    Reader::new(text)
        .policy()
        .map_err(RoutingPolicyJsonError::new)
}

/// The routing policy as serde_json may read it for the fast path of [`decode`].
#[derive(serde::Deserialize)]
struct StrictPolicy {
    #[serde(rename = "type", default)]
    policy_type: String,
    #[serde(rename = "setIdentifier", default)]
    set_identifier: String,
    #[serde(default)]
    parameters: std::collections::BTreeMap<String, String>,
}

// ---------------------------------------------------------------------------------------------
// Pass 1: Go's scanner (scanner.go), one byte at a time, with the same error contexts.
// ---------------------------------------------------------------------------------------------

/// What an open container expects next (Go's `parseObjectKey`, `parseObjectValue`,
/// `parseArrayValue`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    ObjectKey,
    ObjectValue,
    Array,
}

/// The scanner's state: which of Go's `state*` functions handles the next byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// `stateBeginValue`.
    BeginValue,
    /// `stateBeginValueOrEmpty`: just after `[`.
    BeginValueOrEmpty,
    /// `stateBeginStringOrEmpty`: just after `{`.
    BeginKeyOrEmpty,
    /// `stateBeginString`: just after `,` in an object.
    BeginKey,
    /// `stateEndValue`.
    EndValue,
    /// `stateEndTop`.
    EndTop,
    /// `stateInString`.
    InString,
    /// `stateInStringEsc`: after a backslash.
    InStringEsc,
    /// `stateInStringEscU*`: after `\u` and this many hex digits (0 to 3).
    InStringEscU(u8),
    /// `stateNeg`: after `-`.
    Neg,
    /// `state1`: in the integer part after a non-zero digit.
    Int,
    /// `state0`: after the leading `0` (or after the integer part).
    Zero,
    /// `stateDot`: after the decimal point.
    Dot,
    /// `stateDot0`: in the fraction.
    Fraction,
    /// `stateE`: after `e` or `E`.
    Exp,
    /// `stateESign`: after the exponent sign.
    ExpSign,
    /// `stateE0`: in the exponent digits.
    ExpDigits,
    /// `stateT`, `stateTr`, …, `stateNul`: inside `true`, `false` or `null`, with this many
    /// bytes of the word read.
    Literal(&'static str, usize),
}

struct Scanner {
    state: State,
    stack: Vec<Container>,
    end_top: bool,
}

/// Go's `isSpace`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Go's `scanner.error`: `invalid character <c> <context>`.
fn syntax_error(c: u8, context: &str) -> String {
    format!("invalid character {} {context}", quote_char(c))
}

impl Scanner {
    fn new() -> Self {
        Self {
            state: State::BeginValue,
            stack: Vec::new(),
            end_top: false,
        }
    }

    fn push(&mut self, c: u8, container: Container) -> Result<(), String> {
        self.stack.push(container);
        if self.stack.len() > MAX_DEPTH {
            return Err(syntax_error(c, "exceeded max depth"));
        }
        Ok(())
    }

    fn pop(&mut self) {
        self.stack.pop();
        if self.stack.is_empty() {
            self.state = State::EndTop;
            self.end_top = true;
        } else {
            self.state = State::EndValue;
        }
    }

    /// Feeds one byte.
    fn step(&mut self, c: u8) -> Result<(), String> {
        match self.state {
            State::BeginValueOrEmpty => {
                if is_space(c) {
                    Ok(())
                } else if c == b']' {
                    self.end_value(c)
                } else {
                    self.begin_value(c)
                }
            }
            State::BeginValue => self.begin_value(c),
            State::BeginKeyOrEmpty => {
                if is_space(c) {
                    Ok(())
                } else if c == b'}' {
                    if let Some(top) = self.stack.last_mut() {
                        *top = Container::ObjectValue;
                    }
                    self.end_value(c)
                } else {
                    self.begin_key(c)
                }
            }
            State::BeginKey => self.begin_key(c),
            State::EndValue => self.end_value(c),
            State::EndTop => end_top(c),
            State::InString | State::InStringEsc | State::InStringEscU(_) => self.in_string(c),
            State::Literal(word, read) => self.in_literal(word, read, c),
            State::Neg
            | State::Int
            | State::Zero
            | State::Dot
            | State::Fraction
            | State::Exp
            | State::ExpSign
            | State::ExpDigits => self.in_number(c),
        }
    }

    /// Go's `stateInString*`: a byte of a string literal.
    fn in_string(&mut self, c: u8) -> Result<(), String> {
        self.state = match self.state {
            State::InStringEsc => match c {
                b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'/' | b'"' => State::InString,
                b'u' => State::InStringEscU(0),
                _ => return Err(syntax_error(c, "in string escape code")),
            },
            State::InStringEscU(_) if !c.is_ascii_hexdigit() => {
                return Err(syntax_error(c, "in \\u hexadecimal character escape"));
            }
            State::InStringEscU(digits) if digits < 3 => State::InStringEscU(digits + 1),
            State::InStringEscU(_) => State::InString,
            _ => match c {
                b'"' => State::EndValue,
                b'\\' => State::InStringEsc,
                0x00..=0x1f => return Err(syntax_error(c, "in string literal")),
                _ => State::InString,
            },
        };
        Ok(())
    }

    /// Go's `stateT` … `stateNul`: `read` bytes of `word` are behind.
    fn in_literal(&mut self, word: &'static str, read: usize, c: u8) -> Result<(), String> {
        let expected = word.as_bytes().get(read).copied().unwrap_or(b' ');
        if c != expected {
            let context = format!("in literal {word} (expecting '{}')", char::from(expected));
            return Err(syntax_error(c, &context));
        }
        self.state = if read + 1 >= word.len() {
            State::EndValue
        } else {
            State::Literal(word, read + 1)
        };
        Ok(())
    }

    /// Go's `stateNeg`, `state1`, `state0`, `stateDot`, `stateDot0`, `stateE`, `stateESign`
    /// and `stateE0`: a byte in or just after a number.
    fn in_number(&mut self, c: u8) -> Result<(), String> {
        let next = match (self.state, c) {
            (State::Neg, b'0') => State::Zero,
            (State::Neg, b'1'..=b'9') | (State::Int, b'0'..=b'9') => State::Int,
            (State::Neg, _) => return Err(syntax_error(c, "in numeric literal")),
            (State::Int | State::Zero, b'.') => State::Dot,
            (State::Dot | State::Fraction, b'0'..=b'9') => State::Fraction,
            (State::Dot, _) => {
                return Err(syntax_error(c, "after decimal point in numeric literal"));
            }
            (State::Int | State::Zero | State::Fraction, b'e' | b'E') => State::Exp,
            (State::Exp, b'+' | b'-') => State::ExpSign,
            (State::Exp | State::ExpSign | State::ExpDigits, b'0'..=b'9') => State::ExpDigits,
            (State::Exp | State::ExpSign, _) => {
                return Err(syntax_error(c, "in exponent of numeric literal"));
            }
            // The number ended before `c`.
            _ => return self.end_value(c),
        };
        self.state = next;
        Ok(())
    }

    /// Go's `stateBeginValue`.
    fn begin_value(&mut self, c: u8) -> Result<(), String> {
        if is_space(c) {
            return Ok(());
        }
        match c {
            b'{' => {
                self.state = State::BeginKeyOrEmpty;
                return self.push(c, Container::ObjectKey);
            }
            b'[' => {
                self.state = State::BeginValueOrEmpty;
                return self.push(c, Container::Array);
            }
            b'"' => self.state = State::InString,
            b'-' => self.state = State::Neg,
            b'0' => self.state = State::Zero,
            b'1'..=b'9' => self.state = State::Int,
            b't' => self.state = State::Literal("true", 1),
            b'f' => self.state = State::Literal("false", 1),
            b'n' => self.state = State::Literal("null", 1),
            _ => return Err(syntax_error(c, "looking for beginning of value")),
        }
        Ok(())
    }

    /// Go's `stateBeginString`.
    fn begin_key(&mut self, c: u8) -> Result<(), String> {
        if is_space(c) {
            return Ok(());
        }
        if c == b'"' {
            self.state = State::InString;
            return Ok(());
        }
        Err(syntax_error(
            c,
            "looking for beginning of object key string",
        ))
    }

    /// Go's `stateEndValue`: a value just ended (possibly at `c` itself).
    fn end_value(&mut self, c: u8) -> Result<(), String> {
        let Some(&top) = self.stack.last() else {
            self.state = State::EndTop;
            self.end_top = true;
            return end_top(c);
        };
        if is_space(c) {
            self.state = State::EndValue;
            return Ok(());
        }
        match (top, c) {
            (Container::ObjectKey, b':') => {
                if let Some(top) = self.stack.last_mut() {
                    *top = Container::ObjectValue;
                }
                self.state = State::BeginValue;
            }
            (Container::ObjectKey, _) => return Err(syntax_error(c, "after object key")),
            (Container::ObjectValue, b',') => {
                if let Some(top) = self.stack.last_mut() {
                    *top = Container::ObjectKey;
                }
                self.state = State::BeginKey;
            }
            (Container::ObjectValue, b'}') | (Container::Array, b']') => self.pop(),
            (Container::ObjectValue, _) => {
                return Err(syntax_error(c, "after object key:value pair"));
            }
            (Container::Array, b',') => self.state = State::BeginValue,
            (Container::Array, _) => return Err(syntax_error(c, "after array element")),
        }
        Ok(())
    }

    /// Go's `scanner.eof`: the input ended. Like Go, it feeds a space to finish a pending
    /// number, which is why `tru` reports `invalid character ' ' …`.
    fn eof(&mut self) -> Result<(), String> {
        if self.end_top {
            return Ok(());
        }
        self.step(b' ')?;
        if self.end_top {
            Ok(())
        } else {
            Err(UNEXPECTED_END.to_owned())
        }
    }
}

/// Go's `stateEndTop`: only spaces may follow the top-level value.
fn end_top(c: u8) -> Result<(), String> {
    if is_space(c) {
        Ok(())
    } else {
        Err(syntax_error(c, "after top-level value"))
    }
}

/// Go's `checkValid`: the first syntax error of the whole input, if any (also the scanner of
/// [`crate::go_json`]).
pub(crate) fn check_valid(data: &[u8]) -> Result<(), String> {
    let mut scanner = Scanner::new();
    for &c in data {
        scanner.step(c)?;
    }
    scanner.eof()
}

/// Go's `quoteChar`: `strconv.Quote(string(rune(c)))` between single quotes, with `'` and `"`
/// special-cased. A byte above 0x7F is taken as the Latin-1 code point it names, as Go does.
fn quote_char(c: u8) -> String {
    let body = match c {
        b'\'' => "\\'".to_owned(),
        b'"' => "\"".to_owned(),
        b'\\' => "\\\\".to_owned(),
        0x07 => "\\a".to_owned(),
        0x08 => "\\b".to_owned(),
        0x0c => "\\f".to_owned(),
        b'\n' => "\\n".to_owned(),
        b'\r' => "\\r".to_owned(),
        b'\t' => "\\t".to_owned(),
        0x0b => "\\v".to_owned(),
        0x00..=0x1f | 0x7f => format!("\\x{c:02x}"),
        // Not printable for Go's strconv.IsPrint: C1 controls, no-break space, soft hyphen.
        0x80..=0xa0 | 0xad => format!("\\u{c:04x}"),
        _ => char::from(c).to_string(),
    };
    format!("'{body}'")
}

// ---------------------------------------------------------------------------------------------
// Pass 2: decoding a document the scanner accepted (decode.go), iteratively.
// ---------------------------------------------------------------------------------------------

/// Go's `UnmarshalTypeError` text; `field` is the struct field path, if inside the struct.
fn type_error(value: &str, field: Option<&str>, go_type: &str) -> String {
    match field {
        Some(field) => format!(
            "json: cannot unmarshal {value} into Go struct field {POLICY_STRUCT}.{field} of type {go_type}"
        ),
        None => format!("json: cannot unmarshal {value} into Go value of type {go_type}"),
    }
}

/// How Go names the JSON value starting with `first` in an `UnmarshalTypeError`.
fn kind_name(first: Option<u8>) -> &'static str {
    match first {
        Some(b'{') => "object",
        Some(b'[') => "array",
        Some(b'"') => "string",
        Some(b't' | b'f') => "bool",
        Some(b'n') => "null",
        _ => "number",
    }
}

/// A cursor over well-formed JSON.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
    }

    /// Consumes `expected` after optional spaces.
    fn expect(&mut self, expected: u8) -> Result<(), String> {
        self.skip_space();
        if self.peek() == Some(expected) {
            self.pos += 1;
            Ok(())
        } else {
            Err(OUT_OF_SYNC.to_owned())
        }
    }

    /// The top-level value, decoded into a `*v1alpha1.RoutingPolicy`.
    fn policy(mut self) -> Result<RoutingPolicy, String> {
        let mut policy = RoutingPolicy::default();
        self.skip_space();
        match self.peek() {
            Some(b'{') => {}
            Some(b'n') => return Ok(policy),
            first => return Err(type_error(kind_name(first), None, POLICY_TYPE)),
        }
        self.object(|reader, key| match key.as_str() {
            "type" => reader.string_field(&mut policy.policy_type, "type"),
            "setIdentifier" => reader.string_field(&mut policy.set_identifier, "setIdentifier"),
            "parameters" => reader.parameters(&mut policy.parameters),
            _ => reader.skip_value(),
        })?;
        Ok(policy)
    }

    /// Walks the object at the cursor, handing each key to `member`, which must consume the
    /// member's value.
    fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, String) -> Result<(), String>,
    ) -> Result<(), String> {
        self.expect(b'{')?;
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_space();
            let key = self.string()?;
            self.expect(b':')?;
            self.skip_space();
            member(self, key)?;
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(OUT_OF_SYNC.to_owned()),
            }
        }
    }

    /// A `string` struct field: a string replaces it, `null` leaves it alone.
    fn string_field(&mut self, target: &mut String, field: &str) -> Result<(), String> {
        match self.peek() {
            Some(b'"') => *target = self.string()?,
            Some(b'n') => self.skip_value()?,
            first => return Err(type_error(kind_name(first), Some(field), "string")),
        }
        Ok(())
    }

    /// The `map[string]string` field: an object adds its members to the map, `null` makes it
    /// nil (empty).
    fn parameters(&mut self, map: &mut BTreeMap<String, String>) -> Result<(), String> {
        match self.peek() {
            Some(b'{') => self.object(|reader, key| {
                // Go decodes each value into a fresh zero string and stores it even for null.
                let mut value = String::new();
                reader.string_field(&mut value, "parameters")?;
                map.insert(key, value);
                Ok(())
            }),
            Some(b'n') => {
                map.clear();
                self.skip_value()
            }
            first => Err(type_error(
                kind_name(first),
                Some("parameters"),
                "map[string]string",
            )),
        }
    }

    /// The end of the string literal whose opening quote is at the cursor, past its closing
    /// quote.
    fn string_end(&self) -> Result<usize, String> {
        let bytes = self.text.as_bytes();
        let mut i = self.pos + 1;
        loop {
            match bytes.get(i) {
                Some(b'"') => return Ok(i + 1),
                Some(b'\\') => i += 2,
                Some(_) => i += 1,
                None => return Err(OUT_OF_SYNC.to_owned()),
            }
        }
    }

    /// Reads and unescapes the string literal at the cursor.
    fn string(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'"') {
            return Err(OUT_OF_SYNC.to_owned());
        }
        let end = self.string_end()?;
        // Both ends sit next to an ASCII quote, so they are character boundaries.
        let raw = self
            .text
            .get(self.pos + 1..end - 1)
            .ok_or_else(|| OUT_OF_SYNC.to_owned())?;
        self.pos = end;
        unquote(raw).ok_or_else(|| OUT_OF_SYNC.to_owned())
    }

    /// Skips the value at the cursor, however deeply nested, without recursion.
    fn skip_value(&mut self) -> Result<(), String> {
        match self.peek() {
            Some(b'"') => self.pos = self.string_end()?,
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                loop {
                    match self.peek() {
                        Some(b'"') => {
                            self.pos = self.string_end()?;
                            continue;
                        }
                        Some(b'{' | b'[') => depth += 1,
                        Some(b'}' | b']') => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                self.pos += 1;
                                return Ok(());
                            }
                        }
                        Some(_) => {}
                        None => return Err(OUT_OF_SYNC.to_owned()),
                    }
                    self.pos += 1;
                }
            }
            // A number or literal runs up to a space or the next delimiter.
            Some(_) => {
                while self
                    .peek()
                    .is_some_and(|c| !is_space(c) && !matches!(c, b',' | b'}' | b']'))
                {
                    self.pos += 1;
                }
            }
            None => return Err(OUT_OF_SYNC.to_owned()),
        }
        Ok(())
    }
}

/// The value of four hex digits at the start of `s`.
fn hex4(s: &[u8]) -> Option<u32> {
    let digits = s.get(..4)?;
    digits.iter().try_fold(0u32, |acc, &c| {
        let digit = char::from(c).to_digit(16)?;
        Some(acc * 16 + digit)
    })
}

/// The code unit of a `\uXXXX` escape at the start of `s` (Go's `getu4`).
fn escaped_unit(s: &[u8]) -> Option<u32> {
    match s {
        [b'\\', b'u', rest @ ..] => hex4(rest),
        _ => None,
    }
}

/// The contents of a well-formed JSON string literal without its quotes, unescaped like Go's
/// `unquote`: a `\u` escape of an unpaired UTF-16 surrogate becomes U+FFFD.
fn unquote(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(backslash) = rest.find('\\') {
        out.push_str(rest.get(..backslash)?);
        let escape = rest.as_bytes().get(backslash..)?;
        let consumed = match escape.get(1)? {
            b'"' => {
                out.push('"');
                2
            }
            b'\\' => {
                out.push('\\');
                2
            }
            b'/' => {
                out.push('/');
                2
            }
            b'b' => {
                out.push('\u{08}');
                2
            }
            b'f' => {
                out.push('\u{0c}');
                2
            }
            b'n' => {
                out.push('\n');
                2
            }
            b'r' => {
                out.push('\r');
                2
            }
            b't' => {
                out.push('\t');
                2
            }
            b'u' => {
                let unit = escaped_unit(escape)?;
                if (0xd800..0xe000).contains(&unit) {
                    let low = escape.get(6..).and_then(escaped_unit);
                    match low {
                        Some(low) if unit < 0xdc00 && (0xdc00..0xe000).contains(&low) => {
                            let code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                            out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                            12
                        }
                        // Go keeps the following escape for the next round.
                        _ => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            6
                        }
                    }
                } else {
                    out.push(char::from_u32(unit).unwrap_or(char::REPLACEMENT_CHARACTER));
                    6
                }
            }
            _ => return None,
        };
        rest = rest.get(backslash + consumed..)?;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match decode(text) {
            Ok(policy) => panic!("{text:?} decoded to {policy:?}"),
            Err(error) => error.to_string(),
        }
    }

    fn ok(text: &str) -> RoutingPolicy {
        match decode(text) {
            Ok(policy) => policy,
            Err(error) => panic!("{text:?} failed: {error}"),
        }
    }

    fn policy(
        policy_type: &str,
        set_identifier: &str,
        parameters: &[(&str, &str)],
    ) -> RoutingPolicy {
        RoutingPolicy {
            policy_type: policy_type.to_owned(),
            set_identifier: set_identifier.to_owned(),
            parameters: parameters
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn decodes_a_full_policy_with_whitespace() {
        assert_eq!(
            ok(
                " {\n\t\"type\" : \"weighted\" ,\r\n \"setIdentifier\":\"route1\", \"parameters\": {\"weight\": \"10\"}} \n"
            ),
            policy("weighted", "route1", &[("weight", "10")])
        );
    }

    #[test]
    fn decodes_empty_and_null_documents() {
        assert_eq!(ok("{}"), RoutingPolicy::default());
        assert_eq!(ok("null"), RoutingPolicy::default());
        assert_eq!(ok(" null "), RoutingPolicy::default());
        assert_eq!(
            ok(r#"{"type":null,"setIdentifier":null,"parameters":null}"#),
            RoutingPolicy::default()
        );
    }

    #[test]
    fn ignores_unknown_and_differently_cased_keys() {
        assert_eq!(
            ok(
                r#"{"x":[1,{"y":[true,null,"]}"]}],"Type":5,"setidentifier":{},"PARAMETERS":"p","z":-1.5e+3,"type":"latency"}"#
            ),
            policy("latency", "", &[])
        );
    }

    #[test]
    fn later_duplicates_win_but_null_keeps_a_string() {
        assert_eq!(ok(r#"{"type":"a","type":"b"}"#).policy_type, "b");
        assert_eq!(ok(r#"{"type":"a","type":null}"#).policy_type, "a");
        assert_eq!(
            ok(r#"{"parameters":{"a":"1","a":"2"}}"#),
            policy("", "", &[("a", "2")])
        );
    }

    #[test]
    fn repeated_parameters_merge_and_null_resets() {
        assert_eq!(
            ok(r#"{"parameters":{"a":"1"},"parameters":{"b":"2"}}"#),
            policy("", "", &[("a", "1"), ("b", "2")])
        );
        assert_eq!(
            ok(r#"{"parameters":{"a":"1"},"parameters":null,"parameters":{"b":"2"}}"#),
            policy("", "", &[("b", "2")])
        );
        assert_eq!(ok(r#"{"parameters":{}}"#), RoutingPolicy::default());
    }

    #[test]
    fn null_parameter_value_is_the_empty_string() {
        assert_eq!(
            ok(r#"{"parameters":{"a":null}}"#),
            policy("", "", &[("a", "")])
        );
        assert_eq!(
            ok(r#"{"parameters":{"a":"1","a":null}}"#),
            policy("", "", &[("a", "")])
        );
    }

    #[test]
    fn unescapes_strings_and_keys() {
        assert_eq!(ok(r#"{"type":"caf\u00e9"}"#).policy_type, "café");
        assert_eq!(ok(r#"{"type":"caf\u00C9"}"#).policy_type, "cafÉ");
        assert_eq!(ok(r#"{"type":"café"}"#).policy_type, "café");
        assert_eq!(
            ok(r#"{"type":"\"\\\/\b\f\n\r\t"}"#).policy_type,
            "\"\\/\u{8}\u{c}\n\r\t"
        );
        assert_eq!(ok(r#"{"\u0074ype":"a"}"#).policy_type, "a");
        assert_eq!(
            ok(r#"{"parameters":{"k\u00e9":"v\u0000"}}"#),
            policy("", "", &[("ké", "v\0")])
        );
    }

    #[test]
    fn surrogates_follow_go() {
        assert_eq!(ok(r#"{"type":"\ud83d\ude00"}"#).policy_type, "😀");
        assert_eq!(ok(r#"{"type":"\ud800"}"#).policy_type, "\u{fffd}");
        assert_eq!(ok(r#"{"type":"\ud800x"}"#).policy_type, "\u{fffd}x");
        assert_eq!(ok(r#"{"type":"\ud800\u0041"}"#).policy_type, "\u{fffd}A");
        assert_eq!(
            ok(r#"{"type":"\udc00\ud800\udc00"}"#).policy_type,
            "\u{fffd}\u{10000}"
        );
        assert_eq!(
            ok(r#"{"type":"\ud800\ud800\udfff"}"#).policy_type,
            "\u{fffd}\u{103ff}"
        );
    }

    #[test]
    fn unexpected_end_of_input() {
        for text in [
            "",
            "  \n",
            "{",
            "[",
            "[1,",
            r#"{"type""#,
            r#"{"type":"#,
            r#"{"type":"a""#,
            r#"{"type":"a","#,
            r#"{"type":"ab"#,
            r#""\u00e9"#,
        ] {
            assert_eq!(err(text), "unexpected end of JSON input", "{text:?}");
        }
    }

    #[test]
    fn looking_for_beginning_of_object_key_string() {
        assert_eq!(
            err("{not json}"),
            "invalid character 'n' looking for beginning of object key string"
        );
        assert_eq!(
            err(r#"{"type":"a",}"#),
            "invalid character '}' looking for beginning of object key string"
        );
        assert_eq!(
            err("{]"),
            "invalid character ']' looking for beginning of object key string"
        );
        assert_eq!(
            err("{'type':1}"),
            "invalid character '\\'' looking for beginning of object key string"
        );
        assert_eq!(
            err("{\u{7f}}"),
            "invalid character '\\x7f' looking for beginning of object key string"
        );
    }

    #[test]
    fn looking_for_beginning_of_value() {
        assert_eq!(
            err(r#"{"type":}"#),
            "invalid character '}' looking for beginning of value"
        );
        assert_eq!(
            err("[1,]"),
            "invalid character ']' looking for beginning of value"
        );
        assert_eq!(
            err("[}"),
            "invalid character '}' looking for beginning of value"
        );
        assert_eq!(
            err("x"),
            "invalid character 'x' looking for beginning of value"
        );
        assert_eq!(
            err("+1"),
            "invalid character '+' looking for beginning of value"
        );
        assert_eq!(
            err(".5"),
            "invalid character '.' looking for beginning of value"
        );
        assert_eq!(
            err("\\"),
            "invalid character '\\\\' looking for beginning of value"
        );
        assert_eq!(
            err("\u{0b}{}"),
            "invalid character '\\v' looking for beginning of value"
        );
        assert_eq!(
            err("\u{0}"),
            "invalid character '\\x00' looking for beginning of value"
        );
        // A byte order mark is not skipped; Go names its first byte as a Latin-1 rune.
        assert_eq!(
            err("\u{feff}{}"),
            "invalid character 'ï' looking for beginning of value"
        );
    }

    #[test]
    fn after_object_key() {
        assert_eq!(
            err(r#"{"type" "a"}"#),
            "invalid character '\"' after object key"
        );
        assert_eq!(
            err(r#"{"type",1}"#),
            "invalid character ',' after object key"
        );
    }

    #[test]
    fn after_object_key_value_pair() {
        assert_eq!(
            err(r#"{"type":"a" "b"}"#),
            "invalid character '\"' after object key:value pair"
        );
        assert_eq!(
            err(r#"{"type":"a"]"#),
            "invalid character ']' after object key:value pair"
        );
        assert_eq!(
            err(r#"{"a":01}"#),
            "invalid character '1' after object key:value pair"
        );
    }

    #[test]
    fn after_array_element() {
        assert_eq!(err("[1 2]"), "invalid character '2' after array element");
        assert_eq!(err("[1}"), "invalid character '}' after array element");
    }

    #[test]
    fn after_top_level_value() {
        assert_eq!(err("{} {}"), "invalid character '{' after top-level value");
        assert_eq!(err("{}x"), "invalid character 'x' after top-level value");
        assert_eq!(
            err(r#"{"type":"a"}}"#),
            "invalid character '}' after top-level value"
        );
        assert_eq!(err("01"), "invalid character '1' after top-level value");
        assert_eq!(err("{}é"), "invalid character 'Ã' after top-level value");
        assert_eq!(err("null,"), "invalid character ',' after top-level value");
    }

    #[test]
    fn in_string_literal() {
        assert_eq!(
            err("{\"type\":\"a\nb\"}"),
            "invalid character '\\n' in string literal"
        );
        assert_eq!(
            err("\"\u{1}\""),
            "invalid character '\\x01' in string literal"
        );
        assert_eq!(err("\"\t\""), "invalid character '\\t' in string literal");
    }

    #[test]
    fn in_string_escape_code() {
        assert_eq!(
            err(r#"{"type":"\q"}"#),
            "invalid character 'q' in string escape code"
        );
        assert_eq!(
            err(r#""\'""#),
            "invalid character '\\'' in string escape code"
        );
        assert_eq!(err("\"\\"), "invalid character ' ' in string escape code");
        assert_eq!(
            err(r#"{"type":"\u12G4"}"#),
            "invalid character 'G' in \\u hexadecimal character escape"
        );
        assert_eq!(
            err(r#""\u""#),
            "invalid character '\"' in \\u hexadecimal character escape"
        );
        assert_eq!(
            err("\"\\u00"),
            "invalid character ' ' in \\u hexadecimal character escape"
        );
    }

    #[test]
    fn in_literals() {
        assert_eq!(
            err("tx"),
            "invalid character 'x' in literal true (expecting 'r')"
        );
        assert_eq!(
            err("trUe"),
            "invalid character 'U' in literal true (expecting 'u')"
        );
        // At the end of input Go feeds a space to the scanner.
        assert_eq!(
            err("tru"),
            "invalid character ' ' in literal true (expecting 'e')"
        );
        assert_eq!(
            err("f"),
            "invalid character ' ' in literal false (expecting 'a')"
        );
        assert_eq!(
            err("fz"),
            "invalid character 'z' in literal false (expecting 'a')"
        );
        assert_eq!(
            err("fa1"),
            "invalid character '1' in literal false (expecting 'l')"
        );
        assert_eq!(
            err("fal"),
            "invalid character ' ' in literal false (expecting 's')"
        );
        assert_eq!(
            err("fals}"),
            "invalid character '}' in literal false (expecting 'e')"
        );
        assert_eq!(
            err("nUll"),
            "invalid character 'U' in literal null (expecting 'u')"
        );
        assert_eq!(
            err("nu"),
            "invalid character ' ' in literal null (expecting 'l')"
        );
        assert_eq!(
            err(r#"{"type":nul}"#),
            "invalid character '}' in literal null (expecting 'l')"
        );
        assert_eq!(
            err(r#"{"type":True}"#),
            "invalid character 'T' looking for beginning of value"
        );
    }

    #[test]
    fn in_numbers() {
        assert_eq!(err("-"), "invalid character ' ' in numeric literal");
        assert_eq!(err("-a"), "invalid character 'a' in numeric literal");
        assert_eq!(err("[-]"), "invalid character ']' in numeric literal");
        assert_eq!(
            err("1."),
            "invalid character ' ' after decimal point in numeric literal"
        );
        assert_eq!(
            err("[1.e5]"),
            "invalid character 'e' after decimal point in numeric literal"
        );
        assert_eq!(
            err("1e"),
            "invalid character ' ' in exponent of numeric literal"
        );
        assert_eq!(
            err("1e+}"),
            "invalid character '}' in exponent of numeric literal"
        );
        assert_eq!(
            err("1E-x"),
            "invalid character 'x' in exponent of numeric literal"
        );
        assert_eq!(err("1.5.2"), "invalid character '.' after top-level value");
    }

    #[test]
    fn depth_limit_matches_go() {
        let deep = "[".repeat(100_000);
        assert_eq!(err(&deep), "invalid character '[' exceeded max depth");
        let deep_objects = r#"{"a":"#.repeat(20_000);
        assert_eq!(
            err(&deep_objects),
            "invalid character '{' exceeded max depth"
        );
        // Exactly the limit is well-formed, then a type error.
        let limit = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(
            err(&limit),
            "json: cannot unmarshal array into Go value of type v1alpha1.RoutingPolicy"
        );
        // A deep unknown member is skipped without recursion.
        let nested = format!(
            r#"{{"x":{}"s"{},"type":"a"}}"#,
            "[{\"k\":".repeat(4_999),
            "}]".repeat(4_999)
        );
        assert_eq!(ok(&nested).policy_type, "a");
    }

    #[test]
    fn syntax_errors_come_before_type_errors() {
        assert_eq!(
            err(r#"{"type":5,}"#),
            "invalid character '}' looking for beginning of object key string"
        );
        assert_eq!(err("[1] x"), "invalid character 'x' after top-level value");
    }

    #[test]
    fn top_level_type_errors() {
        assert_eq!(
            err("[1]"),
            "json: cannot unmarshal array into Go value of type v1alpha1.RoutingPolicy"
        );
        assert_eq!(
            err(r#""weighted""#),
            "json: cannot unmarshal string into Go value of type v1alpha1.RoutingPolicy"
        );
        assert_eq!(
            err("true"),
            "json: cannot unmarshal bool into Go value of type v1alpha1.RoutingPolicy"
        );
        assert_eq!(
            err("-0.5e10"),
            "json: cannot unmarshal number into Go value of type v1alpha1.RoutingPolicy"
        );
    }

    #[test]
    fn field_type_errors() {
        assert_eq!(
            err(r#"{"type": 5}"#),
            "json: cannot unmarshal number into Go struct field RoutingPolicy.type of type string"
        );
        assert_eq!(
            err(r#"{"setIdentifier":false}"#),
            "json: cannot unmarshal bool into Go struct field RoutingPolicy.setIdentifier of type string"
        );
        assert_eq!(
            err(r#"{"type":{"a":1}}"#),
            "json: cannot unmarshal object into Go struct field RoutingPolicy.type of type string"
        );
        assert_eq!(
            err(r#"{"type":["a"]}"#),
            "json: cannot unmarshal array into Go struct field RoutingPolicy.type of type string"
        );
        assert_eq!(
            err(r#"{"parameters":"weight=10"}"#),
            "json: cannot unmarshal string into Go struct field RoutingPolicy.parameters of type map[string]string"
        );
        assert_eq!(
            err(r#"{"parameters":[]}"#),
            "json: cannot unmarshal array into Go struct field RoutingPolicy.parameters of type map[string]string"
        );
        assert_eq!(
            err(r#"{"parameters":10}"#),
            "json: cannot unmarshal number into Go struct field RoutingPolicy.parameters of type map[string]string"
        );
    }

    #[test]
    fn parameter_value_type_errors() {
        assert_eq!(
            err(r#"{"type":"weighted","setIdentifier":"a","parameters":{"weight":10}}"#),
            "json: cannot unmarshal number into Go struct field RoutingPolicy.parameters of type string"
        );
        assert_eq!(
            err(r#"{"parameters":{"a":"1","b":true}}"#),
            "json: cannot unmarshal bool into Go struct field RoutingPolicy.parameters of type string"
        );
        assert_eq!(
            err(r#"{"parameters":{"a":{"b":"c"}}}"#),
            "json: cannot unmarshal object into Go struct field RoutingPolicy.parameters of type string"
        );
        assert_eq!(
            err(r#"{"parameters":{"a":[]}}"#),
            "json: cannot unmarshal array into Go struct field RoutingPolicy.parameters of type string"
        );
    }

    #[test]
    fn first_type_error_wins() {
        assert_eq!(
            err(r#"{"setIdentifier":1,"type":true}"#),
            "json: cannot unmarshal number into Go struct field RoutingPolicy.setIdentifier of type string"
        );
        assert_eq!(
            err(r#"{"parameters":{"a":1},"type":true}"#),
            "json: cannot unmarshal number into Go struct field RoutingPolicy.parameters of type string"
        );
    }

    #[test]
    fn quote_char_matches_go() {
        assert_eq!(quote_char(b'a'), "'a'");
        assert_eq!(quote_char(b' '), "' '");
        assert_eq!(quote_char(b'"'), "'\"'");
        assert_eq!(quote_char(b'\''), "'\\''");
        assert_eq!(quote_char(0x07), "'\\a'");
        assert_eq!(quote_char(0x1b), "'\\x1b'");
        assert_eq!(quote_char(0x85), "'\\u0085'");
        assert_eq!(quote_char(0xa0), "'\\u00a0'");
        assert_eq!(quote_char(0xad), "'\\u00ad'");
        assert_eq!(quote_char(0xa1), "'¡'");
        assert_eq!(quote_char(0xe9), "'é'");
        assert_eq!(quote_char(0xff), "'ÿ'");
    }

    #[test]
    fn error_displays_the_message() {
        let error = decode("").err();
        assert_eq!(
            error,
            Some(RoutingPolicyJsonError {
                message: "unexpected end of JSON input".to_owned()
            })
        );
    }
}
