// Issue 8 item 10 in a real browser against a real `kiln serve`: autocomplete and navigation in the
// model editor and the query console, and a column that does not exist upstream flagged as you
// type (K2005) with its "did you mean" as a one-click fix. One server and one Build serve all tests.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { engineRows, openModel, replaceInEditor, sharedServer, shot, typeInConsole } from "./harness.js";

const MODEL = "models/marts/marketing/dim_events.sql";

const editor = (page, testId) => page.locator(`[data-testid="${testId}"] .cm-content`);

/** The text in an editor (CodeMirror renders only the lines in view, so it is read from its state). */
function docOf(page, testId) {
  return editor(page, testId).evaluate((node) => {
    const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
    return view.state.doc.toString();
  });
}

/** Puts the cursor `offset` characters into the first occurrence of `needle`. */
async function placeCursor(page, testId, needle, offset = 0) {
  const found = await editor(page, testId).evaluate(
    (node, [text, by]) => {
      const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
      const at = view.state.doc.toString().indexOf(text);
      if (at < 0) return false;
      view.dispatch({ selection: { anchor: at + by }, scrollIntoView: true });
      view.focus();
      return true;
    },
    [needle, offset],
  );
  assert.ok(found, `"${needle}" is in the editor: ${(await docOf(page, testId)).slice(0, 300)}`);
}

/** Screen coordinates of the character `offset` into `needle`. */
function pointAt(page, testId, needle, offset) {
  return editor(page, testId).evaluate(
    (node, [text, by]) => {
      const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
      const at = view.state.doc.toString().indexOf(text);
      const c = at < 0 ? null : view.coordsAtPos(at + by);
      return c && { x: c.left + 2, y: (c.top + c.bottom) / 2 };
    },
    [needle, offset],
  );
}

const completionLabels = (page) => page.locator(".cm-tooltip-autocomplete li .cm-completionLabel").allInnerTexts();

describe("Autocomplete, navigation and static column checks", () => {
  const shared = sharedServer({ before, after }, { build: [] });

  test("a column missing upstream is flagged as you type, and 'did you mean' fixes it in one click", async () => {
    const { page } = shared.studio;
    await openModel(page, MODEL);
    await replaceInEditor(page, "model-editor", "c.cat_name,", "c.cat_namX,");
    const marked = page.locator('[data-testid="model-editor"] .cm-lintRange-warning');
    await marked.first().waitFor({ timeout: 10_000 });
    assert.equal(await marked.first().innerText(), "cat_namX");
    await marked.first().hover();
    const tooltip = page.locator(".cm-tooltip-lint");
    await tooltip.waitFor({ timeout: 5_000 });
    const text = await tooltip.innerText();
    assert.match(text, /K2005/);
    assert.match(text, /ref\('stg_tickit__categories'\)/);
    await tooltip.getByRole("button", { name: "Change to cat_name" }).click();
    const doc = await docOf(page, "model-editor");
    assert.ok(doc.includes("c.cat_name,") && !doc.includes("cat_namX"), `the fix rewrote the name: ${doc.split("\n").filter((line) => line.includes("cat_")).join(" | ")}`);
    await marked.first().waitFor({ state: "detached", timeout: 10_000 });
  });

  test("ref() names and upstream columns complete as you type; the screenshot fits both window sizes", async () => {
    const { page } = shared.studio;
    await openModel(page, MODEL);
    await placeCursor(page, "model-editor", "        c.cat_group,", "        c.cat_group,".length);
    await page.keyboard.type("\n        c.cat_");
    await page.locator(".cm-tooltip-autocomplete").waitFor({ timeout: 10_000 });
    const columns = await completionLabels(page);
    for (const name of ["cat_name", "cat_desc"]) assert.ok(columns.includes(name), `${name} among ${columns.join(", ")}`);
    await page.keyboard.press("Escape");

    await placeCursor(page, "model-editor", "with categories as (", 0);
    await page.keyboard.press("Enter");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.type("-- {{ ref('stg_tickit__c");
    await page.locator(".cm-tooltip-autocomplete").waitFor({ timeout: 10_000 });
    assert.ok((await completionLabels(page)).includes("stg_tickit__categories"));
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ]) {
      await page.setViewportSize({ width, height });
      await page.locator(".cm-tooltip-autocomplete").waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a ${width}px window`);
      await shot(page, `editor-autocomplete-${width}x${height}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.keyboard.press("Escape");
    await page.keyboard.press("Control+z");
  });

  test("hover on ref() shows the model's columns, and F12 opens it", async () => {
    const { page } = shared.studio;
    await openModel(page, MODEL);
    const needle = "ref('stg_tickit__categories')";
    await placeCursor(page, "model-editor", needle, 5);
    const point = await pointAt(page, "model-editor", needle, 6);
    assert.ok(point, "the ref is on screen");
    await page.mouse.move(point.x, point.y);
    const hover = page.locator('[data-testid="ref-hover"]');
    await hover.waitFor({ timeout: 10_000 });
    const text = await hover.innerText();
    assert.match(text, /stg_tickit__categories · model/);
    for (const name of ["cat_id", "cat_group", "cat_name", "cat_desc"]) assert.match(text, new RegExp(`\\b${name}\\b`));

    await page.keyboard.press("F12");
    await page.locator('[role="tab"][aria-selected="true"][title="models/staging/tickit/stg_tickit__categories.sql"]').waitFor({ timeout: 10_000 });
    const opened = await docOf(page, "model-editor");
    assert.match(opened, /source\('tickit_external', 'category'\)/);
  });

  test("the console completes a schema's tables and an alias's columns from the warehouse", async () => {
    const { page } = shared.studio;
    const expected = (await engineRows(shared.kiln, "select column_name from information_schema.columns where table_schema = 'main' and table_name = 'fct_sales' order by ordinal_position")).map((row) => row[0]);
    assert.ok(expected.length > 5);

    await typeInConsole(page, "select  from main.fct_sales s");
    await placeCursor(page, "console-editor", "select ", "select ".length);
    await page.keyboard.type("s.");
    await page.locator(".cm-tooltip-autocomplete").waitFor({ timeout: 10_000 });
    const labels = await completionLabels(page);
    assert.deepEqual([...labels].sort(), [...expected].sort());
    await page.keyboard.press("Escape");

    await typeInConsole(page, "select * from main.fct_s");
    await page.keyboard.press("Control+Space");
    await page.locator(".cm-tooltip-autocomplete").waitFor({ timeout: 10_000 });
    assert.ok((await completionLabels(page)).includes("fct_sales"));
    await page.keyboard.press("Escape");

    // The console renders Jinja against the project: ref() names complete there too.
    await typeInConsole(page, "select * from {{ ref('fct_l");
    await page.keyboard.press("Control+Space");
    await page.locator(".cm-tooltip-autocomplete").waitFor({ timeout: 10_000 });
    assert.ok((await completionLabels(page)).includes("fct_listings"));
    await page.keyboard.press("Escape");
  });

  test("a 40-column result stays inside the window at 1280×800 and 1920×1080", async () => {
    const { page } = shared.studio;
    const columns = Array.from({ length: 40 }, (_, index) => `price_paid * ${index + 1} as price_times_${index + 1}`).join(", ");
    await typeInConsole(page, `select ${columns} from main.fct_sales`);
    await page.locator('[data-testid="run-statement"]').click();
    await page.locator('[data-testid="grid-count"]').waitFor({ timeout: 30_000 });
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ]) {
      await page.setViewportSize({ width, height });
      await page.waitForTimeout(200);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than a ${width}px window`);
      const history = await page.getByRole("button", { name: /History/ }).first().boundingBox();
      assert.ok(history && history.x + history.width <= width, `History is inside the ${width}px window`);
      await shot(page, `console-40-columns-${width}x${height}`);
    }
    await page.setViewportSize({ width: 1440, height: 900 });
  });
});
