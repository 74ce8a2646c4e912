//! Static column checks on a model's own text, as dbt Fusion does: a column read through a
//! qualifier (`c.cat_name`) that the relation behind the qualifier does not have is found as you
//! type, before the warehouse rejects it — and what a model returns is worked out through its
//! CTEs, `select *` and `alias.*`, from what its upstream models return.
//!
//! Only certainties are reported. The columns of a relation are known when the caller knows its
//! upstream's columns ([`Upstream`]) or when a select list names them all; anything unclear (a
//! table outside Jinja, an unnamed expression, Jinja the parser cannot read, a qualifier bound
//! twice) leaves that relation unknown, and nothing read through it is flagged.

use std::collections::HashMap;
use std::ops::ControlFlow;

use sqlparser::ast::{
    ExcludeSelectItem, Expr, ObjectName, ObjectNamePart, Query, Select, SelectItem, SelectItemQualifiedWildcardKind,
    SetExpr, Statement, TableFactor, Visit, Visitor, WildcardAdditionalOptions,
};
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::Parser;

use crate::jinja_mask::{mask_jinja, Masked, Upstream};

/// What a caller knows of an upstream relation's columns (`None`: not known for certain).
pub type UpstreamColumns<'a> = &'a dyn Fn(&Upstream) -> Option<Vec<String>>;

/// A column read through a qualifier whose relation lacks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownColumn {
    pub qualifier: String,
    pub column: String,
    /// The relation behind the qualifier, as the model names it: `ref('stg_x')`, or a CTE's
    /// name followed by where its columns come from.
    pub relation: String,
    /// The relation's columns, to suggest from.
    pub known: Vec<String>,
    /// 1-based, in the text given (Jinja included).
    pub line: usize,
    pub column_number: usize,
}

/// The columns of one name in a FROM clause.
#[derive(Debug, Clone)]
struct Known {
    columns: Vec<String>,
    relation: String,
}

type Env = HashMap<String, Option<Known>>;

fn key(ident: &sqlparser::ast::Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_ascii_lowercase()
    }
}

fn single_name(name: &ObjectName) -> Option<&sqlparser::ast::Ident> {
    match name.0.as_slice() {
        [ObjectNamePart::Identifier(ident)] => Some(ident),
        _ => None,
    }
}

fn last_name(name: &ObjectName) -> Option<&sqlparser::ast::Ident> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(ident)) => Some(ident),
        _ => None,
    }
}

struct Analysis<'a> {
    masked: &'a Masked,
    upstream: UpstreamColumns<'a>,
    /// Results per stand-in, so an upstream is asked once.
    asked: std::cell::RefCell<HashMap<String, Option<Vec<String>>>>,
}

impl Analysis<'_> {
    fn upstream_columns(&self, identifier: &str) -> Option<Known> {
        let upstream = self.masked.upstream_of(identifier)?;
        let columns = self
            .asked
            .borrow_mut()
            .entry(identifier.to_string())
            .or_insert_with(|| (self.upstream)(upstream))
            .clone()?;
        Some(Known {
            columns,
            relation: upstream.to_string(),
        })
    }

    /// What a table name in FROM stands for: a CTE in scope, or an upstream stand-in.
    fn table(&self, name: &ObjectName, ctes: &[Env]) -> Option<Known> {
        let ident = single_name(name)?;
        if ident.quote_style.is_none() {
            if let Some(known) = self.upstream_columns(&ident.value) {
                return Some(known);
            }
        }
        let name = key(ident);
        let found = ctes.iter().rev().find_map(|env| env.get(&name))?.clone()?;
        Some(Known {
            relation: format!("{name} (from {})", found.relation),
            columns: found.columns,
        })
    }

    /// The names a FROM item binds, and what each stands for.
    fn bindings(&self, factor: &TableFactor, ctes: &[Env], out: &mut Vec<(String, Option<Known>)>) {
        match factor {
            TableFactor::Table { name, alias, .. } => {
                let mut known = self.table(name, ctes);
                let bound = match alias {
                    Some(alias) => {
                        if !alias.columns.is_empty() {
                            known = None;
                        }
                        Some(key(&alias.name))
                    }
                    None => last_name(name).map(key),
                };
                if let Some(bound) = bound {
                    out.push((bound, known));
                }
            }
            TableFactor::Derived { subquery, alias, .. } => {
                if let Some(alias) = alias {
                    let known = if alias.columns.is_empty() {
                        self.query_columns(subquery, ctes).map(|columns| Known {
                            columns,
                            relation: "a subquery".into(),
                        })
                    } else {
                        None
                    };
                    out.push((key(&alias.name), known));
                }
            }
            TableFactor::NestedJoin { table_with_joins, .. } => {
                self.bindings(&table_with_joins.relation, ctes, out);
                for join in &table_with_joins.joins {
                    self.bindings(&join.relation, ctes, out);
                }
            }
            // A table function, UNNEST, PIVOT…: its columns are not read here. It still counts
            // as an unknown in the FROM, so a `*` over it is unsure; nothing is checked through
            // its alias, which is left unbound.
            _ => out.push((String::new(), None)),
        }
    }

    fn select_bindings(&self, select: &Select, ctes: &[Env]) -> Vec<(String, Option<Known>)> {
        let mut out = Vec::new();
        for from in &select.from {
            self.bindings(&from.relation, ctes, &mut out);
            for join in &from.joins {
                self.bindings(&join.relation, ctes, &mut out);
            }
        }
        out
    }

    /// A query's CTEs, each readable by the ones after it and by the body.
    fn with_env(&self, query: &Query, ctes: &[Env]) -> Env {
        let mut env = Env::new();
        let Some(with) = &query.with else {
            return env;
        };
        for cte in &with.cte_tables {
            let mut scope = ctes.to_vec();
            scope.push(env.clone());
            let columns = if cte.alias.columns.is_empty() {
                self.query_columns(&cte.query, &scope)
            } else {
                Some(cte.alias.columns.iter().map(|c| c.name.value.clone()).collect())
            };
            let source = single_source(&cte.query, self, &scope).unwrap_or_else(|| "its select list".into());
            env.insert(
                key(&cte.alias.name),
                columns.map(|columns| Known {
                    columns,
                    relation: source,
                }),
            );
        }
        env
    }

    /// The names of the columns a query returns, when all are certain.
    fn query_columns(&self, query: &Query, ctes: &[Env]) -> Option<Vec<String>> {
        let mut scope = ctes.to_vec();
        scope.push(self.with_env(query, ctes));
        self.set_columns(&query.body, &scope)
    }

    fn set_columns(&self, body: &SetExpr, ctes: &[Env]) -> Option<Vec<String>> {
        match body {
            SetExpr::Select(select) => self.select_columns(select, ctes),
            SetExpr::Query(query) => self.query_columns(query, ctes),
            // A UNION's columns are named by its first branch.
            SetExpr::SetOperation { left, .. } => self.set_columns(left, ctes),
            _ => None,
        }
    }

    fn select_columns(&self, select: &Select, ctes: &[Env]) -> Option<Vec<String>> {
        let bindings = self.select_bindings(select, ctes);
        let mut out = Vec::new();
        for item in &select.projection {
            match item {
                SelectItem::ExprWithAlias { alias, .. } => out.push(alias.value.clone()),
                SelectItem::UnnamedExpr(Expr::Identifier(ident)) => out.push(ident.value.clone()),
                SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => out.push(parts.last()?.value.clone()),
                SelectItem::Wildcard(options) => {
                    let mut all = Vec::new();
                    for (_, known) in &bindings {
                        all.extend(known.as_ref()?.columns.iter().cloned());
                    }
                    out.extend(apply_wildcard_options(all, options)?);
                }
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), options) => {
                    let wanted = key(single_name(name)?);
                    let (_, known) = bindings.iter().find(|(bound, _)| *bound == wanted)?;
                    out.extend(apply_wildcard_options(known.as_ref()?.columns.clone(), options)?);
                }
                _ => return None,
            }
        }
        Some(out)
    }
}

/// `ref('x')` when a CTE is `select … from <one upstream or CTE>`, for messages.
fn single_source(query: &Query, analysis: &Analysis<'_>, ctes: &[Env]) -> Option<String> {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    let [from] = select.from.as_slice() else {
        return None;
    };
    if !from.joins.is_empty() {
        return None;
    }
    match &from.relation {
        TableFactor::Table { name, .. } => analysis.table(name, ctes).map(|known| known.relation),
        _ => None,
    }
}

/// `* EXCLUDE (a)` / `* EXCEPT (a)` drop names; `REPLACE` keeps them; anything else is unsure.
fn apply_wildcard_options(mut columns: Vec<String>, options: &WildcardAdditionalOptions) -> Option<Vec<String>> {
    if options.opt_ilike.is_some() || options.opt_rename.is_some() || options.opt_alias.is_some() {
        return None;
    }
    let mut drop: Vec<String> = Vec::new();
    match &options.opt_exclude {
        Some(ExcludeSelectItem::Single(name)) => drop.push(last_name(name)?.value.to_ascii_lowercase()),
        Some(ExcludeSelectItem::Multiple(names)) => {
            for name in names {
                drop.push(last_name(name)?.value.to_ascii_lowercase());
            }
        }
        None => {}
    }
    if let Some(except) = &options.opt_except {
        drop.push(except.first_element.value.to_ascii_lowercase());
        drop.extend(except.additional_elements.iter().map(|i| i.value.to_ascii_lowercase()));
    }
    columns.retain(|c| !drop.contains(&c.to_ascii_lowercase()));
    Some(columns)
}

/// Walks the statement: each SELECT's FROM is a scope for the expressions inside that SELECT;
/// a query (subquery, CTE body) starts an empty scope, so a name from an enclosing query (a
/// correlated reference, or an ORDER BY after the SELECT) is never checked against the wrong one.
struct Checker<'a> {
    analysis: &'a Analysis<'a>,
    ctes: Vec<Env>,
    scopes: Vec<HashMap<String, Option<Known>>>,
    found: Vec<UnknownColumn>,
}

impl Visitor for Checker<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        let env = self.analysis.with_env(query, &self.ctes);
        self.ctes.push(env);
        self.scopes.push(HashMap::new());
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<()> {
        self.ctes.pop();
        self.scopes.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        let mut scope: HashMap<String, Option<Known>> = HashMap::new();
        for (name, known) in self.analysis.select_bindings(select, &self.ctes) {
            // A name bound twice in one FROM is ambiguous: check nothing through it.
            let twice = scope.contains_key(&name);
            scope.insert(name, if twice { None } else { known });
        }
        self.scopes.push(scope);
        ControlFlow::Continue(())
    }

    fn post_visit_select(&mut self, _select: &Select) -> ControlFlow<()> {
        self.scopes.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        let Expr::CompoundIdentifier(parts) = expr else {
            return ControlFlow::Continue(());
        };
        let [qualifier, column] = parts.as_slice() else {
            return ControlFlow::Continue(());
        };
        let Some(Some(known)) = self.scopes.last().and_then(|scope| scope.get(&key(qualifier))) else {
            return ControlFlow::Continue(());
        };
        let wanted = column.value.to_ascii_lowercase();
        if known.columns.iter().any(|c| c.to_ascii_lowercase() == wanted) || column.span.start.line == 0 {
            return ControlFlow::Continue(());
        }
        self.found.push(UnknownColumn {
            qualifier: qualifier.value.clone(),
            column: column.value.clone(),
            relation: known.relation.clone(),
            known: known.columns.clone(),
            line: usize::try_from(column.span.start.line).unwrap_or(0),
            column_number: usize::try_from(column.span.start.column).unwrap_or(0),
        });
        ControlFlow::Continue(())
    }
}

fn parse_one(masked: &Masked) -> Option<Statement> {
    let text = masked.text.trim_end();
    let text = text.strip_suffix(';').unwrap_or(text);
    let mut statements = Parser::parse_sql(&DuckDbDialect {}, text).ok()?;
    (statements.len() == 1).then(|| statements.pop()).flatten()
}

/// Columns read through a qualifier that its relation lacks, in `sql` (one model's SQL, Jinja
/// included). Empty when nothing is certain, including when the SQL does not parse.
pub fn unknown_qualified_columns(sql: &str, upstream: UpstreamColumns<'_>) -> Vec<UnknownColumn> {
    let masked = mask_jinja(sql);
    let Some(statement) = parse_one(&masked) else {
        return Vec::new();
    };
    let analysis = Analysis {
        masked: &masked,
        upstream,
        asked: Default::default(),
    };
    let mut checker = Checker {
        analysis: &analysis,
        ctes: Vec::new(),
        scopes: Vec::new(),
        found: Vec::new(),
    };
    let _ = statement.visit(&mut checker);
    checker.found
}

/// The names of the columns `sql` (one model's SQL, Jinja included) returns, through its CTEs and
/// wildcards, when all are certain.
pub fn model_columns(sql: &str, upstream: UpstreamColumns<'_>) -> Option<Vec<String>> {
    let masked = mask_jinja(sql);
    let Statement::Query(query) = parse_one(&masked)? else {
        return None;
    };
    let analysis = Analysis {
        masked: &masked,
        upstream,
        asked: Default::default(),
    };
    analysis.query_columns(&query, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upstreams(upstream: &Upstream) -> Option<Vec<String>> {
        let names: &[&str] = match upstream.to_string().as_str() {
            "ref('stg_categories')" => &["cat_id", "cat_group", "cat_name"],
            "ref('stg_events')" => &["event_id", "cat_id", "event_name"],
            "source('tickit', 'sales')" => &["sale_id", "qty"],
            _ => return None,
        };
        Some(names.iter().map(|s| s.to_string()).collect())
    }

    const MODEL: &str = "{{ config(materialized='table') }}

with categories as (
    select * from {{ ref('stg_categories') }}
),
events as (
    select * exclude (cat_id), cat_id as category from {{ ref('stg_events') }}
),
final as (
    select e.event_id, c.cat_namX, e.cat_id, e.category
    from events as e
    join categories c on c.cat_id = e.category
    order by e.nope
)
select * from final";

    #[test]
    fn finds_columns_the_upstream_lacks_through_ctes_and_wildcards() {
        let found = unknown_qualified_columns(MODEL, &upstreams);
        let summary: Vec<(String, String, usize, usize)> = found
            .iter()
            .map(|f| (f.qualifier.clone(), f.column.clone(), f.line, f.column_number))
            .collect();
        // `e.cat_id` was excluded by `* exclude (cat_id)`; ORDER BY is outside the SELECT's scope.
        assert_eq!(
            summary,
            vec![
                ("c".into(), "cat_namX".into(), 10, 26),
                ("e".into(), "cat_id".into(), 10, 38)
            ]
        );
        assert_eq!(found[0].relation, "categories (from ref('stg_categories'))");
        assert_eq!(found[0].known, vec!["cat_id", "cat_group", "cat_name"]);
        assert_eq!(
            model_columns(MODEL, &upstreams),
            Some(vec![
                "event_id".into(),
                "cat_namX".into(),
                "cat_id".into(),
                "category".into()
            ])
        );
    }

    #[test]
    fn says_nothing_when_unsure() {
        let quiet = |sql: &str| unknown_qualified_columns(sql, &upstreams);
        // An upstream the caller does not know, a plain table, an unnamed expression upstream.
        assert_eq!(quiet("select u.nope from {{ ref('unknown') }} u"), vec![]);
        assert_eq!(quiet("select t.nope from main.t t"), vec![]);
        assert_eq!(
            quiet("with x as (select count(*) from {{ ref('stg_events') }}) select x.nope from x"),
            vec![]
        );
        // A correlated subquery's outer reference and an alias bound twice.
        assert_eq!(
            quiet("select * from {{ ref('stg_events') }} e where exists (select 1 from {{ ref('stg_categories') }} c where c.cat_id = e.nope)"),
            vec![]
        );
        assert_eq!(
            quiet("select a.nope from {{ ref('stg_events') }} a join {{ ref('stg_categories') }} a using (cat_id)"),
            vec![]
        );
        assert_eq!(quiet("this is not sql {{ ref('stg_events') }}"), vec![]);
        // Quoted and differently cased names match as the warehouse matches them.
        assert_eq!(
            quiet("select S.QTY, s.\"sale_id\" from {{ source('tickit', 'sales') }} s"),
            vec![]
        );
    }

    #[test]
    fn subqueries_in_from_have_their_columns() {
        let found = unknown_qualified_columns(
            "select q.total, q.nope from (select sum(qty) as total from {{ source('tickit', 'sales') }}) q",
            &upstreams,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].column.as_str(), found[0].relation.as_str()),
            ("nope", "a subquery")
        );
    }
}
