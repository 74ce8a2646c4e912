//! Redshift's text EXPLAIN (it has no JSON form):
//!
//! ```text
//! XN Hash Join DS_BCAST_INNER  (cost=0.14..6600286.07 rows=8798 width=84)
//!   Hash Cond: ("outer".catid = "inner".catid)
//!   ->  XN Seq Scan on event  (cost=0.00..87.98 rows=8798 width=35)
//!   ->  XN Hash  (cost=0.11..0.11 rows=11 width=49)
//!         ->  XN Seq Scan on category  (cost=0.00..0.11 rows=11 width=49)
//! ```
//!
//! A step is a line ending in `(cost=… rows=… width=…)`, its children the `->` lines indented
//! deeper below it; other lines are details of the step above (`Hash Cond: …`, `Send to
//! leader`). `XN` (compute nodes) and `LD` (leader node) prefixes are dropped; a `DS_…` word is
//! the join's data movement. Lines of dashes around a message (`----- Tables missing statistics
//! … -----`) are notes; the `QUERY PLAN` header and a psql `(N rows)` footer are skipped.

use crate::{one_root, ExplainError, PlanNode};

pub(crate) fn parse(text: &str) -> Result<(PlanNode, Vec<String>), ExplainError> {
    let mut notes = Vec::new();
    // Open steps from the root down to the last one read, each with the column its `->` (or,
    // for a root, its text) starts at.
    let mut open: Vec<(usize, PlanNode)> = Vec::new();
    let mut roots: Vec<PlanNode> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim_end();
        let content = line.trim_start();
        if skipped(content) {
            continue;
        }
        if let Some(note) = note(content) {
            notes.push(note);
            continue;
        }
        let indent = line.len() - content.len();
        let (arrow, step) = match content.strip_prefix("->") {
            Some(rest) => (true, rest.trim_start()),
            None => (false, content),
        };
        match step_line(step) {
            Some(node) => {
                if !arrow {
                    // A new top-level step (a second plan, or a flattened listing's root).
                    close_all(&mut open, &mut roots);
                }
                // Children sit deeper than their parent; a listing that lost its indentation
                // still keeps every step under the root.
                while open.len() > 1 && open.last().is_some_and(|(at, _)| *at >= indent) {
                    close_one(&mut open, &mut roots);
                }
                open.push((indent, node));
            }
            None => match open.last_mut() {
                Some((_, node)) => detail(node, step),
                None => return Err(ExplainError::Shape(format!("a detail line before any step: {content}"))),
            },
        }
    }
    close_all(&mut open, &mut roots);
    Ok((one_root(roots)?, notes))
}

fn close_one(open: &mut Vec<(usize, PlanNode)>, roots: &mut Vec<PlanNode>) {
    if let Some((_, node)) = open.pop() {
        match open.last_mut() {
            Some((_, parent)) => parent.children.push(node),
            None => roots.push(node),
        }
    }
}

fn close_all(open: &mut Vec<(usize, PlanNode)>, roots: &mut Vec<PlanNode>) {
    while !open.is_empty() {
        close_one(open, roots);
    }
}

fn skipped(content: &str) -> bool {
    content.is_empty()
        || content.eq_ignore_ascii_case("QUERY PLAN")
        || content.chars().all(|c| c == '-' || c == '+')
        || (content.starts_with('(') && (content.ends_with(" rows)") || content.ends_with(" row)")))
}

fn note(content: &str) -> Option<String> {
    let inner = content.strip_prefix("-----")?.strip_suffix("-----")?;
    Some(inner.trim().to_string())
}

/// `Hash Join DS_BCAST_INNER  (cost=109.98..2815365714.80 rows=172456 width=27)` → a step.
fn step_line(step: &str) -> Option<PlanNode> {
    let open = step.rfind("(cost=")?;
    let figures = step[open + 1..].strip_suffix(')')?;
    let head = step[..open].trim();
    let head = head
        .strip_prefix("XN ")
        .or_else(|| head.strip_prefix("LD "))
        .unwrap_or(head)
        .trim();
    let mut words = Vec::new();
    let mut distribution = None;
    for word in head.split(' ') {
        if word.starts_with("DS_") && distribution.is_none() {
            distribution = Some(word.to_string());
        } else {
            words.push(word);
        }
    }
    let name = words.join(" ");
    let (operator, relation) = split_relation(name.trim());
    let mut node = PlanNode::new(operator);
    node.relation = relation;
    node.distribution = distribution;
    for figure in figures.split_whitespace() {
        let Some((key, value)) = figure.split_once('=') else {
            continue;
        };
        match key {
            "cost" => {
                let (startup, total) = value.split_once("..")?;
                node.startup_cost = startup.parse().ok();
                node.total_cost = total.parse().ok();
            }
            "rows" => node.rows = value.parse().ok(),
            "width" => node.width = value.parse().ok(),
            _ => {}
        }
    }
    Some(node)
}

/// `Seq Scan on lineitem li` → (`Seq Scan`, `lineitem li`); `Subquery Scan e` → (`Subquery Scan`, `e`).
fn split_relation(name: &str) -> (String, Option<String>) {
    if let Some((operator, relation)) = name.split_once(" on ") {
        return (operator.trim().to_string(), Some(relation.trim().to_string()));
    }
    if let Some(alias) = name.strip_prefix("Subquery Scan ") {
        return ("Subquery Scan".to_string(), Some(alias.trim().to_string()));
    }
    (name.to_string(), None)
}

/// `Hash Cond: (…)` → labelled; `Send to leader` → unlabelled.
fn detail(node: &mut PlanNode, text: &str) {
    match text.split_once(": ") {
        Some((label, value)) if !label.contains('(') && !label.contains('"') => node.detail(label.trim(), value.trim()),
        _ => node.detail("", text.trim()),
    }
}
