//! The query console on a saved connection against a real PostgreSQL server: save it (tested
//! first, its password in the OS keyring), run a script on it from a DuckDB project (results in
//! the local result store, paged like any other), browse its catalog one level at a time, filter
//! the history by it, delete it. A sentinel password must never reach the file or a response.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use kiln_api::dto::{
    BrowseKind, BrowseRequest, ConnectionSource, ConnectionSpecDto, DeleteConnectionRequest, Empty, FetchRowsRequest,
    Password, QueryHistoryRequest, SaveConnectionRequest,
};
use kiln_api::{ExplainQueryRequest, RunQueryRequest};
use kiln_pgsql::Executor;
use kiln_postgres::testing::TestCluster;

const SENTINEL: &str = "Sentinel-Pw-3c9e1-never-print";

fn spec(name: &str, cluster: &TestCluster) -> ConnectionSpecDto {
    ConnectionSpecDto {
        name: name.into(),
        kind: "postgres".into(),
        host: Some(cluster.host().into()),
        port: Some(cluster.port()),
        dbname: Some(kiln_postgres::testing::DATABASE.into()),
        user: Some(kiln_postgres::testing::USER.into()),
        schema: None,
        sslmode: Some("disable".into()),
        method: None,
        data_api: BTreeMap::new(),
    }
}

fn clean<T: serde::Serialize>(what: &str, value: &T) -> String {
    let json = serde_json::to_string(value).unwrap();
    assert!(!json.contains(SENTINEL), "{what} leaks the password: {json}");
    json
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_postgres_connection_in_the_console() {
    let cluster = TestCluster::start().unwrap();
    cluster
        .executor()
        .unwrap()
        .run(
            &[format!(
                "alter role {} password '{SENTINEL}'",
                kiln_postgres::testing::USER
            )],
            false,
        )
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tiny");
    std::fs::create_dir_all(root.join("models")).unwrap();
    std::fs::write(
        root.join("dbt_project.yml"),
        "name: tiny\nversion: '1'\nconfig-version: 2\nprofile: tiny\n",
    )
    .unwrap();
    let config = dir.path().join("config");
    let studio = common::open_studio(&config, &root, false).await;
    let name = format!("pg-{}", std::process::id());
    let id = format!("saved:{name}");

    // A wrong password: K4006 from the test, nothing saved, the typed password nowhere.
    let wrong = studio
        .save_connection(SaveConnectionRequest {
            connection: spec(&name, &cluster),
            password: Some(Password(format!("{SENTINEL}-wrong"))),
            test_only: None,
            skip_test: None,
        })
        .await
        .unwrap_err();
    assert_eq!(wrong.diagnostic.code, "K4006", "{wrong:?}");
    clean("the failed test", &wrong.diagnostic);
    assert!(!config.join("connections.yml").exists());

    // Test, then save.
    let tested = studio
        .save_connection(SaveConnectionRequest {
            connection: spec(&name, &cluster),
            password: Some(Password(SENTINEL.into())),
            test_only: Some(true),
            skip_test: None,
        })
        .await
        .unwrap();
    assert!(tested.tested && !tested.saved, "{tested:?}");
    assert!(tested.message.contains("PostgreSQL"), "{}", tested.message);
    clean("the test", &tested);
    assert!(!config.join("connections.yml").exists(), "Test saves nothing");
    let saved = studio
        .save_connection(SaveConnectionRequest {
            connection: spec(&name, &cluster),
            password: Some(Password(SENTINEL.into())),
            test_only: None,
            skip_test: None,
        })
        .await
        .unwrap();
    assert!(saved.saved && saved.connection.has_password);
    clean("the save", &saved);
    let file = std::fs::read_to_string(config.join("connections.yml")).unwrap();
    assert!(!file.contains(SENTINEL), "{file}");
    assert!(file.contains(&name), "{file}");

    let listed = studio.connections(Empty {}).await.unwrap();
    clean("the list", &listed);
    let ids: Vec<(&str, ConnectionSource, bool)> = listed
        .connections
        .iter()
        .map(|c| (c.id.as_str(), c.source, c.active))
        .collect();
    assert_eq!(
        ids,
        vec![
            ("profile:dev", ConnectionSource::Profile, true),
            (id.as_str(), ConnectionSource::Saved, false)
        ]
    );

    // A script on the connection from a DuckDB project: PostgreSQL SQL, not translated.
    let ran = studio
        .run_query(RunQueryRequest {
            sql: "create schema shop;\n\
                  create table shop.orders (id integer, amount numeric(8,2), note text);\n\
                  insert into shop.orders select i, i * 1.5, 'n' || i from generate_series(1, 450) i;\n\
                  create view shop.big_orders as select * from shop.orders where amount > 600;\n\
                  create materialized view shop.totals as select count(*) as n from shop.orders;\n\
                  select id, amount, current_setting('server_version_num') as version from shop.orders order by id"
                .into(),
            connection: Some(id.clone()),
            page_size: Some(100),
            query_id: None,
        })
        .await
        .unwrap();
    clean("the run", &ran);
    let last = ran.statements.last().unwrap();
    assert!(last.error.is_none(), "{:?}", last.error);
    assert_eq!(last.first_page.len(), 100);
    // Paged from the local result store like any other result.
    let page = studio
        .fetch_rows(FetchRowsRequest {
            query_id: ran.query_id.clone(),
            statement: last.index,
            offset: 440,
            limit: 50,
            sort: None,
            filter: None,
        })
        .await
        .unwrap();
    assert_eq!(page.rows.len(), 10);
    assert_eq!(page.rows[9][0], serde_json::json!(450));

    // Explain follows the picked connection: PostgreSQL's plan of a join, not DuckDB's.
    let plan = studio
        .explain_query(ExplainQueryRequest {
            sql: "select o.id from shop.orders o join shop.orders p on p.id = o.id + 1".into(),
            offset: None,
            connection: Some(id.clone()),
        })
        .await
        .unwrap();
    assert_eq!(plan.plan.engine, kiln_explain::Engine::Postgres);
    let explained = serde_json::to_string(&plan).unwrap();
    assert!(explained.contains("orders"), "{explained}");

    // The studio's own target is still the DuckDB warehouse.
    let local = studio
        .run_query(RunQueryRequest {
            sql: "select 42 as answer".into(),
            connection: None,
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap();
    assert_eq!(local.statements[0].first_page[0][0], serde_json::json!(42));

    // The schema browser, one level at a time.
    let browse = |schema: Option<&str>, relation: Option<&str>| BrowseRequest {
        connection: Some(id.clone()),
        schema: schema.map(String::from),
        relation: relation.map(String::from),
    };
    let schemas = studio.browse(browse(None, None)).await.unwrap();
    clean("the schemas", &schemas);
    let names: Vec<&str> = schemas.items.iter().map(|i| i.name.as_str()).collect();
    assert!(names.contains(&"shop") && names.contains(&"public"), "{names:?}");
    assert!(!names.contains(&"pg_catalog"), "{names:?}");
    let relations = studio.browse(browse(Some("shop"), None)).await.unwrap();
    let kinds: Vec<(&str, BrowseKind)> = relations.items.iter().map(|i| (i.name.as_str(), i.kind)).collect();
    assert_eq!(
        kinds,
        vec![
            ("big_orders", BrowseKind::View),
            ("orders", BrowseKind::Table),
            ("totals", BrowseKind::MaterializedView)
        ]
    );
    let columns = studio.browse(browse(Some("shop"), Some("orders"))).await.unwrap();
    let typed: Vec<(&str, Option<&str>)> = columns
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.data_type.as_deref()))
        .collect();
    assert_eq!(
        typed,
        vec![
            ("id", Some("integer")),
            ("amount", Some("numeric(8,2)")),
            ("note", Some("text"))
        ]
    );
    // The DuckDB warehouse browses the same way.
    let duck = studio
        .browse(BrowseRequest {
            connection: None,
            schema: None,
            relation: None,
        })
        .await
        .unwrap();
    assert_eq!(duck.connection, "profile:dev");
    assert!(duck.items.iter().any(|i| i.name == "main"), "{duck:?}");

    // History per connection.
    let on_saved = studio
        .query_history(QueryHistoryRequest {
            connection: Some(id.clone()),
        })
        .await
        .unwrap();
    clean("the history", &on_saved);
    assert_eq!(on_saved.entries.len(), 6);
    assert!(on_saved.entries[0].sql.contains("from shop.orders order by id"));
    let on_duck = studio
        .query_history(QueryHistoryRequest {
            connection: Some("profile:dev".into()),
        })
        .await
        .unwrap();
    assert_eq!(on_duck.entries.len(), 1);
    assert_eq!(on_duck.entries[0].sql, "select 42 as answer");
    let everything = studio.query_history(QueryHistoryRequest::default()).await.unwrap();
    assert_eq!(everything.entries.len(), 7);
    let history_file = std::fs::read_to_string(root.join(".kiln/query_history.jsonl")).unwrap_or_default();
    assert!(!history_file.contains(SENTINEL));

    // Every JSON answer through dispatch too.
    for (op, body) in [
        ("connections", serde_json::json!({})),
        ("browse", serde_json::json!({ "connection": id })),
        ("queryHistory", serde_json::json!({ "connection": id })),
    ] {
        let answer = studio.dispatch(op, body).await.unwrap();
        clean(op, &answer);
    }

    // Deleted: gone from the list and from the keyring.
    studio
        .delete_connection(DeleteConnectionRequest { id: id.clone() })
        .await
        .unwrap();
    let listed = studio.connections(Empty {}).await.unwrap();
    assert_eq!(listed.connections.len(), 1);
    let store = kiln_connections::ConnectionStore::open(&config).unwrap();
    assert!(!store.has_password(&name).unwrap(), "the keyring entry is removed");
    let gone = studio
        .run_query(RunQueryRequest {
            sql: "select 1".into(),
            connection: Some(id.clone()),
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap_err();
    assert_eq!(gone.diagnostic.code, "K5002", "{gone:?}");
    studio.close_project();
}
