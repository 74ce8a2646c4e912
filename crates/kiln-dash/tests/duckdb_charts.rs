//! Charts planned and run on a real (in-memory) DuckDB, checked against the same numbers computed
//! with plain SQL over the same table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kiln_dash::{chart, Aggregation, ChartKind, ChartSpec, Column, Measure, Role, TimeBucket};
use kiln_warehouse::{Adapter, DuckDbAdapter};
use serde_json::Value;

fn warehouse() -> DuckDbAdapter {
    let adapter = DuckDbAdapter::in_memory().unwrap();
    // A day of readings every second from six sensors, with one spike; categories with DECIMALs.
    adapter
        .execute(
            "create table readings as select timestamp '2024-05-01' + to_seconds(i) as ts, 'sensor ' || (i % 6) as sensor, \
             sin(i / 600.0) * 10 + 20 + case when i = 40000 then 500 else 0 end as temp from range(86400) t(i); \
             create table sales as select ['Jazz','Pop','Opera','Plays'][1 + (i % 4)] as cat_name, \
             (i % 97 + 0.25)::decimal(8,2) as price_paid, 37.7 + (i % 10) / 1000.0 as lat, -122.4 - (i % 7) / 1000.0 as lon \
             from range(10000) t(i);",
        )
        .unwrap();
    adapter
}

fn columns(adapter: &DuckDbAdapter, table: &str) -> Vec<Column> {
    adapter
        .query(&format!("select * from {table} limit 0"), Some(0))
        .unwrap()
        .columns
        .into_iter()
        .map(|c| Column {
            name: c.name,
            data_type: c.data_type,
        })
        .collect()
}

fn scalar(adapter: &DuckDbAdapter, sql: &str) -> Value {
    adapter.query(sql, Some(1)).unwrap().rows.remove(0).remove(0)
}

#[test]
fn bars_sum_decimals_per_category_in_the_warehouse() {
    let adapter = warehouse();
    let mut spec = ChartSpec::new(ChartKind::Bar);
    spec.x = Some("cat_name".into());
    spec.y = vec![Measure {
        column: Some("price_paid".into()),
        aggregation: Aggregation::Sum,
    }];
    let data = chart(&adapter, "sales", &columns(&adapter, "sales"), &spec, 2000).unwrap();
    assert_eq!(data.roles, vec![Role::X, Role::Y]);
    assert_eq!(data.rows.len(), 4);
    let totals: Vec<f64> = data.rows.iter().map(|r| r[1].as_f64().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "biggest first: {totals:?}");
    let jazz = data.rows.iter().find(|r| r[0] == "Jazz").unwrap()[1].as_f64().unwrap();
    let expected: f64 = scalar(
        &adapter,
        "select sum(price_paid)::varchar from sales where cat_name = 'Jazz'",
    )
    .as_str()
    .unwrap()
    .parse()
    .unwrap();
    assert!((jazz - expected).abs() < 1e-6, "{jazz} vs {expected}");
}

#[test]
fn a_day_of_seconds_buckets_automatically_and_raw_points_down_sample_keeping_the_spike() {
    let adapter = warehouse();
    let cols = columns(&adapter, "readings");
    let mut spec = ChartSpec::new(ChartKind::Line);
    spec.x = Some("ts".into());
    spec.bucket = Some(TimeBucket::Auto);
    spec.series = Some("sensor".into());
    spec.y = vec![Measure {
        column: Some("temp".into()),
        aggregation: Aggregation::Avg,
    }];
    let data = chart(&adapter, "readings", &cols, &spec, 2000).unwrap();
    // A day in at most 500 buckets: minutes would be 1,440, so the hour.
    assert_eq!(data.spec.bucket, Some(TimeBucket::Hour));
    assert_eq!(data.rows.len(), 24 * 6, "24 hours × 6 sensors");

    spec.bucket = None;
    spec.series = None;
    spec.y[0].aggregation = Aggregation::None;
    let raw = chart(&adapter, "readings", &cols, &spec, 1000).unwrap();
    assert_eq!(raw.sampled_from, Some(86_400));
    assert_eq!(raw.rows.len(), 1000);
    assert_eq!(raw.rows[0].len(), 2, "the epoch helper column is not sent");
    let max = raw.rows.iter().map(|r| r[1].as_f64().unwrap()).fold(f64::MIN, f64::max);
    assert!(max > 500.0, "the spike is kept: {max}");

    // Per series, thinned in the warehouse (M4) and then by LTTB: each sensor's line still reaches
    // its own lowest and highest readings (LTTB may pick a neighbour of the exact extreme).
    spec.series = Some("sensor".into());
    let per_sensor = chart(&adapter, "readings", &cols, &spec, 300).unwrap();
    assert_eq!(per_sensor.sampled_from, Some(86_400));
    let extremes = adapter
        .query(
            "select sensor::varchar, min(temp)::double, max(temp)::double from readings group by 1",
            None,
        )
        .unwrap();
    assert_eq!(extremes.rows.len(), 6);
    for row in &extremes.rows {
        let drawn: Vec<f64> = per_sensor
            .rows
            .iter()
            .filter(|r| r[1].to_string().trim_matches('"') == row[0].as_str().unwrap())
            .map(|r| r[2].as_f64().unwrap())
            .collect();
        assert!(
            drawn.len() <= 300 && drawn.len() > 100,
            "{} points for {}",
            drawn.len(),
            row[0]
        );
        let low = drawn.iter().copied().fold(f64::MAX, f64::min);
        let high = drawn.iter().copied().fold(f64::MIN, f64::max);
        let (min, max) = (row[1].as_f64().unwrap(), row[2].as_f64().unwrap());
        let close = |a: f64, b: f64| (a - b).abs() < (max - min) * 1e-2;
        assert!(
            close(low, min) && close(high, max),
            "sensor {}: drawn {low}..{high}, data {min}..{max}",
            row[0]
        );
    }
}

#[test]
fn stats_maps_and_bad_specs() {
    let adapter = warehouse();
    let cols = columns(&adapter, "sales");
    let mut stat = ChartSpec::new(ChartKind::Stat);
    stat.y = vec![Measure {
        column: None,
        aggregation: Aggregation::Count,
    }];
    assert_eq!(
        chart(&adapter, "sales", &cols, &stat, 100).unwrap().value,
        serde_json::json!(10000.0)
    );

    let mut map = ChartSpec::new(ChartKind::PointMap);
    map.latitude = Some("lat".into());
    map.longitude = Some("lon".into());
    map.color = Some(Measure {
        column: Some("price_paid".into()),
        aggregation: Aggregation::Avg,
    });
    let points = chart(&adapter, "sales", &cols, &map, 100).unwrap();
    let distinct = scalar(&adapter, "select count(*) from (select distinct lat, lon from sales)");
    assert_eq!(points.rows.len() as u64, distinct.as_u64().unwrap());
    assert!(points.notes.is_empty(), "{:?}", points.notes);

    adapter
        .execute("insert into sales values ('Pop', 1, 95.0, 10.0), ('Pop', 1, null, 1.0)")
        .unwrap();
    let off = chart(&adapter, "sales", &cols, &map, 100).unwrap();
    assert_eq!(
        off.notes,
        vec!["2 rows have no valid latitude/longitude and are not on the map".to_string()]
    );

    map.latitude = Some("latitude".into());
    let err = chart(&adapter, "sales", &cols, &map, 100).unwrap_err();
    assert!(err.to_string().contains("'latitude'"), "{err}");
}
