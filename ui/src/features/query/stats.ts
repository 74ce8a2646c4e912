import type { ColumnStatsResponse, ValueCountDto } from "../../api";

const TOP_VALUES = 5;

/** Numeric column types; DECIMAL/HUGEINT values arrive as JSON strings and are compared as numbers. */
export function isNumericType(dataType: string | null): boolean {
  return dataType !== null && /int|float|double|decimal|numeric|real|hugeint|bigint/i.test(dataType);
}

function keyOf(value: unknown): string {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/**
 * Σ for results held whole in the page (previews, which have no query id); results of the console
 * get the same statistics from the engine (`columnStats`), over all their rows. Numbers use numeric
 * order even when they arrive as text (DECIMAL), everything else string order.
 */
export function localColumnStats(rows: readonly unknown[][], column: number, name: string, dataType: string | null): ColumnStatsResponse {
  const numeric = isNumericType(dataType);
  const counts = new Map<string, ValueCountDto>();
  let nulls = 0;
  let sum = 0;
  let numbers = 0;
  let min: unknown = null;
  let max: unknown = null;
  const asNumber = (value: unknown): number | null => {
    const number = typeof value === "number" ? value : numeric && typeof value === "string" ? Number(value) : NaN;
    return Number.isFinite(number) ? number : null;
  };
  const compare = (left: unknown, right: unknown): number => {
    const a = asNumber(left);
    const b = asNumber(right);
    if (numeric && a !== null && b !== null) return a - b;
    const x = keyOf(left);
    const y = keyOf(right);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  for (const row of rows) {
    const value = row[column] ?? null;
    const key = value === null ? "\u0000null" : keyOf(value);
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { value, count: 1 });
    if (value === null) {
      nulls += 1;
      continue;
    }
    const number = asNumber(value);
    if (number !== null) {
      sum += number;
      numbers += 1;
    }
    if (min === null || compare(value, min) < 0) min = value;
    if (max === null || compare(value, max) > 0) max = value;
  }
  const top = [...counts.values()].sort((a, b) => b.count - a.count || (a.value === null ? 1 : b.value === null ? -1 : compare(a.value, b.value)));
  return {
    column: name,
    dataType,
    rows: rows.length,
    nulls,
    distinct: counts.size - (nulls > 0 ? 1 : 0),
    min,
    max,
    mean: numeric && numbers > 0 && numbers === rows.length - nulls ? sum / numbers : null,
    top: top.slice(0, TOP_VALUES),
  };
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
