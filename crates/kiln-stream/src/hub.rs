//! The streams of one project: their settings (`stream.json` beside each log) and logs, found
//! under `<project>/.kiln/streams/{kinesis,firehose}/<name>/`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{StreamError, StreamKind};
use crate::log::{now_ms, Appended, LogOptions, NewRecord, StreamLog};
use crate::shard;

/// The most shards a local stream may have.
pub const MAX_SHARDS: u32 = 64;

/// A stream's settings, as created through the API, the project's YAML or SQL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamMeta {
    pub name: String,
    pub kind: StreamKind,
    pub shards: u32,
    pub created_ms: i64,
    /// Hours records are kept (Kinesis' default: 24).
    pub retention_hours: u32,
    /// Where a Firehose delivery stream copies its records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
}

impl StreamMeta {
    pub fn new(kind: StreamKind, name: &str, shards: u32) -> StreamMeta {
        StreamMeta {
            name: name.to_string(),
            kind,
            shards: if kind == StreamKind::Firehose { 1 } else { shards },
            created_ms: now_ms(),
            retention_hours: 24,
            delivery: None,
        }
    }
}

/// A Firehose delivery stream's destination table, as `COPY <table> (<columns>) … <options>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// `schema.table` (or `table`).
    pub table: String,
    #[serde(default)]
    pub columns: Vec<String>,
    /// Redshift COPY options, e.g. `json 'auto'`.
    #[serde(default)]
    pub copy_options: String,
    /// Buffering hints: deliver after this many seconds (0: as soon as possible)…
    #[serde(default)]
    pub interval_seconds: u32,
    /// …or once this many MiB are waiting.
    #[serde(default = "default_buffer_mb")]
    pub size_mb: u32,
}

fn default_buffer_mb() -> u32 {
    1
}

/// A write limit per shard, for producers that rely on Kinesis' throttling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardLimit {
    pub records_per_second: u32,
    pub bytes_per_second: u64,
}

impl ShardLimit {
    /// Kinesis' own: 1,000 records or 1 MiB per second per shard.
    pub const KINESIS: ShardLimit = ShardLimit {
        records_per_second: 1000,
        bytes_per_second: 1 << 20,
    };
}

#[derive(Debug, Clone, Default)]
pub struct HubOptions {
    pub log: LogOptions,
    /// `None`: no throttling (the default locally; a laptop has no shard quotas to protect).
    pub shard_limit: Option<ShardLimit>,
}

/// One stream: its settings and its log.
pub struct Stream {
    pub meta: StreamMeta,
    pub log: StreamLog,
    dir: PathBuf,
    /// Per shard: (second, records, bytes) written in that second, for `shard_limit`.
    usage: Mutex<Vec<(i64, u32, u64)>>,
}

impl Stream {
    pub fn name(&self) -> &str {
        &self.meta.name
    }

    pub fn kind(&self) -> StreamKind {
        self.meta.kind
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

/// A record as a producer sends it.
#[derive(Debug, Clone)]
pub struct PutRecord {
    pub partition_key: String,
    /// Overrides the partition key's hash to pick the shard.
    pub explicit_hash_key: Option<u128>,
    pub data: Vec<u8>,
}

/// The outcome of one record of a put: appended, or refused on its own (the others of the same
/// request may still succeed, as with `PutRecords`).
pub type PutOutcome = Result<Appended, StreamError>;

/// The streams of one project.
pub struct Hub {
    root: PathBuf,
    /// Held (an OS file lock) while the hub is open: two processes appending to one log would
    /// interleave their segments.
    _lock: fs::File,
    opts: HubOptions,
    streams: RwLock<BTreeMap<(StreamKind, String), Arc<Stream>>>,
}

fn meta_path(dir: &Path) -> PathBuf {
    dir.join("stream.json")
}

/// Kinesis' rule for stream names: 1–128 of `[a-zA-Z0-9_.-]`.
pub fn check_name(name: &str) -> Result<(), StreamError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if ok {
        Ok(())
    } else {
        Err(StreamError::InvalidArgument(format!(
            "'{name}' is not a valid stream name: use 1 to 128 letters, digits, '_', '.' or '-'"
        )))
    }
}

impl Hub {
    /// Opens every stream under `root` (`<project>/.kiln/streams`), recovering each log.
    pub fn open(root: &Path, opts: HubOptions) -> Result<Hub, StreamError> {
        fs::create_dir_all(root).map_err(|e| StreamError::io("create", root, e))?;
        let lock_path = root.join("LOCK");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StreamError::io("open", &lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(StreamError::Locked {
                    path: root.to_path_buf(),
                })
            }
            Err(fs::TryLockError::Error(e)) => return Err(StreamError::io("lock", &lock_path, e)),
        }
        let hub = Hub {
            root: root.to_path_buf(),
            _lock: lock,
            opts,
            streams: RwLock::new(BTreeMap::new()),
        };
        for kind in [StreamKind::Kinesis, StreamKind::Firehose] {
            let dir = root.join(kind.dir_name());
            let Ok(entries) = fs::read_dir(&dir) else { continue };
            for entry in entries.filter_map(|e| e.ok()) {
                let path = meta_path(&entry.path());
                let Ok(text) = fs::read_to_string(&path) else { continue };
                let meta: StreamMeta = serde_json::from_str(&text).map_err(|e| {
                    StreamError::InvalidArgument(format!(
                        "{} is unreadable ({e}); delete the stream's folder",
                        path.display()
                    ))
                })?;
                let stream = hub.open_stream(meta)?;
                hub.write_map().insert((kind, stream.meta.name.clone()), stream);
            }
        }
        Ok(hub)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn write_map(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<(StreamKind, String), Arc<Stream>>> {
        self.streams.write().unwrap_or_else(PoisonError::into_inner)
    }

    fn read_map(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<(StreamKind, String), Arc<Stream>>> {
        self.streams.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn stream_dir(&self, kind: StreamKind, name: &str) -> PathBuf {
        self.root.join(kind.dir_name()).join(name)
    }

    fn open_stream(&self, meta: StreamMeta) -> Result<Arc<Stream>, StreamError> {
        let dir = self.stream_dir(meta.kind, &meta.name);
        let log = StreamLog::open(&meta.name, &dir.join("log"), meta.shards, self.opts.log.clone())?;
        let usage = Mutex::new(vec![(0, 0, 0); meta.shards as usize]);
        Ok(Arc::new(Stream { meta, log, dir, usage }))
    }

    /// Creates a stream; `AlreadyExists` when one of that name and kind exists.
    pub fn create(&self, meta: StreamMeta) -> Result<Arc<Stream>, StreamError> {
        check_name(&meta.name)?;
        if meta.shards == 0 || meta.shards > MAX_SHARDS {
            return Err(StreamError::InvalidArgument(format!(
                "a stream has 1 to {MAX_SHARDS} shards here, not {}",
                meta.shards
            )));
        }
        let key = (meta.kind, meta.name.clone());
        let mut map = self.write_map();
        if map.contains_key(&key) {
            return Err(StreamError::AlreadyExists {
                kind: meta.kind,
                name: meta.name,
            });
        }
        let dir = self.stream_dir(meta.kind, &meta.name);
        fs::create_dir_all(&dir).map_err(|e| StreamError::io("create", &dir, e))?;
        write_meta(&dir, &meta)?;
        let stream = self.open_stream(meta)?;
        map.insert(key, stream.clone());
        Ok(stream)
    }

    /// The stream of that name, created with `meta` when missing (streams declared in a
    /// project). An existing stream keeps its log; changed settings other than the shard count
    /// are saved.
    pub fn ensure(&self, meta: StreamMeta) -> Result<Arc<Stream>, StreamError> {
        if let Ok(existing) = self.get(meta.kind, &meta.name) {
            let same = existing.meta.retention_hours == meta.retention_hours && existing.meta.delivery == meta.delivery;
            if same {
                return Ok(existing);
            }
            let mut updated = existing.meta.clone();
            updated.retention_hours = meta.retention_hours;
            updated.delivery = meta.delivery;
            write_meta(existing.dir(), &updated)?;
            let stream = Arc::new(Stream {
                meta: updated,
                log: existing.log.clone(),
                dir: existing.dir.clone(),
                usage: Mutex::new(vec![(0, 0, 0); existing.meta.shards as usize]),
            });
            self.write_map()
                .insert((stream.kind(), stream.name().to_string()), stream.clone());
            return Ok(stream);
        }
        match self.create(meta.clone()) {
            Err(StreamError::AlreadyExists { .. }) => self.get(meta.kind, &meta.name),
            other => other,
        }
    }

    /// Deletes a stream and its records.
    pub fn delete(&self, kind: StreamKind, name: &str) -> Result<(), StreamError> {
        let stream = self
            .write_map()
            .remove(&(kind, name.to_string()))
            .ok_or_else(|| StreamError::NotFound {
                kind,
                name: name.to_string(),
            })?;
        stream.log.close();
        fs::remove_dir_all(stream.dir()).map_err(|e| StreamError::io("delete", stream.dir(), e))
    }

    pub fn get(&self, kind: StreamKind, name: &str) -> Result<Arc<Stream>, StreamError> {
        self.read_map()
            .get(&(kind, name.to_string()))
            .cloned()
            .ok_or_else(|| StreamError::NotFound {
                kind,
                name: name.to_string(),
            })
    }

    /// Streams of one kind, by name.
    pub fn list(&self, kind: StreamKind) -> Vec<Arc<Stream>> {
        self.read_map()
            .iter()
            .filter(|((k, _), _)| *k == kind)
            .map(|(_, s)| s.clone())
            .collect()
    }

    /// Appends records to a stream, each to the shard its key hashes to; resolves once the
    /// appended ones are durable. A record refused by the shard limit fails alone.
    pub async fn put(
        &self,
        kind: StreamKind,
        name: &str,
        records: Vec<PutRecord>,
    ) -> Result<Vec<PutOutcome>, StreamError> {
        let stream = self.get(kind, name)?;
        let shards = stream.meta.shards;
        let max = stream.log.options().max_record_bytes;
        let mut outcomes: Vec<Option<PutOutcome>> = Vec::with_capacity(records.len());
        let mut admitted = Vec::with_capacity(records.len());
        let now_s = now_ms() / 1000;
        {
            let mut usage = stream.usage.lock().unwrap_or_else(PoisonError::into_inner);
            for r in records {
                if r.data.len() > max {
                    return Err(StreamError::InvalidArgument(format!(
                        "a record's data is {} bytes; the limit is {max} bytes (1 MiB)",
                        r.data.len()
                    )));
                }
                let hash = r.explicit_hash_key.unwrap_or_else(|| shard::hash_key(&r.partition_key));
                let s = shard::shard_for(hash, shards);
                if let Some(limit) = self.opts.shard_limit {
                    let u = &mut usage[s as usize];
                    if u.0 != now_s {
                        *u = (now_s, 0, 0);
                    }
                    if u.1 + 1 > limit.records_per_second || u.2 + r.data.len() as u64 > limit.bytes_per_second {
                        outcomes.push(Some(Err(StreamError::Throughput {
                            stream: name.to_string(),
                            shard: shard::shard_id(s),
                        })));
                        continue;
                    }
                    u.1 += 1;
                    u.2 += r.data.len() as u64;
                }
                outcomes.push(None);
                admitted.push(NewRecord {
                    shard: s,
                    partition_key: r.partition_key,
                    data: r.data,
                });
            }
        }
        let appended = if admitted.is_empty() {
            Vec::new()
        } else {
            stream.log.append(admitted).await?
        };
        let mut appended = appended.into_iter();
        Ok(outcomes
            .into_iter()
            .map(|o| match o {
                Some(err) => err,
                None => appended.next().ok_or_else(|| StreamError::Unavailable {
                    stream: name.to_string(),
                    reason: "the log acknowledged fewer records than it was given".into(),
                }),
            })
            .collect())
    }

    /// Deletes expired segments of every stream; call it now and then (once a minute).
    pub fn trim_expired(&self) -> Result<usize, StreamError> {
        let now = now_ms();
        let mut deleted = 0;
        for stream in self.read_map().values() {
            let hours = i64::from(stream.meta.retention_hours.max(1));
            deleted += stream.log.trim(now - hours * 3_600_000)?;
        }
        Ok(deleted)
    }

    /// How often [`trim_expired`](Self::trim_expired) should run.
    pub const TRIM_EVERY: Duration = Duration::from_secs(60);
}

fn write_meta(dir: &Path, meta: &StreamMeta) -> Result<(), StreamError> {
    let path = meta_path(dir);
    let tmp = dir.join("stream.json.tmp");
    let text = serde_json::to_string_pretty(meta).map_err(|e| StreamError::InvalidArgument(e.to_string()))?;
    fs::write(&tmp, text).map_err(|e| StreamError::io("write", &tmp, e))?;
    fs::rename(&tmp, &path).map_err(|e| StreamError::io("write", &path, e))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn put(key: &str, data: &str) -> PutRecord {
        PutRecord {
            partition_key: key.into(),
            explicit_hash_key: None,
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn one_process_at_a_time_has_the_streams_open() {
        let dir = tempfile::tempdir().unwrap();
        let hub = Hub::open(dir.path(), HubOptions::default()).unwrap();
        let Err(err) = Hub::open(dir.path(), HubOptions::default()) else {
            panic!("a second open must be refused");
        };
        assert!(matches!(err, StreamError::Locked { .. }), "{err}");
        assert!(err.to_string().contains("another Kiln process"), "{err}");
        drop(hub);
        Hub::open(dir.path(), HubOptions::default()).unwrap();
    }

    #[tokio::test]
    async fn streams_survive_a_reopen_and_keys_pick_shards_by_md5() {
        let dir = tempfile::tempdir().unwrap();
        {
            let hub = Hub::open(dir.path(), HubOptions::default()).unwrap();
            hub.create(StreamMeta::new(StreamKind::Kinesis, "orders", 4)).unwrap();
            hub.create(StreamMeta::new(StreamKind::Firehose, "orders", 9)).unwrap();
            assert!(matches!(
                hub.create(StreamMeta::new(StreamKind::Kinesis, "orders", 1)),
                Err(StreamError::AlreadyExists { .. })
            ));
            let out = hub
                .put(StreamKind::Kinesis, "orders", vec![put("a", "1"), put("b", "2")])
                .await
                .unwrap();
            let shards: Vec<u32> = out.iter().map(|o| o.as_ref().unwrap().shard).collect();
            assert_eq!(
                shards,
                [
                    shard::shard_for(shard::hash_key("a"), 4),
                    shard::shard_for(shard::hash_key("b"), 4)
                ]
            );
        }
        let hub = Hub::open(dir.path(), HubOptions::default()).unwrap();
        assert_eq!(hub.list(StreamKind::Kinesis).len(), 1);
        assert_eq!(hub.get(StreamKind::Firehose, "orders").unwrap().meta.shards, 1);
        assert_eq!(hub.get(StreamKind::Kinesis, "orders").unwrap().log.totals().records, 0);
        let stats = hub.get(StreamKind::Kinesis, "orders").unwrap().log.shard_stats();
        assert_eq!(stats.iter().map(|s| s.next_sequence - 1).sum::<u64>(), 2);
        hub.delete(StreamKind::Kinesis, "orders").unwrap();
        assert!(matches!(
            hub.get(StreamKind::Kinesis, "orders"),
            Err(StreamError::NotFound { .. })
        ));
        assert!(check_name("bad name").is_err());
    }

    #[tokio::test]
    async fn a_shard_over_its_limit_refuses_records_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let opts = HubOptions {
            shard_limit: Some(ShardLimit {
                records_per_second: 3,
                bytes_per_second: 1 << 20,
            }),
            ..HubOptions::default()
        };
        let hub = Hub::open(dir.path(), opts).unwrap();
        hub.create(StreamMeta::new(StreamKind::Kinesis, "s", 1)).unwrap();
        let out = hub
            .put(
                StreamKind::Kinesis,
                "s",
                (0..5).map(|i| put("k", &i.to_string())).collect(),
            )
            .await
            .unwrap();
        let codes: Vec<&str> = out
            .iter()
            .map(|o| o.as_ref().map(|_| "ok").unwrap_or_else(|e| e.api_code()))
            .collect();
        // Within one second the fourth and fifth are refused (a test straddling a second
        // boundary sees the counter reset: accept that too).
        assert!(
            codes
                == [
                    "ok",
                    "ok",
                    "ok",
                    "ProvisionedThroughputExceededException",
                    "ProvisionedThroughputExceededException"
                ]
                || codes.iter().filter(|c| **c == "ok").count() >= 3,
            "{codes:?}"
        );
    }
}
