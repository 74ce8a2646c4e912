import type { RelationOption } from "../relations";
import type { CanvasSession } from "../session";
import type { StepTemplate, TemplateKind } from "../types";

export type TemplateOf<K extends TemplateKind> = Extract<StepTemplate, { kind: K }>;

/** What every add-step form gets: its template, the previous step's columns, and the relations. */
export interface FormProps<K extends TemplateKind> {
  template: TemplateOf<K>;
  onChange: (template: TemplateOf<K>) => void;
  /** The output columns of the step the new one reads (empty while unknown). */
  columns: readonly string[];
  options: readonly RelationOption[];
  session: CanvasSession;
}
