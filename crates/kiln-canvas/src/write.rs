//! Steps → the model's SQL. Unedited steps keep their text; edited and new ones are printed from
//! their parts and laid out by `sqlformat`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Canvas, Relation, SelectBlock, Step, StepBody};
use crate::CanvasError;

/// A written model and where each step landed in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Written {
    pub sql: String,
    /// Per step (in canvas order), its first and last line in `sql` (1-based, inclusive).
    pub lines: Vec<(u32, u32)>,
}

/// The Jinja call that names `relation` in a model, or its plain name.
pub(crate) fn relation_jinja(relation: &Relation) -> String {
    match relation {
        Relation::Step { name } | Relation::Table { name } => name.clone(),
        Relation::Ref { package: Some(p), name } => format!("{{{{ ref('{p}', '{name}') }}}}"),
        Relation::Ref { package: None, name } => format!("{{{{ ref('{name}') }}}}"),
        Relation::Source { source, table } => format!("{{{{ source('{source}', '{table}') }}}}"),
    }
}

/// A SELECT's text on one line, each relation named by `relation`.
pub(crate) fn select_sql(block: &SelectBlock, relation: &mut dyn FnMut(&Relation) -> String) -> String {
    let mut sql = String::from("select ");
    if block.distinct {
        sql.push_str("distinct ");
    }
    let columns: Vec<String> = block
        .columns
        .iter()
        .map(|c| match &c.alias {
            Some(alias) => format!("{} as {alias}", c.expr),
            None => c.expr.clone(),
        })
        .collect();
    sql.push_str(&columns.join(", "));
    let input = |sql: &mut String, input: &crate::Input, relation: &mut dyn FnMut(&Relation) -> String| {
        sql.push_str(&relation(&input.relation));
        if let Some(alias) = &input.alias {
            sql.push_str(" as ");
            sql.push_str(alias);
        }
    };
    sql.push_str(" from ");
    input(&mut sql, &block.from, relation);
    for join in &block.joins {
        sql.push(' ');
        sql.push_str(join.kind.keyword());
        sql.push(' ');
        input(&mut sql, &join.input, relation);
        if let Some(on) = &join.on {
            sql.push_str(" on ");
            sql.push_str(on);
        }
    }
    if let Some(filter) = &block.filter {
        sql.push_str(" where ");
        sql.push_str(filter);
    }
    if !block.group_by.is_empty() {
        sql.push_str(" group by ");
        sql.push_str(&block.group_by.join(", "));
    }
    if let Some(having) = &block.having {
        sql.push_str(" having ");
        sql.push_str(having);
    }
    if let Some(qualify) = &block.qualify {
        sql.push_str(" qualify ");
        sql.push_str(qualify);
    }
    if !block.order_by.is_empty() {
        let keys: Vec<String> = block
            .order_by
            .iter()
            .map(|k| {
                if k.descending {
                    format!("{} desc", k.expr)
                } else {
                    k.expr.clone()
                }
            })
            .collect();
        sql.push_str(" order by ");
        sql.push_str(&keys.join(", "));
    }
    if let Some(limit) = block.limit {
        sql.push_str(&format!(" limit {limit}"));
    }
    sql
}

pub(crate) fn union_sql(inputs: &[Relation], all: bool, relation: &mut dyn FnMut(&Relation) -> String) -> String {
    let glue = if all { " union all " } else { " union " };
    inputs
        .iter()
        .map(|i| format!("select * from {}", relation(i)))
        .collect::<Vec<_>>()
        .join(glue)
}

/// Runs `sqlformat` over SQL whose Jinja calls are replaced by plain names first (the formatter
/// would split `{{ ref('x') }}` into pieces), then put back.
fn formatted(body: &StepBody) -> String {
    let mut jinja = Vec::new();
    let mut placeholder = |relation: &Relation| match relation {
        Relation::Step { name } | Relation::Table { name } => name.clone(),
        other => {
            jinja.push(relation_jinja(other));
            format!("kiln_canvas_jinja_{}", jinja.len() - 1)
        }
    };
    let raw = match body {
        StepBody::Sql { text, .. } => return text.trim().to_string(),
        StepBody::Union { inputs, all } => union_sql(inputs, *all, &mut placeholder),
        StepBody::Select(block) => select_sql(block, &mut placeholder),
    };
    let options = sqlformat::FormatOptions {
        indent: sqlformat::Indent::Spaces(4),
        uppercase: Some(false),
        lines_between_queries: 1,
        ..Default::default()
    };
    let mut text = sqlformat::format(&raw, &sqlformat::QueryParams::None, &options);
    // Highest index first, so `_1` is not replaced inside `_12`.
    for (index, call) in jinja.iter().enumerate().rev() {
        text = text.replace(&format!("kiln_canvas_jinja_{index}"), call);
    }
    text
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim().is_empty() {
                String::new()
            } else {
                format!("    {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn unchanged(step: &Step) -> bool {
    !step.edited()
}

/// The step's SQL inside its CTE's parentheses, as read when unedited.
fn inner_text(step: &Step) -> String {
    if let Some(source) = step.source.as_ref().filter(|_| unchanged(step)) {
        if source.inline {
            return source.text.clone();
        }
        let open = source.text.find('(').map_or(0, |i| i + 1);
        let close = source.text.rfind(')').unwrap_or(source.text.len());
        return source.text.get(open..close).unwrap_or_default().to_string();
    }
    noted(step)
}

/// The step printed from its parts, under its comment.
fn noted(step: &Step) -> String {
    let body = formatted(&step.body);
    match &step.comment {
        Some(comment) => format!("{comment}\n{body}"),
        None => body,
    }
}

fn cte_text(step: &Step) -> String {
    match &step.source {
        Some(source) if unchanged(step) && !source.inline => source.text.clone(),
        // A final SELECT that is no longer last becomes a CTE around its own text.
        Some(source) if unchanged(step) => format!("{} as (\n\n{}\n\n)", step.name, indent(&source.text)),
        _ => format!("{} as (\n\n{}\n\n)", step.name, indent(&noted(step))),
    }
}

fn lines(text: &str) -> u32 {
    u32::try_from(text.matches('\n').count()).unwrap_or(u32::MAX)
}

/// Writes the model. An unedited canvas gives back the file it was read from, byte for byte.
pub fn write_model(canvas: &Canvas) -> Result<Written, CanvasError> {
    let layout = &canvas.layout;
    let (last, before) = canvas.steps.split_last().ok_or(CanvasError::Empty)?;
    let inline_last = last.source.as_ref().is_some_and(|s| s.inline);
    let ctes: Vec<&Step> = if inline_last {
        before.iter().collect()
    } else {
        canvas.steps.iter().collect()
    };
    let mut sql = layout.prefix.clone();
    let mut spans = Vec::with_capacity(canvas.steps.len());
    if !ctes.is_empty() {
        sql.push_str(if layout.with_keyword.is_empty() {
            "with "
        } else {
            &layout.with_keyword
        });
    }
    for (index, step) in ctes.iter().enumerate() {
        if index > 0 {
            match step.source.as_ref().map(|s| s.lead.as_str()) {
                Some(lead) if lead.contains(',') => sql.push_str(lead),
                _ => sql.push_str(",\n\n"),
            }
        }
        let first = lines(&sql) + 1;
        sql.push_str(&cte_text(step));
        spans.push((first, lines(&sql) + 1));
    }
    let separator = match layout.before_output.as_str() {
        "" if ctes.is_empty() => "",
        "" => "\n\n",
        written => written,
    };
    sql.push_str(separator);
    if inline_last {
        let first = lines(&sql) + 1;
        sql.push_str(&inner_text(last));
        spans.push((first, lines(&sql) + 1));
    } else {
        let reads_last = layout.output.as_deref().filter(|output| {
            let words: Vec<&str> = output.split_whitespace().collect();
            words.len() == 4 && words[1] == "*" && words[3].eq_ignore_ascii_case(&last.name)
        });
        match reads_last {
            Some(output) => sql.push_str(output),
            None => sql.push_str(&format!("select * from {}", last.name)),
        }
    }
    if layout.suffix.is_empty() && canvas.steps.iter().all(|s| s.source.is_none()) {
        sql.push('\n');
    } else {
        sql.push_str(&layout.suffix);
    }
    Ok(Written { sql, lines: spans })
}

/// The SQL of step `index`'s rows: the steps it may read, then `select * from` it. Jinja is kept
/// (the caller renders it like any model's).
pub fn sql_until(canvas: &Canvas, index: usize) -> Result<String, CanvasError> {
    let target = canvas.steps.get(index).ok_or(CanvasError::NoSuchStep(index))?;
    let ctes: Vec<String> = canvas.steps[..=index]
        .iter()
        .map(|step| format!("{} as (\n{}\n)", step.name, inner_text(step)))
        .collect();
    Ok(format!("with {}\nselect * from {}", ctes.join(",\n"), target.name))
}
