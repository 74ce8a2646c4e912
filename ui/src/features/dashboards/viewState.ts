import type { Dashboard, TimeWindow, VariableChoices } from "../../api";
import type { StorageLike } from "../../app/studio/state";

/**
 * What a user picked on a dashboard — a time range other than the file's, and each variable's
 * selection — kept per dashboard file so a reload or reopening shows the same view. The file
 * stays the source of truth for defaults: nothing here is written back to it.
 */
export interface DashboardView {
  /** None: the file's `time` (or the last 6 hours). */
  time: TimeWindow | null;
  variables: Record<string, string[]>;
}

/** Grafana's marker for "every choice". */
export const ALL = "$__all";

export const TIME_PRESETS: readonly { label: string; from: string }[] = [
  { label: "Last 5 minutes", from: "now-5m" },
  { label: "Last 15 minutes", from: "now-15m" },
  { label: "Last 30 minutes", from: "now-30m" },
  { label: "Last 1 hour", from: "now-1h" },
  { label: "Last 3 hours", from: "now-3h" },
  { label: "Last 6 hours", from: "now-6h" },
  { label: "Last 12 hours", from: "now-12h" },
  { label: "Last 24 hours", from: "now-24h" },
  { label: "Last 2 days", from: "now-2d" },
  { label: "Last 7 days", from: "now-7d" },
  { label: "Last 30 days", from: "now-30d" },
  { label: "Last 90 days", from: "now-90d" },
  { label: "Last 1 year", from: "now-1y" },
];

const key = (root: string, path: string) => `kiln.dashboard-view.v1:${root}:${path}`;

export function readView(storage: StorageLike | null, root: string, path: string): DashboardView {
  const empty: DashboardView = { time: null, variables: {} };
  const text = storage?.getItem(key(root, path));
  if (!text) return empty;
  try {
    const parsed = JSON.parse(text) as Partial<DashboardView>;
    const time = parsed.time && typeof parsed.time.from === "string" && typeof parsed.time.to === "string" ? parsed.time : null;
    const variables: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(parsed.variables ?? {})) {
      if (Array.isArray(values)) variables[name] = values.filter((value): value is string => typeof value === "string");
    }
    return { time, variables };
  } catch {
    return empty;
  }
}

export function writeView(storage: StorageLike | null, root: string, path: string, view: DashboardView): void {
  try {
    storage?.setItem(key(root, path), JSON.stringify(view));
  } catch {
    // A full storage loses the remembered view, never the dashboard.
  }
}

/** "Last 3 hours" for a preset, "from → to" otherwise. */
export function timeLabel(window: TimeWindow): string {
  if (window.to === "now") {
    const preset = TIME_PRESETS.find((entry) => entry.from === window.from);
    if (preset) return preset.label;
  }
  return `${window.from} → ${window.to}`;
}

/** Whether the dashboard's queries use the time range at all (Grafana macros or a declared range). */
export function usesTime(dashboard: Dashboard): boolean {
  return (
    dashboard.time !== undefined ||
    dashboard.panels.some((panel) => panel.query.includes("$__")) ||
    (dashboard.variables ?? []).some((variable) => (variable.query ?? "").includes("$__"))
  );
}

/** The selection to send for the dashboard's variables: what was picked, where it is still a choice. */
export function selectionFor(
  picked: Record<string, string[]>,
  initial: Record<string, string[]>,
): Record<string, string[]> {
  return { ...initial, ...picked };
}

/** A toggle in a multi-select: All excludes single picks and the reverse; an empty pick falls back to All or nothing. */
export function toggleChoice(current: readonly string[], choice: string, includeAll: boolean): string[] {
  if (choice === ALL) return [ALL];
  const without = current.filter((value) => value !== ALL);
  const next = without.includes(choice) ? without.filter((value) => value !== choice) : [...without, choice];
  return next.length === 0 && includeAll ? [ALL] : next;
}

/** "All", "CA", "CA + 2" for a drop-down's button. */
export function selectionLabel(values: readonly string[]): string {
  if (values.length === 0) return "None";
  if (values.includes(ALL)) return "All";
  const [first = "", ...rest] = values;
  return rest.length === 0 ? first : `${first} + ${rest.length}`;
}

/**
 * The picks as the panels send them: "All" of a variable without an `allValue` becomes its choices,
 * already listed here, so the engine does not run the variable's query again for every panel on
 * every refresh.
 */
export function panelSelection(variables: readonly VariableChoices[], picked: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const { variable, choices, error } of variables) {
    const values = picked[variable.name] ?? [];
    out[variable.name] = values.includes(ALL) && variable.allValue === undefined && !error ? choices : values;
  }
  return out;
}

/** Whether a variable's query names another variable (`where state in ($state)`): chained drop-downs. */
export function chained(variables: readonly { name: string; query?: string }[]): boolean {
  return variables.some(({ name, query }) =>
    variables.some((other) => other.name !== name && query !== undefined && new RegExp(`\\$\\{?${other.name}\\b|\\[\\[${other.name}\\]\\]`).test(query)),
  );
}

/**
 * A variable's pick as the panels should use it: a pick its choices no longer offer (a chained
 * drop-down whose parent changed) falls back to the variable's first selection.
 */
export function currentPick(entry: VariableChoices, picked: readonly string[] | undefined): string[] {
  if (picked === undefined) return entry.initial;
  if (entry.error || entry.variable.query === undefined || picked.includes(ALL)) return [...picked];
  const kept = picked.filter((value) => entry.choices.includes(value));
  return kept.length > 0 || picked.length === 0 ? kept : entry.initial;
}
