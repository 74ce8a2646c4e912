//! What can go wrong on the way to temporary database credentials, each with the profile key to
//! change and what to do. No variant carries a password or an AWS secret: texts that come from
//! AWS pass through [`kiln_aws::redact`], which masks access key ids, and the SDK never puts
//! secret keys, session tokens or the issued password into its messages.

use std::error::Error as StdError;

use aws_sdk_redshift::error::{ProvideErrorMetadata, SdkError};
use kiln_aws::{chain_text, credentials_failure, redact};

use crate::settings::IamSettings;

#[derive(Debug, thiserror::Error)]
pub enum IamError {
    /// The profile lacks a setting, or has one that cannot work.
    #[error("{message}")]
    Settings {
        key: &'static str,
        message: String,
        hint: String,
    },
    /// No AWS region from the profile, the environment, the AWS profile or the host name.
    #[error("no AWS region to ask {operation} in")]
    NoRegion { operation: &'static str },
    /// The AWS credential chain gave nothing usable.
    #[error("no usable AWS credentials: {detail}")]
    NoAwsCredentials {
        detail: String,
        profile: Option<String>,
        profile_key: &'static str,
    },
    /// AWS refused the request: the identity may not get these credentials.
    #[error("{operation} was refused ({code}): {detail}")]
    AccessDenied {
        operation: &'static str,
        code: String,
        detail: String,
        hint: String,
        profile_key: &'static str,
    },
    /// The AWS credentials themselves are invalid or expired.
    #[error("AWS did not accept the credentials for {operation} ({code}): {detail}")]
    BadAwsCredentials {
        operation: &'static str,
        code: String,
        detail: String,
        profile: Option<String>,
        profile_key: &'static str,
    },
    /// The cluster or workgroup does not exist in the region asked.
    #[error("{operation}: {what} `{name}` does not exist in region `{region}`")]
    NotFound {
        operation: &'static str,
        what: &'static str,
        key: &'static str,
        name: String,
        region: String,
    },
    /// Any other refusal (validation, unsupported operation, throttling, server error).
    #[error("{operation} failed ({code}): {detail}")]
    Rejected {
        operation: &'static str,
        code: String,
        detail: String,
    },
    /// The AWS endpoint could not be reached (network, DNS of a wrong region, TLS, time-out).
    #[error("cannot reach AWS for {operation}: {detail}")]
    Unreachable { operation: &'static str, detail: String },
    /// The answer lacked the user, the password or the expiry.
    #[error("{operation} answered without {missing}")]
    BadResponse {
        operation: &'static str,
        missing: &'static str,
    },
    /// The fetch could not run (no runtime thread).
    #[error("cannot run the credentials request: {0}")]
    Internal(String),
}

impl IamError {
    /// The profile key whose line the user should change.
    pub fn key(&self) -> &'static str {
        match self {
            IamError::Settings { key, .. } | IamError::NotFound { key, .. } => key,
            IamError::NoRegion { .. } | IamError::Unreachable { .. } => "region",
            IamError::NoAwsCredentials { profile_key, .. }
            | IamError::AccessDenied { profile_key, .. }
            | IamError::BadAwsCredentials { profile_key, .. } => profile_key,
            IamError::Rejected { .. } | IamError::BadResponse { .. } | IamError::Internal(_) => "method",
        }
    }

    /// What to do about it.
    pub fn hint(&self) -> String {
        let credentials_hint = |profile: &Option<String>, key: &str| match profile {
            Some(profile) => format!(
                "check the AWS profile `{profile}` (`{key}` in the profile) in ~/.aws/config and \
                 ~/.aws/credentials; for SSO run `aws sso login --profile {profile}`"
            ),
            None => "provide AWS credentials: name a profile from ~/.aws/config with `iam_profile`, \
                     set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
                .to_string(),
        };
        match self {
            IamError::Settings { hint, .. } | IamError::AccessDenied { hint, .. } => hint.clone(),
            IamError::NoRegion { .. } => {
                "set `region` in the profile (or AWS_REGION, or `region` in the AWS profile)".into()
            }
            IamError::NoAwsCredentials {
                profile, profile_key, ..
            }
            | IamError::BadAwsCredentials {
                profile, profile_key, ..
            } => credentials_hint(profile, profile_key),
            IamError::NotFound { key, region, .. } => format!(
                "check `{key}` and `region` in the profile: the name is case-sensitive and must \
                 exist in `{region}` (the region of `host`, when it is a Redshift endpoint)"
            ),
            IamError::Rejected { .. } => {
                "check `cluster_id` / `workgroup_name`, `user` and `dbname` in the profile".into()
            }
            IamError::Unreachable { .. } => {
                "check the network, any HTTPS proxy, and `region` in the profile (the endpoint is \
                 redshift.<region>.amazonaws.com)"
                    .into()
            }
            IamError::BadResponse { .. } | IamError::Internal(_) => "try again; if it persists, report it".into(),
        }
    }

    /// True when the AWS side (not the profile's Redshift settings) is what failed.
    pub fn is_aws_credentials(&self) -> bool {
        matches!(
            self,
            IamError::NoAwsCredentials { .. } | IamError::BadAwsCredentials { .. }
        )
    }
}

/// The credentials themselves are missing, wrong or expired: kiln-aws's codes and EC2's
/// `AuthFailure`.
fn bad_credentials(code: &str) -> bool {
    kiln_aws::BAD_CREDENTIALS.contains(&code) || code == "AuthFailure"
}

/// The identity may not get these credentials: kiln-aws's codes and Redshift's
/// `AccessDeniedFault`.
fn access_denied(code: &str) -> bool {
    kiln_aws::ACCESS_DENIED.contains(&code) || code == "AccessDeniedFault"
}

pub(crate) fn no_credentials(detail: String, settings: &IamSettings) -> IamError {
    IamError::NoAwsCredentials {
        detail: redact(&detail),
        profile: settings.aws_profile.clone(),
        profile_key: settings.aws_profile_key,
    }
}

fn permission_hint(settings: &IamSettings, region: &str) -> String {
    match &settings.compute {
        crate::Compute::Cluster {
            id,
            db_user,
            db_groups,
            autocreate,
        } => {
            let mut hint = format!(
                "the AWS identity needs redshift:GetClusterCredentials on \
                 arn:aws:redshift:{region}:<account>:dbuser:{id}/{db_user} and dbname:{id}/{}",
                settings.database
            );
            if !db_groups.is_empty() {
                hint.push_str(&format!(", redshift:JoinGroup on dbgroup:{id}/<group> for `db_groups`"));
            }
            if *autocreate {
                hint.push_str(", and redshift:CreateClusterUser for `autocreate`");
            }
            hint.push_str("; or use an AWS profile that has it (`iam_profile`), or another database user (`user`)");
            hint
        }
        crate::Compute::Workgroup { name } => format!(
            "the AWS identity needs redshift-serverless:GetCredentials on the workgroup `{name}`; \
             or use an AWS profile that has it (`iam_profile`)"
        ),
    }
}

/// Classifies a failed SDK call.
pub(crate) fn classify<E>(settings: &IamSettings, region: &str, err: &SdkError<E>) -> IamError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
{
    let operation = settings.compute.operation();
    match err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let code = e.code().unwrap_or("").to_string();
            let detail = redact(e.message().unwrap_or("").trim());
            if code == "ClusterNotFound" || code == "ClusterNotFoundFault" || code == "ResourceNotFoundException" {
                let (what, name) = match &settings.compute {
                    crate::Compute::Cluster { id, .. } => ("cluster", id.clone()),
                    crate::Compute::Workgroup { name } => ("workgroup", name.clone()),
                };
                return IamError::NotFound {
                    operation,
                    what,
                    key: settings.compute.key(),
                    name,
                    region: region.to_string(),
                };
            }
            if access_denied(&code) {
                return IamError::AccessDenied {
                    operation,
                    code,
                    detail,
                    hint: permission_hint(settings, region),
                    profile_key: settings.aws_profile_key,
                };
            }
            if bad_credentials(&code) {
                return IamError::BadAwsCredentials {
                    operation,
                    code,
                    detail,
                    profile: settings.aws_profile.clone(),
                    profile_key: settings.aws_profile_key,
                };
            }
            let code = if code.is_empty() {
                format!("HTTP {}", service.raw().status().as_u16())
            } else {
                code
            };
            IamError::Rejected {
                operation,
                code,
                detail,
            }
        }
        SdkError::DispatchFailure(_) | SdkError::ConstructionFailure(_) => {
            if let Some(text) = credentials_failure(err) {
                return no_credentials(redact(&text), settings);
            }
            let text = redact(&chain_text(err));
            if matches!(err, SdkError::ConstructionFailure(_)) && text.to_ascii_lowercase().contains("region") {
                return IamError::NoRegion { operation };
            }
            IamError::Unreachable {
                operation,
                detail: text,
            }
        }
        SdkError::TimeoutError(_) => IamError::Unreachable {
            operation,
            detail: "no answer in time".into(),
        },
        _ => IamError::Rejected {
            operation,
            code: "response".into(),
            detail: redact(&chain_text(err)),
        },
    }
}
