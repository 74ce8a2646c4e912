import { formatNumber, Icon, Spinner } from "../../shared/ui";
import { cancelPreview, joinCheckStep } from "./api";
import type { CanvasSession } from "./session";
import { relationLabel } from "./steps";
import type { Canvas, CanvasJoinCheckResponse, JoinCheck } from "./types";
import { useStepQuery } from "./useStepQuery";

/**
 * A join step's health before it is saved: how many left rows find a match, and whether
 * duplicate keys on the right multiply rows (fan-out), per join of the step.
 */
export function JoinCheckPanel({ session, canvas, index }: { session: CanvasSession; canvas: Canvas; index: number }) {
  const key = JSON.stringify(canvas.steps.slice(0, index + 1));
  const backend = session.host.backend;
  const check = useStepQuery<CanvasJoinCheckResponse>(key, (queryId) => joinCheckStep(backend, canvas, index, queryId), {
    delay: 400,
    cancel: (queryId) => void cancelPreview(backend, queryId).catch(() => undefined),
  });
  const step = canvas.steps[index];
  const joins = step?.body.kind === "select" ? step.body.joins : [];
  return (
    <section className="canvas-section" aria-label="Join check" data-testid="canvas-join-check" data-state={check.loading ? "loading" : check.error ? "error" : "ready"}>
      <h3 className="canvas-section-title">
        Join check {check.loading && <Spinner label="Checking the join" />}
      </h3>
      {check.error && <div className="callout callout-error">{check.error}</div>}
      {check.value?.joins.map((entry) => (
        <JoinCheckRow key={entry.join} entry={entry} label={joins[entry.join] ? relationLabel(joins[entry.join]!.input.relation) : `join ${entry.join + 1}`} />
      ))}
      {check.value && check.value.joins.length === 0 && <p className="muted">Nothing to check: this step joins nothing.</p>}
    </section>
  );
}

function JoinCheckRow({ entry, label }: { entry: JoinCheck; label: string }) {
  const rate = Math.round(entry.matchRate * 1000) / 10;
  const warn = entry.fansOut || entry.matchRate < 1;
  return (
    <div className={`canvas-join-check ${entry.fansOut ? "fans-out" : ""} ${warn ? "warn" : "ok"}`} data-testid="canvas-join-check-row" data-fans-out={entry.fansOut}>
      <div className="canvas-join-check-head">
        <Icon name={warn ? "warning" : "check"} size={14} />
        <strong>{label}</strong>
        <span className="canvas-join-rate" data-testid="canvas-join-rate">
          {rate}% matched
        </span>
      </div>
      <div className="canvas-meter" aria-hidden="true">
        <span style={{ width: `${Math.min(100, Math.max(0, entry.matchRate * 100))}%` }} />
      </div>
      <dl className="canvas-join-numbers">
        <dt>left rows</dt>
        <dd>{formatNumber(entry.leftRows, 0)}</dd>
        <dt>matched</dt>
        <dd>{formatNumber(entry.matchedLeftRows, 0)}</dd>
        <dt>output rows</dt>
        <dd>{formatNumber(entry.outputRows, 0)}</dd>
        {entry.duplicateRightKeys > 0 && (
          <>
            <dt>duplicate right keys</dt>
            <dd>{formatNumber(entry.duplicateRightKeys, 0)}</dd>
          </>
        )}
      </dl>
      {entry.fansOut && <p className="canvas-join-warning">Rows multiply: some keys appear more than once on the right, so the step has more rows than its input.</p>}
      {entry.message && <p className="muted canvas-join-message">{entry.message}</p>}
    </div>
  );
}
