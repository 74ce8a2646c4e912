import { useCallback, useEffect, useRef, useState } from "react";
import type { ApplyEditRequest } from "../../api";
import { useStudio } from "../../app/useStudio";
import { EmptyState, formatNumber, formatValue, Spinner } from "../../shared/ui";
import { EditPreview } from "../lineage/EditPreview";
import { cancelPreview, previewStep, profileStep, sampleProfile } from "./api";
import type { CanvasSession } from "./session";
import { SuggestTestsButton, TestSuggestMenu } from "./TestSuggestMenu";
import { shownDistinct, type SuggestedTest } from "./testSuggestions";
import type { Canvas, ColumnProfile, Preview } from "./types";
import { useStepQuery } from "./useStepQuery";
import { useTestSuggestions, type TestSuggestions } from "./useTestSuggestions";

export const PREVIEW_ROWS = 100;

/**
 * The selected step's first rows, its row count and per column how many nulls and distinct
 * values. Fetched a moment after the step (or one before it) changes or the selection moves;
 * a preview still running for the previous selection is cancelled.
 */
export function PreviewPanel({ session, canvas, index, suggest }: { session: CanvasSession; canvas: Canvas; index: number; suggest: boolean }) {
  const step = canvas.steps[index];
  const key = step ? `${index}:${JSON.stringify(canvas.steps.slice(0, index + 1))}` : null;
  const backend = session.host.backend;
  const query = useStepQuery<Preview>(key, (queryId) => previewStep(backend, canvas, index, queryId, PREVIEW_ROWS), {
    // Another step selected: ask at once. The same step edited: wait for typing to pause.
    delay: (previous, next) => (previous?.split(":")[0] === next.split(":")[0] ? 200 : 0),
    cancel: (queryId) => void cancelPreview(backend, queryId).catch(() => undefined),
  });
  // The profile scans every row of the step, so it is asked for once the rows are on screen.
  const profileKey = query.key === key && query.value && !query.loading ? key : null;
  const profile = useStepQuery<ColumnProfile[]>(profileKey, (queryId) => profileStep(backend, canvas, index, queryId), {
    delay: 50,
    cancel: (queryId) => void cancelPreview(backend, queryId).catch(() => undefined),
  });
  const stale = query.key !== key;
  const sameStep = query.key?.startsWith(`${index}:`) ?? false;
  const preview = sameStep ? query.value : null;
  const profileFailed = profile.key === key && profile.error !== null;
  const engineProfiles = preview?.profile ?? (profile.key === key && profile.value ? profile.value : null);
  const profiles = engineProfiles ?? (profileFailed && preview ? sampleProfile(preview.columns, preview.rows) : null);
  // Tests are suggested for the saved model's output, from counts over all of its rows.
  const suggestKey = suggest && !stale && !query.loading && preview && engineProfiles ? key : null;
  const estimated = useStudio((current) => current.project?.targetKind === "duckdb");
  const suggestions = useTestSuggestions(session, canvas, index, suggestKey, suggestKey ? preview : null, suggestKey ? engineProfiles : null);

  return (
    <section className="canvas-preview" data-testid="canvas-preview" aria-label="Preview" aria-busy={query.loading} data-step={step?.name ?? ""} data-state={query.loading || stale ? "loading" : query.error ? "error" : "ready"}>
      <div className="canvas-preview-bar">
        <span className="canvas-preview-title">
          Preview{step ? <code>{step.name}</code> : null}
        </span>
        {preview && (
          <span className="canvas-row-count" data-testid="canvas-row-count" data-rows={preview.rowCount ?? ""}>
            {preview.rowCount === null ? `${formatNumber(preview.rows.length, 0)}+ rows` : `${formatNumber(preview.rowCount, 0)} row${preview.rowCount === 1 ? "" : "s"}`}
          </span>
        )}
        {preview && preview.rowCount !== null && preview.rowCount > preview.rows.length && <span className="muted">first {formatNumber(preview.rows.length, 0)} shown</span>}
        {(query.loading || stale) && <Spinner label="Previewing the step" />}
        <span className="spacer" />
        {preview && !profiles && profile.loading && <span className="muted canvas-preview-note">counting nulls and distinct values…</span>}
        {profileFailed && preview && <span className="muted canvas-preview-note" title={profile.error ?? ""}>nulls / distinct of the rows shown</span>}
        {suggestions.checking && <span className="muted canvas-preview-note">checking which tests the columns pass…</span>}
        {suggestions.error && (
          <span className="muted canvas-preview-note" title={suggestions.error}>
            could not count values exactly: only not_null is suggested
          </span>
        )}
      </div>
      {!step && <EmptyState title="No step selected">Select a step to see its rows.</EmptyState>}
      {step && query.error && !query.loading && sameStep && <div className="callout callout-error canvas-preview-error">{query.error}</div>}
      {preview && !(query.error && sameStep) && <PreviewGrid preview={preview} profiles={profiles} dimmed={query.loading || stale} suggestions={suggestKey ? suggestions : null} estimated={estimated && engineProfiles !== null} />}
    </section>
  );
}

function ProfileLine({ profile, pending, rowCount, estimated, exact }: { profile: ColumnProfile | undefined; pending: boolean; rowCount: number | null; estimated: boolean; exact: number | undefined }) {
  if (!profile) return pending ? <span className="canvas-profile muted">…</span> : null;
  // Distinct counts may be estimates (HyperLogLog on DuckDB), marked "≈"; one above the non-null
  // rows is capped there.
  const distinct = shownDistinct(profile, rowCount, { estimated, exact });
  const count = distinct.count === null ? "?" : formatNumber(distinct.count, 0);
  return (
    <span className="canvas-profile" title={`${profile.nulls ?? "?"} null · ${distinct.approximate ? "about " : ""}${count} distinct${distinct.approximate ? " (estimated)" : ""}`}>
      <span className={profile.nulls ? "has-nulls" : ""}>{profile.nulls === null ? "?" : formatNumber(profile.nulls, 0)} null</span>
      <span data-testid="canvas-profile-distinct" data-approximate={distinct.approximate}>
        {distinct.approximate ? "≈" : ""}
        {count} distinct
      </span>
    </span>
  );
}

function PreviewGrid({
  preview,
  profiles: list,
  dimmed,
  suggestions,
  estimated,
}: {
  preview: Preview;
  profiles: ColumnProfile[] | null;
  dimmed: boolean;
  suggestions: TestSuggestions | null;
  /** The profile's distinct counts are estimates (the engine's, on DuckDB; not the sample's). */
  estimated: boolean;
}) {
  const [menu, setMenu] = useState<{ column: string; anchor: HTMLElement } | null>(null);
  const [adding, setAdding] = useState<{ column: string; test: SuggestedTest; anchor: HTMLElement } | null>(null);
  const scroll = useRef<HTMLDivElement>(null);
  const openMenu = useRef(menu);
  openMenu.current = menu;
  const closeMenu = useCallback(() => {
    openMenu.current?.anchor.focus();
    setMenu(null);
  }, []);
  // After a test is written its chip may go (nothing left to suggest): the keyboard goes to the
  // next chip, or the grid, instead of being lost.
  const refocus = useRef(false);
  const byColumn = suggestions?.byColumn;
  useEffect(() => {
    if (!refocus.current) return;
    refocus.current = false;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const next = scroll.current?.querySelector<HTMLElement>('[data-testid="canvas-suggest-tests"]') ?? scroll.current;
    next?.focus({ preventScroll: true });
  }, [byColumn]);
  if (preview.columns.length === 0) return <p className="muted pad">The step has no columns.</p>;
  const profiles = new Map(list?.map((profile) => [profile.name, profile]) ?? []);
  const menuTests = menu ? suggestions?.byColumn.get(menu.column) : undefined;
  const request: ApplyEditRequest | null =
    adding && suggestions?.nodeId
      ? { kind: "addColumnTest", id: suggestions.nodeId, column: adding.column, test: adding.test.test, ...(adding.test.arguments.length > 0 ? { arguments: adding.test.arguments } : {}) }
      : null;
  return (
    <>
      <div className={`canvas-preview-scroll ${dimmed ? "dimmed" : ""}`} ref={scroll} tabIndex={-1}>
        <table className="canvas-grid">
          <thead>
            <tr>
              <th className="canvas-grid-index" aria-label="Row" />
              {preview.columns.map((column, index) => (
                <th key={`${column.name}-${index}`} data-testid="canvas-preview-column" data-column={column.name}>
                  <span className="canvas-grid-head">
                    <span className="canvas-grid-name">{column.name}</span>
                    {suggestions?.byColumn.get(column.name) && (
                      <SuggestTestsButton
                        column={column.name}
                        tests={suggestions.byColumn.get(column.name) ?? []}
                        open={menu?.column === column.name}
                        onOpen={(anchor) => setMenu((current) => (current?.column === column.name ? null : { column: column.name, anchor }))}
                      />
                    )}
                  </span>
                  {column.dataType && <span className="canvas-grid-type">{column.dataType.toLowerCase()}</span>}
                  <ProfileLine
                    profile={profiles.get(column.name)}
                    pending={list === null}
                    rowCount={preview.rowCount}
                    estimated={estimated}
                    exact={suggestions?.exactDistinct.get(column.name)}
                  />
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row, rowIndex) => (
              <tr key={rowIndex} data-testid="canvas-preview-row">
                <td className="canvas-grid-index">{rowIndex + 1}</td>
                {preview.columns.map((_, index) => {
                  const value = row[index];
                  return (
                    <td key={index} className={value === null || value === undefined ? "null" : typeof value === "number" ? "number" : ""}>
                      {formatValue(value)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {preview.rows.length === 0 && <p className="muted pad">No rows: the step keeps none of its input's rows.</p>}
      </div>
      {menu && menuTests && (
        <TestSuggestMenu
          anchor={menu.anchor}
          column={menu.column}
          tests={menuTests}
          existing={suggestions?.existing.get(menu.column) ?? []}
          onClose={closeMenu}
          onPick={(test) => {
            // The chip has the focus while the diff is shown, so closing the diff returns to it.
            menu.anchor.focus();
            setMenu(null);
            setAdding({ column: menu.column, test, anchor: menu.anchor });
          }}
        />
      )}
      {adding && request && (
        <EditPreview
          title={`Add ${adding.test.test} to ${suggestions?.modelName ?? "the model"}.${adding.column}`}
          request={request}
          onClose={() => setAdding(null)}
          onCommitted={() => {
            setAdding(null);
            refocus.current = true;
            suggestions?.reload();
          }}
        />
      )}
    </>
  );
}
