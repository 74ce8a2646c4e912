import { useEffect, useRef } from "react";
import { BarChart, HeatmapChart, LineChart, ScatterChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import { init, use, type ECharts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import type { ChartData } from "../../api";
import { useStudio } from "../../app/useStudio";
import { PALETTE, buildOption, type ChartSummary, type ChartTheme } from "./echartsOption";

// Only the chart types and parts Kiln draws are bundled (ECharts is tree-shaken), on the canvas
// renderer: WebGL is unreliable in WebKitGTK under Xvfb, where the desktop window is tested.
use([LineChart, BarChart, ScatterChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, DataZoomComponent, VisualMapComponent, CanvasRenderer]);

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
 * One ECharts canvas for a line, area, bar, scatter or heatmap chart. New data updates the same
 * instance (`notMerge` only when the chart's shape changed), so a refresh keeps the zoom the user set.
 */
export function EChart({ data, onReady }: { data: ChartData; onReady?: (chart: ECharts | null) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const shape = useRef("");
  const summary = useRef<ChartSummary>({ series: 0, points: 0 });
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
    delete element.dataset.series;
    delete element.dataset.points;
    instance.setOption(built.option, { notMerge: next !== shape.current, lazyUpdate: true });
    shape.current = next;
  }, [data, theme]);

  return <div ref={host} className="echart" data-testid="echart" />;
}
