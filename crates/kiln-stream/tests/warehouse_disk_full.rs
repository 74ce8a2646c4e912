//! The warehouse's disk fills up under a refresh: this test binary (one test, alone in its
//! process) lowers its own file-size limit (RLIMIT_FSIZE) once the records are safely in the
//! stream's log, so DuckDB's writes fail part-way as on a full disk. The refresh fails and takes
//! nothing; producers' records stay in the log; once there is room again a new process (a reopened
//! warehouse) refreshes every record exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use kiln_stream::log::LogOptions;
use kiln_stream::views::{self, StreamingView};
use kiln_stream::{Hub, HubOptions, PutRecord, StreamKind, StreamMeta};
use kiln_warehouse::{Adapter, DuckDbAdapter};

fn set_file_size_limit(bytes: libc::rlim_t) {
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: plain syscalls on this process's own limits and signal disposition.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
    }
}

fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

fn count(db: &dyn Adapter, sql: &str) -> u64 {
    db.query(sql, None).unwrap().rows[0][0].as_u64().unwrap()
}

#[test]
fn a_full_warehouse_disk_fails_the_refresh_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let hub = Arc::new(
        Hub::open(
            &dir.path().join("streams"),
            HubOptions {
                log: LogOptions::default(),
                shard_limit: None,
            },
        )
        .unwrap(),
    );
    hub.create(StreamMeta::new(StreamKind::Kinesis, "orders", 2)).unwrap();
    let db_path = dir.path().join("warehouse.duckdb");
    let view = StreamingView {
        schema: "main".into(),
        name: "orders".into(),
        external_schema: "kinesis_schema".into(),
        stream: "orders".into(),
        definition: "SELECT partition_key, JSON_EXTRACT_PATH_TEXT(from_varbyte(kinesis_data, 'utf-8'), 'pad') AS pad \
                     FROM kinesis_schema.orders"
            .into(),
        auto_refresh: false,
    };
    {
        let db = DuckDbAdapter::open(&db_path, 1).unwrap();
        views::register_external_schema(&db, "kinesis_schema", None).unwrap();
        views::create_view(&hub, &db, &view, false).unwrap();
        db.execute("CHECKPOINT").unwrap();
    }
    let records: Vec<PutRecord> = (0..5000)
        .map(|i| PutRecord {
            partition_key: format!("k{i}"),
            explicit_hash_key: None,
            data: format!(r#"{{"id": {i}, "pad": "{}"}}"#, "x".repeat(400)).into_bytes(),
        })
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for outcome in rt.block_on(hub.put(StreamKind::Kinesis, "orders", records)).unwrap() {
        outcome.unwrap();
    }

    let db = DuckDbAdapter::open(&db_path, 1).unwrap();
    let wal = dir.path().join("warehouse.duckdb.wal");
    // Room for a few KiB more in either file: 2 MB of new rows cannot fit.
    set_file_size_limit(size(&db_path).max(size(&wal)) + 16 * 1024);
    let failed = views::refresh(&hub, &db, &view, 16);
    set_file_size_limit(libc::RLIM_INFINITY);
    assert!(failed.is_err(), "the refresh should fail on a full disk");
    drop(db);

    // The records are still in the log; a reopened warehouse takes each one once.
    let db = DuckDbAdapter::open(&db_path, 1).unwrap();
    assert_eq!(count(&db, "SELECT count(*) FROM main.orders"), 0);
    let report = views::refresh(&hub, &db, &view, 16).unwrap();
    assert_eq!((report.records, report.rejected), (5000, 0));
    assert_eq!(
        count(&db, "SELECT count(DISTINCT partition_key) FROM main.orders"),
        5000
    );
    assert_eq!(views::refresh(&hub, &db, &view, 16).unwrap().records, 0);
}
