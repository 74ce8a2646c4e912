import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useStudioInstance } from "../../app/useStudio";
import type { FuzzyMatch } from "../../shared/fuzzy";
import { Kbd } from "../../shared/ui";
import { filterCommands, formatShortcut, type Command } from "./commands";

/** Ctrl+K / Ctrl+Shift+P: every command with its shortcut, so shortcuts are discoverable. */
export function CommandPalette() {
  const studio = useStudioInstance();
  const [query, setQuery] = useState("");
  const commands = studio.commands();
  const results = useMemo(() => filterCommands(commands, query), [commands, query]);
  return (
    <PickerList
      placeholder="Type a command…"
      query={query}
      onQuery={setQuery}
      onClose={() => studio.setPalette(false)}
      items={results}
      emptyText="No command matches."
      itemKey={(entry) => entry.item.id}
      onPick={(entry) => {
        studio.setPalette(false);
        entry.item.run();
      }}
      renderItem={(entry) => <CommandRow command={entry.item} match={entry.match} />}
    />
  );
}

function CommandRow({ command, match }: { command: Command; match: FuzzyMatch }) {
  const prefix = command.group.length + 2;
  const shortcuts = [command.shortcut, ...(command.alternateShortcuts ?? [])].filter((shortcut): shortcut is string => Boolean(shortcut));
  return (
    <>
      <span className="picker-group">{command.group}</span>
      <span className="picker-label">
        <Highlighted
          text={command.title}
          indices={match.indices.filter((index) => index >= prefix).map((index) => index - prefix)}
        />
      </span>
      <span className="picker-shortcuts">
        {shortcuts.map((shortcut) => (
          <Kbd key={shortcut}>{formatShortcut(shortcut)}</Kbd>
        ))}
      </span>
    </>
  );
}

export function Highlighted({ text, indices }: { text: string; indices: number[] }) {
  if (indices.length === 0) return <>{text}</>;
  const marks = new Set(indices);
  const parts: ReactNode[] = [];
  let run = "";
  let runMarked = false;
  const flush = (key: number) => {
    if (!run) return;
    parts.push(runMarked ? <mark key={key}>{run}</mark> : <span key={key}>{run}</span>);
    run = "";
  };
  for (let index = 0; index < text.length; index += 1) {
    const marked = marks.has(index);
    if (marked !== runMarked) {
      flush(index);
      runMarked = marked;
    }
    run += text[index];
  }
  flush(text.length);
  return <>{parts}</>;
}

/** The shared overlay for the palette and quick open: input, keyboard navigation, list. */
export function PickerList<T>({
  placeholder,
  query,
  onQuery,
  onClose,
  items,
  itemKey,
  onPick,
  renderItem,
  emptyText,
}: {
  placeholder: string;
  query: string;
  onQuery: (query: string) => void;
  onClose: () => void;
  items: T[];
  itemKey: (item: T) => string;
  onPick: (item: T) => void;
  renderItem: (item: T) => ReactNode;
  emptyText: string;
}) {
  const [selected, setSelected] = useState(0);
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => setSelected(0), [query]);
  useEffect(() => {
    list.current?.querySelector<HTMLElement>(`[data-index="${selected}"]`)?.scrollIntoView({ block: "nearest" });
  }, [selected]);
  return (
    <div className="modal-backdrop picker-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div className="picker" role="dialog" aria-label={placeholder}>
        <input
          className="picker-input"
          autoFocus
          placeholder={placeholder}
          value={query}
          onChange={(event) => onQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "ArrowDown") {
              event.preventDefault();
              setSelected((index) => Math.min(items.length - 1, index + 1));
            } else if (event.key === "ArrowUp") {
              event.preventDefault();
              setSelected((index) => Math.max(0, index - 1));
            } else if (event.key === "Enter") {
              event.preventDefault();
              const item = items[selected];
              if (item !== undefined) onPick(item);
            } else if (event.key === "Escape") {
              event.preventDefault();
              onClose();
            }
          }}
          role="combobox"
          aria-expanded="true"
          aria-controls="picker-list"
        />
        <div className="picker-list" id="picker-list" role="listbox" ref={list}>
          {items.length === 0 && <div className="picker-empty">{emptyText}</div>}
          {items.map((item, index) => (
            <div
              key={itemKey(item)}
              data-index={index}
              role="option"
              aria-selected={index === selected}
              className={`picker-item ${index === selected ? "selected" : ""}`}
              onMouseMove={() => setSelected(index)}
              onMouseDown={(event) => {
                event.preventDefault();
                onPick(item);
              }}
            >
              {renderItem(item)}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
