import { describe, expect, it } from "vitest";
import { splitStatements, statementAt, statementLabel, utf8ByteOffset } from "./statements";

describe("splitStatements", () => {
  it("splits on top-level semicolons only", () => {
    const sql = "select ';' as a; -- comment; here\nselect \"x;y\" from t /* ; */;\nselect $$a;b$$";
    expect(splitStatements(sql).map((range) => range.text)).toEqual([
      "select ';' as a",
      '-- comment; here\nselect "x;y" from t /* ; */',
      "select $$a;b$$",
    ]);
  });

  it("skips empty and comment-only statements", () => {
    expect(splitStatements(";;  -- nothing\n ; select 1;\n")).toHaveLength(1);
  });

  it("handles doubled quotes", () => {
    expect(splitStatements("select 'it''s; fine'; select 2").map((range) => range.text)).toEqual([
      "select 'it''s; fine'",
      "select 2",
    ]);
  });

  it("reports ranges that slice back to the statement text", () => {
    const sql = "  select 1 ;\n\n  select 2";
    for (const range of splitStatements(sql)) expect(sql.slice(range.start, range.end)).toBe(range.text);
  });
});

describe("statementAt", () => {
  const sql = "select 1;\nselect 2;   \n\nselect 3";
  const ranges = splitStatements(sql);

  it("finds the statement under the cursor", () => {
    expect(statementAt(ranges, sql.indexOf("2"), sql)?.text).toBe("select 2");
    expect(statementAt(ranges, sql.length, sql)?.text).toBe("select 3");
  });

  it("treats the cursor just after a semicolon as the finished statement", () => {
    expect(statementAt(ranges, sql.indexOf(";") + 1, sql)?.text).toBe("select 1");
    expect(statementAt(ranges, sql.indexOf("2;") + 4, sql)?.text).toBe("select 2");
  });

  it("gives blank lines between statements to the next statement", () => {
    expect(statementAt(ranges, sql.indexOf("\n\n") + 1, sql)?.text).toBe("select 3");
  });

  it("returns null for an empty script", () => {
    expect(statementAt([], 0, "")).toBeNull();
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
    expect(statementLabel("SELECT *\nFROM analytics.fct_sales", 0)).toBe("1: select analytics.fct_sales");
    expect(statementLabel("show tables", 2)).toBe("3: show");
  });
});
