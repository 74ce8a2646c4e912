use std::io::Write;

use super::*;

fn rec(shard: u32, key: &str, data: &str) -> NewRecord {
    NewRecord {
        shard,
        partition_key: key.to_string(),
        data: data.as_bytes().to_vec(),
    }
}

fn open(dir: &Path, shards: u32) -> StreamLog {
    StreamLog::open("s", dir, shards, LogOptions::default()).unwrap()
}

fn texts(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .map(|r| String::from_utf8(r.data.clone()).unwrap())
        .collect()
}

#[test]
fn appends_are_numbered_per_shard_and_read_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path(), 2);
    let a = log
        .append_blocking(vec![rec(0, "a", "a1"), rec(1, "b", "b1"), rec(0, "a", "a2")])
        .unwrap();
    assert_eq!(
        a.iter().map(|x| (x.shard, x.sequence)).collect::<Vec<_>>(),
        [(0, 1), (1, 1), (0, 2)]
    );
    let b = log.append_blocking(vec![rec(1, "b", "b2")]).unwrap();
    assert_eq!((b[0].shard, b[0].sequence), (1, 2));
    assert_eq!(texts(&log.read_shard(0, 1, 100, 1 << 20).unwrap()), ["a1", "a2"]);
    assert_eq!(texts(&log.read_shard(1, 2, 100, 1 << 20).unwrap()), ["b2"]);
    assert_eq!(texts(&log.read_shard(0, 2, 100, 1 << 20).unwrap()), ["a2"]);
    let mut pos = log.position_after(&[0, 0]);
    assert_eq!(
        texts(&log.read_from(&mut pos, 100, 1 << 20).unwrap()),
        ["a1", "b1", "a2", "b2"]
    );
    assert!(log.read_from(&mut pos, 100, 1 << 20).unwrap().is_empty());
    log.append_blocking(vec![rec(0, "a", "a3")]).unwrap();
    assert_eq!(texts(&log.read_from(&mut pos, 100, 1 << 20).unwrap()), ["a3"]);
    let stats = log.shard_stats();
    assert_eq!((stats[0].first_sequence, stats[0].next_sequence), (1, 4));
    assert_eq!(log.totals().records, 5);
}

#[test]
fn a_reopened_log_keeps_its_records_and_numbering() {
    let dir = tempfile::tempdir().unwrap();
    {
        let log = open(dir.path(), 1);
        log.append_blocking(vec![rec(0, "k", "one"), rec(0, "k", "two")])
            .unwrap();
    }
    let log = open(dir.path(), 1);
    let a = log.append_blocking(vec![rec(0, "k", "three")]).unwrap();
    assert_eq!(a[0].sequence, 3);
    assert_eq!(
        texts(&log.read_shard(0, 0, 10, 1 << 20).unwrap()),
        ["one", "two", "three"]
    );
}

#[test]
fn a_torn_tail_is_cut_off_and_writing_goes_on_after_the_last_whole_record() {
    let dir = tempfile::tempdir().unwrap();
    {
        let log = open(dir.path(), 1);
        log.append_blocking(vec![rec(0, "k", "kept")]).unwrap();
    }
    let seg = fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
    let whole = fs::metadata(&seg).unwrap().len();
    // A crash mid-write: half a frame of a record that was never acknowledged.
    let mut half = Vec::new();
    frame::encode(&mut half, 0, 2, 0, "k", b"never acknowledged");
    OpenOptions::new()
        .append(true)
        .open(&seg)
        .unwrap()
        .write_all(&half[..half.len() / 2])
        .unwrap();
    let log = open(dir.path(), 1);
    assert_eq!(fs::metadata(&seg).unwrap().len(), whole);
    let a = log.append_blocking(vec![rec(0, "k", "next")]).unwrap();
    assert_eq!(a[0].sequence, 2);
    assert_eq!(texts(&log.read_shard(0, 0, 10, 1 << 20).unwrap()), ["kept", "next"]);
}

#[test]
fn segments_roll_and_retention_keeps_the_numbering() {
    let dir = tempfile::tempdir().unwrap();
    let opts = LogOptions {
        segment_bytes: 200,
        ..LogOptions::default()
    };
    let log = StreamLog::open("s", dir.path(), 2, opts.clone()).unwrap();
    for i in 0..20 {
        log.append_blocking(vec![rec(i % 2, "k", &format!("r{i:02}-{}", "x".repeat(40)))])
            .unwrap();
    }
    let segments = fs::read_dir(dir.path()).unwrap().count();
    assert!(segments > 3, "{segments} segments");
    let deleted = log.trim(now_ms() + 1).unwrap();
    assert_eq!(deleted, segments - 1, "all but the segment being written");
    let stats = log.shard_stats();
    assert_eq!(stats.iter().map(|s| s.next_sequence).collect::<Vec<_>>(), [11, 11]);
    let left: Vec<Record> = (0..2)
        .flat_map(|s| log.read_shard(s, 0, 100, 1 << 20).unwrap())
        .collect();
    assert!(left.len() < 20);
    drop(log);
    // Reopened with only the newest segment (and maybe no record of one shard in it), the
    // numbering still continues where it stopped.
    let log = StreamLog::open("s", dir.path(), 2, opts).unwrap();
    let a = log
        .append_blocking(vec![rec(0, "k", "after"), rec(1, "k", "after")])
        .unwrap();
    assert_eq!(a.iter().map(|x| x.sequence).collect::<Vec<_>>(), [11, 11]);
}

#[test]
fn reads_of_one_shard_use_the_index_across_segments() {
    let dir = tempfile::tempdir().unwrap();
    let opts = LogOptions {
        segment_bytes: 4096,
        ..LogOptions::default()
    };
    let log = StreamLog::open("s", dir.path(), 3, opts).unwrap();
    let mut batch = Vec::new();
    for i in 0..5000u32 {
        batch.push(rec(i % 3, "k", &i.to_string()));
        if batch.len() == 500 {
            log.append_blocking(std::mem::take(&mut batch)).unwrap();
        }
    }
    // Shard 1 holds 1, 4, 7, …: its 1500th record (sequence 1500) is 4498.
    let got = log.read_shard(1, 1500, 3, 1 << 20).unwrap();
    assert_eq!(texts(&got), ["4498", "4501", "4504"]);
    let got = log.read_shard(2, 1000, 2, 1 << 20).unwrap();
    assert_eq!(got.iter().map(|r| r.sequence).collect::<Vec<_>>(), [1000, 1001]);
    assert_eq!(texts(&got), ["2999", "3002"]);
    let mut pos = log.position_after(&[1666, 1666, 1666]);
    let rest = log.read_from(&mut pos, 10_000, 1 << 30).unwrap();
    assert!(rest.len() < 3000, "started near the end: {}", rest.len());
    let rest: Vec<_> = rest.into_iter().filter(|r| r.sequence > 1666).collect();
    assert_eq!(texts(&rest), ["4998", "4999"]);
}

#[test]
fn concurrent_appends_are_group_committed_and_all_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let log = open(dir.path(), 4);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let acks = rt.block_on(async {
        let mut tasks = Vec::new();
        for t in 0..50u32 {
            let log = log.clone();
            tasks.push(tokio::spawn(async move {
                let records = (0..20).map(|i| rec((t + i) % 4, "k", &format!("{t}-{i}"))).collect();
                log.append(records).await.unwrap().len()
            }));
        }
        let mut n = 0;
        for t in tasks {
            n += t.await.unwrap();
        }
        n
    });
    assert_eq!(acks, 1000);
    let totals = log.totals();
    assert_eq!(totals.records, 1000);
    assert!(totals.commits <= 50);
    let mut seen = std::collections::HashSet::new();
    for s in 0..4 {
        for r in log.read_shard(s, 0, 10_000, 1 << 30).unwrap() {
            assert!(seen.insert(String::from_utf8(r.data).unwrap()));
        }
    }
    assert_eq!(seen.len(), 1000);
}

#[test]
fn oversized_records_and_unknown_shards_are_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let log = StreamLog::open(
        "s",
        dir.path(),
        1,
        LogOptions {
            max_record_bytes: 8,
            ..LogOptions::default()
        },
    )
    .unwrap();
    let err = log
        .append_blocking(vec![rec(0, "k", "ok"), rec(0, "k", "much too long")])
        .unwrap_err();
    assert_eq!(err.api_code(), "InvalidArgumentException");
    assert!(log.append_blocking(vec![rec(3, "k", "x")]).is_err());
    assert_eq!(log.totals().records, 0);
}
