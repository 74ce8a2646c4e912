//! A disk that fills up under the log: this test binary (one test, alone in its process) lowers
//! its own file-size limit (RLIMIT_FSIZE) so segment writes fail part-way with EFBIG, as on a full
//! disk. Producers get errors from then on, nothing is acknowledged that is not on disk, and once
//! there is room again the reopened log cuts the torn tail and holds every acknowledged record.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kiln_stream::log::{LogOptions, NewRecord, StreamLog};

fn set_file_size_limit(bytes: libc::rlim_t) {
    let limit = libc::rlimit {
        rlim_cur: bytes,
        rlim_max: libc::RLIM_INFINITY,
    };
    // SAFETY: plain syscalls on this process's own limits and signal disposition.
    unsafe {
        // Past the limit the kernel sends SIGXFSZ (which would end the process) as well as
        // failing the write; the error is what a full disk gives, so the signal is ignored.
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
        assert_eq!(libc::setrlimit(libc::RLIMIT_FSIZE, &limit), 0);
    }
}

fn record(i: u32) -> NewRecord {
    NewRecord {
        shard: i % 2,
        partition_key: format!("k{i}"),
        data: format!(r#"{{"id": {i}, "pad": "{}"}}"#, "x".repeat(200)).into_bytes(),
    }
}

#[test]
fn a_full_disk_refuses_records_and_loses_none_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let opts = LogOptions {
        segment_bytes: 1 << 20,
        ..LogOptions::default()
    };
    let mut acknowledged = Vec::new();
    {
        let log = StreamLog::open("s", dir.path(), 2, opts.clone()).unwrap();
        set_file_size_limit(64 * 1024);
        let mut refused = 0;
        for batch in 0..100u32 {
            let records: Vec<NewRecord> = (batch * 10..batch * 10 + 10).map(record).collect();
            match log.append_blocking(records) {
                Ok(appended) => acknowledged.extend(appended.iter().map(|a| (a.shard, a.sequence))),
                Err(e) => {
                    refused += 1;
                    assert!(e.is_server_fault(), "{e}");
                    assert_eq!(e.api_code(), "ServiceUnavailableException", "{e}");
                }
            }
        }
        assert!(
            !acknowledged.is_empty() && refused > 0,
            "{} acknowledged, {refused} refused",
            acknowledged.len()
        );
        log.close();
    }
    set_file_size_limit(libc::RLIM_INFINITY);
    let log = StreamLog::open("s", dir.path(), 2, opts).unwrap();
    let mut held = Vec::new();
    for shard in 0..2 {
        for r in log.read_shard(shard, 0, 100_000, usize::MAX).unwrap() {
            held.push((r.shard, r.sequence));
        }
    }
    held.sort_unstable();
    acknowledged.sort_unstable();
    // Exactly the acknowledged records: none lost, none half-written one claimed.
    assert_eq!(held, acknowledged);
    // And the log takes records again, numbered after the last one kept.
    let next = log.append_blocking(vec![record(9999)]).unwrap();
    let last = acknowledged
        .iter()
        .filter(|(s, _)| *s == next[0].shard)
        .map(|(_, q)| *q)
        .max()
        .unwrap_or(0);
    assert_eq!(next[0].sequence, last + 1);
}
