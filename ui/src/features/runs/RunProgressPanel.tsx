import { useEffect, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { NodeResultDto, RunRecord } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Icon, Spinner, StatusBadge } from "../../shared/ui";
import { formatSeconds, isFailure, secondsSince, type NodeProgress } from "./progress";
import { RunLog } from "./RunLog";
import { RunTotals } from "./RunTotals";
import { totalsFromCounts, totalsFromStatuses } from "./totals";
import { describeOrigin, originDetail } from "./origin";
import { ValuesTable } from "../../shared/ValuesTable";

interface Row {
  uniqueId: string;
  name: string;
  status: string;
  startedAt: number | null;
  result: NodeResultDto | null;
}

/** The bottom panel: live per-node progress (or a past run's results) and the run log. */
export function RunProgressPanel() {
  const studio = useStudioInstance();
  const bottom = useStudio((state) => state.bottom);
  const run = useStudio((state) => state.run);
  const viewedRunId = useStudio((state) => state.viewedRunId);
  const runHistory = useStudio((state) => state.runHistory);
  const [past, setPast] = useState<{ runId: string; results: NodeResultDto[] | null; log: string[] | null; error: string | null } | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [onlyProblems, setOnlyProblems] = useState(false);
  const [now, setNow] = useState(() => Date.now());

  const showingPast = viewedRunId !== null && viewedRunId !== run?.runId;
  const pastRecord: RunRecord | undefined = runHistory.find((entry) => entry.runId === viewedRunId);

  useEffect(() => {
    if (!showingPast || !viewedRunId) return;
    setPast({ runId: viewedRunId, results: null, log: null, error: null });
    studio.backend
      .call("runResults", { runId: viewedRunId })
      .then((response) => setPast({ runId: viewedRunId, results: response.results, log: response.log, error: null }))
      .catch((error: unknown) => setPast({ runId: viewedRunId, results: null, log: [], error: errorDiagnostic(error).message }));
  }, [studio, showingPast, viewedRunId]);

  // Ticks the elapsed counters of running nodes; only while something runs.
  useEffect(() => {
    if (run?.status !== "running") return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, [run?.status]);

  const rows: Row[] = useMemo(() => {
    const source: Row[] = showingPast
      ? (past?.results ?? []).map((result) => ({ uniqueId: result.uniqueId, name: result.name, status: result.status, startedAt: null, result }))
      : (run?.nodes ?? []).map((node: NodeProgress) => ({ uniqueId: node.uniqueId, name: node.name, status: node.status, startedAt: node.startedAt, result: node.result }));
    return onlyProblems ? source.filter((row) => isFailure(row.status) || row.status === "skipped" || row.status === "warn") : source;
  }, [showingPast, past, run, onlyProblems]);

  const problems = rows.filter((row) => isFailure(row.status)).length;
  // Counted from every node of the run (not the filtered rows); the engine's counts once it ends.
  const totals = useMemo(() => {
    if (showingPast) return pastRecord ? totalsFromCounts(pastRecord.counts) : null;
    if (!run) return null;
    if (run.status !== "running" && Object.keys(run.counts).length > 0) return totalsFromCounts(run.counts);
    return totalsFromStatuses(run.nodes.filter((node) => node.result !== null).map((node) => node.status));
  }, [showingPast, pastRecord, run]);
  const shownOrigin = showingPast ? (pastRecord?.origin ?? null) : (run?.origin ?? null);
  const elsewhere = describeOrigin(shownOrigin, studio.clientId);
  const selected = rows.find((row) => row.uniqueId === selectedId) ?? null;

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => 28, overscan: 12 });

  // Follow the newest node while a run streams in, unless the user picked one to inspect. At most
  // a few times a second: scrolling forces a layout, and builds can report thousands of nodes.
  const lastFollow = useRef(0);
  useEffect(() => {
    if (showingPast || run?.status !== "running" || selectedId !== null || rows.length === 0) return undefined;
    const wait = Math.max(0, 250 - (performance.now() - lastFollow.current));
    const timer = setTimeout(() => {
      lastFollow.current = performance.now();
      const element = scroller.current;
      if (element) element.scrollTop = rows.length * 28 - element.clientHeight;
    }, wait);
    return () => clearTimeout(timer);
  }, [rows.length, showingPast, run?.status, selectedId]);

  // A new run starts following its newest node again.
  const runId = run?.runId ?? null;
  useEffect(() => {
    setSelectedId(null);
  }, [runId]);

  // When a run ends with failures, open the first one: following the newest node may have left
  // the error scrolled out of view, and the error is what the user wants to see next.
  const settledRun = useRef<string | null>(null);
  useEffect(() => {
    if (showingPast || !run || run.status === "running" || settledRun.current === run.runId) return;
    settledRun.current = run.runId;
    const index = rows.findIndex((row) => isFailure(row.status));
    const failed = rows[index];
    if (!failed) return;
    setSelectedId(failed.uniqueId);
    virtualizer.scrollToIndex(index, { align: "center" });
  }, [showingPast, run, rows, virtualizer]);

  const title = showingPast
    ? `${pastRecord?.command ?? "run"} ${pastRecord?.select.join(" ") ?? ""} · ${pastRecord ? new Date(pastRecord.startedAt).toLocaleString() : ""}`
    : run
      ? `${run.command} · ${run.status === "running" ? `${run.finished} of ${run.total}` : run.status}`
      : "No run yet";

  return (
    <section className="bottom-panel" aria-label="Run panel">
      <div className="bottom-header">
        <div className="segmented" role="tablist">
          <button type="button" role="tab" aria-selected={bottom === "progress"} className={bottom === "progress" ? "active" : ""} onClick={() => studio.setBottom("progress")}>
            Progress
          </button>
          <button type="button" role="tab" aria-selected={bottom === "log"} className={bottom === "log" ? "active" : ""} onClick={() => studio.setBottom("log")}>
            Log
          </button>
        </div>
        <span className={`bottom-title ${run && !showingPast ? `run-${run.status}` : ""}`}>{title}</span>
        {elsewhere && (
          <span className="run-origin" data-testid="run-origin" data-origin={shownOrigin?.kind ?? ""} title={originDetail(shownOrigin, studio.clientId)}>
            {elsewhere}
          </span>
        )}
        {totals && totals.total > 0 && <RunTotals totals={totals} />}
        {!showingPast && run && (
          <span className="bottom-meta">
            {formatSeconds(run.elapsed ?? secondsSince(run.startedAt, now))}
            {problems > 0 && <span className="pill pill-danger">{problems} failed</span>}
          </span>
        )}
        {showingPast && (
          <Button size="sm" variant="ghost" onClick={() => studio.viewRun(null)}>
            Back to latest run
          </Button>
        )}
        <span className="spacer" />
        <label className="checkbox">
          <input type="checkbox" checked={onlyProblems} onChange={(event) => setOnlyProblems(event.target.checked)} />
          Only problems
        </label>
        <button type="button" className="icon-button" aria-label="Close panel" onClick={() => studio.toggleBottom()}>
          <Icon name="close" size={14} />
        </button>
      </div>
      {!showingPast && run && run.total > 0 && (
        <div className="progress-track" aria-hidden="true">
          <div className={`progress-fill run-${run.status}`} style={{ width: `${Math.round((run.finished / run.total) * 100)}%` }} />
        </div>
      )}
      {bottom === "log" ? (
        showingPast ? (
          <RunLog lines={past?.log ?? null} live={false} empty={past?.error ?? "This run was recorded without a log."} />
        ) : (
          <RunLog lines={run?.logs ?? []} live={run?.status === "running"} empty="The run's log appears here as it runs: each node's start and result, then the summary." />
        )
      ) : (
        <div className="bottom-body">
          <div className="node-list" ref={scroller}>
            {showingPast && !past?.results && !past?.error && <Spinner />}
            {showingPast && past?.error && <div className="callout callout-error">{past.error}</div>}
            {!showingPast && !run && (
              <EmptyState title="Nothing has run yet">Press Build (or Stage, Run, Test) in the toolbar; every node reports here as it finishes.</EmptyState>
            )}
            <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
              {virtualizer.getVirtualItems().map((item) => {
                const row = rows[item.index];
                if (!row) return null;
                const result = row.result;
                const elapsed = result ? result.executionTime : row.startedAt !== null ? secondsSince(row.startedAt, now) : null;
                return (
                  <button
                    key={row.uniqueId}
                    type="button"
                    data-testid="run-node"
                    data-status={row.status}
                    data-name={row.name}
                    className={`node-row ${selectedId === row.uniqueId ? "selected" : ""} ${isFailure(row.status) ? "failed" : ""}`}
                    style={{ transform: `translateY(${item.start}px)` }}
                    onClick={() => setSelectedId(selectedId === row.uniqueId ? null : row.uniqueId)}
                  >
                    <span className="node-status">{row.status === "running" ? <Spinner /> : <StatusBadge status={row.status} />}</span>
                    <span className="node-name">{row.name}</span>
                    <span className="node-type">{result?.resourceType ?? ""}</span>
                    <span className="node-rows">
                      {result?.failures ? `${result.failures.toLocaleString()} failing` : result?.rowsAffected !== null && result?.rowsAffected !== undefined ? `${result.rowsAffected.toLocaleString()} rows` : ""}
                    </span>
                    <span className="node-time">{formatSeconds(elapsed)}</span>
                    <span className="node-message">{result?.message ?? ""}</span>
                  </button>
                );
              })}
            </div>
          </div>
          <div className="node-detail">{selected ? <NodeDetail row={selected} /> : <div className="muted pad">Select a node to see its message, compiled SQL and failing rows.</div>}</div>
        </div>
      )}
    </section>
  );
}

function NodeDetail({ row }: { row: Row }) {
  const studio = useStudioInstance();
  const graph = useStudio((state) => state.graph);
  const node = graph?.nodes.find((entry) => entry.id === row.uniqueId);
  const result = row.result;
  const diagnostic = result?.diagnostic ?? null;
  return (
    <div className="node-detail-body">
      <div className="node-detail-title">
        <StatusBadge status={row.status} />
        <strong>{row.name}</strong>
        <span className="muted">{row.uniqueId}</span>
      </div>
      {result?.message && <p className="node-detail-message">{result.message}</p>}
      {diagnostic && (
        <div className="callout callout-error">
          <strong>
            {diagnostic.code}: {diagnostic.message}
          </strong>
          {diagnostic.file && (
            <button type="button" className="link" onClick={() => void studio.openFile(diagnostic.file ?? "", { line: diagnostic.line ?? 1, column: diagnostic.column ?? 1 })}>
              {diagnostic.file}
              {diagnostic.line ? `:${diagnostic.line}` : ""}
              {diagnostic.column ? `:${diagnostic.column}` : ""}
            </button>
          )}
          {diagnostic.hint && <div>{diagnostic.hint}</div>}
        </div>
      )}
      <div className="button-row">
        {node?.path && (
          <Button size="sm" icon={<Icon name="file" size={14} />} onClick={() => void studio.openFile(node.path)}>
            Open {node.resourceType}
          </Button>
        )}
        {result?.compiledPath && (
          <Button size="sm" icon={<Icon name="docs" size={14} />} onClick={() => void studio.openFile(result.compiledPath ?? "")}>
            Compiled SQL
          </Button>
        )}
        {node && (
          <Button size="sm" variant="ghost" icon={<Icon name="graph" size={14} />} onClick={() => studio.showLineage(node.id)}>
            Lineage
          </Button>
        )}
      </div>
      {result?.sample && result.sample.rows.length > 0 && (
        <div className="sample">
          <div className="field-label">
            {isFailure(row.status) ? "Failing rows" : "Sample rows"} ({result.sample.rows.length}
            {result.failures !== null && result.failures > result.sample.rows.length ? ` of ${result.failures.toLocaleString()}` : ""})
          </div>
          <div className="sample-scroll">
            <ValuesTable columns={result.sample.columns.map((column) => column.name)} rows={result.sample.rows} />
          </div>
        </div>
      )}
    </div>
  );
}
