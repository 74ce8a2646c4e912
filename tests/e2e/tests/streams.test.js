// The stream console (issue 11, item 7): a real boto3 producer sends to the project's Kinesis
// endpoint (on a free port), the console's own DDL makes a streaming view of it, and the Streams
// tab shows the stream's records, the view's records taken, a peek at the records and the reason a
// garbage record was set aside; a Firehose delivery shows its table and a line it could not load;
// and with the endpoint's port taken the console says why — on a real `kiln serve` in chromium.
// Screenshots go to $TMPDIR/streams-*.png.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveKiln } from "../../support/kiln-serve.js";
import { KILN, REPO, engineRows, launchBrowser, openStudio, startKiln, tickitCopy } from "./harness.js";

const SHOTS = process.env.TMPDIR ?? tmpdir();
const PYTHON = process.env.PYTHON ?? "python3";

/** Puts 40 JSON orders over 7 partition keys and one record that is not JSON. */
const PRODUCER = `
import json, sys
import boto3

kinesis = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1",
                       aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="local-secret")
out = kinesis.put_records(StreamName="orders", Records=[
    {"PartitionKey": f"customer-{i % 7}", "Data": json.dumps({"order_id": i, "amount": round(i * 1.5, 2), "state": "VIC"})}
    for i in range(40)
])
assert out["FailedRecordCount"] == 0, out
kinesis.put_record(StreamName="orders", PartitionKey="garbage-key", Data=b"this is not json {")
print("sent")
`;

/** Sends a steady trickle for a few seconds, so the rates and the lag sparkline have something to show. */
const TRICKLE = `
import json, sys, time
import boto3

kinesis = boto3.client("kinesis", endpoint_url=sys.argv[1], region_name="us-east-1",
                       aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="local-secret")
end = time.time() + float(sys.argv[2])
i = 1000
while time.time() < end:
    kinesis.put_records(StreamName="orders", Records=[
        {"PartitionKey": f"customer-{n % 7}", "Data": json.dumps({"order_id": n, "amount": n / 10, "state": "NSW"})}
        for n in range(i, i + 5)
    ])
    i += 5
    time.sleep(0.1)
`;

/** A Firehose delivery stream into main.readings (no buffering delay): three readings and one that does not fit. */
const FIREHOSE = `
import json, sys
import boto3

firehose = boto3.client("firehose", endpoint_url=sys.argv[1], region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="local-secret")
firehose.create_delivery_stream(DeliveryStreamName="readings", DeliveryStreamType="DirectPut", RedshiftDestinationConfiguration={
    "RoleARN": "arn:aws:iam::123456789012:role/firehose", "ClusterJDBCURL": "jdbc:redshift://local:5439/dev",
    "Username": "awsuser", "Password": "unused",
    "CopyCommand": {"DataTableName": "main.readings", "DataTableColumns": "guid,ts,temp", "CopyOptions": "json 'auto'"},
    "S3Configuration": {"RoleARN": "arn:aws:iam::123456789012:role/firehose", "BucketARN": "arn:aws:s3:::staging",
                        "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 0}},
})
lines = [{"guid": f"g{i}", "ts": 1700000000 + i, "temp": 20.5 + i} for i in range(3)] + [{"guid": "bad", "ts": "yesterday", "temp": 1}]
firehose.put_record_batch(DeliveryStreamName="readings", Records=[{"Data": (json.dumps(line) + "\\n").encode()} for line in lines])
`;

function python(script, args) {
  const run = spawnSync(PYTHON, ["-c", script, ...args], { encoding: "utf8", timeout: 60_000 });
  if (run.status !== 0) throw new Error(`python failed (${run.status}): ${run.stderr}${run.stdout}`);
  return run.stdout;
}

function shot(page, name) {
  return page.screenshot({ path: join(SHOTS, `streams-${name}.png`) });
}

/** The page never scrolls sideways: wide tables scroll inside their own box. */
async function assertNoHorizontalOverflow(page) {
  const overflow = await page.evaluate(() => {
    const view = document.querySelector('[data-testid="streams-view"]');
    return {
      page: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      view: view ? view.scrollWidth - view.clientWidth : -1,
    };
  });
  assert.ok(overflow.page <= 0, `the page overflows by ${overflow.page}px`);
  assert.ok(overflow.view <= 0, `the streams view overflows by ${overflow.view}px`);
}

describe("Streams console", () => {
  let browser;
  let kiln;
  let studio;
  before(async () => {
    browser = await launchBrowser();
    kiln = await startKiln();
    studio = await openStudio(browser, kiln);
  });
  after(async () => {
    await studio?.context.close();
    await kiln?.stop();
    await browser?.close();
  });

  test("a boto3 producer's stream, its view's lag and records, a peek and the scan errors", async () => {
    const { page, consoleErrors } = studio;
    const { endpoint } = await kiln.api("streams");
    assert.match(endpoint ?? "", /^http:\/\/127\.0\.0\.1:\d+$/, "the endpoint is served on a free port");

    // A project without streams explains them, with the endpoint and snippets to copy.
    await page.getByRole("button", { name: "Streams", exact: true }).click();
    await page.locator('[data-testid="streams-empty"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('[data-testid="streams-endpoint-url"]').innerText(), endpoint);
    const snippets = await page.locator('[data-testid="streams-empty"] pre').allInnerTexts();
    assert.equal(snippets.length, 2, "a boto3 producer and the view's DDL");
    const [producerSnippet, ddl] = snippets;
    assert.ok(producerSnippet.includes(`endpoint_url="${endpoint}"`), producerSnippet);
    await assertNoHorizontalOverflow(page);
    await shot(page, "empty");

    // The snippet runs as shown (it creates the stream and puts one order), then more records and garbage.
    python(producerSnippet, []);
    assert.equal(python(PRODUCER, [endpoint]).trim(), "sent");
    // The DDL the console offers, run through the console's API.
    const created = await kiln.api("runQuery", { sql: ddl });
    for (const statement of created.statements) assert.equal(statement.error, null, `${statement.sql}: ${JSON.stringify(statement.error)}`);

    const stream = page.locator('[data-testid="stream-row"][data-name="orders"]');
    await stream.waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="stream-row"][data-name="orders"] [data-testid="stream-held"]')?.textContent === "42",
      null,
      { timeout: 15_000 },
    );
    const [orders] = (await kiln.api("streams")).streams.filter((entry) => entry.name === "orders");
    assert.equal(orders.recordsHeld, 42, "1 from the snippet, 40 orders and the garbage");

    // The view's consumer row: records taken, and the garbage record rejected.
    const consumer = page.locator('[data-testid="consumer-row"]', { hasText: "orders_view" });
    await consumer.waitFor({ timeout: 15_000 });
    await page.waitForFunction(
      () => {
        const row = [...document.querySelectorAll('[data-testid="consumer-row"]')].find((node) => node.dataset.name?.endsWith(".orders_view"));
        const taken = Number(row?.querySelector('[data-testid="consumer-records"]')?.textContent?.replace(/,/g, "") ?? 0);
        return taken > 0 && row?.querySelector('[data-testid="consumer-rejected"]') !== null;
      },
      null,
      { timeout: 15_000 },
    );
    const taken = Number((await consumer.locator('[data-testid="consumer-records"]').innerText()).replace(/,/g, ""));
    const inView = Number((await engineRows(kiln, "select count(*) from orders_view"))[0][0]);
    assert.equal(taken, inView, "records taken = rows in the view");
    assert.equal(inView, 41);
    await page.waitForFunction(() => document.querySelector('[data-testid="consumer-lag"]')?.textContent === "up to date", null, { timeout: 10_000 });

    // Peek: the newest records with their partition keys, the garbage one (sent last) first.
    await page.locator('[data-testid="streams-tab-peek"]').click();
    // It follows the stream: the records sent after the tab opened are there without a click.
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-testid="peek-record"]').length === 20 &&
        document.querySelector('[data-testid="peek-partition-key"]')?.textContent === "garbage-key",
      null,
      { timeout: 10_000 },
    );
    const keys = await page.locator('[data-testid="peek-partition-key"]').allInnerTexts();
    assert.ok(keys.some((key) => /^customer-\d$/.test(key)), keys.join(", "));
    // A record opens to its data, JSON indented; the garbage one shows as sent.
    assert.equal(await page.locator('[data-testid="peek-data"]').first().innerText(), "this is not json {");
    await page.locator('[data-testid="peek-data"]').nth(1).click();
    assert.equal(await page.locator('[data-testid="peek-data"]').nth(1).getAttribute("aria-expanded"), "true");
    assert.match(await page.locator("pre.streams-data.json").innerText(), /^\{\n {2}"order_id": \d+,/);

    // Live traffic for the rates and the sparkline, then the overview.
    const trickle = spawn(PYTHON, ["-c", TRICKLE, endpoint, "6"], { stdio: "ignore" });
    const trickled = new Promise((done) => trickle.once("exit", done));
    try {
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="stream-row"][data-name="orders"] [data-testid="stream-rate"]')?.textContent?.replace(/,/g, "")) > 0,
        null,
        { timeout: 15_000 },
      );
      await page.waitForTimeout(2500);
      await page.locator('[data-testid="peek-refresh"]').click();
      await page.waitForTimeout(300);
      await assertNoHorizontalOverflow(page);
      await shot(page, "overview");
    } finally {
      await trickled;
    }

    // Rejected → the scan errors of that view, with the warehouse's reason and the record.
    await consumer.locator('[data-testid="consumer-rejected"]').click();
    await page.locator('[data-testid="errors-filter"]').getByText("orders_view").waitFor();
    const error = page.locator('[data-testid="stream-error"]').first();
    await error.waitFor({ timeout: 10_000 });
    const [[reason]] = await engineRows(kiln, "select reason from kiln_stream.scan_errors where partition_key = 'garbage-key'");
    assert.ok(reason.length > 0);
    assert.equal(await error.locator('[data-testid="stream-error-reason"]').innerText(), reason);
    assert.ok((await error.innerText()).includes("garbage-key"));
    assert.ok((await error.innerText()).includes("this is not json {"));
    await assertNoHorizontalOverflow(page);
    await page.locator('[data-testid="scan-errors-panel"]').scrollIntoViewIfNeeded();
    await shot(page, "scan-errors");

    // A Firehose delivery into a warehouse table: its table, its consumer, and a line it could not load.
    await kiln.api("runQuery", { sql: "create table main.readings (guid varchar, ts bigint, temp double)" });
    python(FIREHOSE, [endpoint]);
    const delivery = page.locator('[data-testid="consumer-row"][data-name="firehose:readings"]');
    await delivery.locator('[data-testid="consumer-rejected"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('[data-testid="stream-row"][data-name="readings"] [data-testid="stream-delivery"]').innerText(), "main.readings");
    assert.equal(Number((await engineRows(kiln, "select count(*) from main.readings"))[0][0]), 3);
    const [readings] = (await kiln.api("streams")).consumers.filter((entry) => entry.name === "firehose:readings");
    assert.ok(readings.records > 0);
    assert.equal(Number(await delivery.locator('[data-testid="consumer-records"]').innerText()), readings.records, "the count the engine reports");
    await delivery.locator('[data-testid="consumer-rejected"]').click();
    const loadError = page.locator('[data-testid="load-errors"] [data-testid="stream-error"]').first();
    await loadError.waitFor({ timeout: 10_000 });
    const [[loadReason]] = await engineRows(kiln, "select err_reason from kiln_stream.load_errors where delivery_stream = 'readings'");
    assert.equal(await loadError.locator('[data-testid="stream-error-reason"]').innerText(), loadReason);
    await assertNoHorizontalOverflow(page);
    await shot(page, "load-errors");

    // The dark theme, and a narrow window: tables scroll inside their boxes, never the page.
    await page.locator('[data-testid="streams-tab-peek"]').click();
    await page.locator(".status-bar").getByRole("button", { name: /light|dark|system/ }).click();
    await page.waitForTimeout(300);
    await shot(page, "dark");
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.waitForTimeout(300);
    await assertNoHorizontalOverflow(page);
    await shot(page, "narrow");
    await page.setViewportSize({ width: 1440, height: 900 });

    // Polling stops while the tab is not shown.
    let polls = 0;
    const count = (request) => {
      if (request.url().endsWith("/api/streams")) polls += 1;
    };
    await page.getByRole("tab", { name: "Lineage" }).click();
    await page.waitForTimeout(300);
    page.on("request", count);
    await page.waitForTimeout(2500);
    page.off("request", count);
    assert.equal(polls, 0, "no polls while the Streams tab is hidden");

    assert.deepEqual(consoleErrors, [], "no uncaught errors in the page");
  });

  test("with the endpoint's port taken, the console says why without alarm", async () => {
    // Something else listens where the endpoint would go, as another Kiln or LocalStack would.
    const blocker = createServer();
    await new Promise((done) => blocker.listen(0, "127.0.0.1", done));
    const { dir, project } = tickitCopy();
    const server = await serveKiln({ kiln: KILN, projectDir: project, uiDist: join(REPO, "ui/dist"), streamPort: blocker.address().port });
    let context;
    try {
      const status = await server.api("streams");
      assert.equal(status.endpoint, null);
      assert.match(status.endpointError, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${blocker.address().port}`));
      const opened = await openStudio(browser, server);
      context = opened.context;
      const { page } = opened;
      await page.getByRole("button", { name: "Streams", exact: true }).click();
      const note = page.locator('[data-testid="streams-no-endpoint"]');
      await note.waitFor({ timeout: 15_000 });
      assert.match(await note.innerText(), /cannot listen on 127\.0\.0\.1:\d+ .*another Kiln/);
      assert.equal(await page.locator('[data-testid="streams-view"] .callout-error').count(), 0, "no error box: the project's streams still open");
      await page.locator('[data-testid="streams-empty"]').waitFor();
      await shot(page, "no-endpoint");
      assert.deepEqual(opened.consoleErrors, []);
    } finally {
      await context?.close();
      await server.stop();
      blocker.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
