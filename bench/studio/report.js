// Turns bench.js results into the markdown that goes under "## Studio" in BENCHMARKS.md.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { KILN, REPO, UI_DIST } from "./harness.js";
import { formatProfile } from "./profile.js";

const fmtMs = (value) => {
  if (!Number.isFinite(value)) return "—";
  if (value >= 10_000) return `${(value / 1000).toFixed(1)} s`;
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return `${Math.round(value)} ms`;
};
const fmtMiB = (value) => (Number.isFinite(value) ? `${Math.round(value)} MiB` : "—");
const fmtInt = (value) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "—");
const fmtFps = (value) => (Number.isFinite(value) ? value.toFixed(0) : "—");
const fmtMiB1 = (value) => (Number.isFinite(value) ? `${value.toFixed(1)} MiB` : "—");
/** "zoom 52, pan 60 (idle 60; worst frame 50 ms)" for frameRate()'s result. */
const fpsCell = (fps) =>
  `zoom ${fmtFps(fps.zoom.fps)}, pan ${fmtFps(fps.pan.fps)} (idle ${fmtFps(fps.idle.fps)}; worst frame ${fmtMs(Math.max(fps.zoom.worstFrameMs, fps.pan.worstFrameMs))})`;
const fpsMet = (fps) => met(Math.min(fps.zoom.fps, fps.pan.fps), 55, { lower: true, unit: "fps" });
/** Memory is flat when neither figure grew by more than 10 % (and 2 MiB) from start to end. */
export function flat(start, end) {
  if (!Number.isFinite(start) || !Number.isFinite(end)) return null;
  return end - start <= Math.max(2, start * 0.1);
}
// With fewer than 10 samples a 95th percentile is just the largest one, so say so.
const medianP95 = (stats) => `${fmtMs(stats.median)} (${stats.n >= 10 ? "p95" : "max"} ${fmtMs(stats.n >= 10 ? stats.p95 : stats.max)})`;
const plural = (count, noun) => `${fmtInt(count)} ${noun}${count === 1 ? "" : "s"}`;
/** Rows a canvas preview shows (ui/src/features/canvas/PreviewPanel.tsx). */
const PREVIEW_ROWS = 100;
const ratio = (peer, ours) => {
  if (!(Number.isFinite(peer) && Number.isFinite(ours) && ours > 0)) return "—";
  const value = peer / ours;
  // Below 0.01 two decimals read 0.00: one significant digit says how small.
  if (value > 0 && value < 0.01) return `${value.toPrecision(1)}×`;
  return `${value < 0.1 ? value.toFixed(2) : value.toFixed(1)}×`;
};

/** "yes", or "no" with how far off: the amount over an upper bound or under a lower bound. */
function met(value, target, { lower = false, unit = "ms" } = {}) {
  if (!Number.isFinite(value)) return "—";
  if (lower) return value >= target ? "yes" : `no (${fmtFps(value)} vs ${target} ${unit})`;
  if (value < target) return "yes";
  return `no (+${fmtMs(value - target)}, ${(value / target).toFixed(1)}× the target)`;
}

function git(args) {
  const result = spawnSync("git", ["-C", REPO, ...args], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : "";
}

/** The commit the tree is at, and whether it has uncommitted changes (other agents edit it too). */
export function repositoryState() {
  const commit = git(["rev-parse", "--short", "HEAD"]) || "no commit";
  return git(["status", "--porcelain"]) ? `${commit} (with uncommitted changes)` : commit;
}

export function renderMarkdown(results, commandLine) {
  const lines = [];
  const date = results.startedAt.slice(0, 16).replace("T", " ");
  lines.push(`### ${date} UTC — \`${commandLine}\``, "");
  const { machine } = results;
  const commit = results.commit ?? repositoryState();
  const built = results.kilnBuilt ?? (existsSync(KILN) ? statSync(KILN).mtime.toISOString().slice(0, 16) : "missing");
  lines.push(
    `- machine: ${machine.cores} cores (${machine.cpu}), memory ${machine.memory}; load average (\`uptime\`) ${results.loadAtStart} at start, ${results.loadAtEnd} at end` +
      " — other agents build on this machine, so absolute times are pessimistic; ratios come from the same run",
    `- kiln: dev-profile \`${KILN}\` built ${built}Z, repository at ${commit}; UI from \`${uiFrom(results.uiDist)}\``,
    `- browser: ${machine.chromium}, headless, software rendering (\`--disable-gpu\`), 1440×900; node ${process.version}`,
    `- raw results and screenshots: \`${results.resultsDir}\``,
    "",
    "| case | Kiln Studio | peer, same run | peer/Kiln | target | met? |",
    "|---|---|---|---:|---|---|",
  );
  const row = (...cells) => lines.push(`| ${cells.join(" | ")} |`);

  if (results.start) {
    const s = results.start;
    row(
      `start → interactive, ${fmtInt(s.models)} models (spawn \`kiln serve\` → explorer lists files), ${s.runs.length} runs`,
      `${fmtMs(s.total.median)} (spawn→URL ${fmtMs(s.spawnToUrl.median)}, URL→explorer ${fmtMs(s.urlToExplorer.median)})`,
      "— (dbt has no studio)",
      "—",
      "— (none set)",
      "—",
    );
  }
  if (results.keystroke) {
    const k = results.keystroke;
    const dbt = results.dbtParse;
    const peerMs = dbt?.partial?.median;
    const peerText = dbt?.partial
      ? `\`dbt parse\` after one model changed (partial parse): ${fmtMs(peerMs)}; cold (\`--no-partial-parse\`): ${fmtMs(dbt.coldMs)}`
      : dbt?.skipped
        ? `not run (${dbt.skipped})`
        : "not run (--no-dbt or --smoke)";
    row(
      `keystroke → diagnostic shown (problem list + underline), ${fmtInt(k.models)} models, ${k.diagnostic.total.n} keys`,
      medianP95(k.diagnostic.total),
      peerText,
      ratio(peerMs, k.diagnostic.total.median),
      "< 100 ms",
      met(k.diagnostic.total.median, 100),
    );
    row(
      `keystroke → diagnostic gone, compiled SQL back (Backspace), ${k.cleared.total.n} keys`,
      medianP95(k.cleared.total),
      "same",
      ratio(peerMs, k.cleared.total.median),
      "< 100 ms",
      met(k.cleared.total.median, 100),
    );
    row(
      `keystroke → compiled-SQL panel updated, ${k.compiled.total.n} keys`,
      medianP95(k.compiled.total),
      "same",
      ratio(peerMs, k.compiled.total.median),
      "— (none set)",
      "—",
    );
    row(`\`compileModel\` API alone (buffer of one model), ${k.api.n} calls`, medianP95(k.api), "same", ratio(peerMs, k.api.median), "—", "—");
  }
  for (const lineage of results.lineage ?? []) {
    const label = `lineage, ${fmtInt(lineage.nodesShown)} nodes (${fmtInt(lineage.models)} models + 4 seeds; tests hidden, as the view opens)`;
    const firstNodes =
      lineage.firstNodesMs === null
        ? `none in view: empty canvas (camera placed after ${fmtMs(lineage.fittedMs)} at \`${lineage.transformAtOpen}\`)`
        : `${fmtMs(lineage.firstNodesMs)} (${fmtInt(lineage.renderedAfterOpen)} nodes in the DOM)`;
    row(`${label}: open → first laid-out nodes painted`, firstNodes, "—", "—", "< 2 s", lineage.firstNodesMs === null ? "no (nothing shown)" : met(lineage.firstNodesMs, 2000));
    if (lineage.elkDoneMs === null) {
      row("… open → instant layout done and camera placed (no ELK above 2,500 nodes)", fmtMs(lineage.settledMs), "—", "—", "< 2 s", met(lineage.settledMs, 2000));
    } else {
      row(`… open → ELK layout on screen (${lineage.elk}${lineage.refittedAfterElk ? ", view re-fitted" : ""})`, fmtMs(lineage.settledMs), "—", "—", "< 2 s", met(lineage.settledMs, 2000));
    }
    row(
      "… fit-view control → whole-project view painted",
      `${fmtMs(lineage.wholeFirstMs)} first frame, ${fmtMs(lineage.wholeStableMs)} until ${fmtInt(lineage.wholeRendered)} nodes in the DOM are stable`,
      "—",
      "—",
      "< 2 s",
      met(lineage.wholeStableMs, 2000),
    );
    const worst = Math.min(lineage.fps.zoom.fps, lineage.fps.pan.fps);
    row(
      "… wheel zoom in/out, then drag pan, from the whole-project view (frames per second)",
      `zoom ${fmtFps(lineage.fps.zoom.fps)}, pan ${fmtFps(lineage.fps.pan.fps)} (idle ${fmtFps(lineage.fps.idle.fps)}; worst frame ${fmtMs(Math.max(lineage.fps.zoom.worstFrameMs, lineage.fps.pan.worstFrameMs))})`,
      "—",
      "—",
      "60 fps",
      met(worst, 55, { lower: true, unit: "fps; ≥ 55 counts as 60" }),
    );
  }
  const duck = new Map((results.duckdb?.cases ?? []).map((entry) => [entry.rows, entry]));
  for (const entry of results.query?.results ?? []) {
    const peer = duck.get(entry.rows);
    const label = `query, ${fmtInt(entry.rows)} rows (\`${entry.sql}\`), ${entry.runs.length} run${entry.runs.length === 1 ? "" : "s"}`;
    row(
      `${label}: Ctrl+Enter → first rows in the grid`,
      medianP95(entry.firstRows),
      peer
        ? `python duckdb ${results.duckdb.version} \`fetchall()\` of the whole result: ${fmtMs(peer.wholeMs)} (\`fetchmany(200)\`: ${fmtMs(peer.first200Ms)})`
        : results.duckdb?.skipped
          ? `not run (${results.duckdb.skipped})`
          : "not run",
      ratio(peer?.wholeMs, entry.firstRows.median),
      "< 300 ms",
      met(entry.firstRows.median, 300),
    );
    row(
      "… Ctrl+Enter → row count shown",
      entry.countShown.median - entry.firstRows.median > 1
        ? `${medianP95(entry.countShown)} (rows first, count later)`
        : medianP95(entry.countShown),
      "—",
      "—",
      "—",
      "—",
    );
    const reachedNote =
      entry.scrollReachedRow >= entry.scrollTargetRow * 0.9
        ? `row ${fmtInt(entry.scrollReachedRow)}`
        : `only reached row ${fmtInt(entry.scrollReachedRow)} of ${fmtInt(entry.scrollTargetRow)}: the grid's height is capped by the browser`;
    row("… jump to the middle → rows visible", `${medianP95(entry.scroll)}, ${reachedNote}`, "—", "—", "—", "—");
    row(
      "… UI memory with the result shown (CDP JSHeapUsedSize)",
      `${fmtMiB(entry.heapShownMiB)} (after GC ${fmtMiB(entry.heapRetainedMiB)}; page before any query ${fmtMiB(results.query.heapBeforeMiB)}); \`kiln serve\` peak RSS ${fmtMiB(entry.serverPeakMiB)}`,
      "—",
      "—",
      "—",
      "—",
    );
  }

  exploreRows(results, row);
  canvasRows(results, row);

  lines.push("", "Where the time goes (medians; page clock, key/pointer event → first animation frame showing the result):", "");
  lines.push("| case | wait before the request | request (engine + HTTP) | engine alone | render after the response |", "|---|---:|---:|---:|---:|");
  if (results.keystroke) {
    const k = results.keystroke;
    for (const [name, part] of [
      ["keystroke → diagnostic shown", k.diagnostic],
      ["keystroke → diagnostic gone", k.cleared],
      ["keystroke → compiled SQL", k.compiled],
    ]) {
      row(name, fmtMs(part.wait.median), fmtMs(part.api.median), "—", fmtMs(part.render.median));
    }
  }
  for (const entry of results.query?.results ?? []) {
    row(
      `query ${fmtInt(entry.rows)} rows → first rows`,
      fmtMs(entry.wait.median),
      fmtMs(entry.request.median),
      fmtMs(entry.engine.median),
      fmtMs(entry.render.median),
    );
  }
  exploreTimeRows(results, row);
  canvasTimeRows(results, row);
  for (const lineage of results.lineage ?? []) {
    row(
      `lineage ${fmtInt(lineage.nodesShown)} nodes: open / whole-project view`,
      `graph fetched at start-up, before the view opens: ${fmtMs(lineage.graphApiMs)}, ${fmtInt(lineage.graphBytes / 1024)} KiB`,
      "—",
      "—",
      `main-thread long tasks while opening ${fmtMs(lineage.openLongTaskMs)} (longest ${fmtMs(lineage.openLongestTaskMs)}), while fitting the whole project ${fmtMs(lineage.wholeLongTaskMs)} (longest ${fmtMs(lineage.wholeLongestTaskMs)})`,
    );
  }
  const profiles = [];
  for (const lineage of results.lineage ?? []) {
    const p = lineage.profiles ?? {};
    if (p.open) profiles.push([`lineage ${fmtInt(lineage.nodesShown)} nodes, opening`, p.open]);
    if (p.whole) profiles.push([`lineage ${fmtInt(lineage.nodesShown)} nodes, fit-view → whole project`, p.whole]);
    if (p.panZoom) profiles.push([`lineage ${fmtInt(lineage.nodesShown)} nodes, idle + zoom + pan`, p.panZoom]);
  }
  for (const entry of results.query?.profiles ?? []) profiles.push([`query ${fmtInt(entry.rows)} rows, Ctrl+Enter → first rows`, entry.profile]);
  if (results.regionmap?.profile) profiles.push([`region map of ${fmtInt(results.regionmap.shapes)} counties, open → filled`, results.regionmap.profile]);
  if (results.pointmap?.profile) profiles.push([`point map ${fmtInt(results.pointmap.rows)} rows, Grid → Chart → markers drawn`, results.pointmap.profile]);
  if (profiles.length > 0) {
    lines.push(
      "",
      "CPU profiles of the page (`--profile`; self time by source package or file, through the bundle's source maps; " +
        "\"(program)\" is the browser's own work outside JavaScript: style, layout, paint; worker threads are not included):",
      "",
    );
    lines.push("| step | main-thread time by source |", "|---|---|");
    for (const [name, summary] of profiles) row(name, formatProfile(summary));
  }
  dashboardPanels(results, lines, row);
  for (const failure of results.failures ?? []) {
    lines.push("", `**${failure.case} failed:** ${failure.error}`);
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}

/** Where the UI was served from: `ui/dist` of the repository, or the path UI_DIST named. */
function uiFrom(uiDist) {
  const path = uiDist ?? UI_DIST;
  return path === `${REPO}/ui/dist` ? "ui/dist" : path;
}

/** The model canvas case (a 30-step model over a 10M-row table) in the main table. */
function canvasRows(results, row) {
  const c = results.canvas;
  if (!c) return;
  const peer = c.peer ?? {};
  const engine = peer.version ? `python duckdb ${peer.version}, ${peer.threads} threads` : null;
  row(
    `canvas, a ${c.steps}-step model over ${fmtInt(c.rows)} rows (\`models/canvas/canvas_steps_NN.sql\`): the explorer's "Open in canvas" → all ${c.steps} step cards, ${plural(c.open.total.n, "open")} of models not opened before`,
    medianP95(c.open.total),
    "—",
    "—",
    "< 200 ms",
    met(c.open.total.median, 200),
  );
  for (const step of c.preview.steps) {
    const bare = step.peer;
    const peerCell = !engine
      ? `not run (${peer.skipped ?? "—"})`
      : bare
        ? `DuckDB alone (${engine}): the step's first ${PREVIEW_ROWS} rows ${fmtMs(bare.firstMs)}` +
          (bare.rows < PREVIEW_ROWS ? ` (all of them)` : `, its \`count(*)\` ${fmtMs(bare.countMs)} more`)
        : "—";
    row(
      `… click step ${step.index + 1}/${c.steps} \`${step.step}\` (${step.kind}, ${fmtInt(step.rowCount)} rows) → its first rows in the preview, ${plural(step.shown.n, "click")}`,
      medianP95(step.shown),
      peerCell,
      ratio(bare?.firstMs, step.shown.median),
      "< 300 ms",
      met(step.shown.median, 300),
    );
  }
  const e = c.edit;
  row(
    `… keystroke in step \`${e.step}\`'s filter (\`${e.digit}\` typed after \`${e.filter}\`, then Backspace) → the SQL panel shows the new text, ${e.total.n} keys`,
    medianP95(e.total),
    "—",
    "—",
    "< 100 ms",
    met(e.total.median, 100),
  );
}

/** The canvas case in the "where the time goes" table. */
function canvasTimeRows(results, row) {
  const c = results.canvas;
  if (!c) return;
  row(`canvas open → ${c.steps} cards`, fmtMs(c.open.wait.median), `\`canvasOpen\` ${fmtMs(c.open.request.median)} (${fmtInt(c.open.bytes / 1024)} KiB)`, "—", fmtMs(c.open.render.median));
  for (const step of c.preview.steps) {
    row(
      `canvas click → \`${step.step}\` first rows`,
      fmtMs(step.wait.median),
      `\`canvasPreview\` ${fmtMs(step.request.median)}${step.alone ? ` (from node, no page: ${fmtMs(step.alone.api.median)})` : ""}`,
      fmtMs(step.engine.median),
      fmtMs(step.render.median),
    );
  }
  row("canvas keystroke → SQL panel", fmtMs(c.edit.wait.median), `\`canvasUpdate\` ${fmtMs(c.edit.request.median)}`, "—", fmtMs(c.edit.render.median));
}

/** The dashboard, chart and map cases (issue 9, "Speed") in the main table. */
function exploreRows(results, row) {
  const d = results.dashboard;
  if (d) {
    const peer = d.peer;
    const peerName = peer?.version ? `python duckdb ${peer.version}` : null;
    const peerCell = peerName ? `${peerName}, the six panel queries one after another: ${fmtMs(peer.sequentialMs)}; all at once: ${fmtMs(peer.parallelMs)}` : `not run (${peer?.skipped ?? "—"})`;
    const slowest = d.panels.reduce((worst, panel) => (panel.paintedMs > worst.paintedMs ? panel : worst), d.panels[0]);
    const what = `dashboard, 6 panels over ${fmtInt(d.rows)} rows (stat, line per hour × 5 series, bars, heatmap, point map of 200 sensor averages, table)`;
    const live = d.live;
    if (live && !live.drawn) {
      row(
        `${what}, \`refresh: 1s\` as the file says (\`dashboards/bench.yml\`): open → every panel's data on screen`,
        `never within ${fmtMs(live.waitedMs)}: ${live.notDrawn.join(", ")} not drawn. Every tick asks all six again while the last answers are still being computed, and drops them: ` +
          `${fmtInt(live.requests)} requests sent, ${fmtInt(live.answered)} answered (median ${fmtMs(live.answer?.median)}, max ${fmtMs(live.answer?.max)}), ${fmtInt(live.superseded)} answers dropped; \`kiln serve\` RSS ${fmtMiB(live.rssMiB)}`,
        "—",
        "—",
        "< 1 s",
        "no (never drawn)",
      );
    }
    const paced = d.openedPath?.includes("paced");
    row(
      paced ? `… the same panels without the timer (\`dashboards/bench_paced.yml\`, fresh \`kiln serve\`): open → every panel's data on screen` : `${what}, \`dashboards/bench.yml\` (\`refresh: 1s\`): open → every panel's data on screen`,
      `${fmtMs(d.openMs)} (last: ${slowest.title}); every ECharts entry animation finished ${fmtMs(d.finishedMs)}`,
      peerCell,
      ratio(peer?.parallelMs, d.openMs),
      "< 1 s",
      met(d.openMs, 1000),
    );
    const r = d.refresh;
    const how =
      r.mode === "paced"
        ? `Refresh pressed every second once the last refresh had answered (${fmtInt(r.pressed)} times; ${fmtInt(r.busy)} seconds skipped while one ran)`
        : "the dashboard's own 1 s timer";
    row(
      `… each refresh, ${how}, for ${r.minutes} min with ${fmtInt(r.insertsPerSecond)} rows inserted a second: engine time (six \`panelData\` requests at once, first sent → last answered), ${fmtInt(r.completeRefreshes)} refreshes${r.stoppedEarly ? `; stopped ${r.stoppedEarly}` : ""}`,
      `${medianP95(r.wall)}; one request ${medianP95(r.request)}; ${fmtInt(r.superseded)} answers dropped because the panel had asked again, ${fmtInt(r.failedCalls)} failed`,
      peerName ? `the six queries at once: ${fmtMs(peer.parallelMs)}` : "—",
      ratio(peer?.parallelMs, r.wall.median),
      "< 200 ms",
      met(r.wall.median, 200),
    );
    const m = d.memory;
    const heapFlat = flat(m.heapStartMiB, m.heapEndMiB);
    const rssFlat = flat(m.rssStartMiB, m.rssEndMiB);
    const samples = m.samples ?? [];
    const range = (field) => `${fmtMiB1(Math.min(...samples.map((sample) => sample[field])))}–${fmtMiB1(Math.max(...samples.map((sample) => sample[field])))}`;
    row(
      `… memory over those ${r.minutes} min (CDP JSHeapUsedSize and \`kiln serve\` VmRSS, after a forced GC at start${r.warmUpS ? ` — after ${r.warmUpS} s of refreshing —` : ""} and end; sampled every 10 s)`,
      `UI heap ${fmtMiB1(m.heapStartMiB)} → ${fmtMiB1(m.heapEndMiB)} (samples ${range("heapMiB")}); \`kiln serve\` RSS ${fmtMiB1(m.rssStartMiB)} → ${fmtMiB1(m.rssEndMiB)} (samples ${range("rssMiB")}, peak ${fmtMiB1(m.peakMiB)})` +
        (m.beforeWarmUp ? `; before the warm-up: heap ${fmtMiB1(m.beforeWarmUp.heapMiB)}, RSS ${fmtMiB1(m.beforeWarmUp.rssMiB)}` : ""),
      "—",
      "—",
      "flat",
      heapFlat === null || rssFlat === null
        ? "—"
        : heapFlat && rssFlat
          ? "yes (each within 10 %)"
          : `no (${[heapFlat ? null : `heap +${fmtMiB1(m.heapEndMiB - m.heapStartMiB)}`, rssFlat ? null : `RSS +${fmtMiB1(m.rssEndMiB - m.rssStartMiB)}`].filter(Boolean).join(", ")})`,
    );
  }
  const t = results.timeseries;
  if (t) {
    row(
      `time series, ${fmtInt(t.rows)} rows (\`${t.sql}\`): Grid → Chart, the suggested ${t.suggested.spec.kind} per ${t.suggested.spec.bucket ?? "—"} drawn`,
      `${fmtMs(t.suggested.paintedMs)} (${fmtInt(t.suggested.points)} points; ${fmtInt(t.suggested.requests)} \`chartData\` requests)`,
      "—",
      "—",
      "—",
      "—",
    );
    row(
      "… value as each row (\"Each row\"): setting → the raw series, down-sampled by the engine (LTTB), drawn",
      `${fmtMs(t.raw.paintedMs)} (${fmtInt(t.raw.points)} points drawn: ${t.raw.sampled ?? "not down-sampled"})`,
      "—",
      "—",
      "< 300 ms",
      met(t.raw.paintedMs, 300),
    );
    const window_ = t.zoomWindowBeforePan;
    row(
      `… wheel zoom in/out, then drag pan zoomed in (ECharts dataZoom${window_ ? `, ${Math.round(window_.end - window_.start)} % of the range in view while panning` : ""}; frames per second)`,
      fpsCell(t.fps),
      "—",
      "—",
      "≥ 55 fps",
      fpsMet(t.fps),
    );
  }
  const p = results.pointmap;
  if (p) {
    row(
      `point map, ${fmtInt(p.rows)} rows (\`${p.sql}\`): Grid → Chart, markers drawn`,
      `${fmtMs(p.drawnMs)} (${fmtInt(p.markers)} markers on one canvas${p.notes?.length ? `; the chart notes: ${p.notes.join("; ")}` : ""})`,
      "—",
      "—",
      "< 500 ms",
      met(p.drawnMs, 500),
    );
    row(`… wheel zoom in/out, then drag pan (Leaflet; scale bar ${p.scale.before} → ${p.scale.after} zoomed in; frames per second)`, fpsCell(p.fps), "—", "—", "≥ 55 fps", fpsMet(p.fps));
  }
  const g = results.regionmap;
  if (g?.skipped) row("region map of the ~3,200 US counties", `not available: ${g.skipped}`, "—", "—", "< 500 ms", "—");
  else if (g) {
    row(
      `region map, ${fmtInt(g.shapes)} US counties (us-atlas counties-10m as a project TopoJSON file, \`regions: projectFile\`: the app has no built-in counties set), one dashboard panel: open → regions filled`,
      `${fmtMs(g.drawnMs)} (${fmtInt(g.filled)} filled, ${fmtInt(g.unmatched)} unmatched; the map's attributes at ${fmtMs(g.attributesMs)}, counted drawn two frames later, when Leaflet has painted)`,
      "—",
      "—",
      "< 500 ms",
      met(g.drawnMs, 500),
    );
    row(
      `… wheel zoom in/out, then drag pan over the contiguous US (Leaflet canvas; scale bar ${g.scale.before} → ${g.scale.after} zoomed in; frames per second)`,
      fpsCell(g.fps),
      "—",
      "—",
      "≥ 55 fps",
      fpsMet(g.fps),
    );
  }
}

/** The same cases in the "where the time goes" table. */
function exploreTimeRows(results, row) {
  const d = results.dashboard;
  if (d) {
    const slowest = d.panels.reduce((worst, panel) => (panel.paintedMs > worst.paintedMs ? panel : worst), d.panels[0]);
    row(
      `dashboard open → last panel on screen (${slowest.title})`,
      `${fmtMs(slowest.requestStartMs)} (\`openDashboard\` ${fmtMs(d.openDashboardMs)}, then the panel asks)`,
      fmtMs(slowest.requestMs),
      "—",
      fmtMs(slowest.paintedMs - slowest.requestStartMs - slowest.requestMs),
    );
  }
  const t = results.timeseries;
  if (t) {
    row(`time series ${fmtInt(t.rows)} rows: Chart → suggested chart`, fmtMs(t.suggested.waitMs), `${fmtMs(t.suggested.requestMs)} (${fmtInt(t.suggested.bytes / 1024)} KiB)`, "—", fmtMs(t.suggested.renderMs));
    row(`time series ${fmtInt(t.rows)} rows: "Each row" → down-sampled line`, fmtMs(t.raw.waitMs), `${fmtMs(t.raw.requestMs)} (${fmtInt(t.raw.bytes / 1024)} KiB)`, "—", fmtMs(t.raw.renderMs));
  }
  const p = results.pointmap;
  if (p) row(`point map ${fmtInt(p.rows)} rows: Chart → markers`, fmtMs(p.waitMs), `${fmtMs(p.requestMs)} (${fmtInt(p.bytes / 1024)} KiB)`, "—", fmtMs(p.renderMs));
  const g = results.regionmap;
  if (g && !g.skipped) {
    row(
      `region map ${fmtInt(g.shapes)} counties: open → filled`,
      "—",
      `\`panelData\` ${fmtMs(g.panelDataMs)}; \`readFile\` of the shapes ${fmtMs(g.readFileMs)} (${fmtInt(g.fileBytes / 1024)} KiB)`,
      "—",
      `${fmtMs(g.drawnMs - g.lastAnswerMs)} after the last answer`,
    );
  }
}

/** Per panel of the dashboard: its engine time at open and while refreshing, and the peer's. */
function dashboardPanels(results, lines, row) {
  const d = results.dashboard;
  if (!d) return;
  const peer = new Map((d.peer?.panels ?? []).map((panel) => [panel.title, panel]));
  lines.push(
    "",
    `Dashboard panels: at open and while refreshing, the \`panelData\` request times on the page's clock (six at once); alone, ${results.options?.smoke ? 2 : 5} requests one at a time from node after the refreshing (HTTP and JSON included; the engine also runs a \`LIMIT 0\` describe per panel, and a point map counts its rows off the map). The peer runs each panel's answered \`sql\` on a copy of the same DuckDB file, one query at a time: median of ${results.options?.smoke ? 2 : 5} runs after a warm-up; peer/Kiln compares it with the panel alone:`,
    "",
    "| panel | drawn | open → on screen | at open: request | refreshing: request median (p95) | alone: median | python duckdb | peer/Kiln |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
  );
  d.panels.forEach((panel, index) => {
    const refresh = d.refresh.perPanel[index];
    const alone = d.alone?.[index];
    const theirs = peer.get(panel.title);
    const drawn = { stat: `stat ${panel.detail?.value ?? ""}`, table: `table, ${fmtInt(panel.detail?.rows)} rows`, pointMap: `point map, ${fmtInt(panel.detail?.markers)} markers`, echart: `${fmtInt(panel.detail?.series)} series, ${fmtInt(panel.detail?.points)} points` }[panel.kind] ?? panel.kind;
    row(
      panel.title,
      drawn,
      fmtMs(panel.paintedMs),
      fmtMs(panel.requestMs),
      refresh ? `${fmtMs(refresh.median)} (${fmtMs(refresh.p95)})` : "—",
      fmtMs(alone?.median),
      fmtMs(theirs?.medianMs),
      ratio(theirs?.medianMs, alone?.median),
    );
  });
}

const SECTION = "## Studio";
const SECTION_INTRO = `${SECTION}

Kiln Studio speed, measured by \`bench/studio/run.sh\` (node + playwright-core driving Debian's chromium
against a real \`kiln serve\`; see \`bench/studio/README.md\` for what each case does). Each run appends
a dated entry here, newest last.
`;

/**
 * Adds an entry at the end of the "## Studio" section (before the next "## " heading), creating the
 * section before "## Run log" if it is missing, so that bench/run.sh's entries, which go at the end
 * of the file, never land inside it.
 */
export function insertStudioEntry(document, entry) {
  const lines = document.split("\n");
  let start = lines.findIndex((line) => line.trim() === SECTION);
  if (start < 0) {
    const runLog = lines.findIndex((line) => line.trim() === "## Run log");
    const intro = SECTION_INTRO.split("\n");
    if (runLog < 0) {
      const body = document.endsWith("\n") ? document : `${document}\n`;
      return `${body}\n${SECTION_INTRO}\n${entry}`;
    }
    lines.splice(runLog, 0, ...intro);
    start = runLog;
  }
  let end = lines.findIndex((line, index) => index > start && line.startsWith("## "));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, end);
  while (before.length > 0 && before[before.length - 1].trim() === "") before.pop();
  const after = lines.slice(end);
  const entryLines = entry.replace(/\n+$/, "").split("\n");
  const joined = [...before, "", ...entryLines, ...(after.length ? ["", ...after] : [""])];
  return joined.join("\n");
}

export function appendToBenchmarks(path, entry) {
  writeFileSync(path, insertStudioEntry(readFileSync(path, "utf8"), entry));
}

// `node bench/studio/report.js RESULTS.json` prints a past run's markdown again (e.g. after the table
// format changed) without re-measuring.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: node bench/studio/report.js RESULTS.json");
    process.exit(2);
  }
  const results = JSON.parse(readFileSync(path, "utf8"));
  process.stdout.write(renderMarkdown(results, results.options?.commandLine ?? "bench/studio/run.sh"));
}
