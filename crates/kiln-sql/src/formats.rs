//! Redshift datetime format strings (`TO_CHAR`, `TO_DATE`) as DuckDB `strftime`/`strptime`.
//!
//! Source: "Datetime format strings" in the Redshift developer guide (the PostgreSQL template
//! patterns). Only patterns with an exact DuckDB counterpart are accepted; anything else (numeric
//! formats such as `999D99`, `CC`, `J`, `W`, `WW`, `TH`, `TZ`, unquoted letters that are not a
//! pattern) makes the whole format untranslatable, so the call is left for
//! [`crate::check_redshift_only`] to report instead of producing a different string.

/// One part of a `TO_CHAR` result.
enum Piece {
    /// A `strftime` format fragment (literal text already has `%` doubled).
    Format(String),
    /// An expression built from the value (`{v}` stands for it).
    Expr(String),
}

/// Case of a named pattern as written: `MONTH`, `Month` or `month`.
#[derive(Clone, Copy)]
enum Case {
    Upper,
    Capital,
    Lower,
}

fn case_of(written: &str) -> Option<Case> {
    let mut chars = written.chars();
    let first = chars.next()?;
    let rest: String = chars.collect();
    if first.is_ascii_uppercase() && rest.chars().all(|c| c.is_ascii_uppercase()) {
        Some(Case::Upper)
    } else if first.is_ascii_uppercase() && rest.chars().all(|c| c.is_ascii_lowercase()) {
        Some(Case::Capital)
    } else if written.chars().all(|c| c.is_ascii_lowercase()) {
        Some(Case::Lower)
    } else {
        None
    }
}

/// A month or day name in the case it was asked for; blank-padded to 9 characters (the longest
/// English name) unless `FM` was given, as PostgreSQL and Redshift do.
fn named(spec: &str, case: Case, pad: bool) -> Piece {
    let name = format!("strftime({{v}}, '{spec}')");
    let cased = match case {
        Case::Upper => format!("upper({name})"),
        Case::Capital => name,
        Case::Lower => format!("lower({name})"),
    };
    if pad {
        Piece::Expr(format!("rpad({cased}, 9, ' ')"))
    } else if matches!(case, Case::Capital) {
        Piece::Format(spec.to_string())
    } else {
        Piece::Expr(cased)
    }
}

/// Reads the format into pieces; `None` when some part has no exact strftime counterpart.
fn pieces(format: &str) -> Option<Vec<Piece>> {
    let chars: Vec<char> = format.chars().collect();
    let mut out = Vec::new();
    let mut p = 0;
    let mut fill_mode = false;
    while p < chars.len() {
        let rest: String = chars[p..].iter().collect();
        let upper = rest.to_ascii_uppercase();
        let starts = |pattern: &str| upper.starts_with(pattern);
        let c = chars[p];
        if c == '"' {
            // Quoted literal text.
            let close = chars[p + 1..].iter().position(|&q| q == '"')? + p + 1;
            let text: String = chars[p + 1..close].iter().collect();
            if text.contains('\\') {
                return None;
            }
            out.push(Piece::Format(text.replace('%', "%%")));
            p = close + 1;
            continue;
        }
        if starts("FM") {
            fill_mode = true;
            p += 2;
            continue;
        }
        let fm = std::mem::take(&mut fill_mode);
        let numeric = |spec: &str, fm_spec: &str| Piece::Format(if fm { fm_spec } else { spec }.to_string());
        let (len, piece) = if starts("HH24") {
            (4, numeric("%H", "%-H"))
        } else if starts("HH12") {
            (4, numeric("%I", "%-I"))
        } else if starts("HH") {
            (2, numeric("%I", "%-I"))
        } else if starts("MI") {
            (2, numeric("%M", "%-M"))
        } else if starts("SSSS") {
            return None;
        } else if starts("SS") {
            (2, numeric("%S", "%-S"))
        } else if starts("MS") && !fm {
            (2, Piece::Format("%g".into()))
        } else if starts("US") && !fm {
            (2, Piece::Format("%f".into()))
        } else if rest.starts_with("AM") || rest.starts_with("PM") {
            (2, Piece::Format("%p".into()))
        } else if rest.starts_with("am") || rest.starts_with("pm") {
            (2, Piece::Expr("lower(strftime({v}, '%p'))".into()))
        } else if starts("IYYY") {
            (4, Piece::Format("%G".into()))
        } else if starts("YYYY") {
            (4, Piece::Format("%Y".into()))
        } else if starts("Y,YYY") || starts("YYY") {
            return None;
        } else if starts("YY") {
            (2, numeric("%y", "%-y"))
        } else if starts("IW") {
            (2, numeric("%V", "%-V"))
        } else if starts("ID") {
            (2, Piece::Format("%u".into()))
        } else if starts("MONTH") {
            (5, named("%B", case_of(&rest[..5])?, !fm))
        } else if starts("MON") {
            (3, named("%b", case_of(&rest[..3])?, false))
        } else if starts("MM") {
            (2, numeric("%m", "%-m"))
        } else if starts("DAY") {
            (3, named("%A", case_of(&rest[..3])?, !fm))
        } else if starts("DDD") {
            (3, numeric("%j", "%-j"))
        } else if starts("DD") {
            (2, numeric("%d", "%-d"))
        } else if starts("DY") {
            (2, named("%a", case_of(&rest[..2])?, false))
        } else if starts("D") {
            // Day of the week, Sunday = 1.
            (1, Piece::Expr("CAST(dayofweek({v}) + 1 AS VARCHAR)".into()))
        } else if starts("Q") {
            (1, Piece::Expr("CAST(quarter({v}) AS VARCHAR)".into()))
        } else if c.is_alphanumeric() || c == '\\' {
            // Other patterns (CC, J, W, WW, RM, TZ, TH…), numeric-format digits, unquoted letters.
            return None;
        } else {
            (1, Piece::Format(if c == '%' { "%%".into() } else { c.to_string() }))
        };
        out.push(piece);
        p += len;
    }
    Some(out)
}

/// `TO_CHAR(value, 'format')` for a date/time value: a `strftime` call, or several joined by
/// `||` when a part needs an expression of its own (padded names, `D`, `Q`, `am`).
pub(crate) fn to_char(value: &str, format: &str) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    for piece in pieces(format)? {
        match piece {
            Piece::Format(f) => current.push_str(&f),
            Piece::Expr(e) => {
                if !current.is_empty() {
                    parts.push(strftime(value, &std::mem::take(&mut current)));
                }
                parts.push(e.replace("{v}", value));
            }
        }
    }
    if !current.is_empty() || parts.is_empty() {
        parts.push(strftime(value, &current));
    }
    Some(if parts.len() == 1 {
        parts.remove(0)
    } else {
        format!("({})", parts.join(" || "))
    })
}

fn strftime(value: &str, format: &str) -> String {
    format!("strftime({value}, '{}')", format.replace('\'', "''"))
}

/// `TO_DATE(text, 'format')`: the `strptime` format, for the numeric fields and month names only
/// (`YY`, whose century rule differs from `%y`, and the rest are refused).
pub(crate) fn to_date_format(format: &str) -> Option<String> {
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut p = 0;
    while p < chars.len() {
        let rest: String = chars[p..].iter().collect::<String>().to_ascii_uppercase();
        let (len, spec) = if rest.starts_with("YYYY") {
            (4, "%Y")
        } else if rest.starts_with("MONTH") {
            (5, "%B")
        } else if rest.starts_with("MON") {
            (3, "%b")
        } else if rest.starts_with("MM") {
            (2, "%m")
        } else if rest.starts_with("DD") && !rest.starts_with("DDD") {
            (2, "%d")
        } else if rest.starts_with("HH24") {
            (4, "%H")
        } else if rest.starts_with("MI") {
            (2, "%M")
        } else if rest.starts_with("SS") && !rest.starts_with("SSSS") {
            (2, "%S")
        } else if chars[p].is_alphanumeric() || matches!(chars[p], '"' | '\\' | '%') {
            return None;
        } else {
            out.push(chars[p]);
            p += 1;
            continue;
        };
        out.push_str(spec);
        p += len;
    }
    Some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_patterns_become_one_strftime() {
        assert_eq!(
            to_char("ts", "YYYY-MM-DD HH24:MI:SS").as_deref(),
            Some("strftime(ts, '%Y-%m-%d %H:%M:%S')")
        );
        assert_eq!(to_char("ts", "yyyymmdd").as_deref(), Some("strftime(ts, '%Y%m%d')"));
        assert_eq!(
            to_char("ts", "Mon DD, YYYY \"at\" HH12 AM (%)").as_deref(),
            Some("strftime(ts, '%b %d, %Y at %I %p (%%)')")
        );
        assert_eq!(to_char("ts", "FMDD/FMMM").as_deref(), Some("strftime(ts, '%-d/%-m')"));
    }

    #[test]
    fn names_are_padded_and_cased() {
        assert_eq!(
            to_char("ts", "Month YYYY").as_deref(),
            Some("(rpad(strftime(ts, '%B'), 9, ' ') || strftime(ts, ' %Y'))")
        );
        assert_eq!(to_char("ts", "FMMonth").as_deref(), Some("strftime(ts, '%B')"));
        assert_eq!(to_char("ts", "MON").as_deref(), Some("upper(strftime(ts, '%b'))"));
        assert_eq!(
            to_char("ts", "D").as_deref(),
            Some("CAST(dayofweek(ts) + 1 AS VARCHAR)")
        );
    }

    #[test]
    fn unknown_or_numeric_formats_are_refused() {
        for format in [
            "999D99",
            "FM9990",
            "CC",
            "J",
            "WW",
            "DDTH",
            "YYYY-MM-DDTHH24",
            "HH24:MI:SSSS",
            "mONTH",
            "Y,YYY",
        ] {
            assert_eq!(to_char("x", format), None, "{format}");
        }
    }

    #[test]
    fn to_date_formats() {
        assert_eq!(to_date_format("YYYYMMDD").as_deref(), Some("%Y%m%d"));
        assert_eq!(to_date_format("DD Mon YYYY").as_deref(), Some("%d %b %Y"));
        assert_eq!(to_date_format("YY-MM-DD"), None);
        assert_eq!(to_date_format("DDD"), None);
    }
}
