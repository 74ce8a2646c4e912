import { useCallback, useEffect, useState } from "react";

/** "updated 3 s ago" from the time panels last answered. */
export function ageText(updated: number | null, now: number): string {
  if (updated === null) return "loading…";
  const seconds = Math.max(0, Math.round((now - updated) / 1000));
  if (seconds < 2) return "updated just now";
  if (seconds < 120) return `updated ${seconds} s ago`;
  return `updated ${Math.round(seconds / 60)} min ago`;
}

/**
 * The dashboard's refresh clock: `tick` goes up every `seconds` while the page is visible (a
 * hidden window queries nothing), at once when it becomes visible after a due refresh, and on
 * `refreshNow`. `age` says how old the data on screen is.
 */
export function useRefreshTick(seconds: number | null, updated: number | null): { tick: number; refreshNow: () => void; age: string } {
  const [tick, setTick] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const refreshNow = useCallback(() => setTick((value) => value + 1), []);

  useEffect(() => {
    if (!seconds) return undefined;
    let due = false;
    const timer = setInterval(() => {
      if (document.hidden) due = true;
      else setTick((value) => value + 1);
    }, seconds * 1000);
    const onVisible = () => {
      if (!document.hidden && due) {
        due = false;
        setTick((value) => value + 1);
      }
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [seconds]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  return { tick, refreshNow, age: ageText(updated, now) };
}
