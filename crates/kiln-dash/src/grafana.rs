//! Grafana's SQL macros (`$__timeFilter(col)`, `$__timeGroup(col, '1m')` …), expanded against a
//! dashboard's time range the way Grafana's Redshift data source expands them (grafana/
//! redshift-datasource, pkg/redshift/macros.go), so panels copied from Grafana run unchanged. The
//! expansions are plain SQL that Redshift and the local DuckDB warehouse both read.

/// A dashboard's time range in Unix seconds (UTC).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeRange {
    pub from: f64,
    pub to: f64,
}

/// Data points a panel asks for when Grafana computes `$__interval` (its default is about the
/// panel's width in pixels).
const MAX_DATA_POINTS: f64 = 1_000.0;

/// The intervals `$__interval` rounds to, in seconds, as Grafana's `roundInterval` does.
const NICE: &[f64] = &[
    0.001,
    0.01,
    0.1,
    1.0,
    2.0,
    5.0,
    10.0,
    15.0,
    30.0,
    60.0,
    120.0,
    300.0,
    600.0,
    900.0,
    1_800.0,
    3_600.0,
    7_200.0,
    10_800.0,
    21_600.0,
    43_200.0,
    86_400.0,
    604_800.0,
    2_592_000.0,
    31_536_000.0,
];

/// `1m`, `30s`, `2h`, `1d`, `1w`, `100ms` → seconds.
pub fn duration_seconds(text: &str) -> Option<f64> {
    let text = text.trim().trim_matches(|c| c == '\'' || c == '"');
    let split = text.find(|c: char| !c.is_ascii_digit() && c != '.')?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit {
        "ms" => 0.001,
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3_600.0,
        "d" => 86_400.0,
        "w" => 604_800.0,
        "M" => 2_592_000.0,
        "y" => 31_536_000.0,
        _ => return None,
    };
    Some(number * scale)
}

/// Seconds as Grafana writes an interval: `30s`, `5m`, `1h`, `1d`.
fn interval_text(seconds: f64) -> String {
    for (unit, size) in [("d", 86_400.0), ("h", 3_600.0), ("m", 60.0), ("s", 1.0)] {
        if seconds >= size && (seconds / size).fract() == 0.0 {
            return format!("{}{unit}", (seconds / size) as i64);
        }
    }
    format!("{}ms", (seconds * 1000.0).round() as i64)
}

/// `$__interval` for a range: the range over the panel's points, rounded to a nice interval.
pub fn interval(range: &TimeRange) -> f64 {
    let raw = ((range.to - range.from) / MAX_DATA_POINTS).max(0.001);
    NICE.iter().copied().find(|nice| *nice >= raw).unwrap_or(raw)
}

/// Unix seconds → `2024-05-01T10:00:00Z` (RFC 3339, UTC, whole seconds), as Grafana sends times.
pub fn rfc3339(seconds: f64) -> String {
    chrono::DateTime::from_timestamp(seconds.floor() as i64, 0)
        .map(|time| time.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// `now`, `now-3h`, `now-30m`, `now+1d`, or an absolute `2024-05-01` / `2024-05-01T10:00:00Z` →
/// Unix seconds, with `now` the current time.
pub fn resolve_time(text: &str, now: f64) -> Result<f64, String> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix("now") {
        if rest.is_empty() {
            return Ok(now);
        }
        let (sign, amount) = match rest.split_at(1) {
            ("-", amount) => (-1.0, amount),
            ("+", amount) => (1.0, amount),
            _ => return Err(format!("'{text}' is not a time like now, now-3h or 2024-05-01")),
        };
        let seconds =
            duration_seconds(amount).ok_or_else(|| format!("'{text}': '{amount}' is not a duration like 3h"))?;
        return Ok(now + sign * seconds);
    }
    let bad = || format!("'{text}' is not a time like now, now-3h or 2024-05-01T10:00:00Z");
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp() as f64);
    }
    if let Ok(time) = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Ok(time.and_utc().timestamp() as f64);
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc().timestamp() as f64)
        .ok_or_else(bad)
}

/// The text of a macro call's arguments, split on top-level commas and trimmed.
fn arguments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None::<char>, 0usize);
    for (k, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(text[start..k].trim().to_string());
                start = k + 1;
            }
            _ => {}
        }
    }
    let last = text[start..].trim();
    if !last.is_empty() || !out.is_empty() {
        out.push(last.to_string());
    }
    out
}

/// Where the call's `(…)` ends: the index just past its `)`.
fn call_end(sql: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    let mut quote = None::<char>;
    for (k, c) in sql[open..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + k + 1);
                }
            }
            _ => {}
        }
    }
    None
}

fn one(name: &str, args: &[String]) -> Result<String, String> {
    match args {
        [column, ..] if !column.is_empty() => Ok(column.clone()),
        _ => Err(format!("$__{name}() needs a column, e.g. $__{name}(created_at)")),
    }
}

fn grouping(name: &str, args: &[String]) -> Result<(String, f64), String> {
    let column = one(name, args)?;
    let size = args
        .get(1)
        .and_then(|a| duration_seconds(a))
        .ok_or_else(|| format!("$__{name}({column}, …) needs an interval such as '1m'"))?;
    Ok((column, size))
}

/// `sql` with `$__interval_ms` and `$__interval` (not followed by more of a name) written in.
fn interval_variables(sql: &str, step: f64) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find("$__interval") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "$__interval".len()..];
        let (text, used) =
            if after.starts_with("_ms") && !after[3..].starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                (format!("{}", (step * 1000.0).round()), "$__interval_ms".len())
            } else if !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
                (interval_text(step), "$__interval".len())
            } else {
                // Another name that starts alike: left for the macro pass.
                (rest[at..at + "$__interval".len()].to_string(), "$__interval".len())
            };
        out.push_str(&text);
        rest = &rest[at + used..];
    }
    out.push_str(rest);
    out
}

/// Expands every Grafana macro in `sql` against `range`. Unknown `$__` names are left for the
/// warehouse to reject with its own message; a macro missing its arguments is an error here.
pub fn expand_macros(sql: &str, range: &TimeRange) -> Result<String, String> {
    if !sql.contains("$__") {
        return Ok(sql.to_string());
    }
    let step = interval(range);
    // `$__interval` is a template variable in Grafana, written in before macros run, so it may be
    // a macro's argument: `$__timeGroup(t, $__interval)`.
    let sql = interval_variables(sql, step);
    let from = format!("'{}'", rfc3339(range.from));
    let to = format!("'{}'", rfc3339(range.to));
    let mut out = String::with_capacity(sql.len() + 64);
    let mut rest = sql.as_str();
    while let Some(at) = rest.find("$__") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let name_len = after
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(after.len());
        let name = &after[..name_len];
        let tail = &after[name_len..];
        let (args, consumed) = if tail.starts_with('(') {
            let end = call_end(tail, 0).ok_or_else(|| format!("$__{name}( is not closed"))?;
            (arguments(&tail[1..end - 1]), name_len + end)
        } else {
            (Vec::new(), name_len)
        };
        let expansion = match name {
            "timeFilter" => format!("{} BETWEEN {from} AND {to}", one(name, &args)?),
            "timeFrom" => from.clone(),
            "timeTo" => to.clone(),
            "timeEpoch" => format!("extract(epoch from {}) as \"time\"", one(name, &args)?),
            "timeGroup" | "timeGroupAlias" => {
                let (column, size) = grouping(name, &args)?;
                format!("floor(extract(epoch from {column})/{size})*{size} AS \"time\"")
            }
            "unixEpochFilter" => {
                let column = one(name, &args)?;
                format!(
                    "{column} >= {} AND {column} <= {}",
                    range.from.floor(),
                    range.to.floor()
                )
            }
            "unixEpochGroup" | "unixEpochGroupAlias" => {
                let (column, size) = grouping(name, &args)?;
                format!("floor({column}/{size})*{size} AS \"time\"")
            }
            "interval" => interval_text(step),
            "interval_ms" => format!("{}", (step * 1000.0).round()),
            _ => {
                // Not ours to know: keep it as written.
                out.push_str(&rest[at..at + 3 + consumed]);
                rest = &rest[at + 3 + consumed..];
                continue;
            }
        };
        out.push_str(&expansion);
        rest = &rest[at + 3 + consumed..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // 2024-05-01T09:00:00Z .. 2024-05-01T12:00:00Z
    const RANGE: TimeRange = TimeRange {
        from: 1_714_554_000.0,
        to: 1_714_564_800.0,
    };

    #[test]
    fn expands_the_redshift_data_source_macros() {
        let sql = "select $__timeGroup(arrival, '1m'), count(*) from orders where $__timeFilter(arrival) and ts between $__timeFrom() and $__timeTo() group by 1";
        assert_eq!(
            expand_macros(sql, &RANGE).unwrap(),
            "select floor(extract(epoch from arrival)/60)*60 AS \"time\", count(*) from orders where arrival BETWEEN '2024-05-01T09:00:00Z' AND '2024-05-01T12:00:00Z' and ts between '2024-05-01T09:00:00Z' and '2024-05-01T12:00:00Z' group by 1"
        );
        assert_eq!(
            expand_macros(
                "select $__unixEpochGroup(ts, '5m') from m where $__unixEpochFilter(ts)",
                &RANGE
            )
            .unwrap(),
            "select floor(ts/300)*300 AS \"time\" from m where ts >= 1714554000 AND ts <= 1714564800"
        );
        assert_eq!(
            expand_macros("select $__timeEpoch(t)", &RANGE).unwrap(),
            "select extract(epoch from t) as \"time\""
        );
        // Three hours over ~1,000 points: 10.8 s rounds up to 15 s.
        assert_eq!(
            expand_macros("'$__interval' $__interval_ms", &RANGE).unwrap(),
            "'15s' 15000"
        );
        assert_eq!(
            expand_macros("select $__timeGroup(t, $__interval) from m", &RANGE).unwrap(),
            "select floor(extract(epoch from t)/15)*15 AS \"time\" from m"
        );
        assert_eq!(
            expand_macros("select $__timeGroupAlias(t, '1h')", &RANGE).unwrap(),
            "select floor(extract(epoch from t)/3600)*3600 AS \"time\""
        );
        assert_eq!(
            expand_macros("select $__unknown(x)", &RANGE).unwrap(),
            "select $__unknown(x)"
        );
        assert!(expand_macros("where $__timeFilter()", &RANGE)
            .unwrap_err()
            .contains("needs a column"));
        assert!(expand_macros("select $__timeGroup(t)", &RANGE)
            .unwrap_err()
            .contains("interval"));
    }

    #[test]
    fn relative_and_absolute_times() {
        let now = 1_714_564_800.0;
        assert_eq!(resolve_time("now", now), Ok(now));
        assert_eq!(resolve_time("now-3h", now), Ok(now - 10_800.0));
        assert_eq!(resolve_time("now-30m", now), Ok(now - 1_800.0));
        assert_eq!(resolve_time("2024-05-01T09:00:00Z", now), Ok(1_714_554_000.0));
        assert_eq!(resolve_time("2024-05-01", now), Ok(1_714_521_600.0));
        assert!(resolve_time("yesterday", now).is_err());
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400.0), "2000-02-29T00:00:00Z");
    }
}
