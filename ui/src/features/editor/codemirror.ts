import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type CompletionSource } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { keywordCompletionSource, sql, PostgreSQL } from "@codemirror/lang-sql";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, foldGutter, foldKeymap, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { lintKeymap } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState, type Extension } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  MatchDecorator,
  ViewPlugin,
  crosshairCursor,
  drawSelection,
  dropCursor,
  highlightActiveLine,
  highlightActiveLineGutter,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  rectangularSelection,
  type DecorationSet,
  type ViewUpdate,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";

/** Colours come from the CSS variables, so the editor follows the app theme without rebuilding. */
const kilnHighlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.operatorKeyword, tags.modifier], color: "var(--syntax-keyword)" },
  { tag: [tags.string, tags.special(tags.string)], color: "var(--syntax-string)" },
  { tag: [tags.number, tags.bool, tags.null], color: "var(--syntax-number)" },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: "var(--syntax-comment)", fontStyle: "italic" },
  { tag: [tags.typeName, tags.standard(tags.name)], color: "var(--syntax-type)" },
  { tag: [tags.function(tags.variableName), tags.function(tags.propertyName)], color: "var(--syntax-function)" },
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: "var(--syntax-function)" },
  { tag: tags.invalid, color: "var(--danger)" },
]);

const kilnTheme = EditorView.theme({
  "&": { height: "100%", fontSize: "var(--text-md)", backgroundColor: "var(--bg)", color: "var(--text)" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.6" },
  ".cm-content": { caretColor: "var(--accent)", padding: "var(--space-2) 0" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--accent)", borderLeftWidth: "2px" },
  "&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "var(--selection) !important",
  },
  ".cm-gutters": { backgroundColor: "var(--bg)", color: "var(--text-faint)", border: "none" },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--bg-hover) 55%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "transparent", color: "var(--text)" },
  ".cm-tooltip": {
    backgroundColor: "var(--bg-elevated)",
    border: "1px solid var(--border)",
    borderRadius: "var(--radius)",
    boxShadow: "var(--shadow)",
    color: "var(--text)",
  },
  ".cm-tooltip-autocomplete > ul > li[aria-selected]": { backgroundColor: "var(--accent-soft)", color: "var(--text)" },
  ".cm-completionDetail": { color: "var(--text-faint)", fontStyle: "normal", marginLeft: "var(--space-2)" },
  ".cm-diagnostic": { fontFamily: "var(--font-ui)", padding: "var(--space-1) var(--space-2)", whiteSpace: "pre-wrap" },
  ".cm-panels": { backgroundColor: "var(--bg-subtle)", color: "var(--text)" },
  ".cm-searchMatch": { backgroundColor: "var(--warning-soft)" },
  ".cm-statement-active": { backgroundColor: "color-mix(in srgb, var(--accent-soft) 60%, transparent)" },
  ".cm-jinja": { color: "var(--syntax-jinja)", backgroundColor: "var(--syntax-jinja-bg)", borderRadius: "3px" },
  ".cm-jinja-comment": { color: "var(--syntax-comment)", fontStyle: "italic" },
});

const jinjaMatcher = new MatchDecorator({
  regexp: /\{#[\s\S]*?#\}|\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g,
  decoration: (match) => Decoration.mark({ class: match[0].startsWith("{#") ? "cm-jinja-comment" : "cm-jinja" }),
});

/** Jinja tags are marked on top of SQL highlighting: dbt models are SQL first, templated second. */
export const jinjaHighlight = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = jinjaMatcher.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = jinjaMatcher.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

export type EditorLanguage = "sql" | "yaml" | "text";

export function languageForPath(path: string): EditorLanguage {
  if (/\.sql$/i.test(path)) return "sql";
  if (/\.ya?ml$/i.test(path)) return "yaml";
  return "text";
}

export function baseExtensions(options: { language: EditorLanguage; completion?: CompletionSource; readOnly?: boolean }): Extension[] {
  const extensions: Extension[] = [
    lineNumbers(),
    highlightActiveLineGutter(),
    highlightSpecialChars(),
    history(),
    foldGutter(),
    drawSelection(),
    dropCursor(),
    EditorState.allowMultipleSelections.of(true),
    indentOnInput(),
    syntaxHighlighting(kilnHighlight),
    bracketMatching(),
    closeBrackets(),
    rectangularSelection(),
    crosshairCursor(),
    highlightActiveLine(),
    highlightSelectionMatches(),
    keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...foldKeymap, ...completionKeymap, ...lintKeymap, indentWithTab]),
    kilnTheme,
  ];
  if (options.language === "sql") extensions.push(sql({ dialect: PostgreSQL }), jinjaHighlight);
  if (options.language === "yaml") extensions.push(yaml(), jinjaHighlight);
  if (options.completion) {
    // An override replaces lang-sql's own source, so add its keyword completion back alongside ours.
    const sources = options.language === "sql" ? [options.completion, keywordCompletionSource(PostgreSQL, false)] : [options.completion];
    extensions.push(autocompletion({ override: sources, activateOnTyping: true }));
  }
  if (options.readOnly) extensions.push(EditorState.readOnly.of(true), EditorView.editable.of(false));
  return extensions;
}
