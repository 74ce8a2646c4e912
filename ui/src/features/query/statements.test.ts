import { describe, expect, it } from "vitest";
import { statementAt, statementLabel, statementNumber, utf8ByteOffset } from "./statements";

describe("statementAt", () => {
  // As the engine's splitScript answers for "select 1;\nselect 2;   \n\nselect 3".
  const ranges = [
    { start: 0, end: 8, line: 1, cursorEnd: 9 },
    { start: 10, end: 18, line: 2, cursorEnd: 19 },
    { start: 24, end: 32, line: 4, cursorEnd: 32 },
  ];

  it("follows the engine's regions", () => {
    expect(statementAt(ranges, 0)?.start).toBe(0);
    expect(statementAt(ranges, 9)?.start).toBe(0);
    expect(statementAt(ranges, 10)?.start).toBe(10);
    expect(statementAt(ranges, 22)?.start).toBe(24);
    expect(statementAt(ranges, 32)?.start).toBe(24);
    expect(statementAt(ranges, 33)).toBeNull();
    expect(statementNumber(ranges, statementAt(ranges, 22))).toBe(3);
  });

  it("returns null for an empty script", () => {
    expect(statementAt([], 0)).toBeNull();
    expect(statementNumber([], null)).toBeNull();
  });
});

describe("utf8ByteOffset", () => {
  it("counts multi-byte characters", () => {
    expect(utf8ByteOffset("abc", 2)).toBe(2);
    expect(utf8ByteOffset("é;", 1)).toBe(2);
    expect(utf8ByteOffset("€x", 1)).toBe(3);
    // "😀" is two UTF-16 units and four UTF-8 bytes.
    expect(utf8ByteOffset("😀;", 2)).toBe(4);
    expect(utf8ByteOffset("a😀b", 4)).toBe(6);
  });

  it("agrees with TextEncoder", () => {
    const text = "select 'Zürich — 東京 😀' as city; select 2";
    const index = text.indexOf("select 2");
    expect(utf8ByteOffset(text, index)).toBe(new TextEncoder().encode(text.slice(0, index)).length);
  });
});

describe("statementLabel", () => {
  it("names the statement by keyword and object", () => {
    expect(statementLabel("SELECT *\nFROM analytics.fct_sales", 1)).toBe("1: select analytics.fct_sales");
    expect(statementLabel("show tables", 3)).toBe("3: show");
  });
});
