//! The embedded DuckDB warehouse.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

mod apply;

use duckdb::core::LogicalTypeId;
use duckdb::{params, Connection, InterruptHandle};

use crate::error::{
    first_line, is_conflict, lock_holder, missing_files_pattern, parse_reader_error, sql_error, LakeDataError, Origin,
};
use crate::sql::{count_lines, is_blank, is_single_query, quote_ident, quote_literal, trim_select};
use crate::value::{to_json, type_name};
use crate::{
    duckdb_type, Adapter, AdapterError, BuildOptions, ColumnInfo, ExternalFormat, ExternalTable, IncrementalStrategy,
    QueryResult, Relation, RelationType, Staged, TEMP_SUFFIX,
};

/// Builds that lose an optimistic-concurrency race against another thread are retried this
/// many times before the conflict is reported.
const CONFLICT_RETRIES: u32 = 4;

/// Aliases used in generated incremental SQL; odd enough not to collide with model columns.
const DST: &str = "kiln_dst";
const SRC: &str = "kiln_src";

/// The embedded DuckDB warehouse.
///
/// One database instance, shared by a pool of connections (`try_clone`), so that calls from
/// several threads run concurrently. Open a given file once per process and share the adapter
/// (it is `Send + Sync`): DuckDB's file lock only keeps *other processes* out.
pub struct DuckDbAdapter {
    path: Option<PathBuf>,
    /// Source of new pooled connections; never used to run statements.
    base: Mutex<Connection>,
    idle: Mutex<Vec<Connection>>,
    max_idle: usize,
    /// Interrupt handles of connections currently lent out, for [`Adapter::interrupt`].
    active: Mutex<HashMap<u64, Arc<InterruptHandle>>>,
    next_lease: AtomicU64,
    /// Bumped by `interrupt()`; a call that sees it change between its statements stops, which
    /// catches cancellations that land between two statements of one build.
    cancel_epoch: AtomicU64,
    /// `CREATE SCHEMA IF NOT EXISTS` from several threads at once is a catalog write-write
    /// conflict in DuckDB, so schema creation is serialised.
    schema_lock: Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain data behind, still usable.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A pooled connection lent to one call.
struct Lease<'a> {
    adapter: &'a DuckDbAdapter,
    conn: Option<Connection>,
    id: u64,
    epoch: u64,
    /// Caller SQL ran on this connection and may have left a transaction open (`BEGIN`
    /// without `COMMIT`); it is rolled back before the connection is reused.
    needs_reset: Cell<bool>,
}

impl Lease<'_> {
    fn conn(&self) -> Result<&Connection, AdapterError> {
        self.conn.as_ref().ok_or_else(|| AdapterError::Unsupported {
            message: "internal error: the pooled connection was already returned".into(),
        })
    }

    fn check_cancelled(&self) -> Result<(), AdapterError> {
        if self.adapter.cancel_epoch.load(Ordering::SeqCst) != self.epoch {
            return Err(AdapterError::Interrupted);
        }
        Ok(())
    }
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        lock(&self.adapter.active).remove(&self.id);
        if let Some(conn) = self.conn.take() {
            if self.needs_reset.get() {
                // Fails harmlessly ("no transaction is active") in the usual case.
                let _ = conn.execute_batch("ROLLBACK");
            }
            let mut idle = lock(&self.adapter.idle);
            if idle.len() < self.adapter.max_idle {
                idle.push(conn);
            }
        }
    }
}

/// Where an external table's files are, in the form DuckDB's readers take.
enum LakeFiles {
    Pattern(String),
    List(Vec<String>),
}

impl LakeFiles {
    fn sql(&self) -> String {
        match self {
            LakeFiles::Pattern(p) => quote_literal(p),
            LakeFiles::List(files) => format!(
                "[{}]",
                files.iter().map(|f| quote_literal(f)).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

impl DuckDbAdapter {
    /// Opens (creating when missing) the warehouse file at `path`; `threads` is how many
    /// connections are kept ready for concurrent callers.
    pub fn open(path: &Path, threads: usize) -> Result<Self, AdapterError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(|e| AdapterError::Open {
                path: path.to_path_buf(),
                message: format!("cannot create the directory {}: {e}", parent.display()),
            })?;
        }
        if path.is_dir() {
            return Err(AdapterError::Open {
                path: path.to_path_buf(),
                message: "it is a directory, not a DuckDB file".into(),
            });
        }
        // New files use DuckDB 1.5's storage format: VARIANT columns (Redshift's SUPER, what
        // JSON_PARSE returns in streaming views) cannot be stored in older ones. An existing
        // file keeps the format it was created with.
        let config = duckdb::Config::default()
            .with("storage_compatibility_version", "v1.5.0")
            .map_err(|e| AdapterError::Open {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
        let conn = Connection::open_with_flags(path, config).map_err(|e| {
            let message = e.to_string();
            match lock_holder(&message) {
                Some(holder) => AdapterError::Locked {
                    path: path.to_path_buf(),
                    holder,
                },
                None => AdapterError::Open {
                    path: path.to_path_buf(),
                    message,
                },
            }
        })?;
        Ok(Self::from_connection(conn, Some(path.to_path_buf()), threads))
    }

    /// A private in-memory warehouse (tests, scratch work); gone when the adapter is dropped.
    pub fn in_memory() -> Result<Self, AdapterError> {
        let threads = std::thread::available_parallelism().map_or(4, usize::from);
        Self::in_memory_with_threads(threads)
    }

    pub fn in_memory_with_threads(threads: usize) -> Result<Self, AdapterError> {
        let conn = Connection::open_in_memory().map_err(|e| AdapterError::Open {
            path: PathBuf::from(":memory:"),
            message: e.to_string(),
        })?;
        Ok(Self::from_connection(conn, None, threads))
    }

    fn from_connection(base: Connection, path: Option<PathBuf>, threads: usize) -> Self {
        Self {
            path,
            base: Mutex::new(base),
            idle: Mutex::new(Vec::new()),
            max_idle: threads.max(1),
            active: Mutex::new(HashMap::new()),
            next_lease: AtomicU64::new(0),
            cancel_epoch: AtomicU64::new(0),
            schema_lock: Mutex::new(()),
        }
    }

    /// The warehouse file, `None` when in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn lease(&self) -> Result<Lease<'_>, AdapterError> {
        let pooled = lock(&self.idle).pop();
        let conn = match pooled {
            Some(c) => c,
            None => lock(&self.base).try_clone().map_err(|e| AdapterError::Sql {
                message: format!("cannot open another connection to the warehouse: {e}"),
                line: None,
                column: None,
            })?,
        };
        let id = self.next_lease.fetch_add(1, Ordering::SeqCst);
        lock(&self.active).insert(id, conn.interrupt_handle());
        Ok(Lease {
            adapter: self,
            conn: Some(conn),
            id,
            epoch: self.cancel_epoch.load(Ordering::SeqCst),
            needs_reset: Cell::new(false),
        })
    }

    /// Runs one statement (or, for caller SQL, a script whose last statement counts).
    fn exec(&self, lease: &Lease<'_>, sql: &str, origin: Origin) -> Result<u64, AdapterError> {
        lease.check_cancelled()?;
        let conn = lease.conn()?;
        let mut stmt = conn.prepare(sql).map_err(|e| sql_error(&e, sql, origin))?;
        let changed = stmt.execute([]).map_err(|e| sql_error(&e, sql, origin))?;
        Ok(changed as u64)
    }

    fn query_u64(&self, lease: &Lease<'_>, sql: &str) -> Result<u64, AdapterError> {
        lease.check_cancelled()?;
        let conn = lease.conn()?;
        let n: i64 = conn
            .query_row(sql, [], |row| row.get(0))
            .map_err(|e| sql_error(&e, sql, Origin::Internal))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn transaction<T>(
        &self,
        lease: &Lease<'_>,
        body: impl FnOnce(&Lease<'_>) -> Result<T, AdapterError>,
    ) -> Result<T, AdapterError> {
        self.exec(lease, "BEGIN TRANSACTION", Origin::Internal)?;
        let outcome = body(lease).and_then(|v| {
            self.exec(lease, "COMMIT", Origin::Internal)?;
            Ok(v)
        });
        if outcome.is_err() {
            if let Ok(conn) = lease.conn() {
                // The original error is what the caller needs. If the failure was COMMIT
                // itself there may be nothing left to roll back, which DuckDB reports and we
                // ignore.
                let _ = conn.execute_batch("ROLLBACK");
            }
        }
        outcome
    }

    fn with_retry<T>(&self, mut attempt: impl FnMut() -> Result<T, AdapterError>) -> Result<T, AdapterError> {
        let mut tries = 0;
        loop {
            match attempt() {
                Err(e) if is_conflict(&e) && tries < CONFLICT_RETRIES => {
                    tries += 1;
                    std::thread::sleep(Duration::from_millis(25 * u64::from(tries)));
                }
                other => return other,
            }
        }
    }

    fn ensure_schema_for(&self, lease: &Lease<'_>, rel: &Relation) -> Result<(), AdapterError> {
        let name = match &rel.database {
            Some(db) => format!("{}.{}", quote_ident(db), quote_ident(&rel.schema)),
            None => quote_ident(&rel.schema),
        };
        let _guard = lock(&self.schema_lock);
        self.with_retry(|| self.exec(lease, &format!("CREATE SCHEMA IF NOT EXISTS {name}"), Origin::Internal))
            .map(|_| ())
    }

    fn lookup_type(&self, lease: &Lease<'_>, rel: &Relation) -> Result<Option<RelationType>, AdapterError> {
        const SQL: &str = "SELECT 'table' FROM duckdb_tables() \
             WHERE database_name = coalesce(?, current_database()) \
               AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?) AND NOT temporary \
             UNION ALL \
             SELECT 'view' FROM duckdb_views() \
             WHERE database_name = coalesce(?, current_database()) \
               AND lower(schema_name) = lower(?) AND lower(view_name) = lower(?) \
               AND NOT temporary AND NOT internal";
        lease.check_cancelled()?;
        let conn = lease.conn()?;
        let db = rel.database.as_deref();
        let map = |e: duckdb::Error| sql_error(&e, SQL, Origin::Internal);
        let mut stmt = conn.prepare(SQL).map_err(map)?;
        let mut rows = stmt
            .query(params![db, rel.schema, rel.identifier, db, rel.schema, rel.identifier])
            .map_err(map)?;
        match rows.next().map_err(map)? {
            Some(row) => {
                let kind: String = row.get(0).map_err(map)?;
                Ok(Some(if kind == "view" {
                    RelationType::View
                } else {
                    RelationType::Table
                }))
            }
            None => Ok(None),
        }
    }

    fn column_list(
        &self,
        lease: &Lease<'_>,
        catalog: Option<&str>,
        schema: &str,
        table: &str,
    ) -> Result<Vec<ColumnInfo>, AdapterError> {
        const SQL: &str = "SELECT column_name, data_type FROM information_schema.columns \
             WHERE table_catalog = coalesce(?, current_database()) \
               AND lower(table_schema) = lower(?) AND lower(table_name) = lower(?) \
             ORDER BY ordinal_position";
        lease.check_cancelled()?;
        let conn = lease.conn()?;
        let map = |e: duckdb::Error| sql_error(&e, SQL, Origin::Internal);
        let mut stmt = conn.prepare(SQL).map_err(map)?;
        let mut rows = stmt.query(params![catalog, schema, table]).map_err(map)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map)? {
            out.push(ColumnInfo {
                name: row.get(0).map_err(map)?,
                data_type: row.get(1).map_err(map)?,
            });
        }
        Ok(out)
    }

    fn drop_sql(rel: &Relation, kind: RelationType) -> String {
        match kind {
            RelationType::Table => format!("DROP TABLE IF EXISTS {rel}"),
            RelationType::View => format!("DROP VIEW IF EXISTS {rel}"),
        }
    }

    /// Inside one transaction: clears a stale scratch relation, lets `build` create
    /// `<identifier>__kiln_tmp`, counts it, drops whatever has the final name and renames the
    /// scratch table into place. Rolling back undoes all of it, so a failure leaves the old
    /// relation and no scratch table behind.
    fn swap_in(
        &self,
        lease: &Lease<'_>,
        rel: &Relation,
        build: &dyn Fn(&Lease<'_>, &Relation) -> Result<(), AdapterError>,
    ) -> Result<u64, AdapterError> {
        let tmp = rel.temp_relation();
        self.transaction(lease, |lease| {
            if let Some(kind) = self.lookup_type(lease, &tmp)? {
                self.exec(lease, &Self::drop_sql(&tmp, kind), Origin::Internal)?;
            }
            build(lease, &tmp)?;
            let rows = self.query_u64(lease, &format!("SELECT count(*) FROM {tmp}"))?;
            if let Some(kind) = self.lookup_type(lease, rel)? {
                self.exec(lease, &Self::drop_sql(rel, kind), Origin::Internal)?;
            }
            self.exec(
                lease,
                &format!("ALTER TABLE {tmp} RENAME TO {}", quote_ident(&rel.identifier)),
                Origin::Internal,
            )?;
            Ok(rows)
        })
    }

    fn build_table(&self, lease: &Lease<'_>, rel: &Relation, select_sql: &str) -> Result<u64, AdapterError> {
        self.ensure_schema_for(lease, rel)?;
        let body = trim_select(select_sql);
        self.with_retry(|| {
            self.swap_in(lease, rel, &|lease, tmp| {
                let prefix = format!("CREATE TABLE {tmp} AS\n");
                let stmt = format!("{prefix}{body}\n");
                self.exec(
                    lease,
                    &stmt,
                    Origin::User {
                        prefix_lines: count_lines(&prefix),
                    },
                )
                .map(|_| ())
            })
        })
    }

    fn merge_batch(
        &self,
        lease: &Lease<'_>,
        rel: &Relation,
        select_sql: &str,
        strategy: IncrementalStrategy,
        unique_key: &[String],
    ) -> Result<u64, AdapterError> {
        let tmp_name = format!("{}{TEMP_SUFFIX}", rel.identifier);
        let tmp = format!("temp.main.{}", quote_ident(&tmp_name));
        let body = trim_select(select_sql);
        self.transaction(lease, |lease| {
            let prefix = format!("CREATE OR REPLACE TEMP TABLE {} AS\n", quote_ident(&tmp_name));
            self.exec(
                lease,
                &format!("{prefix}{body}\n"),
                Origin::User {
                    prefix_lines: count_lines(&prefix),
                },
            )?;
            let rows = self.query_u64(lease, &format!("SELECT count(*) FROM {tmp}"))?;
            let target = self.column_list(lease, rel.database.as_deref(), &rel.schema, &rel.identifier)?;
            let batch = self.column_list(lease, Some("temp"), "main", &tmp_name)?;
            // Columns only the existing table has are left NULL; columns only the new SELECT
            // has are ignored (dbt's on_schema_change=ignore). A full refresh picks them up.
            let shared: Vec<String> = target
                .iter()
                .filter(|t| batch.iter().any(|b| b.name.eq_ignore_ascii_case(&t.name)))
                .map(|t| t.name.clone())
                .collect();
            if shared.is_empty() {
                return Err(AdapterError::Sql {
                    message: format!(
                        "the incremental SELECT shares no column with the existing table {}; \
                         rebuild it with a full refresh",
                        rel.unquoted()
                    ),
                    line: None,
                    column: None,
                });
            }
            for key in unique_key {
                if !shared.iter().any(|c| c.eq_ignore_ascii_case(key)) {
                    return Err(AdapterError::Sql {
                        message: format!(
                            "unique_key column `{key}` is missing from {} or from its SELECT; \
                             fix unique_key in the model config or rebuild with a full refresh",
                            rel.unquoted()
                        ),
                        line: None,
                        column: None,
                    });
                }
            }
            let cols = shared.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ");
            let matches = unique_key
                .iter()
                .map(|k| {
                    let k = quote_ident(k);
                    format!("{DST}.{k} IS NOT DISTINCT FROM {SRC}.{k}")
                })
                .collect::<Vec<_>>()
                .join(" AND ");
            let insert_all = format!("INSERT INTO {rel} ({cols}) SELECT {cols} FROM {tmp}");
            // Without a key there is nothing to match on: every strategy appends, as in dbt.
            let strategy = if unique_key.is_empty() {
                IncrementalStrategy::Append
            } else {
                strategy
            };
            match strategy {
                IncrementalStrategy::Append => {
                    self.exec(lease, &insert_all, Origin::Internal)?;
                }
                IncrementalStrategy::DeleteInsert => {
                    self.exec(
                        lease,
                        &format!(
                            "DELETE FROM {rel} AS {DST} WHERE EXISTS \
                             (SELECT 1 FROM {tmp} AS {SRC} WHERE {matches})"
                        ),
                        Origin::Internal,
                    )?;
                    self.exec(lease, &insert_all, Origin::Internal)?;
                }
                IncrementalStrategy::Merge => {
                    let updates = shared
                        .iter()
                        .filter(|c| !unique_key.iter().any(|k| k.eq_ignore_ascii_case(c)))
                        .map(|c| {
                            let c = quote_ident(c);
                            format!("{c} = {SRC}.{c}")
                        })
                        .collect::<Vec<_>>();
                    if !updates.is_empty() {
                        self.exec(
                            lease,
                            &format!(
                                "UPDATE {rel} AS {DST} SET {} FROM {tmp} AS {SRC} WHERE {matches}",
                                updates.join(", ")
                            ),
                            Origin::Internal,
                        )?;
                    }
                    self.exec(
                        lease,
                        &format!(
                            "INSERT INTO {rel} ({cols}) SELECT {cols} FROM {tmp} AS {SRC} \
                             WHERE NOT EXISTS (SELECT 1 FROM {rel} AS {DST} WHERE {matches})"
                        ),
                        Origin::Internal,
                    )?;
                }
            }
            self.exec(lease, &format!("DROP TABLE {tmp}"), Origin::Internal)?;
            Ok(rows)
        })
    }

    /// A query with VARIANT columns (Redshift's SUPER, from JSON_PARSE), which duckdb-rs cannot
    /// decode: run again with those columns as JSON text, as Redshift's clients show SUPER.
    fn fetch_variants_as_json(
        &self,
        lease: &Lease<'_>,
        sql: &str,
        limit: Option<usize>,
    ) -> Result<QueryResult, AdapterError> {
        let body = trim_select(sql);
        let described = self.fetch(lease, &format!("DESCRIBE {body}"), None)?;
        let replaced: Vec<String> = described
            .rows
            .iter()
            .filter(|r| r.get(1).and_then(|t| t.as_str()) == Some("VARIANT"))
            .filter_map(|r| r.first()?.as_str())
            .map(|name| format!("CAST({q} AS JSON) AS {q}", q = quote_ident(name)))
            .collect();
        if replaced.is_empty() {
            return Err(AdapterError::Unsupported {
                message: "the result holds VARIANT values inside another type; cast that column to JSON in the \
                          query"
                    .into(),
            });
        }
        let wrapped = format!(
            "SELECT * REPLACE ({}) FROM (\n{body}\n) AS kiln_variants",
            replaced.join(", ")
        );
        self.fetch(lease, &wrapped, limit)
    }

    fn fetch(&self, lease: &Lease<'_>, sql: &str, limit: Option<usize>) -> Result<QueryResult, AdapterError> {
        let conn = lease.conn()?;
        let (text, origin) = match limit {
            Some(n) if is_single_query(sql) => {
                // Let DuckDB stop early instead of materialising rows nobody will see; one
                // extra row tells whether the result was cut.
                let prefix = "SELECT * FROM (\n";
                (
                    format!(
                        "{prefix}{}\n) AS kiln_query LIMIT {}",
                        trim_select(sql),
                        n.saturating_add(1)
                    ),
                    Origin::User {
                        prefix_lines: count_lines(prefix),
                    },
                )
            }
            _ => (sql.to_string(), Origin::User { prefix_lines: 0 }),
        };
        let map = |e: duckdb::Error| sql_error(&e, &text, origin);
        let mut stmt = conn.prepare(&text).map_err(map)?;
        let mut rows = stmt.query([]).map_err(map)?;
        let (columns, utc) = {
            let Some(st) = rows.as_ref() else {
                return Ok(QueryResult::default());
            };
            let mut columns = Vec::with_capacity(st.column_count());
            let mut utc = Vec::with_capacity(st.column_count());
            for i in 0..st.column_count() {
                let logical = st.column_logical_type(i);
                utc.push(logical.id() == LogicalTypeId::TimestampTZ);
                columns.push(ColumnInfo {
                    name: st.column_name(i).map_err(map)?.clone(),
                    data_type: type_name(&logical),
                });
            }
            (columns, utc)
        };
        let mut out = Vec::new();
        let mut truncated = false;
        while let Some(row) = rows.next().map_err(map)? {
            if limit.is_some_and(|n| out.len() >= n) {
                truncated = true;
                break;
            }
            let mut values = Vec::with_capacity(columns.len());
            for (i, is_utc) in utc.iter().enumerate() {
                values.push(to_json(row.get_ref(i).map_err(map)?, *is_utc));
            }
            out.push(values);
        }
        Ok(QueryResult {
            columns,
            rows: out,
            truncated,
        })
    }

    fn lake_files(table: &ExternalTable, source_name: &str) -> Result<LakeFiles, AdapterError> {
        let location = table.location.as_str();
        let loc = location.strip_prefix("file://").unwrap_or(location);
        let missing = || AdapterError::MissingLakeFiles {
            source_name: source_name.to_string(),
            location: location.to_string(),
        };
        if loc.contains("://") {
            return Err(AdapterError::Unsupported {
                message: format!(
                    "source {source_name} is located at {location}, but the local DuckDB \
                     warehouse reads lake files from disk only; point `location` at a local \
                     folder (s3:// locations are for Redshift Spectrum)"
                ),
            });
        }
        if loc.contains(['*', '?', '[']) {
            return Ok(LakeFiles::Pattern(loc.to_string()));
        }
        let path = Path::new(loc);
        let meta = fs::metadata(path).map_err(|_| missing())?;
        if meta.is_file() {
            return Ok(LakeFiles::Pattern(loc.to_string()));
        }
        let entries = fs::read_dir(path).map_err(|e| AdapterError::Io {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut files = Vec::new();
        let mut skipped = false;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_file = fs::metadata(entry.path()).is_ok_and(|m| m.is_file());
            // Hidden files and Hadoop/Spark markers (`_SUCCESS`, `_metadata`) are not data, as
            // in Hive and Spectrum.
            if !is_file || name.starts_with('.') || name.starts_with('_') {
                skipped = true;
                continue;
            }
            files.push(entry.path().to_string_lossy().into_owned());
        }
        if files.is_empty() {
            return Err(missing());
        }
        if skipped {
            files.sort();
            Ok(LakeFiles::List(files))
        } else {
            // A glob keeps the view current when files are added to the folder later.
            Ok(LakeFiles::Pattern(path.join("*").to_string_lossy().into_owned()))
        }
    }

    /// Identifies what a staged table was loaded from: the load statement and every file's
    /// path, size and modification time (files listed by DuckDB's own glob, as the reader sees them).
    fn lake_fingerprint(&self, lease: &Lease<'_>, files: &str, create: &str) -> Result<String, AdapterError> {
        use std::hash::{Hash, Hasher};
        let sql = format!("SELECT file FROM glob({files}) ORDER BY file");
        lease.check_cancelled()?;
        let conn = lease.conn()?;
        // A list of files glob() cannot take leaves `paths` empty: the table is then reloaded.
        let paths: Vec<String> = conn
            .prepare(&sql)
            .and_then(|mut stmt| stmt.query_map([], |row| row.get::<_, String>(0))?.collect())
            .unwrap_or_default();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        create.hash(&mut hasher);
        for path in &paths {
            path.hash(&mut hasher);
            if let Ok(meta) = fs::metadata(path) {
                meta.len().hash(&mut hasher);
                if let Ok(modified) = meta.modified() {
                    modified.hash(&mut hasher);
                }
            }
        }
        if paths.is_empty() {
            // Nothing to compare with next time: make the fingerprint unique so it never matches.
            std::time::SystemTime::now().hash(&mut hasher);
        }
        Ok(format!("kiln-stage {:016x} ({} files)", hasher.finish(), paths.len()))
    }

    /// The fingerprint comment of a staged table, if `rel` is a table that has one.
    fn stage_comment(&self, lease: &Lease<'_>, rel: &Relation) -> Result<Option<String>, AdapterError> {
        const SQL: &str = "SELECT comment FROM duckdb_tables() \
             WHERE database_name = coalesce(?, current_database()) \
               AND lower(schema_name) = lower(?) AND lower(table_name) = lower(?) AND NOT temporary";
        lease.check_cancelled()?;
        let conn = lease.conn()?;
        let map = |e: duckdb::Error| sql_error(&e, SQL, Origin::Internal);
        let mut stmt = conn.prepare(SQL).map_err(map)?;
        let mut rows = stmt
            .query(params![rel.database.as_deref(), rel.schema, rel.identifier])
            .map_err(map)?;
        match rows.next().map_err(map)? {
            Some(row) => Ok(row.get::<_, Option<String>>(0).map_err(map)?),
            None => Ok(None),
        }
    }

    fn lake_error(err: AdapterError, source_name: &str) -> AdapterError {
        let message = match &err {
            AdapterError::Sql { message, .. } if !is_conflict(&err) => message.clone(),
            _ => return err,
        };
        if let Some(pattern) = missing_files_pattern(&message) {
            return AdapterError::MissingLakeFiles {
                source_name: source_name.to_string(),
                location: pattern,
            };
        }
        let parts = parse_reader_error(&message);
        AdapterError::LakeData(Box::new(LakeDataError {
            source_name: source_name.to_string(),
            file: parts.file,
            line: parts.line,
            column: parts.column,
            original_line: parts.original_line,
            message: parts.message,
        }))
    }
}

fn delimiter_literal(delimiter: &str) -> String {
    let d = match delimiter {
        "" => ",",
        "\\t" | "tab" => "\t",
        "\\|" => "|",
        other => other,
    };
    quote_literal(d)
}

impl DuckDbAdapter {
    /// Creates `catalog.schema.table` and appends every batch `batches` yields, as it comes: the
    /// first batch's columns define the table, their types given in any dialect's spelling
    /// (PostgreSQL's and Redshift's included; a type DuckDB cannot take is kept as VARCHAR, and a
    /// NUMERIC without precision as DECIMAL(38,10)). Values are appended as the JSON conventions
    /// of [`crate::QueryResult`] carry them — numbers, booleans, text that DuckDB casts to the
    /// column type — so a server's result lands here typed, for paging, sorting and charting.
    /// Returns the rows written.
    pub fn write_rows(
        &self,
        catalog: &str,
        schema: &str,
        table: &str,
        batches: &mut dyn Iterator<Item = (Vec<ColumnInfo>, Vec<Vec<serde_json::Value>>)>,
    ) -> Result<u64, AdapterError> {
        let lease = self.lease()?;
        let conn = lease.conn()?;
        let mut written = 0u64;
        let mut created = false;
        // Per column, the (width, scale) of a DECIMAL: its text values are scaled to integers
        // here, because DuckDB's own text → DECIMAL(38,s) cast is ~10 µs a value (a 1M-row
        // result spent 9 of its 12 s in it).
        let mut decimals: Vec<Option<(u8, u8)>> = Vec::new();
        let sql_error = |e: duckdb::Error| AdapterError::Sql {
            message: e.to_string(),
            line: None,
            column: None,
        };
        for (columns, rows) in batches {
            lease.check_cancelled()?;
            if !created {
                let types: Vec<String> = columns.iter().map(|c| result_type(&c.data_type)).collect();
                decimals = types.iter().map(|t| decimal_shape(t)).collect();
                let list: Vec<String> = columns
                    .iter()
                    .zip(&types)
                    .map(|(c, t)| format!("{} {t}", quote_ident(&c.name)))
                    .collect();
                conn.execute_batch(&format!(
                    "CREATE TABLE {}.{}.{} ({})",
                    quote_ident(catalog),
                    quote_ident(schema),
                    quote_ident(table),
                    list.join(", ")
                ))
                .map_err(sql_error)?;
                created = true;
            }
            if rows.is_empty() {
                continue;
            }
            let mut appender = conn
                .appender_to_catalog_and_db(table, catalog, schema)
                .map_err(sql_error)?;
            for row in &rows {
                let values = row.iter().enumerate().map(|(i, v)| match v {
                    serde_json::Value::String(s) if decimals.get(i).copied().flatten().is_some() => {
                        let (width, scale) = decimals.get(i).copied().flatten().unwrap_or((38, 0));
                        scaled_decimal(s, width, scale)
                            .map_or_else(|| duckdb::types::Value::Text(s.clone()), duckdb::types::Value::Decimal)
                    }
                    serde_json::Value::Null => duckdb::types::Value::Null,
                    serde_json::Value::Bool(b) => duckdb::types::Value::Boolean(*b),
                    serde_json::Value::Number(n) => match n.as_i64() {
                        Some(i) => duckdb::types::Value::BigInt(i),
                        None => n
                            .as_f64()
                            .map_or(duckdb::types::Value::Null, duckdb::types::Value::Double),
                    },
                    serde_json::Value::String(s) => duckdb::types::Value::Text(s.clone()),
                    other => duckdb::types::Value::Text(other.to_string()),
                });
                appender
                    .append_row(duckdb::appender_params_from_iter(values))
                    .map_err(sql_error)?;
            }
            appender.flush().map_err(sql_error)?;
            written += rows.len() as u64;
        }
        Ok(written)
    }
}

/// `(width, scale)` of a `DECIMAL(w,s)` type name.
fn decimal_shape(duckdb_type: &str) -> Option<(u8, u8)> {
    let args = duckdb_type.strip_prefix("DECIMAL(")?.strip_suffix(')')?;
    let (width, scale) = args.split_once(',')?;
    Some((width.trim().parse().ok()?, scale.trim().parse().ok()?))
}

/// `text` (`-12.5`) as a DuckDB decimal of `width` and `scale`; `None` when it is not a plain
/// decimal number or does not fit without rounding (DuckDB's cast then decides).
fn scaled_decimal(text: &str, width: u8, scale: u8) -> Option<duckdb::types::Decimal> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if (int.is_empty() && frac.is_empty())
        || frac.len() > usize::from(scale)
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut value: i128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        value = value.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
    }
    for _ in frac.len()..usize::from(scale) {
        value = value.checked_mul(10)?;
    }
    duckdb::types::Decimal::new(width, scale, if negative { -value } else { value }).ok()
}

/// The DuckDB type a server's result column is kept as by [`DuckDbAdapter::write_rows`] (so the
/// console describes a stored result by the types its table has).
pub fn result_type(declared: &str) -> String {
    let bare = declared.trim().to_ascii_lowercase();
    if bare == "numeric" || bare == "decimal" {
        return "DECIMAL(38,10)".into();
    }
    duckdb_type(declared).unwrap_or_else(|| "VARCHAR".into())
}

impl Adapter for DuckDbAdapter {
    fn kind(&self) -> &'static str {
        "duckdb"
    }

    fn ensure_schema(&self, schema: &str) -> Result<(), AdapterError> {
        let lease = self.lease()?;
        self.ensure_schema_for(&lease, &Relation::new(schema, ""))
    }

    fn stage_external(&self, table: &ExternalTable) -> Result<Staged, AdapterError> {
        let rel = &table.relation;
        let source_name = rel.unquoted();
        let files = Self::lake_files(table, &source_name)?.sql();
        let mut columns = Vec::with_capacity(table.columns.len());
        for c in &table.columns {
            let ty = duckdb_type(&c.data_type).ok_or_else(|| AdapterError::InvalidType {
                column: c.name.clone(),
                data_type: c.data_type.clone(),
            })?;
            columns.push((c.name.clone(), ty));
        }
        let column_struct = format!(
            "{{{}}}",
            columns
                .iter()
                .map(|(n, t)| format!("{}: {}", quote_literal(n), quote_literal(t)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let declared = !columns.is_empty();
        let plain_list = columns
            .iter()
            .map(|(n, _)| quote_ident(n))
            .collect::<Vec<_>>()
            .join(", ");
        let (reader, select_list) = match &table.format {
            ExternalFormat::Delimited {
                delimiter,
                header_rows,
                quote,
            } => {
                let quote = quote.as_deref().unwrap_or("");
                let mut opts = vec![
                    format!("delim={}", delimiter_literal(delimiter)),
                    format!("header={}", *header_rows > 0),
                    format!("skip={}", header_rows.saturating_sub(1)),
                    format!("quote={}", quote_literal(quote)),
                    "compression='auto'".to_string(),
                ];
                if !quote.is_empty() {
                    opts.push(format!("escape={}", quote_literal(quote)));
                }
                if declared {
                    opts.push(format!("columns={column_struct}"));
                    opts.push("auto_detect=false".into());
                } else {
                    opts.push("auto_detect=true".into());
                }
                (format!("read_csv({files}, {})", opts.join(", ")), plain_list.clone())
            }
            ExternalFormat::NdJson => {
                let cols = if declared {
                    format!(", columns={column_struct}")
                } else {
                    String::new()
                };
                (
                    // The JSON reader picks gzip from the file extension by itself.
                    format!("read_json({files}, format='newline_delimited'{cols})"),
                    plain_list.clone(),
                )
            }
            ExternalFormat::Parquet => (
                format!("read_parquet({files}, union_by_name=true)"),
                // Parquet carries its own types; cast them to what the YAML declares.
                columns
                    .iter()
                    .map(|(n, t)| {
                        let q = quote_ident(n);
                        format!("CAST({q} AS {t}) AS {q}")
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        };
        let select_list = if declared { select_list } else { "*".to_string() };
        let create = format!("CREATE TABLE {{tmp}} AS SELECT {select_list} FROM {reader}");
        let lease = self.lease()?;
        self.ensure_schema_for(&lease, rel)?;
        let fingerprint = self.lake_fingerprint(&lease, &files, &create)?;
        if self.stage_comment(&lease, rel)?.as_deref() == Some(fingerprint.as_str()) {
            let rows = self.query_u64(&lease, &format!("SELECT count(*) FROM {rel}"))?;
            return Ok(Staged { rows, reused: true });
        }
        let rows = self.with_retry(|| {
            self.swap_in(&lease, rel, &|lease, tmp| {
                // Loading is the validating scan: a value that does not cast fails the load with
                // the reader's file and line.
                self.exec(lease, &create.replace("{tmp}", &tmp.to_string()), Origin::Internal)
                    .map_err(|e| Self::lake_error(e, &source_name))?;
                self.exec(
                    lease,
                    &format!("COMMENT ON TABLE {tmp} IS {}", quote_literal(&fingerprint)),
                    Origin::Internal,
                )
                .map(|_| ())
            })
        })?;
        Ok(Staged { rows, reused: false })
    }

    fn create_view(&self, rel: &Relation, select_sql: &str, _options: &BuildOptions) -> Result<(), AdapterError> {
        let lease = self.lease()?;
        self.ensure_schema_for(&lease, rel)?;
        let body = trim_select(select_sql);
        let prefix = format!("CREATE OR REPLACE VIEW {rel} AS\n");
        let stmt = format!("{prefix}{body}\n");
        self.with_retry(|| {
            self.transaction(&lease, |lease| {
                if self.lookup_type(lease, rel)? == Some(RelationType::Table) {
                    self.exec(lease, &Self::drop_sql(rel, RelationType::Table), Origin::Internal)?;
                }
                self.exec(
                    lease,
                    &stmt,
                    Origin::User {
                        prefix_lines: count_lines(&prefix),
                    },
                )
                .map(|_| ())
            })
        })
    }

    fn create_table(&self, rel: &Relation, select_sql: &str, _options: &BuildOptions) -> Result<u64, AdapterError> {
        let lease = self.lease()?;
        self.build_table(&lease, rel, select_sql)
    }

    fn incremental(
        &self,
        rel: &Relation,
        select_sql: &str,
        strategy: IncrementalStrategy,
        unique_key: &[String],
        full_refresh: bool,
        _options: &BuildOptions,
    ) -> Result<u64, AdapterError> {
        let lease = self.lease()?;
        let existing = self.lookup_type(&lease, rel)?;
        // A view (or nothing) under the name means there is no table to add to yet.
        if full_refresh || existing != Some(RelationType::Table) {
            return self.build_table(&lease, rel, select_sql);
        }
        self.with_retry(|| self.merge_batch(&lease, rel, select_sql, strategy, unique_key))
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
        let mut types = Vec::new();
        for (name, declared) in column_types {
            let ty = duckdb_type(declared).ok_or_else(|| AdapterError::InvalidType {
                column: name.clone(),
                data_type: declared.clone(),
            })?;
            types.push(format!("{}: {}", quote_literal(name), quote_literal(&ty)));
        }
        let types = if types.is_empty() {
            String::new()
        } else {
            format!(", types={{{}}}", types.join(", "))
        };
        // Seeds are small: infer from every row so a late odd value cannot break the load.
        let reader = format!(
            "read_csv({}, delim={}, header=true, auto_detect=true, sample_size=-1{types})",
            quote_literal(&csv_path.to_string_lossy()),
            delimiter_literal(delimiter)
        );
        let lease = self.lease()?;
        self.ensure_schema_for(&lease, rel)?;
        self.with_retry(|| {
            self.swap_in(&lease, rel, &|lease, tmp| {
                self.exec(
                    lease,
                    &format!("CREATE TABLE {tmp} AS SELECT * FROM {reader}"),
                    Origin::Internal,
                )
                .map(|_| ())
                .map_err(|e| match e {
                    AdapterError::Sql { ref message, .. } if !is_conflict(&e) => {
                        let parts = parse_reader_error(message);
                        let detail = match parts.column {
                            Some(c) => format!("column `{c}`: {}", parts.message),
                            None if parts.message.is_empty() => first_line(message),
                            None => parts.message,
                        };
                        AdapterError::Seed {
                            path: csv_path.to_path_buf(),
                            line: parts.line,
                            message: detail,
                        }
                    }
                    other => other,
                })
            })
        })
    }

    fn relation_type(&self, rel: &Relation) -> Result<Option<RelationType>, AdapterError> {
        let lease = self.lease()?;
        self.lookup_type(&lease, rel)
    }

    fn columns(&self, rel: &Relation) -> Result<Vec<ColumnInfo>, AdapterError> {
        let lease = self.lease()?;
        let cols = self.column_list(&lease, rel.database.as_deref(), &rel.schema, &rel.identifier)?;
        if cols.is_empty() && self.lookup_type(&lease, rel)?.is_none() {
            return Err(AdapterError::Sql {
                message: format!(
                    "relation {} does not exist; build it first or check the schema and name",
                    rel.unquoted()
                ),
                line: None,
                column: None,
            });
        }
        Ok(cols)
    }

    fn drop_relation(&self, rel: &Relation) -> Result<(), AdapterError> {
        let lease = self.lease()?;
        self.with_retry(|| match self.lookup_type(&lease, rel)? {
            Some(kind) => self
                .exec(&lease, &Self::drop_sql(rel, kind), Origin::Internal)
                .map(|_| ()),
            None => Ok(()),
        })
    }

    fn execute(&self, sql: &str) -> Result<u64, AdapterError> {
        if is_blank(sql) {
            return Ok(0);
        }
        let lease = self.lease()?;
        lease.needs_reset.set(true);
        self.exec(&lease, sql, Origin::User { prefix_lines: 0 })
    }

    fn query(&self, sql: &str, limit: Option<usize>) -> Result<QueryResult, AdapterError> {
        if is_blank(sql) {
            return Ok(QueryResult::default());
        }
        let lease = self.lease()?;
        lease.needs_reset.set(true);
        lease.check_cancelled()?;
        // duckdb-rs panics on a few exotic result types instead of returning an error; turn
        // that into an error for this one query rather than taking down a worker thread.
        match catch_unwind(AssertUnwindSafe(|| self.fetch(&lease, sql, limit))) {
            Ok(Err(AdapterError::Sql { message, .. }))
                if message.contains("decoding Variant columns is not supported") && is_single_query(sql) =>
            {
                self.fetch_variants_as_json(&lease, sql, limit)
            }
            Ok(result) => result,
            Err(_) => Err(AdapterError::Unsupported {
                message: "the result has a column type Kiln cannot convert yet; cast that \
                          column to VARCHAR in the query"
                    .into(),
            }),
        }
    }

    fn list_schemas(&self) -> Result<Vec<String>, AdapterError> {
        let result = self.query(
            "SELECT DISTINCT schema_name FROM duckdb_schemas() WHERE database_name = current_database() \
             AND schema_name NOT IN ('information_schema', 'pg_catalog') ORDER BY 1",
            None,
        )?;
        Ok(result
            .rows
            .into_iter()
            .filter_map(|row| row.into_iter().next())
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect())
    }

    fn as_duckdb(&self) -> Option<&DuckDbAdapter> {
        Some(self)
    }

    fn list_relations(&self) -> Result<Vec<(Relation, RelationType)>, AdapterError> {
        const SQL: &str = "SELECT schema_name, table_name, 'table' FROM duckdb_tables() \
             WHERE database_name = current_database() AND NOT temporary \
             UNION ALL \
             SELECT schema_name, view_name, 'view' FROM duckdb_views() \
             WHERE database_name = current_database() AND NOT temporary AND NOT internal \
             ORDER BY 1, 2";
        let lease = self.lease()?;
        let conn = lease.conn()?;
        let map = |e: duckdb::Error| sql_error(&e, SQL, Origin::Internal);
        let mut stmt = conn.prepare(SQL).map_err(map)?;
        let mut rows = stmt.query([]).map_err(map)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(map)? {
            let schema: String = row.get(0).map_err(map)?;
            let name: String = row.get(1).map_err(map)?;
            let kind: String = row.get(2).map_err(map)?;
            if name.ends_with(TEMP_SUFFIX) {
                continue;
            }
            let kind = if kind == "view" {
                RelationType::View
            } else {
                RelationType::Table
            };
            out.push((Relation::new(schema, name), kind));
        }
        Ok(out)
    }

    fn apply_batch(
        &self,
        batch: &crate::RowBatch,
        sql: &str,
        finish: &dyn Fn(&[crate::RejectedRow]) -> String,
    ) -> Result<crate::BatchOutcome, AdapterError> {
        self.apply_batch_impl(batch, sql, finish)
    }

    fn interrupt(&self) {
        self.cancel_epoch.fetch_add(1, Ordering::SeqCst);
        for handle in lock(&self.active).values() {
            handle.interrupt();
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn decimal_text_is_scaled_exactly_or_left_to_duckdb() {
        let d = |t: &str| scaled_decimal(t, 38, 10).map(|d| d.value());
        assert_eq!(d("12.50"), Some(125_000_000_000));
        assert_eq!(d("-0.5"), Some(-5_000_000_000));
        assert_eq!(d("7"), Some(70_000_000_000));
        assert_eq!(d("0.12345678901"), None, "more decimals than the scale: DuckDB rounds");
        assert_eq!(d("1e5"), None);
        assert_eq!(d(""), None);
        assert_eq!(d("99999999999999999999999999999999999999999"), None, "overflow");
        assert_eq!(decimal_shape("DECIMAL(38,10)"), Some((38, 10)));
        assert_eq!(decimal_shape("VARCHAR"), None);
    }
}
