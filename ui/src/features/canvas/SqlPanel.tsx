import { useEffect, useRef } from "react";
import { Icon } from "../../shared/ui";

/**
 * The model's SQL as the engine would write it now, read-only, with the selected step's lines
 * marked and scrolled into view.
 */
export function SqlPanel({ sql, lines, open, onToggle, stale }: { sql: string | null; lines: [number, number] | null; open: boolean; onToggle: () => void; stale: boolean }) {
  const body = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (!open || !lines) return;
    // The step's first line at the top (with one line of context), scrolling only this panel.
    const panel = body.current;
    const first = panel?.querySelector<HTMLElement>(".canvas-sql-line.marked");
    if (panel && first) panel.scrollTop = Math.max(0, first.offsetTop - first.offsetHeight);
  }, [open, lines, sql]);
  const rows = (sql ?? "").split("\n");
  return (
    <section className={`canvas-sql ${open ? "open" : "closed"}`} data-testid="canvas-sql" aria-label="Model SQL">
      <button type="button" className="canvas-sql-head" aria-expanded={open} data-testid="canvas-sql-toggle" onClick={onToggle}>
        <Icon name={open ? "chevronDown" : "chevronRight"} size={12} />
        <span>Model SQL</span>
        {lines && (
          <span className="muted">
            lines {lines[0]}–{lines[1]}
          </span>
        )}
        {stale && <span className="muted">updating…</span>}
      </button>
      {open && (
        <pre className="canvas-sql-body" ref={body} data-testid="canvas-sql-text">
          {rows.map((text, index) => {
            const number = index + 1;
            const marked = lines !== null && number >= lines[0] && number <= lines[1];
            return (
              <div key={index} className={`canvas-sql-line ${marked ? "marked" : ""}`}>
                <span className="canvas-sql-number">{number}</span>
                <span className="canvas-sql-code">{text || " "}</span>
              </div>
            );
          })}
        </pre>
      )}
    </section>
  );
}
