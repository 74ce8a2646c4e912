//! `DataApiExecutor::connect` through the real AWS default chain (aws-config), kept off the
//! network: credentials come from the environment, the shared config files point at an empty
//! folder and EC2 instance metadata is disabled. No statement is run. One test function, as it
//! changes the process environment.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kiln_pgsql::Executor;
use kiln_project::{Target, TargetKind};
use kiln_redshift_data::{Compute, DataApiExecutor};
use kiln_warehouse::{AdapterError, ConnectStage};
use serde_json::json;

fn target(settings: serde_json::Value) -> Target {
    let mut t = Target::embedded(std::path::Path::new("/nonexistent"), "kiln");
    t.kind = TargetKind::Redshift;
    t.path = None;
    t.database = Some("dev".into());
    t.settings = settings.as_object().cloned().unwrap();
    t
}

#[test]
fn connect_reads_the_default_chain() {
    let dir = std::env::temp_dir().join(format!("kiln-redshift-data-connect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for key in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_SESSION_TOKEN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_ENDPOINT_URL",
    ] {
        std::env::remove_var(key);
    }
    std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    std::env::set_var("AWS_CONFIG_FILE", dir.join("config"));
    std::env::set_var("AWS_SHARED_CREDENTIALS_FILE", dir.join("credentials"));

    // No region anywhere: a Settings error naming `region`.
    std::env::set_var("AWS_ACCESS_KEY_ID", "AKIAKILNTESTFAKE0002");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "kiln/fake/secret");
    let no_region = target(json!({"workgroup_name": "wg"}));
    match DataApiExecutor::connect(&no_region) {
        Err(AdapterError::Connect {
            stage: ConnectStage::Settings,
            hint,
            ..
        }) => {
            assert!(hint.contains("`region`"), "{hint}")
        }
        Err(other) => panic!("expected Settings, got {other:?}"),
        Ok(_) => panic!("connected without a region"),
    }

    // Region and environment credentials: connected (nothing sent yet).
    let ok = target(json!({"cluster_identifier": "c1", "secret_arn": "arn:s", "region": "eu-west-1"}));
    let exec = DataApiExecutor::connect(&ok).unwrap();
    assert_eq!(exec.kind(), "redshift");
    assert_eq!(exec.settings().compute, Compute::Cluster("c1".into()));

    // No credentials at all: Connect{Credentials}, with no key material in the message.
    std::env::remove_var("AWS_ACCESS_KEY_ID");
    std::env::remove_var("AWS_SECRET_ACCESS_KEY");
    match DataApiExecutor::connect(&ok) {
        Err(
            err @ AdapterError::Connect {
                stage: ConnectStage::Credentials,
                ..
            },
        ) => {
            let text = err.to_string();
            assert!(text.contains("AWS_PROFILE"), "{text}");
            assert!(!text.contains("AKIAKILNTESTFAKE0002"), "{text}");
        }
        Err(other) => panic!("expected Credentials, got {other:?}"),
        Ok(_) => panic!("connected without credentials"),
    }
    // A profile that does not exist: the same, naming the profile.
    let named = target(
        json!({"cluster_identifier": "c1", "secret_arn": "arn:s", "region": "eu-west-1",
                              "aws_profile": "kiln-nope"}),
    );
    match DataApiExecutor::connect(&named) {
        Err(AdapterError::Connect {
            stage: ConnectStage::Credentials,
            hint,
            ..
        }) => {
            assert!(hint.contains("kiln-nope"), "{hint}")
        }
        Err(other) => panic!("expected Credentials, got {other:?}"),
        Ok(_) => panic!("connected with a missing profile"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
