import { describe, expect, it } from "vitest";
import { addColumn, deleteStep, duplicateStepName, moveItem, moveStep, removeColumn, renameStep, sameCanvas, updateSelect, validStepName } from "./steps";
import { canvasOf, inputStep, selectStep } from "./testCanvas";

const canvas = canvasOf(inputStep("sales", "stg_sales"), selectStep("paid", "sales", { filter: "price_paid > 0" }), selectStep("final", "paid"));

describe("canvas step edits", () => {
  it("reorders steps without touching the original", () => {
    const moved = moveStep(canvas, 2, -1);
    expect(moved.steps.map((step) => step.name)).toEqual(["sales", "final", "paid"]);
    expect(canvas.steps.map((step) => step.name)).toEqual(["sales", "paid", "final"]);
    expect(moveStep(canvas, 0, -1)).toBe(canvas);
    expect(moveStep(canvas, 2, 1)).toBe(canvas);
  });

  it("deleting a step points the steps that read it at what it read", () => {
    const deleted = deleteStep(canvas, 1);
    expect(deleted.steps.map((step) => step.name)).toEqual(["sales", "final"]);
    const final = deleted.steps[1]?.body;
    expect(final?.kind === "select" && final.from.relation).toEqual({ kind: "step", name: "sales" });
  });

  it("renaming a step renames the relations that read it", () => {
    const renamed = renameStep(canvas, 1, "paid_sales");
    expect(renamed.steps[1]?.name).toBe("paid_sales");
    const final = renamed.steps[2]?.body;
    expect(final?.kind === "select" && final.from.relation).toEqual({ kind: "step", name: "paid_sales" });
  });

  it("edits a select step's fields and leaves other kinds alone", () => {
    const edited = updateSelect(canvas, 1, { filter: "price_paid > 10" });
    const body = edited.steps[1]?.body;
    expect(body?.kind === "select" && body.filter).toBe("price_paid > 10");
    const sql = canvasOf({ name: "raw", body: { kind: "sql", text: "select 1" } });
    expect(updateSelect(sql, 0, { filter: "x" })).toBe(sql);
  });

  it("adds, removes and reorders columns", () => {
    const columns = addColumn([{ expr: "a" }, { expr: "b" }], { expr: "c", alias: "see" }, 1);
    expect(columns.map((column) => column.expr)).toEqual(["a", "c", "b"]);
    expect(removeColumn(columns, 0).map((column) => column.expr)).toEqual(["c", "b"]);
    expect(moveItem(columns, 2, -2).map((column) => column.expr)).toEqual(["b", "a", "c"]);
    expect(moveItem(columns, 0, -1)).toEqual(columns);
  });

  it("checks step names", () => {
    expect(validStepName("paid_sales")).toBe(true);
    expect(validStepName("2nd")).toBe(false);
    expect(validStepName("with space")).toBe(false);
    const twice = renameStep(canvas, 2, "PAID");
    expect(duplicateStepName(twice, 2)).toBe(true);
    expect(duplicateStepName(canvas, 2)).toBe(false);
  });

  it("compares canvases by content", () => {
    expect(sameCanvas(canvas, JSON.parse(JSON.stringify(canvas)))).toBe(true);
    expect(sameCanvas(canvas, updateSelect(canvas, 1, { filter: "x" }))).toBe(false);
    expect(sameCanvas(updateSelect(canvas, 1, { limit: undefined }), canvas)).toBe(true);
  });
});
