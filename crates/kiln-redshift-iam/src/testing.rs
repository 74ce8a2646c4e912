//! Test support (feature `testing`): an [`SdkConfig`] whose HTTP client replays hand-written
//! answers in the documented AWS shapes into the real SDK clients, with fake static credentials
//! and a fixed region, so nothing reaches the network. The requests the SDK sent are read back
//! from the returned [`StaticReplayClient`] (`actual_requests()`).

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_http_client::test_util::ReplayEvent;
pub use aws_smithy_http_client::test_util::StaticReplayClient;
use aws_smithy_types::body::SdkBody;

/// Looks like an access key id, so tests can check it is masked wherever it might show.
pub const ACCESS_KEY: &str = "AKIAKILNTESTFAKE0001";
pub const SECRET_KEY: &str = "kiln/fake+secret/never-in-a-message";
pub const REGION: &str = "us-east-1";

/// One HTTP answer.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

/// A GetClusterCredentials success (awsQuery protocol: an XML document; `expiration` in
/// ISO 8601, e.g. `2030-01-01T00:00:00Z`).
pub fn cluster_credentials(user: &str, password: &str, expiration: &str) -> Answer {
    Answer {
        status: 200,
        content_type: "text/xml",
        body: format!(
            "<GetClusterCredentialsResponse xmlns=\"http://redshift.amazonaws.com/doc/2012-12-01/\">\n\
             \x20 <GetClusterCredentialsResult>\n\
             \x20   <DbUser>{user}</DbUser>\n\
             \x20   <Expiration>{expiration}</Expiration>\n\
             \x20   <DbPassword>{password}</DbPassword>\n\
             \x20 </GetClusterCredentialsResult>\n\
             \x20 <ResponseMetadata><RequestId>9f4b7f4e-0000-4000-8000-kiln00000001</RequestId></ResponseMetadata>\n\
             </GetClusterCredentialsResponse>\n"
        ),
    }
}

/// An awsQuery error document (`ErrorResponse`), as Redshift's management API sends them.
pub fn query_error(status: u16, code: &str, message: &str) -> Answer {
    Answer {
        status,
        content_type: "text/xml",
        body: format!(
            "<ErrorResponse xmlns=\"http://redshift.amazonaws.com/doc/2012-12-01/\">\n\
             \x20 <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\n\
             \x20 <RequestId>9f4b7f4e-0000-4000-8000-kiln00000002</RequestId>\n\
             </ErrorResponse>\n"
        ),
    }
}

/// A redshift-serverless GetCredentials success (awsJson1_1; `expiration` in epoch seconds).
pub fn serverless_credentials(user: &str, password: &str, expiration: i64) -> Answer {
    Answer {
        status: 200,
        content_type: "application/x-amz-json-1.1",
        body: format!(
            "{{\"dbUser\":\"{user}\",\"dbPassword\":\"{password}\",\"expiration\":{expiration},\
             \"nextRefreshTime\":{}}}",
            expiration - 600
        ),
    }
}

/// An awsJson1_1 error (`__type`).
pub fn json_error(status: u16, code: &str, message: &str) -> Answer {
    Answer {
        status,
        content_type: "application/x-amz-json-1.1",
        body: format!("{{\"__type\":\"{code}\",\"message\":\"{message}\"}}"),
    }
}

/// An AWS configuration whose HTTP client serves `answers` in order.
pub fn replay(answers: Vec<Answer>) -> (SdkConfig, StaticReplayClient) {
    let events = answers
        .into_iter()
        .map(|answer| {
            // The expected request is not compared by the client; tests check
            // `actual_requests()` themselves.
            let mut request = http::Request::new(SdkBody::empty());
            *request.uri_mut() = http::Uri::from_static("https://example.invalid/");
            let mut response = http::Response::new(SdkBody::from(answer.body));
            *response.status_mut() =
                http::StatusCode::from_u16(answer.status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
            response.headers_mut().insert(
                http::header::CONTENT_TYPE,
                http::HeaderValue::from_static(answer.content_type),
            );
            ReplayEvent::new(request, response)
        })
        .collect();
    let client = StaticReplayClient::new(events);
    let sdk = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            ACCESS_KEY,
            SECRET_KEY,
            None,
            None,
            "kiln-test",
        )))
        .http_client(client.clone())
        .build();
    (sdk, client)
}
