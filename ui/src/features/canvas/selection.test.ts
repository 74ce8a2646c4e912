import { describe, expect, it } from "vitest";
import { clampSelection, moveSelection, selectionAfterDelete, selectionAfterMove } from "./selection";

describe("step selection", () => {
  it("moves with the arrow keys and stops at the ends", () => {
    expect(moveSelection(0, -1, 3)).toBe(0);
    expect(moveSelection(0, 1, 3)).toBe(1);
    expect(moveSelection(2, 1, 3)).toBe(2);
    expect(moveSelection(0, 1, 0)).toBe(-1);
  });

  it("is clamped to the steps there are", () => {
    expect(clampSelection(5, 3)).toBe(2);
    expect(clampSelection(-1, 3)).toBe(0);
    expect(clampSelection(0, 0)).toBe(-1);
  });

  it("follows a moved step and the step it swapped with", () => {
    expect(selectionAfterMove(1, 1, 2)).toBe(2);
    expect(selectionAfterMove(2, 1, 2)).toBe(1);
    expect(selectionAfterMove(0, 1, 2)).toBe(0);
    expect(selectionAfterMove(1, 3, 1)).toBe(2);
  });

  it("after a delete selects the step that took its place, or the new last one", () => {
    expect(selectionAfterDelete(1, 1, 3)).toBe(1);
    expect(selectionAfterDelete(3, 3, 3)).toBe(2);
    expect(selectionAfterDelete(2, 0, 3)).toBe(1);
    expect(selectionAfterDelete(0, 2, 3)).toBe(0);
    expect(selectionAfterDelete(0, 0, 0)).toBe(-1);
  });
});
