// CPU profiles of the page (DevTools protocol Profiler), summarised as self time per original source
// (a package under node_modules, or a file of ui/src) through the bundle's source maps, so that a
// missed target says where the main thread's time went. Only used with --profile: sampling every
// 100 µs slows the page a little, so profiled runs are not the ones to quote for speed.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { UI_DIST } from "./harness.js";

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUE = new Map([...BASE64].map((char, index) => [char, index]));

/** Decodes a source map's `mappings` into, per generated line, sorted [column, sourceIndex] pairs. */
export function decodeMappings(mappings) {
  const lines = [];
  let source = 0;
  for (const lineText of mappings.split(";")) {
    const segments = [];
    let column = 0;
    for (const segmentText of lineText.split(",")) {
      if (!segmentText) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const char of segmentText) {
        const digit = BASE64_VALUE.get(char);
        if (digit === undefined) throw new Error(`bad base64 VLQ character '${char}'`);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0];
      if (values.length >= 4) {
        source += values[1];
        segments.push([column, source]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

function lookup(lines, line, column) {
  const segments = lines[line];
  if (!segments || segments.length === 0) return -1;
  let low = 0;
  let high = segments.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (segments[middle][0] <= column) {
      found = segments[middle][1];
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** "react-dom", "@xyflow/react", "src/features/lineage/LineageView.tsx", … */
export function groupForSource(source) {
  const modules = source.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const parts = source.slice(modules + "node_modules/".length).split("/");
    return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? source);
  }
  const src = source.indexOf("src/");
  return src >= 0 ? source.slice(src) : source;
}

const maps = new Map();
function mapFor(url) {
  const file = basename(new URL(url).pathname);
  if (!maps.has(file)) {
    const path = join(UI_DIST, "assets", `${file}.map`);
    if (!existsSync(path)) maps.set(file, null);
    else {
      const map = JSON.parse(readFileSync(path, "utf8"));
      maps.set(file, { sources: map.sources, lines: decodeMappings(map.mappings) });
    }
  }
  return maps.get(file);
}

/** Self time per group over a CPU profile, largest first, with milliseconds and share. */
export function summariseProfile(profile, top = 8) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const groupOf = new Map();
  const group = (node) => {
    if (groupOf.has(node.id)) return groupOf.get(node.id);
    const frame = node.callFrame;
    let name;
    // "(program)" is the renderer's own work outside JavaScript (style, layout, paint); functions
    // without a URL are natives or the benchmark's polling predicates (lineageState).
    if (!frame.url) {
      if (frame.functionName === "lineageState") name = "(benchmark polling)";
      else name = frame.functionName.startsWith("(") ? frame.functionName : `native ${frame.functionName || "(anonymous)"}`;
    }
    else {
      let map = null;
      try {
        map = mapFor(frame.url);
      } catch {
        map = null;
      }
      const source = map ? lookup(map.lines, frame.lineNumber, frame.columnNumber) : -1;
      name = source >= 0 ? groupForSource(map.sources[source]) : basename(new URL(frame.url).pathname);
    }
    groupOf.set(node.id, name);
    return name;
  };
  const totals = new Map();
  let all = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const delta = (profile.timeDeltas[index + 1] ?? profile.timeDeltas[index] ?? 0) / 1000;
    if (!node) return;
    const name = group(node);
    if (name === "(idle)") return;
    totals.set(name, (totals.get(name) ?? 0) + delta);
    all += delta;
  });
  const groups = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { busyMs: all, groups: groups.map(([name, ms]) => ({ name, ms, share: all > 0 ? ms / all : 0 })) };
}

/** Runs `action` under the CPU profiler when `enabled`; writes the raw profile next to the results. */
export async function profiled(cdp, enabled, path, action) {
  if (!enabled) return { value: await action(), profile: null };
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  let value;
  let failure = null;
  try {
    value = await action();
  } catch (error) {
    failure = error;
  }
  const { profile } = await cdp.send("Profiler.stop");
  writeFileSync(path, JSON.stringify(profile));
  if (failure) throw failure;
  return { value, profile: summariseProfile(profile) };
}

export function formatProfile(summary) {
  if (!summary) return "";
  const parts = summary.groups.map((entry) => `${entry.name} ${Math.round(entry.ms)} ms (${Math.round(entry.share * 100)}%)`);
  return `busy ${Math.round(summary.busyMs)} ms: ${parts.join(", ")}`;
}
