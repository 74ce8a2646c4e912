import { StepIcon } from "./StepIcon";
import { needsPrevious, TEMPLATE_KINDS } from "./templates";
import type { TemplateKind } from "./types";
import { useAnchoredMenu } from "./useAnchoredMenu";

/**
 * The kinds of step that can be added after the selected one. Arrow keys move, Enter picks,
 * Escape or a click elsewhere closes. Kinds that read a previous step are disabled on an empty canvas.
 */
export function AddStepMenu({ hasPrevious, onPick, onClose, anchor }: { hasPrevious: boolean; onPick: (kind: TemplateKind) => void; onClose: () => void; anchor: HTMLElement | null }) {
  const { menu, style, onKeyDown } = useAnchoredMenu(anchor, onClose, "center");

  return (
    <div
      ref={menu}
      className="context-menu canvas-add-menu"
      style={style}
      role="menu"
      aria-label="Add a step"
      data-testid="canvas-add-menu"
      onKeyDown={onKeyDown}
    >
      <div className="menu-caption">{hasPrevious ? "Add after the selected step" : "Start with an input"}</div>
      {TEMPLATE_KINDS.map((entry) => {
        const disabled = needsPrevious(entry.kind) && !hasPrevious;
        return (
          <button
            key={entry.kind}
            type="button"
            role="menuitem"
            tabIndex={-1}
            className="menu-item"
            disabled={disabled}
            title={disabled ? "Add an input first: this step reads the step before it" : entry.hint}
            data-testid={`canvas-add-${entry.kind}`}
            onClick={() => onPick(entry.kind)}
          >
            <span className="menu-icon">
              <StepIcon kind={entry.kind} size={13} />
            </span>
            <span className="menu-label">{entry.label}</span>
            <span className="canvas-menu-hint">{entry.hint}</span>
          </button>
        );
      })}
    </div>
  );
}
