import { useEffect, useRef, useState } from "react";

/**
 * Returns `value`, but changes at most once per `interval` ms (the latest value always lands).
 * Big views use it to follow fast event streams without re-rendering on every event.
 */
export function useThrottledValue<T>(value: T, interval: number): T {
  const [current, setCurrent] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (interval <= 0) {
      setCurrent(value);
      return undefined;
    }
    const wait = Math.max(0, interval - (performance.now() - last.current));
    const timer = setTimeout(() => {
      last.current = performance.now();
      setCurrent(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, interval]);
  return interval <= 0 ? value : current;
}
