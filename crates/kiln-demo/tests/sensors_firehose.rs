//! The sensors simulator against the real Kinesis/Firehose endpoint (kiln-stream's `api`), served
//! in-process on 127.0.0.1 over a hub in a temporary folder: what the simulator sends is exactly
//! what the delivery stream's log holds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use kiln_demo::firehose::{run_sensors, FirehoseClient, RecordOutcome, SendError, SensorRun};
use kiln_demo::sensors::SensorSimulator;
use kiln_stream::{Hub, HubOptions, ShardLimit, StreamKind, StreamMeta};

const START: i64 = 1_583_292_719;

/// A hub with the delivery stream `sensors`, its endpoint served until the value is dropped.
struct Endpoint {
    hub: Arc<Hub>,
    addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: tempfile::TempDir,
}

impl Endpoint {
    fn start(options: HubOptions) -> Endpoint {
        let dir = tempfile::tempdir().unwrap();
        let hub = Arc::new(Hub::open(dir.path(), options).unwrap());
        hub.create(StreamMeta::new(StreamKind::Firehose, "sensors", 1)).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(kiln_stream::api::serve(listener, hub.clone(), async move {
            let _ = stopped.await;
        }));
        Endpoint {
            hub,
            addr,
            _runtime: runtime,
            stop: Some(stop),
            _dir: dir,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The data of every record in the stream's log, in log order.
    fn records(&self) -> Vec<String> {
        let stream = self.hub.get(StreamKind::Firehose, "sensors").unwrap();
        stream
            .log
            .read_shard(0, 0, 100_000, 1 << 30)
            .unwrap()
            .into_iter()
            .map(|r| String::from_utf8(r.data).unwrap())
            .collect()
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn run(url: &str, rate: u32, count: u64) -> SensorRun {
    SensorRun {
        endpoint_url: url.to_string(),
        stream: "sensors".into(),
        rate,
        duration: None,
        count: Some(count),
        start: START,
    }
}

fn expected(rate: u32, count: u64) -> Vec<String> {
    let sim = SensorSimulator::new(START, rate);
    (0..count).map(|k| sim.reading(k).to_json()).collect()
}

#[test]
fn the_log_holds_exactly_the_readings_sent() {
    let endpoint = Endpoint::start(HubOptions::default());
    let mut ticks = Vec::new();
    // 60 readings at 40 a second: a second and a half, so at least one tick is reported.
    let total = run_sensors(&run(&endpoint.url(), 40, 60), &AtomicBool::new(false), |t| {
        ticks.push(*t)
    })
    .unwrap();
    assert_eq!((total.sent, total.failed), (60, 0));
    assert_eq!(endpoint.records(), expected(40, 60));
    assert!(!ticks.is_empty());
    assert_eq!(ticks.iter().map(|t| t.sent).sum::<u64>(), 60, "{ticks:?}");
    assert_eq!(ticks.last().map(|t| t.total_sent), Some(60));
    // At 40 a second, the first second sends the readings due in it: 40.
    assert_eq!((ticks[0].second, ticks[0].sent), (1, 40), "{ticks:?}");
    // The readings' times follow the rate: 40 a second from START.
    let last: serde_json::Value = serde_json::from_str(&endpoint.records()[59]).unwrap();
    assert_eq!(last["ts"], START + 1);
}

#[test]
fn refused_records_and_only_those_are_sent_again() {
    // Ten records a second per shard: a batch of 30 is mostly refused ("Slow down."), and the
    // refused ones go again until every reading is in — once.
    let endpoint = Endpoint::start(HubOptions {
        shard_limit: Some(ShardLimit {
            records_per_second: 10,
            bytes_per_second: 1 << 20,
        }),
        ..HubOptions::default()
    });
    let client = FirehoseClient::new(&endpoint.url(), "sensors").unwrap();
    let batch: Vec<Vec<u8>> = expected(1000, 30).into_iter().map(String::into_bytes).collect();
    let first = client.put_record_batch(&batch).unwrap();
    let refused = first
        .iter()
        .filter(|o| matches!(o, RecordOutcome::Failed { code, .. } if code == "ServiceUnavailableException"))
        .count();
    assert_eq!((first.len(), refused), (30, 20), "{first:?}");
    let expected_log: Vec<String> = batch[..10]
        .iter()
        .map(|r| String::from_utf8(r.clone()).unwrap())
        .collect();
    assert_eq!(endpoint.records(), expected_log, "the first ten are in");

    let report = client.put_all(&batch[10..]).unwrap();
    assert_eq!(report.sent, 20);
    assert!(report.failed >= 10, "{report:?}");
    let mut log = endpoint.records();
    log.sort();
    let mut all = expected(1000, 30);
    all.sort();
    assert_eq!(log, all, "every reading exactly once");

    // And through the simulator's loop, with its once-a-second report.
    let endpoint = Endpoint::start(HubOptions {
        shard_limit: Some(ShardLimit {
            records_per_second: 25,
            bytes_per_second: 1 << 20,
        }),
        ..HubOptions::default()
    });
    let total = run_sensors(&run(&endpoint.url(), 10_000, 60), &AtomicBool::new(false), |_| {}).unwrap();
    assert_eq!(total.sent, 60);
    assert!(total.failed > 0, "{total:?}");
    let mut log = endpoint.records();
    log.sort();
    let mut all = expected(10_000, 60);
    all.sort();
    assert_eq!(log, all);
}

#[test]
fn an_endpoint_that_is_not_running_says_how_to_start_it() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let error = run_sensors(&run(&format!("http://{addr}"), 6, 6), &AtomicBool::new(false), |_| {}).unwrap_err();
    assert!(matches!(error, SendError::Unreachable { .. }), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("make studio") && text.contains("kiln stream serve --project projects/sensors"),
        "{text}"
    );
}

#[test]
fn a_missing_stream_is_refused_with_a_hint() {
    let endpoint = Endpoint::start(HubOptions::default());
    let mut options = run(&endpoint.url(), 6, 6);
    options.stream = "nope".into();
    let error = run_sensors(&options, &AtomicBool::new(false), |_| {}).unwrap_err();
    let text = error.to_string();
    assert!(
        text.contains("ResourceNotFoundException") && text.contains("models/streams.yml"),
        "{text}"
    );
    assert!(endpoint.records().is_empty());
}

#[test]
fn only_plain_http_endpoints() {
    for bad in ["https://127.0.0.1:4577", "127.0.0.1:4577", "http://"] {
        let error = FirehoseClient::new(bad, "sensors").err().unwrap();
        assert!(matches!(error, SendError::BadEndpoint { .. }), "{bad}: {error}");
    }
}
