import { useSyncExternalStore } from "react";

/**
 * The connection the query console and the schema browser work on (`profile:<target>` or
 * `saved:<name>`), shared by both and remembered per project; `null` is the studio's target.
 */
type Listener = () => void;

const listeners = new Set<Listener>();
const picked = new Map<string, string | null>();

function key(root: string): string {
  return `kiln.connection.v1:${root}`;
}

export function pickedConnection(root: string): string | null {
  if (!picked.has(root)) {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(key(root));
    } catch {
      // Storage can be unavailable (private mode): start on the studio's target.
    }
    picked.set(root, stored);
  }
  return picked.get(root) ?? null;
}

export function pickConnection(root: string, id: string | null): void {
  picked.set(root, id);
  try {
    if (id === null) localStorage.removeItem(key(root));
    else localStorage.setItem(key(root), id);
  } catch {
    // Best effort: the pick still holds for this session.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The picked connection of the project at `root`, and a setter. */
export function useConnection(root: string): [string | null, (id: string | null) => void] {
  const id = useSyncExternalStore(subscribe, () => pickedConnection(root));
  return [id, (next) => pickConnection(root, next)];
}
