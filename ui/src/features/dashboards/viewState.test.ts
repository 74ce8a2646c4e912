import { describe, expect, it } from "vitest";
import { MemoryStorage } from "../../shared/testing/memoryStorage";
import { ALL, panelSelection, readView, selectionLabel, timeLabel, toggleChoice, writeView } from "./viewState";

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
