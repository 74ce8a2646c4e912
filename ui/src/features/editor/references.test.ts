import { describe, expect, it } from "vitest";
import type { GraphNodeDto } from "../../api";
import { fixRange, nodeFor, referenceAt, sourceTableLine, suggestedFix } from "./references";

const node = (id: string, name: string, resourceType: GraphNodeDto["resourceType"], path: string): GraphNodeDto => ({
  id,
  name,
  resourceType,
  layer: "staging",
  path,
  materialized: null,
  tags: [],
  description: "",
  status: null,
});

describe("referenceAt", () => {
  const line = "from {{ ref('stg_sales') }} s join {{ source(\"tickit\", 'event') }} e";
  it("finds the call under the cursor, anywhere from its name to its parenthesis", () => {
    expect(referenceAt(line, 100, 100 + line.indexOf("ref"))).toMatchObject({ kind: "ref", name: "stg_sales" });
    expect(referenceAt(line, 100, 100 + line.indexOf("sales"))).toMatchObject({ kind: "ref", name: "stg_sales" });
    expect(referenceAt(line, 100, 100 + line.indexOf("event"))).toMatchObject({ kind: "source", source: "tickit", table: "event" });
    expect(referenceAt(line, 100, 100 + line.indexOf("join"))).toBeNull();
    expect(referenceAt("select {{ ref('pkg', 'm') }}", 0, 12)).toMatchObject({ kind: "ref", name: "m" });
  });
});

describe("nodeFor and sourceTableLine", () => {
  const nodes = [
    node("model.p.stg_sales", "stg_sales", "model", "models/stg_sales.sql"),
    node("test.p.stg_sales", "stg_sales", "test", "models/x.yml"),
    node("source.p.tickit.event", "tickit.event", "source", "models/sources.yml"),
  ];
  it("resolves models by name and sources by their two names", () => {
    expect(nodeFor({ kind: "ref", name: "stg_sales", from: 0, to: 1 }, nodes)?.id).toBe("model.p.stg_sales");
    expect(nodeFor({ kind: "source", source: "tickit", table: "event", from: 0, to: 1 }, nodes)?.path).toBe("models/sources.yml");
    expect(nodeFor({ kind: "ref", name: "nope", from: 0, to: 1 }, nodes)).toBeUndefined();
  });
  it("finds the table's entry in the YAML", () => {
    expect(sourceTableLine("sources:\n  - name: tickit\n    tables:\n      - name: sales\n      - name: 'event'\n", "event")).toBe(5);
    expect(sourceTableLine("x", "event")).toBe(1);
  });
});

describe("suggestedFix and fixRange", () => {
  it("reads the misspelt and the suggested name from engine messages", () => {
    expect(suggestedFix("ref('stg_salez') does not match any model, seed or snapshot (did you mean 'stg_sales'?)")).toEqual({ wrong: "stg_salez", right: "stg_sales" });
    expect(suggestedFix("column 'cat_namX' does not exist in categories (from ref('stg_categories')) (read as 'c') (did you mean 'cat_name'?)")).toEqual({ wrong: "cat_namX", right: "cat_name" });
    expect(suggestedFix("source('tickit', 'evnt') is not declared in any sources YAML (did you mean 'tickit.event'?)")).toEqual({ wrong: "tickit.evnt", right: "tickit.event" });
    expect(suggestedFix("something else")).toBeNull();
  });
  it("replaces the whole-word occurrence nearest the diagnostic", () => {
    const text = "select c.cat_namX, x.cat_namXY\nfrom c\nwhere c.cat_namX is null";
    const near = text.lastIndexOf("cat_namX");
    expect(fixRange(text, "cat_namX", "cat_name", near)).toEqual({ from: near, to: near + 8, insert: "cat_name" });
    expect(fixRange("from {{ source('tickit', 'evnt') }}", "tickit.evnt", "tickit.event", 0)).toMatchObject({ insert: "event" });
    expect(fixRange("from {{ source('tickit', 'evnt') }}", "tickit.evnt", "other.event", 0)).toBeNull();
  });
});
