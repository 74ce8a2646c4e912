//! AWS JSON 1.1 on the wire: reading bodies, decoding requests, base64 blobs, epoch-second
//! timestamps and the JSON responses.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use serde::Deserialize;

use super::{ApiError, MAX_BODY_BYTES, MAX_DRAINED_BYTES};

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Standard base64, padded or not on input (SDKs pad; hand-written clients sometimes do not),
/// padded on output as AWS sends it.
pub const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub fn json_response(status: StatusCode, value: &serde_json::Value) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut response = (status, bytes).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    response
}

/// Reads the whole body (up to [`MAX_BODY_BYTES`]). A client that goes away mid-body ends here
/// with an error, before any operation has seen a byte of the request. A larger body is read to
/// its end without being kept (up to [`MAX_DRAINED_BYTES`]) and refused with `413`.
pub async fn read_body(headers: &HeaderMap, body: Body) -> Result<Vec<u8>, ApiError> {
    use http_body_util::BodyExt as _;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let mut keep = declared.is_none_or(|n| n <= MAX_BODY_BYTES as u64);
    if declared.is_some_and(|n| n > MAX_DRAINED_BYTES) {
        return Err(too_large());
    }
    let capacity = declared.filter(|_| keep).map_or(0, |n| n as usize);
    let mut buf = Vec::with_capacity(capacity);
    let mut seen = 0u64;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ApiError::serialization(format!("the request body could not be read: {e}")))?;
        if let Ok(data) = frame.into_data() {
            seen += data.len() as u64;
            if seen > MAX_DRAINED_BYTES {
                return Err(too_large());
            }
            if keep && buf.len() + data.len() > MAX_BODY_BYTES {
                keep = false;
                buf = Vec::new();
            }
            if keep {
                buf.extend_from_slice(&data);
            }
        }
    }
    if keep {
        Ok(buf)
    } else {
        Err(too_large())
    }
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "InvalidArgumentException",
        format!(
            "the request body is larger than {} MiB; PutRecords takes up to 500 records and 10 MiB, PutRecordBatch \
             up to 500 records and 4 MiB",
            MAX_BODY_BYTES >> 20
        ),
    )
}

/// Decodes a request body; an empty body is `{}` (AWS accepts it for operations without
/// required members). Wrong JSON or wrong member types are a `SerializationException`, as AWS
/// reports them.
pub fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| ApiError::serialization(format!("the request body is not valid: {e}")))
}

/// A blob member, base64 in the JSON.
pub fn decode_blob(text: &str, member: &str) -> Result<Vec<u8>, ApiError> {
    BASE64
        .decode(text.as_bytes())
        .map_err(|e| ApiError::serialization(format!("{member} is not valid base64: {e}")))
}

pub fn encode_blob(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// A timestamp as AWS JSON sends it: epoch seconds, with milliseconds as the fraction.
pub fn epoch_seconds(ms: i64) -> serde_json::Value {
    let seconds = ms as f64 / 1000.0;
    serde_json::Number::from_f64(seconds)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// AWS's message for a missing member.
pub fn not_null(path: &str) -> String {
    format!("Value null at '{path}' failed to satisfy constraint: Member must not be null")
}

/// The records of a PutRecords / PutRecordBatch request, each checked by `check`, with the
/// validation errors AWS gives for a missing, empty or too long list; every member's violations
/// are reported together, numbered from 1 as AWS numbers list members.
pub fn check_batch<T, R>(
    entries: Option<Vec<T>>,
    max: usize,
    mut check: impl FnMut(&T, &str, &mut Vec<String>) -> Result<Option<R>, ApiError>,
) -> Result<Vec<R>, ApiError> {
    let entries = entries.ok_or_else(|| ApiError::validation(&[not_null("records")]))?;
    if entries.is_empty() {
        return Err(ApiError::validation(&[
            "Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1"
                .to_string(),
        ]));
    }
    if entries.len() > max {
        return Err(ApiError::validation(&[format!(
            "Value '[...]' at 'records' failed to satisfy constraint: Member must have length less than or equal \
             to {max}"
        )]));
    }
    let mut violations = Vec::new();
    let mut records = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        if let Some(r) = check(entry, &format!("records.{}.member.", i + 1), &mut violations)? {
            records.push(r);
        }
    }
    if !violations.is_empty() {
        return Err(ApiError::validation(&violations));
    }
    Ok(records)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn blobs_decode_padded_or_not_and_encode_padded() {
        assert_eq!(decode_blob("aGk=", "Data").unwrap(), b"hi");
        assert_eq!(decode_blob("aGk", "Data").unwrap(), b"hi");
        assert_eq!(encode_blob(b"hi"), "aGk=");
        let err = decode_blob("!!", "Data").unwrap_err();
        assert_eq!(err.code, "SerializationException");
        assert_eq!(epoch_seconds(1_700_000_000_123), serde_json::json!(1_700_000_000.123));
    }

    #[test]
    fn an_empty_body_is_an_empty_object_and_garbage_is_a_serialization_error() {
        let v: serde_json::Value = parse(b"").unwrap();
        assert_eq!(v, serde_json::json!({}));
        let err = parse::<serde_json::Value>(b"not json").unwrap_err();
        assert_eq!(err.code, "SerializationException");
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
    }
}
