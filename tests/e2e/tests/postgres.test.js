// The studio on a PostgreSQL target (issue 10, item 5), in a real browser against a real `kiln serve`
// whose profile targets a real PostgreSQL 15 server (kiln-postgres's `test-cluster` example, started
// here on 127.0.0.1 and stopped at the end). dbt's jaffle_shop runs on PostgreSQL unmodified; the
// console's results stream from the server into the studio's local result store, where paging,
// sorting, filters, Σ, charts and export run. Every number the page shows is checked against one
// computed here or asked of the server itself.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { engineRows, launchBrowser, openModel, openStudio, postgresAvailable, postgresProfiles, shot, startKilnOn, startPostgres, typeInConsole } from "./harness.js";

const JAFFLE = "tests/fixtures/jaffle_shop";
const ROWS = 1_000_000;
const BIG_QUERY =
  "select g as id, g % 7 as bucket, 'row ' || g as label, (g * 0.01)::numeric(12,2) as amount, " +
  "timestamp '2024-01-01' + g * interval '1 second' as at from generate_series(1, 1000000) g";
/** Outside CI, as the Rust tests against PostgreSQL do, the tests skip when no server can be started. */
const skip = !process.env.CI && !postgresAvailable() ? "PostgreSQL's server binaries or the test-cluster example (cargo build -p kiln-postgres --example test-cluster --features testing) are missing" : false;
/** The screenshots' size. */
const SHOT_SIZE = { width: 1280, height: 800 };

/** The big query's rows, as this test computes them (never asked of a warehouse). */
const expected = (() => {
  let bucket3 = 0;
  let sumCents = 0n;
  for (let g = 1; g <= ROWS; g += 1) {
    if (g % 7 === 3) bucket3 += 1;
    sumCents += BigInt(g);
  }
  // amount = g cents: the mean in cents is sum / n, exactly (sum = n(n+1)/2).
  return { bucket3, meanAmount: Number(sumCents) / ROWS / 100, minAmount: 0.01, maxAmount: ROWS / 100 };
})();

/** A result grid's cells of the row `index` (its number first), once they are loaded. */
async function rowCells(page, index) {
  const row = page.locator(`[data-testid="grid-row"][data-row="${index}"]`);
  await row.waitFor({ timeout: 15_000 });
  await page.waitForFunction((i) => !document.querySelector(`[data-testid="grid-row"][data-row="${i}"] .grid-cell.loading`), index, { timeout: 15_000 });
  return (await row.locator(".grid-cell").allInnerTexts()).map((text) => text.trim());
}

const number = (text) => Number(String(text).replace(/,/g, ""));

describe("The studio on a PostgreSQL target", { skip }, () => {
  const shared = { browser: undefined, cluster: undefined, kiln: undefined, studio: undefined };
  const gridCount = (text) => shared.studio.page.locator('[data-testid="grid-count"]').getByText(text);
  /** The server's own answer. */
  const serverNumber = async (sql) => Number((await engineRows(shared.kiln, sql))[0][0]);

  before(async () => {
    shared.cluster = await startPostgres();
    shared.kiln = await startKilnOn(JAFFLE, { profiles: postgresProfiles("jaffle_shop", shared.cluster, { schema: "jaffle" }) });
    shared.browser = await launchBrowser();
    shared.studio = await openStudio(shared.browser, shared.kiln);
    await shared.studio.page.setViewportSize(SHOT_SIZE);
  });
  after(async () => {
    await shared.studio?.context.close();
    await shared.kiln?.stop();
    await shared.browser?.close();
    await shared.cluster?.stop();
  });

  test("Build from the studio builds every node on PostgreSQL, and the lineage shows their statuses", async () => {
    const { page } = shared.studio;
    await page.locator('[data-testid="run-build"]').click();
    await page.locator('[data-testid="run-chip"]').waitFor();
    await page.locator('[data-testid="run-chip"]:not([data-status="running"])').waitFor({ timeout: 180_000 });
    const { runs } = await shared.kiln.api("runHistory");
    const { results, log: runLog } = await shared.kiln.api("runResults", { runId: runs[0].runId });
    // A failed build names its failing nodes and their errors, not only "error".
    const failed = results.filter((result) => !["success", "pass", "skipped"].includes(result.status)).map((result) => `${result.name}: ${result.message}`);
    assert.equal(await page.locator('[data-testid="run-chip"]').getAttribute("data-status"), "success", `${failed.join("\n")}\n${runLog.slice(-5).join("\n")}`);
    // 3 seeds, 5 models and 23 tests, as `kiln build` on PostgreSQL (crates/kiln-cli/tests/postgres_target.rs).
    assert.equal(results.length, 31);
    assert.deepEqual(results.filter((result) => !["success", "pass"].includes(result.status)).map((result) => `${result.name}: ${result.status}`), []);

    await page.getByRole("tab", { name: "Log" }).click();
    const log = page.locator('[data-testid="run-log"]');
    await log.getByText(/^Done\. PASS=/).waitFor({ timeout: 10_000 });
    const text = await log.innerText();
    assert.match(text, /Running with kiln=\S+ on postgres/);
    assert.match(text, /OK created sql table model postgres\.jaffle\.customers/);

    await page.getByRole("tab", { name: "Lineage" }).click();
    const node = (name) => page.locator(`[data-testid="lineage-node"][data-name="${name}"]`);
    await node("customers").waitFor({ timeout: 20_000 });
    for (const name of ["customers", "orders", "stg_customers", "stg_orders", "stg_payments", "raw_customers", "raw_orders", "raw_payments"]) {
      assert.equal(await node(name).getAttribute("data-status"), "success", `${name} in the lineage`);
    }
    await shot(page, "pg-lineage-built");
  });

  test("the schema browser lists the project's schemas and tables from PostgreSQL, not its catalogs", async () => {
    const { page } = shared.studio;
    await page.getByRole("button", { name: "Warehouse schema" }).click();
    const schemaRow = (name) => page.locator(".tree-row.tree-dir").filter({ has: page.locator(".tree-label", { hasText: new RegExp(`^${name}$`) }) });
    await schemaRow("jaffle").waitFor({ timeout: 20_000 });
    const schemas = (await page.locator(".tree-row.tree-dir .tree-label").allInnerTexts()).map((name) => name.trim());
    assert.deepEqual(schemas.sort(), ["jaffle", "jaffle_raw"]);
    const relations = (await page.locator('.tree-row[aria-expanded] .tree-label').allInnerTexts()).map((name) => name.trim());
    for (const name of ["customers", "orders", "stg_customers", "stg_orders", "stg_payments", "raw_customers", "raw_orders", "raw_payments"]) {
      assert.ok(relations.includes(name), `${name} among ${relations.join(", ")}`);
    }
    // A table's columns come from PostgreSQL, with its type names.
    await page.locator(".tree-row", { has: page.locator(".tree-label", { hasText: /^customers$/ }) }).click();
    await page.locator(".tree-leaf .tree-label", { hasText: /^customer_lifetime_value$/ }).waitFor();
    const schema = await shared.kiln.api("schema");
    assert.deepEqual(schema.schemas.map((entry) => entry.name).sort(), ["jaffle", "jaffle_raw"]);
    const customers = schema.schemas.find((entry) => entry.name === "jaffle").relations.find((relation) => relation.name === "customers");
    assert.deepEqual(customers.columns.map((column) => column.name), ["customer_id", "first_name", "last_name", "first_order", "most_recent_order", "number_of_orders", "customer_lifetime_value"]);
    await page.setViewportSize(SHOT_SIZE);
    await shot(page, "pg-schema-browser");
  });

  test("a model's Preview and a relation's preview read their rows from PostgreSQL", async () => {
    const { page } = shared.studio;
    const customers = await serverNumber("select count(*) from jaffle.customers");
    const orders = await serverNumber("select count(*) from jaffle.orders");
    assert.ok(customers > 0 && orders > 0 && customers !== orders);
    await page.getByRole("button", { name: "Project files" }).click();
    await openModel(page, "models/customers.sql");
    await page.getByRole("button", { name: "Preview", exact: true }).click();
    const aside = page.locator(".editor-aside");
    await aside.locator('[data-testid="grid-count"]').getByText(`${customers} rows`).waitFor({ timeout: 20_000 });
    assert.match(await aside.locator(".grid-header").innerText(), /customer_lifetime_value/);

    await page.getByRole("button", { name: "Warehouse schema" }).click();
    // The preview button shows when its row is hovered.
    const previewOrders = page.locator('[aria-label="Preview jaffle.orders"]');
    await previewOrders.locator("..").hover();
    await previewOrders.click();
    await page.locator('.result-body [data-testid="grid-count"]').getByText(`${orders} rows`).waitFor({ timeout: 20_000 });
    assert.match(await page.locator(".result-body .grid-header").innerText(), /order_id/);
  });

  test("a million rows from PostgreSQL: first page at once, then count, far scroll, sort, filter, Σ, export and chart", async () => {
    const { page } = shared.studio;
    // The Build's run panel closed, so the grid has the room.
    if (await page.getByRole("button", { name: "Close panel" }).count()) await page.getByRole("button", { name: "Close panel" }).click();
    await typeInConsole(page, BIG_QUERY);
    // Timed in the page, from the click's event to the first frame that shows the result's first
    // row (playwright's own click and polling would add their latency to the user's).
    await page.evaluate(() => {
      window.__kilnFirstRows = new Promise((resolve) => {
        let clicked = null;
        document.addEventListener("click", (event) => {
          if (clicked === null && event.target instanceof Element && event.target.closest('[data-testid="run-statement"]')) clicked = performance.now();
        }, { capture: true });
        const check = () => {
          const cells = [...document.querySelectorAll('[data-testid="grid-row"][data-row="0"] .grid-cell')].map((cell) => cell.textContent?.trim());
          if (clicked !== null && cells.length === 6 && cells[1] === "1" && cells[3] === "row 1") resolve(performance.now() - clicked);
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      });
    });
    const started = Date.now();
    await page.locator('[data-testid="run-statement"]').click();
    const firstRows = Math.round(await page.evaluate(() => window.__kilnFirstRows));
    await gridCount(`${ROWS.toLocaleString("en-US")} rows`).waitFor({ timeout: 120_000 });
    const settled = Date.now() - started;
    console.log(`PostgreSQL, ${ROWS.toLocaleString("en-US")} rows: first rows on screen after ${firstRows} ms, the whole result stored after ${settled} ms`);
    // The target is 300 ms, as for DuckDB; the bound here is generous to keep CI stable.
    assert.ok(firstRows < 3_000, `first rows on screen after ${firstRows} ms`);
    assert.deepEqual((await rowCells(page, 0)).slice(1, 4), ["1", "1", "row 1"]);
    await shot(page, "pg-console-1m-rows");

    // Far down the result, sorted by id one way and then the other.
    const idHeader = page.locator(".grid-head-button", { has: page.locator(".grid-head-name", { hasText: /^id$/ }) });
    const scroller = page.locator('[data-testid="grid-scroller"]');
    const scrollTo = (fraction) =>
      scroller.evaluate(async (node, part) => {
        node.scrollTop = (node.scrollHeight - node.clientHeight) * part;
        await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
      }, fraction);
    const scrollToMiddle = () => scrollTo(0.5);
    await idHeader.click();
    await gridCount(/sorted by id ↑/).waitFor({ timeout: 15_000 });
    await scrollToMiddle();
    const ascending = await rowCells(page, 499_999);
    assert.equal(number(ascending[0]), 500_000, "row number");
    assert.equal(number(ascending[1]), 500_000, "id of row 500,000 sorted by id");
    assert.equal(ascending[3], "row 500000");
    await idHeader.click();
    await gridCount(/sorted by id ↓/).waitFor({ timeout: 15_000 });
    await scrollTo(0);
    assert.equal(number((await rowCells(page, 0))[1]), ROWS, "the largest id first");
    await scrollToMiddle();
    const descending = await rowCells(page, 499_999);
    assert.equal(number(descending[1]), ROWS - 499_999, "id of row 500,000 sorted by id descending");
    await shot(page, "pg-console-sorted-middle");
    await idHeader.click();
    await scrollTo(0);

    // The grid's SQL condition filter, against the count computed here and the server's own.
    assert.equal(await serverNumber("select count(*) from generate_series(1, 1000000) g where g % 7 = 3"), expected.bucket3);
    const filter = page.locator(".grid-filter input");
    await filter.fill("bucket = 3");
    await filter.press("Enter");
    await gridCount(`${expected.bucket3.toLocaleString("en-US")} rows`).waitFor({ timeout: 30_000 });
    assert.match(await page.locator('[data-testid="grid-count"]').innerText(), /filtered by condition/);
    const buckets = await page.locator('[data-testid="grid-row"]').evaluateAll((rows) => rows.map((row) => row.querySelectorAll(".grid-cell")[2]?.textContent?.trim()));
    assert.ok(buckets.length > 0);
    assert.deepEqual([...new Set(buckets)], ["3"]);
    await filter.fill("");
    await filter.press("Enter");
    await gridCount(`${ROWS.toLocaleString("en-US")} rows`).waitFor({ timeout: 15_000 });

    // Σ of the NUMERIC amount over every row: exact.
    await page.getByRole("button", { name: "Stats for amount" }).click();
    const stats = page.locator('[data-testid="grid-stats"]');
    await stats.locator('[data-testid="stats-rows"]').waitFor({ timeout: 30_000 });
    assert.match(await stats.locator('[data-testid="stats-rows"]').innerText(), new RegExp(`over all ${ROWS.toLocaleString("en-US")} rows`));
    const shown = async (id) => number((await stats.locator(`[data-testid="${id}"]`).innerText()).replace(/^(min|max|mean)\s+/, ""));
    assert.equal(await shown("stats-min"), expected.minAmount);
    assert.equal(await shown("stats-max"), expected.maxAmount);
    assert.equal(await shown("stats-mean"), expected.meanAmount);
    await page.getByRole("button", { name: "Close stats" }).click();

    // Export: a browser download of every row.
    await page.locator('[data-testid="export-result"]').click();
    await page.locator('[data-testid="export-path"]').fill("million.csv");
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 120_000 }), page.locator('[data-testid="export-submit"]').click()]);
    assert.equal(download.suggestedFilename(), "million.csv");
    const lines = readFileSync(await download.path(), "utf8").split(/\r?\n/).filter((line) => line.length > 0);
    assert.equal(lines[0], "id,bucket,label,amount,at");
    assert.equal(lines.length - 1, ROWS);
    const [id, bucket, label, amount] = lines[500_000].split(",");
    assert.deepEqual([Number(id), Number(bucket), label, Number(amount)], [500_000, 500_000 % 7, "row 500000", 5000]);

    // The chart view draws the result.
    await page.locator('[data-testid="view-chart"]').click();
    const chart = page.locator('[data-testid="echart"]');
    await chart.waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="echart"]')?.dataset.points ?? 0) > 0, null, { timeout: 30_000 });
    assert.equal(await page.locator('[data-testid="chart-x"]').inputValue(), "at");
    const bucketUnit = await page.locator('[data-testid="chart-bucket"]').inputValue();
    const seconds = { second: 1, minute: 60, hour: 3600, day: 86_400 }[bucketUnit];
    assert.ok(seconds, `a time bucket the test can count: ${bucketUnit}`);
    // at = 2024-01-01 + g seconds for g in 1..1,000,000: the buckets from second 1 to second 1,000,000.
    const bucketsDrawn = Math.floor(ROWS / seconds) - Math.floor(1 / seconds) + 1;
    await page.waitForFunction((points) => document.querySelector('[data-testid="echart"]')?.dataset.points === String(points), bucketsDrawn, { timeout: 30_000 }).catch(async (error) => {
      const seen = await chart.evaluate((node) => `${node.dataset.series} series, ${node.dataset.points} points`);
      throw new Error(`expected ${bucketsDrawn} ${bucketUnit} buckets, the chart shows ${seen}`, { cause: error });
    });
    await shot(page, "pg-console-chart");
    await page.locator('[data-testid="view-grid"]').click();
  });

  test("a small result from the server gets its count, and its column types are the stored result's", async () => {
    const { page } = shared.studio;
    // A few hundred to a few thousand rows settle moments after the first page is answered, often
    // before the browser has the response: the count must not stay "counting…". Several runs,
    // since it is a race (before the fix nearly every run lost it).
    for (const rows of [998, 999, 1000]) {
      await typeInConsole(page, `select g::float8 / 4 as quarter, g from generate_series(1, ${rows}) g`);
      await page.locator('[data-testid="run-statement"]').click();
      await gridCount(`${rows.toLocaleString("en-US")} rows`).waitFor({ timeout: 15_000 });
    }
    // The local table's types, which filters, Σ and charts run on: PostgreSQL's double precision is DOUBLE.
    const types = (await page.locator(".grid-header .grid-head-type").allInnerTexts()).map((type) => type.trim());
    assert.deepEqual(types, ["DOUBLE", "INTEGER"]);
    await page.getByRole("button", { name: "Stats for quarter" }).click();
    const mean = page.locator('[data-testid="grid-stats"] [data-testid="stats-mean"]');
    await mean.waitFor({ timeout: 15_000 });
    // The mean of g / 4 for g = 1 … 1,000.
    assert.equal(number((await mean.innerText()).replace(/^mean\s+/, "")), 500.5 / 4);
    await page.getByRole("button", { name: "Close stats" }).click();
  });

  test("a PostgreSQL error shows the server's message at the script's line", async () => {
    const { page } = shared.studio;
    await typeInConsole(page, "select 1 as first_one\n\nselect\n  nope_column\nfrom generate_series(1, 3)");
    await page.keyboard.press("Control+Shift+Enter");
    const error = page.locator(".result-error");
    await error.waitFor({ timeout: 15_000 });
    const text = await error.innerText();
    assert.match(text, /column "nope_column" does not exist/);
    assert.match(text, /Line 4, column 3/);
    await shot(page, "pg-console-error");
  });

  test("Cancel stops a running PostgreSQL query within seconds", async () => {
    const { page } = shared.studio;
    await typeInConsole(page, "select pg_sleep(30)");
    await page.locator('[data-testid="run-statement"]').click();
    const cancel = page.locator('button[title="Cancel the running query"]');
    await page.locator(".console-toolbar").getByText("Query running").waitFor({ timeout: 10_000 }).catch(() => {});
    // The statement is running on the server before it is cancelled.
    const running = async () =>
      serverNumber("select count(*) from pg_stat_activity where state = 'active' and query like '%pg_sleep(30)%' and pid <> pg_backend_pid()");
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await running()) === 0) await page.waitForTimeout(50);
    assert.equal(await running(), 1, "pg_sleep(30) runs on the server");
    const clicked = Date.now();
    await cancel.click();
    await page.locator('[data-testid="run-statement"]:not([disabled])').waitFor({ timeout: 10_000 });
    const stopped = Date.now() - clicked;
    console.log(`PostgreSQL: pg_sleep(30) cancelled after ${stopped} ms`);
    assert.ok(stopped < 5_000, `the query stopped ${stopped} ms after Cancel`);
    const error = page.locator(".result-error");
    await error.waitFor();
    assert.match(await error.innerText(), /cancel/i);
    assert.equal(await running(), 0, "nothing is left running on the server");
  });

  test("the profile's password appears nowhere in the page", async () => {
    const { page } = shared.studio;
    assert.ok(!(await page.content()).includes(shared.cluster.password));
    assert.ok(!(await page.evaluate(() => document.body.innerText)).includes(shared.cluster.password));
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });
});

describe("The studio on a PostgreSQL target with a wrong password", { skip }, () => {
  const WRONG = "Wr0ng-S3ntinel-pw-9c4e";
  const shared = { browser: undefined, cluster: undefined, kiln: undefined, studio: undefined };

  before(async () => {
    shared.cluster = await startPostgres();
    shared.kiln = await startKilnOn(JAFFLE, { profiles: postgresProfiles("jaffle_shop", shared.cluster, { schema: "jaffle", password: WRONG }) });
    shared.browser = await launchBrowser();
    shared.studio = await openStudio(shared.browser, shared.kiln);
    await shared.studio.page.setViewportSize(SHOT_SIZE);
  });
  after(async () => {
    await shared.studio?.context.close();
    await shared.kiln?.stop();
    await shared.browser?.close();
    await shared.cluster?.stop();
  });

  test("the studio names the refused login (K4006) in the schema browser, the console and Build, and never shows the password", async () => {
    const { page } = shared.studio;
    const login = /K4006[\s\S]*refused the login[\s\S]*password authentication failed/;

    await page.getByRole("button", { name: "Warehouse schema" }).click();
    const schemaError = page.locator(".panel").filter({ hasText: "Could not read the warehouse" });
    await schemaError.waitFor({ timeout: 20_000 });
    assert.match(await schemaError.innerText(), login);
    // Where to fix it: the profile's line.
    assert.match(await schemaError.innerText(), /profiles\.yml:\d+\)/);
    await shot(page, "pg-wrong-password-schema");

    await typeInConsole(page, "select 1");
    await page.locator('[data-testid="run-statement"]').click();
    const error = page.locator(".result-error");
    await error.waitFor({ timeout: 20_000 });
    assert.match(await error.innerText(), login);
    assert.match(await error.innerText(), /profiles\.yml, line \d+/);
    await shot(page, "pg-wrong-password-console");

    await page.locator('[data-testid="run-build"]').click();
    const toast = page.locator(".toast").filter({ hasText: /K4006/ }).first();
    await toast.waitFor({ timeout: 20_000 });
    assert.match(await toast.innerText(), /refused the login/);
    await shot(page, "pg-wrong-password-build");

    for (const text of [await page.content(), await page.evaluate(() => document.body.innerText)]) {
      assert.ok(!text.includes(WRONG), "the page shows the profile's password");
    }
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });
});
