import { describe, expect, it } from "vitest";
import { choropleth, choroplethMessages } from "./choropleth";

const states = new Set(["06", "36", "48"]);

describe("choropleth", () => {
  it("fills the shapes the rows name and lists what it could not draw", () => {
    const fill = choropleth(
      [
        { region: "CA", value: 30 },
        { region: "New York", value: 20 },
        { region: "Texas", value: null },
        { region: "Atlantis", value: 5 },
        // Alaska is in the table but not among this test's shapes: named, yet not drawable.
        { region: "AK", value: 3 },
      ],
      { kind: "usStates" },
      states,
    );
    expect(fill.filled).toBe(2);
    expect([...fill.values.keys()]).toEqual(["06", "36", "48"]);
    expect(fill.unmatched).toEqual(["Atlantis"]);
    expect(fill.unshaped).toEqual(["AK"]);
    expect(fill.classes?.uppers.at(-1)).toBe(30);
    expect(choroplethMessages(fill, { kind: "usStates" }, 5)).toEqual([
      "1 value matches no US state: Atlantis",
      "1 US state too small for this map's scale is not drawn: AK",
    ]);
  });

  it("matches a project file's shapes by their normalised property", () => {
    const set = { kind: "projectFile" as const, path: "zones.json", property: "zone" };
    const fill = choropleth(
      [
        { region: "North ", value: 1 },
        { region: "west", value: 2 },
      ],
      set,
      new Set(["north", "south"]),
    );
    expect(fill.filled).toBe(1);
    expect(fill.unmatched).toEqual(["west"]);
    expect(choroplethMessages(fill, set, 2)).toEqual(["1 value matches no shape in zones.json: west"]);
  });

  it("says so when there are no rows, or no numbers", () => {
    expect(choroplethMessages(choropleth([], { kind: "usStates" }, states), { kind: "usStates" }, 0)).toEqual(["The query returned no rows to map."]);
    const nulls = choropleth([{ region: "CA", value: null }], { kind: "usStates" }, states);
    expect(choroplethMessages(nulls, { kind: "usStates" }, 1)).toEqual(["No region has a number to colour it by."]);
  });
});
