// What survives a page reload (open tabs, query results), and what closing a tab with unsaved edits
// asks — in a real browser against a real `kiln serve`, one server per test on a fresh TICKIT copy.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { appendToLine, openModel, runInConsole, serverPerTest, shot } from "./harness.js";

const FCT_SALES = "models/marts/sales/fct_sales.sql";
const INT_BUYERS = "models/intermediate/int_buyers_extracted_from_users.sql";
const QUERY = "select range as n, 'row ' || range as label from range(1234) order by n";

describe("Kiln Studio session", () => {
  const current = serverPerTest({ before, after, beforeEach, afterEach });

  /** The editor tabs as [title, selected] pairs, in strip order. */
  const editorTabs = () =>
    current.studio.page
      .locator('.tab-strip [role="tab"]')
      .evaluateAll((tabs) => tabs.map((tab) => [tab.getAttribute("title"), tab.getAttribute("aria-selected")]));

  const resultTabs = () =>
    current.studio.page
      .locator('.result-tabs [role="tab"]')
      .evaluateAll((tabs) => tabs.map((tab) => [tab.textContent, tab.getAttribute("aria-selected")]));

  /** The whole text of the open model editor (CodeMirror only renders the lines in view). */
  const editorText = () =>
    current.studio.page.locator('[data-testid="model-editor"] .cm-content').evaluate((node) => {
      const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
      return view ? view.state.doc.toString() : null;
    });

  const reload = async () => {
    await current.studio.page.reload();
    await current.studio.page.locator('[data-testid="tree-file"]').first().waitFor({ timeout: 30_000 });
  };

  const fileTab = (path) => current.studio.page.locator(`.tab-strip [role="tab"][title="${path}"]`);
  const dialog = () => current.studio.page.getByRole("dialog", { name: "Unsaved changes" });

  test("a reload brings back the open tabs, their order, the active one and the query result", async () => {
    const { page } = current.studio;
    await openModel(page, FCT_SALES);
    await openModel(page, INT_BUYERS);
    await runInConsole(page, QUERY);
    const count = page.locator('[data-testid="grid-count"]');
    await count.getByText("1,234 rows").waitFor({ timeout: 30_000 });
    const firstRow = page.locator('[data-testid="grid-row"][data-row="0"]');
    await page.waitForFunction(() => {
      const row = document.querySelector('[data-testid="grid-row"][data-row="0"]');
      return row !== null && !row.querySelector(".grid-cell.loading");
    });
    const before = { tabs: await editorTabs(), results: await resultTabs(), row: await firstRow.innerText() };
    assert.deepEqual(
      before.tabs.map(([title]) => title),
      ["Lineage", "Query", FCT_SALES, INT_BUYERS],
    );
    assert.deepEqual(before.tabs.find(([, selected]) => selected === "true"), ["Query", "true"]);
    assert.equal(before.results.length, 1);
    assert.match(before.row, /^1\s+0\s+row 0$/);

    await reload();
    await fileTab(INT_BUYERS).waitFor({ timeout: 15_000 });
    assert.deepEqual(await editorTabs(), before.tabs, "the same tabs, in the same order, with the same one active");
    assert.deepEqual(await resultTabs(), before.results, "the same result tabs");
    await count.getByText("1,234 rows").waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => {
      const row = document.querySelector('[data-testid="grid-row"][data-row="0"]');
      return row !== null && !row.querySelector(".grid-cell.loading");
    });
    assert.equal(await firstRow.innerText(), before.row, "the grid shows the same first row, fetched from the engine");
    assert.equal(await page.locator('[data-testid="result-gone"]').count(), 0);

    // A file tab restored from the session opens with its content from disk.
    await fileTab(FCT_SALES).click();
    await page.locator('[data-testid="model-editor"] .cm-content').waitFor();
    assert.equal(await editorText(), readFileSync(join(current.kiln.project, FCT_SALES), "utf8"));
    await shot(page, "session-restored");
    assert.deepEqual(current.studio.consoleErrors, [], "no uncaught errors in the page");
  });

  test("a restored result the engine no longer holds says so, and runs again on request", async () => {
    const { page } = current.studio;
    await runInConsole(page, QUERY);
    await page.locator('[data-testid="grid-count"]').getByText("1,234 rows").waitFor({ timeout: 30_000 });
    // What a restart of `kiln serve` does to the console's results: the engine no longer knows
    // their ids. The remembered ids are changed as the reloaded page starts (before the studio
    // reads them), so nothing the old page still writes can undo it.
    const { root } = await current.kiln.api("projectInfo");
    const key = `kiln.results.v1:${root}`;
    assert.match(await page.evaluate((name) => localStorage.getItem(name) ?? "", key), /range\(1234\)/, "the console remembered its result tab");
    await page.addInitScript((name) => {
      const saved = JSON.parse(localStorage.getItem(name) ?? "null");
      for (const tab of saved?.tabs ?? []) tab.queryId = `forgotten-${tab.queryId}`;
      localStorage.setItem(name, JSON.stringify(saved));
    }, key);

    await reload();
    const gone = page.locator('[data-testid="result-gone"]');
    await gone.waitFor({ timeout: 15_000 });
    assert.match(await gone.innerText(), /This result is gone: the studio was restarted\.[\s\S]*Run the statement again/);
    assert.match(await gone.innerText(), /range\(1234\)/, "the statement is shown");
    assert.doesNotMatch(await gone.innerText(), /K6003|there is no query/, "no raw engine error");
    await shot(page, "session-result-gone");

    await page.locator('[data-testid="rerun-result"]').click();
    await page.locator('[data-testid="grid-count"]').getByText("1,234 rows").waitFor({ timeout: 30_000 });
    assert.equal(await gone.count(), 0);
  });

  test("closing a tab with unsaved edits asks: Cancel keeps it, Don't save drops the edit, Save writes it", async () => {
    const { page } = current.studio;
    const onDisk = () => readFileSync(join(current.kiln.project, FCT_SALES), "utf8");
    const original = onDisk();
    await openModel(page, FCT_SALES);
    await page.locator('[data-testid="compiled-panel"]').getByText(/stg_tickit__sales/).first().waitFor({ timeout: 20_000 });
    await appendToLine(page, "model-editor", "s.earnings", ",\n        s.qty_sold * 3 as qty_tripled");
    const closeButton = fileTab(FCT_SALES).locator(".tab-close");
    await fileTab(FCT_SALES).locator(".tab-close.dirty").waitFor();

    // Cancel (the button, then Escape): the tab stays open with the edit.
    await closeButton.click();
    await dialog().waitFor();
    assert.match(await dialog().innerText(), /fct_sales\.sql has changes that are not saved/);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-testid")), "close-save", "Save is the default (Enter)");
    await shot(page, "session-unsaved-changes");
    await page.locator('[data-testid="close-cancel"]').click();
    await dialog().waitFor({ state: "detached" });
    await fileTab(FCT_SALES).locator(".tab-close.dirty").waitFor();
    assert.match(await editorText(), /qty_tripled/);
    await closeButton.click();
    await dialog().waitFor();
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached" });
    assert.equal(await fileTab(FCT_SALES).count(), 1, "Escape cancels");
    assert.equal(onDisk(), original, "nothing written by cancelling");

    // Don't save: the tab closes, and reopening shows the file as it is on disk.
    await closeButton.click();
    await page.locator('[data-testid="close-discard"]').click();
    await fileTab(FCT_SALES).waitFor({ state: "detached" });
    assert.equal(onDisk(), original);
    await openModel(page, FCT_SALES);
    assert.equal(await editorText(), original, "the discarded edit is gone, draft included");
    await fileTab(FCT_SALES).locator(".tab-close:not(.dirty)").waitFor();

    // Save, from the keyboard: Alt+W (the close command) asks, Enter saves, then the tab closes.
    await appendToLine(page, "model-editor", "s.earnings", ",\n        s.qty_sold * 3 as qty_tripled");
    await fileTab(FCT_SALES).locator(".tab-close.dirty").waitFor();
    await page.keyboard.press("Alt+w");
    await dialog().waitFor();
    await page.keyboard.press("Enter");
    await fileTab(FCT_SALES).waitFor({ state: "detached", timeout: 10_000 });
    assert.match(onDisk(), /s\.earnings,\s*s\.qty_sold \* 3 as qty_tripled/);

    // Middle click asks too; and leaving the page with an unsaved edit triggers the browser's prompt.
    await openModel(page, FCT_SALES);
    await appendToLine(page, "model-editor", "qty_tripled", ",\n        1 as one_more");
    await fileTab(FCT_SALES).click({ button: "middle" });
    await dialog().waitFor();
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "detached" });
    const prompt = page.waitForEvent("dialog", { timeout: 10_000 });
    await page.close({ runBeforeUnload: true });
    const shown = await prompt;
    assert.equal(shown.type(), "beforeunload");
    await shown.accept();
    assert.doesNotMatch(onDisk(), /one_more/);
  });
});
