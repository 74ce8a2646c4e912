import { describe, expect, it } from "vitest";
import { defaultRightColumns, emptyTemplate, finalTemplate, guessJoinKeys, needsPrevious, TEMPLATE_KINDS, templateProblem } from "./templates";

describe("add-step templates", () => {
  it("every kind starts empty and is refused until filled, except those with defaults", () => {
    const ready = TEMPLATE_KINDS.filter((entry) => templateProblem(emptyTemplate(entry.kind)) === null).map((entry) => entry.kind);
    expect(ready.sort()).toEqual(["aggregate", "deduplicate", "limit"]);
  });

  it("a join needs a relation and complete key pairs, a cross join none", () => {
    const join = { kind: "join" as const, right: { kind: "ref" as const, name: "stg_listings" }, join: "inner" as const, keys: [], rightColumns: [] };
    expect(templateProblem(join)).toMatch(/key/);
    expect(templateProblem({ ...join, keys: [{ left: "list_id", right: "" }] })).toMatch(/both columns/);
    expect(templateProblem({ ...join, keys: [{ left: "list_id", right: "list_id" }] })).toBeNull();
    expect(templateProblem({ ...join, join: "cross" })).toBeNull();
  });

  it("a filter needs complete conditions or an expression", () => {
    expect(templateProblem({ kind: "filter", conditions: [{ column: "state", op: "equals", value: "" }] })).not.toBeNull();
    expect(templateProblem({ kind: "filter", conditions: [{ column: "state", op: "isNull" }] })).toBeNull();
    expect(templateProblem({ kind: "filter", conditions: [], expression: "qty > 1" })).toBeNull();
  });

  it("input and SQL steps can come first; the others read a previous step", () => {
    expect(needsPrevious("input")).toBe(false);
    expect(needsPrevious("sql")).toBe(false);
    expect(needsPrevious("join")).toBe(true);
  });

  it("keeps the right side's columns the left does not have", () => {
    expect(defaultRightColumns(["sale_id", "list_id", "price"], ["list_id", "seller_id", "Price", "num_tickets"])).toEqual(["seller_id", "num_tickets"]);
  });

  it("guesses a key pair from same-named id columns", () => {
    expect(guessJoinKeys(["sale_id", "list_id", "qty"], ["list_id", "event_id"])).toEqual([{ left: "list_id", right: "list_id" }]);
    expect(guessJoinKeys(["qty"], ["qty"])).toEqual([]);
  });

  it("drops blank pivot values before sending", () => {
    const pivot = { kind: "pivot" as const, groupBy: [], key: "qtr", values: ["1", " ", "2 "], measure: { function: "count" as const, name: "n" } };
    expect(finalTemplate(pivot)).toMatchObject({ values: ["1", "2"] });
  });
});
