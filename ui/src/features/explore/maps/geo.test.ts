import { describe, expect, it } from "vitest";
import { MIN_SPAN_DEGREES, PointGrid, mercatorPixel, pointExtent } from "./geo";

describe("pointExtent", () => {
  it("spans the points", () => {
    expect(pointExtent([-37.8, -33.9], [144.9, 151.2])).toEqual([
      [-37.8, 144.9],
      [-33.9, 151.2],
    ]);
  });

  it("widens a tiny spread (the sensors, metres apart) to the minimum span around its centre", () => {
    const extent = pointExtent([37.7071, 37.7072], [-122.4191, -122.4191]);
    expect(extent).not.toBeNull();
    const [[south, west], [north, east]] = extent ?? [[0, 0], [0, 0]];
    expect(north - south).toBeCloseTo(MIN_SPAN_DEGREES);
    expect(east - west).toBeCloseTo(MIN_SPAN_DEGREES);
    expect((north + south) / 2).toBeCloseTo(37.70715);
  });

  it("keeps a spread wider than the minimum, and ignores non-finite points", () => {
    const extent = pointExtent([37.704, 37.709, Number.NaN], [-122.421, -122.417, 5]);
    expect(extent?.[0][0]).toBe(37.704);
    expect(extent?.[1][0]).toBe(37.709);
    expect(extent?.[0][1]).toBe(-122.421);
    expect(pointExtent([], [])).toBeNull();
  });
});

describe("mercatorPixel", () => {
  it("projects as Leaflet's EPSG:3857 does at zoom 0", () => {
    expect(mercatorPixel(0, 0)).toEqual([128, 128]);
    const [x, y] = mercatorPixel(37.707, -122.419);
    // The textbook form, 256 · (½ − ln tan(π/4 + φ/2) / 2π), which Leaflet computes via sin φ.
    expect(x).toBeCloseTo(40.946489, 5);
    expect(y).toBeCloseTo(99.010419, 5);
    expect(mercatorPixel(89, 0)[1]).toBeCloseTo(0, 3);
  });
});

describe("PointGrid", () => {
  it("finds the top-most marker under a point and nothing beyond the radius", () => {
    const grid = new PointGrid(200, 100, 20, 2);
    grid.add(7, 50, 50, 5);
    grid.add(8, 54, 50, 5);
    grid.add(9, 150, 50, 5);
    expect(grid.hit(52, 50)).toBe(8);
    expect(grid.hit(46, 50)).toBe(7);
    expect(grid.hit(150, 57)).toBe(9);
    expect(grid.hit(150, 58)).toBeNull();
    expect(grid.hit(100, 50)).toBeNull();
  });

  it("finds markers across a cell boundary and leaves out those off the canvas", () => {
    const grid = new PointGrid(100, 100, 20, 0);
    grid.add(1, 39, 39, 6);
    grid.add(2, -5, 10, 6);
    expect(grid.hit(42, 42)).toBe(1);
    expect(grid.size).toBe(1);
  });

  it("answers among 100,000 markers", () => {
    const grid = new PointGrid(1000, 1000, 16, 2);
    for (let index = 0; index < 100_000; index += 1) grid.add(index, (index * 7919) % 1000, (index * 104729) % 1000, 2);
    const started = performance.now();
    for (let probe = 0; probe < 1000; probe += 1) grid.hit(probe % 1000, (probe * 3) % 1000);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
