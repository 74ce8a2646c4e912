import { EmptyState, formatNumber, formatValue, Spinner } from "../../shared/ui";
import { cancelPreview, previewStep, profileStep, sampleProfile } from "./api";
import type { CanvasSession } from "./session";
import type { Canvas, ColumnProfile, Preview } from "./types";
import { useStepQuery } from "./useStepQuery";

export const PREVIEW_ROWS = 100;

/**
 * The selected step's first rows, its row count and per column how many nulls and distinct
 * values. Fetched a moment after the step (or one before it) changes or the selection moves;
 * a preview still running for the previous selection is cancelled.
 */
export function PreviewPanel({ session, canvas, index }: { session: CanvasSession; canvas: Canvas; index: number }) {
  const step = canvas.steps[index];
  const key = step ? `${index}:${JSON.stringify(canvas.steps.slice(0, index + 1))}` : null;
  const backend = session.host.backend;
  const query = useStepQuery<Preview>(key, (queryId) => previewStep(backend, canvas, index, queryId, PREVIEW_ROWS), {
    delay: 200,
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
  const profiles = preview?.profile ?? (profile.key === key && profile.value ? profile.value : profileFailed && preview ? sampleProfile(preview.columns, preview.rows) : null);

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
      </div>
      {!step && <EmptyState title="No step selected">Select a step to see its rows.</EmptyState>}
      {step && query.error && !query.loading && sameStep && <div className="callout callout-error canvas-preview-error">{query.error}</div>}
      {preview && !(query.error && sameStep) && <PreviewGrid preview={preview} profiles={profiles} dimmed={query.loading || stale} />}
    </section>
  );
}

function ProfileLine({ profile, pending, rowCount }: { profile: ColumnProfile | undefined; pending: boolean; rowCount: number | null }) {
  if (!profile) return pending ? <span className="canvas-profile muted">…</span> : null;
  // Distinct counts are estimates (HyperLogLog): never more than the non-null rows there are.
  const distinct = profile.distinct !== null && rowCount !== null ? Math.min(profile.distinct, rowCount - (profile.nulls ?? 0)) : profile.distinct;
  return (
    <span className="canvas-profile" title={`${profile.nulls ?? "?"} null · about ${distinct ?? "?"} distinct (estimated)`}>
      <span className={profile.nulls ? "has-nulls" : ""}>{profile.nulls === null ? "?" : formatNumber(profile.nulls, 0)} null</span>
      <span>{distinct === null ? "?" : formatNumber(distinct, 0)} distinct</span>
    </span>
  );
}

function PreviewGrid({ preview, profiles: list, dimmed }: { preview: Preview; profiles: ColumnProfile[] | null; dimmed: boolean }) {
  if (preview.columns.length === 0) return <p className="muted pad">The step has no columns.</p>;
  const profiles = new Map(list?.map((profile) => [profile.name, profile]) ?? []);
  return (
    <div className={`canvas-preview-scroll ${dimmed ? "dimmed" : ""}`}>
      <table className="canvas-grid">
        <thead>
          <tr>
            <th className="canvas-grid-index" aria-label="Row" />
            {preview.columns.map((column, index) => (
              <th key={`${column.name}-${index}`} data-testid="canvas-preview-column">
                <span className="canvas-grid-name">{column.name}</span>
                {column.dataType && <span className="canvas-grid-type">{column.dataType.toLowerCase()}</span>}
                <ProfileLine profile={profiles.get(column.name)} pending={list === null} rowCount={preview.rowCount} />
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
  );
}
