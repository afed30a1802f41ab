//! Rendering a plan: JSON and YAML (the contract), and a table for people. Each writes to
//! `out` as it goes: a plan of 100,000 entries is over 100 MB of JSON, which is never held.

use std::fmt::Write as _;
use std::io::Write;

use shoot_dns::events::EventType;
use shoot_dns::{Plan, World};

pub fn json(out: &mut impl Write, plan: &Plan) -> Result<(), String> {
    serde_json::to_writer_pretty(&mut *out, plan)
        .map_err(|e| format!("cannot write the plan as JSON: {e}"))?;
    writeln!(out).map_err(|e| format!("cannot write the plan: {e}"))
}

pub fn yaml(out: &mut impl Write, plan: &Plan) -> Result<(), String> {
    serde_yaml_ng::to_writer(out, plan).map_err(|e| format!("cannot write the plan as YAML: {e}"))
}

/// Columns like `kubectl get dnsentry`, then the events worth reading.
pub fn table(out: &mut impl Write, plan: &Plan, world: &World) -> Result<(), String> {
    let mut text = String::new();
    table_text(&mut text, plan, world);
    out.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write the plan: {e}"))
}

fn table_text(out: &mut String, plan: &Plan, world: &World) {
    let mut rows = vec![[
        "NAME".to_owned(),
        "DNS".to_owned(),
        "TYPE".to_owned(),
        "PROVIDER".to_owned(),
        "STATUS".to_owned(),
        "TARGETS".to_owned(),
    ]];
    for entry in &plan.entries {
        let meta = &entry.metadata;
        let name = match (&meta.name, &meta.generate_name) {
            (Some(name), _) => name.clone(),
            (None, Some(prefix)) => format!("{prefix}*"),
            (None, None) => String::new(),
        };
        let status = entry.status.as_ref();
        let dash = |v: Option<&String>| v.cloned().unwrap_or_else(|| "-".to_owned());
        let targets = entry
            .spec
            .targets
            .as_ref()
            .or(entry.spec.text.as_ref())
            .map(|t| t.join(","))
            .unwrap_or_else(|| "-".to_owned());
        let state = match status {
            None => "(other class)".to_owned(),
            Some(s) => dash(s.state.as_ref()),
        };
        rows.push([
            format!("{}/{name}", meta.namespace_or_default()),
            entry.spec.dns_name.clone(),
            dash(status.and_then(|s| s.provider_type.as_ref())),
            dash(status.and_then(|s| s.provider.as_ref())),
            state,
            targets,
        ]);
    }
    render(out, &rows);
    if !plan.changes.is_empty() {
        let _ = writeln!(out, "\nCHANGES");
        let mut rows = vec![[
            "ACTION".to_owned(),
            "NAME".to_owned(),
            "TYPE".to_owned(),
            "ZONE".to_owned(),
            "PROVIDER".to_owned(),
            "VALUES".to_owned(),
        ]];
        for change in &plan.changes {
            let mut name = change.name.to_string();
            if !change.set_identifier.is_empty() {
                name = format!("{name}#{}", change.set_identifier);
            }
            let values = change.new.as_ref().or(change.old.as_ref());
            let mut shown = values.map(|v| v.values.join(",")).unwrap_or_default();
            if let Some(failed) = change.outcome.as_ref().filter(|o| !o.is_applied()) {
                shown = format!("{shown}   ({failed})");
            }
            rows.push([
                format!("{:?}", change.action).to_lowercase(),
                name,
                change.record_type.to_string(),
                change.zone.to_string(),
                change.provider.clone(),
                shown,
            ]);
        }
        render(out, &rows);
    }
    let warnings: Vec<_> = plan
        .events
        .iter()
        .filter(|e| e.event_type == EventType::Warning)
        .collect();
    let _ = writeln!(
        out,
        "\n{} entries, {} events ({} warnings)",
        plan.entries.len(),
        plan.events.len(),
        warnings.len()
    );
    for event in &plan.events {
        let kind = match event.event_type {
            EventType::Normal => "Normal ",
            EventType::Warning => "Warning",
        };
        let _ = writeln!(
            out,
            "  {kind} {} {}: {}",
            event.reason, event.involved_object, event.message
        );
    }
    if !world.ignored.is_empty() {
        let mut kinds: Vec<&str> = world.ignored.iter().map(|o| o.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        let _ = writeln!(
            out,
            "\nignored {} objects of kinds shoot-dns does not use: {}",
            world.ignored.len(),
            kinds.join(", ")
        );
    }
}

fn render(out: &mut String, rows: &[[String; 6]]) {
    let mut widths = [0usize; 6];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:<w$}   ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}
