import { useCallback, useState } from "react";

function read(key: string, fallback: number): number {
  try {
    const value = Number(localStorage.getItem(key));
    return localStorage.getItem(key) !== null && Number.isFinite(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

/** A number remembered in localStorage (panel sizes, open/closed), per browser. */
export function usePersistentNumber(key: string, fallback: number): [number, (value: number) => void] {
  const [value, setValue] = useState(() => read(key, fallback));
  const set = useCallback(
    (next: number) => {
      setValue(next);
      try {
        localStorage.setItem(key, String(next));
      } catch {
        // Private mode or a full quota: the size still applies, it is just not remembered.
      }
    },
    [key],
  );
  return [value, set];
}
