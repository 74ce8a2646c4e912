//! Partition keys to shards, as Kinesis maps them: the MD5 of the key, read as a 128-bit
//! unsigned integer, falls in exactly one shard's hash-key range; `CreateStream` splits the
//! range evenly.

use md5::{Digest, Md5};

/// The hash key of a partition key.
pub fn hash_key(partition_key: &str) -> u128 {
    let digest = Md5::digest(partition_key.as_bytes());
    u128::from_be_bytes(digest.into())
}

/// The width of each shard's hash-key range when Kinesis splits a new stream evenly:
/// `floor(2^128 / count)`; `None` for one shard (2^128 does not fit).
fn step(count: u32) -> Option<u128> {
    let count = u128::from(count);
    // floor(2^128 / n) is floor((2^128 - 1) / n), plus one when n divides 2^128.
    (count > 1).then(|| u128::MAX / count + u128::from(u128::MAX % count == count - 1))
}

/// The inclusive hash-key range of shard `index` of `count`, as Kinesis reports it for a stream
/// created with that many shards: shard `i` starts at `i * floor(2^128 / count)`, and the last
/// one ends at 2^128 − 1 (3 shards: 0‥113427455640312821154458202477256070484, …).
pub fn range(index: u32, count: u32) -> (u128, u128) {
    let Some(step) = step(count) else {
        return (0, u128::MAX);
    };
    let start = step * u128::from(index);
    let end = if index + 1 >= count {
        u128::MAX
    } else {
        step * u128::from(index + 1) - 1
    };
    (start, end)
}

/// The shard of `count` whose [`range`] holds `hash`.
pub fn shard_for(hash: u128, count: u32) -> u32 {
    match step(count) {
        // The last shard's range absorbs the division's remainder.
        Some(step) => u32::try_from(hash / step).unwrap_or(u32::MAX).min(count - 1),
        None => 0,
    }
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
    fn ranges_are_the_ones_kinesis_reports() {
        // AWS's published split of a 3-shard stream.
        assert_eq!(range(0, 3), (0, 113427455640312821154458202477256070484));
        assert_eq!(range(2, 3), (226854911280625642308916404954512140970, u128::MAX));
        assert_eq!(range(0, 2), (0, (1 << 127) - 1));
        assert_eq!(range(1, 2), (1 << 127, u128::MAX));
        assert_eq!(range(3, 4), (3 << 126, u128::MAX));
        assert_eq!(range(0, 1), (0, u128::MAX));
        for count in [1u32, 2, 3, 4, 5, 7, 8, 16, 63, 64] {
            for i in 0..count {
                let (lo, hi) = range(i, count);
                if i > 0 {
                    assert_eq!(range(i - 1, count).1 + 1, lo);
                }
                assert_eq!((shard_for(lo, count), shard_for(hi, count)), (i, i), "{i}/{count}");
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
