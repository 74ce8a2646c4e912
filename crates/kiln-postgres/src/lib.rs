//! The PostgreSQL wire-protocol [`kiln_pgsql::Executor`], on sqlx, for `type: postgres` and
//! `type: redshift` targets.
//!
//! Amazon Redshift speaks PostgreSQL 8.0's protocol with a catalog of its own, so everything
//! here is chosen to work on both, and is tested on PostgreSQL:
//!
//! * the session starts with `extra_float_digits=2` (sqlx's startup parameters include it;
//!   Redshift refuses 3);
//! * every statement runs on the simple query protocol (`sqlx::raw_sql`): no prepared
//!   statements, every value arrives as text, and sqlx never looks a column's type up in
//!   `pg_type` on that path (it does for prepared statements, with a query Redshift's older
//!   catalog cannot answer);
//! * values are decoded by the column's type OID from a fixed table (including Redshift's
//!   SUPER, VARBYTE and GEOMETRY), and type names come from the same table;
//! * cancelling uses `pg_cancel_backend(pid)` from another session, which both servers offer.
//!
//! Sessions come from a small pool that knows each backend's PID (the `pool` module); calls run on
//! a private tokio runtime and hand results to the synchronous caller over bounded std
//! channels (see [`WireExecutor`]).
//!
//! An empty result still reports its columns: sqlx exposes a RowDescription only through rows,
//! so after a query returns none the executor asks for its columns with a `LIMIT 0` probe,
//! also on the simple protocol.
//!
//! With the `testing` feature, `testing::TestCluster` starts a throw-away PostgreSQL server for
//! tests (this crate's and other crates'), optionally with TLS.

mod config;
mod decode;
mod error;
mod executor;
mod pool;
#[cfg(feature = "testing")]
pub mod testing;

pub use config::{default_port, flavor_of, Flavor, Login, LoginFuture, LoginSource};
pub use executor::WireExecutor;
