import { useMemo, useState } from "react";
import { flattenFiles } from "../../app/studio";
import { useStudio, useStudioInstance } from "../../app/useStudio";
import { Highlighted, PickerList } from "../palette/CommandPalette";
import { rankItems } from "../palette/rank";
import { KIND_LABEL } from "./kinds";

/** Ctrl+P: jump to any project file by fuzzy name (exact name, then prefixes and word starts first). */
export function QuickOpen() {
  const studio = useStudioInstance();
  const tree = useStudio((state) => state.tree);
  const files = useMemo(() => flattenFiles(tree), [tree]);
  const [query, setQuery] = useState("");
  const results = useMemo(() => rankItems(files, query, (file) => ({ name: file.name, detail: file.path }), 100), [files, query]);
  return (
    <PickerList
      placeholder="Go to file by name…"
      query={query}
      onQuery={setQuery}
      onClose={() => studio.setQuickOpen(false)}
      items={results}
      emptyText={files.length === 0 ? "The project has no files." : "No file matches."}
      itemKey={(entry) => entry.item.path}
      onPick={(entry) => {
        studio.setQuickOpen(false);
        void studio.openFile(entry.item.path);
      }}
      renderItem={(entry) => (
        <>
          <span className={`file-kind kind-${entry.item.kind}`}>{KIND_LABEL[entry.item.kind] ?? ""}</span>
          <span className="picker-label">
            <Highlighted
              text={entry.item.path}
              indices={entry.match.field === "name" ? entry.match.indices.map((index) => index + entry.item.path.length - entry.item.name.length) : entry.match.indices}
            />
          </span>
        </>
      )}
    />
  );
}
