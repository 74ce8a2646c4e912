//! [`DataApiExecutor`]: statements submitted over the Data API, polled until they end, results
//! fetched page by page.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use aws_sdk_redshiftdata::config::retry::RetryConfig;
use aws_sdk_redshiftdata::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_redshiftdata::operation::describe_statement::DescribeStatementOutput;
use aws_sdk_redshiftdata::operation::get_statement_result::GetStatementResultOutput;
use aws_sdk_redshiftdata::Client;
use kiln_pgsql::{Executor, Flow, RowSink};
use kiln_project::Target;
use kiln_warehouse::{AdapterError, CatalogEntry, CatalogKind, ColumnInfo};
use serde_json::Value;
use tokio::runtime::{Handle, Runtime};
use tokio::sync::Notify;

use crate::errors::{self, classify, Failure};
use crate::settings::{Compute, DataApiSettings, DbAuth};
use crate::values;

/// How long to wait between polls and between retries. The defaults suit a real cluster; tests
/// shorten them.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// First wait between two `DescribeStatement` calls.
    pub poll_initial: Duration,
    /// Each wait is the previous one times this…
    pub poll_factor: f64,
    /// …up to this.
    pub poll_max: Duration,
    /// First back-off after a refused request (throttling, too many active statements).
    pub retry_initial: Duration,
    pub retry_factor: f64,
    pub retry_max: Duration,
    /// Attempts in all (the first one included) before a refused request becomes an error.
    pub retry_attempts: u32,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            poll_initial: Duration::from_millis(50),
            poll_factor: 1.5,
            poll_max: Duration::from_secs(1),
            retry_initial: Duration::from_millis(250),
            retry_factor: 2.0,
            retry_max: Duration::from_secs(8),
            retry_attempts: 7,
        }
    }
}

/// A relation in a schema, from `ListTables`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableInfo {
    pub schema: String,
    pub name: String,
    /// As the Data API says it: `TABLE`, `VIEW`, `EXTERNAL TABLE`, `MATERIALIZED VIEW`, …
    pub table_type: String,
}

/// A column of a relation, from `DescribeTable`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TableColumn {
    pub name: String,
    /// Redshift's DDL spelling, as in query results: `integer`, `varchar(256)`, `numeric(8,2)`.
    pub data_type: String,
    /// `None` when the server does not know.
    pub nullable: Option<bool>,
    pub default: Option<String>,
}

/// One executor call in flight (`run` or `stream`), for [`Executor::cancel`].
#[derive(Default)]
struct Call {
    state: Mutex<CallState>,
    /// Woken by `cancel` once `CancelStatement` has been answered.
    wake: Notify,
}

#[derive(Default)]
struct CallState {
    cancelled: bool,
    /// The statement (or batch) running now.
    statement: Option<String>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Call {
    fn is_cancelled(&self) -> bool {
        lock(&self.state).cancelled
    }

    /// Records the running statement; false when the call was cancelled meanwhile.
    fn started(&self, id: &str) -> bool {
        let mut state = lock(&self.state);
        state.statement = Some(id.to_string());
        !state.cancelled
    }

    fn ended(&self) {
        lock(&self.state).statement = None;
    }

    /// Marks the call cancelled; returns the statement to cancel, if one runs.
    fn cancel(&self) -> Option<String> {
        let mut state = lock(&self.state);
        state.cancelled = true;
        state.statement.clone()
    }
}

/// A statement that reached FINISHED.
#[derive(Debug)]
struct Finished {
    id: String,
    rows: u64,
    has_result_set: bool,
}

enum Submit {
    One(String),
    /// Runs as one transaction.
    Batch(Vec<String>),
}

struct Shared {
    client: Client,
    settings: DataApiSettings,
    timing: Timing,
    calls: Mutex<HashMap<u64, Arc<Call>>>,
    next_call: AtomicU64,
}

/// The Redshift Data API behind [`kiln_pgsql::Executor`] (kind `"redshift"`).
///
/// Every call is submitted, polled and fetched on a tokio runtime the executor owns; the
/// caller's thread only waits on a channel, so the synchronous [`Executor`] methods may be
/// called from any thread, including one inside another tokio runtime.
pub struct DataApiExecutor {
    shared: Arc<Shared>,
    handle: Handle,
    /// Shut down without blocking when the executor is dropped (dropping a runtime inside an
    /// async context would panic).
    runtime: Option<Runtime>,
}

impl Drop for DataApiExecutor {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A registered call, removed from the executor's table when dropped.
struct Registration<'a> {
    shared: &'a Shared,
    key: u64,
    call: Arc<Call>,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        lock(&self.shared.calls).remove(&self.key);
    }
}

fn runtime() -> Result<Runtime, AdapterError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("kiln-redshift-data")
        .enable_all()
        .build()
        .map_err(|e| errors::sql(format!("cannot start the Data API client's runtime: {e}")))
}

/// Waits on the caller's thread (never `block_on`) for a future spawned on `handle`.
fn wait<T: Send + 'static>(
    handle: &Handle,
    future: impl Future<Output = Result<T, AdapterError>> + Send + 'static,
) -> Result<T, AdapterError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    handle.spawn(async move {
        // The receiver only goes away if the caller's thread died; nothing to tell then.
        let _ = tx.send(future.await);
    });
    rx.recv().unwrap_or_else(|_| {
        Err(errors::sql(
            "internal error: the Data API task ended before it answered",
        ))
    })
}

/// A fresh idempotency token (UUID v4 text). The same token is sent again when a submit is
/// retried, so the Data API runs the statement at most once.
fn client_token() -> String {
    let v = fastrand::u128(..);
    let v = (v & !(0xf000u128 << 64)) | (0x4000u128 << 64); // version 4
    let v = (v & !(0xc000u128 << 48)) | (0x8000u128 << 48); // RFC 4122 variant
    let hex = format!("{v:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `schema` as a LIKE pattern that matches only itself.
fn like_exact(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Sets database, cluster/workgroup and secret/user on any request builder that has them.
macro_rules! on_target {
    ($builder:expr, $settings:expr) => {{
        let s: &DataApiSettings = $settings;
        let b = $builder.database(s.database.as_str());
        let b = match &s.compute {
            Compute::Cluster(c) => b.cluster_identifier(c.as_str()),
            Compute::Workgroup(w) => b.workgroup_name(w.as_str()),
        };
        match &s.auth {
            DbAuth::SecretArn(arn) => b.secret_arn(arn.as_str()),
            DbAuth::DbUser(user) => b.db_user(user.as_str()),
            DbAuth::IamIdentity => b,
        }
    }};
}

fn jitter(delay: Duration) -> Duration {
    // "Equal jitter": between half the delay and the whole of it.
    delay.mul_f64(0.5 + fastrand::f64() * 0.5)
}

fn grow(delay: Duration, factor: f64, max: Duration) -> Duration {
    let next = delay.mul_f64(factor.max(1.0));
    if next > max {
        max
    } else {
        next
    }
}

/// `ResultRows` is -1 when the server does not say.
fn rows(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Shared {
    /// One request, repeated with back-off while [`classify`] says that is safe. A cancelled
    /// `call` stops the repeats.
    async fn send<T, E, F, Fut>(&self, call: Option<&Call>, op: &str, mut request: F) -> Result<T, AdapterError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E>>>,
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let timing = &self.timing;
        let mut delay = timing.retry_initial;
        let mut attempt = 1;
        loop {
            let err = match request().await {
                Ok(out) => return Ok(out),
                Err(err) => err,
            };
            let exhausted = match classify(op, &self.settings, &err) {
                Failure::Fatal(e) => return Err(e),
                Failure::Retry { exhausted } => exhausted,
            };
            if attempt >= timing.retry_attempts.max(1) {
                return Err(exhausted);
            }
            match call {
                Some(call) => {
                    tokio::select! {
                        _ = tokio::time::sleep(jitter(delay)) => {}
                        _ = call.wake.notified() => {}
                    }
                    if call.is_cancelled() {
                        return Err(AdapterError::Interrupted);
                    }
                }
                None => tokio::time::sleep(jitter(delay)).await,
            }
            delay = grow(delay, timing.retry_factor, timing.retry_max);
            attempt += 1;
        }
    }

    /// Submits, then polls until the statement ends.
    async fn execute(&self, call: &Call, submit: Submit) -> Result<Finished, AdapterError> {
        if call.is_cancelled() {
            return Err(AdapterError::Interrupted);
        }
        let token = client_token();
        let id = match &submit {
            Submit::One(sql) => self
                .send(Some(call), "ExecuteStatement", || {
                    on_target!(self.client.execute_statement(), &self.settings)
                        .sql(sql.as_str())
                        .client_token(token.as_str())
                        .send()
                })
                .await?
                .id()
                .map(str::to_string),
            Submit::Batch(sqls) => self
                .send(Some(call), "BatchExecuteStatement", || {
                    on_target!(self.client.batch_execute_statement(), &self.settings)
                        .set_sqls(Some(sqls.clone()))
                        .client_token(token.as_str())
                        .send()
                })
                .await?
                .id()
                .map(str::to_string),
        };
        let Some(id) = id else {
            return Err(errors::sql("the Data API accepted the statement but returned no id"));
        };
        if !call.started(&id) {
            self.cancel_statement(&id).await;
            return Err(AdapterError::Interrupted);
        }
        let result = self.wait_for(call, &id, &submit).await;
        call.ended();
        result
    }

    /// DescribeStatement with back-off until FINISHED, FAILED or ABORTED (or the profile's
    /// `statement_timeout`).
    async fn wait_for(&self, call: &Call, id: &str, submit: &Submit) -> Result<Finished, AdapterError> {
        let timing = &self.timing;
        let started = Instant::now();
        let mut delay = timing.poll_initial;
        loop {
            let described = self
                .send(None, "DescribeStatement", || {
                    self.client.describe_statement().id(id).send()
                })
                .await?;
            let status = described.status().map(|s| s.as_str()).unwrap_or("");
            match status {
                "FINISHED" => {
                    return Ok(Finished {
                        id: id.to_string(),
                        rows: affected(&described),
                        has_result_set: described.has_result_set().unwrap_or(true),
                    })
                }
                "FAILED" if call.is_cancelled() => return Err(AdapterError::Interrupted),
                "FAILED" => return Err(failure(&described, submit)),
                "ABORTED" => return Err(AdapterError::Interrupted),
                _ => {}
            }
            let mut pause = delay;
            if let Some(limit) = self.settings.statement_timeout {
                let elapsed = started.elapsed();
                if elapsed >= limit {
                    self.cancel_statement(id).await;
                    return Err(AdapterError::Busy {
                        message: format!(
                            "the statement ran longer than the profile's statement_timeout ({:.1} s) \
                             and Kiln cancelled it",
                            limit.as_secs_f64()
                        ),
                        hint: errors::timeout_hint().to_string(),
                    });
                }
                pause = pause.min(limit - elapsed);
            }
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = call.wake.notified() => {}
            }
            delay = grow(delay, timing.poll_factor, timing.poll_max);
        }
    }

    /// Best effort: a statement that already ended cannot be cancelled, and that is fine.
    async fn cancel_statement(&self, id: &str) {
        let _ = self
            .send(None, "CancelStatement", || self.client.cancel_statement().id(id).send())
            .await;
    }

    async fn result_page(
        &self,
        call: &Call,
        id: &str,
        token: Option<String>,
    ) -> Result<GetStatementResultOutput, AdapterError> {
        self.send(Some(call), "GetStatementResult", || {
            self.client
                .get_statement_result()
                .id(id)
                .set_next_token(token.clone())
                .send()
        })
        .await
    }

    async fn list_schemas(&self) -> Result<Vec<String>, AdapterError> {
        let mut schemas = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(None, "ListSchemas", || {
                    on_target!(self.client.list_schemas(), &self.settings)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            schemas.extend(page.schemas().iter().cloned());
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(schemas),
            }
        }
    }

    async fn list_tables(&self, schema: &str) -> Result<Vec<TableInfo>, AdapterError> {
        let mut tables = Vec::new();
        let mut token: Option<String> = None;
        let pattern = like_exact(schema);
        loop {
            let page = self
                .send(None, "ListTables", || {
                    on_target!(self.client.list_tables(), &self.settings)
                        .schema_pattern(pattern.as_str())
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            for t in page.tables() {
                let in_schema = t.schema().unwrap_or(schema);
                if in_schema != schema {
                    continue;
                }
                tables.push(TableInfo {
                    schema: in_schema.to_string(),
                    name: t.name().unwrap_or_default().to_string(),
                    table_type: t.r#type().unwrap_or_default().to_string(),
                });
            }
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(tables),
            }
        }
    }

    async fn describe_table(&self, schema: &str, table: &str) -> Result<Vec<TableColumn>, AdapterError> {
        let mut columns = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .send(None, "DescribeTable", || {
                    on_target!(self.client.describe_table(), &self.settings)
                        .schema(schema)
                        .table(table)
                        .set_next_token(token.clone())
                        .send()
                })
                .await?;
            for meta in page.column_list() {
                columns.push(TableColumn {
                    name: meta.name().unwrap_or_default().to_string(),
                    data_type: values::type_name(meta),
                    // JDBC's codes: 0 no nulls, 1 nullable, 2 unknown.
                    nullable: match meta.nullable() {
                        0 => Some(false),
                        1 => Some(true),
                        _ => None,
                    },
                    default: meta.column_default().map(str::to_string),
                });
            }
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(columns),
            }
        }
    }
}

/// `ListTables`' `Type` (`TABLE`, `VIEW`, `EXTERNAL TABLE`, `MATERIALIZED VIEW`, …) as the
/// schema browser's kind.
fn catalog_kind(table_type: &str) -> CatalogKind {
    let upper = table_type.to_ascii_uppercase();
    if upper.contains("EXTERNAL") {
        CatalogKind::ExternalTable
    } else if upper.contains("MATERIALIZED") {
        CatalogKind::MaterializedView
    } else if upper.contains("LATE BINDING") {
        CatalogKind::LateBindingView
    } else if upper.contains("VIEW") {
        CatalogKind::View
    } else {
        CatalogKind::Table
    }
}

/// Rows the statement (the batch's last statement) affected or returned.
fn affected(described: &DescribeStatementOutput) -> u64 {
    match described.sub_statements().last() {
        Some(last) => rows(last.result_rows()),
        None => rows(described.result_rows()),
    }
}

/// The error of a FAILED statement; for a batch, the sub-statement that failed.
fn failure(described: &DescribeStatementOutput, submit: &Submit) -> AdapterError {
    if let Submit::Batch(sqls) = submit {
        let failed = described
            .sub_statements()
            .iter()
            .enumerate()
            .find(|(_, s)| s.status().map(|st| st.as_str()) == Some("FAILED"));
        if let Some((index, sub)) = failed {
            let text = sub.error().or(described.error()).unwrap_or("");
            return errors::statement_failed(&format!(
                "statement {} of {} failed, and the transaction was rolled back: {text}",
                index + 1,
                sqls.len()
            ));
        }
    }
    errors::statement_failed(described.error().unwrap_or(""))
}

impl DataApiExecutor {
    /// The executor for a profile target with `method: data_api`: reads the settings, loads
    /// AWS credentials and region through the default chain (environment, `aws_profile` or
    /// AWS_PROFILE in ~/.aws, SSO, credential_process, web identity, ECS/EC2 roles) and checks
    /// that credentials can be had, so a missing login fails here rather than at the first
    /// statement.
    pub fn connect(target: &Target) -> Result<DataApiExecutor, AdapterError> {
        DataApiExecutor::from_settings(DataApiSettings::from_target(target)?)
    }

    /// As [`DataApiExecutor::connect`], from checked settings.
    pub fn from_settings(settings: DataApiSettings) -> Result<DataApiExecutor, AdapterError> {
        let runtime = runtime()?;
        let handle = runtime.handle().clone();
        let load = settings.clone();
        let config = wait(&handle, async move { crate::aws::load(&load).await })?;
        Ok(DataApiExecutor::assemble(settings, config, runtime))
    }

    /// An executor on an explicit SDK configuration (region, credentials, HTTP client,
    /// endpoint) — tests give it a replaying HTTP client. The SDK's own retries are turned off:
    /// the executor retries what is safe itself.
    pub fn with_config(
        settings: DataApiSettings,
        config: aws_sdk_redshiftdata::Config,
    ) -> Result<DataApiExecutor, AdapterError> {
        let config = config.to_builder().retry_config(RetryConfig::disabled()).build();
        Ok(DataApiExecutor::assemble(settings, config, runtime()?))
    }

    fn assemble(settings: DataApiSettings, config: aws_sdk_redshiftdata::Config, runtime: Runtime) -> Self {
        DataApiExecutor {
            shared: Arc::new(Shared {
                client: Client::from_conf(config),
                settings,
                timing: Timing::default(),
                calls: Mutex::new(HashMap::new()),
                next_call: AtomicU64::new(0),
            }),
            handle: runtime.handle().clone(),
            runtime: Some(runtime),
        }
    }

    /// Replaces the poll and retry timing (before the executor is shared).
    pub fn with_timing(mut self, timing: Timing) -> Self {
        if let Some(shared) = Arc::get_mut(&mut self.shared) {
            shared.timing = timing;
        }
        self
    }

    pub fn settings(&self) -> &DataApiSettings {
        &self.shared.settings
    }

    /// The schemas of the profile's database (`ListSchemas`, every page).
    pub fn list_schemas(&self) -> Result<Vec<String>, AdapterError> {
        let shared = self.shared.clone();
        wait(&self.handle, async move { shared.list_schemas().await })
    }

    /// The tables and views of `schema` (`ListTables`, every page).
    pub fn list_tables(&self, schema: &str) -> Result<Vec<TableInfo>, AdapterError> {
        let shared = self.shared.clone();
        let schema = schema.to_string();
        wait(&self.handle, async move { shared.list_tables(&schema).await })
    }

    /// The columns of `schema.table` (`DescribeTable`, every page); empty when there is no such
    /// relation.
    pub fn describe_table(&self, schema: &str, table: &str) -> Result<Vec<TableColumn>, AdapterError> {
        let shared = self.shared.clone();
        let (schema, table) = (schema.to_string(), table.to_string());
        wait(
            &self.handle,
            async move { shared.describe_table(&schema, &table).await },
        )
    }

    fn register(&self) -> Registration<'_> {
        let key = self.shared.next_call.fetch_add(1, Ordering::Relaxed);
        let call = Arc::new(Call::default());
        lock(&self.shared.calls).insert(key, call.clone());
        Registration {
            shared: &self.shared,
            key,
            call,
        }
    }

    fn execute(&self, call: &Arc<Call>, submit: Submit) -> Result<Finished, AdapterError> {
        let (shared, call) = (self.shared.clone(), call.clone());
        wait(&self.handle, async move { shared.execute(&call, submit).await })
    }
}

impl Executor for DataApiExecutor {
    fn kind(&self) -> &'static str {
        "redshift"
    }

    /// One statement: `ExecuteStatement`. Several, atomic: one `BatchExecuteStatement` (the
    /// Data API runs a batch as one transaction). Several, not atomic: one `ExecuteStatement`
    /// after the other, each committing on its own.
    fn run(&self, statements: &[String], atomic: bool) -> Result<u64, AdapterError> {
        let statements: Vec<String> = statements.iter().filter(|s| !s.trim().is_empty()).cloned().collect();
        let registration = self.register();
        let call = &registration.call;
        match statements.len() {
            0 => Ok(0),
            1 => {
                let sql = statements.into_iter().next().unwrap_or_default();
                Ok(self.execute(call, Submit::One(sql))?.rows)
            }
            _ if atomic => Ok(self.execute(call, Submit::Batch(statements))?.rows),
            _ => {
                let mut last = 0;
                for sql in statements {
                    if call.is_cancelled() {
                        return Err(AdapterError::Interrupted);
                    }
                    last = self.execute(call, Submit::One(sql))?.rows;
                }
                Ok(last)
            }
        }
    }

    /// `ExecuteStatement`, poll, then `GetStatementResult` page by page (`NextToken`), each page
    /// one batch for `sink`. The Data API keeps a result for 24 hours and serves at most 100 MB
    /// of it; pages are the service's size, not Kiln's.
    fn stream(&self, sql: &str, sink: &mut RowSink<'_>) -> Result<(), AdapterError> {
        let registration = self.register();
        let call = &registration.call;
        let finished = self.execute(call, Submit::One(sql.to_string()))?;
        if call.is_cancelled() {
            return Err(AdapterError::Interrupted);
        }
        if !finished.has_result_set {
            sink(&[], Vec::new());
            return Ok(());
        }
        let mut columns: Option<(Vec<ColumnInfo>, Vec<values::Kind>)> = None;
        let mut token: Option<String> = None;
        loop {
            let (shared, page_call, id) = (self.shared.clone(), call.clone(), finished.id.clone());
            let page = wait(
                &self.handle,
                async move { shared.result_page(&page_call, &id, token).await },
            )?;
            let (cols, kinds) = columns.get_or_insert_with(|| {
                let cols = values::columns(page.column_metadata());
                let kinds = cols.iter().map(|c| values::kind_of(&c.data_type)).collect();
                (cols, kinds)
            });
            let batch: Vec<Vec<Value>> = page.records().iter().map(|record| values::row(kinds, record)).collect();
            if sink(cols, batch) == Flow::Stop {
                return Ok(());
            }
            match page.next_token().filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next.to_string()),
                None => return Ok(()),
            }
            if call.is_cancelled() {
                return Err(AdapterError::Interrupted);
            }
        }
    }

    /// The schema browser reads the Data API's own catalog calls rather than running catalog
    /// SQL as statements: `ListSchemas`, `ListTables`, `DescribeTable`.
    fn catalog_schemas(&self) -> Option<Result<Vec<String>, AdapterError>> {
        Some(self.list_schemas())
    }

    fn catalog_relations(&self, schema: &str) -> Option<Result<Vec<CatalogEntry>, AdapterError>> {
        Some(self.list_tables(schema).map(|tables| {
            let mut entries: Vec<CatalogEntry> = tables
                .into_iter()
                .map(|t| CatalogEntry {
                    kind: catalog_kind(&t.table_type),
                    name: t.name,
                })
                .collect();
            entries.sort_by(|a, b| a.name.cmp(&b.name));
            entries
        }))
    }

    fn catalog_columns(&self, schema: &str, table: &str) -> Option<Result<Vec<ColumnInfo>, AdapterError>> {
        Some(self.describe_table(schema, table).map(|columns| {
            columns
                .into_iter()
                .map(|c| ColumnInfo {
                    name: c.name,
                    data_type: c.data_type,
                })
                .collect()
        }))
    }

    /// `CancelStatement` for the statement each call in flight is running; the calls return
    /// [`AdapterError::Interrupted`]. Returns at once: the requests go out on the executor's
    /// runtime.
    fn cancel(&self) {
        let calls: Vec<Arc<Call>> = lock(&self.shared.calls).values().cloned().collect();
        for call in calls {
            let statement = call.cancel();
            let shared = self.shared.clone();
            self.handle.spawn(async move {
                if let Some(id) = statement {
                    shared.cancel_statement(&id).await;
                }
                // Wake the poll (or retry back-off) only now, so it sees the outcome.
                call.wake.notify_one();
            });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn client_tokens_are_uuid_v4() {
        let a = client_token();
        let b = client_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert!(matches!(&a[19..20], "8" | "9" | "a" | "b"), "{a}");
    }

    #[test]
    fn like_patterns_match_only_the_name() {
        assert_eq!(like_exact("my_schema"), "my\\_schema");
        assert_eq!(like_exact("a%b\\c"), "a\\%b\\\\c");
    }

    #[test]
    fn backoff_grows_to_the_cap() {
        let mut d = Duration::from_millis(50);
        let mut seen = vec![];
        for _ in 0..10 {
            seen.push(d.as_millis());
            d = grow(d, 1.5, Duration::from_secs(1));
        }
        assert_eq!(&seen[..4], &[50, 75, 112, 168]);
        assert_eq!(*seen.last().unwrap(), 1000);
        for _ in 0..100 {
            let j = jitter(Duration::from_millis(100));
            assert!(j >= Duration::from_millis(50) && j <= Duration::from_millis(100));
        }
    }
}
