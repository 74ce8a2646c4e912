//! Type families and value normalisation, so equal data on two warehouses compares equal
//! whatever each one calls its types and however it prints them.

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Integer,
    Decimal,
    Float,
    Boolean,
    Text,
    Date,
    Timestamp,
    Other,
}

impl Family {
    /// Numbers are compatible with each other (an INTEGER on one side and a NUMERIC(18,0) on the
    /// other hold the same values); every other family only with itself.
    pub fn compatible(self, other: Family) -> bool {
        let number = |f: Family| matches!(f, Family::Integer | Family::Decimal | Family::Float);
        self == other || (number(self) && number(other))
    }
}

/// The family of a type name as DuckDB, PostgreSQL or Redshift spell it.
pub fn family(data_type: &str) -> Family {
    let t = data_type.trim().to_ascii_lowercase();
    let base = t.split('(').next().unwrap_or("").trim();
    match base {
        "tinyint" | "smallint" | "integer" | "int" | "int2" | "int4" | "int8" | "bigint" | "hugeint" | "utinyint"
        | "usmallint" | "uinteger" | "ubigint" | "uhugeint" => Family::Integer,
        "numeric" | "decimal" => Family::Decimal,
        "real" | "float" | "float4" | "float8" | "double" | "double precision" => Family::Float,
        "boolean" | "bool" => Family::Boolean,
        "varchar" | "character varying" | "text" | "char" | "character" | "bpchar" | "string" | "nvarchar"
        | "nchar" => Family::Text,
        "date" => Family::Date,
        _ if base.starts_with("timestamp") || base == "datetime" => Family::Timestamp,
        _ => Family::Other,
    }
}

/// The value as canonical text (`None` for NULL): decimals without trailing zeros, timestamps
/// with `T` and no zero fraction, booleans as `true`/`false`.
pub fn canonical(family: Family, value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some(match family {
        Family::Integer | Family::Decimal => decimal(&text),
        Family::Boolean => match text.to_ascii_lowercase().as_str() {
            "t" | "true" | "1" => "true".into(),
            "f" | "false" | "0" => "false".into(),
            other => other.to_string(),
        },
        Family::Timestamp => {
            let t = text.replacen(' ', "T", 1);
            let t = t.strip_suffix("+00:00").map(|s| format!("{s}Z")).unwrap_or(t);
            match t.split_once('.') {
                Some((head, frac)) => {
                    let (digits, zone) = frac.split_at(frac.find(|c: char| !c.is_ascii_digit()).unwrap_or(frac.len()));
                    let digits = digits.trim_end_matches('0');
                    if digits.is_empty() {
                        format!("{head}{zone}")
                    } else {
                        format!("{head}.{digits}{zone}")
                    }
                }
                None => t,
            }
        }
        _ => text,
    })
}

fn decimal(text: &str) -> String {
    let t = text.trim().trim_start_matches('+');
    let (sign, digits) = match t.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", t),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let out = if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    };
    if out == "0" {
        out
    } else {
        format!("{sign}{out}")
    }
}

/// Equal after normalisation; floats within a relative 1e-9 (sums of doubles depend on the
/// order the warehouse added them in).
pub fn same(family: Family, left: &Value, right: &Value) -> bool {
    if family == Family::Float {
        let number = |v: &Value| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse::<f64>().ok()));
        return match (number(left), number(right)) {
            (Some(l), Some(r)) => l == r || (l - r).abs() <= 1e-9 * l.abs().max(r.abs()),
            _ => canonical(family, left) == canonical(family, right),
        };
    }
    canonical(family, left) == canonical(family, right)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn families_across_dialects() {
        assert_eq!(family("INTEGER"), Family::Integer);
        assert_eq!(family("int4"), Family::Integer);
        assert_eq!(family("numeric(8,2)"), Family::Decimal);
        assert_eq!(family("DECIMAL(18,3)"), Family::Decimal);
        assert_eq!(family("character varying(50)"), Family::Text);
        assert_eq!(family("timestamp without time zone"), Family::Timestamp);
        assert_eq!(family("TIMESTAMP WITH TIME ZONE"), Family::Timestamp);
        assert_eq!(family("double precision"), Family::Float);
        assert!(Family::Integer.compatible(Family::Decimal));
        assert!(!Family::Text.compatible(Family::Date));
    }

    #[test]
    fn values_normalise() {
        assert_eq!(canonical(Family::Decimal, &json!("12.50")), Some("12.5".into()));
        assert_eq!(canonical(Family::Decimal, &json!("-0.00")), Some("0".into()));
        assert_eq!(
            canonical(Family::Integer, &json!(42)),
            canonical(Family::Integer, &json!("42"))
        );
        assert_eq!(
            canonical(Family::Timestamp, &json!("2008-01-01 10:00:00.000")),
            canonical(Family::Timestamp, &json!("2008-01-01T10:00:00"))
        );
        assert_eq!(
            canonical(Family::Timestamp, &json!("2008-01-01 10:00:00.5+00:00")),
            Some("2008-01-01T10:00:00.5Z".into())
        );
        assert!(same(Family::Float, &json!(0.1 + 0.2), &json!(0.3)));
        assert!(!same(Family::Decimal, &json!("1.01"), &json!("1.1")));
        assert_eq!(canonical(Family::Boolean, &json!("t")), Some("true".into()));
        assert_eq!(canonical(Family::Text, &Value::Null), None);
    }
}
