import type { LineageModel } from "./graphModel";
import { NODE_HEIGHT, NODE_WIDTH } from "./graphModel";
import type { LayoutRequest, LayoutResponse } from "./layout.worker";

/** Above this, ELK's layered layout takes longer than it is worth (about 5 ms a node in bench/studio:
 * 1.6 s at 300 nodes, 2.9 s at 600, 4.9 s at 1,000), so the instant layout stays. */
export const ELK_NODE_LIMIT = 400;
const TIMEOUT_MS = 15_000;

let counter = 0;

/**
 * Lays the graph out with ELK in a fresh Web Worker. Resolves to positions by node id, or null
 * when aborted, timed out or too big; the caller keeps the instant layout in those cases.
 */
export function layoutWithElk(model: LineageModel, signal: AbortSignal): Promise<Map<string, { x: number; y: number }> | null> {
  if (model.nodes.length === 0 || model.nodes.length > ELK_NODE_LIMIT || typeof Worker === "undefined") return Promise.resolve(null);
  return new Promise((resolve) => {
    const worker = new Worker(new URL("./layout.worker.ts", import.meta.url), { type: "module" });
    counter += 1;
    const id = counter;
    const finish = (value: Map<string, { x: number; y: number }> | null) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      worker.terminate();
      resolve(value);
    };
    const onAbort = () => finish(null);
    const timer = setTimeout(() => {
      console.warn(`ELK layout of ${model.nodes.length} nodes took over ${TIMEOUT_MS} ms; keeping the quick layout.`);
      finish(null);
    }, TIMEOUT_MS);
    signal.addEventListener("abort", onAbort);
    worker.onmessage = (event: MessageEvent<LayoutResponse>) => {
      if (event.data.id !== id) return;
      if ("error" in event.data) {
        console.warn("ELK layout failed; keeping the quick layout.", event.data.error);
        finish(null);
        return;
      }
      finish(new Map(event.data.positions.map(([nodeId, x, y]) => [nodeId, { x, y }])));
    };
    worker.onerror = (event) => {
      console.warn("ELK layout worker crashed; keeping the quick layout.", event.message);
      finish(null);
    };
    const request: LayoutRequest = {
      id,
      nodes: model.nodes.map((node) => ({ id: node.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
      edges: model.edges.map((edge) => ({ source: edge.source, target: edge.target })),
    };
    worker.postMessage(request);
  });
}
