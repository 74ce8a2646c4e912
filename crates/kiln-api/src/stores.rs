//! What an open project keeps between requests: the query console's result sessions, the query
//! history and the registry entries of runs. Kept below `state` and the operation modules
//! (`query`, `runs`) so that the project state holds them without importing the operations.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

use kiln_exec::CancelToken;
use serde_json::Value;

use crate::dto::{ColumnDto, DiagnosticDto, FilterMode, NodeResultDto, QueryHistoryEntry, RunRecord, RunStatus};
use crate::error::{codes, ApiError, ApiResult, ErrorKind};

/// Query history, newest last, one JSON object a line; outside `target/` so `kiln clean` keeps it.
pub(crate) const HISTORY_FILE: &str = ".kiln/query_history.jsonl";
pub(crate) const MAX_HISTORY: usize = 500;
/// Result sets kept for paging; older ones are dropped.
const MAX_SESSIONS: usize = 24;

/// The outcome of materialising a result in the background: its row count, or why it failed.
pub(crate) type Settled = Arc<OnceLock<Result<u64, DiagnosticDto>>>;

#[derive(Clone)]
pub(crate) enum Stored {
    /// Materialised in `kiln_results`; paged with SQL.
    Table {
        relation: String,
        columns: Vec<ColumnDto>,
        total: u64,
    },
    /// Being materialised into `relation` by a background thread; settles into `Table`.
    Pending {
        relation: String,
        columns: Vec<ColumnDto>,
        settled: Settled,
    },
    /// Small results of statements that are not queries, kept as rows.
    Rows {
        columns: Vec<ColumnDto>,
        rows: Arc<Vec<Vec<Value>>>,
    },
    Failed,
}

pub(crate) struct Session {
    pub id: String,
    pub number: u64,
    pub cancel: Arc<AtomicBool>,
    pub running: bool,
    pub statements: Vec<Stored>,
    /// Per statement, the last text filter materialised as its own table, so that scrolling a
    /// filtered result pages that table instead of scanning the whole result for every page.
    pub filtered: HashMap<u32, Filtered>,
}

#[derive(Clone)]
pub(crate) struct Filtered {
    pub filter: String,
    pub relation: String,
    pub total: u64,
    pub mode: FilterMode,
    /// Why a filter that looks like a condition was searched as text.
    pub note: Option<String>,
}

#[derive(Default)]
pub(crate) struct QueryStore {
    next: u64,
    pub sessions: VecDeque<Session>,
}

impl QueryStore {
    /// Registers a query before it runs, so it can be cancelled; returns the relations of the
    /// sessions it pushes out, for the caller to drop.
    pub fn begin(&mut self, requested: Option<String>) -> (String, u64, Arc<AtomicBool>, Vec<String>) {
        self.next += 1;
        let number = self.next;
        let id = requested
            .filter(|id| !id.trim().is_empty())
            .unwrap_or_else(|| format!("q{number}"));
        let mut dropped = Vec::new();
        if let Some(position) = self.sessions.iter().position(|s| s.id == id) {
            if let Some(old) = self.sessions.remove(position) {
                dropped.extend(relations(&old));
            }
        }
        while self.sessions.len() >= MAX_SESSIONS {
            let Some(position) = self.sessions.iter().position(|s| !s.running) else {
                break;
            };
            if let Some(old) = self.sessions.remove(position) {
                dropped.extend(relations(&old));
            }
        }
        let cancel = Arc::new(AtomicBool::new(false));
        self.sessions.push_back(Session {
            id: id.clone(),
            number,
            cancel: cancel.clone(),
            running: true,
            statements: vec![],
            filtered: HashMap::new(),
        });
        (id, number, cancel, dropped)
    }

    pub fn finish(&mut self, number: u64, statements: Vec<Stored>) {
        if let Some(session) = self.sessions.iter_mut().find(|s| s.number == number) {
            session.running = false;
            session.statements = statements;
        }
    }

    pub fn statement(&self, query_id: &str, index: u32) -> ApiResult<Stored> {
        let session = self
            .sessions
            .iter()
            .find(|s| s.id == query_id)
            .ok_or_else(|| ApiError::unknown_id("query", query_id))?;
        if session.running {
            return Err(ApiError::new(
                ErrorKind::Conflict,
                codes::BAD_REQUEST,
                format!("query '{query_id}' is still running"),
            )
            .hint("wait for runQuery to answer"));
        }
        session.statements.get(index as usize).cloned().ok_or_else(|| {
            ApiError::bad_request(format!("query '{query_id}' has no statement {index}")).hint(format!(
                "statements are numbered from 0 to {}",
                session.statements.len().saturating_sub(1)
            ))
        })
    }

    pub fn filtered(&self, query_id: &str, statement: u32, filter: &str) -> Option<Filtered> {
        let session = self.sessions.iter().find(|s| s.id == query_id)?;
        session.filtered.get(&statement).filter(|f| f.filter == filter).cloned()
    }

    /// Records a statement's filtered table; returns the relations no longer needed (the one it
    /// replaces, or the new one when the query is gone meanwhile).
    pub fn set_filtered(&mut self, query_id: &str, statement: u32, filtered: Filtered) -> Option<String> {
        match self.sessions.iter_mut().find(|s| s.id == query_id) {
            Some(session) => session.filtered.insert(statement, filtered).map(|old| old.relation),
            None => Some(filtered.relation),
        }
    }

    pub fn contains(&self, number: u64) -> bool {
        self.sessions.iter().any(|s| s.number == number)
    }

    pub fn next_number(&mut self) -> u64 {
        self.next += 1;
        self.next
    }

    pub fn clear(&mut self) {
        self.sessions.clear();
    }
}

fn relations(session: &Session) -> Vec<String> {
    let mut out: Vec<String> = session
        .statements
        .iter()
        .filter_map(|s| match s {
            Stored::Table { relation, .. } | Stored::Pending { relation, .. } => Some(relation.clone()),
            _ => None,
        })
        .collect();
    out.extend(session.filtered.values().map(|f| f.relation.clone()));
    out
}

pub(crate) fn load_history(path: &Path) -> VecDeque<QueryHistoryEntry> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut entries: VecDeque<QueryHistoryEntry> = text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    while entries.len() > MAX_HISTORY {
        entries.pop_front();
    }
    entries
}

pub(crate) struct RunEntry {
    pub record: RunRecord,
    pub cancel: CancelToken,
    pub results: Vec<NodeResultDto>,
    /// The run log as the CLI prints it (`kiln_exec::log`), for the Log tab and past runs.
    pub log: Vec<String>,
}

impl RunEntry {
    pub fn is_running(&self) -> bool {
        self.record.status == RunStatus::Running
    }
}
