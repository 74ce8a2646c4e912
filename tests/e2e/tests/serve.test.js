// How the studio reaches people outside this repository: an installed `kiln serve`, started in a
// project folder, serves the UI built into the binary; and the tests' own project copies carry only
// the project's files, never the run history a `make studio` left in projects/tickit.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { copyTrackedProject, launchBrowser, openStudio, REPO, shot, startKiln } from "./harness.js";

// One browser serves the studio tests; each starts its own server on its own project copy.
describe("kiln serve outside the repository, and on a project written for dbt", () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test("started in a project folder with no --ui-dist, it serves the studio built into kiln", async () => {
    const kiln = await startKiln({ outsideRepo: true });
    try {
      assert.ok(!kiln.project.startsWith(REPO), `${kiln.project} must lie outside ${REPO}`);
      const studio = await openStudio(browser, kiln);
      try {
        const { page } = studio;
        await page.locator('[data-testid="tree-file"][data-path="models/marts/sales/fct_sales.sql"]').waitFor();
        assert.deepEqual(studio.consoleErrors, []);
        await shot(page, "serve-embedded-ui");
      } finally {
        await studio.context.close();
      }
      // Hashed assets are served with their type and cached; the app's routes fall back to it.
      const index = await fetch(`${kiln.base}/some/deep/link`, { headers: { "x-kiln-token": kiln.token } });
      assert.equal(index.status, 200);
      const html = await index.text();
      const script = /src="(?:\.?\/)?(assets\/[^"]+\.js)"/.exec(html);
      assert.ok(script, `index.html names its script: ${html.slice(0, 300)}`);
      const asset = await fetch(`${kiln.base}/${script[1]}`, { headers: { "x-kiln-token": kiln.token } });
      assert.equal(asset.status, 200);
      assert.match(asset.headers.get("content-type") ?? "", /javascript/);
      assert.match(asset.headers.get("cache-control") ?? "", /immutable/);
      const missing = await fetch(`${kiln.base}/assets/none.js`, { headers: { "x-kiln-token": kiln.token } });
      assert.equal(missing.status, 404);
    } finally {
      await kiln.stop();
    }
  });

  test("opens with a column's tests: key given twice (dbt keeps the later one), and the editor warns", async () => {
    const SOURCES = "models/staging/tickit/external_tables/_tickit__sources.yml";
    const kiln = await startKiln({
      prepare: (project) => {
        // The first seed's own sources file repeats `tests:` under one column, like this.
        const file = join(project, SOURCES);
        const text = readFileSync(file, "utf8");
        const once = "            tests:\n              - unique\n              - not_null\n";
        assert.ok(text.includes(once), "the sources file changed shape; update this test");
        writeFileSync(file, text.replace(once, `${once}            tests:\n              - not_null\n`));
      },
    });
    try {
      const studio = await openStudio(browser, kiln);
      try {
        const { page } = studio;
        await page.locator(`[data-testid="tree-file"][data-path="${SOURCES}"]`).click();
        const warning = page.locator('[data-testid="problem"]', { hasText: "given twice" }).first();
        await warning.waitFor({ timeout: 20_000 });
        assert.match(await warning.innerText(), /K1002/);
        assert.match(await warning.innerText(), /tests/);
        await shot(page, "duplicate-yaml-key-warning");
      } finally {
        await studio.context.close();
      }
      // The later key won: catid keeps not_null only, so no unique test is generated for it.
      const { nodes } = await kiln.api("graph");
      const names = nodes.map((node) => node.name);
      assert.ok(names.some((name) => /not_null.*category_catid/.test(name)), "not_null on catid is kept");
      assert.ok(!names.some((name) => /unique.*category_catid/.test(name)), "the earlier tests: key must be dropped");
    } finally {
      await kiln.stop();
    }
  });
});

describe("test project copies", () => {
  test("carry the tracked project files, not target/ or .kiln/ left by using the studio", () => {
    const tickit = join(REPO, "projects/tickit");
    const marker = `kiln-e2e-marker-${process.pid}`;
    const planted = [join(tickit, "target/runs", marker, "run.json"), join(tickit, ".kiln", marker)];
    const dest = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), "kiln-copy-"));
    try {
      for (const file of planted) {
        mkdirSync(join(file, ".."), { recursive: true });
        writeFileSync(file, "{}");
      }
      copyTrackedProject("projects/tickit", dest);
      assert.ok(existsSync(join(dest, "dbt_project.yml")));
      assert.ok(existsSync(join(dest, "models/marts/sales/fct_sales.sql")));
      assert.ok(!existsSync(join(dest, "target/runs", marker)), "a foreign run history was copied");
      assert.ok(!existsSync(join(dest, ".kiln", marker)), "a foreign warehouse folder was copied");
    } finally {
      rmSync(join(tickit, "target/runs", marker), { recursive: true, force: true });
      rmSync(join(tickit, ".kiln", marker), { force: true });
      rmSync(dest, { recursive: true, force: true });
    }
  });
});
