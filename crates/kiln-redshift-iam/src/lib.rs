//! Temporary Amazon Redshift database credentials for `method: iam` targets, as dbt-redshift
//! gets them: `redshift:GetClusterCredentials` for a provisioned cluster (`cluster_id`, the
//! database user in `user`/`db_user`, `db_groups`, `autocreate`, `iam_duration_seconds`) and
//! `redshift-serverless:GetCredentials` for a Serverless workgroup (`workgroup_name`), signed with
//! AWS credentials from the default chain (aws-config; `iam_profile` names a profile of
//! ~/.aws/config).
//!
//! [`IamSettings::from_target`] reads the profile; [`IamCredentials`] fetches and caches the
//! login ([`DbCredentials`]: user, password, expiry) that the wire executor then logs in with.
//! The password is a secret: it is in no `Debug` output, message or error. Errors
//! ([`IamError`]) name the profile key to change ([`IamError::key`]) and what to do
//! ([`IamError::hint`]).

mod credentials;
mod error;
mod settings;
#[cfg(feature = "testing")]
pub mod testing;

pub use aws_config::SdkConfig;
pub use credentials::{block_on, fetch, load_aws_config, DbCredentials, IamCredentials, REFRESH_MARGIN};
pub use error::IamError;
pub use settings::{Compute, IamSettings, MAX_DURATION, MIN_DURATION};
