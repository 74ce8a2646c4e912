import { useEffect, useRef, useState } from "react";
import { diagnosticFromUnknown } from "../../backend/backend";

export interface StepQueryState<T> {
  /** The answer, for the request `key` names (it may be an older key's while the next runs). */
  value: T | null;
  key: string | null;
  loading: boolean;
  error: string | null;
}

export function newQueryId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `canvas-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/**
 * Runs `run` a moment after `key` settles (null: nothing to run) and keeps the newest answer.
 * `delay` may depend on the key before: a click to another step asks at once, typing waits.
 * When the key changes before the answer comes, the old request is cancelled through `cancel`
 * (the preview's `cancelQuery`) and its answer dropped.
 */
export function useStepQuery<T>(
  key: string | null,
  run: (queryId: string) => Promise<T>,
  options: { delay: number | ((previous: string | null, next: string) => number); cancel?: (queryId: string) => void },
): StepQueryState<T> {
  const [state, setState] = useState<StepQueryState<T>>({ value: null, key: null, loading: false, error: null });
  const latest = useRef({ run, cancel: options.cancel, delay: options.delay });
  latest.current = { run, cancel: options.cancel, delay: options.delay };
  const previousKey = useRef<string | null>(null);

  useEffect(() => {
    if (key === null) {
      setState({ value: null, key: null, loading: false, error: null });
      return undefined;
    }
    let live = true;
    let running: string | null = null;
    const { delay } = latest.current;
    const wait = typeof delay === "number" ? delay : delay(previousKey.current, key);
    previousKey.current = key;
    setState((current) => ({ ...current, loading: true }));
    const timer = setTimeout(() => {
      const queryId = newQueryId();
      running = queryId;
      latest.current
        .run(queryId)
        .then((value) => live && setState({ value, key, loading: false, error: null }))
        .catch((error: unknown) => live && setState({ value: null, key, loading: false, error: diagnosticFromUnknown(error).message }))
        .finally(() => {
          running = null;
        });
    }, wait);
    return () => {
      live = false;
      clearTimeout(timer);
      if (running !== null) latest.current.cancel?.(running);
    };
    // The delay is read when the key changes; a new delay alone must not restart a request.
  }, [key]);

  return state;
}
