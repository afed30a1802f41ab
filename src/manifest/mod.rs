//! Reading manifests: multi-document YAML, JSON and `kind: List` into a [`World`].
//!
//! Text that is not YAML/JSON at all is a [`ManifestError`] (the whole input is refused). A
//! document that parses but is no valid object of its kind is a problem of that object alone
//! ([`ObjectProblem`]); the others are read on.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{DNS_API_VERSION, ObjectMeta, ObjectRef};
pub use crate::world::ObjectProblem;
use crate::world::{Object, World};

mod read;

/// Input that is not syntactically valid YAML or JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: document {document}{}: {message}", line.map(|l| format!(", line {l}")).unwrap_or_default())]
#[non_exhaustive]
pub struct ManifestError {
    /// The file (or `-` for standard input).
    pub source_name: String,
    /// 1-based index of the document within the file.
    pub document: usize,
    /// 1-based line within the file, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

const GATEWAY_V1: &str = "gateway.networking.k8s.io/v1";
const GATEWAY_V1BETA1: &str = "gateway.networking.k8s.io/v1beta1";
const ISTIO_V1: &str = "networking.istio.io/v1";
const ISTIO_V1BETA1: &str = "networking.istio.io/v1beta1";
const ISTIO_V1ALPHA3: &str = "networking.istio.io/v1alpha3";

/// Parses `text` (from `source_name`) and adds its objects to `world`.
///
/// ```
/// use shoot_dns::World;
///
/// let mut world = World::default();
/// shoot_dns::manifest::load_str(&mut world, "example.yaml", "
/// apiVersion: v1
/// kind: Service
/// metadata: {name: web, namespace: default}
/// spec: {type: LoadBalancer}
/// ---
/// apiVersion: v1
/// kind: ConfigMap
/// metadata: {name: ignored}
/// ")?;
/// assert_eq!(world.services.len(), 1);
/// assert_eq!(world.ignored.len(), 1);
/// # Ok::<(), shoot_dns::manifest::ManifestError>(())
/// ```
pub fn load_str(world: &mut World, source_name: &str, text: &str) -> Result<(), ManifestError> {
    load_documents(world, source_name, text, None)
}

/// [`load_str`] for bytes that may not be UTF-8: a byte that is none is replaced (U+FFFD), and
/// the object of the document that holds it becomes a problem naming its line and column; the
/// other objects are read as usual.
///
/// ```
/// let mut world = shoot_dns::World::default();
/// let text = b"apiVersion: v1\nkind: Service\nmetadata: {name: a\xff}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n";
/// shoot_dns::manifest::load_bytes(&mut world, "m.yaml", text)?;
/// assert_eq!(world.services.len(), 1);
/// assert!(world.problems[0].message.contains("line 3, column 19"));
/// # Ok::<(), shoot_dns::manifest::ManifestError>(())
/// ```
pub fn load_bytes(world: &mut World, source_name: &str, bytes: &[u8]) -> Result<(), ManifestError> {
    match utf8(bytes) {
        Ok(text) => load_str(world, source_name, text),
        Err(error) => {
            let text = String::from_utf8_lossy(bytes);
            let document = read::document_of_line(&text, error.line);
            let problem = format!("{source_name}: {error}");
            load_documents(world, source_name, &text, Some((document, problem)))
        }
    }
}

/// Where bytes stop being UTF-8 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: byte 0x{byte:02x} is not UTF-8 (manifests are UTF-8 text)")]
#[non_exhaustive]
pub struct NotUtf8 {
    /// 1-based line of the first byte that is no UTF-8.
    pub line: usize,
    /// 1-based column (in bytes) of that byte.
    pub column: usize,
    /// The byte.
    pub byte: u8,
}

/// `bytes` as text, or where they stop being UTF-8.
///
/// ```
/// let error = shoot_dns::manifest::utf8(b"a: 1\nb: x\xffy\n").unwrap_err();
/// assert_eq!((error.line, error.column, error.byte), (2, 5, 0xff));
/// assert_eq!(shoot_dns::manifest::utf8("ü".as_bytes()), Ok("ü"));
/// ```
pub fn utf8(bytes: &[u8]) -> Result<&str, NotUtf8> {
    std::str::from_utf8(bytes).map_err(|error| NotUtf8::new(bytes, error))
}

impl NotUtf8 {
    /// Where `error`, found in `bytes`, lies.
    pub fn new(bytes: &[u8], error: std::str::Utf8Error) -> Self {
        let before = &bytes[..error.valid_up_to()];
        Self {
            line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
            column: 1 + before.iter().rev().take_while(|&&b| b != b'\n').count(),
            byte: bytes[error.valid_up_to()],
        }
    }
}

/// Reads the documents of `text` into `world`; `broken` names a document (1-based) that is
/// a problem as a whole, and why. Each document becomes objects as soon as it is parsed, and
/// so does each item of a `kind: List` (only one object's value is held at a time); they join
/// `world` once the whole text has parsed, so that text with a syntax error adds nothing.
fn load_documents(
    world: &mut World,
    source_name: &str,
    text: &str,
    broken: Option<(usize, String)>,
) -> Result<(), ManifestError> {
    let mut read = World::default();
    let add = |read: &mut World, index: usize, value: Value, mut problems: Vec<_>, items| {
        if let Some((_, message)) = broken.as_ref().filter(|(d, _)| *d == index) {
            problems.insert(
                0,
                read::Problem {
                    path: Vec::new(),
                    message: message.clone(),
                },
            );
        }
        add_document(read, source_name, index, value, problems, items);
    };
    match input(text) {
        Input::Json(json) => {
            let mut items = World::default();
            let mut problems = Vec::new();
            let mut deserializer = serde_json::Deserializer::from_str(json);
            let mut item = |value, problems| add_value(&mut items, "List", 0, value, problems);
            let parsed = read::document_with_items(&mut deserializer, &mut problems, &mut item)
                .and_then(|root| deserializer.end().map(|()| root));
            if let Ok(value) = parsed {
                add(&mut read, 1, value, problems, items);
                world.append(read);
                return Ok(());
            }
            // Not JSON after all: YAML (of which JSON is nearly a subset) says what is wrong.
        }
        Input::Yaml => {}
    }
    let text = yaml_text(source_name, text)?;
    for (i, document) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let mut items = World::default();
        let mut problems = Vec::new();
        let mut item = |value, problems| add_value(&mut items, "List", 0, value, problems);
        let value = read::document_with_items(document, &mut problems, &mut item)
            .map_err(|e| yaml_error(source_name, i + 1, &e))?;
        add(&mut read, i + 1, value, problems, items);
    }
    world.append(read);
    Ok(())
}

/// Adds one document; `items` are the objects read from its root-level `items` sequence,
/// which count if the document is a `kind: List` (as the sequence would have otherwise).
fn add_document(
    world: &mut World,
    source_name: &str,
    index: usize,
    value: Value,
    problems: Vec<read::Problem>,
    items: World,
) {
    // A List's items were read one by one, and its `items` left empty; one whose `items` is no
    // sequence is a problem of its own (`add_object` says so).
    if is_list(&value) && value.get("items").is_some_and(Value::is_array) {
        // The List's own problems (a duplicate key, a tag) are no object's.
        world.append(items);
    } else {
        add_value(world, source_name, index, value, problems);
    }
}

/// Whether `value` is a `kind: List` (what `kubectl get` prints), whose items are the objects.
fn is_list(value: &Value) -> bool {
    let text = |key| value.get(key).and_then(Value::as_str).unwrap_or("");
    !text("apiVersion").is_empty() && text("kind").ends_with("List") && value.get("items").is_some()
}

/// The documents of a manifest text, as JSON values (one per YAML document, or the one JSON
/// value), with the same syntax errors as [`load_str`].
///
/// ```
/// let docs = shoot_dns::manifest::documents_str("m.yaml", "a: 1\n---\nb: 2\n")?;
/// assert_eq!(docs.len(), 2);
/// assert_eq!(docs[1]["b"], 2);
/// # Ok::<(), shoot_dns::manifest::ManifestError>(())
/// ```
pub fn documents_str(source_name: &str, text: &str) -> Result<Vec<Value>, ManifestError> {
    if let Input::Json(json) = input(text)
        && let Ok(value) = serde_json::from_str::<Value>(json)
    {
        return Ok(vec![value]);
    }
    let text = yaml_text(source_name, text)?;
    let mut documents = Vec::new();
    for (i, document) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let value = read::document(document, &mut Vec::new())
            .map_err(|e| yaml_error(source_name, i + 1, &e))?;
        documents.push(value);
    }
    Ok(documents)
}

/// What a manifest text looks like.
enum Input<'t> {
    /// It starts like JSON (`{` or `[`): try it as JSON first.
    Json(&'t str),
    /// YAML.
    Yaml,
}

/// Whether `text` looks like JSON.
fn input<'t>(text: &'t str) -> Input<'t> {
    // A byte-order mark may open the stream; it is no content.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        Input::Json(text)
    } else {
        Input::Yaml
    }
}

/// `text` without a leading byte-order mark, for the YAML parser; a text that nests too deeply
/// is refused here.
fn yaml_text<'t>(source_name: &str, text: &'t str) -> Result<&'t str, ManifestError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match read::too_deep(text) {
        None => Ok(text),
        Some(line) => Err(ManifestError {
            source_name: source_name.to_owned(),
            document: read::document_of_line(text, line),
            line: Some(line),
            message: format!(
                "nesting deeper than {} levels of [ and {{",
                read::MAX_NESTING
            ),
        }),
    }
}

fn yaml_error(source_name: &str, document: usize, e: &serde_yaml_ng::Error) -> ManifestError {
    ManifestError {
        source_name: source_name.to_owned(),
        document,
        line: e.location().map(|l| l.line()),
        message: yaml_message(e),
    }
}

fn yaml_message(error: &serde_yaml_ng::Error) -> String {
    let text = error.to_string();
    // The location is reported separately.
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn add_value(
    world: &mut World,
    source_name: &str,
    document: usize,
    value: Value,
    problems: Vec<read::Problem>,
) {
    match value {
        Value::Null => {}
        Value::Object(_) => add_object(world, value, problems),
        Value::Array(items) => {
            let mut problems = problems;
            for (i, item) in items.into_iter().enumerate() {
                let (mine, rest) = problems
                    .into_iter()
                    .partition(|p| p.path.first() == Some(&read::Segment::Index(i)));
                problems = rest;
                add_value(world, source_name, document, item, below(mine, 1));
            }
        }
        other => world.problems.push(ObjectProblem {
            object: ObjectRef::default(),
            message: format!(
                "{source_name}: document {document} is {}, not a Kubernetes object",
                describe(&other)
            ),
        }),
    }
}

/// The problems with the first `n` segments of their paths taken off.
fn below(problems: Vec<read::Problem>, n: usize) -> Vec<read::Problem> {
    problems
        .into_iter()
        .map(|mut p| {
            p.path.drain(..n.min(p.path.len()));
            p
        })
        .collect()
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "empty",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn identify(value: &Value) -> ObjectRef {
    let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
    let metadata = value.get("metadata");
    ObjectRef {
        api_version: text(value.get("apiVersion")),
        kind: text(value.get("kind")),
        namespace: text(metadata.and_then(|m| m.get("namespace"))),
        name: text(metadata.and_then(|m| m.get("name"))),
    }
}

fn add_object(world: &mut World, value: Value, problems: Vec<read::Problem>) {
    let mut object = identify(&value);
    let problem = |object: ObjectRef, message: String| ObjectProblem { object, message };
    if object.kind.is_empty() || object.api_version.is_empty() {
        let missing = if object.kind.is_empty() {
            "kind"
        } else {
            "apiVersion"
        };
        world.problems.push(problem(
            object,
            format!("{missing} is missing: every object needs apiVersion and kind"),
        ));
        return;
    }
    if is_list(&value) {
        if let Some(Value::Array(items)) = value.get("items").cloned() {
            let items_key = read::Segment::Key("items".to_owned());
            let mine: Vec<read::Problem> = (problems.into_iter())
                .filter(|p| p.path.first() == Some(&items_key))
                .collect();
            add_value(world, "List", 0, Value::Array(items), below(mine, 1));
        } else {
            world.problems.push(problem(
                object,
                "items must be a list of objects".to_owned(),
            ));
        }
        return;
    }
    let Some(parsed) = decode(&object.api_version, &object.kind, value) else {
        world.ignored.push(object);
        return;
    };
    // A kind we read: what the YAML held that no cluster would accept makes it a problem.
    let parsed = match problems.first() {
        None => parsed,
        Some(_) => Err((problems.iter())
            .map(|p| p.located(0))
            .collect::<Vec<_>>()
            .join("; ")),
    };
    match parsed {
        Ok(parsed) => {
            let meta = parsed.metadata();
            if meta.name.as_deref().is_none_or(str::is_empty) {
                world.problems.push(problem(
                    object,
                    "metadata.name is missing: every object needs a name".to_owned(),
                ));
                return;
            }
            if object.namespace.is_empty() {
                object.namespace = meta.namespace_or_default().to_owned();
            }
            world.insert(parsed);
        }
        Err(message) => {
            if object.namespace.is_empty() && !object.name.is_empty() {
                object.namespace = ObjectMeta::default().namespace_or_default().to_owned();
            }
            world.problems.push(problem(object, message));
        }
    }
}

/// What a JSON object of `api_version` and `kind` is to the core: one of its objects, or why
/// it is not a valid one (`Err`, with the field it breaks), or `None` for a kind the core does
/// not use. Manifests and watched cluster objects are read alike.
pub fn decode(api_version: &str, kind: &str, value: Value) -> Option<Result<Object, String>> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let parsed = match (api_version, kind) {
        ("v1", "Service") => typed(value).map(Object::Service),
        ("v1", "Secret") => typed(value).map(Object::Secret),
        ("networking.k8s.io/v1", "Ingress") => typed(value).map(Object::Ingress),
        (DNS_API_VERSION, "DNSEntry") => typed(value).map(Object::DnsEntry),
        (DNS_API_VERSION, "DNSProvider") => typed(value).map(Object::DnsProvider),
        (DNS_API_VERSION, "DNSAnnotation") => typed(value).map(Object::DnsAnnotation),
        (GATEWAY_V1 | GATEWAY_V1BETA1, "Gateway") => typed(value).map(Object::GatewayApiGateway),
        (GATEWAY_V1 | GATEWAY_V1BETA1, "HTTPRoute") => typed(value).map(Object::HttpRoute),
        (ISTIO_V1 | ISTIO_V1BETA1 | ISTIO_V1ALPHA3, "Gateway") => {
            typed(value).map(Object::IstioGateway)
        }
        (ISTIO_V1 | ISTIO_V1BETA1 | ISTIO_V1ALPHA3, "VirtualService") => {
            typed(value).map(Object::VirtualService)
        }
        (_, "Gateway" | "HTTPRoute") if group == "gateway.networking.k8s.io" => Err(format!(
            "apiVersion {} is not supported for {}: use {GATEWAY_V1} or {GATEWAY_V1BETA1}",
            api_version, kind
        )),
        (_, "Gateway" | "VirtualService") if group == "networking.istio.io" => Err(format!(
            "apiVersion {} is not supported for {}: use {ISTIO_V1}, {ISTIO_V1BETA1} or {ISTIO_V1ALPHA3}",
            api_version, kind
        )),
        (_, "DNSEntry" | "DNSProvider" | "DNSAnnotation") if group == "dns.gardener.cloud" => {
            Err(format!(
                "apiVersion {} is not supported for {}: use {DNS_API_VERSION}",
                api_version, kind
            ))
        }
        (_, "Ingress") if group == "networking.k8s.io" || group == "extensions" => Err(format!(
            "apiVersion {} is not supported for Ingress: use networking.k8s.io/v1",
            api_version
        )),
        (_, "DNSOwner" | "DNSHostedZonePolicy" | "DNSLock") if group == "dns.gardener.cloud" => {
            return None;
        }
        (_, kind) if group == "dns.gardener.cloud" => Err(format!(
            "unknown kind {kind:?} in {api_version}: known kinds are DNSEntry, DNSProvider and DNSAnnotation"
        )),
        _ => return None,
    };
    Some(parsed)
}

fn typed<T: DeserializeOwned>(value: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.inner().to_string()
        } else {
            format!("field {path}: {}", e.inner())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> World {
        let mut world = World::default();
        load_str(&mut world, "test.yaml", text).unwrap();
        world
    }

    #[test]
    fn multi_document_and_lists() {
        let w = load(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n---\n# only a comment\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: b, namespace: x}\n",
        );
        assert_eq!(w.services.len(), 1);
        assert_eq!(w.services[0].metadata.namespace_or_default(), "default");
        assert_eq!(w.ingresses.len(), 1);
        assert!(w.problems.is_empty());
    }

    #[test]
    fn list_items_are_objects_one_by_one() {
        for text in [
            "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a, annotations: {x: !t y}}\n- apiVersion: v1\n  kind: Service\n  metadata: {name: b}\nkind: List\n",
            r#"{"apiVersion": "v1", "items": [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "name": "a"}}, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b"}}], "kind": "List"}"#,
        ] {
            let w = load(text);
            let names: Vec<_> = w
                .services
                .iter()
                .map(|s| s.metadata.name_or_empty())
                .collect();
            assert_eq!(names, ["b"], "{text}");
            assert_eq!(w.problems.len(), 1, "{:?}", w.problems);
            assert_eq!(w.problems[0].object.name, "a");
            assert!(
                w.problems[0].message.starts_with("metadata."),
                "{:?}",
                w.problems
            );
        }
        // A List whose items are no sequence says so.
        let w = load("apiVersion: v1\nkind: List\nitems: {a: 1}\n");
        assert_eq!(w.problems[0].message, "items must be a list of objects");
        // `items` of an object that is no List are not objects.
        let w = load(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nitems: [{apiVersion: v1, kind: Service, metadata: {name: t}}]\n",
        );
        let names: Vec<_> = w
            .services
            .iter()
            .map(|s| s.metadata.name_or_empty())
            .collect();
        assert_eq!(names, ["s"]);
    }

    #[test]
    fn deep_json_is_refused_as_deep_yaml_is() {
        let text = format!("{}{}", "[".repeat(1_000), "]".repeat(1_000));
        let mut world = World::default();
        let err = load_str(&mut world, "deep.json", &text).unwrap_err();
        assert!(err.message.starts_with("nesting deeper than 256"), "{err}");
    }

    #[test]
    fn json_input() {
        let w = load(
            r#"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "dns.gardener.cloud/v1alpha1", "kind": "DNSEntry", "metadata": {"name": "e"}, "spec": {"dnsName": "a.b"}}]}"#,
        );
        assert_eq!(w.entries.len(), 1);
    }

    #[test]
    fn syntax_errors_name_document_and_line() {
        let mut world = World::default();
        let err = load_str(
            &mut world,
            "bad.yaml",
            "a: 1\n---\nkind: Service\nmetadata: [\n",
        )
        .unwrap_err();
        assert_eq!(err.source_name, "bad.yaml");
        assert_eq!(err.document, 2);
        // The first document was read before the error: nothing of it joins the world.
        assert_eq!(world, World::default());
        assert!(err.line.is_some_and(|l| l >= 4), "{err:?}");
        assert!(
            err.to_string().starts_with("bad.yaml: document 2, line "),
            "{err}"
        );
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let text = format!("a: {}{}\n", "[".repeat(40_000), "]".repeat(40_000));
        let mut world = World::default();
        let err = load_str(&mut world, "deep.yaml", &text).unwrap_err();
        assert_eq!(
            err.to_string(),
            "deep.yaml: document 1, line 1: nesting deeper than 256 levels of [ and {"
        );
    }

    #[test]
    fn per_object_problems() {
        let w = load(
            "apiVersion: v1\nkind: Service\nmetadata: {namespace: ns}\n---\napiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntri\nmetadata: {name: x}\n---\napiVersion: dns.gardener.cloud/v1alpha1\nkind: DNSEntry\nmetadata: {name: y}\nspec: {dnsName: a.b, ttl: abc}\n---\nkind: Service\nmetadata: {name: z}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: ok}\n",
        );
        assert_eq!(w.services.len(), 1);
        let messages: Vec<String> = w
            .problems
            .iter()
            .map(|p| format!("{}: {}", p.object, p.message))
            .collect();
        assert_eq!(
            messages,
            [
                "Service ns/(no name): metadata.name is missing: every object needs a name",
                "DNSEntri default/x: unknown kind \"DNSEntri\" in dns.gardener.cloud/v1alpha1: known kinds are DNSEntry, DNSProvider and DNSAnnotation",
                "DNSEntry default/y: field spec.ttl: invalid type: string \"abc\", expected i64",
                "Service z: kind is missing: every object needs apiVersion and kind"
                    .replace("kind is missing", "apiVersion is missing")
                    .as_str(),
            ]
        );
    }

    #[test]
    fn unsupported_versions_and_ignored_kinds() {
        let w = load(
            "apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: {name: old}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n",
        );
        assert_eq!(w.problems.len(), 1);
        assert!(w.problems[0].message.contains("use networking.k8s.io/v1"));
        assert_eq!(w.ignored.len(), 1);
        assert_eq!(w.ignored[0].kind, "Deployment");
    }
}
