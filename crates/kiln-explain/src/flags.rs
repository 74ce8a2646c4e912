//! What an analyst should notice in a plan, as [`Flag`]s on its steps.

use crate::{Engine, Flag, FlagKind, Plan, PlanNode};

/// Redshift adds this to the cost of leader-node sorts; it says "runs on the leader", not "costs more".
const LEADER_SURCHARGE: f64 = 1e12;

fn without_surcharge(engine: Engine, cost: f64) -> f64 {
    if engine == Engine::Redshift && cost >= LEADER_SURCHARGE {
        cost - LEADER_SURCHARGE
    } else {
        cost
    }
}

fn self_costs(engine: Engine, node: &mut PlanNode) {
    for child in &mut node.children {
        self_costs(engine, child);
    }
    node.self_cost = node.total_cost.map(|total| {
        let inputs: f64 = node
            .children
            .iter()
            .filter_map(|c| c.total_cost)
            .map(|c| without_surcharge(engine, c))
            .sum();
        (without_surcharge(engine, total) - inputs).max(0.0)
    });
}

fn movement(engine: Engine, node: &PlanNode) -> Option<Flag> {
    if engine != Engine::Redshift {
        return None;
    }
    let (kind, why) = match node.distribution.as_deref()? {
        "DS_BCAST_INNER" => (
            FlagKind::Broadcast,
            "Broadcasts the whole inner table to every compute node: fine for a small table, \
             slow for a large one. Give that table DISTSTYLE ALL, or distribute both on the join column.",
        ),
        "DS_DIST_BOTH" => (
            FlagKind::Redistribution,
            "Redistributes both tables across the cluster for this join: neither is distributed \
             on the join column. Make the join column the DISTKEY of one or both.",
        ),
        "DS_DIST_ALL_INNER" => (
            FlagKind::Redistribution,
            "Moves the whole inner table to a single slice because the outer table is DISTSTYLE ALL: \
             the join runs on one slice.",
        ),
        _ => return None,
    };
    Some(Flag {
        kind,
        why: why.to_string(),
    })
}

fn nested_loop(engine: Engine, node: &PlanNode) -> Option<Flag> {
    let operator = node.operator.to_ascii_uppercase().replace('_', " ");
    let why = if operator == "CROSS PRODUCT" {
        "A Cartesian product: every row of one input meets every row of the other. Is a join condition missing?"
    } else if engine == Engine::Redshift && operator.starts_with("NESTED LOOP") {
        "Nested-loop join, Redshift's slowest: usually a missing or non-equality join condition \
         (a Cartesian product). Check the join predicates."
    } else {
        return None;
    };
    Some(Flag {
        kind: FlagKind::NestedLoop,
        why: why.to_string(),
    })
}

fn compact(value: f64) -> String {
    if value >= 1e9 {
        format!("{:.1}G", value / 1e9)
    } else if value >= 1e6 {
        format!("{:.1}M", value / 1e6)
    } else if value >= 1e4 {
        format!("{:.0}k", value / 1e3)
    } else {
        format!("{}", value.round())
    }
}

fn mark(node: &mut PlanNode, engine: Engine, max_cost: Option<f64>, max_rows: Option<f64>, plan_cost: Option<f64>) {
    if let Some(flag) = movement(engine, node) {
        node.flags.push(flag);
    }
    if let Some(flag) = nested_loop(engine, node) {
        node.flags.push(flag);
    }
    if let (Some(own), Some(max)) = (node.self_cost, max_cost) {
        if own == max && max > 0.0 {
            let share = plan_cost
                .filter(|total| *total > 0.0)
                .map(|total| format!(" — {:.0}% of the plan's", 100.0 * own / total))
                .unwrap_or_default();
            node.flags.push(Flag {
                kind: FlagKind::HighestCost,
                why: format!("The largest estimated cost of its own ({}{share}).", compact(own)),
            });
        }
    }
    if let (Some(rows), Some(max)) = (node.rows, max_rows) {
        if rows == max && max > 0.0 {
            node.flags.push(Flag {
                kind: FlagKind::MostRows,
                why: format!("The most estimated rows in the plan ({}).", compact(rows)),
            });
        }
    }
    for child in &mut node.children {
        mark(child, engine, max_cost, max_rows, plan_cost);
    }
}

fn largest(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    values
        .flatten()
        .fold(None, |best: Option<f64>, v| Some(best.map_or(v, |b| b.max(v))))
}

/// Computes each step's own cost, the plan's maxima, and the flags (replacing any already set).
/// Of steps tied at a maximum only the last in reading order — the deepest, where the rows or
/// the work come from rather than the projections passing them on — is flagged.
pub fn flag(plan: &mut Plan) {
    let engine = plan.engine;
    self_costs(engine, &mut plan.root);
    let nodes = plan.root.walk();
    plan.max_self_cost = largest(nodes.iter().map(|n| n.self_cost));
    plan.max_rows = largest(nodes.iter().map(|n| n.rows));
    let plan_cost = plan.root.total_cost.map(|c| without_surcharge(engine, c));
    clear(&mut plan.root);
    mark(&mut plan.root, engine, plan.max_self_cost, plan.max_rows, plan_cost);
    for kind in [FlagKind::HighestCost, FlagKind::MostRows] {
        let tied = count(&plan.root, kind);
        keep_only(&mut plan.root, kind, tied.saturating_sub(1), &mut 0);
    }
}

fn clear(node: &mut PlanNode) {
    node.flags.clear();
    for child in &mut node.children {
        clear(child);
    }
}

fn count(node: &PlanNode, kind: FlagKind) -> usize {
    node.walk()
        .iter()
        .filter(|n| n.flags.iter().any(|f| f.kind == kind))
        .count()
}

fn keep_only(node: &mut PlanNode, kind: FlagKind, keep: usize, seen: &mut usize) {
    if node.flags.iter().any(|f| f.kind == kind) {
        if *seen != keep {
            node.flags.retain(|f| f.kind != kind);
        }
        *seen += 1;
    }
    for child in &mut node.children {
        keep_only(child, kind, keep, seen);
    }
}
