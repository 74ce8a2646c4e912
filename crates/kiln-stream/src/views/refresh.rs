//! One refresh of a streaming view: the records after its scan states, through its SQL, into
//! its table, with the scan states and scan errors in the same transaction.

use std::collections::BTreeMap;

use kiln_warehouse::{quote_literal, Adapter, BatchValue, RejectedRow, RowBatch};

use super::{batch_columns, translated, StreamingView, ViewError, BATCH_TABLE};
use crate::log::{now_ms, Record};
use crate::shard::shard_id;
use crate::{Hub, StreamKind};

/// At most this many records go into one transaction.
pub const BATCH_RECORDS: usize = 50_000;
const BATCH_BYTES: usize = 32 << 20;
/// Bytes of a rejected record kept in `scan_errors.record`.
const ERROR_EXCERPT: usize = 1024;

/// What one refresh did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshReport {
    /// Records read from the stream (taken + rejected).
    pub records: usize,
    pub rejected: usize,
    /// Transactions committed.
    pub batches: usize,
    /// Arrival of the newest record taken, ms since the epoch (0: none).
    pub newest_arrival_ms: i64,
}

/// How far a view has read each shard: the last sequence number taken (0: none).
pub fn scan_states(adapter: &dyn Adapter, consumer: &str, shards: u32) -> Result<Vec<u64>, ViewError> {
    let rows = adapter
        .query(
            &format!(
                "SELECT shard_id, last_sequence FROM kiln_stream.scan_states WHERE consumer = {}",
                quote_literal(consumer)
            ),
            None,
        )?
        .rows;
    let mut out = vec![0u64; shards as usize];
    for row in rows {
        let (Some(id), Some(seq)) = (
            row.first().and_then(|v| v.as_str()),
            row.get(1).and_then(|v| v.as_u64()),
        ) else {
            continue;
        };
        if let Some(i) = crate::shard::parse_shard_id(id).filter(|i| *i < shards) {
            out[i as usize] = seq;
        }
    }
    Ok(out)
}

/// Whether the view's SQL parses the payload as JSON: then a record that is not JSON is a
/// scan error rather than a row the view silently filters or fails on.
fn parses_json(definition: &str) -> bool {
    let upper = definition.to_ascii_uppercase();
    [
        "JSON_PARSE",
        "JSON_EXTRACT_PATH_TEXT",
        "IS_VALID_JSON",
        "CAN_JSON_PARSE",
        "JSON_EXTRACT_ARRAY_ELEMENT_TEXT",
    ]
    .iter()
    .any(|f| upper.contains(f))
}

pub(crate) struct Rejection<'a> {
    pub record: &'a Record,
    pub reason: String,
}

pub(crate) fn excerpt(data: &[u8]) -> String {
    let cut = &data[..data.len().min(ERROR_EXCERPT)];
    String::from_utf8_lossy(cut).into_owned()
}

/// The statements that record scan states (per shard: the last sequence of the batch) and the
/// rejected records.
pub(crate) fn bookkeeping(consumer: &str, stream: &str, records: &[&Record], rejections: &[Rejection<'_>]) -> String {
    let mut last: BTreeMap<u32, (u64, i64, u64)> = BTreeMap::new();
    for r in records {
        let e = last.entry(r.shard).or_insert((0, 0, 0));
        e.0 = e.0.max(r.sequence);
        e.1 = e.1.max(r.arrival_ms);
        e.2 += 1;
    }
    let consumer_q = quote_literal(consumer);
    let mut sql = String::new();
    for (shard, (seq, arrival, n)) in last {
        sql.push_str(&format!(
            "INSERT INTO kiln_stream.scan_states VALUES ({consumer_q}, '{id}', {seq}, {n}, make_timestamp({arrival}000), CAST(now() AS TIMESTAMP)) \
             ON CONFLICT (consumer, shard_id) DO UPDATE SET last_sequence = excluded.last_sequence, \
             records = kiln_stream.scan_states.records + excluded.records, last_arrival = excluded.last_arrival, \
             refreshed_at = excluded.refreshed_at;\n",
            id = shard_id(shard),
        ));
    }
    if !rejections.is_empty() {
        let values: Vec<String> = rejections
            .iter()
            .map(|r| {
                format!(
                    "({consumer_q}, {}, '{}', '{}', {}, make_timestamp({}000), {}, {}, CAST(now() AS TIMESTAMP))",
                    quote_literal(stream),
                    shard_id(r.record.shard),
                    r.record.sequence,
                    quote_literal(&r.record.partition_key),
                    r.record.arrival_ms,
                    quote_literal(&r.reason),
                    quote_literal(&excerpt(&r.record.data)),
                )
            })
            .collect();
        sql.push_str(&format!(
            "INSERT INTO kiln_stream.scan_errors VALUES {};\n",
            values.join(",\n")
        ));
    }
    sql
}

/// Refreshes `view` from its scan states up to the stream's durable end (at most
/// `max_batches` transactions; the caller loops for more).
pub fn refresh(
    hub: &Hub,
    adapter: &dyn Adapter,
    view: &StreamingView,
    max_batches: usize,
) -> Result<RefreshReport, ViewError> {
    if view.is_plain() {
        return recompute(adapter, view);
    }
    let stream = hub.get(StreamKind::Kinesis, &view.stream)?;
    let shards = stream.meta.shards;
    let consumer = view.key();
    let json = parses_json(&view.definition);
    let insert = format!("INSERT INTO {} {}", view.relation(), translated(view));
    let mut report = RefreshReport::default();
    let mut consumed = scan_states(adapter, &consumer, shards)?;
    let mut pos = stream.log.position_after(&consumed);
    for _ in 0..max_batches.max(1) {
        let read = stream.log.read_from(&mut pos, BATCH_RECORDS, BATCH_BYTES)?;
        let records: Vec<&Record> = read
            .iter()
            .filter(|r| r.sequence > consumed.get(r.shard as usize).copied().unwrap_or(0))
            .collect();
        if records.is_empty() {
            if read.is_empty() {
                break;
            }
            continue;
        }
        let refresh_ms = now_ms();
        let mut rows = Vec::with_capacity(records.len());
        let mut kept: Vec<&Record> = Vec::with_capacity(records.len());
        let mut rejections = Vec::new();
        for r in &records {
            let text = match std::str::from_utf8(&r.data) {
                Ok(t) => t,
                Err(e) => {
                    rejections.push(Rejection {
                        record: r,
                        reason: format!("the record is not valid UTF-8 (byte {})", e.valid_up_to()),
                    });
                    continue;
                }
            };
            if json {
                if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
                    rejections.push(Rejection {
                        record: r,
                        reason: format!("the record is not valid JSON: {e}"),
                    });
                    continue;
                }
            }
            kept.push(r);
            rows.push(vec![
                BatchValue::TimestampMs(Some(r.arrival_ms)),
                BatchValue::Text(Some(r.partition_key.clone())),
                BatchValue::Text(Some(shard_id(r.shard))),
                BatchValue::Text(Some(r.sequence.to_string())),
                BatchValue::TimestampMs(Some(refresh_ms)),
                BatchValue::Text(Some(text.to_string())),
            ]);
        }
        let batch = RowBatch {
            table: BATCH_TABLE.into(),
            columns: batch_columns(),
            rows,
        };
        let finish = |rejected: &[RejectedRow]| {
            let mut all: Vec<Rejection<'_>> = rejections
                .iter()
                .map(|r| Rejection {
                    record: r.record,
                    reason: r.reason.clone(),
                })
                .collect();
            all.extend(rejected.iter().filter_map(|x| {
                kept.get(x.row).map(|record| Rejection {
                    record,
                    reason: x.message.clone(),
                })
            }));
            bookkeeping(&consumer, &view.stream, &records, &all)
        };
        let outcome = adapter.apply_batch(&batch, &insert, &finish)?;
        for r in &records {
            let c = &mut consumed[r.shard as usize];
            *c = (*c).max(r.sequence);
            report.newest_arrival_ms = report.newest_arrival_ms.max(r.arrival_ms);
        }
        report.records += records.len();
        report.rejected += rejections.len() + outcome.rejected.len();
        report.batches += 1;
    }
    Ok(report)
}

/// A materialized view over tables: its rows replaced by its query's, in one transaction.
pub fn recompute(adapter: &dyn Adapter, view: &StreamingView) -> Result<RefreshReport, ViewError> {
    let rel = view.relation();
    adapter
        .execute(&format!(
            "BEGIN TRANSACTION; DELETE FROM {rel}; INSERT INTO {rel} {}; COMMIT",
            translated(view)
        ))
        .inspect_err(|_| {
            let _ = adapter.execute("ROLLBACK");
        })?;
    Ok(RefreshReport {
        batches: 1,
        newest_arrival_ms: now_ms(),
        ..RefreshReport::default()
    })
}
