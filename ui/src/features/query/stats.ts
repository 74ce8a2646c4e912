export interface ColumnStats {
  rows: number;
  nulls: number;
  distinct: number;
  /** True when the distinct count stopped at the cap. */
  distinctCapped: boolean;
  min: string | number | null;
  max: string | number | null;
  mean: number | null;
}

const DISTINCT_CAP = 10_000;

/**
 * Stats over the rows the grid has loaded (never the whole result: that lives in the engine).
 * The panel says so, and numbers use numeric order while text uses string order.
 */
export function columnStats(rows: Iterable<unknown[]>, column: number): ColumnStats {
  let count = 0;
  let nulls = 0;
  let numericCount = 0;
  let sum = 0;
  let allNumeric = true;
  let min: string | number | null = null;
  let max: string | number | null = null;
  const distinct = new Set<string>();
  let capped = false;
  for (const row of rows) {
    count += 1;
    const value = row[column];
    if (value === null || value === undefined) {
      nulls += 1;
      continue;
    }
    const key = typeof value === "object" ? JSON.stringify(value) : String(value);
    if (distinct.size < DISTINCT_CAP) distinct.add(key);
    else if (!distinct.has(key)) capped = true;
    const numeric = typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : null;
    if (numeric !== null && Number.isFinite(numeric)) {
      numericCount += 1;
      sum += numeric;
    } else {
      allNumeric = false;
    }
    const comparable: string | number = numeric !== null && allNumeric ? numeric : key;
    if (min === null || compare(comparable, min) < 0) min = comparable;
    if (max === null || compare(comparable, max) > 0) max = comparable;
  }
  if (!allNumeric) {
    // Mixed column: redo min/max as text so numbers and strings are not compared across types.
    min = null;
    max = null;
    for (const row of rows) {
      const value = row[column];
      if (value === null || value === undefined) continue;
      const key = typeof value === "object" ? JSON.stringify(value) : String(value);
      if (min === null || key < String(min)) min = key;
      if (max === null || key > String(max)) max = key;
    }
  }
  return {
    rows: count,
    nulls,
    distinct: distinct.size,
    distinctCapped: capped,
    min,
    max,
    mean: allNumeric && numericCount > 0 ? sum / numericCount : null,
  };
}

function compare(left: string | number, right: string | number): number {
  if (typeof left === "number" && typeof right === "number") return left - right;
  return String(left) < String(right) ? -1 : String(left) > String(right) ? 1 : 0;
}

/** Tab-separated text with a header line, the format spreadsheets paste cleanly. */
export function toTsv(columns: readonly string[], rows: Iterable<unknown[]>): string {
  const escape = (value: unknown): string => {
    if (value === null || value === undefined) return "";
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    return /[\t\n\r"]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const lines = [columns.map(escape).join("\t")];
  for (const row of rows) lines.push(row.map(escape).join("\t"));
  return lines.join("\n");
}

/** Client-side sort and filter, used only for small static results (previews) that have no query id. */
export function sortAndFilterRows(
  rows: readonly unknown[][],
  columns: readonly string[],
  sort: { column: string; descending: boolean } | null,
  filter: string | null,
): unknown[][] {
  let result = rows.slice();
  const needle = filter?.trim().toLowerCase();
  if (needle) {
    result = result.filter((row) => row.some((value) => value !== null && value !== undefined && String(value).toLowerCase().includes(needle)));
  }
  if (sort) {
    const index = columns.indexOf(sort.column);
    if (index >= 0) {
      const direction = sort.descending ? -1 : 1;
      result.sort((left, right) => {
        const a = left[index];
        const b = right[index];
        // NULLs last in either direction, as most warehouses do by default.
        if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
        if (b === null || b === undefined) return -1;
        if (typeof a === "number" && typeof b === "number") return (a - b) * direction;
        return String(a).localeCompare(String(b)) * direction;
      });
    }
  }
  return result;
}
