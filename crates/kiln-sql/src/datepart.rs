//! Redshift date-part names and abbreviations, normalised to the names DuckDB accepts.
//!
//! Source: the "Date parts for date or timestamp functions" table of the Redshift developer guide.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DatePart {
    /// Name DuckDB's `date_diff`/`date_part`/`date_trunc` understand.
    pub name: &'static str,
    /// Interval literal body equal to one unit, when the part can be added (`DATEADD`).
    pub interval: Option<&'static str>,
    /// Usable by `DATEDIFF` and `DATE_TRUNC` (calendar units, not fields like day-of-week).
    pub is_unit: bool,
}

const fn unit(name: &'static str, interval: &'static str) -> DatePart {
    DatePart {
        name,
        interval: Some(interval),
        is_unit: true,
    }
}

const fn field(name: &'static str) -> DatePart {
    DatePart {
        name,
        interval: None,
        is_unit: false,
    }
}

// Millennium/century/decade/quarter are spelled as years/months in the interval so the literal
// does not depend on DuckDB's interval-unit vocabulary.
const TABLE: &[(&[&str], DatePart)] = &[
    (
        &["millennium", "millennia", "mil", "mils"],
        unit("millennium", "1000 year"),
    ),
    (
        &["century", "centuries", "c", "cent", "cents"],
        unit("century", "100 year"),
    ),
    (&["decade", "decades", "dec", "decs"], unit("decade", "10 year")),
    (&["year", "years", "y", "yr", "yrs"], unit("year", "1 year")),
    (&["quarter", "quarters", "qtr", "qtrs"], unit("quarter", "3 month")),
    (&["month", "months", "mon", "mons"], unit("month", "1 month")),
    (&["week", "weeks", "w"], unit("week", "7 day")),
    (&["day", "days", "d"], unit("day", "1 day")),
    (&["hour", "hours", "h", "hr", "hrs"], unit("hour", "1 hour")),
    (&["minute", "minutes", "m", "min", "mins"], unit("minute", "1 minute")),
    (&["second", "seconds", "s", "sec", "secs"], unit("second", "1 second")),
    (
        &[
            "millisecond",
            "milliseconds",
            "ms",
            "msec",
            "msecs",
            "msecond",
            "mseconds",
            "millisec",
            "millisecs",
            "millisecon",
        ],
        unit("millisecond", "1 millisecond"),
    ),
    (
        &[
            "microsecond",
            "microseconds",
            "microsec",
            "microsecs",
            "usecond",
            "useconds",
            "us",
            "usec",
            "usecs",
        ],
        unit("microsecond", "1 microsecond"),
    ),
    (&["dayofweek", "dow", "dw", "weekday"], field("dow")),
    (&["dayofyear", "doy", "dy", "yearday"], field("doy")),
    (&["epoch"], field("epoch")),
    (&["timezone"], field("timezone")),
    (&["timezone_hour"], field("timezone_hour")),
    (&["timezone_minute"], field("timezone_minute")),
];

/// Looks up a date part as written in Redshift SQL (any case).
pub(crate) fn lookup(written: &str) -> Option<DatePart> {
    let written = written.trim();
    TABLE
        .iter()
        .find_map(|(names, part)| names.iter().any(|n| n.eq_ignore_ascii_case(written)).then_some(*part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_normalise() {
        let cases = [
            ("y", "year"),
            ("YRS", "year"),
            ("mon", "month"),
            ("Mons", "month"),
            ("w", "week"),
            ("d", "day"),
            ("hrs", "hour"),
            ("m", "minute"),
            ("mins", "minute"),
            ("seconds", "second"),
            ("sec", "second"),
            ("ms", "millisecond"),
            ("us", "microsecond"),
            ("qtr", "quarter"),
            ("dw", "dow"),
        ];
        for (written, expected) in cases {
            assert_eq!(lookup(written).map(|p| p.name), Some(expected), "{written}");
        }
    }

    #[test]
    fn fields_cannot_be_added_or_diffed() {
        let dow = lookup("dow");
        assert!(dow.is_some_and(|p| !p.is_unit && p.interval.is_none()));
        assert_eq!(lookup("quarter").and_then(|p| p.interval), Some("3 month"));
        assert_eq!(lookup("fortnight"), None);
    }
}
