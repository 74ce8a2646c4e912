import { useEffect, useRef } from "react";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { baseExtensions, type EditorLanguage } from "./codemirror";

/** A read-only CodeMirror view whose text can change without losing the scroll position. */
export function ReadOnlyCode({ text, language = "sql", className }: { text: string; language?: EditorLanguage; className?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);

  useEffect(() => {
    if (!host.current) return undefined;
    const created = new EditorView({
      state: EditorState.create({ doc: "", extensions: baseExtensions({ language, readOnly: true }) }),
      parent: host.current,
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
  }, [language]);

  useEffect(() => {
    const current = view.current;
    if (!current || current.state.doc.toString() === text) return;
    current.dispatch({ changes: { from: 0, to: current.state.doc.length, insert: text } });
  }, [text, language]);

  return <div className={`code-view ${className ?? ""}`} ref={host} />;
}
