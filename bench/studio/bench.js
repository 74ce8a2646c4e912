#!/usr/bin/env node
// Kiln Studio speed benchmarks: a real `kiln serve` driven in headless chromium. See README.md here
// and the "Studio" section of BENCHMARKS.md. Run through ./run.sh, which checks the prerequisites.
//
// Every UI latency is measured in the page: the key or pointer event's own timestamp to the first
// animation frame in which the expected DOM is present (playwright's rAF polling), so node↔browser
// round trips are not counted. /api/ calls are timed by a fetch wrapper on the same clock, which
// splits each latency into waiting (debounce), engine + transport, and rendering.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  KILN,
  REPO,
  UI_DIST,
  apiCallsSince,
  collectGarbage,
  frameRate,
  frameWait,
  jsHeapMiB,
  launchBrowser,
  newStudioPage,
  openStudio,
  sleep,
  startKiln,
  summary,
} from "./harness.js";
import { profiled } from "./profile.js";
import { appendToBenchmarks, renderMarkdown, repositoryState } from "./report.js";
import { caseDashboard, casePointMap, caseRegionMap, caseTimeSeries, duckdbPython, exploreProject } from "./explore.js";
import { STEPS as CANVAS_STEPS, canvasProject, caseCanvas } from "./canvas.js";

const CASES = ["start", "keystroke", "lineage", "query", "dashboard", "timeseries", "pointmap", "regionmap", "canvas"];
const CANVAS_STEP_COUNT = CANVAS_STEPS.length;
const EXPLORE_CASES = ["dashboard", "timeseries", "pointmap", "regionmap"];

const USAGE = `Usage: bench/studio/run.sh [--smoke] [--no-append] [--cases LIST]
                            [--keystrokes N] [--lineage-sizes "1000 5000"] [--rows "1000000 10000000"]
                            [--dashboard-rows N] [--dashboard-minutes M] [--dashboard-inserts N]
                            [--series-rows N] [--markers N] [--canvas-rows N] [--canvas-runs N]
                            [--no-dbt] [--no-duckdb] [--profile]

  --smoke          every case tiny and fast (50-model project, 3 keystrokes, 10,000-row query,
                   100,000-row dashboard refreshed for 6 s, 10,000-point series, 1,000 markers,
                   100,000-row canvas), for checking the harness; implies nothing about
                   --no-append, so pass that too
  --no-append      print the table but leave BENCHMARKS.md alone
  --cases LIST     which cases to run, comma-separated (default: all of ${CASES.join(",")})
  --keystrokes N   timed keystrokes per kind in the keystroke and canvas cases (default 20)
  --lineage-sizes  model counts of the lineage projects (default "1000 5000")
  --rows           row counts of the query case (default "1000000 10000000")
  --dashboard-rows N     rows of the table under the six-panel dashboard (default 10000000)
  --dashboard-minutes M  how long the dashboard refreshes every second (default 2; the target is 10)
  --dashboard-inserts N  rows inserted each second while it refreshes (default 1000; 0: none)
  --series-rows N  points of the console time series (default 1000000)
  --markers N      markers of the console point map (default 100000)
  --canvas-rows N  rows of the table under the 30-step canvas (default 10000000)
  --canvas-runs N  canvas opens (each of a model not opened before) and clicks per previewed step
                   (default 5)
  --no-dbt         skip the dbt parse peer (it takes a minute or more at 1,000 models)
  --no-duckdb      skip the python duckdb peers
  --profile        record CPU profiles of the page where targets are missed (lineage open, whole-
                   project fit, pan/zoom, first query rows) and summarise them by source package;
                   profiling slows the page a little, so pair it with --no-append

Environment: KILN (binary), DBT_VENV (default ~/.cache/kiln-dbt-venv), BENCH_WORK (scratch, default
~/.cache/kiln-bench; projects and results go under BENCH_WORK/studio), CHROMIUM_BIN, UI_DIST.`;

function parseArgs(argv) {
  const options = {
    smoke: false,
    append: true,
    cases: [...CASES],
    keystrokes: null,
    lineageSizes: null,
    rows: null,
    dashboardRows: null,
    dashboardMinutes: null,
    dashboardInserts: null,
    seriesRows: null,
    markers: null,
    canvasRows: null,
    canvasRuns: null,
    dbt: true,
    duckdb: true,
    profile: false,
    commandLine: process.env.BENCH_COMMAND_LINE ?? `node bench/studio/bench.js ${argv.join(" ")}`.trim(),
  };
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index];
    const value = () => {
      const next = argv[index + 1];
      if (next === undefined) throw new Error(`${arg} needs a value (see --help)`);
      index += 1;
      return next;
    };
    if (arg === "--smoke") options.smoke = true;
    else if (arg === "--no-append") options.append = false;
    else if (arg === "--cases") options.cases = value().split(",").map((name) => name.trim());
    else if (arg === "--keystrokes") options.keystrokes = Number(value());
    else if (arg === "--lineage-sizes") options.lineageSizes = value().trim().split(/\s+/).map(Number);
    else if (arg === "--rows") options.rows = value().trim().split(/\s+/).map(Number);
    else if (arg === "--dashboard-rows") options.dashboardRows = Number(value());
    else if (arg === "--dashboard-minutes") options.dashboardMinutes = Number(value());
    else if (arg === "--dashboard-inserts") options.dashboardInserts = Number(value());
    else if (arg === "--series-rows") options.seriesRows = Number(value());
    else if (arg === "--markers") options.markers = Number(value());
    else if (arg === "--canvas-rows") options.canvasRows = Number(value());
    else if (arg === "--canvas-runs") options.canvasRuns = Number(value());
    else if (arg === "--no-dbt") options.dbt = false;
    else if (arg === "--no-duckdb") options.duckdb = false;
    else if (arg === "--profile") options.profile = true;
    else if (arg === "-h" || arg === "--help") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument '${arg}' (see --help)`);
  }
  for (const name of options.cases) {
    if (!CASES.includes(name)) throw new Error(`unknown case '${name}' (known: ${CASES.join(", ")})`);
  }
  const smoke = options.smoke;
  options.models = smoke ? 50 : 1000;
  options.keystrokes ??= smoke ? 3 : 20;
  options.lineageSizes ??= smoke ? [50, 100] : [1000, 5000];
  options.rows ??= smoke ? [10_000] : [1_000_000, 10_000_000];
  options.startRuns = smoke ? 2 : 5;
  options.queryRuns = (rows) => (smoke ? 1 : rows >= 5_000_000 ? 2 : 3);
  options.phaseMs = smoke ? 500 : 1500;
  options.dbtRuns = 3;
  options.dashboardRows ??= smoke ? 100_000 : 10_000_000;
  options.dashboardMinutes ??= smoke ? 0.1 : 2;
  options.dashboardInserts ??= smoke ? 100 : 1000;
  options.seriesRows ??= smoke ? 10_000 : 1_000_000;
  options.markers ??= smoke ? 1_000 : 100_000;
  options.canvasRows ??= smoke ? 100_000 : 10_000_000;
  options.canvasRuns ??= smoke ? 1 : 5;
  options.canvasOpens = options.canvasRuns;
  options.work = WORK;
  options.dbtVenv = DBT_VENV;
  if (smoke) options.dbt = false;
  return options;
}

const log = (message) => process.stderr.write(`\n==> ${message}\n`);
const ms = (value) => (typeof value === "number" && Number.isFinite(value) ? Math.round(value * 10) / 10 : "—");
const HOME = process.env.HOME ?? "/root";
const BENCH_WORK = process.env.BENCH_WORK ?? join(HOME, ".cache/kiln-bench");
/** ui/src/features/lineage/elkLayout.ts: graphs up to this many nodes get an ELK layout. */
const ELK_NODE_LIMIT = 400;
const WORK = join(BENCH_WORK, "studio");
const DBT_VENV = process.env.DBT_VENV ?? join(HOME, ".cache/kiln-dbt-venv");

/** gen_project.py names and places models like this; the benchmark opens the middle one. */
function modelPath(index, n) {
  const width = Math.max(5, String(n - 1).length);
  const folders = Math.min(20, n);
  const folder = Math.floor((index * folders) / n);
  return `models/layer_${String(folder).padStart(2, "0")}/model_${String(index).padStart(width, "0")}.sql`;
}

function generateProject(n) {
  const dir = join(WORK, `synthetic_${n}`);
  rmSync(dir, { recursive: true, force: true });
  const result = spawnSync("python3", [join(REPO, "bench/gen_project.py"), String(n), dir], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`gen_project.py ${n} failed: ${result.stderr}`);
  return dir;
}

// ---------------------------------------------------------------------------------------------------
// a. start to interactive

async function caseStart(browser, project, options, shotDir) {
  const runs = [];
  for (let run = 0; run < options.startRuns; run += 1) {
    // The browser context is ready before the server starts, so only the app's start is timed.
    const studio = await newStudioPage(browser);
    const kiln = await startKiln(project);
    try {
      const gotoAt = performance.now();
      await studio.page.goto(kiln.url, { waitUntil: "commit" });
      const shown = await frameWait(studio.page, () => {
        if (!document.querySelector('[data-testid="tree-file"]')) return false;
        const navigation = performance.getEntriesByType("navigation")[0];
        return { at: performance.now(), domContentLoaded: navigation?.domContentLoadedEventEnd ?? NaN };
      });
      const doneAt = performance.now();
      runs.push({
        totalMs: doneAt - kiln.spawnedAt,
        spawnToUrlMs: kiln.urlAt - kiln.spawnedAt,
        urlToExplorerMs: doneAt - gotoAt,
        domContentLoadedMs: shown.domContentLoaded,
        explorerPageMs: shown.at,
      });
      if (run === 0) await studio.page.screenshot({ path: join(shotDir, "start-explorer.png") });
    } finally {
      await studio.context.close();
      await kiln.stop();
    }
  }
  return {
    runs,
    total: summary(runs.map((run) => run.totalMs)),
    spawnToUrl: summary(runs.map((run) => run.spawnToUrlMs)),
    urlToExplorer: summary(runs.map((run) => run.urlToExplorerMs)),
    domContentLoaded: summary(runs.map((run) => run.domContentLoadedMs)),
  };
}

// ---------------------------------------------------------------------------------------------------
// b. keystroke → diagnostic / compiled SQL

/** Puts the CodeMirror cursor at `offset` through the editor's view object, as the e2e tests do. */
async function placeCursor(page, offset) {
  const content = page.locator('[data-testid="model-editor"] .cm-content');
  const ok = await content.evaluate((node, at) => {
    const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
    if (!view) return false;
    view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
    view.focus();
    return true;
  }, offset);
  if (!ok) throw new Error("could not reach the CodeMirror view of the model editor");
}

/**
 * Presses `key` and waits for `condition` (a page predicate over named checks). Returns the latency
 * from the keydown event to each check's first frame, and the compileModel call it caused.
 */
async function timedKeystroke(page, key, checks) {
  const since = await page.evaluate(() => {
    window.__bench.seen = {};
    return performance.now();
  });
  await page.keyboard.press(key);
  const seen = await frameWait(
    page,
    (spec) => {
      const bench = window.__bench;
      const now = performance.now();
      const panel = document.querySelector('[data-testid="compiled-panel"]');
      const compiledText = panel?.querySelector(".cm-content")?.textContent ?? "";
      const problems = [...document.querySelectorAll('[data-testid="problem"]')].map((node) => node.textContent ?? "");
      const underline = document.querySelector('[data-testid="model-editor"] .cm-lintRange-error') !== null;
      const state = {
        problem: spec.problem ? problems.some((text) => text.includes(spec.problem)) : true,
        underline: spec.underline === undefined ? true : underline === spec.underline,
        noProblems: spec.noProblems ? problems.length === 0 : true,
        compiled: spec.compiled ? compiledText.includes(spec.compiled) : true,
        notCompiled: spec.notCompiled ? !compiledText.includes(spec.notCompiled) : true,
      };
      for (const [name, ok] of Object.entries(state)) if (ok && bench.seen[name] === undefined) bench.seen[name] = now;
      if (!Object.values(state).every(Boolean)) return false;
      return { ...bench.seen, done: now, key: bench.lastKey };
    },
    checks,
    30_000,
  );
  const calls = await apiCallsSince(page, "compileModel", since);
  const call = calls.find((entry) => entry.end !== null);
  return {
    totalMs: seen.done - seen.key,
    problemMs: seen.problem - seen.key,
    underlineMs: seen.underline - seen.key,
    waitMs: call ? call.start - seen.key : NaN,
    apiMs: call ? call.end - call.start : NaN,
    renderMs: call ? seen.done - call.end : NaN,
    calls: calls.length,
  };
}

async function caseKeystroke(browser, project, n, options, shotDir) {
  const kiln = await startKiln(project);
  const studio = await openStudio(browser, kiln);
  const { page } = studio;
  const path = modelPath(Math.floor(n / 2), n);
  const text = readFileSync(join(project, path), "utf8");
  const ref = /ref\('([a-z0-9_]+)'\)/.exec(text);
  const alias = text.indexOf(" as amount");
  if (!ref || alias < 0) throw new Error(`${path} has no ref() or 'as amount' to edit`);
  const parent = ref[1];
  const insideRef = ref.index + "ref('".length + parent.length;
  const afterAlias = alias + " as amount".length;
  try {
    await page.locator(`[data-testid="tree-file"][data-path="${path}"]`).click();
    await page.locator('[data-testid="model-editor"] .cm-content').waitFor();
    await frameWait(page, (name) => (document.querySelector('[data-testid="compiled-panel"] .cm-content')?.textContent ?? "").includes(name), parent);

    const diagnostic = [];
    const cleared = [];
    await placeCursor(page, insideRef);
    for (let index = 0; index < options.keystrokes; index += 1) {
      await sleep(250);
      diagnostic.push(await timedKeystroke(page, "x", { problem: `${parent}x`, underline: true }));
      if (index === 0) await page.screenshot({ path: join(shotDir, "keystroke-diagnostic.png") });
      await sleep(250);
      cleared.push(await timedKeystroke(page, "Backspace", { noProblems: true, underline: false, compiled: parent }));
    }

    const compiled = [];
    await placeCursor(page, afterAlias);
    for (let index = 0; index < options.keystrokes; index += 1) {
      await sleep(250);
      compiled.push(await timedKeystroke(page, "z", { compiled: "amountz" }));
      await sleep(250);
      compiled.push(await timedKeystroke(page, "Backspace", { compiled: "as amount", notCompiled: "amountz" }));
    }
    await page.screenshot({ path: join(shotDir, "keystroke-compiled.png") });

    // The engine call alone, from node: the same buffer-compile the editor sends, alternating a
    // broken and a valid buffer so that no response can be served from a cache of the last one.
    const api = [];
    const broken = text.replace(`ref('${parent}')`, `ref('${parent}x')`);
    for (let index = 0; index < Math.max(options.keystrokes, 5); index += 1) {
      const content = index % 2 === 0 ? broken : `${text}\n-- edit ${index}\n`;
      const started = performance.now();
      const result = await kiln.api("compileModel", { path, content });
      api.push(performance.now() - started);
      if (index === 0 && !result.diagnostics.some((entry) => entry.message.includes(`${parent}x`))) {
        throw new Error(`compileModel did not diagnose ref('${parent}x'): ${JSON.stringify(result.diagnostics)}`);
      }
    }
    return {
      model: path,
      diagnostic: summarise(diagnostic),
      cleared: summarise(cleared),
      compiled: summarise(compiled),
      api: summary(api),
      serverMemory: kiln.memory(),
      pageErrors: studio.pageErrors,
    };
  } finally {
    await studio.context.close();
    await kiln.stop();
  }
}

function summarise(samples) {
  const pick = (field) => summary(samples.map((sample) => sample[field]));
  return {
    total: pick("totalMs"),
    problem: pick("problemMs"),
    underline: pick("underlineMs"),
    wait: pick("waitMs"),
    api: pick("apiMs"),
    render: pick("renderMs"),
    callsPerKey: summary(samples.map((sample) => sample.calls)),
  };
}

/** dbt's check after an edit: `dbt parse` with its partial-parse cache warm, after changing one model. */
function dbtParsePeer(n, options) {
  const dbt = join(DBT_VENV, "bin/dbt");
  if (!existsSync(dbt)) return { skipped: `no dbt at ${dbt} (bench/run.sh creates the venv)` };
  const dir = join(WORK, `dbt_synthetic_${n}`);
  rmSync(dir, { recursive: true, force: true });
  cpSync(generateProjectOnce(n), dir, { recursive: true });
  const env = { ...process.env, DBT_SEND_ANONYMOUS_USAGE_STATS: "false", DO_NOT_TRACK: "1" };
  const parse = (extra) => {
    const started = performance.now();
    const result = spawnSync(dbt, ["parse", ...extra, "--project-dir", dir, "--profiles-dir", dir], { cwd: dir, env, encoding: "utf8" });
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`dbt parse failed (${result.status}): ${result.stdout.slice(-2000)}${result.stderr.slice(-2000)}`);
    return elapsed;
  };
  log(`dbt parse --no-partial-parse, ${n} models (cold; about a minute)`);
  const cold = parse(["--no-partial-parse"]);
  const file = join(dir, modelPath(Math.floor(n / 2), n));
  const original = readFileSync(file, "utf8");
  const warm = [];
  for (let run = 0; run < options.dbtRuns; run += 1) {
    writeFileSync(file, `${original}\n-- edit ${run}\n`);
    log(`dbt parse (partial parse, one model changed), run ${run + 1}/${options.dbtRuns}`);
    warm.push(parse([]));
  }
  return { coldMs: cold, partial: summary(warm) };
}

const generated = new Map();
function generateProjectOnce(n) {
  if (!generated.has(n)) generated.set(n, generateProject(n));
  return generated.get(n);
}

// ---------------------------------------------------------------------------------------------------
// c. lineage

/** Page predicate state shared by the lineage waits: nodes in the DOM and shown, viewport transform. */
function lineageState() {
  const nodes = document.querySelectorAll(".react-flow__node");
  const transform = document.querySelector(".react-flow__viewport")?.style.transform ?? "";
  const count = document.querySelector(".lineage-count")?.textContent ?? "";
  // Zoomed out, a big graph is drawn on one canvas (LineageOverview) that says how many it drew.
  const overview = document.querySelector(".lineage-overview");
  if (overview) {
    const drawn = Number(overview.getAttribute("data-drawn") ?? "0");
    return { rendered: drawn, visible: drawn > 0, transform, count, canvas: true };
  }
  return {
    rendered: nodes.length,
    visible: nodes.length > 0 && getComputedStyle(nodes[0]).visibility !== "hidden",
    transform,
    count,
  };
}

/**
 * Page predicate for opening the lineage view: the instant layout and the camera placement (at a
 * readable zoom, on the upstream end), then, for ≤ 400 nodes (ELK_NODE_LIMIT), the ELK layout from a worker and
 * the re-fit to it. Records first-seen times in window.__bench.seen.
 */
function lineageOpened() {
  const bench = window.__bench;
  const now = performance.now();
  const state = window.__lineageState();
  const fitted = state.transform !== "" && state.transform !== "translate(0px, 0px) scale(1)" && state.count.includes("nodes");
  const arranging = state.count.includes("arranging");
  const total = Number((/([\d,]+) nodes/.exec(state.count)?.[1] ?? "0").replace(/,/g, ""));
  if (state.visible && bench.seen.nodes === undefined) bench.seen.nodes = now;
  if (fitted && bench.seen.fitted === undefined) bench.seen.fitted = now;
  if (arranging) {
    bench.seen.arranging = now;
    bench.seen.arrangingTransform = state.transform;
  }
  // At most 400 nodes get an ELK layout (elkLayout.ts); the view re-fits to it a frame or
  // two after "arranging…" goes away.
  const needsElk = total > 0 && total <= 400; // ELK_NODE_LIMIT; this function runs in the page
  let settledAt = null;
  if (!needsElk) settledAt = fitted ? now : null;
  else if (bench.seen.arranging !== undefined && !arranging) {
    bench.seen.elkDone ??= now;
    if (state.transform !== bench.seen.arrangingTransform) settledAt = now;
    else if (now - bench.seen.elkDone > 300) settledAt = bench.seen.elkDone;
  }
  if (settledAt === null) return false;
  const refitted = needsElk ? state.transform !== bench.seen.arrangingTransform : null;
  return { ...bench.seen, settled: settledAt, pointer: bench.lastPointer, total, rendered: state.rendered, transform: state.transform, refitted };
}

/** Page predicate after the fit-view control: the view moved, and the node count held for 3 frames. */
function wholeProjectShown() {
  const bench = window.__bench;
  const now = performance.now();
  const state = window.__lineageState();
  if (state.transform === bench.seen.before || !state.visible) return false;
  bench.seen.firstFrame ??= now;
  bench.seen.counts.push(state.rendered);
  const counts = bench.seen.counts;
  // Settled once the number of nodes in the DOM has not changed for three frames.
  if (counts.length < 3 || counts.slice(-3).some((value) => value !== state.rendered)) return false;
  return { first: bench.seen.firstFrame, stable: now, pointer: bench.lastPointer, rendered: state.rendered, transform: state.transform };
}

async function caseLineage(browser, project, n, options, shotDir) {
  const kiln = await startKiln(project);
  const studio = await openStudio(browser, kiln);
  const { page } = studio;
  const consoleWarnings = [];
  page.on("console", (message) => {
    if (message.type() === "warning" || message.type() === "error") consoleWarnings.push(message.text());
  });
  await page.evaluate(`window.__lineageState = ${lineageState.toString()}`);
  try {
    // The studio fetches the graph at start-up; opening the view only lays it out and paints it.
    await frameWait(page, () => window.__bench.api.some((call) => call.op === "graph" && call.end !== null), null, 120_000);
    const graphCall = (await apiCallsSince(page, "graph", 0))[0];
    const since = await page.evaluate(() => {
      window.__bench.seen = {};
      return performance.now();
    });
    // 1. Open: the instant layout and the camera placement (at a readable zoom, on the upstream
    // end), then, for ≤ 400 nodes (ELK_NODE_LIMIT), the ELK layout from a worker and the re-fit to it.
    const opened = await profiled(studio.cdp, options.profile, join(shotDir, `lineage-${n}-open.cpuprofile`), async () => {
      await page.getByRole("tab", { name: "Lineage" }).click();
      return frameWait(page, lineageOpened, null, 120_000);
    });
    const seen = opened.value;
    // Whether any node is in view once the camera is placed (an empty canvas at open is a finding).
    let firstNodes = seen.nodes;
    if (firstNodes === undefined) {
      firstNodes = await frameWait(page, () => (window.__lineageState().visible ? performance.now() : false), null, 5_000).catch(() => undefined);
    }
    const longTasks = await page.evaluate(([from, to]) => window.__bench.longTasks.filter((task) => task.start >= from && task.start <= to), [since, seen.settled]);
    await sleep(500);
    await page.screenshot({ path: join(shotDir, `lineage-${n}-opened.png`) });
    const renderedAfterOpen = await page.locator(".react-flow__node").count();

    // 2. The whole-project view: the fit-view control, then every node is on screen and painted.
    const fitBefore = await page.evaluate(() => {
      window.__bench.seen = { before: window.__lineageState().transform, counts: [] };
      return performance.now();
    });
    const fitted = await profiled(studio.cdp, options.profile, join(shotDir, `lineage-${n}-whole.cpuprofile`), async () => {
      await page.locator(".react-flow__controls-fitview").click();
      return frameWait(page, wholeProjectShown, null, 120_000);
    });
    const whole = fitted.value;
    const wholeLongTasks = await page.evaluate(([from, to]) => window.__bench.longTasks.filter((task) => task.start >= from && task.start <= to), [fitBefore, whole.stable]);
    await sleep(500);
    await page.screenshot({ path: join(shotDir, `lineage-${n}-whole-project.png`) });

    // 3. Frame rate while zooming and panning around the whole-project view.
    const moved = await profiled(studio.cdp, options.profile, join(shotDir, `lineage-${n}-pan-zoom.cpuprofile`), async () => {
      const rates = await frameRate(page, options, { selector: ".react-flow__pane" });
      const renderedAtEnd = await page.locator(".react-flow__node").count();
      const transformAtEnd = await page.evaluate(() => document.querySelector(".react-flow__viewport")?.style.transform ?? "");
      return { ...rates, renderedAtEnd, transformAtEnd };
    });
    const fps = moved.value;
    await page.screenshot({ path: join(shotDir, `lineage-${n}-after-pan-zoom.png`) });
    await collectGarbage(studio.cdp);
    const heap = await jsHeapMiB(studio.cdp);
    const elkGaveUp = consoleWarnings.some((text) => text.includes("ELK layout"));
    const sum = (tasks) => tasks.reduce((total, task) => total + task.duration, 0);
    const longest = (tasks) => tasks.reduce((max, task) => Math.max(max, task.duration), 0);
    return {
      models: n,
      nodesShown: seen.total,
      graphApiMs: graphCall ? graphCall.end - graphCall.start : NaN,
      graphBytes: graphCall?.bytes ?? NaN,
      firstNodesMs: firstNodes !== undefined ? firstNodes - seen.pointer : null,
      fittedMs: seen.fitted - seen.pointer,
      settledMs: seen.settled - seen.pointer,
      elkDoneMs: seen.elkDone !== undefined ? seen.elkDone - seen.pointer : null,
      refittedAfterElk: seen.refitted,
      transformAtOpen: seen.transform,
      renderedAfterOpen,
      elk: seen.total <= ELK_NODE_LIMIT ? (elkGaveUp ? "gave up" : "applied") : "skipped (> 400 nodes)",
      openLongTaskMs: sum(longTasks),
      openLongestTaskMs: longest(longTasks),
      wholeFirstMs: whole.first - whole.pointer,
      wholeStableMs: whole.stable - whole.pointer,
      wholeRendered: whole.rendered,
      wholeTransform: whole.transform,
      wholeLongTaskMs: sum(wholeLongTasks),
      wholeLongestTaskMs: longest(wholeLongTasks),
      fps,
      heap,
      profiles: { open: opened.profile, whole: fitted.profile, panZoom: moved.profile },
      warnings: consoleWarnings,
      pageErrors: studio.pageErrors,
    };
  } finally {
    await studio.context.close();
    await kiln.stop();
  }
}

// ---------------------------------------------------------------------------------------------------
// d. 1M-row query

const querySql = (rows) => `select range as i, random() as r, 'x' || range as s from range(${rows})`;

/** Page predicate for a query: the first grid row has values, and the count shows `expected` rows. */
function firstRowsShown(expected) {
  const bench = window.__bench;
  const now = performance.now();
  const row = document.querySelector('[data-testid="grid-row"][data-row="0"]');
  const firstRows = row !== null && row.querySelector(".grid-cell.loading") === null && (row.textContent ?? "").length > 1;
  const counted = (document.querySelector('[data-testid="grid-count"]')?.textContent ?? "").includes(`${expected} rows`);
  if (firstRows && bench.seen.firstRows === undefined) bench.seen.firstRows = now;
  if (counted && bench.seen.counted === undefined) bench.seen.counted = now;
  if (!(firstRows && counted)) return false;
  return { ...bench.seen, key: bench.lastKey };
}

async function caseQuery(browser, project, rowsList, options, shotDir) {
  const kiln = await startKiln(project);
  const studio = await openStudio(browser, kiln);
  const { page, cdp } = studio;
  const results = [];
  const profiles = [];
  try {
    await page.getByRole("tab", { name: "Query" }).click();
    const editor = page.locator('[data-testid="console-editor"] .cm-content');
    await editor.waitFor();
    await collectGarbage(cdp);
    const heapBefore = await jsHeapMiB(cdp);
    for (const rows of rowsList) {
      const sql = querySql(rows);
      await editor.click();
      await page.keyboard.press("Control+a");
      await page.keyboard.type(sql);
      await page.keyboard.press("Escape");
      const runs = [];
      for (let run = 0; run < options.queryRuns(rows); run += 1) {
        // A result from the previous run must not count as this run's first rows.
        const clear = page.locator(".result-tab-clear");
        if (await clear.count()) await clear.click();
        await page.locator('[data-testid="grid-row"]').first().waitFor({ state: "detached" });
        await editor.click();
        const since = await page.evaluate(() => {
          window.__bench.seen = {};
          return performance.now();
        });
        const total = rows.toLocaleString("en-US");
        const shown = await profiled(cdp, options.profile && run === 0, join(shotDir, `query-${rows}.cpuprofile`), async () => {
          await page.keyboard.press("Control+Enter");
          return frameWait(page, firstRowsShown, total, 600_000);
        });
        const seen = shown.value;
        if (shown.profile) profiles.push({ rows, profile: shown.profile });
        const call = (await apiCallsSince(page, "runStatementAt", since))[0];
        const heapShown = await jsHeapMiB(cdp);
        if (run === 0) await page.screenshot({ path: join(shotDir, `query-${rows}-first-rows.png`) });
        const scroll = await scrollToMiddle(page, rows);
        if (run === 0) await page.screenshot({ path: join(shotDir, `query-${rows}-middle.png`) });
        await collectGarbage(cdp);
        const heapRetained = await jsHeapMiB(cdp);
        runs.push({
          firstRowsMs: seen.firstRows - seen.key,
          countShownMs: seen.counted - seen.key,
          waitMs: call ? call.start - seen.key : NaN,
          requestMs: call ? call.end - call.start : NaN,
          engineMs: call?.statements?.[0] ? call.statements[0].elapsed * 1000 : NaN,
          renderMs: call ? seen.firstRows - call.end : NaN,
          responseBytes: call?.bytes ?? NaN,
          scrollMs: scroll.ms,
          scrollTargetRow: scroll.target,
          scrollReachedRow: scroll.reached,
          heapShownMiB: heapShown.usedMiB,
          heapRetainedMiB: heapRetained.usedMiB,
          serverMemory: kiln.memory(),
        });
      }
      const pick = (field) => summary(runs.map((run) => run[field]));
      results.push({
        rows,
        sql,
        runs,
        firstRows: pick("firstRowsMs"),
        countShown: pick("countShownMs"),
        wait: pick("waitMs"),
        request: pick("requestMs"),
        engine: pick("engineMs"),
        render: pick("renderMs"),
        scroll: pick("scrollMs"),
        scrollReachedRow: runs[0].scrollReachedRow,
        scrollTargetRow: runs[0].scrollTargetRow,
        heapShownMiB: Math.max(...runs.map((run) => run.heapShownMiB)),
        heapRetainedMiB: Math.max(...runs.map((run) => run.heapRetainedMiB)),
        serverPeakMiB: Math.max(...runs.map((run) => run.serverMemory.peakMiB)),
      });
    }
    return { heapBeforeMiB: heapBefore.usedMiB, results, profiles, pageErrors: studio.pageErrors };
  } finally {
    await studio.context.close();
    await kiln.stop();
  }
}

/** Jumps the grid to its middle row and times until the rows in view are loaded (no placeholders). */
async function scrollToMiddle(page, rows) {
  const target = Math.floor(rows / 2);
  const started = await page.locator('[data-testid="grid-scroller"]').evaluate((scroller) => {
    // Like dragging the scrollbar thumb to half way: above ~300k rows the grid maps the scrollbar
    // onto the rows proportionally (ui/src/features/query/scaledScroll.ts), so half the travel is
    // the middle row whatever the result size.
    scroller.scrollTop = (scroller.scrollHeight - scroller.clientHeight) / 2;
    return performance.now();
  });
  const done = await frameWait(
    page,
    () => {
      const scroller = document.querySelector('[data-testid="grid-scroller"]');
      if (!scroller) return false;
      const box = scroller.getBoundingClientRect();
      const inView = [...scroller.querySelectorAll('[data-testid="grid-row"]')].filter((row) => {
        const rect = row.getBoundingClientRect();
        return rect.bottom > box.top + 40 && rect.top < box.bottom;
      });
      if (inView.length < 5 || inView.some((row) => row.querySelector(".grid-cell.loading"))) return false;
      return { at: performance.now(), reached: Number(inView[Math.floor(inView.length / 2)].getAttribute("data-row")) };
    },
    null,
    120_000,
  );
  return { ms: done.at - started, target, reached: done.reached };
}

/** The peer: the python duckdb package runs the same SQL and fetches the whole result. */
function duckdbPeer(rowsList) {
  const found = duckdbPython(DBT_VENV);
  if (!found) return { skipped: `no python with the duckdb package (${join(DBT_VENV, "bin/python")} or python3)` };
  const python = found.python;
  const script = `
import json, statistics, sys, time
import duckdb
out = {"version": duckdb.__version__, "cases": []}
for rows in json.loads(sys.argv[1]):
    sql = f"select range as i, random() as r, 'x' || range as s from range({rows})"
    whole, first = [], []
    for _ in range(3 if rows < 5_000_000 else 2):
        con = duckdb.connect()
        started = time.perf_counter()
        fetched = con.execute(sql).fetchall()
        whole.append((time.perf_counter() - started) * 1000)
        assert len(fetched) == rows
        del fetched
        con.close()
        con = duckdb.connect()
        started = time.perf_counter()
        page = con.execute(sql).fetchmany(200)
        first.append((time.perf_counter() - started) * 1000)
        assert len(page) == 200
        con.close()
    out["cases"].append({"rows": rows, "wholeMs": statistics.median(whole), "first200Ms": statistics.median(first)})
print(json.dumps(out))
`;
  const result = spawnSync(python, ["-c", script, JSON.stringify(rowsList)], { encoding: "utf8", maxBuffer: 16 * 2 ** 20 });
  if (result.status !== 0) return { skipped: `python duckdb failed: ${result.stderr.slice(-500)}` };
  return { python, ...JSON.parse(result.stdout.trim().split("\n").pop()) };
}

// ---------------------------------------------------------------------------------------------------

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown";
  const cores = readFileSync("/proc/cpuinfo", "utf8").match(/^processor\s*:/gm)?.length ?? 0;
  const meminfo = readFileSync("/proc/meminfo", "utf8");
  const gib = (field) => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(meminfo)?.[1] ?? 0) / 2 ** 20);
  const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  const chromium = spawnSync(process.env.CHROMIUM_BIN ?? "/usr/bin/chromium", ["--version"], { encoding: "utf8" }).stdout?.trim() ?? "unknown";
  return { cpu, cores, memory: `${gib("MemTotal")} GiB total, ${gib("MemAvailable")} GiB available`, load, chromium };
}

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench/studio: ${error.message}\n`);
    process.exit(2);
  }
  const runId = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const resultsDir = join(WORK, "results", runId);
  mkdirSync(resultsDir, { recursive: true });
  const host = machine();
  // The binary can be rebuilt by someone else during a run; what was measured is the one at the start.
  const kilnBuilt = existsSync(KILN) ? statSync(KILN).mtime.toISOString().slice(0, 16) : "missing";
  const results = { options: { ...options, queryRuns: undefined }, kilnBuilt, uiDist: UI_DIST, commit: repositoryState(), loadAtStart: host.load(), resultsDir, startedAt: new Date().toISOString() };
  const browser = await launchBrowser();
  const save = () => writeFileSync(join(resultsDir, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  try {
    const project = options.cases.some((name) => ["start", "keystroke", "query"].includes(name)) ? generateProjectOnce(options.models) : null;
    // One failing case must not cost the others' measurements: it is recorded and reported.
    results.failures = [];
    const attempt = async (name, run) => {
      try {
        await run();
      } catch (error) {
        log(`${name} failed: ${error.stack ?? error}`);
        results.failures.push({ case: name, error: String(error.message ?? error).split("\n")[0].slice(0, 300) });
      }
      save();
    };
    if (options.cases.includes("start")) {
      await attempt("start", async () => {
        log(`start to interactive, ${options.models} models, ${options.startRuns} runs`);
        results.start = await caseStart(browser, project, options, resultsDir);
        results.start.models = options.models;
        log(`start: median ${ms(results.start.total.median)} ms (spawn→URL ${ms(results.start.spawnToUrl.median)} ms, URL→explorer ${ms(results.start.urlToExplorer.median)} ms)`);
      });
    }
    if (options.cases.includes("keystroke")) {
      await attempt("keystroke", async () => {
        log(`keystroke → diagnostic, ${options.models} models, ${options.keystrokes} keystrokes per kind`);
        results.keystroke = await caseKeystroke(browser, project, options.models, options, resultsDir);
        results.keystroke.models = options.models;
        const k = results.keystroke;
        log(
          `keystroke→diagnostic median ${ms(k.diagnostic.total.median)} ms (p95 ${ms(k.diagnostic.total.p95)}): wait ${ms(k.diagnostic.wait.median)} + compileModel ${ms(k.diagnostic.api.median)} + render ${ms(k.diagnostic.render.median)}; ` +
            `keystroke→compiled SQL median ${ms(k.compiled.total.median)} ms; compileModel API alone median ${ms(k.api.median)} ms`,
        );
      });
      if (options.dbt) {
        try {
          results.dbtParse = dbtParsePeer(options.models, options);
          log(`dbt parse: partial ${ms(results.dbtParse.partial?.median)} ms, cold ${ms(results.dbtParse.coldMs)} ms`);
        } catch (error) {
          results.dbtParse = { skipped: String(error.message ?? error).slice(0, 300) };
        }
        save();
      }
    }
    if (options.cases.includes("lineage")) {
      results.lineage = [];
      for (const n of options.lineageSizes) {
        await attempt(`lineage ${n}`, async () => {
          log(`lineage, ${n} models`);
          const lineage = await caseLineage(browser, generateProjectOnce(n), n, options, resultsDir);
          results.lineage.push(lineage);
          log(
            `lineage ${lineage.nodesShown} nodes: first nodes ${ms(lineage.firstNodesMs)} ms, camera placed ${ms(lineage.fittedMs)} ms, final layout ${ms(lineage.settledMs)} ms (ELK ${lineage.elk}), ` +
              `${lineage.renderedAfterOpen} nodes in the DOM at open; whole-project view painted ${ms(lineage.wholeFirstMs)} ms, settled ${ms(lineage.wholeStableMs)} ms with ${lineage.wholeRendered} nodes; ` +
              `fps idle ${ms(lineage.fps.idle.fps)}, zoom ${ms(lineage.fps.zoom.fps)}, pan ${ms(lineage.fps.pan.fps)}`,
          );
        });
      }
    }
    if (options.cases.includes("query")) {
      await attempt("query", async () => {
        log(`query console, ${options.rows.join(" and ")} rows`);
        results.query = await caseQuery(browser, project, options.rows, options, resultsDir);
        for (const entry of results.query.results) {
          log(
            `${entry.rows} rows: first rows ${ms(entry.firstRows.median)} ms (engine ${ms(entry.engine.median)}, request ${ms(entry.request.median)}, render ${ms(entry.render.median)}), ` +
              `middle after ${ms(entry.scroll.median)} ms (row ${entry.scrollReachedRow} of target ${entry.scrollTargetRow}), heap ${ms(entry.heapShownMiB)} MiB`,
          );
        }
      });
      if (options.duckdb) {
        log("python duckdb peer");
        results.duckdb = duckdbPeer(options.rows);
        save();
      }
    }
    const explore = options.cases.some((name) => EXPLORE_CASES.includes(name)) ? exploreProject(WORK, options.dashboardRows) : null;
    if (options.cases.includes("dashboard")) {
      await attempt("dashboard", async () => {
        log(`dashboard, six panels over ${options.dashboardRows} rows`);
        const d = (results.dashboard = await caseDashboard(browser, explore, options, resultsDir));
        const r = d.refresh;
        log(
          `dashboard: open → every panel painted ${ms(d.openMs)} ms, animations finished ${ms(d.finishedMs)} ms; ` +
            `${r.completeRefreshes} complete refreshes (${r.mode}) in ${ms(r.ranS)} s: wall median ${ms(r.wall.median)} ms (p95 ${ms(r.wall.p95)}), request median ${ms(r.request.median)} ms, ${r.superseded} answers dropped; ` +
            `heap ${ms(d.memory.heapStartMiB)} → ${ms(d.memory.heapEndMiB)} MiB, kiln RSS ${ms(d.memory.rssStartMiB)} → ${ms(d.memory.rssEndMiB)} MiB; ` +
            `peer parallel ${ms(d.peer?.parallelMs)} ms, sequential ${ms(d.peer?.sequentialMs)} ms`,
        );
      });
    }
    if (options.cases.includes("timeseries")) {
      await attempt("timeseries", async () => {
        log(`time series, ${options.seriesRows} points`);
        const t = (results.timeseries = await caseTimeSeries(browser, explore, options, resultsDir));
        log(
          `time series: Chart → suggested ${t.suggested.spec.kind}/${t.suggested.spec.bucket} drawn ${ms(t.suggested.paintedMs)} ms (${t.suggested.points} points); ` +
            `each row → drawn ${ms(t.raw.paintedMs)} ms (${t.raw.points} points; ${t.raw.sampled}; chartData ${ms(t.raw.requestMs)} ms); fps zoom ${ms(t.fps.zoom.fps)}, pan ${ms(t.fps.pan.fps)}`,
        );
      });
    }
    if (options.cases.includes("pointmap")) {
      await attempt("pointmap", async () => {
        log(`point map, ${options.markers} markers`);
        const p = (results.pointmap = await casePointMap(browser, explore, options, resultsDir));
        log(`point map: ${p.markers} markers drawn ${ms(p.drawnMs)} ms (chartData ${ms(p.requestMs)} ms, ${p.bytes} bytes); fps zoom ${ms(p.fps.zoom.fps)}, pan ${ms(p.fps.pan.fps)}`);
      });
    }
    if (options.cases.includes("regionmap")) {
      await attempt("regionmap", async () => {
        log("region map, US counties");
        const g = (results.regionmap = await caseRegionMap(browser, explore, options, resultsDir));
        if (g.skipped) log(`region map skipped: ${g.skipped}`);
        else log(`region map: ${g.filled} of ${g.shapes} counties filled ${ms(g.drawnMs)} ms (panelData ${ms(g.panelDataMs)} ms, readFile ${ms(g.readFileMs)} ms); fps zoom ${ms(g.fps.zoom.fps)}, pan ${ms(g.fps.pan.fps)}`);
      });
    }
    if (options.cases.includes("canvas")) {
      await attempt("canvas", async () => {
        log(`canvas, ${CANVAS_STEP_COUNT} steps over ${options.canvasRows} rows`);
        const c = (results.canvas = await caseCanvas(browser, canvasProject(WORK, options), options, resultsDir));
        const steps = c.preview.steps.map((step) => `${step.step} ${ms(step.shown.median)} (request ${ms(step.request.median)}, engine ${ms(step.engine.median)}, peer ${ms(step.peer?.bothMs)})`).join(", ");
        log(
          `canvas: open → ${c.steps} cards ${ms(c.open.total.median)} ms (wait ${ms(c.open.wait.median)}, canvasOpen ${ms(c.open.request.median)}, render ${ms(c.open.render.median)}); ` +
            `click → first rows: ${steps}; ` +
            `keystroke → SQL ${ms(c.edit.total.median)} ms (wait ${ms(c.edit.wait.median)}, canvasUpdate ${ms(c.edit.request.median)}, render ${ms(c.edit.render.median)})`,
        );
      });
    }
  } finally {
    await browser.close();
  }
  results.loadAtEnd = host.load();
  results.machine = { ...host, load: undefined };
  results.finishedAt = new Date().toISOString();
  save();
  const markdown = renderMarkdown(results, options.commandLine);
  writeFileSync(join(resultsDir, "table.md"), markdown);
  process.stdout.write(`\n${markdown}\n`);
  if (options.append) {
    appendToBenchmarks(join(REPO, "BENCHMARKS.md"), markdown);
    log(`appended to ${join(REPO, "BENCHMARKS.md")}`);
  }
  log(`raw results: ${resultsDir}/results.json`);
}

main().catch((error) => {
  process.stderr.write(`bench/studio: ${error.stack ?? error}\n`);
  process.exit(1);
});
