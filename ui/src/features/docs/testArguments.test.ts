import { describe, expect, it } from "vitest";
import type { GenericTestDto } from "../../api";
import { argumentValues, chipState, groupTests, missingArguments, typedValue } from "./testArguments";

function test(name: string, origin: GenericTestDto["origin"], args: Array<[string, string | null]>, takesColumn = true, pkg: string | null = null): GenericTestDto {
  return {
    name,
    origin,
    package: pkg,
    takesColumn,
    arguments: args.map(([argument, fallback]) => ({ name: argument, required: fallback === null, default: fallback })),
    description: "",
    path: null,
    line: null,
  };
}

const accepted = test("accepted_values", "builtin", [
  ["values", null],
  ["quote", "true"],
]);
const relationships = test("relationships", "builtin", [
  ["to", null],
  ["field", null],
]);
const range = test("within_range", "project", [
  ["min_value", null],
  ["max_value", null],
  ["inclusive", "true"],
]);

describe("test arguments", () => {
  it("groups column tests by origin and package", () => {
    const groups = groupTests([
      range,
      accepted,
      test("equal_rowcount", "package", [["compare_model", null]], false, "dbt_utils"),
      test("dbt_utils.not_empty_string", "package", [], true, "dbt_utils"),
    ]);
    expect(groups.map((group) => [group.label, group.tests.map((entry) => entry.name)])).toEqual([
      ["Built-in", ["accepted_values"]],
      ["This project", ["within_range"]],
      ["Package dbt_utils", ["dbt_utils.not_empty_string"]],
    ]);
  });

  it("types values as YAML would", () => {
    expect(typedValue(" 8 ")).toBe(8);
    expect(typedValue("-1.5")).toBe(-1.5);
    expect(typedValue("False")).toBe(false);
    expect(typedValue("none")).toBeNull();
    expect(typedValue("price > 0")).toBe("price > 0");
  });

  it("builds each test's arguments, leaving empty optional ones to their default", () => {
    expect(argumentValues(accepted, { values: "MLB\n\n NHL \n" })).toEqual([{ name: "values", value: ["MLB", "NHL"] }]);
    expect(argumentValues(accepted, { values: "1\n2", quote: "false" })).toEqual([
      { name: "values", value: ["1", "2"] },
      { name: "quote", value: false },
    ]);
    expect(argumentValues(relationships, { to: "dim_events", field: "event_id" })).toEqual([
      { name: "to", value: "ref('dim_events')" },
      { name: "field", value: "event_id" },
    ]);
    expect(argumentValues(range, { min_value: "1", max_value: "8", inclusive: "true" })).toEqual([
      { name: "min_value", value: 1 },
      { name: "max_value", value: 8 },
    ]);
    expect(missingArguments(range, { min_value: "1", max_value: " " })).toEqual(["max_value"]);
  });

  it("colours a chip by its last result", () => {
    expect(chipState("pass")).toBe("pass");
    expect(chipState("fail")).toBe("fail");
    expect(chipState(undefined)).toBe("notrun");
    expect(chipState(null)).toBe("notrun");
  });
});
