import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { Button, Modal } from "../../shared/ui";
import { columnsOfStep } from "./hooks";
import { AggregateForm } from "./forms/AggregateForm";
import { FilterForm } from "./forms/FilterForm";
import type { FormProps, TemplateOf } from "./forms/formTypes";
import { JoinForm } from "./forms/JoinForm";
import { PivotForm, UnpivotForm } from "./forms/PivotForms";
import { DeduplicateForm, FormulaForm, InputForm, LimitForm, OrderForm, SelectForm, SqlForm, UnionForm } from "./forms/SimpleForms";
import { WindowForm } from "./forms/WindowForm";
import type { RelationOption } from "./relations";
import type { CanvasSession, CanvasSessionState } from "./session";
import { emptyTemplate, finalTemplate, templateLabel, templateProblem } from "./templates";
import type { StepTemplate, TemplateKind } from "./types";

function form(props: FormProps<TemplateKind>): ReactNode {
  // Each branch narrows the template; the casts only restate what `kind` already proves.
  const as = <K extends TemplateKind>() => props as unknown as FormProps<K>;
  switch (props.template.kind) {
    case "input":
      return <InputForm {...as<"input">()} />;
    case "join":
      return <JoinForm {...as<"join">()} />;
    case "union":
      return <UnionForm {...as<"union">()} />;
    case "filter":
      return <FilterForm {...as<"filter">()} />;
    case "select":
      return <SelectForm {...as<"select">()} />;
    case "formula":
      return <FormulaForm {...as<"formula">()} />;
    case "aggregate":
      return <AggregateForm {...as<"aggregate">()} />;
    case "window":
      return <WindowForm {...as<"window">()} />;
    case "deduplicate":
      return <DeduplicateForm {...as<"deduplicate">()} />;
    case "order":
      return <OrderForm {...as<"order">()} />;
    case "limit":
      return <LimitForm {...as<"limit">()} />;
    case "pivot":
      return <PivotForm {...as<"pivot">()} />;
    case "unpivot":
      return <UnpivotForm {...as<"unpivot">()} />;
    case "sql":
      return <SqlForm {...as<"sql">()} />;
  }
}

/**
 * The small form of one step kind. "Add" sends the template to the engine, which makes the step
 * (and its SQL) and inserts it after `after`; the new step is selected and previewed.
 */
export function AddStepDialog({
  kind,
  after,
  session,
  state,
  options,
  onClose,
}: {
  kind: TemplateKind;
  after: number | null;
  session: CanvasSession;
  state: CanvasSessionState;
  options: readonly RelationOption[];
  onClose: () => void;
}) {
  const [template, setTemplate] = useState<StepTemplate>(() => emptyTemplate(kind));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const previous = after === null ? undefined : state.history.present.steps[after];
  const columns = previous ? (columnsOfStep(state, previous.name) ?? []).map((column) => column.name) : [];
  const problem = templateProblem(template);
  const onChange = useCallback((next: TemplateOf<TemplateKind>) => setTemplate(next), []);
  const body = useRef<HTMLDivElement>(null);
  // The form's first field has the keyboard (the modal itself focuses its first control, its
  // close button; this effect runs after the modal's).
  useEffect(() => {
    const field = body.current?.querySelector<HTMLElement>("input, select, textarea");
    field?.focus();
    if (field instanceof HTMLInputElement) field.select();
  }, []);

  const submit = async () => {
    if (problem || busy) return;
    setBusy(true);
    const failure = await session.addStep(finalTemplate(template), after);
    setBusy(false);
    if (failure) setError(failure);
    else onClose();
  };

  return (
    <Modal
      title={`Add ${templateLabel(kind).toLowerCase()} step`}
      onClose={onClose}
      footer={
        <>
          {problem && <span className="muted canvas-form-problem">{problem}</span>}
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" data-testid="canvas-form-add" disabled={problem !== null || busy} onClick={() => void submit()}>
            {busy ? "Adding…" : "Add step"}
          </Button>
        </>
      }
    >
      <div
        ref={body}
        className="canvas-form"
        data-testid={`canvas-form-${kind}`}
        onKeyDown={(event) => {
          if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            void submit();
          }
        }}
      >
        {previous && (
          <p className="muted canvas-form-reads">
            Reads <code>{previous.name}</code>
            {columns.length > 0 ? ` (${columns.length} columns)` : ""}
          </p>
        )}
        {form({ template, onChange, columns, options, session })}
        {error && <div className="callout callout-error">{error}</div>}
      </div>
    </Modal>
  );
}
