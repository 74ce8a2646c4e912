import type { FileContent } from "../../api";

export interface Buffer {
  path: string;
  /** What the editor shows. */
  content: string;
  /** What is on disk as far as we know (at `version`). */
  savedContent: string;
  version: string;
  /** True when the content came from a crash-recovery draft rather than from disk. */
  restored: boolean;
  /** Set when the file changed on disk while this buffer had unsaved edits. */
  changedOnDisk: boolean;
}

interface Draft {
  content: string;
  baseVersion: string;
  savedAt: number;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function isDirty(buffer: Buffer): boolean {
  return buffer.content !== buffer.savedContent;
}

/**
 * Open editor buffers plus their crash-recovery drafts. Every unsaved buffer is mirrored to
 * storage (localStorage in the app) under a per-project key, so a crash, a reload or a killed
 * window loses nothing: reopening the file restores the draft and marks it unsaved. Saved or
 * reverted buffers drop their draft. `now` is injected so tests control time.
 */
export class BufferStore {
  private readonly buffers = new Map<string, Buffer>();
  private readonly listeners = new Set<() => void>();
  private readonly key: string;
  private drafts: Record<string, Draft>;
  private revision = 0;

  constructor(
    private readonly storage: StorageLike | null,
    projectRoot: string,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.key = `kiln.buffers.v1:${projectRoot}`;
    this.drafts = this.loadDrafts();
  }

  /** Bumps on every change; lets React's useSyncExternalStore see a new snapshot. */
  get version(): number {
    return this.revision;
  }

  get(path: string): Buffer | undefined {
    return this.buffers.get(path);
  }

  list(): Buffer[] {
    return [...this.buffers.values()];
  }

  /** Paths that have a recovery draft, open or not; used to offer "restore" on startup. */
  draftPaths(): string[] {
    return Object.keys(this.drafts);
  }

  dirtyPaths(): string[] {
    return this.list().filter(isDirty).map((buffer) => buffer.path);
  }

  /** Registers a file read from disk, restoring a draft if one survived from a previous session. */
  open(file: FileContent): Buffer {
    const existing = this.buffers.get(file.path);
    if (existing) return existing;
    const draft = this.drafts[file.path];
    const buffer: Buffer = {
      path: file.path,
      content: draft && draft.content !== file.content ? draft.content : file.content,
      savedContent: file.content,
      version: file.version,
      restored: draft !== undefined && draft.content !== file.content,
      // The draft was made against an older disk version: saving would overwrite someone's edit.
      changedOnDisk: draft !== undefined && draft.baseVersion !== file.version && draft.content !== file.content,
    };
    if (draft && !buffer.restored) this.dropDraft(file.path);
    this.buffers.set(file.path, buffer);
    this.notify();
    return buffer;
  }

  edit(path: string, content: string): void {
    const buffer = this.buffers.get(path);
    if (!buffer || buffer.content === content) return;
    const next = { ...buffer, content };
    this.buffers.set(path, next);
    if (isDirty(next)) {
      this.drafts[path] = { content, baseVersion: next.version, savedAt: this.now() };
    } else {
      delete this.drafts[path];
    }
    this.saveDrafts();
    this.notify();
  }

  /** After a successful write: the buffer is clean at the new version. */
  markSaved(file: FileContent): void {
    const buffer = this.buffers.get(file.path);
    if (!buffer) return;
    // Keep typing that happened while the save was in flight.
    this.buffers.set(file.path, {
      ...buffer,
      savedContent: file.content,
      version: file.version,
      restored: false,
      changedOnDisk: false,
    });
    if (buffer.content === file.content) this.dropDraft(file.path);
    this.notify();
  }

  /**
   * The file changed on disk. A clean buffer follows the disk silently; a dirty one keeps the
   * user's text and is flagged so the editor can offer "reload" or "overwrite".
   */
  diskChanged(file: FileContent): void {
    const buffer = this.buffers.get(file.path);
    if (!buffer || file.version === buffer.version) return;
    if (isDirty(buffer)) {
      this.buffers.set(file.path, { ...buffer, changedOnDisk: file.content !== buffer.savedContent });
    } else {
      this.buffers.set(file.path, { ...buffer, content: file.content, savedContent: file.content, version: file.version });
    }
    this.notify();
  }

  /** Throws away unsaved edits and takes the given disk state. */
  revert(file: FileContent): void {
    const buffer = this.buffers.get(file.path);
    if (!buffer) return;
    this.buffers.set(file.path, {
      ...buffer,
      content: file.content,
      savedContent: file.content,
      version: file.version,
      restored: false,
      changedOnDisk: false,
    });
    this.dropDraft(file.path);
    this.notify();
  }

  /** Accepts the disk version as the base while keeping the user's text (for "overwrite"). */
  rebase(file: FileContent): void {
    const buffer = this.buffers.get(file.path);
    if (!buffer) return;
    this.buffers.set(file.path, { ...buffer, savedContent: file.content, version: file.version, changedOnDisk: false });
    this.notify();
  }

  /**
   * The file moved on disk (renamed from the explorer): the buffer, unsaved edits and their draft
   * follow it to its new path.
   */
  rename(from: string, to: string): void {
    const buffer = this.buffers.get(from);
    const draft = this.drafts[from];
    if (!buffer && !draft) return;
    if (buffer) {
      this.buffers.delete(from);
      this.buffers.set(to, { ...buffer, path: to });
    }
    if (draft) {
      delete this.drafts[from];
      this.drafts[to] = draft;
      this.saveDrafts();
    }
    this.notify();
  }

  /** Closing keeps the draft if the buffer is dirty: closing is not discarding. */
  close(path: string): void {
    if (this.buffers.delete(path)) this.notify();
  }

  discardDraft(path: string): void {
    this.dropDraft(path);
    this.notify();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private dropDraft(path: string): void {
    if (!(path in this.drafts)) return;
    delete this.drafts[path];
    this.saveDrafts();
  }

  private loadDrafts(): Record<string, Draft> {
    try {
      const raw = this.storage?.getItem(this.key);
      if (!raw) return {};
      const parsed: unknown = JSON.parse(raw);
      if (!parsed || typeof parsed !== "object") return {};
      const drafts: Record<string, Draft> = {};
      for (const [path, value] of Object.entries(parsed as Record<string, unknown>)) {
        const draft = value as Partial<Draft>;
        if (typeof draft.content === "string" && typeof draft.baseVersion === "string") {
          drafts[path] = { content: draft.content, baseVersion: draft.baseVersion, savedAt: Number(draft.savedAt) || 0 };
        }
      }
      return drafts;
    } catch {
      // Unreadable drafts cannot be restored; starting clean beats refusing to open the project.
      return {};
    }
  }

  private saveDrafts(): void {
    if (!this.storage) return;
    try {
      if (Object.keys(this.drafts).length === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify(this.drafts));
    } catch (error) {
      // Quota exceeded: the edit stays in memory; warn so the loss of crash safety is visible.
      console.warn("Could not persist unsaved edits", error);
    }
  }

  private notify(): void {
    this.revision += 1;
    for (const listener of [...this.listeners]) listener();
  }
}
