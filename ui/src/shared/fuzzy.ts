export interface FuzzyMatch {
  score: number;
  /** Indices into the candidate that matched, for highlighting. */
  indices: number[];
}

const BOUNDARY = /[\s/_.\-:]/;

/**
 * Subsequence match in the spirit of editor quick-open: every query character must appear in
 * order; consecutive runs, word starts and matches inside the last path segment score higher, so
 * "fsal" ranks `marts/fct_sales.sql` above `facts/slow_analysis.sql`.
 */
export function fuzzyMatch(query: string, candidate: string): FuzzyMatch | null {
  const needle = query.trim().toLowerCase();
  if (needle.length === 0) return { score: 0, indices: [] };
  // People type file names, not folders: a match inside the last segment wins outright.
  const lastSlash = candidate.lastIndexOf("/");
  if (lastSlash >= 0) {
    const inName = subsequenceMatch(needle, candidate.slice(lastSlash + 1), -1);
    if (inName) {
      return { score: inName.score + 10, indices: inName.indices.map((index) => index + lastSlash + 1) };
    }
  }
  const whole = subsequenceMatch(needle, candidate, lastSlash);
  return whole;
}

function subsequenceMatch(needle: string, candidate: string, lastSlash: number): FuzzyMatch | null {
  const haystack = candidate.toLowerCase();
  const indices: number[] = [];
  let score = 0;
  let previous = -2;
  let from = 0;
  for (const character of needle) {
    if (character === " ") continue;
    const found = haystack.indexOf(character, from);
    if (found === -1) return null;
    let points = 1;
    if (found === previous + 1) points += 5;
    if (found === 0 || BOUNDARY.test(candidate[found - 1] ?? "")) points += 4;
    if (found > lastSlash) points += 2;
    score += points;
    indices.push(found);
    previous = found;
    from = found + 1;
  }
  // Prefer shorter candidates when everything else is equal.
  score -= candidate.length * 0.01;
  return { score, indices };
}

/** Filters and ranks `items` by `key`; an empty query keeps the original order. */
export function fuzzyFilter<T>(items: readonly T[], query: string, key: (item: T) => string, limit = 200): Array<{ item: T; match: FuzzyMatch }> {
  const results: Array<{ item: T; match: FuzzyMatch }> = [];
  for (const item of items) {
    const match = fuzzyMatch(query, key(item));
    if (match) results.push({ item, match });
  }
  if (query.trim().length > 0) results.sort((left, right) => right.match.score - left.match.score);
  return results.slice(0, limit);
}
