import type { CanvasSessionState } from "./session";
import { duplicateStepName, validStepName } from "./steps";
import type { Canvas, Relation, SelectBlock, Step, StepBody, StepInfo, StepKind } from "./types";

/** What a step card shows: read off the step, the engine's latest answer and the schemas. */
export interface StepView {
  name: string;
  kind: StepKind;
  inputs: Relation[];
  edited: boolean;
  /** Why the step cannot run (a binding error, an SQL parse error, a bad name), or null. */
  error: string | null;
  /** The part of `error` that is about the step's name (bad or taken), for the name field. */
  nameError: string | null;
  /** 1-based first and last line of the step in the written SQL, when known. */
  lines: [number, number] | null;
  isOutput: boolean;
}

function selectKind(block: SelectBlock): StepKind {
  const columns = block.columns;
  const onlyStar = columns.length === 1 && columns[0]?.expr === "*" && columns[0]?.alias === undefined;
  const startsWithStar = columns[0]?.expr === "*";
  if (block.joins.length > 0) return "join";
  if (block.groupBy.length > 0 || block.having !== undefined) return "aggregate";
  if (block.qualify !== undefined || (block.distinct && onlyStar)) return "deduplicate";
  if (block.filter !== undefined) return "filter";
  if (startsWithStar && columns.length > 1) {
    return columns.slice(1).every((column) => column.expr.toLowerCase().includes(" over ")) ? "window" : "formula";
  }
  if (!onlyStar) return "select";
  if (block.orderBy.length > 0) return "order";
  if (block.limit !== undefined) return "limit";
  return "input";
}

/** The step's kind as the engine reads it (kiln-canvas's `SelectBlock::kind`), for instant labels. */
export function localKind(body: StepBody): StepKind {
  if (body.kind === "sql") return "sql";
  if (body.kind === "union") return "union";
  return selectKind(body);
}

/** New, renamed or changed since it was read (the engine then writes it anew). */
export function isEdited(step: Step): boolean {
  return step.source === undefined || step.source.name !== step.name || JSON.stringify(step.source.body) !== JSON.stringify(step.body);
}

export function bodyInputs(body: StepBody): Relation[] {
  if (body.kind === "select") return [body.from.relation, ...body.joins.map((join) => join.input.relation)];
  if (body.kind === "union") return body.inputs;
  return [];
}

/** The engine's infos of `for` by step name, so a reorder in flight does not mislabel cards. */
function infosByName(forCanvas: Canvas | null, infos: readonly StepInfo[] | undefined): Map<string, StepInfo> {
  const map = new Map<string, StepInfo>();
  if (!forCanvas || !infos) return map;
  forCanvas.steps.forEach((step, index) => {
    const info = infos[index];
    if (info) map.set(step.name, info);
  });
  return map;
}

function missingInput(body: StepBody): string | null {
  if (body.kind === "select") {
    const relations = bodyInputs(body);
    return relations.some((relation) => (relation.kind === "source" ? !relation.table : !relation.name)) ? "Pick the relation this step reads." : null;
  }
  if (body.kind === "union" && body.inputs.length < 2) return "A union needs at least two inputs.";
  return null;
}

export function stepViews(state: CanvasSessionState): StepView[] {
  const canvas = state.history.present;
  const infos = infosByName(state.serverFor, state.server?.steps);
  const fresh = state.serverFor === canvas;
  const schemaErrors = new Map<string, string>();
  state.schemasFor?.steps.forEach((step, index) => {
    const error = state.schemas?.[index]?.error;
    if (error) schemaErrors.set(step.name, error);
  });
  const serverErrors = new Map<string, string>();
  state.server?.canvas.steps.forEach((step) => {
    if (step.body.kind === "sql" && step.body.error) serverErrors.set(step.name, step.body.error);
  });
  const last = canvas.steps.length - 1;
  return canvas.steps.map((step, index) => {
    const info = infos.get(step.name);
    const ownError = step.body.kind === "sql" ? (step.body.error ?? serverErrors.get(step.name) ?? (canvas.parseError && last === 0 ? canvas.parseError : null)) : null;
    const nameError = !validStepName(step.name)
      ? "The name must start with a letter or _ and hold only letters, digits and _."
      : duplicateStepName(canvas, index)
        ? `Another step is also named ${step.name}.`
        : null;
    const lines = fresh && state.server ? (state.server.written.lines[index] ?? null) : (info?.lines ?? null);
    return {
      name: step.name,
      kind: fresh && info ? info.kind : localKind(step.body),
      inputs: bodyInputs(step.body),
      edited: fresh && info ? info.edited : isEdited(step),
      error: nameError ?? missingInput(step.body) ?? ownError ?? schemaErrors.get(step.name) ?? null,
      nameError,
      lines,
      isOutput: index === last,
    };
  });
}
