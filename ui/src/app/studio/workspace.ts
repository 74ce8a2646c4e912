import { ListenerSet, type Backend } from "../../backend/backend";
import { BufferStore } from "../../features/editor/buffers";
import { errorDiagnostic, type StorageLike } from "./state";
import { StudioStore } from "./store";

/** What the studio knows of the open project: its file tree, graph, run history and open buffers. */
export class StudioWorkspace extends StudioStore {
  buffers: BufferStore;
  /** Changes of whichever BufferStore is current; the store is replaced when a project opens. */
  readonly bufferChanges = new ListenerSet<void>();
  private bufferRevision = 0;
  private unsubscribeBuffers: (() => void) | null = null;

  constructor(backend: Backend, storage: StorageLike | null, schedule?: (callback: () => void) => void) {
    super(backend, storage, schedule);
    this.buffers = new BufferStore(storage, "");
    this.attachBuffers();
  }

  get bufferVersion(): number {
    return this.bufferRevision;
  }

  /** Swaps in the buffers of a newly opened project (drafts are kept per project root). */
  protected replaceBuffers(root: string): void {
    this.buffers = new BufferStore(this.storage, root);
    this.attachBuffers();
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
}
