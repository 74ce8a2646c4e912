//! The model canvas's operations on real DuckDB projects: a small shop whose sources are tables
//! made here (known rows, a duplicate key), and the TICKIT sample's `fct_sales` built for real.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kiln_api::*;
use kiln_canvas::{Canvas, Condition, ConditionOp, JoinKey, JoinKind, Relation, StepKind, StepTemplate};
use serde_json::json;

/// Five sales over four listings; listing 2 is there twice and listing 4 not at all.
const TABLES: &str = "create schema raw;\n\
    create table raw.sales as select * from (values (1, 1, 10.0), (2, 1, 20.0), (3, 2, 30.0), (4, 3, 40.0), \
    (5, 4, 50.0)) t(sale_id, list_id, price);\n\
    create table raw.listings as select * from (values (1, 'a'), (2, 'b'), (2, 'b again'), (3, 'c')) \
    t(list_id, seller);\n";

const SOURCES: &str =
    "version: 2\nsources:\n  - name: shop\n    schema: raw\n    tables:\n      - name: sales\n      - name: listings\n";

const MODEL: &str = "{{ config(materialized='table') }}\n\nwith sales as (\n\n    select * from {{ source('shop', 'sales') }}\n\n)\n\nselect * from sales\n";

fn shop(dir: &Path, tables: &str) -> PathBuf {
    let root = dir.join("shop");
    std::fs::create_dir_all(root.join("models")).unwrap();
    std::fs::write(
        root.join("dbt_project.yml"),
        "name: shop\nversion: '1'\nconfig-version: 2\nprofile: shop\n",
    )
    .unwrap();
    std::fs::write(
        root.join("profiles.yml"),
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: dev.duckdb\n",
    )
    .unwrap();
    std::fs::write(root.join("models/sources.yml"), SOURCES).unwrap();
    std::fs::write(root.join("models/fct_sales.sql"), MODEL).unwrap();
    {
        let duck = kiln_warehouse::DuckDbAdapter::open(&root.join("dev.duckdb"), 1).unwrap();
        kiln_warehouse::Adapter::execute(&duck, tables).unwrap();
    }
    root.canonicalize().unwrap()
}

async fn open_shop(dir: &Path) -> Studio {
    let root = shop(dir, TABLES);
    common::open_studio(&dir.join("config"), &root, false).await
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

async fn preview(studio: &Studio, canvas: &Canvas, step: u32) -> CanvasPreviewResponse {
    studio
        .canvas_preview(CanvasPreviewRequest {
            canvas: canvas.clone(),
            step,
            limit: None,
            query_id: None,
        })
        .await
        .unwrap()
}

/// The single number a console query answers.
async fn count(studio: &Studio, sql: &str) -> u64 {
    let response = studio
        .run_query(RunQueryRequest {
            sql: sql.into(),
            connection: None,
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap();
    let result = &response.statements[0];
    assert!(result.error.is_none(), "{:?}", result.error);
    result.first_page[0][0].as_u64().unwrap()
}

/// sales joined (left) to listings on list_id.
async fn sales_join_listings(studio: &Studio, right: Relation) -> Canvas {
    let (canvas, _) = add(
        studio,
        empty(),
        None,
        StepTemplate::Input {
            relation: source("sales"),
        },
    )
    .await;
    let (canvas, added) = add(
        studio,
        canvas,
        Some(0),
        StepTemplate::Join {
            right,
            join: JoinKind::Left,
            keys: vec![JoinKey {
                left: "list_id".into(),
                right: "list_id".into(),
            }],
            right_columns: vec!["seller".into()],
        },
    )
    .await;
    assert_eq!(added, 1);
    canvas
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_preview_with_the_row_count_of_a_direct_query_and_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let studio = open_shop(dir.path()).await;
    let (canvas, _) = add(
        &studio,
        empty(),
        None,
        StepTemplate::Input {
            relation: source("sales"),
        },
    )
    .await;
    let (canvas, filtered) = add(
        &studio,
        canvas,
        Some(0),
        StepTemplate::Filter {
            conditions: vec![Condition {
                column: "price".into(),
                op: ConditionOp::Greater,
                value: Some("15".into()),
            }],
            expression: None,
        },
    )
    .await;
    let all = preview(&studio, &canvas, 0).await;
    assert_eq!(
        all.row_count,
        count(&studio, "select count(*) from {{ source('shop', 'sales') }}").await
    );
    assert_eq!(all.row_count, 5);
    let names: Vec<&str> = all.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["sale_id", "list_id", "price"]);
    assert_eq!(all.rows.len(), 5);

    // Fewer rows shown than there are: the count is still every row's.
    let first_two = studio
        .canvas_preview(CanvasPreviewRequest {
            canvas: canvas.clone(),
            step: filtered,
            limit: Some(2),
            query_id: Some("canvas-preview".into()),
        })
        .await
        .unwrap();
    assert_eq!(first_two.rows.len(), 2);
    assert_eq!(
        first_two.row_count,
        count(
            &studio,
            "select count(*) from {{ source('shop', 'sales') }} where price > 15"
        )
        .await
    );
    assert_eq!(first_two.row_count, 4);
    // The preview's registration is gone once it answered: it holds no result to cancel.
    let gone = studio
        .cancel_query(QueryIdRequest {
            query_id: "canvas-preview".into(),
        })
        .await
        .unwrap_err();
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
    let error = studio
        .canvas_preview(CanvasPreviewRequest {
            canvas,
            step: 7,
            limit: None,
            query_id: None,
        })
        .await
        .unwrap_err();
    assert_eq!(error.diagnostic.code, codes::CANVAS);
    assert_eq!(error.diagnostic.code, "K6007");
    studio.close_project();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_mark_a_filter_on_a_missing_column_and_a_type_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    let studio = open_shop(dir.path()).await;
    let (canvas, _) = add(
        &studio,
        empty(),
        None,
        StepTemplate::Input {
            relation: source("sales"),
        },
    )
    .await;
    let (canvas, _) = add(
        &studio,
        canvas,
        Some(0),
        StepTemplate::Filter {
            conditions: vec![Condition {
                column: "discount".into(),
                op: ConditionOp::Greater,
                value: Some("0".into()),
            }],
            expression: None,
        },
    )
    .await;
    let (canvas, _) = add(
        &studio,
        canvas,
        Some(1),
        StepTemplate::Formula {
            expr: "price * 2".into(),
            name: "doubled".into(),
        },
    )
    .await;
    // A branch off the input with a formula adding a date to a price.
    let (canvas, mismatch) = add(
        &studio,
        canvas,
        Some(0),
        StepTemplate::Formula {
            expr: "price + date '2024-01-01'".into(),
            name: "nonsense".into(),
        },
    )
    .await;
    assert_eq!(mismatch, 1);
    let names: Vec<&str> = canvas.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["sales", "with_formula_2", "filtered", "with_formula"]);

    let schemas = studio
        .canvas_schemas(CanvasSchemasRequest { canvas })
        .await
        .unwrap()
        .steps;
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
    let dir = tempfile::tempdir().unwrap();
    let studio = open_shop(dir.path()).await;
    let canvas = sales_join_listings(&studio, source("listings")).await;
    let checks = studio
        .canvas_join_check(CanvasJoinCheckRequest {
            canvas: canvas.clone(),
            step: 1,
            query_id: None,
        })
        .await
        .unwrap()
        .joins;
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
    assert_eq!(preview(&studio, &canvas, 1).await.row_count, check.output_rows);

    // Joined to listings deduplicated on list_id instead, nothing repeats.
    let (listings, _) = add(
        &studio,
        canvas,
        Some(1),
        StepTemplate::Input {
            relation: source("listings"),
        },
    )
    .await;
    let (listings, dedup) = add(
        &studio,
        listings,
        Some(2),
        StepTemplate::Deduplicate {
            keys: vec!["list_id".into()],
            order_by: vec![],
        },
    )
    .await;
    let dedup_name = listings.steps[dedup as usize].name.clone();
    let (canvas, joined) = add(
        &studio,
        listings,
        Some(0),
        StepTemplate::Join {
            right: Relation::Step { name: dedup_name },
            join: JoinKind::Inner,
            keys: vec![JoinKey {
                left: "list_id".into(),
                right: "list_id".into(),
            }],
            right_columns: vec!["seller".into()],
        },
    )
    .await;
    // Inserted right after the input, before the step it reads: it must come after it.
    assert_eq!(joined, 1);
    let mut canvas = canvas;
    let step = canvas.steps.remove(1);
    canvas.steps.push(step);
    let last = (canvas.steps.len() - 1) as u32;
    let checks = studio
        .canvas_join_check(CanvasJoinCheckRequest {
            canvas: canvas.clone(),
            step: last,
            query_id: None,
        })
        .await
        .unwrap()
        .joins;
    assert!(!checks[0].fans_out, "{:?}", checks[0]);
    assert_eq!((checks[0].output_rows, checks[0].duplicate_right_keys), (4, 0));
    assert_eq!(
        checks[0].message,
        "4 of 5 rows of sales (80.0%) match deduplicated on list_id; the join drops the other 1 row"
    );
    assert_eq!(preview(&studio, &canvas, last).await.row_count, 4);
    // A step without joins has nothing to check.
    let none = studio
        .canvas_join_check(CanvasJoinCheckRequest {
            canvas,
            step: 0,
            query_id: None,
        })
        .await
        .unwrap();
    assert!(none.joins.is_empty());
    studio.close_project();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_update_add_and_save_through_the_edit_preview() {
    let dir = tempfile::tempdir().unwrap();
    let studio = open_shop(dir.path()).await;
    let root = dir.path().join("shop").canonicalize().unwrap();

    // An unedited model saves as it was.
    let opened = studio
        .canvas_open(CanvasOpenRequest {
            path: "models/fct_sales.sql".into(),
        })
        .await
        .unwrap();
    assert!(opened.exists);
    assert_eq!(opened.written.sql, MODEL);
    assert_eq!(opened.steps.len(), opened.canvas.steps.len());
    assert!(opened.steps.iter().all(|s| !s.edited), "{:?}", opened.steps);
    assert!(opened.steps.iter().all(|s| s.lines.0 >= 1 && s.lines.1 >= s.lines.0));
    let saved = studio
        .apply_edit(ApplyEditRequest::SaveCanvas {
            path: "models/fct_sales.sql".into(),
            canvas: opened.canvas.clone(),
        })
        .await
        .unwrap();
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
    let new = studio
        .canvas_open(CanvasOpenRequest {
            path: "models/marts/by_listing.sql".into(),
        })
        .await
        .unwrap();
    assert!(!new.exists);
    assert!(new.canvas.steps.is_empty() && new.steps.is_empty());
    assert_eq!((new.written.sql.as_str(), new.written.lines.len()), ("", 0));
    let refused = studio
        .apply_edit(ApplyEditRequest::SaveCanvas {
            path: "models/marts/by_listing.sql".into(),
            canvas: new.canvas.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(refused.diagnostic.code, "K6007");
    assert!(refused.diagnostic.hint.is_some());
    // A filter needs a step before it.
    let orphan = studio
        .canvas_add_step(CanvasAddStepRequest {
            canvas: new.canvas.clone(),
            after: None,
            template: StepTemplate::Filter {
                conditions: vec![],
                expression: Some("true".into()),
            },
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
    let (canvas, _) = add(
        &studio,
        new.canvas,
        None,
        StepTemplate::Input {
            relation: source("sales"),
        },
    )
    .await;
    let response = studio
        .canvas_add_step(CanvasAddStepRequest {
            canvas,
            after: Some(0),
            template: StepTemplate::Aggregate {
                group_by: vec!["list_id".into()],
                measures: vec![kiln_canvas::Measure {
                    function: kiln_canvas::AggregateFunction::Sum,
                    column: Some("price".into()),
                    name: "revenue".into(),
                }],
            },
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
    let saved = studio
        .apply_edit(ApplyEditRequest::SaveCanvas {
            path: "models/marts/by_listing.sql".into(),
            canvas: state.canvas.clone(),
        })
        .await
        .unwrap();
    assert_eq!(saved.changes[0].before, None);
    assert_eq!(saved.changes[0].after.as_deref(), Some(state.written.sql.as_str()));
    assert!(
        !root.join("models/marts/by_listing.sql").exists(),
        "a preview writes nothing"
    );
    studio
        .commit_edit(CommitEditRequest {
            changes: saved.changes.clone(),
        })
        .await
        .unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join("models/marts/by_listing.sql")).unwrap(),
        state.written.sql
    );
    let reopened = studio
        .canvas_open(CanvasOpenRequest {
            path: "models/marts/by_listing.sql".into(),
        })
        .await
        .unwrap();
    assert!(reopened.exists);
    assert_eq!(reopened.written.sql, state.written.sql);
    // The saved model runs: one row per listing sold.
    let last = (reopened.canvas.steps.len() - 1) as u32;
    let rows = preview(&studio, &reopened.canvas, last).await;
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
    let dir = tempfile::tempdir().unwrap();
    let studio = open_shop(dir.path()).await;
    let opened = studio
        .dispatch("canvasOpen", json!({ "path": "models/fct_sales.sql" }))
        .await
        .unwrap();
    assert_eq!(opened["exists"], true);
    assert_eq!(opened["written"]["sql"], MODEL);
    assert!(opened["steps"][0]["lines"].is_array());
    assert!(opened["steps"][0]["edited"].is_boolean());
    let added = studio
        .dispatch(
            "canvasAddStep",
            json!({
                "canvas": { "steps": [] },
                "template": { "kind": "input", "relation": { "kind": "source", "source": "shop", "table": "sales" } },
            }),
        )
        .await
        .unwrap();
    assert_eq!(added["added"], 0);
    assert_eq!(added["state"]["steps"][0]["kind"], "input");
    let canvas = added["state"]["canvas"].clone();
    let updated = studio
        .dispatch("canvasUpdate", json!({ "canvas": canvas.clone() }))
        .await
        .unwrap();
    assert_eq!(updated["written"], added["state"]["written"]);
    let schemas = studio
        .dispatch("canvasSchemas", json!({ "canvas": canvas.clone() }))
        .await
        .unwrap();
    assert_eq!(schemas["steps"][0]["columns"][2]["dataType"], "DECIMAL(3,1)");
    let preview = studio
        .dispatch(
            "canvasPreview",
            json!({ "canvas": canvas.clone(), "step": 0, "limit": 3, "queryId": "p1" }),
        )
        .await
        .unwrap();
    assert_eq!(preview["rowCount"], 5);
    assert_eq!(preview["rows"].as_array().unwrap().len(), 3);
    assert!(preview["elapsedMs"].is_u64());
    let profile = studio
        .dispatch("canvasProfile", json!({ "canvas": canvas.clone(), "step": 0 }))
        .await
        .unwrap();
    assert_eq!(profile["profile"][0]["column"], "sale_id");
    assert_eq!(profile["profile"][0]["distinct"], 5);
    let checks = studio
        .dispatch("canvasJoinCheck", json!({ "canvas": canvas.clone(), "step": 0 }))
        .await
        .unwrap();
    assert_eq!(checks["joins"], json!([]));
    let save = studio
        .dispatch(
            "applyEdit",
            json!({ "kind": "saveCanvas", "path": "models/new.sql", "canvas": canvas }),
        )
        .await
        .unwrap();
    assert_eq!(save["changes"][0]["before"], serde_json::Value::Null);
    assert_eq!(save["changes"][0]["path"], "models/new.sql");
    studio.close_project();
}

/// `cancelQuery` with a preview's id stops it, as it stops the console's queries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_query_stops_a_preview() {
    let dir = tempfile::tempdir().unwrap();
    let studio = open_shop(dir.path()).await;
    // A filter no row passes, over rows that cost a hash each: the preview scans them all.
    let (canvas, _) = add(
        &studio,
        empty(),
        None,
        StepTemplate::Sql {
            text: "select range as i from range(2000000000)".into(),
        },
    )
    .await;
    let (canvas, step) = add(
        &studio,
        canvas,
        Some(0),
        StepTemplate::Filter {
            conditions: vec![],
            expression: Some("md5(i::varchar) = 'never'".into()),
        },
    )
    .await;
    let running = {
        let studio = studio.clone();
        tokio::spawn(async move {
            let clock = Instant::now();
            let outcome = studio
                .canvas_preview(CanvasPreviewRequest {
                    canvas,
                    step,
                    limit: None,
                    query_id: Some("slow-preview".into()),
                })
                .await;
            (outcome, clock.elapsed())
        })
    };
    // The preview registers its id once it starts; cancel as soon as it is known.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let cancelled = studio
            .cancel_query(QueryIdRequest {
                query_id: "slow-preview".into(),
            })
            .await;
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
    let mut events = studio.subscribe();
    let run = studio
        .start_run(StartRunRequest {
            command: RunCommand::Build,
            select: vec!["+fct_sales".into()],
            exclude: vec![],
            threads: Some(2),
            full_refresh: None,
            client: None,
            cli_pid: None,
        })
        .await
        .unwrap();
    common::until_run_finished(&mut events, &run.run_id).await;
    let path = "models/marts/sales/fct_sales.sql";
    let opened = studio
        .canvas_open(CanvasOpenRequest { path: path.into() })
        .await
        .unwrap();
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
    let schemas = studio
        .canvas_schemas(CanvasSchemasRequest {
            canvas: opened.canvas.clone(),
        })
        .await
        .unwrap();
    assert!(schemas.steps.iter().all(|s| s.error.is_none()), "{:?}", schemas.steps);
    // The final step's five joins, read from the file, are checked on the built upstreams.
    let final_step = opened.canvas.position("final").expect("a step named final") as u32;
    let checks = studio
        .canvas_join_check(CanvasJoinCheckRequest {
            canvas: opened.canvas.clone(),
            step: final_step,
            query_id: None,
        })
        .await
        .unwrap()
        .joins;
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
    let saved = studio
        .apply_edit(ApplyEditRequest::SaveCanvas {
            path: path.into(),
            canvas: opened.canvas,
        })
        .await
        .unwrap();
    assert_eq!(saved.changes[0].after.as_deref(), Some(text.as_str()));
    assert_eq!(saved.changes[0].before.as_deref(), Some(text.as_str()));
    studio.close_project();
}
