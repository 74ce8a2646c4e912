//! Small SQL text helpers shared by the adapter and the studio's query console (which builds
//! paging and filter statements over result tables with the same quoting rules).

/// Quotes an identifier for DuckDB/Postgres-style SQL, doubling embedded quotes.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal, doubling embedded single quotes.
pub fn quote_literal(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// Removes trailing whitespace and semicolons so the SELECT can be embedded in a larger
/// statement (`CREATE TABLE … AS`, a subquery).
pub(crate) fn trim_select(sql: &str) -> &str {
    sql.trim_end_matches(|c: char| c.is_whitespace() || c == ';')
}

/// Skips leading whitespace and comments, returning the rest of the text.
fn skip_leading_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("--") {
            s = match rest.find('\n') {
                Some(pos) => &rest[pos + 1..],
                None => "",
            };
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = match rest.find("*/") {
                Some(pos) => &rest[pos + 2..],
                None => "",
            };
        } else {
            return s;
        }
    }
}

/// True when `sql` starts (after comments) like a statement that returns rows and can therefore
/// be embedded as a subquery or materialised with `CREATE TABLE … AS`: SELECT, WITH, FROM,
/// VALUES, TABLE or a parenthesised query. Says nothing about what follows a `;`.
pub fn is_query(sql: &str) -> bool {
    let start = skip_leading_comments(sql);
    if start.starts_with('(') {
        return true;
    }
    let first: String = start
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_lowercase();
    matches!(first.as_str(), "select" | "with" | "from" | "values" | "table")
}

/// True when `sql` is a single query statement that can be wrapped as a subquery so DuckDB can
/// stop after the requested rows. Anything doubtful (several statements, `;` inside a string,
/// PRAGMA, SHOW …) answers false and is run as written.
pub(crate) fn is_single_query(sql: &str) -> bool {
    let body = trim_select(sql);
    !body.contains(';') && is_query(body)
}

/// True when `sql` holds nothing but whitespace, comments and semicolons (DuckDB refuses to
/// prepare an empty statement list).
pub(crate) fn is_blank(sql: &str) -> bool {
    let mut rest = sql;
    loop {
        let next = skip_leading_comments(rest).trim_start_matches(';');
        if next.len() == rest.len() {
            return next.trim().is_empty();
        }
        rest = next;
    }
}

/// Number of newline characters in `s`; used to translate DuckDB's `LINE n` back into the
/// caller's SQL after it was embedded below a generated prefix.
pub(crate) fn count_lines(s: &str) -> usize {
    s.bytes().filter(|b| *b == b'\n').count()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_quotes() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
    }

    #[test]
    fn trims_trailing_semicolons() {
        assert_eq!(trim_select("select 1 ;\n "), "select 1");
        assert_eq!(trim_select("select 1"), "select 1");
    }

    #[test]
    fn detects_blank_sql() {
        assert!(is_blank(" -- nothing\n ; /* x */ ;\n"));
        assert!(!is_blank("-- c\nselect 1"));
    }

    #[test]
    fn detects_single_queries() {
        assert!(is_single_query("-- hi\n/* x */ SELECT 1;"));
        assert!(is_single_query("with a as (select 1) select * from a"));
        assert!(is_single_query("(select 1) union all (select 2)"));
        assert!(!is_single_query("select 1; select 2"));
        assert!(!is_single_query("pragma version"));
        assert!(!is_single_query("create table t as select 1"));
    }

    #[test]
    fn recognises_queries() {
        assert!(is_query("-- top\n/* c */ SELECT 1"));
        assert!(is_query("with a as (select 1) select * from a"));
        assert!(is_query("from t"));
        assert!(is_query("(select 1) union (select 2)"));
        assert!(!is_query("create table t as select 1"));
        assert!(!is_query("show tables"));
        assert!(!is_query("insert into t values (1)"));
    }
}
