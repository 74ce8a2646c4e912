import { useBuffersVersion, useStudio, useStudioInstance } from "./useStudio";
import { isDirty } from "../features/editor/buffers";
import { ModelEditor } from "../features/editor/ModelEditor";
import { LineageView } from "../features/lineage/LineageView";
import { QueryConsole } from "../features/query/QueryConsole";
import { DocsView } from "../features/docs/DocsView";
import { StreamsView } from "../features/streams/StreamsView";
import { CanvasView, useCanvasDirty } from "../features/canvas";
import { Icon } from "../shared/ui";
import type { TabKind } from "./studio/state";
import { Suspense } from "react";
import { preloadable, whenIdle } from "../shared/preloadable";

// Dashboards bring ECharts and Leaflet: a chunk of their own, fetched once the studio is idle so
// that the first dashboard opened does not wait for it.
const dashboards = preloadable(() => import("../features/dashboards/DashboardView").then((module) => module.DashboardView));
whenIdle(() => void dashboards.preload());

const TAB_ICONS: Record<TabKind, string> = { lineage: "graph", query: "database", docs: "docs", file: "file", dashboard: "dashboard", streams: "stream", canvas: "stage" };

export function Workspace() {
  const studio = useStudioInstance();
  const tabs = useStudio((state) => state.tabs);
  const activeTabId = useStudio((state) => state.activeTabId);
  const projectRoot = useStudio((state) => state.project?.root ?? "");
  useBuffersVersion();
  const canvasDirty = useCanvasDirty(studio);
  const active = tabs.find((tab) => tab.id === activeTabId);

  return (
    <div className="workspace-main">
      <div className="tab-strip" role="tablist">
        {tabs.map((tab) => {
          const buffer = tab.path && tab.kind !== "canvas" ? studio.buffers.get(tab.path) : undefined;
          const dirty = tab.kind === "canvas" ? canvasDirty(tab.path ?? "") : buffer ? isDirty(buffer) : false;
          const closable = tab.kind === "file" || tab.kind === "docs" || tab.kind === "dashboard" || tab.kind === "streams" || tab.kind === "canvas";
          return (
            <div
              key={tab.id}
              role="tab"
              tabIndex={0}
              aria-selected={tab.id === activeTabId}
              className={`tab ${tab.id === activeTabId ? "active" : ""} tab-${tab.kind}`}
              title={tab.path ?? tab.title}
              onClick={() => studio.activate(tab.id)}
              onKeyDown={(event) => event.key === "Enter" && studio.activate(tab.id)}
              onAuxClick={(event) => {
                if (event.button === 1 && closable) studio.closeTab(tab.id);
              }}
            >
              <Icon name={TAB_ICONS[tab.kind]} size={14} />
              <span className="tab-title">{tab.title}</span>
              {closable && (
                <button
                  type="button"
                  className={`tab-close ${dirty ? "dirty" : ""}`}
                  aria-label={dirty ? `Close ${tab.title} (unsaved changes)` : `Close ${tab.title}`}
                  title={dirty ? (tab.kind === "canvas" ? "Unsaved steps: kept until the page reloads; reopen the canvas to save them" : "Unsaved changes: closing asks whether to save them") : "Close"}
                  onClick={(event) => {
                    event.stopPropagation();
                    studio.closeTab(tab.id);
                  }}
                >
                  <span className="dirty-dot" />
                  <Icon name="close" size={12} />
                </button>
              )}
            </div>
          );
        })}
      </div>
      <div className="workspace-view">
        {/* The console keeps its results and editor state while hidden; each project gets its own. */}
        <div className="view-slot" hidden={active?.kind !== "query"}>
          <QueryConsole key={projectRoot} visible={active?.kind === "query"} />
        </div>
        {active?.kind === "lineage" && <LineageView />}
        {active?.kind === "file" && active.path && <ModelEditor key={active.path} path={active.path} />}
        {active?.kind === "canvas" && active.path && <CanvasView key={active.path} path={active.path} />}
        {active?.kind === "docs" && active.docsId && <DocsView id={active.docsId} />}
        {active?.kind === "streams" && <StreamsView key={projectRoot} />}
        {active?.kind === "dashboard" && active.path && (
          <Suspense fallback={<div className="center-fill muted">Opening the dashboard…</div>}>
            <dashboards.Component key={active.path} path={active.path} />
          </Suspense>
        )}
      </div>
    </div>
  );
}
