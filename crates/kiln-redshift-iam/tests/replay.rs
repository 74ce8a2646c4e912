//! GetClusterCredentials and redshift-serverless GetCredentials against HTTP answers replayed
//! into the real `aws-sdk-redshift` / `aws-sdk-redshiftserverless` clients
//! (`aws-smithy-http-client`'s `StaticReplayClient`).
//!
//! No AWS account is reachable from Kiln's test machines, so the answers are hand-written in
//! the shapes the API references document — Redshift's awsQuery XML
//! (`GetClusterCredentialsResponse`, `ErrorResponse` with `ClusterNotFound` / `AccessDenied`)
//! and Redshift Serverless's JSON 1.1 (`dbUser`, `dbPassword`, `expiration` in epoch seconds,
//! `__type` errors) — not captured from a live endpoint. After each call the request the SDK
//! really sent is checked: endpoint, protocol, SigV4 scope, and every parameter.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{future, ProvideCredentials, SharedCredentialsProvider};
use kiln_project::{Target, TargetKind};
use kiln_redshift_iam::testing::{self, Answer, StaticReplayClient, ACCESS_KEY, REGION, SECRET_KEY};
use kiln_redshift_iam::{IamCredentials, IamError, IamSettings, SdkConfig};
use serde_json::{json, Value};

const PASSWORD: &str = "kiln-TEMP-pw/3xq+Z9";

fn target(settings: Value) -> Target {
    let mut t = Target::embedded(std::path::Path::new("/nonexistent"), "kiln");
    t.kind = TargetKind::Redshift;
    t.path = None;
    t.host = Some("kiln-analytics.c9xyzabc.us-east-1.redshift.amazonaws.com".into());
    t.user = Some("kiln_ci".into());
    t.database = Some("dev".into());
    t.settings = settings.as_object().cloned().unwrap();
    t
}

fn cluster_target() -> Target {
    target(json!({
        "method": "iam",
        "cluster_id": "kiln-analytics",
        "db_groups": ["analysts", "loaders"],
        "autocreate": true,
        "iam_duration_seconds": 1800,
        "region": REGION,
    }))
}

fn serverless_target() -> Target {
    target(json!({"method": "iam", "workgroup_name": "kiln-wg", "region": REGION}))
}

fn credentials(target: &Target, answers: Vec<Answer>) -> (IamCredentials, StaticReplayClient) {
    let (sdk, client) = testing::replay(answers);
    (
        IamCredentials::new(IamSettings::from_target(target).unwrap(), sdk),
        client,
    )
}

/// One request the SDK sent.
struct Sent {
    uri: String,
    header: BTreeMap<String, String>,
    body: String,
}

fn sent(client: &StaticReplayClient) -> Vec<Sent> {
    client
        .actual_requests()
        .map(|r| Sent {
            uri: r.uri().to_string(),
            header: r
                .headers()
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
                .collect(),
            body: String::from_utf8(r.body().bytes().unwrap().to_vec()).unwrap(),
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn assert_signed_for(request: &Sent, service: &str) {
    let auth = &request.header["authorization"];
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/"))
            && auth.contains(&format!("/{REGION}/{service}/aws4_request")),
        "not signed for {service}: {auth}"
    );
}

fn assert_no_secret(err: &IamError) {
    let text = format!("{err} {err:?} {}", err.hint());
    for secret in [SECRET_KEY, ACCESS_KEY, PASSWORD] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
}

#[test]
fn get_cluster_credentials_sends_every_setting_and_returns_the_login() {
    let (creds, client) = credentials(
        &cluster_target(),
        vec![testing::cluster_credentials(
            "IAM:kiln_ci",
            PASSWORD,
            "2030-01-01T00:00:00Z",
        )],
    );
    let login = creds.login_blocking().unwrap();
    assert_eq!(login.user, "IAM:kiln_ci");
    assert_eq!(login.password(), PASSWORD);
    assert_eq!(login.expires, UNIX_EPOCH + Duration::from_secs(1_893_456_000));
    assert!(!format!("{login:?}").contains(PASSWORD), "{login:?}");

    // Cached: it has years to live, so a second login asks nothing.
    let again = creds.login_blocking().unwrap();
    assert_eq!(again.password(), PASSWORD);

    let requests = sent(&client);
    assert_eq!(requests.len(), 1, "the second login must come from the cache");
    let request = &requests[0];
    assert_eq!(request.uri, format!("https://redshift.{REGION}.amazonaws.com/"));
    assert_eq!(request.header["content-type"], "application/x-www-form-urlencoded");
    assert_signed_for(request, "redshift");
    let params = form(&request.body);
    let expected: BTreeMap<String, String> = [
        ("Action", "GetClusterCredentials"),
        ("Version", "2012-12-01"),
        ("ClusterIdentifier", "kiln-analytics"),
        ("DbUser", "kiln_ci"),
        ("DbName", "dev"),
        ("DurationSeconds", "1800"),
        ("AutoCreate", "true"),
        ("DbGroups.DbGroup.1", "analysts"),
        ("DbGroups.DbGroup.2", "loaders"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(params, expected, "{}", request.body);
}

#[test]
fn the_dbt_defaults_ask_for_900_seconds_without_groups() {
    let t = target(json!({"method": "iam", "cluster_id": "kiln-analytics", "iam_profile": "ci"}));
    let (creds, client) = credentials(
        &t,
        vec![testing::cluster_credentials(
            "IAM:kiln_ci",
            PASSWORD,
            "2030-01-01T00:00:00Z",
        )],
    );
    creds.login_blocking().unwrap();
    let params = form(&sent(&client)[0].body);
    assert_eq!(params["DurationSeconds"], "900");
    assert_eq!(params["AutoCreate"], "false");
    assert!(!params.keys().any(|k| k.starts_with("DbGroups")), "{params:?}");
}

#[test]
fn access_denied_names_the_aws_identity_and_the_permission() {
    let (creds, _client) = credentials(
        &cluster_target(),
        vec![testing::query_error(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: \
             redshift:GetClusterCredentials on resource: \
             arn:aws:redshift:us-east-1:123456789012:dbuser:kiln-analytics/kiln_ci",
        )],
    );
    let err = creds.login_blocking().unwrap_err();
    assert!(matches!(err, IamError::AccessDenied { .. }), "{err:?}");
    assert_eq!(err.key(), "iam_profile");
    assert!(
        err.to_string()
            .contains("GetClusterCredentials was refused (AccessDenied)"),
        "{err}"
    );
    let hint = err.hint();
    assert!(hint.contains("redshift:GetClusterCredentials"), "{hint}");
    assert!(hint.contains("dbuser:kiln-analytics/kiln_ci"), "{hint}");
    assert!(
        hint.contains("redshift:CreateClusterUser"),
        "autocreate needs it: {hint}"
    );
    assert!(hint.contains("JoinGroup"), "db_groups need it: {hint}");
    assert_no_secret(&err);
}

#[test]
fn cluster_not_found_points_at_cluster_id_and_region() {
    let (creds, _client) = credentials(
        &cluster_target(),
        vec![testing::query_error(
            404,
            "ClusterNotFound",
            "Cluster kiln-analytics not found.",
        )],
    );
    let err = creds.login_blocking().unwrap_err();
    assert!(matches!(err, IamError::NotFound { .. }), "{err:?}");
    assert_eq!(err.key(), "cluster_id");
    assert_eq!(
        err.to_string(),
        "GetClusterCredentials: cluster `kiln-analytics` does not exist in region `us-east-1`"
    );
    assert!(err.hint().contains("`region`"), "{}", err.hint());
    assert_no_secret(&err);
}

#[test]
fn invalid_aws_keys_point_at_the_aws_profile() {
    let t = target(json!({"method": "iam", "cluster_id": "kiln-analytics", "iam_profile": "ci"}));
    let (creds, _client) = credentials(
        &t,
        vec![testing::query_error(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )],
    );
    let err = creds.login_blocking().unwrap_err();
    assert!(matches!(err, IamError::BadAwsCredentials { .. }), "{err:?}");
    assert_eq!(err.key(), "iam_profile");
    assert!(err.hint().contains("aws sso login --profile ci"), "{}", err.hint());
    assert_no_secret(&err);
}

#[derive(Debug)]
struct NoCredentials;

impl ProvideCredentials for NoCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(
            "no providers in chain provided credentials",
        )))
    }
}

#[test]
fn no_aws_credentials_is_told_before_anything_is_sent() {
    let (sdk, client) = testing::replay(vec![]);
    let sdk: SdkConfig = sdk
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(NoCredentials))
        .build();
    let creds = IamCredentials::new(IamSettings::from_target(&cluster_target()).unwrap(), sdk);
    let err = creds.login_blocking().unwrap_err();
    assert!(matches!(err, IamError::NoAwsCredentials { .. }), "{err:?}");
    assert_eq!(err.key(), "iam_profile");
    assert!(err.hint().contains("AWS_PROFILE"), "{}", err.hint());
    assert_eq!(sent(&client).len(), 0);
}

fn epoch_in(seconds: u64) -> i64 {
    (SystemTime::now() + Duration::from_secs(seconds))
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn serverless_get_credentials_sends_the_workgroup_and_returns_the_login() {
    let (creds, client) = credentials(
        &serverless_target(),
        vec![testing::serverless_credentials(
            "IAMR:kiln-ci-role",
            PASSWORD,
            epoch_in(3600),
        )],
    );
    let login = creds.login_blocking().unwrap();
    assert_eq!(login.user, "IAMR:kiln-ci-role");
    assert_eq!(login.password(), PASSWORD);
    assert!(login.valid_for(Duration::from_secs(3000)) && !login.valid_for(Duration::from_secs(3700)));

    let requests = sent(&client);
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        request.uri,
        format!("https://redshift-serverless.{REGION}.amazonaws.com/")
    );
    assert_eq!(request.header["content-type"], "application/x-amz-json-1.1");
    assert_eq!(request.header["x-amz-target"], "RedshiftServerless.GetCredentials");
    assert_signed_for(request, "redshift-serverless");
    let body: Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(
        body,
        json!({"workgroupName": "kiln-wg", "dbName": "dev", "durationSeconds": 900})
    );
}

#[test]
fn credentials_within_a_minute_of_expiry_are_fetched_again() {
    let (creds, client) = credentials(
        &serverless_target(),
        vec![
            testing::serverless_credentials("IAMR:kiln-ci-role", "first-pw", epoch_in(30)),
            testing::serverless_credentials("IAMR:kiln-ci-role", "second-pw", epoch_in(900)),
        ],
    );
    assert_eq!(creds.login_blocking().unwrap().password(), "first-pw");
    assert_eq!(creds.login_blocking().unwrap().password(), "second-pw");
    assert_eq!(creds.login_blocking().unwrap().password(), "second-pw");
    assert_eq!(sent(&client).len(), 2);
}

#[test]
fn an_unknown_workgroup_points_at_workgroup_name() {
    let (creds, _client) = credentials(
        &serverless_target(),
        vec![testing::json_error(
            400,
            "ResourceNotFoundException",
            "Workgroup kiln-wg not found",
        )],
    );
    let err = creds.login_blocking().unwrap_err();
    assert_eq!(err.key(), "workgroup_name");
    assert!(err.to_string().contains("workgroup `kiln-wg`"), "{err}");
    assert_no_secret(&err);
}

#[tokio::test]
async fn login_works_inside_another_runtime_too() {
    let (creds, _client) = credentials(
        &cluster_target(),
        vec![testing::cluster_credentials(
            "IAM:kiln_ci",
            PASSWORD,
            "2030-01-01T00:00:00Z",
        )],
    );
    // The blocking form from inside a runtime (the studio calls `open` from one) …
    assert_eq!(creds.login_blocking().unwrap().user, "IAM:kiln_ci");
    // … and the async form, as the connection pool calls it.
    assert_eq!(creds.login().await.unwrap().user, "IAM:kiln_ci");
}
