//! The one place that turns a profile's target into an [`Adapter`]: the CLI, the studio and
//! every later front end (jobs, `kiln diff`) call [`open`], so a `type:` or `method:` works the
//! same everywhere. DuckDB comes from `kiln-warehouse`; PostgreSQL and Redshift are
//! [`kiln_pgsql::SqlAdapter`]s over the wire executor (`kiln-postgres`) or, for Redshift's
//! `method: data_api`, the Data API executor (`kiln-redshift-data`). Redshift's `method: iam`
//! logs in over the wire with temporary credentials from GetClusterCredentials or Redshift
//! Serverless GetCredentials (`kiln-redshift-iam`).

use std::sync::Arc;

use kiln_diagnostics::{Code, Diagnostic, Location};
use kiln_pgsql::{Flavor, SqlAdapter};
use kiln_postgres::{Login, LoginFuture, LoginSource, WireExecutor};
use kiln_project::{Target, TargetKind};
use kiln_redshift_data::DataApiExecutor;
use kiln_redshift_iam::{IamCredentials, IamError, IamSettings, SdkConfig};
use kiln_warehouse::{Adapter, AdapterError};

/// Opens the warehouse `target` names, with `connections` connections ready for concurrent
/// callers (server targets size their pool by the profile's `threads`). Server targets connect (and log in) here, so a wrong host or password is reported
/// at once, located at the profile.
pub fn open(target: &Target, connections: usize) -> Result<Arc<dyn Adapter>, Diagnostic> {
    match &target.kind {
        TargetKind::DuckDb => kiln_warehouse::open(target, connections),
        TargetKind::Postgres | TargetKind::Redshift => {
            let flavor = if target.kind == TargetKind::Redshift {
                Flavor::Redshift
            } else {
                Flavor::Postgres
            };
            match target.settings.get("method").and_then(|m| m.as_str()) {
                None | Some("database") | Some("password") => {}
                Some("data_api") if flavor == Flavor::Redshift => {
                    let executor = DataApiExecutor::connect(target).map_err(|e| connect_diagnostic(target, &e))?;
                    return Ok(Arc::new(SqlAdapter::new(executor, flavor)));
                }
                Some("iam") if flavor == Flavor::Redshift => return open_iam(target, None),
                Some(other) => {
                    return Err(at_profile_line(
                        Diagnostic::error(
                            Code::Profile,
                            format!(
                                "target '{}' has method {other}, which Kiln does not support for {}",
                                target.name,
                                flavor.name()
                            ),
                        )
                        .hint(match flavor {
                            Flavor::Redshift => {
                                "use method: database (user and password), iam (temporary credentials) or data_api"
                            }
                            Flavor::Postgres => "use method: database (user and password)",
                        }),
                        target,
                        "method:",
                    ))
                }
            }
            let executor = WireExecutor::connect(target, flavor).map_err(|e| connect_diagnostic(target, &e))?;
            Ok(Arc::new(SqlAdapter::new(executor, flavor)))
        }
        TargetKind::Other(_) => Err(unsupported(target)),
    }
}

/// A Redshift `method: iam` target: temporary credentials from AWS, then the wire executor logs
/// in with them. `aws` is the AWS configuration to sign with; `None` loads it from the
/// environment (the default chain with the profile's `iam_profile`), as [`open`] does — tests
/// hand in one whose HTTP client replays AWS's answers.
///
/// The first login is fetched here, so an AWS failure is reported as one (not as a refused
/// connection). Every further session the pool opens asks the same [`IamCredentials`], which
/// hands out the cached login while it has more than a minute to live and fetches a fresh one
/// otherwise: open sessions outlive their password, so only new logins need a valid one.
pub fn open_iam(target: &Target, aws: Option<SdkConfig>) -> Result<Arc<dyn Adapter>, Diagnostic> {
    let settings = IamSettings::from_target(target).map_err(|e| iam_diagnostic(target, &e))?;
    let credentials = match aws {
        Some(sdk) => IamCredentials::new(settings, sdk),
        None => IamCredentials::from_env(settings).map_err(|e| iam_diagnostic(target, &e))?,
    };
    let first = credentials.login_blocking().map_err(|e| iam_diagnostic(target, &e))?;
    // The user stands in for messages until each session's login replaces it; the profile has
    // no password to use.
    let mut wire = target.clone();
    wire.user = Some(first.user.clone());
    wire.password = None;
    let executor = WireExecutor::connect_with_login(&wire, Flavor::Redshift, Arc::new(IamLogin(credentials)))
        .map_err(|e| connect_diagnostic(target, &iam_login_refused(e)))?;
    Ok(Arc::new(SqlAdapter::new(executor, Flavor::Redshift)))
}

/// What `kiln debug` shows of a working IAM login (never the password).
#[derive(Debug, Clone)]
pub struct IamCheck {
    /// `GetClusterCredentials` or `redshift-serverless GetCredentials`.
    pub operation: &'static str,
    /// The database user AWS issued the login for (`IAM:alice`).
    pub user: String,
    /// How long the password stays valid for new logins.
    pub valid_for: std::time::Duration,
}

/// Fetches temporary credentials for an IAM target without connecting, so `kiln debug` can
/// tell the AWS stage from the database one. `None` when the target is not `method: iam`.
pub fn check_iam(target: &Target) -> Option<Result<IamCheck, Diagnostic>> {
    if target.kind != TargetKind::Redshift || target.settings.get("method").and_then(|m| m.as_str()) != Some("iam") {
        return None;
    }
    let check = || {
        let settings = IamSettings::from_target(target).map_err(|e| iam_diagnostic(target, &e))?;
        let operation = settings.compute.operation();
        let login = IamCredentials::from_env(settings)
            .and_then(|c| c.login_blocking())
            .map_err(|e| iam_diagnostic(target, &e))?;
        Ok(IamCheck {
            operation,
            user: login.user.clone(),
            valid_for: login
                .expires
                .duration_since(std::time::SystemTime::now())
                .unwrap_or_default(),
        })
    };
    Some(check())
}

/// The pool's source of logins for an IAM target.
struct IamLogin(IamCredentials);

impl LoginSource for IamLogin {
    fn login(&self) -> LoginFuture<'_> {
        Box::pin(async move {
            let login = self.0.login().await.map_err(|e| iam_adapter_error(&e))?;
            Ok(Login {
                user: login.user.clone(),
                password: login.password().to_string(),
            })
        })
    }
}

/// A credentials failure while the pool opens a later session, as an adapter error whose first
/// backticked word is the profile key to change (see [`named_key`]).
fn iam_adapter_error(error: &IamError) -> AdapterError {
    AdapterError::Connect {
        stage: match error {
            IamError::Settings { .. } => kiln_warehouse::ConnectStage::Settings,
            _ => kiln_warehouse::ConnectStage::Credentials,
        },
        message: format!("temporary database credentials (`{}`): {error}", error.key()),
        hint: error.hint(),
    }
}

/// A login with fresh temporary credentials that the server refused: the user does not exist
/// there (without `autocreate`), or may not use the database.
fn iam_login_refused(error: AdapterError) -> AdapterError {
    match error {
        AdapterError::Connect {
            stage: stage @ kiln_warehouse::ConnectStage::Authentication,
            message,
            ..
        } => AdapterError::Connect {
            stage,
            message,
            hint: "AWS issued temporary credentials but the database refused them: check that `user` \
                   exists in the database (or set `autocreate: true`), and that `host`, `port` and \
                   `dbname` are the ones of `cluster_id`"
                .into(),
        },
        other => other,
    }
}

/// An IAM failure as a diagnostic at the profile line of the key to change (or the first of its
/// aliases that is written), with the stage in plain words.
fn iam_diagnostic(target: &Target, error: &IamError) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        Code::Connect,
        format!("could not get temporary database credentials: {error}"),
    )
    .hint(error.hint());
    let key = error.key();
    let aliases: &[&str] = match key {
        "cluster_id" => &["cluster_id:", "cluster_identifier:"],
        "workgroup_name" => &["workgroup_name:", "serverless_work_group:", "is_serverless:", "host:"],
        "user" => &["db_user:", "user:"],
        "region" => &["region:", "host:"],
        _ => &[],
    };
    let text = target
        .source_file
        .as_ref()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .unwrap_or_default();
    let written = aliases
        .iter()
        .find(|k| output_line(&text, &target.name, k).is_some())
        .map(|k| k.to_string())
        .unwrap_or_else(|| format!("{key}:"));
    at_profile_line(diagnostic, target, &written)
}

fn unsupported(target: &Target) -> Diagnostic {
    at_profile_line(
        Diagnostic::error(
            Code::Profile,
            format!(
                "target '{}' has type {}, which Kiln cannot connect to",
                target.name,
                target.kind.as_str()
            ),
        )
        .hint("use type duckdb, postgres or redshift"),
        target,
        "type:",
    )
}

/// A connection failure as a diagnostic at the profile line of the setting to change.
pub fn connect_diagnostic(target: &Target, error: &AdapterError) -> Diagnostic {
    let key = match error {
        AdapterError::Connect { stage, .. } => match stage {
            kiln_warehouse::ConnectStage::Dns | kiln_warehouse::ConnectStage::Tcp => "host:",
            kiln_warehouse::ConnectStage::Tls => "sslmode:",
            kiln_warehouse::ConnectStage::Authentication | kiln_warehouse::ConnectStage::Permission => "user:",
            kiln_warehouse::ConnectStage::Database => "dbname:",
            kiln_warehouse::ConnectStage::Credentials | kiln_warehouse::ConnectStage::Settings => {
                return at_profile_line(
                    error.to_diagnostic(None),
                    target,
                    &named_key(error).unwrap_or_else(|| "method:".into()),
                );
            }
        },
        _ => "type:",
    };
    at_profile_line(error.to_diagnostic(None), target, key)
}

/// The profile key a settings error names in backticks (`workgroup_name`), as `key:`.
fn named_key(error: &AdapterError) -> Option<String> {
    let text = error.to_string();
    let mut parts = text.split('`');
    parts.next()?;
    let key = parts.next()?;
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then(|| format!("{key}:"))
}

/// Locates the diagnostic at the first `key` line of the target's own output in the profiles
/// file (the `type:` line, or the file alone, when the key is not written there).
fn at_profile_line(diagnostic: Diagnostic, target: &Target, key: &str) -> Diagnostic {
    let Some(file) = &target.source_file else {
        return diagnostic;
    };
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let line = output_line(&text, &target.name, key)
        .or_else(|| output_line(&text, &target.name, "method:"))
        .or_else(|| output_line(&text, &target.name, "type:"))
        .or_else(|| {
            (key == "dbname:")
                .then(|| output_line(&text, &target.name, "database:"))
                .flatten()
        });
    diagnostic.at(Location {
        file: file.clone(),
        line,
        column: None,
    })
}

/// The 1-based line of `key` inside the output block named `output` (the first such key after
/// the `output:` line), so two targets with a `host:` each point at the right one.
fn output_line(text: &str, output: &str, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| {
        l.trim_start()
            .strip_prefix(output)
            .is_some_and(|rest| rest.trim() == ":")
    })?;
    let indent = lines[start].len() - lines[start].trim_start().len();
    lines
        .iter()
        .enumerate()
        .skip(start + 1)
        .take_while(|(_, l)| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .find(|(_, l)| l.trim_start().starts_with(key))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn target(dir: &std::path::Path, body: &str, kind: TargetKind) -> Target {
        let file = dir.join("profiles.yml");
        std::fs::write(&file, body).unwrap();
        let mut target = Target::embedded(dir, "p");
        target.source_file = Some(file);
        target.kind = kind;
        target.path = None;
        target
    }

    #[test]
    fn a_data_api_target_without_a_cluster_or_workgroup_points_at_its_method_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = target(
            dir.path(),
            "p:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      method: data_api\n      database: dev\n      region: us-east-1\n",
            TargetKind::Redshift,
        );
        t.database = Some("dev".into());
        t.settings.insert("method".into(), serde_json::json!("data_api"));
        t.settings.insert("region".into(), serde_json::json!("us-east-1"));
        let Err(d) = open(&t, 1) else {
            panic!("no cluster or workgroup must be refused");
        };
        assert_eq!(d.code, Code::Connect, "{d:?}");
        assert!(
            d.message.contains("cluster_identifier") || d.message.contains("workgroup_name"),
            "{}",
            d.message
        );
        assert_eq!(d.location.and_then(|l| l.line), Some(6));
    }

    #[test]
    fn unknown_methods_and_types_are_refused_at_their_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut t = target(
            dir.path(),
            "p:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      method: iam\n",
            TargetKind::Postgres,
        );
        t.settings.insert("method".into(), serde_json::json!("iam"));
        let Err(d) = open(&t, 1) else {
            panic!("iam is not supported")
        };
        assert_eq!(d.code, Code::Profile);
        assert_eq!(d.location.and_then(|l| l.line), Some(6));
        let t = target(
            dir.path(),
            "p:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n",
            TargetKind::Other("snowflake".into()),
        );
        let Err(d) = open(&t, 1) else {
            panic!("snowflake is not supported")
        };
        assert!(d.message.contains("snowflake"), "{}", d.message);
        assert_eq!(d.location.and_then(|l| l.line), Some(5));
    }

    #[test]
    fn output_lines_are_found_inside_their_own_target() {
        let text = "p:\n  target: dev\n  outputs:\n    prod:\n      type: redshift\n      host: a\n    dev:\n      type: postgres\n      host: b\n";
        assert_eq!(output_line(text, "dev", "host:"), Some(9));
        assert_eq!(output_line(text, "prod", "host:"), Some(6));
        assert_eq!(output_line(text, "dev", "sslmode:"), None);
    }
}
