// The chart, map and dashboard cases of the Studio benchmarks (issue 9, "Speed"): a six-panel
// dashboard over a 10M-row table refreshed every second, a 1M-point time series, a 100k-marker point
// map and a region map of the ~3,200 US counties. Timed like the other cases: in the page, from the
// triggering event's own timestamp to the first animation frame showing the result, with the /api/
// calls timed on the same clock. See README.md here for what each case does.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { profiled } from "./profile.js";
import { REPO, apiCallsSince, collectGarbage, frameRate, frameWait, jsHeapMiB, openStudio, sleep, startKiln, summary } from "./harness.js";

const log = (message) => process.stderr.write(`\n==> ${message}\n`);
const ms = (value) => (typeof value === "number" && Number.isFinite(value) ? Math.round(value * 10) / 10 : "—");

export const DASHBOARD = "dashboards/bench.yml";
export const COUNTIES_DASHBOARD = "dashboards/bench_counties.yml";
export const PACED_DASHBOARD = "dashboards/bench_paced.yml";
const COUNTIES_FILE = "maps/us-counties.topo.json";
const COUNTIES_SOURCE = join(REPO, "bench/studio/node_modules/us-atlas/counties-10m.json");

// ---------------------------------------------------------------------------------------------------
// The project: a small generated dbt project (the cases chart tables, not models) with the bench's
// dashboards and the counties shapes as a project file.

/**
 * The columns of one sensor reading, for `range` rows starting at `offset`: 200 sensors a few
 * hundred metres apart in one city, five categories, a daily temperature cycle plus noise.
 * `ts` must be a column of the relation the select reads (the time is built before this).
 */
function readingColumns(offset) {
  const sensor = `(1 + (range + ${offset}) % 200)`;
  return [
    "ts",
    `${sensor}::integer as sensor_id`,
    `(37.76 + ((${sensor} * 37) % 200 - 100) * 0.0003)::double as latitude`,
    `(-122.44 + ((${sensor} * 61) % 200 - 100) * 0.0004)::double as longitude`,
    `15 + 8 * sin(2 * pi() * (epoch(ts) % 86400) / 86400.0) + ${sensor} / 40.0 + random() * 3 as temperature`,
    `(['indoor', 'outdoor', 'garage', 'basement', 'roof'])[1 + ${sensor} % 5] as category`,
  ].join(",\n  ");
}

/** `rows` readings spread evenly over the 30 days up to the current hour. */
export function createReadingsSql(rows) {
  const stepMicros = Math.floor(2_592_000e6 / rows);
  return `create or replace table main.bench_readings as
select ${readingColumns(0)}
from (select range, date_trunc('hour', now()::timestamp) - interval 30 day + to_microseconds(range * ${stepMicros}) as ts from range(${rows}))`;
}

/** `rows` readings taken just now (the data streaming in while the dashboard refreshes). */
function insertReadingsSql(rows, offset) {
  return `insert into main.bench_readings
select ${readingColumns(offset)}
from (select range, now()::timestamp - to_microseconds(range * 1000) as ts from range(${rows}))`;
}

const DASHBOARD_YAML = (rows) => `# Written by bench/studio/explore.js: six panels over main.bench_readings, refreshed every second.
title: Bench readings
description: ${rows.toLocaleString("en-US")} sensor readings over 30 days, from bench/studio
refresh: 1s
panels:
  - title: Sum of temperature
    grid: { x: 0, y: 0, w: 6, h: 7 }
    query: select category, temperature from main.bench_readings
    chart: { kind: stat, y: [{ column: temperature, aggregation: sum }] }

  - title: Temperature by hour
    grid: { x: 6, y: 0, w: 11, h: 7 }
    query: select ts, category, temperature from main.bench_readings
    chart:
      kind: line
      x: ts
      bucket: hour
      series: category
      y: [{ column: temperature, aggregation: avg }]

  - title: Readings by category
    grid: { x: 17, y: 0, w: 7, h: 7 }
    query: select category, temperature from main.bench_readings
    chart: { kind: bar, x: category, y: [{ aggregation: count }] }

  - title: Daily temperature per category
    grid: { x: 0, y: 7, w: 9, h: 8 }
    query: select ts, category, temperature from main.bench_readings
    chart:
      kind: heatmap
      x: ts
      bucket: day
      series: category
      y: [{ column: temperature, aggregation: avg }]

  - title: Average temperature per sensor
    grid: { x: 9, y: 7, w: 7, h: 8 }
    query: select sensor_id, latitude, longitude, temperature from main.bench_readings
    chart:
      kind: pointMap
      latitude: latitude
      longitude: longitude
      color: { column: temperature, aggregation: avg }
      label: sensor_id

  - title: Sensors
    grid: { x: 16, y: 7, w: 8, h: 8 }
    query: |
      select sensor_id, any_value(category) as category, count(*) as readings,
        round(avg(temperature), 2) as avg_temperature, max(ts) as last_reading
      from main.bench_readings
      group by sensor_id
      order by sensor_id
    chart: { kind: table }
`;

const COUNTIES_YAML = `# Written by bench/studio/explore.js: the US counties filled from a project TopoJSON file
# (us-atlas counties-10m, each county's FIPS code copied into a "fips" property).
title: Bench counties
description: One value per US county (bench/studio)
panels:
  - title: Value by county
    grid: { x: 0, y: 0, w: 24, h: 15 }
    query: select fips, value from main.bench_counties
    chart:
      kind: regionMap
      region: fips
      regions: { kind: projectFile, path: ${COUNTIES_FILE}, property: fips }
      color: { column: value, aggregation: sum }
`;

/**
 * us-atlas's counties as a project file: only the counties object (a file's every object is
 * drawn), each county's id (its FIPS code) copied into a property to match regions on. Null when
 * us-atlas is not installed under ui/node_modules.
 */
function countiesTopology() {
  if (!existsSync(COUNTIES_SOURCE)) return null;
  const topology = JSON.parse(readFileSync(COUNTIES_SOURCE, "utf8"));
  const counties = topology.objects.counties;
  for (const geometry of counties.geometries) geometry.properties = { ...(geometry.properties ?? {}), fips: String(geometry.id) };
  const fips = [...new Set(counties.geometries.map((geometry) => String(geometry.id)))];
  return { text: JSON.stringify({ ...topology, objects: { counties } }), fips };
}

/** The project every explore case opens: generated once per run. */
export function exploreProject(work, rows) {
  const dir = join(work, "explore");
  rmSync(dir, { recursive: true, force: true });
  const result = spawnSync("python3", [join(REPO, "bench/gen_project.py"), "4", dir], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`gen_project.py failed: ${result.stderr}`);
  mkdirSync(join(dir, "dashboards"), { recursive: true });
  writeFileSync(join(dir, DASHBOARD), DASHBOARD_YAML(rows));
  // The same panels without a timer: the harness refreshes it, never while a refresh is running.
  writeFileSync(
    join(dir, PACED_DASHBOARD),
    DASHBOARD_YAML(rows)
      .replace("refreshed every second.", "refreshed by the harness (Refresh, once the last has answered).")
      .replace("title: Bench readings", "title: Bench readings (paced)")
      .replace("refresh: 1s\n", ""),
  );
  const counties = countiesTopology();
  if (counties) {
    mkdirSync(join(dir, "maps"), { recursive: true });
    writeFileSync(join(dir, COUNTIES_FILE), counties.text);
    writeFileSync(join(dir, COUNTIES_DASHBOARD), COUNTIES_YAML);
  }
  return { dir, counties: counties?.fips ?? null };
}

// ---------------------------------------------------------------------------------------------------
// In the page: whether a panel or a console chart has drawn, and when.

/**
 * Runs in the page (installed as window.__benchDrawn). What `root` (a dashboard panel or the
 * console's chart panel) shows: `painted` is the first frame with the data on screen, `finished`
 * when nothing is left to draw (ECharts' entry animation over), both page times, or null. First
 * sightings are kept in `seen` under `key`, so each is the first animation frame it was true.
 */
function drawnState(root, seen, key) {
  const now = performance.now();
  const first = (name) => {
    seen[`${key}:${name}`] ??= now;
    return seen[`${key}:${name}`];
  };
  const error = root.querySelector('[data-testid="panel-error"], [data-testid="chart-error"], [data-testid="region-map-error"]');
  if (error) return { kind: "error", error: (error.textContent ?? "").slice(0, 300), painted: null, finished: null };
  const table = root.querySelector('[data-testid="table-view"]');
  if (table) {
    const rows = Number(table.getAttribute("data-rows") ?? "0");
    const at = rows > 0 ? first("table") : null;
    return { kind: "table", painted: at, finished: at, detail: { rows } };
  }
  const points = root.querySelector('[data-testid="point-map"]');
  if (points) {
    const markers = Number(points.getAttribute("data-markers") ?? "0");
    // PointsLayer sizes its canvas only when it draws markers (ui/src/features/explore/maps/PointsLayer.ts).
    const canvas = points.querySelector("canvas.kiln-points-layer");
    const at = markers > 0 && canvas !== null && canvas.style.width !== "" ? first("points") : null;
    return { kind: "pointMap", painted: at, finished: at, detail: { markers } };
  }
  const regions = root.querySelector('[data-testid="region-map"]');
  if (regions) {
    const filled = Number(regions.getAttribute("data-filled") ?? "0");
    if (regions.getAttribute("data-loaded") !== "true" || filled === 0) return { kind: "regionMap", painted: null, finished: null, detail: { filled } };
    // The shapes are added to Leaflet's canvas in an effect after the render that sets the
    // attributes, and Leaflet paints them on its next animation frame: counted drawn two frames on.
    const frames = (seen[`${key}:regionFrames`] = (seen[`${key}:regionFrames`] ?? 0) + 1);
    const attributes = first("regionAttributes");
    const at = frames >= 3 ? first("regions") : null;
    return { kind: "regionMap", painted: at, finished: at, detail: { filled, unmatched: Number(regions.getAttribute("data-unmatched") ?? "0"), attributesAt: attributes } };
  }
  const chart = root.querySelector('[data-testid="echart"]');
  if (chart) {
    const marks = chart.__benchChart;
    const done = chart.dataset.points !== undefined && marks?.finished != null;
    return {
      kind: "echart",
      painted: marks?.painted ?? null,
      finished: done ? marks.finished : null,
      detail: { series: Number(chart.dataset.series ?? "NaN"), points: Number(chart.dataset.points ?? "NaN"), options: marks?.options ?? 0 },
    };
  }
  const stat = root.querySelector('[data-testid="stat-value"]');
  if (stat && (stat.textContent ?? "").trim() !== "") {
    const at = first("stat");
    return { kind: "stat", painted: at, finished: at, detail: { value: (stat.textContent ?? "").trim() } };
  }
  return { kind: "loading", painted: null, finished: null };
}

/** Page predicate: every panel of the open dashboard has finished drawing (or one failed). */
function dashboardDrawn(expected) {
  const bench = window.__bench;
  const panels = [...document.querySelectorAll('[data-testid="dashboard-panel"]')];
  if (panels.length !== expected) return false;
  const states = panels.map((panel) => ({ title: panel.getAttribute("data-title"), ...window.__benchDrawn(panel, bench.seen, panel.getAttribute("data-title")) }));
  const failed = states.find((state) => state.kind === "error");
  if (failed) return { error: `${failed.title}: ${failed.error}` };
  if (!states.every((state) => state.painted !== null && state.finished !== null)) return false;
  return { panels: states, pointer: bench.lastPointer, at: performance.now() };
}

/** Page predicate: the console's chart shows `kind` drawn after the `options`-th option was set. */
function consoleChartDrawn(spec) {
  const bench = window.__bench;
  const root = document.querySelector('[data-testid="chart-panel"]');
  if (!root) return false;
  const state = window.__benchDrawn(root, bench.seen, "console");
  if (state.kind === "error") return { error: state.error };
  if (state.kind !== spec.kind || state.painted === null || state.finished === null) return false;
  if (spec.kind === "echart" && state.detail.options <= spec.options) return false;
  const sampled = document.querySelector('[data-testid="chart-sampled"]')?.textContent ?? null;
  return { ...state, sampled, pointer: bench.lastPointer, change: bench.lastChange ?? null, at: performance.now() };
}

async function installDrawn(page) {
  await page.evaluate(`window.__benchDrawn = ${drawnState.toString()}`);
}

async function resetSeen(page) {
  return page.evaluate(() => {
    window.__bench.seen = {};
    return performance.now();
  });
}

// ---------------------------------------------------------------------------------------------------
// e. dashboard: open → drawn, live refresh, memory, python duckdb peer

/** Splits panelData calls into refreshes: the panels of one tick start within a few ms. */
export function refreshesOf(calls, panels) {
  const sorted = calls.filter((call) => call.end !== null).sort((a, b) => a.start - b.start);
  const groups = [];
  for (const call of sorted) {
    const group = groups[groups.length - 1];
    if (group && call.start - group[0].start < 400) group.push(call);
    else groups.push([call]);
  }
  return groups.map((group) => ({
    calls: group.length,
    complete: group.length === panels,
    wallMs: Math.max(...group.map((call) => call.end)) - Math.min(...group.map((call) => call.start)),
    slowestMs: Math.max(...group.map((call) => call.end - call.start)),
    failed: group.filter((call) => call.status !== 200).length,
  }));
}

/** Answers that arrived after the same panel had already asked again: the panel never drew them. */
function superseded(calls) {
  const byPanel = new Map();
  for (const call of calls) {
    if (!byPanel.has(call.panel)) byPanel.set(call.panel, []);
    byPanel.get(call.panel).push(call);
  }
  let count = 0;
  for (const list of byPanel.values()) {
    list.sort((a, b) => a.start - b.start);
    for (let index = 0; index + 1 < list.length; index += 1) if (list[index].end === null || list[index].end > list[index + 1].start) count += 1;
  }
  return count;
}

async function drainApi(page) {
  return page.evaluate(() => {
    const bench = window.__bench;
    const done = bench.api.filter((call) => call.end !== null);
    bench.api = bench.api.filter((call) => call.end === null);
    bench.longTasks = [];
    return done.map(({ op, start, end, status, panel, bytes }) => ({ op, start, end, status, panel, bytes }));
  });
}

/**
 * Opens dashboard `path` from the side bar and waits until its `count` panels are drawn. Resolves
 * with the timings, or, when they have not all drawn after `timeoutMs`, with which have not and
 * how their requests went (`drawn: false`).
 */
async function openDashboard(page, path, count, timeoutMs, shotDir, shotName) {
  await page.getByRole("button", { name: "Dashboards", exact: true }).click();
  const item = page.locator(`[data-testid="dashboard-item"][data-path="${path}"]`);
  await item.waitFor({ timeout: 30_000 });
  const since = await resetSeen(page);
  await item.click();
  let drawn;
  try {
    drawn = await frameWait(page, dashboardDrawn, count, timeoutMs);
  } catch {
    await page.screenshot({ path: join(shotDir, `${shotName}-not-drawn.png`) });
    const states = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="dashboard-panel"]')].map((panel) => ({ title: panel.getAttribute("data-title"), ...window.__benchDrawn(panel, window.__bench.seen, panel.getAttribute("data-title")) })),
    );
    const pointer = await page.evaluate(() => window.__bench.lastPointer);
    const calls = await apiCallsSince(page, "panelData", since);
    const done = calls.filter((call) => call.end !== null);
    return {
      drawn: false,
      waitedMs: timeoutMs,
      notDrawn: states.filter((state) => state.painted === null || state.finished === null).map((state) => state.title),
      panels: states.map((state) => ({ title: state.title, kind: state.kind, paintedMs: state.painted === null ? null : state.painted - pointer })),
      requests: calls.length,
      answered: done.length,
      answer: summary(done.map((call) => call.end - call.start)),
      superseded: superseded(calls),
    };
  }
  if (drawn.error) throw new Error(`a panel failed: ${drawn.error}`);
  const pointer = drawn.pointer;
  const open = (await apiCallsSince(page, "openDashboard", since))[0];
  const calls = (await apiCallsSince(page, "panelData", since)).filter((call) => call.end !== null);
  const panels = drawn.panels.map((panel, index) => {
    // The answer drawn is the last one to arrive before the panel was on screen.
    const call = calls.filter((entry) => entry.panel === index && entry.end <= panel.painted).pop();
    return {
      title: panel.title,
      kind: panel.kind,
      detail: panel.detail,
      paintedMs: panel.painted - pointer,
      finishedMs: panel.finished - pointer,
      requestMs: call ? call.end - call.start : NaN,
      requestStartMs: call ? call.start - pointer : NaN,
      bytes: call?.bytes ?? NaN,
    };
  });
  return {
    drawn: true,
    openMs: Math.max(...panels.map((panel) => panel.paintedMs)),
    finishedMs: Math.max(...panels.map((panel) => panel.finishedMs)),
    openDashboardMs: open ? open.end - open.start : NaN,
    openDashboardWaitMs: open ? open.start - pointer : NaN,
    requests: (await apiCallsSince(page, "panelData", since)).length,
    panels,
  };
}

/** Page: presses the dashboard's Refresh button unless a panel is still waiting for its answer. */
function refreshIfIdle() {
  if (window.__bench.api.some((call) => call.op === "panelData" && call.end === null)) return false;
  const button = [...document.querySelectorAll('[data-testid="dashboard"] button')].find((node) => (node.textContent ?? "").trim() === "Refresh");
  button?.click();
  return button !== undefined;
}

/**
 * Keeps the open dashboard refreshing for `options.dashboardMinutes`, inserting rows each second
 * so that every panel has new data to draw: `paced` presses Refresh every second once the last
 * refresh has answered; otherwise the dashboard's own timer refreshes it. Memory is taken after a
 * forced GC once a warm-up of refreshing (15 s) has filled what fills once (DuckDB's buffers, the
 * charts' first allocations), and again at the end; sampled every 10 s in between. A runaway
 * server (RSS over 4 GiB, or more than 60 requests waiting) ends it early.
 */
async function soak(page, cdp, kiln, options, paced) {
  const inserts = [];
  const insert = { pending: null, skipped: 0, offset: 0 };
  const clicks = { pressed: 0, busy: 0 };
  const second = async () => {
    if (paced) {
      if (await page.evaluate(refreshIfIdle)) clicks.pressed += 1;
      else clicks.busy += 1;
    }
    if (options.dashboardInserts <= 0) return;
    if (insert.pending) {
      insert.skipped += 1;
      return;
    }
    const sql = insertReadingsSql(options.dashboardInserts, insert.offset);
    insert.offset += options.dashboardInserts;
    const began = performance.now();
    insert.pending = kiln
      .api("runQuery", { sql })
      .then(() => inserts.push(performance.now() - began))
      .catch((error) => {
        inserts.push(NaN);
        log(`insert failed: ${error.message}`);
      })
      .finally(() => {
        insert.pending = null;
      });
  };

  await collectGarbage(cdp);
  const beforeWarmUp = { heapMiB: (await jsHeapMiB(cdp)).usedMiB, rssMiB: kiln.memory().rssMiB };
  const warmUpMs = options.smoke ? 2_000 : 15_000;
  const warmStart = performance.now();
  while (performance.now() - warmStart < warmUpMs) {
    const tick = performance.now();
    await second();
    await sleep(Math.max(0, 1000 - (performance.now() - tick)));
  }
  if (insert.pending) await insert.pending;
  if (paced) await frameWait(page, () => !window.__bench.api.some((call) => call.op === "panelData" && call.end === null), null, 120_000).catch(() => null);
  await drainApi(page);
  inserts.length = 0;
  Object.assign(clicks, { pressed: 0, busy: 0 });
  insert.skipped = 0;

  await collectGarbage(cdp);
  const heapStart = await jsHeapMiB(cdp);
  const rssStart = kiln.memory();
  const soakMs = options.dashboardMinutes * 60_000;
  const startedAt = performance.now();
  const calls = [];
  const samples = [{ atS: 0, rssMiB: rssStart.rssMiB, heapMiB: heapStart.usedMiB }];
  let nextSample = 10_000;
  let stoppedEarly = null;
  while (performance.now() - startedAt < soakMs) {
    const tick = performance.now();
    await second();
    const elapsed = performance.now() - startedAt;
    if (elapsed >= nextSample) {
      nextSample += 10_000;
      calls.push(...(await drainApi(page)));
      const rssMiB = kiln.memory().rssMiB;
      samples.push({ atS: elapsed / 1000, rssMiB, heapMiB: (await jsHeapMiB(cdp)).usedMiB });
      const waiting = await page.evaluate(() => window.__bench.api.filter((call) => call.op === "panelData" && call.end === null).length);
      if (rssMiB > 4096 || waiting > 60) {
        stoppedEarly = `after ${Math.round(elapsed / 1000)} s: kiln serve RSS ${Math.round(rssMiB)} MiB, ${waiting} panelData requests waiting`;
        break;
      }
    }
    await sleep(Math.max(0, 1000 - (performance.now() - tick)));
  }
  if (insert.pending) await insert.pending;
  await sleep(1500);
  if (paced) await frameWait(page, () => !window.__bench.api.some((call) => call.op === "panelData" && call.end === null), null, 120_000).catch(() => null);
  calls.push(...(await drainApi(page)));
  await collectGarbage(cdp);
  const heapEnd = await jsHeapMiB(cdp);
  const rssEnd = kiln.memory();
  samples.push({ atS: (performance.now() - startedAt) / 1000, rssMiB: rssEnd.rssMiB, heapMiB: heapEnd.usedMiB });
  const panelCalls = calls.filter((call) => call.op === "panelData");
  const refreshes = refreshesOf(panelCalls, 6);
  const complete = refreshes.filter((refresh) => refresh.complete);
  return {
    refresh: {
      mode: paced ? "paced" : "timer",
      minutes: options.dashboardMinutes,
      warmUpS: warmUpMs / 1000,
      ranS: (performance.now() - startedAt) / 1000,
      stoppedEarly,
      pressed: clicks.pressed,
      busy: clicks.busy,
      insertsPerSecond: options.dashboardInserts,
      inserts: summary(inserts.filter(Number.isFinite)),
      skippedInserts: insert.skipped,
      refreshes: refreshes.length,
      completeRefreshes: complete.length,
      wall: summary(complete.map((refresh) => refresh.wallMs)),
      slowest: summary(complete.map((refresh) => refresh.slowestMs)),
      request: summary(panelCalls.map((call) => call.end - call.start)),
      perPanel: [0, 1, 2, 3, 4, 5].map((index) => summary(panelCalls.filter((call) => call.panel === index).map((call) => call.end - call.start))),
      failedCalls: panelCalls.filter((call) => call.status !== 200).length,
      superseded: superseded(panelCalls),
      calls: panelCalls.length,
    },
    memory: {
      beforeWarmUp,
      heapStartMiB: heapStart.usedMiB,
      heapEndMiB: heapEnd.usedMiB,
      rssStartMiB: rssStart.rssMiB,
      rssEndMiB: rssEnd.rssMiB,
      peakMiB: rssEnd.peakMiB,
      samples,
    },
  };
}

/**
 * The six-panel dashboard over main.bench_readings. First as its file says, refreshing every
 * second: open → every panel drawn. If its panels have not all drawn after a minute (each tick
 * asks again while the last answers are still being computed, and drops them), the server is
 * restarted and the same panels without a timer (`bench_paced.yml`) are opened and refreshed by
 * pressing Refresh every second once the last refresh has answered, which is what the engine
 * time per refresh and the memory over minutes of refreshing are measured on.
 */
export async function caseDashboard(browser, project, options, shotDir) {
  let kiln = await startKiln(project.dir);
  let studio = null;
  try {
    log(`creating main.bench_readings, ${options.dashboardRows.toLocaleString("en-US")} rows`);
    const createStarted = performance.now();
    await kiln.api("runQuery", { sql: createReadingsSql(options.dashboardRows) });
    // Checkpointed, so that a copy of the file alone is the whole table for the peer.
    await kiln.api("runQuery", { sql: "checkpoint" });
    const createMs = performance.now() - createStarted;
    const threads = (await kiln.api("runQuery", { sql: "select current_setting('threads') as threads" })).statements?.[0]?.firstPage?.[0]?.[0] ?? null;

    studio = await openStudio(browser, kiln);
    await installDrawn(studio.page);
    const liveWaitMs = options.smoke ? 30_000 : 60_000;
    const live = await openDashboard(studio.page, DASHBOARD, 6, liveWaitMs, shotDir, "dashboard-refresh-1s");
    let opened = live;
    let soaked;
    if (live.drawn) {
      log(`dashboard (refresh: 1s) drawn in ${ms(live.openMs)} ms; refreshing every second for ${options.dashboardMinutes} min`);
      await sleep(300);
      await studio.page.screenshot({ path: join(shotDir, "dashboard-opened.png") });
      soaked = await soak(studio.page, studio.cdp, kiln, options, false);
    } else {
      live.rssMiB = kiln.memory().rssMiB;
      log(
        `dashboard (refresh: 1s) not drawn after ${liveWaitMs / 1000} s (${live.notDrawn.join(", ")}): ${live.requests} requests, ${live.answered} answered, ` +
          `median ${ms(live.answer.median)} ms, ${live.superseded} answers dropped; kiln serve RSS ${ms(live.rssMiB)} MiB. Restarting it for the paced dashboard`,
      );
      await studio.context.close();
      studio = null;
      await kiln.stop();
      kiln = await startKiln(project.dir);
      studio = await openStudio(browser, kiln);
      await installDrawn(studio.page);
      opened = await openDashboard(studio.page, PACED_DASHBOARD, 6, 180_000, shotDir, "dashboard-paced");
      if (!opened.drawn) throw new Error(`the paced dashboard did not draw in 180 s either (${opened.notDrawn.join(", ")})`);
      log(`dashboard without the timer drawn in ${ms(opened.openMs)} ms; refreshing it every second once answered, for ${options.dashboardMinutes} min`);
      await sleep(300);
      await studio.page.screenshot({ path: join(shotDir, "dashboard-opened.png") });
      soaked = await soak(studio.page, studio.cdp, kiln, options, true);
    }
    await studio.page.screenshot({ path: join(shotDir, "dashboard-after-refresh.png") });
    const panelErrors = await studio.page.locator('[data-testid="panel-error"]').count();
    const age = await studio.page.locator('[data-testid="dashboard-age"]').innerText();

    // What the engine ran for each panel (the answer's `sql`), for the peer.
    const queries = [];
    for (let index = 0; index < opened.panels.length; index += 1) {
      const answer = await kiln.api("panelData", { path: PACED_DASHBOARD, panel: index });
      // A table panel answers with its query; the engine reads its first 1,000 rows.
      const sql = answer.spec.kind === "table" ? `SELECT * FROM (${answer.sql.trim().replace(/;$/, "")}) AS panel LIMIT 1000` : answer.sql;
      queries.push({ title: opened.panels[index].title, kind: answer.spec.kind, sql, rows: answer.rows.length });
    }
    // Each panel alone, one request at a time from node (after the one above): what the peer's
    // one-query-at-a-time medians compare with (HTTP and JSON included).
    const alone = [];
    for (let index = 0; index < queries.length; index += 1) {
      const times = [];
      for (let run = 0; run < (options.smoke ? 2 : 5); run += 1) {
        const began = performance.now();
        await kiln.api("panelData", { path: PACED_DASHBOARD, panel: index });
        times.push(performance.now() - began);
      }
      alone.push(summary(times));
    }
    const rowsAtEnd = (await kiln.api("runQuery", { sql: "select count(*) from main.bench_readings" })).statements?.[0]?.firstPage?.[0]?.[0] ?? null;
    const pageErrors = studio.pageErrors;
    await studio.context.close();
    studio = null;
    await kiln.stop();

    const peer = options.duckdb ? dashboardPeer(project.dir, queries, options) : { skipped: "--no-duckdb" };
    return {
      rows: options.dashboardRows,
      rowsAtEnd: Number(rowsAtEnd),
      createMs,
      threads,
      live: live.drawn ? { drawn: true, openMs: live.openMs } : { ...live, panels: live.panels },
      openedPath: live.drawn ? DASHBOARD : PACED_DASHBOARD,
      openMs: opened.openMs,
      finishedMs: opened.finishedMs,
      openDashboardMs: opened.openDashboardMs,
      openDashboardWaitMs: opened.openDashboardWaitMs,
      panels: opened.panels,
      refresh: { ...soaked.refresh, panelErrors, age },
      memory: soaked.memory,
      alone,
      queries,
      peer,
      pageErrors,
    };
  } finally {
    if (studio) await studio.context.close();
    await kiln.stop();
  }
}

/** A python with the duckdb package: the dbt venv's (same DuckDB as Kiln), else the system's. */
export function duckdbPython(dbtVenv) {
  const candidates = [join(dbtVenv, "bin/python"), "python3"];
  for (const python of candidates) {
    if (python.includes("/") && !existsSync(python)) continue;
    const probe = spawnSync(python, ["-c", "import duckdb; print(duckdb.__version__)"], { encoding: "utf8" });
    if (probe.status === 0) return { python, version: probe.stdout.trim() };
  }
  return null;
}

const PEER_SCRIPT = `
import json, statistics, sys, threading, time
import duckdb
database, spec, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
queries = json.load(open(spec))
con = duckdb.connect(database)
out = {"version": duckdb.__version__, "threads": con.execute("select current_setting('threads')").fetchone()[0], "panels": []}
for query in queries:
    con.execute(query["sql"]).fetchall()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = con.execute(query["sql"]).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    out["panels"].append({"title": query["title"], "medianMs": statistics.median(times), "minMs": min(times), "rows": len(rows)})
# All panels at once, one cursor each, as a dashboard refresh asks for them.
walls = []
for _ in range(runs):
    cursors = [con.cursor() for _ in queries]
    threads = [threading.Thread(target=lambda c=c, q=q: c.execute(q["sql"]).fetchall()) for c, q in zip(cursors, queries)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    walls.append((time.perf_counter() - started) * 1000)
out["parallelMs"] = statistics.median(walls)
out["sequentialMs"] = sum(panel["medianMs"] for panel in out["panels"])
print(json.dumps(out))
`;

/** python duckdb runs the SQL each panel's answer says the engine ran, on a copy of the file. */
function dashboardPeer(projectDir, queries, options) {
  const found = duckdbPython(options.dbtVenv);
  if (!found) return { skipped: "no python with the duckdb package (dbt venv or system python3)" };
  const dir = join(options.work, "explore-peer");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(projectDir, "bench.duckdb"), join(dir, "bench.duckdb"));
  if (existsSync(join(projectDir, "bench.duckdb.wal"))) copyFileSync(join(projectDir, "bench.duckdb.wal"), join(dir, "bench.duckdb.wal"));
  writeFileSync(join(dir, "queries.json"), JSON.stringify(queries));
  log(`python duckdb peer (${found.python}, duckdb ${found.version}): the six panel queries`);
  const result = spawnSync(found.python, ["-c", PEER_SCRIPT, join(dir, "bench.duckdb"), join(dir, "queries.json"), String(options.smoke ? 2 : 5)], {
    encoding: "utf8",
    maxBuffer: 16 * 2 ** 20,
  });
  rmSync(dir, { recursive: true, force: true });
  if (result.status !== 0) return { skipped: `python duckdb failed: ${result.stderr.slice(-500)}` };
  return { python: found.python, ...JSON.parse(result.stdout.trim().split("\n").pop()) };
}

// ---------------------------------------------------------------------------------------------------
// f–g. console charts: a 1M-point time series and a 100k-marker point map

/** Runs `sql` in the console with Ctrl+Enter and waits until the grid counts `rows` rows. */
async function consoleResult(page, sql, rows) {
  await page.getByRole("tab", { name: "Query" }).click();
  const editor = page.locator('[data-testid="console-editor"] .cm-content');
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press("Control+a");
  await page.keyboard.type(sql);
  await page.keyboard.press("Escape");
  await editor.click();
  await page.keyboard.press("Control+Enter");
  await page.locator('[data-testid="grid-count"]').getByText(`${rows.toLocaleString("en-US")} rows`).waitFor({ timeout: 600_000 });
}

/** The /api/ call of `op` made since `since`, split against the event at `event` and the frame at `frame`. */
async function split(page, op, since, event, frame) {
  const call = (await apiCallsSince(page, op, since)).find((entry) => entry.end !== null);
  return {
    waitMs: call ? call.start - event : NaN,
    requestMs: call ? call.end - call.start : NaN,
    renderMs: call ? frame - call.end : NaN,
    bytes: call?.bytes ?? NaN,
  };
}

export const seriesSql = (rows) =>
  `select timestamp '2026-01-01' + to_microseconds(range * 1000000) as ts, sin(range / 20000.0) * 50 + random() * 10 as value from range(${rows})`;

export async function caseTimeSeries(browser, project, options, shotDir) {
  const rows = options.seriesRows;
  const kiln = await startKiln(project.dir);
  const studio = await openStudio(browser, kiln);
  const { page } = studio;
  try {
    await installDrawn(page);
    const sql = seriesSql(rows);
    await consoleResult(page, sql, rows);

    // 1. Grid → Chart: the engine suggests a chart (a time column and a number: a line of the
    // sum per automatic bucket) and draws it.
    let since = await resetSeen(page);
    await page.locator('[data-testid="view-chart"]').click();
    const suggested = await frameWait(page, consoleChartDrawn, { kind: "echart", options: 0 }, 300_000);
    if (suggested.error) throw new Error(`the suggested chart failed: ${suggested.error}`);
    const suggestedSplit = await split(page, "chartData", since, suggested.pointer, suggested.painted);
    // The panel asks again once it has the suggested spec (its settings now hold it): let every
    // request finish and the chart settle before the next step, and count the requests.
    await frameWait(page, () => window.__bench.api.every((call) => call.op !== "chartData" || call.end !== null), null, 300_000);
    await sleep(800);
    const settledOptions = await page.locator('[data-testid="chart-panel"] [data-testid="echart"]').evaluate((node) => node.__benchChart?.options ?? 0);
    const suggestedRequests = (await apiCallsSince(page, "chartData", since)).length;
    const spec = {
      kind: await page.locator('[data-testid="chart-kind"]').inputValue(),
      bucket: (await page.locator('[data-testid="chart-bucket"]').count()) ? await page.locator('[data-testid="chart-bucket"]').inputValue() : null,
    };
    await sleep(300);
    await page.screenshot({ path: join(shotDir, `timeseries-${rows}-suggested.png`) });

    // 2. Every row as a point ("Each row"): the engine reads the raw series and down-samples it
    // with LTTB before it is sent; timed from the select's change event.
    since = await resetSeen(page);
    await page.locator('[data-testid="chart-y-0"] select[aria-label="Aggregation"]').selectOption("none");
    const raw = await frameWait(page, consoleChartDrawn, { kind: "echart", options: settledOptions }, 300_000);
    if (raw.error) throw new Error(`the raw series failed: ${raw.error}`);
    const rawSplit = await split(page, "chartData", since, raw.change, raw.painted);
    await sleep(300);
    await page.screenshot({ path: join(shotDir, `timeseries-${rows}-raw.png`) });

    // 3. Wheel zoom in and out, then drag panning (zoomed in: at full extent a dataZoom does not pan).
    const chart = '[data-testid="chart-panel"] [data-testid="echart"]';
    const zoomWindow = () =>
      page.locator(chart).evaluate((node) => {
        const zoom = node.kilnChart?.getOption()?.dataZoom?.[0];
        return zoom ? { start: zoom.start, end: zoom.end } : null;
      });
    const fps = await frameRate(page, options, { selector: chart, zoomInBeforePan: 6, probe: zoomWindow });
    const window_ = await zoomWindow();
    await page.screenshot({ path: join(shotDir, `timeseries-${rows}-after-pan-zoom.png`) });
    return {
      rows,
      sql,
      suggested: {
        spec,
        paintedMs: suggested.painted - suggested.pointer,
        finishedMs: suggested.finished - suggested.pointer,
        points: suggested.detail.points,
        series: suggested.detail.series,
        requests: suggestedRequests,
        optionsSet: settledOptions,
        ...suggestedSplit,
      },
      raw: {
        paintedMs: raw.painted - raw.change,
        finishedMs: raw.finished - raw.change,
        points: raw.detail.points,
        sampled: raw.sampled,
        ...rawSplit,
      },
      fps,
      zoomWindowBeforePan: fps.probed,
      zoomWindowAtEnd: window_,
      serverMemory: kiln.memory(),
      pageErrors: studio.pageErrors,
    };
  } finally {
    await studio.context.close();
    await kiln.stop();
  }
}

export const markersSql = (rows) => `select 25 + random() * 24 as latitude, -124 + random() * 57 as longitude, random() * 100 as reading from range(${rows})`;

/** The length the scale bar shows: it changes with the zoom, so it says whether a zoom happened. */
const scaleText = (page) => page.locator('[data-testid="chart-panel"] .leaflet-control-scale-line, [data-testid="region-map"] .leaflet-control-scale-line').first().innerText().catch(() => "");

export async function casePointMap(browser, project, options, shotDir) {
  const rows = options.markers;
  const kiln = await startKiln(project.dir);
  const studio = await openStudio(browser, kiln);
  const { page } = studio;
  try {
    await installDrawn(page);
    const sql = markersSql(rows);
    await consoleResult(page, sql, rows);
    const since = await resetSeen(page);
    const { value: drawn, profile } = await profiled(studio.cdp, options.profile, join(shotDir, `pointmap-${rows}.cpuprofile`), async () => {
      await page.locator('[data-testid="view-chart"]').click();
      return frameWait(page, consoleChartDrawn, { kind: "pointMap", options: 0 }, 300_000);
    });
    if (drawn.error) throw new Error(`the point map failed: ${drawn.error}`);
    const parts = await split(page, "chartData", since, drawn.pointer, drawn.painted);
    const notes = await page.locator('[data-testid="chart-panel"] .chart-note').allInnerTexts();
    await sleep(500);
    await page.screenshot({ path: join(shotDir, `pointmap-${rows}.png`) });
    const scaleBefore = await scaleText(page);
    const fps = await frameRate(page, options, { selector: '[data-testid="point-map"]', zoomInBeforePan: 2, settleMs: 1500, probe: () => scaleText(page) });
    const scaleAfter = fps.probed;
    await page.screenshot({ path: join(shotDir, `pointmap-${rows}-after-pan-zoom.png`) });
    return {
      rows,
      sql,
      markers: drawn.detail.markers,
      drawnMs: drawn.painted - drawn.pointer,
      ...parts,
      notes,
      fps,
      scale: { before: scaleBefore, after: scaleAfter },
      profile,
      serverMemory: kiln.memory(),
      pageErrors: studio.pageErrors,
    };
  } finally {
    await studio.context.close();
    await kiln.stop();
  }
}

// ---------------------------------------------------------------------------------------------------
// h. region map of the US counties (a project file: the app has no built-in counties set)

/**
 * A page point over a county of the contiguous US, found by hovering: cells of the map's canvas
 * with filled (saturated) pixels are tried, most filled first, until the county tooltip names a
 * FIPS code outside Alaska, Hawaii and Puerto Rico. us-atlas's counties reach +172° (the Aleutians),
 * so a map of them opens on the whole world, where zooming at the panel's centre would leave every
 * county out of view.
 */
async function contiguousCountyPoint(page, selector) {
  const candidates = await page.locator(selector).evaluate((root) => {
    const box = root.getBoundingClientRect();
    const cells = [];
    for (const canvas of root.querySelectorAll(".leaflet-overlay-pane canvas")) {
      const rect = canvas.getBoundingClientRect();
      const scale = canvas.width / rect.width;
      const { data, width, height } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      const cell = Math.max(4, Math.round(24 * scale));
      for (let top = 0; top + cell <= height; top += cell) {
        for (let left = 0; left + cell <= width; left += cell) {
          const x = rect.left + (left + cell / 2) / scale;
          const y = rect.top + (top + cell / 2) / scale;
          if (x < box.left + 80 || x > box.right - 80 || y < box.top + 80 || y > box.bottom - 80) continue;
          let filled = 0;
          for (let row = top; row < top + cell; row += 2) {
            for (let column = left; column < left + cell; column += 2) {
              const at = (row * width + column) * 4;
              // Fills are saturated (viridis); land, water and borders are greys.
              if (data[at + 3] > 200 && Math.max(data[at], data[at + 1], data[at + 2]) - Math.min(data[at], data[at + 1], data[at + 2]) > 40) filled += 1;
            }
          }
          if (filled > 0) cells.push({ x, y, filled });
        }
      }
    }
    return cells.sort((a, b) => b.filled - a.filled).slice(0, 150);
  });
  const tip = page.locator(`${selector} .kiln-map-tip`);
  for (const point of candidates) {
    await page.mouse.move(point.x - 3, point.y);
    await page.mouse.move(point.x, point.y);
    await sleep(60);
    const text = (await tip.count()) ? await tip.first().innerText().catch(() => "") : "";
    const fips = /\b(\d{5})\b/.exec(text)?.[1];
    if (fips && !["02", "15", "72"].includes(fips.slice(0, 2))) return { x: point.x, y: point.y, fips, tried: candidates.indexOf(point) + 1 };
  }
  return null;
}

export async function caseRegionMap(browser, project, options, shotDir) {
  if (!project.counties) return { skipped: `no counties shapes: ${COUNTIES_SOURCE} is missing (run npm ci in bench/studio/)` };
  const kiln = await startKiln(project.dir);
  let studio = null;
  try {
    const values = project.counties.map((fips, index) => `('${fips}', ${((index * 7919) % 1000) / 10})`).join(", ");
    await kiln.api("runQuery", { sql: `create or replace table main.bench_counties as select * from (values ${values}) t(fips, value)` });
    studio = await openStudio(browser, kiln);
    const { page } = studio;
    await installDrawn(page);
    await page.getByRole("button", { name: "Dashboards", exact: true }).click();
    const item = page.locator(`[data-testid="dashboard-item"][data-path="${COUNTIES_DASHBOARD}"]`);
    await item.waitFor({ timeout: 30_000 });
    const since = await resetSeen(page);
    const { value: drawn, profile } = await profiled(studio.cdp, options.profile, join(shotDir, "regionmap-counties.cpuprofile"), async () => {
      await item.click();
      return frameWait(page, dashboardDrawn, 1, 120_000);
    });
    if (drawn.error) throw new Error(`the region map failed: ${drawn.error}`);
    const panel = drawn.panels[0];
    const data = (await apiCallsSince(page, "panelData", since)).find((call) => call.end !== null);
    const file = (await apiCallsSince(page, "readFile", since)).find((call) => call.end !== null);
    await sleep(500);
    await page.screenshot({ path: join(shotDir, "regionmap-counties.png") });
    const scaleBefore = await scaleText(page);
    // Pointed at a county of the contiguous US: the map opens on the whole world (see contiguousCountyPoint).
    const at = await contiguousCountyPoint(page, '[data-testid="region-map"]');
    const fps = await frameRate(page, options, { selector: '[data-testid="region-map"]', at, zoomInBeforePan: 2, settleMs: 1500, probe: () => scaleText(page) });
    const scaleAfter = fps.probed;
    await page.screenshot({ path: join(shotDir, "regionmap-counties-after-pan-zoom.png") });
    return {
      shapes: project.counties.length,
      filled: panel.detail.filled,
      unmatched: panel.detail.unmatched,
      drawnMs: panel.painted - drawn.pointer,
      attributesMs: panel.detail.attributesAt - drawn.pointer,
      panelDataMs: data ? data.end - data.start : NaN,
      readFileMs: file ? file.end - file.start : NaN,
      lastAnswerMs: Math.max(data?.end ?? NaN, file?.end ?? NaN) - drawn.pointer,
      fileBytes: file?.bytes ?? NaN,
      fps,
      pointer: at,
      scale: { before: scaleBefore, after: scaleAfter },
      profile,
      serverMemory: kiln.memory(),
      pageErrors: studio.pageErrors,
    };
  } finally {
    if (studio) await studio.context.close();
    await kiln.stop();
  }
}

export { ms };
