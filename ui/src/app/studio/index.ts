import type { EngineEvent, ProjectInfo } from "../../api";
import { ListenerSet } from "../../backend/backend";
import { LINEAGE_TAB, QUERY_TAB, errorDiagnostic } from "./state";
import { StudioRuns } from "./runs";

export * from "./state";

/**
 * The app's state and actions, outside React so components stay thin and behaviour is testable.
 * Components read it through `useStudio(selector)`; it emits at most one change per frame while
 * a build streams thousands of node events. Each concern lives in its own class of the chain
 * (store → workspace → editor → views → runs); this last one starts the studio, opens projects
 * and routes engine events.
 */
export class Studio extends StudioRuns {
  private unsubscribeEvents: (() => void) | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly changedPaths = new Set<string>();
  /** Query progress events, for the console's open results. */
  readonly queryEvents = new ListenerSet<Extract<EngineEvent, { type: "queryProgress" }>>();
  /** Paths changed on disk (dashboards reload when their file changes). */
  readonly fileEvents = new ListenerSet<string[]>();

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
    this.pauseTabSession();
    this.replaceBuffers(project.root);
    const selectorHistory = this.useSelectorHistory(project.root);
    this.set({
      project,
      projectError: null,
      starting: false,
      tabs: [LINEAGE_TAB, QUERY_TAB],
      activeTabId: LINEAGE_TAB.id,
      pendingClose: null,
      selectorHistory,
      compiled: {},
      docsId: null,
    });
    await Promise.all([this.refreshTree(), this.refreshGraph(), this.refreshRunHistory()]);
    // The remembered tabs first, so files with drafts that were not open join them at the end.
    await this.restoreTabs(project.root);
    // Files with crash-recovery drafts reopen straight away so nothing is silently forgotten.
    const drafts = this.buffers.draftPaths();
    for (const path of drafts) await this.openFile(path, { activate: false });
    if (drafts.length > 0) {
      this.toast("info", `Restored unsaved changes in ${drafts.length} file${drafts.length === 1 ? "" : "s"}.`, drafts.join(", "));
    }
  }

  handleEvent(event: EngineEvent): void {
    switch (event.type) {
      case "fileChanged":
        this.scheduleRefresh(event.paths);
        this.fileEvents.emit(event.paths);
        break;
      case "queryProgress":
        this.queryEvents.emit(event);
        break;
      default:
        this.applyRunEvent(event);
    }
  }

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

  dispose(): void {
    this.unsubscribeEvents?.();
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
  }
}
