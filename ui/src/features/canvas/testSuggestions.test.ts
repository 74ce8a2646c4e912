import { describe, expect, it } from "vitest";
import { acceptedValues, distinctCounts, isTextType, quoteIdent, shownDistinct, suggestTests, testCandidates, uniqueColumns, uniqueProbe, valuesProbe } from "./testSuggestions";
import type { Canvas } from "./types";

const canvas: Canvas = {
  steps: [
    { name: "orders", body: { kind: "sql", text: "select 1 as id" } },
    { name: "final", body: { kind: "sql", text: "select * from orders" } },
    { name: "later", body: { kind: "sql", text: "select * from final" } },
  ],
  layout: { prefix: "", withKeyword: "", beforeOutput: "", suffix: "" },
};

const columns = [
  { name: "id", dataType: "INTEGER" },
  { name: "status", dataType: "VARCHAR" },
  { name: "note", dataType: "VARCHAR" },
  { name: "amount", dataType: "DOUBLE" },
];

describe("test suggestions", () => {
  it("caps an estimated distinct count at the non-null rows and marks it approximate", () => {
    expect(shownDistinct({ name: "id", nulls: 0, distinct: 1012 }, 1000)).toEqual({ count: 1000, approximate: true });
    expect(shownDistinct({ name: "id", nulls: 10, distinct: 995 }, 1000)).toEqual({ count: 990, approximate: true });
    expect(shownDistinct({ name: "id", nulls: 0, distinct: 980 }, 1000)).toEqual({ count: 980, approximate: false });
    expect(shownDistinct({ name: "id", nulls: null, distinct: null }, 1000)).toEqual({ count: null, approximate: false });
    // 0 distinct of 1000 non-null values: the engine could not count them.
    expect(shownDistinct({ name: "m", nulls: 0, distinct: 0 }, 1000)).toEqual({ count: null, approximate: false });
    expect(shownDistinct({ name: "m", nulls: 1000, distinct: 0 }, 1000)).toEqual({ count: 0, approximate: false });
    // On DuckDB every count is an estimate; an exact count from the suggestions replaces it.
    expect(shownDistinct({ name: "id", nulls: 0, distinct: 980 }, 1000, { estimated: true })).toEqual({ count: 980, approximate: true });
    expect(shownDistinct({ name: "id", nulls: 0, distinct: 1012 }, 1000, { estimated: true, exact: 1000 })).toEqual({ count: 1000, approximate: false });
  });

  it("picks candidates from the estimates", () => {
    const found = testCandidates(
      columns,
      [
        { name: "id", nulls: 0, distinct: 1003 },
        { name: "status", nulls: 0, distinct: 3 },
        { name: "note", nulls: 40, distinct: 500 },
        { name: "amount", nulls: 0, distinct: 12 },
      ],
      1000,
    );
    expect(found).toEqual([
      { column: "id", nulls: 0, notNull: true, unique: true, values: false },
      { column: "status", nulls: 0, notNull: true, unique: false, values: true },
      { column: "amount", nulls: 0, notNull: true, unique: false, values: false },
    ]);
    expect(testCandidates(columns, [{ name: "id", nulls: 0, distinct: 1 }], 0)).toEqual([]);
    expect(isTextType("character varying")).toBe(true);
    expect(isTextType("VARCHAR[]")).toBe(false);
    expect(isTextType("BIGINT")).toBe(false);
  });

  it("counts exactly through a probe step reading the selected step", () => {
    const candidates = testCandidates(columns, [{ name: "id", nulls: 0, distinct: 990 }, { name: "status", nulls: 0, distinct: 3 }], 1000);
    const unique = uniqueProbe(canvas, 1, candidates);
    expect(unique?.step).toBe(2);
    expect(unique?.canvas.steps.map((step) => step.name)).toEqual(["orders", "final", "kiln_test_probe"]);
    expect(unique?.canvas.steps[2]?.body).toEqual({ kind: "sql", text: 'select count(*) as kiln_rows, count(distinct "id") as kiln_d0 from final' });
    const values = valuesProbe(canvas, 1, candidates);
    expect(values?.limit).toBe(11);
    expect(values?.canvas.steps[2]?.body.kind === "sql" && values.canvas.steps[2].body.text).toContain('from (select "status" as kiln_value from final where "status" is not null group by "status" order by "status" limit 11)');
    expect(quoteIdent('a"b')).toBe('"a""b"');
  });

  it("reads the exact counts back", () => {
    expect(uniqueColumns(["a", "b"], [1000, 1000, "999"])).toEqual(new Set(["a"]));
    expect(uniqueColumns(["a"], ["1000", "1000"])).toEqual(new Set(["a"]));
    expect(uniqueColumns(["a"], [1, 1])).toEqual(new Set());
    expect(distinctCounts(["a", "b"], [1000, 1000, "999"])).toEqual(new Map([["a", 1000], ["b", 999]]));
    const values = acceptedValues(
      ["status", "city"],
      [
        [0, "shipped"],
        [0, "placed"],
        ...Array.from({ length: 11 }, (_, at) => [1, `city ${at}`]),
      ],
    );
    expect(values).toEqual(new Map([["status", ["placed", "shipped"]]]));
  });

  it("suggests what the counts support and the YAML does not have yet", () => {
    const candidates = [
      { column: "id", nulls: 0, notNull: true, unique: true, values: false },
      { column: "status", nulls: 0, notNull: true, unique: false, values: true },
      { column: "code", nulls: 0, notNull: true, unique: true, values: true },
    ];
    const out = suggestTests(
      candidates,
      3,
      new Set(["id", "code"]),
      new Map([
        ["status", ["a", "b"]],
        ["code", ["x", "y", "z"]],
      ]),
      new Map([["ID", ["not_null"]]]),
    );
    expect(out.get("id")?.map((test) => test.test)).toEqual(["unique"]);
    expect(out.get("status")?.map((test) => test.test)).toEqual(["not_null", "accepted_values"]);
    expect(out.get("status")?.[1]?.arguments).toEqual([{ name: "values", value: ["a", "b"] }]);
    // Three rows, three values: no value repeats, so no accepted_values.
    expect(out.get("code")?.map((test) => test.test)).toEqual(["not_null", "unique"]);
  });
});
