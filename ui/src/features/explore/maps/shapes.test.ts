import { describe, expect, it } from "vitest";
import usStates from "../../../../../assets/maps/us-states.json";
import { countryShapes, unwrapRing, missingProperty, parseShapes, regionShapes, shapeKey, shapeName, usStateShapes } from "./shapes";

const square = { type: "Polygon", coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]] };

describe("parseShapes", () => {
  it("reads a FeatureCollection, a Feature and a bare geometry", () => {
    const collection = parseShapes(JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", properties: { zone: "A" }, geometry: square }, { type: "Feature", properties: {}, geometry: null }] }));
    expect("shapes" in collection && collection.shapes.length).toBe(1);
    const one = parseShapes(JSON.stringify({ type: "Feature", properties: { zone: "B" }, geometry: square }));
    expect("shapes" in one && one.shapes[0]?.properties).toEqual({ zone: "B" });
    const bare = parseShapes(JSON.stringify(square));
    expect("shapes" in bare && bare.shapes[0]?.geometry.type).toBe("Polygon");
  });

  it("reads every object of a TopoJSON topology", () => {
    const topology = {
      type: "Topology",
      arcs: [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
      objects: { zones: { type: "GeometryCollection", geometries: [{ type: "Polygon", arcs: [[0]], properties: { zone: "A" } }] } },
    };
    const parsed = parseShapes(JSON.stringify(topology));
    expect("shapes" in parsed && parsed.shapes.map((shape) => shape.properties?.zone)).toEqual(["A"]);
  });

  it("says what is wrong with a file it cannot draw", () => {
    expect(parseShapes("{not json")).toMatchObject({ error: expect.stringContaining("not JSON") });
    expect(parseShapes("[1, 2]")).toEqual({ error: "it is not a GeoJSON or TopoJSON object" });
    expect(parseShapes('{"type": "Banana"}')).toEqual({ error: 'its type is "Banana", not FeatureCollection, Feature or Topology' });
    expect(parseShapes('{"type": "Topology"}')).toEqual({ error: "it is a TopoJSON topology without objects or arcs" });
  });
});

describe("project shapes", () => {
  const file = JSON.stringify({ type: "FeatureCollection", features: [{ type: "Feature", properties: { zone: " North ", id: 1 }, geometry: square }] });
  const set = { kind: "projectFile" as const, path: "maps/zones.geojson", property: "zone" };

  it("match on the chosen property, normalised like region values", async () => {
    const loaded = await regionShapes(set, () => Promise.resolve(file));
    const shape = "shapes" in loaded ? loaded.shapes[0] : undefined;
    expect(shape && shapeKey(set, shape)).toBe("north");
    expect(shape && shapeName(set, shape)).toBe(" North ");
  });

  it("offer the properties the shapes have when the chosen one is missing", async () => {
    expect(await regionShapes({ ...set, property: "name" }, () => Promise.resolve(file))).toEqual({
      error: 'No shape in maps/zones.geojson has a "name" property to match regions on; its shapes have "id", "zone"',
    });
    expect(missingProperty([], "zone")).toEqual([]);
  });

  it("report a file that cannot be read or parsed", async () => {
    expect(await regionShapes(set, () => Promise.reject(new Error("no such file")))).toEqual({ error: "maps/zones.geojson could not be read: no such file" });
    expect(await regionShapes({ ...set, path: " " }, () => Promise.resolve(file))).toMatchObject({ error: expect.stringMatching(/^Name a GeoJSON/) });
    expect(await regionShapes(set, () => Promise.resolve("{}"))).toMatchObject({ error: expect.stringMatching(/^maps\/zones.geojson cannot be drawn/) });
  });
});

describe("built-in atlases", () => {
  it("have a state shape for every row of the lookup table, keyed by FIPS", async () => {
    const shapes = await usStateShapes();
    const keys = new Set(shapes.map((shape) => shapeKey({ kind: "usStates" }, shape)));
    for (const state of usStates) expect(keys.has(state.fips), state.name).toBe(true);
    const california = shapes.find((shape) => shape.id === "06");
    expect(california && shapeName({ kind: "usStates" }, california)).toBe("California");
  });

  it("key countries by ISO numeric code", async () => {
    const shapes = await countryShapes();
    expect(shapes.length).toBeGreaterThan(170);
    expect(shapes.some((shape) => shape.id === "036")).toBe(true);
  });
});

describe("unwrapRing", () => {
  it("carries a ring across the antimeridian instead of back around the world", () => {
    expect(unwrapRing([[179, -16], [-179, -16], [-179, -17], [179, -17], [179, -16]])).toEqual([[179, -16], [181, -16], [181, -17], [179, -17], [179, -16]]);
  });

  it("closes a ring that circles a pole along the pole", () => {
    const ring = unwrapRing([[-180, -80], [-60, -70], [60, -75], [180, -80]]);
    expect(ring.slice(-3)).toEqual([[180, -90], [-180, -90], [-180, -80]]);
  });

  it("leaves ordinary rings alone", () => {
    const ring = [[0, 0], [1, 0], [1, 1], [0, 0]];
    expect(unwrapRing(ring)).toBe(ring);
  });

  it("leaves no world-atlas ring jumping across the map, but along a pole", async () => {
    for (const shape of await countryShapes()) {
      const polygons = shape.geometry.type === "Polygon" ? [shape.geometry.coordinates] : shape.geometry.type === "MultiPolygon" ? shape.geometry.coordinates : [];
      for (const ring of polygons.flat()) {
        for (let index = 1; index < ring.length; index += 1) {
          const [lon = 0, lat = 0] = ring[index] ?? [];
          const [previousLon = 0, previousLat = 0] = ring[index - 1] ?? [];
          if (Math.abs(lat) === 90 && Math.abs(previousLat) === 90) continue;
          expect(Math.abs(lon - previousLon), String(shape.properties?.name)).toBeLessThan(180);
        }
      }
    }
  });
});
