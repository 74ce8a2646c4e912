//! The model canvas's operations on real DuckDB projects: a small shop whose sources are tables
//! made here (known rows, a duplicate key), and the TICKIT sample's `fct_sales` built for real.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kiln_api::*;
use kiln_canvas::{Canvas, Condition, ConditionOp, JoinKey, JoinKind, Relation, StepKind, StepTemplate};
use serde_json::{json, Value};

/// Five sales over four listings; listing 2 is there twice and listing 4 not at all.
const TABLES: &str = "create schema raw;\n\
    create table raw.sales as select * from (values (1, 1, 10.0), (2, 1, 20.0), (3, 2, 30.0), (4, 3, 40.0), \
    (5, 4, 50.0)) t(sale_id, list_id, price);\n\
    create table raw.listings as select * from (values (1, 'a'), (2, 'b'), (2, 'b again'), (3, 'c')) \
    t(list_id, seller);\n";

const SOURCES: &str =
    "version: 2\nsources:\n  - name: shop\n    schema: raw\n    tables:\n      - name: sales\n      - name: listings\n";

const MODEL: &str = "{{ config(materialized='table') }}\n\nwith sales as (\n\n    select * from {{ source('shop', 'sales') }}\n\n)\n\nselect * from sales\n";

/// The shop project in `dir` with its tables in its DuckDB warehouse; its canonical root.
fn shop(dir: &Path) -> PathBuf {
    let root = common::shop_project(dir, common::SHOP_DUCKDB_PROFILES);
    std::fs::write(root.join("models/sources.yml"), SOURCES).unwrap();
    std::fs::write(root.join("models/fct_sales.sql"), MODEL).unwrap();
    {
        let duck = kiln_warehouse::DuckDbAdapter::open(&root.join("dev.duckdb"), 1).unwrap();
        kiln_warehouse::Adapter::execute(&duck, TABLES).unwrap();
    }
    root.canonicalize().unwrap()
}

/// A studio on a fresh shop project of its own (no file watcher).
async fn open_shop() -> common::Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = shop(dir.path());
    let studio = common::open_studio(&dir.path().join("config"), &root, false).await;
    common::Fixture { dir, root, studio }
}

fn source(table: &str) -> Relation {
    Relation::Source {
        source: "shop".into(),
        table: table.into(),
    }
}

fn empty() -> Canvas {
    Canvas {
        steps: vec![],
        layout: Default::default(),
        parse_error: None,
    }
}

fn input(relation: Relation) -> StepTemplate {
    StepTemplate::Input { relation }
}

/// A filter keeping the rows whose `column` is greater than `value`.
fn greater(column: &str, value: &str) -> StepTemplate {
    StepTemplate::Filter {
        conditions: vec![Condition {
            column: column.into(),
            op: ConditionOp::Greater,
            value: Some(value.into()),
        }],
        expression: None,
    }
}

/// A filter by a SQL condition alone.
fn filter_where(expression: &str) -> StepTemplate {
    StepTemplate::Filter {
        conditions: vec![],
        expression: Some(expression.into()),
    }
}

fn formula(expr: &str, name: &str) -> StepTemplate {
    StepTemplate::Formula {
        expr: expr.into(),
        name: name.into(),
    }
}

/// `sum(price) as revenue` grouped by `list_id`.
fn revenue_by_list() -> StepTemplate {
    StepTemplate::Aggregate {
        group_by: vec!["list_id".into()],
        measures: vec![kiln_canvas::Measure {
            function: kiln_canvas::AggregateFunction::Sum,
            column: Some("price".into()),
            name: "revenue".into(),
        }],
    }
}

/// A join to `right` on `list_id`, taking its `seller`.
fn join_on_list_id(right: Relation, join: JoinKind) -> StepTemplate {
    StepTemplate::Join {
        right,
        join,
        keys: vec![JoinKey {
            left: "list_id".into(),
            right: "list_id".into(),
        }],
        right_columns: vec!["seller".into()],
    }
}

async fn add(studio: &Studio, canvas: Canvas, after: Option<u32>, template: StepTemplate) -> (Canvas, u32) {
    let response = studio
        .canvas_add_step(CanvasAddStepRequest {
            canvas,
            after,
            template,
        })
        .await
        .unwrap();
    (response.state.canvas, response.added)
}

/// A canvas whose first step is made from `template`.
async fn start(studio: &Studio, template: StepTemplate) -> Canvas {
    add(studio, empty(), None, template).await.0
}

async fn try_preview(
    studio: &Studio,
    canvas: &Canvas,
    step: u32,
    limit: Option<u32>,
    query_id: Option<&str>,
) -> ApiResult<CanvasPreviewResponse> {
    studio
        .canvas_preview(CanvasPreviewRequest {
            canvas: canvas.clone(),
            step,
            limit,
            query_id: query_id.map(String::from),
        })
        .await
}

async fn preview(studio: &Studio, canvas: &Canvas, step: u32) -> CanvasPreviewResponse {
    try_preview(studio, canvas, step, None, None).await.unwrap()
}

async fn schemas(studio: &Studio, canvas: &Canvas) -> Vec<StepSchema> {
    studio
        .canvas_schemas(CanvasSchemasRequest { canvas: canvas.clone() })
        .await
        .unwrap()
        .steps
}

async fn join_checks(studio: &Studio, canvas: &Canvas, step: u32) -> Vec<JoinCheck> {
    studio
        .canvas_join_check(CanvasJoinCheckRequest {
            canvas: canvas.clone(),
            step,
            query_id: None,
        })
        .await
        .unwrap()
        .joins
}

async fn open_canvas(studio: &Studio, path: &str) -> CanvasState {
    studio
        .canvas_open(CanvasOpenRequest { path: path.into() })
        .await
        .unwrap()
}

/// `applyEdit`'s `saveCanvas`: the change it would make, or why it refuses.
async fn save(studio: &Studio, path: &str, canvas: &Canvas) -> ApiResult<EditPreview> {
    studio
        .apply_edit(ApplyEditRequest::SaveCanvas {
            path: path.into(),
            canvas: canvas.clone(),
        })
        .await
}

async fn cancel(studio: &Studio, query_id: &str) -> ApiResult<Empty> {
    studio
        .cancel_query(QueryIdRequest {
            query_id: query_id.into(),
        })
        .await
}

/// The single number a console query answers.
async fn count(studio: &Studio, sql: &str) -> u64 {
    common::scalar(studio, sql).await.as_u64().unwrap()
}

/// The sales source followed by a step made from `template`: the canvas and the step's index.
async fn after_sales(studio: &Studio, template: StepTemplate) -> (Canvas, u32) {
    let canvas = start(studio, input(source("sales"))).await;
    add(studio, canvas, Some(0), template).await
}

/// sales joined (left) to listings on list_id.
async fn sales_join_listings(studio: &Studio, right: Relation) -> Canvas {
    let (canvas, added) = after_sales(studio, join_on_list_id(right, JoinKind::Left)).await;
    assert_eq!(added, 1);
    canvas
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_preview_with_the_row_count_of_a_direct_query_and_a_profile() {
    let shop = open_shop().await;
    let studio = &shop.studio;
    let (canvas, filtered) = after_sales(studio, greater("price", "15")).await;
    let all = preview(studio, &canvas, 0).await;
    assert_eq!(
        all.row_count,
        count(studio, "select count(*) from {{ source('shop', 'sales') }}").await
    );
    assert_eq!(all.row_count, 5);
    let names: Vec<&str> = all.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["sale_id", "list_id", "price"]);
    assert_eq!(all.rows.len(), 5);

    // Fewer rows shown than there are: the count is still every row's.
    let first_two = try_preview(studio, &canvas, filtered, Some(2), Some("canvas-preview"))
        .await
        .unwrap();
    assert_eq!(first_two.rows.len(), 2);
    assert_eq!(
        first_two.row_count,
        count(
            studio,
            "select count(*) from {{ source('shop', 'sales') }} where price > 15"
        )
        .await
    );
    assert_eq!(first_two.row_count, 4);
    // The preview's registration is gone once it answered: it holds no result to cancel.
    let gone = cancel(studio, "canvas-preview").await.unwrap_err();
    assert_eq!(gone.diagnostic.code, codes::UNKNOWN_ID);

    let profile = studio
        .canvas_profile(CanvasProfileRequest {
            canvas: canvas.clone(),
            step: 0,
            query_id: None,
        })
        .await
        .unwrap();
    assert_eq!(profile.row_count, 5);
    let list_id = profile.profile.iter().find(|p| p.column == "list_id").unwrap();
    assert_eq!((list_id.nulls, list_id.distinct), (0, 4));
    assert_eq!(profile.profile.len(), 3);

    // A step that does not exist is the canvas's own error.
    let error = try_preview(studio, &canvas, 7, None, None).await.unwrap_err();
    assert_eq!(error.diagnostic.code, codes::CANVAS);
    assert_eq!(error.diagnostic.code, "K6007");
    studio.close_project();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_mark_a_filter_on_a_missing_column_and_a_type_mismatch() {
    let shop = open_shop().await;
    let studio = &shop.studio;
    let (canvas, _) = after_sales(studio, greater("discount", "0")).await;
    let (canvas, _) = add(studio, canvas, Some(1), formula("price * 2", "doubled")).await;
    // A branch off the input with a formula adding a date to a price.
    let nonsense = formula("price + date '2024-01-01'", "nonsense");
    let (canvas, mismatch) = add(studio, canvas, Some(0), nonsense).await;
    assert_eq!(mismatch, 1);
    let names: Vec<&str> = canvas.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["sales", "with_formula_2", "filtered", "with_formula"]);

    let schemas = schemas(studio, &canvas).await;
    assert_eq!(schemas.len(), 4);
    assert_eq!(schemas[0].error, None);
    let columns: Vec<(&str, &str)> = schemas[0]
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type.as_str()))
        .collect();
    assert_eq!(
        columns,
        [
            ("sale_id", "INTEGER"),
            ("list_id", "INTEGER"),
            ("price", "DECIMAL(3,1)")
        ]
    );
    let mismatch = schemas[1]
        .error
        .as_deref()
        .expect("a date added to a price does not bind");
    assert!(mismatch.contains("No function matches"), "{mismatch}");
    assert!(
        !mismatch.contains("LINE ") && !mismatch.contains("Candidate functions"),
        "{mismatch}"
    );
    let missing = schemas[2]
        .error
        .as_deref()
        .expect("the filter reads a column sales lacks");
    assert!(missing.contains("discount"), "{missing}");
    assert!(schemas[2].columns.is_empty());
    let after = schemas[3]
        .error
        .as_deref()
        .expect("the step after the broken filter fails too");
    assert!(after.starts_with("step `filtered` fails: "), "{after}");
    studio.close_project();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn join_check_reports_fan_out_from_duplicate_keys_and_agrees_with_the_preview() {
    let shop = open_shop().await;
    let studio = &shop.studio;
    let canvas = sales_join_listings(studio, source("listings")).await;
    let checks = join_checks(studio, &canvas, 1).await;
    assert_eq!(checks.len(), 1);
    let check = &checks[0];
    assert_eq!(
        (
            check.join,
            check.left_rows,
            check.matched_left_rows,
            check.duplicate_right_keys
        ),
        (0, 5, 4, 1)
    );
    assert!(check.fans_out);
    assert!((check.match_rate - 0.8).abs() < 1e-9);
    assert_eq!(
        check.message,
        "listings has 1 duplicate value of list_id: the join repeats 1 row of sales; deduplicate listings or add a key"
    );
    // Sales 1, 2 and 4 once, sale 3 twice (listing 2 is there twice), sale 5 with nulls.
    assert_eq!(check.output_rows, 6);
    assert_eq!(preview(studio, &canvas, 1).await.row_count, check.output_rows);

    // Joined to listings deduplicated on list_id instead, nothing repeats.
    let (listings, _) = add(studio, canvas, Some(1), input(source("listings"))).await;
    let (listings, dedup) = add(
        studio,
        listings,
        Some(2),
        StepTemplate::Deduplicate {
            keys: vec!["list_id".into()],
            order_by: vec![],
        },
    )
    .await;
    let dedup_name = listings.steps[dedup as usize].name.clone();
    let join = join_on_list_id(Relation::Step { name: dedup_name }, JoinKind::Inner);
    let (canvas, joined) = add(studio, listings, Some(0), join).await;
    // Inserted right after the input, before the step it reads: it must come after it.
    assert_eq!(joined, 1);
    let mut canvas = canvas;
    let step = canvas.steps.remove(1);
    canvas.steps.push(step);
    let last = (canvas.steps.len() - 1) as u32;
    let checks = join_checks(studio, &canvas, last).await;
    assert!(!checks[0].fans_out, "{:?}", checks[0]);
    assert_eq!((checks[0].output_rows, checks[0].duplicate_right_keys), (4, 0));
    assert_eq!(
        checks[0].message,
        "4 of 5 rows of sales (80.0%) match deduplicated on list_id; the join drops the other 1 row"
    );
    assert_eq!(preview(studio, &canvas, last).await.row_count, 4);
    // A step without joins has nothing to check.
    assert!(join_checks(studio, &canvas, 0).await.is_empty());
    studio.close_project();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_update_add_and_save_through_the_edit_preview() {
    let shop = open_shop().await;
    let (studio, root) = (&shop.studio, &shop.root);

    // An unedited model saves as it was.
    let opened = open_canvas(studio, "models/fct_sales.sql").await;
    assert!(opened.exists);
    assert_eq!(opened.written.sql, MODEL);
    assert_eq!(opened.steps.len(), opened.canvas.steps.len());
    assert!(opened.steps.iter().all(|s| !s.edited), "{:?}", opened.steps);
    assert!(opened.steps.iter().all(|s| s.lines.0 >= 1 && s.lines.1 >= s.lines.0));
    let saved = save(studio, "models/fct_sales.sql", &opened.canvas).await.unwrap();
    assert_eq!(saved.changes.len(), 1);
    let change = &saved.changes[0];
    assert_eq!(change.path, "models/fct_sales.sql");
    assert_eq!(change.before.as_deref(), Some(MODEL));
    assert_eq!(change.after, change.before);

    // canvasUpdate is the same writing, for an edited canvas.
    let updated = studio
        .canvas_update(CanvasUpdateRequest {
            canvas: opened.canvas.clone(),
        })
        .await
        .unwrap();
    assert_eq!(updated.written, opened.written);
    assert!(updated.exists, "its steps were read from the file");

    // A model that does not exist yet opens empty; it cannot be saved without a step.
    let new_model = "models/marts/by_listing.sql";
    let new = open_canvas(studio, new_model).await;
    assert!(!new.exists);
    assert!(new.canvas.steps.is_empty() && new.steps.is_empty());
    assert_eq!((new.written.sql.as_str(), new.written.lines.len()), ("", 0));
    let refused = save(studio, new_model, &new.canvas).await.unwrap_err();
    assert_eq!(refused.diagnostic.code, "K6007");
    assert!(refused.diagnostic.hint.is_some());
    // A filter needs a step before it.
    let orphan = studio
        .canvas_add_step(CanvasAddStepRequest {
            canvas: new.canvas.clone(),
            after: None,
            template: filter_where("true"),
        })
        .await
        .unwrap_err();
    assert_eq!(orphan.diagnostic.code, "K6007");
    assert!(
        orphan.diagnostic.message.contains("step before it"),
        "{:?}",
        orphan.diagnostic
    );

    // Built from templates, reviewed, committed, opened again.
    let (canvas, _) = add(studio, new.canvas, None, input(source("sales"))).await;
    let response = studio
        .canvas_add_step(CanvasAddStepRequest {
            canvas,
            after: Some(0),
            template: revenue_by_list(),
        })
        .await
        .unwrap();
    assert_eq!(response.added, 1);
    let state = response.state;
    assert!(!state.exists, "no step was read from a file");
    assert_eq!(
        state.steps.iter().map(|s| (s.kind, s.edited)).collect::<Vec<_>>(),
        [(StepKind::Input, true), (StepKind::Aggregate, true)]
    );
    assert_eq!(state.steps[0].inputs, [source("sales")]);
    assert_eq!(state.steps[1].inputs, [Relation::Step { name: "sales".into() }]);
    let last_line = state.written.sql.lines().count() as u32;
    assert!(state.steps[1].lines.1 <= last_line && state.steps[0].lines.1 < state.steps[1].lines.0);
    let saved = save(studio, new_model, &state.canvas).await.unwrap();
    assert_eq!(saved.changes[0].before, None);
    assert_eq!(saved.changes[0].after.as_deref(), Some(state.written.sql.as_str()));
    assert!(!root.join(new_model).exists(), "a preview writes nothing");
    studio
        .commit_edit(CommitEditRequest {
            changes: saved.changes.clone(),
        })
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join(new_model)).unwrap(),
        state.written.sql
    );
    let reopened = open_canvas(studio, new_model).await;
    assert!(reopened.exists);
    assert_eq!(reopened.written.sql, state.written.sql);
    // The saved model runs: one row per listing sold.
    let last = (reopened.canvas.steps.len() - 1) as u32;
    let rows = preview(studio, &reopened.canvas, last).await;
    assert_eq!(rows.row_count, 4);
    assert_eq!(
        rows.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["list_id", "revenue"]
    );
    studio.close_project();
}

/// The transports call operations by name with camelCase JSON: the names and fields the UI uses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_are_dispatched_by_name_with_camel_case_fields() {
    let shop = open_shop().await;
    let studio = &shop.studio;
    let call =
        |operation: &'static str, arguments: Value| async move { studio.dispatch(operation, arguments).await.unwrap() };
    let opened = call("canvasOpen", json!({ "path": "models/fct_sales.sql" })).await;
    assert_eq!(opened["exists"], true);
    assert_eq!(opened["written"]["sql"], MODEL);
    assert!(opened["steps"][0]["lines"].is_array());
    assert!(opened["steps"][0]["edited"].is_boolean());
    let added = call(
        "canvasAddStep",
        json!({
            "canvas": { "steps": [] },
            "template": { "kind": "input", "relation": { "kind": "source", "source": "shop", "table": "sales" } },
        }),
    )
    .await;
    assert_eq!(added["added"], 0);
    assert_eq!(added["state"]["steps"][0]["kind"], "input");
    let canvas = added["state"]["canvas"].clone();
    let updated = call("canvasUpdate", json!({ "canvas": canvas.clone() })).await;
    assert_eq!(updated["written"], added["state"]["written"]);
    let schemas = call("canvasSchemas", json!({ "canvas": canvas.clone() })).await;
    assert_eq!(schemas["steps"][0]["columns"][2]["dataType"], "DECIMAL(3,1)");
    let preview = call(
        "canvasPreview",
        json!({ "canvas": canvas.clone(), "step": 0, "limit": 3, "queryId": "p1" }),
    )
    .await;
    assert_eq!(preview["rowCount"], 5);
    assert_eq!(preview["rows"].as_array().unwrap().len(), 3);
    assert!(preview["elapsedMs"].is_u64());
    let profile = call("canvasProfile", json!({ "canvas": canvas.clone(), "step": 0 })).await;
    assert_eq!(profile["profile"][0]["column"], "sale_id");
    assert_eq!(profile["profile"][0]["distinct"], 5);
    let checks = call("canvasJoinCheck", json!({ "canvas": canvas.clone(), "step": 0 })).await;
    assert_eq!(checks["joins"], json!([]));
    let save = call(
        "applyEdit",
        json!({ "kind": "saveCanvas", "path": "models/new.sql", "canvas": canvas }),
    )
    .await;
    assert_eq!(save["changes"][0]["before"], Value::Null);
    assert_eq!(save["changes"][0]["path"], "models/new.sql");
    studio.close_project();
}

/// `cancelQuery` with a preview's id stops it, as it stops the console's queries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_query_stops_a_preview() {
    let shop = open_shop().await;
    let studio = &shop.studio;
    // A filter no row passes, over rows that cost a hash each: the preview scans them all.
    let canvas = start(
        studio,
        StepTemplate::Sql {
            text: "select range as i from range(2000000000)".into(),
        },
    )
    .await;
    let (canvas, step) = add(studio, canvas, Some(0), filter_where("md5(i::varchar) = 'never'")).await;
    let running = {
        let studio = studio.clone();
        tokio::spawn(async move {
            let clock = Instant::now();
            let outcome = try_preview(&studio, &canvas, step, None, Some("slow-preview")).await;
            (outcome, clock.elapsed())
        })
    };
    // The preview registers its id once it starts; cancel as soon as it is known.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let cancelled = cancel(studio, "slow-preview").await;
        if cancelled.is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "the preview never registered: {cancelled:?}");
    }
    let (outcome, elapsed) = tokio::time::timeout(Duration::from_secs(30), running)
        .await
        .expect("the cancelled preview answers")
        .unwrap();
    let error = outcome.unwrap_err();
    assert!(error.diagnostic.message.contains("cancelled"), "{:?}", error.diagnostic);
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    studio.close_project();
}

/// TICKIT's `fct_sales`, built, opened on the canvas: its last step's rows are the model's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fct_sales_previews_the_rows_of_the_built_model() {
    let fx = common::open_tickit().await;
    let studio = &fx.studio;
    common::build(studio, &["+fct_sales"]).await;
    let path = "models/marts/sales/fct_sales.sql";
    let opened = open_canvas(studio, path).await;
    assert!(opened.exists);
    let text = std::fs::read_to_string(fx.root.join(path)).unwrap();
    assert_eq!(opened.written.sql, text);
    let last = (opened.canvas.steps.len() - 1) as u32;
    let rows = preview(studio, &opened.canvas, last).await;
    let built = count(studio, "select count(*) from {{ ref('fct_sales') }}").await;
    assert!(built > 100, "{built}");
    assert_eq!(rows.row_count, built);
    assert_eq!(rows.rows.len(), 100);
    assert_eq!(rows.columns.first().map(|c| c.name.as_str()), Some("sale_id"));
    assert_eq!(rows.columns.len(), 20);
    // Every step binds.
    let schemas = schemas(studio, &opened.canvas).await;
    assert!(schemas.iter().all(|s| s.error.is_none()), "{schemas:?}");
    // The final step's five joins, read from the file, are checked on the built upstreams.
    let final_step = opened.canvas.position("final").expect("a step named final") as u32;
    let checks = join_checks(studio, &opened.canvas, final_step).await;
    assert_eq!(checks.iter().map(|c| c.join).collect::<Vec<_>>(), [0, 1, 2, 3, 4]);
    for check in &checks {
        assert_eq!((check.left_rows, check.output_rows), (built, built), "{check:?}");
        assert!(!check.fans_out && check.match_rate == 1.0, "{check:?}");
    }
    assert_eq!(
        checks[0].message,
        "every row of sales matches one row of listings on list_id"
    );
    // Saving the unedited model changes nothing.
    let saved = save(studio, path, &opened.canvas).await.unwrap();
    assert_eq!(saved.changes[0].after.as_deref(), Some(text.as_str()));
    assert_eq!(saved.changes[0].before.as_deref(), Some(text.as_str()));
    studio.close_project();
}

/// A step fed by an aggregate is previewed by one query (the aggregate computed once): its first
/// rows and its count are those of two separate queries, without the count's column.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_fed_by_an_aggregate_preview_their_rows_and_count_from_one_query() {
    let shop = open_shop().await;
    let studio = &shop.studio;
    let (canvas, by_list) = after_sales(studio, revenue_by_list()).await;
    let (canvas, big) = add(studio, canvas, Some(by_list), filter_where("revenue > 35")).await;
    let direct = "select list_id, sum(price) as revenue from {{ source('shop', 'sales') }} group by list_id";

    let first_two = try_preview(studio, &canvas, by_list, Some(2), None).await.unwrap();
    assert_eq!(first_two.rows.len(), 2);
    assert!(first_two.rows.iter().all(|row| row.len() == 2), "{:?}", first_two.rows);
    assert_eq!(
        first_two.row_count,
        count(studio, &format!("select count(*) from ({direct})")).await
    );
    assert_eq!(first_two.row_count, 4);
    assert_eq!(
        first_two.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["list_id", "revenue"]
    );

    let one = try_preview(studio, &canvas, big, Some(1), None).await.unwrap();
    assert_eq!((one.rows.len(), one.row_count), (1, 2));
    let all = preview(studio, &canvas, big).await;
    assert_eq!((all.rows.len(), all.row_count), (2, 2));
    // Listings 3 (40.0) and 4 (50.0).
    let mut lists: Vec<i64> = all.rows.iter().map(|row| row[0].as_i64().unwrap()).collect();
    lists.sort_unstable();
    assert_eq!(lists, [3, 4]);
    studio.close_project();
}
