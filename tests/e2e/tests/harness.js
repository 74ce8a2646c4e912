// Shared setup for the Studio end-to-end tests: a real `kiln serve` on a throwaway copy of the
// TICKIT sample project, and a Debian chromium driven through playwright-core (never `playwright`,
// which would download its own browsers).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serveKiln } from "../../support/kiln-serve.js";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "../../..");
const TARGET = process.env.CARGO_TARGET_DIR ?? join(process.env.HOME ?? "/root", ".cache/kiln-target");
export const KILN = process.env.KILN_BIN ?? join(TARGET, "debug/kiln");
/** The throw-away PostgreSQL server of `crates/kiln-postgres/examples/test-cluster.rs`. */
const TEST_CLUSTER = process.env.KILN_TEST_CLUSTER_BIN ?? join(TARGET, "debug/examples/test-cluster");
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
// KILN_UI_DIST lets parallel work build the UI into its own folder instead of racing on ui/dist.
const UI_DIST = process.env.KILN_UI_DIST ?? join(REPO, "ui/dist");

/** Where screenshots go: $TMPDIR (never the repository). */
export const SHOT_DIR = join(process.env.TMPDIR ?? tmpdir(), "kiln-e2e-shots");
mkdirSync(SHOT_DIR, { recursive: true });

/**
 * Copies the project's own files (those git tracks, never the run history in target/ or the
 * warehouse in .kiln/ that using the studio on projects/tickit leaves behind) into `dest`.
 */
export function copyTrackedProject(relative, dest) {
  const listed = spawnSync("git", ["ls-files", "-z", "--", relative], { cwd: REPO, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files ${relative} failed: ${listed.stderr}`);
  const files = listed.stdout.split("\0").filter(Boolean);
  if (files.length === 0) throw new Error(`git tracks no files under ${relative}`);
  for (const file of files) {
    const to = join(dest, file.slice(relative.length + 1));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(join(REPO, file), to);
  }
}

/** A throwaway copy of projects/tickit with its lake generated at scale 0.01. */
export function tickitCopy(prepare) {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), "kiln-e2e-"));
  const project = join(dir, "tickit");
  copyTrackedProject("projects/tickit", project);
  prepare?.(project);
  const demo = spawnSync(KILN, ["demo", "tickit", "--scale", "0.01", "--project-dir", project], { encoding: "utf8" });
  if (demo.status !== 0) throw new Error(`kiln demo failed (${demo.status}): ${demo.stderr}`);
  return { dir, project };
}

/**
 * Starts `kiln serve --port 0` on a fresh TICKIT copy; the URL (with its per-launch token) is
 * parsed from the first stdout line. `outsideRepo` starts it the way an installed kiln is used:
 * from the project folder itself, with the UI built into the binary (no --ui-dist). `prepare`
 * may change the copy's files before the server opens it.
 */
export async function startKiln({ outsideRepo = false, prepare } = {}) {
  const { dir, project } = tickitCopy(prepare);
  return serveCopy(dir, project, { outsideRepo });
}

/**
 * Starts a throw-away PostgreSQL server (`kiln-postgres`'s `test-cluster` example: initdb, 127.0.0.1
 * only, a scram password) and resolves with where it listens. The example stops the server when
 * its stdin closes, so `stop()` closes it and waits, and a test runner that dies takes the server
 * with it.
 */
export async function startPostgres({ timeoutMs = 60_000 } = {}) {
  // Its own process group: Ctrl+C on the test run (SIGINT to the terminal's group), or a group
  // kill, must not kill it before it stops the server; it goes when this process's pipe closes.
  const child = spawn(TEST_CLUSTER, [], { stdio: ["pipe", "pipe", "pipe"], detached: true });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const found = await new Promise((resolveLine, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`test-cluster printed nothing within ${timeoutMs / 1000}s; stderr:\n${stderr}`)), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${TEST_CLUSTER} (build it: cargo build -p kiln-postgres --example test-cluster --features testing): ${error.message}`));
    });
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const newline = out.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        resolveLine(JSON.parse(out.slice(0, newline)));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`test-cluster exited early (${code}); stderr:\n${stderr}`));
    });
  });
  async function stop() {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once("exit", done));
    child.stdin.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(timer);
  }
  return { ...found, stop };
}

/**
 * Whether `startPostgres` can start a server: the test-cluster example is built and finds
 * PostgreSQL's server binaries. Tests skip without them, except in CI (`CI` set), where they fail.
 */
export function postgresAvailable() {
  return spawnSync(TEST_CLUSTER, ["--available"]).status === 0;
}

/** A profiles.yml whose profile `profile` has one target, `dev`, on `cluster` (a `startPostgres` answer). */
export function postgresProfiles(profile, cluster, { schema = "public", password = cluster.password, threads = 4 } = {}) {
  return [
    `${profile}:`,
    "  target: dev",
    "  outputs:",
    "    dev:",
    "      type: postgres",
    `      host: ${cluster.host}`,
    `      port: ${cluster.port}`,
    `      user: ${cluster.user}`,
    `      password: "${password}"`,
    `      dbname: ${cluster.database}`,
    `      schema: ${schema}`,
    `      threads: ${threads}`,
    "",
  ].join("\n");
}

/**
 * Starts `kiln serve` on a throwaway copy of a project git tracks (`relative`, e.g.
 * `tests/fixtures/jaffle_shop`) with `profiles` written as its profiles.yml, e.g. a PostgreSQL
 * target from `postgresProfiles`.
 */
export async function startKilnOn(relative, { profiles } = {}) {
  const dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), "kiln-e2e-"));
  const project = join(dir, relative.split("/").pop());
  copyTrackedProject(relative, project);
  if (profiles !== undefined) writeFileSync(join(project, "profiles.yml"), profiles);
  return serveCopy(dir, project);
}

/** `kiln serve` on the project copy in `dir`, with the helpers tests use; `stop` removes the copy. */
async function serveCopy(dir, project, { outsideRepo = false } = {}) {
  const server = outsideRepo
    ? await serveKiln({ kiln: KILN, cwd: project })
    : await serveKiln({ kiln: KILN, projectDir: project, uiDist: UI_DIST });
  const { api } = server;

  async function waitForRun(runId, timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { runs } = await api("runHistory");
      const run = runs.find((entry) => entry.runId === runId);
      if (run && run.status !== "running") return run;
      await new Promise((done) => setTimeout(done, 250));
    }
    throw new Error(`run ${runId} did not finish within ${timeoutMs}ms`);
  }

  async function stop() {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const { url, base, token, stderr } = server;
  return { url, base, token, project, api, waitForRun, stop, stderr };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A fresh context per test: no localStorage drafts or theme leak between scenarios. */
export async function openStudio(browser, kiln) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("pageerror", (error) => consoleErrors.push(String(error)));
  await page.goto(kiln.url);
  try {
    await page.locator('[data-testid="tree-file"]').first().waitFor({ timeout: 30_000 });
  } catch (error) {
    await shot(page, `failed-open-${Date.now()}`);
    throw new Error(`the explorer never listed files (screenshot in ${SHOT_DIR}; page errors: ${consoleErrors.join("; ")}; server stderr: ${kiln.stderr()})`, { cause: error });
  }
  return { context, page, consoleErrors };
}

/**
 * Registers the hooks of a suite whose every test gets its own `kiln serve` on a fresh TICKIT copy
 * and its own browser context (one browser for the suite), and returns live accessors for them.
 */
export function serverPerTest({ before, after, beforeEach, afterEach }) {
  let browser;
  const current = { kiln: undefined, studio: undefined };
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    current.kiln = await startKiln();
    current.studio = await openStudio(browser, current.kiln);
  });
  afterEach(async () => {
    await current.studio?.context.close();
    await current.kiln?.stop();
    current.studio = undefined;
    current.kiln = undefined;
  });
  return current;
}

/**
 * Registers the hooks of a suite whose tests share one `kiln serve` and one page, after an
 * optional Build (`build: [selectors]`, `[]` for everything) that must succeed; for suites whose
 * tests only read the warehouse. Returns live accessors for them.
 */
export function sharedServer({ before, after }, { build } = {}) {
  const current = { browser: undefined, kiln: undefined, studio: undefined };
  before(async () => {
    current.browser = await launchBrowser();
    current.kiln = await startKiln();
    if (build) {
      const started = await current.kiln.api("startRun", { command: "build", select: build, exclude: [] });
      const run = await current.kiln.waitForRun(started.runId);
      if (run.status !== "success") throw new Error(`the Build before the suite ended ${run.status}`);
    }
    current.studio = await openStudio(current.browser, current.kiln);
  });
  after(async () => {
    await current.studio?.context.close();
    await current.kiln?.stop();
    await current.browser?.close();
  });
  return current;
}

/** The rows the engine answers for `sql` (through the console's runQuery), to check the page against. */
export async function engineRows(kiln, sql) {
  const response = await kiln.api("runQuery", { sql });
  const [statement] = response.statements;
  if (statement.error) throw new Error(`${sql}: ${JSON.stringify(statement.error)}`);
  return statement.firstPage;
}

/** The first value of `sql`'s first row, as a number. */
export async function engineNumber(kiln, sql) {
  return Number((await engineRows(kiln, sql))[0][0]);
}

/** Opens a file from the explorer and waits for its editor. */
export async function openModel(page, path) {
  await page.locator(`[data-testid="tree-file"][data-path="${path}"]`).click();
  await page.locator('[data-testid="model-editor"] .cm-content').waitFor();
}

/** Replaces the query console's text with `sql` (the Escape closes autocomplete). */
export async function typeInConsole(page, sql) {
  await page.getByRole("tab", { name: "Query" }).click();
  await page.locator('[data-testid="console-editor"] .cm-content').click();
  await page.keyboard.press("Control+a");
  await page.keyboard.type(sql);
  await page.keyboard.press("Escape");
}

/** Replaces the console's text with `sql` and runs the statement under the cursor. */
export async function runInConsole(page, sql) {
  await typeInConsole(page, sql);
  await page.locator('[data-testid="run-statement"]').click();
}

export function shot(page, name) {
  return page.screenshot({ path: join(SHOT_DIR, `${name}.png`) });
}

/**
 * Puts the cursor at the end of the first editor line containing `lineText`, then types `typed` with
 * the keyboard. CodeMirror only renders the lines in view, so the cursor is placed through the
 * editor's own view object (reached from its DOM node) rather than by clicking a line.
 */
export async function appendToLine(page, editorTestId, lineText, typed) {
  const content = page.locator(`[data-testid="${editorTestId}"] .cm-content`);
  await content.click();
  const found = await content.evaluate((node, needle) => {
    const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
    if (!view) return "no-view";
    const text = view.state.doc.toString();
    const at = text.indexOf(needle);
    if (at < 0) return "no-match";
    const line = view.state.doc.lineAt(at);
    view.dispatch({ selection: { anchor: line.to }, scrollIntoView: true });
    view.focus();
    return "ok";
  }, lineText);
  if (found !== "ok") throw new Error(`could not place the cursor after "${lineText}": ${found}`);
  await page.keyboard.type(typed);
  // Autocompletion may be open; Escape closes it without accepting anything.
  await page.keyboard.press("Escape");
}

/** Selects the first occurrence of `find` in the editor and types `replacement` over it. */
export async function replaceInEditor(page, editorTestId, find, replacement) {
  const content = page.locator(`[data-testid="${editorTestId}"] .cm-content`);
  await content.click();
  const found = await content.evaluate((node, needle) => {
    const view = node.cmTile?.root?.view ?? node.cmView?.rootView;
    if (!view) return "no-view";
    const at = view.state.doc.toString().indexOf(needle);
    if (at < 0) return "no-match";
    view.dispatch({ selection: { anchor: at, head: at + needle.length }, scrollIntoView: true });
    view.focus();
    return "ok";
  }, find);
  if (found !== "ok") throw new Error(`could not select "${find}": ${found}`);
  await page.keyboard.type(replacement);
  await page.keyboard.press("Escape");
}

/**
 * Scrolls a virtualised list from top to bottom and returns every row's data-name/data-status it
 * rendered on the way (only rows near the viewport exist in the DOM at any moment).
 */
export async function collectVirtualRows(page, scrollerSelector, rowSelector) {
  return page.locator(scrollerSelector).evaluate(async (scroller, selector) => {
    const seen = new Map();
    const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    scroller.scrollTop = 0;
    for (;;) {
      await frame();
      for (const row of scroller.querySelectorAll(selector)) seen.set(row.getAttribute("data-name"), row.getAttribute("data-status"));
      if (scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 1) break;
      scroller.scrollTop += Math.max(20, scroller.clientHeight / 2);
    }
    return Object.fromEntries(seen);
  }, rowSelector);
}
