//! Join checks: for each join of a step whose condition pairs columns of the rows before it with
//! columns of the joined input (`l.list_id = r.list_id and l.day = r.day`), one query counting how
//! the join behaves on the data — rows before the join, how many of them find a match, how many
//! rows it outputs, and whether duplicate keys on the joined side repeat rows ("fan out").
//!
//! The query is SQL with the step's Jinja still in it, like [`crate::sql_until`]'s: the caller
//! renders it and runs it. Only equalities are read; a join on anything else (`<`, `or`, a
//! literal, a column the condition does not say the side of) is not checked.

use sqlparser::ast::{BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments};
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::Parser;

use crate::model::{Canvas, Input, JoinKind, Relation, Step, StepBody};
use crate::write::{relation_jinja, sql_until};
use crate::CanvasError;

/// One join's check: what it joins and the query that counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JoinCheckQuery {
    /// Position of the join in the step's joins (0 for the first `join`).
    pub join: usize,
    pub kind: JoinKind,
    /// The rows before the join, named after the step's first input (`sales`).
    pub left_name: String,
    /// The joined input (`listings`).
    pub right_name: String,
    /// The pairs of equal expressions, (left side, joined side), as the condition writes them.
    pub keys: Vec<(String, String)>,
    /// One row of the six [`JoinCounts`] columns, in their order. Jinja is kept.
    pub sql: String,
}

/// What [`JoinCheckQuery::sql`] counts, in the order of its columns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JoinCounts {
    /// Rows before the join.
    pub left_rows: u64,
    /// Of those, rows equal on every key to at least one row of the joined input.
    pub matched_left_rows: u64,
    /// Rows an inner join outputs (each left row once per matching row).
    pub inner_rows: u64,
    /// Left rows that match more than one row, so the join repeats them.
    pub repeated_left_rows: u64,
    /// Key values (non-null) that more than one row of the joined input has.
    pub duplicate_right_keys: u64,
    /// Rows of the joined input no left row matches (counted for right and full joins only).
    pub unmatched_right_rows: u64,
}

impl JoinCounts {
    /// The counts from the query's row, in its column order; a missing or non-numeric value
    /// counts as 0.
    pub fn from_row(row: &[u64]) -> JoinCounts {
        let at = |i: usize| row.get(i).copied().unwrap_or(0);
        JoinCounts {
            left_rows: at(0),
            matched_left_rows: at(1),
            inner_rows: at(2),
            repeated_left_rows: at(3),
            duplicate_right_keys: at(4),
            unmatched_right_rows: at(5),
        }
    }
}

/// A check's outcome, for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinOutcome {
    /// Rows the join outputs, for its kind.
    pub output_rows: u64,
    /// Share of the rows before the join that find a match (0 when there are none).
    pub match_rate: f64,
    /// Some row is repeated because the joined side has its key more than once.
    pub fans_out: bool,
    pub message: String,
}

/// `n` with thousands separators: 12,345.
fn number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn rows(n: u64) -> String {
    if n == 1 {
        "1 row".into()
    } else {
        format!("{} rows", number(n))
    }
}

impl JoinCheckQuery {
    /// The keys of the joined side as the user knows them: `list_id`, or `(list_id, day)`.
    fn right_keys(&self) -> String {
        let names: Vec<String> = self.keys.iter().map(|(_, right)| column_name(right)).collect();
        match names.as_slice() {
            [one] => one.clone(),
            many => format!("({})", many.join(", ")),
        }
    }

    /// Reads the counts: rows out, match rate, fan-out and a sentence saying what to do.
    pub fn outcome(&self, counts: &JoinCounts) -> JoinOutcome {
        let unmatched_left = counts.left_rows.saturating_sub(counts.matched_left_rows);
        let output_rows = match self.kind {
            JoinKind::Inner | JoinKind::Cross => counts.inner_rows,
            JoinKind::Left => counts.inner_rows + unmatched_left,
            JoinKind::Right => counts.inner_rows + counts.unmatched_right_rows,
            JoinKind::Full => counts.inner_rows + unmatched_left + counts.unmatched_right_rows,
        };
        let match_rate = if counts.left_rows == 0 {
            0.0
        } else {
            counts.matched_left_rows as f64 / counts.left_rows as f64
        };
        let fans_out = counts.repeated_left_rows > 0;
        let (left, right, keys) = (&self.left_name, &self.right_name, self.right_keys());
        let message = if counts.left_rows == 0 {
            format!("{left} has no rows here, so the join has nothing to match")
        } else if fans_out {
            let values = if counts.duplicate_right_keys == 1 {
                "1 duplicate value".to_string()
            } else {
                format!("{} duplicate values", number(counts.duplicate_right_keys))
            };
            format!(
                "{right} has {values} of {keys}: the join repeats {} of {left}; deduplicate {right} or add a key",
                rows(counts.repeated_left_rows)
            )
        } else if unmatched_left == 0 {
            format!("every row of {left} matches one row of {right} on {keys}")
        } else {
            let share = format!("{:.1}%", match_rate * 100.0);
            let consequence = match self.kind {
                JoinKind::Inner | JoinKind::Right | JoinKind::Cross => {
                    format!("the join drops the other {}", rows(unmatched_left))
                }
                JoinKind::Left | JoinKind::Full => {
                    format!("the other {} get nulls in the columns of {right}", rows(unmatched_left))
                }
            };
            format!(
                "{} of {} of {left} ({share}) match {right} on {keys}; {consequence}",
                number(counts.matched_left_rows),
                rows(counts.left_rows)
            )
        };
        JoinOutcome {
            output_rows,
            match_rate,
            fans_out,
            message,
        }
    }
}

/// The column an expression names, without its table alias (`r.list_id` → `list_id`).
fn column_name(expr: &str) -> String {
    let parsed = Parser::new(&DuckDbDialect {})
        .try_with_sql(expr)
        .and_then(|mut p| p.parse_expr());
    match parsed {
        Ok(Expr::CompoundIdentifier(parts)) => parts.last().map_or_else(|| expr.to_string(), |i| i.value.clone()),
        Ok(Expr::Identifier(ident)) => ident.value,
        _ => expr.to_string(),
    }
}

/// The name an input's columns are qualified with: its alias, else the relation's own name.
fn qualifier(input: &Input) -> String {
    if let Some(alias) = &input.alias {
        return alias.clone();
    }
    match &input.relation {
        Relation::Step { name } | Relation::Ref { name, .. } => name.clone(),
        Relation::Source { table, .. } => table.clone(),
        Relation::Table { name } => name.rsplit('.').next().unwrap_or(name).to_string(),
    }
}

/// How people call a relation in a sentence.
fn display_name(relation: &Relation) -> String {
    match relation {
        Relation::Step { name } | Relation::Ref { name, .. } | Relation::Table { name } => name.clone(),
        Relation::Source { table, .. } => table.clone(),
    }
}

/// The table qualifiers an expression's columns use; `None` when it has a form this check does
/// not read (a subquery, CASE …), so its side cannot be told. An unqualified column adds "".
fn qualifiers(expr: &Expr, out: &mut Vec<String>) -> Option<()> {
    match expr {
        Expr::Identifier(_) => out.push(String::new()),
        Expr::CompoundIdentifier(parts) => {
            let table = parts.len().checked_sub(2).and_then(|i| parts.get(i))?;
            out.push(table.value.to_lowercase());
        }
        Expr::Value(_) | Expr::TypedString { .. } => {}
        Expr::Nested(inner) | Expr::UnaryOp { expr: inner, .. } | Expr::Cast { expr: inner, .. } => {
            qualifiers(inner, out)?
        }
        Expr::BinaryOp { left, right, .. } => {
            qualifiers(left, out)?;
            qualifiers(right, out)?;
        }
        Expr::Function(function) => {
            let FunctionArguments::List(list) = &function.args else {
                return matches!(function.args, FunctionArguments::None).then_some(());
            };
            for arg in &list.args {
                match arg {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => qualifiers(e, out)?,
                    _ => return None,
                }
            }
        }
        _ => return None,
    }
    Some(())
}

/// The equalities of a conjunction, or `None` if `on` is anything else.
fn equalities(expr: &Expr, out: &mut Vec<(Expr, Expr)>) -> Option<()> {
    match expr {
        Expr::Nested(inner) => equalities(inner, out),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            equalities(left, out)?;
            equalities(right, out)
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Eq,
            right,
        } => {
            out.push(((**left).clone(), (**right).clone()));
            Some(())
        }
        _ => None,
    }
}

/// The (left, right) pairs of a join condition, the right side being the expression that uses
/// only `right` (the joined input's qualifier) and the left one that does not use it.
pub fn key_pairs(on: &str, right: &str) -> Option<Vec<(String, String)>> {
    let expr = Parser::new(&DuckDbDialect {})
        .try_with_sql(on)
        .and_then(|mut p| p.parse_expr())
        .ok()?;
    let mut pairs = Vec::new();
    equalities(&expr, &mut pairs)?;
    let right = right.to_lowercase();
    // Which side of the join an expression belongs to: Some(true) for the joined input.
    let side = |e: &Expr| -> Option<bool> {
        let mut found = Vec::new();
        qualifiers(e, &mut found)?;
        if found.is_empty() {
            return None;
        }
        if found.iter().all(|q| *q == right) {
            Some(true)
        } else if found.iter().all(|q| *q != right && !q.is_empty()) {
            Some(false)
        } else {
            None
        }
    };
    pairs
        .into_iter()
        .map(|(a, b)| match (side(&a)?, side(&b)?) {
            (false, true) => Some((a.to_string(), b.to_string())),
            (true, false) => Some((b.to_string(), a.to_string())),
            _ => None,
        })
        .collect()
}

fn input_sql(input: &Input) -> String {
    match &input.alias {
        Some(alias) => format!("{} as {alias}", relation_jinja(&input.relation)),
        None => relation_jinja(&input.relation),
    }
}

/// The check query's body, reading the earlier steps by name.
fn check_body(from: &Input, before: &[crate::Join], joined: &crate::Join, keys: &[(String, String)]) -> String {
    let mut left_from = input_sql(from);
    for join in before {
        left_from.push_str(&format!("\n        {} {}", join.kind.keyword(), input_sql(&join.input)));
        if let Some(on) = &join.on {
            left_from.push_str(&format!(" on {on}"));
        }
    }
    let left_keys: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, (left, _))| format!("{left} as kiln_k{i}"))
        .collect();
    let right_keys: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, (_, right))| format!("{right} as kiln_k{i}"))
        .collect();
    let right_group: Vec<String> = keys.iter().map(|(_, right)| right.clone()).collect();
    let same = |a: &str, b: &str| {
        (0..keys.len())
            .map(|i| format!("{a}.kiln_k{i} = {b}.kiln_k{i}"))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    let not_null = (0..keys.len())
        .map(|i| format!("kiln_k{i} is not null"))
        .collect::<Vec<_>>()
        .join(" and ");
    let unmatched_right = if matches!(joined.kind, JoinKind::Right | JoinKind::Full) {
        format!(
            "(select cast(coalesce(sum(kiln_n), 0) as bigint) from kiln_right as r where not exists (select 1 from kiln_left as l where {}))",
            same("l", "r")
        )
    } else {
        "0".into()
    };
    format!(
        "with kiln_left as (\n    select {left_keys}\n    from {left_from}\n),\n\
         kiln_right as (\n    select {right_keys}, count(*) as kiln_n\n    from {right_input}\n    group by {right_group}\n),\n\
         kiln_matched as (\n    select r.kiln_n\n    from kiln_left as l\n        left join kiln_right as r on {on}\n)\n\
         select\n    count(*) as left_rows,\n    count(kiln_n) as matched_left_rows,\n    \
         cast(coalesce(sum(kiln_n), 0) as bigint) as inner_rows,\n    \
         cast(coalesce(sum(case when kiln_n > 1 then 1 else 0 end), 0) as bigint) as repeated_left_rows,\n    \
         (select count(*) from kiln_right where kiln_n > 1 and {not_null}) as duplicate_right_keys,\n    \
         {unmatched_right} as unmatched_right_rows\nfrom kiln_matched",
        left_keys = left_keys.join(", "),
        right_keys = right_keys.join(", "),
        right_input = input_sql(&joined.input),
        right_group = right_group.join(", "),
        on = same("l", "r"),
    )
}

/// The check of every join of step `index` that is a conjunction of equalities between the rows
/// before it and the joined input. A step that is not a SELECT, or has no such join, has none.
pub fn join_checks(canvas: &Canvas, index: usize) -> Result<Vec<JoinCheckQuery>, CanvasError> {
    let step = canvas.steps.get(index).ok_or(CanvasError::NoSuchStep(index))?;
    let StepBody::Select(block) = &step.body else {
        return Ok(Vec::new());
    };
    let mut checks = Vec::new();
    for (position, join) in block.joins.iter().enumerate() {
        let Some(on) = join.on.as_deref().filter(|_| join.kind != JoinKind::Cross) else {
            continue;
        };
        let Some(keys) = key_pairs(on, &qualifier(&join.input)) else {
            continue;
        };
        let body = check_body(&block.from, &block.joins[..position], join, &keys);
        // The check takes the step's place, so it reads the earlier steps exactly as it would.
        let mut probe = canvas.clone();
        probe.steps.truncate(index + 1);
        probe.steps[index] = Step {
            body: StepBody::Sql {
                text: body,
                error: None,
            },
            comment: None,
            source: None,
            ..step.clone()
        };
        checks.push(JoinCheckQuery {
            join: position,
            kind: join.kind,
            left_name: display_name(&block.from.relation),
            right_name: display_name(&join.input.relation),
            keys,
            sql: sql_until(&probe, index)?,
        });
    }
    Ok(checks)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::{add_step, JoinKey, StepTemplate};

    fn pairs(on: &str, right: &str) -> Option<Vec<(String, String)>> {
        key_pairs(on, right)
    }

    fn p(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn reads_key_pairs_whichever_side_comes_first() {
        assert_eq!(
            pairs("l.list_id = r.list_id", "r"),
            Some(vec![p("l.list_id", "r.list_id")])
        );
        assert_eq!(
            pairs("l.list_id = s.list_id", "l"),
            Some(vec![p("s.list_id", "l.list_id")])
        );
        assert_eq!(
            pairs("(s.a = r.a) and r.b = lower(s.b) AND s.c::int = R.c", "r"),
            Some(vec![p("s.a", "r.a"), p("lower(s.b)", "r.b"), p("s.c::INT", "R.c")])
        );
    }

    #[test]
    fn refuses_conditions_that_are_not_equalities_between_the_sides() {
        assert_eq!(pairs("l.a = r.a or l.b = r.b", "r"), None);
        assert_eq!(pairs("l.a < r.a", "r"), None);
        assert_eq!(pairs("l.a = r.a and r.kind = 'x'", "r"), None);
        assert_eq!(pairs("l.a = x.a", "r"), None);
        assert_eq!(pairs("a = r.a", "r"), None, "an unqualified column's side is unknown");
        assert_eq!(pairs("l.a + r.b = 3", "r"), None);
        assert_eq!(pairs("l.a = (select max(a) from t)", "r"), None);
        assert_eq!(pairs("l.a = = r.a", "r"), None);
    }

    fn canvas_with_join(kind: JoinKind) -> Canvas {
        let empty = Canvas {
            steps: vec![],
            layout: Default::default(),
            parse_error: None,
        };
        let (canvas, _) = add_step(
            &empty,
            None,
            &StepTemplate::Input {
                relation: Relation::Ref {
                    package: None,
                    name: "sales".into(),
                },
            },
        )
        .unwrap();
        let (canvas, _) = add_step(
            &canvas,
            Some(0),
            &StepTemplate::Join {
                right: Relation::Source {
                    source: "shop".into(),
                    table: "listings".into(),
                },
                join: kind,
                keys: vec![JoinKey {
                    left: "list_id".into(),
                    right: "list_id".into(),
                }],
                right_columns: vec!["price".into()],
            },
        )
        .unwrap();
        canvas
    }

    #[test]
    fn builds_one_query_per_equality_join_reading_the_earlier_steps() {
        let canvas = canvas_with_join(JoinKind::Left);
        let checks = join_checks(&canvas, 1).unwrap();
        assert_eq!(checks.len(), 1);
        let check = &checks[0];
        assert_eq!((check.join, check.kind), (0, JoinKind::Left));
        assert_eq!(
            (check.left_name.as_str(), check.right_name.as_str()),
            ("sales", "listings")
        );
        assert_eq!(check.keys, vec![p("l.list_id", "r.list_id")]);
        let sql = &check.sql;
        assert!(sql.starts_with("with sales as ("), "{sql}");
        assert!(sql.contains("{{ ref('sales') }}"), "{sql}");
        assert!(
            sql.contains("select l.list_id as kiln_k0\n    from sales as l\n"),
            "{sql}"
        );
        assert!(
            sql.contains("select r.list_id as kiln_k0, count(*) as kiln_n\n    from {{ source('shop', 'listings') }} as r\n    group by r.list_id"),
            "{sql}"
        );
        assert!(sql.trim_end().ends_with("select * from joined"), "{sql}");
        // Only right and full joins count the joined rows nothing matches.
        assert!(sql.contains("0 as unmatched_right_rows"), "{sql}");
        let full = join_checks(&canvas_with_join(JoinKind::Full), 1).unwrap();
        assert!(full[0].sql.contains("not exists"), "{}", full[0].sql);
        // The input step has no join; a step that does not exist is an error.
        assert!(join_checks(&canvas, 0).unwrap().is_empty());
        assert_eq!(join_checks(&canvas, 2), Err(CanvasError::NoSuchStep(2)));
    }

    #[test]
    fn earlier_joins_are_part_of_the_left_side_and_other_joins_are_skipped() {
        let mut canvas = canvas_with_join(JoinKind::Inner);
        let StepBody::Select(block) = &mut canvas.steps[1].body else {
            panic!()
        };
        let mut second = block.joins[0].clone();
        second.input = Input {
            relation: Relation::Step { name: "sales".into() },
            alias: Some("e".into()),
        };
        second.on = Some("e.event_id = l.event_id and e.day = r.day".into());
        let mut range = block.joins[0].clone();
        range.on = Some("r.price > l.price".into());
        block.joins.push(second);
        block.joins.push(range);
        let checks = join_checks(&canvas, 1).unwrap();
        assert_eq!(checks.iter().map(|c| c.join).collect::<Vec<_>>(), vec![0, 1]);
        let second = &checks[1];
        assert_eq!(second.keys, vec![p("l.event_id", "e.event_id"), p("r.day", "e.day")]);
        assert!(
            second.sql.contains(
                "from sales as l\n        join {{ source('shop', 'listings') }} as r on l.list_id = r.list_id\n"
            ),
            "{}",
            second.sql
        );
    }

    fn check(kind: JoinKind) -> JoinCheckQuery {
        JoinCheckQuery {
            join: 0,
            kind,
            left_name: "sales".into(),
            right_name: "listings".into(),
            keys: vec![p("s.list_id", "l.list_id")],
            sql: String::new(),
        }
    }

    #[test]
    fn a_duplicate_key_on_the_joined_side_fans_out() {
        let counts = JoinCounts::from_row(&[1000, 990, 1027, 37, 12, 0]);
        let outcome = check(JoinKind::Inner).outcome(&counts);
        assert!(outcome.fans_out);
        assert_eq!(outcome.output_rows, 1027);
        assert!((outcome.match_rate - 0.99).abs() < 1e-9);
        assert_eq!(
            outcome.message,
            "listings has 12 duplicate values of list_id: the join repeats 37 rows of sales; deduplicate listings or add a key"
        );
    }

    #[test]
    fn output_rows_follow_the_join_kind() {
        let counts = JoinCounts {
            left_rows: 1200,
            matched_left_rows: 1000,
            inner_rows: 1000,
            repeated_left_rows: 0,
            duplicate_right_keys: 0,
            unmatched_right_rows: 7,
        };
        let out = |kind| check(kind).outcome(&counts);
        assert_eq!(out(JoinKind::Inner).output_rows, 1000);
        assert_eq!(out(JoinKind::Left).output_rows, 1200);
        assert_eq!(out(JoinKind::Right).output_rows, 1007);
        assert_eq!(out(JoinKind::Full).output_rows, 1207);
        assert!(!out(JoinKind::Inner).fans_out);
        assert_eq!(
            out(JoinKind::Inner).message,
            "1,000 of 1,200 rows of sales (83.3%) match listings on list_id; the join drops the other 200 rows"
        );
        assert_eq!(
            out(JoinKind::Left).message,
            "1,000 of 1,200 rows of sales (83.3%) match listings on list_id; the other 200 rows get nulls in the columns of listings"
        );
        let all = JoinCounts {
            matched_left_rows: 1200,
            inner_rows: 1200,
            ..counts
        };
        assert_eq!(
            check(JoinKind::Left).outcome(&all).message,
            "every row of sales matches one row of listings on list_id"
        );
        let none = check(JoinKind::Inner).outcome(&JoinCounts::default());
        assert_eq!((none.match_rate, none.output_rows), (0.0, 0));
        assert_eq!(none.message, "sales has no rows here, so the join has nothing to match");
    }

    #[test]
    fn several_keys_are_named_together() {
        let mut two = check(JoinKind::Inner);
        two.keys.push(p("s.day", "\"l\".\"Day\""));
        let outcome = two.outcome(&JoinCounts::from_row(&[10, 10, 11, 1, 1, 0]));
        assert_eq!(
            outcome.message,
            "listings has 1 duplicate value of (list_id, Day): the join repeats 1 row of sales; deduplicate listings or add a key"
        );
    }
}
