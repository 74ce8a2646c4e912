import { describe, expect, it } from "vitest";
import { filtersFor, toggleFilter } from "./filters";

describe("cross-filters", () => {
  it("toggles, replaces and adds by column", () => {
    const jazz = { column: "cat_name", value: "Jazz", source: 4 };
    let filters = toggleFilter([], jazz);
    expect(filters).toEqual([jazz]);
    filters = toggleFilter(filters, { column: "cat_name", value: "Pop", source: 4 });
    expect(filters.map((f) => f.value)).toEqual(["Pop"]);
    filters = toggleFilter(filters, { column: "buyer_state", value: "CA", source: 6 });
    expect(filters).toHaveLength(2);
    filters = toggleFilter(filters, { column: "buyer_state", value: "CA", source: 6 });
    expect(filters.map((f) => f.column)).toEqual(["cat_name"]);
  });

  it("leaves the panel a filter came from unfiltered", () => {
    const filters = [{ column: "cat_name", value: "Jazz", source: 4 }];
    expect(filtersFor(filters, 4)).toEqual([]);
    expect(filtersFor(filters, 0)).toEqual([{ column: "cat_name", value: "Jazz" }]);
  });
});
