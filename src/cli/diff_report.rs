//! The report of `flowpol diff` in its three forms: text for a terminal, JSON for scripts (a
//! stable schema, documented in docs/cli.md), Markdown for a pull request comment. Names come
//! from the files read: Markdown escapes them, so a hostile label cannot add markup.

use serde::Serialize;

use crate::engine::dataset::Dataset;
use crate::engine::units::thousands;
use crate::engine::verify::diff::{Change, CommunicationDiff, PolicyDiff};
use crate::engine::verify::evaluate::Verdict;

/// Rows a Markdown list shows before the rest is folded under `<details>`.
const MARKDOWN_OPEN_ROWS: usize = 20;

/// `allowed` or `denied`.
fn verdict_word(verdict: Verdict) -> &'static str {
    if verdict.allowed() {
        "allowed"
    } else {
        "denied"
    }
}

fn change_word(change: Change) -> &'static str {
    match change {
        Change::WouldBreak => "would-break",
        Change::WouldOpen => "would-open",
        Change::Unchanged => "unchanged",
    }
}

/// The summary line: "57 observed communications: 2 would break, 1 would open, 54 unchanged;
/// policies: 3 added, 0 removed, 1 changed".
fn summary(report: &PolicyDiff) -> String {
    let (breaks, opens) = report.counts();
    let total = report.communications.len();
    let policies = &report.policies;
    format!(
        "{} observed communications: {} would break, {} would open, {} unchanged; policies: {} \
         added, {} removed, {} changed",
        thousands(total as u64),
        thousands(breaks as u64),
        thousands(opens as u64),
        thousands((total - breaks - opens) as u64),
        policies.added.len(),
        policies.removed.len(),
        policies.changed.len()
    )
}

/// `client -> server PROTOCOL/port xN`, as `verify` names a communication.
fn describe(dataset: &Dataset, row: &CommunicationDiff) -> String {
    dataset.describe(&dataset.communications[row.communication])
}

/// The text report: each change with its reason, the policies, the summary last.
pub fn text(dataset: &Dataset, report: &PolicyDiff) -> String {
    let mut out = String::new();
    for (change, word) in [
        (Change::WouldBreak, "WOULD BREAK"),
        (Change::WouldOpen, "WOULD OPEN"),
    ] {
        for row in report.with_change(change) {
            out.push_str(&format!("{word} {} ({})\n", describe(dataset, row), row.by));
        }
    }
    let policies = &report.policies;
    for name in &policies.added {
        out.push_str(&format!("added {name}\n"));
    }
    for name in &policies.removed {
        out.push_str(&format!("removed {name}\n"));
    }
    for changed in &policies.changed {
        out.push_str(&format!(
            "changed {}\n{}",
            changed.name,
            changed.unified_diff()
        ));
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

/// One communication in the JSON report.
#[derive(Serialize)]
struct JsonCommunication {
    client: String,
    server: String,
    port: u16,
    protocol: String,
    current: &'static str,
    proposed: &'static str,
    change: &'static str,
    connections: u64,
    by: String,
}

#[derive(Serialize)]
struct JsonPolicies {
    added: Vec<String>,
    removed: Vec<String>,
    changed: Vec<String>,
}

#[derive(Serialize)]
struct JsonSummary {
    communications: usize,
    would_break: usize,
    would_open: usize,
}

#[derive(Serialize)]
struct JsonReport {
    summary: JsonSummary,
    communications: Vec<JsonCommunication>,
    policies: JsonPolicies,
}

/// The JSON report: every observed communication, the unchanged ones too.
pub fn json(dataset: &Dataset, report: &PolicyDiff) -> Result<String, String> {
    let (would_break, would_open) = report.counts();
    let [added, removed, changed] = report.policies.names();
    let document = JsonReport {
        summary: JsonSummary {
            communications: report.communications.len(),
            would_break,
            would_open,
        },
        communications: report
            .communications
            .iter()
            .map(|row| {
                let communication = &dataset.communications[row.communication];
                JsonCommunication {
                    client: dataset.peer_label(communication.client),
                    server: dataset.peer_label(communication.server),
                    port: communication.port,
                    protocol: communication.protocol.to_string(),
                    current: verdict_word(row.current),
                    proposed: verdict_word(row.proposed),
                    change: change_word(row.change()),
                    connections: row.connections,
                    by: row.by.clone(),
                }
            })
            .collect(),
        policies: JsonPolicies {
            added,
            removed,
            changed,
        },
    };
    serde_json::to_string_pretty(&document)
        .map(|text| text + "\n")
        .map_err(|e| format!("the report could not be written as JSON: {e}"))
}

/// Text for a Markdown table cell or list item: no markup, no line break.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A fenced block of `body` whose fence is longer than any run of backticks in it.
fn fenced(language: &str, body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{language}\n{body}{fence}\n")
}

/// A table of `rows`, the first MARKDOWN_OPEN_ROWS open, the rest under `<details>`.
fn markdown_table(dataset: &Dataset, rows: &[&CommunicationDiff]) -> String {
    let header = "| client | server | port | connections | why |\n|---|---|---|---|---|\n";
    let line = |row: &CommunicationDiff| {
        let communication = &dataset.communications[row.communication];
        format!(
            "| {} | {} | {}/{} | {} | {} |\n",
            escape(&dataset.peer_label(communication.client)),
            escape(&dataset.peer_label(communication.server)),
            communication.protocol,
            communication.port,
            thousands(row.connections),
            escape(&row.by)
        )
    };
    let mut out = String::from(header);
    for row in rows.iter().take(MARKDOWN_OPEN_ROWS) {
        out.push_str(&line(row));
    }
    if rows.len() > MARKDOWN_OPEN_ROWS {
        out.push_str(&format!(
            "\n<details><summary>{} more</summary>\n\n{header}",
            rows.len() - MARKDOWN_OPEN_ROWS
        ));
        for row in &rows[MARKDOWN_OPEN_ROWS..] {
            out.push_str(&line(row));
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// The Markdown report: a summary line, would break first, would open, the policies.
pub fn markdown(dataset: &Dataset, report: &PolicyDiff) -> String {
    let (breaks, opens) = report.counts();
    let mut out = format!(
        "**flowpol diff**: {}{}\n",
        if breaks > 0 {
            format!(
                "{} observed communications WOULD BREAK. ",
                thousands(breaks as u64)
            )
        } else {
            "nothing observed would break. ".to_string()
        },
        summary(report)
    );
    for (change, title, count) in [
        (Change::WouldBreak, "Would break", breaks),
        (Change::WouldOpen, "Would open", opens),
    ] {
        if count == 0 {
            continue;
        }
        let rows: Vec<&CommunicationDiff> = report.with_change(change).collect();
        out.push_str(&format!("\n### {title} ({})\n\n", thousands(count as u64)));
        out.push_str(&markdown_table(dataset, &rows));
    }
    let policies = &report.policies;
    if !(policies.added.is_empty() && policies.removed.is_empty() && policies.changed.is_empty()) {
        out.push_str("\n### Policies\n\n");
        for (word, list) in [("added", &policies.added), ("removed", &policies.removed)] {
            if !list.is_empty() {
                let names: Vec<String> = list
                    .iter()
                    .map(|n| format!("`{}`", escape(&n.to_string())))
                    .collect();
                out.push_str(&format!("- {word}: {}\n", names.join(", ")));
            }
        }
        for changed in &policies.changed {
            out.push_str(&format!(
                "\n<details><summary>changed: {}</summary>\n\n{}\n</details>\n",
                escape(&changed.name.to_string()),
                fenced("diff", &changed.unified_diff())
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, fenced};

    #[test]
    fn markdown_text_cannot_add_markup() {
        assert_eq!(
            escape("a|b<script>`x`*y*"),
            "a\\|b&lt;script&gt;\\`x\\`\\*y\\*"
        );
        assert_eq!(escape("two\nlines"), "two lines");
    }

    #[test]
    fn a_fence_is_longer_than_any_backticks_inside() {
        assert_eq!(fenced("diff", "+a\n"), "```diff\n+a\n```\n");
        assert_eq!(fenced("diff", "+ ```` \n"), "`````diff\n+ ```` \n`````\n");
    }
}
