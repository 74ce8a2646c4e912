import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { DashboardDto, VariableChoices } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Icon, Spinner } from "../../shared/ui";
import { PanelView } from "./PanelView";
import { filterLabel, filtersFor, toggleFilter, type DashboardFilter } from "./filters";
import { useRefreshTick } from "./refresh";
import { TimePicker } from "./TimePicker";
import { VariableBar } from "./VariableBar";
import { chained, currentPick, panelSelection, readView, usesTime, writeView, type DashboardView as ViewState } from "./viewState";
import { useLayoutEditing } from "./useLayoutEditing";
import { EditPreview } from "../lineage/EditPreview";

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
  const root = studio.state.project?.root ?? "";
  /** The time range and variable picks, remembered per dashboard (the file keeps its defaults). */
  const [view, setView] = useState<ViewState>(() => readView(studio.storage, root, path));
  // The picks as they are now, for a reload's listing (chained drop-downs list what they allow).
  const picks = useRef(view.variables);
  picks.current = view.variables;
  /** Each variable's choices; null while they are being listed. */
  const [listed, setListed] = useState<VariableChoices[] | null>(null);
  const variables = useMemo(() => listed ?? [], [listed]);
  const pickView = (next: ViewState) => {
    setView(next);
    writeView(studio.storage, root, path, next);
  };

  const load = useCallback(() => {
    studio.backend
      .call("openDashboard", { path })
      .then((answer) => {
        setDto(answer);
        setError(null);
        if (answer.dashboard) studio.openDashboard(path, answer.dashboard.title, { activate: false });
        // The drop-downs' choices come from queries: listed after the panels start.
        if (answer.dashboard && (answer.dashboard.variables ?? []).length > 0) {
          studio.backend
            .call("dashboardVariables", { path, variables: picks.current })
            .then((answer) => setListed(answer.variables))
            .catch((failure: unknown) => {
              setListed([]);
              setError(errorDiagnostic(failure).message);
            });
        } else {
          setListed([]);
        }
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
  const layout = useLayoutEditing(dashboard?.panels ?? null, ROW_PX);
  const [saving, setSaving] = useState(false);
  const gridOf = (index: number) => layout.drafts[index]?.grid ?? dashboard?.panels[index]?.grid;
  const rows = dashboard ? Math.max(1, ...dashboard.panels.map((_, index) => (gridOf(index)?.y ?? 0) + (gridOf(index)?.h ?? 1))) + (layout.editing ? 4 : 0) : 1;
  // Only what the panels depend on: the picks of declared variables, and the time range.
  const selection = useMemo(() => {
    const picked: Record<string, string[]> = {};
    for (const entry of variables) picked[entry.variable.name] = currentPick(entry, view.variables[entry.variable.name]);
    return picked;
  }, [variables, view.variables]);
  // Chained drop-downs: a pick changes what the variables after it offer, so they are listed again.
  const isChained = useMemo(() => chained(dto?.dashboard?.variables ?? []), [dto]);
  useEffect(() => {
    if (!isChained) return undefined;
    let current = true;
    studio.backend
      .call("dashboardVariables", { path, variables: view.variables })
      .then((answer) => current && setListed(answer.variables))
      .catch((failure: unknown) => current && setError(errorDiagnostic(failure).message));
    return () => {
      current = false;
    };
  }, [studio, path, isChained, view.variables]);
  const asked = useMemo(() => panelSelection(variables, selection), [variables, selection]);
  const waitingForVariables = (dashboard?.variables?.length ?? 0) > 0 && listed === null;

  return (
    <div className="dashboard" data-testid="dashboard" data-path={path}>
      <header className="dashboard-header">
        <div className="dashboard-heading">
          <h1>{dashboard?.title ?? path}</h1>
          {dashboard?.description && <p className="muted">{dashboard.description}</p>}
        </div>
        <span className="spacer" />
        {dashboard && usesTime(dashboard) && <TimePicker picked={view.time} fileWindow={dashboard.time ?? null} onPick={(time) => pickView({ ...view, time })} />}
        <span className="muted" data-testid="dashboard-age" title="Time since the panels last answered">
          {dto?.refreshSeconds ? `refreshes every ${formatInterval(dto.refreshSeconds)} · ` : ""}
          {age}
        </span>
        <Button size="sm" variant="ghost" icon={<Icon name="refresh" size={14} />} onClick={refreshNow}>
          Refresh
        </Button>
        {layout.editing ? (
          <>
            <span className="muted" data-testid="layout-pending">
              {layout.pending.length === 0 ? "Drag a panel's header to move it, its corner to resize it" : `${layout.pending.length} panel${layout.pending.length === 1 ? "" : "s"} changed`}
            </span>
            <Button size="sm" variant="ghost" onClick={layout.stop}>
              Cancel
            </Button>
            <Button size="sm" variant="primary" disabled={layout.pending.length === 0} onClick={() => setSaving(true)}>
              Save…
            </Button>
          </>
        ) : (
          <>
            <Button size="sm" variant="ghost" icon={<Icon name="edit" size={14} />} disabled={!dashboard} onClick={layout.start}>
              Edit panels
            </Button>
            <Button size="sm" variant="ghost" icon={<Icon name="file" size={14} />} onClick={() => void studio.openFile(path)}>
              Edit YAML
            </Button>
          </>
        )}
      </header>
      {variables.length > 0 && (
        <div className="dashboard-variables" data-testid="dashboard-variables">
          <VariableBar variables={variables} selection={selection} onPick={(name, values) => pickView({ ...view, variables: { ...view.variables, [name]: values } })} />
        </div>
      )}
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
      {dashboard && !waitingForVariables && (
        <div className={`dashboard-grid${layout.editing ? " editing" : ""}`} ref={layout.grid} style={{ gridTemplateRows: `repeat(${rows}, ${ROW_PX}px)` }}>
          {dashboard.panels.map((panel, index) => (
            <PanelView
              key={`${index}:${panel.title}`}
              path={path}
              index={index}
              panel={panel}
              grid={gridOf(index) ?? panel.grid}
              spec={layout.drafts[index]?.chart ?? null}
              editing={layout.editing}
              onDrag={(kind, event) => layout.beginDrag(index, kind, event)}
              onChart={(chart) => layout.setChart(index, chart)}
              tick={tick}
              filters={filtersFor(filters, index)}
              time={view.time}
              variables={asked}
              onUpdated={setUpdated}
              onSelect={(selection) => setFilters((current) => toggleFilter(current, { ...selection, source: index }))}
            />
          ))}
        </div>
      )}
      {saving && (
        <EditPreview
          title={`Save ${dashboard?.title ?? path}`}
          request={{ kind: "editDashboard", path, edits: layout.pending }}
          onClose={() => setSaving(false)}
          onCommitted={() => {
            setSaving(false);
            layout.stop();
            load();
          }}
        />
      )}
    </div>
  );
}

function formatInterval(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
