import type { Backend } from "../../backend/backend";
import type { Command } from "../../features/palette/commands";
import { errorDiagnostic, initialState, type StorageLike, type StudioState, type Toast } from "./state";

/**
 * The bottom of the studio's class chain (store → workspace → editor → views → runs → Studio, one
 * concern per file): the state, its change notifications, toasts and the command registry, which
 * every other concern uses.
 */
export class StudioStore {
  protected current: StudioState;
  private readonly listeners = new Set<() => void>();
  private readonly commandSets = new Map<string, Command[]>();
  private commandCache: Command[] | null = null;
  private toastCounter = 0;
  private pendingNotify = false;

  constructor(
    readonly backend: Backend,
    /** Where the studio remembers things per project (localStorage in the app); views use it too. */
    readonly storage: StorageLike | null,
    private readonly schedule: (callback: () => void) => void = (callback) => requestAnimationFrame(() => callback()),
  ) {
    this.current = initialState(storage);
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

  /**
   * Applies a patch. `immediate = false` coalesces notifications to one per frame, for the
   * streams (node events, cursor moves) that would otherwise re-render thousands of times.
   */
  protected set(patch: Partial<StudioState>, immediate = true): void {
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
}
