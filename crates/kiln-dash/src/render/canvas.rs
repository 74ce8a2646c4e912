//! A thin drawing surface over a plotters drawing area: logical pixels as `f64` (scaled for the
//! supersampled bitmap), colours as [`Rgba`], and text placed by its baseline the same way on
//! both backends (plotters' SVG and bitmap backends put a "top"-anchored line at different
//! heights, so the canvas corrects for each).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::Rgba;
use super::RenderError;

/// How text lines up horizontally with its point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Center,
    Right,
}

pub(crate) struct Canvas<DB: DrawingBackend> {
    area: DrawingArea<DB, Shift>,
    /// Backend pixels per logical pixel (2 for the supersampled PNG).
    scale: f64,
    /// The SVG backend: its "top" anchor puts the baseline 0.76 em down, the bitmap's 0.62 em.
    svg: bool,
    pub width: f64,
    pub height: f64,
}

fn failed<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> RenderError {
    RenderError::Draw(error.to_string())
}

impl<DB: DrawingBackend> Canvas<DB> {
    pub fn new(area: DrawingArea<DB, Shift>, scale: f64, svg: bool) -> Self {
        let (w, h) = area.dim_in_pixel();
        Canvas {
            area,
            scale,
            svg,
            width: f64::from(w) / scale,
            height: f64::from(h) / scale,
        }
    }

    /// The part of the canvas at (`x`, `y`) of `width` × `height`, with its own origin.
    pub fn sub(&self, x: f64, y: f64, width: f64, height: f64) -> Canvas<DB> {
        let area = self.area.clone().shrink(
            (self.px(x), self.px(y)),
            (self.px(width.max(0.0)) as u32, self.px(height.max(0.0)) as u32),
        );
        Canvas {
            area,
            scale: self.scale,
            svg: self.svg,
            width: width.max(0.0),
            height: height.max(0.0),
        }
    }

    pub fn present(&self) -> Result<(), RenderError> {
        self.area.present().map_err(failed)
    }

    fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    fn point(&self, (x, y): (f64, f64)) -> (i32, i32) {
        (self.px(x), self.px(y))
    }

    fn color(c: Rgba) -> RGBAColor {
        RGBAColor(c.r, c.g, c.b, c.a)
    }

    fn style(c: Rgba, filled: bool, width: f64) -> ShapeStyle {
        ShapeStyle {
            color: Self::color(c),
            filled,
            stroke_width: 0,
        }
        .stroke_width(width.round().max(1.0) as u32)
    }

    fn scaled_style(&self, c: Rgba, filled: bool, width: f64) -> ShapeStyle {
        Self::style(c, filled, width * self.scale)
    }

    pub fn fill(&self, c: Rgba) -> Result<(), RenderError> {
        self.area.fill(&Self::color(c)).map_err(failed)
    }

    pub fn rect(&self, x0: f64, y0: f64, x1: f64, y1: f64, c: Rgba) -> Result<(), RenderError> {
        let (a, b) = (
            self.point((x0.min(x1), y0.min(y1))),
            self.point((x0.max(x1), y0.max(y1))),
        );
        self.area
            .draw(&Rectangle::new([a, b], self.scaled_style(c, true, 1.0)))
            .map_err(failed)
    }

    pub fn rect_outline(&self, x0: f64, y0: f64, x1: f64, y1: f64, c: Rgba, width: f64) -> Result<(), RenderError> {
        self.line(&[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], c, width)
    }

    /// A polyline; consecutive points that land on the same backend pixel are drawn once.
    pub fn line(&self, points: &[(f64, f64)], c: Rgba, width: f64) -> Result<(), RenderError> {
        let path = self.path(points);
        if path.len() < 2 {
            return Ok(());
        }
        self.area
            .draw(&PathElement::new(path, self.scaled_style(c, false, width)))
            .map_err(failed)
    }

    pub fn polygon(&self, points: &[(f64, f64)], c: Rgba) -> Result<(), RenderError> {
        let path = self.path(points);
        if path.len() < 3 {
            return Ok(());
        }
        self.area
            .draw(&Polygon::new(path, self.scaled_style(c, true, 1.0)))
            .map_err(failed)
    }

    fn path(&self, points: &[(f64, f64)]) -> Vec<(i32, i32)> {
        let mut path: Vec<(i32, i32)> = Vec::with_capacity(points.len());
        for p in points {
            if !(p.0.is_finite() && p.1.is_finite()) {
                continue;
            }
            let q = self.point(*p);
            if path.last() != Some(&q) {
                path.push(q);
            }
        }
        path
    }

    pub fn circle(&self, x: f64, y: f64, r: f64, fill: Rgba, outline: Option<(Rgba, f64)>) -> Result<(), RenderError> {
        let centre = self.point((x, y));
        let radius = self.px(r).max(1);
        self.area
            .draw(&Circle::new(centre, radius, self.scaled_style(fill, true, 1.0)))
            .map_err(failed)?;
        if let Some((c, width)) = outline {
            self.area
                .draw(&Circle::new(centre, radius, self.scaled_style(c, false, width)))
                .map_err(failed)?;
        }
        Ok(())
    }

    fn font(&self, size: f64, bold: bool) -> TextStyle<'static> {
        // plotters sizes a font by 1.24 × its em (the SVG backend writes size / 1.24 as font-size).
        FontDesc::new(
            FontFamily::SansSerif,
            size * self.scale * 1.24,
            if bold { FontStyle::Bold } else { FontStyle::Normal },
        )
        .into()
    }

    /// How wide `text` is at `size` px.
    pub fn text_width(&self, text: &str, size: f64) -> f64 {
        if text.is_empty() {
            return 0.0;
        }
        let style = self.font(size, false);
        match self.area.estimate_text_size(text, &style) {
            Ok((w, _)) => f64::from(w) / self.scale,
            // An estimate is only for layout: an average glyph width is good enough.
            Err(_) => text.chars().count() as f64 * size * 0.55,
        }
    }

    /// `text` cut to `max` px, ending in an ellipsis when cut.
    pub fn fit(&self, text: &str, size: f64, max: f64) -> String {
        if self.text_width(text, size) <= max {
            return text.to_string();
        }
        let chars: Vec<char> = text.chars().collect();
        let (mut low, mut high) = (0, chars.len());
        while low < high {
            let mid = (low + high).div_ceil(2);
            let candidate: String = chars[..mid].iter().collect::<String>() + "…";
            if self.text_width(&candidate, size) <= max {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        if low == 0 {
            return String::new();
        }
        chars[..low].iter().collect::<String>().trim_end().to_string() + "…"
    }

    /// `text` with its baseline at `y`. (Place and style in one call, as the charts read best
    /// that way.)
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &self,
        text: &str,
        x: f64,
        y: f64,
        size: f64,
        c: Rgba,
        align: Align,
        bold: bool,
    ) -> Result<(), RenderError> {
        if text.is_empty() {
            return Ok(());
        }
        let h = match align {
            Align::Left => HPos::Left,
            Align::Center => HPos::Center,
            Align::Right => HPos::Right,
        };
        let drop = if self.svg { 0.76 } else { 0.62 };
        let color = Self::color(c);
        let style = self.font(size, bold).color(&color).pos(Pos::new(h, VPos::Top));
        self.area
            .draw_text(text, &style, self.point((x, y - drop * size)))
            .map_err(failed)?;
        if bold && !self.svg {
            // Only the regular face ships (the bold one would double the font's weight in the
            // binary): a bitmap emboldens by drawing the glyphs again a little to the right.
            self.area
                .draw_text(text, &style, self.point((x + 0.04 * size, y - drop * size)))
                .map_err(failed)?;
        }
        Ok(())
    }

    /// `text` centred vertically on `y` (its capitals, that is).
    #[allow(clippy::too_many_arguments)]
    pub fn text_middle(
        &self,
        text: &str,
        x: f64,
        y: f64,
        size: f64,
        c: Rgba,
        align: Align,
        bold: bool,
    ) -> Result<(), RenderError> {
        self.text(text, x, y + 0.36 * size, size, c, align, bold)
    }
}
