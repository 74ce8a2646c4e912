import { useState } from "react";
import type { VariableChoices } from "../../api";
import { Dropdown } from "./Dropdown";
import { ALL, selectionLabel, toggleChoice } from "./viewState";

/** Choices shown before the list asks for a search. */
const SHOWN = 200;

/** One drop-down per dashboard variable; a pick re-queries the panels that use it. */
export function VariableBar({ variables, selection, onPick }: { variables: readonly VariableChoices[]; selection: Record<string, string[]>; onPick: (name: string, values: string[]) => void }) {
  return (
    <>
      {variables.map((entry) => (
        <VariableDropdown key={entry.variable.name} entry={entry} picked={selection[entry.variable.name] ?? entry.initial} onPick={(values) => onPick(entry.variable.name, values)} />
      ))}
    </>
  );
}

function VariableDropdown({ entry, picked, onPick }: { entry: VariableChoices; picked: string[]; onPick: (values: string[]) => void }) {
  const { variable, choices, error } = entry;
  const [search, setSearch] = useState("");
  const matching = choices.filter((choice) => choice.toLowerCase().includes(search.toLowerCase()));
  const options = variable.includeAll ? [ALL, ...matching] : matching;
  return (
    <Dropdown caption={variable.label || variable.name} value={error ? "error" : selectionLabel(picked)} testId={`variable-${variable.name}`} title={error ?? `$${variable.name} in panel queries`}>
      {(close) => (
        <div className="variable-menu" role="listbox" aria-label={variable.label || variable.name} aria-multiselectable={variable.multi}>
          {error && <div className="callout callout-error">{error}</div>}
          {choices.length > 10 && <input className="variable-search" aria-label="Search choices" placeholder="Search" value={search} onChange={(event) => setSearch(event.target.value)} autoFocus />}
          {options.slice(0, SHOWN).map((choice) => {
            const selected = picked.includes(choice);
            return (
              <button
                key={choice}
                type="button"
                role="option"
                className="menu-item"
                aria-selected={selected}
                onClick={() => {
                  if (variable.multi) {
                    onPick(toggleChoice(picked, choice, variable.includeAll ?? false));
                  } else {
                    onPick([choice]);
                    close();
                  }
                }}
              >
                {variable.multi && <input type="checkbox" readOnly checked={selected} tabIndex={-1} />}
                {choice === ALL ? "All" : choice}
              </button>
            );
          })}
          {options.length > SHOWN && <div className="menu-caption">{options.length - SHOWN} more: search to narrow</div>}
        </div>
      )}
    </Dropdown>
  );
}
