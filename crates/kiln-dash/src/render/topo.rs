//! Shapes for the maps: the TopoJSON atlases the studio bundles (us-atlas states, world-atlas
//! countries, copied into `assets/maps/`) and a project's own GeoJSON or TopoJSON file, decoded
//! to polygons of (longitude, latitude). TopoJSON keeps each border once as an arc, quantized and
//! delta-encoded; a ring is its arcs joined (a negative index is arc `!i` reversed). The decoder
//! is the forty lines topojson-client's `feature` needs for polygons; points and lines are not
//! map regions and are skipped.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// A ring of (longitude, latitude).
pub(crate) type Ring = Vec<(f64, f64)>;

/// One region: its id and properties, and its polygons (each an outer ring, then holes).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shape {
    pub id: Option<String>,
    pub properties: Map<String, Value>,
    pub polygons: Vec<Vec<Ring>>,
}

fn id_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A topology's arcs in (longitude, latitude), de-quantized.
fn arcs(topology: &Value) -> Result<Vec<Ring>, String> {
    let transform = topology.get("transform");
    let pair = |key: &str| -> Option<(f64, f64)> {
        let v = transform?.get(key)?.as_array()?;
        Some((v.first()?.as_f64()?, v.get(1)?.as_f64()?))
    };
    let quantized = match (pair("scale"), pair("translate")) {
        (Some(scale), Some(translate)) => Some((scale, translate)),
        _ => None,
    };
    let Some(list) = topology.get("arcs").and_then(Value::as_array) else {
        return Err("the topology has no arcs".into());
    };
    list.iter()
        .map(|arc| {
            let positions = arc.as_array().ok_or("an arc is not a list of positions")?;
            let (mut x, mut y) = (0.0, 0.0);
            positions
                .iter()
                .map(|p| {
                    let (dx, dy) = match p.as_array() {
                        Some(p) => (
                            p.first().and_then(Value::as_f64).ok_or("a position is not numbers")?,
                            p.get(1).and_then(Value::as_f64).ok_or("a position is not numbers")?,
                        ),
                        None => return Err("a position is not a list"),
                    };
                    Ok(match quantized {
                        // Quantized arcs store each position as the delta from the previous one.
                        Some(((sx, sy), (tx, ty))) => {
                            x += dx;
                            y += dy;
                            (x * sx + tx, y * sy + ty)
                        }
                        None => (dx, dy),
                    })
                })
                .collect::<Result<Ring, &str>>()
                .map_err(str::to_string)
        })
        .collect()
}

fn ring(arcs: &[Ring], indexes: &Value) -> Option<Ring> {
    let mut ring: Ring = Vec::new();
    for index in indexes.as_array()? {
        let i = index.as_i64()?;
        let arc = arcs.get(if i >= 0 { i } else { !i } as usize)?;
        let points: Box<dyn Iterator<Item = &(f64, f64)>> = if i >= 0 {
            Box::new(arc.iter())
        } else {
            Box::new(arc.iter().rev())
        };
        // Consecutive arcs share their joining position.
        let skip = usize::from(!ring.is_empty());
        ring.extend(points.skip(skip));
    }
    Some(ring)
}

fn topo_polygons(arcs: &[Ring], geometry: &Value, out: &mut Vec<Vec<Ring>>) {
    let list = geometry.get("arcs");
    let polygon = |rings: &Value| -> Option<Vec<Ring>> { rings.as_array()?.iter().map(|r| ring(arcs, r)).collect() };
    match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => out.extend(list.and_then(polygon)),
        Some("MultiPolygon") => {
            for p in list.and_then(Value::as_array).into_iter().flatten() {
                out.extend(polygon(p));
            }
        }
        _ => {}
    }
}

fn topo_shapes(arcs: &[Ring], geometry: &Value, out: &mut Vec<Shape>) {
    if geometry.get("type").and_then(Value::as_str) == Some("GeometryCollection") {
        for g in geometry
            .get("geometries")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            topo_shapes(arcs, g, out);
        }
        return;
    }
    let mut polygons = Vec::new();
    topo_polygons(arcs, geometry, &mut polygons);
    if !polygons.is_empty() {
        out.push(Shape {
            id: id_text(geometry.get("id")),
            properties: geometry
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            polygons,
        });
    }
}

fn position(p: &Value) -> Option<(f64, f64)> {
    let p = p.as_array()?;
    Some((p.first()?.as_f64()?, p.get(1)?.as_f64()?))
}

fn geo_polygon(rings: &Value) -> Option<Vec<Ring>> {
    rings
        .as_array()?
        .iter()
        .map(|r| r.as_array()?.iter().map(position).collect())
        .collect()
}

fn geo_polygons(geometry: &Value, out: &mut Vec<Vec<Ring>>) {
    let coordinates = geometry.get("coordinates");
    match geometry.get("type").and_then(Value::as_str) {
        Some("Polygon") => out.extend(coordinates.and_then(geo_polygon)),
        Some("MultiPolygon") => {
            for p in coordinates.and_then(Value::as_array).into_iter().flatten() {
                out.extend(geo_polygon(p));
            }
        }
        Some("GeometryCollection") => {
            for g in geometry
                .get("geometries")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                geo_polygons(g, out);
            }
        }
        _ => {}
    }
}

fn geo_shapes(value: &Value, out: &mut Vec<Shape>) {
    match value.get("type").and_then(Value::as_str) {
        Some("FeatureCollection") => {
            for f in value.get("features").and_then(Value::as_array).into_iter().flatten() {
                geo_shapes(f, out);
            }
        }
        Some("Feature") => {
            let mut polygons = Vec::new();
            if let Some(g) = value.get("geometry") {
                geo_polygons(g, &mut polygons);
            }
            if !polygons.is_empty() {
                out.push(Shape {
                    id: id_text(value.get("id")),
                    properties: value
                        .get("properties")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default(),
                    polygons,
                });
            }
        }
        _ => {
            let mut polygons = Vec::new();
            geo_polygons(value, &mut polygons);
            if !polygons.is_empty() {
                out.push(Shape {
                    id: None,
                    properties: Map::new(),
                    polygons,
                });
            }
        }
    }
}

/// The polygons of a GeoJSON or TopoJSON document; `only` names the one TopoJSON object to read.
pub(crate) fn parse_shapes(text: &str, only: Option<&str>) -> Result<Vec<Shape>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("it is not JSON ({e})"))?;
    let mut shapes = Vec::new();
    if value.get("type").and_then(Value::as_str) == Some("Topology") {
        let arcs = arcs(&value)?;
        let objects = value
            .get("objects")
            .and_then(Value::as_object)
            .ok_or("the topology has no objects")?;
        for (name, object) in objects {
            if only.is_none_or(|o| o == name) {
                topo_shapes(&arcs, object, &mut shapes);
            }
        }
    } else {
        geo_shapes(&value, &mut shapes);
    }
    if shapes.is_empty() {
        return Err("it holds no polygons".into());
    }
    for shape in &mut shapes {
        for polygon in &mut shape.polygons {
            for ring in polygon.iter_mut() {
                *ring = unwrap_ring(std::mem::take(ring));
            }
        }
    }
    Ok(shapes)
}

/// A ring as it lies on the globe, drawn on a flat map (the studio's `unwrapRing`): longitudes
/// made continuous across ±180° (Russia, Fiji), and a ring around a pole closed along it.
fn unwrap_ring(ring: Ring) -> Ring {
    let Some(&first) = ring.first() else { return ring };
    let mut out = Vec::with_capacity(ring.len() + 3);
    out.push(first);
    let (mut shift, mut previous) = (0.0, first.0);
    for &(lon, lat) in &ring[1..] {
        if lon - previous > 180.0 {
            shift -= 360.0;
        } else if lon - previous < -180.0 {
            shift += 360.0;
        }
        previous = lon;
        out.push((lon + shift, lat));
    }
    let last = out.last().copied().unwrap_or(first);
    if (last.0 - first.0).abs() < 180.0 {
        return out;
    }
    let mean = ring.iter().map(|p| p.1).sum::<f64>() / ring.len() as f64;
    let pole = if mean < 0.0 { -90.0 } else { 90.0 };
    out.extend([(last.0, pole), (first.0, pole), first]);
    out
}

fn atlas(cell: &'static OnceLock<Vec<Shape>>, text: &str, object: &str) -> &'static [Shape] {
    // The atlases are compiled in and decoded by the tests below; a broken one draws nothing.
    cell.get_or_init(|| parse_shapes(text, Some(object)).unwrap_or_default())
}

/// The US states (us-atlas `states-10m`), keyed by FIPS code.
pub(crate) fn us_states() -> &'static [Shape] {
    static CELL: OnceLock<Vec<Shape>> = OnceLock::new();
    atlas(
        &CELL,
        include_str!("../../../../assets/maps/us-states-10m.topo.json"),
        "states",
    )
}

/// The world's countries (world-atlas `countries-110m`), keyed by ISO 3166 numeric code.
pub(crate) fn countries() -> &'static [Shape] {
    static CELL: OnceLock<Vec<Shape>> = OnceLock::new();
    atlas(
        &CELL,
        include_str!("../../../../assets/maps/countries-110m.topo.json"),
        "countries",
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_atlases_decode_to_their_regions() {
        let states = us_states();
        assert_eq!(states.len(), 56);
        let california = states.iter().find(|s| s.id.as_deref() == Some("06")).unwrap();
        assert_eq!(california.properties["name"], "California");
        // Every Californian position lies in the state's box.
        for ring in california.polygons.iter().flatten() {
            for (lon, lat) in ring {
                assert!(
                    (-124.5..-114.0).contains(lon) && (32.5..42.1).contains(lat),
                    "{lon} {lat}"
                );
            }
        }
        let countries = countries();
        assert!(countries.len() > 170);
        assert!(countries.iter().any(|c| c.id.as_deref() == Some("036")));
    }

    #[test]
    fn topology_arcs_join_and_reverse() {
        // Two squares sharing the arc 0 (x = 1), the second walking it backwards.
        let text = r#"{"type":"Topology","transform":{"scale":[1,1],"translate":[0,0]},
            "arcs":[[[1,0],[0,1]],[[1,1],[-1,0],[0,-1],[1,0]],[[1,0],[1,0],[0,1],[-1,0]]],
            "objects":{"x":{"type":"GeometryCollection","geometries":[
              {"type":"Polygon","id":"a","arcs":[[0,1]]},
              {"type":"MultiPolygon","id":7,"properties":{"name":"b"},"arcs":[[[2,-1]]]}]}}}"#;
        let shapes = parse_shapes(text, None).unwrap();
        assert_eq!(shapes.len(), 2);
        assert_eq!(
            shapes[0].polygons[0][0],
            vec![(1.0, 0.0), (1.0, 1.0), (0.0, 1.0), (0.0, 0.0), (1.0, 0.0)]
        );
        assert_eq!(shapes[1].id.as_deref(), Some("7"));
        assert_eq!(
            shapes[1].polygons[0][0],
            vec![(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 0.0)]
        );
    }

    #[test]
    fn geojson_features_and_rings_across_the_antimeridian() {
        let text = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"zone":"A"},
            "geometry":{"type":"Polygon","coordinates":[[[179,0],[-179,0],[-179,1],[179,1],[179,0]]]}}]}"#;
        let shapes = parse_shapes(text, None).unwrap();
        assert_eq!(shapes[0].properties["zone"], "A");
        assert_eq!(shapes[0].polygons[0][0][1], (181.0, 0.0));
        assert!(parse_shapes("{\"type\":\"FeatureCollection\",\"features\":[]}", None).is_err());
    }
}
