import type { GraphNodeDto } from "../../api";
import { relationKey } from "./steps";
import type { Canvas, Relation } from "./types";

/** Something a step can read: a project model, seed, snapshot or source, or an earlier step. */
export interface RelationOption {
  key: string;
  relation: Relation;
  label: string;
  group: "Steps" | "Models" | "Seeds" | "Sources";
  /** The file's path or the node's id, to tell same-named relations apart. */
  detail: string;
}

/** `source.<package>.<source>.<table>` → the source() call's two names. */
export function relationOfNode(node: GraphNodeDto): Relation | null {
  if (node.resourceType === "model" || node.resourceType === "seed" || node.resourceType === "snapshot") {
    return { kind: "ref", name: node.name };
  }
  if (node.resourceType === "source") {
    const parts = node.id.split(".");
    const tableParts = node.name.split(".").length;
    const source = parts.slice(2, parts.length - tableParts).join(".");
    return source ? { kind: "source", source, table: node.name } : null;
  }
  return null;
}

/**
 * The relations a step at `index` can read: the steps before it, then the project's models,
 * seeds and sources (the model being edited excluded: it cannot read itself).
 */
export function relationOptions(nodes: readonly GraphNodeDto[], canvas: Canvas, index: number, selfName: string | null): RelationOption[] {
  const steps: RelationOption[] = canvas.steps.slice(0, Math.max(0, index)).map((step) => ({
    key: relationKey({ kind: "step", name: step.name }),
    relation: { kind: "step", name: step.name },
    label: step.name,
    group: "Steps",
    detail: "step of this model",
  }));
  const project: RelationOption[] = [];
  for (const node of nodes) {
    if (selfName && node.resourceType === "model" && node.name === selfName) continue;
    const relation = relationOfNode(node);
    if (!relation) continue;
    const group = node.resourceType === "source" ? "Sources" : node.resourceType === "seed" ? "Seeds" : "Models";
    const label = relation.kind === "source" ? `${relation.source}.${relation.table}` : node.name;
    project.push({ key: relationKey(relation), relation, label, group, detail: node.path });
  }
  const order = { Steps: 0, Sources: 1, Seeds: 2, Models: 3 } as const;
  project.sort((a, b) => order[a.group] - order[b.group] || a.label.localeCompare(b.label));
  const seen = new Set<string>();
  return [...steps, ...project].filter((option) => (seen.has(option.key) ? false : (seen.add(option.key), true)));
}

/** The model's name from its path: `models/marts/fct_sales.sql` → `fct_sales`. */
export function modelName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1).replace(/\.sql$/i, "");
}
