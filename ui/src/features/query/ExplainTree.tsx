import { useMemo, useState } from "react";
import type { ExplainResponse, PlanNode } from "../../api";
import { Icon } from "../../shared/ui";
import { barPercent, engineName, flaggedRows, flagLabel, formatEstimate, hasCosts, isWarning, visibleRows, type PlanRow } from "./explainTree";
import "./explain.css";

function Bar({ value, max, kind }: { value: number | null; max: number | null; kind: "rows" | "cost" }) {
  if (value === null) return <div className="plan-bar-none" title="not estimated" />;
  return (
    <div className={`plan-bar plan-bar-${kind}`} title={value.toLocaleString()}>
      <div className="plan-bar-fill" style={{ width: `${barPercent(value, max)}%` }} />
      <span className="plan-bar-value">{formatEstimate(value)}</span>
    </div>
  );
}

function Step({ row, open, onToggle }: { row: PlanRow; open: boolean; onToggle: () => void }) {
  const { node } = row;
  const warned = node.flags.some((flag) => isWarning(flag.kind));
  return (
    <div className="plan-step-main" style={{ paddingLeft: `${row.depth * 18}px` }}>
      <div className="plan-step-head">
        {node.children.length > 0 ? (
          <button type="button" className="plan-toggle" aria-label={open ? "Collapse" : "Expand"} aria-expanded={open} onClick={onToggle}>
            <Icon name={open ? "chevronDown" : "chevronRight"} size={12} />
          </button>
        ) : (
          <span className="plan-toggle-space" />
        )}
        <span className="plan-operator">{node.operator}</span>
        {node.relation && <span className="plan-relation">{node.relation}</span>}
        {node.distribution && <span className={`plan-badge ${warned ? "is-warn" : ""}`}>{node.distribution}</span>}
        {node.flags.map((flag) => (
          <span key={flag.kind} className={`plan-flag ${isWarning(flag.kind) ? "is-warn" : "is-note"}`}>
            {flagLabel(flag.kind)}
          </span>
        ))}
      </div>
      {node.details.map((detail, index) => (
        <div key={index} className="plan-detail">
          {detail.label && <span className="plan-detail-label">{detail.label}: </span>}
          {detail.value}
        </div>
      ))}
      {node.flags.map((flag) => (
        <div key={flag.kind} className={`plan-why ${isWarning(flag.kind) ? "is-warn" : "is-note"}`}>
          <Icon name={isWarning(flag.kind) ? "warning" : "dot"} size={12} /> {flag.why}
        </div>
      ))}
    </div>
  );
}

/** A query plan as a collapsible tree, with estimated rows and own cost as bars. */
export function ExplainTree({ response }: { response: ExplainResponse }) {
  const { plan } = response;
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const rows = useMemo(() => visibleRows(plan.root, collapsed), [plan, collapsed]);
  const flagged = useMemo(() => flaggedRows(plan.root).filter((row) => row.node.flags.some((flag) => isWarning(flag.kind))), [plan]);
  const costs = hasCosts(plan);
  const toggle = (id: string) =>
    setCollapsed((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const summary = (node: PlanNode) => [node.operator, node.relation, node.distribution].filter(Boolean).join(" ");

  return (
    <div className="explain" data-testid="explain-tree">
      <div className="explain-header">
        <span className="explain-title">
          {engineName(plan.engine)} plan · statement at line {response.line}
        </span>
        <span className="explain-hint">{costs ? "Estimated rows, and each step's own cost (its total less its inputs')" : "Estimated rows (DuckDB gives no cost)"}</span>
      </div>
      {(flagged.length > 0 || plan.notes.length > 0) && (
        <div className="explain-attention">
          {flagged.map((row) => (
            <div key={row.id}>
              <Icon name="warning" size={12} /> <strong>{summary(row.node)}</strong>: {row.node.flags.filter((flag) => isWarning(flag.kind)).map((flag) => flagLabel(flag.kind)).join(", ")}
            </div>
          ))}
          {plan.notes.map((note) => (
            <div key={note}>
              <Icon name="warning" size={12} /> {note}
            </div>
          ))}
        </div>
      )}
      <div className={`explain-grid ${costs ? "" : "rows-only"}`} role="tree">
        <div className="plan-row plan-columns">
          <span>Step</span>
          <span>Rows</span>
          {costs && <span>Own cost</span>}
        </div>
        {rows.map((row) => (
          <div
            key={row.id}
            role="treeitem"
            aria-expanded={row.node.children.length > 0 ? !collapsed.has(row.id) : undefined}
            data-operator={row.node.operator}
            className={`plan-row ${row.node.flags.some((flag) => isWarning(flag.kind)) ? "flag-warn" : row.node.flags.length > 0 ? "flag-note" : ""}`}
          >
            <Step row={row} open={!collapsed.has(row.id)} onToggle={() => toggle(row.id)} />
            <Bar value={row.node.rows} max={plan.maxRows} kind="rows" />
            {costs && <Bar value={row.node.selfCost} max={plan.maxSelfCost} kind="cost" />}
          </div>
        ))}
      </div>
    </div>
  );
}
