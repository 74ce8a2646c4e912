import { describe, expect, it } from "vitest";
import { previewOf, sampleProfile } from "./api";

describe("preview answers", () => {
  it("reads rows, columns and the row count", () => {
    const preview = previewOf({ columns: [{ name: "a", dataType: "INTEGER" }, { name: "b", dataType: "VARCHAR" }], rows: [[1, null], [2, "x"]], rowCount: 40, elapsedMs: 3 });
    expect(preview.rowCount).toBe(40);
    expect(preview.rows).toEqual([[1, null], [2, "x"]]);
    expect(preview.profile).toBeNull();
    expect(sampleProfile(preview.columns, preview.rows)).toEqual([
      { name: "a", nulls: 0, distinct: 2 },
      { name: "b", nulls: 1, distinct: 1 },
    ]);
  });

  it("counts distinct objects by value", () => {
    expect(sampleProfile([{ name: "o", dataType: null }], [[{ a: 1 }], [{ a: 1 }], [undefined]])).toEqual([{ name: "o", nulls: 1, distinct: 1 }]);
  });
});
