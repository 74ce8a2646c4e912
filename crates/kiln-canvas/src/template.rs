//! New steps: what the user asks for on the canvas ("join listings on list_id", "sum of
//! price_paid by event") turned into a step. The studio sends a [`StepTemplate`]; only this
//! crate writes SQL.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Column, Input, Join, JoinKind, OrderKey, Relation, SelectBlock, Step, StepBody};
use crate::{Canvas, CanvasError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum StepTemplate {
    /// Every row of a model, seed or source.
    Input {
        relation: Relation,
    },
    /// The previous step joined to `right` on pairs of equal columns (previous step's column,
    /// right's column), keeping every column of the previous step and `right_columns` of `right`.
    Join {
        right: Relation,
        join: JoinKind,
        keys: Vec<JoinKey>,
        right_columns: Vec<String>,
    },
    /// The previous step's rows followed by another relation's.
    Union {
        other: Relation,
        all: bool,
    },
    /// Keeps the rows that meet every condition and, when given, the SQL `expression`.
    Filter {
        conditions: Vec<Condition>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        expression: Option<String>,
    },
    /// Picks, renames, reorders and casts columns.
    Select {
        columns: Vec<Column>,
    },
    /// Adds a column computed from an expression.
    Formula {
        expr: String,
        name: String,
    },
    /// One row per group with measures.
    Aggregate {
        group_by: Vec<String>,
        measures: Vec<Measure>,
    },
    /// A column computed over a window of rows (rank, running total, lag …).
    Window {
        function: WindowFunction,
        /// The column the function reads (running total, lag, lead); none for rank and row number.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        column: Option<String>,
        partition_by: Vec<String>,
        order_by: Vec<OrderKey>,
        name: String,
    },
    /// Keeps one row per `keys` (the first by `order_by`), or drops identical rows when `keys` is empty.
    Deduplicate {
        keys: Vec<String>,
        order_by: Vec<OrderKey>,
    },
    Order {
        keys: Vec<OrderKey>,
    },
    Limit {
        rows: u64,
    },
    /// One column per value of `key`, each holding `measure` of the rows with that value.
    Pivot {
        group_by: Vec<String>,
        key: String,
        values: Vec<String>,
        measure: Measure,
    },
    /// Columns turned into rows: one row per (kept columns, column name, value).
    Unpivot {
        keep: Vec<String>,
        columns: Vec<String>,
        name_column: String,
        value_column: String,
    },
    /// SQL written by hand.
    Sql {
        text: String,
    },
}

/// `column op value`, built from pickers: the value is a literal (quoted unless a number), none
/// for `isNull`/`isNotNull`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Condition {
    pub column: String,
    pub op: ConditionOp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum ConditionOp {
    Equals,
    NotEquals,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Contains,
    IsNull,
    IsNotNull,
}

fn value_sql(value: &str) -> String {
    if value.parse::<f64>().is_ok() {
        value.to_string()
    } else {
        literal(value)
    }
}

impl Condition {
    pub fn sql(&self) -> String {
        let column = identifier(&self.column);
        let value = self.value.as_deref().unwrap_or_default();
        match self.op {
            ConditionOp::Equals => format!("{column} = {}", value_sql(value)),
            ConditionOp::NotEquals => format!("{column} <> {}", value_sql(value)),
            ConditionOp::Greater => format!("{column} > {}", value_sql(value)),
            ConditionOp::GreaterOrEqual => format!("{column} >= {}", value_sql(value)),
            ConditionOp::Less => format!("{column} < {}", value_sql(value)),
            ConditionOp::LessOrEqual => format!("{column} <= {}", value_sql(value)),
            ConditionOp::Contains => format!("{column} like {}", literal(&format!("%{value}%"))),
            ConditionOp::IsNull => format!("{column} is null"),
            ConditionOp::IsNotNull => format!("{column} is not null"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct JoinKey {
    pub left: String,
    pub right: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
// kiln-dash's chart `Measure` already generates the UI's `Measure.ts`.
#[ts(rename = "CanvasMeasure")]
pub struct Measure {
    pub function: AggregateFunction,
    /// The column aggregated; none for `count(*)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub column: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum AggregateFunction {
    Count,
    CountDistinct,
    Sum,
    Avg,
    Min,
    Max,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub enum WindowFunction {
    RowNumber,
    Rank,
    DenseRank,
    RunningTotal,
    Lag,
    Lead,
}

fn measure_sql(measure: &Measure) -> String {
    let column = measure.column.as_deref().unwrap_or("*");
    match measure.function {
        AggregateFunction::Count => format!("count({column})"),
        AggregateFunction::CountDistinct => format!("count(distinct {column})"),
        AggregateFunction::Sum => format!("sum({column})"),
        AggregateFunction::Avg => format!("avg({column})"),
        AggregateFunction::Min => format!("min({column})"),
        AggregateFunction::Max => format!("max({column})"),
    }
}

fn order_sql(keys: &[OrderKey]) -> String {
    keys.iter()
        .map(|k| {
            if k.descending {
                format!("{} desc", k.expr)
            } else {
                k.expr.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn over(partition_by: &[String], order_by: &[OrderKey]) -> String {
    let mut parts = Vec::new();
    if !partition_by.is_empty() {
        parts.push(format!("partition by {}", partition_by.join(", ")));
    }
    if !order_by.is_empty() {
        parts.push(format!("order by {}", order_sql(order_by)));
    }
    format!("over ({})", parts.join(" "))
}

/// A string literal of `value`, quotes doubled.
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A column name usable without quotes, or quoted.
pub(crate) fn identifier(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

fn from_previous(previous: &str) -> Input {
    Input {
        relation: Relation::Step {
            name: previous.to_string(),
        },
        alias: None,
    }
}

fn select(previous: &str, columns: Vec<Column>) -> SelectBlock {
    SelectBlock {
        columns,
        from: from_previous(previous),
        ..SelectBlock::default()
    }
}

fn expr(expr: impl Into<String>, alias: Option<&str>) -> Column {
    Column {
        expr: expr.into(),
        alias: alias.map(identifier),
    }
}

impl StepTemplate {
    /// The name a new step of this kind gets before the user names it.
    fn base_name(&self) -> &'static str {
        match self {
            StepTemplate::Input { .. } => "input",
            StepTemplate::Join { .. } => "joined",
            StepTemplate::Union { .. } => "stacked",
            StepTemplate::Filter { .. } => "filtered",
            StepTemplate::Select { .. } => "selected",
            StepTemplate::Formula { .. } => "with_formula",
            StepTemplate::Aggregate { .. } => "aggregated",
            StepTemplate::Window { .. } => "windowed",
            StepTemplate::Deduplicate { .. } => "deduplicated",
            StepTemplate::Order { .. } => "ordered",
            StepTemplate::Limit { .. } => "limited",
            StepTemplate::Pivot { .. } => "pivoted",
            StepTemplate::Unpivot { .. } => "unpivoted",
            StepTemplate::Sql { .. } => "custom",
        }
    }

    /// The step's body reading `previous` (the step before it), if it needs one.
    fn body(&self, previous: Option<&str>) -> Result<StepBody, CanvasError> {
        let needs_previous = !matches!(self, StepTemplate::Input { .. } | StepTemplate::Sql { .. });
        let previous = match previous {
            Some(previous) => previous,
            None if needs_previous => return Err(CanvasError::NoPreviousStep),
            None => "",
        };
        let body = match self {
            StepTemplate::Input { relation } => StepBody::Select(SelectBlock {
                columns: vec![Column::star()],
                from: Input {
                    relation: relation.clone(),
                    alias: None,
                },
                ..SelectBlock::default()
            }),
            StepTemplate::Sql { text } => StepBody::Sql {
                text: text.clone(),
                error: None,
            },
            StepTemplate::Join {
                right,
                join,
                keys,
                right_columns,
            } => {
                let on = keys
                    .iter()
                    .map(|k| format!("l.{} = r.{}", identifier(&k.left), identifier(&k.right)))
                    .collect::<Vec<_>>()
                    .join(" and ");
                let mut columns = vec![expr("l.*", None)];
                columns.extend(right_columns.iter().map(|c| expr(format!("r.{}", identifier(c)), None)));
                StepBody::Select(SelectBlock {
                    columns,
                    from: Input {
                        relation: Relation::Step {
                            name: previous.to_string(),
                        },
                        alias: Some("l".into()),
                    },
                    joins: vec![Join {
                        kind: *join,
                        input: Input {
                            relation: right.clone(),
                            alias: Some("r".into()),
                        },
                        on: (*join != JoinKind::Cross).then_some(on),
                    }],
                    ..SelectBlock::default()
                })
            }
            StepTemplate::Union { other, all } => StepBody::Union {
                inputs: vec![
                    Relation::Step {
                        name: previous.to_string(),
                    },
                    other.clone(),
                ],
                all: *all,
            },
            StepTemplate::Filter { conditions, expression } => StepBody::Select(SelectBlock {
                filter: Some(
                    conditions
                        .iter()
                        .map(Condition::sql)
                        .chain(expression.iter().filter(|e| !e.trim().is_empty()).cloned())
                        .collect::<Vec<_>>()
                        .join(" and "),
                ),
                ..select(previous, vec![Column::star()])
            }),
            StepTemplate::Select { columns } => StepBody::Select(select(previous, columns.clone())),
            StepTemplate::Formula { expr: e, name } => {
                StepBody::Select(select(previous, vec![Column::star(), expr(e.clone(), Some(name))]))
            }
            StepTemplate::Aggregate { group_by, measures } => {
                let mut columns: Vec<Column> = group_by.iter().map(|g| expr(g.clone(), None)).collect();
                columns.extend(measures.iter().map(|m| expr(measure_sql(m), Some(&m.name))));
                StepBody::Select(SelectBlock {
                    group_by: group_by.clone(),
                    ..select(previous, columns)
                })
            }
            StepTemplate::Window {
                function,
                column,
                partition_by,
                order_by,
                name,
            } => {
                let column = column.as_deref().unwrap_or("*");
                let window = over(partition_by, order_by);
                let call = match function {
                    WindowFunction::RowNumber => format!("row_number() {window}"),
                    WindowFunction::Rank => format!("rank() {window}"),
                    WindowFunction::DenseRank => format!("dense_rank() {window}"),
                    WindowFunction::RunningTotal => {
                        let frame = if order_by.is_empty() {
                            window
                        } else {
                            format!(
                                "{} rows between unbounded preceding and current row)",
                                window.trim_end_matches(')')
                            )
                        };
                        format!("sum({column}) {frame}")
                    }
                    WindowFunction::Lag => format!("lag({column}) {window}"),
                    WindowFunction::Lead => format!("lead({column}) {window}"),
                };
                StepBody::Select(select(previous, vec![Column::star(), expr(call, Some(name))]))
            }
            StepTemplate::Deduplicate { keys, order_by } if keys.is_empty() => StepBody::Select(SelectBlock {
                distinct: true,
                order_by: order_by.clone(),
                ..select(previous, vec![Column::star()])
            }),
            StepTemplate::Deduplicate { keys, order_by } => StepBody::Select(SelectBlock {
                qualify: Some(format!("row_number() {} = 1", over(keys, order_by))),
                ..select(previous, vec![Column::star()])
            }),
            StepTemplate::Order { keys } => StepBody::Select(SelectBlock {
                order_by: keys.clone(),
                ..select(previous, vec![Column::star()])
            }),
            StepTemplate::Limit { rows } => StepBody::Select(SelectBlock {
                limit: Some(*rows),
                ..select(previous, vec![Column::star()])
            }),
            StepTemplate::Pivot {
                group_by,
                key,
                values,
                measure,
            } => {
                // Conditional aggregation rather than PIVOT: Redshift and PostgreSQL read it too.
                let mut columns: Vec<Column> = group_by.iter().map(|g| expr(g.clone(), None)).collect();
                for value in values {
                    let inner = measure.column.as_deref().unwrap_or("1");
                    let case = format!("case when {key} = {} then {inner} end", literal(value));
                    let call = Measure {
                        column: Some(case),
                        ..measure.clone()
                    };
                    let name = format!("{}_{}", value, measure.name);
                    columns.push(expr(measure_sql(&call), Some(&name.to_lowercase())));
                }
                StepBody::Select(SelectBlock {
                    group_by: group_by.clone(),
                    ..select(previous, columns)
                })
            }
            StepTemplate::Unpivot {
                keep,
                columns,
                name_column,
                value_column,
            } => {
                let kept = keep.iter().map(|k| format!("{k}, ")).collect::<String>();
                let text = columns
                    .iter()
                    .map(|c| {
                        format!(
                            "select {kept}{} as {}, {} as {} from {previous}",
                            literal(c),
                            identifier(name_column),
                            identifier(c),
                            identifier(value_column)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\nunion all\n");
                StepBody::Sql { text, error: None }
            }
        };
        Ok(body)
    }
}

/// A name no step of `canvas` has yet, from `base`.
pub fn unused_name(canvas: &Canvas, base: &str) -> String {
    let taken = |name: &str| canvas.steps.iter().any(|s| s.name.eq_ignore_ascii_case(name));
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| base.to_string())
}

/// Inserts a step made from `template` after step `after` (`None`: at the start), reading the
/// step before it. Later steps that read that step keep reading it (the new step is a branch
/// until a later step is pointed at it), except when it is added last: then it is the output.
pub fn add_step(
    canvas: &Canvas,
    after: Option<usize>,
    template: &StepTemplate,
) -> Result<(Canvas, usize), CanvasError> {
    let index = after.map_or(0, |a| a + 1);
    if index > canvas.steps.len() {
        return Err(CanvasError::NoSuchStep(index));
    }
    let previous = after.and_then(|a| canvas.steps.get(a)).map(|s| s.name.as_str());
    let body = template.body(previous)?;
    let name = match template {
        StepTemplate::Input {
            relation: Relation::Ref { name, .. },
        } => unused_name(canvas, name),
        StepTemplate::Input {
            relation: Relation::Source { table, .. },
        } => unused_name(canvas, table),
        other => unused_name(canvas, other.base_name()),
    };
    let mut next = canvas.clone();
    next.steps.insert(
        index,
        Step {
            name,
            body,
            comment: None,
            source: None,
        },
    );
    Ok((next, index))
}
