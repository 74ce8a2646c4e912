import { describe, expect, it } from "vitest";
import { LINEAGE_TAB, QUERY_TAB, STREAMS_TAB } from "./state";
import { docsTab, fileTab, pruneTabSession, readTabSession, tabSessionKey, writeTabSession } from "./tabSession";
import { MemoryStorage } from "../../shared/testing/memoryStorage";

describe("tab session", () => {
  it("brings back the tabs in their order with the active one, per project", () => {
    const storage = new MemoryStorage();
    const tabs = [LINEAGE_TAB, fileTab("models/b.sql"), QUERY_TAB, docsTab("model.p.a"), fileTab("models/a.sql"), STREAMS_TAB];
    writeTabSession(storage, "/p", { tabs, activeTabId: "file:models/b.sql" });
    expect(readTabSession(storage, "/p")).toEqual({ tabs, activeTabId: "file:models/b.sql" });
    expect(readTabSession(storage, "/other")).toBeNull();
    // Only what identifies a tab is stored; titles are derived again.
    expect(storage.data.get(tabSessionKey("/p"))).not.toContain("title");
  });

  it("always has the lineage and query tabs, and skips what it cannot read", () => {
    const storage = new MemoryStorage();
    storage.setItem(tabSessionKey("/p"), JSON.stringify({ tabs: [{ kind: "file", path: "m.sql" }, { kind: "file" }, { kind: "weird" }, { kind: "file", path: "m.sql" }], activeTabId: "gone" }));
    expect(readTabSession(storage, "/p")).toEqual({ tabs: [fileTab("m.sql"), LINEAGE_TAB, QUERY_TAB], activeTabId: LINEAGE_TAB.id });
    storage.setItem(tabSessionKey("/p"), "][");
    expect(readTabSession(storage, "/p")).toBeNull();
  });

  it("drops tabs that no longer apply and moves the active tab to its left neighbour", () => {
    const tabs = [LINEAGE_TAB, fileTab("a.sql"), fileTab("gone.sql"), QUERY_TAB];
    const pruned = pruneTabSession({ tabs, activeTabId: "file:gone.sql" }, (tab) => tab.path !== "gone.sql");
    expect(pruned).toEqual({ tabs: [LINEAGE_TAB, fileTab("a.sql"), QUERY_TAB], activeTabId: "file:a.sql" });
    expect(pruneTabSession({ tabs, activeTabId: "query" }, (tab) => tab.path !== "gone.sql").activeTabId).toBe("query");
  });
});
