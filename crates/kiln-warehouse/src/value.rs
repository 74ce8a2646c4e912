//! DuckDB values and types as JSON and text.

use base64::Engine as _;
use duckdb::core::{LogicalTypeHandle, LogicalTypeId};
use duckdb::types::{TimeUnit, Value, ValueRef};
use serde_json::{Map, Number, Value as Json};

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// DuckDB's own spelling of a result column's type (`DECIMAL(8,2)`, `VARCHAR[]`, …).
pub(crate) fn type_name(t: &LogicalTypeHandle) -> String {
    if let Some(alias) = t.get_alias() {
        return alias;
    }
    match t.id() {
        LogicalTypeId::Boolean => "BOOLEAN".into(),
        LogicalTypeId::Tinyint => "TINYINT".into(),
        LogicalTypeId::Smallint => "SMALLINT".into(),
        LogicalTypeId::Integer => "INTEGER".into(),
        LogicalTypeId::Bigint => "BIGINT".into(),
        LogicalTypeId::UTinyint => "UTINYINT".into(),
        LogicalTypeId::USmallint => "USMALLINT".into(),
        LogicalTypeId::UInteger => "UINTEGER".into(),
        LogicalTypeId::UBigint => "UBIGINT".into(),
        LogicalTypeId::Float => "FLOAT".into(),
        LogicalTypeId::Double => "DOUBLE".into(),
        LogicalTypeId::Timestamp => "TIMESTAMP".into(),
        LogicalTypeId::Date => "DATE".into(),
        LogicalTypeId::Time => "TIME".into(),
        LogicalTypeId::Interval => "INTERVAL".into(),
        LogicalTypeId::Hugeint => "HUGEINT".into(),
        LogicalTypeId::UHugeint => "UHUGEINT".into(),
        LogicalTypeId::Varchar => "VARCHAR".into(),
        LogicalTypeId::Blob => "BLOB".into(),
        LogicalTypeId::Decimal => {
            format!("DECIMAL({},{})", t.decimal_width(), t.decimal_scale())
        }
        LogicalTypeId::TimestampS => "TIMESTAMP_S".into(),
        LogicalTypeId::TimestampMs => "TIMESTAMP_MS".into(),
        LogicalTypeId::TimestampNs => "TIMESTAMP_NS".into(),
        LogicalTypeId::Enum => "ENUM".into(),
        LogicalTypeId::List | LogicalTypeId::Array => format!("{}[]", type_name(&t.child(0))),
        LogicalTypeId::Struct => format!("STRUCT({})", fields(t)),
        LogicalTypeId::Union => format!("UNION({})", fields(t)),
        LogicalTypeId::Map => format!("MAP({}, {})", type_name(&t.child(0)), type_name(&t.child(1))),
        LogicalTypeId::Uuid => "UUID".into(),
        LogicalTypeId::Bit => "BIT".into(),
        LogicalTypeId::TimeTZ => "TIME WITH TIME ZONE".into(),
        LogicalTypeId::TimestampTZ => "TIMESTAMP WITH TIME ZONE".into(),
        LogicalTypeId::Bignum => "BIGNUM".into(),
        LogicalTypeId::SqlNull => "NULL".into(),
        LogicalTypeId::TimeNs => "TIME_NS".into(),
        LogicalTypeId::Geometry => "GEOMETRY".into(),
        LogicalTypeId::Variant => "VARIANT".into(),
        other => format!("{other:?}").to_ascii_uppercase(),
    }
}

fn fields(t: &LogicalTypeHandle) -> String {
    (0..t.num_children())
        .map(|i| {
            format!(
                "{} {}",
                crate::sql::quote_ident(&t.child_name(i)),
                type_name(&t.child(i))
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Converts one top-level result value. `utc` marks TIMESTAMPTZ columns, whose values are UTC
/// instants and get a `Z`.
pub(crate) fn to_json(v: ValueRef<'_>, utc: bool) -> Json {
    match v {
        ValueRef::Null => Json::Null,
        ValueRef::Boolean(b) => Json::Bool(b),
        ValueRef::TinyInt(i) => Json::from(i),
        ValueRef::SmallInt(i) => Json::from(i),
        ValueRef::Int(i) => Json::from(i),
        ValueRef::BigInt(i) => Json::from(i),
        ValueRef::UTinyInt(i) => Json::from(i),
        ValueRef::USmallInt(i) => Json::from(i),
        ValueRef::UInt(i) => Json::from(i),
        ValueRef::UBigInt(i) => Json::from(i),
        ValueRef::HugeInt(i) => Json::String(i.to_string()),
        ValueRef::UHugeInt(i) => Json::String(i.to_string()),
        ValueRef::Float(f) => float(f64::from(f), &f.to_string()),
        ValueRef::Double(f) => float(f, &f.to_string()),
        ValueRef::Decimal(d) => Json::String(d.to_string()),
        ValueRef::Timestamp(unit, t) => Json::String(timestamp(unit, t, utc)),
        ValueRef::Date32(d) => Json::String(date(d)),
        ValueRef::Time64(unit, t) => Json::String(time_of_day(unit.to_micros(t))),
        ValueRef::Interval { months, days, nanos } => Json::String(interval(months, days, nanos)),
        ValueRef::Text(bytes) => Json::String(String::from_utf8_lossy(bytes).into_owned()),
        ValueRef::Blob(bytes) | ValueRef::Geometry(bytes) => Json::String(base64(bytes)),
        // Containers and enums: DuckDB's own conversion to owned values walks the Arrow arrays.
        other => owned_to_json(&other.to_owned(), utc),
    }
}

fn owned_to_json(v: &Value, utc: bool) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::TinyInt(i) => Json::from(*i),
        Value::SmallInt(i) => Json::from(*i),
        Value::Int(i) => Json::from(*i),
        Value::BigInt(i) => Json::from(*i),
        Value::UTinyInt(i) => Json::from(*i),
        Value::USmallInt(i) => Json::from(*i),
        Value::UInt(i) => Json::from(*i),
        Value::UBigInt(i) => Json::from(*i),
        Value::HugeInt(i) => Json::String(i.to_string()),
        Value::UHugeInt(i) => Json::String(i.to_string()),
        Value::Float(f) => float(f64::from(*f), &f.to_string()),
        Value::Double(f) => float(*f, &f.to_string()),
        Value::Decimal(d) => Json::String(d.to_string()),
        Value::Timestamp(unit, t) => Json::String(timestamp(*unit, *t, utc)),
        Value::Date32(d) => Json::String(date(*d)),
        Value::Time64(unit, t) => Json::String(time_of_day(unit.to_micros(*t))),
        Value::Interval { months, days, nanos } => Json::String(interval(*months, *days, *nanos)),
        Value::Text(s) | Value::Enum(s) => Json::String(s.clone()),
        Value::Blob(b) | Value::Geometry(b) => Json::String(base64(b)),
        Value::List(items) | Value::Array(items) => Json::Array(items.iter().map(|i| owned_to_json(i, utc)).collect()),
        Value::Struct(fields) => Json::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), owned_to_json(v, utc)))
                .collect::<Map<_, _>>(),
        ),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match owned_to_json(k, utc) {
                        Json::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, owned_to_json(v, utc))
                })
                .collect::<Map<_, _>>(),
        ),
        Value::Union(inner) => owned_to_json(inner, utc),
        other => Json::String(format!("{other:?}")),
    }
}

/// JSON has no NaN or infinities, so those become strings. The shortest decimal text of the
/// original width is parsed so that a FLOAT 0.1 stays 0.1 instead of 0.10000000149011612.
fn float(f: f64, text: &str) -> Json {
    if f.is_nan() {
        return Json::String("NaN".into());
    }
    if f.is_infinite() {
        return Json::String(if f > 0.0 { "Infinity" } else { "-Infinity" }.into());
    }
    let parsed = text.parse::<f64>().unwrap_or(f);
    Number::from_f64(parsed).map_or(Json::Null, Json::Number)
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn ymd(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    if y < 0 {
        format!("-{:04}-{m:02}-{d:02}", -y)
    } else {
        format!("{y:04}-{m:02}-{d:02}")
    }
}

pub(crate) fn date(days: i32) -> String {
    // DuckDB stores ±infinity as the extreme values.
    match days {
        i32::MAX => "infinity".into(),
        d if d == -i32::MAX => "-infinity".into(),
        d => ymd(i64::from(d)),
    }
}

pub(crate) fn time_of_day(micros: i64) -> String {
    let secs = micros / 1_000_000;
    let frac = micros % 1_000_000;
    let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
    let mut out = format!("{h:02}:{m:02}:{s:02}");
    if frac != 0 {
        let digits = format!("{frac:06}");
        out.push('.');
        out.push_str(digits.trim_end_matches('0'));
    }
    out
}

pub(crate) fn timestamp(unit: TimeUnit, value: i64, utc: bool) -> String {
    if value == i64::MAX {
        return "infinity".into();
    }
    if value == -i64::MAX {
        return "-infinity".into();
    }
    let micros = unit.to_micros(value);
    let days = micros.div_euclid(MICROS_PER_DAY);
    let rest = micros.rem_euclid(MICROS_PER_DAY);
    let zone = if utc { "Z" } else { "" };
    format!("{}T{}{zone}", ymd(days), time_of_day(rest))
}

/// ISO-8601 duration, e.g. `P1Y2M3DT4H5M6.5S`; months are kept apart from days as in DuckDB.
pub(crate) fn interval(months: i32, days: i32, nanos: i64) -> String {
    let mut out = String::from("P");
    let (years, months) = (months / 12, months % 12);
    if years != 0 {
        out.push_str(&format!("{years}Y"));
    }
    if months != 0 {
        out.push_str(&format!("{months}M"));
    }
    if days != 0 {
        out.push_str(&format!("{days}D"));
    }
    if nanos != 0 {
        out.push('T');
        let negative = nanos < 0;
        let n = nanos.unsigned_abs();
        let sign = if negative { "-" } else { "" };
        let (h, m) = (n / 3_600_000_000_000, (n / 60_000_000_000) % 60);
        let (s, frac) = ((n / 1_000_000_000) % 60, n % 1_000_000_000);
        if h != 0 {
            out.push_str(&format!("{sign}{h}H"));
        }
        if m != 0 {
            out.push_str(&format!("{sign}{m}M"));
        }
        if s != 0 || frac != 0 {
            out.push_str(&format!("{sign}{s}"));
            if frac != 0 {
                out.push('.');
                out.push_str(format!("{frac:09}").trim_end_matches('0'));
            }
            out.push('S');
        }
    }
    if out == "P" {
        out.push_str("T0S");
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(13_879), "2008-01-01");
        assert_eq!(date(13_879 + 59), "2008-02-29");
        assert_eq!(date(-1), "1969-12-31");
        assert_eq!(date(i32::MAX), "infinity");
    }

    #[test]
    fn timestamps() {
        let t = 13_879 * MICROS_PER_DAY + (6 * 3600 + 43 * 60 + 29) * 1_000_000;
        assert_eq!(timestamp(TimeUnit::Microsecond, t, false), "2008-01-01T06:43:29");
        assert_eq!(
            timestamp(TimeUnit::Microsecond, t + 500_000, true),
            "2008-01-01T06:43:29.5Z"
        );
        assert_eq!(timestamp(TimeUnit::Second, -1, false), "1969-12-31T23:59:59");
    }

    #[test]
    fn intervals() {
        assert_eq!(interval(14, 3, 0), "P1Y2M3D");
        assert_eq!(interval(0, 0, 90 * 60 * 1_000_000_000 + 500_000_000), "PT1H30M0.5S");
        assert_eq!(interval(0, 0, 0), "PT0S");
    }

    #[test]
    fn floats_keep_their_short_form() {
        assert_eq!(float(f64::from(0.1f32), &0.1f32.to_string()), Json::from(0.1));
        assert_eq!(float(f64::NAN, "NaN"), Json::String("NaN".into()));
    }
}
