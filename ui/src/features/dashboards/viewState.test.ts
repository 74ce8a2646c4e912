import { describe, expect, it } from "vitest";
import { MemoryStorage } from "../../shared/testing/memoryStorage";
import type { VariableChoices } from "../../api";
import { ALL, chained, currentPick, panelSelection, readView, selectionLabel, timeLabel, toggleChoice, writeView } from "./viewState";

describe("dashboard view state", () => {
  it("remembers the time range and selections per dashboard and ignores junk", () => {
    const storage = new MemoryStorage();
    writeView(storage, "/p", "dashboards/a.yml", { time: { from: "now-3h", to: "now" }, variables: { state: ["CA"] } });
    expect(readView(storage, "/p", "dashboards/a.yml")).toEqual({ time: { from: "now-3h", to: "now" }, variables: { state: ["CA"] } });
    expect(readView(storage, "/p", "dashboards/b.yml")).toEqual({ time: null, variables: {} });
    storage.setItem("kiln.dashboard-view.v1:/p:dashboards/c.yml", "{not json");
    expect(readView(storage, "/p", "dashboards/c.yml")).toEqual({ time: null, variables: {} });
    storage.setItem("kiln.dashboard-view.v1:/p:dashboards/d.yml", JSON.stringify({ time: { from: 1 }, variables: { a: ["x", 2], b: "y" } }));
    expect(readView(storage, "/p", "dashboards/d.yml")).toEqual({ time: null, variables: { a: ["x"] } });
  });

  it("names presets and toggles multi-select choices around All", () => {
    expect(timeLabel({ from: "now-3h", to: "now" })).toBe("Last 3 hours");
    expect(timeLabel({ from: "2008-01-01", to: "2009-01-01" })).toBe("2008-01-01 → 2009-01-01");
    expect(toggleChoice([ALL], "CA", true)).toEqual(["CA"]);
    expect(toggleChoice(["CA"], "NY", true)).toEqual(["CA", "NY"]);
    expect(toggleChoice(["CA"], "CA", true)).toEqual([ALL]);
    expect(toggleChoice(["CA"], "CA", false)).toEqual([]);
    expect(toggleChoice(["CA", "NY"], ALL, true)).toEqual([ALL]);
    expect(selectionLabel(["CA", "NY", "TX"])).toBe("CA + 2");
    expect(selectionLabel([ALL])).toBe("All");
  });

  it("sends All as the listed choices, unless the variable says what All is", () => {
    const variable = (name: string, allValue?: string) => ({ variable: { name, label: "", values: [], default: [], ...(allValue ? { allValue } : {}) }, choices: ["CA", "NY"], initial: [ALL], error: null });
    expect(panelSelection([variable("s"), variable("t", "%"), variable("u")], { s: [ALL], t: [ALL], u: ["NY"] })).toEqual({ s: ["CA", "NY"], t: [ALL], u: ["NY"] });
  });
});

describe("chained variables", () => {
  const entry = (choices: string[], initial: string[]): VariableChoices => ({
    variable: { name: "city", query: "select city from venues where state = '$state'" },
    choices,
    initial,
    error: null,
  });

  it("tells when a variable's query names another", () => {
    expect(chained([{ name: "state", query: "select state from venues" }, { name: "city", query: "select city from v where state in (${state})" }])).toBe(true);
    expect(chained([{ name: "state", query: "select state from venues" }, { name: "statement", query: "select $statex" }])).toBe(false);
    expect(chained([{ name: "a" }, { name: "b", query: "select [[a]]" }])).toBe(true);
  });

  it("drops a pick the new choices no longer offer", () => {
    expect(currentPick(entry(["Buffalo", "Albany"], ["Buffalo"]), ["Albany"])).toEqual(["Albany"]);
    expect(currentPick(entry(["Buffalo", "Albany"], ["Buffalo"]), ["San Diego"])).toEqual(["Buffalo"]);
    expect(currentPick(entry(["Buffalo", "Albany"], ["Buffalo"]), undefined)).toEqual(["Buffalo"]);
    expect(currentPick(entry(["Buffalo"], ["Buffalo"]), [ALL])).toEqual([ALL]);
  });
});
