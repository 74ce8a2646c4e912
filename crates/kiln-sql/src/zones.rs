//! Redshift time zone specifications as zones DuckDB's ICU reads the same way.
//!
//! Redshift takes an IANA name (`America/New_York`, `Singapore`) or an abbreviation from
//! `pg_timezone_abbrevs` (`PST`, `EDT`), which is a *fixed* offset: `PST` is UTC-8 even in July.
//! ICU instead reads `PST` as the Los Angeles zone, with daylight saving, and reads POSIX strings
//! such as `UTC+3` the ISO way round (Redshift counts POSIX offsets west of Greenwich). So names
//! pass through, known abbreviations become the equivalent fixed `Etc/GMT±h` zone, and anything
//! else (offsets, abbreviations not listed here) is refused.

/// Abbreviations with whole-hour offsets east of UTC, as in Redshift's `pg_timezone_abbrevs`.
const ABBREVIATIONS: &[(&str, i8)] = &[
    ("UTC", 0),
    ("UT", 0),
    ("GMT", 0),
    ("Z", 0),
    ("ZULU", 0),
    ("WET", 0),
    ("WEST", 1),
    ("BST", 1),
    ("CET", 1),
    ("CEST", 2),
    ("EET", 2),
    ("EEST", 3),
    ("MSK", 3),
    ("HKT", 8),
    ("SGT", 8),
    ("AWST", 8),
    ("JST", 9),
    ("KST", 9),
    ("AEST", 10),
    ("AEDT", 11),
    ("NZST", 12),
    ("NZDT", 13),
    ("HST", -10),
    ("AKST", -9),
    ("AKDT", -8),
    ("PST", -8),
    ("PDT", -7),
    ("MST", -7),
    ("MDT", -6),
    ("CST", -6),
    ("CDT", -5),
    ("EST", -5),
    ("EDT", -4),
    ("AST", -4),
    ("ADT", -3),
];

/// The zone to give DuckDB's `timezone()` for a zone written in Redshift SQL, or `None` when the
/// two would not agree.
pub(crate) fn duckdb_zone(written: &str) -> Option<String> {
    let zone = written.trim();
    if let Some((_, hours)) = ABBREVIATIONS.iter().find(|(a, _)| a.eq_ignore_ascii_case(zone)) {
        return Some(match hours {
            0 => "UTC".to_string(),
            // IANA's Etc zones use the POSIX sign: Etc/GMT+8 is eight hours *behind* UTC.
            h if *h < 0 => format!("Etc/GMT+{}", -h),
            h => format!("Etc/GMT-{h}"),
        });
    }
    let name_chars = zone
        .chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '_' | '-'));
    let region = zone.contains('/') && zone.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    // `Etc/GMT+8` is an IANA name too, read the same (POSIX) way by both.
    let etc = zone.len() > 4
        && zone.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("Etc/"))
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '+' | '-'));
    // A one-word name such as `Singapore` or `Japan` is written in mixed case; an all-capitals
    // word is an abbreviation this table does not know.
    let one_word = !zone.contains('/') && zone.chars().any(|c| c.is_ascii_lowercase());
    ((name_chars && (region || one_word)) || etc).then(|| zone.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_abbreviations_and_offsets() {
        assert_eq!(duckdb_zone("America/New_York").as_deref(), Some("America/New_York"));
        assert_eq!(duckdb_zone("Singapore").as_deref(), Some("Singapore"));
        assert_eq!(
            duckdb_zone("America/Port-au-Prince").as_deref(),
            Some("America/Port-au-Prince")
        );
        assert_eq!(duckdb_zone("Etc/GMT+3").as_deref(), Some("Etc/GMT+3"));
        assert_eq!(duckdb_zone("PST").as_deref(), Some("Etc/GMT+8"));
        assert_eq!(duckdb_zone("cet").as_deref(), Some("Etc/GMT-1"));
        assert_eq!(duckdb_zone(" utc ").as_deref(), Some("UTC"));
        assert_eq!(duckdb_zone("UTC+3"), None);
        assert_eq!(duckdb_zone("+03:00"), None);
        assert_eq!(duckdb_zone("IST"), None);
        assert_eq!(duckdb_zone("NST"), None);
        assert_eq!(duckdb_zone(""), None);
    }
}
