import { describe, expect, it } from "vitest";
import type { ChartData, Role } from "../../../api";
import { numberFrom, readPoints, readRegions } from "./data";

function chart(kind: "pointMap" | "regionMap", roles: Role[], rows: unknown[][]): ChartData {
  return { spec: { kind, y: [], stacked: false, horizontal: false }, roles, columns: [...roles], rows, value: null, sampledFrom: null, notes: [], sql: "" };
}

describe("numberFrom", () => {
  it("reads numbers and numeric text, and nothing else", () => {
    expect(numberFrom(3.5)).toBe(3.5);
    expect(numberFrom("12.25")).toBe(12.25);
    expect(numberFrom(" ")).toBeNull();
    expect(numberFrom("abc")).toBeNull();
    expect(numberFrom(null)).toBeNull();
    expect(numberFrom(Number.POSITIVE_INFINITY)).toBeNull();
  });
});

describe("readPoints", () => {
  it("reads each role's column, wherever the engine put it", () => {
    const points = readPoints(
      chart(
        "pointMap",
        ["latitude", "longitude", "color", "label"],
        [
          [37.707, -122.419, 61.5, "sensor-1"],
          [37.708, -122.418, null, "sensor-2"],
        ],
      ),
    );
    expect(points.count).toBe(2);
    expect([...points.lat]).toEqual([37.707, 37.708]);
    expect([...points.lon]).toEqual([-122.419, -122.418]);
    expect(points.size).toBeNull();
    expect(points.color?.[0]).toBe(61.5);
    expect(points.color?.[1]).toBeNaN();
    expect(points.label).toEqual(["sensor-1", "sensor-2"]);
  });

  it("skips rows without valid coordinates and keeps the row each marker came from", () => {
    const points = readPoints(
      chart(
        "pointMap",
        ["latitude", "longitude"],
        [
          [null, 1],
          [95, 1],
          ["-33.9", "151.2"],
        ],
      ),
    );
    expect(points.count).toBe(1);
    expect(points.skipped).toBe(2);
    expect([...points.row]).toEqual([2]);
    expect(points.lat[0]).toBe(-33.9);
  });
});

describe("readRegions", () => {
  it("pairs each region text with its number, leaving out rows without a region", () => {
    expect(
      readRegions(
        chart("regionMap", ["region", "color"], [
          ["CA", 10],
          [null, 4],
          [6, "2.5"],
          ["NY", null],
        ]),
      ),
    ).toEqual([
      { region: "CA", value: 10 },
      { region: "6", value: 2.5 },
      { region: "NY", value: null },
    ]);
  });
});
