//! The durable log behind each stream: append-only segment files, one writer thread per stream
//! that group-commits (many requests, one `fdatasync`), and readers that only ever see what
//! is durable.
//!
//! A record is acknowledged (its append future resolves) only after the bytes holding it are
//! on disk, so a producer never hears "ok" for a record a crash can lose. Readers — `GetRecords`
//! and the materialized-view refresh — read up to the durable end of each segment, so nothing
//! downstream ever holds a record the log could forget.
//!
//! All shards of a stream share its segment files (one fsync per commit whatever the shard
//! count); a sparse in-memory index per shard (every [`INDEX_EVERY`]th record) keeps a read of
//! one shard from scanning the stream from the start.

mod frame;

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use frame::Next;
pub use frame::Record;

use crate::error::StreamError;

/// One index entry per this many records of a shard.
pub const INDEX_EVERY: u32 = 1024;
/// A commit gathers at most this many bytes of waiting requests.
const COMMIT_BYTES: usize = 16 << 20;

/// How a log is kept.
#[derive(Debug, Clone)]
pub struct LogOptions {
    /// A segment file is closed for writing once it reaches this size.
    pub segment_bytes: u64,
    /// The largest `data` a record may carry (Kinesis: 1 MiB by default).
    pub max_record_bytes: usize,
    /// `false` only in tests and benchmarks that measure the cost of the fsync itself.
    pub fsync: bool,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            segment_bytes: 64 << 20,
            max_record_bytes: 1 << 20,
            fsync: true,
        }
    }
}

/// A record to append; the caller has chosen its shard.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub shard: u32,
    pub partition_key: String,
    pub data: Vec<u8>,
}

/// Where an appended record landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    pub shard: u32,
    pub sequence: u64,
    pub arrival_ms: i64,
}

/// A place in the log (all shards, in the order records were written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogPosition {
    segment: u64,
    offset: u64,
}

/// Numbers about one shard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShardStats {
    /// The oldest retained sequence number (equal to `next_sequence` when the shard is empty).
    pub first_sequence: u64,
    pub next_sequence: u64,
    /// Arrival of the newest record, 0 when none.
    pub last_arrival_ms: i64,
}

/// Totals since the log was opened, for rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogTotals {
    pub records: u64,
    pub bytes: u64,
    pub commits: u64,
}

/// A stream's log. Cheap to clone; the writer thread stops when the last clone is dropped.
#[derive(Clone)]
pub struct StreamLog {
    inner: Arc<Inner>,
}

struct Inner {
    name: String,
    dir: PathBuf,
    shards: u32,
    opts: LogOptions,
    state: Mutex<State>,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    /// Bumped after every commit with the total of durable records: refresh loops wait on it.
    durable: tokio::sync::watch::Sender<u64>,
}

#[derive(Debug, Clone)]
struct Segment {
    id: u64,
    path: PathBuf,
    /// Bytes known durable; readers stop here.
    len: u64,
    max_arrival_ms: i64,
    /// Each shard's first sequence number in this segment.
    first_seq: Vec<Option<u64>>,
}

#[derive(Debug, Clone, Copy)]
struct IndexEntry {
    sequence: u64,
    segment: u64,
    offset: u64,
}

#[derive(Debug, Clone, Default)]
struct ShardState {
    first_seq: u64,
    next_seq: u64,
    last_arrival_ms: i64,
    index: Vec<IndexEntry>,
    since_index: u32,
}

struct State {
    segments: Vec<Segment>,
    shards: Vec<ShardState>,
    totals: LogTotals,
    failed: Option<String>,
}

struct Job {
    records: Vec<NewRecord>,
    reply: tokio::sync::oneshot::Sender<Result<Vec<Appended>, StreamError>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn segment_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:020}.seg"))
}

impl StreamLog {
    /// Opens (or creates) the log in `dir`, cutting off a torn tail left by a crash.
    pub fn open(name: &str, dir: &Path, shards: u32, opts: LogOptions) -> Result<StreamLog, StreamError> {
        let shards = shards.max(1);
        fs::create_dir_all(dir).map_err(|e| StreamError::io("create the stream folder", dir, e))?;
        let state = recover(dir, shards, &opts)?;
        let total = state.totals.records;
        let writer = Writer::new(dir, shards, &opts, &state);
        let (tx, rx) = mpsc::channel::<Job>();
        let (durable, _) = tokio::sync::watch::channel(total);
        let inner = Arc::new(Inner {
            name: name.to_string(),
            dir: dir.to_path_buf(),
            shards,
            opts,
            state: Mutex::new(state),
            jobs: Mutex::new(Some(tx)),
            durable,
        });
        let weak = Arc::downgrade(&inner);
        std::thread::Builder::new()
            .name(format!("kiln-stream-{name}"))
            .spawn(move || writer.run(rx, weak))
            .map_err(|e| StreamError::io("start the writer thread of", dir, e))?;
        Ok(StreamLog { inner })
    }

    pub fn name(&self) -> &str {
        &self.inner.name
    }

    pub fn shard_count(&self) -> u32 {
        self.inner.shards
    }

    pub fn options(&self) -> &LogOptions {
        &self.inner.opts
    }

    /// Appends records and resolves once they are durable; the result is in input order.
    /// Either every record of the call is appended or none is.
    pub async fn append(&self, records: Vec<NewRecord>) -> Result<Vec<Appended>, StreamError> {
        let rx = self.submit(records)?;
        rx.await.map_err(|_| self.unavailable("the writer stopped"))?
    }

    /// [`append`](Self::append) for callers outside an async runtime.
    pub fn append_blocking(&self, records: Vec<NewRecord>) -> Result<Vec<Appended>, StreamError> {
        let rx = self.submit(records)?;
        rx.blocking_recv().map_err(|_| self.unavailable("the writer stopped"))?
    }

    fn submit(
        &self,
        records: Vec<NewRecord>,
    ) -> Result<tokio::sync::oneshot::Receiver<Result<Vec<Appended>, StreamError>>, StreamError> {
        for r in &records {
            if r.shard >= self.inner.shards {
                return Err(StreamError::InvalidArgument(format!(
                    "shard {} does not exist in stream '{}' ({} shards)",
                    r.shard, self.inner.name, self.inner.shards
                )));
            }
            if r.data.len() > self.inner.opts.max_record_bytes {
                return Err(StreamError::InvalidArgument(format!(
                    "a record's data is {} bytes; the limit is {} bytes",
                    r.data.len(),
                    self.inner.opts.max_record_bytes
                )));
            }
        }
        if let Some(reason) = &lock(&self.inner.state).failed {
            return Err(self.unavailable(reason));
        }
        let (reply, rx) = tokio::sync::oneshot::channel();
        let jobs = lock(&self.inner.jobs);
        let tx = jobs.as_ref().ok_or_else(|| self.unavailable("the stream was closed"))?;
        tx.send(Job { records, reply })
            .map_err(|_| self.unavailable("the writer stopped"))?;
        Ok(rx)
    }

    fn unavailable(&self, reason: &str) -> StreamError {
        StreamError::Unavailable {
            stream: self.inner.name.clone(),
            reason: reason.to_string(),
        }
    }

    /// Stops taking appends; those already submitted still commit.
    pub fn close(&self) {
        lock(&self.inner.jobs).take();
    }

    /// A receiver of the count of durable records, changed after every commit.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.durable.subscribe()
    }

    pub fn shard_stats(&self) -> Vec<ShardStats> {
        lock(&self.inner.state)
            .shards
            .iter()
            .map(|s| ShardStats {
                first_sequence: s.first_seq,
                next_sequence: s.next_seq,
                last_arrival_ms: s.last_arrival_ms,
            })
            .collect()
    }

    pub fn totals(&self) -> LogTotals {
        lock(&self.inner.state).totals
    }

    /// Bytes the log holds on disk.
    pub fn disk_bytes(&self) -> u64 {
        lock(&self.inner.state).segments.iter().map(|s| s.len).sum()
    }

    /// Up to `max_records` records of `shard` with sequence numbers `>= from`, and at most
    /// about `max_bytes` of data (always at least one record when one is there).
    pub fn read_shard(
        &self,
        shard: u32,
        from: u64,
        max_records: usize,
        max_bytes: usize,
    ) -> Result<Vec<Record>, StreamError> {
        let (segments, start) = {
            let state = lock(&self.inner.state);
            let Some(s) = state.shards.get(shard as usize) else {
                return Ok(Vec::new());
            };
            let from = from.max(s.first_seq);
            let start = match s.index.partition_point(|e| e.sequence <= from) {
                0 => None,
                n => Some(s.index[n - 1]),
            };
            (state.segments.clone(), start)
        };
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let first = match start {
            Some(e) => segments.iter().position(|s| s.id == e.segment).unwrap_or(0),
            None => 0,
        };
        for (i, seg) in segments.iter().enumerate().skip(first) {
            let offset = match start {
                Some(e) if i == first && seg.id == e.segment => e.offset,
                _ => frame::header_len(self.inner.shards) as u64,
            };
            if seg.first_seq.get(shard as usize).copied().flatten().is_none() {
                continue;
            }
            let done = self.scan(seg, offset, |r, _| {
                if r.shard == shard && r.sequence >= from {
                    bytes += r.data.len();
                    out.push(r);
                }
                out.len() < max_records && bytes < max_bytes
            })?;
            if !done {
                break;
            }
        }
        Ok(out)
    }

    /// The position of the first record that comes after `consumed` (per shard, the last
    /// sequence number already taken; 0 for none). Records at or before `consumed` may still
    /// follow it in the log: skip them by shard and sequence.
    pub fn position_after(&self, consumed: &[u64]) -> LogPosition {
        let state = lock(&self.inner.state);
        let header = frame::header_len(self.inner.shards) as u64;
        let mut best: Option<LogPosition> = None;
        for (shard, s) in state.shards.iter().enumerate() {
            let want = consumed.get(shard).copied().unwrap_or(0) + 1;
            if want >= s.next_seq {
                continue;
            }
            let pos = match s.index.partition_point(|e| e.sequence <= want) {
                0 => state.segments.first().map(|seg| LogPosition {
                    segment: seg.id,
                    offset: header,
                }),
                n => Some(LogPosition {
                    segment: s.index[n - 1].segment,
                    offset: s.index[n - 1].offset,
                }),
            };
            best = match (best, pos) {
                (Some(b), Some(p)) => Some(if (p.segment, p.offset) < (b.segment, b.offset) {
                    p
                } else {
                    b
                }),
                (b, p) => b.or(p),
            };
        }
        best.unwrap_or_else(|| match state.segments.last() {
            Some(seg) => LogPosition {
                segment: seg.id,
                offset: seg.len,
            },
            None => LogPosition::default(),
        })
    }

    /// Reads records of every shard in log order from `pos`, advancing it; at most
    /// `max_records` records and about `max_bytes` of data.
    pub fn read_from(
        &self,
        pos: &mut LogPosition,
        max_records: usize,
        max_bytes: usize,
    ) -> Result<Vec<Record>, StreamError> {
        let segments = lock(&self.inner.state).segments.clone();
        let header = frame::header_len(self.inner.shards) as u64;
        let mut out = Vec::new();
        let mut bytes = 0usize;
        let from = pos.segment;
        for seg in segments.iter().filter(|s| s.id >= from) {
            if seg.id > pos.segment {
                *pos = LogPosition {
                    segment: seg.id,
                    offset: header,
                };
            }
            let offset = pos.offset.max(header);
            let mut at = offset;
            let more = self.scan(seg, offset, |r, size| {
                at += size as u64;
                bytes += r.data.len();
                out.push(r);
                out.len() < max_records && bytes < max_bytes
            })?;
            pos.offset = at;
            if !more {
                break;
            }
        }
        Ok(out)
    }

    /// Calls `f` on each durable record of `seg` from `offset`; stops when it returns false.
    /// Returns whether the scan reached the segment's durable end.
    fn scan(&self, seg: &Segment, offset: u64, mut f: impl FnMut(Record, usize) -> bool) -> Result<bool, StreamError> {
        if offset >= seg.len {
            return Ok(true);
        }
        let mut file = match File::open(&seg.path) {
            Ok(f) => f,
            // Retention deleted it between the snapshot and now.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
            Err(e) => return Err(StreamError::io("read", &seg.path, e)),
        };
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| StreamError::io("read", &seg.path, e))?;
        let mut reader = BufReader::with_capacity(256 << 10, file.take(seg.len - offset));
        let limit = self.inner.opts.max_record_bytes + (64 << 10);
        loop {
            match frame::read_frame(&mut reader, limit).map_err(|e| StreamError::io("read", &seg.path, e))? {
                Next::Record(r, size) => {
                    if !f(r, size) {
                        return Ok(false);
                    }
                }
                Next::End | Next::Torn => return Ok(true),
            }
        }
    }

    /// Deletes whole segments (never the one being written) whose newest record arrived
    /// before `cutoff_ms`. Returns how many were deleted.
    pub fn trim(&self, cutoff_ms: i64) -> Result<usize, StreamError> {
        let doomed: Vec<Segment> = {
            let state = lock(&self.inner.state);
            let keep_last = state.segments.len().saturating_sub(1);
            state.segments[..keep_last]
                .iter()
                .take_while(|s| s.max_arrival_ms < cutoff_ms)
                .cloned()
                .collect()
        };
        if doomed.is_empty() {
            return Ok(0);
        }
        {
            let mut state = lock(&self.inner.state);
            state.segments.drain(..doomed.len());
            let survivors = state.segments.clone();
            for (i, shard) in state.shards.iter_mut().enumerate() {
                shard.index.retain(|e| doomed.iter().all(|d| d.id != e.segment));
                shard.first_seq = survivors
                    .iter()
                    .find_map(|s| s.first_seq.get(i).copied().flatten())
                    .unwrap_or(shard.next_seq);
            }
        }
        for seg in &doomed {
            fs::remove_file(&seg.path).map_err(|e| StreamError::io("delete the expired segment", &seg.path, e))?;
        }
        Ok(doomed.len())
    }

    /// The folder holding the segments.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }
}

/// Reads every segment, cutting a torn tail off, and rebuilds the in-memory state.
fn recover(dir: &Path, shards: u32, opts: &LogOptions) -> Result<State, StreamError> {
    let mut ids: Vec<u64> = fs::read_dir(dir)
        .map_err(|e| StreamError::io("list the segments in", dir, e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".seg")?.parse().ok()
        })
        .collect();
    ids.sort_unstable();
    let mut state = State {
        segments: Vec::new(),
        shards: vec![
            ShardState {
                first_seq: 1,
                next_seq: 1,
                ..ShardState::default()
            };
            shards as usize
        ],
        totals: LogTotals::default(),
        failed: None,
    };
    let mut first_seen = vec![false; shards as usize];
    let header_len = frame::header_len(shards);
    let limit = opts.max_record_bytes + (64 << 10);
    for (n, id) in ids.iter().copied().enumerate() {
        let path = segment_path(dir, id);
        let bytes_on_disk = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let mut file = File::open(&path).map_err(|e| StreamError::io("read", &path, e))?;
        let mut head = vec![0u8; header_len];
        let got = file.read(&mut head).map_err(|e| StreamError::io("read", &path, e))?;
        let header = if got == header_len {
            frame::decode_header(&head)
        } else {
            None
        };
        let Some(header) = header.filter(|h| h.len() == shards as usize) else {
            if n + 1 == ids.len() {
                // A crash while creating the newest segment: it holds nothing acknowledged.
                fs::remove_file(&path).map_err(|e| StreamError::io("remove the torn segment", &path, e))?;
                continue;
            }
            return Err(StreamError::InvalidArgument(format!(
                "{} is not a Kiln stream segment (bad header); move it away",
                path.display()
            )));
        };
        for (s, next) in header.iter().enumerate() {
            let shard = &mut state.shards[s];
            shard.next_seq = shard.next_seq.max(*next);
            if !first_seen[s] {
                shard.first_seq = shard.next_seq;
            }
        }
        let mut seg = Segment {
            id,
            path: path.clone(),
            len: header_len as u64,
            max_arrival_ms: 0,
            first_seq: vec![None; shards as usize],
        };
        let mut reader = BufReader::with_capacity(256 << 10, file);
        while let Next::Record(r, size) =
            frame::read_frame(&mut reader, limit).map_err(|e| StreamError::io("read", &path, e))?
        {
            let Some(shard) = state.shards.get_mut(r.shard as usize) else {
                break;
            };
            if shard.since_index == 0 {
                shard.index.push(IndexEntry {
                    sequence: r.sequence,
                    segment: id,
                    offset: seg.len,
                });
            }
            shard.since_index = (shard.since_index + 1) % INDEX_EVERY;
            if !first_seen[r.shard as usize] {
                first_seen[r.shard as usize] = true;
                shard.first_seq = r.sequence;
            }
            shard.next_seq = shard.next_seq.max(r.sequence + 1);
            shard.last_arrival_ms = shard.last_arrival_ms.max(r.arrival_ms);
            seg.first_seq[r.shard as usize].get_or_insert(r.sequence);
            seg.max_arrival_ms = seg.max_arrival_ms.max(r.arrival_ms);
            seg.len += size as u64;
        }
        if seg.len < bytes_on_disk {
            // The tail after the last whole frame was never acknowledged: cut it off so new
            // records follow the last good one.
            let f = OpenOptions::new()
                .write(true)
                .open(&path)
                .map_err(|e| StreamError::io("open", &path, e))?;
            f.set_len(seg.len)
                .map_err(|e| StreamError::io("truncate the torn tail of", &path, e))?;
            f.sync_all().map_err(|e| StreamError::io("sync", &path, e))?;
        }
        state.segments.push(seg);
    }
    for (s, shard) in state.shards.iter_mut().enumerate() {
        if !first_seen[s] {
            shard.first_seq = shard.next_seq;
        }
    }
    Ok(state)
}

/// The writer thread's own state: the open segment and the numbering.
struct Writer {
    dir: PathBuf,
    shards: u32,
    opts: LogOptions,
    file: Option<File>,
    segment: u64,
    len: u64,
    next_seq: Vec<u64>,
    since_index: Vec<u32>,
    /// Records written to the stream since it was created: new segments are named by it.
    written: u64,
}

impl Writer {
    fn new(dir: &Path, shards: u32, opts: &LogOptions, state: &State) -> Writer {
        let last = state.segments.last();
        Writer {
            dir: dir.to_path_buf(),
            shards,
            opts: opts.clone(),
            // The newest segment is reopened lazily for append (or a new one started).
            file: None,
            segment: last.map(|s| s.id).unwrap_or(0),
            len: last.map(|s| s.len).unwrap_or(0),
            next_seq: state.shards.iter().map(|s| s.next_seq).collect(),
            since_index: state.shards.iter().map(|s| s.since_index).collect(),
            written: last
                .map(|s| s.id + 1)
                .unwrap_or(0)
                .max(state.shards.iter().map(|s| s.next_seq).sum()),
        }
    }

    fn run(mut self, rx: mpsc::Receiver<Job>, inner: std::sync::Weak<Inner>) {
        while let Ok(first) = rx.recv() {
            let mut jobs = vec![first];
            let mut size: usize = jobs[0].records.iter().map(|r| r.data.len()).sum();
            while size < COMMIT_BYTES {
                match rx.try_recv() {
                    Ok(job) => {
                        size += job.records.iter().map(|r| r.data.len()).sum::<usize>();
                        jobs.push(job);
                    }
                    Err(_) => break,
                }
            }
            let Some(inner) = inner.upgrade() else { return };
            self.commit(&inner, jobs);
        }
    }

    fn commit(&mut self, inner: &Inner, jobs: Vec<Job>) {
        if let Some(reason) = lock(&inner.state).failed.clone() {
            for job in jobs {
                let _ = job.reply.send(Err(StreamError::Unavailable {
                    stream: inner.name.clone(),
                    reason: reason.clone(),
                }));
            }
            return;
        }
        let arrival = now_ms();
        let new_segment = self.file.is_none() && self.len == 0 || self.len >= self.opts.segment_bytes;
        let mut buf = Vec::new();
        let segment = if new_segment { self.written } else { self.segment };
        let base = if new_segment {
            buf.extend_from_slice(&frame::encode_header(&self.next_seq));
            0
        } else {
            self.len
        };
        let mut next_seq = self.next_seq.clone();
        let mut since_index = self.since_index.clone();
        let mut index = Vec::new();
        let mut replies = Vec::with_capacity(jobs.len());
        let mut count = 0u64;
        let mut bytes = 0u64;
        for job in &jobs {
            let mut appended = Vec::with_capacity(job.records.len());
            for r in &job.records {
                let s = r.shard as usize;
                let sequence = next_seq[s];
                next_seq[s] += 1;
                if since_index[s] == 0 {
                    index.push((
                        s,
                        IndexEntry {
                            sequence,
                            segment,
                            offset: base + buf.len() as u64,
                        },
                    ));
                }
                since_index[s] = (since_index[s] + 1) % INDEX_EVERY;
                frame::encode(&mut buf, r.shard, sequence, arrival, &r.partition_key, &r.data);
                appended.push(Appended {
                    shard: r.shard,
                    sequence,
                    arrival_ms: arrival,
                });
                count += 1;
                bytes += r.data.len() as u64;
            }
            replies.push(appended);
        }
        let first_seq: Vec<Option<u64>> = (0..self.shards as usize)
            .map(|s| (next_seq[s] > self.next_seq[s]).then_some(self.next_seq[s]))
            .collect();
        match self.write(new_segment, segment, &buf) {
            Ok(()) => {
                self.next_seq = next_seq;
                self.since_index = since_index;
                self.written += count;
                let total = {
                    let mut state = lock(&inner.state);
                    if new_segment {
                        state.segments.push(Segment {
                            id: segment,
                            path: segment_path(&self.dir, segment),
                            len: 0,
                            max_arrival_ms: 0,
                            first_seq: vec![None; self.shards as usize],
                        });
                    }
                    if let Some(seg) = state.segments.last_mut() {
                        seg.len = self.len;
                        seg.max_arrival_ms = seg.max_arrival_ms.max(arrival);
                        for (s, f) in first_seq.iter().enumerate() {
                            if seg.first_seq[s].is_none() {
                                seg.first_seq[s] = *f;
                            }
                        }
                    }
                    for (s, entry) in index {
                        state.shards[s].index.push(entry);
                    }
                    for (s, shard) in state.shards.iter_mut().enumerate() {
                        if self.next_seq[s] > shard.next_seq {
                            shard.last_arrival_ms = arrival;
                        }
                        shard.next_seq = self.next_seq[s];
                        shard.since_index = self.since_index[s];
                    }
                    state.totals.records += count;
                    state.totals.bytes += bytes;
                    state.totals.commits += 1;
                    state.totals.records
                };
                inner.durable.send_replace(total);
                for (job, appended) in jobs.into_iter().zip(replies) {
                    let _ = job.reply.send(Ok(appended));
                }
            }
            Err(err) => {
                let reason = err.to_string();
                if !self.undo(new_segment, segment) {
                    lock(&inner.state).failed = Some(reason.clone());
                }
                for job in jobs {
                    let _ = job.reply.send(Err(StreamError::Unavailable {
                        stream: inner.name.clone(),
                        reason: reason.clone(),
                    }));
                }
            }
        }
    }

    fn write(&mut self, new_segment: bool, segment: u64, buf: &[u8]) -> Result<(), StreamError> {
        if new_segment {
            let path = segment_path(&self.dir, segment);
            let file = OpenOptions::new()
                .create_new(true)
                .append(true)
                .open(&path)
                .map_err(|e| StreamError::io("create the segment", &path, e))?;
            if self.opts.fsync {
                // The new file's name must be durable too, or a crash could lose the segment.
                File::open(&self.dir)
                    .and_then(|d| d.sync_all())
                    .map_err(|e| StreamError::io("sync the folder", &self.dir, e))?;
            }
            self.file = Some(file);
            self.segment = segment;
            self.len = 0;
        } else if self.file.is_none() {
            let path = segment_path(&self.dir, segment);
            let file = OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(|e| StreamError::io("open the segment", &path, e))?;
            self.file = Some(file);
        }
        let path = segment_path(&self.dir, segment);
        let file = self
            .file
            .as_mut()
            .ok_or_else(|| StreamError::io("write", &path, std::io::Error::other("no open segment")))?;
        file.write_all(buf).map_err(|e| StreamError::io("write", &path, e))?;
        if self.opts.fsync {
            file.sync_data().map_err(|e| StreamError::io("sync", &path, e))?;
        }
        self.len += buf.len() as u64;
        Ok(())
    }

    /// Cuts a failed write back off the segment so the log stays whole. `false` when that
    /// failed too and the log must stop taking writes.
    fn undo(&mut self, new_segment: bool, segment: u64) -> bool {
        let path = segment_path(&self.dir, segment);
        if new_segment {
            self.file = None;
            let gone = match fs::remove_file(&path) {
                Ok(()) => true,
                Err(e) => e.kind() == std::io::ErrorKind::NotFound,
            };
            // Back to appending to the previous segment, if any.
            self.len = 0;
            return gone;
        }
        match self.file.as_ref() {
            Some(f) => f.set_len(self.len).and_then(|()| f.sync_all()).is_ok(),
            None => false,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
