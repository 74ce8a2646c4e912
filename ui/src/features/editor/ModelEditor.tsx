import { useEffect, useMemo, useRef, useState } from "react";
import { EditorState, type Extension } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { linter, lintGutter, type Action, type Diagnostic } from "@codemirror/lint";
import type { StatementResultDto } from "../../api";
import type { Studio } from "../../app/studio";
import { errorDiagnostic } from "../../app/studio";
import { useBuffersVersion, useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Icon, Spinner } from "../../shared/ui";
import { isDirty } from "./buffers";
import { baseExtensions, languageForPath } from "./codemirror";
import { kilnCompletionSource } from "./completions";
import { referenceNavigation } from "./navigation";
import { fixRange, suggestedFix } from "./references";
import { diagnosticRange, diagnosticsForFile, diagnosticText } from "./diagnostics";
import { ReadOnlyCode } from "./ReadOnlyCode";
import { ResultGrid } from "../query/ResultGrid";
import { DocsSummary } from "../docs/DocsView";
import { ComparePanel } from "../diff/ComparePanel";

const savedStates = new WeakMap<Studio, Map<string, EditorState>>();

function stateCache(studio: Studio): Map<string, EditorState> {
  let cache = savedStates.get(studio);
  if (!cache) {
    cache = new Map();
    savedStates.set(studio, cache);
  }
  return cache;
}

/** Files the engine can compile and check while typing. */
function compilable(path: string): boolean {
  return /\.(sql|ya?ml)$/i.test(path);
}

/** "Did you mean 'x'" as a one-click fix that rewrites the misspelt name nearest the diagnostic. */
function fixActions(message: string, near: number): Action[] {
  const fix = suggestedFix(message);
  if (!fix) return [];
  return [
    {
      name: `Change to ${fix.right}`,
      apply: (view) => {
        const change = fixRange(view.state.doc.toString(), fix.wrong, fix.right, near);
        if (change) view.dispatch({ changes: change });
      },
    },
  ];
}

/**
 * The extensions only close over `studio` and `path`, both fixed for the state's lifetime, so an
 * EditorState (undo history, cursor, folds) can be kept across tab switches and reused.
 */
function editorExtensions(studio: Studio, path: string): Extension[] {
  const language = languageForPath(path);
  const extensions: Extension[] = [
    ...baseExtensions({ language, completion: language === "text" ? undefined : kilnCompletionSource(studio, path) }),
    EditorView.updateListener.of((update) => {
      if (update.docChanged) studio.buffers.edit(path, update.state.doc.toString());
      if (update.docChanged || update.selectionSet || update.focusChanged) {
        const head = update.state.selection.main.head;
        const line = update.state.doc.lineAt(head);
        studio.setCursor({ line: line.number, column: head - line.from + 1 });
      }
    }),
  ];
  if (language === "sql") extensions.push(...referenceNavigation(studio));
  if (compilable(path)) {
    extensions.push(
      lintGutter(),
      linter(
        async (view): Promise<Diagnostic[]> => {
          const content = view.state.doc.toString();
          try {
            const result = await studio.backend.call("compileModel", { path, content });
            studio.setCompiled(path, result);
            const { here } = diagnosticsForFile(result.diagnostics, path);
            return here.map((diagnostic) => {
              const range = diagnosticRange(content, diagnostic);
              return { ...range, severity: diagnostic.severity, source: diagnostic.code, message: diagnosticText(diagnostic), actions: fixActions(diagnostic.message, range.from) };
            });
          } catch (error) {
            const diagnostic = errorDiagnostic(error);
            return [{ from: 0, to: Math.min(1, content.length), severity: "warning", message: `Could not check this file: ${diagnostic.message}` }];
          }
        },
        // compileModel answers in ~10 ms at 1,000 models (bench/studio), so a short debounce keeps
        // keystroke → diagnostic under 100 ms without a request per key when typing fast.
        { delay: 40 },
      ),
    );
  }
  return extensions;
}

export function ModelEditor({ path }: { path: string }) {
  const studio = useStudioInstance();
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const reveal = useStudio((state) => state.reveal);
  useBuffersVersion();
  const buffer = studio.buffers.get(path);

  useEffect(() => {
    const initial = studio.buffers.get(path);
    if (!initial || !host.current) return undefined;
    const cache = stateCache(studio);
    const saved = cache.get(path);
    const state =
      saved && saved.doc.toString() === initial.content
        ? saved
        : EditorState.create({ doc: initial.content, extensions: editorExtensions(studio, path) });
    const created = new EditorView({ state, parent: host.current });
    view.current = created;
    // Disk reloads and reverts change the buffer from outside the editor; mirror them in.
    const unsubscribe = studio.bufferChanges.add(() => {
      const current = studio.buffers.get(path);
      if (current && current.content !== created.state.doc.toString()) {
        created.dispatch({ changes: { from: 0, to: created.state.doc.length, insert: current.content } });
      }
    });
    created.focus();
    return () => {
      cache.set(path, created.state);
      unsubscribe();
      created.destroy();
      view.current = null;
    };
    // The buffer must exist before the view; `buffer !== undefined` re-runs once it is loaded.
  }, [studio, path, buffer !== undefined]);

  useEffect(() => {
    const current = view.current;
    if (!current || !reveal || reveal.path !== path) return;
    const text = current.state.doc.toString();
    const range = diagnosticRange(text, { line: reveal.line, column: reveal.column });
    current.dispatch({ selection: { anchor: range.from }, scrollIntoView: true });
    current.focus();
  }, [reveal, path]);

  const [preview, setPreview] = useState<{ loading: boolean; result: StatementResultDto | null; error: string | null }>({
    loading: false,
    result: null,
    error: null,
  });
  const [aside, setAside] = useState<"compiled" | "preview" | "docs" | "compare">("compiled");
  // Redshift SQL as written, or as the local DuckDB warehouse runs it (translated).
  const [asRun, setAsRun] = useState(false);

  const runPreview = useMemo(
    () => async () => {
      setAside("preview");
      setPreview({ loading: true, result: null, error: null });
      try {
        // The editor's text, saved or not (compiled against the saved project), as dbt Cloud's IDE previews.
        const current = studio.buffers.get(path);
        const content = current && isDirty(current) ? current.content : undefined;
        const result = await studio.backend.call("showModel", { path, limit: 200, content });
        setPreview({ loading: false, result, error: null });
      } catch (error) {
        setPreview({ loading: false, result: null, error: errorDiagnostic(error).message });
      }
    },
    [studio, path],
  );

  const compiled = useStudio((state) => state.compiled[path]);
  const uniqueId = compiled?.uniqueId ?? null;

  // The lineage view's "around model" mode follows the model being edited.
  useEffect(() => {
    if (uniqueId) studio.setLineageFocus(uniqueId);
  }, [studio, uniqueId]);

  useEffect(
    () =>
      studio.registerCommands(`editor:${path}`, [
        {
          id: "model.preview",
          title: "Preview model rows",
          group: "Model",
          shortcut: "Mod+Enter",
          enabled: () => studio.activeTab()?.path === path && path.endsWith(".sql"),
          run: () => void runPreview(),
        },
        {
          id: "model.lineage",
          title: "Show this model in the lineage graph",
          group: "Model",
          enabled: () => studio.activeTab()?.path === path && uniqueId !== null,
          run: () => studio.showLineage(uniqueId ?? undefined),
        },
        {
          id: "model.docs",
          title: "Show docs for this model",
          group: "Model",
          enabled: () => studio.activeTab()?.path === path && uniqueId !== null,
          run: () => uniqueId && studio.showDocs(uniqueId),
        },
      ]),
    [studio, path, runPreview, uniqueId],
  );

  if (!buffer) {
    return (
      <div className="center-fill">
        <Spinner />
      </div>
    );
  }

  const diagnostics = compiled ? diagnosticsForFile(compiled.diagnostics, path) : null;
  const problems = diagnostics ? [...diagnostics.here, ...diagnostics.elsewhere] : [];

  return (
    <div className="editor-layout">
      <div className="editor-column">
        {buffer.changedOnDisk && (
          <div className="banner banner-warning">
            <Icon name="warning" />
            <span>This file changed on disk while you had unsaved edits.</span>
            <Button size="sm" onClick={() => void studio.reloadFromDisk(path)}>
              Reload from disk
            </Button>
            <Button size="sm" variant="danger" onClick={() => void studio.overwriteDisk(path)}>
              Keep mine and save
            </Button>
          </div>
        )}
        {buffer.restored && !buffer.changedOnDisk && (
          <div className="banner banner-info">
            <Icon name="history" />
            <span>Restored unsaved changes from your last session.</span>
            <Button size="sm" onClick={() => void studio.saveFile(path)}>
              Save them
            </Button>
            <Button size="sm" variant="ghost" onClick={() => void studio.reloadFromDisk(path)}>
              Discard
            </Button>
          </div>
        )}
        <div className="editor-pathbar">
          <span className="editor-path">{path}</span>
          {isDirty(buffer) && <span className="pill pill-accent">unsaved</span>}
          <span className="spacer" />
          {path.endsWith(".sql") && (
            <Button size="sm" icon={<Icon name="play" size={14} />} onClick={() => void runPreview()} title="Run the saved model with a limit (Ctrl+Enter)">
              Preview
            </Button>
          )}
          {uniqueId?.startsWith("model.") && (
            <Button size="sm" variant="ghost" data-testid="editor-canvas" icon={<Icon name="stage" size={14} />} onClick={() => studio.openCanvas(path)} title="Edit this model step by step on the canvas">
              Canvas
            </Button>
          )}
          {uniqueId && (
            <Button size="sm" variant="ghost" data-testid="editor-lineage" icon={<Icon name="graph" size={14} />} onClick={() => studio.showLineage(uniqueId)}>
              Lineage
            </Button>
          )}
          <Button size="sm" data-testid="save-file" variant={isDirty(buffer) ? "primary" : "ghost"} disabled={!isDirty(buffer)} onClick={() => void studio.saveFile(path)} title="Save (Ctrl+S)">
            Save
          </Button>
        </div>
        <div className="editor-host" ref={host} data-testid="model-editor" />
      </div>
      <section className="editor-aside" aria-label="Model details">
        <div className="segmented" role="tablist">
          {(["compiled", "preview", "docs", "compare"] as const).map((name) => (
            <button key={name} type="button" role="tab" aria-selected={aside === name} className={aside === name ? "active" : ""} onClick={() => setAside(name)}>
              {name === "compiled" ? "Compiled SQL" : name === "preview" ? "Preview" : name === "docs" ? "Docs" : "Compare"}
              {name === "compiled" && problems.length > 0 && <span className="count-badge danger">{problems.length}</span>}
            </button>
          ))}
        </div>
        {aside === "compiled" && (
          <div className="aside-body" data-testid="compiled-panel">
            {problems.length > 0 && (
              <ul className="problem-list">
                {problems.map((problem, index) => (
                  <li key={index}>
                    <button
                      type="button"
                      className={`problem problem-${problem.severity}`}
                      data-testid="problem"
                      onClick={() =>
                        problem.file && problem.file !== path
                          ? void studio.openFile(problem.file, { line: problem.line ?? 1, column: problem.column ?? 1 })
                          : void studio.openFile(path, { line: problem.line ?? 1, column: problem.column ?? 1 })
                      }
                    >
                      <Icon name={problem.severity === "error" ? "error" : "warning"} size={14} />
                      <span className="problem-text">
                        <span className="problem-message">{problem.message}</span>
                        <span className="problem-where">
                          {problem.code}
                          {problem.file ? ` · ${problem.file}` : ""}
                          {problem.line ? `:${problem.line}` : ""}
                          {problem.column ? `:${problem.column}` : ""}
                        </span>
                        {problem.hint && <span className="problem-hint">{problem.hint}</span>}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
            {compiled?.sql && compiled.warehouseSql && (
              <div className="segmented compiled-dialect" role="tablist" aria-label="Compiled SQL dialect">
                <button
                  type="button"
                  role="tab"
                  aria-selected={!asRun}
                  className={asRun ? "" : "active"}
                  onClick={() => setAsRun(false)}
                >
                  Redshift SQL
                </button>
                <button
                  type="button"
                  role="tab"
                  aria-selected={asRun}
                  className={asRun ? "active" : ""}
                  data-testid="compiled-as-run"
                  onClick={() => setAsRun(true)}
                  title="The SQL the local DuckDB warehouse runs: Kiln's translation of the Redshift SQL"
                >
                  As run on DuckDB
                </button>
              </div>
            )}
            {compiled?.sql ? (
              <ReadOnlyCode text={asRun && compiled.warehouseSql ? compiled.warehouseSql : compiled.sql} />
            ) : (
              <EmptyState title={compiled ? "Nothing compiled" : "Compiling…"}>
                {compiled
                  ? "Fix the problems above and the compiled SQL appears here as you type."
                  : compilable(path)
                    ? "The compiled SQL follows your typing."
                    : "Only SQL and YAML files are compiled."}
              </EmptyState>
            )}
          </div>
        )}
        {aside === "preview" && (
          <div className="aside-body">
            {isDirty(buffer) && preview.result && <div className="note" data-testid="preview-unsaved">Previewing your unsaved edits.</div>}
            {preview.loading && (
              <div className="center-fill">
                <Spinner />
              </div>
            )}
            {preview.error && <div className="callout callout-error">{preview.error}</div>}
            {preview.result && <ResultGrid result={preview.result} queryId={null} />}
            {!preview.loading && !preview.result && !preview.error && (
              <EmptyState title="See the model's first rows" action={<Button onClick={() => void runPreview()}>Preview (Ctrl+Enter)</Button>}>
                Runs the compiled model with a limit of 200 rows; nothing is materialised.
              </EmptyState>
            )}
          </div>
        )}
        {aside === "compare" && (
          <div className="aside-body scroll">
            {uniqueId ? (
              <ComparePanel model={uniqueId.split(".").slice(2).join(".")} />
            ) : (
              <EmptyState title="Nothing to compare">This file is not a model the project knows about.</EmptyState>
            )}
          </div>
        )}
        {aside === "docs" && (
          <div className="aside-body scroll">
            {uniqueId ? <DocsSummary id={uniqueId} /> : <EmptyState title="No docs yet">This file is not a model the project knows about.</EmptyState>}
          </div>
        )}
      </section>
    </div>
  );
}
