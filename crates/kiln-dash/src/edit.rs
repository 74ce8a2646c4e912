//! Edits from the studio (a panel dragged, resized, its chart changed) written back into the
//! dashboard's own text. The file is the user's: only the values that changed are rewritten, in
//! the style the sample uses (one-line `grid: { … }`, a flow or block `chart:`), so comments,
//! key order, blank lines and the other panels stay as they were. Comments inside a rewritten
//! value are the one thing lost; YAML libraries that round-trip comments do not exist for Rust
//! yet, and a line-level edit keeps everything else.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::dashboard::{panel_line, GridPos};
use crate::spec::ChartSpec;
use crate::Dashboard;

/// Longest `chart: { … }` kept on one line before it is written as a block.
const FLOW_WIDTH: usize = 100;

/// What changes on one panel; fields left out stay as the file has them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PanelEdit {
    /// 0-based index in the file's `panels`.
    pub panel: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub grid: Option<GridPos>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub chart: Option<ChartSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub title: Option<String>,
}

/// `text` with `edits` applied, checked by reading it back: the result parses to `dashboard`
/// with exactly the edited values changed.
pub fn edit_dashboard(text: &str, dashboard: &Dashboard, edits: &[PanelEdit]) -> Result<String, String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut expected = dashboard.clone();
    // Last panel first, so earlier panels' line numbers hold while later blocks change length.
    let mut ordered: Vec<&PanelEdit> = edits.iter().collect();
    ordered.sort_by_key(|edit| std::cmp::Reverse(edit.panel));
    for edit in ordered {
        let index = edit.panel as usize;
        let panel = expected
            .panels
            .get_mut(index)
            .ok_or_else(|| format!("the dashboard has no panel {}", index + 1))?;
        let joined = lines.join("\n");
        let start =
            panel_line(&joined, index).ok_or_else(|| format!("panel {} is not found in the file", index + 1))? - 1;
        let end = panel_line(&joined, index + 1).map_or_else(|| block_end(&lines, start), |line| line - 1);
        let indent = key_indent(&lines[start]);
        if let Some(grid) = edit.grid {
            panel.grid = grid;
            let value = format!("{{ x: {}, y: {}, w: {}, h: {} }}", grid.x, grid.y, grid.w, grid.h);
            set_key(&mut lines, start, end, indent, "grid", &[value])?;
        }
        let end = panel_line(&lines.join("\n"), index + 1).map_or_else(|| block_end(&lines, start), |line| line - 1);
        if let Some(chart) = &edit.chart {
            panel.chart = chart.clone();
            set_key(&mut lines, start, end, indent, "chart", &chart_value(chart))?;
        }
        let end = panel_line(&lines.join("\n"), index + 1).map_or_else(|| block_end(&lines, start), |line| line - 1);
        if let Some(title) = &edit.title {
            panel.title = title.clone();
            set_key(
                &mut lines,
                start,
                end,
                indent,
                "title",
                &[scalar(&Value::String(title.clone()))],
            )?;
        }
    }
    let mut written = lines.join("\n");
    if text.ends_with('\n') {
        written.push('\n');
    }
    let reread: Dashboard =
        serde_norway::from_str(&written).map_err(|e| format!("the edited file would not read back: {e}"))?;
    if reread != expected {
        return Err("the edit would change more than the panels edited; edit the YAML by hand".into());
    }
    Ok(written)
}

/// The first line after the panel starting at `start` that belongs to something else: a line
/// indented no deeper than the `- ` (the next top-level key), or the end.
fn block_end(lines: &[String], start: usize) -> usize {
    let dash = lines[start].len() - lines[start].trim_start().len();
    lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .find(|(_, line)| {
            let trimmed = line.trim_start();
            !trimmed.is_empty() && !trimmed.starts_with('#') && line.len() - trimmed.len() <= dash
        })
        .map_or(lines.len(), |(k, _)| k)
}

/// The column where a panel's keys start: after `- ` on its first line.
fn key_indent(first: &str) -> usize {
    let dash = first.len() - first.trim_start().len();
    let after = &first[dash + 1..];
    dash + 1 + (after.len() - after.trim_start().len())
}

/// Replaces `key`'s value in the panel's lines `start..end` (or adds the key at the end of the
/// panel), whether the value sat on the key's line or on deeper-indented lines below.
fn set_key(
    lines: &mut Vec<String>,
    start: usize,
    end: usize,
    indent: usize,
    key: &str,
    value: &[String],
) -> Result<(), String> {
    let prefix = format!("{key}:");
    let found = (start..end).find(|&k| {
        let line = &lines[k];
        let content = if k == start {
            line.get(indent..).unwrap_or("")
        } else {
            line.as_str()
        };
        let depth = if k == start {
            indent
        } else {
            line.len() - line.trim_start().len()
        };
        depth == indent && content.trim_start().starts_with(&prefix)
    });
    let head = " ".repeat(indent);
    let replacement: Vec<String> = match value {
        [one] => vec![format!("{key}: {one}")],
        many => std::iter::once(format!("{key}:")).chain(many.iter().cloned()).collect(),
    };
    match found {
        Some(k) => {
            // The value's own lines: deeper-indented (or blank) ones right after the key.
            let mut last = k + 1;
            while last < end {
                let line = &lines[last];
                let trimmed = line.trim_start();
                if !trimmed.is_empty() && line.len() - trimmed.len() <= indent {
                    break;
                }
                last += 1;
            }
            // Blank lines before the next panel are the file's spacing, not the value's.
            while last > k + 1 && lines[last - 1].trim().is_empty() {
                last -= 1;
            }
            let dash = if k == start {
                lines[k][..indent].to_string()
            } else {
                head.clone()
            };
            let mut new_lines = replacement;
            new_lines[0] = format!("{dash}{}", new_lines[0]);
            for line in new_lines.iter_mut().skip(1) {
                *line = format!("{head}{line}");
            }
            lines.splice(k..last, new_lines);
        }
        None => {
            let mut at = end;
            while at > start + 1 && lines[at - 1].trim().is_empty() {
                at -= 1;
            }
            let new_lines: Vec<String> = replacement.into_iter().map(|line| format!("{head}{line}")).collect();
            if new_lines.is_empty() {
                return Err(format!("no value to write for {key}"));
            }
            lines.splice(at..at, new_lines);
        }
    }
    Ok(())
}

/// A chart spec as the sample writes it: `{ kind: bar, x: cat, y: [...] }` when that fits on a
/// line, else one key per line (relative indentation of two spaces).
fn chart_value(chart: &ChartSpec) -> Vec<String> {
    let value = serde_json::to_value(chart).unwrap_or(Value::Null);
    let Value::Object(map) = value else {
        return vec![flow(&value)];
    };
    let entries: Vec<(String, String)> = map
        .iter()
        .filter(|(_, v)| !is_default(v))
        .map(|(k, v)| (k.clone(), flow(v)))
        .collect();
    let one_line = format!(
        "{{ {} }}",
        entries
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if one_line.len() <= FLOW_WIDTH {
        return vec![one_line];
    }
    let mut lines = Vec::new();
    for (key, value) in map.iter().filter(|(_, v)| !is_default(v)) {
        match value {
            Value::Array(items) if !items.is_empty() => {
                lines.push(format!("  {key}:"));
                lines.extend(items.iter().map(|item| format!("    - {}", flow(item))));
            }
            _ => lines.push(format!("  {key}: {}", flow(value))),
        }
    }
    lines
}

/// Values the spec reads as its default when absent, so the file need not say them.
fn is_default(value: &Value) -> bool {
    matches!(value, Value::Null | Value::Bool(false)) || value.as_array().is_some_and(Vec::is_empty)
}

/// A value in YAML flow style.
fn flow(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        other => scalar(other),
    }
}

/// A scalar, plain when YAML reads it back as the same string, double-quoted (JSON) otherwise.
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '/'))
                && !s.starts_with([' ', '-', '.'])
                && !s.ends_with(' ')
                && s.parse::<f64>().is_err()
                && !matches!(
                    s.to_ascii_lowercase().as_str(),
                    "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n" | "~"
                );
            if plain {
                s.clone()
            } else {
                serde_json::to_string(s).unwrap_or_default()
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::parse_dashboard;
    use crate::spec::{Aggregation, ChartKind, Measure};
    use std::path::Path;

    const FILE: &str = "# Sales, by hand.\ntitle: Sales\npanels:\n  # The total first.\n  - title: Total\n    grid: { x: 0, y: 0, w: 6, h: 4 } # top left\n    query: select 1 as s\n    chart: { kind: stat }\n\n  - title: By category\n    query: |\n      select cat, s\n      from t\n    grid:\n      x: 6\n      y: 0\n      w: 12\n      h: 8\n    chart:\n      kind: bar\n      x: cat\n      y: [{ column: s, aggregation: sum }]\n\n# Trailing note.\n";

    fn read(text: &str) -> Dashboard {
        parse_dashboard(text, Path::new("d.yml")).unwrap()
    }

    #[test]
    fn moves_and_resizes_keeping_comments_order_and_other_panels() {
        let dashboard = read(FILE);
        let edits = [
            PanelEdit {
                panel: 0,
                grid: Some(GridPos {
                    x: 18,
                    y: 0,
                    w: 6,
                    h: 4,
                }),
                chart: None,
                title: None,
            },
            PanelEdit {
                panel: 1,
                grid: Some(GridPos {
                    x: 0,
                    y: 0,
                    w: 18,
                    h: 9,
                }),
                chart: None,
                title: Some("By category: 2008".into()),
            },
        ];
        let written = edit_dashboard(FILE, &dashboard, &edits).unwrap();
        assert!(written.starts_with("# Sales, by hand.\ntitle: Sales\npanels:\n  # The total first.\n  - title: Total\n    grid: { x: 18, y: 0, w: 6, h: 4 }\n    query: select 1 as s\n"), "{written}");
        assert!(written.contains("  - title: \"By category: 2008\"\n    query: |\n      select cat, s\n      from t\n    grid: { x: 0, y: 0, w: 18, h: 9 }\n    chart:\n      kind: bar\n"), "{written}");
        assert!(written.ends_with("\n\n# Trailing note.\n"), "{written}");
        let reread = read(&written);
        assert_eq!(
            reread.panels[1].grid,
            GridPos {
                x: 0,
                y: 0,
                w: 18,
                h: 9
            }
        );
        assert_eq!(reread.panels[1].title, "By category: 2008");
    }

    #[test]
    fn writes_a_chart_as_flow_or_block_and_reads_it_back() {
        let dashboard = read(FILE);
        let mut line = ChartSpec::new(ChartKind::Line);
        line.x = Some("cat".into());
        line.y = vec![Measure {
            column: Some("s".into()),
            aggregation: Aggregation::Avg,
        }];
        let written = edit_dashboard(
            FILE,
            &dashboard,
            &[PanelEdit {
                panel: 1,
                grid: None,
                chart: Some(line.clone()),
                title: None,
            }],
        )
        .unwrap();
        assert!(
            written.contains("    chart: { kind: line, x: cat, y: [{ column: s, aggregation: avg }] }\n\n# Trailing"),
            "{written}"
        );
        assert_eq!(read(&written).panels[1].chart, line);

        let mut wide = line.clone();
        wide.kind = ChartKind::Bar;
        wide.series = Some("a rather long series column name".into());
        wide.stacked = true;
        wide.y.push(Measure {
            column: Some("another measure".into()),
            aggregation: Aggregation::CountDistinct,
        });
        let written = edit_dashboard(
            FILE,
            &dashboard,
            &[PanelEdit {
                panel: 0,
                grid: None,
                chart: Some(wide.clone()),
                title: None,
            }],
        )
        .unwrap();
        assert!(
            written.contains(
                "    chart:\n      kind: bar\n      x: cat\n      y:\n        - { column: s, aggregation: avg }\n"
            ),
            "{written}"
        );
        assert_eq!(read(&written).panels[0].chart, wide);
        assert_eq!(read(&written).panels[1], dashboard.panels[1]);
    }

    #[test]
    fn a_panel_that_is_gone_is_an_error() {
        let dashboard = read(FILE);
        let edit = PanelEdit {
            panel: 5,
            grid: Some(GridPos { x: 0, y: 0, w: 1, h: 1 }),
            chart: None,
            title: None,
        };
        assert!(edit_dashboard(FILE, &dashboard, &[edit])
            .unwrap_err()
            .contains("no panel 6"));
    }
}
