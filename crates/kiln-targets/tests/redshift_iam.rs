//! `type: redshift` with `method: iam`, end to end: a profiles.yml read by kiln-project, the
//! temporary login fetched with GetClusterCredentials through the real `aws-sdk-redshift`
//! client, and the wire executor logging in with it to a real PostgreSQL 15 server
//! (kiln-postgres' `testing` cluster) on which a role of the issued name and password exists.
//!
//! No AWS account is reachable from Kiln's test machines: the GetClusterCredentials answers are
//! hand-written in the awsQuery XML shapes Redshift's API reference documents and replayed into
//! the real SDK (`aws-smithy-http-client`'s `StaticReplayClient`, through
//! `kiln_redshift_iam::testing`); the request the SDK sent is checked afterwards. The Redshift
//! adapter runs on plain PostgreSQL here, so only a plain `select` is asked of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kiln_diagnostics::Code;
use kiln_pgsql::Executor;
use kiln_postgres::testing::TestCluster;
use kiln_project::{ProfileOptions, Target};
use kiln_redshift_iam::testing::{self, Answer, StaticReplayClient};
use serde_json::json;

const ISSUED_USER: &str = "IAM:kiln_ci";
const ISSUED_PASSWORD: &str = "Kiln-Temp-Pw-7q2x";

fn cluster() -> Option<TestCluster> {
    if !TestCluster::available() && std::env::var_os("CI").is_none() {
        eprintln!("skipped: PostgreSQL's server binaries are not installed");
        return None;
    }
    Some(TestCluster::start().expect("a PostgreSQL cluster starts"))
}

/// A profiles.yml with one `method: iam` output pointing at `port` on 127.0.0.1.
fn iam_target(dir: &std::path::Path, port: u16, extra: &str) -> Target {
    let body = format!(
        "kiln_iam:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: iam\n      \
         host: 127.0.0.1\n      port: {port}\n      dbname: postgres\n      schema: public\n      \
         cluster_id: kiln-analytics\n      user: kiln_ci\n      iam_profile: ci\n      region: us-east-1\n      \
         threads: 2\n{extra}"
    );
    std::fs::write(dir.join("profiles.yml"), body).unwrap();
    kiln_project::load_target(
        dir,
        Some("kiln_iam"),
        &ProfileOptions {
            profiles_dir: Some(dir.to_path_buf()),
            home: Some(dir.to_path_buf()),
            ..ProfileOptions::default()
        },
    )
    .unwrap()
}

fn open(
    target: &Target,
    answers: Vec<Answer>,
) -> (
    Result<std::sync::Arc<dyn kiln_warehouse::Adapter>, kiln_diagnostics::Diagnostic>,
    StaticReplayClient,
) {
    let (sdk, client) = testing::replay(answers);
    (kiln_targets::open_iam(target, Some(sdk)), client)
}

fn line_of(file: &std::path::Path, key: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|l| l.trim_start().starts_with(key))
        .unwrap()
        + 1
}

#[test]
fn an_iam_target_logs_in_with_the_issued_credentials() {
    let Some(cluster) = cluster() else { return };
    cluster
        .executor()
        .unwrap()
        .run(
            &[format!(
                "create role \"{ISSUED_USER}\" login password '{ISSUED_PASSWORD}'"
            )],
            false,
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let target = iam_target(dir.path(), cluster.port(), "      db_groups: [analysts]\n");

    let (adapter, client) = open(
        &target,
        vec![testing::cluster_credentials(
            ISSUED_USER,
            ISSUED_PASSWORD,
            "2030-01-01T00:00:00Z",
        )],
    );
    let adapter = adapter.unwrap_or_else(|d| panic!("{d:?}\n{}", cluster.log()));
    let result = adapter.query("select 1 as one, current_user as who", Some(1)).unwrap();
    assert_eq!(result.rows[0][0], json!(1));
    assert_eq!(result.rows[0][1], json!(ISSUED_USER));

    // One GetClusterCredentials call, with the profile's settings.
    let requests: Vec<String> = client
        .actual_requests()
        .map(|r| String::from_utf8(r.body().bytes().unwrap().to_vec()).unwrap())
        .collect();
    assert_eq!(requests.len(), 1, "{requests:?}");
    for part in [
        "Action=GetClusterCredentials",
        "ClusterIdentifier=kiln-analytics",
        "DbUser=kiln_ci",
        "DbName=postgres",
        "DurationSeconds=900",
        "AutoCreate=false",
        "DbGroups.DbGroup.1=analysts",
    ] {
        assert!(
            requests[0].split('&').any(|p| p == part),
            "{part} not in {}",
            requests[0]
        );
    }
}

#[test]
fn aws_refusals_point_at_the_profile_line_to_change() {
    let dir = tempfile::tempdir().unwrap();
    // No server is needed: AWS refuses before any connection is made.
    let target = iam_target(dir.path(), 1, "");
    let file = dir.path().join("profiles.yml");

    let (result, _) = open(
        &target,
        vec![testing::query_error(
            404,
            "ClusterNotFound",
            "Cluster kiln-analytics not found.",
        )],
    );
    let d = result.err().expect("an unknown cluster is refused");
    assert_eq!(d.code, Code::Connect, "{d:?}");
    assert!(
        d.message.starts_with("could not get temporary database credentials"),
        "{}",
        d.message
    );
    assert!(
        d.message
            .contains("`kiln-analytics` does not exist in region `us-east-1`"),
        "{}",
        d.message
    );
    assert_eq!(
        d.location.as_ref().and_then(|l| l.line),
        Some(line_of(&file, "cluster_id:"))
    );

    let (result, _) = open(
        &target,
        vec![testing::query_error(
            403,
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: redshift:GetClusterCredentials",
        )],
    );
    let d = result.err().expect("a refused identity is refused");
    assert_eq!(d.code, Code::Connect);
    assert_eq!(
        d.location.as_ref().and_then(|l| l.line),
        Some(line_of(&file, "iam_profile:"))
    );
    let text = format!("{d:?}");
    assert!(text.contains("redshift:GetClusterCredentials"), "{text}");
    assert!(
        !text.contains(testing::SECRET_KEY) && !text.contains(testing::ACCESS_KEY),
        "{text}"
    );
}

#[test]
fn a_database_that_refuses_the_issued_login_says_so_at_the_user_line() {
    let Some(cluster) = cluster() else { return };
    let dir = tempfile::tempdir().unwrap();
    // No role "IAM:kiln_ci" exists on this server.
    let target = iam_target(dir.path(), cluster.port(), "");
    let (result, _) = open(
        &target,
        vec![testing::cluster_credentials(
            ISSUED_USER,
            ISSUED_PASSWORD,
            "2030-01-01T00:00:00Z",
        )],
    );
    let d = result.err().expect("the server refuses an unknown role");
    assert_eq!(d.code, Code::Connect, "{d:?}");
    assert_eq!(
        d.location.as_ref().and_then(|l| l.line),
        Some(line_of(&dir.path().join("profiles.yml"), "user:"))
    );
    let text = format!("{d:?}");
    assert!(text.contains("autocreate"), "{text}");
    assert!(!text.contains(ISSUED_PASSWORD), "{text}");
}
