import { ColumnChecklist, OrderKeysField } from "../ColumnFields";
import { ExprInput } from "../ExprInput";
import { RelationPicker } from "../RelationPicker";
import type { FormProps } from "./formTypes";

/** Every row of a model, seed or source. */
export function InputForm({ template, onChange, options }: FormProps<"input">) {
  return (
    <label className="field">
      <span className="field-label">Read every row of</span>
      <RelationPicker autoFocus value={template.relation} options={options.filter((option) => option.group !== "Steps")} label="Input relation" testId="canvas-form-input-relation" onChange={(relation) => onChange({ ...template, relation })} />
    </label>
  );
}

export function UnionForm({ template, onChange, options }: FormProps<"union">) {
  return (
    <>
      <label className="field">
        <span className="field-label">Stack the rows of</span>
        <RelationPicker autoFocus value={template.other} options={options} label="Relation to stack" testId="canvas-form-union-other" onChange={(other) => onChange({ ...template, other })} />
      </label>
      <label className="checkbox">
        <input type="checkbox" data-testid="canvas-form-union-all" checked={template.all} onChange={(event) => onChange({ ...template, all: event.target.checked })} />
        keep duplicate rows (union all)
      </label>
    </>
  );
}

export function SelectForm({ template, onChange, columns }: FormProps<"select">) {
  return (
    <div className="field">
      <span className="field-label">Columns to keep (rename and reorder them in the inspector)</span>
      <ColumnChecklist
        value={template.columns.map((column) => column.expr)}
        columns={columns}
        label="Columns"
        testId="canvas-form-select-columns"
        onChange={(names) => onChange({ ...template, columns: names.map((expr) => ({ expr })) })}
      />
    </div>
  );
}

export function FormulaForm({ template, onChange, columns }: FormProps<"formula">) {
  return (
    <>
      <label className="field">
        <span className="field-label">New column name</span>
        <input className="input input-sm" autoFocus data-testid="canvas-form-formula-name" placeholder="margin" value={template.name} onChange={(event) => onChange({ ...template, name: event.target.value })} />
      </label>
      <div className="field">
        <span className="field-label">Expression (Tab completes column names)</span>
        <ExprInput multiline value={template.expr} columns={columns} label="Formula expression" testId="canvas-form-formula-expr" placeholder="price_paid - commission" onChange={(expr) => onChange({ ...template, expr })} />
      </div>
    </>
  );
}

export function DeduplicateForm({ template, onChange, columns }: FormProps<"deduplicate">) {
  return (
    <>
      <div className="field">
        <span className="field-label">One row per (none: drop identical rows)</span>
        <ColumnChecklist value={template.keys} columns={columns} label="Deduplicate keys" testId="canvas-form-dedup-keys" onChange={(keys) => onChange({ ...template, keys })} />
      </div>
      <div className="field">
        <span className="field-label">Keeping the first by</span>
        <OrderKeysField value={template.orderBy} columns={columns} label="Deduplicate order" testId="canvas-form-dedup-order" onChange={(orderBy) => onChange({ ...template, orderBy })} />
      </div>
    </>
  );
}

export function OrderForm({ template, onChange, columns }: FormProps<"order">) {
  return (
    <div className="field">
      <span className="field-label">Sort rows by</span>
      <OrderKeysField value={template.keys} columns={columns} label="Sort key" testId="canvas-form-order-keys" onChange={(keys) => onChange({ ...template, keys })} />
    </div>
  );
}

export function LimitForm({ template, onChange }: FormProps<"limit">) {
  return (
    <label className="field">
      <span className="field-label">Keep the first</span>
      <input
        className="input input-sm canvas-number"
        type="number"
        min={1}
        autoFocus
        data-testid="canvas-form-limit-rows"
        value={Number.isFinite(template.rows) ? template.rows : ""}
        onChange={(event) => onChange({ ...template, rows: event.target.valueAsNumber })}
      />
    </label>
  );
}

export function SqlForm({ template, onChange }: FormProps<"sql">) {
  return (
    <label className="field">
      <span className="field-label">SQL (kept as written; refer to earlier steps by name)</span>
      <textarea className="input canvas-sql-text" autoFocus rows={8} spellCheck={false} data-testid="canvas-form-sql-text" placeholder="select … from previous_step" value={template.text} onChange={(event) => onChange({ ...template, text: event.target.value })} />
    </label>
  );
}
