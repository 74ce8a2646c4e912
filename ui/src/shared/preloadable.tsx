// A component whose code is a separate chunk, fetched ahead of need. React.lazy alone suspends on
// its first render even when the chunk is already in (its factory only runs then), and React
// throttles revealing a suspended boundary's content by ~300 ms: a Grid → Chart or a dashboard's
// first open waited that long with nothing to do. Once preloaded, this renders the loaded
// component directly and never suspends.
import { lazy, type ComponentType, type JSX } from "react";

export type Preloadable<P extends object> = {
  Component: (props: P) => JSX.Element;
  /** Starts fetching the chunk (once); resolves when it is in. */
  preload: () => Promise<unknown>;
};

export function preloadable<P extends object>(load: () => Promise<ComponentType<P>>): Preloadable<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const preload = () => {
    pending ??= load().then((component) => (loaded = component));
    return pending;
  };
  const Lazy = lazy(() => preload().then((component) => ({ default: component })));
  function Component(props: P): JSX.Element {
    const Loaded = loaded ?? Lazy;
    return <Loaded {...props} />;
  }
  return { Component, preload };
}

/**
 * Runs `task` once the page is idle after starting (WebKitGTK has no requestIdleCallback: a timer
 * stands in).
 */
export function whenIdle(task: () => void): void {
  const idle = (globalThis as { requestIdleCallback?: (run: () => void, options?: { timeout: number }) => number }).requestIdleCallback;
  if (idle) idle(task, { timeout: 4000 });
  else setTimeout(task, 1500);
}
