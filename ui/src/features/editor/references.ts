import type { GraphNodeDto } from "../../api";
import { sourceArguments } from "../lineage/graphModel";

/** A `ref()` or `source()` call in a model, with the document range of its name arguments. */
export type Reference =
  | { kind: "ref"; name: string; from: number; to: number }
  | { kind: "source"; source: string; table: string; from: number; to: number };

const CALL = /\b(ref|source)\(\s*(['"])([\w.-]+)\2(?:\s*,\s*(['"])([\w.-]+)\4)?\s*\)/g;

/**
 * The reference under `offset` in `line` (whose first character is at `lineStart`): the cursor
 * may be anywhere from `ref` to the closing parenthesis. Kept free of CodeMirror to be testable.
 */
export function referenceAt(line: string, lineStart: number, offset: number): Reference | null {
  CALL.lastIndex = 0;
  for (let match = CALL.exec(line); match; match = CALL.exec(line)) {
    const from = lineStart + match.index;
    const to = from + match[0].length;
    if (offset < from || offset > to) continue;
    const [, kind, , first, , second] = match;
    if (kind === "ref") return { kind: "ref", name: second ?? first ?? "", from, to };
    if (second) return { kind: "source", source: first ?? "", table: second, from, to };
  }
  return null;
}

/** The graph node a reference names, as the engine resolves it (`ref('pkg', 'x')` by its last name). */
export function nodeFor(reference: Reference, nodes: readonly GraphNodeDto[]): GraphNodeDto | undefined {
  if (reference.kind === "ref") {
    return nodes.find((node) => node.name === reference.name && ["model", "seed", "snapshot"].includes(node.resourceType));
  }
  return nodes.find((node) => {
    const args = sourceArguments(node);
    return args?.source === reference.source && args.table === reference.table;
  });
}

/** The 1-based line of a source table's `- name: <table>` entry in its YAML, or 1. */
export function sourceTableLine(yaml: string, table: string): number {
  const lines = yaml.split("\n");
  const pattern = new RegExp(`^\\s*-\\s*name:\\s*['"]?${table.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}['"]?\\s*$`);
  const index = lines.findIndex((line) => pattern.test(line));
  return index >= 0 ? index + 1 : 1;
}

/**
 * The one-click fix a diagnostic offers: its "did you mean 'x'" replaces the misspelt name.
 * `wrong` is the name as written: the quoted `ref('…')`/column name in the message.
 */
export function suggestedFix(message: string): { wrong: string; right: string } | null {
  const right = /did you mean '([^']+)'/.exec(message)?.[1];
  if (!right) return null;
  // A column message names its relation too (`… in ref('x')`), so the column is read first.
  const wrong = /^column '([^']+)'/.exec(message)?.[1] ?? /ref\('([^']+)'\)/.exec(message)?.[1] ?? /source\('([^']+)', '([^']+)'\)/.exec(message)?.slice(1, 3).join(".");
  if (!wrong || wrong === right) return null;
  return { wrong, right };
}

/**
 * Where to write the fix: the occurrence of `wrong` (as a whole word) nearest `near`, or null.
 * A source fix ("src.table") replaces the table name only when the source name is unchanged.
 */
export function fixRange(text: string, wrong: string, right: string, near: number): { from: number; to: number; insert: string } | null {
  let search = wrong;
  let insert = right;
  const [wrongSource, wrongTable] = wrong.split(".");
  const [rightSource, rightTable] = right.split(".");
  if (wrongTable !== undefined && rightTable !== undefined) {
    if (wrongSource !== rightSource) return null;
    search = wrongTable;
    insert = rightTable;
  }
  const pattern = new RegExp(`(?<![\\w])${search.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w])`, "g");
  let best: { from: number; to: number } | null = null;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const candidate = { from: match.index, to: match.index + search.length };
    if (!best || Math.abs(candidate.from - near) < Math.abs(best.from - near)) best = candidate;
  }
  return best ? { ...best, insert } : null;
}
