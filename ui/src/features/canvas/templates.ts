import type { AggregateFunction, ConditionOp, JoinKind, Relation, StepKind, StepTemplate, TemplateKind, WindowFunction } from "./types";

/** The "Add step" menu, in the order an analyst builds a model. */
export const TEMPLATE_KINDS: ReadonlyArray<{ kind: TemplateKind; label: string; hint: string }> = [
  { kind: "input", label: "Input", hint: "Every row of a model, seed or source" },
  { kind: "join", label: "Join", hint: "Add columns from another relation on matching keys" },
  { kind: "union", label: "Union", hint: "Stack another relation's rows under these" },
  { kind: "filter", label: "Filter", hint: "Keep the rows that meet conditions" },
  { kind: "select", label: "Select columns", hint: "Pick, rename and reorder columns" },
  { kind: "formula", label: "Formula", hint: "Add a column computed from an expression" },
  { kind: "aggregate", label: "Aggregate", hint: "One row per group with measures" },
  { kind: "window", label: "Window", hint: "Rank, running total, lag or lead over rows" },
  { kind: "deduplicate", label: "Deduplicate", hint: "One row per key, or drop identical rows" },
  { kind: "order", label: "Order", hint: "Sort the rows" },
  { kind: "limit", label: "Limit", hint: "Keep the first rows" },
  { kind: "pivot", label: "Pivot", hint: "One column per value of a key" },
  { kind: "unpivot", label: "Unpivot", hint: "Columns turned into rows" },
  { kind: "sql", label: "SQL", hint: "A step written by hand" },
];

export function templateLabel(kind: TemplateKind): string {
  return TEMPLATE_KINDS.find((entry) => entry.kind === kind)?.label ?? kind;
}

export const STEP_KIND_LABELS: Record<StepKind, string> = {
  input: "Input",
  join: "Join",
  union: "Union",
  filter: "Filter",
  select: "Select",
  formula: "Formula",
  aggregate: "Aggregate",
  window: "Window",
  deduplicate: "Deduplicate",
  order: "Order",
  limit: "Limit",
  sql: "SQL",
};

export const JOIN_KINDS: ReadonlyArray<{ kind: JoinKind; label: string }> = [
  { kind: "inner", label: "Inner (matching rows only)" },
  { kind: "left", label: "Left (keep every row)" },
  { kind: "right", label: "Right" },
  { kind: "full", label: "Full outer" },
  { kind: "cross", label: "Cross (every pair)" },
];

export const CONDITION_OPS: ReadonlyArray<{ op: ConditionOp; label: string; takesValue: boolean }> = [
  { op: "equals", label: "=", takesValue: true },
  { op: "notEquals", label: "≠", takesValue: true },
  { op: "greater", label: ">", takesValue: true },
  { op: "greaterOrEqual", label: "≥", takesValue: true },
  { op: "less", label: "<", takesValue: true },
  { op: "lessOrEqual", label: "≤", takesValue: true },
  { op: "contains", label: "contains", takesValue: true },
  { op: "isNull", label: "is empty", takesValue: false },
  { op: "isNotNull", label: "is not empty", takesValue: false },
];

export const AGGREGATE_FUNCTIONS: ReadonlyArray<{ fn: AggregateFunction; label: string; needsColumn: boolean }> = [
  { fn: "count", label: "count", needsColumn: false },
  { fn: "countDistinct", label: "count distinct", needsColumn: true },
  { fn: "sum", label: "sum", needsColumn: true },
  { fn: "avg", label: "average", needsColumn: true },
  { fn: "min", label: "min", needsColumn: true },
  { fn: "max", label: "max", needsColumn: true },
];

export const WINDOW_FUNCTIONS: ReadonlyArray<{ fn: WindowFunction; label: string; needsColumn: boolean }> = [
  { fn: "rowNumber", label: "row number", needsColumn: false },
  { fn: "rank", label: "rank", needsColumn: false },
  { fn: "denseRank", label: "dense rank", needsColumn: false },
  { fn: "runningTotal", label: "running total", needsColumn: true },
  { fn: "lag", label: "previous value (lag)", needsColumn: true },
  { fn: "lead", label: "next value (lead)", needsColumn: true },
];

/** Templates that read the step before them: they cannot be the first step. */
export function needsPrevious(kind: TemplateKind): boolean {
  return kind !== "input" && kind !== "sql";
}

/** A column name the engine can write without quotes, as typed for a new column. */
export function validColumnName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name.trim());
}

/**
 * Why a template cannot be added yet (the form's Add button says so), or null when it can.
 * Only what the engine would refuse or what would make a useless step; SQL errors in expressions
 * are the engine's to find once the step exists.
 */
export function templateProblem(template: StepTemplate): string | null {
  switch (template.kind) {
    case "input":
      return relationMissing(template.relation) ? "Pick a model, seed or source." : null;
    case "join":
      if (relationMissing(template.right)) return "Pick the relation to join.";
      if (template.join !== "cross" && template.keys.length === 0) return "Add at least one pair of keys.";
      if (template.keys.some((key) => !key.left || !key.right)) return "Pick both columns of every key pair.";
      return null;
    case "union":
      return relationMissing(template.other) ? "Pick the relation to stack." : null;
    case "filter": {
      const incomplete = template.conditions.some((condition) => !condition.column || (opTakesValue(condition.op) && (condition.value ?? "") === ""));
      if (incomplete) return "Complete every condition (column and value).";
      if (template.conditions.length === 0 && !(template.expression ?? "").trim()) return "Add a condition or an expression.";
      return null;
    }
    case "select":
      return template.columns.length === 0 || template.columns.some((column) => !column.expr.trim()) ? "Pick at least one column." : null;
    case "formula":
      if (!template.expr.trim()) return "Write the expression.";
      return validColumnName(template.name) ? null : "Name the new column (letters, digits, _).";
    case "aggregate":
      if (template.groupBy.length === 0 && template.measures.length === 0) return "Pick group-by columns or add a measure.";
      if (template.measures.some((measure) => !validColumnName(measure.name))) return "Name every measure.";
      if (template.measures.some((measure) => measure.function !== "count" && !measure.column)) return "Pick the column of every measure.";
      return null;
    case "window": {
      const needsColumn = WINDOW_FUNCTIONS.find((entry) => entry.fn === template.function)?.needsColumn ?? false;
      if (needsColumn && !template.column) return "Pick the column the function reads.";
      if (template.function !== "runningTotal" && template.orderBy.length === 0) return "Pick the order the rows are counted in.";
      return validColumnName(template.name) ? null : "Name the new column.";
    }
    case "deduplicate":
      return null;
    case "order":
      return template.keys.length === 0 || template.keys.some((key) => !key.expr) ? "Pick the columns to sort by." : null;
    case "limit":
      return Number.isInteger(template.rows) && template.rows > 0 ? null : "The number of rows must be a positive whole number.";
    case "pivot":
      if (!template.key) return "Pick the column whose values become columns.";
      if (template.values.filter((value) => value.trim()).length === 0) return "List the values that become columns.";
      if (template.measure.function !== "count" && !template.measure.column) return "Pick the column the measure reads.";
      return validColumnName(template.measure.name) ? null : "Name the measure.";
    case "unpivot":
      if (template.columns.length === 0) return "Pick the columns that become rows.";
      return validColumnName(template.nameColumn) && validColumnName(template.valueColumn) ? null : "Name the name and value columns.";
    case "sql":
      return template.text.trim() ? null : "Write the step's SQL.";
  }
}

export function opTakesValue(op: ConditionOp): boolean {
  return CONDITION_OPS.find((entry) => entry.op === op)?.takesValue ?? true;
}

function relationMissing(relation: Relation): boolean {
  switch (relation.kind) {
    case "step":
    case "ref":
    case "table":
      return !relation.name;
    case "source":
      return !relation.source || !relation.table;
  }
}

/**
 * The right side's columns a join keeps by default: all of them except those the left side
 * already has (the keys among them), so the joined step has no duplicate names.
 */
export function defaultRightColumns(left: readonly string[], right: readonly string[]): string[] {
  const taken = new Set(left.map((name) => name.toLowerCase()));
  return right.filter((name) => !taken.has(name.toLowerCase()));
}

/** Key pairs guessed from the two schemas: same-named columns ending in `id`/`_key`, else none. */
export function guessJoinKeys(left: readonly string[], right: readonly string[]): Array<{ left: string; right: string }> {
  const rightByName = new Map(right.map((name) => [name.toLowerCase(), name]));
  const shared = left.filter((name) => rightByName.has(name.toLowerCase()) && /(^id$|_id$|_key$)/i.test(name));
  const first = shared[0];
  return first ? [{ left: first, right: rightByName.get(first.toLowerCase()) ?? first }] : [];
}

/** A new template of `kind` with empty fields, for the add-step form to fill. */
export function emptyTemplate(kind: TemplateKind): StepTemplate {
  switch (kind) {
    case "input":
      return { kind, relation: { kind: "ref", name: "" } };
    case "join":
      return { kind, right: { kind: "ref", name: "" }, join: "left", keys: [], rightColumns: [] };
    case "union":
      return { kind, other: { kind: "ref", name: "" }, all: true };
    case "filter":
      return { kind, conditions: [{ column: "", op: "equals", value: "" }] };
    case "select":
      return { kind, columns: [] };
    case "formula":
      return { kind, expr: "", name: "" };
    case "aggregate":
      return { kind, groupBy: [], measures: [{ function: "count", name: "row_count" }] };
    case "window":
      return { kind, function: "rowNumber", partitionBy: [], orderBy: [], name: "row_number" };
    case "deduplicate":
      return { kind, keys: [], orderBy: [] };
    case "order":
      return { kind, keys: [] };
    case "limit":
      return { kind, rows: 100 };
    case "pivot":
      return { kind, groupBy: [], key: "", values: [], measure: { function: "count", name: "count" } };
    case "unpivot":
      return { kind, keep: [], columns: [], nameColumn: "name", valueColumn: "value" };
    case "sql":
      return { kind, text: "" };
  }
}

/** The template as sent: blank list entries typed in free-text fields dropped. */
export function finalTemplate(template: StepTemplate): StepTemplate {
  if (template.kind === "pivot") return { ...template, values: template.values.map((value) => value.trim()).filter(Boolean) };
  if (template.kind === "formula") return { ...template, name: template.name.trim() };
  return template;
}
