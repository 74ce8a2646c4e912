// Geometry the maps need without Leaflet: extents to fit, Web Mercator pixels, and a grid that
// finds the marker under the mouse among 100,000 without asking each one.

/** South-west and north-east corners, as Leaflet's LatLngBoundsLiteral. */
export type Extent = [[number, number], [number, number]];

/** The lower 48 and DC: a US map opens on these, Alaska and Hawaii a pan away. */
export const CONTIGUOUS_US: Extent = [
  [24.4, -124.8],
  [49.4, -66.9],
];

/** The inhabited world (Antarctica left below the frame). */
export const WORLD: Extent = [
  [-56, -168],
  [78, 190],
];

/**
 * Fitting points never zooms past this: at zoom 18 a pixel is about half a metre at mid
 * latitudes, so markers a few metres apart still separate, and one lone point does not open on
 * an empty close-up.
 */
export const FIT_MAX_ZOOM = 18;

/**
 * The smallest extent a point map opens on, in degrees (about 150 m): points closer than this are
 * centred in it instead of being zoomed onto one blob.
 */
export const MIN_SPAN_DEGREES = 0.0015;

/** The extent of the points, widened to `minSpan` around its centre; null without points. */
export function pointExtent(lats: ArrayLike<number>, lons: ArrayLike<number>, minSpan = MIN_SPAN_DEGREES): Extent | null {
  let south = Infinity;
  let north = -Infinity;
  let west = Infinity;
  let east = -Infinity;
  for (let index = 0; index < lats.length; index += 1) {
    const lat = lats[index] ?? NaN;
    const lon = lons[index] ?? NaN;
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    south = Math.min(south, lat);
    north = Math.max(north, lat);
    west = Math.min(west, lon);
    east = Math.max(east, lon);
  }
  if (south > north) return null;
  const widen = (low: number, high: number): [number, number] => {
    const missing = minSpan - (high - low);
    return missing > 0 ? [low - missing / 2, high + missing / 2] : [low, high];
  };
  const [s, n] = widen(south, north);
  const [w, e] = widen(west, east);
  return [
    [s, w],
    [n, e],
  ];
}

/** Leaflet's Spherical Mercator limit: the world is square at this latitude. */
const MAX_LATITUDE = 85.0511287798;

/**
 * A point in Web Mercator pixels at zoom 0 (the world is 256 px wide), exactly as Leaflet's
 * EPSG:3857 projects it; at zoom z the pixel is this times 2^z. Projecting each marker once and
 * scaling it per redraw costs a multiply instead of a projection per marker per frame.
 */
export function mercatorPixel(lat: number, lon: number): [number, number] {
  const clamped = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat));
  const sin = Math.sin((clamped * Math.PI) / 180);
  const x = 256 * (0.5 + lon / 360);
  const y = 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI));
  return [x, y];
}

/**
 * Markers on screen bucketed by grid cell, so a mouse position is tested against the few markers
 * near it. Markers are added in drawing order; the one drawn last (on top) wins a hit.
 */
export class PointGrid {
  private readonly columns: number;
  private readonly rows: number;
  private readonly cells = new Map<number, number[]>();
  private readonly xs: number[] = [];
  private readonly ys: number[] = [];
  private readonly radii: number[] = [];
  private readonly ids: number[] = [];

  /** `cellSize` must be at least the largest radius plus `tolerance` for a hit to be found. */
  constructor(
    width: number,
    height: number,
    private readonly cellSize: number,
    private readonly tolerance = 2,
  ) {
    this.columns = Math.max(1, Math.ceil(width / cellSize));
    this.rows = Math.max(1, Math.ceil(height / cellSize));
  }

  add(id: number, x: number, y: number, radius: number): void {
    const column = Math.floor(x / this.cellSize);
    const row = Math.floor(y / this.cellSize);
    if (column < 0 || row < 0 || column >= this.columns || row >= this.rows) return;
    const order = this.ids.length;
    this.xs.push(x);
    this.ys.push(y);
    this.radii.push(radius);
    this.ids.push(id);
    const cell = row * this.columns + column;
    const members = this.cells.get(cell);
    if (members) members.push(order);
    else this.cells.set(cell, [order]);
  }

  /** The id of the top-most marker within its radius (plus tolerance) of (x, y), or null. */
  hit(x: number, y: number): number | null {
    const column = Math.floor(x / this.cellSize);
    const row = Math.floor(y / this.cellSize);
    let best = -1;
    for (let r = row - 1; r <= row + 1; r += 1) {
      if (r < 0 || r >= this.rows) continue;
      for (let c = column - 1; c <= column + 1; c += 1) {
        if (c < 0 || c >= this.columns) continue;
        for (const order of this.cells.get(r * this.columns + c) ?? []) {
          if (order <= best) continue;
          const dx = (this.xs[order] ?? 0) - x;
          const dy = (this.ys[order] ?? 0) - y;
          const reach = (this.radii[order] ?? 0) + this.tolerance;
          if (dx * dx + dy * dy <= reach * reach) best = order;
        }
      }
    }
    return best < 0 ? null : (this.ids[best] ?? null);
  }

  get size(): number {
    return this.ids.length;
  }
}
