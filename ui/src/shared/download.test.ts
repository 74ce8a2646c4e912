import { describe, expect, it } from "vitest";
import { fileNameOf, toCsv } from "./download";

describe("download helpers", () => {
  it("writes CSV that spreadsheets read back", () => {
    expect(toCsv(["name", "n"], [["a, b", 1], ['say "hi"', null]])).toBe('name,n\r\n"a, b",1\r\n"say ""hi""",\r\n');
  });

  it("names files after titles", () => {
    expect(fileNameOf("Sales by month (USD)")).toBe("sales_by_month_usd");
    expect(fileNameOf("  ")).toBe("chart");
  });
});
