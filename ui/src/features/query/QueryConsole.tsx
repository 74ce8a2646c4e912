import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { EditorState, StateEffect, StateField, type Extension } from "@codemirror/state";
import { Decoration, EditorView, type DecorationSet } from "@codemirror/view";
import type { ExplainResponse, QueryHistoryEntry, StatementRangeDto, StatementResultDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Icon, Kbd, Spinner } from "../../shared/ui";
import { baseExtensions } from "../editor/codemirror";
import { consoleCompletionSource } from "./consoleCompletions";
import { formatShortcut } from "../palette/commands";
import { formatSeconds } from "../runs/progress";
import { ConnectionPicker } from "../connections/ConnectionPicker";
import { useConnection } from "../connections/selection";
import { ExplainTree } from "./ExplainTree";
import { ResultGrid } from "./ResultGrid";
import { RestoredResult } from "./RestoredResult";
import { isRestoredTab, loadResultTabs, saveResultTabs } from "./resultTabsStore";
import { statementAt, statementLabel, statementNumber, utf8ByteOffset } from "./statements";

interface ResultTab {
  key: string;
  label: string;
  queryId: string | null;
  result: StatementResultDto;
  totalRows: number | null;
}

const PAGE_SIZE = 200;

function newQueryId(): string {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : `q-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
const DEFAULT_SCRIPT = "-- Ctrl+Enter runs the statement under the cursor; Ctrl+Shift+Enter runs them all.\nselect 1 as hello;\n";

/** The engine's split of the script (`splitScript`), kept in step with edits until it answers anew. */
const setStatements = StateEffect.define<StatementRangeDto[]>();
const engineStatements = StateField.define<StatementRangeDto[]>({
  create: () => [],
  update(ranges, transaction) {
    for (const effect of transaction.effects) if (effect.is(setStatements)) return effect.value;
    if (!transaction.docChanged) return ranges;
    const map = (position: number, assoc: -1 | 1) => transaction.changes.mapPos(position, assoc);
    return ranges.map((range) => ({ ...range, start: map(range.start, 1), end: map(range.end, -1), cursorEnd: map(range.cursorEnd, 1) }));
  },
});

/** Highlights the statement Ctrl+Enter would run, so the user sees what "under the cursor" means. */
const activeStatement = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(_, transaction) {
    const { doc } = transaction.state;
    const range = statementAt(transaction.state.field(engineStatements), transaction.state.selection.main.head);
    if (!range || range.end <= range.start || range.end > doc.length) return Decoration.none;
    const decorations = [];
    for (let line = doc.lineAt(range.start); ; line = doc.line(line.number + 1)) {
      decorations.push(Decoration.line({ class: "cm-statement-active" }).range(line.from));
      if (line.to >= range.end || line.number >= doc.lines) break;
    }
    return Decoration.set(decorations);
  },
  provide: (field) => EditorView.decorations.from(field),
});

/** How long typing pauses before the engine re-splits the script. */
const SPLIT_DELAY_MS = 120;

export function QueryConsole({ visible }: { visible: boolean }) {
  const studio = useStudioInstance();
  const project = useStudio((state) => state.project);
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // Result tabs outlive a reload (resultTabsStore.ts); the workspace mounts one console per project.
  const [restored] = useState(() => loadResultTabs(studio.storage, project?.root ?? ""));
  const [tabs, setTabs] = useState<ResultTab[]>(restored.tabs);
  const [activeKey, setActiveKey] = useState<string | null>(restored.activeKey);
  const [running, setRunning] = useState<{ queryId: string } | null>(null);
  /** Text is selected: Run runs exactly it (as Query Editor v2 and DataGrip do), not the statement. */
  const [selection, setSelection] = useState(false);
  const [historyOpen, setHistoryOpen] = useState(false);
  /** The plan Explain showed, in place of the active result tab until another tab is picked. */
  const [explained, setExplained] = useState<ExplainResponse | null>(null);
  const [explaining, setExplaining] = useState(false);
  const [history, setHistory] = useState<QueryHistoryEntry[] | null>(null);
  // The connection statements run on (null: the studio's target); history is filtered to it.
  const [picked] = useConnection(project?.root ?? "");
  const connection = picked ?? `profile:${project?.targetName ?? ""}`;
  // The editor is made once; its completion reads the connection picked at the time of asking.
  const connectionRef = useRef(connection);
  connectionRef.current = connection;
  const storageKey = `kiln.console.v1:${project?.root ?? ""}`;
  const runCounter = useRef(0);
  /**
   * Totals the engine reported for the query being run before its response arrived: a small
   * result settles (and its `queryProgress` event goes out) moments after the first page is
   * answered, often before the browser has the response and a tab to put the total on.
   */
  const earlyTotals = useRef<{ queryId: string; totals: Map<number, number> } | null>(null);

  useEffect(() => {
    if (!host.current) return undefined;
    let initial = DEFAULT_SCRIPT;
    try {
      initial = localStorage.getItem(storageKey) ?? DEFAULT_SCRIPT;
    } catch {
      // Storage can be unavailable (private mode); the default script is fine then.
    }
    let saveTimer: ReturnType<typeof setTimeout> | null = null;
    let splitTimer: ReturnType<typeof setTimeout> | null = null;
    let splitRequest = 0;
    const split = (target: EditorView) => {
      const sql = target.state.doc.toString();
      splitRequest += 1;
      const request = splitRequest;
      studio.backend
        .call("splitScript", { sql })
        .then((response) => {
          // Only the answer for the text still in the editor.
          if (request === splitRequest && target.state.doc.toString() === sql) target.dispatch({ effects: setStatements.of(response.statements) });
        })
        .catch((error: unknown) => console.warn("Could not split the console script", error));
    };
    const extensions: Extension[] = [
      ...baseExtensions({ language: "sql", completion: consoleCompletionSource(studio, () => connectionRef.current) }),
      engineStatements,
      activeStatement,
      EditorView.updateListener.of((update) => {
        if (update.selectionSet) setSelection(!update.state.selection.main.empty);
        if (!update.docChanged) return;
        if (splitTimer) clearTimeout(splitTimer);
        splitTimer = setTimeout(() => split(update.view), SPLIT_DELAY_MS);
        if (saveTimer) clearTimeout(saveTimer);
        saveTimer = setTimeout(() => {
          try {
            localStorage.setItem(storageKey, update.state.doc.toString());
          } catch (error) {
            console.warn("Could not keep the console script", error);
          }
        }, 300);
      }),
    ];
    const created = new EditorView({ state: EditorState.create({ doc: initial, extensions }), parent: host.current });
    view.current = created;
    split(created);
    // The save above waits for a pause in typing; a reload right after a keystroke must not lose it.
    const flush = () => {
      try {
        localStorage.setItem(storageKey, created.state.doc.toString());
      } catch {
        // Best effort while the page goes away.
      }
    };
    window.addEventListener("pagehide", flush);
    return () => {
      window.removeEventListener("pagehide", flush);
      if (saveTimer) clearTimeout(saveTimer);
      if (splitTimer) clearTimeout(splitTimer);
      splitRequest += 1;
      try {
        localStorage.setItem(storageKey, created.state.doc.toString());
      } catch {
        // Best effort on unmount.
      }
      created.destroy();
      view.current = null;
    };
  }, [studio, storageKey]);

  useEffect(() => {
    if (visible) view.current?.focus();
  }, [visible]);

  useEffect(() => saveResultTabs(studio.storage, project?.root ?? "", tabs, activeKey), [studio, project?.root, tabs, activeKey]);

  // Fills in row counts that were still being computed.
  useEffect(
    () =>
      studio.queryEvents.add((event) => {
        if (earlyTotals.current?.queryId === event.queryId && event.totalRows !== null) earlyTotals.current.totals.set(event.statement, event.totalRows);
        setTabs((current) =>
          current.map((tab) =>
            tab.queryId === event.queryId && tab.result.index === event.statement && event.totalRows !== null ? { ...tab, totalRows: event.totalRows } : tab,
          ),
        );
      }),
    [studio],
  );

  /** `number` names a single statement run from the cursor by its place in the script. */
  const showResults = useCallback((queryId: string | null, statements: StatementResultDto[], append = false, number: number | null = null) => {
    runCounter.current += 1;
    const batch = runCounter.current;
    const created = statements.map((result) => ({
      key: `${batch}:${result.index}`,
      label: statementLabel(result.sql, number ?? result.index + 1),
      queryId,
      result,
      totalRows: result.totalRows ?? (queryId !== null && earlyTotals.current?.queryId === queryId ? earlyTotals.current.totals.get(result.index) : undefined) ?? null,
    }));
    setTabs((current) => (append ? [...current, ...created] : created));
    setExplained(null);
    // Show the first failing statement, otherwise the last one (usually the interesting select).
    const focus = created.find((tab) => tab.result.error) ?? created[created.length - 1];
    setActiveKey(focus?.key ?? null);
  }, []);

  const loadHistory = useCallback(async () => {
    try {
      const response = await studio.backend.call("queryHistory", { connection });
      setHistory(response.entries);
    } catch (error) {
      studio.reportError("Could not load the query history", error);
    }
  }, [studio, connection]);

  useEffect(() => {
    if (historyOpen) void loadHistory();
    // Only when the connection changes (loadHistory changes with it): opening the panel loads it already.
  }, [loadHistory]);

  const execute = useCallback(
    async (mode: "cursor" | "script", sqlOverride?: string) => {
      const current = view.current;
      const picked = current?.state.selection.main;
      const selected = mode === "cursor" && sqlOverride === undefined && picked && !picked.empty ? current.state.sliceDoc(picked.from, picked.to) : null;
      const sql = selected ?? sqlOverride ?? current?.state.doc.toString() ?? "";
      if (!sql.trim()) return;
      // Our own id, so Cancel works before the engine has answered.
      const queryId = newQueryId();
      const ranges = current?.state.field(engineStatements) ?? [];
      const number = mode === "cursor" && selected === null ? statementNumber(ranges, statementAt(ranges, current?.state.selection.main.head ?? 0)) : null;
      setRunning({ queryId });
      earlyTotals.current = { queryId, totals: new Map() };
      try {
        const response =
          mode === "script" || selected !== null
            ? await studio.backend.call("runQuery", { sql, pageSize: PAGE_SIZE, queryId, connection })
            : await studio.backend.call("runStatementAt", {
                sql,
                connection,
                offset: utf8ByteOffset(sql, current?.state.selection.main.head ?? 0),
                pageSize: PAGE_SIZE,
                queryId,
              });
        showResults(response.queryId, response.statements, false, number);
        if (historyOpen) void loadHistory();
      } catch (error) {
        const diagnostic = errorDiagnostic(error);
        showResults(null, [{ index: 0, sql, columns: [], firstPage: [], totalRows: null, elapsed: 0, error: diagnostic }]);
      } finally {
        earlyTotals.current = null;
        setRunning(null);
      }
    },
    [studio, showResults, historyOpen, loadHistory, connection],
  );

  const explain = useCallback(async () => {
    const current = view.current;
    const sql = current?.state.doc.toString() ?? "";
    if (!sql.trim()) return;
    setExplaining(true);
    try {
      setExplained(await studio.backend.call("explainQuery", { sql, offset: utf8ByteOffset(sql, current?.state.selection.main.head ?? 0), connection }));
    } catch (error) {
      showResults(null, [{ index: 0, sql, columns: [], firstPage: [], totalRows: null, elapsed: 0, error: errorDiagnostic(error) }]);
    } finally {
      setExplaining(false);
    }
  }, [studio, showResults, connection]);

  const cancel = useCallback(async () => {
    if (!running?.queryId) return;
    try {
      await studio.backend.call("cancelQuery", { queryId: running.queryId });
    } catch (error) {
      studio.reportError("Could not cancel the query", error);
    }
  }, [studio, running]);

  useEffect(() => {
    studio.consoleActions = {
      runSql: (sql: string) => {
        const current = view.current;
        if (current) {
          const insert = `\n${sql.trim().replace(/;?$/, ";")}\n`;
          const at = current.state.doc.length;
          current.dispatch({ changes: { from: at, insert }, selection: { anchor: at + 1 }, scrollIntoView: true });
        }
        void execute("cursor");
      },
      preview: (schema: string, name: string) => {
        studio.backend
          .call("previewRelation", { schema, name, limit: 500 })
          .then((result) => showResults(null, [{ ...result, sql: result.sql || `select * from ${schema}.${name}` }], true))
          .catch((error: unknown) => studio.reportError(`Could not preview ${schema}.${name}`, error));
      },
    };
    return () => {
      studio.consoleActions = {};
    };
  }, [studio, execute, showResults]);

  useEffect(
    () =>
      studio.registerCommands("console", [
        {
          id: "query.runStatement",
          title: "Run statement under cursor",
          group: "Query",
          shortcut: "Mod+Enter",
          enabled: () => studio.activeTab()?.kind === "query",
          run: () => void execute("cursor"),
        },
        {
          id: "query.runScript",
          title: "Run whole script (one result tab per statement)",
          group: "Query",
          shortcut: "Mod+Shift+Enter",
          enabled: () => studio.activeTab()?.kind === "query",
          run: () => void execute("script"),
        },
        {
          id: "query.cancel",
          title: "Cancel running query",
          group: "Query",
          enabled: () => running !== null,
          run: () => void cancel(),
        },
        {
          id: "query.history",
          title: "Show query history",
          group: "Query",
          run: () => {
            studio.showQuery();
            setHistoryOpen(true);
            void loadHistory();
          },
        },
      ]),
    [studio, execute, cancel, loadHistory, running],
  );

  const active = tabs.find((tab) => tab.key === activeKey) ?? null;
  const statementCount = useMemo(() => tabs.length, [tabs]);

  return (
    <div className="console">
      <div className="console-toolbar">
        <ConnectionPicker root={project?.root ?? ""} />
        <Button variant="primary" size="sm" data-testid="run-statement" icon={<Icon name="play" size={14} />} disabled={running !== null} onClick={() => void execute("cursor")}>
          {selection ? "Run selection" : "Run statement"} <Kbd>{formatShortcut("Mod+Enter")}</Kbd>
        </Button>
        <Button size="sm" disabled={running !== null} onClick={() => void execute("script")}>
          Run script <Kbd>{formatShortcut("Mod+Shift+Enter")}</Kbd>
        </Button>
        <Button
          size="sm"
          data-testid="explain"
          icon={<Icon name="graph" size={14} />}
          disabled={running !== null || explaining}
          title="Show the plan of the statement under the cursor as a tree"
          onClick={() => void explain()}
        >
          Explain
        </Button>
        <Button
          size="sm"
          variant="ghost"
          icon={<Icon name="stop" size={14} />}
          disabled={!running?.queryId}
          title="Cancel the running query"
          onClick={() => void cancel()}
        >
          Cancel
        </Button>
        {(running || explaining) && <Spinner label={explaining ? "Explaining" : "Query running"} />}
        <span className="spacer" />
        <Button
          size="sm"
          variant={historyOpen ? "secondary" : "ghost"}
          icon={<Icon name="history" size={14} />}
          onClick={() => {
            const next = !historyOpen;
            setHistoryOpen(next);
            if (next) void loadHistory();
          }}
        >
          History
        </Button>
      </div>
      <div className="console-split">
        <div className="console-editor" ref={host} data-testid="console-editor" />
        {historyOpen && (
          <div className="console-history">
            <div className="panel-header">
              <span className="panel-title">Query history</span>
              <button type="button" className="icon-button" aria-label="Close history" onClick={() => setHistoryOpen(false)}>
                <Icon name="close" size={14} />
              </button>
            </div>
            <div className="panel-scroll">
              {history === null && <Spinner />}
              {history?.length === 0 && <EmptyState title="No queries yet">Queries you run appear here with their timing.</EmptyState>}
              {history?.map((entry, index) => (
                <button
                  key={`${entry.startedAt}-${index}`}
                  type="button"
                  className="history-item"
                  title="Insert into the console"
                  onClick={() => {
                    const current = view.current;
                    if (!current) return;
                    const at = current.state.doc.length;
                    current.dispatch({ changes: { from: at, insert: `\n${entry.sql.trim()}\n` }, selection: { anchor: at + 1 }, scrollIntoView: true });
                    current.focus();
                  }}
                >
                  <code className="history-sql">{entry.sql.trim().replace(/\s+/g, " ")}</code>
                  <span className={`history-meta ${entry.error ? "danger" : ""}`}>
                    {entry.error ? entry.error : `${entry.rows?.toLocaleString() ?? "?"} rows`} · {formatSeconds(entry.elapsed)} · {new Date(entry.startedAt).toLocaleTimeString()}
                  </span>
                </button>
              ))}
            </div>
          </div>
        )}
      </div>
      <div className="console-results">
        <div className="result-tabs" role="tablist">
          {tabs.map((tab) => (
            <button
              key={tab.key}
              type="button"
              role="tab"
              aria-selected={tab.key === activeKey && !explained}
              className={`result-tab ${tab.key === activeKey && !explained ? "active" : ""} ${tab.result.error ? "has-error" : ""}`}
              title={tab.result.sql}
              onClick={() => {
                setExplained(null);
                setActiveKey(tab.key);
              }}
            >
              {tab.result.error && <Icon name="error" size={12} />}
              {tab.label}
            </button>
          ))}
          {explained && (
            <button type="button" role="tab" aria-selected className="result-tab active" title={explained.sql}>
              <Icon name="graph" size={12} />
              Plan
            </button>
          )}
          {statementCount > 0 && (
            <button type="button" className="result-tab-clear" onClick={() => setTabs([])} title="Close all result tabs">
              Clear
            </button>
          )}
        </div>
        <div className="result-body">
          {explained ? (
            <ExplainTree key={`${explained.line}:${explained.sql}`} response={explained} />
          ) : active && isRestoredTab(active) ? (
            <RestoredResult key={active.key} tab={active} onRunAgain={(sql) => void execute("script", sql)} />
          ) : active ? (
            <ResultGrid key={active.key} result={active.result} queryId={active.queryId} totalRows={active.totalRows} />
          ) : (
            <EmptyState title="Run a query to see its rows here">
              Write SQL against the project's warehouse above. Results stream in pages, so even millions of rows scroll smoothly. Browse tables in the
              Warehouse schema view on the left.
            </EmptyState>
          )}
        </div>
      </div>
    </div>
  );
}
