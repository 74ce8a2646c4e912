import { useSyncExternalStore } from "react";
import type { CanvasSession, CanvasSessionState } from "./session";
import type { Canvas, SchemaColumn } from "./types";

export function useCanvasState(session: CanvasSession): CanvasSessionState {
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}

/** The output columns of the step named `name`, from the latest schemas (null while unknown). */
export function columnsOfStep(state: CanvasSessionState, name: string): SchemaColumn[] | null {
  const index = state.schemasFor?.steps.findIndex((step) => step.name === name) ?? -1;
  if (index < 0) return null;
  const schema = state.schemas?.[index];
  return schema && !schema.error ? schema.columns : null;
}

/**
 * Names an expression in step `index` can use: the columns of the steps it reads (qualified by
 * their alias too) and its own output's, for autocomplete.
 */
export function columnsForStep(state: CanvasSessionState, canvas: Canvas, index: number): string[] {
  const step = canvas.steps[index];
  if (!step) return [];
  const names = new Set<string>();
  const add = (columns: SchemaColumn[] | null, alias?: string) => {
    for (const column of columns ?? []) {
      names.add(column.name);
      if (alias) names.add(`${alias}.${column.name}`);
    }
  };
  if (step.body.kind === "select") {
    const inputs = [step.body.from, ...step.body.joins.map((join) => join.input)];
    for (const input of inputs) {
      if (input.relation.kind === "step") add(columnsOfStep(state, input.relation.name), input.alias ?? input.relation.name);
    }
  } else if (step.body.kind === "union") {
    for (const relation of step.body.inputs) if (relation.kind === "step") add(columnsOfStep(state, relation.name));
  }
  add(columnsOfStep(state, step.name));
  return [...names];
}
