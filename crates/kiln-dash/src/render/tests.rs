//! The renderer on known chart data: what the SVG draws is counted (one `<rect>` per bar, one
//! `<circle>` per marker, one `<polygon>` per filled region or slice), and a PNG decodes to the
//! size asked for.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};

use super::style::{viridis, PALETTE};
use super::*;
use crate::plan::Role;
use crate::spec::{Aggregation, ChartSpec, Measure, TimeBucket};

fn measure(column: &str) -> Measure {
    Measure {
        column: Some(column.into()),
        aggregation: Aggregation::Sum,
    }
}

fn data(spec: ChartSpec, roles: Vec<Role>, rows: Vec<Vec<Value>>) -> ChartData {
    ChartData {
        columns: (0..roles.len()).map(|k| format!("c{k}")).collect(),
        spec,
        roles,
        rows,
        value: Value::Null,
        sampled_from: None,
        notes: Vec::new(),
        sql: String::new(),
    }
}

fn svg(data: &ChartData) -> String {
    String::from_utf8(render(data, "A chart", 640, 360, Format::Svg).unwrap()).unwrap()
}

/// Elements `<tag …>` whose fill is `fill` (`#RRGGBB`).
fn count(svg: &str, tag: &str, fill: &str) -> usize {
    svg.split('<')
        .filter(|e| e.starts_with(&format!("{tag} ")) && e.contains(&format!("fill=\"{fill}\"")))
        .count()
}

/// The texts the SVG shows.
fn texts(svg: &str) -> Vec<String> {
    svg.split("<text ")
        .skip(1)
        .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim().to_string()))
        .collect()
}

fn has(svg: &str, text: &str) -> bool {
    texts(svg).iter().any(|t| t == text)
}

fn tags(svg: &str, tag: &str) -> usize {
    svg.split('<').filter(|e| e.starts_with(&format!("{tag} "))).count()
}

fn bars() -> ChartData {
    let mut spec = ChartSpec::new(ChartKind::Bar);
    spec.x = Some("cat".into());
    spec.y = vec![measure("sales")];
    data(
        spec,
        vec![Role::X, Role::Y],
        vec![
            vec![json!("Musicals"), json!(120.5)],
            vec![json!("Plays"), json!("80.25")],
            vec![json!("Opera"), json!(40)],
            vec![json!("Pop"), json!(-10)],
        ],
    )
}

#[test]
fn one_rect_per_bar_and_the_category_names() {
    let out = svg(&bars());
    assert_eq!(count(&out, "rect", &PALETTE[0].css()), 4, "{out}");
    for name in ["Musicals", "Plays", "Opera", "Pop", "A chart"] {
        assert!(has(&out, name), "{name} missing");
    }
}

#[test]
fn grouped_stacked_and_horizontal_bars() {
    let mut grouped = bars();
    grouped.spec.y.push(measure("commission"));
    grouped.roles.push(Role::Y);
    for (k, row) in grouped.rows.iter_mut().enumerate() {
        row.push(json!(k + 1));
    }
    let out = svg(&grouped);
    // Four bars of each measure, and a legend swatch each.
    assert_eq!(count(&out, "rect", &PALETTE[0].css()), 5);
    assert_eq!(count(&out, "rect", &PALETTE[1].css()), 5);
    assert!(has(&out, "sum of commission"));

    let mut horizontal = bars();
    horizontal.spec.horizontal = true;
    let out = svg(&horizontal);
    assert_eq!(count(&out, "rect", &PALETTE[0].css()), 4);

    // Stacked series: one rect per (category, series), one bar slot per category.
    let mut spec = ChartSpec::new(ChartKind::Bar);
    spec.x = Some("month".into());
    spec.series = Some("group".into());
    spec.stacked = true;
    spec.y = vec![measure("sales")];
    let stacked = data(
        spec,
        vec![Role::X, Role::Series, Role::Y],
        vec![
            vec![json!("a"), json!("Shows"), json!(1)],
            vec![json!("a"), json!("Sports"), json!(2)],
            vec![json!("b"), json!("Shows"), json!(3)],
        ],
    );
    let out = svg(&stacked);
    assert_eq!(count(&out, "rect", &PALETTE[0].css()), 2 + 1);
    assert_eq!(count(&out, "rect", &PALETTE[1].css()), 1 + 1);
}

fn monthly(kind: ChartKind, stacked: bool) -> ChartData {
    let mut spec = ChartSpec::new(kind);
    spec.x = Some("sale_time".into());
    spec.bucket = Some(TimeBucket::Month);
    spec.series = Some("cat_group".into());
    spec.stacked = stacked;
    spec.y = vec![measure("price_paid")];
    let mut rows = Vec::new();
    for month in 1..=12 {
        for (k, group) in ["Concerts", "Shows", "Sports"].iter().enumerate() {
            rows.push(vec![
                json!(format!("2008-{month:02}-01T00:00:00")),
                json!(group),
                json!((month * (k + 1)) as f64 * 1_000.0),
            ]);
        }
    }
    data(spec, vec![Role::X, Role::Series, Role::Y], rows)
}

#[test]
fn a_time_series_has_a_date_axis_a_legend_and_one_line_per_series() {
    let out = svg(&monthly(ChartKind::Line, false));
    assert!(has(&out, "2008") && has(&out, "Apr"), "{out}");
    for group in ["Concerts", "Shows", "Sports"] {
        assert!(has(&out, group), "legend {group}");
    }
    // A line per series in its colour (the grid and axis lines are grey).
    for color in &PALETTE[..3] {
        let stroke = format!("stroke=\"{}\"", color.css());
        assert_eq!(
            out.split('<')
                .filter(|e| e.starts_with("polyline ") && e.contains(&stroke))
                .count(),
            1
        );
    }
    let area = svg(&monthly(ChartKind::Area, true));
    assert_eq!(tags(&area, "polygon"), 3);
    assert!(
        has(&area, "45k") || has(&area, "50k") || has(&area, "80k"),
        "stacked to 72k: {area}"
    );
}

#[test]
fn scatter_draws_a_point_per_row() {
    let mut spec = ChartSpec::new(ChartKind::Scatter);
    spec.x = Some("a".into());
    spec.y = vec![Measure {
        column: Some("b".into()),
        aggregation: Aggregation::None,
    }];
    let rows = (0..25).map(|k| vec![json!(k), json!(k * k)]).collect();
    let out = svg(&data(spec, vec![Role::X, Role::Y], rows));
    assert_eq!(count(&out, "circle", &PALETTE[0].css()), 25);
}

#[test]
fn a_stat_is_its_number_its_measure_and_its_trend() {
    let mut spec = ChartSpec::new(ChartKind::Stat);
    spec.y = vec![measure("price_paid")];
    let mut stat = data(spec, vec![Role::Y], vec![vec![json!(1_234_567.891)]]);
    stat.value = json!(1_234_567.891);
    let out = svg(&stat);
    assert!(has(&out, "1,234,567.89"), "{out}");
    assert!(has(&out, "sum of price_paid"));
    assert_eq!(tags(&out, "polygon"), 0);
    stat.spec.x = Some("day".into());
    stat.roles = vec![Role::X, Role::Y];
    stat.rows = vec![vec![json!("2008-01-01"), json!(3)], vec![json!("2008-01-02"), json!(5)]];
    assert_eq!(tags(&svg(&stat), "polygon"), 1);
}

#[test]
fn a_table_shows_headers_and_the_rows_that_fit() {
    let spec = ChartSpec::new(ChartKind::Table);
    let rows = (0..100).map(|k| vec![json!(format!("event {k}")), json!(k)]).collect();
    let mut table = data(spec, Vec::new(), rows);
    table.columns = vec!["event_name".into(), "sold".into()];
    let out = svg(&table);
    assert!(has(&out, "event_name") && has(&out, "event 0"));
    // 360 px less title and padding: about thirteen rows, then how many were left out.
    assert!(texts(&out).iter().any(|t| t.ends_with("of 100 rows")), "{out}");
    assert!(!has(&out, "event 99"));
}

#[test]
fn heatmap_cells_pie_slices_and_a_gauge() {
    let mut spec = ChartSpec::new(ChartKind::Heatmap);
    spec.x = Some("hour".into());
    spec.series = Some("day".into());
    spec.y = vec![measure("n")];
    let rows = (0..6)
        .flat_map(|h| (0..3).map(move |d| vec![json!(h), json!(format!("day {d}")), json!(h * d)]))
        .collect();
    let out = svg(&data(spec, vec![Role::X, Role::Series, Role::Y], rows));
    // 18 cells plus the 32 steps of the scale.
    assert_eq!(tags(&out, "rect") - 1, 18 + 32, "{out}");

    let mut spec = ChartSpec::new(ChartKind::Pie);
    spec.x = Some("cat".into());
    spec.y = vec![measure("sales")];
    let pie = data(
        spec,
        vec![Role::X, Role::Y],
        vec![
            vec![json!("a"), json!(3)],
            vec![json!("b"), json!(1)],
            vec![json!("c"), json!(0)],
        ],
    );
    let out = svg(&pie);
    assert_eq!(tags(&out, "polygon"), 2);
    assert!(has(&out, "75.0%") && has(&out, "25.0%"));

    let mut spec = ChartSpec::new(ChartKind::Gauge);
    spec.y = vec![measure("temp")];
    spec.max = Some(40.0);
    let mut gauge = data(spec, vec![Role::Y], vec![vec![json!(21.5)]]);
    gauge.value = json!(21.5);
    let out = svg(&gauge);
    assert!(has(&out, "21.5") && has(&out, "40"));
    assert_eq!(tags(&out, "polygon"), 2);
}

#[test]
fn a_point_map_draws_every_marker_with_a_scale_bar() {
    let mut spec = ChartSpec::new(ChartKind::PointMap);
    spec.latitude = Some("lat".into());
    spec.longitude = Some("lon".into());
    // Sensors a few hundred metres apart in one city: spread out, not one blob.
    let rows: Vec<Vec<Value>> = (0..7)
        .map(|k| vec![json!(47.37 + f64::from(k) * 0.002), json!(8.54 + f64::from(k) * 0.003)])
        .collect();
    let out = svg(&data(spec.clone(), vec![Role::Latitude, Role::Longitude], rows.clone()));
    assert_eq!(count(&out, "circle", &PALETTE[0].css()), 7);
    let centres: std::collections::HashSet<String> = out
        .split('<')
        .filter(|e| e.starts_with("circle ") && e.contains(&format!("fill=\"{}\"", PALETTE[0].css())))
        .map(|e| e.split(" r=").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(centres.len(), 7, "markers overlap: {centres:?}");
    assert!(
        texts(&out).iter().any(|t| t.ends_with(" m") || t.ends_with(" km")),
        "no scale bar"
    );

    // Coloured by a value: a class colour each, and the legend.
    spec.color = Some(measure("temp"));
    let coloured: Vec<Vec<Value>> = rows
        .iter()
        .enumerate()
        .map(|(k, r)| vec![r[0].clone(), r[1].clone(), json!(k)])
        .collect();
    let out = svg(&data(
        spec,
        vec![Role::Latitude, Role::Longitude, Role::Color],
        coloured,
    ));
    assert!(count(&out, "circle", &viridis(1.0).css()) >= 1);
    assert!(has(&out, "sum of temp"));
}

#[test]
fn a_region_map_fills_the_states_named_and_says_which_match_nothing() {
    let mut spec = ChartSpec::new(ChartKind::RegionMap);
    spec.region = Some("state".into());
    spec.regions = Some(RegionSet::UsStates);
    spec.color = Some(measure("sales"));
    // Single-polygon states, by name and by code, and one that is no state.
    let rows = vec![
        vec![json!("Colorado"), json!(10)],
        vec![json!("KS"), json!(20)],
        vec![json!("Utah"), json!(30)],
        vec![json!("Atlantis"), json!(40)],
    ];
    let out = svg(&data(spec, vec![Role::Region, Role::Color], rows));
    let classes = super::style::quantile_classes([10.0, 20.0, 30.0], 5).unwrap();
    let filled: usize = classes.colors.iter().map(|c| count(&out, "polygon", &c.css())).sum();
    assert_eq!(filled, 3, "{out}");
    assert!(has(&out, "1 value matches no shape: Atlantis"), "{out}");
}

#[test]
fn png_decodes_at_the_size_asked_for() {
    let bytes = render(&monthly(ChartKind::Area, true), "Sales by month", 500, 300, Format::Png).unwrap();
    let decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), (500, 300));
    // Something was drawn: not every pixel is the white background.
    assert!(pixels.chunks(3).any(|p| p != [255, 255, 255]));
    assert!(matches!(
        render(&bars(), "", 4, 300, Format::Png),
        Err(RenderError::Size { width: 4, .. })
    ));
}

#[test]
fn failures_and_dashboards_render_too() {
    let out = String::from_utf8(
        render_message("Sales", "K4001 table fct_sales does not exist", 400, 200, Format::Svg).unwrap(),
    )
    .unwrap();
    assert!(out.contains("does not exist"));
    let data = bars();
    let panels = [
        DashboardPanel {
            title: "Bars",
            grid: GridPos {
                x: 0,
                y: 0,
                w: 12,
                h: 8,
            },
            chart: Ok(&data),
            shapes: None,
        },
        DashboardPanel {
            title: "Broken",
            grid: GridPos {
                x: 12,
                y: 0,
                w: 12,
                h: 8,
            },
            chart: Err("the query failed"),
            shapes: None,
        },
    ];
    let out = String::from_utf8(render_dashboard("Sales", &panels, 1200, Format::Svg).unwrap()).unwrap();
    assert_eq!(count(&out, "rect", &PALETTE[0].css()), 4);
    assert!(has(&out, "Broken") && has(&out, "the query failed"));
}
