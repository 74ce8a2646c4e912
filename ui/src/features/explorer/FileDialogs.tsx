import { useEffect, useMemo, useRef, useState } from "react";
import type { DiagnosticDto, PathReferences } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, Icon, Modal, Spinner } from "../../shared/ui";
import { isDirty } from "../editor/buffers";
import {
  baseName,
  createFile,
  createFolder,
  deletePath,
  folderFor,
  folderPaths,
  joinPath,
  modelNameProblem,
  movePath,
  nameProblem,
  parentOf,
  referencesSummary,
  stemRange,
  type ExplorerTarget,
} from "./fileOps";

export type FileDialogKind = "newFile" | "newFolder" | "rename" | "move" | "delete";

export interface FileDialogRequest {
  kind: FileDialogKind;
  target: ExplorerTarget;
}

/** Called when a dialog is cancelled or done, with the path to focus next (the created, renamed or moved entry). */
type Close = (focus?: string) => void;

/** The dialog of one explorer operation. */
export function FileDialog({ request, onClose }: { request: FileDialogRequest; onClose: Close }) {
  switch (request.kind) {
    case "newFile":
    case "newFolder":
      return <CreateDialog folder={folderFor(request.target)} isFolder={request.kind === "newFolder"} onClose={onClose} />;
    case "rename":
      return <RenameDialog target={request.target} onClose={onClose} />;
    case "move":
      return <MoveDialog target={request.target} onClose={onClose} />;
    case "delete":
      return <DeleteDialog target={request.target} onClose={onClose} />;
  }
}

function ErrorCallout({ error }: { error: DiagnosticDto | null }) {
  if (!error) return null;
  return (
    <div className="callout callout-error" data-testid="file-dialog-error" role="alert">
      <strong>{error.message}</strong>
      {error.hint && <div>{error.hint}</div>}
      <div className="muted">{error.code}</div>
    </div>
  );
}

/** Runs an operation for a dialog: busy while in flight, the engine's refusal shown in the dialog. */
function useOperation(onClose: Close) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DiagnosticDto | null>(null);
  const run = async (operation: () => Promise<unknown>, focus?: string) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await operation();
      onClose(focus);
    } catch (caught) {
      setError(errorDiagnostic(caught));
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

/** An input that focuses itself and selects `range` (the name without its extension). */
function NameInput({
  value,
  onChange,
  onSubmit,
  range,
  label,
  testId,
}: {
  value: string;
  onChange: (value: string) => void;
  onSubmit: () => void;
  range?: [number, number];
  label: string;
  testId: string;
}) {
  const input = useRef<HTMLInputElement>(null);
  // After Modal's own focus effect (children's effects run first, so wait a frame).
  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      input.current?.focus();
      if (range) input.current?.setSelectionRange(range[0], range[1]);
    });
    return () => cancelAnimationFrame(frame);
    // Only when the dialog opens: the selection is not reapplied while the user types.
  }, []);
  return (
    <input
      ref={input}
      className="input"
      aria-label={label}
      data-testid={testId}
      value={value}
      spellCheck={false}
      autoComplete="off"
      onChange={(event) => onChange(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          onSubmit();
        }
      }}
    />
  );
}

function CreateDialog({ folder, isFolder, onClose }: { folder: string; isFolder: boolean; onClose: Close }) {
  const studio = useStudioInstance();
  const [name, setName] = useState("");
  const { busy, error, run } = useOperation(onClose);
  const problem = name ? nameProblem(name, true) : null;
  const path = joinPath(folder, name);
  // A hint only (the project's model-paths are not known here): models/ is dbt's default.
  const modelProblem = !isFolder && path.startsWith("models/") ? modelNameProblem(baseName(name)) : null;
  const submit = () => {
    if (!name || problem) return;
    void run(() => (isFolder ? createFolder(studio, path) : createFile(studio, path)), path);
  };
  return (
    <Modal
      title={isFolder ? "New folder" : "New file"}
      onClose={() => onClose()}
      footer={
        <>
          <Button variant="ghost" onClick={() => onClose()}>
            Cancel
          </Button>
          <Button variant="primary" data-testid="file-dialog-confirm" disabled={!name || problem !== null || busy} onClick={submit}>
            {busy ? "Creating…" : "Create"}
          </Button>
        </>
      }
    >
      <label className="field">
        <span className="field-label">
          {isFolder ? "Folder name" : "File name"} in <code>{folder || "the project folder"}</code>
        </span>
        <NameInput
          label={isFolder ? "Folder name" : "File name"}
          testId="file-dialog-name"
          value={name}
          onChange={setName}
          onSubmit={submit}
        />
      </label>
      <p className="muted file-dialog-note">
        {problem ?? modelProblem ?? (isFolder ? "Folders in between are created too." : "Use a/b.sql to create folders on the way. A .sql file under models/ is a model named after the file.")}
      </p>
      <ErrorCallout error={error} />
    </Modal>
  );
}

function useReferences(path: string): PathReferences | null | "loading" {
  const studio = useStudioInstance();
  const [references, setReferences] = useState<PathReferences | null | "loading">("loading");
  useEffect(() => {
    let live = true;
    studio.backend
      .call("pathReferences", { path })
      .then((answer) => live && setReferences(answer))
      .catch(() => live && setReferences(null));
    return () => {
      live = false;
    };
  }, [studio, path]);
  return references;
}

function RenameDialog({ target, onClose }: { target: ExplorerTarget; onClose: Close }) {
  const studio = useStudioInstance();
  const [name, setName] = useState(target.name);
  const { busy, error, run } = useOperation(onClose);
  const isModel = target.kind === "model";
  const references = useReferences(isModel ? target.path : "");
  const problem = nameProblem(name, false) ?? (isModel ? modelNameProblem(name) : null);
  const unchanged = name === target.name;
  const submit = () => {
    if (problem || unchanged) return;
    const to = joinPath(parentOf(target.path), name);
    void run(() => movePath(studio, target.path, to), to);
  };
  const refs = references !== "loading" ? referencesSummary(references) : null;
  return (
    <Modal
      title={`Rename ${target.isDir ? "folder" : isModel ? "model" : "file"}`}
      onClose={() => onClose()}
      footer={
        <>
          <Button variant="ghost" onClick={() => onClose()}>
            Cancel
          </Button>
          <Button variant="primary" data-testid="file-dialog-confirm" disabled={problem !== null || unchanged || busy} onClick={submit}>
            {busy ? "Renaming…" : "Rename"}
          </Button>
        </>
      }
    >
      <label className="field">
        <span className="field-label">
          New name for <code>{target.path}</code>
        </span>
        <NameInput label="New name" testId="file-dialog-name" value={name} onChange={setName} onSubmit={submit} range={target.isDir ? undefined : stemRange(target.name)} />
      </label>
      {problem && !unchanged && <p className="file-dialog-note file-dialog-problem">{problem}</p>}
      {isModel && (
        <p className="muted file-dialog-note" data-testid="rename-refs">
          {references === "loading" ? <Spinner /> : null}
          {refs ? `${refs} ` : ""}
          Every <code>ref('{target.name.replace(/\.sql$/, "")}')</code> in the project is rewritten to the new name, and its properties entry renamed.
        </p>
      )}
      <ErrorCallout error={error} />
    </Modal>
  );
}

function MoveDialog({ target, onClose }: { target: ExplorerTarget; onClose: Close }) {
  const studio = useStudioInstance();
  const tree = useStudio((state) => state.tree);
  const current = parentOf(target.path);
  const [folder, setFolder] = useState(current);
  const { busy, error, run } = useOperation(onClose);
  const folders = useMemo(
    () => folderPaths(tree).filter((path) => path !== target.path && !(target.isDir && path.startsWith(`${target.path}/`))),
    [tree, target],
  );
  const query = folder.trim().toLowerCase();
  const shown = folders.filter((path) => path.toLowerCase().includes(query)).slice(0, 60);
  const clean = folder.trim().replace(/^\/+|\/+$/g, "");
  const problem = clean ? nameProblem(clean, true) : null;
  const destination = joinPath(clean, target.name);
  const same = clean === current;
  const submit = (into = clean) => {
    if ((into === clean && (problem || same)) || into === current) return;
    const to = joinPath(into, target.name);
    void run(() => movePath(studio, target.path, to), to);
  };
  return (
    <Modal
      title={`Move ${target.name}`}
      onClose={() => onClose()}
      footer={
        <>
          <Button variant="ghost" onClick={() => onClose()}>
            Cancel
          </Button>
          <Button variant="primary" data-testid="file-dialog-confirm" disabled={problem !== null || same || busy} onClick={() => submit()}>
            {busy ? "Moving…" : "Move"}
          </Button>
        </>
      }
    >
      <label className="field">
        <span className="field-label">Destination folder (a new one is created)</span>
        <NameInput label="Destination folder" testId="file-dialog-name" value={folder} onChange={setFolder} onSubmit={() => submit()} range={[0, folder.length]} />
      </label>
      <div className="move-folders" role="listbox" aria-label="Folders">
        {shown.map((path) => (
          <button
            key={path || "/"}
            type="button"
            role="option"
            aria-selected={path === clean}
            className={`move-folder ${path === clean ? "selected" : ""}`}
            data-testid="move-folder"
            data-path={path}
            onClick={() => setFolder(path)}
            onDoubleClick={() => submit(path)}
          >
            <Icon name="folder" size={12} />
            <span>{path || "(project folder)"}</span>
            {path === current && <span className="muted move-current">current</span>}
          </button>
        ))}
        {shown.length === 0 && <div className="muted move-empty">No folder matches; Move creates {clean}.</div>}
      </div>
      <p className="muted file-dialog-note">
        {problem ?? (same ? "It is already in this folder." : <>Moves to <code>{destination}</code>.{target.kind === "model" ? " The model keeps its name, so ref()s stay as they are." : ""}</>)}
      </p>
      <ErrorCallout error={error} />
    </Modal>
  );
}

function DeleteDialog({ target, onClose }: { target: ExplorerTarget; onClose: Close }) {
  const studio = useStudioInstance();
  const tree = useStudio((state) => state.tree);
  const { busy, error, run } = useOperation(onClose);
  const references = useReferences(target.path);
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const frame = requestAnimationFrame(() => confirm.current?.focus());
    return () => cancelAnimationFrame(frame);
  }, []);
  const inside = useMemo(() => {
    if (!target.isDir || !tree) return 0;
    let count = 0;
    const walk = (node: typeof tree) => {
      if (node.kind !== "dir") {
        if (node.path.startsWith(`${target.path}/`)) count += 1;
        return;
      }
      node.children.forEach(walk);
    };
    walk(tree);
    return count;
  }, [tree, target]);
  const unsaved = studio.buffers
    .list()
    .filter((buffer) => isDirty(buffer) && (buffer.path === target.path || buffer.path.startsWith(`${target.path}/`)))
    .map((buffer) => buffer.path);
  const summary = references !== "loading" ? referencesSummary(references) : null;
  return (
    <Modal
      title={`Delete ${target.isDir ? "folder" : "file"}`}
      onClose={() => onClose()}
      footer={
        <>
          <Button variant="ghost" data-testid="delete-cancel" onClick={() => onClose()}>
            Cancel
          </Button>
          <Button ref={confirm} variant="danger" data-testid="delete-confirm" disabled={busy} onClick={() => void run(() => deletePath(studio, target.path))}>
            {busy ? "Deleting…" : "Delete"}
          </Button>
        </>
      }
    >
      <p data-testid="delete-question">
        Delete <strong>{target.path}</strong>
        {target.isDir ? ` and the ${inside} file${inside === 1 ? "" : "s"} in it` : ""}? This cannot be undone from the studio.
      </p>
      {references === "loading" && (
        <p className="muted">
          <Spinner /> Checking what refers to it…
        </p>
      )}
      {summary && references !== "loading" && references && (
        <div className="callout file-dialog-warning" data-testid="delete-references">
          <strong>{summary}</strong>
          <div>Their ref() calls will fail until you point them elsewhere:</div>
          <ul className="file-dialog-refs">
            {references.referencedBy.slice(0, 8).map((reference) => (
              <li key={`${reference.path}:${reference.target}`}>
                <code>{reference.name}</code> <span className="muted">{reference.path}</span>
              </li>
            ))}
            {references.referencedBy.length > 8 && <li className="muted">…and {references.referencedBy.length - 8} more</li>}
          </ul>
        </div>
      )}
      {references !== "loading" && references && !references.checked && (
        <p className="muted">The project does not parse right now, so Kiln cannot tell what refers to it.</p>
      )}
      {unsaved.length > 0 && <p className="file-dialog-problem">Unsaved changes in {unsaved.join(", ")} are lost too.</p>}
      <ErrorCallout error={error} />
    </Modal>
  );
}
