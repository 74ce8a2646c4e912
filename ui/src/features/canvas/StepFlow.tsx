import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";
import { Button, Icon } from "../../shared/ui";
import { AddStepMenu } from "./AddStepMenu";
import { StepCard } from "./StepCard";
import type { StepView } from "./stepView";
import type { TemplateKind } from "./types";

/**
 * The model's steps top to bottom, joined by a rail, the last one marked as the model's output.
 * A listbox: ↑/↓ (Home/End) select, Enter edits in the inspector, Alt+↑/↓ move the step,
 * Delete removes it, and "Add step" sits after the selected card.
 */
export function StepFlow({
  views,
  showEdits,
  selected,
  menuOpen,
  onSelect,
  onMove,
  onDelete,
  onEdit,
  onMenu,
  onPick,
}: {
  views: StepView[];
  /** Marks edited steps; off for a new model, where every step is new. */
  showEdits: boolean;
  selected: number;
  menuOpen: boolean;
  onSelect: (index: number) => void;
  onMove: (index: number, delta: number) => void;
  onDelete: (index: number) => void;
  onEdit: () => void;
  onMenu: (open: boolean) => void;
  onPick: (kind: TemplateKind) => void;
}) {
  const list = useRef<HTMLDivElement>(null);
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);

  useEffect(() => {
    // The card's whole item: the card, and the "Add step" button under it when selected.
    list.current?.querySelector(`#canvas-step-${selected}`)?.parentElement?.scrollIntoView({ block: "nearest" });
  }, [selected]);

  /** A click on a card selects it and gives the list the keyboard. */
  const pickCard = (index: number) => {
    onSelect(index);
    list.current?.focus({ preventScroll: true });
  };

  /** Closed without a pick (Escape, Tab, a click elsewhere): the steps get the keyboard back. */
  const closeMenu = useCallback(() => {
    onMenu(false);
    list.current?.focus({ preventScroll: true });
  }, [onMenu]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.target !== event.currentTarget) return;
    const last = views.length - 1;
    const keys: Record<string, () => void> = event.altKey
      ? { ArrowUp: () => onMove(selected, -1), ArrowDown: () => onMove(selected, 1) }
      : {
          ArrowUp: () => onSelect(Math.max(0, selected - 1)),
          ArrowDown: () => onSelect(Math.min(last, selected + 1)),
          Home: () => onSelect(0),
          End: () => onSelect(last),
          Enter: onEdit,
          Delete: () => selected >= 0 && onDelete(selected),
          "+": () => onMenu(true),
        };
    const handler = keys[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  };

  const addButton = (
    <div className="canvas-add-anchor" ref={setAnchor}>
      <Button size="sm" variant={views.length === 0 ? "primary" : "secondary"} data-testid="canvas-add-step" aria-haspopup="menu" aria-expanded={menuOpen} icon={<Icon name="plus" size={13} />} onClick={() => onMenu(!menuOpen)}>
        {views.length === 0 ? "Add the first step" : "Add step"}
      </Button>
      {menuOpen && <AddStepMenu anchor={anchor} hasPrevious={views.length > 0} onPick={onPick} onClose={closeMenu} />}
    </div>
  );

  return (
    <div
      ref={list}
      className="canvas-flow"
      role="listbox"
      tabIndex={0}
      aria-label="Steps"
      aria-activedescendant={selected >= 0 ? `canvas-step-${selected}` : undefined}
      data-testid="canvas-flow"
      onKeyDown={onKeyDown}
    >
      {views.length === 0 && (
        <div className="canvas-empty">
          <p className="canvas-empty-title">A new model, built step by step</p>
          <p className="muted">Start with an input (a source, seed or model), then join, filter, add formulas and aggregate. The SQL is written for you; each step previews its rows.</p>
          {addButton}
        </div>
      )}
      {views.map((view, index) => (
        <div className="canvas-flow-item" key={`${index}:${view.name}`}>
          {index > 0 && <div className="canvas-rail" aria-hidden="true" />}
          <StepCard view={showEdits ? view : { ...view, edited: false }} index={index} count={views.length} selected={index === selected} onSelect={pickCard} onMove={onMove} onDelete={onDelete} />
          {index === selected && <div className="canvas-rail-add">{addButton}</div>}
        </div>
      ))}
    </div>
  );
}
