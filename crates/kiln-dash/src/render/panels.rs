//! The kinds that are not axes or maps: a stat's big number with its trend, a table's first
//! rows, and the heatmap's grid of cells.

use plotters::prelude::DrawingBackend;

use super::canvas::{Align, Canvas};
use super::cartesian::{role_at, LABEL};
use super::style::{self, bucket_label, grouped_number, heat, short_number, Rgba, GRID, MUTED, PALETTE, TEXT};
use super::RenderError;
use crate::plan::Role;
use crate::run::ChartData;

/// One big number over every row, its measure under it, and its trend when the stat has an x.
pub(crate) fn stat<DB: DrawingBackend>(c: &Canvas<DB>, data: &ChartData) -> Result<(), RenderError> {
    let value = match &data.value {
        serde_json::Value::Null => "–".to_string(),
        v => style::number(Some(v)).map_or_else(|| style::text(Some(v)), grouped_number),
    };
    let label = data.spec.y.first().map(style::measure_label).unwrap_or_default();
    let trend: Vec<(f64, f64)> = {
        let x = role_at(&data.roles, Role::X, 0);
        let y = role_at(&data.roles, Role::Y, 0);
        data.rows
            .iter()
            .enumerate()
            .filter_map(|(k, row)| {
                let x = x.and_then(|x| style::time(row.get(x)).or_else(|| style::number(row.get(x))));
                Some((x.unwrap_or(k as f64), style::number(row.get(y?))?))
            })
            .collect()
    };
    let has_trend = data.spec.x.is_some() && trend.len() > 1;
    let text_block = if has_trend { c.height * 0.6 } else { c.height };
    // As big as fits: the number's width at size s is about its measured width at 10 × s / 10.
    let at_ten = c.text_width(&value, 10.0).max(1.0);
    let size = (10.0 * (c.width * 0.9) / at_ten)
        .min(text_block * 0.45)
        .clamp(12.0, 72.0);
    let label_size = (size * 0.3).clamp(10.0, 13.0);
    let block = size * 0.75 + 8.0 + label_size;
    let top = ((text_block - block) / 2.0).max(0.0);
    let shown = c.fit(&value, size, c.width - 8.0);
    c.text(
        &shown,
        c.width / 2.0,
        top + size * 0.75,
        size,
        TEXT,
        Align::Center,
        true,
    )?;
    let label = c.fit(&label, label_size, c.width - 8.0);
    c.text(
        &label,
        c.width / 2.0,
        top + size * 0.75 + 8.0 + label_size,
        label_size,
        MUTED,
        Align::Center,
        false,
    )?;
    if has_trend {
        let (x0, x1) = trend
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let (y0, y1) = trend
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
        let (y0, y1) = (y0.min(0.0), if y1 > y0.min(0.0) { y1 } else { y0.min(0.0) + 1.0 });
        let (top, bottom) = (text_block + 4.0, c.height - 2.0);
        let width = if x1 > x0 { x1 - x0 } else { 1.0 };
        let line: Vec<(f64, f64)> = trend
            .iter()
            .map(|(x, y)| {
                (
                    4.0 + (x - x0) / width * (c.width - 8.0),
                    bottom - (y - y0) / (y1 - y0) * (bottom - top),
                )
            })
            .collect();
        let mut area = line.clone();
        area.push((c.width - 4.0, bottom));
        area.push((4.0, bottom));
        c.polygon(&area, PALETTE[0].alpha(0.25))?;
        c.line(&line, PALETTE[0], 2.0)?;
    }
    Ok(())
}

const ROW: f64 = 22.0;

/// The first rows that fit, as a grid: header in bold, numbers right-aligned, long text cut.
pub(crate) fn table<DB: DrawingBackend>(c: &Canvas<DB>, data: &ChartData) -> Result<(), RenderError> {
    let columns = &data.columns;
    if columns.is_empty() {
        return Ok(());
    }
    let fit_rows = ((c.height - ROW) / ROW).floor().max(0.0) as usize;
    let shown = data
        .rows
        .len()
        .min(fit_rows.saturating_sub(usize::from(data.rows.len() > fit_rows)));
    let cell = |row: &[serde_json::Value], k: usize| -> (String, bool) {
        match row.get(k) {
            Some(serde_json::Value::Number(n)) => (n.to_string(), true),
            Some(serde_json::Value::Null) | None => ("NULL".into(), false),
            Some(v) => {
                let text = style::text(Some(v));
                let numeric = text.parse::<f64>().is_ok();
                (text, numeric)
            }
        }
    };
    // Widths from the header and the shown cells, shrunk together to the canvas.
    let mut widths: Vec<f64> = columns
        .iter()
        .enumerate()
        .map(|(k, name)| {
            data.rows[..shown]
                .iter()
                .map(|r| c.text_width(&cell(r, k).0, LABEL))
                .fold(c.text_width(name, LABEL), f64::max)
                .min(260.0)
                + 16.0
        })
        .collect();
    let total: f64 = widths.iter().sum();
    if total > c.width {
        // Keep at least the header's first letters visible: shrink wide columns more.
        let factor = c.width / total;
        for w in &mut widths {
            *w = (*w * factor).max(24.0);
        }
    }
    let mut lefts = Vec::with_capacity(widths.len());
    let mut x = 0.0;
    for w in &widths {
        lefts.push(x);
        x += w;
    }
    let visible = lefts.iter().filter(|l| **l < c.width).count();
    c.rect(0.0, 0.0, c.width, ROW, GRID.alpha(0.5))?;
    for k in 0..visible {
        let name = c.fit(&columns[k], LABEL, widths[k] - 12.0);
        c.text_middle(&name, lefts[k] + 6.0, ROW / 2.0, LABEL, TEXT, Align::Left, true)?;
    }
    for (r, row) in data.rows[..shown].iter().enumerate() {
        let y = ROW * (r as f64 + 1.0);
        if r % 2 == 1 {
            c.rect(0.0, y, c.width, y + ROW, GRID.alpha(0.25))?;
        }
        for k in 0..visible {
            let (text, numeric) = cell(row, k);
            let text = c.fit(&text, LABEL, widths[k] - 12.0);
            let (x, align) = if numeric {
                (lefts[k] + widths[k] - 6.0, Align::Right)
            } else {
                (lefts[k] + 6.0, Align::Left)
            };
            c.text_middle(&text, x, y + ROW / 2.0, LABEL, TEXT, align, false)?;
        }
        c.line(&[(0.0, y + ROW), (c.width, y + ROW)], GRID, 1.0)?;
    }
    if shown < data.rows.len() {
        let y = ROW * (shown as f64 + 1.5);
        let more = format!("{} of {} rows", shown, data.rows.len());
        c.text_middle(&more, 6.0, y, LABEL, MUTED, Align::Left, false)?;
    }
    Ok(())
}

/// `x` across, `series` down, the value as colour on ECharts' default ramp, with its scale on top.
pub(crate) fn heatmap<DB: DrawingBackend>(c: &Canvas<DB>, data: &ChartData) -> Result<(), RenderError> {
    let x_at = role_at(&data.roles, Role::X, 0).unwrap_or(0);
    let y_at = role_at(&data.roles, Role::Series, 0);
    let v_at = role_at(&data.roles, Role::Y, 0);
    let label = |v: Option<&serde_json::Value>| -> String {
        match style::time(v) {
            Some(t) if data.spec.bucket.is_some() => bucket_label(t, data.spec.bucket),
            _ => style::text(v),
        }
    };
    let mut xs: Vec<String> = Vec::new();
    let mut ys: Vec<String> = Vec::new();
    let mut cells = Vec::new();
    for row in &data.rows {
        let (x, y) = (
            label(row.get(x_at)),
            y_at.map(|k| label(row.get(k))).unwrap_or_default(),
        );
        let xi = xs.iter().position(|v| *v == x).unwrap_or_else(|| {
            xs.push(x);
            xs.len() - 1
        });
        let yi = ys.iter().position(|v| *v == y).unwrap_or_else(|| {
            ys.push(y);
            ys.len() - 1
        });
        cells.push((xi, yi, v_at.and_then(|k| style::number(row.get(k)))));
    }
    let (lo, hi) = cells
        .iter()
        .filter_map(|c| c.2)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
    let (lo, hi) = if lo > hi {
        (0.0, 1.0)
    } else {
        (lo.min(0.0), hi.max(1.0))
    };
    // The scale: a gradient bar with its ends.
    let bar_width = (c.width * 0.3).min(160.0);
    let bx = (c.width - bar_width) / 2.0;
    let steps = 32;
    for k in 0..steps {
        let t = k as f64 / steps as f64;
        let color = heat(t + 0.5 / steps as f64);
        c.rect(
            bx + t * bar_width,
            4.0,
            bx + (t + 1.0 / steps as f64) * bar_width + 0.5,
            14.0,
            color,
        )?;
    }
    c.text_middle(&short_number(lo), bx - 6.0, 9.0, LABEL, MUTED, Align::Right, false)?;
    c.text_middle(
        &short_number(hi),
        bx + bar_width + 6.0,
        9.0,
        LABEL,
        MUTED,
        Align::Left,
        false,
    )?;

    let widest = ys.iter().map(|y| c.text_width(y, LABEL)).fold(0.0, f64::max);
    let x0 = (widest + 10.0).min(c.width * 0.3);
    let (x1, y0, y1) = (c.width - 8.0, 24.0, c.height - 20.0);
    if x1 <= x0 || y1 <= y0 || xs.is_empty() {
        return Ok(());
    }
    let cw = (x1 - x0) / xs.len() as f64;
    let ch = (y1 - y0) / ys.len().max(1) as f64;
    for (xi, yi, value) in &cells {
        let color: Rgba = match value {
            Some(v) => heat((v - lo) / (hi - lo)),
            None => GRID,
        };
        let (ax, ay) = (x0 + *xi as f64 * cw, y0 + *yi as f64 * ch);
        c.rect(ax, ay, ax + cw, ay + ch, color)?;
    }
    let every_y = ((LABEL + 2.0) / ch).ceil().max(1.0) as usize;
    for (k, y) in ys.iter().enumerate().filter(|(k, _)| k % every_y == 0) {
        let text = c.fit(y, LABEL, x0 - 8.0);
        c.text_middle(
            &text,
            x0 - 6.0,
            y0 + (k as f64 + 0.5) * ch,
            LABEL,
            MUTED,
            Align::Right,
            false,
        )?;
    }
    let widest_x = xs.iter().map(|x| c.text_width(x, LABEL)).fold(0.0, f64::max);
    let every_x = ((widest_x + 8.0) / cw).ceil().max(1.0) as usize;
    for (k, x) in xs.iter().enumerate().filter(|(k, _)| k % every_x == 0) {
        let text = c.fit(x, LABEL, cw * every_x as f64 - 4.0);
        c.text(
            &text,
            x0 + (k as f64 + 0.5) * cw,
            y1 + 14.0,
            LABEL,
            MUTED,
            Align::Center,
            false,
        )?;
    }
    Ok(())
}

/// Points of a circle's arc around (`cx`, `cy`) from `from` to `to` radians (clockwise from
/// twelve o'clock), one every few pixels.
fn arc(cx: f64, cy: f64, r: f64, from: f64, to: f64) -> Vec<(f64, f64)> {
    let steps = (((to - from).abs() * r / 3.0).ceil() as usize).clamp(2, 720);
    (0..=steps)
        .map(|k| {
            let a = from + (to - from) * k as f64 / steps as f64;
            (cx + r * a.sin(), cy - r * a.cos())
        })
        .collect()
}

/// A ring segment between radii `inner` and `outer`.
fn ring_segment(cx: f64, cy: f64, inner: f64, outer: f64, from: f64, to: f64) -> Vec<(f64, f64)> {
    let mut shape = arc(cx, cy, outer, from, to);
    shape.extend(arc(cx, cy, inner, from, to).into_iter().rev());
    shape
}

/// A donut of the first value per category, biggest first from twelve o'clock, with a legend
/// of names and shares beside it.
pub(crate) fn pie<DB: DrawingBackend>(c: &Canvas<DB>, data: &ChartData) -> Result<(), RenderError> {
    let x_at = role_at(&data.roles, Role::X, 0).unwrap_or(0);
    let y_at = role_at(&data.roles, Role::Y, 0).unwrap_or(1);
    let slices: Vec<(String, f64)> = data
        .rows
        .iter()
        .filter_map(|row| {
            let v = style::number(row.get(y_at))?;
            (v > 0.0).then(|| {
                let label = match style::time(row.get(x_at)) {
                    Some(t) => bucket_label(t, data.spec.bucket),
                    None => style::text(row.get(x_at)),
                };
                (label, v)
            })
        })
        .collect();
    let total: f64 = slices.iter().map(|s| s.1).sum();
    if total <= 0.0 {
        return c.text_middle(
            "Nothing to slice: no positive values.",
            c.width / 2.0,
            c.height / 2.0,
            12.0,
            MUTED,
            Align::Center,
            false,
        );
    }
    let legend_width = (c.width * 0.45).min(220.0);
    let side = (c.width - legend_width).min(c.height);
    let (cx, cy) = ((c.width - legend_width) / 2.0, c.height / 2.0);
    let outer = (side / 2.0 - 4.0).max(4.0);
    let inner = outer * 0.55;
    let mut angle: f64 = 0.0;
    for (k, (_, v)) in slices.iter().enumerate() {
        let sweep = v / total * std::f64::consts::TAU;
        c.polygon(
            &ring_segment(cx, cy, inner, outer, angle, angle + sweep),
            style::series_color(k),
        )?;
        angle += sweep;
    }
    // Thin white lines between slices, as the studio's slices have.
    let mut angle: f64 = 0.0;
    for (_, v) in &slices {
        c.line(
            &[
                (cx + inner * angle.sin(), cy - inner * angle.cos()),
                (cx + outer * angle.sin(), cy - outer * angle.cos()),
            ],
            style::BACKGROUND,
            1.5,
        )?;
        angle += v / total * std::f64::consts::TAU;
    }
    c.text_middle(
        &style::compact_number(total),
        cx,
        cy,
        (inner * 0.45).clamp(10.0, 22.0),
        TEXT,
        Align::Center,
        true,
    )?;
    let row = 18.0;
    let rows = ((c.height / row).floor() as usize).max(1);
    let lx = c.width - legend_width + 8.0;
    let top = ((c.height - row * slices.len().min(rows) as f64) / 2.0).max(0.0);
    for (k, (name, v)) in slices.iter().enumerate().take(rows) {
        let y = top + row * (k as f64 + 0.5);
        if k + 1 == rows && slices.len() > rows {
            c.text_middle(
                &format!("+{} more", slices.len() - k),
                lx,
                y,
                LABEL,
                MUTED,
                Align::Left,
                false,
            )?;
            break;
        }
        c.rect(lx, y - 5.0, lx + 10.0, y + 5.0, style::series_color(k))?;
        let share = format!("{:.1}%", v / total * 100.0);
        let share_width = c.text_width(&share, LABEL);
        c.text_middle(&share, c.width, y, LABEL, MUTED, Align::Right, false)?;
        let name = c.fit(name, LABEL, legend_width - 8.0 - 14.0 - share_width - 8.0);
        c.text_middle(&name, lx + 14.0, y, LABEL, TEXT, Align::Left, false)?;
    }
    Ok(())
}

/// One value on a 240° dial from the spec's `min` (0) to its `max` (a round number above the
/// value when absent), the value in the middle.
pub(crate) fn gauge<DB: DrawingBackend>(c: &Canvas<DB>, data: &ChartData) -> Result<(), RenderError> {
    let value = style::number(Some(&data.value));
    let min = data.spec.min.unwrap_or(0.0);
    let max = data
        .spec
        .max
        .unwrap_or_else(|| super::axis::value_axis(min, value.unwrap_or(min + 1.0).max(min + f64::EPSILON), 4).max);
    let max = if max > min { max } else { min + 1.0 };
    let sweep = 240f64.to_radians();
    let start = -sweep / 2.0;
    let label_room = 16.0;
    // The dial's box: a circle whose bottom third is cut where the arc opens.
    let r = ((c.width / 2.0 - 8.0).min((c.height - label_room) / 1.55)).max(8.0);
    let (cx, cy) = (c.width / 2.0, 4.0 + r * 1.05);
    let thickness = (r * 0.18).clamp(6.0, 28.0);
    c.polygon(
        &ring_segment(cx, cy, r - thickness, r, start, start + sweep),
        style::GRID,
    )?;
    if let Some(v) = value {
        let t = ((v - min) / (max - min)).clamp(0.0, 1.0);
        if t > 0.0 {
            c.polygon(
                &ring_segment(cx, cy, r - thickness, r, start, start + sweep * t),
                PALETTE[0],
            )?;
        }
    }
    let text = value.map_or_else(|| "–".to_string(), grouped_number);
    let size = (10.0 * (r * 1.2) / c.text_width(&text, 10.0).max(1.0))
        .min(r * 0.45)
        .clamp(10.0, 48.0);
    c.text_middle(&text, cx, cy, size, TEXT, Align::Center, true)?;
    let label = data.spec.y.first().map(style::measure_label).unwrap_or_default();
    let label = c.fit(&label, LABEL, r * 1.4);
    c.text_middle(&label, cx, cy + size * 0.6 + 10.0, LABEL, MUTED, Align::Center, false)?;
    let end_y = cy - (r - thickness / 2.0) * start.cos() + 14.0;
    c.text_middle(
        &short_number(min),
        cx + (r - thickness / 2.0) * start.sin(),
        end_y,
        LABEL,
        MUTED,
        Align::Center,
        false,
    )?;
    c.text_middle(
        &short_number(max),
        cx - (r - thickness / 2.0) * start.sin(),
        end_y,
        LABEL,
        MUTED,
        Align::Center,
        false,
    )?;
    Ok(())
}
