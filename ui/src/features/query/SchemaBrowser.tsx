import { useEffect, useMemo, useState } from "react";
import type { SchemaResponse } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Icon, Spinner } from "../../shared/ui";
import { LazySchemaTree } from "../connections/LazySchemaTree";
import { useConnection } from "../connections/selection";
import { ColumnLeaf } from "./ColumnLeaf";

/** Schemas → relations → columns of the connected warehouse, with one-click preview. */
export function SchemaBrowser() {
  const studio = useStudioInstance();
  const runStatus = useStudio((state) => state.run?.status);
  const [schema, setSchema] = useState<SchemaResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const [filter, setFilter] = useState("");
  // A connection picked in the console other than the studio's target is browsed lazily instead.
  const [connection] = useConnection(useStudio((state) => state.project?.root ?? ""));

  const load = () => {
    setError(null);
    studio.backend
      .call("schema", {})
      .then((result) => {
        setSchema(result);
        // Expand schemas up front: there are few, and that is where people look first.
        setOpen((current) => (current.size === 0 ? new Set(result.schemas.map((entry) => entry.name)) : current));
      })
      .catch((failure: unknown) => {
        // The code and the place to fix it: a refused login (K4006) is at its profiles.yml line.
        const { code, message, file, line } = errorDiagnostic(failure);
        setError(`${code}: ${message}${file ? ` (${file}${line !== null ? `:${line}` : ""})` : ""}`);
      });
  };

  // A finished run creates or replaces relations; reload then.
  useEffect(load, [studio, runStatus]);

  const toggle = (key: string) => {
    const next = new Set(open);
    if (next.has(key)) next.delete(key);
    else next.add(key);
    setOpen(next);
  };

  const needle = filter.trim().toLowerCase();
  const schemas = useMemo(
    () =>
      (schema?.schemas ?? []).map((entry) => ({
        ...entry,
        relations: needle ? entry.relations.filter((relation) => relation.name.toLowerCase().includes(needle)) : entry.relations,
      })),
    [schema, needle],
  );

  if (connection) return <LazySchemaTree key={connection} connection={connection} title={connection.replace(/^(saved|profile):/, "")} />;

  return (
    <div className="panel">
      <div className="panel-header">
        <span className="panel-title">Warehouse</span>
        <button type="button" className="icon-button" title="Reload schema" aria-label="Reload schema" onClick={load}>
          <Icon name="refresh" size={14} />
        </button>
      </div>
      <div className="panel-search">
        <input className="input input-sm" placeholder="Filter tables and views" value={filter} onChange={(event) => setFilter(event.target.value)} aria-label="Filter relations" />
      </div>
      <div className="panel-scroll tree">
        {!schema && !error && <Spinner />}
        {error && (
          <EmptyState title="Could not read the warehouse" action={<Button size="sm" onClick={load}>Try again</Button>}>
            {error}
          </EmptyState>
        )}
        {schema && schemas.length === 0 && (
          <EmptyState title="The warehouse is empty" action={<Button size="sm" onClick={() => void studio.startRun("build")}>Build the project</Button>}>
            Stage and build the project to create its tables and views.
          </EmptyState>
        )}
        {schemas.map((entry) => {
          const schemaOpen = open.has(entry.name) || needle.length > 0;
          return (
            <div key={entry.name}>
              <button type="button" className="tree-row tree-dir" aria-expanded={schemaOpen} onClick={() => toggle(entry.name)}>
                <Icon name={schemaOpen ? "chevronDown" : "chevronRight"} size={12} />
                <Icon name="database" size={14} />
                <span className="tree-label">{entry.name}</span>
                <span className="tree-meta">{entry.relations.length}</span>
              </button>
              {schemaOpen &&
                entry.relations.map((relation) => {
                  const key = `${entry.name}.${relation.name}`;
                  const relationOpen = open.has(key);
                  return (
                    <div key={key}>
                      <div className="tree-row-group">
                        <button type="button" className="tree-row" style={{ paddingLeft: 22 }} aria-expanded={relationOpen} onClick={() => toggle(key)}>
                          <Icon name={relationOpen ? "chevronDown" : "chevronRight"} size={12} />
                          <Icon name={relation.kind === "view" ? "view" : "table"} size={14} />
                          <span className="tree-label">{relation.name}</span>
                        </button>
                        <button
                          type="button"
                          className="tree-action"
                          title={`Preview ${key}`}
                          aria-label={`Preview ${key}`}
                          onClick={() => studio.previewRelation(entry.name, relation.name)}
                        >
                          <Icon name="play" size={12} />
                        </button>
                      </div>
                      {relationOpen &&
                        relation.columns.map((column) => (
                          <ColumnLeaf key={column.name} name={column.name} dataType={column.dataType} description={column.description} />
                        ))}
                    </div>
                  );
                })}
            </div>
          );
        })}
      </div>
    </div>
  );
}
