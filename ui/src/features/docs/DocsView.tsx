import { useEffect, useState } from "react";
import type { DocsColumnDto, DocsDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Icon, Spinner } from "../../shared/ui";
import { ReadOnlyCode } from "../editor/ReadOnlyCode";
import { LAYER_LABELS } from "../lineage/graphModel";
import { AddTestDialog } from "./AddTestDialog";
import { ExposureDetails, Markdown, TestChip } from "./DocsParts";
import "./docs.css";

/** Column tests are written into the properties YAML of these. */
const TESTABLE = new Set(["model", "seed", "snapshot"]);

function useDocs(id: string): { docs: DocsDto | null; error: string | null; reload: () => void } {
  const studio = useStudioInstance();
  const graph = useStudio((state) => state.graph);
  const [docs, setDocs] = useState<DocsDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    let cancelled = false;
    setError(null);
    studio.backend
      .call("docs", { id })
      .then((result) => !cancelled && setDocs(result))
      .catch((failure: unknown) => !cancelled && setError(errorDiagnostic(failure).message));
    return () => {
      cancelled = true;
    };
    // A new graph (after a save or run) may carry new descriptions or tests.
  }, [studio, id, graph, nonce]);
  return { docs: docs?.id === id ? docs : null, error, reload: () => setNonce((value) => value + 1) };
}

/** The full docs page of a model, source, seed or exposure. */
export function DocsView({ id }: { id: string }) {
  const studio = useStudioInstance();
  const { docs, error } = useDocs(id);
  const [code, setCode] = useState<"raw" | "compiled">("raw");
  if (error) return <EmptyState title="No docs for this node">{error}</EmptyState>;
  if (!docs) {
    return (
      <div className="center-fill">
        <Spinner />
      </div>
    );
  }
  return (
    <div className="docs-page">
      <div className="docs-main">
        <DocsSummary id={id} />
      </div>
      <div className="docs-code">
        <div className="segmented">
          <button type="button" className={code === "raw" ? "active" : ""} onClick={() => setCode("raw")}>
            Source
          </button>
          <button type="button" className={code === "compiled" ? "active" : ""} disabled={!docs.compiledCode} onClick={() => setCode("compiled")}>
            Compiled
          </button>
          <span className="spacer" />
          {docs.path && (
            <Button size="sm" variant="ghost" icon={<Icon name="file" size={14} />} onClick={() => void studio.openFile(docs.path)}>
              Open file
            </Button>
          )}
        </div>
        {docs.rawCode ? (
          <ReadOnlyCode text={code === "compiled" ? (docs.compiledCode ?? "") : docs.rawCode} language={docs.path.endsWith(".sql") ? "sql" : "yaml"} />
        ) : (
          <EmptyState title="Declared in YAML">
            This {docs.resourceType} has no SQL of its own: it is declared in <code>{docs.path}</code>.
          </EmptyState>
        )}
      </div>
    </div>
  );
}

/** Description, columns with their tests (and "add test"), parents and children. */
export function DocsSummary({ id }: { id: string }) {
  const studio = useStudioInstance();
  const graph = useStudio((state) => state.graph);
  const { docs, error, reload } = useDocs(id);
  const [adding, setAdding] = useState<DocsColumnDto | null>(null);
  if (error) return <div className="callout callout-error">{error}</div>;
  if (!docs) return <Spinner />;
  const node = graph?.nodes.find((entry) => entry.id === docs.id);
  const nameOf = (nodeId: string) => graph?.nodes.find((entry) => entry.id === nodeId)?.name ?? nodeId;
  const exposures = docs.referencedBy.filter((ref) => ref.startsWith("exposure."));
  const children = docs.referencedBy.filter((ref) => !ref.startsWith("exposure.") && !ref.startsWith("test."));
  const tests = docs.referencedBy.filter((ref) => ref.startsWith("test."));

  return (
    <div className="docs-summary">
      <div className="docs-title">
        {node && <span className={`layer-chip layer-${node.layer}`}>{LAYER_LABELS[node.layer]}</span>}
        <h2>{docs.name}</h2>
        <span className="muted">{docs.resourceType}</span>
      </div>
      {node && (node.materialized || node.tags.length > 0) && (
        <div className="docs-tags">
          {node.materialized && <span className="pill">{node.materialized}</span>}
          {node.tags.map((tag) => (
            <span key={tag} className="pill">
              tag:{tag}
            </span>
          ))}
        </div>
      )}
      {docs.exposure && <ExposureDetails exposure={docs.exposure} />}
      {docs.description ? (
        <Markdown className="docs-description" text={docs.description} />
      ) : (
        <p className="docs-description muted">No description yet. Add one under `description:` in the YAML next to this {docs.resourceType}.</p>
      )}

      {docs.resourceType !== "exposure" && <h3>Columns</h3>}
      {docs.resourceType === "exposure" ? null : docs.columns.length === 0 ? (
        <p className="muted">No documented columns.</p>
      ) : (
        <table className="docs-columns">
          <thead>
            <tr>
              <th>Column</th>
              <th>Type</th>
              <th>Description</th>
              <th>Tests</th>
            </tr>
          </thead>
          <tbody>
            {docs.columns.map((column) => (
              <tr key={column.name} data-column={column.name}>
                <td>
                  <code>{column.name}</code>
                </td>
                <td className="muted">{column.dataType ?? ""}</td>
                <td>{column.description && <Markdown className="docs-column-description" text={column.description} />}</td>
                <td>
                  <div className="test-chips">
                    {column.testNodes.map((test) => (
                      <TestChip key={test.id} test={test} />
                    ))}
                    {TESTABLE.has(docs.resourceType) && (
                      <button type="button" className="add-test-button" aria-label={`Add a test to ${column.name}`} onClick={() => setAdding(column)}>
                        + test
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <div className="docs-relations">
        <RelationList title="Depends on" ids={docs.dependsOn} nameOf={nameOf} />
        <RelationList title="Used by" ids={children} nameOf={nameOf} />
        <RelationList title="Exposures" ids={exposures} nameOf={nameOf} />
        <RelationList title="Tests" ids={tests} nameOf={nameOf} />
      </div>
      <div className="button-row">
        <Button size="sm" variant="ghost" icon={<Icon name="graph" size={14} />} onClick={() => studio.showLineage(docs.id)}>
          Show in lineage
        </Button>
      </div>
      {adding && (
        <AddTestDialog
          nodeId={docs.id}
          modelName={docs.name}
          column={adding.name}
          existing={adding.tests}
          onClose={() => setAdding(null)}
          onCommitted={() => {
            setAdding(null);
            reload();
          }}
        />
      )}
    </div>
  );
}

function RelationList({ title, ids, nameOf }: { title: string; ids: string[]; nameOf: (id: string) => string }) {
  const studio = useStudioInstance();
  if (ids.length === 0) return null;
  return (
    <div className="relation-list">
      <h3>
        {title} <span className="muted">{ids.length}</span>
      </h3>
      <ul>
        {ids.map((nodeId) => (
          <li key={nodeId}>
            <button type="button" className="link" onClick={() => studio.showDocs(nodeId)} title={nodeId}>
              {nameOf(nodeId)}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
