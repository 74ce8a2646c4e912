import type { RelationOption } from "./relations";
import { relationKey, relationLabel } from "./steps";
import type { Relation } from "./types";

const GROUPS: ReadonlyArray<RelationOption["group"]> = ["Steps", "Sources", "Seeds", "Models"];

/**
 * Picks what a step reads: an earlier step or a project model, seed or source. A relation the
 * list does not know (a table named in SQL, a model not built into the graph) stays selectable.
 */
export function RelationPicker({
  value,
  options,
  onChange,
  label,
  testId,
  autoFocus,
}: {
  value: Relation;
  options: readonly RelationOption[];
  onChange: (relation: Relation) => void;
  label: string;
  testId?: string;
  autoFocus?: boolean;
}) {
  const key = relationKey(value);
  const empty = value.kind === "source" ? !value.table : !value.name;
  const known = empty || options.some((option) => option.key === key);
  return (
    <select
      className="input input-sm canvas-select"
      aria-label={label}
      data-testid={testId}
      value={empty ? "" : key}
      autoFocus={autoFocus}
      onChange={(event) => {
        const picked = options.find((option) => option.key === event.target.value);
        if (picked) onChange(picked.relation);
      }}
    >
      <option value="" disabled>
        Pick a model, seed, source or step…
      </option>
      {!known && <option value={key}>{relationLabel(value)}</option>}
      {GROUPS.map((group) => {
        const entries = options.filter((option) => option.group === group);
        if (entries.length === 0) return null;
        return (
          <optgroup key={group} label={group}>
            {entries.map((option) => (
              <option key={option.key} value={option.key} title={option.detail}>
                {option.label}
              </option>
            ))}
          </optgroup>
        );
      })}
    </select>
  );
}
