import { TOTAL_KEYS, type RunTotals as Totals } from "./totals";
import "./selection.css";

/** `12 pass · 1 fail · 0 error · 0 warn · 3 skip`, as dbt's summary line counts them. */
export function RunTotals({ totals, compact = false }: { totals: Totals; compact?: boolean }) {
  return (
    <span className="run-totals" data-testid="run-totals" data-total={totals.total} aria-label={`${totals.total} nodes`}>
      {TOTAL_KEYS.map(({ key, label }) =>
        compact && totals[key] === 0 ? null : (
          <span key={key} className={`run-total total-${key} ${totals[key] > 0 ? "nonzero" : ""}`} data-testid={`total-${key}`} data-count={totals[key]}>
            {totals[key].toLocaleString()} {label}
          </span>
        ),
      )}
    </span>
  );
}
