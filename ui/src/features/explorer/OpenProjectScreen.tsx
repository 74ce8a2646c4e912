import { useState } from "react";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, Spinner } from "../../shared/ui";
import { Toasts } from "../../app/Toasts";

/** First launch (or no project open): recent projects and a path field. */
export function OpenProjectScreen() {
  const studio = useStudioInstance();
  const recent = useStudio((state) => state.recentProjects);
  const error = useStudio((state) => state.projectError);
  const starting = useStudio((state) => state.starting);
  const [path, setPath] = useState(recent[0] ?? "");

  return (
    <div className="boot">
      <form
        className="boot-card open-project"
        onSubmit={(event) => {
          event.preventDefault();
          if (path.trim()) void studio.openProject(path.trim());
        }}
      >
        <div className="brand">
          <span className="brand-mark">K</span>
          <div>
            <h1>Kiln Studio</h1>
            <p className="muted">Open a dbt project to see its lineage, edit models and run them.</p>
          </div>
        </div>
        <label className="field">
          <span className="field-label">Project folder (contains dbt_project.yml)</span>
          <input className="input" value={path} placeholder="/path/to/projects/tickit" onChange={(event) => setPath(event.target.value)} autoFocus />
        </label>
        {error && (
          <div className="callout callout-error">
            <strong>{error.message}</strong>
            {error.hint && <div>{error.hint}</div>}
          </div>
        )}
        <div className="row-end">
          {starting && <Spinner />}
          <Button variant="primary" type="submit" disabled={!path.trim() || starting}>
            Open project
          </Button>
        </div>
        {recent.length > 0 && (
          <div className="recent">
            <div className="field-label">Recent projects</div>
            {recent.map((entry) => (
              <button key={entry} type="button" className="recent-item" onClick={() => void studio.openProject(entry)}>
                <span className="recent-name">{entry.split("/").filter(Boolean).pop()}</span>
                <span className="recent-path">{entry}</span>
              </button>
            ))}
          </div>
        )}
      </form>
      <Toasts />
    </div>
  );
}
