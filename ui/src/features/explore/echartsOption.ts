import type { ChartData, Measure, Role } from "../../api";
import { formatNumber } from "../../shared/ui";

/** Colours the chart reads from the app's theme, so light and dark both look intended. */
export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  background: string;
  palette: readonly string[];
}

/** A categorical palette that holds up on white and on near-black (Tableau 10, slightly deepened). */
export const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"] as const;

/** The parts of an ECharts option this module builds; the component passes it through as is. */
export interface EChartsOptionLike {
  [key: string]: unknown;
  series: SeriesLike[];
}

export interface SeriesLike {
  [key: string]: unknown;
  name: string;
  type: "line" | "bar" | "scatter" | "heatmap" | "pie" | "gauge";
  data: unknown[];
}

/** What the drawing says about itself, for the page (and its tests) to read. */
export interface ChartSummary {
  series: number;
  points: number;
}

const AGGREGATION_LABEL: Record<Measure["aggregation"], string> = {
  none: "",
  sum: "sum of",
  avg: "average",
  min: "min",
  max: "max",
  count: "count of",
  countDistinct: "distinct",
  median: "median",
  last: "latest",
};

/** "sum of price_paid", "count of rows". */
export function measureLabel(measure: Measure): string {
  if (!measure.column) return "rows";
  const prefix = AGGREGATION_LABEL[measure.aggregation];
  return prefix ? `${prefix} ${measure.column}` : measure.column;
}

function index(roles: readonly Role[], role: Role, nth = 0): number {
  let seen = 0;
  for (let position = 0; position < roles.length; position += 1) {
    if (roles[position] === role) {
      if (seen === nth) return position;
      seen += 1;
    }
  }
  return -1;
}

function asNumber(value: unknown): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "string" && value.trim() !== "") {
    const number = Number(value);
    return Number.isFinite(number) ? number : null;
  }
  return null;
}

function text(value: unknown): string {
  return value === null || value === undefined ? "(null)" : String(value);
}

/** Compact axis numbers: 1.2k, 3.4M. */
export function shortNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1e9) return `${+(value / 1e9).toFixed(1)}B`;
  if (magnitude >= 1e6) return `${+(value / 1e6).toFixed(1)}M`;
  if (magnitude >= 1e4) return `${+(value / 1e3).toFixed(1)}k`;
  return `${+value.toFixed(2)}`;
}

/** A round dial end above `value`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= value) ?? 10;
  return step * power;
}

/**
 * ECharts options from the engine's chart data: the cartesian kinds (line, area, bar, scatter,
 * heatmap), a pie (a donut, one slice per category, biggest first as the engine ordered them) and
 * a gauge (the stat's value on a dial). The engine already grouped, bucketed and down-sampled;
 * this only lays it out.
 */
export function buildOption(data: ChartData, theme: ChartTheme): { option: EChartsOptionLike; summary: ChartSummary } {
  const { spec, roles, rows } = data;
  const xAt = index(roles, "x");
  const seriesAt = index(roles, "series");
  const temporal = spec.bucket !== undefined || rows.some((row) => typeof row[xAt] === "string" && /^\d{4}-\d{2}-\d{2}/.test(row[xAt] as string));
  const numericX = !temporal && rows.length > 0 && rows.every((row) => asNumber(row[xAt]) !== null);
  const axisType = temporal ? "time" : numericX ? "value" : "category";
  const base = {
    backgroundColor: "transparent",
    color: [...theme.palette],
    textStyle: { color: theme.text },
    animation: rows.length < 5_000,
    tooltip: { trigger: spec.kind === "scatter" ? "item" : "axis", confine: true },
    grid: { left: 16, right: 24, top: 40, bottom: 32, containLabel: true },
  };
  const axisStyle = {
    axisLine: { lineStyle: { color: theme.grid } },
    axisLabel: { color: theme.muted, hideOverlap: true },
    splitLine: { lineStyle: { color: theme.grid, opacity: 0.6 } },
  };

  if (spec.kind === "pie") {
    const valueAt = index(roles, "y");
    const slices = rows.map((row) => ({ name: text(row[xAt]), value: asNumber(row[valueAt]) ?? 0 }));
    const series: SeriesLike = {
      name: measureLabel(spec.y[0] ?? { aggregation: "count" }),
      type: "pie",
      data: slices,
      radius: ["36%", "62%"],
      center: ["50%", "52%"],
      avoidLabelOverlap: true,
      minShowLabelAngle: 6,
      itemStyle: { borderColor: theme.background, borderWidth: 1 },
      // Labels kept inside the panel's edges (a narrow panel would cut them off), long ones shortened.
      label: { color: theme.muted, formatter: "{b}", alignTo: "edge", edgeDistance: 8, minMargin: 4, overflow: "truncate", width: 90 },
      labelLine: { lineStyle: { color: theme.grid } },
    };
    return {
      option: { ...base, grid: undefined, tooltip: { trigger: "item", confine: true, formatter: "{b}: {c} ({d}%)" }, series: [series] },
      summary: { series: 1, points: slices.length },
    };
  }

  if (spec.kind === "gauge") {
    const value = asNumber(data.value);
    const min = spec.min ?? 0;
    const max = spec.max ?? niceMax(Math.max(Math.abs(value ?? 0), min + 1));
    const series: SeriesLike = {
      name: measureLabel(spec.y[0] ?? { aggregation: "count" }),
      type: "gauge",
      data: value === null ? [] : [{ value, name: measureLabel(spec.y[0] ?? { aggregation: "count" }) }],
      min,
      max,
      // An arc open at the bottom, where the number and its label sit: it fits a short panel.
      startAngle: 200,
      endAngle: -20,
      radius: "86%",
      center: ["50%", "56%"],
      splitNumber: 4,
      progress: { show: true, width: 10, itemStyle: { color: theme.palette[0] } },
      axisLine: { lineStyle: { width: 10, color: [[1, theme.grid]] } },
      axisTick: { show: false },
      splitLine: { show: false },
      // No tick labels, as Grafana's gauge: on a dial a few rows high they collide with the
      // value's label; the filled share of the arc says where the value sits between min and max.
      axisLabel: { show: false },
      pointer: { show: false },
      anchor: { show: false },
      title: { show: true, offsetCenter: [0, "34%"], color: theme.muted, fontSize: 11 },
      detail: { valueAnimation: false, offsetCenter: [0, "-4%"], color: theme.text, fontSize: 22, fontWeight: 600, formatter: (shown: number) => formatNumber(shown) },
    };
    return {
      option: { ...base, grid: undefined, tooltip: { show: false }, series: [series] },
      summary: { series: 1, points: value === null ? 0 : 1 },
    };
  }

  if (spec.kind === "heatmap") {
    const valueAt = index(roles, "y");
    const xs = [...new Set(rows.map((row) => text(row[xAt])))];
    const ys = [...new Set(rows.map((row) => text(row[seriesAt])))];
    const values = rows.map((row) => asNumber(row[valueAt]) ?? 0);
    const cells = rows.map((row, k) => [xs.indexOf(text(row[xAt])), ys.indexOf(text(row[seriesAt])), values[k]]);
    const series: SeriesLike = { name: measureLabel(spec.y[0] ?? { aggregation: "count" }), type: "heatmap", data: cells, progressive: 5_000 };
    return {
      option: {
        ...base,
        tooltip: { position: "top", confine: true },
        xAxis: { type: "category", data: xs, ...axisStyle },
        yAxis: { type: "category", data: ys, ...axisStyle },
        visualMap: { min: Math.min(...values, 0), max: Math.max(...values, 1), calculable: true, orient: "horizontal", left: "center", top: 0, textStyle: { color: theme.muted } },
        series: [series],
      },
      summary: { series: 1, points: cells.length },
    };
  }

  // One series per (measure × distinct series value), in first-seen order.
  const groups = new Map<string, unknown[][]>();
  for (const row of rows) {
    const key = seriesAt >= 0 ? text(row[seriesAt]) : "";
    const bucket = groups.get(key);
    if (bucket) bucket.push(row);
    else groups.set(key, [row]);
  }
  const horizontal = spec.kind === "bar" && spec.horizontal;
  const categories = axisType === "category" ? [...new Set(rows.map((row) => text(row[xAt])))] : null;
  const series: SeriesLike[] = [];
  spec.y.forEach((measure, nth) => {
    const yAt = index(roles, "y", nth);
    for (const [key, members] of groups) {
      const name = [spec.y.length > 1 || seriesAt < 0 ? measureLabel(measure) : "", key].filter(Boolean).join(" · ");
      const points = members.map((row) => {
        const x = axisType === "category" ? text(row[xAt]) : axisType === "value" ? asNumber(row[xAt]) : row[xAt];
        const y = asNumber(row[yAt]);
        return horizontal ? [y, x] : [x, y];
      });
      const type = spec.kind === "bar" ? "bar" : spec.kind === "scatter" ? "scatter" : "line";
      const entry: SeriesLike = { name, type, data: points };
      if (type === "line") {
        entry.showSymbol = points.length <= 60;
        entry.sampling = "lttb";
        if (spec.kind === "area") entry.areaStyle = { opacity: spec.stacked ? 0.85 : 0.25 };
      }
      if (type === "scatter") entry.symbolSize = points.length > 5_000 ? 3 : 6;
      if ((spec.stacked && type !== "scatter") || (spec.kind === "area" && spec.stacked)) entry.stack = `y${nth}`;
      if (type === "bar") entry.barMaxWidth = 48;
      if (points.length > 5_000) entry.large = true;
      series.push(entry);
    }
  });
  const valueAxis = { type: "value", ...axisStyle, axisLabel: { ...axisStyle.axisLabel, formatter: shortNumber } };
  const categoryAxis = { type: axisType, data: categories ?? undefined, ...axisStyle, boundaryGap: spec.kind === "bar" };
  const points = series.reduce((total, entry) => total + entry.data.length, 0);
  return {
    option: {
      ...base,
      legend: series.length > 1 ? { type: "scroll", top: 0, textStyle: { color: theme.muted } } : undefined,
      xAxis: horizontal ? valueAxis : { ...categoryAxis, name: spec.x, nameLocation: "middle", nameGap: 28, nameTextStyle: { color: theme.muted } },
      yAxis: horizontal ? { ...categoryAxis, inverse: true } : valueAxis,
      dataZoom: axisType === "category" ? [] : [{ type: "inside", filterMode: "none" }],
      series,
    },
    summary: { series: series.length, points },
  };
}
