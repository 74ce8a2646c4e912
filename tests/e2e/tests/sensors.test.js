// Issue 11's "done when" for the first seed, end to end on a fresh copy of projects/sensors: the
// studio (a real `kiln serve`) serves the project's Firehose endpoint, `kiln demo sensors` sends
// readings to it as the post's simulator does, the delivery fills sensor.message, and the
// project's `sensor_avg_temp` and its dashboard change as readings arrive — in chromium.
// Screenshots: $TMPDIR/kiln-e2e-shots/sensors-*.png.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { serveKiln, stopProcess } from "../../support/kiln-serve.js";
import { KILN, REPO, copyTrackedProject, engineNumber, launchBrowser, openStudio, shot } from "./harness.js";

describe("The sensors sample, live", () => {
  let dir;
  let server;
  let browser;
  let demo;

  before(async () => {
    dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), "kiln-e2e-sensors-"));
    const project = join(dir, "sensors");
    copyTrackedProject("projects/sensors", project);
    // The first build of a fresh clone: the delivery stream and sensor.message are created.
    const built = spawnSync(KILN, ["build", "--project-dir", project], { encoding: "utf8" });
    assert.equal(built.status, 0, `kiln build failed:\n${built.stdout}\n${built.stderr}`);
    server = await serveKiln({ kiln: KILN, projectDir: project, uiDist: join(REPO, "ui/dist") });
    browser = await launchBrowser();
  });

  after(async () => {
    if (demo) await stopProcess(demo);
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("kiln demo sensors makes sensor_avg_temp and the dashboard move", async () => {
    const { endpoint } = await server.api("streams");
    assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    const messages = () => engineNumber(server, "select coalesce(sum(msg_count), 0) from main.sensor_avg_temp");
    assert.equal(await messages(), 0, "no readings before the simulator starts");

    demo = spawn(KILN, ["demo", "sensors", "--endpoint-url", endpoint, "--rate", "30", "--duration", "60"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let demoOutput = "";
    demo.stdout.on("data", (chunk) => (demoOutput += chunk));
    demo.stderr.on("data", (chunk) => (demoOutput += chunk));

    const { context, page, consoleErrors } = await openStudio(browser, server);
    try {
      await page.getByRole("button", { name: "Dashboards", exact: true }).click();
      await page.locator('[data-testid="dashboard-item"][data-path="dashboards/sensor_readings.yml"]').click();
      await page.locator('[data-testid="dashboard"] h1').getByText("IoT sensor readings").waitFor({ timeout: 15_000 });

      // The view moves while readings arrive (the delivery buffers for 1 s).
      const waitForMore = async (than) => {
        const deadline = Date.now() + 20_000;
        for (;;) {
          const n = await messages();
          if (n > than) return n;
          assert.ok(Date.now() < deadline, `sensor_avg_temp stayed at ${than} messages; demo said: ${demoOutput}`);
          await new Promise((done) => setTimeout(done, 250));
        }
      };
      const first = await waitForMore(0);
      const second = await waitForMore(first);
      assert.ok(second > first);
      // The post's formula keeps every sensor between 65 °F and 65 + 2 × its temp_max (at most 30).
      const outOfRange = await engineNumber(server, "select count(*) from main.sensor_avg_temp where avg_temp < 65 or avg_temp > 125");
      assert.equal(outOfRange, 0);

      // The dashboard's stat follows on its 5 s refresh.
      const stat = page.locator('[data-testid="dashboard-panel"][data-title="Messages received"] [data-testid="stat-value"]');
      await stat.waitFor({ timeout: 20_000 });
      const shown = async () => Number((await stat.innerText()).replace(/,/g, ""));
      const before = await shown();
      const deadline = Date.now() + 20_000;
      while ((await shown()) <= before) {
        assert.ok(Date.now() < deadline, `the Messages received stat stayed at ${before}`);
        await new Promise((done) => setTimeout(done, 500));
      }
      await page.locator('[data-testid="dashboard-panel"][data-title="Current average temperature per sensor"] [data-testid="echart"]').waitFor();
      await shot(page, "sensors-dashboard");
      assert.deepEqual(consoleErrors, []);
    } finally {
      await context.close();
    }
  });
});
