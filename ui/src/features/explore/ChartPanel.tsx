import { useEffect, useRef, useState } from "react";
import type { ECharts } from "echarts/core";
import type { ChartData, ChartSpec, ColumnDto, DiagnosticDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Icon, Spinner } from "../../shared/ui";
import { ChartSettings } from "./ChartSettings";
import { ChartView } from "./ChartView";
import { downloadChartPng } from "../../shared/download";

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
    if (chart.current) downloadChartPng(chart.current, `chart_${statement + 1}.png`);
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
  return ["line", "area", "bar", "scatter", "heatmap", "pie", "gauge"].includes(data.spec.kind) || (data.spec.kind === "stat" && data.rows.length > 1);
}
