//! Streams declared in a project's YAML (`kiln_project::StreamDecl`) made real: each stream
//! created in the hub when missing (an existing one keeps its records; changed retention and
//! delivery settings are saved), and a delivery's `create_table` DDL run when its table is not
//! there yet, so a fresh clone's first producer has somewhere to land.

use kiln_project::{StreamDecl, StreamDeclKind};
use kiln_warehouse::{Adapter, Relation};

use crate::{Delivery, Hub, StreamKind, StreamMeta};

/// What went wrong with one declaration, with where it is declared.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}: stream '{name}': {message}")]
pub struct DeclareError {
    pub name: String,
    pub file: String,
    pub line: usize,
    pub message: String,
}

fn meta(decl: &StreamDecl) -> StreamMeta {
    let kind = match decl.kind {
        StreamDeclKind::Kinesis => StreamKind::Kinesis,
        StreamDeclKind::Firehose => StreamKind::Firehose,
    };
    let mut meta = StreamMeta::new(kind, &decl.name, decl.shards.max(1));
    meta.retention_hours = decl.retention_hours;
    meta.delivery = decl.delivery.as_ref().map(|d| Delivery {
        table: d.table.clone(),
        columns: d.columns.clone(),
        copy_options: d.copy_options.clone(),
        interval_seconds: d.interval_seconds,
        size_mb: d.size_mb,
    });
    meta
}

fn relation(table: &str) -> Relation {
    match table.split_once('.') {
        Some((schema, name)) => Relation::new(schema, name),
        None => Relation::new("main", table),
    }
}

/// Creates the declared streams and their delivery tables. Every declaration is tried; the
/// failures come back together.
pub fn apply(
    hub: &Hub,
    adapter: Option<&dyn Adapter>,
    root: &std::path::Path,
    decls: &[StreamDecl],
) -> Vec<DeclareError> {
    let mut errors = Vec::new();
    for decl in decls {
        let fail = |message: String| DeclareError {
            name: decl.name.clone(),
            file: decl.file.display().to_string(),
            line: decl.line.unwrap_or(1),
            message,
        };
        if let Err(e) = hub.ensure(meta(decl)) {
            errors.push(fail(e.to_string()));
            continue;
        }
        let (Some(adapter), Some(delivery)) = (adapter, &decl.delivery) else {
            continue;
        };
        let Some(ddl) = &delivery.create_table else {
            continue;
        };
        let table = relation(&delivery.table);
        match adapter.relation_type(&table) {
            Ok(Some(_)) => continue,
            Ok(None) => {}
            Err(e) => {
                errors.push(fail(e.to_string()));
                continue;
            }
        }
        let path = root.join(ddl);
        let sql = match std::fs::read_to_string(&path) {
            Ok(sql) => sql,
            Err(e) => {
                errors.push(fail(format!("cannot read {}: {e}", path.display())));
                continue;
            }
        };
        let created = adapter
            .ensure_schema(&table.schema)
            .and_then(|()| adapter.execute(&kiln_sql::redshift_to_duckdb(&sql)));
        if let Err(e) = created {
            errors.push(fail(format!("{} failed: {e}", ddl.display())));
        }
    }
    errors
}
