import type { Backend } from "../../backend/backend";
import { diagnosticFromUnknown } from "../../backend/backend";
import * as api from "./api";
import { canRedo, canUndo, commit, createHistory, redo, seal, undo, type History } from "./history";
import { clampSelection, moveSelection, selectionAfterDelete, selectionAfterMove } from "./selection";
import { deleteStep, moveStep, relationKey, sameCanvas } from "./steps";
import type { Canvas, CanvasState, Relation, SchemaColumn, StepSchema, StepTemplate } from "./types";

export const UPDATE_DELAY_MS = 16;
export const SCHEMA_DELAY_MS = 350;

export interface CanvasSessionState {
  status: "loading" | "ready" | "error";
  loadError: string | null;
  history: History<Canvas>;
  /** The canvas as it is on disk (for a new model, the empty canvas): Save compares with it. */
  saved: Canvas | null;
  exists: boolean;
  selected: number;
  /** The engine's answer for a recent canvas (SQL, step kinds, lines); `for` is that canvas. */
  server: CanvasState | null;
  serverFor: Canvas | null;
  updateError: string | null;
  schemas: StepSchema[] | null;
  schemasFor: Canvas | null;
  schemasError: string | null;
  /** The file changed on disk while the canvas had unsaved edits. */
  diskChanged: boolean;
}

export interface CanvasHost {
  backend: Backend;
}

function message(error: unknown): string {
  return diagnosticFromUnknown(error).message;
}

/**
 * One model's canvas: the undo history of its steps, the selection, and the engine's view of the
 * newest canvas (SQL, step kinds and lines, per-step schemas), refreshed a moment after each edit.
 * Lives outside React so it survives tab switches; components subscribe to `state`.
 */
export class CanvasSession {
  private current: CanvasSessionState;
  private readonly listeners = new Set<() => void>();
  private updateTimer: ReturnType<typeof setTimeout> | null = null;
  private schemaTimer: ReturnType<typeof setTimeout> | null = null;
  private updateSeq = 0;
  private schemaSeq = 0;
  /** Columns of models, seeds and sources the forms asked about (a join's right side). */
  private readonly relationCache = new Map<string, Promise<SchemaColumn[]>>();
  /** The text of the last save, so the file watcher's echo of it is not taken for an outside change. */
  private lastSavedText: string | null = null;

  constructor(
    readonly host: CanvasHost,
    readonly path: string,
  ) {
    this.current = {
      status: "loading",
      loadError: null,
      history: createHistory<Canvas>({ steps: [], layout: { prefix: "", withKeyword: "", beforeOutput: "", suffix: "" } }),
      saved: null,
      exists: false,
      selected: -1,
      server: null,
      serverFor: null,
      updateError: null,
      schemas: null,
      schemasFor: null,
      schemasError: null,
      diskChanged: false,
    };
  }

  get state(): CanvasSessionState {
    return this.current;
  }

  get canvas(): Canvas {
    return this.current.history.present;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getSnapshot = (): CanvasSessionState => this.current;

  private set(patch: Partial<CanvasSessionState>): void {
    this.current = { ...this.current, ...patch };
    for (const listener of [...this.listeners]) listener();
  }

  get dirty(): boolean {
    return this.current.status === "ready" && !sameCanvas(this.current.saved, this.canvas);
  }

  get canUndo(): boolean {
    return canUndo(this.current.history);
  }

  get canRedo(): boolean {
    return canRedo(this.current.history);
  }

  async load(): Promise<void> {
    this.set({ status: this.current.saved ? this.current.status : "loading", loadError: null });
    try {
      const state = await api.openCanvas(this.host.backend, this.path);
      this.adopt(state);
    } catch (error) {
      this.set({ status: "error", loadError: message(error) });
    }
  }

  private adopt(state: CanvasState): void {
    const length = state.canvas.steps.length;
    this.set({
      status: "ready",
      loadError: null,
      history: createHistory(state.canvas),
      saved: state.canvas,
      exists: state.exists,
      selected: clampSelection(this.current.selected < 0 ? length - 1 : this.current.selected, length),
      server: state,
      serverFor: state.canvas,
      updateError: null,
      diskChanged: false,
    });
    this.scheduleSchemas(0);
  }

  /** Every edit of the canvas comes here; `key` merges quick typing in one field into one undo step. */
  edit(next: Canvas, key?: string, selected?: number): void {
    const history = commit(this.current.history, next, key === undefined ? {} : { key });
    this.set({ history, ...(selected !== undefined ? { selected: clampSelection(selected, next.steps.length) } : {}) });
    this.scheduleUpdate();
  }

  undo(): void {
    if (!this.canUndo) return;
    const history = undo(this.current.history);
    this.set({ history, selected: clampSelection(this.current.selected, history.present.steps.length) });
    this.scheduleUpdate();
  }

  redo(): void {
    if (!this.canRedo) return;
    const history = redo(this.current.history);
    this.set({ history, selected: clampSelection(this.current.selected, history.present.steps.length) });
    this.scheduleUpdate();
  }

  /** Ends the merging of typed edits (a field lost focus). */
  seal(): void {
    this.current = { ...this.current, history: seal(this.current.history) };
  }

  select(index: number): void {
    const selected = clampSelection(index, this.canvas.steps.length);
    if (selected !== this.current.selected) this.set({ selected });
  }

  moveSelection(delta: number): void {
    this.select(moveSelection(this.current.selected, delta, this.canvas.steps.length));
  }

  moveStep(index: number, delta: number): void {
    const next = moveStep(this.canvas, index, delta);
    if (next === this.canvas) return;
    this.edit(next, undefined, selectionAfterMove(this.current.selected, index, index + delta));
  }

  deleteStep(index: number): void {
    const next = deleteStep(this.canvas, index);
    if (next === this.canvas) return;
    this.edit(next, undefined, selectionAfterDelete(this.current.selected, index, next.steps.length));
  }

  /** Asks the engine for a step made from `template`, after step `after` (null: first). */
  async addStep(template: StepTemplate, after: number | null): Promise<string | null> {
    try {
      const { state, added } = await api.addStep(this.host.backend, this.canvas, after, template);
      this.edit(state.canvas, undefined, added);
      this.set({ server: state, serverFor: state.canvas, updateError: null });
      this.scheduleSchemas(0);
      return null;
    } catch (error) {
      return message(error);
    }
  }

  private scheduleUpdate(): void {
    if (this.updateTimer !== null) clearTimeout(this.updateTimer);
    this.updateTimer = setTimeout(() => {
      this.updateTimer = null;
      void this.refresh();
    }, UPDATE_DELAY_MS);
  }

  /** The engine's SQL and step infos for the newest canvas; older answers are dropped. */
  async refresh(): Promise<void> {
    const canvas = this.canvas;
    const seq = ++this.updateSeq;
    try {
      const state = await api.updateCanvas(this.host.backend, canvas);
      if (seq !== this.updateSeq) return;
      this.set({ server: state, serverFor: canvas, updateError: null });
      this.scheduleSchemas(SCHEMA_DELAY_MS);
    } catch (error) {
      if (seq === this.updateSeq) this.set({ updateError: message(error) });
    }
  }

  private scheduleSchemas(delay: number): void {
    if (this.schemaTimer !== null) clearTimeout(this.schemaTimer);
    this.schemaTimer = setTimeout(() => {
      this.schemaTimer = null;
      void this.refreshSchemas();
    }, delay);
  }

  async refreshSchemas(): Promise<void> {
    const canvas = this.canvas;
    if (canvas.steps.length === 0) {
      this.set({ schemas: [], schemasFor: canvas, schemasError: null });
      return;
    }
    const seq = ++this.schemaSeq;
    try {
      const answer = await api.stepSchemas(this.host.backend, canvas);
      if (seq === this.schemaSeq) this.set({ schemas: answer.steps, schemasFor: canvas, schemasError: null });
    } catch (error) {
      if (seq === this.schemaSeq) this.set({ schemasError: message(error) });
    }
  }

  /**
   * The columns of a model, seed or source: the engine makes an input step of it on an empty
   * canvas and reports that step's schema. Cached for the session; a failure is not.
   */
  relationColumns(relation: Relation): Promise<SchemaColumn[]> {
    if (relation.kind === "step") {
      const index = this.current.schemasFor?.steps.findIndex((step) => step.name === relation.name) ?? -1;
      const schema = index >= 0 ? this.current.schemas?.[index] : undefined;
      return schema?.error ? Promise.reject(new Error(schema.error)) : Promise.resolve(schema?.columns ?? []);
    }
    const key = relationKey(relation);
    const cached = this.relationCache.get(key);
    if (cached) return cached;
    const backend = this.host.backend;
    const empty: Canvas = { steps: [], layout: this.canvas.layout };
    const pending = api.addStep(backend, empty, null, { kind: "input", relation }).then(async ({ state }) => {
      const answer = await api.stepSchemas(backend, state.canvas);
      const schema = answer.steps[0];
      if (!schema) return [];
      if (schema.error) throw new Error(schema.error);
      return schema.columns;
    });
    pending.catch(() => this.relationCache.delete(key));
    this.relationCache.set(key, pending);
    return pending;
  }

  /**
   * After a commit: what was written is now the baseline. The file is read back so its steps
   * carry their new text (no longer "edited"); the undo history stays.
   */
  async markSaved(text: string | null): Promise<void> {
    this.lastSavedText = text;
    const written = this.canvas;
    this.set({ saved: written, exists: true, diskChanged: false, history: seal(this.current.history) });
    try {
      const state = await api.openCanvas(this.host.backend, this.path);
      if (this.canvas !== written) return;
      this.set({ history: { ...this.current.history, present: state.canvas }, saved: state.canvas, server: state, serverFor: state.canvas });
    } catch {
      // The save stands; the steps just keep their "edited" marks until the canvas is reopened.
    }
  }

  /** The file watcher saw the file change: reload a clean canvas, warn on a dirty one. */
  async fileChanged(): Promise<void> {
    if (this.current.status !== "ready") return;
    const onDisk = await this.host.backend.call("readFile", { path: this.path }).catch(() => null);
    if (onDisk && onDisk.content === this.lastSavedText) return;
    if (this.dirty) this.set({ diskChanged: true });
    else await this.load();
  }

  dispose(): void {
    if (this.updateTimer !== null) clearTimeout(this.updateTimer);
    if (this.schemaTimer !== null) clearTimeout(this.schemaTimer);
    this.listeners.clear();
  }
}
