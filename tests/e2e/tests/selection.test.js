// Issue 8 items 12 and 14 in a real browser against a real `kiln serve`: the selector box suggests as
// you type and counts what it selects the way `kiln ls` does (the real binary, run here), the lineage
// highlights those nodes before Build, run results total pass / fail / error / warn / skip, runs
// started from another window or from the CLI say so, the side panels resize (remembered across a
// reload) and collapse, the lineage's test view wraps names instead of cutting them, a click selects
// a node and a double click opens it, and Esc closes menus and clears the selection.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { KILN, launchBrowser, openStudio, postgresAvailable, postgresProfiles, shot, startKiln, startKilnOn, startPostgres } from "./harness.js";

/** A singular test that fails: every sale is a failing row. */
const FAILING_TEST = "select sale_id from {{ ref('fct_sales') }}\n";

/** The unique ids `kiln ls -s <selector>` lists for the project (the engine's own selection). */
function kilnLs(project, selector) {
  const listed = spawnSync(KILN, ["ls", "--project-dir", project, "-s", ...selector.split(" "), "--output", "json"], { encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`kiln ls failed (${listed.status}): ${listed.stderr}`);
  return listed.stdout
    .split("\n")
    .filter((line) => line.trim().startsWith("{"))
    .map((line) => JSON.parse(line));
}

const selector = (page) => page.getByRole("combobox", { name: "dbt selector" });

async function typeSelector(page, text) {
  const input = selector(page);
  await input.click();
  await input.fill("");
  await input.pressSequentially(text, { delay: 20 });
}

async function selectionCount(page) {
  const count = page.locator('[data-testid="selection-count"]:not(.pending)');
  await count.waitFor({ timeout: 10_000 });
  return Number(await count.getAttribute("data-count"));
}

async function showLineage(page) {
  await page.getByRole("tab", { name: "Lineage" }).click();
  await page.locator('[data-testid="lineage-node"]').first().waitFor({ timeout: 20_000 });
  await page.waitForFunction(() => !document.querySelector(".lineage-count")?.textContent?.includes("arranging"), null, { timeout: 20_000 });
}

const sidebarWidth = (page) => page.locator('[data-testid="sidebar"]').evaluate((node) => node.getBoundingClientRect().width);

describe("Selection, run results and panels (TICKIT on DuckDB)", () => {
  const shared = { browser: undefined, kiln: undefined, studio: undefined };
  before(async () => {
    shared.browser = await launchBrowser();
    shared.kiln = await startKiln({ prepare: (project) => writeFileSync(join(project, "tests/assert_sales_fail_on_purpose.sql"), FAILING_TEST) });
    shared.studio = await openStudio(shared.browser, shared.kiln);
  });
  after(async () => {
    await shared.studio?.context.close();
    await shared.kiln?.stop();
    await shared.browser?.close();
  });

  test("the selector box suggests names, tag: values and graph operators, and is driven by the keyboard", async () => {
    const { page } = shared.studio;
    await typeSelector(page, "fct_sa");
    const options = page.locator('[data-testid="selector-suggestion"]');
    await options.first().waitFor({ timeout: 5_000 });
    const offered = await options.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-value")));
    assert.equal(offered[0], "fct_sales", `the prefix match comes first: ${offered.join(", ")}`);
    await shot(page, "sel-01-suggestions");
    // Tab inserts the active suggestion; the whole name then offers the graph operators.
    await page.keyboard.press("Tab");
    assert.equal(await selector(page).inputValue(), "fct_sales");
    await page.keyboard.press("ArrowDown");
    const operators = await options.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-value")));
    assert.ok(operators.includes("+fct_sales") && operators.includes("fct_sales+"), `operators offered: ${operators.join(", ")}`);
    // ArrowDown opened the list on its first entry; once more moves to the second (fct_sales+).
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    assert.equal(await selector(page).inputValue(), "fct_sales+");

    await typeSelector(page, "tag:");
    await options.first().waitFor();
    const tags = await options.evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-value")));
    assert.ok(tags.length > 0 && tags.every((value) => value.startsWith("tag:")), `tag values: ${tags.join(", ")}`);
    // Esc closes the suggestions and leaves the text.
    await page.keyboard.press("Escape");
    assert.equal(await options.count(), 0, "Esc closes the suggestions");
    assert.equal(await selector(page).inputValue(), "tag:");
  });

  test('"N nodes selected" is the engine\'s count (kiln ls), and the lineage highlights them before Build', async () => {
    const { page } = shared.studio;
    for (const text of ["+fct_sales", "tag:staging", "path:models/marts --exclude fct_listings", "@stg_tickit__users"]) {
      await typeSelector(page, text);
      await page.keyboard.press("Escape");
      const listed = kilnLs(shared.kiln.project, text);
      assert.ok(listed.length > 0, `${text} selects something`);
      assert.equal(await selectionCount(page), listed.length, `${text}: the count matches kiln ls`);
    }
    await typeSelector(page, "+fct_sales");
    await page.keyboard.press("Escape");
    await selectionCount(page);
    assert.match(await page.locator('[data-testid="selection-count"]').innerText(), /\d+ nodes selected/);
    await showLineage(page);
    // Tests are hidden in the default view, so the highlight counts the rest of kiln ls's answer.
    const expected = kilnLs(shared.kiln.project, "+fct_sales").filter((node) => node.resource_type !== "test");
    const highlight = page.locator('[data-testid="lineage-highlight-count"]');
    await highlight.waitFor();
    assert.equal(Number(await highlight.getAttribute("data-count")), expected.length);
    const names = new Set(expected.map((node) => node.name));
    const drawn = await page.locator('[data-testid="lineage-node"]').evaluateAll((nodes) => nodes.map((node) => [node.getAttribute("data-name"), node.getAttribute("data-picked")]));
    assert.ok(drawn.filter(([, picked]) => picked === "true").length > 0, "some highlighted nodes are drawn");
    for (const [name, picked] of drawn) assert.equal(picked, String(names.has(name)), `${name} highlighted iff selected`);
    await shot(page, "sel-02-lineage-highlight");
  });

  test("a build with a failing test totals pass / fail / error / warn / skip, and the lineage shows each node's status", async () => {
    const { page } = shared.studio;
    await typeSelector(page, "+fct_sales");
    await page.keyboard.press("Escape");
    await page.locator('[data-testid="run-build"]').click();
    // Live: some node reports while the run is going (or the run is already over on a fast machine).
    await page.locator('[data-testid="lineage-node"][data-status="running"], [data-testid="lineage-node"][data-status="success"]').first().waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="run-chip"]:not([data-status="running"])').waitFor({ timeout: 180_000 });
    const { runs } = await shared.kiln.api("runHistory");
    const counts = runs[0].counts;
    const panelTotals = page.locator('.bottom-panel [data-testid="run-totals"]');
    await panelTotals.waitFor();
    const total = async (key) => Number(await panelTotals.locator(`[data-testid="total-${key}"]`).getAttribute("data-count"));
    assert.ok(counts.fail >= 1, `the planted test fails: ${JSON.stringify(counts)}`);
    assert.equal(await total("fail"), counts.fail);
    assert.equal(await total("pass"), (counts.success ?? 0) + (counts.pass ?? 0));
    assert.equal(await total("error"), counts.error ?? 0);
    assert.equal(await total("warn"), counts.warn ?? 0);
    assert.equal(await total("skip"), counts.skipped ?? 0);
    assert.equal(await page.locator('[data-testid="run-chip"]').getAttribute("data-status"), "error");
    assert.equal(await page.locator('[data-testid="lineage-node"][data-name="fct_sales"]').getAttribute("data-status"), "success");
    await shot(page, "sel-03-totals");
  });

  test("a run started from another window says so in this one", async () => {
    const { page } = shared.studio;
    const other = await openStudio(shared.browser, shared.kiln);
    try {
      await typeSelector(other.page, "stg_tickit__sales");
      await other.page.keyboard.press("Escape");
      await other.page.locator('[data-testid="run-test"]').click();
      const chip = page.locator('[data-testid="run-chip"][data-origin="studio"]');
      await page.locator('[data-testid="run-chip"]').getByText("from another window").waitFor({ timeout: 30_000 });
      assert.equal(await chip.count(), 1);
      await other.page.locator('[data-testid="run-chip"]:not([data-status="running"])').waitFor({ timeout: 60_000 });
      assert.equal(await other.page.locator('[data-testid="run-chip"]').getByText("from another window").count(), 0, "the window that started it does not call it another's");
      await page.locator('[data-testid="run-origin"]').getByText("from another window").waitFor();
      await shot(page, "sel-04-other-window");
    } finally {
      await other.context.close();
    }
  });

  test("`kiln run` in a terminal while the studio holds the DuckDB warehouse runs in the studio, from the CLI", async () => {
    const { page } = shared.studio;
    // The studio keeps the warehouse file open (DuckDB: one writer), so the CLI hands the run over.
    const cli = spawnSync(KILN, ["run", "--project-dir", shared.kiln.project, "-s", "stg_tickit__sales", "--no-progress"], { encoding: "utf8" });
    assert.equal(cli.status, 0, `kiln run failed: ${cli.stdout}\n${cli.stderr}`);
    assert.match(cli.stdout, /^The studio has this project open; running there/);
    assert.match(cli.stdout, /OK created sql view model main\.stg_tickit__sales/);
    assert.ok(!cli.stdout.includes(shared.kiln.token) && !cli.stderr.includes(shared.kiln.token), "the token stays out of the CLI's output");
    const chip = page.locator('[data-testid="run-chip"][data-origin="cli"]:not([data-status="running"])');
    await chip.waitFor({ timeout: 30_000 });
    assert.match(await chip.innerText(), /from the CLI/);
    assert.equal(await chip.getAttribute("data-status"), "success");
    const { runs } = await shared.kiln.api("runHistory");
    assert.equal(runs[0].origin.kind, "cli", "the record names the CLI");
    assert.deepEqual(runs[0].select, ["stg_tickit__sales"]);
    await shot(page, "sel-04b-cli-run-duckdb");
  });

  test("the side panel resizes by dragging or with the keyboard, remembers its width across a reload, and collapses", async () => {
    const { page } = shared.studio;
    const before = await sidebarWidth(page);
    const handle = await page.locator('[data-testid="sidebar-splitter"]').boundingBox();
    await page.mouse.move(handle.x + handle.width / 2, handle.y + 200);
    await page.mouse.down();
    await page.mouse.move(handle.x + handle.width / 2 + 60, handle.y + 200, { steps: 4 });
    await page.mouse.move(handle.x + handle.width / 2 + 120, handle.y + 200, { steps: 4 });
    await page.mouse.up();
    const dragged = await sidebarWidth(page);
    assert.ok(Math.abs(dragged - (before + 120)) <= 2, `dragging 120 px widened ${before} to ${dragged}`);
    await page.locator('[data-testid="sidebar-splitter"]').focus();
    await page.keyboard.press("ArrowLeft");
    const keyed = await sidebarWidth(page);
    assert.ok(Math.abs(keyed - (dragged - 16)) <= 1, `ArrowLeft narrows by 16 px: ${dragged} → ${keyed}`);
    await page.reload();
    await page.locator('[data-testid="tree-file"]').first().waitFor({ timeout: 30_000 });
    assert.ok(Math.abs((await sidebarWidth(page)) - keyed) <= 1, "the width survives a reload");

    await page.locator('[data-testid="toggle-sidebar"]').click();
    assert.ok((await sidebarWidth(page)) < 1, "the toggle hides the side panel");
    await shot(page, "sel-05-sidebar-collapsed");
    await page.keyboard.press("Control+b");
    await page.locator('[data-testid="tree-file"]').first().waitFor();
    assert.ok(Math.abs((await sidebarWidth(page)) - keyed) <= 1, "Ctrl+B brings it back at its width");
  });

  test("the test view wraps every name instead of cutting it", async () => {
    const { page } = shared.studio;
    await selector(page).fill("");
    await page.keyboard.press("Escape");
    await showLineage(page);
    await page.locator(".lineage-toolbar label.checkbox").getByText("Tests").click();
    await page.locator(".lineage-node-test").first().waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => !document.querySelector(".lineage-count")?.textContent?.includes("arranging"), null, { timeout: 30_000 });
    const total = Number((await page.locator(".lineage-count").innerText()).split(" ")[0].replace(/,/g, ""));
    const tests = kilnLs(shared.kiln.project, "resource_type:test").length;
    assert.ok(total > tests && tests > 100, `the test view draws the ${tests} tests (${total} nodes)`);
    // Labels are drawn at the readable zoom; compare the text's box with its own content.
    const labels = await page.locator('[data-testid="lineage-node-name"]').evaluateAll((nodes) =>
      nodes.map((node) => ({ name: node.textContent, cutWide: node.scrollWidth > node.clientWidth + 1, cutTall: node.scrollHeight > node.clientHeight + 1 })),
    );
    const testLabels = await page.locator(".lineage-node-test [data-testid='lineage-node-name']").count();
    assert.ok(testLabels >= 5, `test nodes drawn: ${testLabels}`);
    const cut = labels.filter((label) => label.cutWide || label.cutTall);
    assert.deepEqual(cut, [], "no label is cut");
    await shot(page, "sel-06-test-view");
    // Fit the whole project: every node's label, long test names included, still fits its box.
    await page.locator(".react-flow__controls-fitview").click();
    await page.waitForTimeout(300);
    await shot(page, "sel-07-test-view-fit");
    await page.locator(".lineage-toolbar label.checkbox").getByText("Tests").click();
  });

  test("a click selects a lineage node, a double click opens it, Esc closes the menu and clears the selection", async () => {
    const { page } = shared.studio;
    await showLineage(page);
    const tabs = page.locator('.tab-strip [role="tab"]');
    const tabCount = await tabs.count();
    const node = page.locator('[data-testid="lineage-node"][data-name="fct_sales"]');
    await node.click();
    assert.equal(await node.getAttribute("data-selected"), "true", "a click selects");
    assert.equal(await tabs.count(), tabCount, "a click opens nothing");
    await page.keyboard.press("Escape");
    assert.equal(await page.locator('[data-testid="lineage-node"][data-selected="true"]').count(), 0, "Esc clears the selection");

    await node.click({ button: "right" });
    await page.locator(".context-menu").waitFor();
    await page.keyboard.press("Escape");
    assert.equal(await page.locator(".context-menu").count(), 0, "Esc closes the context menu");

    await node.dblclick();
    await page.locator('[data-testid="model-editor"]').waitFor({ timeout: 10_000 });
    assert.equal(await tabs.count(), tabCount + 1, "a double click opens the model");
    assert.equal(await page.locator('.tab-strip [role="tab"][aria-selected="true"]').getAttribute("title"), "models/marts/sales/fct_sales.sql");
  });
});

/** The same on a server target, where the CLI runs the build itself (no warehouse lock to hand over). */
const skipPostgres = !process.env.CI && !postgresAvailable() ? "PostgreSQL's server binaries or the test-cluster example are missing" : false;

describe("A run started from the CLI shows in the studio (jaffle_shop on PostgreSQL)", { skip: skipPostgres }, () => {
  const shared = { browser: undefined, cluster: undefined, kiln: undefined, studio: undefined };
  before(async () => {
    shared.cluster = await startPostgres();
    shared.kiln = await startKilnOn("tests/fixtures/jaffle_shop", { profiles: postgresProfiles("jaffle_shop", shared.cluster, { schema: "jaffle_cli" }) });
    shared.browser = await launchBrowser();
    shared.studio = await openStudio(shared.browser, shared.kiln);
  });
  after(async () => {
    await shared.studio?.context.close();
    await shared.kiln?.stop();
    await shared.browser?.close();
    await shared.cluster?.stop();
  });

  test("`kiln build` in a terminal is followed live, with its origin, totals and lineage statuses", async () => {
    const { page } = shared.studio;
    await showLineage(page);
    const cli = spawnSync(KILN, ["build", "--project-dir", shared.kiln.project, "--no-progress"], { encoding: "utf8" });
    assert.equal(cli.status, 0, `kiln build failed: ${cli.stdout}\n${cli.stderr}`);
    const chip = page.locator('[data-testid="run-chip"][data-origin="cli"]');
    await chip.waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="run-chip"][data-origin="cli"]:not([data-status="running"])').waitFor({ timeout: 30_000 });
    assert.match(await chip.innerText(), /from the CLI/);
    assert.equal(await chip.getAttribute("data-status"), "success");
    const { runs } = await shared.kiln.api("runHistory");
    assert.deepEqual(runs[0].origin.kind, "cli", "the record names the CLI");
    const panelTotals = page.locator('.bottom-panel [data-testid="run-totals"]');
    await panelTotals.waitFor();
    assert.equal(Number(await panelTotals.getAttribute("data-total")), Object.values(runs[0].counts).reduce((sum, n) => sum + n, 0));
    await page.locator('[data-testid="lineage-node"][data-name="customers"][data-status="success"]').waitFor({ timeout: 10_000 });
    await page.getByRole("button", { name: "Run history" }).click();
    await page.locator('[data-testid="history-run"][data-origin="cli"]').first().getByText("from the CLI").waitFor();
    await shot(page, "sel-08-cli-run");
  });
});
