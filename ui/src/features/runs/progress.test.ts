import { describe, expect, it } from "vitest";
import type { EngineEvent, NodeResultDto, NodeStatusDto } from "../../api";
import { formatSeconds, reduceRunProgress, secondsSince, summarise, type RunProgress } from "./progress";

function result(uniqueId: string, status: NodeStatusDto, rows: number | null = null): NodeResultDto {
  return {
    uniqueId,
    name: uniqueId.split(".").pop() ?? uniqueId,
    resourceType: "model",
    status,
    message: status,
    rowsAffected: rows,
    failures: null,
    executionTime: 0.5,
    compiledPath: null,
    diagnostic: null,
    sample: null,
  };
}

function fold(events: EngineEvent[]): RunProgress | null {
  let state: RunProgress | null = null;
  events.forEach((event, step) => {
    state = reduceRunProgress(state, event, step * 100);
  });
  return state;
}

describe("reduceRunProgress", () => {
  it("tracks nodes from start to finish in start order", () => {
    const state = fold([
      { type: "runStarted", runId: "r1", command: "build", total: 3, origin: { kind: "studio", client: null } },
      { type: "nodeStarted", runId: "r1", uniqueId: "model.t.a", name: "a", index: 1, total: 3 },
      { type: "nodeStarted", runId: "r1", uniqueId: "model.t.b", name: "b", index: 2, total: 3 },
      { type: "nodeFinished", runId: "r1", result: result("model.t.b", "success", 10), index: 2, total: 3 },
      { type: "nodeFinished", runId: "r1", result: result("model.t.a", "error"), index: 1, total: 3 },
      { type: "nodeFinished", runId: "r1", result: result("model.t.c", "skipped"), index: 3, total: 3 },
      { type: "runFinished", runId: "r1", status: "error", elapsed: 1.5, counts: { success: 1, error: 1, skipped: 1 } },
    ]);
    expect(state).not.toBeNull();
    if (!state) return;
    const progress: RunProgress = state;
    expect(progress.nodes.map((node) => [node.name, node.status])).toEqual([
      ["a", "error"],
      ["b", "success"],
      ["c", "skipped"],
    ]);
    expect(progress.finished).toBe(3);
    expect(progress.status).toBe("error");
    expect(progress.nodes[1]?.result?.rowsAffected).toBe(10);
    // Start time of "a" is kept from its start event, not its finish event.
    expect(progress.nodes[0]?.startedAt).toBe(100);
    expect(summarise(progress)).toHaveLength(3);
  });

  it("ignores events from another run", () => {
    const state = fold([
      { type: "runStarted", runId: "r1", command: "run", total: 1, origin: { kind: "studio", client: null } },
      { type: "nodeStarted", runId: "other", uniqueId: "model.t.a", name: "a", index: 1, total: 1 },
      { type: "log", runId: "other", message: "not ours" },
      { type: "log", runId: null, message: "global" },
    ]);
    expect(state?.nodes).toHaveLength(0);
    expect(state?.logs).toEqual(["global"]);
  });

  it("does not double count a node finishing twice", () => {
    const state = fold([
      { type: "runStarted", runId: "r1", command: "run", total: 1, origin: { kind: "studio", client: null } },
      { type: "nodeFinished", runId: "r1", result: result("model.t.a", "success"), index: 1, total: 1 },
      { type: "nodeFinished", runId: "r1", result: result("model.t.a", "success"), index: 1, total: 1 },
    ]);
    expect(state?.finished).toBe(1);
  });

  it("starts fresh on a new run", () => {
    const state = fold([
      { type: "runStarted", runId: "r1", command: "run", total: 1, origin: { kind: "studio", client: null } },
      { type: "nodeStarted", runId: "r1", uniqueId: "model.t.a", name: "a", index: 1, total: 1 },
      { type: "runStarted", runId: "r2", command: "test", total: 5, origin: { kind: "studio", client: null } },
    ]);
    expect(state?.runId).toBe("r2");
    expect(state?.nodes).toHaveLength(0);
  });
});

describe("formatSeconds", () => {
  it("uses readable units", () => {
    expect(formatSeconds(0.0421)).toBe("42 ms");
    expect(formatSeconds(3.14159)).toBe("3.14 s");
    expect(formatSeconds(125)).toBe("2m 5s");
    expect(formatSeconds(null)).toBe("–");
  });
});

describe("secondsSince", () => {
  it("never goes negative when a node started after the clock's last tick", () => {
    expect(secondsSince(10_116, 10_000)).toBe(0);
    expect(secondsSince(10_000, 12_500)).toBe(2.5);
  });
});
