import { describe, expect, it } from "vitest";
import { builtinKey, builtinName, matchRegions, unmatchedMessage } from "./regions";

describe("builtinKey", () => {
  it("finds states by name, postal code and FIPS, trimmed and in any case, as the engine does", () => {
    expect(builtinKey("usStates", "CA")).toBe("06");
    expect(builtinKey("usStates", " california ")).toBe("06");
    expect(builtinKey("usStates", "District of Columbia")).toBe("11");
    expect(builtinKey("usStates", "72")).toBe("72");
    expect(builtinKey("usStates", "Atlantis")).toBeNull();
  });

  it("finds countries by name and ISO codes; a later row wins a shared name, like the engine's map", () => {
    expect(builtinKey("worldCountries", "Australia")).toBe("036");
    expect(builtinKey("worldCountries", "AUS")).toBe("036");
    expect(builtinKey("worldCountries", "au")).toBe("036");
    expect(builtinKey("worldCountries", "United States of America")).toBe("840");
    expect(builtinKey("worldCountries", "Congo")).toBe("180");
    expect(builtinKey("worldCountries", "Narnia")).toBeNull();
  });

  it("pads number-typed codes that lost their leading zeros", () => {
    expect(builtinKey("usStates", "6")).toBe("06");
    expect(builtinKey("worldCountries", "36")).toBe("036");
    expect(builtinKey("usStates", "0")).toBeNull();
  });

  it("names keys for tooltips", () => {
    expect(builtinName("usStates", "06")).toBe("California");
    expect(builtinName("worldCountries", "036")).toBe("Australia");
    expect(builtinName("usStates", "99")).toBe("99");
  });
});

describe("matchRegions", () => {
  const keyOf = (region: string) => builtinKey("usStates", region);

  it("keeps the first row for a shape and reports other spellings and unknown values once each", () => {
    const matched = matchRegions(
      [
        { region: "California", value: 10 },
        { region: "CA", value: 5 },
        { region: "Atlantis", value: 3 },
        { region: "NY", value: null },
        { region: "Atlantis", value: 1 },
      ],
      keyOf,
    );
    expect([...matched.values.entries()]).toEqual([
      ["06", { value: 10, region: "California" }],
      ["36", { value: null, region: "NY" }],
    ]);
    expect(matched.repeated).toEqual(["CA"]);
    expect(matched.unmatched).toEqual(["Atlantis"]);
  });
});

describe("unmatchedMessage", () => {
  it("counts and lists the values, cut after a few", () => {
    expect(unmatchedMessage(["Atlantis", "Gondor", "Narnia"], { kind: "usStates" })).toBe("3 values match no US state: Atlantis, Gondor, Narnia");
    expect(unmatchedMessage([" "], { kind: "worldCountries" })).toBe("1 value matches no country: (blank)");
    expect(unmatchedMessage(["a", "b", "c"], { kind: "projectFile", path: "maps/zones.geojson", property: "zone" }, 2)).toBe(
      "3 values match no shape in maps/zones.geojson: a, b, and 1 more",
    );
    expect(unmatchedMessage([], { kind: "usStates" })).toBeNull();
  });
});
