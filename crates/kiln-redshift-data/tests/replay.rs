//! The Data API executor against HTTP exchanges replayed into the real `aws-sdk-redshiftdata`
//! client (`aws-smithy-http-client`'s `StaticReplayClient`).
//!
//! No AWS account is reachable from Kiln's test machines, so the exchanges in
//! `tests/fixtures/*.json` are written by hand in the JSON 1.1 shapes the Redshift Data API
//! reference documents (`X-Amz-Target: RedshiftData.<Operation>`, the operations' request and
//! response members, `__type` error bodies) rather than captured from a live endpoint. Each test
//! replays one file: the responses are served in order, and afterwards every request the SDK
//! sent is checked against the file (operation, URI, content type, SigV4 signature scope, and
//! the JSON body — `"*"` matching any non-empty string, for the random `ClientToken`). Fake
//! static credentials and a fixed region; nothing reaches the network.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_redshiftdata::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use kiln_pgsql::{Executor, Flow};
use kiln_project::{Target, TargetKind};
use kiln_redshift_data::{DataApiExecutor, DataApiSettings, TableColumn, TableInfo, Timing};
use kiln_warehouse::{AdapterError, ConnectStage};
use serde_json::{json, Value};

const ACCESS_KEY: &str = "AKIAKILNTESTFAKE0001";
const SECRET_KEY: &str = "kiln/fake+secret/never-in-a-message";
const REGION: &str = "us-east-1";
const SECRET_ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:kiln/redshift-dev-AbCdEf";

/// One fixture: what the SDK must send, and what it is answered.
struct Fixture {
    client: StaticReplayClient,
    expected: Vec<Value>,
}

fn fixture(name: &str) -> Fixture {
    fixture_prefix(name, usize::MAX)
}

/// The first `n` exchanges of a fixture.
fn fixture_prefix(name: &str, n: usize) -> Fixture {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let exchanges: Vec<Value> = doc["exchanges"].as_array().unwrap().iter().take(n).cloned().collect();
    let events = exchanges
        .iter()
        .map(|x| {
            let request = http::Request::builder()
                .method("POST")
                .uri(format!("https://redshift-data.{REGION}.amazonaws.com/"))
                .header("content-type", "application/x-amz-json-1.1")
                .header("x-amz-target", x["request"]["target"].as_str().unwrap())
                .body(SdkBody::from(x["request"]["body"].to_string()))
                .unwrap();
            let response = &x["response"];
            let mut builder = http::Response::builder()
                .status(response["status"].as_u64().unwrap() as u16)
                .header("content-type", "application/x-amz-json-1.1");
            for (k, v) in response["headers"].as_object().unwrap() {
                builder = builder.header(k.as_str(), v.as_str().unwrap());
            }
            ReplayEvent::new(
                request,
                builder.body(SdkBody::from(response["body"].to_string())).unwrap(),
            )
        })
        .collect();
    Fixture {
        client: StaticReplayClient::new(events),
        expected: exchanges.into_iter().map(|x| x["request"].clone()).collect(),
    }
}

/// `expected` with `"*"` standing for any non-empty string.
fn assert_json_matches(expected: &Value, actual: &Value, at: &str) {
    match (expected, actual) {
        (Value::String(e), Value::String(a)) if e == "*" => assert!(!a.is_empty(), "{at}: empty"),
        (Value::Object(e), Value::Object(a)) => {
            let mut ek: Vec<_> = e.keys().collect();
            let mut ak: Vec<_> = a.keys().collect();
            ek.sort();
            ak.sort();
            assert_eq!(ek, ak, "{at}: members differ");
            for (k, v) in e {
                assert_json_matches(v, &a[k], &format!("{at}.{k}"));
            }
        }
        (e, a) => assert_eq!(e, a, "{at}"),
    }
}

impl Fixture {
    /// Every exchange was used, and each request is the one the file expects.
    fn assert_requests(&self) -> Vec<Value> {
        let actual: Vec<(String, String, String, String, Value)> = self
            .client
            .actual_requests()
            .map(|r| {
                let header = |name: &str| r.headers().get(name).unwrap_or("").to_string();
                let body = std::str::from_utf8(r.body().bytes().unwrap()).unwrap();
                (
                    r.uri().to_string(),
                    header("x-amz-target"),
                    header("content-type"),
                    header("authorization"),
                    serde_json::from_str(body).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            actual.len(),
            self.expected.len(),
            "requests sent vs. exchanges in the fixture"
        );
        for (i, ((uri, target, content_type, authorization, body), expected)) in
            actual.iter().zip(&self.expected).enumerate()
        {
            assert_eq!(
                uri,
                &format!("https://redshift-data.{REGION}.amazonaws.com/"),
                "request {i}"
            );
            assert_eq!(target, expected["target"].as_str().unwrap(), "request {i}");
            assert_eq!(content_type, "application/x-amz-json-1.1", "request {i}");
            assert!(
                authorization.starts_with(&format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/"))
                    && authorization.contains(&format!("/{REGION}/redshift-data/aws4_request")),
                "request {i} is not signed for redshift-data: {authorization}"
            );
            assert_json_matches(&expected["body"], body, &format!("request {i} ({target})"));
        }
        actual.into_iter().map(|(.., body)| body).collect()
    }
}

fn target(settings: Value) -> Target {
    let mut t = Target::embedded(std::path::Path::new("/nonexistent"), "kiln");
    t.kind = TargetKind::Redshift;
    t.path = None;
    t.schema = "kiln_dev".into();
    t.database = Some("dev".into());
    t.settings = settings.as_object().cloned().unwrap();
    t
}

fn cluster_target() -> Target {
    target(json!({
        "method": "data_api",
        "cluster_identifier": "kiln-analytics",
        "secret_arn": SECRET_ARN,
        "region": REGION,
    }))
}

fn fast() -> Timing {
    Timing {
        poll_initial: Duration::from_millis(1),
        poll_factor: 1.5,
        poll_max: Duration::from_millis(5),
        retry_initial: Duration::from_millis(1),
        retry_factor: 2.0,
        retry_max: Duration::from_millis(5),
        retry_attempts: 3,
    }
}

fn sdk_config(http: &StaticReplayClient, credentials: SharedCredentialsProvider) -> aws_sdk_redshiftdata::Config {
    aws_sdk_redshiftdata::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(credentials)
        .http_client(http.clone())
        .build()
}

fn fake_credentials() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "kiln-test"))
}

fn executor_for(target: &Target, fixture: &Fixture, timing: Timing) -> DataApiExecutor {
    let settings = DataApiSettings::from_target(target).unwrap();
    DataApiExecutor::with_config(settings, sdk_config(&fixture.client, fake_credentials()))
        .unwrap()
        .with_timing(timing)
}

fn assert_no_secret(err: &AdapterError) {
    let text = format!("{err} {err:?}");
    assert!(!text.contains(SECRET_KEY), "{text}");
    assert!(!text.contains(ACCESS_KEY), "{text}");
}

/// A SELECT over several column types (int4, varchar, numeric, timestamp, timestamptz, super,
/// bool, float8, date) with NULLs: ExecuteStatement → DescribeStatement STARTED → FINISHED →
/// one GetStatementResult page. Exchanges written from the documented Data API shapes and
/// replayed into the real SDK (no AWS account is reachable here).
#[test]
fn stream_maps_column_types_and_nulls() {
    let f = fixture("stream_success");
    let exec = executor_for(&cluster_target(), &f, fast());
    assert_eq!(exec.kind(), "redshift");
    let sql = "select venueid, venuename, price, saletime, sold_at, attrs, is_active, ratio, caldate from tickit.sales_summary order by venueid";
    let result = exec.query(sql, None).unwrap();
    let types: Vec<(&str, &str)> = result
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type.as_str()))
        .collect();
    assert_eq!(
        types,
        [
            ("venueid", "integer"),
            ("venuename", "varchar(100)"),
            ("price", "numeric(8,2)"),
            ("saletime", "timestamp"),
            ("sold_at", "timestamptz"),
            ("attrs", "super"),
            ("is_active", "boolean"),
            ("ratio", "double precision"),
            ("caldate", "date"),
        ]
    );
    assert_eq!(
        result.rows,
        vec![
            vec![
                json!(1),
                json!("Gillette Stadium"),
                json!("1234.50"),
                json!("2008-01-05T14:48:00"),
                json!("2008-01-05T14:48:00.25Z"),
                json!({"tags": ["rock", "pop"], "capacity": 68756}),
                json!(true),
                json!(0.25),
                json!("2008-01-05"),
            ],
            vec![
                json!(2),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                json!(false),
                Value::Null,
                Value::Null,
            ],
        ]
    );
    assert!(!result.truncated);
    let bodies = f.assert_requests();
    assert_eq!(bodies[0]["Sql"], sql);
    assert_eq!(bodies[0]["ClusterIdentifier"], "kiln-analytics");
    assert_eq!(bodies[0]["SecretArn"], SECRET_ARN);
    assert_eq!(bodies[0]["Database"], "dev");
}

/// Two GetStatementResult pages joined by NextToken, each handed to the sink as its own batch.
/// Hand-written Data API exchanges replayed into the real SDK (no AWS account is reachable here).
#[test]
fn stream_follows_next_token_page_by_page() {
    let f = fixture("stream_pages");
    let exec = executor_for(&cluster_target(), &f, fast());
    let mut batches = Vec::new();
    exec.stream(
        "select eventid, eventname from tickit.event order by eventid",
        &mut |cols, rows| {
            assert_eq!(cols.len(), 2);
            batches.push(rows);
            Flow::More
        },
    )
    .unwrap();
    assert_eq!(
        batches,
        vec![
            vec![vec![json!(1000), json!("Gypsy")], vec![json!(1001), json!("Chicago")]],
            vec![vec![json!(1002), json!("The King and I")]],
        ]
    );
    let bodies = f.assert_requests();
    assert!(bodies[2].get("NextToken").is_none());
    assert!(bodies[3]["NextToken"].as_str().unwrap().starts_with("ARjX8"));
}

/// A sink that answers Flow::Stop after the first page: the second page is never requested (the
/// fixture is cut after the first GetStatementResult, and every exchange must be used).
/// Hand-written Data API exchanges replayed into the real SDK (no AWS account is reachable here).
#[test]
fn stream_stops_when_the_sink_says_so() {
    let f = fixture_prefix("stream_pages", 3);
    let exec = executor_for(&cluster_target(), &f, fast());
    let mut calls = 0;
    exec.stream(
        "select eventid, eventname from tickit.event order by eventid",
        &mut |_, rows| {
            calls += 1;
            assert_eq!(rows.len(), 2);
            Flow::Stop
        },
    )
    .unwrap();
    assert_eq!(calls, 1);
    f.assert_requests();
    // `query` with a limit inside the first page stops there as well.
    let f = fixture_prefix("stream_pages", 3);
    let exec = executor_for(&cluster_target(), &f, fast());
    let r = exec
        .query("select eventid, eventname from tickit.event order by eventid", Some(1))
        .unwrap();
    assert_eq!(r.rows.len(), 1);
    assert!(r.truncated);
    f.assert_requests();
}

/// A statement that FAILED: the server's Error text becomes AdapterError::Sql.
/// Hand-written Data API exchanges replayed into the real SDK (no AWS account is reachable here).
#[test]
fn failed_statement_is_a_sql_error() {
    let f = fixture("statement_failed");
    let exec = executor_for(&cluster_target(), &f, fast());
    let err = exec.query("select * from tickit.no_such_table", None).unwrap_err();
    match &err {
        AdapterError::Sql { message, .. } => {
            assert_eq!(message, "ERROR: relation \"tickit.no_such_table\" does not exist")
        }
        other => panic!("expected Sql, got {other:?}"),
    }
    f.assert_requests();
}

/// cancel() while the statement is STARTED: CancelStatement goes out for its id, the next poll
/// sees ABORTED, and the call returns Interrupted. The poll interval is long so that the order
/// of requests is fixed: the poll wakes when the cancel has been answered.
/// Hand-written Data API exchanges replayed into the real SDK (no AWS account is reachable here).
#[test]
fn cancel_sends_cancel_statement_and_interrupts() {
    let f = fixture("cancel");
    let timing = Timing {
        poll_initial: Duration::from_secs(30),
        poll_max: Duration::from_secs(30),
        ..fast()
    };
    let exec = Arc::new(executor_for(&cluster_target(), &f, timing));
    let worker = {
        let exec = exec.clone();
        std::thread::spawn(move || {
            exec.run(
                &["select count(*) from tickit.sales s1 cross join tickit.sales s2".to_string()],
                false,
            )
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while f.client.actual_requests().count() < 2 {
        assert!(Instant::now() < deadline, "the statement never started");
        std::thread::sleep(Duration::from_millis(2));
    }
    let started = Instant::now();
    exec.cancel();
    let result = worker.join().unwrap();
    assert!(matches!(result, Err(AdapterError::Interrupted)), "{result:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the poll did not wake on cancel"
    );
    let bodies = f.assert_requests();
    assert_eq!(bodies[2]["Id"], "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a");
    // A call started after the cancel is unaffected.
    let f2 = fixture("throttled_then_ok");
    let exec2 = executor_for(&cluster_target(), &f2, fast());
    exec2.cancel();
    assert_eq!(
        exec2
            .run(
                &["delete from tickit.staging_sales where saletime < '2008-01-01'".into()],
                true
            )
            .unwrap(),
        42
    );
}

/// 400 ThrottlingException on ExecuteStatement, then success: the submit is retried with the
/// same ClientToken (so the Data API cannot run it twice) and the rows affected come from
/// DescribeStatement's ResultRows. Hand-written Data API exchanges replayed into the real SDK
/// (no AWS account is reachable here).
#[test]
fn throttled_submit_is_retried_with_the_same_client_token() {
    let f = fixture("throttled_then_ok");
    let exec = executor_for(&cluster_target(), &f, fast());
    let rows = exec
        .run(
            &["delete from tickit.staging_sales where saletime < '2008-01-01'".to_string()],
            true,
        )
        .unwrap();
    assert_eq!(rows, 42);
    let bodies = f.assert_requests();
    assert_eq!(bodies[0]["ClientToken"], bodies[1]["ClientToken"]);
}

/// ActiveStatementsExceededException on every attempt: retried with back-off (3 attempts
/// here), then AdapterError::Busy telling the user to wait or lower threads.
/// Hand-written Data API exchanges replayed into the real SDK (no AWS account is reachable here).
#[test]
fn too_many_active_statements_is_busy_after_retries() {
    let f = fixture("active_statements_exceeded");
    let exec = executor_for(&cluster_target(), &f, fast());
    let err = exec
        .run(
            &["insert into tickit.sales_copy select * from tickit.sales".to_string()],
            false,
        )
        .unwrap_err();
    match &err {
        AdapterError::Busy { message, hint } => {
            assert!(message.contains("too many active statements"), "{message}");
            assert!(message.contains("cluster `kiln-analytics`"), "{message}");
            assert!(hint.contains("threads"), "{hint}");
        }
        other => panic!("expected Busy, got {other:?}"),
    }
    let bodies = f.assert_requests();
    assert!(bodies.iter().all(|b| b["ClientToken"] == bodies[0]["ClientToken"]));
}

/// Several statements with atomic = true: one BatchExecuteStatement (the Data API runs a batch
/// as one transaction) on a Serverless workgroup with the IAM identity (no SecretArn, no
/// DbUser); the rows are the last sub-statement's. Hand-written Data API exchanges replayed into
/// the real SDK (no AWS account is reachable here).
#[test]
fn atomic_statements_run_as_one_batch() {
    let f = fixture("batch_transaction");
    let t = target(json!({"workgroup_name": "kiln-serverless", "region": REGION}));
    let exec = executor_for(&t, &f, fast());
    let statements: Vec<String> = [
        "create table tickit.sales_summary__kiln_tmp as select venueid, sum(pricepaid) as revenue from tickit.sales group by venueid",
        "alter table tickit.sales_summary rename to sales_summary__kiln_backup",
        "alter table tickit.sales_summary__kiln_tmp rename to sales_summary",
        "drop table tickit.sales_summary__kiln_backup",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(exec.run(&statements, true).unwrap(), 0);
    let bodies = f.assert_requests();
    assert_eq!(bodies[0]["Sqls"], json!(statements));
    assert_eq!(bodies[0]["WorkgroupName"], "kiln-serverless");
}

/// A batch whose second statement FAILED: Sql naming the statement and the server's text.
/// Hand-written Data API exchanges replayed into the real SDK (no AWS account is reachable here).
#[test]
fn failed_batch_names_the_statement() {
    let f = fixture("batch_failed");
    let t = target(json!({"workgroup_name": "kiln-serverless", "region": REGION}));
    let exec = executor_for(&t, &f, fast());
    let statements: Vec<String> = [
        "create table tickit.sales_summary__kiln_tmp as select venueid, sum(pricepaid) as revenue from tickit.sales group by venueid",
        "alter table tickit.sales_summary rename to sales_summary__kiln_backup",
        "alter table tickit.sales_summary__kiln_tmp rename to sales_summary",
        "drop table tickit.sales_summary__kiln_backup",
    ]
    .map(String::from)
    .to_vec();
    match exec.run(&statements, true).unwrap_err() {
        AdapterError::Sql { message, .. } => {
            assert!(message.starts_with("statement 2 of 4 failed"), "{message}");
            assert!(
                message.contains("relation \"tickit.sales_summary\" does not exist"),
                "{message}"
            );
        }
        other => panic!("expected Sql, got {other:?}"),
    }
    f.assert_requests();
}

/// Several statements with atomic = false: one ExecuteStatement each, in order, each polled to
/// FINISHED before the next is sent; temporary credentials for `db_user`.
/// Hand-written Data API exchanges replayed into the real SDK (no AWS account is reachable here).
#[test]
fn non_atomic_statements_run_one_after_another() {
    let f = fixture("statements_in_order");
    let t = target(json!({"cluster_identifier": "kiln-analytics", "db_user": "kiln_loader", "region": REGION}));
    let exec = executor_for(&t, &f, fast());
    let rows = exec
        .run(
            &[
                "truncate tickit.staging_sales".to_string(),
                "insert into tickit.staging_sales select * from tickit.sales where saletime >= '2008-12-01'"
                    .to_string(),
            ],
            false,
        )
        .unwrap();
    assert_eq!(rows, 1337);
    let bodies = f.assert_requests();
    assert_eq!(bodies[0]["DbUser"], "kiln_loader");
    assert_ne!(bodies[0]["ClientToken"], bodies[2]["ClientToken"]);
}

/// ListSchemas over two pages, ListTables over two pages (the schema pattern escapes LIKE's
/// `_`; a look-alike schema in the answer is dropped), DescribeTable.
/// Hand-written Data API exchanges replayed into the real SDK (no AWS account is reachable here).
#[test]
fn schema_browser_follows_pages() {
    let f = fixture("list_schemas");
    let exec = executor_for(&cluster_target(), &f, fast());
    assert_eq!(
        exec.list_schemas().unwrap(),
        ["information_schema", "kiln_dev", "pg_catalog", "public", "tickit"]
    );
    f.assert_requests();

    let f = fixture("list_tables");
    let exec = executor_for(&cluster_target(), &f, fast());
    let table = |name: &str, kind: &str| TableInfo {
        schema: "kiln_dev".into(),
        name: name.into(),
        table_type: kind.into(),
    };
    assert_eq!(
        exec.list_tables("kiln_dev").unwrap(),
        [
            table("event", "TABLE"),
            table("sales", "TABLE"),
            table("sales_by_venue", "VIEW")
        ]
    );
    f.assert_requests();

    let f = fixture("describe_table");
    let exec = executor_for(&cluster_target(), &f, fast());
    let column = |name: &str, data_type: &str, nullable: bool, default: Option<&str>| TableColumn {
        name: name.into(),
        data_type: data_type.into(),
        nullable: Some(nullable),
        default: default.map(String::from),
    };
    assert_eq!(
        exec.describe_table("kiln_dev", "sales").unwrap(),
        [
            column("salesid", "integer", false, None),
            column("pricepaid", "numeric(8,2)", true, None),
            column("saletime", "timestamp", true, None),
            column("buyer", "varchar(64)", true, Some("'anonymous'::character varying")),
        ]
    );
    f.assert_requests();
}

/// The studio's schema browser goes through the `Adapter` (kiln-pgsql's `SqlAdapter`), which
/// asks the Data API's catalog calls rather than running catalog SQL.
/// Hand-written Data API exchanges replayed into the real SDK (no AWS account is reachable here).
#[test]
fn the_adapter_browses_through_the_catalog_calls() {
    use kiln_warehouse::{Adapter, CatalogEntry, CatalogKind, ColumnInfo, Relation};
    let f = fixture("list_schemas");
    let adapter = kiln_pgsql::SqlAdapter::new(
        executor_for(&cluster_target(), &f, fast()),
        kiln_pgsql::Flavor::Redshift,
    );
    assert_eq!(adapter.list_schemas().unwrap()[1], "kiln_dev");
    f.assert_requests();

    let f = fixture("list_tables");
    let adapter = kiln_pgsql::SqlAdapter::new(
        executor_for(&cluster_target(), &f, fast()),
        kiln_pgsql::Flavor::Redshift,
    );
    let entry = |name: &str, kind| CatalogEntry {
        name: name.into(),
        kind,
    };
    assert_eq!(
        adapter.list_relations_in("kiln_dev").unwrap(),
        [
            entry("event", CatalogKind::Table),
            entry("sales", CatalogKind::Table),
            entry("sales_by_venue", CatalogKind::View)
        ]
    );
    f.assert_requests();

    let f = fixture("describe_table");
    let adapter = kiln_pgsql::SqlAdapter::new(
        executor_for(&cluster_target(), &f, fast()),
        kiln_pgsql::Flavor::Redshift,
    );
    let columns = adapter.browse_columns(&Relation::new("kiln_dev", "sales")).unwrap();
    assert_eq!(
        columns[1],
        ColumnInfo {
            name: "pricepaid".into(),
            data_type: "numeric(8,2)".into()
        }
    );
    f.assert_requests();
}

/// AWS rejects the credentials (403 UnrecognizedClientException): Connect{Credentials}, not
/// retried, and neither the access key id nor the secret key appears in the error.
/// Hand-written Data API exchange replayed into the real SDK (no AWS account is reachable here).
#[test]
fn rejected_credentials_are_a_credentials_error() {
    let f = fixture("credentials_rejected");
    let exec = executor_for(&cluster_target(), &f, fast());
    let err = exec.run(&["select 1".to_string()], false).unwrap_err();
    assert!(
        matches!(
            err,
            AdapterError::Connect {
                stage: ConnectStage::Credentials,
                ..
            }
        ),
        "{err:?}"
    );
    assert_no_secret(&err);
    f.assert_requests();
}

/// AccessDeniedException: Connect{Permission}, with a hint naming the actions the identity
/// needs. Hand-written Data API exchange replayed into the real SDK (no AWS account is
/// reachable here).
#[test]
fn access_denied_is_a_permission_error() {
    let f = fixture("access_denied");
    let exec = executor_for(&cluster_target(), &f, fast());
    match exec.run(&["select 1".to_string()], false).unwrap_err() {
        AdapterError::Connect {
            stage: ConnectStage::Permission,
            hint,
            ..
        } => {
            assert!(hint.contains("secretsmanager:GetSecretValue"), "{hint}")
        }
        other => panic!("expected Permission, got {other:?}"),
    }
    f.assert_requests();
}

/// A cluster that does not exist in the region (ValidationException): Connect{Settings} naming
/// `cluster_identifier` and `region`. Hand-written Data API exchange replayed into the real SDK
/// (no AWS account is reachable here).
#[test]
fn unknown_cluster_is_a_settings_error() {
    let f = fixture("cluster_not_found");
    let exec = executor_for(&cluster_target(), &f, fast());
    match exec.run(&["select 1".to_string()], false).unwrap_err() {
        AdapterError::Connect {
            stage: ConnectStage::Settings,
            hint,
            ..
        } => {
            assert!(
                hint.contains("`cluster_identifier`") && hint.contains("`region`"),
                "{hint}"
            )
        }
        other => panic!("expected Settings, got {other:?}"),
    }
    f.assert_requests();
}

/// A credentials provider that fails (as the default chain does with no AWS login): no request
/// is sent, and the error is Connect{Credentials} with a hint about AWS_PROFILE / SSO.
#[test]
fn missing_credentials_send_nothing() {
    let f = fixture_prefix("credentials_rejected", 0);
    let settings = DataApiSettings::from_target(&cluster_target()).unwrap();
    let failing =
        SharedCredentialsProvider::new(aws_credential_types::credential_fn::provide_credentials_fn(|| async {
            Err(aws_credential_types::provider::error::CredentialsError::not_loaded(
                "no providers in chain provided credentials",
            ))
        }));
    let exec = DataApiExecutor::with_config(settings, sdk_config(&f.client, failing))
        .unwrap()
        .with_timing(fast());
    match exec.run(&["select 1".to_string()], false).unwrap_err() {
        AdapterError::Connect {
            stage: ConnectStage::Credentials,
            hint,
            ..
        } => {
            assert!(hint.contains("AWS_PROFILE"), "{hint}")
        }
        other => panic!("expected Credentials, got {other:?}"),
    }
    f.assert_requests();
}

/// The profile's statement_timeout runs out while the statement is STARTED: Kiln sends
/// CancelStatement and returns Busy with a hint. Hand-written Data API exchanges replayed into
/// the real SDK (no AWS account is reachable here).
#[test]
fn statement_timeout_cancels_and_is_busy() {
    let f = fixture("statement_timeout");
    let t = target(json!({
        "cluster_identifier": "kiln-analytics",
        "secret_arn": SECRET_ARN,
        "region": REGION,
        "statement_timeout": "300ms",
    }));
    let timing = Timing {
        poll_initial: Duration::from_secs(5),
        poll_max: Duration::from_secs(5),
        ..fast()
    };
    let exec = executor_for(&t, &f, timing);
    match exec
        .query("select count(*) from tickit.sales s1, tickit.sales s2", None)
        .unwrap_err()
    {
        AdapterError::Busy { message, hint } => {
            assert!(message.contains("statement_timeout"), "{message}");
            assert!(hint.contains("statement_timeout"), "{hint}");
        }
        other => panic!("expected Busy, got {other:?}"),
    }
    f.assert_requests();
}

/// The synchronous executor called from inside a tokio runtime (as the studio's server does):
/// no nested block_on, no panic. Hand-written Data API exchanges replayed into the real SDK (no
/// AWS account is reachable here).
#[test]
fn works_from_inside_a_tokio_runtime() {
    let f = fixture("throttled_then_ok");
    let exec = executor_for(&cluster_target(), &f, fast());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rows = runtime.block_on(async {
        exec.run(
            &["delete from tickit.staging_sales where saletime < '2008-01-01'".to_string()],
            true,
        )
    });
    assert_eq!(rows.unwrap(), 42);
    // Dropping the executor inside an async context must not panic either.
    runtime.block_on(async move { drop(exec) });
    f.assert_requests();
}
