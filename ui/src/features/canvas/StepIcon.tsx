import type { StepKind } from "./types";

// One 16×16 outline glyph per step kind, drawn like the studio's shared icons.
const PATHS: Record<StepKind, string> = {
  input: "M3 4c0-1.1 2.2-2 5-2s5 .9 5 2-2.2 2-5 2-5-.9-5-2zM3 4v8c0 1.1 2.2 2 5 2s5-.9 5-2V4",
  join: "M6 4.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM10 4.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7z",
  union: "M3 3h10v4H3zM3 9h10v4H3z",
  filter: "M2.5 3.5h11l-4.5 5v4l-2 1v-5z",
  select: "M4 3v10M8 3v10M12 3v10",
  formula: "M10.5 3H8.8a1.5 1.5 0 0 0-1.5 1.3L6 12a1.5 1.5 0 0 1-1.5 1.3H3.5M4.5 7.5h5M10 9.5l3 3M13 9.5l-3 3",
  aggregate: "M12 3H4l4.5 5L4 13h8",
  window: "M2.5 3.5h11v9h-11zM6 3.5v9M10 3.5v9M2.5 8h11",
  deduplicate: "M5.5 5.5h7v7h-7zM3.5 10.5v-7h7",
  order: "M4.5 3v10M2.5 11l2 2 2-2M9 4h5M9 8h3.5M9 12h2",
  limit: "M3 4h10M3 8h10M3 12h4",
  sql: "M5.5 4.5L2.5 8l3 3.5M10.5 4.5l3 3.5-3 3.5M9 3l-2 10",
};

export function StepIcon({ kind, size = 16 }: { kind: StepKind | "pivot" | "unpivot"; size?: number }) {
  const path = kind === "pivot" ? "M3 3h10v10H3zM3 6.5h10M6.5 3v10" : kind === "unpivot" ? "M3 3h4v10H3zM9 8h4M11 6l2 2-2 2" : PATHS[kind];
  return (
    <svg className="icon" width={size} height={size} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={path} />
    </svg>
  );
}

/** Undo and redo: a curved arrow, mirrored for redo. */
export function UndoIcon({ redo = false }: { redo?: boolean }) {
  return (
    <svg className="icon" width={15} height={15} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" style={redo ? { transform: "scaleX(-1)" } : undefined}>
      <path d="M5.5 3.5L2.5 6.5l3 3M2.5 6.5h7a4 4 0 0 1 0 8H7" />
    </svg>
  );
}
