//! The endpoint against clients that misbehave: uploads cut off half-way, bodies that are not
//! JSON or not the operation's shape, operations that do not exist, bodies over the size limit.
//! Each gets an AWS-shaped answer (or none, for a client that has gone) and the server goes on
//! serving the next request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::Endpoint;
use kiln_stream::StreamKind;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: serde_json::Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts an AWS JSON error: the status, `__type` in the body and `x-amzn-ErrorType`.
    fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.body["__type"], code, "{}", self.body);
        assert!(self.body["message"].is_string(), "{}", self.body);
        assert_eq!(self.header("x-amzn-ErrorType"), Some(code));
        assert_eq!(self.header("content-type"), Some("application/x-amz-json-1.1"));
        assert!(self.header("x-amzn-RequestId").is_some());
    }
}

fn request_head(target: Option<&str>, length: usize) -> String {
    let mut head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: \
         {length}\r\nConnection: close\r\n"
    );
    if let Some(target) = target {
        head.push_str(&format!("X-Amz-Target: {target}\r\n"));
    }
    head.push_str("\r\n");
    head
}

/// One request on its own connection, read to the end.
async fn call(port: u16, target: Option<&str>, body: &[u8]) -> Reply {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    conn.write_all(request_head(target, body.len()).as_bytes())
        .await
        .unwrap();
    conn.write_all(body).await.unwrap();
    read_reply(conn).await
}

async fn read_reply(mut conn: TcpStream) -> Reply {
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), conn.read_to_end(&mut raw))
        .await
        .expect("the server answered within 30 s")
        .unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete HTTP response");
    let head = String::from_utf8(raw[..split].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let body = serde_json::from_slice(&raw[split + 4..]).unwrap_or(serde_json::Value::Null);
    Reply { status, headers, body }
}

fn put_record_body(data: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "StreamName": "robust", "PartitionKey": "k", "Data": data
    }))
    .unwrap()
}

fn records(endpoint: &Endpoint) -> u64 {
    let stream = endpoint.hub.get(StreamKind::Kinesis, "robust").unwrap();
    stream
        .log
        .shard_stats()
        .iter()
        .map(|s| s.next_sequence - s.first_sequence)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn misbehaving_clients_get_aws_errors_and_never_stop_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = Endpoint::start(dir.path(), None).await;
    let port = endpoint.port;
    let created = call(
        port,
        Some("Kinesis_20131202.CreateStream"),
        br#"{"StreamName":"robust","ShardCount":1}"#,
    )
    .await;
    assert_eq!(created.status, 200, "{}", created.body);

    // Clients that go away half-way through their upload, several at once and one by one.
    let big = put_record_body(&"QUJD".repeat(100_000));
    for round in 0..3 {
        let mut cut = Vec::new();
        for _ in 0..4 {
            let mut conn = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            conn.write_all(request_head(Some("Kinesis_20131202.PutRecord"), big.len()).as_bytes())
                .await
                .unwrap();
            conn.write_all(&big[..big.len() / 2]).await.unwrap();
            cut.push(conn);
        }
        if round == 1 {
            // Give the server time to start reading the halves before the clients vanish.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        drop(cut);
        let ok = call(port, Some("Kinesis_20131202.PutRecord"), &put_record_body("b2s=")).await;
        assert_eq!(ok.status, 200, "round {round}: {}", ok.body);
        assert_eq!(ok.body["ShardId"], "shardId-000000000000");
    }
    // A client that shuts its side down mid-body (FIN, not reset) and waits for an answer.
    let mut conn = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    conn.write_all(request_head(Some("Kinesis_20131202.PutRecord"), big.len()).as_bytes())
        .await
        .unwrap();
    conn.write_all(&big[..big.len() / 2]).await.unwrap();
    conn.shutdown().await.unwrap();
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut rest))
        .await
        .expect("the server lets go of a half-sent request");
    // Only the three whole PutRecords landed: nothing of a cut upload was appended.
    assert_eq!(records(&endpoint), 3);

    // A body that is not JSON, or not the operation's shape: SerializationException, 400.
    for body in [
        &b"{\"StreamName\": "[..],
        b"not json at all",
        b"[1, 2, 3]",
        br#"{"StreamName": 5, "PartitionKey": "k", "Data": "b2s="}"#,
        br#"{"StreamName": "robust", "PartitionKey": "k", "Data": "not base64!"}"#,
        b"\xff\xfe{}",
    ] {
        let reply = call(port, Some("Kinesis_20131202.PutRecord"), body).await;
        reply.assert_error(400, "SerializationException");
    }
    let reply = call(port, Some("Firehose_20150804.PutRecordBatch"), b"{\"Records\": {}}").await;
    reply.assert_error(400, "SerializationException");
    let reply = call(port, Some("Kinesis_20131202.ListStreams"), b"{").await;
    reply.assert_error(400, "SerializationException");

    // Operations that do not exist.
    for target in [
        Some("Kinesis_20131202.Frobnicate"),
        Some("Firehose_20150804.PutRecords"),
        Some("DynamoDB_20120810.GetItem"),
        Some("garbage"),
        None,
    ] {
        let reply = call(port, target, b"{}").await;
        reply.assert_error(400, "UnknownOperationException");
    }
    let mut conn = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    conn.write_all(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    read_reply(conn).await.assert_error(400, "UnknownOperationException");

    // A body over the in-memory limit is read to its end and refused with 413, not cut off.
    let huge = vec![b' '; kiln_stream::api::MAX_BODY_BYTES + 1];
    let reply = call(port, Some("Kinesis_20131202.PutRecords"), &huge).await;
    reply.assert_error(413, "InvalidArgumentException");
    drop(huge);

    // And the server still serves.
    let ok = call(port, Some("Kinesis_20131202.PutRecord"), &put_record_body("b2s=")).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(records(&endpoint), 4);
    let listed = call(port, Some("Kinesis_20131202.ListStreams"), b"").await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body["StreamNames"], serde_json::json!(["robust"]));
    endpoint.stop().await.unwrap();
}

#[tokio::test]
async fn the_endpoint_refuses_to_listen_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let hub = std::sync::Arc::new(kiln_stream::Hub::open(dir.path(), kiln_stream::HubOptions::default()).unwrap());
    let Ok(listener) = tokio::net::TcpListener::bind("0.0.0.0:0").await else {
        return;
    };
    let err = kiln_stream::api::serve(listener, hub, async {}).await.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("loopback"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_stalled_mid_upload_does_not_keep_the_endpoint_from_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = Endpoint::start(dir.path(), None).await;
    let mut stalled = TcpStream::connect(("127.0.0.1", endpoint.port)).await.unwrap();
    stalled
        .write_all(request_head(Some("Kinesis_20131202.ListStreams"), 100).as_bytes())
        .await
        .unwrap();
    stalled.write_all(b"{\"Limit\":").await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    tokio::time::timeout(
        kiln_stream::api::SHUTDOWN_GRACE + Duration::from_secs(5),
        endpoint.stop(),
    )
    .await
    .expect("the endpoint stops within its grace period")
    .unwrap();
    assert!(started.elapsed() >= kiln_stream::api::SHUTDOWN_GRACE - Duration::from_millis(100));
    drop(stalled);
}
