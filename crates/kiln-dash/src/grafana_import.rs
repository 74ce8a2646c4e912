//! `kiln dashboard import`: a Grafana dashboard's JSON model (schema version 30 or newer) → a
//! Kiln dashboard file. Panels keep their place on the grid (both are 24 columns wide), their SQL
//! (`rawSql`, or the Redshift plugin's `rawSQL`) with its macros and variables as written (they
//! expand at run time, see [`crate::expand_macros`]), and a chart of the matching kind that names
//! no columns: like Grafana, Kiln reads them off the query's result ([`crate::complete`]). Every
//! datasource becomes the project's target. Whatever has no Kiln equivalent — a panel type, an
//! extra query, a transformation, an option changed from Grafana's default — is listed by name
//! with its panel, in the result and in the written file's header, never dropped silently.

use std::path::{Path, PathBuf};

use kiln_diagnostics::{Code, Diagnostic, Location};
use serde_json::{json, Map, Value};

use crate::dashboard::{refresh_seconds, Dashboard, GridPos, Panel, TimeWindow, GRID_COLUMNS};
use crate::grafana::{duration_seconds, resolve_time, rfc3339};
use crate::spec::{Aggregation, ChartKind, ChartSpec, Measure};
use crate::variables::{valid_name, Variable, ALL};

/// The oldest Grafana JSON model read: Grafana 8.0 saves schema 30.
pub const MIN_SCHEMA_VERSION: u64 = 30;

/// A converted dashboard: the dashboard, the YAML file written for it, and what was left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub dashboard: Dashboard,
    pub yaml: String,
    /// Each panel, query, variable or option left out, named with its panel.
    pub not_converted: Vec<String>,
    /// What was converted with a change worth knowing: each datasource, now the project's target.
    pub notes: Vec<String>,
}

fn dashboard_error(file: &Path, line: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Code::Dashboard, message).at(Location::at(file, line, None))
}

/// The 1-based line of the first `"key":` in `text`, for errors about that key.
fn key_line(text: &str, key: &str) -> usize {
    let needle = format!("\"{key}\"");
    text.lines().position(|l| l.contains(&needle)).map_or(1, |k| k + 1)
}

/// Converts a Grafana dashboard's JSON (as exported, or as the HTTP API wraps it in
/// `{"dashboard": …}`) read from `file`. Errors are K7002 at the line of the JSON they are about.
pub fn import_grafana(json_text: &str, file: &Path) -> Result<Imported, Vec<Diagnostic>> {
    let root: Value = serde_json::from_str(json_text).map_err(|error| {
        vec![dashboard_error(
            file,
            error.line().max(1),
            format!("the Grafana dashboard is not JSON: {error}"),
        )
        .hint("export it from Grafana: Dashboard settings → JSON Model (or Share → Export → Save to file)")]
    })?;
    let model = match root.get("dashboard") {
        Some(inner @ Value::Object(_)) => inner,
        _ => &root,
    };
    let Some(model) = model.as_object() else {
        return Err(vec![dashboard_error(
            file,
            1,
            "the JSON is not a Grafana dashboard (no object at its top)",
        )
        .hint("export the dashboard from Grafana: Dashboard settings → JSON Model")]);
    };
    if !model.contains_key("panels") && !model.contains_key("rows") {
        return Err(vec![dashboard_error(
            file,
            1,
            "the JSON is not a Grafana dashboard: it has no `panels`",
        )
        .hint("export the dashboard from Grafana: Dashboard settings → JSON Model")]);
    }
    let version = model.get("schemaVersion").and_then(Value::as_u64);
    match version {
        Some(v) if v >= MIN_SCHEMA_VERSION => {}
        other => {
            let what = match other {
                Some(v) => format!("schema version {v}"),
                None => "no schemaVersion".to_string(),
            };
            return Err(vec![dashboard_error(
                file,
                key_line(json_text, "schemaVersion"),
                format!("the Grafana dashboard has {what}; Kiln imports version {MIN_SCHEMA_VERSION} (Grafana 8) and newer"),
            )
            .hint("open it in Grafana 8 or newer and save it (Grafana migrates the JSON model as it loads it), then export that file again")]);
        }
    }
    let mut converter = Converter::new(model);
    let dashboard = converter.dashboard(model);
    let mut notes: Vec<String> = converter
        .datasources
        .iter()
        .map(|(name, kind)| match kind.is_empty() {
            true => format!("datasource '{name}' → the project's target"),
            false => format!("datasource '{name}' ({kind}) → the project's target"),
        })
        .collect();
    notes.dedup();
    let source = file
        .file_name()
        .map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
    let yaml = write_yaml(
        &dashboard,
        &source,
        version.unwrap_or_default(),
        &converter.skipped,
        &notes,
    );
    Ok(Imported {
        dashboard,
        yaml,
        not_converted: converter.skipped,
        notes,
    })
}

/// `Sales & Commission (2008)` → `sales_commission_2008`: a dashboard file's stem.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "grafana_dashboard".into()
    } else {
        out
    }
}

/// Writes an imported dashboard's YAML as `<dir>/<stem>.yml`, refusing to replace an existing
/// file unless `overwrite`. `shown` is how errors name the folder (relative to the project).
pub fn write_imported(
    dir: &Path,
    shown: &Path,
    stem: &str,
    yaml: &str,
    overwrite: bool,
) -> Result<PathBuf, Diagnostic> {
    let stem = stem.trim().trim_end_matches(".yml").trim_end_matches(".yaml");
    if stem.is_empty() || stem.starts_with('.') || stem.contains(['/', '\\']) {
        return Err(
            Diagnostic::error(Code::Dashboard, format!("'{stem}' cannot name a dashboard file"))
                .hint("give a plain file name without folders, e.g. sales_overview"),
        );
    }
    let name = format!("{stem}.yml");
    let path = dir.join(&name);
    let relative = shown.join(&name);
    if path.exists() && !overwrite {
        return Err(
            Diagnostic::error(Code::Dashboard, format!("{} already exists", relative.display()))
                .at(Location::file(&relative))
                .hint("import under another name (--name), or replace the file (--force)"),
        );
    }
    let io = |error: std::io::Error| {
        Diagnostic::error(Code::Io, format!("cannot write {}: {error}", relative.display()))
            .at(Location::file(&relative))
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    std::fs::write(&path, yaml).map_err(io)?;
    Ok(path)
}

struct Converter {
    /// Everything left out, in the order met.
    skipped: Vec<String>,
    /// Distinct datasources (name, plugin type), in the order met.
    datasources: Vec<(String, String)>,
    /// `__inputs` of a dashboard exported for sharing: `${DS_X}` → (label, plugin).
    inputs: Vec<(String, String, String)>,
}

fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn int_of(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f.round() as i64)),
        Value::String(s) => s.trim().trim_end_matches("px").parse().ok(),
        _ => None,
    }
}

/// Nothing to say: absent, null, false, 0, empty.
fn falsy(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty() || o.values().all(falsy),
    }
}

/// Whether `value` says no more than Grafana's `default` (extra keys only when empty or false).
fn at_default(value: &Value, default: &Value) -> bool {
    match (value, default) {
        (Value::Object(v), Value::Object(d)) => v.iter().all(|(k, x)| match d.get(k) {
            Some(dx) => at_default(x, dx),
            None => falsy(x),
        }),
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        _ => value == default,
    }
}

/// Grafana's default of a panel option (`options.<key>`), as new panels save it.
fn option_default(kind: &str, key: &str) -> Option<Value> {
    Some(match (kind, key) {
        ("geomap", "tooltip") => json!({"mode": "details"}),
        ("geomap", "view") => json!({"id": "zero", "lat": 0, "lon": 0, "zoom": 1, "allLayers": true}),
        ("geomap", "controls") => json!({"showZoom": true, "mouseWheelZoom": true, "showAttribution": true}),
        (_, "tooltip") => json!({"mode": "single", "sort": "none"}),
        (_, "legend") => {
            json!({"showLegend": true, "displayMode": "list", "placement": "bottom", "calcs": [], "values": []})
        }
        (_, "orientation") => json!("auto"),
        (_, "textMode") | (_, "justifyMode") | (_, "showValue") | (_, "sizing") => json!("auto"),
        (_, "colorMode") => json!("value"),
        (_, "wideLayout") | (_, "showHeader") | (_, "showThresholdMarkers") => json!(true),
        (_, "showPercentChange") | (_, "showThresholdLabels") | (_, "fullHighlight") => json!(false),
        (_, "percentChangeColorMode") => json!("standard"),
        (_, "text") => json!({}),
        (_, "minVizWidth") | (_, "minVizHeight") => json!(75),
        (_, "barWidth") => json!(0.97),
        (_, "groupWidth") => json!(0.7),
        (_, "barRadius") | (_, "xTickLabelRotation") | (_, "xTickLabelSpacing") | (_, "frameIndex") => json!(0),
        (_, "cellHeight") => json!("sm"),
        (_, "footer") => {
            json!({"show": false, "reducer": ["sum"], "countRows": false, "fields": "", "enablePagination": false})
        }
        (_, "displayLabels") | (_, "sortBy") => json!([]),
        _ => return None,
    })
}

/// Grafana's default of `fieldConfig.defaults.custom.<key>`.
fn custom_default(kind: &str, key: &str) -> Option<Value> {
    Some(match (kind, key) {
        ("barchart", "fillOpacity") => json!(80),
        (_, "lineWidth") => json!(1),
        (_, "lineInterpolation") => json!("linear"),
        (_, "showPoints") | (_, "axisPlacement") | (_, "align") => json!("auto"),
        (_, "pointSize") => json!(5),
        (_, "spanNulls") | (_, "axisBorderShow") | (_, "axisCenteredZero") | (_, "insertNulls") | (_, "inspect") => {
            json!(false)
        }
        (_, "axisLabel") => json!(""),
        (_, "axisColorMode") => json!("text"),
        (_, "scaleDistribution") => json!({"type": "linear"}),
        (_, "barAlignment") => json!(0),
        (_, "barWidthFactor") => json!(0.6),
        (_, "gradientMode") => json!("none"),
        (_, "hideFrom") => json!({"legend": false, "tooltip": false, "viz": false}),
        (_, "thresholdsStyle") => json!({"mode": "off"}),
        (_, "lineStyle") => json!({"fill": "solid"}),
        (_, "cellOptions") => json!({"type": "auto"}),
        _ => return None,
    })
}

/// Grafana's reduction of a stat, gauge or pie (`reduceOptions.calcs`) as a Kiln aggregation.
fn reduction(calc: &str) -> Option<Aggregation> {
    Some(match calc {
        "lastNotNull" | "last" => Aggregation::Last,
        "mean" => Aggregation::Avg,
        "sum" => Aggregation::Sum,
        "max" => Aggregation::Max,
        "min" => Aggregation::Min,
        "count" => Aggregation::Count,
        "distinctCount" => Aggregation::CountDistinct,
        "median" => Aggregation::Median,
        _ => return None,
    })
}

impl Converter {
    fn new(model: &Map<String, Value>) -> Self {
        let inputs = model
            .get("__inputs")
            .and_then(Value::as_array)
            .map(|inputs| {
                inputs
                    .iter()
                    .filter(|i| i.get("type").and_then(Value::as_str) == Some("datasource"))
                    .map(|i| {
                        (
                            format!("${{{}}}", text_of(i.get("name"))),
                            text_of(i.get("label")),
                            text_of(i.get("pluginId")),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Converter {
            skipped: Vec::new(),
            datasources: Vec::new(),
            inputs,
        }
    }

    fn skip(&mut self, what: impl Into<String>) {
        let what: String = what.into();
        let what = what.replace(['\n', '\r'], " ");
        if !self.skipped.contains(&what) {
            self.skipped.push(what);
        }
    }

    /// Records a datasource reference (a name, `{type, uid}`, or an export's `${DS_X}`).
    fn datasource(&mut self, value: Option<&Value>) {
        let (name, kind) = match value {
            Some(Value::String(name)) => (name.clone(), String::new()),
            Some(Value::Object(o)) => {
                let name = [o.get("uid"), o.get("name")]
                    .into_iter()
                    .map(text_of)
                    .find(|n| !n.is_empty())
                    .unwrap_or_default();
                (name, text_of(o.get("type")))
            }
            _ => return,
        };
        if name.is_empty() {
            return;
        }
        let (name, kind) = match self.inputs.iter().find(|(key, ..)| *key == name) {
            Some((_, label, plugin)) if !label.is_empty() => (label.clone(), plugin.clone()),
            _ => (name, kind),
        };
        if !self.datasources.iter().any(|(n, _)| *n == name) {
            self.datasources.push((name, kind));
        }
    }

    fn dashboard(&mut self, model: &Map<String, Value>) -> Dashboard {
        let title = match text_of(model.get("title")) {
            t if t.trim().is_empty() => "Imported Grafana dashboard".to_string(),
            t => t,
        };
        let variables = self.variables(model);
        let panels = self.panels(model);
        let dashboard = Dashboard {
            title,
            description: text_of(model.get("description")),
            refresh: self.refresh(model.get("refresh")),
            exposure: None,
            time: self.time(model.get("time")),
            variables,
            panels,
        };
        self.dashboard_settings(model);
        dashboard
    }

    /// Top-level settings with no Kiln equivalent.
    fn dashboard_settings(&mut self, model: &Map<String, Value>) {
        if let Some(list) = model
            .get("annotations")
            .and_then(|a| a.get("list"))
            .and_then(Value::as_array)
        {
            for annotation in list {
                // Grafana adds its built-in "Annotations & Alerts" to every dashboard.
                if int_of(annotation.get("builtIn")) == Some(1) {
                    continue;
                }
                let name = text_of(annotation.get("name"));
                self.skip(format!("annotation '{name}' (Kiln has no annotations)"));
            }
        }
        if let Some(links) = model.get("links").and_then(Value::as_array) {
            for link in links {
                let name = [link.get("title"), link.get("url"), link.get("tags")]
                    .into_iter()
                    .map(text_of)
                    .find(|t| !t.is_empty())
                    .unwrap_or_else(|| "link".into());
                self.skip(format!("dashboard link '{name}'"));
            }
        }
        if int_of(model.get("graphTooltip")).unwrap_or(0) != 0 {
            self.skip("shared crosshair/tooltip (graphTooltip)");
        }
        if let Some(tags) = model.get("tags").filter(|t| !falsy(t)) {
            self.skip(format!("tags {tags}"));
        }
        if let Some(delay) = model
            .get("timepicker")
            .and_then(|t| t.get("nowDelay"))
            .filter(|d| !falsy(d))
        {
            self.skip(format!("time picker delay (nowDelay {delay})"));
        }
        let zone = text_of(model.get("timezone"));
        if !matches!(zone.as_str(), "" | "browser" | "utc") {
            self.skip(format!("time zone '{zone}' (Kiln's time ranges are in UTC)"));
        }
    }

    fn refresh(&mut self, value: Option<&Value>) -> Option<String> {
        let text = text_of(value);
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if refresh_seconds(Some(text)).is_ok() {
            return Some(text.to_string());
        }
        match duration_seconds(text) {
            Some(seconds) if seconds >= 1.0 => {
                let written = if seconds % 3_600.0 == 0.0 {
                    format!("{}h", seconds / 3_600.0)
                } else if seconds % 60.0 == 0.0 {
                    format!("{}m", seconds / 60.0)
                } else {
                    format!("{}s", seconds.round())
                };
                Some(written)
            }
            _ => {
                self.skip(format!(
                    "refresh '{text}' (Kiln refreshes at most once a second; the dashboard does not refresh)"
                ));
                None
            }
        }
    }

    /// One end of Grafana's time range as Kiln writes it: `now-6h`, or an RFC 3339 time.
    fn time_end(&mut self, value: Option<&Value>) -> Option<String> {
        let text = match value? {
            // Very old models kept epoch milliseconds.
            Value::Number(n) => rfc3339(n.as_f64()? / 1_000.0),
            Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                rfc3339(s.parse::<f64>().ok()? / 1_000.0)
            }
            Value::String(s) => s.trim().to_string(),
            _ => return None,
        };
        if text.starts_with("now") {
            if resolve_time(&text, 0.0).is_ok() {
                return Some(text);
            }
            // `now/d`, `now-1d/d`: Kiln does not round to the day; the unrounded time is kept.
            let (unrounded, rounding) = text.split_once('/')?;
            if resolve_time(unrounded, 0.0).is_ok() {
                self.skip(format!(
                    "the time range's rounding '/{rounding}' in '{text}' (kept as {unrounded})"
                ));
                return Some(unrounded.to_string());
            }
            return None;
        }
        resolve_time(&text, 0.0).ok().map(rfc3339)
    }

    fn time(&mut self, value: Option<&Value>) -> Option<TimeWindow> {
        let time = value?;
        let from = self.time_end(time.get("from"));
        let to = self.time_end(time.get("to"));
        match (from, to) {
            (Some(from), Some(to)) => {
                let window = TimeWindow { from, to };
                if crate::window_range(Some(&window), 1e9).is_ok() {
                    return Some(window);
                }
                self.skip(format!(
                    "time range {time} (it does not read as a range; Kiln uses the last 6 hours)"
                ));
                None
            }
            _ => {
                self.skip(format!("time range {time} (Kiln uses the last 6 hours)"));
                None
            }
        }
    }

    fn variables(&mut self, model: &Map<String, Value>) -> Vec<Variable> {
        let list = model
            .get("templating")
            .and_then(|t| t.get("list"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        list.iter()
            .filter_map(Value::as_object)
            .filter_map(|v| self.variable(v))
            .collect()
    }

    fn variable(&mut self, v: &Map<String, Value>) -> Option<Variable> {
        let name = text_of(v.get("name"));
        let kind = text_of(v.get("type"));
        if !valid_name(&name) {
            self.skip(format!(
                "variable '{name}' ({kind}): Kiln variable names are letters, digits and _"
            ));
            return None;
        }
        let mut variable = Variable {
            name: name.clone(),
            label: text_of(v.get("label")),
            query: None,
            values: Vec::new(),
            multi: v.get("multi").and_then(Value::as_bool).unwrap_or(false),
            include_all: v.get("includeAll").and_then(Value::as_bool).unwrap_or(false),
            all_value: Some(text_of(v.get("allValue"))).filter(|a| !a.is_empty()),
            default: Vec::new(),
        };
        match kind.as_str() {
            "query" => {
                self.datasource(v.get("datasource"));
                let query = match v.get("query") {
                    Some(Value::String(q)) if !q.trim().is_empty() => q.clone(),
                    Some(Value::Object(o)) => ["rawSql", "rawSQL", "query"]
                        .into_iter()
                        .map(|k| text_of(o.get(k)))
                        .find(|q| !q.trim().is_empty())
                        .unwrap_or_else(|| text_of(v.get("definition"))),
                    _ => text_of(v.get("definition")),
                };
                if query.trim().is_empty() {
                    self.skip(format!("variable '{name}' (query): it has no SQL query"));
                    return None;
                }
                variable.query = Some(clean_sql(&query));
                if !text_of(v.get("regex")).is_empty() {
                    self.skip(format!(
                        "variable '{name}': regex {} on its choices",
                        text_of(v.get("regex"))
                    ));
                }
                if int_of(v.get("sort")).unwrap_or(0) != 0 {
                    self.skip(format!(
                        "variable '{name}': sort order {} (Kiln keeps the query's order; sort in SQL)",
                        text_of(v.get("sort"))
                    ));
                }
            }
            "custom" => {
                let from_options: Vec<String> = v
                    .get("options")
                    .and_then(Value::as_array)
                    .map(|options| {
                        options
                            .iter()
                            .map(|o| text_of(o.get("value")))
                            .filter(|value| value != ALL && !value.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                variable.values = if from_options.is_empty() {
                    custom_values(&text_of(v.get("query")))
                } else {
                    from_options
                };
                if variable.values.is_empty() {
                    self.skip(format!("variable '{name}' (custom): it has no values"));
                    return None;
                }
            }
            "constant" | "textbox" => {
                let value = match text_of(v.get("query")) {
                    q if q.is_empty() => current_values(v.get("current")).into_iter().next().unwrap_or_default(),
                    q => q,
                };
                variable.values = vec![value];
                if kind == "textbox" {
                    self.skip(format!(
                        "variable '{name}' (textbox): a drop-down with its one value (Kiln has no free-text box)"
                    ));
                }
            }
            other => {
                let why = match other {
                    "interval" => "Kiln has no interval variables; use $__interval",
                    "datasource" => "every datasource is the project's target",
                    "adhoc" => "Kiln has no ad hoc filters; click a chart to cross-filter",
                    _ => "Kiln has no such variables",
                };
                self.skip(format!("variable '{name}' ({other}): {why}"));
                return None;
            }
        }
        variable.default = current_values(v.get("current"));
        if int_of(v.get("hide")).unwrap_or(0) == 2 && kind != "constant" {
            self.skip(format!("variable '{name}': hidden in Grafana, shown in Kiln"));
        }
        Some(variable)
    }

    /// Every panel in layout order, rows unfolded: a collapsed row's panels take its place and
    /// push what follows down; rows themselves are left out (Kiln has none).
    fn panels(&mut self, model: &Map<String, Value>) -> Vec<Panel> {
        let mut placed: Vec<(Map<String, Value>, GridPos)> = Vec::new();
        if let Some(rows) = model.get("rows").and_then(Value::as_array) {
            self.legacy_rows(rows, &mut placed);
        }
        let top: Vec<&Map<String, Value>> = model
            .get("panels")
            .and_then(Value::as_array)
            .map(|p| p.iter().filter_map(Value::as_object).collect())
            .unwrap_or_default();
        let offset = placed.iter().map(|(_, g)| g.y + g.h).max().unwrap_or(0) as i64;
        let mut top = top;
        top.sort_by_key(|p| (grid_of(p).1, grid_of(p).0));
        let mut shift = offset;
        for panel in top {
            let (x, y, w, h) = grid_of(panel);
            if text_of(panel.get("type")) == "row" {
                let title = text_of(panel.get("title"));
                let children: Vec<&Map<String, Value>> = panel
                    .get("panels")
                    .and_then(Value::as_array)
                    .map(|p| p.iter().filter_map(Value::as_object).collect())
                    .unwrap_or_default();
                let collapsed = panel.get("collapsed").and_then(Value::as_bool).unwrap_or(false);
                if collapsed && !children.is_empty() {
                    let top_y = children.iter().map(|c| grid_of(c).1).min().unwrap_or(0);
                    let bottom = children.iter().map(|c| grid_of(c).1 + grid_of(c).3).max().unwrap_or(0);
                    let mut children = children;
                    children.sort_by_key(|p| (grid_of(p).1, grid_of(p).0));
                    for child in children {
                        let (cx, cy, cw, ch) = grid_of(child);
                        placed.push((child.clone(), grid(cx, cy - top_y + y + shift, cw, ch)));
                    }
                    shift += bottom - top_y - h.max(1);
                    self.skip(format!(
                        "row '{title}' (collapsed): Kiln has no rows; its panels are shown where the row was"
                    ));
                } else {
                    shift -= h.max(1);
                    self.skip(format!("row '{title}': Kiln has no rows; its panels are kept in place"));
                }
                continue;
            }
            placed.push((panel.clone(), grid(x, y + shift, w, h)));
        }
        let mut panels = Vec::new();
        for (n, (panel, grid)) in placed.iter().enumerate() {
            if let Some(panel) = self.panel(panel, *grid, n + 1) {
                panels.push(panel);
            }
        }
        panels
    }

    /// Legacy `rows: [{height, panels: [{span}]}]` (12 spans across, heights in pixels).
    fn legacy_rows(&mut self, rows: &[Value], placed: &mut Vec<(Map<String, Value>, GridPos)>) {
        let mut y = 0i64;
        for row in rows.iter().filter_map(Value::as_object) {
            // Grafana's own migration: 30 px cells.
            let height = int_of(row.get("height")).unwrap_or(250);
            let h = ((height as f64) / 30.0).ceil().max(1.0) as i64;
            let title = text_of(row.get("title"));
            if !title.is_empty() && row.get("showTitle").and_then(Value::as_bool).unwrap_or(false) {
                self.skip(format!("row '{title}': Kiln has no rows; its panels are kept in place"));
            }
            let mut x = 0i64;
            for panel in row
                .get("panels")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
            {
                let w = (int_of(panel.get("span")).unwrap_or(12) * 2).clamp(1, GRID_COLUMNS as i64);
                if x + w > GRID_COLUMNS as i64 {
                    x = 0;
                    y += h;
                }
                placed.push((panel.clone(), grid(x, y, w, h)));
                x += w;
            }
            y += h;
        }
    }

    fn panel(&mut self, p: &Map<String, Value>, grid: GridPos, n: usize) -> Option<Panel> {
        let kind = text_of(p.get("type"));
        let title = match text_of(p.get("title")) {
            t if t.trim().is_empty() => format!("Panel {n}"),
            t => t,
        };
        let chart_kind = match kind.as_str() {
            "stat" | "singlestat" => ChartKind::Stat,
            "gauge" => ChartKind::Gauge,
            "timeseries" | "graph" => ChartKind::Line,
            "barchart" => ChartKind::Bar,
            "table" | "table-old" => ChartKind::Table,
            "geomap" => ChartKind::PointMap,
            "piechart" | "grafana-piechart-panel" => ChartKind::Pie,
            other => {
                let why = match other {
                    "text" => "Kiln has no text panels; put the text in the dashboard's description",
                    "" => "it has no type",
                    _ => "Kiln has no such panel",
                };
                self.skip(format!("panel '{title}' ({kind}): {why}"));
                return None;
            }
        };
        self.datasource(p.get("datasource"));
        let mut query = None;
        // Notes about single queries matter only when the panel is kept.
        let mut query_notes = Vec::new();
        let targets: Vec<&Map<String, Value>> = p
            .get("targets")
            .and_then(Value::as_array)
            .map(|t| t.iter().filter_map(Value::as_object).collect())
            .unwrap_or_default();
        for (k, target) in targets.iter().enumerate() {
            let name = match text_of(target.get("refId")) {
                r if r.is_empty() => format!("#{}", k + 1),
                r => r,
            };
            self.datasource(target.get("datasource"));
            let sql = ["rawSql", "rawSQL"]
                .into_iter()
                .map(|key| text_of(target.get(key)))
                .find(|sql| !sql.trim().is_empty());
            let hidden = target.get("hide").and_then(Value::as_bool).unwrap_or(false);
            match (hidden, query.is_some(), sql) {
                (true, ..) => query_notes.push(format!("panel '{title}': query {name} (hidden in Grafana)")),
                (false, false, Some(sql)) => query = Some(clean_sql(&sql)),
                (false, true, _) => query_notes.push(format!(
                    "panel '{title}': query {name} (Kiln panels run one query; the first is kept)"
                )),
                (false, false, None) => query_notes.push(format!("panel '{title}': query {name} has no SQL (rawSql)")),
            }
        }
        let Some(query) = query else {
            self.skip(format!(
                "panel '{title}' ({kind}): no query with SQL (rawSql or rawSQL) to run; Kiln panels are SQL"
            ));
            return None;
        };
        for note in query_notes {
            self.skip(note);
        }
        let mut chart = ChartSpec::new(chart_kind);
        let options = p.get("options").and_then(Value::as_object).cloned().unwrap_or_default();
        let defaults = p
            .get("fieldConfig")
            .and_then(|f| f.get("defaults"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let custom = defaults
            .get("custom")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut used_options: Vec<&str> = Vec::new();
        let mut used_custom: Vec<&str> = Vec::new();
        let mut used_defaults: Vec<&str> = vec!["custom", "color", "thresholds", "mappings"];
        match kind.as_str() {
            "stat" | "singlestat" | "gauge" | "piechart" | "grafana-piechart-panel" => {
                used_options.extend(["reduceOptions", "graphMode", "pieType"]);
                chart.y = vec![self.reduce(&title, &options, chart_kind)];
                if chart_kind == ChartKind::Stat && text_of(options.get("graphMode")) == "area" {
                    self.skip(format!(
                        "panel '{title}': sparkline (graphMode area; add `x: <time column>` to its chart for a trend)"
                    ));
                }
                if chart_kind == ChartKind::Gauge {
                    chart.min = defaults.get("min").and_then(Value::as_f64);
                    chart.max = defaults.get("max").and_then(Value::as_f64);
                    used_defaults.extend(["min", "max"]);
                }
            }
            "timeseries" => {
                used_custom.extend(["drawStyle", "fillOpacity", "stacking"]);
                chart.kind = match text_of(custom.get("drawStyle")).as_str() {
                    "bars" => ChartKind::Bar,
                    "points" => ChartKind::Scatter,
                    _ if custom.get("fillOpacity").and_then(Value::as_f64).unwrap_or(0.0) > 0.0 => ChartKind::Area,
                    _ => ChartKind::Line,
                };
                let stacking = custom
                    .get("stacking")
                    .and_then(|s| s.get("mode"))
                    .map(|m| text_of(Some(m)))
                    .unwrap_or_default();
                match stacking.as_str() {
                    "normal" => chart.stacked = chart.kind != ChartKind::Scatter,
                    "percent" => {
                        chart.stacked = chart.kind != ChartKind::Scatter;
                        self.skip(format!("panel '{title}': stacking as percentages (stacked as values)"));
                    }
                    _ => {}
                }
            }
            "graph" => {
                let flag = |key: &str| p.get(key).and_then(Value::as_bool);
                chart.kind = if flag("bars") == Some(true) {
                    ChartKind::Bar
                } else if flag("points") == Some(true) && flag("lines") == Some(false) {
                    ChartKind::Scatter
                } else {
                    ChartKind::Line
                };
                chart.stacked = flag("stack") == Some(true) && chart.kind != ChartKind::Scatter;
                for key in ["seriesOverrides", "thresholds", "aliasColors"] {
                    if p.get(key).is_some_and(|v| !falsy(v)) {
                        self.skip(format!("panel '{title}': {key} (legacy graph)"));
                    }
                }
                if flag("percentage") == Some(true) {
                    self.skip(format!("panel '{title}': percentage (legacy graph)"));
                }
            }
            "barchart" => {
                used_options.extend(["orientation", "stacking", "xField"]);
                chart.horizontal = text_of(options.get("orientation")) == "horizontal";
                match text_of(options.get("stacking")).as_str() {
                    "normal" => chart.stacked = true,
                    "percent" => {
                        chart.stacked = true;
                        self.skip(format!("panel '{title}': stacking as percentages (stacked as values)"));
                    }
                    _ => {}
                }
                chart.x = Some(text_of(options.get("xField"))).filter(|x| !x.is_empty());
            }
            "geomap" => {
                used_options.extend(["layers", "basemap", "view"]);
                self.geomap(&title, &options, &mut chart);
            }
            _ => {}
        }
        // Options, field defaults and panel settings the conversion did not use.
        let option_keys: Vec<(String, Value)> = options.into_iter().collect();
        for (key, value) in option_keys {
            if used_options.contains(&key.as_str()) || falsy(&value) {
                continue;
            }
            match option_default(&kind, &key) {
                Some(default) if at_default(&value, &default) => {}
                _ => self.skip(format!("panel '{title}': option {key} {}", short(&value))),
            }
        }
        for (key, value) in &custom {
            if used_custom.contains(&key.as_str()) || falsy(value) {
                continue;
            }
            match custom_default(&kind, key) {
                Some(default) if at_default(value, &default) => {}
                _ => self.skip(format!("panel '{title}': field option {key} {}", short(value))),
            }
        }
        self.field_defaults(&title, &defaults, &used_defaults);
        self.panel_settings(&title, p);
        Some(Panel {
            title,
            description: text_of(p.get("description")),
            grid,
            query,
            chart,
        })
    }

    /// A stat's, gauge's or pie's reduction as its measure (the column comes from the result).
    fn reduce(&mut self, title: &str, options: &Map<String, Value>, kind: ChartKind) -> Measure {
        let reduce = options.get("reduceOptions").and_then(Value::as_object);
        let calc = reduce
            .and_then(|r| r.get("calcs"))
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .map(|c| text_of(Some(c)))
            .unwrap_or_else(|| "lastNotNull".into());
        let all_values = reduce
            .and_then(|r| r.get("values"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let fields = reduce.map(|r| text_of(r.get("fields"))).unwrap_or_default();
        if !fields.is_empty() {
            self.skip(format!(
                "panel '{title}': reduce fields {fields} (the first number is shown)"
            ));
        }
        if let Some(extra) = reduce
            .and_then(|r| r.get("calcs"))
            .and_then(Value::as_array)
            .filter(|c| c.len() > 1)
        {
            self.skip(format!(
                "panel '{title}': calculations after the first ({})",
                short(&Value::Array(extra[1..].to_vec()))
            ));
        }
        let aggregation = if all_values {
            // Every row its own value: a pie's rows are its slices (summed per category); a stat
            // shows one number.
            if kind != ChartKind::Pie {
                self.skip(format!("panel '{title}': all values (Kiln shows one value: the last)"));
                Aggregation::Last
            } else {
                Aggregation::Sum
            }
        } else {
            match reduction(&calc) {
                Some(aggregation) => aggregation,
                None => {
                    self.skip(format!("panel '{title}': calculation {calc} (shown as the last value)"));
                    Aggregation::Last
                }
            }
        };
        Measure {
            column: None,
            aggregation,
        }
    }

    fn geomap(&mut self, title: &str, options: &Map<String, Value>, chart: &mut ChartSpec) {
        let layers: Vec<&Map<String, Value>> = options
            .get("layers")
            .and_then(Value::as_array)
            .map(|l| l.iter().filter_map(Value::as_object).collect())
            .unwrap_or_default();
        let mut markers = None;
        for layer in layers {
            let kind = text_of(layer.get("type"));
            let name = match text_of(layer.get("name")) {
                n if n.is_empty() => kind.clone(),
                n => n,
            };
            if kind == "markers" && markers.is_none() {
                markers = Some(layer);
            } else {
                self.skip(format!(
                    "panel '{title}': map layer '{name}' ({kind}; Kiln draws one layer of markers)"
                ));
            }
        }
        if let Some(layer) = markers {
            let location = layer.get("location").and_then(Value::as_object);
            let mode = location.map(|l| text_of(l.get("mode"))).unwrap_or_default();
            match mode.as_str() {
                "coords" => {
                    chart.latitude = location.map(|l| text_of(l.get("latitude"))).filter(|c| !c.is_empty());
                    chart.longitude = location.map(|l| text_of(l.get("longitude"))).filter(|c| !c.is_empty());
                }
                "" | "auto" => {}
                other => self.skip(format!(
                    "panel '{title}': marker location by {other} (Kiln needs latitude and longitude columns)"
                )),
            }
            let style = layer
                .get("config")
                .and_then(|c| c.get("style"))
                .and_then(Value::as_object);
            let field = |key: &str| {
                style
                    .and_then(|s| s.get(key))
                    .and_then(|v| v.get("field"))
                    .map(|f| text_of(Some(f)))
                    .filter(|f| !f.is_empty())
            };
            let measure = |column: String| Measure {
                column: Some(column),
                aggregation: Aggregation::None,
            };
            chart.size = field("size").map(measure);
            chart.color = field("color").map(measure);
            chart.label = field("text");
        }
        if let Some(basemap) = options.get("basemap").and_then(Value::as_object) {
            let kind = text_of(basemap.get("type"));
            let url = basemap
                .get("config")
                .and_then(|c| c.get("url"))
                .map(|u| text_of(Some(u)))
                .unwrap_or_default();
            if kind == "xyz" && !url.is_empty() {
                chart.tiles = Some(url);
            } else if !matches!(kind.as_str(), "" | "default" | "osm-standard") {
                self.skip(format!(
                    "panel '{title}': base map {kind} (Kiln draws offline outlines)"
                ));
            }
        }
        if let Some(view) = options.get("view") {
            let id = text_of(view.get("id"));
            if !matches!(id.as_str(), "" | "zero" | "fit") {
                self.skip(format!(
                    "panel '{title}': map view '{id}' (Kiln fits the map to its markers)"
                ));
            }
        }
    }

    /// `fieldConfig.defaults` and overrides: units, thresholds, mappings … Kiln does not apply.
    fn field_defaults(&mut self, title: &str, defaults: &Map<String, Value>, used: &[&str]) {
        let default_thresholds =
            json!({"mode": "absolute", "steps": [{"color": "green", "value": null}, {"color": "red", "value": 80}]});
        if let Some(thresholds) = defaults.get("thresholds") {
            if !at_default(thresholds, &default_thresholds) && !falsy(thresholds) {
                let steps: Vec<String> = thresholds
                    .get("steps")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|step| match step.get("value").filter(|v| !v.is_null()) {
                        Some(value) => format!("{} from {value}", text_of(step.get("color"))),
                        None => text_of(step.get("color")),
                    })
                    .collect();
                self.skip(format!("panel '{title}': thresholds ({})", steps.join(", ")));
            }
        }
        if let Some(mappings) = defaults.get("mappings").filter(|m| !falsy(m)) {
            self.skip(format!("panel '{title}': value mappings {}", short(mappings)));
        }
        if let Some(color) = defaults.get("color") {
            let mode = text_of(color.get("mode"));
            if !matches!(mode.as_str(), "" | "palette-classic" | "thresholds") {
                self.skip(format!("panel '{title}': colour scheme {}", short(color)));
            }
        }
        for (key, value) in defaults {
            if used.contains(&key.as_str())
                || falsy(value)
                || (key == "unit" && matches!(value.as_str(), Some("short" | "none")))
            {
                continue;
            }
            self.skip(format!("panel '{title}': {key} {}", short(value)));
        }
    }

    /// Panel-level settings: transformations, links, alerts, repeats, relative times …
    fn panel_settings(&mut self, title: &str, p: &Map<String, Value>) {
        const HANDLED: &[&str] = &[
            "id",
            "type",
            "title",
            "description",
            "gridPos",
            "datasource",
            "targets",
            "fieldConfig",
            "options",
            "pluginVersion",
            "transparent",
            "hideTimeOverride",
            "repeatDirection",
            "maxPerRow",
            "cacheTimeout",
            "queryCachingTTL",
            "span",
            "height",
            "editable",
            "error",
            "isNew",
            "collapsed",
            "panels",
            // The legacy graph's display settings (read or reported above).
            "bars",
            "lines",
            "points",
            "stack",
            "fill",
            "aliasColors",
            "dashLength",
            "dashes",
            "fillGradient",
            "hiddenSeries",
            "legend",
            "linewidth",
            "nullPointMode",
            "pointradius",
            "renderer",
            "spaceLength",
            "steppedLine",
            "timeRegions",
            "tooltip",
            "xaxis",
            "yaxes",
            "yaxis",
            "seriesOverrides",
            "thresholds",
            "percentage",
            "format",
            "valueName",
        ];
        if let Some(overrides) = p
            .get("fieldConfig")
            .and_then(|f| f.get("overrides"))
            .and_then(Value::as_array)
            .filter(|o| !o.is_empty())
        {
            let matchers: Vec<String> = overrides
                .iter()
                .map(|o| {
                    let matcher = o.get("matcher");
                    format!(
                        "{} '{}'",
                        text_of(matcher.and_then(|m| m.get("id"))),
                        text_of(matcher.and_then(|m| m.get("options")))
                    )
                })
                .collect();
            self.skip(format!("panel '{title}': field overrides ({})", matchers.join(", ")));
        }
        if let Some(transformations) = p.get("transformations").and_then(Value::as_array) {
            for t in transformations {
                if t.get("disabled").and_then(Value::as_bool) == Some(true) {
                    continue;
                }
                self.skip(format!(
                    "panel '{title}': transformation '{}' (do it in the panel's SQL)",
                    text_of(t.get("id"))
                ));
            }
        }
        for (key, value) in p {
            if HANDLED.contains(&key.as_str()) || key == "transformations" || falsy(value) {
                continue;
            }
            let what = match key.as_str() {
                "links" => format!("links {}", short(value)),
                "alert" => "alert rule (Kiln has no alerting)".to_string(),
                "repeat" => format!("repeat per value of ${} (one panel is kept)", text_of(Some(value))),
                "timeFrom" | "timeShift" => format!("its own time range ({key} {})", text_of(Some(value))),
                "interval" => format!("min interval {}", text_of(Some(value))),
                "maxDataPoints" => format!("max data points {value}"),
                "libraryPanel" => format!("library panel link {}", short(value)),
                _ => format!("setting {key} {}", short(value)),
            };
            self.skip(format!("panel '{title}': {what}"));
        }
    }
}

/// A JSON value shortened for a one-line note.
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= 60 {
        text
    } else {
        format!("{}…", text.chars().take(57).collect::<String>())
    }
}

fn grid(x: i64, y: i64, w: i64, h: i64) -> GridPos {
    let columns = GRID_COLUMNS as i64;
    let w = w.clamp(1, columns);
    let x = x.clamp(0, columns - w);
    GridPos {
        x: x as u32,
        y: y.max(0) as u32,
        w: w as u32,
        h: h.max(1) as u32,
    }
}

/// A panel's `gridPos` as (x, y, w, h), Grafana's defaults for missing parts.
fn grid_of(panel: &Map<String, Value>) -> (i64, i64, i64, i64) {
    let at = |key: &str, default: i64| int_of(panel.get("gridPos").and_then(|g| g.get(key))).unwrap_or(default);
    (at("x", 0), at("y", 0), at("w", 12), at("h", 8))
}

/// SQL as it will be written: Unix line ends, no trailing blanks on lines, no blank edges, and
/// a final newline when it has several lines (as a YAML `|` block reads back).
fn clean_sql(sql: &str) -> String {
    let lines: Vec<&str> = sql.lines().map(str::trim_end).collect();
    let text = lines.join("\n").trim_matches('\n').to_string();
    if text.contains('\n') {
        format!("{text}\n")
    } else {
        text
    }
}

/// A custom variable's `query`: `a, b, c` (commas escaped as `\,`), each `text : value` → value.
fn custom_values(query: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut current = String::new();
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                current.push(',');
                chars.next();
            }
            ',' => values.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    values.push(current);
    values
        .into_iter()
        .map(|v| match v.split_once(" : ") {
            Some((_, value)) => value.trim().to_string(),
            None => v.trim().to_string(),
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// A variable's `current.value` (one or a list) as Kiln's default.
fn current_values(current: Option<&Value>) -> Vec<String> {
    match current.and_then(|c| c.get("value")) {
        Some(Value::Array(values)) => values
            .iter()
            .map(|v| text_of(Some(v)))
            .filter(|v| !v.is_empty())
            .collect(),
        Some(value) => Some(text_of(Some(value)))
            .filter(|v| !v.is_empty())
            .into_iter()
            .collect(),
        None => Vec::new(),
    }
}

// ---- YAML, written by hand to read like a dashboard written by a person ----

const KEYWORDS: &[&str] = &["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"];

/// A scalar as YAML: plain when it is unambiguous text, else single-quoted, else (control
/// characters) double-quoted with JSON's escapes, which YAML reads alike.
fn scalar(text: &str) -> String {
    let plain = text
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ' ' | '.' | '$' | '/' | '-' | '(' | ')' | '&'))
        && !text.ends_with(' ')
        && !KEYWORDS.contains(&text.to_ascii_lowercase().as_str());
    // `5s`, `1m`: durations read as text in YAML, as the sample dashboards write them.
    let duration = text.len() > 1
        && text.trim_end_matches(|c: char| c.is_ascii_alphabetic()).len() < text.len()
        && text
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .bytes()
            .all(|b| b.is_ascii_digit())
        && !text.trim_end_matches(|c: char| c.is_ascii_alphabetic()).is_empty()
        && !text.contains(['e', 'E']);
    if plain || duration {
        text.to_string()
    } else if text.chars().any(char::is_control) {
        serde_json::to_string(text).unwrap_or_default()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

/// A JSON value in YAML's flow style: `{ column: price_paid, aggregation: sum }`.
fn flow(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        // Whole numbers without `.0`: `max: 1500` (it reads back as the same f64).
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => n.to_string(),
        },
        Value::String(s) => scalar(s),
        Value::Array(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .filter(|(_, v)| !is_default(v))
                .map(|(k, v)| format!("{}: {}", scalar(k), flow(v)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
    }
}

/// Fields whose absence reads back the same (false flags, empty lists).
fn is_default(value: &Value) -> bool {
    matches!(value, Value::Bool(false) | Value::Null) || value.as_array().is_some_and(Vec::is_empty)
}

/// `key: value` at `indent`, a multi-line string as a literal block (or, when a block would not
/// read back the same — blanks at line ends, several final newlines —, double-quoted).
fn field(out: &mut String, indent: usize, key: &str, text: &str) {
    let pad = " ".repeat(indent);
    let block = text.contains('\n')
        && !text.starts_with('\n')
        && !text.ends_with("\n\n")
        && !text.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
        && text.split('\n').all(|line| !line.ends_with([' ', '\t']));
    if !block {
        out.push_str(&format!("{pad}{key}: {}\n", scalar(text)));
        return;
    }
    // `|` keeps one final newline, `|-` none; an indentation indicator when the text starts
    // with spaces (YAML would take them for the block's indentation).
    let chomp = if text.ends_with('\n') { "" } else { "-" };
    let indicator = if text.starts_with(' ') { "2" } else { "" };
    out.push_str(&format!("{pad}{key}: |{indicator}{chomp}\n"));
    for line in text.trim_end_matches('\n').split('\n') {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!("{pad}  {line}\n"));
        }
    }
}

fn write_yaml(dashboard: &Dashboard, source: &str, version: u64, skipped: &[String], notes: &[String]) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "# Imported from {source} (Grafana schema {version}) by `kiln dashboard import`.\n"
    ));
    out.push_str("# Panels keep their SQL, Grafana macros and variables; each chart names no columns, so Kiln\n");
    out.push_str("# picks them from the query's result as Grafana does (add `x:`, `y:` … to choose).\n");
    for note in notes {
        out.push_str(&format!("# {note}\n"));
    }
    if skipped.is_empty() {
        out.push_str("# Everything was converted.\n");
    } else {
        out.push_str("# Not converted:\n");
        for item in skipped {
            out.push_str(&format!("#   - {item}\n"));
        }
    }
    field(&mut out, 0, "title", &dashboard.title);
    if !dashboard.description.is_empty() {
        field(&mut out, 0, "description", &dashboard.description);
    }
    if let Some(refresh) = &dashboard.refresh {
        field(&mut out, 0, "refresh", refresh);
    }
    if let Some(time) = &dashboard.time {
        out.push_str(&format!(
            "time: {{ from: {}, to: {} }}\n",
            scalar(&time.from),
            scalar(&time.to)
        ));
    }
    if !dashboard.variables.is_empty() {
        out.push_str("variables:\n");
        for variable in &dashboard.variables {
            out.push_str(&format!("  - name: {}\n", scalar(&variable.name)));
            if !variable.label.is_empty() {
                field(&mut out, 4, "label", &variable.label);
            }
            if let Some(query) = &variable.query {
                field(&mut out, 4, "query", query);
            }
            if !variable.values.is_empty() {
                out.push_str(&format!(
                    "    values: {}\n",
                    flow(&Value::from(variable.values.clone()))
                ));
            }
            if variable.multi {
                out.push_str("    multi: true\n");
            }
            if variable.include_all {
                out.push_str("    include_all: true\n");
            }
            if let Some(all) = &variable.all_value {
                field(&mut out, 4, "all_value", all);
            }
            if !variable.default.is_empty() {
                out.push_str(&format!(
                    "    default: {}\n",
                    flow(&Value::from(variable.default.clone()))
                ));
            }
        }
    }
    out.push_str("panels:\n");
    for (k, panel) in dashboard.panels.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&format!("  - title: {}\n", scalar(&panel.title)));
        if !panel.description.is_empty() {
            field(&mut out, 4, "description", &panel.description);
        }
        let GridPos { x, y, w, h } = panel.grid;
        out.push_str(&format!("    grid: {{ x: {x}, y: {y}, w: {w}, h: {h} }}\n"));
        field(&mut out, 4, "query", &panel.query);
        let chart = serde_json::to_value(&panel.chart).unwrap_or(Value::Null);
        let fields: Vec<(String, Value)> = chart
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(_, v)| !is_default(v))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        if fields.len() <= 1 {
            out.push_str(&format!("    chart: {}\n", flow(&chart)));
        } else {
            out.push_str("    chart:\n");
            for (key, value) in fields {
                out.push_str(&format!("      {key}: {}\n", flow(&value)));
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::parse_dashboard;

    /// What [`write_yaml`] wrote reads back as the dashboard.
    fn reads_back(imported: &Imported) -> bool {
        parse_dashboard(&imported.yaml, Path::new("imported.yml")).is_ok_and(|d| d == imported.dashboard)
    }

    const FIXTURE: &str = include_str!("../../../tests/fixtures/grafana/tickit_grafana.json");

    fn import(text: &str) -> Imported {
        import_grafana(text, Path::new("grafana.json")).unwrap()
    }

    fn panel<'a>(imported: &'a Imported, title: &str) -> &'a Panel {
        imported
            .dashboard
            .panels
            .iter()
            .find(|p| p.title == title)
            .unwrap_or_else(|| panic!("no panel {title}: {:?}", imported.dashboard.panels))
    }

    fn reduced(aggregation: Aggregation) -> Vec<Measure> {
        vec![Measure {
            column: None,
            aggregation,
        }]
    }

    #[test]
    fn converts_the_fixture_and_reads_back() {
        let imported = import(FIXTURE);
        let d = &imported.dashboard;
        assert_eq!(d.title, "TICKIT in Grafana");
        assert_eq!(d.refresh.as_deref(), Some("1m"));
        assert_eq!(
            d.time,
            Some(TimeWindow {
                from: "2008-01-01T00:00:00Z".into(),
                to: "2009-01-01T00:00:00Z".into()
            })
        );
        let parsed = parse_dashboard(&imported.yaml, Path::new("imported.yml"))
            .unwrap_or_else(|e| panic!("{e:?}\n{}", imported.yaml));
        assert_eq!(&parsed, d, "{}", imported.yaml);

        let kinds: Vec<(&str, ChartKind)> = d.panels.iter().map(|p| (p.title.as_str(), p.chart.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("Total sales", ChartKind::Stat),
                ("Average price", ChartKind::Gauge),
                ("Tickets on the last day", ChartKind::Stat),
                ("Sales over time", ChartKind::Line),
                ("Sales by category group", ChartKind::Bar),
                ("Share of categories", ChartKind::Pie),
                ("Top events", ChartKind::Table),
                ("Buyers by state", ChartKind::PointMap),
                ("Tickets per week", ChartKind::Area),
                ("Commission by month", ChartKind::Line),
                ("Buyers", ChartKind::Stat),
            ]
        );
        assert_eq!(panel(&imported, "Total sales").chart.y, reduced(Aggregation::Sum));
        assert_eq!(
            panel(&imported, "Tickets on the last day").chart.y,
            reduced(Aggregation::Last)
        );
        assert_eq!(
            panel(&imported, "Share of categories").chart.y,
            reduced(Aggregation::Sum)
        );
        let gauge = panel(&imported, "Average price");
        assert_eq!((gauge.chart.min, gauge.chart.max), (Some(0.0), Some(1500.0)));
        assert_eq!(gauge.chart.y, reduced(Aggregation::Avg));
        let map = panel(&imported, "Buyers by state");
        assert_eq!(
            (map.chart.latitude.as_deref(), map.chart.longitude.as_deref()),
            (Some("lat"), Some("lon"))
        );
        assert_eq!(map.chart.size.as_ref().and_then(|m| m.column.as_deref()), Some("sales"));
        assert!(panel(&imported, "Tickets per week").chart.stacked);
        // rawSQL (the Redshift plugin's spelling) and rawSql are both read, macros as written.
        assert!(panel(&imported, "Total sales")
            .query
            .contains("where $__timeFilter(sale_time)"));
        assert!(panel(&imported, "Sales by category group")
            .query
            .contains("cat_group in ($catgroup)"));
        assert!(panel(&imported, "Sales over time").query.ends_with("order by 1\n"));

        // Rows are unfolded: the expanded row's line is dropped, the collapsed row's panel takes
        // its place and what follows moves down by its height.
        let grid = |title: &str| panel(&imported, title).grid;
        assert_eq!(
            grid("Buyers by state"),
            GridPos {
                x: 0,
                y: 21,
                w: 12,
                h: 10
            }
        );
        assert_eq!(
            grid("Commission by month"),
            GridPos {
                x: 0,
                y: 31,
                w: 24,
                h: 8
            }
        );
        assert_eq!(
            grid("Buyers"),
            GridPos {
                x: 0,
                y: 39,
                w: 6,
                h: 4
            }
        );

        // Variables: a query one and a custom multi-select with All.
        let names: Vec<&str> = d.variables.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["catgroup", "state"]);
        assert_eq!(
            d.variables[0].query.as_deref(),
            Some("select distinct cat_group from main.fct_sales order by 1")
        );
        assert!(d.variables[0].include_all && !d.variables[0].multi);
        assert_eq!(d.variables[1].values, ["CA", "NY", "TX", "FL", "WA"]);
        assert!(d.variables[1].multi && d.variables[1].include_all);
        assert_eq!(d.variables[1].default, [ALL]);

        // What is not converted is listed by name with its panel.
        let listed = imported.not_converted.join("\n");
        for expected in [
            "panel 'Read me' (text)",
            "panel 'Top events': transformation 'organize'",
            "panel 'Top events': field overrides (byName 'sales')",
            "panel 'Sales over time': query B",
            "panel 'No SQL here' (timeseries): no query with SQL",
            "panel 'Tickets on the last day': sparkline",
            "panel 'Average price': thresholds (green, orange from 1000)",
            "panel 'Average price': unit \"currencyUSD\"",
            "panel 'Tickets per week': option legend",
            "panel 'Tickets per week': option tooltip",
            "variable 'every' (interval)",
            "row 'Details'",
            "row 'More' (collapsed)",
            "tags [\"tickit\"]",
        ] {
            assert!(listed.contains(expected), "{expected} missing from:\n{listed}");
        }
        // Options at Grafana's defaults are not noise in the list.
        for quiet in [
            "Total sales",
            "Sales by category group",
            "Share of categories",
            "Buyers by state",
        ] {
            assert!(!listed.contains(&format!("panel '{quiet}'")), "{quiet}:\n{listed}");
        }
        assert_eq!(
            imported.notes,
            [
                "datasource 'Redshift-tickit' (grafana-redshift-datasource) → the project's target",
                "datasource 'prom-main' (prometheus) → the project's target"
            ]
        );
        assert!(
            imported.yaml.contains("#   - panel 'Read me' (text)"),
            "{}",
            imported.yaml
        );
        assert!(imported
            .yaml
            .starts_with("# Imported from grafana.json (Grafana schema 39)"));
    }

    #[test]
    fn bad_input_is_a_coded_error_at_its_line() {
        let errors = import_grafana("{\n  \"title\": \"x\",\n  oops\n}", Path::new("g.json")).unwrap_err();
        assert_eq!(errors[0].code, Code::Dashboard);
        assert_eq!(errors[0].location.as_ref().and_then(|l| l.line), Some(3));

        let old = "{\n  \"title\": \"Old\",\n  \"panels\": [],\n  \"schemaVersion\": 20\n}";
        let errors = import_grafana(old, Path::new("g.json")).unwrap_err();
        assert_eq!(errors[0].code, Code::Dashboard);
        assert!(errors[0].message.contains("schema version 20"), "{}", errors[0].message);
        assert!(errors[0].hint.as_deref().unwrap_or_default().contains("save it"));
        assert_eq!(errors[0].location.as_ref().and_then(|l| l.line), Some(4));

        let missing = import_grafana("{\"panels\": []}", Path::new("g.json")).unwrap_err();
        assert!(missing[0].message.contains("no schemaVersion"));
        let not_grafana = import_grafana("[1, 2]", Path::new("g.json")).unwrap_err();
        assert_eq!(not_grafana[0].code, Code::Dashboard);
    }

    #[test]
    fn a_panel_without_sql_is_listed_and_the_rest_converts() {
        let text = r#"{"title": "T", "schemaVersion": 39, "refresh": "", "panels": [
            {"type": "timeseries", "title": "Prometheus", "gridPos": {"x": 0, "y": 0, "w": 12, "h": 8},
             "targets": [{"refId": "A", "expr": "rate(x[5m])"}]},
            {"type": "stat", "title": "Count", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 4},
             "targets": [{"refId": "A", "rawSql": "select count(*) as n from t"}]}
        ]}"#;
        let imported = import(text);
        assert_eq!(imported.dashboard.panels.len(), 1);
        assert_eq!(imported.dashboard.refresh, None);
        assert!(imported
            .not_converted
            .iter()
            .any(|s| s.starts_with("panel 'Prometheus' (timeseries): no query with SQL")));
        assert!(reads_back(&imported), "{}", imported.yaml);
    }

    #[test]
    fn legacy_rows_and_odd_values_still_read_back() {
        let text = r#"{"dashboard": {"title": "Legacy: 'rows' & more", "schemaVersion": 30, "refresh": "1d",
          "time": {"from": "now-7d/d", "to": "now"},
          "templating": {"list": [
            {"type": "custom", "name": "s", "query": "a\\,b, c : d", "includeAll": true, "allValue": ".*",
             "current": {"value": "d"}},
            {"type": "textbox", "name": "t", "query": "x: 'y'"},
            {"type": "constant", "name": "k", "query": "42", "hide": 2},
            {"type": "adhoc", "name": "f"},
            {"type": "query", "name": "bad-name", "query": "select 1"}
          ]},
          "rows": [{"title": "R", "showTitle": true, "height": "300px", "panels": [
            {"type": "graph", "title": "yes", "span": 6, "bars": true, "targets": [{"rawSql": "  select 1 as v,\r\n  'a: b' as \"time\"   \r\n"}]},
            {"type": "singlestat", "title": "", "span": 6, "targets": [{"rawSql": "select 2 # not a comment"}]}
          ]}]}}"#;
        let imported = import(text);
        let d = &imported.dashboard;
        assert_eq!(d.refresh.as_deref(), Some("24h"));
        assert_eq!(d.time.as_ref().map(|t| t.from.as_str()), Some("now-7d"));
        assert!(imported.not_converted.iter().any(|s| s.contains("rounding '/d'")));
        assert_eq!(d.panels.len(), 2);
        assert_eq!(
            d.panels[0].grid,
            GridPos {
                x: 0,
                y: 0,
                w: 12,
                h: 10
            }
        );
        assert_eq!(
            d.panels[1].grid,
            GridPos {
                x: 12,
                y: 0,
                w: 12,
                h: 10
            }
        );
        assert_eq!(d.panels[0].chart.kind, ChartKind::Bar);
        assert_eq!(d.panels[1].title, "Panel 2");
        let variables: Vec<(&str, &[String])> = d
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v.values.as_slice()))
            .collect();
        assert_eq!(
            variables,
            [
                ("s", &["a,b".to_string(), "d".to_string()][..]),
                ("t", &["x: 'y'".to_string()][..]),
                ("k", &["42".to_string()][..])
            ]
        );
        assert_eq!(d.variables[0].all_value.as_deref(), Some(".*"));
        assert_eq!(d.variables[0].default, ["d"]);
        let listed = imported.not_converted.join("\n");
        for expected in [
            "variable 't' (textbox)",
            "variable 'f' (adhoc)",
            "variable 'bad-name' (query)",
        ] {
            assert!(listed.contains(expected), "{expected} missing from:\n{listed}");
        }
        assert!(reads_back(&imported), "{}", imported.yaml);
    }

    #[test]
    fn file_names_and_overwrites() {
        assert_eq!(slug("TICKIT sales: 2008 (Grafana)"), "tickit_sales_2008_grafana");
        assert_eq!(slug("¿?"), "grafana_dashboard");
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("dashboards");
        let path = write_imported(&folder, Path::new("dashboards"), "x", "title: x\n", false).unwrap();
        assert!(path.ends_with("dashboards/x.yml"));
        let refused = write_imported(&folder, Path::new("dashboards"), "x", "title: y\n", false).unwrap_err();
        assert_eq!(refused.code, Code::Dashboard);
        assert!(
            refused.message.contains("dashboards/x.yml already exists"),
            "{}",
            refused.message
        );
        write_imported(&folder, Path::new("dashboards"), "x.yml", "title: y\n", true).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "title: y\n");
        assert!(write_imported(&folder, Path::new("dashboards"), "../x", "", true).is_err());
    }
}
