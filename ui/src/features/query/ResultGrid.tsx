import { useEffect, useMemo, useReducer, useRef, useState } from "react";
import type { ExportFormat, SortDto, StatementResultDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Icon, Modal, formatValue } from "../../shared/ui";
import { formatSeconds } from "../runs/progress";
import { PageCache } from "./pageCache";
import { useScaledRows } from "./scaledScroll";
import { columnStats, sortAndFilterRows, toTsv } from "./stats";

const PAGE_SIZE = 200;
const ROW_HEIGHT = 26;
/** The sticky column header inside the scroller (.grid-header in app.css). */
const HEADER_HEIGHT = 40;

/** Width from the header and the first rows' values, so timestamps and names are not cut off. */
function columnWidth(name: string, dataType: string | null, sample: readonly unknown[][], index: number): number {
  let longest = Math.max(name.length + 2, (dataType ?? "").length);
  for (const row of sample) longest = Math.max(longest, formatValue(row[index]).length);
  return Math.round(Math.min(360, Math.max(80, longest * 7.4 + 28)));
}

function isNumericType(dataType: string | null): boolean {
  return dataType !== null && /int|float|double|decimal|numeric|real|hugeint|bigint/i.test(dataType);
}

/**
 * A virtualized, paged result grid. Only visible rows exist in the DOM and only the pages around
 * them are in memory (PageCache); sort and filter run in the engine via `fetchRows`, so the grid
 * behaves the same for 10 rows and 10 million. Results without a query id (previews) are small
 * and sorted/filtered locally.
 */
export function ResultGrid({ result, queryId, totalRows }: { result: StatementResultDto; queryId: string | null; totalRows?: number | null }) {
  const studio = useStudioInstance();
  const [sort, setSort] = useState<SortDto | null>(null);
  const [filter, setFilter] = useState("");
  const [appliedFilter, setAppliedFilter] = useState<string | null>(null);
  const [statsColumn, setStatsColumn] = useState<number | null>(null);
  const [selected, setSelected] = useState<{ row: number; column: number } | null>(null);
  const [exporting, setExporting] = useState(false);
  const [, rerender] = useReducer((count: number) => count + 1, 0);
  const scroller = useRef<HTMLDivElement>(null);
  const columnNames = useMemo(() => result.columns.map((column) => column.name), [result.columns]);

  const cache = useMemo(() => {
    if (queryId === null) {
      const rows = sortAndFilterRows(result.firstPage, columnNames, sort, appliedFilter);
      return new PageCache(
        (offset, limit) => Promise.resolve({ rows: rows.slice(offset, offset + limit), totalRows: rows.length }),
        { pageSize: PAGE_SIZE },
        { rows, totalRows: rows.length },
      );
    }
    const pristine = sort === null && appliedFilter === null;
    return new PageCache(
      (offset, limit) =>
        studio.backend.call("fetchRows", { queryId, statement: result.index, offset, limit, sort, filter: appliedFilter }),
      { pageSize: PAGE_SIZE, maxPages: 50 },
      pristine ? { rows: result.firstPage, totalRows: totalRows ?? result.totalRows } : undefined,
    );
  }, [studio, queryId, result, columnNames, sort, appliedFilter]);

  useEffect(() => {
    const unsubscribe = cache.subscribe(rerender);
    return () => {
      unsubscribe();
      cache.dispose();
    };
  }, [cache]);

  useEffect(() => {
    if (totalRows !== undefined && sort === null && appliedFilter === null) cache.setTotalRows(totalRows);
  }, [cache, totalRows, sort, appliedFilter]);

  // While the engine is still counting, let the user scroll into what has been seen so far.
  const knownTotal = cache.totalRows;
  const count = knownTotal ?? Math.max(result.firstPage.length, PAGE_SIZE);
  const { totalSize, items, first: firstIndex, last: lastIndex, onKey } = useScaledRows(scroller, count, ROW_HEIGHT, HEADER_HEIGHT, 30);

  useEffect(() => {
    if (count === 0) return;
    void cache.ensureRange(firstIndex, lastIndex + 1);
  }, [cache, firstIndex, lastIndex, count]);

  const widths = useMemo(
    () => result.columns.map((column, index) => columnWidth(column.name, column.dataType, result.firstPage.slice(0, 50), index)),
    [result.columns, result.firstPage],
  );
  const numberWidth = Math.max(48, String(count).length * 8 + 20);
  const template = `${numberWidth}px ${widths.map((width) => `${width}px`).join(" ")}`;
  const totalWidth = numberWidth + widths.reduce((sum, width) => sum + width, 0);

  const loadedRows = (): unknown[][] => {
    const rows: unknown[][] = [];
    for (let index = firstIndex; index <= lastIndex; index += 1) {
      const row = cache.getRow(index);
      if (row) rows.push(row);
    }
    return rows;
  };

  const copy = (text: string, what: string) => {
    navigator.clipboard
      ?.writeText(text)
      .then(() => studio.toast("success", `Copied ${what}.`))
      .catch((error: unknown) => studio.reportError("Could not copy to the clipboard", error));
  };

  const toggleSort = (column: string) => {
    setSort((current) => {
      if (!current || current.column !== column) return { column, descending: false };
      if (!current.descending) return { column, descending: true };
      return null;
    });
  };

  if (result.error) {
    return (
      <div className="result-error">
        <div className="callout callout-error">
          <strong>
            {result.error.code}: {result.error.message}
          </strong>
          {result.error.line !== null && (
            <div>
              Line {result.error.line}
              {result.error.column !== null ? `, column ${result.error.column}` : ""}
            </div>
          )}
          {result.error.hint && <div>{result.error.hint}</div>}
        </div>
        <pre className="sql-snippet">{result.sql}</pre>
      </div>
    );
  }

  if (result.columns.length === 0) {
    return (
      <EmptyState title="Statement ran">
        No rows to show · {formatSeconds(result.elapsed)}
        {result.totalRows !== null ? ` · ${result.totalRows.toLocaleString()} rows affected` : ""}
      </EmptyState>
    );
  }

  const stats = statsColumn !== null ? columnStats(loadedRows(), statsColumn) : null;

  return (
    <div className="result-grid" data-query-id={queryId ?? undefined} data-statement={result.index}>
      <div className="grid-toolbar">
        <form
          className="grid-filter"
          onSubmit={(event) => {
            event.preventDefault();
            setAppliedFilter(filter.trim() ? filter.trim() : null);
          }}
        >
          <Icon name="filter" size={14} />
          <input
            className="input input-sm"
            placeholder={queryId ? "Filter rows (SQL condition or text), Enter to apply" : "Filter rows, Enter to apply"}
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            aria-label="Filter rows"
          />
        </form>
        <span className="grid-count" data-testid="grid-count">
          {knownTotal === null ? "counting…" : `${knownTotal.toLocaleString()} row${knownTotal === 1 ? "" : "s"}`}
          {sort ? ` · sorted by ${sort.column} ${sort.descending ? "↓" : "↑"}` : ""}
          {appliedFilter ? " · filtered" : ""} · {formatSeconds(result.elapsed)}
        </span>
        {cache.error && <span className="grid-error" title={cache.error.message}>Could not load rows: {cache.error.message}</span>}
        <span className="spacer" />
        <Button size="sm" variant="ghost" icon={<Icon name="copy" size={14} />} onClick={() => copy(toTsv(columnNames, loadedRows()), "the visible rows as TSV")}>
          Copy
        </Button>
        {queryId && (
          <Button size="sm" variant="ghost" data-testid="export-result" icon={<Icon name="download" size={14} />} onClick={() => setExporting(true)}>
            Export
          </Button>
        )}
      </div>
      <div
        className="grid-scroller"
        data-testid="grid-scroller"
        ref={scroller}
        tabIndex={0}
        onKeyDown={(event) => {
          if (!event.ctrlKey && !event.metaKey && !event.altKey && onKey(event.key)) {
            event.preventDefault();
            return;
          }
          if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "c" && selected) {
            const row = cache.getRow(selected.row);
            if (row) {
              event.preventDefault();
              copy(formatValue(row[selected.column]), "the cell");
            }
          }
        }}
      >
        <div className="grid-header" style={{ gridTemplateColumns: template, width: totalWidth }}>
          <div className="grid-cell grid-rownum">#</div>
          {result.columns.map((column, index) => (
            <div key={`${column.name}-${index}`} className="grid-cell grid-head" title={column.description || column.dataType || column.name}>
              <button type="button" className="grid-head-button" onClick={() => toggleSort(column.name)}>
                <span className="grid-head-name">{column.name}</span>
                <span className="grid-head-type">{column.dataType ?? ""}</span>
                {sort?.column === column.name && <span className="grid-sort">{sort.descending ? "↓" : "↑"}</span>}
              </button>
              <button
                type="button"
                className={`grid-stats-button ${statsColumn === index ? "active" : ""}`}
                title="Column stats over the rows in view"
                aria-label={`Stats for ${column.name}`}
                onClick={() => setStatsColumn(statsColumn === index ? null : index)}
              >
                Σ
              </button>
            </div>
          ))}
        </div>
        <div style={{ height: totalSize, width: totalWidth, position: "relative" }}>
          {items.map((item) => {
            const row = cache.getRow(item.index);
            return (
              <div
                key={item.index}
                data-testid="grid-row"
                data-row={item.index}
                className={`grid-row ${item.index % 2 ? "odd" : ""}`}
                style={{ gridTemplateColumns: template, transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
              >
                <div
                  className="grid-cell grid-rownum"
                  title="Click to copy the row"
                  onClick={() => row && copy(toTsv(columnNames, [row]).split("\n")[1] ?? "", `row ${item.index + 1}`)}
                >
                  {item.index + 1}
                </div>
                {result.columns.map((column, columnIndex) => {
                  const value = row?.[columnIndex];
                  const isSelected = selected?.row === item.index && selected.column === columnIndex;
                  return (
                    <div
                      key={columnIndex}
                      className={`grid-cell ${isNumericType(column.dataType) ? "numeric" : ""} ${value === null ? "null" : ""} ${isSelected ? "selected" : ""} ${row ? "" : "loading"}`}
                      onClick={() => setSelected({ row: item.index, column: columnIndex })}
                      title={row ? formatValue(value) : undefined}
                    >
                      {row ? formatValue(value) : ""}
                    </div>
                  );
                })}
              </div>
            );
          })}
        </div>
        {knownTotal === 0 && <div className="grid-empty">No rows{appliedFilter ? " match the filter" : ""}.</div>}
      </div>
      {stats && statsColumn !== null && (
        <div className="grid-stats">
          <strong>{result.columns[statsColumn]?.name}</strong>
          <span>over the {stats.rows.toLocaleString()} rows in view</span>
          <span>nulls {stats.nulls.toLocaleString()}</span>
          <span>
            distinct {stats.distinct.toLocaleString()}
            {stats.distinctCapped ? "+" : ""}
          </span>
          <span>min {formatValue(stats.min)}</span>
          <span>max {formatValue(stats.max)}</span>
          {stats.mean !== null && <span>mean {stats.mean.toLocaleString(undefined, { maximumFractionDigits: 4 })}</span>}
          <button type="button" className="icon-button" aria-label="Close stats" onClick={() => setStatsColumn(null)}>
            <Icon name="close" size={12} />
          </button>
        </div>
      )}
      {exporting && queryId && <ExportDialog queryId={queryId} statement={result.index} onClose={() => setExporting(false)} />}
    </div>
  );
}

function ExportDialog({ queryId, statement, onClose }: { queryId: string; statement: number; onClose: () => void }) {
  const studio = useStudioInstance();
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
      const exported = await studio.backend.call("exportQuery", { queryId, statement, format, path });
      studio.toast("success", `Exported ${exported.rows.toLocaleString()} rows.`, exported.path);
      onClose();
    } catch (failure) {
      setError(errorDiagnostic(failure).message);
      setBusy(false);
    }
  };
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
            {busy ? "Exporting…" : "Export"}
          </Button>
        </>
      }
    >
      <p className="muted">The engine writes the whole result (not just the loaded rows) straight to the file.</p>
      <div className="segmented">
        {(["csv", "parquet"] as const).map((option) => (
          <button key={option} type="button" className={format === option ? "active" : ""} onClick={() => changeFormat(option)}>
            {option.toUpperCase()}
          </button>
        ))}
      </div>
      <label className="field">
        <span className="field-label">File path (relative to the project, or absolute)</span>
        <input className="input" data-testid="export-path" value={path} onChange={(event) => setPath(event.target.value)} />
      </label>
      {error && <div className="callout callout-error">{error}</div>}
    </Modal>
  );
}
