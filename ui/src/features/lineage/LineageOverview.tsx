import { useEffect, useRef } from "react";
import { useStore } from "@xyflow/react";
import type { Layer, NodeStatusDto } from "../../api";
import { NODE_HEIGHT, NODE_WIDTH } from "./graphModel";

export interface OverviewNode {
  id: string;
  x: number;
  y: number;
  layer: Layer;
  status: NodeStatusDto | null;
  selected: boolean;
}

export interface OverviewEdge {
  source: string;
  target: string;
  unsaved?: boolean;
}

/** Below this zoom a big graph is drawn by this canvas instead of as thousands of DOM nodes. */
export const OVERVIEW_ZOOM = 0.35;
/** Graphs with more nodes than this switch to the canvas overview when zoomed out: at 600 nodes as
 * DOM, pan and zoom already drop to 28–36 fps (bench/studio). */
export const OVERVIEW_MIN_NODES = 300;

const STATUS_VAR: Partial<Record<NodeStatusDto, string>> = {
  error: "--danger",
  fail: "--danger",
  warn: "--warning",
  stale: "--warning",
  skipped: "--text-muted",
};

/** Finds the node under a point given in flow coordinates (for clicks on the overview). */
export function nodeAt(nodes: readonly OverviewNode[], x: number, y: number): OverviewNode | null {
  for (let index = nodes.length - 1; index >= 0; index -= 1) {
    const node = nodes[index];
    if (node && x >= node.x && x <= node.x + NODE_WIDTH && y >= node.y && y <= node.y + NODE_HEIGHT) return node;
  }
  return null;
}

/**
 * The zoomed-out lineage of a big project on one canvas: at these zooms labels are unreadable and
 * ~2,000 DOM nodes plus their SVG edges cost the browser 0.1–0.6 s a frame to restyle and lay out
 * (bench/studio), while a canvas redraws 5,000 boxes and their edges in a few milliseconds. It
 * follows xyflow's viewport, so pan and zoom stay xyflow's; zooming back in returns to DOM nodes.
 */
export function LineageOverview({ nodes, edges, theme }: { nodes: readonly OverviewNode[]; edges: readonly OverviewEdge[]; theme: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const transform = useStore((store) => store.transform);
  const width = useStore((store) => store.width);
  const height = useStore((store) => store.height);

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext("2d");
    if (!element || !context) return;
    const ratio = window.devicePixelRatio || 1;
    if (element.width !== Math.round(width * ratio) || element.height !== Math.round(height * ratio)) {
      element.width = Math.round(width * ratio);
      element.height = Math.round(height * ratio);
    }
    const style = getComputedStyle(element);
    const color = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    const [tx, ty, zoom] = transform;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    context.setTransform(ratio * zoom, 0, 0, ratio * zoom, ratio * tx, ratio * ty);

    // Only what is on screen is drawn; the rest costs one comparison per node.
    const left = -tx / zoom - NODE_WIDTH;
    const top = -ty / zoom - NODE_HEIGHT;
    const right = (width - tx) / zoom;
    const bottom = (height - ty) / zoom;
    const positions = new Map<string, OverviewNode>();
    for (const node of nodes) positions.set(node.id, node);

    context.lineWidth = 1 / zoom;
    const drawEdges = (unsaved: boolean) => {
      context.beginPath();
      for (const edge of edges) {
        if (Boolean(edge.unsaved) !== unsaved) continue;
        const from = positions.get(edge.source);
        const to = positions.get(edge.target);
        if (!from || !to) continue;
        const x1 = from.x + NODE_WIDTH;
        const y1 = from.y + NODE_HEIGHT / 2;
        const x2 = to.x;
        const y2 = to.y + NODE_HEIGHT / 2;
        if (Math.max(x1, x2) < left || Math.min(x1, x2) > right || Math.max(y1, y2) < top || Math.min(y1, y2) > bottom) continue;
        context.moveTo(x1, y1);
        const bend = Math.max(40, (x2 - x1) / 2);
        context.bezierCurveTo(x1 + bend, y1, x2 - bend, y2, x2, y2);
      }
      context.stroke();
    };
    context.strokeStyle = color("--border-strong", "#999");
    context.globalAlpha = 0.6;
    drawEdges(false);
    context.strokeStyle = color("--accent", "#e5622b");
    context.globalAlpha = 1;
    drawEdges(true);

    // CSS variables are read once a frame, not once a node.
    const surface = color("--bg-elevated", theme === "dark" ? "#1f2125" : "#ffffff");
    const plain = color("--border", "#ccc");
    const layerColors = new Map<string, string>();
    const ringColors = new Map<string, string>();
    let drawn = 0;
    for (const node of nodes) {
      if (node.x < left || node.x > right || node.y < top || node.y > bottom) continue;
      drawn += 1;
      let layer = layerColors.get(node.layer);
      if (layer === undefined) {
        layer = color(`--layer-${node.layer}`, "#888");
        layerColors.set(node.layer, layer);
      }
      const ringVar = node.selected ? "--accent" : node.status ? STATUS_VAR[node.status] : undefined;
      let ring = ringVar ? ringColors.get(ringVar) : plain;
      if (ring === undefined && ringVar) {
        ring = color(ringVar, "#e5622b");
        ringColors.set(ringVar, ring);
      }
      context.fillStyle = surface;
      context.fillRect(node.x, node.y, NODE_WIDTH, NODE_HEIGHT);
      context.fillStyle = layer;
      context.fillRect(node.x, node.y, 14, NODE_HEIGHT);
      context.strokeStyle = ring ?? plain;
      context.lineWidth = (ringVar ? 3 : 1) / zoom;
      context.strokeRect(node.x, node.y, NODE_WIDTH, NODE_HEIGHT);
    }
    // How many nodes are on screen, for tests and benchmarks (the canvas has no DOM per node).
    element.dataset.drawn = String(drawn);
  }, [nodes, edges, transform, width, height, theme]);

  return <canvas ref={canvas} className="lineage-overview" style={{ width, height }} aria-hidden="true" />;
}
