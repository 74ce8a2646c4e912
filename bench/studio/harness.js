// Plumbing for the Studio benchmarks: a real `kiln serve`, Debian's chromium through playwright-core
// (never `playwright`, which downloads its own browsers), in-page instrumentation and statistics.
// Starting `kiln serve` is shared with the browser tests (tests/support/kiln-serve.js); the browser
// set-up stays separate because the benchmarks need unthrottled timers and frames.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { chromium } from "playwright-core";
import { serveKiln } from "../../tests/support/kiln-serve.js";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "../..");
const TARGET = process.env.CARGO_TARGET_DIR ?? join(process.env.HOME ?? "/root", ".cache/kiln-target");
export const KILN = process.env.KILN ?? process.env.KILN_BIN ?? join(TARGET, "debug/kiln");
export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
export const UI_DIST = process.env.UI_DIST ?? join(REPO, "ui/dist");

/**
 * Starts `kiln serve` on `projectDir` and resolves once it has printed its URL. `spawnedAt` and
 * `urlAt` are node performance.now() times, so the caller can time start-up phases.
 */
export async function startKiln(projectDir) {
  const spawnedAt = performance.now();
  const server = await serveKiln({ kiln: KILN, projectDir, uiDist: UI_DIST, timeoutMs: 120_000 });
  const urlAt = performance.now();
  const { child, url, base, token, api, stop, stderr } = server;

  /** Resident and peak resident memory of the server process, in MiB (Linux /proc). */
  function memory() {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
      return { rssMiB: kib("VmRSS") / 1024, peakMiB: kib("VmHWM") / 1024 };
    } catch {
      return { rssMiB: NaN, peakMiB: NaN };
    }
  }

  return { url, base, token, api, memory, stop, spawnedAt, urlAt, stderr };
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // A headless page counts as hidden to some schedulers; frame rates must not be throttled.
      "--disable-renderer-backgrounding",
      "--disable-background-timer-throttling",
      "--disable-backgrounding-occluded-windows",
    ],
  });
}

/**
 * Runs in the page before the app: records every key press's event time, every /api/ call (start,
 * response headers, body read, size) and long main-thread tasks, all on the page's performance
 * clock, so a UI latency can be split into waiting, engine and rendering time.
 */
function instrument() {
  const bench = { lastKey: 0, lastKeyName: "", lastPointer: 0, api: [], longTasks: [] };
  window.__bench = bench;
  addEventListener(
    "pointerdown",
    (event) => {
      bench.lastPointer = event.timeStamp;
    },
    true,
  );
  addEventListener(
    "keydown",
    (event) => {
      bench.lastKey = event.timeStamp;
      bench.lastKeyName = event.key;
    },
    true,
  );
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof Request ? input.url : String(input);
    const match = /\/api\/([A-Za-z]+)/.exec(url);
    if (!match) return original(input, init);
    const entry = { op: match[1], start: performance.now(), headers: null, end: null, bytes: 0, status: 0 };
    bench.api.push(entry);
    const response = await original(input, init);
    entry.headers = performance.now();
    entry.status = response.status;
    const body = await response.arrayBuffer();
    entry.end = performance.now();
    entry.bytes = body.byteLength;
    if (entry.op === "runStatementAt" || entry.op === "runQuery") {
      // The engine's own per-statement time splits a query's latency into engine and transport.
      try {
        const parsed = JSON.parse(new TextDecoder().decode(body));
        entry.statements = (parsed.statements ?? []).map((statement) => ({ elapsed: statement.elapsed, totalRows: statement.totalRows, rows: statement.firstPage?.length ?? 0 }));
        entry.decoded = performance.now();
      } catch {
        entry.statements = [];
      }
    }
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  try {
    new PerformanceObserver((list) => {
      for (const task of list.getEntries()) bench.longTasks.push({ start: task.startTime, duration: task.duration });
    }).observe({ type: "longtask", buffered: true });
  } catch {
    // Long-task timing is optional detail; the benchmark works without it.
  }
}

export async function newStudioPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  return { context, page, cdp, pageErrors };
}

/** JS heap in use by the page, in MiB, from the DevTools protocol (what the task manager shows). */
export async function jsHeapMiB(cdp) {
  const { metrics } = await cdp.send("Performance.getMetrics");
  const used = metrics.find((metric) => metric.name === "JSHeapUsedSize")?.value ?? NaN;
  const total = metrics.find((metric) => metric.name === "JSHeapTotalSize")?.value ?? NaN;
  return { usedMiB: used / 2 ** 20, totalMiB: total / 2 ** 20 };
}

/** Forces a full garbage collection, so heap figures show what is retained rather than garbage. */
export async function collectGarbage(cdp) {
  await cdp.send("HeapProfiler.collectGarbage");
}

/** The /api/ calls of one operation recorded since page time `since`. */
export async function apiCallsSince(page, op, since) {
  return page.evaluate(([name, after]) => window.__bench.api.filter((call) => call.op === name && call.start >= after), [op, since]);
}

export async function pageNow(page) {
  return page.evaluate(() => performance.now());
}

export function median(values) {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile (q in 0..1) of the finite values; NaN when there are none. */
export function quantile(values, q) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

export function summary(values) {
  return { median: median(values), p95: quantile(values, 0.95), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
