//! The on-disk format of a segment file.
//!
//! ```text
//! header: "KILNSEG1" | u32 shard count | u64 next sequence number per shard | u32 crc32
//! frame:  u32 body length | u32 crc32(body) | body
//! body:   u32 shard | u64 sequence | i64 arrival (ms since the epoch) | u16 key length | key | data
//! ```
//! All integers little-endian. The header records where each shard's numbering stood when the
//! segment was created, so numbering survives retention deleting every earlier segment. A
//! frame is whole or absent: a torn tail (a crash mid-write) fails its length or checksum and
//! is cut off on open.

use std::io::Read;

pub(crate) const MAGIC: &[u8; 8] = b"KILNSEG1";
/// Bytes before the body of a frame.
pub(crate) const FRAME_HEAD: usize = 8;
/// Fixed part of a body before the partition key.
const BODY_FIXED: usize = 4 + 8 + 8 + 2;

/// One record as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub shard: u32,
    pub sequence: u64,
    pub arrival_ms: i64,
    pub partition_key: String,
    pub data: Vec<u8>,
}

pub(crate) fn header_len(shards: u32) -> usize {
    8 + 4 + 8 * shards as usize + 4
}

pub(crate) fn encode_header(next_seq: &[u64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(header_len(next_seq.len() as u32));
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(next_seq.len() as u32).to_le_bytes());
    for s in next_seq {
        out.extend_from_slice(&s.to_le_bytes());
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Reads a header; `None` when it is missing, torn or corrupt.
pub(crate) fn decode_header(bytes: &[u8]) -> Option<Vec<u64>> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return None;
    }
    let shards = u32::from_le_bytes(bytes[8..12].try_into().ok()?) as usize;
    let end = 12 + 8 * shards;
    if bytes.len() < end + 4 {
        return None;
    }
    let crc = u32::from_le_bytes(bytes[end..end + 4].try_into().ok()?);
    if crc32fast::hash(&bytes[..end]) != crc {
        return None;
    }
    let seqs = bytes[12..end]
        .chunks_exact(8)
        .filter_map(|c| c.try_into().ok().map(u64::from_le_bytes))
        .collect();
    Some(seqs)
}

/// Appends the frame of one record to `out`.
pub(crate) fn encode(out: &mut Vec<u8>, shard: u32, sequence: u64, arrival_ms: i64, key: &str, data: &[u8]) {
    let key = &key.as_bytes()[..key.len().min(u16::MAX as usize)];
    let body_len = BODY_FIXED + key.len() + data.len();
    let start = out.len();
    out.extend_from_slice(&(body_len as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    let body = out.len();
    out.extend_from_slice(&shard.to_le_bytes());
    out.extend_from_slice(&sequence.to_le_bytes());
    out.extend_from_slice(&arrival_ms.to_le_bytes());
    out.extend_from_slice(&(key.len() as u16).to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(data);
    let crc = crc32fast::hash(&out[body..]);
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// What reading the next frame found.
pub(crate) enum Next {
    Record(Record, usize),
    /// A clean end of the data.
    End,
    /// A partial or corrupt frame: the data ends here.
    Torn,
}

/// Reads one frame from `reader`; the `usize` is the frame's size in bytes.
pub(crate) fn read_frame(reader: &mut impl Read, limit: usize) -> std::io::Result<Next> {
    let mut head = [0u8; FRAME_HEAD];
    match read_full(reader, &mut head)? {
        0 => return Ok(Next::End),
        n if n < FRAME_HEAD => return Ok(Next::Torn),
        _ => {}
    }
    let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let crc = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
    if len < BODY_FIXED || len > limit {
        return Ok(Next::Torn);
    }
    let mut body = vec![0u8; len];
    if read_full(reader, &mut body)? < len || crc32fast::hash(&body) != crc {
        return Ok(Next::Torn);
    }
    let le4 = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let le8 = |b: &[u8]| {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        a
    };
    let shard = le4(&body[0..4]);
    let sequence = u64::from_le_bytes(le8(&body[4..12]));
    let arrival_ms = i64::from_le_bytes(le8(&body[12..20]));
    let key_len = u16::from_le_bytes([body[20], body[21]]) as usize;
    if BODY_FIXED + key_len > len {
        return Ok(Next::Torn);
    }
    let partition_key = String::from_utf8_lossy(&body[BODY_FIXED..BODY_FIXED + key_len]).into_owned();
    let data = body.split_off(BODY_FIXED + key_len);
    Ok(Next::Record(
        Record {
            shard,
            sequence,
            arrival_ms,
            partition_key,
            data,
        },
        FRAME_HEAD + len,
    ))
}

fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_torn_tails_are_detected() {
        let mut buf = Vec::new();
        encode(&mut buf, 2, 41, 1_700_000_000_000, "pk", b"{\"a\":1}");
        encode(&mut buf, 0, 7, 5, "", b"");
        let mut r = &buf[..];
        let Next::Record(a, size) = read_frame(&mut r, 1 << 20).unwrap() else {
            panic!("first frame")
        };
        assert_eq!(
            (a.shard, a.sequence, a.partition_key.as_str(), a.data.as_slice()),
            (2, 41, "pk", &b"{\"a\":1}"[..])
        );
        assert_eq!(size, FRAME_HEAD + 22 + 2 + 7);
        assert!(matches!(read_frame(&mut r, 1 << 20).unwrap(), Next::Record(..)));
        assert!(matches!(read_frame(&mut r, 1 << 20).unwrap(), Next::End));
        for cut in (1..buf.len()).filter(|&c| c != size) {
            let mut r = &buf[..cut];
            let first = read_frame(&mut r, 1 << 20).unwrap();
            let torn = match first {
                Next::Torn => true,
                Next::Record(..) => matches!(read_frame(&mut r, 1 << 20).unwrap(), Next::Torn),
                Next::End => false,
            };
            assert!(torn, "cut at {cut} must read as torn");
        }
        let mut flipped = buf.clone();
        flipped[FRAME_HEAD + 3] ^= 1;
        assert!(matches!(read_frame(&mut &flipped[..], 1 << 20).unwrap(), Next::Torn));
    }

    #[test]
    fn headers_round_trip() {
        let h = encode_header(&[1, 5, 9]);
        assert_eq!(h.len(), header_len(3));
        assert_eq!(decode_header(&h), Some(vec![1, 5, 9]));
        assert_eq!(decode_header(&h[..h.len() - 1]), None);
    }
}
