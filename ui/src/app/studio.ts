import type {
  CompileResult,
  DiagnosticDto,
  EngineEvent,
  FileNode,
  GraphDto,
  NodeStatusDto,
  ProjectInfo,
  RunCommand,
  RunRecord,
} from "../api";
import { BackendError, ListenerSet, diagnosticFromUnknown, type Backend, type ConnectionState } from "../backend/backend";
import { BufferStore } from "../features/editor/buffers";
import type { Command } from "../features/palette/commands";
import { nodeStatusFromResult, reduceRunProgress, type RunProgress } from "../features/runs/progress";
import { SelectorHistory, parseSelector } from "../features/runs/selector";

export type TabKind = "file" | "lineage" | "query" | "docs";

export interface Tab {
  id: string;
  kind: TabKind;
  title: string;
  path?: string;
  docsId?: string;
}

export interface Toast {
  id: number;
  kind: "error" | "info" | "success";
  message: string;
  detail?: string;
}

export type ThemePreference = "system" | "light" | "dark";
export type SidebarView = "files" | "database" | "runs";
export type BottomView = "progress" | "log";

export interface RevealRequest {
  path: string;
  line: number;
  column: number;
  nonce: number;
}

export interface StudioState {
  project: ProjectInfo | null;
  projectError: DiagnosticDto | null;
  starting: boolean;
  recentProjects: string[];
  tree: FileNode | null;
  graph: GraphDto | null;
  graphError: DiagnosticDto | null;
  tabs: Tab[];
  activeTabId: string | null;
  run: RunProgress | null;
  /** Statuses from the run in progress, shown on the lineage graph before it is refetched. */
  liveStatus: ReadonlyMap<string, NodeStatusDto>;
  runHistory: RunRecord[];
  connection: ConnectionState;
  toasts: Toast[];
  theme: ThemePreference;
  paletteOpen: boolean;
  quickOpenOpen: boolean;
  sidebar: SidebarView;
  bottom: BottomView;
  bottomOpen: boolean;
  compiled: Readonly<Record<string, CompileResult>>;
  cursor: { line: number; column: number } | null;
  reveal: RevealRequest | null;
  selectorText: string;
  selectorHistory: readonly string[];
  /** The model whose docs the side panel shows. */
  docsId: string | null;
  /** A past run picked in the history list; the run panel shows its results instead of the live run. */
  viewedRunId: string | null;
  /** Node the lineage view centres on when in "around a model" mode. */
  lineageFocus: string | null;
  lineageMode: "project" | "focus";
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const THEME_KEY = "kiln.theme";
export const LINEAGE_TAB: Tab = { id: "lineage", kind: "lineage", title: "Lineage" };
export const QUERY_TAB: Tab = { id: "query", kind: "query", title: "Query" };

/**
 * The app's state and actions, outside React so components stay thin and behaviour is testable.
 * Components read it through `useStudio(selector)`; it emits at most one change per frame while
 * a build streams thousands of node events.
 */
export class Studio {
  private current: StudioState;
  private readonly listeners = new Set<() => void>();
  private readonly commandSets = new Map<string, Command[]>();
  private commandCache: Command[] | null = null;
  private toastCounter = 0;
  private revealCounter = 0;
  private pendingNotify = false;
  private unsubscribeEvents: (() => void) | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private history: SelectorHistory | null = null;
  buffers: BufferStore;
  /** Changes of whichever BufferStore is current; the store is replaced when a project opens. */
  readonly bufferChanges = new ListenerSet<void>();
  private bufferRevision = 0;
  private unsubscribeBuffers: (() => void) | null = null;
  /** Set by the query console while it is mounted, so other views can send it work. */
  consoleActions: { runSql?: (sql: string) => void; preview?: (schema: string, name: string) => void } = {};
  /** Query progress events, for the console's open results. */
  readonly queryEvents = new ListenerSet<Extract<EngineEvent, { type: "queryProgress" }>>();

  constructor(
    readonly backend: Backend,
    private readonly storage: StorageLike | null,
    private readonly schedule: (callback: () => void) => void = (callback) => requestAnimationFrame(() => callback()),
  ) {
    this.buffers = new BufferStore(storage, "");
    this.attachBuffers();
    this.current = {
      project: null,
      projectError: null,
      starting: true,
      recentProjects: [],
      tree: null,
      graph: null,
      graphError: null,
      tabs: [],
      activeTabId: null,
      run: null,
      liveStatus: new Map(),
      runHistory: [],
      connection: "connecting",
      toasts: [],
      theme: readTheme(storage),
      paletteOpen: false,
      quickOpenOpen: false,
      sidebar: "files",
      bottom: "progress",
      bottomOpen: false,
      compiled: {},
      cursor: null,
      reveal: null,
      selectorText: "",
      selectorHistory: [],
      docsId: null,
      viewedRunId: null,
      lineageFocus: null,
      lineageMode: "project",
    };
  }

  get bufferVersion(): number {
    return this.bufferRevision;
  }

  private attachBuffers(): void {
    this.unsubscribeBuffers?.();
    this.unsubscribeBuffers = this.buffers.subscribe(() => {
      this.bufferRevision += 1;
      this.bufferChanges.emit();
    });
    this.bufferRevision += 1;
    this.bufferChanges.emit();
  }

  get state(): StudioState {
    return this.current;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = (): StudioState => this.current;

  private set(patch: Partial<StudioState>, immediate = true): void {
    this.current = { ...this.current, ...patch };
    if (immediate) {
      this.emit();
      return;
    }
    if (this.pendingNotify) return;
    this.pendingNotify = true;
    this.schedule(() => {
      this.pendingNotify = false;
      this.emit();
    });
  }

  private emit(): void {
    for (const listener of [...this.listeners]) listener();
  }

  // ------------------------------------------------------------------ startup and project

  async start(): Promise<void> {
    this.unsubscribeEvents?.();
    const offEvents = this.backend.subscribe((event) => this.handleEvent(event));
    const offConnection = this.backend.subscribeConnection((connection) => this.set({ connection }));
    this.unsubscribeEvents = () => {
      offEvents();
      offConnection();
    };
    const recent = await this.backend.call("recentProjects", {}).catch(() => ({ projects: [] }));
    try {
      const project = await this.backend.call("projectInfo", {});
      this.set({ recentProjects: recent.projects });
      await this.loadProject(project);
    } catch (error) {
      // No project open yet is the normal first-launch state: show the open screen.
      this.set({ starting: false, recentProjects: recent.projects, projectError: errorDiagnostic(error) });
    }
  }

  async openProject(path: string): Promise<void> {
    this.set({ starting: true, projectError: null });
    try {
      const project = await this.backend.call("openProject", { path });
      await this.loadProject(project);
    } catch (error) {
      this.set({ starting: false, projectError: errorDiagnostic(error) });
    }
  }

  private async loadProject(project: ProjectInfo): Promise<void> {
    this.buffers = new BufferStore(this.storage, project.root);
    this.attachBuffers();
    this.history = new SelectorHistory(this.storage, `kiln.selectors.v1:${project.root}`);
    this.set({
      project,
      projectError: null,
      starting: false,
      tabs: [LINEAGE_TAB, QUERY_TAB],
      activeTabId: LINEAGE_TAB.id,
      selectorHistory: this.history.list(),
      compiled: {},
      docsId: null,
    });
    await Promise.all([this.refreshTree(), this.refreshGraph(), this.refreshRunHistory()]);
    // Files with crash-recovery drafts reopen straight away so nothing is silently forgotten.
    const drafts = this.buffers.draftPaths();
    for (const path of drafts) await this.openFile(path, { activate: false });
    if (drafts.length > 0) {
      this.toast("info", `Restored unsaved changes in ${drafts.length} file${drafts.length === 1 ? "" : "s"}.`, drafts.join(", "));
    }
  }

  async refreshTree(): Promise<void> {
    try {
      const tree = await this.backend.call("fileTree", {});
      this.set({ tree });
    } catch (error) {
      this.reportError("Could not list the project files", error);
    }
  }

  async refreshGraph(): Promise<void> {
    try {
      const graph = await this.backend.call("graph", {});
      this.set({ graph, graphError: null });
    } catch (error) {
      this.set({ graphError: errorDiagnostic(error) });
    }
  }

  async refreshRunHistory(): Promise<void> {
    try {
      const history = await this.backend.call("runHistory", {});
      this.set({ runHistory: history.runs });
    } catch (error) {
      this.reportError("Could not load the run history", error);
    }
  }

  // ------------------------------------------------------------------ tabs and files

  activate(tabId: string): void {
    if (this.current.tabs.some((tab) => tab.id === tabId)) this.set({ activeTabId: tabId });
  }

  activeTab(): Tab | undefined {
    return this.current.tabs.find((tab) => tab.id === this.current.activeTabId);
  }

  async openFile(path: string, options: { activate?: boolean; line?: number; column?: number } = {}): Promise<void> {
    const id = `file:${path}`;
    if (!this.buffers.get(path)) {
      try {
        const file = await this.backend.call("readFile", { path });
        this.buffers.open(file);
      } catch (error) {
        this.reportError(`Could not open ${path}`, error);
        return;
      }
    }
    const tabs = this.current.tabs.some((tab) => tab.id === id)
      ? this.current.tabs
      : [...this.current.tabs, { id, kind: "file" as const, title: path.split("/").pop() ?? path, path }];
    const patch: Partial<StudioState> = { tabs };
    if (options.activate ?? true) patch.activeTabId = id;
    if (options.line !== undefined) {
      this.revealCounter += 1;
      patch.reveal = { path, line: options.line, column: options.column ?? 1, nonce: this.revealCounter };
    }
    this.set(patch);
  }

  closeTab(tabId: string): void {
    const tabs = this.current.tabs.filter((tab) => tab.id !== tabId);
    const closed = this.current.tabs.find((tab) => tab.id === tabId);
    if (closed?.path) this.buffers.close(closed.path);
    let activeTabId = this.current.activeTabId;
    if (activeTabId === tabId) {
      const index = this.current.tabs.findIndex((tab) => tab.id === tabId);
      activeTabId = tabs[Math.min(index, tabs.length - 1)]?.id ?? null;
    }
    this.set({ tabs, activeTabId });
  }

  async saveFile(path: string, options: { overwrite?: boolean } = {}): Promise<boolean> {
    const buffer = this.buffers.get(path);
    if (!buffer) return false;
    try {
      const request = options.overwrite
        ? { path, content: buffer.content }
        : { path, content: buffer.content, expectedVersion: buffer.version };
      const saved = await this.backend.call("writeFile", request);
      this.buffers.markSaved(saved);
      void this.refreshGraph();
      return true;
    } catch (error) {
      if (error instanceof BackendError && error.code === "K1006") {
        const onDisk = await this.backend.call("readFile", { path }).catch(() => null);
        if (onDisk) this.buffers.diskChanged(onDisk);
        this.toast("error", `${path} changed on disk since you opened it.`, "Use the banner above the editor to reload it or overwrite it with your version.");
        return false;
      }
      this.reportError(`Could not save ${path}`, error);
      return false;
    }
  }

  async saveActive(): Promise<void> {
    const tab = this.activeTab();
    if (tab?.path) await this.saveFile(tab.path);
  }

  async reloadFromDisk(path: string): Promise<void> {
    try {
      const file = await this.backend.call("readFile", { path });
      this.buffers.revert(file);
    } catch (error) {
      this.reportError(`Could not reload ${path}`, error);
    }
  }

  async overwriteDisk(path: string): Promise<void> {
    await this.saveFile(path, { overwrite: true });
  }

  setCompiled(path: string, result: CompileResult): void {
    this.set({ compiled: { ...this.current.compiled, [path]: result } }, false);
  }

  setCursor(cursor: { line: number; column: number } | null): void {
    this.set({ cursor }, false);
  }

  // ------------------------------------------------------------------ views

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
    const tabId = "docs";
    const tab: Tab = { id: tabId, kind: "docs", title: "Docs", docsId: id };
    const tabs = this.current.tabs.some((entry) => entry.id === tabId)
      ? this.current.tabs.map((entry) => (entry.id === tabId ? tab : entry))
      : [...this.current.tabs, tab];
    this.set({ tabs, activeTabId: tabId, docsId: id });
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

  // ------------------------------------------------------------------ runs

  setSelectorText(selectorText: string): void {
    this.set({ selectorText });
  }

  async startRun(command: RunCommand, selectorText = this.current.selectorText): Promise<void> {
    const parsed = parseSelector(selectorText);
    if (!parsed.ok) {
      this.toast("error", "The selector is not valid.", parsed.error);
      return;
    }
    if (selectorText.trim().length > 0 && this.history) {
      this.set({ selectorHistory: this.history.remember(selectorText) });
    }
    try {
      await this.backend.call("startRun", { command, ...parsed.selection });
      this.set({ bottom: "progress", bottomOpen: true, liveStatus: new Map(), viewedRunId: null });
    } catch (error) {
      this.reportError(`Could not start ${command}`, error);
    }
  }

  async cancelRun(): Promise<void> {
    const run = this.current.run;
    if (!run || run.status !== "running") return;
    try {
      await this.backend.call("cancelRun", { runId: run.runId });
    } catch (error) {
      this.reportError("Could not cancel the run", error);
    }
  }

  isRunning(): boolean {
    return this.current.run?.status === "running";
  }

  // ------------------------------------------------------------------ events

  handleEvent(event: EngineEvent): void {
    switch (event.type) {
      case "runStarted":
      case "nodeStarted":
      case "log": {
        const run = reduceRunProgress(this.current.run, event, Date.now());
        const patch: Partial<StudioState> = { run };
        if (event.type === "runStarted") {
          patch.liveStatus = new Map();
          patch.bottomOpen = true;
        }
        this.set(patch, false);
        break;
      }
      case "nodeFinished": {
        const run = reduceRunProgress(this.current.run, event, Date.now());
        const status = nodeStatusFromResult(event.result.status);
        let liveStatus = this.current.liveStatus;
        if (status && run?.runId === event.runId) {
          const next = new Map(liveStatus);
          next.set(event.result.uniqueId, status);
          liveStatus = next;
        }
        this.set({ run, liveStatus }, false);
        break;
      }
      case "runFinished": {
        const run = reduceRunProgress(this.current.run, event, Date.now());
        this.set({ run });
        void this.refreshGraph();
        void this.refreshRunHistory();
        break;
      }
      case "fileChanged":
        this.scheduleRefresh(event.paths);
        break;
      case "queryProgress":
        this.queryEvents.emit(event);
        break;
    }
  }

  private changedPaths = new Set<string>();

  /** Editors save in bursts (and git checkouts touch hundreds of files); refresh once per burst. */
  private scheduleRefresh(paths: string[]): void {
    for (const path of paths) this.changedPaths.add(path);
    if (this.refreshTimer !== null) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      const changed = [...this.changedPaths];
      this.changedPaths.clear();
      void this.refreshTree();
      void this.refreshGraph();
      for (const path of changed) {
        if (!this.buffers.get(path)) continue;
        this.backend
          .call("readFile", { path })
          .then((file) => this.buffers.diskChanged(file))
          .catch((error: unknown) => this.reportError(`Could not reload ${path}`, error));
      }
    }, 150);
  }

  // ------------------------------------------------------------------ commands and toasts

  /** Views contribute commands (for the palette and shortcuts) while they are mounted. */
  registerCommands(owner: string, commands: Command[]): () => void {
    this.commandSets.set(owner, commands);
    this.commandCache = null;
    return () => {
      if (this.commandSets.get(owner) === commands) {
        this.commandSets.delete(owner);
        this.commandCache = null;
      }
    };
  }

  commands(): Command[] {
    this.commandCache ??= [...this.commandSets.values()].flat();
    return this.commandCache;
  }

  toast(kind: Toast["kind"], message: string, detail?: string): void {
    this.toastCounter += 1;
    const toast: Toast = { id: this.toastCounter, kind, message, ...(detail ? { detail } : {}) };
    this.set({ toasts: [...this.current.toasts.slice(-4), toast] });
    const lifetime = kind === "error" ? 9000 : 4000;
    setTimeout(() => this.dismissToast(toast.id), lifetime);
  }

  dismissToast(id: number): void {
    if (!this.current.toasts.some((toast) => toast.id === id)) return;
    this.set({ toasts: this.current.toasts.filter((toast) => toast.id !== id) });
  }

  reportError(context: string, error: unknown): void {
    const diagnostic = errorDiagnostic(error);
    const detail = [diagnostic.code, diagnostic.message, diagnostic.hint].filter(Boolean).join(" · ");
    this.toast("error", context, detail);
  }

  dispose(): void {
    this.unsubscribeEvents?.();
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
  }
}

export function errorDiagnostic(error: unknown): DiagnosticDto {
  if (error instanceof BackendError) return error.diagnostic;
  return diagnosticFromUnknown(error);
}

function readTheme(storage: StorageLike | null): ThemePreference {
  try {
    const value = storage?.getItem(THEME_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

/** Flattens the explorer tree into file paths for quick open and completion. */
export function flattenFiles(node: FileNode | null): FileNode[] {
  if (!node) return [];
  const files: FileNode[] = [];
  const stack: FileNode[] = [node];
  while (stack.length > 0) {
    const current = stack.pop() as FileNode;
    if (current.kind === "dir") {
      for (let index = current.children.length - 1; index >= 0; index -= 1) {
        const child = current.children[index];
        if (child) stack.push(child);
      }
    } else {
      files.push(current);
    }
  }
  return files;
}
