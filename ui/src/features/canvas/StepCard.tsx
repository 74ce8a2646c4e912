import { memo } from "react";
import { Icon } from "../../shared/ui";
import { StepIcon } from "./StepIcon";
import { relationLabel } from "./steps";
import type { StepView } from "./stepView";
import { STEP_KIND_LABELS } from "./templates";

/** Inputs shown as chips; a step reading more says "+N" (all of them are in its title). */
const MAX_CHIPS = 3;

/** One step of the flow: kind, name, what it reads, and markers for errors, edits and the output. */
export const StepCard = memo(function StepCard({
  view,
  index,
  count,
  selected,
  onSelect,
  onMove,
  onDelete,
}: {
  view: StepView;
  index: number;
  count: number;
  selected: boolean;
  onSelect: (index: number) => void;
  onMove: (index: number, delta: number) => void;
  onDelete: (index: number) => void;
}) {
  return (
    <div
      role="option"
      aria-selected={selected}
      id={`canvas-step-${index}`}
      data-testid={`canvas-step-${view.name}`}
      data-kind={view.kind}
      data-error={view.error ? "true" : undefined}
      className={`canvas-card kind-${view.kind} ${selected ? "selected" : ""} ${view.error ? "has-error" : ""} ${view.isOutput ? "is-output" : ""}`}
      onClick={() => onSelect(index)}
    >
      <div className="canvas-card-head">
        <span className="canvas-card-icon" title={STEP_KIND_LABELS[view.kind]}>
          <StepIcon kind={view.kind} size={14} />
        </span>
        <span className="canvas-card-name">{view.name || "(unnamed)"}</span>
        <span className="canvas-card-kind">{STEP_KIND_LABELS[view.kind]}</span>
        {view.inputs.length > 0 && (
          <ul className="canvas-card-inputs" aria-label="Reads">
            {view.inputs.slice(0, MAX_CHIPS).map((relation, at) => (
              <li key={at} className={`canvas-chip chip-${relation.kind}`} title={`${relation.kind === "step" ? "step" : relation.kind}: ${relationLabel(relation)}`}>
                {relationLabel(relation)}
              </li>
            ))}
            {view.inputs.length > MAX_CHIPS && (
              <li className="canvas-chip chip-more" title={view.inputs.slice(MAX_CHIPS).map(relationLabel).join(", ")}>
                +{view.inputs.length - MAX_CHIPS}
              </li>
            )}
          </ul>
        )}
        <span className="spacer" />
        {view.error && (
          <span className="canvas-card-marker error" data-testid="canvas-step-error" title={view.error} aria-label={`Problem: ${view.error}`}>
            <Icon name="error" size={14} />
          </span>
        )}
        {view.edited && !view.error && <span className="canvas-card-marker edited" data-testid="canvas-edited-marker" title="Edited: written anew when saved" aria-label="Edited" />}
        <span className="canvas-card-actions">
          <button type="button" className="icon-button" tabIndex={-1} aria-label={`Move ${view.name} up`} title="Move up (Alt+↑)" disabled={index === 0} onClick={(event) => (event.stopPropagation(), onMove(index, -1))}>
            <Icon name="chevronDown" size={12} className="flip" />
          </button>
          <button type="button" className="icon-button" tabIndex={-1} aria-label={`Move ${view.name} down`} title="Move down (Alt+↓)" disabled={index === count - 1} onClick={(event) => (event.stopPropagation(), onMove(index, 1))}>
            <Icon name="chevronDown" size={12} />
          </button>
          <button type="button" className="icon-button" tabIndex={-1} aria-label={`Delete ${view.name}`} title="Delete step (Delete)" data-testid="canvas-delete-step" onClick={(event) => (event.stopPropagation(), onDelete(index))}>
            <Icon name="close" size={12} />
          </button>
        </span>
      </div>
      {view.error && selected && <div className="canvas-card-error">{view.error}</div>}
      {view.isOutput && <div className="canvas-card-output">model output</div>}
    </div>
  );
});
