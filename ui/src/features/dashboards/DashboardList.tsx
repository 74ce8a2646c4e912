import { useCallback, useEffect, useState } from "react";
import type { DashboardSummaryDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { EmptyState, Icon, Spinner } from "../../shared/ui";

/** The side bar's Dashboards view: the project's dashboards/*.yml, each opening in a tab. */
export function DashboardList() {
  const studio = useStudioInstance();
  const [dashboards, setDashboards] = useState<DashboardSummaryDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);

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

  return (
    <div className="panel" data-testid="dashboard-list">
      <div className="panel-header">
        <span className="panel-title">Dashboards</span>
        <button type="button" className="icon-button" aria-label="Reload dashboards" onClick={load}>
          <Icon name="refresh" size={14} />
        </button>
      </div>
      <div className="panel-scroll">
        {error && <div className="callout callout-error">{error}</div>}
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
