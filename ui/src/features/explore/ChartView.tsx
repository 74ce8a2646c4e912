import type { ECharts } from "echarts/core";
import type { ChartData } from "../../api";
import { formatNumber, formatValue } from "../../shared/ui";
import { EChart } from "./EChart";
import { measureLabel } from "./echartsOption";
import { PointMap } from "./maps/PointMap";
import { RegionMap } from "./maps/RegionMap";
import { TableView } from "./TableView";

/** A clicked bar, category, region or marker: rows whose `column` is `value`. */
export interface ChartSelection {
  column: string;
  value: unknown;
}

/** The selection a click on a map names, from the map's spec and the clicked row or region. */
function markerSelection(data: ChartData, row: unknown[]): ChartSelection | null {
  const label = data.roles.indexOf("label");
  return data.spec.label && label >= 0 ? { column: data.spec.label, value: row[label] ?? null } : null;
}

/** Draws chart data of any kind; the console's chart view and dashboard panels share it. */
export function ChartView({ data, onChart, onSelect }: { data: ChartData; onChart?: (chart: ECharts | null) => void; onSelect?: (selection: ChartSelection) => void }) {
  switch (data.spec.kind) {
    case "table":
      return data.columns.length > 0 ? <TableView data={data} /> : <div className="chart-empty">A table is the grid: switch back to Grid to page through the rows.</div>;
    case "stat":
      return <StatView data={data} onChart={onChart} />;
    case "pointMap":
      return (
        <PointMap
          data={data}
          onSelect={(row) => {
            const selection = markerSelection(data, row);
            if (selection) onSelect?.(selection);
          }}
        />
      );
    case "gauge":
      return data.value === null ? <div className="chart-empty">The query returned no value to show.</div> : <EChart data={data} onReady={onChart} />;
    case "regionMap":
      return <RegionMap data={data} onSelect={(region) => data.spec.region && onSelect?.({ column: data.spec.region, value: region })} />;
    default:
      if (data.rows.length === 0) return <div className="chart-empty">The query returned no rows to chart.</div>;
      // A bucketed time axis has no single value to filter on: it zooms instead.
      return <EChart data={data} onReady={onChart} onSelect={(value) => data.spec.x && !data.spec.bucket && onSelect?.({ column: data.spec.x, value })} />;
  }
}

/** One big number over every row, and its trend when the stat has a time axis. */
function StatView({ data, onChart }: { data: ChartData; onChart?: (chart: ECharts | null) => void }) {
  const measure = data.spec.y[0];
  const value = typeof data.value === "number" ? formatNumber(data.value) : formatValue(data.value);
  return (
    <div className="stat-view">
      {/* The number shrinks to fit a narrow panel (its length sets the size), never clipped. */}
      <div className="stat-value" data-testid="stat-value" style={{ "--chars": Math.max(4, value.length) } as React.CSSProperties}>
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
