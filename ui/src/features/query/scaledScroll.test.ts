import { describe, expect, it } from "vitest";
import { MAX_SCROLL_HEIGHT, maxContentTop, scrollHeight, scrollScale, visibleRows, type ScrollGeometry } from "./scaledScroll";

const small: ScrollGeometry = { count: 1_000, rowHeight: 26, viewport: 520 };
const huge: ScrollGeometry = { count: 10_000_000, rowHeight: 26, viewport: 520 };

describe("scaled scrolling", () => {
  it("is plain virtual scrolling while the rows fit in one element", () => {
    expect(scrollHeight(small)).toBe(26_000);
    expect(scrollScale(small)).toBe(1);
    expect(visibleRows(small, 2_600, 0)).toEqual({ first: 100, last: 120 });
  });

  it("caps the element height for 10 million rows and maps the scrollbar onto every row", () => {
    expect(scrollHeight(huge)).toBe(MAX_SCROLL_HEIGHT);
    const scale = scrollScale(huge);
    expect(scale).toBeGreaterThan(30);
    // The bottom of the scrollbar reaches the last row, not row 1,290,547.
    const bottom = (scrollHeight(huge) - huge.viewport) * scale;
    expect(bottom).toBeCloseTo(maxContentTop(huge), 0);
    expect(visibleRows(huge, bottom, 0).last).toBe(9_999_999);
    // Half way down is half way through the rows.
    const middle = visibleRows(huge, ((scrollHeight(huge) - huge.viewport) / 2) * scale, 0).first;
    expect(Math.abs(middle - 5_000_000)).toBeLessThan(20);
  });

  it("clamps overscan to the rows that exist", () => {
    expect(visibleRows(small, 0, 30).first).toBe(0);
    expect(visibleRows(small, maxContentTop(small), 30).last).toBe(999);
    expect(visibleRows({ ...small, count: 0 }, 0, 30)).toEqual({ first: 0, last: -1 });
  });
});
