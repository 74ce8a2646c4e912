// Dense markers drawn straight into pixels. Without a GPU (WebKitGTK under Xvfb, headless
// Chromium) the canvas rasterises each `arc` + `fill` as a path: at 100,000 markers that was
// ~200 ms of script plus as much again of rasterising, per redraw. A dot of a few pixels is better
// stamped: each radius's anti-aliased coverage is computed once, then every marker blends its
// colour through that stamp into one ImageData (source-over, as the canvas would), put once.

/**
 * A round dot's covered pixels around its centre pixel, for one radius (device pixels): offsets
 * and coverage, only where coverage is above zero.
 */
type Stamp = { dx: Int32Array; dy: Int32Array; coverage: Float32Array; reach: number };

function stampFor(radius: number): Stamp {
  const reach = Math.ceil(radius + 0.5);
  const dx: number[] = [];
  const dy: number[] = [];
  const coverage: number[] = [];
  for (let y = -reach; y <= reach; y += 1) {
    for (let x = -reach; x <= reach; x += 1) {
      // A pixel half inside the circle's edge is half covered: a one-pixel-wide ramp.
      const inside = Math.min(1, radius + 0.5 - Math.hypot(x, y));
      if (inside <= 0) continue;
      dx.push(x);
      dy.push(y);
      coverage.push(inside);
    }
  }
  return { dx: Int32Array.from(dx), dy: Int32Array.from(dy), coverage: Float32Array.from(coverage), reach };
}

/** Radii are stamped at quarter-pixel steps: finer would not show, coarser would. */
function stampKey(radius: number): number {
  return Math.max(1, Math.round(radius * 4));
}

/** An opaque `#rrggbb` (or `#rgb`) colour's channels; anything else is mid grey. */
export function rgbOf(color: string): [number, number, number] {
  const hex = color.trim().replace(/^#/, "");
  const full = hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex;
  if (!/^[0-9a-fA-F]{6}$/.test(full)) return [128, 128, 128];
  return [parseInt(full.slice(0, 2), 16), parseInt(full.slice(2, 4), 16), parseInt(full.slice(4, 6), 16)];
}

export type Splats = {
  /** Centres in device pixels, in drawing order. */
  x: Float32Array;
  y: Float32Array;
  /** Radii in device pixels. */
  radius: Float32Array;
  /** Index into `colors` per marker. */
  color: Int32Array;
  count: number;
  colors: readonly [number, number, number][];
  /** The markers' opacity (0–1), like the canvas's globalAlpha. */
  alpha: number;
};

/**
 * Blends every marker into `pixels` (RGBA, not premultiplied, `width` × `height`) over what is
 * there, in order: later markers cover earlier ones as on a canvas.
 */
export function splat(pixels: Uint8ClampedArray, width: number, height: number, splats: Splats): void {
  const stamps = new Map<number, Stamp>();
  const alpha = splats.alpha;
  for (let at = 0; at < splats.count; at += 1) {
    const key = stampKey(splats.radius[at] ?? 1);
    let stamp = stamps.get(key);
    if (!stamp) {
      stamp = stampFor(key / 4);
      stamps.set(key, stamp);
    }
    const cx = Math.round(splats.x[at] ?? 0);
    const cy = Math.round(splats.y[at] ?? 0);
    const [r, g, b] = splats.colors[splats.color[at] ?? 0] ?? [128, 128, 128];
    // Only dots on the canvas's edge need each pixel checked against it.
    const inside = cx - stamp.reach >= 0 && cy - stamp.reach >= 0 && cx + stamp.reach < width && cy + stamp.reach < height;
    const { dx, dy, coverage } = stamp;
    for (let k = 0; k < coverage.length; k += 1) {
      const px = cx + (dx[k] as number);
      const py = cy + (dy[k] as number);
      if (!inside && (px < 0 || py < 0 || px >= width || py >= height)) continue;
      const offset = (py * width + px) * 4;
      const source = alpha * (coverage[k] as number);
      const belowAlpha = pixels[offset + 3] as number;
      if (belowAlpha === 0) {
        pixels[offset] = r;
        pixels[offset + 1] = g;
        pixels[offset + 2] = b;
        pixels[offset + 3] = source * 255;
        continue;
      }
      const kept = (belowAlpha / 255) * (1 - source);
      const out = source + kept;
      pixels[offset] = (r * source + (pixels[offset] as number) * kept) / out;
      pixels[offset + 1] = (g * source + (pixels[offset + 1] as number) * kept) / out;
      pixels[offset + 2] = (b * source + (pixels[offset + 2] as number) * kept) / out;
      pixels[offset + 3] = out * 255;
    }
  }
}
