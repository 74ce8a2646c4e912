//! A node's warehouse failure as the user sees it: the adapter's own diagnostic
//! ([`kiln_warehouse::AdapterError::to_diagnostic`], the one code mapping) placed at the node and,
//! for SQL errors, tied to the compiled SQL that ran.

use std::path::PathBuf;

use kiln_compile::{Manifest, Node};
use kiln_diagnostics::{Diagnostic, Location};
use kiln_warehouse::AdapterError;

/// Turns an adapter failure into a user-facing diagnostic located at the node's file unless the
/// error names a more precise place (a lake file line, a seed CSV line).
pub fn adapter_diagnostic(
    manifest: &Manifest,
    node: &Node,
    error: &AdapterError,
    compiled_path: Option<&PathBuf>,
) -> Diagnostic {
    let node_location = Location {
        file: node.path.clone(),
        line: node.line,
        column: None,
    };
    let mut diagnostic = error.to_diagnostic(Some(&manifest.root));
    match error {
        // Not the node's fault: where the warehouse is, not which model met it, is what to fix.
        AdapterError::Locked { .. } | AdapterError::Open { .. } | AdapterError::Interrupted => diagnostic,
        AdapterError::Sql { line, column, .. } => {
            let mut location = node_location;
            if let (Some(path), Some(line)) = (compiled_path, line) {
                diagnostic.message.push_str(&format!(
                    " (compiled SQL: {}:{line})",
                    kiln_diagnostics::relative_to(&manifest.root, path).display()
                ));
                // When rendering kept the line structure (refs and macros inline), the compiled line
                // is also the line in the model file.
                let compiled_lines = std::fs::read_to_string(path)
                    .map(|text| text.lines().count())
                    .unwrap_or(0);
                if compiled_lines > 0 && compiled_lines == node.raw_code.lines().count() && location.line.is_none() {
                    location.line = Some(*line);
                    location.column = *column;
                }
            }
            diagnostic
                .at(location)
                .hint("fix the SQL in the model; the compiled SQL shows what ran")
        }
        _ => {
            if diagnostic.location.is_none() {
                diagnostic.location = Some(node_location);
            }
            diagnostic
        }
    }
}
