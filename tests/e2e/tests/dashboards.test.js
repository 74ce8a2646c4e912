// Dashboards as code (issue 9, items 3, 5 and 7): the TICKIT sales summary opens from the side bar,
// every panel draws what the warehouse says, and a dashboard refreshing every second shows rows
// inserted after it opened.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { engineNumber, sharedServer, shot } from "./harness.js";

const PATH = "dashboards/tickit_sales_summary.yml";

describe("Dashboards", () => {
  const shared = sharedServer({ before, after }, { build: ["+exposure:tickit_sales_summary"] });
  const scalar = (sql) => engineNumber(shared.kiln, sql);

  const panel = (title) => shared.studio.page.locator(`[data-testid="dashboard-panel"][data-title="${title}"]`);

  /** The stat's number as shown ("1,234,567.5") read back as a number. */
  const statValue = async (title) => Number((await panel(title).locator('[data-testid="stat-value"]').innerText()).replace(/,/g, ""));

  test("the TICKIT sales summary opens from the side bar and every panel matches the warehouse", async () => {
    const { page } = shared.studio;
    await page.getByRole("button", { name: "Dashboards", exact: true }).click();
    await page.locator(`[data-testid="dashboard-item"][data-path="${PATH}"]`).click();
    await page.locator('[data-testid="dashboard"] h1').getByText("TICKIT sales summary").waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('[data-testid="dashboard-panel"]').count(), 8);

    const categories = await scalar("select count(distinct cat_name) from main.fct_sales");
    const byCategory = panel("Sales and commission by category").locator('[data-testid="echart"]');
    await page.waitForFunction(
      ([points]) => {
        const chart = document.querySelector('[data-testid="dashboard-panel"][data-title="Sales and commission by category"] [data-testid="echart"]');
        return chart?.dataset.series === "2" && chart?.dataset.points === String(points);
      },
      [categories * 2],
      { timeout: 20_000 },
    );
    assert.equal(await byCategory.getAttribute("data-series"), "2", "price paid and commission");

    const months = await scalar("select count(*) from (select distinct date_trunc('month', sale_time), cat_group from main.fct_sales)");
    await page.waitForFunction(
      ([points]) => document.querySelector('[data-testid="dashboard-panel"][data-title="Sales by month"] [data-testid="echart"]')?.dataset.points === String(points),
      [months],
      { timeout: 20_000 },
    );

    const total = await scalar("select sum(price_paid)::double from main.fct_sales");
    await panel("Total sales").locator('[data-testid="stat-value"]').waitFor({ timeout: 20_000 });
    assert.ok(Math.abs((await statValue("Total sales")) - total) < 0.01, `total sales ${await statValue("Total sales")} vs ${total}`);
    const nonBuyers = await scalar("select count(*) from main.dim_non_buyers");
    assert.equal(await statValue("Users who never bought"), nonBuyers);

    const states = await scalar("select count(distinct buyer_state) from main.fct_sales where buyer_state is not null");
    const map = panel("Sales by buyer state").locator('[data-testid="region-map"]');
    await map.waitFor({ timeout: 20_000 });
    await page.waitForFunction(
      ([filled]) => document.querySelector('[data-testid="dashboard-panel"][data-title="Sales by buyer state"] [data-testid="region-map"]')?.getAttribute("data-filled") === String(filled),
      [states],
      { timeout: 20_000 },
    );

    await page.waitForFunction(
      () => document.querySelector('[data-testid="dashboard-panel"][data-title="Top events by gross sales"] [data-testid="echart"]')?.dataset.points === "10",
      null,
      { timeout: 20_000 },
    );
    // Any panel's data downloads as CSV, named by the chart: one line per bar.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "CSV of Sales and commission by category" }).click()]);
    assert.equal(download.suggestedFilename(), "sales_and_commission_by_category.csv");
    const lines = readFileSync(await download.path(), "utf8").trim().split(/\r?\n/);
    assert.equal(lines[0], "cat_name,sum of price_paid,sum of commission");
    assert.equal(lines.length - 1, categories);
    await shot(page, "dashboard-tickit-sales-summary");
    await page.locator('[data-testid="dashboard"]').evaluate((node) => (node.scrollTop = node.scrollHeight));
    await page.waitForTimeout(300);
    await shot(page, "dashboard-tickit-sales-summary-lower");
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });

  test("clicking a bar filters the other panels, shown as a removable chip", async () => {
    const { page } = shared.studio;
    // The biggest category is the first bar; click its middle through the chart's own geometry.
    await panel("Sales and commission by category").scrollIntoViewIfNeeded();
    const clicked = await panel("Sales and commission by category")
      .locator('[data-testid="echart"]')
      .evaluate((node) => {
        const chart = node.kilnChart;
        const [category, value] = chart.getOption().series[0].data[0];
        const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [category, value / 2]);
        const box = node.getBoundingClientRect();
        return { category, x: box.left + x, y: box.top + y };
      });
    await page.mouse.click(clicked.x, clicked.y);
    const chip = page.locator('[data-testid="filter-chip"]');
    await chip.getByText(`cat_name = ${clicked.category}`).waitFor({ timeout: 10_000 });

    const where = `where cat_name = '${clicked.category.replace(/'/g, "''")}'`;
    const total = await scalar(`select sum(price_paid)::double from main.fct_sales ${where}`);
    await page.waitForFunction(
      ([value]) => {
        const shown = document.querySelector('[data-testid="dashboard-panel"][data-title="Total sales"] [data-testid="stat-value"]')?.textContent ?? "";
        return Math.abs(Number(shown.replace(/,/g, "")) - value) < 0.01;
      },
      [total],
      { timeout: 10_000 },
    );
    const states = await scalar(`select count(distinct buyer_state) from main.fct_sales ${where} and buyer_state is not null`);
    await page.waitForFunction(
      ([filled]) => document.querySelector('[data-testid="dashboard-panel"][data-title="Sales by buyer state"] [data-testid="region-map"]')?.getAttribute("data-filled") === String(filled),
      [states],
      { timeout: 10_000 },
    );
    // The panel clicked keeps every category; a panel whose query lacks the column says so.
    const categories = await scalar("select count(distinct cat_name) from main.fct_sales");
    assert.equal(await panel("Sales and commission by category").locator('[data-testid="echart"]').getAttribute("data-points"), String(categories * 2));
    assert.equal(await panel("Users who never bought").getAttribute("data-filtered"), "no");
    assert.equal(await panel("Total sales").getAttribute("data-filtered"), "yes");
    await shot(page, "dashboard-cross-filtered");

    await page.getByRole("button", { name: `Remove filter cat_name = ${clicked.category}` }).click();
    const all = await scalar("select sum(price_paid)::double from main.fct_sales");
    await page.waitForFunction(
      ([value]) => {
        const shown = document.querySelector('[data-testid="dashboard-panel"][data-title="Total sales"] [data-testid="stat-value"]')?.textContent ?? "";
        return Math.abs(Number(shown.replace(/,/g, "")) - value) < 0.01;
      },
      [all],
      { timeout: 10_000 },
    );
    assert.equal(await chip.count(), 0);
  });

  test("a dashboard refreshing every second shows rows inserted after it opened", async () => {
    const { page } = shared.studio;
    const file = join(shared.kiln.project, PATH);
    // The file changes on disk: the open dashboard reloads it and now refreshes every second.
    writeFileSync(file, readFileSync(file, "utf8").replace("refresh: 1m", "refresh: 1s"));
    await page.locator('[data-testid="dashboard-age"]').getByText(/every 1 s/).waitFor({ timeout: 15_000 });
    const before = await statValue("Tickets sold");
    await shared.kiln.api("runQuery", { sql: "insert into main.fct_sales select * from main.fct_sales limit 3" });
    const expected = await scalar("select sum(qty_sold) from main.fct_sales");
    assert.ok(expected > before, `the insert adds tickets (${before} → ${expected})`);
    const started = Date.now();
    await page.waitForFunction(
      ([value]) => {
        const shown = document.querySelector('[data-testid="dashboard-panel"][data-title="Tickets sold"] [data-testid="stat-value"]')?.textContent ?? "";
        return Number(shown.replace(/,/g, "")) === value;
      },
      [expected],
      { timeout: 5_000 },
    );
    const waited = Date.now() - started;
    assert.ok(waited < 3_000, `the new total showed after ${waited} ms, more than a refresh interval and a query`);

    // A file edited into a bad shape says where, in place; fixing it brings the panels back.
    const good = readFileSync(file, "utf8");
    writeFileSync(file, good.replace("grid: { x: 12, y: 13, w: 12, h: 10 }", "grid: { x: 20, y: 13, w: 12, h: 10 }"));
    const problems = page.locator('[data-testid="dashboard-problems"]');
    await problems.waitFor({ timeout: 15_000 });
    assert.match(await problems.innerText(), /K7002.*Top events by gross sales.*24-column grid/s);
    assert.match(await problems.innerText(), new RegExp(`${PATH}:\\d+`));
    writeFileSync(file, good);
    await page.locator('[data-testid="dashboard-panel"]').first().waitFor({ timeout: 15_000 });
  });
});
