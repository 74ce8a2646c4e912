//! The Amazon Redshift Data API as a [`kiln_pgsql::Executor`]: SQL over HTTPS, with no
//! database connection to hold, for provisioned clusters (`cluster_identifier`) and Redshift
//! Serverless workgroups (`workgroup_name`).
//!
//! A statement is submitted (`ExecuteStatement`, or `BatchExecuteStatement` for an atomic
//! group, which the Data API runs as one transaction), polled with `DescribeStatement` (50 ms,
//! growing ×1.5 to 1 s) until FINISHED, FAILED or ABORTED, and its rows are read with
//! `GetStatementResult`, one page per `NextToken`, each page one batch for the caller's sink.
//! The Data API keeps results for 24 hours and serves at most 100 MB of one statement's result,
//! so a very large result needs a LIMIT or an UNLOAD.
//!
//! Calls are synchronous, as [`kiln_pgsql::Executor`] is, and work from any thread: the
//! executor owns a small tokio runtime, spawns each request on it and waits on a channel.
//!
//! [`DataApiExecutor`] also browses the catalog for the studio: [`DataApiExecutor::list_schemas`],
//! [`DataApiExecutor::list_tables`], [`DataApiExecutor::describe_table`].

mod aws;
mod errors;
mod executor;
mod settings;
mod values;

pub use executor::{DataApiExecutor, TableColumn, TableInfo, Timing};
pub use settings::{Compute, DataApiSettings, DbAuth};
