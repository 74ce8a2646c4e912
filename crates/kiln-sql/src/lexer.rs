//! Token stream with exact source slices.
//!
//! `Token`'s `Display` does not reproduce every input byte (`\r\n` prints as `\n`, unicode
//! whitespace as a space, `E'…'` escapes are normalised), so each token keeps the slice of the
//! original text its span covers. Anything the translator does not rewrite is emitted from that
//! slice and therefore survives byte-for-byte.

use sqlparser::dialect::{Dialect, PostgreSqlDialect, RedshiftSqlDialect};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer, TokenizerError, Whitespace};

use crate::SqlError;

#[derive(Debug, Clone)]
pub struct Tok<'a> {
    pub token: Token,
    pub text: &'a str,
    pub start: usize,
}

impl Tok<'_> {
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }

    /// Whitespace and comments: never significant for matching.
    pub fn is_trivia(&self) -> bool {
        matches!(self.token, Token::Whitespace(_))
    }

    /// Plain layout (no comments); safe to drop or collapse.
    pub fn is_blank(&self) -> bool {
        matches!(
            self.token,
            Token::Whitespace(Whitespace::Space | Whitespace::Tab | Whitespace::Newline)
        )
    }

    pub fn is_line_comment(&self) -> bool {
        matches!(self.token, Token::Whitespace(Whitespace::SingleLineComment { .. }))
    }

    /// The text of an unquoted word (keyword or identifier).
    pub fn word(&self) -> Option<&str> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.as_str()),
            _ => None,
        }
    }

    pub fn is_word(&self, expected: &str) -> bool {
        self.word().is_some_and(|w| w.eq_ignore_ascii_case(expected))
    }

    pub fn is_word_in(&self, expected: &[&str]) -> bool {
        self.word()
            .is_some_and(|w| expected.iter().any(|e| w.eq_ignore_ascii_case(e)))
    }
}

/// Result of lexing: the tokens that could be read and, if the tokenizer gave up, why. On error
/// the text after the last token (`text[last.end()..]`) is the part that could not be tokenized.
pub struct Lexed<'a> {
    pub toks: Vec<Tok<'a>>,
    pub error: Option<SqlError>,
}

impl Lexed<'_> {
    pub fn consumed(&self) -> usize {
        self.toks.last().map_or(0, Tok::end)
    }
}

pub fn lex(text: &str) -> Lexed<'_> {
    let redshift = RedshiftSqlDialect {};
    let (spans, error) = tokenize(&redshift, text);
    let Some(error) = error else {
        return attach_text(text, spans, None);
    };
    // Redshift treats `\` as an escape inside '…' but DuckDB does not, so DuckDB-style text such as
    // 'C:\' fails to tokenize as Redshift. PostgreSQL's rules (no backslash escapes) read it.
    let postgres = PostgreSqlDialect {};
    match tokenize(&postgres, text) {
        (pg_spans, None) => attach_text(text, pg_spans, None),
        _ => attach_text(text, spans, Some(error)),
    }
}

fn tokenize(dialect: &dyn Dialect, text: &str) -> (Vec<TokenWithSpan>, Option<TokenizerError>) {
    let mut buf = Vec::new();
    let result = Tokenizer::new(dialect, text).tokenize_with_location_into_buf(&mut buf);
    (buf, result.err())
}

fn attach_text(text: &str, spans: Vec<TokenWithSpan>, error: Option<TokenizerError>) -> Lexed<'_> {
    let mut cursor = Cursor {
        text,
        byte: 0,
        line: 1,
        column: 1,
    };
    let mut toks = Vec::with_capacity(spans.len());
    for TokenWithSpan { token, span } in spans {
        let start = cursor.byte;
        let end = cursor.advance_to(span.end);
        toks.push(Tok {
            token,
            text: &text[start..end],
            start,
        });
    }
    let error = error.map(|e| SqlError::Tokenize {
        line: e.location.line,
        column: e.location.column,
        message: e.message,
    });
    Lexed { toks, error }
}

/// Walks the text the way the tokenizer counts locations: a `\n` starts a new line, every other
/// character (including `\r`) advances the column by one.
struct Cursor<'a> {
    text: &'a str,
    byte: usize,
    line: u64,
    column: u64,
}

impl Cursor<'_> {
    fn advance_to(&mut self, target: Location) -> usize {
        while (self.line, self.column) < (target.line, target.column) {
            let Some(ch) = self.text.get(self.byte..).and_then(|rest| rest.chars().next()) else {
                break;
            };
            self.byte += ch.len_utf8();
            if ch == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.byte
    }
}

/// Index of the first significant (non-trivia) token at or after `from`.
pub(crate) fn next_sig(toks: &[Tok<'_>], from: usize) -> Option<usize> {
    (from..toks.len()).find(|&i| !toks[i].is_trivia())
}

/// Index of the last significant token strictly before `before`.
pub(crate) fn prev_sig(toks: &[Tok<'_>], before: usize) -> Option<usize> {
    (0..before.min(toks.len())).rev().find(|&i| !toks[i].is_trivia())
}

/// Index of the `)` closing the `(` at `open`.
pub(crate) fn matching_paren(toks: &[Tok<'_>], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, tok) in toks.iter().enumerate().skip(open) {
        match tok.token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn rebuilt(text: &str) -> String {
        let lexed = lex(text);
        assert!(lexed.error.is_none(), "{text:?}: {:?}", lexed.error);
        lexed.toks.iter().map(|t| t.text).collect()
    }

    #[test]
    fn token_slices_cover_the_input_exactly() {
        for text in [
            "SELECT 1",
            "select a,\r\n  b -- trailing\r\nfrom t /* multi\nline */ where x = 'it''s';",
            "SELECT 'héllo' AS \"naïve\", E'a\\'b', $$ body ; $$, $tag$ x $tag$ FROM t\u{00a0}x",
            "select [col] from #temp where a::text ilike '%x%' || 'y'",
            "\n\n  \t",
            "",
        ] {
            assert_eq!(rebuilt(text), text);
        }
    }

    #[test]
    fn tokens_know_their_offsets() {
        let lexed = lex("ab ,\n'c'");
        let starts: Vec<_> = lexed.toks.iter().map(|t| (t.start, t.text)).collect();
        assert_eq!(starts, vec![(0, "ab"), (2, " "), (3, ","), (4, "\n"), (5, "'c'")]);
    }

    #[test]
    fn backslash_terminated_duckdb_string_falls_back_to_postgres_rules() {
        let text = r"SELECT 'C:\' AS p; SELECT 2";
        let lexed = lex(text);
        assert!(lexed.error.is_none());
        assert_eq!(lexed.toks.iter().map(|t| t.text).collect::<String>(), text);
        assert!(lexed
            .toks
            .iter()
            .any(|t| t.token == Token::SingleQuotedString(r"C:\".to_string())));
    }

    #[test]
    fn unterminated_string_reports_error_and_keeps_prefix() {
        let lexed = lex("SELECT 1; SELECT 'oops");
        let err = lexed.error.clone().expect("tokenizer must fail");
        assert!(err.to_string().contains("line 1"), "{err}");
        assert_eq!(&"SELECT 1; SELECT 'oops"[..lexed.consumed()], "SELECT 1; SELECT ");
    }
}
