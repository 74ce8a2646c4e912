// A minimal W3C WebDriver client over fetch, for WebKitWebDriver driving the real kiln-studio binary.
// This is what tauri-driver does on Linux (it launches WebKitWebDriver and rewrites `tauri:options`
// into `webkitgtk:browserOptions`); talking to WebKitWebDriver directly saves building tauri-driver.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { stopProcess } from "../../support/kiln-serve.js";

/** W3C name of the element reference in WebDriver responses. */
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

const WEBKIT_WEBDRIVER = process.env.WEBKIT_WEBDRIVER_BIN ?? "WebKitWebDriver";

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Starts WebKitWebDriver on a free port. TAURI_WEBVIEW_AUTOMATION=true in its environment reaches
 * the app it launches: without it tauri-runtime-wry does not allow automation on the webview's
 * WebKitWebContext and the session never finds a target.
 */
export async function startDriver() {
  const port = await freePort();
  const child = spawn(WEBKIT_WEBDRIVER, [`--port=${port}`], {
    env: { ...process.env, TAURI_WEBVIEW_AUTOMATION: "true" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const spawnError = new Promise((_, reject) => {
    child.once("error", (error) =>
      reject(new Error(`cannot start ${WEBKIT_WEBDRIVER} (Debian package webkit2gtk-driver): ${error.message}`)),
    );
  });
  const base = `http://127.0.0.1:${port}`;
  const ready = (async () => {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`WebKitWebDriver exited (${child.exitCode}): ${output}`);
      try {
        const response = await fetch(`${base}/status`);
        const { value } = await response.json();
        if (value?.ready) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error(`WebKitWebDriver was not ready on ${base} within 20s: ${output}`);
  })();
  await Promise.race([ready, spawnError]);

  async function stop() {
    await stopProcess(child);
    // The app inherits the driver's stdout and stderr, so they stay open while it lives; they
    // must not keep this process alive.
    child.stdout.destroy();
    child.stderr.destroy();
  }

  return { base, stop, output: () => output };
}

/** A WebDriver error with the driver's own error code and message. */
export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    super(`${method} ${path} → ${status} ${value?.error ?? ""}: ${value?.message ?? JSON.stringify(value)}`);
    this.code = value?.error;
  }
}

async function command(base, method, path, body, timeoutMs = 60_000) {
  const response = await fetch(`${base}${path}`, {
    method,
    // A wedged WebKit must fail the test, not hang it until the runner's timeout.
    signal: AbortSignal.timeout(timeoutMs),
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({ value: { error: "invalid json", message: `HTTP ${response.status}` } }));
  if (!response.ok) throw new WebDriverError(method, path, response.status, json.value);
  return json.value;
}

/**
 * Opens a session: WebKitWebDriver launches `binary args…` itself (with WEBKIT_INSPECTOR_SERVER
 * set so the app's WebKit connects back) and drives its first webview.
 */
export async function newSession(driver, binary, args) {
  const value = await command(driver.base, "POST", "/session", {
    capabilities: {
      alwaysMatch: {
        "webkitgtk:browserOptions": { binary, args },
      },
    },
  });
  const root = `/session/${value.sessionId}`;
  const call = (method, path = "", body, timeoutMs) => command(driver.base, method, `${root}${path}`, body, timeoutMs);

  const session = {
    capabilities: value.capabilities,
    /** Runs `script` (a function body) in the page and returns its result. */
    execute: (script, ...args) => call("POST", "/execute/sync", { script, args }),
    /** Runs `script` with a callback as its last argument; resolves with what it passes. */
    executeAsync: (script, ...args) => call("POST", "/execute/async", { script, args }),
    findAll: async (css) => (await call("POST", "/elements", { using: "css selector", value: css })).map((ref) => ref[ELEMENT]),
    click: (element) => call("POST", `/element/${element}/click`, {}),
    attribute: (element, name) => call("GET", `/element/${element}/attribute/${encodeURIComponent(name)}`),
    /** The webview's pixels as a PNG buffer. */
    screenshot: async () => Buffer.from(await call("GET", "/screenshot"), "base64"),
    /** Polls `probe` until it returns a truthy value; the last error or value goes into the message. */
    async waitFor(what, probe, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let last;
      while (Date.now() < deadline) {
        try {
          last = await probe();
          if (last) return last;
        } catch (error) {
          last = error;
        }
        await sleep(200);
      }
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    },
    /** Ends the session; WebKitWebDriver then terminates the app it launched. */
    close: () => call("DELETE", "", undefined, 15_000),
  };
  return session;
}
