// Editing on the model canvas in a real browser against a real `kiln serve` on TICKIT: a model
// edited with the keyboard alone (selection, a step added from the palette, reorder, delete, undo
// and redo), a join whose right side repeats its key, a formula that does not type-check, and the
// column tests the preview suggests for a saved model, added to its YAML and run.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { engineNumber, sharedServer, shot } from "./harness.js";

const FCT_SALES = "models/marts/sales/fct_sales.sql";
const FCT_SALES_STEPS = ["categories", "dates", "events", "listings", "sales", "sellers", "buyers", "event_categories", "final"];

async function until(check, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The step cards' names, top to bottom. */
async function stepNames(page) {
  return page.locator('[data-testid^="canvas-step-"][role="option"]').evaluateAll((cards) => cards.map((card) => card.getAttribute("data-testid").slice("canvas-step-".length)));
}

async function selectedStep(page) {
  return page.locator('[data-testid^="canvas-step-"][role="option"][aria-selected="true"]').evaluateAll((cards) => cards.map((card) => card.getAttribute("data-testid").slice("canvas-step-".length)));
}

/** Waits until the cards read `expected`, then says so (a clear diff when they never do). */
async function expectSteps(page, expected, what) {
  try {
    await until(async () => JSON.stringify(await stepNames(page)) === JSON.stringify(expected), what, 10_000);
  } catch {
    assert.deepEqual(await stepNames(page), expected, what);
  }
}

async function expectSelected(page, name) {
  try {
    await until(async () => (await selectedStep(page))[0] === name, `${name} selected`, 5_000);
  } catch {
    assert.deepEqual(await selectedStep(page), [name]);
  }
}

/** Runs a palette command by typing its name, with the keyboard only. */
async function paletteCommand(page, text) {
  await page.keyboard.press("Control+k");
  const input = page.getByPlaceholder("Search models, files and commands…");
  await input.waitFor();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  await input.waitFor({ state: "detached" });
}

/** Opens a new, empty model canvas from the palette. */
async function newCanvas(page, name, folder = "models/marts") {
  await paletteCommand(page, "Canvas: new model");
  await page.locator('[data-testid="canvas-new-name"]').fill(name);
  await page.locator('[data-testid="canvas-new-folder"]').fill(folder);
  await page.locator('[data-testid="canvas-new-open"]').click();
  await page.locator('[data-testid="canvas-view"][data-state="ready"]').waitFor();
  await page.locator('[data-testid="canvas-add-step"]', { hasText: "Add the first step" }).waitFor();
}

async function addStep(page, kind) {
  await page.locator('[data-testid="canvas-add-step"]').click();
  await page.locator(`[data-testid="canvas-add-${kind}"]`).click();
  await page.locator(`[data-testid="canvas-form-${kind}"]`).waitFor();
}

async function submitStep(page) {
  await page.locator('[data-testid="canvas-form-add"]').click();
  await page.locator('[data-testid="canvas-form-add"]').waitFor({ state: "detached" });
}

describe("Model canvas editing", () => {
  // Built first: steps read the models in the warehouse, and the new model's tests run on it.
  const current = sharedServer({ before, after }, { build: [] });

  test("fct_sales is edited with the keyboard alone: select, add, reorder, delete, undo and redo", async () => {
    const { page } = current.studio;
    await page.setViewportSize({ width: 1280, height: 800 });

    // The file from quick open, then the canvas from the palette.
    await page.keyboard.press("Control+p");
    await page.getByPlaceholder("Go to file by name…").waitFor();
    await page.keyboard.type("fct_sales.sql");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="model-editor"] .cm-content').waitFor();
    await paletteCommand(page, "Canvas: Open current model");
    await page.locator('[data-testid="canvas-view"][data-state="ready"]').waitFor();
    await expectSteps(page, FCT_SALES_STEPS, "fct_sales opens as its nine steps");
    const save = page.locator('[data-testid="canvas-save"]');
    assert.ok(await save.isDisabled(), "nothing to save on an unedited model");

    // The flow has the keyboard: the output is selected, ↑/↓/Home/End move the selection.
    const flow = page.locator('[data-testid="canvas-flow"]');
    await until(() => flow.evaluate((node) => node === document.activeElement), "the step list to have the focus");
    await expectSelected(page, "final");
    await page.keyboard.press("ArrowUp");
    await expectSelected(page, "event_categories");
    await page.keyboard.press("Home");
    await expectSelected(page, "categories");
    await page.keyboard.press("ArrowUp");
    await expectSelected(page, "categories");
    for (let i = 0; i < 4; i += 1) await page.keyboard.press("ArrowDown");
    await expectSelected(page, "sales");
    assert.equal(await page.locator('[data-testid="canvas-inspector"]').getAttribute("aria-label"), "Step sales", "the inspector shows the selected step");

    // "+" opens the add-step menu with the keyboard in it; Escape gives it back to the steps.
    await page.keyboard.press("+");
    const addMenu = page.locator('[data-testid="canvas-add-menu"]');
    await addMenu.waitFor();
    const focusedItem = () => page.evaluate(() => document.activeElement?.getAttribute("data-testid"));
    await until(async () => (await focusedItem()) === "canvas-add-input", "the menu's first item to have the focus");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedItem(), "canvas-add-join");
    await page.keyboard.press("Escape");
    await addMenu.waitFor({ state: "detached" });
    assert.equal(await focusedItem(), "canvas-flow", "the steps have the keyboard again");

    // A limit step after `sales`, from the palette, its form filled with the keyboard.
    await paletteCommand(page, "Canvas: Add limit step");
    const rows = page.locator('[data-testid="canvas-form-limit-rows"]');
    await rows.waitFor();
    await until(() => rows.evaluate((node) => node === document.activeElement), "the limit field to have the focus");
    await page.keyboard.press("Control+a");
    await page.keyboard.type("25");
    await page.keyboard.press("Control+Enter");
    await rows.waitFor({ state: "detached" });
    const added = [...FCT_SALES_STEPS.slice(0, 5), "limited", ...FCT_SALES_STEPS.slice(5)];
    await expectSteps(page, added, "the limit step is added after sales");
    await expectSelected(page, "limited");
    assert.equal(await page.locator('[data-testid="canvas-step-limited"]').getAttribute("data-kind"), "limit");
    assert.equal(await page.locator('[data-testid="canvas-field-limit"]').inputValue(), "25", "the inspector shows the typed limit");
    await until(() => flow.evaluate((node) => node === document.activeElement), "the step list to have the focus back");

    // Alt+↑ and Alt+↓ move the step; the selection goes with it.
    await page.keyboard.press("Alt+ArrowUp");
    const movedUp = [...FCT_SALES_STEPS.slice(0, 4), "limited", ...FCT_SALES_STEPS.slice(4)];
    await expectSteps(page, movedUp, "Alt+↑ moves the limit step above sales");
    await expectSelected(page, "limited");
    await page.keyboard.press("Alt+ArrowDown");
    await page.keyboard.press("Alt+ArrowDown");
    const movedDown = [...FCT_SALES_STEPS.slice(0, 6), "limited", ...FCT_SALES_STEPS.slice(6)];
    await expectSteps(page, movedDown, "Alt+↓ twice moves it below sellers");
    await expectSelected(page, "limited");
    assert.ok(await save.isEnabled(), "an edited canvas can be saved");
    await page.locator('[data-testid="canvas-preview"][data-state="ready"][data-step="limited"]').waitFor({ timeout: 30_000 });
    assert.equal(Number(await page.locator('[data-testid="canvas-row-count"]').getAttribute("data-rows")), 25, "the preview has the limit's 25 rows");
    await shot(page, "canvas-editing-keyboard-1280x800");

    // Delete removes the selected step; then `dates` goes too.
    await page.keyboard.press("Delete");
    await expectSteps(page, FCT_SALES_STEPS, "Delete removes the limit step");
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowDown");
    await expectSelected(page, "dates");
    await page.keyboard.press("Delete");
    const withoutDates = FCT_SALES_STEPS.filter((name) => name !== "dates");
    await expectSteps(page, withoutDates, "Delete removes dates");
    // `final` read dates: it now reads what dates read, and still runs.
    const finalReads = () =>
      page.locator('[data-testid="canvas-step-final"] .canvas-chip').evaluateAll((chips) => chips.flatMap((chip) => (chip.classList.contains("chip-more") ? chip.title.split(", ") : [chip.textContent])));
    await until(async () => (await finalReads()).includes("stg_tickit__dates"), "final to read stg_tickit__dates");
    assert.equal((await finalReads()).includes("dates"), false);
    assert.equal(await page.locator('[data-testid="canvas-step-final"]').getAttribute("data-error"), null, "final still runs");

    // Ctrl+Z walks back through every edit, each restoring the exact list; Ctrl+Shift+Z forward.
    // (Moved down once, the limit step is back after sales.)
    const history = [FCT_SALES_STEPS, added, movedUp, added, movedDown, FCT_SALES_STEPS, withoutDates];
    const labels = ["opened", "added", "moved up", "moved down once", "moved down twice", "limit deleted", "dates deleted"];
    for (let at = history.length - 2; at >= 0; at -= 1) {
      await page.keyboard.press("Control+z");
      await expectSteps(page, history[at], `undo back to "${labels[at]}"`);
    }
    await until(async () => await save.isDisabled(), "Save disabled once every edit is undone");
    assert.ok(await page.locator('[data-testid="canvas-undo"]').isDisabled(), "nothing left to undo");
    assert.equal(await page.locator('[data-testid="canvas-unsaved"]').count(), 0, "no unsaved marker");
    for (let at = 1; at < history.length; at += 1) {
      await page.keyboard.press("Control+Shift+z");
      await expectSteps(page, history[at], `redo to "${labels[at]}"`);
    }
    assert.ok(await save.isEnabled(), "redone edits can be saved again");
    assert.ok((await finalReads()).includes("stg_tickit__dates"), "redo restores the bridged read");
    for (let at = history.length - 2; at >= 0; at -= 1) await page.keyboard.press("Control+z");
    await expectSteps(page, FCT_SALES_STEPS, "everything undone again");
    await until(async () => await save.isDisabled(), "Save disabled after undoing everything");
    assert.ok((await finalReads()).includes("dates"), "final reads dates again");
    assert.equal(readFileSync(join(current.kiln.project, FCT_SALES), "utf8").includes("limit"), false, "nothing was written");
  });

  test("a join whose right side repeats its key warns of the fan-out before saving", async () => {
    const { page } = current.studio;
    const { kiln } = current;
    await page.setViewportSize({ width: 1280, height: 800 });
    const duplicated = await engineNumber(kiln, "select count(*) from (select event_id from {{ ref('stg_tickit__listings') }} group by event_id having count(*) > 1) as d");
    assert.ok(duplicated > 0, "listings repeat event ids");

    await newCanvas(page, "fct_sales_listings");
    await addStep(page, "input");
    await page.locator('[data-testid="canvas-form-input-relation"]').selectOption({ label: "stg_tickit__sales" });
    await submitStep(page);
    await page.locator('[data-testid="canvas-step-stg_tickit__sales"]').waitFor();

    await addStep(page, "join");
    await page.locator('[data-testid="canvas-form-join-right"]').selectOption({ label: "stg_tickit__listings" });
    const leftKey = page.locator('[data-testid="canvas-form-join-left-0"]');
    // Once the listings' columns are read the form proposes a key pair (list_id): only then is
    // it known whether a pair must be added.
    await page.locator('[data-testid="canvas-form-join-columns"][role="group"]').waitFor();
    if ((await leftKey.count()) === 0) await page.locator('[data-testid="canvas-form-join-add-key"]').click();
    assert.equal(await page.locator('[data-testid^="canvas-form-join-left-"]').count(), 1, "one key pair");
    await until(async () => (await leftKey.locator("option", { hasText: /^event_id$/ }).count()) > 0, "the sales columns in the key picker");
    await leftKey.selectOption("event_id");
    await until(async () => (await page.locator('[data-testid="canvas-form-join-right-0"] option', { hasText: /^event_id$/ }).count()) > 0, "the listings columns in the key picker");
    await page.locator('[data-testid="canvas-form-join-right-0"]').selectOption("event_id");
    await submitStep(page);
    await page.locator('[data-testid="canvas-step-joined"]').waitFor();

    const row = page.locator('[data-testid="canvas-join-check-row"]');
    await row.first().waitFor({ timeout: 30_000 });
    await until(async () => (await row.getAttribute("data-fans-out")) === "true", "the join check to report the fan-out", 30_000);
    const text = (await row.textContent()) ?? "";
    assert.match(text, /Rows multiply/, text);
    assert.match(text, /duplicate values? of event_id/, `the message names the duplicated key: ${text}`);
    assert.match(text, new RegExp(`${duplicated.toLocaleString("en-US")} duplicate value`), `the message counts ${duplicated} duplicated event ids: ${text}`);
    const outputRows = await engineNumber(
      kiln,
      "select count(*) from {{ ref('stg_tickit__sales') }} as l left join {{ ref('stg_tickit__listings') }} as r on l.event_id = r.event_id",
    );
    const salesRows = await engineNumber(kiln, "select count(*) from {{ ref('stg_tickit__sales') }}");
    assert.ok(outputRows > salesRows, "the join does fan out");
    assert.match(text.replace(/\s+/g, " "), new RegExp(`output rows ?${outputRows.toLocaleString("en-US")}`), `the check counts the join's ${outputRows} rows: ${text}`);
    // Before saving: nothing is written yet.
    assert.equal(await page.locator('[data-testid="canvas-view"]').getAttribute("data-dirty"), "true");
    assert.equal(existsSync(join(kiln.project, "models/marts/fct_sales_listings.sql")), false);
    await page.locator('[data-testid="canvas-join-check"]').scrollIntoViewIfNeeded();
    await shot(page, "canvas-editing-fan-out-1280x800");
  });

  test("a formula that does not type-check is marked on its step and kept as typed", async () => {
    const { page } = current.studio;
    await page.setViewportSize({ width: 1280, height: 800 });
    await newCanvas(page, "event_names_scratch");
    await addStep(page, "input");
    await page.locator('[data-testid="canvas-form-input-relation"]').selectOption({ label: "tickit_external.event" });
    await submitStep(page);
    await page.locator('[data-testid="canvas-step-event"]').waitFor();
    await page.locator('[data-testid="canvas-preview"][data-state="ready"]').waitFor({ timeout: 30_000 });

    await addStep(page, "formula");
    await page.locator('[data-testid="canvas-form-formula-name"]').fill("name_plus_one");
    await page.locator('[data-testid="canvas-form-formula-expr"]').fill("eventname + 1");
    await submitStep(page);
    const step = page.locator('[data-testid="canvas-step-with_formula"]');
    await step.waitFor();
    const marker = step.locator('[data-testid="canvas-step-error"]');
    await marker.waitFor({ timeout: 15_000 });
    assert.equal(await step.getAttribute("data-error"), "true");
    const problem = await marker.getAttribute("title");
    assert.match(problem ?? "", /\+|VARCHAR|type|function/i, `the marker explains the mismatch: ${problem}`);
    // What was typed stays in the column's field, and the inspector shows the problem.
    const fields = page.locator('[data-testid^="canvas-field-column-expr-"]');
    await until(async () => (await fields.evaluateAll((inputs) => inputs.map((input) => input.value))).includes("eventname + 1"), "the formula's text in its field");
    await page.locator('[data-testid="canvas-inspector-error"]').waitFor();
    // The preview says why it has no rows rather than showing stale ones.
    await page.locator('[data-testid="canvas-preview"][data-state="error"]').waitFor({ timeout: 15_000 });

    // Fixing the text in place clears the mark; the edit is one undo away from the bad text.
    const field = await until(async () => {
      for (const candidate of await fields.all()) if ((await candidate.inputValue()) === "eventname + 1") return candidate;
      return null;
    }, "the formula field");
    await field.click();
    await page.keyboard.press("End");
    await page.keyboard.press("Shift+Home");
    await page.keyboard.type("eventname || '!'");
    await marker.waitFor({ state: "detached", timeout: 15_000 });
    await page.locator('[data-testid="canvas-preview"][data-state="ready"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="canvas-undo"]').click();
    await until(async () => (await field.inputValue()) === "eventname + 1", "undo restores the typed text");
    await marker.waitFor({ timeout: 15_000 });
    await shot(page, "canvas-editing-type-error-1280x800");
  });

  test("a saved model's preview suggests column tests; not_null goes into its YAML and passes", async () => {
    const { page } = current.studio;
    const { kiln } = current;
    await page.setViewportSize({ width: 1280, height: 800 });
    const MODEL = "dim_categories_canvas";
    const file = `models/marts/${MODEL}.sql`;
    await newCanvas(page, MODEL);
    await addStep(page, "input");
    await page.locator('[data-testid="canvas-form-input-relation"]').selectOption({ label: "stg_tickit__categories" });
    await submitStep(page);
    await page.locator('[data-testid="canvas-step-stg_tickit__categories"]').waitFor();
    await page.locator('[data-testid="canvas-preview"][data-state="ready"]').waitFor({ timeout: 30_000 });
    // Not saved yet: nothing to suggest (there is no model to attach tests to).
    await page.locator('[data-testid="canvas-profile-distinct"]').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="canvas-suggest-tests"]').count(), 0, "no suggestions before the model is saved");
    // DuckDB's distinct counts are estimates: each is marked so.
    assert.deepEqual([...new Set(await page.locator('[data-testid="canvas-profile-distinct"]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-approximate"))))], ["true"]);

    await page.locator('[data-testid="canvas-save"]').click();
    await page.getByRole("button", { name: /^Write/ }).click();
    await until(() => existsSync(join(kiln.project, file)), `${file} written`);
    await until(async () => (await page.locator('[data-testid="canvas-view"]').getAttribute("data-dirty")) === "false", "the canvas is clean after saving");

    // The counts behind the suggestions: every profile's distinct count is within the rows.
    const rows = await engineNumber(kiln, "select count(*) from {{ ref('stg_tickit__categories') }}");
    await until(async () => Number(await page.locator('[data-testid="canvas-row-count"]').getAttribute("data-rows")) === rows, `the preview's ${rows} rows`);
    const chip = (column) => page.locator(`[data-testid="canvas-suggest-tests"][data-column="${column}"]`);
    await chip("cat_id").waitFor({ timeout: 30_000 });
    for (const text of await page.locator('[data-testid="canvas-profile-distinct"]').allTextContents()) {
      const shown = Number(text.replace(/[^\d]/g, ""));
      assert.ok(shown <= rows, `a distinct count (${text}) above the ${rows} rows`);
    }
    // cat_id: not null and unique (confirmed exactly); cat_group: a few values.
    const uniqueIds = await engineNumber(kiln, "select count(distinct cat_id) from {{ ref('stg_tickit__categories') }}");
    assert.equal(uniqueIds, rows);
    await until(async () => /2 tests/.test((await chip("cat_id").textContent()) ?? ""), "not_null and unique offered for cat_id", 30_000);
    // The exact count behind `unique` replaces the estimate in the header.
    const idDistinct = page.locator('[data-testid="canvas-preview-column"][data-column="cat_id"] [data-testid="canvas-profile-distinct"]');
    assert.equal(await idDistinct.getAttribute("data-approximate"), "false");
    assert.equal((await idDistinct.textContent())?.trim(), `${rows} distinct`);
    const groups = (await kiln.api("runQuery", { sql: "select distinct cat_group from {{ ref('stg_tickit__categories') }} order by 1" })).statements[0].firstPage.map((row) => row[0]);
    assert.ok(groups.length <= 10 && groups.length > 1, `a few category groups: ${groups}`);

    // Keyboard: the chip, Enter, ↓/↑ in the menu, Enter on not_null.
    await chip("cat_group").focus();
    await page.keyboard.press("Enter");
    const menu = page.locator('[data-testid="canvas-suggest-menu"]');
    await menu.waitFor();
    const accepted = menu.locator('[data-testid="canvas-suggest-item"][data-test="accepted_values"]');
    assert.match((await accepted.textContent()) ?? "", new RegExp(groups.join(", ")), "accepted_values lists the groups");
    await shot(page, "canvas-editing-suggest-menu-1280x800");
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    assert.equal(await chip("cat_group").evaluate((node) => node === document.activeElement), true, "Escape gives the chip back the focus");

    // Tab reaches the chips from the steps.
    await page.locator('[data-testid="canvas-flow"]').focus();
    for (let presses = 0; presses < 12; presses += 1) {
      if (await chip("cat_id").evaluate((node) => node === document.activeElement)) break;
      await page.keyboard.press("Tab");
    }
    assert.equal(await chip("cat_id").evaluate((node) => node === document.activeElement), true, "Tab from the steps reaches cat_id's chip");
    await page.keyboard.press("Enter");
    await menu.waitFor();
    const items = await menu.locator('[data-testid="canvas-suggest-item"]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-test")));
    assert.deepEqual(items, ["not_null", "unique"]);
    assert.equal(await menu.locator('[data-test="not_null"]').evaluate((node) => node === document.activeElement), true, "the first test has the focus");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: `Add not_null to ${MODEL}.cat_id` });
    await dialog.waitFor();
    await dialog.locator(".diff").waitFor();
    assert.match((await dialog.locator(".diff-header").textContent()) ?? "", /new file/, "the model had no YAML: a new file is created");
    await shot(page, "canvas-editing-suggest-diff-1280x800");
    await dialog.getByRole("button", { name: "Write 1 file" }).click();
    await dialog.waitFor({ state: "detached" });

    const yamlPath = join(kiln.project, `models/marts/_${MODEL}.yml`);
    const yaml = await until(() => existsSync(yamlPath) && readFileSync(yamlPath, "utf8"), "the YAML file");
    assert.match(yaml, new RegExp(`- name: ${MODEL}\\n\\s+columns:\\n\\s+- name: cat_id\\n\\s+data_tests:\\n\\s+- not_null\\n`), yaml);
    // The chip now offers only what is left.
    await until(async () => /^\+ test$/.test(((await chip("cat_id").textContent()) ?? "").trim()), "only unique left on cat_id");
    await chip("cat_id").click();
    assert.deepEqual(await menu.locator('[data-testid="canvas-suggest-item"]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-test"))), ["unique"]);
    assert.match((await menu.textContent()) ?? "", /Already tested: not_null/);
    await page.keyboard.press("Escape");
    await shot(page, "canvas-editing-suggest-after-1280x800");

    // The test is a node of the project and passes on the built model.
    const docs = await kiln.api("docs", { id: `model.tickit.${MODEL}` });
    const column = docs.columns.find((entry) => entry.name === "cat_id");
    assert.deepEqual(column?.tests, ["not_null"]);
    const build = await kiln.api("startRun", { command: "build", select: [MODEL], exclude: [] });
    const built = await kiln.waitForRun(build.runId);
    assert.equal(built.status, "success", JSON.stringify(built));
    const started = await kiln.api("startRun", { command: "test", select: [MODEL], exclude: [] });
    const run = await kiln.waitForRun(started.runId);
    assert.equal(run.status, "success", JSON.stringify(run));
    const { results } = await kiln.api("runResults", { runId: started.runId });
    const notNull = results.find((result) => result.uniqueId === column.testNodes[0].id);
    assert.equal(notNull?.status, "pass", JSON.stringify(results));
  });
});
