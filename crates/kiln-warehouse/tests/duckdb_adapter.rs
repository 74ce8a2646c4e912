//! The DuckDB adapter against real warehouse files in temporary directories.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use kiln_warehouse::{
    Adapter, AdapterError, BuildOptions, ColumnDef, DuckDbAdapter, ExternalFormat, ExternalTable, IncrementalStrategy,
    Relation, RelationType, Staged,
};
use serde_json::{json, Value};
use tempfile::TempDir;

fn warehouse() -> (TempDir, DuckDbAdapter) {
    let dir = tempfile::tempdir().unwrap();
    let adapter = DuckDbAdapter::open(&dir.path().join("warehouse.duckdb"), 4).unwrap();
    (dir, adapter)
}

fn rows(a: &DuckDbAdapter, sql: &str) -> Vec<Vec<Value>> {
    a.query(sql, None).unwrap().rows
}

fn scalar(a: &DuckDbAdapter, sql: &str) -> Value {
    rows(a, sql).remove(0).remove(0)
}

fn sql_path(p: &Path) -> String {
    p.to_string_lossy().replace('\'', "''")
}

fn delimited(header_rows: usize) -> ExternalFormat {
    ExternalFormat::Delimited {
        delimiter: "|".into(),
        header_rows,
        quote: None,
    }
}

fn category_columns() -> Vec<ColumnDef> {
    vec![
        ColumnDef::new("catid", "smallint"),
        ColumnDef::new("catgroup", "varchar(10)"),
        ColumnDef::new("catname", "varchar(10)"),
        ColumnDef::new("catdesc", "varchar(50)"),
    ]
}

#[test]
fn stages_pipe_delimited_folder_with_header() {
    let (dir, a) = warehouse();
    let lake = dir.path().join("lake/category");
    fs::create_dir_all(&lake).unwrap();
    fs::write(
        lake.join("category_a.txt"),
        "catid|catgroup|catname|catdesc\n1|Sports|MLB|Major League Baseball\n\
         2|Sports|NHL|National Hockey League\n9|Shows|Musicals|Musical theatre\n",
    )
    .unwrap();
    fs::write(
        lake.join("category_b.txt"),
        "catid|catgroup|catname|catdesc\n10|Concerts|Pop|All rock and pop\n11|Concerts|Jazz|\n",
    )
    .unwrap();
    // Markers and hidden files are not data and must not be parsed.
    fs::write(lake.join("_SUCCESS"), "").unwrap();
    fs::write(lake.join(".DS_Store"), "junk|junk").unwrap();

    let table = ExternalTable {
        relation: Relation::new("tickit_external", "category"),
        location: lake.to_string_lossy().into_owned(),
        format: delimited(1),
        columns: category_columns(),
        spectrum: None,
    };
    assert_eq!(a.stage_external(&table).unwrap().rows, 5);
    assert_eq!(a.relation_type(&table.relation).unwrap(), Some(RelationType::Table));
    let cols = a.columns(&table.relation).unwrap();
    let types: Vec<(&str, &str)> = cols.iter().map(|c| (c.name.as_str(), c.data_type.as_str())).collect();
    assert_eq!(
        types,
        vec![
            ("catid", "SMALLINT"),
            ("catgroup", "VARCHAR"),
            ("catname", "VARCHAR"),
            ("catdesc", "VARCHAR")
        ]
    );
    assert_eq!(
        scalar(&a, "select sum(catid)::BIGINT from tickit_external.category"),
        json!(33)
    );
    assert_eq!(
        rows(
            &a,
            "select catname, catdesc from tickit_external.category where catid = 11"
        ),
        vec![vec![json!("Jazz"), Value::Null]]
    );

    // Staging again with nothing changed keeps the loaded table.
    assert_eq!(a.stage_external(&table).unwrap(), Staged { rows: 5, reused: true });

    // A file added to the folder is picked up by the next stage.
    fs::write(
        lake.join("category_c.txt"),
        "catid|catgroup|catname|catdesc\n12|Shows|Opera|All opera\n",
    )
    .unwrap();
    assert_eq!(a.stage_external(&table).unwrap(), Staged { rows: 6, reused: false });

    // So is a file rewritten in place (its size changes), and a changed definition.
    fs::write(
        lake.join("category_c.txt"),
        "catid|catgroup|catname|catdesc\n12|Shows|Opera|All opera\n13|Shows|Plays|All plays\n",
    )
    .unwrap();
    assert_eq!(a.stage_external(&table).unwrap(), Staged { rows: 7, reused: false });
    assert!(a.stage_external(&table).unwrap().reused);
    let mut wider = table.clone();
    wider.columns[0] = ColumnDef::new("catid", "bigint");
    assert_eq!(a.stage_external(&wider).unwrap(), Staged { rows: 7, reused: false });
    assert_eq!(a.columns(&table.relation).unwrap()[0].data_type, "BIGINT");
}

#[test]
fn stages_gzip_files() {
    let (dir, a) = warehouse();
    let lake = dir.path().join("lake/sale");
    fs::create_dir_all(&lake).unwrap();
    let file = lake.join("sales_tab.txt.gz");
    a.execute(&format!(
        "COPY (SELECT i AS salesid, (i % 8) + 1 AS qtysold, round(i * 1.25, 2)::DECIMAL(8,2) AS pricepaid, \
         TIMESTAMP '2008-01-01 00:00:00' + to_minutes(i) AS saletime FROM range(1, 1001) t(i)) \
         TO '{}' (FORMAT csv, DELIMITER '|', HEADER true, COMPRESSION gzip)",
        sql_path(&file)
    ))
    .unwrap();
    let bytes = fs::read(&file).unwrap();
    assert_eq!(&bytes[..2], &[0x1f, 0x8b], "the fixture must really be gzip");

    let table = ExternalTable {
        relation: Relation::new("tickit_external", "sale"),
        location: lake.join("*.txt.gz").to_string_lossy().into_owned(),
        format: delimited(1),
        columns: vec![
            ColumnDef::new("salesid", "integer"),
            ColumnDef::new("qtysold", "smallint"),
            ColumnDef::new("pricepaid", "decimal(8,2)"),
            ColumnDef::new("saletime", "timestamp"),
        ],
        spectrum: None,
    };
    assert_eq!(a.stage_external(&table).unwrap().rows, 1000);
    let cents: i64 = (1..=1000).map(|i| i * 125).sum();
    let expected = format!("{}.{:02}", cents / 100, cents % 100);
    let r = rows(
        &a,
        "select sum(pricepaid), max(saletime), sum(qtysold)::BIGINT from tickit_external.sale",
    );
    let qty: i64 = (1..=1000).map(|i| (i % 8) + 1).sum();
    assert_eq!(r[0][0], json!(expected));
    assert_eq!(r[0][1], json!("2008-01-01T16:40:00"));
    assert_eq!(r[0][2], json!(qty));
}

#[test]
fn stages_ndjson() {
    let (dir, a) = warehouse();
    let lake = dir.path().join("lake/events");
    fs::create_dir_all(&lake).unwrap();
    fs::write(
        lake.join("part-1.json"),
        "{\"id\": 1, \"name\": \"Opening night\", \"starts\": \"2008-01-25 19:30:00\", \"extra\": true}\n\
         {\"id\": 2, \"name\": \"Finale\", \"starts\": \"2008-12-31 23:00:00\"}\n",
    )
    .unwrap();
    let table = ExternalTable {
        relation: Relation::new("raw", "events"),
        location: lake.to_string_lossy().into_owned(),
        format: ExternalFormat::NdJson,
        columns: vec![
            ColumnDef::new("id", "int4"),
            ColumnDef::new("name", "varchar(200)"),
            ColumnDef::new("starts", "timestamp"),
        ],
        spectrum: None,
    };
    assert_eq!(a.stage_external(&table).unwrap().rows, 2);
    let result = a
        .query("select id, name, starts from raw.events order by id", None)
        .unwrap();
    assert_eq!(
        result.columns.iter().map(|c| c.data_type.as_str()).collect::<Vec<_>>(),
        vec!["INTEGER", "VARCHAR", "TIMESTAMP"]
    );
    assert_eq!(
        result.rows,
        vec![
            vec![json!(1), json!("Opening night"), json!("2008-01-25T19:30:00")],
            vec![json!(2), json!("Finale"), json!("2008-12-31T23:00:00")],
        ]
    );
}

#[test]
fn stages_parquet_with_declared_casts() {
    let (dir, a) = warehouse();
    let lake = dir.path().join("lake/listing");
    fs::create_dir_all(&lake).unwrap();
    a.execute(&format!(
        "COPY (SELECT i::BIGINT AS listid, i * 1.5::DOUBLE AS priceperticket, 'seller ' || i AS note \
         FROM range(1, 11) t(i)) TO '{}' (FORMAT parquet)",
        sql_path(&lake.join("part-0.parquet"))
    ))
    .unwrap();
    fs::write(lake.join("_SUCCESS"), "").unwrap();
    let table = ExternalTable {
        relation: Relation::new("raw", "listing"),
        location: lake.to_string_lossy().into_owned(),
        format: ExternalFormat::Parquet,
        columns: vec![
            ColumnDef::new("listid", "integer"),
            ColumnDef::new("priceperticket", "decimal(8,2)"),
            ColumnDef::new("note", "varchar(30)"),
        ],
        spectrum: None,
    };
    assert_eq!(a.stage_external(&table).unwrap().rows, 10);
    let types: Vec<String> = a
        .columns(&table.relation)
        .unwrap()
        .into_iter()
        .map(|c| c.data_type)
        .collect();
    assert_eq!(types, vec!["INTEGER", "DECIMAL(8,2)", "VARCHAR"]);
    assert_eq!(
        scalar(&a, "select sum(priceperticket) from raw.listing"),
        json!("82.50")
    );
}

#[test]
fn bad_value_reports_file_line_and_column() {
    let (dir, a) = warehouse();
    let lake = dir.path().join("lake/sale");
    fs::create_dir_all(&lake).unwrap();
    let bad = lake.join("sales.txt");
    fs::write(
        &bad,
        "salesid|qtysold|pricepaid\n1|2|10.00\n2|4|20.00\n3|four|30.00\n4|1|5.00\n",
    )
    .unwrap();
    let table = ExternalTable {
        relation: Relation::new("tickit_external", "sale"),
        location: lake.to_string_lossy().into_owned(),
        format: delimited(1),
        columns: vec![
            ColumnDef::new("salesid", "integer"),
            ColumnDef::new("qtysold", "smallint"),
            ColumnDef::new("pricepaid", "decimal(8,2)"),
        ],
        spectrum: None,
    };
    let err = a.stage_external(&table).unwrap_err();
    match &err {
        AdapterError::LakeData(d) => {
            assert_eq!(d.source_name, "tickit_external.sale");
            assert_eq!(d.file.as_deref(), Some(bad.to_string_lossy().as_ref()));
            assert_eq!(d.line, Some(4), "header is line 1, the bad row line 4");
            assert_eq!(d.column.as_deref(), Some("qtysold"));
            assert_eq!(d.original_line.as_deref(), Some("3|four|30.00"));
        }
        other => panic!("expected LakeData, got {other:?}"),
    }
    let text = err.to_string();
    assert!(text.contains("sales.txt") && text.contains("line 4"), "{text}");
    assert!(text.contains("data_type in the sources YAML"), "{text}");
    // The failed staging is rolled back rather than leaving a view that cannot be read.
    assert_eq!(a.relation_type(&table.relation).unwrap(), None);
}

#[test]
fn bad_ndjson_value_reports_line() {
    let (dir, a) = warehouse();
    let file = dir.path().join("readings.json");
    fs::write(&file, "{\"id\": 1}\n{\"id\": 2}\n{\"id\": \"three\"}\n").unwrap();
    let table = ExternalTable {
        relation: Relation::new("raw", "readings"),
        location: file.to_string_lossy().into_owned(),
        format: ExternalFormat::NdJson,
        columns: vec![ColumnDef::new("id", "integer")],
        spectrum: None,
    };
    match a.stage_external(&table).unwrap_err() {
        AdapterError::LakeData(d) => {
            assert_eq!(d.file.as_deref(), Some(file.to_string_lossy().as_ref()));
            assert_eq!(d.line, Some(3));
        }
        other => panic!("expected LakeData, got {other:?}"),
    }
}

#[test]
fn missing_lake_files_name_the_path_and_source() {
    let (dir, a) = warehouse();
    let nowhere = dir.path().join("lake/nowhere");
    let mut table = ExternalTable {
        relation: Relation::new("tickit_external", "venue"),
        location: nowhere.to_string_lossy().into_owned(),
        format: delimited(1),
        columns: vec![ColumnDef::new("venueid", "smallint")],
        spectrum: None,
    };
    let err = a.stage_external(&table).unwrap_err();
    match &err {
        AdapterError::MissingLakeFiles { source_name, location } => {
            assert_eq!(source_name, "tickit_external.venue");
            assert_eq!(location, &nowhere.to_string_lossy());
        }
        other => panic!("expected MissingLakeFiles, got {other:?}"),
    }
    assert!(err.to_string().contains("lake/nowhere"));

    // An existing but empty folder has no data either.
    fs::create_dir_all(&nowhere).unwrap();
    fs::write(nowhere.join("_SUCCESS"), "").unwrap();
    assert!(matches!(
        a.stage_external(&table),
        Err(AdapterError::MissingLakeFiles { .. })
    ));

    // A glob that matches nothing is reported by DuckDB and mapped the same way.
    table.location = nowhere.join("*.txt").to_string_lossy().into_owned();
    match a.stage_external(&table).unwrap_err() {
        AdapterError::MissingLakeFiles { location, .. } => {
            assert!(location.ends_with("*.txt"), "{location}")
        }
        other => panic!("expected MissingLakeFiles, got {other:?}"),
    }

    table.location = "s3://bucket/raw_tickit_data/venue/".into();
    assert!(matches!(
        a.stage_external(&table),
        Err(AdapterError::Unsupported { .. })
    ));
}

#[test]
fn views_tables_and_swaps() {
    let (_dir, a) = warehouse();
    let t = Relation::new("marts", "fct_sales");
    let v = Relation::new("staging", "stg_sales");

    assert_eq!(
        a.create_table(&t, "select i as id from range(5) t(i);", &BuildOptions::default())
            .unwrap(),
        5
    );
    assert_eq!(a.relation_type(&t).unwrap(), Some(RelationType::Table));
    a.create_view(
        &v,
        "select id * 2 as doubled from marts.fct_sales",
        &BuildOptions::default(),
    )
    .unwrap();
    assert_eq!(a.relation_type(&v).unwrap(), Some(RelationType::View));
    assert_eq!(
        scalar(&a, "select sum(doubled)::BIGINT from staging.stg_sales"),
        json!(20)
    );

    // A failing SELECT leaves the old table exactly as it was, and no scratch table.
    let err = a
        .create_table(
            &t,
            "select\n  i as id,\n  no_such_column\nfrom range(3) t(i)",
            &BuildOptions::default(),
        )
        .unwrap_err();
    assert!(matches!(err, AdapterError::Sql { .. }), "{err:?}");
    assert!(err.to_string().contains("no_such_column"), "{err}");
    assert_eq!(scalar(&a, "select count(*) from marts.fct_sales"), json!(5));
    assert_eq!(a.relation_type(&t.temp_relation()).unwrap(), None);

    // Syntax errors point into the caller's SQL, not the generated CREATE statement.
    match a
        .create_table(
            &t,
            "select 1 as a,\n  2 as b\nfrom range(3) where where",
            &BuildOptions::default(),
        )
        .unwrap_err()
    {
        AdapterError::Sql { line, column, message } => {
            assert_eq!(line, Some(3), "{message}");
            assert_eq!(column, Some(21), "{message}");
            assert!(message.contains("LINE 3:"), "{message}");
        }
        other => panic!("expected Sql, got {other:?}"),
    }

    // Rebuild with a new shape: replaced atomically.
    assert_eq!(
        a.create_table(
            &t,
            "select i as id, 'x' as tag from range(3) t(i)",
            &BuildOptions::default()
        )
        .unwrap(),
        3
    );
    assert_eq!(
        a.columns(&t)
            .unwrap()
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        vec!["id", "tag"]
    );

    // A table replaces a view of the same name and vice versa.
    assert_eq!(
        a.create_table(&v, "select 7 as seven", &BuildOptions::default())
            .unwrap(),
        1
    );
    assert_eq!(a.relation_type(&v).unwrap(), Some(RelationType::Table));
    a.create_view(&t, "select 1 as one", &BuildOptions::default()).unwrap();
    assert_eq!(a.relation_type(&t).unwrap(), Some(RelationType::View));
    // A failing view leaves the previous relation in place.
    assert!(a
        .create_view(&t, "select nope from nowhere_at_all", &BuildOptions::default())
        .is_err());
    assert_eq!(scalar(&a, "select one from marts.fct_sales"), json!(1));

    let listed = a.list_relations().unwrap();
    assert_eq!(
        listed,
        vec![
            (Relation::new("marts", "fct_sales"), RelationType::View),
            (Relation::new("staging", "stg_sales"), RelationType::Table),
        ]
    );

    a.drop_relation(&t).unwrap();
    a.drop_relation(&v).unwrap();
    a.drop_relation(&v).unwrap();
    assert_eq!(a.relation_type(&t).unwrap(), None);
    assert!(a.columns(&t).is_err());
}

#[test]
fn incremental_strategies() {
    let (_dir, a) = warehouse();
    let rel = Relation::new("marts", "fct_inc");
    let contents = |a: &DuckDbAdapter| {
        rows(a, "select id, v from marts.fct_inc order by id")
            .into_iter()
            .map(|r| (r[0].as_i64().unwrap(), r[1].as_str().unwrap().to_string()))
            .collect::<Vec<_>>()
    };
    let key = vec!["id".to_string()];
    let pairs = |p: &[(i64, &str)]| p.iter().map(|(i, s)| (*i, s.to_string())).collect::<Vec<_>>();

    // First run: no table yet, so it is created.
    let n = a
        .incremental(
            &rel,
            "select 1 as id, 'a' as v union all select 2, 'b'",
            IncrementalStrategy::Merge,
            &key,
            false,
            &BuildOptions::default(),
        )
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(a.relation_type(&rel).unwrap(), Some(RelationType::Table));

    a.incremental(
        &rel,
        "select 3 as id, 'c' as v",
        IncrementalStrategy::Append,
        &[],
        false,
        &BuildOptions::default(),
    )
    .unwrap();
    assert_eq!(contents(&a), pairs(&[(1, "a"), (2, "b"), (3, "c")]));

    // Column order of the SELECT does not matter; names do.
    a.incremental(
        &rel,
        "select 'B' as v, 2 as id union all select 'd', 4",
        IncrementalStrategy::DeleteInsert,
        &key,
        false,
        &BuildOptions::default(),
    )
    .unwrap();
    assert_eq!(contents(&a), pairs(&[(1, "a"), (2, "B"), (3, "c"), (4, "d")]));

    let n = a
        .incremental(
            &rel,
            "select 1 as id, 'A' as v union all select 5, 'e'",
            IncrementalStrategy::Merge,
            &key,
            false,
            &BuildOptions::default(),
        )
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(contents(&a), pairs(&[(1, "A"), (2, "B"), (3, "c"), (4, "d"), (5, "e")]));

    // A failing batch changes nothing and leaves no scratch table.
    assert!(a
        .incremental(
            &rel,
            "select id, v, missing_col from marts.fct_inc",
            IncrementalStrategy::Merge,
            &key,
            false,
            &BuildOptions::default()
        )
        .is_err());
    assert_eq!(contents(&a).len(), 5);
    assert!(a
        .incremental(
            &rel,
            "select 1 as id, 'x' as v",
            IncrementalStrategy::Merge,
            &["nope".to_string()],
            false,
            &BuildOptions::default()
        )
        .is_err());
    assert_eq!(contents(&a).len(), 5);
    assert!(a
        .list_relations()
        .unwrap()
        .iter()
        .all(|(r, _)| !r.identifier.contains("__kiln_tmp")));

    let n = a
        .incremental(
            &rel,
            "select 9 as id, 'z' as v",
            IncrementalStrategy::Merge,
            &key,
            true,
            &BuildOptions::default(),
        )
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(contents(&a), pairs(&[(9, "z")]));
}

#[test]
fn seeds_infer_types_and_honour_overrides() {
    let (dir, a) = warehouse();
    let csv = dir.path().join("seeds/country_codes.csv");
    fs::create_dir_all(csv.parent().unwrap()).unwrap();
    fs::write(
        &csv,
        "id,name,amount,day\n1,alpha,1.5,2008-01-01\n2,beta,2.25,2008-01-02\n3,gamma,3,2008-01-03\n",
    )
    .unwrap();
    let rel = Relation::new("seeds", "country_codes");
    let types_of = |a: &DuckDbAdapter| {
        a.columns(&rel)
            .unwrap()
            .into_iter()
            .map(|c| (c.name, c.data_type))
            .collect::<Vec<_>>()
    };

    assert_eq!(a.load_seed(&rel, &csv, &BTreeMap::new(), ",").unwrap(), 3);
    assert_eq!(
        types_of(&a),
        vec![
            ("id".to_string(), "BIGINT".to_string()),
            ("name".to_string(), "VARCHAR".to_string()),
            ("amount".to_string(), "DOUBLE".to_string()),
            ("day".to_string(), "DATE".to_string()),
        ]
    );

    let overrides = BTreeMap::from([
        ("id".to_string(), "varchar(10)".to_string()),
        ("amount".to_string(), "decimal(10,2)".to_string()),
    ]);
    assert_eq!(a.load_seed(&rel, &csv, &overrides, ",").unwrap(), 3);
    assert_eq!(types_of(&a)[0].1, "VARCHAR");
    assert_eq!(types_of(&a)[2].1, "DECIMAL(10,2)");
    assert_eq!(scalar(&a, "select sum(amount) from seeds.country_codes"), json!("6.75"));

    // An override the data cannot satisfy fails with the line, and the old seed table stays.
    let bad = BTreeMap::from([("name".to_string(), "integer".to_string())]);
    match a.load_seed(&rel, &csv, &bad, ",").unwrap_err() {
        AdapterError::Seed { path, line, message } => {
            assert_eq!(path, csv);
            assert_eq!(line, Some(2), "{message}");
            assert!(message.contains("name"), "{message}");
        }
        other => panic!("expected Seed, got {other:?}"),
    }
    assert_eq!(types_of(&a)[2].1, "DECIMAL(10,2)");

    let err = a
        .load_seed(&rel, &dir.path().join("seeds/missing.csv"), &BTreeMap::new(), ",")
        .unwrap_err();
    assert!(matches!(err, AdapterError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("missing.csv"));
}

#[test]
fn query_converts_values_to_json() {
    let (_dir, a) = warehouse();
    let r = a
        .query(
            "SELECT 1::INTEGER AS i, 9007199254740993::BIGINT AS big, \
             170141183460469231731687303715884105727::HUGEINT AS huge, 12.34::DECIMAL(8,2) AS dec, \
             DATE '2008-02-29' AS d, TIMESTAMP '2008-01-24 06:43:29.5' AS ts, \
             TIMESTAMPTZ '2008-01-24 06:43:29+00' AS tstz, [1, 2, 3] AS l, \
             {'a': 1, 'b': 'x'} AS st, MAP {'k': 1} AS m, '\\xAA\\xBB'::BLOB AS b, \
             NULL::INTEGER AS n, true AS t, 0.5::DOUBLE AS f, INTERVAL 3 DAY AS iv, 'héllo' AS s",
            None,
        )
        .unwrap();
    let types: Vec<&str> = r.columns.iter().map(|c| c.data_type.as_str()).collect();
    assert_eq!(
        types,
        vec![
            "INTEGER",
            "BIGINT",
            "HUGEINT",
            "DECIMAL(8,2)",
            "DATE",
            "TIMESTAMP",
            "TIMESTAMP WITH TIME ZONE",
            "INTEGER[]",
            "STRUCT(\"a\" INTEGER, \"b\" VARCHAR)",
            "MAP(VARCHAR, INTEGER)",
            "BLOB",
            "INTEGER",
            "BOOLEAN",
            "DOUBLE",
            "INTERVAL",
            "VARCHAR"
        ]
    );
    assert_eq!(
        r.rows,
        vec![vec![
            json!(1),
            json!(9_007_199_254_740_993_i64),
            json!("170141183460469231731687303715884105727"),
            json!("12.34"),
            json!("2008-02-29"),
            json!("2008-01-24T06:43:29.5"),
            json!("2008-01-24T06:43:29Z"),
            json!([1, 2, 3]),
            json!({"a": 1, "b": "x"}),
            json!({"k": 1}),
            json!("qrs="),
            Value::Null,
            json!(true),
            json!(0.5),
            json!("P3D"),
            json!("héllo"),
        ]]
    );
    assert!(!r.truncated);
}

#[test]
fn query_limits_scripts_and_errors() {
    let (_dir, a) = warehouse();
    let r = a.query("select * from range(10) order by 1", Some(3)).unwrap();
    assert_eq!(r.rows, vec![vec![json!(0)], vec![json!(1)], vec![json!(2)]]);
    assert!(r.truncated);
    let r = a.query("select * from range(10);", Some(10)).unwrap();
    assert_eq!(r.rows.len(), 10);
    assert!(!r.truncated);
    // Not a plain query, so it runs as written and is cut while fetching.
    let r = a.query("call range(5)", Some(2)).unwrap();
    assert_eq!(r.rows.len(), 2);
    assert!(r.truncated);

    // Several statements: earlier ones run, the last one's rows come back.
    let r = a
        .query(
            "create table q1 as select 41 as a;\nselect a + 1 as answer from q1",
            None,
        )
        .unwrap();
    assert_eq!(r.columns[0].name, "answer");
    assert_eq!(r.rows, vec![vec![json!(42)]]);

    assert_eq!(
        a.execute("create table e(a int); insert into e select * from range(7)")
            .unwrap(),
        7
    );
    assert_eq!(a.execute("-- nothing to do\n").unwrap(), 0);

    match a
        .query("select 1;\nselect 2;\nselect\n  3 frm x y z", Some(5))
        .unwrap_err()
    {
        AdapterError::Sql { line, column, .. } => {
            assert_eq!(line, Some(4));
            assert_eq!(column, Some(9));
        }
        other => panic!("expected Sql, got {other:?}"),
    }
    // The LIMIT wrapper does not shift reported lines.
    match a.query("select 1,\n  2 frm x y", Some(5)).unwrap_err() {
        AdapterError::Sql { line, .. } => assert_eq!(line, Some(2)),
        other => panic!("expected Sql, got {other:?}"),
    }
}

#[test]
fn open_errors_name_the_path() {
    let err = DuckDbAdapter::open(Path::new("/proc/kiln-no-such/warehouse.duckdb"), 1)
        .err()
        .unwrap();
    assert!(matches!(err, AdapterError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("/proc/kiln-no-such/warehouse.duckdb"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let err = DuckDbAdapter::open(dir.path(), 1).err().unwrap();
    assert!(matches!(err, AdapterError::Open { .. }), "{err:?}");

    // Missing parent folders are created.
    let nested = dir.path().join("a/b/c/warehouse.duckdb");
    let a = DuckDbAdapter::open(&nested, 1).unwrap();
    assert_eq!(a.kind(), "duckdb");
    assert_eq!(a.path(), Some(nested.as_path()));
    a.ensure_schema("raw").unwrap();
    a.ensure_schema("raw").unwrap();
    assert!(nested.is_file());
}

#[test]
fn data_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("warehouse.duckdb");
    {
        let a = DuckDbAdapter::open(&path, 2).unwrap();
        a.create_table(
            &Relation::new("marts", "kept"),
            "select 3 as x",
            &BuildOptions::default(),
        )
        .unwrap();
    }
    let a = DuckDbAdapter::open(&path, 2).unwrap();
    assert_eq!(scalar(&a, "select x from marts.kept"), json!(3));
}

#[test]
fn parallel_use_from_four_threads() {
    let (_dir, a) = warehouse();
    let a = Arc::new(a);
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let a = Arc::clone(&a);
            thread::spawn(move || {
                for round in 0..3 {
                    let rel = Relation::new(format!("s{}", t % 2), format!("t{t}"));
                    let n = 10_000 * (t + 1) + round;
                    let rows = a
                        .create_table(
                            &rel,
                            &format!("select i from range({n}) r(i)"),
                            &BuildOptions::default(),
                        )
                        .unwrap();
                    assert_eq!(rows, n as u64);
                    a.create_view(
                        &Relation::new(format!("s{}", t % 2), format!("v{t}")),
                        &format!("select count(*) as c from {rel}"),
                        &BuildOptions::default(),
                    )
                    .unwrap();
                    let got = a.query(&format!("select c from s{}.v{t}", t % 2), None).unwrap();
                    assert_eq!(got.rows, vec![vec![json!(n)]]);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(a.list_relations().unwrap().len(), 8);

    // Statements really overlap: a short query finishes while a long one is still running.
    let long = {
        let a = Arc::clone(&a);
        thread::spawn(move || a.query("select sum(i % 7) from range(10000000000) t(i)", None))
    };
    thread::sleep(Duration::from_millis(300));
    assert_eq!(scalar(&a, "select 40 + 2"), json!(42));
    assert!(!long.is_finished(), "the long query should still be running");
    while !long.is_finished() {
        a.interrupt();
        thread::sleep(Duration::from_millis(100));
    }
    assert!(matches!(long.join().unwrap(), Err(AdapterError::Interrupted)));
}

#[test]
fn interrupt_cancels_a_long_query() {
    let (_dir, a) = warehouse();
    let a = Arc::new(a);
    let started = Instant::now();
    let worker = {
        let a = Arc::clone(&a);
        thread::spawn(move || a.query("select count(*) from range(10000000000) t(i) where i % 3 = 1", None))
    };
    thread::sleep(Duration::from_millis(300));
    // Repeat until it lands: the first call may come before the statement has started.
    while !worker.is_finished() {
        a.interrupt();
        thread::sleep(Duration::from_millis(100));
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "interrupt did not stop the query"
        );
    }
    let result = worker.join().unwrap();
    assert!(matches!(result, Err(AdapterError::Interrupted)), "{result:?}");
    assert!(result.unwrap_err().to_string().contains("cancelled"));
    // The adapter (and the interrupted connection) keep working afterwards.
    assert_eq!(scalar(&a, "select 1 + 1"), json!(2));
    assert_eq!(
        a.create_table(&Relation::new("m", "after"), "select 1 as x", &BuildOptions::default())
            .unwrap(),
        1
    );
}

const LOCK_CHILD_ENV: &str = "KILN_WAREHOUSE_LOCK_CHILD";
const LOCK_HELD: &str = "KILN_WAREHOUSE_LOCK_HELD";

/// Runs only as the child process of `second_process_gets_locked_error`: holds the warehouse
/// open until its stdin closes.
#[test]
fn lock_holder_child() {
    let Ok(path) = std::env::var(LOCK_CHILD_ENV) else {
        return;
    };
    let a = DuckDbAdapter::open(Path::new(&path), 1).unwrap();
    a.execute("create table if not exists held(a int)").unwrap();
    println!("{LOCK_HELD}");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

#[test]
fn second_process_gets_locked_error() {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("warehouse.duckdb");
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args(["--exact", "lock_holder_child", "--nocapture", "--test-threads=1"])
        .env(LOCK_CHILD_ENV, &path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains(LOCK_HELD) {
                let _ = tx.send(());
            }
        }
    });
    if rx.recv_timeout(Duration::from_secs(60)).is_err() {
        let _ = child.kill();
        panic!("the child process never opened the warehouse");
    }

    let err = DuckDbAdapter::open(&path, 1).err();
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success());
    let err = err.expect("a second process must not open a locked warehouse");
    let text = err.to_string();
    match &err {
        AdapterError::Locked { path: locked, holder } => {
            assert_eq!(locked, &path);
            let holder = holder.as_deref().unwrap_or_default();
            assert!(holder.contains(&format!("PID {}", child.id())), "holder: {holder}");
            assert!(text.contains(path.to_string_lossy().as_ref()), "{text}");
            assert!(text.contains("close Kiln Studio"), "{text}");
        }
        other => panic!("expected Locked, got {other:?}"),
    }
    // Once the other process is gone the warehouse opens normally.
    let a = DuckDbAdapter::open(&path, 1).unwrap();
    assert_eq!(scalar(&a, "select count(*) from held"), json!(0));
}

#[test]
fn invalid_declared_type_is_refused() {
    let (dir, a) = warehouse();
    let file = dir.path().join("x.txt");
    fs::write(&file, "a\n1\n").unwrap();
    let table = ExternalTable {
        relation: Relation::new("raw", "x"),
        location: file.to_string_lossy().into_owned(),
        format: delimited(1),
        columns: vec![ColumnDef::new("a", "int); drop table y; --")],
        spectrum: None,
    };
    match a.stage_external(&table).unwrap_err() {
        AdapterError::InvalidType { column, .. } => assert_eq!(column, "a"),
        other => panic!("expected InvalidType, got {other:?}"),
    }
}

/// A server's result as the wire adapters hand it over (PostgreSQL's type names, JSON values
/// with numerics and timestamps as text) lands typed in a DuckDB result store, in batches.
#[test]
fn write_rows_keeps_a_server_result_typed() {
    let a = DuckDbAdapter::in_memory().unwrap();
    a.execute("ATTACH ':memory:' AS kiln_results").unwrap();
    let columns = vec![
        kiln_warehouse::ColumnInfo {
            name: "id".into(),
            data_type: "integer".into(),
        },
        kiln_warehouse::ColumnInfo {
            name: "price".into(),
            data_type: "numeric(8,2)".into(),
        },
        kiln_warehouse::ColumnInfo {
            name: "ratio".into(),
            data_type: "numeric".into(),
        },
        kiln_warehouse::ColumnInfo {
            name: "seen".into(),
            data_type: "timestamp without time zone".into(),
        },
        kiln_warehouse::ColumnInfo {
            name: "ok".into(),
            data_type: "boolean".into(),
        },
        kiln_warehouse::ColumnInfo {
            name: "shape".into(),
            data_type: "geometry".into(),
        },
    ];
    let batch = |from: i64| {
        (
            columns.clone(),
            (from..from + 3)
                .map(|i| {
                    vec![
                        serde_json::json!(i),
                        serde_json::json!(format!("{i}.50")),
                        serde_json::json!("0.1234567891"),
                        serde_json::json!("2008-01-02T03:04:05"),
                        serde_json::json!(i % 2 == 0),
                        if i == 1 {
                            serde_json::Value::Null
                        } else {
                            serde_json::json!("POINT(1 2)")
                        },
                    ]
                })
                .collect::<Vec<_>>(),
        )
    };
    let mut batches = vec![batch(1), (columns.clone(), vec![]), batch(4)].into_iter();
    assert_eq!(a.write_rows("kiln_results", "main", "q1_0", &mut batches).unwrap(), 6);
    let r = a
        .query(
            "select sum(price), max(seen), count(shape), typeof(any_value(price)), any_value(ratio)::varchar from kiln_results.main.q1_0",
            None,
        )
        .unwrap();
    assert_eq!(
        r.rows[0],
        vec![
            serde_json::json!("24.00"),
            serde_json::json!("2008-01-02T03:04:05"),
            serde_json::json!(5),
            serde_json::json!("DECIMAL(8,2)"),
            serde_json::json!("0.1234567891"),
        ]
    );
}
