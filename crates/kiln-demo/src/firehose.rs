//! Sends the sensors' readings ([`crate::sensors`]) to a Firehose delivery stream over HTTP, the
//! way the post's script does with boto3: `Firehose_20150804.PutRecordBatch` in AWS JSON 1.1,
//! records base64-encoded. Made for Kiln's local endpoint (`kiln stream serve`, the studio), so
//! plain `http://` only, no proxy, and a dummy `Authorization` header (the endpoint checks none).
//!
//! Records the endpoint refuses one by one (`FailedPutCount > 0`) are sent again, and only those,
//! with a growing pause, as the AWS SDKs advise; a request that fails as a whole on the network
//! or with a 5xx is sent again the same way once the endpoint has answered before. Delivery is
//! therefore at least once, like Firehose's own.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Deserialize;

use crate::sensors::SensorSimulator;

/// Where `kiln stream serve` and the studio serve the Kinesis/Firehose endpoint.
pub const DEFAULT_ENDPOINT: &str = "http://127.0.0.1:4577";
/// The delivery stream `projects/sensors` declares.
pub const DEFAULT_STREAM: &str = "sensors";
/// Firehose's limit of records per PutRecordBatch.
pub const MAX_BATCH_RECORDS: usize = 500;
/// How many times a batch's refused records are sent before giving up.
pub const MAX_ATTEMPTS: u32 = 8;
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);
/// Credentials are not checked by the local endpoint; the scope names the region in ARNs.
const AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=kiln-demo/20200304/us-east-1/firehose/aws4_request, \
                             SignedHeaders=content-type;host;x-amz-target, Signature=0";

/// Why readings could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("--endpoint-url {endpoint} {reason}; pass the local endpoint's address, e.g. {DEFAULT_ENDPOINT}")]
    BadEndpoint { endpoint: String, reason: &'static str },
    #[error(
        "cannot reach the Kinesis/Firehose endpoint at {endpoint} ({reason}); start it first — `make studio` \
         (the studio serves it) or `kiln stream serve --project projects/sensors` — or pass --endpoint-url with \
         where it listens"
    )]
    Unreachable { endpoint: String, reason: String },
    #[error(
        "the endpoint at {endpoint} refused PutRecordBatch to '{stream}' (HTTP {status}, {code}): {message}{hint}"
    )]
    Refused {
        endpoint: String,
        stream: String,
        status: u16,
        code: String,
        message: String,
        hint: &'static str,
    },
    #[error(
        "the endpoint at {endpoint} did not answer like Firehose ({detail}); check that --endpoint-url is the \
         Kinesis/Firehose endpoint, not the studio's own address"
    )]
    Protocol { endpoint: String, detail: String },
    #[error(
        "{failed} records were still refused after {MAX_ATTEMPTS} attempts (the last reason: {reason}); the \
         endpoint is overloaded or cannot write its log — see its output"
    )]
    GaveUp { failed: usize, reason: String },
}

/// What the endpoint said about one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    Put { record_id: String },
    Failed { code: String, message: String },
}

/// Records put by [`FirehoseClient::put_all`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PutReport {
    /// Records the endpoint took.
    pub sent: u64,
    /// Refusals (a record refused twice counts twice); each was sent again.
    pub failed: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct BatchOut {
    #[serde(default)]
    failed_put_count: u64,
    request_responses: Vec<ResponseOut>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ResponseOut {
    record_id: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
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

/// A PutRecordBatch client for one delivery stream.
pub struct FirehoseClient {
    agent: ureq::Agent,
    url: String,
    stream: String,
    /// Whether the endpoint has answered once: until then a connection failure means it is not
    /// running, afterwards that it is briefly unavailable.
    answered: Cell<bool>,
}

impl FirehoseClient {
    /// A client of `stream` at `endpoint` (`http://host:port`).
    pub fn new(endpoint: &str, stream: &str) -> Result<FirehoseClient, SendError> {
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
        Ok(FirehoseClient {
            agent: config.into(),
            url: endpoint.trim_end_matches('/').to_string() + "/",
            stream: stream.to_string(),
            answered: Cell::new(false),
        })
    }

    fn endpoint(&self) -> String {
        self.url.trim_end_matches('/').to_string()
    }

    /// One PutRecordBatch of up to [`MAX_BATCH_RECORDS`] records; the outcome of each, in order.
    pub fn put_record_batch(&self, records: &[Vec<u8>]) -> Result<Vec<RecordOutcome>, SendError> {
        self.request(records).map_err(|failure| match failure {
            Failure::Transient(e) | Failure::Fatal(e) => e,
        })
    }

    fn request(&self, records: &[Vec<u8>]) -> Result<Vec<RecordOutcome>, Failure> {
        let body = serde_json::json!({
            "DeliveryStreamName": self.stream,
            "Records": records.iter().map(|r| serde_json::json!({ "Data": STANDARD.encode(r) })).collect::<Vec<_>>(),
        })
        .to_string();
        let sent = self
            .agent
            .post(&self.url)
            .header("X-Amz-Target", "Firehose_20150804.PutRecordBatch")
            .header("Authorization", AUTHORIZATION)
            .content_type("application/x-amz-json-1.1")
            .send(body.as_bytes());
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
                };
                return Err(if self.answered.get() {
                    Failure::Transient(error)
                } else {
                    Failure::Fatal(error)
                });
            }
        };
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().map_err(|e| {
            Failure::Transient(SendError::Protocol {
                endpoint: self.endpoint(),
                detail: format!("the response body could not be read: {e}"),
            })
        })?;
        self.answered.set(true);
        if status != 200 {
            let error: ErrorOut = serde_json::from_str(&text).unwrap_or_default();
            let code = error.kind.rsplit('#').next().unwrap_or_default().to_string();
            let hint = match code.as_str() {
                "ResourceNotFoundException" => {
                    "; projects/sensors declares the delivery stream `sensors` in models/streams.yml — serve that \
                     project, or pass --stream with a delivery stream the endpoint has"
                }
                _ => "",
            };
            let refused = SendError::Refused {
                endpoint: self.endpoint(),
                stream: self.stream.clone(),
                status,
                code: if code.is_empty() { "no error code".into() } else { code },
                message: if error.message.is_empty() {
                    text.chars().take(200).collect()
                } else {
                    error.message
                },
                hint,
            };
            return Err(if status >= 500 {
                Failure::Transient(refused)
            } else {
                Failure::Fatal(refused)
            });
        }
        let out: BatchOut = serde_json::from_str(&text).map_err(|e| {
            Failure::Fatal(SendError::Protocol {
                endpoint: self.endpoint(),
                detail: format!("{e}: {}", text.chars().take(200).collect::<String>()),
            })
        })?;
        if out.request_responses.len() != records.len() {
            return Err(Failure::Fatal(SendError::Protocol {
                endpoint: self.endpoint(),
                detail: format!(
                    "{} responses for {} records (FailedPutCount {})",
                    out.request_responses.len(),
                    records.len(),
                    out.failed_put_count
                ),
            }));
        }
        Ok(out
            .request_responses
            .into_iter()
            .map(|r| match (r.record_id, r.error_code) {
                (Some(record_id), None) => RecordOutcome::Put { record_id },
                (_, code) => RecordOutcome::Failed {
                    code: code.unwrap_or_else(|| "no error code".into()),
                    message: r.error_message.unwrap_or_default(),
                },
            })
            .collect())
    }

    /// Puts every record (in batches of at most [`MAX_BATCH_RECORDS`]), sending refused records
    /// again — only those — after a pause that doubles from 100 ms to 2 s, at most
    /// [`MAX_ATTEMPTS`] times.
    pub fn put_all(&self, records: &[Vec<u8>]) -> Result<PutReport, SendError> {
        let mut report = PutReport::default();
        for chunk in records.chunks(MAX_BATCH_RECORDS) {
            let mut waiting: Vec<&Vec<u8>> = chunk.iter().collect();
            let mut backoff = FIRST_BACKOFF;
            let mut attempt = 1;
            loop {
                let batch: Vec<Vec<u8>> = waiting.iter().map(|r| (*r).clone()).collect();
                let reason = match self.request(&batch) {
                    Ok(outcomes) => {
                        let mut refused = Vec::new();
                        let mut last = String::new();
                        for (record, outcome) in waiting.iter().zip(outcomes) {
                            match outcome {
                                RecordOutcome::Put { .. } => report.sent += 1,
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

/// Readings sent during one second of a run, and since its start.
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

/// Sends the simulator's readings as they fall due, calling `on_tick` once a second with what
/// the second sent, until `run.count` or `run.duration` is reached or `stop` is set.
pub fn run_sensors(
    run: &SensorRun,
    stop: &AtomicBool,
    mut on_tick: impl FnMut(&Tick),
) -> Result<RunSummary, SendError> {
    let sim = SensorSimulator::new(run.start, run.rate);
    let client = FirehoseClient::new(&run.endpoint_url, &run.stream)?;
    let rate = u64::from(sim.rate());
    let by_duration = run
        .duration
        .map(|d| u64::try_from(d.as_millis().saturating_mul(u128::from(rate)) / 1000).unwrap_or(u64::MAX));
    let limit = match (run.count, by_duration) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
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
        let mut due = sim.due(now_ms);
        if let Some(limit) = limit {
            due = due.min(limit);
        }
        if due > next {
            let records: Vec<Vec<u8>> = (next..due).map(|k| sim.reading(k).to_json().into_bytes()).collect();
            let report = client.put_all(&records)?;
            next = due;
            tick.sent += report.sent;
            tick.failed += report.failed;
            tick.total_sent += report.sent;
            tick.total_failed += report.failed;
        }
        // Until the next reading is due or the next second begins, whichever comes first.
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
