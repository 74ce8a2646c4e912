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
  // A chart setting picked from a <select> or typed into an input (blur commits it).
  for (const type of ["change", "focusout"]) {
    addEventListener(
      type,
      (event) => {
        bench.lastChange = event.timeStamp;
      },
      true,
    );
  }
  // ui/src/features/explore/EChart.tsx hands each ECharts instance to its element as `kilnChart`
  // right after creating it, before any option is set. Catching that assignment lets the page
  // record, per chart, when the latest option was set, the first frame painted with it
  // ("rendered") and the end of its entry animation ("finished"), on the page's clock.
  Object.defineProperty(HTMLElement.prototype, "kilnChart", {
    configurable: true,
    set(instance) {
      Object.defineProperty(this, "kilnChart", { value: instance, writable: true, configurable: true });
      const marks = { optionAt: null, painted: null, finished: null, options: 0 };
      this.__benchChart = marks;
      const setOption = instance.setOption.bind(instance);
      instance.setOption = (...args) => {
        marks.optionAt = performance.now();
        marks.painted = null;
        marks.finished = null;
        marks.options += 1;
        return setOption(...args);
      };
      instance.on("rendered", () => {
        if (marks.optionAt !== null && marks.painted === null) marks.painted = performance.now();
      });
      instance.on("finished", () => {
        if (marks.optionAt !== null && marks.finished === null) marks.finished = performance.now();
      });
    },
  });
  const original = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input instanceof Request ? input.url : String(input);
    const match = /\/api\/([A-Za-z]+)/.exec(url);
    if (!match) return original(input, init);
    const entry = { op: match[1], start: performance.now(), headers: null, end: null, bytes: 0, status: 0 };
    if (entry.op === "panelData" && typeof init?.body === "string") {
      // Which panel asked (the request is small; answers are not parsed here, the app does that).
      try {
        entry.panel = JSON.parse(init.body).panel;
      } catch {
        entry.panel = null;
      }
    }
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
    if (entry.op === "canvasPreview" && response.ok) {
      // The engine's own time for the step's queries (its first rows and its count).
      try {
        const parsed = JSON.parse(new TextDecoder().decode(body));
        entry.elapsedMs = parsed.elapsedMs;
        entry.rowCount = parsed.rowCount;
      } catch {
        entry.elapsedMs = null;
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

/** A fresh browser context on the studio at `kiln.url`, once the explorer lists files. */
export async function openStudio(browser, kiln) {
  const studio = await newStudioPage(browser);
  await studio.page.goto(kiln.url, { waitUntil: "commit" });
  await studio.page.locator('[data-testid="tree-file"]').first().waitFor({ timeout: 120_000 });
  return studio;
}

/** Waits (polling every animation frame) until `predicate(arg)` is truthy and returns its value. */
export async function frameWait(page, predicate, arg, timeout = 60_000) {
  const handle = await page.waitForFunction(predicate, arg, { polling: "raf", timeout });
  const value = await handle.jsonValue();
  await handle.dispose();
  return value;
}

/**
 * Counts animation frames while node drives the element at `selector`: `options.phaseMs` of wheel
 * zoom (in for half, back out for half), then of drag panning in a circle, after up to 1 s idle.
 * `zoomInBeforePan` wheel steps (untimed) come before the pan, for views that only pan when zoomed
 * in (an ECharts dataZoom at full extent does not move); `probe()` runs `settleMs` after them and its answer
 * is returned as `probed` (e.g. the zoom reached). The pointer works at the element's centre, or at
 * `at` (page coordinates).
 */
export async function frameRate(page, options, { selector, zoomInBeforePan = 0, settleMs = 400, at = null, probe = null }) {
  await page.evaluate(() => {
    const frames = [];
    window.__frames = frames;
    window.__framesRun = true;
    const tick = (time) => {
      frames.push(time);
      if (window.__framesRun) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const pane = await page.locator(selector).first().boundingBox();
  if (!pane) throw new Error(`no ${selector} to interact with`);
  const cx = at?.x ?? pane.x + pane.width / 2;
  const cy = at?.y ?? pane.y + pane.height / 2;
  // The drag stays inside the element (the lineage pane is big enough for the full 250 × 150).
  const rx = Math.min(250, pane.width * 0.35, cx - pane.x - 4, pane.x + pane.width - cx - 4);
  const ry = Math.min(150, pane.height * 0.35, cy - pane.y - 4, pane.y + pane.height - cy - 4);
  await page.mouse.move(cx, cy);

  const idleStart = await pageNow(page);
  await sleep(Math.min(1000, options.phaseMs));
  const zoomStart = await pageNow(page);
  // Starts from the whole view: zoom in for half the phase, then back out.
  let deadline = performance.now() + options.phaseMs;
  const turn = performance.now() + options.phaseMs / 2;
  while (performance.now() < deadline) {
    await page.mouse.wheel(0, performance.now() < turn ? -100 : 100);
    await sleep(16);
  }
  const zoomEnd = await pageNow(page);
  if (zoomInBeforePan > 0) {
    for (let step = 0; step < zoomInBeforePan; step += 1) {
      await page.mouse.wheel(0, -100);
      await sleep(60);
    }
    await sleep(settleMs);
  }
  const probed = probe ? await probe() : null;
  const panStart = await pageNow(page);
  await page.mouse.down();
  deadline = performance.now() + options.phaseMs;
  let angle = 0;
  while (performance.now() < deadline) {
    angle += 0.15;
    await page.mouse.move(cx + Math.cos(angle) * rx, cy + Math.sin(angle) * ry, { steps: 1 });
    await sleep(8);
  }
  await page.mouse.up();
  const end = await pageNow(page);
  const frames = await page.evaluate(() => {
    window.__framesRun = false;
    return window.__frames;
  });
  const rate = (from, to) => {
    const inside = frames.filter((time) => time >= from && time < to);
    const gaps = inside.slice(1).map((time, index) => time - inside[index]);
    return {
      fps: inside.length > 1 ? ((inside.length - 1) * 1000) / (inside[inside.length - 1] - inside[0]) : 0,
      worstFrameMs: gaps.length ? Math.max(...gaps) : NaN,
      slowFrames: gaps.filter((gap) => gap > 1000 / 30).length,
      frames: inside.length,
    };
  };
  return { idle: rate(idleStart, zoomStart), zoom: rate(zoomStart, zoomEnd), pan: rate(panStart, end), probed };
}
