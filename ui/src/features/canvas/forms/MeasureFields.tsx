import { ColumnSelect } from "../ColumnFields";
import { AGGREGATE_FUNCTIONS } from "../templates";
import type { AggregateFunction, CanvasMeasure } from "../types";

/** The name a measure gets until the user names it: `count`, `sum_price_paid`. */
export function measureName(fn: AggregateFunction, column: string | undefined): string {
  if (fn === "count" && !column) return "row_count";
  return column ? `${fn === "countDistinct" ? "distinct" : fn}_${column.replace(/\W+/g, "_")}`.toLowerCase() : fn.toLowerCase();
}

/** One measure: function, the column it reads (none for count), and its output name. */
export function MeasureFields({ measure, columns, onChange, index, testId }: { measure: CanvasMeasure; columns: readonly string[]; onChange: (measure: CanvasMeasure) => void; index: number; testId: string }) {
  const auto = measure.name === measureName(measure.function, measure.column);
  const needsColumn = AGGREGATE_FUNCTIONS.find((entry) => entry.fn === measure.function)?.needsColumn ?? true;
  const change = (fn: AggregateFunction, column: string | undefined) => {
    const next: CanvasMeasure = { function: fn, name: auto ? measureName(fn, column) : measure.name, ...(column ? { column } : {}) };
    onChange(next);
  };
  return (
    <>
      <select className="input input-sm canvas-select canvas-narrow" aria-label={`Measure ${index + 1} function`} data-testid={`${testId}-fn-${index}`} value={measure.function} onChange={(event) => change(event.target.value as AggregateFunction, measure.column)}>
        {AGGREGATE_FUNCTIONS.map((entry) => (
          <option key={entry.fn} value={entry.fn}>
            {entry.label}
          </option>
        ))}
      </select>
      <ColumnSelect
        value={measure.column ?? ""}
        columns={columns}
        allowEmpty={!needsColumn}
        emptyLabel={needsColumn ? "Pick a column…" : "all rows (*)"}
        label={`Measure ${index + 1} column`}
        testId={`${testId}-column-${index}`}
        onChange={(column) => change(measure.function, column || undefined)}
      />
      <span className="canvas-as">as</span>
      <input className="input input-sm canvas-alias" aria-label={`Measure ${index + 1} name`} data-testid={`${testId}-name-${index}`} value={measure.name} onChange={(event) => onChange({ ...measure, name: event.target.value })} />
    </>
  );
}
