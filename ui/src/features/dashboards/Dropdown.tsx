import { useEffect, useRef, useState, type ReactNode } from "react";
import { Icon } from "../../shared/ui";

/**
 * A labelled button that opens a menu below it; closes on Escape or a click outside. The toolbar
 * drop-downs of a dashboard (time range, variables) share it.
 */
export function Dropdown({
  caption,
  value,
  testId,
  title,
  children,
}: {
  caption: string;
  value: string;
  testId: string;
  title?: string;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const outside = (event: MouseEvent) => {
      if (root.current && !root.current.contains(event.target as Node)) setOpen(false);
    };
    const escape = (event: KeyboardEvent) => {
      if (event.key === "Escape") setOpen(false);
    };
    document.addEventListener("mousedown", outside);
    document.addEventListener("keydown", escape);
    return () => {
      document.removeEventListener("mousedown", outside);
      document.removeEventListener("keydown", escape);
    };
  }, [open]);
  return (
    <div className="toolbar-dropdown" ref={root} data-testid={testId}>
      <button type="button" className="toolbar-dropdown-button" aria-expanded={open} aria-haspopup="true" title={title} onClick={() => setOpen((now) => !now)}>
        <span className="toolbar-dropdown-caption">{caption}</span>
        <span className="toolbar-dropdown-value">{value}</span>
        <Icon name="chevronDown" size={12} />
      </button>
      {open && <div className="dropdown-menu">{children(() => setOpen(false))}</div>}
    </div>
  );
}
