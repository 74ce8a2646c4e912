//! The real Rust AWS SDK clients (`aws-sdk-kinesis`, `aws-sdk-firehose`) against the endpoint:
//! built by hand as a program pointed at a local endpoint would build them (endpoint URL, static
//! credentials, a plain-HTTP client), they put and read back records byte for byte — binary and
//! non-UTF-8 payloads included — and understand the endpoint's errors. Nothing the endpoint
//! writes holds the client's credentials.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use aws_sdk_kinesis::client::Waiters as _;
use aws_sdk_kinesis::primitives::{Blob, DateTime};
use aws_sdk_kinesis::types::{PutRecordsRequestEntry, ShardIteratorType};
use common::Endpoint;
use kiln_stream::StreamKind;

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET: &str = "secret";

fn kinesis(url: &str) -> aws_sdk_kinesis::Client {
    use aws_sdk_kinesis::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_kinesis::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(ACCESS_KEY, SECRET, None, None, "kiln-test"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_kinesis::Client::from_conf(config)
}

fn firehose(url: &str) -> aws_sdk_firehose::Client {
    use aws_sdk_firehose::config::{BehaviorVersion, Credentials, Region};
    let config = aws_sdk_firehose::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(url)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(ACCESS_KEY, SECRET, None, None, "kiln-test"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    aws_sdk_firehose::Client::from_conf(config)
}

/// Deterministic bytes of every value (xorshift), so payloads are binary and rarely UTF-8.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The payloads a binary producer sends: every byte value, invalid UTF-8, NULs, a lone
/// continuation byte, a BOM, bytes that are base64's own alphabet, and random data up to
/// nearly the 1 MiB record limit.
fn payloads() -> Vec<Vec<u8>> {
    let mut out = vec![
        (0..=255u8).collect::<Vec<u8>>(),
        (0..=255u8).rev().collect(),
        vec![0xff, 0xfe, 0xfd],
        vec![0; 64],
        vec![0x80],
        vec![0xef, 0xbb, 0xbf, b'{', b'}'],
        b"QUJD==".to_vec(),
        "plain text, ünïcödé ✓".as_bytes().to_vec(),
        vec![0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1],
    ];
    for (i, len) in [1usize, 2, 3, 4, 1000, 65_537, (1 << 20) - 16].into_iter().enumerate() {
        out.push(noise(i as u64 + 7, len));
    }
    assert!(out.iter().any(|p| std::str::from_utf8(p).is_err()));
    out
}

fn all_files_under(dir: &Path, out: &mut Vec<(std::path::PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all_files_under(&path, out);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            out.push((path, bytes));
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_sdk_round_trips_binary_records_through_kinesis_and_firehose() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = Endpoint::start(dir.path(), None).await;
    let k = kinesis(&endpoint.url);

    k.create_stream()
        .stream_name("sdk")
        .shard_count(3)
        .send()
        .await
        .unwrap();
    k.wait_until_stream_exists()
        .stream_name("sdk")
        .wait(Duration::from_secs(10))
        .await
        .unwrap();

    // PutRecords: results in request order, each on the shard its key hashes to.
    let payloads = payloads();
    let mut expected: BTreeMap<String, Vec<(u64, String, Vec<u8>)>> = BTreeMap::new();
    // Two requests: the large random payloads do not fit the 10 MiB of one with the others.
    for chunk in payloads.chunks(payloads.len() / 2 + 1) {
        let entries: Vec<PutRecordsRequestEntry> = chunk
            .iter()
            .enumerate()
            .map(|(i, data)| {
                PutRecordsRequestEntry::builder()
                    .partition_key(format!("key-{}-{i}", data.len()))
                    .data(Blob::new(data.clone()))
                    .build()
                    .unwrap()
            })
            .collect();
        let keys: Vec<String> = entries.iter().map(|e| e.partition_key().unwrap().to_string()).collect();
        let out = k
            .put_records()
            .stream_name("sdk")
            .set_records(Some(entries))
            .send()
            .await
            .unwrap();
        assert_eq!(out.failed_record_count(), Some(0));
        assert_eq!(out.records().len(), chunk.len());
        for ((result, key), data) in out.records().iter().zip(keys).zip(chunk) {
            let shard = result.shard_id().unwrap().to_string();
            let seq: u64 = result.sequence_number().unwrap().parse().unwrap();
            assert!(result.error_code().is_none());
            expected.entry(shard).or_default().push((seq, key, data.clone()));
        }
    }
    // And one PutRecord of non-UTF-8 bytes.
    let single = vec![0xde, 0xad, 0xbe, 0xef, 0x00, 0xff];
    let out = k
        .put_record()
        .stream_name("sdk")
        .partition_key("single")
        .data(Blob::new(single.clone()))
        .send()
        .await
        .unwrap();
    expected.entry(out.shard_id().to_string()).or_default().push((
        out.sequence_number().parse().unwrap(),
        "single".into(),
        single,
    ));
    assert!(expected.len() > 1, "the keys should spread over the shards");

    // GetRecords from TRIM_HORIZON, a few records a page, gives back exactly what was put.
    let shards = k.list_shards().stream_name("sdk").send().await.unwrap();
    assert_eq!(shards.shards().len(), 3);
    let mut arrivals = Vec::new();
    for shard in shards.shards() {
        let id = shard.shard_id();
        let mut it = k
            .get_shard_iterator()
            .stream_name("sdk")
            .shard_id(id)
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .unwrap()
            .shard_iterator()
            .unwrap()
            .to_string();
        let mut got = Vec::new();
        loop {
            let page = k.get_records().shard_iterator(&it).limit(4).send().await.unwrap();
            it = page.next_shard_iterator().unwrap().to_string();
            if page.records().is_empty() {
                assert_eq!(page.millis_behind_latest(), Some(0));
                break;
            }
            for r in page.records() {
                let at = r.approximate_arrival_timestamp().unwrap();
                arrivals.push((id.to_string(), r.sequence_number().to_string(), *at));
                got.push((
                    r.sequence_number().parse::<u64>().unwrap(),
                    r.partition_key().unwrap().to_string(),
                    r.data().as_ref().to_vec(),
                ));
            }
        }
        let want = expected.get(id).cloned().unwrap_or_default();
        assert_eq!(got.len(), want.len(), "{id}");
        for (g, w) in got.iter().zip(&want) {
            assert!(g == w, "{id}: record {} ({} bytes) differs", w.0, w.2.len());
        }
    }

    // AT_TIMESTAMP with the SDK's millisecond timestamps: at a record's own arrival time, the
    // iterator starts at (or before, same millisecond) that record.
    let (shard, seq, at) = arrivals.last().cloned().unwrap();
    let it = k
        .get_shard_iterator()
        .stream_name("sdk")
        .shard_id(&shard)
        .shard_iterator_type(ShardIteratorType::AtTimestamp)
        .timestamp(at)
        .send()
        .await
        .unwrap()
        .shard_iterator()
        .unwrap()
        .to_string();
    let page = k.get_records().shard_iterator(it).send().await.unwrap();
    assert!(page.records().iter().any(|r| r.sequence_number() == seq));
    assert!(page
        .records()
        .iter()
        .all(|r| r.approximate_arrival_timestamp().unwrap() >= &at));
    let future = DateTime::from_secs(at.secs() + 3600);
    let it = k
        .get_shard_iterator()
        .stream_name("sdk")
        .shard_id(&shard)
        .shard_iterator_type(ShardIteratorType::AtTimestamp)
        .timestamp(future)
        .send()
        .await
        .unwrap();
    let page = k
        .get_records()
        .shard_iterator(it.shard_iterator().unwrap())
        .send()
        .await
        .unwrap();
    assert!(page.records().is_empty());

    // Errors reach the SDK as the modelled exceptions.
    let err = k
        .put_record()
        .stream_name("missing")
        .partition_key("k")
        .data(Blob::new(b"x".to_vec()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");
    assert_eq!(
        err.meta().message(),
        Some("Stream missing under account 000000000000 not found.")
    );
    let err = k
        .put_record()
        .stream_name("sdk")
        .partition_key("k")
        .data(Blob::new(vec![1u8; (1 << 20) + 1]))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_invalid_argument_exception(), "{err:?}");

    // Firehose: PutRecordBatch and PutRecord of binary data land whole and in order.
    let f = firehose(&endpoint.url);
    f.create_delivery_stream()
        .delivery_stream_name("sdk-fh")
        .delivery_stream_type(aws_sdk_firehose::types::DeliveryStreamType::DirectPut)
        .send()
        .await
        .unwrap();
    let batch: Vec<Vec<u8>> = payloads.iter().filter(|p| p.len() < 100_000).cloned().collect();
    let records: Vec<aws_sdk_firehose::types::Record> = batch
        .iter()
        .map(|p| {
            aws_sdk_firehose::types::Record::builder()
                .data(aws_sdk_firehose::primitives::Blob::new(p.clone()))
                .build()
                .unwrap()
        })
        .collect();
    let out = f
        .put_record_batch()
        .delivery_stream_name("sdk-fh")
        .set_records(Some(records))
        .send()
        .await
        .unwrap();
    assert_eq!(out.failed_put_count(), 0);
    assert_eq!(out.request_responses().len(), batch.len());
    let ids: std::collections::BTreeSet<&str> =
        out.request_responses().iter().map(|r| r.record_id().unwrap()).collect();
    assert_eq!(ids.len(), batch.len(), "record ids are unique");
    let last = vec![0xffu8, 0x00, 0x80, b'\n'];
    let one = f
        .put_record()
        .delivery_stream_name("sdk-fh")
        .record(
            aws_sdk_firehose::types::Record::builder()
                .data(aws_sdk_firehose::primitives::Blob::new(last.clone()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(!ids.contains(one.record_id()));
    let stream = endpoint.hub.get(StreamKind::Firehose, "sdk-fh").unwrap();
    let stored: Vec<Vec<u8>> = stream
        .log
        .read_shard(0, 1, 1000, 64 << 20)
        .unwrap()
        .into_iter()
        .map(|r| r.data)
        .collect();
    let mut want = batch.clone();
    want.push(last);
    assert!(stored == want, "Firehose records differ from what was put");
    let described = f
        .describe_delivery_stream()
        .delivery_stream_name("sdk-fh")
        .send()
        .await
        .unwrap();
    let d = described.delivery_stream_description().unwrap();
    assert_eq!(
        d.delivery_stream_status(),
        &aws_sdk_firehose::types::DeliveryStreamStatus::Active
    );
    let err = f
        .put_record_batch()
        .delivery_stream_name("missing")
        .records(
            aws_sdk_firehose::types::Record::builder()
                .data(aws_sdk_firehose::primitives::Blob::new(b"x".to_vec()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(err.is_resource_not_found_exception(), "{err:?}");

    // Nothing the endpoint wrote holds the credentials the clients signed with.
    let root = endpoint.hub.root().to_path_buf();
    endpoint.stop().await.unwrap();
    let mut files = Vec::new();
    all_files_under(&root, &mut files);
    assert!(files.len() > 2, "the streams' files are there to search");
    for (path, bytes) in &files {
        assert!(
            !contains(bytes, SECRET.as_bytes()),
            "{} holds the secret key",
            path.display()
        );
        assert!(
            !contains(bytes, ACCESS_KEY.as_bytes()),
            "{} holds the access key id",
            path.display()
        );
    }
}
