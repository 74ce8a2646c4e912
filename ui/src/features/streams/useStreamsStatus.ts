import { useEffect, useState } from "react";
import type { DiagnosticDto } from "../../api";
import { errorDiagnostic, type Studio } from "../../app/studio";
import { addSample, type StatusSample } from "./metrics";

/** How often the console asks for the streams' state while it is on screen. */
export const POLL_MS = 1000;

/**
 * The polls of each project, kept while the console is closed so its sparklines and rates pick
 * up where they were when it comes back (old samples age out on the next poll).
 */
const histories = new Map<string, StatusSample[]>();

export interface StreamsPoll {
  samples: readonly StatusSample[];
  /** Why the last poll failed (e.g. another process holds the project's streams); null after a good one. */
  error: DiagnosticDto | null;
  /** False while the window is hidden, when nothing is polled. */
  live: boolean;
}

/**
 * Polls `streams` every second while the component using it is mounted and the window visible
 * (a hidden window asks nothing, and polls again at once when it shows). Polls never overlap:
 * the next is scheduled when the previous answered.
 */
export function useStreamsStatus(studio: Studio, projectRoot: string): StreamsPoll {
  const [samples, setSamples] = useState<readonly StatusSample[]>(() => histories.get(projectRoot) ?? []);
  const [error, setError] = useState<DiagnosticDto | null>(null);
  const [live, setLive] = useState(() => !document.hidden);

  useEffect(() => {
    let stopped = false;
    let inFlight = false;
    let timer: ReturnType<typeof setTimeout> | null = null;

    const poll = async () => {
      timer = null;
      if (stopped || inFlight || document.hidden) return;
      inFlight = true;
      const started = Date.now();
      try {
        const status = await studio.backend.call("streams", {});
        if (stopped) return;
        const next = addSample(histories.get(projectRoot) ?? [], { at: Date.now(), status });
        histories.set(projectRoot, next);
        setSamples(next);
        setError(null);
      } catch (failure: unknown) {
        if (!stopped) setError(errorDiagnostic(failure));
      } finally {
        inFlight = false;
      }
      if (!stopped && !document.hidden) timer = setTimeout(() => void poll(), Math.max(200, POLL_MS - (Date.now() - started)));
    };

    const onVisibility = () => {
      setLive(!document.hidden);
      if (!document.hidden && timer === null) void poll();
    };

    document.addEventListener("visibilitychange", onVisibility);
    void poll();
    return () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [studio, projectRoot]);

  return { samples, error, live };
}
