import { describe, expect, it } from "vitest";
import type { ChartData, ChartSpec } from "../../api";
import { PALETTE, buildOption, measureLabel, niceMax, shortNumber } from "./echartsOption";

const theme = { text: "#111", muted: "#555", grid: "#ddd", background: "#fff", palette: PALETTE };

function data(spec: Partial<ChartSpec>, roles: ChartData["roles"], rows: unknown[][]): ChartData {
  return {
    spec: { kind: "line", y: [{ column: "v", aggregation: "sum" }], stacked: false, horizontal: false, ...spec },
    roles,
    columns: roles.map((role) => role),
    rows,
    value: null,
    sampledFrom: null,
    notes: [],
    sql: "",
  };
}

describe("buildOption", () => {
  it("draws one bar per category in the engine's order", () => {
    const { option, summary } = buildOption(data({ kind: "bar", x: "cat" }, ["x", "y"], [["Pop", "30.5"], ["Jazz", 12]]), theme);
    expect(summary).toEqual({ series: 1, points: 2 });
    expect(option.series[0]?.type).toBe("bar");
    expect(option.series[0]?.data).toEqual([
      ["Pop", 30.5],
      ["Jazz", 12],
    ]);
    expect((option.xAxis as { data: string[] }).data).toEqual(["Pop", "Jazz"]);
  });

  it("splits rows into one series per series value, stacked when asked", () => {
    const rows = [
      ["2024-01-01T00:00:00", "a", 1],
      ["2024-01-01T00:00:00", "b", 2],
      ["2024-02-01T00:00:00", "a", 3],
    ];
    const { option, summary } = buildOption(data({ kind: "area", x: "t", bucket: "month", series: "s", stacked: true }, ["x", "series", "y"], rows), theme);
    expect(summary).toEqual({ series: 2, points: 3 });
    expect(option.series.map((series) => series.name)).toEqual(["a", "b"]);
    expect(option.series.every((series) => series.stack === "y0")).toBe(true);
    expect((option.xAxis as { type: string }).type).toBe("time");
  });

  it("swaps the axes of horizontal bars and lays a heatmap on a grid of cells", () => {
    const bars = buildOption(data({ kind: "bar", x: "cat", horizontal: true }, ["x", "y"], [["Pop", 3]]), theme).option;
    expect(bars.series[0]?.data).toEqual([[3, "Pop"]]);
    const heat = buildOption(data({ kind: "heatmap", x: "h", series: "d" }, ["x", "series", "y"], [[1, "Mon", 5], [2, "Tue", 7]]), theme);
    expect(heat.option.series[0]?.data).toEqual([
      [0, 0, 5],
      [1, 1, 7],
    ]);
  });
});

describe("pie and gauge", () => {
  it("draws one slice per category, named by it", () => {
    const { option, summary } = buildOption(data({ kind: "pie", x: "cat" }, ["x", "y"], [["Pop", "30.5"], ["Jazz", 12], [null, 1]]), theme);
    expect(summary).toEqual({ series: 1, points: 3 });
    expect(option.series[0]?.type).toBe("pie");
    expect(option.series[0]?.data).toEqual([
      { name: "Pop", value: 30.5 },
      { name: "Jazz", value: 12 },
      { name: "(null)", value: 1 },
    ]);
    expect(option.grid).toBeUndefined();
  });

  it("puts the value on a dial from min to max, a round max when there is none", () => {
    const gauge = (spec: Partial<ChartSpec>, value: unknown) => buildOption({ ...data({ kind: "gauge", ...spec }, ["y"], [[value]]), value }, theme);
    const fixed = gauge({ min: 10, max: 500 }, 123.4);
    expect(fixed.summary).toEqual({ series: 1, points: 1 });
    expect(fixed.option.series[0]).toMatchObject({ type: "gauge", min: 10, max: 500, data: [{ value: 123.4 }] });
    expect(gauge({}, 640).option.series[0]).toMatchObject({ min: 0, max: 1000 });
    expect(gauge({}, null).summary.points).toBe(0);
    expect(niceMax(0.3)).toBe(0.5);
    expect(niceMax(2_100)).toBe(2_500);
    expect(niceMax(0)).toBe(1);
  });
});

describe("labels", () => {
  it("names measures and shortens big numbers", () => {
    expect(measureLabel({ column: "price_paid", aggregation: "sum" })).toBe("sum of price_paid");
    expect(measureLabel({ aggregation: "count" })).toBe("rows");
    expect(shortNumber(1_234_567)).toBe("1.2M");
    expect(shortNumber(12.345)).toBe("12.35");
  });
});
