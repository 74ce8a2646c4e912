import { describe, expect, it } from "vitest";
import type { GraphDto, GraphNodeDto, Layer, ResourceTypeDto } from "../../api";
import { NODE_HEIGHT, NODE_WIDTH, READABLE_ZOOM, buildLineage, initialViewport, neighbourhood, nodeBounds, overlayUnsaved, selectorName, sourceArguments } from "./graphModel";

function node(id: string, layer: Layer, resourceType: ResourceTypeDto = "model"): GraphNodeDto {
  return {
    id,
    name: id.split(".").pop() ?? id,
    resourceType,
    layer,
    path: `models/${id}.sql`,
    materialized: null,
    tags: [],
    description: "",
    status: null,
  };
}

// source → stg → int → fct → exposure, plus a test on fct and a second source feeding fct directly.
const graph: GraphDto = {
  nodes: [
    node("source.tickit.tickit.sale", "source", "source"),
    node("source.tickit.tickit.event", "source", "source"),
    node("model.tickit.stg_sales", "staging"),
    node("model.tickit.int_sales", "intermediate"),
    node("model.tickit.fct_sales", "marts"),
    node("exposure.tickit.dashboard", "exposure", "exposure"),
    node("test.tickit.not_null_fct_sales_id", "test", "test"),
  ],
  edges: [
    { source: "source.tickit.tickit.sale", target: "model.tickit.stg_sales" },
    { source: "model.tickit.stg_sales", target: "model.tickit.int_sales" },
    { source: "model.tickit.int_sales", target: "model.tickit.fct_sales" },
    { source: "source.tickit.tickit.event", target: "model.tickit.fct_sales" },
    { source: "model.tickit.fct_sales", target: "exposure.tickit.dashboard" },
    { source: "model.tickit.fct_sales", target: "test.tickit.not_null_fct_sales_id" },
    { source: "model.tickit.fct_sales", target: "model.tickit.missing" },
  ],
};

function ranks(model: ReturnType<typeof buildLineage>): Record<string, number> {
  return Object.fromEntries(model.nodes.map((entry) => [entry.dto.name, entry.rank]));
}

describe("buildLineage", () => {
  it("ranks nodes by longest path so every edge points right", () => {
    const model = buildLineage(graph);
    expect(ranks(model)).toEqual({
      sale: 0,
      event: 0,
      stg_sales: 1,
      int_sales: 2,
      fct_sales: 3,
      dashboard: 4,
      not_null_fct_sales_id: 4,
    });
    const byId = new Map(model.nodes.map((entry) => [entry.id, entry]));
    for (const edge of model.edges) {
      expect(byId.get(edge.source)?.x ?? 0).toBeLessThan(byId.get(edge.target)?.x ?? 0);
    }
    // The dangling edge to an unknown node is dropped rather than crashing the view.
    expect(model.edges).toHaveLength(6);
  });

  it("gives nodes in one column distinct rows", () => {
    const model = buildLineage(graph);
    const column = model.nodes.filter((entry) => entry.rank === 0).map((entry) => entry.y);
    expect(new Set(column).size).toBe(column.length);
  });

  it("hides tests on request", () => {
    const model = buildLineage(graph, { includeTests: false });
    expect(model.nodes.some((entry) => entry.dto.resourceType === "test")).toBe(false);
  });

  it("centres on a node and keeps ±depth levels", () => {
    const model = buildLineage(graph, { focus: "model.tickit.int_sales", depth: 1 });
    expect(model.nodes.map((entry) => entry.dto.name).sort()).toEqual([
      "fct_sales",
      "int_sales",
      "not_null_fct_sales_id",
      "stg_sales",
    ]);
    expect(model.nodes.find((entry) => entry.focused)?.dto.name).toBe("int_sales");
  });

  it("keeps the tests of nodes in a neighbourhood", () => {
    const kept = neighbourhood(graph, "model.tickit.int_sales", 1);
    expect(kept.has("test.tickit.not_null_fct_sales_id")).toBe(true);
    expect(kept.has("source.tickit.tickit.sale")).toBe(false);
  });

  it("applies live status overrides", () => {
    const model = buildLineage(graph, { statusOverrides: new Map([["model.tickit.fct_sales", "error"]]) });
    expect(model.nodes.find((entry) => entry.dto.name === "fct_sales")?.status).toBe("error");
    expect(model.nodes.find((entry) => entry.dto.name === "stg_sales")?.status).toBeNull();
  });

  it("survives cycles and reports them", () => {
    const cyclic: GraphDto = {
      nodes: [node("model.t.a", "staging"), node("model.t.b", "staging"), node("model.t.c", "staging")],
      edges: [
        { source: "model.t.a", target: "model.t.b" },
        { source: "model.t.b", target: "model.t.c" },
        { source: "model.t.c", target: "model.t.b" },
      ],
    };
    const model = buildLineage(cyclic);
    expect(model.cyclic.sort()).toEqual(["model.t.b", "model.t.c"]);
    expect(model.nodes).toHaveLength(3);
  });

  it("wraps a very wide layer into sub-columns that keep left-to-right order", () => {
    const nodes = [node("source.t.s.raw", "source", "source")];
    const edges: GraphDto["edges"] = [];
    for (let index = 0; index < 10; index += 1) {
      nodes.push(node(`model.t.stg_${index}`, "staging"));
      edges.push({ source: "source.t.s.raw", target: `model.t.stg_${index}` });
    }
    nodes.push(node("model.t.fct", "marts"));
    edges.push({ source: "model.t.stg_0", target: "model.t.fct" });
    const model = buildLineage({ nodes, edges }, { maxRowsPerColumn: 4 });
    const staging = model.nodes.filter((entry) => entry.dto.layer === "staging");
    expect(new Set(staging.map((entry) => entry.x)).size).toBe(3);
    expect(Math.max(...staging.map((entry) => entry.y)) / 58).toBeLessThan(4);
    const fct = model.nodes.find((entry) => entry.dto.name === "fct");
    expect(fct?.x ?? 0).toBeGreaterThan(Math.max(...staging.map((entry) => entry.x)));
  });

  it("lays out 5,000 nodes quickly", () => {
    const nodes: GraphNodeDto[] = [];
    const edges: GraphDto["edges"] = [];
    for (let index = 0; index < 5000; index += 1) {
      nodes.push(node(`model.big.m${index}`, "staging"));
      if (index > 0) edges.push({ source: `model.big.m${Math.floor((index - 1) / 3)}`, target: `model.big.m${index}` });
    }
    const started = performance.now();
    const model = buildLineage({ nodes, edges });
    expect(model.nodes).toHaveLength(5000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("source and selector names", () => {
  it("derives source() arguments from the unique id", () => {
    expect(sourceArguments(node("source.tickit.tickit_external.sale", "source", "source"))).toEqual({
      source: "tickit_external",
      table: "sale",
    });
    expect(sourceArguments(node("model.tickit.fct_sales", "marts"))).toBeNull();
  });

  it("builds dbt selector names", () => {
    expect(selectorName(node("source.tickit.tickit_external.sale", "source", "source"))).toBe("source:tickit_external.sale");
    expect(selectorName(node("model.tickit.fct_sales", "marts"))).toBe("fct_sales");
  });
});

describe("initial viewport", () => {
  it("measures node bounds including the node size", () => {
    expect(nodeBounds([])).toBeNull();
    expect(nodeBounds([{ x: 100, y: 50 }, { x: -20, y: 300 }])).toEqual({ x: -20, y: 50, width: 120 + NODE_WIDTH, height: 250 + NODE_HEIGHT });
  });

  it("fits and centres a small graph without zooming past 1", () => {
    const bounds = { x: 0, y: 0, width: 400, height: 100 };
    const view = initialViewport(bounds, { width: 1000, height: 800 }, { padding: 0 });
    expect(view.zoom).toBe(1);
    expect(view.clipped).toBe(false);
    expect(view.x).toBe(300);
    expect(view.y).toBe(350);
  });

  it("zooms out to fit a graph that fits at a readable zoom", () => {
    const view = initialViewport({ x: 0, y: 0, width: 1600, height: 400 }, { width: 1000, height: 800 }, { padding: 0 });
    expect(view.zoom).toBeCloseTo(0.625);
    expect(view.clipped).toBe(false);
    expect(view.x).toBeCloseTo(0);
    expect(view.y).toBeCloseTo((800 - 400 * 0.625) / 2);
  });

  it("never opens below the readable zoom; a too-big graph starts at its upstream edge", () => {
    // The TICKIT graph with its 138 tests is roughly this shape: far too tall to fit readably.
    const bounds = { x: 50, y: 20, width: 2600, height: 9000 };
    const view = initialViewport(bounds, { width: 1100, height: 720 }, { padding: 24 });
    expect(view.zoom).toBe(READABLE_ZOOM);
    expect(view.clipped).toBe(true);
    // Top-left of the graph lands at the padding, so sources are on screen.
    expect(view.x + bounds.x * view.zoom).toBeCloseTo(24);
    expect(view.y + bounds.y * view.zoom).toBeCloseTo(24);
  });

  it("opens a graph too big to fit on the top node of its upstream column, not on empty canvas", () => {
    // 5,000 models: the quick layout centres each column, so the bounds' corner holds no node.
    const graph: GraphDto = { nodes: [], edges: [] };
    for (let index = 0; index < 20; index += 1) graph.nodes.push(node(`source.p.s.t${index}`, "source", "source"));
    for (let index = 0; index < 3000; index += 1) {
      graph.nodes.push(node(`model.p.m${index}`, "staging"));
      graph.edges.push({ source: `source.p.s.t${index % 20}`, target: `model.p.m${index}` });
    }
    const model = buildLineage(graph);
    const positions = model.nodes.map((entry) => ({ x: entry.x, y: entry.y }));
    const bounds = nodeBounds(positions);
    if (!bounds) throw new Error("no bounds");
    const anchor = positions.reduce((best, p) => (p.x < best.x || (p.x === best.x && p.y < best.y) ? p : best));
    const screen = { width: 1200, height: 800 };
    const view = initialViewport(bounds, screen, { padding: 24, anchor });
    expect(view.clipped).toBe(true);
    const onScreen = positions.filter((p) => {
      const x = view.x + p.x * view.zoom;
      const y = view.y + p.y * view.zoom;
      return x >= 0 && x <= screen.width && y >= 0 && y <= screen.height;
    });
    expect(onScreen.length).toBeGreaterThan(5);
    // Without the anchor the same camera shows nothing: the reason for it.
    const corner = initialViewport(bounds, screen, { padding: 24 });
    const atCorner = positions.filter((p) => corner.y + p.y * corner.zoom <= screen.height && corner.x + p.x * corner.zoom <= screen.width);
    expect(atCorner.length).toBeLessThan(onScreen.length);
  });

  it("hides tests from the laid-out model when asked, as the view does by default", () => {
    const graph: GraphDto = {
      nodes: [node("model.p.a", "staging"), node("test.p.not_null_a", "test", "test")],
      edges: [{ source: "model.p.a", target: "test.p.not_null_a" }],
    };
    const model = buildLineage(graph, { includeTests: false });
    expect(model.nodes.map((entry) => entry.id)).toEqual(["model.p.a"]);
    expect(model.edges).toEqual([]);
  });
});

describe("overlayUnsaved", () => {
  it("leaves the graph alone when the edit refers to the same inputs", () => {
    const inputs = graph.edges.filter((edge) => edge.target === "model.tickit.fct_sales").map((edge) => edge.source);
    const result = overlayUnsaved(graph, [{ id: "model.tickit.fct_sales", dependsOn: [...inputs].reverse() }]);
    expect(result.graph).toBe(graph);
    expect(result.unsavedEdges.size).toBe(0);
  });

  it("replaces an edited node's inputs and marks the new edges", () => {
    const result = overlayUnsaved(graph, [{ id: "model.tickit.int_sales", dependsOn: ["model.tickit.stg_sales", "source.tickit.tickit.event", "model.tickit.nope"] }]);
    const into = result.graph.edges.filter((edge) => edge.target === "model.tickit.int_sales").map((edge) => edge.source).sort();
    expect(into).toEqual(["model.tickit.stg_sales", "source.tickit.tickit.event"]);
    expect([...result.unsavedEdges]).toEqual(["source.tickit.tickit.event->model.tickit.int_sales"]);
    const lineage = buildLineage(result.graph, { unsavedEdges: result.unsavedEdges });
    const drawn = lineage.edges.filter((edge) => edge.unsaved).map((edge) => edge.id);
    expect(drawn).toEqual(["source.tickit.tickit.event->model.tickit.int_sales"]);
    // Other nodes' edges are untouched.
    expect(result.graph.edges.filter((edge) => edge.target !== "model.tickit.int_sales")).toEqual(graph.edges.filter((edge) => edge.target !== "model.tickit.int_sales"));
  });

  it("drops an input the edit no longer refers to", () => {
    const result = overlayUnsaved(graph, [{ id: "model.tickit.fct_sales", dependsOn: [] }]);
    expect(result.graph.edges.some((edge) => edge.target === "model.tickit.fct_sales")).toBe(false);
  });
});
