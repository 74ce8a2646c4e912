/** The run summary dbt prints (`PASS=… WARN=… ERROR=… SKIP=… TOTAL=…`), with test failures apart. */
export interface RunTotals {
  pass: number;
  fail: number;
  error: number;
  warn: number;
  skip: number;
  total: number;
}

export const TOTAL_KEYS: ReadonlyArray<{ key: Exclude<keyof RunTotals, "total">; label: string }> = [
  { key: "pass", label: "pass" },
  { key: "fail", label: "fail" },
  { key: "error", label: "error" },
  { key: "warn", label: "warn" },
  { key: "skip", label: "skip" },
];

/** Folds node statuses (`success`, `pass`, `fail`, `error`, `warn`, `skipped`) into totals; models built count as passes, as in dbt's summary. */
export function totalsFromCounts(counts: Readonly<Record<string, number | undefined>>): RunTotals {
  const get = (name: string) => counts[name] ?? 0;
  const totals = {
    pass: get("success") + get("pass"),
    fail: get("fail"),
    error: get("error"),
    warn: get("warn"),
    skip: get("skipped"),
    total: 0,
  };
  totals.total = totals.pass + totals.fail + totals.error + totals.warn + totals.skip;
  return totals;
}

export function totalsFromStatuses(statuses: Iterable<string>): RunTotals {
  const counts: Record<string, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return totalsFromCounts(counts);
}
