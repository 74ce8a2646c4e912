import type { StatementResultDto } from "../../api";
import type { StorageLike } from "../../app/studio";

/**
 * The query console's result tabs, remembered per project so a reload brings them back. Only the
 * description of each result is kept (label, query id, statement, columns, SQL, timing, error,
 * row count), never its rows: localStorage is small, and the engine still holds the rows while
 * its process lives, so a restored tab fetches them again (`RestoredResult`).
 */
export interface PersistedResultTab {
  key: string;
  label: string;
  queryId: string | null;
  result: StatementResultDto;
  totalRows: number | null;
}

/** How many result tabs come back; a 200-statement script should not fill localStorage. */
export const MAX_KEPT_RESULT_TABS = 20;
/** A bound on what is written (SQL and column lists can be long); oldest tabs go first. */
const MAX_STORED_CHARS = 200_000;
const RESTORED_KEY_PREFIX = "restored:";

export function resultTabsKey(projectRoot: string): string {
  return `kiln.results.v1:${projectRoot}`;
}

/** A tab read back from storage: its rows are not loaded yet, and may be gone from the engine. */
export function isRestoredTab(tab: { key: string }): boolean {
  return tab.key.startsWith(RESTORED_KEY_PREFIX);
}

interface StoredTab {
  label: string;
  queryId: string | null;
  totalRows: number | null;
  result: Omit<StatementResultDto, "firstPage">;
}

export function saveResultTabs(storage: StorageLike | null, projectRoot: string, tabs: readonly PersistedResultTab[], activeKey: string | null): void {
  if (!storage) return;
  const activeIndex = tabs.findIndex((tab) => tab.key === activeKey);
  // The newest tabs, moved back far enough that the active one stays among them.
  const start = Math.min(Math.max(0, tabs.length - MAX_KEPT_RESULT_TABS), activeIndex < 0 ? tabs.length : activeIndex);
  const kept = tabs.slice(start, start + MAX_KEPT_RESULT_TABS);
  const stored: StoredTab[] = kept.map((tab) => {
    const { firstPage, ...result } = tab.result;
    return { label: tab.label, queryId: tab.queryId, totalRows: tab.totalRows, result };
  });
  let active = activeIndex < 0 ? null : activeIndex - start;
  let text = JSON.stringify({ tabs: stored, active });
  while (text.length > MAX_STORED_CHARS && stored.length > 1) {
    const dropped = active === 0 ? stored.length - 1 : 0;
    stored.splice(dropped, 1);
    if (active !== null && dropped < active) active -= 1;
    text = JSON.stringify({ tabs: stored, active });
  }
  try {
    if (stored.length === 0) storage.removeItem(resultTabsKey(projectRoot));
    else storage.setItem(resultTabsKey(projectRoot), text);
  } catch (error) {
    // Quota or private mode: the results still show, they just will not come back after a reload.
    console.warn("Could not remember the query results", error);
  }
}

export function loadResultTabs(storage: StorageLike | null, projectRoot: string): { tabs: PersistedResultTab[]; activeKey: string | null } {
  let parsed: unknown;
  try {
    const raw = storage?.getItem(resultTabsKey(projectRoot));
    if (!raw) return { tabs: [], activeKey: null };
    parsed = JSON.parse(raw);
  } catch {
    // A corrupt entry only costs the old results; the console starts empty.
    return { tabs: [], activeKey: null };
  }
  const record = parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  const entries = Array.isArray(record.tabs) ? record.tabs : [];
  const tabs: PersistedResultTab[] = [];
  let activeKey: string | null = null;
  entries.forEach((entry: unknown, index) => {
    const tab = tabFromStored(entry, `${RESTORED_KEY_PREFIX}${index}`);
    if (!tab) return;
    tabs.push(tab);
    if (record.active === index) activeKey = tab.key;
  });
  return { tabs, activeKey: activeKey ?? tabs.at(-1)?.key ?? null };
}

function tabFromStored(value: unknown, key: string): PersistedResultTab | null {
  if (!value || typeof value !== "object") return null;
  const stored = value as Record<string, unknown>;
  const result = stored.result && typeof stored.result === "object" ? (stored.result as Record<string, unknown>) : null;
  if (!result || typeof stored.label !== "string" || !nullable(stored.queryId, "string") || !nullable(stored.totalRows, "number")) return null;
  if (typeof result.index !== "number" || typeof result.sql !== "string" || !Array.isArray(result.columns) || typeof result.elapsed !== "number") return null;
  // typeof null is "object": a result either failed (a diagnostic) or did not (null).
  if (!nullable(result.totalRows, "number") || typeof result.error !== "object") return null;
  return {
    key,
    label: stored.label,
    queryId: stored.queryId as string | null,
    totalRows: stored.totalRows as number | null,
    result: { ...(result as Omit<StatementResultDto, "firstPage">), firstPage: [] },
  };
}

function nullable(value: unknown, type: "string" | "number"): boolean {
  return value === null || typeof value === type;
}
