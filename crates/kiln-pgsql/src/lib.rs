//! PostgreSQL-family SQL for Kiln: the statements PostgreSQL and Amazon Redshift need for each
//! materialization (views, tables built under a scratch name and swapped in, incremental
//! append / delete+insert / merge, seeds, Spectrum external tables), rendered once in
//! [`Flavor`]-aware functions and run through an [`Executor`] a driver crate provides.

mod executor;

pub use executor::{Executor, Flow};
