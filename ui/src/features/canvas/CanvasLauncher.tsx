import { useEffect, useMemo, useRef, useState } from "react";
import { flattenFiles } from "../../app/studio";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, Modal } from "../../shared/ui";
import { newModelPath, newModelProblem, suggestedFolder } from "./newModel";

/**
 * The ways into the canvas that need no canvas open: the palette's "Canvas: open current model"
 * and "Canvas: new model…" (which asks for a name and a folder). Mounted once by the shell.
 */
export function CanvasLauncher() {
  const studio = useStudioInstance();
  const [asking, setAsking] = useState(false);

  useEffect(
    () =>
      studio.registerCommands("canvas-launcher", [
        {
          id: "canvas.openCurrent",
          title: "Open current model",
          group: "Canvas",
          enabled: () => {
            const tab = studio.activeTab();
            return tab?.kind === "file" && /\.sql$/i.test(tab.path ?? "");
          },
          run: () => {
            const path = studio.activeTab()?.path;
            if (path) studio.openCanvas(path);
          },
        },
        { id: "canvas.new", title: "New model…", group: "Canvas", enabled: () => studio.state.project !== null, run: () => setAsking(true) },
      ]),
    [studio],
  );

  return asking ? <NewCanvasDialog onClose={() => setAsking(false)} /> : null;
}

function NewCanvasDialog({ onClose }: { onClose: () => void }) {
  const studio = useStudioInstance();
  const tree = useStudio((state) => state.tree);
  const existing = useMemo(() => new Set(flattenFiles(tree).map((file) => file.path)), [tree]);
  const [name, setName] = useState("new_model");
  const [folder, setFolder] = useState(() => suggestedFolder(studio.activeTab()?.path));
  const problem = newModelProblem(name, folder, existing);
  const nameField = useRef<HTMLInputElement>(null);
  // The name is typed first (the modal focuses its close button; this runs after it).
  useEffect(() => {
    nameField.current?.focus();
    nameField.current?.select();
  }, []);
  const submit = () => {
    if (problem) return;
    studio.openCanvas(newModelPath(name, folder));
    onClose();
  };
  return (
    <Modal
      title="New model on the canvas"
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" data-testid="canvas-new-open" disabled={problem !== null} onClick={submit}>
            Open canvas
          </Button>
        </>
      }
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <label className="field">
          <span className="field-label">Model name</span>
          <input ref={nameField} className="input" data-testid="canvas-new-name" value={name} onChange={(event) => setName(event.target.value)} spellCheck={false} />
        </label>
        <label className="field">
          <span className="field-label">Folder</span>
          <input className="input" data-testid="canvas-new-folder" value={folder} onChange={(event) => setFolder(event.target.value)} spellCheck={false} />
        </label>
        <p className={problem ? "danger" : "muted"} data-testid="canvas-new-path">
          {problem ?? (
            <>
              Creates <code>{newModelPath(name, folder)}</code> when you first save. Nothing is written before.
            </>
          )}
        </p>
        <button type="submit" hidden />
      </form>
    </Modal>
  );
}
