import { useEffect, useRef } from "react";
import type { Studio } from "../../app/studio";
import type { Command } from "../palette/commands";
import type { CanvasSession } from "./session";
import { needsPrevious, TEMPLATE_KINDS } from "./templates";
import type { TemplateKind } from "./types";

export interface CanvasActions {
  add: (kind: TemplateKind) => void;
  save: () => void;
  /** True while a dialog of the canvas (add step, save preview) has the keyboard. */
  busy: () => boolean;
}

/**
 * The canvas's palette commands and shortcuts while its tab is open: undo/redo (Ctrl+Z,
 * Ctrl+Shift+Z), save (Ctrl+S), one "add … step" per template, and moving/deleting the step.
 */
export function useCanvasCommands(studio: Studio, session: CanvasSession, tabId: string, actions: CanvasActions): void {
  const latest = useRef(actions);
  latest.current = actions;
  useEffect(() => {
    const active = () => studio.activeTab()?.id === tabId;
    const free = () => active() && !latest.current.busy();
    const ready = () => session.state.status === "ready";
    const commands: Command[] = [
      { id: "canvas.undo", title: "Undo the last edit", group: "Canvas", shortcut: "Mod+Z", enabled: () => free() && session.canUndo, run: () => session.undo() },
      { id: "canvas.redo", title: "Redo", group: "Canvas", shortcut: "Mod+Shift+Z", alternateShortcuts: ["Mod+Y"], enabled: () => free() && session.canRedo, run: () => session.redo() },
      { id: "canvas.save", title: "Save the model…", group: "Canvas", shortcut: "Mod+S", enabled: () => free() && session.dirty, run: () => latest.current.save() },
      { id: "canvas.code", title: "Edit this model as SQL", group: "Canvas", enabled: () => active() && session.state.exists, run: () => void studio.openFile(session.path) },
      {
        id: "canvas.moveUp",
        title: "Move the selected step up",
        group: "Canvas",
        enabled: () => free() && session.state.selected > 0,
        run: () => session.moveStep(session.state.selected, -1),
      },
      {
        id: "canvas.moveDown",
        title: "Move the selected step down",
        group: "Canvas",
        enabled: () => free() && session.state.selected >= 0 && session.state.selected < session.canvas.steps.length - 1,
        run: () => session.moveStep(session.state.selected, 1),
      },
      { id: "canvas.delete", title: "Delete the selected step", group: "Canvas", enabled: () => free() && session.state.selected >= 0, run: () => session.deleteStep(session.state.selected) },
      ...TEMPLATE_KINDS.map(
        (entry): Command => ({
          id: `canvas.add.${entry.kind}`,
          title: `Add ${entry.label.toLowerCase()} step`,
          group: "Canvas",
          enabled: () => free() && ready() && (!needsPrevious(entry.kind) || session.canvas.steps.length > 0),
          run: () => latest.current.add(entry.kind),
        }),
      ),
    ];
    return studio.registerCommands(`canvas:${session.path}`, commands);
  }, [studio, session, tabId]);
}
