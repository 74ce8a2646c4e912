import { describe, expect, it } from "vitest";
import { LAYOUT_KEY, SIDEBAR_LIMITS, readLayout } from "./panelLayout";

const storage = (value: string | null) => ({ getItem: (key: string) => (key === LAYOUT_KEY ? value : null), setItem: () => {} });

describe("panel layout", () => {
  it("reads remembered sizes within their limits and survives a corrupt entry", () => {
    expect(readLayout(storage(JSON.stringify({ sidebarWidth: 400, sidebarCollapsed: true, bottomHeight: 200 })))).toEqual({ sidebarWidth: 400, sidebarCollapsed: true, bottomHeight: 200 });
    expect(readLayout(storage(JSON.stringify({ sidebarWidth: 5000 }))).sidebarWidth).toBe(SIDEBAR_LIMITS.max);
    expect(readLayout(storage("{not json")).sidebarWidth).toBe(SIDEBAR_LIMITS.initial);
  });
});
