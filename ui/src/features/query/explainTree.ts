// The logic of the Explain view, apart from React: which plan steps show (collapsed subtrees
// hide their steps), bar lengths relative to the plan's maximum, and the words for flags.
import type { Plan, PlanEngine, PlanFlagKind, PlanNode } from "../../api";

/** One visible line of the tree. `id` is the step's path from the root ("0", "0.1", "0.1.0"). */
export interface PlanRow {
  id: string;
  depth: number;
  node: PlanNode;
}

/** The steps to draw, parents before children, skipping everything below a collapsed step. */
export function visibleRows(root: PlanNode, collapsed: ReadonlySet<string>): PlanRow[] {
  const rows: PlanRow[] = [];
  const visit = (node: PlanNode, id: string, depth: number) => {
    rows.push({ id, depth, node });
    if (collapsed.has(id)) return;
    node.children.forEach((child, index) => visit(child, `${id}.${index}`, depth + 1));
  };
  visit(root, "0", 0);
  return rows;
}

/** Every step's id with the step, for summaries and "expand all". */
export function allRows(root: PlanNode): PlanRow[] {
  return visibleRows(root, new Set());
}

/** The steps that carry flags, in reading order. */
export function flaggedRows(root: PlanNode): PlanRow[] {
  return allRows(root).filter((row) => row.node.flags.length > 0);
}

/** A bar's length in percent of the plan's largest value; a visible sliver for any non-zero value. */
export function barPercent(value: number | null, max: number | null): number {
  if (value === null || max === null || max <= 0 || value <= 0) return 0;
  return Math.max(2, Math.min(100, (100 * value) / max));
}

/** Estimates in few characters: 842, 12k, 1.7M, 2.8G. */
export function formatEstimate(value: number | null): string {
  if (value === null) return "";
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${Math.round(value / 1e3)}k`;
  if (abs >= 100 || Number.isInteger(value)) return `${Math.round(value)}`;
  return value.toFixed(2);
}

const FLAG_LABELS: Record<PlanFlagKind, string> = {
  broadcast: "Broadcast",
  redistribution: "Redistribution",
  nestedLoop: "Nested loop / cross join",
  highestCost: "Costliest step",
  mostRows: "Most rows",
};

export function flagLabel(kind: PlanFlagKind): string {
  return FLAG_LABELS[kind];
}

/** Warnings (data movement, nested loops) weigh more than the costliest/most-rows markers. */
export function isWarning(kind: PlanFlagKind): boolean {
  return kind === "broadcast" || kind === "redistribution" || kind === "nestedLoop";
}

const ENGINE_NAMES: Record<PlanEngine, string> = { duckdb: "DuckDB", postgres: "PostgreSQL", redshift: "Redshift" };

export function engineName(engine: PlanEngine): string {
  return ENGINE_NAMES[engine];
}

/** What the plan measures: DuckDB estimates rows only. */
export function hasCosts(plan: Plan): boolean {
  return plan.maxSelfCost !== null;
}
