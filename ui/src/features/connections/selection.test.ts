import { describe, expect, it } from "vitest";
import { pickConnection, pickedConnection } from "./selection";

describe("the picked connection", () => {
  it("is remembered per project, null for the studio's target", () => {
    expect(pickedConnection("/a")).toBeNull();
    pickConnection("/a", "saved:warehouse");
    pickConnection("/b", "profile:prod");
    expect(pickedConnection("/a")).toBe("saved:warehouse");
    expect(pickedConnection("/b")).toBe("profile:prod");
    pickConnection("/a", null);
    expect(pickedConnection("/a")).toBeNull();
  });
});
