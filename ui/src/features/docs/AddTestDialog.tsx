import { useEffect, useMemo, useState } from "react";
import type { ApplyEditRequest, GenericTestDto } from "../../api";
import { errorDiagnostic } from "../../app/studio";
import { useStudioInstance } from "../../app/useStudio";
import { Button, Modal, Spinner } from "../../shared/ui";
import { EditPreview } from "../lineage/EditPreview";
import { ArgumentField } from "./ArgumentField";
import { type ArgumentInputs, argumentValues, groupTests, missingArguments } from "./testArguments";

/**
 * "+ test" on a column: every generic test the project can use (built-ins, its own, installed
 * packages'), a field per argument of the chosen one, then the usual diff preview of the YAML.
 */
export function AddTestDialog({
  nodeId,
  modelName,
  column,
  existing,
  onClose,
  onCommitted,
}: {
  nodeId: string;
  modelName: string;
  column: string;
  existing: readonly string[];
  onClose: () => void;
  onCommitted: () => void;
}) {
  const studio = useStudioInstance();
  const [tests, setTests] = useState<GenericTestDto[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  const [inputs, setInputs] = useState<ArgumentInputs>({});
  const [request, setRequest] = useState<ApplyEditRequest | null>(null);

  useEffect(() => {
    let cancelled = false;
    studio.backend
      .call("genericTests", {})
      .then((answer) => !cancelled && setTests(answer.tests))
      .catch((failure: unknown) => !cancelled && setError(errorDiagnostic(failure).message));
    return () => {
      cancelled = true;
    };
  }, [studio]);

  const groups = useMemo(() => groupTests(tests ?? []), [tests]);
  const test = tests?.find((entry) => entry.name === chosen) ?? null;
  const missing = test ? missingArguments(test, inputs) : [];

  if (request) {
    return <EditPreview title={`Add ${chosen ?? "test"} to ${column}`} request={request} onClose={() => setRequest(null)} onCommitted={onCommitted} />;
  }

  const pick = (name: string) => {
    setChosen(name);
    setInputs({});
  };
  const preview = () => {
    if (!test) return;
    setRequest({ kind: "addColumnTest", id: nodeId, column, test: test.name, arguments: argumentValues(test, inputs) });
  };

  return (
    <Modal
      title={`Add a test to ${modelName}.${column}`}
      wide
      onClose={onClose}
      footer={
        <>
          {test && missing.length > 0 && <span className="muted add-test-missing">Fill in {missing.join(", ")}</span>}
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" disabled={!test || missing.length > 0} onClick={preview}>
            Preview change
          </Button>
        </>
      }
    >
      {error && <div className="callout callout-error">{error}</div>}
      {!tests && !error && <Spinner />}
      {tests && (
        <div className="add-test">
          <div className="add-test-list" role="listbox" aria-label="Generic tests">
            {groups.map((group) => (
              <div key={group.label} className="add-test-group">
                <div className="add-test-group-label">{group.label}</div>
                {group.tests.map((entry) => (
                  <button
                    key={entry.name}
                    type="button"
                    role="option"
                    aria-selected={entry.name === chosen}
                    className={`add-test-option ${entry.name === chosen ? "active" : ""}`}
                    onClick={() => pick(entry.name)}
                  >
                    <code>{entry.name}</code>
                    {entry.arguments.length > 0 && <span className="muted">({entry.arguments.map((argument) => argument.name).join(", ")})</span>}
                    {existing.includes(entry.name) && <span className="pill">on column</span>}
                  </button>
                ))}
              </div>
            ))}
          </div>
          <div className="add-test-form">
            {!test ? (
              <p className="muted">Pick a test. Its arguments appear here, and the change to the YAML is shown before anything is written.</p>
            ) : (
              <>
                <h3>
                  <code>{test.name}</code>
                </h3>
                {test.description && <p>{test.description}</p>}
                {test.path && (
                  <p className="muted add-test-source">
                    Defined in {test.path}
                    {test.line ? `:${test.line}` : ""}
                  </p>
                )}
                {test.origin === "package" && (
                  <div className="callout">Kiln does not compile package tests yet: the test is written for dbt, and Kiln reports it as an error until it does.</div>
                )}
                {test.arguments.length === 0 && <p className="muted">This test takes no arguments.</p>}
                {test.arguments.map((argument) => (
                  <ArgumentField
                    key={argument.name}
                    test={test.name}
                    argument={argument}
                    inputs={inputs}
                    model={modelName}
                    column={column}
                    onChange={(name, value) => setInputs((current) => ({ ...current, [name]: value }))}
                  />
                ))}
              </>
            )}
          </div>
        </div>
      )}
    </Modal>
  );
}
