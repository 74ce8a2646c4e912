//! The studio's streams end to end: the open project serves the Kinesis endpoint, a real AWS SDK
//! producer sends to it, and the workshop's streaming DDL typed into the query console creates
//! views that fill as records arrive.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use kiln_api::{
    Empty, EngineEvent, OpenProjectRequest, RunCommand, RunQueryRequest, StartRunRequest, StatementResultDto, Studio,
    StudioOptions,
};
use serde_json::Value;

fn kinesis(url: &str) -> aws_sdk_kinesis::Client {
    use aws_sdk_kinesis::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_kinesis::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDEXAMPLE", "not-a-secret", None, None, "kiln-test"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_kinesis::Client::from_conf(config)
}

async fn run(studio: &Studio, sql: &str) -> Vec<StatementResultDto> {
    studio
        .run_query(RunQueryRequest {
            sql: sql.into(),
            connection: None,
            page_size: None,
            query_id: None,
        })
        .await
        .unwrap()
        .statements
}

async fn scalar(studio: &Studio, sql: &str) -> Value {
    let statements = run(studio, sql).await;
    let first = &statements[0];
    assert!(first.error.is_none(), "{sql}: {:?}", first.error);
    first.first_page[0][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_streaming_views_fill_from_an_sdk_producer() {
    let (dir, root) = common::tickit_copy();
    let studio = Studio::new(StudioOptions {
        config_dir: Some(dir.path().join("config")),
        stream_port: Some(0),
        ..StudioOptions::default()
    });
    studio
        .open_project(OpenProjectRequest {
            path: root.to_string_lossy().into_owned(),
        })
        .await
        .unwrap();
    let status = studio.streams(Empty {}).await.unwrap();
    let url = status.endpoint.expect("the endpoint is served");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let client = kinesis(&url);
    client
        .create_stream()
        .stream_name("order_stream")
        .shard_count(2)
        .send()
        .await
        .unwrap();

    let ddl = run(
        &studio,
        "CREATE EXTERNAL SCHEMA kinesis_schema FROM KINESIS IAM_ROLE default;
         CREATE MATERIALIZED VIEW order_stream AUTO REFRESH YES AS
         SELECT ApproximateArrivalTimestamp,
                CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'consignmentid', true) AS BIGINT) AS consignmentid,
                JSON_PARSE(from_varbyte(Data, 'utf-8')) AS payload
         FROM kinesis_schema.order_stream
         WHERE is_utf8(Data) AND is_valid_json(from_varbyte(Data, 'utf-8'));
         CREATE MATERIALIZED VIEW order_snapshot AS
         SELECT approximate_arrival_timestamp, kinesis_data FROM kinesis_schema.order_stream;",
    )
    .await;
    for s in &ddl {
        assert!(s.error.is_none(), "{}: {:?}", s.sql, s.error);
        assert_eq!(s.columns[0].name, "status");
    }

    let mut batch = client.put_records().stream_name("order_stream");
    for i in 0..200 {
        let data = if i % 50 == 49 {
            "not json".to_string()
        } else {
            format!(r#"{{"consignmentid": {i}, "state": "VIC"}}"#)
        };
        batch = batch.records(
            aws_sdk_kinesis::types::PutRecordsRequestEntry::builder()
                .partition_key(format!("c{i}"))
                .data(aws_sdk_kinesis::primitives::Blob::new(data))
                .build()
                .unwrap(),
        );
    }
    let out = batch.send().await.unwrap();
    assert_eq!(out.failed_record_count(), Some(0));

    // The auto-refresh view fills by itself, without garbage.
    let start = Instant::now();
    loop {
        let n = scalar(&studio, "SELECT count(*) FROM order_stream").await;
        if n == 196 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "auto refresh stalled at {n}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        scalar(
            &studio,
            "SELECT count(*) FROM order_stream WHERE payload.state::VARCHAR = 'VIC'"
        )
        .await,
        Value::from(196)
    );
    assert_eq!(
        scalar(
            &studio,
            "SELECT count(*) FROM kiln_stream.scan_errors WHERE reason LIKE '%not valid JSON%'"
        )
        .await,
        Value::from(4)
    );
    // The SUPER-like column shows in the console's grid as JSON text.
    let rows = run(
        &studio,
        "SELECT consignmentid, payload FROM order_stream ORDER BY consignmentid LIMIT 2",
    )
    .await;
    assert!(rows[0].error.is_none(), "{:?}", rows[0].error);
    assert_eq!(rows[0].first_page[0][0], Value::from(0));
    let shown = rows[0].first_page[0][1].to_string();
    assert!(shown.contains("consignmentid") && shown.contains("VIC"), "{shown}");
    // The other view waits for REFRESH.
    assert_eq!(
        scalar(&studio, "SELECT count(*) FROM order_snapshot").await,
        Value::from(0)
    );
    let refreshed = run(&studio, "REFRESH MATERIALIZED VIEW order_snapshot").await;
    assert!(refreshed[0].error.is_none(), "{:?}", refreshed[0].error);
    assert_eq!(
        scalar(&studio, "SELECT count(*) FROM order_snapshot").await,
        Value::from(200)
    );

    let status = studio.streams(Empty {}).await.unwrap();
    let stream = status.streams.iter().find(|s| s.name == "order_stream").unwrap();
    assert_eq!(
        (stream.kind.as_str(), stream.shards, stream.records_held),
        ("kinesis", 2, 200)
    );
    assert!(status
        .consumers
        .iter()
        .any(|c| c.name.ends_with(".order_stream") && c.auto_refresh));

    // Peeking shows the newest records first, as sent.
    let peeked = studio
        .peek_stream(kiln_api::PeekStreamRequest {
            name: "order_stream".into(),
            kind: "kinesis".into(),
            limit: Some(5),
        })
        .await
        .unwrap()
        .records;
    assert_eq!(peeked.len(), 5);
    assert!(peeked.windows(2).all(|w| w[0].arrival_ms >= w[1].arrival_ms));
    assert!(peeked
        .iter()
        .any(|r| r.data == "not json" || r.data.contains("consignmentid")));

    // Bad statements: a coded error at the statement's line and the offending column.
    let bad = run(&studio, "SELECT 1;\nCREATE EXTERNAL SCHEMA s FROM KINESIS IAM_ROLE;").await;
    let error = bad[1].error.as_ref().expect("malformed DDL is an error");
    assert_eq!(error.code, "K8001");
    assert_eq!(error.line, Some(2));
    let missing = run(&studio, "REFRESH MATERIALIZED VIEW nope").await;
    assert!(missing[0].error.as_ref().unwrap().message.contains("does not exist"));

    // Models materialized as dbt-redshift's materialized_view: one over the stream (kept fresh
    // by the refresh loop), one over a table (recomputed by each run).
    let models = [
        (
            "models/streams/orders_live.sql",
            "{{ config(materialized='materialized_view', auto_refresh=true) }}\n\
             select approximate_arrival_timestamp, json_extract_path_text(from_varbyte(kinesis_data, 'utf-8'), 'state', true) as state\n\
             from kinesis_schema.order_stream\n\
             where can_json_parse(kinesis_data)\n",
        ),
        (
            "models/streams/orders_by_state.sql",
            "{{ config(materialized='materialized_view') }}\n\
             select state, count(*) as orders from {{ ref('orders_live') }} group by state\n",
        ),
    ];
    for (path, content) in models {
        studio
            .write_file(kiln_api::WriteFileRequest {
                path: path.into(),
                content: content.into(),
                expected_version: None,
            })
            .await
            .unwrap();
    }
    let mut events = studio.subscribe();
    let started = studio
        .start_run(StartRunRequest {
            command: RunCommand::Run,
            select: vec!["path:models/streams".into()],
            exclude: vec![],
            threads: Some(1),
            full_refresh: None,
            client: None,
            cli_pid: None,
        })
        .await
        .unwrap();
    let seen = common::until_run_finished(&mut events, &started.run_id).await;
    let results: Vec<String> = seen
        .iter()
        .filter_map(|e| match e {
            EngineEvent::NodeFinished { result, .. } => Some(format!(
                "{} {:?} {} {:?}",
                result.name, result.status, result.message, result.diagnostic
            )),
            _ => None,
        })
        .collect();
    assert_eq!(results.len(), 2, "{results:?}");
    assert!(results.iter().all(|r| r.contains("MATERIALIZED VIEW")), "{results:?}");
    assert_eq!(
        scalar(&studio, "SELECT count(*) FROM orders_live").await,
        Value::from(196)
    );
    assert_eq!(
        scalar(
            &studio,
            "SELECT CAST(orders AS BIGINT) FROM orders_by_state WHERE state = 'VIC'"
        )
        .await,
        Value::from(196)
    );
    // New records reach the streaming model without a run.
    client
        .put_record()
        .stream_name("order_stream")
        .partition_key("late")
        .data(aws_sdk_kinesis::primitives::Blob::new(
            r#"{"consignmentid": 1000, "state": "NSW"}"#,
        ))
        .send()
        .await
        .unwrap();
    let start = Instant::now();
    while scalar(&studio, "SELECT count(*) FROM orders_live WHERE state = 'NSW'").await != 1 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the model view did not refresh"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    studio.close_project();
}

/// Redshift's COPY from S3 runs on the local warehouse: the key under the project's lake/ folder,
/// header skipped, values cast by the table's types; credentials are read past, never shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_copy_from_s3_reads_the_projects_lake() {
    let (dir, root) = common::tickit_copy();
    std::fs::create_dir_all(root.join("lake/loads/users")).unwrap();
    std::fs::write(
        root.join("lake/loads/users/part-0.csv"),
        "id,name,joined\n1,\"Ann, the first\",2024-05-01\n2,Bo,2024-05-02\n",
    )
    .unwrap();
    std::fs::write(
        root.join("lake/loads/users/part-1.csv"),
        "id,name,joined\n3,Cy,2024-05-03\n",
    )
    .unwrap();
    let studio = Studio::new(StudioOptions {
        config_dir: Some(dir.path().join("config")),
        ..StudioOptions::default()
    });
    studio
        .open_project(OpenProjectRequest {
            path: root.to_string_lossy().into_owned(),
        })
        .await
        .unwrap();
    let done = run(
        &studio,
        "CREATE TABLE users (id INT, name VARCHAR(40), joined DATE);
         COPY users (id, name, joined) FROM 's3://my-bucket/loads/users/'
         CREDENTIALS 'aws_access_key_id=AKIAEXAMPLE;aws_secret_access_key=wJalrXUtnFEMI'
         CSV IGNOREHEADER 1;",
    )
    .await;
    assert!(done[1].error.is_none(), "{:?}", done[1].error);
    let message = done[1].first_page[0][0].to_string();
    assert!(message.contains("COPY 3 rows"), "{message}");
    // The statement as the console keeps and shows it has the secret masked.
    assert!(!message.contains("wJalr"));
    assert!(
        done[1].sql.contains("CREDENTIALS '***'") && !done[1].sql.contains("wJalr"),
        "{}",
        done[1].sql
    );
    let history = studio.query_history(Default::default()).await.unwrap();
    assert!(history.entries.iter().all(|e| !e.sql.contains("wJalr")));
    assert_eq!(
        scalar(&studio, "SELECT count(*) FROM users WHERE joined >= DATE '2024-05-01'").await,
        Value::from(3)
    );
    assert_eq!(
        scalar(&studio, "SELECT name FROM users WHERE id = 1").await,
        Value::from("Ann, the first")
    );
    // A missing key says where it was looked for.
    let missing = run(&studio, "COPY users FROM 's3://my-bucket/nope/' IAM_ROLE default CSV").await;
    let error = missing[0].error.as_ref().expect("no such files");
    assert!(
        error.hint.as_deref().unwrap_or_default().contains("lake/nope"),
        "{error:?}"
    );
    studio.close_project();
}

/// The sensors sample's lineage starts at its Firehose stream, which feeds `sensor.message`.
#[tokio::test]
async fn declared_streams_are_sources_in_the_lineage() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sensors");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../projects/sensors");
    for entry in ["dbt_project.yml", "models", "seeds", "ddl", "dashboards"] {
        copy(&source.join(entry), &root.join(entry));
    }
    let studio = Studio::new(StudioOptions {
        config_dir: Some(dir.path().join("config")),
        disable_watcher: true,
        ..StudioOptions::default()
    });
    studio
        .open_project(OpenProjectRequest {
            path: root.to_string_lossy().into_owned(),
        })
        .await
        .unwrap();
    let graph = studio.graph(Empty {}).await.unwrap();
    let stream = graph
        .nodes
        .iter()
        .find(|n| n.resource_type == kiln_api::ResourceTypeDto::Stream)
        .expect("a stream node");
    assert_eq!(
        (stream.name.as_str(), stream.materialized.as_deref()),
        ("sensors", Some("firehose"))
    );
    let fed: Vec<&str> = graph
        .edges
        .iter()
        .filter(|e| e.source == stream.id)
        .map(|e| e.target.as_str())
        .collect();
    assert_eq!(fed, ["source.sensors.sensor.message"]);
    studio.close_project();
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(from, to).unwrap();
    }
}
