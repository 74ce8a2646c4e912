import { createContext, useContext, useSyncExternalStore } from "react";
import type { Studio, StudioState } from "./studio";

export const StudioContext = createContext<Studio | null>(null);

export function useStudioInstance(): Studio {
  const studio = useContext(StudioContext);
  if (!studio) throw new Error("useStudio must be used inside <StudioContext.Provider>.");
  return studio;
}

/** Subscribes to one slice of the studio state; re-renders only when that slice changes identity. */
export function useStudio<T>(selector: (state: StudioState) => T): T {
  const studio = useStudioInstance();
  return useSyncExternalStore(studio.subscribe, () => selector(studio.getSnapshot()));
}

/** Re-renders when the open buffers change (typing, saving, restoring). */
export function useBuffersVersion(): number {
  const studio = useStudioInstance();
  return useSyncExternalStore(
    (listener) => studio.bufferChanges.add(listener),
    () => studio.bufferVersion,
  );
}
