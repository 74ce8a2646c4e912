import { describe, expect, it } from "vitest";
import { diffLines, diffStats } from "./diff";

describe("diffLines", () => {
  it("shows a created file as all additions", () => {
    const lines = diffLines(null, "a\nb\n");
    expect(lines.map((line) => line.kind)).toEqual(["add", "add"]);
    expect(diffStats(lines)).toEqual({ added: 2, removed: 0 });
  });

  it("keeps common lines and marks the changed one", () => {
    const lines = diffLines("select\n  a\nfrom {{ ref('x') }}\n", "select\n  a\nfrom {{ ref('y') }}\n");
    expect(lines.map((line) => `${line.kind}:${line.text}`)).toEqual([
      "same:select",
      "same:  a",
      "add:from {{ ref('y') }}",
      "remove:from {{ ref('x') }}",
    ]);
    expect(lines[2]?.newNumber).toBe(3);
    expect(lines[3]?.oldNumber).toBe(3);
  });

  it("handles insertions in the middle", () => {
    const lines = diffLines("a\nc", "a\nb\nc");
    expect(diffStats(lines)).toEqual({ added: 1, removed: 0 });
    expect(lines.find((line) => line.kind === "add")?.text).toBe("b");
  });
});
