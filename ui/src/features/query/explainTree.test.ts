import { describe, expect, it } from "vitest";
import type { Plan, PlanNode } from "../../api";
import { allRows, barPercent, engineName, flaggedRows, flagLabel, formatEstimate, hasCosts, isWarning, visibleRows } from "./explainTree";

function node(operator: string, children: PlanNode[] = [], extra: Partial<PlanNode> = {}): PlanNode {
  return {
    operator,
    relation: null,
    distribution: null,
    details: [],
    startupCost: null,
    totalCost: null,
    selfCost: null,
    rows: null,
    width: null,
    flags: [],
    children,
    ...extra,
  };
}

// The shape of the Redshift guide's "Join, Aggregate, and Sort" example, shortened.
const join = node("Hash Join", [node("Seq Scan", [], { relation: "sales", rows: 172456 }), node("Hash", [node("Seq Scan", [], { relation: "event", rows: 8798 })])], {
  distribution: "DS_BCAST_INNER",
  rows: 172456,
  selfCost: 2815363902,
  flags: [
    { kind: "broadcast", why: "Broadcasts the whole inner table" },
    { kind: "highestCost", why: "The largest estimated cost" },
  ],
});
const root = node("HashAggregate", [join], { rows: 576 });
const plan: Plan = { engine: "redshift", root, notes: [], maxSelfCost: 2815363902, maxRows: 172456 };

describe("visibleRows", () => {
  it("lists every step depth first with path ids", () => {
    const rows = visibleRows(root, new Set());
    expect(rows.map((row) => [row.id, row.depth, row.node.operator, row.node.relation])).toEqual([
      ["0", 0, "HashAggregate", null],
      ["0.0", 1, "Hash Join", null],
      ["0.0.0", 2, "Seq Scan", "sales"],
      ["0.0.1", 2, "Hash", null],
      ["0.0.1.0", 3, "Seq Scan", "event"],
    ]);
  });

  it("hides what is below a collapsed step but keeps the step", () => {
    expect(visibleRows(root, new Set(["0.0.1"])).map((row) => row.id)).toEqual(["0", "0.0", "0.0.0", "0.0.1"]);
    expect(visibleRows(root, new Set(["0"])).map((row) => row.id)).toEqual(["0"]);
    expect(allRows(root)).toHaveLength(5);
  });
});

describe("flags", () => {
  it("finds flagged steps and tells warnings from markers", () => {
    expect(flaggedRows(root).map((row) => row.id)).toEqual(["0.0"]);
    expect(isWarning("broadcast")).toBe(true);
    expect(isWarning("redistribution")).toBe(true);
    expect(isWarning("nestedLoop")).toBe(true);
    expect(isWarning("highestCost")).toBe(false);
    expect(isWarning("mostRows")).toBe(false);
    expect(flagLabel("nestedLoop")).toBe("Nested loop / cross join");
    expect(engineName("postgres")).toBe("PostgreSQL");
  });
});

describe("bars and numbers", () => {
  it("scales bars to the plan's maximum with a sliver for small values", () => {
    expect(barPercent(172456, 172456)).toBe(100);
    expect(barPercent(8798, 172456)).toBeCloseTo(5.1, 1);
    expect(barPercent(1, 172456)).toBe(2);
    expect(barPercent(0, 100)).toBe(0);
    expect(barPercent(null, 100)).toBe(0);
    expect(barPercent(5, null)).toBe(0);
  });

  it("prints estimates compactly", () => {
    expect(formatEstimate(576)).toBe("576");
    expect(formatEstimate(172456)).toBe("172k");
    expect(formatEstimate(2815363902)).toBe("2.8G");
    expect(formatEstimate(6001215)).toBe("6.0M");
    expect(formatEstimate(3.97)).toBe("3.97");
    expect(formatEstimate(null)).toBe("");
  });

  it("knows when a plan has costs", () => {
    expect(hasCosts(plan)).toBe(true);
    expect(hasCosts({ ...plan, engine: "duckdb", maxSelfCost: null })).toBe(false);
  });
});
