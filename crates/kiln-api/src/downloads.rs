//! Exports handed to the user as browser downloads. In the browser studio the engine may run on
//! another machine's disk than the user's (or simply not where the user looks), so "Download"
//! writes the export into a private scratch folder and the HTTP server streams it once as an
//! attachment (`Studio::take_download`). The desktop window writes to a path instead.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use crate::error::{ApiError, ApiResult};
use crate::{lock, Studio};

/// A download not fetched within this time is deleted when the next export is made.
const KEEP_UNFETCHED: Duration = Duration::from_secs(60 * 60);

pub(crate) struct Pending {
    pub file: PathBuf,
    pub name: String,
    pub created: SystemTime,
}

#[derive(Default)]
pub(crate) struct Downloads {
    pending: HashMap<String, Pending>,
}

impl Downloads {
    /// A fresh, empty folder for one download and its id. Old unfetched downloads go first.
    pub fn prepare(&mut self, name: &str) -> std::io::Result<(String, PathBuf)> {
        let now = SystemTime::now();
        self.pending.retain(|_, pending| {
            let fresh = now.duration_since(pending.created).unwrap_or_default() < KEEP_UNFETCHED;
            if !fresh {
                remove(&pending.file);
            }
            fresh
        });
        let id = new_id();
        let dir = std::env::temp_dir()
            .join(format!("kiln-downloads-{}", std::process::id()))
            .join(&id);
        std::fs::create_dir_all(&dir)?;
        Ok((id, dir.join(name)))
    }

    pub fn add(&mut self, id: String, file: PathBuf, name: String) {
        self.pending.insert(
            id,
            Pending {
                file,
                name,
                created: SystemTime::now(),
            },
        );
    }
}

/// Deletes a download's file and its folder.
pub(crate) fn remove(file: &Path) {
    let _ = std::fs::remove_file(file);
    if let Some(dir) = file.parent() {
        let _ = std::fs::remove_dir(dir);
    }
}

/// Unique within the process and not guessable from another download's id.
fn new_id() -> String {
    // A per-process seed plus a counter: the finaliser below is a bijection, so ids of one
    // process never collide (XOR-ing the clock with the counter could: two calls a nanosecond
    // apart cancelled out), and the seed keeps another process's ids apart.
    static SEED: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        splitmix((nanos as u64) ^ (u64::from(std::process::id()) << 32))
    });
    format!(
        "{:016x}",
        splitmix(seed.wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed)))
    )
}

/// SplitMix64's finaliser, so consecutive ids look unrelated.
fn splitmix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A file name for the download from what the user typed: its last component, without
/// anything a browser or file system would trip over.
pub(crate) fn file_name(requested: &str, extension: &str) -> String {
    let last = requested.rsplit(['/', '\\']).next().unwrap_or_default().trim();
    let cleaned: String = last
        .chars()
        .map(|c| {
            if c.is_control() || "<>:\"|?*".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        format!("result.{extension}")
    } else {
        cleaned.to_string()
    }
}

impl Studio {
    /// Hands a prepared download to the transport once: its file and the name to save it as.
    /// The caller opens the file and then calls [`crate::downloads::remove`]-like cleanup through
    /// [`Studio::finish_download`].
    pub fn take_download(&self, id: &str) -> ApiResult<(PathBuf, String)> {
        let state = self.project()?;
        let pending = lock(&state.downloads)
            .pending
            .remove(id)
            .ok_or_else(|| ApiError::unknown_id("download", id))?;
        Ok((pending.file, pending.name))
    }

    /// Deletes a download's file once the transport has opened it (an open file keeps streaming
    /// after its name is gone).
    pub fn finish_download(&self, file: &Path) {
        remove(file);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_the_last_component_and_safe() {
        assert_eq!(file_name("target/exports/sales.csv", "csv"), "sales.csv");
        assert_eq!(file_name("C:\\x\\y.parquet", "parquet"), "y.parquet");
        assert_eq!(file_name("../..", "csv"), "result.csv");
        assert_eq!(file_name("", "csv"), "result.csv");
        assert_eq!(file_name("a\"b?.csv", "csv"), "a_b_.csv");
    }

    #[test]
    fn ids_differ() {
        let ids: std::collections::HashSet<String> = (0..1000).map(|_| new_id()).collect();
        assert_eq!(ids.len(), 1000);
    }
}
