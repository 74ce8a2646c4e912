//! Opening the embedded DuckDB warehouse of a `type: duckdb` target. `kiln-targets` is the one
//! factory every front end calls: it sends DuckDB targets here and server targets (PostgreSQL,
//! Redshift, the Data API) to their driver crates, which sit above this one. Called directly with
//! a server target, this refuses it with a coded diagnostic at the profile.

use std::path::Path;
use std::sync::Arc;

use kiln_diagnostics::{Code, Diagnostic, Location};
use kiln_project::{Target, TargetKind};

use crate::{Adapter, AdapterError, DuckDbAdapter};

/// Opens the warehouse `target` names, with `connections` connections ready for concurrent
/// callers (a run's worker threads, plus whatever else the front end runs beside them).
pub fn open(target: &Target, connections: usize) -> Result<Arc<dyn Adapter>, Diagnostic> {
    let connections = connections.max(1);
    match &target.kind {
        TargetKind::DuckDb => {
            let adapter = match &target.path {
                Some(path) => DuckDbAdapter::open(path, connections),
                None => DuckDbAdapter::in_memory_with_threads(connections),
            };
            match adapter {
                Ok(adapter) => Ok(Arc::new(adapter)),
                Err(error) => Err(open_error(target, &error)),
            }
        }
        TargetKind::Redshift | TargetKind::Postgres | TargetKind::Other(_) => {
            let diagnostic = Diagnostic::error(
                Code::Profile,
                format!(
                    "target '{}' has type {}, which this build of Kiln cannot connect to yet",
                    target.name,
                    target.kind.as_str()
                ),
            )
            .hint("use a duckdb target (or no profile, for the embedded warehouse)");
            Err(diagnostic.at_profile_line(target, "type:"))
        }
    }
}

/// A DuckDB file that cannot be opened: locked by another process, or a path that cannot hold a
/// database. The latter points at the profile's `path:` line, the setting to change.
fn open_error(target: &Target, error: &AdapterError) -> Diagnostic {
    let diagnostic = error.to_diagnostic(None);
    if matches!(error, AdapterError::Locked { .. }) {
        return diagnostic;
    }
    if target.source_file.is_some() {
        diagnostic
            .at_profile_line(target, "path:")
            .hint("set the profile's `path:` to a file in a writable folder")
    } else {
        diagnostic.hint("check that the project folder is writable")
    }
}

trait AtProfileLine {
    fn at_profile_line(self, target: &Target, key: &str) -> Self;
}

impl AtProfileLine for Diagnostic {
    /// Locates the diagnostic at the first `key` line of the profiles file the target came from
    /// (the file alone when the line is not found; unchanged for the embedded default).
    fn at_profile_line(self, target: &Target, key: &str) -> Diagnostic {
        let Some(file) = &target.source_file else {
            return self;
        };
        self.at(Location {
            file: file.clone(),
            line: line_starting_with(file, key),
            column: None,
        })
    }
}

fn line_starting_with(file: &Path, key: &str) -> Option<usize> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines()
        .position(|l| l.trim_start().starts_with(key))
        .map(|i| i + 1)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn profile(dir: &Path, body: &str) -> Target {
        let file = dir.join("profiles.yml");
        std::fs::write(&file, body).unwrap();
        let mut target = Target::embedded(dir, "p");
        target.source_file = Some(file);
        target
    }

    #[test]
    fn an_unwritable_path_points_at_the_profiles_path_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut target = profile(
            dir.path(),
            "p:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: /proc/kiln/x.duckdb\n",
        );
        target.path = Some("/proc/kiln/x.duckdb".into());
        let Err(d) = open(&target, 1) else {
            panic!("a DuckDB file under /proc must not open");
        };
        assert_eq!(d.code, Code::Warehouse);
        let location = d.location.expect("located at the profile");
        assert_eq!(location.file, dir.path().join("profiles.yml"));
        assert_eq!(location.line, Some(6));
        assert!(d.hint.is_some_and(|h| h.contains("path:")));
    }

    #[test]
    fn a_duckdb_target_without_a_path_opens_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let mut target = Target::embedded(dir.path(), "p");
        target.path = None;
        let adapter = open(&target, 2).unwrap();
        assert_eq!(adapter.kind(), "duckdb");
        let result = adapter.query("select 41 + 1 as n", Some(1)).unwrap();
        assert_eq!(result.rows, vec![vec![serde_json::json!(42)]]);
        assert!(
            !dir.path().join(".kiln").exists(),
            "nothing is written for an in-memory target"
        );
    }

    #[test]
    fn other_warehouses_are_refused_at_the_profiles_type_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut target = profile(
            dir.path(),
            "p:\n  target: dev\n  outputs:\n    dev:\n      type: redshift\n      host: h\n",
        );
        target.kind = TargetKind::Redshift;
        let Err(d) = open(&target, 1) else {
            panic!("redshift is not wired yet");
        };
        assert_eq!(d.code, Code::Profile);
        assert!(d.message.contains("redshift"), "{}", d.message);
        assert_eq!(d.location.and_then(|l| l.line), Some(5));
    }
}
