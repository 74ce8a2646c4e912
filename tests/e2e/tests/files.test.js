// Files and models as objects, in a real browser against a real `kiln serve`: the explorer's
// right-click menu and keys (new file, new folder, F2 rename of a model with its ref()s rewritten,
// move by the menu and by dragging, delete after confirming), and the palette finding a model by a fuzzy query.
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { serverPerTest, shot } from "./harness.js";

const STG_SALES = "models/staging/tickit/stg_tickit__sales.sql";
const RENAMED = "models/staging/tickit/stg_tickit__sale_lines.sql";
const FCT_SALES = "models/marts/sales/fct_sales.sql";
const DEPENDENTS = [FCT_SALES, "models/marts/marketing/dim_events.sql", "models/intermediate/int_buyers_extracted_from_users.sql"];

const row = (page, path) => page.locator(`[data-testid="explorer-tree"] [data-path="${path}"]`);
const menu = (page) => page.locator('[data-testid="explorer-menu"]');

/** Right-clicks a row of the explorer and picks `action` from its menu. */
async function fromMenu(page, path, action) {
  await row(page, path).click({ button: "right" });
  await menu(page).locator(`[data-action="${action}"]`).click();
}

/** Types a name into the open file dialog and confirms with Enter. */
async function answerDialog(page, text) {
  const input = page.locator('[data-testid="file-dialog-name"]');
  await input.waitFor();
  await input.fill(text);
  await input.press("Enter");
}

async function until(check, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("Files and models as objects", () => {
  const current = serverPerTest({ before, after, beforeEach, afterEach });

  test("the context menu creates folders and files, refuses to overwrite, and Escape closes it", async () => {
    const { page } = current.studio;
    const { project } = current.kiln;

    // The menu as a user sees it, on the two common screen sizes.
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ]) {
      await page.setViewportSize({ width, height });
      await row(page, "models/marts").click({ button: "right" });
      await menu(page).waitFor();
      const box = await menu(page).boundingBox();
      assert.ok(box && box.x + box.width <= width && box.y + box.height <= height, `the menu fits in ${width}×${height}: ${JSON.stringify(box)}`);
      await shot(page, `files-context-menu-${width}x${height}`);
      await page.keyboard.press("Escape");
      await menu(page).waitFor({ state: "detached" });
      // Focus goes back to the row, so the keyboard carries on from there.
      await until(async () => (await page.evaluate(() => document.activeElement?.getAttribute("data-path"))) === "models/marts", "focus back on the row");
    }
    await page.setViewportSize({ width: 1440, height: 900 });

    // Arrow keys move inside the menu; Escape from there closes it too.
    await row(page, FCT_SALES).click({ button: "right" });
    await menu(page).waitFor();
    await until(async () => (await page.evaluate(() => document.activeElement?.getAttribute("data-action"))) === "open", "focus on the first item");
    // A model's menu offers the canvas right after Open.
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-action")), "openCanvas");
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-action")), "newFile");
    await page.keyboard.press("Escape");
    await menu(page).waitFor({ state: "detached" });

    await fromMenu(page, "models/marts", "newFolder");
    await answerDialog(page, "finance");
    await row(page, "models/marts/finance").waitFor();
    assert.ok(statSync(join(project, "models/marts/finance")).isDirectory());

    await fromMenu(page, "models/marts/finance", "newFile");
    await answerDialog(page, "fct_revenue.sql");
    await row(page, "models/marts/finance/fct_revenue.sql").waitFor();
    assert.equal(readFileSync(join(project, "models/marts/finance/fct_revenue.sql"), "utf8"), "");
    // The new file opens in a tab, ready to type in.
    await page.getByRole("tab", { name: "fct_revenue.sql" }).waitFor();

    // The right-click on the empty area offers the project-level entries.
    const tree = page.locator('[data-testid="explorer-tree"]');
    const treeBox = await tree.boundingBox();
    // On the tree itself, not a row (the rows may fill it).
    await tree.dispatchEvent("contextmenu", { clientX: treeBox.x + 40, clientY: treeBox.y + 40, button: 2, bubbles: true });
    await menu(page).waitFor();
    assert.equal(await menu(page).locator('[data-action="rename"]').count(), 0, "the project folder cannot be renamed");
    await menu(page).locator('[data-action="newFile"]').click();
    await answerDialog(page, "notes/todo.md");
    await row(page, "notes/todo.md").waitFor();
    assert.ok(existsSync(join(project, "notes/todo.md")));

    // An existing name is refused, in the dialog, and nothing is overwritten.
    const before = readFileSync(join(project, FCT_SALES), "utf8");
    await fromMenu(page, "models/marts/sales", "newFile");
    await answerDialog(page, "fct_sales.sql");
    const error = page.locator('[data-testid="file-dialog-error"]');
    await error.waitFor();
    assert.match(await error.innerText(), /models\/marts\/sales\/fct_sales\.sql already exists/);
    assert.match(await error.innerText(), /K1003/);
    await shot(page, "files-overwrite-refused");
    await page.keyboard.press("Escape");
    await error.waitFor({ state: "detached" });
    assert.equal(readFileSync(join(project, FCT_SALES), "utf8"), before);
  });

  test("F2 renames a model, rewriting every ref() to it, and the project still compiles", async () => {
    const { page } = current.studio;
    const { project, api } = current.kiln;
    await row(page, "models/staging/tickit/stg_tickit__sales.sql").click();
    await page.getByRole("tab", { name: "stg_tickit__sales.sql" }).waitFor();

    await row(page, STG_SALES).press("F2");
    const input = page.locator('[data-testid="file-dialog-name"]');
    await input.waitFor();
    // The name is pre-selected without its extension, so typing replaces just the name.
    await until(
      () => input.evaluate((node) => node.value.slice(node.selectionStart, node.selectionEnd) === "stg_tickit__sales"),
      "the name to be selected",
    );
    await page.keyboard.type("stg_tickit__sale_lines");
    assert.equal(await input.inputValue(), "stg_tickit__sale_lines.sql");
    const note = page.locator('[data-testid="rename-refs"]');
    await note.getByText(/fct_sales/).waitFor();
    await shot(page, "files-rename-model");
    await page.keyboard.press("Enter");

    await row(page, RENAMED).waitFor();
    assert.equal(await row(page, STG_SALES).count(), 0);
    assert.ok(!existsSync(join(project, STG_SALES)));
    for (const dependent of DEPENDENTS) {
      const text = readFileSync(join(project, dependent), "utf8");
      assert.match(text, /ref\('stg_tickit__sale_lines'\)/, dependent);
      assert.doesNotMatch(text, /ref\('stg_tickit__sales'\)/, dependent);
    }
    // The tree keeps the keyboard focus, on the renamed row.
    await until(async () => (await page.evaluate(() => document.activeElement?.getAttribute("data-path"))) === RENAMED, "focus on the renamed row");
    // The open tab followed the file.
    await page.getByRole("tab", { name: "stg_tickit__sale_lines.sql" }).waitFor();
    assert.equal(await page.getByRole("tab", { name: "stg_tickit__sales.sql" }).count(), 0);

    // The project still compiles: the lineage has the new name and the dependents compile.
    const graph = await api("graph");
    const ids = graph.nodes.map((node) => node.id);
    assert.ok(ids.includes("model.tickit.stg_tickit__sale_lines"));
    assert.ok(!ids.includes("model.tickit.stg_tickit__sales"));
    for (const dependent of DEPENDENTS) {
      const compiled = await api("compileModel", { path: dependent });
      assert.deepEqual(compiled.diagnostics.filter((d) => d.severity === "error"), [], dependent);
      assert.match(compiled.sql, /stg_tickit__sale_lines/);
    }
  });

  test("moves a file into a folder, deletes one after confirming, and the palette finds models fuzzily", async () => {
    const { page } = current.studio;
    const { project } = current.kiln;

    await fromMenu(page, "analyses/top_sellers.sql", "move");
    await answerDialog(page, "analyses/sellers");
    await row(page, "analyses/sellers/top_sellers.sql").waitFor();
    assert.ok(existsSync(join(project, "analyses/sellers/top_sellers.sql")));
    assert.ok(!existsSync(join(project, "analyses/top_sellers.sql")));
    // And back by dragging it onto its old folder.
    await row(page, "analyses/sellers/top_sellers.sql").dragTo(row(page, "analyses"));
    await row(page, "analyses/top_sellers.sql").waitFor();
    assert.ok(existsSync(join(project, "analyses/top_sellers.sql")));
    assert.ok(!existsSync(join(project, "analyses/sellers/top_sellers.sql")));

    // Delete with the keyboard: the dialog names who selects from the model; Cancel keeps it.
    const venues = "models/staging/tickit/stg_tickit__venues.sql";
    await row(page, venues).focus();
    await page.keyboard.press("Delete");
    const references = page.locator('[data-testid="delete-references"]');
    await references.getByText(/dim_events/).first().waitFor();
    await shot(page, "files-delete-confirm");
    await page.locator('[data-testid="delete-cancel"]').click();
    await references.waitFor({ state: "detached" });
    assert.ok(existsSync(join(project, venues)), "Cancel deletes nothing");

    await row(page, "analyses/sales_by_category_and_quarter.sql").click();
    await page.getByRole("tab", { name: "sales_by_category_and_quarter.sql" }).waitFor();
    await fromMenu(page, "analyses/sales_by_category_and_quarter.sql", "delete");
    await page.locator('[data-testid="delete-question"]').getByText("analyses/sales_by_category_and_quarter.sql").waitFor();
    await page.locator('[data-testid="delete-confirm"]').click();
    await row(page, "analyses/sales_by_category_and_quarter.sql").waitFor({ state: "detached" });
    assert.ok(!existsSync(join(project, "analyses/sales_by_category_and_quarter.sql")));
    assert.equal(await page.getByRole("tab", { name: "sales_by_category_and_quarter.sql" }).count(), 0, "the deleted file's tab closed");

    // The palette searches models, files and commands together.
    await page.keyboard.press("Control+k");
    const input = page.locator(".picker-input");
    await input.waitFor();
    await input.fill("fctsal");
    const first = page.locator('.picker-item[data-index="0"] [data-testid="palette-label"]');
    await until(async () => (await first.innerText()) === "fct_sales", "fct_sales to top the palette");
    await input.fill("stgven");
    await until(async () => (await first.innerText()) === "stg_tickit__venues", "stg_tickit__venues to top the palette");
    await input.fill("sales_by");
    await until(async () => (await first.innerText()) === "sales_by_buyer_state", "the analysis to top the palette");
    await input.fill("fctsal");
    await until(async () => (await first.innerText()) === "fct_sales", "fct_sales again");
    await shot(page, "files-palette-fuzzy");
    await input.press("Enter");
    await page.getByRole("tab", { name: "fct_sales.sql" }).waitFor();
  });
});
