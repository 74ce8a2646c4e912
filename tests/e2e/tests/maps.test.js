// Maps of console results (issue 9, item 2), in a real browser against a real `kiln serve`, with no
// network: regions filled are counted against the warehouse, markers are found on the map's
// canvas itself, and a tile server that cannot be reached leaves the offline outlines in place.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, engineRows, sharedServer, shot, typeInConsole } from "./harness.js";

// The same lookup the engine and the map use: trim + lower case, a state's code, name or FIPS.
const stateKeys = new Map();
for (const state of JSON.parse(readFileSync(join(REPO, "assets/maps/us-states.json"), "utf8"))) {
  for (const name of [state.code, state.name, state.fips]) stateKeys.set(name.trim().toLowerCase(), state.fips);
}

// Six sensors within ~350 m of each other in one city, as in the sample's sensor project.
const SENSORS = [
  ["sensor-1", 37.7061, -122.4202, 61.2],
  ["sensor-2", 37.7074, -122.4188, 63.9],
  ["sensor-3", 37.7083, -122.4207, 59.4],
  ["sensor-4", 37.7068, -122.4171, 66.1],
  ["sensor-5", 37.7089, -122.4183, 62.7],
  ["sensor-6", 37.7056, -122.4185, 64.8],
];
const SENSORS_SQL = `select * from (values ${SENSORS.map(([name, lat, lon, temp]) => `('${name}', ${lat}, ${lon}, ${temp})`).join(", ")}) t(sensor, latitude, longitude, temp)`;

// Port 9 (discard) refuses connections at once: every tile fails, as offline.
const UNREACHABLE_TILES = "http://127.0.0.1:9/{z}/{x}/{y}.png";

describe("Maps of query results", () => {
  const shared = sharedServer({ before, after }, { build: [] });
  const rows = (sql) => engineRows(shared.kiln, sql);

  /** Runs `sql` in the console and opens the chart view of its result. */
  const chartOf = async (sql) => {
    const { page } = shared.studio;
    await typeInConsole(page, sql);
    await page.locator('[data-testid="run-statement"]').click();
    await page.locator('[data-testid="grid-count"]').getByText(/rows/).waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="view-chart"]').click();
  };

  const pick = (testId, value) => shared.studio.page.locator(`[data-testid="${testId}"]`).selectOption(value);

  const regionMap = async (filled, unmatched) => {
    const { page } = shared.studio;
    await page
      .waitForFunction(
        ([f, u]) => {
          const map = document.querySelector('[data-testid="region-map"][data-loaded="true"]');
          return map?.dataset.filled === String(f) && map?.dataset.unmatched === String(u);
        },
        [filled, unmatched],
        { timeout: 15_000 },
      )
      .catch(async (error) => {
        const map = page.locator('[data-testid="region-map"]');
        const seen = (await map.count()) ? await map.evaluate((node) => `${node.dataset.filled} filled, ${node.dataset.unmatched} unmatched`) : "no region map";
        throw new Error(`expected ${filled} filled and ${unmatched} unmatched, the map shows ${seen}`, { cause: error });
      });
  };

  test("sales by buyer state are suggested as a US map filling every state sold to", async () => {
    const { page } = shared.studio;
    await chartOf("select buyer_state, sum(price_paid) as sales from main.fct_sales group by 1");
    await page.locator('[data-testid="region-map"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('[data-testid="chart-kind"]').inputValue(), "regionMap");

    const states = (await rows("select distinct buyer_state from main.fct_sales where buyer_state is not null")).map(([state]) => state);
    const keys = new Set(states.map((state) => stateKeys.get(String(state).trim().toLowerCase())).filter(Boolean));
    const unknown = states.filter((state) => !stateKeys.has(String(state).trim().toLowerCase()));
    assert.ok(keys.size > 10, `the sample sells to many states (${keys.size})`);
    await regionMap(keys.size, unknown.length);
    const legend = page.locator('[data-testid="map-legend"]');
    assert.match(await legend.innerText(), /quantile classes/);
    assert.equal(await page.locator('[data-testid="region-map-message"]').count(), 0, "every state matched");

    // The map's centre is in Kansas (the middle of the lower 48): hovering names the state.
    const box = await page.locator('[data-testid="region-map"]').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.move(box.x + box.width / 2 + 2, box.y + box.height / 2 + 1);
    const tip = page.locator(".kiln-map-tip");
    await tip.waitFor({ timeout: 5_000 });
    assert.match(await tip.innerText(), /Kansas|Oklahoma|Nebraska|Missouri/);
    await shot(page, "map-region-sales-by-state");
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });

  test("values naming no state are listed in place, and unreachable tiles leave the outlines", async () => {
    const { page } = shared.studio;
    await chartOf("select * from (values ('CA', 10.0), ('Atlantis', 3.0), ('Texas', 7.0), ('Gondor', 1.0)) t(state, sales)");
    await pick("chart-kind", "regionMap");
    await pick("chart-region", "state");
    await page.locator('[data-testid="chart-color"] select[aria-label="Aggregation"]').selectOption("sum");
    await page.locator('[data-testid="chart-color"] select[aria-label="Column"]').selectOption("sales");
    await regionMap(2, 2);
    const message = page.locator('[data-testid="region-map-message"]');
    assert.equal(await message.innerText(), "2 values match no US state: Atlantis, Gondor");

    await page.locator('[data-testid="chart-tiles"]').fill(UNREACHABLE_TILES);
    await page.locator('[data-testid="chart-tiles"]').press("Tab");
    await page.locator('[data-testid="map-tiles-failed"]').waitFor({ timeout: 15_000 });
    await regionMap(2, 2);
    assert.equal(await page.locator('[data-testid="chart-error"]').count(), 0, "failed tiles are no error");
    await shot(page, "map-region-unmatched-offline-tiles");
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });

  test("a project's own GeoJSON file is filled by a chosen property, and a wrong property is explained", async () => {
    const { page } = shared.studio;
    const square = (west, south) => [[[west, south], [west + 1, south], [west + 1, south + 1], [west, south + 1], [west, south]]];
    const zones = {
      type: "FeatureCollection",
      features: [
        { type: "Feature", properties: { zone: "North", id: 1 }, geometry: { type: "Polygon", coordinates: square(150, -33) } },
        { type: "Feature", properties: { zone: "South", id: 2 }, geometry: { type: "Polygon", coordinates: square(150, -34) } },
        { type: "Feature", properties: { zone: "West", id: 3 }, geometry: { type: "Polygon", coordinates: square(149, -34) } },
      ],
    };
    mkdirSync(join(shared.kiln.project, "maps"), { recursive: true });
    writeFileSync(join(shared.kiln.project, "maps/zones.geojson"), JSON.stringify(zones));

    await chartOf("select * from (values ('north', 5.0), ('South ', 9.0), ('Atlantis', 1.0)) t(zone, sales)");
    await pick("chart-kind", "regionMap");
    await pick("chart-region", "zone");
    await page.locator('[data-testid="chart-color"] select[aria-label="Aggregation"]').selectOption("sum");
    await page.locator('[data-testid="chart-color"] select[aria-label="Column"]').selectOption("sales");
    await pick("chart-regions", "projectFile");
    const path = page.locator('[data-testid="chart-settings"] input[placeholder="maps/regions.geojson"]');
    await path.fill("maps/zones.geojson");
    await path.press("Tab");
    const property = page.locator('[data-testid="chart-settings"] input[placeholder="property"]');
    await property.fill("colour");
    await property.press("Tab");
    // The default property ("name") is explained first; wait for the answer about "colour".
    const error = page.locator('[data-testid="region-map-error"]', { hasText: '"colour" property' });
    await error.waitFor({ timeout: 15_000 });
    assert.equal(await error.innerText(), 'No shape in maps/zones.geojson has a "colour" property to match regions on; its shapes have "id", "zone"');

    await property.fill("zone");
    await property.press("Tab");
    // Matched like the built-in sets: trimmed, in any case.
    await regionMap(2, 1);
    assert.equal(await page.locator('[data-testid="region-map-message"]').innerText(), "1 value matches no shape in maps/zones.geojson: Atlantis");
    await shot(page, "map-region-project-file");
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });

  test("sensors a few hundred metres apart are drawn as separate markers, with tooltips", async () => {
    const { page } = shared.studio;
    await chartOf(SENSORS_SQL);
    const map = page.locator('[data-testid="point-map"]');
    await map.waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('[data-testid="chart-kind"]').inputValue(), "pointMap");
    await pick("chart-label", "sensor");
    await page.waitForFunction((count) => document.querySelector('[data-testid="point-map"]')?.dataset.markers === String(count), SENSORS.length, {
      timeout: 15_000,
    });
    // Let the fit and the redraw after it settle.
    await page.waitForTimeout(500);

    // Read the markers back off their canvas: separate blobs of drawn pixels, in page coordinates.
    const blobs = await page.evaluate(() => {
      const canvas = document.querySelector('[data-testid="point-map"] canvas.kiln-points-layer');
      const view = document.querySelector('[data-testid="point-map"]').getBoundingClientRect();
      const rect = canvas.getBoundingClientRect();
      const scale = canvas.width / rect.width;
      const { data, width, height } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      const seen = new Uint8Array(width * height);
      const found = [];
      for (let start = 0; start < width * height; start += 1) {
        if (seen[start] || data[start * 4 + 3] === 0) continue;
        let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
        const stack = [start];
        seen[start] = 1;
        while (stack.length) {
          const at = stack.pop();
          const x = at % width;
          const y = (at - x) / width;
          [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
          for (const next of [at - 1, at + 1, at - width, at + width]) {
            if (next >= 0 && next < width * height && !seen[next] && data[next * 4 + 3] !== 0) {
              seen[next] = 1;
              stack.push(next);
            }
          }
        }
        const x = rect.left + (minX + maxX) / 2 / scale;
        const y = rect.top + (minY + maxY) / 2 / scale;
        if (x >= view.left && x <= view.right && y >= view.top && y <= view.bottom) found.push({ x, y, size: (maxX - minX) / scale });
      }
      return found;
    });
    assert.equal(blobs.length, SENSORS.length, `each sensor is its own marker, none merged: ${JSON.stringify(blobs)}`);
    const xs = blobs.map((blob) => blob.x);
    const ys = blobs.map((blob) => blob.y);
    assert.ok(Math.max(...xs) - Math.min(...xs) > 100, `markers spread across the map (x ${Math.min(...xs)}..${Math.max(...xs)})`);
    assert.ok(Math.max(...ys) - Math.min(...ys) > 100, `markers spread down the map (y ${Math.min(...ys)}..${Math.max(...ys)})`);

    // Hovering a marker shows its label and value.
    const first = blobs[0];
    await page.mouse.move(first.x - 1, first.y);
    await page.mouse.move(first.x, first.y);
    const tip = page.locator(".kiln-map-tip");
    await tip.waitFor({ timeout: 5_000 });
    assert.match(await tip.innerText(), /sensor-\d[\s\S]*temp/);
    assert.match(await page.locator('[data-testid="map-legend"]').innerText(), /temp/);
    assert.equal(await page.locator(".leaflet-control-scale").count(), 1, "a scale bar");
    await shot(page, "map-points-sensors");
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });

  test("100,000 markers are all drawn and the map still answers the mouse", async () => {
    const { page } = shared.studio;
    await chartOf("select 25 + random() * 24 as latitude, -124 + random() * 57 as longitude, random() * 100 as reading from range(100000)");
    const started = Date.now();
    await page.waitForFunction(() => document.querySelector('[data-testid="point-map"]')?.dataset.markers === "100000", null, { timeout: 30_000 }).catch(async (error) => {
      await shot(page, "failed-map-points-100k");
      const panel = await page.locator('[data-testid="chart-panel"]').innerText();
      throw new Error(`the map never showed 100,000 markers; the chart panel says: ${panel.slice(0, 400)}`, { cause: error });
    });
    const drawnIn = Date.now() - started;
    const box = await page.locator('[data-testid="point-map"]').boundingBox();
    const moved = Date.now();
    for (let step = 0; step < 20; step += 1) await page.mouse.move(box.x + box.width * (0.3 + step / 50), box.y + box.height / 2);
    const movedIn = Date.now() - moved;
    await page.locator(".kiln-map-tip").waitFor({ timeout: 5_000 });
    console.log(`100k markers: chart answered and drawn in ${drawnIn} ms; 20 mouse moves in ${movedIn} ms`);
    await shot(page, "map-points-100k");
    assert.deepEqual(shared.studio.consoleErrors, [], "no uncaught errors in the page");
  });
});
