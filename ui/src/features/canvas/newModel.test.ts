import { describe, expect, it } from "vitest";
import { newModelPath, newModelProblem, suggestedFolder } from "./newModel";
import { modelName, relationOfNode } from "./relations";
import type { GraphNodeDto } from "../../api";

describe("new canvas models", () => {
  it("makes the path from name and folder", () => {
    expect(newModelPath("fct_sales_canvas", "models/marts/")).toBe("models/marts/fct_sales_canvas.sql");
    expect(newModelPath("x.sql", " models ")).toBe("models/x.sql");
    expect(modelName("models/marts/fct_sales.sql")).toBe("fct_sales");
  });

  it("refuses bad names, no folder, escaping folders and existing files", () => {
    const existing = new Set(["models/a.sql"]);
    expect(newModelProblem("fct sales", "models", existing)).toMatch(/letter/);
    expect(newModelProblem("b", "", existing)).toMatch(/folder/);
    expect(newModelProblem("b", "models/../..", existing)).toMatch(/inside/);
    expect(newModelProblem("a", "models", existing)).toMatch(/exists/);
    expect(newModelProblem("b", "models", existing)).toBeNull();
  });

  it("suggests the open model's folder", () => {
    expect(suggestedFolder("models/marts/sales/fct_sales.sql")).toBe("models/marts/sales");
    expect(suggestedFolder(undefined)).toBe("models");
  });
});

describe("relations of graph nodes", () => {
  const node = (patch: Partial<GraphNodeDto>): GraphNodeDto => ({ id: "", name: "", resourceType: "model", layer: "staging", path: "", materialized: null, tags: [], description: "", status: null, ...patch });
  it("models and seeds are refs, sources their source() names", () => {
    expect(relationOfNode(node({ id: "model.tickit.stg_sales", name: "stg_sales" }))).toEqual({ kind: "ref", name: "stg_sales" });
    expect(relationOfNode(node({ id: "source.tickit.tickit_raw.sales", name: "sales", resourceType: "source" }))).toEqual({ kind: "source", source: "tickit_raw", table: "sales" });
    expect(relationOfNode(node({ id: "test.tickit.x", name: "x", resourceType: "test" }))).toBeNull();
  });
});
