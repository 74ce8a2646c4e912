import { describe, expect, it } from "vitest";
import { logLineClass } from "./RunLog";

describe("logLineClass", () => {
  it("marks failures, warnings and the totals by what they say", () => {
    expect(logLineClass("02:06:22  12 of 158 ERROR creating sql table model main.fct_sales ... [ERROR in 0.02s]")).toBe("log-error");
    expect(logLineClass("02:06:22  3 of 158 FAIL 2 unique_x ... [FAIL 2 in 0.01s]")).toBe("log-error");
    expect(logLineClass("02:06:22  3 of 158 WARN 2 unique_x ... [WARN 2 in 0.01s]")).toBe("log-warn");
    expect(logLineClass("Failure in test unique_x")).toBe("log-error");
    expect(logLineClass("02:06:22  1 of 158 PASS not_null_sales_id ... [PASS in 0.00s]")).toBe("");
    expect(logLineClass("02:06:22  Completed successfully")).toBe("log-done");
  });

  it("judges the totals line by its counts, not by the word ERROR in it", () => {
    expect(logLineClass("Done. PASS=158 WARN=0 ERROR=0 SKIP=0 TOTAL=158")).toBe("log-done");
    expect(logLineClass("Done. PASS=150 WARN=0 ERROR=2 SKIP=6 TOTAL=158")).toBe("log-error log-done");
    expect(logLineClass("Done. PASS=157 WARN=1 ERROR=0 SKIP=0 TOTAL=158")).toBe("log-warn log-done");
  });
});
