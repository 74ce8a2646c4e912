import type { ChartSpec, GridPos, Panel, PanelEdit } from "../../api";

export const GRID_COLUMNS = 24;

/** What the user changed on a panel in edit mode, before it is written to the file. */
export interface PanelDraft {
  /** The panel's title when the draft began: a file changed under the draft must still match. */
  title: string;
  grid?: GridPos;
  chart?: ChartSpec;
}

/** One grid step on screen: a column's width and a row's height, each with its gap. */
export interface Pitch {
  column: number;
  row: number;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** A panel dragged by (dx, dy) pixels snaps to the nearest cell and stays on the grid. */
export function moved(grid: GridPos, dx: number, dy: number, pitch: Pitch): GridPos {
  return {
    ...grid,
    x: clamp(Math.round(grid.x + dx / pitch.column), 0, GRID_COLUMNS - grid.w),
    y: Math.max(0, Math.round(grid.y + dy / pitch.row)),
  };
}

/** A panel's corner dragged by (dx, dy) pixels: at least 2 columns by 2 rows, never past the edge. */
export function resized(grid: GridPos, dx: number, dy: number, pitch: Pitch): GridPos {
  return {
    ...grid,
    w: clamp(Math.round(grid.w + dx / pitch.column), 2, GRID_COLUMNS - grid.x),
    h: Math.max(2, Math.round(grid.h + dy / pitch.row)),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The edits to write: only panels whose place or chart differs from the file's. */
export function edits(panels: readonly Panel[], drafts: Readonly<Record<number, PanelDraft>>): PanelEdit[] {
  const out: PanelEdit[] = [];
  panels.forEach((panel, index) => {
    const draft = drafts[index];
    if (!draft || draft.title !== panel.title) return;
    const edit: PanelEdit = { panel: index };
    if (draft.grid && !same(draft.grid, panel.grid)) edit.grid = draft.grid;
    if (draft.chart && !same(draft.chart, panel.chart)) edit.chart = draft.chart;
    if (edit.grid || edit.chart) out.push(edit);
  });
  return out;
}

/** Drafts still about the same panels after the file changed on disk (matched by index and title). */
export function stillValid(panels: readonly Panel[], drafts: Readonly<Record<number, PanelDraft>>): Record<number, PanelDraft> {
  const kept: Record<number, PanelDraft> = {};
  for (const [key, draft] of Object.entries(drafts)) {
    const index = Number(key);
    if (panels[index]?.title === draft.title) kept[index] = draft;
  }
  return kept;
}
