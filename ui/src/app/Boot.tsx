import { useEffect, useState } from "react";
import { createBackend } from "../backend/backend";
import { Spinner } from "../shared/ui";
import { Shell } from "./Shell";
import { Studio, errorDiagnostic } from "./studio";
import { StudioContext, useStudio } from "./useStudio";
import { OpenProjectScreen } from "../features/explorer/OpenProjectScreen";
import { useTheme } from "./useTheme";

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** Creates the transport and the studio once, then hands over to the project screen or the shell. */
export function Boot() {
  const [studio, setStudio] = useState<Studio | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    let created: Studio | null = null;
    let cancelled = false;
    createBackend()
      .then((backend) => {
        if (cancelled) return;
        created = new Studio(backend, safeLocalStorage());
        setStudio(created);
        void created.start();
      })
      .catch((error: unknown) => setFailure(errorDiagnostic(error).message));
    return () => {
      cancelled = true;
      created?.dispose();
    };
  }, []);

  if (failure) {
    return (
      <div className="boot">
        <div className="boot-card">
          <h1>Kiln Studio could not start</h1>
          <p>{failure}</p>
        </div>
      </div>
    );
  }
  if (!studio) {
    return (
      <div className="boot">
        <Spinner label="Starting Kiln Studio" />
      </div>
    );
  }
  return (
    <StudioContext.Provider value={studio}>
      <Root />
    </StudioContext.Provider>
  );
}

function Root() {
  useTheme();
  const starting = useStudio((state) => state.starting);
  const project = useStudio((state) => state.project);
  if (starting && !project) {
    return (
      <div className="boot">
        <Spinner label="Opening project" />
        <span className="muted">Opening project…</span>
      </div>
    );
  }
  if (!project) return <OpenProjectScreen />;
  return <Shell />;
}
