//! What columns a node returns, known without running it, and the model columns that read
//! through a qualifier into an upstream lacking them (K2005) — flagged as the user types.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};

use kiln_diagnostics::{Code, Diagnostic, Location};
use kiln_sql::Upstream;

use crate::jinja::Resolver;
use crate::{Manifest, Node, ResourceType};

/// The warehouse's columns of a node's relation, asked only when the SQL alone cannot tell.
pub type WarehouseColumns<'a> = &'a dyn Fn(&Node) -> Option<Vec<String>>;

/// Columns worked out from the saved project's SQL, kept with the manifest: the editor asks on
/// every keystroke, and a model deep in a 1,000-model project would otherwise re-parse all its
/// ancestors each time. Only certainties are kept (an unknown may become known once the
/// warehouse is built); a save brings a new manifest and so a new cache.
#[derive(Default)]
pub(crate) struct Cache(Mutex<HashMap<String, Vec<String>>>);

impl Cache {
    fn get(&self, id: &str) -> Option<Vec<String>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get(id).cloned()
    }

    fn put(&self, id: &str, columns: &[String]) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id.to_string(), columns.to_vec());
    }
}

struct Known<'a> {
    manifest: &'a Manifest,
    warehouse: WarehouseColumns<'a>,
    memo: RefCell<HashMap<String, Option<Vec<String>>>>,
    /// Nodes being worked out, so a cycle (which parse already rejects) cannot recurse forever.
    open: RefCell<HashSet<String>>,
}

impl Known<'_> {
    fn upstream(&self, upstream: &Upstream) -> Option<Vec<String>> {
        let index = &self.manifest.compiler.index;
        let id = match upstream {
            Upstream::Ref { package, name } => index.resolve_ref(package.as_deref(), name).ok()?.0,
            Upstream::Source { source, table } => index.resolve_source(source, table).ok()?.0,
        };
        self.node(&id)
    }

    fn node(&self, id: &str) -> Option<Vec<String>> {
        if let Some(known) = self.memo.borrow().get(id) {
            return known.clone();
        }
        if !self.open.borrow_mut().insert(id.to_string()) {
            return None;
        }
        let node = self.manifest.nodes.get(id)?;
        // The code first: it is what the next build makes, where the warehouse may be older.
        let from_code = self.manifest.static_columns.get(id).or_else(|| {
            let found = match node.resource_type {
                ResourceType::Model | ResourceType::Snapshot => {
                    kiln_sql::model_columns(&node.raw_code, &|upstream| self.upstream(upstream))
                }
                ResourceType::Seed => seed_header(&self.manifest.root.join(&node.path)),
                _ => None,
            };
            if let Some(columns) = &found {
                self.manifest.static_columns.put(id, columns);
            }
            found
        });
        let known = from_code.or_else(|| (self.warehouse)(node));
        self.open.borrow_mut().remove(id);
        self.memo.borrow_mut().insert(id.to_string(), known.clone());
        known
    }
}

/// A seed's column names from its CSV header; `None` if any is quoted (it may hold a comma).
fn seed_header(path: &std::path::Path) -> Option<Vec<String>> {
    use std::io::BufRead;
    let file = std::fs::File::open(path).ok()?;
    let mut line = String::new();
    std::io::BufReader::new(file).read_line(&mut line).ok()?;
    let line = line.trim_start_matches('\u{feff}').trim_end();
    if line.is_empty() || line.contains('"') {
        return None;
    }
    Some(line.split(',').map(|name| name.trim().to_string()).collect())
}

impl Manifest {
    /// K2005 for each column `raw` (the text of model `id`, perhaps unsaved) reads through a
    /// qualifier whose upstream model, seed or source lacks it. A warning, not an error: the SQL
    /// still compiles (its compiled text, lineage and preview stay useful while the user fixes it),
    /// and the warehouse has the last word when it runs.
    pub fn unknown_column_diagnostics(&self, id: &str, raw: &str, warehouse: WarehouseColumns<'_>) -> Vec<Diagnostic> {
        let Some(node) = self.nodes.get(id) else {
            return Vec::new();
        };
        if !matches!(node.resource_type, ResourceType::Model | ResourceType::Snapshot) {
            return Vec::new();
        }
        let known = Known {
            manifest: self,
            warehouse,
            memo: RefCell::default(),
            open: RefCell::new(HashSet::from([id.to_string()])),
        };
        kiln_sql::unknown_qualified_columns(raw, &|upstream| known.upstream(upstream))
            .into_iter()
            .map(|found| {
                let message = format!(
                    "column '{}' does not exist in {} (read as '{}'){}",
                    found.column,
                    found.relation,
                    found.qualifier,
                    crate::suggestion(&found.column, &found.known)
                );
                let mut columns: String = found.known.iter().take(30).cloned().collect::<Vec<_>>().join(", ");
                if found.known.len() > 30 {
                    columns.push_str(", …");
                }
                Diagnostic::warning(Code::UnknownColumn, message)
                    .at(Location::at(&node.path, found.line, Some(found.column_number)))
                    .hint(format!("its columns are: {columns}"))
            })
            .collect()
    }
}
