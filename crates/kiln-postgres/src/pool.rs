//! A small connection pool that knows each session's backend PID.
//!
//! sqlx's own pool cannot carry per-connection data, and cancelling needs the PID of the
//! backend a call is using (`pg_cancel_backend(pid)`, which works on PostgreSQL and Redshift
//! alike). A session goes back to the pool only through [`Lease::release`], which callers use
//! after a statement ran to completion; dropping a lease closes its connection instead, so a
//! session abandoned mid-result (a sink that said Stop, an error, a panic) is never reused.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::{Connection, PgConnection};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use kiln_warehouse::AdapterError;

use crate::config::ConnectConfig;
use crate::error;

/// One open session and the PID of its backend.
pub(crate) struct Session {
    pub conn: PgConnection,
    pub pid: i32,
}

struct Idle {
    session: Session,
    since: Instant,
}

/// A session idle longer than this is pinged before it is used: servers, proxies and NAT
/// gateways close quiet connections, and a dead one should not fail the caller's statement.
const CHECK_AFTER: Duration = Duration::from_secs(30);

pub(crate) struct Pool {
    config: ConnectConfig,
    idle: Mutex<Vec<Idle>>,
    permits: Arc<Semaphore>,
    size: usize,
}

/// A session held by one call, with its pool slot.
pub(crate) struct Lease {
    session: Option<Session>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    pub fn session(&mut self) -> Option<&mut Session> {
        self.session.as_mut()
    }

    pub fn pid(&self) -> Option<i32> {
        self.session.as_ref().map(|s| s.pid)
    }

    /// Returns the session to the pool. Only for a session whose statements all finished.
    pub fn release(mut self) {
        if let Some(session) = self.session.take() {
            if let Ok(mut idle) = self.pool.idle.lock() {
                idle.push(Idle {
                    session,
                    since: Instant::now(),
                });
            }
        }
    }
}

impl Pool {
    pub fn new(config: ConnectConfig, size: usize) -> Pool {
        Pool {
            config,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(size)),
            size,
        }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    pub fn config(&self) -> &ConnectConfig {
        &self.config
    }

    /// Puts an already-open session into the pool (the eager check's).
    pub fn add_idle(&self, session: Session) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(Idle {
                session,
                since: Instant::now(),
            });
        }
    }

    /// Borrows an idle session outside the slots, for a moment (the cancel's statement); it
    /// goes back with [`Pool::add_idle`]. `None` when every session is busy.
    pub fn take_idle(&self) -> Option<Session> {
        self.idle
            .lock()
            .ok()
            .and_then(|mut idle| idle.pop())
            .filter(|idle| idle.since.elapsed() < CHECK_AFTER)
            .map(|idle| idle.session)
    }

    /// Waits for a free slot, then reuses an idle session or opens a new one.
    pub async fn acquire(self: &Arc<Self>) -> Result<Lease, AdapterError> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| AdapterError::Interrupted)?;
        loop {
            let next = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            let Some(mut idle) = next else { break };
            if idle.since.elapsed() >= CHECK_AFTER {
                let alive = tokio::time::timeout(Duration::from_secs(5), idle.session.conn.ping()).await;
                if !matches!(alive, Ok(Ok(()))) {
                    continue; // dropped: the connection is dead
                }
            }
            return Ok(Lease {
                session: Some(idle.session),
                pool: Arc::clone(self),
                _permit: permit,
            });
        }
        let session = open(&self.config).await?;
        Ok(Lease {
            session: Some(session),
            pool: Arc::clone(self),
            _permit: permit,
        })
    }
}

/// Opens a session: resolves the host (so a name that does not resolve is told apart from a
/// server that does not answer), connects, authenticates and asks for the backend's PID, all
/// within `connect_timeout`. A time-out is blamed on the step that was running.
pub(crate) async fn open(config: &ConnectConfig) -> Result<Session, AdapterError> {
    let Some(source) = &config.login else {
        return open_as(config).await;
    };
    // A login obtained per session (temporary IAM credentials): the session logs in with it,
    // and its error messages name and scrub it.
    let login = source.login().await?;
    let mut fresh = config.clone();
    fresh.options = fresh.options.username(&login.user).password(&login.password);
    fresh.user = login.user;
    fresh.password = Some(login.password);
    fresh.login = None;
    open_as(&fresh).await
}

async fn open_as(config: &ConnectConfig) -> Result<Session, AdapterError> {
    let deadline = config.connect_timeout.map(|limit| tokio::time::Instant::now() + limit);
    let secs = config.connect_timeout.map_or(0, |limit| limit.as_secs());
    if !config.is_socket() {
        let lookup = tokio::net::lookup_host((config.host.as_str(), config.port));
        let resolved = match deadline {
            Some(deadline) => match tokio::time::timeout_at(deadline, lookup).await {
                Ok(resolved) => resolved,
                Err(_) => return Err(error::dns_timed_out(config, secs)),
            },
            None => lookup.await,
        };
        match resolved {
            Ok(mut addresses) => {
                if addresses.next().is_none() {
                    return Err(error::dns_empty(config));
                }
            }
            Err(err) => return Err(error::dns(config, &err)),
        }
    }
    let session = async {
        let mut conn = PgConnection::connect_with(&config.options)
            .await
            .map_err(|err| error::connect_error(config, err))?;
        let pid = backend_pid(&mut conn)
            .await
            .map_err(|err| error::connect_error(config, err))?;
        Ok(Session { conn, pid })
    };
    match deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline, session).await {
            Ok(result) => result,
            Err(_) => Err(error::timed_out(config, secs)),
        },
        None => session.await,
    }
}

/// `select pg_backend_pid()` on the simple protocol (its value arrives as text).
async fn backend_pid(conn: &mut PgConnection) -> Result<i32, sqlx::Error> {
    use futures_util::TryStreamExt;
    use sqlx::Row;
    let mut rows = sqlx::raw_sql("select pg_backend_pid()").fetch(&mut *conn);
    let mut pid = None;
    while let Some(row) = rows.try_next().await? {
        let value = row.try_get_raw(0)?;
        let text = sqlx::postgres::PgValueRef::as_str(&value).map_err(sqlx::Error::Decode)?;
        pid = text.trim().parse::<i32>().ok();
    }
    pid.ok_or_else(|| sqlx::Error::Protocol("pg_backend_pid() returned no PID".into()))
}
