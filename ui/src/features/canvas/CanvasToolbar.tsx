import { Button, Icon, Kbd } from "../../shared/ui";
import { formatShortcut } from "../palette/commands";
import type { CanvasSession, CanvasSessionState } from "./session";
import { UndoIcon } from "./StepIcon";

/** The canvas's path bar: where it saves, whether it is new or unsaved, undo/redo, SQL and Save. */
export function CanvasToolbar({ session, state, path, dirty, onSave, onCode }: { session: CanvasSession; state: CanvasSessionState; path: string; dirty: boolean; onSave: () => void; onCode: () => void }) {
  const empty = state.history.present.steps.length === 0;
  return (
    <div className="editor-pathbar canvas-toolbar">
      <span className="canvas-badge" title="Model canvas">
        <Icon name="stage" size={14} />
        Canvas
      </span>
      <span className="editor-path" title={path}>
        {path}
      </span>
      {!state.exists && <span className="pill pill-accent">new model</span>}
      {dirty && (
        <span className="pill pill-accent" data-testid="canvas-unsaved">
          unsaved
        </span>
      )}
      <span className="spacer" />
      <button type="button" className="icon-button" data-testid="canvas-undo" aria-label="Undo" title="Undo (Ctrl+Z)" disabled={!session.canUndo} onClick={() => session.undo()}>
        <UndoIcon />
      </button>
      <button type="button" className="icon-button" data-testid="canvas-redo" aria-label="Redo" title="Redo (Ctrl+Shift+Z)" disabled={!session.canRedo} onClick={() => session.redo()}>
        <UndoIcon redo />
      </button>
      <Button size="sm" variant="ghost" data-testid="canvas-edit-sql" icon={<Icon name="file" size={14} />} disabled={!state.exists} title={state.exists ? "Open the model's file in the SQL editor" : "Save the model first"} onClick={onCode}>
        SQL editor
      </Button>
      <Button size="sm" data-testid="canvas-save" variant={dirty ? "primary" : "ghost"} disabled={!dirty || empty} title="Review the changes and write the file (Ctrl+S)" onClick={onSave}>
        Save <Kbd>{formatShortcut("Mod+S")}</Kbd>
      </Button>
    </div>
  );
}
