import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { SuggestedTest } from "./testSuggestions";

/** The column header's "+ test" chip: how many tests the column's rows suggest. */
export function SuggestTestsButton({ column, tests, open, onOpen }: { column: string; tests: readonly SuggestedTest[]; open: boolean; onOpen: (anchor: HTMLElement) => void }) {
  const names = tests.map((test) => test.test).join(", ");
  return (
    <button
      type="button"
      className="canvas-suggest-chip"
      data-testid="canvas-suggest-tests"
      data-column={column}
      aria-haspopup="menu"
      aria-expanded={open}
      aria-label={`Suggested tests for ${column}: ${names}`}
      title={`Suggested from these rows: ${names}. Adds the column and the test to the model's YAML.`}
      onClick={(event) => onOpen(event.currentTarget)}
    >
      + {tests.length === 1 ? "test" : `${tests.length} tests`}
    </button>
  );
}

/**
 * The tests suggested for one column, each with why. ↑/↓ move, Enter picks (the YAML change is
 * then shown before anything is written), Escape or Tab closes and gives the chip back the focus.
 */
export function TestSuggestMenu({
  anchor,
  column,
  tests,
  existing,
  onPick,
  onClose,
}: {
  anchor: HTMLElement;
  column: string;
  tests: readonly SuggestedTest[];
  existing: readonly string[];
  onPick: (test: SuggestedTest) => void;
  onClose: () => void;
}) {
  const menu = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState<{ left: number; top: number } | null>(null);
  useLayoutEffect(() => {
    const button = anchor.getBoundingClientRect();
    const box = menu.current?.getBoundingClientRect();
    if (!box) return;
    const margin = 8;
    const left = Math.max(margin, Math.min(button.left, window.innerWidth - box.width - margin));
    const below = button.bottom + 4;
    const top = below + box.height <= window.innerHeight - margin ? below : Math.max(margin, button.top - box.height - 4);
    setPosition({ left, top });
  }, [anchor]);
  useEffect(() => {
    const outside = (event: MouseEvent) => {
      if (!(event.target instanceof Node) || menu.current?.contains(event.target) || anchor.contains(event.target)) return;
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
    if (placed) menu.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, [placed]);

  const move = (delta: number) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    items[(at + delta + items.length) % items.length]?.focus();
  };

  return (
    <div
      ref={menu}
      className="context-menu canvas-suggest-menu"
      style={position ? { left: position.left, top: position.top } : { visibility: "hidden" }}
      role="menu"
      aria-label={`Tests for ${column}`}
      data-testid="canvas-suggest-menu"
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
      <div className="menu-caption">Add a test to {column}</div>
      {tests.map((test) => (
        <button key={test.test} type="button" role="menuitem" tabIndex={-1} className="menu-item canvas-suggest-item" data-testid="canvas-suggest-item" data-test={test.test} onClick={() => onPick(test)}>
          <code>{test.test}</code>
          <span className="canvas-suggest-reason" title={test.reason}>
            {test.reason}
          </span>
        </button>
      ))}
      <p className="canvas-suggest-note">
        {existing.length > 0 ? `Already tested: ${existing.join(", ")}. ` : ""}
        The column and the test are written into the model's YAML (a new file if it has none); the change is shown first.
      </p>
    </div>
  );
}
