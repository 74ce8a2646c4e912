export type CompletionContextKind =
  | { kind: "ref"; prefix: string; from: number }
  | { kind: "sourceName"; prefix: string; from: number }
  | { kind: "sourceTable"; source: string; prefix: string; from: number }
  | { kind: "jinja"; prefix: string; from: number }
  | { kind: "identifier"; prefix: string; from: number; qualifier: string | null }
  | { kind: "none" };

/**
 * Works out what the user is completing from the text before the cursor (`before` ends at the
 * cursor; `offset` is the cursor's document position). Kept free of CodeMirror so it is testable.
 */
export function completionContextAt(before: string, offset: number): CompletionContextKind {
  const tail = before.slice(-300);
  let match = /\bref\(\s*['"]([\w.-]*)$/.exec(tail);
  if (match) return { kind: "ref", prefix: match[1] ?? "", from: offset - (match[1]?.length ?? 0) };
  match = /\bsource\(\s*['"](\w+)['"]\s*,\s*['"](\w*)$/.exec(tail);
  if (match) {
    return { kind: "sourceTable", source: match[1] ?? "", prefix: match[2] ?? "", from: offset - (match[2]?.length ?? 0) };
  }
  match = /\bsource\(\s*['"](\w*)$/.exec(tail);
  if (match) return { kind: "sourceName", prefix: match[1] ?? "", from: offset - (match[1]?.length ?? 0) };
  match = /\{[{%]-?\s*(\w*)$/.exec(tail);
  if (match) return { kind: "jinja", prefix: match[1] ?? "", from: offset - (match[1]?.length ?? 0) };
  // Inside a string literal nothing but the cases above make sense.
  if (insideString(tail)) return { kind: "none" };
  match = /(?:\b(\w+)\.)?(\w*)$/.exec(tail);
  if (match && (match[2]?.length || match[1])) {
    return { kind: "identifier", prefix: match[2] ?? "", from: offset - (match[2]?.length ?? 0), qualifier: match[1] ?? null };
  }
  return { kind: "none" };
}

function insideString(text: string): boolean {
  const line = text.slice(text.lastIndexOf("\n") + 1);
  let open = false;
  for (let index = 0; index < line.length; index += 1) {
    if (line[index] === "'") open = !open;
  }
  return open;
}

/** Macro names defined in a macro file, `{% macro name(` and `{%- macro name(`. */
export function macroNames(source: string): string[] {
  const names: string[] = [];
  const pattern = /\{%-?\s*(?:macro|test)\s+(\w+)\s*\(/g;
  for (let match = pattern.exec(source); match; match = pattern.exec(source)) {
    if (match[1]) names.push(match[1]);
  }
  return names;
}
