/** Column autocomplete for expression fields: the word at the caret and the columns it may start. */
export interface Completion {
  /** Where the word being typed starts and ends in the text. */
  from: number;
  to: number;
  options: string[];
}

const WORD = /[A-Za-z_][A-Za-z0-9_.]*$/;
const AFTER = /^[A-Za-z0-9_]*/;

/** Columns starting with the word at `caret` first, then containing it; none inside quotes. */
export function completionAt(text: string, caret: number, columns: readonly string[], limit = 8): Completion | null {
  const before = text.slice(0, caret);
  if (insideQuotes(before)) return null;
  const match = WORD.exec(before);
  if (!match) return null;
  const word = match[0].toLowerCase();
  const from = caret - match[0].length;
  const to = caret + (AFTER.exec(text.slice(caret))?.[0].length ?? 0);
  const starts = columns.filter((column) => column.toLowerCase().startsWith(word) && column.toLowerCase() !== word);
  const contains = columns.filter((column) => !column.toLowerCase().startsWith(word) && column.toLowerCase().includes(word));
  const options = [...starts, ...contains].slice(0, limit);
  return options.length > 0 ? { from, to, options } : null;
}

function insideQuotes(text: string): boolean {
  let single = false;
  let double = false;
  for (const char of text) {
    if (char === "'" && !double) single = !single;
    else if (char === '"' && !single) double = !double;
  }
  return single || double;
}

/** The text with the completion's word replaced by `option`, and where the caret goes. */
export function applyCompletion(text: string, completion: Completion, option: string): { text: string; caret: number } {
  return { text: text.slice(0, completion.from) + option + text.slice(completion.to), caret: completion.from + option.length };
}
