//! The background loop that keeps auto-refresh views and Firehose deliveries fresh: it notices
//! new durable records within [`TICK`] and refreshes the views that read that stream, so a
//! record is queryable in its view well under a second after its producer's acknowledgement.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kiln_warehouse::Adapter;

use super::{deliver, list_views, refresh, StreamingView};
use crate::log::now_ms;
use crate::{Hub, StreamKind};

/// How often the loop looks for new records.
pub const TICK: Duration = Duration::from_millis(25);
/// How often the list of views is read again from the warehouse.
const RELOAD_VIEWS: Duration = Duration::from_secs(1);
/// After a failed refresh, wait this long before trying that view again.
const BACKOFF: Duration = Duration::from_secs(3);

/// What the studio's stream console shows of one consumer (a view or a delivery).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewStatus {
    /// `schema.view`, or `firehose:<stream>` for a delivery.
    pub name: String,
    pub stream: String,
    pub auto_refresh: bool,
    /// Arrival of the newest record the consumer has taken (ms since the epoch; 0: none).
    pub newest_taken_ms: i64,
    /// Arrival of the newest durable record of its stream.
    pub newest_arrival_ms: i64,
    pub last_refresh_ms: i64,
    pub records: u64,
    pub rejected: u64,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RunnerStatus {
    pub views: Vec<ViewStatus>,
}

/// The refresh loop; stops when dropped.
pub struct Runner {
    stop: Arc<AtomicBool>,
    status: Arc<Mutex<RunnerStatus>>,
    handle: Option<JoinHandle<()>>,
}

struct Consumer {
    status: ViewStatus,
    /// The stream's durable record count when last refreshed.
    seen: u64,
    retry_at: Option<Instant>,
    /// When undelivered records were first noticed (Firehose buffering).
    pending_since: Option<Instant>,
    /// The stream's byte total when last delivered, to tell how much waits.
    delivered_bytes: u64,
}

impl Runner {
    pub fn start(hub: Arc<Hub>, adapter: Arc<dyn Adapter>) -> Runner {
        let stop = Arc::new(AtomicBool::new(false));
        let status = Arc::new(Mutex::new(RunnerStatus::default()));
        let (s, st) = (stop.clone(), status.clone());
        let handle = std::thread::Builder::new()
            .name("kiln-stream-refresh".into())
            .spawn(move || run(&hub, adapter.as_ref(), &s, &st))
            .ok();
        Runner { stop, status, handle }
    }

    pub fn status(&self) -> RunnerStatus {
        self.status.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.halt();
    }
}

fn run(hub: &Hub, adapter: &dyn Adapter, stop: &AtomicBool, status: &Mutex<RunnerStatus>) {
    let mut consumers: BTreeMap<String, Consumer> = BTreeMap::new();
    let mut views: Vec<StreamingView> = Vec::new();
    let mut loaded: Option<Instant> = None;
    let mut trimmed = Instant::now();
    while !stop.load(Ordering::SeqCst) {
        if trimmed.elapsed() >= Hub::TRIM_EVERY {
            // Records past their stream's retention; a failure is retried next time.
            let _ = hub.trim_expired();
            trimmed = Instant::now();
        }
        if loaded.is_none_or(|t| t.elapsed() >= RELOAD_VIEWS) {
            if let Ok(v) = list_views(adapter) {
                views = v;
            }
            loaded = Some(Instant::now());
        }
        for view in &views {
            let Ok(stream) = hub.get(StreamKind::Kinesis, &view.stream) else {
                continue;
            };
            let c = consumer(&mut consumers, &view.key(), &view.stream, view.auto_refresh);
            let total = stream.log.totals().records;
            c.status.newest_arrival_ms = newest(&stream);
            if !view.auto_refresh || !due(c, total) {
                continue;
            }
            match refresh(hub, adapter, view, 4) {
                Ok(r) => {
                    c.seen = if r.batches >= 4 { c.seen } else { total };
                    let good = r.records.saturating_sub(r.rejected);
                    taken(c, good as u64, r.rejected as u64, r.newest_arrival_ms);
                }
                Err(e) => failed(c, e.to_string()),
            }
        }
        for stream in hub.list(StreamKind::Firehose) {
            let Some(delivery) = stream.meta.delivery.clone() else {
                continue;
            };
            let name = super::delivery::consumer(stream.name());
            let c = consumer(&mut consumers, &name, stream.name(), true);
            let total = stream.log.totals().records;
            c.status.newest_arrival_ms = newest(&stream);
            if !due(c, total) {
                c.pending_since = None;
                continue;
            }
            let since = *c.pending_since.get_or_insert_with(Instant::now);
            let bytes = stream.log.totals().bytes;
            let waiting_bytes = bytes.saturating_sub(c.delivered_bytes);
            let interval = Duration::from_secs(u64::from(delivery.interval_seconds));
            let size_hit = waiting_bytes >= u64::from(delivery.size_mb.max(1)) << 20;
            if since.elapsed() < interval && !size_hit {
                continue;
            }
            match deliver(hub, adapter, stream.name(), 4) {
                Ok(r) => {
                    c.seen = total;
                    c.pending_since = None;
                    c.delivered_bytes = bytes;
                    taken(c, r.rows as u64, r.rejected as u64, r.newest_arrival_ms);
                }
                Err(e) => failed(c, e.to_string()),
            }
        }
        publish(status, &consumers);
        std::thread::sleep(TICK);
    }
}

fn consumer<'a>(map: &'a mut BTreeMap<String, Consumer>, name: &str, stream: &str, auto: bool) -> &'a mut Consumer {
    let c = map.entry(name.to_string()).or_insert_with(|| Consumer {
        status: ViewStatus {
            name: name.to_string(),
            stream: stream.to_string(),
            ..ViewStatus::default()
        },
        // Unknown: the first pass reads the scan states from the warehouse.
        seen: u64::MAX,
        retry_at: None,
        pending_since: None,
        delivered_bytes: 0,
    });
    c.status.auto_refresh = auto;
    c
}

fn newest(stream: &crate::Stream) -> i64 {
    stream
        .log
        .shard_stats()
        .iter()
        .map(|s| s.last_arrival_ms)
        .max()
        .unwrap_or(0)
}

/// Whether there may be records the consumer has not taken, and it is not backing off.
fn due(c: &mut Consumer, total: u64) -> bool {
    if c.retry_at.is_some_and(|t| Instant::now() < t) {
        return false;
    }
    c.seen != total
}

/// Records a successful refresh or delivery: `records` rows taken (a delivery's may hold several
/// per stream record) and `rejected` records set aside.
fn taken(c: &mut Consumer, records: u64, rejected: u64, newest: i64) {
    c.retry_at = None;
    c.status.last_error = None;
    c.status.records += records;
    c.status.rejected += rejected;
    c.status.last_refresh_ms = now_ms();
    if newest > 0 {
        c.status.newest_taken_ms = newest;
        // The stream's newest was read before the refresh, which may have taken later records.
        c.status.newest_arrival_ms = c.status.newest_arrival_ms.max(newest);
    }
}

fn failed(c: &mut Consumer, message: String) {
    c.retry_at = Some(Instant::now() + BACKOFF);
    c.status.last_error = Some(message);
}

fn publish(status: &Mutex<RunnerStatus>, consumers: &BTreeMap<String, Consumer>) {
    let views = consumers.values().map(|c| c.status.clone()).collect();
    status.lock().unwrap_or_else(PoisonError::into_inner).views = views;
}
