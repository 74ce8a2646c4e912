// Dashboard variables, the time range picker and visual panel editing (issue 9, item 3): drop-downs
// filled by a query re-query the panels, a picked range replaces the file's for Grafana macros,
// both survive a reload, and panels dragged, resized and re-charted are written back into the YAML
// (comments kept) after a previewed diff.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { engineNumber, sharedServer, shot } from "./harness.js";

const PATH = "dashboards/picked.yml";
const FILE = `# Picked: a dashboard with variables, written by the e2e test.
title: Picked sales
time: { from: '2008-01-01', to: '2009-01-01' }
variables:
  - name: grp
    label: Group
    query: select distinct cat_group from {{ ref('fct_sales') }} order by 1
  - name: states
    label: Buyer state
    query: select distinct buyer_state from {{ ref('fct_sales') }} where buyer_state is not null order by 1
    multi: true
    include_all: true
panels:
  # The total for the picks.
  - title: Sales
    grid: { x: 0, y: 0, w: 6, h: 4 }
    query: |
      select price_paid from {{ ref('fct_sales') }}
      where cat_group = '$grp' and buyer_state in ($states) and $__timeFilter(sale_time)
    chart: { kind: stat, y: [{ column: price_paid, aggregation: sum }] }

  - title: By day
    grid: { x: 6, y: 0, w: 12, h: 8 }
    query: |
      select $__timeGroupAlias(sale_time, '1d'), sum(price_paid) as sales
      from {{ ref('fct_sales') }}
      where cat_group = '$grp' and buyer_state in ($states) and $__timeFilter(sale_time)
      group by 1
    chart: { kind: bar, x: time, y: [{ column: sales, aggregation: sum }] }
`;

describe("Dashboard variables, time range and editing", () => {
  const shared = sharedServer({ before, after }, { build: ["+exposure:tickit_sales_summary"] });
  const scalar = (sql) => engineNumber(shared.kiln, sql);
  const panel = (title) => shared.studio.page.locator(`[data-testid="dashboard-panel"][data-title="${title}"]`);
  const statShows = (value) =>
    shared.studio.page.waitForFunction(
      ([expected]) => {
        const shown = document.querySelector('[data-testid="dashboard-panel"][data-title="Sales"] [data-testid="stat-value"]')?.textContent ?? "";
        return Math.abs(Number(shown.replace(/,/g, "")) - expected) < 0.01;
      },
      [value],
      { timeout: 15_000 },
    );

  test("drop-downs and the time range re-query the panels and come back after a reload", async () => {
    const { page } = shared.studio;
    writeFileSync(join(shared.kiln.project, PATH), FILE);
    await page.getByRole("button", { name: "Dashboards", exact: true }).click();
    await page.locator(`[data-testid="dashboard-item"][data-path="${PATH}"]`).click({ timeout: 15_000 });
    await page.locator('[data-testid="dashboard"] h1').getByText("Picked sales").waitFor({ timeout: 15_000 });

    // First choice of Group, All buyer states, the file's year.
    const [first] = await shared.kiln.api("runQuery", { sql: "select min(cat_group) from main.fct_sales" }).then((r) => r.statements[0].firstPage[0]);
    await page.locator('[data-testid="variable-grp"]').getByText(first).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('[data-testid="variable-states"] .toolbar-dropdown-value').innerText(), "All");
    await statShows(await scalar(`select sum(price_paid)::double from main.fct_sales where cat_group = '${first}'`));

    // Pick another group and two states.
    await page.locator('[data-testid="variable-grp"] button').first().click();
    await page.getByRole("option", { name: "Sports", exact: true }).click();
    await page.locator('[data-testid="variable-states"] button').first().click();
    await page.getByRole("option", { name: "CA", exact: true }).click();
    await page.getByRole("option", { name: "NY", exact: true }).click();
    await page.keyboard.press("Escape");
    assert.equal(await page.locator('[data-testid="variable-states"] .toolbar-dropdown-value').innerText(), "CA + 1");
    const picked = "cat_group = 'Sports' and buyer_state in ('CA', 'NY')";
    await statShows(await scalar(`select sum(price_paid)::double from main.fct_sales where ${picked}`));
    const days = await scalar(`select count(distinct date_trunc('day', sale_time)) from main.fct_sales where ${picked}`);
    await page.waitForFunction(
      ([points]) => document.querySelector('[data-testid="dashboard-panel"][data-title="By day"] [data-testid="echart"]')?.dataset.points === String(points),
      [days],
      { timeout: 15_000 },
    );

    // A custom range: March only.
    await page.locator('[data-testid="time-picker"] button').first().click();
    await page.getByLabel("From", { exact: true }).fill("2008-03-01");
    await page.getByLabel("To", { exact: true }).fill("2008-04-01");
    await shot(page, "dashboard-time-picker");
    await page.getByRole("button", { name: "Apply" }).click();
    const march = `${picked} and sale_time between '2008-03-01' and '2008-04-01'`;
    const inMarch = await scalar(`select sum(price_paid)::double from main.fct_sales where ${march}`);
    await statShows(inMarch);
    await page.locator('[data-testid="variable-states"] button').first().click();
    await shot(page, "dashboard-variables");
    await page.keyboard.press("Escape");

    // A reload keeps the picks (the file keeps its own defaults).
    await page.reload();
    await page.locator('[data-testid="dashboard"] h1').getByText("Picked sales").waitFor({ timeout: 15_000 });
    await statShows(inMarch);
    assert.match(await page.locator('[data-testid="time-picker"]').innerText(), /2008-03-01 → 2008-04-01/);
    assert.equal(readFileSync(join(shared.kiln.project, PATH), "utf8"), FILE, "picking never writes the file");
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });

  test("panels dragged, resized and re-charted are written back into the YAML after a diff", async () => {
    const { page } = shared.studio;
    await page.getByRole("button", { name: "Edit panels" }).click();
    const grid = page.locator(".dashboard-grid");
    const box = await grid.boundingBox();
    const column = (box.width - 2 * 16 + 12) / 24;

    // Drag "Sales" six columns right (onto "By day"'s old place is fine: the grid allows overlap).
    const header = panel("Sales").locator('[data-testid="panel-header"]');
    const from = await header.boundingBox();
    await page.mouse.move(from.x + 20, from.y + 8);
    await page.mouse.down();
    await page.mouse.move(from.x + 20 + column * 9, from.y + 8 + 48 * 8, { steps: 8 });
    await page.mouse.up();
    assert.equal(await panel("Sales").getAttribute("data-grid"), "9,8,6,4");

    // Widen "By day" by four columns from its corner.
    const corner = await panel("By day").locator('[data-testid="panel-resize"]').boundingBox();
    await page.mouse.move(corner.x + 5, corner.y + 5);
    await page.mouse.down();
    await page.mouse.move(corner.x + 5 + column * 4, corner.y + 5, { steps: 6 });
    await page.mouse.up();
    assert.equal(await panel("By day").getAttribute("data-grid"), "6,0,16,8");

    // "By day" as a line instead of bars: drawn at once, written on save.
    await page.getByRole("button", { name: "Chart of By day" }).click();
    await panel("By day").locator('[data-testid="chart-kind"]').selectOption("line");
    await page.waitForFunction(() => document.querySelector('[data-testid="dashboard-panel"][data-title="By day"] [data-testid="echart"]')?.kilnChart?.getOption().series[0].type === "line", null, { timeout: 15_000 });
    assert.match(await page.locator('[data-testid="layout-pending"]').innerText(), /2 panels changed/);
    await shot(page, "dashboard-editing");

    await page.getByRole("button", { name: "Save…" }).click();
    await page.getByRole("button", { name: "Write 1 file" }).click();
    await page.getByRole("button", { name: "Edit panels" }).waitFor({ timeout: 10_000 });
    const written = readFileSync(join(shared.kiln.project, PATH), "utf8");
    assert.match(written, /^# Picked: a dashboard with variables, written by the e2e test\.\n/);
    assert.match(written, /  # The total for the picks\.\n  - title: Sales\n    grid: \{ x: 9, y: 8, w: 6, h: 4 \}\n/);
    assert.match(written, /    grid: \{ x: 6, y: 0, w: 16, h: 8 \}\n/);
    assert.match(written, /    chart: \{ kind: line, x: time, y: \[\{ column: sales, aggregation: sum \}\] \}\n$/);
    assert.equal(written.split("\n").length, FILE.split("\n").length, "no line added or lost");
    // The saved file is what the dashboard now draws.
    await page.waitForFunction(() => document.querySelector('[data-testid="dashboard-panel"][data-title="Sales"]')?.dataset.grid === "9,8,6,4", null, { timeout: 10_000 });
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });
});
