import { describe, expect, it } from "vitest";
import { completionContextAt, macroNames } from "./completionContext";

function at(text: string) {
  return completionContextAt(text, text.length);
}

describe("completionContextAt", () => {
  it("detects ref('…')", () => {
    expect(at("select * from {{ ref('stg_ti")).toEqual({ kind: "ref", prefix: "stg_ti", from: 28 - 6 });
    expect(at('from {{ ref("')).toMatchObject({ kind: "ref", prefix: "" });
  });

  it("detects the first and second source() argument", () => {
    expect(at("from {{ source('tick")).toMatchObject({ kind: "sourceName", prefix: "tick" });
    expect(at("from {{ source('tickit_external', 'sa")).toMatchObject({
      kind: "sourceTable",
      source: "tickit_external",
      prefix: "sa",
    });
  });

  it("detects jinja calls", () => {
    expect(at("select {{ price_")).toMatchObject({ kind: "jinja", prefix: "price_" });
    expect(at("{%- ")).toMatchObject({ kind: "jinja", prefix: "" });
  });

  it("detects qualified and bare identifiers", () => {
    expect(at("select s.qty")).toMatchObject({ kind: "identifier", prefix: "qty", qualifier: "s" });
    expect(at("select pri")).toMatchObject({ kind: "identifier", prefix: "pri", qualifier: null });
  });

  it("offers nothing inside a plain string literal or after a space", () => {
    expect(at("where name = 'abc")).toEqual({ kind: "none" });
    expect(at("select ")).toEqual({ kind: "none" });
  });
});

describe("macroNames", () => {
  it("finds macros and generic tests", () => {
    const source = "{% macro price_band(amount) %}x{% endmacro %}\n{%- macro  cents_to_dollars (c) -%}{% test is_positive(model, column_name) %}";
    expect(macroNames(source)).toEqual(["price_band", "cents_to_dollars", "is_positive"]);
  });
});
