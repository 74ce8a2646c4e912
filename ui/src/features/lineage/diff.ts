export type DiffLine = { kind: "same" | "add" | "remove"; text: string; oldNumber: number | null; newNumber: number | null };

/** Above this many cells the LCS table is too big for the UI thread; show a full replace instead. */
const MAX_CELLS = 4_000_000;

/**
 * Line diff for the "review before writing" preview of visual edits. Plain LCS is enough: the
 * files are model SQL and YAML, usually a few hundred lines.
 */
export function diffLines(before: string | null, after: string | null): DiffLine[] {
  const oldLines = before === null ? [] : splitLines(before);
  const newLines = after === null ? [] : splitLines(after);
  const rows = oldLines.length;
  const columns = newLines.length;
  if (rows * columns > MAX_CELLS) {
    return [
      ...oldLines.map((text, index) => ({ kind: "remove" as const, text, oldNumber: index + 1, newNumber: null })),
      ...newLines.map((text, index) => ({ kind: "add" as const, text, oldNumber: null, newNumber: index + 1 })),
    ];
  }
  // lengths[i][j] = LCS of oldLines[i..] and newLines[j..], flattened.
  const width = columns + 1;
  const lengths = new Uint32Array((rows + 1) * width);
  for (let i = rows - 1; i >= 0; i -= 1) {
    for (let j = columns - 1; j >= 0; j -= 1) {
      lengths[i * width + j] =
        oldLines[i] === newLines[j]
          ? (lengths[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lengths[(i + 1) * width + j] ?? 0, lengths[i * width + j + 1] ?? 0);
    }
  }
  const result: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < rows || j < columns) {
    if (i < rows && j < columns && oldLines[i] === newLines[j]) {
      result.push({ kind: "same", text: oldLines[i] ?? "", oldNumber: i + 1, newNumber: j + 1 });
      i += 1;
      j += 1;
    } else if (j < columns && (i === rows || (lengths[i * width + j + 1] ?? 0) >= (lengths[(i + 1) * width + j] ?? 0))) {
      result.push({ kind: "add", text: newLines[j] ?? "", oldNumber: null, newNumber: j + 1 });
      j += 1;
    } else {
      result.push({ kind: "remove", text: oldLines[i] ?? "", oldNumber: i + 1, newNumber: null });
      i += 1;
    }
  }
  return result;
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export function diffStats(lines: readonly DiffLine[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of lines) {
    if (line.kind === "add") added += 1;
    else if (line.kind === "remove") removed += 1;
  }
  return { added, removed };
}
