import { useEffect, useRef } from "react";
import { useStore } from "@xyflow/react";
import type { Layer, NodeStatusDto } from "../../api";
import { NODE_HEIGHT, NODE_WIDTH } from "./graphModel";

export interface OverviewNode {
  id: string;
  /** Drawn once the zoom makes text legible. */
  name: string;
  meta: string;
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

/** Below this zoom a big graph is drawn by this canvas instead of as hundreds of DOM nodes: at
 * 0.35 a 1,000-node graph still put ~500 nodes in the DOM and zooming dropped to 33 fps with a
 * 383 ms frame on the switch (bench/studio). The canvas draws the labels from LABEL_ZOOM up, so
 * the switch is not seen. */
export const OVERVIEW_ZOOM = 0.5;
/** From this zoom the canvas writes names (12 px type is 4 px on screen here). */
export const LABEL_ZOOM = 0.35;
const NAME_FONT_PX = 12;
const META_FONT_PX = 11;
/** Left edge of the text inside a node, as in .lineage-node (5 px strip + padding). */
const TEXT_LEFT = 17;
const TEXT_RIGHT = 8;
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

/**
 * `text` cut with an ellipsis to fit `width` as measured by `measure`; cached by the caller, since
 * both are in flow units and so do not change with the zoom.
 */
export function fitText(text: string, width: number, measure: (text: string) => number): string {
  if (measure(text) <= width) return text;
  let low = 0;
  let high = text.length;
  // Longest prefix that fits with the ellipsis.
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (measure(`${text.slice(0, middle)}…`) <= width) low = middle;
    else high = middle - 1;
  }
  return low === 0 ? "" : `${text.slice(0, low)}…`;
}

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
  // Names cut to the node width, per font: measuring costs more than drawing.
  const fitted = useRef(new Map<string, string>());
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
    const labels = zoom >= LABEL_ZOOM;
    const family = style.fontFamily || "sans-serif";
    const nameFont = `600 ${NAME_FONT_PX}px ${family}`;
    const metaFont = `${META_FONT_PX}px ${family}`;
    const textColor = color("--text", theme === "dark" ? "#e6e8eb" : "#1c1f24");
    const mutedColor = color("--text-muted", "#5d6470");
    const textWidth = NODE_WIDTH - TEXT_LEFT - TEXT_RIGHT;
    const fit = (text: string, font: string): string => {
      const key = `${font}\u0000${text}`;
      let cut = fitted.current.get(key);
      if (cut === undefined) {
        context.font = font;
        cut = fitText(text, textWidth, (candidate) => context.measureText(candidate).width);
        fitted.current.set(key, cut);
      }
      return cut;
    };
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
      // The layer strip is drawn wider than the DOM's 5 px when it is all one can see of a node.
      context.fillRect(node.x, node.y, labels ? 5 : 14, NODE_HEIGHT);
      context.strokeStyle = ring ?? plain;
      context.lineWidth = (ringVar ? 3 : 1) / zoom;
      context.strokeRect(node.x, node.y, NODE_WIDTH, NODE_HEIGHT);
      if (labels) {
        context.textBaseline = "alphabetic";
        context.font = nameFont;
        context.fillStyle = textColor;
        context.fillText(fit(node.name, nameFont), node.x + TEXT_LEFT, node.y + 20);
        context.font = metaFont;
        context.fillStyle = mutedColor;
        context.fillText(fit(node.meta, metaFont), node.x + TEXT_LEFT, node.y + 34);
      }
    }
    // How many nodes are on screen, for tests and benchmarks (the canvas has no DOM per node).
    element.dataset.drawn = String(drawn);
  }, [nodes, edges, transform, width, height, theme]);

  return <canvas ref={canvas} className="lineage-overview" style={{ width, height }} aria-hidden="true" />;
}
