import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, Icon } from "../../shared/ui";
import { describeOrigin, originDetail } from "./origin";
import { RUN_COMMANDS, parseSelector } from "./selector";
import { SelectorBox } from "./SelectorBox";

const COMMAND_ICONS: Record<string, string> = { stage: "stage", run: "play", test: "test", build: "build" };

/** The header: project name, selector field with recent selections, and the one-click commands. */
export function RunToolbar() {
  const studio = useStudioInstance();
  const project = useStudio((state) => state.project);
  const selectorText = useStudio((state) => state.selectorText);
  const run = useStudio((state) => state.run);
  const parsed = parseSelector(selectorText);
  const running = run?.status === "running";
  const elsewhere = run ? describeOrigin(run.origin, studio.clientId) : null;

  return (
    <header className="header">
      <div className="brand-small" title={project?.root}>
        <span className="brand-mark">K</span>
        <span className="brand-project">{project?.name ?? "Kiln"}</span>
      </div>
      <SelectorBox />
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
      <div className={`header-progress ${elsewhere ? "with-origin" : ""}`} aria-live="polite">
        {run && (
          <button
            type="button"
            data-testid="run-chip"
            data-status={run.status}
            data-origin={run.origin?.kind ?? ""}
            className={`run-chip run-${run.status}`}
            title={originDetail(run.origin, studio.clientId)}
            onClick={() => studio.setBottom("progress")}
          >
            <span className="run-chip-label">
              {run.command} {run.status === "running" ? `${run.finished}/${run.total}` : run.status}
              {elsewhere && <span className="run-chip-origin"> · {elsewhere}</span>}
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
