import type { StatementRangeDto } from "../../api";

/**
 * The statement of a console script that Ctrl+Enter runs at `cursor`, from the engine's own split
 * (`splitScript`): the engine is the authority on what runs, so the editor highlights exactly
 * that — also where a blank line, not a `;`, separates two statements.
 */
export function statementAt(ranges: readonly StatementRangeDto[], cursor: number): StatementRangeDto | null {
  if (ranges.length === 0) return null;
  return ranges.find((range) => cursor <= range.cursorEnd) ?? null;
}

/** The 1-based position of `range` among the script's statements, for the result tab's label. */
export function statementNumber(ranges: readonly StatementRangeDto[], range: StatementRangeDto | null): number | null {
  if (!range) return null;
  const index = ranges.findIndex((candidate) => candidate.start === range.start);
  return index < 0 ? null : index + 1;
}

/** Converts a UTF-16 string index to the UTF-8 byte offset the engine expects. */
export function utf8ByteOffset(text: string, index: number): number {
  let bytes = 0;
  const end = Math.min(index, text.length);
  for (let position = 0; position < end; position += 1) {
    const code = text.charCodeAt(position);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && position + 1 < end) {
      // A surrogate pair is one code point of four bytes.
      bytes += 4;
      position += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** A short label for a result tab: its number in the script, first keyword and object, e.g. "3: select fct_sales". */
export function statementLabel(text: string, number: number): string {
  const compact = text.replace(/--[^\n]*/g, " ").replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\s+/g, " ").trim();
  const keyword = compact.split(" ")[0]?.toLowerCase() ?? "";
  const from = /\b(?:from|into|table|view|update)\s+([\w."]+)/i.exec(compact);
  const target = from?.[1] ? ` ${from[1].replace(/"/g, "")}` : "";
  return `${number}: ${keyword}${target}`.slice(0, 40);
}
