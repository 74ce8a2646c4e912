import { useSyncExternalStore } from "react";
import type { Studio } from "../../app/studio";
import { ListenerSet } from "../../backend/backend";
import { CanvasSession } from "./session";

/** Fires when a canvas gains or loses unsaved steps, for the tab strip's dirty dots. */
const dirtyChanges = new ListenerSet<void>();
let dirtyVersion = 0;

/**
 * The canvases of a studio, one per model path, kept while the page lives so switching tabs
 * (which unmounts the view) loses neither unsaved steps nor the undo history.
 */
const sessions = new WeakMap<Studio, Map<string, CanvasSession>>();

/** Sessions are per project too: two projects can both have `models/orders.sql`. */
function keyOf(studio: Studio, path: string): string {
  return `${studio.state.project?.root ?? ""}\n${path}`;
}

function sessionsOf(studio: Studio): Map<string, CanvasSession> {
  let map = sessions.get(studio);
  if (!map) {
    const created = new Map<string, CanvasSession>();
    map = created;
    sessions.set(studio, created);
    // Saves from the canvas, the editor or outside: clean canvases reload, dirty ones warn.
    studio.fileEvents.add((paths) => {
      for (const path of paths) void created.get(keyOf(studio, path))?.fileChanged();
    });
  }
  return map;
}

export function canvasSession(studio: Studio, path: string): CanvasSession {
  const map = sessionsOf(studio);
  let session = map.get(keyOf(studio, path));
  if (!session) {
    const created = new CanvasSession(studio, path);
    let dirty = false;
    created.subscribe(() => {
      if (created.dirty === dirty) return;
      dirty = created.dirty;
      dirtyVersion += 1;
      dirtyChanges.emit();
    });
    session = created;
    map.set(keyOf(studio, path), session);
    void session.load();
  }
  return session;
}

/** Whether the canvas of `path` has unsaved steps (for the tab's dirty dot). */
export function canvasDirty(studio: Studio, path: string): boolean {
  return sessions.get(studio)?.get(keyOf(studio, path))?.dirty ?? false;
}

/** Forgets a canvas (its tab closed with nothing unsaved, or the user discarded its edits). */
export function dropCanvasSession(studio: Studio, path: string): void {
  const map = sessions.get(studio);
  map?.get(keyOf(studio, path))?.dispose();
  map?.delete(keyOf(studio, path));
}

/** `canvasDirty` for components: re-renders when any canvas's unsaved state flips. */
export function useCanvasDirty(studio: Studio): (path: string) => boolean {
  useSyncExternalStore(
    (listener) => dirtyChanges.add(listener),
    () => dirtyVersion,
  );
  return (path) => canvasDirty(studio, path);
}
