//! Faults under load: `kiln stream serve` is killed with SIGKILL while a real AWS SDK producer
//! is sending and the refresh loop is filling a streaming view; after a restart every record the
//! endpoint acknowledged is in the view exactly once, and the stream goes on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{interrupt, stream_serve, KILN};
use kiln_warehouse::{Adapter, DuckDbAdapter};

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("dbt_project.yml"),
        "name: faults\nversion: '1.0'\nprofile: faults\n",
    )
    .unwrap();
    std::fs::create_dir_all(root.join("models")).unwrap();
    std::fs::write(
        root.join("models/streams.yml"),
        "streams:\n  - name: orders\n    shards: 2\n",
    )
    .unwrap();
    std::fs::write(
        root.join("models/orders_live.sql"),
        "{{ config(materialized='materialized_view', auto_refresh=true) }}\n\
         select partition_key,\n\
                cast(json_extract_path_text(from_varbyte(kinesis_data, 'utf-8'), 'id') as bigint) as id\n\
         from kinesis_schema.orders\n",
    )
    .unwrap();
    dir
}

fn kiln(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(KILN);
    command
        .args(args)
        .current_dir(root)
        .env("HOME", root)
        .env("NO_COLOR", "1")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("DBT_PROFILES_DIR");
    command
}

fn client(url: &str) -> aws_sdk_kinesis::Client {
    use aws_sdk_kinesis::config::retry::RetryConfig;
    use aws_sdk_kinesis::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_kinesis::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDEXAMPLE", "x", None, None, "test"))
        // No retries: a retried batch would be a second, legitimate copy of its records.
        .retry_config(RetryConfig::disabled())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_kinesis::Client::from_conf(config)
}

/// Puts batches of 100 numbered records until a put fails; every id acknowledged goes to `acked`.
async fn produce(client: aws_sdk_kinesis::Client, first: i64, acked: Arc<Mutex<BTreeSet<i64>>>) {
    let mut next = first;
    loop {
        let ids: Vec<i64> = (next..next + 100).collect();
        next += 100;
        let mut put = client.put_records().stream_name("orders");
        for id in &ids {
            put = put.records(
                aws_sdk_kinesis::types::PutRecordsRequestEntry::builder()
                    .partition_key(format!("k{id}"))
                    .data(aws_sdk_kinesis::primitives::Blob::new(format!(r#"{{"id": {id}}}"#)))
                    .build()
                    .unwrap(),
            );
        }
        let Ok(out) = put.send().await else {
            return;
        };
        let mut acked = acked.lock().unwrap();
        for (id, result) in ids.iter().zip(out.records()) {
            if result.error_code().is_none() {
                acked.insert(*id);
            }
        }
    }
}

fn view_ids(root: &Path) -> Vec<i64> {
    let db = DuckDbAdapter::open(&root.join(".kiln/warehouse.duckdb"), 1).unwrap();
    db.query("SELECT id FROM main.orders_live ORDER BY id", None)
        .unwrap()
        .rows
        .into_iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect()
}

#[test]
fn kill_9_mid_stream_loses_and_duplicates_nothing_acknowledged() {
    let dir = project();
    let root = dir.path();
    let built = kiln(root, &["build"]).output().unwrap();
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stdout));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let acked = Arc::new(Mutex::new(BTreeSet::new()));
    let (mut server, url) = stream_serve(root, root);
    let producer = rt.spawn(produce(client(&url), 0, acked.clone()));
    // Kill while batches are in flight and the view is being refreshed.
    let start = Instant::now();
    while acked.lock().unwrap().len() < 3000 {
        assert!(start.elapsed() < Duration::from_secs(60), "the producer stalled");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill().unwrap();
    server.wait().unwrap();
    rt.block_on(producer).unwrap();
    let before_restart = acked.lock().unwrap().clone();

    // Restart: the log recovers, the view resumes from its scan states; the stream goes on.
    let (server, url) = stream_serve(root, root);
    let after: Arc<Mutex<BTreeSet<i64>>> = Arc::new(Mutex::new(BTreeSet::new()));
    rt.block_on(async {
        let client = client(&url);
        let mut put = client.put_records().stream_name("orders");
        for id in 1_000_000..1_000_050i64 {
            put = put.records(
                aws_sdk_kinesis::types::PutRecordsRequestEntry::builder()
                    .partition_key(format!("k{id}"))
                    .data(aws_sdk_kinesis::primitives::Blob::new(format!(r#"{{"id": {id}}}"#)))
                    .build()
                    .unwrap(),
            );
        }
        let out = put.send().await.unwrap();
        assert_eq!(out.failed_record_count(), Some(0));
        after.lock().unwrap().extend(1_000_000..1_000_050i64);
    });
    // Let the refresh loop catch up, then stop gracefully so the warehouse can be read.
    std::thread::sleep(Duration::from_secs(2));
    interrupt(server);

    let ids = view_ids(root);
    let distinct: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), distinct.len(), "a record was taken twice");
    let after = after.lock().unwrap().clone();
    let missing: Vec<&i64> = before_restart
        .union(&after)
        .filter(|id| !distinct.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged records are missing, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    // Only what producers sent: ids of batches begun before the kill (acknowledged or not).
    let sent_up_to = before_restart.iter().max().copied().unwrap_or(0) + 200;
    assert!(
        distinct
            .iter()
            .all(|id| *id < sent_up_to || (1_000_000..1_000_050).contains(id)),
        "the view holds records no producer sent"
    );
    eprintln!(
        "{} acknowledged before the kill, {} rows in the view",
        before_restart.len(),
        ids.len()
    );
}
