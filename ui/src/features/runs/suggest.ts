import type { GraphDto } from "../../api";

/** What the selector box offers while typing. `value` replaces the word under the caret. */
export interface Suggestion {
  value: string;
  label: string;
  /** "model", "seed", "source", "tag", "path", "method", "operator"… for the icon and sorting. */
  kind: string;
  detail: string;
}

export interface Vocabulary {
  entries: Suggestion[];
  /** Values after a method's colon, by method (`tag` → `tag:marts` …). */
  byMethod: Map<string, Suggestion[]>;
  names: Set<string>;
}

const METHODS: ReadonlyArray<{ method: string; detail: string }> = [
  { method: "tag:", detail: "nodes with this tag" },
  { method: "path:", detail: "nodes under a folder or file" },
  { method: "source:", detail: "a source or one of its tables" },
  { method: "resource_type:", detail: "model, seed, source, test, snapshot, exposure" },
  { method: "config.materialized:", detail: "view, table, incremental, ephemeral" },
  { method: "exposure:", detail: "an exposure (a dashboard)" },
  { method: "test_type:", detail: "generic or singular tests" },
  { method: "package:", detail: "nodes of a package" },
  { method: "fqn:", detail: "by fully qualified name" },
];

const NAMED_TYPES = new Set(["model", "seed", "snapshot", "analysis"]);
const RESOURCE_TYPES = ["model", "seed", "source", "test", "snapshot", "exposure", "analysis"];

function add(map: Map<string, Map<string, Suggestion>>, method: string, suggestion: Suggestion): void {
  let values = map.get(method);
  if (!values) map.set(method, (values = new Map()));
  if (!values.has(suggestion.value)) values.set(suggestion.value, suggestion);
}

/** Everything the project offers to select, read off the lineage graph the studio already has. */
export function buildVocabulary(graph: GraphDto | null): Vocabulary {
  const names = new Map<string, Suggestion>();
  const methods = new Map<string, Map<string, Suggestion>>();
  const packages = new Set<string>();
  for (const node of graph?.nodes ?? []) {
    const parts = node.id.split(".");
    if (parts[1]) packages.add(parts[1]);
    if (NAMED_TYPES.has(node.resourceType) && !names.has(node.name)) {
      names.set(node.name, { value: node.name, label: node.name, kind: node.resourceType, detail: node.path });
    }
    if (node.resourceType === "source" && parts.length >= 4) {
      const sourceName = parts[2] ?? "";
      add(methods, "source", { value: `source:${sourceName}`, label: `source:${sourceName}`, kind: "source", detail: "every table of the source" });
      add(methods, "source", { value: `source:${sourceName}.${node.name}`, label: `source:${sourceName}.${node.name}`, kind: "source", detail: node.path });
    }
    if (node.resourceType === "exposure") add(methods, "exposure", { value: `exposure:${node.name}`, label: `exposure:${node.name}`, kind: "exposure", detail: node.path });
    for (const tag of node.tags) add(methods, "tag", { value: `tag:${tag}`, label: `tag:${tag}`, kind: "tag", detail: "tag" });
    if (node.materialized) {
      add(methods, "config.materialized", { value: `config.materialized:${node.materialized}`, label: `config.materialized:${node.materialized}`, kind: "config", detail: "materialization" });
    }
    const segments = node.path.split("/");
    for (let depth = 1; depth < segments.length; depth += 1) {
      const folder = segments.slice(0, depth).join("/");
      add(methods, "path", { value: `path:${folder}`, label: `path:${folder}`, kind: "path", detail: "folder" });
    }
  }
  for (const type of RESOURCE_TYPES) add(methods, "resource_type", { value: `resource_type:${type}`, label: `resource_type:${type}`, kind: "type", detail: "resource type" });
  for (const type of ["generic", "singular"]) add(methods, "test_type", { value: `test_type:${type}`, label: `test_type:${type}`, kind: "type", detail: "test type" });
  for (const name of packages) add(methods, "package", { value: `package:${name}`, label: `package:${name}`, kind: "package", detail: "package" });
  const byMethod = new Map<string, Suggestion[]>();
  for (const [method, values] of methods) byMethod.set(method, [...values.values()]);
  const methodEntries = METHODS.map(({ method, detail }) => ({ value: method, label: method, kind: "method", detail }));
  // Tags and sources by their own word too: typing "mar" should offer tag:marts.
  const valued = [...(byMethod.get("tag") ?? []), ...(byMethod.get("source") ?? []), ...(byMethod.get("exposure") ?? [])];
  return { entries: [...names.values(), ...methodEntries, ...valued], byMethod, names: new Set(names.keys()) };
}

/** The word under the caret: where it starts (after graph operators and the last comma) and ends. */
export interface Word {
  start: number;
  end: number;
  /** Graph operators typed before the word (`+`, `2+`, `@`). */
  operators: string;
  core: string;
}

export function wordAt(text: string, caret: number): Word {
  let tokenStart = caret;
  while (tokenStart > 0 && !/\s/.test(text[tokenStart - 1] ?? "")) tokenStart -= 1;
  let end = caret;
  while (end < text.length && !/[\s,]/.test(text[end] ?? "")) end += 1;
  const before = text.slice(tokenStart, caret);
  const comma = before.lastIndexOf(",");
  const partStart = tokenStart + comma + 1;
  const part = text.slice(partStart, caret);
  const operators = /^(\d*\+|@)?/.exec(part)?.[0] ?? "";
  return { start: partStart + operators.length, end, operators, core: part.slice(operators.length) };
}

function score(candidate: string, query: string): number | null {
  const value = candidate.toLowerCase();
  if (value.startsWith(query)) return 0;
  const bare = value.includes(":") ? value.slice(value.indexOf(":") + 1) : value;
  if (bare.startsWith(query)) return 1;
  if (bare.split(/[_./]/).some((piece) => piece.startsWith(query))) return 2;
  return bare.includes(query) ? 3 : null;
}

const LIMIT = 12;

/**
 * Suggestions for the word under the caret: node names, `tag:`/`path:`/`source:`… values, method
 * names, and the graph operators once the word names a node. Prefix matches first.
 */
export function suggest(vocabulary: Vocabulary, text: string, caret: number): Suggestion[] {
  const word = wordAt(text, caret);
  const core = word.core;
  if (core.endsWith("+")) return [];
  const query = core.toLowerCase();
  const colon = core.indexOf(":");
  let pool: Suggestion[];
  if (colon > 0) {
    pool = vocabulary.byMethod.get(core.slice(0, colon)) ?? [];
  } else if (core.length === 0) {
    return methodHints(vocabulary);
  } else {
    pool = vocabulary.entries;
  }
  const ranked: Array<{ suggestion: Suggestion; rank: number }> = [];
  for (const suggestion of pool) {
    const rank = score(suggestion.value, query);
    if (rank !== null && suggestion.value.toLowerCase() !== query) ranked.push({ suggestion, rank });
  }
  ranked.sort((left, right) => left.rank - right.rank || left.suggestion.value.length - right.suggestion.value.length || left.suggestion.value.localeCompare(right.suggestion.value));
  const results = ranked.slice(0, LIMIT).map((entry) => entry.suggestion);
  if (vocabulary.names.has(core) && word.operators === "") results.unshift(...operatorsFor(core));
  return results.slice(0, LIMIT);
}

function methodHints(vocabulary: Vocabulary): Suggestion[] {
  return vocabulary.entries.filter((entry) => entry.kind === "method").slice(0, LIMIT);
}

/** dbt's graph operators on a node name, as ready-made selectors. */
export function operatorsFor(name: string): Suggestion[] {
  return [
    { value: `+${name}`, label: `+${name}`, kind: "operator", detail: "and everything upstream" },
    { value: `${name}+`, label: `${name}+`, kind: "operator", detail: "and everything downstream" },
    { value: `+${name}+`, label: `+${name}+`, kind: "operator", detail: "upstream and downstream" },
    { value: `@${name}`, label: `@${name}`, kind: "operator", detail: "downstream and all their parents" },
  ];
}

/** The text with `suggestion` in place of the word under the caret, and where the caret goes. */
export function applySuggestion(text: string, caret: number, suggestion: Suggestion): { text: string; caret: number } {
  const word = wordAt(text, caret);
  // Operator suggestions carry their own operators; the typed ones are replaced.
  const start = suggestion.kind === "operator" ? word.start - word.operators.length : word.start;
  const next = text.slice(0, start) + suggestion.value + text.slice(word.end);
  return { text: next, caret: start + suggestion.value.length };
}
