//! Watches the project folder, so that changes made outside the app (another editor, `git
//! checkout`) re-parse the project and reach the UI as `fileChanged` events.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Weak};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

use crate::dto::EngineEvent;
use crate::error::slash_path;
use crate::files::is_hidden_dir;
use crate::lock;
use crate::state::ProjectState;

/// Changes arriving within this window are reported together: an editor's save or a checkout is
/// many events for one change.
const DEBOUNCE: Duration = Duration::from_millis(120);
/// A stream of changes (a generator writing files) is still reported at least this often.
const MAX_BATCH: Duration = Duration::from_secs(1);

pub(crate) fn start(state: &Arc<ProjectState>) -> Result<(), String> {
    let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(tx).map_err(|e| {
        format!("cannot watch the project folder for changes: {e}; reopen the project to see outside edits")
    })?;
    watcher.watch(&state.root, RecursiveMode::Recursive).map_err(|e| {
        format!(
            "cannot watch {}: {e}; reopen the project to see outside edits",
            state.root.display()
        )
    })?;
    // The thread holds only a weak reference: dropping the project drops the watcher, which
    // closes the channel and ends the thread.
    let weak = Arc::downgrade(state);
    std::thread::Builder::new()
        .name("kiln-watch".into())
        .spawn(move || debounce(rx, weak))
        .map_err(|e| format!("cannot start the file watcher: {e}"))?;
    *lock(&state.watcher) = Some(watcher);
    Ok(())
}

fn relevant(state: &ProjectState, event: &notify::Event) -> Vec<String> {
    if matches!(event.kind, EventKind::Access(_) | EventKind::Other) {
        return Vec::new();
    }
    event
        .paths
        .iter()
        .filter_map(|path: &PathBuf| path.strip_prefix(&state.root).ok().map(slash_path))
        .filter(|relative| !relative.is_empty() && !is_hidden_dir(&state.config, relative))
        .collect()
}

fn debounce(rx: mpsc::Receiver<notify::Result<notify::Event>>, weak: Weak<ProjectState>) {
    // Runs started outside the studio (the CLI), followed through their records in target/runs/.
    let mut foreign_runs = crate::external_runs::Tails::default();
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        let deadline = std::time::Instant::now() + MAX_BATCH;
        while std::time::Instant::now() < deadline {
            match rx.recv_timeout(DEBOUNCE) {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let Some(state) = weak.upgrade() else { return };
        let changed: Vec<PathBuf> = batch.iter().flatten().flat_map(|event| event.paths.clone()).collect();
        foreign_runs.update(&state, &changed);
        let paths: BTreeSet<String> = batch
            .iter()
            .flatten()
            .flat_map(|event| relevant(&state, event))
            .collect();
        if paths.is_empty() {
            continue;
        }
        state.invalidate();
        state.emit(EngineEvent::FileChanged {
            paths: paths.into_iter().collect(),
        });
    }
}
