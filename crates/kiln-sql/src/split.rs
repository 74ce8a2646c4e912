//! Statement splitting for "run script" and "run statement under cursor".

use sqlparser::tokenizer::{Token, Whitespace};

use crate::lexer::{lex, Tok};

/// One statement of a script.
///
/// `sql` is `script[start..end]`: from its first token to its last, without surrounding
/// whitespace/comments and without the terminating `;`. `line` and `column` are 1-based and
/// point at `start`; the column counts characters (Unicode scalar values), not bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The statement text, exactly as in the script.
    pub sql: String,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, in characters.
    pub column: usize,
}

/// Splits a script into statements on top-level `;` (not inside strings, quoted identifiers,
/// comments, dollar-quoted bodies). Each piece carries its byte range and 1-based start
/// line/column so an editor can run "the statement under the cursor". Empty/comment-only pieces
/// are dropped.
///
/// A blank line also ends a statement when the text before it is a whole statement and the text
/// after it starts a new one (`select 1` ⏎⏎ `select 2` is two statements, as in DBeaver's
/// "smart" mode), so a console script without `;` runs as the user sees it. Blank lines inside a
/// statement (between CTEs, before `union`, after `with … as (…)`) never split it: the text before
/// must parse on its own (see [`ends_statement`]).
///
/// If the script cannot be tokenized to the end (an unterminated string while the user is still
/// typing), everything from the last `;` before the problem onwards is one statement, so the
/// earlier statements still split normally.
pub fn split_statements(script: &str) -> Vec<Statement> {
    pieces(script).into_iter().filter_map(|p| p.statement).collect()
}

/// The statement an editor cursor at `byte_offset` belongs to.
///
/// Each statement owns the text after the previous `;` up to and including its own `;`, so a
/// cursor just after `;` still selects the statement that `;` ends. A cursor in an empty or
/// comment-only stretch (e.g. trailing whitespace) selects the nearest statement before it, or
/// else the next one. `None` for an offset past the end or a script without statements.
pub fn statement_at(script: &str, byte_offset: usize) -> Option<Statement> {
    if byte_offset > script.len() {
        return None;
    }
    let mut pieces = pieces(script);
    let hit = pieces.iter().position(|p| byte_offset <= p.region_end)?;
    let chosen = (0..=hit)
        .rev()
        .find(|&k| pieces[k].statement.is_some())
        .or_else(|| (hit..pieces.len()).find(|&k| pieces[k].statement.is_some()))?;
    pieces.swap_remove(chosen).statement
}

/// Every statement with the last cursor offset that [`statement_at`] maps to it: statement `k`
/// owns the offsets after the previous one's up to and including its own, so an editor can
/// highlight "the statement Ctrl+Enter runs" without asking for every cursor move.
pub fn statement_regions(script: &str) -> Vec<(Statement, usize)> {
    let pieces = pieces(script);
    let mut regions: Vec<(Statement, usize)> = Vec::new();
    let mut previous_end: Option<usize> = None;
    for piece in pieces {
        match piece.statement {
            Some(statement) => {
                // The statement before ends where this one's stretch begins.
                if let (Some(last), Some(end)) = (regions.last_mut(), previous_end) {
                    last.1 = end;
                }
                regions.push((statement, piece.region_end));
            }
            None => {
                if let Some(last) = regions.last_mut() {
                    last.1 = piece.region_end;
                }
            }
        }
        previous_end = Some(piece.region_end);
    }
    regions
}

/// A stretch of the script ending at a `;` (inclusive) or at the end of the script.
struct Piece {
    region_end: usize,
    statement: Option<Statement>,
}

fn pieces(script: &str) -> Vec<Piece> {
    let lexed = lex(script);
    let mut lines = LineIndex::new(script);
    let mut pieces = Vec::new();
    let mut first: Option<usize> = None;
    let mut last_end = 0;
    let mut first_k = 0;
    let mut gap = BlankLines::default();
    for (k, tok) in lexed.toks.iter().enumerate() {
        if tok.token == Token::SemiColon {
            let statement = first.map(|s| lines.statement(s, last_end));
            pieces.push(Piece {
                region_end: tok.end(),
                statement,
            });
            first = None;
            gap = BlankLines::default();
        } else if tok.is_trivia() {
            gap.see(tok);
        } else {
            if let Some(start) = first.filter(|_| gap.seen) {
                let before = &lexed.toks[first_k..k];
                if splits_at_blank_line(before, &lexed.toks[k], &script[start..last_end]) {
                    pieces.push(Piece {
                        region_end: last_end,
                        statement: Some(lines.statement(start, last_end)),
                    });
                    first = None;
                }
            }
            gap = BlankLines::default();
            if first.is_none() {
                first = Some(tok.start);
                first_k = k;
            }
            last_end = tok.end();
        }
    }
    let tail_start = lexed.consumed();
    let tail = script.get(tail_start..).unwrap_or_default();
    if let Some(lead) = tail.find(|c: char| !c.is_whitespace()) {
        first.get_or_insert(tail_start + lead);
        last_end = tail_start + tail.trim_end().len();
    }
    let statement = first.map(|s| lines.statement(s, last_end));
    pieces.push(Piece {
        region_end: script.len(),
        statement,
    });
    pieces
}

/// Whether the trivia since the last token holds a blank line: two line ends with only spaces
/// and tabs between them (a `--` comment ends its line too).
#[derive(Default)]
struct BlankLines {
    /// A line ended and nothing but spaces followed yet.
    at_line_start: bool,
    seen: bool,
}

impl BlankLines {
    fn see(&mut self, tok: &Tok<'_>) {
        match &tok.token {
            Token::Whitespace(Whitespace::Space | Whitespace::Tab) => {}
            Token::Whitespace(Whitespace::Newline) => self.line_end(),
            Token::Whitespace(Whitespace::SingleLineComment { .. }) => {
                self.at_line_start = false;
                if tok.text.ends_with('\n') {
                    self.line_end();
                }
            }
            _ => self.at_line_start = false,
        }
    }

    fn line_end(&mut self) {
        self.seen |= self.at_line_start;
        self.at_line_start = true;
    }
}

/// Statement keywords that never continue the statement before them.
const ONLY_STARTS: &[&str] = &[
    "alter",
    "analyze",
    "attach",
    "begin",
    "call",
    "checkpoint",
    "comment",
    "commit",
    "copy",
    "create",
    "deallocate",
    "delete",
    "describe",
    "detach",
    "drop",
    "execute",
    "explain",
    "export",
    "grant",
    "import",
    "insert",
    "install",
    "load",
    "pragma",
    "prepare",
    "refresh",
    "reset",
    "revoke",
    "rollback",
    "set",
    "show",
    "summarize",
    "truncate",
    "unload",
    "update",
    "use",
    "vacuum",
];

/// Keywords that start a statement but may also go on one (`insert … select`, `create … as with`).
const ALSO_CONTINUES: &[&str] = &["select", "with"];

/// Whether a blank line between the statement so far (`before`, whose text is `text`) and the
/// token `next` ends that statement: `next` must start one, and `text` must be a whole statement
/// (it parses on its own), or else — for text the parser cannot read, such as DuckDB-only syntax
/// or `{% … %}` blocks — `next` must be a keyword that never continues a statement and `before`
/// must be closed (balanced brackets, not ending in an operator, a comma or a joining keyword).
fn splits_at_blank_line(before: &[Tok<'_>], next: &Tok<'_>, text: &str) -> bool {
    let only_starts = next.is_word_in(ONLY_STARTS);
    if !only_starts && !next.is_word_in(ALSO_CONTINUES) {
        return false;
    }
    ends_statement(text) || (only_starts && is_closed(before))
}

/// Keywords after which a statement cannot end.
const JOINING: &[&str] = &[
    "and",
    "as",
    "by",
    "do",
    "else",
    "from",
    "into",
    "join",
    "not",
    "on",
    "or",
    "returning",
    "select",
    "set",
    "table",
    "then",
    "union",
    "using",
    "when",
    "where",
    "with",
];

fn is_closed(toks: &[Tok<'_>]) -> bool {
    let mut depth = 0i64;
    for tok in toks {
        match tok.token {
            Token::LParen | Token::LBracket | Token::LBrace => depth += 1,
            Token::RParen | Token::RBracket | Token::RBrace => depth -= 1,
            _ => {}
        }
    }
    let last = toks.iter().rev().find(|t| !t.is_trivia());
    depth == 0
        && last.is_some_and(|t| {
            !t.is_word_in(JOINING)
                && matches!(
                    t.token,
                    Token::Word(_) | Token::Number(..) | Token::RParen | Token::RBracket | Token::RBrace
                )
                || matches!(
                    t.token,
                    Token::SingleQuotedString(_) | Token::DoubleQuotedString(_) | Token::Mul
                )
        })
}

/// Whether `text` (everything since the previous split) is one whole statement. It must parse on
/// its own, as DuckDB or Redshift SQL, with `{{ … }}` Jinja expressions standing in as names.
/// Text the parser cannot read (DuckDB-only syntax, `{% … %}` blocks) is never split before a
/// `select` or `with`, which could be its continuation.
fn ends_statement(text: &str) -> bool {
    use sqlparser::dialect::{DuckDbDialect, RedshiftSqlDialect};
    use sqlparser::parser::Parser;

    let text = without_jinja_expressions(text);
    let parses = |dialect: &dyn sqlparser::dialect::Dialect| {
        Parser::parse_sql(dialect, &text).is_ok_and(|statements| statements.len() == 1)
    };
    parses(&DuckDbDialect {}) || parses(&RedshiftSqlDialect {})
}

/// `{{ ref('x') }}` → `kiln_jinja`, `{# … #}` → nothing, so the parser sees plain SQL.
fn without_jinja_expressions(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("{{") && !text.contains("{#") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = [("{{", "}}", "kiln_jinja"), ("{#", "#}", "")]
            .into_iter()
            .filter_map(|(open, close, with)| rest.find(open).map(|at| (at, open, close, with)))
            .min_by_key(|(at, ..)| *at);
        let Some((at, open, close, with)) = next else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..at]);
        match rest[at + open.len()..].find(close) {
            Some(end) => {
                out.push_str(with);
                rest = &rest[at + open.len() + end + close.len()..];
            }
            None => {
                out.push_str(&rest[at..]);
                break;
            }
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Incremental byte offset → line/column conversion; statements arrive in order.
struct LineIndex<'a> {
    script: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> LineIndex<'a> {
    fn new(script: &'a str) -> Self {
        Self {
            script,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn statement(&mut self, start: usize, end: usize) -> Statement {
        let skipped = self.script.get(self.offset..start).unwrap_or_default();
        for (k, byte) in skipped.bytes().enumerate() {
            if byte == b'\n' {
                self.line += 1;
                self.line_start = self.offset + k + 1;
            }
        }
        self.offset = start;
        let column = self.script.get(self.line_start..start).map_or(0, |s| s.chars().count()) + 1;
        Statement {
            sql: self.script.get(start..end).unwrap_or_default().to_string(),
            start,
            end,
            line: self.line,
            column,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn sqls(script: &str) -> Vec<String> {
        split_statements(script).into_iter().map(|s| s.sql).collect()
    }

    #[test]
    fn semicolons_inside_literals_and_comments_do_not_split() {
        let script = "SELECT 'a;b' AS \"x;y\"; -- c;d\nSELECT /* e;f */ 2;\nSELECT $$ g;h $$, $t$ i;j $t$";
        assert_eq!(
            sqls(script),
            vec![
                "SELECT 'a;b' AS \"x;y\"",
                "SELECT /* e;f */ 2",
                "SELECT $$ g;h $$, $t$ i;j $t$",
            ]
        );
    }

    #[test]
    fn function_body_with_semicolons_is_one_statement() {
        let script = "CREATE FUNCTION f() RETURNS int AS $$\n  SELECT 1;\n  SELECT 2;\n$$ LANGUAGE sql;\nSELECT f();";
        let got = sqls(script);
        assert_eq!(got.len(), 2);
        assert!(got[0].ends_with("$$ LANGUAGE sql"), "{got:?}");
        assert_eq!(got[1], "SELECT f()");
    }

    #[test]
    fn empty_and_comment_only_pieces_are_dropped() {
        assert_eq!(
            sqls(";; -- only a comment\n;\n/* and this */;  SELECT 1 ;\n\n"),
            vec!["SELECT 1"]
        );
        assert!(split_statements("  -- nothing\n").is_empty());
        assert!(split_statements("").is_empty());
    }

    #[test]
    fn trailing_statement_without_semicolon() {
        assert_eq!(sqls("SELECT 1;\nSELECT 2\n"), vec!["SELECT 1", "SELECT 2"]);
    }

    #[test]
    fn ranges_lines_and_columns() {
        let script = "SELECT 1;\n  -- lead\n  SELECT\n    2 ;  SELECT 'é';\r\nSELECT 4";
        let stmts = split_statements(script);
        let got: Vec<_> = stmts.iter().map(|s| (s.sql.as_str(), s.line, s.column)).collect();
        assert_eq!(
            got,
            vec![
                ("SELECT 1", 1, 1),
                ("SELECT\n    2", 3, 3),
                ("SELECT 'é'", 4, 10),
                ("SELECT 4", 5, 1),
            ]
        );
        for s in &stmts {
            assert_eq!(&script[s.start..s.end], s.sql);
        }
        // Column counts characters: the statement after 'é' starts one byte later than it looks.
        let tail = statement_at(script, script.len()).unwrap();
        assert_eq!(tail.start, script.rfind("SELECT 4").unwrap());
    }

    #[test]
    fn statement_at_boundaries() {
        let script = "SELECT 1;  SELECT 2;\n\n";
        //            0123456789012345678901
        let at = |o| statement_at(script, o).map(|s| s.sql);
        assert_eq!(at(0).as_deref(), Some("SELECT 1"));
        assert_eq!(at(8).as_deref(), Some("SELECT 1")); // on the ';'
        assert_eq!(at(9).as_deref(), Some("SELECT 1")); // just after the ';'
        assert_eq!(at(10).as_deref(), Some("SELECT 2")); // in the gap before the next
        assert_eq!(at(11).as_deref(), Some("SELECT 2")); // at its first byte
        assert_eq!(at(20).as_deref(), Some("SELECT 2")); // just after its ';'
        assert_eq!(at(22).as_deref(), Some("SELECT 2")); // trailing blank lines
        assert_eq!(at(23), None); // past the end
        assert_eq!(statement_at(";; -- x\n", 3), None);
        assert_eq!(
            statement_at("-- header\n;SELECT 9", 0).map(|s| s.sql).as_deref(),
            Some("SELECT 9")
        );
    }

    #[test]
    fn a_blank_line_between_whole_statements_splits() {
        // The console's defect: two statements, a blank line, no `;`, ran as one.
        let script = "select count(*) from main.fct_sales\n\nselect cat_name\nfrom main.dim_category\n";
        let stmts = split_statements(script);
        let got: Vec<_> = stmts.iter().map(|s| (s.sql.as_str(), s.line)).collect();
        assert_eq!(
            got,
            vec![
                ("select count(*) from main.fct_sales", 1),
                ("select cat_name\nfrom main.dim_category", 3)
            ]
        );
        // Spaces on the blank line, a comment before or after it, Windows line ends.
        assert_eq!(sqls("select 1 \n  \t\n-- next\nselect 2").len(), 2);
        assert_eq!(sqls("select 1\n-- done\n\nselect 2").len(), 2);
        assert_eq!(sqls("select 1\r\n\r\nselect 2"), vec!["select 1", "select 2"]);
        // Jinja expressions and DDL.
        assert_eq!(
            sqls("select * from {{ ref('fct_sales') }}\n\ncreate table t as select 1\n\ndrop table t"),
            vec![
                "select * from {{ ref('fct_sales') }}",
                "create table t as select 1",
                "drop table t"
            ]
        );
        // Text the parser cannot read still splits before a keyword that never continues it.
        assert_eq!(
            sqls("pragma version\n\nshow tables"),
            vec!["pragma version", "show tables"]
        );
    }

    #[test]
    fn a_blank_line_inside_a_statement_does_not_split() {
        for script in [
            "with a as (\n  select 1 as x\n\n), b as (select 2)\n\nselect * from a, b",
            "with a as (select 1)\n\nselect * from a",
            "select 1\n\nunion all\n\nselect 2",
            "select 1 union all\n\nselect 2",
            "insert into t (a, b)\n\nselect 1, 2",
            "create table t as\n\nselect 1",
            "select *\nfrom a\n\nwhere x = 1\n\norder by 1",
            "select *\n\nfrom a",
            "explain\n\nselect 1",
            "select 1\n\n(select 2)",
            "insert into t select * from s\non conflict do\n\nupdate set x = 1",
        ] {
            assert_eq!(
                split_statements(script).len(),
                1,
                "{script:?} was split: {:?}",
                sqls(script)
            );
        }
    }

    #[test]
    fn statement_at_after_a_blank_line_split() {
        let script = "select 1\n\nselect 2\n";
        let at = |o| statement_at(script, o).map(|s| s.sql);
        assert_eq!(at(0).as_deref(), Some("select 1"));
        assert_eq!(at(8).as_deref(), Some("select 1")); // end of its line
        assert_eq!(at(10).as_deref(), Some("select 2"));
        assert_eq!(at(script.len()).as_deref(), Some("select 2"));
    }

    #[test]
    fn regions_agree_with_statement_at_everywhere() {
        for script in [
            "SELECT 1;  SELECT 2;\n\n",
            "-- header\n;SELECT 9",
            "select 1\n\nselect 2\n",
            "SELECT 1;\n  -- lead\n  SELECT\n    2 ;  SELECT 'é';\r\nSELECT 4",
            ";; -- x\n",
            "select 1; -- trailing\n; \n select 2 ; ;",
        ] {
            let regions = statement_regions(script);
            for offset in 0..=script.len() + 1 {
                if !script.is_char_boundary(offset.min(script.len())) {
                    continue;
                }
                let expected = statement_at(script, offset).map(|s| s.start);
                let got = regions.iter().find(|(_, end)| offset <= *end).map(|(s, _)| s.start);
                let got = if offset > script.len() { None } else { got };
                assert_eq!(got, expected, "{script:?} at {offset}");
            }
        }
    }

    #[test]
    fn unterminated_string_keeps_earlier_statements() {
        let script = "SELECT 1; SELECT 'oops; SELECT 3";
        assert_eq!(sqls(script), vec!["SELECT 1", "SELECT 'oops; SELECT 3"]);
    }
}
