//! Streams for Kiln: a local endpoint that speaks the Kinesis Data Streams and Kinesis Data
//! Firehose APIs, the durable segment log behind it, and the refresh of streaming materialized
//! views on the project's warehouse.
//!
//! * [`log`] — append-only segment files per stream, group-committed: a record is acknowledged
//!   only once it is on disk.
//! * [`shard`] — partition keys to shards by MD5, as Kinesis does.
//! * [`views`] — streaming materialized views and Firehose delivery into tables, refreshed
//!   incrementally in one warehouse transaction per batch, and the loop that keeps them fresh.
//! * [`api`] — the HTTP endpoint AWS SDKs, the AWS CLI and other Kinesis/Firehose clients talk
//!   to unmodified.

pub mod api;
pub mod declare;
pub mod error;
pub mod hub;
pub mod log;
pub mod shard;
pub mod views;

pub use error::{StreamError, StreamKind};

/// Where a project keeps its streams, relative to its root.
pub const PROJECT_STREAMS_DIR: &str = ".kiln/streams";
pub use hub::{Delivery, Hub, HubOptions, PutOutcome, PutRecord, ShardLimit, Stream, StreamMeta};
