//! Text-format values → JSON, and type OIDs → type names, without asking the server.
//!
//! Every statement runs on the simple query protocol, so every value arrives as the server's
//! text form and every column as a type OID in the RowDescription. Both are interpreted here
//! from a fixed table: Redshift's catalog is PostgreSQL 8.0's (no `pg_type.typcategory`, which
//! sqlx's type look-up selects), and its own types (SUPER, VARBYTE, GEOMETRY …) are not
//! PostgreSQL built-ins, so looking a type up could fail or cost a round trip per column.

use serde_json::{Number, Value};

/// Type OIDs the decoder treats specially. PostgreSQL's are from `pg_type.dat`; Redshift's own
/// (GEOMETRY 3000, GEOGRAPHY 3001, GEOMETRY in hex 3999, SUPER 4000, VARBYTE 6551, the two
/// INTERVAL kinds 1188/1190) are those the Redshift JDBC driver's `Oid` table lists. Neither set
/// overlaps: PostgreSQL gives user-defined types OIDs from 16384 up.
pub(crate) mod oid {
    pub const BOOL: u32 = 16;
    pub const BYTEA: u32 = 17;
    pub const CHAR: u32 = 18;
    pub const NAME: u32 = 19;
    pub const INT8: u32 = 20;
    pub const INT2: u32 = 21;
    pub const INT4: u32 = 23;
    pub const TEXT: u32 = 25;
    pub const OID: u32 = 26;
    pub const JSON: u32 = 114;
    pub const XML: u32 = 142;
    pub const FLOAT4: u32 = 700;
    pub const FLOAT8: u32 = 701;
    pub const UNKNOWN: u32 = 705;
    pub const MONEY: u32 = 790;
    pub const BPCHAR: u32 = 1042;
    pub const VARCHAR: u32 = 1043;
    pub const DATE: u32 = 1082;
    pub const TIME: u32 = 1083;
    pub const TIMESTAMP: u32 = 1114;
    pub const TIMESTAMPTZ: u32 = 1184;
    pub const INTERVAL: u32 = 1186;
    pub const TIMETZ: u32 = 1266;
    pub const NUMERIC: u32 = 1700;
    pub const UUID: u32 = 2950;
    pub const JSONB: u32 = 3802;
    pub const GEOMETRY: u32 = 3000;
    pub const GEOGRAPHY: u32 = 3001;
    pub const GEOMETRY_HEX: u32 = 3999;
    pub const SUPER: u32 = 4000;
    pub const VARBYTE: u32 = 6551;
    pub const INTERVAL_Y2M: u32 = 1188;
    pub const INTERVAL_D2S: u32 = 1190;
}

/// The type name for a column of type `oid`, as the server would spell it in a column list.
/// (The RowDescription's type modifier is not exposed by sqlx, so `numeric(8,2)` and
/// `varchar(50)` come out as `numeric` and `varchar`.)
pub(crate) fn type_name(type_oid: u32) -> String {
    let name = match type_oid {
        oid::BOOL => "boolean",
        oid::BYTEA => "bytea",
        oid::CHAR => "\"char\"",
        oid::NAME => "name",
        oid::INT8 => "bigint",
        oid::INT2 => "smallint",
        oid::INT4 => "integer",
        oid::TEXT => "text",
        oid::OID => "oid",
        oid::JSON => "json",
        oid::XML => "xml",
        oid::FLOAT4 => "real",
        oid::FLOAT8 => "double precision",
        oid::UNKNOWN => "unknown",
        oid::MONEY => "money",
        oid::BPCHAR => "char",
        oid::VARCHAR => "varchar",
        oid::DATE => "date",
        oid::TIME => "time",
        oid::TIMESTAMP => "timestamp",
        oid::TIMESTAMPTZ => "timestamptz",
        oid::INTERVAL => "interval",
        oid::TIMETZ => "timetz",
        oid::NUMERIC => "numeric",
        oid::UUID => "uuid",
        oid::JSONB => "jsonb",
        oid::GEOMETRY | oid::GEOMETRY_HEX => "geometry",
        oid::GEOGRAPHY => "geography",
        oid::SUPER => "super",
        oid::VARBYTE => "varbyte",
        oid::INTERVAL_Y2M => "interval year to month",
        oid::INTERVAL_D2S => "interval day to second",
        650 => "cidr",
        869 => "inet",
        829 => "macaddr",
        1560 => "bit",
        1562 => "varbit",
        2249 => "record",
        2278 => "void",
        3614 => "tsvector",
        // One-dimensional arrays of the common element types.
        1000 => "boolean[]",
        1001 => "bytea[]",
        1005 => "smallint[]",
        1007 => "integer[]",
        1009 => "text[]",
        1014 => "char[]",
        1015 => "varchar[]",
        1016 => "bigint[]",
        1021 => "real[]",
        1022 => "double precision[]",
        1115 => "timestamp[]",
        1182 => "date[]",
        1185 => "timestamptz[]",
        1231 => "numeric[]",
        199 => "json[]",
        2951 => "uuid[]",
        3807 => "jsonb[]",
        other => return format!("oid:{other}"),
    };
    name.to_string()
}

/// The JSON value of one text-format value of a column of type `type_oid`, following
/// [`kiln_pgsql::Executor`]'s conventions. Anything that does not parse as its type claims
/// stays text rather than failing the whole result.
pub(crate) fn value(type_oid: u32, text: &str) -> Value {
    match type_oid {
        oid::INT2 | oid::INT4 | oid::INT8 | oid::OID => match text.parse::<i64>() {
            Ok(n) => Value::Number(n.into()),
            Err(_) => Value::String(text.to_string()),
        },
        oid::FLOAT4 | oid::FLOAT8 => float(text),
        oid::BOOL => match text {
            "t" | "true" => Value::Bool(true),
            "f" | "false" => Value::Bool(false),
            other => Value::String(other.to_string()),
        },
        oid::JSON | oid::JSONB | oid::SUPER => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
        }
        oid::TIMESTAMP => Value::String(timestamp(text)),
        oid::TIMESTAMPTZ => Value::String(timestamptz(text)),
        // NUMERIC stays text so no digit is lost; DATE is already ISO-8601 under the
        // `DateStyle=ISO` the session starts with; the rest (VARBYTE as hex, GEOMETRY as EWKB
        // hex, unknown OIDs …) is the server's text.
        _ => Value::String(text.to_string()),
    }
}

/// Floats are numbers; NaN and ±Infinity, which JSON cannot hold, stay the server's words.
fn float(text: &str) -> Value {
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Number::from_f64(f).map_or_else(|| Value::String(text.to_string()), Value::Number),
        _ => Value::String(text.to_string()),
    }
}

/// `2024-01-02 03:04:05.5` → `2024-01-02T03:04:05.5`. `infinity` and BC dates stay as sent.
fn timestamp(text: &str) -> String {
    if text.ends_with(" BC") || !looks_like_timestamp(text) {
        return text.to_string();
    }
    let mut out = text.to_string();
    out.replace_range(10..11, "T");
    out
}

fn looks_like_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 19 && b[4] == b'-' && b[7] == b'-' && b[10] == b' ' && b[13] == b':' && b[16] == b':'
}

/// `2024-01-02 03:04:05.5+00` → `2024-01-02T03:04:05.5Z`. The session starts in UTC, but a
/// `SET timezone` in a script changes the text's offset (`+05:30`, or LMT's `+00:53:28`), so
/// the offset is applied rather than assumed to be zero.
fn timestamptz(text: &str) -> String {
    if text.ends_with(" BC") || !looks_like_timestamp(text) {
        return text.to_string();
    }
    let Some(sign_at) = text[19..].find(['+', '-']).map(|p| p + 19) else {
        return timestamp(text);
    };
    let (local, offset) = text.split_at(sign_at);
    let Some(offset_secs) = parse_offset(offset) else {
        return text.to_string();
    };
    let local = timestamp(local);
    if offset_secs == 0 {
        return format!("{local}Z");
    }
    match shift(&local, -offset_secs) {
        Some(utc) => format!("{utc}Z"),
        None => text.to_string(),
    }
}

/// `+05`, `-03:30`, `+00:53:28` → seconds east of UTC.
fn parse_offset(offset: &str) -> Option<i64> {
    let sign = match offset.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut secs = 0i64;
    for (i, part) in offset[1..].split(':').enumerate() {
        if i > 2 || part.len() != 2 {
            return None;
        }
        let n: i64 = part.parse().ok()?;
        secs += n * [3600, 60, 1][i];
    }
    Some(sign * secs)
}

/// Adds `delta` seconds to `YYYY-MM-DDTHH:MM:SS[.frac]`, keeping the fraction as written.
fn shift(local: &str, delta: i64) -> Option<String> {
    let year: i64 = local.get(0..4)?.parse().ok()?;
    let month: i64 = local.get(5..7)?.parse().ok()?;
    let day: i64 = local.get(8..10)?.parse().ok()?;
    let hour: i64 = local.get(11..13)?.parse().ok()?;
    let minute: i64 = local.get(14..16)?.parse().ok()?;
    let second: i64 = local.get(17..19)?.parse().ok()?;
    let fraction = local.get(19..)?;
    let total = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second + delta;
    let (days, rest) = (total.div_euclid(86_400), total.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    if !(1..=9999).contains(&y) {
        return None;
    }
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}{fraction}",
        rest / 3600,
        (rest / 60) % 60,
        rest % 60
    ))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decodes_by_oid() {
        assert_eq!(
            value(oid::INT8, "9223372036854775807"),
            json!(9_223_372_036_854_775_807i64)
        );
        assert_eq!(value(oid::INT2, "-3"), json!(-3));
        assert_eq!(value(oid::FLOAT8, "0.1"), json!(0.1));
        assert_eq!(value(oid::FLOAT4, "NaN"), json!("NaN"));
        assert_eq!(value(oid::FLOAT8, "-Infinity"), json!("-Infinity"));
        assert_eq!(
            value(oid::NUMERIC, "12345678901234567890.123456789"),
            json!("12345678901234567890.123456789")
        );
        assert_eq!(value(oid::BOOL, "t"), json!(true));
        assert_eq!(value(oid::BOOL, "f"), json!(false));
        assert_eq!(value(oid::SUPER, "{\"a\":[1,2]}"), json!({"a": [1, 2]}));
        assert_eq!(value(oid::SUPER, "not json"), json!("not json"));
        assert_eq!(value(oid::VARBYTE, "616263"), json!("616263"));
        assert_eq!(value(99_999, "whatever"), json!("whatever"));
        assert_eq!(value(oid::DATE, "2024-02-29"), json!("2024-02-29"));
    }

    #[test]
    fn timestamps_become_iso() {
        assert_eq!(
            value(oid::TIMESTAMP, "2024-01-02 03:04:05.5"),
            json!("2024-01-02T03:04:05.5")
        );
        assert_eq!(value(oid::TIMESTAMP, "infinity"), json!("infinity"));
        assert_eq!(
            value(oid::TIMESTAMPTZ, "2024-01-02 03:04:05+00"),
            json!("2024-01-02T03:04:05Z")
        );
        assert_eq!(
            value(oid::TIMESTAMPTZ, "2024-01-02 01:04:05.25+05:30"),
            json!("2024-01-01T19:34:05.25Z")
        );
        assert_eq!(
            value(oid::TIMESTAMPTZ, "2023-12-31 23:00:00-02"),
            json!("2024-01-01T01:00:00Z")
        );
        assert_eq!(
            value(oid::TIMESTAMPTZ, "1900-01-01 00:00:00+00:53:28"),
            json!("1899-12-31T23:06:32Z")
        );
        assert_eq!(value(oid::TIMESTAMPTZ, "-infinity"), json!("-infinity"));
    }

    #[test]
    fn names_types_without_the_catalog() {
        assert_eq!(type_name(oid::INT4), "integer");
        assert_eq!(type_name(oid::SUPER), "super");
        assert_eq!(type_name(oid::TIMESTAMPTZ), "timestamptz");
        assert_eq!(type_name(16_500), "oid:16500");
    }
}
