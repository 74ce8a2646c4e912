//! The AWS calls: the SDK configuration from the default chain, GetClusterCredentials or
//! redshift-serverless GetCredentials, and a cache of the temporary login.

use std::future::Future;
use std::time::{Duration, SystemTime};

use aws_config::{Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use kiln_aws::{chain_text, redact};

use crate::error::{classify, no_credentials};
use crate::settings::{Compute, IamSettings};
use crate::IamError;

/// A temporary database login. The password never appears in `Debug` output.
#[derive(Clone)]
pub struct DbCredentials {
    /// The user to log in as, as AWS returned it (`IAM:alice` for a cluster).
    pub user: String,
    password: String,
    /// When the password stops being accepted for new logins.
    pub expires: SystemTime,
}

impl DbCredentials {
    pub fn new(user: impl Into<String>, password: impl Into<String>, expires: SystemTime) -> DbCredentials {
        DbCredentials {
            user: user.into(),
            password: password.into(),
            expires,
        }
    }

    /// The temporary password: hand it to the database driver, nowhere else.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Still valid `margin` from now.
    pub fn valid_for(&self, margin: Duration) -> bool {
        SystemTime::now()
            .checked_add(margin)
            .is_some_and(|later| later < self.expires)
    }
}

impl std::fmt::Debug for DbCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbCredentials")
            .field("user", &self.user)
            .field("password", &"****")
            .field("expires", &self.expires)
            .finish()
    }
}

/// Loads the AWS configuration from the default chain (environment, ~/.aws files with the
/// profile's `iam_profile`, SSO, credential_process, web identity, ECS/EC2 roles) on an HTTPS
/// client over rustls, and checks that credentials resolve, so a machine without any is told
/// so before Redshift is asked.
pub async fn load_aws_config(settings: &IamSettings) -> Result<SdkConfig, IamError> {
    let sdk = kiln_aws::https_config_loader(settings.region.as_deref(), settings.aws_profile.as_deref())
        .load()
        .await;
    let Some(provider) = sdk.credentials_provider() else {
        return Err(no_credentials("no AWS credentials provider".into(), settings));
    };
    if let Err(err) = provider.provide_credentials().await {
        return Err(no_credentials(redact(&chain_text(&err)), settings));
    }
    Ok(sdk)
}

/// The region to ask in: the profile's `region`, else the AWS configuration's, else the host's.
fn region(settings: &IamSettings, sdk: &SdkConfig) -> Result<String, IamError> {
    settings
        .region
        .clone()
        .or_else(|| sdk.region().map(|r| r.to_string()))
        .or_else(|| settings.host_region.clone())
        .ok_or(IamError::NoRegion {
            operation: settings.compute.operation(),
        })
}

fn expiry(settings: &IamSettings, at: Option<&aws_sdk_redshift::primitives::DateTime>) -> SystemTime {
    at.and_then(|t| SystemTime::try_from(*t).ok())
        // No expiry in the answer: assume the shortest life the request allows.
        .unwrap_or_else(|| SystemTime::now() + settings.duration.min(crate::settings::MIN_DURATION))
}

/// Asks AWS for a temporary login to the target's cluster or workgroup.
pub async fn fetch(settings: &IamSettings, sdk: &SdkConfig) -> Result<DbCredentials, IamError> {
    let region = region(settings, sdk)?;
    let operation = settings.compute.operation();
    let seconds = i32::try_from(settings.duration.as_secs()).unwrap_or(900);
    let (user, password, expires) = match &settings.compute {
        Compute::Cluster {
            id,
            db_user,
            db_groups,
            autocreate,
        } => {
            let config = aws_sdk_redshift::config::Builder::from(sdk)
                .region(Region::new(region.clone()))
                .build();
            let client = aws_sdk_redshift::Client::from_conf(config);
            let mut request = client
                .get_cluster_credentials()
                .cluster_identifier(id)
                .db_user(db_user)
                .db_name(&settings.database)
                .duration_seconds(seconds)
                .auto_create(*autocreate);
            for group in db_groups {
                request = request.db_groups(group);
            }
            let out = request.send().await.map_err(|e| classify(settings, &region, &e))?;
            (
                out.db_user().map(str::to_string),
                out.db_password().map(str::to_string),
                expiry(settings, out.expiration()),
            )
        }
        Compute::Workgroup { name } => {
            let config = aws_sdk_redshiftserverless::config::Builder::from(sdk)
                .region(aws_sdk_redshiftserverless::config::Region::new(region.clone()))
                .build();
            let client = aws_sdk_redshiftserverless::Client::from_conf(config);
            let out = client
                .get_credentials()
                .workgroup_name(name)
                .db_name(&settings.database)
                .duration_seconds(seconds)
                .send()
                .await
                .map_err(|e| classify(settings, &region, &e))?;
            (
                out.db_user().map(str::to_string),
                out.db_password().map(str::to_string),
                expiry(settings, out.expiration()),
            )
        }
    };
    let user = user.filter(|u| !u.is_empty()).ok_or(IamError::BadResponse {
        operation,
        missing: "a database user",
    })?;
    let password = password.filter(|p| !p.is_empty()).ok_or(IamError::BadResponse {
        operation,
        missing: "a password",
    })?;
    Ok(DbCredentials {
        user,
        password,
        expires,
    })
}

/// Runs `future` to completion on a current-thread runtime of its own, on a thread of its own,
/// so it works from plain threads and from inside another tokio runtime alike (the studio's).
pub fn block_on<F>(future: F) -> Result<F::Output, IamError>
where
    F: Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| IamError::Internal(e.to_string()))?;
                Ok(runtime.block_on(future))
            })
            .join()
            .map_err(|_| IamError::Internal("the credentials thread stopped".into()))?
    })
}

/// New logins need a password that still has this long to live.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The temporary login of one target, shared by every connection its pool opens.
///
/// Each new connection asks [`IamCredentials::login`]; the cached login is handed out while it
/// has more than [`REFRESH_MARGIN`] to live, and fresh credentials are fetched otherwise. A
/// Redshift session stays open after its password expires (the password only gates the login),
/// so open sessions are never affected; fetching per connection would instead call AWS for
/// every pool slot. Concurrent callers wait on one fetch.
pub struct IamCredentials {
    settings: IamSettings,
    sdk: SdkConfig,
    cached: tokio::sync::Mutex<Option<DbCredentials>>,
}

impl std::fmt::Debug for IamCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamCredentials")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl IamCredentials {
    /// With the AWS configuration given (tests hand in one whose HTTP client replays exchanges).
    pub fn new(settings: IamSettings, sdk: SdkConfig) -> IamCredentials {
        IamCredentials {
            settings,
            sdk,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// With the AWS configuration from the environment (blocking: see [`block_on`]).
    pub fn from_env(settings: IamSettings) -> Result<IamCredentials, IamError> {
        let sdk = block_on(load_aws_config(&settings))??;
        Ok(IamCredentials::new(settings, sdk))
    }

    pub fn settings(&self) -> &IamSettings {
        &self.settings
    }

    /// A login valid for at least [`REFRESH_MARGIN`], from the cache or fresh from AWS.
    pub async fn login(&self) -> Result<DbCredentials, IamError> {
        let mut cached = self.cached.lock().await;
        if let Some(login) = cached.as_ref().filter(|c| c.valid_for(REFRESH_MARGIN)) {
            return Ok(login.clone());
        }
        let fresh = fetch(&self.settings, &self.sdk).await?;
        *cached = Some(fresh.clone());
        Ok(fresh)
    }

    /// [`IamCredentials::login`] from synchronous code.
    pub fn login_blocking(&self) -> Result<DbCredentials, IamError> {
        block_on(self.login())?
    }
}
