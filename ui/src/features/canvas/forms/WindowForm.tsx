import { ColumnChecklist, ColumnSelect, OrderKeysField } from "../ColumnFields";
import { WINDOW_FUNCTIONS } from "../templates";
import type { WindowFunction } from "../types";
import type { FormProps } from "./formTypes";

const DEFAULT_NAMES: Record<WindowFunction, string> = {
  rowNumber: "row_number",
  rank: "rank",
  denseRank: "dense_rank",
  runningTotal: "running_total",
  lag: "previous_value",
  lead: "next_value",
};

/** A column computed over a window: the function, what it reads, partitions and order, its name. */
export function WindowForm({ template, onChange, columns }: FormProps<"window">) {
  const needsColumn = WINDOW_FUNCTIONS.find((entry) => entry.fn === template.function)?.needsColumn ?? false;
  return (
    <>
      <div className="canvas-form-grid">
        <label className="field">
          <span className="field-label">Function</span>
          <select
            className="input input-sm canvas-select"
            data-testid="canvas-form-window-function"
            value={template.function}
            onChange={(event) => {
              const fn = event.target.value as WindowFunction;
              const { column, ...rest } = template;
              const keepsColumn = WINDOW_FUNCTIONS.find((entry) => entry.fn === fn)?.needsColumn ?? false;
              const name = template.name === DEFAULT_NAMES[template.function] ? DEFAULT_NAMES[fn] : template.name;
              onChange({ ...rest, function: fn, name, ...(keepsColumn && column ? { column } : {}) });
            }}
          >
            {WINDOW_FUNCTIONS.map((entry) => (
              <option key={entry.fn} value={entry.fn}>
                {entry.label}
              </option>
            ))}
          </select>
        </label>
        {needsColumn && (
          <label className="field">
            <span className="field-label">Of column</span>
            <ColumnSelect value={template.column ?? ""} columns={columns} label="Window column" testId="canvas-form-window-column" onChange={(column) => onChange({ ...template, column })} />
          </label>
        )}
        <label className="field">
          <span className="field-label">New column name</span>
          <input className="input input-sm" data-testid="canvas-form-window-name" value={template.name} onChange={(event) => onChange({ ...template, name: event.target.value })} />
        </label>
      </div>
      <div className="field">
        <span className="field-label">Partition by (restart for each)</span>
        <ColumnChecklist value={template.partitionBy} columns={columns} label="Partition by" testId="canvas-form-window-partition" onChange={(partitionBy) => onChange({ ...template, partitionBy })} />
      </div>
      <div className="field">
        <span className="field-label">Order rows by</span>
        <OrderKeysField value={template.orderBy} columns={columns} label="Window order" testId="canvas-form-window-order" onChange={(orderBy) => onChange({ ...template, orderBy })} />
      </div>
    </>
  );
}
