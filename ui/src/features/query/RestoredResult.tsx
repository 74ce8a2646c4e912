import { useEffect, useState } from "react";
import { ErrorCode, type StatementResultDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { BackendError } from "../../backend/backend";
import { Button, EmptyState, Icon, Spinner } from "../../shared/ui";
import { ResultGrid } from "./ResultGrid";
import type { PersistedResultTab } from "./resultTabsStore";

/** The grid's page size: the probe's rows become the grid's first page. */
const FIRST_PAGE = 200;

type Probe =
  | { state: "loading" }
  | { state: "ready"; result: StatementResultDto; totalRows: number | null }
  | { state: "gone" }
  | { state: "preview" }
  | { state: "failed"; message: string };

/**
 * Outcomes per restored result, so switching between result tabs asks the engine once. Keyed by
 * the result object, which the console keeps as long as the tab lives.
 */
const probes = new WeakMap<StatementResultDto, Probe>();

function initialProbe(tab: PersistedResultTab): Probe {
  const known = probes.get(tab.result);
  if (known) return known;
  // Errors and statements without columns show without rows, as they did before the reload.
  if (tab.result.error || tab.result.columns.length === 0) return { state: "ready", result: tab.result, totalRows: tab.totalRows };
  // A preview's rows lived only in the page (there is no query id to fetch them with).
  if (tab.queryId === null) return { state: "preview" };
  return { state: "loading" };
}

/**
 * A result tab brought back after a reload. Its rows were not stored, so the first page is fetched
 * from the engine before the grid shows; if the engine no longer knows the query (the studio was
 * restarted), the tab says so and offers to run the statement again instead of a raw error.
 */
export function RestoredResult({ tab, onRunAgain }: { tab: PersistedResultTab; onRunAgain: (sql: string) => void }) {
  const studio = useStudioInstance();
  const [probe, setProbe] = useState<Probe>(() => initialProbe(tab));
  const { queryId, result } = tab;

  useEffect(() => {
    if (probe.state !== "loading" || queryId === null) return undefined;
    let cancelled = false;
    const settle = (outcome: Probe) => {
      probes.set(result, outcome);
      if (!cancelled) setProbe(outcome);
    };
    studio.backend
      .call("fetchRows", { queryId, statement: result.index, offset: 0, limit: FIRST_PAGE })
      .then((page) => settle({ state: "ready", result: { ...result, firstPage: page.rows }, totalRows: page.totalRows }))
      .catch((error: unknown) =>
        settle(error instanceof BackendError && error.code === ErrorCode.UnknownId ? { state: "gone" } : { state: "failed", message: errorDiagnostic(error).message }),
      );
    return () => {
      cancelled = true;
    };
  }, [studio, probe.state, queryId, result]);

  if (probe.state === "loading") {
    return (
      <div className="result-error">
        <Spinner label="Loading the result" />
      </div>
    );
  }
  if (probe.state === "ready") return <ResultGrid result={probe.result} queryId={queryId} totalRows={probe.totalRows} />;

  const runAgain = (
    <>
      <pre className="sql-snippet result-gone-sql">{result.sql}</pre>
      <Button variant="primary" data-testid="rerun-result" icon={<Icon name="play" size={14} />} onClick={() => onRunAgain(result.sql)}>
        Run again
      </Button>
    </>
  );
  const title =
    probe.state === "gone"
      ? "This result is gone: the studio was restarted."
      : probe.state === "preview"
        ? "This preview's rows are not kept across a reload."
        : `Could not load this result: ${probe.message}`;
  return (
    <div className="result-error" data-testid="result-gone" data-reason={probe.state}>
      <EmptyState title={title} action={runAgain}>
        Run the statement again.
        {probe.state === "gone" && " The engine keeps results only while it runs, and lets the oldest go when newer queries need the room."}
      </EmptyState>
    </div>
  );
}
