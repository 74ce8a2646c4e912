// Kiln Studio in a real browser against a real `kiln serve`: each test gets its own server on a fresh
// copy of the TICKIT project and kills it at the end, so scenarios cannot leak state into each other.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { appendToLine, collectVirtualRows, openModel, replaceInEditor, runInConsole, serverPerTest, shot, SHOT_DIR } from "./harness.js";

const FCT_SALES = "models/marts/sales/fct_sales.sql";
const INT_BUYERS = "models/intermediate/int_buyers_extracted_from_users.sql";
const FCT_LISTINGS = "models/marts/sales/fct_listings.sql";

describe("Kiln Studio", () => {
  const current = serverPerTest({ before, after, beforeEach, afterEach });

  test("opening a model from the explorer shows its compiled SQL", async () => {
    const { page } = current.studio;
    await openModel(page, FCT_SALES);
    const compiled = page.locator('[data-testid="compiled-panel"]');
    // Refs resolve to warehouse relations, so no Jinja is left in the compiled text.
    await compiled.getByText(/stg_tickit__sales/).first().waitFor({ timeout: 20_000 });
    const text = await compiled.innerText();
    assert.match(text, /select/i);
    assert.doesNotMatch(text, /\{\{\s*ref\(/, "compiled SQL must not contain unrendered ref()");
    await shot(page, "01-model-compiled");
  });

  test("editing a model updates compiled SQL live, and Ctrl+S writes the file", async () => {
    const { page } = current.studio;
    await openModel(page, FCT_SALES);
    const compiled = page.locator('[data-testid="compiled-panel"]');
    await compiled.getByText(/stg_tickit__sales/).first().waitFor({ timeout: 20_000 });
    assert.doesNotMatch(await compiled.innerText(), /qty_doubled/);

    await appendToLine(page, "model-editor", "s.earnings", ",\n        s.qty_sold * 2 as qty_doubled");
    await compiled.getByText(/qty_doubled/).first().waitFor({ timeout: 20_000 });
    const onDiskBefore = readFileSync(join(current.kiln.project, FCT_SALES), "utf8");
    assert.doesNotMatch(onDiskBefore, /qty_doubled/, "nothing is written before saving");

    await page.keyboard.press("Control+s");
    const deadline = Date.now() + 10_000;
    let onDisk = onDiskBefore;
    while (Date.now() < deadline && !/qty_doubled/.test(onDisk)) {
      await page.waitForTimeout(100);
      onDisk = readFileSync(join(current.kiln.project, FCT_SALES), "utf8");
    }
    assert.match(onDisk, /s\.earnings,\s*s\.qty_sold \* 2 as qty_doubled/);
    await page.locator('[data-testid="save-file"]').and(page.locator(":disabled")).waitFor();
    await shot(page, "02-model-edited-saved");
  });

  test("the lineage follows an unsaved edit: a new ref is drawn dashed until the edit is undone", async () => {
    const { page } = current.studio;
    const usersRef = "select * from {{ ref('stg_tickit__users') }}";
    const edge = (from, unsaved) =>
      page.locator(`.react-flow__edge${unsaved ? ".edge-unsaved" : ":not(.edge-unsaved)"}[data-id="model.tickit.${from}->model.tickit.fct_listings"]`);
    await openModel(page, FCT_LISTINGS);
    const compiled = page.locator('[data-testid="compiled-panel"]');
    await compiled.getByText(/stg_tickit__listings/).first().waitFor({ timeout: 20_000 });
    await replaceInEditor(page, "model-editor", usersRef, "select * from {{ ref('dim_non_buyers') }}");
    await compiled.getByText(/"dim_non_buyers"/).first().waitFor({ timeout: 20_000 });

    await page.locator('[data-testid="editor-lineage"]').click();
    await edge("dim_non_buyers", true).waitFor({ timeout: 20_000 });
    assert.equal(await edge("stg_tickit__users", false).count(), 0, "the replaced input is gone from the lineage");
    await shot(page, "03-lineage-unsaved-edge");

    await openModel(page, FCT_LISTINGS);
    await replaceInEditor(page, "model-editor", "select * from {{ ref('dim_non_buyers') }}", usersRef);
    await page.locator('[data-testid="editor-lineage"]').click();
    await edge("stg_tickit__users", false).waitFor({ timeout: 20_000 });
    assert.equal(await edge("dim_non_buyers", true).count(), 0, "the undone edit leaves no dashed edge");
    assert.doesNotMatch(readFileSync(join(current.kiln.project, FCT_LISTINGS), "utf8"), /dim_non_buyers/, "nothing was saved");
  });

  test("Build runs the whole project and every node ends green", async () => {
    const { page } = current.studio;
    // Every elapsed time the run panel shows while nodes run is recorded: none may be negative.
    await page.evaluate(() => {
      window.__kilnTimes = [];
      new MutationObserver(() => {
        for (const cell of document.querySelectorAll(".node-time, .bottom-meta")) window.__kilnTimes.push(cell.textContent ?? "");
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.locator('[data-testid="run-build"]').click();
    const chip = page.locator('[data-testid="run-chip"]');
    await chip.waitFor();
    await page.locator('[data-testid="run-chip"]:not([data-status="running"])').waitFor({ timeout: 120_000 });
    assert.equal(await chip.getAttribute("data-status"), "success");
    const times = await page.evaluate(() => window.__kilnTimes);
    assert.ok(times.length > 0, "the run panel showed no elapsed times");
    assert.deepEqual(times.filter((text) => /-\s*\d/.test(text)), [], "negative elapsed times were shown");

    const { runs } = await current.kiln.api("runHistory");
    assert.equal(runs.length, 1);
    const [run] = runs;
    assert.equal(run.status, "success");
    const { results } = await current.kiln.api("runResults", { runId: run.runId });
    assert.ok(results.length > 20, `expected models and tests, got ${results.length} results`);
    const bad = results.filter((result) => !["success", "pass"].includes(result.status));
    assert.deepEqual(bad.map((result) => `${result.name}: ${result.status}`), []);
    assert.ok(results.some((result) => result.name === "fct_sales" && result.status === "success"));

    // The run panel lists nodes (virtualised, so only the visible ones): none may be red.
    const rows = page.locator('[data-testid="run-node"]');
    await rows.first().waitFor();
    const statuses = await rows.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-status")));
    assert.ok(statuses.length > 0);
    for (const status of statuses) assert.ok(["success", "pass"].includes(status ?? ""), `node status ${status}`);
    await shot(page, "03-build-green");

    // The run history sidebar shows the same run as successful.
    await page.getByRole("button", { name: "Run history" }).click();
    const history = page.locator('[data-testid="history-run"]');
    await history.first().waitFor();
    assert.equal(await history.count(), 1);
    assert.equal(await history.first().getAttribute("data-status"), "success");
    await shot(page, "04-run-history");
  });

  const saveAndWaitForDisk = async (path, pattern) => {
    await current.studio.page.keyboard.press("Control+s");
    const file = join(current.kiln.project, path);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !pattern.test(readFileSync(file, "utf8"))) {
      await current.studio.page.waitForTimeout(100);
    }
    assert.match(readFileSync(file, "utf8"), pattern);
  };

  test("a ref to a missing model is diagnosed in the editor and stops Build before anything runs", async () => {
    const { page } = current.studio;
    await openModel(page, INT_BUYERS);
    const compiled = page.locator('[data-testid="compiled-panel"]');
    await compiled.getByText(/stg_tickit__users/).first().waitFor({ timeout: 20_000 });

    await appendToLine(page, "model-editor", "select * from {{ ref('stg_tickit__users') }}", " join {{ ref('no_such_model') }} using (user_id)");
    // Diagnostics follow the typing, so earlier ones (for 'no_su…') may show first.
    const problem = page.locator('[data-testid="problem"]', { hasText: "no_such_model" }).first();
    await problem.waitFor({ timeout: 20_000 });
    assert.match(await problem.innerText(), /K2002/);
    // CodeMirror's lint gutter marks the line too.
    await page.locator('[data-testid="model-editor"] .cm-lint-marker-error').first().waitFor({ timeout: 10_000 });
    await shot(page, "05-missing-ref-diagnostic");
    await saveAndWaitForDisk(INT_BUYERS, /no_such_model/);

    // Like dbt, an unresolvable ref fails the project's graph, so Build refuses to start at all.
    await page.locator('[data-testid="run-build"]').click();
    // Whatever answers first (a refusal or a started run) is asserted on, so a failure says which.
    let runs = [];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await page.locator(".toast-error").count()) === 0 && runs.length === 0) {
      await page.waitForTimeout(100);
      ({ runs } = await current.kiln.api("runHistory"));
    }
    ({ runs } = await current.kiln.api("runHistory"));
    assert.equal(runs.length, 0, `no run may start with a broken graph, got ${JSON.stringify(runs)}`);
    const toasts = await page.locator(".toast").allInnerTexts();
    assert.ok(
      toasts.some((text) => /Could not start build/.test(text) && /no_such_model/.test(text)),
      `the refusal names the missing model; toasts: ${JSON.stringify(toasts)}`,
    );
    await shot(page, "06-missing-ref-build-refused");
  });

  test("a model failing in the warehouse errors in Build and its dependents are skipped", async () => {
    const { page } = current.studio;
    await openModel(page, INT_BUYERS);
    const compiled = page.locator('[data-testid="compiled-panel"]');
    await compiled.getByText(/stg_tickit__users/).first().waitFor({ timeout: 20_000 });
    await replaceInEditor(page, "model-editor", "u.username,", "u.no_such_column as username,");
    await compiled.getByText(/no_such_column/).first().waitFor({ timeout: 20_000 });
    await saveAndWaitForDisk(INT_BUYERS, /u\.no_such_column as username,/);

    await page.locator('[data-testid="run-build"]').click();
    await page.locator('[data-testid="run-chip"][data-status="running"], [data-testid="run-chip"][data-status="error"]').first().waitFor({ timeout: 20_000 });
    await page.locator('[data-testid="run-chip"]:not([data-status="running"])').waitFor({ timeout: 120_000 });
    assert.equal(await page.locator('[data-testid="run-chip"]').getAttribute("data-status"), "error");

    const { runs } = await current.kiln.api("runHistory");
    assert.equal(runs.length, 1);
    const { results } = await current.kiln.api("runResults", { runId: runs[0].runId });
    const byName = new Map(results.map((result) => [result.name, result]));
    const broken = byName.get("int_buyers_extracted_from_users");
    assert.ok(broken, `broken model missing from results: ${[...byName.keys()].join(", ")}`);
    assert.equal(broken.status, "error");
    assert.match(`${broken.message} ${JSON.stringify(broken.diagnostic)}`, /no_such_column/);
    for (const dependent of ["fct_sales", "dim_non_buyers"]) {
      assert.equal(byName.get(dependent)?.status, "skipped", `${dependent} should be skipped`);
    }
    // Models that do not depend on the broken one still build.
    assert.equal(byName.get("int_sellers_extracted_from_users")?.status, "success");

    // The run ends with its first failure opened and scrolled into view, whatever the panel followed.
    const opened = page.locator('[data-testid="run-node"][data-name="int_buyers_extracted_from_users"].selected');
    await opened.waitFor({ timeout: 10_000 });
    const inView = await opened.evaluate((row) => {
      const list = row.closest(".node-list")?.getBoundingClientRect();
      const box = row.getBoundingClientRect();
      return Boolean(list) && box.top >= list.top && box.bottom <= list.bottom;
    });
    assert.ok(inView, "the failed node is scrolled into the run list's view");
    await page.locator(".node-detail").getByText(/no_such_column/).first().waitFor({ timeout: 10_000 });

    // The run list is virtualised; "Only problems" brings the failed and skipped nodes into view.
    await page.getByLabel("Only problems").check();
    await page.locator('[data-testid="run-node"]').first().waitFor();
    const listed = await collectVirtualRows(page, ".node-list", '[data-testid="run-node"]');
    assert.equal(listed.int_buyers_extracted_from_users, "error");
    assert.equal(listed.fct_sales, "skipped");
    assert.equal(listed.dim_non_buyers, "skipped");
    assert.ok(!Object.values(listed).includes("success"), "only problems are listed");
    const errorRow = page.locator('[data-testid="run-node"][data-name="int_buyers_extracted_from_users"]');
    await page.locator(".node-list").evaluate(async (scroller) => {
      const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      scroller.scrollTop = 0;
      await frame();
      while (!scroller.querySelector('[data-name="int_buyers_extracted_from_users"]') && scroller.scrollTop + scroller.clientHeight < scroller.scrollHeight - 1) {
        scroller.scrollTop += 28;
        await frame();
      }
    });
    await page.locator(".bottom-meta .pill-danger").waitFor();
    await errorRow.waitFor();
    await shot(page, "07-build-with-error");
  });

  test("query console runs SQL, the grid scrolls through rows, and CSV export writes every row", async () => {
    const { page } = current.studio;
    const build = await current.kiln.api("startRun", { command: "build", select: [], exclude: [] });
    const run = await current.kiln.waitForRun(build.runId);
    assert.equal(run.status, "success");
    const expected = await current.kiln.api("runQuery", { sql: "select count(*) as n from main.fct_sales" });
    const total = Number(expected.statements[0].firstPage[0][0]);
    assert.ok(total > 100, `fct_sales should have rows, has ${total}`);

    await runInConsole(page, "select * from main.fct_sales order by sale_id");

    const count = page.locator('[data-testid="grid-count"]');
    await count.getByText(`${total.toLocaleString("en-US")} rows`).waitFor({ timeout: 30_000 });
    const firstRow = page.locator('[data-testid="grid-row"][data-row="0"]');
    await firstRow.waitFor();
    assert.match(await firstRow.innerText(), /\d/);
    await shot(page, "08-query-grid");

    // Scrolling to the bottom loads the last page from the engine (rows are fetched on demand).
    const scroller = page.locator('[data-testid="grid-scroller"]');
    await scroller.evaluate((node) => {
      node.scrollTop = node.scrollHeight;
    });
    const lastRow = page.locator(`[data-testid="grid-row"][data-row="${total - 1}"]`);
    await lastRow.waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      (index) => !document.querySelector(`[data-testid="grid-row"][data-row="${index}"] .grid-cell.loading`),
      total - 1,
      { timeout: 15_000 },
    );
    assert.equal(await page.locator('[data-testid="grid-row"][data-row="0"]').count(), 0, "first row scrolled out of the virtual window");
    assert.match(await lastRow.innerText(), new RegExp(`^${total}\\b`));
    await shot(page, "09-query-grid-scrolled");

    // The browser studio downloads by default (console.test.js); here it writes on the engine's disk.
    const exportPath = join(current.kiln.project, "target/exports/e2e_fct_sales.csv");
    await page.locator('[data-testid="export-result"]').click();
    await page.locator('[data-testid="export-to-path"]').click();
    await page.locator('[data-testid="export-path"]').fill(exportPath);
    await page.locator('[data-testid="export-submit"]').click();
    await page.locator('[data-testid="export-submit"]').waitFor({ state: "detached", timeout: 30_000 });
    assert.ok(existsSync(exportPath), `export file ${exportPath} missing`);
    const lines = readFileSync(exportPath, "utf8").split(/\r?\n/).filter((line) => line.length > 0);
    assert.match(lines[0] ?? "", /^sale_id,/);
    assert.equal(lines.length - 1, total, "CSV has a header plus one line per row");

    // The dialog offers "relative to the project, or absolute": an absolute path outside the
    // project is a place the user chose, not an escape (it was refused as "outside the project").
    const outside = join(mkdtempSync(join(tmpdir(), "kiln-export-")), "fct_sales.csv");
    await page.locator('[data-testid="export-result"]').click();
    await page.locator('[data-testid="export-to-path"]').click();
    await page.locator('[data-testid="export-path"]').fill(outside);
    await page.locator('[data-testid="export-submit"]').click();
    await page.locator('[data-testid="export-submit"]').waitFor({ state: "detached", timeout: 30_000 });
    assert.ok(existsSync(outside), `export file ${outside} missing`);
    assert.equal(readFileSync(outside, "utf8").split(/\r?\n/).filter((line) => line.length > 0).length - 1, total);
  });

  test("a 40-column result scrolls inside the grid; the page and its toolbar stay within the window", async () => {
    const { page } = current.studio;
    const columns = Array.from({ length: 40 }, (_, i) => `'a fairly long text value ' || range as column_number_${i}`);
    await runInConsole(page, `select ${columns.join(", ")} from range(100)`);
    await page.locator('[data-testid="grid-count"]').getByText("100 rows").waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="grid-row"][data-row="0"]').waitFor();
    const layout = await page.evaluate(() => {
      const exportButton = document.querySelector('[data-testid="export-result"]')?.getBoundingClientRect();
      const scroller = document.querySelector('[data-testid="grid-scroller"]');
      return {
        viewport: window.innerWidth,
        page: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
        exportRight: exportButton ? exportButton.right : null,
        gridScrolls: scroller ? scroller.scrollWidth > scroller.clientWidth : false,
      };
    });
    await shot(page, "query-wide-result");
    assert.ok(layout.page <= layout.viewport, `the page is ${layout.page}px wide in a ${layout.viewport}px window`);
    assert.ok(layout.exportRight !== null && layout.exportRight <= layout.viewport, `Export ends at ${layout.exportRight}px, off-screen`);
    assert.ok(layout.gridScrolls, "the grid itself should scroll sideways");
  });

  test("a 10-million-row result answers at once and scrolls to its last row", async () => {
    const { page } = current.studio;
    await runInConsole(page, "select range as i, range * 2 as twice from range(10000000)");
    await page.locator('[data-testid="grid-row"][data-row="0"]').getByText("0").first().waitFor({ timeout: 30_000 });
    // The count follows once the whole result is materialised in the engine.
    await page.locator('[data-testid="grid-count"]').getByText("10,000,000 rows").waitFor({ timeout: 60_000 });

    // End goes to the very last row: past the ~1.3M rows a browser can lay out as one element.
    const scroller = page.locator('[data-testid="grid-scroller"]');
    await scroller.focus();
    await page.keyboard.press("End");
    const last = page.locator('[data-testid="grid-row"][data-row="9999999"]');
    await last.waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => !document.querySelector('[data-testid="grid-row"][data-row="9999999"] .grid-cell.loading'), null, { timeout: 15_000 });
    assert.match(await last.innerText(), /^10,?000,?000\s+9,?999,?999\s+19,?999,?998/);

    // Dragging the scrollbar half way lands half way through the rows.
    const middle = await scroller.evaluate(async (node) => {
      node.scrollTop = (node.scrollHeight - node.clientHeight) / 2;
      await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      const rows = [...node.querySelectorAll('[data-testid="grid-row"]')].map((row) => Number(row.getAttribute("data-row")));
      return Math.min(...rows);
    });
    assert.ok(Math.abs(middle - 5_000_000) < 100, `half way shows row ${middle}`);

    // The wheel moves rows by their real height, not 35 rows per pixel.
    const before = await scroller.evaluate((node) => Math.min(...[...node.querySelectorAll('[data-testid="grid-row"]')].map((row) => Number(row.getAttribute("data-row")))));
    await scroller.hover();
    await page.mouse.wheel(0, 260);
    await page.waitForTimeout(200);
    const after = await scroller.evaluate((node) => Math.min(...[...node.querySelectorAll('[data-testid="grid-row"]')].map((row) => Number(row.getAttribute("data-row")))));
    assert.ok(after - before >= 5 && after - before <= 15, `a 260 px wheel moved ${after - before} rows`);
  });

  test("a result that answered with a preview shows the stored rows once it has settled", async () => {
    const { page } = current.studio;
    // random(): the preview run (LIMIT) and the stored result draw different numbers.
    await runInConsole(page, "select range as i, random() as r from range(5000000)");
    await page.locator('[data-testid="grid-count"]').getByText("5,000,000 rows").waitFor({ timeout: 60_000 });
    const grid = page.locator(".result-grid");
    const queryId = await grid.getAttribute("data-query-id");
    const statement = Number(await grid.getAttribute("data-statement"));
    assert.ok(queryId, "the grid names its query");
    const stored = await current.kiln.api("fetchRows", { queryId, statement, offset: 0, limit: 3 });
    const shown = async () => {
      const cells = await page.locator('[data-testid="grid-row"][data-row="1"] .grid-cell').allInnerTexts();
      return Number(cells.at(-1)?.replace(/,/g, ""));
    };
    const expected = Number(stored.rows[1][1]);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && Math.abs((await shown()) - expected) > 1e-6) await page.waitForTimeout(100);
    const seen = await shown();
    assert.ok(Math.abs(seen - expected) <= 1e-6, `row 1 shows r=${seen}, the stored result has ${expected}`);
    // Every later page comes from the same stored result.
    const scroller = page.locator('[data-testid="grid-scroller"]');
    await scroller.focus();
    await page.keyboard.press("End");
    await page.locator('[data-testid="grid-row"][data-row="4999999"]').waitFor({ timeout: 15_000 });
  });

  test("screenshots of the main views", async () => {
    const { page } = current.studio;
    await page.getByRole("tab", { name: "Lineage" }).click();
    const counts = page.locator(".lineage-count");
    await counts.getByText(/\d+ nodes/).waitFor({ timeout: 20_000 });
    // The layout runs off the main thread; the screenshot waits until it has settled.
    await page.waitForFunction(() => !document.querySelector(".lineage-count")?.textContent?.includes("arranging"), null, { timeout: 20_000 });
    const graph = await current.kiln.api("graph");
    assert.match(await counts.innerText(), new RegExp(`^${graph.nodes.filter((node) => node.resourceType !== "test").length} nodes`));
    await shot(page, "10-lineage");
    await page.getByRole("button", { name: "Warehouse schema" }).click();
    await shot(page, "11-schema-browser");
    await page.getByRole("button", { name: "Command palette" }).first().click();
    await page.locator("input").first().waitFor();
    await shot(page, "12-command-palette");
    assert.ok(existsSync(join(SHOT_DIR, "10-lineage.png")));
    assert.deepEqual(current.studio.consoleErrors, [], "no uncaught errors in the page");
  });
});
