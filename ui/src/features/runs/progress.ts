import type { EngineEvent, NodeResultDto, NodeStatusDto, RunCommand, RunOrigin, RunStatus } from "../../api";

export interface NodeProgress {
  uniqueId: string;
  name: string;
  index: number;
  /** "running" until the node finishes, then the engine's result status. */
  status: string;
  /** Client clock (ms) when the start event arrived; used only for the live elapsed counter. */
  startedAt: number;
  result: NodeResultDto | null;
}

export interface RunProgress {
  runId: string;
  command: RunCommand;
  /** Where the run was started: this window, another one, or the CLI. */
  origin: RunOrigin | null;
  total: number;
  status: RunStatus;
  startedAt: number;
  elapsed: number | null;
  counts: Record<string, number>;
  /** Ordered by start; `positions` maps uniqueId → index into this array. */
  nodes: NodeProgress[];
  positions: Record<string, number>;
  finished: number;
  logs: string[];
}

/** A build of thousands of nodes logs two lines each; older lines give way past this. */
const MAX_LOG_LINES = 20_000;

/**
 * Folds engine events into the state the progress panel draws. Events of other runs are ignored
 * (a run started elsewhere replaces ours when its `runStarted` arrives). `now` is passed in so the
 * reducer stays pure and testable.
 */
export function reduceRunProgress(state: RunProgress | null, event: EngineEvent, now: number): RunProgress | null {
  switch (event.type) {
    case "runStarted":
      return {
        runId: event.runId,
        command: event.command,
        origin: event.origin,
        total: event.total,
        status: "running",
        startedAt: now,
        elapsed: null,
        counts: {},
        nodes: [],
        positions: {},
        finished: 0,
        logs: [],
      };
    case "nodeStarted": {
      if (!state || state.runId !== event.runId) return state;
      const existing = state.positions[event.uniqueId];
      const node: NodeProgress = {
        uniqueId: event.uniqueId,
        name: event.name,
        index: event.index,
        status: "running",
        startedAt: now,
        result: null,
      };
      if (existing !== undefined) return replaceNode(state, existing, node, { total: event.total });
      return {
        ...state,
        total: event.total,
        nodes: [...state.nodes, node],
        positions: { ...state.positions, [event.uniqueId]: state.nodes.length },
      };
    }
    case "nodeFinished": {
      if (!state || state.runId !== event.runId) return state;
      const result = event.result;
      const existing = state.positions[result.uniqueId];
      const node: NodeProgress = {
        uniqueId: result.uniqueId,
        name: result.name,
        index: event.index,
        status: result.status,
        startedAt: existing !== undefined ? (state.nodes[existing]?.startedAt ?? now) : now,
        result,
      };
      const wasFinished = existing !== undefined && state.nodes[existing]?.result !== null;
      const finished = state.finished + (wasFinished ? 0 : 1);
      if (existing !== undefined) return replaceNode(state, existing, node, { total: event.total, finished });
      // Skipped nodes may finish without ever starting.
      return {
        ...state,
        total: event.total,
        finished,
        nodes: [...state.nodes, node],
        positions: { ...state.positions, [result.uniqueId]: state.nodes.length },
      };
    }
    case "runFinished":
      if (!state || state.runId !== event.runId) return state;
      return { ...state, status: event.status, elapsed: event.elapsed, counts: event.counts };
    case "log": {
      if (!state || (event.runId !== null && event.runId !== state.runId)) return state;
      const logs = state.logs.length >= MAX_LOG_LINES ? state.logs.slice(-MAX_LOG_LINES + 1) : state.logs.slice();
      logs.push(event.message);
      return { ...state, logs };
    }
    default:
      return state;
  }
}

function replaceNode(state: RunProgress, position: number, node: NodeProgress, changes: Partial<RunProgress>): RunProgress {
  const nodes = state.nodes.slice();
  nodes[position] = node;
  return { ...state, ...changes, nodes };
}

export function isFailure(status: string): boolean {
  return status === "error" || status === "fail";
}

/** Maps run result statuses onto graph badges, so lineage shows what the last run did. */
export function nodeStatusFromResult(status: string): NodeStatusDto | null {
  switch (status) {
    case "success":
    case "error":
    case "skipped":
    case "pass":
    case "fail":
    case "warn":
      return status;
    default:
      return null;
  }
}

/** Counts by status for the summary line ("12 success · 1 error · 3 skipped"). */
export function summarise(progress: RunProgress): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const node of progress.nodes) counts.set(node.status, (counts.get(node.status) ?? 0) + 1);
  return [...counts.entries()].sort((left, right) => right[1] - left[1]);
}

/**
 * Seconds since `startedAt` (client ms) for a live counter. The panel's clock ticks every 250 ms,
 * so a node that started after the last tick is younger than the clock: that is 0, not "-116 ms".
 */
export function secondsSince(startedAt: number, now: number): number {
  return Math.max(0, now - startedAt) / 1000;
}

export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "–";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(2)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m ${Math.round(seconds - minutes * 60)}s`;
}
