import type { Backend } from "../../backend/backend";
import { profileOf } from "./types";
import type {
  Canvas,
  CanvasAddStepResponse,
  CanvasJoinCheckResponse,
  CanvasPreviewResponse,
  CanvasSchemasResponse,
  CanvasState,
  ColumnProfile,
  Preview,
  SchemaColumn,
  StepTemplate,
} from "./types";

/**
 * The canvas's operations, through the studio's one Backend, each a thin typed call.
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
  return previewOf(await backend.call("canvasPreview", { canvas, step, limit, queryId }));
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

/** The engine's answer as the grid reads it; the profile comes from `canvasProfile`. */
export function previewOf(answer: CanvasPreviewResponse): Preview {
  return {
    columns: answer.columns.map((column) => ({ name: column.name, dataType: column.dataType })),
    rows: answer.rows,
    rowCount: answer.rowCount,
    profile: null,
  };
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
