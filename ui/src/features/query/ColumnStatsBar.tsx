import { useEffect, useMemo, useState } from "react";
import type { ColumnStatsResponse, StatementResultDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Icon, formatNumber, formatValue } from "../../shared/ui";
import { localColumnStats } from "./stats";

interface Props {
  result: StatementResultDto;
  /** Null for previews, whose whole result is in `result.firstPage`. */
  queryId: string | null;
  column: number;
  /** The grid's applied filter; statistics cover the rows it keeps. */
  filter: string | null;
  /** Preview rows after the local filter (previews only). */
  localRows: readonly unknown[][];
  onClose: () => void;
}

/** Σ under the grid: one column's statistics over the whole result, never just the rows on screen. */
export function ColumnStatsBar({ result, queryId, column, filter, localRows, onClose }: Props) {
  const studio = useStudioInstance();
  const info = result.columns[column];
  const name = info?.name ?? "";
  const [remote, setRemote] = useState<{ stats: ColumnStatsResponse | null; error: string | null }>({ stats: null, error: null });
  const local = useMemo(
    () => (queryId === null ? localColumnStats(localRows, column, name, info?.dataType ?? null) : null),
    [queryId, localRows, column, name, info?.dataType],
  );

  useEffect(() => {
    if (queryId === null) return;
    let current = true;
    setRemote({ stats: null, error: null });
    studio.backend
      .call("columnStats", { queryId, statement: result.index, column: name, filter })
      .then((stats) => current && setRemote({ stats, error: null }))
      .catch((failure: unknown) => current && setRemote({ stats: null, error: errorDiagnostic(failure).message }));
    return () => {
      current = false;
    };
  }, [studio, queryId, result.index, name, filter]);

  const stats = local ?? remote.stats;
  const scope = filter ? "rows matching the filter" : queryId === null ? "rows of the preview" : "rows";
  return (
    <div className="grid-stats" data-testid="grid-stats">
      <strong>{name}</strong>
      {remote.error && <span className="grid-error">Could not compute stats: {remote.error}</span>}
      {!stats && !remote.error && <span>computing over the whole result…</span>}
      {stats && (
        <>
          <span data-testid="stats-rows">
            over all {stats.rows.toLocaleString()} {scope}
          </span>
          <span>nulls {stats.nulls.toLocaleString()}</span>
          <span>distinct {stats.distinct.toLocaleString()}</span>
          <span data-testid="stats-min">min {formatValue(stats.min)}</span>
          <span data-testid="stats-max">max {formatValue(stats.max)}</span>
          {stats.mean !== null && <span data-testid="stats-mean">mean {formatNumber(stats.mean, 4)}</span>}
          {stats.top.length > 0 && (
            <span className="grid-stats-top" title="Most frequent values">
              top {stats.top.map((entry) => `${formatValue(entry.value)} (${entry.count.toLocaleString()})`).join(", ")}
            </span>
          )}
        </>
      )}
      <button type="button" className="icon-button" aria-label="Close stats" onClick={onClose}>
        <Icon name="close" size={12} />
      </button>
    </div>
  );
}
