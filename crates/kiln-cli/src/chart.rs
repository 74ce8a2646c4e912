//! `kiln chart`: a dashboard's panels (or one) drawn headless to PNG or SVG for CI reports and
//! docs, and the dashboards section of `kiln docs generate`. A panel's data comes the studio's
//! way: variables and Grafana macros (`kiln_dash::panel_sql`), Jinja and the dialect (as
//! `kiln show` compiles inline SQL), then `kiln_dash::panel_chart` in the warehouse; the image is
//! `kiln_dash::render`'s.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use kiln_compile::{CompileState, Manifest};
use kiln_dash::render::{self, DashboardPanel, Format};
use kiln_dash::{ChartData, Dashboard, RegionSet, Selection, TimeWindow, Variable};
use kiln_diagnostics::{Code, Diagnostic, Diagnostics, Location};
use kiln_project::{DashboardFile, Project};
use kiln_warehouse::Adapter;

use crate::{commands, output, Global};

/// Points per series a drawn panel asks for (the studio's default).
const POINTS: usize = 2_000;
/// A whole dashboard's image width when none is given: the studio's grid at 50 px a column.
const DASHBOARD_WIDTH: u32 = 1_200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ImageFormat {
    Png,
    Svg,
}

impl From<ImageFormat> for Format {
    fn from(value: ImageFormat) -> Format {
        match value {
            ImageFormat::Png => Format::Png,
            ImageFormat::Svg => Format::Svg,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Layout {
    /// One image per panel, named after its title.
    Panels,
    /// One image of the whole dashboard on its 24-column grid.
    Dashboard,
}

#[derive(Args, Clone, Debug)]
pub struct ChartArgs {
    /// The dashboard: its file (dashboards/sales.yml), its name (the file name without .yml)
    /// or its title.
    pub dashboard: String,
    /// Only this panel: its title or its 1-based position.
    #[arg(long)]
    pub panel: Option<String>,
    /// Image format (default: from --out's extension, else png).
    #[arg(long, value_enum)]
    pub format: Option<ImageFormat>,
    /// A folder to write the images into (created), or a file name when one image is drawn
    /// (default: <target-path>/charts/<dashboard name>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Image width in px (default: the panel's grid width at 50 px a column; 1200 for a whole
    /// dashboard).
    #[arg(long)]
    pub width: Option<u32>,
    /// Image height in px (default: the panel's grid height at 36 px a row).
    #[arg(long)]
    pub height: Option<u32>,
    /// Start of the time range Grafana macros expand against (now-7d, 2024-05-01T00:00:00Z);
    /// default: the dashboard's.
    #[arg(long)]
    pub from: Option<String>,
    /// End of the time range (default: the dashboard's, else now).
    #[arg(long)]
    pub to: Option<String>,
    /// A variable's selection as name=value (a multi-select's values comma-separated, `All` for
    /// every choice); repeat for several variables.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub var: Vec<String>,
    /// panels: one image per panel; dashboard: one image of the whole grid.
    #[arg(long, value_enum, default_value = "panels")]
    pub layout: Layout,
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or_default()
}

/// `title` as a file name: lower-case letters and digits, words joined by `-`.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The dashboard `wanted` names: a file path, a file name without extension, or a title.
fn find_dashboard<'a>(project: &'a Project, wanted: &str) -> Result<&'a DashboardFile, Diagnostic> {
    let as_path = Path::new(wanted);
    let same_file = |d: &DashboardFile| {
        let ours = project.root.join(&d.path);
        [as_path.to_path_buf(), project.root.join(as_path)]
            .iter()
            .any(|p| p.is_file() && p.canonicalize().ok() == ours.canonicalize().ok())
    };
    let title = |d: &DashboardFile| {
        kiln_dash::parse_dashboard(&d.text, &d.path)
            .ok()
            .is_some_and(|parsed| parsed.title.eq_ignore_ascii_case(wanted.trim()))
    };
    let dashboards = &project.dashboards;
    if let Some(found) = dashboards
        .iter()
        .find(|d| same_file(d))
        .or_else(|| dashboards.iter().find(|d| d.name == wanted))
        .or_else(|| dashboards.iter().find(|d| title(d)))
    {
        return Ok(found);
    }
    let known: Vec<String> = dashboards.iter().map(|d| d.name.clone()).collect();
    let folder = project
        .config
        .dashboard_paths
        .first()
        .cloned()
        .unwrap_or_else(|| "dashboards".into());
    Err(
        Diagnostic::error(Code::Dashboard, format!("no dashboard '{wanted}' in this project"))
            .at(Location::file(folder))
            .hint(if known.is_empty() {
                "the project has no dashboards: add a dashboards/<name>.yml".to_string()
            } else {
                format!("name one of: {}", known.join(", "))
            }),
    )
}

/// The line of the `panels:` key, for errors about a panel the file does not have.
fn panels_line(text: &str) -> usize {
    text.lines().position(|l| l.starts_with("panels:")).map_or(1, |k| k + 1)
}

/// The 0-based positions of the panels `wanted` picks (all of them without one).
fn pick_panels(file: &DashboardFile, dashboard: &Dashboard, wanted: Option<&str>) -> Result<Vec<usize>, Diagnostic> {
    let Some(wanted) = wanted else {
        return Ok((0..dashboard.panels.len()).collect());
    };
    let by_number = wanted
        .trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=dashboard.panels.len()).contains(n))
        .map(|n| n - 1);
    let by_title = || {
        dashboard.panels.iter().position(|p| p.title == wanted).or_else(|| {
            dashboard
                .panels
                .iter()
                .position(|p| p.title.eq_ignore_ascii_case(wanted.trim()))
        })
    };
    match by_number.or_else(by_title) {
        Some(index) => Ok(vec![index]),
        None => {
            let titles: Vec<String> = dashboard
                .panels
                .iter()
                .enumerate()
                .map(|(k, p)| format!("{} '{}'", k + 1, p.title))
                .collect();
            Err(Diagnostic::error(
                Code::Dashboard,
                format!("the dashboard '{}' has no panel '{wanted}'", dashboard.title),
            )
            .at(Location::at(&file.path, panels_line(&file.text), None))
            .hint(if titles.is_empty() {
                "the dashboard has no panels".to_string()
            } else {
                format!("give a title or a number: {}", titles.join(", "))
            }))
        }
    }
}

/// `--var name=value` as the dashboard's selection.
fn selection(file: &DashboardFile, dashboard: &Dashboard, vars: &[String]) -> Result<Selection, Diagnostic> {
    let mut picked = Selection::new();
    let names: Vec<&str> = dashboard.variables.iter().map(|v| v.name.as_str()).collect();
    for pair in vars {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(
                Diagnostic::error(Code::Dashboard, format!("--var '{pair}' is not name=value"))
                    .hint("write --var state=CA, or --var states=CA,NY for a multi-select"),
            );
        };
        let name = name.trim();
        let Some(variable) = dashboard.variables.iter().find(|v| v.name == name) else {
            return Err(Diagnostic::error(
                Code::Dashboard,
                format!("the dashboard '{}' has no variable '{name}'", dashboard.title),
            )
            .at(Location::file(&file.path))
            .hint(if names.is_empty() {
                "the dashboard declares no variables".to_string()
            } else {
                format!("its variables: {}", names.join(", "))
            }));
        };
        let values: Vec<String> = if value.eq_ignore_ascii_case("all") || value == kiln_dash::variables::ALL {
            vec![kiln_dash::variables::ALL.to_string()]
        } else if variable.multi {
            value.split(',').map(|v| v.trim().to_string()).collect()
        } else {
            vec![value.to_string()]
        };
        picked.insert(name.to_string(), values);
    }
    Ok(picked)
}

/// Jinja (ref, source, var) and the warehouse's dialect, as `kiln show --inline` compiles.
fn compile(manifest: &Manifest, sql: &str) -> Result<String, Diagnostic> {
    let compiled = manifest.compile_inline(sql, &CompileState::default())?.sql;
    Ok(kiln_exec::for_warehouse(manifest, &compiled))
}

/// A variable's choices, its query written with the picks of the variables declared before it.
fn choices(
    manifest: &Manifest,
    adapter: &dyn Adapter,
    dashboard: &Dashboard,
    variable: &Variable,
    selection: &Selection,
) -> Result<Vec<String>, String> {
    kiln_dash::variables::variable_choices(&dashboard.variables, variable, selection, &mut |query| {
        let sql = compile(manifest, query).map_err(|d| d.message)?;
        kiln_dash::variables::query_choices(adapter, &sql)
    })
}

/// Everything one panel needs to be drawn.
pub struct PanelContext<'a> {
    pub manifest: &'a Manifest,
    pub adapter: &'a dyn Adapter,
    pub file: &'a DashboardFile,
    pub dashboard: &'a Dashboard,
    pub window: Option<&'a TimeWindow>,
    pub selection: &'a Selection,
}

impl PanelContext<'_> {
    /// The data of panel `index`, or the coded reason it has none (at the panel's line).
    pub fn data(&self, index: usize) -> Result<ChartData, Diagnostic> {
        let panel = &self.dashboard.panels[index];
        let line = kiln_dash::panel_line(&self.file.text, index).unwrap_or(1);
        let at = || Location::at(&self.file.path, line, None);
        let about = |d: Diagnostic| {
            let mut d = d;
            d.message = format!("panel '{}': {}", panel.title, d.message);
            if d.location.is_none() {
                d = d.at(at());
            }
            d
        };
        let query = kiln_dash::panel_sql(
            self.dashboard,
            panel,
            self.window,
            self.selection,
            &mut |variable| choices(self.manifest, self.adapter, self.dashboard, variable, self.selection),
            now(),
        )
        .map_err(|message| {
            Diagnostic::error(Code::Dashboard, format!("panel '{}': {message}", panel.title)).at(at())
        })?;
        let sql = compile(self.manifest, &query).map_err(about)?;
        kiln_dash::panel_chart(self.adapter, &sql, &panel.chart, &[], POINTS).map_err(|error| {
            about(match error {
                kiln_dash::RunError::Spec(e) => e.to_diagnostic(),
                kiln_dash::RunError::Warehouse(e) => e.to_diagnostic(Some(&self.manifest.root)),
            })
        })
    }
}

/// A failed panel's diagnostic as its image says it: the code, the warehouse's message without
/// the SQL excerpt (whose caret means nothing in a picture) and where the panel is.
fn image_message(diagnostic: &Diagnostic) -> String {
    let message = diagnostic.message.split("\nLINE ").next().unwrap_or_default();
    let message = message.split_once("': ").map_or(message, |(_, rest)| rest);
    let at = diagnostic
        .location
        .as_ref()
        .map(|l| format!(" ({l})"))
        .unwrap_or_default();
    format!(
        "error[{}]{at}: {}",
        diagnostic.code,
        message.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// The text of a region map's project shapes file, when it names one inside the project.
fn project_shapes(root: &Path, data: &ChartData) -> Option<String> {
    let Some(RegionSet::ProjectFile { path, .. }) = &data.spec.regions else {
        return None;
    };
    let file = root.join(path).canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    if !file.starts_with(&root) {
        return None;
    }
    std::fs::read_to_string(file).ok()
}

/// `path` as the user knows it: relative to the current folder when inside it.
fn shown(path: &Path) -> String {
    let here = std::env::current_dir().ok();
    here.and_then(|h| path.strip_prefix(&h).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, bytes).map_err(|e| {
        anyhow::Error::from(
            Diagnostic::error(Code::Io, format!("cannot write {}: {e}", path.display()))
                .hint("check that the --out folder is writable"),
        )
    })
}

pub fn chart(global: &Global, args: &ChartArgs) -> anyhow::Result<ExitCode> {
    let (session, project) = commands::load_with_project(global)?;
    let manifest = &session.manifest;
    let file = find_dashboard(&project, &args.dashboard)?;
    let dashboard = kiln_dash::parse_dashboard(&file.text, &file.path).map_err(Diagnostics)?;
    let indexes = pick_panels(file, &dashboard, args.panel.as_deref())?;
    let selection = selection(file, &dashboard, &args.var)?;
    let window = match (&args.from, &args.to) {
        (None, None) => None,
        (from, to) => Some(TimeWindow {
            from: from
                .clone()
                .or_else(|| dashboard.time.as_ref().map(|t| t.from.clone()))
                .unwrap_or_else(|| "now-6h".into()),
            to: to
                .clone()
                .or_else(|| dashboard.time.as_ref().map(|t| t.to.clone()))
                .unwrap_or_else(|| "now".into()),
        }),
    };
    if let Some(window) = &window {
        kiln_dash::window_range(Some(window), now())
            .map_err(|message| Diagnostic::error(Code::Dashboard, message).hint("write --from now-7d --to now"))?;
    }
    let single = args.layout == Layout::Dashboard || indexes.len() == 1;
    let out_extension = args
        .out
        .as_ref()
        .and_then(|o| o.extension())
        .and_then(|e| Format::parse(&e.to_string_lossy()));
    let format: Format = match (args.format, out_extension) {
        (Some(f), _) => f.into(),
        (None, Some(f)) if single => f,
        _ => Format::Png,
    };
    // A file when one image is drawn and --out names one, else a folder.
    let (folder, file_name) = match &args.out {
        Some(out) if single && out_extension.is_some() => (
            out.parent().map(Path::to_path_buf).unwrap_or_default(),
            out.file_name().map(|n| n.to_string_lossy().into_owned()),
        ),
        Some(out) => (out.clone(), None),
        None => (manifest.target_dir.join("charts").join(&file.name), None),
    };

    let adapter = kiln_targets::open(&manifest.target, 1)?;
    let context = PanelContext {
        manifest,
        adapter: adapter.as_ref(),
        file,
        dashboard: &dashboard,
        window: window.as_ref(),
        selection: &selection,
    };
    let mut failures = Diagnostics::default();
    let drawn: Vec<(usize, Result<ChartData, Diagnostic>)> = indexes.iter().map(|&k| (k, context.data(k))).collect();
    for (_, result) in &drawn {
        if let Err(diagnostic) = result {
            failures.push(diagnostic.clone());
        }
    }
    let shapes: Vec<Option<String>> = drawn
        .iter()
        .map(|(_, r)| r.as_ref().ok().and_then(|d| project_shapes(&manifest.root, d)))
        .collect();

    if args.layout == Layout::Dashboard {
        let messages: Vec<String> = drawn
            .iter()
            .map(|(_, r)| r.as_ref().err().map(image_message).unwrap_or_default())
            .collect();
        let panels: Vec<DashboardPanel<'_>> = drawn
            .iter()
            .zip(&messages)
            .zip(&shapes)
            .map(|(((k, result), message), shapes)| DashboardPanel {
                title: &dashboard.panels[*k].title,
                grid: dashboard.panels[*k].grid,
                chart: result.as_ref().map_err(|_| message.as_str()),
                shapes: shapes.as_deref(),
            })
            .collect();
        let width = args.width.unwrap_or(DASHBOARD_WIDTH);
        let bytes = render::render_dashboard(&dashboard.title, &panels, width, format)?;
        let path = folder.join(file_name.unwrap_or_else(|| format!("{}.{}", file.name, format.extension())));
        write(&path, &bytes)?;
        println!("Wrote {} ({} panels)", shown(&path), panels.len());
    } else {
        let mut used: Vec<String> = Vec::new();
        for ((k, result), shapes) in drawn.iter().zip(&shapes) {
            let panel = &dashboard.panels[*k];
            let (dw, dh) = render::default_size(&panel.grid);
            let (width, height) = (args.width.unwrap_or(dw), args.height.unwrap_or(dh));
            let bytes = match result {
                Ok(data) => render::render_with(
                    data,
                    &render::RenderOptions {
                        title: &panel.title,
                        width,
                        height,
                        format,
                        shapes: shapes.as_deref(),
                    },
                )?,
                Err(diagnostic) => {
                    render::render_message(&panel.title, &image_message(diagnostic), width, height, format)?
                }
            };
            let name = match &file_name {
                Some(name) => name.clone(),
                None => {
                    let base = Some(slug(&panel.title))
                        .filter(|s| !s.is_empty())
                        .unwrap_or_else(|| format!("panel-{}", k + 1));
                    // Two panels of one title get distinct files.
                    let mut name = base.clone();
                    let mut n = 2;
                    while used.contains(&name) {
                        name = format!("{base}-{n}");
                        n += 1;
                    }
                    used.push(name.clone());
                    format!("{name}.{}", format.extension())
                }
            };
            let path = folder.join(name);
            write(&path, &bytes)?;
            let what = match result {
                Ok(data) => kiln_dash::plan::kind_name(data.spec.kind).to_string(),
                Err(d) => format!("failed: error[{}]", d.code),
            };
            println!("Wrote {} ({width}×{height}, {what})", shown(&path));
        }
    }
    if failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        output::print_error(&anyhow::Error::from(failures.clone()));
        eprintln!(
            "{} of {} panels failed; their images show the error",
            failures.0.len(),
            drawn.len()
        );
        Ok(ExitCode::from(1))
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The dashboards section of the docs page: each dashboard's title, description and panels
/// (title, chart kind, query), with an SVG of each panel when the warehouse has its data.
pub fn docs_section(manifest: &Manifest, dashboards: &[DashboardFile], adapter: &dyn Adapter) -> String {
    if dashboards.is_empty() {
        return String::new();
    }
    let mut html = String::from("<h1 id=dashboards>Dashboards</h1>\n");
    let mut failed = 0;
    for file in dashboards {
        let dashboard = match kiln_dash::parse_dashboard(&file.text, &file.path) {
            Ok(dashboard) => dashboard,
            Err(problems) => {
                let text: Vec<String> = problems.iter().map(|d| escape(&d.to_string())).collect();
                html.push_str(&format!(
                    "<section><h2>{} <small>{}</small></h2><pre class=error>{}</pre></section>\n",
                    escape(&file.name),
                    escape(&file.path.display().to_string()),
                    text.join("\n")
                ));
                continue;
            }
        };
        html.push_str(&format!(
            "<section class=dashboard><h2>{} <small>{}</small></h2><p>{}</p>\n",
            escape(&dashboard.title),
            escape(&file.path.display().to_string()),
            escape(&dashboard.description)
        ));
        let selection = Selection::new();
        let context = PanelContext {
            manifest,
            adapter,
            file,
            dashboard: &dashboard,
            window: None,
            selection: &selection,
        };
        for (k, panel) in dashboard.panels.iter().enumerate() {
            html.push_str(&format!(
                "<div class=panel><h3>{} <small>{}</small></h3>",
                escape(&panel.title),
                kiln_dash::plan::kind_name(panel.chart.kind)
            ));
            let (width, height) = render::default_size(&panel.grid);
            let drawn = context.data(k).map_err(|d| image_message(&d)).and_then(|data| {
                let shapes = project_shapes(&manifest.root, &data);
                render::render_with(
                    &data,
                    &render::RenderOptions {
                        title: "",
                        width,
                        height,
                        format: Format::Svg,
                        shapes: shapes.as_deref(),
                    },
                )
                .map_err(|e| e.to_string())
            });
            match drawn {
                Ok(svg) => html.push_str(&String::from_utf8_lossy(&svg)),
                Err(message) => {
                    failed += 1;
                    html.push_str(&format!("<p class=note>Not drawn: {}</p>", escape(&message)));
                }
            }
            html.push_str(&format!(
                "<details><summary>query</summary><pre>{}</pre></details></div>\n",
                escape(panel.query.trim())
            ));
        }
        html.push_str("</section>\n");
    }
    if failed > 0 {
        html.push_str(
            "<p class=note>Panels without a chart need their data in the warehouse: run <code>kiln build</code>, then <code>kiln docs generate</code> again.</p>\n",
        );
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_file_names() {
        assert_eq!(
            slug("Sales and commission by category"),
            "sales-and-commission-by-category"
        );
        assert_eq!(slug("  Top 10 events (gross) "), "top-10-events-gross");
        assert_eq!(slug("Température moyenne"), "température-moyenne");
        assert_eq!(slug("!!!"), "");
    }
}
