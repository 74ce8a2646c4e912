//! Dashboards as code: a YAML file of panels on a 24-column grid, each a SQL query (Jinja:
//! `ref()`, `source()`, `var()`) and a chart spec, with a refresh interval. The file is the
//! source of truth; the studio draws it and (later) edits it back.

use std::path::Path;

use kiln_diagnostics::{Code, Diagnostic, Location};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::spec::ChartSpec;

/// Columns of a dashboard's grid, as in Grafana.
pub const GRID_COLUMNS: u32 = 24;
/// The fastest refresh a dashboard may ask for.
pub const MIN_REFRESH_SECONDS: f64 = 1.0;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// How often panels re-query: `5s`, `1m`, `off` (the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub refresh: Option<String>,
    /// The exposure this dashboard is, when it is declared in YAML under another name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub exposure: Option<String>,
    /// The time range Grafana macros in panel queries expand against (`now-6h` to `now` when
    /// absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub time: Option<TimeWindow>,
    /// Drop-downs whose selection panel queries use as `$name`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<crate::Variable>,
    #[serde(default)]
    pub panels: Vec<Panel>,
}

/// `from` and `to` as Grafana writes them: `now-3h`, `now`, or absolute `2024-05-01T10:00:00Z`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TimeWindow {
    pub from: String,
    pub to: String,
}

impl Dashboard {
    /// The dashboard's time range at `now` (Unix seconds).
    pub fn time_range(&self, now: f64) -> Result<crate::TimeRange, String> {
        window_range(self.time.as_ref(), now)
    }
}

/// A time window (the dashboard's, or one picked in the studio) at `now` (Unix seconds);
/// `now-6h` to `now` when there is none.
pub fn window_range(window: Option<&TimeWindow>, now: f64) -> Result<crate::TimeRange, String> {
    let (from, to) = match window {
        Some(window) => (window.from.as_str(), window.to.as_str()),
        None => ("now-6h", "now"),
    };
    let range = crate::TimeRange {
        from: crate::resolve_time(from, now)?,
        to: crate::resolve_time(to, now)?,
    };
    if range.from >= range.to {
        return Err(format!("the time range starts at {from}, not before its end {to}"));
    }
    Ok(range)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Panel {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub grid: GridPos,
    pub query: String,
    pub chart: ChartSpec,
}

/// A panel's place on the grid: column and row of its top-left cell, width and height in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct GridPos {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

/// `5s`, `1m`, `2h` → seconds; `off` or nothing → none.
pub fn refresh_seconds(refresh: Option<&str>) -> Result<Option<f64>, String> {
    let Some(text) = refresh.map(str::trim).filter(|t| !t.is_empty() && *t != "off") else {
        return Ok(None);
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("refresh '{text}' is not a duration like 5s, 1m or off"))?;
    let seconds = match unit {
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3_600.0,
        _ => return Err(format!("refresh '{text}' has no unit: write 5s, 1m or 1h")),
    };
    if seconds < MIN_REFRESH_SECONDS {
        return Err(format!("refresh '{text}' is faster than once a second"));
    }
    Ok(Some(seconds))
}

/// The line of the `n`-th panel's `- title:` entry (1-based), for errors about that panel.
pub fn panel_line(text: &str, index: usize) -> Option<usize> {
    let mut in_panels = false;
    let mut seen = 0;
    for (number, line) in text.lines().enumerate() {
        if !line.starts_with([' ', '\t', '-']) && !line.trim().is_empty() {
            in_panels = line.trim_start().starts_with("panels:");
            continue;
        }
        if in_panels && line.trim_start().starts_with("- ") && line.len() - line.trim_start().len() <= 2 {
            if seen == index {
                return Some(number + 1);
            }
            seen += 1;
        }
    }
    None
}

/// Reads a dashboard file: YAML shape errors and impossible grid places or refresh intervals
/// become coded diagnostics at the file and line.
pub fn parse_dashboard(text: &str, file: &Path) -> Result<Dashboard, Vec<Diagnostic>> {
    let dashboard: Dashboard = serde_norway::from_str(text).map_err(|error| {
        let line = error.location().map(|l| l.line()).unwrap_or(1);
        vec![
            Diagnostic::error(Code::YamlSyntax, format!("the dashboard does not read: {error}"))
                .at(Location::at(file, line, None))
                .hint("see the dashboard format in the README (title, refresh, panels with grid, query, chart)"),
        ]
    })?;
    let mut problems = Vec::new();
    if let Err(message) = dashboard.time_range(0.0) {
        let line = text.lines().position(|l| l.starts_with("time:")).map_or(1, |k| k + 1);
        problems.push(Diagnostic::error(Code::Dashboard, message).at(Location::at(file, line, None)));
    }
    if let Err(message) = refresh_seconds(dashboard.refresh.as_deref()) {
        let line = text
            .lines()
            .position(|l| l.starts_with("refresh:"))
            .map_or(1, |k| k + 1);
        problems.push(Diagnostic::error(Code::Dashboard, message).at(Location::at(file, line, None)));
    }
    for variable in &dashboard.variables {
        let problem = if !crate::variables::valid_name(&variable.name) {
            Some(format!(
                "variable '{}' needs a name of letters, digits and _ (not starting with __)",
                variable.name
            ))
        } else if variable.query.is_none() && variable.values.is_empty() {
            Some(format!(
                "variable '{}' has neither a query nor values to choose from",
                variable.name
            ))
        } else if dashboard.variables.iter().filter(|v| v.name == variable.name).count() > 1 {
            Some(format!("variable '{}' is declared twice", variable.name))
        } else {
            None
        };
        if let Some(message) = problem {
            let line = text
                .lines()
                .position(|l| {
                    let l = l.trim_start().trim_start_matches("- ").trim_start();
                    l.strip_prefix("name:")
                        .is_some_and(|v| v.trim().trim_matches(['\'', '"']) == variable.name)
                })
                .map_or(1, |k| k + 1);
            problems.push(
                Diagnostic::error(Code::Dashboard, message)
                    .at(Location::at(file, line, None))
                    .hint("a variable is `- name: x` with `query: select …` or `values: [a, b]`"),
            );
        }
    }
    for (index, panel) in dashboard.panels.iter().enumerate() {
        let GridPos { x, w, h, .. } = panel.grid;
        if w == 0 || h == 0 || x + w > GRID_COLUMNS {
            let line = panel_line(text, index).unwrap_or(1);
            problems.push(
                Diagnostic::error(
                    Code::Dashboard,
                    format!(
                        "panel '{}' does not fit the {GRID_COLUMNS}-column grid (x {x}, w {w}, h {h})",
                        panel.title
                    ),
                )
                .at(Location::at(file, line, None))
                .hint(format!("keep x + w ≤ {GRID_COLUMNS} and w, h ≥ 1")),
            );
        }
    }
    if problems.is_empty() {
        Ok(dashboard)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::spec::ChartKind;

    const SAMPLE: &str = "title: Sales\nrefresh: 5s\npanels:\n  - title: By category\n    grid: { x: 0, y: 0, w: 12, h: 8 }\n    query: select 1\n    chart: { kind: bar, x: cat, y: [{ column: s, aggregation: sum }] }\n  - title: Total\n    grid: { x: 12, y: 0, w: 14, h: 4 }\n    query: select 2\n    chart: { kind: stat }\n";

    #[test]
    fn reads_panels_and_reports_a_panel_off_the_grid_at_its_line() {
        let errors = parse_dashboard(SAMPLE, Path::new("dashboards/sales.yml")).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, Code::Dashboard);
        assert_eq!(errors[0].location.as_ref().and_then(|l| l.line), Some(8));
        let fixed = SAMPLE.replace("w: 14", "w: 12");
        let dashboard = parse_dashboard(&fixed, Path::new("d.yml")).unwrap();
        assert_eq!(dashboard.panels.len(), 2);
        assert_eq!(dashboard.panels[0].chart.kind, ChartKind::Bar);
    }

    #[test]
    fn refresh_intervals() {
        assert_eq!(refresh_seconds(Some("5s")), Ok(Some(5.0)));
        assert_eq!(refresh_seconds(Some("2m")), Ok(Some(120.0)));
        assert_eq!(refresh_seconds(Some("off")), Ok(None));
        assert!(refresh_seconds(Some("0.5s")).is_err());
        assert!(refresh_seconds(Some("5")).is_err());
    }

    #[test]
    fn bad_yaml_names_its_line() {
        let errors = parse_dashboard("title: x\npanels:\n  - title: [\n", Path::new("d.yml")).unwrap_err();
        assert_eq!(errors[0].code, Code::YamlSyntax);
        assert!(errors[0].location.as_ref().and_then(|l| l.line).is_some());
    }
}
