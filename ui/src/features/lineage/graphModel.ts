import type { GraphDto, GraphNodeDto, Layer, NodeStatusDto } from "../../api";

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 44;
// Wide gutters between columns so edges fan out visibly and layers read as separate bands.
export const COLUMN_GAP = 120;
export const ROW_GAP = 18;
/**
 * The smallest zoom the view opens at: node names (13px) stay legible down to about here. A graph
 * that would need less to fit opens at this zoom on its upstream end and the user pans.
 */
export const READABLE_ZOOM = 0.6;

export interface LineageNode {
  id: string;
  dto: GraphNodeDto;
  /** Column: longest path from any root, so every edge points rightwards. */
  rank: number;
  /** Row within the column, after barycentre ordering. */
  order: number;
  x: number;
  y: number;
  status: NodeStatusDto | null;
  /** True for the node the view is centred on. */
  focused: boolean;
}

export interface LineageEdge {
  /** Drawn from an unsaved edit of the target's file, not from the saved project. */
  unsaved?: boolean;
  id: string;
  source: string;
  target: string;
}

export interface LineageModel {
  nodes: LineageNode[];
  edges: LineageEdge[];
  rankCount: number;
  /** Nodes that sit on a dependency cycle; the engine should have rejected them, so we flag them. */
  cyclic: string[];
}

export interface LineageOptions {
  /** Centre the view on this node and keep only nodes within `depth` steps up or down. */
  focus?: string | null;
  depth?: number;
  includeTests?: boolean;
  /** Live statuses (from a running build) that override the graph's last-run status. */
  statusOverrides?: ReadonlyMap<string, NodeStatusDto>;
  /** Rows per column before a wide layer wraps into another column; defaults from the node count. */
  maxRowsPerColumn?: number;
  /** `source->target` keys of edges drawn from unsaved edits (see overlayUnsaved). */
  unsavedEdges?: ReadonlySet<string>;
}

const LAYER_ORDER: Record<Layer, number> = {
  source: 0,
  seed: 1,
  staging: 2,
  intermediate: 3,
  marts: 4,
  exposure: 5,
  test: 6,
  other: 7,
};

/** Parent → children and child → parents adjacency, ignoring edges to unknown nodes. */
export function adjacency(graph: GraphDto): { children: Map<string, string[]>; parents: Map<string, string[]> } {
  const children = new Map<string, string[]>();
  const parents = new Map<string, string[]>();
  for (const node of graph.nodes) {
    children.set(node.id, []);
    parents.set(node.id, []);
  }
  for (const edge of graph.edges) {
    const out = children.get(edge.source);
    const into = parents.get(edge.target);
    if (!out || !into) continue;
    out.push(edge.target);
    into.push(edge.source);
  }
  return { children, parents };
}

/** Ids within `depth` steps upstream or downstream of `focus` (the focus itself included). */
export function neighbourhood(graph: GraphDto, focus: string, depth: number): Set<string> {
  const { children, parents } = adjacency(graph);
  const keep = new Set<string>();
  if (!children.has(focus)) return keep;
  keep.add(focus);
  for (const direction of [parents, children]) {
    let frontier = [focus];
    for (let step = 0; step < depth && frontier.length > 0; step += 1) {
      const next: string[] = [];
      for (const id of frontier) {
        for (const neighbour of direction.get(id) ?? []) {
          if (!keep.has(neighbour)) {
            keep.add(neighbour);
            next.push(neighbour);
          }
        }
      }
      frontier = next;
    }
  }
  // Tests of kept nodes are one step away but read as part of the node, so keep them too.
  for (const id of [...keep]) {
    for (const child of children.get(id) ?? []) {
      if (child.startsWith("test.")) keep.add(child);
    }
  }
  return keep;
}

/**
 * Turns the engine's GraphDto into positioned nodes and edges. This is the instant layout the
 * view paints first (O(V+E), fine at 5,000 nodes); the ELK worker may refine positions later.
 */
export function buildLineage(graph: GraphDto, options: LineageOptions = {}): LineageModel {
  const unsavedEdges = options.unsavedEdges;
  const includeTests = options.includeTests ?? true;
  let keep: Set<string> | null = null;
  if (options.focus) keep = neighbourhood(graph, options.focus, Math.max(0, options.depth ?? 2));
  const nodes = graph.nodes.filter(
    (node) => (keep === null || keep.has(node.id)) && (includeTests || node.resourceType !== "test"),
  );
  const ids = new Set(nodes.map((node) => node.id));
  const edges = graph.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target));
  const sub: GraphDto = { nodes, edges };
  const { children, parents } = adjacency(sub);

  // Kahn's algorithm assigns each node the longest-path rank from the roots.
  const rank = new Map<string, number>();
  const remaining = new Map<string, number>();
  const queue: string[] = [];
  for (const node of nodes) {
    const inDegree = parents.get(node.id)?.length ?? 0;
    remaining.set(node.id, inDegree);
    if (inDegree === 0) {
      queue.push(node.id);
      rank.set(node.id, 0);
    }
  }
  for (let head = 0; head < queue.length; head += 1) {
    const id = queue[head] as string;
    const current = rank.get(id) ?? 0;
    for (const child of children.get(id) ?? []) {
      rank.set(child, Math.max(rank.get(child) ?? 0, current + 1));
      const left = (remaining.get(child) ?? 0) - 1;
      remaining.set(child, left);
      if (left === 0) queue.push(child);
    }
  }
  const cyclic = nodes.filter((node) => (remaining.get(node.id) ?? 0) > 0).map((node) => node.id);
  let maxRank = 0;
  for (const value of rank.values()) maxRank = Math.max(maxRank, value);
  for (const id of cyclic) rank.set(id, maxRank + 1);

  // Tests hang off the node they test: pull them right next to their (last) parent instead of
  // the far right, which keeps big projects readable.
  for (const node of nodes) {
    if (node.resourceType !== "test") continue;
    const parentRanks = (parents.get(node.id) ?? []).map((parent) => rank.get(parent) ?? 0);
    if (parentRanks.length > 0) rank.set(node.id, Math.max(...parentRanks) + 1);
  }

  const columns = new Map<number, GraphNodeDto[]>();
  for (const node of nodes) {
    const column = rank.get(node.id) ?? 0;
    const list = columns.get(column);
    if (list) list.push(node);
    else columns.set(column, [node]);
  }
  const rankKeys = [...columns.keys()].sort((left, right) => left - right);
  const order = new Map<string, number>();
  for (const column of rankKeys) {
    const list = columns.get(column) ?? [];
    // One barycentre sweep: order by mean row of parents, then by layer and name for stability.
    const barycentre = (node: GraphNodeDto): number => {
      const rows = (parents.get(node.id) ?? []).map((parent) => order.get(parent)).filter((row): row is number => row !== undefined);
      return rows.length === 0 ? Number.POSITIVE_INFINITY : rows.reduce((sum, row) => sum + row, 0) / rows.length;
    };
    const keyed = list.map((node) => ({ node, centre: barycentre(node) }));
    keyed.sort(
      (left, right) =>
        compareNumbers(left.centre, right.centre) ||
        LAYER_ORDER[left.node.layer] - LAYER_ORDER[right.node.layer] ||
        left.node.name.localeCompare(right.node.name, undefined, { numeric: true }),
    );
    keyed.forEach((entry, row) => order.set(entry.node.id, row));
  }

  // Very wide layers (hundreds of staging models) would make a column tens of thousands of pixels
  // tall; wrap them into sub-columns so the whole graph keeps a screen-like aspect ratio.
  const maxRows = options.maxRowsPerColumn ?? Math.max(30, Math.ceil(Math.sqrt(nodes.length) * 1.6));
  const rowHeight = NODE_HEIGHT + ROW_GAP;
  const columnWidth = NODE_WIDTH + COLUMN_GAP;
  const layout = new Map<number, { firstColumn: number; rowsPerColumn: number; height: number }>();
  let nextColumn = 0;
  let tallest = 0;
  for (const column of rankKeys) {
    const size = columns.get(column)?.length ?? 0;
    const subColumns = Math.max(1, Math.ceil(size / maxRows));
    const rowsPerColumn = Math.ceil(size / subColumns);
    layout.set(column, { firstColumn: nextColumn, rowsPerColumn, height: rowsPerColumn });
    tallest = Math.max(tallest, rowsPerColumn);
    nextColumn += subColumns;
  }
  const positioned: LineageNode[] = nodes.map((node) => {
    const column = rank.get(node.id) ?? 0;
    const row = order.get(node.id) ?? 0;
    const place = layout.get(column) ?? { firstColumn: 0, rowsPerColumn: 1, height: 1 };
    const subColumn = Math.floor(row / place.rowsPerColumn);
    const rowInColumn = row - subColumn * place.rowsPerColumn;
    // Centre short columns against the tallest one so the graph reads as a band, not a staircase.
    const offset = ((tallest - place.height) * rowHeight) / 2;
    return {
      id: node.id,
      dto: node,
      rank: column,
      order: row,
      x: (place.firstColumn + subColumn) * columnWidth,
      y: offset + rowInColumn * rowHeight,
      status: options.statusOverrides?.get(node.id) ?? node.status,
      focused: node.id === options.focus,
    };
  });

  return {
    nodes: positioned,
    edges: edges.map((edge) => ({
      id: `${edge.source}->${edge.target}`,
      source: edge.source,
      target: edge.target,
      ...(unsavedEdges?.has(`${edge.source}->${edge.target}`) ? { unsaved: true } : {}),
    })),
    rankCount: rankKeys.length,
    cyclic,
  };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
  /** True when the graph did not fit at a readable zoom, so only part of it is on screen. */
  clipped: boolean;
}

/** Bounding box of nodes placed at `position` with the fixed node size; null when there are none. */
export function nodeBounds(positions: Iterable<{ x: number; y: number }>): Rect | null {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const { x, y } of positions) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + NODE_WIDTH);
    maxY = Math.max(maxY, y + NODE_HEIGHT);
  }
  if (!Number.isFinite(minX)) return null;
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/**
 * The camera for a freshly laid-out graph: fit it into `view`, but never below `minZoom` (tiny
 * boxes with unreadable labels help nobody) nor above `maxZoom`. Along an axis that fits, the graph
 * is centred; along one that does not, it starts at the top/left edge, where lineage begins — or
 * at `anchor` (the top node of the upstream column), because the quick layout centres columns
 * vertically and the corner of the bounds can be empty canvas.
 */
export function initialViewport(
  bounds: Rect,
  view: { width: number; height: number },
  options: { padding?: number; minZoom?: number; maxZoom?: number; anchor?: { x: number; y: number } } = {},
): Viewport {
  const padding = options.padding ?? 32;
  const minZoom = options.minZoom ?? READABLE_ZOOM;
  const maxZoom = options.maxZoom ?? 1;
  const room = { width: Math.max(1, view.width - 2 * padding), height: Math.max(1, view.height - 2 * padding) };
  const fit = Math.min(room.width / Math.max(1, bounds.width), room.height / Math.max(1, bounds.height));
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  const place = (start: number, extent: number, space: number, total: number, anchor: number | undefined): number =>
    extent * zoom <= space ? (total - extent * zoom) / 2 - start * zoom : padding - (anchor ?? start) * zoom;
  return {
    x: place(bounds.x, bounds.width, room.width, view.width, options.anchor?.x),
    y: place(bounds.y, bounds.height, room.height, view.height, options.anchor?.y),
    zoom,
    clipped: fit < minZoom,
  };
}

function compareNumbers(left: number, right: number): number {
  if (left === right) return 0;
  if (left === Number.POSITIVE_INFINITY) return 1;
  if (right === Number.POSITIVE_INFINITY) return -1;
  return left - right;
}

/** `source.<package>.<source_name>.<table>` → the two arguments of `source('…','…')`. */
export function sourceArguments(node: Pick<GraphNodeDto, "id" | "resourceType" | "name">): { source: string; table: string } | null {
  if (node.resourceType !== "source") return null;
  const parts = node.id.split(".");
  if (parts.length >= 4) {
    return { source: parts[parts.length - 2] as string, table: parts[parts.length - 1] as string };
  }
  const dot = node.name.indexOf(".");
  if (dot > 0) return { source: node.name.slice(0, dot), table: node.name.slice(dot + 1) };
  return null;
}

/** The dbt selector name of a node: model name for models, `source:src.table` for sources. */
export function selectorName(node: Pick<GraphNodeDto, "id" | "resourceType" | "name">): string {
  const source = sourceArguments(node);
  if (source) return `source:${source.source}.${source.table}`;
  if (node.resourceType === "exposure") return `exposure:${node.name}`;
  return node.name;
}

export const LAYER_LABELS: Record<Layer, string> = {
  source: "Source",
  seed: "Seed",
  staging: "Staging",
  intermediate: "Intermediate",
  marts: "Mart",
  exposure: "Exposure",
  test: "Test",
  other: "Other",
};

/** What an unsaved editor buffer says a node depends on (from compileModel as the user types). */
export interface UnsavedDependencies {
  id: string;
  dependsOn: readonly string[];
}

/**
 * The saved graph with the edges into each edited node replaced by what its unsaved text refers
 * to, so the lineage follows typing before Ctrl+S. Returns the graph unchanged when nothing
 * differs, and the `source->target` keys of edges that exist only in the edit.
 */
export function overlayUnsaved(graph: GraphDto, edits: readonly UnsavedDependencies[]): { graph: GraphDto; unsavedEdges: Set<string> } {
  const known = new Set(graph.nodes.map((node) => node.id));
  const replaced = new Map<string, string[]>();
  for (const edit of edits) {
    if (!known.has(edit.id)) continue;
    const saved = graph.edges.filter((edge) => edge.target === edit.id).map((edge) => edge.source);
    const next = [...new Set(edit.dependsOn.filter((id) => known.has(id)))];
    const same = saved.length === next.length && saved.every((id) => next.includes(id));
    if (!same) replaced.set(edit.id, next);
  }
  const unsavedEdges = new Set<string>();
  if (replaced.size === 0) return { graph, unsavedEdges };
  const edges = graph.edges.filter((edge) => !replaced.has(edge.target));
  for (const [target, sources] of replaced) {
    const saved = new Set(graph.edges.filter((edge) => edge.target === target).map((edge) => edge.source));
    for (const source of sources) {
      edges.push({ source, target });
      if (!saved.has(source)) unsavedEdges.add(`${source}->${target}`);
    }
  }
  return { graph: { nodes: graph.nodes, edges }, unsavedEdges };
}
