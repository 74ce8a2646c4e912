//! `apply_batch` on a real DuckDB: rows in through the appender, rows that break the SQL set
//! aside with their message, everything else committed with the bookkeeping in one transaction.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kiln_warehouse::{Adapter, BatchType, BatchValue, DuckDbAdapter, RowBatch};

fn batch(values: &[&str]) -> RowBatch {
    RowBatch {
        table: "kiln_batch_t".into(),
        columns: vec![
            ("seq".into(), BatchType::BigInt),
            ("arrived".into(), BatchType::TimestampMs),
            ("payload".into(), BatchType::Varchar),
            ("raw".into(), BatchType::Blob),
        ],
        rows: values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                vec![
                    BatchValue::Int(Some(i as i64 + 1)),
                    BatchValue::TimestampMs(Some(1_700_000_000_000 + i as i64)),
                    BatchValue::Text(Some(v.to_string())),
                    BatchValue::Bytes(Some(v.as_bytes().to_vec())),
                ]
            })
            .collect(),
    }
}

const INSERT: &str = "INSERT INTO out SELECT seq, arrived, CAST(payload AS INTEGER) FROM kiln_batch_t";

fn setup() -> DuckDbAdapter {
    let db = DuckDbAdapter::in_memory().unwrap();
    db.execute("CREATE TABLE out (seq BIGINT, arrived TIMESTAMP, n INTEGER); CREATE TABLE log (note VARCHAR)")
        .unwrap();
    db
}

#[test]
fn a_clean_batch_commits_with_its_bookkeeping() {
    let db = setup();
    let outcome = db
        .apply_batch(&batch(&["1", "2", "3"]), INSERT, &|rejected| {
            format!("INSERT INTO log VALUES ('{} rejected')", rejected.len())
        })
        .unwrap();
    assert_eq!((outcome.kept, outcome.rejected.len()), (3, 0));
    let rows = db
        .query("SELECT seq, n, epoch_ms(arrived) FROM out ORDER BY seq", None)
        .unwrap()
        .rows;
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[2][1], serde_json::json!(3));
    assert_eq!(rows[0][2], serde_json::json!(1_700_000_000_000i64));
    let log = db.query("SELECT note FROM log", None).unwrap().rows;
    assert_eq!(log, vec![vec![serde_json::json!("0 rejected")]]);
}

#[test]
fn bad_rows_are_found_one_by_one_and_the_rest_commit() {
    let db = setup();
    let values = ["1", "x", "3", "4", "oops", "6", "7", "8", "9", "zz"];
    let outcome = db
        .apply_batch(&batch(&values), INSERT, &|rejected| {
            let notes: Vec<String> = rejected.iter().map(|r| format!("('{}')", r.row)).collect();
            format!("INSERT INTO log VALUES {}", notes.join(", "))
        })
        .unwrap();
    let rows: Vec<usize> = outcome.rejected.iter().map(|r| r.row).collect();
    assert_eq!(rows, [1, 4, 9]);
    assert!(
        outcome.rejected[0].message.contains("'x'"),
        "{}",
        outcome.rejected[0].message
    );
    assert_eq!(outcome.kept, 7);
    let n = db
        .query("SELECT count(*), CAST(sum(n) AS BIGINT) FROM out", None)
        .unwrap()
        .rows;
    assert_eq!(n[0], vec![serde_json::json!(7), serde_json::json!(38)]);
    let log = db.query("SELECT note FROM log ORDER BY 1", None).unwrap().rows;
    assert_eq!(log.len(), 3);
}

#[test]
fn an_error_no_row_causes_commits_nothing() {
    let db = setup();
    let err = db
        .apply_batch(
            &batch(&["1"]),
            "INSERT INTO missing SELECT * FROM kiln_batch_t",
            &|_| "INSERT INTO log VALUES ('should not happen')".into(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
    // A failing bookkeeping statement rolls the batch back too.
    let err = db
        .apply_batch(&batch(&["1"]), INSERT, &|_| "INSERT INTO nowhere VALUES (1)".into())
        .unwrap_err();
    assert!(err.to_string().contains("nowhere"), "{err}");
    let n = db
        .query("SELECT (SELECT count(*) FROM out) + (SELECT count(*) FROM log)", None)
        .unwrap()
        .rows;
    assert_eq!(n[0][0], serde_json::json!(0));
}
