// Importing a Grafana dashboard (issue 9, item 6): the fixture in tests/fixtures/grafana — every
// panel type Kiln converts, rows, rawSql and rawSQL targets, query and custom variables and every
// Grafana macro — is imported through the Dashboards list's "Import Grafana…" action, opens, and
// each converted panel draws what the warehouse says.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { REPO, engineNumber, engineRows, sharedServer, shot } from "./harness.js";

const FIXTURE = join(REPO, "tests/fixtures/grafana/tickit_grafana.json");
const PATH = "dashboards/tickit_in_grafana.yml";
/** The fixture's time range, as `$__timeFilter` writes it. */
const RANGE = "sale_time between '2008-01-01T00:00:00Z' and '2009-01-01T00:00:00Z'";
const SHOTS = "/tmp/kiln-shots";

describe("Grafana import", () => {
  // What the TICKIT dashboard needs builds fct_sales with its tests (a bare +fct_sales selection
  // would run relationship tests against sources outside it).
  const shared = sharedServer({ before, after }, { build: ["+exposure:tickit_sales_summary"] });
  const scalar = (sql) => engineNumber(shared.kiln, sql);
  const panelSelector = (title) => `[data-testid="dashboard-panel"][data-title="${title}"]`;

  /** Waits until the ECharts canvas of panel `title` reports `series` series and `points` points. */
  async function drawn(title, series, points) {
    await shared.studio.page.waitForFunction(
      ([selector, s, p]) => {
        const chart = document.querySelector(`${selector} [data-testid="echart"]`);
        return chart?.dataset.series === String(s) && chart?.dataset.points === String(p);
      },
      [panelSelector(title), series, points],
      { timeout: 20_000 },
    );
  }

  /** Waits until the stat or gauge of panel `title` shows `value` (within a cent). */
  async function shows(title, value, where = "stat") {
    await shared.studio.page.waitForFunction(
      ([selector, expected, kind]) => {
        const panel = document.querySelector(selector);
        if (kind === "stat") {
          const shown = panel?.querySelector('[data-testid="stat-value"]')?.textContent ?? "";
          return Math.abs(Number(shown.replace(/,/g, "")) - expected) < 0.01;
        }
        // A gauge's value is read off its ECharts instance.
        const chart = panel?.querySelector('[data-testid="echart"]')?.kilnChart;
        const data = chart?.getOption().series?.[0]?.data?.[0];
        return data !== undefined && Math.abs(data.value - expected) < 0.01;
      },
      [panelSelector(title), value, where],
      { timeout: 20_000 },
    );
  }

  test("imports the fixture from the Dashboards list and every converted panel matches the warehouse", async () => {
    const { page } = shared.studio;
    await page.getByRole("button", { name: "Dashboards", exact: true }).click();
    await page.locator('[data-testid="grafana-import-file"]').setInputFiles(FIXTURE);
    const report = page.locator('[data-testid="grafana-import-result"]');
    await report.waitFor({ timeout: 15_000 });
    assert.match(await report.innerText(), /TICKIT in Grafana/);
    assert.match(await report.innerText(), /11 panels/);
    // The list may be folded (a long one starts closed): read its text, shown or not.
    const skipped = await page.locator('[data-testid="grafana-not-converted"]').allTextContents();
    for (const expected of ["panel 'Read me' (text)", "panel 'Top events': transformation 'organize'", "variable 'every' (interval)"]) {
      assert.ok(
        skipped.some((line) => line.startsWith(expected)),
        `${expected} listed in ${skipped.join(" | ")}`,
      );
    }
    // It is listed, and opened in a tab.
    await page.locator(`[data-testid="dashboard-item"][data-path="${PATH}"]`).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="dashboard"] h1').getByText("TICKIT in Grafana").waitFor({ timeout: 15_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="dashboard-panel"]').length === 11, null, { timeout: 15_000 });

    // Stats and the gauge: Grafana's reductions (sum, mean, last not null by time).
    await shows("Total sales", await scalar(`select sum(price_paid)::double from main.fct_sales where ${RANGE}`));
    await shows(
      "Tickets on the last day",
      await scalar(`select sum(qty_sold) from main.fct_sales where ${RANGE} group by floor(epoch(sale_time) / 86400) order by floor(epoch(sale_time) / 86400) desc limit 1`),
    );
    await shows("Buyers", await scalar(`select count(distinct buyer_username) from main.fct_sales where ${RANGE}`));
    await shows(
      "Average price",
      await scalar("select avg(price_paid)::double from main.fct_sales where sale_time >= '2008-01-01T00:00:00Z' and sale_time < '2009-01-01T00:00:00Z'"),
      "gauge",
    );
    await drawn("Average price", 1, 1);

    // Time series: `$__timeGroup(sale_time, $__interval)` over a year is 12-hour buckets.
    await drawn("Sales over time", 1, await scalar(`select count(distinct floor(epoch(sale_time) / 43200)) from main.fct_sales where ${RANGE}`));
    const groups = await scalar(`select count(distinct cat_group) from main.fct_sales where ${RANGE}`);
    await drawn("Tickets per week", groups, await scalar(`select count(*) from (select distinct floor(epoch(sale_time) / 604800), cat_group from main.fct_sales where ${RANGE})`));
    await drawn("Commission by month", 1, await scalar(`select count(distinct date_trunc('month', sale_time)) from main.fct_sales where ${RANGE}`));
    // Bars of each number (sales, commission) per category group; a pie of one slice per category.
    await drawn("Sales by category group", 2, groups * 2);
    await drawn("Share of categories", 1, await scalar(`select count(distinct cat_name) from main.fct_sales where ${RANGE}`));
    // The table's rows, and the map's markers for the custom variable's states (All).
    await page.waitForFunction((selector) => document.querySelector(`${selector} [data-testid="table-view"]`)?.dataset.rows === "10", panelSelector("Top events"), { timeout: 20_000 });
    const states = await scalar(`select count(distinct buyer_state) from main.fct_sales where ${RANGE} and buyer_state in ('CA', 'NY', 'TX', 'FL', 'WA')`);
    await page.waitForFunction(
      ([selector, count]) => document.querySelector(`${selector} [data-testid="point-map"]`)?.dataset.markers === String(count),
      [panelSelector("Buyers by state"), states],
      { timeout: 20_000 },
    );
    // The pie's slices are the warehouse's categories, biggest first.
    const slices = await page.locator(`${panelSelector("Share of categories")} [data-testid="echart"]`).evaluate((node) => node.kilnChart.getOption().series[0].data.map((slice) => slice.name));
    const [[biggest]] = await engineRows(shared.kiln, `select cat_name from main.fct_sales where ${RANGE} group by 1 order by sum(qty_sold) desc, 1 limit 1`);
    assert.equal(slices[0], biggest);

    mkdirSync(SHOTS, { recursive: true });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(SHOTS, "grafana.png") });
    await shot(page, "dashboard-grafana-import");
    await page.locator('[data-testid="dashboard"]').evaluate((node) => (node.scrollTop = node.scrollHeight / 3));
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(SHOTS, "grafana-middle.png") });
    await page.locator('[data-testid="dashboard"]').evaluate((node) => (node.scrollTop = node.scrollHeight));
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(SHOTS, "grafana-lower.png") });
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });

  test("clicking a pie slice filters the other panels by its category", async () => {
    const { page } = shared.studio;
    const pie = page.locator(`${panelSelector("Share of categories")} [data-testid="echart"]`);
    await pie.scrollIntoViewIfNeeded();
    // The middle of the first slice, through the chart's own layout.
    const target = await pie.evaluate((node) => {
      const chart = node.kilnChart;
      const item = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(0);
      const angle = (item.startAngle + item.endAngle) / 2;
      const radius = (item.r0 + item.r) / 2;
      const box = node.getBoundingClientRect();
      return { name: chart.getOption().series[0].data[0].name, x: box.left + item.cx + radius * Math.cos(angle), y: box.top + item.cy + radius * Math.sin(angle) };
    });
    await page.mouse.click(target.x, target.y);
    await page.locator('[data-testid="filter-chip"]').getByText(`metric = ${target.name}`).waitFor({ timeout: 10_000 });
    // No other panel has a `metric` column: each says it was not filtered; the pie keeps its slices.
    await page.waitForFunction((selector) => document.querySelector(selector)?.getAttribute("data-filtered") === "no", panelSelector("Total sales"), { timeout: 10_000 });
  });

  test("importing the same file again asks before replacing it", async () => {
    const { page } = shared.studio;
    // Clicking the active view's icon folds the side panel (as in VS Code): only open it if needed.
    if ((await page.locator('[data-testid="grafana-import-file"]').count()) === 0) {
      await page.getByRole("button", { name: "Dashboards", exact: true }).click();
    }
    await page.locator('[data-testid="grafana-import-file"]').setInputFiles(FIXTURE);
    const error = page.locator('[data-testid="grafana-import-error"]');
    await error.waitFor({ timeout: 10_000 });
    assert.match(await error.innerText(), /K7002: dashboards\/tickit_in_grafana\.yml already exists/);
    await error.getByRole("button", { name: "Replace it" }).click();
    await page.locator('[data-testid="grafana-import-result"]').waitFor({ timeout: 10_000 });
    assert.equal(await error.count(), 0);
  });
});
