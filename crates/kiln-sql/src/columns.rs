//! The names of the columns a query returns, read from its text alone — for checks that run
//! without a warehouse (`kiln parse` checking that a chart names columns its query has).
//!
//! Only what can be known for certain is answered: a select list of plain column references and
//! aliased expressions. A `*`, an unaliased expression (whose name the warehouse makes up, such as
//! DuckDB's `count_star()`), a query that does not parse, or anything else unclear gives `None`,
//! so a check built on this never flags a column that is in fact there.

use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement};
use sqlparser::dialect::DuckDbDialect;
use sqlparser::parser::Parser;

fn set_columns(body: &SetExpr) -> Option<Vec<String>> {
    match body {
        SetExpr::Select(select) => select
            .projection
            .iter()
            .map(|item| match item {
                SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
                SelectItem::UnnamedExpr(Expr::Identifier(ident)) => Some(ident.value.clone()),
                SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => parts.last().map(|p| p.value.clone()),
                _ => None,
            })
            .collect(),
        SetExpr::Query(query) => set_columns(&query.body),
        // A UNION's columns are named by its first branch.
        SetExpr::SetOperation { left, .. } => set_columns(left),
        _ => None,
    }
}

/// The names of the columns `sql` (one SELECT, Jinja allowed) returns, in order, or `None` when
/// they cannot be known from the text.
pub fn output_columns(sql: &str) -> Option<Vec<String>> {
    // Jinja masked: `{{ ref('x') }}` stands where a table name or a value goes, as an identifier.
    let text = crate::jinja_mask::mask_jinja(sql).text;
    let statements = Parser::parse_sql(&DuckDbDialect {}, text.trim().trim_end_matches(';')).ok()?;
    let [Statement::Query(query)] = statements.as_slice() else {
        return None;
    };
    set_columns(&query.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Option<Vec<String>> {
        output_columns(sql)
    }

    #[test]
    fn reads_references_and_aliases() {
        assert_eq!(
            names("select c.catname, sum(s.pricepaid) as sales, s.qty from {{ ref('fct_sales') }} s join c using (catid) group by 1, 3"),
            Some(vec!["catname".into(), "sales".into(), "qty".into()])
        );
        assert_eq!(
            names("with t as (select 1 as a) select a, \"Mixed Case\" from t;"),
            Some(vec!["a".into(), "Mixed Case".into()])
        );
        assert_eq!(
            names("select a as x from t union all select b from u"),
            Some(vec!["x".into()])
        );
        assert_eq!(
            names("{% set n = 3 %}select ts as \"time\", temp from {{ source('iot', 'readings') }} {# note #} where x > {{ n }}"),
            Some(vec!["time".into(), "temp".into()])
        );
    }

    #[test]
    fn says_nothing_when_unsure() {
        assert_eq!(names("select * from t"), None);
        assert_eq!(names("select t.*, a from t"), None);
        assert_eq!(names("select count(*) from t"), None);
        assert_eq!(names("select a from t; select b from u"), None);
        assert_eq!(names("this is not sql"), None);
        assert_eq!(names("insert into t values (1)"), None);
    }
}
