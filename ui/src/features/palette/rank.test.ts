import { describe, expect, it } from "vitest";
import type { FileNode, GraphNodeDto } from "../../api";
import type { Command } from "./commands";
import { align, isWordStart, rankItem, rankItems, rankText, Tier } from "./rank";
import { paletteItems, searchPalette, type PaletteItem } from "./search";

const names = (items: string[], query: string) => rankItems(items, query, (name) => ({ name })).map((entry) => entry.item);

describe("rankText tiers", () => {
  it("puts the exact name first, even against shorter prefixes and longer names", () => {
    expect(names(["fct_sales_daily", "stg_fct_sales", "fct_sales", "fct_sale"], "fct_sales")[0]).toBe("fct_sales");
    // A file's extension does not keep its name from being exact.
    expect(rankText("fct_sales", "fct_sales.sql")?.tier).toBe(Tier.Exact);
  });

  it("ranks a prefix above a word-boundary match, and that above a mid-word substring", () => {
    expect(names(["int_stg_users", "xstgy", "stg_users"], "stg")).toEqual(["stg_users", "int_stg_users", "xstgy"]);
    expect(rankText("stg", "stg_users")?.tier).toBe(Tier.Prefix);
    expect(rankText("stg", "int_stg_users")?.tier).toBe(Tier.WordBoundary);
    expect(rankText("stg", "xstgy")?.tier).toBe(Tier.Substring);
  });

  it("treats letters starting each word as a word-boundary match (acronyms, camelCase)", () => {
    expect(rankText("fs", "fct_sales")?.tier).toBe(Tier.WordBoundary);
    expect(rankText("fsal", "fct_sales")?.tier).toBe(Tier.WordBoundary);
    expect(rankText("rbp", "RunBuildPanel")?.tier).toBe(Tier.WordBoundary);
    expect(rankText("fs", "fixtures")?.tier).toBe(Tier.Scattered);
    expect(names(["fixtures", "offsets", "fct_sales"], "fs")[0]).toBe("fct_sales");
  });

  it("ranks word-boundary and prefix matches above scattered subsequences", () => {
    const ranked = names(["diamonds", "dim_non_buyers", "stg_tickit__dates", "dim_events"], "dims");
    // "dims": no prefix anywhere; d-i-m + s at a word start beats the scattered d…i…m…s.
    expect(ranked.slice(0, 2).sort()).toEqual(["dim_events", "dim_non_buyers"]);
    expect(rankText("dims", "diamonds")?.tier).toBe(Tier.Scattered);
    expect(ranked[2]).toBe("diamonds");
    expect(names(["a_b_c_stuff", "abc"], "abc")[0]).toBe("abc");
  });

  it("prefers word starts over the first occurrence when aligning", () => {
    // "sa" in "fct_listings_sales": the 's' of 'sales' (a word start) followed by 'a'.
    const match = rankText("sa", "fct_listings_sales");
    expect(match?.indices).toEqual([13, 14]);
    expect(align("fsal", "fct_sales")?.indices).toEqual([0, 4, 5, 6]);
  });

  it("refuses letters out of order and reports highlight indices", () => {
    expect(rankText("tcf", "fct_sales")).toBeNull();
    expect(rankText("sal", "fct_sales")?.indices).toEqual([4, 5, 6]);
    expect(isWordStart("fct_sales", 4)).toBe(true);
    expect(isWordStart("fctSales", 3)).toBe(true);
    expect(isWordStart("fct_sales", 5)).toBe(false);
  });
});

describe("rankItem", () => {
  it("ranks any name match above a match found only in the path", () => {
    const files = ["models/sales/readme.md", "models/marts/fct_sales.sql"];
    const ranked = rankItems(files, "sales", (path) => ({ name: path.split("/").pop() ?? path, detail: path }));
    expect(ranked.map((entry) => entry.item)).toEqual(["models/marts/fct_sales.sql", "models/sales/readme.md"]);
    expect(ranked[1]?.match.field).toBe("detail");
  });

  it("matches a query with a slash against the path", () => {
    const match = rankItem("marts/fct", "fct_sales.sql", "models/marts/fct_sales.sql");
    expect(match?.field).toBe("detail");
    expect(match?.tier).toBe(Tier.WordBoundary);
    expect(rankItem("staging/fct", "fct_sales.sql", "models/marts/fct_sales.sql")).toBeNull();
  });

  it("ignores spaces in the query and keeps input order when empty", () => {
    expect(rankItem("fct sales", "fct_sales")?.tier).toBe(Tier.WordBoundary);
    expect(names(["b", "a", "c"], "  ")).toEqual(["b", "a", "c"]);
  });
});

function node(name: string, path: string, resourceType: GraphNodeDto["resourceType"] = "model"): GraphNodeDto {
  return { id: `${resourceType}.tickit.${name}`, name, resourceType, layer: "marts", path, materialized: null, tags: [], description: "", status: null };
}

function file(path: string, kind: FileNode["kind"] = "other"): FileNode {
  return { name: path.split("/").pop() ?? path, path, kind, children: [] };
}

const commands: Command[] = [
  { id: "file.save", title: "Save file", group: "File", run: () => undefined },
  { id: "run.build", title: "Build (current selection)", group: "Run", run: () => undefined },
  { id: "run.cancel", title: "Cancel run", group: "Run", enabled: () => false, run: () => undefined },
  { id: "view.sales", title: "Show sales dashboard", group: "View", run: () => undefined },
];

const nodes = [
  node("fct_sales", "models/marts/sales/fct_sales.sql"),
  node("fct_listings", "models/marts/sales/fct_listings.sql"),
  node("stg_tickit__sales", "models/staging/tickit/stg_tickit__sales.sql"),
  node("int_sellers_extracted_from_users", "models/intermediate/int_sellers_extracted_from_users.sql"),
  node("tickit_external.sale", "models/staging/tickit/external_tables/_tickit__sources.yml", "source"),
];
const files = [
  file("models/marts/sales/fct_sales.sql", "model"),
  file("models/marts/sales/_sales.yml", "yaml"),
  file("dashboards/sales_overview.yml", "yaml"),
  file("README.md", "docs"),
];

const keys = (results: Array<{ item: PaletteItem }>) => results.map((result) => result.item.key);

describe("searchPalette", () => {
  const items = paletteItems(commands, nodes, files);

  it("lists each model once (not its file again), skips sources and disabled commands", () => {
    expect(items.filter((item) => item.kind === "model")).toHaveLength(4);
    expect(items.some((item) => item.key === "file:models/marts/sales/fct_sales.sql")).toBe(false);
    expect(items.some((item) => item.key === "file:models/marts/sales/_sales.yml")).toBe(true);
    expect(items.some((item) => item.key === "command:run.cancel")).toBe(false);
  });

  it("finds a model by a fuzzy query, with the right top result", () => {
    expect(keys(searchPalette(items, "fctsal"))[0]).toBe("model:model.tickit.fct_sales");
    expect(keys(searchPalette(items, "fct_sales"))[0]).toBe("model:model.tickit.fct_sales");
    expect(keys(searchPalette(items, "stgsales"))[0]).toBe("model:model.tickit.stg_tickit__sales");
    // "ises": int_sellers_extracted… by its word starts, not the scattered letters elsewhere.
    expect(keys(searchPalette(items, "isefu"))[0]).toBe("model:model.tickit.int_sellers_extracted_from_users");
  });

  it("searches files and commands in the same list", () => {
    const sales = keys(searchPalette(items, "sales"));
    expect(sales).toContain("file:dashboards/sales_overview.yml");
    expect(sales).toContain("command:view.sales");
    expect(sales).toContain("model:model.tickit.fct_sales");
    expect(keys(searchPalette(items, "save"))[0]).toBe("command:file.save");
    expect(keys(searchPalette(items, "readme"))[0]).toBe("file:README.md");
  });

  it("lists only commands for an empty query or after '>'", () => {
    expect(keys(searchPalette(items, ""))).toEqual(["command:file.save", "command:run.build", "command:view.sales"]);
    expect(keys(searchPalette(items, ">sales"))).toEqual(["command:view.sales"]);
  });
});
