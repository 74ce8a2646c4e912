import { describe, expect, it } from "vitest";
import { SelectorHistory, formatSelection, parseSelector } from "./selector";
import { MemoryStorage } from "../../shared/testing/memoryStorage";

describe("parseSelector", () => {
  it("treats bare tokens as --select unions", () => {
    expect(parseSelector(" +fct_sales  tag:marts ")).toEqual({
      ok: true,
      selection: { select: ["+fct_sales", "tag:marts"], exclude: [] },
    });
  });

  it("splits --exclude and keeps intersections in one token", () => {
    expect(parseSelector("staging,tag:daily --exclude stg_tickit__users -s marts")).toEqual({
      ok: true,
      selection: { select: ["staging,tag:daily", "marts"], exclude: ["stg_tickit__users"] },
    });
  });

  it("accepts graph operators and config methods", () => {
    const parsed = parseSelector("2+fct_sales+1 @dim_users config.materialized:table");
    expect(parsed.ok).toBe(true);
  });

  it("rejects unknown methods and flags with a helpful message", () => {
    const method = parseSelector("tags:marts");
    expect(method.ok).toBe(false);
    if (!method.ok) expect(method.error).toContain('"tags:"');
    const flag = parseSelector("--full-refresh");
    expect(flag.ok).toBe(false);
  });

  it("rejects a dangling --exclude", () => {
    expect(parseSelector("marts --exclude").ok).toBe(false);
  });

  it("empty text selects everything", () => {
    expect(parseSelector("")).toEqual({ ok: true, selection: { select: [], exclude: [] } });
  });

  it("formats back to the same text", () => {
    const text = "+fct_sales tag:marts --exclude stg_x";
    const parsed = parseSelector(text);
    expect(parsed.ok && formatSelection(parsed.selection)).toBe(text);
  });
});

describe("SelectorHistory", () => {
  it("keeps most recent first, deduplicated and capped", () => {
    const storage = new MemoryStorage();
    const history = new SelectorHistory(storage, "k", 3);
    history.remember("a");
    history.remember("b");
    history.remember(" a ");
    history.remember("c");
    history.remember("d");
    expect(history.list()).toEqual(["d", "c", "a"]);
  });

  it("persists across instances and ignores blank input", () => {
    const storage = new MemoryStorage();
    new SelectorHistory(storage, "k").remember("+fct_sales   tag:x");
    const reloaded = new SelectorHistory(storage, "k");
    reloaded.remember("   ");
    expect(reloaded.list()).toEqual(["+fct_sales tag:x"]);
  });

  it("survives corrupt storage", () => {
    const storage = new MemoryStorage();
    storage.setItem("k", "{not json");
    expect(new SelectorHistory(storage, "k").list()).toEqual([]);
  });

  it("forgets an entry", () => {
    const history = new SelectorHistory(new MemoryStorage(), "k");
    history.remember("a");
    history.remember("b");
    expect(history.forget("a")).toEqual(["b"]);
  });
});
