import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { StepIcon } from "./StepIcon";
import { needsPrevious, TEMPLATE_KINDS } from "./templates";
import type { TemplateKind } from "./types";

/**
 * The kinds of step that can be added after the selected one. Arrow keys move, Enter picks,
 * Escape or a click elsewhere closes. Kinds that read a previous step are disabled on an empty canvas.
 */
export function AddStepMenu({ hasPrevious, onPick, onClose, anchor }: { hasPrevious: boolean; onPick: (kind: TemplateKind) => void; onClose: () => void; anchor: HTMLElement | null }) {
  const menu = useRef<HTMLDivElement>(null);
  // Fixed to the window beside its button, so the scrolling flow does not clip it.
  const [position, setPosition] = useState<{ left: number; top: number } | null>(null);
  useLayoutEffect(() => {
    const button = anchor?.getBoundingClientRect();
    const box = menu.current?.getBoundingClientRect();
    if (!button || !box) return;
    const margin = 8;
    const left = Math.max(margin, Math.min(button.left + button.width / 2 - box.width / 2, window.innerWidth - box.width - margin));
    const below = button.bottom + 4;
    const top = below + box.height <= window.innerHeight - margin ? below : Math.max(margin, button.top - box.height - 4);
    setPosition({ left, top });
  }, [anchor]);
  useEffect(() => {
    const outside = (event: MouseEvent) => {
      if (!(event.target instanceof Node) || menu.current?.contains(event.target) || anchor?.contains(event.target)) return;
      onClose();
    };
    window.addEventListener("mousedown", outside, true);
    window.addEventListener("resize", onClose);
    return () => {
      window.removeEventListener("mousedown", outside, true);
      window.removeEventListener("resize", onClose);
    };
  }, [onClose, anchor]);

  // Once placed (a hidden menu cannot take the focus), the first item has the keyboard.
  const placed = position !== null;
  useEffect(() => {
    if (placed) menu.current?.querySelector<HTMLElement>('[role="menuitem"]:not(:disabled)')?.focus();
  }, [placed]);

  const move = (delta: number) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not(:disabled)') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    items[(at + delta + items.length) % items.length]?.focus();
  };

  return (
    <div
      ref={menu}
      className="context-menu canvas-add-menu"
      style={position ? { left: position.left, top: position.top } : { visibility: "hidden" }}
      role="menu"
      aria-label="Add a step"
      data-testid="canvas-add-menu"
      onKeyDown={(event) => {
        if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault();
          move(event.key === "ArrowDown" ? 1 : -1);
        } else if (event.key === "Escape" || event.key === "Tab") {
          event.preventDefault();
          event.stopPropagation();
          onClose();
        }
      }}
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
