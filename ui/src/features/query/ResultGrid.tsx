import { Suspense, useEffect, useMemo, useReducer, useRef, useState } from "react";
import { preloadable, whenIdle } from "../../shared/preloadable";
import type { FetchRowsResponse, FilterMode, SortDto, StatementResultDto } from "../../api";
import { useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Icon, formatValue } from "../../shared/ui";
import { formatSeconds } from "../runs/progress";
import { PageCache } from "./pageCache";
import { useScaledRows } from "./scaledScroll";
import { ColumnStatsBar } from "./ColumnStatsBar";
import { ExportDialog } from "./ExportDialog";
import { isNumericType, sortAndFilterRows, toTsv } from "./stats";

// Charts and maps (ECharts, Leaflet, the map shapes) load when a chart is first shown, so the
// studio's first paint does not wait for them.
// The chart code (ECharts and Leaflet, the biggest chunk) is fetched once the studio is idle after
// starting, so that Grid → Chart never waits for it, even right after a first query.
const charts = preloadable(() => import("../explore/ChartPanel").then((module) => module.ChartPanel));
whenIdle(() => void charts.preload());

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

/**
 * A virtualized, paged result grid. Only visible rows exist in the DOM and only the pages around
 * them are in memory (PageCache); sort and filter run in the engine via `fetchRows`, so the grid
 * behaves the same for 10 rows and 10 million. Results without a query id (previews) are small
 * and sorted/filtered locally.
 */
export function ResultGrid({ result, queryId, totalRows }: { result: StatementResultDto; queryId: string | null; totalRows?: number | null }) {
  const studio = useStudioInstance();
  // A result on screen is when a chart may be asked for: fetch the chart code while the user
  // reads the rows, so Grid → Chart does not wait for it.
  useEffect(() => {
    void charts.preload();
  }, []);
  const [sort, setSort] = useState<SortDto | null>(null);
  const [filter, setFilter] = useState("");
  const [appliedFilter, setAppliedFilter] = useState<string | null>(null);
  /** How the engine read the applied filter (a SQL condition, or text), and why not a condition. */
  const [filterRead, setFilterRead] = useState<{ mode: FilterMode | null; note: string | null }>({ mode: null, note: null });
  const [statsColumn, setStatsColumn] = useState<number | null>(null);
  const [selected, setSelected] = useState<{ row: number; column: number } | null>(null);
  const [exporting, setExporting] = useState(false);
  /** The result as rows, or as a chart computed in the engine (console results only). */
  const [view, setView] = useState<"grid" | "chart">("grid");
  const [, rerender] = useReducer((count: number) => count + 1, 0);
  const scroller = useRef<HTMLDivElement>(null);
  const columnNames = useMemo(() => result.columns.map((column) => column.name), [result.columns]);

  const localRows = useMemo(
    () => (queryId === null ? sortAndFilterRows(result.firstPage, columnNames, sort, appliedFilter) : []),
    [queryId, result.firstPage, columnNames, sort, appliedFilter],
  );

  const cache = useMemo(() => {
    if (queryId === null) {
      const rows = localRows;
      return new PageCache(
        (offset, limit) => Promise.resolve({ rows: rows.slice(offset, offset + limit), totalRows: rows.length }),
        { pageSize: PAGE_SIZE },
        { rows, totalRows: rows.length },
      );
    }
    const pristine = sort === null && appliedFilter === null;
    const noted = (page: FetchRowsResponse): FetchRowsResponse => {
      setFilterRead({ mode: page.filterMode, note: page.filterNote });
      return page;
    };
    return new PageCache(
      (offset, limit) =>
        studio.backend.call("fetchRows", { queryId, statement: result.index, offset, limit, sort, filter: appliedFilter }).then(noted),
      { pageSize: PAGE_SIZE, maxPages: 50 },
      pristine ? { rows: result.firstPage, totalRows: totalRows ?? result.totalRows } : undefined,
    );
  }, [studio, queryId, result, localRows, sort, appliedFilter]);

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
          <SqlErrorMessage code={result.error.code} message={result.error.message} />
          {/* A file is another file than the script (profiles.yml for a refused login, the model of a preview). */}
          {(result.error.line !== null || result.error.file) && (
            <div>
              {result.error.file ? `${result.error.file}${result.error.line !== null ? `, line ${result.error.line}` : ""}` : `Line ${result.error.line}`}
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

  return (
    <div className="result-grid" data-query-id={queryId ?? undefined} data-statement={result.index}>
      <div className="grid-toolbar">
        <form
          className="grid-filter"
          onSubmit={(event) => {
            event.preventDefault();
            setFilterRead({ mode: null, note: null });
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
          {appliedFilter ? filterLabel(queryId === null ? "text" : filterRead.mode) : ""} · {formatSeconds(result.elapsed)}
        </span>
        {appliedFilter && filterRead.note && (
          <span className="grid-filter-note" data-testid="filter-note" title={filterRead.note}>
            not a valid condition ({filterRead.note}), so searched as text
          </span>
        )}
        {cache.error && <span className="grid-error" title={cache.error.message}>Could not load rows: {cache.error.message}</span>}
        <span className="spacer" />
        {queryId && (
          <div className="segmented" role="tablist" aria-label="Show the result as">
            <button type="button" role="tab" aria-selected={view === "grid"} data-testid="view-grid" className={view === "grid" ? "active" : ""} onClick={() => setView("grid")}>
              Grid
            </button>
            <button type="button" role="tab" aria-selected={view === "chart"} data-testid="view-chart" className={view === "chart" ? "active" : ""} onClick={() => setView("chart")}>
              Chart
            </button>
          </div>
        )}
        <Button size="sm" variant="ghost" icon={<Icon name="copy" size={14} />} onClick={() => copy(toTsv(columnNames, loadedRows()), "the visible rows as TSV")}>
          Copy
        </Button>
        {queryId && (
          <Button size="sm" variant="ghost" data-testid="export-result" icon={<Icon name="download" size={14} />} onClick={() => setExporting(true)}>
            Export
          </Button>
        )}
      </div>
      {view === "chart" && queryId ? (
        <Suspense fallback={<div className="chart-empty">Loading charts…</div>}>
          <charts.Component queryId={queryId} statement={result.index} filter={appliedFilter} columns={result.columns} />
        </Suspense>
      ) : (
        <>
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
                    title="Column stats over the whole result"
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
          {statsColumn !== null && (
            <ColumnStatsBar
              result={result}
              queryId={queryId}
              column={statsColumn}
              filter={appliedFilter}
              localRows={localRows}
              onClose={() => setStatsColumn(null)}
            />
          )}
        </>
      )}
      {exporting && queryId && <ExportDialog queryId={queryId} statement={result.index} onClose={() => setExporting(false)} />}
    </div>
  );
}

/**
 * The warehouse's message: its first line in bold, and the context DuckDB adds below it
 * (`LINE 6: nope_column` with a `^` under the culprit) kept in monospace with its line breaks,
 * or the caret would point at nothing.
 */
function SqlErrorMessage({ code, message }: { code: string; message: string }) {
  const [headline = "", ...rest] = message.split("\n");
  const context = rest.join("\n").replace(/^\n+/, "").trimEnd();
  return (
    <>
      <strong>
        {code}: {headline}
      </strong>
      {context && <pre className="error-context">{context}</pre>}
    </>
  );
}

function filterLabel(mode: FilterMode | null): string {
  if (mode === "condition") return " · filtered by condition";
  if (mode === "text") return " · filtered by text";
  return " · filtering…";
}
