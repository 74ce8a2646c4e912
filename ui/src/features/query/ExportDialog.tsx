import { useState } from "react";
import type { ExportFormat } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { startDownload } from "../../shared/download";
import { Button, Modal } from "../../shared/ui";

/** Exports a statement's whole result: a download in the browser studio, or a file on the engine's disk. */
export function ExportDialog({ queryId, statement, onClose }: { queryId: string; statement: number; onClose: () => void }) {
  const studio = useStudioInstance();
  // The browser studio may run on another disk than the user's: it downloads by default. The
  // desktop window writes where the user says (it is the user's own disk).
  const canDownload = studio.backend.kind === "http";
  const [where, setWhere] = useState<"download" | "path">(canDownload ? "download" : "path");
  const [format, setFormat] = useState<ExportFormat>("csv");
  const [path, setPath] = useState(`target/exports/query_${statement + 1}.csv`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const changeFormat = (next: ExportFormat) => {
    setFormat(next);
    setPath((current) => current.replace(/\.(csv|parquet)$/i, `.${next}`));
  };
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const download = where === "download";
      const exported = await studio.backend.call("exportQuery", { queryId, statement, format, path, download });
      const url = exported.download ? studio.backend.downloadUrl(exported.download) : null;
      if (url) {
        startDownload(url, exported.path);
        studio.toast("success", `Downloading ${exported.rows.toLocaleString()} rows.`, exported.path);
      } else {
        studio.toast("success", `Exported ${exported.rows.toLocaleString()} rows.`, exported.path);
      }
      onClose();
    } catch (failure) {
      setError(errorDiagnostic(failure).message);
      setBusy(false);
    }
  };
  const label = where === "download" ? "File name" : "File path (relative to the project, or absolute)";
  return (
    <Modal
      title="Export result"
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" data-testid="export-submit" disabled={busy || !path.trim()} onClick={() => void submit()}>
            {busy ? "Exporting…" : where === "download" ? "Download" : "Export"}
          </Button>
        </>
      }
    >
      <p className="muted">The engine writes the whole result (not just the loaded rows).</p>
      <div className="segmented">
        {(["csv", "parquet"] as const).map((option) => (
          <button key={option} type="button" className={format === option ? "active" : ""} onClick={() => changeFormat(option)}>
            {option.toUpperCase()}
          </button>
        ))}
      </div>
      {canDownload && (
        <div className="segmented" role="radiogroup" aria-label="Where to">
          <button type="button" role="radio" aria-checked={where === "download"} data-testid="export-to-download" className={where === "download" ? "active" : ""} onClick={() => setWhere("download")}>
            Download to this computer
          </button>
          <button type="button" role="radio" aria-checked={where === "path"} data-testid="export-to-path" className={where === "path" ? "active" : ""} onClick={() => setWhere("path")}>
            Save on the engine's disk
          </button>
        </div>
      )}
      <label className="field">
        <span className="field-label">{label}</span>
        <input className="input" data-testid="export-path" value={path} onChange={(event) => setPath(event.target.value)} />
      </label>
      {error && <div className="callout callout-error">{error}</div>}
    </Modal>
  );
}
