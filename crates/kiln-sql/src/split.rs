//! Statement splitting for "run script" and "run statement under cursor".

use sqlparser::tokenizer::Token;

use crate::lexer::lex;

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
    for tok in &lexed.toks {
        if tok.token == Token::SemiColon {
            let statement = first.map(|s| lines.statement(s, last_end));
            pieces.push(Piece {
                region_end: tok.end(),
                statement,
            });
            first = None;
        } else if !tok.is_trivia() {
            first.get_or_insert(tok.start);
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
    fn unterminated_string_keeps_earlier_statements() {
        let script = "SELECT 1; SELECT 'oops; SELECT 3";
        assert_eq!(sqls(script), vec!["SELECT 1", "SELECT 'oops; SELECT 3"]);
    }
}
