import { LINEAGE_TAB, QUERY_TAB, STREAMS_TAB, type StorageLike, type Tab } from "./state";

/**
 * The editor tabs of a project (which, in what order, which one is active), remembered per project
 * root so a reload of the browser studio or the desktop window comes back to the same place.
 * Only what identifies a tab is kept; titles are derived again and file contents are read from
 * disk (unsaved edits have their own crash-recovery drafts in `kiln.buffers.v1:<root>`).
 */
export interface TabSession {
  tabs: Tab[];
  activeTabId: string | null;
}

type SavedTab = { kind: "file"; path: string } | { kind: "canvas"; path: string } | { kind: "docs"; docsId: string } | { kind: "dashboard"; path: string } | { kind: "lineage" } | { kind: "query" } | { kind: "streams" };

export function tabSessionKey(projectRoot: string): string {
  return `kiln.tabs.v1:${projectRoot}`;
}

export function fileTab(path: string): Tab {
  return { id: `file:${path}`, kind: "file", title: path.split("/").pop() ?? path, path };
}

/** A dashboard's tab is named by its file; the title comes with the dashboard once it opens. */
export function dashboardTab(path: string, title?: string): Tab {
  const name = path.split("/").pop()?.replace(/\.ya?ml$/, "") ?? path;
  return { id: `dashboard:${path}`, kind: "dashboard", title: title ?? name, path };
}

/** A model on the canvas: its own tab beside the model's SQL editor tab. */
export function canvasTabId(path: string): string {
  return `canvas:${path}`;
}

export function canvasTab(path: string): Tab {
  const name = path.split("/").pop()?.replace(/\.sql$/i, "") ?? path;
  return { id: canvasTabId(path), kind: "canvas", title: `${name} · canvas`, path };
}

export function docsTab(docsId: string): Tab {
  return { id: "docs", kind: "docs", title: "Docs", docsId };
}

function savedTab(tab: Tab): SavedTab | null {
  if (tab.kind === "file") return tab.path ? { kind: "file", path: tab.path } : null;
  if (tab.kind === "docs") return tab.docsId ? { kind: "docs", docsId: tab.docsId } : null;
  if (tab.kind === "dashboard") return tab.path ? { kind: "dashboard", path: tab.path } : null;
  if (tab.kind === "canvas") return tab.path ? { kind: "canvas", path: tab.path } : null;
  return { kind: tab.kind };
}

function tabFromSaved(value: unknown): Tab | null {
  if (!value || typeof value !== "object") return null;
  const saved = value as Record<string, unknown>;
  switch (saved.kind) {
    case "file":
      return typeof saved.path === "string" && saved.path ? fileTab(saved.path) : null;
    case "docs":
      return typeof saved.docsId === "string" && saved.docsId ? docsTab(saved.docsId) : null;
    case "dashboard":
      return typeof saved.path === "string" && saved.path ? dashboardTab(saved.path) : null;
    case "canvas":
      return typeof saved.path === "string" && saved.path ? canvasTab(saved.path) : null;
    case "lineage":
      return LINEAGE_TAB;
    case "query":
      return QUERY_TAB;
    case "streams":
      return STREAMS_TAB;
    default:
      return null;
  }
}

export function writeTabSession(storage: StorageLike | null, projectRoot: string, session: TabSession): void {
  if (!storage) return;
  const tabs = session.tabs.map(savedTab).filter((tab): tab is SavedTab => tab !== null);
  try {
    storage.setItem(tabSessionKey(projectRoot), JSON.stringify({ tabs, activeTabId: session.activeTabId }));
  } catch (error) {
    // Quota or private mode: the tabs still work, they just will not come back after a reload.
    console.warn("Could not remember the open tabs", error);
  }
}

/**
 * The remembered tabs, or null when there are none. Unreadable entries are skipped, duplicates
 * dropped, and the lineage and query tabs (which cannot be closed) are always present.
 */
export function readTabSession(storage: StorageLike | null, projectRoot: string): TabSession | null {
  let parsed: unknown;
  try {
    const raw = storage?.getItem(tabSessionKey(projectRoot));
    if (!raw) return null;
    parsed = JSON.parse(raw);
  } catch {
    // A corrupt entry only costs the remembered layout; the project opens with the default tabs.
    return null;
  }
  if (!parsed || typeof parsed !== "object") return null;
  const record = parsed as Record<string, unknown>;
  const tabs: Tab[] = [];
  for (const value of Array.isArray(record.tabs) ? record.tabs : []) {
    const tab = tabFromSaved(value);
    if (tab && !tabs.some((existing) => existing.id === tab.id)) tabs.push(tab);
  }
  for (const fixed of [LINEAGE_TAB, QUERY_TAB]) {
    if (!tabs.some((tab) => tab.id === fixed.id)) tabs.push(fixed);
  }
  const active = typeof record.activeTabId === "string" ? record.activeTabId : null;
  return { tabs, activeTabId: tabs.some((tab) => tab.id === active) ? active : LINEAGE_TAB.id };
}

/**
 * Keeps the tabs `keep` accepts (files that still exist, docs of models still in the graph) and
 * moves the active tab to a neighbour when its own tab was dropped.
 */
export function pruneTabSession(session: TabSession, keep: (tab: Tab) => boolean): TabSession {
  const tabs = session.tabs.filter(keep);
  if (tabs.some((tab) => tab.id === session.activeTabId)) return { tabs, activeTabId: session.activeTabId };
  const index = session.tabs.findIndex((tab) => tab.id === session.activeTabId);
  const before = session.tabs.slice(0, Math.max(0, index)).filter(keep).at(-1);
  return { tabs, activeTabId: before?.id ?? tabs[0]?.id ?? null };
}
