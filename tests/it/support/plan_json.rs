//! Views of a plan as `shoot-dns plan|apply -o json` prints it.

use serde_json::Value;

/// A JSON list of a plan (`null` is empty).
pub(crate) fn list(value: &Value) -> &Vec<Value> {
    static EMPTY: Vec<Value> = Vec::new();
    match value {
        Value::Null => &EMPTY,
        other => other
            .as_array()
            .unwrap_or_else(|| panic!("not a list: {other}")),
    }
}

/// One line per change, in plan order: `action zone name type ttl:values -> ttl:values [result]`.
pub(crate) fn change_lines(plan: &Value) -> Vec<String> {
    list(&plan["changes"])
        .iter()
        .map(|c| {
            let values = |side: &str| {
                c[side]["values"]
                    .as_array()
                    .map(|v| {
                        let v: Vec<&str> = v.iter().filter_map(Value::as_str).collect();
                        format!("{}:{}", c[side]["ttl"], v.join(","))
                    })
                    .unwrap_or_else(|| "-".to_owned())
            };
            format!(
                "{} {} {} {} {} -> {} [{}]",
                c["action"].as_str().unwrap_or("?"),
                c["zone"].as_str().unwrap_or("?"),
                c["name"].as_str().unwrap_or("?"),
                c["type"].as_str().unwrap_or("?"),
                values("old"),
                values("new"),
                c["result"].as_str().unwrap_or("-"),
            )
        })
        .collect()
}

/// One line per change, sorted: `action name type [result]` (for tests whose changes all go to
/// one zone and whose values do not matter).
#[cfg_attr(not(feature = "rfc2136"), allow(dead_code))]
pub(crate) fn change_summary(plan: &Value) -> Vec<String> {
    let mut lines: Vec<String> = list(&plan["changes"])
        .iter()
        .map(|c| {
            format!(
                "{} {} {} [{}]",
                c["action"].as_str().unwrap_or("?"),
                c["name"].as_str().unwrap_or("?"),
                c["type"].as_str().unwrap_or("?"),
                c["result"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    lines.sort();
    lines
}

/// What a plan says of one entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EntryState {
    pub dns_name: String,
    pub state: String,
    pub message: String,
    pub provider: String,
    pub zone: String,
}

/// The state of every entry, in plan order.
pub(crate) fn entry_states(plan: &Value) -> Vec<EntryState> {
    list(&plan["entries"])
        .iter()
        .map(|e| {
            let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
            EntryState {
                dns_name: text(&e["spec"]["dnsName"]),
                state: text(&e["status"]["state"]),
                message: text(&e["status"]["message"]),
                provider: text(&e["status"]["provider"]),
                zone: text(&e["status"]["zone"]),
            }
        })
        .collect()
}

/// Every entry of `plan` is Ready, with a provider and a zone.
pub(crate) fn assert_all_ready(plan: &Value) {
    for entry in entry_states(plan) {
        assert_eq!(
            entry.state, "Ready",
            "{}: {}\n{plan:#}",
            entry.dns_name, entry.message
        );
        assert!(
            !entry.provider.is_empty() && !entry.zone.is_empty(),
            "{}: {plan:#}",
            entry.dns_name
        );
    }
}
