import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from "react";
import {
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
  useStore,
  useStoreApi,
  Position,
  type Edge,
  type NodeHandle,
  type NodeMouseHandler,
  type OnNodesChange,
} from "@xyflow/react";
import type { ApplyEditRequest, FileChangeDto, GraphNodeDto, Layer, RunCommand } from "../../api";
import { useBuffersVersion, useStudio, useStudioInstance } from "../../app/useStudio";
import { useResolvedTheme } from "../../app/useTheme";
import { Button, EmptyState, Icon, Modal, Spinner } from "../../shared/ui";
import { useThrottledValue } from "../../shared/useThrottledValue";
import { graphSelector } from "../runs/selector";
import { EditPreview } from "./EditPreview";
import { ELK_NODE_LIMIT, layoutWithElk } from "./elkLayout";
import { LAYER_LABELS, NODE_HEIGHT, NODE_WIDTH, READABLE_ZOOM, buildLineage, initialViewport, nodeBounds, overlayUnsaved, selectorName, type UnsavedDependencies } from "./graphModel";
import { LineageNode, type KilnFlowNode } from "./LineageNode";
import { LABEL_ZOOM, LineageOverview, OVERVIEW_MIN_NODES, OVERVIEW_ZOOM, nodeAt, type OverviewEdge, type OverviewNode } from "./LineageOverview";

const NODE_TYPES = { kiln: LineageNode };
const NO_NODES: KilnFlowNode[] = [];
/**
 * Where LineageNode's two handles sit (measured in the DOM at zoom 1). Without them xyflow renders
 * every node once to measure it before it culls: 1,004 nodes in one frame (~300 ms) each time a big
 * graph comes back from the canvas overview.
 */
const NODE_HANDLES: NodeHandle[] = [
  { type: "target", position: Position.Left, x: 2, y: NODE_HEIGHT / 2 - 3, width: 6, height: 6 },
  { type: "source", position: Position.Right, x: NODE_WIDTH - 4, y: NODE_HEIGHT / 2 - 3, width: 6, height: 6 },
];
const NO_EDGES: Edge[] = [];
const MIN_ZOOM = 0.02;
// Props handed to ReactFlow must keep their identity: a new object per render makes xyflow
// update its store, which re-runs a selector per node and edge.
const PRO_OPTIONS = { hideAttribution: true };
const MULTI_SELECT_KEYS = ["Control", "Meta"];
const miniMapColor = (node: KilnFlowNode) => `var(--layer-${node.data.dto.layer})`;
const LEGEND: Layer[] = ["source", "seed", "staging", "intermediate", "marts", "exposure", "test"];

export function LineageView() {
  return (
    <ReactFlowProvider>
      <LineageCanvas />
    </ReactFlowProvider>
  );
}

interface MenuState {
  x: number;
  y: number;
  node: GraphNodeDto;
}

function LineageCanvas() {
  const studio = useStudioInstance();
  const graph = useStudio((state) => state.graph);
  const graphError = useStudio((state) => state.graphError);
  const graphSize = useStudio((state) => state.graph?.nodes.length ?? 0);
  // On big graphs, statuses from a streaming build land a few times a second rather than per event.
  const statusInterval = graphSize > 1000 ? 500 : 0;
  const liveStatus = useThrottledValue(
    useStudio((state) => state.liveStatus),
    statusInterval,
  );
  const run = useThrottledValue(
    useStudio((state) => state.run),
    statusInterval,
  );
  const focusId = useStudio((state) => state.lineageFocus);
  // What the selector box selects (the engine's answer), highlighted before anything runs.
  const preview = useStudio((state) => state.selectionPreview);
  const picked = preview && !preview.error ? preview.ids : null;
  const project = useStudio((state) => state.project);
  const theme = useResolvedTheme();
  const flow = useReactFlow();
  const flowStore = useStoreApi();
  const mode = useStudio((state) => state.lineageMode);
  const setMode = (next: "project" | "focus") => studio.setLineageMode(next);
  const buffersVersion = useBuffersVersion();
  const [depth, setDepth] = useState(2);
  // Tests outnumber models several to one in a real project (138 of 163 TICKIT nodes) and would
  // shrink the whole-project view to unreadable boxes; they are one click away.
  const [includeTests, setIncludeTests] = useState(false);
  const [menu, setMenu] = useState<MenuState | null>(null);
  const menuRef = useRef<MenuState | null>(null);
  menuRef.current = menu;
  const [selectedIds, setSelectedIds] = useState<ReadonlySet<string>>(() => new Set());
  const [newModelOpen, setNewModelOpen] = useState(false);
  const [refined, setRefined] = useState<{ key: string; positions: Map<string, { x: number; y: number }> } | null>(null);
  const [layingOut, setLayingOut] = useState(false);
  const wrapper = useRef<HTMLDivElement>(null);

  const effectiveFocus = mode === "focus" && focusId && graph?.nodes.some((node) => node.id === focusId) ? focusId : null;
  // Unsaved edits redraw their node's inputs as the editor compiles them, before Ctrl+S.
  const compiled = useStudio((state) => state.compiled);
  const unsaved = useMemo(() => {
    const dirty = new Set(studio.buffers.dirtyPaths());
    const edits: UnsavedDependencies[] = [];
    for (const [path, result] of Object.entries(compiled)) {
      if (dirty.has(path) && result.uniqueId && result.diagnostics.every((diagnostic) => diagnostic.severity !== "error")) {
        edits.push({ id: result.uniqueId, dependsOn: result.dependsOn });
      }
    }
    return graph ? overlayUnsaved(graph, edits) : null;
  }, [studio, graph, compiled, buffersVersion]);
  const model = useMemo(
    () => (unsaved ? buildLineage(unsaved.graph, { focus: effectiveFocus, depth, includeTests, unsavedEdges: unsaved.unsavedEdges }) : null),
    [unsaved, effectiveFocus, depth, includeTests],
  );
  const layoutKey = useMemo(
    () => (model ? `${model.nodes.length}:${model.edges.length}:${effectiveFocus}:${depth}:${includeTests}:${model.nodes.map((node) => node.id).join(",").length}` : ""),
    [model, effectiveFocus, depth, includeTests],
  );

  useEffect(() => {
    if (!model) return undefined;
    const controller = new AbortController();
    setLayingOut(model.nodes.length <= ELK_NODE_LIMIT && model.nodes.length > 0);
    layoutWithElk(model, controller.signal)
      .then((positions) => {
        if (positions) setRefined({ key: layoutKey, positions });
      })
      .finally(() => !controller.signal.aborted && setLayingOut(false));
    return () => controller.abort();
  }, [model, layoutKey]);

  const runningIds = useMemo(() => {
    const ids = new Set<string>();
    if (run?.status === "running") for (const node of run.nodes) if (node.status === "running") ids.add(node.uniqueId);
    return ids;
  }, [run]);

  // Models with unsaved edits are stale: what the warehouse holds no longer matches the file.
  const dirtyPaths = useMemo(() => new Set(studio.buffers.dirtyPaths()), [studio, buffersVersion]);

  // Node objects are reused when nothing about them changed: xyflow then skips re-adopting them
  // and the memoised node component skips re-rendering, which keeps a 5,000-node graph fluid
  // while a build streams a status change per node.
  const previousNodes = useRef(new Map<string, KilnFlowNode>());
  const selectedIdsRef = useRef(selectedIds);
  selectedIdsRef.current = selectedIds;
  const nodes: KilnFlowNode[] = useMemo(() => {
    if (!model) return [];
    const positions = refined?.key === layoutKey ? refined.positions : null;
    const next = new Map<string, KilnFlowNode>();
    const result = model.nodes.map((node) => {
      const position = positions?.get(node.id) ?? { x: node.x, y: node.y };
      const status = dirtyPaths.has(node.dto.path) && node.dto.resourceType === "model" ? "stale" : (liveStatus.get(node.id) ?? node.status);
      const running = runningIds.has(node.id);
      const selected = selectedIds.has(node.id);
      const isPicked = picked ? picked.has(node.id) : null;
      const previous = previousNodes.current.get(node.id);
      const unchanged =
        previous !== undefined &&
        previous.data.dto === node.dto &&
        previous.position.x === position.x &&
        previous.position.y === position.y &&
        previous.data.status === status &&
        previous.data.running === running &&
        previous.data.focused === node.focused &&
        previous.data.picked === isPicked &&
        previous.selected === selected;
      const flowNode: KilnFlowNode = unchanged
        ? previous
        : {
            id: node.id,
            type: "kiln",
            position,
            // Known sizes let xyflow cull and draw the minimap before the DOM is measured.
            width: NODE_WIDTH,
            height: NODE_HEIGHT,
            handles: NODE_HANDLES,
            data: { dto: node.dto, status, focused: node.focused, running, picked: isPicked },
            selected,
          };
      next.set(node.id, flowNode);
      return flowNode;
    });
    previousNodes.current = next;
    return result;
  }, [model, refined, layoutKey, liveStatus, runningIds, selectedIds, dirtyPaths, picked]);
  const pickedInView = useMemo(() => (picked && model ? model.nodes.filter((node) => picked.has(node.id)).length : null), [picked, model]);

  // Esc closes the context menu, then clears the selection (unless a field or editor has the key).
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest("input, textarea, select, [contenteditable='true'], .cm-editor, [role='dialog']")) return;
      if (menuRef.current) setMenu(null);
      else if (selectedIdsRef.current.size > 0) setSelectedIds(new Set());
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  const selection = useMemo(() => (model ? model.nodes.filter((node) => selectedIds.has(node.id)).map((node) => node.dto) : []), [model, selectedIds]);

  const edges: Edge[] = useMemo(
    () =>
      (model?.edges ?? []).map((edge) => ({
        id: edge.id,
        source: edge.source,
        target: edge.target,
        className: edge.unsaved ? "edge-unsaved" : edge.target.startsWith("test.") ? "edge-test" : undefined,
      })),
    [model],
  );

  // Fit once per structure change (new layout), not on every status update of a running build.
  // The fit never goes below a readable zoom: a graph too big for the screen opens on its upstream
  // end (or on the focused node) at that zoom instead of as a field of tiny boxes.
  const empty = nodes.length === 0;
  const nodesRef = useRef(nodes);
  nodesRef.current = nodes;
  useEffect(() => {
    if (empty) return undefined;
    const handle = requestAnimationFrame(() => {
      const bounds = nodeBounds(nodesRef.current.map((node) => node.position));
      const { width, height } = flowStore.getState();
      if (!bounds || width === 0 || height === 0) return;
      // The top node of the upstream (leftmost) column: where a graph too big to fit opens.
      let anchor: { x: number; y: number } | undefined;
      for (const node of nodesRef.current) {
        const { x, y } = node.position;
        if (!anchor || x < anchor.x || (x === anchor.x && y < anchor.y)) anchor = { x, y };
      }
      const view = initialViewport(bounds, { width, height }, { anchor });
      const focused = view.clipped && effectiveFocus ? nodesRef.current.find((node) => node.id === effectiveFocus) : undefined;
      if (focused) void flow.setCenter(focused.position.x + NODE_WIDTH / 2, focused.position.y + NODE_HEIGHT / 2, { zoom: view.zoom });
      else void flow.setViewport({ x: view.x, y: view.y, zoom: view.zoom });
    });
    return () => cancelAnimationFrame(handle);
    // Status updates must not move the camera, so only the layout identity triggers a fit.
  }, [layoutKey, refined?.key, flow, flowStore, empty]);

  // Below this zoom labels are unreadable anyway; dropping them keeps painting thousands of nodes cheap.
  const compact = useStore((store) => store.transform[2] < LABEL_ZOOM);
  const zoomedOut = useStore((store) => store.transform[2] < OVERVIEW_ZOOM);
  // A big graph zoomed out is drawn on a canvas (LineageOverview) and xyflow gets no nodes at all.
  // Set by fitAll: switch to the canvas first, move the camera in the next effect (see fitAll).
  const [overviewFirst, setOverviewFirst] = useState<{ x: number; y: number; zoom: number } | null>(null);
  const overview = nodes.length > OVERVIEW_MIN_NODES && (zoomedOut || overviewFirst !== null);
  useEffect(() => {
    if (!overviewFirst) return;
    void flow.setViewport(overviewFirst);
    setOverviewFirst(null);
  }, [overviewFirst, flow]);
  const overviewNodes: OverviewNode[] = useMemo(
    () =>
      nodes.length > OVERVIEW_MIN_NODES
        ? nodes.map((node) => ({
            id: node.id,
            name: node.data.dto.name,
            meta: `${LAYER_LABELS[node.data.dto.layer]}${node.data.dto.materialized ? ` · ${node.data.dto.materialized}` : ""}`,
            x: node.position.x,
            y: node.position.y,
            layer: node.data.dto.layer,
            status: node.data.status,
            selected: node.selected ?? false,
          }))
        : [],
    [nodes],
  );
  const overviewEdges: OverviewEdge[] = useMemo(() => (nodes.length > OVERVIEW_MIN_NODES ? (model?.edges ?? []) : []), [nodes.length, model]);

  // The whole project, however small that makes it: the canvas overview keeps it cheap.
  const fitAll = useCallback(() => {
    const bounds = nodeBounds(nodesRef.current.map((node) => node.position));
    const { width, height } = flowStore.getState();
    if (!bounds || width === 0 || height === 0) return;
    const view = initialViewport(bounds, { width, height }, { minZoom: MIN_ZOOM });
    const target = { x: view.x, y: view.y, zoom: view.zoom };
    // Moving the camera first would have xyflow paint every node as DOM at the tiny zoom for a
    // frame (1.9 s at 5,000 nodes) before the overview replaces them; hand it no nodes first.
    if (nodesRef.current.length > OVERVIEW_MIN_NODES && view.zoom < OVERVIEW_ZOOM) setOverviewFirst(target);
    else void flow.setViewport(target);
  }, [flow, flowStore]);

  // In the overview a click zooms into the node under it, back to readable boxes.
  const onPaneClick = useCallback(
    (event: ReactMouseEvent) => {
      setMenu(null);
      if (!overview) return;
      const point = flow.screenToFlowPosition({ x: event.clientX, y: event.clientY });
      const hit = nodeAt(overviewNodes, point.x, point.y);
      if (hit) void flow.setCenter(hit.x + NODE_WIDTH / 2, hit.y + NODE_HEIGHT / 2, { zoom: READABLE_ZOOM });
    },
    [overview, overviewNodes, flow],
  );

  // A click selects (xyflow reports it through onNodesChange; modifier clicks add to the selection
  // for "New model from selection"); a double click opens the node's file.
  const onNodeClick: NodeMouseHandler<KilnFlowNode> = useCallback(() => setMenu(null), []);
  const onNodeDoubleClick: NodeMouseHandler<KilnFlowNode> = useCallback(
    (_event, node) => {
      setMenu(null);
      if (node.data.dto.path) void studio.openFile(node.data.dto.path);
      else if (node.data.dto.resourceType === "stream") studio.showStreams();
    },
    [studio],
  );

  const onNodeContextMenu: NodeMouseHandler<KilnFlowNode> = useCallback((event, node) => {
    event.preventDefault();
    const bounds = wrapper.current?.getBoundingClientRect();
    setMenu({ x: event.clientX - (bounds?.left ?? 0), y: event.clientY - (bounds?.top ?? 0), node: node.data.dto });
  }, []);

  // Nodes are controlled, so selection arrives as "select" changes that we apply ourselves;
  // positions stay ours (dragging is cosmetic and not persisted).
  const onNodesChange: OnNodesChange<KilnFlowNode> = useCallback((changes) => {
    let next: Set<string> | null = null;
    for (const change of changes) {
      if (change.type !== "select") continue;
      next ??= new Set(selectedIdsRef.current);
      if (change.selected) next.add(change.id);
      else next.delete(change.id);
    }
    if (next) setSelectedIds(next);
  }, []);

  const runOn = (command: RunCommand, selector: string) => {
    setMenu(null);
    studio.setSelectorText(selector);
    void studio.startRun(command, selector);
  };

  if (graphError && !graph) {
    return (
      <EmptyState title="The project graph could not be built" action={<Button onClick={() => void studio.refreshGraph()}>Try again</Button>}>
        {graphError.code}: {graphError.message}
        {graphError.hint ? ` — ${graphError.hint}` : ""}
      </EmptyState>
    );
  }
  if (!graph || !model) {
    return (
      <div className="center-fill">
        <Spinner label="Loading lineage" />
      </div>
    );
  }

  const upstreamCandidates = selection.filter((node) => ["model", "source", "seed", "snapshot"].includes(node.resourceType));
  const big = model.nodes.length > 1000;

  return (
    <div className={`lineage ${compact ? "lineage-compact" : ""}`} ref={wrapper}>
      <div className="lineage-toolbar">
        <div className="segmented" role="tablist" aria-label="Lineage scope">
          <button type="button" className={mode === "project" ? "active" : ""} onClick={() => setMode("project")}>
            Whole project
          </button>
          <button
            type="button"
            className={mode === "focus" ? "active" : ""}
            disabled={!focusId}
            title={focusId ? `Centred on ${focusId}` : "Open a model (or right-click a node → Focus) to centre the graph on it"}
            onClick={() => setMode("focus")}
          >
            Around {focusId ? (graph.nodes.find((node) => node.id === focusId)?.name ?? "model") : "model"}
          </button>
        </div>
        {mode === "focus" && (
          <label className="inline-field">
            ±
            <select className="input input-sm" value={depth} onChange={(event) => setDepth(Number(event.target.value))} aria-label="Levels up and down">
              {[1, 2, 3, 4, 5, 8].map((value) => (
                <option key={value} value={value}>
                  {value} level{value === 1 ? "" : "s"}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="checkbox">
          <input type="checkbox" checked={includeTests} onChange={(event) => setIncludeTests(event.target.checked)} />
          Tests
        </label>
        <span className="lineage-count">
          {model.nodes.length.toLocaleString()} nodes · {model.edges.length.toLocaleString()} edges
          {layingOut && " · arranging…"}
          {model.cyclic.length > 0 && <span className="pill pill-danger">{model.cyclic.length} on a cycle</span>}
        </span>
        {pickedInView !== null && (
          <span className="lineage-highlight" data-testid="lineage-highlight-count" data-count={pickedInView} title={`Highlighted: what "${preview?.text ?? ""}" selects`}>
            {pickedInView.toLocaleString()} highlighted
          </span>
        )}
        <span className="spacer" />
        <Button
          size="sm"
          variant={upstreamCandidates.length > 0 ? "primary" : "secondary"}
          icon={<Icon name="plus" size={14} />}
          disabled={upstreamCandidates.length === 0}
          title="Ctrl-click (or Shift-drag) nodes to pick the upstream models and sources, then create a model that selects from them"
          onClick={() => setNewModelOpen(true)}
        >
          New model from selection{upstreamCandidates.length > 0 ? ` (${upstreamCandidates.length})` : ""}
        </Button>
      </div>
      {model.nodes.length === 0 ? (
        <EmptyState title="No nodes to show">
          {project?.name ?? "This project"} has no models, sources or seeds yet. Add a model under models/ and it appears here.
        </EmptyState>
      ) : (
        <ReactFlow
          nodes={overview ? NO_NODES : nodes}
          edges={overview ? NO_EDGES : edges}
          nodeTypes={NODE_TYPES}
          onNodeClick={onNodeClick}
          onNodeDoubleClick={onNodeDoubleClick}
          zoomOnDoubleClick={false}
          onNodeContextMenu={onNodeContextMenu}
          onNodesChange={onNodesChange}
          onPaneClick={onPaneClick}
          onlyRenderVisibleElements
          nodesDraggable={!big}
          nodesConnectable={false}
          elementsSelectable
          selectionKeyCode="Shift"
          multiSelectionKeyCode={MULTI_SELECT_KEYS}
          minZoom={MIN_ZOOM}
          maxZoom={2}
          colorMode={theme}
          proOptions={PRO_OPTIONS}
        >
          <Background gap={24} size={1} />
          {overview && <LineageOverview nodes={overviewNodes} edges={overviewEdges} theme={theme} />}
          {/* Our own fit: xyflow's would first paint every node as DOM at the tiny zoom (1.9 s at
              5,000 nodes) before the canvas overview takes over. */}
          <Controls showInteractive={false} showFitView={false}>
            <ControlButton className="react-flow__controls-fitview" onClick={fitAll} title="Fit the whole project" aria-label="Fit view">
              <Icon name="fit" size={12} />
            </ControlButton>
          </Controls>
          {!big && <MiniMap pannable zoomable nodeColor={miniMapColor} />}
        </ReactFlow>
      )}
      <div className="lineage-legend" aria-label="Layer colours">
        {LEGEND.map((layer) => (
          <span key={layer} className={`legend-item layer-${layer}`}>
            <span className="legend-swatch" />
            {LAYER_LABELS[layer]}
          </span>
        ))}
      </div>
      {menu && (
        <div className="context-menu" style={{ left: menu.x, top: menu.y }} role="menu" onMouseLeave={() => setMenu(null)}>
          <div className="menu-caption">{menu.node.name}</div>
          {menu.node.path && (
            <button type="button" role="menuitem" className="menu-item" onClick={() => (setMenu(null), void studio.openFile(menu.node.path))}>
              Open file
            </button>
          )}
          {menu.node.resourceType === "model" && menu.node.path.endsWith(".sql") && (
            <button type="button" role="menuitem" className="menu-item" data-testid="lineage-open-canvas" onClick={() => (setMenu(null), studio.openCanvas(menu.node.path))}>
              Open in canvas
            </button>
          )}
          {menu.node.resourceType === "stream" && (
            <button type="button" role="menuitem" className="menu-item" onClick={() => (setMenu(null), studio.showStreams())}>
              Open in the stream console
            </button>
          )}
          {menu.node.resourceType !== "test" && menu.node.resourceType !== "stream" && (
            <>
              <button type="button" role="menuitem" className="menu-item" onClick={() => runOn("run", graphSelector("upstream", selectorName(menu.node)))}>
                Run <code>+{menu.node.name}</code> (with parents)
              </button>
              <button type="button" role="menuitem" className="menu-item" onClick={() => runOn("run", graphSelector("downstream", selectorName(menu.node)))}>
                Run <code>{menu.node.name}+</code> (with children)
              </button>
              <button type="button" role="menuitem" className="menu-item" onClick={() => runOn("test", selectorName(menu.node))}>
                Test {menu.node.name}
              </button>
              <button type="button" role="menuitem" className="menu-item" onClick={() => runOn("build", selectorName(menu.node))}>
                Build {menu.node.name}
              </button>
            </>
          )}
          {menu.node.resourceType === "test" && (
            <button type="button" role="menuitem" className="menu-item" onClick={() => runOn("test", menu.node.name)}>
              Run this test
            </button>
          )}
          <div className="menu-separator" />
          {(menu.node.resourceType === "model" || menu.node.resourceType === "seed") && project && (
            <button
              type="button"
              role="menuitem"
              className="menu-item"
              onClick={() => {
                setMenu(null);
                studio.querySql(`select * from ${project.schema}.${menu.node.name} limit 1000`);
              }}
            >
              Query its rows
            </button>
          )}
          {menu.node.resourceType !== "stream" && (
            <button type="button" role="menuitem" className="menu-item" onClick={() => (setMenu(null), studio.showDocs(menu.node.id))}>
              Show docs
            </button>
          )}
          <button
            type="button"
            role="menuitem"
            className="menu-item"
            onClick={() => {
              setMenu(null);
              studio.showLineage(menu.node.id);
            }}
          >
            Centre the graph here
          </button>
        </div>
      )}
      {newModelOpen && (
        <NewModelDialog
          upstream={upstreamCandidates}
          onClose={() => setNewModelOpen(false)}
          onCreated={(changes) => {
            setNewModelOpen(false);
            const created = changes.find((change) => change.before === null && change.path.endsWith(".sql"));
            if (created) void studio.openFile(created.path);
          }}
        />
      )}
    </div>
  );
}

function suggestedDirectory(upstream: GraphNodeDto[]): string {
  const layers = new Set(upstream.map((node) => node.layer));
  if (layers.has("marts") || layers.has("intermediate")) return "models/marts";
  if (layers.has("staging")) return "models/intermediate";
  return "models/staging";
}

function NewModelDialog({ upstream, onClose, onCreated }: { upstream: GraphNodeDto[]; onClose: () => void; onCreated: (changes: FileChangeDto[]) => void }) {
  const [name, setName] = useState("new_model");
  const [directory, setDirectory] = useState(() => suggestedDirectory(upstream));
  const [request, setRequest] = useState<ApplyEditRequest | null>(null);
  const valid = /^[a-z_][a-z0-9_]*$/i.test(name) && directory.trim().length > 0;
  if (request) return <EditPreview title={`New model ${name}`} request={request} onClose={onClose} onCommitted={onCreated} />;
  const submit = () => valid && setRequest({ kind: "createModel", name, directory: directory.trim().replace(/\/$/, ""), upstream: upstream.map((node) => node.id) });
  return (
    <Modal
      title="New model from selection"
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" disabled={!valid} onClick={submit}>
            Preview files
          </Button>
        </>
      }
    >
      <label className="field">
        <span className="field-label">Model name</span>
        <input className="input" value={name} onChange={(event) => setName(event.target.value)} onKeyDown={(event) => event.key === "Enter" && submit()} />
      </label>
      <label className="field">
        <span className="field-label">Folder</span>
        <input className="input" value={directory} onChange={(event) => setDirectory(event.target.value)} />
      </label>
      <div className="field">
        <span className="field-label">Selects from</span>
        <ul className="chip-list">
          {upstream.map((node) => (
            <li key={node.id} className={`chip layer-${node.layer}`}>
              {node.name}
            </li>
          ))}
        </ul>
      </div>
      <p className="muted">The engine scaffolds a select with a ref() or source() per upstream node. You see the file before it is written.</p>
    </Modal>
  );
}
