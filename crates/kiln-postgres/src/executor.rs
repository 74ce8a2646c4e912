//! [`WireExecutor`]: the synchronous [`Executor`] over sqlx's asynchronous connections.

use std::collections::HashMap;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::TryStreamExt;
use kiln_pgsql::{Executor, Flow, RowSink};
use kiln_project::Target;
use kiln_warehouse::{AdapterError, ColumnInfo};
use serde_json::Value;
use sqlx::postgres::{PgRow, PgValueRef};
use sqlx::{Column, Either, PgConnection, Row, TypeInfo as _};
use tokio::sync::{RwLock, Semaphore};
use tokio::time::Instant;

use crate::config::{flavor_of, ConnectConfig, Flavor, LoginSource};
use crate::decode;
use crate::error;
use crate::pool::{self, Lease, Pool};

/// Rows per batch handed to a sink.
const BATCH_ROWS: usize = 1_000;
/// …or fewer, once the batch's values add up to about this many bytes of text.
const BATCH_BYTES: usize = 1 << 20;
/// …or fewer, once the first row of a batch has waited this long (a slow query's first rows
/// show up without waiting for a thousand more).
const BATCH_LATENCY: Duration = Duration::from_millis(100);
/// Batches in flight between the runtime and the caller. With the limits above, a result of
/// any size holds at most this many batches (a few MB) in memory at a time.
const QUEUE_BATCHES: usize = 4;

/// The PostgreSQL wire-protocol [`Executor`], for `type: postgres` and `type: redshift`.
///
/// sqlx is asynchronous; this executor's callers are plain threads (the runner's workers) and
/// tokio tasks (the studio's handlers, through `spawn_blocking` or even directly). So it owns a
/// private multi-threaded runtime, spawns each call onto it and waits on a std channel — never
/// `block_on`, which panics on a thread that is already inside a runtime.
pub struct WireExecutor {
    shared: Arc<Shared>,
    /// `Option` so `Drop` can shut it down without blocking (dropping a runtime from inside
    /// another runtime's task would panic).
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    flavor: Flavor,
}

struct Shared {
    pool: Arc<Pool>,
    calls: Mutex<Calls>,
    /// Held for writing while `cancel` signals backends, for reading while a call binds itself
    /// to its session's PID. A session whose call just finished may be reused at once; its next
    /// call waits here until a cancel aimed at the previous call has been delivered (and, the
    /// backend being idle, ignored), so that cancel never hits a call started after it.
    gate: RwLock<()>,
    password: Option<String>,
}

#[derive(Default)]
struct Calls {
    next: u64,
    running: HashMap<u64, Call>,
}

struct Call {
    pid: Option<i32>,
    cancelled: bool,
}

/// Registration of one call in [`Shared::calls`]; removed on drop, however the call ends.
struct CallGuard {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if let Ok(mut calls) = self.shared.calls.lock() {
            calls.running.remove(&self.id);
        }
    }
}

impl CallGuard {
    /// Binds the call to its session's backend, unless it was cancelled while it waited.
    async fn attach(&self, lease: &Lease) -> Result<(), AdapterError> {
        let _gate = self.shared.gate.read().await;
        let mut calls = self
            .shared
            .calls
            .lock()
            .map_err(|_| internal("call registry poisoned"))?;
        match calls.running.get_mut(&self.id) {
            Some(call) if call.cancelled => Err(AdapterError::Interrupted),
            Some(call) => {
                call.pid = lease.pid();
                Ok(())
            }
            None => Err(internal("call not registered")),
        }
    }

    /// Unbinds the call before its session goes back to the pool.
    fn detach(&self) {
        if let Ok(mut calls) = self.shared.calls.lock() {
            if let Some(call) = calls.running.get_mut(&self.id) {
                call.pid = None;
            }
        }
    }

    fn cancelled(&self) -> bool {
        self.shared
            .calls
            .lock()
            .map(|calls| calls.running.get(&self.id).is_some_and(|c| c.cancelled))
            .unwrap_or(false)
    }
}

fn internal(what: &str) -> AdapterError {
    AdapterError::Unsupported {
        message: format!("internal error in the PostgreSQL driver: {what}"),
    }
}

impl Shared {
    fn begin_call(self: &Arc<Self>) -> CallGuard {
        let mut id = 0;
        if let Ok(mut calls) = self.calls.lock() {
            calls.next += 1;
            id = calls.next;
            calls.running.insert(
                id,
                Call {
                    pid: None,
                    cancelled: false,
                },
            );
        }
        CallGuard {
            shared: Arc::clone(self),
            id,
        }
    }

    /// Marks every running call cancelled and signals the backends that run one, from a
    /// separate session (the pool may be exhausted by exactly the calls being cancelled).
    async fn cancel_all(&self) {
        let _gate = self.gate.write().await;
        let pids: Vec<i32> = match self.calls.lock() {
            Ok(mut calls) => calls
                .running
                .values_mut()
                .filter_map(|call| {
                    call.cancelled = true;
                    call.pid
                })
                .collect(),
            Err(_) => return,
        };
        if pids.is_empty() {
            return;
        }
        // An idle pooled session saves a handshake; otherwise a fresh one, closed afterwards so
        // the pool never holds more sessions than its size.
        let (mut session, borrowed) = match self.pool.take_idle() {
            Some(session) => (session, true),
            None => match pool::open(self.pool.config()).await {
                Ok(session) => (session, false),
                Err(_) => return,
            },
        };
        let mut healthy = true;
        for pid in pids {
            let sql = format!("select pg_cancel_backend({pid})");
            if let Err(err) = execute(&mut session.conn, &sql).await {
                healthy &= session_survives(&err);
            }
        }
        if borrowed && healthy {
            self.pool.add_idle(session);
        } else {
            let _ = sqlx::Connection::close(session.conn).await;
        }
    }

    fn statement_error(&self, err: sqlx::Error, statement: &str) -> AdapterError {
        error::statement_error(err, statement, self.password.as_deref())
    }
}

/// Whether an error leaves the session usable: after a server-side error the session is
/// waiting for its next command; after an I/O or protocol error it is not.
fn session_survives(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(_))
}

/// Runs one statement on the simple protocol, returning the rows the last command affected.
async fn execute(conn: &mut PgConnection, sql: &str) -> Result<u64, sqlx::Error> {
    let mut results = sqlx::raw_sql(sql).fetch_many(&mut *conn);
    let mut affected = 0;
    while let Some(item) = results.try_next().await? {
        if let Either::Left(done) = item {
            affected = done.rows_affected();
        }
    }
    Ok(affected)
}

/// Whether `sql` might leave a transaction open (a script's own `BEGIN`): the session cannot
/// be asked (sqlx keeps the ReadyForQuery status private), so such a session is rolled back
/// before it is reused. A false positive costs one `ROLLBACK` and a server warning.
fn may_open_transaction(sql: &str) -> bool {
    let lower = sql.to_ascii_lowercase();
    lower.contains("begin") || lower.contains("start transaction")
}

/// Returns a session to the pool once its call is done, rolling back what a script may have
/// left open; a session that cannot be rolled back is closed instead.
async fn settle(call: &CallGuard, mut lease: Lease, may_be_in_transaction: bool) {
    call.detach();
    if may_be_in_transaction {
        let Some(session) = lease.session() else { return };
        if execute(&mut session.conn, "rollback").await.is_err() {
            return;
        }
    }
    lease.release();
}

/// What leaves the row task: batches, then the outcome with the columns of an empty result.
enum Message {
    Batch {
        columns: Option<Vec<ColumnInfo>>,
        rows: Vec<Vec<Value>>,
    },
    Done(Result<Option<Vec<ColumnInfo>>, AdapterError>),
}

/// Why the row task stopped early.
enum Halt {
    /// The caller said `Flow::Stop` (or went away): abandon the statement.
    Stopped,
    /// The server rejected the statement; the session is still usable.
    Failed(AdapterError),
    /// The connection failed; the session must not be reused.
    Broken(AdapterError),
}

/// Closes the credit semaphore when the caller leaves the stream, however it leaves (Stop, an
/// error, a panic in the sink), which tells the row task to stop reading.
struct StopOnDrop(Arc<Semaphore>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The row task's side of a stream: batches rows and hands them over with back-pressure.
///
/// The std channel is bounded (`QUEUE_BATCHES + 1`, the extra slot for `Done`), but a tokio
/// task must not block a runtime thread on a full channel. So the task first takes a credit
/// from an async semaphore of `QUEUE_BATCHES` permits — waiting without blocking — and the
/// caller returns one for each batch it takes; `try_send` then always finds room.
struct Batcher {
    tx: SyncSender<Message>,
    credits: Arc<Semaphore>,
    rows: Vec<Vec<Value>>,
    bytes: usize,
    /// Columns not yet sent (a new result's).
    columns: Option<Vec<ColumnInfo>>,
    deadline: Option<Instant>,
}

impl Batcher {
    fn push(&mut self, row: Vec<Value>, bytes: usize) {
        if self.rows.is_empty() {
            self.deadline = Some(Instant::now() + BATCH_LATENCY);
        }
        self.rows.push(row);
        self.bytes += bytes;
    }

    fn full(&self) -> bool {
        self.rows.len() >= BATCH_ROWS || self.bytes >= BATCH_BYTES
    }

    async fn flush(&mut self) -> Result<(), Halt> {
        if self.rows.is_empty() && self.columns.is_none() {
            return Ok(());
        }
        let permit = self.credits.acquire().await.map_err(|_| Halt::Stopped)?;
        permit.forget();
        let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(BATCH_ROWS));
        self.bytes = 0;
        self.deadline = None;
        self.tx
            .try_send(Message::Batch {
                columns: self.columns.take(),
                rows,
            })
            .map_err(|_| Halt::Stopped)
    }
}

/// Column names and types of a row's result, and the OIDs to decode its values by.
fn describe(row: &PgRow) -> (Vec<ColumnInfo>, Vec<u32>) {
    let mut columns = Vec::with_capacity(row.columns().len());
    let mut oids = Vec::with_capacity(row.columns().len());
    for column in row.columns() {
        let type_info = column.type_info();
        let type_oid = type_info.oid().map(|o| o.0).unwrap_or(0);
        let data_type = if type_oid == 0 {
            type_info.name().to_ascii_lowercase()
        } else {
            decode::type_name(type_oid)
        };
        columns.push(ColumnInfo {
            name: column.name().to_string(),
            data_type,
        });
        oids.push(type_oid);
    }
    (columns, oids)
}

/// One row's values as JSON, and roughly how many bytes of text they came from.
fn decode_row(row: &PgRow, oids: &[u32]) -> Result<(Vec<Value>, usize), sqlx::Error> {
    let mut values = Vec::with_capacity(oids.len());
    let mut bytes = 0;
    for (index, &type_oid) in oids.iter().enumerate() {
        let raw = row.try_get_raw(index)?;
        if sqlx::ValueRef::is_null(&raw) {
            values.push(Value::Null);
            bytes += 8;
            continue;
        }
        let text = PgValueRef::as_str(&raw).map_err(sqlx::Error::Decode)?;
        bytes += text.len() + 24;
        values.push(decode::value(type_oid, text));
    }
    Ok((values, bytes))
}

/// Whether `sql` is a query whose columns the probe can learn: it starts (after comments and
/// opening parentheses) with SELECT, WITH, VALUES or TABLE.
fn is_query(sql: &str) -> bool {
    let mut rest = sql;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, tail)| tail);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, tail)| tail);
        } else {
            break;
        }
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(word.as_str(), "select" | "with" | "values" | "table")
}

/// The columns of a query that returned no rows.
///
/// sqlx hands out a result's RowDescription only through its rows, so an empty result has no
/// columns. The probe asks again for exactly one row of NULLs with the same columns: the query
/// under `LIMIT 0` (which PostgreSQL and Redshift plan but do not run) left-joined to a
/// one-row table. Still the simple protocol, so no type look-up; anything the wrapper cannot
/// hold (`SELECT … INTO`, a data-modifying WITH) just fails, and the columns stay unknown.
async fn probe_columns(conn: &mut PgConnection, sql: &str) -> Result<Option<Vec<ColumnInfo>>, sqlx::Error> {
    let body = sql.trim_end().trim_end_matches(';').trim_end();
    let probe = format!(
        "select _kiln_q.* from (select 1 as _kiln_one) as _kiln_one left join \
         (select * from (\n{body}\n) as _kiln_s limit 0) as _kiln_q on 1 = 1"
    );
    let mut rows = sqlx::raw_sql(&probe).fetch(&mut *conn);
    let mut columns = None;
    while let Some(row) = rows.try_next().await? {
        columns.get_or_insert_with(|| describe(&row).0);
    }
    Ok(columns)
}

impl WireExecutor {
    /// Opens the pool for `target` and checks one session eagerly, so a wrong host, password or
    /// certificate is reported now (`kiln debug`) rather than at the first statement.
    ///
    /// The pool holds up to `target.threads + 1` sessions: one per runner thread, and one for
    /// whatever else the front end runs beside them (the studio's console, a catalog query).
    pub fn connect(target: &Target, flavor: Flavor) -> Result<WireExecutor, AdapterError> {
        WireExecutor::open(ConnectConfig::from_target(target, flavor)?, target, flavor)
    }

    /// Like [`WireExecutor::connect`], but every session (the eager first one included) logs in
    /// with what `login` returns when it opens; the target's `user` and `password` only stand in
    /// for messages. For temporary credentials that expire (`method: iam`).
    pub fn connect_with_login(
        target: &Target,
        flavor: Flavor,
        login: Arc<dyn LoginSource>,
    ) -> Result<WireExecutor, AdapterError> {
        let mut config = ConnectConfig::from_target(target, flavor)?;
        config.login = Some(login);
        WireExecutor::open(config, target, flavor)
    }

    fn open(config: ConnectConfig, target: &Target, flavor: Flavor) -> Result<WireExecutor, AdapterError> {
        let password = config.password.clone();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("kiln-postgres")
            .enable_all()
            .build()
            .map_err(|err| internal(&format!("cannot start the I/O runtime: {err}")))?;
        let handle = runtime.handle().clone();
        let pool = Arc::new(Pool::new(config, target.threads.max(1) + 1));
        let first = {
            let pool = Arc::clone(&pool);
            wait(&handle, async move { pool::open(pool.config()).await })
        };
        match first {
            Ok(session) => pool.add_idle(session),
            Err(err) => {
                // Not a plain drop: dropping a runtime on a thread inside another runtime panics.
                runtime.shutdown_background();
                return Err(err);
            }
        }
        Ok(WireExecutor {
            shared: Arc::new(Shared {
                pool,
                calls: Mutex::new(Calls::default()),
                gate: RwLock::new(()),
                password,
            }),
            runtime: Some(runtime),
            handle,
            flavor,
        })
    }

    /// Like [`WireExecutor::connect`], taking the flavor from the target's `type:`.
    pub fn for_target(target: &Target) -> Result<WireExecutor, AdapterError> {
        let flavor = flavor_of(&target.kind).ok_or_else(|| AdapterError::Unsupported {
            message: format!(
                "target '{}' has type {}, which the PostgreSQL driver does not serve",
                target.name,
                target.kind.as_str()
            ),
        })?;
        WireExecutor::connect(target, flavor)
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// The most sessions the executor opens at once.
    pub fn pool_size(&self) -> usize {
        self.shared.pool.size()
    }

    async fn run_async(
        shared: Arc<Shared>,
        call: CallGuard,
        statements: Vec<String>,
        atomic: bool,
    ) -> Result<u64, AdapterError> {
        let mut lease = shared.pool.acquire().await?;
        if let Err(err) = call.attach(&lease).await {
            lease.release();
            return Err(err);
        }
        let may_tx = !atomic && statements.iter().any(|s| may_open_transaction(s));
        let Some(session) = lease.session() else {
            return Err(internal("lease without a session"));
        };
        let conn = &mut session.conn;
        let mut affected = 0;
        if atomic {
            if let Err(err) = execute(conn, "begin").await {
                let survives = session_survives(&err);
                let mapped = shared.statement_error(err, "begin");
                if survives {
                    settle(&call, lease, true).await;
                }
                return Err(mapped);
            }
        }
        let mut failure = None;
        for statement in &statements {
            if call.cancelled() {
                failure = Some((AdapterError::Interrupted, true));
                break;
            }
            match execute(conn, statement).await {
                Ok(n) => affected = n,
                Err(err) => {
                    let survives = session_survives(&err);
                    failure = Some((shared.statement_error(err, statement), survives));
                    break;
                }
            }
        }
        if atomic && failure.is_none() {
            if let Err(err) = execute(conn, "commit").await {
                let survives = session_survives(&err);
                failure = Some((shared.statement_error(err, "commit"), survives));
            }
        }
        match failure {
            None => {
                settle(&call, lease, may_tx).await;
                Ok(affected)
            }
            Some((err, survives)) => {
                // A session that lost its connection is dropped (closed); one the server merely
                // rejected a statement on is rolled back (undoing the atomic block) and reused.
                if survives {
                    settle(&call, lease, atomic || may_tx).await;
                }
                Err(err)
            }
        }
    }

    async fn stream_async(
        shared: Arc<Shared>,
        call: CallGuard,
        sql: String,
        mut batcher: Batcher,
    ) -> Result<Option<Vec<ColumnInfo>>, Halt> {
        let mut lease = shared.pool.acquire().await.map_err(Halt::Failed)?;
        if let Err(err) = call.attach(&lease).await {
            lease.release();
            return Err(Halt::Failed(err));
        }
        let Some(session) = lease.session() else {
            return Err(Halt::Failed(internal("lease without a session")));
        };
        let mut saw_rows = false;
        let outcome: Result<(), Halt> = async {
            let mut results = sqlx::raw_sql(&sql).fetch_many(&mut session.conn);
            let mut oids: Vec<u32> = Vec::new();
            let mut new_result = true;
            loop {
                let next = match batcher.deadline {
                    Some(deadline) if !batcher.rows.is_empty() => {
                        match tokio::time::timeout_at(deadline, results.try_next()).await {
                            Ok(next) => next,
                            Err(_) => {
                                // The stream is polled again below; dropping the pending
                                // `try_next` loses nothing (the state lives in the stream).
                                batcher.flush().await?;
                                continue;
                            }
                        }
                    }
                    _ => results.try_next().await,
                };
                match next {
                    Ok(Some(Either::Left(_))) => new_result = true,
                    Ok(Some(Either::Right(row))) => {
                        if new_result {
                            // A statement with several results: the next batch carries the
                            // new columns.
                            batcher.flush().await?;
                            let (columns, row_oids) = describe(&row);
                            batcher.columns = Some(columns);
                            oids = row_oids;
                            new_result = false;
                        }
                        saw_rows = true;
                        let (values, bytes) =
                            decode_row(&row, &oids).map_err(|err| Halt::Broken(shared.statement_error(err, &sql)))?;
                        batcher.push(values, bytes);
                        if batcher.full() {
                            batcher.flush().await?;
                        }
                    }
                    Ok(None) => break,
                    Err(err) => {
                        let survives = session_survives(&err);
                        let mapped = shared.statement_error(err, &sql);
                        return Err(if survives {
                            Halt::Failed(mapped)
                        } else {
                            Halt::Broken(mapped)
                        });
                    }
                }
            }
            batcher.flush().await
        }
        .await;
        match outcome {
            Ok(()) => {}
            // Dropping the lease closes the session: it is mid-result, or its connection failed.
            Err(halt @ (Halt::Stopped | Halt::Broken(_))) => return Err(halt),
            Err(Halt::Failed(err)) => {
                settle(&call, lease, may_open_transaction(&sql)).await;
                return Err(Halt::Failed(err));
            }
        }
        let mut columns = None;
        if !saw_rows && is_query(&sql) {
            match probe_columns(&mut session.conn, &sql).await {
                Ok(found) => columns = found,
                Err(err) if !session_survives(&err) => return Ok(None),
                Err(_) => {}
            }
        }
        settle(&call, lease, may_open_transaction(&sql)).await;
        Ok(columns)
    }
}

/// Runs `work` on the executor's runtime and waits for it on a std channel. Safe from any
/// thread, including a tokio worker of another runtime (it blocks that thread, as any
/// synchronous call does, but never enters a runtime).
fn wait<T: Send + 'static>(
    handle: &tokio::runtime::Handle,
    work: impl std::future::Future<Output = Result<T, AdapterError>> + Send + 'static,
) -> Result<T, AdapterError> {
    let (tx, rx) = mpsc::sync_channel(1);
    handle.spawn(async move {
        let _ = tx.send(work.await);
    });
    rx.recv()
        .unwrap_or_else(|_| Err(internal("the I/O task ended without an answer")))
}

impl Executor for WireExecutor {
    fn kind(&self) -> &'static str {
        self.flavor.name()
    }

    fn run(&self, statements: &[String], atomic: bool) -> Result<u64, AdapterError> {
        if statements.is_empty() {
            return Ok(0);
        }
        let shared = Arc::clone(&self.shared);
        let call = shared.begin_call();
        let statements = statements.to_vec();
        wait(&self.handle, WireExecutor::run_async(shared, call, statements, atomic))
    }

    fn stream(&self, sql: &str, sink: &mut RowSink<'_>) -> Result<(), AdapterError> {
        let (tx, rx): (SyncSender<Message>, Receiver<Message>) = mpsc::sync_channel(QUEUE_BATCHES + 1);
        let credits = Arc::new(Semaphore::new(QUEUE_BATCHES));
        let _stop = StopOnDrop(Arc::clone(&credits));
        let shared = Arc::clone(&self.shared);
        let call = shared.begin_call();
        let batcher = Batcher {
            tx: tx.clone(),
            credits: Arc::clone(&credits),
            rows: Vec::with_capacity(BATCH_ROWS),
            bytes: 0,
            columns: None,
            deadline: None,
        };
        let sql = sql.to_string();
        self.handle.spawn(async move {
            let outcome = WireExecutor::stream_async(shared, call, sql, batcher).await;
            let done = match outcome {
                Ok(columns) => Ok(columns),
                Err(Halt::Failed(err) | Halt::Broken(err)) => Err(err),
                Err(Halt::Stopped) => return,
            };
            // The channel has a slot beyond the batches' credits, so this never finds it full.
            let _ = tx.try_send(Message::Done(done));
        });

        let mut columns: Vec<ColumnInfo> = Vec::new();
        let mut delivered = false;
        loop {
            match rx.recv() {
                Ok(Message::Batch { columns: new, rows }) => {
                    credits.add_permits(1);
                    if let Some(new) = new {
                        columns = new;
                    }
                    delivered = true;
                    if sink(&columns, rows) == Flow::Stop {
                        return Ok(());
                    }
                }
                Ok(Message::Done(Ok(found))) => {
                    if !delivered {
                        if let Some(found) = found {
                            columns = found;
                        }
                        sink(&columns, Vec::new());
                    }
                    return Ok(());
                }
                Ok(Message::Done(Err(err))) => return Err(err),
                Err(_) => return Err(internal("the I/O task ended without an answer")),
            }
        }
    }

    fn cancel(&self) {
        let shared = Arc::clone(&self.shared);
        let limit = shared.pool.config().connect_timeout.unwrap_or(Duration::from_secs(10)) + Duration::from_secs(5);
        let (tx, rx) = mpsc::sync_channel::<()>(1);
        self.handle.spawn(async move {
            shared.cancel_all().await;
            let _ = tx.send(());
        });
        let _ = rx.recv_timeout(limit);
    }
}

impl Drop for WireExecutor {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl std::fmt::Debug for WireExecutor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireExecutor")
            .field("flavor", &self.flavor)
            .field("config", self.shared.pool.config())
            .field("pool_size", &self.shared.pool.size())
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn recognises_queries() {
        assert!(is_query("select 1"));
        assert!(is_query("  -- note\n/* c */ (SELECT 1)"));
        assert!(is_query("WITH x AS (select 1) select * from x"));
        assert!(!is_query("create table t (a int)"));
        assert!(!is_query("insert into t values (1)"));
    }

    #[test]
    fn spots_transactions() {
        assert!(may_open_transaction("BEGIN; insert into t values (1)"));
        assert!(may_open_transaction("start transaction"));
        assert!(!may_open_transaction("insert into t values (1)"));
    }
}
