import type { Extension } from "@codemirror/state";
import { EditorView, hoverTooltip, keymap } from "@codemirror/view";
import type { DocsDto } from "../../api";
import type { Studio } from "../../app/studio";
import { nodeFor, referenceAt, sourceTableLine, type Reference } from "./references";

function referenceUnder(view: EditorView, pos: number): Reference | null {
  const line = view.state.doc.lineAt(pos);
  return referenceAt(line.text, line.from, pos);
}

/** Opens the file that defines what `reference` names: the model's SQL, the source's YAML entry. */
export async function goToDefinition(studio: Studio, reference: Reference): Promise<boolean> {
  const node = nodeFor(reference, studio.state.graph?.nodes ?? []);
  if (!node) return false;
  let line: number | undefined;
  if (reference.kind === "source") {
    const yaml = await studio.backend.call("readFile", { path: node.path }).catch(() => null);
    line = yaml ? sourceTableLine(yaml.content, reference.table) : undefined;
  }
  await studio.openFile(node.path, line === undefined ? {} : { line });
  return true;
}

function docsTooltip(docs: DocsDto, reference: Reference): HTMLElement {
  const box = document.createElement("div");
  box.className = "cm-ref-hover";
  box.dataset.testid = "ref-hover";
  const title = document.createElement("div");
  title.className = "cm-ref-hover-title";
  title.textContent = `${docs.name} · ${docs.resourceType}`;
  box.append(title);
  if (docs.description) {
    const description = document.createElement("div");
    description.className = "cm-ref-hover-description";
    description.textContent = docs.description.length > 280 ? `${docs.description.slice(0, 280)}…` : docs.description;
    box.append(description);
  }
  if (docs.columns.length > 0) {
    const list = document.createElement("table");
    list.className = "cm-ref-hover-columns";
    for (const column of docs.columns.slice(0, 24)) {
      const row = list.insertRow();
      row.insertCell().textContent = column.name;
      row.insertCell().textContent = column.dataType ?? "";
      row.insertCell().textContent = column.description;
    }
    box.append(list);
    if (docs.columns.length > 24) {
      const more = document.createElement("div");
      more.className = "cm-ref-hover-more";
      more.textContent = `and ${docs.columns.length - 24} more columns`;
      box.append(more);
    }
  }
  const hint = document.createElement("div");
  hint.className = "cm-ref-hover-more";
  hint.textContent = `F12 or Ctrl+click opens ${reference.kind === "ref" ? "the model" : "the source's YAML"}`;
  box.append(hint);
  return box;
}

/**
 * Hover on `ref()`/`source()` shows the node's description and columns; F12 or Ctrl/Cmd+click
 * goes to its definition, as in dbt Power User.
 */
export function referenceNavigation(studio: Studio): Extension[] {
  return [
    hoverTooltip(async (view, pos) => {
      const reference = referenceUnder(view, pos);
      if (!reference) return null;
      const node = nodeFor(reference, studio.state.graph?.nodes ?? []);
      if (!node) return null;
      const docs = await studio.backend.call("docs", { id: node.id }).catch(() => null);
      if (!docs) return null;
      return { pos: reference.from, end: reference.to, above: true, create: () => ({ dom: docsTooltip(docs, reference) }) };
    }),
    keymap.of([
      {
        key: "F12",
        run: (view) => {
          const reference = referenceUnder(view, view.state.selection.main.head);
          if (!reference) return false;
          void goToDefinition(studio, reference);
          return true;
        },
      },
    ]),
    EditorView.domEventHandlers({
      mousedown: (event, view) => {
        if (!(event.ctrlKey || event.metaKey) || event.button !== 0) return false;
        const pos = view.posAtCoords({ x: event.clientX, y: event.clientY });
        const reference = pos === null ? null : referenceUnder(view, pos);
        if (!reference) return false;
        event.preventDefault();
        void goToDefinition(studio, reference);
        return true;
      },
    }),
    EditorView.theme({
      ".cm-ref-hover": { padding: "var(--space-2) var(--space-3)", maxWidth: "520px", maxHeight: "360px", overflow: "auto", fontFamily: "var(--font-ui)" },
      ".cm-ref-hover-title": { fontWeight: "600", marginBottom: "var(--space-1)" },
      ".cm-ref-hover-description": { color: "var(--text-muted)", marginBottom: "var(--space-2)", whiteSpace: "pre-wrap" },
      ".cm-ref-hover-columns": { borderCollapse: "collapse", fontSize: "var(--text-sm)" },
      ".cm-ref-hover-columns td": { padding: "1px var(--space-2) 1px 0", verticalAlign: "top" },
      ".cm-ref-hover-columns td:first-child": { fontFamily: "var(--font-mono)" },
      ".cm-ref-hover-columns td:nth-child(2)": { color: "var(--text-faint)", fontFamily: "var(--font-mono)" },
      ".cm-ref-hover-more": { color: "var(--text-faint)", fontSize: "var(--text-sm)", marginTop: "var(--space-1)" },
    }),
  ];
}
