import { ColumnSelect, RowButtons } from "../ColumnFields";
import { ExprInput } from "../ExprInput";
import { updateItem } from "../steps";
import { CONDITION_OPS, opTakesValue } from "../templates";
import type { Condition, ConditionOp } from "../types";
import type { FormProps } from "./formTypes";

/** Keep rows meeting every condition (column, operator, value) and, optionally, an expression. */
export function FilterForm({ template, onChange, columns }: FormProps<"filter">) {
  const set = (index: number, condition: Condition) => onChange({ ...template, conditions: updateItem(template.conditions, index, condition) });
  return (
    <>
      <div className="field">
        <span className="field-label">Keep rows where</span>
        <div className="canvas-rows" data-testid="canvas-form-filter-conditions">
          {template.conditions.map((condition, index) => (
            <div className="canvas-row" key={index}>
              <ColumnSelect value={condition.column} columns={columns} label={`Condition ${index + 1} column`} testId={`canvas-form-filter-column-${index}`} onChange={(column) => set(index, { ...condition, column })} />
              <select
                className="input input-sm canvas-select canvas-narrow"
                aria-label={`Condition ${index + 1} operator`}
                data-testid={`canvas-form-filter-op-${index}`}
                value={condition.op}
                onChange={(event) => {
                  const op = event.target.value as ConditionOp;
                  set(index, opTakesValue(op) ? { ...condition, op, value: condition.value ?? "" } : { column: condition.column, op });
                }}
              >
                {CONDITION_OPS.map((entry) => (
                  <option key={entry.op} value={entry.op}>
                    {entry.label}
                  </option>
                ))}
              </select>
              {opTakesValue(condition.op) && (
                <input className="input input-sm" aria-label={`Condition ${index + 1} value`} data-testid={`canvas-form-filter-value-${index}`} placeholder="value" value={condition.value ?? ""} onChange={(event) => set(index, { ...condition, value: event.target.value })} />
              )}
              <RowButtons count={template.conditions.length} index={index} label={`condition ${index + 1}`} onRemove={() => onChange({ ...template, conditions: template.conditions.filter((_, at) => at !== index) })} />
            </div>
          ))}
          <button type="button" className="link canvas-add-row" data-testid="canvas-form-filter-add" onClick={() => onChange({ ...template, conditions: [...template.conditions, { column: "", op: "equals", value: "" }] })}>
            + condition
          </button>
        </div>
      </div>
      <div className="field">
        <span className="field-label">And this expression (optional)</span>
        <ExprInput
          value={template.expression ?? ""}
          columns={columns}
          label="Filter expression"
          testId="canvas-form-filter-expression"
          placeholder="price_paid > 2 * commission"
          onChange={(expression) => {
            const { expression: _old, ...rest } = template;
            onChange(expression.trim() ? { ...rest, expression } : rest);
          }}
        />
      </div>
    </>
  );
}
