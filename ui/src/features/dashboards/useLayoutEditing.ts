import { useCallback, useEffect, useRef, useState } from "react";
import type { ChartSpec, GridPos, Panel, PanelEdit } from "../../api";
import { edits, moved, resized, stillValid, GRID_COLUMNS, type PanelDraft, type Pitch } from "./layout";

export type DragKind = "move" | "resize";

interface Drag {
  index: number;
  kind: DragKind;
  startX: number;
  startY: number;
  from: GridPos;
  pitch: Pitch;
}

/**
 * Edit mode of a dashboard: panels are dragged by their header and resized by their corner,
 * snapping to the grid as they go, and their charts re-picked; nothing touches the file until
 * the user saves the edits (one previewed diff) — cancelling drops them.
 */
export function useLayoutEditing(panels: readonly Panel[] | null, rowPx: number) {
  const [editing, setEditing] = useState(false);
  const [drafts, setDrafts] = useState<Record<number, PanelDraft>>({});
  const grid = useRef<HTMLDivElement>(null);
  const drag = useRef<Drag | null>(null);

  const pitch = useCallback((): Pitch => {
    const element = grid.current;
    if (!element) return { column: 40, row: rowPx };
    const style = getComputedStyle(element);
    const gap = Number.parseFloat(style.columnGap) || 0;
    const inner = element.clientWidth - (Number.parseFloat(style.paddingLeft) || 0) - (Number.parseFloat(style.paddingRight) || 0);
    return { column: (inner + gap) / GRID_COLUMNS, row: rowPx + (Number.parseFloat(style.rowGap) || 0) };
  }, [rowPx]);

  const beginDrag = (index: number, kind: DragKind, event: React.PointerEvent) => {
    const panel = panels?.[index];
    if (!editing || !panel || event.button !== 0) return;
    event.preventDefault();
    drag.current = { index, kind, startX: event.clientX, startY: event.clientY, from: drafts[index]?.grid ?? panel.grid, pitch: pitch() };
  };

  useEffect(() => {
    if (!editing) return;
    const move = (event: PointerEvent) => {
      const current = drag.current;
      if (!current) return;
      const dx = event.clientX - current.startX;
      const dy = event.clientY - current.startY;
      const next = current.kind === "move" ? moved(current.from, dx, dy, current.pitch) : resized(current.from, dx, dy, current.pitch);
      const title = panels?.[current.index]?.title ?? "";
      setDrafts((all) => ({ ...all, [current.index]: { ...all[current.index], title, grid: next } }));
    };
    const end = () => {
      drag.current = null;
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", end);
    return () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", end);
    };
  }, [editing, panels]);

  // The file changed on disk while editing (another editor, git): keep only the drafts whose
  // panel is still where it was.
  useEffect(() => {
    if (panels) setDrafts((all) => stillValid(panels, all));
  }, [panels]);

  const setChart = (index: number, chart: ChartSpec) => setDrafts((all) => ({ ...all, [index]: { ...all[index], title: panels?.[index]?.title ?? "", chart } }));
  const stop = () => {
    setEditing(false);
    setDrafts({});
  };
  const pending: PanelEdit[] = panels ? edits(panels, drafts) : [];
  return { editing, start: () => setEditing(true), stop, drafts, grid, beginDrag, setChart, pending };
}
