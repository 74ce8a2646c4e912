//! The profile keys of a Data API target (dbt-redshift's `method: data_api` spelling), read
//! from [`kiln_project::Target`]: `database` is the target's own field, the rest come from its
//! `settings` map.
//!
//! ```yaml
//! type: redshift
//! method: data_api
//! cluster_identifier: analytics      # or workgroup_name: analytics-wg (Serverless)
//! database: dev
//! secret_arn: arn:aws:secretsmanager:…  # or db_user: kiln (clusters only)
//! region: eu-west-1                  # else AWS_REGION / the AWS profile's region
//! aws_profile: analytics             # optional: a profile in ~/.aws/config
//! statement_timeout: 300             # optional, seconds (or "500ms", "5m", "1h")
//! connect_timeout: 10                # optional, seconds
//! ```

use std::time::Duration;

use kiln_project::Target;
use kiln_warehouse::{AdapterError, ConnectStage};
use serde_json::Value;

/// Where statements run: a provisioned cluster or a Serverless workgroup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compute {
    Cluster(String),
    Workgroup(String),
}

impl Compute {
    /// `cluster analytics` / `workgroup analytics-wg`, for messages.
    pub fn describe(&self) -> String {
        match self {
            Compute::Cluster(id) => format!("cluster `{id}`"),
            Compute::Workgroup(name) => format!("workgroup `{name}`"),
        }
    }

    /// The profile key that names it.
    pub fn key(&self) -> &'static str {
        match self {
            Compute::Cluster(_) => "cluster_identifier",
            Compute::Workgroup(_) => "workgroup_name",
        }
    }
}

/// How the Data API authenticates to the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbAuth {
    /// A Secrets Manager secret holding the user name and password. Its ARN is not a secret.
    SecretArn(String),
    /// Temporary credentials for this database user (`redshift:GetClusterCredentials`).
    DbUser(String),
    /// Serverless only: the database user is derived from the caller's IAM identity.
    IamIdentity,
}

/// A Data API target, checked: every combination the Data API accepts, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataApiSettings {
    pub compute: Compute,
    pub database: String,
    pub auth: DbAuth,
    /// `None`: the AWS default chain decides (AWS_REGION, the profile's `region`).
    pub region: Option<String>,
    /// A named profile from the shared AWS config/credentials files.
    pub aws_profile: Option<String>,
    /// The longest a statement may run before Kiln cancels it (client side).
    pub statement_timeout: Option<Duration>,
    /// The TCP/TLS connect time-out of the HTTPS client.
    pub connect_timeout: Option<Duration>,
}

fn settings_error(message: impl Into<String>, hint: impl Into<String>) -> AdapterError {
    AdapterError::Connect {
        stage: ConnectStage::Settings,
        message: message.into(),
        hint: hint.into(),
    }
}

/// A non-empty string setting; numbers are accepted as their text.
fn text(target: &Target, key: &str) -> Result<Option<String>, AdapterError> {
    kiln_aws::text_setting(&target.settings, key).map_err(|bad| settings_error(bad.message, bad.hint))
}

/// Seconds as a number, or a string with a unit: `500ms`, `30s`, `5m`, `1h` (bare = seconds).
fn duration(target: &Target, key: &str) -> Result<Option<Duration>, AdapterError> {
    let bad = |shown: &str| {
        settings_error(
            format!("`{key}: {shown}` in the profile is not a duration"),
            format!("give `{key}` in seconds (e.g. `{key}: 300`) or with a unit: 500ms, 30s, 5m, 1h"),
        )
    };
    let seconds = match target.settings.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64().ok_or_else(|| bad(&n.to_string()))?,
        Some(Value::String(s)) => {
            let s = s.trim();
            let (number, scale) = if let Some(n) = s.strip_suffix("ms") {
                (n, 0.001)
            } else if let Some(n) = s.strip_suffix('s') {
                (n, 1.0)
            } else if let Some(n) = s.strip_suffix('m') {
                (n, 60.0)
            } else if let Some(n) = s.strip_suffix('h') {
                (n, 3600.0)
            } else {
                (s, 1.0)
            };
            number.trim().parse::<f64>().map_err(|_| bad(s))? * scale
        }
        Some(other) => return Err(bad(&other.to_string())),
    };
    if !seconds.is_finite() || seconds <= 0.0 || seconds > 7.0 * 24.0 * 3600.0 {
        return Err(bad(&seconds.to_string()));
    }
    Ok(Some(Duration::from_secs_f64(seconds)))
}

impl DataApiSettings {
    /// Reads and checks the target. A missing or contradictory combination is
    /// `AdapterError::Connect { stage: Settings }` naming the key to set.
    pub fn from_target(target: &Target) -> Result<DataApiSettings, AdapterError> {
        let cluster = match text(target, "cluster_identifier")? {
            Some(c) => Some(c),
            // dbt-redshift's IAM method calls it `cluster_id`.
            None => text(target, "cluster_id")?,
        };
        let workgroup = text(target, "workgroup_name")?;
        let compute = match (cluster, workgroup) {
            (Some(c), None) => Compute::Cluster(c),
            (None, Some(w)) => Compute::Workgroup(w),
            (Some(_), Some(_)) => {
                return Err(settings_error(
                    "the profile sets both `cluster_identifier` and `workgroup_name`",
                    "keep `cluster_identifier` for a provisioned cluster or `workgroup_name` for \
                     Redshift Serverless, not both",
                ))
            }
            (None, None) => {
                return Err(settings_error(
                    "the Data API target names no cluster or workgroup",
                    "set `cluster_identifier` (provisioned cluster) or `workgroup_name` \
                     (Redshift Serverless) in the profile",
                ))
            }
        };
        let database = target
            .database
            .clone()
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| {
                settings_error(
                    "the Data API target names no database",
                    "set `database` in the profile (e.g. `database: dev`)",
                )
            })?;
        let secret_arn = text(target, "secret_arn")?;
        let db_user = text(target, "db_user")?;
        let auth = match (&compute, secret_arn, db_user) {
            (_, Some(_), Some(_)) => {
                return Err(settings_error(
                    "the profile sets both `secret_arn` and `db_user`",
                    "keep `secret_arn` (a Secrets Manager secret with the database login) or \
                     `db_user` (temporary credentials), not both",
                ))
            }
            (_, Some(arn), None) => DbAuth::SecretArn(arn),
            (Compute::Cluster(_), None, Some(user)) => DbAuth::DbUser(user),
            (Compute::Workgroup(_), None, Some(_)) => {
                return Err(settings_error(
                    "`db_user` does not work with `workgroup_name`",
                    "Redshift Serverless derives the database user from your IAM identity: remove \
                     `db_user`, or set `secret_arn` to log in as a database user",
                ))
            }
            (Compute::Cluster(_), None, None) => match target.user.clone() {
                // dbt-redshift's IAM profiles name the database user `user`.
                Some(user) if !user.trim().is_empty() => DbAuth::DbUser(user),
                _ => {
                    return Err(settings_error(
                        "the Data API target has no database login",
                        "set `secret_arn` (a Secrets Manager secret with the login) or `db_user` \
                         (temporary credentials for that user) in the profile",
                    ))
                }
            },
            (Compute::Workgroup(_), None, None) => DbAuth::IamIdentity,
        };
        Ok(DataApiSettings {
            compute,
            database,
            auth,
            region: text(target, "region")?,
            aws_profile: match text(target, "aws_profile")? {
                Some(p) => Some(p),
                None => text(target, "iam_profile")?,
            },
            statement_timeout: duration(target, "statement_timeout")?,
            connect_timeout: duration(target, "connect_timeout")?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use kiln_project::TargetKind;
    use serde_json::json;

    fn target(database: Option<&str>, settings: Value) -> Target {
        let mut t = Target::embedded(std::path::Path::new("/tmp"), "p");
        t.kind = TargetKind::Redshift;
        t.path = None;
        t.database = database.map(str::to_string);
        t.settings = settings.as_object().cloned().unwrap_or_default();
        t
    }

    fn settings_hint(err: AdapterError) -> String {
        match err {
            AdapterError::Connect {
                stage: ConnectStage::Settings,
                message,
                hint,
            } => format!("{message}; {hint}"),
            other => panic!("expected a Settings error, got {other:?}"),
        }
    }

    #[test]
    fn cluster_with_secret() {
        let s = DataApiSettings::from_target(&target(
            Some("dev"),
            json!({"method": "data_api", "cluster_identifier": "c1", "secret_arn": "arn:s",
                   "region": "eu-west-1", "aws_profile": "analytics", "statement_timeout": 300,
                   "connect_timeout": "2500ms"}),
        ))
        .unwrap();
        assert_eq!(s.compute, Compute::Cluster("c1".into()));
        assert_eq!(s.auth, DbAuth::SecretArn("arn:s".into()));
        assert_eq!(s.database, "dev");
        assert_eq!(s.region.as_deref(), Some("eu-west-1"));
        assert_eq!(s.aws_profile.as_deref(), Some("analytics"));
        assert_eq!(s.statement_timeout, Some(Duration::from_secs(300)));
        assert_eq!(s.connect_timeout, Some(Duration::from_millis(2500)));
    }

    #[test]
    fn workgroup_may_use_the_iam_identity() {
        let s = DataApiSettings::from_target(&target(Some("dev"), json!({"workgroup_name": "wg"}))).unwrap();
        assert_eq!(s.compute, Compute::Workgroup("wg".into()));
        assert_eq!(s.auth, DbAuth::IamIdentity);
        assert_eq!(s.region, None);
    }

    #[test]
    fn cluster_takes_db_user_or_the_targets_user() {
        let s =
            DataApiSettings::from_target(&target(Some("dev"), json!({"cluster_id": "c1", "db_user": "kiln"}))).unwrap();
        assert_eq!(s.auth, DbAuth::DbUser("kiln".into()));
        let mut t = target(Some("dev"), json!({"cluster_identifier": "c1"}));
        t.user = Some("analyst".into());
        let s = DataApiSettings::from_target(&t).unwrap();
        assert_eq!(s.auth, DbAuth::DbUser("analyst".into()));
    }

    #[test]
    fn missing_pieces_name_the_key() {
        let cases = [
            (Some("dev"), json!({"secret_arn": "a"}), "`cluster_identifier`"),
            (None, json!({"cluster_identifier": "c"}), "`database`"),
            (Some("dev"), json!({"cluster_identifier": "c"}), "`secret_arn`"),
            (
                Some("dev"),
                json!({"cluster_identifier": "c", "workgroup_name": "w", "secret_arn": "a"}),
                "not both",
            ),
            (
                Some("dev"),
                json!({"workgroup_name": "w", "db_user": "u"}),
                "remove `db_user`",
            ),
            (
                Some("dev"),
                json!({"workgroup_name": "w", "statement_timeout": "soon"}),
                "`statement_timeout`",
            ),
            (
                Some("dev"),
                json!({"workgroup_name": "w", "connect_timeout": -1}),
                "`connect_timeout`",
            ),
        ];
        for (database, settings, needle) in cases {
            let err =
                DataApiSettings::from_target(&target(database, settings.clone())).expect_err(&settings.to_string());
            let text = settings_hint(err);
            assert!(text.contains(needle), "{settings}: {text}");
        }
    }
}
