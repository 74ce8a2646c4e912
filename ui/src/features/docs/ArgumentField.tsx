import { useEffect, useState } from "react";
import type { TestArgumentDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Button } from "../../shared/ui";
import type { ArgumentInputs } from "./testArguments";

const MAX_DISTINCT = 100;

interface FieldProps {
  test: string;
  argument: TestArgumentDto;
  inputs: ArgumentInputs;
  /** The tested model and column, for "Fill from data". */
  model: string;
  column: string;
  onChange: (name: string, value: string) => void;
}

/** One argument of a generic test: a values list, a model and its column, a flag or a text. */
export function ArgumentField(props: FieldProps) {
  const { test, argument } = props;
  if (test === "accepted_values" && argument.name === "values") return <ValuesField {...props} />;
  if (test === "relationships" && argument.name === "to") return <ModelField {...props} />;
  if (test === "relationships" && argument.name === "field") return <ColumnField {...props} />;
  if (argument.default === "true" || argument.default === "false") return <FlagField {...props} />;
  return (
    <Field argument={argument}>
      <input
        className="input"
        value={props.inputs[argument.name] ?? ""}
        placeholder={argument.default !== null ? `default: ${argument.default}` : "a value as in YAML: 10, true, some text"}
        onChange={(event) => props.onChange(argument.name, event.target.value)}
      />
    </Field>
  );
}

function Field({ argument, hint, children }: { argument: TestArgumentDto; hint?: string; children: React.ReactNode }) {
  return (
    <label className="add-test-field">
      <span>
        <code>{argument.name}</code> {argument.required ? <span className="muted">required</span> : <span className="muted">optional</span>}
        {hint && <span className="muted"> · {hint}</span>}
      </span>
      {children}
    </label>
  );
}

function FlagField({ argument, inputs, onChange }: FieldProps) {
  const checked = (inputs[argument.name] || argument.default) === "true";
  return (
    <label className="add-test-flag">
      <input type="checkbox" checked={checked} onChange={(event) => onChange(argument.name, String(event.target.checked))} />
      <code>{argument.name}</code> <span className="muted">default {argument.default}</span>
    </label>
  );
}

function ValuesField({ argument, inputs, model, column, onChange }: FieldProps) {
  const studio = useStudioInstance();
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fill = async () => {
    setBusy(true);
    setNote(null);
    const sql = `select distinct "${column.replaceAll('"', '""')}" as value\nfrom {{ ref('${model}') }}\nwhere "${column.replaceAll('"', '""')}" is not null\norder by 1\nlimit ${MAX_DISTINCT + 1}`;
    try {
      const answer = await studio.backend.call("runQuery", { sql, pageSize: MAX_DISTINCT + 1 });
      const result = answer.statements[0];
      if (!result || result.error) {
        setNote(result?.error?.message ?? "The query returned nothing.");
      } else if (result.firstPage.length > MAX_DISTINCT) {
        setNote(`More than ${MAX_DISTINCT} distinct values: list the accepted ones by hand.`);
      } else {
        onChange(argument.name, result.firstPage.map((row) => String(row[0])).join("\n"));
        setNote(`${result.firstPage.length} distinct values found in ${model}.`);
      }
    } catch (failure) {
      setNote(errorDiagnostic(failure).message);
    }
    setBusy(false);
  };
  return (
    <Field argument={argument} hint="one value a line">
      <textarea className="input add-test-values" rows={6} value={inputs[argument.name] ?? ""} onChange={(event) => onChange(argument.name, event.target.value)} />
      <span className="add-test-fill">
        <Button size="sm" variant="ghost" disabled={busy} onClick={() => void fill()}>
          {busy ? "Querying…" : "Fill from data"}
        </Button>
        {note && <span className="muted">{note}</span>}
      </span>
    </Field>
  );
}

function ModelField({ argument, inputs, onChange }: FieldProps) {
  const graph = useStudio((state) => state.graph);
  const names = (graph?.nodes ?? [])
    .filter((node) => node.resourceType === "model" || node.resourceType === "seed" || node.resourceType === "snapshot")
    .map((node) => node.name)
    .sort();
  return (
    <Field argument={argument} hint="the model the values must exist in">
      <select
        className="input"
        value={inputs[argument.name] ?? ""}
        onChange={(event) => {
          onChange(argument.name, event.target.value);
          onChange("field", "");
        }}
      >
        <option value="">Pick a model…</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
    </Field>
  );
}

/** The column of the model picked for `to`, from its compiled columns (a text field when unknown). */
function ColumnField({ argument, inputs, onChange }: FieldProps) {
  const studio = useStudioInstance();
  const graph = useStudio((state) => state.graph);
  const target = inputs.to ?? "";
  const path = graph?.nodes.find((node) => node.name === target && node.resourceType !== "test")?.path ?? null;
  const [columns, setColumns] = useState<string[]>([]);
  useEffect(() => {
    setColumns([]);
    if (!path) return;
    let cancelled = false;
    studio.backend
      .call("compileModel", { path })
      .then((result) => !cancelled && setColumns(result.columns.map((entry) => entry.name)))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [studio, path]);
  const value = inputs[argument.name] ?? "";
  return (
    <Field argument={argument} hint={target ? `a column of ${target}` : "pick the model first"}>
      {columns.length > 0 ? (
        <select className="input" value={value} onChange={(event) => onChange(argument.name, event.target.value)}>
          <option value="">Pick a column…</option>
          {columns.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      ) : (
        <input className="input" value={value} disabled={!target} placeholder="column name" onChange={(event) => onChange(argument.name, event.target.value)} />
      )}
    </Field>
  );
}
