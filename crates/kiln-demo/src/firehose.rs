//! Sends the simulators' records to Kiln's local endpoint over HTTP, the way the seeds' scripts do
//! with boto3, in AWS JSON 1.1 with records base64-encoded: the sensors' readings
//! ([`crate::sensors`]) with Firehose `Firehose_20150804.PutRecordBatch` ([`FirehoseClient`]),
//! the logistics customers and orders ([`crate::logistics`]) with Kinesis
//! `Kinesis_20131202.PutRecords` ([`KinesisClient`]). Both are one [`PutClient`] over the API's
//! [`PutApi`]. Made for Kiln's local endpoint (`kiln stream serve`, the studio), so plain
//! `http://` only, no proxy, and a dummy `Authorization` header (the endpoint checks none).
//!
//! Records the endpoint refuses one by one (`FailedPutCount`/`FailedRecordCount > 0`) are sent
//! again, and only those, with a growing pause, as the AWS SDKs advise; a request that fails as a
//! whole on the network or with a 5xx is sent again the same way once the endpoint has answered
//! before. Delivery is therefore at least once, like Firehose's and Kinesis' own producers.

use std::cell::Cell;
use std::marker::PhantomData;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::Value;

use crate::sensors::SensorSimulator;

/// Where `kiln stream serve` and the studio serve the Kinesis/Firehose endpoint.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4577";
/// The delivery stream `projects/sensors` declares.
pub const DEFAULT_STREAM: &str = "sensors";
/// Firehose's limit of records per PutRecordBatch, and Kinesis' per PutRecords.
pub const MAX_BATCH_RECORDS: usize = 500;
/// How many times a batch's refused records are sent before giving up.
pub const MAX_ATTEMPTS: u32 = 8;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// Why records could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("--endpoint-url {endpoint} {reason}; pass the local endpoint's address, e.g. {DEFAULT_ENDPOINT}")]
    BadEndpoint { endpoint: String, reason: &'static str },
    #[error(
        "cannot reach the Kinesis/Firehose endpoint at {endpoint} ({reason}); start it first — `make studio` \
         (the studio serves it) or `kiln stream serve --project {}` — or pass --endpoint-url with \
         where it listens",
        service.project()
    )]
    Unreachable {
        endpoint: String,
        reason: String,
        service: Service,
    },
    #[error(
        "the endpoint at {endpoint} refused {operation} to '{stream}' (HTTP {status}, {code}): {message}{}",
        service.hint(code)
    )]
    Refused {
        endpoint: String,
        service: Service,
        operation: &'static str,
        stream: String,
        status: u16,
        code: String,
        message: String,
    },
    #[error(
        "the endpoint at {endpoint} did not answer like {} ({detail}); check that --endpoint-url is the \
         Kinesis/Firehose endpoint, not the studio's own address",
        service.name()
    )]
    Protocol {
        endpoint: String,
        service: Service,
        detail: String,
    },
    #[error(
        "{failed} records were still refused after {MAX_ATTEMPTS} attempts (the last reason: {reason}); the \
         endpoint is overloaded or cannot write its log — see its output"
    )]
    GaveUp { failed: usize, reason: String },
}

/// What the endpoint said about one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Firehose took it.
    Put {
        record_id: String,
    },
    /// Kinesis took it, into this shard at this sequence number.
    Sequenced {
        shard_id: String,
        sequence_number: String,
    },
    Failed {
        code: String,
        message: String,
    },
}

/// Records put by [`PutClient::put_all`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PutReport {
    /// Records the endpoint took.
    pub sent: u64,
    /// Refusals (a record refused twice counts twice); each was sent again.
    pub failed: u64,
}

/// The service a client puts records into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Kinesis Data Firehose, for the sensors sample.
    Firehose,
    /// Kinesis Data Streams, for the logistics sample.
    Kinesis,
}

impl Service {
    /// As messages name it.
    pub fn name(self) -> &'static str {
        match self {
            Service::Firehose => "Firehose",
            Service::Kinesis => "Kinesis",
        }
    }

    /// The put operation, as messages name it.
    pub fn operation(self) -> &'static str {
        match self {
            Service::Firehose => "PutRecordBatch",
            Service::Kinesis => "PutRecords",
        }
    }

    /// The sample project whose streams the simulator feeds, for "start the endpoint" messages.
    pub fn project(self) -> &'static str {
        match self {
            Service::Firehose => "projects/sensors",
            Service::Kinesis => "projects/logistics",
        }
    }

    /// Said after an error with `code`: how to have the stream after a ResourceNotFoundException.
    fn hint(self, code: &str) -> &'static str {
        if code != "ResourceNotFoundException" {
            return "";
        }
        match self {
            Service::Firehose => {
                "; projects/sensors declares the delivery stream `sensors` in models/streams.yml — serve that \
                 project, or pass --stream with a delivery stream the endpoint has"
            }
            Service::Kinesis => {
                "; projects/logistics declares the streams `customer_stream` and `order_stream` in \
                 models/streams.yml — serve that project"
            }
        }
    }
}

/// One put API: how its request names the stream and carries a record, and how its answer
/// reports each record.
pub trait PutApi {
    const SERVICE: Service;
    /// `X-Amz-Target`.
    const TARGET: &'static str;
    /// The request member naming the stream.
    const STREAM_MEMBER: &'static str;
    /// A record as the caller hands it over.
    type Record;
    /// The record as a member of the request's `Records`.
    fn record_json(record: &Self::Record) -> Value;
    /// Each record's outcome, in order, and the answer's count of failed records, from a 200
    /// answer.
    fn outcomes(body: &str) -> Result<(Vec<RecordOutcome>, u64), String>;
}

/// Kinesis Data Firehose's `PutRecordBatch`; a record is its data.
pub struct Firehose;

/// Kinesis Data Streams' `PutRecords`; a record is a [`KinesisRecord`].
pub struct Kinesis;

/// A record for a Kinesis data stream: its data and the partition key that picks its shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KinesisRecord {
    pub data: Vec<u8>,
    pub partition_key: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BatchOut {
    #[serde(default)]
    failed_put_count: u64,
    request_responses: Vec<BatchResponse>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BatchResponse {
    record_id: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordsOut {
    #[serde(default)]
    failed_record_count: u64,
    records: Vec<RecordsResult>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordsResult {
    sequence_number: Option<String>,
    shard_id: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
}

fn failed(code: Option<String>, message: Option<String>) -> RecordOutcome {
    RecordOutcome::Failed {
        code: code.unwrap_or_else(|| "no error code".into()),
        message: message.unwrap_or_default(),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, String> {
    serde_json::from_str(body).map_err(|e| format!("{e}: {}", body.chars().take(200).collect::<String>()))
}

impl PutApi for Firehose {
    const SERVICE: Service = Service::Firehose;
    const TARGET: &'static str = "Firehose_20150804.PutRecordBatch";
    const STREAM_MEMBER: &'static str = "DeliveryStreamName";
    type Record = Vec<u8>;

    fn record_json(record: &Vec<u8>) -> Value {
        serde_json::json!({ "Data": STANDARD.encode(record) })
    }

    fn outcomes(body: &str) -> Result<(Vec<RecordOutcome>, u64), String> {
        let out: BatchOut = parse(body)?;
        let outcomes = out
            .request_responses
            .into_iter()
            .map(|r| match (r.record_id, r.error_code) {
                (Some(record_id), None) => RecordOutcome::Put { record_id },
                (_, code) => failed(code, r.error_message),
            })
            .collect();
        Ok((outcomes, out.failed_put_count))
    }
}

impl PutApi for Kinesis {
    const SERVICE: Service = Service::Kinesis;
    const TARGET: &'static str = "Kinesis_20131202.PutRecords";
    const STREAM_MEMBER: &'static str = "StreamName";
    type Record = KinesisRecord;

    fn record_json(record: &KinesisRecord) -> Value {
        serde_json::json!({ "Data": STANDARD.encode(&record.data), "PartitionKey": record.partition_key })
    }

    fn outcomes(body: &str) -> Result<(Vec<RecordOutcome>, u64), String> {
        let out: RecordsOut = parse(body)?;
        let outcomes = out
            .records
            .into_iter()
            .map(|r| match (r.shard_id, r.sequence_number, r.error_code) {
                (Some(shard_id), Some(sequence_number), None) => RecordOutcome::Sequenced {
                    shard_id,
                    sequence_number,
                },
                (_, _, code) => failed(code, r.error_message),
            })
            .collect();
        Ok((outcomes, out.failed_record_count))
    }
}

#[derive(Deserialize, Default)]
struct ErrorOut {
    #[serde(rename = "__type", default)]
    kind: String,
    #[serde(default, alias = "Message")]
    message: String,
}

/// Why a whole request failed: worth sending again, or not.
enum Failure {
    Transient(SendError),
    Fatal(SendError),
}

/// A client of one stream through API `A`: [`FirehoseClient`] or [`KinesisClient`].
pub struct PutClient<A: PutApi> {
    agent: ureq::Agent,
    url: String,
    stream: String,
    /// Whether the endpoint has answered once: until then a connection failure means it is not
    /// running, afterwards that it is briefly unavailable.
    answered: Cell<bool>,
    api: PhantomData<A>,
}

/// A PutRecordBatch client for one delivery stream.
pub type FirehoseClient = PutClient<Firehose>;
/// A PutRecords client for one data stream.
pub type KinesisClient = PutClient<Kinesis>;

impl<A: PutApi> PutClient<A> {
    /// A client of `stream` at `endpoint` (`http://host:port`).
    pub fn new(endpoint: &str, stream: &str) -> Result<Self, SendError> {
        let bad = |reason| SendError::BadEndpoint {
            endpoint: endpoint.to_string(),
            reason,
        };
        let rest = if let Some(rest) = endpoint.strip_prefix("http://") {
            rest
        } else if endpoint.starts_with("https://") {
            return Err(bad(
                "is https; the local endpoint speaks plain http on a loopback address",
            ));
        } else {
            return Err(bad("is not an http:// URL"));
        };
        if rest.trim_end_matches('/').is_empty() {
            return Err(bad("names no host"));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(Duration::from_secs(30)))
            .build();
        Ok(PutClient {
            agent: config.into(),
            url: endpoint.trim_end_matches('/').to_string() + "/",
            stream: stream.to_string(),
            answered: Cell::new(false),
            api: PhantomData,
        })
    }

    fn endpoint(&self) -> String {
        self.url.trim_end_matches('/').to_string()
    }

    /// One AWS JSON 1.1 call of `operation`: the body of its 200 answer.
    fn call(&self, operation: &'static str, target: &str, body: &Value) -> Result<String, Failure> {
        // Credentials are not checked by the local endpoint; the scope names the region in ARNs.
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential=kiln-demo/20200304/us-east-1/{}/aws4_request, \
             SignedHeaders=content-type;host;x-amz-target, Signature=0",
            A::SERVICE.name().to_ascii_lowercase()
        );
        let sent = self
            .agent
            .post(&self.url)
            .header("X-Amz-Target", target)
            .header("Authorization", &authorization)
            .content_type("application/x-amz-json-1.1")
            .send(body.to_string().as_bytes());
        let mut response = match sent {
            Ok(response) => response,
            Err(error) => {
                let reason = match error {
                    ureq::Error::Io(e) => e.to_string(),
                    other => other.to_string(),
                };
                let error = SendError::Unreachable {
                    endpoint: self.endpoint(),
                    reason,
                    service: A::SERVICE,
                };
                return Err(if self.answered.get() {
                    Failure::Transient(error)
                } else {
                    Failure::Fatal(error)
                });
            }
        };
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .read_to_string()
            .map_err(|e| Failure::Transient(self.protocol(format!("the response body could not be read: {e}"))))?;
        self.answered.set(true);
        if status == 200 {
            return Ok(text);
        }
        let error: ErrorOut = serde_json::from_str(&text).unwrap_or_default();
        let code = error.kind.rsplit('#').next().unwrap_or_default().to_string();
        let refused = SendError::Refused {
            endpoint: self.endpoint(),
            service: A::SERVICE,
            operation,
            stream: self.stream.clone(),
            status,
            code: if code.is_empty() { "no error code".into() } else { code },
            message: if error.message.is_empty() {
                text.chars().take(200).collect()
            } else {
                error.message
            },
        };
        Err(if status >= 500 {
            Failure::Transient(refused)
        } else {
            Failure::Fatal(refused)
        })
    }

    fn protocol(&self, detail: String) -> SendError {
        SendError::Protocol {
            endpoint: self.endpoint(),
            service: A::SERVICE,
            detail,
        }
    }

    fn request(&self, records: &[&A::Record]) -> Result<Vec<RecordOutcome>, Failure> {
        let mut body = serde_json::Map::new();
        body.insert(A::STREAM_MEMBER.into(), Value::from(self.stream.as_str()));
        body.insert(
            "Records".into(),
            records.iter().map(|r| A::record_json(r)).collect::<Vec<_>>().into(),
        );
        let text = self.call(A::SERVICE.operation(), A::TARGET, &Value::Object(body))?;
        let (outcomes, failed) = A::outcomes(&text).map_err(|detail| Failure::Fatal(self.protocol(detail)))?;
        if outcomes.len() != records.len() {
            return Err(Failure::Fatal(self.protocol(format!(
                "{} responses for {} records ({} failed)",
                outcomes.len(),
                records.len(),
                failed
            ))));
        }
        Ok(outcomes)
    }

    /// One call of up to [`MAX_BATCH_RECORDS`] records; the outcome of each, in order.
    fn put_once(&self, records: &[A::Record]) -> Result<Vec<RecordOutcome>, SendError> {
        let records: Vec<&A::Record> = records.iter().collect();
        self.request(&records).map_err(|failure| match failure {
            Failure::Transient(e) | Failure::Fatal(e) => e,
        })
    }

    /// Puts every record (in batches of at most [`MAX_BATCH_RECORDS`]), sending refused records
    /// again — only those — after a pause that doubles from 100 ms to 2 s, at most
    /// [`MAX_ATTEMPTS`] times.
    pub fn put_all(&self, records: &[A::Record]) -> Result<PutReport, SendError> {
        let mut report = PutReport::default();
        for chunk in records.chunks(MAX_BATCH_RECORDS) {
            let mut waiting: Vec<&A::Record> = chunk.iter().collect();
            let mut backoff = FIRST_BACKOFF;
            let mut attempt = 1;
            loop {
                let reason = match self.request(&waiting) {
                    Ok(outcomes) => {
                        let mut refused = Vec::new();
                        let mut last = String::new();
                        for (record, outcome) in waiting.iter().zip(outcomes) {
                            match outcome {
                                RecordOutcome::Put { .. } | RecordOutcome::Sequenced { .. } => report.sent += 1,
                                RecordOutcome::Failed { code, message } => {
                                    report.failed += 1;
                                    last = format!("{code}: {message}");
                                    refused.push(*record);
                                }
                            }
                        }
                        if refused.is_empty() {
                            break;
                        }
                        waiting = refused;
                        last
                    }
                    Err(Failure::Fatal(error)) => return Err(error),
                    Err(Failure::Transient(error)) => error.to_string(),
                };
                if attempt >= MAX_ATTEMPTS {
                    return Err(SendError::GaveUp {
                        failed: waiting.len(),
                        reason,
                    });
                }
                attempt += 1;
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
        Ok(report)
    }
}

impl FirehoseClient {
    /// One PutRecordBatch of up to [`MAX_BATCH_RECORDS`] records; the outcome of each, in order.
    pub fn put_record_batch(&self, records: &[Vec<u8>]) -> Result<Vec<RecordOutcome>, SendError> {
        self.put_once(records)
    }
}

impl KinesisClient {
    /// One PutRecords of up to [`MAX_BATCH_RECORDS`] records; the outcome of each, in order.
    pub fn put_records(&self, records: &[KinesisRecord]) -> Result<Vec<RecordOutcome>, SendError> {
        self.put_once(records)
    }

    /// A Kinesis read call: its answer as JSON.
    fn read_call(&self, operation: &'static str, body: &Value) -> Result<Value, SendError> {
        let text = self
            .call(operation, &format!("Kinesis_20131202.{operation}"), body)
            .map_err(|failure| match failure {
                Failure::Transient(e) | Failure::Fatal(e) => e,
            })?;
        serde_json::from_str(&text).map_err(|e| self.protocol(format!("{operation}: {e}")))
    }

    /// Reads the stream from its oldest record as a consumer does (DescribeStream, then
    /// GetShardIterator `TRIM_HORIZON` and GetRecords on each shard until caught up), handing
    /// each record's data to `each`; returns how many records there were.
    pub fn read_all(&self, mut each: impl FnMut(&[u8])) -> Result<u64, SendError> {
        let stream = self.stream.as_str();
        let mut shards: Vec<Value> = Vec::new();
        loop {
            let mut body = serde_json::json!({ "StreamName": stream });
            if let Some(last) = shards.last() {
                body["ExclusiveStartShardId"] = last.clone();
            }
            let out = self.read_call("DescribeStream", &body)?;
            let description = &out["StreamDescription"];
            shards.extend(
                description["Shards"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| s["ShardId"].clone()),
            );
            if description["HasMoreShards"] != true {
                break;
            }
        }
        let mut count = 0;
        for shard in shards {
            let body = serde_json::json!({
                "StreamName": stream, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"
            });
            let mut iterator = self.read_call("GetShardIterator", &body)?["ShardIterator"].clone();
            while iterator.is_string() {
                let out = self.read_call("GetRecords", &serde_json::json!({ "ShardIterator": iterator }))?;
                let records = out["Records"].as_array().map(Vec::as_slice).unwrap_or_default();
                for record in records {
                    let data = STANDARD
                        .decode(record["Data"].as_str().unwrap_or_default())
                        .map_err(|e| self.protocol(format!("GetRecords: a record's Data is not base64: {e}")))?;
                    each(&data);
                    count += 1;
                }
                if records.is_empty() || out["MillisBehindLatest"] == 0 {
                    break;
                }
                iterator = out["NextShardIterator"].clone();
            }
        }
        Ok(count)
    }
}

/// A run of the simulator against an endpoint.
#[derive(Debug, Clone)]
pub struct SensorRun {
    pub endpoint_url: String,
    pub stream: String,
    /// Readings a second (all sensors together).
    pub rate: u32,
    /// Stop after the readings of this long; `None`: until stopped.
    pub duration: Option<Duration>,
    /// Stop after this many readings.
    pub count: Option<u64>,
    /// Epoch seconds of the first reading (the current time for a live run).
    pub start: i64,
}

/// Records sent during one second of a run, and since its start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tick {
    /// Seconds since the run started, at the end of the second reported.
    pub second: u64,
    pub sent: u64,
    /// Records refused (and sent again) this second.
    pub failed: u64,
    pub total_sent: u64,
    pub total_failed: u64,
}

/// What a whole run sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunSummary {
    pub sent: u64,
    /// Refusals, each sent again.
    pub failed: u64,
    pub elapsed: Duration,
}

/// How many records a run at `rate` a second sends: `count`, or those of `duration`, whichever
/// is fewer; `None` when neither is given (until stopped).
pub(crate) fn run_limit(rate: u32, count: Option<u64>, duration: Option<Duration>) -> Option<u64> {
    let rate = u64::from(rate.max(1));
    let by_duration =
        duration.map(|d| u64::try_from(d.as_millis().saturating_mul(u128::from(rate)) / 1000).unwrap_or(u64::MAX));
    match (count, by_duration) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Sends records `0..limit` at `rate` a second as they fall due — those of each second that has
/// begun, spread evenly over it — with `send(first..end)`, calling `on_tick` once a second with
/// what the second sent, until `limit` is reached or `stop` is set.
pub(crate) fn pace(
    rate: u32,
    limit: Option<u64>,
    stop: &AtomicBool,
    mut on_tick: impl FnMut(&Tick),
    mut send: impl FnMut(Range<u64>) -> Result<PutReport, SendError>,
) -> Result<RunSummary, SendError> {
    let rate = u64::from(rate.max(1));
    let began = Instant::now();
    let elapsed_ms = || u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
    let mut next = 0u64;
    let mut tick = Tick::default();
    while !stop.load(Ordering::Relaxed) && limit.is_none_or(|limit| next < limit) {
        let now_ms = elapsed_ms();
        // Report the seconds that ended before sending what the new one has due.
        let second = now_ms / 1000;
        if second > tick.second {
            tick.second = second;
            on_tick(&tick);
            tick.sent = 0;
            tick.failed = 0;
        }
        let mut due = now_ms.saturating_mul(rate) / 1000 + 1;
        if let Some(limit) = limit {
            due = due.min(limit);
        }
        if due > next {
            let report = send(next..due)?;
            next = due;
            tick.sent += report.sent;
            tick.failed += report.failed;
            tick.total_sent += report.sent;
            tick.total_failed += report.failed;
        }
        // Until the next record is due or the next second begins, whichever comes first.
        let wake_ms = (next * 1000).div_ceil(rate).min((second + 1) * 1000);
        let now_ms = elapsed_ms();
        if wake_ms > now_ms {
            std::thread::sleep(Duration::from_millis((wake_ms - now_ms).min(100)));
        }
    }
    if tick.sent > 0 || tick.failed > 0 {
        tick.second += 1;
        on_tick(&tick);
    }
    Ok(RunSummary {
        sent: tick.total_sent,
        failed: tick.total_failed,
        elapsed: began.elapsed(),
    })
}

/// Sends the simulator's readings as they fall due, calling `on_tick` once a second with what
/// the second sent, until `run.count` or `run.duration` is reached or `stop` is set.
pub fn run_sensors(run: &SensorRun, stop: &AtomicBool, on_tick: impl FnMut(&Tick)) -> Result<RunSummary, SendError> {
    let sim = SensorSimulator::new(run.start, run.rate);
    let client = FirehoseClient::new(&run.endpoint_url, &run.stream)?;
    let limit = run_limit(sim.rate(), run.count, run.duration);
    pace(sim.rate(), limit, stop, on_tick, |range| {
        let records: Vec<Vec<u8>> = range.map(|k| sim.reading(k).to_json().into_bytes()).collect();
        client.put_all(&records)
    })
}
