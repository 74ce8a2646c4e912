import { useState, type ReactNode } from "react";
import { Icon } from "../../shared/ui";
import { RowButtons } from "./ColumnFields";
import { ExprInput } from "./ExprInput";
import { moveItem, updateItem } from "./steps";
import type { SelectBlock } from "./types";

type Update = (patch: Partial<SelectBlock>, key?: string) => void;
type Clause = "filter" | "groupBy" | "having" | "qualify" | "orderBy" | "limit";

const LABELS: Record<Clause, string> = {
  filter: "Filter (where)",
  groupBy: "Group by",
  having: "Having",
  qualify: "Qualify",
  orderBy: "Order by",
  limit: "Limit",
};

function present(block: SelectBlock, clause: Clause): boolean {
  switch (clause) {
    case "groupBy":
    case "orderBy":
      return block[clause].length > 0;
    default:
      return block[clause] !== undefined;
  }
}

/** Optional text clauses: an empty one is absent from the step, so clearing it removes it. */
function text(value: string): string | undefined {
  return value.trim() === "" ? undefined : value;
}

/**
 * The SELECT's clauses after its columns. Those the step has are shown; the others are one
 * click away and, once opened, stay while the step is selected even when emptied.
 */
export function ClausesSection({ block, update, columns }: { block: SelectBlock; update: Update; columns: readonly string[] }) {
  const [opened, setOpened] = useState<ReadonlySet<Clause>>(new Set());
  const shown = (clause: Clause) => present(block, clause) || opened.has(clause);
  const open = (clause: Clause) => {
    setOpened(new Set([...opened, clause]));
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-clause="${clause}"] input, [data-clause="${clause}"] textarea`)?.focus());
  };
  const hidden = (Object.keys(LABELS) as Clause[]).filter((clause) => !shown(clause));

  const expressionList = (clause: "groupBy", items: readonly string[]) => (
    <div className="canvas-rows" data-testid="canvas-field-group-by">
      {items.map((item, index) => (
        <div className="canvas-row" key={index}>
          <ExprInput value={item} columns={columns} label={`Group by ${index + 1}`} testId={`canvas-field-group-by-${index}`} onChange={(value) => update({ [clause]: updateItem(items, index, value) }, `${clause}-${index}`)} />
          <RowButtons count={items.length} index={index} label={`group by ${index + 1}`} onMove={(delta) => update({ [clause]: moveItem(items, index, delta) })} onRemove={() => update({ [clause]: items.filter((_, at) => at !== index) })} />
        </div>
      ))}
      <button type="button" className="link canvas-add-row" onClick={() => update({ [clause]: [...items, ""] })}>
        + group by
      </button>
    </div>
  );

  return (
    <>
      {shown("filter") && (
        <Clause clause="filter">
          <ExprInput multiline value={block.filter ?? ""} columns={columns} label="Filter" testId="canvas-field-filter" placeholder="price_paid > 100 and state = 'CA'" onChange={(value) => update({ filter: text(value) }, "filter")} />
        </Clause>
      )}
      {shown("groupBy") && <Clause clause="groupBy">{expressionList("groupBy", block.groupBy)}</Clause>}
      {shown("having") && (
        <Clause clause="having">
          <ExprInput value={block.having ?? ""} columns={columns} label="Having" testId="canvas-field-having" placeholder="count(*) > 1" onChange={(value) => update({ having: text(value) }, "having")} />
        </Clause>
      )}
      {shown("qualify") && (
        <Clause clause="qualify">
          <ExprInput value={block.qualify ?? ""} columns={columns} label="Qualify" testId="canvas-field-qualify" onChange={(value) => update({ qualify: text(value) }, "qualify")} />
        </Clause>
      )}
      {shown("orderBy") && (
        <Clause clause="orderBy">
          <div className="canvas-rows" data-testid="canvas-field-order">
            {block.orderBy.map((key, index) => (
              <div className="canvas-row" key={index}>
                <ExprInput value={key.expr} columns={columns} label={`Order key ${index + 1}`} testId={`canvas-field-order-${index}`} onChange={(expr) => update({ orderBy: updateItem(block.orderBy, index, { ...key, expr }) }, `order-${index}`)} />
                <select className="input input-sm canvas-select canvas-narrow" aria-label={`Order key ${index + 1} direction`} value={key.descending ? "desc" : "asc"} onChange={(event) => update({ orderBy: updateItem(block.orderBy, index, { ...key, descending: event.target.value === "desc" }) })}>
                  <option value="asc">asc</option>
                  <option value="desc">desc</option>
                </select>
                <RowButtons count={block.orderBy.length} index={index} label={`order key ${index + 1}`} onMove={(delta) => update({ orderBy: moveItem(block.orderBy, index, delta) })} onRemove={() => update({ orderBy: block.orderBy.filter((_, at) => at !== index) })} />
              </div>
            ))}
            <button type="button" className="link canvas-add-row" onClick={() => update({ orderBy: [...block.orderBy, { expr: "", descending: false }] })}>
              + sort key
            </button>
          </div>
        </Clause>
      )}
      {shown("limit") && (
        <Clause clause="limit">
          <input
            className="input input-sm canvas-number"
            type="number"
            min={0}
            aria-label="Limit"
            data-testid="canvas-field-limit"
            value={block.limit ?? ""}
            onChange={(event) => {
              const value = event.target.valueAsNumber;
              update({ limit: Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined }, "limit");
            }}
          />
        </Clause>
      )}
      {hidden.length > 0 && (
        <div className="canvas-add-clauses">
          {hidden.map((clause) => (
            <button key={clause} type="button" className="button button-ghost button-sm" data-testid={`canvas-add-clause-${clause}`} onClick={() => open(clause)}>
              <Icon name="plus" size={12} />
              {LABELS[clause]}
            </button>
          ))}
        </div>
      )}
    </>
  );
}

function Clause({ clause, children }: { clause: Clause; children: ReactNode }) {
  return (
    <section className="canvas-section" data-clause={clause} aria-label={LABELS[clause]}>
      <h3 className="canvas-section-title">{LABELS[clause]}</h3>
      {children}
    </section>
  );
}
