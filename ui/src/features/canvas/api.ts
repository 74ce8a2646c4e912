import type { Backend } from "../../backend/backend";
import { profileOf } from "./types";
import type {
  Canvas,
  CanvasAddStepResponse,
  CanvasJoinCheckResponse,
  CanvasSchemasResponse,
  CanvasState,
  ColumnProfile,
  Preview,
  SchemaColumn,
  StepTemplate,
} from "./types";

/**
 * The canvas's operations, through the studio's one Backend. Each is a thin call; `preview`
 * normalises the answer so the grid does not depend on the exact response shape.
 */
export function openCanvas(backend: Backend, path: string): Promise<CanvasState> {
  return backend.call("canvasOpen", { path });
}

export function updateCanvas(backend: Backend, canvas: Canvas): Promise<CanvasState> {
  return backend.call("canvasUpdate", { canvas });
}

/** A step made by the engine from `template`, after step `after` (null: first). */
export function addStep(backend: Backend, canvas: Canvas, after: number | null, template: StepTemplate): Promise<CanvasAddStepResponse> {
  return backend.call("canvasAddStep", after === null ? { canvas, template } : { canvas, after, template });
}

export function stepSchemas(backend: Backend, canvas: Canvas): Promise<CanvasSchemasResponse> {
  return backend.call("canvasSchemas", { canvas });
}

export async function previewStep(backend: Backend, canvas: Canvas, step: number, queryId: string, limit = 100): Promise<Preview> {
  const answer = await backend.call("canvasPreview", { canvas, step, limit, queryId });
  return normalisePreview(answer);
}

/** Nulls and distinct values per column over all of the step's rows: a scan, so asked after the rows. */
export async function profileStep(backend: Backend, canvas: Canvas, step: number, queryId: string): Promise<ColumnProfile[]> {
  const answer = await backend.call("canvasProfile", { canvas, step, queryId });
  return answer.profile.map(profileOf);
}

export function joinCheckStep(backend: Backend, canvas: Canvas, step: number, queryId: string): Promise<CanvasJoinCheckResponse> {
  return backend.call("canvasJoinCheck", { canvas, step, queryId });
}

export function cancelPreview(backend: Backend, queryId: string): Promise<unknown> {
  return backend.call("cancelQuery", { queryId });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function numberOrNull(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** Rows, columns, the row count and (when the engine sends it) a profile per column. */
export function normalisePreview(answer: unknown): Preview {
  const record = isRecord(answer) ? answer : {};
  const inner = isRecord(record.result) ? record.result : record;
  const columns: SchemaColumn[] = (Array.isArray(inner.columns) ? inner.columns : []).map((column: unknown) =>
    isRecord(column)
      ? { name: String(column.name ?? ""), dataType: typeof column.dataType === "string" ? column.dataType : null }
      : { name: String(column), dataType: null },
  );
  const rawRows = Array.isArray(inner.rows) ? inner.rows : Array.isArray(inner.firstPage) ? inner.firstPage : [];
  const rows = rawRows.map((row: unknown) => (Array.isArray(row) ? row : isRecord(row) ? columns.map((column) => row[column.name]) : [row]));
  const rowCount = numberOrNull(inner.rowCount ?? inner.totalRows ?? record.rowCount ?? record.totalRows);
  const rawProfile = Array.isArray(record.profile) ? record.profile : Array.isArray(inner.profile) ? inner.profile : null;
  const profile: ColumnProfile[] | null = rawProfile
    ? rawProfile.filter(isRecord).map((entry) => ({
        name: String(entry.name ?? entry.column ?? ""),
        nulls: numberOrNull(entry.nulls ?? entry.nullCount),
        distinct: numberOrNull(entry.distinct ?? entry.distinctCount),
      }))
    : null;
  return { columns, rows, rowCount, profile };
}

/** Nulls and distinct values among the rows shown, when the engine sends no profile of its own. */
export function sampleProfile(columns: readonly SchemaColumn[], rows: readonly unknown[][]): ColumnProfile[] {
  return columns.map((column, index) => {
    let nulls = 0;
    const seen = new Set<string>();
    for (const row of rows) {
      const value = row[index];
      if (value === null || value === undefined) nulls += 1;
      else seen.add(typeof value === "object" ? JSON.stringify(value) : String(value));
    }
    return { name: column.name, nulls, distinct: seen.size };
  });
}
