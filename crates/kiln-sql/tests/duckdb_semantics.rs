//! Runs translated SQL through a real DuckDB (the Python `duckdb` module at the version
//! `bash .cargo/duckdb-lib.sh --print-python-version` prints) to prove DuckDB accepts it and computes what Redshift would. Locally they are
//! skipped, with the reason printed, when python3 or the module is unavailable; in CI (`CI` set)
//! and under `make test` (`KILN_REQUIRE_PY_DUCKDB=1`) a missing module fails them instead, so a
//! green run always means the translations were proven.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

use std::fs;
use std::path::Path;

use common::run;

use kiln_sql::{parse_redshift_ddl, redshift_to_duckdb, split_statements, try_redshift_to_duckdb, RedshiftDdl};

fn fixture_input(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/translate")
        .join(name);
    let text = fs::read_to_string(path).expect("fixture");
    text.split("\n-- expect:\n").next().expect("input part").to_string()
}

#[test]
fn scalar_rewrites_compute_redshift_results() {
    skip_without_duckdb!();
    let cases: &[(&str, &str)] = &[
        ("SELECT DATEDIFF(day,'2008-01-01','2008-01-31')", "30"),
        ("SELECT DATEDIFF(minute, '2024-01-01 10:00', '2024-01-01 11:30')", "90"),
        // Redshift counts boundaries crossed, not whole units.
        ("SELECT DATEDIFF(mon, '2008-01-31', '2008-02-01')", "1"),
        (
            "SELECT DATEDIFF('hour', TIMESTAMP '2008-01-01 10:59', TIMESTAMP '2008-01-01 11:00')",
            "1",
        ),
        ("SELECT DATEADD(month, 1, '2008-01-31')", "2008-02-29 00:00:00"),
        ("SELECT DATEADD(qtr, 1, DATE '2008-01-31')", "2008-04-30 00:00:00"),
        (
            "SELECT DATEADD(mins, 2 + 3, TIMESTAMP '2008-01-01 10:00')",
            "2008-01-01 10:05:00",
        ),
        ("SELECT DATE_PART(dow, DATE '2008-01-05')", "6"),
        ("SELECT DATE_PART(hrs, '2008-01-05 14:30:00')", "14"),
        (
            "SELECT DATE_TRUNC('mon', TIMESTAMP '2008-06-17 10:11:12')",
            "2008-06-01 00:00:00",
        ),
        ("SELECT date_trunc(y, '2008-06-17 10:11:12')", "2008-01-01 00:00:00"),
        ("SELECT NVL(NULL, NULL, 'x')", "x"),
        ("SELECT NVL2(NULL, 'a', 'b'), NVL2(1 + 1, 'a', 'b')", "b|a"),
        ("SELECT ISNULL(NULL, 5)", "5"),
        (
            "SELECT DECODE('MLB', 'NHL', 'Hockey', 'MLB', 'Baseball', 'Unknown')",
            "Baseball",
        ),
        ("SELECT DECODE('XFL', 'NHL', 'Hockey', 'Unknown')", "Unknown"),
        ("SELECT DECODE(CAST(NULL AS INT), NULL, 'none', 1, 'one')", "none"),
        ("SELECT LEN('kiln')", "4"),
        ("SELECT CHARINDEX('dog', 'fish dog')", "6"),
        ("SELECT DATE('2020-05-06 10:00:00')", "2020-05-06"),
        ("SELECT TRUNC(TIMESTAMP '2020-05-06 10:00:00')", "2020-05-06"),
        ("SELECT TRUNC(111.86)", "111"),
        (
            r#"SELECT JSON_EXTRACT_PATH_TEXT('{"f2":{"f3":1},"f4":{"f5":99,"f6":"star"}}','f4', 'f6')"#,
            "star",
        ),
        (r#"SELECT JSON_EXTRACT_PATH_TEXT('{"f2":', 'f2', true)"#, "None"),
        (
            r#"SELECT JSON_EXTRACT_PATH_TEXT('{"a-b":{"c d":7}}', 'a-b', 'c d')"#,
            "7",
        ),
        ("SELECT JSON_EXTRACT_ARRAY_ELEMENT_TEXT('[111,112,113]', 2)", "113"),
        ("SELECT JSON_EXTRACT_ARRAY_ELEMENT_TEXT('[111,112,113]', 1 + 1)", "113"),
        (
            r#"SELECT IS_VALID_JSON('{"a":2}'), IS_VALID_JSON('{"a":2')"#,
            "True|False",
        ),
        ("SELECT CAN_JSON_PARSE('[1]')", "True"),
        // SUPER is a VARIANT: its own text is DuckDB's rendering, its JSON text is Redshift's.
        (
            r#"SELECT typeof(JSON_PARSE('{"a": 1}')), CAST(JSON_PARSE('{"a": 1}') AS JSON), CAST(JSON_PARSE('{"a": 1}') AS VARCHAR)"#,
            r#"VARIANT|{"a":1}|{'a': 1}"#,
        ),
        (
            r#"SELECT j.a.c::VARCHAR, j.a.n::INT + 1, j.missing IS NULL, j.a.missing IS NULL FROM (SELECT JSON_PARSE('{"a": {"c": "x y", "n": "41"}}') AS j)"#,
            "x y|42|True|True",
        ),
        (
            r#"SELECT JSON_PARSE('"text"')::VARCHAR, JSON_PARSE(NULL) IS NULL"#,
            "text|True",
        ),
        // Redshift's IS_VALID_JSON wants an object, IS_VALID_JSON_ARRAY an array.
        (
            r#"SELECT IS_VALID_JSON('[1,2,3]'), IS_VALID_JSON('"x"'), IS_VALID_JSON('{{}}'), IS_VALID_JSON(NULL)"#,
            "False|False|False|None",
        ),
        (
            r#"SELECT IS_VALID_JSON_ARRAY('["a",["b",1]]'), IS_VALID_JSON_ARRAY('{"a":1}'), IS_VALID_JSON_ARRAY('[1,,2]')"#,
            "True|False|False",
        ),
        // Known difference (lib.rs): DuckDB's JSON reader accepts a trailing comma, Redshift does not.
        (
            r#"SELECT IS_VALID_JSON_ARRAY('[1,2,]'), IS_VALID_JSON('{"a":1,}')"#,
            "True|True",
        ),
        (r#"SELECT CAN_JSON_PARSE('"x"'), CAN_JSON_PARSE('{"a":')"#, "True|False"),
        // The examples of Redshift's FROM_VARBYTE documentation.
        ("SELECT FROM_VARBYTE('ab', 'hex')", "6162"),
        ("SELECT FROM_VARBYTE(FROM_HEX('4d'), 'binary')", "01001101"),
        (
            "SELECT FROM_VARBYTE('ab', 'base64'), FROM_VARBYTE(FROM_HEX('fffe'), 'HEX')",
            "YWI=|fffe",
        ),
        // A BLOB is decoded; a VARCHAR comes back unchanged, backslashes and all.
        (
            r"SELECT FROM_VARBYTE(CAST('\xC3\xA9 \x5C x' AS BLOB), 'utf-8'), FROM_VARBYTE(CAST('a\xZZ\\b é' AS VARCHAR), 'utf8')",
            r"é \ x|a\xZZ\\b é",
        ),
        (
            r"SELECT typeof(FROM_VARBYTE(CAST('ab' AS BLOB), 'utf-8')), typeof(FROM_VARBYTE('ab', 'UTF-8')), FROM_VARBYTE(NULL, 'utf-8')",
            "VARCHAR|VARCHAR|None",
        ),
        (
            r"SELECT IS_UTF8(CAST('\xC3\xA9' AS BLOB)), IS_UTF8(CAST('\xFF\xFE' AS BLOB)), IS_UTF8('a\xFF'), IS_UTF8(NULL)",
            "True|False|True|None",
        ),
        // The null_if_invalid flag covers malformed JSON; the cast of what was extracted is a cast.
        (
            r#"SELECT CAST(JSON_EXTRACT_PATH_TEXT('{"n":', 'n', true) AS BIGINT), JSON_EXTRACT_PATH_TEXT('{"n":"7"}', 'n', true)::INT + 1"#,
            "None|8",
        ),
        (
            "SELECT CAST('19.99' AS FLOAT), '0.1'::float, typeof(CAST(1 AS FLOAT(10)))",
            "19.99|0.1|FLOAT",
        ),
        ("SELECT JSON_ARRAY_LENGTH('[1', true)", "None"),
        ("SELECT CAST(x AS VARCHAR(MAX)) || 'd' FROM (SELECT 'abc' AS x)", "abcd"),
        ("SELECT 'a' || 'b', 'now'::text, 3::text ILIKE '3'", "ab|now|True"),
    ];
    let blocks: Vec<String> = cases
        .iter()
        .map(|(sql, _)| try_redshift_to_duckdb(sql).expect("tokenizable"))
        .collect();
    let results = run(&blocks);
    let mut failures = Vec::new();
    for (((sql, expected), translated), got) in cases.iter().zip(&blocks).zip(&results) {
        if got != &format!("OK {expected}") {
            failures.push(format!(
                "{sql}\n  translated: {translated}\n  expected: {expected}\n  got: {got}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn getdate_is_utc_whatever_the_session_time_zone() {
    skip_without_duckdb!();
    let blocks = vec![
        "SET TimeZone = 'America/Los_Angeles'".to_string(),
        redshift_to_duckdb(
            "SELECT abs(epoch(now()) - epoch(GETDATE())) < 5, abs(epoch(now()) - epoch(SYSDATE)) < 5, typeof(GETDATE())",
        ),
    ];
    let results = run(&blocks);
    assert_eq!(results[1], "OK True|True|TIMESTAMP", "{blocks:?}");
}

/// The seed's sensor tables and views, translated, with readings 5 and 10 minutes old (inside
/// the 30-minute window) and one 2 hours old, stamped with the true epoch like the simulator
/// does. Run in a non-UTC session so a local-time GETDATE would let the old reading in.
#[test]
fn sensor_views_run_end_to_end() {
    skip_without_duckdb!();
    let tables = redshift_to_duckdb(&fixture_input("sensor_tables.sql"));
    let views = redshift_to_duckdb(&fixture_input("sensor_views.sql"));
    let data = redshift_to_duckdb(
        "INSERT INTO sensor (id, guid, mac, sku, upc, active) VALUES (1, 'g1', 'mac', 'sku', 'upc', TRUE);
         INSERT INTO location (id, long, lat, description) VALUES (1, -122.5, 45.5, 'Portland');
         INSERT INTO history (id, serviced, action, technician_id) VALUES (1, 1580000000, 'INSTALLED', 7);
         INSERT INTO manufacturer (id, name, website) VALUES (1, 'Acme', 'acme.test');
         INSERT INTO sensors (sensor_id, manufacturer_id, location_id, history_id, message_guid)
              VALUES (1, 1, 1, 1, 'g1');
         INSERT INTO message (guid, ts, temp)
              SELECT 'g1', CAST(epoch(now()) AS BIGINT) - 600, 20.0 UNION ALL
              SELECT 'g1', CAST(epoch(now()) AS BIGINT) - 300, 22.0 UNION ALL
              SELECT 'g1', CAST(epoch(now()) AS BIGINT) - 7200, 99.0;",
    );
    let blocks = vec![
        "SET TimeZone = 'America/Los_Angeles'; CREATE SCHEMA sensor".to_string(),
        tables,
        data,
        views,
        "SELECT msg_count, avg_temp FROM sensor.sensor_avg_temp_current".to_string(),
        "SELECT msg_count, avg_temp FROM sensor.sensor_avg_temp".to_string(),
        "SELECT msg_count, location FROM sensor.sensor_msg_count".to_string(),
        "SELECT count(*), count(redshift), min(installed) FROM sensor.sensor_msg_detail".to_string(),
        "SELECT string_agg(CAST(id AS VARCHAR), ',' ORDER BY id) FROM sensor.message".to_string(),
        "SELECT id FROM sensor.sensors".to_string(),
    ];
    let results = run(&blocks);
    for (block, result) in blocks.iter().zip(&results).take(4) {
        assert!(result.starts_with("OK"), "{result}\nfor:\n{block}");
    }
    assert_eq!(results[4], "OK 2|21.0");
    assert_eq!(results[5], "OK 3|47.0");
    assert_eq!(results[6], "OK 3|Portland");
    assert_eq!(results[7], "OK 3|3|2020-01-26 00:53:20");
    assert_eq!(results[8], "OK 1,2,3");
    assert_eq!(results[9], "OK 1");
}

#[test]
fn ddl_fixture_is_accepted_by_duckdb() {
    skip_without_duckdb!();
    let translated = redshift_to_duckdb(&fixture_input("ddl.sql"));
    let statements = split_statements(&translated);
    // The last statement reads a table that does not exist; it is there for the text fixture.
    let (last, setup) = statements.split_last().expect("statements");
    assert!(last.sql.contains("FROM keys"));
    // Redshift's default schema; DuckDB's is `main`, so the warehouse has to provide it.
    let mut blocks = vec!["CREATE SCHEMA public".to_string()];
    blocks.extend(setup.iter().map(|s| s.sql.clone()));
    blocks.push("INSERT INTO public.event_log (payload, note) VALUES ('p1', 'n'), ('p2', NULL)".into());
    blocks.push(
        "SELECT string_agg(CAST(event_id AS VARCHAR), ',' ORDER BY event_id), count(created_at) FROM public.event_log"
            .into(),
    );
    blocks.push("SELECT count(*) FROM recent_events".into());
    blocks.push("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'event_log' AND column_name = 'payload'".into());
    let results = run(&blocks);
    for (block, result) in blocks.iter().zip(&results) {
        assert!(result.starts_with("OK"), "{result}\nfor:\n{block}");
    }
    let n = results.len();
    assert_eq!(results[n - 3], "OK 0,1|2");
    assert_eq!(results[n - 2], "OK 2");
    assert_eq!(results[n - 1], "OK payload|VARCHAR");
}

#[test]
fn logistics_json_fixture_parses_orders() {
    skip_without_duckdb!();
    let setup = redshift_to_duckdb(
        r#"CREATE TABLE order_stream (ApproximateArrivalTimestamp TIMESTAMP, payload VARCHAR(MAX));
        INSERT INTO order_stream VALUES
          (DATEADD(minute, -5, GETDATE()), '{"consignmentid": 1, "timestamp": "t1", "origin": {"state": "OR"}, "delivery": {"state": "WA"}, "carrier": {"tracking-id": "T1"}, "legs": ["PDX", "SEA"], "days_to_deliver": 2}'),
          (DATEADD(minute, -6, GETDATE()), '{"consignmentid": 2, "origin": {"state": "OR"}, "delivery": {"state": "WA"}, "legs": ["PDX", "BOI", "SEA"], "days_to_deliver": 3}'),
          (DATEADD(minute, -7, GETDATE()), '{"consignmentid": 3, "origin": {"state": "CA"}, "delivery": {"state": "NV"}, "legs": ["SFO"], "days_to_deliver": 1}'),
          (DATEADD(minute, -8, GETDATE()), '{"consignmentid": 4, "origin": '),
          (DATEADD(hour, -3, GETDATE()), '{"consignmentid": 5, "origin": {"state": "TX"}, "delivery": {"state": "TX"}, "legs": []}');"#,
    );
    let script = redshift_to_duckdb(&fixture_input("json_logistics.sql"));
    let blocks = vec![
        setup,
        script,
        "SELECT consignmentid, tracking_id, first_leg, last_leg, days_to_deliver, date_diff('day', ApproximateArrivalTimestamp, eta) FROM order_events ORDER BY 1".to_string(),
    ];
    let results = run(&blocks);
    assert!(results[0].starts_with("OK"), "{}", results[0]);
    assert_eq!(results[1], "OK OR -> WA|2", "{}", blocks[1]);
    assert_eq!(results[2], "OK 1|T1|PDX|SEA|2|2;2|None|PDX|SEA|3|3;3|None|SFO|SFO|1|1");
}

/// The AWS streaming-ingestion workshop's views (create_mv.sql), exactly as written there.
const CUSTOMER_STREAM_MV: &str = "CREATE MATERIALIZED VIEW customer_stream AS
SELECT ApproximateArrivalTimestamp,
JSON_PARSE(from_varbyte(Data, 'utf-8')) as customer_data
FROM kinesis_schema.customer_stream
WHERE is_utf8(Data) AND is_valid_json(from_varbyte(Data, 'utf-8'));";

const ORDER_STREAM_MV: &str = "CREATE MATERIALIZED VIEW order_stream AS
SELECT ApproximateArrivalTimestamp,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'consignmentid', true) AS BIGINT) as consignmentid,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'delay_probability', true) AS VARCHAR(10)) as delay_probability,
CAST(JSON_EXTRACT_PATH_TEXT(from_varbyte(Data, 'utf-8'), 'revenue', true) AS FLOAT) as revenue
FROM kinesis_schema.order_stream
WHERE is_utf8(Data) AND is_valid_json(from_varbyte(Data, 'utf-8'));";

/// The form Redshift's documentation uses today.
const ORDER_EVENTS_MV: &str = "CREATE MATERIALIZED VIEW order_events AUTO REFRESH YES AS
SELECT approximate_arrival_timestamp, JSON_PARSE(kinesis_data) AS data
FROM kds.\"order-stream\"
WHERE CAN_JSON_PARSE(kinesis_data);";

/// Reads a streaming view with `parse_redshift_ddl` and materializes its translated query as a
/// table, the way the stream engine does; `retarget` swaps the stream it reads.
fn materialize(mv: &str, retarget: Option<(&str, &str)>) -> String {
    let Ok(Some(RedshiftDdl::CreateMaterializedView { name, select_sql, .. })) = parse_redshift_ddl(mv) else {
        panic!("not read as a materialized view: {mv}");
    };
    let select = match retarget {
        Some((from, to)) => select_sql.replace(from, to),
        None => select_sql,
    };
    format!(
        "CREATE TABLE {name} AS {}",
        try_redshift_to_duckdb(&select).expect("tokenizable")
    )
}

/// Each stream holds good records and bad ones: not JSON, truncated, an array, NULL, and missing
/// keys. The views must keep exactly the good objects and read missing values as NULLs. (A value
/// that does not fit its cast raises, as on Redshift; kiln-stream's tests cover setting it aside.)
#[test]
fn workshop_streaming_views_run_end_to_end() {
    skip_without_duckdb!();
    let streams = r#"
        CREATE SCHEMA kinesis_schema;
        CREATE TABLE kinesis_schema.customer_stream (ApproximateArrivalTimestamp TIMESTAMP, Data VARCHAR);
        INSERT INTO kinesis_schema.customer_stream VALUES
          ('2024-05-01 10:00:01', '{"userid": 1, "name": "Ann", "state": "VIC"}'),
          ('2024-05-01 10:00:02', '{"userid": 2, "name": "Bo", "state": "NSW"}'),
          ('2024-05-01 10:00:03', '{"userid": "3", "name": "Cy \\ \"C\"", "state": "VIC"}'),
          ('2024-05-01 10:00:04', 'not json'),
          ('2024-05-01 10:00:05', '[{"userid": 5}]'),
          ('2024-05-01 10:00:06', '{"userid": 6, "state": '),
          ('2024-05-01 10:00:07', NULL);
        CREATE TABLE kinesis_schema.order_stream (ApproximateArrivalTimestamp TIMESTAMP, Data VARCHAR);
        INSERT INTO kinesis_schema.order_stream VALUES
          ('2024-05-01 10:01:00', '{"consignmentid": 101, "delay_probability": "low", "revenue": 19.99}'),
          ('2024-05-01 10:02:00', '{"consignmentid": "102", "delay_probability": "high", "revenue": "250.5"}'),
          ('2024-05-01 10:03:00', '{"consignmentid": null, "delay_probability": "medium", "revenue": 7}'),
          ('2024-05-01 10:04:00', '{"consignmentid": 104}'),
          ('2024-05-01 10:05:00', 'oops'),
          ('2024-05-01 10:06:00', '[{"consignmentid": 106}]'),
          ('2024-05-01 10:07:00', '{"consignmentid": 107,');
        CREATE SCHEMA kds;
        CREATE TABLE kds."order-stream" (approximate_arrival_timestamp TIMESTAMP, kinesis_data VARCHAR);
        INSERT INTO kds."order-stream" VALUES
          ('2024-05-01 11:00:00', '{"orderid": 1, "userid": 1, "amount": 10.5}'),
          ('2024-05-01 11:01:00', '{"orderid": 2, "userid": 3, "amount": 5}'),
          ('2024-05-01 11:02:00', '{"orderid": 3, "userid": 9}'),
          ('2024-05-01 11:03:00', '{"orderid": 4, "userid": 2, "amount": 1}'),
          ('2024-05-01 11:04:00', 'garbage');
    "#;
    let blocks = vec![
        streams.to_string(),
        materialize(CUSTOMER_STREAM_MV, None),
        materialize(ORDER_STREAM_MV, None),
        materialize(ORDER_EVENTS_MV, None),
        "SELECT ApproximateArrivalTimestamp, CAST(customer_data AS JSON) FROM customer_stream ORDER BY 1".to_string(),
        "SELECT ApproximateArrivalTimestamp, consignmentid, delay_probability, revenue, typeof(consignmentid), \
         typeof(revenue) FROM order_stream ORDER BY 1"
            .to_string(),
        redshift_to_duckdb(r#"SELECT CAST(JSON_EXTRACT_PATH_TEXT('{"consignmentid": "abc"}', 'consignmentid', true) AS BIGINT)"#),
        // The workshop's PartiQL queries, translated like any console query.
        redshift_to_duckdb(
            "SELECT count(1), customer_data.state::VARCHAR FROM customer_stream GROUP BY customer_data.state ORDER BY 2",
        ),
        redshift_to_duckdb(
            "SELECT os.orderid, cs.customer_data.name::VARCHAR, os.amount
             FROM customer_stream cs
             JOIN (SELECT data.orderid::INT AS orderid, data.userid::INT AS userid, data.amount::FLOAT AS amount
                   FROM order_events) os
               ON cs.customer_data.userid::INT = os.userid
             ORDER BY 1",
        ),
        "SELECT count(*), count(data) FROM order_events".to_string(),
    ];
    let results = run(&blocks);
    for (block, result) in blocks.iter().zip(&results).take(4) {
        assert!(result.starts_with("OK"), "{result}\nfor:\n{block}");
    }
    assert_eq!(
        results[4],
        r#"OK 2024-05-01 10:00:01|{"userid":1,"name":"Ann","state":"VIC"};2024-05-01 10:00:02|{"userid":2,"name":"Bo","state":"NSW"};2024-05-01 10:00:03|{"userid":"3","name":"Cy \\ \"C\"","state":"VIC"}"#,
        "{}",
        blocks[1]
    );
    assert_eq!(
        results[5],
        "OK 2024-05-01 10:01:00|101|low|19.99|BIGINT|DOUBLE;\
         2024-05-01 10:02:00|102|high|250.5|BIGINT|DOUBLE;\
         2024-05-01 10:03:00|None|medium|7.0|BIGINT|DOUBLE;\
         2024-05-01 10:04:00|104|None|None|BIGINT|DOUBLE",
        "{}",
        blocks[2]
    );
    assert!(results[6].starts_with("ERR Conversion Error"), "{}", results[6]);
    assert_eq!(results[7], "OK 1|NSW;2|VIC");
    assert_eq!(results[8], r#"OK 1|Ann|10.5;2|Cy \ "C"|5.0;4|Bo|1.0"#);
    assert_eq!(results[9], "OK 4|4");
}

/// A payload column that is a BLOB (as console SQL may pass) works with the same view text:
/// invalid UTF-8 is filtered out by IS_UTF8 before FROM_VARBYTE would raise on it.
#[test]
fn workshop_view_reads_a_blob_payload() {
    skip_without_duckdb!();
    // Single-quoted "JSON", valid UTF-8 with a multi-byte character, bytes that are not UTF-8, and
    // text whose backslash must survive.
    let stream = r#"
        CREATE SCHEMA kinesis_bytes;
        CREATE TABLE kinesis_bytes.customer_stream (ApproximateArrivalTimestamp TIMESTAMP, Data BLOB);
        INSERT INTO kinesis_bytes.customer_stream VALUES
          ('2024-05-01 10:00:01', encode('{''userid'': 0}')),
          ('2024-05-01 10:00:02', '{\x22userid\x22: 1, \x22name\x22: \x22Zo\xC3\xAB\x22, \x22state\x22: \x22WA\x22}'::BLOB),
          ('2024-05-01 10:00:03', '\xFF\xFE{}'::BLOB),
          ('2024-05-01 10:00:04', encode('{"path": "C:\\tmp", "state": "WA"}'));
    "#;
    let blocks = vec![
        stream.to_string(),
        materialize(CUSTOMER_STREAM_MV, Some(("kinesis_schema.", "kinesis_bytes."))),
        "SELECT CAST(customer_data AS JSON) FROM customer_stream ORDER BY ApproximateArrivalTimestamp".to_string(),
        redshift_to_duckdb(
            "SELECT count(1), customer_data.state::VARCHAR FROM customer_stream GROUP BY customer_data.state",
        ),
    ];
    let results = run(&blocks);
    assert!(results[1].starts_with("OK"), "{}\nfor:\n{}", results[1], blocks[1]);
    assert_eq!(
        results[2],
        r#"OK {"userid":1,"name":"Zoë","state":"WA"};{"path":"C:\\tmp","state":"WA"}"#
    );
    assert_eq!(results[3], "OK 2|WA");
}
