// The first-day defects of the run log and the query console (issue 8, items 3–7), in a real
// browser against a real `kiln serve`. One server and one Build serve every test here: after the
// Build they only read the warehouse.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { appendToLine, engineRows, openModel, sharedServer, shot, typeInConsole } from "./harness.js";

describe("Run log and query console", () => {
  const shared = sharedServer({ before, after });
  /** The engine's own answer, to check what the page shows against. */
  const scalar = async (sql) => (await engineRows(shared.kiln, sql))[0][0];

  const gridCount = (text) => shared.studio.page.locator('[data-testid="grid-count"]').getByText(text);

  test("the Log tab shows the run as the CLI prints it, live and for a past run after a reload", async () => {
    const { page } = shared.studio;
    await page.locator('[data-testid="run-build"]').click();
    await page.getByRole("tab", { name: "Log" }).click();
    const log = page.locator('[data-testid="run-log"]');
    // Lines arrive while the run goes on, not only at its end.
    await log.getByText(/START sql view model/).first().waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="run-chip"]:not([data-status="running"])').waitFor({ timeout: 180_000 });
    await log.getByText(/^Done\. PASS=/).waitFor({ timeout: 10_000 });
    const text = await log.innerText();
    const { runs } = await shared.kiln.api("runHistory");
    const { results } = await shared.kiln.api("runResults", { runId: runs[0].runId });
    assert.match(text, /Running with kiln=\S+ on duckdb/);
    assert.match(text, new RegExp(`Found ${results.length} nodes to build`));
    assert.match(text, /OK created sql table model main\.fct_sales/);
    assert.match(text, /PASS not_null_/);
    assert.match(text, new RegExp(`Done\\. PASS=${results.length} WARN=0 ERROR=0 SKIP=0 TOTAL=${results.length}`));
    await shot(page, "log-tab");

    // After a reload the live run is gone from the page; the history still has its log.
    await page.reload();
    await page.locator('[data-testid="tree-file"]').first().waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Run history" }).click();
    await page.locator('[data-testid="history-run"]').first().click();
    await page.getByRole("tab", { name: "Log" }).click();
    await page.locator('[data-testid="run-log"]').getByText(/^Done\. PASS=/).waitFor({ timeout: 10_000 });
  });

  test("the grid's SQL condition filter keeps the rows the condition selects", async () => {
    const { page } = shared.studio;
    const total = Number(await scalar("select count(*) from main.fct_listings"));
    const inState = Number(await scalar("select count(*) from main.fct_listings where venue_state = 'CA'"));
    const many = Number(await scalar("select count(*) from main.fct_listings where num_tickets > 20"));
    assert.ok(inState > 0 && inState < total, `CA listings: ${inState} of ${total}`);
    assert.ok(many > 0 && many < total, `listings of more than 20 tickets: ${many} of ${total}`);
    await typeInConsole(shared.studio.page, "select * from main.fct_listings");
    await page.locator('[data-testid="run-statement"]').click();
    await gridCount(`${total.toLocaleString("en-US")} rows`).waitFor({ timeout: 30_000 });

    const filter = page.locator(".grid-filter input");
    for (const [condition, expected] of [
      ["venue_state = 'CA'", inState],
      ["num_tickets > 20", many],
    ]) {
      await filter.fill(condition);
      await filter.press("Enter");
      await gridCount(`${expected.toLocaleString("en-US")} row`).waitFor({ timeout: 15_000 });
      assert.match(await page.locator('[data-testid="grid-count"]').innerText(), /filtered by condition/);
    }
    // Every row on screen satisfies the condition (num_tickets is a column of the grid).
    const header = await page.locator(".grid-header .grid-head-name").allInnerTexts();
    const column = header.findIndex((name) => name.trim() === "num_tickets");
    assert.ok(column >= 0, `num_tickets among the headers ${header.join(", ")}`);
    const cells = await page.locator('[data-testid="grid-row"]').evaluateAll(
      // The first cell of a row is its number.
      (rows, index) => rows.map((row) => row.querySelectorAll(".grid-cell")[index + 1]?.textContent ?? ""),
      column,
    );
    assert.ok(cells.length > 0);
    for (const cell of cells) assert.ok(Number(cell.replace(/,/g, "")) > 20, `a row with num_tickets ${cell}`);
    await shot(page, "grid-condition-filter");
  });

  test("Σ column statistics cover the whole result, DECIMAL ordered as numbers", async () => {
    const { page } = shared.studio;
    const total = Number(await scalar("select count(*) from main.fct_sales"));
    const min = await scalar("select min(price_paid)::varchar from main.fct_sales");
    const max = await scalar("select max(price_paid)::varchar from main.fct_sales");
    const type = await scalar("select typeof(price_paid) from main.fct_sales limit 1");
    assert.match(type, /DECIMAL/);
    await typeInConsole(shared.studio.page, "select * from main.fct_sales");
    await page.locator('[data-testid="run-statement"]').click();
    await gridCount(`${total.toLocaleString("en-US")} rows`).waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Stats for price_paid" }).click();
    const stats = page.locator('[data-testid="grid-stats"]');
    await stats.locator('[data-testid="stats-rows"]').waitFor({ timeout: 15_000 });
    assert.match(await stats.locator('[data-testid="stats-rows"]').innerText(), new RegExp(`over all ${total.toLocaleString("en-US")} rows`));
    const shown = async (id) => (await stats.locator(`[data-testid="${id}"]`).innerText()).replace(/^(min|max)\s+/, "").replace(/,/g, "");
    assert.equal(Number(await shown("stats-min")), Number(min));
    assert.equal(Number(await shown("stats-max")), Number(max));
    await shot(page, "grid-column-stats");
  });

  test("Export downloads the whole result in the browser", async () => {
    const { page } = shared.studio;
    const total = Number(await scalar("select count(*) from main.fct_sales"));
    await typeInConsole(shared.studio.page, "select * from main.fct_sales order by sale_id");
    await page.locator('[data-testid="run-statement"]').click();
    await gridCount(`${total.toLocaleString("en-US")} rows`).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="export-result"]').click();
    assert.equal(await page.locator('[data-testid="export-to-download"]').getAttribute("aria-checked"), "true", "Download is the browser's default");
    await page.locator('[data-testid="export-path"]').fill("sales.csv");
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator('[data-testid="export-submit"]').click()]);
    assert.equal(download.suggestedFilename(), "sales.csv");
    const lines = readFileSync(await download.path(), "utf8").split(/\r?\n/).filter((line) => line.length > 0);
    assert.match(lines[0] ?? "", /^sale_id,/);
    assert.equal(lines.length - 1, total);
    // A download is fetched once; its id is then gone, and nothing is left on the engine's disk.
    const response = await fetch(`${shared.kiln.base}${new URL(download.url()).pathname}`, { headers: { "x-kiln-token": shared.kiln.token } });
    assert.equal(response.status, 404);
  });

  test("a blank line separates statements; errors and tab labels name the script's own lines", async () => {
    const { page } = shared.studio;
    await typeInConsole(shared.studio.page, "select 1 as first_one\n\nselect 2 as second_one\n\nselect\n  nope_column\nfrom range(3)");
    await page.keyboard.press("Control+Shift+Enter");
    const tabs = page.locator(".result-tab");
    await tabs.nth(2).waitFor({ timeout: 15_000 });
    assert.deepEqual(
      (await tabs.allInnerTexts()).map((text) => text.trim()),
      ["1: select", "2: select", "3: select range"],
    );
    // The failing third statement is shown; DuckDB's LINE and the location agree on line 6.
    const error = page.locator(".result-error");
    await error.waitFor();
    const text = await error.innerText();
    assert.match(text, /LINE 6:/);
    assert.match(text, /Line 6, column 3/);
    assert.doesNotMatch(text, /LINE [1-57-9]:/);
    await shot(page, "console-blank-line-script");

    // Run from the cursor: the second statement runs alone, and its tab says it is the second.
    const content = page.locator('[data-testid="console-editor"] .cm-content');
    await content.evaluate((node) => {
      const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
      const at = view.state.doc.toString().indexOf("2 as second_one");
      view.dispatch({ selection: { anchor: at } });
      view.focus();
    });
    // The highlighted statement is the one that runs (the engine's split, a moment after typing).
    await page.waitForFunction(() => [...document.querySelectorAll(".cm-statement-active")].map((line) => line.textContent).join("\n") === "select 2 as second_one");
    await page.locator('[data-testid="run-statement"]').click();
    await page.waitForFunction(() => [...document.querySelectorAll(".result-tab")].map((tab) => tab.textContent?.trim()).join("|") === "2: select");
    const first = page.locator('[data-testid="grid-row"][data-row="0"]');
    await first.waitFor();
    assert.equal((await first.locator(".grid-cell").last().innerText()).trim(), "2");

    // Selected text runs as it is: part of a statement, across two statements.
    const select = (from, to) =>
      content.evaluate(
        (node, [start, end]) => {
          const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
          const text = view.state.doc.toString();
          view.dispatch({ selection: { anchor: text.indexOf(start), head: text.indexOf(end) + end.length } });
          view.focus();
        },
        [from, to],
      );
    await select("select 1", "first_one");
    const run = page.locator('[data-testid="run-statement"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="run-statement"]')?.textContent?.startsWith("Run selection"));
    await page.keyboard.press("Control+Enter");
    await page.waitForFunction(() => [...document.querySelectorAll(".result-tab")].map((tab) => tab.textContent?.trim()).join("|") === "1: select");
    await first.waitFor();
    assert.equal((await first.locator(".grid-cell").last().innerText()).trim(), "1");
    await select("select 1", "second_one");
    await run.click();
    await page.waitForFunction(() => [...document.querySelectorAll(".result-tab")].map((tab) => tab.textContent?.trim()).join("|") === "1: select|2: select");
    // Nothing selected: back to the statement under the cursor.
    await content.evaluate((node) => {
      const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
      view.dispatch({ selection: { anchor: 0 } });
    });
    await page.waitForFunction(() => document.querySelector('[data-testid="run-statement"]')?.textContent?.startsWith("Run statement"));
  });

  test("Preview runs the editor's unsaved text, compiled against the saved project", async () => {
    const { page } = shared.studio;
    const model = "models/marts/sales/fct_sales.sql";
    await page.getByRole("button", { name: "Project files" }).click();
    await openModel(page, model);
    await appendToLine(page, "model-editor", "s.earnings", ",\n        s.qty_sold * 2 as unsaved_doubled");
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    const aside = page.locator(".editor-aside");
    await aside.locator(".grid-header").getByText("unsaved_doubled").waitFor({ timeout: 20_000 });
    await aside.locator('[data-testid="preview-unsaved"]').waitFor();
    assert.doesNotMatch(readFileSync(join(shared.kiln.project, model), "utf8"), /unsaved_doubled/, "the file is not written");
    // The new column holds what the edit says, row by row.
    const names = (await aside.locator(".grid-header .grid-head-name").allInnerTexts()).map((text) => text.trim());
    const at = names.indexOf("unsaved_doubled");
    const qty = names.indexOf("qty_sold");
    assert.ok(at >= 0 && qty >= 0, `columns: ${names.join(", ")}`);
    // Cell 0 of a row is its number.
    const cells = await aside.locator('[data-testid="grid-row"][data-row="0"] .grid-cell').allInnerTexts();
    assert.equal(Number(cells[at + 1].replace(/,/g, "")), Number(cells[qty + 1].replace(/,/g, "")) * 2);
    await shot(page, "preview-unsaved-buffer");
  });
});
