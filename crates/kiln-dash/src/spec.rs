//! What a chart shows: its kind and which columns feed which encoding. The same spec drives the
//! studio's chart view, a dashboard panel and (later) `kiln chart`, so the types are generated for
//! the UI like every other wire type.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The kind of chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ChartKind {
    Line,
    Area,
    Bar,
    Scatter,
    /// One big number, with its trend over `x` when `x` is a time.
    Stat,
    Table,
    /// Markers at latitude/longitude, sized and coloured by values.
    PointMap,
    /// Regions (US states, countries, a project file's shapes) filled by a value.
    RegionMap,
    /// `x` across, `series` down, a measure as colour.
    Heatmap,
    /// Slices of one value per category of `x` (a donut), the biggest first.
    Pie,
    /// One value like a stat, on a dial from `min` to `max`.
    Gauge,
}

/// How rows are combined into one value per group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum Aggregation {
    /// Each row is a point (no grouping).
    None,
    Sum,
    Avg,
    Min,
    Max,
    Count,
    CountDistinct,
    Median,
    /// The value of the latest non-null row by the data's time column (the last row the query
    /// returns when it has none): Grafana's default `lastNotNull` reduction of a stat or gauge.
    Last,
}

/// Time buckets for a date/time `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum TimeBucket {
    /// Picked from the data's time range, aiming at a few hundred buckets.
    Auto,
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl TimeBucket {
    /// DuckDB's / Redshift's `date_trunc` part.
    pub fn part(self) -> Option<&'static str> {
        Some(match self {
            TimeBucket::Auto => return None,
            TimeBucket::Second => "second",
            TimeBucket::Minute => "minute",
            TimeBucket::Hour => "hour",
            TimeBucket::Day => "day",
            TimeBucket::Week => "week",
            TimeBucket::Month => "month",
            TimeBucket::Quarter => "quarter",
            TimeBucket::Year => "year",
        })
    }

    /// Roughly how long one bucket is, in seconds (for picking `Auto`).
    pub fn seconds(self) -> f64 {
        match self {
            TimeBucket::Auto | TimeBucket::Second => 1.0,
            TimeBucket::Minute => 60.0,
            TimeBucket::Hour => 3_600.0,
            TimeBucket::Day => 86_400.0,
            TimeBucket::Week => 604_800.0,
            TimeBucket::Month => 2_629_746.0,
            TimeBucket::Quarter => 7_889_238.0,
            TimeBucket::Year => 31_556_952.0,
        }
    }
}

/// A value computed per group (or per row with [`Aggregation::None`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Measure {
    /// The column; none for `count(*)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub column: Option<String>,
    pub aggregation: Aggregation,
}

/// Which built-in or project shapes a region map fills.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum RegionSet {
    /// The 50 states, DC and Puerto Rico, matched by name or two-letter code.
    UsStates,
    /// Countries, matched by name or ISO 3166 alpha-2/alpha-3 code.
    WorldCountries,
    /// A GeoJSON or TopoJSON file in the project; regions matched on `property`.
    ProjectFile { path: String, property: String },
}

/// A chart of one query's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ChartSpec {
    pub kind: ChartKind,
    /// The category or time axis (line, area, bar, scatter, heatmap; a stat's trend).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub x: Option<String>,
    /// For a date/time `x`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub bucket: Option<TimeBucket>,
    /// The values: one line/bar group each (a stat shows the first).
    #[serde(default)]
    pub y: Vec<Measure>,
    /// Splits the values into one series per distinct value (a heatmap's rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub series: Option<String>,
    #[serde(default)]
    pub stacked: bool,
    #[serde(default)]
    pub horizontal: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub latitude: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub longitude: Option<String>,
    /// A point map's marker size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub size: Option<Measure>,
    /// A point map's marker colour, a region map's fill.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub color: Option<Measure>,
    /// Text shown with a marker or in a tooltip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub label: Option<String>,
    /// The column naming a region map's regions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub regions: Option<RegionSet>,
    /// A raster tile URL template (`https://tile.openstreetmap.org/{z}/{x}/{y}.png`) drawn under a
    /// map when it loads; the offline outlines are always there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub tiles: Option<String>,
    /// A gauge's dial starts here (0 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub min: Option<f64>,
    /// A gauge's dial ends here (from the value when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub max: Option<f64>,
}

impl ChartSpec {
    /// An empty spec of `kind`, to fill in.
    pub fn new(kind: ChartKind) -> Self {
        ChartSpec {
            kind,
            x: None,
            bucket: None,
            y: Vec::new(),
            series: None,
            stacked: false,
            horizontal: false,
            latitude: None,
            longitude: None,
            size: None,
            color: None,
            label: None,
            region: None,
            regions: None,
            tiles: None,
            min: None,
            max: None,
        }
    }
}
