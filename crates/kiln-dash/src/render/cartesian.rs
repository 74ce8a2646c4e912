//! Line, area, bar (grouped, stacked, horizontal) and scatter charts, laid out as the studio's
//! ECharts options lay them out: one series per measure × series value in first-seen order, a
//! legend on top when there are several, value axes that include zero, category bars in bands,
//! and a calendar axis for times.

use plotters::prelude::DrawingBackend;

use super::axis::{time_ticks, value_axis, ValueAxis};
use super::canvas::{Align, Canvas};
use super::style::{self, bucket_label, series_color, Rgba, GRID, MUTED};
use super::RenderError;
use crate::plan::Role;
use crate::run::ChartData;
use crate::spec::ChartKind;

pub(crate) const LABEL: f64 = 11.0;
const LEGEND_ROW: f64 = 18.0;
/// ECharts' bar proportions: 20 % of a band between groups, bars 30 % of their width apart.
const CATEGORY_GAP: f64 = 0.2;
const BAR_GAP: f64 = 0.3;
const BAR_MAX: f64 = 48.0;

/// The position of the `nth` column with `role`.
pub(crate) fn role_at(roles: &[Role], role: Role, nth: usize) -> Option<usize> {
    roles
        .iter()
        .enumerate()
        .filter(|(_, r)| **r == role)
        .nth(nth)
        .map(|(k, _)| k)
}

/// What the x axis is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum XKind {
    /// Categories in bands (bars, text).
    Band(Vec<String>),
    /// Unix seconds.
    Time {
        from: f64,
        to: f64,
    },
    Value(ValueAxis),
}

/// One drawn series: its points as (x, low, high); x is a band index or a coordinate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Series {
    pub name: String,
    pub color: Rgba,
    pub measure: usize,
    pub points: Vec<(f64, f64, Option<f64>)>,
}

/// The chart's series and x axis from its data.
pub(crate) struct Layout {
    pub x: XKind,
    pub series: Vec<Series>,
    pub horizontal: bool,
    pub stacked: bool,
}

/// Reads `data` into series. Times are read as times when the spec buckets them or the values
/// look like dates, as the studio's axis does.
pub(crate) fn layout(data: &ChartData) -> Layout {
    let spec = &data.spec;
    let x_at = role_at(&data.roles, Role::X, 0).unwrap_or(0);
    let series_at = role_at(&data.roles, Role::Series, 0);
    let xs: Vec<Option<&serde_json::Value>> = data.rows.iter().map(|r| r.get(x_at)).collect();
    let temporal = !xs.is_empty()
        && (spec.bucket.is_some() || xs.iter().any(|v| style::time(*v).is_some()))
        && xs
            .iter()
            .all(|v| style::time(*v).is_some() || v.is_none_or(|v| v.is_null()));
    let numeric = !temporal && !xs.is_empty() && xs.iter().all(|v| style::number(*v).is_some());
    let bars = spec.kind == ChartKind::Bar;
    let horizontal = bars && spec.horizontal;
    let stacked = spec.stacked && spec.kind != ChartKind::Scatter;

    // Categories in first-seen order; bars of times read as their buckets.
    let mut categories: Vec<String> = Vec::new();
    let mut index_of = std::collections::HashMap::new();
    let band = bars || (!temporal && !numeric);
    let x_value = |v: Option<&serde_json::Value>| -> String {
        if temporal {
            style::time(v).map_or_else(|| style::text(v), |t| bucket_label(t, spec.bucket))
        } else {
            style::text(v)
        }
    };
    if band {
        for v in &xs {
            let label = x_value(*v);
            if !index_of.contains_key(&label) {
                index_of.insert(label.clone(), categories.len() as f64);
                categories.push(label);
            }
        }
    }
    let x_of = |v: Option<&serde_json::Value>| -> Option<f64> {
        if band {
            index_of.get(&x_value(v)).copied()
        } else if temporal {
            style::time(v)
        } else {
            style::number(v)
        }
    };

    // Groups of rows by series value, first-seen order.
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for (k, row) in data.rows.iter().enumerate() {
        let key = series_at.map(|s| style::text(row.get(s))).unwrap_or_default();
        match groups.iter_mut().find(|(g, _)| *g == key) {
            Some((_, members)) => members.push(k),
            None => groups.push((key, vec![k])),
        }
    }
    let mut series = Vec::new();
    for (nth, measure) in spec.y.iter().enumerate() {
        let Some(y_at) = role_at(&data.roles, Role::Y, nth) else {
            continue;
        };
        for (key, members) in &groups {
            let name = [
                if spec.y.len() > 1 || series_at.is_none() {
                    style::measure_label(measure)
                } else {
                    String::new()
                },
                key.clone(),
            ]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
            let points = members
                .iter()
                .filter_map(|&k| {
                    let row = &data.rows[k];
                    Some((x_of(row.get(x_at))?, 0.0, style::number(row.get(y_at))))
                })
                .collect();
            series.push(Series {
                name,
                color: series_color(series.len()),
                measure: nth,
                points,
            });
        }
    }
    if stacked || (spec.kind == ChartKind::Area && spec.stacked) {
        stack(&mut series);
    }
    let x = if band {
        XKind::Band(categories)
    } else if temporal {
        let (from, to) = extent(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
        XKind::Time { from, to }
    } else {
        let (from, to) = extent(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)));
        XKind::Value(value_axis(from.min(0.0), to.max(0.0), 5))
    };
    Layout {
        x,
        series,
        horizontal,
        stacked,
    }
}

fn extent(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)))
}

/// Stacks the series of each measure on one another: each point's low is the sum of the
/// series before it at the same x (positives and negatives stacking apart, as ECharts does).
fn stack(series: &mut [Series]) {
    let mut ups: std::collections::HashMap<(usize, u64), f64> = Default::default();
    let mut downs: std::collections::HashMap<(usize, u64), f64> = Default::default();
    for s in series.iter_mut() {
        for point in &mut s.points {
            let Some(value) = point.2 else { continue };
            let key = (s.measure, point.0.to_bits());
            let base = if value >= 0.0 { &mut ups } else { &mut downs };
            let low = base.get(&key).copied().unwrap_or(0.0);
            base.insert(key, low + value);
            *point = (point.0, low, Some(low + value));
        }
    }
}

/// The y (value) range every series spans, zero included (ECharts' default).
fn value_range(series: &[Series]) -> (f64, f64) {
    let (lo, hi) = extent(
        series
            .iter()
            .flat_map(|s| s.points.iter().flat_map(|p| [Some(p.1), p.2]).flatten()),
    );
    if lo > hi {
        (0.0, 1.0)
    } else {
        (lo.min(0.0), hi.max(0.0))
    }
}

/// Draws a legend of `entries` from the top left, wrapping; returns its height.
pub(crate) fn legend<DB: DrawingBackend>(
    c: &Canvas<DB>,
    entries: &[(String, Rgba)],
    max_rows: usize,
) -> Result<f64, RenderError> {
    if entries.len() < 2 {
        return Ok(0.0);
    }
    let (mut x, mut row) = (0.0, 0usize);
    for (k, (name, color)) in entries.iter().enumerate() {
        let name = c.fit(name, LABEL, (c.width * 0.5).max(60.0));
        let width = 14.0 + c.text_width(&name, LABEL) + 14.0;
        if x > 0.0 && x + width > c.width {
            row += 1;
            x = 0.0;
        }
        if row >= max_rows {
            let y = (max_rows as f64 - 0.5) * LEGEND_ROW;
            c.text_middle(
                &format!("+{} more", entries.len() - k),
                c.width,
                y,
                LABEL,
                MUTED,
                Align::Right,
                false,
            )?;
            break;
        }
        let y = (row as f64 + 0.5) * LEGEND_ROW;
        c.rect(x, y - 4.5, x + 10.0, y + 4.5, *color)?;
        c.text_middle(&name, x + 14.0, y, LABEL, MUTED, Align::Left, false)?;
        x += width;
    }
    Ok((row + 1).min(max_rows) as f64 * LEGEND_ROW + 6.0)
}

pub(crate) fn draw<DB: DrawingBackend>(c: &Canvas<DB>, data: &ChartData) -> Result<(), RenderError> {
    let chart = layout(data);
    let entries: Vec<(String, Rgba)> = chart.series.iter().map(|s| (s.name.clone(), s.color)).collect();
    let top = legend(c, &entries, 2)?;
    let (lo, hi) = value_range(&chart.series);
    let kind = data.spec.kind;

    // The value axis runs along the plot's height (or width when horizontal).
    let value_span = if chart.horizontal {
        c.width * 0.6
    } else {
        c.height - top - 40.0
    };
    let values = value_axis(lo, hi, ((value_span / 50.0) as usize).clamp(2, 8));
    let value_labels = values.labels();

    if chart.horizontal {
        let XKind::Band(categories) = &chart.x else {
            return Ok(());
        };
        let widest = categories.iter().map(|l| c.text_width(l, LABEL)).fold(0.0, f64::max);
        let left = (widest + 10.0).min(c.width * 0.4).max(24.0);
        let last = value_labels.last().map_or(0.0, |l| c.text_width(l, LABEL));
        let (x0, x1, y0, y1) = (left, c.width - (last / 2.0).max(12.0), top + 4.0, c.height - 20.0);
        if x1 <= x0 || y1 <= y0 {
            return Ok(());
        }
        for (tick, label) in values.ticks.iter().zip(&value_labels) {
            let x = values.at(*tick, x0, x1);
            c.line(&[(x, y0), (x, y1)], GRID, 1.0)?;
            c.text(label, x, y1 + 14.0, LABEL, MUTED, Align::Center, false)?;
        }
        let band = (y1 - y0) / categories.len().max(1) as f64;
        for (k, label) in categories.iter().enumerate() {
            let y = y0 + band * (k as f64 + 0.5);
            let text = c.fit(label, LABEL, left - 8.0);
            if band >= LABEL || k % ((LABEL / band).ceil() as usize).max(1) == 0 {
                c.text_middle(&text, x0 - 6.0, y, LABEL, MUTED, Align::Right, false)?;
            }
        }
        bars(c, &chart, band, |slot, v0, v1| {
            let (a, b) = (values.at(v0, x0, x1), values.at(v1, x0, x1));
            (a, y0 + slot.0, b, y0 + slot.1)
        })?;
        let zero = values.at(0.0, x0, x1);
        c.line(&[(zero, y0), (zero, y1)], MUTED.alpha(0.6), 1.0)?;
        return Ok(());
    }

    let widest = value_labels.iter().map(|l| c.text_width(l, LABEL)).fold(0.0, f64::max);
    let x_name = data.spec.x.clone().unwrap_or_default();
    let x0 = widest + 10.0;
    let x1 = c.width - 16.0;
    let bottom_labels = 18.0;
    let name_row = if x_name.is_empty() { 0.0 } else { 16.0 };
    let band_count = match &chart.x {
        XKind::Band(labels) => labels.len().max(1),
        _ => 1,
    };
    // Category labels that do not fit their band alternate over two rows.
    let stagger = match &chart.x {
        XKind::Band(labels) => {
            let band = (x1 - x0) / band_count as f64;
            labels.len() > 1 && labels.iter().any(|l| c.text_width(l, LABEL) > band - 4.0) && band >= 12.0
        }
        _ => false,
    };
    let y1 = c.height - bottom_labels - name_row - if stagger { 14.0 } else { 0.0 };
    let y0 = top + 6.0;
    if x1 <= x0 || y1 <= y0 {
        return Ok(());
    }
    for (tick, label) in values.ticks.iter().zip(&value_labels) {
        let y = values.at(*tick, y1, y0);
        c.line(&[(x0, y), (x1, y)], GRID, 1.0)?;
        c.text_middle(label, x0 - 6.0, y, LABEL, MUTED, Align::Right, false)?;
    }
    let label_y = y1 + 14.0;
    // Where an x lands across the plot.
    let position: Box<dyn Fn(f64) -> f64> = match &chart.x {
        XKind::Band(labels) => {
            let n = labels.len().max(1) as f64;
            if kind == ChartKind::Bar {
                let band = (x1 - x0) / n;
                Box::new(move |i| x0 + band * (i + 0.5))
            } else if n <= 1.0 {
                Box::new(move |_| (x0 + x1) / 2.0)
            } else {
                // Lines over categories run edge to edge (ECharts' boundaryGap: false).
                Box::new(move |i| x0 + (x1 - x0) * i / (n - 1.0))
            }
        }
        XKind::Time { from, to } => {
            let (from, to) = (*from, if to > from { *to } else { from + 1.0 });
            Box::new(move |t| x0 + (t - from) / (to - from) * (x1 - x0))
        }
        XKind::Value(axis) => {
            let axis = axis.clone();
            Box::new(move |v| axis.at(v, x0, x1))
        }
    };
    match &chart.x {
        XKind::Band(labels) => {
            let band = (x1 - x0) / band_count as f64;
            let every = if band < 12.0 {
                let widest = labels.iter().map(|l| c.text_width(l, LABEL)).fold(0.0, f64::max);
                ((widest + 8.0) / band).ceil().max(1.0) as usize
            } else {
                1
            };
            let room = if stagger {
                band * 2.0 - 6.0
            } else {
                band * every as f64 - 4.0
            };
            for (k, label) in labels.iter().enumerate() {
                if k % every != 0 {
                    continue;
                }
                let y = label_y + if stagger && k % 2 == 1 { 14.0 } else { 0.0 };
                let text = c.fit(label, LABEL, room);
                c.text(&text, position(k as f64), y, LABEL, MUTED, Align::Center, false)?;
            }
        }
        XKind::Time { from, to } => {
            let ticks = time_ticks(*from, *to, ((x1 - x0) / 80.0) as usize);
            let mut right_edge = f64::NEG_INFINITY;
            for (t, label) in ticks {
                let x = position(t);
                let half = c.text_width(&label, LABEL) / 2.0;
                c.line(&[(x, y1), (x, y1 + 4.0)], MUTED.alpha(0.6), 1.0)?;
                if x - half > right_edge + 6.0 && x + half <= c.width {
                    c.text(&label, x, label_y, LABEL, MUTED, Align::Center, false)?;
                    right_edge = x + half;
                }
            }
        }
        XKind::Value(axis) => {
            for (tick, label) in axis.ticks.iter().zip(axis.labels()) {
                let x = axis.at(*tick, x0, x1);
                c.line(&[(x, y0), (x, y1)], GRID, 1.0)?;
                c.text(&label, x, label_y, LABEL, MUTED, Align::Center, false)?;
            }
        }
    }
    if !x_name.is_empty() {
        let name = c.fit(&x_name, LABEL, x1 - x0);
        c.text(
            &name,
            (x0 + x1) / 2.0,
            c.height - 4.0,
            LABEL,
            MUTED,
            Align::Center,
            false,
        )?;
    }

    match kind {
        ChartKind::Bar => {
            let band = (x1 - x0) / band_count as f64;
            bars(c, &chart, band, |slot, v0, v1| {
                let (a, b) = (values.at(v0, y1, y0), values.at(v1, y1, y0));
                (x0 + slot.0, a, x0 + slot.1, b)
            })?;
        }
        ChartKind::Scatter => {
            let radius = if chart.series.iter().map(|s| s.points.len()).sum::<usize>() > 5_000 {
                1.5
            } else {
                3.0
            };
            for s in &chart.series {
                for (x, _, y) in &s.points {
                    if let Some(y) = y {
                        c.circle(position(*x), values.at(*y, y1, y0), radius, s.color.alpha(0.8), None)?;
                    }
                }
            }
        }
        _ => {
            let area = kind == ChartKind::Area;
            let opacity = if chart.stacked { 0.85 } else { 0.25 };
            for s in &chart.series {
                let mut sorted = s.points.clone();
                sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
                // A null breaks the line, as in the studio.
                for run in sorted.split(|p| p.2.is_none()) {
                    let top: Vec<(f64, f64)> = run
                        .iter()
                        .filter_map(|(x, _, y)| Some((position(*x), values.at((*y)?, y1, y0))))
                        .collect();
                    if area && top.len() > 1 {
                        let mut shape = top.clone();
                        shape.extend(
                            run.iter()
                                .rev()
                                .map(|(x, low, _)| (position(*x), values.at(*low, y1, y0))),
                        );
                        c.polygon(&shape, s.color.alpha(opacity))?;
                    }
                    c.line(&top, s.color, 2.0)?;
                    if sorted.len() <= 60 {
                        for (x, y) in &top {
                            c.circle(*x, *y, 2.5, style::BACKGROUND, Some((s.color, 1.5)))?;
                        }
                    }
                }
            }
        }
    }
    let zero = values.at(0.0, y1, y0);
    c.line(&[(x0, zero), (x1, zero)], MUTED.alpha(0.6), 1.0)?;
    Ok(())
}

/// Draws the bars: `rect(slot, from, to)` turns a bar's slot across its band (offsets from the
/// band axis' start) and its value range into a rectangle.
fn bars<DB: DrawingBackend>(
    c: &Canvas<DB>,
    chart: &Layout,
    band: f64,
    rect: impl Fn((f64, f64), f64, f64) -> (f64, f64, f64, f64),
) -> Result<(), RenderError> {
    // Side by side: one slot per series, or per measure when they stack.
    let slots: Vec<usize> = if chart.stacked {
        chart.series.iter().map(|s| s.measure).collect()
    } else {
        (0..chart.series.len()).collect()
    };
    let count = slots.iter().max().map_or(1, |m| m + 1) as f64;
    let inner = band * (1.0 - CATEGORY_GAP);
    let width = (inner / (count + BAR_GAP * (count - 1.0))).min(BAR_MAX);
    let group = width * (count + BAR_GAP * (count - 1.0));
    for (s, slot) in chart.series.iter().zip(&slots) {
        for (x, low, high) in &s.points {
            let Some(high) = high else { continue };
            let start = band * (x + 0.5) - group / 2.0 + *slot as f64 * width * (1.0 + BAR_GAP);
            let (ax, ay, bx, by) = rect((start, start + width), *low, *high);
            c.rect(ax, ay, bx, by, s.color)?;
        }
    }
    Ok(())
}
