import { describe, expect, it } from "vitest";
import { canRedo, canUndo, commit, createHistory, HISTORY_LIMIT, MERGE_WINDOW_MS, redo, seal, undo } from "./history";

describe("canvas undo history", () => {
  it("undoes and redoes edits in order", () => {
    let history = createHistory("a");
    history = commit(history, "b", { now: 0 });
    history = commit(history, "c", { now: 10_000 });
    expect(history.present).toBe("c");
    history = undo(history);
    expect(history.present).toBe("b");
    history = undo(history);
    expect(history.present).toBe("a");
    expect(canUndo(history)).toBe(false);
    history = redo(redo(history));
    expect(history.present).toBe("c");
    expect(canRedo(history)).toBe(false);
  });

  it("a new edit after undo drops the redo branch", () => {
    let history = commit(commit(createHistory(1), 2, { now: 0 }), 3, { now: 5000 });
    history = undo(history);
    history = commit(history, 4, { now: 9000 });
    expect(history.present).toBe(4);
    expect(canRedo(history)).toBe(false);
    expect(undo(history).present).toBe(2);
  });

  it("typing in one field merges into one undo step, until a pause, another field or a seal", () => {
    let history = createHistory("");
    history = commit(history, "p", { key: "0:filter", now: 0 });
    history = commit(history, "pr", { key: "0:filter", now: 100 });
    history = commit(history, "pri", { key: "0:filter", now: 200 });
    expect(history.past).toEqual([""]);
    history = commit(history, "pric", { key: "0:filter", now: 200 + MERGE_WINDOW_MS + 1 });
    expect(history.past).toEqual(["", "pri"]);
    history = commit(history, "price", { key: "1:name", now: 200 + MERGE_WINDOW_MS + 2 });
    expect(history.past).toEqual(["", "pri", "pric"]);
    history = seal(history);
    history = commit(history, "price!", { key: "1:name", now: 200 + MERGE_WINDOW_MS + 3 });
    expect(history.past).toEqual(["", "pri", "pric", "price"]);
    expect(undo(history).present).toBe("price");
  });

  it("an edit without a key never merges, and the same value is no edit", () => {
    let history = commit(createHistory("a"), "b", { now: 0 });
    history = commit(history, "c", { now: 1 });
    expect(history.past).toEqual(["a", "b"]);
    expect(commit(history, "c")).toBe(history);
  });

  it("keeps at most HISTORY_LIMIT steps", () => {
    let history = createHistory(0);
    for (let value = 1; value <= HISTORY_LIMIT + 20; value += 1) history = commit(history, value, { now: value * 10_000 });
    expect(history.past).toHaveLength(HISTORY_LIMIT);
    expect(history.past[0]).toBe(20);
  });
});
