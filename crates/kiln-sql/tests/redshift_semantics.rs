//! Everyday Redshift SQL (issue #10, item 6), translated and executed on DuckDB: each case is a
//! Redshift query and the rows Redshift returns for it, as documented in the Redshift Database
//! Developer Guide (the subtle ones cite the rule in a comment). Rows print as `v|v;v|v` with
//! Python's `str` of each value (`None` for NULL, `True`/`False`, timestamps as
//! `2008-01-01 00:00:00`). The session runs in a non-UTC TimeZone, so nothing may depend on it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use common::run;
use kiln_sql::{check_redshift_only, try_redshift_to_duckdb};

/// (Redshift SQL, the rows Redshift returns).
const CASES: &[(&str, &str)] = &[
    // ---- DATEDIFF: counts the date-part boundaries crossed between the two values.
    // Weeks start on Monday: Sunday → Monday crosses one boundary, Monday → Sunday none.
    ("SELECT DATEDIFF(week, '2024-01-07', '2024-01-08')", "1"),
    ("SELECT DATEDIFF(week, DATE '2024-01-08', DATE '2024-01-14')", "0"),
    ("SELECT DATEDIFF(w, '2024-01-14', '2024-01-01')", "-1"),
    // The DATEDIFF documentation's example.
    ("SELECT DATEDIFF(week, '2009-01-01', '2009-12-31') AS numweeks", "52"),
    ("SELECT DATEDIFF(qtr, '1998-07-01', '2000-01-01')", "6"),
    ("SELECT DATEDIFF(year, '2008-12-31', '2009-01-01')", "1"),
    ("SELECT DATEDIFF(day, TIMESTAMP '2024-01-01 23:59', TIMESTAMP '2024-01-02 00:01')", "1"),
    ("SELECT DATEDIFF(secs, '2024-01-01 10:00:00.9', '2024-01-01 10:00:01.1')", "1"),
    ("SELECT DATEDIFF(hrs, '2024-01-01 10:30', '2024-01-01 09:10')", "-1"),
    ("SELECT DATEDIFF(ms, '2024-01-01 00:00:00', '2024-01-01 00:00:00.25')", "250"),
    ("SELECT DATEDIFF(day, DATEADD(day, -7, GETDATE()), GETDATE())", "7"),
    // ---- DATEADD: a shorter result month clamps the day, a longer one keeps it (Apr 30 + 1 month
    // is May 30, unlike ADD_MONTHS); the result is a TIMESTAMP even for a DATE.
    ("SELECT DATEADD(month, 1, '2008-04-30')", "2008-05-30 00:00:00"),
    ("SELECT DATEADD(month, -1, '2008-03-31')", "2008-02-29 00:00:00"),
    ("SELECT DATEADD(year, 1, '2008-02-29')", "2009-02-28 00:00:00"),
    ("SELECT DATEADD(qtr, 1, '2008-11-30')", "2009-02-28 00:00:00"),
    ("SELECT DATEADD(w, 2, DATE '2024-01-01')", "2024-01-15 00:00:00"),
    ("SELECT DATEADD(h, -3, '2024-01-01 01:00')", "2023-12-31 22:00:00"),
    ("SELECT typeof(DATEADD(day, 1, DATE '2024-01-01'))", "TIMESTAMP"),
    // ---- DATE_PART / DATEPART / DATE_TRUNC with bare parts and abbreviations.
    ("SELECT DATE_PART(qtr, '2024-08-15'), DATE_PART(doy, DATE '2024-12-31'), DATE_PART(w, DATE '2024-01-01')", "3|366|1"),
    ("SELECT DATE_PART(epoch, TIMESTAMP '1970-01-02 00:00:00')", "86400.0"),
    ("SELECT DATEPART(mins, '2024-01-01 10:42:00'), PGDATE_PART(yr, DATE '2024-05-06')", "42|2024"),
    // Sunday is 0.
    ("SELECT DATE_PART(dow, DATE '2024-01-07'), DATE_PART(dw, DATE '2024-01-13')", "0|6"),
    ("SELECT DATE_TRUNC('week', '2024-01-07 10:00')", "2024-01-01 00:00:00"),
    ("SELECT DATE_TRUNC(qtr, DATE '2024-08-15'), typeof(DATE_TRUNC(qtr, DATE '2024-08-15'))", "2024-07-01 00:00:00|TIMESTAMP"),
    ("SELECT DATE_TRUNC(hrs, TIMESTAMP '2024-08-15 10:59:59')", "2024-08-15 10:00:00"),
    ("SELECT EXTRACT(year FROM DATE '2024-05-06'), DATE '2024-01-31' + INTERVAL '1 month'", "2024|2024-02-29 00:00:00"),
    // ---- GETDATE / SYSDATE / CURRENT_DATE: UTC, whatever the session time zone. GETDATE() is
    // the statement start to the second (its documented output has no fraction); SYSDATE keeps
    // microseconds.
    ("SELECT date_part('microsecond', GETDATE()) % 1000000 = 0, SYSDATE - GETDATE() < INTERVAL '1 second'", "True|True"),
    ("SELECT TRUNC(GETDATE()) = CURRENT_DATE, CURRENT_DATE = CAST(timezone('UTC', now()) AS DATE)", "True|True"),
    ("SELECT typeof(SYSDATE), typeof(GETDATE()), typeof(CURRENT_DATE)", "TIMESTAMP|TIMESTAMP|DATE"),
    // ---- CONVERT_TIMEZONE: a naive timestamp in, the wall-clock time in the target zone out.
    ("SELECT CONVERT_TIMEZONE('UTC', 'America/New_York', '2024-07-01 12:00:00')", "2024-07-01 08:00:00"),
    // Two arguments: the source is UTC.
    ("SELECT CONVERT_TIMEZONE('America/New_York', '2024-01-15 12:00:00')", "2024-01-15 07:00:00"),
    // An abbreviation is a fixed offset: PST is UTC-8 even in July (a zone name would follow DST).
    ("SELECT CONVERT_TIMEZONE('PST', '2024-07-01 12:00:00'), CONVERT_TIMEZONE('America/Los_Angeles', '2024-07-01 12:00:00')", "2024-07-01 04:00:00|2024-07-01 05:00:00"),
    ("SELECT CONVERT_TIMEZONE('America/Los_Angeles', 'UTC', TIMESTAMP '2024-03-10 01:30:00')", "2024-03-10 09:30:00"),
    ("SELECT CONVERT_TIMEZONE('Europe/Paris', 'Asia/Tokyo', '2024-12-01 00:00')", "2024-12-01 08:00:00"),
    ("SELECT CONVERT_TIMEZONE('CET', 'EST', '2024-07-01 12:00')", "2024-07-01 06:00:00"),
    ("SELECT typeof(CONVERT_TIMEZONE('EDT', SYSDATE)), CONVERT_TIMEZONE('UTC', 'Singapore', ts) FROM (SELECT TIMESTAMP '2024-01-01 20:00' AS ts)", "TIMESTAMP|2024-01-02 04:00:00"),
    // ---- ADD_MONTHS: the last day of a month stays the last day (Apr 30 → May 31).
    ("SELECT ADD_MONTHS('2008-04-30', 1)", "2008-05-31 00:00:00"),
    ("SELECT ADD_MONTHS('2008-01-31', 1), ADD_MONTHS('2008-02-28', 1)", "2008-02-29 00:00:00|2008-03-28 00:00:00"),
    ("SELECT ADD_MONTHS(TIMESTAMP '2008-02-29 10:30:00', 12), ADD_MONTHS(DATE '2008-03-15', -2)", "2009-02-28 10:30:00|2008-01-15 00:00:00"),
    // ---- MONTHS_BETWEEN: same day of month or both month ends → whole number; otherwise the
    // day difference over a 31-day month.
    ("SELECT MONTHS_BETWEEN('1969-01-18', '1969-03-18') AS months", "-2.0"),
    ("SELECT MONTHS_BETWEEN('2019-03-31', '2019-02-28'), MONTHS_BETWEEN('1995-02-02', '1995-01-01')", "1.0|1.032258064516129"),
    ("SELECT MONTHS_BETWEEN(NULL, '2020-01-01')", "None"),
    // ---- LAST_DAY / NEXT_DAY return DATEs; NEXT_DAY is strictly after the date.
    ("SELECT LAST_DAY('2024-02-10'), LAST_DAY(TIMESTAMP '2023-12-05 10:00')", "2024-02-29|2023-12-31"),
    ("SELECT NEXT_DAY('2014-08-20', 'Tuesday')", "2014-08-26"),
    ("SELECT NEXT_DAY(DATE '2024-01-01', 'mo'), NEXT_DAY(TIMESTAMP '2024-01-06 23:00', 'Sun'), NEXT_DAY('2024-01-01', 'thurs')", "2024-01-08|2024-01-07|2024-01-04"),
    // ---- TO_CHAR / TO_DATE with datetime format strings.
    ("SELECT TO_CHAR(TIMESTAMP '2008-06-17 14:05:09', 'YYYY-MM-DD HH24:MI:SS')", "2008-06-17 14:05:09"),
    // The TO_CHAR documentation's example: MONTH is padded to 9 characters.
    ("SELECT TO_CHAR(TIMESTAMP '2009-12-31 23:15:59', 'MONTH-DY-DD-YYYY HH12:MIPM')", "DECEMBER -THU-31-2009 11:15PM"),
    ("SELECT TO_CHAR(TIMESTAMP '2008-06-17 14:05:09', 'HH12:MI AM'), TO_CHAR(TIMESTAMP '2008-06-17 09:05:09', 'hh:mi pm')", "02:05 PM|09:05 am"),
    ("SELECT TO_CHAR(DATE '2008-06-07', 'Mon DD, YYYY'), TO_CHAR(DATE '2008-06-07', 'MON-YY')", "Jun 07, 2008|JUN-08"),
    // Month and day names are blank-padded to 9 characters unless FM is given.
    ("SELECT '[' || TO_CHAR(DATE '2008-06-07', 'Month') || ']', TO_CHAR(DATE '2008-06-07', 'FMMonth FMDD')", "[June     ]|June 7"),
    ("SELECT '[' || TO_CHAR(DATE '2008-06-07', 'DY Dy day') || ']'", "[SAT Sat saturday ]"),
    ("SELECT TO_CHAR(DATE '2008-06-07', 'D Q DDD IW'), TO_CHAR(TIMESTAMP '2008-06-17 14:05:09.123456', 'SS.MS US')", "7 2 159 23|09.123 123456"),
    ("SELECT TO_CHAR(saletime, 'YYYY\"Q\"Q') FROM (SELECT TIMESTAMP '2008-11-02 00:00' AS saletime)", "2008Q4"),
    ("SELECT TO_DATE('20240102', 'YYYYMMDD'), TO_DATE('02 Jan 2024', 'DD Mon YYYY')", "2024-01-02|2024-01-02"),
    // ---- LISTAGG: NULLs and empty strings are ignored; no delimiter by default.
    ("SELECT LISTAGG(x, ', ') WITHIN GROUP (ORDER BY x) FROM (VALUES ('b'), ('a'), (NULL), (''), ('c')) t(x)", "a, b, c"),
    ("SELECT LISTAGG(x) WITHIN GROUP (ORDER BY x DESC) FROM (VALUES ('b'), ('a'), ('c')) t(x)", "cba"),
    ("SELECT LISTAGG(DISTINCT x, ',') WITHIN GROUP (ORDER BY x DESC) FROM (VALUES ('a'), ('b'), ('a')) t(x)", "b,a"),
    ("SELECT LISTAGG(n, '-') WITHIN GROUP (ORDER BY n DESC) FROM (VALUES (1), (2), (3)) t(n)", "3-2-1"),
    ("SELECT g, LISTAGG(x, '|') WITHIN GROUP (ORDER BY x) FROM (VALUES (1, 'b'), (1, 'a'), (2, 'c')) t(g, x) GROUP BY g ORDER BY g", "1|a|b;2|c"),
    ("SELECT p, x, LISTAGG(x, ',') WITHIN GROUP (ORDER BY x) OVER (PARTITION BY p) FROM (VALUES (1, 'b'), (1, 'a'), (2, 'c')) t(p, x) ORDER BY p, x", "1|a|a,b;1|b|a,b;2|c|c"),
    ("SELECT LISTAGG(x, ',') FROM (VALUES (CAST(NULL AS VARCHAR)), ('')) t(x)", "None"),
    // ---- SELECT TOP n is LIMIT n, also with DISTINCT and in subqueries and CTEs.
    ("SELECT TOP 2 x FROM (VALUES (3), (1), (2)) t(x) ORDER BY x", "1;2"),
    ("SELECT DISTINCT TOP 2 x FROM (VALUES (1), (1), (2), (3)) t(x) ORDER BY x", "1;2"),
    ("SELECT count(*) FROM (SELECT TOP 3 x FROM (VALUES (1), (2), (3), (4), (5)) t(x))", "3"),
    ("WITH top2 AS (SELECT TOP 2 x FROM (VALUES (1), (2), (3)) t(x) ORDER BY x DESC) SELECT sum(x) FROM top2", "5"),
    ("select top 1 x from (values (1), (3), (2)) t(x) order by x desc -- the biggest", "3"),
    // ---- NVL / NVL2 / DECODE / ISNULL.
    ("SELECT NVL(CAST(NULL AS INT), 0) + 1, NVL2(x, 'set', 'unset') FROM (VALUES (CAST(NULL AS INT))) t(x)", "1|unset"),
    ("SELECT DECODE(2, 1, 'one', 2, 'two'), DECODE(3, 1, 'one', 2, 'two'), DECODE(x, NULL, 0, x * 10) FROM (VALUES (4), (NULL)) t(x) ORDER BY x", "two|None|40;two|None|0"),
    // ---- Strings.
    // LEN counts trailing blanks of a VARCHAR.
    ("SELECT LEN('abc  '), CHARINDEX('z', 'abc'), STRPOS('fish dog', 'dog')", "5|0|6"),
    // The BTRIM documentation's example.
    ("SELECT BTRIM('  abc  '), BTRIM('xyzaxyzbxyzcxyz', 'xyz')", "abc|axyzbxyzc"),
    ("SELECT 'a' || NULL IS NULL, 'n' || 1, SPLIT_PART('a,b,c', ',', 2), SPLIT_PART('a,b', ',', 5) = ''", "True|n1|b|True"),
    ("SELECT SUBSTRING('abcdef', 2, 3), LEFT('abc', 2), RIGHT('abc', 2), REPLICATE('ab', 3)", "bcd|ab|bc|ababab"),
    ("SELECT GREATEST(1, NULL, 3), LEAST(NULL, 2, 1)", "3|1"),
    // ---- Regular expressions. Redshift reads `\\` in a literal as one backslash; REGEXP_SUBSTR
    // returns '' when nothing matches; REGEXP_REPLACE replaces every match.
    ("SELECT REGEXP_SUBSTR('Email: a@b.com now', '[^ ]+@[^ ]+'), REGEXP_SUBSTR('abc', 'z') = ''", "a@b.com|True"),
    ("SELECT REGEXP_SUBSTR('order 66, item 42', '\\\\d+', 1, 2), REGEXP_SUBSTR('aXbX', 'x', 1, 2, 'i'), REGEXP_SUBSTR('abcabc', 'a.', 2)", "42|X|ab"),
    // The REGEXP_SUBSTR documentation's `e` example shape: only the first subexpression is
    // returned, and a pattern without one ignores `e`.
    ("SELECT REGEXP_SUBSTR('This is a test', 'This is a (\\\\w+)', 1, 1, 'e'), REGEXP_SUBSTR('key=val', '\\\\w+', 1, 1, 'e')", "test|key"),
    ("SELECT REGEXP_SUBSTR('x', 'y', 1, 3) = '', REGEXP_SUBSTR(NULL, 'y', 1, 3)", "True|None"),
    ("SELECT REGEXP_COUNT('abcabc', 'b'), REGEXP_COUNT('ABab', 'a', 1, 'i'), REGEXP_COUNT('abab', 'a', 2)", "2|2|1"),
    ("SELECT REGEXP_REPLACE('a1b22c333', '\\\\d+', '#'), REGEXP_REPLACE('abcb', 'b'), REGEXP_REPLACE('abab', 'a', '-', 2)", "a#b#c#|ac|ab-b"),
    // ---- Aggregates and window functions.
    ("SELECT MEDIAN(x) FROM (VALUES (1), (2), (3), (10)) t(x)", "2.5"),
    ("SELECT g, v, RATIO_TO_REPORT(v) OVER (PARTITION BY g) FROM (VALUES ('a', 1), ('a', 3), ('b', 5)) t(g, v) ORDER BY g, v", "a|1|0.25;a|3|0.75;b|5|1.0"),
    // APPROXIMATE runs exactly: the exact result is what Redshift's estimate approximates.
    ("SELECT APPROXIMATE COUNT(DISTINCT x) FROM (VALUES (1), (2), (2), (3)) t(x)", "3"),
    ("SELECT APPROXIMATE PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY x), PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x) FROM (VALUES (1), (2), (3), (4)) t(x)", "2|2.5"),
    // ---- Casts to Redshift types. NUMERIC without precision is NUMERIC(18,0), so it rounds.
    ("SELECT '1.5'::NUMERIC, CAST(2.4 AS DECIMAL), typeof(CAST(1 AS NUMERIC)), CAST(1.25 AS NUMERIC(5,2))", "2|2|DECIMAL(18,0)|1.25"),
    ("SELECT '12'::int2 + '3'::int4 + '4'::int8, '1.25'::float4 * 2, '0.1'::float8, typeof(1::float)", "19|2.5|0.1|DOUBLE"),
    ("SELECT 'abc'::character varying(max) || 'd', CAST('x' AS bpchar), 'y'::nvarchar(10), typeof('z'::text)", "abcd|x|y|VARCHAR"),
    ("SELECT typeof('abc'::varbyte), typeof(CAST('x' AS VARBINARY(10))), typeof(CAST('x' AS BINARY VARYING))", "BLOB|BLOB|BLOB"),
    ("SELECT CONVERT(INT, '42') + 1, CONVERT(varchar(max), 12) || 'x', CONVERT(NUMERIC, 2.5)", "43|12x|3"),
    // A string cast to SUPER is a SUPER string, not parsed JSON: navigating into it is NULL.
    ("SELECT typeof(s), s::VARCHAR, s.a IS NULL FROM (SELECT '{\"a\":1}'::super AS s)", "VARIANT|{\"a\":1}|True"),
    // ---- SUPER navigation: subscripts count from 0, a missing element or key is NULL.
    ("SELECT j.items[0]::INT, j.items[2]::INT, j.items[5] IS NULL, j.o.arr[1][0]::VARCHAR, j.o.nope IS NULL FROM (SELECT JSON_PARSE('{\"items\":[10,20,30],\"o\":{\"arr\":[[\"x\"],[\"y\",\"z\"]]}}') AS j)", "10|30|True|y|True"),
    ("SELECT j[1]::INT, j[1 + 1]::INT, j[0][1]::VARCHAR FROM (SELECT JSON_PARSE('[[\"a\",\"b\"],6,7]') AS j)", "6|7|b"),
    ("SELECT JSON_SERIALIZE(JSON_PARSE('{\"a\": [1, \"b\"], \"c\": null}'))", "{\"a\":[1,\"b\"],\"c\":null}"),
    // ---- Math and hashing.
    ("SELECT DEXP(0), DLOG10(100), DLOG1(1), TO_HEX(255), TO_HEX(2147676847)", "1.0|2.0|0.0|ff|8002f2af"),
    ("SELECT FUNC_SHA1('a'), SHA2('a', 256)", "86f7e437faa5a7fce15d1ddcb9eaeaea377667b8|ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"),
];

/// Redshift DDL and a query over it, run as one script.
const DDL_CASES: &[(&str, &str)] = &[
    (
        "CREATE TABLE kiln_orders (
            id BIGINT IDENTITY(1, 1) ENCODE az64,
            name VARCHAR(MAX) ENCODE lzo,
            amount NUMERIC,
            payload SUPER,
            placed_at TIMESTAMP DEFAULT GETDATE() SORTKEY
        )
        DISTSTYLE KEY DISTKEY(id) COMPOUND SORTKEY(id, name) BACKUP NO;
        INSERT INTO kiln_orders (name, amount, payload) VALUES ('a', 2.5, JSON_PARSE('{\"k\": [1, 2]}')), ('b', 1.4, NULL);
        SELECT id, name, amount, typeof(amount), payload.k[1]::INT, placed_at <= GETDATE() FROM kiln_orders ORDER BY id",
        "1|a|3|DECIMAL(18,0)|2|True;2|b|1|DECIMAL(18,0)|None|True",
    ),
    (
        "CREATE TABLE kiln_events (id INT, kind CHAR(8)) DISTSTYLE ALL SORTKEY AUTO ENCODE AUTO;
        INSERT INTO kiln_events VALUES (1, 'open'), (2, 'close'), (3, 'open');
        CREATE VIEW kiln_open AS SELECT TOP 1 id FROM kiln_events WHERE kind = 'open' ORDER BY id DESC WITH NO SCHEMA BINDING;
        CREATE TABLE kiln_top DISTSTYLE EVEN AS SELECT TOP 2 id FROM kiln_events ORDER BY id;
        SELECT (SELECT id FROM kiln_open), (SELECT LISTAGG(id, ',') WITHIN GROUP (ORDER BY id) FROM kiln_top)",
        "3|1,2",
    ),
];

#[test]
fn everyday_redshift_computes_redshift_results() {
    skip_without_duckdb!();
    let mut blocks = vec!["SET TimeZone = 'America/Los_Angeles'".to_string()];
    let cases: Vec<&(&str, &str)> = CASES.iter().chain(DDL_CASES).collect();
    for (sql, _) in &cases {
        let leftover = check_redshift_only(sql);
        assert!(leftover.is_empty(), "{sql}: {leftover:?}");
        blocks.push(try_redshift_to_duckdb(sql).expect("tokenizable"));
    }
    let results = run(&blocks);
    assert_eq!(results[0], "OK ");
    let mut failures = Vec::new();
    for (((sql, expected), translated), got) in cases.iter().zip(&blocks[1..]).zip(&results[1..]) {
        if got != &format!("OK {expected}") {
            failures.push(format!(
                "{sql}\n  translated: {translated}\n  expected: {expected}\n  got: {got}"
            ));
        }
    }
    assert!(cases.len() >= 80, "{} cases", cases.len());
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// What is left alone is reported, and DuckDB indeed cannot run it as written.
#[test]
fn untranslatable_constructs_are_named_with_their_line() {
    skip_without_duckdb!();
    let sql = "SELECT CONVERT_TIMEZONE('UTC+3', ts)\nFROM (SELECT TIMESTAMP '2024-01-01' AS ts) t;\nSELECT pg_last_copy_id();\nSELECT j[i] FROM (SELECT JSON_PARSE('[1, 2]') AS j, 0 AS i)";
    let found = check_redshift_only(sql);
    let at: Vec<(u64, u64)> = found.iter().map(|u| (u.line, u.column)).collect();
    assert_eq!(at, vec![(1, 8), (3, 8), (4, 9)], "{found:?}");
    assert!(found[0].construct.contains("CONVERT_TIMEZONE"));
    assert_eq!(found[1].construct, "PG_LAST_COPY_ID()");
    assert!(found[2].construct.contains("subscript"));
    let translated = try_redshift_to_duckdb(sql).expect("tokenizable");
    let results = run(&kiln_sql::split_statements(&translated)
        .into_iter()
        .map(|s| s.sql)
        .collect::<Vec<_>>());
    assert!(results.iter().all(|r| r.starts_with("ERR")), "{results:?}");
}
