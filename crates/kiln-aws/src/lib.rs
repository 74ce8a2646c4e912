//! The AWS plumbing kiln-redshift-iam and kiln-redshift-data share, written once: the
//! aws-config loader on an HTTPS client over rustls ([`https_config_loader`]), the masking of
//! access key ids in messages ([`redact`]), an error chain as one line ([`chain_text`],
//! [`credentials_failure`]), the error codes of bad credentials and of refused access
//! ([`BAD_CREDENTIALS`], [`ACCESS_DENIED`]), and reading a text setting of a profile ([`text_setting`]).
//!
//! Each crate keeps its own error type and messages; these helpers return plain values.

use std::error::Error as StdError;

use aws_config::{BehaviorVersion, ConfigLoader, Region};
use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use serde_json::{Map, Value};

/// The AWS configuration loader of the default chain (environment, ~/.aws files with `profile`,
/// SSO, credential_process, web identity, ECS/EC2 roles) on an HTTPS client over rustls (ring;
/// no OpenSSL, no aws-lc), with the profile's `region` when it names one. The same HTTPS client
/// serves the credential providers (SSO, STS, IMDS) too.
pub fn https_config_loader(region: Option<&str>, profile: Option<&str>) -> ConfigLoader {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http);
    if let Some(region) = region {
        loader = loader.region(Region::new(region.to_owned()));
    }
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    loader
}

/// Error codes that mean the AWS credentials themselves are missing, wrong or expired.
pub const BAD_CREDENTIALS: &[&str] = &[
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidClientTokenId",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
];

/// Error codes that mean the AWS identity may not do what it asked.
pub const ACCESS_DENIED: &[&str] = &[
    "AccessDeniedException",
    "AccessDenied",
    "UnauthorizedOperation",
    "NotAuthorized",
];

/// Masks anything that looks like an AWS access key id (`AKIA…`, `ASIA…`) so no credential
/// reaches a message. (Secret keys and session tokens are never put into messages by Kiln or
/// the SDK; an ARN, a cluster or a user name is not secret.)
pub fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        let key_like = (rest.starts_with("AKIA") || rest.starts_with("ASIA"))
            && rest.len() >= 20
            && rest.as_bytes()[4..20]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
            && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric());
        if key_like {
            out.push_str(&rest[..4]);
            out.push_str("****************");
            i += 20;
            continue;
        }
        let Some(ch) = rest.chars().next() else { break };
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// `outer: inner: innermost` for an error and its sources, without repeats (a source whose
/// text is empty or already contained in an earlier part is left out). Not redacted.
pub fn chain_text(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// Walks an error's sources for a credentials-provider failure and gives its [`chain_text`].
pub fn credentials_failure(err: &(dyn StdError + 'static)) -> Option<String> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = current {
        if let Some(c) = e.downcast_ref::<CredentialsError>() {
            return Some(chain_text(c));
        }
        current = e.source();
    }
    None
}

/// A profile setting of the wrong kind: what to say and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadSetting {
    pub message: String,
    pub hint: String,
}

/// A non-empty string setting `key` of a target's `settings` map, trimmed; numbers are
/// accepted as their text, null and blank strings are `None`.
pub fn text_setting(settings: &Map<String, Value>, key: &str) -> Result<Option<String>, BadSetting> {
    match settings.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(BadSetting {
            message: format!("`{key}` in the profile must be a string, not {other}"),
            hint: format!("write `{key}:` as a plain value in profiles.yml"),
        }),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redacts_access_key_ids() {
        assert_eq!(
            redact("key AKIAIOSFODNN7EXAMPLE is bad"),
            "key AKIA**************** is bad"
        );
        assert_eq!(redact("ASIAXYZ short"), "ASIAXYZ short");
        assert_eq!(redact("naïve ✓"), "naïve ✓");
    }

    #[test]
    fn redacts_only_whole_key_ids() {
        assert_eq!(redact("ASIAIOSFODNN7EXAMPLE"), "ASIA****************");
        assert_eq!(redact("id=ASIAIOSFODNN7EXAMPLE."), "id=ASIA****************.");
        // Inside a longer word, or with a lower-case letter among the 16: left alone.
        assert_eq!(redact("XAKIAIOSFODNN7EXAMPLE"), "XAKIAIOSFODNN7EXAMPLE");
        assert_eq!(redact("AKIAIOSFODNn7EXAMPLE"), "AKIAIOSFODNn7EXAMPLE");
        assert_eq!(redact(""), "");
    }

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Layer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn StdError + 'static))
        }
    }

    fn chain(texts: &[&'static str]) -> Layer {
        let mut inner: Option<Box<Layer>> = None;
        for text in texts.iter().rev() {
            inner = Some(Box::new(Layer(text, inner)));
        }
        *inner.unwrap()
    }

    #[test]
    fn chain_text_joins_sources_without_repeats() {
        assert_eq!(chain_text(&chain(&["outer"])), "outer");
        assert_eq!(
            chain_text(&chain(&["dispatch failure", "io error", "connection refused"])),
            "dispatch failure: io error: connection refused"
        );
        // Empty texts and texts an earlier part already says are left out.
        assert_eq!(
            chain_text(&chain(&["timed out: connect", "", "connect", "tcp"])),
            "timed out: connect: tcp"
        );
        // Not redacted: callers redact where the text becomes a message.
        assert_eq!(
            chain_text(&chain(&["bad key", "AKIAIOSFODNN7EXAMPLE"])),
            "bad key: AKIAIOSFODNN7EXAMPLE"
        );
    }

    #[test]
    fn finds_a_credentials_failure_among_the_sources() {
        assert_eq!(credentials_failure(&chain(&["dispatch failure", "io"])), None);
        let credentials = CredentialsError::not_loaded("no profile");
        assert_eq!(credentials_failure(&credentials), Some(chain_text(&credentials)));
    }

    #[test]
    fn reads_text_settings() {
        let settings = json!({"a": " x ", "b": "  ", "c": null, "d": 5439, "e": [1], "f": true});
        let settings = settings.as_object().unwrap();
        assert_eq!(text_setting(settings, "a"), Ok(Some("x".into())));
        assert_eq!(text_setting(settings, "b"), Ok(None));
        assert_eq!(text_setting(settings, "c"), Ok(None));
        assert_eq!(text_setting(settings, "missing"), Ok(None));
        assert_eq!(text_setting(settings, "d"), Ok(Some("5439".into())));
        assert_eq!(
            text_setting(settings, "e"),
            Err(BadSetting {
                message: "`e` in the profile must be a string, not [1]".into(),
                hint: "write `e:` as a plain value in profiles.yml".into(),
            })
        );
        assert!(text_setting(settings, "f").is_err());
    }

    #[tokio::test]
    async fn loader_takes_the_region_given() {
        let sdk = https_config_loader(Some("eu-west-1"), None).load().await;
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("eu-west-1"));
    }
}
