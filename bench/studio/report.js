// Turns bench.js results into the markdown that goes under "## Studio" in BENCHMARKS.md.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { KILN, REPO } from "./harness.js";
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
// With fewer than 10 samples a 95th percentile is just the largest one, so say so.
const medianP95 = (stats) => `${fmtMs(stats.median)} (${stats.n >= 10 ? "p95" : "max"} ${fmtMs(stats.n >= 10 ? stats.p95 : stats.max)})`;
const ratio = (peer, ours) => (Number.isFinite(peer) && Number.isFinite(ours) && ours > 0 ? `${(peer / ours).toFixed(1)}×` : "—");

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
    `- kiln: dev-profile \`${KILN}\` built ${built}Z, repository at ${commit}; UI from \`ui/dist\``,
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
  for (const failure of results.failures ?? []) {
    lines.push("", `**${failure.case} failed:** ${failure.error}`);
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
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
