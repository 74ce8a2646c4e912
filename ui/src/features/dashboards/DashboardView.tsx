import { useCallback, useEffect, useState } from "react";
import type { DashboardDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Icon, Spinner } from "../../shared/ui";
import { PanelView } from "./PanelView";
import { filterLabel, filtersFor, toggleFilter, type DashboardFilter } from "./filters";
import { useRefreshTick } from "./refresh";

/** Height of one grid row; panels are `h` rows tall, on a 24-column grid. */
const ROW_PX = 36;

/**
 * A dashboard file drawn full-width: its panels on the 24-column grid, re-queried on the file's
 * refresh interval (paused while the window is hidden), reloaded when the file changes on disk.
 */
export function DashboardView({ path }: { path: string }) {
  const studio = useStudioInstance();
  const [dto, setDto] = useState<DashboardDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [updated, setUpdated] = useState<number | null>(null);
  /** Cross-filters: a click on a bar, region or marker filters the other panels. */
  const [filters, setFilters] = useState<DashboardFilter[]>([]);

  const load = useCallback(() => {
    studio.backend
      .call("openDashboard", { path })
      .then((answer) => {
        setDto(answer);
        setError(null);
        if (answer.dashboard) studio.openDashboard(path, answer.dashboard.title, { activate: false });
      })
      .catch((failure: unknown) => setError(errorDiagnostic(failure).message));
  }, [studio, path]);

  useEffect(() => {
    load();
    return studio.fileEvents.add((paths) => {
      if (paths.includes(path)) load();
    });
  }, [studio, path, load]);

  const { tick, refreshNow, age } = useRefreshTick(dto?.refreshSeconds ?? null, updated);
  const dashboard = dto?.dashboard ?? null;
  const rows = dashboard ? Math.max(1, ...dashboard.panels.map((panel) => panel.grid.y + panel.grid.h)) : 1;

  return (
    <div className="dashboard" data-testid="dashboard" data-path={path}>
      <header className="dashboard-header">
        <div className="dashboard-heading">
          <h1>{dashboard?.title ?? path}</h1>
          {dashboard?.description && <p className="muted">{dashboard.description}</p>}
        </div>
        <span className="spacer" />
        {dashboard?.time && (
          <span className="muted" data-testid="dashboard-time" title="The range Grafana macros ($__timeFilter …) in panel queries expand against">
            {dashboard.time.from} → {dashboard.time.to}
          </span>
        )}
        <span className="muted" data-testid="dashboard-age" title="Time since the panels last answered">
          {dto?.refreshSeconds ? `refreshes every ${formatInterval(dto.refreshSeconds)} · ` : ""}
          {age}
        </span>
        <Button size="sm" variant="ghost" icon={<Icon name="refresh" size={14} />} onClick={refreshNow}>
          Refresh
        </Button>
        <Button size="sm" variant="ghost" icon={<Icon name="file" size={14} />} onClick={() => void studio.openFile(path)}>
          Edit YAML
        </Button>
      </header>
      {filters.length > 0 && (
        <div className="dashboard-filters" data-testid="dashboard-filters">
          <span className="muted">Filtered by</span>
          {filters.map((filter) => (
            <span key={filter.column} className="filter-chip" data-testid="filter-chip">
              {filterLabel(filter)}
              <button type="button" className="icon-button" aria-label={`Remove filter ${filterLabel(filter)}`} onClick={() => setFilters((current) => current.filter((entry) => entry !== filter))}>
                <Icon name="close" size={12} />
              </button>
            </span>
          ))}
          <button type="button" className="link" onClick={() => setFilters([])}>
            Clear all
          </button>
        </div>
      )}
      {error && <div className="callout callout-error">{error}</div>}
      {dto && !dashboard && (
        <div className="dashboard-problems" data-testid="dashboard-problems">
          {dto.diagnostics.map((diagnostic, index) => (
            <div key={index} className="callout callout-error">
              <strong>
                {diagnostic.code}: {diagnostic.message}
              </strong>
              <button type="button" className="link" onClick={() => void studio.openFile(path, { line: diagnostic.line ?? 1 })}>
                {path}
                {diagnostic.line ? `:${diagnostic.line}` : ""}
              </button>
              {diagnostic.hint && <div>{diagnostic.hint}</div>}
            </div>
          ))}
        </div>
      )}
      {!dto && !error && <Spinner label="Opening the dashboard" />}
      {dashboard && (
        <div className="dashboard-grid" style={{ gridTemplateRows: `repeat(${rows}, ${ROW_PX}px)` }}>
          {dashboard.panels.map((panel, index) => (
            <PanelView
              key={`${index}:${panel.title}`}
              path={path}
              index={index}
              panel={panel}
              tick={tick}
              filters={filtersFor(filters, index)}
              onUpdated={setUpdated}
              onSelect={(selection) => setFilters((current) => toggleFilter(current, { ...selection, source: index }))}
            />
          ))}
        </div>
      )}
    </div>
  );
}

function formatInterval(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
