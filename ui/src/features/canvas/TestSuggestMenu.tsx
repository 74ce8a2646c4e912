import type { SuggestedTest } from "./testSuggestions";
import { useAnchoredMenu } from "./useAnchoredMenu";

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
  const { menu, style, onKeyDown } = useAnchoredMenu(anchor, onClose, "start");

  return (
    <div
      ref={menu}
      className="context-menu canvas-suggest-menu"
      style={style}
      role="menu"
      aria-label={`Tests for ${column}`}
      data-testid="canvas-suggest-menu"
      onKeyDown={onKeyDown}
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
