import type { PanelFilter } from "../../api";

/** A cross-filter with the panel it came from (which it does not filter). */
export interface DashboardFilter extends PanelFilter {
  source: number;
}

/**
 * Clicking a value toggles it: the same column and value again removes the filter, another value
 * of the same column replaces it, a new column adds one.
 */
export function toggleFilter(filters: readonly DashboardFilter[], next: DashboardFilter): DashboardFilter[] {
  const same = filters.find((filter) => filter.column === next.column);
  if (same && JSON.stringify(same.value) === JSON.stringify(next.value)) return filters.filter((filter) => filter !== same);
  return [...filters.filter((filter) => filter.column !== next.column), next];
}

/** The filters that apply to panel `index`: every one but those its own clicks made. */
export function filtersFor(filters: readonly DashboardFilter[], index: number): PanelFilter[] {
  return filters.filter((filter) => filter.source !== index).map(({ column, value }) => ({ column, value }));
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return `'${String(value).replace(/'/g, "''")}'`;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A panel's query for the console, with the filters it shows applied (as the engine applies them). */
export function filteredQuery(query: string, filters: readonly PanelFilter[]): string {
  const body = query.trim().replace(/;\s*$/, "");
  if (filters.length === 0) return body;
  const conditions = filters.map(({ column, value }) =>
    value === null ? `${quoteIdent(column)} is null` : typeof value === "string" ? `cast(${quoteIdent(column)} as varchar) = ${literal(value)}` : `${quoteIdent(column)} = ${literal(value)}`,
  );
  return `select * from (\n${body}\n) as panel\nwhere ${conditions.join("\n  and ")}`;
}

/** "cat_name = Jazz" for a chip. */
export function filterLabel(filter: PanelFilter): string {
  return `${filter.column} = ${filter.value === null ? "null" : String(filter.value)}`;
}
