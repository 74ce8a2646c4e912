import { useEffect, useRef } from "react";
import type { PendingClose } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Modal } from "../../shared/ui";

/**
 * Asked when a file tab with unsaved edits is closed (the studio's `pendingClose`). Save is the
 * focused default, so Enter saves; Escape, the backdrop and the header's ✕ cancel (Modal).
 */
export function UnsavedChangesDialog({ pending }: { pending: PendingClose }) {
  const studio = useStudioInstance();
  const save = useRef<HTMLButtonElement>(null);

  // Modal focuses its first button (the header's ✕) when it mounts; this effect runs after the
  // Modal's (parents' effects follow their children's), so Save ends up with the focus.
  useEffect(() => {
    save.current?.focus();
  }, []);

  const cancel = () => void studio.answerPendingClose("cancel");
  return (
    <Modal
      title="Unsaved changes"
      onClose={cancel}
      footer={
        <>
          <Button variant="danger" data-testid="close-discard" disabled={pending.saving} onClick={() => void studio.answerPendingClose("discard")}>
            Don't save
          </Button>
          <span className="spacer" />
          <Button variant="ghost" data-testid="close-cancel" disabled={pending.saving} onClick={cancel}>
            Cancel
          </Button>
          <Button ref={save} variant="primary" data-testid="close-save" disabled={pending.saving} onClick={() => void studio.answerPendingClose("save")}>
            {pending.saving ? "Saving…" : "Save"}
          </Button>
        </>
      }
    >
      <p data-testid="unsaved-changes">
        <strong>{pending.title}</strong> has changes that are not saved. Save them before closing?
      </p>
      <p className="muted">
        {pending.path} · Don't save throws the changes away, including the draft kept in case the studio crashes.
      </p>
    </Modal>
  );
}
