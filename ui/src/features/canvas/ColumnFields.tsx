import { Icon } from "../../shared/ui";
import { moveItem, updateItem } from "./steps";
import type { OrderKey } from "./types";

/** One column of a schema; a text field when the schema is not known (yet). */
export function ColumnSelect({
  value,
  columns,
  onChange,
  label,
  testId,
  allowEmpty,
  emptyLabel = "Pick a column…",
}: {
  value: string;
  columns: readonly string[];
  onChange: (value: string) => void;
  label: string;
  testId?: string;
  allowEmpty?: boolean;
  emptyLabel?: string;
}) {
  if (columns.length === 0) {
    return <input className="input input-sm" aria-label={label} data-testid={testId} value={value} placeholder="column name" onChange={(event) => onChange(event.target.value)} />;
  }
  const known = value === "" || columns.includes(value);
  return (
    <select className="input input-sm canvas-select" aria-label={label} data-testid={testId} value={value} onChange={(event) => onChange(event.target.value)}>
      <option value="" disabled={!allowEmpty}>
        {emptyLabel}
      </option>
      {!known && <option value={value}>{value}</option>}
      {columns.map((column) => (
        <option key={column} value={column}>
          {column}
        </option>
      ))}
    </select>
  );
}

/** Several columns of a schema, as checkboxes in schema order. */
export function ColumnChecklist({
  value,
  columns,
  onChange,
  label,
  testId,
}: {
  value: readonly string[];
  columns: readonly string[];
  onChange: (value: string[]) => void;
  label: string;
  testId?: string;
}) {
  if (columns.length === 0) {
    return (
      <input
        className="input input-sm"
        aria-label={label}
        data-testid={testId}
        value={value.join(", ")}
        placeholder="column, column"
        onChange={(event) =>
          onChange(
            event.target.value
              .split(",")
              .map((part) => part.trim())
              .filter(Boolean),
          )
        }
      />
    );
  }
  const chosen = new Set(value);
  const all = columns.every((column) => chosen.has(column));
  return (
    <div className="canvas-checklist" role="group" aria-label={label} data-testid={testId}>
      <div className="canvas-checklist-head">
        <button type="button" className="link" onClick={() => onChange(all ? [] : [...columns])}>
          {all ? "None" : "All"}
        </button>
        <span className="muted">
          {value.length} of {columns.length}
        </span>
      </div>
      <div className="canvas-checklist-items">
        {columns.map((column) => (
          <label key={column} className="checkbox">
            <input
              type="checkbox"
              checked={chosen.has(column)}
              onChange={(event) => onChange(event.target.checked ? columns.filter((name) => name === column || chosen.has(name)) : value.filter((name) => name !== column))}
            />
            {column}
          </label>
        ))}
      </div>
    </div>
  );
}

/** Sort keys: a column (or expression) each, ascending or descending, reorderable. */
export function OrderKeysField({
  value,
  columns,
  onChange,
  label,
  testId,
}: {
  value: readonly OrderKey[];
  columns: readonly string[];
  onChange: (value: OrderKey[]) => void;
  label: string;
  testId?: string;
}) {
  return (
    <div className="canvas-rows" role="group" aria-label={label} data-testid={testId}>
      {value.map((key, index) => (
        <div className="canvas-row" key={index}>
          <ColumnSelect value={key.expr} columns={columns} label={`${label} ${index + 1}`} onChange={(expr) => onChange(updateItem(value, index, { ...key, expr }))} />
          <select
            className="input input-sm canvas-select canvas-narrow"
            aria-label={`${label} ${index + 1} direction`}
            value={key.descending ? "desc" : "asc"}
            onChange={(event) => onChange(updateItem(value, index, { ...key, descending: event.target.value === "desc" }))}
          >
            <option value="asc">ascending</option>
            <option value="desc">descending</option>
          </select>
          <RowButtons count={value.length} index={index} onMove={(delta) => onChange(moveItem(value, index, delta))} onRemove={() => onChange(value.filter((_, at) => at !== index))} />
        </div>
      ))}
      <button type="button" className="link canvas-add-row" onClick={() => onChange([...value, { expr: "", descending: false }])}>
        + sort key
      </button>
    </div>
  );
}

/** Up, down and remove for one row of a list. */
export function RowButtons({ count, index, onMove, onRemove, label = "row" }: { count: number; index: number; onMove?: (delta: number) => void; onRemove: () => void; label?: string }) {
  return (
    <span className="canvas-row-buttons">
      {onMove && (
        <>
          <button type="button" className="icon-button" aria-label={`Move ${label} up`} title="Move up" disabled={index === 0} onClick={() => onMove(-1)}>
            <Icon name="chevronDown" size={12} className="flip" />
          </button>
          <button type="button" className="icon-button" aria-label={`Move ${label} down`} title="Move down" disabled={index === count - 1} onClick={() => onMove(1)}>
            <Icon name="chevronDown" size={12} />
          </button>
        </>
      )}
      <button type="button" className="icon-button" aria-label={`Remove ${label}`} title="Remove" onClick={onRemove}>
        <Icon name="close" size={12} />
      </button>
    </span>
  );
}
