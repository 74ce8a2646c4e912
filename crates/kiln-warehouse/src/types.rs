//! Declared column types (Redshift or DuckDB spelling) to DuckDB types.

/// Maps a declared type such as `varchar(30)`, `int4`, `decimal(8,2)` or `double precision` to
/// the DuckDB type used to read it. Types DuckDB already understands pass through upper-cased.
///
/// Returns `None` when the text cannot be a type name (it is spliced into SQL, so anything
/// outside letters, digits, spaces, `_`, `(`, `)`, `,`, `[` and `]` is refused) or when a
/// DECIMAL precision/scale is out of range.
pub fn duckdb_type(declared: &str) -> Option<String> {
    let normalized = normalize(declared)?;
    let (base, args, rest) = split_args(&normalized);
    // `timestamp(6) with time zone` keeps its qualifier after the parenthesis.
    let key = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base} {rest}")
    };
    let mapped = match key.as_str() {
        "int" | "int4" | "integer" | "signed" | "int32" => "INTEGER".to_string(),
        "smallint" | "int2" | "int16" | "short" => "SMALLINT".to_string(),
        "bigint" | "int8" | "int64" | "long" => "BIGINT".to_string(),
        "tinyint" | "int1" => "TINYINT".to_string(),
        "hugeint" | "int128" => "HUGEINT".to_string(),
        "varchar" | "char" | "character" | "character varying" | "nvarchar" | "nchar" | "bpchar" | "text"
        | "string" => "VARCHAR".to_string(),
        "decimal" | "numeric" | "dec" => decimal(args)?,
        "float" | "float8" | "double precision" | "double" | "float64" => match args {
            // SQL's float(p): up to 24 bits of mantissa is single precision.
            Some(p) if p.trim().parse::<u32>().is_ok_and(|p| p <= 24) => "FLOAT".to_string(),
            _ => "DOUBLE".to_string(),
        },
        "real" | "float4" | "float32" => "FLOAT".to_string(),
        "boolean" | "bool" | "logical" => "BOOLEAN".to_string(),
        "date" => "DATE".to_string(),
        "timestamp" | "timestamp without time zone" | "datetime" => "TIMESTAMP".to_string(),
        "timestamptz" | "timestamp with time zone" => "TIMESTAMPTZ".to_string(),
        "time" | "time without time zone" => "TIME".to_string(),
        "timetz" | "time with time zone" => "TIMETZ".to_string(),
        "super" | "json" => "JSON".to_string(),
        "varbyte" | "varbinary" | "binary varying" | "bytea" | "blob" | "binary" => "BLOB".to_string(),
        _ => normalized.to_ascii_uppercase(),
    };
    Some(mapped)
}

fn normalize(declared: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '\t' | '_' | '(' | ')' | ',' | '[' | ']');
    if declared.trim().is_empty() || !declared.chars().all(allowed) {
        return None;
    }
    let collapsed = declared
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    Some(
        collapsed
            .replace(" (", "(")
            .replace("( ", "(")
            .replace(" )", ")")
            .replace(" ,", ",")
            .replace(", ", ","),
    )
}

/// Splits `name(args) rest` into its parts; `args` is `None` without parentheses.
fn split_args(s: &str) -> (&str, Option<&str>, &str) {
    match (s.find('('), s.find(')')) {
        (Some(open), Some(close)) if close > open => {
            (s[..open].trim(), Some(&s[open + 1..close]), s[close + 1..].trim())
        }
        _ => (s.trim(), None, ""),
    }
}

/// Redshift's DECIMAL defaults to (18,0), unlike DuckDB's (18,3): declared types are read the
/// Redshift way so a project behaves the same on both warehouses.
fn decimal(args: Option<&str>) -> Option<String> {
    let (precision, scale) = match args {
        None => (18, 0),
        Some(a) => {
            let mut parts = a.split(',').map(|p| p.trim().parse::<u32>());
            let p = parts.next()?.ok()?;
            let s = match parts.next() {
                Some(s) => s.ok()?,
                None => 0,
            };
            if parts.next().is_some() {
                return None;
            }
            (p, s)
        }
    };
    if precision == 0 || precision > 38 || scale > precision {
        return None;
    }
    Some(format!("DECIMAL({precision},{scale})"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::duckdb_type;

    fn t(s: &str) -> String {
        duckdb_type(s).unwrap()
    }

    #[test]
    fn maps_redshift_spellings() {
        assert_eq!(t("int"), "INTEGER");
        assert_eq!(t("INT4"), "INTEGER");
        assert_eq!(t("integer"), "INTEGER");
        assert_eq!(t("smallint"), "SMALLINT");
        assert_eq!(t("int2"), "SMALLINT");
        assert_eq!(t("int8"), "BIGINT");
        assert_eq!(t("varchar(200)"), "VARCHAR");
        assert_eq!(t("char(3)"), "VARCHAR");
        assert_eq!(t("character  varying (30)"), "VARCHAR");
        assert_eq!(t("text"), "VARCHAR");
        assert_eq!(t("decimal(8,2)"), "DECIMAL(8,2)");
        assert_eq!(t("numeric( 10 , 4 )"), "DECIMAL(10,4)");
        assert_eq!(t("numeric"), "DECIMAL(18,0)");
        assert_eq!(t("decimal(5)"), "DECIMAL(5,0)");
        assert_eq!(t("float"), "DOUBLE");
        assert_eq!(t("float8"), "DOUBLE");
        assert_eq!(t("double precision"), "DOUBLE");
        assert_eq!(t("real"), "FLOAT");
        assert_eq!(t("bool"), "BOOLEAN");
        assert_eq!(t("boolean"), "BOOLEAN");
        assert_eq!(t("date"), "DATE");
        assert_eq!(t("timestamp"), "TIMESTAMP");
        assert_eq!(t("timestamp without time zone"), "TIMESTAMP");
        assert_eq!(t("timestamptz"), "TIMESTAMPTZ");
        assert_eq!(t("timestamp(6) with time zone"), "TIMESTAMPTZ");
        assert_eq!(t("super"), "JSON");
    }

    #[test]
    fn passes_duckdb_types_through() {
        assert_eq!(t("VARCHAR"), "VARCHAR");
        assert_eq!(t("uuid"), "UUID");
        assert_eq!(t("integer[]"), "INTEGER[]");
    }

    #[test]
    fn refuses_injection_and_bad_decimals() {
        assert_eq!(duckdb_type("int); drop table x; --"), None);
        assert_eq!(duckdb_type("varchar'"), None);
        assert_eq!(duckdb_type(""), None);
        assert_eq!(duckdb_type("decimal(40,2)"), None);
        assert_eq!(duckdb_type("decimal(4,6)"), None);
        assert_eq!(duckdb_type("decimal(a,b)"), None);
    }
}
