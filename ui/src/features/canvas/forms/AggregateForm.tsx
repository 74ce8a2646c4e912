import { ColumnChecklist, RowButtons } from "../ColumnFields";
import { updateItem } from "../steps";
import type { FormProps } from "./formTypes";
import { MeasureFields } from "./MeasureFields";

/** One row per group: the group-by columns, and measures (function of a column, named). */
export function AggregateForm({ template, onChange, columns }: FormProps<"aggregate">) {
  return (
    <>
      <div className="field">
        <span className="field-label">Group by</span>
        <ColumnChecklist value={template.groupBy} columns={columns} label="Group by columns" testId="canvas-form-aggregate-group-by" onChange={(groupBy) => onChange({ ...template, groupBy })} />
      </div>
      <div className="field">
        <span className="field-label">Measures</span>
        <div className="canvas-rows" data-testid="canvas-form-aggregate-measures">
          {template.measures.map((measure, index) => (
            <div className="canvas-row" key={index}>
              <MeasureFields measure={measure} columns={columns} index={index} testId="canvas-form-measure" onChange={(next) => onChange({ ...template, measures: updateItem(template.measures, index, next) })} />
              <RowButtons count={template.measures.length} index={index} label={`measure ${index + 1}`} onRemove={() => onChange({ ...template, measures: template.measures.filter((_, at) => at !== index) })} />
            </div>
          ))}
          <button type="button" className="link canvas-add-row" data-testid="canvas-form-aggregate-add-measure" onClick={() => onChange({ ...template, measures: [...template.measures, { function: "sum", name: "sum" }] })}>
            + measure
          </button>
        </div>
      </div>
    </>
  );
}
