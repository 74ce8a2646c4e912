import { useEffect, useState } from "react";
import type { DiffReportDto, TargetsResponse } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Spinner, formatValue } from "../../shared/ui";
import "./diff.css";

/**
 * The model on the studio's target compared with another target of the profile (`kiln diff`):
 * columns, row counts, per-column checksums computed in each warehouse, and the rows that differ by
 * key — the check before switching from the laptop's DuckDB to Redshift.
 */
export function ComparePanel({ model }: { model: string }) {
  const studio = useStudioInstance();
  const [targets, setTargets] = useState<TargetsResponse | null>(null);
  const [against, setAgainst] = useState("");
  const [key, setKey] = useState("");
  const [state, setState] = useState<{ loading: boolean; report: DiffReportDto | null; error: string | null }>({
    loading: false,
    report: null,
    error: null,
  });

  useEffect(() => {
    let live = true;
    studio.backend
      .call("targets", {})
      .then((response) => {
        if (!live) return;
        setTargets(response);
        const other = response.targets.find((t) => t.name !== response.current);
        if (other) setAgainst((current) => current || other.name);
      })
      .catch((error: unknown) => live && setState({ loading: false, report: null, error: errorDiagnostic(error).message }));
    return () => {
      live = false;
    };
  }, [studio]);

  const others = targets?.targets.filter((t) => t.name !== targets.current) ?? [];
  if (targets && others.length === 0) {
    return (
      <EmptyState title="No other target">
        Add a second target to the profile (profiles.yml: a postgres or redshift output, say) to compare this model on both.
      </EmptyState>
    );
  }

  const compare = async () => {
    setState({ loading: true, report: null, error: null });
    try {
      const keyColumns = key.split(",").map((k) => k.trim()).filter((k) => k.length > 0);
      const report = await studio.backend.call("diffModel", { model, against, key: keyColumns });
      setState({ loading: false, report, error: null });
    } catch (error) {
      setState({ loading: false, report: null, error: errorDiagnostic(error).message });
    }
  };

  const report = state.report;
  return (
    <div className="compare" data-testid="compare-panel">
      <form
        className="compare-form"
        onSubmit={(event) => {
          event.preventDefault();
          void compare();
        }}
      >
        <label>
          <span>{targets?.current ?? "…"} against</span>
          <select value={against} onChange={(event) => setAgainst(event.target.value)} data-testid="compare-target">
            {others.map((t) => (
              <option key={t.name} value={t.name}>
                {t.name} ({t.kind})
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>key</span>
          <input value={key} onChange={(event) => setKey(event.target.value)} placeholder="id (optional)" data-testid="compare-key" />
        </label>
        <Button size="sm" variant="primary" type="submit" disabled={!against || state.loading}>
          Compare
        </Button>
      </form>
      {state.loading && <Spinner label="Comparing in both warehouses…" />}
      {state.error && <div className="note danger">{state.error}</div>}
      {report && (
        <div className="compare-report">
          <div className={`compare-verdict ${report.same ? "same" : "different"}`} data-testid="compare-verdict">
            {report.same ? "Same" : "Different"} · {report.leftRelation} on {report.left} vs {report.rightRelation} on {report.right}
          </div>
          <table className="compare-table">
            <thead>
              <tr>
                <th />
                <th>{report.left}</th>
                <th>{report.right}</th>
              </tr>
            </thead>
            <tbody>
              <tr className={report.leftRows === report.rightRows ? "" : "differs"}>
                <th>rows</th>
                <td>{report.leftRows.toLocaleString()}</td>
                <td>{report.rightRows.toLocaleString()}</td>
              </tr>
              {report.columns.map((c) => (
                <tr key={c.name} className={c.compatible ? "" : "differs"}>
                  <th>{c.name}</th>
                  <td>{c.leftType ?? "—"}</td>
                  <td>{c.rightType ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h4>
            Checksums: {report.checksums.filter((c) => c.equal).length} of {report.checksums.length} equal
          </h4>
          {report.checksums.some((c) => !c.equal) && (
            <table className="compare-table">
              <tbody>
                {report.checksums
                  .filter((c) => !c.equal)
                  .map((c) => (
                    <tr key={`${c.column}.${c.measure}`} className="differs">
                      <th>
                        {c.column} · {c.measure}
                      </th>
                      <td>{formatValue(c.left)}</td>
                      <td>{formatValue(c.right)}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
          {report.rowsSkipped ? (
            <div className="note">{report.rowsSkipped}</div>
          ) : (
            <>
              <h4 data-testid="compare-differing">Rows differing by key: {report.differingRows.toLocaleString()}</h4>
              <ul className="compare-rows">
                {report.rows.map((row, index) => (
                  <li key={index} className={`compare-row ${row.kind}`}>
                    <code>{row.key.map(formatValue).join(", ")}</code>{" "}
                    {row.kind === "onlyLeft"
                      ? `only in ${report.left}`
                      : row.kind === "onlyRight"
                        ? `only in ${report.right}`
                        : row.changes.map((c) => `${c.column}: ${formatValue(c.left)} → ${formatValue(c.right)}`).join(", ")}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </div>
  );
}
