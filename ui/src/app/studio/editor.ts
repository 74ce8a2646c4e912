import type { CompileResult } from "../../api";
import { BackendError, FILE_CONFLICT_CODE } from "../../backend/backend";
import type { StudioState, Tab } from "./state";
import { StudioWorkspace } from "./workspace";

/** Tabs, and the files open in them: open, save (with conflict detection), reload, close. */
export class StudioEditor extends StudioWorkspace {
  private revealCounter = 0;

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
