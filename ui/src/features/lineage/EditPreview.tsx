import { useEffect, useMemo, useState } from "react";
import type { ApplyEditRequest, FileChangeDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Modal, Spinner } from "../../shared/ui";
import { diffLines, diffStats } from "./diff";

/**
 * Every visual edit goes through here: the engine computes the file changes (`applyEdit`), the
 * user reviews them as diffs, and only "Write files" calls `commitEdit`.
 */
export function EditPreview({
  title,
  request,
  onClose,
  onCommitted,
}: {
  title: string;
  request: ApplyEditRequest;
  onClose: () => void;
  onCommitted: (changes: FileChangeDto[]) => void;
}) {
  const studio = useStudioInstance();
  const [changes, setChanges] = useState<FileChangeDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let cancelled = false;
    studio.backend
      .call("applyEdit", request)
      .then((preview) => !cancelled && setChanges(preview.changes))
      .catch((failure: unknown) => !cancelled && setError(errorDiagnostic(failure).message));
    return () => {
      cancelled = true;
    };
  }, [studio, request]);

  const commit = async () => {
    if (!changes) return;
    setBusy(true);
    try {
      await studio.backend.call("commitEdit", { changes });
      studio.toast("success", `Wrote ${changes.length} file${changes.length === 1 ? "" : "s"}.`);
      await Promise.all([studio.refreshTree(), studio.refreshGraph()]);
      onCommitted(changes);
    } catch (failure) {
      setError(errorDiagnostic(failure).message);
      setBusy(false);
    }
  };

  return (
    <Modal
      title={title}
      wide
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" disabled={!changes || changes.length === 0 || busy} onClick={() => void commit()}>
            {busy ? "Writing…" : `Write ${changes?.length ?? 0} file${changes?.length === 1 ? "" : "s"}`}
          </Button>
        </>
      }
    >
      {!changes && !error && (
        <div className="center-fill">
          <Spinner />
        </div>
      )}
      {error && <div className="callout callout-error">{error}</div>}
      {changes?.length === 0 && <p className="muted">Nothing to change.</p>}
      {changes?.map((change) => <ChangeDiff key={change.path} change={change} />)}
    </Modal>
  );
}

function ChangeDiff({ change }: { change: FileChangeDto }) {
  const lines = useMemo(() => diffLines(change.before, change.after), [change]);
  const stats = diffStats(lines);
  const kind = change.before === null ? "new file" : change.after === null ? "deleted" : "modified";
  return (
    <div className="diff">
      <div className="diff-header">
        <code>{change.path}</code>
        <span className={`pill ${kind === "new file" ? "pill-success" : kind === "deleted" ? "pill-danger" : ""}`}>{kind}</span>
        <span className="diff-stats">
          <span className="added">+{stats.added}</span> <span className="removed">−{stats.removed}</span>
        </span>
      </div>
      <pre className="diff-body">
        {lines.map((line, index) => (
          <div key={index} className={`diff-line diff-${line.kind}`}>
            <span className="diff-number">{line.oldNumber ?? ""}</span>
            <span className="diff-number">{line.newNumber ?? ""}</span>
            <span className="diff-sign">{line.kind === "add" ? "+" : line.kind === "remove" ? "−" : " "}</span>
            <span className="diff-text">{line.text}</span>
          </div>
        ))}
      </pre>
    </div>
  );
}
