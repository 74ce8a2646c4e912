import { describe, expect, it } from "vitest";
import { fuzzyFilter, fuzzyMatch } from "./fuzzy";

describe("fuzzyMatch", () => {
  it("requires every character in order", () => {
    expect(fuzzyMatch("fct", "models/marts/fct_sales.sql")).not.toBeNull();
    expect(fuzzyMatch("tcf", "models/marts/fct_sales.sql")).toBeNull();
  });

  it("ranks word starts in the file name above scattered matches", () => {
    const ranked = fuzzyFilter(
      ["models/facts/slow_analysis.sql", "models/marts/fct_sales.sql", "models/staging/stg_tickit__sales.sql"],
      "fsal",
      (path) => path,
    ).map((entry) => entry.item);
    expect(ranked[0]).toBe("models/marts/fct_sales.sql");
  });

  it("keeps input order for an empty query", () => {
    const items = ["b", "a", "c"];
    expect(fuzzyFilter(items, "  ", (item) => item).map((entry) => entry.item)).toEqual(items);
  });

  it("reports matched indices for highlighting", () => {
    expect(fuzzyMatch("ab", "xaxb")?.indices).toEqual([1, 3]);
  });
});
