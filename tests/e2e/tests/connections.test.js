// The query console's connections (issue 10, item 5: what Redshift Query Editor v2 does), in a real
// browser against a real `kiln serve` on a DuckDB project and a real PostgreSQL 15 server
// (kiln-postgres's `test-cluster` example): add a connection through the dialog (a wrong password is
// a K4006 at Test; the right one connects), pick it, expand its schema browser level by level, run a
// query on it, see the history filtered to it, delete it. The password never reaches the
// connections file or an API answer; Kiln's configuration folder is a temp dir (KILN_CONFIG_DIR).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, openStudio, postgresAvailable, shot, startKilnOn, startPostgres, typeInConsole } from "./harness.js";

const JAFFLE = "tests/fixtures/jaffle_shop";
const skip = !process.env.CI && !postgresAvailable() ? "PostgreSQL's server binaries or the test-cluster example (cargo build -p kiln-postgres --example test-cluster --features testing) are missing" : false;
const NAME = `e2e-pg-${process.pid}`;
const ID = `saved:${NAME}`;

describe("Saved connections in the query console", { skip }, () => {
  const shared = { browser: undefined, cluster: undefined, kiln: undefined, studio: undefined, config: undefined };
  const previousConfig = process.env.KILN_CONFIG_DIR;

  before(async () => {
    shared.config = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), "kiln-e2e-config-"));
    // `kiln serve` inherits it: the saved connections go to a throw-away folder, not ~/.kiln.
    process.env.KILN_CONFIG_DIR = shared.config;
    shared.cluster = await startPostgres();
    shared.kiln = await startKilnOn(JAFFLE);
    shared.browser = await launchBrowser();
    shared.studio = await openStudio(shared.browser, shared.kiln);
    await shared.studio.page.setViewportSize({ width: 1280, height: 800 });
  });
  after(async () => {
    await shared.studio?.context.close();
    await shared.kiln?.stop();
    await shared.browser?.close();
    await shared.cluster?.stop();
    if (previousConfig === undefined) delete process.env.KILN_CONFIG_DIR;
    else process.env.KILN_CONFIG_DIR = previousConfig;
    if (shared.config) rmSync(shared.config, { recursive: true, force: true });
  });

  test("a connection added through the dialog is picked, browsed lazily and queried", async () => {
    const { page } = shared.studio;
    const { cluster, kiln } = shared;
    await page.getByRole("tab", { name: "Query" }).click();
    const picker = page.locator('[data-testid="connection-picker"]');
    await picker.waitFor();
    assert.equal(await picker.inputValue(), "profile:dev", "the console starts on the project's target");

    await page.locator('[data-testid="connection-new"]').click();
    const dialog = page.getByRole("dialog", { name: "New connection" });
    await dialog.locator('[data-testid="connection-name"]').fill(NAME);
    await dialog.locator('[data-testid="connection-host"]').fill(cluster.host);
    await dialog.locator('[data-testid="connection-port"]').fill(String(cluster.port));
    await dialog.locator('[data-testid="connection-dbname"]').fill(cluster.database);
    await dialog.locator('[data-testid="connection-user"]').fill(cluster.user);
    await dialog.locator('[data-testid="connection-sslmode"]').selectOption("disable");
    await dialog.locator('[data-testid="connection-password"]').fill(`${cluster.password}-wrong`);
    await dialog.locator('[data-testid="connection-test"]').click();
    const outcome = dialog.locator('[data-testid="connection-outcome"]');
    await outcome.getByText(/K4006/).waitFor({ timeout: 30_000 });
    assert.ok(!(await outcome.innerText()).includes(cluster.password), "the failed test must not echo the password");

    await dialog.locator('[data-testid="connection-password"]').fill(cluster.password);
    await dialog.locator('[data-testid="connection-test"]').click();
    await outcome.getByText(/Connected to postgres/).waitFor({ timeout: 30_000 });
    await shot(page, "connections-dialog");
    await dialog.locator('[data-testid="connection-save"]').click();
    await dialog.waitFor({ state: "detached", timeout: 30_000 });
    await page.waitForFunction((id) => document.querySelector('[data-testid="connection-picker"]')?.value === id, ID, { timeout: 10_000 });

    const file = readFileSync(join(shared.config, "connections.yml"), "utf8");
    assert.match(file, new RegExp(`name: ${NAME}`));
    assert.ok(!file.includes(cluster.password), `the connections file holds the password:\n${file}`);
    const listed = await kiln.api("connections");
    assert.ok(!JSON.stringify(listed).includes(cluster.password));
    assert.ok(listed.connections.some((c) => c.id === ID && c.hasPassword));

    // Something to browse, created on the connection through the API.
    const setup = await kiln.api("runQuery", {
      sql: "create schema if not exists shop; create table shop.orders (id integer, amount numeric(8,2)); insert into shop.orders select i, i * 2.5 from generate_series(1, 30) i; create view shop.big_orders as select * from shop.orders where amount > 50",
      connection: ID,
    });
    assert.deepEqual(setup.statements.filter((s) => s.error).map((s) => s.error.message), []);

    // The schema browser follows the picked connection: schemas, then relations, then columns.
    await page.getByRole("button", { name: "Warehouse schema" }).click();
    const browser = page.locator('[data-testid="connection-schema"]');
    await browser.waitFor();
    await browser.getByRole("button", { name: "shop", exact: true }).click();
    await browser.getByRole("button", { name: /big_orders/ }).waitFor();
    await browser.getByRole("button", { name: /^orders/ }).click();
    const amount = browser.locator(".tree-leaf", { hasText: "amount" });
    await amount.waitFor();
    assert.match(await amount.innerText(), /numeric\(8,2\)/);

    // A PostgreSQL query, run on the connection (DuckDB has no generate_series with this shape).
    await typeInConsole(page, "select count(*) as n, sum(amount)::text as total, current_setting('server_version_num')::int >= 150000 as pg15 from shop.orders");
    await page.locator('[data-testid="run-statement"]').click();
    const cell = page.locator('[data-testid="grid-row"][data-row="0"] .grid-cell');
    await cell.nth(1).getByText("30").waitFor({ timeout: 30_000 });
    const cells = (await cell.allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(cells.slice(1), ["30", "1162.50", "true"]);
    await shot(page, "connections-console");

    // The history shows this connection's statements only.
    await page.getByRole("button", { name: "History", exact: true }).click();
    const history = page.locator(".console-history");
    await history.getByText("from shop.orders").first().waitFor();
    const entries = await history.locator(".history-item").count();
    const fromApi = await kiln.api("queryHistory", { connection: ID });
    assert.equal(entries, fromApi.entries.length);
    assert.ok(fromApi.entries.every((e) => e.connection === ID));
    await picker.selectOption("profile:dev");
    await page.waitForFunction(() => !document.querySelector(".console-history")?.textContent?.includes("from shop.orders"), null, { timeout: 10_000 });
    await picker.selectOption(ID);

    // Deleting it removes the keyring entry too; the console falls back to the project's target.
    page.once("dialog", (confirm) => void confirm.accept());
    await page.locator('[data-testid="connection-delete"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="connection-picker"]')?.value === "profile:dev", null, { timeout: 10_000 });
    const after = await kiln.api("connections");
    assert.ok(!after.connections.some((c) => c.id === ID));
    assert.deepEqual(shared.studio.consoleErrors, []);
  });
});
