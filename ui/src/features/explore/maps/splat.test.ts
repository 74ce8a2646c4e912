import { describe, expect, it } from "vitest";
import { rgbOf, splat, type Splats } from "./splat";

function one(x: number, y: number, radius: number, color = 0, alpha = 1): Splats {
  return {
    x: Float32Array.of(x),
    y: Float32Array.of(y),
    radius: Float32Array.of(radius),
    color: Int32Array.of(color),
    count: 1,
    colors: [
      [255, 0, 0],
      [0, 0, 255],
    ],
    alpha,
  };
}

function pixel(pixels: Uint8ClampedArray, width: number, x: number, y: number): number[] {
  const at = (y * width + x) * 4;
  return Array.from(pixels.subarray(at, at + 4));
}

describe("splat", () => {
  it("fills a dot's inside, leaves its outside, and shades its edge", () => {
    const pixels = new Uint8ClampedArray(20 * 20 * 4);
    splat(pixels, 20, 20, one(10, 10, 3));
    expect(pixel(pixels, 20, 10, 10)).toEqual([255, 0, 0, 255]);
    expect(pixel(pixels, 20, 12, 10)).toEqual([255, 0, 0, 255]);
    expect(pixel(pixels, 20, 15, 10)[3]).toBe(0);
    expect(pixel(pixels, 20, 0, 0)[3]).toBe(0);
    // (12, 12) is 2.83 px from the centre: partly covered.
    const edge = pixel(pixels, 20, 12, 12)[3] ?? 0;
    expect(edge).toBeGreaterThan(0);
    expect(edge).toBeLessThan(255);
  });

  it("blends a translucent marker over an earlier one as source-over does", () => {
    const pixels = new Uint8ClampedArray(10 * 10 * 4);
    splat(pixels, 10, 10, one(5, 5, 2, 0, 1));
    splat(pixels, 10, 10, one(5, 5, 2, 1, 0.5));
    const [r, g, b, a] = pixel(pixels, 10, 5, 5);
    expect(a).toBe(255);
    expect(r).toBeGreaterThanOrEqual(127);
    expect(r).toBeLessThanOrEqual(128);
    expect(g).toBe(0);
    expect(b).toBeGreaterThanOrEqual(127);
  });

  it("clips markers at the canvas's edges", () => {
    const pixels = new Uint8ClampedArray(8 * 8 * 4);
    splat(pixels, 8, 8, one(-1, 7, 3));
    expect(pixel(pixels, 8, 0, 7)[3]).toBe(255);
    expect(pixel(pixels, 8, 7, 0)[3]).toBe(0);
  });

  it("reads hex colours", () => {
    expect(rgbOf("#21918c")).toEqual([0x21, 0x91, 0x8c]);
    expect(rgbOf("#fff")).toEqual([255, 255, 255]);
    expect(rgbOf("rebeccapurple")).toEqual([128, 128, 128]);
  });
});
