import { describe, expect, it } from "vitest";
import { applyCompletion, completionAt } from "./complete";

const columns = ["price_paid", "commission", "qty_sold", "l.price_paid", "sale_time"];

describe("expression autocomplete", () => {
  it("offers columns starting with the word at the caret first", () => {
    const completion = completionAt("sum(pri", 7, columns);
    expect(completion).toEqual({ from: 4, to: 7, options: ["price_paid", "l.price_paid"] });
    expect(completionAt("sa", 2, ["qty_sold", "sale_time", "sale_id"])?.options).toEqual(["sale_time", "sale_id"]);
  });

  it("then columns containing it, and qualified names", () => {
    expect(completionAt("paid", 4, columns)?.options).toEqual(["price_paid", "l.price_paid"]);
    expect(completionAt("l.pr", 4, columns)?.options).toEqual(["l.price_paid"]);
  });

  it("offers nothing inside a string literal or for an exact name", () => {
    expect(completionAt("state = 'pri", 12, columns)).toBeNull();
    expect(completionAt("commission", 10, columns)).toBeNull();
    expect(completionAt("a + ", 4, columns)).toBeNull();
  });

  it("replaces the whole word around the caret", () => {
    const text = "price - comm_x";
    const completion = completionAt(text, 12, columns);
    expect(completion).not.toBeNull();
    if (!completion) return;
    expect(applyCompletion(text, completion, "commission")).toEqual({ text: "price - commission", caret: 18 });
  });
});
