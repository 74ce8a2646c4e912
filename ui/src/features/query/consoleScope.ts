/** What the query console is completing, read from the statement text alone (testable without CodeMirror). */
export type ConsoleContext =
  | { kind: "member"; qualifier: string[]; prefix: string; from: number }
  | { kind: "relation"; prefix: string; from: number }
  | { kind: "word"; prefix: string; from: number }
  | { kind: "none" };

/** A table the statement reads: `schema.table alias`. */
export interface TableUse {
  schema: string | null;
  table: string;
  alias: string | null;
}

const NOT_ALIAS = new Set(
  "on where join left right inner outer full cross natural group order limit using union except intersect having qualify window as lateral offset fetch with select from set values".split(" "),
);

function unquote(name: string): string {
  return name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1) : name.toLowerCase();
}

/** The tables after FROM / JOIN in `statement`, with their aliases. */
export function tablesIn(statement: string): TableUse[] {
  const uses: TableUse[] = [];
  const pattern = /\b(?:from|join)\s+((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)(?:\s+(?:as\s+)?("[^"]+"|\w+))?/gi;
  for (let match = pattern.exec(statement); match; match = pattern.exec(statement)) {
    const parts = (match[1] ?? "").match(/"[^"]+"|\w+/g) ?? [];
    const table = unquote(parts[parts.length - 1] ?? "");
    const schema = parts.length > 1 ? unquote(parts[0] ?? "") : null;
    const aliasWord = match[2];
    const alias = aliasWord && !NOT_ALIAS.has(aliasWord.toLowerCase()) ? unquote(aliasWord) : null;
    if (table && !NOT_ALIAS.has(table)) uses.push({ schema, table, alias });
  }
  return uses;
}

/** The statement around `offset` in a script: from after the previous `;` to the next one. */
export function statementAround(script: string, offset: number): { text: string; start: number } {
  const start = script.lastIndexOf(";", offset - 1) + 1;
  const next = script.indexOf(";", offset);
  return { text: script.slice(start, next < 0 ? script.length : next), start };
}

/** What the text before the cursor (`before`, ending at document position `offset`) is completing. */
export function consoleContextAt(before: string, offset: number): ConsoleContext {
  const line = before.slice(before.lastIndexOf("\n") + 1);
  if (/--/.test(line) || (line.match(/'/g)?.length ?? 0) % 2 === 1) return { kind: "none" };
  const member = /((?:"[^"]+"|\w+)(?:\.(?:"[^"]+"|\w+))?)\.(\w*)$/.exec(before);
  if (member) {
    const qualifier = (member[1]?.match(/"[^"]+"|\w+/g) ?? []).map(unquote);
    const prefix = member[2] ?? "";
    return { kind: "member", qualifier, prefix, from: offset - prefix.length };
  }
  const word = /(\w*)$/.exec(before)?.[1] ?? "";
  const preceding = before.slice(0, before.length - word.length);
  if (/\b(?:from|join|into|update|table)\s+$/i.test(preceding)) return { kind: "relation", prefix: word, from: offset - word.length };
  if (!word) return { kind: "none" };
  return { kind: "word", prefix: word, from: offset - word.length };
}

/** The table a qualifier names in the statement: an alias, or a table's own name. */
export function resolveQualifier(qualifier: string, uses: readonly TableUse[]): TableUse | null {
  const name = qualifier.toLowerCase();
  return uses.find((use) => use.alias === name) ?? uses.find((use) => use.alias === null && use.table === name) ?? uses.find((use) => use.table === name) ?? null;
}
