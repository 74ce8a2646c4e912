//! PostgreSQL-family SQL for Kiln: the statements PostgreSQL and Amazon Redshift need for each
//! materialization (views, tables built under a scratch name and swapped in, incremental
//! append / delete+insert / merge, seeds, Spectrum external tables), rendered once in
//! [`Flavor`]-aware functions ([`render`]) and run by [`SqlAdapter`] through an [`Executor`] that a
//! driver crate provides: `kiln-postgres` (the wire protocol) or `kiln-redshift-data` (the Data API).

mod adapter;
mod executor;
pub mod load;
pub mod render;

pub use adapter::SqlAdapter;
pub use executor::{Executor, Flow, RowSink};
pub use render::Flavor;
