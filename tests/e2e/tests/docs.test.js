// The docs page in a real browser against a real `kiln serve` on a TICKIT copy: "+ test" offers every
// generic test the project can use with a form for its arguments and writes them into the YAML
// through the diff preview; test chips take the colour of their last result; descriptions are
// Markdown; an exposure shows its label, type, maturity, URL and owner.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { engineNumber, launchBrowser, openStudio, shot, startKiln } from "./harness.js";

const SALES_YML = "models/marts/sales/_sales.yml";
const MARKDOWN = [
  "    description: |",
  "      One row per ticket **sale**, de-normalised for dashboards. Grain:",
  "",
  "      - one sale of one or more tickets",
  "      - joined to its event, buyer and seller",
  "",
  "      See [the TICKIT schema](https://docs.aws.amazon.com/redshift/latest/dg/c_sampledb.html).",
].join("\n");

/** fct_sales' folded description becomes a Markdown one in the copy. */
function markdownDescription(project) {
  const path = join(project, SALES_YML);
  const text = readFileSync(path, "utf8");
  const folded = /    description: >\n      One row per ticket sale[^\n]*\n[^\n]*\n/;
  assert.match(text, folded);
  writeFileSync(path, text.replace(folded, `${MARKDOWN}\n`));
}

async function showLineage(page) {
  await page.getByRole("tab", { name: "Lineage" }).click();
  await page.locator('[data-testid="lineage-node"]').first().waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => !document.querySelector(".lineage-count")?.textContent?.includes("arranging"), null, { timeout: 20_000 });
}

/** Opens a node's docs tab from its lineage context menu. */
async function showDocs(page, name) {
  await showLineage(page);
  await page.locator(`[data-testid="lineage-node"][data-name="${name}"]`).click({ button: "right" });
  await page.locator(".context-menu").getByRole("menuitem", { name: "Show docs" }).click();
  await page.locator(".docs-page .docs-title h2", { hasText: name }).waitFor({ timeout: 20_000 });
}

async function waitForFile(path, pattern, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let text = readFileSync(path, "utf8");
  while (Date.now() < deadline && !pattern.test(text)) {
    await new Promise((done) => setTimeout(done, 100));
    text = readFileSync(path, "utf8");
  }
  return text;
}

describe("Docs: tests with arguments, results, Markdown and exposures", () => {
  const shared = { browser: undefined, kiln: undefined, studio: undefined };
  before(async () => {
    shared.browser = await launchBrowser();
    shared.kiln = await startKiln({ prepare: markdownDescription });
    const started = await shared.kiln.api("startRun", { command: "build", select: [], exclude: [] });
    const run = await shared.kiln.waitForRun(started.runId);
    if (run.status !== "success") throw new Error(`the Build before the suite ended ${run.status}`);
    shared.studio = await openStudio(shared.browser, shared.kiln);
  });
  after(async () => {
    await shared.studio?.context.close();
    await shared.kiln?.stop();
    await shared.browser?.close();
  });

  test("a description's Markdown renders as HTML, with links that open outside", async () => {
    const { page } = shared.studio;
    await showDocs(page, "fct_sales");
    const description = page.locator(".docs-page .docs-description");
    await description.locator("strong", { hasText: "sale" }).waitFor();
    assert.deepEqual(await description.locator("ul > li").allInnerTexts(), ["one sale of one or more tickets", "joined to its event, buyer and seller"]);
    const link = description.locator("a", { hasText: "the TICKIT schema" });
    assert.equal(await link.getAttribute("href"), "https://docs.aws.amazon.com/redshift/latest/dg/c_sampledb.html");
    assert.equal(await link.getAttribute("target"), "_blank");
    assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
    // Chips of tests that ran in the Build are green.
    const saleId = page.locator('.docs-page tr[data-column="sale_id"] .test-chip');
    assert.deepEqual(await saleId.evaluateAll((chips) => chips.map((chip) => chip.getAttribute("data-status"))), ["pass", "pass", "pass"]);
    await shot(page, "docs-01-markdown");
  });

  test("+ test offers every test with its arguments: accepted_values from data and relationships are written, run and coloured", async () => {
    const { page } = shared.studio;
    const { project } = shared.kiln;
    await showDocs(page, "fct_sales");
    const row = (column) => page.locator(`.docs-page tr[data-column="${column}"]`);
    const dialog = page.getByRole("dialog", { name: "Add a test to fct_sales.cat_name" });

    await row("cat_name").getByRole("button", { name: "Add a test to cat_name" }).click();
    const options = dialog.getByRole("option");
    await options.first().waitFor();
    const offered = await options.locator("code").allInnerTexts();
    for (const name of ["unique", "not_null", "accepted_values", "relationships", "is_positive", "within_range"]) {
      assert.ok(offered.includes(name), `${name} is offered (${offered.join(", ")})`);
    }
    assert.deepEqual(await dialog.locator(".add-test-group-label").allTextContents(), ["Built-in", "This project"], "grouped by origin");

    // A project generic test shows a field per argument, the required ones first in its signature.
    await dialog.getByRole("option", { name: /within_range/ }).click();
    await dialog.getByText("Defined in tests/generic/test_within_range.sql").waitFor();
    assert.deepEqual(await dialog.locator(".add-test-field code, .add-test-flag code").allInnerTexts(), ["min_value", "max_value", "inclusive"]);
    assert.ok(await dialog.getByRole("button", { name: "Preview change" }).isDisabled(), "required arguments are missing");
    await shot(page, "docs-02-picker-project-test");

    // accepted_values: the list comes from the data, one value is left out so the test fails.
    await dialog.getByRole("option", { name: /accepted_values/ }).click();
    await dialog.getByRole("button", { name: "Fill from data" }).click();
    await dialog.getByText(/distinct values found in fct_sales/).waitFor({ timeout: 20_000 });
    const values = dialog.locator("textarea");
    const filled = (await values.inputValue()).split("\n");
    assert.ok(filled.includes("Opera") && filled.includes("MLB"), filled.join(","));
    await values.fill(filled.filter((value) => value !== "Opera").join("\n"));
    await shot(page, "docs-03-accepted-values");
    await dialog.getByRole("button", { name: "Preview change" }).click();
    const preview = page.getByRole("dialog", { name: "Add accepted_values to cat_name" });
    await preview.getByText("accepted_values:").first().waitFor({ timeout: 20_000 });
    await shot(page, "docs-04-preview");
    await preview.getByRole("button", { name: "Write 1 file" }).click();
    const expectedValues = filled.filter((value) => value !== "Opera").map((value) => `"${value}"`).join(", ");
    let yaml = await waitForFile(join(project, SALES_YML), /- name: cat_name\n[^-]*data_tests:/);
    assert.ok(
      yaml.includes(`      - name: cat_name\n        description: short category name\n        data_tests:\n          - accepted_values:\n              arguments:\n                values: [${expectedValues}]\n`),
      yaml,
    );
    await row("cat_name").locator('.test-chip[data-status="notrun"]', { hasText: "accepted_values" }).waitFor({ timeout: 20_000 });

    // relationships: the model and its column are picked from the project.
    await row("event_name").getByRole("button", { name: "Add a test to event_name" }).click();
    const relDialog = page.getByRole("dialog", { name: "Add a test to fct_sales.event_name" });
    await relDialog.getByRole("option", { name: /relationships/ }).click();
    await relDialog.locator(".add-test-field", { hasText: "to" }).locator("select").selectOption("dim_events");
    const field = relDialog.locator(".add-test-field", { hasText: "field" }).locator("select");
    await field.locator('option[value="event_name"]').waitFor({ state: "attached", timeout: 20_000 });
    await field.selectOption("event_name");
    await shot(page, "docs-05-relationships");
    await relDialog.getByRole("button", { name: "Preview change" }).click();
    await page.getByRole("dialog", { name: "Add relationships to event_name" }).getByRole("button", { name: "Write 1 file" }).click();
    yaml = await waitForFile(join(project, SALES_YML), /- relationships:\n\s+arguments:\n\s+to: ref\('dim_events'\)/);
    assert.ok(
      yaml.includes("      - name: event_name\n        description: name of the event\n        data_tests:\n          - relationships:\n              arguments:\n                to: ref('dim_events')\n                field: event_name\n"),
      yaml,
    );

    // The project still parses, the new tests are nodes with their arguments, and they run.
    const docs = await shared.kiln.api("docs", { id: "model.tickit.fct_sales" });
    const nodeOf = (column) => docs.columns.find((entry) => entry.name === column).testNodes[0];
    assert.equal(nodeOf("cat_name").name, "accepted_values");
    assert.match(nodeOf("cat_name").arguments, /^values: \["Classical",/);
    assert.equal(nodeOf("event_name").arguments, `to: "ref('dim_events')", field: "event_name"`);
    const graph = await shared.kiln.api("graph");
    for (const column of ["cat_name", "event_name"]) assert.ok(graph.nodes.some((node) => node.id === nodeOf(column).id), `${column}'s test is in the graph`);
    const started = await shared.kiln.api("startRun", { command: "test", select: ["fct_sales"], exclude: [] });
    await shared.kiln.waitForRun(started.runId);
    const { results } = await shared.kiln.api("runResults", { runId: started.runId });
    const statusOf = (column) => results.find((result) => result.uniqueId === nodeOf(column).id)?.status;
    assert.equal(statusOf("cat_name"), "fail", "Opera is not accepted");
    assert.equal(statusOf("event_name"), "pass");

    await row("cat_name").locator('.test-chip[data-status="fail"]', { hasText: "accepted_values" }).waitFor({ timeout: 20_000 });
    await row("event_name").locator('.test-chip[data-status="pass"]', { hasText: "relationships" }).waitFor({ timeout: 20_000 });
    const colour = (chip) => chip.evaluate((node) => getComputedStyle(node).color);
    assert.notEqual(
      await colour(row("cat_name").locator(".test-chip", { hasText: "accepted_values" })),
      await colour(row("event_name").locator(".test-chip", { hasText: "relationships" })),
      "a failed and a passed chip look different",
    );
    await row("cat_name").scrollIntoViewIfNeeded();
    await shot(page, "docs-06-chips-after-run");
  });

  test("a project generic test with arguments is added with typed values", async () => {
    const { page } = shared.studio;
    const { project } = shared.kiln;
    const maxQty = await engineNumber(shared.kiln, "select max(qty_sold) from main.fct_sales");
    await showDocs(page, "fct_sales");
    await page.locator('.docs-page tr[data-column="qty_sold"]').getByRole("button", { name: "Add a test to qty_sold" }).click();
    const dialog = page.getByRole("dialog", { name: "Add a test to fct_sales.qty_sold" });
    await dialog.getByRole("option", { name: /within_range/ }).click();
    await dialog.locator(".add-test-field", { hasText: "min_value" }).locator("input").fill("1");
    await dialog.locator(".add-test-field", { hasText: "max_value" }).locator("input").fill(String(maxQty));
    await dialog.getByRole("button", { name: "Preview change" }).click();
    await page.getByRole("dialog", { name: "Add within_range to qty_sold" }).getByRole("button", { name: "Write 1 file" }).click();
    const yaml = await waitForFile(join(project, SALES_YML), /- within_range:/);
    assert.ok(yaml.includes(`          - within_range:\n              arguments:\n                min_value: 1\n                max_value: ${maxQty}\n`), yaml);
    const started = await shared.kiln.api("startRun", { command: "test", select: ["fct_sales"], exclude: [] });
    await shared.kiln.waitForRun(started.runId);
    await page.locator('.docs-page tr[data-column="qty_sold"] .test-chip[data-status="pass"]', { hasText: "within_range" }).waitFor({ timeout: 20_000 });
  });

  test("an exposure's page shows its label, type, maturity, URL and owner", async () => {
    const { page } = shared.studio;
    await showDocs(page, "fct_sales");
    await page.locator(".docs-page .relation-list", { hasText: "Exposures" }).getByRole("button", { name: "tickit_sales_summary" }).click();
    await page.locator(".docs-page .docs-title h2", { hasText: "tickit_sales_summary" }).waitFor({ timeout: 20_000 });
    const details = page.locator(".docs-page .exposure-details");
    await details.waitFor();
    const pairs = await details.evaluate((list) => {
      const out = {};
      for (const term of list.querySelectorAll("dt")) out[term.textContent] = term.nextElementSibling?.textContent ?? "";
      return out;
    });
    assert.equal(pairs.Label, "TICKIT sales summary");
    assert.equal(pairs.Type, "dashboard");
    assert.equal(pairs.Maturity, "medium");
    assert.equal(pairs.URL, "https://us-east-1.quicksight.aws.amazon.com");
    assert.equal(pairs.Owner, "TICKIT Analytics · analytics@tickit.example");
    assert.equal(await details.locator('a[href="mailto:analytics@tickit.example"]').count(), 1);
    assert.equal(await details.locator('a[href="https://us-east-1.quicksight.aws.amazon.com"]').getAttribute("rel"), "noopener noreferrer");
    await page.locator(".docs-page .docs-description", { hasText: "TICKIT sales summary dashboard" }).waitFor();
    const dependsOn = await page.locator(".docs-page .relation-list", { hasText: "Depends on" }).locator("li").allInnerTexts();
    assert.ok(dependsOn.includes("fct_sales") && dependsOn.includes("fct_listings"), dependsOn.join(","));
    assert.equal(await page.locator(".docs-page .docs-columns").count(), 0, "an exposure has no columns table");
    await shot(page, "docs-07-exposure");
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });
});
