// The model canvas in a real browser against a real `kiln serve` on TICKIT: a model built from
// two sources step by step (input, join, formula, aggregate, filter), saved, built, and compared
// with a hand-written query of the same logic; an edit that breaks a step is marked on it before
// saving and undone; every TICKIT model opens as steps and saves unchanged.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { engineNumber, engineRows, sharedServer, shot } from "./harness.js";

const NEW_MODEL = "models/marts/fct_event_margin.sql";
const TICKIT_MODELS = [
  "models/intermediate/int_buyers_extracted_from_users.sql",
  "models/intermediate/int_sellers_extracted_from_users.sql",
  "models/marts/marketing/dim_events.sql",
  "models/marts/marketing/dim_non_buyers.sql",
  "models/marts/sales/fct_listings.sql",
  "models/marts/sales/fct_sales.sql",
  "models/staging/tickit/stg_tickit__categories.sql",
  "models/staging/tickit/stg_tickit__dates.sql",
  "models/staging/tickit/stg_tickit__events.sql",
  "models/staging/tickit/stg_tickit__listings.sql",
  "models/staging/tickit/stg_tickit__sales.sql",
  "models/staging/tickit/stg_tickit__users.sql",
  "models/staging/tickit/stg_tickit__venues.sql",
];

// The same logic written by hand: margin per event of events that sold more than 10 tickets.
const REFERENCE = `
  select e.eventname, sum(s.qtysold) as tickets_sold, sum(s.pricepaid - s.commission) as margin
  from {{ source('tickit_external', 'sale') }} as s
  join {{ source('tickit_external', 'event') }} as e on s.eventid = e.eventid
  group by e.eventname
  having sum(s.qtysold) > 10`;

async function until(check, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("Model canvas", () => {
  // Built first: steps read the staged sources and the models in the warehouse.
  const current = sharedServer({ before, after }, { build: [] });

  test("a model built from sources on the canvas saves, builds and matches the hand-written query", async () => {
    const { page } = current.studio;
    const { kiln } = current;
    await page.setViewportSize({ width: 1280, height: 800 });
    const view = page.locator('[data-testid="canvas-view"]');
    const step = (name) => page.locator(`[data-testid="canvas-step-${name}"]`);
    const previewReady = () => page.locator('[data-testid="canvas-preview"][data-state="ready"]').waitFor({ timeout: 30_000 });
    const addStep = async (kind) => {
      await page.locator('[data-testid="canvas-add-step"]').click();
      await page.locator(`[data-testid="canvas-add-${kind}"]`).click();
      await page.locator(`[data-testid="canvas-form-${kind}"]`).waitFor();
    };
    const submit = () => page.locator('[data-testid="canvas-form-add"]').click();

    // A new model, from the palette.
    await page.keyboard.press("Control+k");
    await page.keyboard.type("Canvas: new model");
    await page.keyboard.press("Enter");
    await page.locator('[data-testid="canvas-new-name"]').fill("fct_event_margin");
    await page.locator('[data-testid="canvas-new-folder"]').fill("models/marts");
    await page.locator('[data-testid="canvas-new-open"]').click();
    await page.locator('[data-testid="canvas-view"][data-state="ready"]').waitFor();

    // Input: the sales source.
    await addStep("input");
    await page.locator('[data-testid="canvas-form-input-relation"]').selectOption({ label: "tickit_external.sale" });
    await submit();
    await step("sale").waitFor();
    await previewReady();
    const saleRows = await engineNumber(kiln, "select count(*) from {{ source('tickit_external', 'sale') }}");
    await until(async () => Number(await page.locator('[data-testid="canvas-row-count"]').getAttribute("data-rows")) === saleRows, `the preview's count ${saleRows}`);

    // Join the events source on eventid, keeping its name.
    await addStep("join");
    await page.locator('[data-testid="canvas-form-join-right"]').selectOption({ label: "tickit_external.event" });
    const leftKey = page.locator('[data-testid="canvas-form-join-left-0"]');
    // The form proposes key pairs once both sides' columns are in: wait for the right side's
    // columns first, so a proposal cannot land between the check and the click below.
    await page.locator('[data-testid="canvas-form-join-columns"]').locator("label", { hasText: /^eventname$/ }).waitFor();
    await page.waitForTimeout(300);
    if ((await leftKey.count()) === 0) await page.locator('[data-testid="canvas-form-join-add-key"]').click();
    await until(async () => (await leftKey.locator("option", { hasText: /^eventid$/ }).count()) > 0, "the sales columns in the key picker");
    await leftKey.selectOption("eventid");
    await page.locator('[data-testid="canvas-form-join-right-0"]').selectOption("eventid");
    await shot(page, "canvas-join-form-1280x800");
    await submit();
    await step("joined").waitFor();
    // The join check: every sale finds its event, and no event id repeats.
    const check = page.locator('[data-testid="canvas-join-check"]');
    await until(async () => /100(\.0)?\s*%/.test((await check.textContent()) ?? ""), "a 100% match rate in the join check");

    // Formula: margin = price paid less commission.
    await addStep("formula");
    await page.locator('[data-testid="canvas-form-formula-name"]').fill("margin");
    await page.locator('[data-testid="canvas-form-formula-expr"]').fill("pricepaid - commission");
    await submit();
    await step("with_formula").waitFor();

    // Aggregate by event name.
    await addStep("aggregate");
    await page.locator('[data-testid="canvas-form-aggregate-group-by"]').locator("label", { hasText: /^eventname$/ }).locator("input").check();
    await page.locator('[data-testid="canvas-form-measure-fn-0"]').selectOption("sum");
    await page.locator('[data-testid="canvas-form-measure-column-0"]').selectOption("qtysold");
    await page.locator('[data-testid="canvas-form-measure-name-0"]').fill("tickets_sold");
    await page.locator('[data-testid="canvas-form-aggregate-add-measure"]').click();
    await page.locator('[data-testid="canvas-form-measure-fn-1"]').selectOption("sum");
    await page.locator('[data-testid="canvas-form-measure-column-1"]').selectOption("margin");
    await page.locator('[data-testid="canvas-form-measure-name-1"]').fill("margin");
    await submit();
    await step("aggregated").waitFor();

    // Filter: events that sold more than 10 tickets.
    await addStep("filter");
    await page.locator('[data-testid="canvas-form-filter-column-0"]').selectOption("tickets_sold");
    await page.locator('[data-testid="canvas-form-filter-op-0"]').selectOption("greater");
    await page.locator('[data-testid="canvas-form-filter-value-0"]').fill("10");
    await submit();
    await step("filtered").waitFor();
    await previewReady();
    const expected = await engineNumber(kiln, `select count(*) from (${REFERENCE}) as r`);
    assert.ok(expected > 0, "the reference query has rows");
    await until(async () => Number(await page.locator('[data-testid="canvas-row-count"]').getAttribute("data-rows")) === expected, `the filter step's preview count ${expected}`);
    await shot(page, "canvas-built-1280x800");

    // A filter on a column that does not exist is marked on the step before saving; what was
    // typed stays; undo takes it back.
    const filterField = page.locator('[data-testid="canvas-field-filter"]');
    const before = await filterField.inputValue();
    await filterField.click();
    await page.keyboard.press("End");
    await page.keyboard.type(" and no_such_column > 1");
    await step("filtered").locator('[data-testid="canvas-step-error"]').waitFor({ timeout: 15_000 });
    assert.match(await filterField.inputValue(), /no_such_column/);
    await shot(page, "canvas-step-error-1280x800");
    await page.locator('[data-testid="canvas-undo"]').click();
    await until(async () => (await filterField.inputValue()) === before, "undo restores the filter");
    await step("filtered").locator('[data-testid="canvas-step-error"]').waitFor({ state: "detached", timeout: 15_000 });

    // Save: one previewed change, then written.
    await page.locator('[data-testid="canvas-save"]').click();
    await page.getByRole("button", { name: /^Write/ }).click();
    const file = join(kiln.project, NEW_MODEL);
    await until(() => existsSync(file), `${NEW_MODEL} written`);
    const sql = readFileSync(file, "utf8");
    assert.match(sql, /from\s+\{\{ source\('tickit_external', 'sale'\) \}\}/);
    assert.match(sql, /join \{\{ source\('tickit_external', 'event'\) \}\} as r on l\.eventid = r\.eventid/);
    assert.match(sql, /select \* from filtered\s*$/);
    await until(async () => (await view.getAttribute("data-dirty")) === "false", "the canvas is clean after saving");

    // `kiln build` of the new model gives the reference query's rows, no more, no fewer.
    const started = await kiln.api("startRun", { command: "build", select: ["fct_event_margin"], exclude: [] });
    const run = await kiln.waitForRun(started.runId);
    assert.equal(run.status, "success", JSON.stringify(run));
    const model = "{{ ref('fct_event_margin') }}";
    assert.equal(await engineNumber(kiln, `select count(*) from ${model}`), expected);
    const differing = await engineNumber(
      kiln,
      `select count(*) from ((select eventname, tickets_sold, margin from ${model} except select * from (${REFERENCE}) as a)
         union all (select * from (${REFERENCE}) as b except select eventname, tickets_sold, margin from ${model})) as d`,
    );
    assert.equal(differing, 0, "rows differ between the built model and the reference query");
    const top = await engineRows(kiln, `select eventname, tickets_sold from ${model} order by margin desc, eventname limit 3`);
    const topReference = await engineRows(kiln, `select eventname, tickets_sold from (${REFERENCE}) as r order by margin desc, eventname limit 3`);
    assert.deepEqual(top, topReference);
  });

  test("every TICKIT model opens as steps and saves unchanged", async () => {
    const { page } = current.studio;
    const { kiln } = current;
    for (const path of TICKIT_MODELS) {
      const state = await kiln.api("canvasOpen", { path });
      assert.ok(state.exists && state.canvas.steps.length > 1, `${path} opens as steps`);
      const preview = await kiln.api("applyEdit", { kind: "saveCanvas", path, canvas: state.canvas });
      const [change] = preview.changes;
      assert.equal(change.after, change.before, `${path} saves unchanged`);
      assert.equal(change.before, readFileSync(join(kiln.project, path), "utf8"));
    }

    // fct_sales in the studio: nine steps, the last one the output, nothing to save.
    for (const [width, height] of [
      [1280, 800],
      [1920, 1080],
    ]) {
      await page.setViewportSize({ width, height });
      await page.locator('[data-testid="tree-file"][data-path="models/marts/sales/fct_sales.sql"]').click({ button: "right" });
      await page.locator('[data-testid="explorer-menu"] [data-action="openCanvas"]').click();
      const view = page.locator('[data-testid="canvas-view"][data-state="ready"]');
      await view.waitFor();
      await until(async () => (await page.locator('[data-testid^="canvas-step-"][role="option"]').count()) === 9, "nine steps");
      assert.equal(await page.locator('[data-testid="canvas-step-final"]').getAttribute("data-kind"), "join");
      assert.ok(await page.locator('[data-testid="canvas-save"]').isDisabled(), "nothing to save on an unedited model");
      await page.locator('[data-testid="canvas-step-final"]').click();
      await page.locator('[data-testid="canvas-preview"][data-state="ready"]').waitFor({ timeout: 30_000 });
      const rows = await engineNumber(kiln, "select count(*) from {{ ref('fct_sales') }}").catch(() => null);
      if (rows !== null) {
        assert.equal(Number(await page.locator('[data-testid="canvas-row-count"]').getAttribute("data-rows")), rows);
      }
      await shot(page, `canvas-fct-sales-${width}x${height}`);
    }
  });
});
