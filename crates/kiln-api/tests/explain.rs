//! The console's Explain (`explainQuery`) on a real embedded DuckDB project and on a real
//! PostgreSQL server: the statement under the cursor becomes a plan tree, Redshift-dialect SQL is
//! translated for DuckDB as the console does, and failures are coded diagnostics at the
//! statement's line in the script.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use kiln_api::{ExplainQueryRequest, Studio};
use kiln_explain::{Engine, FlagKind, PlanNode};
use kiln_pgsql::Executor;
use kiln_postgres::testing::TestCluster;
use kiln_warehouse::Adapter;

const TABLES: &str = "create table sales as select i as saleid, i % 100 as buyerid, i % 7 as qty, \
                      timestamp '2024-01-01' + i * interval '1 minute' as saletime from range(5000) t(i);\n\
                      create table users as select i as userid, 'u' || i as username from range(100) t(i);";

/// A Redshift-dialect join (NVL, DATEADD, GETDATE) as the second statement of a script.
const SCRIPT: &str =
    "select 1;\n\nselect u.username, nvl(sum(s.qty), 0) as sold\nfrom sales s\njoin users u on s.buyerid = u.userid\n\
                      where s.saletime > dateadd(day, -30000, getdate())\ngroup by u.username;\n";

/// The plan of the statement at `offset` in `sql` on the project's own target.
async fn explain(studio: &Studio, sql: &str, offset: Option<u32>) -> kiln_api::ApiResult<kiln_api::ExplainResponse> {
    studio
        .explain_query(ExplainQueryRequest {
            sql: sql.into(),
            offset,
            connection: None,
        })
        .await
}

async fn open(dir: &std::path::Path, root: &std::path::Path) -> Studio {
    common::open_studio(&dir.join("config"), root, false).await
}

fn find<'a>(root: &'a PlanNode, operator: &str) -> Option<&'a PlanNode> {
    root.walk().into_iter().find(|n| n.operator == operator)
}

fn at(script: &str, needle: &str) -> Option<u32> {
    Some(script.find(needle).unwrap() as u32)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_on_duckdb() {
    let dir = tempfile::tempdir().unwrap();
    let root = common::shop_project(
        dir.path(),
        "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: dev.duckdb\n",
    );
    {
        let duck = kiln_warehouse::DuckDbAdapter::open(&root.join("dev.duckdb"), 1).unwrap();
        duck.execute(TABLES).unwrap();
    }
    let studio = open(dir.path(), &root).await;

    // The cursor in the join: that statement, translated (DATEADD/GETDATE/NVL are Redshift's).
    let response = explain(&studio, SCRIPT, at(SCRIPT, "join users")).await.unwrap();
    assert_eq!(response.line, 3);
    assert!(response.sql.starts_with("select u.username"), "{}", response.sql);
    let plan = response.plan;
    assert_eq!(plan.engine, Engine::Duckdb);
    let join = find(&plan.root, "HASH_JOIN").expect("a hash join");
    let condition = &join.details.iter().find(|d| d.label == "Conditions").unwrap().value;
    assert!(condition.contains("buyerid = userid"), "{condition}");
    let tables: Vec<String> = join.walk().iter().filter_map(|n| n.relation.clone()).collect();
    assert_eq!(tables.len(), 2, "{tables:?}");
    assert!(tables.iter().any(|t| t.ends_with("sales")) && tables.iter().any(|t| t.ends_with("users")));
    assert!(plan.max_rows.unwrap() >= 100.0);
    assert_eq!(
        plan.root
            .walk()
            .iter()
            .filter(|n| n.flags.iter().any(|f| f.kind == FlagKind::MostRows))
            .count(),
        1
    );

    // A single statement needs no cursor.
    let single = explain(&studio, "select username from users where userid > 5", None)
        .await
        .unwrap();
    assert!(find(&single.plan.root, "SEQ_SCAN").is_some());

    // A missing table: the warehouse's K4001, on the statement's line in the script (not the
    // EXPLAIN line Kiln put on top).
    let broken = "select 1;\n\n\nselect *\nfrom no_such_table;\n";
    let error = explain(&studio, broken, at(broken, "no_such")).await.unwrap_err();
    assert_eq!(error.diagnostic.code, "K4001", "{:?}", error.diagnostic);
    assert_eq!(error.diagnostic.line, Some(5), "{:?}", error.diagnostic);
    assert!(error.diagnostic.message.contains("no_such_table"));

    // A Redshift-only construct: K4008 where it is.
    let unload = "select 1;\nselect * from stl_load_errors;\n";
    let error = explain(&studio, unload, at(unload, "stl_")).await.unwrap_err();
    assert_eq!(error.diagnostic.code, "K4008", "{:?}", error.diagnostic);
    assert_eq!(error.diagnostic.line, Some(2));

    // Several statements and no cursor: which one is meant?
    let error = explain(&studio, SCRIPT, None).await.unwrap_err();
    assert_eq!(error.diagnostic.code, "K6002");

    // Through dispatch, as the transports call it.
    let value = studio
        .dispatch(
            "explainQuery",
            serde_json::json!({ "sql": SCRIPT, "offset": at(SCRIPT, "group by") }),
        )
        .await
        .unwrap();
    assert_eq!(value["plan"]["engine"], "duckdb");
    assert!(value["plan"]["root"]["children"].is_array());
    assert!(value["plan"]["maxRows"].is_number());
    studio.close_project();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_on_postgres() {
    if !TestCluster::available() && std::env::var_os("CI").is_none() {
        eprintln!("skipped: PostgreSQL's server binaries are not installed");
        return;
    }
    let cluster = TestCluster::start().unwrap();
    cluster
        .executor()
        .unwrap()
        .run(
            &[
                "create table sales as select i as saleid, i % 100 as buyerid, i % 7 as qty \
                 from generate_series(1, 20000) i"
                    .to_string(),
                "create table users as select i as userid, 'u' || i as username from generate_series(0, 99) i"
                    .to_string(),
                "analyze sales".to_string(),
                "analyze users".to_string(),
            ],
            false,
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let root = common::shop_project(dir.path(), &cluster.profiles_yml("shop"));
    let studio = open(dir.path(), &root).await;

    let script = "select 1;\nselect u.username, sum(s.qty)\nfrom sales s join users u on s.buyerid = u.userid\nwhere s.qty > 2\ngroup by u.username;";
    let response = explain(&studio, script, at(script, "join users")).await.unwrap();
    assert_eq!(response.line, 2);
    let plan = response.plan;
    assert_eq!(plan.engine, Engine::Postgres);
    let join = find(&plan.root, "Hash Join").unwrap_or_else(|| panic!("{:#?}", plan.root));
    assert!(join.total_cost.unwrap() > 0.0);
    let cond = &join.details.iter().find(|d| d.label == "Hash Cond").unwrap().value;
    assert_eq!(cond, "(s.buyerid = u.userid)");
    let sales = plan
        .root
        .walk()
        .into_iter()
        .find(|n| n.relation.as_deref() == Some("sales s"))
        .unwrap();
    assert_eq!(
        sales.details.iter().find(|d| d.label == "Filter").unwrap().value,
        "(qty > 2)"
    );
    // Costs on PostgreSQL: the scan of the 20,000-row table costs most and has the most rows.
    let costliest: Vec<_> = plan
        .root
        .walk()
        .into_iter()
        .filter(|n| n.flags.iter().any(|f| f.kind == FlagKind::HighestCost))
        .collect();
    assert_eq!(costliest.len(), 1);
    assert_eq!(costliest[0].relation.as_deref(), Some("sales s"));
    assert!(plan.max_self_cost.unwrap() > 0.0);

    // A PostgreSQL error at its place in the script.
    let broken = "select 1;\nselect *\nfrom no_such_table;";
    let error = explain(&studio, broken, at(broken, "no_such")).await.unwrap_err();
    assert_eq!(error.diagnostic.code, "K4001", "{:?}", error.diagnostic);
    assert!(
        error.diagnostic.line.is_some_and(|l| (2..=3).contains(&l)),
        "{:?}",
        error.diagnostic
    );

    // The console still runs on the same connection afterwards.
    // (Through dispatch: the request type grows optional fields, JSON leaves them out.)
    let ran = studio
        .dispatch(
            "runQuery",
            serde_json::json!({ "sql": "select count(*) as n from users" }),
        )
        .await
        .unwrap();
    assert!(ran["statements"][0]["error"].is_null(), "{ran}");
    studio.close_project();
}
