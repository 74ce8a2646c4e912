//! Kiln's PostgreSQL and Redshift adapters end to end against a real PostgreSQL 15 server that
//! each test starts for itself (kiln-postgres' `testing` cluster). The Redshift adapter runs
//! through `RedshiftShim`, a test-only executor that strips the clauses PostgreSQL rejects
//! (BACKUP, DISTSTYLE/DISTKEY, SORTKEY, WITH NO SCHEMA BINDING), so its swap, incremental and seed
//! logic run for real; the clauses themselves are checked by kiln-pgsql's DDL snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use kiln_pgsql::{Executor, Flavor, Flow, RowSink, SqlAdapter};
use kiln_postgres::testing::TestCluster;
use kiln_postgres::WireExecutor;
use kiln_warehouse::{
    Adapter, AdapterError, BuildOptions, ColumnDef, ExternalFormat, ExternalTable, IncrementalStrategy, QueryResult,
    Relation, RelationType,
};
use serde_json::json;

fn cluster() -> Option<TestCluster> {
    if !TestCluster::available() && std::env::var_os("CI").is_none() {
        eprintln!("skipped: PostgreSQL's server binaries are not installed");
        return None;
    }
    Some(TestCluster::start().expect("a PostgreSQL cluster starts"))
}

fn postgres(cluster: &TestCluster) -> Arc<dyn Adapter> {
    kiln_targets::open(&cluster.target(), 2).expect("the postgres target opens")
}

fn scalar(adapter: &dyn Adapter, sql: &str) -> serde_json::Value {
    adapter.query(sql, Some(1)).unwrap().rows[0][0].clone()
}

/// Redshift's SQL with its PostgreSQL-incompatible clauses removed, run on PostgreSQL.
struct RedshiftShim {
    inner: WireExecutor,
    seen: std::sync::Mutex<Vec<String>>,
}

impl RedshiftShim {
    fn strip(sql: &str) -> String {
        let patterns = [
            r"(?im)^backup no$",
            r"(?im)^diststyle (all|even|auto)$",
            r#"(?im)^diststyle key distkey \("[^"]+"\)$"#,
            r"(?im)^(compound|interleaved) sortkey \(.*\)$",
            r"(?i) with no schema binding$",
        ];
        let mut out = sql.to_string();
        for p in patterns {
            out = regex::Regex::new(p).unwrap().replace_all(&out, "").into_owned();
        }
        out
    }
}

impl Executor for RedshiftShim {
    fn kind(&self) -> &'static str {
        "redshift"
    }
    fn run(&self, statements: &[String], atomic: bool) -> Result<u64, AdapterError> {
        self.seen.lock().unwrap().extend(statements.iter().cloned());
        let stripped: Vec<String> = statements.iter().map(|s| Self::strip(s)).collect();
        self.inner.run(&stripped, atomic)
    }
    fn stream(&self, sql: &str, sink: &mut RowSink<'_>) -> Result<(), AdapterError> {
        self.inner.stream(&Self::strip(sql), sink)
    }
    fn query(&self, sql: &str, limit: Option<usize>) -> Result<QueryResult, AdapterError> {
        self.inner.query(&Self::strip(sql), limit)
    }
    fn cancel(&self) {
        self.inner.cancel()
    }
}

#[test]
fn views_and_tables_swap_in_and_a_failed_build_keeps_the_old_relation() {
    let Some(cluster) = cluster() else { return };
    let pg = postgres(&cluster);
    assert_eq!(pg.kind(), "postgres");
    pg.ensure_schema("marts").unwrap();
    let rel = Relation::new("marts", "fct_sales");
    let options = BuildOptions::default();
    assert_eq!(
        pg.create_table(
            &rel,
            "select g as id, g * 1.5 as price from generate_series(1, 10) g;",
            &options
        )
        .unwrap(),
        10
    );
    let view = Relation::new("marts", "v_sales");
    pg.create_view(&view, "select id from marts.fct_sales where id > 5", &options)
        .unwrap();
    assert_eq!(scalar(pg.as_ref(), "select count(*) from marts.v_sales"), json!(5));
    assert_eq!(pg.relation_type(&view).unwrap(), Some(RelationType::View));

    // A table becomes a view and back, under the same name.
    pg.create_view(&rel, "select 1 as id", &options).unwrap();
    assert_eq!(pg.relation_type(&rel).unwrap(), Some(RelationType::View));
    assert_eq!(
        pg.create_table(&rel, "select g as id from generate_series(1, 3) g", &options)
            .unwrap(),
        3
    );
    assert_eq!(pg.relation_type(&rel).unwrap(), Some(RelationType::Table));

    // A failing build leaves what was there, and reports the line in the caller's SQL.
    let Err(AdapterError::Sql { message, line, .. }) =
        pg.create_table(&rel, "select\n  id,\n  no_such_column\nfrom marts.fct_sales", &options)
    else {
        panic!("a missing column must fail");
    };
    assert!(message.contains("no_such_column"), "{message}");
    assert_eq!(line, Some(3));
    assert_eq!(scalar(pg.as_ref(), "select count(*) from marts.fct_sales"), json!(3));
    let names: Vec<String> = pg
        .list_relations()
        .unwrap()
        .into_iter()
        .map(|(r, _)| r.unquoted())
        .collect();
    assert!(names.contains(&"marts.fct_sales".to_string()), "{names:?}");
    assert!(
        !names.iter().any(|n| n.contains("__kiln")),
        "no scratch relation is listed: {names:?}"
    );
    let columns = pg.columns(&rel).unwrap();
    assert_eq!(columns[0].name, "id");
    assert_eq!(columns[0].data_type, "integer");
    pg.drop_relation(&rel).unwrap();
    assert_eq!(pg.relation_type(&rel).unwrap(), None);
}

#[test]
fn incremental_strategies_and_seeds() {
    let Some(cluster) = cluster() else { return };
    let pg = postgres(&cluster);
    pg.ensure_schema("m").unwrap();
    let rel = Relation::new("m", "events");
    let key = vec!["id".to_string()];
    let options = BuildOptions::default();
    let first = "select g as id, 'v' || g as v from generate_series(1, 3) g";
    assert_eq!(
        pg.incremental(&rel, first, IncrementalStrategy::Merge, &key, false, &options)
            .unwrap(),
        3
    );
    // Columns in another order than the table still line up.
    let batch = "select 'new' as v, g as id from generate_series(3, 4) g";
    assert_eq!(
        pg.incremental(&rel, batch, IncrementalStrategy::Merge, &key, false, &options)
            .unwrap(),
        2
    );
    let rows = pg.query("select id, v from m.events order by id", None).unwrap().rows;
    assert_eq!(
        rows,
        vec![
            vec![json!(1), json!("v1")],
            vec![json!(2), json!("v2")],
            vec![json!(3), json!("new")],
            vec![json!(4), json!("new")]
        ]
    );
    pg.incremental(
        &rel,
        "select 4 as id, 'again' as v",
        IncrementalStrategy::DeleteInsert,
        &key,
        false,
        &options,
    )
    .unwrap();
    pg.incremental(
        &rel,
        "select 9 as id, 'app' as v",
        IncrementalStrategy::Append,
        &key,
        false,
        &options,
    )
    .unwrap();
    assert_eq!(
        scalar(pg.as_ref(), "select string_agg(v, ',' order by id) from m.events"),
        json!("v1,v2,new,again,app")
    );

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    std::fs::write(
        &csv,
        "id,name,joined,score,vip\n1,O'Brien,2024-01-02,1.50,true\n2,,2024-02-03,2,false\n",
    )
    .unwrap();
    let seed = Relation::new("m", "people");
    let declared = BTreeMap::from([("score".to_string(), "numeric(6,2)".to_string())]);
    assert_eq!(pg.load_seed(&seed, &csv, &declared, ",").unwrap(), 2);
    let types: Vec<String> = pg.columns(&seed).unwrap().into_iter().map(|c| c.data_type).collect();
    assert_eq!(types, vec!["integer", "text", "date", "numeric(6,2)", "boolean"]);
    assert_eq!(
        scalar(pg.as_ref(), "select name from m.people where id = 1"),
        json!("O'Brien")
    );
    assert_eq!(
        scalar(pg.as_ref(), "select count(name) from m.people"),
        json!(1),
        "an empty cell is NULL"
    );

    std::fs::write(&csv, "id,name\n1,a\nx,b\n").unwrap();
    let declared = BTreeMap::from([("id".to_string(), "integer".to_string())]);
    let Err(AdapterError::Seed { line, message, .. }) = pg.load_seed(&seed, &csv, &declared, ",") else {
        panic!("a text in an integer column must fail");
    };
    assert!(message.contains("integer"), "{message}");
    assert_eq!(line, Some(2), "the batch's first line");
    assert_eq!(
        scalar(pg.as_ref(), "select count(*) from m.people"),
        json!(2),
        "the old seed stays"
    );
}

#[test]
fn lake_files_load_and_hostile_names_are_quoted() {
    let Some(cluster) = cluster() else { return };
    let pg = postgres(&cluster);
    let dir = tempfile::tempdir().unwrap();
    let lake = dir.path().join("category");
    std::fs::create_dir_all(&lake).unwrap();
    std::fs::write(lake.join("part-0.txt"), "catid|catname\n1|MLB\n2|NHL\n").unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, b"catid|catname\n3|Opera\n").unwrap();
    std::fs::write(lake.join("part-1.txt.gz"), gz.finish().unwrap()).unwrap();
    let table = ExternalTable {
        relation: Relation::new("tickit external", "cat\"egory"),
        location: lake.to_string_lossy().into_owned(),
        format: ExternalFormat::Delimited {
            delimiter: "|".into(),
            header_rows: 1,
            quote: Some("\"".into()),
        },
        columns: vec![
            ColumnDef::new("catid", "smallint"),
            ColumnDef::new("catname", "varchar(10)"),
        ],
        spectrum: None,
    };
    assert_eq!(pg.stage_external(&table).unwrap().rows, 3);
    assert_eq!(
        scalar(
            pg.as_ref(),
            "select string_agg(catname, ',' order by catid) from \"tickit external\".\"cat\"\"egory\""
        ),
        json!("MLB,NHL,Opera")
    );
    let spectrum = ExternalTable {
        spectrum: Some(kiln_warehouse::SpectrumSpec {
            location: "s3://bucket/category/".into(),
            row_format: None,
            file_format: None,
            table_properties: None,
        }),
        ..table
    };
    let error = pg.stage_external(&spectrum).unwrap_err().to_string();
    assert!(error.contains("only a Redshift target"), "{error}");
}

#[test]
fn results_stream_into_the_local_store_typed() {
    let Some(cluster) = cluster() else { return };
    let pg = postgres(&cluster);
    let local = kiln_warehouse::DuckDbAdapter::in_memory_with_threads(2).unwrap();
    local.execute("ATTACH ':memory:' AS kiln_results").unwrap();
    let (tx, rx) = std::sync::mpsc::sync_channel(2);
    let writer = std::thread::spawn(move || {
        local
            .write_rows("kiln_results", "main", "q1_0", &mut rx.into_iter())
            .map(|n| (n, local))
    });
    let mut batches = 0;
    pg.stream(
        "select g as id, (g * 0.01)::numeric(12,2) as price, timestamp '2008-01-01' + g * interval '1 minute' as at, g % 2 = 0 as even from generate_series(1, 100000) g",
        &mut |columns, rows| {
            batches += 1;
            tx.send((columns.to_vec(), rows)).unwrap();
            Flow::More
        },
    )
    .unwrap();
    drop(tx);
    let (written, local) = writer.join().unwrap().unwrap();
    assert_eq!(written, 100_000);
    assert!(batches > 10, "the result came in batches, not whole: {batches}");
    let r = local
        .query("select sum(price)::varchar, max(\"at\")::varchar, count(*) filter (where even) from kiln_results.main.q1_0", None)
        .unwrap();
    assert_eq!(
        r.rows[0],
        vec![json!("50000500.0000000000"), json!("2008-03-10 10:40:00"), json!(50000)],
        "the wire protocol gives no NUMERIC precision, so results keep 10 decimals"
    );
}

#[test]
fn redshift_builds_run_through_the_shim() {
    let Some(cluster) = cluster() else { return };
    let shim = RedshiftShim {
        inner: WireExecutor::connect(&cluster.target(), Flavor::Redshift).unwrap(),
        seen: Default::default(),
    };
    let rs = SqlAdapter::new(shim, Flavor::Redshift);
    assert_eq!(rs.kind(), "redshift");
    rs.ensure_schema("marts").unwrap();
    let options = BuildOptions {
        dist: Some("id".into()),
        sort: vec!["id".into()],
        backup: Some(false),
        bind: Some(false),
        ..BuildOptions::default()
    };
    let rel = Relation::new("marts", "t");
    assert_eq!(
        rs.create_table(&rel, "select g as id from generate_series(1, 5) g", &options)
            .unwrap(),
        5
    );
    assert_eq!(
        rs.create_table(&rel, "select g as id from generate_series(1, 7) g", &options)
            .unwrap(),
        7
    );
    rs.create_view(&Relation::new("marts", "v"), "select * from marts.t", &options)
        .unwrap();
    rs.incremental(
        &rel,
        "select 100 as id",
        IncrementalStrategy::Merge,
        &["id".into()],
        false,
        &options,
    )
    .unwrap();
    assert_eq!(
        rs.query("select count(*) from marts.v", None).unwrap().rows[0][0],
        json!(8)
    );
    let seen = rs.executor().seen.lock().unwrap().join("\n");
    assert!(seen.contains("diststyle key distkey (\"id\")"), "{seen}");
    assert!(seen.contains("compound sortkey (\"id\")"), "{seen}");
    assert!(seen.contains("backup no"), "{seen}");
    assert!(seen.contains("with no schema binding"), "{seen}");
    assert!(seen.contains("merge into \"marts\".\"t\""), "{seen}");
}

#[test]
fn materialized_views_are_created_then_refreshed() {
    let Some(cluster) = cluster() else { return };
    let pg = postgres(&cluster);
    pg.ensure_schema("m").unwrap();
    pg.execute("create table m.readings as select g as id, g * 10 as temp from generate_series(1, 4) g")
        .unwrap();
    let mv = Relation::new("m", "avg_temp");
    let sql = "select avg(temp) as avg_temp, count(*) as n from m.readings";
    let options = BuildOptions::default();
    assert!(
        pg.materialized_view(&mv, sql, true, false, &options).unwrap(),
        "created"
    );
    assert_eq!(scalar(pg.as_ref(), "select n from m.avg_temp"), json!(4));
    pg.execute("insert into m.readings values (5, 50)").unwrap();
    assert_eq!(
        scalar(pg.as_ref(), "select n from m.avg_temp"),
        json!(4),
        "not refreshed yet"
    );
    assert!(
        !pg.materialized_view(&mv, sql, true, false, &options).unwrap(),
        "refreshed, not recreated"
    );
    assert_eq!(scalar(pg.as_ref(), "select n from m.avg_temp"), json!(5));
    assert!(
        pg.materialized_view(&mv, "select 1 as n", true, true, &options)
            .unwrap(),
        "a full refresh recreates"
    );
    assert_eq!(scalar(pg.as_ref(), "select n from m.avg_temp"), json!(1));
    // A view under the name gives way to the materialized view.
    let v = Relation::new("m", "was_a_view");
    pg.create_view(&v, "select 1 as n", &options).unwrap();
    assert!(pg
        .materialized_view(&v, "select 2 as n", false, false, &options)
        .unwrap());
    assert_eq!(scalar(pg.as_ref(), "select n from m.was_a_view"), json!(2));
}

/// Parallel models of one schema each ensure it exists; on PostgreSQL two racing
/// `CREATE SCHEMA IF NOT EXISTS` used to fail one model with a unique violation on pg_namespace.
#[test]
fn concurrent_models_create_their_shared_schema_once_without_failing() {
    let Some(pg) = cluster() else { return };
    let adapter = kiln_targets::open(&pg.target(), 8).expect("the postgres target opens");
    for round in 0..20 {
        let schema = format!("race_{round}");
        let failures: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| adapter.ensure_schema(&schema).map_err(|e| e.to_string())))
                .collect();
            handles.into_iter().filter_map(|h| h.join().unwrap().err()).collect()
        });
        assert_eq!(failures, Vec::<String>::new(), "round {round}");
        assert_eq!(
            scalar(
                adapter.as_ref(),
                &format!("select count(*) from pg_namespace where nspname = '{schema}'")
            ),
            json!(1)
        );
    }
}
