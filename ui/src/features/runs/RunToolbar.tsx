import { useEffect, useRef, useState } from "react";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, Icon } from "../../shared/ui";
import { RUN_COMMANDS, parseSelector } from "./selector";

const COMMAND_ICONS: Record<string, string> = { stage: "stage", run: "play", test: "test", build: "build" };

/** The header: project name, selector field with recent selections, and the one-click commands. */
export function RunToolbar() {
  const studio = useStudioInstance();
  const project = useStudio((state) => state.project);
  const selectorText = useStudio((state) => state.selectorText);
  const history = useStudio((state) => state.selectorHistory);
  const run = useStudio((state) => state.run);
  const [menuOpen, setMenuOpen] = useState(false);
  const field = useRef<HTMLDivElement>(null);
  const parsed = parseSelector(selectorText);
  const running = run?.status === "running";

  useEffect(() => {
    if (!menuOpen) return undefined;
    const close = (event: MouseEvent) => {
      if (!field.current?.contains(event.target as Node)) setMenuOpen(false);
    };
    window.addEventListener("mousedown", close);
    return () => window.removeEventListener("mousedown", close);
  }, [menuOpen]);

  return (
    <header className="header">
      <div className="brand-small" title={project?.root}>
        <span className="brand-mark">K</span>
        <span className="brand-project">{project?.name ?? "Kiln"}</span>
      </div>
      <div className={`selector-field ${parsed.ok ? "" : "invalid"}`} ref={field}>
        <Icon name="search" size={14} />
        <input
          className="selector-input"
          value={selectorText}
          placeholder="Select: everything  (e.g. +fct_sales, tag:marts, staging --exclude stg_x)"
          aria-label="dbt selector"
          aria-invalid={!parsed.ok}
          title={parsed.ok ? "dbt selection syntax; empty means the whole project" : parsed.error}
          onChange={(event) => studio.setSelectorText(event.target.value)}
          onFocus={() => history.length > 0 && setMenuOpen(true)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              setMenuOpen(false);
              void studio.startRun("build");
            } else if (event.key === "Escape") {
              setMenuOpen(false);
            } else if (event.key === "ArrowDown") {
              setMenuOpen(true);
            }
          }}
        />
        {selectorText && (
          <button type="button" className="icon-button" aria-label="Clear selection" onClick={() => studio.setSelectorText("")}>
            <Icon name="close" size={12} />
          </button>
        )}
        {menuOpen && history.length > 0 && (
          <div className="selector-menu" role="listbox" aria-label="Recent selections">
            <div className="menu-caption">Recent selections</div>
            {history.map((entry) => (
              <button
                key={entry}
                type="button"
                role="option"
                aria-selected={entry === selectorText}
                className="menu-item"
                onClick={() => {
                  studio.setSelectorText(entry);
                  setMenuOpen(false);
                }}
              >
                <code>{entry}</code>
              </button>
            ))}
          </div>
        )}
        {!parsed.ok && <div className="selector-error">{parsed.error}</div>}
      </div>
      <div className="run-buttons" role="group" aria-label="Run commands">
        {RUN_COMMANDS.map((entry) => (
          <Button
            key={entry.command}
            data-testid={`run-${entry.command}`}
            size="sm"
            variant={entry.command === "build" ? "primary" : "secondary"}
            icon={<Icon name={COMMAND_ICONS[entry.command] ?? "play"} size={14} />}
            disabled={running || !parsed.ok}
            title={`${entry.description}${selectorText ? ` (${selectorText})` : " (whole project)"}`}
            onClick={() => void studio.startRun(entry.command)}
          >
            {entry.label}
          </Button>
        ))}
        <Button size="sm" variant="ghost" icon={<Icon name="stop" size={14} />} disabled={!running} onClick={() => void studio.cancelRun()} title="Cancel the running command">
          Cancel
        </Button>
      </div>
      <div className="header-progress" aria-live="polite">
        {run && (
          <button type="button" data-testid="run-chip" data-status={run.status} className={`run-chip run-${run.status}`} onClick={() => studio.setBottom("progress")}>
            <span className="run-chip-label">
              {run.command} {run.status === "running" ? `${run.finished}/${run.total}` : run.status}
            </span>
            <span className="run-chip-bar" style={{ width: `${run.total ? Math.round((run.finished / run.total) * 100) : 0}%` }} />
          </button>
        )}
      </div>
      <button type="button" className="icon-button header-palette" title="Command palette (Ctrl+K)" aria-label="Command palette" onClick={() => studio.setPalette(true)}>
        <Icon name="command" />
      </button>
    </header>
  );
}
