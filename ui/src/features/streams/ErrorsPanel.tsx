import { useCallback, useEffect, useState } from "react";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Icon, Spinner } from "../../shared/ui";
import { ERROR_ROWS, errorsFromResult, errorsSql, isMissingTable, type ErrorTable, type StreamError } from "./errors";

const TITLES: Record<ErrorTable, { table: string; empty: string }> = {
  scan: {
    table: "kiln_stream.scan_errors",
    empty: "No record has been set aside: every record a view read went into it.",
  },
  load: {
    table: "kiln_stream.load_errors",
    empty: "No delivery has failed to load a record.",
  },
};

/**
 * The newest records streaming views set aside (`scan`) or Firehose deliveries could not load
 * (`load`), read through the console's SQL. Reloads when `version` changes (the rejected counts
 * grew) rather than every second, so the warehouse is asked only when there is news.
 */
export function ErrorsPanel({
  table,
  consumer,
  version,
  onClearFilter,
}: {
  table: ErrorTable;
  /** Only this view's (or delivery stream's) errors; null for all. */
  consumer: string | null;
  version: number;
  onClearFilter: () => void;
}) {
  const studio = useStudioInstance();
  const [rows, setRows] = useState<StreamError[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);

  const load = useCallback(() => {
    setLoading(true);
    studio.backend
      // One query id per list: reloading replaces its stored result instead of piling them up.
      .call("runQuery", { sql: errorsSql(table, consumer), pageSize: ERROR_ROWS, queryId: `streams-${table}-errors` })
      .then((answer) => {
        const statement = answer.statements[0];
        if (!statement) throw new Error("the warehouse answered no statement");
        if (statement.error) {
          if (!isMissingTable(statement.error)) throw new Error(statement.error.message);
          setRows([]);
        } else {
          setRows(errorsFromResult(table, statement));
        }
        setError(null);
      })
      .catch((failure: unknown) => setError(errorDiagnostic(failure).message))
      .finally(() => setLoading(false));
  }, [studio, table, consumer]);

  useEffect(() => {
    load();
  }, [load, version]);

  const titles = TITLES[table];
  return (
    <div className="streams-inspector-body" data-testid={`${table}-errors-panel`}>
      <div className="streams-toolbar">
        {consumer ? (
          <span className="filter-chip" data-testid="errors-filter">
            <span>
              {table === "scan" ? "view" : "delivery stream"} = <code>{consumer}</code>
            </span>
            <button type="button" className="icon-button" aria-label={`Show errors of every ${table === "scan" ? "view" : "delivery"}`} onClick={onClearFilter}>
              <Icon name="close" size={12} />
            </button>
          </span>
        ) : (
          <span className="muted">
            From <code>{titles.table}</code>
          </span>
        )}
        <Button size="sm" variant="ghost" icon={<Icon name="refresh" size={14} />} disabled={loading} onClick={load}>
          Refresh
        </Button>
        <span className="spacer" />
        <span className="muted" aria-live="polite">
          {rows && rows.length > 0 ? (rows.length === ERROR_ROWS ? `the ${ERROR_ROWS} newest` : `${rows.length} error${rows.length === 1 ? "" : "s"}, newest first`) : ""}
        </span>
      </div>
      {error && <div className="callout callout-error">{error}</div>}
      {rows === null && !error && <Spinner label="Reading errors" />}
      {rows?.length === 0 && <p className="streams-placeholder muted">{titles.empty}</p>}
      {rows && rows.length > 0 && (
        <div className="streams-table-scroll streams-records-scroll">
          <table className="streams-table streams-errors" data-testid={`${table}-errors`}>
            <caption className="visually-hidden">{table === "scan" ? "Scan errors" : "Load errors"}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Logged</th>
                <th scope="col">{table === "scan" ? "View" : "Delivery stream"}</th>
                <th scope="col">{table === "scan" ? "Shard" : "Table.column"}</th>
                <th scope="col" className="numeric">
                  Sequence
                </th>
                {table === "scan" && <th scope="col">Partition key</th>}
                <th scope="col">Reason</th>
                <th scope="col">Record</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row, index) => (
                <tr key={`${row.consumer}/${row.where}/${row.sequenceNumber}/${index}`} data-testid="stream-error">
                  <td className="nowrap">{shortTime(row.loggedAt)}</td>
                  <td>
                    <code>{row.consumer}</code>
                  </td>
                  <td className="nowrap">
                    <code>{row.where}</code>
                  </td>
                  <td className="numeric">
                    <code>{row.sequenceNumber}</code>
                  </td>
                  {table === "scan" && (
                    <td>
                      <code>{row.partitionKey}</code>
                    </td>
                  )}
                  <td className="streams-reason" data-testid="stream-error-reason">
                    {row.reason}
                  </td>
                  <td className="streams-data-cell">
                    <pre className="streams-data" tabIndex={0} aria-label={`Record ${row.sequenceNumber}`}>
                      {row.record}
                    </pre>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** A warehouse timestamp ("2025-01-02 10:11:12.345") as its time of day, with the date only when not today. */
function shortTime(value: string | null): string {
  if (!value) return "";
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)/.exec(value);
  if (!match) return value;
  const today = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  const date = `${today.getFullYear()}-${pad(today.getMonth() + 1)}-${pad(today.getDate())}`;
  return match[1] === date ? (match[2] ?? value) : `${match[1]} ${match[2]}`;
}
