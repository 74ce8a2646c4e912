// Colour classes, marker sizes and number labels shared by both maps.

/**
 * Viridis, cut at both ends: its darkest purple vanishes on the dark theme and its palest yellow
 * on the light one, while the middle keeps a steady lightness ramp that reads in both themes and
 * for colour-blind readers. These are viridis at 0.1, 0.2 … 0.9 and 0.95, spaced evenly from t = 0 to 1.
 */
const PALETTE = ["#482475", "#414487", "#355f8d", "#2a788e", "#21918c", "#22a884", "#44bf70", "#7ad151", "#bddf26", "#dfe318"];

function channel(hex: string, at: number): number {
  return parseInt(hex.slice(at, at + 2), 16);
}

/** The palette colour at `t` (0 = lowest, 1 = highest), interpolated in RGB between stops. */
export function paletteColor(t: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0));
  const position = clamped * (PALETTE.length - 1);
  const low = Math.floor(position);
  const high = Math.min(PALETTE.length - 1, low + 1);
  const mix = position - low;
  const a = PALETTE[low] ?? "#000000";
  const b = PALETTE[high] ?? a;
  const hex = [1, 3, 5]
    .map((at) => Math.round(channel(a, at) + (channel(b, at) - channel(a, at)) * mix))
    .map((value) => value.toString(16).padStart(2, "0"))
    .join("");
  return `#${hex}`;
}

/**
 * Classes over the values, each an inclusive upper bound: a value falls in the first class whose
 * bound it does not exceed. Quantile classes hold about as many values each, so a few very large
 * regions (California's sales) do not wash every other region into one colour.
 */
export type Classes = { method: "quantile" | "equal interval"; min: number; uppers: number[]; colors: string[] };

function finiteSorted(values: Iterable<number | null>): Float64Array {
  const kept: number[] = [];
  for (const value of values) if (value !== null && Number.isFinite(value)) kept.push(value);
  // A typed array sorts numerically without a comparator call per pair: ~10× faster at 100k.
  return Float64Array.from(kept).sort();
}

function colored(method: Classes["method"], min: number, uppers: number[]): Classes {
  const colors = uppers.map((_, index) => paletteColor(uppers.length === 1 ? 0.5 : index / (uppers.length - 1)));
  return { method, min, uppers, colors };
}

/** Up to `count` quantile classes; fewer when values repeat (bounds are never repeated). */
export function quantileClasses(values: Iterable<number | null>, count = 5): Classes | null {
  const sorted = finiteSorted(values);
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  if (min === undefined || max === undefined) return null;
  const uppers: number[] = [];
  for (let index = 1; index < count; index += 1) {
    const bound = sorted[Math.ceil((index * sorted.length) / count) - 1];
    if (bound !== undefined && bound < max && bound !== uppers[uppers.length - 1]) uppers.push(bound);
  }
  uppers.push(max);
  return colored("quantile", min, uppers);
}

/** `count` classes of equal width between the smallest and largest value. */
export function equalIntervalClasses(values: Iterable<number | null>, count = 5): Classes | null {
  const sorted = finiteSorted(values);
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  if (min === undefined || max === undefined) return null;
  if (min === max) return colored("equal interval", min, [max]);
  const uppers = Array.from({ length: count }, (_, index) => (index === count - 1 ? max : min + ((max - min) * (index + 1)) / count));
  return colored("equal interval", min, uppers);
}

/** The class `value` falls in, or -1 for a missing value. */
export function classOf(classes: Classes, value: number | null): number {
  if (value === null || !Number.isFinite(value)) return -1;
  for (let index = 0; index < classes.uppers.length; index += 1) {
    if (value <= (classes.uppers[index] ?? Infinity)) return index;
  }
  return classes.uppers.length - 1;
}

/** Each class's range as legend text: "12 – 40", the first starting at the smallest value. */
export function classLabels(classes: Classes, format: (value: number) => string = formatNumber): string[] {
  return classes.uppers.map((upper, index) => {
    const lower = index === 0 ? classes.min : (classes.uppers[index - 1] ?? classes.min);
    return lower === upper ? format(upper) : `${format(lower)} – ${format(upper)}`;
  });
}

/**
 * Marker radius in px for a value: the circle's area grows linearly with the value across its
 * range (a square-root scale of radius), so a marker twice as far up the range looks twice as big
 * instead of four times.
 */
export function sizeScale(values: Iterable<number | null>, minRadius = 4, maxRadius = 18): ((value: number | null) => number) | null {
  const sorted = finiteSorted(values);
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  if (min === undefined || max === undefined) return null;
  const middle = (minRadius + maxRadius) / 2;
  return (value) => {
    if (value === null || !Number.isFinite(value)) return minRadius;
    if (max === min) return middle;
    const t = Math.min(1, Math.max(0, (value - min) / (max - min)));
    return Math.sqrt(minRadius * minRadius + (maxRadius * maxRadius - minRadius * minRadius) * t);
  };
}

/** A marker's radius when nothing sizes it: dense maps need small dots to stay readable. */
export function defaultRadius(markers: number): number {
  if (markers > 20_000) return 2.5;
  if (markers > 2_000) return 3.5;
  return 6;
}

/** Three values spanning a range for the size legend (fewer when the range is one value). */
export function sizeSteps(min: number, max: number): number[] {
  if (min === max) return [min];
  return [min, (min + max) / 2, max];
}

/**
 * Formatters by locale and notation: making an Intl.NumberFormat costs ~30 µs, which a map
 * labelling 3,000 regions paid 3,000 times.
 */
const formatters = new Map<string, Intl.NumberFormat>();

/** Numbers for legends and tooltips: four significant digits, compact past a hundred thousand. */
export function formatNumber(value: number, locale?: string): string {
  if (!Number.isFinite(value)) return String(value);
  const compact = Math.abs(value) >= 100_000;
  const key = `${locale ?? ""}|${compact}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, {
      maximumSignificantDigits: compact ? 3 : 4,
      notation: compact ? "compact" : "standard",
    });
    formatters.set(key, formatter);
  }
  return formatter.format(value);
}
