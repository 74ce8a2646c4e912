//! Point and region maps in Web Mercator, framed as the studio frames them (the lower 48 for US
//! states, the inhabited world for countries, the points' extent for markers), over the same
//! offline outlines, with quantile colour classes in viridis. A static image cannot pan, so a
//! US map also shows Alaska and Hawaii in insets.

use plotters::prelude::DrawingBackend;

use super::canvas::{Align, Canvas};
use super::cartesian::{role_at, LABEL};
use super::style::{
    self, compact_number, quantile_classes, Classes, Rgba, BORDER, HALO, LAND, MUTED, NO_DATA, PALETTE, TEXT, WATER,
};
use super::topo::{self, Shape};
use super::RenderError;
use crate::plan::Role;
use crate::run::ChartData;
use crate::spec::RegionSet;
use crate::{country_key, us_state_key};

/// South-west and north-east corners as (latitude, longitude).
type Extent = ((f64, f64), (f64, f64));

/// The lower 48 and DC (`maps/geo.ts`).
const CONTIGUOUS_US: Extent = ((24.4, -124.8), (49.4, -66.9));
/// The inhabited world, Antarctica below the frame.
const WORLD: Extent = ((-56.0, -168.0), (78.0, 190.0));
const ALASKA: Extent = ((51.2, -179.5), (71.6, -129.8));
const HAWAII: Extent = ((18.8, -160.4), (22.4, -154.7));
/// Points closer than this (degrees, about 150 m) are centred in it rather than zoomed onto.
const MIN_SPAN: f64 = 0.0015;
/// Leaflet's zoom 18: about half a metre a pixel.
const MAX_SCALE: f64 = 262_144.0;
const MAX_LATITUDE: f64 = 85.051_128_779_8;
const LEGEND: f64 = 22.0;

/// Web Mercator at zoom 0 (the world 256 units wide), as Leaflet's EPSG:3857.
fn mercator(lon: f64, lat: f64) -> (f64, f64) {
    let sin = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians().sin();
    (
        256.0 * (0.5 + lon / 360.0),
        256.0 * (0.5 - ((1.0 + sin) / (1.0 - sin)).ln() / (4.0 * std::f64::consts::PI)),
    )
}

/// Mercator units → pixels of a frame.
#[derive(Debug, Clone, Copy)]
struct Projection {
    scale: f64,
    dx: f64,
    dy: f64,
}

impl Projection {
    /// `extent` fitted in `width` × `height` less `pad` on each side, centred.
    fn fit(extent: Extent, width: f64, height: f64, pad: f64) -> Projection {
        let ((south, west), (north, east)) = extent;
        let (x0, y0) = mercator(west, north);
        let (x1, y1) = mercator(east, south);
        let scale = ((width - 2.0 * pad).max(1.0) / (x1 - x0).max(1e-9))
            .min((height - 2.0 * pad).max(1.0) / (y1 - y0).max(1e-9))
            .min(MAX_SCALE);
        Projection {
            scale,
            dx: width / 2.0 - (x0 + x1) / 2.0 * scale,
            dy: height / 2.0 - (y0 + y1) / 2.0 * scale,
        }
    }

    fn at(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = mercator(lon, lat);
        (x * self.scale + self.dx, y * self.scale + self.dy)
    }

    /// Metres a pixel spans at `lat`.
    fn metres_per_pixel(&self, lat: f64) -> f64 {
        40_075_016.686 * lat.to_radians().cos() / (256.0 * self.scale)
    }
}

/// Sutherland–Hodgman: `ring` cut to the rectangle (0, 0)–(`w`, `h`), so shapes never spill out
/// of their panel.
fn clip(ring: &[(f64, f64)], w: f64, h: f64) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = ring.to_vec();
    // Each edge: how far inside it a point is (negative outside), and the edge's limit.
    type Edge = (fn((f64, f64), f64) -> f64, f64);
    let edges: [Edge; 4] = [
        (|p, _| p.0, 0.0),
        (|p, w| w - p.0, w),
        (|p, _| p.1, 0.0),
        (|p, h| h - p.1, h),
    ];
    for (inside, limit) in edges {
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else { break };
        let mut previous = last;
        for &point in &input {
            let (a, b) = (inside(previous, limit), inside(point, limit));
            if (a >= 0.0) != (b >= 0.0) {
                let t = a / (a - b);
                out.push((
                    previous.0 + (point.0 - previous.0) * t,
                    previous.1 + (point.1 - previous.1) * t,
                ));
            }
            if b >= 0.0 {
                out.push(point);
            }
            previous = point;
        }
    }
    out
}

/// Projected outer rings of a shape (holes are left to the painter's order: smaller shapes
/// inside bigger ones are drawn after them).
fn rings(shape: &Shape, projection: &Projection, w: f64, h: f64) -> Vec<Vec<(f64, f64)>> {
    shape
        .polygons
        .iter()
        .filter_map(|polygon| polygon.first())
        .map(|ring| {
            let projected: Vec<(f64, f64)> = ring.iter().map(|(lon, lat)| projection.at(*lon, *lat)).collect();
            clip(&projected, w, h)
        })
        .filter(|ring| ring.len() >= 3)
        .collect()
}

fn area(ring: &[(f64, f64)]) -> f64 {
    let mut sum = 0.0;
    for (k, a) in ring.iter().enumerate() {
        let b = ring[(k + 1) % ring.len()];
        sum += a.0 * b.1 - b.0 * a.1;
    }
    (sum / 2.0).abs()
}

/// Shapes drawn biggest first, each with its fill.
fn paint<DB: DrawingBackend>(
    c: &Canvas<DB>,
    shapes: &[(&Shape, Rgba)],
    projection: &Projection,
    border: Rgba,
) -> Result<(), RenderError> {
    // (area, ring, fill) of every ring, to draw the biggest first.
    type Painted = (f64, Vec<(f64, f64)>, Rgba);
    let mut drawn: Vec<Painted> = Vec::new();
    for (shape, fill) in shapes {
        for ring in rings(shape, projection, c.width, c.height) {
            drawn.push((area(&ring), ring, *fill));
        }
    }
    drawn.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, ring, fill) in &drawn {
        c.polygon(ring, *fill)?;
        let mut closed = ring.clone();
        closed.push(ring[0]);
        c.line(&closed, border, 1.0)?;
    }
    Ok(())
}

/// Water, and the world's countries as land (`except` a set drawn over them).
fn base<DB: DrawingBackend>(c: &Canvas<DB>, projection: &Projection, states: bool) -> Result<(), RenderError> {
    c.fill(WATER)?;
    let countries: Vec<(&Shape, Rgba)> = topo::countries().iter().map(|s| (s, LAND)).collect();
    paint(c, &countries, projection, BORDER)?;
    if states {
        // State lines over the land, for markers in the US.
        for shape in topo::us_states() {
            for ring in rings(shape, projection, c.width, c.height) {
                let mut closed = ring.clone();
                closed.push(ring[0]);
                c.line(&closed, BORDER.alpha(0.7), 1.0)?;
            }
        }
    }
    Ok(())
}

/// The region column's text and the value filling it, per row.
fn region_rows(data: &ChartData) -> Vec<(String, Option<f64>)> {
    let region = role_at(&data.roles, Role::Region, 0).unwrap_or(0);
    let value = role_at(&data.roles, Role::Color, 0);
    data.rows
        .iter()
        .map(|row| {
            (
                style::text(row.get(region)),
                value.and_then(|v| style::number(row.get(v))),
            )
        })
        .collect()
}

/// The shape key a region value names in `set`, if any.
fn region_key(set: &RegionSet, value: &str) -> Option<String> {
    match set {
        RegionSet::UsStates => us_state_key(value).map(str::to_string),
        RegionSet::WorldCountries => country_key(value).map(str::to_string),
        RegionSet::ProjectFile { .. } => Some(value.trim().to_lowercase()),
    }
}

fn shape_key(set: &RegionSet, shape: &Shape) -> Option<String> {
    match set {
        RegionSet::ProjectFile { property, .. } => shape.properties.get(property).map(|v| match v {
            serde_json::Value::String(s) => s.trim().to_lowercase(),
            other => other.to_string(),
        }),
        _ => shape.id.clone(),
    }
}

/// What a region map cannot draw, said plainly (values naming no shape).
pub(crate) fn region_notes(data: &ChartData, shapes: Option<&[Shape]>) -> Vec<String> {
    let set = data.spec.regions.clone().unwrap_or(RegionSet::UsStates);
    let shapes = match (&set, shapes) {
        (RegionSet::UsStates, _) => topo::us_states(),
        (RegionSet::WorldCountries, _) => topo::countries(),
        (RegionSet::ProjectFile { .. }, Some(shapes)) => shapes,
        (RegionSet::ProjectFile { path, .. }, None) => return vec![format!("the shapes of {path} were not read")],
    };
    let keys: std::collections::HashSet<String> = shapes.iter().filter_map(|s| shape_key(&set, s)).collect();
    let missing: Vec<String> = region_rows(data)
        .into_iter()
        .filter(|(region, _)| region_key(&set, region).is_none_or(|k| !keys.contains(&k)))
        .map(|(region, _)| region)
        .collect();
    if missing.is_empty() {
        return Vec::new();
    }
    let mut listed = missing.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    if missing.len() > 8 {
        listed.push_str(&format!(", and {} more", missing.len() - 8));
    }
    vec![format!(
        "{} value{} match{} no shape: {listed}",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" },
        if missing.len() == 1 { "es" } else { "" }
    )]
}

/// A row of colour swatches with their class ranges, under a map.
fn class_legend<DB: DrawingBackend>(
    c: &Canvas<DB>,
    title: &str,
    classes: &Classes,
    x: f64,
) -> Result<f64, RenderError> {
    let y = c.height - LEGEND / 2.0;
    let mut x = x;
    // Every class must show; the title goes first when they do not all fit with it.
    let swatches: f64 = classes.labels().iter().map(|l| 26.0 + c.text_width(l, LABEL)).sum();
    let title = if x + c.text_width(title, LABEL) + 10.0 + swatches <= c.width {
        title
    } else {
        ""
    };
    if !title.is_empty() {
        let title = c.fit(title, LABEL, c.width * 0.3);
        c.text_middle(&title, x, y, LABEL, MUTED, Align::Left, false)?;
        x += c.text_width(&title, LABEL) + 10.0;
    }
    for (label, color) in classes.labels().iter().zip(&classes.colors) {
        let width = c.text_width(label, LABEL);
        if x + 14.0 + width > c.width {
            break;
        }
        c.rect(x, y - 5.0, x + 10.0, y + 5.0, *color)?;
        c.text_middle(label, x + 14.0, y, LABEL, MUTED, Align::Left, false)?;
        x += 14.0 + width + 12.0;
    }
    Ok(x)
}

pub(crate) fn draw_regions<DB: DrawingBackend>(
    c: &Canvas<DB>,
    data: &ChartData,
    project_shapes: Option<&[Shape]>,
) -> Result<(), RenderError> {
    let set = data.spec.regions.clone().unwrap_or(RegionSet::UsStates);
    let shapes: &[Shape] = match (&set, project_shapes) {
        (RegionSet::UsStates, _) => topo::us_states(),
        (RegionSet::WorldCountries, _) => topo::countries(),
        (RegionSet::ProjectFile { .. }, Some(shapes)) => shapes,
        (RegionSet::ProjectFile { .. }, None) => &[],
    };
    let mut values: std::collections::HashMap<String, f64> = Default::default();
    for (region, value) in region_rows(data) {
        if let (Some(key), Some(value)) = (region_key(&set, &region), value) {
            // The first row for a shape fills it, as in the studio.
            values.entry(key).or_insert(value);
        }
    }
    let classes = quantile_classes(values.values().copied(), 5);
    let map = c.sub(0.0, 0.0, c.width, (c.height - LEGEND).max(1.0));
    let extent = match set {
        RegionSet::UsStates => CONTIGUOUS_US,
        RegionSet::WorldCountries => WORLD,
        RegionSet::ProjectFile { .. } => shapes_extent(shapes).unwrap_or(WORLD),
    };
    let pad = if matches!(set, RegionSet::ProjectFile { .. }) {
        12.0
    } else {
        4.0
    };
    let projection = Projection::fit(extent, map.width, map.height, pad);
    let fill_of = |shape: &Shape| -> Rgba {
        match (shape_key(&set, shape).and_then(|k| values.get(&k).copied()), &classes) {
            (Some(v), Some(classes)) => classes.color_of(v),
            _ => NO_DATA,
        }
    };
    let filled: Vec<(&Shape, Rgba)> = shapes.iter().map(|s| (s, fill_of(s))).collect();
    match set {
        RegionSet::WorldCountries => {
            map.fill(WATER)?;
            paint(&map, &filled, &projection, HALO)?;
        }
        _ => {
            base(&map, &projection, false)?;
            paint(&map, &filled, &projection, HALO)?;
        }
    }
    if set == RegionSet::UsStates {
        insets(&map, &filled)?;
    }
    map.rect_outline(0.0, 0.0, map.width, map.height, BORDER, 1.0)?;
    if let Some(classes) = &classes {
        let title = data
            .spec
            .color
            .as_ref()
            .map(style::measure_label)
            .unwrap_or_else(|| "rows".into());
        class_legend(c, &title, classes, 0.0)?;
    }
    Ok(())
}

fn shapes_extent(shapes: &[Shape]) -> Option<Extent> {
    let mut e = ((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY));
    for (lon, lat) in shapes.iter().flat_map(|s| s.polygons.iter().flatten().flatten()) {
        e = (
            (e.0 .0.min(*lat), e.0 .1.min(*lon)),
            (e.1 .0.max(*lat), e.1 .1.max(*lon)),
        );
    }
    (e.0 .0 <= e.1 .0).then_some(e)
}

/// Alaska and Hawaii in boxes at the bottom left, over the Pacific of the lower-48 frame.
fn insets<DB: DrawingBackend>(map: &Canvas<DB>, filled: &[(&Shape, Rgba)]) -> Result<(), RenderError> {
    let mut x = 6.0;
    for (extent, fips, share) in [(ALASKA, "02", 0.17), (HAWAII, "15", 0.09)] {
        let width = map.width * share;
        let ((s, w), (n, e)) = extent;
        let (x0, y0) = mercator(w, n);
        let (x1, y1) = mercator(e, s);
        let height = (width * (y1 - y0) / (x1 - x0)).min(map.height * 0.3);
        if width < 24.0 || height < 12.0 {
            return Ok(());
        }
        let inset = map.sub(x, map.height - height - 6.0, width, height);
        let projection = Projection::fit(extent, inset.width, inset.height, 2.0);
        inset.fill(WATER)?;
        let shapes: Vec<(&Shape, Rgba)> = filled
            .iter()
            .filter(|(s, _)| s.id.as_deref() == Some(fips))
            .copied()
            .collect();
        paint(&inset, &shapes, &projection, HALO)?;
        inset.rect_outline(0.0, 0.0, inset.width, inset.height, BORDER, 1.0)?;
        x += width + 6.0;
    }
    Ok(())
}

struct Marker {
    lat: f64,
    lon: f64,
    size: Option<f64>,
    color: Option<f64>,
    label: Option<String>,
}

fn markers(data: &ChartData) -> Vec<Marker> {
    let at = |role| role_at(&data.roles, role, 0);
    let (lat, lon) = (at(Role::Latitude), at(Role::Longitude));
    let (size, color, label) = (at(Role::Size), at(Role::Color), at(Role::Label));
    data.rows
        .iter()
        .filter_map(|row| {
            Some(Marker {
                lat: style::number(row.get(lat?))?,
                lon: style::number(row.get(lon?))?,
                size: size.and_then(|k| style::number(row.get(k))),
                color: color.and_then(|k| style::number(row.get(k))),
                label: label.map(|k| style::text(row.get(k))),
            })
        })
        .collect()
}

/// A round distance (1, 2, 5 × 10ⁿ metres) under `max` metres, as text.
fn scale_distance(max: f64) -> (f64, String) {
    let power = 10f64.powf(max.log10().floor());
    let metres = [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * power)
        .find(|m| *m <= max)
        .unwrap_or(power);
    let text = if metres >= 1000.0 {
        format!("{} km", compact_number(metres / 1000.0))
    } else {
        format!("{} m", compact_number(metres))
    };
    (metres, text)
}

pub(crate) fn draw_points<DB: DrawingBackend>(c: &Canvas<DB>, data: &ChartData) -> Result<(), RenderError> {
    let points = markers(data);
    let legend = if points.iter().any(|p| p.color.is_some() || p.size.is_some()) {
        LEGEND
    } else {
        0.0
    };
    let map = c.sub(0.0, 0.0, c.width, (c.height - legend).max(1.0));
    let mut extent = ((f64::INFINITY, f64::INFINITY), (f64::NEG_INFINITY, f64::NEG_INFINITY));
    for p in &points {
        extent = (
            (extent.0 .0.min(p.lat), extent.0 .1.min(p.lon)),
            (extent.1 .0.max(p.lat), extent.1 .1.max(p.lon)),
        );
    }
    let extent = if points.is_empty() {
        WORLD
    } else {
        let widen = |low: f64, high: f64| {
            let missing = MIN_SPAN - (high - low);
            if missing > 0.0 {
                (low - missing / 2.0, high + missing / 2.0)
            } else {
                (low, high)
            }
        };
        let (s, n) = widen(extent.0 .0, extent.1 .0);
        let (w, e) = widen(extent.0 .1, extent.1 .1);
        ((s, w), (n, e))
    };
    let projection = Projection::fit(extent, map.width, map.height, 24.0);
    base(&map, &projection, true)?;

    let sizes: Vec<f64> = points.iter().filter_map(|p| p.size).collect();
    let (smin, smax) = sizes
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    let radius = |value: Option<f64>| -> f64 {
        match value {
            // Area grows with the value (`maps/scales.ts` sizeScale, 4 to 18 px).
            Some(v) if smax > smin => {
                let t = ((v - smin) / (smax - smin)).clamp(0.0, 1.0);
                (16.0 + (324.0 - 16.0) * t).sqrt()
            }
            Some(_) => 11.0,
            None if !sizes.is_empty() => 4.0,
            None => match points.len() {
                n if n > 20_000 => 2.5,
                n if n > 2_000 => 3.5,
                _ => 6.0,
            },
        }
    };
    let classes = quantile_classes(points.iter().filter_map(|p| p.color), 5);
    // Big markers first, so small ones stay visible on top.
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|a, b| radius(points[*b].size).total_cmp(&radius(points[*a].size)));
    for k in &order {
        let p = &points[*k];
        let (x, y) = projection.at(p.lon, p.lat);
        if !(0.0..=map.width).contains(&x) || !(0.0..=map.height).contains(&y) {
            continue;
        }
        let fill = match (&classes, p.color) {
            (Some(classes), Some(v)) => classes.color_of(v),
            _ => PALETTE[0],
        };
        map.circle(x, y, radius(p.size), fill.alpha(0.85), Some((HALO, 1.0)))?;
    }
    if points.len() <= 25 {
        for p in &points {
            if let Some(label) = p.label.as_deref().filter(|l| !l.is_empty()) {
                let (x, y) = projection.at(p.lon, p.lat);
                let label = map.fit(label, LABEL, 140.0);
                let offset = radius(p.size) + 3.0;
                // Beside the marker, on its left when the right would leave the map.
                if x + offset + map.text_width(&label, LABEL) > map.width - 4.0 {
                    map.text_middle(&label, x - offset, y, LABEL, TEXT, Align::Right, false)?;
                } else {
                    map.text_middle(&label, x + offset, y, LABEL, TEXT, Align::Left, false)?;
                }
            }
        }
    }
    // A scale bar at the bottom left: markers a few hundred metres apart must read as such.
    let centre = (extent.0 .0 + extent.1 .0) / 2.0;
    let (metres, text) = scale_distance(projection.metres_per_pixel(centre) * (map.width * 0.2).min(120.0));
    let length = metres / projection.metres_per_pixel(centre);
    let (bx, by) = (8.0, map.height - 10.0);
    map.rect(
        bx - 3.0,
        by - 16.0,
        bx + length.max(c.text_width(&text, LABEL)) + 4.0,
        by + 5.0,
        HALO.alpha(0.75),
    )?;
    map.line(
        &[(bx, by - 5.0), (bx, by), (bx + length, by), (bx + length, by - 5.0)],
        TEXT,
        1.0,
    )?;
    map.text(&text, bx + 1.0, by - 4.0, LABEL - 1.0, TEXT, Align::Left, false)?;
    map.rect_outline(0.0, 0.0, map.width, map.height, BORDER, 1.0)?;

    let mut x = 0.0;
    if let Some(classes) = &classes {
        let title = data.spec.color.as_ref().map(style::measure_label).unwrap_or_default();
        x = class_legend(c, &title, classes, 0.0)? + 8.0;
    }
    if sizes.len() > 1 && smax > smin {
        let y = c.height - LEGEND / 2.0;
        let title = data.spec.size.as_ref().map(style::measure_label).unwrap_or_default();
        let text = format!("size: {title} {} – {}", compact_number(smin), compact_number(smax));
        let text = c.fit(&text, LABEL, (c.width - x).max(0.0));
        c.text_middle(&text, x, y, LABEL, MUTED, Align::Left, false)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mercator_matches_leaflet() {
        let (x, y) = mercator(0.0, 0.0);
        assert!((x - 128.0).abs() < 1e-9 && (y - 128.0).abs() < 1e-9);
        let (x, _) = mercator(180.0, 0.0);
        assert!((x - 256.0).abs() < 1e-9);
    }

    #[test]
    fn clipping_keeps_what_is_inside() {
        let square = [(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)];
        let clipped = clip(&square, 10.0, 10.0);
        assert!((area(&clipped) - 25.0).abs() < 1e-9, "{clipped:?}");
        assert!(clip(&[(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)], 10.0, 10.0).is_empty());
    }

    #[test]
    fn scale_bars_are_round() {
        assert_eq!(scale_distance(740.0), (500.0, "500 m".into()));
        assert_eq!(scale_distance(2_600.0), (2_000.0, "2 km".into()));
    }
}
