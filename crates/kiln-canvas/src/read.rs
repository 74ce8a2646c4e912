//! A model's SQL → steps.
//!
//! The file is cut into its CTEs on the token stream (so each step keeps its exact text), and
//! each CTE's SELECT is read into a [`SelectBlock`] with `sqlparser`. A block is only accepted when
//! writing it back gives the same syntax tree as the text it came from; otherwise the step is SQL.
//! That one check covers every clause the canvas does not edit (a `using` join, `nulls first`, a
//! subquery in FROM …) without listing them.

use kiln_sql::{lex, mask_jinja, Masked, Tok, Upstream};
use sqlparser::ast::{
    Distinct, Expr, GroupByExpr, JoinConstraint, JoinOperator, LimitClause, OrderByKind, OrderBySort, Query,
    SelectItem, SetExpr, SetOperator, SetQuantifier, Spanned, Statement, TableFactor, TableWithJoins,
};
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token, Whitespace};

use crate::model::{
    Canvas, Column, Input, Join, JoinKind, Layout, OrderKey, Relation, SelectBlock, Step, StepBody, StepSource,
};
use crate::write::{select_sql, union_sql};

/// Where a CTE is in the file: its name's first byte and its parentheses.
struct Cte {
    name: String,
    start: usize,
    open: usize,
    close: usize,
}

/// The file's statement cut into CTEs and the final query.
struct Shape {
    with_start: usize,
    ctes: Vec<Cte>,
    final_start: usize,
    final_end: usize,
}

fn significant<'a>(toks: &'a [Tok<'a>]) -> Vec<&'a Tok<'a>> {
    toks.iter().filter(|t| !t.is_trivia()).collect()
}

fn shape(masked: &str) -> Option<Shape> {
    let lexed = lex(masked);
    if lexed.error.is_some() {
        return None;
    }
    let sig = significant(&lexed.toks);
    let first = sig.first()?;
    let mut end = sig.len();
    while end > 0 && sig[end - 1].token == Token::SemiColon {
        end -= 1;
    }
    let sig = &sig[..end];
    // Several statements are not one model's query.
    if sig.iter().any(|t| t.token == Token::SemiColon) {
        return None;
    }
    let final_end = sig.last()?.end();
    let mut ctes = Vec::new();
    let mut i = 0;
    if first.is_word("with") {
        i = 1;
        loop {
            let name = sig.get(i)?;
            let Token::Word(word) = &name.token else { return None };
            if word.quote_style.is_some() || !sig.get(i + 1)?.is_word("as") || sig.get(i + 2)?.token != Token::LParen {
                return None;
            }
            let mut depth = 0usize;
            let mut close = None;
            for (j, tok) in sig.iter().enumerate().skip(i + 2) {
                match tok.token {
                    Token::LParen => depth += 1,
                    Token::RParen => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(j);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let close = close?;
            ctes.push(Cte {
                name: word.value.clone(),
                start: name.start,
                open: sig[i + 2].start,
                close: sig[close].start,
            });
            i = close + 1;
            if sig.get(i)?.token == Token::Comma {
                i += 1;
            } else {
                break;
            }
        }
    }
    Some(Shape {
        with_start: first.start,
        ctes,
        final_start: sig.get(i)?.start,
        final_end,
    })
}

fn line_of(text: &str, byte: usize) -> u32 {
    u32::try_from(text[..byte].matches('\n').count() + 1).unwrap_or(u32::MAX)
}

/// The text without the indentation all its lines share and without blank lines around it.
fn dedent(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let first = lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(lines.len());
    let last = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(first, |l| l + 1);
    let lines = &lines[first..last.max(first)];
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or_else(|| l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Byte offset of a parser location (1-based line and column, columns counted in characters).
fn offset(text: &str, location: Location) -> Option<usize> {
    let mut line = 1;
    let mut line_start = 0;
    if location.line == 0 {
        return None;
    }
    for (i, ch) in text.char_indices() {
        if line == location.line {
            break;
        }
        if ch == '\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    if line != location.line {
        return None;
    }
    let column = usize::try_from(location.column).ok()?.checked_sub(1)?;
    Some(
        text[line_start..]
            .char_indices()
            .nth(column)
            .map_or(text.len(), |(i, _)| line_start + i),
    )
}

/// Reads one CTE body or final query into a step body.
struct BodyReader<'a> {
    masked: &'a Masked,
    /// The body's text, masked (Jinja blanked) and as written; same byte positions.
    masked_body: &'a str,
    body: &'a str,
    /// Earlier steps' names: a FROM naming one reads that step.
    steps: &'a [String],
    /// Stand-in identifiers of the upstreams met, to write the block back for the check.
    stand_ins: Vec<(Relation, String)>,
}

fn is_stand_in(text: &str) -> bool {
    text.contains("kiln_up_") || text.contains("kiln_jinja")
}

impl BodyReader<'_> {
    /// The expression's text as written when its span can be trusted, else as printed.
    fn text(&self, expr: &Expr) -> Option<String> {
        let printed = expr.to_string();
        if is_stand_in(&printed) {
            return None;
        }
        let span = expr.span();
        let written = offset(self.masked_body, span.start)
            .zip(offset(self.masked_body, span.end))
            .and_then(|(start, end)| self.body.get(start..end))
            .filter(|slice| {
                Parser::new(&DuckDbDialect {})
                    .try_with_sql(slice)
                    .and_then(|mut p| p.parse_expr())
                    .is_ok_and(|parsed| &parsed == expr)
            });
        Some(written.map_or(printed, str::to_string))
    }

    fn relation(&mut self, factor: &TableFactor) -> Option<Input> {
        let TableFactor::Table { name, alias, .. } = factor else {
            return None;
        };
        let text = name.to_string();
        let relation = match self.masked.upstream_of(&text) {
            Some(Upstream::Ref { package, name }) => Relation::Ref {
                package: package.clone(),
                name: name.clone(),
            },
            Some(Upstream::Source { source, table }) => Relation::Source {
                source: source.clone(),
                table: table.clone(),
            },
            None if is_stand_in(&text) => return None,
            None if self.steps.iter().any(|s| s.eq_ignore_ascii_case(&text)) => Relation::Step { name: text.clone() },
            None => Relation::Table { name: text.clone() },
        };
        if matches!(relation, Relation::Ref { .. } | Relation::Source { .. }) {
            self.stand_ins.push((relation.clone(), text));
        }
        Some(Input {
            relation,
            alias: alias.as_ref().map(|a| a.name.to_string()),
        })
    }

    fn join(&mut self, join: &sqlparser::ast::Join) -> Option<Join> {
        let (kind, constraint) = match &join.join_operator {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => (JoinKind::Inner, c),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (JoinKind::Left, c),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (JoinKind::Right, c),
            JoinOperator::FullOuter(c) => (JoinKind::Full, c),
            JoinOperator::CrossJoin(c) => (JoinKind::Cross, c),
            _ => return None,
        };
        let on = match constraint {
            JoinConstraint::On(expr) => Some(self.text(expr)?),
            JoinConstraint::None => None,
            JoinConstraint::Using(_) | JoinConstraint::Natural => return None,
        };
        Some(Join {
            kind,
            input: self.relation(&join.relation)?,
            on,
        })
    }

    fn select(&mut self, query: &Query) -> Option<StepBody> {
        if query.with.is_some() {
            return None;
        }
        let select = match query.body.as_ref() {
            SetExpr::Select(select) => select,
            SetExpr::SetOperation { .. } => return self.union(query),
            _ => return None,
        };
        let [TableWithJoins { relation, joins }] = select.from.as_slice() else {
            return None;
        };
        let mut columns = Vec::with_capacity(select.projection.len());
        for item in &select.projection {
            columns.push(match item {
                SelectItem::UnnamedExpr(expr) => Column {
                    expr: self.text(expr)?,
                    alias: None,
                },
                SelectItem::ExprWithAlias { expr, alias } => Column {
                    expr: self.text(expr)?,
                    alias: Some(alias.to_string()),
                },
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => Column {
                    expr: item.to_string(),
                    alias: None,
                },
                SelectItem::ExprWithAliases { .. } => return None,
            });
        }
        let from = self.relation(relation)?;
        let joins = joins.iter().map(|j| self.join(j)).collect::<Option<Vec<_>>>()?;
        let group_by = match &select.group_by {
            GroupByExpr::Expressions(exprs, _) => exprs.iter().map(|e| self.text(e)).collect::<Option<Vec<_>>>()?,
            GroupByExpr::All(_) => return None,
        };
        let order_by = match &query.order_by {
            None => Vec::new(),
            Some(order) => match &order.kind {
                OrderByKind::Expressions(keys) => keys
                    .iter()
                    .map(|k| {
                        Some(OrderKey {
                            expr: self.text(&k.expr)?,
                            descending: matches!(k.options.sort, Some(OrderBySort::Desc)),
                        })
                    })
                    .collect::<Option<Vec<_>>>()?,
                OrderByKind::All(_) => return None,
            },
        };
        let limit = match &query.limit_clause {
            None => None,
            Some(LimitClause::LimitOffset { limit: Some(limit), .. }) => Some(limit.to_string().parse().ok()?),
            Some(_) => return None,
        };
        let optional = |reader: &Self, expr: &Option<Expr>| match expr {
            Some(e) => reader.text(e).map(Some),
            None => Some(None),
        };
        Some(StepBody::Select(SelectBlock {
            distinct: matches!(select.distinct, Some(Distinct::Distinct)),
            columns,
            from,
            joins,
            filter: optional(self, &select.selection)?,
            group_by,
            having: optional(self, &select.having)?,
            qualify: optional(self, &select.qualify)?,
            order_by,
            limit,
        }))
    }

    fn union(&mut self, query: &Query) -> Option<StepBody> {
        fn leaves<'q>(set: &'q SetExpr, all: &mut Vec<bool>, out: &mut Vec<&'q SetExpr>) {
            match set {
                SetExpr::SetOperation {
                    op: SetOperator::Union,
                    set_quantifier,
                    left,
                    right,
                } => {
                    all.push(matches!(set_quantifier, SetQuantifier::All));
                    leaves(left, all, out);
                    leaves(right, all, out);
                }
                other => out.push(other),
            }
        }
        let (mut all, mut parts) = (Vec::new(), Vec::new());
        leaves(&query.body, &mut all, &mut parts);
        if all.iter().any(|a| *a != all[0]) {
            return None;
        }
        let inputs = parts
            .into_iter()
            .map(|part| match part {
                SetExpr::Select(select) => match select.from.as_slice() {
                    [TableWithJoins { relation, .. }] => self.relation(relation).map(|i| i.relation),
                    _ => None,
                },
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(StepBody::Union {
            inputs,
            all: all.first().copied().unwrap_or(false),
        })
    }

    /// The body as a block, if writing the block back reads as the same query.
    fn read(mut self) -> Option<StepBody> {
        let original = parse_query(self.masked_body)?;
        let body = self.select(&original)?;
        let stand_ins = std::mem::take(&mut self.stand_ins);
        let mut name = |relation: &Relation| match relation {
            Relation::Step { name } | Relation::Table { name } => name.clone(),
            other => stand_ins
                .iter()
                .find(|(r, _)| r == other)
                .map_or_else(String::new, |(_, text)| text.clone()),
        };
        let written = match &body {
            StepBody::Select(block) => select_sql(block, &mut name),
            StepBody::Union { inputs, all } => union_sql(inputs, *all, &mut name),
            StepBody::Sql { .. } => return None,
        };
        let mut again = parse_query(&written)?;
        let mut original = original;
        normalize(&mut original);
        normalize(&mut again);
        (again == original).then_some(body)
    }
}

fn parse_query(text: &str) -> Option<Query> {
    let mut statements = Parser::parse_sql(&DuckDbDialect {}, text).ok()?;
    match (statements.pop(), statements.is_empty()) {
        (Some(Statement::Query(query)), true) => Some(*query),
        _ => None,
    }
}

/// Spellings that mean the same query: `inner join`/`join`, `left outer`/`left`, `as` before an
/// alias or not, an explicit `asc`.
fn normalize(query: &mut Query) {
    fn table(factor: &mut TableFactor) {
        if let TableFactor::Table { alias: Some(alias), .. } = factor {
            alias.explicit = true;
        }
    }
    fn set(body: &mut SetExpr) {
        match body {
            SetExpr::Select(select) => {
                for from in &mut select.from {
                    table(&mut from.relation);
                    for join in &mut from.joins {
                        table(&mut join.relation);
                        join.join_operator = match join.join_operator.clone() {
                            JoinOperator::Inner(c) => JoinOperator::Join(c),
                            JoinOperator::LeftOuter(c) => JoinOperator::Left(c),
                            JoinOperator::RightOuter(c) => JoinOperator::Right(c),
                            other => other,
                        };
                    }
                }
            }
            SetExpr::SetOperation { left, right, .. } => {
                set(left);
                set(right);
            }
            _ => {}
        }
    }
    set(&mut query.body);
    if let Some(with) = &mut query.with {
        for cte in &mut with.cte_tables {
            normalize(&mut cte.query);
        }
    }
    if let Some(order) = &mut query.order_by {
        if let OrderByKind::Expressions(keys) = &mut order.kind {
            for key in keys {
                if matches!(key.options.sort, Some(OrderBySort::Asc)) {
                    key.options.sort = None;
                }
            }
        }
    }
}

/// Whether two model texts are the same query, whatever their layout, keyword case and
/// spelling of joins and aliases: what "only reformatted" means in the round-trip report.
pub fn same_query(a: &str, b: &str) -> bool {
    let parsed = |sql: &str| {
        let mut statements = Parser::parse_sql(&DuckDbDialect {}, &mask_jinja(sql).text).ok()?;
        for statement in &mut statements {
            if let Statement::Query(query) = statement {
                normalize(query);
            }
        }
        Some(statements)
    };
    parsed(a).is_some_and(|a| parsed(b).is_some_and(|b| a == b))
}

/// Comments before the query are the step's note; a comment inside it makes the step SQL (it
/// would be lost if the step were printed from its parts).
fn leading_comment(masked_body: &str, body: &str) -> Result<Option<String>, ()> {
    let lexed = lex(masked_body);
    let first = lexed
        .toks
        .iter()
        .position(|t| !t.is_trivia())
        .unwrap_or(lexed.toks.len());
    let is_comment = |t: &Tok| {
        matches!(
            t.token,
            Token::Whitespace(Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_))
        )
    };
    if lexed.toks[first..].iter().any(is_comment) {
        return Err(());
    }
    let start = lexed.toks[..first].iter().find(|t| is_comment(t)).map(|t| t.start);
    Ok(start.map(|start| {
        let end = lexed.toks.get(first).map_or(body.len(), |t| t.start);
        dedent(&body[start..end])
    }))
}

fn sql_step(body: &str, error: Option<String>) -> StepBody {
    StepBody::Sql {
        text: dedent(body),
        error,
    }
}

/// Reads a model file into steps. Never fails: what cannot be read is a SQL step holding its
/// text, with the parser's message when the text does not parse.
pub fn read_model(sql: &str) -> Canvas {
    let masked = mask_jinja(sql);
    match shape(&masked.text) {
        Some(shape) => read_shape(sql, &masked, &shape),
        None => {
            let error = match Parser::parse_sql(&DuckDbDialect {}, &masked.text) {
                Err(e) => Some(e.to_string()),
                Ok(statements) if statements.len() > 1 => Some(format!(
                    "the model holds {} statements; a model is one query (remove the extra `;`)",
                    statements.len()
                )),
                Ok(_) => None,
            };
            whole_file(sql, &masked.text, error)
        }
    }
}

/// Why the text at `start..end` of the masked model does not parse, with the line and column
/// in the file (the text before it is blanked, not cut, so positions stay the file's).
fn parse_error(masked: &str, (start, end): (usize, usize)) -> Option<String> {
    let blanked: String = masked[..start]
        .chars()
        .map(|c| if c == '\n' { '\n' } else { ' ' })
        .chain(masked[start..end].chars())
        .collect();
    let message = Parser::parse_sql(&DuckDbDialect {}, &blanked).err()?.to_string();
    // The parser gives no place for "found: EOF": that is the step's last line.
    Some(if message.contains("Line:") {
        message
    } else {
        format!("{message} at Line: {}", line_of(masked, end))
    })
}

/// The model as one SQL step, for text that is not one query the canvas can cut into CTEs.
fn whole_file(sql: &str, masked: &str, parse_error: Option<String>) -> Canvas {
    let lexed = lex(masked);
    let sig = significant(&lexed.toks);
    let start = sig.first().map_or(sql.len(), |t| t.start);
    let end = sig.last().map_or(sql.len(), |t| t.end()).max(start);
    let body = sql_step(&sql[start..end], parse_error.clone());
    Canvas {
        steps: vec![Step {
            name: "model".into(),
            body: body.clone(),
            comment: None,
            source: Some(StepSource {
                lead: String::new(),
                text: sql[start..end].to_string(),
                name: "model".into(),
                body,
                inline: true,
                line: line_of(sql, start),
            }),
        }],
        layout: Layout {
            prefix: sql[..start].to_string(),
            suffix: sql[end..].to_string(),
            ..Layout::default()
        },
        parse_error,
    }
}

fn read_step(sql: &str, masked: &Masked, (start, end): (usize, usize), steps: &[String]) -> (StepBody, Option<String>) {
    let (masked_body, body) = (&masked.text[start..end], &sql[start..end]);
    let Ok(comment) = leading_comment(masked_body, body) else {
        return (sql_step(body, None), None);
    };
    // Jinja statements and comments in the body would not survive printing from parts.
    if body.contains("{%") || body.contains("{#") {
        return (sql_step(body, None), None);
    }
    let reader = BodyReader {
        masked,
        masked_body,
        body,
        steps,
        stand_ins: Vec::new(),
    };
    match reader.read() {
        Some(block) => (block, comment),
        None => (sql_step(body, parse_error(&masked.text, (start, end))), None),
    }
}

fn read_shape(sql: &str, masked: &Masked, shape: &Shape) -> Canvas {
    let mut steps: Vec<Step> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut previous_end = None;
    for cte in &shape.ctes {
        let (body, comment) = read_step(sql, masked, (cte.open + 1, cte.close), &names);
        let text = sql[cte.start..=cte.close].to_string();
        steps.push(Step {
            name: cte.name.clone(),
            body: body.clone(),
            comment,
            source: Some(StepSource {
                lead: previous_end.map_or_else(String::new, |end| sql[end..cte.start].to_string()),
                text,
                name: cte.name.clone(),
                body,
                inline: false,
                line: line_of(sql, cte.start),
            }),
        });
        names.push(cte.name.clone());
        previous_end = Some(cte.close + 1);
    }
    let after_ctes = previous_end.unwrap_or(shape.with_start);
    let final_text = &sql[shape.final_start..shape.final_end];
    let final_masked = &masked.text[shape.final_start..shape.final_end];
    let words: Vec<&str> = final_masked.split_whitespace().collect();
    let reads_last = words.len() == 4
        && words[0].eq_ignore_ascii_case("select")
        && words[1] == "*"
        && words[2].eq_ignore_ascii_case("from")
        && names.last().is_some_and(|last| last.eq_ignore_ascii_case(words[3]));
    let mut layout = Layout {
        prefix: sql[..shape.with_start].to_string(),
        with_keyword: shape
            .ctes
            .first()
            .map_or_else(String::new, |first| sql[shape.with_start..first.start].to_string()),
        before_output: sql[after_ctes..shape.final_start].to_string(),
        output: None,
        suffix: sql[shape.final_end..].to_string(),
    };
    if reads_last {
        layout.output = Some(final_text.to_string());
    } else {
        let (body, comment) = read_step(sql, masked, (shape.final_start, shape.final_end), &names);
        let name = if names.iter().any(|n| n == "output") {
            "model_output"
        } else {
            "output"
        };
        steps.push(Step {
            name: name.into(),
            body: body.clone(),
            comment,
            source: Some(StepSource {
                lead: String::new(),
                text: final_text.to_string(),
                name: name.into(),
                body,
                inline: true,
                line: line_of(sql, shape.final_start),
            }),
        });
    }
    let parse_error = steps.iter().find_map(|s| match &s.body {
        StepBody::Sql { error: Some(e), .. } => Some(format!("{}: {e}", s.name)),
        _ => None,
    });
    Canvas {
        steps,
        layout,
        parse_error,
    }
}
