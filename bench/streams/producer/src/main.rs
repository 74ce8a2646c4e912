//! The Rust producer of bench/streams: PutRecords batches of ~200-byte JSON records through the real
//! `aws-sdk-kinesis` client, either as fast as it can (`--mode ingest`: `--concurrency` requests in
//! flight, each sent as soon as the previous one of its worker is acknowledged) or at an offered rate
//! (`--mode paced --rate R`: open loop, one batch every `batch / R` seconds whatever the acks do, with at
//! most `--max-inflight` requests outstanding).
//!
//! Every record carries `t_ms`, the wall-clock millisecond at which its batch was created (just before
//! the SDK serializes and sends it), so a reader of the stream can tell how old a record is. One CSV row
//! per batch goes to `--out`:
//! `scheduled_us,send_us,ack_us,records,failed,error` (epoch microseconds; `scheduled_us` is when a
//! paced batch was due, and equals `send_us` in ingest mode; `failed` counts the records the endpoint
//! refused or, when the whole request failed, all of them, and then `error` is 1).
//! A one-line JSON summary goes to stdout.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_kinesis::config::retry::RetryConfig;
use aws_sdk_kinesis::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;
use aws_sdk_kinesis::Client;
use tokio::sync::{mpsc, Semaphore};

const USAGE: &str = "usage: kiln-bench-producer --endpoint URL --out FILE.csv [--stream bench] \
[--mode ingest|paced] [--seconds 20] [--rate 10000] [--concurrency 4] [--max-inflight 64] \
[--batch 500] [--record-bytes 200]";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Ingest,
    Paced,
}

struct Options {
    endpoint: String,
    stream: String,
    mode: Mode,
    seconds: f64,
    rate: f64,
    concurrency: usize,
    max_inflight: usize,
    batch: usize,
    record_bytes: usize,
    out: PathBuf,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        endpoint: String::new(),
        stream: "bench".into(),
        mode: Mode::Ingest,
        seconds: 20.0,
        rate: 10_000.0,
        concurrency: 4,
        max_inflight: 64,
        batch: 500,
        record_bytes: 200,
        out: PathBuf::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = |v: &str| v.parse::<f64>().map_err(|_| format!("{flag} {v}: not a number"));
        match flag.as_str() {
            "--endpoint" => o.endpoint = value,
            "--stream" => o.stream = value,
            "--mode" => {
                o.mode = match value.as_str() {
                    "ingest" => Mode::Ingest,
                    "paced" => Mode::Paced,
                    other => return Err(format!("--mode {other}: ingest or paced")),
                }
            }
            "--seconds" => o.seconds = number(&value)?,
            "--rate" => o.rate = number(&value)?,
            "--concurrency" => o.concurrency = number(&value)? as usize,
            "--max-inflight" => o.max_inflight = number(&value)? as usize,
            "--batch" => o.batch = number(&value)? as usize,
            "--record-bytes" => o.record_bytes = number(&value)? as usize,
            "--out" => o.out = PathBuf::from(value),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    if o.endpoint.is_empty() || o.out.as_os_str().is_empty() {
        return Err(USAGE.into());
    }
    if o.batch == 0 || o.batch > 500 || o.concurrency == 0 || o.max_inflight == 0 || o.rate <= 0.0 {
        return Err("--batch must be 1..=500; --concurrency, --max-inflight and --rate above 0".into());
    }
    Ok(o)
}

fn client(endpoint: &str) -> Client {
    let config = aws_sdk_kinesis::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDBENCH", "bench", None, None, "kiln-bench"))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        // The SDK's standard mode: a request that fails as a whole (connection reset, 5xx, throttling)
        // is tried up to 3 times; records refused inside a 200 answer are counted, not re-sent.
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .build();
    Client::from_conf(config)
}

fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// One JSON record of exactly `bytes` bytes (at least the fields' own length).
fn record(t_ms: i64, seq: u64, bytes: usize) -> Vec<u8> {
    let mut s = String::with_capacity(bytes + 8);
    let _ = write!(
        s,
        r#"{{"t_ms":{t_ms},"seq":{seq},"sensor":"sensor-{:02}","temp":{:.2},"pad":""#,
        seq % 64,
        15.0 + (seq % 2000) as f64 / 100.0
    );
    let pad = bytes.saturating_sub(s.len() + 2);
    s.extend(std::iter::repeat_n('x', pad));
    s.push_str("\"}");
    s.into_bytes()
}

struct Row {
    scheduled_us: i64,
    send_us: i64,
    ack_us: i64,
    records: usize,
    failed: usize,
    error: bool,
}

/// Sends one batch created now; `scheduled_us` is when it was due (paced) or 0 (now).
async fn send(
    client: &Client,
    o: &Options,
    seq: &AtomicU64,
    scheduled_us: i64,
    first_error: &std::sync::Mutex<bool>,
) -> Row {
    let send_us = now_us();
    let t_ms = send_us / 1000;
    let first = seq.fetch_add(o.batch as u64, Ordering::Relaxed);
    let mut entries = Vec::with_capacity(o.batch);
    for i in 0..o.batch as u64 {
        let n = first + i;
        let entry = PutRecordsRequestEntry::builder()
            .data(Blob::new(record(t_ms, n, o.record_bytes)))
            .partition_key(format!("pk-{n}"))
            .build()
            .expect("data and partition key are set");
        entries.push(entry);
    }
    let result = client
        .put_records()
        .stream_name(&o.stream)
        .set_records(Some(entries))
        .send()
        .await;
    let ack_us = now_us();
    let (failed, error) = match result {
        Ok(out) => (out.failed_record_count.unwrap_or(0).max(0) as usize, false),
        Err(e) => {
            let mut shown = first_error.lock().unwrap_or_else(|p| p.into_inner());
            if !*shown {
                *shown = true;
                eprintln!(
                    "kiln-bench-producer: PutRecords failed: {:?}",
                    aws_sdk_kinesis::error::DisplayErrorContext(&e)
                );
            }
            (o.batch, true)
        }
    };
    Row {
        scheduled_us: if scheduled_us == 0 { send_us } else { scheduled_us },
        send_us,
        ack_us,
        records: o.batch,
        failed,
        error,
    }
}

#[tokio::main]
async fn main() {
    let o = match parse_args() {
        Ok(o) => Arc::new(o),
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let client = client(&o.endpoint);
    let seq = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(false));
    let (tx, mut rx) = mpsc::unbounded_channel::<Row>();
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(o.seconds);
    let start_us = now_us();

    match o.mode {
        Mode::Ingest => {
            for _ in 0..o.concurrency {
                let (client, o, seq, tx, first_error) =
                    (client.clone(), o.clone(), seq.clone(), tx.clone(), first_error.clone());
                tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let row = send(&client, &o, &seq, 0, &first_error).await;
                        if tx.send(row).is_err() {
                            break;
                        }
                    }
                });
            }
        }
        Mode::Paced => {
            let interval = Duration::from_secs_f64(o.batch as f64 / o.rate);
            let inflight = Arc::new(Semaphore::new(o.max_inflight));
            let (client, o, seq, tx, first_error) =
                (client.clone(), o.clone(), seq.clone(), tx.clone(), first_error.clone());
            tokio::spawn(async move {
                for k in 0u32.. {
                    let due = started + interval * k;
                    if due >= deadline {
                        break;
                    }
                    tokio::time::sleep_until(due.into()).await;
                    // A batch that cannot get a slot waits here, so the producer falls behind its
                    // schedule; the CSV's scheduled_us vs send_us shows by how much.
                    let Ok(permit) = inflight.clone().acquire_owned().await else {
                        break;
                    };
                    let scheduled_us = start_us + (interval * k).as_micros() as i64;
                    let (client, o, seq, tx, first_error) =
                        (client.clone(), o.clone(), seq.clone(), tx.clone(), first_error.clone());
                    tokio::spawn(async move {
                        let row = send(&client, &o, &seq, scheduled_us, &first_error).await;
                        drop(permit);
                        let _ = tx.send(row);
                    });
                }
            });
        }
    }
    drop(tx);

    let mut rows = Vec::new();
    while let Some(row) = rx.recv().await {
        rows.push(row);
    }
    let mut out = String::from("scheduled_us,send_us,ack_us,records,failed,error\n");
    let (mut records, mut failed, mut errors, mut last_ack) = (0usize, 0usize, 0usize, start_us);
    let mut max_behind_us = 0i64;
    for r in &rows {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            r.scheduled_us,
            r.send_us,
            r.ack_us,
            r.records,
            r.failed,
            u8::from(r.error)
        );
        records += r.records;
        failed += r.failed;
        errors += usize::from(r.error);
        last_ack = last_ack.max(r.ack_us);
        max_behind_us = max_behind_us.max(r.send_us - r.scheduled_us);
    }
    if let Err(e) = std::fs::File::create(&o.out).and_then(|mut f| f.write_all(out.as_bytes())) {
        eprintln!("kiln-bench-producer: cannot write {}: {e}", o.out.display());
        std::process::exit(1);
    }
    let elapsed = (last_ack - start_us) as f64 / 1e6;
    let acked = records - failed;
    println!(
        "{{\"mode\":\"{}\",\"batches\":{},\"records\":{records},\"acked\":{acked},\"failed\":{failed},\"request_errors\":{errors},\"seconds\":{elapsed:.3},\"acked_per_second\":{:.0},\"max_behind_ms\":{:.1}}}",
        if o.mode == Mode::Ingest { "ingest" } else { "paced" },
        rows.len(),
        acked as f64 / elapsed.max(1e-9),
        max_behind_us as f64 / 1000.0
    );
}
