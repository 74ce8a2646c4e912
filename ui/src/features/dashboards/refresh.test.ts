import { describe, expect, it } from "vitest";
import { ageText } from "./refresh";

describe("ageText", () => {
  it("says how old the data is", () => {
    expect(ageText(null, 0)).toBe("loading…");
    expect(ageText(10_000, 10_500)).toBe("updated just now");
    expect(ageText(0, 45_000)).toBe("updated 45 s ago");
    expect(ageText(0, 600_000)).toBe("updated 10 min ago");
  });
});
