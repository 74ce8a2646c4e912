// Starts a real `kiln serve` and calls its HTTP API. Shared by the browser tests (tests/e2e) and the
// Studio benchmarks (bench/studio) so the start-up handshake is written once, and by the desktop test
// for stopping processes; plain node, no packages, so no side needs another's node_modules.
import { spawn } from "node:child_process";

const URL_PATTERN = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-zA-Z]+)/;

/**
 * Spawns `kiln serve --port 0` and resolves once it has printed its URL (which carries the
 * per-launch token). Rejects with the server's stderr if it exits or stays silent. Without
 * `projectDir` the server opens the project in `cwd`; without `uiDist` it serves the UI built into
 * the binary. The project's Kinesis/Firehose endpoint takes a free port (`streamPort`, 0 by
 * default), so servers started side by side never fight over kiln's default 4577; `streamPort:
 * null` leaves kiln's default.
 */
export async function serveKiln({ kiln, projectDir, uiDist, cwd, streamPort = 0, timeoutMs = 30_000 }) {
  const args = ["serve", "--port", "0"];
  if (streamPort !== null) args.push("--stream-port", String(streamPort));
  if (projectDir) args.push("--project-dir", projectDir);
  if (uiDist) args.push("--ui-dist", uiDist);
  const child = spawn(kiln, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`kiln serve printed no URL within ${timeoutMs / 1000}s; stderr:\n${stderr}`)),
      timeoutMs,
    );
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = URL_PATTERN.exec(out);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`kiln serve exited early (${code}); stderr:\n${stderr}`));
    });
  });
  const parsed = new URL(url);
  const token = parsed.searchParams.get("token") ?? "";
  const base = parsed.origin;

  /** Calls an engine operation directly, e.g. to check what the UI shows against the engine's truth. */
  async function api(operation, body = {}) {
    const response = await fetch(`${base}/api/${operation}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-kiln-token": token },
      body: JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${operation} failed (${response.status}): ${JSON.stringify(json)}`);
    return json;
  }

  return { child, url, base, token, api, stop: () => stopProcess(child), stderr: () => stderr };
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
export async function stopProcess(child) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
