//! Charts drawn headless, for `kiln chart` and the docs site: any [`ChartData`] to SVG or PNG
//! with plotters, looking like the studio's chart of the same data (its palette, axes, legends and
//! map framing), and a whole dashboard laid out on its 24-column grid. Nothing is read from the
//! system or the network: the font (DejaVu Sans) and the map outlines are compiled in.
//!
//! A PNG is drawn at twice its size and averaged down, because plotters' bitmap backend draws
//! without anti-aliasing; the supersampling smooths lines, circles and map borders.

mod axis;
mod canvas;
mod cartesian;
mod map;
mod panels;
mod style;
#[cfg(test)]
mod tests;
mod topo;

use std::sync::OnceLock;

use plotters::prelude::*;

use crate::dashboard::{GridPos, GRID_COLUMNS};
use crate::run::ChartData;
use crate::spec::{ChartKind, RegionSet};
use canvas::{Align, Canvas};
use style::{BACKGROUND, BORDER, ERROR, MUTED, TEXT};

/// The image formats `kiln chart` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Svg,
    Png,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }

    /// `svg` or `png` (any case).
    pub fn parse(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("an image of {width}×{height} px cannot be drawn: each side must be {MIN_SIDE} to {MAX_SIDE} px")]
    Size { width: u32, height: u32 },
    #[error("the chart font could not be loaded")]
    Font,
    #[error("drawing failed: {0}")]
    Draw(String),
    #[error("encoding the PNG failed: {0}")]
    Png(String),
}

pub const MIN_SIDE: u32 = 16;
pub const MAX_SIDE: u32 = 8_192;
/// The bitmap is drawn this many times larger, then averaged down.
const SUPERSAMPLE: u32 = 2;

/// A panel's size in pixels when none is asked for: the studio's grid at a 1200 px wide
/// dashboard (50 px a column) and its 36 px rows.
pub const COLUMN_PX: u32 = 50;
pub const ROW_PX: u32 = 36;

pub fn default_size(grid: &GridPos) -> (u32, u32) {
    (
        (grid.w * COLUMN_PX).clamp(240, MAX_SIDE),
        (grid.h * ROW_PX).clamp(140, MAX_SIDE),
    )
}

/// What one chart image shows beyond its data.
#[derive(Debug, Clone, Copy)]
pub struct RenderOptions<'a> {
    pub title: &'a str,
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// The text of the GeoJSON/TopoJSON file a region map's `projectFile` set names.
    pub shapes: Option<&'a str>,
}

/// `data` as an SVG or PNG image of `width` × `height` px, titled `title`.
pub fn render(data: &ChartData, title: &str, width: u32, height: u32, format: Format) -> Result<Vec<u8>, RenderError> {
    render_with(
        data,
        &RenderOptions {
            title,
            width,
            height,
            format,
            shapes: None,
        },
    )
}

/// [`render`] with every option.
pub fn render_with(data: &ChartData, options: &RenderOptions<'_>) -> Result<Vec<u8>, RenderError> {
    let shapes = parse_project_shapes(data, options.shapes);
    let scene = Scene::Panel {
        title: options.title,
        content: Content::Chart(data, shapes.as_ref()),
    };
    output(&scene, options.width, options.height, options.format)
}

/// An image saying why a panel has no chart (its query failed), so a report shows the failure
/// where the chart would be.
pub fn render_message(
    title: &str,
    message: &str,
    width: u32,
    height: u32,
    format: Format,
) -> Result<Vec<u8>, RenderError> {
    let scene = Scene::Panel {
        title,
        content: Content::Message(message),
    };
    output(&scene, width, height, format)
}

/// One panel of a dashboard image: its place on the grid and what it shows.
#[derive(Debug, Clone, Copy)]
pub struct DashboardPanel<'a> {
    pub title: &'a str,
    pub grid: GridPos,
    /// Its chart, or why it has none.
    pub chart: Result<&'a ChartData, &'a str>,
    pub shapes: Option<&'a str>,
}

/// A dashboard as one image `width` px wide, its panels on the 24-column grid (rows of
/// [`ROW_PX`] scaled with the width), under its title.
pub fn render_dashboard(
    title: &str,
    panels: &[DashboardPanel<'_>],
    width: u32,
    format: Format,
) -> Result<Vec<u8>, RenderError> {
    let column = f64::from(width) / f64::from(GRID_COLUMNS);
    let row = f64::from(ROW_PX) * column / f64::from(COLUMN_PX);
    let rows = panels.iter().map(|p| p.grid.y + p.grid.h).max().unwrap_or(1);
    let height = (HEADER + f64::from(rows) * row + 8.0).ceil() as u32;
    let parsed: Vec<Option<Vec<topo::Shape>>> = panels
        .iter()
        .map(|p| match p.chart {
            Ok(data) => parse_project_shapes(data, p.shapes),
            Err(_) => None,
        })
        .collect();
    let scene = Scene::Dashboard {
        title,
        panels,
        shapes: &parsed,
        column,
        row,
    };
    output(&scene, width, height.min(MAX_SIDE), format)
}

const HEADER: f64 = 40.0;

fn parse_project_shapes(data: &ChartData, text: Option<&str>) -> Option<Vec<topo::Shape>> {
    match (&data.spec.regions, text) {
        (Some(RegionSet::ProjectFile { .. }), Some(text)) if data.spec.kind == ChartKind::RegionMap => {
            topo::parse_shapes(text, None).ok()
        }
        _ => None,
    }
}

enum Content<'a> {
    Chart(&'a ChartData, Option<&'a Vec<topo::Shape>>),
    Message(&'a str),
}

enum Scene<'a> {
    Panel {
        title: &'a str,
        content: Content<'a>,
    },
    Dashboard {
        title: &'a str,
        panels: &'a [DashboardPanel<'a>],
        shapes: &'a [Option<Vec<topo::Shape>>],
        column: f64,
        row: f64,
    },
}

impl Scene<'_> {
    fn draw<DB: DrawingBackend>(&self, c: &Canvas<DB>) -> Result<(), RenderError> {
        c.fill(BACKGROUND)?;
        match self {
            Scene::Panel { title, content } => panel(c, title, content),
            Scene::Dashboard {
                title,
                panels,
                shapes,
                column,
                row,
            } => {
                let title = c.fit(title, 18.0, c.width - 24.0);
                c.text(&title, 12.0, 27.0, 18.0, TEXT, Align::Left, true)?;
                let gap = 4.0;
                for (p, shapes) in panels.iter().zip(shapes.iter()) {
                    let GridPos { x, y, w, h } = p.grid;
                    let area = c.sub(
                        f64::from(x) * column + gap,
                        HEADER + f64::from(y) * row + gap,
                        f64::from(w) * column - 2.0 * gap,
                        f64::from(h) * row - 2.0 * gap,
                    );
                    let content = match p.chart {
                        Ok(data) => Content::Chart(data, shapes.as_ref()),
                        Err(message) => Content::Message(message),
                    };
                    area.fill(BACKGROUND)?;
                    panel(&area, p.title, &content)?;
                    area.rect_outline(0.0, 0.0, area.width - 1.0, area.height - 1.0, BORDER, 1.0)?;
                }
                Ok(())
            }
        }
    }
}

const PAD: f64 = 10.0;
const TITLE: f64 = 13.0;
const NOTE: f64 = 10.0;

/// A panel: its title, its chart (or message) and its notes under it.
fn panel<DB: DrawingBackend>(c: &Canvas<DB>, title: &str, content: &Content<'_>) -> Result<(), RenderError> {
    let mut top = PAD;
    if !title.is_empty() {
        let title = c.fit(title, TITLE, c.width - 2.0 * PAD);
        c.text(&title, PAD, PAD + TITLE * 0.8, TITLE, TEXT, Align::Left, true)?;
        top += TITLE + 10.0;
    }
    let (data, shapes) = match content {
        Content::Message(message) => return message_body(c, top, message, ERROR),
        Content::Chart(data, shapes) => (*data, *shapes),
    };
    let mut notes = data.notes.clone();
    if data.spec.kind == ChartKind::RegionMap {
        notes.extend(map::region_notes(data, shapes.map(Vec::as_slice)));
    }
    let notes_height = if notes.is_empty() { 0.0 } else { NOTE + 8.0 };
    if !notes.is_empty() {
        let text = c.fit(&notes.join("; "), NOTE, c.width - 2.0 * PAD);
        c.text(&text, PAD, c.height - PAD, NOTE, MUTED, Align::Left, false)?;
    }
    let body = c.sub(
        PAD,
        top,
        (c.width - 2.0 * PAD).max(1.0),
        (c.height - top - PAD - notes_height).max(1.0),
    );
    let kind = data.spec.kind;
    if data.rows.is_empty()
        && !matches!(
            kind,
            ChartKind::Stat | ChartKind::Gauge | ChartKind::Table | ChartKind::RegionMap
        )
    {
        return message_body(c, top, "The query returned no rows to chart.", MUTED);
    }
    #[allow(unreachable_patterns)]
    match kind {
        ChartKind::Line | ChartKind::Area | ChartKind::Bar | ChartKind::Scatter => cartesian::draw(&body, data),
        ChartKind::Stat => panels::stat(&body, data),
        ChartKind::Table => panels::table(&body, data),
        ChartKind::Heatmap => panels::heatmap(&body, data),
        ChartKind::PointMap => map::draw_points(&body, data),
        ChartKind::RegionMap => map::draw_regions(&body, data, shapes.map(Vec::as_slice)),
        ChartKind::Pie => panels::pie(&body, data),
        ChartKind::Gauge => panels::gauge(&body, data),
        // A kind newer than this renderer says so instead of failing the whole image.
        _ => message_body(c, top, "This chart kind is not drawn headless yet.", MUTED),
    }
}

/// `message` centred in the body, wrapped to the width.
fn message_body<DB: DrawingBackend>(
    c: &Canvas<DB>,
    top: f64,
    message: &str,
    color: style::Rgba,
) -> Result<(), RenderError> {
    let size = 12.0;
    let max = (c.width - 4.0 * PAD).max(20.0);
    let mut lines: Vec<String> = Vec::new();
    for word in message.split_whitespace() {
        match lines.last_mut() {
            Some(line) if c.text_width(&format!("{line} {word}"), size) <= max => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    let room = ((c.height - top - PAD) / (size + 5.0)).floor().max(1.0) as usize;
    if lines.len() > room {
        lines.truncate(room);
        if let Some(last) = lines.last_mut() {
            last.push('…');
        }
    }
    let block = lines.len() as f64 * (size + 5.0);
    let mut y = top + ((c.height - top - PAD - block) / 2.0).max(0.0) + size;
    for line in &lines {
        let line = c.fit(line, size, max);
        c.text(&line, c.width / 2.0, y, size, color, Align::Center, false)?;
        y += size + 5.0;
    }
    Ok(())
}

/// DejaVu Sans, registered once as plotters' sans-serif (for text metrics, and glyphs in PNGs;
/// an SVG names the family and leaves the glyphs to its viewer).
fn font() -> Result<(), RenderError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        let bytes: &'static [u8] = include_bytes!("../../../../assets/fonts/DejaVuSans.ttf");
        [FontStyle::Normal, FontStyle::Bold]
            .into_iter()
            .all(|style| plotters::style::register_font("sans-serif", style, bytes).is_ok())
    });
    if ok {
        Ok(())
    } else {
        Err(RenderError::Font)
    }
}

fn output(scene: &Scene<'_>, width: u32, height: u32, format: Format) -> Result<Vec<u8>, RenderError> {
    if !(MIN_SIDE..=MAX_SIDE).contains(&width) || !(MIN_SIDE..=MAX_SIDE).contains(&height) {
        return Err(RenderError::Size { width, height });
    }
    font()?;
    match format {
        Format::Svg => {
            let mut text = String::new();
            {
                let area = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
                let canvas = Canvas::new(area, 1.0, true);
                scene.draw(&canvas)?;
                canvas.present()?;
            }
            Ok(text.into_bytes())
        }
        Format::Png => {
            let (w, h) = (width * SUPERSAMPLE, height * SUPERSAMPLE);
            let mut big = vec![255u8; (w * h * 3) as usize];
            {
                let area = BitMapBackend::with_buffer(&mut big, (w, h)).into_drawing_area();
                let canvas = Canvas::new(area, f64::from(SUPERSAMPLE), false);
                scene.draw(&canvas)?;
                canvas.present()?;
            }
            png(&downsample(&big, width, height), width, height)
        }
    }
}

/// Averages each SUPERSAMPLE × SUPERSAMPLE block of an RGB image.
fn downsample(big: &[u8], width: u32, height: u32) -> Vec<u8> {
    let (s, bw) = (SUPERSAMPLE as usize, (width * SUPERSAMPLE) as usize);
    let mut out = vec![0u8; (width * height * 3) as usize];
    for y in 0..height as usize {
        for x in 0..width as usize {
            for channel in 0..3 {
                let mut sum = 0u32;
                for dy in 0..s {
                    for dx in 0..s {
                        sum += u32::from(big[((y * s + dy) * bw + x * s + dx) * 3 + channel]);
                    }
                }
                out[(y * width as usize + x) * 3 + channel] = (sum / (s * s) as u32) as u8;
            }
        }
    }
    out
}

fn png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, RenderError> {
    let mut bytes = Vec::new();
    {
        let mut encoder = ::png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(::png::ColorType::Rgb);
        encoder.set_depth(::png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| RenderError::Png(e.to_string()))?;
        writer
            .write_image_data(rgb)
            .map_err(|e| RenderError::Png(e.to_string()))?;
        writer.finish().map_err(|e| RenderError::Png(e.to_string()))?;
    }
    Ok(bytes)
}
