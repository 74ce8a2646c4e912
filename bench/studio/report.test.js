// node --test bench/studio/  — checks where run.sh puts its entry in BENCHMARKS.md.
import { test } from "node:test";
import assert from "node:assert/strict";
import { flat, insertStudioEntry, renderMarkdown } from "./report.js";

const DOC = "# Benchmarks\n\n## Results\n\nr\n\n## Run log\n\n### cli run\n";

test("creates the Studio section before the run log, so CLI runs never land inside it", () => {
  const out = insertStudioEntry(DOC, "### studio 1\n\n| a |\n");
  assert.ok(out.indexOf("## Studio") < out.indexOf("## Run log"));
  assert.ok(out.indexOf("### studio 1") > out.indexOf("## Studio"));
  assert.ok(out.indexOf("### studio 1") < out.indexOf("## Run log"));
  assert.ok(out.endsWith("### cli run\n"));
});

test("appends later entries at the end of the Studio section, newest last", () => {
  const once = insertStudioEntry(DOC, "### studio 1\n");
  const twice = insertStudioEntry(once, "### studio 2\n");
  assert.ok(twice.indexOf("### studio 1") < twice.indexOf("### studio 2"));
  assert.ok(twice.indexOf("### studio 2") < twice.indexOf("## Run log"));
  assert.equal(twice.match(/## Studio/g)?.length, 1);
});

test("appends at the end of the file when the Studio section is last", () => {
  const doc = "# B\n\n## Studio\n\nintro\n";
  const out = insertStudioEntry(doc, "### studio 1\n");
  assert.equal(out, "# B\n\n## Studio\n\nintro\n\n### studio 1\n");
});

// The dashboard, chart and map cases name their target and whether it was met.
const fps = (zoom, pan) => ({ idle: { fps: 60, worstFrameMs: 17 }, zoom: { fps: zoom, worstFrameMs: 40 }, pan: { fps: pan, worstFrameMs: 20 } });
const stats = (median) => ({ median, p95: median * 1.5, min: median / 2, max: median * 2, n: 20 });
const EXPLORE = {
  startedAt: "2026-12-07T05:00:00.000Z",
  loadAtStart: "1.00 1.00 1.00",
  loadAtEnd: "1.00 1.00 1.00",
  machine: { cores: 2, cpu: "test", memory: "24 GiB", chromium: "Chromium" },
  commit: "abc",
  kilnBuilt: "2026-12-07T04:00",
  resultsDir: "/tmp/results",
  options: { smoke: false },
  dashboard: {
    rows: 10_000_000,
    openMs: 850,
    finishedMs: 1900,
    openDashboardMs: 20,
    panels: [
      { title: "Total", kind: "stat", detail: { value: "12" }, paintedMs: 400, finishedMs: 400, requestMs: 90, requestStartMs: 30 },
      { title: "By hour", kind: "echart", detail: { series: 5, points: 3600 }, paintedMs: 850, finishedMs: 1900, requestMs: 600, requestStartMs: 31 },
    ],
    refresh: { minutes: 2, insertsPerSecond: 1000, completeRefreshes: 118, wall: stats(450), request: stats(200), perPanel: [stats(80), stats(400)], superseded: 3, failedCalls: 0 },
    memory: { heapStartMiB: 20, heapEndMiB: 21, rssStartMiB: 300, rssEndMiB: 400, peakMiB: 410, samples: [{ heapMiB: 20, rssMiB: 300 }, { heapMiB: 22, rssMiB: 400 }] },
    alone: [stats(60), stats(250)],
    peer: { version: "1.5.6", parallelMs: 300, sequentialMs: 500, panels: [{ title: "By hour", medianMs: 200 }] },
  },
  timeseries: {
    rows: 1_000_000,
    sql: "select …",
    suggested: { spec: { kind: "line", bucket: "hour" }, paintedMs: 120, points: 278, requests: 2, waitMs: 5, requestMs: 60, renderMs: 50, bytes: 9000 },
    raw: { paintedMs: 420, points: 2000, sampled: "2,000 of 1,000,000 points", waitMs: 5, requestMs: 380, renderMs: 35, bytes: 90000 },
    fps: fps(58, 60),
    zoomWindowBeforePan: { start: 20, end: 60 },
  },
  pointmap: { rows: 100_000, sql: "select …", markers: 100_000, drawnMs: 480, notes: [], fps: fps(40, 60), scale: { before: "2000 km", after: "300 km" }, waitMs: 5, requestMs: 300, renderMs: 170, bytes: 4e6 },
  regionmap: { skipped: "no counties shapes" },
};

test("renders the dashboard, chart and map cases with their targets", () => {
  const markdown = renderMarkdown(EXPLORE, "bench/studio/run.sh --cases dashboard,timeseries,pointmap,regionmap");
  const line = (start) => markdown.split("\n").find((text) => text.startsWith(start)) ?? "";
  assert.match(line("| dashboard, 6 panels"), /\| 850 ms .*\| < 1 s \| yes \|$/);
  assert.match(line("| … each refresh"), /\| 450 ms \(p95 675 ms\).*\| 0\.7× \| < 200 ms \| no \(\+250 ms, 2\.3× the target\) \|$/);
  assert.match(line("| … memory over"), /\| flat \| no \(RSS \+100\.0 MiB\) \|$/);
  assert.match(line("| … value as each row"), /\| 420 ms .*\| < 300 ms \| no /);
  assert.match(line("| point map, 100,000 rows"), /\| < 500 ms \| yes \|$/);
  assert.match(line("| … wheel zoom in/out, then drag pan (Leaflet"), /\| ≥ 55 fps \| no \(40 vs 55 fps\) \|$/);
  assert.match(line("| region map of the ~3,200 US counties"), /not available: no counties shapes/);
  assert.match(markdown, /\| By hour \| 5 series, 3,600 points \| 850 ms \| 600 ms \| 400 ms \(600 ms\) \| 250 ms \| 200 ms \| 0\.8× \|/);
});

test("memory is flat within 10 % (and 2 MiB)", () => {
  assert.equal(flat(20, 21.9), true);
  assert.equal(flat(300, 329), true);
  assert.equal(flat(300, 340), false);
  assert.equal(flat(NaN, 3), null);
});

test("a dashboard whose 1 s refresh never lets it draw says so, and reports the paced run", () => {
  const results = {
    ...EXPLORE,
    dashboard: {
      ...EXPLORE.dashboard,
      live: { drawn: false, waitedMs: 60_000, notDrawn: ["By hour"], requests: 300, answered: 40, answer: stats(20_000), superseded: 290, rssMiB: 900 },
      openedPath: "dashboards/bench_paced.yml",
      refresh: { ...EXPLORE.dashboard.refresh, mode: "paced", pressed: 50, busy: 70 },
    },
  };
  const markdown = renderMarkdown(results, "bench/studio/run.sh --cases dashboard");
  const line = (start) => markdown.split("\n").find((text) => text.startsWith(start)) ?? "";
  assert.match(line("| dashboard, 6 panels"), /`refresh: 1s`.*never within 60\.0 s: By hour not drawn.*\| < 1 s \| no \(never drawn\) \|$/);
  assert.match(line("| … the same panels without the timer"), /\| 850 ms .*\| < 1 s \| yes \|$/);
  assert.match(line("| … each refresh, Refresh pressed every second"), /50 times; 70 seconds skipped/);
});

// The canvas case: open, a preview per step with the DuckDB-alone peer, and the edit → SQL.
test("renders the canvas case with its three targets and the engine-alone peer", () => {
  const step = (name, index, kind, rowCount, shown, peer) => ({
    step: name,
    index,
    kind,
    rowCount,
    shown: stats(shown),
    wait: stats(210),
    request: stats(shown - 250),
    engine: stats(shown - 260),
    render: stats(40),
    alone: { api: stats(shown - 255) },
    peer,
  });
  const results = {
    ...EXPLORE,
    dashboard: undefined,
    timeseries: undefined,
    pointmap: undefined,
    regionmap: undefined,
    uiDist: "/tmp/ui-dist",
    canvas: {
      rows: 10_000_000,
      steps: 30,
      open: { total: stats(60), wait: stats(4), request: stats(18), render: stats(38), bytes: 26_000 },
      preview: {
        steps: [
          step("events", 0, "input", 10_000_000, 265, { firstMs: 8, countMs: 1, rows: 100 }),
          step("final", 29, "select", 8, 1200, { firstMs: 552, countMs: 0, rows: 8 }),
        ],
      },
      edit: { step: "sized", digit: "5", filter: "quantity >= 2", total: stats(52), wait: stats(30), request: stats(9), render: stats(10) },
      peer: { version: "1.5.6", threads: 2 },
    },
  };
  const markdown = renderMarkdown(results, "bench/studio/run.sh --cases canvas");
  const line = (start) => markdown.split("\n").find((text) => text.startsWith(start)) ?? "";
  assert.match(markdown, /UI from `\/tmp\/ui-dist`/);
  assert.match(line("| canvas, a 30-step model over 10,000,000 rows"), /all 30 step cards, 20 opens .*\| 60 ms \(p95 90 ms\) \| — \| — \| < 200 ms \| yes \|$/);
  assert.match(line("| … click step 1/30 `events` (input, 10,000,000 rows)"), /\| 265 ms .*first 100 rows 8 ms, its `count\(\*\)` 1 ms more \| 0\.03× \| < 300 ms \| yes \|$/);
  assert.match(line("| … click step 30/30 `final` (select, 8 rows)"), /first 100 rows 552 ms \(all of them\) \| 0\.5× \| < 300 ms \| no \(\+900 ms, 4\.0× the target\) \|$/);
  assert.match(line("| … keystroke in step `sized`'s filter"), /\| 52 ms \(p95 78 ms\) \| — \| — \| < 100 ms \| yes \|$/);
  assert.match(line("| canvas click → `final` first rows"), /\| 210 ms \| `canvasPreview` 950 ms \(from node, no page: 945 ms\) \| 940 ms \| 40 ms \|$/);
  assert.match(line("| canvas keystroke → SQL panel"), /\| 30 ms \| `canvasUpdate` 9 ms \| — \| 10 ms \|$/);
});
