export interface StatementRange {
  /** UTF-16 index of the first non-blank character of the statement. */
  start: number;
  /** UTF-16 index just past the statement's last character, before the `;`. */
  end: number;
  /** Index just past the terminating `;`, or `end` for the last unterminated statement. */
  terminatorEnd: number;
  text: string;
}

/**
 * Splits a SQL script on top-level semicolons, skipping those inside quotes, dollar quotes and
 * comments. The engine is the authority on what runs (`runStatementAt` gets the cursor); this
 * copy only lets the console highlight the statement Ctrl+Enter will run and label result tabs.
 */
export function splitStatements(sql: string): StatementRange[] {
  const ranges: StatementRange[] = [];
  let segmentStart = 0;
  let index = 0;
  const length = sql.length;
  const push = (end: number, terminatorEnd: number): void => {
    const segment = sql.slice(segmentStart, end);
    if (hasCode(segment)) {
      const leading = segment.length - segment.trimStart().length;
      const trailing = segment.length - segment.trimEnd().length;
      ranges.push({
        start: segmentStart + leading,
        end: end - trailing,
        terminatorEnd,
        text: segment.trim(),
      });
    }
    segmentStart = terminatorEnd;
  };
  while (index < length) {
    const character = sql[index];
    const next = sql[index + 1];
    if (character === "-" && next === "-") {
      const newline = sql.indexOf("\n", index);
      index = newline === -1 ? length : newline + 1;
    } else if (character === "/" && next === "*") {
      const close = sql.indexOf("*/", index + 2);
      index = close === -1 ? length : close + 2;
    } else if (character === "'" || character === '"' || character === "`") {
      index = skipQuoted(sql, index, character);
    } else if (character === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(index, index + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], index + tag[0].length);
        index = close === -1 ? length : close + tag[0].length;
      } else {
        index += 1;
      }
    } else if (character === ";") {
      push(index, index + 1);
      index += 1;
    } else {
      index += 1;
    }
  }
  if (segmentStart < length) push(length, length);
  return ranges;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < sql.length) {
    if (sql[index] === quote) {
      // A doubled quote is an escaped quote, not the end.
      if (sql[index + 1] === quote) {
        index += 2;
        continue;
      }
      return index + 1;
    }
    index += 1;
  }
  return sql.length;
}

/** True when the segment holds anything but whitespace and comments. */
function hasCode(segment: string): boolean {
  const stripped = segment.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
  return stripped.trim().length > 0;
}

/**
 * The statement the cursor belongs to. A cursor right after `;` (or in the blank space that
 * follows it on the same line) still means the statement just finished, as in most SQL editors;
 * otherwise blank space between statements belongs to the next one.
 */
export function statementAt(ranges: readonly StatementRange[], cursor: number, sql: string): StatementRange | null {
  if (ranges.length === 0) return null;
  for (let position = 0; position < ranges.length; position += 1) {
    const range = ranges[position] as StatementRange;
    if (cursor >= range.start && cursor <= range.terminatorEnd) return range;
    if (cursor < range.start) {
      const previous = ranges[position - 1];
      if (previous && !sql.slice(previous.terminatorEnd, cursor).includes("\n")) return previous;
      return range;
    }
  }
  return ranges[ranges.length - 1] ?? null;
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

/** A short label for a result tab: first keyword and object, e.g. "select … fct_sales". */
export function statementLabel(text: string, index: number): string {
  const compact = text.replace(/--[^\n]*/g, " ").replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\s+/g, " ").trim();
  const keyword = compact.split(" ")[0]?.toLowerCase() ?? "";
  const from = /\b(?:from|into|table|view|update)\s+([\w."]+)/i.exec(compact);
  const target = from?.[1] ? ` ${from[1].replace(/"/g, "")}` : "";
  return `${index + 1}: ${keyword}${target}`.slice(0, 40);
}
