import { describe, expect, it } from "vitest";
import { consoleContextAt, resolveQualifier, statementAround, tablesIn } from "./consoleScope";

describe("tablesIn", () => {
  it("reads tables and aliases after FROM and JOIN, not keywords", () => {
    const uses = tablesIn('select * from main.fct_sales s join "Main"."Dim" as d on d.id = s.id left join stg_users where 1 = 1');
    expect(uses).toEqual([
      { schema: "main", table: "fct_sales", alias: "s" },
      { schema: "Main", table: "Dim", alias: "d" },
      { schema: null, table: "stg_users", alias: null },
    ]);
    expect(resolveQualifier("S", uses)?.table).toBe("fct_sales");
    expect(resolveQualifier("stg_users", uses)?.table).toBe("stg_users");
    expect(resolveQualifier("x", uses)).toBeNull();
  });
});

describe("consoleContextAt", () => {
  const at = (before: string) => consoleContextAt(before, 1000);
  it("tells members, relations and words apart", () => {
    expect(at("select s.pri")).toEqual({ kind: "member", qualifier: ["s"], prefix: "pri", from: 997 });
    expect(at("select * from main.")).toEqual({ kind: "member", qualifier: ["main"], prefix: "", from: 1000 });
    expect(at("select main.fct_sales.")).toMatchObject({ kind: "member", qualifier: ["main", "fct_sales"] });
    expect(at("select * from fc")).toEqual({ kind: "relation", prefix: "fc", from: 998 });
    expect(at("select * from ")).toEqual({ kind: "relation", prefix: "", from: 1000 });
    expect(at("select qty")).toEqual({ kind: "word", prefix: "qty", from: 997 });
    expect(at("select 'a.b")).toEqual({ kind: "none" });
    expect(at("-- from main.")).toEqual({ kind: "none" });
  });
  it("finds the statement around the cursor", () => {
    const script = "select 1;\nselect * from t x where x.;\nselect 2";
    const offset = script.indexOf("x.") + 2;
    expect(statementAround(script, offset).text).toBe("\nselect * from t x where x.");
  });
});
