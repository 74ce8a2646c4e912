//! A chart spec over a relation → the SQL that computes exactly what the chart draws: time
//! buckets and aggregation run in the warehouse, so a ten-million-row table charts without its
//! rows ever leaving it. Pure string building, tested without a warehouse.

use kiln_warehouse::{quote_ident, quote_literal};

use crate::spec::{Aggregation, ChartKind, ChartSpec, Measure, TimeBucket};
use crate::ChartError;

/// Groups a chart may have before the rest are cut (bars, categories, heatmap cells).
pub const MAX_GROUPS: usize = 100_000;
/// Distinct series (lines, stacked bar colours) drawn; the biggest by total are kept.
pub const MAX_SERIES: usize = 20;
/// Categories on a bar chart's axis, the biggest first.
pub const MAX_CATEGORIES: usize = 100;
/// Rows read for a chart of raw points (no aggregation) before down-sampling.
pub const MAX_RAW_ROWS: usize = 2_000_000;
/// Markers on a point map.
pub const MAX_MARKERS: usize = 100_000;

/// What each column of the planned query is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    X,
    Series,
    /// The `n`-th measure of `y`.
    Y,
    Latitude,
    Longitude,
    Size,
    Color,
    Label,
    Region,
}

/// The planned query: its SQL and the role of each output column, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub sql: String,
    pub roles: Vec<Role>,
    /// Raw points of a line/area/scatter: the engine down-samples them per series. When `x` is a
    /// time, the last column is its epoch seconds, for the down-sampling only.
    pub raw: bool,
    pub epoch_column: bool,
    /// For raw points of one value on a line or area: the points as a relation, unordered and
    /// unlimited, for [`reduced_sql`] to thin in the warehouse.
    pub body: Option<String>,
}

/// Columns from `(name, type)` pairs, for tests across the crate.
#[cfg(test)]
pub(crate) fn test_columns(list: &[(&str, &str)]) -> Vec<Column> {
    list.iter()
        .map(|(n, t)| Column {
            name: (*n).into(),
            data_type: (*t).into(),
        })
        .collect()
}

/// A result column the planner may use: its name and warehouse type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub data_type: String,
}

pub fn is_numeric(data_type: &str) -> bool {
    let t = data_type.to_ascii_uppercase();
    [
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "UHUGEINT",
        "FLOAT",
        "DOUBLE",
        "REAL",
    ]
    .contains(&t.as_str())
        || t.starts_with("DECIMAL")
        || t.starts_with("NUMERIC")
}

pub fn is_temporal(data_type: &str) -> bool {
    let t = data_type.to_ascii_uppercase();
    t == "DATE" || t.starts_with("TIMESTAMP")
}

/// The columns of the relation being charted, to check a spec against.
pub struct Source<'a> {
    /// A relation name or a parenthesised query.
    pub relation: &'a str,
    pub columns: &'a [Column],
}

impl Source<'_> {
    fn column(&self, name: &str, what: &str) -> Result<&Column, ChartError> {
        self.columns.iter().find(|c| c.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.columns.iter().map(|c| c.name.as_str()).collect();
            ChartError::Spec {
                message: format!("the chart's {what} is the column '{name}', which the result does not have"),
                hint: format!("pick one of: {}", known.join(", ")),
            }
        })
    }

    fn required(&self, name: Option<&String>, what: &str, kind: ChartKind) -> Result<&Column, ChartError> {
        let name = name.ok_or_else(|| ChartError::Spec {
            message: format!("a {} chart needs a {what} column", kind_name(kind)),
            hint: format!("choose the {what} in the chart settings"),
        })?;
        self.column(name, what)
    }

    /// The column that orders rows in time for [`Aggregation::Last`]: a date/time column named
    /// `time` (Grafana's convention), else the first date/time column.
    fn time_column(&self) -> Option<&Column> {
        let temporal = || self.columns.iter().filter(|c| is_temporal(&c.data_type));
        temporal()
            .find(|c| c.name.eq_ignore_ascii_case("time"))
            .or_else(|| temporal().next())
    }
}

pub fn kind_name(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Line => "line",
        ChartKind::Area => "area",
        ChartKind::Bar => "bar",
        ChartKind::Scatter => "scatter",
        ChartKind::Stat => "stat",
        ChartKind::Table => "table",
        ChartKind::PointMap => "point map",
        ChartKind::RegionMap => "region map",
        ChartKind::Heatmap => "heatmap",
        ChartKind::Pie => "pie",
        ChartKind::Gauge => "gauge",
    }
}

/// `sum("price_paid")` as a DOUBLE (DECIMAL and HUGEINT would arrive as strings), checked
/// against the column's type.
fn measure_sql(source: &Source<'_>, measure: &Measure, what: &str) -> Result<String, ChartError> {
    let column = match &measure.column {
        Some(name) => Some(source.column(name, what)?),
        None => None,
    };
    let numeric = column.is_some_and(|c| is_numeric(&c.data_type));
    let c = column.map(|c| quote_ident(&c.name));
    let need_number = |agg: &str| -> Result<String, ChartError> {
        match (&c, numeric) {
            (Some(c), true) => Ok(c.clone()),
            (Some(_), false) => Err(ChartError::Spec {
                message: format!(
                    "the {what} takes the {agg} of '{}', a {} column, not a number",
                    measure.column.as_deref().unwrap_or_default(),
                    column.map(|c| c.data_type.as_str()).unwrap_or_default()
                ),
                hint: "use count or count distinct for it, or pick a numeric column".into(),
            }),
            (None, _) => Err(ChartError::Spec {
                message: format!("the {what} takes the {agg} of no column"),
                hint: "pick a numeric column, or count rows".into(),
            }),
        }
    };
    let sql = match measure.aggregation {
        Aggregation::Count => match &c {
            Some(c) => format!("count({c})"),
            None => "count(*)".into(),
        },
        Aggregation::CountDistinct => match &c {
            Some(c) => format!("count(DISTINCT {c})"),
            None => "count(*)".into(),
        },
        Aggregation::Sum => format!("sum({})", need_number("sum")?),
        Aggregation::Avg => format!("avg({})", need_number("average")?),
        Aggregation::Median => format!("median({})", need_number("median")?),
        Aggregation::Min => format!("min({})", need_number("minimum")?),
        Aggregation::Max => format!("max({})", need_number("maximum")?),
        Aggregation::None => need_number("value")?,
        Aggregation::Last => {
            let c = need_number("last value")?;
            // The latest non-null value by time, as Grafana's `lastNotNull`; without a time column
            // the query's own last row (DuckDB keeps a subquery's order for `last`).
            match source.time_column() {
                Some(time) => format!(
                    "arg_max({c}, {}) FILTER (WHERE {c} IS NOT NULL)",
                    quote_ident(&time.name)
                ),
                None => format!("last({c}) FILTER (WHERE {c} IS NOT NULL)"),
            }
        }
    };
    Ok(format!("CAST({sql} AS DOUBLE)"))
}

fn alias(name: &str) -> String {
    quote_ident(name)
}

/// The first, last, lowest and highest point of each of `width` slices of the x range, per series
/// (M4): a line drawn through them at that width is the line drawn through every point, and
/// the warehouse finds them in one grouped pass, so a million-point series sends thousands of
/// rows to the engine, not a million. The columns are the raw plan's, then the raw point count.
pub fn reduced_sql(plan: &Plan, width: usize) -> Option<String> {
    let body = plan.body.as_ref()?;
    let x = alias("x");
    let y = alias("y0");
    let xn = if plan.epoch_column { alias("x_epoch") } else { x.clone() };
    let series = plan.roles.contains(&Role::Series);
    let s = alias("series");
    let (key, group) = if series {
        (format!("{s}, "), format!("{s}, slice"))
    } else {
        (String::new(), "slice".to_string())
    };
    let pick = |parts: [&str; 4]| {
        format!(
            "CASE corner.k WHEN 1 THEN {} WHEN 2 THEN {} WHEN 3 THEN {} ELSE {} END",
            parts[0], parts[1], parts[2], parts[3]
        )
    };
    let mut columns = vec![format!("{} AS {x}", pick(["x1", "x2", "x3", "x4"]))];
    if series {
        columns.push(s.clone());
    }
    columns.push(format!("{} AS {y}", pick(["y1", "y2", "y3", "y4"])));
    let epoch = pick(["n1", "n2", "n3", "n4"]);
    if plan.epoch_column {
        columns.push(format!("{epoch} AS {xn}"));
    }
    columns.push("(SELECT sum(points) FROM picked) AS raw_points".into());
    let order = if series { format!("{s}, {xn}") } else { xn.clone() };
    Some(format!(
        "WITH raw AS ({body}), bounds AS (SELECT min({xn}) AS lo, max({xn}) AS hi FROM raw), \
         sliced AS (SELECT raw.*, CAST(floor(({xn} - lo) / CASE WHEN hi > lo THEN hi - lo ELSE 1 END * {width}) AS BIGINT) AS slice FROM raw, bounds), \
         picked AS (SELECT {key}slice, count(*) AS points, \
           arg_min({x}, {xn}) AS x1, min({xn}) AS n1, arg_min({y}, {xn}) AS y1, \
           arg_max({x}, {xn}) AS x2, max({xn}) AS n2, arg_max({y}, {xn}) AS y2, \
           arg_min({x}, {y}) AS x3, arg_min({xn}, {y}) AS n3, min({y}) AS y3, \
           arg_max({x}, {y}) AS x4, arg_max({xn}, {y}) AS n4, max({y}) AS y4 \
           FROM sliced GROUP BY {group}) \
         SELECT * FROM (SELECT DISTINCT {} FROM picked CROSS JOIN (VALUES (1), (2), (3), (4)) AS corner(k) \
         WHERE {} IS NOT NULL) AS thinned ORDER BY {order}",
        columns.join(", "),
        pick(["x1", "x2", "x3", "x4"]),
    ))
}

/// The prefix of a planned query whose series CTE is read twice (to rank the series, then to
/// draw the biggest).
const SERIES_CTE: &str = "WITH base AS (";

/// `sql` as planned, for a warehouse of kind `kind`: DuckDB inlines a CTE read twice and computes
/// it twice, so the series CTE is marked MATERIALIZED there (10M rows by hour and category:
/// 418 → 335 ms). PostgreSQL materialises such a CTE by itself; Redshift has no MATERIALIZED.
pub fn for_warehouse(sql: String, kind: &str) -> String {
    match sql.strip_prefix(SERIES_CTE) {
        Some(rest) if kind == "duckdb" => format!("WITH base AS MATERIALIZED ({rest}"),
        _ => sql,
    }
}

/// The planned query for `spec` over `source`; `bucket` is the resolved time bucket (never
/// `Auto`) when `x` is a date/time to bucket.
pub fn plan(spec: &ChartSpec, source: &Source<'_>, bucket: Option<TimeBucket>) -> Result<Plan, ChartError> {
    let from = source.relation;
    match spec.kind {
        ChartKind::Table => Err(ChartError::Spec {
            message: "a table shows the result's rows; it has no chart query".into(),
            hint: "page the result instead".into(),
        }),
        ChartKind::PointMap => point_map(spec, source),
        ChartKind::RegionMap => {
            let region = source.required(spec.region.as_ref(), "region", spec.kind)?;
            let value = spec.color.clone().unwrap_or(Measure {
                column: None,
                aggregation: Aggregation::Count,
            });
            let value = measure_sql(source, &value, "colour")?;
            let r = quote_ident(&region.name);
            Ok(Plan {
                sql: format!(
                    "SELECT CAST({r} AS VARCHAR) AS {}, {value} AS {} FROM {from} WHERE {r} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT {MAX_GROUPS}",
                    alias("region"),
                    alias("color")
                ),
                roles: vec![Role::Region, Role::Color],
                raw: false,
                epoch_column: false,
                body: None,
            })
        }
        ChartKind::Stat | ChartKind::Gauge if spec.x.is_none() => {
            let measure = first_measure(spec)?;
            Ok(Plan {
                sql: format!(
                    "SELECT {} AS {} FROM {from}",
                    measure_sql(source, measure, "value")?,
                    alias("y0")
                ),
                roles: vec![Role::Y],
                raw: false,
                epoch_column: false,
                body: None,
            })
        }
        ChartKind::Pie => {
            // One slice per category: the first value only, never split into series, and always
            // one number per slice (rows as they are would draw the same category twice).
            let mut pie = spec.clone();
            pie.series = None;
            pie.y.truncate(1);
            for measure in &mut pie.y {
                if measure.aggregation == Aggregation::None {
                    measure.aggregation = Aggregation::Sum;
                }
            }
            cartesian(&pie, source, bucket)
        }
        _ => cartesian(spec, source, bucket),
    }
}

fn first_measure(spec: &ChartSpec) -> Result<&Measure, ChartError> {
    spec.y.first().ok_or_else(|| ChartError::Spec {
        message: format!("a {} chart needs a value", kind_name(spec.kind)),
        hint: "add a value (y) in the chart settings".into(),
    })
}

fn cartesian(spec: &ChartSpec, source: &Source<'_>, bucket: Option<TimeBucket>) -> Result<Plan, ChartError> {
    let from = source.relation;
    let x = source.required(spec.x.as_ref(), "x axis", spec.kind)?;
    first_measure(spec)?;
    let temporal = is_temporal(&x.data_type);
    let xq = quote_ident(&x.name);
    let mut select = Vec::new();
    let mut roles = Vec::new();
    let aggregated = spec.kind != ChartKind::Scatter && spec.y.iter().any(|m| m.aggregation != Aggregation::None);
    let x_expr = match (bucket.and_then(TimeBucket::part), temporal) {
        (Some(part), true) => format!("date_trunc({}, {xq})", quote_literal(part)),
        _ => xq.clone(),
    };
    select.push(format!("{x_expr} AS {}", alias("x")));
    roles.push(Role::X);
    let series = match &spec.series {
        Some(name) => {
            let column = source.column(name, "series")?;
            select.push(format!("{} AS {}", quote_ident(&column.name), alias("series")));
            roles.push(Role::Series);
            true
        }
        None => false,
    };
    for (k, measure) in spec.y.iter().enumerate() {
        let mut measure = measure.clone();
        if !aggregated {
            measure.aggregation = Aggregation::None;
        }
        select.push(format!(
            "{} AS {}",
            measure_sql(source, &measure, "value")?,
            alias(&format!("y{k}"))
        ));
        roles.push(Role::Y);
    }
    let keys = if series { "1, 2" } else { "1" };
    let base = if aggregated {
        format!(
            "SELECT {} FROM {from} WHERE {xq} IS NOT NULL GROUP BY {keys}",
            select.join(", ")
        )
    } else {
        let epoch = if temporal {
            format!(", epoch(CAST({xq} AS TIMESTAMP)) AS {}", alias("x_epoch"))
        } else {
            String::new()
        };
        format!("SELECT {}{epoch} FROM {from} WHERE {xq} IS NOT NULL", select.join(", "))
    };
    let categorical = !temporal && !is_numeric(&x.data_type);
    // Bars and slices of categories read best biggest first; lines and times go in x order.
    let by_size = matches!(spec.kind, ChartKind::Bar | ChartKind::Pie);
    let order = if categorical && aggregated && by_size && !series {
        format!("{} DESC NULLS LAST, 1", alias("y0"))
    } else if series {
        "1, 2".into()
    } else {
        "1".into()
    };
    let limit = match (aggregated, categorical && by_size && !series) {
        (true, true) => MAX_CATEGORIES,
        (true, false) => MAX_GROUPS,
        // One more than read, to tell a cut series from one of exactly that length.
        (false, _) => MAX_RAW_ROWS + 1,
    };
    let relation = if series {
        // Only the biggest series are drawn, by the total of the first value.
        let s = alias("series");
        let y0 = alias("y0");
        format!(
            "{SERIES_CTE}{base}), top_series AS (SELECT {s} FROM base GROUP BY 1 ORDER BY sum(abs({y0})) DESC NULLS LAST LIMIT {MAX_SERIES}) \
             SELECT * FROM base WHERE EXISTS (SELECT 1 FROM top_series t WHERE t.{s} IS NOT DISTINCT FROM base.{s})"
        )
    } else {
        base
    };
    let sql = format!("{relation} ORDER BY {order} LIMIT {limit}");
    let thinnable = !aggregated && spec.y.len() == 1 && matches!(spec.kind, ChartKind::Line | ChartKind::Area);
    Ok(Plan {
        sql,
        roles,
        raw: !aggregated,
        epoch_column: !aggregated && temporal,
        body: thinnable.then_some(relation),
    })
}

fn point_map(spec: &ChartSpec, source: &Source<'_>) -> Result<Plan, ChartError> {
    let from = source.relation;
    let lat = source.required(spec.latitude.as_ref(), "latitude", spec.kind)?;
    let lon = source.required(spec.longitude.as_ref(), "longitude", spec.kind)?;
    for column in [lat, lon] {
        if !is_numeric(&column.data_type) {
            return Err(ChartError::Spec {
                message: format!("'{}' is {}, not a number of degrees", column.name, column.data_type),
                hint: "pick numeric latitude and longitude columns".into(),
            });
        }
    }
    let (la, lo) = (quote_ident(&lat.name), quote_ident(&lon.name));
    let mut select = vec![
        format!("CAST({la} AS DOUBLE) AS {}", alias("latitude")),
        format!("CAST({lo} AS DOUBLE) AS {}", alias("longitude")),
    ];
    let mut roles = vec![Role::Latitude, Role::Longitude];
    let keys = ["1", "2"];
    let measures = [(&spec.size, Role::Size, "size"), (&spec.color, Role::Color, "color")];
    let aggregated = measures
        .iter()
        .any(|(m, ..)| m.as_ref().is_some_and(|m| m.aggregation != Aggregation::None));
    for (measure, role, name) in measures {
        if let Some(measure) = measure {
            let mut measure = measure.clone();
            if !aggregated {
                measure.aggregation = Aggregation::None;
            }
            select.push(format!("{} AS {}", measure_sql(source, &measure, name)?, alias(name)));
            roles.push(role);
        }
    }
    if let Some(label) = &spec.label {
        let column = source.column(label, "label")?;
        select.push(format!(
            "CAST({} AS VARCHAR) AS {}",
            quote_ident(&column.name),
            alias("label")
        ));
        roles.push(Role::Label);
    }
    let group = if aggregated {
        // Grouped by the label column as it is and cast to text after: grouping by the text
        // took twice as long (10M rows by an integer sensor id: 526 → 243 ms in DuckDB).
        let label = spec
            .label
            .as_ref()
            .and_then(|label| source.columns.iter().find(|c| &c.name == label))
            .map(|column| quote_ident(&column.name));
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_string()).chain(label).collect();
        format!(" GROUP BY {}", keys.join(", "))
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT {} FROM {from} WHERE {la} BETWEEN -90 AND 90 AND {lo} BETWEEN -180 AND 180{group} LIMIT {}",
        select.join(", "),
        // One more than drawn: the extra row says the map was cut, without counting them all.
        MAX_MARKERS + 1
    );
    Ok(Plan {
        sql,
        roles,
        raw: false,
        epoch_column: false,
        body: None,
    })
}

/// Rows a point map leaves out because their coordinates are not on Earth (or missing).
pub fn off_map_sql(spec: &ChartSpec, source: &Source<'_>) -> Option<String> {
    let (lat, lon) = (spec.latitude.as_ref()?, spec.longitude.as_ref()?);
    let (la, lo) = (quote_ident(lat), quote_ident(lon));
    Some(format!(
        "SELECT count(*) FROM {} WHERE NOT coalesce({la} BETWEEN -90 AND 90 AND {lo} BETWEEN -180 AND 180, false)",
        source.relation
    ))
}

/// The time range of `x`, in epoch seconds, for picking an automatic bucket.
pub fn range_sql(x: &str, relation: &str) -> String {
    let x = quote_ident(x);
    format!("SELECT epoch(CAST(min({x}) AS TIMESTAMP)), epoch(CAST(max({x}) AS TIMESTAMP)) FROM {relation}")
}

/// The smallest bucket that cuts `seconds` into at most `target` buckets.
pub fn auto_bucket(seconds: f64, target: f64) -> TimeBucket {
    use TimeBucket::*;
    [Second, Minute, Hour, Day, Week, Month, Quarter, Year]
        .into_iter()
        .find(|b| seconds / b.seconds() <= target)
        .unwrap_or(Year)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn columns() -> Vec<Column> {
        [
            ("sale_time", "TIMESTAMP"),
            ("cat_name", "VARCHAR"),
            ("price_paid", "DECIMAL(8,2)"),
            ("qty", "INTEGER"),
            ("lat", "DOUBLE"),
            ("lon", "DOUBLE"),
        ]
        .into_iter()
        .map(|(n, t)| Column {
            name: n.into(),
            data_type: t.into(),
        })
        .collect()
    }

    /// Plans `spec` over a relation `r` with [`columns`].
    fn plan_r(spec: &ChartSpec, bucket: Option<TimeBucket>) -> Result<Plan, ChartError> {
        let cols = columns();
        plan(
            spec,
            &Source {
                relation: "r",
                columns: &cols,
            },
            bucket,
        )
    }

    fn measure(column: &str, aggregation: Aggregation) -> Measure {
        Measure {
            column: Some(column.into()),
            aggregation,
        }
    }

    #[test]
    fn bars_of_categories_aggregate_in_sql_biggest_first() {
        let mut spec = ChartSpec::new(ChartKind::Bar);
        spec.x = Some("cat_name".into());
        spec.y = vec![measure("price_paid", Aggregation::Sum)];
        let plan = plan_r(&spec, None).unwrap();
        assert_eq!(
            plan.sql,
            "SELECT \"cat_name\" AS \"x\", CAST(sum(\"price_paid\") AS DOUBLE) AS \"y0\" FROM r WHERE \"cat_name\" IS NOT NULL GROUP BY 1 ORDER BY \"y0\" DESC NULLS LAST, 1 LIMIT 100"
        );
        assert_eq!(plan.roles, vec![Role::X, Role::Y]);
        assert!(!plan.raw);
    }

    #[test]
    fn time_series_bucket_and_keep_the_biggest_series() {
        let mut spec = ChartSpec::new(ChartKind::Line);
        spec.x = Some("sale_time".into());
        spec.series = Some("cat_name".into());
        spec.y = vec![measure("qty", Aggregation::Avg)];
        let plan = plan_r(&spec, Some(TimeBucket::Month)).unwrap();
        assert!(plan.sql.starts_with("WITH base AS (SELECT date_trunc('month', \"sale_time\") AS \"x\", \"cat_name\" AS \"series\", CAST(avg(\"qty\") AS DOUBLE) AS \"y0\""), "{}", plan.sql);
        assert!(plan.sql.contains("LIMIT 20)"), "{}", plan.sql);
        assert_eq!(plan.roles, vec![Role::X, Role::Series, Role::Y]);
    }

    #[test]
    fn series_cte_is_computed_once_on_duckdb_only() {
        let mut spec = ChartSpec::new(ChartKind::Line);
        spec.x = Some("sale_time".into());
        spec.series = Some("cat_name".into());
        spec.y = vec![measure("qty", Aggregation::Avg)];
        let sql = plan_r(&spec, Some(TimeBucket::Month)).unwrap().sql;
        assert!(for_warehouse(sql.clone(), "duckdb").starts_with("WITH base AS MATERIALIZED (SELECT date_trunc"));
        assert_eq!(for_warehouse(sql.clone(), "redshift"), sql);
        let plain = "SELECT 1 FROM (WITH base AS (SELECT 1) SELECT * FROM base) AS panel".to_string();
        assert_eq!(
            for_warehouse(plain.clone(), "duckdb"),
            plain,
            "a user's own CTE is left alone"
        );
    }

    #[test]
    fn point_map_groups_by_the_label_before_casting_it() {
        let mut spec = ChartSpec::new(ChartKind::PointMap);
        spec.latitude = Some("lat".into());
        spec.longitude = Some("lon".into());
        spec.label = Some("qty".into());
        spec.color = Some(measure("price_paid", Aggregation::Avg));
        let sql = plan_r(&spec, None).unwrap().sql;
        assert!(sql.contains("CAST(\"qty\" AS VARCHAR) AS \"label\""), "{sql}");
        assert!(sql.contains("GROUP BY 1, 2, \"qty\""), "{sql}");
    }

    #[test]
    fn raw_points_carry_epoch_seconds_for_down_sampling() {
        let mut spec = ChartSpec::new(ChartKind::Line);
        spec.x = Some("sale_time".into());
        spec.y = vec![measure("qty", Aggregation::None)];
        let plan = plan_r(&spec, None).unwrap();
        assert!(plan.raw && plan.epoch_column);
        assert!(
            plan.sql
                .contains("epoch(CAST(\"sale_time\" AS TIMESTAMP)) AS \"x_epoch\""),
            "{}",
            plan.sql
        );
    }

    #[test]
    fn bad_specs_say_what_to_pick() {
        let mut spec = ChartSpec::new(ChartKind::Bar);
        spec.x = Some("cat_nam".into());
        spec.y = vec![measure("price_paid", Aggregation::Sum)];
        let ChartError::Spec { message, hint } = plan_r(&spec, None).unwrap_err();
        assert!(message.contains("'cat_nam'"), "{message}");
        assert!(hint.contains("cat_name"), "{hint}");
        spec.x = Some("cat_name".into());
        spec.y = vec![measure("cat_name", Aggregation::Sum)];
        let ChartError::Spec { message, .. } = plan_r(&spec, None).unwrap_err();
        assert!(message.contains("not a number"), "{message}");
        let mut map = ChartSpec::new(ChartKind::PointMap);
        map.latitude = Some("lat".into());
        let ChartError::Spec { message, .. } = plan_r(&map, None).unwrap_err();
        assert!(message.contains("longitude"), "{message}");
    }

    #[test]
    fn pies_gauges_and_latest_values() {
        // A pie: one summed slice per category, biggest first, never split into series.
        let mut pie = ChartSpec::new(ChartKind::Pie);
        pie.x = Some("cat_name".into());
        pie.series = Some("lat".into());
        pie.y = vec![
            measure("qty", Aggregation::None),
            measure("price_paid", Aggregation::Sum),
        ];
        let plan = plan_r(&pie, None).unwrap();
        assert_eq!(
            plan.sql,
            "SELECT \"cat_name\" AS \"x\", CAST(sum(\"qty\") AS DOUBLE) AS \"y0\" FROM r WHERE \"cat_name\" IS NOT NULL GROUP BY 1 ORDER BY \"y0\" DESC NULLS LAST, 1 LIMIT 100"
        );
        assert_eq!(plan.roles, vec![Role::X, Role::Y]);
        // A gauge is one value, like a stat; the latest one is by the time column.
        let mut gauge = ChartSpec::new(ChartKind::Gauge);
        gauge.y = vec![measure("price_paid", Aggregation::Last)];
        let plan = plan_r(&gauge, None).unwrap();
        assert_eq!(
            plan.sql,
            "SELECT CAST(arg_max(\"price_paid\", \"sale_time\") FILTER (WHERE \"price_paid\" IS NOT NULL) AS DOUBLE) AS \"y0\" FROM r"
        );
        // Without a time column, the query's last row.
        let cols = [Column {
            name: "v".into(),
            data_type: "BIGINT".into(),
        }];
        let mut stat = ChartSpec::new(ChartKind::Stat);
        stat.y = vec![measure("v", Aggregation::Last)];
        let last = super::plan(
            &stat,
            &Source {
                relation: "t",
                columns: &cols,
            },
            None,
        )
        .unwrap();
        assert!(
            last.sql.contains("last(\"v\") FILTER (WHERE \"v\" IS NOT NULL)"),
            "{}",
            last.sql
        );
    }

    #[test]
    fn automatic_buckets_aim_at_a_few_hundred() {
        assert_eq!(auto_bucket(3.0 * 3_600.0, 500.0), TimeBucket::Minute);
        assert_eq!(auto_bucket(365.0 * 86_400.0, 500.0), TimeBucket::Day);
        assert_eq!(auto_bucket(20.0 * 365.0 * 86_400.0, 500.0), TimeBucket::Month);
    }
}
