import { useEffect, useRef } from "react";
import { Spinner } from "../../../shared/ui";
import { ColumnChecklist, ColumnSelect, RowButtons } from "../ColumnFields";
import { RelationPicker } from "../RelationPicker";
import { relationKey, updateItem } from "../steps";
import { defaultRightColumns, guessJoinKeys, JOIN_KINDS } from "../templates";
import { useRelationColumns } from "../useRelationColumns";
import type { JoinKind } from "../types";
import type { FormProps } from "./formTypes";

/**
 * Join the previous step to another relation: pick it, the join kind, the key pairs from the two
 * schemas, and which of its columns to keep (by default all but those the left side already has).
 */
export function JoinForm({ template, onChange, columns, options, session }: FormProps<"join">) {
  const right = useRelationColumns(session, template.right);
  const touchedColumns = useRef(false);
  const rightKey = relationKey(template.right);
  const seeded = useRef<string | null>(null);

  // When the right side's columns arrive, propose keys and the columns to keep (once per relation).
  useEffect(() => {
    if (right.loading || right.columns.length === 0 || seeded.current === rightKey) return;
    seeded.current = rightKey;
    onChange({
      ...template,
      keys: template.keys.length > 0 ? template.keys : guessJoinKeys(columns, right.columns),
      rightColumns: touchedColumns.current ? template.rightColumns.filter((name) => right.columns.includes(name)) : defaultRightColumns(columns, right.columns),
    });
  }, [right.loading, right.columns, rightKey, columns, template, onChange]);

  return (
    <>
      <label className="field">
        <span className="field-label">Join with</span>
        <RelationPicker autoFocus value={template.right} options={options} label="Relation to join" testId="canvas-form-join-right" onChange={(relation) => onChange({ ...template, right: relation, keys: [], rightColumns: [] })} />
      </label>
      <label className="field">
        <span className="field-label">Kind</span>
        <select className="input input-sm canvas-select" data-testid="canvas-form-join-kind" value={template.join} onChange={(event) => onChange({ ...template, join: event.target.value as JoinKind })}>
          {JOIN_KINDS.map((entry) => (
            <option key={entry.kind} value={entry.kind}>
              {entry.label}
            </option>
          ))}
        </select>
      </label>
      {template.join !== "cross" && (
        <div className="field">
          <span className="field-label">Matching keys (this step = joined relation)</span>
          <div className="canvas-rows" data-testid="canvas-form-join-keys">
            {template.keys.map((key, index) => (
              <div className="canvas-row" key={index}>
                <ColumnSelect value={key.left} columns={columns} label={`Key ${index + 1} left column`} testId={`canvas-form-join-left-${index}`} onChange={(left) => onChange({ ...template, keys: updateItem(template.keys, index, { ...key, left }) })} />
                <span className="canvas-as">=</span>
                <ColumnSelect value={key.right} columns={right.columns} label={`Key ${index + 1} right column`} testId={`canvas-form-join-right-${index}`} onChange={(value) => onChange({ ...template, keys: updateItem(template.keys, index, { ...key, right: value }) })} />
                <RowButtons count={template.keys.length} index={index} label={`key ${index + 1}`} onRemove={() => onChange({ ...template, keys: template.keys.filter((_, at) => at !== index) })} />
              </div>
            ))}
            <button type="button" className="link canvas-add-row" data-testid="canvas-form-join-add-key" onClick={() => onChange({ ...template, keys: [...template.keys, { left: "", right: "" }] })}>
              + key pair
            </button>
          </div>
        </div>
      )}
      <div className="field">
        <span className="field-label">Columns to keep from the joined relation {right.loading && <Spinner label="Reading its columns" />}</span>
        {right.error && <div className="callout callout-error">{right.error}</div>}
        <ColumnChecklist
          value={template.rightColumns}
          columns={right.columns}
          label="Columns to keep"
          testId="canvas-form-join-columns"
          onChange={(rightColumns) => {
            touchedColumns.current = true;
            onChange({ ...template, rightColumns });
          }}
        />
      </div>
    </>
  );
}
