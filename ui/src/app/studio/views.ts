import { LINEAGE_TAB, QUERY_TAB, STREAMS_TAB, THEME_KEY, type BottomView, type SidebarView, type ThemePreference } from "./state";
import { StudioEditor } from "./editor";
import { canvasTab, dashboardTab, docsTab } from "./tabSession";

/** Which view shows what: lineage, the query console, docs, the side and bottom panels, the theme. */
export class StudioViews extends StudioEditor {
  /** Set by the query console while it is mounted, so other views can send it work. */
  consoleActions: { runSql?: (sql: string) => void; preview?: (schema: string, name: string) => void } = {};

  showLineage(focus?: string): void {
    this.set({ activeTabId: LINEAGE_TAB.id, ...(focus !== undefined ? { lineageFocus: focus, lineageMode: "focus" as const } : {}) });
  }

  /** Follows the open model without switching the view mode (that is the user's choice). */
  setLineageFocus(lineageFocus: string | null): void {
    if (lineageFocus !== this.current.lineageFocus) this.set({ lineageFocus });
  }

  setLineageMode(lineageMode: "project" | "focus"): void {
    this.set({ lineageMode });
  }

  showQuery(): void {
    this.set({ activeTabId: QUERY_TAB.id });
  }

  /** Opens (or switches to) the stream console's tab. */
  showStreams(): void {
    const open = this.current.tabs.some((tab) => tab.id === STREAMS_TAB.id);
    this.set({ tabs: open ? this.current.tabs : [...this.current.tabs, STREAMS_TAB], activeTabId: STREAMS_TAB.id });
  }

  /** Opens the console and runs `sql` there (e.g. "Query this model" from the graph). */
  querySql(sql: string): void {
    this.showQuery();
    this.consoleActions.runSql?.(sql);
  }

  previewRelation(schema: string, name: string): void {
    this.showQuery();
    this.consoleActions.preview?.(schema, name);
  }

  showDocs(id: string): void {
    const tab = docsTab(id);
    const tabs = this.current.tabs.some((entry) => entry.id === tab.id)
      ? this.current.tabs.map((entry) => (entry.id === tab.id ? tab : entry))
      : [...this.current.tabs, tab];
    this.set({ tabs, activeTabId: tab.id, docsId: id });
  }

  /** Opens (or switches to) a dashboard's tab; `activate: false` only names an open tab anew. */
  openDashboard(path: string, title?: string, options: { activate?: boolean } = {}): void {
    const tab = dashboardTab(path, title);
    const open = this.current.tabs.some((entry) => entry.id === tab.id);
    const tabs = open ? this.current.tabs.map((entry) => (entry.id === tab.id && title ? tab : entry)) : [...this.current.tabs, tab];
    if (options.activate ?? true) this.set({ tabs, activeTabId: tab.id });
    else if (open && title) this.set({ tabs });
  }

  /** Opens (or switches to) a model's canvas tab; a path with no file yet is a new model. */
  openCanvas(path: string): void {
    const tab = canvasTab(path);
    const tabs = this.current.tabs.some((entry) => entry.id === tab.id) ? this.current.tabs : [...this.current.tabs, tab];
    this.set({ tabs, activeTabId: tab.id });
  }

  viewRun(viewedRunId: string | null): void {
    this.set({ viewedRunId, ...(viewedRunId ? { bottom: "progress" as const, bottomOpen: true } : {}) });
  }

  setSidebar(sidebar: SidebarView): void {
    this.set({ sidebar });
  }

  setBottom(bottom: BottomView, open = true): void {
    this.set({ bottom, bottomOpen: open });
  }

  toggleBottom(): void {
    this.set({ bottomOpen: !this.current.bottomOpen });
  }

  setPalette(open: boolean): void {
    this.set({ paletteOpen: open, quickOpenOpen: false });
  }

  setQuickOpen(open: boolean): void {
    this.set({ quickOpenOpen: open, paletteOpen: false });
  }

  setTheme(theme: ThemePreference): void {
    try {
      this.storage?.setItem(THEME_KEY, theme);
    } catch (error) {
      console.warn("Could not remember the theme", error);
    }
    this.set({ theme });
  }
}
