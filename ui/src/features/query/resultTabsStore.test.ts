import { describe, expect, it } from "vitest";
import type { StatementResultDto } from "../../api";
import { MAX_KEPT_RESULT_TABS, isRestoredTab, loadResultTabs, resultTabsKey, saveResultTabs, type PersistedResultTab } from "./resultTabsStore";
import { MemoryStorage } from "../../shared/testing/memoryStorage";

function tab(index: number, overrides: Partial<StatementResultDto> = {}): PersistedResultTab {
  return {
    key: `1:${index}`,
    label: `Result ${index + 1}`,
    queryId: "q-1",
    totalRows: 3,
    result: {
      index,
      sql: `select ${index}`,
      columns: [{ name: "n", dataType: "INTEGER", description: "" }],
      firstPage: [[1], [2], [3]],
      totalRows: 3,
      elapsed: 0.25,
      error: null,
      ...overrides,
    },
  };
}

describe("result tabs store", () => {
  it("brings the tabs and the active one back, without their rows", () => {
    const storage = new MemoryStorage();
    saveResultTabs(storage, "/p", [tab(0), tab(1)], "1:0");
    expect(storage.data.get(resultTabsKey("/p"))).not.toContain("firstPage");

    const { tabs, activeKey } = loadResultTabs(storage, "/p");
    expect(tabs.map((entry) => entry.label)).toEqual(["Result 1", "Result 2"]);
    expect(activeKey).toBe(tabs[0]?.key);
    expect(tabs.every(isRestoredTab)).toBe(true);
    expect(tabs[1]?.result).toEqual({ ...tab(1).result, firstPage: [] });
    expect(tabs[1]?.queryId).toBe("q-1");
    expect(tabs[1]?.totalRows).toBe(3);
  });

  it("keeps tabs per project and forgets them when the console is cleared", () => {
    const storage = new MemoryStorage();
    saveResultTabs(storage, "/a", [tab(0)], "1:0");
    expect(loadResultTabs(storage, "/b").tabs).toEqual([]);
    saveResultTabs(storage, "/a", [], null);
    expect(storage.data.has(resultTabsKey("/a"))).toBe(false);
  });

  it(`keeps at most ${MAX_KEPT_RESULT_TABS} tabs, the newest, moved back to include the active one`, () => {
    const storage = new MemoryStorage();
    const many = Array.from({ length: 30 }, (_, index) => tab(index));
    saveResultTabs(storage, "/p", many, "1:29");
    let restored = loadResultTabs(storage, "/p");
    expect(restored.tabs.map((entry) => entry.result.index)).toEqual(Array.from({ length: 20 }, (_, index) => index + 10));
    expect(restored.tabs.find((entry) => entry.key === restored.activeKey)?.result.index).toBe(29);

    saveResultTabs(storage, "/p", many, "1:3");
    restored = loadResultTabs(storage, "/p");
    expect(restored.tabs[0]?.result.index).toBe(3);
    expect(restored.tabs).toHaveLength(MAX_KEPT_RESULT_TABS);
    expect(restored.tabs.find((entry) => entry.key === restored.activeKey)?.result.index).toBe(3);
  });

  it("drops the oldest tabs, never the active one, when long SQL would outgrow storage", () => {
    const storage = new MemoryStorage();
    const long = "x".repeat(60_000);
    const tabs = [0, 1, 2, 3, 4].map((index) => tab(index, { sql: `select '${long}' as v${index}` }));
    saveResultTabs(storage, "/p", tabs, "1:0");
    const restored = loadResultTabs(storage, "/p");
    expect(restored.tabs.length).toBeLessThan(5);
    expect(restored.tabs[0]?.result.index).toBe(0);
    expect(restored.tabs.find((entry) => entry.key === restored.activeKey)?.result.index).toBe(0);
    expect((storage.data.get(resultTabsKey("/p")) ?? "").length).toBeLessThanOrEqual(200_000);
  });

  it("keeps failed statements with their diagnostic", () => {
    const storage = new MemoryStorage();
    const error = { code: "K4001", severity: "error" as const, message: "no such table", file: null, line: 1, column: 8, hint: null };
    saveResultTabs(storage, "/p", [{ ...tab(0, { columns: [], firstPage: [], error }), queryId: null }], "1:0");
    expect(loadResultTabs(storage, "/p").tabs[0]?.result.error).toEqual(error);
  });

  it("starts empty on unreadable storage and skips malformed entries", () => {
    const storage = new MemoryStorage();
    storage.setItem(resultTabsKey("/p"), "{not json");
    expect(loadResultTabs(storage, "/p")).toEqual({ tabs: [], activeKey: null });
    const good = JSON.parse(JSON.stringify({ label: "Result 1", queryId: "q", totalRows: 1, result: { ...tab(0).result, firstPage: undefined } })) as unknown;
    storage.setItem(resultTabsKey("/p"), JSON.stringify({ tabs: [{ label: 3 }, good, null], active: 7 }));
    const restored = loadResultTabs(storage, "/p");
    expect(restored.tabs.map((entry) => entry.label)).toEqual(["Result 1"]);
    expect(restored.activeKey).toBe(restored.tabs[0]?.key);
    expect(loadResultTabs(null, "/p").tabs).toEqual([]);
  });
});
