import { describe, expect, it } from "vitest";
import type { GraphDto, GraphNodeDto } from "../../api";
import { applySuggestion, buildVocabulary, suggest, wordAt } from "./suggest";

function node(id: string, name: string, resourceType: GraphNodeDto["resourceType"], path: string, tags: string[] = [], materialized: string | null = null): GraphNodeDto {
  return { id, name, resourceType, layer: "staging", path, materialized, tags, description: "", status: null };
}

const graph: GraphDto = {
  nodes: [
    node("model.tickit.fct_sales", "fct_sales", "model", "models/marts/sales/fct_sales.sql", ["marts"], "table"),
    node("model.tickit.stg_tickit__sales", "stg_tickit__sales", "model", "models/staging/tickit/stg_tickit__sales.sql", ["staging"], "view"),
    node("source.tickit.tickit_external.sale", "sale", "source", "models/staging/tickit/_sources.yml"),
    node("test.tickit.not_null_fct_sales_sale_id", "not_null_fct_sales_sale_id", "test", "models/marts/sales/_models.yml"),
  ],
  edges: [],
};
const vocabulary = buildVocabulary(graph);
const values = (text: string, caret = text.length) => suggest(vocabulary, text, caret).map((entry) => entry.value);

describe("selector suggestions", () => {
  it("offer models by prefix and by a word inside the name", () => {
    expect(values("fct")[0]).toBe("fct_sales");
    expect(values("sales")).toEqual(expect.arrayContaining(["fct_sales", "stg_tickit__sales"]));
  });

  it("offer method values after a colon", () => {
    expect(values("tag:m")).toEqual(["tag:marts"]);
    expect(values("path:models/s")).toEqual(["path:models/staging", "path:models/staging/tickit"]);
    expect(values("source:")).toEqual(expect.arrayContaining(["source:tickit_external", "source:tickit_external.sale"]));
    expect(values("config.materialized:t")).toEqual(["config.materialized:table"]);
  });

  it("offer methods on an empty word and graph operators on a whole name", () => {
    expect(values("")).toContain("tag:");
    expect(values("fct_sales").slice(0, 4)).toEqual(["+fct_sales", "fct_sales+", "+fct_sales+", "@fct_sales"]);
  });

  it("complete the word under the caret, keeping operators and the rest of the text", () => {
    expect(wordAt("+fc stg", 3)).toMatchObject({ operators: "+", core: "fc", start: 1, end: 3 });
    const [first] = suggest(vocabulary, "+fc stg", 3);
    expect(first && applySuggestion("+fc stg", 3, first)).toEqual({ text: "+fct_sales stg", caret: 10 });
    const tag = suggest(vocabulary, "fct_sales,tag:ma", 16)[0];
    expect(tag && applySuggestion("fct_sales,tag:ma", 16, tag).text).toBe("fct_sales,tag:marts");
  });
});
