import type { Canvas, Column, Relation, SelectBlock, Step, StepBody } from "./types";

/**
 * Pure edits of a canvas: each returns a new canvas and leaves the old one alone (the undo
 * history keeps them). They edit structured fields only; SQL is the engine's to write.
 */

export type SelectStepBody = Extract<StepBody, { kind: "select" }>;

export function relationLabel(relation: Relation): string {
  switch (relation.kind) {
    case "step":
      return relation.name || "(no step)";
    case "ref":
      return relation.package ? `${relation.package}.${relation.name}` : relation.name;
    case "source":
      return `${relation.source}.${relation.table}`;
    case "table":
      return relation.name;
  }
}

export function sameRelation(a: Relation, b: Relation): boolean {
  return relationKey(a) === relationKey(b);
}

export function relationKey(relation: Relation): string {
  switch (relation.kind) {
    case "step":
      return `step:${relation.name}`;
    case "ref":
      return `ref:${relation.package ?? ""}:${relation.name}`;
    case "source":
      return `source:${relation.source}.${relation.table}`;
    case "table":
      return `table:${relation.name}`;
  }
}

function replaceAt<T>(items: readonly T[], index: number, item: T): T[] {
  return items.map((entry, at) => (at === index ? item : entry));
}

export function replaceStep(canvas: Canvas, index: number, step: Step): Canvas {
  if (index < 0 || index >= canvas.steps.length) return canvas;
  return { ...canvas, steps: replaceAt(canvas.steps, index, step) };
}

export function setStepBody(canvas: Canvas, index: number, body: StepBody): Canvas {
  const step = canvas.steps[index];
  return step ? replaceStep(canvas, index, { ...step, body }) : canvas;
}

/** Changes fields of a select step; other kinds are left alone. */
export function updateSelect(canvas: Canvas, index: number, patch: Partial<SelectBlock>): Canvas {
  const step = canvas.steps[index];
  if (!step || step.body.kind !== "select") return canvas;
  return setStepBody(canvas, index, { ...step.body, ...patch });
}

/** Relations naming step `from` now name `to` (a step renamed, or deleted and bridged). */
function redirect(body: StepBody, from: string, to: Relation): StepBody {
  const follow = (relation: Relation): Relation => (relation.kind === "step" && relation.name === from ? to : relation);
  switch (body.kind) {
    case "select":
      return {
        ...body,
        from: { ...body.from, relation: follow(body.from.relation) },
        joins: body.joins.map((join) => ({ ...join, input: { ...join.input, relation: follow(join.input.relation) } })),
      };
    case "union":
      return { ...body, inputs: body.inputs.map(follow) };
    case "sql":
      return body;
  }
}

/** Renames a step; the steps that read it by name follow (their SQL text is not rewritten). */
export function renameStep(canvas: Canvas, index: number, name: string): Canvas {
  const step = canvas.steps[index];
  if (!step || step.name === name) return canvas;
  const to: Relation = { kind: "step", name };
  return {
    ...canvas,
    steps: canvas.steps.map((entry, at) => (at === index ? { ...entry, name } : { ...entry, body: redirect(entry.body, step.name, to) })),
  };
}

/** Moves a step by `delta` places; reads between steps are by name, so they are unchanged. */
export function moveStep(canvas: Canvas, index: number, delta: number): Canvas {
  const target = index + delta;
  if (index < 0 || index >= canvas.steps.length || target < 0 || target >= canvas.steps.length || delta === 0) return canvas;
  const steps = [...canvas.steps];
  const [moved] = steps.splice(index, 1);
  if (!moved) return canvas;
  steps.splice(target, 0, moved);
  return { ...canvas, steps };
}

/** What a step reads first: its FROM, or its union's first input. */
export function primaryInput(body: StepBody): Relation | null {
  if (body.kind === "select") return body.from.relation;
  if (body.kind === "union") return body.inputs[0] ?? null;
  return null;
}

/**
 * Deletes a step. Steps that read it read what it read instead (deleting a filter between two
 * steps keeps the flow joined); a step that cannot be bridged is left for the engine to flag.
 */
export function deleteStep(canvas: Canvas, index: number): Canvas {
  const step = canvas.steps[index];
  if (!step) return canvas;
  const bridge = primaryInput(step.body);
  const steps = canvas.steps.filter((_, at) => at !== index);
  return { ...canvas, steps: bridge ? steps.map((entry) => ({ ...entry, body: redirect(entry.body, step.name, bridge) })) : steps };
}

export function addColumn(columns: readonly Column[], column: Column = { expr: "" }, at = columns.length): Column[] {
  const next = [...columns];
  next.splice(Math.max(0, Math.min(at, next.length)), 0, column);
  return next;
}

export function removeColumn(columns: readonly Column[], index: number): Column[] {
  return columns.filter((_, at) => at !== index);
}

export function moveItem<T>(items: readonly T[], index: number, delta: number): T[] {
  const target = index + delta;
  if (index < 0 || index >= items.length || target < 0 || target >= items.length) return [...items];
  const next = [...items];
  const [moved] = next.splice(index, 1);
  if (moved !== undefined) next.splice(target, 0, moved);
  return next;
}

export function updateItem<T>(items: readonly T[], index: number, item: T): T[] {
  return replaceAt(items, index, item);
}

/** Step names the SQL can use unquoted: what the engine names new steps, and what users expect. */
export function validStepName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

export function duplicateStepName(canvas: Canvas, index: number): boolean {
  const name = canvas.steps[index]?.name.toLowerCase();
  return name !== undefined && canvas.steps.some((step, at) => at !== index && step.name.toLowerCase() === name);
}

/** Deep equality of two canvases (plain JSON data): whether there is anything to save. */
export function sameCanvas(a: Canvas | null, b: Canvas | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}
