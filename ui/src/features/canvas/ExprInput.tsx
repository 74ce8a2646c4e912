import { useId, useRef, useState, type KeyboardEvent } from "react";
import { applyCompletion, completionAt, type Completion } from "./complete";

/**
 * A one-line expression field that keeps whatever is typed (wrong SQL included: the engine flags
 * it on the step) and offers the input's columns for the word at the caret: ↑/↓ pick, Enter or
 * Tab insert, Escape closes.
 */
export function ExprInput({
  value,
  onChange,
  columns,
  placeholder,
  label,
  testId,
  onBlur,
  multiline = false,
}: {
  value: string;
  onChange: (value: string) => void;
  columns: readonly string[];
  placeholder?: string;
  label: string;
  testId?: string;
  onBlur?: () => void;
  multiline?: boolean;
}) {
  const field = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const [completion, setCompletion] = useState<Completion | null>(null);
  const [active, setActive] = useState(0);
  const listId = useId();

  const suggest = (text: string, caret: number) => {
    setCompletion(completionAt(text, caret, columns));
    setActive(0);
  };

  const pick = (option: string) => {
    if (!completion) return;
    const next = applyCompletion(value, completion, option);
    onChange(next.text);
    setCompletion(null);
    requestAnimationFrame(() => field.current?.setSelectionRange(next.caret, next.caret));
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (!completion) return;
    const count = completion.options.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setActive((current) => (current + (event.key === "ArrowDown" ? 1 : count - 1)) % count);
    } else if (event.key === "Enter" || event.key === "Tab") {
      const option = completion.options[active];
      if (option === undefined) return;
      event.preventDefault();
      event.stopPropagation();
      pick(option);
    } else if (event.key === "Escape") {
      event.stopPropagation();
      setCompletion(null);
    }
  };

  const props = {
    ref: field,
    className: `input input-sm canvas-expr ${multiline ? "canvas-expr-multi" : ""}`,
    value,
    placeholder,
    spellCheck: false,
    "aria-label": label,
    "aria-autocomplete": "list" as const,
    "aria-controls": completion ? listId : undefined,
    "aria-expanded": completion !== null,
    "data-testid": testId,
    onChange: (event: { target: { value: string; selectionStart: number | null } }) => {
      onChange(event.target.value);
      suggest(event.target.value, event.target.selectionStart ?? event.target.value.length);
    },
    onKeyDown,
    onBlur: () => {
      setCompletion(null);
      onBlur?.();
    },
  };

  return (
    <div className="canvas-expr-wrap">
      {multiline ? <textarea {...props} rows={2} /> : <input {...props} />}
      {completion && (
        <ul className="canvas-complete" id={listId} role="listbox" aria-label={`Columns for ${label}`}>
          {completion.options.map((option, index) => (
            <li
              key={option}
              role="option"
              aria-selected={index === active}
              className={index === active ? "active" : ""}
              onMouseDown={(event) => {
                event.preventDefault();
                pick(option);
              }}
            >
              {option}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
