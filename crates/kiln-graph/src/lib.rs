//! Kiln's project DAG and dbt's node-selection syntax.
//!
//! The project loader hands over a flat list of [`GraphNode`]s whose `depends_on` are already
//! resolved to unique ids. [`Graph::new`] validates them (duplicates, unknown dependencies,
//! cycles) and answers lineage questions and scheduling order; [`select`] resolves
//! `--select` / `--exclude` arguments with dbt 1.x semantics:
//!
//! - methods: `fqn:` (the default for bare names, with `*` wildcards and folder prefixes such as
//!   `staging` or `staging.*`), `tag:`, `source:`, `path:` (also the default for anything with
//!   a `/`), `file:` (default for `x.sql`), `package:`, `config.<key>:`, `resource_type:`,
//!   `test_type:`, `exposure:`, `group:`, `access:`;
//! - graph operators `+x`, `x+`, `2+x`, `x+3`, `+x+`, `@x` on any method;
//! - set operators: space = union, comma = intersection, `--exclude` subtracted last;
//! - indirect selection of tests: eager (default), cautious, buildable, empty.
//!
//! petgraph holds the edges and finds the strongly connected component behind a cycle; the
//! deterministic orderings (ties broken by unique id) are computed here on top of it.

mod glob;
mod graph;
mod node;
mod select;
mod selector;

pub use graph::{Graph, GraphError};
pub use node::{GraphNode, ParseResourceTypeError, ResourceType};
pub use select::{select, select_with_report, SelectOptions, Selection};
pub use selector::{
    parse_selection, IndirectSelection, SelectionCriteria, SelectionExpr, SelectorError, SelectorMethod,
    SUPPORTED_METHODS,
};
