import { ColumnChecklist, ColumnSelect } from "../ColumnFields";
import type { FormProps } from "./formTypes";
import { MeasureFields } from "./MeasureFields";

/** One column per listed value of a key column, each holding a measure of its rows. */
export function PivotForm({ template, onChange, columns }: FormProps<"pivot">) {
  return (
    <>
      <div className="field">
        <span className="field-label">One row per</span>
        <ColumnChecklist value={template.groupBy} columns={columns} label="Pivot group by" testId="canvas-form-pivot-group-by" onChange={(groupBy) => onChange({ ...template, groupBy })} />
      </div>
      <label className="field">
        <span className="field-label">One column per value of</span>
        <ColumnSelect value={template.key} columns={columns} label="Pivot key" testId="canvas-form-pivot-key" onChange={(key) => onChange({ ...template, key })} />
      </label>
      <label className="field">
        <span className="field-label">Values (comma-separated)</span>
        <input
          className="input input-sm"
          data-testid="canvas-form-pivot-values"
          placeholder="Q1, Q2, Q3, Q4"
          value={template.values.join(", ")}
          onChange={(event) => onChange({ ...template, values: event.target.value.split(",").map((value) => value.trim()) })}
        />
      </label>
      <div className="field">
        <span className="field-label">Each holding</span>
        <div className="canvas-row">
          <MeasureFields measure={template.measure} columns={columns} index={0} testId="canvas-form-pivot-measure" onChange={(measure) => onChange({ ...template, measure })} />
        </div>
      </div>
    </>
  );
}

/** Columns turned into rows of (kept columns, column name, value). */
export function UnpivotForm({ template, onChange, columns }: FormProps<"unpivot">) {
  return (
    <>
      <div className="field">
        <span className="field-label">Columns that become rows</span>
        <ColumnChecklist value={template.columns} columns={columns} label="Unpivot columns" testId="canvas-form-unpivot-columns" onChange={(picked) => onChange({ ...template, columns: picked })} />
      </div>
      <div className="field">
        <span className="field-label">Columns kept on every row</span>
        <ColumnChecklist value={template.keep} columns={columns.filter((column) => !template.columns.includes(column))} label="Unpivot keep" testId="canvas-form-unpivot-keep" onChange={(keep) => onChange({ ...template, keep })} />
      </div>
      <div className="canvas-form-grid">
        <label className="field">
          <span className="field-label">Name column</span>
          <input className="input input-sm" data-testid="canvas-form-unpivot-name" value={template.nameColumn} onChange={(event) => onChange({ ...template, nameColumn: event.target.value })} />
        </label>
        <label className="field">
          <span className="field-label">Value column</span>
          <input className="input input-sm" data-testid="canvas-form-unpivot-value" value={template.valueColumn} onChange={(event) => onChange({ ...template, valueColumn: event.target.value })} />
        </label>
      </div>
    </>
  );
}
