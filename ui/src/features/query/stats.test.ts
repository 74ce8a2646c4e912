import { describe, expect, it } from "vitest";
import { columnStats, sortAndFilterRows, toTsv } from "./stats";

describe("columnStats", () => {
  it("computes numeric stats and counts nulls", () => {
    const stats = columnStats([[1], [5], [null], [3], [5]], 0);
    expect(stats).toMatchObject({ rows: 5, nulls: 1, distinct: 3, min: 1, max: 5, mean: 3.5 });
  });

  it("falls back to text order for mixed columns", () => {
    const stats = columnStats([["b"], [10], ["a"]], 0);
    expect(stats.mean).toBeNull();
    expect(stats.min).toBe("10");
    expect(stats.max).toBe("b");
  });
});

describe("toTsv", () => {
  it("quotes values that would break the format", () => {
    expect(toTsv(["a", "b"], [["x\ty", null], [1, 'say "hi"']])).toBe('a\tb\n"x\ty"\t\n1\t"say ""hi"""');
  });
});

describe("sortAndFilterRows", () => {
  const rows = [
    ["b", 2],
    ["a", null],
    ["c", 1],
  ];
  it("sorts with nulls last both ways", () => {
    expect(sortAndFilterRows(rows, ["name", "n"], { column: "n", descending: false }, null).map((row) => row[0])).toEqual(["c", "b", "a"]);
    expect(sortAndFilterRows(rows, ["name", "n"], { column: "n", descending: true }, null).map((row) => row[0])).toEqual(["b", "c", "a"]);
  });
  it("filters on any column, case-insensitively", () => {
    expect(sortAndFilterRows(rows, ["name", "n"], null, "B")).toEqual([["b", 2]]);
  });
});
