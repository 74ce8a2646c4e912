import type { RunCommand } from "../../api";

export interface Selection {
  select: string[];
  exclude: string[];
}

export type SelectorParse = { ok: true; selection: Selection } | { ok: false; error: string };

const SELECT_FLAGS = new Set(["--select", "-s", "--models", "-m"]);
const EXCLUDE_FLAGS = new Set(["--exclude"]);
const METHODS = new Set([
  "tag",
  "path",
  "file",
  "fqn",
  "source",
  "resource_type",
  "package",
  "config",
  "test_type",
  "test_name",
  "state",
  "exposure",
  "result",
  "source_status",
  "group",
  "access",
  "version",
  "semantic_model",
  "saved_query",
  "unit_test",
  "wildcard",
]);

/**
 * Parses the toolbar's selector field the way dbt reads `--select … --exclude …`: spaces are
 * unions, commas intersections (kept inside one token), and a leading flag may switch between the
 * select and exclude lists. A bare selector list means `--select`. We check method names so a typo
 * like `tags:marts` is reported before the run starts.
 */
export function parseSelector(text: string): SelectorParse {
  const selection: Selection = { select: [], exclude: [] };
  let target: keyof Selection = "select";
  let expectingValue = false;
  for (const token of text.trim().split(/\s+/).filter((part) => part.length > 0)) {
    if (SELECT_FLAGS.has(token)) {
      target = "select";
      expectingValue = true;
      continue;
    }
    if (EXCLUDE_FLAGS.has(token)) {
      target = "exclude";
      expectingValue = true;
      continue;
    }
    if (token.startsWith("-")) {
      return { ok: false, error: `Unknown flag "${token}". Use --select (or -s) and --exclude.` };
    }
    for (const part of token.split(",")) {
      const problem = checkSelectorPart(part);
      if (problem) return { ok: false, error: problem };
    }
    selection[target].push(token);
    expectingValue = false;
  }
  if (expectingValue) {
    return { ok: false, error: `"--${target}" needs at least one selector after it.` };
  }
  return { ok: true, selection };
}

function checkSelectorPart(part: string): string | null {
  if (part.length === 0) return "Empty selector around a comma; write `a,b` to intersect two selectors.";
  const core = part.replace(/^(\d*\+|@)/, "").replace(/\+\d*$/, "");
  if (core.length === 0) return `Selector "${part}" has graph operators but no node.`;
  const colon = core.indexOf(":");
  if (colon > 0) {
    const method = core.slice(0, colon).split(".")[0] ?? "";
    if (!METHODS.has(method)) {
      return `Unknown selector method "${method}:" in "${part}". Known methods include tag:, path:, source:, resource_type:, config.<key>:.`;
    }
    if (core.length === colon + 1) return `Selector "${part}" has a method but no value.`;
  }
  return null;
}

/** Renders a selection back into the text a user would type (and dbt would accept). */
export function formatSelection(selection: Selection): string {
  const parts = [...selection.select];
  if (selection.exclude.length > 0) parts.push("--exclude", ...selection.exclude);
  return parts.join(" ");
}

/** dbt selector for "this node and its parents" / "its children" / "its tests". */
export function graphSelector(kind: "upstream" | "downstream" | "self", name: string): string {
  if (kind === "upstream") return `+${name}`;
  if (kind === "downstream") return `${name}+`;
  return name;
}

export const RUN_COMMANDS: ReadonlyArray<{ command: RunCommand; label: string; description: string }> = [
  { command: "stage", label: "Stage", description: "Create the external tables declared in sources" },
  { command: "run", label: "Run", description: "Build the selected models" },
  { command: "test", label: "Test", description: "Run the selected data tests" },
  { command: "build", label: "Build", description: "Seed, run and test the selection in DAG order" },
];

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/**
 * Most-recently-used selector strings, per project, persisted so the dropdown survives restarts.
 * Whitespace is normalised so "+fct_sales " and "+fct_sales" are one entry.
 */
export class SelectorHistory {
  private entries: string[];

  constructor(
    private readonly storage: StorageLike | null,
    private readonly key: string,
    private readonly limit = 12,
  ) {
    this.entries = this.load();
  }

  list(): readonly string[] {
    return this.entries;
  }

  remember(text: string): readonly string[] {
    const normalised = text.trim().replace(/\s+/g, " ");
    if (normalised.length === 0) return this.entries;
    this.entries = [normalised, ...this.entries.filter((entry) => entry !== normalised)].slice(0, this.limit);
    this.save();
    return this.entries;
  }

  forget(text: string): readonly string[] {
    this.entries = this.entries.filter((entry) => entry !== text);
    this.save();
    return this.entries;
  }

  private load(): string[] {
    try {
      const raw = this.storage?.getItem(this.key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? parsed.filter((entry): entry is string => typeof entry === "string").slice(0, this.limit) : [];
    } catch {
      // A corrupt entry is not worth failing the toolbar over; start a fresh history.
      return [];
    }
  }

  private save(): void {
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.entries));
    } catch (error) {
      console.warn("Could not persist selector history", error);
    }
  }
}
