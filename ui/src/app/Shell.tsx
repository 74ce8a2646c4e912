import { useEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import { ExplorerTree } from "../features/explorer/ExplorerTree";
import { QuickOpen } from "../features/explorer/QuickOpen";
import { CommandPalette } from "../features/palette/CommandPalette";
import { findCommandForEvent, type Command } from "../features/palette/commands";
import { RunHistoryList } from "../features/runs/RunHistory";
import { RunProgressPanel } from "../features/runs/RunProgressPanel";
import { RunToolbar } from "../features/runs/RunToolbar";
import { SchemaBrowser } from "../features/query/SchemaBrowser";
import { RenameModelDialog } from "../features/lineage/RenameModelDialog";
import { UnsavedChangesDialog } from "../features/editor/UnsavedChangesDialog";
import { Icon } from "../shared/ui";
import { StatusBar } from "./StatusBar";
import { Toasts } from "./Toasts";
import { Workspace } from "./Workspace";
import { DashboardList } from "../features/dashboards/DashboardList";
import { CanvasLauncher } from "../features/canvas";
import { useStudio, useStudioInstance } from "./useStudio";
import type { SidebarView } from "./studio";
import { BOTTOM_LIMITS, SIDEBAR_LIMITS, usePanelLayout } from "./panelLayout";
import { Splitter } from "./Splitter";
import "./layout.css";

const SIDEBAR_VIEWS: Array<{ id: SidebarView; label: string; icon: string }> = [
  { id: "files", label: "Project files", icon: "folder" },
  { id: "database", label: "Warehouse schema", icon: "database" },
  { id: "runs", label: "Run history", icon: "history" },
  { id: "dashboards", label: "Dashboards", icon: "dashboard" },
];

export function Shell() {
  const studio = useStudioInstance();
  const sidebar = useStudio((state) => state.sidebar);
  const bottomOpen = useStudio((state) => state.bottomOpen);
  const paletteOpen = useStudio((state) => state.paletteOpen);
  const quickOpenOpen = useStudio((state) => state.quickOpenOpen);
  const pendingClose = useStudio((state) => state.pendingClose);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [layout, setLayout] = usePanelLayout();
  const toggleSidebar = useRef(() => {});
  toggleSidebar.current = () => setLayout({ sidebarCollapsed: !layout.sidebarCollapsed });

  const commands = useMemo<Command[]>(
    () => [
      {
        id: "palette.show",
        title: "Show all commands",
        group: "View",
        shortcut: "Mod+K",
        alternateShortcuts: ["Mod+Shift+P"],
        run: () => studio.setPalette(true),
      },
      { id: "file.quickOpen", title: "Go to file…", group: "File", shortcut: "Mod+P", run: () => studio.setQuickOpen(true) },
      {
        id: "file.save",
        title: "Save file",
        group: "File",
        shortcut: "Mod+S",
        enabled: () => studio.activeTab()?.kind === "file",
        run: () => void studio.saveActive(),
      },
      {
        id: "file.close",
        title: "Close tab",
        group: "File",
        shortcut: "Alt+W",
        enabled: () => ["file", "docs", "streams", "canvas"].includes(studio.activeTab()?.kind ?? ""),
        run: () => {
          const tab = studio.activeTab();
          if (tab) studio.closeTab(tab.id);
        },
      },
      {
        id: "model.rename",
        title: "Rename or move this model…",
        group: "Model",
        enabled: () => studio.activeTab()?.path?.endsWith(".sql") === true,
        run: () => setRenaming(studio.activeTab()?.path ?? null),
      },
      { id: "view.lineage", title: "Show lineage graph", group: "View", shortcut: "Alt+1", run: () => studio.showLineage() },
      { id: "view.query", title: "Show query console", group: "View", shortcut: "Alt+2", run: () => studio.showQuery() },
      { id: "view.sidebar", title: "Toggle side panel", group: "View", shortcut: "Mod+B", run: () => toggleSidebar.current() },
      { id: "view.files", title: "Show project files", group: "View", run: () => studio.setSidebar("files") },
      { id: "view.schema", title: "Show warehouse schema", group: "View", run: () => studio.setSidebar("database") },
      { id: "view.runs", title: "Show run history", group: "View", run: () => studio.setSidebar("runs") },
      { id: "view.dashboards", title: "Show dashboards", group: "View", run: () => studio.setSidebar("dashboards") },
      { id: "view.streams", title: "Show streams (Kinesis/Firehose console)", group: "View", run: () => studio.showStreams() },
      { id: "view.panel", title: "Toggle run panel", group: "View", shortcut: "Mod+J", run: () => studio.toggleBottom() },
      { id: "view.log", title: "Show run log", group: "View", run: () => studio.setBottom("log") },
      { id: "theme.light", title: "Use light theme", group: "Theme", run: () => studio.setTheme("light") },
      { id: "theme.dark", title: "Use dark theme", group: "Theme", run: () => studio.setTheme("dark") },
      { id: "theme.system", title: "Follow system theme", group: "Theme", run: () => studio.setTheme("system") },
      { id: "run.stage", title: "Stage sources (current selection)", group: "Run", run: () => void studio.startRun("stage") },
      { id: "run.run", title: "Run models (current selection)", group: "Run", shortcut: "Mod+Shift+R", run: () => void studio.startRun("run") },
      { id: "run.test", title: "Test (current selection)", group: "Run", shortcut: "Mod+Shift+T", run: () => void studio.startRun("test") },
      { id: "run.build", title: "Build (current selection)", group: "Run", shortcut: "Mod+Shift+B", run: () => void studio.startRun("build") },
      { id: "run.seed", title: "Load seeds", group: "Run", run: () => void studio.startRun("seed") },
      { id: "run.cancel", title: "Cancel run", group: "Run", enabled: () => studio.isRunning(), run: () => void studio.cancelRun() },
      {
        id: "project.refresh",
        title: "Reload project files and graph",
        group: "Project",
        run: () => {
          void studio.refreshTree();
          void studio.refreshGraph();
        },
      },
    ],
    [studio],
  );

  useEffect(() => studio.registerCommands("shell", commands), [studio, commands]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === "Escape" && (studio.state.paletteOpen || studio.state.quickOpenOpen)) {
        studio.setPalette(false);
        studio.setQuickOpen(false);
        return;
      }
      if (!event.ctrlKey && !event.metaKey && !event.altKey) return;
      const command = findCommandForEvent(studio.commands(), event);
      if (!command) return;
      event.preventDefault();
      event.stopPropagation();
      command.run();
    };
    // Capture phase: shortcuts win over CodeMirror's own bindings (e.g. Mod-Enter).
    window.addEventListener("keydown", onKeyDown, true);
    return () => window.removeEventListener("keydown", onKeyDown, true);
  }, [studio]);

  // Reloading or closing the page with unsaved edits: drafts are in localStorage, but warn anyway.
  // preventDefault is the standard way to ask; older engines only ask when returnValue is set too.
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (studio.buffers.dirtyPaths().length === 0) return;
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [studio]);

  return (
    <div className="shell" style={{ "--sidebar-width": `${layout.sidebarWidth}px`, "--bottom-height": `${layout.bottomHeight}px` } as CSSProperties}>
      <RunToolbar />
      <div className={`shell-body ${layout.sidebarCollapsed ? "sidebar-collapsed" : ""}`}>
        <nav className="activity-bar" aria-label="Sidebar views">
          {SIDEBAR_VIEWS.map((view) => (
            <button
              key={view.id}
              type="button"
              className={`activity-button ${sidebar === view.id ? "active" : ""}`}
              title={view.label}
              aria-label={view.label}
              aria-pressed={sidebar === view.id && !layout.sidebarCollapsed}
              onClick={() => {
                // The open view's button hides the panel; any other shows its view.
                if (sidebar === view.id) setLayout({ sidebarCollapsed: !layout.sidebarCollapsed });
                else {
                  studio.setSidebar(view.id);
                  setLayout({ sidebarCollapsed: false });
                }
              }}
            >
              <Icon name={view.icon} size={18} />
            </button>
          ))}
          <div className="activity-spacer" />
          <button
            type="button"
            className="activity-button"
            data-testid="toggle-sidebar"
            title={`${layout.sidebarCollapsed ? "Show" : "Hide"} the side panel (Ctrl+B)`}
            aria-label={layout.sidebarCollapsed ? "Show side panel" : "Hide side panel"}
            aria-expanded={!layout.sidebarCollapsed}
            onClick={() => toggleSidebar.current()}
          >
            <svg className="icon" width={18} height={18} viewBox="0 0 16 16" fill="none" stroke="currentColor" strokeWidth={1.4} aria-hidden="true">
              <rect x="2" y="2.5" width="12" height="11" rx="1.5" />
              <path d="M6 2.5v11" />
              <path d={layout.sidebarCollapsed ? "M8.5 6.5 10 8l-1.5 1.5" : "M10 6.5 8.5 8 10 9.5"} />
            </svg>
          </button>
          <button type="button" className="activity-button" title="Lineage graph (Alt+1)" aria-label="Lineage graph" onClick={() => studio.showLineage()}>
            <Icon name="graph" size={18} />
          </button>
          <button type="button" className="activity-button" title="Streams" aria-label="Streams" onClick={() => studio.showStreams()}>
            <Icon name="stream" size={18} />
          </button>
          <button type="button" className="activity-button" title="Command palette (Ctrl+K)" aria-label="Command palette" onClick={() => studio.setPalette(true)}>
            <Icon name="command" size={18} />
          </button>
        </nav>
        <aside className="sidebar" data-testid="sidebar" aria-hidden={layout.sidebarCollapsed}>
          {!layout.sidebarCollapsed && (
            <>
              {sidebar === "files" && <ExplorerTree />}
              {sidebar === "database" && <SchemaBrowser />}
              {sidebar === "runs" && <RunHistoryList />}
              {sidebar === "dashboards" && <DashboardList />}
              <Splitter
                orientation="vertical"
                testId="sidebar-splitter"
                label="Side panel width"
                value={layout.sidebarWidth}
                min={SIDEBAR_LIMITS.min}
                max={SIDEBAR_LIMITS.max}
                onChange={(sidebarWidth) => setLayout({ sidebarWidth })}
                onToggle={() => toggleSidebar.current()}
              />
            </>
          )}
        </aside>
        <main className={`workspace ${bottomOpen ? "with-bottom" : ""}`}>
          <Workspace />
          {bottomOpen && (
            <div className="bottom-slot">
              <Splitter
                orientation="horizontal"
                testId="bottom-splitter"
                label="Run panel height"
                invert
                value={layout.bottomHeight}
                min={BOTTOM_LIMITS.min}
                max={BOTTOM_LIMITS.max}
                onChange={(bottomHeight) => setLayout({ bottomHeight })}
                onToggle={() => studio.toggleBottom()}
              />
              <RunProgressPanel />
            </div>
          )}
        </main>
      </div>
      <StatusBar />
      {paletteOpen && <CommandPalette />}
      {quickOpenOpen && <QuickOpen />}
      {renaming && <RenameModelDialog path={renaming} onClose={() => setRenaming(null)} />}
      {pendingClose && <UnsavedChangesDialog key={pendingClose.tabId} pending={pendingClose} />}
      <CanvasLauncher />
      <Toasts />
    </div>
  );
}
