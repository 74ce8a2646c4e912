import { useEffect, useRef } from "react";
import { BarChart, GaugeChart, HeatmapChart, LineChart, PieChart, ScatterChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { init, use, type ECharts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import type { ChartData } from "../../api";
import { useStudio } from "../../app/useStudio";
import { PALETTE, buildOption, type ChartSummary, type ChartTheme } from "./echartsOption";

// Only the chart types and parts Kiln draws are bundled (ECharts is tree-shaken), on the canvas
// renderer: WebGL is unreliable in WebKitGTK under Xvfb, where the desktop window is tested.
use([LineChart, BarChart, ScatterChart, HeatmapChart, PieChart, GaugeChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, VisualMapComponent, CanvasRenderer]);

function readTheme(): ChartTheme {
  const style = getComputedStyle(document.documentElement);
  const variable = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    text: variable("--text", "#1c1f24"),
    muted: variable("--text-muted", "#5d6470"),
    grid: variable("--border", "#e2e4e8"),
    background: variable("--bg", "#ffffff"),
    palette: PALETTE,
  };
}

/**
 * One ECharts canvas for a line, area, bar, scatter, heatmap, pie or gauge chart. New data updates the same
 * instance (`notMerge` only when the chart's shape changed), so a refresh keeps the zoom the user set.
 */
export function EChart({ data, onReady, onSelect }: { data: ChartData; onReady?: (chart: ECharts | null) => void; onSelect?: (x: unknown) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const shape = useRef("");
  const summary = useRef<ChartSummary>({ series: 0, points: 0 });
  const select = useRef(onSelect);
  const horizontal = useRef(false);
  /** Whether the chart has axes a click position maps onto (not a pie or a gauge). */
  const cartesian = useRef(true);
  /** The category axis's values, when the axis is one: a click's position maps to one of them. */
  const categories = useRef<unknown[] | null>(null);
  select.current = onSelect;
  const theme = useStudio((state) => state.theme);

  useEffect(() => {
    const element = host.current;
    if (!element) return undefined;
    const instance = init(element, undefined, { renderer: "canvas" });
    chart.current = instance;
    // The page learns what is drawn once the drawing (and its animation) has finished, so a
    // screenshot or a test never catches bars half grown.
    instance.on("finished", () => {
      element.dataset.series = String(summary.current.series);
      element.dataset.points = String(summary.current.points);
    });
    // A click anywhere in a category's column of the plot (not only on its bar, which may be a
    // sliver) selects that category for cross-filtering; on a value axis, the value under it.
    // A pie has no grid: a click on a slice selects its category.
    instance.on("click", (params) => {
      const clicked = params as { seriesType?: string; name?: string };
      if (clicked.seriesType === "pie" && clicked.name !== undefined) select.current?.(clicked.name);
    });
    instance.getZr().on("click", (event) => {
      const point = [event.offsetX, event.offsetY];
      if (!select.current || !cartesian.current || !instance.containPixel({ gridIndex: 0 }, point)) return;
      const converted = instance.convertFromPixel({ seriesIndex: 0 }, point);
      const axisValue = Array.isArray(converted) ? converted[horizontal.current ? 1 : 0] : undefined;
      if (typeof axisValue !== "number") return;
      const x = categories.current ? categories.current[Math.round(axisValue)] : axisValue;
      if (x !== undefined) select.current(x);
    });
    // Tests reach the instance the way they reach CodeMirror's view: through its element.
    (element as HTMLElement & { kilnChart?: ECharts }).kilnChart = instance;
    onReady?.(instance);
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
      onReady?.(null);
    };
    // Created once: onReady only hands the instance to the export buttons, and re-creating the
    // canvas whenever the parent re-renders would lose the zoom the user set.
  }, []);

  useEffect(() => {
    const instance = chart.current;
    const element = host.current;
    if (!instance || !element) return;
    const built = buildOption(data, readTheme());
    const next = `${data.spec.kind}|${built.option.series.map((series) => series.name).join("|")}|${theme}`;
    summary.current = built.summary;
    horizontal.current = data.spec.kind === "bar" && data.spec.horizontal;
    cartesian.current = data.spec.kind !== "pie" && data.spec.kind !== "gauge";
    const axis = (horizontal.current ? built.option.yAxis : built.option.xAxis) as { data?: unknown[] } | undefined;
    categories.current = Array.isArray(axis?.data) ? axis.data : null;
    delete element.dataset.series;
    delete element.dataset.points;
    instance.setOption(built.option, { notMerge: next !== shape.current, lazyUpdate: true });
    shape.current = next;
  }, [data, theme]);

  return <div ref={host} className="echart" data-testid="echart" />;
}
