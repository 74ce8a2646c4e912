import type { ECharts } from "echarts/core";

/** Hands a URL to the browser's own download manager, under `name`. */
export function startDownload(url: string, name: string): void {
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.rel = "noopener";
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** Downloads text made in the page (a panel's CSV) as a file. */
export function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  startDownload(url, name);
  // The click has handed the blob to the download manager; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A chart's canvas as a PNG at twice its size, on the theme's background (not transparent). */
export function downloadChartPng(chart: ECharts, name: string): void {
  const background = getComputedStyle(document.documentElement).getPropertyValue("--bg").trim() || "#ffffff";
  startDownload(chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: background }), name);
}

/** RFC 4180 CSV with a header line: fields with commas, quotes or line breaks are quoted. */
export function toCsv(columns: readonly string[], rows: Iterable<readonly unknown[]>): string {
  const escape = (value: unknown): string => {
    if (value === null || value === undefined) return "";
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.map(escape).join(",")];
  for (const row of rows) lines.push(row.map(escape).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** A file name from a title: "Sales by month" → "sales_by_month". */
export function fileNameOf(title: string): string {
  return title.trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "") || "chart";
}
