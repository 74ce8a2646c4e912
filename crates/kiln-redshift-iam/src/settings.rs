//! The profile keys of a `method: iam` target, in dbt-redshift's spelling, read from
//! [`kiln_project::Target`] (`host`, `port`, `dbname`, `user` are the target's own fields; the rest
//! come from its `settings` map).
//!
//! ```yaml
//! type: redshift
//! method: iam
//! host: analytics.abc123xyz.eu-west-1.redshift.amazonaws.com
//! port: 5439
//! dbname: dev
//! cluster_id: analytics          # provisioned cluster (also: cluster_identifier)
//! user: kiln_ci                  # the database user (also: db_user)
//! db_groups: [analysts]          # optional: groups the user joins for the session
//! autocreate: true               # optional: create the user if it does not exist
//! iam_duration_seconds: 900      # optional: 900 (default) … 3600
//! iam_profile: data_engineer     # optional: a profile in ~/.aws/config (also: aws_profile, profile)
//! region: eu-west-1              # optional: else the AWS chain's, else the host's
//! ```
//!
//! Redshift Serverless takes `workgroup_name` (or redshift_connector's `serverless_work_group`),
//! or `is_serverless: true` / a `*.redshift-serverless.amazonaws.com` host, whose first label is
//! the workgroup; its database user comes from the caller's IAM identity, so `user` is ignored.

use std::time::Duration;

use kiln_project::Target;
use serde_json::Value;

use crate::IamError;

/// GetClusterCredentials and GetCredentials both accept 900–3600 seconds.
pub const MIN_DURATION: Duration = Duration::from_secs(900);
pub const MAX_DURATION: Duration = Duration::from_secs(3600);

/// What the temporary credentials are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compute {
    /// A provisioned cluster: `redshift:GetClusterCredentials`.
    Cluster {
        /// `cluster_id`.
        id: String,
        /// `db_user` / `user`.
        db_user: String,
        /// `db_groups`.
        db_groups: Vec<String>,
        /// `autocreate`.
        autocreate: bool,
    },
    /// A Redshift Serverless workgroup: `redshift-serverless:GetCredentials`.
    Workgroup {
        /// `workgroup_name`.
        name: String,
    },
}

impl Compute {
    /// The profile key that names it, as the user wrote it where that matters.
    pub fn key(&self) -> &'static str {
        match self {
            Compute::Cluster { .. } => "cluster_id",
            Compute::Workgroup { .. } => "workgroup_name",
        }
    }

    /// The AWS operation that issues the credentials.
    pub fn operation(&self) -> &'static str {
        match self {
            Compute::Cluster { .. } => "GetClusterCredentials",
            Compute::Workgroup { .. } => "redshift-serverless GetCredentials",
        }
    }
}

/// A `method: iam` target, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamSettings {
    pub compute: Compute,
    /// `dbname` (the credentials are scoped to it).
    pub database: String,
    /// `iam_duration_seconds`, 900 s by default.
    pub duration: Duration,
    /// `None`: the AWS default chain decides, then the host name.
    pub region: Option<String>,
    /// `iam_profile` / `aws_profile` / `profile`: a named profile from the shared AWS files.
    pub aws_profile: Option<String>,
    /// Which key named the AWS profile, for messages (`iam_profile` when none did).
    pub aws_profile_key: &'static str,
    /// The region in the host name (`….<region>.redshift[-serverless].amazonaws.com`).
    pub host_region: Option<String>,
}

fn settings_error(key: &'static str, message: impl Into<String>, hint: impl Into<String>) -> IamError {
    IamError::Settings {
        key,
        message: message.into(),
        hint: hint.into(),
    }
}

/// A non-empty string setting; numbers are accepted as their text.
fn text(target: &Target, key: &'static str) -> Result<Option<String>, IamError> {
    kiln_aws::text_setting(&target.settings, key).map_err(|bad| settings_error(key, bad.message, bad.hint))
}

fn first_text(target: &Target, keys: &[&'static str]) -> Result<Option<(&'static str, String)>, IamError> {
    for key in keys {
        if let Some(value) = text(target, key)? {
            return Ok(Some((key, value)));
        }
    }
    Ok(None)
}

fn flag(target: &Target, key: &'static str) -> Result<bool, IamError> {
    match target.settings.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(other) => Err(settings_error(
            key,
            format!("`{key}: {other}` in the profile is not true or false"),
            format!("write `{key}: true` or `{key}: false`"),
        )),
    }
}

/// `db_groups: [a, b]` or `db_groups: "a,b"`.
fn groups(target: &Target) -> Result<Vec<String>, IamError> {
    let bad = |shown: String| {
        settings_error(
            "db_groups",
            format!("`db_groups: {shown}` in the profile is not a list of group names"),
            "write `db_groups: [analysts, loaders]`",
        )
    };
    match target.settings.get("db_groups") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_string)
            .collect()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
                other => Err(bad(other.to_string())),
            })
            .collect(),
        Some(other) => Err(bad(other.to_string())),
    }
}

fn duration(target: &Target) -> Result<Duration, IamError> {
    let key = "iam_duration_seconds";
    let bad = |shown: String| {
        settings_error(
            key,
            format!("`{key}: {shown}` in the profile is not between 900 and 3600 seconds"),
            format!("set `{key}` to whole seconds from 900 to 3600 (900 when left out)"),
        )
    };
    let seconds = match target.settings.get(key) {
        None | Some(Value::Null) => return Ok(MIN_DURATION),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| bad(n.to_string()))?,
        Some(Value::String(s)) => s.trim().parse::<u64>().map_err(|_| bad(s.clone()))?,
        Some(other) => return Err(bad(other.to_string())),
    };
    let duration = Duration::from_secs(seconds);
    if !(MIN_DURATION..=MAX_DURATION).contains(&duration) {
        return Err(bad(seconds.to_string()));
    }
    Ok(duration)
}

/// `<name>.<account>.<region>.redshift-serverless.amazonaws.com` → (`name`, `region`);
/// `<cluster>.<id>.<region>.redshift.amazonaws.com` → (`cluster`, `region`).
fn parse_host(host: &str) -> Option<(bool, String, String)> {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let at = labels
        .iter()
        .position(|l| *l == "redshift" || *l == "redshift-serverless")?;
    if at < 3 || labels.get(at + 1) != Some(&"amazonaws") {
        return None;
    }
    Some((
        labels[at] == "redshift-serverless",
        labels[0].to_string(),
        labels[at - 1].to_string(),
    ))
}

impl IamSettings {
    /// Reads and checks the target; an error names the profile key to change.
    pub fn from_target(target: &Target) -> Result<IamSettings, IamError> {
        for key in [
            "access_key_id",
            "secret_access_key",
            "aws_access_key_id",
            "aws_secret_access_key",
        ] {
            if target.settings.contains_key(key) {
                return Err(settings_error(
                    if key.contains("secret") {
                        "secret_access_key"
                    } else {
                        "access_key_id"
                    },
                    "Kiln does not read AWS access keys from profiles.yml",
                    "remove them from the profile: put them in ~/.aws/credentials and name that \
                     profile with `iam_profile`, or set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
                ));
            }
        }
        let host = target.host.as_deref().unwrap_or("");
        let parsed = parse_host(host);
        let cluster = first_text(target, &["cluster_id", "cluster_identifier"])?;
        let workgroup = match first_text(target, &["workgroup_name", "serverless_work_group"])? {
            Some((_, name)) => Some(name),
            None => match (&parsed, flag(target, "is_serverless")?) {
                (Some((true, name, _)), _) => Some(name.clone()),
                (Some((false, _, _)), true) | (None, true) => {
                    return Err(settings_error(
                        "is_serverless",
                        format!("`is_serverless: true`, but the workgroup cannot be read from the host `{host}`"),
                        "set `workgroup_name` to the Redshift Serverless workgroup",
                    ))
                }
                _ => None,
            },
        };
        let compute = match (cluster, workgroup) {
            (Some(_), Some(_)) => {
                return Err(settings_error(
                    "cluster_id",
                    "the profile names both a cluster (`cluster_id`) and a Serverless workgroup",
                    "keep `cluster_id` for a provisioned cluster, or `workgroup_name` (or a \
                     redshift-serverless host) for Redshift Serverless, not both",
                ))
            }
            (None, None) => {
                return Err(settings_error(
                    "cluster_id",
                    "`method: iam` needs the cluster or workgroup to ask for credentials",
                    "set `cluster_id` (a provisioned cluster) or `workgroup_name` (Redshift \
                     Serverless) in the profile",
                ))
            }
            (Some((_, id)), None) => {
                let db_user = match text(target, "db_user")? {
                    Some(user) => user,
                    None => target.user.clone().filter(|u| !u.trim().is_empty()).ok_or_else(|| {
                        settings_error(
                            "user",
                            "`method: iam` on a cluster needs the database user to log in as",
                            "set `user` (or `db_user`) in the profile",
                        )
                    })?,
                };
                Compute::Cluster {
                    id,
                    db_user,
                    db_groups: groups(target)?,
                    autocreate: flag(target, "autocreate")?,
                }
            }
            (None, Some(name)) => Compute::Workgroup { name },
        };
        let database = target
            .database
            .clone()
            .filter(|d| !d.trim().is_empty())
            .ok_or_else(|| {
                settings_error(
                    "dbname",
                    "the target names no database",
                    "set `dbname` in the profile (a new Redshift cluster has `dev`)",
                )
            })?;
        let (aws_profile_key, aws_profile) = match first_text(target, &["iam_profile", "aws_profile", "profile"])? {
            Some((key, value)) => (key, Some(value)),
            None => ("iam_profile", None),
        };
        Ok(IamSettings {
            compute,
            database,
            duration: duration(target)?,
            region: text(target, "region")?,
            aws_profile,
            aws_profile_key,
            host_region: parsed.map(|(_, _, region)| region),
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use kiln_project::TargetKind;
    use serde_json::json;

    fn target(host: &str, user: Option<&str>, settings: Value) -> Target {
        let mut t = Target::embedded(std::path::Path::new("/tmp"), "p");
        t.kind = TargetKind::Redshift;
        t.path = None;
        t.host = Some(host.into());
        t.user = user.map(str::to_string);
        t.database = Some("dev".into());
        t.settings = settings.as_object().cloned().unwrap_or_default();
        t
    }

    fn key_of(err: IamError) -> &'static str {
        match err {
            IamError::Settings { key, .. } => key,
            other => panic!("expected a settings error, got {other:?}"),
        }
    }

    #[test]
    fn dbt_cluster_keys() {
        let s = IamSettings::from_target(&target(
            "analytics.abc.eu-west-1.redshift.amazonaws.com",
            Some("alice"),
            json!({"method": "iam", "cluster_id": "analytics", "iam_profile": "data_engineer",
                   "iam_duration_seconds": 1800, "autocreate": true, "db_groups": ["analysts", "loaders"]}),
        ))
        .unwrap();
        assert_eq!(
            s.compute,
            Compute::Cluster {
                id: "analytics".into(),
                db_user: "alice".into(),
                db_groups: vec!["analysts".into(), "loaders".into()],
                autocreate: true
            }
        );
        assert_eq!(s.duration, Duration::from_secs(1800));
        assert_eq!(s.aws_profile.as_deref(), Some("data_engineer"));
        assert_eq!(s.region, None);
        assert_eq!(s.host_region.as_deref(), Some("eu-west-1"));
        assert_eq!(s.database, "dev");
    }

    #[test]
    fn defaults_and_aliases() {
        let s = IamSettings::from_target(&target(
            "10.0.0.1",
            None,
            json!({"cluster_identifier": "c", "db_user": "kiln", "profile": "p", "db_groups": "a, b",
                   "region": "us-east-1"}),
        ))
        .unwrap();
        assert_eq!(s.duration, MIN_DURATION);
        assert_eq!(s.aws_profile_key, "profile");
        assert_eq!(s.region.as_deref(), Some("us-east-1"));
        assert_eq!(s.host_region, None);
        let Compute::Cluster {
            db_user,
            db_groups,
            autocreate,
            ..
        } = s.compute
        else {
            panic!()
        };
        assert_eq!((db_user.as_str(), db_groups.len(), autocreate), ("kiln", 2, false));
    }

    #[test]
    fn serverless_from_key_flag_or_host() {
        let s = IamSettings::from_target(&target("h", Some("u"), json!({"workgroup_name": "wg"}))).unwrap();
        assert_eq!(s.compute, Compute::Workgroup { name: "wg".into() });
        let s = IamSettings::from_target(&target(
            "analytics-wg.123456789012.us-east-2.redshift-serverless.amazonaws.com",
            None,
            json!({"is_serverless": true}),
        ))
        .unwrap();
        assert_eq!(
            s.compute,
            Compute::Workgroup {
                name: "analytics-wg".into()
            }
        );
        assert_eq!(s.host_region.as_deref(), Some("us-east-2"));
    }

    #[test]
    fn wrong_settings_name_their_key() {
        let cases = [
            (json!({}), Some("u"), "cluster_id"),
            (json!({"cluster_id": "c"}), None, "user"),
            (
                json!({"cluster_id": "c", "workgroup_name": "w"}),
                Some("u"),
                "cluster_id",
            ),
            (
                json!({"cluster_id": "c", "iam_duration_seconds": 60}),
                Some("u"),
                "iam_duration_seconds",
            ),
            (json!({"cluster_id": "c", "db_groups": [1]}), Some("u"), "db_groups"),
            (json!({"cluster_id": "c", "autocreate": "yes"}), Some("u"), "autocreate"),
            (json!({"is_serverless": true}), Some("u"), "is_serverless"),
            (
                json!({"cluster_id": "c", "secret_access_key": "x"}),
                Some("u"),
                "secret_access_key",
            ),
        ];
        for (settings, user, key) in cases {
            let err = IamSettings::from_target(&target("h", user, settings.clone())).expect_err(&settings.to_string());
            assert_eq!(key_of(err), key, "{settings}");
        }
    }
}
