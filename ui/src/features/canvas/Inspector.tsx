import { forwardRef } from "react";
import { ClausesSection } from "./ClausesSection";
import { ColumnsSection } from "./ColumnsSection";
import { columnsForStep } from "./hooks";
import { JoinCheckPanel } from "./JoinCheckPanel";
import { SqlStepEditor, UnionInspector } from "./OtherInspectors";
import { ReadsSection } from "./ReadsSection";
import type { RelationOption } from "./relations";
import type { CanvasSession, CanvasSessionState } from "./session";
import { StepIcon } from "./StepIcon";
import { renameStep, setStepBody, updateSelect } from "./steps";
import type { StepView } from "./stepView";
import { STEP_KIND_LABELS } from "./templates";
import type { SelectBlock } from "./types";

/**
 * The selected step's fields. Every change becomes a new canvas in the session (merged per field
 * while typing), and nothing typed is thrown away: wrong SQL is flagged on the step, not undone.
 */
export const Inspector = forwardRef<HTMLDivElement, { session: CanvasSession; state: CanvasSessionState; view: StepView | null; index: number; options: readonly RelationOption[] }>(
  function Inspector({ session, state, view, index, options }, ref) {
    const canvas = state.history.present;
    const step = canvas.steps[index];
    if (!step || !view) {
      return (
        <div className="canvas-inspector" ref={ref} tabIndex={-1} data-testid="canvas-inspector">
          <p className="muted canvas-help">Select a step to edit it, or add the model's first step: an input from a model, seed or source.</p>
        </div>
      );
    }
    const key = (field: string) => `${index}:${field}`;
    const columns = columnsForStep(state, canvas, index);
    const updateBlock = (patch: Partial<SelectBlock>, field?: string) => session.edit(updateSelect(session.canvas, index, patch), field === undefined ? undefined : key(field));
    return (
      <div className="canvas-inspector" ref={ref} tabIndex={-1} data-testid="canvas-inspector" aria-label={`Step ${step.name}`} onBlur={() => session.seal()}>
        <div className="canvas-inspector-head">
          <span className={`canvas-kind kind-${view.kind}`}>
            <StepIcon kind={view.kind} size={14} />
            {STEP_KIND_LABELS[view.kind]}
          </span>
          {view.isOutput && <span className="pill pill-accent">model output</span>}
          {view.edited && <span className="pill">edited</span>}
        </div>
        <label className="field">
          <span className="field-label">Step name</span>
          <input
            className={`input input-sm ${view.nameError ? "invalid" : ""}`}
            aria-invalid={view.nameError !== null}
            data-testid="canvas-field-name"
            value={step.name}
            spellCheck={false}
            onChange={(event) => session.edit(renameStep(session.canvas, index, event.target.value), key("name"))}
          />
        </label>
        {view.error && step.body.kind !== "sql" && (
          <div className="callout callout-error canvas-step-problem" data-testid="canvas-inspector-error">
            {view.error}
          </div>
        )}
        {step.body.kind === "select" && (
          <>
            <ReadsSection block={step.body} update={updateBlock} options={options} columns={columns} />
            {view.kind === "join" && <JoinCheckPanel session={session} canvas={canvas} index={index} />}
            <ColumnsSection block={step.body} update={updateBlock} columns={columns} />
            <ClausesSection key={index} block={step.body} update={updateBlock} columns={columns} />
          </>
        )}
        {step.body.kind === "union" && <UnionInspector body={step.body} options={options} onChange={(body) => session.edit(setStepBody(session.canvas, index, body))} />}
        {step.body.kind === "sql" && (
          <SqlStepEditor body={step.body} error={view.error} onChange={(body, field) => session.edit(setStepBody(session.canvas, index, body), field === undefined ? undefined : key(field))} />
        )}
      </div>
    );
  },
);
