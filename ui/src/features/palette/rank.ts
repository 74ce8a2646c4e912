/**
 * Ranking for the command palette and quick open: a query is matched against an item's name
 * first (a model's name, a file's base name, a command's title) and only then against its longer
 * text (the file's path, the command's group), and each match falls in a tier:
 *
 *   exact name  >  name prefix  >  word-boundary match  >  substring  >  scattered subsequence
 *
 * A word-boundary match is one whose every run of matched letters starts a word (`fct_sales`:
 * "sal", "fs", "fsal"), as in VS Code's and Sublime's quick open. Within a tier, an alignment
 * score (consecutive letters, word starts, few gaps) decides, then the shorter name. Matches only
 * in the longer text rank below every name match.
 */

export interface RankedMatch {
  /** Higher is better; tiers are 1000 apart, so a tier always wins over the alignment score. */
  score: number;
  tier: Tier;
  /** Which text matched: the name, or the longer `detail`. */
  field: "name" | "detail";
  /** Indices into the matched field, for highlighting. */
  indices: number[];
}

export enum Tier {
  Scattered = 1,
  Substring = 2,
  WordBoundary = 3,
  Prefix = 4,
  Exact = 5,
}

const TIER_WEIGHT = 1000;

function isSeparator(character: string | undefined): boolean {
  return character === undefined || /[\s/_.\-:()[\]]/.test(character);
}

/** True when `index` starts a word: after a separator, a lower→upper case change, or a letter↔digit change. */
export function isWordStart(text: string, index: number): boolean {
  if (index === 0) return true;
  const previous = text[index - 1] ?? "";
  const current = text[index] ?? "";
  if (isSeparator(previous)) return !isSeparator(current);
  if (/[a-z]/.test(previous) && /[A-Z]/.test(current)) return true;
  if (/[A-Za-z]/.test(previous) && /[0-9]/.test(current)) return true;
  return false;
}

interface Alignment {
  score: number;
  indices: number[];
}

const MATCH = 1;
const CONSECUTIVE = 6;
const WORD_START = 8;
const FIRST_CHAR = 4;
const GAP = 3;

/**
 * The best placement of `needle`'s characters (in order) in `haystack`, by dynamic programming
 * over (query character, candidate position): rewards consecutive letters and word starts,
 * charges a penalty per gap. Null when the characters do not all appear in order.
 */
export function align(needle: string, text: string): Alignment | null {
  const query = needle.toLowerCase();
  const haystack = text.toLowerCase();
  const m = query.length;
  const n = haystack.length;
  if (m === 0) return { score: 0, indices: [] };
  if (m > n) return null;
  // Most candidates do not match at all: a linear scan rules them out before the table is built.
  for (let i = 0, j = 0; i < m; i += 1, j += 1) {
    j = haystack.indexOf(query[i] as string, j);
    if (j < 0) return null;
  }
  const bonus = new Array<number>(n);
  for (let j = 0; j < n; j += 1) bonus[j] = MATCH + (isWordStart(text, j) ? WORD_START : 0) + (j === 0 ? FIRST_CHAR : 0);
  // best[i][j]: best score with query[i] placed at j; from[i][j]: where query[i-1] was placed.
  const NONE = Number.NEGATIVE_INFINITY;
  const best: Float64Array[] = [];
  const from: Int32Array[] = [];
  for (let i = 0; i < m; i += 1) {
    const row = new Float64Array(n).fill(NONE);
    const back = new Int32Array(n).fill(-1);
    const character = query[i];
    if (i === 0) {
      for (let j = 0; j < n; j += 1) if (haystack[j] === character) row[j] = (bonus[j] ?? 0) - (j > 0 ? 1 : 0);
    } else {
      const previous = best[i - 1] as Float64Array;
      // Running best of previous[k] for k < j - 1 (a gap), with where it came from.
      let gapBest = NONE;
      let gapAt = -1;
      for (let j = 1; j < n; j += 1) {
        if (j >= 2) {
          const candidate = previous[j - 2] ?? NONE;
          if (candidate > gapBest) {
            gapBest = candidate;
            gapAt = j - 2;
          }
        }
        if (haystack[j] !== character) continue;
        const adjacent = previous[j - 1] ?? NONE;
        const viaAdjacent = adjacent === NONE ? NONE : adjacent + (bonus[j] ?? 0) + CONSECUTIVE;
        const viaGap = gapBest === NONE ? NONE : gapBest + (bonus[j] ?? 0) - GAP;
        if (viaAdjacent >= viaGap && viaAdjacent !== NONE) {
          row[j] = viaAdjacent;
          back[j] = j - 1;
        } else if (viaGap !== NONE) {
          row[j] = viaGap;
          back[j] = gapAt;
        }
      }
    }
    best.push(row);
    from.push(back);
  }
  const last = best[m - 1] as Float64Array;
  let end = -1;
  for (let j = 0; j < n; j += 1) if (last[j] !== NONE && (end < 0 || (last[j] ?? NONE) > (last[end] ?? NONE))) end = j;
  if (end < 0) return null;
  const indices = new Array<number>(m);
  let at = end;
  for (let i = m - 1; i >= 0; i -= 1) {
    indices[i] = at;
    at = (from[i] as Int32Array)[at] ?? -1;
  }
  return { score: last[end] ?? 0, indices };
}

/** Every run of consecutive indices starts a word. */
function runsStartWords(text: string, indices: number[]): boolean {
  return indices.every((index, position) => position > 0 && indices[position - 1] === index - 1 ? true : isWordStart(text, index));
}

function stripExtension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(0, dot) : name;
}

/** Ranks one text against a query (already trimmed, spaces removed); null when it does not match. */
export function rankText(query: string, text: string): Omit<RankedMatch, "field"> | null {
  const needle = query.toLowerCase();
  const lower = text.toLowerCase();
  if (needle.length === 0) return { score: 0, tier: Tier.Scattered, indices: [] };
  const range = (start: number) => Array.from({ length: needle.length }, (_, offset) => start + offset);
  const lengthPenalty = Math.min(text.length, 200) * 0.5;
  if (lower === needle || stripExtension(lower) === needle) {
    return { score: Tier.Exact * TIER_WEIGHT - lengthPenalty, tier: Tier.Exact, indices: range(0) };
  }
  if (lower.startsWith(needle)) {
    return { score: Tier.Prefix * TIER_WEIGHT - lengthPenalty, tier: Tier.Prefix, indices: range(0) };
  }
  // The earliest substring that starts a word, else the earliest substring.
  let substring = -1;
  for (let at = lower.indexOf(needle); at >= 0; at = lower.indexOf(needle, at + 1)) {
    if (isWordStart(text, at)) {
      return { score: Tier.WordBoundary * TIER_WEIGHT + 200 - at - lengthPenalty, tier: Tier.WordBoundary, indices: range(at) };
    }
    if (substring < 0) substring = at;
  }
  const aligned = align(needle, text);
  if (!aligned) return null;
  if (runsStartWords(text, aligned.indices)) {
    return { score: Tier.WordBoundary * TIER_WEIGHT + aligned.score - lengthPenalty, tier: Tier.WordBoundary, indices: aligned.indices };
  }
  if (substring >= 0) {
    return { score: Tier.Substring * TIER_WEIGHT - substring - lengthPenalty, tier: Tier.Substring, indices: range(substring) };
  }
  return { score: Tier.Scattered * TIER_WEIGHT + aligned.score - lengthPenalty, tier: Tier.Scattered, indices: aligned.indices };
}

/**
 * Ranks an item by its `name`, falling back to its longer `detail` (a path, "Group: Title").
 * A query with a `/` is a path and is matched against `detail` first.
 */
export function rankItem(query: string, name: string, detail?: string): RankedMatch | null {
  const needle = query.replace(/\s+/g, "");
  if (needle.length === 0) return { score: 0, tier: Tier.Scattered, field: "name", indices: [] };
  const wantsPath = needle.includes("/") && detail !== undefined;
  if (!wantsPath) {
    const onName = rankText(needle, name);
    if (onName) return { ...onName, field: "name" };
  }
  if (detail === undefined) return null;
  const onDetail = rankText(needle, detail);
  if (!onDetail) return null;
  // A path the user typed counts like a name; otherwise a detail match ranks below every name match.
  const score = wantsPath ? onDetail.score : onDetail.score - TIER_WEIGHT * Tier.Exact;
  return { ...onDetail, score, field: "detail" };
}

/** Filters and sorts `items`; ties keep their input order. An empty query keeps every item, in order. */
export function rankItems<T>(
  items: readonly T[],
  query: string,
  texts: (item: T) => { name: string; detail?: string },
  limit = 200,
): Array<{ item: T; match: RankedMatch }> {
  const results: Array<{ item: T; match: RankedMatch; order: number }> = [];
  items.forEach((item, order) => {
    const { name, detail } = texts(item);
    const match = rankItem(query, name, detail);
    if (match) results.push({ item, match, order });
  });
  if (query.trim().length > 0) results.sort((left, right) => right.match.score - left.match.score || left.order - right.order);
  return results.slice(0, limit).map(({ item, match }) => ({ item, match }));
}
