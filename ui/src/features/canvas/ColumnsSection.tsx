import type { KeyboardEvent } from "react";
import { Icon } from "../../shared/ui";
import { RowButtons } from "./ColumnFields";
import { ExprInput } from "./ExprInput";
import { addColumn, moveItem, removeColumn, updateItem } from "./steps";
import type { Column, SelectBlock } from "./types";

type Update = (patch: Partial<SelectBlock>, key?: string) => void;

/**
 * The step's output columns: expression and name each. Buttons or Alt+↑/↓ reorder a row,
 * Alt+Backspace removes it, Enter in the last name adds a row.
 */
export function ColumnsSection({ block, update, columns }: { block: SelectBlock; update: Update; columns: readonly string[] }) {
  const set = (next: Column[], key?: string) => update({ columns: next }, key);
  const focusRow = (index: number) =>
    requestAnimationFrame(() => document.querySelector<HTMLInputElement>(`[data-testid="canvas-field-column-expr-${index}"]`)?.focus());

  const onRowKey = (index: number) => (event: KeyboardEvent) => {
    if (event.altKey && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      event.preventDefault();
      const delta = event.key === "ArrowUp" ? -1 : 1;
      if (index + delta < 0 || index + delta >= block.columns.length) return;
      set(moveItem(block.columns, index, delta));
      focusRow(index + delta);
    } else if (event.altKey && event.key === "Backspace") {
      event.preventDefault();
      set(removeColumn(block.columns, index));
      focusRow(Math.max(0, index - 1));
    }
  };

  return (
    <section className="canvas-section" aria-label="Columns">
      <h3 className="canvas-section-title">
        Columns <span className="count-badge">{block.columns.length}</span>
        <label className="checkbox canvas-title-aside">
          <input type="checkbox" data-testid="canvas-field-distinct" checked={block.distinct} onChange={(event) => update({ distinct: event.target.checked })} />
          distinct rows
        </label>
      </h3>
      <div className="canvas-rows" data-testid="canvas-field-columns">
        {block.columns.map((column, index) => (
          <div className="canvas-row canvas-column-row" key={index} onKeyDown={onRowKey(index)}>
            <ExprInput
              value={column.expr}
              columns={columns}
              label={`Column ${index + 1} expression`}
              testId={`canvas-field-column-expr-${index}`}
              placeholder="expression"
              onChange={(expr) => set(updateItem(block.columns, index, { ...column, expr }), `column-expr-${index}`)}
            />
            <span className="canvas-as">as</span>
            <input
              className="input input-sm canvas-alias"
              aria-label={`Column ${index + 1} name`}
              data-testid={`canvas-field-column-alias-${index}`}
              placeholder="name"
              value={column.alias ?? ""}
              onChange={(event) => {
                const alias = event.target.value;
                set(updateItem(block.columns, index, alias ? { ...column, alias } : { expr: column.expr }), `column-alias-${index}`);
              }}
              onKeyDown={(event) => {
                if (event.key !== "Enter" || index !== block.columns.length - 1) return;
                set(addColumn(block.columns));
                focusRow(index + 1);
              }}
            />
            <RowButtons count={block.columns.length} index={index} label={`column ${index + 1}`} onMove={(delta) => set(moveItem(block.columns, index, delta))} onRemove={() => set(removeColumn(block.columns, index))} />
          </div>
        ))}
      </div>
      <button
        type="button"
        className="link canvas-add-row"
        data-testid="canvas-field-add-column"
        onClick={() => {
          set(addColumn(block.columns));
          focusRow(block.columns.length);
        }}
      >
        <Icon name="plus" size={12} /> column
      </button>
    </section>
  );
}
