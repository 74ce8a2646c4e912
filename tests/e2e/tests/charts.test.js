// Charts of console results (issue 9, item 1), in a real browser against a real `kiln serve`: the
// numbers each chart draws are checked against the same question asked of the warehouse in SQL.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { engineNumber, sharedServer, shot, typeInConsole } from "./harness.js";

describe("Charts of query results", () => {
  const shared = sharedServer({ before, after }, { build: [] });
  const scalar = (sql) => engineNumber(shared.kiln, sql);

  /** Waits until the chart has drawn the data the engine answered for the current settings. */
  const drawn = async (expected) => {
    const { page } = shared.studio;
    await page.waitForFunction(
      ([series, points]) => {
        const chart = document.querySelector('[data-testid="echart"]');
        return chart?.dataset.series === String(series) && chart?.dataset.points === String(points);
      },
      expected,
      { timeout: 15_000 },
    ).catch(async (error) => {
      const chart = page.locator('[data-testid="echart"]');
      const seen = (await chart.count()) ? await chart.evaluate((node) => `${node.dataset.series} series, ${node.dataset.points} points`) : "no chart";
      throw new Error(`expected ${expected[0]} series and ${expected[1]} points, the chart shows ${seen}`, { cause: error });
    });
  };

  const pick = (testId, value) => shared.studio.page.locator(`[data-testid="${testId}"]`).selectOption(value);

  test("a result gets a suggested time series, and bars, stats and series follow the settings", async () => {
    const { page } = shared.studio;
    const total = await scalar("select count(*) from main.fct_sales");
    await typeInConsole(page, "select * from main.fct_sales");
    await page.locator('[data-testid="run-statement"]').click();
    await page.locator('[data-testid="grid-count"]').getByText(`${total.toLocaleString("en-US")} rows`).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="view-chart"]').click();

    // A time column and amounts: a line over time of the first amount, bucketed automatically.
    await page.locator('[data-testid="echart"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('[data-testid="chart-kind"]').inputValue(), "line");
    assert.equal(await page.locator('[data-testid="chart-x"]').inputValue(), "sale_time");
    const bucket = await page.locator('[data-testid="chart-bucket"]').inputValue();
    assert.notEqual(bucket, "auto", "the engine says which bucket it chose");
    const buckets = await scalar(`select count(distinct date_trunc('${bucket}', sale_time)) from main.fct_sales`);
    await drawn([1, buckets]);
    await shot(page, "chart-suggested-line");

    // Bars of the total paid per category: one bar per category, biggest first.
    await pick("chart-kind", "bar");
    await pick("chart-x", "cat_name");
    await page.locator('[data-testid="chart-y-0"] select[aria-label="Column"]').selectOption("price_paid");
    await page.locator('[data-testid="chart-y-0"] select[aria-label="Aggregation"]').selectOption("sum");
    const categories = await scalar("select count(distinct cat_name) from main.fct_sales");
    await drawn([1, categories]);
    await shot(page, "chart-bars-by-category");

    // One series per category group, per month.
    await pick("chart-kind", "line");
    await pick("chart-x", "sale_time");
    await pick("chart-bucket", "month");
    await pick("chart-series", "cat_group");
    const groups = await scalar("select count(distinct cat_group) from main.fct_sales");
    const cells = await scalar("select count(*) from (select distinct date_trunc('month', sale_time), cat_group from main.fct_sales)");
    await drawn([groups, cells]);
    await shot(page, "chart-series-per-month");

    // A stat: the number of sales, over every row.
    await pick("chart-series", "");
    await pick("chart-kind", "stat");
    await pick("chart-x", "");
    await page.locator('[data-testid="chart-y-0"] select[aria-label="Aggregation"]').selectOption("count");
    await page.locator('[data-testid="chart-y-0"] select[aria-label="Column"]').selectOption("");
    await page.locator('[data-testid="stat-value"]').getByText(total.toLocaleString("en-US")).waitFor({ timeout: 15_000 });

    // A column that is not a number cannot be summed: the chart says so in place.
    await pick("chart-kind", "bar");
    await pick("chart-x", "cat_name");
    await page.locator('[data-testid="chart-y-0"] select[aria-label="Aggregation"]').selectOption("sum");
    await page.locator('[data-testid="chart-y-0"] select[aria-label="Column"]').selectOption("event_name");
    const error = page.locator('[data-testid="chart-error"]');
    await error.waitFor({ timeout: 15_000 });
    assert.match(await error.innerText(), /K7001.*event_name.*not a number/s);
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });

  test("the chart covers the rows the grid's filter keeps", async () => {
    const { page } = shared.studio;
    await typeInConsole(page, "select * from main.fct_sales");
    await page.locator('[data-testid="run-statement"]').click();
    // The whole result's count, not any count: the previous test's grid may still be showing.
    const total = await scalar("select count(*) from main.fct_sales");
    await page.locator('[data-testid="grid-count"]').getByText(`${total.toLocaleString("en-US")} rows`).waitFor({ timeout: 30_000 });
    const filter = page.locator(".grid-filter input");
    await filter.fill("cat_group = 'Shows'");
    await filter.press("Enter");
    const shows = await scalar("select count(*) from main.fct_sales where cat_group = 'Shows'");
    await page.locator('[data-testid="grid-count"]').getByText(`${shows.toLocaleString("en-US")} rows`).waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="view-chart"]').click();
    await page.locator('[data-testid="echart"]').waitFor({ timeout: 15_000 });
    await pick("chart-kind", "bar");
    await pick("chart-x", "cat_name");
    const categories = await scalar("select count(distinct cat_name) from main.fct_sales where cat_group = 'Shows'");
    await drawn([1, categories]);
  });
});
