import { useEffect } from "react";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { EmptyState, Icon, Spinner } from "../../shared/ui";
import { formatSeconds } from "./progress";
import { describeOrigin, originDetail } from "./origin";
import { RunTotals } from "./RunTotals";
import { totalsFromCounts } from "./totals";

/** Past runs (backed by the engine's run_results.json records); click one to inspect it. */
export function RunHistoryList() {
  const studio = useStudioInstance();
  const runs = useStudio((state) => state.runHistory);
  const viewed = useStudio((state) => state.viewedRunId);
  const project = useStudio((state) => state.project);

  useEffect(() => {
    void studio.refreshRunHistory();
  }, [studio]);

  return (
    <div className="panel">
      <div className="panel-header">
        <span className="panel-title">Run history</span>
        <button type="button" className="icon-button" title="Reload" aria-label="Reload run history" onClick={() => void studio.refreshRunHistory()}>
          <Icon name="refresh" size={14} />
        </button>
      </div>
      <div className="panel-scroll">
        {!project && <Spinner />}
        {runs.length === 0 && <EmptyState title="No runs yet">Runs you start from the toolbar or the CLI are listed here.</EmptyState>}
        {runs.map((run) => {
          const elsewhere = describeOrigin(run.origin, studio.clientId);
          return (
            <button key={run.runId} type="button" data-testid="history-run" data-status={run.status} data-origin={run.origin.kind} title={originDetail(run.origin, studio.clientId)} className={`history-run ${viewed === run.runId ? "active" : ""}`} onClick={() => studio.viewRun(run.runId)}>
              <span className={`history-dot run-${run.status}`} />
              <span className="history-run-main">
                <span className="history-run-title">
                  {run.command}
                  {run.select.length > 0 && <code> {run.select.join(" ")}</code>}
                  {elsewhere && <span className="run-origin">{elsewhere}</span>}
                </span>
                <span className="history-run-meta">
                  {new Date(run.startedAt).toLocaleString()} · {formatSeconds(run.elapsed)}
                </span>
                {run.status !== "running" && <RunTotals totals={totalsFromCounts(run.counts)} compact />}
              </span>
              <span className={`pill run-pill-${run.status}`}>{run.status}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
