// Which shape a region map's value names. The built-in tables are the same files the engine reads
// (crates/kiln-dash/src/regions.rs), matched the same way (trim + lower case, later rows win), so a
// value the engine recognised when it suggested a region map is one the map fills.
import usStates from "../../../../../assets/maps/us-states.json";
import countries from "../../../../../assets/maps/countries.json";
import type { RegionSet } from "../../../api";

type State = { fips: string; code: string; name: string };
type Country = { iso2: string; iso3: string; numeric: string; names: string[] };

export function normalise(value: string): string {
  return value.trim().toLowerCase();
}

function lookup<T>(rows: readonly T[], keys: (row: T) => [string, string[]]): Map<string, string> {
  const map = new Map<string, string>();
  for (const row of rows) {
    const [key, names] = keys(row);
    for (const name of names) map.set(normalise(name), key);
  }
  return map;
}

const stateKeys = lookup<State>(usStates, (s) => [s.fips, [s.code, s.name, s.fips]]);
const countryKeys = lookup<Country>(countries, (c) => [c.numeric, [...c.names, c.iso2, c.iso3, c.numeric]]);
const stateNames = new Map(usStates.map((s: State) => [s.fips, s.name]));
const countryNames = new Map(countries.map((c: Country) => [c.numeric, c.names[0] ?? c.iso3]));

/**
 * The key of the state or country `value` names: a FIPS code (us-atlas feature ids) or an ISO
 * numeric code (world-atlas ids). A number-typed code arrives cast to text without its leading
 * zeros ("6" for California, "36" for Australia), so all-digit values are also tried zero-padded.
 */
export function builtinKey(kind: "usStates" | "worldCountries", value: string): string | null {
  const table = kind === "usStates" ? stateKeys : countryKeys;
  const text = normalise(value);
  const direct = table.get(text);
  if (direct !== undefined) return direct;
  if (/^\d+$/.test(text)) return table.get(text.padStart(kind === "usStates" ? 2 : 3, "0")) ?? null;
  return null;
}

/** A readable name for a built-in key ("06" → "California"), or the key itself. */
export function builtinName(kind: "usStates" | "worldCountries", key: string): string {
  return (kind === "usStates" ? stateNames : countryNames).get(key) ?? key;
}

/** "US state" / "country" / "shape in <file>", for messages about values that match nothing. */
export function regionNoun(set: RegionSet, plural: boolean): string {
  switch (set.kind) {
    case "usStates":
      return plural ? "US states" : "US state";
    case "worldCountries":
      return plural ? "countries" : "country";
    case "projectFile":
      return `${plural ? "shapes" : "shape"} in ${set.path}`;
  }
}

export type RegionValue = { region: string; value: number | null };

export type Matched = {
  /** Shape key → the value it is filled with (null: a row named it, with no number). */
  values: Map<string, { value: number | null; region: string }>;
  /** Region texts that name no shape, in row order, each once. */
  unmatched: string[];
  /** Region texts naming a shape an earlier row already filled ("CA" after "California"). */
  repeated: string[];
};

/**
 * Pairs each row with the shape it names. Rows come ordered by value (largest first), and two
 * spellings of one shape cannot be combined (an average of averages is wrong), so the first
 * row wins and the others are reported.
 */
export function matchRegions(rows: readonly RegionValue[], keyOf: (region: string) => string | null): Matched {
  const values = new Map<string, { value: number | null; region: string }>();
  const unmatched = new Set<string>();
  const repeated: string[] = [];
  for (const row of rows) {
    const key = keyOf(row.region);
    if (key === null) unmatched.add(row.region);
    else if (values.has(key)) repeated.push(row.region);
    else values.set(key, { value: row.value, region: row.region });
  }
  return { values, unmatched: [...unmatched], repeated };
}

/** "3 values match no US state: Atlantis, Gondor, Narnia" (the list cut after `shown`). */
export function unmatchedMessage(unmatched: readonly string[], set: RegionSet, shown = 8): string | null {
  if (unmatched.length === 0) return null;
  const listed = unmatched.slice(0, shown).map((value) => (value.trim() === "" ? "(blank)" : value));
  const more = unmatched.length > shown ? `, and ${unmatched.length - shown} more` : "";
  const count = unmatched.length === 1 ? "1 value matches" : `${unmatched.length} values match`;
  return `${count} no ${regionNoun(set, false)}: ${listed.join(", ")}${more}`;
}
