//! Snapshots of the DDL each materialization emits, written out by hand from dbt-redshift's and
//! dbt_external_tables' macros (what they render for the same config), so a change in Kiln's
//! SQL shows up here as a diff to review. Redshift-only clauses cannot run on the PostgreSQL
//! server the other tests use; these snapshots are their check.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kiln_pgsql::render::{self, Flavor};
use kiln_warehouse::{BuildOptions, ColumnDef, IncrementalStrategy, Relation, RelationType, SpectrumSpec};

fn rel(schema: &str, name: &str) -> Relation {
    Relation::new(schema, name)
}

#[test]
fn redshift_table_with_dist_key_compound_sort_and_no_backup() {
    let options = BuildOptions {
        dist: Some("eventid".into()),
        sort: vec!["caldate".into(), "eventid".into()],
        backup: Some(false),
        ..BuildOptions::default()
    };
    let sql = render::create_table_as(
        Flavor::Redshift,
        &rel("marts", "fct_sales__kiln_tmp"),
        "select 1 as x;\n",
        &options,
    );
    assert_eq!(
        sql,
        "create table \"marts\".\"fct_sales__kiln_tmp\"\nbackup no\ndiststyle key distkey (\"eventid\")\n\
         compound sortkey (\"caldate\", \"eventid\")\nas (\nselect 1 as x\n)"
    );
}

#[test]
fn redshift_diststyles_and_interleaved_sort() {
    let table = rel("s", "t");
    let render = |dist: &str, sort_type: Option<&str>| {
        let options = BuildOptions {
            dist: Some(dist.into()),
            sort: vec!["a".into()],
            sort_type: sort_type.map(str::to_string),
            ..BuildOptions::default()
        };
        render::create_table_as(Flavor::Redshift, &table, "select 1 as a", &options)
    };
    assert!(render("ALL", None).contains("\ndiststyle all\ncompound sortkey (\"a\")\n"));
    assert!(render("even", Some("interleaved")).contains("\ndiststyle even\ninterleaved sortkey (\"a\")\n"));
    assert!(render("auto", None).contains("\ndiststyle auto\n"));
}

#[test]
fn postgres_leaves_out_redshift_clauses() {
    let options = BuildOptions {
        dist: Some("all".into()),
        sort: vec!["a".into()],
        backup: Some(false),
        bind: Some(false),
        ..BuildOptions::default()
    };
    assert_eq!(
        render::create_table_as(
            Flavor::Postgres,
            &rel("s", "t"),
            "select 1 as a -- trailing comment",
            &options
        ),
        "create table \"s\".\"t\"\nas (\nselect 1 as a -- trailing comment\n)"
    );
    assert_eq!(
        render::create_view(Flavor::Postgres, &rel("s", "v"), "select 1", &options),
        "create view \"s\".\"v\" as (\nselect 1\n)"
    );
}

#[test]
fn late_binding_view_on_redshift_when_bind_is_false() {
    let unbound = BuildOptions {
        bind: Some(false),
        ..BuildOptions::default()
    };
    assert_eq!(
        render::create_view(
            Flavor::Redshift,
            &rel("stg", "v__kiln_tmp"),
            "select * from ext.t",
            &unbound
        ),
        "create view \"stg\".\"v__kiln_tmp\" as (\nselect * from ext.t\n) with no schema binding"
    );
    assert!(
        !render::create_view(Flavor::Redshift, &rel("s", "v"), "select 1", &BuildOptions::default())
            .contains("binding")
    );
}

#[test]
fn swap_renames_the_old_relation_aside_and_drops_it_last() {
    let target = rel("marts", "t");
    let scratch = target.temp_relation();
    assert_eq!(
        render::swap(&target, &scratch, Some(RelationType::View)),
        vec![
            "drop view if exists \"marts\".\"t__kiln_backup\" cascade",
            "alter table \"marts\".\"t\" rename to \"t__kiln_backup\"",
            "alter table \"marts\".\"t__kiln_tmp\" rename to \"t\"",
            "drop view if exists \"marts\".\"t__kiln_backup\" cascade",
        ]
    );
    assert_eq!(
        render::swap(&target, &scratch, None),
        vec!["alter table \"marts\".\"t__kiln_tmp\" rename to \"t\""]
    );
}

#[test]
fn incremental_strategies() {
    let target = rel("m", "t");
    let batch = target.temp_relation();
    let columns = vec!["id".to_string(), "v".to_string()];
    let key = vec!["id".to_string()];
    assert_eq!(
        render::incremental(&target, &batch, &columns, IncrementalStrategy::Append, &key),
        vec!["insert into \"m\".\"t\" (\"id\", \"v\")\nselect \"id\", \"v\" from \"m\".\"t__kiln_tmp\""]
    );
    assert_eq!(
        render::incremental(&target, &batch, &columns, IncrementalStrategy::DeleteInsert, &key)[0],
        "delete from \"m\".\"t\"\nusing \"m\".\"t__kiln_tmp\"\nwhere \"m\".\"t\".\"id\" = \"m\".\"t__kiln_tmp\".\"id\""
    );
    assert_eq!(
        render::incremental(&target, &batch, &columns, IncrementalStrategy::Merge, &key),
        vec![
            "merge into \"m\".\"t\" as kiln_target\nusing \"m\".\"t__kiln_tmp\" as kiln_batch\n\
             on kiln_target.\"id\" = kiln_batch.\"id\"\n\
             when matched then update set \"v\" = kiln_batch.\"v\"\n\
             when not matched then insert (\"id\", \"v\") values (kiln_batch.\"id\", kiln_batch.\"v\")"
        ]
    );
}

#[test]
fn spectrum_table_as_dbt_external_tables_renders_it() {
    let spec = SpectrumSpec {
        location: "s3://tickit-lake/category/".into(),
        row_format: Some(
            "serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde' with serdeproperties ('separatorChar'='|')".into(),
        ),
        file_format: None,
        table_properties: Some("('skip.header.line.count'='1')".into()),
    };
    let columns = vec![
        ColumnDef::new("catid", "smallint"),
        ColumnDef::new("catgroup", "varchar(10)"),
    ];
    assert_eq!(
        render::spectrum_table(&rel("tickit_external", "category"), &columns, &spec),
        vec![
            "drop table if exists \"tickit_external\".\"category\"".to_string(),
            "create external table \"tickit_external\".\"category\" (\n  \"catid\" smallint,\n  \"catgroup\" varchar(10)\n)\n\
             row format serde 'org.apache.hadoop.hive.serde2.OpenCSVSerde' with serdeproperties ('separatorChar'='|')\n\
             stored as textfile\nlocation 's3://tickit-lake/category/'\n\
             table properties ('skip.header.line.count'='1')"
                .to_string(),
        ]
    );
}

#[test]
fn hostile_identifiers_and_values_are_quoted() {
    let evil = rel("we\"ird", "ta\"ble; drop table x; --");
    assert_eq!(render::name(&evil), "\"we\"\"ird\".\"ta\"\"ble; drop table x; --\"");
    let insert = render::insert_values(&evil, &["c\"ol".into()], &[vec![Some("it's".into())], vec![None]]);
    assert_eq!(
        insert,
        "insert into \"we\"\"ird\".\"ta\"\"ble; drop table x; --\" (\"c\"\"ol\") values\n('it''s'),\n(null)"
    );
    assert!(render::relation_type_query(&rel("a'b", "c")).contains("n.nspname = 'a''b'"));
}
