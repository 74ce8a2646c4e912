//! `kiln`: dbt-compatible commands over Kiln's engine crates. Exit codes follow dbt: 0 success,
//! 1 when nodes failed, 2 when the invocation itself failed (bad project, bad arguments).

mod canvas;
mod chart;
mod commands;
mod dashboard;
mod diff;
mod handoff;
mod logistics;
mod output;
mod producer;
mod record;
mod sensors;
mod serve;
mod stream;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kiln",
    version,
    about = "Kiln: build, test and explore dbt-style projects on DuckDB and Redshift"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
    #[command(flatten)]
    global: Global,
}

#[derive(Args, Clone, Debug)]
pub struct Global {
    /// Project folder (the one holding dbt_project.yml); defaults to the current folder or a parent.
    #[arg(long, global = true, env = "DBT_PROJECT_DIR")]
    pub project_dir: Option<PathBuf>,
    /// Folder holding profiles.yml (otherwise: project folder, ~/.kiln, ~/.dbt).
    #[arg(long, global = true)]
    pub profiles_dir: Option<PathBuf>,
    /// Target within the profile.
    #[arg(long, short = 't', global = true)]
    pub target: Option<String>,
    /// Variables as YAML, e.g. '{min_price: 5}'.
    #[arg(long, global = true)]
    pub vars: Option<String>,
    /// Never draw a progress bar.
    #[arg(long, global = true)]
    pub no_progress: bool,
}

#[derive(Args, Clone, Debug, Default)]
pub struct Selection {
    /// Nodes to include (dbt selection syntax: name, +model, model+, tag:x, path:…, source:…).
    #[arg(long, short = 's', num_args = 1.., alias = "models", short_alias = 'm')]
    pub select: Vec<String>,
    /// Nodes to leave out.
    #[arg(long, num_args = 1..)]
    pub exclude: Vec<String>,
    /// How tests follow selected nodes: eager, cautious, buildable, empty.
    #[arg(long, default_value = "eager")]
    pub indirect_selection: String,
}

#[derive(Args, Clone, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub selection: Selection,
    /// Worker threads (default: the profile's `threads`).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Rebuild incremental models from scratch.
    #[arg(long)]
    pub full_refresh: bool,
    /// Stop at the first failure.
    #[arg(long, short = 'x')]
    pub fail_fast: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// Create a new project folder.
    Init { name: String },
    /// Show the project, profile and warehouse connection.
    Debug,
    /// Parse the project and write target/manifest.json.
    Parse,
    /// Compare a model on the current target and another one: columns, row counts,
    /// per-column checksums and (with --key) the rows that differ. Exit code 1 when they differ.
    Diff(diff::DiffArgs),
    /// The model canvas: `kiln canvas check` reports whether each model saves unchanged.
    #[command(subcommand)]
    Canvas(canvas::CanvasCmd),
    /// Render models, tests and analyses to target/compiled/.
    Compile {
        #[command(flatten)]
        selection: Selection,
    },
    /// List the nodes a selection picks.
    #[command(alias = "list")]
    Ls {
        #[command(flatten)]
        selection: Selection,
        /// Only these resource types (model, source, seed, test, analysis, exposure, snapshot).
        #[arg(long, num_args = 1..)]
        resource_type: Vec<String>,
        /// name, path, selector (fqn) or json.
        #[arg(long, short = 'o', default_value = "selector")]
        output: String,
    },
    /// Create views over the lake files of sources with `external:`.
    Stage(RunArgs),
    /// Load seeds/*.csv into tables.
    Seed(RunArgs),
    /// Build models.
    Run(RunArgs),
    /// Run tests.
    Test(RunArgs),
    /// Stage, seed, run and test in DAG order; a model's tests run right after it.
    Build(RunArgs),
    /// Preview a model's rows, or inline SQL.
    Show {
        #[command(flatten)]
        selection: Selection,
        /// SQL to run instead of a model (Jinja with ref/source allowed).
        #[arg(long)]
        inline: Option<String>,
        #[arg(long, default_value_t = 5)]
        limit: usize,
    },
    /// Draw a dashboard's panels (or one) to PNG or SVG files, for CI reports and docs.
    Chart(chart::ChartArgs),
    /// Documentation artifacts.
    Docs {
        #[command(subcommand)]
        action: DocsAction,
    },
    /// Delete the folders listed in clean-targets.
    Clean,
    /// Generate demo data.
    Demo {
        #[command(subcommand)]
        dataset: DemoDataset,
    },
    /// Dashboards: import one from Grafana.
    Dashboard {
        #[command(subcommand)]
        action: DashboardAction,
    },
    /// Serve Kiln Studio to a browser on 127.0.0.1 (the engine API plus the built UI).
    Serve {
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Serve the UI from this folder (its index.html) instead of the one built into kiln; for
        /// UI development (`npm run build` in ui/).
        #[arg(long)]
        ui_dist: Option<PathBuf>,
        /// Open the studio in the default browser.
        #[arg(long)]
        open: bool,
        /// Port of the project's Kinesis/Firehose endpoint on 127.0.0.1 (0 picks a free one).
        #[arg(long, default_value_t = kiln_stream::api::DEFAULT_PORT)]
        stream_port: u16,
    },
    /// Streams: serve the project's local Kinesis Data Streams / Firehose endpoint.
    Stream {
        #[command(subcommand)]
        action: stream::StreamAction,
    },
}

#[derive(Subcommand)]
enum DashboardAction {
    /// Convert a Grafana dashboard JSON (schema 30+) into dashboards/<name>.yml; what cannot be
    /// converted is listed.
    Import {
        /// The dashboard JSON exported from Grafana.
        file: PathBuf,
        /// The file name to write, without .yml (default: the dashboard's title, slugged).
        #[arg(long)]
        name: Option<String>,
        /// Replace the file when it exists.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum DocsAction {
    /// Write manifest.json, catalog.json and index.html (with the dashboards' charts) to target/.
    Generate,
}

#[derive(Subcommand)]
enum DemoDataset {
    /// The TICKIT lake: seven pipe-delimited tables with a header line.
    Tickit {
        /// 1 ≈ the real sample's row counts.
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Lake folder (default: <project>/lake).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// IoT readings of projects/sensors' six sensors, put into its Firehose delivery stream
    /// through the local endpoint (`kiln stream serve` or the studio) until Ctrl-C.
    Sensors(sensors::SensorsArgs),
    /// Customers and consignment orders of projects/logistics, put on its Kinesis streams
    /// customer_stream and order_stream through the local endpoint until Ctrl-C.
    Logistics(logistics::LogisticsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = cli.global.clone();
    let outcome = match cli.command {
        Cmd::Init { name } => commands::init(&name),
        Cmd::Debug => commands::debug(&global),
        Cmd::Parse => commands::parse(&global),
        Cmd::Diff(args) => diff::diff(&global, &args),
        Cmd::Canvas(command) => canvas::canvas(&global, &command),
        Cmd::Compile { selection } => commands::compile(&global, &selection),
        Cmd::Ls {
            selection,
            resource_type,
            output,
        } => commands::ls(&global, &selection, &resource_type, &output),
        Cmd::Stage(args) => commands::run(&global, kiln_exec::Command::Stage, &args),
        Cmd::Seed(args) => commands::run(&global, kiln_exec::Command::Seed, &args),
        Cmd::Run(args) => commands::run(&global, kiln_exec::Command::Run, &args),
        Cmd::Test(args) => commands::run(&global, kiln_exec::Command::Test, &args),
        Cmd::Build(args) => commands::run(&global, kiln_exec::Command::Build, &args),
        Cmd::Show {
            selection,
            inline,
            limit,
        } => commands::show(&global, &selection, inline.as_deref(), limit),
        Cmd::Chart(args) => chart::chart(&global, &args),
        Cmd::Docs {
            action: DocsAction::Generate,
        } => commands::docs_generate(&global),
        Cmd::Clean => commands::clean(&global),
        Cmd::Demo {
            dataset: DemoDataset::Tickit { scale, out },
        } => commands::demo_tickit(&global, scale, out),
        Cmd::Demo {
            dataset: DemoDataset::Sensors(args),
        } => sensors::demo(&args),
        Cmd::Demo {
            dataset: DemoDataset::Logistics(args),
        } => logistics::demo(&args),
        Cmd::Dashboard {
            action: DashboardAction::Import { file, name, force },
        } => dashboard::import(&global, &file, name.as_deref(), force),
        Cmd::Serve {
            port,
            ui_dist,
            open,
            stream_port,
        } => serve::serve(&global, port, ui_dist, open, stream_port),
        Cmd::Stream { action } => stream::run(&global, &action),
    };
    match outcome {
        Ok(code) => code,
        Err(error) => {
            output::print_error(&error);
            ExitCode::from(2)
        }
    }
}
