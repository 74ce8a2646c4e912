import { describe, expect, it } from "vitest";
import { NODE_HEIGHT, NODE_WIDTH } from "./graphModel";
import { fitText, nodeAt, type OverviewNode } from "./LineageOverview";

const at = (id: string, x: number, y: number): OverviewNode => ({ id, name: id, meta: "Staging · view", x, y, layer: "staging", status: null, selected: false });

describe("nodeAt", () => {
  const nodes = [at("a", 0, 0), at("b", 0, NODE_HEIGHT + 10), at("c", NODE_WIDTH + 100, 0)];

  it("finds the node whose box holds the point", () => {
    expect(nodeAt(nodes, 5, 5)?.id).toBe("a");
    expect(nodeAt(nodes, NODE_WIDTH, NODE_HEIGHT + 10)?.id).toBe("b");
    expect(nodeAt(nodes, NODE_WIDTH + 150, NODE_HEIGHT / 2)?.id).toBe("c");
  });

  it("finds nothing between nodes", () => {
    expect(nodeAt(nodes, NODE_WIDTH + 50, 5)).toBeNull();
    expect(nodeAt(nodes, 5, NODE_HEIGHT + 5)).toBeNull();
  });
});

describe("fitText", () => {
  // One unit a character, like a monospace font.
  const measure = (text: string) => text.length;

  it("keeps text that fits", () => {
    expect(fitText("stg_orders", 10, measure)).toBe("stg_orders");
  });

  it("cuts the longest prefix that fits with an ellipsis", () => {
    expect(fitText("int_buyers_extracted_from_users", 10, measure)).toBe("int_buyer…");
    expect(measure(fitText("int_buyers_extracted_from_users", 10, measure))).toBeLessThanOrEqual(10);
  });

  it("gives nothing when not even one character fits", () => {
    expect(fitText("abc", 1, measure)).toBe("");
  });
});
