import { useCallback, useEffect, useMemo, useRef, useState, type CSSProperties } from "react";
import type { ApplyEditRequest } from "../../api";
import { canvasTabId } from "../../app/studio/tabSession";
import { Splitter } from "../../app/Splitter";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Icon, Spinner } from "../../shared/ui";
import { EditPreview } from "../lineage/EditPreview";
import { AddStepDialog } from "./AddStepDialog";
import { CanvasToolbar } from "./CanvasToolbar";
import { useCanvasState } from "./hooks";
import { Inspector } from "./Inspector";
import { PreviewPanel } from "./PreviewPanel";
import { canvasSession } from "./registry";
import { modelName, relationOptions } from "./relations";
import { SqlPanel } from "./SqlPanel";
import { StepFlow } from "./StepFlow";
import { stepViews } from "./stepView";
import type { TemplateKind } from "./types";
import { useCanvasCommands } from "./useCanvasCommands";
import { usePersistentNumber } from "./usePersistent";
import "./canvas.css";
import "./canvas-inspector.css";
import "./canvas-panels.css";

/**
 * A model edited as steps: the flow of step cards, the selected step's inspector, its live
 * preview, and the model's SQL as the engine writes it. Save shows the diff before writing.
 */
export function CanvasView({ path }: { path: string }) {
  const studio = useStudioInstance();
  const session = useMemo(() => canvasSession(studio, path), [studio, path]);
  const state = useCanvasState(session);
  const graph = useStudio((current) => current.graph);
  const [menuOpen, setMenuOpen] = useState(false);
  const [adding, setAdding] = useState<{ kind: TemplateKind; after: number | null } | null>(null);
  const [saving, setSaving] = useState<ApplyEditRequest | null>(null);
  const [sqlOpen, setSqlOpen] = usePersistentNumber("kiln.canvas.sqlOpen", 1);
  const [previewHeight, setPreviewHeight] = usePersistentNumber("kiln.canvas.previewHeight", 230);
  const flow = useRef<HTMLDivElement>(null);
  const inspector = useRef<HTMLDivElement>(null);

  const canvas = state.history.present;
  const selected = state.selected;
  const views = useMemo(() => stepViews(state), [state]);
  const nodes = graph?.nodes ?? [];
  const self = modelName(path);
  const inspectorOptions = useMemo(() => relationOptions(nodes, canvas, selected, self), [nodes, canvas, selected, self]);
  const addOptions = useMemo(() => relationOptions(nodes, canvas, (adding?.after ?? -1) + 1, self), [nodes, canvas, adding, self]);
  const dirty = session.dirty;

  const add = useCallback(
    (kind: TemplateKind) => {
      setMenuOpen(false);
      const after = session.canvas.steps.length === 0 ? null : session.state.selected;
      setAdding({ kind, after });
    },
    [session],
  );
  const save = useCallback(() => {
    if (!session.dirty) return;
    session.seal();
    setSaving({ kind: "saveCanvas", path, canvas: session.canvas });
  }, [session, path]);
  const focusFlow = useCallback(() => flow.current?.querySelector<HTMLElement>('[role="listbox"]')?.focus({ preventScroll: true }), []);
  const closeAdding = useCallback(() => {
    setAdding(null);
    requestAnimationFrame(focusFlow);
  }, [focusFlow]);
  const busy = useCallback(() => adding !== null || saving !== null, [adding, saving]);
  useCanvasCommands(studio, session, canvasTabId(path), { add, save, busy });

  // The flow has the keyboard when the canvas opens, so ↑/↓ work straight away.
  useEffect(() => {
    if (state.status === "ready") focusFlow();
  }, [state.status, focusFlow]);

  if (state.status === "loading") {
    return (
      <div className="center-fill" data-testid="canvas-view" data-state="loading">
        <Spinner label="Reading the model as steps" />
      </div>
    );
  }
  if (state.status === "error") {
    return (
      <div className="canvas-view" data-testid="canvas-view" data-state="error">
        <EmptyState title="The canvas could not open this model" action={<Button onClick={() => void session.load()}>Try again</Button>}>
          {state.loadError}
        </EmptyState>
      </div>
    );
  }

  const view = views[selected] ?? null;
  const focusInspector = () => inspector.current?.querySelector<HTMLElement>("input, select, textarea")?.focus();

  return (
    <div className="canvas-view" data-testid="canvas-view" data-state="ready" data-dirty={dirty} style={{ "--canvas-preview-height": `${previewHeight}px` } as CSSProperties}>
      <CanvasToolbar session={session} state={state} path={path} dirty={dirty} onSave={save} onCode={() => void studio.openFile(path)} />
      {state.diskChanged && (
        <div className="banner banner-warning">
          <Icon name="warning" />
          <span>{path} changed on disk while the canvas had unsaved steps.</span>
          <Button size="sm" onClick={() => void session.load()}>
            Reload from disk
          </Button>
        </div>
      )}
      {canvas.parseError && (
        <div className="banner banner-info" data-testid="canvas-parse-error">
          <Icon name="warning" />
          <span>This model could not be read as steps, so it is one SQL step: {canvas.parseError}</span>
        </div>
      )}
      {state.updateError && (
        <div className="banner banner-warning" data-testid="canvas-update-error">
          <Icon name="error" />
          <span>The engine could not write this canvas: {state.updateError}</span>
        </div>
      )}
      <div className="canvas-body">
        <div className="canvas-main">
          <div className="canvas-flow-host" ref={flow}>
            <StepFlow
              views={views}
              showEdits={state.exists}
              selected={selected}
              menuOpen={menuOpen}
              onSelect={(index) => session.select(index)}
              onMove={(index, delta) => session.moveStep(index, delta)}
              onDelete={(index) => session.deleteStep(index)}
              onEdit={focusInspector}
              onMenu={setMenuOpen}
              onPick={add}
            />
          </div>
          <div className="canvas-preview-slot">
            <Splitter orientation="horizontal" invert label="Preview height" testId="canvas-preview-splitter" value={previewHeight} min={120} max={640} onChange={setPreviewHeight} />
            <PreviewPanel session={session} canvas={canvas} index={selected} suggest={state.exists && !dirty && selected === canvas.steps.length - 1} />
          </div>
        </div>
        <aside className="canvas-side">
          <div
            className="canvas-inspector-slot"
            onKeyDown={(event) => {
              // Escape from a field goes back to the steps (↑/↓ then move between them).
              if (event.key !== "Escape" || event.defaultPrevented) return;
              event.preventDefault();
              focusFlow();
            }}
          >
            <Inspector ref={inspector} session={session} state={state} view={view} index={selected} options={inspectorOptions} />
          </div>
          <SqlPanel
            sql={state.server?.written.sql ?? null}
            lines={view?.lines ?? null}
            open={sqlOpen === 1}
            stale={state.serverFor !== canvas}
            onToggle={() => setSqlOpen(sqlOpen === 1 ? 0 : 1)}
          />
        </aside>
      </div>
      {adding && <AddStepDialog kind={adding.kind} after={adding.after} session={session} state={state} options={addOptions} onClose={closeAdding} />}
      {saving && (
        <EditPreview
          title={state.exists ? `Save ${self}` : `Create ${self}`}
          request={saving}
          onClose={() => setSaving(null)}
          onCommitted={(changes) => {
            void session.markSaved(changes.find((change) => change.path === path)?.after ?? null);
            setSaving(null);
          }}
        />
      )}
    </div>
  );
}
