import { useCallback, useEffect, useLayoutEffect, useRef, useState, type RefObject } from "react";

/**
 * Browsers cap an element's height (Chromium at about 33.5M px, Firefox lower), so 10 million rows
 * of 26 px cannot be one tall element: the grid stopped at row 1,290,547. Above this height the
 * scrollbar maps onto the rows proportionally instead, and the wheel and keys move the rows by
 * their real size so that scrolling still feels like scrolling.
 */
export const MAX_SCROLL_HEIGHT = 8_000_000;

export interface ScrollGeometry {
  count: number;
  rowHeight: number;
  /** Height of the visible rows area (the viewport minus any sticky header). */
  viewport: number;
}

/** Height of the element that holds the rows. */
export function scrollHeight({ count, rowHeight }: ScrollGeometry): number {
  return Math.min(count * rowHeight, MAX_SCROLL_HEIGHT);
}

/** Content pixels per scrollbar pixel: 1 until the rows outgrow MAX_SCROLL_HEIGHT. */
export function scrollScale(geometry: ScrollGeometry): number {
  const content = geometry.count * geometry.rowHeight;
  const height = scrollHeight(geometry);
  if (content <= height) return 1;
  const travel = Math.max(1, height - geometry.viewport);
  return Math.max(1, (content - geometry.viewport) / travel);
}

/** The largest content offset: the last row sits at the bottom of the viewport. */
export function maxContentTop(geometry: ScrollGeometry): number {
  return Math.max(0, geometry.count * geometry.rowHeight - geometry.viewport);
}

/** Rows to render for a content offset, with `overscan` rows either side. */
export function visibleRows(geometry: ScrollGeometry, contentTop: number, overscan: number): { first: number; last: number } {
  if (geometry.count === 0) return { first: 0, last: -1 };
  const top = Math.floor(contentTop / geometry.rowHeight);
  const bottom = Math.ceil((contentTop + geometry.viewport) / geometry.rowHeight);
  return { first: Math.max(0, top - overscan), last: Math.min(geometry.count - 1, bottom + overscan) };
}

export interface ScaledItem {
  index: number;
  /** Offset of the row inside the rows element. */
  start: number;
}

/**
 * Virtual rows over a scroll container that may hold more rows than a browser can lay out.
 * `headerHeight` is the sticky header above the rows inside the same scroller.
 */
export function useScaledRows(scroller: RefObject<HTMLElement | null>, count: number, rowHeight: number, headerHeight: number, overscan: number) {
  const [viewport, setViewport] = useState(0);
  const [position, setPosition] = useState({ scrollTop: 0, contentTop: 0 });
  const geometry: ScrollGeometry = { count, rowHeight, viewport: Math.max(rowHeight, viewport - headerHeight) };
  const geometryRef = useRef(geometry);
  geometryRef.current = geometry;
  const contentTopRef = useRef(0);

  // Moves the rows by `delta` content pixels and puts the scrollbar where that lands.
  const moveBy = useCallback(
    (delta: number) => {
      const element = scroller.current;
      if (!element) return;
      const current = geometryRef.current;
      const contentTop = Math.min(maxContentTop(current), Math.max(0, contentTopRef.current + delta));
      contentTopRef.current = contentTop;
      element.scrollTop = contentTop / scrollScale(current);
      setPosition({ scrollTop: element.scrollTop, contentTop });
    },
    [scroller],
  );

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return undefined;
    setViewport(element.clientHeight);
    const observer = new ResizeObserver(() => setViewport(element.clientHeight));
    observer.observe(element);
    const onScroll = () => {
      const current = geometryRef.current;
      const scale = scrollScale(current);
      const scrollTop = element.scrollTop;
      // Our own wheel/key moves set scrollTop to contentTop / scale (rounded by the browser);
      // anything further off is the user dragging the scrollbar, which maps proportionally.
      if (scale === 1 || Math.abs(scrollTop - contentTopRef.current / scale) > 1) {
        contentTopRef.current = Math.min(maxContentTop(current), scrollTop * scale);
      }
      setPosition({ scrollTop, contentTop: contentTopRef.current });
    };
    const onWheel = (event: WheelEvent) => {
      if (scrollScale(geometryRef.current) === 1 || event.ctrlKey) return;
      const unit = event.deltaMode === 1 ? geometryRef.current.rowHeight : event.deltaMode === 2 ? geometryRef.current.viewport : 1;
      if (Math.abs(event.deltaY) < Math.abs(event.deltaX)) return;
      event.preventDefault();
      moveBy(event.deltaY * unit);
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    element.addEventListener("wheel", onWheel, { passive: false });
    return () => {
      observer.disconnect();
      element.removeEventListener("scroll", onScroll);
      element.removeEventListener("wheel", onWheel);
    };
  }, [scroller, moveBy]);

  // A total that shrinks (a filter) must not leave the rows past the end.
  useEffect(() => {
    if (contentTopRef.current > maxContentTop(geometryRef.current)) moveBy(0);
  }, [count, moveBy]);

  /** Keys that page through the rows; returns true when it handled the key. */
  const onKey = useCallback(
    (key: string): boolean => {
      const current = geometryRef.current;
      if (scrollScale(current) === 1) return false;
      const page = Math.max(current.rowHeight, current.viewport - current.rowHeight);
      const moves: Record<string, number> = {
        ArrowDown: current.rowHeight,
        ArrowUp: -current.rowHeight,
        PageDown: page,
        PageUp: -page,
        Home: -Number.MAX_SAFE_INTEGER,
        End: Number.MAX_SAFE_INTEGER,
      };
      const delta = moves[key];
      if (delta === undefined) return false;
      moveBy(delta);
      return true;
    },
    [moveBy],
  );

  const { first, last } = visibleRows(geometry, position.contentTop, overscan);
  const items: ScaledItem[] = [];
  for (let index = first; index <= last; index += 1) {
    items.push({ index, start: position.scrollTop + index * rowHeight - position.contentTop });
  }
  return { totalSize: scrollHeight(geometry), items, first, last, onKey };
}
