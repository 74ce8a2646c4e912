import { describe, expect, it } from "vitest";
import { classLabels, classOf, equalIntervalClasses, formatNumber, paletteColor, quantileClasses, sizeScale, sizeSteps } from "./scales";

describe("paletteColor", () => {
  it("runs from the palette's first stop to its last and clamps outside", () => {
    expect(paletteColor(0)).toBe("#482475");
    expect(paletteColor(1)).toBe("#dfe318");
    expect(paletteColor(-3)).toBe("#482475");
    expect(paletteColor(Number.NaN)).toBe("#482475");
    expect(paletteColor(0.5)).toMatch(/^#[0-9a-f]{6}$/);
  });
});

describe("quantileClasses", () => {
  it("puts about as many values in each class", () => {
    const classes = quantileClasses([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5);
    expect(classes?.method).toBe("quantile");
    expect(classes?.uppers).toEqual([2, 4, 6, 8, 10]);
    expect(classes?.colors).toHaveLength(5);
    expect(classes && classLabels(classes, String)).toEqual(["1 – 2", "2 – 4", "4 – 6", "6 – 8", "8 – 10"]);
  });

  it("does not repeat a bound when values repeat, and skips missing values", () => {
    const classes = quantileClasses([5, 5, 5, 5, 5, 5, 9, null, Number.NaN], 4);
    expect(classes?.uppers).toEqual([5, 9]);
    expect(quantileClasses([7, 7])?.uppers).toEqual([7]);
    expect(quantileClasses([null])).toBeNull();
  });

  it("keeps a skewed distribution spread over the classes", () => {
    // One state with most of the sales must not leave every other state in the lowest class.
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000];
    const classes = quantileClasses(values, 5);
    const used = new Set(values.map((value) => (classes ? classOf(classes, value) : -1)));
    expect(used.size).toBe(5);
  });
});

describe("equalIntervalClasses", () => {
  it("cuts the range into equal widths", () => {
    expect(equalIntervalClasses([0, 10, 3], 5)?.uppers).toEqual([2, 4, 6, 8, 10]);
    expect(equalIntervalClasses([4, 4])?.uppers).toEqual([4]);
  });
});

describe("classOf", () => {
  const classes = { method: "quantile" as const, min: 0, uppers: [10, 20, 30], colors: ["a", "b", "c"] };
  it("finds the first class whose bound the value does not exceed", () => {
    expect(classOf(classes, 0)).toBe(0);
    expect(classOf(classes, 10)).toBe(0);
    expect(classOf(classes, 10.5)).toBe(1);
    expect(classOf(classes, 99)).toBe(2);
    expect(classOf(classes, null)).toBe(-1);
    expect(classOf(classes, Number.NaN)).toBe(-1);
  });
});

describe("sizeScale", () => {
  it("grows the area, not the radius, linearly with the value", () => {
    const scale = sizeScale([0, 100], 4, 20);
    expect(scale?.(0)).toBe(4);
    expect(scale?.(100)).toBe(20);
    const half = scale?.(50) ?? 0;
    expect(half * half).toBeCloseTo((4 * 4 + 20 * 20) / 2);
    expect(scale?.(null)).toBe(4);
  });

  it("gives one value the middle size, and no values no scale", () => {
    expect(sizeScale([3, 3], 4, 20)?.(3)).toBe(12);
    expect(sizeScale([])).toBeNull();
    expect(sizeSteps(1, 5)).toEqual([1, 3, 5]);
    expect(sizeSteps(2, 2)).toEqual([2]);
  });
});

describe("formatNumber", () => {
  it("keeps four significant digits and goes compact past a hundred thousand", () => {
    expect(formatNumber(1234.5678, "en-US")).toBe("1,235");
    expect(formatNumber(0.012345, "en-US")).toBe("0.01235");
    expect(formatNumber(1_234_567, "en-US")).toBe("1.23M");
  });
});
