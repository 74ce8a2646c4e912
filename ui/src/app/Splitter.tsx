import { useRef, type KeyboardEvent, type PointerEvent } from "react";
import { clamp } from "./panelLayout";

interface SplitterProps {
  /** "vertical" splits side by side (drag left/right); "horizontal" stacks (drag up/down). */
  orientation: "vertical" | "horizontal";
  value: number;
  min: number;
  max: number;
  /** Growing the panel means dragging up (a bottom panel) rather than right/down. */
  invert?: boolean;
  label: string;
  onChange: (value: number) => void;
  /** Double-click, or Enter on the keyboard. */
  onToggle?: () => void;
  className?: string;
  testId?: string;
}

const STEP = 16;

/** A draggable, keyboard-operable panel edge (WAI-ARIA window splitter). */
export function Splitter({ orientation, value, min, max, invert = false, label, onChange, onToggle, className = "", testId }: SplitterProps) {
  const drag = useRef<{ start: number; value: number } | null>(null);
  const position = (event: PointerEvent) => (orientation === "vertical" ? event.clientX : event.clientY);
  const sign = invert ? -1 : 1;

  const onKeyDown = (event: KeyboardEvent) => {
    const grow = orientation === "vertical" ? "ArrowRight" : "ArrowDown";
    const shrink = orientation === "vertical" ? "ArrowLeft" : "ArrowUp";
    const step = event.shiftKey ? STEP * 4 : STEP;
    let next: number | null = null;
    if (event.key === grow) next = value + sign * step;
    else if (event.key === shrink) next = value - sign * step;
    else if (event.key === "Home") next = min;
    else if (event.key === "End") next = max;
    else if (event.key === "Enter" && onToggle) {
      event.preventDefault();
      onToggle();
      return;
    }
    if (next === null) return;
    event.preventDefault();
    onChange(clamp(next, min, max));
  };

  return (
    <div
      role="separator"
      tabIndex={0}
      aria-label={label}
      aria-orientation={orientation}
      aria-valuenow={value}
      aria-valuemin={min}
      aria-valuemax={max}
      data-testid={testId}
      title={`${label}: drag, or use the arrow keys${onToggle ? "; double-click to hide" : ""}`}
      className={`splitter splitter-${orientation} ${className}`}
      onKeyDown={onKeyDown}
      onDoubleClick={onToggle}
      onPointerDown={(event) => {
        if (event.button !== 0) return;
        event.preventDefault();
        event.currentTarget.setPointerCapture(event.pointerId);
        drag.current = { start: position(event), value };
        document.body.classList.add(`resizing-${orientation}`);
      }}
      onPointerMove={(event) => {
        if (!drag.current) return;
        onChange(clamp(drag.current.value + sign * (position(event) - drag.current.start), min, max));
      }}
      onPointerUp={(event) => {
        drag.current = null;
        event.currentTarget.releasePointerCapture(event.pointerId);
        document.body.classList.remove(`resizing-${orientation}`);
      }}
      onPointerCancel={() => {
        drag.current = null;
        document.body.classList.remove(`resizing-${orientation}`);
      }}
    />
  );
}
