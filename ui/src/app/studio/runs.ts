import type { EngineEvent, RunCommand } from "../../api";
import { nodeStatusFromResult, reduceRunProgress } from "../../features/runs/progress";
import { describeOrigin, windowClientId } from "../../features/runs/origin";
import { SelectorHistory, parseSelector } from "../../features/runs/selector";
import { errorDiagnostic, type StudioState } from "./state";
import { StudioViews } from "./views";

type RunEvent = Extract<EngineEvent, { type: "runStarted" | "nodeStarted" | "nodeFinished" | "runFinished" | "log" }>;

/** Starting and cancelling runs, the selector and its history, and the run's progress events. */
export class StudioRuns extends StudioViews {
  private history: SelectorHistory | null = null;
  private previewSeq = 0;
  /** This window's id, recorded with the runs it starts (see features/runs/origin.ts). */
  readonly clientId = windowClientId(typeof sessionStorage === "undefined" ? null : sessionStorage);

  /** Asks the engine which nodes `text` selects, for the live count and the lineage highlight. */
  async previewSelection(text: string): Promise<void> {
    const seq = ++this.previewSeq;
    if (text.trim().length === 0) {
      this.set({ selectionPreview: null });
      return;
    }
    const parsed = parseSelector(text);
    if (!parsed.ok) {
      this.set({ selectionPreview: { text, ids: new Set(), unmatched: [], error: parsed.error } });
      return;
    }
    try {
      const response = await this.backend.call("selectNodes", parsed.selection);
      if (seq !== this.previewSeq) return;
      this.set({ selectionPreview: { text, ids: new Set(response.ids), unmatched: response.unmatched, error: null } });
    } catch (error) {
      if (seq !== this.previewSeq) return;
      this.set({ selectionPreview: { text, ids: new Set(), unmatched: [], error: errorDiagnostic(error).message } });
    }
  }

  /** Selectors are remembered per project. */
  protected useSelectorHistory(root: string): readonly string[] {
    this.history = new SelectorHistory(this.storage, `kiln.selectors.v1:${root}`);
    return this.history.list();
  }

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
      await this.backend.call("startRun", { command, ...parsed.selection, client: this.clientId });
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

  /** Folds one run event into the progress and the graph's live statuses. */
  protected applyRunEvent(event: RunEvent): void {
    const run = reduceRunProgress(this.current.run, event, Date.now());
    switch (event.type) {
      case "runStarted":
      case "nodeStarted":
      case "log": {
        const patch: Partial<StudioState> = { run };
        if (event.type === "runStarted") {
          patch.liveStatus = new Map();
          patch.bottomOpen = true;
          const elsewhere = describeOrigin(event.origin, this.clientId);
          if (elsewhere) this.toast("info", `${event.command} started ${elsewhere}`, "Its progress shows in the run panel and on the lineage.");
        }
        this.set(patch, false);
        break;
      }
      case "nodeFinished": {
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
      case "runFinished":
        this.set({ run });
        void this.refreshGraph();
        void this.refreshRunHistory();
        break;
    }
  }
}
