//! Two real DuckDB warehouses holding the same table, then one edited: every kind of
//! difference `kiln diff` reports must show, and none when the data is the same.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kiln_diff::{diff, DiffOptions, RowDiff, Side};
use kiln_warehouse::{Adapter, DuckDbAdapter, Relation};

const TABLE: &str = "create schema marts; create table marts.sales as
    select i as id, 'buyer ' || i as buyer, (i * 1.25)::decimal(10,2) as price,
           i % 2 = 0 as even, date '2008-01-01' + i::int as day
    from range(1, 101) t(i)";

fn warehouse(dir: &std::path::Path, name: &str) -> DuckDbAdapter {
    let a = DuckDbAdapter::open(&dir.join(name), 2).unwrap();
    a.execute(TABLE).unwrap();
    a
}

fn sides<'a>(left: &'a DuckDbAdapter, right: &'a DuckDbAdapter) -> (Side<'a>, Side<'a>) {
    let rel = Relation::new("marts", "sales");
    (
        Side {
            label: "dev".into(),
            adapter: left,
            relation: rel.clone(),
        },
        Side {
            label: "prod".into(),
            adapter: right,
            relation: rel,
        },
    )
}

#[test]
fn the_same_table_compares_equal() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (warehouse(dir.path(), "a.duckdb"), warehouse(dir.path(), "b.duckdb"));
    let (l, r) = sides(&a, &b);
    let options = DiffOptions {
        key: vec!["id".into()],
        ..DiffOptions::default()
    };
    let report = diff(&l, &r, &options).unwrap();
    assert!(report.same(), "{report:#?}");
    assert_eq!(report.left_rows, 100);
    assert!(report.checksums.len() >= 15, "{} checksums", report.checksums.len());
    assert!(report.rows_skipped.is_none());
}

#[test]
fn changed_missing_and_extra_rows_and_columns_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (warehouse(dir.path(), "a.duckdb"), warehouse(dir.path(), "b.duckdb"));
    b.execute(
        "update marts.sales set price = price + 0.01 where id = 7;
         delete from marts.sales where id = 9;
         insert into marts.sales values (500, 'new', 1.00, true, date '2009-01-01');
         alter table marts.sales add column note varchar",
    )
    .unwrap();
    let (l, r) = sides(&a, &b);
    let options = DiffOptions {
        key: vec!["id".into()],
        ..DiffOptions::default()
    };
    let report = diff(&l, &r, &options).unwrap();
    assert!(!report.same());
    assert_eq!((report.left_rows, report.right_rows), (100, 100));
    let note = report.columns.iter().find(|c| c.name == "note").unwrap();
    assert!(note.left_type.is_none() && !note.compatible);
    let price_sum = report
        .checksums
        .iter()
        .find(|c| c.column == "price" && c.measure == "sum")
        .unwrap();
    assert!(!price_sum.equal, "{price_sum:?}");
    assert_eq!(report.differing_rows, 3);
    let keys: Vec<String> = report
        .rows
        .iter()
        .map(|d| match d {
            RowDiff::OnlyLeft { key } => format!("-{}", key[0]),
            RowDiff::OnlyRight { key } => format!("+{}", key[0]),
            RowDiff::Changed { key, columns } => format!("~{}:{}", key[0], columns[0].0),
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(sorted, vec!["+500", "-9", "~7:price"]);
}

#[test]
fn big_sides_skip_row_comparison_and_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (warehouse(dir.path(), "a.duckdb"), warehouse(dir.path(), "b.duckdb"));
    let (l, r) = sides(&a, &b);
    let options = DiffOptions {
        key: vec!["id".into()],
        row_limit: 50,
        ..DiffOptions::default()
    };
    let report = diff(&l, &r, &options).unwrap();
    assert!(report.rows_skipped.unwrap().contains("more than 50 rows"));
    let bad_key = DiffOptions {
        key: vec!["nope".into()],
        ..DiffOptions::default()
    };
    let error = diff(&l, &r, &bad_key).unwrap_err().to_string();
    assert!(error.contains("nope") && error.contains("dev"), "{error}");
}
