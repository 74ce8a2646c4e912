import { useEffect, useRef, useState } from "react";
import type { ECharts } from "echarts/core";
import type { ChartData, DiagnosticDto, Panel, PanelFilter } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Icon, Spinner } from "../../shared/ui";
import { ChartView, type ChartSelection } from "../explore/ChartView";
import { filteredQuery } from "./filters";
import { displayColumns } from "../explore/columns";
import { downloadChartPng, downloadText, fileNameOf, toCsv } from "../../shared/download";

interface Props {
  path: string;
  index: number;
  panel: Panel;
  /** Bumped by the dashboard on every refresh. */
  tick: number;
  /** Cross-filters from the other panels' clicks. */
  filters: readonly PanelFilter[];
  onUpdated: (at: number) => void;
  onSelect: (selection: ChartSelection) => void;
}

/**
 * One panel: its query charted in the engine. A refresh that brings the same rows keeps the
 * drawn chart untouched (no flicker, zoom kept); a failing panel shows its error in place while
 * the others go on.
 */
export function PanelView({ path, index, panel, tick, filters, onUpdated, onSelect }: Props) {
  const studio = useStudioInstance();
  const [data, setData] = useState<ChartData | null>(null);
  const [error, setError] = useState<DiagnosticDto | null>(null);
  const [busy, setBusy] = useState(false);
  const last = useRef("");
  const chart = useRef<ECharts | null>(null);
  const [hasChart, setHasChart] = useState(false);
  // Compared by content: a new array with the same filters must not query again.
  const filterKey = JSON.stringify(filters);

  useEffect(() => {
    let current = true;
    setBusy(true);
    studio.backend
      .call("panelData", { path, panel: index, filters: JSON.parse(filterKey) as PanelFilter[] })
      .then((answer) => {
        if (!current) return;
        const key = JSON.stringify([answer.spec, answer.rows, answer.value, answer.notes]);
        if (key !== last.current) {
          last.current = key;
          setData(answer);
        }
        setError(null);
        onUpdated(Date.now());
      })
      .catch((failure: unknown) => {
        if (!current) return;
        last.current = "";
        setError(errorDiagnostic(failure));
      })
      .finally(() => current && setBusy(false));
    return () => {
      current = false;
    };
    // onUpdated only reports the time; a new callback must not re-query.
  }, [studio, path, index, panel, tick, filterKey]);

  const style = {
    gridColumn: `${panel.grid.x + 1} / span ${panel.grid.w}`,
    gridRow: `${panel.grid.y + 1} / span ${panel.grid.h}`,
  };
  return (
    <section className="dashboard-panel" style={style} data-testid="dashboard-panel" data-title={panel.title} data-filtered={filters.length > 0 && !data?.notes.some((note) => note.startsWith("not filtered")) ? "yes" : "no"} aria-label={panel.title}>
      <header className="dashboard-panel-header">
        <span className="dashboard-panel-title" title={panel.description || panel.title}>
          {panel.title}
        </span>
        {busy && <Spinner />}
        {data && data.rows.length > 0 && (
          <button
            type="button"
            className="icon-button panel-action"
            title="Download the data this panel draws as CSV"
            aria-label={`CSV of ${panel.title}`}
            onClick={() => downloadText(`${fileNameOf(panel.title)}.csv`, toCsv(displayColumns(data), data.rows), "text/csv")}
          >
            CSV
          </button>
        )}
        {hasChart && (
          <button
            type="button"
            className="icon-button panel-action"
            title="Download this chart as a PNG image"
            aria-label={`PNG of ${panel.title}`}
            onClick={() => chart.current && downloadChartPng(chart.current, `${fileNameOf(panel.title)}.png`)}
          >
            PNG
          </button>
        )}
        <button type="button" className="icon-button" title="Open this panel's query in the console" aria-label={`Query of ${panel.title}`} onClick={() => studio.querySql(filteredQuery(panel.query, filters))}>
          <Icon name="database" size={13} />
        </button>
      </header>
      <div className="dashboard-panel-body">
        {error ? (
          <div className="callout callout-error panel-error" data-testid="panel-error">
            <strong>
              {error.code}: {error.message}
            </strong>
            {error.hint && <div>{error.hint}</div>}
          </div>
        ) : data ? (
          <ChartView
            data={data}
            onSelect={onSelect}
            onChart={(instance) => {
              chart.current = instance;
              setHasChart(instance !== null);
            }}
          />
        ) : (
          <Spinner label="Loading" />
        )}
      </div>
    </section>
  );
}
