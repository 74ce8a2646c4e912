//! Fills what a chart's kind needs and its spec leaves out, from the result's columns, with
//! Grafana's conventions: a Grafana panel names no columns (the query's shape says what is drawn),
//! so an imported panel is written as `chart: { kind: line }` and completed here each time it
//! runs. Explicit spec fields always win; only missing ones are filled.

use crate::plan::{is_numeric, is_temporal, Column};
use crate::spec::{Aggregation, ChartKind, ChartSpec, Measure};

/// The time column: a date/time named `time` (what Grafana's macros alias), else the first one.
fn time_column(columns: &[Column]) -> Option<&Column> {
    let temporal = || columns.iter().filter(|c| is_temporal(&c.data_type));
    temporal()
        .find(|c| c.name.eq_ignore_ascii_case("time"))
        .or_else(|| temporal().next())
}

fn is_text(column: &Column) -> bool {
    !is_numeric(&column.data_type) && !is_temporal(&column.data_type)
}

/// Grafana's series-name column in time-series results.
fn metric_column(columns: &[Column]) -> Option<&Column> {
    columns
        .iter()
        .find(|c| is_text(c) && c.name.eq_ignore_ascii_case("metric"))
}

/// A numeric column whose name is one of `names`, alone or as a suffix (`dest_lat`).
fn named_number<'a>(columns: &'a [Column], names: &[&str]) -> Option<&'a Column> {
    columns.iter().find(|c| {
        let lower = c.name.to_ascii_lowercase();
        is_numeric(&c.data_type) && names.iter().any(|n| lower == *n || lower.ends_with(&format!("_{n}")))
    })
}

/// Whether an aggregation reads a column's numbers (count may count rows instead).
fn needs_column(aggregation: Aggregation) -> bool {
    !matches!(aggregation, Aggregation::Count | Aggregation::CountDistinct)
}

/// `measure` with its column filled by `fallback` when it names none but needs one.
fn fill(measure: &Measure, fallback: Option<&Column>) -> Measure {
    let mut measure = measure.clone();
    if measure.column.is_none() && needs_column(measure.aggregation) {
        measure.column = fallback.map(|c| c.name.clone());
    }
    measure
}

/// `spec` with what its kind needs and leaves out taken from `columns`:
/// - line, area: `x` the time column, `series` a text column named `metric`, `y` every other
///   numeric column, each row a point (Grafana draws rows as they come);
/// - bar: `x` a text column (else the time column, split by `metric`), `y` every number summed;
/// - pie: `x` the `metric` or a text column, `y` the first number summed;
/// - stat, gauge: the first number, its latest value (Grafana's default `lastNotNull`);
/// - point map: latitude/longitude columns by name, a text column as a raw marker's label;
/// - region map, heatmap, scatter: the first columns of the types they take.
///
/// A measure that names no column but needs one (`{ aggregation: last }`) gets the first
/// number that is not otherwise used.
pub fn complete(spec: &ChartSpec, columns: &[Column]) -> ChartSpec {
    let mut out = spec.clone();
    let time = time_column(columns);
    let metric = metric_column(columns);
    let texts: Vec<&Column> = columns.iter().filter(|c| is_text(c)).collect();
    let name = |c: &Column| c.name.clone();
    match spec.kind {
        ChartKind::Table => return out,
        ChartKind::Line | ChartKind::Area => {
            if out.x.is_none() {
                out.x = time.or_else(|| texts.first().copied()).map(name);
            }
            if out.series.is_none() {
                out.series = metric.filter(|m| Some(&m.name) != out.x.as_ref()).map(name);
            }
        }
        ChartKind::Bar => {
            if out.x.is_none() {
                let category = texts
                    .iter()
                    .find(|c| Some(c.name.as_str()) != metric.map(|m| m.name.as_str()))
                    .copied();
                out.x = category.or(time).or(metric).map(name);
            }
            if out.series.is_none() && out.x.as_ref() != metric.map(|m| &m.name) {
                out.series = metric.map(name);
            }
        }
        ChartKind::Pie => {
            if out.x.is_none() {
                out.x = metric.or_else(|| texts.first().copied()).or(time).map(name);
            }
        }
        ChartKind::Heatmap => {
            if out.x.is_none() {
                out.x = time.or_else(|| texts.first().copied()).map(name);
            }
            if out.series.is_none() {
                out.series = texts.iter().find(|c| Some(&c.name) != out.x.as_ref()).map(|c| name(c));
            }
        }
        ChartKind::Scatter => {
            if out.x.is_none() {
                out.x = time
                    .or_else(|| columns.iter().find(|c| is_numeric(&c.data_type)))
                    .map(name);
            }
        }
        ChartKind::PointMap => {
            if out.latitude.is_none() {
                out.latitude = named_number(columns, &["latitude", "lat"]).map(name);
            }
            if out.longitude.is_none() {
                out.longitude = named_number(columns, &["longitude", "lon", "lng", "long"]).map(name);
            }
            // A label names each marker (and lets a click filter by it); it would also split
            // aggregated markers into groups, so only raw markers get one.
            let aggregated = [&out.size, &out.color]
                .iter()
                .any(|m| m.as_ref().is_some_and(|m| m.aggregation != Aggregation::None));
            if out.label.is_none() && !aggregated {
                out.label = texts.first().map(|c| name(c));
            }
        }
        ChartKind::RegionMap => {
            if out.region.is_none() {
                out.region = texts.first().map(|c| name(c));
            }
            if out.color.is_none() {
                out.color = Some(Measure {
                    column: None,
                    aggregation: Aggregation::Sum,
                });
            }
        }
        ChartKind::Stat | ChartKind::Gauge => {}
    }
    // Numbers not already placed on an axis, a map coordinate or the series.
    let placed = [&out.x, &out.series, &out.latitude, &out.longitude];
    let numbers: Vec<&Column> = columns
        .iter()
        .filter(|c| is_numeric(&c.data_type) && !placed.iter().any(|p| p.as_deref() == Some(c.name.as_str())))
        .collect();
    if out.y.is_empty() {
        out.y = match spec.kind {
            ChartKind::Line | ChartKind::Area => numbers
                .iter()
                .map(|c| Measure {
                    column: Some(c.name.clone()),
                    aggregation: Aggregation::None,
                })
                .collect(),
            ChartKind::Scatter => numbers
                .first()
                .map(|c| Measure {
                    column: Some(c.name.clone()),
                    aggregation: Aggregation::None,
                })
                .into_iter()
                .collect(),
            // Grafana's bar chart draws every number as a bar of each group.
            ChartKind::Bar => numbers
                .iter()
                .map(|c| Measure {
                    column: Some(c.name.clone()),
                    aggregation: Aggregation::Sum,
                })
                .collect(),
            ChartKind::Pie | ChartKind::Heatmap => vec![Measure {
                column: None,
                aggregation: Aggregation::Sum,
            }],
            ChartKind::Stat | ChartKind::Gauge => vec![Measure {
                column: None,
                aggregation: Aggregation::Last,
            }],
            ChartKind::PointMap | ChartKind::RegionMap | ChartKind::Table => Vec::new(),
        };
    }
    // Measures without a column take the numbers in order, the first one shared when they run out.
    let mut next = numbers.iter().copied();
    let first = numbers.first().copied();
    out.y = out.y.iter().map(|m| fill(m, next.next().or(first))).collect();
    out.color = out.color.as_ref().map(|m| fill(m, first));
    out.size = out.size.as_ref().map(|m| fill(m, first));
    out
}

/// `body` with a numeric column named `time` turned into a TIMESTAMP, when it has one: Grafana's
/// macros (`$__timeGroup`, `$__unixEpochGroup`, `$__timeEpoch`) give epoch seconds there, and
/// Grafana's SQL data sources draw such a column as a time (seconds, or milliseconds and
/// nanoseconds told apart by their size, as Grafana does). Timestamps come out in UTC, like the
/// macros' own times.
pub fn epoch_time_sql(body: &str, columns: &[Column]) -> Option<String> {
    let time = columns
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case("time") && is_numeric(&c.data_type))?;
    let t = format!("CAST({} AS DOUBLE)", kiln_warehouse::quote_ident(&time.name));
    Some(format!(
        "SELECT * REPLACE (make_timestamp(CAST(round(CASE WHEN abs({t}) >= 1e17 THEN {t} / 1e3 WHEN abs({t}) >= 1e11 THEN {t} * 1e3 ELSE {t} * 1e6 END) AS BIGINT)) AS {}) FROM ({body}) AS grafana_time",
        kiln_warehouse::quote_ident(&time.name)
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    use crate::plan::test_columns as cols;

    fn measure(column: &str, aggregation: Aggregation) -> Measure {
        Measure {
            column: Some(column.into()),
            aggregation,
        }
    }

    #[test]
    fn time_series_take_the_time_column_the_metric_and_every_number() {
        let columns = cols(&[
            ("metric", "VARCHAR"),
            ("time", "TIMESTAMP"),
            ("sales", "DOUBLE"),
            ("commission", "DECIMAL(12,2)"),
        ]);
        let line = complete(&ChartSpec::new(ChartKind::Line), &columns);
        assert_eq!(line.x.as_deref(), Some("time"));
        assert_eq!(line.series.as_deref(), Some("metric"));
        assert_eq!(
            line.y,
            vec![
                measure("sales", Aggregation::None),
                measure("commission", Aggregation::None)
            ]
        );
        // `time` wins over an earlier date/time column.
        let two = cols(&[("day", "DATE"), ("time", "TIMESTAMP"), ("v", "BIGINT")]);
        assert_eq!(
            complete(&ChartSpec::new(ChartKind::Area), &two).x.as_deref(),
            Some("time")
        );
    }

    #[test]
    fn explicit_fields_win() {
        let columns = cols(&[("time", "TIMESTAMP"), ("a", "DOUBLE"), ("b", "DOUBLE")]);
        let mut spec = ChartSpec::new(ChartKind::Line);
        spec.y = vec![measure("b", Aggregation::Avg)];
        let done = complete(&spec, &columns);
        assert_eq!(done.y, spec.y);
        assert_eq!(done.x.as_deref(), Some("time"));
    }

    #[test]
    fn bars_and_pies_sum_by_a_text_column() {
        let columns = cols(&[("cat_group", "VARCHAR"), ("qty", "BIGINT"), ("sales", "DOUBLE")]);
        let bars = complete(&ChartSpec::new(ChartKind::Bar), &columns);
        assert_eq!(bars.x.as_deref(), Some("cat_group"));
        assert_eq!(
            bars.y,
            vec![measure("qty", Aggregation::Sum), measure("sales", Aggregation::Sum)]
        );
        let pie = complete(&ChartSpec::new(ChartKind::Pie), &columns);
        assert_eq!(pie.x.as_deref(), Some("cat_group"));
        assert_eq!(pie.y, vec![measure("qty", Aggregation::Sum)]);
        // Bars over time split by the metric.
        let over_time = cols(&[("time", "TIMESTAMP"), ("metric", "VARCHAR"), ("v", "DOUBLE")]);
        let bars = complete(&ChartSpec::new(ChartKind::Bar), &over_time);
        assert_eq!(
            (bars.x.as_deref(), bars.series.as_deref()),
            (Some("time"), Some("metric"))
        );
        let pie = complete(&ChartSpec::new(ChartKind::Pie), &over_time);
        assert_eq!(pie.x.as_deref(), Some("metric"));
    }

    #[test]
    fn stats_and_gauges_show_the_latest_value_of_the_first_number() {
        let columns = cols(&[("time", "TIMESTAMP"), ("total", "DOUBLE"), ("other", "DOUBLE")]);
        for kind in [ChartKind::Stat, ChartKind::Gauge] {
            let done = complete(&ChartSpec::new(kind), &columns);
            assert_eq!(done.y, vec![measure("total", Aggregation::Last)]);
            assert_eq!(done.x, None, "no trend unless asked");
        }
        // An imported reduction without a column gets one.
        let mut spec = ChartSpec::new(ChartKind::Stat);
        spec.y = vec![Measure {
            column: None,
            aggregation: Aggregation::Max,
        }];
        assert_eq!(complete(&spec, &columns).y, vec![measure("total", Aggregation::Max)]);
        // Counting rows needs no column.
        spec.y[0].aggregation = Aggregation::Count;
        assert_eq!(complete(&spec, &columns).y[0].column, None);
    }

    #[test]
    fn point_maps_find_coordinates_by_name() {
        let columns = cols(&[
            ("venue", "VARCHAR"),
            ("lat", "DOUBLE"),
            ("long", "DOUBLE"),
            ("sales", "DOUBLE"),
        ]);
        let mut spec = ChartSpec::new(ChartKind::PointMap);
        spec.size = Some(Measure {
            column: None,
            aggregation: Aggregation::None,
        });
        let done = complete(&spec, &columns);
        assert_eq!(
            (
                done.latitude.as_deref(),
                done.longitude.as_deref(),
                done.label.as_deref()
            ),
            (Some("lat"), Some("long"), Some("venue"))
        );
        assert_eq!(done.size, Some(measure("sales", Aggregation::None)));
        assert_eq!(done.color, None);
        assert!(done.y.is_empty());
    }
}
