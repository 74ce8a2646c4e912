//! Redshift constructs that have no DuckDB counterpart and that Kiln does not emulate, found
//! before the translated SQL reaches DuckDB so the user gets the construct's name and place
//! instead of a DuckDB parser or binder error about the translated text.

use std::fmt;

use sqlparser::tokenizer::Token;

use crate::lexer::{lex, next_sig, prev_sig, Tok};
use crate::translate::{computed_subscript, rewrite, top_clause, type_position};

/// A Redshift-only construct in SQL that cannot run on the local DuckDB warehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Untranslatable {
    /// The construct as the user would recognise it: `UNLOAD`, `STL_LOAD_ERRORS`,
    /// `PG_LAST_COPY_ID()`, `CONVERT_TIMEZONE('UTC+3', …)`.
    pub construct: String,
    /// 1-based line of its first character in the SQL that was checked.
    pub line: u64,
    /// 1-based column (in characters) of its first character.
    pub column: u64,
    /// Why it cannot run locally and, where there is one, what to write instead.
    pub reason: String,
}

impl fmt::Display for Untranslatable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {} has no equivalent on the local DuckDB warehouse: {}",
            self.construct, self.line, self.column, self.reason
        )
    }
}

impl std::error::Error for Untranslatable {}

/// Finds the Redshift constructs in `sql` that [`crate::redshift_to_duckdb`] cannot turn into
/// DuckDB SQL, in the order they appear; an empty list means nothing Redshift-only is left
/// untranslated (DuckDB may still reject the SQL for other reasons, such as a missing table).
///
/// Positions are 1-based lines and columns (in characters) in `sql`, so a caller that checks a
/// model's compiled SQL can name the model and point at the line. What is reported:
///
/// * statements: `UNLOAD`, `CREATE LIBRARY`, `CREATE EXTERNAL TABLE | FUNCTION | MODEL`,
///   `CREATE MODEL`, `CREATE PROCEDURE` / `CALL`, a Redshift `CREATE FUNCTION … RETURNS … AS $$`
///   UDF, `CREATE | ALTER | DROP USER | GROUP | DATASHARE`, `GRANT`, `REVOKE`, `ANALYZE
///   COMPRESSION`, `VACUUM` with Redshift options, `LOCK`, and `ALTER TABLE` with `ALTER
///   DISTSTYLE | DISTKEY | SORTKEY | ENCODE` or `APPEND FROM`;
/// * system relations: `STL_*`, `STV_*`, `SVL_*`, `SVV_*`, `SVCS_*`, `STCS_*`, the `SYS_*`
///   monitoring views and `PG_TABLE_DEF`;
/// * functions: `PG_LAST_COPY_ID()`, `PG_LAST_COPY_COUNT()`, `PG_LAST_QUERY_ID()`,
///   `PG_LAST_UNLOAD_ID()`, `PG_LAST_UNLOAD_COUNT()`, `PG_CANCEL_BACKEND`,
///   `PG_TERMINATE_BACKEND`, `PG_GET_COLS`, `PG_GET_LATE_BINDING_VIEW_COLS`, `SLICE_NUM()`,
///   `CURRENT_USER_ID`, the HyperLogLog sketch functions (`HLL`, `HLL_CREATE_SKETCH`,
///   `HLL_CARDINALITY`, `HLL_COMBINE`, `HLL_COMBINE_SKETCHES`) and the SUPER array functions
///   `SPLIT_TO_ARRAY`, `SUBARRAY`, `ARRAY_FLATTEN`, `GET_ARRAY_LENGTH`;
/// * types `HLLSKETCH`, `GEOMETRY`, `GEOGRAPHY`;
/// * forms of translated constructs that Kiln cannot prove equal and therefore leaves alone:
///   `CONVERT_TIMEZONE` with a POSIX offset or an unknown abbreviation, `TO_CHAR`/`TO_DATE` with
///   a format strftime cannot express (numeric formats included), `NEXT_DAY` with a computed
///   day, `REGEXP_SUBSTR`/`REGEXP_COUNT` with the `p` parameter, `SELECT TOP n` in a block with
///   a set operation or its own LIMIT, a SUPER subscript computed per row (`arr[i]`; DuckDB's
///   VARIANT takes constant subscripts only), and the other Redshift-only functions Kiln translates
///   and DuckDB lacks (`DATEADD`, `GETDATE`, `NVL2`, `CHARINDEX`, `LISTAGG`, `RATIO_TO_REPORT`,
///   `ADD_MONTHS`, `MONTHS_BETWEEN`, `CONVERT`, `BTRIM`, `JSON_SERIALIZE`, `SHA2`) when written
///   in a form it does not recognise.
///
/// SQL that cannot be tokenized is checked up to the point where reading stopped
/// ([`crate::try_redshift_to_duckdb`] reports that problem).
pub fn check_redshift_only(sql: &str) -> Vec<Untranslatable> {
    let lexed = lex(sql);
    let toks = &lexed.toks;
    let mut found = Vec::new();
    let mut statement_start = true;
    let mut create_first = None;
    for i in 0..toks.len() {
        let tok = &toks[i];
        if tok.is_trivia() {
            continue;
        }
        if tok.token == Token::SemiColon {
            statement_start = true;
            continue;
        }
        let first = std::mem::take(&mut statement_start);
        if first {
            create_first = tok.is_word("CREATE").then_some(i);
        }
        let finding = if first { statement(toks, i) } else { None }
            .or_else(|| relation_or_function(toks, i, create_first))
            .or_else(|| untranslated_form(toks, i));
        if let Some((construct, reason)) = finding {
            let (line, column) = position(sql, tok.start);
            found.push(Untranslatable {
                construct,
                line,
                column,
                reason: reason.to_string(),
            });
        }
    }
    found
}

/// 1-based line and character column of a byte offset.
fn position(sql: &str, offset: usize) -> (u64, u64) {
    let before = sql.get(..offset).unwrap_or(sql);
    let line = before.matches('\n').count() as u64 + 1;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) as u64 + 1;
    (line, column)
}

/// The upper-cased unquoted words of the statement from `at` on (up to `n` of them, skipping
/// layout), for matching statement heads such as `CREATE OR REPLACE EXTERNAL FUNCTION`.
fn head(toks: &[Tok<'_>], at: usize, n: usize) -> Vec<String> {
    let mut words = Vec::new();
    let mut k = Some(at);
    while let Some(i) = k {
        if words.len() == n {
            break;
        }
        match toks[i].word() {
            Some(w) => words.push(w.to_ascii_uppercase()),
            None => break,
        }
        k = next_sig(toks, i + 1);
    }
    words
}

/// The tokens of the statement starting at `at`, up to its `;`.
fn statement_words<'t>(toks: &'t [Tok<'_>], at: usize) -> impl Iterator<Item = String> + 't {
    toks[at..]
        .iter()
        .take_while(|t| t.token != Token::SemiColon)
        .filter_map(|t| t.word().map(str::to_ascii_uppercase))
}

type Finding = (String, &'static str);

fn statement(toks: &[Tok<'_>], at: usize) -> Option<Finding> {
    let words = head(toks, at, 6);
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    // `CREATE OR REPLACE x` reads like `CREATE x`.
    let create: Vec<&str> = match w.as_slice() {
        ["CREATE", "OR", "REPLACE", rest @ ..] => std::iter::once("CREATE").chain(rest.iter().copied()).collect(),
        _ => w.clone(),
    };
    let found = |construct: &str, reason: &'static str| Some((construct.to_string(), reason));
    match create.as_slice() {
        ["UNLOAD", ..] => found("UNLOAD", "it writes query results to Amazon S3; read the table or export it from the studio instead"),
        ["CREATE", "LIBRARY", ..] => found("CREATE LIBRARY", "Python libraries for UDFs exist only on Redshift"),
        ["CREATE", "EXTERNAL", kind @ ("TABLE" | "FUNCTION" | "MODEL"), ..] => Some((
            format!("CREATE EXTERNAL {kind}"),
            "external tables, Lambda functions and models live outside the warehouse; declare lake files as sources instead",
        )),
        ["CREATE", "MODEL", ..] => found("CREATE MODEL", "Redshift ML trains models in SageMaker"),
        ["CREATE", "PROCEDURE", ..] => found("CREATE PROCEDURE", "DuckDB has no stored procedures"),
        ["CALL", ..] => found("CALL", "DuckDB has no stored procedures"),
        ["CREATE", "FUNCTION", ..] if statement_words(toks, at).any(|w| w == "RETURNS") => found(
            "CREATE FUNCTION",
            "Redshift SQL and Python UDFs do not run on DuckDB; write the expression inline or as a dbt macro",
        ),
        [verb @ ("CREATE" | "ALTER" | "DROP"), kind @ ("USER" | "GROUP" | "DATASHARE"), ..] => Some((
            format!("{verb} {kind}"),
            "users, groups and datashares are Redshift cluster administration",
        )),
        [verb @ ("GRANT" | "REVOKE"), ..] => Some((
            verb.to_string(),
            "the local warehouse has no users or privileges; grants apply on Redshift only",
        )),
        ["ANALYZE", "COMPRESSION", ..] => found("ANALYZE COMPRESSION", "column encodings exist only on Redshift"),
        ["VACUUM", option, ..]
            if matches!(*option, "FULL" | "SORT" | "DELETE" | "REINDEX" | "RECLUSTER" | "BOOST" | "TO") =>
        {
            Some((format!("VACUUM {option}"), "Redshift's VACUUM options re-sort and reclaim Redshift storage"))
        }
        ["LOCK", ..] => found("LOCK", "DuckDB has no explicit table locks"),
        ["ALTER", "TABLE", ..] => alter_table(toks, at),
        _ => None,
    }
}

fn alter_table(toks: &[Tok<'_>], at: usize) -> Option<Finding> {
    let words: Vec<String> = statement_words(toks, at).collect();
    words
        .windows(2)
        .find_map(|pair| match (pair[0].as_str(), pair[1].as_str()) {
            ("ALTER", what @ ("DISTSTYLE" | "DISTKEY" | "SORTKEY" | "ENCODE" | "COMPOUND" | "INTERLEAVED")) => Some((
                format!("ALTER TABLE … ALTER {what}"),
                "distribution, sort keys and encodings are Redshift storage settings; drop the statement",
            )),
            ("APPEND", "FROM") => Some((
                "ALTER TABLE … APPEND FROM".to_string(),
                "write INSERT INTO … SELECT … and DELETE instead",
            )),
            _ => None,
        })
}

const SYSTEM_PREFIXES: &[&str] = &["STL_", "STV_", "SVL_", "SVV_", "SVCS_", "STCS_"];

const SYS_VIEWS: &[&str] = &[
    "SYS_QUERY_HISTORY",
    "SYS_QUERY_DETAIL",
    "SYS_QUERY_TEXT",
    "SYS_LOAD_HISTORY",
    "SYS_LOAD_ERROR_DETAIL",
    "SYS_LOAD_DETAIL",
    "SYS_UNLOAD_HISTORY",
    "SYS_UNLOAD_DETAIL",
    "SYS_EXTERNAL_QUERY_DETAIL",
    "SYS_SERVERLESS_USAGE",
    "SYS_SESSION_HISTORY",
    "SYS_TRANSACTION_HISTORY",
    "SYS_STREAM_SCAN_STATES",
    "SYS_STREAM_SCAN_ERRORS",
    "SYS_MV_REFRESH_HISTORY",
    "SYS_MV_STATE",
    "SYS_CONNECTION_LOG",
    "SYS_COPY_JOB",
    "SYS_DATASHARE_USAGE_CONSUMER",
    "SYS_DATASHARE_USAGE_PRODUCER",
    "SYS_USERLOG",
    "SYS_VACUUM_HISTORY",
];

const FUNCTIONS: &[&str] = &[
    "PG_LAST_COPY_ID",
    "PG_LAST_COPY_COUNT",
    "PG_LAST_QUERY_ID",
    "PG_LAST_UNLOAD_ID",
    "PG_LAST_UNLOAD_COUNT",
    "PG_CANCEL_BACKEND",
    "PG_TERMINATE_BACKEND",
    "PG_GET_COLS",
    "PG_GET_LATE_BINDING_VIEW_COLS",
    "SLICE_NUM",
    "HLL",
    "HLL_CREATE_SKETCH",
    "HLL_CARDINALITY",
    "HLL_COMBINE",
    "HLL_COMBINE_SKETCHES",
    "SPLIT_TO_ARRAY",
    "SUBARRAY",
    "ARRAY_FLATTEN",
    "GET_ARRAY_LENGTH",
];

fn relation_or_function(toks: &[Tok<'_>], at: usize, create_first: Option<usize>) -> Option<Finding> {
    let word = toks[at].word()?.to_ascii_uppercase();
    let called = next_sig(toks, at + 1).is_some_and(|k| toks[k].token == Token::LParen);
    let qualified = prev_sig(toks, at).is_some_and(|p| toks[p].token == Token::Period);
    if !called
        && (SYSTEM_PREFIXES
            .iter()
            .any(|p| word.starts_with(p) && word.len() > p.len())
            || SYS_VIEWS.contains(&word.as_str())
            || word == "PG_TABLE_DEF")
        && relation_position(toks, at)
    {
        return Some((
            word,
            "Redshift system tables and views describe the Redshift cluster; the local warehouse has its own \
             catalog (information_schema, duckdb_tables())",
        ));
    }
    if called && !qualified && FUNCTIONS.contains(&word.as_str()) {
        return Some((
            format!("{word}()"),
            "this Redshift function reads cluster state or a Redshift-only type",
        ));
    }
    if !called && !qualified && word == "CURRENT_USER_ID" {
        return Some((word, "the local warehouse has no Redshift users"));
    }
    if matches!(word.as_str(), "HLLSKETCH" | "GEOMETRY" | "GEOGRAPHY") && type_position(toks, at, create_first) {
        return Some((word, "the local warehouse has no spatial or HyperLogLog types"));
    }
    None
}

/// Whether the name at `at` is a relation in a FROM list or after JOIN (possibly
/// schema-qualified), so a column that happens to be called `stl_count` is not reported.
fn relation_position(toks: &[Tok<'_>], at: usize) -> bool {
    let Some(mut p) = prev_sig(toks, at) else {
        return false;
    };
    if toks[p].token == Token::Period {
        match prev_sig(toks, p).and_then(|schema| prev_sig(toks, schema)) {
            Some(before) => p = before,
            None => return false,
        }
    }
    if toks[p].is_word_in(&["FROM", "JOIN"]) {
        return true;
    }
    if toks[p].token != Token::Comma {
        return false;
    }
    // A comma in a FROM list: the nearest clause keyword at this depth is FROM.
    let mut depth = 0usize;
    for k in (0..p).rev() {
        match toks[k].token {
            Token::RParen => depth += 1,
            Token::LParen if depth == 0 => return false,
            Token::LParen => depth -= 1,
            _ if depth == 0 && toks[k].is_word("FROM") => return true,
            _ if depth == 0
                && toks[k].is_word_in(&[
                    "SELECT", "WHERE", "GROUP", "ORDER", "HAVING", "ON", "SET", "VALUES", "USING",
                ]) =>
            {
                return false
            }
            _ => {}
        }
    }
    false
}

/// Redshift-only functions Kiln translates, with what a form it leaves alone is missing.
const TRANSLATED: &[(&str, &str)] = &[
    (
        "CONVERT_TIMEZONE",
        "time zones must be IANA names ('America/New_York', 'Europe/Paris'), UTC/GMT or a fixed abbreviation \
         such as 'PST' or 'CET'; Redshift reads POSIX offsets such as 'UTC+3' as west of Greenwich, which \
         DuckDB does not",
    ),
    (
        "TO_CHAR",
        "only a literal date/time format DuckDB's strftime can express is translated (YYYY, YY, MM, Mon, Month, \
         DD, DDD, Dy, Day, D, HH24, HH12, MI, SS, MS, US, AM, Q, IYYY, IW, FM, \"text\"); numeric formats and \
         CC, J, W, WW, TH, TZ are not",
    ),
    (
        "TO_DATE",
        "only a literal format of YYYY, MM, Mon, Month, DD, HH24, MI, SS and separators is translated",
    ),
    (
        "NEXT_DAY",
        "the day must be a literal day name or an unambiguous start of one ('Monday', 'Tu')",
    ),
    (
        "REGEXP_SUBSTR",
        "parameters other than 'c', 'i' and 'e' (such as 'p' for Perl syntax) are not translated",
    ),
    ("REGEXP_COUNT", "parameters other than 'c' and 'i' are not translated"),
    (
        "LISTAGG",
        "write LISTAGG(expression [, 'delimiter']) [WITHIN GROUP (ORDER BY …)]",
    ),
    (
        "RATIO_TO_REPORT",
        "RATIO_TO_REPORT(expression) needs an OVER (…) clause",
    ),
    ("ADD_MONTHS", "write ADD_MONTHS(date, number)"),
    ("MONTHS_BETWEEN", "write MONTHS_BETWEEN(date1, date2)"),
    ("CONVERT", "write CONVERT(type, expression)"),
    ("BTRIM", "write BTRIM(string [, characters])"),
    ("NVL2", "write NVL2(expression, not_null_value, null_value)"),
    ("CHARINDEX", "write CHARINDEX(substring, string)"),
    ("GETDATE", "GETDATE takes no arguments"),
    (
        "DATEADD",
        "write DATEADD(datepart, number, date) with a date part such as day, month, qtr or hrs (not a field \
         such as dow)",
    ),
    ("JSON_SERIALIZE", "write JSON_SERIALIZE(super_value)"),
    ("SHA2", "only SHA2(value, 256) is translated"),
];

fn untranslated_form(toks: &[Tok<'_>], at: usize) -> Option<Finding> {
    if computed_subscript(toks, at) {
        return Some((
            "SUPER subscript with a computed index".to_string(),
            "DuckDB's VARIANT (SUPER's counterpart) only takes constant subscripts such as [0]; unnest the \
             array or use a literal index",
        ));
    }
    if let Some(word) = toks[at].word() {
        let upper = word.to_ascii_uppercase();
        if upper == "SELECT" {
            return top_left_alone(toks, at);
        }
        let (name, reason) = TRANSLATED.iter().find(|(name, _)| *name == upper)?;
        let called = next_sig(toks, at + 1).is_some_and(|k| toks[k].token == Token::LParen);
        let qualified = prev_sig(toks, at).is_some_and(|p| toks[p].token == Token::Period);
        if called && !qualified && rewrite(toks, at).is_none() {
            return Some((format!("this form of {name}"), reason));
        }
    }
    None
}

fn top_left_alone(toks: &[Tok<'_>], select: usize) -> Option<Finding> {
    let mut top = next_sig(toks, select + 1)?;
    if toks[top].is_word_in(&["DISTINCT", "ALL"]) {
        top = next_sig(toks, top + 1)?;
    }
    let n = next_sig(toks, top + 1)?;
    let is_top = toks[top].is_word("TOP") && matches!(toks[n].token, Token::Number(_, _));
    (is_top && top_clause(toks, select).is_none()).then(|| {
        (
            "SELECT TOP".to_string(),
            "TOP becomes LIMIT only in a query block without UNION/INTERSECT/EXCEPT/MINUS or a LIMIT of its own; \
             write LIMIT where it belongs",
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn names(sql: &str) -> Vec<(String, u64, u64)> {
        check_redshift_only(sql)
            .into_iter()
            .map(|u| (u.construct, u.line, u.column))
            .collect()
    }

    #[test]
    fn statements_are_reported_with_their_position() {
        assert_eq!(
            names("SELECT 1;\n  UNLOAD ('select 1') TO 's3://b/p' IAM_ROLE default;\nGRANT SELECT ON t TO GROUP analysts;"),
            vec![("UNLOAD".into(), 2, 3), ("GRANT".into(), 3, 1)]
        );
        assert_eq!(
            names("create or replace external function f(int) returns int lambda 'f' iam_role default"),
            vec![("CREATE EXTERNAL FUNCTION".into(), 1, 1)]
        );
        assert_eq!(
            names("CREATE FUNCTION f_add(int, int) RETURNS int STABLE AS $$ select $1 + $2 $$ LANGUAGE sql"),
            vec![("CREATE FUNCTION".into(), 1, 1)]
        );
        assert_eq!(names("CREATE FUNCTION add(a, b) AS a + b"), vec![]);
        assert_eq!(
            names("ALTER TABLE t ALTER DISTSTYLE EVEN"),
            vec![("ALTER TABLE … ALTER DISTSTYLE".into(), 1, 1)]
        );
        assert_eq!(
            names("VACUUM DELETE ONLY t; VACUUM; ANALYZE t"),
            vec![("VACUUM DELETE".into(), 1, 1)]
        );
    }

    #[test]
    fn system_relations_and_functions() {
        let sql = "SELECT pg_last_copy_id(), q.query\nFROM stl_load_errors e JOIN pg_catalog.svv_table_info q ON true\nWHERE x = 'stl_query'";
        assert_eq!(
            names(sql),
            vec![
                ("PG_LAST_COPY_ID()".into(), 1, 8),
                ("STL_LOAD_ERRORS".into(), 2, 6),
                ("SVV_TABLE_INFO".into(), 2, 40)
            ]
        );
        assert_eq!(
            names("SELECT * FROM sys_query_history, my_sys_table, \"stl_x\""),
            vec![("SYS_QUERY_HISTORY".into(), 1, 15)]
        );
        assert_eq!(
            names("SELECT col::hllsketch, CAST(g AS GEOMETRY) FROM t"),
            vec![("HLLSKETCH".into(), 1, 13), ("GEOMETRY".into(), 1, 34)]
        );
    }

    #[test]
    fn forms_left_untranslated_are_reported() {
        let sql = "SELECT CONVERT_TIMEZONE('UTC+3', ts),\n       TO_CHAR(1234.5, '9999D9'),\n       CONVERT_TIMEZONE('PST', ts), TO_CHAR(ts, 'YYYY')";
        let found = check_redshift_only(sql);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!((found[0].line, found[0].column), (1, 8));
        assert!(found[0].construct.contains("CONVERT_TIMEZONE"));
        assert!(found[0].to_string().contains("west of Greenwich"), "{}", found[0]);
        assert_eq!((found[1].line, found[1].column), (2, 8));
        assert_eq!(
            names("SELECT TOP 3 a FROM t UNION SELECT b FROM u"),
            vec![("SELECT TOP".into(), 1, 1)]
        );
        assert_eq!(names("SELECT TOP 3 a FROM t ORDER BY a"), vec![]);
        assert_eq!(
            names("SELECT NEXT_DAY(d, day_name) FROM t"),
            vec![("this form of NEXT_DAY".into(), 1, 8)]
        );
    }

    #[test]
    fn translated_sql_and_strings_are_clean() {
        for sql in [
            "SELECT DATEDIFF(day, a, b), NVL(x, 0), LISTAGG(n, ',') WITHIN GROUP (ORDER BY n) FROM t",
            "SELECT 'UNLOAD', \"stl_load_errors\" FROM t -- GRANT",
            "SELECT stl_count, t.svv_flag FROM t WHERE x IN (a, stv_b)",
            "SELECT t.convert_timezone(a) FROM t",
            "COPY t FROM 's3://b/k' IAM_ROLE default CSV",
        ] {
            assert_eq!(names(sql), vec![], "{sql}");
        }
    }
}
