import { useCallback, useEffect, useState } from "react";
import type { BrowseItemDto, BrowseKind } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, EmptyState, Icon, Spinner } from "../../shared/ui";
import { quoteIdent } from "./sql";
import { ColumnLeaf } from "../query/ColumnLeaf";

type Level = BrowseItemDto[] | "loading" | { error: string };

const KIND_LABEL: Partial<Record<BrowseKind, string>> = {
  materialized_view: "mat. view",
  external_table: "external",
  late_binding_view: "late-binding",
};

function describe(failure: unknown): string {
  const { code, message } = errorDiagnostic(failure);
  return `${code}: ${message}`;
}

/**
 * The schema browser on a console connection, fetched level by level as it is expanded:
 * schemas, then a schema's relations, then a relation's columns (`browse`), so a warehouse with
 * thousands of tables costs one small call per click.
 */
export function LazySchemaTree({ connection, title }: { connection: string; title: string }) {
  const studio = useStudioInstance();
  const [levels, setLevels] = useState<ReadonlyMap<string, Level>>(() => new Map());
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());

  const fetchLevel = useCallback(
    (key: string, schema?: string, relation?: string) => {
      setLevels((current) => new Map(current).set(key, "loading"));
      studio.backend
        .call("browse", { connection, ...(schema !== undefined ? { schema } : {}), ...(relation !== undefined ? { relation } : {}) })
        .then((response) => setLevels((current) => new Map(current).set(key, response.items)))
        .catch((failure: unknown) => setLevels((current) => new Map(current).set(key, { error: describe(failure) })));
    },
    [studio, connection],
  );

  const reload = useCallback(() => {
    setLevels(new Map());
    setOpen(new Set());
    fetchLevel("");
  }, [fetchLevel]);

  useEffect(reload, [reload]);

  const toggle = (key: string, schema: string, relation?: string) => {
    const next = new Set(open);
    if (next.has(key)) next.delete(key);
    else {
      next.add(key);
      if (!levels.has(key) || typeof levels.get(key) === "object") fetchLevel(key, schema, relation);
    }
    setOpen(next);
  };

  const state = (level: Level | undefined, indent: number, empty: string) => {
    if (level === undefined || level === "loading") return <div style={{ paddingLeft: indent }}><Spinner /></div>;
    if (!Array.isArray(level)) return <div className="tree-row tree-leaf danger connection-tree-error" style={{ paddingLeft: indent }}>{level.error}</div>;
    if (level.length === 0) return <div className="tree-row tree-leaf muted" style={{ paddingLeft: indent }}>{empty}</div>;
    return null;
  };

  const root = levels.get("");
  return (
    <div className="panel" data-testid="connection-schema">
      <div className="panel-header">
        <span className="panel-title" title={connection}>
          {title}
        </span>
        <button type="button" className="icon-button" title="Reload schemas" aria-label="Reload schema" onClick={reload}>
          <Icon name="refresh" size={14} />
        </button>
      </div>
      <div className="panel-scroll tree">
        {root !== undefined && !Array.isArray(root) && root !== "loading" ? (
          <EmptyState title="Could not read the connection" action={<Button size="sm" onClick={reload}>Try again</Button>}>
            {root.error}
          </EmptyState>
        ) : (
          state(root, 8, "No schemas")
        )}
        {Array.isArray(root) &&
          root.map((schema) => {
            const schemaKey = schema.name;
            const schemaOpen = open.has(schemaKey);
            const relations = levels.get(schemaKey);
            return (
              <div key={schemaKey}>
                <button type="button" className="tree-row tree-dir" aria-expanded={schemaOpen} onClick={() => toggle(schemaKey, schema.name)}>
                  <Icon name={schemaOpen ? "chevronDown" : "chevronRight"} size={12} />
                  <Icon name="database" size={14} />
                  <span className="tree-label">{schema.name}</span>
                  {Array.isArray(relations) && <span className="tree-meta">{relations.length}</span>}
                </button>
                {schemaOpen && state(relations, 30, "No tables or views")}
                {schemaOpen &&
                  Array.isArray(relations) &&
                  relations.map((relation) => {
                    const key = `${schema.name}.${relation.name}`;
                    const relationOpen = open.has(key);
                    const columns = levels.get(key);
                    const view = relation.kind !== "table" && relation.kind !== "external_table";
                    return (
                      <div key={key}>
                        <div className="tree-row-group">
                          <button type="button" className="tree-row" style={{ paddingLeft: 22 }} aria-expanded={relationOpen} onClick={() => toggle(key, schema.name, relation.name)}>
                            <Icon name={relationOpen ? "chevronDown" : "chevronRight"} size={12} />
                            <Icon name={view ? "view" : "table"} size={14} />
                            <span className="tree-label">{relation.name}</span>
                            {KIND_LABEL[relation.kind] && <span className="tree-meta">{KIND_LABEL[relation.kind]}</span>}
                          </button>
                          <button
                            type="button"
                            className="tree-action"
                            title={`Query ${key}`}
                            aria-label={`Query ${key}`}
                            onClick={() => studio.querySql(`select * from ${quoteIdent(schema.name)}.${quoteIdent(relation.name)} limit 100`)}
                          >
                            <Icon name="play" size={12} />
                          </button>
                        </div>
                        {relationOpen && state(columns, 52, "No columns")}
                        {relationOpen &&
                          Array.isArray(columns) &&
                          columns.map((column) => <ColumnLeaf key={column.name} name={column.name} dataType={column.dataType} />)}
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
