import { formatShortcut } from "../features/palette/commands";
import { useStudio, useStudioInstance } from "./useStudio";
import { Icon } from "../shared/ui";
import { useResolvedTheme } from "./useTheme";

export function StatusBar() {
  const studio = useStudioInstance();
  const project = useStudio((state) => state.project);
  const connection = useStudio((state) => state.connection);
  const cursor = useStudio((state) => state.cursor);
  const activeTabId = useStudio((state) => state.activeTabId);
  const compiled = useStudio((state) => state.compiled);
  const run = useStudio((state) => state.run);
  const theme = useResolvedTheme();
  const path = activeTabId?.startsWith("file:") ? activeTabId.slice(5) : null;
  const diagnostics = path ? (compiled[path]?.diagnostics ?? []) : [];
  const errors = diagnostics.filter((diagnostic) => diagnostic.severity === "error").length;
  const warnings = diagnostics.length - errors;

  return (
    <footer className="status-bar">
      <span className={`status-item connection-${connection}`} title={`Engine connection: ${connection} (${studio.backend.kind})`}>
        <span className="status-dot" />
        {connection === "connected" ? "Engine" : connection === "connecting" ? "Connecting…" : "Engine offline"}
      </span>
      {project && (
        <span className="status-item" title={project.warehousePath ?? project.root}>
          {project.targetName} · {project.targetKind} · {project.schema}
        </span>
      )}
      {run && (
        <button type="button" className="status-item status-link" onClick={() => studio.setBottom("progress")}>
          {run.command} {run.status === "running" ? `${run.finished}/${run.total}` : run.status}
        </button>
      )}
      <span className="status-spacer" />
      {path && (
        <span className="status-item" title="Problems in this file">
          <Icon name="error" size={12} /> {errors} <Icon name="warning" size={12} /> {warnings}
        </span>
      )}
      {path && cursor && (
        <span className="status-item">
          Ln {cursor.line}, Col {cursor.column}
        </span>
      )}
      <button
        type="button"
        className="status-item status-link"
        title="Toggle light/dark theme"
        onClick={() => studio.setTheme(theme === "dark" ? "light" : "dark")}
      >
        <Icon name={theme === "dark" ? "moon" : "sun"} size={12} />
        {theme}
      </button>
      <button type="button" className="status-item status-link" onClick={() => studio.setPalette(true)}>
        {formatShortcut("Mod+K")} commands
      </button>
    </footer>
  );
}
