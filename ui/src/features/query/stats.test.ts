import { describe, expect, it } from "vitest";
import { localColumnStats, sortAndFilterRows, toTsv } from "./stats";

describe("localColumnStats", () => {
  it("computes numeric stats, counts nulls and ranks frequent values", () => {
    const stats = localColumnStats([[1], [5], [null], [3], [5]], 0, "n", "INTEGER");
    expect(stats).toMatchObject({ rows: 5, nulls: 1, distinct: 3, min: 1, max: 5, mean: 3.5 });
    expect(stats.top[0]).toEqual({ value: 5, count: 2 });
  });

  it("orders DECIMAL text as numbers", () => {
    const stats = localColumnStats([["9118860.60"], ["10305724.53"], ["2.00"]], 0, "amount", "DECIMAL(12,2)");
    expect([stats.min, stats.max]).toEqual(["2.00", "10305724.53"]);
    expect(stats.mean).toBeCloseTo((9118860.6 + 10305724.53 + 2) / 3);
  });

  it("uses text order for text columns", () => {
    const stats = localColumnStats([["b"], ["10"], ["a"]], 0, "s", "VARCHAR");
    expect(stats.mean).toBeNull();
    expect([stats.min, stats.max]).toEqual(["10", "b"]);
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
