import { useCallback, useEffect, useRef, useState } from "react";
import type { DashboardSummaryDto, DiagnosticDto, ImportGrafanaResponse } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { EmptyState, Icon, Spinner } from "../../shared/ui";

/** The side bar's Dashboards view: the project's dashboards/*.yml, each opening in a tab. */
export function DashboardList() {
  const studio = useStudioInstance();
  const [dashboards, setDashboards] = useState<DashboardSummaryDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const picker = useRef<HTMLInputElement>(null);
  const [imported, setImported] = useState<ImportGrafanaResponse | null>(null);
  /** The last import's failure, and the file to retry with when it only needs overwriting. */
  const [importError, setImportError] = useState<{ diagnostic: DiagnosticDto; retry: { json: string; fileName: string } | null } | null>(null);

  const load = useCallback(() => {
    studio.backend
      .call("dashboards", {})
      .then((answer) => {
        setDashboards(answer.dashboards);
        setError(null);
      })
      .catch((failure: unknown) => setError(errorDiagnostic(failure).message));
  }, [studio]);

  useEffect(() => {
    load();
    // A dashboard file added, edited or removed outside the list shows up without a reload.
    return studio.fileEvents.add((paths) => {
      if (paths.some((path) => /\.ya?ml$/.test(path))) load();
    });
  }, [studio, load]);

  /** Converts a Grafana JSON into dashboards/<title>.yml in the engine and opens it. */
  const importGrafana = useCallback(
    async (json: string, fileName: string, overwrite = false) => {
      setImportError(null);
      try {
        const answer = await studio.backend.call("importGrafanaDashboard", { json, fileName, overwrite });
        setImported(answer);
        load();
        studio.openDashboard(answer.path, answer.title);
      } catch (failure: unknown) {
        const diagnostic = errorDiagnostic(failure);
        setImported(null);
        setImportError({ diagnostic, retry: diagnostic.message.endsWith("already exists") ? { json, fileName } : null });
      }
    },
    [studio, load],
  );

  return (
    <div className="panel" data-testid="dashboard-list">
      <div className="panel-header">
        <span className="panel-title">Dashboards</span>
        <button type="button" className="icon-button" aria-label="Import a Grafana dashboard" title="Import Grafana…" data-testid="grafana-import" onClick={() => picker.current?.click()}>
          <Icon name="plus" size={14} />
        </button>
        <button type="button" className="icon-button" aria-label="Reload dashboards" onClick={load}>
          <Icon name="refresh" size={14} />
        </button>
        <input
          ref={picker}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="grafana-import-file"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = "";
            if (file) void file.text().then((json) => importGrafana(json, file.name));
          }}
        />
      </div>
      <div className="panel-scroll">
        {error && <div className="callout callout-error">{error}</div>}
        {importError && (
          <div className="callout callout-error" data-testid="grafana-import-error">
            <span>
              {importError.diagnostic.code}: {importError.diagnostic.message}
            </span>
            {importError.diagnostic.hint && <span className="muted">{importError.diagnostic.hint}</span>}
            <span className="callout-actions">
              {importError.retry && (
                <button type="button" className="link" onClick={() => importError.retry && void importGrafana(importError.retry.json, importError.retry.fileName, true)}>
                  Replace it
                </button>
              )}
              <button type="button" className="link" onClick={() => setImportError(null)}>
                Dismiss
              </button>
            </span>
          </div>
        )}
        {imported && <ImportReport report={imported} onClose={() => setImported(null)} />}
        {!dashboards && !error && <Spinner />}
        {dashboards?.length === 0 && (
          <EmptyState title="No dashboards yet">
            A dashboard is a YAML file in <code>dashboards/</code>: a title, a refresh interval and panels, each a query and a chart.
          </EmptyState>
        )}
        {dashboards?.map((dashboard) => (
          <button
            key={dashboard.path}
            type="button"
            className="history-item"
            data-testid="dashboard-item"
            data-path={dashboard.path}
            title={dashboard.path}
            onClick={() => studio.openDashboard(dashboard.path, dashboard.title)}
          >
            <span className="dashboard-item-title">
              <Icon name="dashboard" size={14} /> {dashboard.title}
            </span>
            <span className={`history-meta ${dashboard.error ? "danger" : ""}`}>
              {dashboard.error ? `${dashboard.error.code}: ${dashboard.error.message}` : `${dashboard.panels} panel${dashboard.panels === 1 ? "" : "s"} · ${dashboard.path}`}
            </span>
          </button>
        ))}
      </div>
    </div>
  );
}

/** What an import wrote and what it left out, kept until dismissed (the file's header says it too). */
function ImportReport({ report, onClose }: { report: ImportGrafanaResponse; onClose: () => void }) {
  return (
    <div className="callout grafana-report" data-testid="grafana-import-result">
      <span>
        Imported <strong>{report.title}</strong> into <code>{report.path}</code>: {report.panels} panel{report.panels === 1 ? "" : "s"}.
      </span>
      {report.notes.map((note) => (
        <span key={note} className="muted">
          {note}
        </span>
      ))}
      {report.notConverted.length > 0 && (
        <details open={report.notConverted.length <= 6}>
          <summary>Not converted ({report.notConverted.length})</summary>
          <ul className="grafana-skipped">
            {report.notConverted.map((item) => (
              <li key={item} data-testid="grafana-not-converted">
                {item}
              </li>
            ))}
          </ul>
        </details>
      )}
      <span className="callout-actions">
        <button type="button" className="link" onClick={onClose}>
          Dismiss
        </button>
      </span>
    </div>
  );
}
