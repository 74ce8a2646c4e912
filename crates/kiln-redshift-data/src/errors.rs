//! Data API failures → [`AdapterError`], and which of them may be retried.
//!
//! A failure is retried only when the request was refused before anything ran (throttling, too
//! many active statements, a connection that was never made), or when repeating it cannot run
//! anything twice: every read (`DescribeStatement`, `GetStatementResult`, `List*`,
//! `DescribeTable`) and `ExecuteStatement`/`BatchExecuteStatement`, which carry a `ClientToken`
//! that the Data API uses to recognise the same request again.

use std::error::Error as StdError;

use aws_sdk_redshiftdata::error::{ProvideErrorMetadata, SdkError};
use kiln_aws::{chain_text, credentials_failure, redact, ACCESS_DENIED, BAD_CREDENTIALS};
use kiln_warehouse::{AdapterError, ConnectStage};

use crate::settings::DataApiSettings;

/// What to do with a failed request.
#[derive(Debug)]
pub enum Failure {
    /// Try again after a back-off; `exhausted` is the error once the attempts run out.
    Retry { exhausted: AdapterError },
    /// Give up now.
    Fatal(AdapterError),
}

/// Error codes that mean "refused for load, nothing ran".
const THROTTLING: &[&str] = &[
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
];

pub(crate) fn sql(message: impl Into<String>) -> AdapterError {
    AdapterError::Sql {
        message: redact(&message.into()),
        line: None,
        column: None,
    }
}

fn connect(stage: ConnectStage, message: impl Into<String>, hint: impl Into<String>) -> AdapterError {
    AdapterError::Connect {
        stage,
        message: redact(&message.into()),
        hint: hint.into(),
    }
}

fn busy(message: impl Into<String>, hint: impl Into<String>) -> AdapterError {
    AdapterError::Busy {
        message: redact(&message.into()),
        hint: hint.into(),
    }
}

/// The hint for a statement that ran out of time.
pub(crate) fn timeout_hint() -> &'static str {
    "raise `statement_timeout` in the profile (or the WLM queue's time-out), make the query \
     cheaper, or run it when the warehouse is less busy"
}

/// A statement the warehouse stopped for running too long (Redshift's `statement_timeout`, a
/// WLM time-out or query monitoring rule).
pub(crate) fn is_timeout_text(error: &str) -> bool {
    let lower = error.to_ascii_lowercase();
    lower.contains("statement timeout")
        || lower.contains("statement_timeout")
        || lower.contains("query timeout")
        || lower.contains("wlm timeout")
        || lower.contains("timed out")
}

/// A statement that FAILED, with the Data API's `Error` text.
pub(crate) fn statement_failed(error: &str) -> AdapterError {
    let error = error.trim();
    if is_timeout_text(error) {
        return busy(format!("the warehouse stopped the statement: {error}"), timeout_hint());
    }
    if error.contains("100 MB") || error.to_ascii_lowercase().contains("exceeds the maximum") {
        return AdapterError::Sql {
            message: format!(
                "{}; the Data API returns at most 100 MB of results per statement: add a LIMIT, \
                 select fewer columns, or UNLOAD large results to S3",
                redact(error)
            ),
            line: None,
            column: None,
        };
    }
    sql(if error.is_empty() {
        "the statement failed and the Data API gave no reason".to_string()
    } else {
        error.to_string()
    })
}

fn credentials_hint(settings: &DataApiSettings) -> String {
    match &settings.aws_profile {
        Some(profile) => format!(
            "check the AWS profile `{profile}` (`aws_profile` in the profile) in ~/.aws/config \
             and ~/.aws/credentials; for SSO run `aws sso login --profile {profile}`"
        ),
        None => "provide AWS credentials: set AWS_PROFILE (or `aws_profile` in the profile), \
                 AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
            .to_string(),
    }
}

fn permission_hint(settings: &DataApiSettings) -> String {
    let login = match &settings.auth {
        crate::settings::DbAuth::SecretArn(_) => "secretsmanager:GetSecretValue on the secret in `secret_arn`",
        crate::settings::DbAuth::DbUser(_) => "redshift:GetClusterCredentials for `db_user`",
        crate::settings::DbAuth::IamIdentity => "redshift-serverless:GetCredentials",
    };
    format!(
        "the AWS identity needs the redshift-data actions (ExecuteStatement, DescribeStatement, \
         GetStatementResult, CancelStatement, List*/DescribeTable) and {login}"
    )
}

fn where_hint(settings: &DataApiSettings) -> String {
    let region = settings
        .region
        .as_deref()
        .map(|r| format!("region `{r}`"))
        .unwrap_or_else(|| "the AWS region in use".to_string());
    format!(
        "check `{}` and `region` in the profile: {} must exist in {region}",
        settings.compute.key(),
        settings.compute.describe()
    )
}

/// Classifies a failed SDK call. `op` names the Data API operation for messages.
pub(crate) fn classify<E>(op: &str, settings: &DataApiSettings, err: &SdkError<E>) -> Failure
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("");
            let message = e.message().unwrap_or("").trim().to_string();
            let status = service.raw().status().as_u16();
            service_failure(op, settings, code, &message, status)
        }
        SdkError::TimeoutError(_) => Failure::Retry {
            exhausted: connect(
                ConnectStage::Tcp,
                format!("the Data API did not answer {op} in time"),
                "check the network and the region; raise `connect_timeout` in the profile if \
                 the connection is slow",
            ),
        },
        SdkError::DispatchFailure(dispatch) => {
            if let Some(text) = credentials_failure(err) {
                return Failure::Fatal(connect(
                    ConnectStage::Credentials,
                    format!("no usable AWS credentials: {text}"),
                    credentials_hint(settings),
                ));
            }
            let text = chain_text(err);
            let lower = text.to_ascii_lowercase();
            let (stage, hint) = if lower.contains("dns")
                || lower.contains("lookup")
                || lower.contains("resolve")
                || lower.contains("name or service not known")
            {
                (
                    ConnectStage::Dns,
                    "check the network and `region` in the profile (the Data API endpoint is \
                     redshift-data.<region>.amazonaws.com)",
                )
            } else if lower.contains("tls") || lower.contains("certificate") {
                (
                    ConnectStage::Tls,
                    "check the system's CA certificates and any HTTPS proxy in between",
                )
            } else {
                (
                    ConnectStage::Tcp,
                    "check the network, any proxy (HTTPS_PROXY), and `region` in the profile",
                )
            };
            let error = connect(stage, format!("cannot reach the Data API for {op}: {text}"), hint);
            // Only a request that never left (connection refused, DNS, TLS) or a timed-out
            // idempotent one is worth repeating; both are safe here (see the module docs).
            if dispatch.is_io() || dispatch.is_timeout() {
                Failure::Retry { exhausted: error }
            } else {
                Failure::Fatal(error)
            }
        }
        SdkError::ConstructionFailure(_) => {
            if let Some(text) = credentials_failure(err) {
                return Failure::Fatal(connect(
                    ConnectStage::Credentials,
                    format!("no usable AWS credentials: {text}"),
                    credentials_hint(settings),
                ));
            }
            let text = chain_text(err);
            if text.to_ascii_lowercase().contains("region") {
                return Failure::Fatal(connect(
                    ConnectStage::Settings,
                    format!("no AWS region for the Data API: {text}"),
                    "set `region` in the profile (or AWS_REGION, or `region` in the AWS profile)",
                ));
            }
            Failure::Fatal(sql(format!("cannot build the {op} request: {text}")))
        }
        SdkError::ResponseError(_) => Failure::Fatal(sql(format!(
            "the Data API sent a response to {op} that Kiln cannot read: {}",
            chain_text(err)
        ))),
        _ => Failure::Fatal(sql(format!("{op} failed: {}", chain_text(err)))),
    }
}

fn service_failure(op: &str, settings: &DataApiSettings, code: &str, message: &str, status: u16) -> Failure {
    let said = if message.is_empty() {
        code.to_string()
    } else {
        format!("{code}: {message}")
    };
    if THROTTLING.contains(&code) {
        return Failure::Retry {
            exhausted: busy(
                format!("the Data API kept throttling {op} ({said})"),
                "Kiln retried with back-off; wait a moment and run again, or lower `threads` in \
                 the profile so fewer requests go out at once",
            ),
        };
    }
    if code == "ActiveStatementsExceededException" {
        return Failure::Retry {
            exhausted: busy(
                format!(
                    "the Data API refused {op}: too many active statements on {} ({said})",
                    settings.compute.describe()
                ),
                "the Data API allows only a limited number of active (submitted or running) \
                 statements per cluster/workgroup (see the Data API quotas); Kiln retried with \
                 back-off: wait for running statements to finish, or lower `threads` in the \
                 profile",
            ),
        };
    }
    if code == "ActiveSessionsExceededException" || code == "ActiveWaitingRequestsExceededException" {
        return Failure::Retry {
            exhausted: busy(
                format!("the Data API refused {op} for load ({said})"),
                "wait for running statements to finish, or lower `threads` in the profile",
            ),
        };
    }
    if BAD_CREDENTIALS.contains(&code) {
        return Failure::Fatal(connect(
            ConnectStage::Credentials,
            format!("AWS did not accept the credentials ({said})"),
            credentials_hint(settings),
        ));
    }
    if ACCESS_DENIED.contains(&code) || status == 403 {
        return Failure::Fatal(connect(
            ConnectStage::Permission,
            format!("AWS denied {op} ({said})"),
            permission_hint(settings),
        ));
    }
    match code {
        "ResourceNotFoundException" => {
            if op == "DescribeStatement" || op == "GetStatementResult" || op == "CancelStatement" {
                // A statement id: results are kept for 24 hours.
                Failure::Fatal(sql(format!("the Data API no longer knows the statement ({said})")))
            } else {
                Failure::Fatal(connect(
                    ConnectStage::Settings,
                    format!("the Data API cannot find {} ({said})", settings.compute.describe()),
                    where_hint(settings),
                ))
            }
        }
        "ValidationException" => Failure::Fatal(validation(op, settings, &said, message)),
        "DatabaseConnectionException" => Failure::Fatal(connect(
            ConnectStage::Authentication,
            format!(
                "the Data API could not log in to database `{}` ({said})",
                settings.database
            ),
            match &settings.auth {
                crate::settings::DbAuth::SecretArn(_) => {
                    "check the user name and password stored in the secret `secret_arn` names, \
                     and `database` in the profile"
                }
                crate::settings::DbAuth::DbUser(_) => "check `db_user` and `database` in the profile",
                crate::settings::DbAuth::IamIdentity => {
                    "check `database` in the profile and that your IAM identity may log in to \
                     the workgroup"
                }
            },
        )),
        "QueryTimeoutException" => Failure::Fatal(busy(
            format!("the Data API timed out on {op} ({said})"),
            "the warehouse is busy or the catalog is large; try again",
        )),
        "InternalServerException"
        | "ServiceUnavailable"
        | "ServiceUnavailableException"
        | "InternalFailure"
        | "InternalError" => Failure::Retry {
            exhausted: busy(
                format!("the Data API failed {op} on its side ({said})"),
                "this is usually brief: run again in a moment",
            ),
        },
        // An environmental error while the statement ran: it may have started, so no retry.
        "ExecuteStatementException" | "BatchExecuteStatementException" => {
            Failure::Fatal(sql(format!("{op} failed: {said}")))
        }
        _ if status >= 500 => Failure::Retry {
            exhausted: busy(
                format!("the Data API failed {op} on its side ({said})"),
                "this is usually brief: run again in a moment",
            ),
        },
        // Anything else the service refused.
        _ => Failure::Fatal(sql(format!("{op} failed: {said}"))),
    }
}

/// A ValidationException is either the profile naming something that cannot work (cluster,
/// workgroup, secret, user, database) or the request itself (the SQL).
fn validation(op: &str, settings: &DataApiSettings, said: &str, message: &str) -> AdapterError {
    let lower = message.to_ascii_lowercase();
    let about = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if about(&["cluster", "workgroup", "endpoint", "region"]) {
        return connect(
            ConnectStage::Settings,
            format!("the Data API rejected {}: {said}", settings.compute.describe()),
            where_hint(settings),
        );
    }
    if about(&["secret"]) {
        return connect(
            ConnectStage::Settings,
            format!("the Data API rejected the secret: {said}"),
            "check `secret_arn` in the profile: the secret must exist in the same region and \
             hold `username` and `password`",
        );
    }
    if about(&["dbuser", "db user", "database user"]) {
        return connect(
            ConnectStage::Settings,
            format!("the Data API rejected the database user: {said}"),
            "check `db_user` in the profile",
        );
    }
    if about(&["database"]) && !about(&["syntax", "relation", "column"]) {
        return connect(
            ConnectStage::Database,
            format!("the Data API rejected database `{}`: {said}", settings.database),
            "check `database` in the profile",
        );
    }
    sql(format!("the Data API rejected {op}: {said}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::settings::{Compute, DbAuth};

    fn settings() -> DataApiSettings {
        DataApiSettings {
            compute: Compute::Cluster("c1".into()),
            database: "dev".into(),
            auth: DbAuth::SecretArn("arn:s".into()),
            region: Some("us-east-1".into()),
            aws_profile: None,
            statement_timeout: None,
            connect_timeout: None,
        }
    }

    #[test]
    fn maps_service_codes() {
        let s = settings();
        assert!(matches!(
            service_failure("ExecuteStatement", &s, "ThrottlingException", "Rate exceeded", 400),
            Failure::Retry {
                exhausted: AdapterError::Busy { .. }
            }
        ));
        assert!(matches!(
            service_failure("ExecuteStatement", &s, "AccessDeniedException", "no", 400),
            Failure::Fatal(AdapterError::Connect {
                stage: ConnectStage::Permission,
                ..
            })
        ));
        assert!(matches!(
            service_failure("ExecuteStatement", &s, "ExpiredTokenException", "expired", 400),
            Failure::Fatal(AdapterError::Connect {
                stage: ConnectStage::Credentials,
                ..
            })
        ));
        match service_failure(
            "ExecuteStatement",
            &s,
            "ValidationException",
            "Cluster doesn't exist in this region.",
            400,
        ) {
            Failure::Fatal(AdapterError::Connect {
                stage: ConnectStage::Settings,
                hint,
                ..
            }) => {
                assert!(hint.contains(s.compute.key()), "{hint}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            service_failure("ListTables", &s, "ResourceNotFoundException", "no cluster", 400),
            Failure::Fatal(AdapterError::Connect {
                stage: ConnectStage::Settings,
                ..
            })
        ));
        assert!(matches!(
            service_failure("ExecuteStatement", &s, "ExecuteStatementException", "boom", 500),
            Failure::Fatal(AdapterError::Sql { .. })
        ));
    }

    #[test]
    fn failed_statement_text() {
        assert!(matches!(
            statement_failed("ERROR: canceling statement due to statement timeout"),
            AdapterError::Busy { .. }
        ));
        match statement_failed("ERROR: relation \"nope\" does not exist") {
            AdapterError::Sql { message, .. } => assert!(message.contains("nope")),
            other => panic!("{other:?}"),
        }
    }
}
