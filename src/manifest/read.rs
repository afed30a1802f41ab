//! From manifest text to JSON values: one per YAML document, each with the problems that make
//! it no object a cluster would hold (a custom tag, a duplicate key, bytes that are no UTF-8),
//! located by the path within the document. Only text that is no YAML at all fails the whole
//! input; that stays with the caller.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One step of a path within a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment {
    /// A mapping key.
    Key(String),
    /// A sequence index.
    Index(usize),
}

/// Something in a document that no cluster would accept, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Problem {
    /// Where in the document, from its root.
    pub path: Vec<Segment>,
    /// What is wrong.
    pub message: String,
}

impl Problem {
    /// `metadata.annotations[dns.gardener.cloud/x]: <message>`, or the message alone at the
    /// root.
    pub fn located(&self, skip: usize) -> String {
        let path = render(&self.path[skip.min(self.path.len())..]);
        if path.is_empty() {
            self.message.clone()
        } else {
            format!("{path}: {}", self.message)
        }
    }
}

/// A path as Kubernetes field errors write it: `spec.targets[0]`, `metadata.annotations[a/b]`.
fn render(path: &[Segment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            Segment::Key(key)
                if !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
            {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Key(key) => {
                out.push('[');
                out.push_str(key);
                out.push(']');
            }
            Segment::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// A path while it is walked: a linked list on the stack, made into [`Segment`]s only when a
/// problem is found.
#[derive(Clone, Copy)]
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn segments(&self) -> Vec<Segment> {
        let mut out = Vec::new();
        let mut at = self;
        loop {
            match at {
                Path::Root => break,
                Path::Key(parent, key) => {
                    out.push(Segment::Key((*key).to_owned()));
                    at = parent;
                }
                Path::Index(parent, i) => {
                    out.push(Segment::Index(*i));
                    at = parent;
                }
            }
        }
        out.reverse();
        out
    }
}

/// Reads one document into a JSON value, noting custom tags and duplicate keys in `problems`
/// instead of failing: the value is built as if the tag were not there and the last of the
/// duplicate keys counted.
pub(super) fn document<'de, D: Deserializer<'de>>(
    deserializer: D,
    problems: &mut Vec<Problem>,
) -> Result<Value, D::Error> {
    ValueSeed {
        path: Path::Root,
        problems,
        items: None,
    }
    .deserialize(deserializer)
}

/// What [`document_with_items`] does with each element of a root-level `items` sequence.
pub(super) type ItemSink<'s> = dyn FnMut(Value, Vec<Problem>) + 's;

/// [`document`] for a document that may be a `kind: List` (what `kubectl get -o yaml|json`
/// prints): each element of a root-level `items` sequence goes to `item` as soon as it is read,
/// with its own problems, and the root keeps `items: []`, so that a cluster's dump is never held
/// as one value.
pub(super) fn document_with_items<'de, D: Deserializer<'de>>(
    deserializer: D,
    problems: &mut Vec<Problem>,
    item: &mut ItemSink<'_>,
) -> Result<Value, D::Error> {
    ValueSeed {
        path: Path::Root,
        problems,
        items: Some(item),
    }
    .deserialize(deserializer)
}

/// The problem of a key given twice in one mapping.
fn duplicate(path: &Path<'_>) -> Problem {
    Problem {
        path: path.segments(),
        message: "duplicate key: a mapping holds each key once (YAML 1.2 §3.2.1.1), and the API \
                  server refuses the object"
            .to_owned(),
    }
}

/// Reads one value at `path`. `items` is set for the root of a document read by
/// [`document_with_items`] and, from there, for its `items`: only those two stream.
struct ValueSeed<'p, 'q, 'i, 's> {
    path: Path<'p>,
    problems: &'q mut Vec<Problem>,
    items: Option<&'i mut ItemSink<'s>>,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_, '_, '_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_, '_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // As serde_json's own Value: a number JSON cannot hold is null.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        // The root's `items`: each element goes on as soon as it is read.
        if let (Some(item), Path::Key(Path::Root, "items")) = (self.items, self.path) {
            loop {
                let mut problems = Vec::new();
                let seed = ValueSeed {
                    path: Path::Root,
                    problems: &mut problems,
                    items: None,
                };
                match seq.next_element_seed(seed)? {
                    Some(value) => item(value, problems),
                    None => return Ok(Value::Array(Vec::new())),
                }
            }
        }
        let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        loop {
            let path = Path::Index(&self.path, values.len());
            let seed = ValueSeed {
                path,
                problems: &mut *self.problems,
                items: None,
            };
            match seq.next_element_seed(seed)? {
                Some(value) => values.push(value),
                None => break,
            }
        }
        Ok(Value::Array(values))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // Only the root hands its sink on, to its (first) `items`.
        let mut items = self.items.filter(|_| matches!(self.path, Path::Root));
        let mut object = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let path = Path::Key(&self.path, &key);
            if object.contains_key(&key) {
                self.problems.push(duplicate(&path));
            }
            let value = map.next_value_seed(ValueSeed {
                path,
                problems: &mut *self.problems,
                items: if key == "items" { items.take() } else { None },
            })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        use serde::de::VariantAccess as _;
        // serde_yaml_ng hands a node with a custom tag (`!foo`) over as an enum whose variant
        // is the tag.
        let (tag, variant): (String, _) = data.variant()?;
        self.problems.push(Problem {
            path: self.path.segments(),
            message: format!(
                "custom YAML tag !{tag} is not supported: Kubernetes objects hold plain values"
            ),
        });
        variant.newtype_variant_seed(ValueSeed {
            path: self.path,
            problems: self.problems,
            items: None,
        })
    }
}

/// A mapping key as text, as YAML keys of Kubernetes objects are (`1: x` has the key `"1"`).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a mapping key that is a string, number, boolean or null")
    }

    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }

    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }

    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }

    fn visit_unit<E>(self) -> Result<String, E> {
        Ok("null".to_owned())
    }

    fn visit_enum<A: EnumAccess<'de>>(self, _: A) -> Result<String, A::Error> {
        Err(de::Error::custom("a mapping key with a custom YAML tag"))
    }
}

/// The deepest nesting of flow collections (`[`, `{`) that input may have. Real manifests stay
/// far below; the YAML parser's cost grows with the square of the depth, so deeper input is
/// refused up front.
pub(super) const MAX_NESTING: usize = 256;

/// The 1-based line where `text` nests flow collections deeper than [`MAX_NESTING`], if it
/// does. Only structural brackets count: those inside quoted scalars, comments, block scalars
/// (`|`, `>`) and plain scalars (`a: b[c`) are text.
pub(super) fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut line = 1usize;
    let mut i = 0usize;
    // Whether the next non-blank character on this line may start a node: at the start of a
    // line, after an indicator (`- `, `: `, `? `, `,`, `[`, `{`) or after a tag or an anchor.
    let mut node_start = true;
    // The indentation of the line a block scalar header is on, while its content lines are
    // skipped.
    let mut block_scalar: Option<usize> = None;
    let mut line_indent = 0usize;
    let mut at_line_start = true;
    while i < bytes.len() {
        let byte = bytes[i];
        if at_line_start {
            let indent = bytes[i..].iter().take_while(|&&b| b == b' ').count();
            let blank = matches!(bytes.get(i + indent), None | Some(b'\n' | b'\r'));
            if let Some(header) = block_scalar {
                if blank || indent > header {
                    // Content of the block scalar: skip the line.
                    match bytes[i..].iter().position(|&b| b == b'\n') {
                        Some(n) => {
                            i += n + 1;
                            line += 1;
                            continue;
                        }
                        None => break,
                    }
                }
                block_scalar = None;
            }
            line_indent = indent;
            at_line_start = false;
            node_start = true;
            i += indent;
            continue;
        }
        match byte {
            b'\n' => {
                line += 1;
                at_line_start = true;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n') => {
                i += bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(bytes.len() - i);
            }
            b'[' | b'{' if node_start || depth > 0 => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(line);
                }
                node_start = true;
                i += 1;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                node_start = false;
                i += 1;
            }
            b',' if depth > 0 => {
                node_start = true;
                i += 1;
            }
            b'\'' | b'"' if node_start => {
                // A quoted scalar, which may span lines.
                let quote = byte;
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' if quote == b'"' => i += 2,
                        b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                        b if b == quote => {
                            i += 1;
                            break;
                        }
                        b'\n' => {
                            line += 1;
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
                node_start = false;
            }
            b'|' | b'>' if node_start && depth == 0 => {
                // A block scalar header: its content lines are more indented than this line.
                block_scalar = Some(line_indent);
                i += bytes[i..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .unwrap_or(bytes.len() - i);
            }
            b'-' | b'?' | b':'
                if matches!(bytes.get(i + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
                    || (byte == b':' && depth > 0) =>
            {
                node_start = true;
                i += 1;
            }
            b'&' | b'!' if node_start => {
                // An anchor or a tag: the node follows it.
                i += bytes[i..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                    .unwrap_or(bytes.len() - i);
            }
            _ => {
                // A plain scalar: up to `: `, ` #`, or in flow context a flow indicator.
                node_start = false;
                i += 1;
            }
        }
    }
    None
}

/// The 1-based index of the YAML document that holds 1-based `line` of `text`, counting the
/// `---` lines before it (a `---` before any content starts the first document).
pub(super) fn document_of_line(text: &str, line: usize) -> usize {
    let mut document = 1;
    let mut content = false;
    for (n, text_line) in text.lines().enumerate() {
        if n + 1 >= line {
            break;
        }
        if text_line.starts_with("---") {
            if content {
                document += 1;
            }
            content = true;
        } else if !text_line.trim().is_empty() && !text_line.trim_start().starts_with('#') {
            content = true;
        }
    }
    document
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> (Value, Vec<String>) {
        let mut problems = Vec::new();
        let value = document(serde_yaml_ng::Deserializer::from_str(text), &mut problems).unwrap();
        (value, problems.iter().map(|p| p.located(0)).collect())
    }

    #[test]
    fn values_as_serde_json_reads_them() {
        let text = "a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: [x, 'y']\n1: z\ng: .nan\n";
        let (value, problems) = read(text);
        assert!(problems.is_empty());
        let plain: Value = serde_yaml_ng::from_str(text).unwrap();
        assert_eq!(value, plain);
    }

    #[test]
    fn tags_and_duplicate_keys_are_problems_with_a_path() {
        let (value, problems) = read(
            "metadata:\n  name: a\n  name: b\n  annotations:\n    x.io/y: !foo bar\nspec: {l: [1, !t {a: 1}]}\n",
        );
        assert_eq!(value["metadata"]["name"], "b");
        assert_eq!(value["metadata"]["annotations"]["x.io/y"], "bar");
        assert_eq!(
            problems,
            [
                "metadata.name: duplicate key: a mapping holds each key once (YAML 1.2 §3.2.1.1), \
                 and the API server refuses the object",
                "metadata.annotations[x.io/y]: custom YAML tag !foo is not supported: Kubernetes \
                 objects hold plain values",
                "spec.l[1]: custom YAML tag !t is not supported: Kubernetes objects hold plain \
                 values",
            ]
        );
        let (_, core) = read("a: !!str 1\n");
        assert!(core.is_empty(), "{core:?}");
    }

    #[test]
    fn only_structural_brackets_count() {
        let many = "[".repeat(5_000);
        for text in [
            format!("a: \"{many}\"\n"),
            format!("a: '{many}'\n"),
            format!("a: b{many}\n"),
            format!("# {many}\na: 1\n"),
            format!("a: |\n  {many}\n  {many}\nb: 1\n"),
            format!("a: >-\n\n  {many}\nb: [1]\n"),
            format!("a: [\"{many}\", '{many}']\n"),
        ] {
            assert_eq!(too_deep(&text), None, "{}", &text[..20]);
        }
        let deep = format!("a:\n  b: {}\n", "[".repeat(300));
        assert_eq!(too_deep(&deep), Some(2));
        let deep = format!("- {}\n", "{a: ".repeat(300));
        assert_eq!(too_deep(&deep), Some(1));
        let after_string = format!("a: \"x\"\nb: {}\n", "[".repeat(300));
        assert_eq!(too_deep(&after_string), Some(2));
    }

    #[test]
    fn documents_of_lines() {
        let text = "---\na: 1\n---\nb: 2\n---\nc: 3\n";
        assert_eq!(document_of_line(text, 2), 1);
        assert_eq!(document_of_line(text, 4), 2);
        assert_eq!(document_of_line(text, 6), 3);
        assert_eq!(document_of_line("# c\na: 1\n---\nb: 1\n", 4), 2);
    }
}
