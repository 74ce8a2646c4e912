//! Errors as AWS JSON 1.1 reports them: HTTP 400 (500 for the server's own faults), the code in
//! `x-amzn-ErrorType` and in the body's `__type`, and a `message`.

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::error::{StreamError, StreamKind};

use super::ACCOUNT;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: impl Into<Cow<'static, str>>, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::bad("InvalidArgumentException", message)
    }

    /// Constraint violations of the service model, worded as AWS's request validation words them
    /// (`1 validation error detected: Value … at 'records' failed to satisfy constraint: …`).
    pub fn validation(violations: &[String]) -> ApiError {
        let n = violations.len();
        ApiError::bad(
            "ValidationException",
            format!(
                "{n} validation error{} detected: {}",
                if n == 1 { "" } else { "s" },
                violations.join("; ")
            ),
        )
    }

    pub fn serialization(message: impl Into<String>) -> ApiError {
        ApiError::bad("SerializationException", message)
    }

    pub fn unknown_operation(target: &str) -> ApiError {
        ApiError::bad(
            "UnknownOperationException",
            if target.is_empty() {
                "no operation: send X-Amz-Target: Kinesis_20131202.<Operation> or Firehose_20150804.<Operation>"
                    .to_string()
            } else {
                format!("unknown operation {target}")
            },
        )
    }

    pub fn not_found(kind: StreamKind, name: &str) -> ApiError {
        ApiError::bad(
            "ResourceNotFoundException",
            format!("{} {name} under account {ACCOUNT} not found.", noun(kind)),
        )
    }

    pub fn in_use(kind: StreamKind, name: &str) -> ApiError {
        ApiError::bad(
            "ResourceInUseException",
            format!("{} {name} under account {ACCOUNT} already exists.", noun(kind)),
        )
    }

    /// The error body, `{"__type": …, "message": …}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "__type": self.code, "message": self.message })
    }
}

/// How Kinesis and Firehose name their streams in messages.
fn noun(kind: StreamKind) -> &'static str {
    match kind {
        StreamKind::Kinesis => "Stream",
        StreamKind::Firehose => "Firehose",
    }
}

impl From<StreamError> for ApiError {
    fn from(err: StreamError) -> ApiError {
        match &err {
            StreamError::NotFound { kind, name } => ApiError::not_found(*kind, name),
            StreamError::AlreadyExists { kind, name } => ApiError::in_use(*kind, name),
            StreamError::Throughput { stream, shard } => ApiError::bad(
                "ProvisionedThroughputExceededException",
                throughput_message(stream, shard),
            ),
            _ => {
                let status = if err.is_server_fault() {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::BAD_REQUEST
                };
                ApiError::new(status, err.api_code(), err.to_string())
            }
        }
    }
}

/// Kinesis' wording for a throttled record.
pub fn throughput_message(stream: &str, shard: &str) -> String {
    format!("Rate exceeded for shard {shard} in stream {stream} under account {ACCOUNT}.")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = super::wire::json_response(self.status, &self.body());
        if let Ok(value) = axum::http::HeaderValue::from_str(&self.code) {
            response.headers_mut().insert("x-amzn-ErrorType", value);
        }
        response
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn errors_have_the_aws_json_shape() {
        let err = ApiError::from(StreamError::NotFound {
            kind: StreamKind::Kinesis,
            name: "orders".into(),
        });
        assert_eq!(
            err.body(),
            serde_json::json!({
                "__type": "ResourceNotFoundException",
                "message": "Stream orders under account 000000000000 not found."
            })
        );
        let response = err.into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert_eq!(response.headers()["x-amzn-ErrorType"], "ResourceNotFoundException");
        assert_eq!(response.headers()["content-type"], "application/x-amz-json-1.1");
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["__type"], "ResourceNotFoundException");

        let fault = ApiError::from(StreamError::Unavailable {
            stream: "s".into(),
            reason: "disk".into(),
        });
        assert_eq!(fault.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            ApiError::validation(&["a".into(), "b".into()]).message,
            "2 validation errors detected: a; b"
        );
        assert_eq!(
            ApiError::from(StreamError::AlreadyExists {
                kind: StreamKind::Firehose,
                name: "f".into()
            })
            .message,
            "Firehose f under account 000000000000 already exists."
        );
    }
}
