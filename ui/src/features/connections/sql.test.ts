import { describe, expect, it } from "vitest";
import { quoteIdent } from "./sql";

describe("quoteIdent", () => {
  it("leaves plain lower-case names alone and quotes the rest", () => {
    expect(quoteIdent("orders")).toBe("orders");
    expect(quoteIdent("Orders")).toBe('"Orders"');
    expect(quoteIdent('we"ird name')).toBe('"we""ird name"');
  });
});
