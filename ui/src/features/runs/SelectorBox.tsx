import { useEffect, useMemo, useRef, useState } from "react";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Icon } from "../../shared/ui";
import { parseSelector } from "./selector";
import { applySuggestion, buildVocabulary, suggest, type Suggestion } from "./suggest";
import "./selection.css";

const PREVIEW_DELAY_MS = 150;

type MenuItem = { kind: "suggestion"; suggestion: Suggestion } | { kind: "history"; entry: string };

/**
 * The toolbar's selector field: suggestions as you type (names, tag:/path:/source: values, graph
 * operators), recent selections, and the live "N nodes selected" the engine answers — the same
 * nodes the lineage highlights.
 */
export function SelectorBox() {
  const studio = useStudioInstance();
  const selectorText = useStudio((state) => state.selectorText);
  const history = useStudio((state) => state.selectorHistory);
  const graph = useStudio((state) => state.graph);
  const preview = useStudio((state) => state.selectionPreview);
  const [open, setOpen] = useState(false);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const field = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const parsed = parseSelector(selectorText);
  const vocabulary = useMemo(() => buildVocabulary(graph), [graph]);

  const items: MenuItem[] = useMemo(() => {
    const suggestions = suggest(vocabulary, selectorText, caret).map((suggestion): MenuItem => ({ kind: "suggestion", suggestion }));
    if (selectorText.trim().length > 0) return suggestions;
    return [...history.map((entry): MenuItem => ({ kind: "history", entry })), ...suggestions];
  }, [vocabulary, selectorText, caret, history]);

  // The engine's answer follows the text (and the project: a new model may now match).
  useEffect(() => {
    const timer = setTimeout(() => void studio.previewSelection(selectorText), PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [studio, selectorText, graph]);

  useEffect(() => setActive(0), [selectorText, caret]);

  useEffect(() => {
    if (!open) return undefined;
    const close = (event: MouseEvent) => {
      if (!field.current?.contains(event.target as Node)) setOpen(false);
    };
    window.addEventListener("mousedown", close);
    return () => window.removeEventListener("mousedown", close);
  }, [open]);

  const accept = (item: MenuItem) => {
    if (item.kind === "history") {
      studio.setSelectorText(item.entry);
      setCaret(item.entry.length);
      setOpen(false);
      return;
    }
    const next = applySuggestion(selectorText, caret, item.suggestion);
    studio.setSelectorText(next.text);
    setCaret(next.caret);
    // A method (`tag:`) wants its value next; anything else is complete.
    setOpen(item.suggestion.kind === "method");
    requestAnimationFrame(() => {
      input.current?.focus();
      input.current?.setSelectionRange(next.caret, next.caret);
    });
  };

  const showMenu = open && items.length > 0;
  const current = preview && preview.text === selectorText ? preview : null;
  const count = current && !current.error ? current.ids.size : null;

  return (
    <div className={`selector-field ${parsed.ok ? "" : "invalid"}`} ref={field}>
      <Icon name="search" size={14} />
      <input
        ref={input}
        className="selector-input"
        value={selectorText}
        placeholder="Select: everything  (e.g. +fct_sales, tag:marts, staging --exclude stg_x)"
        aria-label="dbt selector"
        aria-invalid={!parsed.ok}
        aria-expanded={showMenu}
        aria-controls="selector-suggestions"
        aria-autocomplete="list"
        aria-activedescendant={showMenu ? `selector-option-${active}` : undefined}
        role="combobox"
        spellCheck={false}
        autoComplete="off"
        title={parsed.ok ? "dbt selection syntax; empty means the whole project" : parsed.error}
        onChange={(event) => {
          studio.setSelectorText(event.target.value);
          setCaret(event.target.selectionStart ?? event.target.value.length);
          setOpen(true);
        }}
        onSelect={(event) => setCaret(event.currentTarget.selectionStart ?? 0)}
        onFocus={() => setOpen(true)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            if (!showMenu) return setOpen(true);
            const step = event.key === "ArrowDown" ? 1 : -1;
            setActive((active + step + items.length) % items.length);
          } else if ((event.key === "Enter" || event.key === "Tab") && showMenu && items[active]) {
            event.preventDefault();
            accept(items[active]);
          } else if (event.key === "Enter") {
            event.preventDefault();
            setOpen(false);
            void studio.startRun("build");
          } else if (event.key === "Escape") {
            if (showMenu) {
              event.stopPropagation();
              setOpen(false);
            } else {
              input.current?.blur();
            }
          }
        }}
      />
      {selectorText && (
        <span
          className={`selection-count ${count === null ? "pending" : ""} ${count === 0 ? "none" : ""}`}
          data-testid="selection-count"
          data-count={count ?? ""}
          title={current?.unmatched.length ? `Matched nothing: ${current.unmatched.join(", ")}` : "The nodes this selection picks, highlighted in the lineage"}
        >
          {count === null ? "…" : `${count.toLocaleString()} node${count === 1 ? "" : "s"} selected`}
        </span>
      )}
      {selectorText && (
        <button type="button" className="icon-button" aria-label="Clear selection" onClick={() => studio.setSelectorText("")}>
          <Icon name="close" size={12} />
        </button>
      )}
      {showMenu && (
        <div className="selector-menu" role="listbox" id="selector-suggestions" aria-label="Selector suggestions" data-testid="selector-suggestions">
          {items.map((item, index) => {
            const first = index === 0 || items[index - 1]?.kind !== item.kind;
            const caption = item.kind === "history" ? "Recent selections" : "Suggestions";
            return (
              <div key={item.kind === "history" ? `h:${item.entry}` : `s:${item.suggestion.value}`}>
                {first && <div className="menu-caption">{caption}</div>}
                <button
                  type="button"
                  role="option"
                  id={`selector-option-${index}`}
                  aria-selected={index === active}
                  data-testid="selector-suggestion"
                  data-value={item.kind === "history" ? item.entry : item.suggestion.value}
                  className={`menu-item suggestion-item ${index === active ? "active" : ""}`}
                  onMouseEnter={() => setActive(index)}
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => accept(item)}
                >
                  <code>{item.kind === "history" ? item.entry : item.suggestion.label}</code>
                  {item.kind === "suggestion" && (
                    <span className={`suggestion-kind kind-${item.suggestion.kind}`} title={item.suggestion.detail}>
                      {item.suggestion.kind === "operator" ? item.suggestion.detail : item.suggestion.kind}
                    </span>
                  )}
                </button>
              </div>
            );
          })}
          <div className="menu-hint">↑↓ to choose · Tab or Enter to insert · Esc to close</div>
        </div>
      )}
      {!parsed.ok && <div className="selector-error">{parsed.error}</div>}
    </div>
  );
}
