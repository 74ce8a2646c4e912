import { useEffect, useRef, useState } from "react";
import type { ECharts } from "echarts/core";
import type { ChartData, ChartSpec, ColumnDto, DiagnosticDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Icon, Spinner, formatValue } from "../../shared/ui";
import { ChartSettings } from "./ChartSettings";
import { EChart } from "./EChart";
import { measureLabel } from "./echartsOption";
import { PointMap } from "./maps/PointMap";
import { RegionMap } from "./maps/RegionMap";

interface Props {
  queryId: string;
  statement: number;
  /** The grid's filter: the chart covers the same rows. */
  filter: string | null;
  columns: readonly ColumnDto[];
}

/**
 * A chart of a console result. The engine suggests the first chart from the result's columns,
 * computes every chart in the warehouse (buckets, aggregates, down-sampling) and answers with
 * the few rows it draws; changing a setting asks again.
 */
export function ChartPanel({ queryId, statement, filter, columns }: Props) {
  const studio = useStudioInstance();
  const [spec, setSpec] = useState<ChartSpec | null>(null);
  const [data, setData] = useState<ChartData | null>(null);
  const [error, setError] = useState<DiagnosticDto | null>(null);
  const [loading, setLoading] = useState(true);
  const chart = useRef<ECharts | null>(null);

  useEffect(() => {
    let current = true;
    setLoading(true);
    studio.backend
      .call("chartData", { queryId, statement, spec, filter })
      .then((answer) => {
        if (!current) return;
        setData(answer);
        setError(null);
        // The first answer carries the engine's suggestion; later ones echo the user's spec
        // (with an automatic bucket resolved), which must not replace what they chose.
        if (spec === null) setSpec(answer.spec);
      })
      .catch((failure: unknown) => current && setError(errorDiagnostic(failure)))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [studio, queryId, statement, spec, filter]);

  const exportPng = () => {
    const instance = chart.current;
    if (!instance) return;
    const link = document.createElement("a");
    link.href = instance.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: getComputedStyle(document.documentElement).getPropertyValue("--bg").trim() || "#fff" });
    link.download = `chart_${statement + 1}.png`;
    link.click();
  };

  return (
    <div className="chart-panel" data-testid="chart-panel">
      {spec && <ChartSettings spec={spec} columns={columns} onChange={setSpec} />}
      <div className="chart-body">
        {error && (
          <div className="callout callout-error chart-error" data-testid="chart-error">
            <strong>
              {error.code}: {error.message}
            </strong>
            {error.hint && <div>{error.hint}</div>}
          </div>
        )}
        {!error && data && <ChartView data={data} onChart={(instance) => (chart.current = instance)} />}
        {loading && !data && !error && <Spinner label="Charting" />}
      </div>
      {data && !error && (
        <div className="chart-footer">
          {loading && <Spinner label="Updating" />}
          {data.sampledFrom !== null && (
            <span data-testid="chart-sampled">
              {data.rows.length.toLocaleString()} of {data.sampledFrom.toLocaleString()} points (down-sampled, shape kept)
            </span>
          )}
          {data.notes.map((note) => (
            <span key={note} className="chart-note">
              {note}
            </span>
          ))}
          <span className="spacer" />
          {data.sql && (
            <details className="chart-sql">
              <summary>Query</summary>
              <pre>{data.sql}</pre>
            </details>
          )}
          {isEChart(data) && (
            <Button size="sm" variant="ghost" icon={<Icon name="download" size={14} />} onClick={exportPng}>
              PNG
            </Button>
          )}
        </div>
      )}
    </div>
  );
}

function isEChart(data: ChartData): boolean {
  return ["line", "area", "bar", "scatter", "heatmap"].includes(data.spec.kind) || (data.spec.kind === "stat" && data.rows.length > 1);
}

function ChartView({ data, onChart }: { data: ChartData; onChart: (chart: ECharts | null) => void }) {
  switch (data.spec.kind) {
    case "table":
      return <div className="chart-empty">A table is the grid: switch back to Grid to page through the rows.</div>;
    case "stat":
      return <StatView data={data} onChart={onChart} />;
    case "pointMap":
      return <PointMap data={data} />;
    case "regionMap":
      return <RegionMap data={data} />;
    default:
      if (data.rows.length === 0) return <div className="chart-empty">The query returned no rows to chart.</div>;
      return <EChart data={data} onReady={onChart} />;
  }
}

/** One big number over every row, and its trend when the stat has a time axis. */
function StatView({ data, onChart }: { data: ChartData; onChart: (chart: ECharts | null) => void }) {
  const measure = data.spec.y[0];
  const value = typeof data.value === "number" ? data.value.toLocaleString(undefined, { maximumFractionDigits: 2 }) : formatValue(data.value);
  return (
    <div className="stat-view">
      <div className="stat-value" data-testid="stat-value">
        {value}
      </div>
      <div className="stat-label">{measure ? measureLabel(measure) : ""}</div>
      {data.rows.length > 1 && (
        <div className="stat-trend">
          <EChart data={{ ...data, spec: { ...data.spec, kind: "area" } }} onReady={onChart} />
        </div>
      )}
    </div>
  );
}
