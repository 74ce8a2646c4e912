import type { CompileResult, DiagnosticDto, FileNode, GraphDto, NodeStatusDto, ProjectInfo, RunRecord } from "../../api";
import { BackendError, diagnosticFromUnknown, type ConnectionState } from "../../backend/backend";
import type { RunProgress } from "../../features/runs/progress";

export type TabKind = "file" | "lineage" | "query" | "docs" | "dashboard" | "streams" | "canvas";

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

/** A dirty file tab the user asked to close: the studio waits for Save, Don't save or Cancel. */
export interface PendingClose {
  tabId: string;
  path: string;
  title: string;
  /** Save was chosen and the write is in flight; the dialog stays up until it answers. */
  saving: boolean;
}

export type ThemePreference = "system" | "light" | "dark";
export type SidebarView = "files" | "database" | "runs" | "dashboards";
export type BottomView = "progress" | "log";

export interface RevealRequest {
  path: string;
  line: number;
  column: number;
  nonce: number;
}

/** What the selector box's text selects, as the engine answered; `error` when it cannot parse. */
export interface SelectionPreview {
  text: string;
  ids: ReadonlySet<string>;
  unmatched: readonly string[];
  error: string | null;
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
  pendingClose: PendingClose | null;
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
  /** The nodes the selector box's text picks (the engine's answer), highlighted in the lineage. */
  selectionPreview: SelectionPreview | null;
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

export const THEME_KEY = "kiln.theme";
export const LINEAGE_TAB: Tab = { id: "lineage", kind: "lineage", title: "Lineage" };
export const QUERY_TAB: Tab = { id: "query", kind: "query", title: "Query" };
export const STREAMS_TAB: Tab = { id: "streams", kind: "streams", title: "Streams" };

/** The state before anything is known: starting, no project, the remembered theme. */
export function initialState(storage: StorageLike | null): StudioState {
  return {
    project: null,
    projectError: null,
    starting: true,
    recentProjects: [],
    tree: null,
    graph: null,
    graphError: null,
    tabs: [],
    activeTabId: null,
    pendingClose: null,
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
    selectionPreview: null,
    docsId: null,
    viewedRunId: null,
    lineageFocus: null,
    lineageMode: "project",
  };
}

function readTheme(storage: StorageLike | null): ThemePreference {
  try {
    const value = storage?.getItem(THEME_KEY);
    return value === "light" || value === "dark" ? value : "system";
  } catch {
    return "system";
  }
}

export function errorDiagnostic(error: unknown): DiagnosticDto {
  if (error instanceof BackendError) return error.diagnostic;
  return diagnosticFromUnknown(error);
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
