//! Redshift statements DuckDB cannot run, read as data for the stream engine: external schemas
//! over Kinesis/MSK, streaming materialized views (create, refresh, drop) and `COPY … FROM 's3://…'`.
//!
//! Works on the same token stream as the translator, so comments, string literals and quoted
//! identifiers never confuse it. Keywords are case-insensitive; names keep the case they were
//! written in, without their quotes.

use sqlparser::tokenizer::Token;

use crate::lexer::{lex, Tok};
use crate::SqlError;

/// A Redshift statement Kiln handles itself instead of sending it to DuckDB.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedshiftDdl {
    /// `CREATE EXTERNAL SCHEMA [IF NOT EXISTS] s FROM KINESIS IAM_ROLE { default | 'arn' }`.
    CreateExternalSchema {
        schema: String,
        if_not_exists: bool,
        source: ExternalSource,
        /// `"default"` for `IAM_ROLE default`, otherwise the quoted role text (an ARN, not a secret).
        iam_role: Option<String>,
    },
    /// `CREATE MATERIALIZED VIEW [schema.]name [BACKUP …] [DISTSTYLE …] [DISTKEY (c)]
    /// [[COMPOUND|INTERLEAVED] SORTKEY (…)] [AUTO REFRESH {YES|NO}] AS select`.
    CreateMaterializedView {
        schema: Option<String>,
        name: String,
        if_not_exists: bool,
        backup: Option<bool>,
        /// `EVEN`, `ALL`, `KEY` or `AUTO`, upper-cased.
        diststyle: Option<String>,
        distkey: Option<String>,
        /// Sort key columns; empty without SORTKEY and for `SORTKEY AUTO`.
        sortkey: Vec<String>,
        auto_refresh: Option<bool>,
        /// The query exactly as written (still Redshift SQL), without the outer parentheses of
        /// `AS ( … )` and without surrounding whitespace or comments.
        select_sql: String,
        /// Byte offset of `select_sql` in the statement, to map DuckDB's errors back to lines.
        select_offset: usize,
    },
    /// `REFRESH MATERIALIZED VIEW [schema.]name`.
    RefreshMaterializedView { schema: Option<String>, name: String },
    /// `DROP MATERIALIZED VIEW [IF EXISTS] [schema.]name [CASCADE | RESTRICT]`.
    DropMaterializedView {
        schema: Option<String>,
        name: String,
        if_exists: bool,
        cascade: bool,
    },
    /// Redshift's `COPY table [(columns)] FROM 's3://…' [credentials] [format] [options]`.
    Copy {
        schema: Option<String>,
        table: String,
        columns: Vec<String>,
        /// The quoted source (`s3://bucket/prefix`, a manifest, `dynamodb://…`).
        from: String,
        format: CopyFormat,
        gzip: bool,
        /// CREDENTIALS, IAM_ROLE or ACCESS_KEY_ID/SECRET_ACCESS_KEY was given. The credential
        /// text itself is never kept.
        credentials_given: bool,
        /// Options that were read but are not honoured, by keyword (`TIMEFORMAT`, `REGION`,
        /// `MANIFEST`, `MAXERROR`, …), in the order written.
        other_options: Vec<String>,
    },
}

/// Where an external schema's data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternalSource {
    Kinesis,
    Msk,
    /// Any other source, upper-cased: `DATA CATALOG` (also when FROM is left out), `POSTGRES`,
    /// `MYSQL`, `REDSHIFT`, `HIVE METASTORE`, `KAFKA`.
    Other(String),
}

/// The data format of a COPY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyFormat {
    /// `CSV [QUOTE [AS] 'c']`, optionally with `DELIMITER` (default `,`) and `IGNOREHEADER n`.
    Csv {
        ignore_header: u32,
        delimiter: Option<char>,
        quote: Option<char>,
    },
    /// `JSON 'auto' | 'auto ignorecase' | 'noshred' | 's3://jsonpaths'`.
    Json(JsonMode),
    /// Redshift's default text format: `DELIMITER` (default `|`) separated fields.
    Delimited { delimiter: char, ignore_header: u32 },
    /// A format Kiln reads the statement for but does not load: `PARQUET`, `ORC`, `AVRO`,
    /// `FIXEDWIDTH`, `SHAPEFILE`, upper-cased.
    Other(String),
}

/// How JSON records map to columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonMode {
    /// Keys match column names exactly (`'auto'`, also a bare `JSON`).
    Auto,
    /// Keys match column names ignoring case.
    AutoIgnoreCase,
    /// Each whole document goes into the table's single SUPER column.
    NoShred,
    /// A JSONPaths file maps the fields to columns.
    JsonPathsFile(String),
}

/// A statement that clearly is one of the [`RedshiftDdl`] statements but cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct DdlError {
    /// What is wrong and what to write instead.
    pub message: String,
    /// 1-based line of the offending token.
    pub line: u64,
    /// 1-based column (in characters) of the offending token.
    pub column: u64,
}

/// Reads one statement (a trailing `;` is allowed). `Ok(None)` for anything that is not a
/// Redshift external-schema, materialized-view or COPY statement, including a DuckDB/PostgreSQL
/// `COPY t FROM 'file' (FORMAT csv)`, which DuckDB runs itself. A COPY is claimed when it reads
/// from `s3://` (or `dynamodb://`, `emr://`) or uses an option only Redshift has (IGNOREHEADER,
/// CREDENTIALS, IAM_ROLE, JSON 'auto', GZIP, …).
pub fn parse_redshift_ddl(statement: &str) -> Result<Option<RedshiftDdl>, DdlError> {
    let lexed = lex(statement);
    let sig: Vec<&Tok<'_>> = lexed.toks.iter().filter(|t| !t.is_trivia()).collect();
    let Some(kind) = Kind::of(&sig) else {
        return Ok(None);
    };
    if let Some(SqlError::Tokenize { line, column, message }) = lexed.error {
        return Err(DdlError {
            message: format!(
                "cannot read this {}: {message}; close the string, quoted identifier or comment that starts here",
                kind.title()
            ),
            line,
            column,
        });
    }
    let mut p = Parser {
        text: statement,
        toks: sig,
        pos: 0,
    };
    let parsed = match kind {
        Kind::ExternalSchema => p.external_schema().map(Some),
        Kind::CreateMv => p.create_mv().map(Some),
        Kind::RefreshMv => p.refresh_mv().map(Some),
        Kind::DropMv => p.drop_mv().map(Some),
        Kind::Copy => p.copy(),
    }?;
    if parsed.is_some() {
        p.finish(kind)?;
    }
    Ok(parsed)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    ExternalSchema,
    CreateMv,
    RefreshMv,
    DropMv,
    Copy,
}

impl Kind {
    fn of(sig: &[&Tok<'_>]) -> Option<Self> {
        let word = |k: usize, w: &str| sig.get(k).is_some_and(|t| t.is_word(w));
        let mv_at = |k: usize| word(k, "MATERIALIZED") && word(k + 1, "VIEW");
        if word(0, "CREATE") {
            if word(1, "EXTERNAL") && word(2, "SCHEMA") {
                return Some(Self::ExternalSchema);
            }
            if mv_at(1) || (word(1, "OR") && word(2, "REPLACE") && mv_at(3)) {
                return Some(Self::CreateMv);
            }
            return None;
        }
        if word(0, "REFRESH") && mv_at(1) {
            return Some(Self::RefreshMv);
        }
        if word(0, "DROP") && mv_at(1) {
            return Some(Self::DropMv);
        }
        word(0, "COPY").then_some(Self::Copy)
    }

    fn title(self) -> &'static str {
        match self {
            Self::ExternalSchema => "CREATE EXTERNAL SCHEMA",
            Self::CreateMv => "CREATE MATERIALIZED VIEW",
            Self::RefreshMv => "REFRESH MATERIALIZED VIEW",
            Self::DropMv => "DROP MATERIALIZED VIEW",
            Self::Copy => "COPY",
        }
    }
}

/// COPY options that take no value.
const COPY_FLAGS: &[&str] = &[
    "MANIFEST",
    "ENCRYPTED",
    "ACCEPTANYDATE",
    "BLANKSASNULL",
    "EMPTYASNULL",
    "ESCAPE",
    "EXPLICIT_IDS",
    "FILLRECORD",
    "IGNOREBLANKLINES",
    "REMOVEQUOTES",
    "ROUNDEC",
    "TRIMBLANKS",
    "TRUNCATECOLUMNS",
    "NOLOAD",
    "BZIP2",
    "LZOP",
    "ZSTD",
    "SSH",
    "SERIALIZETOJSON",
    "READRATIO",
];

/// COPY options followed by `[AS] 'text'`.
const COPY_STRING_OPTIONS: &[&str] = &[
    "REGION",
    "DATEFORMAT",
    "TIMEFORMAT",
    "NULL",
    "MASTER_SYMMETRIC_KEY",
    "FIXEDWIDTH",
];

/// COPY options followed by `[AS] n`.
const COPY_NUMBER_OPTIONS: &[&str] = &["MAXERROR", "COMPROWS"];

/// COPY options whose value is a word, and whether it may be left out.
const COPY_WORD_OPTIONS: &[(&str, &[&str], bool)] = &[
    ("ENCODING", &["UTF8", "UTF16", "UTF16LE", "UTF16BE"], false),
    ("COMPUPDATE", &["ON", "OFF", "TRUE", "FALSE", "PRESET"], true),
    ("STATUPDATE", &["ON", "OFF", "TRUE", "FALSE"], true),
];

/// COPY options DuckDB's (PostgreSQL-style) COPY has as well; they alone do not make a COPY
/// Redshift's.
const SHARED_COPY_OPTIONS: &[&str] = &["CSV", "DELIMITER", "QUOTE", "ESCAPE", "NULL", "ENCODING"];

/// Source schemes only Redshift's COPY reads.
const REDSHIFT_SOURCES: &[&str] = &["s3://", "dynamodb://", "emr://"];

struct Parser<'s, 'a> {
    text: &'a str,
    /// Significant tokens only.
    toks: Vec<&'s Tok<'a>>,
    pos: usize,
}

/// Data formats and their modifiers gathered in any order, then combined.
#[derive(Default)]
struct CopyOptions {
    format: Option<(usize, CopyFormatWord)>,
    delimiter: Option<char>,
    quote: Option<char>,
    ignore_header: Option<u32>,
}

enum CopyFormatWord {
    Csv,
    Json(JsonMode),
    Other(String),
}

impl<'s, 'a> Parser<'s, 'a> {
    fn peek(&self) -> Option<&'s Tok<'a>> {
        self.toks.get(self.pos).copied()
    }

    fn peek_is(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.is_word(word))
    }

    fn peek_token(&self, token: &Token) -> bool {
        self.peek().is_some_and(|t| &t.token == token)
    }

    fn eat(&mut self, word: &str) -> bool {
        let hit = self.peek_is(word);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn eat_token(&mut self, token: &Token) -> bool {
        let hit = self.peek_token(token);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// `(line, column)` of byte `at`, counted the way the tokenizer counts.
    fn location(&self, at: usize) -> (u64, u64) {
        let before = self.text.get(..at).unwrap_or(self.text);
        let line = before.matches('\n').count() as u64 + 1;
        let line_start = before.rfind('\n').map_or(0, |k| k + 1);
        let column = before[line_start..].chars().count() as u64 + 1;
        (line, column)
    }

    /// An error at the current token, or just past the last one when the statement ended early.
    fn error(&self, message: impl Into<String>) -> DdlError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, index: usize, message: impl Into<String>) -> DdlError {
        let at = match self.toks.get(index) {
            Some(tok) => tok.start,
            None => self.toks.last().map_or(self.text.len(), |t| t.end()),
        };
        let (line, column) = self.location(at);
        DdlError {
            message: message.into(),
            line,
            column,
        }
    }

    /// Describes the current token for messages: `found 'MAYBE'` or `the statement ends`.
    fn found(&self) -> String {
        match self.peek() {
            Some(tok) if tok.token == Token::SemiColon => "the statement ends".to_string(),
            Some(tok) => format!("found `{}`", tok.text),
            None => "the statement ends".to_string(),
        }
    }

    fn expect(&mut self, word: &str, what: &str) -> Result<(), DdlError> {
        if self.eat(word) {
            Ok(())
        } else {
            Err(self.error(format!("expected {word} {what}, but {}", self.found())))
        }
    }

    fn ident(&mut self, what: &str) -> Result<String, DdlError> {
        match self.peek().map(|t| &t.token) {
            Some(Token::Word(w)) => {
                self.pos += 1;
                Ok(w.value.clone())
            }
            _ => Err(self.error(format!(
                "expected {what}, but {}; write a name, in double quotes if it is not a plain word",
                self.found()
            ))),
        }
    }

    /// `[database.][schema.]name`; a database part is accepted and dropped (the local warehouse
    /// has one database).
    fn object_name(&mut self, what: &str) -> Result<(Option<String>, String), DdlError> {
        let mut parts = vec![self.ident(what)?];
        while self.eat_token(&Token::Period) {
            if parts.len() == 3 {
                return Err(self.error_at(self.pos - 1, format!("{what} has too many parts; write schema.name")));
            }
            parts.push(self.ident(what)?);
        }
        let name = parts.pop().unwrap_or_default();
        Ok((parts.pop(), name))
    }

    fn string(&mut self) -> Option<String> {
        match self.peek().map(|t| &t.token) {
            Some(Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) | Token::NationalStringLiteral(s)) => {
                let s = s.clone();
                self.pos += 1;
                Some(s)
            }
            _ => None,
        }
    }

    fn expect_string(&mut self, what: &str) -> Result<String, DdlError> {
        self.string()
            .ok_or_else(|| self.error(format!("expected {what} in single quotes, but {}", self.found())))
    }

    fn yes_no(&mut self, clause: &str) -> Result<bool, DdlError> {
        if self.eat("YES") {
            Ok(true)
        } else if self.eat("NO") {
            Ok(false)
        } else {
            Err(self.error(format!(
                "{clause} takes YES or NO, but {}; write {clause} YES or {clause} NO",
                self.found()
            )))
        }
    }

    /// `( a, b, … )` of names.
    fn name_list(&mut self, what: &str, example: &str) -> Result<Vec<String>, DdlError> {
        if !self.eat_token(&Token::LParen) {
            return Err(self.error(format!(
                "expected `(` and the {what}, but {}; write {example}",
                self.found()
            )));
        }
        let mut names = vec![self.ident(what)?];
        loop {
            if self.eat_token(&Token::RParen) {
                return Ok(names);
            }
            if !self.eat_token(&Token::Comma) {
                return Err(self.error(format!(
                    "expected `,` or `)` in the {what}, but {}; write {example}",
                    self.found()
                )));
            }
            names.push(self.ident(what)?);
        }
    }

    /// After the statement: an optional `;` and nothing else.
    fn finish(&mut self, kind: Kind) -> Result<(), DdlError> {
        self.eat_token(&Token::SemiColon);
        if self.peek().is_some() {
            return Err(self.error(format!(
                "unexpected `{}` after the {}; end it with `;` and pass one statement at a time \
                 (split scripts with split_statements)",
                self.peek().map_or("", |t| t.text),
                kind.title()
            )));
        }
        Ok(())
    }

    fn if_not_exists(&mut self) -> Result<bool, DdlError> {
        if !self.eat("IF") {
            return Ok(false);
        }
        self.expect("NOT", "after IF (write IF NOT EXISTS)")?;
        self.expect("EXISTS", "after IF NOT (write IF NOT EXISTS)")?;
        Ok(true)
    }

    fn external_schema(&mut self) -> Result<RedshiftDdl, DdlError> {
        self.pos = 3; // CREATE EXTERNAL SCHEMA
        let if_not_exists = self.if_not_exists()?;
        let schema = self.ident("the external schema's name")?;
        let source = if self.eat("FROM") {
            if self.eat("KINESIS") {
                ExternalSource::Kinesis
            } else if self.eat("MSK") {
                ExternalSource::Msk
            } else if self.eat("DATA") {
                self.expect("CATALOG", "after FROM DATA (write FROM DATA CATALOG)")?;
                ExternalSource::Other("DATA CATALOG".into())
            } else if self.eat("HIVE") {
                self.expect("METASTORE", "after FROM HIVE (write FROM HIVE METASTORE)")?;
                ExternalSource::Other("HIVE METASTORE".into())
            } else if let Some(word) = self
                .peek()
                .filter(|t| t.is_word_in(&["POSTGRES", "MYSQL", "REDSHIFT", "KAFKA"]))
                .and_then(|t| t.word())
            {
                self.pos += 1;
                ExternalSource::Other(word.to_ascii_uppercase())
            } else {
                // `FROM [DATA CATALOG] DATABASE '…'`: the catalog is the default source.
                ExternalSource::Other("DATA CATALOG".into())
            }
        } else {
            ExternalSource::Other("DATA CATALOG".into())
        };
        // The remaining clauses (DATABASE, REGION, URI, AUTHENTICATION, CLUSTER_ARN, …) describe
        // the remote side; only the role is kept.
        let mut iam_role = None;
        while let Some(tok) = self.peek() {
            if tok.token == Token::SemiColon {
                break;
            }
            self.pos += 1;
            if tok.is_word("IAM_ROLE") {
                iam_role = Some(if self.eat("DEFAULT") {
                    "default".to_string()
                } else {
                    self.string().ok_or_else(|| {
                        self.error(format!(
                            "IAM_ROLE takes default or the role's ARN in single quotes, but {}; \
                             write IAM_ROLE default or IAM_ROLE 'arn:aws:iam::123456789012:role/name'",
                            self.found()
                        ))
                    })?
                });
            }
        }
        Ok(RedshiftDdl::CreateExternalSchema {
            schema,
            if_not_exists,
            source,
            iam_role,
        })
    }

    fn create_mv(&mut self) -> Result<RedshiftDdl, DdlError> {
        if self.toks.get(1).is_some_and(|t| t.is_word("OR")) {
            return Err(self.error_at(
                1,
                "Redshift has no CREATE OR REPLACE MATERIALIZED VIEW; run \
                 DROP MATERIALIZED VIEW IF EXISTS name; then CREATE MATERIALIZED VIEW name … AS SELECT …",
            ));
        }
        self.pos = 3; // CREATE MATERIALIZED VIEW
        let if_not_exists = self.if_not_exists()?;
        let (schema, name) = self.object_name("the materialized view's name")?;
        let mut backup = None;
        let mut diststyle = None;
        let mut distkey = None;
        let mut sortkey = Vec::new();
        let mut auto_refresh = None;
        loop {
            if self.eat("AS") {
                break;
            }
            if self.eat("BACKUP") {
                backup = Some(self.yes_no("BACKUP")?);
            } else if self.eat("DISTSTYLE") {
                let style = self
                    .peek()
                    .filter(|t| t.is_word_in(&["EVEN", "ALL", "KEY", "AUTO"]))
                    .and_then(|t| t.word())
                    .ok_or_else(|| {
                        self.error(format!(
                            "DISTSTYLE takes EVEN, ALL, KEY or AUTO, but {}; write for example DISTSTYLE EVEN",
                            self.found()
                        ))
                    })?;
                self.pos += 1;
                diststyle = Some(style.to_ascii_uppercase());
            } else if self.eat("DISTKEY") {
                distkey = Some(if self.eat_token(&Token::LParen) {
                    let column = self.ident("the DISTKEY column")?;
                    if !self.eat_token(&Token::RParen) {
                        return Err(self.error(format!(
                            "DISTKEY takes one column, but {}; write DISTKEY (column)",
                            self.found()
                        )));
                    }
                    column
                } else {
                    self.ident("the DISTKEY column")?
                });
            } else if self.peek_is("COMPOUND") || self.peek_is("INTERLEAVED") || self.peek_is("SORTKEY") {
                if !self.eat("SORTKEY") {
                    self.pos += 1;
                    self.expect("SORTKEY", "after COMPOUND/INTERLEAVED (write COMPOUND SORTKEY (a, b))")?;
                }
                if self.eat("AUTO") {
                    sortkey.clear();
                } else {
                    sortkey = self.name_list("sort key columns", "SORTKEY (column, …)")?;
                }
            } else if self.eat("AUTO") {
                self.expect("REFRESH", "after AUTO (write AUTO REFRESH YES or AUTO REFRESH NO)")?;
                auto_refresh = Some(self.yes_no("AUTO REFRESH")?);
            } else {
                return Err(self.error(format!(
                    "expected AS SELECT … (or BACKUP, DISTSTYLE, DISTKEY, SORTKEY, AUTO REFRESH before it), \
                     but {}; write CREATE MATERIALIZED VIEW name [AUTO REFRESH YES] AS SELECT …",
                    self.found()
                )));
            }
        }
        let (select_sql, select_offset) = self.select_body()?;
        Ok(RedshiftDdl::CreateMaterializedView {
            schema,
            name,
            if_not_exists,
            backup,
            diststyle,
            distkey,
            sortkey,
            auto_refresh,
            select_sql,
            select_offset,
        })
    }

    /// The query after AS, up to a top-level `;`: its text and byte offset, without the outer
    /// parentheses of `AS ( … )`. Leaves the position at the `;` or the end.
    fn select_body(&mut self) -> Result<(String, usize), DdlError> {
        let first = self.pos;
        let mut depth = 0usize;
        let mut end = first;
        while let Some(tok) = self.toks.get(end) {
            match tok.token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::SemiColon if depth == 0 => break,
                _ => {}
            }
            end += 1;
        }
        self.pos = end;
        let (mut from, mut to) = (first, end);
        // `AS ( … )` where the parentheses hold the whole query (not `(a) UNION (b)`).
        if to > from + 1 && self.toks[from].token == Token::LParen && self.closing(from) == Some(to - 1) {
            from += 1;
            to -= 1;
        }
        let starts_query = self
            .toks
            .get(from)
            .filter(|_| from < to)
            .is_some_and(|t| t.is_word_in(&["SELECT", "WITH"]) || t.token == Token::LParen);
        if !starts_query {
            let found = if from < to {
                format!("found `{}`", self.toks[from].text)
            } else {
                "the query is missing".to_string()
            };
            return Err(self.error_at(
                from,
                format!("expected a SELECT after AS, but {found}; write … AS SELECT columns FROM source"),
            ));
        }
        let start = self.toks[from].start;
        let stop = self.toks[to - 1].end();
        Ok((self.text[start..stop].to_string(), start))
    }

    /// Index (into the significant tokens) of the `)` closing the `(` at `open`.
    fn closing(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (k, tok) in self.toks.iter().enumerate().skip(open) {
            match tok.token {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(k);
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn refresh_mv(&mut self) -> Result<RedshiftDdl, DdlError> {
        self.pos = 3; // REFRESH MATERIALIZED VIEW
        let (schema, name) = self.object_name("the materialized view's name")?;
        // Redshift's RESTRICT/CASCADE choose whether nested views refresh too; Kiln's engine
        // decides that from the dependency graph.
        let _ = self.eat("RESTRICT") || self.eat("CASCADE");
        Ok(RedshiftDdl::RefreshMaterializedView { schema, name })
    }

    fn drop_mv(&mut self) -> Result<RedshiftDdl, DdlError> {
        self.pos = 3; // DROP MATERIALIZED VIEW
        let if_exists = if self.eat("IF") {
            self.expect("EXISTS", "after IF (write IF EXISTS)")?;
            true
        } else {
            false
        };
        let (schema, name) = self.object_name("the materialized view's name")?;
        if self.peek_token(&Token::Comma) {
            return Err(self.error("DROP MATERIALIZED VIEW drops one view; write one DROP statement per view"));
        }
        let cascade = self.eat("CASCADE");
        if !cascade {
            self.eat("RESTRICT");
        }
        Ok(RedshiftDdl::DropMaterializedView {
            schema,
            name,
            if_exists,
            cascade,
        })
    }

    /// Whether the tokens after `from` hold an option only Redshift's COPY has.
    fn has_redshift_copy_option(&self, from: usize) -> bool {
        self.toks.iter().skip(from).any(|t| {
            t.word().is_some_and(|w| {
                let w = w.to_ascii_uppercase();
                !SHARED_COPY_OPTIONS.contains(&w.as_str())
                    && (COPY_FLAGS.contains(&w.as_str())
                        || COPY_STRING_OPTIONS.contains(&w.as_str())
                        || COPY_NUMBER_OPTIONS.contains(&w.as_str())
                        || COPY_WORD_OPTIONS.iter().any(|(k, _, _)| *k == w)
                        || matches!(
                            w.as_str(),
                            "IGNOREHEADER"
                                | "CREDENTIALS"
                                | "IAM_ROLE"
                                | "ACCESS_KEY_ID"
                                | "SECRET_ACCESS_KEY"
                                | "SESSION_TOKEN"
                                | "GZIP"
                                | "JSON"
                                | "FORMAT"
                                | "PARQUET"
                                | "ORC"
                                | "AVRO"
                                | "SHAPEFILE"
                                | "ACCEPTINVCHARS"
                        ))
            })
        })
    }

    fn copy(&mut self) -> Result<Option<RedshiftDdl>, DdlError> {
        self.pos = 1;
        // `COPY (SELECT …) TO …` and anything without a plain table name is DuckDB's.
        if !matches!(self.peek().map(|t| &t.token), Some(Token::Word(_))) {
            return Ok(None);
        }
        let (schema, table) = self.object_name("the table name")?;
        let columns = if self.peek_token(&Token::LParen) {
            self.name_list("column list", "COPY table (a, b) FROM 's3://…'")?
        } else {
            Vec::new()
        };
        if !self.eat("FROM") {
            if self.peek_is("TO") || !self.has_redshift_copy_option(self.pos) {
                return Ok(None);
            }
            return Err(self.error(format!(
                "COPY {table} has no FROM, but {}; write COPY {table} FROM 's3://bucket/prefix' followed by the options",
                self.found()
            )));
        }
        let Some(from) = self.string() else {
            // FROM STDIN and the like.
            return Ok(None);
        };
        let options_at = self.pos;
        let duckdb_options = self.peek_token(&Token::LParen)
            || (self.peek_is("WITH") && self.toks.get(self.pos + 1).is_some_and(|t| t.token == Token::LParen));
        if duckdb_options {
            return Ok(None);
        }
        let lower = from.to_ascii_lowercase();
        if !REDSHIFT_SOURCES.iter().any(|s| lower.starts_with(s)) && !self.has_redshift_copy_option(options_at) {
            return Ok(None);
        }

        let mut gzip = false;
        let mut credentials_given = false;
        let mut other_options = Vec::new();
        let mut opts = CopyOptions::default();
        while let Some(tok) = self.peek() {
            if tok.token == Token::SemiColon {
                break;
            }
            let at = self.pos;
            let Some(word) = tok.word().map(str::to_ascii_uppercase) else {
                return Err(self.error(format!(
                    "expected a COPY option, but found `{}`; options are keywords such as CSV, \
                     IGNOREHEADER 1, GZIP or IAM_ROLE default",
                    tok.text
                )));
            };
            self.pos += 1;
            match word.as_str() {
                "WITH" if self.peek_is("CREDENTIALS") => {}
                "CREDENTIALS" | "ACCESS_KEY_ID" | "SECRET_ACCESS_KEY" | "SESSION_TOKEN" => {
                    self.eat("AS");
                    self.expect_string(&format!("the {word} value"))?;
                    credentials_given = true;
                }
                "IAM_ROLE" => {
                    if !self.eat("DEFAULT") {
                        self.string().ok_or_else(|| {
                            self.error(format!(
                                "IAM_ROLE takes default or the role's ARN in single quotes, but {}; \
                                 write IAM_ROLE default",
                                self.found()
                            ))
                        })?;
                    }
                    credentials_given = true;
                }
                "FORMAT" => {
                    self.eat("AS");
                    let known = ["CSV", "JSON", "PARQUET", "ORC", "AVRO", "FIXEDWIDTH", "SHAPEFILE"];
                    if !self.peek().is_some_and(|t| t.is_word_in(&known)) {
                        return Err(self.error(format!(
                            "FORMAT takes CSV, JSON, PARQUET, ORC, AVRO, FIXEDWIDTH or SHAPEFILE, but {}; \
                             write for example FORMAT AS CSV",
                            self.found()
                        )));
                    }
                }
                "CSV" => self.set_format(&mut opts, at, CopyFormatWord::Csv)?,
                "JSON" => {
                    self.eat("AS");
                    let mode = match self.string() {
                        None => JsonMode::Auto,
                        Some(option) => match option.trim().to_ascii_lowercase().as_str() {
                            "auto" => JsonMode::Auto,
                            "auto ignorecase" => JsonMode::AutoIgnoreCase,
                            "noshred" => JsonMode::NoShred,
                            path if path.starts_with("s3://") => JsonMode::JsonPathsFile(option),
                            _ => {
                                return Err(self.error_at(
                                    self.pos - 1,
                                    format!(
                                        "JSON takes 'auto', 'auto ignorecase', 'noshred' or the s3:// path of a \
                                         JSONPaths file, not '{option}'; write JSON 'auto'"
                                    ),
                                ))
                            }
                        },
                    };
                    self.set_format(&mut opts, at, CopyFormatWord::Json(mode))?;
                }
                "PARQUET" | "ORC" | "AVRO" | "SHAPEFILE" | "FIXEDWIDTH" => {
                    if word == "FIXEDWIDTH" {
                        self.eat("AS");
                        self.expect_string("the FIXEDWIDTH column widths")?;
                    } else if word == "AVRO" {
                        self.eat("AS");
                        self.string();
                    }
                    self.set_format(&mut opts, at, CopyFormatWord::Other(word.clone()))?;
                }
                "DELIMITER" => {
                    self.eat("AS");
                    opts.delimiter = Some(self.single_char("DELIMITER", "DELIMITER ','")?);
                }
                "QUOTE" => {
                    self.eat("AS");
                    opts.quote = Some(self.single_char("QUOTE", "QUOTE '\"'")?);
                }
                "IGNOREHEADER" => {
                    self.eat("AS");
                    opts.ignore_header = Some(self.number("IGNOREHEADER", "IGNOREHEADER 1")?);
                }
                "GZIP" => gzip = true,
                "HEADER" => {
                    return Err(self.error_at(
                        at,
                        "Redshift's COPY has no HEADER option; write IGNOREHEADER 1 to skip a header line",
                    ))
                }
                "ACCEPTINVCHARS" => {
                    self.eat("AS");
                    self.string();
                    other_options.push(word);
                }
                w if COPY_FLAGS.contains(&w) => {
                    if w == "READRATIO" {
                        self.number(w, "READRATIO 50")?;
                    }
                    other_options.push(word);
                }
                w if COPY_STRING_OPTIONS.contains(&w) => {
                    self.eat("AS");
                    self.expect_string(&format!("the {w} value"))?;
                    other_options.push(word);
                }
                w if COPY_NUMBER_OPTIONS.contains(&w) => {
                    self.eat("AS");
                    self.number(w, &format!("{w} 10"))?;
                    other_options.push(word);
                }
                w => match COPY_WORD_OPTIONS.iter().find(|(k, _, _)| *k == w) {
                    Some((_, values, optional)) => {
                        self.eat("AS");
                        if self.peek().is_some_and(|t| t.is_word_in(values)) {
                            self.pos += 1;
                        } else if !optional {
                            return Err(self.error(format!(
                                "{w} takes one of {}, but {}; write for example {w} {}",
                                values.join(", "),
                                self.found(),
                                values.first().copied().unwrap_or_default()
                            )));
                        }
                        other_options.push(word);
                    }
                    None => {
                        return Err(self.error_at(
                            at,
                            format!(
                                "unknown COPY option `{}`; Redshift's COPY takes options such as CSV, \
                                 DELIMITER ',', IGNOREHEADER 1, JSON 'auto', GZIP, IAM_ROLE default, \
                                 DATEFORMAT 'auto'",
                                tok.text
                            ),
                        ))
                    }
                },
            }
        }
        let format = self.copy_format(opts, &mut other_options);
        Ok(Some(RedshiftDdl::Copy {
            schema,
            table,
            columns,
            from,
            format,
            gzip,
            credentials_given,
            other_options,
        }))
    }

    fn set_format(&self, opts: &mut CopyOptions, at: usize, word: CopyFormatWord) -> Result<(), DdlError> {
        if let Some((first, _)) = &opts.format {
            return Err(self.error_at(
                at,
                format!(
                    "COPY takes one data format, and `{}` already chose one; keep either it or `{}`",
                    self.toks[*first].text, self.toks[at].text
                ),
            ));
        }
        opts.format = Some((at, word));
        Ok(())
    }

    fn copy_format(&self, opts: CopyOptions, other_options: &mut Vec<String>) -> CopyFormat {
        let CopyOptions {
            format,
            delimiter,
            quote,
            ignore_header,
        } = opts;
        match format.map(|(_, word)| word) {
            Some(CopyFormatWord::Csv) => CopyFormat::Csv {
                ignore_header: ignore_header.unwrap_or(0),
                delimiter,
                quote,
            },
            Some(word) => {
                // Options that only shape delimited text.
                for (given, name) in [
                    (delimiter.is_some(), "DELIMITER"),
                    (quote.is_some(), "QUOTE"),
                    (ignore_header.is_some(), "IGNOREHEADER"),
                ] {
                    if given {
                        other_options.push(name.to_string());
                    }
                }
                match word {
                    CopyFormatWord::Json(mode) => CopyFormat::Json(mode),
                    CopyFormatWord::Other(name) => CopyFormat::Other(name),
                    CopyFormatWord::Csv => CopyFormat::Csv {
                        ignore_header: 0,
                        delimiter: None,
                        quote: None,
                    },
                }
            }
            None => {
                if quote.is_some() {
                    // Redshift accepts QUOTE only with CSV.
                    other_options.push("QUOTE".to_string());
                }
                CopyFormat::Delimited {
                    delimiter: delimiter.unwrap_or('|'),
                    ignore_header: ignore_header.unwrap_or(0),
                }
            }
        }
    }

    fn single_char(&mut self, option: &str, example: &str) -> Result<char, DdlError> {
        let at = self.pos;
        let value = self.expect_string(&format!("the {option} character"))?;
        let mut chars = value.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(self.error_at(
                at,
                format!("{option} must be one character, not '{value}'; write for example {example}"),
            )),
        }
    }

    fn number(&mut self, option: &str, example: &str) -> Result<u32, DdlError> {
        let value = match self.peek().map(|t| &t.token) {
            Some(Token::Number(n, _)) => n.parse::<u32>().ok(),
            _ => None,
        };
        match value {
            Some(n) => {
                self.pos += 1;
                Ok(n)
            }
            None => Err(self.error(format!(
                "{option} takes a whole number, but {}; write for example {example}",
                self.found()
            ))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn ddl(sql: &str) -> RedshiftDdl {
        match parse_redshift_ddl(sql) {
            Ok(Some(ddl)) => ddl,
            other => panic!("{sql:?} → {other:?}"),
        }
    }

    fn err(sql: &str) -> DdlError {
        match parse_redshift_ddl(sql) {
            Err(e) => e,
            other => panic!("{sql:?} should fail, got {other:?}"),
        }
    }

    fn mv_select(sql: &str) -> (String, usize) {
        match ddl(sql) {
            RedshiftDdl::CreateMaterializedView {
                select_sql,
                select_offset,
                ..
            } => {
                assert_eq!(&sql[select_offset..select_offset + select_sql.len()], select_sql);
                (select_sql, select_offset)
            }
            other => panic!("{other:?}"),
        }
    }

    const CUSTOMER_VIEW_SELECT: &str = "SELECT ApproximateArrivalTimestamp,
JSON_PARSE(from_varbyte(Data, 'utf-8')) as customer_data
FROM kinesis_schema.customer_stream
WHERE is_utf8(Data) AND is_valid_json(from_varbyte(Data, 'utf-8'))";

    const ORDER_VIEW_SELECT: &str = "SELECT ApproximateArrivalTimestamp,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'consignmentid', true) AS BIGINT) as consignmentid,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'delay_probability', true) AS VARCHAR(10)) as delay_probability,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'revenue', true) AS FLOAT) as revenue
FROM kinesis_schema.order_stream
WHERE is_utf8(Data) AND is_valid_json(from_varbyte(Data, 'utf-8'))";

    #[test]
    fn external_schema_from_kinesis() {
        assert_eq!(
            ddl("CREATE EXTERNAL SCHEMA kinesis_schema FROM KINESIS IAM_ROLE 'arn:aws:iam::123456789012:role/redshift-streaming-role';"),
            RedshiftDdl::CreateExternalSchema {
                schema: "kinesis_schema".into(),
                if_not_exists: false,
                source: ExternalSource::Kinesis,
                iam_role: Some("arn:aws:iam::123456789012:role/redshift-streaming-role".into()),
            }
        );
        assert_eq!(
            ddl("create external schema if not exists \"Kds\" -- the stream\n from kinesis iam_role default"),
            RedshiftDdl::CreateExternalSchema {
                schema: "Kds".into(),
                if_not_exists: true,
                source: ExternalSource::Kinesis,
                iam_role: Some("default".into()),
            }
        );
    }

    #[test]
    fn external_schema_other_sources() {
        assert_eq!(
            ddl(
                "CREATE EXTERNAL SCHEMA msk FROM MSK IAM_ROLE default AUTHENTICATION iam \
                 CLUSTER_ARN 'arn:aws:kafka:us-east-1:1:cluster/c/1'"
            ),
            RedshiftDdl::CreateExternalSchema {
                schema: "msk".into(),
                if_not_exists: false,
                source: ExternalSource::Msk,
                iam_role: Some("default".into()),
            }
        );
        assert_eq!(
            ddl(
                "CREATE EXTERNAL SCHEMA spectrum FROM DATA CATALOG DATABASE 'db' IAM_ROLE 'arn:r' \
                 CREATE EXTERNAL DATABASE IF NOT EXISTS"
            ),
            RedshiftDdl::CreateExternalSchema {
                schema: "spectrum".into(),
                if_not_exists: false,
                source: ExternalSource::Other("DATA CATALOG".into()),
                iam_role: Some("arn:r".into()),
            }
        );
        assert_eq!(
            ddl("CREATE EXTERNAL SCHEMA pg FROM POSTGRES DATABASE 'x' URI 'h' SECRET_ARN 's'"),
            RedshiftDdl::CreateExternalSchema {
                schema: "pg".into(),
                if_not_exists: false,
                source: ExternalSource::Other("POSTGRES".into()),
                iam_role: None,
            }
        );
    }

    #[test]
    fn external_schema_errors() {
        let e = err("CREATE EXTERNAL SCHEMA s FROM KINESIS\nIAM_ROLE arn");
        assert_eq!((e.line, e.column), (2, 10), "{e}");
        assert!(e.message.contains("IAM_ROLE default"), "{e}");
        let e = err("CREATE EXTERNAL SCHEMA IF EXISTS s FROM KINESIS");
        assert!(e.message.contains("IF NOT EXISTS"), "{e}");
        let e = err("CREATE EXTERNAL SCHEMA 'quoted' FROM KINESIS");
        assert_eq!((e.line, e.column), (1, 24), "{e}");
    }

    #[test]
    fn workshop_streaming_views() {
        let customer = format!("CREATE MATERIALIZED VIEW customer_stream AS\n{CUSTOMER_VIEW_SELECT};");
        assert_eq!(
            ddl(&customer),
            RedshiftDdl::CreateMaterializedView {
                schema: None,
                name: "customer_stream".into(),
                if_not_exists: false,
                backup: None,
                diststyle: None,
                distkey: None,
                sortkey: vec![],
                auto_refresh: None,
                select_sql: CUSTOMER_VIEW_SELECT.into(),
                select_offset: 44,
            }
        );
        let order = format!("CREATE MATERIALIZED VIEW order_stream AS\n{ORDER_VIEW_SELECT};\n");
        assert_eq!(mv_select(&order), (ORDER_VIEW_SELECT.to_string(), 41));
    }

    #[test]
    fn documented_form_with_quoted_stream_and_clauses() {
        let sql = "CREATE MATERIALIZED VIEW analytics.\"Orders-MV\" AUTO REFRESH YES AS\n  \
                   SELECT approximate_arrival_timestamp, JSON_PARSE(kinesis_data) AS data\n  \
                   FROM kds.\"my-stream\" WHERE CAN_JSON_PARSE(kinesis_data);";
        match ddl(sql) {
            RedshiftDdl::CreateMaterializedView {
                schema,
                name,
                auto_refresh,
                select_sql,
                ..
            } => {
                assert_eq!(schema.as_deref(), Some("analytics"));
                assert_eq!(name, "Orders-MV");
                assert_eq!(auto_refresh, Some(true));
                assert!(select_sql.starts_with("SELECT approximate_arrival_timestamp"));
                assert!(select_sql.ends_with("WHERE CAN_JSON_PARSE(kinesis_data)"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dbt_redshift_form_with_parentheses() {
        let sql = "create materialized view \"dev\".\"public\".\"orders_mv\"\n    backup yes\n    diststyle even\n    \
                   auto refresh yes\nas (\n    select id, (a + b) as c from x where y in (1, 2)\n);";
        assert_eq!(
            ddl(sql),
            RedshiftDdl::CreateMaterializedView {
                schema: Some("public".into()),
                name: "orders_mv".into(),
                if_not_exists: false,
                backup: Some(true),
                diststyle: Some("EVEN".into()),
                distkey: None,
                sortkey: vec![],
                auto_refresh: Some(true),
                select_sql: "select id, (a + b) as c from x where y in (1, 2)".into(),
                select_offset: sql.find("select id").unwrap(),
            }
        );
        // Parentheses that do not hold the whole query stay.
        let (select, _) = mv_select("CREATE MATERIALIZED VIEW v AS (SELECT 1) UNION (SELECT 2)");
        assert_eq!(select, "(SELECT 1) UNION (SELECT 2)");
    }

    #[test]
    fn physical_design_clauses_in_any_order() {
        let sql =
            "CREATE MATERIALIZED VIEW IF NOT EXISTS s.v\n  AUTO REFRESH NO\n  INTERLEAVED SORTKEY (\"Ts\", id)\n  \
                   DISTKEY(id) BACKUP NO DISTSTYLE key\nAS WITH a AS (SELECT 1 AS id) SELECT * FROM a";
        assert_eq!(
            ddl(sql),
            RedshiftDdl::CreateMaterializedView {
                schema: Some("s".into()),
                name: "v".into(),
                if_not_exists: true,
                backup: Some(false),
                diststyle: Some("KEY".into()),
                distkey: Some("id".into()),
                sortkey: vec!["Ts".into(), "id".into()],
                auto_refresh: Some(false),
                select_sql: "WITH a AS (SELECT 1 AS id) SELECT * FROM a".into(),
                select_offset: sql.find("WITH a").unwrap(),
            }
        );
        match ddl("create materialized view v compound sortkey(a) distkey b sortkey auto as select 1") {
            RedshiftDdl::CreateMaterializedView { sortkey, distkey, .. } => {
                assert!(sortkey.is_empty());
                assert_eq!(distkey.as_deref(), Some("b"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn comments_and_strings_inside_views() {
        let sql = "/* stream view; v1 */ CREATE MATERIALIZED VIEW v -- AS nothing\nAS -- the query\n\
                   SELECT ';' AS semi, \"AS\" /* ) */ FROM t -- trailing ; comment\n;  -- done\n";
        let (select, offset) = mv_select(sql);
        assert_eq!(select, "SELECT ';' AS semi, \"AS\" /* ) */ FROM t");
        assert_eq!(offset, sql.find("SELECT").unwrap());
    }

    #[test]
    fn materialized_view_errors() {
        let e = err("CREATE MATERIALIZED VIEW v\nAUTO REFRESH MAYBE AS SELECT 1");
        assert_eq!((e.line, e.column), (2, 14), "{e}");
        assert!(e.message.contains("AUTO REFRESH YES"), "{e}");
        let e = err("CREATE MATERIALIZED VIEW v SELECT 1");
        assert_eq!((e.line, e.column), (1, 28), "{e}");
        assert!(e.message.contains("AS SELECT"), "{e}");
        let e = err("CREATE MATERIALIZED VIEW v AS");
        assert!(e.message.contains("query is missing"), "{e}");
        assert_eq!((e.line, e.column), (1, 30), "{e}");
        let e = err("CREATE MATERIALIZED VIEW v AS ( );");
        assert!(e.message.contains("query is missing"), "{e}");
        let e = err("CREATE MATERIALIZED VIEW v AS\n  INSERT INTO t VALUES (1)");
        assert_eq!((e.line, e.column), (2, 3), "{e}");
        let e = err("CREATE MATERIALIZED VIEW v BACKUP maybe AS SELECT 1");
        assert!(e.message.contains("BACKUP YES"), "{e}");
        let e = err("CREATE MATERIALIZED VIEW v DISTSTYLE random AS SELECT 1");
        assert!(e.message.contains("EVEN"), "{e}");
        let e = err("CREATE MATERIALIZED VIEW v SORTKEY a AS SELECT 1");
        assert!(e.message.contains("SORTKEY (column"), "{e}");
        let e = err("CREATE OR REPLACE MATERIALIZED VIEW v AS SELECT 1");
        assert!(e.message.contains("DROP MATERIALIZED VIEW IF EXISTS"), "{e}");
        let e = err("CREATE MATERIALIZED VIEW v AS SELECT 1; SELECT 2");
        assert!(e.message.contains("one statement at a time"), "{e}");
        let e = err("CREATE MATERIALIZED VIEW v AS SELECT 'oops");
        assert_eq!((e.line, e.column), (1, 38), "{e}");
        let e = err("CREATE MATERIALIZED VIEW a.b.c.d AS SELECT 1");
        assert!(e.message.contains("schema.name"), "{e}");
    }

    #[test]
    fn refresh_and_drop() {
        assert_eq!(
            ddl("REFRESH MATERIALIZED VIEW customer_stream;"),
            RedshiftDdl::RefreshMaterializedView {
                schema: None,
                name: "customer_stream".into()
            }
        );
        assert_eq!(
            ddl("refresh materialized view \"Kds\".\"my-view\" cascade"),
            RedshiftDdl::RefreshMaterializedView {
                schema: Some("Kds".into()),
                name: "my-view".into()
            }
        );
        assert_eq!(
            ddl("DROP MATERIALIZED VIEW IF EXISTS s.order_stream CASCADE;"),
            RedshiftDdl::DropMaterializedView {
                schema: Some("s".into()),
                name: "order_stream".into(),
                if_exists: true,
                cascade: true
            }
        );
        assert_eq!(
            ddl("drop materialized view v restrict"),
            RedshiftDdl::DropMaterializedView {
                schema: None,
                name: "v".into(),
                if_exists: false,
                cascade: false
            }
        );
        assert!(err("DROP MATERIALIZED VIEW a, b")
            .message
            .contains("one DROP statement per view"));
        assert!(err("DROP MATERIALIZED VIEW IF v").message.contains("IF EXISTS"));
        assert!(err("REFRESH MATERIALIZED VIEW").message.contains("the statement ends"));
        assert!(err("REFRESH MATERIALIZED VIEW v now").message.contains("`now`"));
    }

    fn sensors_copy(table: &str, columns: &[&str]) -> RedshiftDdl {
        RedshiftDdl::Copy {
            schema: None,
            table: table.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            from: format!("s3://your_bucket_name/{table}/"),
            format: CopyFormat::Csv {
                ignore_header: 1,
                delimiter: None,
                quote: None,
            },
            gzip: false,
            credentials_given: true,
            other_options: vec![],
        }
    }

    #[test]
    fn sensors_seed_copies() {
        let seed: &[(&str, &[&str])] = &[
            ("history", &["id", "serviced", "action", "technician_id", "notes"]),
            ("location", &["id", "long", "lat", "description"]),
            ("sensor", &["id", "guid", "mac", "sku", "upc", "active", "notes"]),
            ("manufacturer", &["id", "name", "website", "notes"]),
            (
                "sensors",
                &[
                    "sensor_id",
                    "manufacturer_id",
                    "location_id",
                    "history_id",
                    "message_guid",
                ],
            ),
        ];
        for (table, columns) in seed {
            let sql = format!(
                "COPY {table} ({})\n    FROM 's3://your_bucket_name/{table}/'\n    \
                 CREDENTIALS 'aws_iam_role=cluster_permissions_role_arn'\n    CSV IGNOREHEADER 1;",
                columns.join(", ")
            );
            let parsed = ddl(&sql);
            assert_eq!(parsed, sensors_copy(table, columns));
            assert!(
                !format!("{parsed:?}").contains("aws_iam_role"),
                "credentials must not be kept"
            );
        }
    }

    #[test]
    fn copy_formats_and_options() {
        assert_eq!(
            ddl(
                "copy public.events from 's3://b/events/' iam_role default format as json 'auto ignorecase' \
                 gzip timeformat 'auto' region as 'us-east-1' maxerror 10 truncatecolumns"
            ),
            RedshiftDdl::Copy {
                schema: Some("public".into()),
                table: "events".into(),
                columns: vec![],
                from: "s3://b/events/".into(),
                format: CopyFormat::Json(JsonMode::AutoIgnoreCase),
                gzip: true,
                credentials_given: true,
                other_options: vec![
                    "TIMEFORMAT".into(),
                    "REGION".into(),
                    "MAXERROR".into(),
                    "TRUNCATECOLUMNS".into()
                ],
            }
        );
        match ddl("COPY t FROM 's3://b/t' IAM_ROLE 'arn:aws:iam::1:role/r' JSON 's3://b/paths.json'") {
            RedshiftDdl::Copy { format, .. } => {
                assert_eq!(
                    format,
                    CopyFormat::Json(JsonMode::JsonPathsFile("s3://b/paths.json".into()))
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            ddl(
                "COPY t FROM 's3://b/t.txt' ACCESS_KEY_ID 'AKIA' SECRET_ACCESS_KEY 'shh' DELIMITER AS '\\t' \
                 IGNOREHEADER AS 2 DATEFORMAT 'auto' EMPTYASNULL BLANKSASNULL MANIFEST"
            ),
            RedshiftDdl::Copy {
                schema: None,
                table: "t".into(),
                columns: vec![],
                from: "s3://b/t.txt".into(),
                format: CopyFormat::Delimited {
                    delimiter: '\t',
                    ignore_header: 2
                },
                gzip: false,
                credentials_given: true,
                other_options: vec![
                    "DATEFORMAT".into(),
                    "EMPTYASNULL".into(),
                    "BLANKSASNULL".into(),
                    "MANIFEST".into()
                ],
            }
        );
        match ddl("COPY t FROM 's3://b/t' WITH CREDENTIALS AS 'x' DELIMITER ';' CSV QUOTE AS '''' ") {
            RedshiftDdl::Copy {
                format,
                credentials_given,
                ..
            } => {
                assert!(credentials_given);
                assert_eq!(
                    format,
                    CopyFormat::Csv {
                        ignore_header: 0,
                        delimiter: Some(';'),
                        quote: Some('\'')
                    }
                );
            }
            other => panic!("{other:?}"),
        }
        match ddl("COPY \"My Table\" (\"Id\") FROM 's3://b/p' FORMAT PARQUET") {
            RedshiftDdl::Copy {
                table,
                columns,
                format,
                credentials_given,
                ..
            } => {
                assert_eq!((table.as_str(), columns), ("My Table", vec!["Id".to_string()]));
                assert_eq!(format, CopyFormat::Other("PARQUET".into()));
                assert!(!credentials_given);
            }
            other => panic!("{other:?}"),
        }
        // Default text format, with a comment between options.
        match ddl("COPY t FROM 's3://b/p' /* creds */ IAM_ROLE default -- pipe separated\n;") {
            RedshiftDdl::Copy { format, .. } => assert_eq!(
                format,
                CopyFormat::Delimited {
                    delimiter: '|',
                    ignore_header: 0
                }
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn local_source_with_redshift_options_is_claimed() {
        match ddl("COPY t FROM '/data/t.csv' CSV IGNOREHEADER 1") {
            RedshiftDdl::Copy { from, .. } => assert_eq!(from, "/data/t.csv"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn duckdb_and_postgres_copies_are_not_claimed() {
        for sql in [
            "COPY t FROM 'file.csv' (FORMAT csv)",
            "COPY t FROM 's3://bucket/file.parquet' (FORMAT parquet);",
            "COPY t FROM 'file.csv' WITH (HEADER true)",
            "COPY t FROM 'file.csv' CSV DELIMITER ','",
            "COPY t FROM 'file.csv'",
            "COPY t TO 'out.parquet' (FORMAT parquet)",
            "COPY (SELECT 1) TO 'out.csv'",
            "COPY t FROM STDIN",
            "COPY t TO 'x' IGNOREHEADER 1",
            "SELECT 1",
            "CREATE VIEW v AS SELECT 1",
            "CREATE EXTERNAL TABLE s.t (a int) LOCATION 's3://x'",
            "-- COPY t FROM 's3://x' CSV\nSELECT 1",
            "",
        ] {
            assert_eq!(parse_redshift_ddl(sql), Ok(None), "{sql}");
        }
    }

    #[test]
    fn copy_errors() {
        let e = err("COPY history (id, notes)\n  CREDENTIALS 'aws_iam_role=arn' CSV IGNOREHEADER 1;");
        assert_eq!((e.line, e.column), (2, 3), "{e}");
        assert!(e.message.contains("FROM 's3://"), "{e}");
        assert!(!e.message.contains("aws_iam_role"), "{e}");
        let e = err("COPY t FROM 's3://b/t' CSV IGNOREHEADER one");
        assert!(e.message.contains("IGNOREHEADER 1"), "{e}");
        assert_eq!((e.line, e.column), (1, 41), "{e}");
        let e = err("COPY t FROM 's3://b/t' CSV HEADER");
        assert!(e.message.contains("IGNOREHEADER 1"), "{e}");
        let e = err("COPY t FROM 's3://b/t' DELIMITER '||'");
        assert!(e.message.contains("one character"), "{e}");
        let e = err("COPY t FROM 's3://b/t' JSON 'nope'");
        assert!(e.message.contains("JSON 'auto'"), "{e}");
        let e = err("COPY t FROM 's3://b/t' CSV JSON 'auto'");
        assert!(e.message.contains("one data format"), "{e}");
        let e = err("COPY t FROM 's3://b/t' CSV IGNOREHEDER 1");
        assert!(e.message.contains("unknown COPY option `IGNOREHEDER`"), "{e}");
        let e = err("COPY t FROM 's3://b/t' IAM_ROLE arn");
        assert!(e.message.contains("IAM_ROLE default"), "{e}");
        let e = err("COPY t FROM 's3://b/t' CREDENTIALS");
        assert!(e.message.contains("CREDENTIALS value"), "{e}");
        let e = err("COPY t FROM 's3://b/t' FORMAT AS XML");
        assert!(e.message.contains("FORMAT AS CSV"), "{e}");
        let e = err("COPY t FROM 's3://b/t' CSV; COPY u FROM 's3://b/u' CSV");
        assert!(e.message.contains("one statement at a time"), "{e}");
    }
}
