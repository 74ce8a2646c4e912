//! The AWS side of a real connection: region and credentials from the default chain, an HTTPS
//! client on rustls (ring; no OpenSSL, no aws-lc), and the Data API client's configuration.

use aws_sdk_redshiftdata::config::retry::RetryConfig;
use aws_sdk_redshiftdata::config::timeout::TimeoutConfig;
use aws_sdk_redshiftdata::config::ProvideCredentials;
use kiln_aws::redact;
use kiln_warehouse::{AdapterError, ConnectStage};

use crate::settings::DataApiSettings;

fn credentials_error(message: String, settings: &DataApiSettings) -> AdapterError {
    let hint = match &settings.aws_profile {
        Some(profile) => format!(
            "check the AWS profile `{profile}` (`aws_profile` in the profile) in ~/.aws/config \
             and ~/.aws/credentials; for SSO run `aws sso login --profile {profile}`"
        ),
        None => "provide AWS credentials: set AWS_PROFILE (or `aws_profile` in the profile), \
                 AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run `aws sso login`"
            .to_string(),
    };
    AdapterError::Connect {
        stage: ConnectStage::Credentials,
        message: redact(&message),
        hint,
    }
}

/// Loads the SDK configuration for `settings` and checks that credentials resolve.
pub(crate) async fn load(settings: &DataApiSettings) -> Result<aws_sdk_redshiftdata::Config, AdapterError> {
    let mut loader = kiln_aws::https_config_loader(settings.region.as_deref(), settings.aws_profile.as_deref());
    if let Some(connect) = settings.connect_timeout {
        loader = loader.timeout_config(TimeoutConfig::builder().connect_timeout(connect).build());
    }
    let sdk = loader.load().await;
    if sdk.region().is_none() {
        return Err(AdapterError::Connect {
            stage: ConnectStage::Settings,
            message: "no AWS region for the Data API".into(),
            hint: "set `region` in the profile (or AWS_REGION, or `region` in the AWS profile)".into(),
        });
    }
    let Some(provider) = sdk.credentials_provider() else {
        return Err(credentials_error("no AWS credentials provider".into(), settings));
    };
    if let Err(err) = provider.provide_credentials().await {
        let mut text = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(s) = source {
            let more = s.to_string();
            if !text.contains(&more) {
                text = format!("{text}: {more}");
            }
            source = s.source();
        }
        return Err(credentials_error(
            format!("no usable AWS credentials: {text}"),
            settings,
        ));
    }
    Ok(aws_sdk_redshiftdata::config::Builder::from(&sdk)
        .retry_config(RetryConfig::disabled())
        .build())
}
