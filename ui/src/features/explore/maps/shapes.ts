// The shapes a map draws: the built-in US states and world countries (us-atlas / world-atlas
// TopoJSON, bundled, so no network is ever needed) and a project's own GeoJSON or TopoJSON file.
import type * as GeoJSON from "geojson";
import type { Feature, GeoJsonProperties, Geometry } from "geojson";
import { feature, type mesh } from "topojson-client";
import type { RegionSet } from "../../../api";
import { builtinName, normalise } from "./regions";

export type Shape = Feature<Geometry, GeoJsonProperties>;
type Topology = Parameters<typeof mesh>[0];
type TopologyObject = Topology["objects"][string];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const GEOMETRY_TYPES = new Set(["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection"]);

type Ring = GeoJSON.Position[];

/**
 * A ring drawn on a flat map the way it lies on the globe. world-atlas keeps spherical rings, so
 * Russia and Fiji step from longitude 180 to -180 (a flat map draws a stripe across the world)
 * and Antarctica's ring circles the pole without closing. Longitudes are made continuous (past
 * 180 where needed, which Leaflet draws), and a ring that circles a pole is closed along it.
 */
export function unwrapRing(ring: Ring): Ring {
  const first = ring[0];
  if (!first) return ring;
  const unwrapped: Ring = [first];
  let shift = 0;
  let shifted = false;
  let previous = first[0] ?? 0;
  for (const point of ring.slice(1)) {
    const lon = point[0] ?? 0;
    if (lon - previous > 180) shift -= 360;
    else if (lon - previous < -180) shift += 360;
    previous = lon;
    shifted ||= shift !== 0;
    unwrapped.push(shift === 0 ? point : [lon + shift, point[1] ?? 0]);
  }
  const last = unwrapped[unwrapped.length - 1] ?? first;
  // A ring around a pole ends a full turn from where it started.
  if (Math.abs((last[0] ?? 0) - (first[0] ?? 0)) < 180) return shifted ? unwrapped : ring;
  const meanLatitude = ring.reduce((sum, point) => sum + (point[1] ?? 0), 0) / ring.length;
  const pole = meanLatitude < 0 ? -90 : 90;
  return [...unwrapped, [last[0] ?? 0, pole], [first[0] ?? 0, pole], first];
}

function unwrapShape(shape: Shape): Shape {
  const geometry = shape.geometry;
  if (geometry.type === "Polygon") return { ...shape, geometry: { ...geometry, coordinates: geometry.coordinates.map(unwrapRing) } };
  if (geometry.type === "MultiPolygon") {
    return { ...shape, geometry: { ...geometry, coordinates: geometry.coordinates.map((polygon) => polygon.map(unwrapRing)) } };
  }
  return shape;
}

/** Every object of a topology as features (a file may keep its regions under any object name). */
export function featuresOfTopology(topology: Topology, only?: string): Shape[] {
  const shapes: Shape[] = [];
  for (const [name, object] of Object.entries(topology.objects) as [string, TopologyObject][]) {
    if (only !== undefined && name !== only) continue;
    const converted = feature(topology, object);
    if (converted.type === "FeatureCollection") shapes.push(...converted.features);
    else shapes.push(converted);
  }
  return shapes.filter((shape) => shape.geometry !== null).map(unwrapShape);
}

/** A project file's shapes, or the reason it has none, said in terms of the file. */
export function parseShapes(text: string): { shapes: Shape[] } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { error: `it is not JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!isRecord(parsed)) return { error: "it is not a GeoJSON or TopoJSON object" };
  const type = parsed.type;
  if (type === "Topology") {
    if (!isRecord(parsed.objects) || !Array.isArray(parsed.arcs)) return { error: "it is a TopoJSON topology without objects or arcs" };
    return { shapes: featuresOfTopology(parsed as unknown as Topology) };
  }
  if (type === "FeatureCollection") {
    if (!Array.isArray(parsed.features)) return { error: "its FeatureCollection has no features list" };
    return { shapes: (parsed.features as unknown[]).filter((item): item is Shape => isRecord(item) && isRecord(item.geometry)).map(unwrapShape) };
  }
  if (type === "Feature") return isRecord(parsed.geometry) ? { shapes: [unwrapShape(parsed as unknown as Shape)] } : { shapes: [] };
  if (typeof type === "string" && GEOMETRY_TYPES.has(type)) {
    return { shapes: [{ type: "Feature", properties: {}, geometry: parsed as unknown as Geometry }] };
  }
  return { error: `its type is ${JSON.stringify(type ?? null)}, not FeatureCollection, Feature or Topology` };
}

/** The value of `property` a project shape is matched on, normalised like the region values. */
export function propertyKey(shape: Shape, property: string): string | null {
  const value = shape.properties?.[property];
  if (value === null || value === undefined) return null;
  return normalise(String(value));
}

/** How a shape of `set` is found from a region value: by built-in id, or by its property. */
export function shapeKey(set: RegionSet, shape: Shape): string | null {
  if (set.kind === "projectFile") return propertyKey(shape, set.property);
  return shape.id === undefined ? null : String(shape.id);
}

/** The name a tooltip shows for a shape. */
export function shapeName(set: RegionSet, shape: Shape): string {
  if (set.kind === "projectFile") {
    const value = shape.properties?.[set.property] ?? shape.properties?.name;
    return value === null || value === undefined ? "(unnamed)" : String(value);
  }
  const fallback = shape.properties?.name;
  if (shape.id === undefined) return typeof fallback === "string" ? fallback : "(unnamed)";
  return builtinName(set.kind, String(shape.id));
}

// The atlases load on first use, as their own chunks: a studio that never draws a map never
// parses them. The promises are kept, so every map after the first reuses the shapes.
let states: Promise<Shape[]> | null = null;
let countries: Promise<Shape[]> | null = null;

export function usStateShapes(): Promise<Shape[]> {
  states ??= import("../../../../../assets/maps/us-states-10m.topo.json").then((module) => featuresOfTopology(module.default as unknown as Topology, "states"));
  return states;
}

export function countryShapes(): Promise<Shape[]> {
  countries ??= import("../../../../../assets/maps/countries-110m.topo.json").then((module) => featuresOfTopology(module.default as unknown as Topology, "countries"));
  return countries;
}

/**
 * When no shape of a project file carries `property`, the properties its shapes do carry, so the
 * message can offer the right name; null when some shape has it.
 */
export function missingProperty(shapes: readonly Shape[], property: string): string[] | null {
  if (shapes.some((shape) => propertyKey(shape, property) !== null)) return null;
  const seen = new Set<string>();
  for (const shape of shapes.slice(0, 50)) for (const name of Object.keys(shape.properties ?? {})) seen.add(name);
  return [...seen].sort();
}

/** The shapes a region set fills, or a message saying why there are none. */
export async function regionShapes(set: RegionSet, readFile: (path: string) => Promise<string>): Promise<{ shapes: Shape[] } | { error: string }> {
  if (set.kind === "usStates") return { shapes: await usStateShapes() };
  if (set.kind === "worldCountries") return { shapes: await countryShapes() };
  if (set.path.trim() === "") return { error: "Name a GeoJSON or TopoJSON file of the project (e.g. maps/regions.geojson) to draw its shapes" };
  let text: string;
  try {
    text = await readFile(set.path);
  } catch (error) {
    return { error: `${set.path} could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = parseShapes(text);
  if ("error" in parsed) return { error: `${set.path} cannot be drawn: ${parsed.error}` };
  if (parsed.shapes.length === 0) return { error: `${set.path} has no shapes with a geometry` };
  const others = missingProperty(parsed.shapes, set.property);
  if (others) {
    const offer = others.length > 0 ? `; its shapes have ${others.map((name) => `"${name}"`).join(", ")}` : "; its shapes have no properties";
    return { error: `No shape in ${set.path} has a "${set.property}" property to match regions on${offer}` };
  }
  return parsed;
}
