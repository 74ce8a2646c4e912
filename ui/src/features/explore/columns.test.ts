import { describe, expect, it } from "vitest";
import { displayColumns } from "./columns";

describe("displayColumns", () => {
  it("names chart columns by the spec", () => {
    const names = displayColumns({
      spec: { kind: "bar", x: "cat_name", y: [{ column: "price_paid", aggregation: "sum" }, { aggregation: "count" }], stacked: false, horizontal: false },
      roles: ["x", "y", "y"],
      columns: ["x", "y0", "y1"],
      rows: [],
      value: null,
      sampledFrom: null,
      notes: [],
      sql: "",
    });
    expect(names).toEqual(["cat_name", "sum of price_paid", "rows"]);
  });
});
