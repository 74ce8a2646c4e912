//! boto3 (and the AWS CLI, when installed) against the endpoint: `tests/python/kinesis_boto3.py`
//! drives it as producers and consumers written for AWS do; this test starts the endpoints, runs
//! the script and then checks on the hub's side what the script cannot see.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use common::Endpoint;
use kiln_stream::StreamKind;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/kinesis_boto3.py")
}

/// Whether `python3` can import boto3. Without it the test is skipped with a notice, except on CI
/// (`CI` set) and under tests/run-all.sh (`KILN_REQUIRE_BOTO3` set, after it installed boto3),
/// where a missing boto3 must fail the run rather than hide the test.
fn have_boto3() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import boto3"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("KILN_REQUIRE_BOTO3").is_none(),
            "python3 with boto3 is needed for the Kinesis/Firehose client tests: pip install boto3"
        );
        eprintln!("NOTICE: skipping api_boto3: python3 cannot import boto3 (pip install boto3)");
    }
    ok
}

fn all_bytes_under(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_bytes_under(&path));
        } else {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn boto3_producers_and_consumers_work_unmodified() {
    if !have_boto3() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let throttled_dir = tempfile::tempdir().unwrap();
    let endpoint = Endpoint::start(dir.path(), None).await;
    let throttled = Endpoint::start(throttled_dir.path(), Some(100)).await;

    let (url, throttled_url) = (endpoint.url.clone(), throttled.url.clone());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(script())
            .args([&url, &throttled_url])
            // The script's own credentials and region must be what boto3 uses.
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_ENDPOINT_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(output.status.success(), "boto3 checks failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("14 passed, 0 failed"), "{stdout}");

    // What the script put through Firehose is in the delivery stream's log, whole and in order.
    let sensors = endpoint.hub.get(StreamKind::Firehose, "sensors").unwrap();
    let records = sensors.log.read_shard(0, 1, 100, 1 << 20).unwrap();
    let texts: Vec<String> = records
        .iter()
        .map(|r| String::from_utf8(r.data.clone()).unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "{\"guid\":\"a\",\"ts\":1,\"temp\":20.5}\n",
            "{\"guid\":\"b\",\"ts\":0,\"temp\":21}\n",
            "{\"guid\":\"b\",\"ts\":1,\"temp\":21}\n",
            "{\"guid\":\"b\",\"ts\":2,\"temp\":21}\n"
        ]
    );
    let delivery = sensors.meta.delivery.clone().unwrap();
    assert_eq!(delivery.table, "sensor.message");
    assert_eq!(delivery.columns, ["guid", "ts", "temp"]);
    assert_eq!((delivery.interval_seconds, delivery.size_mb), (60, 1));
    // The Redshift password the client sent is nowhere on disk.
    let disk = all_bytes_under(dir.path());
    assert!(!disk.windows(15).any(|w| w == b"Sup3r-secret-pw"));
    // Nor is the secret key boto3 signed with.
    assert!(!disk.windows(13).any(|w| w == b"wJalrXUtnFEMI"));

    // The AWS CLI, when present (optional: it is not installed by run-all.sh).
    let version = Command::new("aws")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            )
        });
    if let Some(version) = version {
        let url = endpoint.url.clone();
        let run = tokio::task::spawn_blocking(move || {
            let aws = |args: &[&str]| {
                let out = Command::new("aws")
                    .args(["--endpoint-url", &url, "--region", "us-east-1", "--output", "json"])
                    .args(args)
                    .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
                    .env("AWS_SECRET_ACCESS_KEY", "secret")
                    .env("AWS_CONFIG_FILE", "/dev/null")
                    .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
                    .env_remove("AWS_PROFILE")
                    .env_remove("AWS_ENDPOINT_URL")
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "aws {}: {}",
                    args.join(" "),
                    String::from_utf8_lossy(&out.stderr)
                );
                serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap_or(serde_json::Value::Null)
            };
            // "ZnJvbSB0aGUgY2xp" is base64 for "from the cli": CLI v2 decodes a blob argument,
            // v1 sends the text as it is.
            let put = aws(&[
                "kinesis",
                "put-record",
                "--stream-name",
                "single",
                "--partition-key",
                "cli",
                "--data",
                "ZnJvbSB0aGUgY2xp",
            ]);
            let list = aws(&["kinesis", "list-streams"]);
            let iterator = aws(&[
                "kinesis",
                "get-shard-iterator",
                "--stream-name",
                "single",
                "--shard-id",
                "shardId-000000000000",
                "--shard-iterator-type",
                "AT_SEQUENCE_NUMBER",
                "--starting-sequence-number",
                put["SequenceNumber"].as_str().unwrap(),
            ]);
            let got = aws(&[
                "kinesis",
                "get-records",
                "--shard-iterator",
                iterator["ShardIterator"].as_str().unwrap(),
            ]);
            let fh = aws(&["firehose", "list-delivery-streams"]);
            (put, list, got, fh)
        })
        .await
        .unwrap();
        let (put, list, got, fh) = run;
        assert_eq!(put["ShardId"], "shardId-000000000000");
        assert_eq!(list["StreamNames"], serde_json::json!(["auto", "orders", "single"]));
        assert_eq!(fh["DeliveryStreamNames"], serde_json::json!(["plain", "sensors"]));
        let single = endpoint.hub.get(StreamKind::Kinesis, "single").unwrap();
        let seq: u64 = put["SequenceNumber"].as_str().unwrap().parse().unwrap();
        let stored = single.log.read_shard(0, seq, 1, 1 << 20).unwrap();
        assert_eq!(stored[0].partition_key, "cli");
        let sent: &[u8] = if version.starts_with("aws-cli/1.") {
            b"ZnJvbSB0aGUgY2xp"
        } else {
            b"from the cli"
        };
        assert_eq!(stored[0].data, sent, "{version}");
        // get-records prints Data as base64 (both versions).
        let record = &got["Records"][0];
        assert_eq!(record["SequenceNumber"], put["SequenceNumber"]);
        assert_eq!(
            record["Data"].as_str().unwrap(),
            base64::engine::general_purpose::STANDARD.encode(sent),
            "{version}"
        );
        println!("the AWS CLI ({}) works against the endpoint", version.trim());
    } else {
        eprintln!("NOTICE: the AWS CLI is not installed; its part of api_boto3 was skipped");
    }

    endpoint.stop().await.unwrap();
    throttled.stop().await.unwrap();
}
