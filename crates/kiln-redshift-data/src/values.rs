//! Data API results → Kiln's JSON row conventions (see [`kiln_pgsql::Executor`]): integers as
//! numbers, NUMERIC as strings, SUPER as parsed JSON, dates and timestamps as ISO-8601, NULL as
//! `null`, bytes as base64.

use aws_sdk_redshiftdata::types::{ColumnMetadata, Field};
use base64::Engine as _;
use kiln_warehouse::ColumnInfo;
use serde_json::Value;

/// The server's type name as Redshift spells it in DDL: `integer`, `numeric(8,2)`,
/// `varchar(256)`, `timestamp`, `super`, … (the Data API reports PostgreSQL's internal names:
/// `int4`, `bpchar`, `float8`).
pub fn type_name(meta: &ColumnMetadata) -> String {
    let raw = meta.type_name().unwrap_or("").trim().to_ascii_lowercase();
    let precision = meta.precision();
    let scale = meta.scale();
    let length = if precision > 0 { precision } else { meta.length() };
    let sized = |name: &str| {
        if length > 0 {
            format!("{name}({length})")
        } else {
            name.to_string()
        }
    };
    match raw.as_str() {
        "int2" | "smallint" => "smallint".into(),
        "int4" | "int" | "integer" => "integer".into(),
        "int8" | "bigint" => "bigint".into(),
        "float4" | "real" => "real".into(),
        "float8" | "float" | "double precision" => "double precision".into(),
        "bool" | "boolean" => "boolean".into(),
        "numeric" | "decimal" if precision > 0 => format!("numeric({precision},{scale})"),
        "numeric" | "decimal" => "numeric".into(),
        "varchar" | "character varying" => sized("varchar"),
        "bpchar" | "char" | "character" => sized("char"),
        "varbyte" | "varbinary" | "binary varying" => sized("varbyte"),
        "" => "unknown".into(),
        other => other.to_string(),
    }
}

pub fn columns(metadata: &[ColumnMetadata]) -> Vec<ColumnInfo> {
    metadata
        .iter()
        .enumerate()
        .map(|(i, meta)| ColumnInfo {
            name: meta
                .name()
                .or_else(|| meta.label())
                .map(str::to_string)
                .unwrap_or_else(|| format!("?column{}?", i + 1)),
            data_type: type_name(meta),
        })
        .collect()
}

/// How a column's string values are read, from its type name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Float,
    Boolean,
    /// NUMERIC/DECIMAL: kept as text so no precision is lost.
    Exact,
    Super,
    Timestamp,
    TimestampTz,
    TimeTz,
    Text,
}

pub fn kind_of(data_type: &str) -> Kind {
    let base = data_type.split('(').next().unwrap_or("").trim();
    match base {
        "smallint" | "integer" | "bigint" | "oid" => Kind::Integer,
        "real" | "double precision" => Kind::Float,
        "boolean" => Kind::Boolean,
        "numeric" | "decimal" => Kind::Exact,
        "super" | "json" | "jsonb" => Kind::Super,
        "timestamp" | "timestamp without time zone" => Kind::Timestamp,
        "timestamptz" | "timestamp with time zone" => Kind::TimestampTz,
        "timetz" | "time with time zone" => Kind::TimeTz,
        _ => Kind::Text,
    }
}

/// One record: a value per column.
pub fn row(kinds: &[Kind], record: &[Field]) -> Vec<Value> {
    record
        .iter()
        .enumerate()
        .map(|(i, field)| value(kinds.get(i).copied().unwrap_or(Kind::Text), field))
        .collect()
}

pub fn value(kind: Kind, field: &Field) -> Value {
    match field {
        Field::IsNull(true) => Value::Null,
        Field::IsNull(false) => Value::Null,
        Field::LongValue(n) => Value::from(*n),
        Field::DoubleValue(f) => float(*f),
        Field::BooleanValue(b) => Value::Bool(*b),
        Field::BlobValue(blob) => Value::String(base64::engine::general_purpose::STANDARD.encode(blob.as_ref())),
        Field::StringValue(s) => string_value(kind, s),
        // A variant newer than this SDK: nothing to read.
        _ => Value::Null,
    }
}

fn float(f: f64) -> Value {
    serde_json::Number::from_f64(f).map(Value::Number).unwrap_or_else(|| {
        Value::String(if f.is_nan() {
            "NaN".into()
        } else if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        })
    })
}

fn string_value(kind: Kind, s: &str) -> Value {
    match kind {
        Kind::Integer => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(s.to_string())),
        Kind::Float => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(float)
            .unwrap_or_else(|| Value::String(s.to_string())),
        Kind::Boolean => match s.trim() {
            "t" | "true" | "TRUE" | "1" => Value::Bool(true),
            "f" | "false" | "FALSE" | "0" => Value::Bool(false),
            _ => Value::String(s.to_string()),
        },
        Kind::Exact | Kind::Text => Value::String(s.to_string()),
        // SUPER arrives as its JSON text; a scalar string SUPER is JSON too (`"abc"`).
        Kind::Super => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string())),
        Kind::Timestamp => Value::String(iso_timestamp(s)),
        Kind::TimestampTz => Value::String(iso_timestamp(s)),
        Kind::TimeTz => Value::String(iso_offset(s.trim())),
    }
}

/// Redshift's text form `2024-01-02 03:04:05.123456[+00]` → `2024-01-02T03:04:05.123456[Z]`.
/// A UTC offset `+00` becomes `Z`, others `+hh:mm`.
pub fn iso_timestamp(s: &str) -> String {
    let s = s.trim();
    let joined = match s.split_once(' ') {
        Some((date, time)) if date.len() >= 8 && date.contains('-') => format!("{date}T{}", time.trim()),
        _ => s.to_string(),
    };
    iso_offset(&joined)
}

/// `…+00` → `…Z`, `…+0530`/`…+05` → `…+05:30`/`…+05:00`, leaves anything else alone.
fn iso_offset(s: &str) -> String {
    // The offset starts at the last '+' or '-' after the time's first ':'.
    let Some(colon) = s.find(':') else {
        return s.to_string();
    };
    let Some(rel) = s[colon..].rfind(['+', '-']) else {
        return s.to_string();
    };
    let at = colon + rel;
    let (head, offset) = s.split_at(at);
    let sign = &offset[..1];
    let digits: String = offset[1..].chars().filter(char::is_ascii_digit).collect();
    if offset[1..].chars().any(|c| !c.is_ascii_digit() && c != ':') {
        return s.to_string();
    }
    let (hh, mm) = match digits.len() {
        2 => (&digits[..2], "00"),
        4 => (&digits[..2], &digits[2..]),
        _ => return s.to_string(),
    };
    if hh == "00" && mm == "00" {
        format!("{head}Z")
    } else {
        format!("{head}{sign}{hh}:{mm}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn meta(type_name: &str, precision: i32, scale: i32) -> ColumnMetadata {
        ColumnMetadata::builder()
            .name("c")
            .type_name(type_name)
            .precision(precision)
            .scale(scale)
            .build()
    }

    #[test]
    fn names_types_as_redshift_ddl_does() {
        assert_eq!(type_name(&meta("int4", 10, 0)), "integer");
        assert_eq!(type_name(&meta("int8", 19, 0)), "bigint");
        assert_eq!(type_name(&meta("numeric", 8, 2)), "numeric(8,2)");
        assert_eq!(type_name(&meta("varchar", 256, 0)), "varchar(256)");
        assert_eq!(type_name(&meta("bpchar", 3, 0)), "char(3)");
        assert_eq!(type_name(&meta("float8", 17, 17)), "double precision");
        assert_eq!(type_name(&meta("timestamptz", 35, 6)), "timestamptz");
        assert_eq!(type_name(&meta("super", 0, 0)), "super");
    }

    #[test]
    fn converts_values_by_kind() {
        let s = |v: &str| Field::StringValue(v.into());
        assert_eq!(value(Kind::Exact, &s("123.40")), json!("123.40"));
        assert_eq!(value(Kind::Super, &s(r#"{"a":[1,2]}"#)), json!({"a": [1, 2]}));
        assert_eq!(value(Kind::Super, &s("not json")), json!("not json"));
        assert_eq!(value(Kind::Integer, &Field::LongValue(7)), json!(7));
        assert_eq!(value(Kind::Float, &Field::DoubleValue(f64::NAN)), json!("NaN"));
        assert_eq!(value(Kind::Text, &Field::IsNull(true)), Value::Null);
        assert_eq!(value(Kind::Boolean, &Field::BooleanValue(true)), json!(true));
        assert_eq!(
            value(
                Kind::Text,
                &Field::BlobValue(aws_sdk_redshiftdata::primitives::Blob::new(b"hi".to_vec()))
            ),
            json!("aGk=")
        );
    }

    #[test]
    fn timestamps_become_iso_8601() {
        assert_eq!(iso_timestamp("2024-01-02 03:04:05"), "2024-01-02T03:04:05");
        assert_eq!(iso_timestamp("2024-01-02 03:04:05.25"), "2024-01-02T03:04:05.25");
        assert_eq!(iso_timestamp("2024-01-02 03:04:05+00"), "2024-01-02T03:04:05Z");
        assert_eq!(
            iso_timestamp("2024-01-02 03:04:05.5-0530"),
            "2024-01-02T03:04:05.5-05:30"
        );
        assert_eq!(iso_timestamp("2024-01-02"), "2024-01-02");
        assert_eq!(iso_offset("03:04:05+02"), "03:04:05+02:00");
    }
}
