import { Icon } from "../../shared/ui";
import { RowButtons } from "./ColumnFields";
import type { RelationOption } from "./relations";
import { RelationPicker } from "./RelationPicker";
import { updateItem } from "./steps";
import type { StepBody } from "./types";

type SqlBody = Extract<StepBody, { kind: "sql" }>;
type UnionBody = Extract<StepBody, { kind: "union" }>;

/** A step the canvas does not take apart: its SQL, edited as text and kept exactly as typed. */
export function SqlStepEditor({ body, error, onChange }: { body: SqlBody; error: string | null; onChange: (body: SqlBody, key?: string) => void }) {
  return (
    <section className="canvas-section" aria-label="SQL">
      <h3 className="canvas-section-title">SQL</h3>
      <textarea
        className="input canvas-sql-text"
        data-testid="canvas-field-sql"
        aria-label="Step SQL"
        spellCheck={false}
        value={body.text}
        rows={Math.min(18, Math.max(6, body.text.split("\n").length + 1))}
        placeholder="select … from previous_step"
        onChange={(event) => onChange({ kind: "sql", text: event.target.value }, "sql")}
      />
      {error && (
        <div className="callout callout-error canvas-parse-error" data-testid="canvas-sql-error">
          {error}
        </div>
      )}
      <p className="muted canvas-help">The canvas keeps this text as written; Jinja and any SQL are fine here.</p>
    </section>
  );
}

/** Rows of several relations stacked: which ones, and whether duplicates are kept. */
export function UnionInspector({ body, options, onChange }: { body: UnionBody; options: readonly RelationOption[]; onChange: (body: UnionBody) => void }) {
  return (
    <section className="canvas-section" aria-label="Union">
      <h3 className="canvas-section-title">
        Stacked inputs
        <label className="checkbox canvas-title-aside">
          <input type="checkbox" data-testid="canvas-field-union-all" checked={body.all} onChange={(event) => onChange({ ...body, all: event.target.checked })} />
          keep duplicates (union all)
        </label>
      </h3>
      <div className="canvas-rows">
        {body.inputs.map((relation, index) => (
          <div className="canvas-row" key={index}>
            <RelationPicker value={relation} options={options} label={`Input ${index + 1}`} testId={`canvas-field-union-input-${index}`} onChange={(next) => onChange({ ...body, inputs: updateItem(body.inputs, index, next) })} />
            <RowButtons count={body.inputs.length} index={index} label={`input ${index + 1}`} onRemove={() => onChange({ ...body, inputs: body.inputs.filter((_, at) => at !== index) })} />
          </div>
        ))}
      </div>
      <button type="button" className="link canvas-add-row" onClick={() => onChange({ ...body, inputs: [...body.inputs, { kind: "ref", name: "" }] })}>
        <Icon name="plus" size={12} /> input
      </button>
    </section>
  );
}
