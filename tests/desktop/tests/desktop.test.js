// The real kiln-studio binary (Tauri 2 on WebKitGTK) in a real X window, driven through
// WebKitWebDriver: it must open the TICKIT project, and Build pressed in the window must turn the
// project green — which only happens if engine events reach the webview on `kiln://event`.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { inkShare, pngStats } from "./png.js";
import { newSession, startDriver } from "./webdriver.js";

const here = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(here, "../../..");
const TARGET = process.env.CARGO_TARGET_DIR ?? join(process.env.HOME ?? "/root", ".cache/kiln-target");
const KILN = process.env.KILN_BIN ?? join(TARGET, "debug/kiln");
const KILN_STUDIO = process.env.KILN_STUDIO_BIN ?? join(TARGET, "debug/kiln-studio");

/** Screenshots go to $TMPDIR (never the repository). */
const SHOT_DIR = join(process.env.TMPDIR ?? tmpdir(), "kiln-desktop-shots");

/** TICKIT models the explorer must list (paths relative to the project). */
const MODELS = [
  "models/marts/sales/fct_sales.sql",
  "models/marts/marketing/dim_events.sql",
  "models/staging/tickit/stg_tickit__sales.sql",
  "models/intermediate/int_buyers_extracted_from_users.sql",
];

/** Checks that a screenshot is not blank, and saves it. */
function saveShot(png, name) {
  const path = join(SHOT_DIR, `${name}.png`);
  writeFileSync(path, png);
  const stats = pngStats(png);
  assert.ok(stats.width >= 800 && stats.height >= 500, `${path}: tiny screenshot ${stats.width}x${stats.height}`);
  assert.ok(stats.distinctColours >= 32, `${path} looks blank: only ${stats.distinctColours} colours`);
  assert.ok(stats.dominantShare < 0.95, `${path} looks blank: one colour covers ${(stats.dominantShare * 100).toFixed(1)}%`);
  return { path, ...stats };
}

/** The bounding box (CSS pixels) of every element matching `selector`, and the device pixel ratio. */
const BOUNDS = `
  const boxes = [...document.querySelectorAll(arguments[0])].map((node) => node.getBoundingClientRect()).filter((box) => box.width > 0);
  if (boxes.length === 0) return null;
  const x = Math.max(0, Math.min(...boxes.map((box) => box.left)));
  const y = Math.max(0, Math.min(...boxes.map((box) => box.top)));
  const right = Math.min(innerWidth, Math.max(...boxes.map((box) => box.right)));
  const bottom = Math.min(innerHeight, Math.max(...boxes.map((box) => box.bottom)));
  return { rect: { x, y, width: right - x, height: bottom - y }, ratio: devicePixelRatio };`;

/**
 * A screenshot in which the elements matching each selector are really painted: the DOM can be
 * ready a frame before the window shows it, so this waits for frames and retries until their area
 * holds text (dark pixels), then saves it.
 */
async function paintedShot(session, name, selectors) {
  let last = "";
  for (let attempt = 0; attempt < 20; attempt++) {
    await session.executeAsync("const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 100)));");
    const png = await session.screenshot();
    const inks = [];
    for (const selector of selectors) {
      const bounds = await session.execute(BOUNDS, selector);
      inks.push(bounds ? inkShare(png, bounds.rect, bounds.ratio) : 0);
    }
    last = selectors.map((selector, i) => `${selector}: ${(inks[i] * 100).toFixed(2)}% ink`).join(", ");
    if (inks.every((ink) => ink > 0.01)) return { ...saveShot(png, name), ink: last };
    writeFileSync(join(SHOT_DIR, `${name}-unpainted.png`), png);
  }
  throw new Error(`the window never painted ${name} (${last}); see ${join(SHOT_DIR, `${name}-unpainted.png`)}`);
}

/** PIDs of kiln-studio processes opened on `project` (Linux /proc). */
function appProcesses(project) {
  const pids = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (argv[0] === KILN_STUDIO && argv.includes(project)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

describe("Kiln Studio desktop window", () => {
  let dir;
  let project;
  let driver;
  let session;

  before(async () => {
    assert.ok(process.env.DISPLAY || process.env.WAYLAND_DISPLAY, "no display: run under `xvfb-run -a -s '-screen 0 1400x900x24' npm test`");
    for (const binary of [KILN, KILN_STUDIO]) {
      assert.ok(existsSync(binary), `${binary} is missing: cargo build -p kiln-cli -p kiln-studio (after building ui/dist)`);
    }
    mkdirSync(SHOT_DIR, { recursive: true });
    dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), "kiln-desktop-"));
    project = join(dir, "tickit");
    cpSync(join(REPO, "projects/tickit"), project, {
      recursive: true,
      // A local build of the sample project must not leak its warehouse or artifacts in.
      filter: (source) => !/[/\\](\.kiln|target|lake|logs)$/.test(source),
    });
    const demo = spawnSync(KILN, ["demo", "tickit", "--scale", "0.01", "--project-dir", project], { encoding: "utf8" });
    assert.equal(demo.status, 0, `kiln demo failed: ${demo.stderr}`);

    driver = await startDriver();
    session = await newSession(driver, KILN_STUDIO, ["--project-dir", project]);
  });

  after(async () => {
    const started = Date.now();
    await session?.close().catch((error) => console.log(`# closing the session failed: ${error.message}`));
    // Ending the session makes WebKitWebDriver kill the app; give it a moment before the driver goes.
    for (let waited = 0; project && waited < 5_000 && appProcesses(project).length > 0; waited += 100) {
      await new Promise((done) => setTimeout(done, 100));
    }
    await driver?.stop();
    // WebKitWebDriver ends the app with the session; if either went wrong, the app (started for
    // this test's unique project folder) must still not outlive the test.
    if (project) {
      const left = appProcesses(project);
      for (const pid of left) process.kill(pid, "SIGKILL");
      if (left.length > 0) console.log(`# killed ${left.length} kiln-studio process(es) left running`);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`# teardown took ${Date.now() - started} ms`);
  });

  test("the window opens on the TICKIT project", async () => {
    // The session is the Tauri webview itself (wry), not a browser.
    assert.equal(session.capabilities.browserName, "wry");
    const { href, protocol } = await session.execute("return { href: location.href, protocol: location.protocol };");
    assert.equal(protocol, "tauri:", `the window shows ${href}, not the embedded UI`);
    const tauri = await session.execute("return window.__TAURI_INTERNALS__ !== undefined;");
    assert.equal(tauri, true, "the UI does not see Tauri's IPC, so it would not use the desktop backend");

    const paths = await session.waitFor(
      "the explorer to list fct_sales",
      async () => {
        const listed = await session.execute(
          "return [...document.querySelectorAll('[data-testid=\"tree-file\"]')].map((node) => node.getAttribute('data-path'));",
        );
        return listed.includes(MODELS[0]) ? listed : null;
      },
      60_000,
    );
    for (const model of MODELS) assert.ok(paths.includes(model), `explorer lacks ${model}; it lists ${paths.join(", ")}`);

    // The lineage canvas draws the project graph: 13 models among the sources and exposures.
    const names = await session.waitFor(
      "the lineage graph",
      async () => {
        const drawn = await session.execute(
          "return [...document.querySelectorAll('[data-testid=\"lineage-node\"]')].map((node) => node.getAttribute('data-name'));",
        );
        // The layout runs off the main thread: until it settles, nodes may sit where the canvas
        // does not draw them, so wait for the ones this test names rather than for a count.
        const wanted = ["fct_sales", "dim_events", "stg_tickit__sales"];
        return drawn.length >= 13 && wanted.every((name) => drawn.includes(name)) ? drawn : null;
      },
      30_000,
    );
    for (const name of ["fct_sales", "dim_events", "stg_tickit__sales"]) assert.ok(names.includes(name), `lineage lacks ${name}`);

    const shot = await paintedShot(session, "01-desktop-opened", ['[data-testid="tree-file"]', '[data-testid="lineage-node"]']);
    console.log(`# screenshot ${shot.path}: ${shot.width}x${shot.height}, ${shot.distinctColours} colours; ${shot.ink}`);
  });

  test("Build pressed in the window turns the project green", async () => {
    const before = pngStats(await session.screenshot());
    const [build] = await session.findAll('[data-testid="run-build"]');
    assert.ok(build, "no Build button in the window");
    await session.click(build);

    // The run chip and run panel are driven only by engine events (runStarted, nodeFinished,
    // runFinished), so their reaching a final state proves the kiln://event forwarding.
    const status = await session.waitFor(
      "the build to finish",
      () =>
        session.execute(
          "const chip = document.querySelector('[data-testid=\"run-chip\"]'); const s = chip && chip.getAttribute('data-status'); return s && s !== 'running' ? s : null;",
        ),
      180_000,
    );
    assert.equal(status, "success", "the build did not succeed in the desktop window");

    const rows = await session.execute(
      "return [...document.querySelectorAll('[data-testid=\"run-node\"]')].map((node) => [node.getAttribute('data-name'), node.getAttribute('data-status')]);",
    );
    assert.ok(rows.length > 0, "the run panel lists no nodes");
    for (const [name, nodeStatus] of rows) assert.ok(["success", "pass"].includes(nodeStatus), `run node ${name} is ${nodeStatus}`);

    // Every model in the lineage graph carries its green status from the run. The run panel
    // takes height from the lineage, and only nodes in view are drawn: fit the graph first.
    const [fit] = await session.findAll(".react-flow__controls-fitview");
    if (fit) await session.click(fit);
    const lineage = await session.waitFor(
      "lineage nodes to show the run's statuses",
      async () => {
        const nodes = await session.execute(
          "return Object.fromEntries([...document.querySelectorAll('[data-testid=\"lineage-node\"]')].map((node) => [node.getAttribute('data-name'), node.getAttribute('data-status')]));",
        );
        return Object.values(nodes).filter((value) => value === "success").length >= 13 ? nodes : null;
      },
      30_000,
    );
    for (const name of ["fct_sales", "fct_listings", "dim_events", "stg_tickit__sales", "int_buyers_extracted_from_users"]) {
      assert.equal(lineage[name], "success", `lineage node ${name}`);
    }
    const red = Object.entries(lineage).filter(([, value]) => ["error", "fail", "skipped"].includes(value));
    assert.deepEqual(red, [], "no lineage node may be red after a green build");

    // The engine's own record, written by the same process, agrees with the window.
    const runResults = JSON.parse(readFileSync(join(project, "target/run_results.json"), "utf8"));
    assert.ok(runResults.results.length > 100, `expected the models and 138 tests, got ${runResults.results.length} results`);
    const bad = runResults.results.filter((result) => !["success", "pass"].includes(result.status));
    assert.deepEqual(bad.map((result) => `${result.unique_id}: ${result.status}`), []);

    const shot = await paintedShot(session, "02-desktop-build-green", ['[data-testid="run-node"]', '[data-testid="lineage-node"]']);
    console.log(`# screenshot ${shot.path}: ${shot.greenPixels} green pixels (before Build: ${before.greenPixels})`);
    assert.ok(shot.greenPixels > before.greenPixels + 500, `the window did not turn green: ${before.greenPixels} → ${shot.greenPixels} green pixels`);
  });

  test("the TICKIT dashboard draws its charts and map in the window (WebKitGTK, canvas)", async () => {
    const [sidebar] = await session.findAll('[aria-label="Dashboards"]');
    assert.ok(sidebar, "no Dashboards button in the side bar");
    await session.click(sidebar);
    const [item] = await session.waitFor("the dashboard list", () =>
      session.findAll('[data-testid="dashboard-item"][data-path="dashboards/tickit_sales_summary.yml"]').then((found) => (found.length ? found : null)),
    );
    await session.click(item);
    // Every panel answers: charts report what they drew, the map how many states it filled.
    const drawn = await session.waitFor(
      "every panel to draw",
      () =>
        session.execute(`
          const panels = [...document.querySelectorAll('[data-testid="dashboard-panel"]')];
          const charts = panels.map((panel) => panel.querySelector('[data-testid="echart"]')).filter(Boolean);
          const stats = panels.map((panel) => panel.querySelector('[data-testid="stat-value"]')).filter(Boolean);
          const map = document.querySelector('[data-testid="region-map"]');
          const ready = panels.length === 8 && charts.length === 3 && charts.every((chart) => chart.dataset.points) && stats.length === 4 && map && Number(map.dataset.filled) > 0;
          return ready ? { points: charts.map((chart) => Number(chart.dataset.points)), stats: stats.map((stat) => stat.textContent), filled: Number(map.dataset.filled) } : null;`),
      60_000,
    );
    assert.ok(drawn.points.every((points) => points > 0), `charts drew ${drawn.points}`);
    assert.ok(drawn.stats.every((text) => /\d/.test(text)), `stats read ${drawn.stats}`);
    // WebKitGTK under a C locale groups no thousands unless the app asks for a language.
    assert.match(drawn.stats[0], /^\d{1,3}(,\d{3})+(\.\d+)?$/, "total sales reads with grouped thousands");
    const shot = await paintedShot(session, "03-desktop-dashboard", ['[data-testid="dashboard-panel"]', '[data-testid="echart"]']);
    console.log(`# screenshot ${shot.path}: ${shot.width}x${shot.height}, ${shot.distinctColours} colours; ${drawn.filled} states filled`);
  });

  test("the dashboard imported from Grafana draws its converted panels in the window", async () => {
    // The browser tests' Grafana fixture, converted by the CLI while the window is open: the
    // studio picks the new file up from disk.
    const imported = spawnSync(KILN, ["dashboard", "import", join(REPO, "tests/fixtures/grafana/tickit_grafana.json"), "--project-dir", project], { encoding: "utf8" });
    assert.equal(imported.status, 0, `kiln dashboard import failed: ${imported.stderr}`);
    const [item] = await session.waitFor("the imported dashboard in the list", () =>
      session.findAll('[data-testid="dashboard-item"][data-path="dashboards/tickit_in_grafana.yml"]').then((found) => (found.length ? found : null)),
    );
    await session.click(item);
    const drawn = await session.waitFor(
      "the converted panels to draw",
      () =>
        session.execute(`
          const root = [...document.querySelectorAll('[data-testid="dashboard"]')].find((d) => d.dataset.path === "dashboards/tickit_in_grafana.yml" && d.offsetParent !== null);
          if (!root) return null;
          const panels = [...root.querySelectorAll('[data-testid="dashboard-panel"]')];
          const charts = panels.map((panel) => panel.querySelector('[data-testid="echart"]')).filter(Boolean);
          const stats = panels.map((panel) => panel.querySelector('[data-testid="stat-value"]')).filter(Boolean);
          const ready = panels.length === 11 && charts.length > 0 && charts.every((chart) => chart.dataset.points) && stats.every((stat) => /\\d/.test(stat.textContent));
          return ready ? { panels: panels.length, charts: charts.length, stats: stats.length } : null;`),
      60_000,
    );
    assert.equal(drawn.panels, 11);
    const shot = await paintedShot(session, "04-desktop-grafana-import", ['[data-testid="dashboard-panel"]', '[data-testid="echart"]']);
    console.log(`# screenshot ${shot.path}: ${shot.width}x${shot.height}, ${shot.distinctColours} colours; ${drawn.charts} charts, ${drawn.stats} stats`);
  });

  test("Explain in the window shows a join's plan as a tree beside the connection picker", async () => {
    await session.execute(`[...document.querySelectorAll('[role="tab"]')].find((tab) => tab.textContent.trim().startsWith("Query")).click();`);
    await session.waitFor("the console editor", () => session.findAll('[data-testid="console-editor"] .cm-content').then((found) => (found.length ? found : null)));
    await session.execute(`
      const node = document.querySelector('[data-testid="console-editor"] .cm-content');
      const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
      const sql = "select e.event_name, sum(s.price_paid) as sales\\nfrom {{ ref('fct_sales') }} s\\njoin {{ ref('stg_tickit__events') }} e on e.event_name = s.event_name\\ngroup by 1";
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: sql }, selection: { anchor: 0 } });`);
    await session.execute(`document.querySelector('[data-testid="explain"]').click();`);
    const steps = await session.waitFor(
      "the plan tree",
      () => session.execute(`const tree = document.querySelector('[data-testid="explain-tree"]'); return tree && tree.textContent.includes("HASH_JOIN") ? tree.textContent.length : null;`),
      60_000,
    );
    assert.ok(steps > 0);
    const picker = await session.execute(`return document.querySelector('[data-testid="connection-picker"]')?.selectedOptions?.[0]?.textContent ?? null;`);
    assert.match(picker ?? "", /duckdb/, "the picker shows the project's DuckDB target");
    const shot = await paintedShot(session, "05-desktop-explain", ['[data-testid="explain-tree"]', '[data-testid="connection-picker"]']);
    console.log(`# screenshot ${shot.path}: ${shot.width}x${shot.height}, ${shot.distinctColours} colours; ${shot.ink}`);
  });

  test("the model canvas shows fct_sales as steps with the output step's rows in the window", async () => {
    // An earlier test left the Dashboards view open; clicking the active view's icon would fold it.
    await session.execute(`if (!document.querySelector('[data-testid="explorer-tree"]')) document.querySelector('[aria-label="Project files"]').click();`);
    await session.waitFor("the fct_sales row", () =>
      session.execute(`return document.querySelector('[data-testid="tree-file"][data-path="models/marts/sales/fct_sales.sql"]') ? true : null;`),
    );
    await session.execute(`
      const row = document.querySelector('[data-testid="tree-file"][data-path="models/marts/sales/fct_sales.sql"]');
      row.dispatchEvent(new MouseEvent("contextmenu", { bubbles: true, cancelable: true, clientX: 120, clientY: 200 }));`);
    await session.waitFor("the explorer menu", () => session.execute(`return document.querySelector('[data-testid="explorer-menu"] [data-action="openCanvas"]') ? true : null;`));
    await session.execute(`document.querySelector('[data-testid="explorer-menu"] [data-action="openCanvas"]').click();`);
    const steps = await session.waitFor(
      "the nine steps of fct_sales",
      () => session.execute(`const n = document.querySelectorAll('[data-testid^="canvas-step-"][role="option"]').length; return n === 9 ? n : null;`),
      30_000,
    );
    assert.equal(steps, 9);
    await session.execute(`document.querySelector('[data-testid="canvas-step-final"]').click();`);
    // The build of an earlier test made fct_sales; the output step previews the same rows.
    const rows = await session.waitFor(
      "the output step's preview",
      () => session.execute(`const ready = document.querySelector('[data-testid="canvas-preview"][data-state="ready"]'); const count = document.querySelector('[data-testid="canvas-row-count"]'); return ready && count && Number(count.dataset.rows) > 0 ? Number(count.dataset.rows) : null;`),
      60_000,
    );
    assert.ok(rows > 100, `the preview counts ${rows} rows`);
    const shot = await paintedShot(session, "06-desktop-canvas", ['[data-testid="canvas-flow"]', '[data-testid="canvas-preview"]']);
    console.log(`# screenshot ${shot.path}: ${shot.width}x${shot.height}, ${shot.distinctColours} colours; ${shot.ink}`);
  });
});
