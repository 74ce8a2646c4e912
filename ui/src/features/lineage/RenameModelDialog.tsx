import { useState } from "react";
import type { ApplyEditRequest } from "../../api";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Modal } from "../../shared/ui";
import { EditPreview } from "./EditPreview";
import { renameRequest } from "./edits";

/** Rename or move a model; the engine rewrites every ref() to it and we show the diff first. */
export function RenameModelDialog({ path, onClose }: { path: string; onClose: () => void }) {
  const studio = useStudioInstance();
  const [newPath, setNewPath] = useState(path);
  const [request, setRequest] = useState<ApplyEditRequest | null>(null);
  const valid = /^[\w./-]+\.sql$/.test(newPath) && newPath !== path;
  const submit = () => {
    if (valid) setRequest(renameRequest(path, newPath));
  };

  if (request) {
    return (
      <EditPreview
        title={`Rename ${path.split("/").pop()}`}
        request={request}
        onClose={onClose}
        onCommitted={() => {
          studio.closeTabNow(`file:${path}`);
          void studio.openFile(newPath);
          onClose();
        }}
      />
    );
  }
  return (
    <Modal
      title="Rename or move model"
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" disabled={!valid} onClick={submit}>
            Preview changes
          </Button>
        </>
      }
    >
      <label className="field">
        <span className="field-label">New path (the file name is the model name)</span>
        <input
          className="input"
          value={newPath}
          onChange={(event) => setNewPath(event.target.value)}
          onKeyDown={(event) => event.key === "Enter" && submit()}
        />
      </label>
      <p className="muted">Every ref() to this model is updated. You review each file before anything is written.</p>
    </Modal>
  );
}
