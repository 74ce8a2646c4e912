//! Importing a Grafana dashboard through the studio's API (issue 9, item 6): the fixture in
//! tests/fixtures/grafana has every panel type and macro Kiln converts; each converted panel must
//! draw what direct SQL over the warehouse says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;

use common::{open_tickit, until_run_finished};
use kiln_api::dto::{ImportGrafanaRequest, ImportGrafanaResponse};
use kiln_api::Studio;
use kiln_dash::{ChartData, ChartKind, Role};
use serde_json::{json, Value};

const PATH: &str = "dashboards/tickit_in_grafana.yml";
/// The fixture's time range, as `$__timeFilter` writes it.
const RANGE: &str = "sale_time between '2008-01-01T00:00:00Z' and '2009-01-01T00:00:00Z'";

fn fixture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/grafana/tickit_grafana.json");
    std::fs::read_to_string(path).unwrap()
}

async fn import(
    studio: &Studio,
    json: String,
    overwrite: Option<bool>,
) -> Result<ImportGrafanaResponse, kiln_api::ApiError> {
    studio
        .import_grafana_dashboard(ImportGrafanaRequest {
            json,
            name: None,
            overwrite,
            file_name: Some("tickit_grafana.json".into()),
        })
        .await
}

/// One value of SQL run in the console.
async fn scalar(studio: &Studio, sql: &str) -> Value {
    let answer = studio.dispatch("runQuery", json!({ "sql": sql })).await.unwrap();
    answer["statements"][0]["firstPage"][0][0].clone()
}

async fn number(studio: &Studio, sql: &str) -> f64 {
    let value = scalar(studio, sql).await;
    value
        .as_f64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("{sql} gave {value}"))
}

/// A panel's data as the studio asks for it (variables at their defaults: All).
async fn panel(studio: &Studio, index: usize) -> ChartData {
    let answer = studio
        .dispatch("panelData", json!({ "path": PATH, "panel": index }))
        .await
        .unwrap_or_else(|e| panic!("panel {index}: {:?}", e.diagnostic));
    serde_json::from_value(answer).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_imported_grafana_dashboard_draws_what_the_warehouse_says() {
    let fx = open_tickit().await;
    let studio = &fx.studio;

    let imported = import(studio, fixture(), None).await.unwrap();
    assert_eq!(imported.path, PATH);
    assert_eq!((imported.title.as_str(), imported.panels), ("TICKIT in Grafana", 11));
    assert!(imported
        .not_converted
        .iter()
        .any(|s| s.starts_with("panel 'Read me' (text)")));
    let written = std::fs::read_to_string(fx.root.join(PATH)).unwrap();
    assert!(written.starts_with("# Imported from tickit_grafana.json"), "{written}");

    // A second import refuses to replace the file, naming it; `overwrite` replaces it.
    let refused = import(studio, fixture(), None).await.unwrap_err();
    assert_eq!(refused.diagnostic.code, "K7002");
    assert!(
        refused
            .diagnostic
            .message
            .contains("dashboards/tickit_in_grafana.yml already exists"),
        "{:?}",
        refused.diagnostic
    );
    import(studio, fixture(), Some(true)).await.unwrap();
    // Not JSON, or too old a model: coded errors, nothing written.
    let bad = import(studio, "{ not json".into(), None).await.unwrap_err();
    assert_eq!((bad.diagnostic.code.as_str(), bad.diagnostic.line), ("K7002", Some(1)));
    let old = import(
        studio,
        fixture().replace("\"schemaVersion\": 39", "\"schemaVersion\": 16"),
        Some(true),
    )
    .await
    .unwrap_err();
    assert!(
        old.diagnostic.message.contains("schema version 16"),
        "{:?}",
        old.diagnostic
    );

    let list = studio.dispatch("dashboards", json!({})).await.unwrap();
    let entry = list["dashboards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == PATH)
        .expect("the imported dashboard is listed")
        .clone();
    assert_eq!(entry["error"], Value::Null, "{entry}");
    let opened = studio.dispatch("openDashboard", json!({ "path": PATH })).await.unwrap();
    assert_eq!(opened["refreshSeconds"], json!(60.0));
    let titles: Vec<String> = opened["dashboard"]["panels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_string())
        .collect();
    let at = |title: &str| titles.iter().position(|t| t == title).unwrap();

    let mut events = studio.subscribe();
    let run = studio
        .dispatch(
            "startRun",
            json!({ "command": "build", "select": ["+fct_sales"], "exclude": [], "threads": 2 }),
        )
        .await
        .unwrap();
    until_run_finished(&mut events, run["runId"].as_str().unwrap()).await;

    // Stats and the gauge: Grafana's reductions (sum, mean, last not null by time).
    let total = panel(studio, at("Total sales")).await;
    let expected = number(
        studio,
        &format!("select sum(price_paid)::double from main.fct_sales where {RANGE}"),
    )
    .await;
    assert!(
        close(total.value.as_f64().unwrap(), expected),
        "{} vs {expected}",
        total.value
    );
    let average = panel(studio, at("Average price")).await;
    assert_eq!(average.spec.kind, ChartKind::Gauge);
    assert_eq!((average.spec.min, average.spec.max), (Some(0.0), Some(1500.0)));
    let expected = number(
        studio,
        "select avg(price_paid)::double from main.fct_sales where sale_time >= '2008-01-01T00:00:00Z' and sale_time < '2009-01-01T00:00:00Z'",
    )
    .await;
    assert!(
        close(average.value.as_f64().unwrap(), expected),
        "{} vs {expected}",
        average.value
    );
    let last_day = panel(studio, at("Tickets on the last day")).await;
    let expected = number(
        studio,
        &format!("select sum(qty_sold)::double from main.fct_sales where {RANGE} group by floor(epoch(sale_time) / 86400) order by floor(epoch(sale_time) / 86400) desc limit 1"),
    )
    .await;
    assert!(
        close(last_day.value.as_f64().unwrap(), expected),
        "{} vs {expected}",
        last_day.value
    );
    let buyers = panel(studio, at("Buyers")).await;
    let expected = number(
        studio,
        &format!("select count(distinct buyer_username) from main.fct_sales where {RANGE}"),
    )
    .await;
    assert!(close(buyers.value.as_f64().unwrap(), expected));

    // A time series over `$__timeGroup(sale_time, $__interval)`: a year over ~1,000 points is a
    // 12-hour interval; the numeric `time` it gives is drawn as a time.
    let over_time = panel(studio, at("Sales over time")).await;
    assert_eq!(over_time.spec.x.as_deref(), Some("time"));
    assert_eq!(over_time.roles, [Role::X, Role::Y]);
    let buckets = number(
        studio,
        &format!("select count(distinct floor(epoch(sale_time) / 43200)) from main.fct_sales where {RANGE}"),
    )
    .await;
    assert_eq!(over_time.rows.len() as f64, buckets);
    assert!(
        over_time.rows[0][0].as_str().is_some_and(|t| t.starts_with("2008-")),
        "{:?}",
        over_time.rows[0]
    );

    // Bars of every number per category group (as Grafana's bar chart), filtered by the query
    // variable at its default, All.
    let groups = panel(studio, at("Sales by category group")).await;
    assert_eq!(groups.roles, [Role::X, Role::Y, Role::Y]);
    assert_eq!(
        groups.rows.len() as f64,
        number(
            studio,
            &format!("select count(distinct cat_group) from main.fct_sales where {RANGE}")
        )
        .await
    );
    let first = groups.rows[0][0].as_str().unwrap().replace('\'', "''");
    let expected = number(
        studio,
        &format!("select sum(price_paid)::double from main.fct_sales where {RANGE} and cat_group = '{first}'"),
    )
    .await;
    assert!(close(groups.rows[0][1].as_f64().unwrap(), expected));

    // A pie: one slice per category (the `metric` column), summing to the tickets sold.
    let pie = panel(studio, at("Share of categories")).await;
    assert_eq!(pie.spec.kind, ChartKind::Pie);
    assert_eq!(pie.spec.x.as_deref(), Some("metric"));
    let categories = number(
        studio,
        &format!("select count(distinct cat_name) from main.fct_sales where {RANGE}"),
    )
    .await;
    assert_eq!(pie.rows.len() as f64, categories);
    let slices: f64 = pie.rows.iter().map(|r| r[1].as_f64().unwrap()).sum();
    let tickets = number(
        studio,
        &format!("select sum(qty_sold)::double from main.fct_sales where {RANGE}"),
    )
    .await;
    assert!(close(slices, tickets), "{slices} vs {tickets}");

    let table = panel(studio, at("Top events")).await;
    assert_eq!(table.columns, ["event_name", "cat_name", "tickets", "sales"]);
    assert_eq!(table.rows.len(), 10);

    // Markers at the states' centroids, sized and coloured by sales, for the custom variable's
    // states (All).
    let map = panel(studio, at("Buyers by state")).await;
    assert_eq!(
        map.roles,
        [Role::Latitude, Role::Longitude, Role::Size, Role::Color, Role::Label]
    );
    let states = number(
        studio,
        &format!("select count(distinct buyer_state) from main.fct_sales where {RANGE} and buyer_state in ('CA', 'NY', 'TX', 'FL', 'WA')"),
    )
    .await;
    assert_eq!(map.rows.len() as f64, states);

    // Stacked areas, one per `metric`.
    let weekly = panel(studio, at("Tickets per week")).await;
    assert_eq!((weekly.spec.kind, weekly.spec.stacked), (ChartKind::Area, true));
    assert_eq!(weekly.spec.series.as_deref(), Some("metric"));
    let series: std::collections::BTreeSet<String> = weekly.rows.iter().map(|r| r[1].to_string()).collect();
    assert_eq!(
        series.len() as f64,
        number(
            studio,
            &format!("select count(distinct cat_group) from main.fct_sales where {RANGE}")
        )
        .await
    );

    // The collapsed row's panel: `$__timeEpoch` per month.
    let monthly = panel(studio, at("Commission by month")).await;
    let months = number(
        studio,
        &format!("select count(distinct date_trunc('month', sale_time)) from main.fct_sales where {RANGE}"),
    )
    .await;
    assert_eq!(monthly.rows.len() as f64, months);
}
