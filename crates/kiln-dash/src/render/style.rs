//! Colours and number/time text, kept equal to the studio's so a chart reads the same in the app
//! and in a CI report: the categorical palette of `ui/src/features/explore/echartsOption.ts`, the
//! light theme's text and grid colours, the maps' viridis classes (`maps/scales.ts`) and ECharts'
//! default heatmap ramp.

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use serde_json::Value;

use crate::spec::{Aggregation, Measure, TimeBucket};

/// An sRGB colour with opacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rgba {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: f64,
}

impl Rgba {
    pub const fn hex(value: u32) -> Rgba {
        Rgba {
            r: (value >> 16) as u8,
            g: (value >> 8) as u8,
            b: value as u8,
            a: 1.0,
        }
    }

    pub fn alpha(self, a: f64) -> Rgba {
        Rgba { a, ..self }
    }

    /// `#rrggbb`, as the SVG backend writes fills (upper case there).
    #[cfg(test)]
    pub fn css(self) -> String {
        format!("#{:02X}{:02X}{:02X}", self.r, self.g, self.b)
    }

    fn mix(self, other: Rgba, t: f64) -> Rgba {
        let channel = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgba {
            r: channel(self.r, other.r),
            g: channel(self.g, other.g),
            b: channel(self.b, other.b),
            a: 1.0,
        }
    }
}

/// Tableau 10, slightly deepened: the studio's series colours, in order.
pub(crate) const PALETTE: [Rgba; 10] = [
    Rgba::hex(0x4e79a7),
    Rgba::hex(0xf28e2b),
    Rgba::hex(0xe15759),
    Rgba::hex(0x59a14f),
    Rgba::hex(0xb07aa1),
    Rgba::hex(0x76b7b2),
    Rgba::hex(0xedc948),
    Rgba::hex(0xff9da7),
    Rgba::hex(0x9c755f),
    Rgba::hex(0xbab0ac),
];

pub(crate) fn series_color(index: usize) -> Rgba {
    PALETTE[index % PALETTE.len()]
}

/// The studio's light theme.
pub(crate) const BACKGROUND: Rgba = Rgba::hex(0xffffff);
pub(crate) const TEXT: Rgba = Rgba::hex(0x1c1f24);
pub(crate) const MUTED: Rgba = Rgba::hex(0x5d6470);
pub(crate) const GRID: Rgba = Rgba::hex(0xe2e4e8);
pub(crate) const ERROR: Rgba = Rgba::hex(0xc62828);
/// Map colours (`maps/theme.ts`, light): sea, land outside the set, a region without a row,
/// borders, and the halo between filled regions.
pub(crate) const WATER: Rgba = Rgba::hex(0xf0f1f3);
pub(crate) const LAND: Rgba = Rgba::hex(0xffffff);
pub(crate) const NO_DATA: Rgba = Rgba::hex(0xe3e7ee);
pub(crate) const BORDER: Rgba = Rgba::hex(0xc9cdd4);
pub(crate) const HALO: Rgba = Rgba::hex(0xffffff);

/// Viridis cut at both ends (`maps/scales.ts`): a lightness ramp that reads on white and for
/// colour-blind readers.
const VIRIDIS: [Rgba; 10] = [
    Rgba::hex(0x482475),
    Rgba::hex(0x414487),
    Rgba::hex(0x355f8d),
    Rgba::hex(0x2a788e),
    Rgba::hex(0x21918c),
    Rgba::hex(0x22a884),
    Rgba::hex(0x44bf70),
    Rgba::hex(0x7ad151),
    Rgba::hex(0xbddf26),
    Rgba::hex(0xdfe318),
];

fn ramp(stops: &[Rgba], t: f64) -> Rgba {
    let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
    let position = t * (stops.len() - 1) as f64;
    let low = position.floor() as usize;
    let high = (low + 1).min(stops.len() - 1);
    stops[low].mix(stops[high], position - low as f64)
}

/// The maps' colour at `t` (0 lowest, 1 highest).
pub(crate) fn viridis(t: f64) -> Rgba {
    ramp(&VIRIDIS, t)
}

/// ECharts' default continuous visual map, low to high: what the studio's heatmaps use.
pub(crate) fn heat(t: f64) -> Rgba {
    ramp(&[Rgba::hex(0xf6efa6), Rgba::hex(0xd88273), Rgba::hex(0xbf444c)], t)
}

/// Colour classes over values, each an inclusive upper bound (`maps/scales.ts`): quantiles, so
/// a few very large regions do not wash every other one into a single colour.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classes {
    pub min: f64,
    pub uppers: Vec<f64>,
    pub colors: Vec<Rgba>,
}

pub(crate) fn quantile_classes(values: impl IntoIterator<Item = f64>, count: usize) -> Option<Classes> {
    let mut sorted: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
    sorted.sort_by(f64::total_cmp);
    let (min, max) = (*sorted.first()?, *sorted.last()?);
    let mut uppers: Vec<f64> = Vec::new();
    for index in 1..count {
        let at = (index * sorted.len()).div_ceil(count).saturating_sub(1);
        if let Some(&bound) = sorted.get(at) {
            if bound < max && uppers.last() != Some(&bound) {
                uppers.push(bound);
            }
        }
    }
    uppers.push(max);
    let last = uppers.len().saturating_sub(1).max(1) as f64;
    let colors = (0..uppers.len())
        .map(|k| viridis(if uppers.len() == 1 { 0.5 } else { k as f64 / last }))
        .collect();
    Some(Classes { min, uppers, colors })
}

impl Classes {
    pub fn color_of(&self, value: f64) -> Rgba {
        let index = self
            .uppers
            .iter()
            .position(|upper| value <= *upper)
            .unwrap_or(self.uppers.len().saturating_sub(1));
        self.colors.get(index).copied().unwrap_or(NO_DATA)
    }

    /// "12 – 40" per class, the first starting at the smallest value.
    pub fn labels(&self) -> Vec<String> {
        self.uppers
            .iter()
            .enumerate()
            .map(|(k, upper)| {
                let lower = if k == 0 { self.min } else { self.uppers[k - 1] };
                if lower == *upper {
                    compact_number(*upper)
                } else {
                    format!("{} – {}", compact_number(lower), compact_number(*upper))
                }
            })
            .collect()
    }
}

/// A cell as a number: JSON numbers and numeric text (DECIMAL and HUGEINT arrive as text).
pub(crate) fn number(value: Option<&Value>) -> Option<f64> {
    let n = match value? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }?;
    n.is_finite().then_some(n)
}

/// A cell as text, as the studio's axes and tooltips write it.
pub(crate) fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "(null)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A date or timestamp cell (`2008-01-01`, `2008-01-01T06:43:29.5`, with `Z` or an offset) as
/// Unix seconds.
pub(crate) fn time(value: Option<&Value>) -> Option<f64> {
    let Value::String(s) = value? else { return None };
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() < 10 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    if let Ok(at) = DateTime::parse_from_rfc3339(s) {
        return Some(at.timestamp_millis() as f64 / 1000.0);
    }
    let naive = s.trim_end_matches('Z');
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(at) = NaiveDateTime::parse_from_str(naive, format) {
            return Some(at.and_utc().timestamp_millis() as f64 / 1000.0);
        }
    }
    NaiveDate::parse_from_str(naive, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc().timestamp() as f64)
}

pub(crate) fn datetime(seconds: f64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp_millis((seconds * 1000.0).round() as i64).map(|d| d.naive_utc())
}

/// A bucketed time as the bucket reads: `2008`, `Q1 2008`, `Jan 2008`, `Mar 5, 2008`, `14:00`.
pub(crate) fn bucket_label(seconds: f64, bucket: Option<TimeBucket>) -> String {
    let Some(at) = datetime(seconds) else {
        return seconds.to_string();
    };
    use chrono::{Datelike, Timelike};
    let format = match bucket {
        Some(TimeBucket::Year) => "%Y",
        Some(TimeBucket::Quarter) => {
            return format!("Q{} {}", (at.month0() / 3) + 1, at.year());
        }
        Some(TimeBucket::Month) => "%b %Y",
        Some(TimeBucket::Week | TimeBucket::Day) => "%b %-d, %Y",
        Some(TimeBucket::Hour | TimeBucket::Minute) => "%b %-d %H:%M",
        Some(TimeBucket::Second) => "%H:%M:%S",
        _ if at.hour() == 0 && at.minute() == 0 && at.second() == 0 => "%Y-%m-%d",
        _ => "%Y-%m-%d %H:%M:%S",
    };
    at.format(format).to_string()
}

/// Thousands separators and at most two decimals, as the studio writes a stat's value.
pub(crate) fn grouped_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let rounded = (value * 100.0).round() / 100.0;
    let negative = rounded < 0.0;
    let text = format!("{:.2}", rounded.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (k, c) in whole.chars().enumerate() {
        if k > 0 && (whole.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let fraction = fraction.trim_end_matches('0');
    format!(
        "{}{grouped}{}{fraction}",
        if negative { "-" } else { "" },
        if fraction.is_empty() { "" } else { "." }
    )
}

/// Axis numbers as the studio's axes write them: 1.2k, 3.4M, 5B.
pub(crate) fn short_number(value: f64) -> String {
    let magnitude = value.abs();
    let trimmed = |v: f64, digits: usize| {
        let text = format!("{v:.digits$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    };
    let text = if magnitude >= 1e9 {
        format!("{}B", trimmed(value / 1e9, 1))
    } else if magnitude >= 1e6 {
        format!("{}M", trimmed(value / 1e6, 1))
    } else if magnitude >= 1e4 {
        format!("{}k", trimmed(value / 1e3, 1))
    } else {
        trimmed(value, 2)
    };
    if text == "-0" {
        "0".into()
    } else {
        text
    }
}

/// Legend numbers (`maps/scales.ts` `formatNumber`): four significant digits, compact past a
/// hundred thousand (123K, 4.56M).
pub(crate) fn compact_number(value: f64) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let magnitude = value.abs();
    let significant = |v: f64, digits: i32| -> f64 {
        if v == 0.0 {
            return 0.0;
        }
        let power = 10f64.powi(digits - 1 - v.abs().log10().floor() as i32);
        (v * power).round() / power
    };
    for (limit, suffix) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e5, "K")] {
        if magnitude >= limit {
            let divisor = if suffix == "K" { 1e3 } else { limit };
            let v = significant(value / divisor, 3);
            return format!("{}{suffix}", trim_float(v));
        }
    }
    let v = significant(value, 4);
    if v.abs() >= 1000.0 {
        grouped_number(v)
    } else {
        trim_float(v)
    }
}

fn trim_float(v: f64) -> String {
    let text = format!("{v:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.to_string()
    }
}

/// "sum of price_paid", "count of rows" (the studio's legend and axis names).
pub(crate) fn measure_label(measure: &Measure) -> String {
    let Some(column) = &measure.column else {
        return "rows".into();
    };
    let prefix = match measure.aggregation {
        Aggregation::None => "",
        Aggregation::Sum => "sum of",
        Aggregation::Avg => "average",
        Aggregation::Min => "min",
        Aggregation::Max => "max",
        Aggregation::Count => "count of",
        Aggregation::CountDistinct => "distinct",
        Aggregation::Median => "median",
        Aggregation::Last => "last",
    };
    if prefix.is_empty() {
        column.clone()
    } else {
        format!("{prefix} {column}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_like_the_studio() {
        assert_eq!(short_number(12_345.0), "12.3k");
        assert_eq!(short_number(2_500_000.0), "2.5M");
        assert_eq!(short_number(0.126), "0.13");
        assert_eq!(short_number(-0.0), "0");
        assert_eq!(grouped_number(110_765_431.456), "110,765,431.46");
        assert_eq!(grouped_number(-1234.0), "-1,234");
        assert_eq!(compact_number(123_456.0), "123K");
        assert_eq!(compact_number(4_561_000.0), "4.56M");
        assert_eq!(compact_number(1234.5), "1,235");
        assert_eq!(compact_number(0.012345), "0.01235");
    }

    #[test]
    fn times_parse_in_every_shape_the_warehouse_writes() {
        assert_eq!(time(Some(&Value::from("1970-01-02"))), Some(86_400.0));
        assert_eq!(time(Some(&Value::from("1970-01-01T00:01:00"))), Some(60.0));
        assert_eq!(time(Some(&Value::from("1970-01-01T00:00:01.5Z"))), Some(1.5));
        assert_eq!(time(Some(&Value::from("Musicals"))), None);
        assert_eq!(bucket_label(1_199_145_600.0, Some(TimeBucket::Month)), "Jan 2008");
        assert_eq!(bucket_label(1_199_145_600.0, Some(TimeBucket::Quarter)), "Q1 2008");
    }

    #[test]
    fn quantile_classes_split_like_the_maps() {
        let classes = quantile_classes((1..=10).map(f64::from), 5).unwrap();
        assert_eq!(classes.uppers, vec![2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(classes.color_of(1.0), viridis(0.0));
        assert_eq!(classes.color_of(10.0), viridis(1.0));
        assert_eq!(classes.labels()[0], "1 – 2");
    }
}
