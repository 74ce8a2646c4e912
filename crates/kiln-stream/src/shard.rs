//! Partition keys to shards, as Kinesis maps them: the MD5 of the key, read as a 128-bit
//! unsigned integer, falls in exactly one shard's hash-key range; `CreateStream` splits the
//! range evenly.

use md5::{Digest, Md5};

/// The hash key of a partition key.
pub fn hash_key(partition_key: &str) -> u128 {
    let digest = Md5::digest(partition_key.as_bytes());
    u128::from_be_bytes(digest.into())
}

/// The inclusive hash-key range of shard `index` of `count` evenly split shards.
pub fn range(index: u32, count: u32) -> (u128, u128) {
    let count = u128::from(count.max(1));
    let step = u128::MAX / count;
    let start = step * u128::from(index);
    let end = if u128::from(index) + 1 == count {
        u128::MAX
    } else {
        start + step - 1
    };
    (start, end)
}

/// The shard of `count` whose range holds `hash`.
pub fn shard_for(hash: u128, count: u32) -> u32 {
    let count = count.max(1);
    let step = u128::MAX / u128::from(count);
    let index = hash / step;
    // The last shard's range absorbs the division's remainder.
    u32::try_from(index).unwrap_or(u32::MAX).min(count - 1)
}

/// Kinesis' shard id for an index: `shardId-000000000000`.
pub fn shard_id(index: u32) -> String {
    format!("shardId-{index:012}")
}

/// The index in a shard id (`shardId-000000000003` → 3).
pub fn parse_shard_id(id: &str) -> Option<u32> {
    id.strip_prefix("shardId-")?.parse().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn ranges_cover_the_hash_space_without_gaps() {
        for count in [1u32, 2, 3, 7, 16] {
            assert_eq!(range(0, count).0, 0);
            assert_eq!(range(count - 1, count).1, u128::MAX);
            for i in 1..count {
                assert_eq!(range(i - 1, count).1 + 1, range(i, count).0);
            }
            for key in ["a", "b", "sensor-1", "03e39872-e105-4be4-83c0-9ade818465dc"] {
                let h = hash_key(key);
                let s = shard_for(h, count);
                let (lo, hi) = range(s, count);
                assert!(lo <= h && h <= hi, "{key} in shard {s} of {count}");
            }
        }
    }

    #[test]
    fn md5_of_the_key_is_read_big_endian() {
        // md5("a") = 0cc175b9c0f1b6a831c399e269772661
        assert_eq!(hash_key("a"), 0x0cc175b9c0f1b6a831c399e269772661);
        assert_eq!(shard_for(hash_key("a"), 2), 0);
        assert_eq!(shard_id(3), "shardId-000000000003");
        assert_eq!(parse_shard_id("shardId-000000000003"), Some(3));
    }
}
