//! The first chart a result gets, from its columns' names and types and a sample of its rows: a
//! time column and numbers make a time series, text and numbers make bars, latitude/longitude make
//! a point map, US states or countries make a region map, a single number makes a stat.

use serde_json::Value;

use crate::plan::{is_numeric, is_temporal, Column};
use crate::regions::{country_key, us_state_key};
use crate::spec::{Aggregation, ChartKind, ChartSpec, Measure, RegionSet, TimeBucket};

fn named(columns: &[Column], names: &[&str]) -> Option<usize> {
    columns.iter().position(|c| {
        let lower = c.name.to_ascii_lowercase();
        is_numeric(&c.data_type) && names.iter().any(|n| lower == *n || lower.ends_with(&format!("_{n}")))
    })
}

/// Text columns whose sampled values are (nearly) all US states, or all countries.
fn region_column(columns: &[Column], sample: &[Vec<Value>]) -> Option<(usize, RegionSet)> {
    let texts = columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.data_type.eq_ignore_ascii_case("VARCHAR"));
    for (k, _) in texts {
        let values: Vec<&str> = sample.iter().filter_map(|row| row.get(k)?.as_str()).collect();
        if values.len() < 3 {
            continue;
        }
        let share = |matches: usize| matches * 10 >= values.len() * 9;
        if share(values.iter().filter(|v| us_state_key(v).is_some()).count()) {
            return Some((k, RegionSet::UsStates));
        }
        if share(values.iter().filter(|v| country_key(v).is_some()).count()) {
            return Some((k, RegionSet::WorldCountries));
        }
    }
    None
}

fn sum_of(column: &Column) -> Measure {
    Measure {
        column: Some(column.name.clone()),
        aggregation: Aggregation::Sum,
    }
}

/// Columns that are numbers but name things (ids, keys, calendar parts) make poor measures.
fn is_measure(column: &Column) -> bool {
    let lower = column.name.to_ascii_lowercase();
    let names_a_thing = lower == "id" || lower.ends_with("_id") || lower.ends_with("id") && lower.len() <= 6;
    let calendar = ["year", "qtr", "quarter", "month", "week", "day", "hour", "minute"]
        .iter()
        .any(|part| lower == *part || lower.ends_with(&format!("_{part}")));
    is_numeric(&column.data_type) && !names_a_thing && !calendar
}

/// Amounts (DECIMAL, floating point) before counts (integers): `price_paid` over `qty_sold`.
fn measures(columns: &[Column]) -> Vec<&Column> {
    let mut found: Vec<&Column> = columns.iter().filter(|c| is_measure(c)).collect();
    found.sort_by_key(|c| {
        let t = c.data_type.to_ascii_uppercase();
        !(t.starts_with("DECIMAL") || t.starts_with("NUMERIC") || t == "DOUBLE" || t == "FLOAT" || t == "REAL")
    });
    found
}

/// The chart a result of `columns` (and these first rows) most likely wants; a table when
/// nothing fits.
pub fn suggest(columns: &[Column], sample: &[Vec<Value>]) -> ChartSpec {
    let measures = measures(columns);
    if let (Some(lat), Some(lon)) = (
        named(columns, &["latitude", "lat"]),
        named(columns, &["longitude", "lon", "lng", "long"]),
    ) {
        let mut spec = ChartSpec::new(ChartKind::PointMap);
        spec.latitude = Some(columns[lat].name.clone());
        spec.longitude = Some(columns[lon].name.clone());
        let value = measures
            .iter()
            .find(|c| c.name != columns[lat].name && c.name != columns[lon].name);
        if let Some(value) = value {
            spec.color = Some(Measure {
                column: Some(value.name.clone()),
                aggregation: Aggregation::None,
            });
            spec.size = spec.color.clone();
        }
        spec.label = columns
            .iter()
            .find(|c| c.data_type.eq_ignore_ascii_case("VARCHAR"))
            .map(|c| c.name.clone());
        return spec;
    }
    let time = columns.iter().find(|c| is_temporal(&c.data_type));
    if let (Some(time), Some(first)) = (time, measures.first()) {
        let mut spec = ChartSpec::new(ChartKind::Line);
        spec.x = Some(time.name.clone());
        spec.bucket = Some(TimeBucket::Auto);
        spec.y = vec![sum_of(first)];
        return spec;
    }
    if let (Some((k, regions)), Some(first)) = (region_column(columns, sample), measures.first()) {
        let mut spec = ChartSpec::new(ChartKind::RegionMap);
        spec.region = Some(columns[k].name.clone());
        spec.regions = Some(regions);
        spec.color = Some(sum_of(first));
        return spec;
    }
    let text = columns
        .iter()
        .find(|c| !is_numeric(&c.data_type) && !is_temporal(&c.data_type));
    if let (Some(text), Some(first)) = (text, measures.first()) {
        let mut spec = ChartSpec::new(ChartKind::Bar);
        spec.x = Some(text.name.clone());
        spec.y = vec![sum_of(first)];
        return spec;
    }
    match measures.as_slice() {
        [only] if sample.len() == 1 => {
            let mut spec = ChartSpec::new(ChartKind::Stat);
            spec.y = vec![sum_of(only)];
            spec
        }
        [x, y, ..] => {
            let mut spec = ChartSpec::new(ChartKind::Scatter);
            spec.x = Some(x.name.clone());
            spec.y = vec![Measure {
                column: Some(y.name.clone()),
                aggregation: Aggregation::None,
            }];
            spec
        }
        _ => ChartSpec::new(ChartKind::Table),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::plan::test_columns as cols;

    #[test]
    fn picks_by_types_and_names() {
        let time = suggest(
            &cols(&[
                ("ts", "TIMESTAMP"),
                ("sensor_id", "INTEGER"),
                ("qtr", "INTEGER"),
                ("qty", "INTEGER"),
                ("temp", "DOUBLE"),
            ]),
            &[],
        );
        assert_eq!((time.kind, time.x.as_deref()), (ChartKind::Line, Some("ts")));
        assert_eq!(time.y[0].column.as_deref(), Some("temp"), "ids are not measures");

        let bars = suggest(&cols(&[("cat_name", "VARCHAR"), ("sales", "DECIMAL(12,2)")]), &[]);
        assert_eq!((bars.kind, bars.x.as_deref()), (ChartKind::Bar, Some("cat_name")));

        let map = suggest(
            &cols(&[
                ("sensor", "VARCHAR"),
                ("latitude", "DOUBLE"),
                ("longitude", "DOUBLE"),
                ("avg_temp", "DOUBLE"),
            ]),
            &[],
        );
        assert_eq!(map.kind, ChartKind::PointMap);
        assert_eq!(map.color.and_then(|m| m.column).as_deref(), Some("avg_temp"));

        let sample = vec![
            vec![json!("CA"), json!(1)],
            vec![json!("New York"), json!(2)],
            vec![json!("TX"), json!(3)],
        ];
        let states = suggest(&cols(&[("buyer_state", "VARCHAR"), ("sales", "DOUBLE")]), &sample);
        assert_eq!(
            (states.kind, states.regions),
            (ChartKind::RegionMap, Some(RegionSet::UsStates))
        );

        let stat = suggest(&cols(&[("total", "BIGINT")]), &[vec![json!(42)]]);
        assert_eq!(stat.kind, ChartKind::Stat);
        assert_eq!(suggest(&cols(&[("name", "VARCHAR")]), &[]).kind, ChartKind::Table);
    }
}
