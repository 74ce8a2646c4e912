import type { DiagnosticDto } from "../../api";

export interface TextRange {
  from: number;
  to: number;
}

/**
 * Maps an engine diagnostic (1-based line and column in the compiled file) to a document range
 * to underline: from the column to the end of the token there, or the whole line when the engine
 * gave no column. Out-of-range positions are clamped rather than dropped, so an error is never
 * silently lost because the user kept typing.
 */
export function diagnosticRange(text: string, diagnostic: Pick<DiagnosticDto, "line" | "column">): TextRange {
  const lineStarts = [0];
  for (let index = 0; index < text.length; index += 1) {
    if (text.charCodeAt(index) === 10) lineStarts.push(index + 1);
  }
  const lineNumber = Math.min(Math.max(1, diagnostic.line ?? 1), lineStarts.length);
  const lineStart = lineStarts[lineNumber - 1] ?? 0;
  const nextStart = lineStarts[lineNumber];
  const lineEnd = nextStart === undefined ? text.length : nextStart - 1;
  if (diagnostic.column === null || diagnostic.column === undefined) {
    const firstCode = lineStart + (text.slice(lineStart, lineEnd).length - text.slice(lineStart, lineEnd).trimStart().length);
    return { from: Math.min(firstCode, lineEnd), to: lineEnd };
  }
  const from = Math.min(lineStart + Math.max(0, diagnostic.column - 1), lineEnd);
  const rest = text.slice(from, lineEnd);
  const token = /^[\w.'"]+/.exec(rest)?.[0].length ?? 1;
  const to = Math.min(from + Math.max(1, token), lineEnd);
  // An empty line still needs a one-character mark to be visible.
  return to > from ? { from, to } : { from, to: Math.min(from + 1, text.length) };
}

/** Diagnostics that belong to `path` (the engine may report errors of other files too). */
export function diagnosticsForFile(diagnostics: readonly DiagnosticDto[], path: string): { here: DiagnosticDto[]; elsewhere: DiagnosticDto[] } {
  const here: DiagnosticDto[] = [];
  const elsewhere: DiagnosticDto[] = [];
  for (const diagnostic of diagnostics) {
    if (diagnostic.file === null || diagnostic.file === path || path.endsWith(`/${diagnostic.file}`)) here.push(diagnostic);
    else elsewhere.push(diagnostic);
  }
  return { here, elsewhere };
}

export function diagnosticText(diagnostic: DiagnosticDto): string {
  return [`${diagnostic.code}: ${diagnostic.message}`, diagnostic.hint ? `Hint: ${diagnostic.hint}` : null].filter(Boolean).join("\n");
}
