//! The TICKIT calendar: 365 days starting 2008-01-01.
//!
//! The real sample numbers days from 2003-01-01 (dateid 1), so 2008-01-01 is dateid 1827 and
//! the 365 ids 1827..=2191 cover 2008-01-01..=2008-12-30. Everything here is hand-rolled
//! because only one (leap) year is ever needed, which keeps the crate free of a date library.

use std::fmt;

/// Number of rows in the date table.
pub(crate) const DAYS: u32 = 365;
/// dateid of 2008-01-01.
pub(crate) const FIRST_DATE_ID: u32 = 1827;
pub(crate) const SECONDS_PER_DAY: u32 = 86_400;

const YEAR: u32 = 2008;
const MONTH_LENGTHS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAY_NAMES: [&str; 7] = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
/// 2008-01-01 was a Tuesday (index into `DAY_NAMES`).
const JAN1_WEEKDAY: u32 = 2;

/// US federal holidays of 2008 as (month, day).
const HOLIDAYS: [(u32, u32); 10] = [
    (1, 1),
    (1, 21),
    (2, 18),
    (5, 26),
    (7, 4),
    (9, 1),
    (10, 13),
    (11, 11),
    (11, 27),
    (12, 25),
];

/// One calendar day, identified by its offset from 2008-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Day {
    pub month: u32,
    pub day: u32,
    pub offset: u32,
}

impl Day {
    pub(crate) fn from_offset(offset: u32) -> Self {
        let mut rest = offset;
        let mut month = 1;
        for len in MONTH_LENGTHS {
            if rest < len {
                break;
            }
            rest -= len;
            month += 1;
        }
        // Offsets past the year only happen through a bug; clamping keeps output well-formed.
        if month > 12 {
            return Self {
                month: 12,
                day: 31,
                offset,
            };
        }
        Self {
            month,
            day: rest + 1,
            offset,
        }
    }

    pub(crate) fn date_id(self) -> u32 {
        FIRST_DATE_ID + self.offset
    }

    pub(crate) fn day_name(self) -> &'static str {
        DAY_NAMES[((JAN1_WEEKDAY + self.offset) % 7) as usize]
    }

    /// Sunday-based week of the year, as Redshift's sample counts it (Jan 1–5 is week 1).
    pub(crate) fn week(self) -> u32 {
        (self.offset + JAN1_WEEKDAY) / 7 + 1
    }

    pub(crate) fn month_name(self) -> &'static str {
        MONTH_NAMES[(self.month - 1) as usize]
    }

    pub(crate) fn quarter(self) -> u32 {
        (self.month - 1) / 3 + 1
    }

    pub(crate) fn year(self) -> u32 {
        YEAR
    }

    pub(crate) fn is_holiday(self) -> bool {
        HOLIDAYS.contains(&(self.month, self.day))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{YEAR}-{:02}-{:02}", self.month, self.day)
    }
}

/// Seconds since 2008-01-01 00:00:00, displayed as `YYYY-MM-DD HH:MM:SS`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timestamp(pub u32);

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let day = Day::from_offset(self.0 / SECONDS_PER_DAY);
        let rest = self.0 % SECONDS_PER_DAY;
        write!(f, "{day} {:02}:{:02}:{:02}", rest / 3600, (rest / 60) % 60, rest % 60)
    }
}

/// The dateid of the day a timestamp (seconds since 2008-01-01) falls on.
pub(crate) fn date_id_of(seconds: u32) -> u32 {
    FIRST_DATE_ID + seconds / SECONDS_PER_DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_boundaries_match_the_real_sample() {
        let first = Day::from_offset(0);
        assert_eq!(first.to_string(), "2008-01-01");
        assert_eq!(first.date_id(), 1827);
        assert_eq!(first.day_name(), "TU");
        assert_eq!(first.week(), 1);
        assert!(first.is_holiday());

        let leap = Day::from_offset(59);
        assert_eq!(leap.to_string(), "2008-02-29");
        assert_eq!(leap.day_name(), "FR");

        let last = Day::from_offset(DAYS - 1);
        assert_eq!(last.to_string(), "2008-12-30");
        assert_eq!(last.date_id(), 2191);
        assert_eq!(last.quarter(), 4);
        assert_eq!(last.month_name(), "DEC");
        assert_eq!(last.week(), 53);

        // Sunday 2008-01-06 starts week 2.
        assert_eq!(Day::from_offset(5).day_name(), "SU");
        assert_eq!(Day::from_offset(5).week(), 2);
    }

    #[test]
    fn timestamps_format_and_map_to_date_ids() {
        let s = 31 * SECONDS_PER_DAY + 13 * 3600 + 5 * 60 + 9;
        assert_eq!(Timestamp(s).to_string(), "2008-02-01 13:05:09");
        assert_eq!(date_id_of(s), 1827 + 31);
    }
}
