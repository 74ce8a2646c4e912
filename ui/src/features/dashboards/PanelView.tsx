import { useEffect, useRef, useState } from "react";
import type { ECharts } from "echarts/core";
import type { ChartData, ChartSpec, ColumnDto, DiagnosticDto, GridPos, Panel, PanelFilter, TimeWindow } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Icon, Spinner } from "../../shared/ui";
import { ChartView, type ChartSelection } from "../explore/ChartView";
import { ChartSettings } from "../explore/ChartSettings";
import type { DragKind } from "./useLayoutEditing";
import { displayColumns } from "../explore/columns";
import { downloadChartPng, downloadText, fileNameOf, toCsv } from "../../shared/download";

interface Props {
  path: string;
  index: number;
  panel: Panel;
  /** Where it sits: the file's place, or where the user dragged it in edit mode. */
  grid: GridPos;
  /** A chart picked in edit mode, drawn instead of the file's until saved or cancelled. */
  spec: ChartSpec | null;
  editing: boolean;
  onDrag: (kind: DragKind, event: React.PointerEvent) => void;
  onChart: (spec: ChartSpec) => void;
  /** Bumped by the dashboard on every refresh. */
  tick: number;
  /** Cross-filters from the other panels' clicks. */
  filters: readonly PanelFilter[];
  /** A time range picked on the dashboard, instead of the file's. */
  time: TimeWindow | null;
  /** Each variable's selection. */
  variables: Record<string, string[]>;
  onUpdated: (at: number) => void;
  onSelect: (selection: ChartSelection) => void;
}

/**
 * One panel: its query charted in the engine. A refresh that brings the same rows keeps the
 * drawn chart untouched (no flicker, zoom kept); a failing panel shows its error in place while
 * the others go on.
 */
export function PanelView({ path, index, panel, grid, spec, editing, onDrag, onChart, tick, filters, time, variables, onUpdated, onSelect }: Props) {
  const studio = useStudioInstance();
  const [data, setData] = useState<ChartData | null>(null);
  const [error, setError] = useState<DiagnosticDto | null>(null);
  const [busy, setBusy] = useState(false);
  const last = useRef("");
  const chart = useRef<ECharts | null>(null);
  const [hasChart, setHasChart] = useState(false);
  // Compared by content: a new array with the same filters must not query again.
  const filterKey = JSON.stringify(filters);
  const viewKey = JSON.stringify([time, variables, spec]);
  const request = () => {
    const [pickedTime, picked, edited] = JSON.parse(viewKey) as [TimeWindow | null, Record<string, string[]>, ChartSpec | null];
    return { path, panel: index, filters: JSON.parse(filterKey) as PanelFilter[], variables: picked, spec: edited, ...(pickedTime ? { time: pickedTime } : {}) };
  };
  /** The query's columns, for the chart settings of edit mode. */
  const [columns, setColumns] = useState<ColumnDto[] | null>(null);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const openSettings = () => {
    setSettingsOpen((open) => !open);
    if (columns) return;
    studio.backend
      .call("panelQuery", request())
      .then((answer) => setColumns(answer.columns))
      .catch((failure: unknown) => setError(errorDiagnostic(failure)));
  };

  /** The question in flight: a refresh tick never stacks a second one on it. */
  const inFlight = useRef<string | null>(null);
  const asked = JSON.stringify([path, index, panel, filterKey, viewKey]);
  /** The newest question: answers to older ones are dropped. */
  const wanted = useRef(asked);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  useEffect(() => {
    wanted.current = asked;
    // A tick while the same question is still being answered is skipped: re-asking would drop
    // the answer on its way and pile up queries in the engine whenever a refresh takes longer
    // than the interval. A changed question (filters, picks, the file) always asks anew.
    if (inFlight.current === asked) return;
    inFlight.current = asked;
    const fresh = () => mounted.current && wanted.current === asked;
    setBusy(true);
    studio.backend
      .call("panelData", request())
      .then((answer) => {
        if (!fresh()) return;
        const key = JSON.stringify([answer.spec, answer.rows, answer.value, answer.notes]);
        if (key !== last.current) {
          last.current = key;
          setData(answer);
        }
        setError(null);
        onUpdated(Date.now());
      })
      .catch((failure: unknown) => {
        if (!fresh()) return;
        last.current = "";
        setError(errorDiagnostic(failure));
      })
      .finally(() => {
        if (inFlight.current === asked) inFlight.current = null;
        if (fresh()) setBusy(false);
      });
    // onUpdated only reports the time; a new callback must not re-query.
  }, [studio, path, index, panel, tick, filterKey, viewKey]);

  const style = {
    gridColumn: `${grid.x + 1} / span ${grid.w}`,
    gridRow: `${grid.y + 1} / span ${grid.h}`,
  };
  return (
    <section className="dashboard-panel" style={style} data-testid="dashboard-panel" data-title={panel.title} data-grid={`${grid.x},${grid.y},${grid.w},${grid.h}`} data-filtered={filters.length > 0 && !data?.notes.some((note) => note.startsWith("not filtered")) ? "yes" : "no"} aria-label={panel.title}>
      <header className="dashboard-panel-header" onPointerDown={editing ? (event) => onDrag("move", event) : undefined} data-testid="panel-header">
        <span className="dashboard-panel-title" title={panel.description || panel.title}>
          {panel.title}
        </span>
        {busy && <Spinner />}
        {editing && (
          <button type="button" className="icon-button panel-action" aria-expanded={settingsOpen} aria-label={`Chart of ${panel.title}`} title="Change this panel's chart" onPointerDown={(event) => event.stopPropagation()} onClick={openSettings}>
            Chart
          </button>
        )}
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
        <button type="button" className="icon-button" title="Open this panel's query in the console" aria-label={`Query of ${panel.title}`} onClick={() => {
            studio.backend
              .call("panelQuery", request())
              .then((answer) => studio.querySql(answer.sql))
              .catch((failure: unknown) => setError(errorDiagnostic(failure)));
          }}>
          <Icon name="database" size={13} />
        </button>
      </header>
      {editing && settingsOpen && columns && <ChartSettings spec={spec ?? panel.chart} columns={columns} onChange={onChart} />}
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
      {editing && <div className="panel-resize" data-testid="panel-resize" title="Drag to resize" onPointerDown={(event) => onDrag("resize", event)} />}
    </section>
  );
}
