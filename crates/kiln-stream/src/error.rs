//! Errors of the stream engine. Each maps to the Kinesis/Firehose error a client expects
//! (`api_code`) and to a Kiln diagnostic code for the CLI and the studio.

use std::path::PathBuf;

/// Which API a stream belongs to: a Kinesis data stream or a Firehose delivery stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamKind {
    Kinesis,
    Firehose,
}

impl StreamKind {
    pub fn noun(self) -> &'static str {
        match self {
            StreamKind::Kinesis => "stream",
            StreamKind::Firehose => "delivery stream",
        }
    }

    pub(crate) fn dir_name(self) -> &'static str {
        match self {
            StreamKind::Kinesis => "kinesis",
            StreamKind::Firehose => "firehose",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("{} '{name}' does not exist; create it first (CreateStream, the project's streams YAML, or `kiln stream create`)", kind.noun())]
    NotFound { kind: StreamKind, name: String },
    #[error("{} '{name}' already exists", kind.noun())]
    AlreadyExists { kind: StreamKind, name: String },
    #[error("{0}")]
    InvalidArgument(String),
    #[error("{0}")]
    LimitExceeded(String),
    /// The shard's configured write limit was exceeded (Kinesis' 1 MB/s or 1,000 records/s).
    #[error("rate exceeded for shard {shard} of stream '{stream}'")]
    Throughput { stream: String, shard: String },
    #[error("cannot {action} {}: {source}; check the disk has space and the folder is writable", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Another process (a studio, `kiln stream serve`) has the project's streams open.
    #[error("the streams in {} are open in another Kiln process (the studio or `kiln stream serve`); stop that one, or send records to its endpoint instead", path.display())]
    Locked { path: PathBuf },
    /// The log cannot take writes any more (an earlier write failed and could not be undone).
    #[error("stream '{stream}' stopped accepting records: {reason}; restart the endpoint to recover from the log")]
    Unavailable { stream: String, reason: String },
}

impl StreamError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StreamError::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// The error's `__type` as Kinesis and Firehose report it.
    pub fn api_code(&self) -> &'static str {
        match self {
            StreamError::NotFound { .. } => "ResourceNotFoundException",
            StreamError::AlreadyExists { .. } => "ResourceInUseException",
            StreamError::InvalidArgument(_) => "InvalidArgumentException",
            StreamError::LimitExceeded(_) => "LimitExceededException",
            StreamError::Throughput { .. } => "ProvisionedThroughputExceededException",
            StreamError::Io { .. } | StreamError::Unavailable { .. } | StreamError::Locked { .. } => {
                "ServiceUnavailableException"
            }
        }
    }

    /// Whether the failure is the server's (HTTP 5xx) rather than the request's (4xx).
    pub fn is_server_fault(&self) -> bool {
        matches!(
            self,
            StreamError::Io { .. } | StreamError::Unavailable { .. } | StreamError::Locked { .. }
        )
    }
}
