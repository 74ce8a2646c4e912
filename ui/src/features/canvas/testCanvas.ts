import type { Canvas, SelectBlock, Step } from "./types";

/** Small canvases for the tests: select steps reading the step (or model) before them. */
export function block(from: string, patch: Partial<SelectBlock> = {}): SelectBlock {
  return { distinct: false, columns: [{ expr: "*" }], from: { relation: { kind: "step", name: from } }, joins: [], groupBy: [], orderBy: [], ...patch };
}

export function selectStep(name: string, from: string, patch: Partial<SelectBlock> = {}): Step {
  return { name, body: { kind: "select", ...block(from, patch) } };
}

export function inputStep(name: string, model: string): Step {
  return { name, body: { kind: "select", ...block("", { from: { relation: { kind: "ref", name: model } } }) } };
}

export function canvasOf(...steps: Step[]): Canvas {
  return { steps, layout: { prefix: "", withKeyword: "with ", beforeOutput: "\n\n", suffix: "\n" } };
}
