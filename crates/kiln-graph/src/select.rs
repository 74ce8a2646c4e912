//! Evaluating selection expressions against a [`Graph`], following dbt 1.x's `NodeSelector`:
//! each criterion is resolved by its method, widened by its graph operators, then widened to
//! attached tests (indirect selection); unions/intersections combine those sets, and the
//! exclusions (resolved the same way, tests included) are subtracted last.

use std::collections::BTreeSet;

use petgraph::Direction;

use crate::glob::{fnmatch, has_wildcard, normalize_path, path_selects};
use crate::graph::Graph;
use crate::node::{GraphNode, ResourceType};
use crate::selector::{parse_word, IndirectSelection, SelectionCriteria, SelectionExpr, SelectorError, SelectorMethod};

type Ids = BTreeSet<usize>;

/// Knobs that come from the command rather than from `--select`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectOptions {
    /// Keep only these resource types in the result (what `run`, `test`, `seed`, `build` or
    /// `--resource-type` handle). `None` keeps every type.
    pub resource_types: Option<Vec<ResourceType>>,
    pub indirect_selection: IndirectSelection,
}

/// The outcome of [`select_with_report`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Selected unique ids.
    pub selected: BTreeSet<String>,
    /// Words of `--select`/`--exclude` that matched no node at all (before the resource type
    /// filter). Not an error; the CLI should warn, as dbt does.
    pub unmatched: Vec<String>,
}

/// Resolves `--select`/`--exclude` arguments to unique ids. An empty `select` means every
/// node. Each argument may hold several space-separated words (a union) and comma-joined
/// intersections, exactly as on dbt's command line.
pub fn select(
    graph: &Graph,
    select: &[String],
    exclude: &[String],
    opts: SelectOptions,
) -> Result<BTreeSet<String>, SelectorError> {
    select_with_report(graph, select, exclude, opts).map(|s| s.selected)
}

/// Like [`select`], but also reports which words matched nothing.
pub fn select_with_report(
    graph: &Graph,
    select: &[String],
    exclude: &[String],
    opts: SelectOptions,
) -> Result<Selection, SelectorError> {
    let include_words = parse_words(select)?;
    let exclude_words = parse_words(exclude)?;

    let ev = Evaluator {
        graph,
        mode: opts.indirect_selection,
    };
    let mut unmatched = Vec::new();

    let (inc_direct, inc_indirect) = if include_words.is_empty() {
        // dbt's defaults (`fqn:* source:* exposure:* ...`) amount to every node.
        let all: Ids = (0..graph.len()).collect();
        (all.clone(), all)
    } else {
        ev.union_of_words(&include_words, &mut unmatched)
    };
    let (exc_direct, exc_indirect) = ev.union_of_words(&exclude_words, &mut unmatched);

    let direct: Ids = inc_direct.difference(&exc_direct).copied().collect();
    let inc_all: Ids = inc_direct.union(&inc_indirect).copied().collect();
    let exc_all: Ids = exc_direct.union(&exc_indirect).copied().collect();
    let indirect: Ids = inc_all.difference(&exc_all).copied().collect();
    let direct = ev.incorporate(direct, &indirect);

    let selected = direct
        .into_iter()
        .map(|i| graph.node_at(i))
        .filter(|n| {
            opts.resource_types
                .as_ref()
                .is_none_or(|types| types.contains(&n.resource_type))
        })
        .map(|n| n.unique_id.clone())
        .collect();
    Ok(Selection { selected, unmatched })
}

/// Splits every argument into words and parses each, keeping the raw word for warnings.
fn parse_words(args: &[String]) -> Result<Vec<(String, SelectionExpr)>, SelectorError> {
    let mut out = Vec::new();
    for arg in args {
        for word in arg.split_whitespace() {
            out.push((word.to_string(), parse_word(word)?));
        }
    }
    if out.is_empty() && !args.is_empty() {
        return Err(SelectorError::Empty);
    }
    Ok(out)
}

struct Evaluator<'g> {
    graph: &'g Graph,
    mode: IndirectSelection,
}

impl Evaluator<'_> {
    fn union_of_words(&self, words: &[(String, SelectionExpr)], unmatched: &mut Vec<String>) -> (Ids, Ids) {
        let mut bundles = Vec::with_capacity(words.len());
        for (raw, expr) in words {
            let bundle = self.eval(expr);
            if bundle.0.is_empty() {
                unmatched.push(raw.clone());
            }
            bundles.push(bundle);
        }
        self.combine(bundles, Combine::Union)
    }

    /// Returns (direct, indirect): `indirect` holds tests that were touched but not (yet)
    /// selected, which cautious/buildable modes may promote once the whole expression is known.
    fn eval(&self, expr: &SelectionExpr) -> (Ids, Ids) {
        match expr {
            SelectionExpr::Criteria(c) => self.eval_criteria(c),
            SelectionExpr::Union(parts) => {
                let bundles = parts.iter().map(|p| self.eval(p)).collect();
                self.combine(bundles, Combine::Union)
            }
            SelectionExpr::Intersection(parts) => {
                let bundles = parts.iter().map(|p| self.eval(p)).collect();
                self.combine(bundles, Combine::Intersection)
            }
        }
    }

    fn combine(&self, bundles: Vec<(Ids, Ids)>, how: Combine) -> (Ids, Ids) {
        let mut direct_sets = Vec::with_capacity(bundles.len());
        let mut indirect_sets = Vec::with_capacity(bundles.len());
        for (d, i) in bundles {
            indirect_sets.push(d.union(&i).copied().collect::<Ids>());
            direct_sets.push(d);
        }
        let direct = how.apply(direct_sets);
        let indirect = how.apply(indirect_sets);
        let direct = self.incorporate(direct, &indirect);
        (direct, indirect)
    }

    fn eval_criteria(&self, c: &SelectionCriteria) -> (Ids, Ids) {
        let collected = self.search(c);
        let mut selected = collected.clone();
        let starts: Vec<usize> = collected.iter().copied().collect();
        if c.childrens_parents {
            let down = self.graph.reach(&starts, Direction::Outgoing, None);
            let down_vec: Vec<usize> = down.iter().copied().collect();
            selected.extend(self.graph.reach(&down_vec, Direction::Incoming, None));
        }
        if c.parents {
            selected.extend(self.graph.reach(&starts, Direction::Incoming, c.parents_depth));
        }
        if c.children {
            selected.extend(self.graph.reach(&starts, Direction::Outgoing, c.children_depth));
        }
        if self.mode == IndirectSelection::Empty {
            (selected, Ids::new())
        } else {
            self.expand_to_tests(selected)
        }
    }

    /// dbt's `expand_selection`: look at tests directly downstream of the selection.
    fn expand_to_tests(&self, selected: Ids) -> (Ids, Ids) {
        let mut direct = selected.clone();
        let mut indirect = Ids::new();
        let buildable_scope = (self.mode == IndirectSelection::Buildable).then(|| {
            let starts: Vec<usize> = selected.iter().copied().collect();
            let mut scope = self.graph.reach(&starts, Direction::Incoming, None);
            scope
                .extend((0..self.graph.len()).filter(|&i| self.graph.node_at(i).resource_type == ResourceType::Source));
            scope
        });
        let candidates: Ids = selected
            .iter()
            .flat_map(|&s| self.graph.child_indices(s))
            .filter(|&c| self.graph.node_at(c).resource_type == ResourceType::Test)
            .collect();
        for t in candidates {
            let promote = self.mode == IndirectSelection::Eager
                || self.parents_within(t, &selected)
                || buildable_scope
                    .as_ref()
                    .is_some_and(|scope| self.parents_within(t, scope));
            if promote {
                direct.insert(t);
            } else {
                indirect.insert(t);
            }
        }
        (direct, indirect)
    }

    /// dbt's `incorporate_indirect_nodes`: once sets are combined, promote held-back tests
    /// whose parents are now all selected (cautious) or selected-or-upstream (buildable).
    fn incorporate(&self, direct: Ids, indirect: &Ids) -> Ids {
        if direct == *indirect {
            return direct;
        }
        let scope = match self.mode {
            IndirectSelection::Cautious => direct.clone(),
            IndirectSelection::Buildable => {
                let starts: Vec<usize> = direct.iter().copied().collect();
                self.graph.reach(&starts, Direction::Incoming, None)
            }
            IndirectSelection::Eager | IndirectSelection::Empty => return direct,
        };
        let mut out = direct;
        for &t in indirect {
            if self.graph.node_at(t).resource_type == ResourceType::Test && self.parents_within(t, &scope) {
                out.insert(t);
            }
        }
        out
    }

    fn parents_within(&self, node: usize, set: &Ids) -> bool {
        self.graph.parent_indices(node).all(|p| set.contains(&p))
    }

    /// The method part: which nodes match, before graph operators.
    fn search(&self, c: &SelectionCriteria) -> Ids {
        let value = c.value.as_str();
        let method = match &c.method {
            SelectorMethod::Default => self.default_method(value),
            m => m.clone(),
        };
        let nodes = (0..self.graph.len()).map(|i| (i, self.graph.node_at(i)));
        let parsed = |n: &GraphNode| n.resource_type.is_parsed_node();
        match method {
            SelectorMethod::Default | SelectorMethod::Fqn => nodes
                .filter(|(_, n)| parsed(n) && fqn_matches(&n.fqn, value))
                .map(|(i, _)| i)
                .collect(),
            SelectorMethod::Tag => nodes
                .filter(|(_, n)| n.tags.iter().any(|t| fnmatch(t, value)))
                .map(|(i, _)| i)
                .collect(),
            SelectorMethod::Source => {
                let parts: Vec<&str> = value.split('.').collect();
                let (package, source, table) = match parts.as_slice() {
                    [s] => ("*", *s, "*"),
                    [s, t] => ("*", *s, *t),
                    [p, s, t] => (*p, *s, *t),
                    // Rejected at parse time; matching nothing is the safe fallback.
                    _ => return Ids::new(),
                };
                nodes
                    .filter(|(_, n)| {
                        n.resource_type == ResourceType::Source
                            && fnmatch(&n.package_name, package)
                            && fnmatch(n.source_name.as_deref().unwrap_or_default(), source)
                            && fnmatch(&n.name, table)
                    })
                    .map(|(i, _)| i)
                    .collect()
            }
            SelectorMethod::Exposure => {
                let (package, name) = match value.split_once('.') {
                    Some((p, n)) => (p, n),
                    None => ("*", value),
                };
                nodes
                    .filter(|(_, n)| {
                        n.resource_type == ResourceType::Exposure
                            && fnmatch(&n.package_name, package)
                            && fnmatch(&n.name, name)
                    })
                    .map(|(i, _)| i)
                    .collect()
            }
            SelectorMethod::Path => {
                let pattern = normalize_path(value);
                nodes
                    .filter(|(_, n)| path_selects(&n.path, &pattern))
                    .map(|(i, _)| i)
                    .collect()
            }
            SelectorMethod::File => nodes
                .filter(|(_, n)| {
                    let file = n.path.rsplit('/').next().unwrap_or_default();
                    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
                    fnmatch(file, value) || fnmatch(stem, value)
                })
                .map(|(i, _)| i)
                .collect(),
            SelectorMethod::Package => nodes
                .filter(|(_, n)| fnmatch(&n.package_name, value))
                .map(|(i, _)| i)
                .collect(),
            SelectorMethod::Config(keys) => nodes
                .filter(|(_, n)| n.resource_type != ResourceType::Exposure && config_matches(n, &keys, value))
                .map(|(i, _)| i)
                .collect(),
            SelectorMethod::ResourceType => nodes
                .filter(|(_, n)| n.resource_type.as_str() == value)
                .map(|(i, _)| i)
                .collect(),
            SelectorMethod::TestType => nodes
                .filter(|(_, n)| {
                    n.resource_type == ResourceType::Test
                        && match value {
                            "generic" | "schema" => is_generic_test(n),
                            "singular" => !is_generic_test(n),
                            "data" => true,
                            // Kiln has no unit tests yet.
                            _ => false,
                        }
                })
                .map(|(i, _)| i)
                .collect(),
            SelectorMethod::Group => nodes
                .filter(|(_, n)| parsed(n) && n.config.get("group").and_then(|v| v.as_str()) == Some(value))
                .map(|(i, _)| i)
                .collect(),
            SelectorMethod::Access => nodes
                .filter(|(_, n)| {
                    n.resource_type == ResourceType::Model
                        && n.config.get("access").and_then(|v| v.as_str()).unwrap_or("protected") == value
                })
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// dbt picks `path` for values that look like paths, `file` for file names, else `fqn`.
    /// dbt also treats a value naming an existing file or folder as a path; the graph knows
    /// every node's path, so "exists" means "is, or contains, some node's file".
    fn default_method(&self, value: &str) -> SelectorMethod {
        if value.contains(['/', '\\']) {
            return SelectorMethod::Path;
        }
        let lower = value.to_ascii_lowercase();
        if [".sql", ".py", ".csv"].iter().any(|ext| lower.ends_with(ext)) {
            return SelectorMethod::File;
        }
        if !has_wildcard(value)
            && self
                .graph
                .nodes()
                .any(|n| n.path == value || n.path.strip_prefix(value).is_some_and(|rest| rest.starts_with('/')))
        {
            return SelectorMethod::Path;
        }
        SelectorMethod::Fqn
    }
}

#[derive(Clone, Copy)]
enum Combine {
    Union,
    Intersection,
}

impl Combine {
    fn apply(self, sets: Vec<Ids>) -> Ids {
        let mut iter = sets.into_iter();
        let Some(first) = iter.next() else {
            return Ids::new();
        };
        match self {
            Combine::Union => iter.fold(first, |mut acc, s| {
                acc.extend(s);
                acc
            }),
            Combine::Intersection => iter.fold(first, |acc, s| acc.intersection(&s).copied().collect()),
        }
    }
}

/// dbt's `is_selected_node`, tried with and without the package prefix: an exact leaf name,
/// a dotted prefix of the fqn (`staging` selects everything under it), or a wildcard pattern
/// matched against the rest of the fqn from the first wildcard part on.
fn fqn_matches(fqn: &[String], selector: &str) -> bool {
    is_selected_node(fqn, selector) || fqn.get(1..).is_some_and(|rest| is_selected_node(rest, selector))
}

fn is_selected_node(fqn: &[String], selector: &str) -> bool {
    let Some(leaf) = fqn.last() else {
        return false;
    };
    if leaf == selector {
        return true;
    }
    // Dots inside a segment (e.g. versioned names) act as extra separators, as in dbt.
    let flat: Vec<&str> = fqn.iter().flat_map(|s| s.split('.')).collect();
    let parts: Vec<&str> = selector.split('.').collect();
    if flat.len() < parts.len() {
        return false;
    }
    for (i, part) in parts.iter().enumerate() {
        if has_wildcard(part) {
            return fnmatch(&flat[i..].join("."), &parts[i..].join("."));
        }
        if flat[i] != *part {
            return false;
        }
    }
    true
}

/// dbt compares the selector text with the config value: strings exactly (`severity`
/// case-insensitively), booleans as `true`/`false` in any case, lists by membership. Kiln also
/// lets numbers match their decimal text, since YAML configs often hold numbers.
fn config_matches(node: &GraphNode, keys: &[String], selector: &str) -> bool {
    let Some((first, rest)) = keys.split_first() else {
        return false;
    };
    let mut value = match node.config.get(first) {
        Some(v) => v,
        None => return false,
    };
    for key in rest {
        match value.get(key.as_str()) {
            Some(v) => value = v,
            None => return false,
        }
    }
    let case_insensitive = keys.len() == 1 && first == "severity";
    let scalar_eq = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => {
            if case_insensitive {
                s.eq_ignore_ascii_case(selector)
            } else {
                s == selector
            }
        }
        serde_json::Value::Bool(b) => selector.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        serde_json::Value::Number(n) => n.to_string() == selector,
        _ => false,
    };
    match value {
        serde_json::Value::Array(items) => items.iter().any(scalar_eq),
        other => scalar_eq(other),
    }
}

/// dbt tells generic and singular tests apart by node class; the loader does not pass that,
/// so use what the ids and paths reveal: generic tests are defined in a YAML properties file
/// and carry a hash suffix (`test.pkg.name.<hash>`), singular tests are `.sql` files with a
/// three-part id. A loader can override with `config.test_type: generic|singular`.
fn is_generic_test(node: &GraphNode) -> bool {
    if let Some(kind) = node.config.get("test_type").and_then(|v| v.as_str()) {
        return kind == "generic";
    }
    let lower = node.path.to_ascii_lowercase();
    lower.ends_with(".yml") || lower.ends_with(".yaml") || node.unique_id.split('.').count() > 3
}
