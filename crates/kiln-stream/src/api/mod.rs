//! The HTTP endpoint that AWS producers and consumers talk to unmodified: the Kinesis Data
//! Streams (`Kinesis_20131202.*`) and Kinesis Data Firehose (`Firehose_20150804.*`) operations
//! over AWS JSON 1.1 — `POST /`, the operation in `X-Amz-Target`, `Data` fields in base64.
//!
//! boto3/botocore, the AWS CLI and the Rust SDK all speak AWS JSON 1.1 to both services (their
//! service models list no other protocol), so that is the only one served. A client sending CBOR
//! (the Java SDK's and KCL's default for Kinesis) is told how to switch it off.
//!
//! Any `Authorization` header is accepted and none is verified: the endpoint only ever binds to
//! a loopback address. Neither it nor any credential in a request is logged or stored.

mod error;
mod firehose;
mod iterator;
mod kinesis;
mod wire;

use std::future::{Future, IntoFuture as _};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::hub::Hub;

pub use error::ApiError;
pub use iterator::ShardIterator;

/// The port `kiln stream serve` listens on unless told otherwise (kinesalite's 4567 and
/// LocalStack's 4566 stay free for those who also run them).
pub const DEFAULT_PORT: u16 = 4577;

/// The account id in ARNs and messages.
pub const ACCOUNT: &str = "000000000000";

/// The region in ARNs when a request carries no SigV4 credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The largest request body held in memory: 64 MiB, over four times the largest valid request
/// (a PutRecords of 10 MiB is about 14 MiB of JSON once base64-encoded), so that a request over
/// a documented limit is read whole and answered with the error Kinesis gives for that limit.
pub const MAX_BODY_BYTES: usize = 64 << 20;

/// A body larger than [`MAX_BODY_BYTES`] is still read — and thrown away — up to this size, so
/// the client hears the `413` instead of a connection cut mid-upload (which SDKs take for a
/// network failure and retry). Beyond it the connection is closed.
pub const MAX_DRAINED_BYTES: u64 = 1 << 30;

/// How long requests in flight may take to finish once the endpoint is asked to stop.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Everything an operation needs: the hub and where the request says it is.
pub(crate) struct Ctx {
    pub hub: Arc<Hub>,
    pub region: String,
}

/// The endpoint's routes: `POST /` dispatching on `X-Amz-Target`.
pub fn router(hub: Arc<Hub>) -> Router {
    Router::new()
        .fallback(handle)
        // The body is read by `handle` with its own limit (and an AWS-shaped error past it).
        .layer(axum::extract::DefaultBodyLimit::disable())
        .with_state(hub)
}

/// Serves the endpoint on `listener` until `shutdown` resolves. Refuses a listener that is not
/// bound to a loopback address: signatures are not checked, so the endpoint must not be
/// reachable from other machines.
pub async fn serve(
    listener: tokio::net::TcpListener,
    hub: Arc<Hub>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "the Kinesis/Firehose endpoint accepts any credentials, so it only listens on a loopback \
                 address (127.0.0.1 or ::1), not {addr}"
            ),
        ));
    }
    // Once `shutdown` resolves, requests in flight get `SHUTDOWN_GRACE` to finish; then the
    // endpoint stops regardless, so a client stalled mid-upload cannot keep it up.
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, router(hub)).with_graceful_shutdown(async move {
        shutdown.await;
        let _ = stopping.send(());
    });
    let grace_over = async move {
        match stopped.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            // The server ended on its own.
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        served = server.into_future() => served,
        () = grace_over => Ok(()),
    }
}

async fn handle(State(hub): State<Arc<Hub>>, method: Method, uri: Uri, headers: HeaderMap, body: Body) -> Response {
    let response = match dispatch(hub, &method, &uri, &headers, body).await {
        Ok(value) => wire::json_response(StatusCode::OK, &value),
        Err(err) => err.into_response(),
    };
    with_request_id(response)
}

async fn dispatch(
    hub: Arc<Hub>,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<serde_json::Value, ApiError> {
    let content_type = header(headers, "content-type").unwrap_or_default().to_ascii_lowercase();
    if content_type.contains("cbor") || uri.path().starts_with("/service/") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "SerializationException",
            "this endpoint speaks AWS JSON 1.1 (application/x-amz-json-1.1), not CBOR: switch CBOR off in \
             the client (Java SDK 2.x and KCL 2+: AWS_CBOR_ENABLED=false or -Daws.cborEnabled=false; Java \
             SDK 1.x and the KPL: AWS_CBOR_DISABLE=true)",
        ));
    }
    let target = header(headers, "x-amz-target").unwrap_or_default();
    if *method != Method::POST || uri.path() != "/" {
        return Err(ApiError::unknown_operation(&format!("{method} {}", uri.path())));
    }
    let (service, op) = target.split_once('.').unwrap_or((target, ""));
    let body = wire::read_body(headers, body).await?;
    let ctx = Ctx {
        hub,
        region: header(headers, "authorization")
            .and_then(region_from_authorization)
            .unwrap_or_else(|| DEFAULT_REGION.to_string()),
    };
    match service {
        "Kinesis_20131202" => kinesis::dispatch(&ctx, op, &body).await,
        "Firehose_20150804" => firehose::dispatch(&ctx, op, &body).await,
        _ => Err(ApiError::unknown_operation(target)),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A request id per response, as AWS sends one (SDKs put it in their errors and logs).
fn with_request_id(mut response: Response) -> Response {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let t = crate::log::now_ms() as u64;
    let id = format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        (t >> 16) as u32,
        t as u16,
        (n >> 48) & 0xfff,
        (n >> 36) & 0xfff,
        n & 0xffff_ffff_ffff
    );
    if let Ok(value) = axum::http::HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-amzn-RequestId", value);
    }
    response
}

/// The region of a SigV4 `Authorization` header's credential scope
/// (`Credential=AKID/20240101/eu-west-1/kinesis/aws4_request`). Only the scope is read.
pub fn region_from_authorization(auth: &str) -> Option<String> {
    let start = auth.find("Credential=")? + "Credential=".len();
    let scope = auth[start..].split([',', ' ']).next()?;
    let region = scope.split('/').nth(2)?;
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    ok.then(|| region.to_string())
}

/// A Kinesis stream's ARN.
pub fn stream_arn(region: &str, name: &str) -> String {
    format!("arn:aws:kinesis:{region}:{ACCOUNT}:stream/{name}")
}

/// A Firehose delivery stream's ARN.
pub fn delivery_stream_arn(region: &str, name: &str) -> String {
    format!("arn:aws:firehose:{region}:{ACCOUNT}:deliverystream/{name}")
}

/// The stream name in an ARN of `service` (`kinesis` or `firehose`) whose resource is
/// `<kind>/<name>` (`stream` or `deliverystream`). Any partition, region and account are
/// accepted: clients build ARNs from their own configuration.
pub fn name_from_arn<'a>(arn: &'a str, service: &str, kind: &str) -> Option<&'a str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(svc), Some(_region), Some(_account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if svc != service {
        return None;
    }
    let name = resource.strip_prefix(kind)?.strip_prefix('/')?;
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_region_comes_from_the_credential_scope_only() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/eu-west-1/kinesis/aws4_request, \
                    SignedHeaders=host;x-amz-date, Signature=abc";
        assert_eq!(region_from_authorization(auth).as_deref(), Some("eu-west-1"));
        assert_eq!(region_from_authorization("Bearer x"), None);
        assert_eq!(
            region_from_authorization("AWS4-HMAC-SHA256 Credential=A/2024/EVIL\"/k/aws4_request"),
            None
        );
    }

    #[test]
    fn arns_name_their_stream_and_round_trip() {
        let arn = stream_arn("us-west-2", "orders");
        assert_eq!(arn, "arn:aws:kinesis:us-west-2:000000000000:stream/orders");
        assert_eq!(name_from_arn(&arn, "kinesis", "stream"), Some("orders"));
        assert_eq!(
            name_from_arn(
                "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b-c",
                "kinesis",
                "stream"
            ),
            Some("a.b-c")
        );
        let fh = delivery_stream_arn("us-east-1", "sensors");
        assert_eq!(name_from_arn(&fh, "firehose", "deliverystream"), Some("sensors"));
        assert_eq!(name_from_arn(&fh, "kinesis", "stream"), None);
        assert_eq!(
            name_from_arn("arn:aws:kinesis:us-east-1:0:stream/", "kinesis", "stream"),
            None
        );
        assert_eq!(
            name_from_arn("arn:aws:kinesis:us-east-1:0:stream/s/consumer/c:1", "kinesis", "stream"),
            None
        );
        assert_eq!(name_from_arn("orders", "kinesis", "stream"), None);
    }
}
