import { describe, expect, it } from "vitest";
import type { Panel } from "../../api";
import { edits, moved, resized, stillValid } from "./layout";

const pitch = { column: 50, row: 48 };

describe("dashboard layout editing", () => {
  it("snaps moves to cells and keeps panels on the 24-column grid", () => {
    const grid = { x: 2, y: 3, w: 6, h: 4 };
    expect(moved(grid, 120, 30, pitch)).toEqual({ x: 4, y: 4, w: 6, h: 4 });
    expect(moved(grid, 5000, -1000, pitch)).toEqual({ x: 18, y: 0, w: 6, h: 4 });
  });

  it("resizes from the corner, at least 2 by 2, never past the right edge", () => {
    const grid = { x: 20, y: 0, w: 2, h: 4 };
    expect(resized(grid, 1000, 100, pitch)).toEqual({ x: 20, y: 0, w: 4, h: 6 });
    expect(resized(grid, -1000, -1000, pitch)).toEqual({ x: 20, y: 0, w: 2, h: 2 });
  });

  it("writes only what changed", () => {
    const panel: Panel = { title: "A", description: "", grid: { x: 0, y: 0, w: 6, h: 4 }, query: "select 1", chart: { kind: "stat", y: [], stacked: false, horizontal: false } };
    expect(edits([panel], { 0: { title: "A", grid: { x: 0, y: 0, w: 6, h: 4 } } })).toEqual([]);
    expect(edits([panel, panel], { 1: { title: "A", grid: { x: 6, y: 0, w: 6, h: 4 }, chart: panel.chart } })).toEqual([{ panel: 1, grid: { x: 6, y: 0, w: 6, h: 4 } }]);
  });

  it("drops drafts of panels the file no longer has at that place", () => {
    const panel = (title: string): Panel => ({ title, description: "", grid: { x: 0, y: 0, w: 6, h: 4 }, query: "select 1", chart: { kind: "stat", y: [], stacked: false, horizontal: false } });
    const drafts = { 0: { title: "A", grid: { x: 6, y: 0, w: 6, h: 4 } }, 1: { title: "B", grid: { x: 0, y: 4, w: 6, h: 4 } } };
    // Someone inserted a panel before B in the file.
    expect(Object.keys(stillValid([panel("A"), panel("New"), panel("B")], drafts))).toEqual(["0"]);
    expect(edits([panel("A"), panel("New")], drafts)).toEqual([{ panel: 0, grid: { x: 6, y: 0, w: 6, h: 4 } }]);
  });
});
