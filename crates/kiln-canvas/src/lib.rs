//! The model canvas's engine: a model's SQL read as steps and steps written back as SQL.
//!
//! * [`read_model`] reads a model file: each CTE is a step, and so is a final SELECT that is more
//!   than `select * from <last step>`. A SELECT made of the parts the canvas edits (inputs and
//!   joins, filter, columns, group by, having, qualify, order, limit) becomes a
//!   [`StepBody::Select`]; anything else (a Jinja loop, a subquery in FROM, text that does not
//!   parse) becomes a [`StepBody::Sql`] holding its text exactly.
//! * [`write_model`] writes steps back. A step whose body is what was read keeps its text byte
//!   for byte; an edited or new step is printed and laid out by `sqlformat`. So opening and saving
//!   an unedited model changes nothing.
//! * [`add_step`] makes a new step from a [`StepTemplate`] (join, filter, formula, aggregate,
//!   window, pivot …): the studio never writes SQL itself.
//! * [`sql_until`] is the SQL of one step's rows, for previews.
//!
//! Jinja is read through [`kiln_sql::mask_jinja`]: `ref()` and `source()` become relations of the
//! step and are written back as Jinja; a step whose expressions hold other Jinja is SQL.

mod join_check;
mod model;
mod read;
mod report;
mod template;
mod write;

pub use join_check::{join_checks, key_pairs, JoinCheckQuery, JoinCounts, JoinOutcome};
pub use model::{
    Canvas, Column, Input, Join, JoinKind, Layout, OrderKey, Relation, SelectBlock, Step, StepBody, StepKind,
    StepSource,
};
pub use read::{read_model, same_query};
pub use report::{round_trip, RoundTrip};
pub use template::{
    add_step, unused_name, AggregateFunction, Condition, ConditionOp, JoinKey, Measure, StepTemplate, WindowFunction,
};
pub use write::{sql_until, write_model, Written};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanvasError {
    #[error("this step needs a step before it to read from; add an input first")]
    NoPreviousStep,
    #[error("there is no step {0}")]
    NoSuchStep(usize),
    #[error("the canvas has no steps")]
    Empty,
}

impl Step {
    /// What the step does, read off its shape.
    pub fn kind(&self) -> StepKind {
        match &self.body {
            StepBody::Sql { .. } => StepKind::Sql,
            StepBody::Union { .. } => StepKind::Union,
            StepBody::Select(block) => block.kind(),
        }
    }

    /// Whether the step differs from what was read from the file (or was added on the canvas):
    /// an unedited step is written back as its own text.
    pub fn edited(&self) -> bool {
        self.source
            .as_ref()
            .is_none_or(|source| source.body != self.body || source.name != self.name)
    }

    /// The relations the step reads.
    pub fn inputs(&self) -> Vec<&Relation> {
        match &self.body {
            StepBody::Sql { .. } => Vec::new(),
            StepBody::Union { inputs, .. } => inputs.iter().collect(),
            StepBody::Select(block) => std::iter::once(&block.from.relation)
                .chain(block.joins.iter().map(|j| &j.input.relation))
                .collect(),
        }
    }
}

impl SelectBlock {
    fn is_star(&self) -> bool {
        self.columns.len() == 1 && self.columns[0].expr == "*" && self.columns[0].alias.is_none()
    }

    pub fn kind(&self) -> StepKind {
        let only_star = self.is_star();
        let starts_with_star = self.columns.first().is_some_and(|c| c.expr == "*");
        if !self.joins.is_empty() {
            StepKind::Join
        } else if !self.group_by.is_empty() || self.having.is_some() {
            StepKind::Aggregate
        } else if self.qualify.is_some() || (self.distinct && only_star) {
            StepKind::Deduplicate
        } else if self.filter.is_some() {
            StepKind::Filter
        } else if starts_with_star && self.columns.len() > 1 {
            if self.columns[1..]
                .iter()
                .all(|c| c.expr.to_ascii_lowercase().contains(" over "))
            {
                StepKind::Window
            } else {
                StepKind::Formula
            }
        } else if !only_star {
            StepKind::Select
        } else if !self.order_by.is_empty() {
            StepKind::Order
        } else if self.limit.is_some() {
            StepKind::Limit
        } else {
            StepKind::Input
        }
    }
}

impl Canvas {
    /// The models, seeds and sources the canvas reads, each once, in order of first use.
    pub fn upstreams(&self) -> Vec<Relation> {
        let mut seen = Vec::new();
        for step in &self.steps {
            for relation in step.inputs() {
                let upstream = matches!(relation, Relation::Ref { .. } | Relation::Source { .. });
                if upstream && !seen.contains(relation) {
                    seen.push(relation.clone());
                }
            }
        }
        seen
    }

    /// The index of the step named `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.name == name)
    }
}
