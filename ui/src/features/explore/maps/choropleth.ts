// A region map's fill: which shape each row colours, the colour classes, and what could not be
// drawn, said in words the user can act on.
import type { RegionSet } from "../../../api";
import { builtinKey, matchRegions, normalise, regionNoun, type RegionValue, unmatchedMessage } from "./regions";
import { quantileClasses, type Classes } from "./scales";

export type Choropleth = {
  /** Shape key → the row that fills it. */
  values: Map<string, { value: number | null; region: string }>;
  classes: Classes | null;
  /** Shapes filled with a number (each shape key once). */
  filled: number;
  /** Values naming nothing in the set ("Atlantis"). */
  unmatched: string[];
  /** Values naming a state or country the map has no shape for (Singapore at 1:110m). */
  unshaped: string[];
  /** Other spellings of a shape an earlier row filled. */
  repeated: string[];
};

/** Fills the shapes whose keys are `shapeKeys` with `rows`. */
export function choropleth(rows: readonly RegionValue[], set: RegionSet, shapeKeys: ReadonlySet<string>): Choropleth {
  const keyOf =
    set.kind === "projectFile"
      ? (region: string) => {
          const key = normalise(region);
          return shapeKeys.has(key) ? key : null;
        }
      : (region: string) => builtinKey(set.kind, region);
  const matched = matchRegions(rows, keyOf);
  const values = new Map<string, { value: number | null; region: string }>();
  const unshaped: string[] = [];
  for (const [key, entry] of matched.values) {
    if (shapeKeys.has(key)) values.set(key, entry);
    else unshaped.push(entry.region);
  }
  const numbers = [...values.values()].map((entry) => entry.value);
  const filled = numbers.filter((value) => value !== null && Number.isFinite(value)).length;
  return { values, classes: quantileClasses(numbers), filled, unmatched: matched.unmatched, unshaped, repeated: matched.repeated };
}

/** What the map says in place about the rows it could not draw; empty when it drew them all. */
export function choroplethMessages(fill: Choropleth, set: RegionSet, rows: number): string[] {
  const messages: string[] = [];
  if (rows === 0) messages.push("The query returned no rows to map.");
  const unmatched = unmatchedMessage(fill.unmatched, set);
  if (unmatched) messages.push(unmatched);
  if (fill.unshaped.length > 0) {
    const listed = fill.unshaped.slice(0, 8).join(", ") + (fill.unshaped.length > 8 ? `, and ${fill.unshaped.length - 8} more` : "");
    const noun = regionNoun(set, fill.unshaped.length > 1);
    messages.push(`${fill.unshaped.length} ${noun} too small for this map's scale ${fill.unshaped.length > 1 ? "are" : "is"} not drawn: ${listed}`);
  }
  if (fill.repeated.length > 0) {
    messages.push(`${fill.repeated.join(", ")} name${fill.repeated.length > 1 ? "" : "s"} a region another row already fills; the first row's value is shown`);
  }
  if (rows > 0 && fill.values.size > 0 && fill.filled === 0) messages.push("No region has a number to colour it by.");
  return messages;
}
