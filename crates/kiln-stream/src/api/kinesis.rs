//! The Kinesis Data Streams operations (`Kinesis_20131202.*`).

use std::borrow::Cow;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{StreamError, StreamKind};
use crate::hub::{PutOutcome, PutRecord, Stream, StreamMeta, MAX_SHARDS};
use crate::log::now_ms;
use crate::shard;

use super::error::throughput_message;
use super::iterator::ShardIterator;
use super::wire::{check_batch, decode_blob, encode_blob, epoch_seconds, not_null, parse};
use super::{name_from_arn, stream_arn, ApiError, Ctx, ACCOUNT};

const KIND: StreamKind = StreamKind::Kinesis;
/// A record's data and partition key together (the stream's MaxRecordSizeInKiB, 1024 here).
pub const MAX_RECORD_BYTES: usize = 1 << 20;
/// The service model's own bound on `Data` (streams can be raised to 10 MiB on AWS).
const MODEL_MAX_DATA: usize = 10 << 20;
/// A PutRecords request's data and partition keys together.
pub const MAX_PUT_RECORDS_BYTES: usize = 10 << 20;
pub const MAX_PUT_RECORDS: usize = 500;
/// GetRecords: at most this many records and about this much data per call.
const MAX_GET_RECORDS: usize = 10_000;
const MAX_GET_BYTES: usize = 10 << 20;
/// Shards an ON_DEMAND stream starts with (as Kinesis does).
const ON_DEMAND_SHARDS: u32 = 4;
const MAX_RETENTION_HOURS: i64 = 8760;

pub(super) async fn dispatch(ctx: &Ctx, op: &str, body: &[u8]) -> Result<Value, ApiError> {
    match op {
        "CreateStream" => create_stream(ctx, parse(body)?),
        "DeleteStream" => delete_stream(ctx, parse(body)?),
        "ListStreams" => list_streams(ctx, parse(body)?),
        "DescribeStream" => describe_stream(ctx, parse(body)?),
        "DescribeStreamSummary" => describe_stream_summary(ctx, parse(body)?),
        "ListShards" => list_shards(ctx, parse(body)?),
        "PutRecord" => put_record(ctx, parse(body)?).await,
        "PutRecords" => put_records(ctx, parse(body)?).await,
        "GetShardIterator" => get_shard_iterator(ctx, parse(body)?).await,
        "GetRecords" => get_records(ctx, parse(body)?).await,
        "IncreaseStreamRetentionPeriod" => change_retention(ctx, parse(body)?, true),
        "DecreaseStreamRetentionPeriod" => change_retention(ctx, parse(body)?, false),
        "DescribeLimits" => Ok(describe_limits(ctx)),
        // Tags are accepted (templates and IaC tools set them) but not kept: nothing here reads them.
        "AddTagsToStream" | "RemoveTagsFromStream" | "TagResource" | "UntagResource" => {
            let req: StreamRef = parse(body)?;
            if req.stream_name.is_some() || req.stream_arn.is_some() {
                stream(ctx, &req)?;
            }
            Ok(json!({}))
        }
        "ListTagsForStream" => {
            stream(ctx, &parse::<StreamRef>(body)?)?;
            Ok(json!({ "Tags": [], "HasMoreTags": false }))
        }
        _ => Err(ApiError::unknown_operation(&format!("Kinesis_20131202.{op}"))),
    }
}

/// `StreamName` and/or `StreamARN`, as most operations take them.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StreamRef {
    stream_name: Option<String>,
    #[serde(rename = "StreamARN", alias = "ResourceARN")]
    stream_arn: Option<String>,
}

impl StreamRef {
    fn name(&self) -> Result<String, ApiError> {
        resolve_name(self.stream_name.as_deref(), self.stream_arn.as_deref())
    }
}

/// The stream a request names, by `StreamName` or `StreamARN` (both must agree when both are
/// given).
fn resolve_name(name: Option<&str>, arn: Option<&str>) -> Result<String, ApiError> {
    let from_arn = match arn {
        Some(arn) => Some(
            name_from_arn(arn, "kinesis", "stream")
                .ok_or_else(|| ApiError::invalid(format!("{arn} is not a Kinesis stream ARN")))?,
        ),
        None => None,
    };
    match (name, from_arn) {
        (Some(n), Some(a)) if n != a => Err(ApiError::invalid(format!(
            "StreamName {n} and StreamARN name different streams ({a})"
        ))),
        (Some(n), _) => Ok(n.to_string()),
        (None, Some(a)) => Ok(a.to_string()),
        (None, None) => Err(ApiError::invalid("Either StreamName or StreamARN must be provided.")),
    }
}

fn stream(ctx: &Ctx, req: &StreamRef) -> Result<Arc<Stream>, ApiError> {
    let name = req.name()?;
    ctx.hub.get(KIND, &name).map_err(ApiError::from)
}

fn mode_details() -> Value {
    // The hub keeps no capacity mode: every local stream is provisioned with a fixed shard count.
    json!({ "StreamMode": "PROVISIONED" })
}

fn shard_json(index: u32, count: u32) -> Value {
    let (start, end) = shard::range(index, count);
    json!({
        "ShardId": shard::shard_id(index),
        "HashKeyRange": { "StartingHashKey": start.to_string(), "EndingHashKey": end.to_string() },
        "SequenceNumberRange": { "StartingSequenceNumber": "1" },
    })
}

// --- streams ---

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateStreamIn {
    stream_name: Option<String>,
    shard_count: Option<i64>,
    stream_mode_details: Option<ModeIn>,
    #[serde(rename = "MaxRecordSizeInKiB")]
    max_record_size_in_kib: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ModeIn {
    stream_mode: Option<String>,
}

fn create_stream(ctx: &Ctx, req: CreateStreamIn) -> Result<Value, ApiError> {
    let name = req
        .stream_name
        .ok_or_else(|| ApiError::validation(&[not_null("streamName")]))?;
    let on_demand = match req.stream_mode_details.and_then(|m| m.stream_mode).as_deref() {
        None | Some("PROVISIONED") => false,
        Some("ON_DEMAND") => true,
        Some(other) => {
            return Err(ApiError::validation(&[format!(
                "Value '{other}' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must \
                 satisfy enum value set: [PROVISIONED, ON_DEMAND]"
            )]))
        }
    };
    let shards = match (req.shard_count, on_demand) {
        (Some(n), _) if n < 1 => {
            return Err(ApiError::validation(&[format!(
                "Value '{n}' at 'shardCount' failed to satisfy constraint: Member must have value greater than \
                 or equal to 1"
            )]))
        }
        (Some(n), _) if n > i64::from(MAX_SHARDS) => {
            return Err(ApiError::bad(
                "LimitExceededException",
                format!(
                    "This request would exceed the shard limit for the account {ACCOUNT} in {}. Current limit of \
                     shards per stream is {MAX_SHARDS}. Number of shards requested: {n}.",
                    ctx.region
                ),
            ))
        }
        (Some(n), _) => n as u32,
        (None, true) => ON_DEMAND_SHARDS,
        (None, false) => 1,
    };
    if let Some(kib) = req.max_record_size_in_kib {
        if kib != (MAX_RECORD_BYTES / 1024) as i64 {
            return Err(ApiError::invalid(format!(
                "MaxRecordSizeInKiB {kib} is not supported here: local streams keep records of up to {} KiB",
                MAX_RECORD_BYTES / 1024
            )));
        }
    }
    ctx.hub.create(StreamMeta::new(KIND, &name, shards))?;
    Ok(json!({}))
}

fn delete_stream(ctx: &Ctx, req: StreamRef) -> Result<Value, ApiError> {
    let name = req.name()?;
    ctx.hub.delete(KIND, &name)?;
    Ok(json!({}))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListStreamsIn {
    limit: Option<i64>,
    exclusive_start_stream_name: Option<String>,
    next_token: Option<String>,
}

fn list_streams(ctx: &Ctx, req: ListStreamsIn) -> Result<Value, ApiError> {
    let limit = bounded(req.limit, "limit", 1, 10_000)?.unwrap_or(100);
    // The token is the last name of the previous page: names are listed in order.
    let after = req.next_token.or(req.exclusive_start_stream_name);
    let streams: Vec<Arc<Stream>> = ctx
        .hub
        .list(KIND)
        .into_iter()
        .filter(|s| after.as_deref().is_none_or(|a| s.name() > a))
        .collect();
    let more = streams.len() > limit;
    let page = &streams[..streams.len().min(limit)];
    let mut out = json!({
        "StreamNames": page.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "HasMoreStreams": more,
        "StreamSummaries": page.iter().map(|s| json!({
            "StreamName": s.name(),
            "StreamARN": stream_arn(&ctx.region, s.name()),
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": mode_details(),
            "StreamCreationTimestamp": epoch_seconds(s.meta.created_ms),
        })).collect::<Vec<_>>(),
    });
    if more {
        if let Some(last) = page.last() {
            out["NextToken"] = json!(last.name());
        }
    }
    Ok(out)
}

/// An optional integer member within its model bounds.
fn bounded(value: Option<i64>, member: &str, min: i64, max: i64) -> Result<Option<usize>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) if v < min => Err(ApiError::validation(&[format!(
            "Value '{v}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal \
             to {min}"
        )])),
        Some(v) if v > max => Err(ApiError::validation(&[format!(
            "Value '{v}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to \
             {max}"
        )])),
        Some(v) => Ok(Some(v as usize)),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DescribeStreamIn {
    #[serde(flatten)]
    stream: StreamRef,
    limit: Option<i64>,
    exclusive_start_shard_id: Option<String>,
}

fn describe_stream(ctx: &Ctx, req: DescribeStreamIn) -> Result<Value, ApiError> {
    let s = stream(ctx, &req.stream)?;
    let limit = bounded(req.limit, "limit", 1, 10_000)?.unwrap_or(100);
    let count = s.meta.shards;
    let first = match &req.exclusive_start_shard_id {
        Some(id) => shard::parse_shard_id(id).map_or(0, |i| i + 1),
        None => 0,
    };
    let shards: Vec<Value> = (first..count).take(limit).map(|i| shard_json(i, count)).collect();
    let more = u64::from(first) + (shards.len() as u64) < u64::from(count);
    Ok(json!({
        "StreamDescription": {
            "StreamName": s.name(),
            "StreamARN": stream_arn(&ctx.region, s.name()),
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": mode_details(),
            "Shards": shards,
            "HasMoreShards": more,
            "RetentionPeriodHours": s.meta.retention_hours,
            "StreamCreationTimestamp": epoch_seconds(s.meta.created_ms),
            "EnhancedMonitoring": [{ "ShardLevelMetrics": [] }],
            "EncryptionType": "NONE",
        }
    }))
}

fn describe_stream_summary(ctx: &Ctx, req: StreamRef) -> Result<Value, ApiError> {
    let s = stream(ctx, &req)?;
    Ok(json!({
        "StreamDescriptionSummary": {
            "StreamName": s.name(),
            "StreamARN": stream_arn(&ctx.region, s.name()),
            "StreamStatus": "ACTIVE",
            "StreamModeDetails": mode_details(),
            "RetentionPeriodHours": s.meta.retention_hours,
            "StreamCreationTimestamp": epoch_seconds(s.meta.created_ms),
            "EnhancedMonitoring": [{ "ShardLevelMetrics": [] }],
            "EncryptionType": "NONE",
            "OpenShardCount": s.meta.shards,
            "ConsumerCount": 0,
            "MaxRecordSizeInKiB": MAX_RECORD_BYTES / 1024,
        }
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListShardsIn {
    #[serde(flatten)]
    stream: StreamRef,
    next_token: Option<String>,
    exclusive_start_shard_id: Option<String>,
    max_results: Option<i64>,
}

/// A ListShards continuation: the stream and the next shard index.
#[derive(serde::Serialize, Deserialize)]
struct ShardsToken {
    s: String,
    i: u32,
}

fn list_shards(ctx: &Ctx, req: ListShardsIn) -> Result<Value, ApiError> {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let limit = bounded(req.max_results, "maxResults", 1, 10_000)?.unwrap_or(1000);
    let (name, first) = match &req.next_token {
        Some(token) => {
            let t: ShardsToken = b64
                .decode(token)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .ok_or_else(|| ApiError::invalid("Invalid NextToken."))?;
            (t.s, t.i)
        }
        None => {
            let first = match &req.exclusive_start_shard_id {
                Some(id) => shard::parse_shard_id(id).map_or(0, |i| i + 1),
                None => 0,
            };
            (req.stream.name()?, first)
        }
    };
    let s = ctx.hub.get(KIND, &name)?;
    let count = s.meta.shards;
    let shards: Vec<Value> = (first..count).take(limit).map(|i| shard_json(i, count)).collect();
    let next = first as usize + shards.len();
    let mut out = json!({ "Shards": shards });
    if next < count as usize {
        let token = ShardsToken {
            s: name,
            i: next as u32,
        };
        out["NextToken"] = json!(b64.encode(serde_json::to_vec(&token).unwrap_or_default()));
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RetentionIn {
    #[serde(flatten)]
    stream: StreamRef,
    retention_period_hours: Option<i64>,
}

fn change_retention(ctx: &Ctx, req: RetentionIn, increase: bool) -> Result<Value, ApiError> {
    let s = stream(ctx, &req.stream)?;
    let hours = req
        .retention_period_hours
        .ok_or_else(|| ApiError::validation(&[not_null("retentionPeriodHours")]))?;
    let current = i64::from(s.meta.retention_hours);
    if !(24..=MAX_RETENTION_HOURS).contains(&hours) {
        return Err(ApiError::invalid(format!(
            "Minimum allowed retention period is 24 hours and maximum is {MAX_RETENTION_HOURS} hours; requested \
             {hours} hours for stream {} under account {ACCOUNT}.",
            s.name()
        )));
    }
    if increase && hours < current {
        return Err(ApiError::invalid(format!(
            "Requested retention period ({hours} hours) for stream {} can not be shorter than existing retention \
             period ({current} hours). Use DecreaseRetentionPeriod API.",
            s.name()
        )));
    }
    if !increase && hours > current {
        return Err(ApiError::invalid(format!(
            "Requested retention period ({hours} hours) for stream {} can not be longer than existing retention \
             period ({current} hours). Use IncreaseRetentionPeriod API.",
            s.name()
        )));
    }
    let mut meta = s.meta.clone();
    meta.retention_hours = hours as u32;
    ctx.hub.ensure(meta)?;
    Ok(json!({}))
}

fn describe_limits(ctx: &Ctx) -> Value {
    let open: u32 = ctx.hub.list(KIND).iter().map(|s| s.meta.shards).sum();
    json!({
        "ShardLimit": MAX_SHARDS,
        "OpenShardCount": open,
        "OnDemandStreamCount": 0,
        "OnDemandStreamCountLimit": 0,
    })
}

// --- writes ---

/// One record as PutRecord and PutRecords carry it; `Data` is borrowed from the body.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordIn<'a> {
    #[serde(borrow)]
    data: Option<Cow<'a, str>>,
    partition_key: Option<String>,
    explicit_hash_key: Option<String>,
}

/// Checks a record against the service model, collecting violations as AWS lists them
/// (`prefix` is `records.N.member.` in a PutRecords, empty in a PutRecord).
fn check_record(r: &RecordIn<'_>, prefix: &str, violations: &mut Vec<String>) -> Result<Option<PutRecord>, ApiError> {
    let mut ok = true;
    match &r.partition_key {
        None => {
            violations.push(not_null(&format!("{prefix}partitionKey")));
            ok = false;
        }
        Some(k) if k.is_empty() => {
            violations.push(format!(
                "Value '' at '{prefix}partitionKey' failed to satisfy constraint: Member must have length greater \
                 than or equal to 1"
            ));
            ok = false;
        }
        Some(k) if k.chars().count() > 256 => {
            violations.push(format!(
                "Value '{k}' at '{prefix}partitionKey' failed to satisfy constraint: Member must have length less \
                 than or equal to 256"
            ));
            ok = false;
        }
        Some(_) => {}
    }
    let hash = match r.explicit_hash_key.as_deref() {
        None => None,
        Some(h) => {
            let pattern_ok = h == "0"
                || (!h.is_empty() && h.len() <= 39 && !h.starts_with('0') && h.bytes().all(|b| b.is_ascii_digit()));
            if !pattern_ok {
                violations.push(format!(
                    "Value '{h}' at '{prefix}explicitHashKey' failed to satisfy constraint: Member must satisfy \
                     regular expression pattern: 0|([1-9]\\d{{0,38}})"
                ));
                ok = false;
                None
            } else {
                Some(h.parse::<u128>().map_err(|_| {
                    ApiError::invalid(format!(
                        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified \
                         value was {h}"
                    ))
                })?)
            }
        }
    };
    let data = match &r.data {
        None => {
            violations.push(not_null(&format!("{prefix}data")));
            ok = false;
            Vec::new()
        }
        Some(text) => {
            let data = decode_blob(text, "Data")?;
            if data.len() > MODEL_MAX_DATA {
                violations.push(format!(
                    "Value 'java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]' at '{prefix}data' failed to satisfy \
                     constraint: Member must have length less than or equal to {MODEL_MAX_DATA}",
                    n = data.len()
                ));
                ok = false;
            }
            data
        }
    };
    Ok(ok.then(|| PutRecord {
        partition_key: r.partition_key.clone().unwrap_or_default(),
        explicit_hash_key: hash,
        data,
    }))
}

/// The record-size rule of the stream (data and partition key together).
fn check_size(r: &PutRecord, stream: &str, which: Option<usize>) -> Result<usize, ApiError> {
    let size = r.data.len() + r.partition_key.len();
    if size > MAX_RECORD_BYTES {
        let record = which.map(|i| format!("Record {i} ")).unwrap_or_default();
        return Err(ApiError::invalid(format!(
            "{record}size of {size} bytes (data and partition key) exceeds the maximum record size of \
             {MAX_RECORD_BYTES} bytes (MaxRecordSizeInKiB {}) of stream {stream} under account {ACCOUNT}.",
            MAX_RECORD_BYTES / 1024
        )));
    }
    Ok(size)
}

/// Appends on a task of its own: once submitted, an append completes (and is acknowledged to
/// the log's readers) even if the client has gone, and a dropped request never leaves half of
/// one.
pub(super) async fn append(
    ctx: &Ctx,
    kind: StreamKind,
    name: &str,
    records: Vec<PutRecord>,
) -> Result<Vec<PutOutcome>, ApiError> {
    let hub = ctx.hub.clone();
    let name = name.to_string();
    tokio::spawn(async move { hub.put(kind, &name, records).await })
        .await
        .map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                e.to_string(),
            )
        })?
        .map_err(ApiError::from)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutRecordIn<'a> {
    #[serde(flatten)]
    stream: StreamRef,
    #[serde(flatten, borrow)]
    record: RecordIn<'a>,
}

async fn put_record(ctx: &Ctx, req: PutRecordIn<'_>) -> Result<Value, ApiError> {
    let mut violations = Vec::new();
    let record = check_record(&req.record, "", &mut violations)?;
    let record = match record {
        Some(r) if violations.is_empty() => r,
        _ => return Err(ApiError::validation(&violations)),
    };
    let s = stream(ctx, &req.stream)?;
    check_size(&record, s.name(), None)?;
    let records = vec![record];
    let outcome = append(ctx, KIND, s.name(), records)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                "no outcome",
            )
        })?;
    let appended = outcome?;
    Ok(json!({
        "ShardId": shard::shard_id(appended.shard),
        "SequenceNumber": appended.sequence.to_string(),
        "EncryptionType": "NONE",
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutRecordsIn<'a> {
    #[serde(flatten)]
    stream: StreamRef,
    #[serde(borrow)]
    records: Option<Vec<RecordIn<'a>>>,
}

async fn put_records(ctx: &Ctx, req: PutRecordsIn<'_>) -> Result<Value, ApiError> {
    let records = check_batch(req.records, MAX_PUT_RECORDS, check_record)?;
    let s = stream(ctx, &req.stream)?;
    let mut total = 0usize;
    for (i, r) in records.iter().enumerate() {
        total += check_size(r, s.name(), Some(i + 1))?;
    }
    if total > MAX_PUT_RECORDS_BYTES {
        return Err(ApiError::invalid(format!(
            "Records size exceeds {} MB limit",
            MAX_PUT_RECORDS_BYTES >> 20
        )));
    }
    let outcomes = append(ctx, KIND, s.name(), records).await?;
    let mut failed = 0;
    let results: Vec<Value> = outcomes
        .into_iter()
        .map(|o| match o {
            Ok(a) => json!({ "SequenceNumber": a.sequence.to_string(), "ShardId": shard::shard_id(a.shard) }),
            Err(e) => {
                failed += 1;
                record_error(&e)
            }
        })
        .collect();
    Ok(json!({ "FailedRecordCount": failed, "Records": results, "EncryptionType": "NONE" }))
}

/// A record's own failure in a PutRecords result: throttled, or Kinesis' `InternalFailure`.
fn record_error(e: &StreamError) -> Value {
    match e {
        StreamError::Throughput { stream, shard } => json!({
            "ErrorCode": "ProvisionedThroughputExceededException",
            "ErrorMessage": throughput_message(stream, shard),
        }),
        other => json!({ "ErrorCode": "InternalFailure", "ErrorMessage": other.to_string() }),
    }
}

// --- reads ---

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetShardIteratorIn {
    #[serde(flatten)]
    stream: StreamRef,
    shard_id: Option<String>,
    shard_iterator_type: Option<String>,
    starting_sequence_number: Option<String>,
    timestamp: Option<Value>,
}

async fn get_shard_iterator(ctx: &Ctx, req: GetShardIteratorIn) -> Result<Value, ApiError> {
    let mut violations = Vec::new();
    if req.shard_id.is_none() {
        violations.push(not_null("shardId"));
    }
    if req.shard_iterator_type.is_none() {
        violations.push(not_null("shardIteratorType"));
    }
    if !violations.is_empty() {
        return Err(ApiError::validation(&violations));
    }
    let shard_id = req.shard_id.unwrap_or_default();
    let kind = req.shard_iterator_type.unwrap_or_default();
    let s = stream(ctx, &req.stream)?;
    let index = shard::parse_shard_id(&shard_id)
        .filter(|i| *i < s.meta.shards)
        .ok_or_else(|| {
            ApiError::bad(
                "ResourceNotFoundException",
                format!(
                    "Shard {shard_id} in stream {} under account {ACCOUNT} does not exist",
                    s.name()
                ),
            )
        })?;
    let stats = s.log.shard_stats().get(index as usize).copied().unwrap_or_default();
    let sequence_arg = || -> Result<u64, ApiError> {
        let text = req
            .starting_sequence_number
            .as_deref()
            .ok_or_else(|| ApiError::invalid(format!("StartingSequenceNumber is required for {kind}")))?;
        let invalid = || {
            ApiError::invalid(format!(
                "StartingSequenceNumber {text} used in GetShardIterator on shard {shard_id} in stream {} under \
                 account {ACCOUNT} is invalid because it did not come from this stream.",
                s.name()
            ))
        };
        let n: u64 = text.parse().map_err(|_| invalid())?;
        if n == 0 || n >= stats.next_sequence {
            return Err(invalid());
        }
        Ok(n)
    };
    let sequence = match kind.as_str() {
        "TRIM_HORIZON" => stats.first_sequence,
        "LATEST" => stats.next_sequence,
        "AT_SEQUENCE_NUMBER" => sequence_arg()?,
        "AFTER_SEQUENCE_NUMBER" => sequence_arg()? + 1,
        "AT_TIMESTAMP" => {
            let ts = req
                .timestamp
                .as_ref()
                .and_then(timestamp_ms)
                .ok_or_else(|| ApiError::invalid("Timestamp is required (epoch seconds) for AT_TIMESTAMP"))?;
            let log = s.log.clone();
            tokio::task::spawn_blocking(move || first_at_or_after(&log, index, ts, stats))
                .await
                .map_err(|e| {
                    ApiError::new(
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        "InternalFailure",
                        e.to_string(),
                    )
                })??
        }
        other => {
            return Err(ApiError::validation(&[format!(
                "Value '{other}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum \
                 value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]"
            )]))
        }
    };
    let it = ShardIterator {
        stream: s.name().to_string(),
        created_ms: s.meta.created_ms,
        shard: index,
        sequence,
        issued_ms: now_ms(),
    };
    Ok(json!({ "ShardIterator": it.encode() }))
}

/// A timestamp member in milliseconds, rounded up: a record arrived at `ms` is "at or after"
/// the timestamp only if `ms >= timestamp`. SDKs send epoch seconds; a numeric string is
/// accepted too.
fn timestamp_ms(v: &Value) -> Option<i64> {
    let seconds = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.parse::<f64>().ok()?,
        _ => return None,
    };
    seconds.is_finite().then(|| (seconds * 1000.0).ceil() as i64)
}

/// The first sequence number of `shard` whose record arrived at or after `ts_ms`: a binary
/// search over sequence numbers (arrival times grow with them), each probe one short read.
fn first_at_or_after(
    log: &crate::log::StreamLog,
    shard: u32,
    ts_ms: i64,
    stats: crate::log::ShardStats,
) -> Result<u64, ApiError> {
    let (mut lo, mut hi) = (stats.first_sequence, stats.next_sequence);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match log.read_shard(shard, mid, 1, 1)?.first() {
            Some(r) if r.arrival_ms < ts_ms => lo = r.sequence + 1,
            _ => hi = mid,
        }
    }
    Ok(lo)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetRecordsIn {
    shard_iterator: Option<String>,
    limit: Option<i64>,
}

async fn get_records(ctx: &Ctx, req: GetRecordsIn) -> Result<Value, ApiError> {
    let token = req
        .shard_iterator
        .ok_or_else(|| ApiError::validation(&[not_null("shardIterator")]))?;
    let limit = bounded(req.limit, "limit", 1, MAX_GET_RECORDS as i64)?.unwrap_or(MAX_GET_RECORDS);
    let it = ShardIterator::decode(&token)?;
    let now = now_ms();
    it.check_fresh(now)?;
    let s = ctx.hub.get(KIND, &it.stream)?;
    if s.meta.created_ms != it.created_ms || it.shard >= s.meta.shards {
        return Err(ApiError::bad(
            "ExpiredIteratorException",
            format!(
                "The iterator belongs to an earlier stream {} under account {ACCOUNT} that was deleted; get a new one",
                it.stream
            ),
        ));
    }
    let log = s.log.clone();
    let (shard, from) = (it.shard, it.sequence);
    let records = tokio::task::spawn_blocking(move || log.read_shard(shard, from, limit, MAX_GET_BYTES))
        .await
        .map_err(|e| {
            ApiError::new(
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                e.to_string(),
            )
        })??;
    let stats = s.log.shard_stats().get(shard as usize).copied().unwrap_or_default();
    let next = match records.last() {
        Some(r) => r.sequence + 1,
        None => from.max(stats.first_sequence),
    };
    let behind = match records.last() {
        Some(r) if next < stats.next_sequence => (stats.last_arrival_ms - r.arrival_ms).max(0),
        _ => 0,
    };
    let out: Vec<Value> = records
        .iter()
        .map(|r| {
            json!({
                "SequenceNumber": r.sequence.to_string(),
                "ApproximateArrivalTimestamp": epoch_seconds(r.arrival_ms),
                "Data": encode_blob(&r.data),
                "PartitionKey": r.partition_key,
            })
        })
        .collect();
    let next_it = ShardIterator {
        sequence: next,
        issued_ms: now_ms(),
        ..it
    };
    Ok(json!({
        "Records": out,
        "NextShardIterator": next_it.encode(),
        "MillisBehindLatest": behind,
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_is_named_by_name_or_arn_and_both_must_agree() {
        assert_eq!(resolve_name(Some("a"), None).unwrap(), "a");
        assert_eq!(
            resolve_name(None, Some("arn:aws:kinesis:eu-west-1:123456789012:stream/b")).unwrap(),
            "b"
        );
        assert_eq!(
            resolve_name(Some("b"), Some("arn:aws:kinesis:eu-west-1:123456789012:stream/b")).unwrap(),
            "b"
        );
        let err = resolve_name(Some("a"), Some("arn:aws:kinesis:eu-west-1:123456789012:stream/b")).unwrap_err();
        assert_eq!(err.code, "InvalidArgumentException");
        assert!(resolve_name(None, None).is_err());
        assert!(resolve_name(None, Some("arn:aws:firehose:us-east-1:0:deliverystream/x")).is_err());
    }

    #[test]
    fn record_checks_list_every_violation_with_its_path() {
        let r = RecordIn {
            data: None,
            partition_key: Some("k".repeat(257)),
            explicit_hash_key: Some("012".into()),
        };
        let mut v = Vec::new();
        assert!(check_record(&r, "records.2.member.", &mut v).unwrap().is_none());
        assert_eq!(v.len(), 3, "{v:?}");
        assert!(v[0].contains("at 'records.2.member.partitionKey'"));
        assert!(v[0].ends_with("less than or equal to 256"));
        assert!(v[1].contains("explicitHashKey"));
        assert!(v[2].starts_with("Value null at 'records.2.member.data'"));

        let over = RecordIn {
            data: Some(Cow::Borrowed("AAAA")),
            partition_key: Some("k".into()),
            explicit_hash_key: Some(u128::MAX.to_string() + "0"),
        };
        let mut v = Vec::new();
        // 40 digits break the pattern; 39 digits over 2^128-1 are out of range.
        assert!(check_record(&over, "", &mut v).unwrap().is_none());
        let big = RecordIn {
            explicit_hash_key: Some("9".repeat(39)),
            ..over
        };
        let err = check_record(&big, "", &mut Vec::new()).err().unwrap();
        assert!(err.message.starts_with("Invalid ExplicitHashKey"), "{}", err.message);
    }

    #[test]
    fn timestamps_round_up_to_the_millisecond() {
        assert_eq!(timestamp_ms(&json!(1.0005)), Some(1001));
        assert_eq!(timestamp_ms(&json!(2)), Some(2000));
        assert_eq!(timestamp_ms(&json!("3.5")), Some(3500));
        assert_eq!(timestamp_ms(&json!(true)), None);
    }
}
