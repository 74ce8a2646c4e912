//! [`SqlAdapter`]: Kiln's [`Adapter`] for PostgreSQL-family servers, over any [`Executor`].
//! Every build goes to a scratch name first and is swapped in by renames in one transaction, so
//! a failed build leaves the old relation and readers never see the name missing.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use kiln_warehouse::{
    Adapter, AdapterError, BuildOptions, CatalogEntry, CatalogKind, ColumnInfo, ExternalTable, IncrementalStrategy,
    QueryResult, Relation, RelationType, Staged,
};
use serde_json::Value;

use crate::load::{self, Rows};
use crate::render::{self, Flavor};
use crate::Executor;

pub struct SqlAdapter<E: Executor> {
    exec: E,
    flavor: Flavor,
    /// Two `CREATE SCHEMA IF NOT EXISTS` for one name racing on PostgreSQL make the loser fail
    /// with a unique violation on `pg_namespace` (the check and the insert are not atomic), so
    /// this adapter's threads create schemas one at a time.
    schema_lock: Mutex<()>,
}

impl<E: Executor> SqlAdapter<E> {
    pub fn new(exec: E, flavor: Flavor) -> Self {
        SqlAdapter {
            exec,
            flavor,
            schema_lock: Mutex::new(()),
        }
    }

    pub fn executor(&self) -> &E {
        &self.exec
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Runs one statement holding the caller's SQL after `prefix_lines` generated lines, so a
    /// server error's line points into the caller's SQL.
    fn run_user(&self, statement: String, prefix_lines: usize) -> Result<u64, AdapterError> {
        self.exec.run(&[statement], false).map_err(|e| match e {
            AdapterError::Sql { message, line, column } => AdapterError::Sql {
                message,
                line: line.and_then(|l| l.checked_sub(prefix_lines)).filter(|l| *l > 0),
                column,
            },
            other => other,
        })
    }

    /// Runs every statement of a script but the last, and returns the last (the one whose rows
    /// the caller wants); `None` for a script without statements.
    fn run_leading(&self, sql: &str) -> Result<Option<String>, AdapterError> {
        let mut statements: Vec<String> = kiln_sql::split_statements(sql).into_iter().map(|s| s.sql).collect();
        let last = statements.pop();
        if !statements.is_empty() {
            self.exec.run(&statements, false)?;
        }
        Ok(last)
    }

    /// Drops what a failed earlier build left under the scratch name.
    fn clear(&self, scratch: &Relation) -> Result<(), AdapterError> {
        if let Some(kind) = self.relation_type(scratch)? {
            self.exec.run(&[render::drop(scratch, kind)], false)?;
        }
        Ok(())
    }

    fn count(&self, rel: &Relation) -> Result<u64, AdapterError> {
        let result = self
            .exec
            .query(&format!("select count(*) from {}", render::name(rel)), Some(1))?;
        Ok(result
            .rows
            .first()
            .and_then(|r| r.first())
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
            .unwrap_or(0))
    }

    fn build_table(&self, rel: &Relation, select_sql: &str, options: &BuildOptions) -> Result<u64, AdapterError> {
        let scratch = rel.temp_relation();
        self.clear(&scratch)?;
        let existing = self.relation_type(rel)?;
        let ddl = render::create_table_as(self.flavor, &scratch, select_sql, options);
        let prefix = ddl.lines().take_while(|l| *l != "as (").count() + 1;
        let reported = self.run_user(ddl, prefix)?;
        let rows = if reported > 0 { reported } else { self.count(&scratch)? };
        self.exec.run(&render::swap(rel, &scratch, existing), true)?;
        Ok(rows)
    }

    /// Creates the scratch table with `columns`, inserts `rows` in batches, and swaps it in.
    fn load_rows(
        &self,
        rel: &Relation,
        columns: &[(String, String)],
        rows: &Rows,
        on_error: &dyn Fn(&Path, u64, String) -> AdapterError,
    ) -> Result<u64, AdapterError> {
        self.ensure_schema(&rel.schema)?;
        let scratch = rel.temp_relation();
        self.clear(&scratch)?;
        let existing = self.relation_type(rel)?;
        self.exec.run(&[render::create_table(&scratch, columns)], false)?;
        let names: Vec<String> = columns.iter().map(|(c, _)| c.clone()).collect();
        for range in load::batches(&rows.rows, names.len()) {
            let statement = render::insert_values(&scratch, &names, &rows.rows[range.clone()]);
            if let Err(error) = self.exec.run(&[statement], false) {
                let _ = self.clear(&scratch);
                let (file, line) = &rows.origins[range.start];
                let last = rows.origins[range.end - 1].1;
                return Err(on_error(
                    file,
                    *line,
                    format!("{error} (in the rows of lines {line}–{last})"),
                ));
            }
        }
        self.exec.run(&render::swap(rel, &scratch, existing), true)?;
        Ok(rows.rows.len() as u64)
    }

    fn stage_spectrum(
        &self,
        table: &ExternalTable,
        spec: &kiln_warehouse::SpectrumSpec,
    ) -> Result<Staged, AdapterError> {
        if self.flavor != Flavor::Redshift {
            return Err(AdapterError::Unsupported {
                message: format!(
                    "source {} lives on S3 ({}); only a Redshift target can read it (as a Spectrum external table)",
                    table.relation.unquoted(),
                    spec.location
                ),
            });
        }
        let schema = &table.relation.schema;
        if self
            .exec
            .query(&render::external_schema_query(schema), Some(1))?
            .rows
            .is_empty()
        {
            return Err(AdapterError::Sql {
                message: format!(
                    "the external schema {schema} does not exist, so the Spectrum table {} cannot be created; \
                     create it once with `create external schema {schema} from data catalog database '{schema}' \
                     iam_role '<role arn>' create external database if not exists`",
                    table.relation.unquoted()
                ),
                line: None,
                column: None,
            });
        }
        self.exec
            .run(&render::spectrum_table(&table.relation, &table.columns, spec), false)?;
        Ok(Staged { rows: 0, reused: false })
    }
}

impl<E: Executor> Adapter for SqlAdapter<E> {
    fn kind(&self) -> &'static str {
        self.flavor.name()
    }

    fn ensure_schema(&self, schema: &str) -> Result<(), AdapterError> {
        let _serialised = self.schema_lock.lock().unwrap_or_else(PoisonError::into_inner);
        let statement = [render::create_schema(schema)];
        match self.exec.run(&statement, false) {
            // Another process (the CLI beside the studio) won the same race; by now its schema
            // is committed, and the second `IF NOT EXISTS` sees it.
            Err(AdapterError::Sql { .. }) => self.exec.run(&statement, false).map(|_| ()),
            other => other.map(|_| ()),
        }
    }

    fn stage_external(&self, table: &ExternalTable) -> Result<Staged, AdapterError> {
        if let Some(spec) = &table.spectrum {
            return self.stage_spectrum(table, spec);
        }
        let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        let rows = load::read_lake(&table.relation.unquoted(), &table.location, &table.format, &names)?;
        let columns: Vec<(String, String)> = table
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.data_type.clone()))
            .collect();
        let source_name = table.relation.unquoted();
        let rows = self.load_rows(&table.relation, &columns, &rows, &|file, line, message| {
            AdapterError::LakeData(Box::new(kiln_warehouse::LakeDataError {
                source_name: source_name.clone(),
                file: Some(file.to_string_lossy().into_owned()),
                line: Some(line),
                column: None,
                original_line: None,
                message,
            }))
        })?;
        Ok(Staged { rows, reused: false })
    }

    fn create_view(&self, rel: &Relation, select_sql: &str, options: &BuildOptions) -> Result<(), AdapterError> {
        let scratch = rel.temp_relation();
        self.clear(&scratch)?;
        let existing = self.relation_type(rel)?;
        self.run_user(render::create_view(self.flavor, &scratch, select_sql, options), 1)?;
        self.exec.run(&render::swap(rel, &scratch, existing), true).map(|_| ())
    }

    fn create_table(&self, rel: &Relation, select_sql: &str, options: &BuildOptions) -> Result<u64, AdapterError> {
        self.build_table(rel, select_sql, options)
    }

    fn incremental(
        &self,
        rel: &Relation,
        select_sql: &str,
        strategy: IncrementalStrategy,
        unique_key: &[String],
        full_refresh: bool,
        options: &BuildOptions,
    ) -> Result<u64, AdapterError> {
        if full_refresh || self.relation_type(rel)? != Some(RelationType::Table) {
            return self.build_table(rel, select_sql, options);
        }
        let batch = rel.temp_relation();
        self.clear(&batch)?;
        let ddl = render::create_table_as(Flavor::Postgres, &batch, select_sql, &BuildOptions::default());
        self.run_user(ddl, 2)?;
        let merged = (|| {
            let columns: Vec<String> = self.columns(&batch)?.into_iter().map(|c| c.name).collect();
            let rows = self.count(&batch)?;
            let mut statements = render::incremental(rel, &batch, &columns, strategy, unique_key);
            statements.push(render::drop(&batch, RelationType::Table));
            self.exec.run(&statements, true)?;
            Ok(rows)
        })();
        if merged.is_err() {
            let _ = self.clear(&batch);
        }
        merged
    }

    fn load_seed(
        &self,
        rel: &Relation,
        csv_path: &Path,
        column_types: &BTreeMap<String, String>,
        delimiter: &str,
    ) -> Result<u64, AdapterError> {
        if !csv_path.is_file() {
            return Err(AdapterError::Io {
                path: csv_path.to_path_buf(),
                message: "the seed file does not exist; check the seeds folder (seed-paths)".into(),
            });
        }
        let rows = load::read_seed(csv_path, delimiter)?;
        let columns: Vec<(String, String)> = rows
            .columns
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let declared = column_types
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, t)| t.clone());
                let ty = declared.unwrap_or_else(|| {
                    load::infer_type(self.flavor, rows.rows.iter().map(move |r| r.get(i).cloned().flatten()))
                });
                (name.clone(), ty)
            })
            .collect();
        self.load_rows(rel, &columns, &rows, &|file, line, message| AdapterError::Seed {
            path: file.to_path_buf(),
            line: Some(line),
            message,
        })
    }

    fn relation_type(&self, rel: &Relation) -> Result<Option<RelationType>, AdapterError> {
        let result = self.exec.query(&render::relation_type_query(rel), Some(1))?;
        Ok(result
            .rows
            .first()
            .and_then(|r| r.first())
            .and_then(Value::as_str)
            .map(|kind| {
                if kind == "v" {
                    RelationType::View
                } else {
                    RelationType::Table
                }
            }))
    }

    fn columns(&self, rel: &Relation) -> Result<Vec<ColumnInfo>, AdapterError> {
        let result = self.exec.query(&render::columns_query(rel), None)?;
        if result.rows.is_empty() && self.relation_type(rel)?.is_none() {
            return Err(AdapterError::Sql {
                message: format!("relation {} does not exist", rel.unquoted()),
                line: None,
                column: None,
            });
        }
        Ok(result
            .rows
            .into_iter()
            .map(|row| ColumnInfo {
                name: text(row.first()),
                data_type: text(row.get(1)),
            })
            .collect())
    }

    fn drop_relation(&self, rel: &Relation) -> Result<(), AdapterError> {
        match self.relation_type(rel)? {
            Some(kind) => self.exec.run(&[render::drop(rel, kind)], false).map(|_| ()),
            None => Ok(()),
        }
    }

    fn execute(&self, sql: &str) -> Result<u64, AdapterError> {
        let statements: Vec<String> = kiln_sql::split_statements(sql).into_iter().map(|s| s.sql).collect();
        if statements.is_empty() {
            return Ok(0);
        }
        self.exec.run(&statements, false)
    }

    fn query(&self, sql: &str, limit: Option<usize>) -> Result<QueryResult, AdapterError> {
        match self.run_leading(sql)? {
            Some(last) => self.exec.query(&last, limit),
            None => Ok(QueryResult::default()),
        }
    }

    fn materialized_view(
        &self,
        rel: &Relation,
        select_sql: &str,
        auto_refresh: bool,
        full_refresh: bool,
        options: &BuildOptions,
    ) -> Result<bool, AdapterError> {
        let is_view = !self
            .exec
            .query(&render::materialized_view_query(self.flavor, rel), Some(1))?
            .rows
            .is_empty();
        if is_view && !full_refresh {
            self.exec.run(&[render::refresh_materialized_view(rel)], false)?;
            return Ok(false);
        }
        if is_view {
            self.exec.run(&[render::drop_materialized_view(rel)], false)?;
        } else if let Some(kind) = self.relation_type(rel)? {
            self.exec.run(&[render::drop(rel, kind)], false)?;
        }
        let ddl = render::create_materialized_view(self.flavor, rel, select_sql, auto_refresh, options);
        let prefix = ddl.lines().take_while(|l| *l != "as (").count() + 1;
        self.run_user(ddl, prefix)?;
        Ok(true)
    }

    fn stream(&self, sql: &str, sink: &mut kiln_warehouse::RowSink<'_>) -> Result<(), AdapterError> {
        match self.run_leading(sql)? {
            Some(last) => self.exec.stream(&last, sink),
            None => {
                sink(&[], Vec::new());
                Ok(())
            }
        }
    }

    fn list_relations(&self) -> Result<Vec<(Relation, RelationType)>, AdapterError> {
        let result = self.exec.query(&render::list_relations_query(), None)?;
        Ok(result
            .rows
            .into_iter()
            .map(|row| {
                let kind = if text(row.get(2)) == "v" {
                    RelationType::View
                } else {
                    RelationType::Table
                };
                (Relation::new(text(row.first()), text(row.get(1))), kind)
            })
            .collect())
    }

    fn list_schemas(&self) -> Result<Vec<String>, AdapterError> {
        if let Some(schemas) = self.exec.catalog_schemas() {
            return schemas;
        }
        let result = self.exec.query(&render::list_schemas_query(self.flavor), None)?;
        Ok(result.rows.into_iter().map(|row| text(row.first())).collect())
    }

    fn list_relations_in(&self, schema: &str) -> Result<Vec<CatalogEntry>, AdapterError> {
        if let Some(relations) = self.exec.catalog_relations(schema) {
            return relations;
        }
        let mut entries: Vec<CatalogEntry> = self
            .exec
            .query(&render::relations_in_query(schema), None)?
            .rows
            .into_iter()
            .map(|row| CatalogEntry {
                name: text(row.first()),
                kind: match text(row.get(1)).as_str() {
                    "v" => CatalogKind::View,
                    "m" => CatalogKind::MaterializedView,
                    "f" => CatalogKind::ExternalTable,
                    _ => CatalogKind::Table,
                },
            })
            .collect();
        if self.flavor == Flavor::Redshift {
            let extras = self.exec.query(&render::redshift_relation_kinds_query(schema), None)?;
            for row in extras.rows {
                let name = text(row.first());
                let kind = match text(row.get(1)).as_str() {
                    "external_table" => CatalogKind::ExternalTable,
                    "materialized_view" => CatalogKind::MaterializedView,
                    _ => CatalogKind::LateBindingView,
                };
                match entries.iter_mut().find(|e| e.name == name) {
                    Some(entry) => entry.kind = kind,
                    None => entries.push(CatalogEntry { name, kind }),
                }
            }
            entries.sort_by(|a, b| a.name.cmp(&b.name));
        }
        Ok(entries)
    }

    fn browse_columns(&self, rel: &Relation) -> Result<Vec<ColumnInfo>, AdapterError> {
        if let Some(columns) = self.exec.catalog_columns(&rel.schema, &rel.identifier) {
            return columns;
        }
        let pairs = |sql: String| -> Result<Vec<ColumnInfo>, AdapterError> {
            Ok(self
                .exec
                .query(&sql, None)?
                .rows
                .into_iter()
                .map(|row| ColumnInfo {
                    name: text(row.first()),
                    data_type: text(row.get(1)),
                })
                .collect())
        };
        let columns = pairs(render::columns_query(rel))?;
        if !columns.is_empty() || self.flavor != Flavor::Redshift {
            return Ok(columns);
        }
        // A late-binding view or a Spectrum table: the catalog has no columns for either.
        let late = pairs(render::late_binding_columns_query(rel))?;
        if !late.is_empty() {
            return Ok(late);
        }
        pairs(render::external_columns_query(rel))
    }

    fn interrupt(&self) {
        self.exec.cancel();
    }
}

fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}
