//! Where an axis puts its ticks: round numbers (1, 2, 5 × 10ⁿ) for values, and calendar steps
//! (seconds … years, months of their real length) for times, labelled the way a reader expects a
//! date axis to read.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::style::{datetime, short_number};

/// A value axis: its extent (ticks at both ends) and its ticks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ValueAxis {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<f64>,
}

impl ValueAxis {
    /// Position of `value` between `from` (the axis' min) and `to` (its max), in pixels.
    pub fn at(&self, value: f64, from: f64, to: f64) -> f64 {
        if self.max <= self.min {
            return from;
        }
        from + (value - self.min) / (self.max - self.min) * (to - from)
    }

    pub fn labels(&self) -> Vec<String> {
        self.ticks.iter().map(|t| short_number(*t)).collect()
    }
}

fn nice_step(span: f64, count: usize) -> f64 {
    let raw = span / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let fraction = raw / power;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 2.5 {
        2.5
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// About `count` round ticks covering `low`..`high`; bars and areas pass 0 in the range so they
/// grow from it.
pub(crate) fn value_axis(low: f64, high: f64, count: usize) -> ValueAxis {
    let (mut low, mut high) = if low.is_finite() && high.is_finite() {
        (low.min(high), low.max(high))
    } else {
        (0.0, 1.0)
    };
    if high - low < f64::EPSILON * high.abs().max(1.0) {
        // One value: centre it in a range of its own size.
        let pad = if low == 0.0 { 1.0 } else { low.abs() * 0.5 };
        low -= pad;
        high += pad;
        if low < 0.0 && high > 0.0 && (low + pad) >= 0.0 {
            low = 0.0;
        }
    }
    let step = nice_step(high - low, count);
    let min = (low / step).floor() * step;
    let max = (high / step).ceil() * step;
    let n = ((max - min) / step).round() as usize;
    let ticks = (0..=n)
        .map(|k| {
            let t = min + k as f64 * step;
            // -0.0 and 0.30000000000000004 read badly.
            let t = (t / step).round() * step;
            if t.abs() < step * 1e-9 {
                0.0
            } else {
                t
            }
        })
        .collect();
    ValueAxis { min, max, ticks }
}

/// A calendar step for time ticks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Seconds(i64),
    Months(u32),
}

const STEPS: [Step; 22] = [
    Step::Seconds(1),
    Step::Seconds(5),
    Step::Seconds(15),
    Step::Seconds(30),
    Step::Seconds(60),
    Step::Seconds(300),
    Step::Seconds(900),
    Step::Seconds(1_800),
    Step::Seconds(3_600),
    Step::Seconds(3 * 3_600),
    Step::Seconds(6 * 3_600),
    Step::Seconds(12 * 3_600),
    Step::Seconds(86_400),
    Step::Seconds(2 * 86_400),
    Step::Seconds(7 * 86_400),
    Step::Months(1),
    Step::Months(3),
    Step::Months(6),
    Step::Months(12),
    Step::Months(24),
    Step::Months(60),
    Step::Months(120),
];

impl Step {
    fn seconds(self) -> f64 {
        match self {
            Step::Seconds(s) => s as f64,
            Step::Months(m) => f64::from(m) * 2_629_746.0,
        }
    }
}

/// Ticks for a time axis from `from` to `to` (Unix seconds), at most `count`, with their labels.
pub(crate) fn time_ticks(from: f64, to: f64, count: usize) -> Vec<(f64, String)> {
    let span = (to - from).max(1.0);
    let count = count.max(2) as f64;
    let step = STEPS
        .iter()
        .copied()
        .find(|s| span / s.seconds() <= count)
        .unwrap_or(Step::Months(1_200));
    let mut ticks = Vec::new();
    let (Some(start), Some(_)) = (datetime(from), datetime(to)) else {
        return ticks;
    };
    match step {
        Step::Seconds(s) => {
            // Days and weeks start at midnight; shorter steps on their own multiples.
            let base = if s >= 86_400 { 86_400 } else { s };
            let mut t = ((from as i64).div_euclid(base) + 1) * base;
            if (t - base) as f64 >= from {
                t -= base;
            }
            if s == 7 * 86_400 {
                // Weeks start on Monday (1970-01-01 was a Thursday).
                while (t.div_euclid(86_400) + 3) % 7 != 0 {
                    t += 86_400;
                }
            }
            let mut previous: Option<NaiveDateTime> = None;
            while (t as f64) <= to && ticks.len() < 1_000 {
                if let Some(at) = datetime(t as f64) {
                    ticks.push((t as f64, label_seconds(at, previous, s)));
                    previous = Some(at);
                }
                t += s;
            }
        }
        Step::Months(m) => {
            let mut year = start.year();
            // The first whole step at or after `from`: quarters start in Jan, Apr, …; years at a
            // multiple of the step.
            let mut month = start.month0() - start.month0() % m.min(12);
            if m >= 12 {
                year -= year.rem_euclid((m / 12) as i32);
                month = 0;
            }
            while ticks.len() < 1_000 {
                let Some(at) = NaiveDate::from_ymd_opt(year, month + 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)) else {
                    break;
                };
                let t = at.and_utc().timestamp() as f64;
                if t > to {
                    break;
                }
                if t >= from {
                    let format = if month == 0 {
                        "%Y"
                    } else if ticks.is_empty() {
                        "%b %Y"
                    } else {
                        "%b"
                    };
                    ticks.push((t, at.format(format).to_string()));
                }
                month += m;
                year += (month / 12) as i32;
                month %= 12;
            }
        }
    }
    ticks
}

/// A tick at `at` on a step of `step` seconds: the date where the day changes (or on the first
/// tick), the clock otherwise.
fn label_seconds(at: NaiveDateTime, previous: Option<NaiveDateTime>, step: i64) -> String {
    let new_day = previous.is_none_or(|p| p.date() != at.date());
    if step >= 86_400 {
        return if previous.is_none_or(|p| p.year() != at.year()) {
            at.format("%b %-d, %Y").to_string()
        } else {
            at.format("%b %-d").to_string()
        };
    }
    let clock = if step < 60 || at.second() != 0 {
        at.format("%H:%M:%S").to_string()
    } else {
        at.format("%H:%M").to_string()
    };
    if new_day && (previous.is_none() || (at.hour() == 0 && at.minute() == 0)) {
        if at.hour() == 0 && at.minute() == 0 && at.second() == 0 && previous.is_some() {
            at.format("%b %-d").to_string()
        } else {
            format!("{} {clock}", at.format("%b %-d"))
        }
    } else {
        clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_value_ticks() {
        let axis = value_axis(0.0, 93.0, 5);
        assert_eq!(axis.ticks, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let axis = value_axis(-3.0, 7.0, 5);
        assert_eq!((axis.min, axis.max), (-4.0, 8.0));
        let single = value_axis(5.0, 5.0, 5);
        assert!(single.min < 5.0 && single.max > 5.0);
    }

    #[test]
    fn months_of_a_year_read_as_months_with_the_year_at_january() {
        // 2008-01-01 to 2008-12-01.
        let ticks = time_ticks(1_199_145_600.0, 1_228_089_600.0, 12);
        let labels: Vec<&str> = ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels[0], "2008");
        assert_eq!(labels[1], "Feb");
        assert_eq!(labels.len(), 12);
        let quarters = time_ticks(1_199_145_600.0, 1_228_089_600.0, 5);
        let labels: Vec<&str> = quarters.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, vec!["2008", "Apr", "Jul", "Oct"]);
    }

    #[test]
    fn hours_show_the_clock_and_the_day_once() {
        let ticks = time_ticks(0.0, 6.0 * 3_600.0, 4);
        let labels: Vec<&str> = ticks.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, vec!["Jan 1 00:00", "03:00", "06:00"]);
    }
}
