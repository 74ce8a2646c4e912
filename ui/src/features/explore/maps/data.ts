// Reads a map's ChartData (rows whose columns are named by role) into typed columns.
import type { ChartData, Role } from "../../../api";
import type { RegionValue } from "./regions";

/** A cell as a number: the engine sends DOUBLE as numbers, but DECIMAL and HUGEINT may be text. */
export function numberFrom(cell: unknown): number | null {
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : null;
  if (typeof cell === "string" && cell.trim() !== "") {
    const parsed = Number(cell);
    return Number.isFinite(parsed) ? parsed : null;
  }
  if (typeof cell === "bigint") return Number(cell);
  return null;
}

function textFrom(cell: unknown): string | null {
  if (cell === null || cell === undefined) return null;
  return typeof cell === "string" ? cell : String(cell);
}

function column(data: ChartData, role: Role): number {
  return data.roles.indexOf(role);
}

/** Markers as parallel arrays; `row` maps a marker back to its row in `data.rows`. */
export type Points = {
  count: number;
  lat: Float64Array;
  lon: Float64Array;
  size: Float64Array | null;
  color: Float64Array | null;
  label: (string | null)[] | null;
  row: Int32Array;
  /** Rows without two finite coordinates (the engine filters these; a hand-made ChartData may not). */
  skipped: number;
};

export function readPoints(data: ChartData): Points {
  const at = {
    lat: column(data, "latitude"),
    lon: column(data, "longitude"),
    size: column(data, "size"),
    color: column(data, "color"),
    label: column(data, "label"),
  };
  const total = data.rows.length;
  const lat = new Float64Array(total);
  const lon = new Float64Array(total);
  const size = at.size >= 0 ? new Float64Array(total) : null;
  const color = at.color >= 0 ? new Float64Array(total) : null;
  const label: (string | null)[] | null = at.label >= 0 ? [] : null;
  const row = new Int32Array(total);
  let count = 0;
  data.rows.forEach((cells, index) => {
    const y = numberFrom(cells[at.lat]);
    const x = numberFrom(cells[at.lon]);
    if (y === null || x === null || Math.abs(y) > 90 || Math.abs(x) > 180) return;
    lat[count] = y;
    lon[count] = x;
    // NaN marks a missing size or colour: drawn at the default size, in the neutral colour.
    if (size) size[count] = numberFrom(cells[at.size]) ?? NaN;
    if (color) color[count] = numberFrom(cells[at.color]) ?? NaN;
    label?.push(textFrom(cells[at.label]));
    row[count] = index;
    count += 1;
  });
  return {
    count,
    lat: lat.subarray(0, count),
    lon: lon.subarray(0, count),
    size: size ? size.subarray(0, count) : null,
    color: color ? color.subarray(0, count) : null,
    label,
    row: row.subarray(0, count),
    skipped: total - count,
  };
}

/** The region map's rows; rows without a region name (the engine drops NULLs) are left out. */
export function readRegions(data: ChartData): RegionValue[] {
  const region = column(data, "region");
  const color = column(data, "color");
  const values: RegionValue[] = [];
  for (const cells of data.rows) {
    const name = textFrom(cells[region]);
    if (name !== null) values.push({ region: name, value: color >= 0 ? numberFrom(cells[color]) : null });
  }
  return values;
}

/** Finite values of a column (NaN marks missing ones). */
export function finiteValues(values: Float64Array | null): number[] {
  const kept: number[] = [];
  if (values) for (const value of values) if (Number.isFinite(value)) kept.push(value);
  return kept;
}
