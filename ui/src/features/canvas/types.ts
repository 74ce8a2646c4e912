// The canvas's wire types come from the engine (kiln-canvas and kiln-api, generated into
// ui/src/api/generated); the few below are the canvas UI's own.
import type { ColumnProfile as EngineColumnProfile, StepTemplate } from "../../api";

export type {
  AggregateFunction,
  Canvas,
  CanvasAddStepResponse,
  CanvasJoinCheckResponse,
  CanvasMeasure,
  CanvasPreviewResponse,
  CanvasProfileResponse,
  CanvasSchemasResponse,
  CanvasState,
  Column,
  Condition,
  ConditionOp,
  Input,
  Join,
  JoinCheck,
  JoinKey,
  JoinKind,
  Layout,
  OrderKey,
  Relation,
  SelectBlock,
  Step,
  StepBody,
  StepInfo,
  StepKind,
  StepSchema,
  StepSource,
  StepTemplate,
  WindowFunction,
  Written,
} from "../../api";

export type TemplateKind = StepTemplate["kind"];

/** A column of a step's output or of a preview (a type may be unknown). */
export type SchemaColumn = { name: string; dataType: string | null };

/** Per column of a preview: how many of the step's rows are null and how many distinct values. */
export type ColumnProfile = { name: string; nulls: number | null; distinct: number | null };

export function profileOf(entry: EngineColumnProfile): ColumnProfile {
  return { name: entry.column, nulls: entry.nulls, distinct: entry.distinct };
}

/** A step's first rows, normalised from the preview operation's answer. */
export type Preview = {
  columns: Array<SchemaColumn>;
  rows: unknown[][];
  rowCount: number | null;
  /** When the preview answer carries one; else `canvasProfile` is asked for separately. */
  profile: Array<ColumnProfile> | null;
};
