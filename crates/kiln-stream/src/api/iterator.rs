//! Shard iterators: opaque tokens (base64url of a small JSON object) naming the stream, the
//! shard and the next sequence number to read, stamped with when they were issued so that they
//! expire as Kinesis' do (after five minutes).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::ApiError;

/// How long an iterator stays valid (Kinesis: 300,000 ms).
pub const ITERATOR_TTL_MS: i64 = 300_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardIterator {
    /// Stream name.
    #[serde(rename = "s")]
    pub stream: String,
    /// The stream's creation time: an iterator of a deleted stream does not read the new one of
    /// the same name.
    #[serde(rename = "c")]
    pub created_ms: i64,
    #[serde(rename = "h")]
    pub shard: u32,
    /// The next sequence number to return.
    #[serde(rename = "q")]
    pub sequence: u64,
    #[serde(rename = "t")]
    pub issued_ms: i64,
}

impl ShardIterator {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Decodes a token; anything that is not one of ours is `InvalidArgumentException`.
    pub fn decode(token: &str) -> Result<ShardIterator, ApiError> {
        let invalid = || ApiError::invalid(format!("Invalid ShardIterator: {}", shorten(token)));
        let bytes = URL_SAFE_NO_PAD.decode(token.trim()).map_err(|_| invalid())?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }

    /// `ExpiredIteratorException` when issued more than [`ITERATOR_TTL_MS`] before `now_ms`.
    pub fn check_fresh(&self, now_ms: i64) -> Result<(), ApiError> {
        if now_ms - self.issued_ms > ITERATOR_TTL_MS {
            return Err(ApiError::bad(
                "ExpiredIteratorException",
                format!(
                    "Iterator expired. The iterator was created at time {} while right now it is {} which is \
                     further in the future than the tolerated delay of {ITERATOR_TTL_MS} milliseconds.",
                    self.issued_ms, now_ms
                ),
            ));
        }
        Ok(())
    }
}

fn shorten(token: &str) -> String {
    let mut s: String = token.chars().take(64).collect();
    if token.chars().count() > 64 {
        s.push('…');
    }
    s
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_expire() {
        let it = ShardIterator {
            stream: "a".repeat(128),
            created_ms: 1_700_000_000_000,
            shard: 3,
            sequence: u64::MAX,
            issued_ms: 1_700_000_100_000,
        };
        let token = it.encode();
        // Kinesis' ShardIterator is at most 512 characters; clients may check.
        assert!(token.len() <= 512, "{}", token.len());
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(ShardIterator::decode(&token).unwrap(), it);
        assert!(it.check_fresh(it.issued_ms + ITERATOR_TTL_MS).is_ok());
        let err = it.check_fresh(it.issued_ms + ITERATOR_TTL_MS + 1).unwrap_err();
        assert_eq!(err.code, "ExpiredIteratorException");
    }

    #[test]
    fn garbage_is_an_invalid_argument() {
        for token in ["", "not-a-token", "eyJ4IjoxfQ", "%%%"] {
            let err = ShardIterator::decode(token).unwrap_err();
            assert_eq!(err.code, "InvalidArgumentException", "{token}");
        }
    }
}
