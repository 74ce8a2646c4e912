import { Icon } from "../../shared/ui";
import { ExprInput } from "./ExprInput";
import { RowButtons } from "./ColumnFields";
import type { RelationOption } from "./relations";
import { RelationPicker } from "./RelationPicker";
import { updateItem } from "./steps";
import { JOIN_KINDS } from "./templates";
import type { Input, Join, SelectBlock } from "./types";

type Update = (patch: Partial<SelectBlock>, key?: string) => void;

/** What a select step reads: its FROM and its joins (kind, relation, alias, condition). */
export function ReadsSection({ block, update, options, columns }: { block: SelectBlock; update: Update; options: readonly RelationOption[]; columns: readonly string[] }) {
  const setJoin = (index: number, join: Join, key?: string) => update({ joins: updateItem(block.joins, index, join) }, key);
  return (
    <section className="canvas-section" aria-label="Reads">
      <h3 className="canvas-section-title">Reads</h3>
      <InputRow input={block.from} options={options} label="From" testId="canvas-field-from" onChange={(from, key) => update({ from }, key)} />
      {block.joins.map((join, index) => (
        <div className="canvas-join" key={index} data-testid={`canvas-field-join-${index}`}>
          <div className="canvas-row">
            <select
              className="input input-sm canvas-select canvas-narrow"
              aria-label={`Join ${index + 1} kind`}
              data-testid={`canvas-field-join-kind-${index}`}
              value={join.kind}
              onChange={(event) => {
                const kind = event.target.value as Join["kind"];
                setJoin(index, kind === "cross" ? { kind, input: join.input } : { ...join, kind, on: join.on ?? "" });
              }}
            >
              {JOIN_KINDS.map((entry) => (
                <option key={entry.kind} value={entry.kind}>
                  {entry.kind === "inner" ? "join" : `${entry.kind} join`}
                </option>
              ))}
            </select>
            <RowButtons count={block.joins.length} index={index} label={`join ${index + 1}`} onRemove={() => update({ joins: block.joins.filter((_, at) => at !== index) })} />
          </div>
          <InputRow input={join.input} options={options} label={`Join ${index + 1}`} testId={`canvas-field-join-relation-${index}`} onChange={(input, key) => setJoin(index, { ...join, input }, key)} />
          {join.kind !== "cross" && (
            <label className="canvas-inline-label">
              <span>on</span>
              <ExprInput
                value={join.on ?? ""}
                columns={columns}
                label={`Join ${index + 1} condition`}
                testId={`canvas-field-join-on-${index}`}
                placeholder="l.id = r.id"
                onChange={(on) => setJoin(index, { ...join, on }, `join-on-${index}`)}
              />
            </label>
          )}
        </div>
      ))}
      <button
        type="button"
        className="link canvas-add-row"
        data-testid="canvas-field-add-join"
        onClick={() => update({ joins: [...block.joins, { kind: "left", input: { relation: { kind: "ref", name: "" }, alias: `j${block.joins.length + 1}` }, on: "" }] })}
      >
        <Icon name="plus" size={12} /> join another relation
      </button>
    </section>
  );
}

function InputRow({ input, options, label, testId, onChange }: { input: Input; options: readonly RelationOption[]; label: string; testId: string; onChange: (input: Input, key?: string) => void }) {
  return (
    <div className="canvas-row">
      <RelationPicker value={input.relation} options={options} label={label} testId={testId} onChange={(relation) => onChange({ ...input, relation })} />
      <input
        className="input input-sm canvas-alias"
        aria-label={`${label} alias`}
        data-testid={`${testId}-alias`}
        placeholder="alias"
        value={input.alias ?? ""}
        onChange={(event) => {
          const alias = event.target.value;
          const { alias: _previous, ...rest } = input;
          onChange(alias ? { ...rest, alias } : rest, `${testId}-alias`);
        }}
      />
    </div>
  );
}
