import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { flattenFiles } from "../../app/studio";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Kbd } from "../../shared/ui";
import { KIND_LABEL } from "../explorer/kinds";
import { formatShortcut, type Command } from "./commands";
import type { RankedMatch } from "./rank";
import { paletteItems, searchPalette, type PaletteResult } from "./search";

/**
 * Ctrl+K / Ctrl+Shift+P: models, files and commands in one list, ranked together (exact name,
 * then prefixes and word starts, then scattered letters). Commands show their shortcuts, so
 * shortcuts are discoverable; `>` limits the search to commands.
 */
export function CommandPalette() {
  const studio = useStudioInstance();
  const [query, setQuery] = useState("");
  const tree = useStudio((state) => state.tree);
  const graph = useStudio((state) => state.graph);
  const commands = studio.commands();
  const items = useMemo(() => paletteItems(commands, graph?.nodes ?? [], flattenFiles(tree)), [commands, graph, tree]);
  const results = useMemo(() => searchPalette(items, query), [items, query]);
  return (
    <PickerList
      placeholder="Search models, files and commands…"
      query={query}
      onQuery={setQuery}
      onClose={() => studio.setPalette(false)}
      items={results}
      emptyText={query.trim() ? "Nothing matches. Try fewer letters, e.g. “fsal” for fct_sales." : "No command is available."}
      itemKey={(entry) => entry.item.key}
      onPick={(entry) => {
        studio.setPalette(false);
        const { item } = entry;
        if (item.kind === "command") item.command.run();
        else if (item.kind === "model") void studio.openFile(item.node.path);
        else void studio.openFile(item.file.path);
      }}
      renderItem={(entry) => <PaletteRow result={entry} />}
    />
  );
}

function PaletteRow({ result }: { result: PaletteResult }) {
  const { item, match } = result;
  if (item.kind === "command") return <CommandRow command={item.command} match={match} />;
  const name = item.kind === "model" ? item.node.name : item.file.name;
  const path = item.kind === "model" ? item.node.path : item.file.path;
  const badge = item.kind === "model" ? item.node.resourceType : item.file.kind;
  return (
    <>
      <span className={`file-kind kind-${item.kind === "model" ? "model" : item.file.kind}`}>{KIND_LABEL[item.kind === "model" ? "model" : item.file.kind] ?? ""}</span>
      <span className="picker-label" data-testid="palette-label">
        <Highlighted text={name} indices={match.field === "name" ? match.indices : []} />
      </span>
      <span className="picker-detail">
        <Highlighted text={path} indices={match.field === "detail" ? match.indices : []} />
      </span>
      <span className="picker-group picker-kind">{item.kind === "model" ? badge : "file"}</span>
    </>
  );
}

function CommandRow({ command, match }: { command: Command; match: RankedMatch }) {
  const prefix = command.group.length + 2;
  const indices = match.field === "name" ? match.indices : match.indices.filter((index) => index >= prefix).map((index) => index - prefix);
  const shortcuts = [command.shortcut, ...(command.alternateShortcuts ?? [])].filter((shortcut): shortcut is string => Boolean(shortcut));
  return (
    <>
      <span className="picker-group">{command.group}</span>
      <span className="picker-label" data-testid="palette-label">
        <Highlighted text={command.title} indices={indices} />
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
