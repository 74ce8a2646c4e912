import { describe, expect, it } from "vitest";
import type { DiagnosticDto } from "../../api";
import { diagnosticRange, diagnosticsForFile } from "./diagnostics";

const text = "select *\nfrom {{ ref('stg_slaes') }}\n\n";

function diagnostic(partial: Partial<DiagnosticDto>): DiagnosticDto {
  return { code: "K2001", severity: "error", message: "m", file: null, line: null, column: null, hint: null, ...partial };
}

describe("diagnosticRange", () => {
  it("underlines the token at line and column", () => {
    const range = diagnosticRange(text, { line: 2, column: 13 });
    expect(text.slice(range.from, range.to)).toBe("'stg_slaes'");
  });

  it("underlines the line's code when there is no column", () => {
    const range = diagnosticRange("  select x\n", { line: 1, column: null });
    expect("  select x\n".slice(range.from, range.to)).toBe("select x");
  });

  it("clamps positions past the end instead of dropping the error", () => {
    const range = diagnosticRange(text, { line: 99, column: 99 });
    expect(range.from).toBeLessThanOrEqual(text.length);
    expect(range.to).toBeGreaterThanOrEqual(range.from);
    const past = diagnosticRange("select", { line: 1, column: 50 });
    expect(past.from).toBeLessThanOrEqual(6);
  });

  it("marks something on an empty line", () => {
    const range = diagnosticRange("a\n\nb", { line: 2, column: 1 });
    expect(range.to).toBeGreaterThan(range.from);
  });
});

describe("diagnosticsForFile", () => {
  it("separates diagnostics of other files", () => {
    const split = diagnosticsForFile(
      [diagnostic({ file: "models/a.sql" }), diagnostic({ file: "models/schema.yml" }), diagnostic({ file: null })],
      "models/a.sql",
    );
    expect(split.here).toHaveLength(2);
    expect(split.elsewhere.map((entry) => entry.file)).toEqual(["models/schema.yml"]);
  });
});
