import type { CompileResult } from "../../api";
import { BackendError, FILE_CONFLICT_CODE } from "../../backend/backend";
import { isDirty } from "../../features/editor/buffers";
import { LINEAGE_TAB, flattenFiles, type StudioState, type Tab } from "./state";
import { canvasTab, fileTab, pruneTabSession, readTabSession, writeTabSession } from "./tabSession";
import { StudioWorkspace } from "./workspace";

export type CloseAnswer = "save" | "discard" | "cancel";

/**
 * Tabs, and the files open in them: open, save (with conflict detection), reload, close (asking
 * first when a file has unsaved edits). The tabs are remembered per project (`tabSession.ts`).
 */
export class StudioEditor extends StudioWorkspace {
  private revealCounter = 0;
  /**
   * The project whose tabs are being remembered. Null while a project opens, so the default tabs
   * it starts with do not overwrite the remembered ones before `restoreTabs` has read them.
   */
  private tabSessionRoot: string | null = null;

  protected override set(patch: Partial<StudioState>, immediate = true): void {
    super.set(patch, immediate);
    if (this.tabSessionRoot !== null && ("tabs" in patch || "activeTabId" in patch)) {
      writeTabSession(this.storage, this.tabSessionRoot, { tabs: this.current.tabs, activeTabId: this.current.activeTabId });
    }
  }

  /** Called as a project starts opening: its tabs are not remembered until they are restored. */
  protected pauseTabSession(): void {
    this.tabSessionRoot = null;
  }

  /**
   * Reopens the tabs remembered for `root`, after the tree and graph have loaded. Files deleted or
   * renamed since, and docs of models no longer in the graph, are dropped without a word: the
   * user removed them, so a toast per tab would only be noise. A file that exists but cannot be
   * read is different, and gets one toast for all of them.
   */
  protected async restoreTabs(root: string): Promise<void> {
    const session = readTabSession(this.storage, root);
    if (!session) {
      this.tabSessionRoot = root;
      return;
    }
    const files = this.current.tree ? new Set(flattenFiles(this.current.tree).map((file) => file.path)) : null;
    const nodes = this.current.graph ? new Set(this.current.graph.nodes.map((node) => node.id)) : null;
    let kept = pruneTabSession(session, (tab) => {
      if (tab.kind === "file" || tab.kind === "canvas") return files === null || files.has(tab.path ?? "");
      if (tab.kind === "docs") return nodes === null || nodes.has(tab.docsId ?? "");
      return true;
    });
    const unreadable: string[] = [];
    const toRead = kept.tabs.flatMap((tab) => (tab.path && tab.kind !== "canvas" && !this.buffers.get(tab.path) ? [tab.path] : []));
    await Promise.all(
      toRead.map(async (path) => {
        try {
          this.buffers.open(await this.backend.call("readFile", { path }));
        } catch {
          unreadable.push(path);
        }
      }),
    );
    if (unreadable.length > 0) {
      kept = pruneTabSession(kept, (tab) => !unreadable.includes(tab.path ?? ""));
      this.toast("error", `Could not reopen ${unreadable.length} file${unreadable.length === 1 ? "" : "s"} from the last session.`, unreadable.join(", "));
    }
    // Tabs opened while the files were being read stay (after the remembered ones), and so does
    // a tab the user switched to meanwhile.
    const restoredIds = new Set(kept.tabs.map((tab) => tab.id));
    const tabs = [...kept.tabs, ...this.current.tabs.filter((tab) => !restoredIds.has(tab.id))];
    const userChose = this.current.activeTabId !== LINEAGE_TAB.id && tabs.some((tab) => tab.id === this.current.activeTabId);
    const docsId = kept.tabs.find((tab) => tab.kind === "docs")?.docsId ?? this.current.docsId;
    this.tabSessionRoot = root;
    this.set({ tabs, activeTabId: userChose ? this.current.activeTabId : kept.activeTabId, docsId });
  }

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
    const tabs = this.current.tabs.some((tab) => tab.id === id) ? this.current.tabs : [...this.current.tabs, fileTab(path)];
    const patch: Partial<StudioState> = { tabs };
    if (options.activate ?? true) patch.activeTabId = id;
    if (options.line !== undefined) {
      this.revealCounter += 1;
      patch.reveal = { path, line: options.line, column: options.column ?? 1, nonce: this.revealCounter };
    }
    this.set(patch);
  }

  /**
   * Every way of closing a tab (its close button, middle click, the close command) comes here. A
   * file with unsaved edits is not closed but asked about: `pendingClose` shows the dialog, and
   * `answerPendingClose` carries out the answer.
   */
  closeTab(tabId: string): void {
    if (this.current.pendingClose) return;
    const tab = this.current.tabs.find((entry) => entry.id === tabId);
    if (!tab) return;
    // A canvas tab shares its model's path but not its buffer: the canvas keeps its own steps.
    const buffer = tab.path && tab.kind !== "canvas" ? this.buffers.get(tab.path) : undefined;
    if (tab.path && buffer && isDirty(buffer)) {
      this.set({ pendingClose: { tabId, path: tab.path, title: tab.title, saving: false } });
      return;
    }
    this.closeTabNow(tabId);
  }

  /**
   * Save writes and then closes (a failed or conflicting save leaves the tab open, the toast and
   * the editor's banner say why); Don't save drops the edits and their crash-recovery draft.
   */
  async answerPendingClose(answer: CloseAnswer): Promise<void> {
    const pending = this.current.pendingClose;
    if (!pending || pending.saving) return;
    if (answer === "cancel") {
      this.set({ pendingClose: null });
      return;
    }
    if (answer === "discard") {
      this.buffers.discardDraft(pending.path);
      this.set({ pendingClose: null });
      this.closeTabNow(pending.tabId);
      return;
    }
    this.set({ pendingClose: { ...pending, saving: true } });
    const saved = await this.saveFile(pending.path);
    this.set({ pendingClose: null });
    if (saved) this.closeTabNow(pending.tabId);
  }

  /** Closes without asking, for callers that know the edits are safe (a rename moved the file). */
  closeTabNow(tabId: string): void {
    const tabs = this.current.tabs.filter((tab) => tab.id !== tabId);
    const closed = this.current.tabs.find((tab) => tab.id === tabId);
    if (closed?.path && closed.kind !== "canvas") this.buffers.close(closed.path);
    let activeTabId = this.current.activeTabId;
    if (activeTabId === tabId) {
      const index = this.current.tabs.findIndex((tab) => tab.id === tabId);
      activeTabId = tabs[Math.min(index, tabs.length - 1)]?.id ?? null;
    }
    this.set({ tabs, activeTabId });
  }

  /**
   * Files moved on disk by the explorer (a rename or a move, of them or of a folder above them):
   * their tabs, buffers (unsaved edits included) and compiled results follow to the new paths.
   */
  followMoves(moves: ReadonlyArray<{ from: string; to: string }>): void {
    if (moves.length === 0) return;
    const to = new Map(moves.map((move) => [move.from, move.to]));
    for (const move of moves) this.buffers.rename(move.from, move.to);
    const ids = new Map<string, string>();
    const tabs = this.current.tabs.map((tab) => {
      const moved = tab.path !== undefined ? to.get(tab.path) : undefined;
      if (moved === undefined) return tab;
      const next = tab.kind === "file" ? fileTab(moved) : tab.kind === "canvas" ? canvasTab(moved) : { ...tab, id: tab.id.replace(tab.path ?? "", moved), path: moved };
      ids.set(tab.id, next.id);
      return next;
    });
    const compiled = Object.fromEntries(Object.entries(this.current.compiled).map(([path, result]) => [to.get(path) ?? path, result]));
    const active = this.current.activeTabId;
    this.set({ tabs, compiled, activeTabId: active !== null ? (ids.get(active) ?? active) : null });
  }

  /** Files deleted from the explorer (the user confirmed): their tabs close without asking. */
  closeDeleted(paths: readonly string[]): void {
    const deleted = new Set(paths);
    for (const tab of this.current.tabs) {
      if (tab.path === undefined || !deleted.has(tab.path)) continue;
      this.buffers.discardDraft(tab.path);
      this.closeTabNow(tab.id);
    }
    for (const path of paths) if (this.buffers.draftPaths().includes(path)) this.buffers.discardDraft(path);
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
      if (error instanceof BackendError && error.code === FILE_CONFLICT_CODE) {
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
}
