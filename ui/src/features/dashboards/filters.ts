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

/** "cat_name = Jazz" for a chip. */
export function filterLabel(filter: PanelFilter): string {
  return `${filter.column} = ${filter.value === null ? "null" : String(filter.value)}`;
}
