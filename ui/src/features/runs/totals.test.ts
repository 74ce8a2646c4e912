import { describe, expect, it } from "vitest";
import { describeOrigin } from "./origin";
import { totalsFromCounts, totalsFromStatuses } from "./totals";

describe("run totals", () => {
  it("count built models as passes and keep failures, errors, warnings and skips apart", () => {
    expect(totalsFromCounts({ success: 3, pass: 10, fail: 1, error: 2, skipped: 4, warn: 1 })).toEqual({ pass: 13, fail: 1, error: 2, warn: 1, skip: 4, total: 21 });
    expect(totalsFromStatuses(["pass", "fail", "skipped", "running"])).toMatchObject({ pass: 1, fail: 1, skip: 1, total: 3 });
  });
});

describe("run origins", () => {
  it("name the CLI and other windows, and say nothing of this window's runs", () => {
    expect(describeOrigin({ kind: "cli", pid: 42 }, "me")).toBe("from the CLI");
    expect(describeOrigin({ kind: "studio", client: "other" }, "me")).toBe("from another window");
    expect(describeOrigin({ kind: "studio", client: "me" }, "me")).toBeNull();
  });
});
