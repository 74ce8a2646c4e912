import { describe, expect, it } from "vitest";
import { createHistory } from "./history";
import type { CanvasSessionState } from "./session";
import { updateSelect } from "./steps";
import { localKind, stepViews } from "./stepView";
import { block, canvasOf, inputStep, selectStep } from "./testCanvas";
import type { Canvas } from "./types";

function stateOf(canvas: Canvas, patch: Partial<CanvasSessionState> = {}): CanvasSessionState {
  return {
    status: "ready",
    loadError: null,
    history: createHistory(canvas),
    saved: canvas,
    exists: true,
    selected: 0,
    server: null,
    serverFor: null,
    updateError: null,
    schemas: null,
    schemasFor: null,
    schemasError: null,
    diskChanged: false,
    ...patch,
  };
}

describe("step cards", () => {
  it("reads a step's kind off its shape as the engine does", () => {
    expect(localKind({ kind: "select", ...block("a") })).toBe("input");
    expect(localKind({ kind: "select", ...block("a", { filter: "x > 1" }) })).toBe("filter");
    expect(localKind({ kind: "select", ...block("a", { columns: [{ expr: "*" }, { expr: "a + b", alias: "c" }] }) })).toBe("formula");
    expect(localKind({ kind: "select", ...block("a", { columns: [{ expr: "*" }, { expr: "rank() over (order by a)", alias: "r" }] }) })).toBe("window");
    expect(localKind({ kind: "select", ...block("a", { groupBy: ["a"], columns: [{ expr: "a" }] }) })).toBe("aggregate");
    expect(localKind({ kind: "select", ...block("a", { qualify: "row_number() over () = 1" }) })).toBe("deduplicate");
    expect(localKind({ kind: "select", ...block("a", { limit: 5 }) })).toBe("limit");
    expect(localKind({ kind: "sql", text: "select 1" })).toBe("sql");
  });

  it("marks the last step as the output and new steps as edited", () => {
    const views = stepViews(stateOf(canvasOf(inputStep("sales", "stg_sales"), selectStep("paid", "sales", { filter: "p > 0" }))));
    expect(views.map((view) => [view.name, view.kind, view.isOutput, view.edited])).toEqual([
      ["sales", "input", false, true],
      ["paid", "filter", true, true],
    ]);
  });

  it("shows the schema's binding error on the step it belongs to, even after a reorder", () => {
    const canvas = canvasOf(inputStep("sales", "stg_sales"), selectStep("paid", "sales", { filter: "nope > 0" }));
    const schemas = [
      { columns: [{ name: "price", dataType: "DOUBLE" }] },
      { columns: [], error: 'Referenced column "nope" not found' },
    ];
    const views = stepViews(stateOf(canvas, { schemas, schemasFor: canvas }));
    expect(views[1]?.error).toMatch(/nope/);
    expect(views[0]?.error).toBeNull();
  });

  it("flags a bad or duplicate step name and a missing input", () => {
    const canvas = canvasOf(inputStep("sales", "stg_sales"), selectStep("sales", "sales"), selectStep("2x", ""));
    const views = stepViews(stateOf(canvas));
    expect(views[1]?.error).toMatch(/Another step/);
    expect(views[2]?.error).toMatch(/must start/);
    const missing = stepViews(stateOf(updateSelect(canvasOf(selectStep("a", "")), 0, {})));
    expect(missing[0]?.error).toMatch(/Pick the relation/);
  });

  it("an unedited step read from the file is not marked edited", () => {
    const step = inputStep("sales", "stg_sales");
    const read = { ...step, source: { lead: "", text: "sales as (…)", name: "sales", body: step.body, inline: false, line: 3 } };
    expect(stepViews(stateOf(canvasOf(read)))[0]?.edited).toBe(false);
  });
});
