//! The Kinesis Data Firehose operations (`Firehose_20150804.*`): DirectPut delivery streams of
//! one shard, whose Redshift destination becomes the stream's [`Delivery`].

use std::borrow::Cow;
use std::sync::Arc;

use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::{StreamError, StreamKind};
use crate::hub::{Delivery, PutRecord, Stream, StreamMeta};
use crate::log::Appended;

use super::kinesis::append;
use super::wire::{check_batch, decode_blob, epoch_seconds, not_null, parse};
use super::{delivery_stream_arn, name_from_arn, ApiError, Ctx, ACCOUNT};

const KIND: StreamKind = StreamKind::Firehose;
/// A record's data, before base64 (1,000 KiB).
pub const MAX_RECORD_BYTES: usize = 1_024_000;
/// A PutRecordBatch's data together.
pub const MAX_BATCH_BYTES: usize = 4 << 20;
pub const MAX_BATCH_RECORDS: usize = 500;
/// Firehose's buffering defaults when a destination gives none.
const DEFAULT_SIZE_MB: i64 = 5;
const DEFAULT_INTERVAL_SECONDS: i64 = 300;

pub(super) async fn dispatch(ctx: &Ctx, op: &str, body: &[u8]) -> Result<Value, ApiError> {
    match op {
        "CreateDeliveryStream" => create(ctx, parse(body)?),
        "DeleteDeliveryStream" => {
            let req: NameIn = parse(body)?;
            ctx.hub.delete(KIND, &req.name()?)?;
            Ok(json!({}))
        }
        "DescribeDeliveryStream" => describe(ctx, parse(body)?),
        "ListDeliveryStreams" => list(ctx, parse(body)?),
        "PutRecord" => put_record(ctx, parse(body)?).await,
        "PutRecordBatch" => put_record_batch(ctx, parse(body)?).await,
        // Tags are accepted but not kept: nothing here reads them.
        "TagDeliveryStream" | "UntagDeliveryStream" => {
            let req: NameIn = parse(body)?;
            ctx.hub.get(KIND, &req.name()?)?;
            Ok(json!({}))
        }
        "ListTagsForDeliveryStream" => {
            let req: NameIn = parse(body)?;
            ctx.hub.get(KIND, &req.name()?)?;
            Ok(json!({ "Tags": [], "HasMoreTags": false }))
        }
        _ => Err(ApiError::unknown_operation(&format!("Firehose_20150804.{op}"))),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct NameIn {
    delivery_stream_name: Option<String>,
    #[serde(rename = "DeliveryStreamARN")]
    delivery_stream_arn: Option<String>,
}

impl NameIn {
    fn name(&self) -> Result<String, ApiError> {
        match (&self.delivery_stream_name, &self.delivery_stream_arn) {
            (Some(n), _) => Ok(n.clone()),
            (None, Some(arn)) => name_from_arn(arn, "firehose", "deliverystream")
                .map(str::to_string)
                .ok_or_else(|| ApiError::invalid(format!("{arn} is not a Firehose delivery stream ARN"))),
            (None, None) => Err(ApiError::validation(&[not_null("deliveryStreamName")])),
        }
    }
}

fn stream(ctx: &Ctx, name: &NameIn) -> Result<Arc<Stream>, ApiError> {
    Ok(ctx.hub.get(KIND, &name.name()?)?)
}

// --- delivery streams ---

/// The parts of a `RedshiftDestinationConfiguration` kept. Its `RoleARN`, `ClusterJDBCURL`,
/// `Username` and `Password` are not even read: unknown members are skipped, so the password
/// is never held past the request body.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RedshiftIn {
    copy_command: Option<CopyCommandIn>,
    #[serde(rename = "S3Configuration")]
    s3_configuration: Option<S3In>,
    /// Not in Firehose's model, but accepted beside the S3 configuration's.
    buffering_hints: Option<HintsIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CopyCommandIn {
    data_table_name: Option<String>,
    data_table_columns: Option<String>,
    copy_options: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct S3In {
    buffering_hints: Option<HintsIn>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HintsIn {
    #[serde(rename = "SizeInMBs")]
    size_in_mbs: Option<i64>,
    interval_in_seconds: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateIn {
    delivery_stream_name: Option<String>,
    delivery_stream_type: Option<String>,
    redshift_destination_configuration: Option<RedshiftIn>,
}

fn delivery_from(cfg: RedshiftIn) -> Result<Delivery, ApiError> {
    let mut violations = Vec::new();
    let copy = cfg.copy_command;
    let table = copy.as_ref().and_then(|c| c.data_table_name.clone());
    match &table {
        None if copy.is_none() => violations.push(not_null("redshiftDestinationConfiguration.copyCommand")),
        None => violations.push(not_null("redshiftDestinationConfiguration.copyCommand.dataTableName")),
        Some(t) if t.is_empty() => violations.push(
            "Value '' at 'redshiftDestinationConfiguration.copyCommand.dataTableName' failed to satisfy constraint: \
             Member must have length greater than or equal to 1"
                .to_string(),
        ),
        Some(_) => {}
    }
    let hints = cfg
        .s3_configuration
        .and_then(|s3| s3.buffering_hints)
        .or(cfg.buffering_hints);
    let size = hints.as_ref().and_then(|h| h.size_in_mbs).unwrap_or(DEFAULT_SIZE_MB);
    let interval = hints
        .as_ref()
        .and_then(|h| h.interval_in_seconds)
        .unwrap_or(DEFAULT_INTERVAL_SECONDS);
    if !(1..=128).contains(&size) {
        violations.push(format!(
            "Value '{size}' at 'redshiftDestinationConfiguration.s3Configuration.bufferingHints.sizeInMBs' failed to \
             satisfy constraint: Member must have value {}",
            if size < 1 {
                "greater than or equal to 1"
            } else {
                "less than or equal to 128"
            }
        ));
    }
    if !(0..=900).contains(&interval) {
        violations.push(format!(
            "Value '{interval}' at 'redshiftDestinationConfiguration.s3Configuration.bufferingHints.\
             intervalInSeconds' failed to satisfy constraint: Member must have value {}",
            if interval < 0 {
                "greater than or equal to 0"
            } else {
                "less than or equal to 900"
            }
        ));
    }
    if !violations.is_empty() {
        return Err(ApiError::validation(&violations));
    }
    let copy = copy.unwrap_or(CopyCommandIn {
        data_table_name: None,
        data_table_columns: None,
        copy_options: None,
    });
    Ok(Delivery {
        table: table.unwrap_or_default(),
        columns: copy
            .data_table_columns
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        copy_options: copy.copy_options.unwrap_or_default(),
        interval_seconds: interval as u32,
        size_mb: size as u32,
    })
}

fn create(ctx: &Ctx, req: CreateIn) -> Result<Value, ApiError> {
    let name = req
        .delivery_stream_name
        .ok_or_else(|| ApiError::validation(&[not_null("deliveryStreamName")]))?;
    match req.delivery_stream_type.as_deref() {
        None | Some("DirectPut") => {}
        Some(other @ ("KinesisStreamAsSource" | "MSKAsSource" | "DatabaseAsSource")) => {
            return Err(ApiError::invalid(format!(
                "DeliveryStreamType {other} is not supported here: local delivery streams are DirectPut"
            )))
        }
        Some(other) => {
            return Err(ApiError::validation(&[format!(
                "Value '{other}' at 'deliveryStreamType' failed to satisfy constraint: Member must satisfy enum \
                 value set: [DirectPut, KinesisStreamAsSource, MSKAsSource, DatabaseAsSource]"
            )]))
        }
    }
    let delivery = req.redshift_destination_configuration.map(delivery_from).transpose()?;
    let mut meta = StreamMeta::new(KIND, &name, 1);
    meta.delivery = delivery;
    ctx.hub.create(meta)?;
    Ok(json!({ "DeliveryStreamARN": delivery_stream_arn(&ctx.region, &name) }))
}

fn describe(ctx: &Ctx, req: NameIn) -> Result<Value, ApiError> {
    let s = stream(ctx, &req)?;
    let destinations: Vec<Value> = s
        .meta
        .delivery
        .iter()
        .map(|d| {
            json!({
                "DestinationId": "destinationId-000000000001",
                "RedshiftDestinationDescription": {
                    // Not kept (the warehouse is the project's): placeholders in AWS's shapes.
                    "RoleARN": format!("arn:aws:iam::{ACCOUNT}:role/kiln-local"),
                    "ClusterJDBCURL": "jdbc:redshift://127.0.0.1:5439/kiln",
                    "Username": "kiln",
                    "CopyCommand": {
                        "DataTableName": d.table,
                        "DataTableColumns": d.columns.join(","),
                        "CopyOptions": d.copy_options,
                    },
                    "S3DestinationDescription": {
                        "RoleARN": format!("arn:aws:iam::{ACCOUNT}:role/kiln-local"),
                        "BucketARN": "arn:aws:s3:::kiln-local",
                        "BufferingHints": { "SizeInMBs": d.size_mb, "IntervalInSeconds": d.interval_seconds },
                        "CompressionFormat": "UNCOMPRESSED",
                        "EncryptionConfiguration": { "NoEncryptionConfig": "NoEncryption" },
                    },
                    "S3BackupMode": "Disabled",
                }
            })
        })
        .collect();
    Ok(json!({
        "DeliveryStreamDescription": {
            "DeliveryStreamName": s.name(),
            "DeliveryStreamARN": delivery_stream_arn(&ctx.region, s.name()),
            "DeliveryStreamStatus": "ACTIVE",
            "DeliveryStreamType": "DirectPut",
            "VersionId": "1",
            "CreateTimestamp": epoch_seconds(s.meta.created_ms),
            "DeliveryStreamEncryptionConfiguration": { "Status": "DISABLED" },
            "Destinations": destinations,
            "HasMoreDestinations": false,
        }
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListIn {
    limit: Option<i64>,
    delivery_stream_type: Option<String>,
    exclusive_start_delivery_stream_name: Option<String>,
}

fn list(ctx: &Ctx, req: ListIn) -> Result<Value, ApiError> {
    let limit = match req.limit {
        None => 10,
        Some(n) if (1..=10_000).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::validation(&[format!(
                "Value '{n}' at 'limit' failed to satisfy constraint: Member must have value {}",
                if n < 1 {
                    "greater than or equal to 1"
                } else {
                    "less than or equal to 10000"
                }
            )]))
        }
    };
    // Every local delivery stream is DirectPut.
    let names: Vec<String> = if req.delivery_stream_type.as_deref().is_some_and(|t| t != "DirectPut") {
        Vec::new()
    } else {
        ctx.hub
            .list(KIND)
            .into_iter()
            .map(|s| s.name().to_string())
            .filter(|n| {
                req.exclusive_start_delivery_stream_name
                    .as_deref()
                    .is_none_or(|a| n.as_str() > a)
            })
            .collect()
    };
    let more = names.len() > limit;
    Ok(json!({
        "DeliveryStreamNames": names[..names.len().min(limit)],
        "HasMoreDeliveryStreams": more,
    }))
}

// --- writes ---

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RecordIn<'a> {
    #[serde(borrow)]
    data: Option<Cow<'a, str>>,
}

/// A record id: 56 characters, unique per delivery stream, from its creation time and sequence
/// number (Firehose's are opaque strings of that length).
pub fn record_id(stream: &Stream, a: &Appended) -> String {
    format!("{:016}{:040}", stream.meta.created_ms.max(0), a.sequence)
}

fn check_record(r: &RecordIn<'_>, path: &str, violations: &mut Vec<String>) -> Result<Option<PutRecord>, ApiError> {
    let Some(text) = &r.data else {
        violations.push(not_null(&format!("{path}data")));
        return Ok(None);
    };
    let data = decode_blob(text, "Data")?;
    if data.len() > MAX_RECORD_BYTES {
        violations.push(format!(
            "Value 'java.nio.HeapByteBuffer[pos=0 lim={n} cap={n}]' at '{path}data' failed to satisfy constraint: \
             Member must have length less than or equal to {MAX_RECORD_BYTES}",
            n = data.len()
        ));
        return Ok(None);
    }
    Ok(Some(PutRecord {
        // Every delivery stream has one shard: the key is not needed to place the record.
        partition_key: String::new(),
        explicit_hash_key: Some(0),
        data,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutRecordIn<'a> {
    #[serde(flatten)]
    stream: NameIn,
    #[serde(borrow)]
    record: Option<RecordIn<'a>>,
}

async fn put_record(ctx: &Ctx, req: PutRecordIn<'_>) -> Result<Value, ApiError> {
    let mut violations = Vec::new();
    let record = match &req.record {
        None => {
            violations.push(not_null("record"));
            None
        }
        Some(r) => check_record(r, "record.", &mut violations)?,
    };
    let Some(record) = record.filter(|_| violations.is_empty()) else {
        return Err(ApiError::validation(&violations));
    };
    let s = stream(ctx, &req.stream)?;
    let outcome = append(ctx, KIND, s.name(), vec![record])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "InternalFailure", "no outcome"))?;
    match outcome {
        Ok(a) => Ok(json!({ "RecordId": record_id(&s, &a), "Encrypted": false })),
        Err(StreamError::Throughput { .. }) => Err(slow_down()),
        Err(e) => Err(e.into()),
    }
}

/// Firehose's answer to a throttled put.
fn slow_down() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailableException",
        "Slow down.",
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutBatchIn<'a> {
    #[serde(flatten)]
    stream: NameIn,
    #[serde(borrow)]
    records: Option<Vec<RecordIn<'a>>>,
}

async fn put_record_batch(ctx: &Ctx, req: PutBatchIn<'_>) -> Result<Value, ApiError> {
    let records = check_batch(req.records, MAX_BATCH_RECORDS, check_record)?;
    let total: usize = records.iter().map(|r| r.data.len()).sum();
    if total > MAX_BATCH_BYTES {
        return Err(ApiError::invalid(format!(
            "Records size exceeds {} MB limit",
            MAX_BATCH_BYTES >> 20
        )));
    }
    let s = stream(ctx, &req.stream)?;
    let outcomes = append(ctx, KIND, s.name(), records).await?;
    let mut failed = 0;
    let responses: Vec<Value> = outcomes
        .into_iter()
        .map(|o| match o {
            Ok(a) => json!({ "RecordId": record_id(&s, &a) }),
            Err(e) => {
                failed += 1;
                match e {
                    StreamError::Throughput { .. } => {
                        json!({ "ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down." })
                    }
                    other => json!({ "ErrorCode": "InternalFailure", "ErrorMessage": other.to_string() }),
                }
            }
        })
        .collect();
    Ok(json!({ "FailedPutCount": failed, "Encrypted": false, "RequestResponses": responses }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn a_redshift_destination_becomes_the_delivery_and_drops_the_password() {
        let body = br#"{
            "RoleARN": "arn:aws:iam::1:role/r", "ClusterJDBCURL": "jdbc:redshift://x:5439/dev",
            "Username": "admin", "Password": "hunter2",
            "CopyCommand": {"DataTableName": "sensor.message", "DataTableColumns": "guid, ts,temp",
                            "CopyOptions": "json 'auto'"},
            "S3Configuration": {"RoleARN": "r", "BucketARN": "b",
                                "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 60}}
        }"#;
        let cfg: RedshiftIn = serde_json::from_slice(body).unwrap();
        let d = delivery_from(cfg).unwrap();
        assert_eq!(
            d,
            Delivery {
                table: "sensor.message".into(),
                columns: vec!["guid".into(), "ts".into(), "temp".into()],
                copy_options: "json 'auto'".into(),
                interval_seconds: 60,
                size_mb: 1,
            }
        );
        assert!(!serde_json::to_string(&d).unwrap().contains("hunter2"));
        let bad: RedshiftIn =
            serde_json::from_str(r#"{"CopyCommand": {}, "BufferingHints": {"SizeInMBs": 0}}"#).unwrap();
        let err = delivery_from(bad).unwrap_err();
        assert_eq!(err.code, "ValidationException");
        assert!(
            err.message.starts_with("2 validation errors detected"),
            "{}",
            err.message
        );
    }
}
