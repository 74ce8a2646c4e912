import type { TestArgumentValue } from "../../api";
import type { Canvas, ColumnProfile, SchemaColumn, Step } from "./types";

/**
 * Column tests the output step's profile suggests once the model is saved: `not_null` for a
 * column without nulls, `unique` for one whose every row has its own value, `accepted_values`
 * for a text column with a few values. The profile's distinct counts are estimates on DuckDB
 * (`approx_count_distinct`), so `unique` and `accepted_values` are only offered after an exact
 * count (`confirmationCanvas`); nulls are exact already.
 */

export type SuggestedTestName = "not_null" | "unique" | "accepted_values";

export interface SuggestedTest {
  test: SuggestedTestName;
  arguments: TestArgumentValue[];
  /** Why it is suggested, e.g. "no nulls in 1,234 rows". */
  reason: string;
}

/** A text column with at most this many distinct values is offered `accepted_values`. */
export const MAX_ACCEPTED_VALUES = 10;
/** Estimates may be a little off either way: columns this close to unique are counted exactly. */
const UNIQUE_ESTIMATE_RATIO = 0.9;
/** … and text columns estimated at up to this many values are checked for `accepted_values`. */
const VALUES_ESTIMATE_LIMIT = MAX_ACCEPTED_VALUES + 3;

export function isTextType(dataType: string | null): boolean {
  if (!dataType) return false;
  return /char|text|string/i.test(dataType) && !/\[\]|^(struct|map|list|array)/i.test(dataType.trim());
}

/**
 * The distinct count to show for a column. An exact count (from the suggestions' own queries)
 * wins; an estimate is marked approximate ("≈"), and one above the column's non-null rows, which
 * cannot be, is capped there.
 */
export function shownDistinct(
  profile: ColumnProfile,
  rowCount: number | null,
  { estimated = false, exact }: { estimated?: boolean; exact?: number } = {},
): { count: number | null; approximate: boolean } {
  if (exact !== undefined) return { count: exact, approximate: false };
  const distinct = knownDistinct(profile, rowCount);
  if (distinct === null) return { count: null, approximate: false };
  if (rowCount === null) return { count: distinct, approximate: estimated };
  const nonNull = Math.max(0, rowCount - (profile.nulls ?? 0));
  return distinct > nonNull ? { count: nonNull, approximate: true } : { count: distinct, approximate: estimated };
}

/**
 * The profile's distinct count, or null when it is not known: the engine answers 0 for every
 * column when it could not count distinct values (a column type that cannot be counted makes it
 * drop them all), and a column with non-null values cannot have none.
 */
export function knownDistinct(profile: ColumnProfile, rowCount: number | null): number | null {
  if (profile.distinct === null) return null;
  const nonNull = rowCount === null || profile.nulls === null ? null : rowCount - profile.nulls;
  return profile.distinct === 0 && (nonNull === null || nonNull > 0) ? null : profile.distinct;
}

/** What the estimates make worth an exact look, per column. */
export interface TestCandidate {
  column: string;
  nulls: number;
  notNull: boolean;
  unique: boolean;
  values: boolean;
}

export function testCandidates(columns: readonly SchemaColumn[], profiles: readonly ColumnProfile[], rowCount: number | null): TestCandidate[] {
  if (rowCount === null || rowCount === 0) return [];
  const byName = new Map(profiles.map((profile) => [profile.name, profile]));
  const seen = new Set<string>();
  const out: TestCandidate[] = [];
  for (const column of columns) {
    const profile = byName.get(column.name);
    // Two columns of one name cannot be told apart in the YAML.
    if (!profile || profile.nulls === null || seen.has(column.name.toLowerCase())) continue;
    seen.add(column.name.toLowerCase());
    const nonNull = rowCount - profile.nulls;
    const distinct = knownDistinct(profile, rowCount);
    const candidate: TestCandidate = {
      column: column.name,
      nulls: profile.nulls,
      notNull: profile.nulls === 0,
      // One row is trivially unique and has "a few values": nothing to learn from it.
      unique: rowCount >= 2 && profile.nulls === 0 && distinct !== null && distinct >= UNIQUE_ESTIMATE_RATIO * rowCount,
      values: nonNull >= 2 && isTextType(column.dataType) && distinct !== null && distinct <= VALUES_ESTIMATE_LIMIT,
    };
    if (candidate.notNull || candidate.unique || candidate.values) out.push(candidate);
  }
  return out;
}

/** A column name quoted for SQL ("" inside doubled). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function unusedStepName(canvas: Canvas, base: string): string {
  const taken = new Set(canvas.steps.map((step) => step.name.toLowerCase()));
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n += 1) name = `${base}_${n}`;
  return name;
}

/** The steps up to `index` and one SQL step reading it: previewed, it answers `sql`. */
function probe(canvas: Canvas, index: number, text: (from: string) => string): { canvas: Canvas; step: number } {
  const kept = canvas.steps.slice(0, index + 1);
  const from = kept[index]?.name ?? "";
  const name = unusedStepName({ ...canvas, steps: kept }, "kiln_test_probe");
  const step: Step = { name, body: { kind: "sql", text: text(from) } };
  return { canvas: { ...canvas, steps: [...kept, step] }, step: kept.length };
}

/**
 * Exact counts for the `unique` candidates: one row of the step's row count and, per column,
 * `count(distinct …)`. Null when there is nothing to count.
 */
export function uniqueProbe(canvas: Canvas, index: number, candidates: readonly TestCandidate[]): { canvas: Canvas; step: number; columns: string[] } | null {
  const columns = candidates.filter((candidate) => candidate.unique).map((candidate) => candidate.column);
  if (columns.length === 0) return null;
  const parts = ["count(*) as kiln_rows", ...columns.map((column, at) => `count(distinct ${quoteIdent(column)}) as kiln_d${at}`)];
  return { ...probe(canvas, index, (from) => `select ${parts.join(", ")} from ${from}`), columns };
}

/**
 * The values of the `accepted_values` candidates, at most one more than allowed per column (so
 * "too many" is known), as rows of (column position, value).
 */
export function valuesProbe(canvas: Canvas, index: number, candidates: readonly TestCandidate[]): { canvas: Canvas; step: number; columns: string[]; limit: number } | null {
  const columns = candidates.filter((candidate) => candidate.values).map((candidate) => candidate.column);
  if (columns.length === 0) return null;
  const limit = (MAX_ACCEPTED_VALUES + 1) * columns.length;
  return {
    ...probe(canvas, index, (from) =>
      columns
        .map((column, at) => {
          const c = quoteIdent(column);
          return `select ${at} as kiln_column, cast(kiln_value as varchar) as kiln_value from (select ${c} as kiln_value from ${from} where ${c} is not null group by ${c} order by ${c} limit ${MAX_ACCEPTED_VALUES + 1}) as kiln_v${at}`;
        })
        .join("\nunion all\n"),
    ),
    columns,
    limit,
  };
}

/** A count from a preview cell (numbers may come as strings for 64-bit counts). */
function countOf(value: unknown): number | null {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && /^\d+$/.test(value)) return Number(value);
  if (typeof value === "bigint") return Number(value);
  return null;
}

/** `uniqueProbe`'s one row read back: the exact distinct count of each column. */
export function distinctCounts(columns: readonly string[], row: readonly unknown[] | undefined): Map<string, number> {
  const counts = new Map<string, number>();
  columns.forEach((column, at) => {
    const count = countOf(row?.[at + 1]);
    if (count !== null) counts.set(column, count);
  });
  return counts;
}

/** `uniqueProbe`'s one row read back: the columns whose every row has its own value. */
export function uniqueColumns(columns: readonly string[], row: readonly unknown[] | undefined): Set<string> {
  const unique = new Set<string>();
  const rows = countOf(row?.[0]);
  if (rows === null || rows < 2) return unique;
  for (const [column, count] of distinctCounts(columns, row)) if (count === rows) unique.add(column);
  return unique;
}

/** `valuesProbe`'s rows read back: each column's values, sorted, for columns with few enough. */
export function acceptedValues(columns: readonly string[], rows: readonly unknown[][]): Map<string, string[]> {
  const found = new Map<number, string[]>();
  for (const row of rows) {
    const at = countOf(row[0]);
    const value = row[1];
    if (at === null || value === null || value === undefined) continue;
    const list = found.get(at) ?? [];
    list.push(String(value));
    found.set(at, list);
  }
  const out = new Map<string, string[]>();
  columns.forEach((column, at) => {
    const values = found.get(at);
    if (values && values.length > 0 && values.length <= MAX_ACCEPTED_VALUES) out.set(column, [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
  return out;
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

/**
 * The tests to offer per column: what the candidates and the exact counts support, less the
 * tests the column already has in the model's YAML. `accepted_values` needs some value to
 * repeat (a handful of rows each with its own text is not a domain).
 */
export function suggestTests(
  candidates: readonly TestCandidate[],
  rowCount: number,
  unique: ReadonlySet<string>,
  values: ReadonlyMap<string, string[]>,
  existing: ReadonlyMap<string, readonly string[]>,
): Map<string, SuggestedTest[]> {
  const out = new Map<string, SuggestedTest[]>();
  const existingOf = (column: string) => {
    for (const [name, tests] of existing) if (name.toLowerCase() === column.toLowerCase()) return tests;
    return [];
  };
  for (const candidate of candidates) {
    const has = new Set(existingOf(candidate.column).map((test) => test.replace(/^dbt\./, "")));
    const tests: SuggestedTest[] = [];
    if (candidate.notNull && !has.has("not_null")) tests.push({ test: "not_null", arguments: [], reason: `no nulls in ${plural(rowCount, "row")}` });
    if (candidate.unique && unique.has(candidate.column) && !has.has("unique")) {
      tests.push({ test: "unique", arguments: [], reason: `every one of the ${plural(rowCount, "row")} has its own value` });
    }
    const list = values.get(candidate.column);
    const nonNull = rowCount - candidate.nulls;
    if (candidate.values && list && list.length < nonNull && !has.has("accepted_values")) {
      tests.push({ test: "accepted_values", arguments: [{ name: "values", value: list }], reason: `${plural(list.length, "value")}: ${list.join(", ")}` });
    }
    if (tests.length > 0) out.set(candidate.column, tests);
  }
  return out;
}
